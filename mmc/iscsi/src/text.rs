//! Text keys and values (RFC 7143 §6.1): `key=value` pairs, each ended by a NUL byte, in the
//! data segment of Login and Text PDUs; values are lists, numbers (decimal or `0x` hex) or
//! binary (`0x` hex, `0b` base64, §6.1 "binary-value").

/// Longest key name (RFC 7143 §6.1: up to 63 bytes).
pub const MAX_KEY: usize = 63;
/// Longest value we take (RFC 7143 §6.1: 255 bytes for most, 8192 for binary values such as
/// CHAP challenges and responses).
pub const MAX_VALUE: usize = 8192;

/// Why a data segment is not a valid list of text pairs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A pair without `=`.
    #[error("text pair without '=': {0:?}")]
    NoEquals(String),
    /// A key that is empty, too long or has characters outside §6.1's set.
    #[error("invalid key {0:?}")]
    BadKey(String),
    /// A value over [`MAX_VALUE`] bytes.
    #[error("value of {key} is {len} bytes long (at most {MAX_VALUE})")]
    LongValue {
        /// The key.
        key: String,
        /// The value's length.
        len: usize,
    },
    /// Not UTF-8 (§6.1: UTF-8 text).
    #[error("text pair is not UTF-8")]
    NotUtf8,
    /// A key given twice in one exchange (§6.2: a key is sent at most once).
    #[error("key {0} given twice")]
    Duplicate(String),
}

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= MAX_KEY
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'@' | b'_'))
}

/// Parses the pairs of a data segment, in order; empty strings between NULs (padding some
/// initiators add) are skipped.
pub fn parse(data: &[u8]) -> Result<Vec<(String, String)>, TextError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for raw in data.split(|&b| b == 0) {
        if raw.is_empty() {
            continue;
        }
        let s = std::str::from_utf8(raw).map_err(|_| TextError::NotUtf8)?;
        let (k, v) = s
            .split_once('=')
            .ok_or_else(|| TextError::NoEquals(s.chars().take(80).collect()))?;
        if !valid_key(k) {
            return Err(TextError::BadKey(k.chars().take(80).collect()));
        }
        if v.len() > MAX_VALUE {
            return Err(TextError::LongValue {
                key: k.to_string(),
                len: v.len(),
            });
        }
        if out.iter().any(|(ok, _)| ok == k) {
            return Err(TextError::Duplicate(k.to_string()));
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

/// Encodes pairs as `key=value\0...`.
pub fn encode<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in pairs {
        out.extend_from_slice(k.as_ref().as_bytes());
        out.push(b'=');
        out.extend_from_slice(v.as_ref().as_bytes());
        out.push(0);
    }
    out
}

/// A numerical value: decimal, or `0x`/`0X` hex (RFC 7143 §6.1 "decimal-constant",
/// "hex-constant"); None when it is neither or does not fit.
pub fn number(v: &str) -> Option<u64> {
    if let Some(h) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        if h.is_empty() || h.len() > 16 {
            return None;
        }
        u64::from_str_radix(h, 16).ok()
    } else if !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit()) {
        v.parse().ok()
    } else {
        None
    }
}

/// A binary value: `0x` hex or `0b` base64 (RFC 7143 §6.1 "binary-value"); None when
/// malformed.
pub fn binary(v: &str) -> Option<Vec<u8>> {
    if let Some(h) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        // An odd number of digits has an implied leading zero (§6.1).
        let padded;
        let h = if h.len() % 2 == 1 {
            padded = format!("0{h}");
            padded.as_str()
        } else {
            h
        };
        if h.is_empty() {
            return None;
        }
        let b = h.as_bytes();
        let mut out = Vec::with_capacity(b.len() / 2);
        for pair in b.chunks(2) {
            let s = std::str::from_utf8(pair).ok()?;
            out.push(u8::from_str_radix(s, 16).ok()?);
        }
        Some(out)
    } else if let Some(b) = v.strip_prefix("0b").or_else(|| v.strip_prefix("0B")) {
        base64(b)
    } else {
        None
    }
}

/// Standard base64 (RFC 4648 §4) with `=` padding.
fn base64(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    }
    let b = s.as_bytes();
    if b.is_empty() || !b.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    for (i, q) in b.chunks(4).enumerate() {
        let last = i == b.len() / 4 - 1;
        let pads = q.iter().rev().take_while(|&&c| c == b'=').count();
        if pads > 2 || (pads > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &q[..4 - pads] {
            n = (n << 6) | val(c)?;
        }
        n <<= 6 * pads as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pads]);
    }
    Some(out)
}

/// Hex as RFC 7143 §6.1 writes binary values: `0x` and two lowercase digits a byte.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    s.push_str("0x");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_round_trip() {
        let raw = b"InitiatorName=iqn.2008-11.org.linux-kvm\0SessionType=Normal\0\0\0";
        let p = parse(raw).unwrap();
        assert_eq!(
            p[0],
            ("InitiatorName".into(), "iqn.2008-11.org.linux-kvm".into())
        );
        assert_eq!(p[1], ("SessionType".into(), "Normal".into()));
        assert_eq!(encode(&p), raw[..raw.len() - 2].to_vec());
        assert!(matches!(parse(b"NoValue\0"), Err(TextError::NoEquals(_))));
        assert!(matches!(parse(b"A=1\0A=2\0"), Err(TextError::Duplicate(_))));
        assert!(matches!(parse(b"Bad Key=1\0"), Err(TextError::BadKey(_))));
        assert!(matches!(parse(b"K=\xff\0"), Err(TextError::NotUtf8)));
    }

    #[test]
    fn values() {
        assert_eq!(number("262144"), Some(262144));
        assert_eq!(number("0x40000"), Some(262144));
        assert_eq!(number("12a"), None);
        assert_eq!(number(""), None);
        assert_eq!(binary("0x0aFF"), Some(vec![0x0a, 0xff]));
        assert_eq!(binary("0xabc"), Some(vec![0x0a, 0xbc]));
        assert_eq!(binary("0bAAEC/w=="), Some(vec![0x00, 0x01, 0x02, 0xff]));
        assert_eq!(binary("0bAAEC"), Some(vec![0, 1, 2]));
        assert_eq!(binary("0b=AAA"), None);
        assert_eq!(binary("12"), None);
        assert_eq!(hex(&[0, 0xab]), "0x00ab");
    }
}
