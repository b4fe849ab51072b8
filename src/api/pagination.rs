//! List parameters (`cursor`, `limit`, filters) and the list envelope.

use serde::Serialize;

use super::error::{ApiError, FieldError};
use crate::store::{Cursor, Page, Window};

pub const MAX_LIMIT: u32 = 100;

/// The decoded query string of a list request.
#[derive(Debug, Default)]
pub struct ListQuery {
    pairs: Vec<(String, String)>,
}

impl ListQuery {
    /// Percent-decodes the query (so `status.in=active%2Cexpired` works).
    /// A parameter with a control character in its name or value is refused
    /// here, before any parser or query sees it.
    pub fn parse(query_string: &str) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query_string.as_bytes())
            .into_owned()
            .collect();
        let mut problems = Problems::default();
        for (name, value) in &pairs {
            let field = name.escape_debug().to_string();
            if !problems.0.iter().any(|problem| problem.field == field) {
                problems.take(
                    super::request::refuse_control_characters(&field, name)
                        .and_then(|()| super::request::refuse_control_characters(&field, value)),
                );
            }
        }
        problems.finish(Some(Self { pairs }))
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
    pub fn list<T: std::str::FromStr>(&self, name: &str, allowed: &str) -> Result<Option<Vec<T>>, FieldError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        raw.split(',')
            .map(str::trim)
            .map(|item| {
                item.parse()
                    .map_err(|_| FieldError::new(name, format!("{item:?} is not one of {allowed}")))
            })
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
    }

    /// A single value parsed by `parse`, or an error naming the parameter.
    pub fn value<T, E: std::fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, FieldError> {
        self.get(name)
            .map(|raw| parse(raw).map_err(|message| FieldError::new(name, message.to_string())))
            .transpose()
    }

    pub fn window(&self) -> Result<Window, Vec<FieldError>> {
        self.window_up_to(MAX_LIMIT)
    }

    /// `cursor` and `limit` for a list whose pages hold up to `max`
    /// objects (100 unless asked for).
    pub fn window_up_to(&self, max: u32) -> Result<Window, Vec<FieldError>> {
        let mut errors = Vec::new();
        let limit = match self.get("limit") {
            None => MAX_LIMIT.min(max),
            Some(raw) => match raw
                .parse::<serde_json::Number>()
                .ok()
                .as_ref()
                .and_then(super::request::whole_number)
                .and_then(|limit| u32::try_from(limit).ok())
            {
                Some(limit) if (1..=max).contains(&limit) => limit,
                _ => {
                    errors.push(FieldError::new(
                        "limit",
                        format!("must be a whole number from 1 to {max}"),
                    ));
                    MAX_LIMIT.min(max)
                }
            },
        };
        let after = match self.get("cursor") {
            None | Some("") => None,
            Some(raw) => {
                let cursor = Cursor::decode(raw);
                if cursor.is_none() {
                    errors.push(FieldError::new("cursor", "is not a cursor returned by this API"));
                }
                cursor
            }
        };
        if errors.is_empty() {
            Ok(Window { after, limit })
        } else {
            Err(errors)
        }
    }
}

/// Collects the problems of several parameters, so one answer names them all.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|error| self.0.push(error)).ok()
    }

    pub fn take_all<T>(&mut self, result: Result<T, Vec<FieldError>>) -> Option<T> {
        result.map_err(|mut errors| self.0.append(&mut errors)).ok()
    }

    /// The parsed value when every parameter was good, else all the problems.
    pub fn finish<T>(self, parsed: Option<T>) -> Result<T, ApiError> {
        match parsed {
            Some(parsed) if self.0.is_empty() => Ok(parsed),
            _ => Err(ApiError::InvalidParameters(self.0)),
        }
    }
}

/// `{"data": [...], "next_cursor": ...}`
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListResponse<T> {
    pub data: Vec<T>,
    /// Pass as `cursor` (with the same filters) for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> ListResponse<T> {
    pub fn new<'a, U>(page: &'a Page<U>, to_item: impl FnMut(&'a U) -> T) -> Self {
        Self {
            data: page.items.iter().map(to_item).collect(),
            next_cursor: page.next.map(Cursor::encode),
        }
    }
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
    fn limits_are_bounded() {
        assert_eq!(ListQuery::parse("").unwrap().window().unwrap().limit, 100);
        assert_eq!(ListQuery::parse("limit=7").unwrap().window().unwrap().limit, 7);
        assert_eq!(
            ListQuery::parse("limit=7.0").unwrap().window().unwrap().limit,
            7,
            "a JSON Schema integer"
        );
        for bad in [
            "limit=0",
            "limit=101",
            "limit=abc",
            "limit=-1",
            "limit=7.5",
            "limit=1e400",
            "cursor=zzz",
        ] {
            assert!(ListQuery::parse(bad).unwrap().window().is_err(), "{bad}");
        }
    }

    #[test]
    fn list_filters_are_percent_decoded_and_checked() {
        use crate::domain::session::SessionStatus;
        let query = ListQuery::parse("status.in=active%2Cexpired").unwrap();
        let parsed = query.list::<SessionStatus>("status.in", "active, expired");
        assert_eq!(
            parsed.unwrap(),
            Some(vec![SessionStatus::Active, SessionStatus::Expired])
        );
        let bad = ListQuery::parse("status.in=active,bogus")
            .unwrap()
            .list::<SessionStatus>("status.in", "active");
        assert_eq!(bad.unwrap_err().field, "status.in");
    }

    #[test]
    fn control_characters_in_any_parameter_are_refused_by_name() {
        for (query, field) in [
            ("idempotency_key=a%00b", "idempotency_key"),
            ("limit=1&status.in=active%09", "status.in"),
            ("cursor=%7F", "cursor"),
            ("unknown=%C2%85", "unknown"),
            ("na%00me=x", "na\\0me"),
        ] {
            let Err(ApiError::InvalidParameters(errors)) = ListQuery::parse(query) else {
                panic!("{query} is refused");
            };
            assert_eq!(
                errors,
                vec![FieldError::new(field, "must not contain control characters")],
                "{query}"
            );
        }
        let Err(ApiError::InvalidParameters(errors)) = ListQuery::parse("a=%00&a=%01&b=%0A") else {
            panic!("refused");
        };
        assert_eq!(errors.len(), 2, "each parameter named once");
        assert!(ListQuery::parse("idempotency_key=stainless-python-retry-1&status.in=active%2Cexpired").is_ok());
    }
}
