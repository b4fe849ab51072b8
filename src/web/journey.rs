//! The guided journey of a new customer: its pages (one topic each), the
//! order they come in, which answers belong to which page, and where a
//! customer who comes back resumes. Pure logic over the draft's answers; the
//! pages themselves are in `form.rs`.

use chrono::NaiveDate;

use super::{
    outstanding::TaskPlan,
    values::{DATE_PARTS, FormValues, OWNERS},
};
use crate::{
    domain::{
        draft::Draft,
        entity::{EntityDetails, Structure},
        onboarding::{MAX_BENEFICIAL_OWNERS, Problem, Rules, parse_details},
    },
    usecases::form::{ActiveForm, Submission},
};

/// How many stages the step counter shows ("Step 2 of 6").
pub const STAGES: usize = 6;

/// The draft's marker of the owners' summary answered "no more owners".
pub(super) const OWNERS_DONE: &str = "owners";

/// One page of the journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A session for an existing Entity: what it still needs (or that
    /// everything is in order).
    Tasks,
    Structure,
    Business,
    BusinessAddress,
    /// Beneficial owner `i` (from 0): name, date of birth, title, role.
    OwnerDetails(usize),
    OwnerAddress(usize),
    OwnerId(usize),
    /// The list of owners, and "add another?".
    Owners,
    Person,
    PersonAddress,
    PersonId,
    Check,
    Declaration,
}

fn owner_prefix(index: usize) -> String {
    format!("{OWNERS}.{index}")
}

pub(super) fn address_fields(prefix: &str) -> Vec<String> {
    ["line1", "line2", "city", "state", "zip"]
        .iter()
        .map(|field| format!("{prefix}.{field}"))
        .collect()
}

/// A date's answer (whole, as drafts saved before held it) and its three inputs.
pub(super) fn date_fields(path: &str) -> Vec<String> {
    std::iter::once(path.to_owned())
        .chain(DATE_PARTS.iter().map(|part| format!("{path}.{part}")))
        .collect()
}

pub(super) fn identification_fields(prefix: &str) -> Vec<String> {
    ["method", "number", "country"]
        .iter()
        .map(|field| format!("{prefix}.{field}"))
        .collect()
}

impl Step {
    /// The page named in a link (`business`, `owner-2-address`, ...).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "tasks" => Self::Tasks,
            "structure" => Self::Structure,
            "business" => Self::Business,
            "business-address" => Self::BusinessAddress,
            "owners" => Self::Owners,
            "person" => Self::Person,
            "person-address" => Self::PersonAddress,
            "person-id" => Self::PersonId,
            "check" => Self::Check,
            "declaration" => Self::Declaration,
            _ => {
                let (number, part) = name.strip_prefix("owner-")?.split_once('-')?;
                if number.starts_with('0') {
                    return None;
                }
                let index = number.parse::<usize>().ok()?.checked_sub(1)?;
                if index >= MAX_BENEFICIAL_OWNERS {
                    return None;
                }
                match part {
                    "details" => Self::OwnerDetails(index),
                    "address" => Self::OwnerAddress(index),
                    "id" => Self::OwnerId(index),
                    _ => return None,
                }
            }
        })
    }

    /// The page's name in links; [`Step::parse`] reads it back.
    pub fn name(self) -> String {
        match self {
            Self::Tasks => "tasks".to_owned(),
            Self::Structure => "structure".to_owned(),
            Self::Business => "business".to_owned(),
            Self::BusinessAddress => "business-address".to_owned(),
            Self::OwnerDetails(i) => format!("owner-{}-details", i + 1),
            Self::OwnerAddress(i) => format!("owner-{}-address", i + 1),
            Self::OwnerId(i) => format!("owner-{}-id", i + 1),
            Self::Owners => "owners".to_owned(),
            Self::Person => "person".to_owned(),
            Self::PersonAddress => "person-address".to_owned(),
            Self::PersonId => "person-id".to_owned(),
            Self::Check => "check".to_owned(),
            Self::Declaration => "declaration".to_owned(),
        }
    }

    /// Which of the [`STAGES`] the page belongs to (from 1).
    pub fn stage(self) -> usize {
        match self {
            Self::Tasks => 0,
            Self::Structure => 1,
            Self::Business | Self::Person => 2,
            Self::BusinessAddress | Self::PersonAddress => 3,
            Self::OwnerDetails(_) | Self::OwnerAddress(_) | Self::OwnerId(_) | Self::Owners | Self::PersonId => 4,
            Self::Check => 5,
            Self::Declaration => 6,
        }
    }

    /// The answers the page asks for, by JSON path.
    pub fn fields(self) -> Vec<String> {
        match self {
            Self::Structure => vec!["structure".to_owned()],
            Self::Business => [
                "name",
                "legal_identifier.value",
                "incorporation_state",
                "industry_code",
                "website",
                "email",
            ]
            .iter()
            .map(|field| format!("corporation.{field}"))
            .collect(),
            Self::BusinessAddress => address_fields("corporation.address"),
            Self::OwnerDetails(i) => {
                let prefix = owner_prefix(i);
                let mut fields = vec![format!("{prefix}.individual.name")];
                fields.extend(date_fields(&format!("{prefix}.individual.date_of_birth")));
                fields.extend([format!("{prefix}.company_title"), format!("{prefix}.prongs")]);
                fields
            }
            Self::OwnerAddress(i) => address_fields(&format!("{}.individual.address", owner_prefix(i))),
            Self::OwnerId(i) => identification_fields(&format!("{}.individual.identification", owner_prefix(i))),
            Self::Owners => vec![OWNERS.to_owned()],
            Self::Person => std::iter::once("natural_person.name".to_owned())
                .chain(date_fields("natural_person.date_of_birth"))
                .collect(),
            Self::PersonAddress => address_fields("natural_person.address"),
            Self::PersonId => identification_fields("natural_person.identification"),
            Self::Tasks | Self::Check => Vec::new(),
            Self::Declaration => vec!["attest".to_owned()],
        }
    }

    /// The problems of `all` that this page answers for.
    pub fn problems(self, all: &[Problem]) -> Vec<Problem> {
        let fields = self.fields();
        all.iter().filter(|p| fields.contains(&p.path)).cloned().collect()
    }
}

