//! The question pages of a new customer's journey: one page struct per
//! template, built from the draft's answers and the problems to show.

use askama::Template;

use super::{
    form::ATTEST,
    journey::{self, Plan, Step},
    sections::{Attestation, BusinessHints, attestation_checkbox, business_section},
    values::{FormValues, OWNERS},
    view::{Builder, DateInput, FieldView, SummaryItem, field_id},
};
use crate::domain::{
    address::{Address, US_STATES},
    countries::{self, COUNTRIES},
    entity::{EntityDetails, IdentificationMethod, Individual, Prong, Structure},
    ids::FormToken,
    onboarding::{MAX_BENEFICIAL_OWNERS, Problem},
};

/// What every question page shows around its question.
pub struct Frame {
    pub program_name: String,
    /// The page's `<title>` (and `h1`, unless the page says otherwise).
    pub title: String,
    pub back_url: Option<String>,
    /// "Step {stage} of {stages}"; 0 on a page that is not a step.
    pub stage: usize,
    pub stages: usize,
    pub summary: Vec<SummaryItem>,
    /// Where the page's form posts.
    pub action: String,
    pub csrf_token: String,
    pub expires_at: String,
}

/// A group of radio buttons or checkboxes under one legend.
pub struct Choices {
    /// The `id` of the first input, which the error summary links to.
    pub id: String,
    pub name: String,
    pub legend: String,
    /// The legend is the page's `h1`.
    pub legend_is_heading: bool,
    pub hint: Option<String>,
    pub radio: bool,
    pub options: Vec<Choice>,
    pub error: Option<String>,
}

pub struct Choice {
    pub id: String,
    pub value: String,
    pub label: String,
    pub hint: Option<String>,
    pub checked: bool,
}

impl Choices {
    fn new(b: &Builder<'_>, name: &str, legend: &str, radio: bool, options: &[(&str, &str, Option<&str>)]) -> Self {
        let id = field_id(name);
        Self {
            options: options
                .iter()
                .enumerate()
                .map(|(i, (value, label, hint))| Choice {
                    id: if i == 0 { id.clone() } else { format!("{id}-{value}") },
                    value: (*value).to_owned(),
                    label: (*label).to_owned(),
                    hint: hint.map(str::to_owned),
                    checked: b.checked(name, value),
                })
                .collect(),
            error: b.error(name),
            id,
            name: name.to_owned(),
            legend: legend.to_owned(),
            legend_is_heading: false,
            hint: None,
            radio,
        }
    }

    /// `aria-describedby` of the fieldset.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

/// A full ID number already saved: shown by its last four only.
pub struct SavedNumber {
    pub path: String,
    pub id: String,
    pub text: String,
    pub change_url: String,
}

/// One thing a question page asks.
pub enum Item {
    Field(FieldView),
    Choices(Choices),
    Saved(SavedNumber),
    Date(DateInput),
}

impl Item {
    /// The answer's JSON path.
    fn path(&self) -> String {
        match self {
            Self::Field(f) => f.name.clone(),
            Self::Choices(c) => c.name.clone(),
            Self::Saved(s) => s.path.clone(),
            Self::Date(d) => d.path.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "journey_question.html")]
pub struct QuestionPage {
    pub frame: Frame,
    /// Above the heading: whom the page is about ("Beneficial owner 2").
    pub caption: Option<String>,
    pub lead: Option<String>,
    pub items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "journey_structure.html")]
pub struct StructurePage {
    pub frame: Frame,
    pub choices: Choices,
}

pub struct OwnerRow {
    /// Added through this form, so it may be changed or removed (not one on file).
    pub editable: bool,
    pub number: usize,
    pub index: usize,
    pub name: String,
    pub roles: String,
    pub complete: bool,
    pub change_url: String,
}

#[derive(Template)]
#[template(path = "journey_owners.html")]
pub struct OwnersPage {
    pub frame: Frame,
    pub owners: Vec<OwnerRow>,
    pub question: Option<Choices>,
    /// The problem with the owners as a whole (no control person, ...).
    pub error: Option<String>,
    pub error_id: String,
}

pub struct SummaryRow {
    pub key: String,
    pub lines: Vec<String>,
    /// None for what is on file and no task asks about.
    pub change_url: Option<String>,
}

pub struct SummaryGroup {
    pub heading: String,
    pub rows: Vec<SummaryRow>,
}

#[derive(Template)]
#[template(path = "journey_check.html")]
pub struct CheckPage {
    pub frame: Frame,
    pub lead: String,
    pub groups: Vec<SummaryGroup>,
    pub continue_url: String,
}

#[derive(Template)]
#[template(path = "journey_declaration.html")]
pub struct DeclarationPage {
    pub frame: Frame,
    /// None when the Entity's attestation is already on file.
    pub attestation: Option<Attestation>,
}

/// What a session for an existing Entity still needs, or that everything
/// is in order.
#[derive(Template)]
#[template(path = "journey_tasks.html")]
pub struct TasksPage {
    pub frame: Frame,
    pub entity_name: String,
    pub tasks: Vec<String>,
    /// The first page to answer (none when there is nothing to do).
    pub start_url: String,
    /// Owners on file the tasks do not ask about.
    pub kept_owners: Vec<String>,
}

/// What the pages need to know about the form they belong to.
pub struct Context<'a> {
    pub plan: &'a Plan,
    pub program_name: &'a str,
    pub token: &'a FormToken,
    pub csrf_token: &'a str,
    pub expires_at: String,
    /// The customer came from the check of answers and goes back there.
    pub to_check: bool,
    /// The customer asked to change a saved ID number.
    pub changing_number: bool,
}

