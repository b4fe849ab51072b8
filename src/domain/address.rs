//! Postal addresses, US states and ZIP codes.

use serde::{Deserialize, Serialize};

use super::closed_set::text_value;

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

    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

text_value!(UsState, |schema| schema
    .description(Some("A USPS state, district or territory code."))
    .enum_values(Some(US_STATES.iter().map(|(code, _)| *code))));

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

text_value!(Zip, |schema| schema.pattern(Some("^[0-9]{5}(-[0-9]{4})?$")));

/// An ISO 3166-1 alpha-2 country code (shape only: two ASCII letters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country(String);

impl Country {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let code = input.trim().to_ascii_uppercase();
        if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(code))
        } else {
            Err("must be a two-letter country code, like US")
        }
    }

    pub fn us() -> Self {
        Self("US".to_owned())
    }

    pub fn is_us(&self) -> bool {
        self.0 == "US"
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

text_value!(Country, |schema| schema
    .description(Some("An ISO 3166-1 alpha-2 country code."))
    .pattern(Some("^[A-Z]{2}$")));

/// The state part of an address: a USPS code in the US, free text elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Region {
    Us(UsState),
    Foreign(String),
}

/// The postal code of an address: a ZIP code in the US, free text elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostalCode {
    Us(Zip),
    Foreign(String),
}

impl Region {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Us(state) => state.as_str(),
            Self::Foreign(text) => text,
        }
    }
}

impl PostalCode {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Us(zip) => zip.as_str(),
            Self::Foreign(text) => text,
        }
    }
}

/// In the OpenAPI document: a string (a USPS code in the US, free text elsewhere).
impl utoipa::PartialSchema for Region {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "The state: a two-letter USPS code for a US address, free text elsewhere.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Region {}

/// In the OpenAPI document: a string (a ZIP code in the US, free text elsewhere).
impl utoipa::PartialSchema for PostalCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "The postal code: a ZIP code for a US address, free text elsewhere.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for PostalCode {}

impl Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Serialize for PostalCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A postal address. In the US its state and ZIP code are checked values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "StoredAddress")]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub state: Option<Region>,
    pub zip: Option<PostalCode>,
    pub country: Country,
}

impl Address {
    /// Lacks the parts a complete address needs (city; in the US, state and ZIP).
    pub fn is_incomplete(&self) -> bool {
        self.city.is_none() || (self.country.is_us() && (self.state.is_none() || self.zip.is_none()))
    }
}

/// An address as written down, before its parts are checked against its country.
#[derive(Deserialize)]
struct StoredAddress {
    line1: String,
    line2: Option<String>,
    city: Option<String>,
    state: Option<String>,
    zip: Option<String>,
    country: Country,
}

impl TryFrom<StoredAddress> for Address {
    type Error = &'static str;

    fn try_from(stored: StoredAddress) -> Result<Self, &'static str> {
        let us = stored.country.is_us();
        let state = match stored.state {
            Some(state) if us => Some(Region::Us(UsState::parse(&state)?)),
            other => other.map(Region::Foreign),
        };
        let zip = match stored.zip {
            Some(zip) if us => Some(PostalCode::Us(Zip::parse(&zip)?)),
            other => other.map(PostalCode::Foreign),
        };
        Ok(Self {
            line1: stored.line1,
            line2: stored.line2,
            city: stored.city,
            state,
            zip,
            country: stored.country,
        })
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
        assert_eq!(Country::parse("us").unwrap(), Country::us());
        assert!(Country::parse("USA").is_err());
        assert!(Country::parse("1A").is_err());
    }

    #[test]
    fn stored_addresses_are_checked_against_their_country() {
        let us = r#"{"line1":"1 Main St","line2":null,"city":"Dover","state":"DE","zip":"19901","country":"US"}"#;
        let address: Address = serde_json::from_str(us).unwrap();
        assert_eq!(address.state, Some(Region::Us(UsState::parse("DE").unwrap())));
        assert_eq!(serde_json::to_string(&address).unwrap(), us);
        let bad = us.replace("\"DE\"", "\"Delaware\"");
        assert!(serde_json::from_str::<Address>(&bad).is_err());
        let abroad =
            r#"{"line1":"1 Rue","line2":null,"city":"Paris","state":"Ile-de-France","zip":"75001","country":"FR"}"#;
        let address: Address = serde_json::from_str(abroad).unwrap();
        assert_eq!(address.zip, Some(PostalCode::Foreign("75001".to_owned())));
        assert!(!address.is_incomplete());
    }
}
