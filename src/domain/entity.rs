//! The Entity document as stored and as shown on the wire (SPEC 3.2).
//!
//! A person's identification is kept as its method and last four characters
//! only: the full number is never stored, so it can never be shown.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use super::address::Address;
use super::{
    address::{Country, PostalCode, Region, UsState, Zip},
    closed_set::closed_set,
    ids::{BeneficialOwnerId, EntityId, IdempotencyKey, SessionId},
    person::{Email, NaicsCode, Website},
    tasks::{Task, outstanding_tasks},
    tax_id::Ein,
    validation::Validation,
};

closed_set! {
    pub enum Structure {
        Corporation = "corporation",
        NaturalPerson = "natural_person",
    }
}

closed_set! {
    pub enum EntityStatus {
        Active = "active",
        Archived = "archived",
        Disabled = "disabled",
    }
}

closed_set! {
    pub enum IdentificationMethod {
        SocialSecurityNumber = "social_security_number",
        IndividualTaxpayerIdentificationNumber = "individual_taxpayer_identification_number",
        Passport = "passport",
        DriversLicense = "drivers_license",
        Other = "other",
    }
}

/// A person's identity document as the Entity shows it: its method and last
/// four characters. The whole number, when just given, rides along in
/// `number` for the store to seal; it never serializes, so it is neither in
/// the Entity's JSON document nor in any response.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Identification {
    pub method: IdentificationMethod,
    pub number_last4: String,
    #[serde(skip)]
    #[schema(ignore)]
    pub number: Option<super::tax_id::FullNumber>,
}

/// Equal as the Entity shows them: the whole number, present only on its
/// way into the store, does not count.
impl PartialEq for Identification {
    fn eq(&self, other: &Self) -> bool {
        self.method == other.method && self.number_last4 == other.number_last4
    }
}

impl Eq for Identification {}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Individual {
    pub name: String,
    pub date_of_birth: NaiveDate,
    pub address: Address,
    pub identification: Option<Identification>,
}

/// A person's name with their date of birth identifies them: never in logs.
impl std::fmt::Debug for Individual {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Individual")
            .field("identification", &self.identification.as_ref().map(|i| i.method))
            .finish_non_exhaustive()
    }
}

closed_set! {
    pub enum Prong {
        Ownership = "ownership",
        Control = "control",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BeneficialOwner {
    pub id: BeneficialOwnerId,
    pub company_title: Option<String>,
    pub prongs: Vec<Prong>,
    pub individual: Individual,
}

closed_set! {
    pub enum LegalIdentifierCategory {
        UsEmployerIdentificationNumber = "us_employer_identification_number",
        Other = "other",
    }
}

closed_set! {
    /// Why a corporation lists no beneficial owners.
    pub enum ExemptionReason {
        RegulatedFinancialInstitution = "regulated_financial_institution",
        PubliclyTradedCompany = "publicly_traded_company",
        PublicEntity = "public_entity",
        Other = "other",
    }
}

/// A business's tax identifier: a checked EIN, or another kind as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "LegalIdentifierRecord", try_from = "LegalIdentifierRecord")]
pub enum LegalIdentifier {
    Ein(Ein),
    Other(String),
}

impl LegalIdentifier {
    pub fn category(&self) -> LegalIdentifierCategory {
        match self {
            Self::Ein(_) => LegalIdentifierCategory::UsEmployerIdentificationNumber,
            Self::Other(_) => LegalIdentifierCategory::Other,
        }
    }

    pub fn value(&self) -> &str {
        match self {
            Self::Ein(ein) => ein.as_str(),
            Self::Other(value) => value,
        }
    }
}

/// `{category, value}`, as shown and stored.
#[derive(Serialize, Deserialize, ToSchema)]
#[schema(as = LegalIdentifier)]
struct LegalIdentifierRecord {
    category: LegalIdentifierCategory,
    value: String,
}

/// Shown as its record.
impl utoipa::PartialSchema for LegalIdentifier {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        LegalIdentifierRecord::schema()
    }
}

impl ToSchema for LegalIdentifier {
    fn name() -> std::borrow::Cow<'static, str> {
        LegalIdentifierRecord::name()
    }

    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        LegalIdentifierRecord::schemas(schemas);
    }
}

impl From<LegalIdentifier> for LegalIdentifierRecord {
    fn from(identifier: LegalIdentifier) -> Self {
        Self {
            category: identifier.category(),
            value: identifier.value().to_owned(),
        }
    }
}

impl TryFrom<LegalIdentifierRecord> for LegalIdentifier {
    type Error = &'static str;

    fn try_from(record: LegalIdentifierRecord) -> Result<Self, &'static str> {
        Ok(match record.category {
            LegalIdentifierCategory::UsEmployerIdentificationNumber => Self::Ein(Ein::parse(&record.value)?),
            LegalIdentifierCategory::Other => Self::Other(record.value),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Corporation {
    pub name: String,
    pub website: Option<Website>,
    pub email: Option<Email>,
    pub incorporation_state: Option<UsState>,
    pub industry_code: Option<NaicsCode>,
    pub legal_identifier: Option<LegalIdentifier>,
    pub address: Address,
    pub beneficial_owners: Vec<BeneficialOwner>,
    pub beneficial_ownership_exemption_reason: Option<ExemptionReason>,
}

/// The structure-specific part of an Entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityDetails {
    Corporation(Corporation),
    NaturalPerson(Individual),
}

impl EntityDetails {
    pub fn structure(&self) -> Structure {
        match self {
            Self::Corporation(_) => Structure::Corporation,
            Self::NaturalPerson(_) => Structure::NaturalPerson,
        }
    }

    /// The business's or the person's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Corporation(corporation) => &corporation.name,
            Self::NaturalPerson(person) => &person.name,
        }
    }

