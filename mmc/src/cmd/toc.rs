//! READ TOC/PMA/ATIP (MMC-6 §6.26): formats 0000b formatted TOC (table 478), 0001b
//! multi-session information (table 480), 0010b full TOC (table 482). Format 0100b ATIP is
//! in [`super::atip`].

use transport::Cdb;

use super::{be, op, Msf};
use crate::error::ParseError;

/// TOC format (CDB byte 2, bits 3..0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TocFormat {
    /// 0000b: formatted TOC.
    Formatted,
    /// 0001b: multi-session information (first track of the last complete session).
    SessionInfo,
    /// 0010b: full (raw) TOC, Q sub-channel descriptors.
    Full,
    /// 0011b: PMA.
    Pma,
    /// 0100b: ATIP.
    Atip,
    /// 0101b: CD-TEXT.
    CdText,
}

impl TocFormat {
    /// The 4-bit code.
    pub fn code(self) -> u8 {
        match self {
            TocFormat::Formatted => 0,
            TocFormat::SessionInfo => 1,
            TocFormat::Full => 2,
            TocFormat::Pma => 3,
            TocFormat::Atip => 4,
            TocFormat::CdText => 5,
        }
    }
}

/// Header length (data length, first, last).
pub const HEADER_LEN: usize = 4;
/// Formatted/session TOC track descriptor length.
pub const TRACK_DESCRIPTOR_LEN: usize = 8;
/// Full TOC descriptor length.
pub const FULL_DESCRIPTOR_LEN: usize = 11;
const DATA_LEN: usize = 0;
const FIRST: usize = 2;
const LAST: usize = 3;

/// The READ TOC/PMA/ATIP CDB. `number` is the starting track (format 0), session (format 2)
/// or ignored; `msf` asks for addresses as MSF instead of LBA.
pub fn cdb(format: TocFormat, msf: bool, number: u8, alloc: u16) -> Cdb {
    let mut c = [0u8; 10];
    c[0] = op::READ_TOC;
    c[1] = if msf { 0x02 } else { 0 };
    c[2] = format.code();
    c[6] = number;
    be::put16(&mut c, 7, alloc);
    Cdb::ten(c)
}

/// Total answer length the header announces (data length + 2).
pub fn announced_len(b: &[u8]) -> usize {
    usize::from(be::u16_at(b, DATA_LEN)) + 2
}

/// A track start address as the drive gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Address {
    /// LBA form (signed: lead-in addresses are negative).
    Lba(i32),
    /// MSF form.
    Msf(Msf),
}

impl Address {
    /// The address as an LBA.
    pub fn lba(self) -> i32 {
        match self {
            Address::Lba(l) => l,
            Address::Msf(m) => m.to_lba(),
        }
    }
    fn read(b: &[u8], off: usize, msf: bool) -> Address {
        if msf {
            Address::Msf(Msf {
                m: be::u8_at(b, off + 1),
                s: be::u8_at(b, off + 2),
                f: be::u8_at(b, off + 3),
            })
        } else {
            Address::Lba(be::u32_at(b, off) as i32)
        }
    }
}

/// One formatted-TOC track descriptor (table 479).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TocTrack {
    /// ADR (sub-channel Q content, 1 = position).
    pub adr: u8,
    /// CONTROL nibble: bit 2 data track, bit 0 pre-emphasis / incremental, ...
    pub control: u8,
    /// Track number (AAh = lead-out).
    pub number: u8,
    /// Track start address.
    pub start: Address,
}

impl TocTrack {
    /// True for a data track (CONTROL bit 2).
    pub fn is_data(&self) -> bool {
        self.control & 0x04 != 0
    }
    /// True for the lead-out pseudo track AAh.
    pub fn is_leadout(&self) -> bool {
        self.number == 0xAA
    }
}

/// A formatted TOC (format 0) or multi-session information (format 1) answer.
#[derive(Debug, Clone, Copy)]
pub struct TocView<'a> {
    b: &'a [u8],
    msf: bool,
}

