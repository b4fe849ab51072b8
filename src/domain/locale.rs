//! The languages the hosted pages speak.

use super::closed_set::closed_set;

closed_set! {
    /// A language of the hosted pages, by its code (what platforms send as
    /// `locale`, and the `lang` of the pages). English unless chosen.
    #[derive(Default)]
    pub enum Locale {
        #[default]
        En = "en",
        Es = "es",
    }
}

impl Locale {
    /// Exactly `en` or `es`, as a platform sends it (no region, no other case).
    pub fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }

    /// The value of `<html lang>`.
    pub fn html_lang(self) -> &'static str {
        self.as_str()
    }

    /// The language of a language tag (`es-MX`, `es-419`, `EN-us`), by its
    /// primary subtag.
    fn of_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|locale| primary.eq_ignore_ascii_case(locale.as_str()))
    }

    /// The language a browser's `Accept-Language` prefers most among ours,
    /// honouring q-values (`q=0` refuses a language); `None` when it
    /// accepts none of them.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut ranges: Vec<(u16, usize, Self)> = Vec::new();
        for (position, range) in header.split(',').enumerate() {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let mut quality = 1000;
            for parameter in parts {
                if let Some(value) = parameter
                    .trim()
                    .strip_prefix("q=")
                    .or_else(|| parameter.trim().strip_prefix("Q="))
                {
                    quality = parse_quality(value.trim()).unwrap_or(0);
                }
            }
            if quality == 0 {
                continue;
            }
            if let Some(locale) = Self::of_tag(tag) {
                ranges.push((quality, position, locale));
            }
        }
        // Highest quality first; among equals, the browser's order.
        ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranges.first().map(|(_, _, locale)| *locale)
    }
}

/// A q-value (`0`, `0.9`, `1.000`) in thousandths.
fn parse_quality(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_codes_parse() {
        assert_eq!(Locale::parse("en"), Some(Locale::En));
        assert_eq!(Locale::parse("es"), Some(Locale::Es));
        for bad in ["", "EN-us", "ES", "es-MX", "fr", " es"] {
            assert_eq!(Locale::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Locale::Es.html_lang(), "es");
    }

    #[test]
    fn browsers_choose_by_quality() {
        let cases = [
            ("es-MX,es;q=0.9", Some(Locale::Es)),
            ("es-419", Some(Locale::Es)),
            ("fr", None),
            ("fr-CA,fr;q=0.9,en;q=0.8,es;q=0.7", Some(Locale::En)),
            ("en;q=0.5, es;q=0.8", Some(Locale::Es)),
            ("es;q=0, en", Some(Locale::En)),
            ("es;q=0", None),
            ("*", None),
            ("EN-us", Some(Locale::En)),
            ("es;q=1.5", None),
            ("", None),
        ];
        for (header, expected) in cases {
            assert_eq!(Locale::from_accept_language(header), expected, "{header:?}");
        }
    }
}
