//! List parameters (`cursor`, `limit`, filters) and the list envelope.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::Serialize;

use super::error::{ApiError, FieldError};

pub const MAX_LIMIT: i64 = 100;

/// The decoded query string of a list request.
#[derive(Debug, Default)]
pub struct ListQuery {
    pairs: Vec<(String, String)>,
}

impl ListQuery {
    /// Percent-decodes the query (so `status.in=active%2Cexpired` works).
    pub fn parse(query_string: &str) -> Self {
        Self {
            pairs: url::form_urlencoded::parse(query_string.as_bytes())
                .into_owned()
                .collect(),
        }
    }

    /// The last value given for `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// A comma-separated list filter such as `status.in=active,expired`.
    pub fn list<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
        allowed: &str,
    ) -> Result<Option<Vec<T>>, FieldError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for item in raw.split(',').map(str::trim) {
            match parse(item) {
                Some(value) => out.push(value),
                None => {
                    return Err(FieldError::new(name, format!("{item:?} is not one of {allowed}")));
                }
            }
        }
        Ok(Some(out))
    }

    pub fn page(&self) -> Result<PageRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let limit = match self.get("limit") {
            None => MAX_LIMIT,
            Some(raw) => match raw.parse::<i64>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
                _ => {
                    errors.push(FieldError::new("limit", "must be a whole number from 1 to 100"));
                    MAX_LIMIT
                }
            },
        };
        let before_seq = match self.get("cursor") {
            None | Some("") => None,
            Some(raw) => match decode_cursor(raw) {
                Some(seq) => Some(seq),
                None => {
                    errors.push(FieldError::new("cursor", "is not a cursor returned by this API"));
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(PageRequest { limit, before_seq })
        } else {
            Err(errors)
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: i64,
    pub before_seq: Option<i64>,
}

impl PageRequest {
    /// One more row than the page holds, to know whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }
}

/// `{"data": [...], "next_cursor": ...}`
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows ordered newest first.
    pub fn from_rows<R>(
        mut rows: Vec<R>,
        page: PageRequest,
        seq: impl Fn(&R) -> i64,
        to_item: impl Fn(&R) -> T,
    ) -> Self {
        let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|row| encode_cursor(seq(row)))
        } else {
            None
        };
        Self {
            data: rows.iter().map(to_item).collect(),
            next_cursor,
        }
    }
}

fn encode_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{seq}"))
}

fn decode_cursor(cursor: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("v1:")?.parse::<i64>().ok().filter(|seq| *seq > 0)
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        ApiError::InvalidParameters(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        assert_eq!(decode_cursor("not-a-cursor"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("v1:-5")), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("v2:5")), None);
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(ListQuery::parse("").page().unwrap().limit, 100);
        assert_eq!(ListQuery::parse("limit=7").page().unwrap().limit, 7);
        for bad in ["limit=0", "limit=101", "limit=abc", "limit=-1", "cursor=zzz"] {
            assert!(ListQuery::parse(bad).page().is_err(), "{bad}");
        }
    }

    #[test]
    fn list_filters_are_percent_decoded_and_checked() {
        let query = ListQuery::parse("status.in=active%2Cexpired");
        let parsed = query.list(
            "status.in",
            |s| (s == "active" || s == "expired").then(|| s.to_owned()),
            "active, expired",
        );
        assert_eq!(parsed.unwrap(), Some(vec!["active".to_owned(), "expired".to_owned()]));
        let bad =
            ListQuery::parse("status.in=active,bogus").list("status.in", |s| (s == "active").then_some(()), "active");
        assert_eq!(bad.unwrap_err().field, "status.in");
    }

    #[test]
    fn pages_know_when_more_follow() {
        let page = PageRequest {
            limit: 2,
            before_seq: None,
        };
        let full: Page<i64> = Page::from_rows(vec![9, 8, 7], page, |r| *r, |r| *r);
        assert_eq!(full.data, vec![9, 8]);
        assert_eq!(full.next_cursor.as_deref().and_then(decode_cursor), Some(8));
        let last: Page<i64> = Page::from_rows(vec![9, 8], page, |r| *r, |r| *r);
        assert_eq!(last.next_cursor, None);
    }
}
