//! An Entity's `validation`: its status and the issues found, as Increase
//! shows them. Stored in the same shape it is shown in.

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::{closed_set::closed_set, ids::BeneficialOwnerId};

closed_set! {
    pub enum ValidationStatus {
        Pending = "pending",
        Valid = "valid",
        Invalid = "invalid",
    }
}

closed_set! {
    /// Validation issue categories, as in Increase.
    pub enum IssueCategory {
        EntityTaxIdentifier = "entity_tax_identifier",
        EntityAddress = "entity_address",
        EntityIdentity = "entity_identity",
        BeneficialOwnerIdentity = "beneficial_owner_identity",
        BeneficialOwnerAddress = "beneficial_owner_address",
        BeneficialOwnerTaxIdentifier = "beneficial_owner_tax_identifier",
    }
}

impl IssueCategory {
    /// Whether an issue of this category is about one beneficial owner.
    pub fn names_an_owner(self) -> bool {
        matches!(
            self,
            Self::BeneficialOwnerIdentity | Self::BeneficialOwnerAddress | Self::BeneficialOwnerTaxIdentifier
        )
    }
}

/// One issue: its category and, for owner issues, the owner it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationIssue {
    pub category: IssueCategory,
    pub beneficial_owner_id: Option<BeneficialOwnerId>,
}

closed_set! {
    /// Why an address was flagged.
    pub enum AddressIssueReason {
        MailboxAddress = "mailbox_address",
    }
}

// Keys in alphabetical order, as earlier releases sent them.
/// An issue, in Increase's shape: every category's key is present, `null`
/// but the one that applies.
#[derive(Serialize, ToSchema)]
#[schema(as = ValidationIssue)]
struct IssueShown<'a> {
    beneficial_owner_address: Option<OwnerAddressIssue<'a>>,
    beneficial_owner_identity: Option<OwnerIssue<'a>>,
    beneficial_owner_tax_identifier: Option<OwnerIssue<'a>>,
    category: IssueCategory,
    entity_address: Option<AddressIssue>,
    entity_identity: Option<NoDetails>,
    entity_tax_identifier: Option<NoDetails>,
}

/// `{}`: the issue has no details.
#[derive(Serialize, ToSchema)]
struct NoDetails {}

#[derive(Serialize, ToSchema)]
struct AddressIssue {
    reason: AddressIssueReason,
}

#[derive(Serialize, ToSchema)]
struct OwnerIssue<'a> {
    beneficial_owner_id: Option<&'a BeneficialOwnerId>,
}

#[derive(Serialize, ToSchema)]
struct OwnerAddressIssue<'a> {
    beneficial_owner_id: Option<&'a BeneficialOwnerId>,
    reason: AddressIssueReason,
}

impl Serialize for ValidationIssue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let owner = self.beneficial_owner_id.as_ref();
        let when = |category: IssueCategory| self.category == category;
        IssueShown {
            beneficial_owner_address: when(IssueCategory::BeneficialOwnerAddress).then_some(OwnerAddressIssue {
                beneficial_owner_id: owner,
                reason: AddressIssueReason::MailboxAddress,
            }),
            beneficial_owner_identity: when(IssueCategory::BeneficialOwnerIdentity).then_some(OwnerIssue {
                beneficial_owner_id: owner,
            }),
            beneficial_owner_tax_identifier: when(IssueCategory::BeneficialOwnerTaxIdentifier).then_some(OwnerIssue {
                beneficial_owner_id: owner,
            }),
            category: self.category,
            entity_address: when(IssueCategory::EntityAddress).then_some(AddressIssue {
                reason: AddressIssueReason::MailboxAddress,
            }),
            entity_identity: when(IssueCategory::EntityIdentity).then_some(NoDetails {}),
            entity_tax_identifier: when(IssueCategory::EntityTaxIdentifier).then_some(NoDetails {}),
        }
        .serialize(serializer)
    }
}

/// Documented as its shape on the wire.
impl utoipa::PartialSchema for ValidationIssue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        IssueShown::schema()
    }
}

impl ToSchema for ValidationIssue {
    fn name() -> std::borrow::Cow<'static, str> {
        IssueShown::name()
    }

    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        IssueShown::schemas(schemas);
    }
}

