//! The hosted form of a session created for an existing Entity: it lists the
//! Entity's outstanding tasks and asks only for what they need, prefilled
//! with what is known (ID numbers as last 4 only).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode};
use askama::Template;
use chrono::{DateTime, Utc};

use super::{
    PageError,
    form::{finish, missing_attestation, terms_agreement},
    html_for_form,
    sections::{
        BusinessHints, FormBody, OwnersSection, Section, address_section, attestation_checkbox, business_section,
        identification_section, owners_section, person_section,
    },
    values::{FormValues, OWNERS},
    view::Builder,
};
use crate::{
    domain::{
        address::{PostalCode, Region, UsState},
        corrections::{Corrected, Editable, apply_corrections},
        entity::{Address, Entity, EntityDetails, Individual},
        ids::FormToken,
        onboarding::{MAX_BENEFICIAL_OWNERS, Problem, Rules},
        person::{Email, NaicsCode, Website},
        tasks::Task,
    },
    startup::AppState,
    usecases::form::{ActiveForm, Submission},
};

#[derive(Template)]
#[template(path = "form_tasks.html")]
struct TasksPage<'a> {
    program_name: &'a str,
    form_url: String,
    csrf_token: &'a str,
    entity_name: String,
    tasks: Vec<String>,
    owner_count: usize,
    /// Names of the owners on file that the form does not ask about.
    kept_owners: Vec<String>,
    form: FormBody,
}

fn set_address(values: &mut FormValues, prefix: &str, address: &Address) {
    values.set(&format!("{prefix}.line1"), &address.line1);
    for (field, value) in [
        ("line2", address.line2.as_deref()),
        ("city", address.city.as_deref()),
        ("state", address.state.as_ref().map(Region::as_str)),
        ("zip", address.zip.as_ref().map(PostalCode::as_str)),
    ] {
        values.set(&format!("{prefix}.{field}"), value.unwrap_or(""));
    }
}

fn set_individual(values: &mut FormValues, prefix: &str, person: &Individual) {
    values.set(&format!("{prefix}.name"), &person.name);
    values.set(
        &format!("{prefix}.date_of_birth"),
        &person.date_of_birth.format("%m/%d/%Y").to_string(),
    );
    set_address(values, &format!("{prefix}.address"), &person.address);
    if let Some(identification) = &person.identification {
        values.set(
            &format!("{prefix}.identification.method"),
            identification.method.as_str(),
        );
    }
}

/// The form prefilled with what the Entity already holds. Full ID numbers are
/// never known, so those inputs start empty.
fn values_from_entity(details: &EntityDetails) -> FormValues {
    let mut values = FormValues::default();
    match details {
        EntityDetails::Corporation(c) => {
            values.set("corporation.name", &c.name);
            for (field, value) in [
                ("website", c.website.as_ref().map(Website::as_str)),
                ("email", c.email.as_ref().map(Email::as_str)),
                (
                    "incorporation_state",
                    c.incorporation_state.as_ref().map(UsState::as_str),
                ),
                ("industry_code", c.industry_code.as_ref().map(NaicsCode::as_str)),
            ] {
                values.set(&format!("corporation.{field}"), value.unwrap_or(""));
            }
            set_address(&mut values, "corporation.address", &c.address);
            for (index, owner) in c.beneficial_owners.iter().enumerate() {
                let prefix = format!("{OWNERS}.{index}");
                set_individual(&mut values, &format!("{prefix}.individual"), &owner.individual);
                values.set(
                    &format!("{prefix}.company_title"),
                    owner.company_title.as_deref().unwrap_or(""),
                );
                for prong in &owner.prongs {
                    values.push(&format!("{prefix}.prongs"), prong.as_str());
                }
            }
            values.set("owner_count", &c.beneficial_owners.len().to_string());
        }
        EntityDetails::NaturalPerson(person) => set_individual(&mut values, "natural_person", person),
    }
    values
}

fn last4_hint(details: &EntityDetails) -> Option<String> {
    match details {
        EntityDetails::Corporation(c) => c.legal_identifier.as_ref().map(|id| {
            let tail: String = id
                .value()
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("The EIN we have ends in {tail}. Enter the full, correct number.")
        }),
        EntityDetails::NaturalPerson(_) => None,
    }
}

struct Context<'a> {
    form: &'a ActiveForm,
    token: &'a FormToken,
    csrf_token: &'a str,
    entity: &'a Entity,
    tasks: Vec<Task>,
    editable: Editable,
}

fn context<'a>(form: &'a ActiveForm, token: &'a FormToken, csrf_token: &'a str) -> Result<Context<'a>, PageError> {
    let entity = form.entity.as_ref().ok_or(PageError::NotFound)?;
    let tasks = entity.tasks();
    let editable = Editable::from_tasks(&entity.details, &tasks);
    Ok(Context {
        form,
        token,
        csrf_token,
        entity,
        tasks,
        editable,
    })
}

pub fn show(form: &ActiveForm, token: &FormToken, csrf_token: &str) -> Result<HttpResponse, PageError> {
    let context = context(form, token, csrf_token)?;
    let mut values = values_from_entity(&context.entity.details);
    if context.editable.new_owners {
        let existing = context.entity.details.beneficial_owners().len();
        values.set("owner_count", &(existing + 1).to_string());
    }
    render(&context, &values, &[], StatusCode::OK)
}

