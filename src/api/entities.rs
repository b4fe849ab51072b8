//! Entities (SPEC 3.2). A person's identification only ever shows its last 4.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{
    auth::{Caller, SandboxCaller},
    error::{ApiError, FieldError},
    pagination::{ListQuery, ListResponse, Problems},
    request::{WriteRequest, begin_json_write, json, read_json},
};
use crate::{
    domain::{
        address::UsState,
        entity::{
            Address, BeneficialOwner, Corporation, Entity, EntityDetails, EntityStatus, ExemptionReason, Individual,
            LegalIdentifier, Structure, TermsAgreement,
        },
        ids::{BeneficialOwnerId, EntityId, IdempotencyKey, SessionId},
        onboarding::{Completeness, CorporationInput, IndividualInput, Rules, parse_details},
        person::parse_text,
        person::{Email, NaicsCode, Website},
        tasks::Task,
        time,
        validation::{IssueCategory, Validation, ValidationStatus},
    },
    startup::AppState,
    store::EntityFilter,
    usecases::entities::{self as usecase, RequestedIssue},
};

/// A corporation as shown on the wire: the stored document plus
/// `tax_identifier`, which older SDK versions read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Corporation)]
pub struct CorporationResponse<'a> {
    pub name: &'a str,
    pub website: Option<&'a Website>,
    pub email: Option<&'a Email>,
    pub incorporation_state: Option<UsState>,
    pub industry_code: Option<&'a NaicsCode>,
    pub legal_identifier: Option<&'a LegalIdentifier>,
    /// The same value as `legal_identifier.value`, for older SDKs.
    pub tax_identifier: Option<&'a str>,
    pub address: &'a Address,
    pub beneficial_owners: &'a [BeneficialOwner],
    pub beneficial_ownership_exemption_reason: Option<ExemptionReason>,
}

impl<'a> From<&'a Corporation> for CorporationResponse<'a> {
    fn from(c: &'a Corporation) -> Self {
        Self {
            name: &c.name,
            website: c.website.as_ref(),
            email: c.email.as_ref(),
            incorporation_state: c.incorporation_state,
            industry_code: c.industry_code.as_ref(),
            legal_identifier: c.legal_identifier.as_ref(),
            tax_identifier: c.legal_identifier.as_ref().map(LegalIdentifier::value),
            address: &c.address,
            beneficial_owners: &c.beneficial_owners,
            beneficial_ownership_exemption_reason: c.beneficial_ownership_exemption_reason,
        }
    }
}

/// A terms agreement on the wire: its time in whole seconds, as Increase shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TermsAgreement)]
pub struct TermsAgreementResponse<'a> {
    #[serde(serialize_with = "time::serialize")]
    pub agreed_at: DateTime<Utc>,
    pub ip_address: Option<&'a str>,
    #[schema(format = Uri)]
    pub terms_url: &'a str,
}

impl<'a> From<&'a TermsAgreement> for TermsAgreementResponse<'a> {
    fn from(agreement: &'a TermsAgreement) -> Self {
        Self {
            agreed_at: agreement.agreed_at,
            ip_address: agreement.ip_address.as_deref(),
            terms_url: &agreement.terms_url,
        }
    }
}

/// An Entity: a business or a person onboarded to a Program. Exactly the
/// sub-object matching `structure` is non-null.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Entity)]
pub struct EntityResponse<'a> {
    pub id: &'a EntityId,
    #[serde(rename = "type")]
    #[schema(schema_with = super::openapi::object_type::entity)]
    pub kind: &'static str,
    pub structure: Structure,
    pub corporation: Option<CorporationResponse<'a>>,
    pub natural_person: Option<&'a Individual>,
    #[schema(schema_with = super::openapi::unsupported_object)]
    pub joint: Option<Value>,
    #[schema(schema_with = super::openapi::unsupported_object)]
    pub trust: Option<Value>,
    #[schema(schema_with = super::openapi::unsupported_object)]
    pub government_authority: Option<Value>,
    #[schema(schema_with = super::openapi::unsupported_object)]
    pub sole_proprietorship: Option<Value>,
    pub description: Option<&'a str>,
    pub status: EntityStatus,
    #[serde(serialize_with = "time::serialize_option")]
    pub details_confirmed_at: Option<DateTime<Utc>>,
    pub creating_entity_onboarding_session_id: Option<&'a SessionId>,
    pub idempotency_key: Option<&'a IdempotencyKey>,
    #[serde(serialize_with = "time::serialize")]
    pub created_at: DateTime<Utc>,
    pub validation: Option<&'a Validation>,
    /// Not supported by this service: always empty.
    #[schema(value_type = Vec<Object>, max_items = 0)]
    pub supplemental_documents: Vec<Value>,
    pub terms_agreements: Vec<TermsAgreementResponse<'a>>,
    #[schema(schema_with = super::openapi::unsupported_object)]
    pub third_party_verification: Option<Value>,
    #[schema(schema_with = super::openapi::unsupported_object)]
    pub risk_rating: Option<Value>,
    /// What the Entity still lacks for a complete onboarding; the hosted form
    /// of a session created with this Entity asks for exactly these.
    pub onboarding_tasks: Vec<Task>,
}

