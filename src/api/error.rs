//! The Increase error envelope: `{"type", "status", "title", "detail", ...}`.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{
        ArrayBuilder, ObjectBuilder, OneOfBuilder, Ref, RefOr, Schema,
        schema::{AdditionalProperties, SchemaType, Type},
    },
};

use crate::{
    domain::onboarding::Problem,
    edge::rate_limit::RateLimited,
    store::StoreError,
    telemetry::error_chain,
    usecases::{self, NotAllowed},
};

/// One bad field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    NoHeader,
    NoCredential,
    DeletedCredential,
}

impl AuthFailure {
    const ALL: [Self; 3] = [Self::NoHeader, Self::NoCredential, Self::DeletedCredential];

    fn reason(self) -> &'static str {
        match self {
            Self::NoHeader => "no_header",
            Self::NoCredential => "no_credential",
            Self::DeletedCredential => "deleted_credential",
        }
    }

    fn detail(self) -> &'static str {
        match self {
            Self::NoHeader => "Send your API key in the header `Authorization: Bearer <key>`.",
            Self::NoCredential => "The API key in the Authorization header is not valid.",
            Self::DeletedCredential => "This API key has been revoked.",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid parameters")]
    InvalidParameters(Vec<FieldError>),
    #[error("malformed request: {0}")]
    MalformedRequest(String),
    #[error("request body larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("invalid API key")]
    InvalidApiKey(AuthFailure),
    #[error("object not found")]
    ObjectNotFound,
    #[error("no API method {method} {path}")]
    MethodNotFound { method: String, path: String },
    #[error("idempotency key already used")]
    IdempotencyKeyAlreadyUsed { resource_id: String },
    #[error("invalid operation: {0}")]
    InvalidOperation(String),
    /// A production key called a sandbox-only endpoint.
    #[error("environment mismatch")]
    EnvironmentMismatch,
    /// The key lacks the permission the endpoint requires.
    #[error("insufficient permissions")]
    InsufficientPermissions(&'static str),
    /// Over a rate limit; the client may retry after this many seconds.
    #[error("rate limited")]
    RateLimited { retry_after: u64 },
    /// The database is unreachable; retrying later will work.
    #[error("service unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidParameters(vec![FieldError::new(field, message)])
    }

    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::InvalidParameters(_) => "invalid_parameters_error",
            Self::MalformedRequest(_) | Self::PayloadTooLarge(_) => "malformed_request_error",
            Self::InvalidApiKey(_) => "invalid_api_key_error",
            Self::ObjectNotFound => "object_not_found_error",
            Self::MethodNotFound { .. } => "api_method_not_found_error",
            Self::IdempotencyKeyAlreadyUsed { .. } => "idempotency_key_already_used_error",
            Self::InvalidOperation(_) => "invalid_operation_error",
            Self::EnvironmentMismatch => "environment_mismatch_error",
            Self::InsufficientPermissions(_) => "insufficient_permissions_error",
            Self::RateLimited { .. } => "rate_limited_error",
            Self::Internal(_) | Self::Unavailable(_) => "internal_server_error",
        }
    }

    fn title(&self) -> String {
        match self {
            Self::InvalidParameters(errors) => match errors.as_slice() {
                [one] => format!("Invalid parameter `{}`: {}.", one.field, one.message),
                _ => format!("There are {} invalid parameters.", errors.len()),
            },
            Self::MalformedRequest(_) => "The request could not be parsed.".to_owned(),
            Self::PayloadTooLarge(_) => "The request body is too large.".to_owned(),
            Self::InvalidApiKey(_) => "Invalid API key.".to_owned(),
            Self::ObjectNotFound => "No object was found with that ID.".to_owned(),
            Self::MethodNotFound { .. } => "No API method matches this request.".to_owned(),
            Self::IdempotencyKeyAlreadyUsed { .. } => {
                "The idempotency key was already used for a different request.".to_owned()
            }
            Self::InvalidOperation(_) => "The operation is not allowed in the object's current state.".to_owned(),
            Self::EnvironmentMismatch => "This endpoint is only available to sandbox API keys.".to_owned(),
            Self::InsufficientPermissions(_) => "The API key is not allowed to do this.".to_owned(),
            Self::RateLimited { .. } => "Too many requests.".to_owned(),
            Self::Internal(_) => "An internal error occurred.".to_owned(),
            Self::Unavailable(_) => "The service is temporarily unavailable.".to_owned(),
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            Self::InvalidParameters(_) => Some("See `errors` for each invalid parameter.".to_owned()),
            Self::MalformedRequest(detail) => Some(detail.clone()),
            Self::PayloadTooLarge(limit) => Some(format!("Request bodies are limited to {limit} bytes.")),
            Self::InvalidApiKey(failure) => Some(failure.detail().to_owned()),
            Self::ObjectNotFound => None,
            Self::MethodNotFound { method, path } => Some(format!("There is no API method {method} {path}.")),
            Self::IdempotencyKeyAlreadyUsed { resource_id } => Some(format!(
                "The Idempotency-Key header was first used to make {resource_id}; use a new key for a new request."
            )),
            Self::InvalidOperation(detail) => Some(detail.clone()),
            Self::EnvironmentMismatch => Some(
                "Simulations act only in the sandbox: use a key made with `onboarding api-keys create --sandbox`."
                    .to_owned(),
            ),
            Self::InsufficientPermissions(detail) => Some((*detail).to_owned()),
            Self::RateLimited { .. } => {
                Some("This client is over its rate limit; retry after `retry_after` seconds.".to_owned())
            }
            Self::Internal(_) => None,
            Self::Unavailable(_) => Some("Please retry in a few seconds.".to_owned()),
        }
    }

    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("type".to_owned(), json!(self.kind()));
        body.insert("status".to_owned(), json!(self.status_code().as_u16()));
        body.insert("title".to_owned(), json!(self.title()));
        body.insert("detail".to_owned(), json!(self.detail()));
        match self {
            Self::InvalidParameters(errors) => {
                body.insert("errors".to_owned(), json!(errors));
            }
            Self::InvalidApiKey(failure) => {
                body.insert("reason".to_owned(), json!(failure.reason()));
            }
            Self::IdempotencyKeyAlreadyUsed { resource_id } => {
                body.insert("resource_id".to_owned(), json!(resource_id));
            }
            Self::RateLimited { retry_after } => {
                body.insert("retry_after".to_owned(), json!(retry_after));
            }
            _ => {}
        }
        Value::Object(body)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::InvalidParameters(_) | Self::MalformedRequest(_) => StatusCode::BAD_REQUEST,
            // Increase answers oversized bodies as malformed: 400, which
            // every SDK maps to its bad-request error (a 413 maps to none).
            Self::PayloadTooLarge(_) => StatusCode::BAD_REQUEST,
            Self::InvalidApiKey(_) => StatusCode::UNAUTHORIZED,
            Self::EnvironmentMismatch | Self::InsufficientPermissions(_) => StatusCode::FORBIDDEN,
            Self::ObjectNotFound | Self::MethodNotFound { .. } => StatusCode::NOT_FOUND,
            Self::IdempotencyKeyAlreadyUsed { .. } | Self::InvalidOperation(_) => StatusCode::CONFLICT,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            // The cause is logged here, once; the response stays opaque.
            Self::Internal(cause) => tracing::error!(error = %error_chain(cause.as_ref()), "request failed"),
            Self::Unavailable(cause) => tracing::warn!(error = %error_chain(cause.as_ref()), "database unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::Unavailable(_) => {
                response.insert_header(("Retry-After", "2"));
            }
            Self::RateLimited { retry_after } => {
                response.insert_header(("Retry-After", retry_after.to_string()));
            }
            _ => {}
        }
        if self.status_code() == StatusCode::CONFLICT {
            // Retrying cannot change a conflict; tell the SDKs not to.
            response.insert_header(("x-should-retry", "false"));
        }
        response.json(self.body())
    }
}

