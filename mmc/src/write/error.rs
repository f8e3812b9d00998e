//! Why a write failed or was refused: [`WriteError`], one variant per refusal of the
//! safety checks (MMC-6 §4.2 ff., SPC-4 table 49 for the device type) and one for a command
//! that failed during a step.

use crate::drive::BLOCK;
use crate::error::MmcError;
use crate::msinfo::MsinfoError;
use crate::profile::Profile;

/// Why a session could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The device is not a CD/DVD/BD drive.
    #[error(
        "device type {device_type} ({name}) is not a CD/DVD/BD drive (type 5): refusing to write"
    )]
    NotOptical {
        /// Peripheral device type.
        device_type: u8,
        /// Its name.
        name: String,
    },
    /// No medium.
    #[error("no medium in the drive")]
    NoMedium,
    /// The medium cannot be written.
    #[error("{profile} is not a writable medium")]
    NotWritable {
        /// Current profile.
        profile: Profile,
    },
    /// The disc is finalized.
    #[error("the {profile} is closed (finalized): no more sessions can be written")]
    Closed {
        /// Current profile.
        profile: Profile,
    },
    /// The session does not fit.
    #[error("the session needs {need} blocks ({} MB) but only {free} blocks ({} MB) are free from block {start}: nothing was written", mb(*need), mb(*free))]
    NoSpace {
        /// Blocks the session needs.
        need: u64,
        /// Free blocks.
        free: u64,
        /// Where it would start.
        start: u32,
    },
    /// `-sao` on CD without the session's size: the cue sheet announces it before writing.
    #[error("-sao needs the session's size in advance (the cue sheet announces it): give tsize= for standard input, or use -tao; nothing was written")]
    SaoNeedsSize,
    /// `-sao` on CD, and the drive does not offer session-at-once (MMC-6 §5.3.21 CD
    /// Mastering feature 002Eh absent or without SAO, or the drive refused write type 2 or
    /// SEND CUE SHEET as unknown); `reason` says which.
    #[error("{reason}: use -tao; nothing was written")]
    SaoUnsupported {
        /// What the drive reported.
        reason: String,
    },
    /// The drive refused the cue sheet (ILLEGAL REQUEST) before anything was written.
    #[error("the drive refused the cue sheet of the session-at-once (SEND CUE SHEET: {detail}){}; nothing was written", match last_session_start {
        Some(s) => format!(": the CD already holds sessions (the last from block {s}), and some drives take session-at-once on a blank CD only (libburn's doc/cookbook.txt, SAO CD Cookbook); use -tao to add this session"),
        None => ": use -tao".to_string(),
    })]
    SaoRefused {
        /// The drive's answer.
        detail: String,
        /// The start of the last session on an appendable CD (`None`: blank CD).
        last_session_start: Option<u32>,
    },
    /// `-sao` while the last session was left unfinished by an interrupted write.
    #[error("the disc's last session (from block {start}) was left unfinished by an interrupted write: session-at-once starts a new session from its lead-in, which the drive refuses while that one is open; `discburn add` closes it and continues from the last complete session; nothing was written")]
    SaoUnfinished {
        /// First block of the unfinished session.
        start: u32,
    },
    /// Test writes are impossible on this medium.
    #[error("{profile} cannot do test writes (-dummy): only CD-R, CD-RW, DVD-R and DVD-RW can simulate; nothing was written")]
    DummyUnsupported {
        /// Current profile.
        profile: Profile,
    },
    /// The caller asked for a start the medium does not allow.
    #[error("cannot write at block {start}: {reason}")]
    BadStart {
        /// Requested start.
        start: u32,
        /// Why.
        reason: String,
    },
    /// The medium cannot be blanked.
    #[error("{profile} cannot be blanked: only CD-RW and DVD-RW can (DVD+RW and BD-RE are overwritten, or reformatted with `format`)")]
    NotBlankable {
        /// Current profile.
        profile: Profile,
    },
    /// The medium holds data where a first session would go, but no session msinfo found.
    #[error("the {profile} is not blank: {what}, and no ISO 9660 session to append to; refusing to write over it; nothing was written (`burn` of an image to block 0, or `format --force`, replaces the contents)")]
    NotBlank {
        /// Current profile.
        profile: Profile,
        /// What was found.
        what: super::RecordedBlock,
    },
    /// The last session was left unfinished by an interrupted write.
    #[error("the disc's last session (from block {start}) was left unfinished by an interrupted write: finalizing now would make it the session readers see, with files whose blocks were never written; `discburn add` closes it and writes a complete session after it (finalize after that); nothing was done")]
    Unfinished {
        /// First block of the unfinished session.
        start: u32,
    },
    /// Overwritable media: the descriptor copy to LBA 16 that makes a new session current
    /// did not read back as written.
    #[error("making the session at block {start} current failed: {problem} (after a second attempt); {}", if *restored {
        format!("the blocks that were at 16 before were put back: the previous session stays current, and the session at {start} (written and verified) is not reachable; the next session will be written over it")
    } else {
        format!("putting back what was at block 16 failed too ({restore_problem}): the disc will not mount as it is, and `discburn add` will refuse it; every session is intact: read the new one with `xorriso -indev DEV -load sbsector {start}` or `mount -o sbsector={start}`")
    })]
    CommitFailed {
        /// First block of the session.
        start: u32,
        /// What went wrong with the copy.
        problem: String,
        /// Whether block 16 holds the previous contents again.
        restored: bool,
        /// What went wrong putting them back.
        restore_problem: String,
    },
    /// msinfo failed.
    #[error("reading the disc's sessions: {0}")]
    Msinfo(#[from] MsinfoError),
    /// A command failed during a step.
    #[error("{step}: {source}")]
    Mmc {
        /// The step ("writing block 1234", "closing the session"...).
        step: String,
        /// The error.
        #[source]
        source: MmcError,
    },
}

pub(crate) fn mb(blocks: u64) -> u64 {
    blocks * BLOCK as u64 / 1_000_000
}

pub(crate) fn step(s: impl Into<String>) -> impl FnOnce(MmcError) -> WriteError {
    let s = s.into();
    move |source| WriteError::Mmc { step: s, source }
}

impl WriteError {
    /// True when nothing was written to the medium (a refusal before the first write).
    pub fn is_refusal(&self) -> bool {
        !matches!(self, WriteError::Mmc { .. })
    }
}
