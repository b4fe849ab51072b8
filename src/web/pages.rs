//! The question pages of a new customer's journey: one page struct per
//! template, built from the draft's answers and the problems to show.

use std::{borrow::Cow, sync::LazyLock};

use askama::Template;

use super::{
    form::ATTEST,
    i18n::{NamesByLanguage, Translator},
    journey::{self, Plan, Step},
    sections::{Attestation, BusinessHints, attestation_checkbox, business_section},
    values::{FormValues, OWNERS},
    view::{Builder, DateInput, FieldView, SummaryItem, field_id},
};
use crate::domain::{
    address::Address,
    countries::{self, COUNTRIES},
    entity::{EntityDetails, IdentificationMethod, Individual, Prong, Structure},
    ids::FormToken,
    onboarding::{MAX_BENEFICIAL_OWNERS, Problem},
    tasks::Task,
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
    fn new(b: &Builder<'_>, name: &str, legend: &str, radio: bool, options: &[(&str, String, Option<String>)]) -> Self {
        let id = field_id(name);
        Self {
            options: options
                .iter()
                .enumerate()
                .map(|(i, (value, label, hint))| Choice {
                    id: if i == 0 { id.clone() } else { format!("{id}-{value}") },
                    value: (*value).to_owned(),
                    label: label.clone(),
                    hint: hint.clone(),
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
        super::view::described_by(&self.id, self.hint.is_some(), self.error.is_some())
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
    pub t: Translator,
    pub frame: Frame,
    /// Above the heading: whom the page is about ("Beneficial owner 2").
    pub caption: Option<String>,
    pub lead: Option<String>,
    pub items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "journey_structure.html")]
pub struct StructurePage {
    pub t: Translator,
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
    pub t: Translator,
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
    pub t: Translator,
    pub frame: Frame,
    pub lead: String,
    pub groups: Vec<SummaryGroup>,
    pub continue_url: String,
}

#[derive(Template)]
#[template(path = "journey_declaration.html")]
pub struct DeclarationPage {
    pub t: Translator,
    pub frame: Frame,
    /// None when the Entity's attestation is already on file.
    pub attestation: Option<Attestation>,
}

/// What a session for an existing Entity still needs, or that everything
/// is in order.
#[derive(Template)]
#[template(path = "journey_tasks.html")]
pub struct TasksPage {
    pub t: Translator,
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
    pub t: Translator,
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

    /// The page's language, with links to `step` in the others.
    fn translator(&self, step: Step) -> Translator {
        self.t.at(self.url(step))
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

/// "SSN ending in 6789".
fn number_ending(t: &Translator, method: Option<&str>, last4: &str) -> String {
    let id = match method {
        Some("social_security_number") => "number-ending-ssn",
        Some("individual_taxpayer_identification_number") => "number-ending-itin",
        Some("passport") => "number-ending-passport",
        Some("drivers_license") => "number-ending-drivers-license",
        _ => "number-ending-other",
    };
    t.arg(id, "last4", last4)
}

/// The countries by their names in the page's language, in its
/// alphabetical order.
fn country_options(t: &Translator) -> impl Iterator<Item = (&'static str, Cow<'static, str>)> {
    static COUNTRY_NAMES: LazyLock<NamesByLanguage> = LazyLock::new(|| {
        NamesByLanguage::new(|t| {
            let mut options: Vec<(&'static str, String)> = COUNTRIES
                .iter()
                .map(|(code, _)| (*code, t.get_dyn(&format!("country-{code}"))))
                .collect();
            options.sort_by_cached_key(|(_, name)| collation_key(name));
            options
        })
    });
    COUNTRY_NAMES.of(t)
}

/// A name as it sorts in a list: without accents or case ("Åland" with "A").
fn collation_key(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
            'ñ' | 'Ñ' => 'n',
            'ç' | 'Ç' => 'c',
            other => other.to_ascii_lowercase(),
        })
        .collect()
}

/// A country's name in the page's language.
fn country_name(t: &Translator, code: &str) -> Option<String> {
    countries::name(code).map(|_| t.get_dyn(&format!("country-{}", code.trim().to_ascii_uppercase())))
}

fn last4(number: &str) -> String {
    let kept: Vec<char> = number.chars().filter(char::is_ascii_alphanumeric).collect();
    kept[kept.len().saturating_sub(4)..].iter().collect()
}

/// The type of ID, the number (or the saved one, by its last four) and,
/// for a passport or another ID, the issuing country (the stylesheet shows
/// it only when one of those is chosen; without styles it is always shown).
fn identification(b: &Builder<'_>, values: &FormValues, prefix: &str, change_url: String, changing: bool) -> Vec<Item> {
    let t = &b.t;
    let method_path = format!("{prefix}.method");
    let number_path = format!("{prefix}.number");
    let method = b
        .field(&method_path, &t.get("label-id-type"))
        .select(
            &t.get("select-document"),
            [
                ("social_security_number", t.get("option-ssn").into()),
                ("individual_taxpayer_identification_number", t.get("option-itin").into()),
                ("passport", t.get("option-passport").into()),
                ("other", t.get("option-other-id").into()),
            ],
        )
        .class("id-method");
    let saved = values.get(&number_path);
    let error = b.error(&number_path);
    let number = match saved {
        Some(number) if !changing && error.is_none() => Item::Saved(SavedNumber {
            path: number_path.clone(),
            id: field_id(&number_path),
            text: number_ending(t, values.get(&method_path), &last4(number)),
            change_url,
        }),
        _ => {
            let mut field = b.field(&number_path, &t.get("label-id-number")).secret(t);
            field.hint = Some(match saved {
                Some(number) if error.is_none() => t.arg("hint-id-number-keep", "last4", last4(number)),
                _ => t.get("hint-id-number"),
            });
            Item::Field(field)
        }
    };
    vec![
        Item::Field(method),
        number,
        Item::Field(
            b.field(&format!("{prefix}.country"), &t.get("label-issuing-country"))
                .hint(t.get("hint-issuing-country"))
                .select(&t.get("select-country"), country_options(t))
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
    let t = &context.t;
    let b = Builder::journey(t, values, problems);
    let change_number = format!("{}&change=number", context.url(step));
    let owner_caption = |i: usize| owner_name(values, i).unwrap_or_else(|| t.count("owner-heading", "number", i + 1));
    let (title, caption, lead, items): (String, Option<String>, Option<String>, Vec<Item>) = match step {
        Step::Business => (
            t.get("title-business"),
            None,
            Some(match context.plan {
                Plan::New => t.get("lead-business"),
                Plan::Tasks(_) => t.get("lead-business-correct"),
            }),
            business_section(
                &b,
                match context.plan.tasks() {
                    None => BusinessHints::Examples,
                    Some(plan) => {
                        BusinessHints::OnFile(plan.ein_last4().map(|last4| t.arg("hint-ein-on-file", "last4", last4)))
                    }
                },
            )
            .fields
            .into_iter()
            .map(Item::Field)
            .collect(),
        ),
        Step::BusinessAddress => (
            t.get("title-business-address"),
            None,
            Some(t.get("lead-business-address")),
            b.address("corporation.address").into_iter().map(Item::Field).collect(),
        ),
        Step::OwnerDetails(i) => {
            let prefix = format!("{OWNERS}.{i}");
            let mut items =
                not_mine(vec![b.field(
                    &format!("{prefix}.individual.name"),
                    &t.get("label-full-legal-name"),
                )]);
            items.push(Item::Date(b.date(
                &format!("{prefix}.individual.date_of_birth"),
                &t.get("label-date-of-birth"),
                false,
            )));
            items.extend(not_mine(vec![
                b.field(&format!("{prefix}.company_title"), &t.get("label-job-title"))
                    .optional()
                    .hint(t.get("hint-job-title")),
            ]));
            items.push(Item::Choices(Choices::new(
                &b,
                &format!("{prefix}.prongs"),
                &t.get("legend-role"),
                false,
                &[
                    ("ownership", t.get("role-ownership"), None),
                    ("control", t.get("role-control"), None),
                ],
            )));
            (
                t.count("owner-heading", "number", i + 1),
                None,
                Some(t.get("lead-owner")),
                items,
            )
        }
        Step::OwnerAddress(i) => (
            t.get("title-home-address"),
            Some(owner_caption(i)),
            None,
            not_mine(b.address(&format!("{OWNERS}.{i}.individual.address"))),
        ),
        Step::OwnerId(i) => (
            t.get("title-identification"),
            Some(owner_caption(i)),
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
            t.get("title-person"),
            None,
            None,
            vec![
                Item::Field(
                    b.field("natural_person.name", &t.get("label-full-legal-name"))
                        .autocomplete("name"),
                ),
                Item::Date(b.date("natural_person.date_of_birth", &t.get("label-date-of-birth"), true)),
            ],
        ),
        Step::PersonAddress => (
            t.get("title-person-address"),
            None,
            None,
            b.address("natural_person.address")
                .into_iter()
                .map(Item::Field)
                .collect(),
        ),
        _ => (
            t.get("title-person-id"),
            None,
            Some(t.get("lead-person-id")),
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
        t: context.translator(step),
        caption,
        lead,
        items,
    }
}

pub fn structure(context: &Context<'_>, values: &FormValues, problems: &[Problem]) -> StructurePage {
    let t = &context.t;
    let b = Builder::journey(t, values, problems);
    let mut choices = Choices::new(
        &b,
        "structure",
        &t.get("title-structure"),
        true,
        &[
            (
                "corporation",
                t.get("structure-business"),
                Some(t.get("structure-business-hint")),
            ),
            (
                "natural_person",
                t.get("structure-individual"),
                Some(t.get("structure-individual-hint")),
            ),
        ],
    );
    choices.legend_is_heading = true;
    StructurePage {
        frame: context.frame(
            Step::Structure,
            values,
            t.get("title-structure"),
            b.summary(&["structure".to_owned()]),
        ),
        t: context.translator(Step::Structure),
        choices,
    }
}

pub fn owners(
    context: &Context<'_>,
    values: &FormValues,
    problems: &[Problem],
    today: chrono::NaiveDate,
) -> OwnersPage {
    let t = &context.t;
    let b = Builder::journey(t, values, problems);
    let count = journey::owner_count(values);
    let all = context.plan.problems(values, today);
    let on_file = context.plan.owners_on_file();
    let rows = (0..count)
        .map(|i| {
            let prefix = format!("{OWNERS}.{i}");
            let roles: Vec<String> = values
                .all(&format!("{prefix}.prongs"))
                .iter()
                .filter_map(|p| match p.as_str() {
                    "ownership" => Some(t.get("role-ownership-short")),
                    "control" => Some(t.get("role-control-short")),
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
                name: owner_name(values, i).unwrap_or_else(|| t.count("owner-heading", "number", i + 1)),
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
            &t.get("legend-add-another"),
            true,
            &[("yes", t.get("answer-yes"), None), ("no", t.get("answer-no"), None)],
        );
        choices.hint = Some(t.get("hint-add-another"));
        choices
    });
    let title = match on_file {
        0 => t.count("title-owners-added", "count", count),
        _ => t.count("title-owners-business", "count", count),
    };
    OwnersPage {
        frame: context.frame(
            Step::Owners,
            values,
            title,
            b.summary(&[OWNERS.to_owned(), "add_another".to_owned()]),
        ),
        t: context.translator(Step::Owners),
        owners: rows,
        question,
        error: b.error(OWNERS),
        error_id: field_id(OWNERS),
    }
}

fn state_name(t: &Translator, code: &str) -> String {
    let id = format!("state-{code}");
    if t.has(&id) { t.get_dyn(&id) } else { code.to_owned() }
}

fn address_lines(t: &Translator, address: &Address) -> Vec<String> {
    let mut lines = vec![address.line1.clone()];
    lines.extend(address.line2.clone());
    let place = [
        address.city.clone(),
        address.state.as_ref().map(|s| state_name(t, s.as_str())),
        address.zip.as_ref().map(|z| z.as_str().to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    lines.push(place);
    if !address.country.is_us() {
        let code = address.country.as_str();
        lines.push(country_name(t, code).unwrap_or_else(|| code.to_owned()));
    }
    lines
}

/// "Passport ending in 1234, issued by Mexico".
fn identification_text(t: &Translator, person: &Individual, values: &FormValues, prefix: &str) -> String {
    let text = identification_method_text(t, person);
    match values
        .get(&format!("{prefix}.identification.country"))
        .and_then(|code| country_name(t, code))
    {
        Some(country) if person.identification.is_some() => {
            t.arg2("identification-issued-by", "document", text, "country", country)
        }
        _ => text,
    }
}

fn identification_method_text(t: &Translator, person: &Individual) -> String {
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
            number_ending(t, Some(method), &id.number_last4)
        }
        None => t.get("not-provided"),
    }
}

fn row(key: String, lines: Vec<String>, change_url: Option<String>) -> SummaryRow {
    SummaryRow { key, lines, change_url }
}

/// Every answer, grouped by page, each with a link to change it (for a
/// session of an existing Entity: everything on file, with links to change
/// what its tasks ask).
pub fn check(context: &Context<'_>, values: &FormValues, details: &EntityDetails) -> CheckPage {
    let t = &context.t;
    let optional = |value: Option<&str>| vec![value.map_or_else(|| t.get("not-provided"), str::to_owned)];
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
        Structure::Corporation => t.get("structure-business"),
        Structure::NaturalPerson => t.get("structure-individual"),
    };
    let mut groups = Vec::new();
    if context.plan.tasks().is_none() {
        groups.push(SummaryGroup {
            heading: t.get("check-structure-heading"),
            rows: vec![row(
                t.get("check-structure-key"),
                vec![structure],
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
                heading: t.get("title-business"),
                rows: vec![
                    row(t.get("label-business-name"), vec![c.name.clone()], business("name")),
                    row(
                        t.get("check-ein-key"),
                        optional(ein.as_deref()),
                        business("legal_identifier.value"),
                    ),
                    row(
                        t.get("label-incorporation-state"),
                        optional(c.incorporation_state.map(|s| state_name(t, s.as_str())).as_deref()),
                        business("incorporation_state"),
                    ),
                    row(
                        t.get("label-industry-code"),
                        optional(c.industry_code.as_ref().map(|n| n.as_str())),
                        business("industry_code"),
                    ),
                    row(
                        t.get("label-website"),
                        optional(c.website.as_ref().map(|w| w.as_str())),
                        business("website"),
                    ),
                    row(
                        t.get("label-business-email"),
                        optional(c.email.as_ref().map(|e| e.as_str())),
                        business("email"),
                    ),
                    row(
                        t.get("title-business-address"),
                        address_lines(t, &c.address),
                        change(Step::BusinessAddress, "corporation.address.line1"),
                    ),
                ],
            });
            for (i, owner) in c.beneficial_owners.iter().enumerate() {
                let person = &owner.individual;
                let prefix = format!("{OWNERS}.{i}");
                let details = |field: &str| change(Step::OwnerDetails(i), &format!("{prefix}.{field}"));
                let roles: Vec<String> = owner
                    .prongs
                    .iter()
                    .map(|p| match p {
                        Prong::Ownership => t.get("role-ownership"),
                        Prong::Control => t.get("role-control"),
                    })
                    .collect();
                groups.push(SummaryGroup {
                    heading: t.arg2("check-owner-heading", "number", i + 1, "name", &person.name),
                    rows: vec![
                        row(
                            t.get("label-full-legal-name"),
                            vec![person.name.clone()],
                            details("individual.name"),
                        ),
                        row(
                            t.get("label-date-of-birth"),
                            vec![t.date(person.date_of_birth)],
                            details("individual.date_of_birth"),
                        ),
                        row(
                            t.get("label-job-title"),
                            optional(owner.company_title.as_deref()),
                            details("company_title"),
                        ),
                        row(t.get("check-role-key"), roles, details("prongs")),
                        row(
                            t.get("title-home-address"),
                            address_lines(t, &person.address),
                            change(Step::OwnerAddress(i), &format!("{prefix}.individual.address.line1")),
                        ),
                        row(
                            t.get("title-identification"),
                            vec![identification_text(t, person, values, &format!("{prefix}.individual"))],
                            change(Step::OwnerId(i), &format!("{prefix}.individual.identification.method")),
                        ),
                    ],
                });
            }
            groups.push(SummaryGroup {
                heading: t.get("check-owners-heading"),
                rows: vec![row(
                    t.get("check-owners-key"),
                    c.beneficial_owners.iter().map(|o| o.individual.name.clone()).collect(),
                    change(Step::Owners, OWNERS),
                )],
            });
        }
        EntityDetails::NaturalPerson(person) => {
            groups.push(SummaryGroup {
                heading: t.get("title-person"),
                rows: vec![
                    row(
                        t.get("label-full-legal-name"),
                        vec![person.name.clone()],
                        change(Step::Person, "natural_person.name"),
                    ),
                    row(
                        t.get("label-date-of-birth"),
                        vec![t.date(person.date_of_birth)],
                        change(Step::Person, "natural_person.date_of_birth"),
                    ),
                    row(
                        t.get("title-home-address"),
                        address_lines(t, &person.address),
                        change(Step::PersonAddress, "natural_person.address.line1"),
                    ),
                    row(
                        t.get("title-identification"),
                        vec![identification_text(t, person, values, "natural_person")],
                        change(Step::PersonId, "natural_person.identification.method"),
                    ),
                ],
            });
        }
    }
    let lead = match context.plan.tasks() {
        None => t.get("lead-check"),
        Some(plan) => t.arg2(
            "lead-check-tasks",
            "program",
            context.program_name,
            "entity",
            plan.entity.details.name(),
        ),
    };
    CheckPage {
        frame: context.frame(Step::Check, values, t.get("title-check"), Vec::new()),
        t: context.translator(Step::Check),
        lead,
        groups,
        continue_url: context.url(Step::Declaration),
    }
}

pub fn declaration(context: &Context<'_>, values: &FormValues, problems: &[Problem]) -> DeclarationPage {
    let t = &context.t;
    let b = Builder::journey(t, values, problems);
    let subject = match context.plan.tasks() {
        None => t.get("attest-subject"),
        Some(plan) => t.arg("attest-subject-entity", "entity", plan.entity.details.name()),
    };
    DeclarationPage {
        frame: context.frame(
            Step::Declaration,
            values,
            t.get("title-declaration"),
            b.summary(&[ATTEST.to_owned()]),
        ),
        t: context.translator(Step::Declaration),
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
    let t = &context.t;
    let plan = context.plan.tasks()?;
    let name = plan.entity.details.name().to_owned();
    let title = if plan.tasks.is_empty() {
        t.arg("title-tasks-none", "entity", &name)
    } else {
        t.arg("title-tasks", "entity", &name)
    };
    let mut frame = context.frame(Step::Tasks, values, title, Vec::new());
    // "Everything is in order" posts its one button to the declaration.
    frame.action = context.url(Step::Declaration);
    Some(TasksPage {
        frame,
        t: context.translator(Step::Tasks),
        entity_name: name,
        tasks: plan.tasks.iter().map(|task| task_text(t, plan, task)).collect(),
        start_url: context.url(context.plan.next(Step::Tasks, values)),
        kept_owners: plan.kept_owners(),
    })
}

/// A task in the page's language, naming the beneficial owner it is about.
fn task_text(t: &Translator, plan: &super::outstanding::TaskPlan, task: &Task) -> String {
    let text = t.get_dyn(&format!("task-{}", task.category.as_str().replace('_', "-")));
    let owner = task.beneficial_owner_id.as_ref().and_then(|id| {
        plan.entity
            .details
            .beneficial_owners()
            .iter()
            .find(|owner| owner.id == *id)
            .map(|owner| owner.individual.name.clone())
    });
    match owner {
        Some(name) => t.arg2("task-about-owner", "task", text, "name", name),
        None => text,
    }
}
