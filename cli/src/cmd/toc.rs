//! `discburn toc`: the table of contents (MMC-6 §6.26 READ TOC/PMA/ATIP format 0, formatted
//! TOC, and format 1, multi-session information), with each track's session from READ
//! TRACK INFORMATION (§6.27) where the drive gives it.
//!
//! On a disc with audio tracks the report adds what cdrecord -toc -v and cd-info show of
//! them (`mmc::audio::info`): each audio track's pre-emphasis and copy flags (CONTROL bits
//! 0 and 1), its ISRC (READ SUB-CHANNEL 03h), the disc's MCN (02h) and the CD-TEXT titles,
//! performers and songwriters (READ TOC format 5), after the cdrecord-style lines.
//!
//! Text output follows `cdrecord -toc` (cdrecord.c `print_toc`/`print_track`): a
//! `first: F last L` line, then `track: %3d lba: %9d (%9d) mm:ss:ff adr: A control: C mode: M`
//! per track, the 512-byte-block address in parentheses, and `track:lout` for the lead-out;
//! then the session lines cdrecord does not have.
//!
//! The `mode` column is cdrecord's (cdrtools `read_trackinfo`): the CD data mode READ HEADER
//! (44h, MMC-2) reports for the track's first block, -1 when the drive refuses the command
//! (QEMU, DVD and BD drives, MMC-6 drives that dropped it) and for the lead-out. cdrecord asks
//! READ HEADER for audio tracks too and prints what the drive answers; so does this. Its
//! fallback, the Philips vendor command E5h, is not sent: on other drives E5h is another
//! vendor's command or none.

use std::io::Write;

use mmc::cmd::disc_info::DiscStatus;
use mmc::cmd::track_info::TrackAddress;
use serde::Serialize;

use crate::args::{GlobalArgs, TocArgs};
use crate::cmd::{failed, msf_text, open_drive, CliDrive, Gaps};
use crate::error::CliError;
use crate::output::{self, Report};

/// One TOC entry.
#[derive(Debug, Serialize)]
pub struct TocEntry {
    /// Track number (170 = AAh for the lead-out).
    pub number: u8,
    /// True for the lead-out.
    pub leadout: bool,
    /// Start LBA.
    pub lba: i64,
    /// Start as `mm:ss:ff`.
    pub msf: String,
    /// ADR.
    pub adr: u8,
    /// CONTROL.
    pub control: u8,
    /// Data track (CONTROL bit 2).
    pub data: bool,
    /// cdrecord's mode column: the CD data mode READ HEADER reports at the track start
    /// (0, 1 or 2), -1 when the drive refuses READ HEADER and for the lead-out.
    pub mode: i16,
    /// Session of the track (READ TRACK INFORMATION), when known.
    pub session: Option<u16>,
    /// Audio track: recorded with pre-emphasis (CONTROL bit 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preemphasis: Option<bool>,
    /// Audio track: digital copy permitted (CONTROL bit 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_permitted: Option<bool>,
    /// The track's ISRC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isrc: Option<String>,
}

/// One CD-TEXT string.
#[derive(Debug, Clone, Serialize)]
pub struct CdTextString {
    /// What it is: title, performer, songwriter, composer, arranger, message.
    pub kind: &'static str,
    /// Track number, 0 for the disc.
    pub track: u8,
    /// The text.
    pub text: String,
}

fn cdtext_kind(k: u8) -> &'static str {
    match k {
        0x80 => "title",
        0x81 => "performer",
        0x82 => "songwriter",
        0x83 => "composer",
        0x84 => "arranger",
        0x85 => "message",
        0x8E => "upc_isrc",
        _ => "other",
    }
}

/// `toc` output.
#[derive(Debug, Serialize)]
pub struct TocReport {
    /// The device as named.
    pub device: String,
    /// True when the disc is blank (no TOC; `tracks` empty).
    pub blank: bool,
    /// First track number.
    pub first_track: u8,
    /// Last track number.
    pub last_track: u8,
    /// Tracks, lead-out last.
    pub tracks: Vec<TocEntry>,
    /// First complete session (format 1).
    pub first_session: Option<u8>,
    /// Last complete session (format 1).
    pub last_session: Option<u8>,
    /// Start LBA of the first track of the last complete session (format 1).
    pub last_session_start: Option<i64>,
    /// The disc's media catalog number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mcn: Option<String>,
    /// CD-TEXT strings (first block).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cdtext: Vec<CdTextString>,
    /// Items the drive could not give.
    pub unavailable: Vec<crate::cmd::Unavailable>,
}

