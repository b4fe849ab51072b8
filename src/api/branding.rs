//! This service's own extension, under its own prefix so that it can never
//! clash with Increase's API: how a program's hosted pages look and where
//! they may be used. `GET` and `PATCH
//! /hosted_onboarding/programs/{program_id}/branding`.

use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{
    auth::Caller,
    error::{ApiError, FieldError},
    pagination::Problems,
    request::{WriteRequest, json, read_json},
};
use crate::{
    domain::{
        api_key::Environment,
        branding::{
            AccentColor, Branding, BrandingChange, LinkUrl, Logo, MAX_LOGO_BYTES, MAX_ORIGINS, Origin,
            parse_display_name,
        },
        ids::ProgramId,
        program::Program,
    },
    links,
    startup::AppState,
    usecases::programs as usecase,
};

/// Room for a logo of 100 KB in base64 and the rest of the settings.
const MAX_BRANDING_BODY: usize = MAX_LOGO_BYTES * 4 / 3 + 16 * 1024;

/// How a program's hosted pages look and where they may be used.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ProgramBranding)]
pub struct BrandingResponse {
    pub program_id: String,
    /// The name customers see; the program's `name` when `null`.
    pub display_name: Option<String>,
    /// `#rrggbb`: buttons, links and the header's accent.
    pub accent_color: Option<String>,
    /// Where the logo is served (cached for good: a new logo has a new URL).
    pub logo_url: Option<String>,
    pub support_url: Option<String>,
    pub privacy_url: Option<String>,
    /// The origins a session's `redirect_url` may point at; any when `null`.
    pub allowed_redirect_origins: Option<Vec<String>>,
    /// The origins that may show the hosted form in a frame; none when empty.
    pub allowed_frame_ancestors: Vec<String>,
    /// Whether, in a frame, leaving the form for the platform (after
    /// submitting, or by a "Return to" link) replaces the whole window
    /// rather than the frame's page.
    pub redirect_out_of_frame: bool,
    #[serde(rename = "type")]
    #[schema(schema_with = super::openapi::object_type::program_branding)]
    pub kind: &'static str,
}

impl BrandingResponse {
    pub fn new(program: &Program, public_url: &url::Url) -> Self {
        let Branding {
            display_name,
            accent_color,
            logo,
            support_url,
            privacy_url,
            allowed_redirect_origins,
            allowed_frame_ancestors,
            redirect_out_of_frame,
        } = &program.branding;
        let origins = |list: &[Origin]| list.iter().map(|o| o.as_str().to_owned()).collect::<Vec<_>>();
        Self {
            program_id: program.id.to_string(),
            display_name: display_name.clone(),
            accent_color: accent_color.map(|color| color.as_hex()),
            logo_url: logo
                .as_ref()
                .map(|logo| links::absolute(public_url, &links::logo(logo))),
            support_url: support_url.as_ref().map(|url| url.as_str().to_owned()),
            privacy_url: privacy_url.as_ref().map(|url| url.as_str().to_owned()),
            allowed_redirect_origins: allowed_redirect_origins.as_deref().map(origins),
            allowed_frame_ancestors: origins(allowed_frame_ancestors),
            redirect_out_of_frame: *redirect_out_of_frame,
            kind: "hosted_onboarding_program_branding",
        }
    }
}

/// A change of branding. Every key is optional: a key left out keeps its
/// value, `null` clears it.
#[derive(Debug, ToSchema)]
#[schema(as = UpdateProgramBranding)]
#[allow(dead_code, reason = "documents the body, which is read key by key")]
pub struct UpdateBrandingBody {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    display_name: Option<String>,
    /// `#rrggbb`; white text on it must have a contrast of at least 4.5:1.
    #[schema(pattern = "^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    accent_color: Option<String>,
    /// The image, base64-encoded: PNG, JPEG or WebP, at most 100 KB. No SVG.
    logo: Option<String>,
    /// An https URL or a `mailto:` address, shown in every page's footer.
    support_url: Option<String>,
    /// An https URL or a `mailto:` address, shown in every page's footer.
    privacy_url: Option<String>,
    /// Origins such as `https://app.example`; `null` allows any `redirect_url`. Needs a production key.
    #[schema(min_items = 1, max_items = 20)]
    allowed_redirect_origins: Option<Vec<String>>,
    /// Origins such as `https://app.example`; an empty list or `null` allows none. Needs a production key.
    #[schema(max_items = 20)]
    allowed_frame_ancestors: Option<Vec<String>>,
    /// Whether, in a frame, leaving the form replaces the whole window; `false` when not set. Needs a
    /// production key.
    redirect_out_of_frame: Option<bool>,
}

