//! Encryption at rest of personal data and secrets: full identification
//! numbers, hosted form tokens and stored API responses that contain them.
//!
//! Values are sealed with XChaCha20-Poly1305 (random 192-bit nonces, so no
//! nonce bookkeeping across instances) into a text envelope
//! `v1:<key id>:<base64url(nonce || ciphertext)>`. The key id is derived from
//! the key, so each ciphertext records which key sealed it, and a keyring
//! holding the current key plus older ones opens everything sealed before a
//! rotation. Every value is bound to where it is stored (its "context", the
//! AEAD's associated data): a ciphertext copied to another row does not open.

use std::path::{Path, PathBuf};

use base64::{
    Engine,
    engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD},
};
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, Generate, KeyInit, Payload},
};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

const VERSION: &str = "v1";
const NONCE_LEN: usize = 24;

/// A 32-byte data key, as configured. Its `Debug` shows only its id.
#[derive(Clone)]
pub struct DataKey {
    bytes: Zeroizing<[u8; 32]>,
}

impl DataKey {
    /// 32 bytes written as 64 hex digits or in base64 (standard or URL-safe,
    /// padded or not).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let decoded = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).ok()
        } else {
            [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
                .iter()
                .find_map(|engine| engine.decode(text).ok())
        };
        let mut decoded = decoded.ok_or("a data key must be 32 bytes written as 64 hex digits or in base64")?;
        let result = <[u8; 32]>::try_from(decoded.as_slice())
            .map(|bytes| Self {
                bytes: Zeroizing::new(bytes),
            })
            .map_err(|_| format!("a data key must be 32 bytes, not {}", decoded.len()));
        decoded.zeroize();
        result
    }

    /// A fresh random key.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::fill(&mut bytes[..]);
        Self { bytes }
    }

    /// The key as 64 hex digits, for the key file and `data-keys generate`.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(*self.bytes))
    }

    /// A short fingerprint that names the key in every envelope it seals.
    pub fn id(&self) -> String {
        let digest = Sha256::new()
            .chain_update(b"hosted-onboarding data key\0")
            .chain_update(*self.bytes)
            .finalize();
        hex::encode(&digest[..4])
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", self.id())
    }
}

impl PartialEq for DataKey {
    fn eq(&self, other: &Self) -> bool {
        *self.bytes == *other.bytes
    }
}

impl Eq for DataKey {}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CustodyError {
    #[error("not a sealed value")]
    Malformed,
    #[error("sealed under data key {0}, which is not configured")]
    UnknownKey(String),
    #[error("does not open with data key {0}: altered, or stored for another record")]
    Tampered(String),
    /// Beyond the cipher's limit (256 GiB): never for the values sealed here.
    #[error("too large to seal")]
    TooLarge,
}

struct Sealer {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    fn new(key: &DataKey) -> Self {
        Self {
            id: key.id(),
            cipher: XChaCha20Poly1305::new((&*key.bytes).into()),
        }
    }
}

/// The keys in force: the current one seals, every one opens.
pub struct Keyring {
    current: Sealer,
    older: Vec<Sealer>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current.id)
            .field("older", &self.older.iter().map(|k| k.id.as_str()).collect::<Vec<_>>())
            .finish()
    }
}

impl Keyring {
    pub fn new(current: &DataKey, older: &[DataKey]) -> Self {
        let current = Sealer::new(current);
        let older = older.iter().map(Sealer::new).filter(|k| k.id != current.id).collect();
        Self { current, older }
    }

