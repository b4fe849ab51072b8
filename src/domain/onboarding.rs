//! What a customer (through the form) or a platform (through `POST /entities`)
//! submits, and the one set of rules that turns it into an [`EntityDetails`].
//!
//! Problems are reported by JSON path (`corporation.address.zip`); the hosted
//! form names its inputs by the same paths, so both layers share the rules.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    address::{Country, PostalCode, Region, UsState, Zip},
    entity::{
        Address, BeneficialOwner, Corporation, EntityDetails, ExemptionReason, Identification, IdentificationMethod,
        Individual, LegalIdentifier, LegalIdentifierCategory, Prong,
    },
    ids::BeneficialOwnerId,
    person::{Email, NaicsCode, Website, parse_date_of_birth, parse_text},
    tax_id::{Ein, TaxpayerNumber, parse_document_number},
};

pub const MAX_BENEFICIAL_OWNERS: usize = 8;
pub const MAX_OWNERSHIP_PRONGS: usize = 4;
const MAX_NAME: usize = 200;
const MAX_LINE: usize = 200;

/// One problem with a submission, at a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

impl Problems {
    pub fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<Problem> {
        self.0
    }

    /// Runs a parser on a present value, or records "is required".
    fn required<T, E: Into<String>>(
        &mut self,
        path: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => {
                self.add(path, "is required");
                None
            }
            Some(value) => self.check(path, parse(value)),
        }
    }

    /// Runs a parser on a value if one was given (blank counts as absent).
    fn optional<T, E: Into<String>>(
        &mut self,
        path: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => Some(None),
            Some(value) => self.check(path, parse(value)).map(Some),
        }
    }

    fn check<T, E: Into<String>>(&mut self, path: &str, result: Result<T, E>) -> Option<T> {
        result.map_err(|message| self.add(path, message)).ok()
    }
}

/// `null` in a request means the same as leaving the key out.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// An address as submitted.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct AddressInput {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    /// A two-letter USPS code for a US address.
    pub state: Option<String>,
    /// `12345` or `12345-6789` for a US address.
    pub zip: Option<String>,
    /// A two-letter country code; `US` when not given.
    pub country: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct DocumentInput {
    pub country: Option<String>,
    pub state: Option<String>,
}

/// A person's identification as submitted; only its method and last four
/// characters are kept.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct IdentificationInput {
    #[schema(value_type = Option<IdentificationMethod>)]
    pub method: Option<String>,
    /// The full number (9 digits for an SSN or ITIN).
    pub number: Option<String>,
    /// Issuing country of a passport or other document (the form's field).
    pub country: Option<String>,
    pub passport: Option<DocumentInput>,
    pub other: Option<DocumentInput>,
    pub drivers_license: Option<DocumentInput>,
}

/// A person as submitted.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct IndividualInput {
    pub name: Option<String>,
    /// `YYYY-MM-DD`, of someone at least 18 years old.
    #[schema(format = Date)]
    pub date_of_birth: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(nullable)]
    pub address: AddressInput,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(nullable)]
    pub identification: IdentificationInput,
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct BeneficialOwnerInput {
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(nullable)]
    pub individual: IndividualInput,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(value_type = Option<Vec<Prong>>)]
    pub prongs: Vec<String>,
    pub company_title: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct LegalIdentifierInput {
    /// An EIN: 9 digits, like `12-3456789`.
    pub value: Option<String>,
    /// `us_employer_identification_number` when not given.
    #[schema(value_type = Option<LegalIdentifierCategory>)]
    pub category: Option<String>,
}

/// A business as submitted.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
pub struct CorporationInput {
    pub name: Option<String>,
    pub legal_identifier: Option<LegalIdentifierInput>,
    /// Older API versions send the EIN here.
    pub tax_identifier: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    /// A two-letter USPS state code.
    pub incorporation_state: Option<String>,
    /// A NAICS code of 2 to 6 digits.
    pub industry_code: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(nullable)]
    pub address: AddressInput,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(value_type = Option<Vec<BeneficialOwnerInput>>)]
    pub beneficial_owners: Vec<BeneficialOwnerInput>,
    #[schema(value_type = Option<ExemptionReason>)]
    pub beneficial_ownership_exemption_reason: Option<String>,
}