impl<'a> From<&'a Entity> for EntityResponse<'a> {
    fn from(entity: &'a Entity) -> Self {
        let (corporation, natural_person) = match &entity.details {
            EntityDetails::Corporation(c) => (Some(CorporationResponse::from(c)), None),
            EntityDetails::NaturalPerson(p) => (None, Some(p)),
        };
        Self {
            id: &entity.id,
            kind: "entity",
            structure: entity.details.structure(),
            corporation,
            natural_person,
            joint: None,
            trust: None,
            government_authority: None,
            sole_proprietorship: None,
            description: entity.description.as_deref(),
            status: entity.status,
            details_confirmed_at: entity.details_confirmed_at,
            creating_entity_onboarding_session_id: entity.creating_entity_onboarding_session_id.as_ref(),
            idempotency_key: entity.idempotency_key.as_ref(),
            created_at: entity.created_at,
            validation: entity.validation.as_ref(),
            supplemental_documents: Vec::new(),
            terms_agreements: entity
                .terms_agreements
                .iter()
                .map(TermsAgreementResponse::from)
                .collect(),
            third_party_verification: None,
            risk_rating: None,
            onboarding_tasks: entity.tasks(),
        }
    }
}

#[utoipa::path(
    get,
    path = "/entities/{id}",
    tag = "Entities",
    operation_id = "retrieve_an_entity",
    params(("id" = EntityId, Path, description = "The Entity's ID.")),
    responses((status = 200, description = "The Entity", body = EntityResponse)),
)]
pub async fn retrieve_entity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<EntityId>,
) -> Result<HttpResponse, ApiError> {
    let entity = state
        .store
        .find_entity(&caller.group_id, &id)
        .await?
        .ok_or(ApiError::ObjectNotFound)?;
    Ok(HttpResponse::Ok().json(EntityResponse::from(&entity)))
}

/// Every value given is checked by the hosted form's rules; what is missing
/// becomes an outstanding task (`onboarding_tasks`).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = CreateEntity)]
struct CreateEntityBody {
    #[schema(value_type = Structure, required = true)]
    structure: Option<String>,
    /// Required when `structure` is `corporation`; omitted (or null) otherwise.
    corporation: Option<CorporationInput>,
    /// Required when `structure` is `natural_person`; omitted (or null) otherwise.
    natural_person: Option<IndividualInput>,
    /// 1 to 200 characters once leading and trailing spaces are trimmed; no
    /// control characters.
    #[schema(min_length = 1)]
    description: Option<String>,
}

/// A new Entity's details and description, checked against the rules for
/// platforms (what is missing becomes an outstanding task).
struct CreateEntity {
    details: EntityDetails,
    description: Option<String>,
}

impl CreateEntityBody {
    fn parse(self, today: chrono::NaiveDate) -> Result<CreateEntity, ApiError> {
        let mut problems = Problems::default();
        let description = problems.take(
            self.description
                .as_deref()
                .map(|d| parse_text(d, 200))
                .transpose()
                .map_err(|message| FieldError::new("description", message)),
        );
        let details = problems.take_all(match self.structure.as_deref() {
            None => Err(vec![FieldError::new("structure", "is required")]),
            Some(structure) => {
                let rules = Rules {
                    today,
                    completeness: Completeness::Partial,
                };
                parse_details(
                    structure,
                    self.corporation.as_ref(),
                    self.natural_person.as_ref(),
                    rules,
                )
                .map_err(|problems| problems.into_iter().map(FieldError::from).collect())
            }
        });
        let (details, description) = problems.finish(details.zip(description))?;
        Ok(CreateEntity { details, description })
    }
}

