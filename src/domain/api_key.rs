//! API keys: random secrets of which only a SHA-256 digest is stored.

use sha2::{Digest, Sha256};

const PREFIX: &str = "secret_key_";

super::closed_set::closed_set! {
    /// Where a key may act: simulations answer only sandbox keys.
    pub enum Environment {
        Sandbox = "sandbox",
        Production = "production",
    }
}

/// What a key may do beyond the ordinary API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Permissions {
    /// May read full identification numbers (every call is audited).
    pub reveal_pii: bool,
}

pub fn generate() -> String {
    format!("{PREFIX}{}", super::ids::random_alphanumeric(40))
}

pub fn digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_hashed() {
        let key = generate();
        assert!(key.starts_with("secret_key_"));
        assert_eq!(key.len(), PREFIX.len() + 40);
        assert_ne!(key, generate());
        let hash = digest(&key);
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(&key[PREFIX.len()..]));
        assert_eq!(hash, digest(&key));
    }
}
