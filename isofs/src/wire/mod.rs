//! Wire formats of ECMA-119 (ISO 9660) and its extensions, as typed views over bytes.
//!
//! Numerical fields follow ECMA-119 §7: §7.1.1 (8-bit), §7.2.1/§7.2.2 (16-bit little/big
//! endian), §7.2.3 (16-bit both-byte order), §7.3.1/§7.3.2 (32-bit little/big endian),
//! §7.3.3 (32-bit both-byte order). Dates follow §8.4.26.1 (17-byte volume descriptor
//! dates) and §9.1.5 (7-byte recording dates).

pub mod aaip;
pub mod dir;
pub mod eltorito;
pub mod parttab;
pub mod ptable;
pub mod susp;
pub mod vd;

use thiserror::Error;

/// A structure on the medium that does not have the shape its specification requires.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum WireError {
    /// The bytes end before the structure does.
    #[error("{what}: {len} bytes, need at least {need}")]
    Short {
        /// Which structure.
        what: &'static str,
        /// Bytes available.
        len: usize,
        /// Bytes needed.
        need: usize,
    },
    /// A length field points past the available bytes.
    #[error("{what}: length field {field} exceeds the {avail} bytes available")]
    Overrun {
        /// Which structure.
        what: &'static str,
        /// The length the record claims.
        field: usize,
        /// Bytes available.
        avail: usize,
    },
    /// A field holds a value the specification forbids.
    #[error("{what}: {detail}")]
    Invalid {
        /// Which structure.
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
}

/// Writes a 16-bit both-byte-order field (ECMA-119 §7.2.3) into `b[0..4]`.
pub fn put_u16_both(b: &mut [u8], v: u16) {
    b[0..2].copy_from_slice(&v.to_le_bytes());
    b[2..4].copy_from_slice(&v.to_be_bytes());
}

/// Writes a 32-bit both-byte-order field (ECMA-119 §7.3.3) into `b[0..8]`.
pub fn put_u32_both(b: &mut [u8], v: u32) {
    b[0..4].copy_from_slice(&v.to_le_bytes());
    b[4..8].copy_from_slice(&v.to_be_bytes());
}

/// Reads a little-endian 16-bit field (ECMA-119 §7.2.1); `b` must hold 2 bytes.
pub fn get_u16_le(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}