/// The customer's answers so far, as the form's values.
pub fn values(draft: &Draft) -> FormValues {
    FormValues::from_pairs(
        draft
            .answers
            .iter()
            .flat_map(|(key, values)| values.iter().map(move |value| (key.clone(), value.clone())))
            .collect(),
    )
}

pub fn structure(values: &FormValues) -> Option<Structure> {
    values.get("structure").and_then(|s| s.parse().ok())
}

/// How many beneficial owners the draft holds (0 before the first).
pub fn owner_count(values: &FormValues) -> usize {
    values
        .get("owner_count")
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_BENEFICIAL_OWNERS)
}

/// Every problem of the answers so far, checked against the complete rules.
pub fn problems(values: &FormValues, today: NaiveDate) -> Vec<Problem> {
    details(values, today).err().unwrap_or_default()
}

/// The new Entity's details from the answers, or every problem with them.
pub fn details(values: &FormValues, today: NaiveDate) -> Result<EntityDetails, Vec<Problem>> {
    let rules = Rules::complete(today);
    match structure(values) {
        Some(Structure::Corporation) => {
            let mut input = values.corporation();
            input.beneficial_owners.truncate(owner_count(values));
            parse_details("corporation", Some(&input), None, rules)
        }
        Some(Structure::NaturalPerson) => parse_details(
            "natural_person",
            None,
            Some(&values.individual("natural_person")),
            rules,
        ),
        None => Err(vec![Problem {
            path: "structure".to_owned(),
            message: "is required".to_owned(),
        }]),
    }
}

/// Every page before the check of answers, in order.
fn sequence(values: &FormValues) -> Vec<Step> {
    let mut steps = vec![Step::Structure];
    match structure(values) {
        Some(Structure::Corporation) => {
            steps.extend([Step::Business, Step::BusinessAddress]);
            for i in 0..owner_count(values).max(1) {
                steps.extend([Step::OwnerDetails(i), Step::OwnerAddress(i), Step::OwnerId(i)]);
            }
            steps.push(Step::Owners);
        }
        Some(Structure::NaturalPerson) => steps.extend([Step::Person, Step::PersonAddress, Step::PersonId]),
        None => {}
    }
    steps
}

