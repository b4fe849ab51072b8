//! The journey of a session made for an existing Entity: only the pages its
//! outstanding tasks need, each asking only what they need, prefilled with
//! what is on file (ID numbers never: those are asked, then kept sealed in
//! the draft like a new customer's). Pure logic over the draft's answers;
//! the pages are the new customer's (`pages.rs`).

use chrono::NaiveDate;

use super::{
    journey::{OWNERS_DONE, Step, address_fields, identification_fields, owner_count, values as draft_values},
    values::{FormValues, OWNERS},
};
use crate::domain::{
    address::{PostalCode, Region, UsState},
    corrections::{Corrected, Editable, apply_corrections},
    draft::Draft,
    entity::{Address, Entity, EntityDetails, Individual},
    onboarding::{MAX_BENEFICIAL_OWNERS, Problem, Rules},
    person::{Email, NaicsCode, Website},
    tasks::Task,
};

/// What the session's Entity still needs, and the pages that ask for it.
#[derive(Debug)]
pub struct TaskPlan {
    pub entity: Entity,
    pub tasks: Vec<Task>,
    pub editable: Editable,
}

impl TaskPlan {
    pub fn new(entity: &Entity) -> Self {
        let tasks = entity.tasks();
        let editable = Editable::from_tasks(&entity.details, &tasks);
        Self {
            entity: entity.clone(),
            tasks,
            editable,
        }
    }

    fn is_corporation(&self) -> bool {
        matches!(self.entity.details, EntityDetails::Corporation(_))
    }

    /// How many beneficial owners are on file (never removed through the form).
    pub fn owners_on_file(&self) -> usize {
        self.entity.details.beneficial_owners().len()
    }

    /// The answers a page asks for, by JSON path; none if the tasks do not
    /// need the page.
    pub fn fields(&self, step: Step) -> Vec<String> {
        let e = &self.editable;
        let on_file = self.owners_on_file();
        let corporation = self.is_corporation();
        let new_owner = |i: usize| e.new_owners && i >= on_file;
        let owner = |i: usize| format!("{OWNERS}.{i}.individual");
        match step {
            Step::Business if corporation => {
                let mut fields = Vec::new();
                if e.business_identity {
                    fields.push("corporation.name".to_owned());
                }
                if e.business_identity || e.tax_identifier {
                    fields.push("corporation.legal_identifier.value".to_owned());
                }
                fields
            }
            Step::BusinessAddress if corporation && e.address => address_fields("corporation.address"),
            Step::OwnerDetails(i) if new_owner(i) => step.fields(),
            Step::OwnerDetails(i) if e.owner_identity.contains(&i) => {
                vec![format!("{}.name", owner(i)), format!("{}.date_of_birth", owner(i))]
            }
            Step::OwnerAddress(i) if new_owner(i) || e.owner_address.contains(&i) => step.fields(),
            Step::OwnerId(i) if new_owner(i) || e.owner_identification.contains(&i) => step.fields(),
            Step::Owners if corporation && e.new_owners => step.fields(),
            Step::Person if !corporation && e.person_identity => step.fields(),
            Step::PersonAddress if !corporation && e.address => address_fields("natural_person.address"),
            Step::PersonId if !corporation && e.identification => {
                identification_fields("natural_person.identification")
            }
            Step::Declaration if e.attest => step.fields(),
            _ => Vec::new(),
        }
    }

    /// Every page before the check of answers, in order.
    pub fn sequence(&self, values: &FormValues) -> Vec<Step> {
        let mut candidates = vec![Step::Business, Step::BusinessAddress];
        for i in 0..self.owners_on_file() {
            candidates.extend([Step::OwnerDetails(i), Step::OwnerAddress(i), Step::OwnerId(i)]);
        }
        if self.editable.new_owners {
            let on_file = self.owners_on_file();
            let count = owner_count(values).max(on_file + 1).min(MAX_BENEFICIAL_OWNERS);
            for i in on_file..count {
                candidates.extend([Step::OwnerDetails(i), Step::OwnerAddress(i), Step::OwnerId(i)]);
            }
            candidates.push(Step::Owners);
        }
        candidates.extend([Step::Person, Step::PersonAddress, Step::PersonId]);
        candidates
            .into_iter()
            .filter(|step| !self.fields(*step).is_empty())
            .collect()
    }

