//! The hosted onboarding form behind `session_url`.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::{DateTime, Utc};

use super::{
    PageError, csrf, html_for_form, paths,
    values::{FormValues, OWNERS},
    view::{Builder, FieldView, SummaryItem, field_id},
};
use crate::{
    domain::{
        RedirectUrl,
        entity::TermsAgreement,
        onboarding::{MAX_BENEFICIAL_OWNERS, Problem, parse_details},
        session::SessionStatus,
        time,
    },
    startup::AppState,
    store::{FormSubmission, SessionRow, TokenLookup},
};

pub(super) const ATTEST: &str = "attest";

/// What the customer picks first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    Corporation,
    NaturalPerson,
}

impl Structure {
    fn parse(value: &str) -> Option<Self> {
        match value {
            "corporation" => Some(Self::Corporation),
            "natural_person" => Some(Self::NaturalPerson),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Corporation => "corporation",
            Self::NaturalPerson => "natural_person",
        }
    }
}

#[derive(Template)]
#[template(path = "form_choose.html")]
struct ChoosePage<'a> {
    program_name: &'a str,
    form_action: String,
    token: &'a str,
    expires_at: String,
}

/// One beneficial owner block.
pub struct OwnerView {
    pub number: usize,
    pub index: usize,
    pub id: String,
    pub person: Vec<FieldView>,
    pub address: Vec<FieldView>,
    pub identification: Vec<FieldView>,
    pub title: FieldView,
    pub prongs_name: String,
    pub prongs_id: String,
    pub ownership: bool,
    pub control: bool,
    pub prongs_error: Option<String>,
    pub removable: bool,
}

impl OwnerView {
    /// The block's field names in page order, for the error summary.
    pub fn field_names(&self) -> Vec<String> {
        self.person
            .iter()
            .chain(std::iter::once(&self.title))
            .map(|f| f.name.clone())
            .chain(std::iter::once(self.prongs_name.clone()))
            .chain(self.address.iter().chain(&self.identification).map(|f| f.name.clone()))
            .collect()
    }
}

/// The inputs of beneficial owner `index`.
pub(super) fn owner_view(b: &Builder<'_>, index: usize) -> OwnerView {
    let prefix = format!("{OWNERS}.{index}");
    let person = format!("{prefix}.individual");
    OwnerView {
        number: index + 1,
        index,
        id: field_id(&prefix),
        person: vec![
            b.field(&format!("{person}.name"), "Full legal name")
                .autocomplete("off"),
            b.date_of_birth(&format!("{person}.date_of_birth")),
        ],
        address: b.address(&format!("{person}.address")),
        identification: b.identification(&format!("{person}.identification")),
        title: b
            .field(&format!("{prefix}.company_title"), "Job title")
            .optional()
            .hint("For example, CEO or Managing member"),
        prongs_name: format!("{prefix}.prongs"),
        prongs_id: field_id(&format!("{prefix}.prongs")),
        ownership: b.checked(&format!("{prefix}.prongs"), "ownership"),
        control: b.checked(&format!("{prefix}.prongs"), "control"),
        prongs_error: b.error(&format!("{prefix}.prongs")),
        removable: false,
    }
}

#[derive(Template)]
#[template(path = "form_details.html")]
struct DetailsPage<'a> {
    program_name: &'a str,
    token: &'a str,
    csrf_token: &'a str,
    structure: &'static str,
    summary: Vec<SummaryItem>,
    business: Vec<FieldView>,
    business_address: Vec<FieldView>,
    owners: Vec<OwnerView>,
    owners_id: String,
    owners_error: Option<String>,
    can_add_owner: bool,
    person: Vec<FieldView>,
    person_address: Vec<FieldView>,
    person_identification: Vec<FieldView>,
    attest_checked: bool,
    attest_error: Option<String>,
    expires_at: String,
}

#[derive(Template)]
#[template(path = "attestation.html")]
struct AttestationPage;

/// The `id` query parameter: the session's secret form token.
fn token(req: &HttpRequest) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(key, _)| key == "id")
        .map(|(_, value)| value.into_owned())
        .filter(|token| !token.is_empty() && token.len() <= 64 && token.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn query_param(req: &HttpRequest, name: &str) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, v)| v.into_owned())
}

