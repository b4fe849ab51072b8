//! Reading JSON bodies, idempotency keys, and answering idempotent writes.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use futures_util::StreamExt;
use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};

use super::{
    auth::Caller,
    error::{ApiError, FieldError},
};
use crate::startup::AppState;
use crate::store::{Idempotency, Outcome, StoredResponse};

pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// What a write request asked for: its idempotency key (if any) and a
/// fingerprint of method, path and canonical body.
#[derive(Debug, Clone)]
pub struct WriteRequest {
    pub key: Option<String>,
    pub fingerprint: String,
}

impl WriteRequest {
    pub fn new(req: &HttpRequest, canonical_body: &str) -> Result<Self, ApiError> {
        let key = match req.headers().get(IDEMPOTENCY_HEADER) {
            None => None,
            Some(value) => {
                let key = value
                    .to_str()
                    .map_err(|_| ApiError::field(IDEMPOTENCY_HEADER, "must be printable ASCII"))?;
                if key.is_empty() || key.len() > 200 {
                    return Err(ApiError::field(IDEMPOTENCY_HEADER, "must be 1 to 200 characters long"));
                }
                Some(key.to_owned())
            }
        };
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

    pub fn idempotency(&self) -> Option<Idempotency<'_>> {
        self.key.as_deref().map(|key| Idempotency {
            key,
            fingerprint: &self.fingerprint,
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
        let status = actix_web::http::StatusCode::from_u16(u16::try_from(stored.response_status).unwrap_or(200))
            .unwrap_or(actix_web::http::StatusCode::OK);
        Ok(HttpResponse::build(status)
            .insert_header(("Idempotent-Replayed", "true"))
            .content_type("application/json")
            .body(stored.response_body))
    }

    /// Turns the outcome of an idempotent write into the HTTP answer.
    pub fn respond<R, T: Serialize>(
        &self,
        outcome: Outcome<R>,
        to_body: impl FnOnce(&R) -> T,
    ) -> Result<HttpResponse, ApiError> {
        match outcome {
            Outcome::Done(row) => Ok(HttpResponse::Ok().json(to_body(&row))),
            Outcome::Replayed(stored) => self.replay(stored),
        }
    }
}

/// A JSON request body: the parsed value and its canonical text (keys sorted).
#[derive(Debug)]
pub struct JsonBody {
    pub value: serde_json::Value,
    pub canonical: String,
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
    Ok(JsonBody { value, canonical })
}

/// Drains and ignores the body of a body-less action (`expire`, `submit`).
pub async fn discard_body(req: &HttpRequest, payload: web::Payload, limit: usize) -> Result<(), ApiError> {
    let body = read_json(req, payload, limit).await;
    match body {
        Ok(_) | Err(ApiError::MalformedRequest(_)) => Ok(()),
        Err(other) => Err(other),
    }
}

/// How a JSON write begins: a replay of the first answer to its idempotency
/// key, or a new request to carry out.
pub enum JsonWrite {
    Replay(HttpResponse),
    New(JsonBody, WriteRequest),
}

/// Reads a JSON write's body and key; a key used before is answered at once
/// (a replay, or a conflict when the request differs), before validation.
pub async fn begin_json_write(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<JsonWrite, ApiError> {
    let body = read_json(req, payload, state.settings.max_body_bytes).await?;
    let write = WriteRequest::new(req, &body.canonical)?;
    if let Some(key) = &write.key
        && let Some(stored) = state.store.find_idempotent_response(&caller.group_id, key).await?
    {
        return write.replay(stored).map(JsonWrite::Replay);
    }
    Ok(JsonWrite::New(body, write))
}
