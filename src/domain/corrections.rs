//! Completing an existing Entity's outstanding tasks: which parts of it the
//! tasks open for change, and how the customer's answers are applied to it.

use std::collections::BTreeSet;

use super::{
    entity::{Corporation, EntityDetails, Individual},
    ids::BeneficialOwnerId,
    onboarding::{
        CorporationInput, IndividualInput, Problem, Problems, Rules, check_owners, parse_address, parse_ein,
        parse_identification, parse_identity, parse_legal_name, parse_owner,
    },
    tasks::{Task, TaskCategory},
    validation::{IssueCategory, Resolved},
};

const OWNERS: &str = "corporation.beneficial_owners";

/// Which parts of the Entity the tasks let the customer change: exactly
/// what each task needs, nothing else (the rest is kept as it is on file).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Editable {
    /// The business's EIN (`provide_tax_identifier`, `correct_tax_identifier`).
    pub tax_identifier: bool,
    /// The business's legal name and EIN (`correct_identity` of a corporation).
    pub business_identity: bool,
    /// The business's or the person's address.
    pub address: bool,
    /// Existing beneficial owners (by index) whose name and date of birth are asked again.
    pub owner_identity: BTreeSet<usize>,
    /// Existing beneficial owners whose identification is asked (again).
    pub owner_identification: BTreeSet<usize>,
    /// Existing beneficial owners whose home address is asked again.
    pub owner_address: BTreeSet<usize>,
    pub new_owners: bool,
    /// A person's name and date of birth (`correct_identity`).
    pub person_identity: bool,
    /// A person's identification (`provide_identification`, `correct_identity`).
    pub identification: bool,
    pub attest: bool,
}

impl Editable {
    pub fn from_tasks(details: &EntityDetails, tasks: &[Task]) -> Self {
        let mut editable = Self::default();
        let owners = details.beneficial_owners();
        let corporation = matches!(details, EntityDetails::Corporation(_));
        for task in tasks {
            let owner = || {
                owners
                    .iter()
                    .position(|o| Some(&o.id) == task.beneficial_owner_id.as_ref())
            };
            match task.category {
                TaskCategory::ProvideTaxIdentifier | TaskCategory::CorrectTaxIdentifier => {
                    editable.tax_identifier = true;
                }
                TaskCategory::CorrectIdentity if corporation => editable.business_identity = true,
                TaskCategory::CorrectIdentity => {
                    editable.person_identity = true;
                    editable.identification = true;
                }
                TaskCategory::ProvideIdentification => editable.identification = true,
                TaskCategory::CompleteAddress | TaskCategory::CorrectAddress => editable.address = true,
                TaskCategory::AddBeneficialOwner | TaskCategory::AddControlPerson => editable.new_owners = true,
                TaskCategory::ProvideBeneficialOwnerIdentification => {
                    editable.owner_identification.extend(owner());
                }
                TaskCategory::CorrectBeneficialOwnerIdentity => {
                    editable.owner_identity.extend(owner());
                    editable.owner_identification.extend(owner());
                }
                TaskCategory::CorrectBeneficialOwnerAddress => editable.owner_address.extend(owner()),
                TaskCategory::ConfirmDetails | TaskCategory::Attest => editable.attest = true,
            }
        }
        editable
    }

    /// Whether the form asks for any details (else it only asks to attest).
    pub fn asks_for_details(&self) -> bool {
        self.tax_identifier
            || self.business_identity
            || self.address
            || self.new_owners
            || self.person_identity
            || self.identification
            || !self.corrected_owners().is_empty()
    }

