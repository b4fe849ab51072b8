//! Reading JSON bodies, idempotency keys, and answering idempotent writes.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use futures_util::StreamExt;
use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};

use super::{
    auth::Caller,
    error::{ApiError, FieldError},
};
use crate::{
    domain::{entity::Entity, ids::IdempotencyKey, program::Program, session::Session},
    startup::AppState,
    store::{StoredResponse, UnitOfWork},
    usecases,
};

pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// Refuses a value read from a query string or a header that holds a
/// control character (NUL, TAB, DEL, ...): none belongs in any of them, and
/// PostgreSQL cannot even store a NUL. `field` names where it was found.
pub fn refuse_control_characters(field: &str, value: &str) -> Result<(), FieldError> {
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    Ok(())
}

/// What a write request asked for: its idempotency key (if any) and a
/// fingerprint of method, path and canonical body.
#[derive(Debug, Clone)]
pub struct WriteRequest {
    pub key: Option<IdempotencyKey>,
    fingerprint: String,
}

impl WriteRequest {
    pub fn new(req: &HttpRequest, canonical_body: &str) -> Result<Self, ApiError> {
        let key = req
            .headers()
            .get(IDEMPOTENCY_HEADER)
            .map(|value| {
                let text = value
                    .to_str()
                    .map_err(|_| ApiError::field(IDEMPOTENCY_HEADER, "must be printable ASCII"))?;
                IdempotencyKey::parse(text).map_err(|message| ApiError::field(IDEMPOTENCY_HEADER, message))
            })
            .transpose()?;
        let mut hasher = Sha256::new();
        hasher.update(req.method().as_str().as_bytes());
        hasher.update(b" ");
        hasher.update(req.path().as_bytes());
        hasher.update(b"\n");
        hasher.update(canonical_body.as_bytes());
        Ok(Self {
            key,
            fingerprint: hex::encode(hasher.finalize()),
        })
    }

    /// The answer to a key that was used before: a replay of the first
    /// response when the request is the same, else a conflict.
    pub fn replay(&self, stored: StoredResponse) -> Result<HttpResponse, ApiError> {
        if stored.fingerprint != self.fingerprint {
            return Err(ApiError::IdempotencyKeyAlreadyUsed {
                resource_id: stored.resource_id,
            });
        }
        let status = u16::try_from(stored.response_status)
            .ok()
            .and_then(|status| actix_web::http::StatusCode::from_u16(status).ok())
            .unwrap_or(actix_web::http::StatusCode::OK);
        Ok(HttpResponse::build(status)
            .insert_header(("Idempotent-Replayed", "true"))
            .content_type("application/json")
            .body(stored.response_body))
    }

    /// The answer to a request that failed validation: a key used before
    /// still gets its first answer (a replay, or a conflict when the request
    /// differs), as Increase gives it before looking at the body. Only this
    /// path looks the key up ahead of the unit of work, which checks it again.
    pub async fn refuse(&self, state: &AppState, caller: &Caller, error: ApiError) -> Result<HttpResponse, ApiError> {
        if let Some(key) = &self.key
            && let Some(stored) = state.store.find_response(&caller.group_id, key).await?
        {
            return self.replay(stored);
        }
        Err(error)
    }

    /// Runs a use case as an idempotent write: an earlier answer to the key
    /// is replayed instead; otherwise the use case runs and its response is
    /// recorded against the key in the same unit of work, before the commit,
    /// so a key maps to exactly one object. A concurrent request that
    /// recorded the key first wins, and this one replays its answer.
    pub async fn run<T: Resource>(
        &self,
        state: &AppState,
        caller: &Caller,
        work: impl AsyncFnOnce(&mut UnitOfWork) -> Result<T, usecases::Error>,
        render: impl FnOnce(&T) -> serde_json::Result<String>,
    ) -> Result<HttpResponse, ApiError> {
        let result = self.run_once(state, caller, work, render).await;
        match (result, &self.key) {
            // Refused because a request with the same key got there first
            // (its response took the key, or its change made this one
            // invalid: a second submit of one session): its answer is
            // this one's too, now that it has committed.
            (Err(error), Some(key)) if !matches!(error, ApiError::Unavailable(_)) => {
                match state.store.find_response(&caller.group_id, key).await? {
                    Some(stored) => self.replay(stored),
                    None => Err(error),
                }
            }
            (result, _) => result,
        }
    }