#[utoipa::path(
    post,
    path = "/entities",
    tag = "Entities",
    operation_id = "create_an_entity",
    request_body = CreateEntityBody,
    responses((status = 200, description = "The new Entity", body = EntityResponse)),
)]
pub async fn create_entity(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (body, write) = begin_json_write(&state, &req, payload).await?;
    let now = state.clock.now();
    let request = match body
        .parse::<CreateEntityBody>()
        .and_then(|input| input.parse(now.date_naive()))
    {
        Ok(request) => request,
        Err(error) => return write.refuse(&state, &caller, error).await,
    };
    let key = write.key.as_ref();
    write
        .run(
            &state,
            &caller,
            async |work| {
                let description = request.description.as_deref();
                usecase::create_entity(work, &caller.group_id, &request.details, description, key, now).await
            },
            |object| json(EntityResponse::from(object)),
        )
        .await
}

fn timestamp(raw: &str) -> Result<DateTime<Utc>, &'static str> {
    DateTime::parse_from_rfc3339(raw)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| "must be an ISO 8601 timestamp, like 2026-01-31T23:59:59Z")
}

/// The `created_at` bounds as `[from, until)` on the stored timestamps.
/// `created_at` is shown in whole seconds, so the bounds compare the shown
/// value: an Entity shown as created at T is `on_or_before` and `on_or_after`
/// T, neither `before` nor `after` it, even if it was stored at T + 0.4 s.
/// The `created_at.after|before|on_or_after|on_or_before` parameters of a
/// list, as `[from, until)` (see [`created_at_window`]); a bad one is added
/// to `problems`.
pub(super) fn created_at_range(
    query: &ListQuery,
    problems: &mut Problems,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let [after, before, on_or_after, on_or_before] = [
        "created_at.after",
        "created_at.before",
        "created_at.on_or_after",
        "created_at.on_or_before",
    ]
    .map(|name| problems.take(query.value(name, timestamp)).flatten());
    created_at_window(after, before, on_or_after, on_or_before)
}

fn created_at_window(
    after: Option<DateTime<Utc>>,
    before: Option<DateTime<Utc>>,
    on_or_after: Option<DateTime<Utc>>,
    on_or_before: Option<DateTime<Utc>>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    use chrono::{SubsecRound, TimeDelta};
    let second = TimeDelta::seconds(1);
    let floor = |at: DateTime<Utc>| at.trunc_subsecs(0);
    let ceil = |at: DateTime<Utc>| if floor(at) == at { at } else { floor(at) + second };
    // shown > T ⇔ stored ≥ ⌊T⌋ + 1 s; shown ≥ T ⇔ stored ≥ ⌈T⌉;
    // shown < T ⇔ stored < ⌈T⌉;        shown ≤ T ⇔ stored < ⌊T⌋ + 1 s.
    let from = [after.map(|at| floor(at) + second), on_or_after.map(ceil)]
        .into_iter()
        .flatten()
        .max();
    let until = [before.map(ceil), on_or_before.map(|at| floor(at) + second)]
        .into_iter()
        .flatten()
        .min();
    (from, until)
}

