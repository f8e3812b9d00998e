//! Logical unit numbers and what the target itself answers (SAM-5 §4.7 LUN formats,
//! SPC-4 §6.33 REPORT LUNS, SPC-4 §6.6.2 INQUIRY for an absent logical unit, SPC-4 §4.5.3
//! fixed-format sense data).
//!
//! The served drives are LUN 1, 2, ... in the order given. LUN 0 holds no device: INQUIRY
//! there answers peripheral qualifier 011b with device type 1Fh ("not capable of supporting
//! a device on this LUN", SPC-4 §6.6.2), REPORT LUNS answers at every LUN with the list of
//! served LUNs, REQUEST SENSE returns LOGICAL UNIT NOT SUPPORTED as parameter data (SPC-4
//! §6.39), and every other command ends in CHECK CONDITION, ILLEGAL REQUEST, LOGICAL UNIT
//! NOT SUPPORTED (25h/00h; SAM-5 §5.10 incorrect logical unit selection). The same holds
//! for any LUN beyond the last drive.

/// SCSI operation codes the target answers itself.
pub mod op {
    /// INQUIRY (SPC-4 §6.6).
    pub const INQUIRY: u8 = 0x12;
    /// REQUEST SENSE (SPC-4 §6.39).
    pub const REQUEST_SENSE: u8 = 0x03;
    /// REPORT LUNS (SPC-4 §6.33).
    pub const REPORT_LUNS: u8 = 0xA0;
}

/// Decodes an 8-byte LUN field into a number: single level peripheral device addressing
/// (00b, bus 0) or flat space addressing (01b) (SAM-5 §4.7.7, §4.7.9); None for other
/// forms and for a second level.
pub fn decode(lun: [u8; 8]) -> Option<u16> {
    if lun[2..].iter().any(|&b| b != 0) {
        return None;
    }
    match lun[0] >> 6 {
        0b00 if lun[0] == 0 => Some(u16::from(lun[1])),
        0b01 => Some((u16::from(lun[0] & 0x3F) << 8) | u16::from(lun[1])),
        _ => None,
    }
}

/// Encodes a LUN as single level: peripheral device addressing under 256, flat space
/// addressing from 256 (SAM-5 §4.7.7, §4.7.9), as Linux and libiscsi do.
pub fn encode(n: u16) -> [u8; 8] {
    let mut l = [0u8; 8];
    if n < 256 {
        l[1] = n as u8;
    } else {
        l[0] = 0x40 | ((n >> 8) as u8 & 0x3F);
        l[1] = n as u8;
    }
    l
}

/// Largest bytes per block a read can return: READ CD's 2352-byte sector with C2 error
/// pointers and block error bits (296) and raw sub-channel (96) (MMC-6 §6.18).
pub const MAX_BLOCK: usize = 2352 + 296 + 96;

/// The most data a data-in command's CDB can ask for: its allocation length (SPC-4 §4.2.5.6;
/// INQUIRY, REQUEST SENSE, MODE SENSE, REPORT LUNS, and MMC-6's GET CONFIGURATION, READ
/// TOC/PMA/ATIP, READ DISC/TRACK INFORMATION, GET EVENT STATUS NOTIFICATION, READ BUFFER
/// CAPACITY, READ FORMAT CAPACITIES, READ SUB-CHANNEL, REPORT KEY, READ DISC STRUCTURE,
/// MECHANISM STATUS), 8 for READ CAPACITY, or its transfer length in blocks of at most
/// [`MAX_BLOCK`] bytes (READ(10), READ(12), READ CD); None for other commands.
pub fn data_in_bound(cdb: &[u8]) -> Option<usize> {
    let be = |at: usize, n: usize| -> Option<usize> {
        cdb.get(at..at + n)
            .map(|b| b.iter().fold(0usize, |v, &x| (v << 8) | usize::from(x)))
    };
    match *cdb.first()? {
        0x12 => be(3, 2),
        0x03 | 0x1A => be(4, 1),
        0x5A | 0x46 | 0x43 | 0x51 | 0x52 | 0x4A | 0x5C | 0x23 | 0x42 => be(7, 2),
        0x25 => Some(8),
        0xA4 | 0xAD | 0xBD => be(8, 2),
        0xA0 => be(6, 4),
        0x28 => be(7, 2).map(|b| b * MAX_BLOCK),
        0xA8 => be(6, 4).map(|b| b.saturating_mul(MAX_BLOCK)),
        0xBE => be(6, 3).map(|b| b.saturating_mul(MAX_BLOCK)),
        _ => None,
    }
}

/// Sense key ILLEGAL REQUEST (SPC-4 §4.5.6).
pub const ILLEGAL_REQUEST: u8 = 0x05;
/// Sense key HARDWARE ERROR.
pub const HARDWARE_ERROR: u8 = 0x04;
/// Sense key UNIT ATTENTION.
pub const UNIT_ATTENTION: u8 = 0x06;
/// Sense key ABORTED COMMAND.
pub const ABORTED_COMMAND: u8 = 0x0B;

