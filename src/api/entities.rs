//! Entities (SPEC 3.2). A person's identification only ever shows its last 4.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    auth::Caller,
    error::{ApiError, FieldError},
    pagination::{ListQuery, Page, PageRequest},
    request::{JsonWrite, begin_json_write, read_json},
};
use crate::{
    domain::{
        entity::{
            Address, BeneficialOwner, Corporation, EntityDetails, EntityStatus, Individual, LegalIdentifier, Structure,
            TermsAgreement,
        },
        ids,
        onboarding::{Completeness, CorporationInput, IndividualInput, Rules, parse_details},
        person::parse_text,
        tasks::{ISSUE_CATEGORIES, Task, outstanding_tasks, validation_issue},
        time,
    },
    startup::AppState,
    store::{EntityFilter, EntityRow, NewEntity},
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
            beneficial_ownership_exemption_reason: c.beneficial_ownership_exemption_reason.as_deref(),
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
    /// What the Entity still lacks for a complete onboarding; the hosted form
    /// of a session created with this Entity asks for exactly these.
    pub onboarding_tasks: Vec<Task>,
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
            ApiError::internal(std::io::Error::other(format!("unknown structure {:?}", row.structure)))
        })?;
        let details = EntityDetails::from_json(structure, &row.details).map_err(ApiError::internal)?;
        let validation = row
            .validation
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(ApiError::internal)?;
        let terms_agreements = serde_json::from_str(&row.terms_agreements).map_err(ApiError::internal)?;
        Ok(Self {
            row,
            structure,
            details,
            validation,
            terms_agreements,
        })
    }

    pub fn tasks(&self) -> Vec<Task> {
        outstanding_tasks(
            &self.details,
            self.row.details_confirmed_at.is_some(),
            !self.terms_agreements.is_empty(),
            self.validation.as_ref(),
        )
    }

    pub fn details(&self) -> &EntityDetails {
        &self.details
    }

    pub fn row(&self) -> &EntityRow {
        &self.row
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
            creating_entity_onboarding_session_id: row.creating_entity_onboarding_session_id.as_deref(),
            idempotency_key: row.idempotency_key.as_deref(),
            created_at: time::from_micros(row.created_at),
            validation: self.validation.clone(),
            supplemental_documents: Vec::new(),
            terms_agreements: self.terms_agreements.clone(),
            third_party_verification: None,
            risk_rating: None,
            onboarding_tasks: self.tasks(),
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
    respond_entity(&row)
}

#[derive(Debug, Deserialize)]
struct CreateEntityBody {
    structure: Option<String>,
    corporation: Option<CorporationInput>,
    natural_person: Option<IndividualInput>,
    description: Option<String>,
}

impl CreateEntityBody {
    fn into_new_entity(self, today: chrono::NaiveDate) -> Result<NewEntity, ApiError> {
        let mut errors = Vec::new();
        let description = match self.description.as_deref().map(|d| parse_text(d, 200)) {
            Some(Err(message)) => {
                errors.push(FieldError::new("description", message));
                None
            }
            Some(Ok(description)) => Some(description),
            None => None,
        };
        let details = match self.structure.as_deref() {
            None => {
                errors.push(FieldError::new("structure", "is required"));
                None
            }
            Some(structure) => {
                let rules = Rules {
                    today,
                    completeness: Completeness::Partial,
                };
                match parse_details(
                    structure,
                    self.corporation.as_ref(),
                    self.natural_person.as_ref(),
                    rules,
                ) {
                    Ok(details) => Some(details),
                    Err(problems) => {
                        errors.extend(problems.into_iter().map(|p| FieldError::new(p.path, p.message)));
                        None
                    }
                }
            }
        };
        match details {
            Some(details) if errors.is_empty() => Ok(NewEntity {
                id: ids::new_id(ids::ENTITY),
                details,
                description,
            }),
            _ => Err(ApiError::InvalidParameters(errors)),
        }
    }
}

fn render(row: &EntityRow) -> Result<String, serde_json::Error> {
    let entity = Entity::from_row(row.clone()).map_err(|_| serde::ser::Error::custom("stored entity is unreadable"))?;
    serde_json::to_string(&entity.response())
}

fn respond_entity(row: &EntityRow) -> Result<HttpResponse, ApiError> {
    let entity = Entity::from_row(row.clone())?;
    Ok(HttpResponse::Ok().json(entity.response()))
}

pub async fn create_entity(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (body, write) = match begin_json_write(&state, &caller, &req, payload).await? {
        JsonWrite::Replay(response) => return Ok(response),
        JsonWrite::New(body, write) => (body, write),
    };
    let now = state.clock.now();
    let entity = body.parse::<CreateEntityBody>()?.into_new_entity(now.date_naive())?;
    let outcome = state
        .store
        .insert_entity(&caller.group_id, &entity, write.idempotency(), now, render)
        .await?;
    match outcome {
        crate::store::Outcome::Done(row) => respond_entity(&row),
        crate::store::Outcome::Replayed(stored) => write.replay(stored),
    }
}

