//! Timestamps on the wire: RFC 3339 in UTC, whole seconds, `Z` suffix.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

/// RFC 3339 in UTC with a `Z` suffix and whole seconds, as Increase does.
pub fn format_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `serialize_with` helper for timestamps on the wire.
pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_timestamp(*at))
}

/// `serialize_with` helper for optional timestamps on the wire (`null` when absent).
pub fn serialize_option<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serializer.serialize_str(&format_timestamp(*at)),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc_with_z() {
        let at = DateTime::from_timestamp_micros(1_769_903_999_123_456).unwrap();
        assert_eq!(format_timestamp(at), "2026-01-31T23:59:59Z");
    }
}
