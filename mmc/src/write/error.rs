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
    #[error("session-at-once needs the session's size in advance (the cue sheet announces it); nothing was written")]
    SaoNeedsSize,
    /// `-sao` on CD, and the drive does not offer session-at-once (MMC-6 §5.3.21 CD
    /// Mastering feature 002Eh absent or without SAO, or the drive refused write type 2 or
    /// SEND CUE SHEET as unknown); `reason` says which.
    #[error("{reason}; nothing was written")]
    SaoUnsupported {
        /// What the drive reported.
        reason: String,
    },
    /// The drive refused the cue sheet (ILLEGAL REQUEST) before anything was written.
    #[error("the drive refused the cue sheet of the session-at-once (SEND CUE SHEET: {detail}){}; nothing was written", match last_session_start {
        Some(s) => format!(": the CD already holds sessions (the last from block {s}), and some drives take session-at-once on a blank CD only (libburn's doc/cookbook.txt, SAO CD Cookbook)"),
        None => String::new(),
    })]
    SaoRefused {
        /// The drive's answer.
        detail: String,
        /// The start of the last session on an appendable CD (`None`: blank CD).
        last_session_start: Option<u32>,
    },
    /// `-sao` while the last session was left unfinished by an interrupted write.
    #[error("the disc's last session (from block {start}) was left unfinished by an interrupted write: session-at-once starts a new session from its lead-in, which the drive refuses while that one is open; nothing was written")]
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
    #[error("{profile} cannot be blanked: only CD-RW and DVD-RW can (DVD+RW and BD-RE are overwritten in place, or formatted anew)")]
    NotBlankable {
        /// Current profile.
        profile: Profile,
    },
    /// The medium holds data where a first session would go, but no session msinfo found.
    #[error("the {profile} is not blank: {what}, and no ISO 9660 session to append to; refusing to write over it; nothing was written")]
    NotBlank {
        /// Current profile.
        profile: Profile,
        /// What was found.
        what: super::RecordedBlock,
    },
    /// The last session was left unfinished by an interrupted write.
    #[error("the disc's last session (from block {start}) was left unfinished by an interrupted write: finalizing now would make it the session readers see, with files whose blocks were never written; nothing was done")]
    Unfinished {
        /// First block of the unfinished session.
        start: u32,
    },
    /// Overwritable media: the descriptor copy to LBA 16 that makes a new session current
    /// did not read back as written.
    #[error("making the session at block {start} current failed: {problem} (after a second attempt); {}", if *restored {
        format!("the blocks that were at 16 before were put back: the previous session stays current, and the session at {start} (written and verified) is not reachable; the next session will be written over it")
    } else {
        format!("putting back what was at block 16 failed too ({restore_problem}): the disc will not mount as it is; every session is intact, the new one from block {start}")
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
        /// The step that failed.
        step: Step,
        /// The error.
        #[source]
        source: MmcError,
    },
}

pub(crate) fn mb(blocks: u64) -> u64 {
    blocks * BLOCK as u64 / 1_000_000
}

