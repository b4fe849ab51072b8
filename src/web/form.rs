//! The hosted onboarding form behind `session_url`.

use actix_session::Session as BrowserSession;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::{DateTime, Utc};

use super::{
    PageError, csrf, html_for_form,
    sections::{
        BusinessHints, FormBody, Section, address_section, attestation_checkbox, business_section,
        identification_section, owners_section, person_section,
    },
    values::FormValues,
    view::Builder,
};
use crate::{
    domain::{
        entity::{EntityDetails, Structure, TermsAgreement},
        ids::FormToken,
        onboarding::{MAX_BENEFICIAL_OWNERS, Problem, Rules, parse_details},
        session::Session,
    },
    startup::AppState,
    usecases::{
        self,
        form::{ActiveForm, Opened, Submission, open_form, submit_form as submit_session},
    },
};

pub(super) const ATTEST: &str = "attest";

#[derive(Template)]
#[template(path = "form_choose.html")]
struct ChoosePage<'a> {
    program_name: &'a str,
    form_action: String,
    token: &'a str,
    expires_at: String,
}

#[derive(Template)]
#[template(path = "form_details.html")]
struct DetailsPage<'a> {
    program_name: &'a str,
    /// The form, which is also where the customer picks again what they onboard.
    form_url: String,
    csrf_token: &'a str,
    structure: &'static str,
    owner_count: usize,
    form: FormBody,
    expires_at: String,
}

#[derive(Template)]
#[template(path = "attestation.html")]
struct AttestationPage;

/// The `id` query parameter: the session's secret form token.
fn token(req: &HttpRequest) -> Result<FormToken, PageError> {
    query_param(req, "id")?
        .and_then(|value| FormToken::parse(&value))
        .ok_or(PageError::NotFound)
}

/// A query parameter of the form's link. A control character (NUL, TAB,
/// ...) in one is a damaged link, told as such rather than guessed around.
fn query_param(req: &HttpRequest, name: &str) -> Result<Option<String>, PageError> {
    let value = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, v)| v.into_owned());
    match value {
        Some(value) if value.chars().any(char::is_control) => Err(PageError::DamagedLink),
        value => Ok(value),
    }
}

fn expires_text(session: &Session) -> String {
    session.expires_at.format("%B %-d, %Y at %H:%M UTC").to_string()
}

/// `GET {session_url}`
pub async fn show_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: BrowserSession,
) -> Result<HttpResponse, PageError> {
    let token = token(&req)?;
    let Opened::Active(form) = open_form(&state.store, &token, state.clock.now()).await? else {
        return Err(PageError::Gone);
    };
    let csrf_token = csrf::token(&session)?;
    if form.entity.is_some() {
        return super::tasks_form::show(&form, &token, &csrf_token);
    }
    match query_param(&req, "structure")?
        .as_deref()
        .and_then(|s| s.parse::<Structure>().ok())
    {
        None => {
            let page = ChoosePage {
                program_name: &form.program_name,
                form_action: crate::links::form_action(),
                token: token.expose(),
                expires_at: expires_text(&form.session),
            };
            Ok(html_for_form(
                StatusCode::OK,
                page.render().map_err(PageError::internal)?,
                &form.session.redirect_url,
            ))
        }
        Some(structure) => {
            let mut values = FormValues::default();
            values.set("owner_count", "1");
            render_details(&form, &token, &csrf_token, structure, &values, &[], StatusCode::OK)
        }
    }
}

/// `POST {session_url}`: add or remove an owner, or submit.
pub async fn submit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: BrowserSession,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let token = token(&req)?;
    let mut values = FormValues::from_pairs(form.into_inner());
    csrf::verify(&session, values.get(csrf::FIELD))?;
    let now = state.clock.now();
    let action = values.get("action").unwrap_or("submit").to_owned();
    let found = match open_form(&state.store, &token, now).await? {
        Opened::Active(found) => found,
        // A second click on "Submit" lands where the first one did.
        Opened::Completed(done) if action == "submit" => return redirect_to_platform(&done),
        Opened::Completed(_) | Opened::Closed => return Err(PageError::Gone),
    };
    let csrf_token = csrf::token(&session)?;
    if found.entity.is_some() {
        return super::tasks_form::submit(&state, &req, &found, &token, &csrf_token, &mut values, now).await;
    }
    new_entity(&state, &req, &found, &token, &csrf_token, values, now).await
}

