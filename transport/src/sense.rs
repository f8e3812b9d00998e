//! Sense data (SPC-4 §4.5): fixed (70h/71h) and descriptor (72h/73h) formats, sense keys,
//! and the ASC/ASCQ text table of SPC-4 Annex D plus MMC-6's additions.

use std::fmt;

/// Sense key (SPC-4 §4.5.6 table 48).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SenseKey {
    /// 0h NO SENSE.
    NoSense,
    /// 1h RECOVERED ERROR.
    RecoveredError,
    /// 2h NOT READY.
    NotReady,
    /// 3h MEDIUM ERROR.
    MediumError,
    /// 4h HARDWARE ERROR.
    HardwareError,
    /// 5h ILLEGAL REQUEST.
    IllegalRequest,
    /// 6h UNIT ATTENTION.
    UnitAttention,
    /// 7h DATA PROTECT.
    DataProtect,
    /// 8h BLANK CHECK.
    BlankCheck,
    /// 9h VENDOR SPECIFIC.
    VendorSpecific,
    /// Ah COPY ABORTED.
    CopyAborted,
    /// Bh ABORTED COMMAND.
    AbortedCommand,
    /// Dh VOLUME OVERFLOW.
    VolumeOverflow,
    /// Eh MISCOMPARE.
    Miscompare,
    /// Ch and Fh (reserved / completed).
    Unknown(u8),
}

impl SenseKey {
    /// Decodes the low nibble of a sense key byte.
    pub fn from_nibble(b: u8) -> Self {
        match b & 0x0F {
            0x0 => SenseKey::NoSense,
            0x1 => SenseKey::RecoveredError,
            0x2 => SenseKey::NotReady,
            0x3 => SenseKey::MediumError,
            0x4 => SenseKey::HardwareError,
            0x5 => SenseKey::IllegalRequest,
            0x6 => SenseKey::UnitAttention,
            0x7 => SenseKey::DataProtect,
            0x8 => SenseKey::BlankCheck,
            0x9 => SenseKey::VendorSpecific,
            0xA => SenseKey::CopyAborted,
            0xB => SenseKey::AbortedCommand,
            0xD => SenseKey::VolumeOverflow,
            0xE => SenseKey::Miscompare,
            n => SenseKey::Unknown(n),
        }
    }

    /// The 4-bit code.
    pub fn code(self) -> u8 {
        match self {
            SenseKey::NoSense => 0x0,
            SenseKey::RecoveredError => 0x1,
            SenseKey::NotReady => 0x2,
            SenseKey::MediumError => 0x3,
            SenseKey::HardwareError => 0x4,
            SenseKey::IllegalRequest => 0x5,
            SenseKey::UnitAttention => 0x6,
            SenseKey::DataProtect => 0x7,
            SenseKey::BlankCheck => 0x8,
            SenseKey::VendorSpecific => 0x9,
            SenseKey::CopyAborted => 0xA,
            SenseKey::AbortedCommand => 0xB,
            SenseKey::VolumeOverflow => 0xD,
            SenseKey::Miscompare => 0xE,
            SenseKey::Unknown(n) => n,
        }
    }

    /// The name SPC-4 gives the key, e.g. "MEDIUM ERROR".
    pub fn name(self) -> &'static str {
        match self {
            SenseKey::NoSense => "NO SENSE",
            SenseKey::RecoveredError => "RECOVERED ERROR",
            SenseKey::NotReady => "NOT READY",
            SenseKey::MediumError => "MEDIUM ERROR",
            SenseKey::HardwareError => "HARDWARE ERROR",
            SenseKey::IllegalRequest => "ILLEGAL REQUEST",
            SenseKey::UnitAttention => "UNIT ATTENTION",
            SenseKey::DataProtect => "DATA PROTECT",
            SenseKey::BlankCheck => "BLANK CHECK",
            SenseKey::VendorSpecific => "VENDOR SPECIFIC",
            SenseKey::CopyAborted => "COPY ABORTED",
            SenseKey::AbortedCommand => "ABORTED COMMAND",
            SenseKey::VolumeOverflow => "VOLUME OVERFLOW",
            SenseKey::Miscompare => "MISCOMPARE",
            SenseKey::Unknown(0xC) => "EQUAL",
            SenseKey::Unknown(_) => "RESERVED SENSE KEY",
        }
    }
}

impl fmt::Display for SenseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Decoded sense data, whatever its format on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sense {
    /// Response code (70h, 71h, 72h, 73h).
    pub response_code: u8,
    /// Sense key.
    pub key: SenseKey,
    /// Additional sense code.
    pub asc: u8,
    /// Additional sense code qualifier.
    pub ascq: u8,
    /// INFORMATION field (e.g. the failing LBA), when valid.
    pub information: Option<u64>,
    /// COMMAND-SPECIFIC INFORMATION field, when present and non-zero.
    pub command_specific: Option<u64>,
    /// Sense-key-specific field (SKSV set): 3 bytes (e.g. progress indication).
    pub key_specific: Option<[u8; 3]>,
    /// True for deferred errors (71h/73h).
    pub deferred: bool,
}

