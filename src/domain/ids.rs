//! Object identifiers: a type prefix, an underscore and 20 random lowercase
//! alphanumerics drawn from a CSPRNG (e.g. `entity_n8y8tnk2p9339ti393yi`).

use rand::RngExt;

const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const RANDOM_LEN: usize = 20;

pub const SESSION: &str = "entity_onboarding_session";
pub const ENTITY: &str = "entity";
pub const BENEFICIAL_OWNER: &str = "entity_beneficial_owner";
pub const PROGRAM: &str = "program";
pub const GROUP: &str = "group";
pub const API_KEY: &str = "api_key";

/// Random lowercase alphanumerics from the thread-local CSPRNG.
pub fn random_alphanumeric(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_alphanumeric(RANDOM_LEN))
}

/// Whether `candidate` has the exact shape of an ID with this prefix. Used to
/// answer malformed IDs with "not found" without touching the database.
pub fn has_shape(prefix: &str, candidate: &str) -> bool {
    candidate
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|random| {
            random.len() == RANDOM_LEN && random.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_have_the_documented_shape() {
        let id = new_id(SESSION);
        assert!(id.starts_with("entity_onboarding_session_"));
        assert_eq!(id.len(), SESSION.len() + 1 + 20);
        assert!(has_shape(SESSION, &id));
    }

    #[test]
    fn ids_are_not_repeated() {
        let a = new_id(ENTITY);
        let b = new_id(ENTITY);
        assert_ne!(a, b);
    }

    #[test]
    fn malformed_ids_are_rejected() {
        assert!(!has_shape(ENTITY, "entity_ABCDEFGHIJKLMNOPQRST"));
        assert!(!has_shape(ENTITY, "entity_short"));
        assert!(!has_shape(ENTITY, "program_n8y8tnk2p9339ti393yi"));
        assert!(!has_shape(ENTITY, "entity_n8y8tnk2p9339ti393yi_"));
        assert!(!has_shape(ENTITY, "entityn8y8tnk2p9339ti393yi1"));
        assert!(!has_shape(ENTITY, "../etc/passwd"));
        // An entity ID prefix does not make a beneficial owner ID an entity ID.
        assert!(!has_shape(ENTITY, &new_id(BENEFICIAL_OWNER)));
    }
}
