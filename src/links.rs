//! Every hosted path and link, spelled once: the routes are registered from
//! these constants, the pages link with these functions, and the API hands
//! out `session_url` built here.

use url::Url;

use crate::domain::ids::FormToken;

/// Where the hosted form lives; the form's cookie is scoped to it.
pub const SCOPE: &str = "/onboarding";
/// The form, relative to [`SCOPE`].
pub const FORM_ROUTE: &str = "/sessions";
/// The attestation statement, relative to [`SCOPE`].
pub const ATTESTATION_ROUTE: &str = "/attestation";
pub const STYLESHEET: &str = "/static/style.css";
pub const FAVICON: &str = "/static/favicon.svg";
/// A program's logo, by its file name (`<sha256>.<ext>`).
pub const LOGO_ROUTE: &str = "/static/logos/{file_name}";
/// Where browsers look for an icon on their own.
pub const FAVICON_ICO: &str = "/favicon.ico";

/// Whether `path` is one of the browser-facing pages (the form and its
/// assets), which answer errors with HTML rather than the JSON envelope.
pub fn is_hosted_page(path: &str) -> bool {
    path.starts_with(SCOPE) || path.starts_with("/static")
}

/// The form without its token: the target of the first page's `GET` form,
/// which sends the token as a hidden `id` input.
pub fn form_action() -> String {
    format!("{SCOPE}{FORM_ROUTE}")
}

/// The form of the session whose secret token is `token`.
pub fn form(token: &FormToken) -> String {
    // A token is letters and digits only: nothing in it to encode.
    format!("{SCOPE}{FORM_ROUTE}?id={}", token.expose())
}

/// One page of the form's journey (`step`, as `web::journey::Step::name`
/// spells it); `to_check` when the customer came from the check of their
/// answers and goes back there after saving.
pub fn form_step(token: &FormToken, step: &str, to_check: bool) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("id", token.expose()).append_pair("step", step);
    if to_check {
        query.append_pair("return", "check");
    }
    format!("{}?{}", form_action(), query.finish())
}

/// Where a program's logo is served.
pub fn logo(logo: &crate::domain::branding::LogoRef) -> String {
    format!("/static/logos/{}", logo.file_name())
}

/// The statement the customer attests to.
pub fn attestation() -> String {
    format!("{SCOPE}{ATTESTATION_ROUTE}")
}

/// `path` under the service's public URL, for links that leave the page.
pub fn absolute(public_url: &Url, path: &str) -> String {
    format!("{}{path}", public_url.as_str().trim_end_matches('/'))
}

/// The form's absolute link: a session's `session_url`.
pub fn form_url(public_url: &Url, token: &FormToken) -> String {
    // Written in one go (a list of 100 builds 100 of them).
    format!(
        "{}{SCOPE}{FORM_ROUTE}?id={}",
        public_url.as_str().trim_end_matches('/'),
        token.expose()
    )
}

/// The attestation's absolute URL, recorded with each agreement.
pub fn attestation_url(public_url: &Url) -> String {
    absolute(public_url, &attestation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosted_paths_are_spelled_once() {
        assert_eq!(form_action(), "/onboarding/sessions");
        assert_eq!(attestation(), "/onboarding/attestation");
        let token = FormToken::generate();
        assert_eq!(form(&token), format!("/onboarding/sessions?id={}", token.expose()));
        for base in [
            "https://onboard.example.com",
            "https://onboard.example.com/",
            "https://example.com/kyc/",
        ] {
            let public_url = Url::parse(base).unwrap();
            assert_eq!(
                form_url(&public_url, &token),
                absolute(&public_url, &form(&token)),
                "{base}"
            );
        }
        assert_eq!(
            form_step(&token, "owner-2-id", true),
            format!(
                "/onboarding/sessions?id={}&step=owner-2-id&return=check",
                token.expose()
            )
        );
    }

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