/// Reads a big-endian 16-bit field (ECMA-119 §7.2.2); `b` must hold 2 bytes.
pub fn get_u16_be(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

/// Reads a little-endian 32-bit field (ECMA-119 §7.3.1); `b` must hold 4 bytes.
pub fn get_u32_le(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// Reads a big-endian 32-bit field (ECMA-119 §7.3.2); `b` must hold 4 bytes.
pub fn get_u32_be(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Reads a both-byte-order 32-bit field (ECMA-119 §7.3.3), trusting the little-endian half
/// as Linux and libisofs do (some writers get the big-endian half wrong).
pub fn get_u32_both(b: &[u8]) -> u32 {
    get_u32_le(b)
}

/// Reads a both-byte-order 16-bit field (ECMA-119 §7.2.3), little-endian half.
pub fn get_u16_both(b: &[u8]) -> u16 {
    get_u16_le(b)
}

/// Copies `s` into `b`, padding with `pad` (a-characters/d-characters fields, §7.4).
pub fn put_padded(b: &mut [u8], s: &[u8], pad: u8) {
    let n = s.len().min(b.len());
    b[..n].copy_from_slice(&s[..n]);
    for x in &mut b[n..] {
        *x = pad;
    }
}

/// A point in time as seconds since 1970-01-01T00:00:00Z plus nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Timestamp {
    /// Seconds since the Unix epoch (may be negative).
    pub secs: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
}

impl Timestamp {
    /// A timestamp of whole seconds.
    pub fn from_secs(secs: i64) -> Self {
        Self { secs, nanos: 0 }
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month 1-12, day 1-31).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A proleptic Gregorian date to days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Encodes a 7-byte recording date (ECMA-119 §9.1.5), in UTC (offset 0). Years outside
/// 1900..=2155 are clamped.
pub fn encode_date7(t: Timestamp) -> [u8; 7] {
    let min = days_from_civil(1900, 1, 1) * 86_400;
    let max = days_from_civil(2155, 12, 31) * 86_400 + 86_399;
    let s = t.secs.clamp(min, max);
    let (y, mo, d) = civil_from_days(s.div_euclid(86_400));
    let sod = s.rem_euclid(86_400);
    [
        (y - 1900) as u8,
        mo as u8,
        d as u8,
        (sod / 3600) as u8,
        (sod / 60 % 60) as u8,
        (sod % 60) as u8,
        0,
    ]
}

/// Decodes a 7-byte recording date (ECMA-119 §9.1.5) honouring its GMT offset; an all-zero
/// or impossible date gives `None`.
pub fn decode_date7(b: &[u8]) -> Option<Timestamp> {
    if b.len() < 7 || b[..6].iter().all(|&x| x == 0) {
        return None;
    }
    let (mo, d) = (u32::from(b[1]), u32::from(b[2]));
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || b[3] > 23 || b[4] > 59 || b[5] > 60 {
        return None;
    }
    let days = days_from_civil(1900 + i64::from(b[0]), mo, d);
    let off = i64::from(b[6] as i8) * 15 * 60;
    let secs = days * 86_400 + i64::from(b[3]) * 3600 + i64::from(b[4]) * 60 + i64::from(b[5]);
    Some(Timestamp::from_secs(secs - off))
}

/// Encodes a 17-byte volume descriptor date (ECMA-119 §8.4.26.1) in UTC; `None` gives the
/// "not specified" value (sixteen '0' digits and a zero offset).
pub fn encode_date17(t: Option<Timestamp>) -> [u8; 17] {
    let mut out = [b'0'; 17];
    out[16] = 0;
    let Some(t) = t else { return out };
    let min = days_from_civil(1, 1, 1) * 86_400;
    let max = days_from_civil(9999, 12, 31) * 86_400 + 86_399;
    let s = t.secs.clamp(min, max);
    let (y, mo, d) = civil_from_days(s.div_euclid(86_400));
    let sod = s.rem_euclid(86_400);
    let cs = if t.secs == s { t.nanos / 10_000_000 } else { 0 };
    let text = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}{:02}",
        y,
        mo,
        d,
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        cs
    );
    out[..16].copy_from_slice(&text.as_bytes()[..16]);
    out
}

/// Decodes a 17-byte volume descriptor date (ECMA-119 §8.4.26.1); "not specified" or
/// malformed digits give `None`.
pub fn decode_date17(b: &[u8]) -> Option<Timestamp> {
    if b.len() < 17 || !b[..16].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> u32 {
        b[r].iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'))
    };
    let (y, mo, d) = (num(0..4), num(4..6), num(6..8));
    if y == 0 || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(i64::from(y), mo, d);
    let off = i64::from(b[16] as i8) * 15 * 60;
    let secs = days * 86_400
        + i64::from(num(8..10)) * 3600
        + i64::from(num(10..12)) * 60
        + i64::from(num(12..14));
    Some(Timestamp {
        secs: secs - off,
        nanos: num(14..16) * 10_000_000,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_endian_layout() {
        let mut b = [0u8; 8];
        put_u32_both(&mut b, 0x0102_0304);
        assert_eq!(b, [4, 3, 2, 1, 1, 2, 3, 4]);
        let mut h = [0u8; 4];
        put_u16_both(&mut h, 0x0800);
        assert_eq!(h, [0x00, 0x08, 0x08, 0x00]);
        assert_eq!(get_u32_both(&b), 0x0102_0304);
    }

    #[test]
    fn dates_round_trip() {
        // 2000-02-29T12:34:56Z = 951827696
        let t = Timestamp::from_secs(951_827_696);
        let d7 = encode_date7(t);
        assert_eq!(d7, [100, 2, 29, 12, 34, 56, 0]);
        assert_eq!(decode_date7(&d7), Some(t));
        let d17 = encode_date17(Some(t));
        assert_eq!(&d17[..16], b"2000022912345600");
        assert_eq!(decode_date17(&d17), Some(t));
        assert_eq!(decode_date17(&encode_date17(None)), None);
        // GMT offset +8 (2 hours east): local 14:00 is 12:00 UTC.
        assert_eq!(decode_date7(&[100, 2, 29, 14, 34, 56, 8]), Some(t));
        for s in [-86_400 * 365 * 60, 0, 1_700_000_000, 4_000_000_000] {
            let (y, m, d) = civil_from_days(s / 86_400);
            assert_eq!(days_from_civil(y, m, d), s / 86_400);
        }
    }
}