/// How much a submission must contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    /// Everything a finished onboarding needs (the hosted form).
    Complete,
    /// Only what the Entity object itself requires (`POST /entities`); what
    /// is missing becomes an outstanding task for the hosted form.
    Partial,
}

/// The rules in force for one submission.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub today: NaiveDate,
    pub completeness: Completeness,
}

impl Rules {
    pub fn complete(today: NaiveDate) -> Self {
        Self {
            today,
            completeness: Completeness::Complete,
        }
    }

    fn complete_only(&self) -> bool {
        self.completeness == Completeness::Complete
    }
}

impl Problems {
    /// `required` when the rules ask for a complete submission, else `optional`.
    fn wanted<T, E: Into<String>>(
        &mut self,
        rules: Rules,
        path: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        if rules.complete_only() {
            self.required(path, value, parse).map(Some)
        } else {
            self.optional(path, value, parse)
        }
    }
}

pub fn parse_address(input: &AddressInput, path: &str, rules: Rules, problems: &mut Problems) -> Option<Address> {
    let line1 = problems.required(&format!("{path}.line1"), input.line1.as_deref(), |v| {
        parse_text(v, MAX_LINE)
    });
    let line2 = problems.optional(&format!("{path}.line2"), input.line2.as_deref(), |v| {
        parse_text(v, MAX_LINE)
    });
    let city = problems.wanted(rules, &format!("{path}.city"), input.city.as_deref(), |v| {
        parse_text(v, 100)
    });
    let country = problems
        .optional(&format!("{path}.country"), input.country.as_deref(), Country::parse)
        .map(|c| c.unwrap_or_else(Country::us));
    let (state, zip) = if country.as_ref().is_some_and(Country::is_us) {
        (
            problems.wanted(rules, &format!("{path}.state"), input.state.as_deref(), |v| {
                UsState::parse(v).map(Region::Us)
            }),
            problems.wanted(rules, &format!("{path}.zip"), input.zip.as_deref(), |v| {
                Zip::parse(v).map(PostalCode::Us)
            }),
        )
    } else {
        (
            problems.optional(&format!("{path}.state"), input.state.as_deref(), |v| {
                parse_text(v, 100).map(Region::Foreign)
            }),
            problems.optional(&format!("{path}.zip"), input.zip.as_deref(), |v| {
                parse_text(v, 20).map(PostalCode::Foreign)
            }),
        )
    };
    Some(Address {
        line1: line1?,
        line2: line2?,
        city: city?,
        state: state?,
        zip: zip?,
        country: country?,
    })
}

pub fn parse_identification(
    input: &IdentificationInput,
    path: &str,
    problems: &mut Problems,
) -> Option<Identification> {
    let method_path = format!("{path}.method");
    let number_path = format!("{path}.number");
    let method = problems.required(&method_path, input.method.as_deref(), |v| match v {
        "social_security_number" => Ok(IdentificationMethod::SocialSecurityNumber),
        "individual_taxpayer_identification_number" => Ok(IdentificationMethod::IndividualTaxpayerIdentificationNumber),
        "passport" => Ok(IdentificationMethod::Passport),
        "drivers_license" => Ok(IdentificationMethod::DriversLicense),
        "other" => Ok(IdentificationMethod::Other),
        _ => Err("must be social_security_number, individual_taxpayer_identification_number, passport, drivers_license or other"),
    })?;
    let number = input.number.as_deref();
    let full = match method {
        IdentificationMethod::SocialSecurityNumber => {
            problems.required(&number_path, number, |v| TaxpayerNumber::parse_ssn(v).map(|n| n.full()))
        }
        IdentificationMethod::IndividualTaxpayerIdentificationNumber => problems.required(&number_path, number, |v| {
            TaxpayerNumber::parse_itin(v).map(|n| n.full())
        }),
        IdentificationMethod::Passport | IdentificationMethod::Other => {
            let country = input
                .country
                .as_deref()
                .or_else(|| input.passport.as_ref().and_then(|d| d.country.as_deref()))
                .or_else(|| input.other.as_ref().and_then(|d| d.country.as_deref()));
            let country = problems.required(&format!("{path}.country"), country, Country::parse);
            let full = problems.required(&number_path, number, parse_document_number);
            country.and(full)
        }
        IdentificationMethod::DriversLicense => {
            let state = input.drivers_license.as_ref().and_then(|d| d.state.as_deref());
            let state = problems.required(&format!("{path}.drivers_license.state"), state, UsState::parse);
            let full = problems.required(&number_path, number, parse_document_number);
            state.and(full)
        }
    }?;
    Some(Identification {
        method,
        number_last4: full.last4().to_owned(),
        number: Some(full),
    })
}

