//! CSRF tokens bound to the browser's cookie session.

use actix_session::Session;

use super::PageError;
use crate::domain::ids::random_alphanumeric;

const KEY: &str = "csrf_token";
pub const FIELD: &str = "csrf_token";

/// The browser session's token, created on first use.
pub fn token(session: &Session) -> Result<String, PageError> {
    if let Ok(Some(token)) = session.get::<String>(KEY) {
        return Ok(token);
    }
    let token = random_alphanumeric(32);
    session
        .insert(KEY, &token)
        .map_err(|e| PageError::internal(std::io::Error::other(e.to_string())))?;
    Ok(token)
}

/// Accepts the submission only if it carries this browser session's token.
pub fn verify(session: &Session, submitted: Option<&str>) -> Result<(), PageError> {
    let expected = session
        .get::<String>(KEY)
        .ok()
        .flatten()
        .ok_or(PageError::Forbidden { reload: None })?;
    let submitted = submitted.ok_or(PageError::Forbidden { reload: None })?;
    if constant_time_eq(expected.as_bytes(), submitted.as_bytes()) {
        Ok(())
    } else {
        Err(PageError::Forbidden { reload: None })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn comparison_is_exact() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
