//! Request and completion types (SAM-5 §5.1 "The Execute Command procedure call").

use std::fmt;
use std::time::Duration;

use crate::sense::Sense;

/// A command descriptor block of 6, 10, 12 or 16 bytes (SPC-4 §4.2).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cdb {
    bytes: [u8; 16],
    len: u8,
}

/// Why a byte string is not a valid CDB.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CdbError {
    /// Only 6, 10, 12 and 16 byte CDBs exist in MMC.
    #[error("a CDB has 6, 10, 12 or 16 bytes, not {0}")]
    BadLength(usize),
}

impl Cdb {
    /// Builds a CDB from its bytes; the length must be 6, 10, 12 or 16.
    pub fn new(bytes: &[u8]) -> Result<Self, CdbError> {
        match bytes.len() {
            6 | 10 | 12 | 16 => {
                let mut b = [0u8; 16];
                b[..bytes.len()].copy_from_slice(bytes);
                Ok(Cdb {
                    bytes: b,
                    len: bytes.len() as u8,
                })
            }
            n => Err(CdbError::BadLength(n)),
        }
    }

    /// A 6-byte CDB.
    pub fn six(b: [u8; 6]) -> Self {
        let mut bytes = [0u8; 16];
        bytes[..6].copy_from_slice(&b);
        Cdb { bytes, len: 6 }
    }

    /// A 10-byte CDB.
    pub fn ten(b: [u8; 10]) -> Self {
        let mut bytes = [0u8; 16];
        bytes[..10].copy_from_slice(&b);
        Cdb { bytes, len: 10 }
    }

    /// A 12-byte CDB.
    pub fn twelve(b: [u8; 12]) -> Self {
        let mut bytes = [0u8; 16];
        bytes[..12].copy_from_slice(&b);
        Cdb { bytes, len: 12 }
    }

    /// A 16-byte CDB.
    pub fn sixteen(b: [u8; 16]) -> Self {
        Cdb { bytes: b, len: 16 }
    }

    /// The CDB's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// Operation code (byte 0).
    pub fn opcode(&self) -> u8 {
        self.bytes[0]
    }

    /// Number of bytes (6, 10, 12 or 16).
    #[allow(clippy::len_without_is_empty)] // reason: a CDB is never empty
    pub fn len(&self) -> usize {
        self.len as usize
    }
}

impl fmt::Debug for Cdb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cdb({self})")
    }
}

impl fmt::Display for Cdb {
    /// Hex bytes separated by spaces, as `cdrecord -V` prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.as_bytes().iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

/// Direction and buffer of a command's data phase.
#[derive(Debug)]
pub enum DataPhase<'a> {
    /// No data transfer.
    None,
    /// Device to host: the device fills (a prefix of) the buffer.
    In(&'a mut [u8]),
    /// Host to device: the device reads the buffer.
    Out(&'a [u8]),
}

impl DataPhase<'_> {
    /// Length of the data buffer in bytes (0 for `None`).
    pub fn len(&self) -> usize {
        match self {
            DataPhase::None => 0,
            DataPhase::In(b) => b.len(),
            DataPhase::Out(b) => b.len(),
        }
    }

    /// True when there is no data to move.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Short direction word for traces: "none", "in", "out".
    pub fn direction(&self) -> &'static str {
        match self {
            DataPhase::None => "none",
            DataPhase::In(_) => "in",
            DataPhase::Out(_) => "out",
        }
    }
}

/// One command to execute.
#[derive(Debug)]
pub struct Request<'a> {
    /// The command descriptor block.
    pub cdb: Cdb,
    /// The data phase.
    pub data: DataPhase<'a>,
    /// How long the command may take before the transport gives up on it.
    pub timeout: Duration,
}

impl<'a> Request<'a> {
    /// A command with no data phase and the default timeout.
    pub fn none(cdb: Cdb) -> Self {
        Request {
            cdb,
            data: DataPhase::None,
            timeout: crate::DEFAULT_TIMEOUT,
        }
    }

    /// A command reading into `buf`, with the default timeout.
    pub fn read(cdb: Cdb, buf: &'a mut [u8]) -> Self {
        Request {
            cdb,
            data: DataPhase::In(buf),
            timeout: crate::DEFAULT_TIMEOUT,
        }
    }

    /// A command sending `buf`, with the default timeout.
    pub fn write(cdb: Cdb, buf: &'a [u8]) -> Self {
        Request {
            cdb,
            data: DataPhase::Out(buf),
            timeout: crate::DEFAULT_TIMEOUT,
        }
    }

    /// The same request with another timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// SCSI status byte (SAM-5 §5.3.1 table 33).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScsiStatus {
    /// 00h GOOD.
    Good,
    /// 02h CHECK CONDITION: sense data describes the failure.
    CheckCondition,
    /// 04h CONDITION MET.
    ConditionMet,
    /// 08h BUSY.
    Busy,
    /// 18h RESERVATION CONFLICT.
    ReservationConflict,
    /// 28h TASK SET FULL.
    TaskSetFull,
    /// 30h ACA ACTIVE.
    AcaActive,
    /// 40h TASK ABORTED.
    TaskAborted,
    /// Any other value.
    Unknown(u8),
}