    /// The Entity with the answers applied, and every problem with them.
    pub fn corrected(&self, values: &FormValues, today: NaiveDate) -> Corrected {
        let mut input = values.corporation();
        input
            .beneficial_owners
            .truncate(owner_count(values).max(self.owners_on_file()));
        apply_corrections(
            &self.entity.details,
            &self.editable,
            &input,
            &values.individual("natural_person"),
            Rules::complete(today),
        )
    }

    /// The customer's answers so far: at first, what is on file.
    pub fn values(&self, draft: &Draft) -> FormValues {
        if draft.answers.is_empty() {
            values_from_entity(&self.entity.details)
        } else {
            draft_values(draft)
        }
    }

    /// Starts the draft from what is on file, so that what the customer
    /// clears stays cleared.
    pub fn seed(&self, draft: &mut Draft) {
        if draft.answers.is_empty() {
            draft.answers = values_from_entity(&self.entity.details).into_map();
        }
        draft.based_on.get_or_insert(self.entity.updated_at);
    }

    /// Whether the customer has saved any page yet.
    fn started(&self, draft: &Draft, values: &FormValues) -> bool {
        !draft.saved.is_empty() || owner_count(values) > self.owners_on_file()
    }

    fn is_done(&self, step: Step, draft: &Draft, values: &FormValues, problems: &[Problem]) -> bool {
        let fields = self.fields(step);
        let clean = !problems.iter().any(|p| fields.contains(&p.path));
        match step {
            Step::Owners => draft.saved.contains(OWNERS_DONE) && clean,
            // A new owner's pages hold nothing from the file: answered is done.
            Step::OwnerDetails(i) | Step::OwnerAddress(i) | Step::OwnerId(i) if i >= self.owners_on_file() => {
                i < owner_count(values) && clean
            }
            _ => draft.saved.contains(&step.name()) && clean,
        }
    }

    /// The first page not yet saved and valid, if any.
    fn pending(&self, draft: &Draft, today: NaiveDate) -> Option<Step> {
        let values = self.values(draft);
        let problems = self.corrected(&values, today).problems;
        self.sequence(&values)
            .into_iter()
            .find(|step| !self.is_done(*step, draft, &values, &problems))
    }

    /// Where the customer resumes: the list of tasks before they start,
    /// then the first page not done, then the check of answers.
    pub fn resume(&self, draft: &Draft, today: NaiveDate) -> Step {
        let values = self.values(draft);
        if self.tasks.is_empty() || !self.started(draft, &values) {
            return Step::Tasks;
        }
        self.pending(draft, today).unwrap_or(Step::Check)
    }

    pub fn is_open(&self, step: Step, draft: &Draft, today: NaiveDate) -> bool {
        match step {
            Step::Tasks => true,
            Step::Check | Step::Declaration => self.pending(draft, today).is_none(),
            other => self.sequence(&self.values(draft)).contains(&other),
        }
    }

    pub fn next(&self, step: Step, values: &FormValues) -> Step {
        if matches!(step, Step::OwnerId(i) if i >= self.owners_on_file()) {
            return Step::Owners;
        }
        let sequence = self.sequence(values);
        let after = match step {
            Step::Tasks => sequence.first().copied(),
            _ => sequence
                .iter()
                .position(|s| *s == step)
                .and_then(|i| sequence.get(i + 1).copied()),
        };
        match step {
            Step::Check | Step::Declaration => Step::Declaration,
            _ => after.unwrap_or(Step::Check),
        }
    }

