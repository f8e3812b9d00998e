//! SEND CUE SHEET (MMC-6 §6.33): the CDB and the cue sheet of a session-at-once (SAO/DAO)
//! CD session holding one CD-ROM mode-1 data track (cue sheet entries §6.33.3, data forms
//! §6.33.3.12, layout as in libburn's doc/cookbook.txt "SAO CD Cookbook").

use transport::Cdb;

use super::{be, op, Msf};

/// Size of one cue sheet entry in bytes.
pub const ENTRY_LEN: usize = 8;

/// Blocks of the mandatory pre-gap (index 0) before the first track: 2 seconds.
pub const PREGAP_BLOCKS: u32 = 150;

/// CTL|ADR of a data track's time-point entries: CTL 4 (data track), ADR 1 (position).
pub const CTL_ADR_DATA: u8 = 0x41;

/// TNO of the lead-out entry.
pub const TNO_LEADOUT: u8 = 0xAA;

/// DATA FORM 10h: CD-ROM mode 1, 2048 user bytes sent per block (§6.33.3.12).
pub const FORM_MODE1: u8 = 0x10;

/// DATA FORM 14h: CD-ROM mode 1 pause, the drive generates the blocks (lead-in, lead-out).
pub const FORM_MODE1_GENERATED: u8 = 0x14;

/// Field offsets within one cue sheet entry (§6.33.3 table).
mod off {
    pub const CTL_ADR: usize = 0;
    pub const TNO: usize = 1;
    pub const INDEX: usize = 2;
    pub const DATA_FORM: usize = 3;
    pub const SCMS: usize = 4;
    pub const MIN: usize = 5;
    pub const SEC: usize = 6;
    pub const FRAME: usize = 7;
}

/// One 8-byte cue sheet entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CueEntry {
    /// Control (high nibble) and ADR (low nibble).
    pub ctl_adr: u8,
    /// Track number, 00h for the lead-in, AAh for the lead-out.
    pub tno: u8,
    /// Index within the track (0 = pre-gap, 1 = start of the track's data).
    pub index: u8,
    /// DATA FORM (main channel format of the blocks from this point).
    pub data_form: u8,
    /// Serial copy management byte.
    pub scms: u8,
    /// Absolute time where this entry's range starts.
    pub msf: Msf,
}

impl CueEntry {
    /// The entry's wire bytes.
    pub fn to_bytes(self) -> [u8; ENTRY_LEN] {
        let mut b = [0u8; ENTRY_LEN];
        b[off::CTL_ADR] = self.ctl_adr;
        b[off::TNO] = self.tno;
        b[off::INDEX] = self.index;
        b[off::DATA_FORM] = self.data_form;
        b[off::SCMS] = self.scms;
        b[off::MIN] = self.msf.m;
        b[off::SEC] = self.msf.s;
        b[off::FRAME] = self.msf.f;
        b
    }

    /// Parses one entry from exactly [`ENTRY_LEN`] bytes (`None` for another length).
    pub fn parse(b: &[u8]) -> Option<CueEntry> {
        if b.len() != ENTRY_LEN {
            return None;
        }
        Some(CueEntry {
            ctl_adr: be::u8_at(b, off::CTL_ADR),
            tno: be::u8_at(b, off::TNO),
            index: be::u8_at(b, off::INDEX),
            data_form: be::u8_at(b, off::DATA_FORM),
            scms: be::u8_at(b, off::SCMS),
            msf: Msf {
                m: be::u8_at(b, off::MIN),
                s: be::u8_at(b, off::SEC),
                f: be::u8_at(b, off::FRAME),
            },
        })
    }
}

/// The cue sheet of a session holding one mode-1 data track numbered `tno` (1 on a blank
/// disc, the previous session's last track + 1 otherwise) of `blocks` 2048-byte blocks
/// whose index 1 (first data block) is at `track_start` (0 on a blank disc, the next
/// writable address on an appendable one). The host writes from `track_start - 150`:
/// 150 pre-gap blocks, then the track; the drive writes lead-in and lead-out itself.
pub fn data_track(tno: u8, track_start: i32, blocks: u32) -> Vec<u8> {
    let pregap = track_start - PREGAP_BLOCKS as i32;
    let leadout = track_start.saturating_add(i32::try_from(blocks).unwrap_or(i32::MAX));
    let entry = |tno, index, data_form, lba: Option<i32>| CueEntry {
        ctl_adr: CTL_ADR_DATA,
        tno,
        index,
        data_form,
        scms: 0,
        msf: lba.map_or(Msf { m: 0, s: 0, f: 0 }, Msf::from_lba),
    };
    [
        entry(0, 0, FORM_MODE1_GENERATED, None),
        entry(tno, 0, FORM_MODE1, Some(pregap)),
        entry(tno, 1, FORM_MODE1, Some(track_start)),
        entry(TNO_LEADOUT, 1, FORM_MODE1_GENERATED, Some(leadout)),
    ]
    .iter()
    .flat_map(|e| e.to_bytes())
    .collect()
}

/// The SEND CUE SHEET CDB for a cue sheet of `len` bytes (bytes 6..8: cue sheet size).
pub fn cdb(len: u32) -> Cdb {
    let mut c = [0u8; 10];
    c[0] = op::SEND_CUE_SHEET;
    be::put24(&mut c, 6, len & 0x00FF_FFFF);
    Cdb::ten(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdb_bytes() {
        assert_eq!(cdb(32).as_bytes(), &[0x5D, 0, 0, 0, 0, 0, 0, 0, 0x20, 0]);
        assert_eq!(
            cdb(0x0102_0304).as_bytes(),
            &[0x5D, 0, 0, 0, 0, 0, 0x02, 0x03, 0x04, 0]
        );
    }

    #[test]
    fn one_data_track_on_blank_disc() {
        // The cookbook's data cue sheet: lead-in (41 00 00 14), pre-gap at 00:00:00,
        // track 1 index 1 at 00:02:00, lead-out AA at the end. 1000 blocks end at
        // LBA 1000 = frame 1150 = 00:15:25.
        let sheet = data_track(1, 0, 1000);
        assert_eq!(
            sheet,
            vec![
                0x41, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, //
                0x41, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, //
                0x41, 0x01, 0x01, 0x10, 0x00, 0x00, 0x02, 0x00, //
                0x41, 0xAA, 0x01, 0x14, 0x00, 0x00, 0x0F, 0x19, //
            ]
        );
    }

    #[test]
    fn second_session_starts_at_its_next_writable_address() {
        // Track at LBA 11702 (after a 252-block first session): pre-gap at 11552
        // (frame 11702 = 02:36:02), index 1 at frame 11852 = 02:38:02, 300 blocks.
        let sheet = data_track(2, 11_702, 300);
        let e: Vec<CueEntry> = sheet
            .chunks(ENTRY_LEN)
            .filter_map(CueEntry::parse)
            .collect();
        assert_eq!(e.len(), 4);
        assert_eq!(e[1].to_bytes(), [0x41, 2, 0, 0x10, 0, 2, 36, 2]);
        assert_eq!(e[1].msf, Msf { m: 2, s: 36, f: 2 });
        assert_eq!(e[2].msf, Msf { m: 2, s: 38, f: 2 });
        assert_eq!(e[3].msf.to_lba(), 12_002);
        assert_eq!(e[0].to_bytes(), [0x41, 0, 0, 0x14, 0, 0, 0, 0]);
        assert_eq!(CueEntry::parse(&[0; 7]), None);
    }
}
