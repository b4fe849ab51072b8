//! View models of the form: each input with its label, value and error.

use std::collections::HashMap;

use super::values::{DATE_PARTS, FormValues, OWNERS};
use crate::domain::{address::US_STATES, onboarding::Problem};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Email,
    Select,
}

#[derive(Debug, Clone)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
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
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
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

    pub fn select(mut self, placeholder: &str, options: &[(&str, &str)]) -> Self {
        self.kind = Kind::Select;
        let current = self.value.clone();
        self.options = std::iter::once(SelectOption {
            value: String::new(),
            label: placeholder.to_owned(),
            selected: current.is_empty(),
        })
        .chain(options.iter().map(|(value, label)| SelectOption {
            value: (*value).to_owned(),
            label: (*label).to_owned(),
            selected: current.eq_ignore_ascii_case(value),
        }))
        .collect();
        self
    }

    /// Never echo the value back (full tax ID numbers stay off every page).
    pub fn secret(mut self) -> Self {
        let typed: String = self.value.chars().filter(char::is_ascii_alphanumeric).collect();
        if typed.len() >= 4 && self.error.is_none() {
            let last4 = &typed[typed.len() - 4..];
            self.hint = Some(format!(
                "You entered a number ending in {last4}. For your security we don't show full numbers again: please re-enter it."
            ));
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
        match &self.error {
            Some(_) => format!("{0}-hint {0}-error", self.id),
            None => format!("{}-hint", self.id),
        }
    }
}

/// One input of a date.
#[derive(Debug, Clone)]
pub struct DatePart {
    pub id: String,
    pub name: String,
    pub label: &'static str,
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

/// Builds field views from submitted values and problems.
pub struct Builder<'a> {
    values: &'a FormValues,
    errors: HashMap<String, String>,
    /// The messages are whole sentences, the same beside the field and in
    /// the summary (the question pages).
    whole: bool,
}

impl<'a> Builder<'a> {
    pub fn new(values: &'a FormValues, problems: &[Problem]) -> Self {
        let mut errors = HashMap::new();
        for problem in problems {
            errors
                .entry(problem.path.clone())
                .or_insert_with(|| problem.message.clone());
        }
        Self {
            values,
            errors,
            whole: false,
        }
    }

    /// For the question pages: each problem told as what to do, naming its
    /// field ([`problem_message`]).
    pub fn journey(values: &'a FormValues, problems: &[Problem]) -> Self {
        let mut errors = HashMap::new();
        for problem in problems {
            let missing = values.date_parts_missing(&problem.path);
            let message = if missing.is_empty() {
                problem_message(&problem.path, &problem.message)
            } else {
                format!("Date of birth must include a {}", missing.join(" and "))
            };
            errors.entry(problem.path.clone()).or_insert(message);
        }
        Self {
            values,
            errors,
            whole: true,
        }
    }

    pub fn error(&self, path: &str) -> Option<String> {
        self.errors
            .get(path)
            .map(|message| if self.whole { message.clone() } else { sentence(message) })
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
                    label: match *part {
                        "month" => "Month",
                        "day" => "Day",
                        _ => "Year",
                    },
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
            hint: "For example, 7 31 1980".to_owned(),
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
        vec![
            self.field(&format!("{prefix}.line1"), "Street address")
                .autocomplete("address-line1"),
            self.field(&format!("{prefix}.line2"), "Apartment, suite or unit")
                .optional()
                .autocomplete("address-line2"),
            self.field(&format!("{prefix}.city"), "City")
                .autocomplete("address-level2"),
            self.field(&format!("{prefix}.state"), "State")
                .autocomplete("address-level1")
                .select("Choose a state", &states()),
            self.field(&format!("{prefix}.zip"), "ZIP code")
                .autocomplete("postal-code")
                .numeric()
                .short()
                .hint("For example, 10045 or 10045-1234"),
        ]
    }