impl Context<'_> {
    pub fn url(&self, step: Step) -> String {
        crate::links::form_step(self.token, &step.name(), self.to_check && !matches!(step, Step::Check))
    }

    /// A Change link from the check of answers: back there once saved.
    fn change_url(&self, step: Step, values: &FormValues) -> Option<String> {
        self.plan
            .can_change(step, values)
            .then(|| crate::links::form_step(self.token, &step.name(), true))
    }

    fn frame(&self, step: Step, values: &FormValues, title: impl Into<String>, summary: Vec<SummaryItem>) -> Frame {
        let back = if self.to_check && !matches!(step, Step::Check | Step::Declaration) {
            Some(Step::Check)
        } else {
            self.plan.back(step, values)
        };
        let (stage, stages) = self.plan.stage(step, values);
        Frame {
            program_name: self.program_name.to_owned(),
            title: title.into(),
            back_url: back.map(|step| self.url(step)),
            stage,
            stages,
            summary,
            action: self.url(step),
            csrf_token: self.csrf_token.to_owned(),
            expires_at: self.expires_at.clone(),
        }
    }
}

fn owner_name(values: &FormValues, index: usize) -> Option<String> {
    values
        .get(&format!("{OWNERS}.{index}.individual.name"))
        .map(str::to_owned)
}

fn method_label(method: Option<&str>) -> &'static str {
    match method {
        Some("social_security_number") => "SSN",
        Some("individual_taxpayer_identification_number") => "ITIN",
        Some("passport") => "Passport number",
        Some("drivers_license") => "Driver's license number",
        _ => "ID number",
    }
}

fn last4(number: &str) -> String {
    let kept: Vec<char> = number.chars().filter(char::is_ascii_alphanumeric).collect();
    kept[kept.len().saturating_sub(4)..].iter().collect()
}

/// The type of ID, the number (or the saved one, by its last four) and,
/// for a passport or another ID, the issuing country (the stylesheet shows
/// it only when one of those is chosen; without styles it is always shown).
fn identification(b: &Builder<'_>, values: &FormValues, prefix: &str, change_url: String, changing: bool) -> Vec<Item> {
    let method_path = format!("{prefix}.method");
    let number_path = format!("{prefix}.number");
    let method = b
        .field(&method_path, "Type of ID")
        .select(
            "Choose a document",
            &[
                ("social_security_number", "Social Security number (SSN)"),
                (
                    "individual_taxpayer_identification_number",
                    "Individual Taxpayer Identification Number (ITIN)",
                ),
                ("passport", "Passport"),
                ("other", "Other government ID"),
            ],
        )
        .class("id-method");
    let saved = values.get(&number_path);
    let error = b.error(&number_path);
    let number = match saved {
        Some(number) if !changing && error.is_none() => Item::Saved(SavedNumber {
            path: number_path.clone(),
            id: field_id(&number_path),
            text: format!("{} ending in {}", method_label(values.get(&method_path)), last4(number)),
            change_url,
        }),
        _ => {
            let mut field = b.field(&number_path, "ID number").secret();
            field.hint = Some(match saved {
                Some(number) if error.is_none() => format!(
                    "SSN and ITIN: 9 digits, like 123-45-6789. Leave it blank to keep the number ending in {}.",
                    last4(number)
                ),
                _ => "SSN and ITIN: 9 digits, like 123-45-6789".to_owned(),
            });
            Item::Field(field)
        }
    };
    vec![
        Item::Field(method),
        number,
        Item::Field(
            b.field(&format!("{prefix}.country"), "Issuing country")
                .hint("The country that issued the passport or other ID")
                .select("Choose a country", &COUNTRIES)
                .class("id-country"),
        ),
    ]
}