    pub fn back(&self, step: Step, values: &FormValues) -> Option<Step> {
        let sequence = self.sequence(values);
        let on_file = self.owners_on_file();
        match step {
            Step::Tasks => None,
            Step::Declaration => Some(Step::Check),
            Step::Check => Some(sequence.last().copied().unwrap_or(Step::Tasks)),
            Step::OwnerDetails(i) if i > on_file => Some(Step::Owners),
            _ => {
                let position = sequence.iter().position(|s| *s == step)?;
                Some(match position {
                    0 => Step::Tasks,
                    n => sequence[n - 1],
                })
            }
        }
    }

    /// Where `step` stands ("Step 2 of 4"): each page a stage, the new
    /// owners' loop one, then the check and the declaration; 0 for the list
    /// of tasks, which is not a step.
    pub fn stage(&self, step: Step, values: &FormValues) -> (usize, usize) {
        let on_file = self.owners_on_file();
        let topic = |s: Step| match s {
            Step::OwnerDetails(i) | Step::OwnerAddress(i) | Step::OwnerId(i) if i >= on_file => Step::Owners,
            other => other,
        };
        let mut stages: Vec<Step> = Vec::new();
        for s in self.sequence(values).into_iter().map(topic) {
            if !stages.contains(&s) {
                stages.push(s);
            }
        }
        stages.extend([Step::Check, Step::Declaration]);
        let stage = stages.iter().position(|s| *s == topic(step)).map_or(0, |i| i + 1);
        (stage, stages.len())
    }

    /// The names of the owners on file that the tasks do not ask about.
    pub fn kept_owners(&self) -> Vec<String> {
        let asked = self.editable.corrected_owners();
        self.entity
            .details
            .beneficial_owners()
            .iter()
            .enumerate()
            .filter(|(index, _)| !asked.contains(index))
            .map(|(_, owner)| owner.individual.name.clone())
            .collect()
    }

    /// The last four digits of the EIN on file, if one is (the business
    /// page names them).
    pub fn ein_last4(&self) -> Option<String> {
        match &self.entity.details {
            EntityDetails::Corporation(c) => c.legal_identifier.as_ref().map(|id| {
                let digits: Vec<char> = id.value().chars().collect();
                digits[digits.len().saturating_sub(4)..].iter().collect()
            }),
            EntityDetails::NaturalPerson(_) => None,
        }
    }
}

fn set_address(values: &mut FormValues, prefix: &str, address: &Address) {
    values.set(&format!("{prefix}.line1"), &address.line1);
    for (field, value) in [
        ("line2", address.line2.as_deref()),
        ("city", address.city.as_deref()),
        ("state", address.state.as_ref().map(Region::as_str)),
        ("zip", address.zip.as_ref().map(PostalCode::as_str)),
    ] {
        if let Some(value) = value {
            values.set(&format!("{prefix}.{field}"), value);
        }
    }
}

fn set_individual(values: &mut FormValues, prefix: &str, person: &Individual) {
    values.set(&format!("{prefix}.name"), &person.name);
    values.set_date(&format!("{prefix}.date_of_birth"), person.date_of_birth);
    set_address(values, &format!("{prefix}.address"), &person.address);
    if let Some(identification) = &person.identification {
        values.set(
            &format!("{prefix}.identification.method"),
            identification.method.as_str(),
        );
    }
}

