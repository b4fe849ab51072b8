//! How a program's hosted pages look and where they may be used: its
//! display name, accent colour, logo, support and privacy links, and the
//! origins it may redirect to and be framed by.

use sha2::{Digest, Sha256};
use url::Host;

use super::RedirectUrl;

/// Longest display name, as for program names.
pub const MAX_DISPLAY_NAME: usize = 200;
/// Largest logo accepted, in bytes (100 KB).
pub const MAX_LOGO_BYTES: usize = 100 * 1024;
/// Most origins in one allow-list.
pub const MAX_ORIGINS: usize = 20;
/// The contrast an accent colour needs against white text (WCAG 2.2 AA for
/// normal text).
pub const MIN_CONTRAST: f64 = 4.5;

/// What the hosted pages of a program show and allow. Every part is
/// optional: a program without branding shows its name on plain pages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Branding {
    pub display_name: Option<String>,
    pub accent_color: Option<AccentColor>,
    pub logo: Option<LogoRef>,
    pub support_url: Option<LinkUrl>,
    pub privacy_url: Option<LinkUrl>,
    /// `None`: any valid `redirect_url`. `Some`: only these origins.
    pub allowed_redirect_origins: Option<Vec<Origin>>,
    /// The origins that may show the form in a frame; empty: none.
    pub allowed_frame_ancestors: Vec<Origin>,
    /// Whether leaving the form for the platform (after submitting, or by
    /// a "Return to" link) replaces the whole window rather than the frame.
    pub redirect_out_of_frame: bool,
}

/// A change of branding: each `Some` replaces that part (`Some(None)`
/// clears it); `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct BrandingChange {
    pub display_name: Option<Option<String>>,
    pub accent_color: Option<Option<AccentColor>>,
    pub logo: Option<Option<Logo>>,
    pub support_url: Option<Option<LinkUrl>>,
    pub privacy_url: Option<Option<LinkUrl>>,
    pub allowed_redirect_origins: Option<Option<Vec<Origin>>>,
    pub allowed_frame_ancestors: Option<Vec<Origin>>,
    pub redirect_out_of_frame: Option<bool>,
}

impl BrandingChange {
    pub fn is_empty(&self) -> bool {
        self.display_name.is_none()
            && self.accent_color.is_none()
            && self.logo.is_none()
            && self.support_url.is_none()
            && self.privacy_url.is_none()
            && self.allowed_redirect_origins.is_none()
            && self.allowed_frame_ancestors.is_none()
            && self.redirect_out_of_frame.is_none()
    }
}

/// A display name: 1..=200 characters as given (so that a longer one is
/// never accepted for its spaces), no control characters, then trimmed.
pub fn parse_display_name(input: &str) -> Result<String, &'static str> {
    if input.chars().count() > MAX_DISPLAY_NAME {
        return Err("must be at most 200 characters long");
    }
    super::program::parse_program_name(input)
}

/// A colour as `#rrggbb` (lower case), dark enough that white text on it
/// is readable: a contrast of at least 4.5:1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccentColor([u8; 3]);

impl AccentColor {
    /// Accepts `#rrggbb` or `#rgb`, in either case.
    pub fn parse(input: &str) -> Result<Self, String> {
        let hex = input
            .strip_prefix('#')
            .filter(|hex| matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| "must be a colour written as #rrggbb, such as #0a7d5a".to_owned())?;
        let digits: Vec<u8> = hex.chars().filter_map(|c| c.to_digit(16)).map(|d| d as u8).collect();
        let rgb = match digits.as_slice() {
            [r, g, b] => [r * 17, g * 17, b * 17],
            [r1, r2, g1, g2, b1, b2] => [r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2],
            _ => return Err("must be a colour written as #rrggbb, such as #0a7d5a".to_owned()),
        };
        let color = Self(rgb);
        let contrast = color.contrast_with_white();
        if contrast < MIN_CONTRAST {
            return Err(format!(
                "is too light: white text on {} has a contrast of {:.2}:1, and at least {MIN_CONTRAST}:1 is needed \
                 to stay readable (WCAG AA); choose a darker colour",
                color.as_hex(),
                // Rounded down, so that a colour just short is never shown as enough.
                (contrast * 100.0).floor() / 100.0
            ));
        }
        Ok(color)
    }

    /// Reads a colour stored by this service; `None` if it no longer parses.
    pub fn from_stored(stored: &str) -> Option<Self> {
        Self::parse(stored).ok()
    }