fn timestamp_filter(query: &ListQuery, name: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let raw = query.get(name)?;
    match DateTime::parse_from_rfc3339(raw) {
        Ok(at) => Some(time::to_micros(at.with_timezone(&Utc))),
        Err(_) => {
            errors.push(FieldError::new(
                name,
                "must be an ISO 8601 timestamp, like 2026-01-31T23:59:59Z",
            ));
            None
        }
    }
}

pub async fn list_entities(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = ListQuery::parse(req.query_string());
    let mut errors = Vec::new();
    let page = query.page().unwrap_or_else(|mut bad| {
        errors.append(&mut bad);
        PageRequest {
            limit: 1,
            before_seq: None,
        }
    });
    let statuses = query
        .list(
            "status.in",
            |s| EntityStatus::parse(s).map(|s| s.as_str().to_owned()),
            "active, archived, disabled",
        )
        .unwrap_or_else(|bad| {
            errors.push(bad);
            None
        });
    let filter = EntityFilter {
        statuses,
        idempotency_key: query.get("idempotency_key").map(str::to_owned),
        created_after: timestamp_filter(&query, "created_at.after", &mut errors),
        created_before: timestamp_filter(&query, "created_at.before", &mut errors),
        created_on_or_after: timestamp_filter(&query, "created_at.on_or_after", &mut errors),
        created_on_or_before: timestamp_filter(&query, "created_at.on_or_before", &mut errors),
        before_seq: page.before_seq,
        limit: page.fetch_limit(),
    };
    if !errors.is_empty() {
        return Err(ApiError::InvalidParameters(errors));
    }
    let rows = state.store.list_entities(&caller.group_id, &filter).await?;
    let entities = rows.into_iter().map(Entity::from_row).collect::<Result<Vec<_>, _>>()?;
    let page = Page::from_rows(
        entities,
        page,
        |e| e.row.seq,
        |e| serde_json::to_value(e.response()).unwrap_or(Value::Null),
    );
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Debug, Deserialize)]
struct IssueBody {
    category: Option<String>,
    beneficial_owner_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UpdateValidationBody {
    issues: Option<Vec<IssueBody>>,
}

/// Sandbox: `POST /simulations/entities/{id}/update_validation` sets the
/// Entity's validation issues (none means `valid`).
pub async fn simulate_update_validation(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = read_json(&req, payload, state.settings.max_body_bytes).await?;
    if !ids::has_shape(ids::ENTITY, &id) {
        return Err(ApiError::ObjectNotFound);
    }
    let input = body.parse::<UpdateValidationBody>()?;
    let row = state
        .store
        .find_entity(&caller.group_id, &id)
        .await?
        .ok_or(ApiError::ObjectNotFound)?;
    let entity = Entity::from_row(row)?;
    let owners: Vec<&str> = match entity.details() {
        EntityDetails::Corporation(c) => c.beneficial_owners.iter().map(|o| o.id.as_str()).collect(),
        EntityDetails::NaturalPerson(_) => Vec::new(),
    };
    let mut errors = Vec::new();
    let mut issues = Vec::new();
    let Some(raw_issues) = input.issues else {
        return Err(ApiError::field("issues", "is required"));
    };
    for (index, issue) in raw_issues.iter().enumerate() {
        let path = format!("issues.{index}");
        let Some(category) = issue.category.as_deref().filter(|c| ISSUE_CATEGORIES.contains(c)) else {
            errors.push(FieldError::new(
                format!("{path}.category"),
                format!("must be one of {}", ISSUE_CATEGORIES.join(", ")),
            ));
            continue;
        };
        let owner = if category.starts_with("beneficial_owner") {
            match issue.beneficial_owner_id.as_deref() {
                Some(owner) if owners.contains(&owner) => Some(owner),
                Some(_) => {
                    errors.push(FieldError::new(
                        format!("{path}.beneficial_owner_id"),
                        "is not a beneficial owner of this Entity",
                    ));
                    continue;
                }
                None => match owners.first() {
                    Some(first) => Some(*first),
                    None => {
                        errors.push(FieldError::new(
                            format!("{path}.category"),
                            "the Entity has no beneficial owners",
                        ));
                        continue;
                    }
                },
            }
        } else {
            None
        };
        issues.push(validation_issue(category, owner));
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidParameters(errors));
    }
    let status = if issues.is_empty() { "valid" } else { "invalid" };
    let validation = serde_json::json!({ "issues": issues, "status": status });
    let row = state
        .store
        .update_entity_validation(&caller.group_id, &id, &validation.to_string(), state.clock.now())
        .await?;
    respond_entity(&row)
}

/// `POST /entities/{id}/archive`: an archived Entity cannot be onboarded.
pub async fn archive_entity(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    super::request::discard_body(&req, payload, state.settings.max_body_bytes).await?;
    if !ids::has_shape(ids::ENTITY, &id) {
        return Err(ApiError::ObjectNotFound);
    }
    let row = state
        .store
        .archive_entity(&caller.group_id, &id, state.clock.now())
        .await?;
    respond_entity(&row)
}
