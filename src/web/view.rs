//! View models of the form: each input with its label, value and error.

use std::{borrow::Cow, collections::HashMap, sync::LazyLock};

use super::{
    i18n::{NamesByLanguage, Translator},
    values::{DATE_PARTS, FormValues, OWNERS},
};
use crate::domain::{address::US_STATES, locale::Locale, onboarding::Problem};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Email,
    Select,
}

#[derive(Debug, Clone)]
pub struct SelectOption {
    pub value: &'static str,
    /// Borrowed from a list kept for the process (the states, the
    /// countries), or made for this page.
    pub label: Cow<'static, str>,
    pub selected: bool,
}

/// `aria-describedby` of the element `id`: its hint and its error, those it has.
pub fn described_by(id: &str, hint: bool, error: bool) -> String {
    match (hint, error) {
        (true, true) => format!("{id}-hint {id}-error"),
        (true, false) => format!("{id}-hint"),
        (false, true) => format!("{id}-error"),
        (false, false) => String::new(),
    }
}

/// One labelled input.
#[derive(Debug, Clone)]
pub struct FieldView {
    pub id: String,
    pub name: String,
    pub label: String,
    pub kind: Kind,
    pub value: String,
    pub error: Option<String>,
    pub hint: Option<String>,
    pub autocomplete: &'static str,
    pub inputmode: &'static str,
    pub required: bool,
    pub options: Vec<SelectOption>,
    pub width: &'static str,
    /// An extra class of the field's wrapper (for the stylesheet).
    pub class: &'static str,
}

impl FieldView {
    pub fn is_select(&self) -> bool {
        self.kind == Kind::Select
    }

    pub fn input_type(&self) -> &'static str {
        match self.kind {
            Kind::Email => "email",
            _ => "text",
        }
    }

    /// IDs of the hint and error, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        described_by(&self.id, self.hint.is_some(), self.error.is_some())
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    pub fn autocomplete(mut self, value: &'static str) -> Self {
        self.autocomplete = value;
        self
    }

    pub fn numeric(mut self) -> Self {
        self.inputmode = "numeric";
        self
    }

    pub fn class(mut self, class: &'static str) -> Self {
        self.class = class;
        self
    }

    pub fn short(mut self) -> Self {
        self.width = "w-short";
        self
    }

    pub fn email(mut self) -> Self {
        self.kind = Kind::Email;
        self
    }

    pub fn select(
        mut self,
        placeholder: &str,
        options: impl IntoIterator<Item = (&'static str, Cow<'static, str>)>,
    ) -> Self {
        self.kind = Kind::Select;
        let current = self.value.clone();
        self.options = std::iter::once(SelectOption {
            value: "",
            label: Cow::Owned(placeholder.to_owned()),
            selected: current.is_empty(),
        })
        .chain(options.into_iter().map(|(value, label)| SelectOption {
            value,
            label,
            selected: current.eq_ignore_ascii_case(value),
        }))
        .collect();
        self
    }

    /// Never echo the value back (full tax ID numbers stay off every page).
    pub fn secret(mut self, t: &Translator) -> Self {
        let typed: String = self.value.chars().filter(char::is_ascii_alphanumeric).collect();
        if typed.len() >= 4 && self.error.is_none() {
            let last4 = &typed[typed.len() - 4..];
            self.hint = Some(t.arg("hint-number-reenter", "last4", last4));
        }
        self.value.clear();
        self.autocomplete = "off";
        self
    }
}

/// A date asked as three inputs under one legend.
#[derive(Debug, Clone)]
pub struct DateInput {
    pub path: String,
    /// The date's path as an `id`; each input adds its part (`-month`).
    pub id: String,
    pub legend: String,
    pub hint: String,
    pub error: Option<String>,
    pub parts: Vec<DatePart>,
}

impl DateInput {
    /// `aria-describedby` of the group.
    pub fn described_by(&self) -> String {
        described_by(&self.id, true, self.error.is_some())
    }
}

/// One input of a date.
#[derive(Debug, Clone)]
pub struct DatePart {
    pub id: String,
    pub name: String,
    pub label: String,
    pub value: String,
    pub autocomplete: &'static str,
    pub width: &'static str,
    pub invalid: bool,
}

/// The `id` attribute for a field path (`corporation.address.zip` → `corporation-address-zip`).
pub fn field_id(path: &str) -> String {
    path.replace('.', "-")
}

