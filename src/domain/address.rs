//! Postal addresses, US states and ZIP codes.

/// USPS codes of the states, DC and the territories, with their names.
pub const US_STATES: [(&str, &str); 57] = [
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AS", "American Samoa"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("GU", "Guam"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("MP", "Northern Mariana Islands"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("PR", "Puerto Rico"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UM", "U.S. Minor Outlying Islands"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VI", "U.S. Virgin Islands"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsState(&'static str);

impl UsState {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let code = input.trim().to_ascii_uppercase();
        US_STATES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, _)| Self(c))
            .ok_or("must be a two-letter US state code, like NY")
    }

    pub fn code(self) -> &'static str {
        self.0
    }
}

/// `12345` or `12345-6789`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zip(String);

impl Zip {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let zip = input.trim();
        let bytes = zip.as_bytes();
        let five = bytes.len() == 5 && bytes.iter().all(u8::is_ascii_digit);
        let nine = bytes.len() == 10
            && bytes[5] == b'-'
            && bytes[..5].iter().all(u8::is_ascii_digit)
            && bytes[6..].iter().all(u8::is_ascii_digit);
        if !(five || nine) || zip.starts_with("00000") {
            return Err("must be a ZIP code like 12345 or 12345-6789");
        }
        Ok(Self(zip.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 3166-1 alpha-2 country code (shape only: two ASCII letters).
pub fn parse_country(input: &str) -> Result<String, &'static str> {
    let code = input.trim().to_ascii_uppercase();
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err("must be a two-letter country code, like US")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_usps_codes() {
        assert_eq!(UsState::parse("ny").unwrap().code(), "NY");
        assert_eq!(UsState::parse("DC").unwrap().code(), "DC");
        assert_eq!(UsState::parse("PR").unwrap().code(), "PR");
        for bad in ["", "XX", "New York", "N", "NYC"] {
            assert!(UsState::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn zips_are_five_or_nine_digits() {
        assert!(Zip::parse("10045").is_ok());
        assert!(Zip::parse("10045-1234").is_ok());
        for bad in ["1004", "100451", "10045-123", "10045 1234", "abcde", "00000", "1004５"] {
            assert!(Zip::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn countries_are_two_letters() {
        assert_eq!(parse_country("us").unwrap(), "US");
        assert!(parse_country("USA").is_err());
        assert!(parse_country("1A").is_err());
    }
}
