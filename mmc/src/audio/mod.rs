//! Audio CDs and mixed sessions, host side: cue files ([`cue`]), inputs (WAVE, raw CD-DA
//! in either byte order, data images: [`source`]), the layout and its SEND CUE SHEET list
//! (MMC-6 §6.33, [`plan`]), CD-TEXT packs (MMC-6 Annex J, [`cdtext`]) and the burn
//! ([`mod@write`]: session-at-once with the lead-in's CD-TEXT as cdrecord and libburn write
//! it, or track-at-once with page 05h data block type 0, MMC-6 §7.5.4), and reading CD-DA
//! back with READ CD ([`rip`], MMC-6 §6.15) with the MCN, ISRCs and CD-TEXT ([`info`]),
//! and comparing a burnt session with what was sent ([`verify`]).

pub mod cdtext;
pub mod cue;
pub mod info;
pub mod plan;
pub mod rip;
pub mod source;
pub mod verify;
pub mod write;

use std::path::PathBuf;

pub use cue::{Cue, FileKind, Flags, Text, TrackMode};
pub use plan::{Placed, Plan, PlanOptions, PlanTrack, TrackFile};
pub use write::{burn, AudioBurnOptions, AudioBurnReport, AudioEvent};

use crate::error::MmcError;
use crate::write::{Step, WriteError};

/// Why an audio session cannot be planned or burnt.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// A file could not be read.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was done.
        op: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A cue file is malformed.
    #[error("{path}:{line}: {what}")]
    Cue {
        /// The cue file.
        path: PathBuf,
        /// Its line.
        line: usize,
        /// What is wrong.
        what: String,
    },
    /// A file a track names does not exist.
    #[error("{path}: no such file")]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// A WAVE file is unreadable or not CD audio.
    #[error("{path}: {what}")]
    Wave {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// A file's size is not a whole number of units (4-byte stereo frames, 2352-byte
    /// sectors, 2048-byte blocks).
    #[error("{path}: {bytes} bytes is not a whole number of {unit}-byte units{}", if *unit == 2352 { " (use -pad to pad the last sector)" } else { "" })]
    OddSize {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
        /// The unit.
        unit: usize,
    },
    /// A track cannot be recorded as given.
    #[error("track {track}: {what}")]
    Track {
        /// The track.
        track: u8,
        /// Why.
        what: String,
    },
    /// No tracks.
    #[error("no tracks to write")]
    Empty,
    /// The drive or medium cannot take this session.
    #[error("{0}")]
    Refused(String),
    /// A check before writing failed (device, medium).
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A command failed while writing.
    #[error("{step}: {source}")]
    Drive {
        /// What was being done.
        step: Step,
        /// The failure.
        #[source]
        source: MmcError,
    },
}
