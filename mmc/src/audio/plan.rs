//! The session to burn, laid out before anything is written: tracks (audio or mode-1
//! data) made of pieces of input files and silence, pre-gaps, indexes, ISRCs, the MCN,
//! CONTROL flags and CD-TEXT; their addresses on the disc (Red Book: a session's first
//! track has a pre-gap of at least 2 s (150 sectors) starting 150 sectors before the
//! session's start; every track lasts at least 4 s (300 sectors) from index 1); and the
//! SEND CUE SHEET parameter list for it (MMC-6 §6.33.3: ADR 2 MCN pair before the lead-in
//! as libburn sends it, lead-in with sub-channel form 01b when CD-TEXT follows, ADR 3 ISRC
//! pair before each track's entries, index 0 when it has a pre-gap, index 1, 2.., lead-out).

use std::path::PathBuf;

use super::cdtext;
use super::cue::{Cue, FileKind, Flags, Text, TrackMode};
use super::source::{Input, Layout, Piece, AUDIO_SECTOR, DATA_BLOCK};
use super::AudioError;
use crate::cmd::Msf;

/// Blocks of the pre-gap every session's first track has (2 s).
pub const FIRST_PREGAP: u32 = 150;
/// Shortest track Red Book allows, from index 1 (4 s).
pub const MIN_TRACK: u32 = 300;

/// One track of the plan.
#[derive(Debug, Clone)]
pub struct PlanTrack {
    /// Track number (set by [`Plan::number_from`]).
    pub number: u8,
    /// Audio or mode-1 data.
    pub mode: TrackMode,
    /// Flags (CONTROL and SCMS).
    pub flags: Flags,
    /// The pre-gap (index 0), in order.
    pub pregap: Vec<Piece>,
    /// From index 1 to the end.
    pub body: Vec<Piece>,
    /// Index 2, 3, ...: sectors after index 1.
    pub indexes: Vec<u32>,
    /// ISRC.
    pub isrc: Option<String>,
    /// CD-TEXT.
    pub text: Text,
    /// Where it came from, for messages ("a.wav", "cue line 7").
    pub origin: String,
}

fn len(p: &[Piece]) -> u32 {
    p.iter().map(Piece::sectors).sum()
}

impl PlanTrack {
    /// Sectors of the pre-gap.
    pub fn pregap_len(&self) -> u32 {
        len(&self.pregap)
    }

    /// Sectors from index 1 to the end.
    pub fn body_len(&self) -> u32 {
        len(&self.body)
    }

    /// The sub-channel Q CONTROL nibble (cue sheet CTL).
    pub fn control(&self) -> u8 {
        let f = self.flags;
        match self.mode {
            TrackMode::Audio => {
                u8::from(f.preemphasis) | (u8::from(f.copy) << 1) | (u8::from(f.four_channel) << 3)
            }
            TrackMode::Mode1 => 0x04 | (u8::from(f.copy) << 1),
        }
    }

    /// Bytes a sector of this track takes on the wire.
    pub fn sector_len(&self) -> usize {
        match self.mode {
            TrackMode::Audio => AUDIO_SECTOR,
            TrackMode::Mode1 => DATA_BLOCK,
        }
    }
}

/// A session to burn.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The files the pieces read.
    pub inputs: Vec<Input>,
    /// Tracks in order.
    pub tracks: Vec<PlanTrack>,
    /// The disc's MCN.
    pub mcn: Option<String>,
    /// The disc's CD-TEXT.
    pub text: Text,
    /// CD-TEXT packs given whole (cdrecord `textfile=`: 18-byte packs with their CRCs),
    /// written instead of packs made from the texts.
    pub cdtext_raw: Option<Vec<u8>>,
}

/// Where each track lies once the session's start is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// Track number.
    pub number: u8,
    /// First sector (index 0, or index 1 without a pre-gap).
    pub first: i64,
    /// Index 1.
    pub start: i64,
    /// Index 2.. (absolute).
    pub indexes: Vec<i64>,
    /// First sector past the track.
    pub end: i64,
}

/// A track given by file (cdrecord's track list, or `burn` of WAV files).
#[derive(Debug, Clone)]
pub struct TrackFile {
    /// The file.
    pub path: PathBuf,
    /// Audio (raw CD-DA, WAVE or Sun .au, by the file's header) or data.
    pub mode: TrackMode,
    /// Flags.
    pub flags: Flags,
    /// ISRC.
    pub isrc: Option<String>,
    /// CD-TEXT.
    pub text: Text,
    /// Sectors of silence to add at the end (cdrecord `padsize=`).
    pub pad_sectors: u32,
}