/// The form of a session made without an Entity: add or remove an owner, or
/// submit the new Entity's details.
async fn new_entity(
    state: &AppState,
    req: &HttpRequest,
    found: &ActiveForm,
    token: &FormToken,
    csrf_token: &str,
    mut values: FormValues,
    now: DateTime<Utc>,
) -> Result<HttpResponse, PageError> {
    let structure = values
        .get("structure")
        .and_then(|s| s.parse::<Structure>().ok())
        .ok_or(PageError::BadRequest)?;
    let action = values.get("action").unwrap_or("submit").to_owned();
    if action == "add_owner" {
        values.add_owner();
        return render_details(found, token, csrf_token, structure, &values, &[], StatusCode::OK);
    }
    if let Some(index) = action
        .strip_prefix("remove_owner:")
        .and_then(|i| i.parse::<usize>().ok())
    {
        values.remove_owner(index);
        return render_details(found, token, csrf_token, structure, &values, &[], StatusCode::OK);
    }
    match parse_new_entity(structure, &values, now) {
        Ok(details) => {
            let terms = terms_agreement(state, req, now);
            finish(state, found, &Submission::NewEntity(details), &terms, now).await
        }
        Err(problems) => {
            metrics::counter!("onboarding_form_validation_failures_total", "form" => "new_entity").increment(1);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render_details(found, token, csrf_token, structure, &values, &problems, status)
        }
    }
}

/// The new Entity's details, checked against the complete rules, and the attestation.
fn parse_new_entity(
    structure: Structure,
    values: &FormValues,
    now: DateTime<Utc>,
) -> Result<EntityDetails, Vec<Problem>> {
    let rules = Rules::complete(now.date_naive());
    let result = match structure {
        Structure::Corporation => parse_details(structure.as_str(), Some(&values.corporation()), None, rules),
        Structure::NaturalPerson => parse_details(
            "natural_person",
            None,
            Some(&values.individual("natural_person")),
            rules,
        ),
    };
    match (result, missing_attestation(values)) {
        (Ok(details), None) => Ok(details),
        (result, missing) => Err(result.err().unwrap_or_default().into_iter().chain(missing).collect()),
    }
}

/// The problem of a form whose attestation box is not checked.
pub(super) fn missing_attestation(values: &FormValues) -> Option<Problem> {
    (values.get(ATTEST) != Some("true")).then(|| Problem {
        path: ATTEST.to_owned(),
        message: "please confirm that the information is true and complete".to_owned(),
    })
}

/// Submits the form and sends the browser back to the platform.
pub(super) async fn finish(
    state: &AppState,
    form: &ActiveForm,
    submission: &Submission,
    terms: &TermsAgreement,
    now: DateTime<Utc>,
) -> Result<HttpResponse, PageError> {
    let submitted = submit_session(&state.store, form, submission, terms, now).await?;
    redirect_to_platform(submitted.session())
}

fn render_details(
    found: &ActiveForm,
    token: &FormToken,
    csrf_token: &str,
    structure: Structure,
    values: &FormValues,
    problems: &[Problem],
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let b = Builder::new(values, problems);
    let owners = (structure == Structure::Corporation).then(|| {
        let count = values.owner_count();
        owners_section(&b, 0..count, |_| count > 1, count < MAX_BENEFICIAL_OWNERS)
    });
    let attestation = attestation_checkbox(&b, "the information I provided");
    let page = DetailsPage {
        program_name: &found.program_name,
        form_url: crate::links::form(token),
        csrf_token,
        structure: structure.as_str(),
        owner_count: values.owner_count(),
        form: FormBody::new(&b, details_sections(&b, structure), owners, Some(attestation)),
        expires_at: expires_text(&found.session),
    };
    Ok(html_for_form(
        status,
        page.render().map_err(PageError::internal)?,
        &found.session.redirect_url,
    ))
}

/// The sections of a new customer's form before the owners, in page order.
fn details_sections(b: &Builder<'_>, structure: Structure) -> Vec<Section> {
    match structure {
        Structure::Corporation => vec![
            business_section(b, BusinessHints::Examples),
            address_section(b, "corporation.address", "business-address-heading", "Business address")
                .with_hint("The company's physical address in the US. Not a PO box."),
        ],
        Structure::NaturalPerson => vec![
            person_section(b),
            address_section(b, "natural_person.address", "person-address-heading", "Home address"),
            identification_section(b),
        ],
    }
}

pub(super) fn terms_agreement(state: &AppState, req: &HttpRequest, now: DateTime<Utc>) -> TermsAgreement {
    TermsAgreement {
        agreed_at: now,
        ip_address: crate::edge::client_ip::client_ip(req).map(|ip| ip.to_string()),
        terms_url: crate::links::attestation_url(&state.public_url),
    }
}

/// `303 See Other` to the platform, with the session and Entity IDs added.
pub(super) fn redirect_to_platform(session: &Session) -> Result<HttpResponse, PageError> {
    let entity_id = session
        .completed_entity()
        .ok_or(PageError::Internal(Box::new(usecases::Error::NotFound)))?;
    let location = session.return_url(entity_id);
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
