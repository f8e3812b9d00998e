//! READ TRACK INFORMATION (MMC-6 §6.27, track information block table 496).

use transport::Cdb;

use super::{be, op};
use crate::error::ParseError;

/// Minimum length of a track information block every MMC drive returns (through LRA).
pub const MIN_LEN: usize = 28;
/// Full length defined by MMC-6.
pub const FULL_LEN: usize = 48;
/// Track number of the invisible / incomplete track.
pub const INVISIBLE_TRACK: u32 = 0xFF;

const DATA_LEN: usize = 0;
const TRACK_LSB: usize = 2;
const SESSION_LSB: usize = 3;
const TRACK_MODE: usize = 5;
const DATA_MODE: usize = 6;
const VALID: usize = 7;
const START: usize = 8;
const NWA: usize = 12;
const FREE: usize = 16;
const PACKET_SIZE: usize = 20;
const SIZE: usize = 24;
const LRA: usize = 28;
const TRACK_MSB: usize = 32;
const SESSION_MSB: usize = 33;
const READ_COMPAT_LBA: usize = 36;

/// What the address field of the CDB names (byte 1, bits 1..0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackAddress {
    /// 00b: the track containing this LBA.
    Lba(u32),
    /// 01b: track number (FFh = invisible track; 0 = lead-in on CD).
    Track(u32),
    /// 10b: the first track of this session number.
    Session(u32),
}

/// The READ TRACK INFORMATION CDB.
pub fn cdb(addr: TrackAddress, alloc: u16) -> Cdb {
    let (t, v) = match addr {
        TrackAddress::Lba(l) => (0, l),
        TrackAddress::Track(n) => (1, n),
        TrackAddress::Session(s) => (2, s),
    };
    let mut c = [0u8; 10];
    c[0] = op::READ_TRACK_INFORMATION;
    c[1] = t;
    be::put32(&mut c, 2, v);
    be::put16(&mut c, 7, alloc);
    Cdb::ten(c)
}

/// A track information block.
#[derive(Debug, Clone, Copy)]
pub struct TrackInfoView<'a> {
    b: &'a [u8],
}

impl<'a> TrackInfoView<'a> {
    /// Wraps bytes a `new_checked` call already accepted (accessors never panic anyway).
    pub(crate) fn trusted(b: &'a [u8]) -> Self {
        TrackInfoView { b }
    }