    pub fn as_hex(&self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// The WCAG 2.2 contrast ratio of white against this colour.
    pub fn contrast_with_white(&self) -> f64 {
        (1.0 + 0.05) / (relative_luminance(self.0) + 0.05)
    }

    /// A darker shade of the colour, for hover and focus states.
    pub fn darker(&self) -> String {
        let [r, g, b] = self.0.map(|c| (f64::from(c) * 0.8).round() as u8);
        format!("#{r:02x}{g:02x}{b:02x}")
    }
}

/// Relative luminance as WCAG 2.2 defines it.
fn relative_luminance(rgb: [u8; 3]) -> f64 {
    let [r, g, b] = rgb.map(|c| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    });
    0.2126 * r + 0.7152 * g + 0.0722 * b
}

/// The image formats a logo may be in. SVG is refused: it can carry
/// scripts and links, and it would be served from this origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoType {
    Png,
    Jpeg,
    Webp,
}

impl LogoType {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
        }
    }

    pub fn from_content_type(content_type: &str) -> Option<Self> {
        [Self::Png, Self::Jpeg, Self::Webp]
            .into_iter()
            .find(|kind| kind.content_type() == content_type)
    }

    pub fn from_extension(extension: &str) -> Option<Self> {
        match extension {
            "png" => Some(Self::Png),
            "jpg" => Some(Self::Jpeg),
            "webp" => Some(Self::Webp),
            _ => None,
        }
    }

    /// The format the bytes are in, by their signature: what the file
    /// says it is does not count.
    fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(Self::Jpeg)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }
}

/// A logo's image, checked: PNG, JPEG or WebP, at most 100 KB.
#[derive(Clone, PartialEq, Eq)]
pub struct Logo {
    kind: LogoType,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Logo({}, {} bytes)", self.kind.content_type(), self.bytes.len())
    }
}

impl Logo {
    pub fn parse(bytes: Vec<u8>) -> Result<Self, String> {
        if bytes.is_empty() {
            return Err("is empty: give a PNG, JPEG or WebP image".to_owned());
        }
        if bytes.len() > MAX_LOGO_BYTES {
            return Err(format!(
                "is {} bytes; a logo may be at most 100 KB ({MAX_LOGO_BYTES} bytes)",
                bytes.len()
            ));
        }
        match LogoType::sniff(&bytes) {
            Some(kind) => Ok(Self { kind, bytes }),
            None if looks_like_svg(&bytes) => Err(
                "is an SVG image, which is not accepted (an SVG can carry scripts); give a PNG, JPEG or WebP image"
                    .to_owned(),
            ),
            None => Err("must be a PNG, JPEG or WebP image".to_owned()),
        }
    }

    pub fn kind(&self) -> LogoType {
        self.kind
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn reference(&self) -> LogoRef {
        LogoRef {
            digest: hex::encode(Sha256::digest(&self.bytes)),
            kind: self.kind,
        }
    }
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    trimmed.starts_with('<') && (trimmed.contains("<svg") || trimmed.starts_with("<?xml"))
}

/// Where a stored logo is found: the SHA-256 of its bytes, so its address
/// changes whenever the image does and it can be cached for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoRef {
    pub digest: String,
    pub kind: LogoType,
}

impl LogoRef {
    /// The file name it is served under: `<sha256>.<ext>`.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.digest, self.kind.extension())
    }

    /// Reads a file name back; `None` unless it is a digest and a known extension.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let (digest, extension) = name.split_once('.')?;
        let kind = LogoType::from_extension(extension)?;
        (digest.len() == 64 && digest.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))).then(|| Self {
            digest: digest.to_owned(),
            kind,
        })
    }
}

/// A link shown in the footer (support or privacy): an absolute `https`
/// URL (or `http` to a loopback host), or a `mailto:` address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkUrl(String);

impl LinkUrl {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        if let Some(address) = input.strip_prefix("mailto:") {
            let valid = address.len() <= 254
                && address.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty()
                        && domain.contains('.')
                        && !address
                            .chars()
                            .any(|c| c.is_whitespace() || c.is_control() || "<>\"'?&".contains(c))
                });
            return if valid {
                Ok(Self(input.to_owned()))
            } else {
                Err("must be an https URL or a mailto: address such as mailto:help@example.com")
            };
        }
        RedirectUrl::parse(input)
            .map(|url| Self(url.as_str().to_owned()))
            .map_err(|_| "must be an https URL (such as https://example.com/help) or a mailto: address")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads a link stored by this service; `None` if it no longer parses.
    pub fn from_stored(stored: &str) -> Option<Self> {
        Self::parse(stored).ok()
    }
}

