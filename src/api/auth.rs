//! `Authorization: Bearer <key>` on every JSON API route.

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use futures_util::future::LocalBoxFuture;

use super::error::{ApiError, AuthFailure};
use crate::{
    domain::{
        api_key,
        ids::{ApiKeyId, GroupId},
    },
    startup::AppState,
};

/// The owner of the API key that made the request. Every object a caller can
/// see or make is scoped to `group_id`.
#[derive(Debug, Clone)]
pub struct Caller {
    pub group_id: GroupId,
    pub api_key_id: ApiKeyId,
}

fn bearer_token(req: &HttpRequest) -> Result<&str, AuthFailure> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or(AuthFailure::NoHeader)?;
    let value = value.to_str().map_err(|_| AuthFailure::NoCredential)?.trim();
    let (scheme, token) = value.split_once(' ').ok_or(AuthFailure::NoCredential)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(AuthFailure::NoCredential);
    }
    Ok(token)
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let digest = bearer_token(req).map(api_key::digest);
        Box::pin(async move {
            let digest = digest.map_err(ApiError::InvalidApiKey)?;
            let state = state.ok_or_else(|| ApiError::MalformedRequest("application state missing".to_owned()))?;
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
            })
        })
    }
}