/// An error in the summary at the top, linking to its field.
#[derive(Debug, Clone)]
pub struct SummaryItem {
    pub href: String,
    pub text: String,
}

/// Builds field views from submitted values and problems, in the page's
/// language.
pub struct Builder<'a> {
    values: &'a FormValues,
    /// Each problem told as what to do, naming its field ([`problem_message`]):
    /// the same sentence beside the field and in the summary.
    errors: HashMap<String, String>,
    pub t: Translator,
}

impl<'a> Builder<'a> {
    pub fn journey(t: &Translator, values: &'a FormValues, problems: &[Problem]) -> Self {
        let mut errors = HashMap::new();
        for problem in problems {
            let missing = values.date_parts_missing(&problem.path);
            let message = if missing.is_empty() {
                problem_message(t, &problem.path, &problem.message)
            } else {
                missing_date_parts(t, &missing)
            };
            errors.entry(problem.path.clone()).or_insert(message);
        }
        Self {
            values,
            errors,
            t: t.clone(),
        }
    }

    pub fn error(&self, path: &str) -> Option<String> {
        self.errors.get(path).cloned()
    }

    pub fn field(&self, path: &str, label: &str) -> FieldView {
        FieldView {
            id: field_id(path),
            name: path.to_owned(),
            label: label.to_owned(),
            kind: Kind::Text,
            value: self.values.get(path).unwrap_or("").to_owned(),
            error: self.error(path),
            hint: None,
            autocomplete: "off",
            inputmode: "",
            required: true,
            options: Vec::new(),
            width: "w-full",
            class: "",
        }
    }

    /// A date as three inputs (month, day, year) under one legend. `own`:
    /// the customer's own date of birth, which the browser may fill in;
    /// never for anyone else's.
    pub fn date(&self, path: &str, legend: &str, own: bool) -> DateInput {
        let id = field_id(path);
        let error = self.error(path);
        let missing = self.values.date_parts_missing(path);
        let parts = DATE_PARTS
            .iter()
            .map(|part| {
                let name = format!("{path}.{part}");
                DatePart {
                    id: format!("{id}-{part}"),
                    value: self.values.get(&name).unwrap_or("").to_owned(),
                    name,
                    label: self.t.get_dyn(&format!("date-part-{part}")),
                    autocomplete: match (own, *part) {
                        (false, _) => "off",
                        (true, "month") => "bday-month",
                        (true, "day") => "bday-day",
                        (true, _) => "bday-year",
                    },
                    width: if *part == "year" { "w-year" } else { "w-2" },
                    invalid: error.is_some() && (missing.is_empty() || missing.contains(part)),
                }
            })
            .collect();
        DateInput {
            path: path.to_owned(),
            hint: self.t.get("date-hint"),
            legend: legend.to_owned(),
            error,
            parts,
            id,
        }
    }

    /// The submitted value at `path`, if not blank.
    pub fn value(&self, path: &str) -> Option<&str> {
        self.values.get(path)
    }

    pub fn checked(&self, path: &str, value: &str) -> bool {
        self.values.all(path).iter().any(|v| v == value)
    }

    pub fn address(&self, prefix: &str) -> Vec<FieldView> {
        let t = &self.t;
        vec![
            self.field(&format!("{prefix}.line1"), &t.get("label-line1"))
                .autocomplete("address-line1"),
            self.field(&format!("{prefix}.line2"), &t.get("label-line2"))
                .optional()
                .autocomplete("address-line2"),
            self.field(&format!("{prefix}.city"), &t.get("label-city"))
                .autocomplete("address-level2"),
            self.field(&format!("{prefix}.state"), &t.get("label-state"))
                .autocomplete("address-level1")
                .select(&t.get("select-state"), state_options(t)),
            self.field(&format!("{prefix}.zip"), &t.get("label-zip"))
                .autocomplete("postal-code")
                .numeric()
                .short()
                .hint(t.get("hint-zip")),
        ]
    }

    /// Every error, in page order, for the summary at the top.
    pub fn summary(&self, order: &[String]) -> Vec<SummaryItem> {
        let mut items: Vec<SummaryItem> = order
            .iter()
            .filter_map(|path| {
                self.errors.get(path).map(|message| SummaryItem {
                    href: self.anchor(path),
                    text: message.clone(),
                })
            })
            .collect();
        for (path, message) in &self.errors {
            if !order.contains(path) {
                items.push(SummaryItem {
                    href: self.anchor(path),
                    text: message.clone(),
                });
            }
        }
        items
    }