/// A person's name and date of birth at `path` (what identifies them).
pub fn parse_identity(
    input: &IndividualInput,
    path: &str,
    rules: Rules,
    problems: &mut Problems,
) -> Option<(String, NaiveDate)> {
    let name = problems.required(&format!("{path}.name"), input.name.as_deref(), |v| {
        parse_text(v, MAX_NAME)
    });
    let date_of_birth = problems.required(&format!("{path}.date_of_birth"), input.date_of_birth.as_deref(), |v| {
        parse_date_of_birth(v, rules.today)
    });
    Some((name?, date_of_birth?))
}

pub fn parse_individual(
    input: &IndividualInput,
    path: &str,
    rules: Rules,
    problems: &mut Problems,
) -> Option<Individual> {
    let identity = parse_identity(input, path, rules, problems);
    let address = parse_address(&input.address, &format!("{path}.address"), rules, problems);
    let id = &input.identification;
    // Only a platform may leave identification out (`Partial`); what it
    // gives, even blank, is checked rather than ignored.
    let given = id.method.is_some() || id.number.is_some();
    let identification = if given || rules.complete_only() {
        parse_identification(id, &format!("{path}.identification"), problems).map(Some)
    } else {
        Some(None)
    };
    let (name, date_of_birth) = identity?;
    Some(Individual {
        name,
        date_of_birth,
        address: address?,
        identification: identification?,
    })
}

fn parse_prongs(raw: &[String], path: &str, problems: &mut Problems) -> Option<Vec<Prong>> {
    let mut prongs = Vec::new();
    for value in raw {
        let prong = match value.as_str() {
            "ownership" => Prong::Ownership,
            "control" => Prong::Control,
            _ => {
                problems.add(path, "must contain only ownership and control");
                return None;
            }
        };
        if !prongs.contains(&prong) {
            prongs.push(prong);
        }
    }
    if prongs.is_empty() {
        problems.add(path, "choose ownership (25% or more), control, or both");
        return None;
    }
    prongs.sort_by_key(|p| matches!(p, Prong::Control));
    Some(prongs)
}

/// One beneficial owner at `path` (`corporation.beneficial_owners.N`), keeping `id`.
pub fn parse_owner(
    input: &BeneficialOwnerInput,
    path: &str,
    id: BeneficialOwnerId,
    rules: Rules,
    problems: &mut Problems,
) -> Option<BeneficialOwner> {
    let individual = parse_individual(&input.individual, &format!("{path}.individual"), rules, problems);
    let prongs = parse_prongs(&input.prongs, &format!("{path}.prongs"), problems);
    let company_title = problems.optional(&format!("{path}.company_title"), input.company_title.as_deref(), |v| {
        parse_text(v, 100)
    });
    Some(BeneficialOwner {
        id,
        company_title: company_title?,
        prongs: prongs?,
        individual: individual?,
    })
}

/// The rules about the set of owners: at least one controls the business
/// (unless exempt or partial) and at most four own 25% or more.
pub fn check_owners(owners: &[BeneficialOwner], exempt: bool, rules: Rules, problems: &mut Problems) {
    let path = "corporation.beneficial_owners";
    if rules.complete_only() && !exempt {
        if owners.is_empty() {
            problems.add(path, "add at least one beneficial owner");
        } else if !owners.iter().any(|o| o.prongs.contains(&Prong::Control)) {
            problems.add(
                path,
                "at least one person must manage or control the business (the control prong), for example the CEO",
            );
        }
    }
    if owners.iter().filter(|o| o.prongs.contains(&Prong::Ownership)).count() > MAX_OWNERSHIP_PRONGS {
        problems.add(path, "at most 4 people can each own 25% or more");
    }
}

