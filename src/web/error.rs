//! Error pages: the same classification as the API, rendered as HTML.

use actix_web::{
    HttpResponse, ResponseError,
    http::{
        StatusCode,
        header::{HeaderValue, RETRY_AFTER},
    },
};
use askama::Template;

use super::i18n::{PageLanguage, Translator};
use crate::{
    store::StoreError,
    telemetry::error_chain,
    usecases::{self, NotAllowed},
};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Translator,
    heading: String,
    message: String,
    hint: Option<String>,
    /// The program whose form this is, when known.
    program_name: Option<&'a str>,
    /// The one thing to do next, when there is one.
    action: Option<Action>,
}

/// A button-styled link on an error page.
struct Action {
    href: String,
    label: String,
    testid: &'static str,
    /// Whether it leaves the form for the platform (in a frame, the whole
    /// window goes when the program asks for it).
    leaves: bool,
}

/// What the page of a link that can no longer be used knows: whose it is,
/// and the way back to the platform.
#[derive(Debug)]
pub struct Ended {
    pub program_name: String,
    /// `redirect_url` with `entity_onboarding_session_id` and no `entity_id`.
    pub return_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("page not found")]
    NotFound,
    /// The onboarding link has expired or was already used.
    #[error("link no longer valid")]
    Gone(Option<Box<Ended>>),
    /// The link expired while the customer had a page of it open: what
    /// they sent was not saved.
    #[error("link expired while open")]
    ExpiredWhileOpen(Box<Ended>),
    /// A form without this browser session's CSRF token; `reload` is the
    /// page to load again.
    #[error("CSRF token missing or wrong")]
    Forbidden { reload: Option<String> },
    /// The session's Entity was archived after the session was made.
    #[error("entity no longer active")]
    EntityNotActive,
    /// What the form was based on changed while it was being filled in;
    /// `reload` is where the customer checks it again.
    #[error("changed meanwhile")]
    Changed { reload: Option<String> },
    #[error("form too large")]
    TooLarge,
    #[error("malformed form")]
    BadRequest,
    /// The link's query string holds control characters.
    #[error("damaged link")]
    DamagedLink,
    /// The form's body did not arrive within the request timeout.
    #[error("form arrived too slowly")]
    TooSlow,
    /// Over the hosted pages' rate limit; retry after this many seconds.
    #[error("rate limited")]
    RateLimited { retry_after: u64 },
    #[error("service unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// An error page in the language the request asks for.
    #[error("{0}")]
    InLanguage(Box<PageError>, Box<PageLanguage>),
}

impl PageError {
    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }

    /// The page offers to load `url` again (a refused or outdated form).
    pub fn reload(self, url: String) -> Self {
        match self {
            Self::Forbidden { .. } => Self::Forbidden { reload: Some(url) },
            Self::Changed { .. } => Self::Changed { reload: Some(url) },
            Self::InLanguage(error, language) => Self::InLanguage(Box::new(error.reload(url)), language),
            other => other,
        }
    }

    /// The page speaks the language `language` decides (the innermost
    /// language given wins: it knew most).
    pub fn in_language(self, language: PageLanguage) -> Self {
        match self {
            Self::InLanguage(..) => self,
            other => Self::InLanguage(Box::new(other), Box::new(language)),
        }
    }
}

impl From<usecases::Error> for PageError {
    fn from(error: usecases::Error) -> Self {
        match error {
            usecases::Error::NotFound => Self::NotFound,
            // The form checks its input itself; a use case refusing it means
            // the page was not one this service rendered.
            usecases::Error::Invalid(_) => Self::BadRequest,
            usecases::Error::NotAllowed(
                NotAllowed::SessionNotActive | NotAllowed::FormDoesNotMatchSession | NotAllowed::SubscriptionDeleted,
            ) => Self::Gone(None),
            usecases::Error::NotAllowed(NotAllowed::EntityChanged) => Self::Changed { reload: None },
            usecases::Error::NotAllowed(NotAllowed::EntityNotActive) => Self::EntityNotActive,
            usecases::Error::Unavailable(cause) => Self::Unavailable(Box::new(cause)),
            usecases::Error::Internal(cause) => Self::internal(cause),
        }
    }
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        usecases::Error::from(error).into()
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Gone(_) | Self::ExpiredWhileOpen(_) | Self::EntityNotActive => StatusCode::GONE,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::Changed { .. } => StatusCode::CONFLICT,
            Self::InLanguage(error, _) => error.status_code(),
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest | Self::DamagedLink => StatusCode::BAD_REQUEST,
            Self::TooSlow => StatusCode::REQUEST_TIMEOUT,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.page_response(None)
    }
}