/// Whether a page's answers are complete and valid.
fn is_done(step: Step, draft: &Draft, values: &FormValues, problems: &[Problem]) -> bool {
    match step {
        Step::Structure => structure(values).is_some(),
        Step::Owners => draft.saved.contains(OWNERS_DONE) && step.problems(problems).is_empty(),
        Step::Check | Step::Declaration => false,
        // An owner not added yet has no problems, but is not done either.
        Step::OwnerDetails(i) | Step::OwnerAddress(i) | Step::OwnerId(i) if i >= owner_count(values) => false,
        _ => step.problems(problems).is_empty(),
    }
}

/// Where a customer resumes: the first page not yet complete, else the
/// check of answers.
pub fn resume(draft: &Draft, today: NaiveDate) -> Step {
    let values = values(draft);
    let problems = problems(&values, today);
    sequence(&values)
        .into_iter()
        .find(|step| !is_done(*step, draft, &values, &problems))
        .unwrap_or(Step::Check)
}

/// Whether `step` can be shown now: the pages of owners not added yet, the
/// pages of the other structure, and the check and declaration before
/// everything is complete send the customer to [`resume`] instead.
pub fn is_open(step: Step, draft: &Draft, today: NaiveDate) -> bool {
    let values = values(draft);
    match step {
        Step::Structure => true,
        Step::Tasks => false,
        Step::Check | Step::Declaration => resume(draft, today) == Step::Check,
        Step::OwnerDetails(i) | Step::OwnerAddress(i) | Step::OwnerId(i) => {
            structure(&values) == Some(Structure::Corporation) && i < owner_count(&values).max(1)
        }
        other => sequence(&values).contains(&other),
    }
}

/// The page after `step` once it is saved.
pub fn next(step: Step, values: &FormValues) -> Step {
    match step {
        Step::Tasks | Step::Structure => match structure(values) {
            Some(Structure::NaturalPerson) => Step::Person,
            _ => Step::Business,
        },
        Step::Business => Step::BusinessAddress,
        Step::BusinessAddress if owner_count(values) == 0 => Step::OwnerDetails(0),
        Step::BusinessAddress => Step::Owners,
        Step::OwnerDetails(i) => Step::OwnerAddress(i),
        Step::OwnerAddress(i) => Step::OwnerId(i),
        Step::OwnerId(_) => Step::Owners,
        Step::Person => Step::PersonAddress,
        Step::PersonAddress => Step::PersonId,
        Step::Owners | Step::PersonId => Step::Check,
        Step::Check | Step::Declaration => Step::Declaration,
    }
}

/// Where the Back link of `step` goes; none on the first page.
pub fn back(step: Step, values: &FormValues) -> Option<Step> {
    let count = owner_count(values);
    Some(match step {
        Step::Tasks | Step::Structure => return None,
        Step::Business | Step::Person => Step::Structure,
        Step::BusinessAddress => Step::Business,
        Step::OwnerDetails(0) if count <= 1 => Step::BusinessAddress,
        Step::OwnerDetails(_) => Step::Owners,
        Step::OwnerAddress(i) => Step::OwnerDetails(i),
        Step::OwnerId(i) => Step::OwnerAddress(i),
        Step::Owners if count == 0 => Step::BusinessAddress,
        Step::Owners => Step::OwnerId(count - 1),
        Step::PersonAddress => Step::Person,
        Step::PersonId => Step::PersonAddress,
        Step::Check => match structure(values) {
            Some(Structure::NaturalPerson) => Step::PersonId,
            _ => Step::Owners,
        },
        Step::Declaration => Step::Check,
    })
}

/// Whether `path` holds a full ID number (kept in the draft, never shown).
pub fn is_number(path: &str) -> bool {
    path.ends_with(".identification.number")
}

/// Saves the answers `posted` on `step` into the draft. A full ID number
/// left blank keeps the one saved before (the page never shows it), unless
/// the type of ID changed.
pub fn save_answers(draft: &mut Draft, step: Step, posted: &FormValues) {
    save_answers_of(draft, step, &step.fields(), posted);
}

