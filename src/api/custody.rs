//! The audited reveal of personal data:
//! `GET /entities/{id}/identification_numbers`, for keys made with
//! `--reveal-pii` only. Every attempt, allowed or not, is written to the
//! audit log before anything is answered; a reveal whose audit record cannot
//! be written is not made.

use actix_web::{HttpMessage, HttpRequest, HttpResponse, http::header, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::{auth::Caller, error::ApiError};
use crate::{
    domain::{
        entity::IdentificationMethod,
        ids::{BeneficialOwnerId, EntityId},
    },
    startup::{AppState, RequestId},
    store::{AuditOutcome, NewAuditEntry, RevealedNumber, Subject},
};

/// The audit log's name for this endpoint.
pub const REVEAL_ACTION: &str = "reveal_identification_numbers";

/// An Entity's full identification numbers.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EntityIdentificationNumbers)]
pub struct IdentificationNumbersResponse {
    #[serde(rename = "type")]
    #[schema(schema_with = super::openapi::object_type::identification_numbers)]
    kind: &'static str,
    entity_id: EntityId,
    /// One entry per person with a stored number: the natural person, or
    /// each beneficial owner in the Entity's order.
    data: Vec<IdentificationNumber>,
}

#[derive(Debug, Serialize, ToSchema)]
struct IdentificationNumber {
    #[schema(value_type = String, example = "beneficial_owner")]
    subject: &'static str,
    beneficial_owner_id: Option<BeneficialOwnerId>,
    method: IdentificationMethod,
    /// The whole number: 9 digits for an SSN or ITIN, the document's number otherwise.
    number: String,
}

impl From<RevealedNumber> for IdentificationNumber {
    fn from(revealed: RevealedNumber) -> Self {
        Self {
            subject: match revealed.subject {
                Subject::NaturalPerson => "natural_person",
                Subject::BeneficialOwner => "beneficial_owner",
            },
            beneficial_owner_id: revealed.beneficial_owner_id,
            method: revealed.method,
            number: revealed.number.expose().to_owned(),
        }
    }
}

#[utoipa::path(
    get,
    path = "/entities/{id}/identification_numbers",
    tag = "Entities",
    operation_id = "reveal_entity_identification_numbers",
    description = "Reveals the full identification numbers of an Entity's people. Only API keys created with \
        `onboarding api-keys create --reveal-pii` may call it; every attempt is recorded in the audit log.",
    params(("id" = EntityId, Path, description = "The Entity's ID.")),
    responses((status = 200, description = "The Entity's identification numbers", body = IdentificationNumbersResponse)),
)]
pub async fn reveal_identification_numbers(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    // Recorded as asked for (bounded), even when it names no Entity.
    let requested: String = id.chars().filter(|c| !c.is_control()).take(100).collect();
    let client_ip = crate::edge::client_ip::client_ip(&req).map(|ip| ip.to_string());
    let request_id = req.extensions().get::<RequestId>().map(|id| id.0.clone());
    let audit = |outcome| {
        let entry = NewAuditEntry {
            action: REVEAL_ACTION,
            outcome,
            group_id: &caller.group_id,
            api_key_id: &caller.api_key_id,
            entity_id: &requested,
            client_ip: client_ip.as_deref(),
            request_id: request_id.as_deref(),
        };
        let state = state.clone();
        async move { state.store.record_audit(&entry, state.clock.now()).await }
    };
    if !caller.permissions.reveal_pii {
        audit(AuditOutcome::Refused).await?;
        return Err(ApiError::InsufficientPermissions(
            "Only API keys created with `onboarding api-keys create --reveal-pii` may reveal identification numbers.",
        ));
    }
    let found = match requested.parse::<EntityId>() {
        Ok(entity_id) => state
            .store
            .identification_numbers(&caller.group_id, &entity_id)
            .await?
            .map(|numbers| (entity_id, numbers)),
        Err(_) => None,
    };
    let Some((entity_id, numbers)) = found else {
        audit(AuditOutcome::NotFound).await?;
        return Err(ApiError::ObjectNotFound);
    };
    audit(AuditOutcome::Revealed).await?;
    tracing::info!(entity_id = %entity_id, api_key_id = %caller.api_key_id, "identification numbers revealed");
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(IdentificationNumbersResponse {
            kind: "entity_identification_numbers",
            entity_id,
            data: numbers.into_iter().map(Into::into).collect(),
        }))
}