    /// The structure's sub-object as a JSON document (how it is stored).
    pub fn to_document(&self) -> Result<serde_json::Value, serde_json::Error> {
        match self {
            Self::Corporation(corporation) => serde_json::to_value(corporation),
            Self::NaturalPerson(person) => serde_json::to_value(person),
        }
    }

    pub fn from_document(structure: Structure, document: serde_json::Value) -> Result<Self, serde_json::Error> {
        Ok(match structure {
            Structure::Corporation => Self::Corporation(serde_json::from_value(document)?),
            Structure::NaturalPerson => Self::NaturalPerson(serde_json::from_value(document)?),
        })
    }

    /// Every person the Entity names, in order: the natural person itself,
    /// or each beneficial owner with their ID.
    pub fn people(&self) -> Vec<(Option<&BeneficialOwnerId>, &Individual)> {
        match self {
            Self::Corporation(corporation) => corporation
                .beneficial_owners
                .iter()
                .map(|owner| (Some(&owner.id), &owner.individual))
                .collect(),
            Self::NaturalPerson(person) => vec![(None, person)],
        }
    }

    /// The beneficial owners (none for a natural person).
    pub fn beneficial_owners(&self) -> &[BeneficialOwner] {
        match self {
            Self::Corporation(corporation) => &corporation.beneficial_owners,
            Self::NaturalPerson(_) => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsAgreement {
    pub agreed_at: DateTime<Utc>,
    pub ip_address: Option<String>,
    pub terms_url: String,
}

/// An Entity as stored: its details and what was recorded about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub id: EntityId,
    pub status: EntityStatus,
    pub description: Option<String>,
    pub details: EntityDetails,
    pub details_confirmed_at: Option<DateTime<Utc>>,
    pub creating_entity_onboarding_session_id: Option<SessionId>,
    pub idempotency_key: Option<IdempotencyKey>,
    pub validation: Option<Validation>,
    pub terms_agreements: Vec<TermsAgreement>,
    pub created_at: DateTime<Utc>,
    /// When it last changed; a write based on an older read is refused.
    pub updated_at: DateTime<Utc>,
}

impl Entity {
    /// What the Entity still lacks for a complete onboarding.
    pub fn tasks(&self) -> Vec<Task> {
        outstanding_tasks(
            &self.details,
            self.details_confirmed_at.is_some(),
            !self.terms_agreements.is_empty(),
            self.validation.as_ref(),
        )
    }

    pub fn can_be_onboarded(&self) -> bool {
        self.status == EntityStatus::Active
    }
}

/// Plausible placeholder data for the sandbox "simulate submit" action: a
/// small corporation with one owner who holds both prongs.
pub fn sandbox_corporation() -> EntityDetails {
    let new_york = UsState::parse("NY").ok();
    let address = Address {
        line1: "33 Liberty Street".to_owned(),
        line2: None,
        city: Some("New York".to_owned()),
        state: new_york.map(Region::Us),
        zip: Zip::parse("10045").ok().map(PostalCode::Us),
        country: Country::us(),
    };
    EntityDetails::Corporation(Corporation {
        name: "National Phonograph Company".to_owned(),
        website: Website::parse("https://example.com").ok(),
        email: None,
        incorporation_state: new_york,
        industry_code: NaicsCode::parse("334310").ok(),
        legal_identifier: Ein::parse("602214076").ok().map(LegalIdentifier::Ein),
        address: address.clone(),
        beneficial_owners: vec![BeneficialOwner {
            id: BeneficialOwnerId::generate(),
            company_title: Some("CEO".to_owned()),
            prongs: vec![Prong::Ownership, Prong::Control],
            individual: Individual {
                name: "Ian Crease".to_owned(),
                date_of_birth: NaiveDate::from_ymd_opt(1970, 1, 31).unwrap_or_default(),
                address,
                identification: Some(Identification {
                    method: IdentificationMethod::SocialSecurityNumber,
                    number_last4: "1120".to_owned(),
                    number: super::tax_id::TaxpayerNumber::parse_ssn("078051120")
                        .ok()
                        .map(|n| n.full()),
                }),
            },
        }],
        beneficial_ownership_exemption_reason: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_round_trip_through_json() {
        let details = sandbox_corporation();
        let document = details.to_document().unwrap();
        assert_eq!(
            EntityDetails::from_document(Structure::Corporation, document.clone()).unwrap(),
            details
        );
        assert!(EntityDetails::from_document(Structure::NaturalPerson, document).is_err());
    }

    #[test]
    fn people_and_tax_ids_stay_out_of_debug_output() {
        let details = sandbox_corporation();
        let shown = format!("{details:?}");
        for secret in ["Ian Crease", "1970-01-31", "602214076"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            shown.contains("National Phonograph Company"),
            "a business's own name is not personal"
        );
    }
}
