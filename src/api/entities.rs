//! Entities (SPEC 3.2). A person's identification only ever shows its last 4.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{auth::Caller, error::ApiError};
use crate::{
    domain::{
        entity::{
            Address, BeneficialOwner, Corporation, EntityDetails, Individual, LegalIdentifier,
            Structure, TermsAgreement,
        },
        ids, time,
    },
    startup::AppState,
    store::EntityRow,
};

/// A corporation as shown on the wire: the stored document plus
/// `tax_identifier`, which older SDK versions read.
#[derive(Debug, Serialize)]
pub struct CorporationResponse<'a> {
    pub name: &'a str,
    pub website: Option<&'a str>,
    pub email: Option<&'a str>,
    pub incorporation_state: Option<&'a str>,
    pub industry_code: Option<&'a str>,
    pub legal_identifier: Option<&'a LegalIdentifier>,
    pub tax_identifier: Option<&'a str>,
    pub address: &'a Address,
    pub beneficial_owners: &'a [BeneficialOwner],
    pub beneficial_ownership_exemption_reason: Option<&'a str>,
}

impl<'a> From<&'a Corporation> for CorporationResponse<'a> {
    fn from(c: &'a Corporation) -> Self {
        Self {
            name: &c.name,
            website: c.website.as_deref(),
            email: c.email.as_deref(),
            incorporation_state: c.incorporation_state.as_deref(),
            industry_code: c.industry_code.as_deref(),
            legal_identifier: c.legal_identifier.as_ref(),
            tax_identifier: c.legal_identifier.as_ref().map(|id| id.value.as_str()),
            address: &c.address,
            beneficial_owners: &c.beneficial_owners,
            beneficial_ownership_exemption_reason: c
                .beneficial_ownership_exemption_reason
                .as_deref(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct EntityResponse<'a> {
    pub id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub structure: &'static str,
    pub corporation: Option<CorporationResponse<'a>>,
    pub natural_person: Option<&'a Individual>,
    pub joint: Option<Value>,
    pub trust: Option<Value>,
    pub government_authority: Option<Value>,
    pub sole_proprietorship: Option<Value>,
    pub description: Option<&'a str>,
    pub status: &'a str,
    #[serde(serialize_with = "time::serialize_option")]
    pub details_confirmed_at: Option<DateTime<Utc>>,
    pub creating_entity_onboarding_session_id: Option<&'a str>,
    pub idempotency_key: Option<&'a str>,
    #[serde(serialize_with = "time::serialize")]
    pub created_at: DateTime<Utc>,
    pub validation: Option<Value>,
    pub supplemental_documents: Vec<Value>,
    pub terms_agreements: Vec<TermsAgreement>,
    pub third_party_verification: Option<Value>,
    pub risk_rating: Option<Value>,
}

/// An Entity row with its JSON columns parsed.
#[derive(Debug)]
pub struct Entity {
    row: EntityRow,
    structure: Structure,
    details: EntityDetails,
    validation: Option<Value>,
    terms_agreements: Vec<TermsAgreement>,
}

impl Entity {
    pub fn from_row(row: EntityRow) -> Result<Self, ApiError> {
        let structure = Structure::parse(&row.structure).ok_or_else(|| {
            ApiError::internal(std::io::Error::other(format!(
                "unknown structure {:?}",
                row.structure
            )))
        })?;
        let details =
            EntityDetails::from_json(structure, &row.details).map_err(ApiError::internal)?;
        let validation = row
            .validation
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(ApiError::internal)?;
        let terms_agreements =
            serde_json::from_str(&row.terms_agreements).map_err(ApiError::internal)?;
        Ok(Self {
            row,
            structure,
            details,
            validation,
            terms_agreements,
        })
    }

    pub fn response(&self) -> EntityResponse<'_> {
        let row = &self.row;
        let (corporation, natural_person) = match &self.details {
            EntityDetails::Corporation(c) => (Some(CorporationResponse::from(c)), None),
            EntityDetails::NaturalPerson(p) => (None, Some(p)),
        };
        EntityResponse {
            id: &row.id,
            kind: "entity",
            structure: self.structure.as_str(),
            corporation,
            natural_person,
            joint: None,
            trust: None,
            government_authority: None,
            sole_proprietorship: None,
            description: row.description.as_deref(),
            status: &row.status,
            details_confirmed_at: row.details_confirmed_at.map(time::from_micros),
            creating_entity_onboarding_session_id: row
                .creating_entity_onboarding_session_id
                .as_deref(),
            idempotency_key: row.idempotency_key.as_deref(),
            created_at: time::from_micros(row.created_at),
            validation: self.validation.clone(),
            supplemental_documents: Vec::new(),
            terms_agreements: self.terms_agreements.clone(),
            third_party_verification: None,
            risk_rating: None,
        }
    }
}

pub async fn retrieve_entity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if !ids::has_shape(ids::ENTITY, &id) {
        return Err(ApiError::ObjectNotFound);
    }
    let row = state
        .store
        .find_entity(&caller.group_id, &id)
        .await?
        .ok_or(ApiError::ObjectNotFound)?;
    let entity = Entity::from_row(row)?;
    Ok(HttpResponse::Ok().json(entity.response()))
}
