//! The hosted form of a session created for an existing Entity: it lists the
//! Entity's outstanding tasks and asks only for what they need, prefilled
//! with what is known (ID numbers as last 4 only).

use std::collections::BTreeSet;

use actix_web::{HttpRequest, HttpResponse, http::StatusCode};
use askama::Template;
use chrono::{DateTime, Utc};

use super::{
    PageError,
    form::{ATTEST, OwnerView, finish, terms_agreement},
    html_for_form,
    values::{FormValues, OWNERS},
    view::{Builder, FieldView, SummaryItem, field_id},
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
    token: &'a str,
    csrf_token: &'a str,
    entity_name: String,
    tasks: Vec<String>,
    summary: Vec<SummaryItem>,
    business: Vec<FieldView>,
    address_heading: &'static str,
    address: Vec<FieldView>,
    kept_owners: Vec<String>,
    owners: Vec<OwnerView>,
    owner_count: usize,
    owners_id: String,
    owners_error: Option<String>,
    can_add_owner: bool,
    person: Vec<FieldView>,
    person_identification: Vec<FieldView>,
    attest: bool,
    attest_checked: bool,
    attest_error: Option<String>,
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
    let editable = &context.editable;
    let details = &context.entity.details;
    let corporation = matches!(details, EntityDetails::Corporation(_));
    let mut business = Vec::new();
    let mut address = Vec::new();
    let mut person = Vec::new();
    let mut person_identification = Vec::new();
    let mut owners = Vec::new();
    let mut kept_owners = Vec::new();
    match details {
        EntityDetails::Corporation(c) => {
            if editable.business {
                let mut ein = b
                    .field(
                        "corporation.legal_identifier.value",
                        "Employer Identification Number (EIN)",
                    )
                    .numeric()
                    .short()
                    .hint("9 digits, like 12-3456789");
                if let (Some(hint), None) = (last4_hint(details), &ein.error) {
                    ein = ein.hint(hint);
                }
                business = vec![
                    b.field("corporation.name", "Legal business name")
                        .autocomplete("organization"),
                    ein,
                    b.field("corporation.incorporation_state", "State of incorporation")
                        .select("Choose a state", &crate::domain::address::US_STATES),
                    b.field("corporation.industry_code", "Industry (NAICS code)")
                        .optional()
                        .numeric()
                        .short(),
                    b.field("corporation.website", "Website").optional().autocomplete("url"),
                    b.field("corporation.email", "Business email")
                        .optional()
                        .email()
                        .autocomplete("email"),
                ];
            }
            if editable.address {
                address = b.address("corporation.address");
            }
            for (index, owner) in c.beneficial_owners.iter().enumerate() {
                if editable.owners.contains(&index) {
                    owners.push(super::form::owner_view(&b, index));
                } else {
                    kept_owners.push(owner.individual.name.clone());
                }
            }
            if editable.new_owners {
                owners.extend(
                    (c.beneficial_owners.len()..values.owner_count()).map(|index| super::form::owner_view(&b, index)),
                );
            }
        }
        EntityDetails::NaturalPerson(_) => {
            if editable.person {
                person = vec![
                    b.field("natural_person.name", "Full legal name").autocomplete("name"),
                    b.date_of_birth("natural_person.date_of_birth"),
                ];
                person_identification = b.identification("natural_person.identification");
            }
            if editable.person || editable.address {
                address = b.address("natural_person.address");
            }
        }
    }
    let existing = match details {
        EntityDetails::Corporation(c) => c.beneficial_owners.len(),
        EntityDetails::NaturalPerson(_) => 0,
    };
    let mut owner_views = owners;
    for owner in &mut owner_views {
        owner.removable = editable.new_owners && owner.index >= existing && values.owner_count() > existing + 1;
    }
    let order: Vec<String> = business
        .iter()
        .chain(&person)
        .chain(&address)
        .map(|f| f.name.clone())
        .chain(std::iter::once(OWNERS.to_owned()))
        .chain(owner_views.iter().flat_map(OwnerView::field_names))
        .chain(person_identification.iter().map(|f| f.name.clone()))
        .chain(std::iter::once(ATTEST.to_owned()))
        .collect();
    let page = TasksPage {
        program_name: &context.form.program_name,
        token: context.token.expose(),
        csrf_token: context.csrf_token,
        entity_name: details.name().to_owned(),
        tasks: context.tasks.iter().map(|t| t.description.clone()).collect(),
        summary: b.summary(&order),
        business,
        address_heading: if corporation {
            "Business address"
        } else {
            "Home address"
        },
        address,
        kept_owners,
        owners: owner_views,
        owner_count: values.owner_count().max(existing),
        owners_id: field_id(OWNERS),
        owners_error: b.error(OWNERS),
        can_add_owner: editable.new_owners && values.owner_count() < MAX_BENEFICIAL_OWNERS,
        person,
        person_identification,
        attest: editable.attest,
        attest_checked: values.get(ATTEST) == Some("true"),
        attest_error: b.error(ATTEST),
    };
    Ok(html_for_form(
        status,
        page.render().map_err(PageError::internal)?,
        context.form.session.redirect_url.as_str(),
    ))
}
