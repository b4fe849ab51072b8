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
}

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("page not found")]
    NotFound,
    /// The onboarding link has expired or was already used.
    #[error("link no longer valid")]
    Gone,
    /// A form without this browser session's CSRF token.
    #[error("CSRF token missing or wrong")]
    Forbidden,
    /// The session's Entity was archived after the session was made.
    #[error("entity no longer active")]
    EntityNotActive,
    /// What the form was based on changed while it was being submitted.
    #[error("changed meanwhile")]
    Changed,
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
            ) => Self::Gone,
            usecases::Error::NotAllowed(NotAllowed::EntityChanged) => Self::Changed,
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
            Self::Gone | Self::EntityNotActive => StatusCode::GONE,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Changed => StatusCode::CONFLICT,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest | Self::DamagedLink => StatusCode::BAD_REQUEST,
            Self::TooSlow => StatusCode::REQUEST_TIMEOUT,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let wait_hint;
        let page = match self {
            Self::NotFound => ErrorPage {
                heading: "We couldn't find this page",
                message: "This onboarding link is not valid. Check that you copied the whole link.",
                hint: Some("If it still doesn't work, ask the company that sent you the link for a new one."),
            },
            Self::Gone => ErrorPage {
                heading: "This link is no longer valid",
                message: "This onboarding link has expired or has already been used.",
                hint: Some(
                    "Please ask the company that sent it to you for a new link. If you already finished, there is nothing more to do.",
                ),
            },
            Self::EntityNotActive => ErrorPage {
                heading: "This onboarding can no longer be completed",
                message: "The account this link was made for has been closed, so nothing can be changed through this link. Nothing you entered was saved.",
                hint: Some("If you think this is a mistake, contact the company that sent you the link."),
            },
            Self::Forbidden => ErrorPage {
                heading: "Please reload the page and try again",
                message: "For your security we couldn't accept this form: it was opened in another browser window, or too long ago. Nothing was saved.",
                hint: Some("Go back, reload the page, and submit the form again."),
            },
            Self::Changed => ErrorPage {
                heading: "These details changed while you were working",
                message: "Someone else updated this information at the same moment, so nothing you entered was saved.",
                hint: Some("Reload the page, check the details shown, and submit again."),
            },
            Self::TooLarge => ErrorPage {
                heading: "That was more than we can accept",
                message: "The form you sent was too large. Please shorten the longest answers and try again.",
                hint: None,
            },
            Self::BadRequest => ErrorPage {
                heading: "We couldn't read this form",
                message: "Something was wrong with the form your browser sent. Nothing was saved.",
                hint: Some("Go back, reload the page, and try again."),
            },
            Self::DamagedLink => ErrorPage {
                heading: "We couldn't read this link",
                message: "This onboarding link contains characters a link cannot have. Check that you copied it exactly as you received it.",
                hint: Some("If it still doesn't work, ask the company that sent you the link for a new one."),
            },
            Self::TooSlow => ErrorPage {
                heading: "Your connection was too slow",
                message: "The form you sent didn't arrive completely in time, so nothing was saved.",
                hint: Some("Check your internet connection, then go back and submit the form again."),
            },
            Self::RateLimited { retry_after } => {
                wait_hint = format!(
                    "Please wait {} before you reload the page or go back and try again.",
                    seconds_in_words(*retry_after)
                );
                ErrorPage {
                    heading: "Please slow down a little",
                    message: "We received a lot of requests from your network in a short time, so we paused this one. Nothing from this step was saved.",
                    hint: Some(&wait_hint),
                }
            }
            Self::Unavailable(cause) => {
                tracing::warn!(error = %error_chain(cause.as_ref()), "database unavailable");
                ErrorPage {
                    heading: "We'll be right back",
                    message: "This page is briefly unavailable. Nothing you entered was saved yet; please try again in a minute.",
                    hint: None,
                }
            }
            Self::Internal(cause) => {
                tracing::error!(error = %error_chain(cause.as_ref()), "page failed");
                ErrorPage {
                    heading: "Something went wrong",
                    message: "We couldn't show this page. Nothing you entered was lost; please try again in a minute.",
                    hint: None,
                }
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