/// The step of the write path in which a drive command failed ([`WriteError::Mmc`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// INQUIRY (SPC-4 §6.6), checking the device type.
    Inquiry,
    /// GET CONFIGURATION's current profile (MMC-6 §6.6).
    CurrentProfile,
    /// READ DISC INFORMATION (MMC-6 §6.22).
    ReadDiscInformation,
    /// READ TRACK INFORMATION (MMC-6 §6.27).
    ReadTrackInformation,
    /// READ CAPACITY (MMC-6 §6.23).
    ReadCapacity,
    /// READ FORMAT CAPACITIES (MMC-6 §6.24).
    ReadFormatCapacities,
    /// MODE SELECT of the write parameters page 05h (MMC-6 §7.5); `preparing` when it set
    /// the session's parameters, not when it put back or changed them for closing.
    WriteParameters {
        /// Setting the parameters for the session about to be written.
        preparing: bool,
    },
    /// SEND CUE SHEET (MMC-6 §6.33).
    SendCueSheet,
    /// RESERVE TRACK (MMC-6 §6.31).
    ReserveTrack,
    /// WRITE(10) of the pre-gap before a session-at-once track: `blocks` at `from + done`.
    Pregap {
        /// Blocks in this command.
        blocks: u32,
        /// The pre-gap's first block (negative before the first track: LBA -150).
        from: i64,
        /// Blocks of it already written.
        done: u32,
    },
    /// WRITE(10) of `blocks` blocks at `lba` (MMC-6 §6.46).
    Write {
        /// Blocks in the command.
        blocks: u32,
        /// First block.
        lba: u32,
    },
    /// SYNCHRONIZE CACHE (MMC-6 §6.40).
    SynchronizeCache,
    /// CLOSE TRACK (MMC-6 §6.3); `interrupted` for a track an interrupted write left open.
    CloseTrack {
        /// The track number.
        track: u16,
        /// Closing a track left open by an interrupted write.
        interrupted: bool,
    },
    /// CLOSE SESSION (MMC-6 §6.3).
    CloseSession {
        /// Which close.
        kind: SessionClose,
    },
    /// FORMAT UNIT (MMC-6 §6.5).
    FormatUnit,
    /// Waiting (TEST UNIT READY / REQUEST SENSE progress) for FORMAT UNIT to finish.
    FormatWait,
    /// BLANK (MMC-6 §6.2).
    Blank,
    /// Waiting for BLANK to finish.
    BlankWait,
    /// SET CD SPEED (MMC-6 §6.37), before an audio burn.
    SetCdSpeed,
    /// READ TOC/PMA/ATIP format 0 (MMC-6 §6.26), the track list.
    ReadToc,
    /// READ TOC/PMA/ATIP format 4 (MMC-6 §6.26.3.6), the ATIP of a blank CD.
    ReadAtip,
    /// READ TRACK INFORMATION of the invisible track (MMC-6 §6.27), its next writable
    /// address.
    ReadInvisibleTrack,
    /// MODE SELECT of page 05h for a session-at-once audio burn (MMC-6 §7.5).
    SaoWriteParameters,
    /// MODE SELECT of page 05h for audio track `track`, track at once (MMC-6 §7.5).
    TrackWriteParameters {
        /// The track number.
        track: u8,
    },
    /// WRITE(10) of `blocks` audio or pre-gap blocks at `lba` (negative in the lead-in's
    /// pre-gap).
    AudioWrite {
        /// Blocks in the command.
        blocks: u32,
        /// First block.
        lba: i64,
    },
    /// SYNCHRONIZE CACHE at the end of a session-at-once audio burn (the drive writes
    /// lead-in and lead-out).
    SaoSynchronize,
    /// SYNCHRONIZE CACHE ending audio track `track` (track at once).
    TrackSynchronize {
        /// The track number.
        track: u8,
    },
}

/// Which CLOSE SESSION a [`Step::CloseSession`] was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionClose {
    /// Closing the session, the disc stays appendable.
    Session,
    /// Closing the last session and the disc (finalizing).
    Finalize,
    /// Closing a session an interrupted write left open.
    Interrupted,
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Inquiry => f.write_str("INQUIRY"),
            Step::CurrentProfile => f.write_str("reading the current profile"),
            Step::ReadDiscInformation => f.write_str("READ DISC INFORMATION"),
            Step::ReadTrackInformation => f.write_str("READ TRACK INFORMATION"),
            Step::ReadCapacity => f.write_str("READ CAPACITY"),
            Step::ReadFormatCapacities => f.write_str("READ FORMAT CAPACITIES"),
            Step::WriteParameters { preparing: true } => {
                f.write_str("MODE SELECT page 05h (write parameters)")
            }
            Step::WriteParameters { preparing: false } => f.write_str("MODE SELECT page 05h"),
            Step::SendCueSheet => f.write_str("SEND CUE SHEET"),
            Step::ReserveTrack => f.write_str("RESERVE TRACK"),
            Step::Pregap { blocks, from, done } => {
                write!(
                    f,
                    "writing the pre-gap ({blocks} blocks at {from} + {done})"
                )
            }
            Step::Write { blocks, lba } => write!(f, "writing {blocks} blocks at block {lba}"),
            Step::SynchronizeCache => f.write_str("SYNCHRONIZE CACHE"),
            Step::CloseTrack {
                track,
                interrupted: false,
            } => write!(f, "CLOSE TRACK {track}"),
            Step::CloseTrack {
                track,
                interrupted: true,
            } => write!(f, "CLOSE TRACK {track} (interrupted track)"),
            Step::CloseSession {
                kind: SessionClose::Session,
            } => f.write_str("CLOSE SESSION"),
            Step::CloseSession {
                kind: SessionClose::Finalize,
            } => f.write_str("CLOSE SESSION (finalize)"),
            Step::CloseSession {
                kind: SessionClose::Interrupted,
            } => f.write_str("CLOSE SESSION (interrupted session)"),
            Step::FormatUnit => f.write_str("FORMAT UNIT"),
            Step::FormatWait => f.write_str("waiting for the format to finish"),
            Step::Blank => f.write_str("BLANK"),
            Step::BlankWait => f.write_str("waiting for blanking to finish"),
            Step::SetCdSpeed => f.write_str("SET CD SPEED"),
            Step::ReadToc => f.write_str("READ TOC"),
            Step::ReadAtip => f.write_str("READ TOC/PMA/ATIP (ATIP)"),
            Step::ReadInvisibleTrack => {
                f.write_str("READ TRACK INFORMATION of the invisible track")
            }
            Step::SaoWriteParameters => f.write_str("MODE SELECT page 05h (session-at-once)"),
            Step::TrackWriteParameters { track } => {
                write!(f, "MODE SELECT page 05h for track {track}")
            }
            Step::AudioWrite { blocks, lba } => {
                write!(f, "WRITE of {blocks} block(s) at LBA {lba}")
            }
            Step::SaoSynchronize => {
                f.write_str("SYNCHRONIZE CACHE (the drive writes lead-in and lead-out)")
            }
            Step::TrackSynchronize { track } => {
                write!(f, "SYNCHRONIZE CACHE ending track {track}")
            }
        }
    }
}

