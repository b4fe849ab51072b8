//! Parts the question pages share: the business's inputs and the
//! confirmation checkbox.

use super::{
    form::ATTEST,
    view::{Builder, FieldView},
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::values::FormValues;

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