    /// Where the summary's link for `path` goes: its input, or a date's
    /// first input the problem is about.
    fn anchor(&self, path: &str) -> String {
        if path.ends_with("date_of_birth") {
            let missing = self.values.date_parts_missing(path);
            let part = missing.first().copied().unwrap_or(DATE_PARTS[0]);
            return format!("#{}-{part}", field_id(path));
        }
        format!("#{}", field_id(path))
    }
}

/// "Date of birth must include a month and year".
fn missing_date_parts(t: &Translator, missing: &[&str]) -> String {
    let names: Vec<String> = missing
        .iter()
        .map(|part| t.get_dyn(&format!("date-part-name-{part}")))
        .collect();
    let parts = match names.as_slice() {
        [one] => one.clone(),
        [first, second] => t.arg2("date-parts-two", "first", first, "second", second),
        _ => t.args(
            "date-parts-three",
            &[
                ("first", names.first().cloned().unwrap_or_default()),
                ("second", names.get(1).cloned().unwrap_or_default()),
                ("third", names.get(2).cloned().unwrap_or_default()),
            ],
        ),
    };
    t.arg("problem-date-of-birth-parts", "parts", parts)
}

/// The message ids of what a field is called in a message about its
/// format, and of what to do when it is left empty.
fn describe(path: &str) -> (&'static str, &'static str) {
    let own = path.starts_with("natural_person.");
    let last = path.rsplit('.').next().unwrap_or(path);
    match (path, last) {
        ("corporation.name", _) => ("name-legal-business-name", "required-business-name"),
        (_, "value") => ("name-ein", "required-ein"),
        (_, "incorporation_state") => ("name-incorporation-state", "required-incorporation-state"),
        (_, "industry_code") => ("name-industry-code", "required-industry-code"),
        (_, "website") => ("name-website", "required-website"),
        ("corporation.email", _) => ("name-business-email", "required-business-email"),
        (_, "line1") => ("name-line1", "required-line1"),
        (_, "line2") => ("name-line2", "required-line2"),
        (_, "city") => ("name-city", "required-city"),
        (_, "state") => ("name-state", "required-state"),
        (_, "zip") => ("name-zip", "required-zip"),
        (_, "country") if path.contains(".identification.") => ("name-issuing-country", "required-issuing-country"),
        (_, "country") => ("name-country", "required-country"),
        (_, "name") if own => ("name-full-legal-name", "required-full-legal-name-own"),
        (_, "name") => ("name-full-legal-name", "required-full-legal-name"),
        (_, "date_of_birth") if own => ("name-date-of-birth", "required-date-of-birth-own"),
        (_, "date_of_birth") => ("name-date-of-birth", "required-date-of-birth"),
        (_, "company_title") => ("name-job-title", "required-job-title"),
        (_, "method") => ("name-id-type", "required-id-type"),
        (_, "number") => ("name-id-number", "required-id-number"),
        (p, _) if p == OWNERS => ("name-beneficial-owners", "required-beneficial-owners"),
        (_, "attest") => ("name-confirmation", "required-confirmation"),
        ("structure", _) => ("name-answer", "required-structure"),
        ("add_another", _) => ("name-answer", "required-add-another"),
        _ => ("name-answer", "required-answer"),
    }
}

/// The message id (taking the field's name as `field`) of a format problem
/// the rules report (`must be 9 digits, like 12-3456789`).
fn format_problem(raw: &str) -> Option<(&'static str, Option<String>)> {
    let id = match raw {
        "must be 9 digits, like 12-3456789" => "invalid-ein-digits",
        "is not a valid EIN: check the first two digits" => "invalid-ein-prefix",
        "must be 9 digits, like 123-45-6789" => "invalid-ssn-digits",
        "starts with 9, which is an ITIN, not an SSN: choose ITIN instead" => "invalid-ssn-is-itin",
        "is not a valid Social Security number" => "invalid-ssn",
        "must be 9 digits, like 912-70-1234" => "invalid-itin-digits",
        m if m.starts_with("is not a valid ITIN") => "invalid-itin",
        "must be 4 to 40 letters and digits" => "invalid-document-number",
        "must be a NAICS code of 2 to 6 digits, like 541511" => "invalid-industry-code",
        "must be an email address, like name@example.com" => "invalid-email",
        "must be a website address, like https://example.com" => "invalid-website",
        "must be a two-letter US state code, like NY" => "invalid-state",
        "must be a two-letter country code, like US" => "invalid-country",
        "must be after 1900" => "invalid-date-before-1900",
        "must not contain control characters" => "invalid-control-characters",
        m => {
            let max = m
                .strip_prefix("must be at most ")
                .and_then(|rest| rest.strip_suffix(" characters long"))?;
            return Some(("invalid-too-long", Some(max.to_owned())));
        }
    };
    Some((id, None))
}