pub async fn submit(
    state: &AppState,
    req: &HttpRequest,
    form: &ActiveForm,
    token: &FormToken,
    csrf_token: &str,
    values: &mut FormValues,
    now: DateTime<Utc>,
) -> Result<HttpResponse, PageError> {
    let context = context(form, token, csrf_token)?;
    let existing = context.entity.details.beneficial_owners().len();
    let action = values.get("action").unwrap_or("submit").to_owned();
    if context.editable.new_owners && action == "add_owner" {
        values.add_owner();
        return render(&context, values, &[], StatusCode::OK);
    }
    if let Some(index) = action
        .strip_prefix("remove_owner:")
        .and_then(|i| i.parse::<usize>().ok())
    {
        // Only owners added on this page can be removed, and one stays.
        if context.editable.new_owners && index >= existing && values.owner_count() > existing + 1 {
            values.remove_owner(index);
        }
        return render(&context, values, &[], StatusCode::OK);
    }

    let Corrected {
        details,
        mut problems,
        resolved,
    } = apply_corrections(
        &context.entity.details,
        &context.editable,
        &values.corporation(),
        &values.individual("natural_person"),
        Rules::complete(now.date_naive()),
    );
    if context.editable.attest {
        problems.extend(missing_attestation(values));
    }
    if !problems.is_empty() {
        metrics::counter!("onboarding_form_validation_failures_total", "form" => "tasks").increment(1);
        return render(&context, values, &problems, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let validation = context
        .entity
        .validation
        .as_ref()
        .map(|validation| validation.after_corrections(&resolved));
    let corrected = context.editable.asks_for_details().then_some((details, validation));
    let terms = terms_agreement(state, req, now);
    finish(state, form, &Submission::Tasks { corrected }, &terms, now).await
}

fn render(
    context: &Context<'_>,
    values: &FormValues,
    problems: &[Problem],
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let b = Builder::new(values, problems);
    let details = &context.entity.details;
    let sections = task_sections(&b, context);
    let owners = task_owners(&b, context, values);
    let attestation = context
        .editable
        .attest
        .then(|| attestation_checkbox(&b, format!("the information about {}", details.name())));
    let page = TasksPage {
        program_name: &context.form.program_name,
        form_url: crate::links::form(context.token),
        csrf_token: context.csrf_token,
        entity_name: details.name().to_owned(),
        tasks: context.tasks.iter().map(|t| t.description.clone()).collect(),
        owner_count: values.owner_count().max(owners_on_file(details)),
        kept_owners: kept_owners(context),
        form: FormBody::new(&b, sections, owners, attestation),
    };
    Ok(html_for_form(
        status,
        page.render().map_err(PageError::internal)?,
        &context.form.session.redirect_url,
    ))
}

fn owners_on_file(details: &EntityDetails) -> usize {
    match details {
        EntityDetails::Corporation(c) => c.beneficial_owners.len(),
        EntityDetails::NaturalPerson(_) => 0,
    }
}

/// The sections the tasks ask for before the owners, in page order.
fn task_sections(b: &Builder<'_>, context: &Context<'_>) -> Vec<Section> {
    let editable = &context.editable;
    let details = &context.entity.details;
    let mut sections = Vec::new();
    match details {
        EntityDetails::Corporation(_) => {
            if editable.business {
                sections.push(business_section(b, BusinessHints::OnFile(last4_hint(details))));
            }
            if editable.address {
                sections.push(address_section(
                    b,
                    "corporation.address",
                    "address-heading",
                    "Business address",
                ));
            }
        }
        EntityDetails::NaturalPerson(_) => {
            if editable.person {
                sections.push(person_section(b));
            }
            if editable.person || editable.address {
                sections.push(address_section(
                    b,
                    "natural_person.address",
                    "address-heading",
                    "Home address",
                ));
            }
            if editable.person {
                sections.push(identification_section(b));
            }
        }
    }
    sections
}

/// The owners to correct, then the ones added on this page; none if the
/// tasks ask for no owner.
fn task_owners(b: &Builder<'_>, context: &Context<'_>, values: &FormValues) -> Option<OwnersSection> {
    let editable = &context.editable;
    let existing = owners_on_file(&context.entity.details);
    let count = values.owner_count();
    let added = if editable.new_owners {
        existing..count
    } else {
        existing..existing
    };
    // Only owners added on this page can be removed, and one stays.
    let removable = |index: usize| editable.new_owners && index >= existing && count > existing + 1;
    let can_add = editable.new_owners && count < MAX_BENEFICIAL_OWNERS;
    let section = owners_section(b, editable.owners.iter().copied().chain(added), removable, can_add);
    Some(section).filter(|s| !s.owners.is_empty() || s.error.is_some())
}

fn kept_owners(context: &Context<'_>) -> Vec<String> {
    match &context.entity.details {
        EntityDetails::Corporation(c) => c
            .beneficial_owners
            .iter()
            .enumerate()
            .filter(|(index, _)| !context.editable.owners.contains(index))
            .map(|(_, owner)| owner.individual.name.clone())
            .collect(),
        EntityDetails::NaturalPerson(_) => Vec::new(),
    }
}
