//! Programs: what an Entity is onboarded to.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bank {
    CoreBank,
    FirstInternetBank,
    GrasshopperBank,
    IncreaseBank,
}

impl Bank {
    pub const ALL: [Bank; 4] = [
        Self::CoreBank,
        Self::FirstInternetBank,
        Self::GrasshopperBank,
        Self::IncreaseBank,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|bank| bank.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CoreBank => "core_bank",
            Self::FirstInternetBank => "first_internet_bank",
            Self::GrasshopperBank => "grasshopper_bank",
            Self::IncreaseBank => "increase_bank",
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
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banks_round_trip() {
        for bank in Bank::ALL {
            assert_eq!(Bank::parse(bank.as_str()), Some(bank));
        }
        assert_eq!(Bank::parse("big_bank"), None);
    }

    #[test]
    fn program_names_are_checked() {
        assert_eq!(parse_program_name("  Acme Cards ").unwrap(), "Acme Cards");
        assert!(parse_program_name("   ").is_err());
        assert!(parse_program_name(&"x".repeat(201)).is_err());
        assert!(parse_program_name("a\u{0}b").is_err());
    }
}
