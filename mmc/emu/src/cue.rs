//! The SEND CUE SHEET parameter list as the drive decodes it (MMC-6 §6.33.3: cue sheet
//! entries of 8 bytes, CTL/ADR, TNO, INDEX, DATA FORM (§6.33.3.12), SCMS, absolute MSF),
//! and the sessions this drive records from it: one CD-ROM mode-1 data track (libburn's
//! doc/cookbook.txt, "SAO CD Cookbook", [`data_session`]), and any session of audio and
//! mode-1 tracks ([`session`]): pre-gaps, indexes 0-99, ISRC (ADR 3, §6.33.3.9), the
//! media catalog number (ADR 2, §6.33.3.8), and CD-TEXT in the lead-in (DATA FORM of
//! the lead-in entry with sub-channel form 01b, §6.33.3.15, as cdrecord and libburn send
//! it: the host then writes the lead-in's R-W sub-channel, 96 bytes per block).
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

/// DATA FORM 00h: CD-DA, 2352 bytes per block from the host.
pub const FORM_AUDIO: u8 = 0x00;
/// DATA FORM 01h: CD-DA, the drive generates the blocks (silence).
pub const FORM_AUDIO_GENERATED: u8 = 0x01;

/// One track of a session announced by a cue sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetTrack {
    /// Track number.
    pub number: u8,
    /// CONTROL nibble (CTL of its entries).
    pub control: u8,
    /// First block of the track's area: index 0 when it has a pre-gap, else index 1.
    pub first: i64,
    /// Index 1.
    pub start: i64,
    /// Indexes 2.. (absolute).
    pub indexes: Vec<i64>,
    /// DATA FORM of the pre-gap (index 0) and of the rest (index 1 on).
    pub pregap_form: u8,
    /// DATA FORM from index 1.
    pub form: u8,
    /// SCMS: serial copy management bit set.
    pub scms: bool,
    /// ISRC (12 characters) from ADR 3 entries.
    pub isrc: Option<String>,
    /// First block past the track (the next track's first block, or the lead-out).
    pub end: i64,
}

/// A session announced by a cue sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Tracks in order.
    pub tracks: Vec<SheetTrack>,
    /// Lead-out address.
    pub leadout: i64,
    /// Media catalog number (13 digits) from ADR 2 entries.
    pub mcn: Option<String>,
    /// The host writes CD-TEXT (R-W sub-channel, 96 bytes a block) into the lead-in.
    pub cdtext: bool,
}

/// Bytes the host sends per block of this DATA FORM (0: the drive generates the block).
pub fn form_block_len(form: u8) -> usize {
    match form & 0x3F {
        FORM_AUDIO => 2352,
        FORM_MODE1 => 2048,
        _ => 0,
    }
}

impl Session {
    /// The track whose area holds `lba`, and whether `lba` lies in its pre-gap.
    pub fn track_at(&self, lba: i64) -> Option<(&SheetTrack, bool)> {
        self.tracks
            .iter()
            .find(|t| t.first <= lba && lba < t.end)
            .map(|t| (t, lba < t.start))
    }

    /// Bytes the host sends for block `lba` of the session (lead-in blocks carry 96 bytes
    /// of R-W sub-channel when the session has CD-TEXT); None outside the session.
    pub fn block_len(&self, lba: i64) -> Option<usize> {
        match self.track_at(lba) {
            Some((t, true)) => Some(form_block_len(t.pregap_form)),
            Some((t, false)) => Some(form_block_len(t.form)),
            None if lba < self.tracks.first().map(|t| t.first).unwrap_or(0) => {
                Some(if self.cdtext { 96 } else { 0 })
            }
            None => None,
        }
    }
}

fn is_audio_ctl(ctl: u8) -> bool {
    ctl & 0x04 == 0
}