    /// The bytes the view covers (clipped to the length the answer announced).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.b
    }

    /// Checks that the block is at least 28 bytes (fields past the data length read as 0).
    pub fn new_checked(b: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("track information", b, MIN_LEN)?;
        let end = (usize::from(be::u16_at(b, DATA_LEN)) + 2).clamp(MIN_LEN, b.len());
        Ok(TrackInfoView { b: &b[..end] })
    }
    /// Track number.
    pub fn track(&self) -> u16 {
        u16::from_be_bytes([be::u8_at(self.b, TRACK_MSB), be::u8_at(self.b, TRACK_LSB)])
    }
    /// Session number.
    pub fn session(&self) -> u16 {
        u16::from_be_bytes([
            be::u8_at(self.b, SESSION_MSB),
            be::u8_at(self.b, SESSION_LSB),
        ])
    }
    /// Track is damaged.
    pub fn damage(&self) -> bool {
        be::bit(self.b, TRACK_MODE, 5)
    }
    /// Copy bit.
    pub fn copy(&self) -> bool {
        be::bit(self.b, TRACK_MODE, 4)
    }
    /// Track mode (CONTROL nibble on CD; 4 = data, 7 = DVD+R per tgt).
    pub fn track_mode(&self) -> u8 {
        be::bits(self.b, TRACK_MODE, 0, 4)
    }
    /// Reserved track (RT).
    pub fn reserved(&self) -> bool {
        be::bit(self.b, DATA_MODE, 7)
    }
    /// Blank track.
    pub fn blank(&self) -> bool {
        be::bit(self.b, DATA_MODE, 6)
    }
    /// Packet/incremental.
    pub fn packet(&self) -> bool {
        be::bit(self.b, DATA_MODE, 5)
    }
    /// Fixed packet (FP).
    pub fn fixed_packet(&self) -> bool {
        be::bit(self.b, DATA_MODE, 4)
    }
    /// Data mode (1 = mode 1, 2 = mode 2, Fh = unknown).
    pub fn data_mode(&self) -> u8 {
        be::bits(self.b, DATA_MODE, 0, 4)
    }
    /// Last recorded address valid.
    pub fn lra_valid(&self) -> bool {
        be::bit(self.b, VALID, 1)
    }
    /// Next writable address valid.
    pub fn nwa_valid(&self) -> bool {
        be::bit(self.b, VALID, 0)
    }
    /// Logical track start address.
    pub fn start(&self) -> u32 {
        be::u32_at(self.b, START)
    }
    /// Next writable address (meaningful when [`Self::nwa_valid`]).
    pub fn next_writable(&self) -> u32 {
        be::u32_at(self.b, NWA)
    }
    /// The NWA when valid.
    pub fn nwa(&self) -> Option<u32> {
        self.nwa_valid().then(|| self.next_writable())
    }
    /// Free blocks.
    pub fn free_blocks(&self) -> u32 {
        be::u32_at(self.b, FREE)
    }
    /// Fixed packet size / blocking factor.
    pub fn packet_size(&self) -> u32 {
        be::u32_at(self.b, PACKET_SIZE)
    }
    /// Logical track size in blocks.
    pub fn size(&self) -> u32 {
        be::u32_at(self.b, SIZE)
    }
    /// Last recorded address (present in 32+ byte answers and valid when LRA_V).
    pub fn last_recorded(&self) -> Option<u32> {
        (self.lra_valid() && self.b.len() >= LRA + 4).then(|| be::u32_at(self.b, LRA))
    }
    /// Read compatibility LBA (DVD+R), when present.
    pub fn read_compat_lba(&self) -> Option<u32> {
        (self.b.len() >= READ_COMPAT_LBA + 4).then(|| be::u32_at(self.b, READ_COMPAT_LBA))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tgt usr/mmc.c track_type_lba for a blank DVD+R: track 1 session 1, mode 7, blank,
    /// NWA valid at 0, free 0x230540, blocking 16, size 0x230540, read-compat 0x040D0E.
    fn tgt_blank_dvd_plus_r() -> Vec<u8> {
        let mut b = vec![0u8; 40];
        b[1] = 38;
        b[2] = 1;
        b[3] = 1;
        b[5] = 0x07;
        b[6] = 0x41;
        b[7] = 0x01;
        b[16..20].copy_from_slice(&[0x00, 0x23, 0x05, 0x40]);
        b[20..24].copy_from_slice(&[0, 0, 0, 0x10]);
        b[24..28].copy_from_slice(&[0x00, 0x23, 0x05, 0x40]);
        b[36..40].copy_from_slice(&[0x00, 0x04, 0x0D, 0x0E]);
        b
    }

    #[test]
    fn cdb_bytes() {
        assert_eq!(
            cdb(TrackAddress::Track(INVISIBLE_TRACK), 48).as_bytes(),
            &[0x52, 1, 0, 0, 0, 0xFF, 0, 0, 48, 0]
        );
        assert_eq!(
            cdb(TrackAddress::Lba(0x100), 28).as_bytes()[..6],
            [0x52, 0, 0, 0, 1, 0]
        );
    }

    #[test]
    fn tgt_dvd_plus_r() {
        let b = tgt_blank_dvd_plus_r();
        let v = TrackInfoView::new_checked(&b).unwrap();
        assert_eq!((v.track(), v.session()), (1, 1));
        assert_eq!(v.track_mode(), 7);
        assert!(v.blank());
        assert_eq!(v.data_mode(), 1);
        assert_eq!(v.nwa(), Some(0));
        assert_eq!(v.free_blocks(), 0x0023_0540);
        assert_eq!(v.packet_size(), 16);
        assert_eq!(v.size(), 0x0023_0540);
        assert_eq!(v.last_recorded(), None);
        assert_eq!(v.read_compat_lba(), Some(0x040D0E));
    }

    #[test]
    fn mmc6_cd_r_second_session_invisible_track() {
        // CD-R after one closed session of 10000 blocks: track 2 in session 2 is the
        // invisible track, NWA = 10000 + 11400 (lead-out 6750 + lead-in 4500 + pregap 150).
        let mut b = vec![0u8; 36];
        b[1] = 34;
        b[2] = 2;
        b[3] = 2;
        b[5] = 0x04;
        b[6] = 0x41 | 0x20; // blank, incremental, mode 1
        b[7] = 0x01;
        b[8..12].copy_from_slice(&21400u32.to_be_bytes());
        b[12..16].copy_from_slice(&21400u32.to_be_bytes());
        let v = TrackInfoView::new_checked(&b).unwrap();
        assert_eq!(v.nwa(), Some(21400));
        assert_eq!(v.start(), 21400);
        assert!(v.packet());
    }

    #[test]
    fn short_is_error_and_lying_length_is_clipped() {
        let b = tgt_blank_dvd_plus_r();
        assert!(TrackInfoView::new_checked(&b[..27]).is_err());
        let mut c = b[..30].to_vec();
        c[1] = 0xFF;
        let v = TrackInfoView::new_checked(&c).unwrap();
        assert_eq!(v.read_compat_lba(), None);
        assert_eq!(v.track(), 1);
    }
}
