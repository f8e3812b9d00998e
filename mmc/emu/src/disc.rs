//! The disc in the emulated drive: tracks, sessions and their state machine (MMC-6 §4.2.3
//! CD-R/RW, §4.3.5 DVD-R incremental and borders, §4.3.6 DVD+R sessions, §4.5.3.5 BD-R SRM,
//! §4.3.7/§4.5.4 overwritable DVD+RW and BD-RE), and its persisted state file.
//!
//! State file (`PATH.state`, JSON, written to `PATH.state.tmp.PID`, synced and renamed):
//! the medium, its capacity, the tracks (number, session, start, blocks recorded,
//! reservation, closed, damaged), the lead-out start of every closed session, the finalized
//! flag, the drive settings given as options, what the powered drive keeps between
//! processes (`"drive"`: mode pages, speeds, tray, an announced cue sheet; see
//! [`crate::powered`]) and, while a track is being written, the image file's length in blocks
//! at the save. Block data lives
//! only in the image file and, for audio, in its companion file.
//!
//! Audio (CD-DA, Red Book; MMC-6 §4.2.2 "CD sector formats"): the image holds the
//! 2048-byte *data view* (block N at byte N x 2048) and nothing for audio sectors, which
//! have no 2048-byte user data; READ(10) of one fails as on a drive (64/00 ILLEGAL MODE
//! FOR THIS TRACK). Their raw 2352-byte sectors (little-endian 16-bit stereo samples, as
//! READ CD returns them) are kept in `PATH.cdda`, sparse, the sector of LBA N at byte
//! N x 2352, created by the first audio write. Pre-gaps written session-at-once are
//! stored there too (LBA 0 up); the pre-gap of a disc's first track (LBA -150 to -1) is
//! not. A track's `cd` record holds its CONTROL nibble (audio, pre-emphasis, copy
//! permitted, data), pre-gap, indexes and ISRC; the disc's `mcn` and `cdtext` (the
//! lead-in's CD-TEXT packs) sit beside the tracks. State files without these fields (all
//! files written before audio existed) load as discs of mode-1 data tracks, unchanged;
//! a missing `PATH.cdda` reads as silence. Sub-channel Q (position, MCN, ISRC) is not
//! stored: the drive computes it from the layout, as a recorder encodes it when writing.
//!
//! A drive outlives the process that talks to it: every change is recorded, so that a
//! series of one-command processes (`discburn raw`, as sg_raw scripts) is one powered
//! drive. Opening a track, closing a track or session, reserving, blanking, formatting, a
//! damaged track and every setting the host selects are saved at once; the blocks a WRITE
//! adds to the open track are recorded lazily, at most once a second while writing, at
//! SYNCHRONIZE CACHE and CLOSE, and when the drive is closed (dropped), so a 25 GB burn
//! does not rewrite the state file per WRITE.
//!
//! Crash semantics: the image is written before the state that claims it. A process killed
//! mid-write leaves the track *incomplete* (open, not closed) inside an incomplete session;
//! closed sessions are untouched. The next process recovers the track's length from the
//! image ([`Disc::recover_open_track`]: the blocks past the file's length at the last save
//! were written sequentially from the recorded NWA) and reports the track as a real drive
//! reports an interrupted track found through the PMA/RMA: an incomplete track with a valid
//! NWA after the last block written, which can be written further or closed. What MMC
//! allows a drive to lose at a power loss (data not yet synchronized) is lost only where
//! the image cannot show it: writes into a reserved track since the last save.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{EmuError, EmuOpenError};
use super::medium::{MediumKind, WriteModel};
use super::powered::Powered;

