//! The SEND CUE SHEET parameter list as the drive decodes it (MMC-6 §6.33.3: cue sheet
//! entries of 8 bytes, CTL/ADR, TNO, INDEX, DATA FORM (§6.33.3.12), SCMS, absolute MSF),
//! and the one session shape this drive records from it: one CD-ROM mode-1 data track
//! (libburn's doc/cookbook.txt, "SAO CD Cookbook").
//!
//! The drive reads the sheet with its own decoder, not with the host's builder, so a host
//! that builds a wrong sheet is refused instead of being checked against itself.

use super::medium::{lba_to_msf, msf_to_lba};

/// Size of one cue sheet entry.
pub const ENTRY_LEN: usize = 8;

/// Blocks of the pre-gap (index 0) before index 1 of the data track: 2 seconds.
pub const PREGAP_BLOCKS: u32 = 150;

/// CTL 4 (data track, copy prohibited) with ADR 1 (Q sub-channel mode 1: position).
const CTL_ADR_DATA: u8 = 0x41;
/// TNO of the lead-out entry.
const TNO_LEADOUT: u8 = 0xAA;
/// DATA FORM 10h: CD-ROM mode 1, the host sends 2048 bytes per block.
const FORM_MODE1: u8 = 0x10;
/// DATA FORM 14h: CD-ROM mode 1, the drive generates the blocks (lead-in, lead-out).
const FORM_MODE1_GENERATED: u8 = 0x14;

/// One decoded cue sheet entry (MMC-6 §6.33.3, table 540).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CueEntry {
    /// Byte 0: CTL (high nibble) and ADR (low nibble).
    pub ctl_adr: u8,
    /// Byte 1: track number; 00h the lead-in, AAh the lead-out.
    pub tno: u8,
    /// Byte 2: index (0 pre-gap, 1 first data block).
    pub index: u8,
    /// Byte 3: DATA FORM of the blocks from this point.
    pub data_form: u8,
    /// Byte 4: serial copy management.
    pub scms: u8,
    /// Bytes 5..8: absolute time (minute, second, frame) where this entry starts.
    pub msf: [u8; 3],
}

impl CueEntry {
    /// Decodes one entry; `None` unless `b` holds exactly [`ENTRY_LEN`] bytes.
    pub fn parse(b: &[u8]) -> Option<CueEntry> {
        let b: &[u8; ENTRY_LEN] = b.try_into().ok()?;
        Some(CueEntry {
            ctl_adr: b[0],
            tno: b[1],
            index: b[2],
            data_form: b[3],
            scms: b[4],
            msf: [b[5], b[6], b[7]],
        })
    }

    /// The entry's bytes, for messages.
    pub fn bytes(&self) -> [u8; ENTRY_LEN] {
        let [m, s, f] = self.msf;
        [
            self.ctl_adr,
            self.tno,
            self.index,
            self.data_form,
            self.scms,
            m,
            s,
            f,
        ]
    }

    /// The LBA of the entry's absolute time.
    pub fn lba(&self) -> i64 {
        let [m, s, f] = self.msf;
        msf_to_lba(m, s, f)
    }
}

/// Decodes a sheet of whole entries (a trailing partial entry is not decoded).
pub fn entries(list: &[u8]) -> Vec<CueEntry> {
    list.chunks_exact(ENTRY_LEN)
        .filter_map(CueEntry::parse)
        .collect()
}

/// The session a sheet of one mode-1 data track announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataSession {
    /// Index 1 of the track: its first data block.
    pub start: u32,
    /// The lead-out's address: first block past the track.
    pub leadout: i64,
}