pub(crate) fn step(step: Step) -> impl FnOnce(MmcError) -> WriteError {
    move |source| WriteError::Mmc { step, source }
}

impl WriteError {
    /// True when nothing was written to the medium: the refusals of the checks before the
    /// first command that changes it (msinfo is read while planning, before any). A failed
    /// command ([`WriteError::Mmc`]) and a failed commit (after the session was written)
    /// are not refusals.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            WriteError::NotOptical { .. }
                | WriteError::NoMedium
                | WriteError::NotWritable { .. }
                | WriteError::Closed { .. }
                | WriteError::NoSpace { .. }
                | WriteError::SaoNeedsSize
                | WriteError::SaoUnsupported { .. }
                | WriteError::SaoRefused { .. }
                | WriteError::SaoUnfinished { .. }
                | WriteError::DummyUnsupported { .. }
                | WriteError::BadStart { .. }
                | WriteError::NotBlankable { .. }
                | WriteError::NotBlank { .. }
                | WriteError::Unfinished { .. }
                | WriteError::Msinfo(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CommandName;

    fn failed(step: Step) -> WriteError {
        WriteError::Mmc {
            step,
            source: MmcError::NotSupported {
                command: CommandName::of(crate::cmd::op::SYNCHRONIZE_CACHE),
            },
        }
    }

    /// The refusals are a positive list: a command that failed, or a commit after the
    /// session was written, did not leave the medium untouched.
    #[test]
    fn refusals_are_the_checks_before_writing() {
        let p = Profile::BdRSrm;
        for e in [
            WriteError::NoMedium,
            WriteError::Closed { profile: p },
            WriteError::NoSpace {
                need: 2,
                free: 1,
                start: 0,
            },
            WriteError::SaoNeedsSize,
            WriteError::Unfinished { start: 7 },
        ] {
            assert!(e.is_refusal(), "{e:?}");
        }
        for e in [
            failed(Step::Write {
                blocks: 16,
                lba: 32,
            }),
            WriteError::CommitFailed {
                start: 32,
                problem: "x".into(),
                restored: true,
                restore_problem: String::new(),
            },
        ] {
            assert!(!e.is_refusal(), "{e:?}");
        }
    }

    /// Steps print as the messages always named them.
    #[test]
    fn steps_print_their_commands() {
        let cases = [
            (
                Step::Write {
                    blocks: 16,
                    lba: 32,
                },
                "writing 16 blocks at block 32",
            ),
            (
                Step::Pregap {
                    blocks: 150,
                    from: -150,
                    done: 0,
                },
                "writing the pre-gap (150 blocks at -150 + 0)",
            ),
            (
                Step::CloseTrack {
                    track: 3,
                    interrupted: true,
                },
                "CLOSE TRACK 3 (interrupted track)",
            ),
            (
                Step::CloseSession {
                    kind: SessionClose::Finalize,
                },
                "CLOSE SESSION (finalize)",
            ),
            (
                Step::WriteParameters { preparing: true },
                "MODE SELECT page 05h (write parameters)",
            ),
        ];
        for (s, want) in cases {
            assert_eq!(s.to_string(), want);
        }
        let m = failed(Step::SynchronizeCache).to_string();
        assert!(m.starts_with("SYNCHRONIZE CACHE: "), "{m}");
    }
}
