//! Completing an existing Entity's outstanding tasks: which parts of it the
//! tasks open for change, and how the customer's answers are applied to it.

use std::collections::BTreeSet;

use super::{
    entity::{Corporation, EntityDetails, Individual},
    ids::BeneficialOwnerId,
    onboarding::{
        CorporationInput, IndividualInput, Problem, Problems, Rules, check_owners, parse_address, parse_business,
        parse_individual, parse_owner,
    },
    tasks::{Task, TaskCategory},
    validation::{IssueCategory, Resolved},
};

const OWNERS: &str = "corporation.beneficial_owners";

/// Which parts of the Entity the tasks let the customer change.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Editable {
    pub business: bool,
    pub address: bool,
    /// Indexes of existing beneficial owners to correct.
    pub owners: BTreeSet<usize>,
    pub new_owners: bool,
    pub person: bool,
    pub attest: bool,
}

impl Editable {
    pub fn from_tasks(details: &EntityDetails, tasks: &[Task]) -> Self {
        let mut editable = Self::default();
        let owners = details.beneficial_owners();
        let corporation = matches!(details, EntityDetails::Corporation(_));
        for task in tasks {
            match task.category {
                TaskCategory::ProvideTaxIdentifier | TaskCategory::CorrectTaxIdentifier => editable.business = true,
                TaskCategory::CorrectIdentity if corporation => editable.business = true,
                TaskCategory::CorrectIdentity | TaskCategory::ProvideIdentification => editable.person = true,
                TaskCategory::CompleteAddress | TaskCategory::CorrectAddress => editable.address = true,
                TaskCategory::AddBeneficialOwner | TaskCategory::AddControlPerson => editable.new_owners = true,
                TaskCategory::ProvideBeneficialOwnerIdentification
                | TaskCategory::CorrectBeneficialOwnerIdentity
                | TaskCategory::CorrectBeneficialOwnerAddress => {
                    let index = owners
                        .iter()
                        .position(|o| Some(&o.id) == task.beneficial_owner_id.as_ref());
                    editable.owners.extend(index);
                }
                TaskCategory::ConfirmDetails | TaskCategory::Attest => editable.attest = true,
            }
        }
        editable
    }

    /// Whether the form asks for any details (else it only asks to attest).
    pub fn asks_for_details(&self) -> bool {
        self.business || self.address || self.new_owners || self.person || !self.owners.is_empty()
    }
}

/// The Entity with the customer's corrections applied, what was wrong with
/// them, and which validation issues they resolve.
#[derive(Debug)]
pub struct Corrected {
    pub details: EntityDetails,
    pub problems: Vec<Problem>,
    pub resolved: Vec<Resolved>,
}

/// Applies the editable parts of the answers (`corporation` or `person`,
/// by the Entity's structure) to its stored details.
pub fn apply_corrections(
    details: &EntityDetails,
    editable: &Editable,
    corporation: &CorporationInput,
    person: &IndividualInput,
    rules: Rules,
) -> Corrected {
    let mut problems = Problems::default();
    let mut resolved = Vec::new();
    let details = match details.clone() {
        EntityDetails::Corporation(mut c) => {
            correct_corporation(&mut c, editable, corporation, rules, &mut problems, &mut resolved);
            EntityDetails::Corporation(c)
        }
        EntityDetails::NaturalPerson(mut p) => {
            correct_person(&mut p, editable, person, rules, &mut problems, &mut resolved);
            EntityDetails::NaturalPerson(p)
        }
    };
    Corrected {
        details,
        problems: problems.into_vec(),
        resolved,
    }
}

fn correct_corporation(
    c: &mut Corporation,
    editable: &Editable,
    input: &CorporationInput,
    rules: Rules,
    problems: &mut Problems,
    resolved: &mut Vec<Resolved>,
) {
    if editable.business
        && let Some(business) = parse_business(input, rules, problems)
    {
        c.name = business.name;
        c.legal_identifier = business.legal_identifier;
        c.website = business.website;
        c.email = business.email;
        c.incorporation_state = business.incorporation_state;
        c.industry_code = business.industry_code;
        resolved.extend([
            Resolved::entity(IssueCategory::EntityTaxIdentifier),
            Resolved::entity(IssueCategory::EntityIdentity),
        ]);
    }
    if editable.address
        && let Some(address) = parse_address(&input.address, "corporation.address", rules, problems)
    {
        c.address = address;
        resolved.push(Resolved::entity(IssueCategory::EntityAddress));
    }
    correct_owners(c, editable, input, rules, problems, resolved);
    if problems.is_empty() {
        let exempt = c.beneficial_ownership_exemption_reason.is_some();
        check_owners(&c.beneficial_owners, exempt, rules, problems);
    }
}