const KEYS: [&str; 8] = [
    "display_name",
    "accent_color",
    "logo",
    "support_url",
    "privacy_url",
    "allowed_redirect_origins",
    "allowed_frame_ancestors",
    "redirect_out_of_frame",
];

/// Reads a change from the body's keys: left out, `null`, or a value.
fn parse_change(body: &serde_json::Map<String, Value>) -> Result<BrandingChange, ApiError> {
    let mut problems = Problems::default();
    for key in body.keys().filter(|key| !KEYS.contains(&key.as_str())) {
        problems.take::<()>(Err(FieldError::new(
            key.as_str(),
            format!("is not a branding setting; the settings are {}", KEYS.join(", ")),
        )));
    }
    let change = BrandingChange {
        display_name: problems
            .take(text(body, "display_name", |s| {
                parse_display_name(s).map_err(str::to_owned)
            }))
            .flatten(),
        accent_color: problems.take(text(body, "accent_color", AccentColor::parse)).flatten(),
        logo: problems
            .take(setting(body, "logo", |encoded| {
                // Line breaks, as `base64` and `base64.encodebytes` write
                // them, are not part of the image.
                let encoded: String = encoded.chars().filter(|c| !c.is_ascii_whitespace()).collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .map_err(|_| FieldError::new("logo", "must be the image's bytes in base64"))?;
                Logo::parse(bytes).map_err(|message| FieldError::new("logo", message))
            }))
            .flatten(),
        support_url: problems
            .take(text(body, "support_url", |s| LinkUrl::parse(s).map_err(str::to_owned)))
            .flatten(),
        privacy_url: problems
            .take(text(body, "privacy_url", |s| LinkUrl::parse(s).map_err(str::to_owned)))
            .flatten(),
        allowed_redirect_origins: problems
            .take(match body.get("allowed_redirect_origins") {
                Some(Value::Null) => Ok(Some(None)),
                Some(Value::Array(items)) if items.is_empty() => Err(FieldError::new(
                    "allowed_redirect_origins",
                    "must list at least one origin; to allow any redirect_url, send null",
                )),
                _ => origins(body, "allowed_redirect_origins").map(|list| list.map(Some)),
            })
            .flatten(),
        allowed_frame_ancestors: problems.take(origins(body, "allowed_frame_ancestors")).flatten(),
        redirect_out_of_frame: problems
            .take(match body.get("redirect_out_of_frame") {
                None => Ok(None),
                Some(Value::Null) => Ok(Some(false)),
                Some(Value::Bool(value)) => Ok(Some(*value)),
                Some(_) => Err(FieldError::new("redirect_out_of_frame", "must be true, false or null")),
            })
            .flatten(),
    };
    problems.finish(Some(change))
}

