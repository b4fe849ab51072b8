//! The OpenAPI 3.1 document of the JSON API, served at `GET /openapi.json`.
//!
//! It is generated from the code: each handler's `#[utoipa::path]` names its
//! path, parameters and success body, and the schemas are derived from the
//! very types the handlers serialize. What every operation shares (bearer
//! auth, the `Idempotency-Key` header on writes, the error responses, and
//! "every key of a response object is always present") is added here once,
//! by rule, so that no operation can forget it.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use utoipa::{
    IntoParams, Modify, OpenApi, ToSchema,
    openapi::{
        self, ContentBuilder, HeaderBuilder, ObjectBuilder, Ref, RefOr, ResponseBuilder, Schema,
        path::{Operation, ParameterBuilder, ParameterIn, PathItem},
        schema::{AdditionalProperties, ArrayItems, SchemaType, Type},
        security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme},
        server::Server,
    },
};

use super::{branding, custody, entities, error::ErrorBody, events, programs, request::IDEMPOTENCY_HEADER, sessions};
use crate::{domain::ids::IdempotencyKey, startup::AppState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hosted Onboarding",
        description = "Wire-compatible with Increase's Entity Onboarding Sessions API, plus this service's \
            extensions (`onboarding_tasks` on Entities, `POST /entities/{id}/archive`, the audited \
            `GET /entities/{id}/identification_numbers`, sandbox simulations, and each program's branding \
            and allow-lists under `/hosted_onboarding/`). \
            Every key of a response object is always present, `null` when it has no value."
    ),
    paths(
        programs::list_programs,
        programs::retrieve_program,
        programs::create_program,
        sessions::list_sessions,
        sessions::create_session,
        sessions::retrieve_session,
        sessions::expire_session,
        sessions::simulate_submit,
        entities::list_entities,
        entities::create_entity,
        entities::retrieve_entity,
        entities::archive_entity,
        entities::simulate_update_validation,
        custody::reveal_identification_numbers,
        events::list_events,
        events::retrieve_event,
        events::create_subscription,
        events::list_subscriptions,
        events::retrieve_subscription,
        events::update_subscription,
        branding::retrieve_branding,
        branding::update_branding,
        crate::probes::health,
        crate::probes::ready,
        crate::probes::metrics,
        serve_document,
    ),
    components(schemas(ErrorBody)),
    modifiers(&Conventions),
)]
pub struct ApiDoc;

/// Paths anyone may call, without an API key.
pub const PUBLIC_PATHS: [&str; 4] = ["/health", "/ready", "/metrics", "/openapi.json"];

const BEARER: &str = "bearer";

/// `GET /openapi.json`: this document, with this instance's public URL as
/// its server.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "Service",
    operation_id = "retrieve_the_openapi_document",
    responses((status = 200, description = "This OpenAPI 3.1 document", body = serde_json::Value)),
)]
pub async fn serve_document(state: web::Data<AppState>) -> HttpResponse {
    let mut document = ApiDoc::openapi();
    let base = state.public_url.as_str().trim_end_matches('/');
    document.servers = Some(vec![Server::new(base)]);
    HttpResponse::Ok().json(document)
}

/// `cursor` and `limit`, taken by every list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Return the page after this one: a `next_cursor` from this API.
    pub cursor: Option<String>,
    /// How many objects to return, 1 to 100 (the default).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// The constant `type` of each object.
pub mod object_type {
    use utoipa::openapi::{Object, ObjectBuilder, schema::Type};

    fn constant(value: &str) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some([value]))
            .build()
    }

    pub fn session() -> Object {
        constant("entity_onboarding_session")
    }

    pub fn entity() -> Object {
        constant("entity")
    }

    pub fn program() -> Object {
        constant("program")
    }

    pub fn event() -> Object {
        constant("event")
    }

    pub fn event_subscription() -> Object {
        constant("event_subscription")
    }

    pub fn program_branding() -> Object {
        constant("hosted_onboarding_program_branding")
    }

    pub fn identification_numbers() -> Object {
        constant("entity_identification_numbers")
    }
}