impl PageError {
    fn page_response(&self, language: Option<&PageLanguage>) -> HttpResponse {
        let t = language.map(PageLanguage::translator).unwrap_or_default();
        // The program whose form this is, when the page knows it (by its brand).
        let brand_name = t.brand().name.clone();
        let program = brand_name.as_deref();
        // The error page's texts: `{id}-heading`, `{id}-message` and, if
        // `hint`, `{id}-hint`.
        let plain = |id: &str, hint: bool| ErrorPage {
            heading: t.get_dyn(&format!("{id}-heading")),
            message: t.get_dyn(&format!("{id}-message")),
            hint: hint.then(|| t.get_dyn(&format!("{id}-hint"))),
            program_name: program,
            action: None,
            t: t.clone(),
        };
        let page = match self {
            Self::InLanguage(error, inner) => return error.page_response(Some(language.unwrap_or(inner))),
            Self::NotFound => plain("error-not-found", true),
            Self::Gone(None) => plain("error-gone", true),
            Self::Gone(Some(ended)) => ErrorPage {
                program_name: Some(&ended.program_name),
                action: Some(return_to(&t, ended)),
                hint: Some(t.arg("error-gone-return-hint", "program", &ended.program_name)),
                ..plain("error-gone", false)
            },
            Self::ExpiredWhileOpen(ended) => ErrorPage {
                program_name: Some(&ended.program_name),
                action: Some(return_to(&t, ended)),
                hint: Some(t.arg("error-expired-while-open-hint", "program", &ended.program_name)),
                ..plain("error-expired-while-open", false)
            },
            Self::EntityNotActive => plain("error-entity-not-active", true),
            Self::Forbidden { reload } => ErrorPage {
                action: reload.as_ref().map(|href| Action {
                    href: href.clone(),
                    label: t.get("error-forbidden-action"),
                    testid: "reload",
                    leaves: false,
                }),
                ..plain("error-forbidden", true)
            },
            Self::Changed { reload } => ErrorPage {
                action: reload.as_ref().map(|href| Action {
                    href: href.clone(),
                    label: t.get("error-changed-action"),
                    testid: "reload",
                    leaves: false,
                }),
                ..plain("error-changed", true)
            },
            Self::TooLarge => plain("error-too-large", false),
            Self::BadRequest => plain("error-bad-request", true),
            Self::DamagedLink => plain("error-damaged-link", true),
            Self::TooSlow => plain("error-too-slow", true),
            Self::RateLimited { retry_after } => ErrorPage {
                hint: Some(t.arg("error-rate-limited-hint", "wait", seconds_in_words(&t, *retry_after))),
                ..plain("error-rate-limited", false)
            },
            Self::Unavailable(cause) => {
                tracing::warn!(error = %error_chain(cause.as_ref()), "database unavailable");
                plain("error-unavailable", false)
            }
            Self::Internal(cause) => {
                tracing::error!(error = %error_chain(cause.as_ref()), "page failed");
                plain("error-internal", false)
            }
        };
        let retry_after = match self {
            Self::RateLimited { retry_after } => Some(retry_after.to_string()),
            _ => None,
        };
        match page.render() {
            Ok(body) => {
                let mut response = super::html(self.status_code(), body, t.brand());
                if let Some(seconds) = retry_after
                    && let Ok(value) = HeaderValue::from_str(&seconds)
                {
                    response.headers_mut().insert(RETRY_AFTER, value);
                }
                response
            }
            Err(error) => {
                tracing::error!(%error, "error page failed to render");
                HttpResponse::build(self.status_code())
                    .content_type("text/plain; charset=utf-8")
                    .body(page.heading.clone())
            }
        }
    }
}

/// The button back to the platform of a link that can no longer be used.
fn return_to(t: &Translator, ended: &Ended) -> Action {
    Action {
        href: ended.return_url.clone(),
        label: t.arg("button-return-to", "program", &ended.program_name),
        testid: "return-to-platform",
        leaves: true,
    }
}

/// "a second", "40 seconds", "3 minutes": how long a customer should wait.
fn seconds_in_words(t: &Translator, seconds: u64) -> String {
    match seconds {
        0 | 1 => t.get("wait-a-second"),
        2..=90 => t.count("wait-seconds", "count", usize::try_from(seconds).unwrap_or(90)),
        _ => t.count(
            "wait-minutes",
            "count",
            usize::try_from(seconds.div_ceil(60)).unwrap_or(usize::MAX),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::seconds_in_words;
    use crate::{domain::locale::Locale, web::i18n::Translator};

    #[test]
    fn waits_read_as_words() {
        let t = Translator::new(Locale::En);
        assert_eq!(seconds_in_words(&t, 1), "a second");
        assert_eq!(seconds_in_words(&t, 40), "40 seconds");
        assert_eq!(seconds_in_words(&t, 150), "3 minutes");
        let t = Translator::new(Locale::Es);
        assert_eq!(seconds_in_words(&t, 1), "un segundo");
        assert_eq!(seconds_in_words(&t, 40), "40 segundos");
        assert_eq!(seconds_in_words(&t, 150), "3 minutos");
    }
}