/// Fixed-format sense data, current error, 18 bytes (SPC-4 §4.5.3).
pub fn fixed_sense(key: u8, asc: u8, ascq: u8) -> Vec<u8> {
    let mut s = vec![0u8; 18];
    s[0] = 0x70;
    s[2] = key & 0x0F;
    s[7] = 10; // additional sense length
    s[12] = asc;
    s[13] = ascq;
    s
}

/// ILLEGAL REQUEST, LOGICAL UNIT NOT SUPPORTED (25h/00h).
pub fn lun_not_supported() -> Vec<u8> {
    fixed_sense(ILLEGAL_REQUEST, 0x25, 0x00)
}

/// ILLEGAL REQUEST, INVALID FIELD IN CDB (24h/00h).
pub fn invalid_field_in_cdb() -> Vec<u8> {
    fixed_sense(ILLEGAL_REQUEST, 0x24, 0x00)
}

/// What the target answers for a CDB it handles itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// GOOD with this data-in (cut to the allocation length by the caller's buffer).
    Data(Vec<u8>),
    /// CHECK CONDITION with this sense.
    Check(Vec<u8>),
}

/// The REPORT LUNS parameter data for LUNs 1..=count (SPC-4 §6.33.2); None for a SELECT
/// REPORT code other than 00h, 02h (no well-known LUNs here: 01h gives an empty list) or
/// an allocation length under 16.
pub fn report_luns(cdb: &[u8], count: u16) -> Reply {
    let select = cdb.get(2).copied().unwrap_or(0);
    let alloc = match cdb.get(6..10) {
        Some(b) => u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        None => 0,
    };
    // SPC-4 §6.33.1: an allocation length under 16 is INVALID FIELD IN CDB.
    if alloc < 16 {
        return Reply::Check(invalid_field_in_cdb());
    }
    let luns: Vec<u16> = match select {
        0x00 | 0x02 => (1..=count).collect(),
        0x01 => Vec::new(),
        _ => return Reply::Check(invalid_field_in_cdb()),
    };
    let mut d = Vec::with_capacity(8 + luns.len() * 8);
    d.extend_from_slice(&((luns.len() * 8) as u32).to_be_bytes());
    d.extend_from_slice(&[0; 4]);
    for n in luns {
        d.extend_from_slice(&encode(n));
    }
    d.truncate(alloc as usize);
    Reply::Data(d)
}

/// What an absent logical unit (LUN 0, or past the last drive) answers to `cdb`.
pub fn absent(cdb: &[u8]) -> Reply {
    match cdb.first().copied() {
        Some(op::INQUIRY) => {
            let evpd = cdb.get(1).is_some_and(|b| b & 1 != 0);
            let alloc = cdb
                .get(3..5)
                .map_or(0, |b| usize::from(u16::from_be_bytes([b[0], b[1]])));
            if evpd || cdb.get(2).is_some_and(|&p| p != 0) {
                return Reply::Check(invalid_field_in_cdb());
            }
            let mut d = vec![0u8; 36];
            d[0] = 0x7F; // PQ 011b, PDT 1Fh (SPC-4 §6.6.2 table 140)
            d[2] = 0x06; // VERSION: SPC-4
            d[3] = 0x02; // RESPONSE DATA FORMAT 2
            d[4] = 31; // ADDITIONAL LENGTH
            d[8..16].copy_from_slice(b"DISCBURN");
            d[16..32].copy_from_slice(b"NO LOGICAL UNIT ");
            d[32..36].copy_from_slice(b"0001");
            d.truncate(alloc);
            Reply::Data(d)
        }
        Some(op::REQUEST_SENSE) => {
            let alloc = usize::from(cdb.get(4).copied().unwrap_or(0));
            let mut s = lun_not_supported();
            s.truncate(alloc);
            Reply::Data(s)
        }
        _ => Reply::Check(lun_not_supported()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lun_forms() {
        assert_eq!(decode(encode(1)), Some(1));
        assert_eq!(encode(1), [0, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(encode(300), [0x41, 0x2C, 0, 0, 0, 0, 0, 0]);
        assert_eq!(decode(encode(300)), Some(300));
        assert_eq!(decode([0x01, 1, 0, 0, 0, 0, 0, 0]), None); // bus 1
        assert_eq!(decode([0, 1, 0, 1, 0, 0, 0, 0]), None); // second level
        assert_eq!(decode([0xC1, 0, 0, 0, 0, 0, 0, 0]), None); // extended
    }

    #[test]
    fn report_luns_and_absent_lun() {
        let cdb = [0xA0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0];
        let Reply::Data(d) = report_luns(&cdb, 2) else {
            panic!()
        };
        assert_eq!(
            d,
            [0, 0, 0, 16, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]
        );
        let short = [0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0];
        assert_eq!(report_luns(&short, 2), Reply::Check(invalid_field_in_cdb()));
        let Reply::Data(inq) = absent(&[0x12, 0, 0, 0, 36, 0]) else {
            panic!()
        };
        assert_eq!(inq[0], 0x7F);
        assert_eq!(
            absent(&[0x00, 0, 0, 0, 0, 0]),
            Reply::Check(lun_not_supported())
        );
        let Reply::Data(rs) = absent(&[0x03, 0, 0, 0, 18, 0]) else {
            panic!()
        };
        assert_eq!((rs[2], rs[12], rs[13]), (5, 0x25, 0));
    }
}
