//! The Entity document as stored and as shown on the wire (SPEC 3.2).
//!
//! A person's identification is kept as its method and last four characters
//! only: the full number is never stored, so it can never be shown.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Structure {
    Corporation,
    NaturalPerson,
}

impl Structure {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Corporation => "corporation",
            Self::NaturalPerson => "natural_person",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "corporation" => Some(Self::Corporation),
            "natural_person" => Some(Self::NaturalPerson),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityStatus {
    Active,
    Archived,
    Disabled,
}

impl EntityStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Archived => "archived",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "active" => Some(Self::Active),
            "archived" => Some(Self::Archived),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub country: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentificationMethod {
    SocialSecurityNumber,
    IndividualTaxpayerIdentificationNumber,
    Passport,
    DriversLicense,
    Other,
}

/// What is kept of a person's identity document: never the full number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identification {
    pub method: IdentificationMethod,
    pub number_last4: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Individual {
    pub name: String,
    pub date_of_birth: NaiveDate,
    pub address: Address,
    pub identification: Option<Identification>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prong {
    Ownership,
    Control,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeneficialOwner {
    pub id: String,
    pub company_title: Option<String>,
    pub prongs: Vec<Prong>,
    pub individual: Individual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalIdentifierCategory {
    UsEmployerIdentificationNumber,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalIdentifier {
    pub category: LegalIdentifierCategory,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Corporation {
    pub name: String,
    pub website: Option<String>,
    pub email: Option<String>,
    pub incorporation_state: Option<String>,
    pub industry_code: Option<String>,
    pub legal_identifier: Option<LegalIdentifier>,
    pub address: Address,
    pub beneficial_owners: Vec<BeneficialOwner>,
    pub beneficial_ownership_exemption_reason: Option<String>,
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

    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        match self {
            Self::Corporation(corporation) => serde_json::to_string(corporation),
            Self::NaturalPerson(person) => serde_json::to_string(person),
        }
    }

    pub fn from_json(structure: Structure, json: &str) -> Result<Self, serde_json::Error> {
        Ok(match structure {
            Structure::Corporation => Self::Corporation(serde_json::from_str(json)?),
            Structure::NaturalPerson => Self::NaturalPerson(serde_json::from_str(json)?),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsAgreement {
    pub agreed_at: String,
    pub ip_address: Option<String>,
    pub terms_url: String,
}

/// Plausible placeholder data for the sandbox "simulate submit" action: a
/// small corporation with one owner who holds both prongs.
pub fn sandbox_corporation() -> EntityDetails {
    let address = Address {
        line1: "33 Liberty Street".to_owned(),
        line2: None,
        city: Some("New York".to_owned()),
        state: Some("NY".to_owned()),
        zip: Some("10045".to_owned()),
        country: "US".to_owned(),
    };
    EntityDetails::Corporation(Corporation {
        name: "National Phonograph Company".to_owned(),
        website: Some("https://example.com".to_owned()),
        email: None,
        incorporation_state: Some("NY".to_owned()),
        industry_code: Some("334310".to_owned()),
        legal_identifier: Some(LegalIdentifier {
            category: LegalIdentifierCategory::UsEmployerIdentificationNumber,
            value: "602214076".to_owned(),
        }),
        address: address.clone(),
        beneficial_owners: vec![BeneficialOwner {
            id: super::ids::new_id(super::ids::BENEFICIAL_OWNER),
            company_title: Some("CEO".to_owned()),
            prongs: vec![Prong::Ownership, Prong::Control],
            individual: Individual {
                name: "Ian Crease".to_owned(),
                date_of_birth: NaiveDate::from_ymd_opt(1970, 1, 31).unwrap_or_default(),
                address,
                identification: Some(Identification {
                    method: IdentificationMethod::SocialSecurityNumber,
                    number_last4: "1120".to_owned(),
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
        let json = details.to_json().unwrap();
        assert_eq!(
            EntityDetails::from_json(Structure::Corporation, &json).unwrap(),
            details
        );
        assert!(EntityDetails::from_json(Structure::NaturalPerson, &json).is_err());
    }
}