/// `None`: the key is absent. `Some(None)`: `null`. `Some(Some(v))`: a string parsed by `parse`.
fn text<T>(
    body: &serde_json::Map<String, Value>,
    key: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<Option<T>>, FieldError> {
    setting(body, key, |s| {
        if s.chars().any(char::is_control) {
            return Err(FieldError::new(key, "must not contain control characters"));
        }
        parse(s).map_err(|message| FieldError::new(key, message))
    })
}

/// A setting given as a string: `None` when the key is absent, `Some(None)`
/// for `null`, else the string as `parse` reads it.
fn setting<T>(
    body: &serde_json::Map<String, Value>,
    key: &str,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Result<Option<Option<T>>, FieldError> {
    match body.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => parse(s).map(|v| Some(Some(v))),
        Some(_) => Err(FieldError::new(key, "must be a string or null")),
    }
}

/// A list of origins; `null` reads as an empty list.
fn origins(body: &serde_json::Map<String, Value>, key: &str) -> Result<Option<Vec<Origin>>, FieldError> {
    let items = match body.get(key) {
        None => return Ok(None),
        Some(Value::Null) => return Ok(Some(Vec::new())),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(FieldError::new(
                key,
                "must be a list of origins such as [\"https://app.example\"]",
            ));
        }
    };
    if items.len() > MAX_ORIGINS {
        return Err(FieldError::new(
            key,
            format!("lists {} origins; at most {MAX_ORIGINS} may be listed", items.len()),
        ));
    }
    let parsed = items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) => Origin::parse(s).map_err(|m| FieldError::new(format!("{key}.{i}"), m)),
            _ => Err(FieldError::new(format!("{key}.{i}"), "must be a string")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Origin::check_list(parsed)
        .map(Some)
        .map_err(|m| FieldError::new(key, m))
}

#[utoipa::path(
    get,
    path = "/hosted_onboarding/programs/{program_id}/branding",
    tag = "Hosted onboarding extensions",
    operation_id = "retrieve_program_branding",
    params(("program_id" = ProgramId, Path, description = "The Program's ID.")),
    responses((status = 200, description = "The Program's branding", body = BrandingResponse)),
)]
pub async fn retrieve_branding(
    state: web::Data<AppState>,
    caller: Caller,
    program_id: web::Path<ProgramId>,
) -> Result<HttpResponse, ApiError> {
    let program = state
        .store
        .find_program(&caller.group_id, &program_id)
        .await?
        .ok_or(ApiError::ObjectNotFound)?;
    Ok(HttpResponse::Ok().json(BrandingResponse::new(&program, &state.public_url)))
}

#[utoipa::path(
    patch,
    path = "/hosted_onboarding/programs/{program_id}/branding",
    tag = "Hosted onboarding extensions",
    operation_id = "update_program_branding",
    params(("program_id" = ProgramId, Path, description = "The Program's ID.")),
    request_body = UpdateBrandingBody,
    responses((status = 200, description = "The Program's branding", body = BrandingResponse)),
)]
pub async fn update_branding(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    program_id: web::Path<ProgramId>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = read_json(&req, payload, MAX_BRANDING_BODY.max(state.settings.max_body_bytes)).await?;
    if body.was_empty {
        return Err(ApiError::MalformedRequest(
            "Send the settings to change as a JSON object, such as {\"accent_color\": \"#0a7d5a\"}.".to_owned(),
        ));
    }
    let write = WriteRequest::new(&req, &body.canonical)?;
    let change = match body.value.as_object().map(parse_change) {
        // Where a program may send customers and who may frame its pages
        // are guarded: a sandbox key (handed to tests and CI) may restyle a
        // program, but not widen those.
        Some(Ok(change))
            if caller.environment != Environment::Production
                && (change.allowed_redirect_origins.is_some()
                    || change.allowed_frame_ancestors.is_some()
                    || change.redirect_out_of_frame.is_some()) =>
        {
            let refused = ApiError::InsufficientPermissions(
                "Only a production API key may change allowed_redirect_origins, allowed_frame_ancestors or \
                 redirect_out_of_frame.",
            );
            return write.refuse(&state, &caller, refused).await;
        }
        Some(Ok(change)) => change,
        Some(Err(error)) => return write.refuse(&state, &caller, error).await,
        None => {
            return Err(ApiError::MalformedRequest(
                "The request body must be a JSON object.".to_owned(),
            ));
        }
    };
    let now = state.clock.now();
    let public_url = state.public_url.clone();
    write
        .run(
            &state,
            &caller,
            async |work| usecase::update_branding(work, &caller.group_id, &program_id, &change, now).await,
            |program| json(BrandingResponse::new(program, &public_url)),
        )
        .await
}
