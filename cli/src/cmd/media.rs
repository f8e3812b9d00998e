//! `discburn media`: what is on the disc (MMC-6 §6.22 READ DISC INFORMATION, §6.27 READ
//! TRACK INFORMATION per track, §6.6 GET CONFIGURATION current profile, §6.23 READ
//! CAPACITY) and where the next session goes (`mmc::msinfo`), as `cdrecord -minfo` and
//! `dvd+rw-mediainfo` show it.
//!
//! Numbers are the drive's: track start, size and NWA from READ TRACK INFORMATION, free
//! blocks from the last track's FREE BLOCKS (sequential media) or capacity minus the next
//! writable address (overwritable media, where sessions are emulated).

use std::io::Write;

use mmc::cmd::disc_info::DiscStatus;
use mmc::cmd::track_info::TrackAddress;
use mmc::profile::Profile;
use serde::Serialize;

use crate::args::{GlobalArgs, MediaArgs};
use crate::cmd::{msinfo, open_drive, CliDrive, Gaps, Unavailable};
use crate::error::CliError;
use crate::output::{self, Report};

/// Most tracks a report lists (MMC allows 99 on CD, more on DVD/BD; bounds a bad answer).
pub const MAX_TRACKS: u16 = 1024;

/// The current profile.
#[derive(Debug, Serialize)]
pub struct ProfileFacts {
    /// Profile number.
    pub code: u16,
    /// MMC-6 name.
    pub name: &'static str,
    /// "CD", "DVD", "BD", ...
    pub class: &'static str,
}

/// READ DISC INFORMATION facts.
#[derive(Debug, Serialize)]
pub struct DiscFacts {
    /// Disc status: "empty", "incomplete/appendable", "complete", "other".
    pub status: &'static str,
    /// State of the last session: "empty", "incomplete", "reserved/damaged", "complete".
    pub last_session_state: &'static str,
    /// Erasable (CD-RW, DVD-RW, ...).
    pub erasable: bool,
    /// First track number on the disc.
    pub first_track: u8,
    /// NUMBER OF SESSIONS as the drive reports it (an appendable disc counts its empty
    /// last session).
    pub sessions: u16,
    /// Complete sessions (the reported number less an empty or incomplete last session).
    pub complete_sessions: u16,
    /// First track in the last session.
    pub first_track_last_session: u16,
    /// Last track in the last session.
    pub last_track_last_session: u16,
    /// Unrestricted use.
    pub unrestricted: bool,
    /// DISC TYPE byte (00h CD-DA/CD-ROM, 10h CD-I, 20h CD-ROM XA).
    pub disc_type: u8,
}

/// One track (READ TRACK INFORMATION).
#[derive(Debug, Serialize)]
pub struct TrackFacts {
    /// Track number.
    pub number: u16,
    /// Session number.
    pub session: u16,
    /// Track start address.
    pub start: u32,
    /// Track size in blocks.
    pub size: u32,
    /// Last block of the track (start + size - 1), none for an empty track.
    pub end: Option<u32>,
    /// Last recorded address, when valid.
    pub last_recorded: Option<u32>,
    /// "data", "audio" or "blank".
    pub kind: &'static str,
    /// TRACK MODE nibble.
    pub track_mode: u8,
    /// DATA MODE nibble (1 mode 1, 2 mode 2, Fh packet/unknown).
    pub data_mode: u8,
    /// Blank track.
    pub blank: bool,
    /// Packet/incremental.
    pub packet: bool,
    /// Fixed packets.
    pub fixed_packet: bool,
    /// Next writable address, when valid.
    pub next_writable: Option<u32>,
    /// Free blocks.
    pub free_blocks: u32,
}

