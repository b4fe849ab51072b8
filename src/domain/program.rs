//! Programs: what an Entity is onboarded to.

use chrono::{DateTime, Utc};

use super::{
    branding::Branding,
    closed_set::closed_set,
    ids::{IdempotencyKey, ProgramId},
};

closed_set! {
    pub enum Bank {
        CoreBank = "core_bank",
        FirstInternetBank = "first_internet_bank",
        GrasshopperBank = "grasshopper_bank",
        IncreaseBank = "increase_bank",
    }
}

/// A Program: what an Entity is onboarded to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub id: ProgramId,
    pub name: String,
    pub bank: Bank,
    pub billing_account_id: Option<String>,
    pub default_digital_card_profile_id: Option<String>,
    /// A decimal string, as Increase shows it.
    pub interest_rate: String,
    pub lending_maximum_extendable_credit: Option<i64>,
    pub idempotency_key: Option<IdempotencyKey>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// How its hosted pages look and where they may be used.
    pub branding: Branding,
}

impl Program {
    /// The name the customer sees: the display name, else the program's name.
    pub fn shown_name(&self) -> &str {
        self.branding.display_name.as_deref().unwrap_or(&self.name)
    }
}

/// What creating a Program takes.
#[derive(Debug, Clone)]
pub struct NewProgram {
    pub id: ProgramId,
    pub name: String,
    pub bank: Bank,
    pub lending_maximum_extendable_credit: Option<i64>,
}

impl NewProgram {
    pub fn named(name: String) -> Self {
        Self {
            id: ProgramId::generate(),
            name,
            bank: Bank::CoreBank,
            lending_maximum_extendable_credit: None,
        }
    }
}

/// A program name: 1..=200 characters, no control characters, trimmed.
pub fn parse_program_name(input: &str) -> Result<String, &'static str> {
    let name = input.trim();
    if name.is_empty() {
        return Err("must not be empty");
    }
    if name.chars().count() > 200 {
        return Err("must be at most 200 characters long");
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters");
    }
    // Directional formatting characters could make a page show text in an
    // order other than it was written ("Return to ..." reversed).
    if name
        .chars()
        .any(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'))
    {
        return Err("must not contain directional formatting characters");
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_refuse_directional_formatting() {
        assert!(parse_program_name("Acme\u{202e}lanimret").is_err());
        assert!(parse_program_name("Acme \u{2067}x\u{2069}").is_err());
        assert_eq!(parse_program_name("  Café Ñandú  "), Ok("Café Ñandú".to_owned()));
    }

    #[test]
    fn banks_round_trip() {
        for bank in Bank::ALL {
            assert_eq!(bank.as_str().parse(), Ok(*bank));
        }
        assert!("big_bank".parse::<Bank>().is_err());
    }

    #[test]
    fn program_names_are_checked() {
        assert_eq!(parse_program_name("  Acme Cards ").unwrap(), "Acme Cards");
        assert!(parse_program_name("   ").is_err());
        assert!(parse_program_name(&"x".repeat(201)).is_err());
        assert!(parse_program_name("a\u{0}b").is_err());
    }
}