/// The answers the Entity on file gives. Full ID numbers are never known,
/// so those stay empty.
pub fn values_from_entity(details: &EntityDetails) -> FormValues {
    let mut values = FormValues::default();
    match details {
        EntityDetails::Corporation(c) => {
            values.set("structure", "corporation");
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
                if let Some(value) = value {
                    values.set(&format!("corporation.{field}"), value);
                }
            }
            set_address(&mut values, "corporation.address", &c.address);
            for (index, owner) in c.beneficial_owners.iter().enumerate() {
                let prefix = format!("{OWNERS}.{index}");
                set_individual(&mut values, &format!("{prefix}.individual"), &owner.individual);
                if let Some(title) = &owner.company_title {
                    values.set(&format!("{prefix}.company_title"), title);
                }
                for prong in &owner.prongs {
                    values.push(&format!("{prefix}.prongs"), prong.as_str());
                }
            }
            values.set("owner_count", &c.beneficial_owners.len().to_string());
        }
        EntityDetails::NaturalPerson(person) => {
            values.set("structure", "natural_person");
            set_individual(&mut values, "natural_person", person);
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        domain::{
            entity::sandbox_corporation,
            ids::EntityId,
            validation::{IssueCategory, Validation, ValidationIssue},
        },
        web::journey::{save_answers_of, values},
    };

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn entity(details: EntityDetails, validation: Option<Validation>) -> Entity {
        let now = chrono::Utc::now();
        Entity {
            id: EntityId::generate(),
            status: crate::domain::entity::EntityStatus::Active,
            description: None,
            details,
            details_confirmed_at: None,
            creating_entity_onboarding_session_id: None,
            idempotency_key: None,
            validation,
            terms_agreements: Vec::new(),
            created_at: now,
            updated_at: now,
        }
    }

    fn answer(plan: &TaskPlan, draft: &mut Draft, step: Step, pairs: &[(&str, &str)]) {
        let posted = FormValues::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        plan.seed(draft);
        save_answers_of(draft, step, &plan.fields(step), &posted);
    }

    #[test]
    fn a_flagged_tax_id_asks_the_ein_alone_then_the_check() {
        let details = sandbox_corporation();
        let flagged = Validation::from_issues(vec![ValidationIssue {
            category: IssueCategory::EntityTaxIdentifier,
            beneficial_owner_id: None,
        }]);
        let plan = TaskPlan::new(&entity(details, Some(flagged)));
        let mut draft = Draft::default();
        assert_eq!(plan.resume(&draft, today()), Step::Tasks);
        assert_eq!(plan.sequence(&plan.values(&draft)), [Step::Business]);
        assert_eq!(plan.fields(Step::Business), ["corporation.legal_identifier.value"]);
        assert!(plan.fields(Step::BusinessAddress).is_empty());
        assert!(!plan.is_open(Step::Check, &draft, today()));
        answer(
            &plan,
            &mut draft,
            Step::Business,
            &[("corporation.legal_identifier.value", "98-7654321")],
        );
        assert_eq!(plan.resume(&draft, today()), Step::Check);
        assert!(plan.is_open(Step::Declaration, &draft, today()));
        assert_eq!(plan.stage(Step::Business, &values(&draft)), (1, 3));
        assert_eq!(plan.back(Step::Business, &values(&draft)), Some(Step::Tasks));
    }

    #[test]
    fn missing_owners_are_added_in_a_loop_after_the_ones_on_file() {
        let EntityDetails::Corporation(mut c) = sandbox_corporation() else {
            panic!("a corporation");
        };
        c.beneficial_owners[0].prongs = vec![crate::domain::entity::Prong::Ownership];
        let plan = TaskPlan::new(&entity(EntityDetails::Corporation(c), None));
        assert!(plan.editable.new_owners);
        let draft = Draft::default();
        let values = plan.values(&draft);
        assert_eq!(
            plan.sequence(&values),
            [
                Step::OwnerDetails(1),
                Step::OwnerAddress(1),
                Step::OwnerId(1),
                Step::Owners
            ]
        );
        assert!(
            plan.fields(Step::OwnerDetails(0)).is_empty(),
            "the owner on file is kept"
        );
        assert_eq!(plan.next(Step::Tasks, &values), Step::OwnerDetails(1));
        assert_eq!(plan.next(Step::OwnerId(1), &values), Step::Owners);
        assert_eq!(plan.kept_owners(), ["Ian Crease"]);
    }
}