/// A track on the disc (for DVD+R: a fragment; for BD-R: an SRM track).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Track {
    /// Track number (1-based over the disc).
    pub number: u16,
    /// Session number (1-based).
    pub session: u16,
    /// First LBA.
    pub start: u32,
    /// Readable blocks from `start`: written so far while open; data plus padding once closed.
    pub length: u32,
    /// Size reserved by RESERVE TRACK, if any.
    #[serde(default)]
    pub reserved: Option<u32>,
    /// Closed (no next writable address).
    pub closed: bool,
    /// A write error or buffer underrun damaged the track.
    #[serde(default)]
    pub damaged: bool,
    /// CD track attributes (Q sub-channel CONTROL, pre-gap, indexes, ISRC); absent for a
    /// mode-1 data track written as before (CONTROL 4), and in older state files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cd: Option<CdTrack>,
}

/// What a CD track carries beyond its extent (Red Book / ECMA-130 §22.3.3 sub-channel Q;
/// MMC-6 §6.33.3 cue sheet). Audio tracks (CONTROL bit 2 clear) hold raw 2352-byte
/// sectors in the image's audio companion file (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CdTrack {
    /// CONTROL nibble of sub-channel Q: bit 0 pre-emphasis, bit 1 digital copy permitted,
    /// bit 2 data track, bit 3 four-channel audio.
    pub control: u8,
    /// Blocks of index 0 (pre-gap) before the track's start (index 1).
    #[serde(default)]
    pub pregap: u32,
    /// Absolute addresses of index 2, 3, ... within the track.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<u32>,
    /// The track's ISRC (12 characters), as Q mode 3 carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isrc: Option<String>,
    /// Written session-at-once: no run-out blocks after the track (the next track's
    /// pre-gap or the lead-out follows at once).
    #[serde(default)]
    pub sao: bool,
}

impl Track {
    /// CONTROL nibble of the track (4: a data track).
    pub fn control(&self) -> u8 {
        self.cd.as_ref().map(|c| c.control & 0x0F).unwrap_or(4)
    }

    /// True for an audio track (CONTROL bit 2 clear).
    pub fn is_audio(&self) -> bool {
        self.control() & 0x04 == 0
    }
}

/// Drive settings kept with the disc.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Write speed in x (None: unthrottled).
    #[serde(default)]
    pub speed: Option<f64>,
    /// Drive buffer in bytes.
    #[serde(default)]
    pub buffer: Option<u64>,
    /// Buffer-underrun protection.
    #[serde(default)]
    pub bup: Option<bool>,
}

/// The disc: medium, capacity, tracks and sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disc {
    /// File format tag.
    pub format: String,
    /// The medium.
    pub medium: MediumKind,
    /// Usable blocks (nominal, `fill_early`, or formatted size).
    pub capacity: u32,
    /// Overwritable media: formatted.
    #[serde(default)]
    pub formatted: bool,
    /// Tracks in address order.
    pub tracks: Vec<Track>,
    /// Lead-out start (first address after the session) of every closed session.
    pub session_ends: Vec<u32>,
    /// No more sessions can be added.
    pub finalized: bool,
    /// Drive settings.
    #[serde(default)]
    pub settings: Settings,
    /// What the powered drive keeps between processes (mode pages, speeds, tray, a cue
    /// sheet not yet written); see [`crate::powered`]. Absent in a new disc's state, and
    /// in state files written before it was recorded: the drive then starts from its
    /// power-on defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drive: Option<Powered>,
    /// Length of the image file, in whole blocks, when this state was saved while a track
    /// was being written (absent otherwise, and in older state files): what
    /// [`Disc::recover_open_track`] measures new writes against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_blocks: Option<u32>,
    /// The disc's media catalog number (13 digits, Q mode 2), when one was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcn: Option<String>,
    /// CD-TEXT packs of the lead-in (18 bytes each, CRC included, as the host wrote them),
    /// in hex; empty without CD-TEXT.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "crate::powered::hex_bytes"
    )]
    pub cdtext: Vec<u8>,
}

/// State file format tag.
pub const STATE_FORMAT: &str = "discburn-emu-1";