/// `media` output.
#[derive(Debug, Serialize)]
pub struct MediaReport {
    /// The device as named.
    pub device: String,
    /// Current profile.
    pub profile: Option<ProfileFacts>,
    /// Disc information.
    pub disc: Option<DiscFacts>,
    /// Tracks from the first to the last in the last session.
    pub tracks: Vec<TrackFacts>,
    /// Readable blocks (READ CAPACITY last LBA + 1).
    pub capacity_blocks: Option<u32>,
    /// msinfo state ("appendable", "blank", "closed", "full", ...).
    pub state: Option<&'static str>,
    /// Start of the last session, when appendable.
    pub last_session_start: Option<u32>,
    /// Next writable address, when appendable (0 on a blank disc).
    pub next_writable: Option<u32>,
    /// Free blocks for new data.
    pub free_blocks: Option<u32>,
    /// The same in bytes (2048 per block).
    pub free_bytes: Option<u64>,
    /// Items the drive could not give.
    pub unavailable: Vec<Unavailable>,
}

fn class(p: Profile) -> &'static str {
    if p.is_cd() || p.is_ddcd() {
        "CD"
    } else if p.is_dvd() {
        "DVD"
    } else if p.is_bd() {
        "BD"
    } else if p.is_hd_dvd() {
        "HD DVD"
    } else {
        "other"
    }
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map(ToString::to_string)
        .unwrap_or_else(|| "-".into())
}

impl Report for MediaReport {
    fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "Device:                     {}", self.device)?;
        match &self.profile {
            Some(p) => {
                writeln!(out, "Mounted media class:        {}", p.class)?;
                writeln!(
                    out,
                    "Mounted media type:         {} ({:04X}h)",
                    p.name, p.code
                )?;
            }
            None => writeln!(
                out,
                "Mounted media type:         {}",
                self.reason("current profile")
            )?,
        }
        match &self.disc {
            Some(d) => {
                writeln!(
                    out,
                    "Disk is {}erasable",
                    if d.erasable { "" } else { "not " }
                )?;
                writeln!(out, "disk status:                {}", d.status)?;
                writeln!(out, "session status:             {}", d.last_session_state)?;
                writeln!(out, "first track:                {}", d.first_track)?;
                writeln!(out, "number of sessions:         {}", d.sessions)?;
                writeln!(out, "complete sessions:          {}", d.complete_sessions)?;
                writeln!(
                    out,
                    "first track in last sess:   {}",
                    d.first_track_last_session
                )?;
                writeln!(
                    out,
                    "last track in last sess:    {}",
                    d.last_track_last_session
                )?;
            }
            None => writeln!(
                out,
                "disk status:                {}",
                self.reason("disc information")
            )?,
        }
        if !self.tracks.is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "Track  Sess Type   Start Addr End Addr   Size       NWA"
            )?;
            writeln!(
                out,
                "========================================================"
            )?;
            for t in &self.tracks {
                writeln!(
                    out,
                    "{:5} {:5} {:<6} {:<10} {:<10} {:<10} {}",
                    t.number,
                    t.session,
                    match t.kind {
                        "data" => "Data",
                        "audio" => "Audio",
                        _ => "Blank",
                    },
                    t.start,
                    opt(&t.end),
                    t.size,
                    opt(&t.next_writable)
                )?;
            }
            writeln!(out)?;
        }
        if let Some(c) = self.capacity_blocks {
            writeln!(out, "Readable capacity:          {c} blocks")?;
        }
        writeln!(out, "State:                      {}", opt(&self.state))?;
        writeln!(
            out,
            "Last session start address: {}",
            opt(&self.last_session_start)
        )?;
        writeln!(
            out,
            "Next writable address:      {}",
            opt(&self.next_writable)
        )?;
        writeln!(
            out,
            "Free blocks:                {}",
            opt(&self.free_blocks)
        )?;
        writeln!(out, "Free bytes:                 {}", opt(&self.free_bytes))?;
        for u in &self.unavailable {
            if !matches!(u.item.as_str(), "current profile" | "disc information") {
                writeln!(out, "{}: {}", u.item, u.reason)?;
            }
        }
        Ok(())
    }
}

impl MediaReport {
    fn reason(&self, item: &str) -> String {
        self.unavailable
            .iter()
            .find(|u| u.item == item)
            .map(|u| u.reason.clone())
            .unwrap_or_else(|| "not available".into())
    }
}

