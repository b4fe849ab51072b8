//! The hosted pages' paths, spelled once: the routes are registered from
//! these constants and the pages and the recorded terms URL are built with
//! these functions.

/// Where the hosted form lives; the form's cookie is scoped to it.
pub const SCOPE: &str = "/onboarding";
/// The form, relative to [`SCOPE`].
pub(super) const FORM_ROUTE: &str = "/sessions";
/// The attestation statement, relative to [`SCOPE`].
pub(super) const ATTESTATION_ROUTE: &str = "/attestation";
pub const STYLESHEET: &str = "/static/style.css";
pub const FAVICON: &str = "/static/favicon.svg";
/// Where browsers look for an icon on their own.
pub const FAVICON_ICO: &str = "/favicon.ico";

/// The form without its token: the target of the first page's `GET` form,
/// which sends the token as a hidden `id` input.
pub fn form_action() -> String {
    format!("{SCOPE}{FORM_ROUTE}")
}

/// The form of the session whose secret token is `token`.
pub fn form(token: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("id", token)
        .finish();
    format!("{}?{query}", form_action())
}

/// The statement the customer attests to.
pub fn attestation() -> String {
    format!("{SCOPE}{ATTESTATION_ROUTE}")
}

/// `path` under the service's public URL, for links that leave the page
/// (the terms URL recorded with an agreement).
pub fn absolute(public_url: &str, path: &str) -> String {
    format!("{}{path}", public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosted_paths_are_spelled_once() {
        assert_eq!(form_action(), "/onboarding/sessions");
        assert_eq!(form("abc123"), "/onboarding/sessions?id=abc123");
        assert_eq!(attestation(), "/onboarding/attestation");
        assert_eq!(
            absolute("https://onboard.example.com/", &attestation()),
            "https://onboard.example.com/onboarding/attestation"
        );
    }

    #[test]
    fn tokens_are_escaped_in_the_query() {
        assert_eq!(form("a b&c"), "/onboarding/sessions?id=a+b%26c");
    }
}