/// The track the next write goes to when it starts a new one (MMC's invisible track), or
/// the incomplete track being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invisible {
    /// Its track number.
    pub number: u16,
    /// Its session number.
    pub session: u16,
    /// Its first LBA.
    pub start: u32,
    /// Next writable address.
    pub nwa: u32,
    /// Blocks already written (0 for a blank invisible track).
    pub recorded: u32,
    /// Index into `tracks` when it is an existing incomplete track.
    pub index: Option<usize>,
}

/// Where a write goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteTarget {
    /// An existing open track, by index.
    Track(usize),
    /// A new track starting at the invisible track's start.
    NewTrack,
    /// Overwritable medium: anywhere within the capacity.
    Random,
}

/// Where a read may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadCheck {
    /// Readable blocks.
    Ok,
    /// First block that is not readable, and whether it lies past everything recorded.
    Bad {
        /// The block.
        lba: u32,
        /// True past the end of all recorded data (LBA out of range).
        past_end: bool,
    },
    /// First block that is a run-out block of a closed CD track (written track-at-once).
    RunOut {
        /// The block.
        lba: u32,
    },
}

fn align_up(v: u32, a: u32) -> u32 {
    if a <= 1 {
        v
    } else {
        v.div_ceil(a).saturating_mul(a)
    }
}

impl Disc {
    /// A blank disc of this medium (ROM media: use [`Disc::pressed`]).
    pub fn blank(medium: MediumKind) -> Disc {
        Disc {
            format: STATE_FORMAT.into(),
            medium,
            capacity: medium.nominal_capacity(),
            formatted: false,
            tracks: Vec::new(),
            session_ends: Vec::new(),
            finalized: false,
            settings: Settings::default(),
            drive: None,
            image_blocks: None,
            mcn: None,
            cdtext: Vec::new(),
        }
    }

    /// A pressed disc holding `blocks` blocks in one track of one closed session.
    pub fn pressed(medium: MediumKind, blocks: u32) -> Disc {
        Disc {
            format: STATE_FORMAT.into(),
            medium,
            capacity: blocks,
            formatted: false,
            tracks: vec![Track {
                number: 1,
                session: 1,
                start: 0,
                length: blocks,
                reserved: None,
                closed: true,
                damaged: false,
                cd: None,
            }],
            session_ends: vec![blocks],
            finalized: true,
            settings: Settings::default(),
            drive: None,
            image_blocks: None,
            mcn: None,
            cdtext: Vec::new(),
        }
    }

    /// How this medium is written.
    pub fn model(&self) -> WriteModel {
        self.medium.write_model()
    }

    /// Number of closed sessions.
    pub fn closed_sessions(&self) -> usize {
        self.session_ends.len()
    }

    /// Number of the session being (or to be) written.
    pub fn open_session(&self) -> u16 {
        u16::try_from(self.session_ends.len() + 1).unwrap_or(u16::MAX)
    }

    /// True for a sequential medium with nothing on it.
    pub fn is_blank(&self) -> bool {
        match self.model() {
            WriteModel::Random => !self.formatted,
            _ => self.tracks.is_empty() && self.session_ends.is_empty(),
        }
    }

    /// Tracks of the open (incomplete) session.
    pub fn open_session_tracks(&self) -> impl Iterator<Item = &Track> {
        let s = self.open_session();
        self.tracks.iter().filter(move |t| t.session == s)
    }

    /// Size of a track as READ TRACK INFORMATION reports it once closed (data, padding,
    /// run-out) or reserved.
    pub fn track_size(&self, t: &Track) -> u32 {
        if t.closed && t.cd.as_ref().is_some_and(|c| c.sao) {
            t.length
        } else if t.closed {
            t.length.saturating_add(self.medium.run_out())
        } else if let Some(r) = t.reserved {
            r
        } else {
            t.length
        }
    }

    /// First address after a track (including run-out or reservation).
    pub fn track_end(&self, t: &Track) -> u32 {
        t.start.saturating_add(self.track_size(t))
    }