/// The business's own fields (everything but its address and owners).
#[derive(Debug, Clone)]
pub struct Business {
    pub name: String,
    pub legal_identifier: Option<LegalIdentifier>,
    pub website: Option<Website>,
    pub email: Option<Email>,
    pub incorporation_state: Option<UsState>,
    pub industry_code: Option<NaicsCode>,
}

/// The business's legal name.
pub fn parse_legal_name(input: &CorporationInput, problems: &mut Problems) -> Option<String> {
    problems.required("corporation.name", input.name.as_deref(), |v| parse_text(v, MAX_NAME))
}

/// The business's EIN, required whatever the rules (a task asked for it).
pub fn parse_ein(input: &CorporationInput, problems: &mut Problems) -> Option<LegalIdentifier> {
    let raw = input
        .legal_identifier
        .as_ref()
        .and_then(|l| l.value.as_deref())
        .or(input.tax_identifier.as_deref());
    problems.required("corporation.legal_identifier.value", raw, |v| {
        Ein::parse(v).map(LegalIdentifier::Ein)
    })
}

pub fn parse_business(input: &CorporationInput, rules: Rules, problems: &mut Problems) -> Option<Business> {
    let name = parse_legal_name(input, problems);
    let category = input
        .legal_identifier
        .as_ref()
        .and_then(|l| l.category.as_deref())
        .unwrap_or("us_employer_identification_number");
    let raw_identifier = input
        .legal_identifier
        .as_ref()
        .and_then(|l| l.value.as_deref())
        .or(input.tax_identifier.as_deref());
    let path = "corporation.legal_identifier.value";
    let legal_identifier = match category {
        "us_employer_identification_number" => {
            problems.wanted(rules, path, raw_identifier, |v| Ein::parse(v).map(LegalIdentifier::Ein))
        }
        "other" => problems.wanted(rules, path, raw_identifier, |v| {
            parse_text(v, 40).map(LegalIdentifier::Other)
        }),
        _ => {
            problems.add(
                "corporation.legal_identifier.category",
                "must be us_employer_identification_number or other",
            );
            None
        }
    };
    let website = problems.optional("corporation.website", input.website.as_deref(), Website::parse);
    let email = problems.optional("corporation.email", input.email.as_deref(), Email::parse);
    let incorporation_state = problems.wanted(
        rules,
        "corporation.incorporation_state",
        input.incorporation_state.as_deref(),
        UsState::parse,
    );
    let industry_code = problems.optional(
        "corporation.industry_code",
        input.industry_code.as_deref(),
        NaicsCode::parse,
    );
    Some(Business {
        name: name?,
        legal_identifier: legal_identifier?,
        website: website?,
        email: email?,
        incorporation_state: incorporation_state?,
        industry_code: industry_code?,
    })
}

pub fn parse_corporation(input: &CorporationInput, rules: Rules, problems: &mut Problems) -> Option<Corporation> {
    let business = parse_business(input, rules, problems);
    let address = parse_address(&input.address, "corporation.address", rules, problems);
    // Only the API sends this, so a blank value is refused like any other
    // value outside the set rather than read as absent.
    let exemption = input
        .beneficial_ownership_exemption_reason
        .as_deref()
        .map(|v| {
            problems.check(
                "corporation.beneficial_ownership_exemption_reason",
                v.parse::<ExemptionReason>()
                    .map_err(|_| format!("must be one of {}", ExemptionReason::names())),
            )
        })
        .map_or(Some(None), |parsed| parsed.map(Some));
    let owners_path = "corporation.beneficial_owners";
    if input.beneficial_owners.len() > MAX_BENEFICIAL_OWNERS {
        problems.add(
            owners_path,
            format!("must list at most {MAX_BENEFICIAL_OWNERS} beneficial owners"),
        );
    }
    let before = problems.0.len();
    let owners: Vec<BeneficialOwner> = input
        .beneficial_owners
        .iter()
        .take(MAX_BENEFICIAL_OWNERS)
        .enumerate()
        .filter_map(|(index, owner)| {
            let id = BeneficialOwnerId::generate();
            parse_owner(owner, &format!("{owners_path}.{index}"), id, rules, problems)
        })
        .collect();
    if problems.0.len() == before {
        check_owners(&owners, matches!(exemption, Some(Some(_))), rules, problems);
    }
    if !problems.is_empty() {
        return None;
    }
    let business = business?;
    Some(Corporation {
        name: business.name,
        website: business.website,
        email: business.email,
        incorporation_state: business.incorporation_state,
        industry_code: business.industry_code,
        legal_identifier: business.legal_identifier,
        address: address?,
        beneficial_owners: owners,
        beneficial_ownership_exemption_reason: exemption?,
    })
}