/// Options that change how inputs are read.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions {
    /// Pad a last sector that the file does not fill with zeros (cdrecord `-pad`; a cue
    /// file's tracks are always padded, as cdrdao does).
    pub pad: bool,
    /// Raw audio files hold big-endian samples (cdrecord `-swab`).
    pub swab: bool,
}

fn is_wave(path: &std::path::Path) -> bool {
    let mut head = [0u8; 12];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && &head[..4] == b"RIFF"
        && &head[8..12] == b"WAVE"
}

impl Plan {
    /// The plan of a cue file: each track's data runs from its first INDEX in its FILE
    /// to the next track's first INDEX in the same file, or to the file's end. Files that
    /// are missing, of an odd size (not whole 4-byte stereo frames; data not whole 2048-byte
    /// blocks) or shorter than their INDEX times are refused, naming the file.
    pub fn from_cue(cue: &Cue, opts: PlanOptions) -> Result<Plan, AudioError> {
        let mut plan = Plan {
            mcn: cue.catalog.clone(),
            text: cue.text.clone(),
            ..Plan::default()
        };
        for f in &cue.files {
            if !f.path.exists() {
                return Err(AudioError::Missing {
                    path: f.path.clone(),
                });
            }
            let layout = if (f.kind == FileKind::Motorola) != opts.swab {
                Layout::Swapped
            } else {
                Layout::Raw
            };
            plan.inputs.push(match f.kind {
                FileKind::Wave => Input::wave(&f.path)?,
                _ => Input::raw(&f.path, layout)?,
            });
        }
        for (i, t) in cue.tracks.iter().enumerate() {
            let inp = &plan.inputs[t.file];
            let sector = match t.mode {
                TrackMode::Audio => AUDIO_SECTOR,
                TrackMode::Mode1 => DATA_BLOCK,
            } as u64;
            let odd = match t.mode {
                TrackMode::Audio => !inp.len.is_multiple_of(4),
                TrackMode::Mode1 => !inp.len.is_multiple_of(DATA_BLOCK as u64),
            };
            if odd {
                return Err(AudioError::OddSize {
                    path: inp.path.clone(),
                    bytes: inp.len,
                    unit: if t.mode == TrackMode::Audio {
                        4
                    } else {
                        DATA_BLOCK
                    },
                });
            }
            let first_at = u64::from(t.indexes.first().map(|x| x.1).unwrap_or(0));
            let i1 = u64::from(
                t.indexes
                    .iter()
                    .find(|x| x.0 == 1)
                    .map(|x| x.1)
                    .unwrap_or(0),
            );
            let end_bytes = match cue.tracks.get(i + 1).filter(|n| n.file == t.file) {
                Some(n) => u64::from(n.indexes.first().map(|x| x.1).unwrap_or(0)) * sector,
                None => inp.len,
            };
            if i1 * sector >= end_bytes || end_bytes > inp.len.max(i1 * sector) {
                return Err(AudioError::Track {
                    track: t.number,
                    what: format!(
                        "INDEX 01 at sector {i1} lies at or past the end of its data in {} ({} bytes)",
                        inp.path.display(),
                        inp.len
                    ),
                });
            }
            let mut pregap = Vec::new();
            if t.pregap > 0 {
                pregap.push(Piece::Silence(t.pregap));
            }
            if i1 > first_at {
                pregap.push(Piece::File {
                    input: t.file,
                    from: first_at * sector,
                    sectors: (i1 - first_at) as u32,
                });
            }
            let body_bytes = end_bytes - i1 * sector;
            let mut body = vec![Piece::File {
                input: t.file,
                from: i1 * sector,
                sectors: body_bytes.div_ceil(sector) as u32,
            }];
            if t.postgap > 0 {
                body.push(Piece::Silence(t.postgap));
            }
            let indexes = t
                .indexes
                .iter()
                .filter(|x| x.0 >= 2)
                .map(|x| x.1 - i1 as u32)
                .collect();
            plan.tracks.push(PlanTrack {
                number: t.number,
                mode: t.mode,
                flags: t.flags,
                pregap,
                body,
                indexes,
                isrc: t.isrc.clone(),
                text: t.text.clone(),
                origin: format!("cue line {}", t.line),
            });
        }
        plan.mandatory_gaps();
        Ok(plan)
    }

