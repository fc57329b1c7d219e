//! Passwords (argon2id, memory-hard) and random secrets (session ids, CSRF and API tokens).
//! Only hashes are stored; a secret is shown once, when it is made.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted (hashing reads all of it).
pub const MAX_PASSWORD_BYTES: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the password must be at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("the password may be at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("no randomness available: {0}")]
    Random(String),
    /// Every password slot stayed taken for `SLOT_WAIT`: the server is flooded with logins.
    #[error("too many password checks at once; try again in a moment")]
    Busy,
}

/// Password hashes computed at once. Each takes 19 MiB and tens of milliseconds of a core, so
/// a flood of logins queues here instead of taking every core and much memory.
static PASSWORD_SLOTS: crate::slots::Slots = crate::slots::Slots::new(2);
/// How long a password check waits for a slot before it gives up.
const SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

fn in_slot<T>(f: impl FnOnce() -> T) -> Result<T, SecretError> {
    PASSWORD_SLOTS.run(SLOT_WAIT, f).map_err(|_| SecretError::Busy)
}

/// A PHC string (`$argon2id$v=19$…`) for the password.
pub fn hash_password(password: &str) -> Result<String, SecretError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(SecretError::TooShort);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(SecretError::TooLong);
    }
    in_slot(|| Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| SecretError::Hash(e.to_string())))?
}

/// Whether `password` matches the stored hash (in constant time). Without a hash (an account
/// that has none, or none at all) a dummy hash is checked, so the answer takes as long.
pub fn verify_password(hash: Option<&str>, password: &str) -> Result<bool, SecretError> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = || {
        DUMMY.get_or_init(|| {
            Argon2::default()
                .hash_password(b"not a real password, only for timing")
                .map(|h| h.to_string())
                .unwrap_or_default()
        })
    };
    let (stored, real) = match hash {
        Some(h) => (h, true),
        None => (dummy().as_str(), false),
    };
    let matches = in_slot(|| PasswordHash::new(stored).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()))?;
    Ok(real && matches)
}

/// 32 random bytes as 64 hex characters.
pub fn random_token() -> Result<String, SecretError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| SecretError::Random(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The stored form of a session id or API token (they are long and random, so a fast hash
/// is enough).
pub fn hash_token(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

/// Compares two secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(Some(&hash), "correct horse battery").unwrap());
        assert!(!verify_password(Some(&hash), "wrong horse battery").unwrap());
        assert!(!verify_password(None, "correct horse battery").unwrap(), "no hash never matches");
        assert!(matches!(hash_password("short"), Err(SecretError::TooShort)));
    }

    #[test]
    fn tokens() {
        let a = random_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token().unwrap());
        assert_eq!(hash_token(&a), hash_token(&a));
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("a", "ab"));
    }
}