impl Report for TocReport {
    fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        if self.blank {
            writeln!(out, "blank disc: no tracks")?;
            return Ok(());
        }
        writeln!(out, "first: {} last {}", self.first_track, self.last_track)?;
        for t in &self.tracks {
            if t.leadout {
                write!(out, "track:lout ")?;
            } else {
                write!(out, "track: {:3} ", t.number)?;
            }
            writeln!(
                out,
                "lba: {:9} ({:9}) {} adr: {:X} control: {:X} mode: {}",
                t.lba,
                t.lba * 4,
                t.msf,
                t.adr,
                t.control,
                t.mode
            )?;
        }
        match (
            self.first_session,
            self.last_session,
            self.last_session_start,
        ) {
            (Some(f), Some(l), Some(s)) => writeln!(
                out,
                "sessions: first {f} last {l}, last session starts at {s}"
            )?,
            _ => {
                for u in &self.unavailable {
                    writeln!(out, "{}: {}", u.item, u.reason)?;
                }
            }
        }
        if let Some(m) = &self.mcn {
            writeln!(out, "MCN: {m}")?;
        }
        for t in self.tracks.iter().filter(|t| !t.leadout && !t.data) {
            write!(
                out,
                "track {:2}: audio, {}pre-emphasis, copy {}",
                t.number,
                if t.preemphasis == Some(true) {
                    ""
                } else {
                    "no "
                },
                if t.copy_permitted == Some(true) {
                    "permitted"
                } else {
                    "not permitted"
                }
            )?;
            if let Some(i) = &t.isrc {
                write!(out, ", ISRC {i}")?;
            }
            writeln!(out)?;
        }
        for c in &self.cdtext {
            if c.track == 0 {
                writeln!(out, "CD-TEXT disc {}: {}", c.kind, c.text)?;
            } else {
                writeln!(out, "CD-TEXT track {:2} {}: {}", c.track, c.kind, c.text)?;
            }
        }
        Ok(())
    }
}

/// Reads the TOC.
pub fn collect(drive: &mut CliDrive, device: &str) -> Result<TocReport, CliError> {
    let mut gaps = Gaps::default();
    let mut r = TocReport {
        device: device.to_string(),
        blank: false,
        first_track: 0,
        last_track: 0,
        tracks: Vec::new(),
        first_session: None,
        last_session: None,
        last_session_start: None,
        mcn: None,
        cdtext: Vec::new(),
        unavailable: Vec::new(),
    };
    // A blank disc has no TOC; drives answer READ TOC with an error then.
    if let Some(di) = gaps.take("disc information", drive.disc_info()) {
        if di.view().disc_status() == DiscStatus::Empty {
            r.blank = true;
            r.unavailable = gaps.0;
            return Ok(r);
        }
    }
    let toc = drive.toc(false).map_err(|e| failed("toc", e))?;
    r.first_track = toc.first;
    r.last_track = toc.last;
    for t in &toc.tracks {
        let lba = i64::from(t.start.lba());
        let session = if t.is_leadout() {
            None
        } else {
            drive
                .track_info(TrackAddress::Track(u32::from(t.number)))
                .ok()
                .map(|ti| ti.view().session())
        };
        r.tracks.push(TocEntry {
            number: t.number,
            leadout: t.is_leadout(),
            lba,
            msf: msf_text(lba),
            adr: t.adr,
            control: t.control,
            data: t.is_data(),
            mode: if t.is_leadout() {
                -1
            } else {
                header_mode(drive, lba)
            },
            session,
            preemphasis: (!t.is_leadout() && !t.is_data()).then_some(t.control & 1 != 0),
            copy_permitted: (!t.is_leadout() && !t.is_data()).then_some(t.control & 2 != 0),
            isrc: None,
        });
    }
    if r.tracks.iter().any(|t| !t.leadout && !t.data) {
        for t in r.tracks.iter_mut().filter(|t| !t.leadout && !t.data) {
            t.isrc = gaps
                .take(
                    "ISRC (READ SUB-CHANNEL)",
                    mmc::audio::info::isrc(drive, t.number),
                )
                .flatten();
        }
        r.mcn = gaps
            .take("MCN (READ SUB-CHANNEL)", mmc::audio::info::mcn(drive))
            .flatten();
        match mmc::audio::info::cdtext(drive) {
            Ok(packs) => {
                for (kind, list) in mmc::audio::cdtext::decode(&packs) {
                    for (track, text) in list.into_iter().filter(|x| !x.1.is_empty()) {
                        r.cdtext.push(CdTextString {
                            kind: cdtext_kind(kind),
                            track,
                            text,
                        });
                    }
                }
            }
            // No CD-TEXT: drives answer with an error or an empty list.
            Err(e) => log::debug!("READ TOC format 5: {e}"),
        }
    }
    if let Some(s) = gaps.take("multi-session information", drive.session_info()) {
        r.first_session = Some(s.first);
        r.last_session = Some(s.last);
        r.last_session_start = s.tracks.first().map(|t| i64::from(t.start.lba()));
    }
    r.unavailable = gaps.0;
    Ok(r)
}

/// The CD data mode of the block at `lba` as READ HEADER reports it, -1 when the drive
/// refuses (any failure: cdrecord's `read_trackinfo` prints -1 whatever the reason).
fn header_mode(drive: &mut CliDrive, lba: i64) -> i16 {
    // cdrecord sends the TOC's address as it is; negative addresses wrap as in its CDB.
    let lba = lba as i32 as u32;
    match drive.read_header(lba) {
        Ok(h) => i16::from(h.mode.byte()),
        Err(e) => {
            log::debug!("READ HEADER at {lba}: {e}");
            -1
        }
    }
}

/// Runs `toc`.
pub fn run(global: &GlobalArgs, _args: &TocArgs) -> Result<(), CliError> {
    let (mut drive, device) = open_drive(global)?;
    let r = collect(&mut drive, &device)?;
    output::emit(&r, global.json)
}
