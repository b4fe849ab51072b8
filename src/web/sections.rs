//! Parts the question pages share: the business's inputs and the
//! confirmation checkbox.

use super::{
    form::ATTEST,
    view::{Builder, FieldView, state_options},
};

/// The business's inputs.
pub struct Section {
    pub fields: Vec<FieldView>,
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
    let t = &b.t;
    let examples = matches!(hints, BusinessHints::Examples);
    let example = |field: FieldView, text: String| if examples { field.hint(text) } else { field };
    let mut ein = b
        .field("corporation.legal_identifier.value", &t.get("label-ein"))
        .numeric()
        .short()
        .hint(t.get("hint-ein"));
    if let (BusinessHints::OnFile(Some(on_file)), None) = (hints, &ein.error) {
        ein = ein.hint(on_file);
    }
    let fields = vec![
        example(
            b.field("corporation.name", &t.get("label-business-name"))
                .autocomplete("organization"),
            t.get("hint-business-name"),
        ),
        ein,
        b.field("corporation.incorporation_state", &t.get("label-incorporation-state"))
            .select(&t.get("select-state"), state_options(t)),
        example(
            b.field("corporation.industry_code", &t.get("label-industry-code"))
                .optional()
                .numeric()
                .short(),
            t.get("hint-industry-code"),
        ),
        example(
            b.field("corporation.website", &t.get("label-website"))
                .optional()
                .autocomplete("url"),
            t.get("hint-website"),
        ),
        b.field("corporation.email", &t.get("label-business-email"))
            .optional()
            .email()
            .autocomplete("email"),
    ];
    Section { fields }
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
    use crate::{
        domain::locale::Locale,
        web::{i18n::Translator, values::FormValues},
    };

    #[test]
    fn corrections_name_the_ein_on_file_instead_of_examples() {
        let values = FormValues::default();
        let b = Builder::journey(&Translator::new(Locale::En), &values, &[]);
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
