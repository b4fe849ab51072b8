//! The submitted form, keyed by the same JSON paths the API uses
//! (`corporation.address.zip`), and its conversion into domain inputs.

use std::collections::HashMap;

use crate::domain::onboarding::{
    AddressInput, BeneficialOwnerInput, CorporationInput, IdentificationInput, IndividualInput, LegalIdentifierInput,
    MAX_BENEFICIAL_OWNERS,
};

pub const OWNERS: &str = "corporation.beneficial_owners";

/// The inputs of a date, in the order the page shows them (as people in the US write dates).
pub const DATE_PARTS: [&str; 3] = ["month", "day", "year"];

#[derive(Debug, Default, Clone)]
pub struct FormValues {
    values: HashMap<String, Vec<String>>,
}

impl FormValues {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (key, value) in pairs {
            values.entry(key).or_default().push(value);
        }
        Self { values }
    }

    /// The last value given for `key`, if not blank.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .and_then(|v| v.last())
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    pub fn all(&self, key: &str) -> &[String] {
        self.values.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Adds one more value under `key` (checkbox groups).
    pub fn push(&mut self, key: &str, value: &str) {
        self.values.entry(key.to_owned()).or_default().push(value.to_owned());
    }

    pub fn set(&mut self, key: &str, value: &str) {
        self.values.insert(key.to_owned(), vec![value.to_owned()]);
    }

    /// How many beneficial owner blocks the form shows (1..=max).
    pub fn owner_count(&self) -> usize {
        self.get("owner_count")
            .and_then(|c| c.parse().ok())
            .unwrap_or(1)
            .clamp(1, MAX_BENEFICIAL_OWNERS)
    }

    /// The last value given for `key`, even if blank.
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.values.get(key).and_then(|v| v.last()).map(String::as_str)
    }

    /// Every value, by key (for the draft).
    pub fn into_map(self) -> std::collections::BTreeMap<String, Vec<String>> {
        self.values.into_iter().collect()
    }

    /// Removes owner `index`, renumbering the ones after it.
    pub fn remove_owner(&mut self, index: usize) {
        let count = self.owner_count();
        if count <= 1 || index >= count {
            return;
        }
        self.drop_owner(index);
        self.set("owner_count", &(count - 1).to_string());
    }

    /// Forgets the answers about owner `index` and renumbers the ones after it.
    pub fn drop_owner(&mut self, index: usize) {
        let mut kept = HashMap::new();
        for (key, value) in self.values.drain() {
            match owner_index(&key) {
                Some((i, _)) if i == index => {}
                Some((i, rest)) if i > index => {
                    kept.insert(format!("{OWNERS}.{}.{rest}", i - 1), value);
                }
                _ => {
                    kept.insert(key, value);
                }
            }
        }
        self.values = kept;
    }

    pub fn add_owner(&mut self) {
        let count = (self.owner_count() + 1).min(MAX_BENEFICIAL_OWNERS);
        self.set("owner_count", &count.to_string());
    }

    fn address(&self, prefix: &str) -> AddressInput {
        AddressInput {
            line1: self.owned(&format!("{prefix}.line1")),
            line2: self.owned(&format!("{prefix}.line2")),
            city: self.owned(&format!("{prefix}.city")),
            state: self.owned(&format!("{prefix}.state")),
            zip: self.owned(&format!("{prefix}.zip")),
            country: Some("US".to_owned()),
        }
    }

    pub fn individual(&self, prefix: &str) -> IndividualInput {
        IndividualInput {
            name: self.owned(&format!("{prefix}.name")),
            date_of_birth: self.date(&format!("{prefix}.date_of_birth")),
            address: self.address(&format!("{prefix}.address")),
            identification: IdentificationInput {
                method: self.owned(&format!("{prefix}.identification.method")),
                number: self.owned(&format!("{prefix}.identification.number")),
                country: self.owned(&format!("{prefix}.identification.country")),
                ..Default::default()
            },
        }
    }

    pub fn corporation(&self) -> CorporationInput {
        let owners = (0..self.owner_count())
            .map(|i| {
                let prefix = format!("{OWNERS}.{i}");
                BeneficialOwnerInput {
                    individual: self.individual(&format!("{prefix}.individual")),
                    prongs: self.all(&format!("{prefix}.prongs")).to_vec(),
                    company_title: self.owned(&format!("{prefix}.company_title")),
                }
            })
            .collect();
        CorporationInput {
            name: self.owned("corporation.name"),
            legal_identifier: Some(LegalIdentifierInput {
                value: self.owned("corporation.legal_identifier.value"),
                category: None,
            }),
            tax_identifier: None,
            website: self.owned("corporation.website"),
            email: self.owned("corporation.email"),
            incorporation_state: self.owned("corporation.incorporation_state"),
            industry_code: self.owned("corporation.industry_code"),
            address: self.address("corporation.address"),
            beneficial_owners: owners,
            beneficial_ownership_exemption_reason: None,
        }
    }

    /// A date typed as month, day and year (`{path}.month`, ...), as the
    /// rules take it (YYYY-MM-DD). Parts missing or not numbers give a text
    /// the rules refuse as not a real date ([`FormValues::date_parts_missing`]
    /// says which). Drafts saved before the date had three inputs hold it
    /// whole, as MM/DD/YYYY.
    pub fn date(&self, path: &str) -> Option<String> {
        let [month, day, year] = DATE_PARTS.map(|part| self.get(&format!("{path}.{part}")).map(str::trim));
        if month.is_none() && day.is_none() && year.is_none() {
            return self.owned(path).map(|d| us_date_to_iso(&d));
        }
        fn digits(part: Option<&str>, max: usize) -> Option<&str> {
            part.filter(|p| (1..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
        }
        Some(match (digits(month, 2), digits(day, 2), digits(year, 4)) {
            (Some(m), Some(d), Some(y)) if y.len() == 4 => format!("{y}-{m:0>2}-{d:0>2}"),
            _ => format!("{}/{}/{}", month.unwrap_or(""), day.unwrap_or(""), year.unwrap_or("")),
        })
    }

    /// The parts of the date at `path` left blank, when some were given.
    pub fn date_parts_missing(&self, path: &str) -> Vec<&'static str> {
        let given: Vec<bool> = DATE_PARTS
            .iter()
            .map(|part| self.get(&format!("{path}.{part}")).is_some())
            .collect();
        if given.iter().all(|g| !g) {
            return Vec::new();
        }
        DATE_PARTS
            .iter()
            .zip(given)
            .filter(|(_, given)| !given)
            .map(|(part, _)| *part)
            .collect()
    }

    /// Sets the date at `path` as its three inputs.
    pub fn set_date(&mut self, path: &str, date: chrono::NaiveDate) {
        use chrono::Datelike;
        self.set(&format!("{path}.month"), &date.month().to_string());
        self.set(&format!("{path}.day"), &date.day().to_string());
        self.set(&format!("{path}.year"), &date.year().to_string());
    }

    fn owned(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_owned)
    }
}