/// Saves the answers `posted` to `fields` of `step`, as [`save_answers`].
pub fn save_answers_of(draft: &mut Draft, step: Step, fields: &[String], posted: &FormValues) {
    let before = draft.clone();
    for field in fields.iter().cloned() {
        if field == OWNERS || field == "attest" {
            continue;
        }
        if is_number(&field) {
            let method = field.replace(".number", ".method");
            let same_method =
                before.answers.get(&method).and_then(|m| m.last()).map(String::as_str) == posted.raw(&method);
            match posted.get(&field) {
                Some(number) => {
                    draft.answers.insert(field, vec![number.to_owned()]);
                }
                None if same_method => {}
                None => {
                    draft.answers.remove(&field);
                }
            }
            continue;
        }
        let given: Vec<String> = posted.all(&field).to_vec();
        if given.iter().all(|v| v.trim().is_empty()) {
            draft.answers.remove(&field);
        } else if field.ends_with(".prongs") {
            draft.answers.insert(field, given);
        } else {
            draft
                .answers
                .insert(field, given.into_iter().last().into_iter().collect());
        }
    }
    // The issuing country belongs to a passport or another ID only.
    for field in fields.iter().filter(|f| f.ends_with(".identification.country")) {
        let method = field.replace(".country", ".method");
        let documented = matches!(
            draft.answers.get(&method).and_then(|m| m.last()).map(String::as_str),
            Some("passport" | "other")
        );
        let code = draft
            .answers
            .get(field)
            .and_then(|c| c.last())
            .map(|code| code.trim().to_ascii_uppercase())
            .filter(|code| crate::domain::countries::name(code).is_some());
        match code {
            Some(code) if documented => {
                draft.answers.insert(field.clone(), vec![code]);
            }
            _ => {
                draft.answers.remove(field);
            }
        }
    }
    if let Step::OwnerDetails(i) = step {
        let count = owner_count(&values(draft)).max(i + 1);
        draft.answers.insert("owner_count".to_owned(), vec![count.to_string()]);
    }
    draft.saved.insert(step.name());
}

/// Adds a beneficial owner to the draft; its pages come next.
pub fn add_owner(draft: &mut Draft) -> Option<Step> {
    let count = owner_count(&values(draft));
    (count < MAX_BENEFICIAL_OWNERS).then(|| {
        draft
            .answers
            .insert("owner_count".to_owned(), vec![(count + 1).to_string()]);
        draft.saved.remove(OWNERS_DONE);
        Step::OwnerDetails(count)
    })
}

/// Removes beneficial owner `index` (renumbering the ones after it).
pub fn remove_owner(draft: &mut Draft, index: usize) {
    let mut values = values(draft);
    let count = owner_count(&values);
    if index >= count {
        return;
    }
    values.drop_owner(index);
    let mut answers = values.into_map();
    answers.insert("owner_count".to_owned(), vec![(count - 1).to_string()]);
    draft.answers = answers;
    draft.saved.remove(OWNERS_DONE);
}

/// Records the customer's "no more owners" on the owners' summary.
pub fn finish_owners(draft: &mut Draft) {
    draft.saved.insert(OWNERS_DONE.to_owned());
}

/// The journey a session's form follows: a new customer's, or the pages
/// the outstanding tasks of the session's Entity need.
#[derive(Debug)]
pub enum Plan {
    New,
    Tasks(Box<TaskPlan>),
}

impl Plan {
    pub fn for_form(form: &ActiveForm) -> Self {
        match &form.entity {
            Some(entity) => Self::Tasks(Box::new(TaskPlan::new(entity))),
            None => Self::New,
        }
    }

    pub fn tasks(&self) -> Option<&TaskPlan> {
        match self {
            Self::Tasks(plan) => Some(plan),
            Self::New => None,
        }
    }

    /// The answers so far.
    pub fn values(&self, draft: &Draft) -> FormValues {
        match self {
            Self::New => values(draft),
            Self::Tasks(plan) => plan.values(draft),
        }
    }

    /// The answers `step` asks for, by JSON path.
    pub fn fields(&self, step: Step) -> Vec<String> {
        match self {
            Self::New => step.fields(),
            Self::Tasks(plan) => plan.fields(step),
        }
    }

    /// Every problem of the answers so far.
    pub fn problems(&self, values: &FormValues, today: NaiveDate) -> Vec<Problem> {
        match self {
            Self::New => problems(values, today),
            Self::Tasks(plan) => plan.corrected(values, today).problems,
        }
    }