    /// The plan of a list of track files (cdrecord `-audio a.wav b.raw`): a file with a
    /// RIFF WAVE header is read as WAVE, any other audio file as raw CD-DA.
    pub fn from_files(files: &[TrackFile], opts: PlanOptions) -> Result<Plan, AudioError> {
        let mut plan = Plan::default();
        for (i, f) in files.iter().enumerate() {
            if !f.path.exists() {
                return Err(AudioError::Missing {
                    path: f.path.clone(),
                });
            }
            let inp = match f.mode {
                TrackMode::Audio if is_wave(&f.path) => Input::wave(&f.path)?,
                TrackMode::Audio if super::source::is_sun_au(&f.path) => Input::sun_au(&f.path)?,
                TrackMode::Audio => Input::raw(
                    &f.path,
                    if opts.swab {
                        Layout::Swapped
                    } else {
                        Layout::Raw
                    },
                )?,
                TrackMode::Mode1 => Input::raw(&f.path, Layout::Raw)?,
            };
            let sector = match f.mode {
                TrackMode::Audio => AUDIO_SECTOR,
                TrackMode::Mode1 => DATA_BLOCK,
            };
            let unit = if f.mode == TrackMode::Audio && opts.pad {
                4
            } else {
                sector
            };
            if inp.len % unit as u64 != 0 {
                return Err(AudioError::OddSize {
                    path: inp.path.clone(),
                    bytes: inp.len,
                    unit,
                });
            }
            if inp.len == 0 {
                return Err(AudioError::Track {
                    track: i as u8 + 1,
                    what: format!("{} is empty", inp.path.display()),
                });
            }
            let mut body = vec![Piece::File {
                input: plan.inputs.len(),
                from: 0,
                sectors: inp.sectors(sector) as u32,
            }];
            if f.pad_sectors > 0 {
                body.push(Piece::Silence(f.pad_sectors));
            }
            plan.inputs.push(inp);
            plan.tracks.push(PlanTrack {
                number: i as u8 + 1,
                mode: f.mode,
                flags: f.flags,
                pregap: Vec::new(),
                body,
                indexes: Vec::new(),
                isrc: f.isrc.clone(),
                text: f.text.clone(),
                origin: f.path.display().to_string(),
            });
        }
        plan.mandatory_gaps();
        Ok(plan)
    }

    /// Red Book / Yellow Book gaps the layout must have: 2 s before the session's first
    /// track, and 2 s before a data track that follows audio (or audio after data).
    fn mandatory_gaps(&mut self) {
        let mut prev: Option<TrackMode> = None;
        for t in &mut self.tracks {
            let need = match prev {
                None => FIRST_PREGAP,
                Some(m) if m != t.mode => FIRST_PREGAP,
                _ => 0,
            };
            let have = t.pregap_len();
            if have < need {
                t.pregap.insert(0, Piece::Silence(need - have));
            }
            prev = Some(t.mode);
        }
    }

    /// Renumbers the tracks from `first` (the disc's next track number).
    pub fn number_from(&mut self, first: u8) {
        for (i, t) in self.tracks.iter_mut().enumerate() {
            t.number = first.saturating_add(i as u8);
        }
    }

    /// Refuses what no drive may record, naming the track: more than 99 tracks, a track
    /// under 4 s from index 1 (unless `shorttrack`: cdrecord's `-shorttrack`, then the
    /// drive decides), an index past the track's end.
    pub fn check(&self, shorttrack: bool) -> Result<(), AudioError> {
        if self.tracks.is_empty() {
            return Err(AudioError::Empty);
        }
        if let Some(t) = self.tracks.last() {
            if t.number > 99 {
                return Err(AudioError::Track {
                    track: t.number,
                    what: "a CD holds at most 99 tracks".into(),
                });
            }
        }
        for t in &self.tracks {
            if !shorttrack && t.body_len() < MIN_TRACK {
                return Err(AudioError::Track {
                    track: t.number,
                    what: format!(
                        "{} ({}) lasts {} sectors ({:.2} s) from index 1: a track lasts at least 4 s (300 sectors); pad it (cdrecord -pad / padsize=) or use -shorttrack",
                        t.origin,
                        match t.mode {
                            TrackMode::Audio => "audio",
                            TrackMode::Mode1 => "data",
                        },
                        t.body_len(),
                        f64::from(t.body_len()) / 75.0
                    ),
                });
            }
            if let Some(&i) = t.indexes.iter().find(|&&i| i >= t.body_len()) {
                return Err(AudioError::Track {
                    track: t.number,
                    what: format!("an index {i} sectors after index 1 lies past the track's end"),
                });
            }
        }
        Ok(())
    }

