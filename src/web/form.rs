//! The hosted onboarding form behind `session_url`.

use actix_session::Session as BrowserSession;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use super::{
    PageError,
    brand::Brand,
    csrf,
    error::Ended,
    html_for_form,
    i18n::{self, PageLanguage, Translator},
    journey::{self, Plan, Step},
    pages::{self, Context},
    values::FormValues,
};
use crate::{
    domain::{draft::Draft, entity::TermsAgreement, ids::FormToken, onboarding::Problem, session::Session},
    startup::AppState,
    usecases::{
        self,
        form::{ActiveForm, EndedForm, Opened, Submission, open_form, save_draft, submit_form as submit_session},
    },
};

pub(super) const ATTEST: &str = "attest";

#[derive(Template)]
#[template(path = "attestation.html")]
struct AttestationPage {
    t: Translator,
}

/// The `id` query parameter: the session's secret form token.
fn token(req: &HttpRequest) -> Result<FormToken, PageError> {
    // A control character (NUL, TAB, ...) anywhere in the link's query is a
    // damaged link, told as such rather than guessed around.
    if url::form_urlencoded::parse(req.query_string().as_bytes())
        .any(|(key, value)| key.chars().chain(value.chars()).any(char::is_control))
    {
        return Err(PageError::DamagedLink);
    }
    query_param(req, "id")
        .and_then(|value| FormToken::parse(&value))
        .ok_or(PageError::NotFound)
}

/// A query parameter of the form's link.
fn query_param(req: &HttpRequest, name: &str) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, v)| v.into_owned())
}

/// A link to a page with `?lang=`: keeps the customer's choice in the
/// browser session and sends them to the same page without it (the draft
/// is saved per page, so nothing entered before is lost).
fn switch_language(req: &HttpRequest, session: &BrowserSession) -> Option<HttpResponse> {
    if !i18n::asks_to_switch(req) {
        return None;
    }
    i18n::remember_choice(req, session);
    Some(see_other(&i18n::without_language(req.path(), req.query_string())))
}

/// The body of a form post (`application/x-www-form-urlencoded`), at most
/// [`super::MAX_FORM_BYTES`].
async fn read_form(req: &HttpRequest, mut payload: web::Payload) -> Result<Vec<(String, String)>, PageError> {
    let urlencoded = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    if !urlencoded {
        return Err(PageError::BadRequest);
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| PageError::BadRequest)?;
        if body.len() + chunk.len() > super::MAX_FORM_BYTES {
            return Err(PageError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(url::form_urlencoded::parse(&body).into_owned().collect())
}

/// The key of the forms' CSRF tokens (registered with the form's routes).
fn csrf_key(req: &HttpRequest) -> Result<&csrf::CsrfKey, PageError> {
    req.app_data::<web::Data<csrf::CsrfKey>>()
        .map(|key| key.get_ref())
        .ok_or_else(|| PageError::internal(std::io::Error::other("the CSRF key is not registered")))
}

/// How the pages of the link's program look, whatever its state.
fn brand_of(opened: &Opened) -> Brand {
    match opened {
        Opened::Active(form) => Brand::of(&form.program_name, &form.branding),
        Opened::Completed(ended) | Opened::Closed(ended) | Opened::EntityNotActive(ended) => {
            Brand::of(&ended.program_name, &ended.branding)
        }
    }
}

/// The page the link names (`step`), if any.
fn requested_step(req: &HttpRequest) -> Option<Step> {
    query_param(req, "step").and_then(|name| Step::parse(&name))
}

/// `303 See Other` to another page of the form.
fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("Cache-Control", "no-store"))
        .finish()
}

/// `GET {session_url}`: the page the link names, or where the customer
/// left off (the first page not yet complete).
pub async fn show_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: BrowserSession,
) -> Result<HttpResponse, PageError> {
    if let Some(switched) = switch_language(&req, &session) {
        return Ok(switched);
    }
    let mut language = PageLanguage::of_request(&req);
    show(&state, &req, &mut language)
        .await
        .map_err(|error| error.in_language(language))
}

async fn show(state: &AppState, req: &HttpRequest, language: &mut PageLanguage) -> Result<HttpResponse, PageError> {
    let token = token(req)?;
    let now = state.clock.now();
    let opened = open_form(&state.store, &token, now).await?;
    language.platform = opened.session().locale;
    language.brand = brand_of(&opened);
    let form = match opened {
        Opened::Active(form) => form,
        Opened::Completed(done) => return Err(PageError::Gone(Some(ended(&done)))),
        Opened::Closed(closed) => return Err(PageError::Gone(Some(ended(&closed)))),
        Opened::EntityNotActive(_) => return Err(PageError::EntityNotActive),
    };
    let csrf_token = csrf_key(req)?.token(&form.session.id);
    let plan = Plan::for_form(&form);
    let draft = form.draft.clone();
    let today = now.date_naive();
    let context = context(&form, &plan, &token, &csrf_token, req, language.translator());
    let step = match requested_step(req) {
        None => plan.resume(&draft, today),
        Some(step) if plan.is_open(step, &draft, today) => step,
        Some(_) => {
            return Ok(see_other(&crate::links::form_step(
                &token,
                &plan.resume(&draft, today).name(),
                false,
            )));
        }
    };
    render(&context, &form, step, &draft, &[], StatusCode::OK, today)
}