/// Why sense bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SenseError {
    /// No bytes at all.
    #[error("empty sense data")]
    Empty,
    /// The buffer ends before the sense key.
    #[error("sense data truncated: {len} bytes, need at least {need}")]
    Truncated {
        /// Bytes present.
        len: usize,
        /// Bytes needed for the key/ASC/ASCQ.
        need: usize,
    },
    /// Not one of 70h..73h.
    #[error("unknown sense response code {0:02X}h")]
    UnknownFormat(u8),
}

impl Sense {
    /// Parses fixed or descriptor format sense data.
    pub fn parse(bytes: &[u8]) -> Result<Sense, SenseError> {
        crate::sense::parse_impl(bytes)
    }

    /// Builds fixed-format (70h) sense bytes for `key/asc/ascq` (18 bytes), as a device sends.
    pub fn fixed(key: SenseKey, asc: u8, ascq: u8) -> Vec<u8> {
        let mut b = vec![0u8; 18];
        b[0] = 0x70;
        b[2] = key.code();
        b[7] = 10;
        b[12] = asc;
        b[13] = ascq;
        b
    }

    /// The SPC-4/MMC-6 text for this ASC/ASCQ, if the table has it.
    pub fn asc_text(&self) -> Option<&'static str> {
        asc_text(self.asc, self.ascq)
    }
}

impl fmt::Display for Sense {
    /// `MEDIUM ERROR: WRITE ERROR (0C/00)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.asc_text() {
            Some(t) => write!(f, "{}: {} ({:02X}/{:02X})", self.key, t, self.asc, self.ascq),
            None => write!(
                f,
                "{}: unknown additional sense code ({:02X}/{:02X})",
                self.key, self.asc, self.ascq
            ),
        }
    }
}

fn parse_impl(bytes: &[u8]) -> Result<Sense, SenseError> {
    let first = *bytes.first().ok_or(SenseError::Empty)?;
    let code = first & 0x7F;
    match code {
        0x70 | 0x71 => {
            if bytes.len() < 3 {
                return Err(SenseError::Truncated { len: bytes.len(), need: 3 });
            }
            let key = SenseKey::from_nibble(bytes[2]);
            let asc = bytes.get(12).copied().unwrap_or(0);
            let ascq = bytes.get(13).copied().unwrap_or(0);
            let information = if first & 0x80 != 0 && bytes.len() >= 7 {
                Some(u64::from(u32::from_be_bytes([bytes[3], bytes[4], bytes[5], bytes[6]])))
            } else {
                None
            };
            let command_specific = if bytes.len() >= 12 {
                let v = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
                (v != 0).then_some(u64::from(v))
            } else {
                None
            };
            let key_specific = if bytes.len() >= 18 && bytes[15] & 0x80 != 0 {
                Some([bytes[15], bytes[16], bytes[17]])
            } else {
                None
            };
            Ok(Sense {
                response_code: code,
                key,
                asc,
                ascq,
                information,
                command_specific,
                key_specific,
                deferred: code == 0x71,
            })
        }
        0x72 | 0x73 => {
            if bytes.len() < 2 {
                return Err(SenseError::Truncated { len: bytes.len(), need: 2 });
            }
            let key = SenseKey::from_nibble(bytes[1]);
            let asc = bytes.get(2).copied().unwrap_or(0);
            let ascq = bytes.get(3).copied().unwrap_or(0);
            let mut information = None;
            let mut command_specific = None;
            let mut key_specific = None;
            let add_len = bytes.get(7).copied().unwrap_or(0) as usize;
            let end = bytes.len().min(8 + add_len);
            let mut off = 8;
            // Sense data descriptors (SPC-4 §4.5.2.1): type, additional length, body.
            while off + 2 <= end {
                let dtype = bytes[off];
                let dlen = bytes[off + 1] as usize;
                let body_end = off + 2 + dlen;
                if body_end > end {
                    break;
                }
                let body = &bytes[off + 2..body_end];
                match dtype {
                    // Information descriptor: VALID bit, reserved, 8-byte information.
                    0x00 if body.len() >= 10 && body[0] & 0x80 != 0 => {
                        information = Some(be_u64(&body[2..10]));
                    }
                    // Command-specific information descriptor.
                    0x01 if body.len() >= 10 => {
                        let v = be_u64(&body[2..10]);
                        command_specific = (v != 0).then_some(v);
                    }
                    // Sense key specific descriptor.
                    0x02 if body.len() >= 5 && body[2] & 0x80 != 0 => {
                        key_specific = Some([body[2], body[3], body[4]]);
                    }
                    _ => {}
                }
                off = body_end;
            }
            Ok(Sense {
                response_code: code,
                key,
                asc,
                ascq,
                information,
                command_specific,
                key_specific,
                deferred: code == 0x73,
            })
        }
        other => Err(SenseError::UnknownFormat(other)),
    }
}

fn be_u64(b: &[u8]) -> u64 {
    b.iter().take(8).fold(0u64, |acc, &x| (acc << 8) | u64::from(x))
}

/// The SPC-4/MMC-6 text for an ASC/ASCQ pair, if the table has it.
pub fn asc_text(asc: u8, ascq: u8) -> Option<&'static str> {
    crate::sense_table::lookup(asc, ascq)
}
