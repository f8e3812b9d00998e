//! BLANK (MMC-6 §6.2, blanking types table 63) and FORMAT UNIT (MMC-6 §6.5, format list
//! header table 71 and format descriptor table 73).

use transport::Cdb;

use super::{be, op};

/// Blanking type (BLANK CDB byte 1, bits 2..0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlankType {
    /// 000b: blank the whole disc.
    All,
    /// 001b: blank PMA, TOC and the first track's pregap (minimal).
    Minimal,
    /// 010b: blank track `n`.
    Track(u32),
    /// 011b: unreserve the incomplete track.
    UnreserveTrack,
    /// 100b: blank the tail of the last track from an LBA.
    TrackTail(u32),
    /// 101b: unclose the last session.
    UncloseSession,
    /// 110b: blank the last session.
    Session,
}

/// The BLANK CDB; `immed` returns at once (poll with REQUEST SENSE for progress).
pub fn blank(kind: BlankType, immed: bool) -> Cdb {
    let (code, addr) = match kind {
        BlankType::All => (0, 0),
        BlankType::Minimal => (1, 0),
        BlankType::Track(n) => (2, n),
        BlankType::UnreserveTrack => (3, 0),
        BlankType::TrackTail(lba) => (4, lba),
        BlankType::UncloseSession => (5, 0),
        BlankType::Session => (6, 0),
    };
    let mut c = [0u8; 12];
    c[0] = op::BLANK;
    c[1] = code | if immed { 0x10 } else { 0 };
    be::put32(&mut c, 2, addr);
    Cdb::twelve(c)
}

/// Length of the FORMAT UNIT parameter list this crate sends (header + one descriptor).
pub const FORMAT_PARAMS_LEN: usize = 12;

/// A FORMAT UNIT request with one format descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatRequest {
    /// Number of blocks (from READ FORMAT CAPACITIES).
    pub blocks: u32,
    /// Format type (6 bits): 00h full, 26h DVD+RW basic, 30h/31h BD-RE with/without spare...
    pub format_type: u8,
    /// Format subtype (2 bits, BD).
    pub subtype: u8,
    /// Type dependent parameter (24 bits).
    pub type_dependent: u32,
    /// Return before formatting completes (IMMED in the header).
    pub immed: bool,
}

impl FormatRequest {
    /// The FORMAT UNIT CDB (FmtData=1, format code 001b).
    pub fn cdb(&self) -> Cdb {
        Cdb::six([op::FORMAT_UNIT, 0x11, 0, 0, 0, 0])
    }

    /// The 12-byte parameter list: header (FOV=1 with IMMED when asked) and descriptor.
    pub fn params(&self) -> [u8; FORMAT_PARAMS_LEN] {
        let mut b = [0u8; FORMAT_PARAMS_LEN];
        b[1] = if self.immed { 0x82 } else { 0x00 };
        be::put16(&mut b, 2, 8);
        be::put32(&mut b, 4, self.blocks);
        b[8] = (self.format_type << 2) | (self.subtype & 3);
        be::put24(&mut b, 9, self.type_dependent);
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_cdbs() {
        // cdrecord blank=fast sends A1 11 ...: minimal blank with Immed.
        assert_eq!(
            blank(BlankType::Minimal, true).as_bytes(),
            &[0xA1, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            blank(BlankType::Track(2), false).as_bytes()[..6],
            [0xA1, 2, 0, 0, 0, 2]
        );
    }

    #[test]
    fn format_dvd_plus_rw() {
        // dvd+rw-format: format type 26h, blocks 0x0023_0540, immediate.
        let f = FormatRequest {
            blocks: 0x0023_0540,
            format_type: 0x26,
            subtype: 0,
            type_dependent: 0,
            immed: true,
        };
        assert_eq!(f.cdb().as_bytes(), &[0x04, 0x11, 0, 0, 0, 0]);
        assert_eq!(
            f.params(),
            [0, 0x82, 0, 8, 0x00, 0x23, 0x05, 0x40, 0x98, 0, 0, 0]
        );
    }
}
