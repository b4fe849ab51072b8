//! `Authorization: Bearer <key>` on every JSON API route.

use actix_web::{
    FromRequest, HttpMessage, HttpRequest,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
    web,
};
use futures_util::future::{Ready, ready};

use super::{
    error::{ApiError, AuthFailure},
    request::refuse_control_characters,
};
use crate::{
    domain::{
        api_key::{self, Environment, Permissions},
        ids::{ApiKeyId, GroupId},
    },
    edge::client_ip::client_ip,
    startup::AppState,
};

/// The owner of the API key that made the request. Every object a caller can
/// see or make is scoped to `group_id`.
#[derive(Debug, Clone)]
pub struct Caller {
    pub group_id: GroupId,
    pub api_key_id: ApiKeyId,
    pub environment: Environment,
    pub permissions: Permissions,
}

fn bearer_token(req: &HttpRequest) -> Result<&str, ApiError> {
    let no_credential = || ApiError::InvalidApiKey(AuthFailure::NoCredential);
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::InvalidApiKey(AuthFailure::NoHeader))?;
    let value = value.to_str().map_err(|_| no_credential())?;
    // A TAB is not a separator here (RFC 9110 allows spaces only); no
    // control character belongs in a key.
    refuse_control_characters("Authorization", value).map_err(|error| ApiError::InvalidParameters(vec![error]))?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(no_credential)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(no_credential());
    }
    Ok(token)
}

/// The outcome of authenticating one request, resolved by [`authenticate`]
/// before any extractor runs.
struct Authenticated(Result<Caller, ApiError>);

/// Resolves the request's API key once, before the handler's extractors run,
/// so that a bad key is answered with 401 (or a lost database with 503) ahead
/// of any other problem with the request, such as a malformed ID in its path.
/// Requests without a handler that needs a caller are not refused here. A
/// client refused for failing authentication too often is not looked up.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let outcome = match req.app_data::<web::Data<AppState>>() {
        Some(state) => match client_ip(req.request()).map(|client| state.limits.refused_for_auth_failures(client)) {
            Some(Err(limited)) => Err(limited.into()),
            _ => resolve(state, req.request()).await,
        },
        None => Err(ApiError::MalformedRequest("application state missing".to_owned())),
    };
    req.extensions_mut().insert(Authenticated(outcome));
    next.call(req).await
}

async fn resolve(state: &AppState, req: &HttpRequest) -> Result<Caller, ApiError> {
    let digest = api_key::digest(bearer_token(req)?);
    let owner = state
        .store
        .find_api_key_owner(&digest)
        .await?
        .ok_or(ApiError::InvalidApiKey(AuthFailure::NoCredential))?;
    if owner.revoked {
        return Err(ApiError::InvalidApiKey(AuthFailure::DeletedCredential));
    }
    Ok(Caller {
        group_id: owner.group_id,
        api_key_id: owner.api_key_id,
        environment: owner.environment,
        permissions: owner.permissions,
    })
}

/// The caller of a sandbox simulation: a sandbox key's, else 403
/// `environment_mismatch_error`. Simulations fake what only a customer or a
/// bank may do; the route itself demands it, however its path was spelt.
#[derive(Debug, Clone)]
pub struct SandboxCaller(pub Caller);

impl FromRequest for SandboxCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(Caller::from_request(req, payload).into_inner().and_then(|caller| {
            if caller.environment == Environment::Sandbox {
                Ok(Self(caller))
            } else {
                Err(ApiError::EnvironmentMismatch)
            }
        }))
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    /// The caller, counted against its key's rate limit; a failed
    /// authentication is counted against the client's allowance of them.
    /// Both are counted here, where a handler needs the caller, so that a
    /// request for an unknown path never counts.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let outcome = req.extensions_mut().remove::<Authenticated>();
        let limits = req.app_data::<web::Data<AppState>>().map(|state| &state.limits);
        ready(match (outcome, limits) {
            (Some(Authenticated(Ok(caller))), Some(limits)) => match limits.api_request(&caller.api_key_id) {
                Ok(()) => Ok(caller),
                Err(limited) => Err(limited.into()),
            },
            (Some(Authenticated(Err(failure @ ApiError::InvalidApiKey(_)))), Some(limits)) => {
                match client_ip(req).map(|client| limits.auth_failure(client)) {
                    Some(Err(limited)) => Err(limited.into()),
                    _ => Err(failure),
                }
            }
            (Some(Authenticated(outcome)), _) => outcome,
            (None, _) => Err(ApiError::internal(std::io::Error::other(
                "the API route is not behind the authentication middleware",
            ))),
        })
    }
}
