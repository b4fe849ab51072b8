//! Every hosted path and link, built in one place: the form pages use the
//! paths, the API hands out `session_url`.

use url::Url;

use crate::domain::ids::FormToken;

/// The form of a session, relative to this service: `/onboarding/sessions?id={token}`.
pub fn form(token: &FormToken) -> String {
    format!("/onboarding/sessions?id={}", token.expose())
}

/// The form's absolute link, the session's `session_url`.
pub fn form_url(public_url: &Url, token: &FormToken) -> String {
    format!("{}{}", public_url.as_str().trim_end_matches('/'), form(token))
}

/// The statement the customer attests to.
pub const ATTESTATION: &str = "/onboarding/attestation";

/// The attestation's absolute URL, recorded with each agreement.
pub fn attestation_url(public_url: &Url) -> String {
    format!("{}{ATTESTATION}", public_url.as_str().trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_built_on_the_public_url() {
        let token = FormToken::generate();
        let base = Url::parse("https://onboard.example.com/").unwrap();
        assert_eq!(
            form_url(&base, &token),
            format!("https://onboard.example.com/onboarding/sessions?id={}", token.expose())
        );
        let nested = Url::parse("https://example.com/onboarding-service").unwrap();
        assert_eq!(
            attestation_url(&nested),
            "https://example.com/onboarding-service/onboarding/attestation"
        );
    }
}