/// A problem told the GOV.UK way: what to do, in a sentence that names the
/// field ("Enter the business's legal name", "EIN must be 9 digits, like
/// 12-3456789"), the same in the summary and beside the field, in the
/// formats the hints show, in the page's language.
pub fn problem_message(t: &Translator, path: &str, raw: &str) -> String {
    let (label, required) = describe(path);
    let last = path.rsplit('.').next().unwrap_or(path);
    let own = path.starts_with("natural_person.");
    let message = match (last, raw) {
        (_, "is required") => t.get_dyn(required),
        ("prongs", _) => t.get("problem-prongs"),
        ("date_of_birth", "must be in the past") => t.get("problem-date-of-birth-future"),
        ("date_of_birth", m) if m.starts_with("must be a real date") => t.get("problem-date-of-birth-real"),
        ("date_of_birth", m) if m.contains("18 years") && own => t.get("problem-adult-own"),
        ("date_of_birth", m) if m.contains("18 years") => t.get("problem-adult"),
        ("zip", _) => t.get("problem-zip"),
        ("attest" | "state" | "incorporation_state" | "method", _) => t.get_dyn(required),
        ("country", _) if path.contains(".identification.") => t.get_dyn(required),
        (_, m) if path == OWNERS && m.contains("control") => t.get("problem-owners-control"),
        (_, "add at least one beneficial owner") if path == OWNERS => t.get("required-beneficial-owners"),
        (_, m) if path == OWNERS && m.contains("own 25% or more") => t.get("problem-owners-too-many-owning"),
        (_, m) if path == OWNERS => match m
            .strip_prefix("must list at most ")
            .and_then(|rest| rest.strip_suffix(" beneficial owners"))
        {
            Some(max) => t.arg("problem-owners-too-many", "max", max),
            None => unknown(t, &t.get("name-beneficial-owners"), m),
        },
        (_, m) => {
            let field = t.get_dyn(label);
            match format_problem(m) {
                Some((id, None)) => t.arg(id, "field", field),
                Some((id, Some(max))) => t.arg2(id, "field", field, "max", max),
                None => unknown(t, &field, m),
            }
        }
    };
    message.trim_end_matches('.').to_owned()
}

/// A problem no message names: in English as the rules say it; in another
/// language, a request to check the field (rather than English words).
fn unknown(t: &Translator, field: &str, raw: &str) -> String {
    tracing::warn!(problem = raw, "no translated message for a problem");
    match t.locale() {
        Locale::En => format!("{field} {raw}"),
        _ => t.arg("invalid-other", "field", field),
    }
}