/// `corporation.beneficial_owners.{i}.{rest}` → `(i, rest)`.
fn owner_index(key: &str) -> Option<(usize, &str)> {
    let rest = key.strip_prefix(OWNERS)?.strip_prefix('.')?;
    let (index, rest) = rest.split_once('.')?;
    Some((index.parse().ok()?, rest))
}

/// People in the US type dates as MM/DD/YYYY; the rules take YYYY-MM-DD.
fn us_date_to_iso(input: &str) -> String {
    let parts: Vec<&str> = input.trim().split('/').collect();
    match parts.as_slice() {
        [m, d, y] if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => {
            format!("{y}-{m:0>2}-{d:0>2}")
        }
        _ => input.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn removing_an_owner_renumbers_the_rest() {
        let mut values = FormValues::from_pairs(pairs(&[
            ("owner_count", "3"),
            ("corporation.beneficial_owners.0.individual.name", "A"),
            ("corporation.beneficial_owners.1.individual.name", "B"),
            ("corporation.beneficial_owners.2.individual.name", "C"),
            ("corporation.beneficial_owners.2.prongs", "control"),
            ("corporation.name", "Acme"),
        ]));
        values.remove_owner(1);
        assert_eq!(values.owner_count(), 2);
        assert_eq!(values.get("corporation.beneficial_owners.0.individual.name"), Some("A"));
        assert_eq!(values.get("corporation.beneficial_owners.1.individual.name"), Some("C"));
        assert_eq!(values.all("corporation.beneficial_owners.1.prongs"), ["control"]);
        assert_eq!(values.get("corporation.beneficial_owners.2.individual.name"), None);
        assert_eq!(values.get("corporation.name"), Some("Acme"));
    }

    #[test]
    fn owner_counts_are_bounded() {
        let mut values = FormValues::from_pairs(pairs(&[("owner_count", "999")]));
        assert_eq!(values.owner_count(), MAX_BENEFICIAL_OWNERS);
        values.add_owner();
        assert_eq!(values.owner_count(), MAX_BENEFICIAL_OWNERS);
        let mut one = FormValues::default();
        one.remove_owner(0);
        assert_eq!(one.owner_count(), 1, "the last owner block stays");
    }

    #[test]
    fn dates_typed_in_three_inputs_become_iso() {
        let values = FormValues::from_pairs(pairs(&[("d.month", "7"), ("d.day", "31"), ("d.year", "1980")]));
        assert_eq!(values.date("d").as_deref(), Some("1980-07-31"));
        assert!(values.date_parts_missing("d").is_empty());
        let partial = FormValues::from_pairs(pairs(&[("d.month", "7"), ("d.year", "1980")]));
        assert_eq!(
            partial.date("d").as_deref(),
            Some("7//1980"),
            "refused as not a real date"
        );
        assert_eq!(partial.date_parts_missing("d"), ["day"]);
        let short_year = FormValues::from_pairs(pairs(&[("d.month", "7"), ("d.day", "31"), ("d.year", "80")]));
        assert_eq!(short_year.date("d").as_deref(), Some("7/31/80"));
        assert_eq!(FormValues::default().date("d"), None);
        let legacy = FormValues::from_pairs(pairs(&[("d", "07/31/1980")]));
        assert_eq!(legacy.date("d").as_deref(), Some("1980-07-31"), "drafts saved before");
        let mut set = FormValues::default();
        set.set_date("d", chrono::NaiveDate::from_ymd_opt(1966, 12, 9).unwrap());
        assert_eq!(set.date("d").as_deref(), Some("1966-12-09"));
    }

    #[test]
    fn us_dates_become_iso() {
        assert_eq!(us_date_to_iso("7/31/1980"), "1980-07-31");
        assert_eq!(us_date_to_iso("07/31/1980"), "1980-07-31");
        assert_eq!(us_date_to_iso("1980-07-31"), "1980-07-31");
        assert_eq!(us_date_to_iso("31/7/80"), "31/7/80");
    }
}
