//! REQUEST SENSE (SPC-4 §6.29, MMC-6 §6.29): the sense data of the last command, or the
//! progress of a long operation (FORMAT, BLANK, CLOSE: sense-key-specific progress).

use transport::{Cdb, Sense};

use super::op;
use crate::error::ParseError;

/// Largest allocation length worth asking for (fixed sense is 18 bytes, descriptor up to 252).
pub const ALLOCATION: u8 = 252;

/// The REQUEST SENSE CDB; `descriptor` asks for descriptor format (DESC bit).
pub fn cdb(descriptor: bool, alloc: u8) -> Cdb {
    Cdb::six([op::REQUEST_SENSE, u8::from(descriptor), 0, 0, alloc, 0])
}

/// Parses REQUEST SENSE parameter data (fixed or descriptor format).
pub fn parse(data: &[u8]) -> Result<Sense, ParseError> {
    Sense::parse(data).map_err(|e| ParseError::BadField {
        what: "sense data",
        field: "RESPONSE CODE",
        detail: e.to_string(),
    })
}

/// Progress of a long operation from sense-key-specific bytes (SPC-4 §4.5.2.4.4): a
/// fraction 0..=65535 of 65536, when the SKSV bit was set.
pub fn progress(sense: &Sense) -> Option<u16> {
    sense.key_specific.map(|k| u16::from_be_bytes([k[1], k[2]]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use transport::SenseKey;

    #[test]
    fn cdb_bytes() {
        assert_eq!(cdb(false, 18).as_bytes(), &[0x03, 0, 0, 0, 18, 0]);
    }

    #[test]
    fn progress_of_format_in_progress() {
        // NOT READY, 04/04 FORMAT IN PROGRESS, SKSV with progress 0x8000 (50 %).
        let mut b = Sense::fixed(SenseKey::NotReady, 0x04, 0x04);
        b[15] = 0x80;
        b[16] = 0x80;
        b[17] = 0x00;
        let s = parse(&b).unwrap();
        assert_eq!(progress(&s), Some(0x8000));
        assert!(parse(&[0x10]).is_err());
    }
}