/// A web origin: scheme, host and port, nothing else, as browsers compare
/// them (`https://app.example`, `http://localhost:3000`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl Origin {
    pub fn parse(input: &str) -> Result<Self, String> {
        let url = RedirectUrl::parse(input).map_err(|reason| format!("{input:?} {reason}"))?;
        let parsed = url.url();
        if parsed.path() != "/" || parsed.query().is_some() || parsed.fragment().is_some() || input.ends_with('/') {
            return Err(format!(
                "{input:?} is not an origin: give the scheme and host only, such as https://app.example"
            ));
        }
        if matches!(parsed.host(), Some(Host::Ipv6(_))) {
            return Err(format!(
                "{input:?}: IPv6 addresses cannot be listed (Content-Security-Policy has no syntax for them)"
            ));
        }
        Ok(Self(parsed.origin().ascii_serialization()))
    }

    /// A comma-separated list (spaces allowed), as the CLI takes it; empty
    /// input is an empty list.
    pub fn parse_list(input: &str) -> Result<Vec<Self>, String> {
        let origins = input
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(Self::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Self::check_list(origins)
    }

    /// Drops repeats and refuses lists that are too long.
    pub fn check_list(origins: Vec<Self>) -> Result<Vec<Self>, String> {
        let mut unique: Vec<Self> = Vec::with_capacity(origins.len());
        for origin in origins {
            if !unique.contains(&origin) {
                unique.push(origin);
            }
        }
        if unique.len() > MAX_ORIGINS {
            return Err(format!(
                "lists {} origins; at most {MAX_ORIGINS} may be listed",
                unique.len()
            ));
        }
        Ok(unique)
    }

    pub fn of(url: &RedirectUrl) -> Option<Self> {
        let origin = url.url().origin();
        origin.is_tuple().then(|| Self(origin.ascii_serialization()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads an origin stored by this service (already checked).
    pub fn from_stored(stored: &str) -> Self {
        Self(stored.to_owned())
    }
}

/// Origins as stored: separated by single spaces.
pub fn join_origins(origins: &[Origin]) -> String {
    origins.iter().map(Origin::as_str).collect::<Vec<_>>().join(" ")
}

pub fn split_origins(stored: &str) -> Vec<Origin> {
    stored.split_whitespace().map(Origin::from_stored).collect()
}

impl Branding {
    /// Whether a session may send the customer back to `url`.
    pub fn allows_redirect_to(&self, url: &RedirectUrl) -> bool {
        match &self.allowed_redirect_origins {
            None => true,
            Some(allowed) => Origin::of(url).is_some_and(|origin| allowed.contains(&origin)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accent_colours_must_contrast_with_white_text() {
        assert_eq!(AccentColor::parse("#0a7d5a").unwrap().as_hex(), "#0a7d5a");
        assert_eq!(AccentColor::parse("#0A7D5A").unwrap().as_hex(), "#0a7d5a");
        assert_eq!(AccentColor::parse("#000").unwrap().as_hex(), "#000000");
        // #767676 is the lightest grey that passes 4.5:1 on white.
        assert!(AccentColor::parse("#767676").is_ok());
        let pale = AccentColor::parse("#777777").unwrap_err();
        assert!(pale.contains("too light") && pale.contains("4.4"), "{pale}");
        for pale in ["#ffffff", "#fff", "#ffd700", "#7fdbff", "#00ff00"] {
            assert!(AccentColor::parse(pale).is_err(), "{pale}");
        }
        for bad in ["0a7d5a", "#0a7d5", "#0a7d5g", "red", "", "#0a7d5a00", "＃0a7d5a"] {
            assert!(AccentColor::parse(bad).unwrap_err().contains("#rrggbb"), "{bad}");
        }
    }

    #[test]
    fn contrast_matches_the_wcag_formula() {
        let black = AccentColor::parse("#000000").unwrap();
        assert!((black.contrast_with_white() - 21.0).abs() < 1e-9);
        let blue = AccentColor::parse("#1d4ed8").unwrap();
        assert!((blue.contrast_with_white() - 6.7).abs() < 0.05);
    }

    #[test]
    fn logos_are_sniffed_and_bounded() {
        let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0; 32]].concat();
        assert_eq!(Logo::parse(png.clone()).unwrap().kind(), LogoType::Png);
        let jpeg = [[0xff, 0xd8, 0xff, 0xe0].as_slice(), &[0; 32]].concat();
        assert_eq!(Logo::parse(jpeg).unwrap().kind(), LogoType::Jpeg);
        let webp = [b"RIFF\x10\0\0\0WEBPVP8 ".as_slice(), &[0; 32]].concat();
        assert_eq!(Logo::parse(webp).unwrap().kind(), LogoType::Webp);

        let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".to_vec();
        assert!(Logo::parse(svg).unwrap_err().contains("SVG"));
        let bare_svg = b"  <svg onload=\"alert(1)\"></svg>".to_vec();
        assert!(Logo::parse(bare_svg).unwrap_err().contains("SVG"));
        assert!(
            Logo::parse(b"GIF89a....".to_vec())
                .unwrap_err()
                .contains("PNG, JPEG or WebP")
        );
        assert!(Logo::parse(Vec::new()).is_err());

        let mut big = png.clone();
        big.resize(MAX_LOGO_BYTES + 1, 0);
        assert!(Logo::parse(big).unwrap_err().contains("at most 100 KB"));
        let mut largest = png;
        largest.resize(MAX_LOGO_BYTES, 0);
        assert!(Logo::parse(largest).is_ok());
    }

    #[test]
    fn logo_file_names_round_trip() {
        let logo = Logo::parse([b"\x89PNG\r\n\x1a\n".as_slice(), b"x"].concat()).unwrap();
        let reference = logo.reference();
        assert_eq!(LogoRef::from_file_name(&reference.file_name()), Some(reference.clone()));
        assert!(reference.file_name().ends_with(".png"));
        for bad in [
            "x.png",
            "../etc/passwd",
            &format!("{}.svg", reference.digest),
            &reference.digest,
        ] {
            assert_eq!(LogoRef::from_file_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(
            Origin::parse("https://App.Example").unwrap().as_str(),
            "https://app.example"
        );
        assert_eq!(
            Origin::parse("https://a.example:443").unwrap().as_str(),
            "https://a.example"
        );
        assert_eq!(
            Origin::parse("https://a.example:8443").unwrap().as_str(),
            "https://a.example:8443"
        );
        assert_eq!(
            Origin::parse("http://localhost:3000").unwrap().as_str(),
            "http://localhost:3000"
        );
        for bad in [
            "https://a.example/",
            "https://a.example/path",
            "https://a.example?x=1",
            "http://a.example",
            "https://*.example",
            "a.example",
            "https://[::1]",
            "https://a.example;frame-ancestors *",
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad}");
        }
        let list = Origin::parse_list("https://a.example, https://b.example,https://a.example").unwrap();
        assert_eq!(join_origins(&list), "https://a.example https://b.example");
        assert_eq!(split_origins(&join_origins(&list)), list);
        assert!(Origin::parse_list("").unwrap().is_empty());
        let many = (0..21)
            .map(|i| format!("https://a{i}.example"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(Origin::parse_list(&many).is_err());
    }

    #[test]
    fn the_redirect_allow_list_compares_origins() {
        let mut branding = Branding::default();
        let url = RedirectUrl::parse("https://app.example/done?x=1").unwrap();
        assert!(branding.allows_redirect_to(&url));
        branding.allowed_redirect_origins = Some(vec![Origin::parse("https://app.example").unwrap()]);
        assert!(branding.allows_redirect_to(&url));
        for other in [
            "https://app.example:8443/done",
            "https://evil.example/app.example",
            "https://app.example.evil.example/",
        ] {
            assert!(
                !branding.allows_redirect_to(&RedirectUrl::parse(other).unwrap()),
                "{other}"
            );
        }
        branding.allowed_redirect_origins = Some(Vec::new());
        assert!(!branding.allows_redirect_to(&url));
    }

    #[test]
    fn support_links_are_https_or_mailto() {
        assert!(LinkUrl::parse("https://example.com/help").is_ok());
        assert!(LinkUrl::parse("mailto:help@example.com").is_ok());
        for bad in [
            "javascript:alert(1)",
            "http://example.com",
            "mailto:",
            "mailto:a b@example.com",
            "help",
        ] {
            assert!(LinkUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