impl<'de> Deserialize<'de> for ValidationIssue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Stored {
            category: IssueCategory,
            #[serde(flatten)]
            details: Map<String, Value>,
        }
        let stored = Stored::deserialize(deserializer)?;
        let owner = stored
            .details
            .get(stored.category.as_str())
            .and_then(|detail| detail.get("beneficial_owner_id"))
            .and_then(Value::as_str)
            .map(str::parse)
            .transpose()
            .map_err(|_| serde::de::Error::custom("malformed beneficial_owner_id"))?;
        Ok(Self {
            category: stored.category,
            beneficial_owner_id: owner,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Validation {
    pub issues: Vec<ValidationIssue>,
    pub status: ValidationStatus,
}

impl Validation {
    /// Not checked yet.
    pub fn pending() -> Self {
        Self {
            issues: Vec::new(),
            status: ValidationStatus::Pending,
        }
    }

    /// `valid` without issues, `invalid` with them.
    pub fn from_issues(issues: Vec<ValidationIssue>) -> Self {
        let status = if issues.is_empty() {
            ValidationStatus::Valid
        } else {
            ValidationStatus::Invalid
        };
        Self { issues, status }
    }

    pub fn flags(&self, category: IssueCategory) -> bool {
        self.issues.iter().any(|issue| issue.category == category)
    }

    pub fn flags_owner(&self, category: IssueCategory, owner: &BeneficialOwnerId) -> bool {
        self.issues
            .iter()
            .any(|issue| issue.category == category && issue.beneficial_owner_id.as_ref() == Some(owner))
    }

    /// The validation after the customer corrected what `resolved` names: those
    /// issues are gone, and corrected details await verification (`pending`)
    /// unless other issues remain (`invalid`).
    pub fn after_corrections(&self, resolved: &[Resolved]) -> Self {
        let issues: Vec<ValidationIssue> = self
            .issues
            .iter()
            .filter(|issue| !resolved.iter().any(|r| r.covers(issue)))
            .cloned()
            .collect();
        let status = if issues.len() == self.issues.len() && resolved.is_empty() {
            self.status
        } else if issues.is_empty() {
            ValidationStatus::Pending
        } else {
            ValidationStatus::Invalid
        };
        Self { issues, status }
    }
}

/// A category of issue the customer's corrections resolve; `owner: None`
/// resolves it for every owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub category: IssueCategory,
    pub owner: Option<BeneficialOwnerId>,
}

impl Resolved {
    pub fn entity(category: IssueCategory) -> Self {
        Self { category, owner: None }
    }

    pub fn owner(category: IssueCategory, owner: BeneficialOwnerId) -> Self {
        Self {
            category,
            owner: Some(owner),
        }
    }

    fn covers(&self, issue: &ValidationIssue) -> bool {
        self.category == issue.category && (self.owner.is_none() || self.owner == issue.beneficial_owner_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(category: IssueCategory, owner: Option<&BeneficialOwnerId>) -> ValidationIssue {
        ValidationIssue {
            category,
            beneficial_owner_id: owner.cloned(),
        }
    }

    #[test]
    fn issues_have_every_key_and_read_back() {
        let owner = BeneficialOwnerId::generate();
        let shown = serde_json::to_value(issue(IssueCategory::BeneficialOwnerAddress, Some(&owner))).unwrap();
        assert_eq!(shown.as_object().unwrap().len(), 7);
        assert_eq!(shown["beneficial_owner_address"]["beneficial_owner_id"], owner.as_str());
        assert_eq!(shown["entity_tax_identifier"], Value::Null);
        let read: ValidationIssue = serde_json::from_value(shown).unwrap();
        assert_eq!(read, issue(IssueCategory::BeneficialOwnerAddress, Some(&owner)));
    }

    #[test]
    fn stored_validations_from_earlier_releases_read() {
        let stored = r#"{"issues":[{"category":"entity_address","entity_address":{"reason":"mailbox_address"},
            "entity_identity":null}],"status":"invalid"}"#;
        let validation: Validation = serde_json::from_str(stored).unwrap();
        assert!(validation.flags(IssueCategory::EntityAddress));
        assert_eq!(validation.status, ValidationStatus::Invalid);
        assert!(serde_json::from_str::<Validation>(r#"{"issues":[],"status":"great"}"#).is_err());
    }

    #[test]
    fn corrections_resolve_issues_and_await_verification() {
        let a = BeneficialOwnerId::generate();
        let b = BeneficialOwnerId::generate();
        let validation = Validation::from_issues(vec![
            issue(IssueCategory::EntityAddress, None),
            issue(IssueCategory::BeneficialOwnerIdentity, Some(&a)),
            issue(IssueCategory::BeneficialOwnerIdentity, Some(&b)),
        ]);
        let partly = validation.after_corrections(&[
            Resolved::entity(IssueCategory::EntityAddress),
            Resolved::owner(IssueCategory::BeneficialOwnerIdentity, a.clone()),
        ]);
        assert_eq!(partly.status, ValidationStatus::Invalid);
        assert_eq!(
            partly.issues,
            vec![issue(IssueCategory::BeneficialOwnerIdentity, Some(&b))]
        );
        let all = partly.after_corrections(&[Resolved::entity(IssueCategory::BeneficialOwnerIdentity)]);
        assert_eq!(all, Validation::pending());
        assert_eq!(
            Validation::from_issues(vec![]).after_corrections(&[]).status,
            ValidationStatus::Valid
        );
    }
}