    /// The problems of `all` that `step` answers for.
    pub fn problems_of(&self, step: Step, all: &[Problem]) -> Vec<Problem> {
        let fields = self.fields(step);
        all.iter().filter(|p| fields.contains(&p.path)).cloned().collect()
    }

    /// The Entity's details the answers make (for the check of answers).
    pub fn details(&self, values: &FormValues, today: NaiveDate) -> Result<EntityDetails, Vec<Problem>> {
        match self {
            Self::New => details(values, today),
            Self::Tasks(plan) => {
                let corrected = plan.corrected(values, today);
                if corrected.problems.is_empty() {
                    Ok(corrected.details)
                } else {
                    Err(corrected.problems)
                }
            }
        }
    }

    /// What the declaration submits, once every page is complete.
    pub fn submission(&self, values: &FormValues, today: NaiveDate) -> Result<Submission, Vec<Problem>> {
        match self {
            Self::New => details(values, today).map(Submission::NewEntity),
            Self::Tasks(plan) => {
                let corrected = plan.corrected(values, today);
                if !corrected.problems.is_empty() {
                    return Err(corrected.problems);
                }
                let validation = plan
                    .entity
                    .validation
                    .as_ref()
                    .map(|validation| validation.after_corrections(&corrected.resolved));
                let corrected = plan
                    .editable
                    .asks_for_details()
                    .then_some((corrected.details, validation));
                Ok(Submission::Tasks { corrected })
            }
        }
    }

    pub fn resume(&self, draft: &Draft, today: NaiveDate) -> Step {
        match self {
            Self::New => resume(draft, today),
            Self::Tasks(plan) => plan.resume(draft, today),
        }
    }

    pub fn is_open(&self, step: Step, draft: &Draft, today: NaiveDate) -> bool {
        match self {
            Self::New => is_open(step, draft, today),
            Self::Tasks(plan) => plan.is_open(step, draft, today),
        }
    }

    pub fn next(&self, step: Step, values: &FormValues) -> Step {
        match self {
            Self::New => next(step, values),
            Self::Tasks(plan) => plan.next(step, values),
        }
    }

    pub fn back(&self, step: Step, values: &FormValues) -> Option<Step> {
        match self {
            Self::New => back(step, values),
            Self::Tasks(plan) => plan.back(step, values),
        }
    }

    /// "Step {0} of {1}"; 0 for a page that is not a step.
    pub fn stage(&self, step: Step, values: &FormValues) -> (usize, usize) {
        match self {
            Self::New => (step.stage(), STAGES),
            Self::Tasks(plan) => plan.stage(step, values),
        }
    }

    /// The owners the form lists but cannot change or remove (those on file).
    pub fn owners_on_file(&self) -> usize {
        self.tasks().map_or(0, TaskPlan::owners_on_file)
    }

    /// Whether the check of answers offers to change the answers of `step`.
    pub fn can_change(&self, step: Step, values: &FormValues) -> bool {
        match self {
            Self::New => true,
            Self::Tasks(plan) => plan.sequence(values).contains(&step),
        }
    }