/// Someone else's answers never get the customer's own autofill.
fn not_mine(fields: Vec<FieldView>) -> Vec<Item> {
    fields
        .into_iter()
        .map(|field| Item::Field(field.autocomplete("off")))
        .collect()
}

/// The page for a step that asks questions (not the owners' list, the
/// check of answers or the declaration).
pub fn question(context: &Context<'_>, step: Step, values: &FormValues, problems: &[Problem]) -> QuestionPage {
    let b = Builder::journey(values, problems);
    let change_number = format!("{}&change=number", context.url(step));
    let (title, caption, lead, items): (String, Option<String>, Option<&str>, Vec<Item>) = match step {
        Step::Business => (
            "Business details".into(),
            None,
            Some(match context.plan {
                Plan::New => "Tell us about the business you are onboarding.",
                Plan::Tasks(_) => "The details we have could not be verified. Enter them as registered with the IRS.",
            }),
            business_section(
                &b,
                match context.plan.tasks() {
                    None => BusinessHints::Examples,
                    Some(plan) => BusinessHints::OnFile(plan.ein_on_file()),
                },
            )
            .fields
            .into_iter()
            .map(Item::Field)
            .collect(),
        ),
        Step::BusinessAddress => (
            "Business address".into(),
            None,
            Some("The business's physical address in the US. Not a PO box."),
            b.address("corporation.address").into_iter().map(Item::Field).collect(),
        ),
        Step::OwnerDetails(i) => {
            let prefix = format!("{OWNERS}.{i}");
            let mut items = not_mine(vec![b.field(&format!("{prefix}.individual.name"), "Full legal name")]);
            items.push(Item::Date(b.date(
                &format!("{prefix}.individual.date_of_birth"),
                "Date of birth",
                false,
            )));
            items.extend(not_mine(vec![
                b.field(&format!("{prefix}.company_title"), "Job title")
                    .optional()
                    .hint("For example, CEO or Managing member"),
            ]));
            items.push(Item::Choices(Choices::new(
                &b,
                &format!("{prefix}.prongs"),
                "Role in the business",
                false,
                &[
                    ("ownership", "Owns 25% or more of the business", None),
                    ("control", "Manages or controls the business", None),
                ],
            )));
            (
                format!("Beneficial owner {}", i + 1),
                None,
                Some("A person who owns 25% or more of the business, or who manages or controls it."),
                items,
            )
        }
        Step::OwnerAddress(i) => (
            "Home address".into(),
            Some(owner_name(values, i).unwrap_or_else(|| format!("Beneficial owner {}", i + 1))),
            None,
            not_mine(b.address(&format!("{OWNERS}.{i}.individual.address"))),
        ),
        Step::OwnerId(i) => (
            "Identification".into(),
            Some(owner_name(values, i).unwrap_or_else(|| format!("Beneficial owner {}", i + 1))),
            None,
            identification(
                &b,
                values,
                &format!("{OWNERS}.{i}.individual.identification"),
                change_number,
                context.changing_number,
            ),
        ),
        Step::Person => (
            "Your details".into(),
            None,
            None,
            vec![
                Item::Field(b.field("natural_person.name", "Full legal name").autocomplete("name")),
                Item::Date(b.date("natural_person.date_of_birth", "Date of birth", true)),
            ],
        ),
        Step::PersonAddress => (
            "Your home address".into(),
            None,
            None,
            b.address("natural_person.address")
                .into_iter()
                .map(Item::Field)
                .collect(),
        ),
        _ => (
            "Your identification".into(),
            None,
            Some("We need it to verify who you are. It is encrypted and never shown again in full."),
            identification(
                &b,
                values,
                "natural_person.identification",
                change_number,
                context.changing_number,
            ),
        ),
    };
    // A session for an existing Entity asks only what its tasks need.
    let order = context.plan.fields(step);
    let items: Vec<Item> = items.into_iter().filter(|item| order.contains(&item.path())).collect();
    let caption = match context.plan.tasks() {
        Some(plan) => caption.or_else(|| Some(plan.entity.details.name().to_owned())),
        None => caption,
    };
    QuestionPage {
        frame: context.frame(step, values, title, b.summary(&order)),
        caption,
        lead: lead.map(str::to_owned),
        items,
    }
}

