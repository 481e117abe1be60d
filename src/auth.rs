//! Accounts' rules that hold whatever the interface: roles, password hashing (argon2id),
//! the login throttle's policy and CSRF tokens. The web layer (`web::session`) and the
//! command line (`entente user`) both go through here.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::{Error, Result};

pub use crate::domain::Role;

/// Failed sign-ins within the throttle's window: what the store counts and the
/// throttle's policy reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FailureCounts {
    /// For this account name from this address.
    pub pair: i64,
    pub pair_last: Option<i64>,
    /// For this account name from any address.
    pub account: i64,
    pub account_last: Option<i64>,
    /// From this address for any account name.
    pub address: i64,
    pub address_last: Option<i64>,
    /// Whether the account has signed in from this address before.
    pub known_address: bool,
}

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (argon2 takes any length; this bounds the work per attempt).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Refuses passwords too short to resist guessing, or absurdly long.
pub fn check_password_rules(password: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(Error::Invalid(format!(
            "A password needs at least {MIN_PASSWORD_CHARS} characters."
        )));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(Error::Invalid(format!(
            "A password may have at most {MAX_PASSWORD_CHARS} characters."
        )));
    }
    Ok(())
}

/// An argon2id hash of the password in PHC form, with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| Error::Internal(format!("cannot encode a salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Internal(format!("cannot hash a password: {e}")))
}

/// Whether the password matches the stored hash. With no hash (no such account) a
/// dummy hash is checked all the same, so that the answer takes as long either way.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let hash = stored.unwrap_or(DUMMY_HASH);
    let Ok(parsed) = PasswordHash::new(hash) else {
        tracing::error!("a stored password hash cannot be parsed");
        return false;
    };
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    matches && stored.is_some()
}

/// Password checks running at once. Each takes about 19 MiB and a core for a moment, so a
/// burst of sign-ins waits its turn instead of exhausting memory.
static VERIFYING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// [`verify_password`] off the request threads, a few at a time.
pub async fn verify_password_queued(password: String, stored: Option<String>) -> Result<bool> {
    let _permit = VERIFYING
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("password check queue closed: {e}")))?;
    tokio::task::spawn_blocking(move || verify_password(&password, stored.as_deref()))
        .await
        .map_err(|e| Error::Internal(format!("password check failed: {e}")))
}

/// The argon2id hash of a random password nobody knows, with the default parameters.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3xV9PpPt0nVvZkq5s0m0c3Pq7n5wZ1zQWl3Y1m2q0bY";

/// How long failed sign-ins are remembered, in seconds.
pub const THROTTLE_WINDOW_SECS: i64 = 15 * 60;

/// What the throttle says about a sign-in attempt, given recent failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    /// Check the password.
    Allow,
    /// Too many recent failures: refuse without checking, for this many more seconds.
    Wait(i64),
}

/// The throttle's policy. For one account name from one address: from the third failure
/// in the window, each further attempt must wait 5, 10, 20… seconds after the last
/// failure; from the tenth it is locked until the window has passed since the last
/// failure. From an address the account has never signed in from, two wider limits also
/// apply: an address's failures for any names (from the 10th, locked from the 30th: one
/// machine trying many names) and a name's failures from any addresses (from the 20th,
/// locked from the 100th: many machines trying one name). From a known address only the
/// first applies, so that others' failures never lock the owner out.
pub fn throttle(counts: FailureCounts, now: i64) -> Throttle {
    let pair = wait_after(counts.pair, counts.pair_last, 3, 10, now);
    let wider = if counts.known_address {
        0
    } else {
        let address = wait_after(counts.address, counts.address_last, 10, 30, now);
        let account = wait_after(counts.account, counts.account_last, 20, 100, now);
        address.max(account)
    };
    match pair.max(wider) {
        0 => Throttle::Allow,
        seconds => Throttle::Wait(seconds),
    }
}

fn wait_after(failures: i64, last: Option<i64>, slow_from: i64, lock_from: i64, now: i64) -> i64 {
    let Some(last) = last else { return 0 };
    let delay = if failures >= lock_from {
        THROTTLE_WINDOW_SECS
    } else if failures >= slow_from {
        5 << (failures - slow_from).min(10)
    } else {
        0
    };
    (last + delay - now).max(0)
}