/// Parses a corporation or a natural person into Entity details.
pub fn parse_details(
    structure: &str,
    corporation: Option<&CorporationInput>,
    natural_person: Option<&IndividualInput>,
    rules: Rules,
) -> Result<EntityDetails, Vec<Problem>> {
    let mut problems = Problems::default();
    // A structure object that does not match `structure` would be ignored;
    // refusing it tells the platform its request says two things at once.
    let stray = match structure {
        "corporation" => natural_person.map(|_| "natural_person"),
        "natural_person" => corporation.map(|_| "corporation"),
        _ => None,
    };
    if let Some(field) = stray {
        problems.add(field, format!("must be omitted when structure is {structure}"));
    }
    let details = match structure {
        "corporation" => match corporation {
            Some(input) => parse_corporation(input, rules, &mut problems).map(EntityDetails::Corporation),
            None => {
                problems.add("corporation", "is required when structure is corporation");
                None
            }
        },
        "natural_person" => match natural_person {
            Some(input) => {
                parse_individual(input, "natural_person", rules, &mut problems).map(EntityDetails::NaturalPerson)
            }
            None => {
                problems.add("natural_person", "is required when structure is natural_person");
                None
            }
        },
        _ => {
            problems.add("structure", "must be corporation or natural_person");
            None
        }
    };
    match details {
        Some(details) if problems.is_empty() => Ok(details),
        _ => Err(problems.into_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn address() -> AddressInput {
        AddressInput {
            line1: Some("1 Main St".into()),
            city: Some("Springfield".into()),
            state: Some("IL".into()),
            zip: Some("62701".into()),
            ..Default::default()
        }
    }

    fn person(ssn: &str) -> IndividualInput {
        IndividualInput {
            name: Some("Ada Lovelace".into()),
            date_of_birth: Some("1980-12-10".into()),
            address: address(),
            identification: IdentificationInput {
                method: Some("social_security_number".into()),
                number: Some(ssn.into()),
                ..Default::default()
            },
        }
    }

    fn owner(prongs: &[&str]) -> BeneficialOwnerInput {
        BeneficialOwnerInput {
            individual: person("123-45-6789"),
            prongs: prongs.iter().map(|p| p.to_string()).collect(),
            company_title: Some("CEO".into()),
        }
    }

    fn corporation(owners: Vec<BeneficialOwnerInput>) -> CorporationInput {
        CorporationInput {
            name: Some("Acme LLC".into()),
            legal_identifier: Some(LegalIdentifierInput {
                value: Some("12-3456789".into()),
                category: None,
            }),
            incorporation_state: Some("DE".into()),
            address: address(),
            beneficial_owners: owners,
            ..Default::default()
        }
    }

    fn paths(result: Result<EntityDetails, Vec<Problem>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|p| p.path).collect()
    }

    #[test]
    fn a_complete_corporation_parses_and_keeps_only_last4() {
        let details = parse_details(
            "corporation",
            Some(&corporation(vec![owner(&["control", "ownership"])])),
            None,
            Rules::complete(today()),
        )
        .unwrap();
        let EntityDetails::Corporation(c) = details else {
            panic!()
        };
        assert_eq!(c.legal_identifier.unwrap().value(), "123456789");
        let owner = &c.beneficial_owners[0];
        assert_eq!(owner.prongs, vec![Prong::Ownership, Prong::Control]);
        assert_eq!(owner.individual.identification.as_ref().unwrap().number_last4, "6789");
        assert_eq!(c.address.country, Country::us());
    }

    #[test]
    fn a_corporation_needs_a_control_person() {
        let result = parse_details(
            "corporation",
            Some(&corporation(vec![owner(&["ownership"])])),
            None,
            Rules::complete(today()),
        );
        assert_eq!(paths(result), vec!["corporation.beneficial_owners"]);
        let result = parse_details(
            "corporation",
            Some(&corporation(vec![])),
            None,
            Rules::complete(today()),
        );
        assert_eq!(paths(result), vec!["corporation.beneficial_owners"]);
    }

    #[test]
    fn at_most_four_people_own_25_percent() {
        let mut owners: Vec<_> = (0..5).map(|_| owner(&["ownership"])).collect();
        owners[0] = owner(&["ownership", "control"]);
        let result = parse_details(
            "corporation",
            Some(&corporation(owners)),
            None,
            Rules::complete(today()),
        );
        assert_eq!(paths(result), vec!["corporation.beneficial_owners"]);
    }

    #[test]
    fn every_bad_field_is_reported_at_its_path() {
        let mut input = corporation(vec![owner(&[])]);
        input.name = Some("  ".into());
        input.legal_identifier = Some(LegalIdentifierInput {
            value: Some("12-345".into()),
            category: None,
        });
        input.address.zip = Some("1234".into());
        input.beneficial_owners[0].individual.date_of_birth = Some("1990-02-30".into());
        input.beneficial_owners[0].individual.identification.number = Some("000-00-0000".into());
        let result = parse_details("corporation", Some(&input), None, Rules::complete(today()));
        assert_eq!(
            paths(result),
            vec![
                "corporation.name",
                "corporation.legal_identifier.value",
                "corporation.address.zip",
                "corporation.beneficial_owners.0.individual.date_of_birth",
                "corporation.beneficial_owners.0.individual.identification.number",
                "corporation.beneficial_owners.0.prongs",
            ]
        );
    }

    #[test]
    fn natural_persons_and_foreign_documents() {
        let mut p = person("912-70-1234");
        p.identification.method = Some("individual_taxpayer_identification_number".into());
        assert!(parse_details("natural_person", None, Some(&p), Rules::complete(today())).is_ok());
        p.identification = IdentificationInput {
            method: Some("passport".into()),
            number: Some("X1234567".into()),
            ..Default::default()
        };
        assert_eq!(
            paths(parse_details(
                "natural_person",
                None,
                Some(&p),
                Rules::complete(today())
            )),
            vec!["natural_person.identification.country"]
        );
        p.identification.country = Some("FR".into());
        let EntityDetails::NaturalPerson(person) =
            parse_details("natural_person", None, Some(&p), Rules::complete(today())).unwrap()
        else {
            panic!()
        };
        assert_eq!(person.identification.unwrap().number_last4, "4567");
    }

    #[test]
    fn foreign_addresses_do_not_need_us_states() {
        let mut p = person("123-45-6789");
        p.address = AddressInput {
            line1: Some("10 Downing St".into()),
            city: Some("London".into()),
            zip: Some("SW1A 2AA".into()),
            country: Some("GB".into()),
            ..Default::default()
        };
        assert!(parse_details("natural_person", None, Some(&p), Rules::complete(today())).is_ok());
    }

    #[test]
    fn unknown_structures_are_rejected() {
        assert_eq!(
            paths(parse_details("trust", None, None, Rules::complete(today()))),
            vec!["structure"]
        );
        assert_eq!(
            paths(parse_details("corporation", None, None, Rules::complete(today()))),
            vec!["corporation"]
        );
    }
}

#[cfg(test)]
mod partial_tests {
    use super::*;

    #[test]
    fn partial_entities_may_lack_owners_identification_and_tax_id() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let rules = Rules {
            today,
            completeness: Completeness::Partial,
        };
        let input = CorporationInput {
            name: Some("Acme".into()),
            address: AddressInput {
                line1: Some("1 Main St".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let EntityDetails::Corporation(c) = parse_details("corporation", Some(&input), None, rules).unwrap() else {
            panic!()
        };
        assert!(c.beneficial_owners.is_empty() && c.legal_identifier.is_none() && c.address.city.is_none());
        // What is given must still be valid.
        let bad = CorporationInput {
            industry_code: Some("x".into()),
            ..input
        };
        assert!(parse_details("corporation", Some(&bad), None, rules).is_err());
        // And the complete rules still want everything.
        assert!(
            parse_details(
                "corporation",
                Some(&CorporationInput {
                    industry_code: None,
                    ..bad
                }),
                None,
                Rules::complete(today)
            )
            .is_err()
        );
    }
}
