//! CSRF tokens bound to the session whose form they are in.
//!
//! A token is an HMAC of the session's ID under a key derived from the
//! cookie key, so it needs no cookie: the form works inside a platform's
//! frame (where browsers may withhold or partition cookies) and when its
//! last page breaks out of that frame. A forged submission would need the
//! form link's secret token in its URL anyway; the HMAC makes sure a form
//! posted to one session's link was served for that session, by a server
//! that holds the key (every instance shares it).

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::PageError;
use crate::domain::ids::SessionId;

pub const FIELD: &str = "csrf_token";

/// The key of the tokens, derived from the cookie key so that there is one
/// secret less to configure.
#[derive(Clone)]
pub struct CsrfKey([u8; 32]);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey(<redacted>)")
    }
}

impl CsrfKey {
    pub fn derive(cookie_key: &[u8]) -> Self {
        let mut derived = [0u8; 32];
        derived.copy_from_slice(&mac(cookie_key, b"hosted-onboarding csrf v1").finalize().into_bytes());
        Self(derived)
    }

    /// The token of the forms of `session`.
    pub fn token(&self, session: &SessionId) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(mac(&self.0, session.as_str().as_bytes()).finalize().into_bytes())
    }

    /// Accepts the submission only if it carries `session`'s token.
    pub fn verify(&self, session: &SessionId, submitted: Option<&str>) -> Result<(), PageError> {
        let submitted = submitted
            .and_then(|token| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).ok())
            .ok_or(PageError::Forbidden { reload: None })?;
        // `verify_slice` compares in constant time.
        mac(&self.0, session.as_str().as_bytes())
            .verify_slice(&submitted)
            .map_err(|_| PageError::Forbidden { reload: None })
    }
}

fn mac(key: &[u8], message: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_only_its_own_session_under_its_own_key() {
        let key = CsrfKey::derive(&[7; 64]);
        let (a, b) = (SessionId::generate(), SessionId::generate());
        let token = key.token(&a);
        assert!(key.verify(&a, Some(&token)).is_ok());
        assert!(key.verify(&b, Some(&token)).is_err(), "another session's form");
        assert!(
            CsrfKey::derive(&[8; 64]).verify(&a, Some(&token)).is_err(),
            "another key"
        );
        assert!(key.verify(&a, None).is_err());
        assert!(key.verify(&a, Some("")).is_err());
        assert!(key.verify(&a, Some(&token[..token.len() - 1])).is_err());
        assert!(key.verify(&a, Some("not base64 at all!")).is_err());
        assert_eq!(token, CsrfKey::derive(&[7; 64]).token(&a), "every instance agrees");
    }
}
