//! The hosted onboarding form behind `session_url`.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::{DateTime, Utc};

use super::{
    PageError, csrf, html_for_form, paths,
    sections::{
        BusinessHints, FormBody, Section, address_section, attestation_checkbox, business_section,
        identification_section, owners_section, person_section,
    },
    values::FormValues,
    view::Builder,
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
    let owners = (structure == Structure::Corporation).then(|| {
        let count = values.owner_count();
        owners_section(&b, 0..count, |_| count > 1, count < MAX_BENEFICIAL_OWNERS)
    });
    let attestation = attestation_checkbox(&b, "the information I provided");
    let page = DetailsPage {
        program_name: &found.program_name,
        form_url: paths::form(token),
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