    /// Start of a new track: after the open session's last track (plus pregap on CD), or
    /// after the last closed session plus the medium's session gap, or 0.
    pub fn next_track_start(&self) -> u32 {
        let s = self.open_session();
        if let Some(last) = self.tracks.iter().rev().find(|t| t.session == s) {
            return align_up(
                self.track_end(last) + self.medium.track_pregap(),
                self.medium.family().blocking(),
            );
        }
        if let Some(end) = self.session_ends.last() {
            return align_up(
                end.saturating_add(self.medium.session_gap(self.session_ends.len())),
                self.medium.family().blocking(),
            );
        }
        0
    }

    /// The invisible (or incomplete) track of a sequential medium; None once finalized.
    pub fn invisible(&self) -> Option<Invisible> {
        if self.finalized || self.model() != WriteModel::Sequential {
            return None;
        }
        if let Some((i, t)) = self.tracks.iter().enumerate().next_back() {
            if !t.closed && t.reserved.is_none() {
                return Some(Invisible {
                    number: t.number,
                    session: t.session,
                    start: t.start,
                    nwa: t.start + t.length,
                    recorded: t.length,
                    index: Some(i),
                });
            }
        }
        let start = self.next_track_start();
        Some(Invisible {
            number: self.tracks.last().map(|t| t.number + 1).unwrap_or(1),
            session: self.open_session(),
            start,
            nwa: start,
            recorded: 0,
            index: None,
        })
    }

    /// Next writable address of an open track, if it has one.
    pub fn track_nwa(&self, t: &Track) -> Option<u32> {
        if t.closed || t.damaged || self.finalized {
            None
        } else {
            Some(t.start + t.length)
        }
    }

    /// End of all readable data.
    pub fn readable_end(&self) -> u32 {
        match self.model() {
            WriteModel::Random => {
                if self.formatted {
                    self.capacity
                } else {
                    0
                }
            }
            _ => self
                .tracks
                .iter()
                .map(|t| t.start + t.length)
                .max()
                .unwrap_or(0),
        }
    }

    /// Whether `blocks` blocks from `lba` can be read.
    pub fn check_read(&self, lba: u32, blocks: u32) -> ReadCheck {
        let end = lba as u64 + blocks as u64;
        if self.model() == WriteModel::Random {
            return if end <= self.readable_end() as u64 {
                ReadCheck::Ok
            } else {
                ReadCheck::Bad {
                    lba: lba.max(self.readable_end()),
                    past_end: true,
                }
            };
        }
        let mut at = lba;
        while (at as u64) < end {
            match self
                .tracks
                .iter()
                .find(|t| t.start <= at && at < t.start + t.length)
            {
                Some(t) => at = t.start + t.length,
                None if self
                    .tracks
                    .iter()
                    .any(|t| t.closed && t.start + t.length <= at && at < self.track_end(t)) =>
                {
                    return ReadCheck::RunOut { lba: at };
                }
                None => {
                    let recorded_end = self
                        .tracks
                        .iter()
                        .map(|t| self.track_end(t))
                        .max()
                        .unwrap_or(0);
                    return ReadCheck::Bad {
                        lba: at,
                        past_end: at >= recorded_end,
                    };
                }
            }
        }
        ReadCheck::Ok
    }

    /// Decides where a write of `blocks` at `lba` goes, or why it may not.
    pub fn write_target(&self, lba: u32, blocks: u32) -> Result<WriteTarget, EmuError> {
        let end = lba as u64 + blocks as u64;
        match self.model() {
            WriteModel::Rom => Err(EmuError::CannotWrite {
                what: "a pressed disc cannot be written".into(),
            }),
            WriteModel::Random => {
                if self.formatted && end > self.capacity as u64 {
                    return Err(EmuError::LbaOutOfRange {
                        lba,
                        blocks,
                        limit: self.capacity,
                    });
                }
                Ok(WriteTarget::Random)
            }
            WriteModel::Sequential => {
                if self.finalized {
                    return Err(EmuError::InvalidWriteAddress { lba, nwa: None });
                }
                for (i, t) in self.tracks.iter().enumerate() {
                    if self.track_nwa(t) == Some(lba) {
                        let limit = match t.reserved {
                            Some(r) => t.start + r,
                            None => self.capacity,
                        };
                        if end > limit as u64 {
                            return Err(EmuError::LbaOutOfRange { lba, blocks, limit });
                        }
                        return Ok(WriteTarget::Track(i));
                    }
                }
                let inv = self.invisible();
                match inv {
                    Some(v) if v.index.is_none() && v.start == lba => {
                        if end > self.capacity as u64 {
                            return Err(EmuError::LbaOutOfRange {
                                lba,
                                blocks,
                                limit: self.capacity,
                            });
                        }
                        Ok(WriteTarget::NewTrack)
                    }
                    _ => Err(EmuError::InvalidWriteAddress {
                        lba,
                        nwa: inv.map(|v| v.nwa),
                    }),
                }
            }
        }
    }