fn context<'a>(
    form: &'a ActiveForm,
    plan: &'a Plan,
    token: &'a FormToken,
    csrf_token: &'a str,
    req: &HttpRequest,
    t: Translator,
) -> Context<'a> {
    Context {
        expires_at: t.date_time(form.session.expires_at),
        t,
        plan,
        program_name: &form.program_name,
        token,
        csrf_token,
        to_check: query_param(req, "return").as_deref() == Some("check"),
        changing_number: query_param(req, "change").as_deref() == Some("number"),
    }
}

/// What the page of an ended session tells the customer, and its way back
/// to the platform.
fn ended(ended: &EndedForm) -> Box<Ended> {
    Box::new(Ended {
        program_name: ended.program_name.clone(),
        return_url: ended.session.not_completed_url().to_string(),
    })
}

/// `POST {session_url}`: saves a page of the journey (a new customer's, or
/// the outstanding tasks of the session's Entity).
pub async fn submit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let mut language = PageLanguage::of_request(&req);
    submit(&state, &req, payload, &mut language)
        .await
        .map_err(|error| error.in_language(language))
}

async fn submit(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    language: &mut PageLanguage,
) -> Result<HttpResponse, PageError> {
    let token = token(req)?;
    let step = requested_step(req);
    let now = state.clock.now();
    let opened = open_form(&state.store, &token, now).await?;
    language.platform = opened.session().locale;
    language.brand = brand_of(&opened);
    // Read once the page knows its program, so that even a form too large
    // or not a form at all gets the program's page (and framing rules).
    let values = FormValues::from_pairs(read_form(req, payload).await?);
    if let Err(refused) = csrf_key(req)?.verify(&opened.session().id, values.get(csrf::FIELD)) {
        // The form can be loaded again: its link names the page.
        let reload = match step {
            Some(step) => crate::links::form_step(&token, &step.name(), false),
            None => crate::links::form(&token),
        };
        let refused = refused.reload(reload);
        return Err(refused);
    }
    let found = match opened {
        Opened::Active(found) => found,
        // A second click on "Submit" lands where the first one did.
        Opened::Completed(done) if matches!(step, None | Some(Step::Declaration)) => {
            return redirect_to_platform(&done.session);
        }
        Opened::Completed(done) => return Err(PageError::Gone(Some(ended(&done)))),
        // It ended while the customer was on this page.
        Opened::Closed(closed) => return Err(PageError::ExpiredWhileOpen(ended(&closed))),
        Opened::EntityNotActive(_) => return Err(PageError::EntityNotActive),
    };
    let csrf_token = csrf_key(req)?.token(&found.session.id);
    let plan = Plan::for_form(&found);
    // Every page of the journey posts to its own link.
    let step = step.ok_or(PageError::BadRequest)?;
    let context = context(&found, &plan, &token, &csrf_token, req, language.translator());
    save_step(state, req, &context, &found, step, &values, now).await
}

