//! What an Entity still lacks for a complete onboarding: one rule per task,
//! each with a stable machine name. The platform sees them on the Entity
//! (`onboarding_tasks`); the hosted form asks for exactly these.

use serde::Serialize;

use super::{
    closed_set::closed_set,
    entity::{Corporation, EntityDetails, Individual, Prong},
    ids::BeneficialOwnerId,
    validation::{IssueCategory, Validation},
};

closed_set! {
    pub enum TaskCategory {
        /// The customer has not confirmed the details (`details_confirmed_at` is null).
    ConfirmDetails = "confirm_details",
        /// No attestation (terms agreement) is recorded.
    Attest = "attest",
        /// A corporation without its EIN.
    ProvideTaxIdentifier = "provide_tax_identifier",
        /// The tax identifier was flagged (`entity_tax_identifier`).
    CorrectTaxIdentifier = "correct_tax_identifier",
        /// The address lacks its city, state or ZIP code.
    CompleteAddress = "complete_address",
        /// The address was flagged (`entity_address`).
    CorrectAddress = "correct_address",
        /// The identity was flagged (`entity_identity`).
    CorrectIdentity = "correct_identity",
        /// A natural person without identification.
    ProvideIdentification = "provide_identification",
        /// A corporation without beneficial owners.
    AddBeneficialOwner = "add_beneficial_owner",
        /// A corporation none of whose owners has the control prong.
    AddControlPerson = "add_control_person",
        /// A beneficial owner without identification.
    ProvideBeneficialOwnerIdentification = "provide_beneficial_owner_identification",
        /// A beneficial owner's identity or tax ID was flagged.
    CorrectBeneficialOwnerIdentity = "correct_beneficial_owner_identity",
        /// A beneficial owner's address lacks parts or was flagged.
    CorrectBeneficialOwnerAddress = "correct_beneficial_owner_address",
}
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

/// Something the Entity still lacks for a complete onboarding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = OnboardingTask)]
pub struct Task {
    pub category: TaskCategory,
    pub beneficial_owner_id: Option<BeneficialOwnerId>,
    pub description: String,
}

impl Task {
    fn new(category: TaskCategory, owner: Option<(&BeneficialOwnerId, &str)>) -> Self {
        let description = match owner {
            Some((_, name)) => format!("{} ({name})", category.describe()),
            None => category.describe().to_owned(),
        };
        Self {
            category,
            beneficial_owner_id: owner.map(|(id, _)| id.clone()),
            description,
        }
    }
}

/// Everything the Entity still lacks, in the order the form asks for it.
pub fn outstanding_tasks(
    details: &EntityDetails,
    confirmed: bool,
    attested: bool,
    validation: Option<&Validation>,
) -> Vec<Task> {
    let flags = Flags(validation);
    let mut tasks = match details {
        EntityDetails::Corporation(corporation) => corporation_tasks(corporation, flags),
        EntityDetails::NaturalPerson(person) => person_tasks(person, flags),
    };
    if !confirmed {
        tasks.push(Task::new(TaskCategory::ConfirmDetails, None));
    }
    if !attested {
        tasks.push(Task::new(TaskCategory::Attest, None));
    }
    tasks
}

/// What the validation flagged (nothing, when it has not run).
#[derive(Clone, Copy)]
struct Flags<'a>(Option<&'a Validation>);

impl Flags<'_> {
    fn entity(self, category: IssueCategory) -> bool {
        self.0.is_some_and(|v| v.flags(category))
    }

    fn owner(self, category: IssueCategory, id: &BeneficialOwnerId) -> bool {
        self.0.is_some_and(|v| v.flags_owner(category, id))
    }
}

fn corporation_tasks(corporation: &Corporation, flags: Flags<'_>) -> Vec<Task> {
    let mut tasks = Vec::new();
    if corporation.legal_identifier.is_none() {
        tasks.push(Task::new(TaskCategory::ProvideTaxIdentifier, None));
    } else if flags.entity(IssueCategory::EntityTaxIdentifier) {
        tasks.push(Task::new(TaskCategory::CorrectTaxIdentifier, None));
    }
    if flags.entity(IssueCategory::EntityIdentity) {
        tasks.push(Task::new(TaskCategory::CorrectIdentity, None));
    }
    if corporation.address.is_incomplete() {
        tasks.push(Task::new(TaskCategory::CompleteAddress, None));
    } else if flags.entity(IssueCategory::EntityAddress) {
        tasks.push(Task::new(TaskCategory::CorrectAddress, None));
    }
    let owners = &corporation.beneficial_owners;
    if corporation.beneficial_ownership_exemption_reason.is_none() {
        if owners.is_empty() {
            tasks.push(Task::new(TaskCategory::AddBeneficialOwner, None));
        } else if !owners.iter().any(|o| o.prongs.contains(&Prong::Control)) {
            tasks.push(Task::new(TaskCategory::AddControlPerson, None));
        }
    }
    for owner in owners {
        let who = Some((&owner.id, owner.individual.name.as_str()));
        if owner.individual.identification.is_none() {
            tasks.push(Task::new(TaskCategory::ProvideBeneficialOwnerIdentification, who));
        } else if flags.owner(IssueCategory::BeneficialOwnerIdentity, &owner.id)
            || flags.owner(IssueCategory::BeneficialOwnerTaxIdentifier, &owner.id)
        {
            tasks.push(Task::new(TaskCategory::CorrectBeneficialOwnerIdentity, who));
        }
        if owner.individual.address.is_incomplete() || flags.owner(IssueCategory::BeneficialOwnerAddress, &owner.id) {
            tasks.push(Task::new(TaskCategory::CorrectBeneficialOwnerAddress, who));
        }
    }
    tasks
}

fn person_tasks(person: &Individual, flags: Flags<'_>) -> Vec<Task> {
    let mut tasks = Vec::new();
    if person.identification.is_none() {
        tasks.push(Task::new(TaskCategory::ProvideIdentification, None));
    } else if flags.entity(IssueCategory::EntityIdentity) || flags.entity(IssueCategory::EntityTaxIdentifier) {
        tasks.push(Task::new(TaskCategory::CorrectIdentity, None));
    }
    if person.address.is_incomplete() {
        tasks.push(Task::new(TaskCategory::CompleteAddress, None));
    } else if flags.entity(IssueCategory::EntityAddress) {
        tasks.push(Task::new(TaskCategory::CorrectAddress, None));
    }
    tasks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        entity::{Identification, IdentificationMethod, sandbox_corporation},
        validation::ValidationIssue,
    };

    fn issue(category: IssueCategory, owner: Option<&BeneficialOwnerId>) -> ValidationIssue {
        ValidationIssue {
            category,
            beneficial_owner_id: owner.cloned(),
        }
    }

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
        assert_eq!(tasks[3].beneficial_owner_id.as_ref(), Some(&owner_id));
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
        let validation = Validation::from_issues(vec![
            issue(IssueCategory::EntityTaxIdentifier, None),
            issue(IssueCategory::EntityAddress, None),
            issue(IssueCategory::BeneficialOwnerIdentity, Some(&owner)),
            issue(IssueCategory::BeneficialOwnerAddress, Some(&owner)),
        ]);
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
            number: None,
        });
        let flagged = Validation::from_issues(vec![issue(IssueCategory::EntityIdentity, None)]);
        let tasks = outstanding_tasks(&EntityDetails::NaturalPerson(person), true, true, Some(&flagged));
        assert_eq!(categories(&tasks), vec![TaskCategory::CorrectIdentity]);
    }
}
