//! Dates of birth, names and other free text typed by people.

use chrono::{Datelike, NaiveDate};

use super::closed_set::text_value;

pub const MIN_AGE_YEARS: i32 = 18;

/// A real calendar date (`YYYY-MM-DD`) in the past, after 1900, of someone
/// at least 18 years old on `today`.
pub fn parse_date_of_birth(input: &str, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    let input = input.trim();
    let date = NaiveDate::parse_from_str(input, "%Y-%m-%d").map_err(|_| "must be a real date, like 1980-07-31")?;
    if input.len() != 10 {
        return Err("must be a real date, like 1980-07-31");
    }
    if date >= today {
        return Err("must be in the past");
    }
    if date.year() < 1900 {
        return Err("must be after 1900");
    }
    let adult_on = date.with_year(date.year() + MIN_AGE_YEARS).unwrap_or_else(|| {
        // Born on February 29th: an adult on March 1st of the 18th year.
        NaiveDate::from_ymd_opt(date.year() + MIN_AGE_YEARS, 3, 1).unwrap_or(date)
    });
    if adult_on > today {
        return Err("must be of someone at least 18 years old");
    }
    Ok(date)
}

/// Trimmed text of 1..=max characters without control characters.
pub fn parse_text(input: &str, max: usize) -> Result<String, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("is required".to_owned());
    }
    if text.chars().count() > max {
        return Err(format!("must be at most {max} characters long"));
    }
    if text.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(text.to_owned())
}

/// A NAICS industry code: 2 to 6 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NaicsCode(String);

impl NaicsCode {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let code = input.trim();
        if (2..=6).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(code.to_owned()))
        } else {
            Err("must be a NAICS code of 2 to 6 digits, like 541511")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

text_value!(NaicsCode, |schema| schema.pattern(Some("^[0-9]{2,6}$")));

/// An email address (checked with the `validator` crate's rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        use validator::ValidateEmail;
        let email = input.trim();
        if email.len() <= 254 && email.validate_email() {
            Ok(Self(email.to_owned()))
        } else {
            Err("must be an email address, like name@example.com")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

text_value!(Email, |schema| schema.format(Some(
    utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Email)
)));

/// A website: an absolute http(s) URL. A bare domain gets `https://`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Website(url::Url);

impl Website {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let input = input.trim();
        if input.len() > 500 || input.chars().any(char::is_whitespace) {
            return Err("must be a website address, like https://example.com");
        }
        let candidate = if input.contains("://") {
            input.to_owned()
        } else {
            format!("https://{input}")
        };
        match url::Url::parse(&candidate) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| h.contains('.')) => {
                Ok(Self(url))
            }
            _ => Err("must be a website address, like https://example.com"),
        }
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

text_value!(Website, |schema| schema.format(Some(
    utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Uri)
)));

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn dates_of_birth_are_real_past_adult_dates() {
        assert_eq!(
            parse_date_of_birth("1980-07-31", today()).unwrap(),
            NaiveDate::from_ymd_opt(1980, 7, 31).unwrap()
        );
        assert!(parse_date_of_birth("2008-11-26", today()).is_ok(), "18 today");
        assert!(parse_date_of_birth("2008-11-27", today()).is_err(), "18 tomorrow");
        for bad in [
            "1990-02-30",
            "1990-13-01",
            "31/07/1980",
            "1980-7-31",
            "2030-01-01",
            "1899-12-31",
            "",
            "tomorrow",
        ] {
            assert!(parse_date_of_birth(bad, today()).is_err(), "{bad}");
        }
        // A leap-day birthday.
        assert!(parse_date_of_birth("2008-02-29", today()).is_ok());
        assert!(parse_date_of_birth("2000-02-29", today()).is_ok());
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(parse_text("  Ada  ", 10).unwrap(), "Ada");
        assert!(parse_text("   ", 10).is_err());
        assert!(parse_text("abcdefghijk", 10).is_err());
        assert!(parse_text("a\u{7}b", 10).is_err());
    }

    #[test]
    fn naics_codes_are_digits() {
        assert!(NaicsCode::parse("541511").is_ok());
        assert!(NaicsCode::parse("5").is_err());
        assert!(NaicsCode::parse("5415111").is_err());
        assert!(NaicsCode::parse("54a5").is_err());
    }

    #[test]
    fn emails_and_websites() {
        assert!(Email::parse("ada@example.com").is_ok());
        assert!(Email::parse("ada@").is_err());
        assert!(Email::parse("<script>@x").is_err());
        assert_eq!(Website::parse("example.com").unwrap().as_str(), "https://example.com/");
        assert!(Website::parse("https://example.com/about").is_ok());
        assert!(Website::parse("javascript:alert(1)").is_err());
        assert!(Website::parse("localhost").is_err());
        assert!(Website::parse("exa mple.com").is_err());
    }
}