    /// A keyring with one random key, for databases that do not outlive the
    /// process (SQLite in memory).
    pub fn ephemeral() -> Self {
        Self::new(&DataKey::generate(), &[])
    }

    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plaintext` for the record `context` names.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Result<String, CustodyError> {
        let nonce = XNonce::generate();
        let sealed = self
            .current
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| CustodyError::TooLarge)?;
        let mut body = Vec::with_capacity(NONCE_LEN + sealed.len());
        body.extend_from_slice(&nonce);
        body.extend_from_slice(&sealed);
        Ok(format!(
            "{VERSION}:{}:{}",
            self.current.id,
            URL_SAFE_NO_PAD.encode(body)
        ))
    }

    pub fn seal_text(&self, plaintext: &str, context: &str) -> Result<String, CustodyError> {
        self.seal(plaintext.as_bytes(), context)
    }

    /// Opens a value sealed for the record `context` names.
    pub fn open(&self, sealed: &str, context: &str) -> Result<Zeroizing<Vec<u8>>, CustodyError> {
        let (id, body) = split(sealed).ok_or(CustodyError::Malformed)?;
        let key = std::iter::once(&self.current)
            .chain(&self.older)
            .find(|k| k.id == id)
            .ok_or_else(|| CustodyError::UnknownKey(id.to_owned()))?;
        let body = URL_SAFE_NO_PAD.decode(body).map_err(|_| CustodyError::Malformed)?;
        if body.len() < NONCE_LEN {
            return Err(CustodyError::Malformed);
        }
        let (nonce, ciphertext) = body.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| CustodyError::Malformed)?;
        key.cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| CustodyError::Tampered(id.to_owned()))
    }

    pub fn open_text(&self, sealed: &str, context: &str) -> Result<Zeroizing<String>, CustodyError> {
        let bytes = self.open(sealed, context)?;
        std::str::from_utf8(&bytes)
            .map(|text| Zeroizing::new(text.to_owned()))
            .map_err(|_| CustodyError::Malformed)
    }

    /// Whether `sealed` was sealed under the current key (rotation skips it).
    pub fn is_current(&self, sealed: &str) -> bool {
        split(sealed).is_some_and(|(id, _)| id == self.current.id)
    }
}

/// `v1:<id>:<body>` → `(id, body)`.
fn split(sealed: &str) -> Option<(&str, &str)> {
    let rest = sealed.strip_prefix(VERSION)?.strip_prefix(':')?;
    rest.split_once(':')
}

/// Whether a stored text is a sealed envelope (rather than a value written
/// in clear by a release before encryption).
pub fn is_sealed(text: &str) -> bool {
    split(text).is_some()
}

/// Where the embedded SQLite database keeps its generated key: beside the
/// database file.
pub fn key_file_for(database_file: &Path) -> PathBuf {
    let mut name = database_file.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

/// Reads the key file, or creates it with a fresh key (readable by its owner
/// only). With the key: whether this call created it.
pub fn load_or_create_key_file(path: &Path) -> Result<(DataKey, bool), String> {
    use std::io::Write;
    let read = |path: &Path| -> Result<DataKey, String> {
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the data key file {}: {e}", path.display()))?,
        );
        DataKey::parse(&text).map_err(|e| format!("the data key file {} is unusable: {e}", path.display()))
    };
    if path.exists() {
        return read(path).map(|key| (key, false));
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            let key = DataKey::generate();
            let mut line = key.to_hex();
            line.push('\n');
            file.write_all(line.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| format!("cannot write the data key file {}: {e}", path.display()))?;
            Ok((key, true))
        }
        // Another process starting at the same moment wrote it first.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => read(path).map(|key| (key, false)),
        Err(error) => Err(format!("cannot create the data key file {}: {error}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> DataKey {
        DataKey::parse(&hex::encode([byte; 32])).unwrap()
    }

    #[test]
    fn sealed_values_open_only_in_their_context() {
        let ring = Keyring::new(&key(1), &[]);
        let sealed = ring.seal_text("078051120", "entity_1/person").unwrap();
        assert!(!sealed.contains("078051120"));
        assert!(sealed.starts_with(&format!("v1:{}:", key(1).id())));
        assert_eq!(*ring.open_text(&sealed, "entity_1/person").unwrap(), "078051120");
        assert_eq!(
            ring.open_text(&sealed, "entity_2/person"),
            Err(CustodyError::Tampered(key(1).id()))
        );
        // Two seals of one value differ (fresh nonces).
        assert_ne!(sealed, ring.seal_text("078051120", "entity_1/person").unwrap());
    }

    #[test]
    fn tampered_ciphertexts_are_refused() {
        let ring = Keyring::new(&key(1), &[]);
        let sealed = ring.seal_text("X1234567", "ctx").unwrap();
        let (head, body) = sealed.rsplit_once(':').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(body).unwrap();
        for position in [0, NONCE_LEN, bytes.len() - 1] {
            bytes[position] ^= 1;
            let altered = format!("{head}:{}", URL_SAFE_NO_PAD.encode(&bytes));
            assert_eq!(
                ring.open(&altered, "ctx").unwrap_err(),
                CustodyError::Tampered(key(1).id())
            );
            bytes[position] ^= 1;
        }
        assert_eq!(ring.open("078051120", "ctx").unwrap_err(), CustodyError::Malformed);
        assert_eq!(
            ring.open("v1:abc:!!", "ctx").unwrap_err(),
            CustodyError::UnknownKey("abc".into())
        );
        let short = format!("v1:{}:{}", key(1).id(), URL_SAFE_NO_PAD.encode([0u8; 10]));
        assert_eq!(ring.open(&short, "ctx").unwrap_err(), CustodyError::Malformed);
    }

    #[test]
    fn a_wrong_key_does_not_open_and_rotation_keeps_old_values_readable() {
        let old = Keyring::new(&key(1), &[]);
        let sealed = old.seal_text("912701234", "ctx").unwrap();
        let other = Keyring::new(&key(2), &[]);
        assert_eq!(
            other.open(&sealed, "ctx").unwrap_err(),
            CustodyError::UnknownKey(key(1).id())
        );
        // A key with the same id but other bytes cannot exist in practice;
        // forge one to show the cipher itself refuses the wrong key.
        let forged = sealed.replacen(&key(1).id(), &key(2).id(), 1);
        assert_eq!(
            other.open(&forged, "ctx").unwrap_err(),
            CustodyError::Tampered(key(2).id())
        );

        let rotated = Keyring::new(&key(2), &[key(1)]);
        assert_eq!(*rotated.open_text(&sealed, "ctx").unwrap(), "912701234");
        assert!(!rotated.is_current(&sealed));
        let resealed = rotated.seal_text("912701234", "ctx").unwrap();
        assert!(rotated.is_current(&resealed));
        assert_eq!(*other.open_text(&resealed, "ctx").unwrap(), "912701234");
    }

    #[test]
    fn keys_parse_from_hex_and_base64_and_never_print() {
        let hex_key = key(7);
        let base64_key = DataKey::parse(&STANDARD.encode([7u8; 32])).unwrap();
        let url_key = DataKey::parse(&URL_SAFE_NO_PAD.encode([7u8; 32])).unwrap();
        assert_eq!(hex_key, base64_key);
        assert_eq!(hex_key, url_key);
        assert!(DataKey::parse("abcd").is_err());
        assert!(
            DataKey::parse(&STANDARD.encode([7u8; 31]))
                .unwrap_err()
                .contains("32 bytes")
        );
        assert!(!format!("{hex_key:?}").contains(&hex::encode([7u8; 32])));
        assert_eq!(DataKey::parse(&hex_key.to_hex()).unwrap(), hex_key);
    }

    #[test]
    fn the_key_file_is_created_once_and_private() {
        let dir = std::env::temp_dir().join(format!("custody-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = key_file_for(&dir.join("onboarding.db"));
        let _ = std::fs::remove_file(&path);
        let (first, created) = load_or_create_key_file(&path).unwrap();
        assert!(created);
        let (again, created) = load_or_create_key_file(&path).unwrap();
        assert!(!created);
        assert_eq!(first, again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
