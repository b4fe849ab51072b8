//! The sections both hosted forms are made of (the new customer's form and
//! the outstanding-tasks form), built once here and rendered by the macros in
//! `templates/macros.html`.

use super::{
    form::ATTEST,
    values::OWNERS,
    view::{Builder, FieldView, SummaryItem, field_id},
};
use crate::domain::address::US_STATES;

/// A card of labelled inputs under one heading.
pub struct Section {
    /// The heading's `id`, which labels the card.
    pub id: &'static str,
    pub heading: &'static str,
    pub hint: Option<&'static str>,
    pub fields: Vec<FieldView>,
}

impl Section {
    fn new(id: &'static str, heading: &'static str, fields: Vec<FieldView>) -> Self {
        Self {
            id,
            heading,
            hint: None,
            fields,
        }
    }

    pub fn with_hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }
}

/// The help under the business inputs.
pub enum BusinessHints {
    /// A new business: an example under each input.
    Examples,
    /// A correction of the details on file: what the EIN on file ends in, if known.
    OnFile(Option<String>),
}

/// The business's name, EIN, state of incorporation, industry, website and email.
pub fn business_section(b: &Builder<'_>, hints: BusinessHints) -> Section {
    let examples = matches!(hints, BusinessHints::Examples);
    let example = |field: FieldView, text: &str| if examples { field.hint(text) } else { field };
    let mut ein = b
        .field(
            "corporation.legal_identifier.value",
            "Employer Identification Number (EIN)",
        )
        .numeric()
        .short()
        .hint("9 digits, like 12-3456789");
    if let (BusinessHints::OnFile(Some(on_file)), None) = (hints, &ein.error) {
        ein = ein.hint(on_file);
    }
    let fields = vec![
        example(
            b.field("corporation.name", "Legal business name")
                .autocomplete("organization"),
            "As registered with your state, including LLC or Inc.",
        ),
        ein,
        b.field("corporation.incorporation_state", "State of incorporation")
            .select("Choose a state", &US_STATES),
        example(
            b.field("corporation.industry_code", "Industry (NAICS code)")
                .optional()
                .numeric()
                .short(),
            "2 to 6 digits, like 541511 for software",
        ),
        example(
            b.field("corporation.website", "Website").optional().autocomplete("url"),
            "For example, example.com",
        ),
        b.field("corporation.email", "Business email")
            .optional()
            .email()
            .autocomplete("email"),
    ];
    Section::new("business-heading", "Business details", fields)
}

/// An address card; `id` is its heading's `id`.
pub fn address_section(b: &Builder<'_>, prefix: &str, id: &'static str, heading: &'static str) -> Section {
    Section::new(id, heading, b.address(prefix))
}

/// The individual's name and date of birth.
pub fn person_section(b: &Builder<'_>) -> Section {
    let fields = vec![
        b.field("natural_person.name", "Full legal name").autocomplete("name"),
        b.date_of_birth("natural_person.date_of_birth"),
    ];
    Section::new("person-heading", "Your details", fields)
}

/// The individual's ID document.
pub fn identification_section(b: &Builder<'_>) -> Section {
    Section::new(
        "person-id-heading",
        "Identification",
        b.identification("natural_person.identification"),
    )
}

/// One beneficial owner block.
pub struct OwnerView {
    pub number: usize,
    pub index: usize,
    pub id: String,
    pub person: Vec<FieldView>,
    pub address: Vec<FieldView>,
    pub identification: Vec<FieldView>,
    pub title: FieldView,
    pub prongs_name: String,
    pub prongs_id: String,
    pub ownership: bool,
    pub control: bool,
    pub prongs_error: Option<String>,
    pub removable: bool,
}

impl OwnerView {
    /// The block's field names in page order, for the error summary.
    pub fn field_names(&self) -> Vec<String> {
        self.person
            .iter()
            .chain(std::iter::once(&self.title))
            .map(|f| f.name.clone())
            .chain(std::iter::once(self.prongs_name.clone()))
            .chain(self.address.iter().chain(&self.identification).map(|f| f.name.clone()))
            .collect()
    }
}

/// The inputs of beneficial owner `index`.
fn owner_view(b: &Builder<'_>, index: usize, removable: bool) -> OwnerView {
    let prefix = format!("{OWNERS}.{index}");
    let person = format!("{prefix}.individual");
    let prongs = format!("{prefix}.prongs");
    OwnerView {
        number: index + 1,
        index,
        id: field_id(&prefix),
        person: vec![
            b.field(&format!("{person}.name"), "Full legal name")
                .autocomplete("off"),
            b.date_of_birth(&format!("{person}.date_of_birth")),
        ],
        address: b.address(&format!("{person}.address")),
        identification: b.identification(&format!("{person}.identification")),
        title: b
            .field(&format!("{prefix}.company_title"), "Job title")
            .optional()
            .hint("For example, CEO or Managing member"),
        prongs_id: field_id(&prongs),
        ownership: b.checked(&prongs, "ownership"),
        control: b.checked(&prongs, "control"),
        prongs_error: b.error(&prongs),
        prongs_name: prongs,
        removable,
    }
}

