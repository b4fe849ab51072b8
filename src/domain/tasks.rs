//! What an Entity still lacks for a complete onboarding: one rule per task,
//! each with a stable machine name. The platform sees them on the Entity
//! (`onboarding_tasks`); the hosted form asks for exactly these.

use serde::Serialize;
use serde_json::{Value, json};

use super::entity::{EntityDetails, Prong};

/// Validation issue categories, as in Increase.
pub const ISSUE_CATEGORIES: [&str; 6] = [
    "entity_tax_identifier",
    "entity_address",
    "entity_identity",
    "beneficial_owner_identity",
    "beneficial_owner_address",
    "beneficial_owner_tax_identifier",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskCategory {
    /// The customer has not confirmed the details (`details_confirmed_at` is null).
    ConfirmDetails,
    /// No attestation (terms agreement) is recorded.
    Attest,
    /// A corporation without its EIN.
    ProvideTaxIdentifier,
    /// The tax identifier was flagged (`entity_tax_identifier`).
    CorrectTaxIdentifier,
    /// The address lacks its city, state or ZIP code.
    CompleteAddress,
    /// The address was flagged (`entity_address`).
    CorrectAddress,
    /// The identity was flagged (`entity_identity`).
    CorrectIdentity,
    /// A natural person without identification.
    ProvideIdentification,
    /// A corporation without beneficial owners.
    AddBeneficialOwner,
    /// A corporation none of whose owners has the control prong.
    AddControlPerson,
    /// A beneficial owner without identification.
    ProvideBeneficialOwnerIdentification,
    /// A beneficial owner's identity or tax ID was flagged.
    CorrectBeneficialOwnerIdentity,
    /// A beneficial owner's address lacks parts or was flagged.
    CorrectBeneficialOwnerAddress,
}

impl TaskCategory {
    pub fn describe(self) -> &'static str {
        match self {
            Self::ConfirmDetails => "Confirm that the details are correct",
            Self::Attest => "Confirm that the information is true and complete",
            Self::ProvideTaxIdentifier => "Provide the business's EIN",
            Self::CorrectTaxIdentifier => "Correct the business's tax ID: it could not be verified",
            Self::CompleteAddress => "Complete the address",
            Self::CorrectAddress => "Correct the address: it could not be validated (PO boxes are not accepted)",
            Self::CorrectIdentity => "Correct the identity details: they could not be verified",
            Self::ProvideIdentification => "Provide an ID number",
            Self::AddBeneficialOwner => "Add the business's beneficial owners",
            Self::AddControlPerson => "Add a person who manages or controls the business",
            Self::ProvideBeneficialOwnerIdentification => "Provide an ID number for a beneficial owner",
            Self::CorrectBeneficialOwnerIdentity => "Correct a beneficial owner's identity: it could not be verified",
            Self::CorrectBeneficialOwnerAddress => "Correct a beneficial owner's home address",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    pub category: TaskCategory,
    pub beneficial_owner_id: Option<String>,
    pub description: String,
}

impl Task {
    fn new(category: TaskCategory, owner: Option<(&str, &str)>) -> Self {
        let description = match owner {
            Some((_, name)) => format!("{} ({name})", category.describe()),
            None => category.describe().to_owned(),
        };
        Self {
            category,
            beneficial_owner_id: owner.map(|(id, _)| id.to_owned()),
            description,
        }
    }
}

/// One validation issue in Increase's shape (every key present).
pub fn validation_issue(category: &str, beneficial_owner_id: Option<&str>) -> Value {
    let owner = json!({ "beneficial_owner_id": beneficial_owner_id });
    json!({
        "category": category,
        "entity_tax_identifier": (category == "entity_tax_identifier").then(|| json!({})),
        "entity_address": (category == "entity_address").then(|| json!({ "reason": "mailbox_address" })),
        "entity_identity": (category == "entity_identity").then(|| json!({})),
        "beneficial_owner_identity": (category == "beneficial_owner_identity").then(|| owner.clone()),
        "beneficial_owner_address": (category == "beneficial_owner_address")
            .then(|| json!({ "beneficial_owner_id": beneficial_owner_id, "reason": "mailbox_address" })),
        "beneficial_owner_tax_identifier": (category == "beneficial_owner_tax_identifier").then(|| owner.clone()),
    })
}

/// A stored validation issue: its category and the owner it names.
fn issue_parts(issue: &Value) -> (&str, Option<&str>) {
    let category = issue["category"].as_str().unwrap_or("");
    let owner = issue
        .as_object()
        .into_iter()
        .flat_map(|o| o.values())
        .find_map(|v| v.get("beneficial_owner_id").and_then(Value::as_str));
    (category, owner)
}

/// Everything the Entity still lacks, in the order the form asks for it.
pub fn outstanding_tasks(
    details: &EntityDetails,
    confirmed: bool,
    attested: bool,
    validation: Option<&Value>,
) -> Vec<Task> {
    let issues: Vec<(&str, Option<&str>)> = validation
        .and_then(|v| v["issues"].as_array())
        .map(|issues| issues.iter().map(issue_parts).collect())
        .unwrap_or_default();
    let flagged = |category: &str| issues.iter().any(|(c, _)| *c == category);
    let flagged_owner = |category: &str, id: &str| issues.iter().any(|(c, o)| *c == category && *o == Some(id));
    let mut tasks = Vec::new();
    match details {
        EntityDetails::Corporation(corporation) => {
            if corporation.legal_identifier.is_none() {
                tasks.push(Task::new(TaskCategory::ProvideTaxIdentifier, None));
            } else if flagged("entity_tax_identifier") {
                tasks.push(Task::new(TaskCategory::CorrectTaxIdentifier, None));
            }
            if flagged("entity_identity") {
                tasks.push(Task::new(TaskCategory::CorrectIdentity, None));
            }
            let address = &corporation.address;
            if address.city.is_none() || (address.country == "US" && (address.state.is_none() || address.zip.is_none()))
            {
                tasks.push(Task::new(TaskCategory::CompleteAddress, None));
            } else if flagged("entity_address") {
                tasks.push(Task::new(TaskCategory::CorrectAddress, None));
            }
            let exempt = corporation.beneficial_ownership_exemption_reason.is_some();
            if corporation.beneficial_owners.is_empty() && !exempt {
                tasks.push(Task::new(TaskCategory::AddBeneficialOwner, None));
            } else if !exempt
                && !corporation
                    .beneficial_owners
                    .iter()
                    .any(|o| o.prongs.contains(&Prong::Control))
            {
                tasks.push(Task::new(TaskCategory::AddControlPerson, None));
            }
            for owner in &corporation.beneficial_owners {
                let who = Some((owner.id.as_str(), owner.individual.name.as_str()));
                if owner.individual.identification.is_none() {
                    tasks.push(Task::new(TaskCategory::ProvideBeneficialOwnerIdentification, who));
                } else if flagged_owner("beneficial_owner_identity", &owner.id)
                    || flagged_owner("beneficial_owner_tax_identifier", &owner.id)
                {
                    tasks.push(Task::new(TaskCategory::CorrectBeneficialOwnerIdentity, who));
                }
                let home = &owner.individual.address;
                let incomplete =
                    home.city.is_none() || (home.country == "US" && (home.state.is_none() || home.zip.is_none()));
                if incomplete || flagged_owner("beneficial_owner_address", &owner.id) {
                    tasks.push(Task::new(TaskCategory::CorrectBeneficialOwnerAddress, who));
                }
            }
        }
        EntityDetails::NaturalPerson(person) => {
            if person.identification.is_none() {
                tasks.push(Task::new(TaskCategory::ProvideIdentification, None));
            } else if flagged("entity_identity") || flagged("entity_tax_identifier") {
                tasks.push(Task::new(TaskCategory::CorrectIdentity, None));
            }
            let address = &person.address;
            if address.city.is_none() || (address.country == "US" && (address.state.is_none() || address.zip.is_none()))
            {
                tasks.push(Task::new(TaskCategory::CompleteAddress, None));
            } else if flagged("entity_address") {
                tasks.push(Task::new(TaskCategory::CorrectAddress, None));
            }
        }
    }
    if !confirmed {
        tasks.push(Task::new(TaskCategory::ConfirmDetails, None));
    }
    if !attested {
        tasks.push(Task::new(TaskCategory::Attest, None));
    }
    tasks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entity::{Identification, IdentificationMethod, sandbox_corporation};

    fn categories(tasks: &[Task]) -> Vec<TaskCategory> {
        tasks.iter().map(|t| t.category).collect()
    }

    #[test]
    fn a_complete_confirmed_attested_entity_has_no_tasks() {
        assert_eq!(outstanding_tasks(&sandbox_corporation(), true, true, None), vec![]);
    }

    #[test]
    fn confirmation_and_attestation_are_tasks_until_recorded() {
        let tasks = outstanding_tasks(&sandbox_corporation(), false, false, None);
        assert_eq!(
            categories(&tasks),
            vec![TaskCategory::ConfirmDetails, TaskCategory::Attest]
        );
    }

    #[test]
    fn missing_information_becomes_tasks() {
        let EntityDetails::Corporation(mut c) = sandbox_corporation() else {
            panic!()
        };
        c.legal_identifier = None;
        c.address.zip = None;
        c.beneficial_owners[0].prongs = vec![Prong::Ownership];
        c.beneficial_owners[0].individual.identification = None;
        let owner_id = c.beneficial_owners[0].id.clone();
        let tasks = outstanding_tasks(&EntityDetails::Corporation(c.clone()), true, true, None);
        assert_eq!(
            categories(&tasks),
            vec![
                TaskCategory::ProvideTaxIdentifier,
                TaskCategory::CompleteAddress,
                TaskCategory::AddControlPerson,
                TaskCategory::ProvideBeneficialOwnerIdentification,
            ]
        );
        assert_eq!(tasks[3].beneficial_owner_id.as_deref(), Some(owner_id.as_str()));
        c.beneficial_owners.clear();
        let tasks = outstanding_tasks(&EntityDetails::Corporation(c), true, true, None);
        assert!(categories(&tasks).contains(&TaskCategory::AddBeneficialOwner));
    }

    #[test]
    fn validation_issues_become_correction_tasks() {
        let EntityDetails::Corporation(c) = sandbox_corporation() else {
            panic!()
        };
        let owner = c.beneficial_owners[0].id.clone();
        let validation = json!({ "status": "invalid", "issues": [
            validation_issue("entity_tax_identifier", None),
            validation_issue("entity_address", None),
            validation_issue("beneficial_owner_identity", Some(&owner)),
            validation_issue("beneficial_owner_address", Some(&owner)),
        ]});
        let tasks = outstanding_tasks(&EntityDetails::Corporation(c), true, true, Some(&validation));
        assert_eq!(
            categories(&tasks),
            vec![
                TaskCategory::CorrectTaxIdentifier,
                TaskCategory::CorrectAddress,
                TaskCategory::CorrectBeneficialOwnerIdentity,
                TaskCategory::CorrectBeneficialOwnerAddress,
            ]
        );
    }

    #[test]
    fn natural_persons_need_identification() {
        let EntityDetails::Corporation(c) = sandbox_corporation() else {
            panic!()
        };
        let mut person = c.beneficial_owners[0].individual.clone();
        person.identification = None;
        let tasks = outstanding_tasks(&EntityDetails::NaturalPerson(person.clone()), true, true, None);
        assert_eq!(categories(&tasks), vec![TaskCategory::ProvideIdentification]);
        person.identification = Some(Identification {
            method: IdentificationMethod::SocialSecurityNumber,
            number_last4: "1234".into(),
        });
        let flagged = json!({ "status": "invalid", "issues": [validation_issue("entity_identity", None)] });
        let tasks = outstanding_tasks(&EntityDetails::NaturalPerson(person), true, true, Some(&flagged));
        assert_eq!(categories(&tasks), vec![TaskCategory::CorrectIdentity]);
    }

    #[test]
    fn issues_have_every_key() {
        let issue = validation_issue("beneficial_owner_address", Some("entity_beneficial_owner_x"));
        assert_eq!(issue.as_object().unwrap().len(), 7);
        assert_eq!(
            issue["beneficial_owner_address"]["beneficial_owner_id"],
            "entity_beneficial_owner_x"
        );
        assert_eq!(issue["entity_tax_identifier"], Value::Null);
    }
}