    /// Every existing owner the tasks ask about, in order.
    pub fn corrected_owners(&self) -> BTreeSet<usize> {
        self.owner_identity
            .iter()
            .chain(&self.owner_identification)
            .chain(&self.owner_address)
            .copied()
            .collect()
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
    if editable.business_identity {
        let name = parse_legal_name(input, problems);
        let ein = parse_ein(input, problems);
        if let (Some(name), Some(ein)) = (name, ein) {
            c.name = name;
            c.legal_identifier = Some(ein);
            resolved.extend([
                Resolved::entity(IssueCategory::EntityIdentity),
                Resolved::entity(IssueCategory::EntityTaxIdentifier),
            ]);
        }
    } else if editable.tax_identifier
        && let Some(ein) = parse_ein(input, problems)
    {
        c.legal_identifier = Some(ein);
        resolved.push(Resolved::entity(IssueCategory::EntityTaxIdentifier));
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

/// Corrects what the tasks ask about the owners they name, and adds the
/// new ones given.
fn correct_owners(
    c: &mut Corporation,
    editable: &Editable,
    input: &CorporationInput,
    rules: Rules,
    problems: &mut Problems,
    resolved: &mut Vec<Resolved>,
) {
    let blank = IndividualInput::default();
    for index in editable.corrected_owners() {
        let Some(current) = c.beneficial_owners.get_mut(index) else {
            continue;
        };
        let given = input
            .beneficial_owners
            .get(index)
            .map_or(&blank, |owner| &owner.individual);
        let path = format!("{OWNERS}.{index}.individual");
        let id = current.id.clone();
        let person = &mut current.individual;
        if editable.owner_identity.contains(&index)
            && let Some((name, date_of_birth)) = parse_identity(given, &path, rules, problems)
        {
            person.name = name;
            person.date_of_birth = date_of_birth;
        }
        if editable.owner_identification.contains(&index)
            && let Some(identification) =
                parse_identification(&given.identification, &format!("{path}.identification"), problems)
        {
            person.identification = Some(identification);
            for category in [
                IssueCategory::BeneficialOwnerIdentity,
                IssueCategory::BeneficialOwnerTaxIdentifier,
            ] {
                resolved.push(Resolved::owner(category, id.clone()));
            }
        }
        if editable.owner_address.contains(&index)
            && let Some(address) = parse_address(&given.address, &format!("{path}.address"), rules, problems)
        {
            person.address = address;
            resolved.push(Resolved::owner(IssueCategory::BeneficialOwnerAddress, id));
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
    if editable.person_identity
        && let Some((name, date_of_birth)) = parse_identity(input, "natural_person", rules, problems)
    {
        person.name = name;
        person.date_of_birth = date_of_birth;
    }
    if editable.identification
        && let Some(identification) =
            parse_identification(&input.identification, "natural_person.identification", problems)
    {
        person.identification = Some(identification);
        resolved.extend([
            Resolved::entity(IssueCategory::EntityIdentity),
            Resolved::entity(IssueCategory::EntityTaxIdentifier),
        ]);
    }
    if editable.address
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
        assert_eq!(editable.owner_address, BTreeSet::from([0]));
        assert!(editable.owner_identity.is_empty() && editable.owner_identification.is_empty());
        assert!(editable.attest && !editable.tax_identifier && !editable.address && !editable.new_owners);
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

    #[test]
    fn a_tax_id_task_takes_the_ein_alone_and_keeps_the_rest_as_on_file() {
        let EntityDetails::Corporation(mut c) = sandbox_corporation() else {
            panic!("a corporation");
        };
        c.legal_identifier = None;
        c.incorporation_state = None;
        c.website = None;
        let details = EntityDetails::Corporation(c);
        let tasks = outstanding_tasks(&details, true, true, None);
        let editable = Editable::from_tasks(&details, &tasks);
        assert!(editable.tax_identifier && !editable.business_identity && !editable.address);
        let input = CorporationInput {
            legal_identifier: Some(crate::domain::onboarding::LegalIdentifierInput {
                value: Some("98-7654321".into()),
                category: None,
            }),
            ..CorporationInput::default()
        };
        let corrected = apply_corrections(
            &details,
            &editable,
            &input,
            &IndividualInput::default(),
            Rules::complete(today()),
        );
        assert!(
            corrected.problems.is_empty(),
            "no state of incorporation asked: {:?}",
            corrected.problems
        );
        let EntityDetails::Corporation(after) = corrected.details else {
            panic!("a corporation");
        };
        assert_eq!(
            after.legal_identifier.map(|l| l.value().to_owned()).as_deref(),
            Some("987654321")
        );
        assert_eq!(after.incorporation_state, None);
        let blank = apply_corrections(
            &details,
            &editable,
            &CorporationInput::default(),
            &IndividualInput::default(),
            Rules::complete(today()),
        );
        let paths: Vec<&str> = blank.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["corporation.legal_identifier.value"]);
    }

    #[test]
    fn a_person_missing_an_id_is_asked_for_the_id_only() {
        let EntityDetails::Corporation(c) = sandbox_corporation() else {
            panic!("a corporation");
        };
        let mut person = c.beneficial_owners[0].individual.clone();
        person.identification = None;
        let details = EntityDetails::NaturalPerson(person);
        let editable = Editable::from_tasks(&details, &outstanding_tasks(&details, true, true, None));
        assert!(editable.identification && !editable.person_identity && !editable.address);
        let blank = apply_corrections(
            &details,
            &editable,
            &CorporationInput::default(),
            &IndividualInput::default(),
            Rules::complete(today()),
        );
        let paths: Vec<&str> = blank.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["natural_person.identification.method"]);
    }
}
