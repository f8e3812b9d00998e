//! CHAP authentication of the initiator (RFC 7143 §12.1.3, CHAP of RFC 1994 with MD5,
//! CHAP_A=5).
//!
//! The target sends CHAP_A=5, an identifier CHAP_I and a random challenge CHAP_C; the
//! initiator answers CHAP_N (its name) and CHAP_R = MD5(identifier || secret || challenge).
//! Secrets shorter than 12 bytes are refused when the server is configured (RFC 7143 §9.2.1:
//! CHAP secrets of at least 96 bits).

use md5::{Digest, Md5};

/// Shortest secret we accept (RFC 7143 §9.2.1).
pub const MIN_SECRET: usize = 12;
/// Longest secret we accept (RFC 7143 §12.1.3 has no limit; this bounds a configuration).
pub const MAX_SECRET: usize = 255;
/// Bytes of challenge we send (RFC 7143 §12.1.3: at least as long as the secret is advised;
/// 32 covers every secret that initiators accept, Windows allows 16 at most).
pub const CHALLENGE_LEN: usize = 32;

/// The user name and secret the initiator must prove it knows.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The CHAP_N the initiator must send.
    pub user: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("secret", &"<hidden>")
            .finish()
    }
}

/// Why credentials or a CHAP exchange were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChapError {
    /// A secret outside [`MIN_SECRET`]..=[`MAX_SECRET`] bytes.
    #[error("a CHAP secret has {MIN_SECRET} to {MAX_SECRET} bytes (RFC 7143 §9.2.1: at least 96 bits), not {0}")]
    SecretLength(usize),
    /// An empty user name.
    #[error("the CHAP user name is empty")]
    NoUser,
    /// The system's random source failed.
    #[error("no random challenge: {0}")]
    Random(String),
}

impl Credentials {
    /// Credentials with a checked secret length.
    pub fn new(user: &str, secret: &[u8]) -> Result<Self, ChapError> {
        if user.is_empty() {
            return Err(ChapError::NoUser);
        }
        if !(MIN_SECRET..=MAX_SECRET).contains(&secret.len()) {
            return Err(ChapError::SecretLength(secret.len()));
        }
        Ok(Credentials {
            user: user.to_string(),
            secret: secret.to_vec(),
        })
    }

    /// Whether `name` and `response` answer `challenge` (compared in constant time).
    pub fn verify(&self, challenge: &Challenge, name: &str, response: &[u8]) -> bool {
        let want = response_for(challenge.id, &self.secret, &challenge.bytes);
        let same_len = response.len() == want.len();
        let mut diff = u8::from(!same_len);
        for (a, b) in want.iter().zip(response.iter()) {
            diff |= a ^ b;
        }
        diff == 0 && name == self.user
    }
}

/// One challenge sent to the initiator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// CHAP_I.
    pub id: u8,
    /// CHAP_C.
    pub bytes: Vec<u8>,
}

impl Challenge {
    /// A fresh random challenge and identifier from the operating system's random source.
    pub fn random() -> Result<Self, ChapError> {
        let mut b = vec![0u8; CHALLENGE_LEN + 1];
        getrandom::fill(&mut b).map_err(|e| ChapError::Random(e.to_string()))?;
        let id = b[CHALLENGE_LEN];
        b.truncate(CHALLENGE_LEN);
        Ok(Challenge { id, bytes: b })
    }
}

/// The CHAP response MD5(id || secret || challenge) (RFC 1994 §4.1).
pub fn response_for(id: u8, secret: &[u8], challenge: &[u8]) -> [u8; 16] {
    let mut h = Md5::new();
    h.update([id]);
    h.update(secret);
    h.update(challenge);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 1994's response over known bytes, checked against coreutils
    /// (`printf '\x01secretsecret12\x02\x03' | md5sum`).
    #[test]
    fn verify_known_response() {
        let c = Credentials::new("user", b"secretsecret12").unwrap();
        let ch = Challenge {
            id: 1,
            bytes: vec![2, 3],
        };
        let r = response_for(1, b"secretsecret12", &[2, 3]);
        assert_eq!(crate::text::hex(&r), "0x02c510391ce146726fbaecdd244b7775");
        assert!(c.verify(&ch, "user", &r));
        assert!(!c.verify(&ch, "other", &r));
        let mut bad = r;
        bad[0] ^= 1;
        assert!(!c.verify(&ch, "user", &bad));
        assert!(!c.verify(&ch, "user", &r[..15]));
        assert_eq!(
            Credentials::new("u", b"short"),
            Err(ChapError::SecretLength(5))
        );
        let a = Challenge::random().unwrap();
        let b = Challenge::random().unwrap();
        assert_ne!(a.bytes, b.bytes);
    }
}
