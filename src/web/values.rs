//! The submitted form, keyed by the same JSON paths the API uses
//! (`corporation.address.zip`), and its conversion into domain inputs.

use std::collections::HashMap;

use crate::domain::onboarding::{
    AddressInput, BeneficialOwnerInput, CorporationInput, IdentificationInput, IndividualInput, LegalIdentifierInput,
    MAX_BENEFICIAL_OWNERS,
};

pub const OWNERS: &str = "corporation.beneficial_owners";

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
            date_of_birth: self
                .owned(&format!("{prefix}.date_of_birth"))
                .map(|d| us_date_to_iso(&d)),
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
    fn us_dates_become_iso() {
        assert_eq!(us_date_to_iso("7/31/1980"), "1980-07-31");
        assert_eq!(us_date_to_iso("07/31/1980"), "1980-07-31");
        assert_eq!(us_date_to_iso("1980-07-31"), "1980-07-31");
        assert_eq!(us_date_to_iso("31/7/80"), "31/7/80");
    }
}
