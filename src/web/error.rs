//! Error pages: the same classification as the API, rendered as HTML.

use actix_web::{
    HttpResponse, ResponseError,
    http::{
        StatusCode,
        header::{HeaderValue, RETRY_AFTER},
    },
};
use askama::Template;

use crate::{
    store::StoreError,
    telemetry::error_chain,
    usecases::{self, NotAllowed},
};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    heading: &'a str,
    message: &'a str,
    hint: Option<&'a str>,
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
    /// An error on a page of the named program's form.
    #[error("{0}")]
    InProgram(Box<PageError>, String),
}

impl PageError {
    pub fn from_form_error(error: &actix_web::error::UrlencodedError) -> Self {
        match error {
            actix_web::error::UrlencodedError::Overflow { .. } => Self::TooLarge,
            _ => Self::BadRequest,
        }
    }

    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }

    /// The page offers to load `url` again (a refused or outdated form).
    pub fn reload(self, url: String) -> Self {
        match self {
            Self::Forbidden { .. } => Self::Forbidden { reload: Some(url) },
            Self::Changed { .. } => Self::Changed { reload: Some(url) },
            Self::InProgram(error, program) => Self::InProgram(Box::new(error.reload(url)), program),
            other => other,
        }
    }

    /// The page names the program whose form it interrupted.
    pub fn in_program(self, program_name: &str) -> Self {
        match self {
            Self::InProgram(..) => self,
            other => Self::InProgram(Box::new(other), program_name.to_owned()),
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
            Self::InProgram(error, _) => error.status_code(),
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
    fn page_response(&self, program: Option<&str>) -> HttpResponse {
        let owned_hint;
        let plain = |heading, message, hint| ErrorPage {
            heading,
            message,
            hint,
            program_name: program,
            action: None,
        };
        let page = match self {
            Self::InProgram(error, name) => return error.page_response(Some(name)),
            Self::NotFound => plain(
                "We couldn't find this page",
                "This onboarding link is not valid. Check that you copied the whole link.",
                Some("If it still doesn't work, ask the company that sent you the link for a new one."),
            ),
            Self::Gone(None) => plain(
                "This link is no longer valid",
                "This onboarding link has expired or has already been used.",
                Some(
                    "Please ask the company that sent it to you for a new link. If you already finished, there is nothing more to do.",
                ),
            ),
            Self::Gone(Some(ended)) => {
                owned_hint = format!(
                    "If you haven't finished, go back to {} to get a new link. If you already finished, there is nothing more to do.",
                    ended.program_name
                );
                ErrorPage {
                    program_name: Some(&ended.program_name),
                    action: Some(return_to(ended)),
                    ..plain(
                        "This link is no longer valid",
                        "This onboarding link has expired or has already been used.",
                        Some(&owned_hint),
                    )
                }
            }
            Self::ExpiredWhileOpen(ended) => {
                owned_hint = format!(
                    "Go back to {} to get a new link, then open it to continue.",
                    ended.program_name
                );
                ErrorPage {
                    program_name: Some(&ended.program_name),
                    action: Some(return_to(ended)),
                    ..plain(
                        "Your link expired while you were filling in the form",
                        "Links to this form work for a limited time to keep your information safe. The time ran out before this page was sent, so what you entered on it was not saved.",
                        Some(&owned_hint),
                    )
                }
            }
            Self::EntityNotActive => plain(
                "This onboarding can no longer be completed",
                "The account this link was made for has been closed, so nothing can be changed through this link. Nothing you entered was saved.",
                Some("If you think this is a mistake, contact the company that sent you the link."),
            ),
            Self::Forbidden { reload } => ErrorPage {
                action: reload.as_ref().map(|href| Action {
                    href: href.clone(),
                    label: "Reload the form".to_owned(),
                    testid: "reload",
                }),
                ..plain(
                    "Please reload the page and try again",
                    "For your security we couldn't accept this form: it was opened in another browser window, or too long ago. Nothing was saved.",
                    Some("Reload the form, then send the page again. The answers you saved before are kept."),
                )
            },
            Self::Changed { reload } => ErrorPage {
                action: reload.as_ref().map(|href| Action {
                    href: href.clone(),
                    label: "Check the details again".to_owned(),
                    testid: "reload",
                }),
                ..plain(
                    "These details changed while you were working",
                    "The information on file was updated while you were filling in this form, so nothing was submitted.",
                    Some("Check the details as they are now, then confirm them again."),
                )
            },
            Self::TooLarge => plain(
                "That was more than we can accept",
                "The form you sent was too large. Please shorten the longest answers and try again.",
                None,
            ),
            Self::BadRequest => plain(
                "We couldn't read this form",
                "Something was wrong with the form your browser sent. Nothing was saved.",
                Some("Go back, reload the page, and try again."),
            ),
            Self::DamagedLink => plain(
                "We couldn't read this link",
                "This onboarding link contains characters a link cannot have. Check that you copied it exactly as you received it.",
                Some("If it still doesn't work, ask the company that sent you the link for a new one."),
            ),
            Self::TooSlow => plain(
                "Your connection was too slow",
                "The form you sent didn't arrive completely in time, so nothing was saved.",
                Some("Check your internet connection, then go back and submit the form again."),
            ),
            Self::RateLimited { retry_after } => {
                owned_hint = format!(
                    "Please wait {} before you reload the page or go back and try again.",
                    seconds_in_words(*retry_after)
                );
                plain(
                    "Please slow down a little",
                    "We received a lot of requests from your network in a short time, so we paused this one. Nothing from this step was saved.",
                    Some(&owned_hint),
                )
            }
            Self::Unavailable(cause) => {
                tracing::warn!(error = %error_chain(cause.as_ref()), "database unavailable");
                plain(
                    "We'll be right back",
                    "This page is briefly unavailable. Nothing you entered was saved yet; please try again in a minute.",
                    None,
                )
            }
            Self::Internal(cause) => {
                tracing::error!(error = %error_chain(cause.as_ref()), "page failed");
                plain(
                    "Something went wrong",
                    "We couldn't show this page. Nothing you entered was lost; please try again in a minute.",
                    None,
                )
            }
        };
        let retry_after = match self {
            Self::RateLimited { retry_after } => Some(retry_after.to_string()),
            _ => None,
        };
        match page.render() {
            Ok(body) => {
                let mut response = super::html(self.status_code(), body);
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
                    .body(page.heading.to_owned())
            }
        }
    }
}

/// The button back to the platform of a link that can no longer be used.
fn return_to(ended: &Ended) -> Action {
    Action {
        href: ended.return_url.clone(),
        label: format!("Return to {}", ended.program_name),
        testid: "return-to-platform",
    }
}

/// "a second", "40 seconds", "3 minutes": how long a customer should wait.
fn seconds_in_words(seconds: u64) -> String {
    match seconds {
        0 | 1 => "a second".to_owned(),
        2..=90 => format!("{seconds} seconds"),
        _ => format!("{} minutes", seconds.div_ceil(60)),
    }
}

#[cfg(test)]
mod tests {
    use super::seconds_in_words;

    #[test]
    fn waits_read_as_words() {
        assert_eq!(seconds_in_words(1), "a second");
        assert_eq!(seconds_in_words(40), "40 seconds");
        assert_eq!(seconds_in_words(150), "3 minutes");
    }
}