/// The error envelope in the OpenAPI document: one alternative per kind of
/// error, each read off the body [`ApiError::body`] writes for it.
pub struct ErrorBody;

impl ErrorBody {
    /// One error of each kind the API answers with.
    fn one_of_each() -> Vec<ApiError> {
        let cause = || Box::new(std::io::Error::other("example")) as Box<dyn std::error::Error + Send + Sync>;
        vec![
            ApiError::InvalidParameters(Vec::new()),
            // Also an oversized body: the same type and status.
            ApiError::MalformedRequest(String::new()),
            ApiError::InvalidApiKey(AuthFailure::NoHeader),
            ApiError::ObjectNotFound,
            ApiError::MethodNotFound {
                method: String::new(),
                path: String::new(),
            },
            ApiError::IdempotencyKeyAlreadyUsed {
                resource_id: String::new(),
            },
            ApiError::InvalidOperation(String::new()),
            ApiError::EnvironmentMismatch,
            ApiError::InsufficientPermissions(""),
            ApiError::RateLimited { retry_after: 1 },
            ApiError::Unavailable(cause()),
            ApiError::Internal(cause()),
        ]
    }

    /// The schema of one key of the envelope.
    fn key_schema(key: &str, value: &Value) -> RefOr<Schema> {
        let string = || ObjectBuilder::new().schema_type(Type::String);
        match key {
            "type" | "status" => ObjectBuilder::new()
                .schema_type(if value.is_number() { Type::Integer } else { Type::String })
                .enum_values(Some([value.clone()]))
                .into(),
            "detail" => ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .into(),
            "errors" => ArrayBuilder::new()
                .items(RefOr::Ref(Ref::from_schema_name(FieldError::name())))
                .into(),
            "reason" => string()
                .enum_values(Some(AuthFailure::ALL.map(AuthFailure::reason)))
                .into(),
            "retry_after" => ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .description(Some("Seconds to wait before retrying; also sent as `Retry-After`."))
                .into(),
            _ => string().into(),
        }
    }

