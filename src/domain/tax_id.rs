//! Tax identifiers: a business's EIN and a person's SSN or ITIN.

use super::entity::IdentificationMethod;

/// Strips the separators people type (`12-3456789`, `123 45 6789`) and
/// returns exactly nine digits.
fn nine_digits(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    (digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// An Employer Identification Number: nine digits, with a valid IRS prefix.
#[derive(Clone, PartialEq, Eq)]
pub struct Ein(String);

/// Tax IDs stay out of logs: `Debug` shows the last two digits only.
impl std::fmt::Debug for Ein {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ein(*******{})", &self.0[self.0.len().saturating_sub(2)..])
    }
}

impl Ein {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let digits = nine_digits(input.trim()).ok_or("must be 9 digits, like 12-3456789")?;
        // Prefixes the IRS has never assigned.
        let prefix: u32 = digits[..2].parse().unwrap_or(0);
        if matches!(
            prefix,
            0 | 7 | 8 | 9 | 17 | 18 | 19 | 28 | 29 | 49 | 69 | 70 | 78 | 79 | 89 | 96 | 97
        ) {
            return Err("is not a valid EIN: check the first two digits");
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::closed_set::text_value!(Ein, |schema| schema.pattern(Some("^[0-9]{9}$")));

/// A person's US taxpayer number (SSN or ITIN). Only its last four digits
/// ever leave this type.
#[derive(Clone, PartialEq, Eq)]
pub struct TaxpayerNumber {
    method: IdentificationMethod,
    digits: String,
}

impl std::fmt::Debug for TaxpayerNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TaxpayerNumber({:?}, ***-**-{})", self.method, self.last4())
    }
}

impl TaxpayerNumber {
    pub fn parse_ssn(input: &str) -> Result<Self, &'static str> {
        let digits = nine_digits(input.trim()).ok_or("must be 9 digits, like 123-45-6789")?;
        let area: u32 = digits[..3].parse().unwrap_or(0);
        let group: u32 = digits[3..5].parse().unwrap_or(0);
        let serial: u32 = digits[5..].parse().unwrap_or(0);
        if area >= 900 {
            return Err("starts with 9, which is an ITIN, not an SSN: choose ITIN instead");
        }
        if area == 0 || area == 666 || group == 0 || serial == 0 {
            return Err("is not a valid Social Security number");
        }
        Ok(Self {
            method: IdentificationMethod::SocialSecurityNumber,
            digits,
        })
    }

    pub fn parse_itin(input: &str) -> Result<Self, &'static str> {
        let digits = nine_digits(input.trim()).ok_or("must be 9 digits, like 912-70-1234")?;
        let group: u32 = digits[3..5].parse().unwrap_or(0);
        let valid_group = matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99);
        if !digits.starts_with('9') || !valid_group {
            return Err(
                "is not a valid ITIN: an ITIN starts with 9 and its 4th and 5th digits are 50–65, 70–88, 90–92 or 94–99",
            );
        }
        Ok(Self {
            method: IdentificationMethod::IndividualTaxpayerIdentificationNumber,
            digits,
        })
    }

    pub fn method(&self) -> IdentificationMethod {
        self.method
    }

    pub fn last4(&self) -> &str {
        &self.digits[5..]
    }

    /// The whole number, as 9 digits: only for sealing at rest.
    pub fn full(&self) -> FullNumber {
        FullNumber(self.digits.clone())
    }
}

/// A person's whole identification number (SSN and ITIN as 9 digits, a
/// document number in capitals without dashes or spaces). It is sealed by
/// the store on its way into the database and shown only by the audited
/// reveal; it never serializes and its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct FullNumber(String);

impl FullNumber {
    /// A number read back from the store (already normalised when sealed).
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        &self.0[self.0.len().saturating_sub(4)..]
    }
}

impl std::fmt::Debug for FullNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FullNumber(<{} characters, redacted>)", self.0.len())
    }
}

impl Drop for FullNumber {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

/// A foreign document number (passport, driver's license, other): 4 to 40
/// letters and digits once dashes and spaces are dropped, in capitals.
pub fn parse_document_number(input: &str) -> Result<FullNumber, &'static str> {
    let cleaned: String = input.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    if cleaned.len() < 4 || cleaned.len() > 40 || !cleaned.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("must be 4 to 40 letters and digits");
    }
    Ok(FullNumber(cleaned.to_ascii_uppercase()))
}

/// A foreign document number's last four characters.
pub fn document_last4(input: &str) -> Result<String, &'static str> {
    parse_document_number(input).map(|number| number.last4().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eins_accept_dashes_and_reject_nonsense() {
        assert_eq!(Ein::parse("12-3456789").unwrap().as_str(), "123456789");
        assert_eq!(Ein::parse(" 123456789 ").unwrap().as_str(), "123456789");
        for bad in [
            "",
            "12-345678",
            "1234567890",
            "12-34567a9",
            "00-1234567",
            "07-1234567",
            "96-1234567",
            "12_3456789",
        ] {
            assert!(Ein::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ssns_follow_the_ssa_structure() {
        let ssn = TaxpayerNumber::parse_ssn("123-45-6789").unwrap();
        assert_eq!(ssn.last4(), "6789");
        assert_eq!(ssn.method(), IdentificationMethod::SocialSecurityNumber);
        assert!(TaxpayerNumber::parse_ssn("123 45 6789").is_ok());
        for bad in [
            "000-00-0000",
            "000-12-3456",
            "666-12-3456",
            "123-00-4567",
            "123-45-0000",
            "900-70-1234",
            "987-65-4321",
            "12345678",
            "abc-de-fghi",
        ] {
            assert!(TaxpayerNumber::parse_ssn(bad).is_err(), "{bad}");
        }
        assert!(TaxpayerNumber::parse_ssn("912-70-1234").unwrap_err().contains("ITIN"));
    }

    #[test]
    fn itins_start_with_9_and_have_a_valid_group() {
        for ok in ["912-70-1234", "900-50-0001", "999-99-9999", "912-94-1234"] {
            assert!(TaxpayerNumber::parse_itin(ok).is_ok(), "{ok}");
        }
        for bad in [
            "123-70-1234",
            "912-49-1234",
            "912-66-1234",
            "912-89-1234",
            "912-93-1234",
        ] {
            assert!(TaxpayerNumber::parse_itin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_full_number() {
        let ssn = TaxpayerNumber::parse_ssn("123-45-6789").unwrap();
        let shown = format!("{ssn:?}");
        assert!(!shown.contains("12345") && shown.contains("6789"), "{shown}");
    }

    #[test]
    fn documents_keep_only_their_last_four() {
        assert_eq!(document_last4("x1234567ab").unwrap(), "67AB");
        assert!(document_last4("12").is_err());
        assert!(document_last4("12<script>").is_err());
    }
}