/// A sub-object of Increase's that this service does not support: always `null`.
pub fn unsupported_object() -> openapi::Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
        .description(Some("Not supported by this service: always `null`."))
        .build()
}

/// The rules every operation follows.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, document: &mut openapi::OpenApi) {
        let components = document.components.get_or_insert_with(Default::default);
        components.security_schemes.insert(
            BEARER.to_owned(),
            RefOr::T(SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key: `Authorization: Bearer <key>`."))
                    .build(),
            )),
        );
        let mut responses = Vec::new();
        for (path, item) in document.paths.paths.iter_mut() {
            let public = PUBLIC_PATHS.contains(&path.as_str());
            for (method, operation) in operations(item) {
                apply_conventions(path, method, public, operation);
                responses.extend(response_schemas(operation));
            }
        }
        let schemas = &mut components.schemas;
        for name in reachable(schemas, responses) {
            if let Some(RefOr::T(schema)) = schemas.get_mut(&name) {
                every_key_present(schema);
            }
        }
    }
}

/// The operations of a path, with their method names.
fn operations(item: &mut PathItem) -> Vec<(&'static str, &mut Operation)> {
    [
        ("get", &mut item.get),
        ("post", &mut item.post),
        ("patch", &mut item.patch),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_mut().map(|operation| (method, operation)))
    .collect()
}

/// Bearer auth, `Idempotency-Key` on writes, and every error the operation
/// can answer with (statuses it already documents are kept as they are).
fn apply_conventions(path: &str, method: &str, public: bool, operation: &mut Operation) {
    let mut errors: Vec<(u16, &str)> = Vec::new();
    if !public {
        operation.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
        errors.extend([
            (
                401,
                "The API key is missing, unknown or revoked (`invalid_api_key_error`)",
            ),
            (
                429,
                "Too many requests with this API key, or too many failed authentications from this client \
                 (`rate_limited_error`); retry after `Retry-After` seconds",
            ),
            (500, "An internal error (`internal_server_error`)"),
            (
                503,
                "The database is unavailable; retry later (`internal_server_error`, `Retry-After`)",
            ),
        ]);
    }
    if path.starts_with("/simulations/") {
        errors.push((
            403,
            "A production API key called a sandbox simulation (`environment_mismatch_error`)",
        ));
    }
    if path.ends_with("/identification_numbers") {
        errors.push((
            403,
            "The API key was not created with `--reveal-pii` (`insufficient_permissions_error`); the attempt \
             is audited",
        ));
    }
    if path.starts_with("/hosted_onboarding/") && method == "patch" {
        errors.push((
            403,
            "A sandbox API key tried to change where the program redirects or who may frame it \
             (`insufficient_permissions_error`)",
        ));
    }
    if path.contains('{') {
        errors.push((
            404,
            "No object with this ID is visible to the API key (`object_not_found_error`)",
        ));
    }
    let has_query = operation
        .parameters
        .iter()
        .flatten()
        .any(|parameter| matches!(parameter, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
    if method == "get" && has_query {
        errors.push((400, "A query parameter is invalid (`invalid_parameters_error`)"));
    }
    if method == "post" || method == "patch" {
        errors.extend([
            (
                400,
                "The request is invalid (`invalid_parameters_error`, naming each field), cannot be parsed, \
                 or its body is over the size limit (`malformed_request_error`)",
            ),
            (
                409,
                "The `Idempotency-Key` was used for a different request (`idempotency_key_already_used_error`)",
            ),
        ]);
        operation.parameters.get_or_insert_with(Vec::new).push(RefOr::T(
            ParameterBuilder::new()
                .name(IDEMPOTENCY_HEADER)
                .parameter_in(ParameterIn::Header)
                .required(openapi::Required::False)
                .description(Some(
                    "Makes the request safe to retry: the same key with the same request replays the first \
                     response (with `Idempotent-Replayed: true`); with a different request it is a 409.",
                ))
                .schema(Some(<IdempotencyKey as utoipa::PartialSchema>::schema()))
                .build(),
        ));
        if let Some(RefOr::T(success)) = operation.responses.responses.get_mut("200") {
            success.headers.insert(
                "Idempotent-Replayed".to_owned(),
                RefOr::T(
                    HeaderBuilder::new()
                        .schema(Some(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .enum_values(Some(["true"])),
                        ))
                        .description(Some("Present when this is a replay of an earlier response."))
                        .build(),
                ),
            );
        }
    }
    for (status, description) in errors {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| {
                let mut response = ResponseBuilder::new().description(description).content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name(ErrorBody::name())))
                        .build(),
                );
                if matches!(status, 429 | 503) {
                    response = response.header(
                        "Retry-After",
                        HeaderBuilder::new()
                            .schema(Some(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1))))
                            .description(Some("Seconds to wait before retrying."))
                            .build(),
                    );
                }
                RefOr::T(response.build())
            });
    }
}

