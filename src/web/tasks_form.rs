//! The hosted form of a session created for an existing Entity: it lists the
//! Entity's outstanding tasks and asks only for what they need, prefilled
//! with what is known (ID numbers as last 4 only).

use std::collections::BTreeSet;

use actix_web::{HttpRequest, HttpResponse, http::StatusCode};
use askama::Template;
use chrono::{DateTime, Utc};

use super::{
    PageError,
    form::{ATTEST, finish, terms_agreement},
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
        entity::{Address, Entity, EntityDetails, Individual},
        ids::{BeneficialOwnerId, FormToken},
        onboarding::{
            MAX_BENEFICIAL_OWNERS, Problem, Problems, Rules, check_owners, parse_address, parse_business,
            parse_individual, parse_owner,
        },
        tasks::{Task, TaskCategory},
        validation::{IssueCategory, Resolved},
    },
    startup::AppState,
    usecases::form::{ActiveForm, Submission},
};

/// Which parts of the Entity the form lets the customer change.
#[derive(Debug, Default)]
struct Editable {
    business: bool,
    address: bool,
    /// Indexes of existing beneficial owners to correct.
    owners: BTreeSet<usize>,
    new_owners: bool,
    person: bool,
    attest: bool,
}

impl Editable {
    fn from_tasks(details: &EntityDetails, tasks: &[Task]) -> Self {
        let mut editable = Self::default();
        let owner_index = |id: &Option<BeneficialOwnerId>| match details {
            EntityDetails::Corporation(c) => c.beneficial_owners.iter().position(|o| Some(&o.id) == id.as_ref()),
            EntityDetails::NaturalPerson(_) => None,
        };
        let corporation = matches!(details, EntityDetails::Corporation(_));
        for task in tasks {
            match task.category {
                TaskCategory::ProvideTaxIdentifier | TaskCategory::CorrectTaxIdentifier => editable.business = true,
                TaskCategory::CorrectIdentity if corporation => editable.business = true,
                TaskCategory::CorrectIdentity | TaskCategory::ProvideIdentification => editable.person = true,
                TaskCategory::CompleteAddress | TaskCategory::CorrectAddress => editable.address = true,
                TaskCategory::AddBeneficialOwner | TaskCategory::AddControlPerson => editable.new_owners = true,
                TaskCategory::ProvideBeneficialOwnerIdentification
                | TaskCategory::CorrectBeneficialOwnerIdentity
                | TaskCategory::CorrectBeneficialOwnerAddress => {
                    if let Some(index) = owner_index(&task.beneficial_owner_id) {
                        editable.owners.insert(index);
                    }
                }
                TaskCategory::ConfirmDetails | TaskCategory::Attest => editable.attest = true,
            }
        }
        editable
    }

    fn asks_for_details(&self) -> bool {
        self.business || self.address || self.new_owners || self.person || !self.owners.is_empty()
    }
}

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
        ("line2", &address.line2),
        ("city", &address.city),
        ("state", &address.state),
        ("zip", &address.zip),
    ] {
        values.set(&format!("{prefix}.{field}"), value.as_deref().unwrap_or(""));
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
                ("website", &c.website),
                ("email", &c.email),
                ("incorporation_state", &c.incorporation_state),
                ("industry_code", &c.industry_code),
            ] {
                values.set(&format!("corporation.{field}"), value.as_deref().unwrap_or(""));
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
                .value
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

    let (details, mut problems, resolved) = merge(&context, values, Rules::complete(now.date_naive()));
    let attested = !context.editable.attest || values.get(ATTEST) == Some("true");
    if !attested {
        problems.push(Problem {
            path: ATTEST.to_owned(),
            message: "please confirm that the information is true and complete".to_owned(),
        });
    }
    if !problems.is_empty() {
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

/// Applies the editable parts of the form to the stored details.
fn merge(context: &Context<'_>, values: &FormValues, rules: Rules) -> (EntityDetails, Vec<Problem>, Vec<Resolved>) {
    let editable = &context.editable;
    let mut problems = Problems::default();
    let mut resolved = Vec::new();
    let details = match context.entity.details.clone() {
        EntityDetails::Corporation(mut c) => {
            let input = values.corporation();
            if editable.business
                && let Some(business) = parse_business(&input, rules, &mut problems)
            {
                c.name = business.name;
                c.legal_identifier = business.legal_identifier;
                c.website = business.website;
                c.email = business.email;
                c.incorporation_state = business.incorporation_state;
                c.industry_code = business.industry_code;
                resolved.extend([
                    Resolved::entity(IssueCategory::EntityTaxIdentifier),
                    Resolved::entity(IssueCategory::EntityIdentity),
                ]);
            }
            if editable.address
                && let Some(address) = parse_address(&input.address, "corporation.address", rules, &mut problems)
            {
                c.address = address;
                resolved.push(Resolved::entity(IssueCategory::EntityAddress));
            }
            for &index in &editable.owners {
                let (Some(owner_input), Some(current)) =
                    (input.beneficial_owners.get(index), c.beneficial_owners.get(index))
                else {
                    continue;
                };
                let path = format!("{OWNERS}.{index}");
                if let Some(owner) = parse_owner(owner_input, &path, current.id.clone(), rules, &mut problems) {
                    for category in [
                        IssueCategory::BeneficialOwnerIdentity,
                        IssueCategory::BeneficialOwnerAddress,
                        IssueCategory::BeneficialOwnerTaxIdentifier,
                    ] {
                        resolved.push(Resolved::owner(category, owner.id.clone()));
                    }
                    c.beneficial_owners[index] = owner;
                }
            }
            if editable.new_owners {
                let existing = c.beneficial_owners.len();
                for (index, owner_input) in input.beneficial_owners.iter().enumerate().skip(existing) {
                    let path = format!("{OWNERS}.{index}");
                    let id = BeneficialOwnerId::generate();
                    if let Some(owner) = parse_owner(owner_input, &path, id, rules, &mut problems) {
                        c.beneficial_owners.push(owner);
                    }
                }
            }
            if problems.is_empty() {
                let exempt = c.beneficial_ownership_exemption_reason.is_some();
                check_owners(&c.beneficial_owners, exempt, rules, &mut problems);
            }
            EntityDetails::Corporation(c)
        }
        EntityDetails::NaturalPerson(mut person) => {
            let input = values.individual("natural_person");
            if editable.person {
                if let Some(updated) = parse_individual(&input, "natural_person", rules, &mut problems) {
                    person = updated;
                    resolved.extend([
                        Resolved::entity(IssueCategory::EntityIdentity),
                        Resolved::entity(IssueCategory::EntityTaxIdentifier),
                        Resolved::entity(IssueCategory::EntityAddress),
                    ]);
                }
            } else if editable.address
                && let Some(address) = parse_address(&input.address, "natural_person.address", rules, &mut problems)
            {
                person.address = address;
                resolved.push(Resolved::entity(IssueCategory::EntityAddress));
            }
            EntityDetails::NaturalPerson(person)
        }
    };
    (details, problems.into_vec(), resolved)
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
        context.form.session.redirect_url.as_str(),
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