    /// Every error, in page order, for the summary at the top.
    pub fn summary(&self, order: &[String]) -> Vec<SummaryItem> {
        let mut items: Vec<SummaryItem> = order
            .iter()
            .filter_map(|path| {
                self.errors.get(path).map(|message| SummaryItem {
                    href: self.anchor(path),
                    text: self.summary_text(path, message),
                })
            })
            .collect();
        for (path, message) in &self.errors {
            if !order.contains(path) {
                items.push(SummaryItem {
                    href: self.anchor(path),
                    text: self.summary_text(path, message),
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

    fn summary_text(&self, path: &str, message: &str) -> String {
        if self.whole {
            message.to_owned()
        } else {
            summary_text(path, message)
        }
    }
}

/// What a field is called in a message about its format, and what to do
/// when it is left empty.
fn describe(path: &str) -> (&'static str, String) {
    let own = path.starts_with("natural_person.");
    let whose = if own { "your" } else { "the" };
    let last = path.rsplit('.').next().unwrap_or(path);
    match (path, last) {
        ("corporation.name", _) => ("Legal business name", "Enter the business's legal name".to_owned()),
        (_, "value") => ("EIN", "Enter the business's EIN".to_owned()),
        (_, "incorporation_state") => (
            "State of incorporation",
            "Select the state the business is incorporated in".to_owned(),
        ),
        (_, "industry_code") => ("Industry code", "Enter the industry code".to_owned()),
        (_, "website") => ("Website", "Enter the website".to_owned()),
        ("corporation.email", _) => ("Business email", "Enter the business email".to_owned()),
        (_, "line1") => ("Street address", "Enter the street address".to_owned()),
        (_, "line2") => (
            "Apartment, suite or unit",
            "Enter the apartment, suite or unit".to_owned(),
        ),
        (_, "city") => ("City", "Enter the city".to_owned()),
        (_, "state") => ("State", "Select the state".to_owned()),
        (_, "zip") => ("ZIP code", "Enter the ZIP code".to_owned()),
        (_, "country") if path.contains(".identification.") => (
            "Issuing country",
            "Select the country that issued the document".to_owned(),
        ),
        (_, "country") => ("Country", "Select the country".to_owned()),
        (_, "name") => ("Full legal name", format!("Enter {whose} full legal name")),
        (_, "date_of_birth") => ("Date of birth", format!("Enter {whose} date of birth")),
        (_, "company_title") => ("Job title", "Enter the job title".to_owned()),
        (_, "method") => ("Type of ID", "Select the type of ID".to_owned()),
        (_, "number") => ("ID number", "Enter the ID number".to_owned()),
        (p, _) if p == OWNERS => ("Beneficial owners", "Add at least one beneficial owner".to_owned()),
        (_, "attest") => (
            "Confirmation",
            "Confirm that the information is true and complete".to_owned(),
        ),
        ("structure", _) => ("", "Select what you are onboarding".to_owned()),
        ("add_another", _) => ("", "Select yes if you need to add another beneficial owner".to_owned()),
        _ => ("This answer", "Enter an answer".to_owned()),
    }
}

/// A problem told the GOV.UK way: what to do, in a sentence that names the
/// field ("Enter the business's legal name", "EIN must be 9 digits, like
/// 12-3456789"), the same in the summary and beside the field, in the
/// formats the hints show.
pub fn problem_message(path: &str, raw: &str) -> String {
    let (label, required) = describe(path);
    let last = path.rsplit('.').next().unwrap_or(path);
    let own = path.starts_with("natural_person.");
    let message = match (last, raw) {
        (_, "is required") => required,
        ("prongs", _) => {
            "Select whether this person owns 25% or more of the business, manages or controls it, or both".to_owned()
        }
        ("date_of_birth", "must be in the past") => "Enter a date of birth in the past".to_owned(),
        ("date_of_birth", m) if m.starts_with("must be a real date") => {
            "Date of birth must be a real date, like 7 31 1980".to_owned()
        }
        ("date_of_birth", m) if m.contains("18 years") => if own {
            "You must be at least 18 years old"
        } else {
            "The person must be at least 18 years old"
        }
        .to_owned(),
        ("zip", _) => "Enter a ZIP code like 10045 or 10045-1234".to_owned(),
        ("attest", _) => required,
        ("state" | "incorporation_state" | "method", _) => required,
        ("country", _) if path.contains(".identification.") => required,
        (_, m) if path == OWNERS && m.contains("control") => {
            "Add at least one person who manages or controls the business, for example the CEO".to_owned()
        }
        (_, m) if path == OWNERS => sentence(m).trim_end_matches('.').to_owned(),
        (_, m) => format!("{label} {m}"),
    };
    message.trim_end_matches('.').to_owned()
}

fn states() -> Vec<(&'static str, &'static str)> {
    US_STATES.to_vec()
}

/// "must be 9 digits" → "Must be 9 digits."
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let mut out = match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// A readable label for a path in the error summary.
fn summary_text(path: &str, message: &str) -> String {
    let mut parts = path.split('.').peekable();
    let mut owner = None;
    let mut last = "";
    while let Some(part) = parts.next() {
        if part == "beneficial_owners" {
            owner = parts.peek().and_then(|i| i.parse::<usize>().ok());
        }
        last = part;
    }
    let field = match (path, last) {
        (_, "legal_identifier" | "value") => "EIN".to_owned(),
        (p, _) if p == OWNERS => "Beneficial owners".to_owned(),
        (_, "line1") => "Street address".to_owned(),
        (_, "line2") => "Apartment, suite or unit".to_owned(),
        (_, "zip") => "ZIP code".to_owned(),
        (_, "incorporation_state") => "State of incorporation".to_owned(),
        (_, "industry_code") => "Industry (NAICS code)".to_owned(),
        (_, "number") => "Document number".to_owned(),
        (_, "method") => "Type of ID".to_owned(),
        (_, "prongs") => "Role".to_owned(),
        (_, "attest") => "Confirmation".to_owned(),
        (p, "name") if p.starts_with("corporation.name") => "Legal business name".to_owned(),
        (_, other) => {
            let words = other.replace('_', " ");
            sentence(&words).trim_end_matches('.').to_owned()
        }
    };
    let place = if path.contains(".address.") && path.starts_with("corporation.address") {
        " (business address)".to_owned()
    } else if path.contains(".address.") && owner.is_some() {
        " (home address)".to_owned()
    } else {
        String::new()
    };
    let field = match owner {
        Some(index) if path != OWNERS => format!("Beneficial owner {}: {field}{place}", index + 1),
        _ => format!("{field}{place}"),
    };
    let message = message.trim_end_matches('.');
    format!("{field}: {message}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_texts_read_well() {
        assert_eq!(
            summary_text("corporation.address.zip", "must be a ZIP"),
            "ZIP code (business address): must be a ZIP."
        );
        assert_eq!(
            summary_text(
                "corporation.beneficial_owners.1.individual.date_of_birth",
                "is required"
            ),
            "Beneficial owner 2: Date of birth: is required."
        );
        assert_eq!(
            summary_text("corporation.legal_identifier.value", "must be 9 digits"),
            "EIN: must be 9 digits."
        );
    }

    #[test]
    fn problems_say_what_to_do_and_name_the_field() {
        assert_eq!(
            problem_message("corporation.name", "is required"),
            "Enter the business's legal name"
        );
        assert_eq!(
            problem_message(
                "corporation.legal_identifier.value",
                "must be 9 digits, like 12-3456789"
            ),
            "EIN must be 9 digits, like 12-3456789"
        );
        assert_eq!(
            problem_message("natural_person.date_of_birth", "must be in the past"),
            "Enter a date of birth in the past"
        );
        assert_eq!(
            problem_message("natural_person.date_of_birth", "is required"),
            "Enter your date of birth"
        );
        assert_eq!(
            problem_message(
                "corporation.beneficial_owners.1.individual.date_of_birth",
                "must be a real date, like 1980-07-31"
            ),
            "Date of birth must be a real date, like 7 31 1980",
            "the format the hint shows"
        );
    }

    #[test]
    fn secrets_are_never_echoed() {
        let values = FormValues::from_pairs(vec![("p.number".into(), "123-45-6789".into())]);
        let field = Builder::new(&values, &[]).field("p.number", "Number").secret();
        assert_eq!(field.value, "");
        assert!(field.hint.unwrap().contains("6789"));
    }
}