impl<'a> TocView<'a> {
    /// Checks the 4-byte header; descriptors past the end of the data are not read.
    /// `msf` says whether the CDB asked for MSF addresses.
    pub fn new_checked(b: &'a [u8], msf: bool) -> Result<Self, ParseError> {
        ParseError::need("TOC header", b, HEADER_LEN)?;
        let end = announced_len(b).clamp(HEADER_LEN, b.len());
        Ok(TocView { b: &b[..end], msf })
    }
    /// First track number (format 0) or first complete session number (format 1).
    pub fn first(&self) -> u8 {
        be::u8_at(self.b, FIRST)
    }
    /// Last track number (format 0) or last complete session number (format 1).
    pub fn last(&self) -> u8 {
        be::u8_at(self.b, LAST)
    }
    /// Number of whole descriptors present.
    pub fn len(&self) -> usize {
        (self.b.len() - HEADER_LEN) / TRACK_DESCRIPTOR_LEN
    }
    /// True when no descriptor is present.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Descriptor `i`.
    pub fn track(&self, i: usize) -> Option<TocTrack> {
        if i >= self.len() {
            return None;
        }
        let off = HEADER_LEN + i * TRACK_DESCRIPTOR_LEN;
        Some(TocTrack {
            adr: be::bits(self.b, off + 1, 4, 4),
            control: be::bits(self.b, off + 1, 0, 4),
            number: be::u8_at(self.b, off + 2),
            start: Address::read(self.b, off + 4, self.msf),
        })
    }
    /// All descriptors.
    pub fn tracks(&self) -> impl Iterator<Item = TocTrack> + '_ {
        (0..self.len()).filter_map(|i| self.track(i))
    }
    /// The lead-out descriptor (track AAh), if present.
    pub fn leadout(&self) -> Option<TocTrack> {
        self.tracks().find(|t| t.is_leadout())
    }
}

/// One full-TOC descriptor (table 483).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct FullTocEntry {
    /// Session number.
    pub session: u8,
    /// ADR.
    pub adr: u8,
    /// CONTROL.
    pub control: u8,
    /// TNO (0 in the lead-in).
    pub tno: u8,
    /// POINT (track number, or A0h first track, A1h last track, A2h lead-out start,
    /// B0h next possible program area, C0h ATIP start of lead-in, ...).
    pub point: u8,
    /// ATIME (Min, Sec, Frame).
    pub atime: Msf,
    /// PMIN, PSEC, PFRAME.
    pub ptime: Msf,
}

impl FullTocEntry {
    /// The P-time as an LBA (track start for POINT 01..63h, lead-out start for A2h).
    pub fn p_lba(&self) -> i32 {
        self.ptime.to_lba()
    }
}

/// A full TOC (format 2) answer. The descriptors are in MSF whatever the MSF bit said.
#[derive(Debug, Clone, Copy)]
pub struct FullTocView<'a> {
    b: &'a [u8],
}