/// A token for a form: 32 random bytes, hex-encoded.
pub fn new_csrf_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    Ok(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The prefix of personal API tokens, so that a leaked one is recognisable.
pub const API_TOKEN_PREFIX: &str = "entente_";

/// A new personal API token: the prefix and 32 random bytes, hex-encoded.
pub fn new_api_token() -> Result<String> {
    Ok(format!("{API_TOKEN_PREFIX}{}", new_csrf_token()?))
}

/// What is kept of an API token: its SHA-256, hex-encoded. A token is 256 random bits,
/// so a fast hash suffices (no password-style stretching).
pub fn api_token_hash(token: &str) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(token.trim().as_bytes()))
}

/// The server's key for signing the tokens of forms that anonymous visitors send (the
/// sign-in form): kept in the database, so that every server on one file shares it.
#[derive(Clone)]
pub struct SigningKey(Vec<u8>);

impl SigningKey {
    /// A key from its stored hex text; at least 32 bytes.
    pub fn from_hex(text: &str) -> Result<SigningKey> {
        let bytes: Option<Vec<u8>> = (0..text.len())
            .step_by(2)
            .map(|i| {
                text.get(i..i + 2)
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
            })
            .collect();
        match bytes {
            Some(bytes) if bytes.len() >= 32 => Ok(SigningKey(bytes)),
            _ => Err(Error::Internal("the stored signing key is malformed".to_owned())),
        }
    }

    fn mac(&self, token: &str) -> String {
        use hmac::Mac;
        let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.0) else {
            return String::new();
        };
        mac.update(token.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// A new token for a form sent without a session, issued at `now` (Unix seconds):
    /// (the cookie's value, the form field's value). The cookie holds the token, its
    /// time and their signature; the form the token.
    pub fn double_submit_token(&self, now: i64) -> Result<(String, String)> {
        let token = new_csrf_token()?;
        let signed = format!("{token}.{now}");
        Ok((format!("{signed}.{}", self.mac(&signed)), token))
    }

    /// Whether a form's token matches the cookie sent with it, the cookie was signed by
    /// this key (so that a cookie planted by anyone else is worthless), and it is less
    /// than [`SIGNED_TOKEN_SECS`] old.
    pub fn double_submit_matches(&self, cookie: &str, form_token: &str, now: i64) -> bool {
        let Some((signed, mac)) = cookie.rsplit_once('.') else {
            return false;
        };
        let Some((token, issued)) = signed.split_once('.') else {
            return false;
        };
        let fresh = issued
            .parse::<i64>()
            .is_ok_and(|at| at <= now && now - at < SIGNED_TOKEN_SECS);
        tokens_match(&self.mac(signed), mac) && fresh && tokens_match(token, form_token)
    }

    /// The signature of `text`, for values a page hands to the browser and must get back
    /// unchanged (a kept form's address and fields).
    pub fn sign(&self, text: &str) -> String {
        self.mac(text)
    }

    /// Whether `signature` is this key's for `text`.
    pub fn verify(&self, text: &str, signature: &str) -> bool {
        tokens_match(&self.mac(text), signature)
    }
}

/// How long the sign-in form's signed token stays valid: two hours.
pub const SIGNED_TOKEN_SECS: i64 = 2 * 3600;

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(…)")
    }
}

