//! A program's branding as the hosted pages use it: the name, logo, accent
//! colour and footer links every page shows, and the headers that let the
//! platform frame its pages (and no one else).

use actix_web::{HttpResponseBuilder, http::header};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::domain::branding::{Branding, Origin};

/// What a page shows of its program, and how it may be framed.
#[derive(Debug, Clone, Default)]
pub struct Brand {
    /// The name customers see; `None` on pages that know no program.
    pub name: Option<String>,
    /// Where the logo is served (same origin).
    pub logo_url: Option<String>,
    /// The `<style>` text that sets the accent colour, allowed by its hash.
    pub style: Option<String>,
    pub support_url: Option<String>,
    pub privacy_url: Option<String>,
    /// `_top` when leaving the form for the platform replaces the whole
    /// window rather than the frame; empty otherwise.
    pub leave_target: &'static str,
    frame_ancestors: Vec<Origin>,
}

impl Brand {
    /// A page that knows no program (an unknown link, say).
    pub fn none() -> Self {
        Self::default()
    }

    /// The branding of a program whose customers see `name`.
    pub fn of(name: &str, branding: &Branding) -> Self {
        Self {
            name: Some(name.to_owned()),
            logo_url: branding.logo.as_ref().map(crate::links::logo),
            style: branding
                .accent_color
                .map(|color| format!(":root{{--accent:{};--accent-dark:{}}}", color.as_hex(), color.darker())),
            support_url: branding.support_url.as_ref().map(|url| url.as_str().to_owned()),
            privacy_url: branding.privacy_url.as_ref().map(|url| url.as_str().to_owned()),
            leave_target: if branding.redirect_out_of_frame { "_top" } else { "" },
            frame_ancestors: branding.allowed_frame_ancestors.clone(),
        }
    }

    /// Whether some origin may show the page in a frame.
    pub fn may_be_framed(&self) -> bool {
        !self.frame_ancestors.is_empty()
    }

    /// The page's Content-Security-Policy: nothing from elsewhere, the
    /// accent style by its hash, forms posted to `form_action`, and framing
    /// only by the program's allowed origins.
    pub fn content_security_policy(&self, form_action: &str) -> String {
        let style = match &self.style {
            Some(style) => format!(
                "'self' 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style.as_bytes()))
            ),
            None => "'self'".to_owned(),
        };
        let ancestors = if self.frame_ancestors.is_empty() {
            "'none'".to_owned()
        } else {
            crate::domain::branding::join_origins(&self.frame_ancestors)
        };
        format!(
            "default-src 'none'; style-src {style}; img-src 'self'; form-action {form_action}; \
             frame-ancestors {ancestors}; base-uri 'none'"
        )
    }

    /// The headers that say who may frame the page. `X-Frame-Options`
    /// cannot name origins, so a page its program lets others frame leaves
    /// it out and relies on the CSP's `frame-ancestors`, which every current
    /// browser applies; every other page is `DENY`.
    pub fn frame_headers(&self, response: &mut HttpResponseBuilder) {
        if !self.may_be_framed() {
            response.insert_header((header::X_FRAME_OPTIONS, "DENY"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::branding::{AccentColor, Origin};

    #[test]
    fn unbranded_pages_refuse_framing_and_inline_styles() {
        let brand = Brand::none();
        let csp = brand.content_security_policy("'self'");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("style-src 'self';"), "{csp}");
        assert!(!brand.may_be_framed());
    }

    #[test]
    fn the_accent_style_is_allowed_by_its_hash_and_framing_by_origin() {
        let branding = Branding {
            accent_color: Some(AccentColor::parse("#0a7d5a").unwrap()),
            allowed_frame_ancestors: vec![
                Origin::parse("https://app.example").unwrap(),
                Origin::parse("https://admin.example:8443").unwrap(),
            ],
            redirect_out_of_frame: true,
            ..Branding::default()
        };
        let brand = Brand::of("Acme", &branding);
        let style = brand.style.clone().unwrap();
        assert!(style.contains("--accent:#0a7d5a"), "{style}");
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style.as_bytes()));
        let csp = brand.content_security_policy("'self'");
        assert!(csp.contains(&format!("style-src 'self' 'sha256-{hash}';")), "{csp}");
        assert!(
            csp.contains("frame-ancestors https://app.example https://admin.example:8443;"),
            "{csp}"
        );
        assert!(brand.may_be_framed());
        assert_eq!(brand.leave_target, "_top");
    }
}
