//! Password hashes: Argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane), in the PHC
//! string form, each with its own salt. Hashes of older databases (PBKDF2-HMAC-SHA256,
//! `pbkdf2-sha256$ROUNDS$SALT$HASH`) still verify, and [`needs_rehash`] says to replace them.
//!
//! Verifying costs the same whether or not the user exists: an unknown login is verified against
//! a dummy hash with the same parameters ([`verify_or_dummy`]), so the time of an answer does not
//! tell which logins exist. Hashing is slow on purpose: callers run it off the async threads and
//! outside the database lock.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use pbkdf2::pbkdf2_hmac;
use sha2::Sha256;

fn argon2() -> Argon2<'static> {
    // Params::DEFAULT are OWASP's: m = 19 MiB, t = 2, p = 1.
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// A new Argon2id hash of `password` in PHC form (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system has no random source");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 with valid parameters hashes any password")
        .to_string()
}

/// Whether `password` matches `stored` (Argon2id, or an older PBKDF2 hash).
pub fn verify_password(password: &str, stored: &str) -> bool {
    if stored.starts_with("pbkdf2-sha256$") {
        return verify_pbkdf2(password, stored);
    }
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Verifies against `stored`, or, for a login that does not exist, against a dummy hash of the
/// same cost, and answers `false`: both take the same time.
pub fn verify_or_dummy(password: &str, stored: Option<&str>) -> bool {
    match stored {
        Some(stored) => verify_password(password, stored),
        None => {
            let _ = verify_password(password, dummy_hash());
            false
        }
    }
}

/// Whether a hash that just verified should be replaced by a fresh one (an older scheme, or
/// other parameters than today's).
pub fn needs_rehash(stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => {
            let today = Params::DEFAULT;
            parsed.algorithm != argon2::ARGON2ID_IDENT
                || !Params::try_from(&parsed).is_ok_and(|p| {
                    (p.m_cost(), p.t_cost(), p.p_cost())
                        == (today.m_cost(), today.t_cost(), today.p_cost())
                })
        }
        Err(_) => true,
    }
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).expect("the operating system has no random source");
        hash_password(&format!("{secret:?}"))
    })
}

fn verify_pbkdf2(password: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("pbkdf2-sha256"), Some(rounds), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Ok(rounds), Some(salt), Some(hash)) = (rounds.parse::<u32>(), unhex(salt), unhex(hash))
    else {
        return false;
    };
    if rounds == 0 || rounds > 10_000_000 {
        return false;
    }
    let mut derived = [0u8; 32];
    pbkdf2_hmac::<Sha256>(password.as_bytes(), &salt, rounds, &mut derived);
    // Compare every byte so the time taken does not tell how much of the hash matched.
    derived.len() == hash.len()
        && derived
            .iter()
            .zip(&hash)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_salted_argon2id_hash_only() {
        let stored = hash_password("secret");
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify_password("secret", &stored));
        assert!(!verify_password("Secret", &stored));
        assert_ne!(
            stored,
            hash_password("secret"),
            "each hash has its own salt"
        );
        assert!(!verify_password("secret", "plain"));
        assert!(!needs_rehash(&stored));
    }

    #[test]
    fn older_pbkdf2_hashes_verify_and_ask_to_be_replaced() {
        // `secret` with salt 00010203 and 2 rounds, as the first release stored hashes.
        let mut derived = [0u8; 32];
        pbkdf2_hmac::<Sha256>(b"secret", &[0, 1, 2, 3], 2, &mut derived);
        let hex: String = derived.iter().map(|b| format!("{b:02x}")).collect();
        let stored = format!("pbkdf2-sha256$2$00010203${hex}");
        assert!(verify_password("secret", &stored));
        assert!(!verify_password("other", &stored));
        assert!(needs_rehash(&stored));
        assert!(!verify_password("secret", "pbkdf2-sha256$x$00$00"));
    }

    #[test]
    fn an_unknown_login_never_verifies() {
        assert!(!verify_or_dummy("anything", None));
        let stored = hash_password("pw");
        assert!(verify_or_dummy("pw", Some(&stored)));
    }
}