fn is_active(session: &SessionRow, now: DateTime<Utc>) -> bool {
    SessionStatus::effective(&session.status, time::from_micros(session.expires_at), now) == SessionStatus::Active
}

fn expires_text(session: &SessionRow) -> String {
    time::from_micros(session.expires_at)
        .format("%B %-d, %Y at %H:%M UTC")
        .to_string()
}

/// `GET {session_url}`
pub async fn show_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, PageError> {
    let token = token(&req).ok_or(PageError::NotFound)?;
    let found = state
        .store
        .find_session_by_token(&token)
        .await?
        .ok_or(PageError::NotFound)?;
    if !is_active(&found.session, state.clock.now()) {
        return Err(PageError::Gone);
    }
    let csrf_token = csrf::token(&session)?;
    let redirect = &found.session.redirect_url;
    if found.session.entity_id.is_some() {
        return super::tasks_form::show(&state, &found, &token, &csrf_token).await;
    }
    match query_param(&req, "structure").as_deref().and_then(Structure::parse) {
        None => {
            let page = ChoosePage {
                program_name: &found.program_name,
                form_action: paths::form_action(),
                token: &token,
                expires_at: expires_text(&found.session),
            };
            Ok(html_for_form(
                StatusCode::OK,
                page.render().map_err(PageError::internal)?,
                redirect,
            ))
        }
        Some(structure) => {
            let mut values = FormValues::default();
            values.set("owner_count", "1");
            render_details(&found, &token, &csrf_token, structure, &values, &[], StatusCode::OK)
        }
    }
}