    async fn run_once<T: Resource>(
        &self,
        state: &AppState,
        caller: &Caller,
        work: impl AsyncFnOnce(&mut UnitOfWork) -> Result<T, usecases::Error>,
        render: impl FnOnce(&T) -> serde_json::Result<String>,
    ) -> Result<HttpResponse, ApiError> {
        // An answer recorded before is replayed without taking the writer's
        // lock (on SQLite the read goes to a reader connection). A request
        // racing one with the same key runs its work, then fails to record
        // its response on the key's unique index, rolls back, and replays
        // the winner's answer (`run`): the key still maps to one object,
        // and the common case holds the write lock one statement less.
        if let Some(key) = &self.key
            && let Some(stored) = state.store.find_response(&caller.group_id, key).await?
        {
            return self.replay(stored);
        }
        let mut unit = state.store.begin().await?;
        let done: Result<String, ApiError> = async {
            let object = work(&mut unit).await?;
            let body = render(&object).map_err(ApiError::internal)?;
            if let Some(key) = &self.key {
                let response = StoredResponse {
                    fingerprint: self.fingerprint.clone(),
                    resource_id: object.resource_id().to_owned(),
                    response_status: 200,
                    response_body: body.clone(),
                };
                unit.record_response(&caller.group_id, key, &response, state.clock.now())
                    .await?;
            }
            Ok(body)
        }
        .await;
        match done {
            Ok(body) => {
                unit.commit().await?;
                Ok(HttpResponse::Ok().content_type("application/json").body(body))
            }
            // A refusal may come from what a concurrent request wrote (the
            // key it took, the session it submitted): that request's commit
            // is awaited before answering, so that `run` finds its response.
            Err(error) => {
                unit.settle().await?;
                Err(error)
            }
        }
    }
}

/// A whole number as JSON Schema counts one: `1000` or `1000.0`.
pub fn whole_number(number: &serde_json::Number) -> Option<i64> {
    number.as_i64().or_else(|| {
        let value = number.as_f64()?;
        // Exactly representable and within range: an integral float is the integer.
        (value.fract() == 0.0 && value.abs() < 9.0e15).then_some(value as i64)
    })
}

/// `deserialize_with` for an optional integer field that also takes `1000.0`.
pub fn optional_whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    use serde::Deserialize;
    match Option::<serde_json::Number>::deserialize(deserializer)? {
        None => Ok(None),
        Some(number) => whole_number(&number)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("must be a whole number")),
    }
}

/// The JSON text of a response object.
pub fn json(object: impl Serialize) -> serde_json::Result<String> {
    serde_json::to_string(&object)
}

/// An object an idempotency key can be recorded against.
pub trait Resource {
    fn resource_id(&self) -> &str;
}

impl Resource for Session {
    fn resource_id(&self) -> &str {
        self.id.as_str()
    }
}

impl Resource for Entity {
    fn resource_id(&self) -> &str {
        self.id.as_str()
    }
}

impl Resource for Program {
    fn resource_id(&self) -> &str {
        self.id.as_str()
    }
}

/// A JSON request body: the parsed value and its canonical text (keys sorted).
#[derive(Debug)]
pub struct JsonBody {
    pub value: serde_json::Value,
    pub canonical: String,
    /// Whether the request had no body at all (read as `{}`).
    pub was_empty: bool,
}

impl JsonBody {
    /// Deserializes into a request DTO, naming the field on a type mismatch.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_path_to_error::deserialize(&self.value).map_err(|error| {
            let field = error.path().to_string();
            let message = error.inner().to_string();
            ApiError::InvalidParameters(vec![FieldError::new(field, message)])
        })
    }
}

/// Reads a JSON object body of at most `limit` bytes. An empty body counts
/// as `{}` so that missing fields are reported one by one.
pub async fn read_json(req: &HttpRequest, mut payload: web::Payload, limit: usize) -> Result<JsonBody, ApiError> {
    if let Some(length) = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok())
        && length > limit
    {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::MalformedRequest("The request body could not be read.".to_owned()))?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(JsonBody {
            value: serde_json::Value::Object(Default::default()),
            canonical: "{}".to_owned(),
            was_empty: true,
        });
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::MalformedRequest(
            "Send the request body as JSON with the header `Content-Type: application/json`.".to_owned(),
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|error| ApiError::MalformedRequest(format!("The request body is not valid JSON: {error}.")))?;
    if !value.is_object() {
        return Err(ApiError::MalformedRequest(
            "The request body must be a JSON object.".to_owned(),
        ));
    }
    // serde_json's map keeps keys sorted, so this text is canonical.
    let canonical = value.to_string();
    Ok(JsonBody {
        value,
        canonical,
        was_empty: false,
    })
}

/// Drains and ignores the body of a body-less action (`expire`, `submit`).
pub async fn discard_body(req: &HttpRequest, payload: web::Payload, limit: usize) -> Result<(), ApiError> {
    let body = read_json(req, payload, limit).await;
    match body {
        Ok(_) | Err(ApiError::MalformedRequest(_)) => Ok(()),
        Err(other) => Err(other),
    }
}

/// Reads a JSON write's body and its idempotency key.
pub async fn begin_json_write(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(JsonBody, WriteRequest), ApiError> {
    let body = read_json(req, payload, state.settings.max_body_bytes).await?;
    let write = WriteRequest::new(req, &body.canonical)?;
    Ok((body, write))
}