#[utoipa::path(
    get,
    path = "/entities",
    tag = "Entities",
    operation_id = "list_entities",
    params(
        super::openapi::PageParams,
        ("status.in" = Option<Vec<EntityStatus>>, Query, style = Form, explode = false, min_items = 1,
            description = "Only Entities with one of these statuses (comma-separated)."),
        ("validation_status.in" = Option<Vec<ValidationStatus>>, Query, style = Form, explode = false, min_items = 1,
            description = "Only Entities whose validation has one of these statuses (comma-separated)."),
        ("idempotency_key" = Option<IdempotencyKey>, Query,
            description = "Only the Entity created with this `Idempotency-Key`."),
        ("created_at.after" = Option<DateTime<Utc>>, Query, description = "Only Entities created after this time."),
        ("created_at.before" = Option<DateTime<Utc>>, Query, description = "Only Entities created before this time."),
        ("created_at.on_or_after" = Option<DateTime<Utc>>, Query,
            description = "Only Entities created at or after this time."),
        ("created_at.on_or_before" = Option<DateTime<Utc>>, Query,
            description = "Only Entities created at or before this time."),
    ),
    responses((status = 200, description = "A page of Entities, newest first", body = ListResponse<EntityResponse>)),
)]
pub async fn list_entities(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = ListQuery::parse(req.query_string())?;
    let mut problems = Problems::default();
    let window = problems.take_all(query.window());
    let statuses = problems.take(query.list("status.in", "active, archived, disabled"));
    let validation_statuses = problems.take(query.list("validation_status.in", "pending, valid, invalid"));
    let idempotency_key = problems.take(query.value("idempotency_key", IdempotencyKey::parse));
    let (from, until) = created_at_range(&query, &mut problems);
    let window = problems.finish(window)?;
    let filter = EntityFilter {
        statuses: statuses.flatten(),
        validation_statuses: validation_statuses.flatten(),
        idempotency_key: idempotency_key.flatten(),
        created_after: None,
        created_before: until,
        created_on_or_after: from,
        created_on_or_before: None,
    };
    let page = state.store.list_entities(&caller.group_id, &filter, window).await?;
    Ok(HttpResponse::Ok().json(ListResponse::new(&page, EntityResponse::from)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = RequestedValidationIssue)]
struct IssueBody {
    #[schema(value_type = IssueCategory, required = true)]
    category: Option<String>,
    /// The owner an owner issue names; by default the first.
    #[schema(value_type = Option<BeneficialOwnerId>)]
    beneficial_owner_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = UpdateValidation)]
struct UpdateValidationBody {
    /// The issues to set; none makes the Entity `valid`.
    #[schema(value_type = Vec<IssueBody>, required = true)]
    issues: Option<Vec<IssueBody>>,
}

/// Sandbox: `POST /simulations/entities/{id}/update_validation` sets the
/// Entity's validation issues (none means `valid`).
#[utoipa::path(
    post,
    path = "/simulations/entities/{id}/update_validation",
    tag = "Simulations",
    operation_id = "update_an_entity_validation",
    params(("id" = EntityId, Path, description = "The Entity's ID.")),
    request_body = UpdateValidationBody,
    responses((status = 200, description = "The Entity with its new validation", body = EntityResponse)),
)]
pub async fn simulate_update_validation(
    SandboxCaller(caller): SandboxCaller,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<EntityId>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = read_json(&req, payload, state.settings.max_body_bytes).await?;
    let input = body.parse::<UpdateValidationBody>()?;
    let Some(raw_issues) = input.issues else {
        return Err(ApiError::field("issues", "is required"));
    };
    let mut problems = Problems::default();
    let requested: Vec<RequestedIssue> = raw_issues
        .into_iter()
        .enumerate()
        .filter_map(|(index, issue)| {
            let category = issue.category.as_deref().and_then(|c| c.parse::<IssueCategory>().ok());
            let category = problems.take(category.ok_or_else(|| {
                FieldError::new(
                    format!("issues.{index}.category"),
                    format!("must be one of {}", IssueCategory::names()),
                )
            }))?;
            Some(RequestedIssue {
                category,
                beneficial_owner_id: issue.beneficial_owner_id,
            })
        })
        .collect();
    problems.finish(Some(()))?;
    let write = WriteRequest::new(&req, &body.canonical)?;
    let now = state.clock.now();
    write
        .run(
            &state,
            &caller,
            async |work| usecase::update_validation(work, &caller.group_id, &id, &requested, now).await,
            |object| json(EntityResponse::from(object)),
        )
        .await
}

/// `POST /entities/{id}/archive`: an archived Entity cannot be onboarded.
#[utoipa::path(
    post,
    path = "/entities/{id}/archive",
    tag = "Entities",
    operation_id = "archive_an_entity",
    params(("id" = EntityId, Path, description = "The Entity's ID.")),
    responses((status = 200, description = "The archived Entity", body = EntityResponse)),
)]
pub async fn archive_entity(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<EntityId>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    super::request::discard_body(&req, payload, state.settings.max_body_bytes).await?;
    let write = WriteRequest::new(&req, "")?;
    let now = state.clock.now();
    write
        .run(
            &state,
            &caller,
            async |work| usecase::archive_entity(work, &caller.group_id, &id, now).await,
            |object| json(EntityResponse::from(object)),
        )
        .await
}