/// Decodes the cue sheet of a whole session whose first track is numbered `tno` and
/// whose first block (index 0 of that track) is `start - 150`, `start` being the
/// invisible track's start (MMC-6 §6.33.3; table 540 and the DATA FORM tables 545-548).
///
/// Accepted: a lead-in entry (TNO 0, index 0, 00:00:00, CD-DA or mode-1 generated
/// data, sub-channel form 00b or 01b = CD-TEXT from the host); ADR 2 pairs (MCN, 13
/// digits) and ADR 3 pairs (ISRC of the next track, 12 characters A-Z 0-9) before the
/// track they belong to; ADR 1 entries of tracks `tno`, `tno + 1` ... with indexes
/// 0 (optional after the first track) and 1, 2, ... ascending, each track's entries of
/// one CONTROL, audio with DATA FORM 00h (01h, drive-generated silence, in the pre-gap),
/// data with 10h (14h in the pre-gap); every address after the previous; each track at
/// least 4 s (300 blocks) from index 1; the lead-out (TNO AAh, index 1) last. The error
/// names the entry and what is wrong.
pub fn session(e: &[CueEntry], tno: u8, start: u32) -> Result<Session, String> {
    let bad = |i: usize, what: &str| format!("cue sheet entry {i} {:02X?}: {what}", e[i].bytes());
    // the media catalog number may come first (libburn puts it before the lead-in)
    let li = e
        .iter()
        .position(|c| c.ctl_adr & 0x0F != 2)
        .unwrap_or(e.len());
    let Some(lead_in) = e.get(li) else {
        return Err("a cue sheet without a lead-in entry".into());
    };
    if lead_in.ctl_adr & 0x0F != 1 || lead_in.tno != 0 || lead_in.index != 0 {
        return Err(bad(li, "the lead-in entry (ADR 1, TNO 0, index 0) is due"));
    }
    let sub = lead_in.data_form >> 6;
    if !matches!(lead_in.data_form & 0x3F, 0x00 | 0x01 | 0x10 | 0x14) || sub > 1 {
        return Err(bad(li, "lead-in DATA FORM must be CD-DA or mode 1 (00h/01h/10h/14h), sub-channel form 00b or 01b (CD-TEXT)"));
    }
    if lead_in.msf != [0, 0, 0] {
        return Err(bad(li, "the lead-in entry's time must be 00:00:00"));
    }
    let mut mcn: Option<String> = None;
    let mut isrc: Option<(u8, String)> = None;
    let mut tracks: Vec<SheetTrack> = Vec::new();
    let mut leadout = None;
    let mut last_lba = i64::MIN;
    let mut i = 0;
    while i < e.len() {
        if i == li {
            i += 1;
            continue;
        }
        let c = e[i];
        if leadout.is_some() {
            return Err(bad(i, "entries after the lead-out"));
        }
        match c.ctl_adr & 0x0F {
            2 | 3 => {
                let adr = c.ctl_adr & 0x0F;
                let Some(d) = e.get(i + 1).filter(|d| d.ctl_adr == c.ctl_adr) else {
                    return Err(bad(
                        i,
                        "an ADR 2/3 entry must be followed by its second half",
                    ));
                };
                let (a, b) = (c.bytes(), d.bytes());
                if adr == 2 {
                    // 13 digits: 7 in the first entry, 6 and a zero in the second
                    let mut digits: Vec<u8> = a[1..8].to_vec();
                    digits.extend_from_slice(&b[1..7]);
                    if !digits.iter().all(u8::is_ascii_digit) || b[7] != 0 {
                        return Err(bad(i, "the media catalog number must be 13 ASCII digits"));
                    }
                    if !tracks.is_empty() {
                        return Err(bad(
                            i,
                            "the media catalog number must come before the tracks",
                        ));
                    }
                    mcn = Some(String::from_utf8_lossy(&digits).into_owned());
                } else {
                    if a[1] != b[1] {
                        return Err(bad(i, "the two ISRC entries name different tracks"));
                    }
                    let mut chars: Vec<u8> = a[2..8].to_vec();
                    chars.extend_from_slice(&b[2..8]);
                    let ok = chars[..5]
                        .iter()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                        && chars[5..].iter().all(u8::is_ascii_digit);
                    if !ok {
                        return Err(bad(i, "an ISRC is 5 characters A-Z 0-9 and 7 digits"));
                    }
                    isrc = Some((a[1], String::from_utf8_lossy(&chars).into_owned()));
                }
                i += 2;
                continue;
            }
            1 => {}
            _ => return Err(bad(i, "ADR must be 1, 2 or 3")),
        }
        let lba = c.lba();
        let [_, s, f] = c.msf;
        if s >= 60 || f >= 75 {
            return Err(bad(i, "not a valid MSF time"));
        }
        if lba <= last_lba {
            return Err(bad(i, "its time is not after the previous entry's"));
        }
        last_lba = lba;
        if c.scms != 0 && c.scms != 0x80 {
            return Err(bad(i, "SCMS must be 00h or 80h"));
        }
        let ctl = c.ctl_adr >> 4;
        if c.tno == TNO_LEADOUT {
            if c.index != 1 || !matches!(c.data_form & 0x3F, 0x01 | 0x14) {
                return Err(bad(
                    i,
                    "the lead-out is index 1 with generated data (01h or 14h)",
                ));
            }
            leadout = Some(lba);
            i += 1;
            continue;
        }
        let form = c.data_form;
        let audio = is_audio_ctl(ctl);
        let form_ok = match (audio, c.index) {
            (true, 0) => matches!(form, FORM_AUDIO | FORM_AUDIO_GENERATED),
            (true, _) => form == FORM_AUDIO,
            (false, 0) => matches!(form, FORM_MODE1 | FORM_MODE1_GENERATED),
            (false, _) => form == FORM_MODE1,
        };
        if !form_ok {
            return Err(bad(
                i,
                if audio {
                    "an audio track (CTL bit 2 clear) takes DATA FORM 00h (01h in its pre-gap)"
                } else {
                    "a data track takes DATA FORM 10h, mode 1 (14h in its pre-gap)"
                },
            ));
        }
        let same_track = tracks.last().is_some_and(|t| t.number == c.tno);
        if same_track {
            let t = match tracks.last_mut() {
                Some(t) => t,
                None => return Err(bad(i, "internal")),
            };
            if ctl != t.control || (c.scms != 0) != t.scms {
                return Err(bad(
                    i,
                    "CTL and SCMS must be the same in all entries of a track",
                ));
            }
            let expect = if t.start == i64::MIN {
                1
            } else {
                t.indexes.len() + 2
            };
            if usize::from(c.index) != expect {
                return Err(bad(
                    i,
                    &format!("index {} where index {expect} is due", c.index),
                ));
            }
            if t.start == i64::MIN {
                t.start = lba;
                t.form = form;
            } else {
                t.indexes.push(lba);
            }
        } else {
            let want = tracks
                .last()
                .map(|t| t.number.wrapping_add(1))
                .unwrap_or(tno);
            if c.tno != want || c.tno == 0 || c.tno > 99 {
                return Err(bad(
                    i,
                    &format!("track {} where track {want} is due", c.tno),
                ));
            }
            if let Some(p) = tracks.last() {
                if p.start == i64::MIN {
                    return Err(bad(i, &format!("track {} has no index 1", p.number)));
                }
            }
            if tracks.is_empty() {
                let first = i64::from(start) - i64::from(PREGAP_BLOCKS);
                if c.index != 0 || lba != first {
                    return Err(bad(i, &format!(
                        "the session's first track begins with index 0 at {:02}:{:02}:{:02} (LBA {first})",
                        lba_to_msf(first)[0], lba_to_msf(first)[1], lba_to_msf(first)[2]
                    )));
                }
            } else if c.index > 1 {
                return Err(bad(i, "a track begins with index 0 or 1"));
            }
            let own_isrc = match isrc.take() {
                Some((n, s)) if n == c.tno => Some(s),
                Some((n, _)) => {
                    return Err(bad(
                        i,
                        &format!("an ISRC for track {n} before track {}", c.tno),
                    ))
                }
                None => None,
            };
            if let Some(p) = tracks.last_mut() {
                p.end = lba;
            }
            tracks.push(SheetTrack {
                number: c.tno,
                control: ctl,
                first: lba,
                start: if c.index == 1 { lba } else { i64::MIN },
                indexes: Vec::new(),
                pregap_form: form,
                form,
                scms: c.scms != 0,
                isrc: own_isrc,
                end: 0,
            });
        }
        i += 1;
    }
    let Some(leadout) = leadout else {
        return Err("the cue sheet has no lead-out entry (TNO AAh)".into());
    };
    if let Some(t) = tracks.first() {
        // the lead-in carries the first track's mode (libburn: 01h before audio, 14h
        // before data)
        if is_audio_ctl(t.control) != matches!(lead_in.data_form & 0x3F, 0x00 | 0x01) {
            return Err(bad(li, "the lead-in's DATA FORM must be of the first track's kind (CD-DA 01h before audio, mode 1 14h before data)"));
        }
    }
    if tracks.is_empty() {
        return Err("the cue sheet has no track".into());
    }
    if isrc.is_some() {
        return Err("an ISRC after the last track".into());
    }
    if let Some(p) = tracks.last_mut() {
        p.end = leadout;
    }
    for t in &tracks {
        if t.start == i64::MIN {
            return Err(format!("track {} has no index 1", t.number));
        }
        if t.end - t.start < 300 {
            return Err(format!(
                "track {} holds {} blocks from index 1: a track is at least 4 s (300 blocks)",
                t.number,
                t.end - t.start
            ));
        }
    }
    Ok(Session {
        tracks,
        leadout,
        mcn,
        cdtext: sub == 1,
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

    /// Three audio tracks as libburn builds the sheet (write.c burn_create_toc_entries):
    /// MCN, lead-in 01h with CD-TEXT (41h), ISRC before track 1, track 2 with a 2 s
    /// pre-gap and an index 2, lead-out 01h.
    fn audio_sheet() -> Vec<u8> {
        let mut v = vec![
            0x02, b'0', b'1', b'2', b'3', b'4', b'5', b'6', //
            0x02, b'7', b'8', b'9', b'0', b'1', b'2', 0, //
            0x01, 0x00, 0x00, 0x41, 0x00, 0, 0, 0, //
            0x03, 0x01, b'U', b'S', b'A', b'B', b'C', b'9', //
            0x03, 0x01, b'9', b'0', b'0', b'0', b'0', b'1', //
            0x01, 0x01, 0x00, 0x00, 0x00, 0, 0, 0, // track 1 index 0 at -150
            0x01, 0x01, 0x01, 0x00, 0x00, 0, 2, 0, // index 1 at 0
            0x01, 0x02, 0x00, 0x00, 0x00, 0, 10, 0, // track 2 pre-gap at 600
            0x01, 0x02, 0x01, 0x00, 0x00, 0, 12, 0, // index 1 at 750
            0x01, 0x02, 0x02, 0x00, 0x00, 0, 14, 0, // index 2 at 900
            0x21, 0x03, 0x01, 0x00, 0x80, 0, 20, 0, // track 3: copy permitted, SCMS
            0x01, 0xAA, 0x01, 0x01, 0x00, 0, 26, 0, // lead-out at 1800
        ];
        v.truncate(v.len());
        v
    }

    #[test]
    fn audio_session_sheet() {
        let s = session(&entries(&audio_sheet()), 1, 0).unwrap();
        assert_eq!(s.mcn.as_deref(), Some("0123456789012"));
        assert!(s.cdtext);
        assert_eq!(s.leadout, 1800);
        let t: Vec<(u8, i64, i64, i64)> = s
            .tracks
            .iter()
            .map(|t| (t.number, t.first, t.start, t.end))
            .collect();
        assert_eq!(
            t,
            vec![
                (1, -150, 0, 600),
                (2, 600, 750, 1350),
                (3, 1350, 1350, 1800)
            ]
        );
        assert_eq!(s.tracks[0].isrc.as_deref(), Some("USABC9900001"));
        assert_eq!(s.tracks[1].indexes, vec![900]);
        assert_eq!((s.tracks[2].control, s.tracks[2].scms), (2, true));
        assert_eq!(s.block_len(-151), Some(96));
        assert_eq!(s.block_len(-150), Some(2352));
        assert_eq!(s.block_len(1799), Some(2352));
        assert_eq!(s.block_len(1800), None);
    }

    #[test]
    fn audio_sheet_faults_are_named() {
        let sheet = audio_sheet();
        let fails = |patch: &dyn Fn(&mut Vec<u8>), want: &str| {
            let mut v = sheet.clone();
            patch(&mut v);
            let e = session(&entries(&v), 1, 0).unwrap_err();
            assert!(e.contains(want), "{e}");
        };
        // a track under 4 s: lead-out 299 blocks after track 3's index 1
        fails(
            &|v| {
                v[94] = 23;
                v[95] = 74;
            },
            "at least 4 s",
        );
        // index 3 where index 2 is due
        fails(&|v| v[74] = 3, "index 2 is due");
        // audio with a mode-1 DATA FORM
        fails(&|v| v[59] = 0x10, "DATA FORM 00h");
        // MCN with a letter
        fails(&|v| v[3] = b'X', "13 ASCII digits");
        // track 4 where track 3 is due
        fails(&|v| v[81] = 4, "track 3 is due");
        // times going back
        fails(&|v| v[70] = 9, "not after");
        // the first track must start 150 blocks before the session's start
        assert!(session(&entries(&sheet), 1, 11_702)
            .unwrap_err()
            .contains("index 0"));
    }
}