/// The beneficial owners card.
pub struct OwnersSection {
    /// The heading's `id`, which errors about the owners as a whole link to.
    pub id: String,
    pub error: Option<String>,
    pub owners: Vec<OwnerView>,
    pub can_add: bool,
}

/// The blocks of owners `indexes`, each with a remove button if `removable(index)`.
pub fn owners_section(
    b: &Builder<'_>,
    indexes: impl IntoIterator<Item = usize>,
    removable: impl Fn(usize) -> bool,
    can_add: bool,
) -> OwnersSection {
    OwnersSection {
        id: field_id(OWNERS),
        error: b.error(OWNERS),
        owners: indexes
            .into_iter()
            .map(|index| owner_view(b, index, removable(index)))
            .collect(),
        can_add,
    }
}

/// The confirmation checkbox.
pub struct Attestation {
    /// The checkbox's name and `id`.
    pub name: &'static str,
    pub checked: bool,
    pub error: Option<String>,
    /// What the customer confirms is true and complete.
    pub subject: String,
    pub statement_url: String,
}

pub fn attestation_checkbox(b: &Builder<'_>, subject: impl Into<String>) -> Attestation {
    Attestation {
        name: ATTEST,
        checked: b.value(ATTEST) == Some("true"),
        error: b.error(ATTEST),
        subject: subject.into(),
        statement_url: crate::links::attestation(),
    }
}

/// A hosted form's sections in page order, and the summary of their errors.
pub struct FormBody {
    pub summary: Vec<SummaryItem>,
    pub sections: Vec<Section>,
    pub owners: Option<OwnersSection>,
    pub attestation: Option<Attestation>,
}

impl FormBody {
    pub fn new(
        b: &Builder<'_>,
        sections: Vec<Section>,
        owners: Option<OwnersSection>,
        attestation: Option<Attestation>,
    ) -> Self {
        Self {
            summary: b.summary(&summary_order(&sections, owners.as_ref())),
            sections,
            owners,
            attestation,
        }
    }
}

/// Every field name in page order (the sections, the owners, the
/// attestation), so the error summary lists problems as the page shows them.
pub fn summary_order(sections: &[Section], owners: Option<&OwnersSection>) -> Vec<String> {
    sections
        .iter()
        .flat_map(|section| &section.fields)
        .map(|f| f.name.clone())
        .chain(std::iter::once(OWNERS.to_owned()))
        .chain(
            owners
                .into_iter()
                .flat_map(|o| &o.owners)
                .flat_map(OwnerView::field_names),
        )
        .chain(std::iter::once(ATTEST.to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{domain::onboarding::Problem, web::values::FormValues};

    fn problem(path: &str) -> Problem {
        Problem {
            path: path.to_owned(),
            message: "is required".to_owned(),
        }
    }

    #[test]
    fn the_summary_follows_the_page_order() {
        let values = FormValues::default();
        let problems = [
            problem(ATTEST),
            problem("corporation.beneficial_owners.0.prongs"),
            problem(OWNERS),
            problem("corporation.address.zip"),
            problem("corporation.name"),
        ];
        let b = Builder::new(&values, &problems);
        let body = FormBody::new(
            &b,
            vec![
                business_section(&b, BusinessHints::Examples),
                address_section(&b, "corporation.address", "address-heading", "Business address"),
            ],
            Some(owners_section(&b, 0..1, |_| false, true)),
            Some(attestation_checkbox(&b, "the information I provided")),
        );
        let links: Vec<&str> = body.summary.iter().map(|item| item.href.as_str()).collect();
        assert_eq!(
            links,
            [
                "#corporation-name",
                "#corporation-address-zip",
                "#corporation-beneficial_owners",
                "#corporation-beneficial_owners-0-prongs",
                "#attest"
            ]
        );
    }

    #[test]
    fn corrections_name_the_ein_on_file_instead_of_examples() {
        let values = FormValues::default();
        let b = Builder::new(&values, &[]);
        let hint = |section: &Section, name: &str| {
            section
                .fields
                .iter()
                .find(|f| f.name == name)
                .and_then(|f| f.hint.clone())
        };
        let new = business_section(&b, BusinessHints::Examples);
        let on_file = business_section(&b, BusinessHints::OnFile(Some("Ends in 4076.".to_owned())));
        assert!(hint(&new, "corporation.website").is_some());
        assert_eq!(hint(&on_file, "corporation.website"), None);
        assert_eq!(
            hint(&on_file, "corporation.legal_identifier.value").as_deref(),
            Some("Ends in 4076.")
        );
    }
}
