//! What the service does, between the HTTP layers and the store: each use
//! case takes parsed domain input, decides, and persists through the store.
//! `api/` (JSON) and `web/` (hosted form) both call these and never each other.
//! Use cases that the API makes idempotent take a [`UnitOfWork`] so the API
//! can record its response in the same transaction.

pub mod entities;
pub mod events;
pub mod form;
pub mod programs;
pub mod sessions;

use crate::{domain::onboarding::Problem, store::StoreError};

pub use crate::store::UnitOfWork;

/// Why a use case refused or failed. `api/` maps it to the JSON envelope and
/// `web/` to pages, each exhaustively.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The object named does not exist (or belongs to another group).
    #[error("not found")]
    NotFound,
    /// The input breaks a rule; one problem per field, by JSON path.
    #[error("invalid input")]
    Invalid(Vec<Problem>),
    /// The action is not allowed in the object's current state.
    #[error("not allowed now: {0}")]
    NotAllowed(NotAllowed),
    /// The database cannot be reached right now; retrying later will work.
    #[error("database unavailable")]
    Unavailable(#[source] StoreError),
    #[error("internal error")]
    Internal(#[source] StoreError),
}

/// The states in which an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotAllowed {
    #[error("the session is not active: it has expired or was already submitted")]
    SessionNotActive,
    /// The Entity changed while the customer's corrections were being applied.
    #[error("the Entity changed meanwhile; reload and try again")]
    EntityChanged,
    /// A form for a new Entity sent to a session made for an existing one, or the reverse.
    #[error("the submitted form does not match the session")]
    FormDoesNotMatchSession,
    /// The session's Entity was archived (or disabled) after the session
    /// was made: nothing may change it through the session any more.
    #[error("the session's Entity is no longer active (it was archived); it cannot be changed through this session")]
    EntityNotActive,
    /// A deleted Event Subscription cannot be changed.
    #[error("the Event Subscription was deleted; create a new one")]
    SubscriptionDeleted,
}

impl Error {
    pub fn invalid(path: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![Problem {
            path: path.to_owned(),
            message: message.into(),
        }])
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::Unavailable(_) => Self::Unavailable(error),
            other => Self::Internal(other),
        }
    }
}