impl<'a> FullTocView<'a> {
    /// Checks the 4-byte header.
    pub fn new_checked(b: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("full TOC header", b, HEADER_LEN)?;
        let end = announced_len(b).clamp(HEADER_LEN, b.len());
        Ok(FullTocView { b: &b[..end] })
    }
    /// First complete session number.
    pub fn first_session(&self) -> u8 {
        be::u8_at(self.b, FIRST)
    }
    /// Last complete session number.
    pub fn last_session(&self) -> u8 {
        be::u8_at(self.b, LAST)
    }
    /// Number of whole descriptors.
    pub fn len(&self) -> usize {
        (self.b.len() - HEADER_LEN) / FULL_DESCRIPTOR_LEN
    }
    /// True when no descriptor is present.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Descriptor `i`.
    pub fn entry(&self, i: usize) -> Option<FullTocEntry> {
        if i >= self.len() {
            return None;
        }
        let o = HEADER_LEN + i * FULL_DESCRIPTOR_LEN;
        let b = self.b;
        Some(FullTocEntry {
            session: be::u8_at(b, o),
            adr: be::bits(b, o + 1, 4, 4),
            control: be::bits(b, o + 1, 0, 4),
            tno: be::u8_at(b, o + 2),
            point: be::u8_at(b, o + 3),
            atime: Msf {
                m: be::u8_at(b, o + 4),
                s: be::u8_at(b, o + 5),
                f: be::u8_at(b, o + 6),
            },
            ptime: Msf {
                m: be::u8_at(b, o + 8),
                s: be::u8_at(b, o + 9),
                f: be::u8_at(b, o + 10),
            },
        })
    }
    /// All descriptors.
    pub fn entries(&self) -> impl Iterator<Item = FullTocEntry> + '_ {
        (0..self.len()).filter_map(|i| self.entry(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// QEMU scsi-cd (hw/block/cdrom.c cdrom_read_toc), LBA form, a 1000-block image:
    /// one data track at 0, lead-out (ADR/CONTROL 16h) at 1000.
    const QEMU_TOC_LBA: [u8; 20] = [
        0x00, 0x12, 0x01, 0x01, //
        0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x16, 0xAA, 0x00, 0x00, 0x00, 0x03, 0xE8,
    ];

    #[test]
    fn cdb_bytes() {
        assert_eq!(
            cdb(TocFormat::SessionInfo, false, 0, 12).as_bytes(),
            &[0x43, 0, 1, 0, 0, 0, 0, 0, 12, 0]
        );
        assert_eq!(
            cdb(TocFormat::Atip, true, 0, 28).as_bytes()[..3],
            [0x43, 2, 4]
        );
    }

    #[test]
    fn qemu_formatted_toc_lba() {
        let v = TocView::new_checked(&QEMU_TOC_LBA, false).unwrap();
        assert_eq!((v.first(), v.last(), v.len()), (1, 1, 2));
        let t = v.track(0).unwrap();
        assert_eq!(
            (t.adr, t.control, t.number, t.start),
            (1, 4, 1, Address::Lba(0))
        );
        assert!(t.is_data());
        assert_eq!(v.leadout().unwrap().start.lba(), 1000);
        assert!(v.track(2).is_none());
    }

    #[test]
    fn qemu_formatted_toc_msf() {
        // Same disc in MSF: track 1 at 00:02:00, lead-out 1000+150 frames = 00:15:25.
        let b = [
            0x00, 0x12, 0x01, 0x01, 0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x16,
            0xAA, 0x00, 0x00, 0x00, 0x0F, 0x19,
        ];
        let v = TocView::new_checked(&b, true).unwrap();
        assert_eq!(v.track(0).unwrap().start.lba(), 0);
        assert_eq!(v.leadout().unwrap().start.lba(), 1000);
    }

    #[test]
    fn qemu_session_info_is_all_zero_descriptor() {
        // QEMU answers format 1 with 00 0A 01 01 and eight zero bytes.
        let b = [0, 0x0A, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        let v = TocView::new_checked(&b, false).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v.track(0).unwrap().start, Address::Lba(0));
    }

    #[test]
    fn tgt_session_info() {
        // tgt usr/mmc.c format 1: first track 1 (ADR/CONTROL 14h) of session 1 at LBA 0.
        let b = [0, 0x0A, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0];
        let v = TocView::new_checked(&b, false).unwrap();
        assert_eq!(v.track(0).unwrap().number, 1);
    }

    #[test]
    fn truncated_and_lying_headers() {
        assert!(TocView::new_checked(&[0, 0x12, 1], false).is_err());
        // Header claims 0xFFFF bytes, only one descriptor present.
        let v = TocView::new_checked(&QEMU_TOC_LBA[..12], false).unwrap();
        assert_eq!(v.len(), 1);
        // Header claims less than its own size.
        let v = TocView::new_checked(&[0, 0, 1, 1, 0, 0x14], false).unwrap();
        assert_eq!(v.len(), 0);
    }

    #[test]
    fn qemu_full_toc() {
        // cdrom_read_toc_raw, LBA flag clear: A0 first track 1, A1 last track 1,
        // A2 lead-out at 00:15:25 for 1000 blocks (MSF form), point 1 at 00:02:00.
        let b = [
            0x00, 0x2E, 0x01, 0x01, //
            0x01, 0x14, 0x00, 0xA0, 0, 0, 0, 0, 0x01, 0x00, 0x00, //
            0x01, 0x14, 0x00, 0xA1, 0, 0, 0, 0, 0x01, 0x00, 0x00, //
            0x01, 0x14, 0x00, 0xA2, 0, 0, 0, 0, 0x00, 0x0F, 0x19, //
            0x01, 0x14, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x02, 0x00,
        ];
        let v = FullTocView::new_checked(&b).unwrap();
        assert_eq!(v.len(), 4);
        let a2 = v.entries().find(|e| e.point == 0xA2).unwrap();
        assert_eq!(a2.p_lba(), 1000);
        assert_eq!(v.entry(3).unwrap().p_lba(), 0);
        assert_eq!(v.entry(0).unwrap().ptime.m, 1);
    }
}