/// Corrects the owners the tasks name and adds the new ones given.
fn correct_owners(
    c: &mut Corporation,
    editable: &Editable,
    input: &CorporationInput,
    rules: Rules,
    problems: &mut Problems,
    resolved: &mut Vec<Resolved>,
) {
    for &index in &editable.owners {
        let (Some(owner_input), Some(current)) = (input.beneficial_owners.get(index), c.beneficial_owners.get(index))
        else {
            continue;
        };
        let path = format!("{OWNERS}.{index}");
        if let Some(owner) = parse_owner(owner_input, &path, current.id.clone(), rules, problems) {
            for category in [
                IssueCategory::BeneficialOwnerIdentity,
                IssueCategory::BeneficialOwnerAddress,
                IssueCategory::BeneficialOwnerTaxIdentifier,
            ] {
                resolved.push(Resolved::owner(category, owner.id.clone()));
            }
            c.beneficial_owners[index] = owner;
        }
    }
    if editable.new_owners {
        let existing = c.beneficial_owners.len();
        for (index, owner_input) in input.beneficial_owners.iter().enumerate().skip(existing) {
            let path = format!("{OWNERS}.{index}");
            if let Some(owner) = parse_owner(owner_input, &path, BeneficialOwnerId::generate(), rules, problems) {
                c.beneficial_owners.push(owner);
            }
        }
    }
}

fn correct_person(
    person: &mut Individual,
    editable: &Editable,
    input: &IndividualInput,
    rules: Rules,
    problems: &mut Problems,
    resolved: &mut Vec<Resolved>,
) {
    if editable.person {
        if let Some(updated) = parse_individual(input, "natural_person", rules, problems) {
            *person = updated;
            resolved.extend([
                Resolved::entity(IssueCategory::EntityIdentity),
                Resolved::entity(IssueCategory::EntityTaxIdentifier),
                Resolved::entity(IssueCategory::EntityAddress),
            ]);
        }
    } else if editable.address
        && let Some(address) = parse_address(&input.address, "natural_person.address", rules, problems)
    {
        person.address = address;
        resolved.push(Resolved::entity(IssueCategory::EntityAddress));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        entity::sandbox_corporation,
        onboarding::AddressInput,
        tasks::outstanding_tasks,
        validation::{Validation, ValidationIssue},
    };

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn tasks_open_only_what_they_are_about() {
        let details = sandbox_corporation();
        let owner = details.beneficial_owners()[0].id.clone();
        let flagged = Validation::from_issues(vec![ValidationIssue {
            category: IssueCategory::BeneficialOwnerAddress,
            beneficial_owner_id: Some(owner),
        }]);
        let tasks = outstanding_tasks(&details, true, false, Some(&flagged));
        let editable = Editable::from_tasks(&details, &tasks);
        assert_eq!(editable.owners, BTreeSet::from([0]));
        assert!(editable.attest && !editable.business && !editable.address && !editable.new_owners);
        assert!(editable.asks_for_details());
    }

    #[test]
    fn a_corrected_address_resolves_its_issue_and_keeps_the_rest() {
        let details = sandbox_corporation();
        let editable = Editable {
            address: true,
            ..Editable::default()
        };
        let input = CorporationInput {
            address: AddressInput {
                line1: Some("1 Main St".into()),
                city: Some("Dover".into()),
                state: Some("DE".into()),
                zip: Some("19901".into()),
                ..AddressInput::default()
            },
            ..CorporationInput::default()
        };
        let corrected = apply_corrections(
            &details,
            &editable,
            &input,
            &IndividualInput::default(),
            Rules::complete(today()),
        );
        assert!(corrected.problems.is_empty(), "{:?}", corrected.problems);
        assert_eq!(corrected.resolved, vec![Resolved::entity(IssueCategory::EntityAddress)]);
        let (EntityDetails::Corporation(before), EntityDetails::Corporation(after)) = (&details, &corrected.details)
        else {
            panic!("a corporation");
        };
        assert_eq!(after.address.city.as_deref(), Some("Dover"));
        assert_eq!(
            (&after.name, &after.beneficial_owners),
            (&before.name, &before.beneficial_owners)
        );
    }
}
