//! The question pages of a new customer's journey: one page struct per
//! template, built from the draft's answers and the problems to show.

use askama::Template;

use super::{
    form::ATTEST,
    journey::{self, STAGES, Step},
    sections::{Attestation, BusinessHints, attestation_checkbox, business_section},
    values::{FormValues, OWNERS},
    view::{Builder, FieldView, SummaryItem, field_id},
};
use crate::domain::{
    address::{Address, US_STATES},
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
    /// "Step {stage} of {stages}".
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
    pub id: String,
    pub text: String,
    pub change_url: String,
}

/// One thing a question page asks.
pub enum Item {
    Field(FieldView),
    Choices(Choices),
    Saved(SavedNumber),
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
    pub change_url: String,
}

pub struct SummaryGroup {
    pub heading: String,
    pub rows: Vec<SummaryRow>,
}

#[derive(Template)]
#[template(path = "journey_check.html")]
pub struct CheckPage {
    pub frame: Frame,
    pub groups: Vec<SummaryGroup>,
    pub continue_url: String,
}

#[derive(Template)]
#[template(path = "journey_declaration.html")]
pub struct DeclarationPage {
    pub frame: Frame,
    pub attestation: Attestation,
}

/// What the pages need to know about the form they belong to.
pub struct Context<'a> {
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
    fn change_url(&self, step: Step) -> String {
        crate::links::form_step(self.token, &step.name(), true)
    }

    fn frame(&self, step: Step, values: &FormValues, title: impl Into<String>, summary: Vec<SummaryItem>) -> Frame {
        let back = if self.to_check && !matches!(step, Step::Check | Step::Declaration) {
            Some(Step::Check)
        } else {
            journey::back(step, values)
        };
        Frame {
            program_name: self.program_name.to_owned(),
            title: title.into(),
            back_url: back.map(|step| self.url(step)),
            stage: step.stage(),
            stages: STAGES,
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

/// The type of ID, the number (or the saved one, by its last four) and
/// the issuing country.
fn identification(b: &Builder<'_>, values: &FormValues, prefix: &str, change_url: String, changing: bool) -> Vec<Item> {
    let method_path = format!("{prefix}.method");
    let number_path = format!("{prefix}.number");
    let method = b.field(&method_path, "Type of ID").select(
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
    );
    let saved = values.get(&number_path);
    let error = b.error(&number_path);
    let number = match saved {
        Some(number) if !changing && error.is_none() => Item::Saved(SavedNumber {
            id: field_id(&number_path),
            text: format!("{} ending in {}", method_label(values.get(&method_path)), last4(number)),
            change_url,
        }),
        _ => {
            let mut field = b
                .field(&number_path, "ID number")
                .hint("SSN and ITIN: 9 digits, like 123-45-6789")
                .secret();
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
                .optional()
                .short()
                .hint("Only for a passport or other ID: two letters, like MX")
                .autocomplete("off"),
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
            Some("Tell us about the business you are onboarding."),
            business_section(&b, BusinessHints::Examples)
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
            let mut items = not_mine(vec![
                b.field(&format!("{prefix}.individual.name"), "Full legal name"),
                b.date_of_birth(&format!("{prefix}.individual.date_of_birth")),
                b.field(&format!("{prefix}.company_title"), "Job title")
                    .optional()
                    .hint("For example, CEO or Managing member"),
            ]);
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
                Item::Field(b.date_of_birth("natural_person.date_of_birth")),
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
    let order = step.fields();
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
    let all = journey::problems(values, today);
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
                .all(|step| step.problems(&all).is_empty());
            OwnerRow {
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
    let title = match count {
        1 => "You have added 1 beneficial owner".to_owned(),
        n => format!("You have added {n} beneficial owners"),
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

fn identification_text(person: &Individual) -> String {
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

fn row(key: &str, lines: Vec<String>, change_url: String) -> SummaryRow {
    SummaryRow {
        key: key.to_owned(),
        lines,
        change_url,
    }
}

fn optional(value: Option<&str>) -> Vec<String> {
    vec![value.unwrap_or("Not provided").to_owned()]
}

/// Every answer, grouped by page, each with a link to change it.
pub fn check(context: &Context<'_>, values: &FormValues, details: &EntityDetails) -> CheckPage {
    let structure = match details.structure() {
        Structure::Corporation => "A business",
        Structure::NaturalPerson => "Myself, as an individual",
    };
    let mut groups = vec![SummaryGroup {
        heading: "What you are onboarding".to_owned(),
        rows: vec![row(
            "Onboarding",
            vec![structure.to_owned()],
            context.change_url(Step::Structure),
        )],
    }];
    match details {
        EntityDetails::Corporation(c) => {
            let business = context.change_url(Step::Business);
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
                    row("Legal business name", vec![c.name.clone()], business.clone()),
                    row("EIN", optional(ein.as_deref()), business.clone()),
                    row(
                        "State of incorporation",
                        optional(c.incorporation_state.map(|s| state_name(s.as_str())).as_deref()),
                        business.clone(),
                    ),
                    row(
                        "Industry (NAICS code)",
                        optional(c.industry_code.as_ref().map(|n| n.as_str())),
                        business.clone(),
                    ),
                    row(
                        "Website",
                        optional(c.website.as_ref().map(|w| w.as_str())),
                        business.clone(),
                    ),
                    row(
                        "Business email",
                        optional(c.email.as_ref().map(|e| e.as_str())),
                        business,
                    ),
                    row(
                        "Business address",
                        address_lines(&c.address),
                        context.change_url(Step::BusinessAddress),
                    ),
                ],
            });
            for (i, owner) in c.beneficial_owners.iter().enumerate() {
                let person = &owner.individual;
                let details = context.change_url(Step::OwnerDetails(i));
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
                        row("Full legal name", vec![person.name.clone()], details.clone()),
                        row(
                            "Date of birth",
                            vec![person.date_of_birth.format("%B %-d, %Y").to_string()],
                            details.clone(),
                        ),
                        row("Job title", optional(owner.company_title.as_deref()), details.clone()),
                        row("Role", roles.iter().map(|r| (*r).to_owned()).collect(), details),
                        row(
                            "Home address",
                            address_lines(&person.address),
                            context.change_url(Step::OwnerAddress(i)),
                        ),
                        row(
                            "Identification",
                            vec![identification_text(person)],
                            context.change_url(Step::OwnerId(i)),
                        ),
                    ],
                });
            }
            groups.push(SummaryGroup {
                heading: "Beneficial owners".to_owned(),
                rows: vec![row(
                    "Owners",
                    c.beneficial_owners.iter().map(|o| o.individual.name.clone()).collect(),
                    context.change_url(Step::Owners),
                )],
            });
        }
        EntityDetails::NaturalPerson(person) => {
            let about = context.change_url(Step::Person);
            groups.push(SummaryGroup {
                heading: "Your details".to_owned(),
                rows: vec![
                    row("Full legal name", vec![person.name.clone()], about.clone()),
                    row(
                        "Date of birth",
                        vec![person.date_of_birth.format("%B %-d, %Y").to_string()],
                        about,
                    ),
                    row(
                        "Home address",
                        address_lines(&person.address),
                        context.change_url(Step::PersonAddress),
                    ),
                    row(
                        "Identification",
                        vec![identification_text(person)],
                        context.change_url(Step::PersonId),
                    ),
                ],
            });
        }
    }
    CheckPage {
        frame: context.frame(Step::Check, values, "Check your answers", Vec::new()),
        groups,
        continue_url: context.url(Step::Declaration),
    }
}

pub fn declaration(context: &Context<'_>, values: &FormValues, problems: &[Problem]) -> DeclarationPage {
    let b = Builder::journey(values, problems);
    DeclarationPage {
        frame: context.frame(
            Step::Declaration,
            values,
            "Declaration",
            b.summary(&[ATTEST.to_owned()]),
        ),
        attestation: attestation_checkbox(&b, "the information I provided"),
    }
}