pub fn structure(context: &Context<'_>, values: &FormValues, problems: &[Problem]) -> StructurePage {
    let b = Builder::journey(values, problems);
    let mut choices = Choices::new(
        &b,
        "structure",
        "What are you onboarding?",
        true,
        &[
            (
                "corporation",
                "A business",
                Some("A corporation or LLC. You'll need its EIN and details of its owners."),
            ),
            (
                "natural_person",
                "Myself, as an individual",
                Some("You'll need your Social Security number or another ID."),
            ),
        ],
    );
    choices.legend_is_heading = true;
    StructurePage {
        frame: context.frame(
            Step::Structure,
            values,
            "What are you onboarding?",
            b.summary(&["structure".to_owned()]),
        ),
        choices,
    }
}

pub fn owners(
    context: &Context<'_>,
    values: &FormValues,
    problems: &[Problem],
    today: chrono::NaiveDate,
) -> OwnersPage {
    let b = Builder::journey(values, problems);
    let count = journey::owner_count(values);
    let all = context.plan.problems(values, today);
    let on_file = context.plan.owners_on_file();
    let rows = (0..count)
        .map(|i| {
            let prefix = format!("{OWNERS}.{i}");
            let roles: Vec<&str> = values
                .all(&format!("{prefix}.prongs"))
                .iter()
                .filter_map(|p| match p.as_str() {
                    "ownership" => Some("Owns 25% or more"),
                    "control" => Some("Manages or controls"),
                    _ => None,
                })
                .collect();
            let complete = [Step::OwnerDetails(i), Step::OwnerAddress(i), Step::OwnerId(i)]
                .iter()
                .all(|step| context.plan.problems_of(*step, &all).is_empty());
            OwnerRow {
                editable: i >= on_file,
                number: i + 1,
                index: i,
                name: owner_name(values, i).unwrap_or_else(|| format!("Beneficial owner {}", i + 1)),
                roles: roles.join(", "),
                complete,
                change_url: context.url(Step::OwnerDetails(i)),
            }
        })
        .collect();
    let question = (count < MAX_BENEFICIAL_OWNERS).then(|| {
        let mut choices = Choices::new(
            &b,
            "add_another",
            "Do you need to add another beneficial owner?",
            true,
            &[("yes", "Yes", None), ("no", "No", None)],
        );
        choices.hint = Some(
            "Add everyone who owns 25% or more of the business (at most 4 people), and at least one person who manages or controls it.".to_owned(),
        );
        choices
    });
    let title = match (count, on_file) {
        (1, 0) => "You have added 1 beneficial owner".to_owned(),
        (n, 0) => format!("You have added {n} beneficial owners"),
        (1, _) => "The business has 1 beneficial owner".to_owned(),
        (n, _) => format!("The business has {n} beneficial owners"),
    };
    OwnersPage {
        frame: context.frame(
            Step::Owners,
            values,
            title,
            b.summary(&[OWNERS.to_owned(), "add_another".to_owned()]),
        ),
        owners: rows,
        question,
        error: b.error(OWNERS),
        error_id: field_id(OWNERS),
    }
}

fn state_name(code: &str) -> String {
    US_STATES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(_, name)| (*name).to_owned())
}