/// Checks that `e` is the sheet of one mode-1 data track numbered `tno` whose index 1 is
/// at `start` (the invisible track's start): lead-in (TNO 0, index 0, form 14h at
/// 00:00:00), the pre-gap (index 0, form 10h) 150 blocks before `start`, index 1 (form 10h)
/// at `start`, lead-out (TNO AAh, index 1, form 14h). Every entry CTL 4 / ADR 1, SCMS 0.
/// The error says which entry differs and what the drive expected.
pub fn data_session(e: &[CueEntry], tno: u8, start: u32) -> Result<DataSession, String> {
    let [lead_in, pregap, index1, leadout] = e else {
        return Err(format!(
            "{} entries: this drive takes lead-in, index 0, index 1 and lead-out of one data track",
            e.len()
        ));
    };
    let at = |lba: i64| lba_to_msf(lba);
    let start_l = i64::from(start);
    let want = [
        CueEntry {
            ctl_adr: CTL_ADR_DATA,
            tno: 0,
            index: 0,
            data_form: FORM_MODE1_GENERATED,
            scms: 0,
            msf: [0, 0, 0],
        },
        CueEntry {
            ctl_adr: CTL_ADR_DATA,
            tno,
            index: 0,
            data_form: FORM_MODE1,
            scms: 0,
            msf: at(start_l - i64::from(PREGAP_BLOCKS)),
        },
        CueEntry {
            ctl_adr: CTL_ADR_DATA,
            tno,
            index: 1,
            data_form: FORM_MODE1,
            scms: 0,
            msf: at(start_l),
        },
        CueEntry {
            ctl_adr: CTL_ADR_DATA,
            tno: TNO_LEADOUT,
            index: 1,
            data_form: FORM_MODE1_GENERATED,
            scms: 0,
            // the lead-out may be anywhere after index 1: its own time, if canonical
            msf: at(leadout.lba().max(start_l)),
        },
    ];
    for (i, (got, w)) in [lead_in, pregap, index1, leadout]
        .into_iter()
        .zip(want)
        .enumerate()
    {
        if *got != w {
            return Err(format!(
                "cue sheet entry {i} {:02X?}: expected {:02X?}",
                got.bytes(),
                w.bytes()
            ));
        }
    }
    Ok(DataSession {
        start,
        leadout: leadout.lba(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cookbook's data sheet on a blank disc: lead-in 41 00 00 14, pre-gap at
    /// 00:00:00, track 1 index 1 at 00:02:00, lead-out AA at 00:15:25 (LBA 1000).
    const BLANK_1000: [u8; 32] = [
        0x41, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, //
        0x41, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, //
        0x41, 0x01, 0x01, 0x10, 0x00, 0x00, 0x02, 0x00, //
        0x41, 0xAA, 0x01, 0x14, 0x00, 0x00, 0x0F, 0x19, //
    ];

    #[test]
    fn blank_disc_sheet() {
        let e = entries(&BLANK_1000);
        assert_eq!(e.len(), 4);
        assert_eq!(e[1].lba(), -150);
        assert_eq!(
            data_session(&e, 1, 0),
            Ok(DataSession {
                start: 0,
                leadout: 1000
            })
        );
        // the same sheet for track 2 or another start is refused, naming the entry
        assert!(data_session(&e, 2, 0).unwrap_err().contains("entry 1"));
        assert!(data_session(&e, 1, 11_702).unwrap_err().contains("entry 1"));
    }

    #[test]
    fn second_session_sheet() {
        // Track 2 at LBA 11702: pre-gap at 02:36:02, index 1 at 02:38:02, lead-out 12002
        let list = [
            0x41, 0x00, 0x00, 0x14, 0, 0, 0, 0, //
            0x41, 0x02, 0x00, 0x10, 0, 2, 36, 2, //
            0x41, 0x02, 0x01, 0x10, 0, 2, 38, 2, //
            0x41, 0xAA, 0x01, 0x14, 0, 2, 42, 2, //
        ];
        let e = entries(&list);
        assert_eq!(data_session(&e, 2, 11_702).unwrap().leadout, 12_002);
    }

    #[test]
    fn wrong_shapes_are_named() {
        assert!(data_session(&entries(&BLANK_1000[..24]), 1, 0)
            .unwrap_err()
            .starts_with("3 entries"));
        let mut audio = BLANK_1000;
        audio[16] = 0x01; // CTL 0: an audio track
        assert!(data_session(&entries(&audio), 1, 0)
            .unwrap_err()
            .contains("entry 2"));
        let mut scms = BLANK_1000;
        scms[28] = 0x80;
        assert!(data_session(&entries(&scms), 1, 0)
            .unwrap_err()
            .contains("entry 3"));
        let mut frame = BLANK_1000;
        frame[31] = 75; // not a canonical MSF
        assert!(data_session(&entries(&frame), 1, 0)
            .unwrap_err()
            .contains("entry 3"));
        assert_eq!(CueEntry::parse(&[0; 7]), None);
    }
}