/// The schemas of an operation's responses.
fn response_schemas(operation: &Operation) -> Vec<RefOr<Schema>> {
    operation
        .responses
        .responses
        .values()
        .filter_map(|response| match response {
            RefOr::T(response) => Some(response),
            RefOr::Ref(_) => None,
        })
        .flat_map(|response| response.content.values())
        .filter_map(|content| match content {
            RefOr::T(content) => content.schema.clone(),
            RefOr::Ref(_) => None,
        })
        .collect()
}

/// The names of the component schemas `roots` use, directly or not.
fn reachable(schemas: &BTreeMap<String, RefOr<Schema>>, roots: Vec<RefOr<Schema>>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut pending = roots;
    while let Some(schema) = pending.pop() {
        match schema {
            RefOr::Ref(reference) => {
                let name = reference.ref_location.rsplit('/').next().unwrap_or_default().to_owned();
                if !names.contains(&name) {
                    pending.extend(schemas.get(&name).cloned());
                    names.push(name);
                }
            }
            RefOr::T(schema) => pending.extend(nested(&schema)),
        }
    }
    names
}

/// The schemas directly inside `schema`.
fn nested(schema: &Schema) -> Vec<RefOr<Schema>> {
    match schema {
        Schema::Object(object) => object.properties.values().cloned().collect(),
        Schema::Array(array) => match &array.items {
            ArrayItems::RefOrSchema(items) => vec![(**items).clone()],
            _ => Vec::new(),
        },
        Schema::OneOf(one_of) => one_of.items.clone(),
        Schema::AllOf(all_of) => all_of.items.clone(),
        Schema::AnyOf(any_of) => any_of.items.clone(),
        _ => Vec::new(),
    }
}

/// The API always sends every key of an object (`null` when it has no value)
/// and no other: each object in a response schema (inline ones included)
/// lists all its properties as required and allows no others.
fn every_key_present(schema: &mut Schema) {
    let inline: Vec<&mut RefOr<Schema>> = match schema {
        Schema::Object(object) => {
            if object.schema_type == SchemaType::Type(Type::Object) || !object.properties.is_empty() {
                object.required = object.properties.keys().cloned().collect();
                object
                    .additional_properties
                    .get_or_insert_with(|| Box::new(AdditionalProperties::FreeForm(false)));
            }
            object.properties.values_mut().collect()
        }
        Schema::Array(array) => match &mut array.items {
            ArrayItems::RefOrSchema(items) => vec![items.as_mut()],
            _ => Vec::new(),
        },
        Schema::OneOf(one_of) => one_of.items.iter_mut().collect(),
        Schema::AllOf(all_of) => all_of.items.iter_mut().collect(),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().collect(),
        _ => Vec::new(),
    };
    for schema in inline {
        if let RefOr::T(schema) = schema {
            every_key_present(schema);
        }
    }
}