impl ScsiStatus {
    /// Decodes a status byte (reserved bits masked as SAM-5 says).
    pub fn from_byte(b: u8) -> Self {
        match b & 0xFE {
            0x00 => ScsiStatus::Good,
            0x02 => ScsiStatus::CheckCondition,
            0x04 => ScsiStatus::ConditionMet,
            0x08 => ScsiStatus::Busy,
            0x18 => ScsiStatus::ReservationConflict,
            0x28 => ScsiStatus::TaskSetFull,
            0x30 => ScsiStatus::AcaActive,
            0x40 => ScsiStatus::TaskAborted,
            _ => ScsiStatus::Unknown(b),
        }
    }

    /// The status byte.
    pub fn to_byte(self) -> u8 {
        match self {
            ScsiStatus::Good => 0x00,
            ScsiStatus::CheckCondition => 0x02,
            ScsiStatus::ConditionMet => 0x04,
            ScsiStatus::Busy => 0x08,
            ScsiStatus::ReservationConflict => 0x18,
            ScsiStatus::TaskSetFull => 0x28,
            ScsiStatus::AcaActive => 0x30,
            ScsiStatus::TaskAborted => 0x40,
            ScsiStatus::Unknown(b) => b,
        }
    }
}

impl fmt::Display for ScsiStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScsiStatus::Good => f.write_str("GOOD"),
            ScsiStatus::CheckCondition => f.write_str("CHECK CONDITION"),
            ScsiStatus::ConditionMet => f.write_str("CONDITION MET"),
            ScsiStatus::Busy => f.write_str("BUSY"),
            ScsiStatus::ReservationConflict => f.write_str("RESERVATION CONFLICT"),
            ScsiStatus::TaskSetFull => f.write_str("TASK SET FULL"),
            ScsiStatus::AcaActive => f.write_str("ACA ACTIVE"),
            ScsiStatus::TaskAborted => f.write_str("TASK ABORTED"),
            ScsiStatus::Unknown(b) => write!(f, "status {b:02X}h"),
        }
    }
}

/// How the device completed a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// SCSI status.
    pub status: ScsiStatus,
    /// Raw sense bytes returned with the status (empty when none).
    pub sense: Vec<u8>,
    /// Bytes of the data phase that were not transferred.
    pub residual: usize,
    /// Time the command took.
    pub duration: Duration,
}

impl Completion {
    /// A GOOD completion with no residual.
    pub fn good(duration: Duration) -> Self {
        Completion {
            status: ScsiStatus::Good,
            sense: Vec::new(),
            residual: 0,
            duration,
        }
    }

    /// A CHECK CONDITION completion carrying `sense`.
    pub fn check_condition(sense: Vec<u8>, duration: Duration) -> Self {
        Completion {
            status: ScsiStatus::CheckCondition,
            sense,
            residual: 0,
            duration,
        }
    }

    /// True for GOOD (and CONDITION MET).
    pub fn is_good(&self) -> bool {
        matches!(self.status, ScsiStatus::Good | ScsiStatus::ConditionMet)
    }

    /// Decoded sense data, when the device returned any that parses.
    pub fn sense(&self) -> Option<Sense> {
        if self.sense.is_empty() {
            None
        } else {
            Sense::parse(&self.sense).ok()
        }
    }

    /// Bytes transferred given the data phase length the request had.
    pub fn transferred(&self, requested: usize) -> usize {
        requested.saturating_sub(self.residual)
    }
}

impl fmt::Display for Completion {
    /// `GOOD`, or `CHECK CONDITION: MEDIUM ERROR: WRITE ERROR (0C/00)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if let Some(s) = self.sense() {
            write!(f, ": {s}")?;
        } else if !self.sense.is_empty() {
            write!(f, ": unparsable sense data")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdb_lengths() {
        assert!(Cdb::new(&[0; 6]).is_ok());
        assert!(Cdb::new(&[0; 10]).is_ok());
        assert!(Cdb::new(&[0; 12]).is_ok());
        assert!(Cdb::new(&[0; 16]).is_ok());
        assert_eq!(Cdb::new(&[0; 7]), Err(CdbError::BadLength(7)));
        assert_eq!(Cdb::new(&[]), Err(CdbError::BadLength(0)));
    }

    #[test]
    fn cdb_display_is_hex() {
        let c = Cdb::ten([0x28, 0, 0, 0, 0, 0x10, 0, 0, 2, 0]);
        assert_eq!(c.to_string(), "28 00 00 00 00 10 00 00 02 00");
        assert_eq!(c.opcode(), 0x28);
        assert_eq!(c.len(), 10);
    }

    #[test]
    fn status_roundtrip() {
        for b in [0u8, 2, 4, 8, 0x18, 0x28, 0x30, 0x40, 0x22] {
            assert_eq!(ScsiStatus::from_byte(b).to_byte(), b);
        }
    }
}
