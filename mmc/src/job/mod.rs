//! Whole jobs as library calls: the burn pipeline (a FIFO between the producer of a
//! session's bytes and the drive, the session's digests, the read-back compare and, on
//! overwritable media, the commit) with a progress callback, as libburn's `burn_disc_write`
//! and libisoburn's `isoburn_*` calls give C programs. The write path underneath is
//! [`crate::write`] (MMC-6 §4.2 ff.).

pub mod append;
pub mod burn;
pub mod md5;
pub mod multi;
pub mod pipeline;

use crate::profile::Profile;

/// One progress sample of a session being written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Sample {
    /// Bytes sent to the drive.
    pub written_bytes: u64,
    /// Bytes in the session, when known.
    pub total_bytes: Option<u64>,
    /// FIFO fill, percent.
    pub fifo_percent: u8,
    /// Lowest FIFO fill since writing started, percent.
    pub fifo_min_percent: u8,
    /// Drive buffer fill, percent (None: the drive does not say).
    pub drive_buffer_percent: Option<u8>,
}

/// What a job reports to its progress callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// An entry of the previous session cannot be carried forward (its name is unsafe,
    /// too long, taken twice, or it is below such a directory): the session is written
    /// without it.
    NotCarried(isofs::extract::Problem),
    /// With [`append::AppendOptions::fresh_tree`]: the session is written without the
    /// files of this previous session.
    NotWhole(append::NotWhole),
    /// Writing begins (the FIFO is being filled): the session's size when known, and the
    /// medium (whose 1x speed a display divides by).
    WriteStarted {
        /// Bytes in the session, when known.
        total_bytes: Option<u64>,
        /// The medium.
        profile: Profile,
    },
    /// A chunk went to the drive.
    Written(Sample),
    /// Writing ended, after the last chunk or a failure: the last sample.
    WriteEnded(Sample),
}