/// Compares a submitted token with the session's in time independent of where they
/// differ.
pub fn tokens_match(expected: &str, given: &str) -> bool {
    expected.len() == given.len()
        && !expected.is_empty()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_submit_tokens_need_the_cookie_signed_by_the_key() {
        let key = SigningKey::from_hex(&"ab".repeat(32)).expect("key");
        let other = SigningKey::from_hex(&"cd".repeat(32)).expect("key");
        let now = 1_000_000;
        let (cookie, token) = key.double_submit_token(now).expect("token");
        assert!(key.double_submit_matches(&cookie, &token, now + 60));
        assert!(
            !key.double_submit_matches(&cookie, &token, now + SIGNED_TOKEN_SECS),
            "expired"
        );
        assert!(
            !other.double_submit_matches(&cookie, &token, now),
            "another key's cookie"
        );
        let (planted, _) = other.double_submit_token(now).expect("token");
        let planted_token = planted.split('.').next().unwrap_or_default();
        assert!(
            !key.double_submit_matches(&planted, planted_token, now),
            "a planted cookie"
        );
        assert!(!key.double_submit_matches(&cookie, "0000", now), "another token");
        assert!(
            !key.double_submit_matches(&token, &token, now),
            "an unsigned cookie"
        );
        // A cookie whose time was changed no longer matches its signature.
        let later = cookie.replacen(&format!(".{now}."), &format!(".{}.", now + 10), 1);
        assert!(!key.double_submit_matches(&later, &token, now + 20));
        assert!(key.verify("/events/1/edit", &key.sign("/events/1/edit")));
        assert!(!key.verify("/admin/users/1/role", &key.sign("/events/1/edit")));
        assert!(SigningKey::from_hex("abc").is_err());
    }

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("correct horse batter", Some(&hash)));
        assert!(!verify_password("correct horse battery", None));
        assert_ne!(
            hash,
            hash_password("correct horse battery").expect("hash"),
            "salted"
        );
    }

    #[test]
    fn the_dummy_hash_parses_so_unknown_accounts_cost_the_same() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn short_and_absurd_passwords_are_refused() {
        assert!(check_password_rules("short").is_err());
        assert!(check_password_rules(&"x".repeat(300)).is_err());
        assert!(check_password_rules("long enough pass").is_ok());
    }

    /// Failures of one name from one address (`pair`), of any name from the address,
    /// and of the name from anywhere, all last at `last`.
    fn counts(pair: i64, address: i64, account: i64, last: i64) -> FailureCounts {
        FailureCounts {
            pair,
            pair_last: (pair > 0).then_some(last),
            account,
            account_last: (account > 0).then_some(last),
            address,
            address_last: (address > 0).then_some(last),
            known_address: false,
        }
    }

    #[test]
    fn the_throttle_slows_down_then_locks() {
        let now = 1_000_000;
        assert_eq!(throttle(counts(0, 0, 0, now), now), Throttle::Allow);
        assert_eq!(throttle(counts(2, 2, 2, now), now), Throttle::Allow);
        assert_eq!(throttle(counts(3, 3, 3, now), now), Throttle::Wait(5));
        assert_eq!(throttle(counts(4, 4, 4, now), now), Throttle::Wait(10));
        assert_eq!(throttle(counts(3, 3, 3, now - 5), now), Throttle::Allow);
        assert_eq!(
            throttle(counts(10, 10, 10, now), now),
            Throttle::Wait(THROTTLE_WINDOW_SECS)
        );
        // An address shared by several editors tolerates more.
        assert_eq!(throttle(counts(0, 9, 0, now), now), Throttle::Allow);
        assert_eq!(throttle(counts(0, 10, 0, now), now), Throttle::Wait(5));
        assert_eq!(
            throttle(counts(0, 30, 0, now), now),
            Throttle::Wait(THROTTLE_WINDOW_SECS)
        );
        // A name tried from many addresses, more still.
        assert_eq!(throttle(counts(0, 0, 19, now), now), Throttle::Allow);
        assert_eq!(throttle(counts(0, 0, 20, now), now), Throttle::Wait(5));
        assert_eq!(
            throttle(counts(0, 0, 100, now), now),
            Throttle::Wait(THROTTLE_WINDOW_SECS)
        );
    }

    #[test]
    fn others_failures_never_lock_an_owner_out_of_a_known_address() {
        let now = 1_000_000;
        let known = FailureCounts {
            known_address: true,
            ..counts(0, 500, 500, now)
        };
        assert_eq!(throttle(known, now), Throttle::Allow);
        // Their own failures there still count.
        let own = FailureCounts {
            known_address: true,
            ..counts(3, 500, 500, now)
        };
        assert_eq!(throttle(own, now), Throttle::Wait(5));
    }

    #[test]
    fn tokens_compare_whole() {
        let token = new_csrf_token().expect("token");
        assert_eq!(token.len(), 64);
        assert!(tokens_match(&token, &token.clone()));
        assert!(!tokens_match(&token, &token[..63]));
        assert!(!tokens_match("", ""));
        assert!(!tokens_match(&token, &new_csrf_token().expect("token")));
    }
}