    /// Appends a new open track at the invisible track's start; returns its index.
    pub fn start_track(&mut self, reserved: Option<u32>) -> usize {
        let start = self.next_track_start();
        let number = self.tracks.last().map(|t| t.number + 1).unwrap_or(1);
        self.tracks.push(Track {
            number,
            session: self.open_session(),
            start,
            length: 0,
            reserved,
            closed: false,
            damaged: false,
            cd: None,
        });
        self.tracks.len() - 1
    }

    /// Closes track `i`: pads it to the medium's minimum, its reservation and its ECC
    /// alignment. Returns the block range the drive must fill with zeros.
    pub fn close_track(&mut self, i: usize) -> Option<(u32, u32)> {
        let min = self.medium.min_track();
        let blocking = self.medium.family().blocking();
        let t = self.tracks.get_mut(i)?;
        if t.closed {
            return None;
        }
        let padded = align_up(t.length.max(min).max(t.reserved.unwrap_or(0)), blocking);
        let fill = (t.start + t.length, t.start + padded);
        t.length = padded;
        t.closed = true;
        Some(fill)
    }

    /// Index of the open track with this number (`0xFF`: the incomplete track).
    pub fn open_track_index(&self, number: u16) -> Option<usize> {
        if number == 0xFF || number == 0 {
            return self.invisible().and_then(|v| v.index);
        }
        self.tracks
            .iter()
            .position(|t| t.number == number && !t.closed)
    }

    /// Closes the open session: closes its open tracks, records its end, and finalizes the
    /// disc when `finalize`. Returns the zero-fill ranges of closed tracks.
    pub fn close_session(&mut self, finalize: bool) -> Result<Vec<(u32, u32)>, EmuError> {
        if self.finalized {
            return Err(EmuError::SequenceError {
                what: "the disc is closed".into(),
            });
        }
        let s = self.open_session();
        let open: Vec<usize> = (0..self.tracks.len())
            .filter(|&i| self.tracks[i].session == s && !self.tracks[i].closed)
            .collect();
        let mut fills = Vec::new();
        for i in open {
            if let Some(f) = self.close_track(i) {
                fills.push(f);
            }
        }
        let end = self
            .tracks
            .iter()
            .filter(|t| t.session == s)
            .map(|t| self.track_end(t))
            .max();
        match end {
            Some(e) => {
                self.session_ends.push(e);
                self.finalized = finalize;
            }
            None if self.is_blank() => {
                return Err(EmuError::SequenceError {
                    what: "no session to close on a blank disc".into(),
                })
            }
            None => {
                if finalize {
                    self.finalized = true;
                }
            }
        }
        Ok(fills)
    }

    /// Removes the last session (BLANK type 6 on CD-RW); returns the first freed LBA.
    pub fn blank_last_session(&mut self) -> Result<u32, EmuError> {
        let s = self.open_session();
        let has_open = self.tracks.iter().any(|t| t.session == s);
        let target = if has_open && !self.finalized {
            s
        } else if let Some(n) = u16::try_from(self.session_ends.len())
            .ok()
            .filter(|&n| n > 0)
        {
            self.session_ends.pop();
            self.finalized = false;
            n
        } else {
            return Err(EmuError::SequenceError {
                what: "no session to blank".into(),
            });
        };
        let first = self
            .tracks
            .iter()
            .find(|t| t.session == target)
            .map(|t| t.start)
            .unwrap_or(0);
        self.tracks.retain(|t| t.session != target);
        Ok(first)
    }