fn address_lines(address: &Address) -> Vec<String> {
    let mut lines = vec![address.line1.clone()];
    lines.extend(address.line2.clone());
    let place = [
        address.city.clone(),
        address.state.as_ref().map(|s| state_name(s.as_str())),
        address.zip.as_ref().map(|z| z.as_str().to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    lines.push(place);
    if !address.country.is_us() {
        lines.push(address.country.as_str().to_owned());
    }
    lines
}

/// "Passport ending in 1234, issued by Mexico".
fn identification_text(person: &Individual, values: &FormValues, prefix: &str) -> String {
    let text = identification_method_text(person);
    match values
        .get(&format!("{prefix}.identification.country"))
        .and_then(countries::name)
    {
        Some(country) if person.identification.is_some() => format!("{text}, issued by {country}"),
        _ => text,
    }
}

fn identification_method_text(person: &Individual) -> String {
    match &person.identification {
        Some(id) => {
            let method = match id.method {
                IdentificationMethod::SocialSecurityNumber => "social_security_number",
                IdentificationMethod::IndividualTaxpayerIdentificationNumber => {
                    "individual_taxpayer_identification_number"
                }
                IdentificationMethod::Passport => "passport",
                IdentificationMethod::DriversLicense => "drivers_license",
                IdentificationMethod::Other => "other",
            };
            format!("{} ending in {}", method_label(Some(method)), id.number_last4)
        }
        None => "Not provided".to_owned(),
    }
}

fn row(key: &str, lines: Vec<String>, change_url: Option<String>) -> SummaryRow {
    SummaryRow {
        key: key.to_owned(),
        lines,
        change_url,
    }
}

fn optional(value: Option<&str>) -> Vec<String> {
    vec![value.unwrap_or("Not provided").to_owned()]
}

/// Every answer, grouped by page, each with a link to change it (for a
/// session of an existing Entity: everything on file, with links to change
/// what its tasks ask).
pub fn check(context: &Context<'_>, values: &FormValues, details: &EntityDetails) -> CheckPage {
    // A link to the page of `path`, if that page asks for it.
    let change = |step: Step, path: &str| {
        context
            .plan
            .fields(step)
            .iter()
            .any(|f| f == path)
            .then(|| context.change_url(step, values))
            .flatten()
    };
    let structure = match details.structure() {
        Structure::Corporation => "A business",
        Structure::NaturalPerson => "Myself, as an individual",
    };
    let mut groups = Vec::new();
    if context.plan.tasks().is_none() {
        groups.push(SummaryGroup {
            heading: "What you are onboarding".to_owned(),
            rows: vec![row(
                "Onboarding",
                vec![structure.to_owned()],
                change(Step::Structure, "structure"),
            )],
        });
    }
    match details {
        EntityDetails::Corporation(c) => {
            let business = |field: &str| change(Step::Business, &format!("corporation.{field}"));
            let ein = c.legal_identifier.as_ref().map(|id| {
                let digits = id.value();
                match digits.len() {
                    9 => format!("{}-{}", &digits[..2], &digits[2..]),
                    _ => digits.to_owned(),
                }
            });
            groups.push(SummaryGroup {
                heading: "Business details".to_owned(),
                rows: vec![
                    row("Legal business name", vec![c.name.clone()], business("name")),
                    row("EIN", optional(ein.as_deref()), business("legal_identifier.value")),
                    row(
                        "State of incorporation",
                        optional(c.incorporation_state.map(|s| state_name(s.as_str())).as_deref()),
                        business("incorporation_state"),
                    ),
                    row(
                        "Industry (NAICS code)",
                        optional(c.industry_code.as_ref().map(|n| n.as_str())),
                        business("industry_code"),
                    ),
                    row(
                        "Website",
                        optional(c.website.as_ref().map(|w| w.as_str())),
                        business("website"),
                    ),
                    row(
                        "Business email",
                        optional(c.email.as_ref().map(|e| e.as_str())),
                        business("email"),
                    ),
                    row(
                        "Business address",
                        address_lines(&c.address),
                        change(Step::BusinessAddress, "corporation.address.line1"),
                    ),
                ],
            });
            for (i, owner) in c.beneficial_owners.iter().enumerate() {
                let person = &owner.individual;
                let prefix = format!("{OWNERS}.{i}");
                let details = |field: &str| change(Step::OwnerDetails(i), &format!("{prefix}.{field}"));
                let roles: Vec<&str> = owner
                    .prongs
                    .iter()
                    .map(|p| match p {
                        Prong::Ownership => "Owns 25% or more of the business",
                        Prong::Control => "Manages or controls the business",
                    })
                    .collect();
                groups.push(SummaryGroup {
                    heading: format!("Beneficial owner {}: {}", i + 1, person.name),
                    rows: vec![
                        row("Full legal name", vec![person.name.clone()], details("individual.name")),
                        row(
                            "Date of birth",
                            vec![person.date_of_birth.format("%B %-d, %Y").to_string()],
                            details("individual.date_of_birth"),
                        ),
                        row(
                            "Job title",
                            optional(owner.company_title.as_deref()),
                            details("company_title"),
                        ),
                        row(
                            "Role",
                            roles.iter().map(|r| (*r).to_owned()).collect(),
                            details("prongs"),
                        ),
                        row(
                            "Home address",
                            address_lines(&person.address),
                            change(Step::OwnerAddress(i), &format!("{prefix}.individual.address.line1")),
                        ),
                        row(
                            "Identification",
                            vec![identification_text(person, values, &format!("{prefix}.individual"))],
                            change(Step::OwnerId(i), &format!("{prefix}.individual.identification.method")),
                        ),
                    ],
                });
            }
            groups.push(SummaryGroup {
                heading: "Beneficial owners".to_owned(),
                rows: vec![row(
                    "Owners",
                    c.beneficial_owners.iter().map(|o| o.individual.name.clone()).collect(),
                    change(Step::Owners, OWNERS),
                )],
            });
        }
        EntityDetails::NaturalPerson(person) => {
            groups.push(SummaryGroup {
                heading: "Your details".to_owned(),
                rows: vec![
                    row(
                        "Full legal name",
                        vec![person.name.clone()],
                        change(Step::Person, "natural_person.name"),
                    ),
                    row(
                        "Date of birth",
                        vec![person.date_of_birth.format("%B %-d, %Y").to_string()],
                        change(Step::Person, "natural_person.date_of_birth"),
                    ),
                    row(
                        "Home address",
                        address_lines(&person.address),
                        change(Step::PersonAddress, "natural_person.address.line1"),
                    ),
                    row(
                        "Identification",
                        vec![identification_text(person, values, "natural_person")],
                        change(Step::PersonId, "natural_person.identification.method"),
                    ),
                ],
            });
        }
    }
    let lead = match context.plan.tasks() {
        None => "Check everything before you continue. Change anything that is wrong.".to_owned(),
        Some(plan) => format!(
            "These are the details {} will have for {}. Check them, and change anything you entered that is wrong.",
            context.program_name,
            plan.entity.details.name()
        ),
    };
    CheckPage {
        frame: context.frame(Step::Check, values, "Check your answers", Vec::new()),
        lead,
        groups,
        continue_url: context.url(Step::Declaration),
    }
}

pub fn declaration(context: &Context<'_>, values: &FormValues, problems: &[Problem]) -> DeclarationPage {
    let b = Builder::journey(values, problems);
    let subject = match context.plan.tasks() {
        None => "the information I provided".to_owned(),
        Some(plan) => format!("the information about {}", plan.entity.details.name()),
    };
    DeclarationPage {
        frame: context.frame(
            Step::Declaration,
            values,
            "Declaration",
            b.summary(&[ATTEST.to_owned()]),
        ),
        attestation: context
            .plan
            .fields(Step::Declaration)
            .iter()
            .any(|f| f == ATTEST)
            .then(|| attestation_checkbox(&b, subject)),
    }
}

/// The first page of a session for an existing Entity.
pub fn tasks(context: &Context<'_>, values: &FormValues) -> Option<TasksPage> {
    let plan = context.plan.tasks()?;
    let name = plan.entity.details.name().to_owned();
    let title = if plan.tasks.is_empty() {
        format!("Everything is in order for {name}")
    } else {
        format!("Finish onboarding for {name}")
    };
    let mut frame = context.frame(Step::Tasks, values, title, Vec::new());
    // "Everything is in order" posts its one button to the declaration.
    frame.action = context.url(Step::Declaration);
    Some(TasksPage {
        frame,
        entity_name: name,
        tasks: plan.tasks.iter().map(|t| t.description.clone()).collect(),
        start_url: context.url(context.plan.next(Step::Tasks, values)),
        kept_owners: plan.kept_owners(),
    })
}
