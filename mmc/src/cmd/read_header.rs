//! READ HEADER (44h; MMC-2 and the SCSI-2 CD-ROM command set): the CD data mode and
//! address of the sector holding a logical block. MMC-6 no longer lists the
//! command in its table of operation codes, and drives of later generations and QEMU's
//! scsi-cd refuse it; cdrecord still asks for it at each track start to fill the `mode:`
//! column of `-toc` (cdrtools `read_trackinfo`, -1 when the drive refuses).
//!
//! CDB: byte 1 bit 1 MSF, bytes 2..6 the logical block address, bytes 7..9 the allocation
//! length. Answer (8 bytes): byte 0 the CD data mode (00h all-zero user data, 01h 2048 bytes
//! of user data with EDC/ECC, 02h 2336 bytes of user data), bytes 1..4 reserved, bytes 4..8
//! the address of the sector: an LBA, or with MSF set a reserved byte then M, S, F.

use transport::Cdb;

use super::{be, op, Msf};
use crate::error::ParseError;

/// Length of the answer.
pub const LEN: usize = 8;
const MODE: usize = 0;
const ADDRESS: usize = 4;
/// CDB byte 1 bit 1: answer the address as MSF.
const MSF_BIT: u8 = 0x02;

/// The READ HEADER CDB for logical block `lba`; `msf` asks for the address as MSF.
pub fn cdb(lba: u32, msf: bool, alloc: u16) -> Cdb {
    let mut c = [0u8; 10];
    c[0] = op::READ_HEADER;
    if msf {
        c[1] = MSF_BIT;
    }
    be::put32(&mut c, 2, lba);
    be::put16(&mut c, 7, alloc);
    Cdb::ten(c)
}

/// The CD data mode of a sector as READ HEADER reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CdDataMode {
    /// 00h: the user data is all zeros (2336 bytes).
    Zero,
    /// 01h: mode 1, 2048 bytes of user data and 288 of EDC/ECC.
    Mode1,
    /// 02h: mode 2, 2336 bytes of user data.
    Mode2,
    /// Any other value (reserved).
    Unknown(u8),
}

impl CdDataMode {
    /// Decodes the answer's byte 0.
    pub fn from_byte(b: u8) -> Self {
        match b {
            0 => CdDataMode::Zero,
            1 => CdDataMode::Mode1,
            2 => CdDataMode::Mode2,
            b => CdDataMode::Unknown(b),
        }
    }

    /// The byte as the answer carries it (what cdrecord prints in its `mode:` column).
    pub fn byte(self) -> u8 {
        match self {
            CdDataMode::Zero => 0,
            CdDataMode::Mode1 => 1,
            CdDataMode::Mode2 => 2,
            CdDataMode::Unknown(b) => b,
        }
    }
}

/// A sector header as [`crate::drive::Drive::read_header`] returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectorHeader {
    /// The CD data mode.
    pub mode: CdDataMode,
    /// The LBA of the sector the drive reports.
    pub lba: i32,
}

/// A READ HEADER answer.
#[derive(Debug, Clone, Copy)]
pub struct HeaderView<'a> {
    b: &'a [u8],
    msf: bool,
}

impl<'a> HeaderView<'a> {
    /// Checks that the 8-byte answer is there; `msf` as the CDB asked.
    pub fn new_checked(b: &'a [u8], msf: bool) -> Result<Self, ParseError> {
        ParseError::need("READ HEADER data", b, LEN)?;
        Ok(HeaderView { b, msf })
    }
    /// The CD data mode of the sector.
    pub fn mode(&self) -> CdDataMode {
        CdDataMode::from_byte(be::u8_at(self.b, MODE))
    }
    /// The sector's address as an LBA (converted from MSF when the CDB asked for MSF).
    pub fn lba(&self) -> i32 {
        if self.msf {
            self.msf_address().to_lba()
        } else {
            i32::from_be_bytes(be::u32_at(self.b, ADDRESS).to_be_bytes())
        }
    }
    /// The address field read as M, S, F (bytes 5, 6, 7); meaningful when MSF was asked.
    pub fn msf_address(&self) -> Msf {
        Msf {
            m: be::u8_at(self.b, ADDRESS + 1),
            s: be::u8_at(self.b, ADDRESS + 2),
            f: be::u8_at(self.b, ADDRESS + 3),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdb_bytes() {
        // cdrecord's read_header(scgp, xb, off, 8, 0) for a track at LBA 0: 44 00 00..00 08.
        assert_eq!(
            cdb(0, false, 8).as_bytes(),
            &[0x44, 0, 0, 0, 0, 0, 0, 0, 8, 0]
        );
        // MSF bit, LBA 12345 (3039h), 8 bytes.
        assert_eq!(
            cdb(12345, true, 8).as_bytes(),
            &[0x44, 0x02, 0, 0, 0x30, 0x39, 0, 0, 8, 0]
        );
    }

    #[test]
    fn mode1_answer_lba_and_msf() {
        // Mode 1 sector at LBA 16 (the ISO 9660 volume descriptor).
        let b = [0x01, 0, 0, 0, 0, 0, 0, 0x10];
        let v = HeaderView::new_checked(&b, false).unwrap();
        assert_eq!(v.mode(), CdDataMode::Mode1);
        assert_eq!(v.mode().byte(), 1);
        assert_eq!(v.lba(), 16);
        // The same sector as MSF: 00:02:16.
        let b = [0x01, 0, 0, 0, 0, 0, 2, 16];
        let v = HeaderView::new_checked(&b, true).unwrap();
        assert_eq!(v.msf_address(), Msf { m: 0, s: 2, f: 16 });
        assert_eq!(v.lba(), 16);
    }

    #[test]
    fn modes_and_short_answers() {
        assert_eq!(CdDataMode::from_byte(0), CdDataMode::Zero);
        assert_eq!(CdDataMode::from_byte(2), CdDataMode::Mode2);
        assert_eq!(CdDataMode::from_byte(7), CdDataMode::Unknown(7));
        for b in 0..=255u8 {
            assert_eq!(CdDataMode::from_byte(b).byte(), b);
        }
        assert!(HeaderView::new_checked(&[1, 0, 0, 0, 0, 0, 0], false).is_err());
        assert!(HeaderView::new_checked(&[], true).is_err());
    }
}