    /// Validates a loaded state.
    pub fn validate(&self) -> Result<(), String> {
        if self.format != STATE_FORMAT {
            return Err(format!("unknown format {:?}", self.format));
        }
        let limit = match self.model() {
            WriteModel::Rom => u64::from(self.capacity),
            _ => u64::from(self.medium.nominal_capacity()),
        };
        if u64::from(self.capacity) > limit {
            return Err(format!("capacity {} exceeds the medium", self.capacity));
        }
        if self.session_ends.iter().any(|&e| u64::from(e) > limit) {
            return Err("a session ends past the medium".into());
        }
        for t in &self.tracks {
            let end = u64::from(t.start)
                + u64::from(t.length.max(t.reserved.unwrap_or(0)))
                + u64::from(self.medium.run_out());
            if end > limit {
                return Err(format!("track {} extends past the medium", t.number));
            }
        }
        let mut prev_end = 0u32;
        for (i, t) in self.tracks.iter().enumerate() {
            if usize::from(t.number) != i + 1 {
                return Err(format!("track {} listed as number {}", i + 1, t.number));
            }
            if t.start < prev_end {
                return Err(format!("track {} overlaps the previous one", t.number));
            }
            if t.session == 0 || usize::from(t.session) > self.session_ends.len() + 1 {
                return Err(format!(
                    "track {} in impossible session {}",
                    t.number, t.session
                ));
            }
            prev_end = self.track_end(t);
        }
        if let Some(p) = &self.drive {
            if p.page05.len() != crate::PAGE05_LEN || p.page05.first() != Some(&0x05) {
                return Err("drive page 05h is not a Write Parameters page".into());
            }
            if p.page01.len() != crate::PAGE01_LEN || p.page01.first() != Some(&0x01) {
                return Err("drive page 01h is not a Read/Write Error Recovery page".into());
            }
            if let Some(c) = p.sao {
                if u64::from(c.end) > limit || c.start > c.end {
                    return Err("the announced cue sheet lies outside the medium".into());
                }
            }
        }
        Ok(())
    }

    /// Recovers the length of the track being written from what the image holds, for a
    /// drive whose last process ended without recording it (killed, or a crash): the
    /// state is saved lazily while a track is written (see the module documentation), but
    /// the image is written first. When the image file has grown past its length at the
    /// last save ([`Disc::image_blocks`]) and past the recorded end of the open last
    /// track, a WRITE reached its new end, and since a track is written sequentially from
    /// its NWA every block from the recorded end to the new end of the file was written.
    /// Only the last track can be extended this way, and only when it is open, undamaged
    /// and unreserved (a reserved track is written below the invisible track, and what
    /// was written to it since the last save is lost, as data not yet synchronized may be
    /// on a real drive); a file that did not grow (or a state file without its length)
    /// proves nothing, and the track keeps its recorded length. `image_blocks` is the
    /// image's length now in whole blocks. Returns the blocks recovered.
    pub fn recover_open_track(&mut self, image_blocks: u32) -> u32 {
        if self.finalized || self.model() != WriteModel::Sequential {
            return 0;
        }
        match self.image_blocks {
            Some(then) if image_blocks > then => {}
            _ => return 0,
        }
        let limit = self.capacity;
        let Some(t) = self.tracks.last_mut() else {
            return 0;
        };
        if t.closed || t.damaged || t.reserved.is_some() {
            return 0;
        }
        let end = image_blocks.min(limit);
        let recorded = t.start.saturating_add(t.length);
        if end <= recorded {
            return 0;
        }
        t.length = end - t.start;
        end - recorded
    }

