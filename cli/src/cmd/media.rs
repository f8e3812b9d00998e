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
        crate::cmd::unavailable_reason(&self.unavailable, item)
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
    // READ CAPACITY of a blank disc says nothing useful (drives answer 0 or fail).
    let empty = r
        .disc
        .as_ref()
        .is_some_and(|d| d.status == DiscStatus::Empty.name());
    if !empty {
        r.capacity_blocks = gaps
            .take("capacity", drive.read_capacity())
            .map(|(last, _)| last.saturating_add(1));
    }
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

#[cfg(test)]
mod tests {
    //! The report commands on the emulated drive behind a fault injector: commands the
    //! drive lacks (ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE) become "not supported by
    //! this drive" items while the rest of the report prints; short and garbage answers
    //! give errors naming the command, never a panic.
    use std::path::Path;

    use transport::fault::FaultInjector;
    use transport::{SenseKey, Transport};

    use crate::cmd::{atip, features, info, msinfo, speeds, toc, CliDrive};
    use crate::output::Report;

    fn blank_cd(dir: &Path) -> emu::EmuDrive {
        let opts = [("profile".to_string(), "cd-r".to_string())];
        emu::open(&dir.join("blank.img"), &opts).unwrap()
    }

    /// A pressed CD-ROM: 64 blocks served as a read-only disc.
    fn pressed_cd(dir: &Path) -> emu::EmuDrive {
        let p = dir.join("pressed.img");
        std::fs::write(&p, vec![0u8; 64 * 2048]).unwrap();
        emu::open(&p, &[]).unwrap()
    }

    fn drive<T: Transport + Send + 'static>(t: T) -> CliDrive {
        let mut d = mmc::drive::Drive::new(Box::new(t) as Box<dyn Transport + Send>);
        d.ready_wait = std::time::Duration::ZERO;
        d
    }

    fn text(r: &impl Report) -> String {
        let mut out = Vec::new();
        r.write_text(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// GET CONFIGURATION (46h), GET PERFORMANCE (ACh), READ BUFFER CAPACITY (5Ch) refused.
    fn old_drive(t: emu::EmuDrive) -> FaultInjector<emu::EmuDrive> {
        let mut f = FaultInjector::new(t);
        for op in [0x46, 0xAC, 0x5C] {
            f = f
                .on_opcode(op)
                .always()
                .check_condition(SenseKey::IllegalRequest, 0x20, 0x00);
        }
        f
    }

    #[test]
    fn missing_commands_are_not_supported_and_the_rest_prints() {
        let tmp = tempfile::tempdir().unwrap();
        let mut d = drive(old_drive(blank_cd(tmp.path())));

        let r = info::collect(&mut d, "emu:x").unwrap();
        let t = text(&r);
        assert!(
            t.contains("Interface:      not supported by this drive"),
            "{t}"
        );
        assert!(t.contains("Vendor:         'DISCBURN'"), "{t}");
        assert!(t.contains("Does read CD-R media"), "{t}");
        // the buffer comes from page 2Ah when READ BUFFER CAPACITY is missing
        assert!(t.contains("Buffer size:    4194304 bytes"), "{t}");
        let f = r.unavailable.iter().find(|u| u.item == "features").unwrap();
        assert!(f.not_supported);
        assert_eq!(f.command, "GET CONFIGURATION (46h)");
        let v = serde_json::to_value(&r).unwrap();
        assert!(v["interface"].is_null());
        assert_eq!(v["capabilities"]["flags"]["write_cd_r"], true);

        let r = speeds::collect(&mut d, "emu:x").unwrap();
        let t = text(&r);
        assert!(
            t.contains("Write speeds (GET PERFORMANCE): not supported by this drive"),
            "{t}"
        );
        assert!(
            t.contains("Read performance (GET PERFORMANCE): not supported by this drive"),
            "{t}"
        );
        assert!(t.contains("Maximum read  speed: "), "{t}");

        let r = super::collect(&mut d, "emu:x").unwrap();
        let t = text(&r);
        assert!(
            t.contains("Mounted media type:         not supported by this drive"),
            "{t}"
        );
        assert!(t.contains("disk status:                empty"), "{t}");
        // msinfo assumes a CD when GET CONFIGURATION is missing (pre-MMC-2 drives)
        assert_eq!(r.state, Some("blank"));

        let e = features::collect(&mut d, "emu:x").unwrap_err().to_string();
        assert!(
            e.contains("GET CONFIGURATION (46h): not supported by this drive"),
            "{e}"
        );
    }

    #[test]
    fn short_answers_name_the_command() {
        let tmp = tempfile::tempdir().unwrap();
        let f = FaultInjector::new(blank_cd(tmp.path()))
            .on_opcode(0x51)
            .always()
            .short(4);
        let mut d = drive(f);
        let r = super::collect(&mut d, "emu:x").unwrap();
        let u = r
            .unavailable
            .iter()
            .find(|u| u.item == "disc information")
            .unwrap();
        assert!(
            u.reason.contains("READ DISC INFORMATION (51h)") && u.reason.contains("short"),
            "{}",
            u.reason
        );
        assert!(r.disc.is_none());
        assert!(r.profile.is_some(), "the rest of the report is there");
        let e = msinfo::collect(&mut d, "emu:x").unwrap_err().to_string();
        assert!(e.contains("READ DISC INFORMATION (51h)"), "{e}");

        let f = FaultInjector::new(pressed_cd(tmp.path()))
            .on_opcode(0x43)
            .always()
            .short(2);
        let mut d = drive(f);
        let e = toc::collect(&mut d, "emu:x").unwrap_err().to_string();
        assert!(e.contains("READ TOC/PMA/ATIP (43h)"), "{e}");
        let e = atip::collect(&mut d, "emu:x").unwrap_err().to_string();
        assert!(e.contains("READ TOC/PMA/ATIP (43h)"), "{e}");
    }

    #[test]
    fn garbage_and_short_answers_never_panic() {
        let tmp = tempfile::tempdir().unwrap();
        for op in [0x12u8, 0x25, 0x43, 0x44, 0x46, 0x51, 0x52, 0x5A, 0x5C, 0xAC] {
            for seed in 0..12u64 {
                for pressed in [false, true] {
                    let t = if pressed {
                        pressed_cd(tmp.path())
                    } else {
                        blank_cd(tmp.path())
                    };
                    let f = FaultInjector::new(t).on_opcode(op).always();
                    let f = if seed < 6 {
                        f.garbage(seed)
                    } else {
                        f.short(seed as usize * 3 - 18)
                    };
                    let mut d = drive(f);
                    let results = [
                        super::collect(&mut d, "x").err(),
                        toc::collect(&mut d, "x").err(),
                        msinfo::collect(&mut d, "x").err(),
                        info::collect(&mut d, "x").err(),
                        features::collect(&mut d, "x").err(),
                        speeds::collect(&mut d, "x").err(),
                        atip::collect(&mut d, "x").err(),
                    ];
                    for e in results.into_iter().flatten() {
                        let m = e.to_string();
                        // every failure names a command: "NAME (XXh)"
                        assert!(m.contains("h)"), "op {op:02X} seed {seed}: {m}");
                    }
                }
            }
        }
    }
}