/// Reads everything `media` shows.
pub fn collect(drive: &mut CliDrive, device: &str) -> Result<MediaReport, CliError> {
    let mut gaps = Gaps::default();
    let profile = gaps.take("current profile", drive.current_profile());
    let di = gaps.take("disc information", drive.disc_info());
    let mut r = MediaReport {
        device: device.to_string(),
        profile: profile.map(|p| ProfileFacts {
            code: p.code(),
            name: p.name(),
            class: class(p),
        }),
        disc: None,
        tracks: Vec::new(),
        capacity_blocks: None,
        state: None,
        last_session_start: None,
        next_writable: None,
        free_blocks: None,
        free_bytes: None,
        unavailable: Vec::new(),
    };
    if let Some(di) = &di {
        let v = di.view();
        let sessions = v.sessions();
        let complete = match v.last_session_state() {
            mmc::cmd::disc_info::SessionState::Complete => sessions,
            _ => sessions.saturating_sub(1),
        };
        r.disc = Some(DiscFacts {
            status: v.disc_status().name(),
            last_session_state: v.last_session_state().name(),
            erasable: v.erasable(),
            first_track: v.first_track(),
            sessions,
            complete_sessions: complete,
            first_track_last_session: v.first_track_last_session(),
            last_track_last_session: v.last_track_last_session(),
            unrestricted: v.unrestricted_use(),
            disc_type: v.disc_type(),
        });
        let first = u16::from(v.first_track()).max(1);
        let last = v
            .last_track_last_session()
            .min(first.saturating_add(MAX_TRACKS));
        for n in first..=last {
            let Some(ti) = gaps.take(
                &format!("track {n}"),
                drive.track_info(TrackAddress::Track(u32::from(n))),
            ) else {
                continue;
            };
            let t = ti.view();
            let kind = if t.blank() {
                "blank"
            } else if t.track_mode() & 0x04 != 0 {
                "data"
            } else {
                "audio"
            };
            r.tracks.push(TrackFacts {
                number: t.track(),
                session: t.session(),
                start: t.start(),
                size: t.size(),
                end: (t.size() > 0).then(|| t.start().saturating_add(t.size() - 1)),
                last_recorded: t.last_recorded(),
                kind,
                track_mode: t.track_mode(),
                data_mode: t.data_mode(),
                blank: t.blank(),
                packet: t.packet(),
                fixed_packet: t.fixed_packet(),
                next_writable: t.nwa(),
                free_blocks: t.free_blocks(),
            });
        }
    }
    r.capacity_blocks = gaps
        .take("capacity", drive.read_capacity())
        .map(|(last, _)| last.saturating_add(1));
    match msinfo::collect(drive, device) {
        Ok(m) => {
            r.state = Some(m.state);
            r.last_session_start = m.last_session_start;
            r.next_writable = m.next_writable;
            if m.state == "blank" {
                r.next_writable = Some(0);
            }
        }
        Err(e) => gaps.0.push(Unavailable {
            item: "next session".into(),
            command: String::new(),
            not_supported: false,
            reason: e.to_string(),
        }),
    }
    let overwritable = profile.is_some_and(|p| p.overwritable());
    r.free_blocks = match r.state {
        Some("closed") | Some("full") | Some("not_writable") => Some(0),
        _ if overwritable => match (r.capacity_blocks, r.next_writable) {
            (Some(c), Some(n)) => Some(c.saturating_sub(n)),
            _ => None,
        },
        _ => r.tracks.last().map(|t| t.free_blocks),
    };
    r.free_bytes = r.free_blocks.map(|b| u64::from(b) * 2048);
    r.unavailable = gaps.0;
    // A disc whose status is empty has no recorded track even if the drive lists one.
    if r.disc
        .as_ref()
        .is_some_and(|d| d.status == DiscStatus::Empty.name())
    {
        r.last_session_start = None;
    }
    Ok(r)
}

/// Runs `media`.
pub fn run(global: &GlobalArgs, _args: &MediaArgs) -> Result<(), CliError> {
    let (mut drive, device) = open_drive(global)?;
    let r = collect(&mut drive, &device)?;
    output::emit(&r, global.json)
}