    /// Addresses of every track when the session starts at `start` (index 1 of the first
    /// track when its pre-gap is the mandatory 2 s: LBA 0 on a blank disc).
    pub fn place(&self, start: i64) -> (Vec<Placed>, i64) {
        let mut at = start - i64::from(FIRST_PREGAP);
        let mut out = Vec::new();
        for t in &self.tracks {
            let first = at;
            let s = first + i64::from(t.pregap_len());
            let end = s + i64::from(t.body_len());
            out.push(Placed {
                number: t.number,
                first,
                start: s,
                indexes: t.indexes.iter().map(|&i| s + i64::from(i)).collect(),
                end,
            });
            at = end;
        }
        (out, at)
    }

    /// True when the plan has CD-TEXT to write.
    pub fn has_text(&self) -> bool {
        self.cdtext_raw.is_some()
            || !self.text.is_empty()
            || self.tracks.iter().any(|t| !t.text.is_empty())
    }

    /// The CD-TEXT packs of the plan (titles, performers, songwriters), if any.
    pub fn cdtext_packs(&self) -> Option<Vec<u8>> {
        if let Some(raw) = &self.cdtext_raw {
            return Some(raw.clone());
        }
        if !self.has_text() {
            return None;
        }
        let first = self.tracks.first().map(|t| t.number).unwrap_or(1);
        let last = self.tracks.last().map(|t| t.number).unwrap_or(1);
        let of = |get: fn(&Text) -> Option<&String>| -> Vec<Option<&str>> {
            std::iter::once(get(&self.text).map(String::as_str))
                .chain(self.tracks.iter().map(|t| get(&t.text).map(String::as_str)))
                .collect()
        };
        cdtext::packs(
            first,
            last,
            &[
                cdtext::Strings {
                    kind: 0x80,
                    texts: of(|t| t.title.as_ref()),
                },
                cdtext::Strings {
                    kind: 0x81,
                    texts: of(|t| t.performer.as_ref()),
                },
                cdtext::Strings {
                    kind: 0x82,
                    texts: of(|t| t.songwriter.as_ref()),
                },
            ],
        )
    }