    fn alternative(error: &ApiError) -> Schema {
        let mut object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        if let Value::Object(body) = error.body() {
            for (key, value) in &body {
                object = object.property(key, Self::key_schema(key, value)).required(key);
            }
        }
        object
            .description(Some(format!(
                "HTTP {}: `{}`",
                error.status_code().as_u16(),
                error.kind()
            )))
            .into()
    }
}

impl utoipa::PartialSchema for ErrorBody {
    fn schema() -> RefOr<Schema> {
        Self::one_of_each()
            .iter()
            .fold(OneOfBuilder::new(), |one_of, error| {
                one_of.item(Self::alternative(error))
            })
            .description(Some("The Increase error envelope; `status` equals the HTTP status."))
            .into()
    }
}

impl utoipa::ToSchema for ErrorBody {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Error")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((FieldError::name().into_owned(), FieldError::schema()));
    }
}

impl From<Problem> for FieldError {
    fn from(problem: Problem) -> Self {
        Self::new(problem.path, problem.message)
    }
}

impl From<usecases::Error> for ApiError {
    fn from(error: usecases::Error) -> Self {
        match error {
            usecases::Error::NotFound => Self::ObjectNotFound,
            usecases::Error::Invalid(problems) => {
                Self::InvalidParameters(problems.into_iter().map(FieldError::from).collect())
            }
            usecases::Error::NotAllowed(
                reason @ (NotAllowed::SessionNotActive
                | NotAllowed::EntityChanged
                | NotAllowed::FormDoesNotMatchSession
                | NotAllowed::EntityNotActive
                | NotAllowed::SubscriptionDeleted),
            ) => Self::InvalidOperation(reason.to_string()),
            usecases::Error::Unavailable(cause) => Self::Unavailable(Box::new(cause)),
            usecases::Error::Internal(cause) => Self::internal(cause),
        }
    }
}

impl From<RateLimited> for ApiError {
    fn from(limited: RateLimited) -> Self {
        Self::RateLimited {
            retry_after: limited.retry_after,
        }
    }
}

/// Reads outside a use case fail the same way.
impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        usecases::Error::from(error).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which kind of error this is; the match is exhaustive, so a new kind
    /// of error cannot be added without deciding how it is documented.
    fn kind_index(error: &ApiError) -> usize {
        match error {
            ApiError::InvalidParameters(_) => 0,
            // A body too large is a malformed request, as in Increase.
            ApiError::MalformedRequest(_) | ApiError::PayloadTooLarge(_) => 1,
            ApiError::InvalidApiKey(_) => 2,
            ApiError::ObjectNotFound => 3,
            ApiError::MethodNotFound { .. } => 4,
            ApiError::IdempotencyKeyAlreadyUsed { .. } => 5,
            ApiError::InvalidOperation(_) => 6,
            ApiError::RateLimited { .. } => 7,
            ApiError::Unavailable(_) => 8,
            ApiError::Internal(_) => 9,
            ApiError::EnvironmentMismatch => 10,
            ApiError::InsufficientPermissions(_) => 11,
        }
    }

    #[test]
    fn the_documented_envelope_has_an_alternative_for_every_kind_of_error() {
        let documented: std::collections::BTreeSet<usize> = ErrorBody::one_of_each().iter().map(kind_index).collect();
        assert_eq!(documented, (0..12).collect());
        assert_eq!(
            (
                ApiError::PayloadTooLarge(1).kind(),
                ApiError::PayloadTooLarge(1).status_code()
            ),
            (
                ApiError::MalformedRequest(String::new()).kind(),
                StatusCode::BAD_REQUEST
            ),
            "documented by the malformed request's alternative"
        );
        let schema = serde_json::to_value(ErrorBody::schema()).unwrap();
        let alternatives = schema["oneOf"].as_array().unwrap();
        assert_eq!(alternatives.len(), 12);
        let conflict = &alternatives[5];
        assert_eq!(
            conflict["properties"]["type"]["enum"],
            json!(["idempotency_key_already_used_error"])
        );
        assert_eq!(conflict["properties"]["status"]["enum"], json!([409]));
        assert_eq!(
            conflict["required"],
            json!(["detail", "resource_id", "status", "title", "type"])
        );
        assert_eq!(
            alternatives[2]["properties"]["reason"]["enum"],
            json!(["no_header", "no_credential", "deleted_credential"])
        );
        let rate_limited = alternatives
            .iter()
            .find(|alternative| alternative["properties"]["type"]["enum"] == json!(["rate_limited_error"]))
            .unwrap();
        assert_eq!(rate_limited["properties"]["status"]["enum"], json!([429]));
        assert_eq!(
            rate_limited["required"],
            json!(["detail", "retry_after", "status", "title", "type"])
        );
        assert_eq!(rate_limited["properties"]["retry_after"]["type"], "integer");
    }
}