/// Saves the answers of `step`, then goes on to the next page, or shows the
/// page again with its problems.
async fn save_step(
    state: &AppState,
    req: &HttpRequest,
    context: &Context<'_>,
    found: &ActiveForm,
    step: Step,
    posted: &FormValues,
    now: DateTime<Utc>,
) -> Result<HttpResponse, PageError> {
    let today = now.date_naive();
    let plan = context.plan;
    let mut draft = found.draft.clone();
    if step != Step::Declaration && !plan.is_open(step, &draft, today) {
        return Ok(see_other(&context.url(plan.resume(&draft, today))));
    }
    if let Some(tasks) = plan.tasks() {
        tasks.seed(&mut draft);
    }
    let invalid = |draft: &Draft, problems: Vec<Problem>| {
        let form = if plan.tasks().is_some() { "tasks" } else { "new_entity" };
        metrics::counter!("onboarding_form_validation_failures_total", "form" => form).increment(1);
        render(
            context,
            found,
            step,
            draft,
            &problems,
            StatusCode::UNPROCESSABLE_ENTITY,
            today,
        )
    };
    match step {
        Step::Tasks => Ok(see_other(&context.url(plan.next(step, &plan.values(&draft))))),
        Step::Check => Ok(see_other(&context.url(Step::Declaration))),
        Step::Declaration => {
            if let Some(tasks) = plan.tasks()
                && draft
                    .based_on
                    .is_some_and(|based_on| based_on != tasks.entity.updated_at)
            {
                // The Entity changed since the customer's answers read it:
                // they see it as it is now (and what it now needs) before
                // confirming again.
                draft.based_on = Some(tasks.entity.updated_at);
                keep(state, found, &draft, now).await?;
                return Err(PageError::Changed {
                    reload: Some(crate::links::form(context.token)),
                });
            }
            let ready = plan.is_open(Step::Declaration, &draft, today);
            let submission = match plan.submission(&plan.values(&draft), today) {
                Ok(submission) if ready => submission,
                // A concurrent submission of the same session (a double
                // click) completed it and took the draft: land where it did.
                _ => {
                    return match open_form(&state.store, context.token, now).await? {
                        Opened::Completed(done) => redirect_to_platform(&done.session),
                        _ => Ok(see_other(&context.url(plan.resume(&draft, today)))),
                    };
                }
            };
            if plan.fields(Step::Declaration).iter().any(|f| f == ATTEST)
                && let Some(missing) = missing_attestation(posted)
            {
                return invalid(&draft, vec![missing]);
            }
            let terms = terms_agreement(state, req, now);
            finish(state, found, &submission, &terms, now).await
        }
        Step::Owners => {
            if let Some(index) = posted.get("remove").and_then(|i| i.parse::<usize>().ok()) {
                if index >= plan.owners_on_file() {
                    journey::remove_owner(&mut draft, index);
                    keep(state, found, &draft, now).await?;
                }
                return Ok(see_other(&context.url(match plan.resume(&draft, today) {
                    Step::OwnerDetails(i) if i == plan.owners_on_file() => Step::OwnerDetails(i),
                    _ => Step::Owners,
                })));
            }
            let values = plan.values(&draft);
            let full = journey::owner_count(&values) >= crate::domain::onboarding::MAX_BENEFICIAL_OWNERS;
            match (posted.get("add_another"), full) {
                (Some("yes"), false) => {
                    let next = journey::add_owner(&mut draft).unwrap_or(Step::Owners);
                    keep(state, found, &draft, now).await?;
                    Ok(see_other(&context.url(next)))
                }
                (Some("no"), _) | (_, true) => {
                    journey::finish_owners(&mut draft);
                    keep(state, found, &draft, now).await?;
                    match plan.resume(&draft, today) {
                        Step::Owners => {
                            let problems = plan.problems_of(Step::Owners, &plan.problems(&values, today));
                            invalid(&draft, problems)
                        }
                        Step::Check => Ok(see_other(&context.url(Step::Check))),
                        unfinished => Ok(see_other(&context.url(unfinished))),
                    }
                }
                _ => invalid(
                    &draft,
                    vec![Problem {
                        path: "add_another".to_owned(),
                        message: "is required".to_owned(),
                    }],
                ),
            }
        }
        _ => {
            plan.save_answers(&mut draft, step, posted);
            keep(state, found, &draft, now).await?;
            let values = plan.values(&draft);
            let problems = plan.problems_of(step, &plan.problems(&values, today));
            if !problems.is_empty() {
                return invalid(&draft, problems);
            }
            let next = if context.to_check {
                Step::Check
            } else {
                plan.next(step, &values)
            };
            Ok(see_other(&context.url(next)))
        }
    }
}

/// Keeps the draft with the session.
async fn keep(state: &AppState, found: &ActiveForm, draft: &Draft, now: DateTime<Utc>) -> Result<(), PageError> {
    if draft.to_json().is_err() {
        return Err(PageError::TooLarge);
    }
    save_draft(&state.store, found, draft, now).await?;
    Ok(())
}

fn render(
    context: &Context<'_>,
    found: &ActiveForm,
    step: Step,
    draft: &Draft,
    problems: &[Problem],
    status: StatusCode,
    today: chrono::NaiveDate,
) -> Result<HttpResponse, PageError> {
    let plan = context.plan;
    let values = plan.values(draft);
    let body = match step {
        Step::Tasks => match pages::tasks(context, &values) {
            Some(page) => page.render(),
            None => return Ok(see_other(&context.url(plan.resume(draft, today)))),
        },
        Step::Structure => pages::structure(context, &values, problems).render(),
        Step::Owners => pages::owners(context, &values, problems, today).render(),
        Step::Check => match plan.details(&values, today) {
            Ok(details) => pages::check(context, &values, &details).render(),
            Err(_) => {
                return Ok(see_other(&context.url(plan.resume(draft, today))));
            }
        },
        Step::Declaration => pages::declaration(context, &values, problems).render(),
        _ => pages::question(context, step, &values, problems).render(),
    }
    .map_err(PageError::internal)?;
    Ok(html_for_form(
        status,
        body,
        &found.session.redirect_url,
        context.t.brand(),
    ))
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
pub async fn attestation(req: HttpRequest, session: BrowserSession) -> Result<HttpResponse, PageError> {
    if let Some(switched) = switch_language(&req, &session) {
        return Ok(switched);
    }
    let language = PageLanguage::of_request(&req);
    let page = AttestationPage {
        t: language.translator(),
    };
    match page.render() {
        Ok(body) => Ok(super::html(StatusCode::OK, body, &Brand::none())),
        Err(error) => Err(PageError::internal(error).in_language(language)),
    }
}
