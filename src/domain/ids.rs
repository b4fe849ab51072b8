//! Object identifiers: a type prefix, an underscore and 20 random lowercase
//! alphanumerics drawn from a CSPRNG (e.g. `entity_n8y8tnk2p9339ti393yi`).
//!
//! Each kind of object has its own ID type, so an Entity ID can never be
//! passed where a session ID is meant. Parsing checks the exact shape, which
//! lets a malformed ID in a path be answered with "not found" without a query.

use rand::RngExt;

const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const RANDOM_LEN: usize = 20;

/// Random lowercase alphanumerics from the thread-local CSPRNG.
pub fn random_alphanumeric(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// Whether `candidate` has the exact shape of an ID with this prefix.
fn has_shape(prefix: &str, candidate: &str) -> bool {
    candidate
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|random| {
            random.len() == RANDOM_LEN && random.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The ID has the wrong shape for its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed ID")]
pub struct MalformedId;

/// Declares a typed ID: `FromStr` (exact shape), `Display`, serde as a
/// string, and `sqlx` as the text it is stored as.
macro_rules! decl_id {
    ($(#[$meta:meta])* $name:ident = $prefix:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, sqlx::Type)]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A fresh random ID.
            pub fn generate() -> Self {
                Self(format!("{}_{}", $prefix, random_alphanumeric(RANDOM_LEN)))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = MalformedId;

            fn from_str(candidate: &str) -> Result<Self, MalformedId> {
                if has_shape($prefix, candidate) {
                    Ok(Self(candidate.to_owned()))
                } else {
                    Err(MalformedId)
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(|_| serde::de::Error::custom(concat!("not a ", $prefix, " ID")))
            }
        }

        /// In the OpenAPI document: a string of the ID's exact shape.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some(concat!("^", $prefix, "_[a-z0-9]{20}$")))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

decl_id!(
    /// `entity_onboarding_session_...`
    SessionId = "entity_onboarding_session"
);
decl_id!(
    /// `entity_...`
    EntityId = "entity"
);
decl_id!(
    /// `entity_beneficial_owner_...`
    BeneficialOwnerId = "entity_beneficial_owner"
);
decl_id!(
    /// `program_...`
    ProgramId = "program"
);
decl_id!(
    /// `group_...`: a tenant; every object belongs to one.
    GroupId = "group"
);
decl_id!(
    /// `api_key_...`: the public name of an API key (not the secret).
    ApiKeyId = "api_key"
);
decl_id!(
    /// `event_...`
    EventId = "event"
);
decl_id!(
    /// `event_subscription_...`
    EventSubscriptionId = "event_subscription"
);

/// The secret in a hosted form link (`session_url`): 32 characters of
/// `[a-z0-9]`, about 165 bits, distinct from the session ID.
#[derive(Clone, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct FormToken(String);

impl FormToken {
    const LEN: usize = 32;

    pub fn generate() -> Self {
        Self(random_alphanumeric(Self::LEN))
    }

    /// A token as it arrives in a link; anything else cannot be one of ours.
    pub fn parse(candidate: &str) -> Option<Self> {
        (!candidate.is_empty() && candidate.len() <= 64 && candidate.bytes().all(|b| b.is_ascii_alphanumeric()))
            .then(|| Self(candidate.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Tokens are secrets: never printed in logs.
impl std::fmt::Debug for FormToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FormToken(<redacted>)")
    }
}

/// An `Idempotency-Key` header value: 1 to 200 printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, sqlx::Type)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(candidate: &str) -> Result<Self, &'static str> {
        if candidate.is_empty() || candidate.len() > 200 {
            return Err("must be 1 to 200 characters long");
        }
        if !candidate.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err("must be printable ASCII");
        }
        Ok(Self(candidate.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl utoipa::PartialSchema for IdempotencyKey {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .max_length(Some(200))
            .pattern(Some("^[\\x20-\\x7e]+$"))
            .into()
    }
}

impl utoipa::ToSchema for IdempotencyKey {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("IdempotencyKey")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_have_the_documented_shape() {
        let id = SessionId::generate();
        assert!(id.as_str().starts_with("entity_onboarding_session_"));
        assert_eq!(id.as_str().len(), SessionId::PREFIX.len() + 1 + 20);
        assert_eq!(id.as_str().parse::<SessionId>(), Ok(id));
    }

    #[test]
    fn ids_are_not_repeated() {
        assert_ne!(EntityId::generate(), EntityId::generate());
    }

    #[test]
    fn malformed_ids_are_rejected() {
        for bad in [
            "entity_ABCDEFGHIJKLMNOPQRST",
            "entity_short",
            "program_n8y8tnk2p9339ti393yi",
            "entity_n8y8tnk2p9339ti393yi_",
            "entityn8y8tnk2p9339ti393yi1",
            "../etc/passwd",
        ] {
            assert_eq!(bad.parse::<EntityId>(), Err(MalformedId), "{bad}");
        }
        // An entity ID prefix does not make a beneficial owner ID an entity ID.
        assert!(BeneficialOwnerId::generate().as_str().parse::<EntityId>().is_err());
    }

    #[test]
    fn ids_deserialize_only_with_their_shape() {
        let id: ProgramId = serde_json::from_str("\"program_i2v2os4mwza1oetokh9i\"").unwrap();
        assert_eq!(id.to_string(), "program_i2v2os4mwza1oetokh9i");
        assert!(serde_json::from_str::<ProgramId>("\"entity_i2v2os4mwza1oetokh9i\"").is_err());
    }

    #[test]
    fn form_tokens_are_long_and_never_printed() {
        let token = FormToken::generate();
        assert_eq!(token.expose().len(), 32);
        assert!(!format!("{token:?}").contains(token.expose()));
        assert!(FormToken::parse("abc-def").is_none());
        assert!(FormToken::parse("").is_none());
    }

    #[test]
    fn idempotency_keys_are_bounded() {
        assert!(IdempotencyKey::parse("stainless-python-retry-1").is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(201)).is_err());
        assert!(IdempotencyKey::parse("tab\there").is_err());
    }
}