/// `POST {session_url}`: add or remove an owner, or submit.
pub async fn submit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let token = token(&req).ok_or(PageError::NotFound)?;
    let mut values = FormValues::from_pairs(form.into_inner());
    csrf::verify(&session, values.get(csrf::FIELD))?;
    let found = state
        .store
        .find_session_by_token(&token)
        .await?
        .ok_or(PageError::NotFound)?;
    let now = state.clock.now();
    let action = values.get("action").unwrap_or("submit").to_owned();
    if !is_active(&found.session, now) {
        // A second click on "Submit" lands where the first one did.
        return match (&found.session.completed_at, action.as_str()) {
            (Some(_), "submit") if found.session.entity_id.is_some() => redirect_to_platform(&found.session),
            _ => Err(PageError::Gone),
        };
    }
    let csrf_token = csrf::token(&session)?;
    if found.session.entity_id.is_some() {
        return super::tasks_form::submit(&state, &req, &found, &token, &csrf_token, &mut values, now).await;
    }
    let structure = values
        .get("structure")
        .and_then(Structure::parse)
        .ok_or(PageError::BadRequest)?;
    if action == "add_owner" {
        values.add_owner();
        return render_details(&found, &token, &csrf_token, structure, &values, &[], StatusCode::OK);
    }
    if let Some(index) = action
        .strip_prefix("remove_owner:")
        .and_then(|i| i.parse::<usize>().ok())
    {
        values.remove_owner(index);
        return render_details(&found, &token, &csrf_token, structure, &values, &[], StatusCode::OK);
    }

    let today = crate::domain::onboarding::Rules::complete(now.date_naive());
    let result = match structure {
        Structure::Corporation => parse_details("corporation", Some(&values.corporation()), None, today),
        Structure::NaturalPerson => parse_details(
            "natural_person",
            None,
            Some(&values.individual("natural_person")),
            today,
        ),
    };
    let attested = values.get(ATTEST) == Some("true");
    let details = match (result, attested) {
        (Ok(details), true) => details,
        (result, attested) => {
            let mut problems = result.err().unwrap_or_default();
            if !attested {
                problems.push(Problem {
                    path: ATTEST.to_owned(),
                    message: "please confirm that the information is true and complete".to_owned(),
                });
            }
            return render_details(
                &found,
                &token,
                &csrf_token,
                structure,
                &values,
                &problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let terms = terms_agreement(&state, &req, now);
    match state
        .store
        .submit_session_form(&token, Some(&details), None, &terms, now)
        .await
    {
        Ok(FormSubmission::Completed(row) | FormSubmission::AlreadyCompleted(row)) => redirect_to_platform(&row),
        Err(crate::store::StoreError::InvalidState(_)) => Err(PageError::Gone),
        Err(other) => Err(other.into()),
    }
}

fn render_details(
    found: &TokenLookup,
    token: &str,
    csrf_token: &str,
    structure: Structure,
    values: &FormValues,
    problems: &[Problem],
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let b = Builder::new(values, problems);
    let mut page = DetailsPage {
        program_name: &found.program_name,
        token,
        csrf_token,
        structure: structure.as_str(),
        summary: Vec::new(),
        business: Vec::new(),
        business_address: Vec::new(),
        owners: Vec::new(),
        owners_id: field_id(OWNERS),
        owners_error: b.error(OWNERS),
        can_add_owner: values.owner_count() < MAX_BENEFICIAL_OWNERS,
        person: Vec::new(),
        person_address: Vec::new(),
        person_identification: Vec::new(),
        attest_checked: values.get(ATTEST) == Some("true"),
        attest_error: b.error(ATTEST),
        expires_at: expires_text(&found.session),
    };
    match structure {
        Structure::Corporation => {
            page.business = vec![
                b.field("corporation.name", "Legal business name")
                    .autocomplete("organization")
                    .hint("As registered with your state, including LLC or Inc."),
                b.field(
                    "corporation.legal_identifier.value",
                    "Employer Identification Number (EIN)",
                )
                .numeric()
                .short()
                .hint("9 digits, like 12-3456789"),
                b.field("corporation.incorporation_state", "State of incorporation")
                    .select("Choose a state", &crate::domain::address::US_STATES),
                b.field("corporation.industry_code", "Industry (NAICS code)")
                    .optional()
                    .numeric()
                    .short()
                    .hint("2 to 6 digits, like 541511 for software"),
                b.field("corporation.website", "Website")
                    .optional()
                    .autocomplete("url")
                    .hint("For example, example.com"),
                b.field("corporation.email", "Business email")
                    .optional()
                    .email()
                    .autocomplete("email"),
            ];
            page.business_address = b.address("corporation.address");
            let count = values.owner_count();
            page.owners = (0..count)
                .map(|index| OwnerView {
                    removable: count > 1,
                    ..owner_view(&b, index)
                })
                .collect();
        }
        Structure::NaturalPerson => {
            page.person = vec![
                b.field("natural_person.name", "Full legal name").autocomplete("name"),
                b.date_of_birth("natural_person.date_of_birth"),
            ];
            page.person_address = b.address("natural_person.address");
            page.person_identification = b.identification("natural_person.identification");
        }
    }
    let order: Vec<String> = page
        .business
        .iter()
        .chain(&page.business_address)
        .map(|f| f.name.clone())
        .chain(std::iter::once(OWNERS.to_owned()))
        .chain(page.owners.iter().flat_map(OwnerView::field_names))
        .chain(
            page.person
                .iter()
                .chain(&page.person_address)
                .chain(&page.person_identification)
                .map(|f| f.name.clone()),
        )
        .chain(std::iter::once(ATTEST.to_owned()))
        .collect();
    page.summary = b.summary(&order);
    Ok(html_for_form(
        status,
        page.render().map_err(PageError::internal)?,
        &found.session.redirect_url,
    ))
}

pub(super) fn terms_agreement(state: &AppState, req: &HttpRequest, now: DateTime<Utc>) -> TermsAgreement {
    TermsAgreement {
        agreed_at: time::format_timestamp(now),
        ip_address: req.peer_addr().map(|addr| addr.ip().to_string()),
        terms_url: paths::absolute(state.public_url.as_str(), &paths::attestation()),
    }
}

/// `303 See Other` to the platform, with the session and Entity IDs added.
pub(super) fn redirect_to_platform(session: &SessionRow) -> Result<HttpResponse, PageError> {
    let target =
        RedirectUrl::parse(&session.redirect_url).map_err(|e| PageError::internal(std::io::Error::other(e)))?;
    let entity_id = session.entity_id.as_deref().unwrap_or_default();
    let location = target.with_query_params(&[("entity_onboarding_session_id", &session.id), ("entity_id", entity_id)]);
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", location.as_str()))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("Cache-Control", "no-store"))
        .finish())
}

/// The statement the customer attests to; its URL is recorded with the agreement.
pub async fn attestation() -> Result<HttpResponse, PageError> {
    Ok(super::html(
        StatusCode::OK,
        AttestationPage.render().map_err(PageError::internal)?,
    ))
}