    /// The SEND CUE SHEET parameter list for the session placed at `start`.
    pub fn cue_sheet(&self, start: i64, cdtext: bool) -> Vec<u8> {
        let (placed, leadout) = self.place(start);
        let mut v: Vec<u8> = Vec::new();
        let msf = |lba: i64| {
            let m = Msf::from_lba(i32::try_from(lba).unwrap_or(0));
            [m.m, m.s, m.f]
        };
        let mut entry = |ctl_adr: u8, tno: u8, index: u8, form: u8, scms: u8, at: [u8; 3]| {
            v.extend_from_slice(&[ctl_adr, tno, index, form, scms, at[0], at[1], at[2]]);
        };
        let first_audio = self
            .tracks
            .first()
            .map(|t| t.mode == TrackMode::Audio)
            .unwrap_or(true);
        let lead_form = if first_audio { 0x01 } else { 0x14 };
        let ctl0 = self.tracks.first().map(|t| t.control()).unwrap_or(0) << 4;
        if let Some(m) = &self.mcn {
            let b = m.as_bytes();
            entry(0x02, b[0], b[1], b[2], b[3], [b[4], b[5], b[6]]);
            entry(0x02, b[7], b[8], b[9], b[10], [b[11], b[12], 0]);
        }
        entry(
            ctl0 | 1,
            0,
            0,
            lead_form | if cdtext { 0x40 } else { 0 },
            0,
            [0, 0, 0],
        );
        for (t, p) in self.tracks.iter().zip(&placed) {
            let ctl = t.control() << 4;
            let scms = if t.flags.scms { 0x80 } else { 0 };
            let form = match t.mode {
                TrackMode::Audio => 0x00,
                TrackMode::Mode1 => 0x10,
            };
            if let Some(i) = &t.isrc {
                let b = i.as_bytes();
                entry(ctl | 3, t.number, b[0], b[1], b[2], [b[3], b[4], b[5]]);
                entry(ctl | 3, t.number, b[6], b[7], b[8], [b[9], b[10], b[11]]);
            }
            if p.first < p.start {
                entry(ctl | 1, t.number, 0, form, scms, msf(p.first));
            }
            entry(ctl | 1, t.number, 1, form, scms, msf(p.start));
            for (k, &x) in p.indexes.iter().enumerate() {
                entry(ctl | 1, t.number, (k + 2) as u8, form, scms, msf(x));
            }
        }
        let last_ctl = self.tracks.last().map(|t| t.control()).unwrap_or(0) << 4;
        entry(last_ctl | 1, 0xAA, 1, lead_form, 0, msf(leadout));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn cue_plan_layout_and_sheet() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.bin"), vec![0u8; 2352 * 1400]).unwrap();
        let text = "CATALOG 0600000123456\nTITLE \"Album\"\nFILE \"a.bin\" BINARY\n\
TRACK 01 AUDIO\nISRC USDBR2600001\nINDEX 01 00:00:00\n\
TRACK 02 AUDIO\nINDEX 00 00:08:00\nINDEX 01 00:10:00\nINDEX 02 00:12:00\n\
TRACK 03 AUDIO\nFLAGS DCP\nINDEX 01 00:10:00\n";
        // track 3 starting where track 2 does is refused (index times must go up)
        let cue = Cue::parse(text, dir.path()).unwrap();
        assert!(Plan::from_cue(&cue, PlanOptions::default()).is_err());
        let text = text.replace(
            "FLAGS DCP\nINDEX 01 00:10:00",
            "FLAGS DCP\nINDEX 01 00:14:00",
        );
        let cue = Cue::parse(&text, dir.path()).unwrap();
        let plan = Plan::from_cue(&cue, PlanOptions::default()).unwrap();
        plan.check(false).unwrap();
        let (p, leadout) = plan.place(0);
        assert_eq!(
            p[0],
            Placed {
                number: 1,
                first: -150,
                start: 0,
                indexes: vec![],
                end: 600
            }
        );
        assert_eq!(
            p[1],
            Placed {
                number: 2,
                first: 600,
                start: 750,
                indexes: vec![900],
                end: 1050
            }
        );
        assert_eq!((p[2].start, p[2].end, leadout), (1050, 1400, 1400));
        let sheet = plan.cue_sheet(0, true);
        // MCN pair, lead-in 41h (CD-TEXT), ISRC pair, track 1 index 0/1, track 2 index
        // 0/1/2, track 3 (DCP: CTL 2) index 1, lead-out
        assert_eq!(sheet.len(), 8 * 12);
        assert_eq!(&sheet[16..24], &[0x01, 0, 0, 0x41, 0, 0, 0, 0]);
        assert_eq!(
            &sheet[24..32],
            &[0x03, 1, b'U', b'S', b'D', b'B', b'R', b'2']
        );
        assert_eq!(&sheet[80..88], &[0x21, 3, 1, 0, 0, 0, 16, 0]);
        assert_eq!(&sheet[88..96], &[0x21, 0xAA, 1, 0x01, 0, 0, 20, 50]);
    }

    #[test]
    fn short_and_odd_inputs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("short.raw");
        std::fs::write(&a, vec![0u8; 2352 * 100]).unwrap();
        let b = dir.path().join("odd.raw");
        std::fs::write(&b, vec![0u8; 2351]).unwrap();
        let tf = |p: &Path| TrackFile {
            path: p.to_path_buf(),
            mode: TrackMode::Audio,
            flags: Flags::default(),
            isrc: None,
            text: Text::default(),
            pad_sectors: 0,
        };
        let plan = Plan::from_files(&[tf(&a)], PlanOptions::default()).unwrap();
        let e = plan.check(false).unwrap_err().to_string();
        assert!(e.contains("at least 4 s"), "{e}");
        plan.check(true).unwrap();
        let e = Plan::from_files(
            &[tf(&b)],
            PlanOptions {
                pad: true,
                swab: false,
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("odd.raw") && e.contains("2351"), "{e}");
        let e = Plan::from_files(&[tf(&dir.path().join("none.wav"))], PlanOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("none.wav"), "{e}");
    }
}