    /// Loads a state file.
    pub fn load(path: &Path) -> Result<Disc, EmuOpenError> {
        let bytes = fs::read(path).map_err(|source| EmuOpenError::Io {
            op: "read",
            path: path.to_path_buf(),
            source,
        })?;
        let disc: Disc = serde_json::from_slice(&bytes).map_err(|e| EmuOpenError::BadState {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        disc.validate().map_err(|reason| EmuOpenError::BadState {
            path: path.to_path_buf(),
            reason,
        })?;
        Ok(disc)
    }

    /// Saves the state atomically: writes `path.tmp.PID`, syncs it, renames it over `path`.
    pub fn save(&self, path: &Path) -> Result<(), EmuError> {
        let io = |op, source| EmuError::Io {
            op,
            path: path.to_path_buf(),
            source,
        };
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| io("encode state", std::io::Error::other(e)))?;
        let mut tmp = path.as_os_str().to_owned();
        // Per process: mkisofs -M and cdrecord may open the same disc at once.
        tmp.push(format!(".tmp.{}", std::process::id()));
        let tmp = std::path::PathBuf::from(tmp);
        {
            let mut f = fs::File::create(&tmp).map_err(|e| io("create", e))?;
            f.write_all(&json).map_err(|e| io("write", e))?;
            f.write_all(b"\n").map_err(|e| io("write", e))?;
            f.sync_all().map_err(|e| io("sync", e))?;
        }
        fs::rename(&tmp, path).map_err(|e| io("rename", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cd_gaps() {
        let mut d = Disc::blank(MediumKind::CdR);
        assert_eq!(d.invisible().unwrap().start, 0);
        assert_eq!(d.write_target(0, 10).unwrap(), WriteTarget::NewTrack);
        let i = d.start_track(None);
        d.tracks[i].length = 10;
        d.close_session(false).unwrap();
        // padded to 300, 2 run-out blocks: lead-out at 302, next session at 11702
        assert_eq!(d.session_ends, vec![302]);
        assert_eq!(d.invisible().unwrap().start, 11_702);
        let i = d.start_track(None);
        d.tracks[i].length = 1000;
        d.close_session(false).unwrap();
        assert_eq!(d.session_ends[1], 11_702 + 1002);
        assert_eq!(d.invisible().unwrap().start, 11_702 + 1002 + 6900);
        assert!(matches!(
            d.write_target(5, 1),
            Err(EmuError::InvalidWriteAddress { .. })
        ));
    }

    #[test]
    fn open_track_recovered_only_from_growth() {
        let mut d = Disc::blank(MediumKind::CdR);
        let i = d.start_track(None);
        d.tracks[i].length = 10;
        // the image was 100 blocks (say, filled with zeros beforehand) at the last save:
        // a file of 100 blocks proves nothing, one of 140 proves writes up to 140
        d.image_blocks = Some(100);
        assert_eq!(d.recover_open_track(100), 0);
        assert_eq!(d.tracks[0].length, 10);
        assert_eq!(d.recover_open_track(140), 130);
        assert_eq!(d.tracks[0].length, 140);
        // no recorded file length: nothing is recovered
        d.image_blocks = None;
        assert_eq!(d.recover_open_track(200), 0);
        // a reserved track keeps its recorded length
        d.image_blocks = Some(0);
        d.tracks[0].reserved = Some(500);
        assert_eq!(d.recover_open_track(200), 0);
        // a closed one too
        d.tracks[0].reserved = None;
        d.close_session(false).unwrap();
        assert_eq!(d.recover_open_track(400), 0);
    }

    #[test]
    fn reads() {
        let mut d = Disc::blank(MediumKind::DvdPlusR);
        let i = d.start_track(None);
        d.tracks[i].length = 20;
        assert_eq!(d.check_read(0, 20), ReadCheck::Ok);
        assert_eq!(
            d.check_read(19, 2),
            ReadCheck::Bad {
                lba: 20,
                past_end: true
            }
        );
        d.close_session(false).unwrap();
        assert_eq!(d.tracks[0].length, 32);
    }
}