/// The states, by their names in the page's language.
pub fn state_options(t: &Translator) -> impl Iterator<Item = (&'static str, Cow<'static, str>)> {
    static STATES: LazyLock<NamesByLanguage> = LazyLock::new(|| {
        NamesByLanguage::new(|t| {
            US_STATES
                .iter()
                .map(|(code, _)| (*code, t.get_dyn(&format!("state-{code}"))))
                .collect()
        })
    });
    STATES.of(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english() -> Translator {
        Translator::new(Locale::En)
    }

    #[test]
    fn problems_say_what_to_do_and_name_the_field() {
        let t = english();
        assert_eq!(
            problem_message(&t, "corporation.name", "is required"),
            "Enter the business's legal name"
        );
        assert_eq!(
            problem_message(
                &t,
                "corporation.legal_identifier.value",
                "must be 9 digits, like 12-3456789"
            ),
            "EIN must be 9 digits, like 12-3456789"
        );
        assert_eq!(
            problem_message(&t, "natural_person.date_of_birth", "must be in the past"),
            "Enter a date of birth in the past"
        );
        assert_eq!(
            problem_message(&t, "natural_person.date_of_birth", "is required"),
            "Enter your date of birth"
        );
        assert_eq!(
            problem_message(
                &t,
                "corporation.beneficial_owners.1.individual.date_of_birth",
                "must be a real date, like 1980-07-31"
            ),
            "Date of birth must be a real date, like 7 31 1980",
            "the format the hint shows"
        );
        assert_eq!(
            problem_message(&t, "corporation.name", "must be at most 200 characters long"),
            "Legal business name must be at most 200 characters long"
        );
    }

    /// Every message the rules can give a form field reads as Spanish in
    /// Spanish: none falls back to the rules' English.
    #[test]
    fn every_problem_of_the_form_has_a_spanish_message() {
        let es = Translator::new(Locale::Es);
        let en = english();
        let cases = [
            ("corporation.name", "is required"),
            ("corporation.name", "must be at most 200 characters long"),
            ("corporation.name", "must not contain control characters"),
            (
                "corporation.legal_identifier.value",
                "must be 9 digits, like 12-3456789",
            ),
            (
                "corporation.legal_identifier.value",
                "is not a valid EIN: check the first two digits",
            ),
            (
                "corporation.industry_code",
                "must be a NAICS code of 2 to 6 digits, like 541511",
            ),
            (
                "corporation.website",
                "must be a website address, like https://example.com",
            ),
            ("corporation.email", "must be an email address, like name@example.com"),
            (
                "corporation.incorporation_state",
                "must be a two-letter US state code, like NY",
            ),
            ("corporation.address.zip", "must be a ZIP code like 12345 or 12345-6789"),
            ("corporation.address.state", "is required"),
            ("natural_person.date_of_birth", "must be after 1900"),
            (
                "natural_person.date_of_birth",
                "must be of someone at least 18 years old",
            ),
            (
                "corporation.beneficial_owners.0.individual.date_of_birth",
                "must be of someone at least 18 years old",
            ),
            (
                "natural_person.identification.number",
                "must be 9 digits, like 123-45-6789",
            ),
            (
                "natural_person.identification.number",
                "starts with 9, which is an ITIN, not an SSN: choose ITIN instead",
            ),
            (
                "natural_person.identification.number",
                "is not a valid Social Security number",
            ),
            (
                "natural_person.identification.number",
                "must be 9 digits, like 912-70-1234",
            ),
            (
                "natural_person.identification.number",
                "is not a valid ITIN: an ITIN starts with 9 and its 4th and 5th digits are 50–65, 70–88, 90–92 or 94–99",
            ),
            (
                "natural_person.identification.number",
                "must be 4 to 40 letters and digits",
            ),
            (
                "natural_person.identification.country",
                "must be a two-letter country code, like US",
            ),
            (
                "corporation.beneficial_owners.0.prongs",
                "choose ownership (25% or more), control, or both",
            ),
            ("corporation.beneficial_owners", "add at least one beneficial owner"),
            (
                "corporation.beneficial_owners",
                "at least one person must manage or control the business (the control prong), for example the CEO",
            ),
            (
                "corporation.beneficial_owners",
                "at most 4 people can each own 25% or more",
            ),
            ("corporation.beneficial_owners", "must list at most 8 beneficial owners"),
            ("attest", "please confirm that the information is true and complete"),
            ("structure", "is required"),
            ("add_another", "is required"),
        ];
        for (path, raw) in cases {
            let spanish = problem_message(&es, path, raw);
            let english = problem_message(&en, path, raw);
            assert_ne!(spanish, english, "{path}: {raw}");
            assert!(!spanish.contains(raw), "{path}: {spanish}");
            assert!(
                !spanish.contains("revise esta respuesta"),
                "{path}: {raw} has no message of its own"
            );
        }
    }

    #[test]
    fn missing_parts_of_a_date_are_named() {
        assert_eq!(
            missing_date_parts(&english(), &["month", "year"]),
            "Date of birth must include a month and year"
        );
        assert_eq!(
            missing_date_parts(&Translator::new(Locale::Es), &["month", "year"]),
            "La fecha de nacimiento debe incluir el mes y el año"
        );
    }

    #[test]
    fn secrets_are_never_echoed() {
        let values = FormValues::from_pairs(vec![("p.number".into(), "123-45-6789".into())]);
        let t = english();
        let field = Builder::journey(&t, &values, &[])
            .field("p.number", "Number")
            .secret(&t);
        assert_eq!(field.value, "");
        assert!(field.hint.unwrap().contains("6789"));
    }
}