    /// Saves the answers `posted` on `step` into the draft.
    pub fn save_answers(&self, draft: &mut Draft, step: Step, posted: &FormValues) {
        if let Self::Tasks(plan) = self {
            plan.seed(draft);
        }
        save_answers_of(draft, step, &self.fields(step), posted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn answer(draft: &mut Draft, step: Step, pairs: &[(&str, &str)]) {
        let posted = FormValues::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        save_answers(draft, step, &posted);
    }

    fn business_and_address(draft: &mut Draft) {
        answer(draft, Step::Structure, &[("structure", "corporation")]);
        answer(
            draft,
            Step::Business,
            &[
                ("corporation.name", "Acme"),
                ("corporation.legal_identifier.value", "12-3456789"),
                ("corporation.incorporation_state", "DE"),
            ],
        );
        answer(
            draft,
            Step::BusinessAddress,
            &[
                ("corporation.address.line1", "1 Main St"),
                ("corporation.address.city", "Dover"),
                ("corporation.address.state", "DE"),
                ("corporation.address.zip", "19901"),
            ],
        );
    }

    fn owner(draft: &mut Draft, index: usize, name: &str, ssn: &str) {
        let p = owner_prefix(index);
        answer(
            draft,
            Step::OwnerDetails(index),
            &[
                (&format!("{p}.individual.name"), name),
                (&format!("{p}.individual.date_of_birth"), "07/31/1980"),
                (&format!("{p}.prongs"), "control"),
            ],
        );
        let a = format!("{p}.individual.address");
        answer(
            draft,
            Step::OwnerAddress(index),
            &[
                (&format!("{a}.line1"), "1 Home Rd"),
                (&format!("{a}.city"), "Springfield"),
                (&format!("{a}.state"), "IL"),
                (&format!("{a}.zip"), "62701"),
            ],
        );
        let id = format!("{p}.individual.identification");
        answer(
            draft,
            Step::OwnerId(index),
            &[
                (&format!("{id}.method"), "social_security_number"),
                (&format!("{id}.number"), ssn),
            ],
        );
    }

    #[test]
    fn page_names_round_trip() {
        for step in [
            Step::Structure,
            Step::BusinessAddress,
            Step::OwnerDetails(0),
            Step::OwnerId(7),
            Step::Owners,
            Step::PersonId,
            Step::Declaration,
        ] {
            assert_eq!(Step::parse(&step.name()), Some(step));
        }
        for bad in [
            "owner-0-details",
            "owner-9-details",
            "owner-01-id",
            "owner-1-x",
            "nope",
            "",
        ] {
            assert_eq!(Step::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_new_customer_resumes_where_they_stopped() {
        let mut draft = Draft::default();
        assert_eq!(resume(&draft, today()), Step::Structure);
        business_and_address(&mut draft);
        assert_eq!(resume(&draft, today()), Step::OwnerDetails(0));
        owner(&mut draft, 0, "Grace Hopper", "321-54-9876");
        assert_eq!(resume(&draft, today()), Step::Owners, "the list asks: another owner?");
        assert!(!is_open(Step::Check, &draft, today()));
        assert_eq!(add_owner(&mut draft), Some(Step::OwnerDetails(1)));
        assert_eq!(resume(&draft, today()), Step::OwnerDetails(1));
        owner(&mut draft, 1, "Alan Turing", "234-56-7891");
        finish_owners(&mut draft);
        assert_eq!(resume(&draft, today()), Step::Check);
        assert!(is_open(Step::Declaration, &draft, today()));
        assert!(problems(&values(&draft), today()).is_empty());
    }

    #[test]
    fn saved_numbers_are_kept_unless_the_type_of_id_changes() {
        let mut draft = Draft::default();
        business_and_address(&mut draft);
        owner(&mut draft, 0, "Grace Hopper", "321-54-9876");
        let number = "corporation.beneficial_owners.0.individual.identification.number";
        let method = "corporation.beneficial_owners.0.individual.identification.method";
        answer(
            &mut draft,
            Step::OwnerId(0),
            &[(method, "social_security_number"), (number, "")],
        );
        assert_eq!(draft.answers[number], ["321-54-9876"]);
        answer(&mut draft, Step::OwnerId(0), &[(method, "passport"), (number, "")]);
        assert!(!draft.answers.contains_key(number));
    }

    #[test]
    fn removing_an_owner_renumbers_the_rest_and_asks_again() {
        let mut draft = Draft::default();
        business_and_address(&mut draft);
        owner(&mut draft, 0, "Grace Hopper", "321-54-9876");
        add_owner(&mut draft);
        owner(&mut draft, 1, "Alan Turing", "234-56-7891");
        finish_owners(&mut draft);
        remove_owner(&mut draft, 0);
        let values = values(&draft);
        assert_eq!(owner_count(&values), 1);
        assert_eq!(
            values.get("corporation.beneficial_owners.0.individual.name"),
            Some("Alan Turing")
        );
        assert_eq!(resume(&draft, today()), Step::Owners);
        remove_owner(&mut draft, 0);
        assert_eq!(resume(&draft, today()), Step::OwnerDetails(0));
    }

    #[test]
    fn back_links_retrace_the_journey() {
        let mut draft = Draft::default();
        business_and_address(&mut draft);
        let values = values(&draft);
        assert_eq!(back(Step::Structure, &values), None);
        assert_eq!(back(Step::OwnerDetails(0), &values), Some(Step::BusinessAddress));
        assert_eq!(next(Step::BusinessAddress, &values), Step::OwnerDetails(0));
        assert_eq!(back(Step::Check, &values), Some(Step::Owners));
    }
}
