//! The write path: one session (one data track) per call, per profile, following MMC-6
//! §4.2 (CD-R/RW track-at-once), §4.3.5 (DVD-R incremental), §4.3.6 (DVD+R, DVD+R DL
//! sessions), §4.5.3.5 (BD-R SRM), §4.3.7 / §4.5.4 (DVD+RW, BD-RE: overwritable) and the
//! command recipes of libburn's doc/cookbook.txt that real drives accept.
//!
//! Per medium, [`prepare`] and [`SessionWriter`] send:
//! - CD-R/RW: MODE SELECT page 05h (TAO, multi-session 11b with `multi` else 00b, track
//!   mode 4, data block type 8 = mode 1, BUFE on, Test Write for `dummy`), SET CD SPEED,
//!   WRITE(10) at the NWA of the invisible track (FFh), SYNCHRONIZE CACHE (which ends a TAO
//!   track on real drives: no CLOSE TRACK, some drives reject it), CLOSE SESSION (010b).
//! - DVD-R/-RW sequential: page 05h (incremental, link size 16, track mode 5, BUFE, Test
//!   Write for `dummy`), SET STREAMING, RESERVE TRACK when the size is known, WRITE(10) at
//!   the NWA, SYNCHRONIZE CACHE, CLOSE TRACK (001b), CLOSE SESSION (010b: the multi-session
//!   field of page 05h decides whether the disc stays appendable).
//! - DVD+R / DVD+R DL: no page 05h; SET STREAMING, RESERVE TRACK, WRITE(10),
//!   SYNCHRONIZE CACHE, CLOSE TRACK, then CLOSE SESSION (010b, appendable) or finalize
//!   (101b for DVD+R, 110b for DVD+R DL).
//! - BD-R SRM: as DVD+R; finalize is 110b.
//! - DVD+RW, BD-RE (and other overwritable media): FORMAT UNIT when unformatted (DVD+RW
//!   type 26h, BD-RE type 00h with the drive's default spare area), SET STREAMING, WRITE(10)
//!   anywhere, SYNCHRONIZE CACHE. Sessions are emulated as described in
//!   [`crate::msinfo`]: a new session starts at the next writable address msinfo reports
//!   (the end of the previous session rounded up to 32 blocks); after it is written and the
//!   cache synchronized, its volume descriptor set (LBA start+16 up to and including the
//!   terminator) is copied to LBA 16 with the primary descriptor's volume space size set to
//!   `start + size`, then the cache is synchronized again. That copy is the commit: an
//!   interrupted session leaves the previous one in force. [`SessionWriter::finish_uncommitted`]
//!   hands the commit to the caller so it happens only after the session has been read back
//!   and verified: a session that fails verification is never made current. The first session of `add` starts
//!   at LBA 32 (libisoburn's layout, which keeps every session's own descriptors intact); an
//!   image burnt with `burn` that was not made for a later start goes to LBA 0 (growisofs -Z).
//!
//! Safety checks before the first write: the device is a CD/DVD/BD device (INQUIRY
//! peripheral device type 5), the current medium is writable and not closed, a test write
//! is refused on media that cannot simulate (only CD-R/RW and DVD-R/-RW can), and a session
//! of known size must fit in the free space. CD session-at-once (`-sao`) is refused when the
//! drive's CD Mastering feature (002Eh, MMC-6 §5.3.21) does not offer it for the medium (or
//! the drive refuses write type 2 in page 05h, or SEND CUE SHEET as unknown), and while an
//! interrupted write's session is open; a cue sheet the drive refuses (some drives take SAO
//! on a blank CD only: libburn's doc/cookbook.txt, SAO CD Cookbook) is reported before
//! anything is written.

use std::time::Duration;

use transport::Transport;

use crate::cmd::blank_format::{self, BlankType, FormatRequest};
use crate::cmd::close::{self, CloseFunction};
use crate::cmd::cue_sheet;
use crate::cmd::disc_info::DiscStatus;
use crate::cmd::format_capacities::{CurrentKind, FormatCapacitiesView};
use crate::cmd::mode::{WriteParameters, WriteType};
use crate::cmd::speed::{self, StreamingPerformance};
use crate::cmd::track_info::{TrackAddress, INVISIBLE_TRACK};
use crate::cmd::{reserve_track, write};
use crate::drive::{Drive, BLOCK, LONG_TIMEOUT};
use crate::error::MmcError;
use crate::msinfo::{self, Msinfo, MsinfoError, OVERWRITABLE_ALIGN, PVD_LBA};
use crate::profile::Profile;
use transport::DataPhase;

/// First block of the first session `add` writes on overwritable media (libisoburn's layout).
pub const OVERWRITABLE_FIRST_SESSION: u32 = 32;
/// Blocks of a session kept in memory to copy its volume descriptors to LBA 16.
const HEAD_BLOCKS: usize = 64;
/// Peripheral device type of CD/DVD/BD devices (SPC-4 table 49: MMC device).
pub const PDT_MMC: u8 = 5;

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
        what: String,
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

fn mb(blocks: u64) -> u64 {
    blocks * BLOCK as u64 / 1_000_000
}

fn step(s: impl Into<String>) -> impl FnOnce(MmcError) -> WriteError {
    let s = s.into();
    move |source| WriteError::Mmc { step: s, source }
}

impl WriteError {
    /// True when nothing was written to the medium (a refusal before the first write).
    pub fn is_refusal(&self) -> bool {
        !matches!(self, WriteError::Mmc { .. })
    }
}

/// Write type requested (`-tao`, `-sao`); data sessions are written track-at-once on CD
/// (session-at-once with `-sao`, when the size is known) and incrementally on DVD-R.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WriteMode {
    /// The medium's usual mode.
    #[default]
    Auto,
    /// Track at once (CD).
    Tao,
    /// Session at once: on CD-R/RW a cue sheet (SEND CUE SHEET) announces the session,
    /// which needs its size in advance; on other media written incrementally, with a notice.
    Sao,
}

/// Minimum CD track length in blocks (MMC-6 §6.33.3.6: 4 seconds).
pub const MIN_CD_TRACK: u32 = 300;

/// Where the session goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Start {
    /// At the next writable address (first session: LBA 0, or 32 on overwritable media).
    #[default]
    Append,
    /// Overwritable media only: this LBA (e.g. 0 to replace everything, as growisofs -Z).
    At(u32),
}

/// What to write and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// Leave the disc appendable (`-multi`); otherwise finalize after this session.
    pub multi: bool,
    /// Test write (`-dummy`): the laser stays off.
    pub dummy: bool,
    /// Write speed in kB/s (`None`: as fast as possible).
    pub speed_kbps: Option<u32>,
    /// Write type.
    pub mode: WriteMode,
    /// Buffer-underrun protection (BUFE), on by default.
    pub bufe: bool,
    /// Where the session goes.
    pub start: Start,
    /// Reserve the track by size where the medium allows it.
    pub reserve: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            multi: true,
            dummy: false,
            speed_kbps: None,
            mode: WriteMode::Auto,
            bufe: true,
            start: Start::Append,
            reserve: true,
        }
    }
}

/// How a profile is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recipe {
    /// CD-R/RW track at once.
    CdTao,
    /// DVD-R/-RW incremental.
    DvdMinusR,
    /// DVD+R.
    DvdPlusR,
    /// DVD+R dual layer.
    DvdPlusRDl,
    /// BD-R sequential recording mode.
    BdR,
    /// Overwritable (DVD+RW, BD-RE, DVD-RAM, DVD-RW restricted overwrite).
    Overwritable,
}

impl Recipe {
    /// The recipe for a profile, `None` for media this crate cannot write.
    pub fn for_profile(p: Profile) -> Option<Recipe> {
        Some(match p {
            Profile::CdR | Profile::CdRw => Recipe::CdTao,
            Profile::DvdRSeq | Profile::DvdRwSeq | Profile::DvdRDlSeq => Recipe::DvdMinusR,
            Profile::DvdPlusR => Recipe::DvdPlusR,
            Profile::DvdPlusRDl => Recipe::DvdPlusRDl,
            Profile::BdRSrm => Recipe::BdR,
            p if p.overwritable() && p.writable() => Recipe::Overwritable,
            _ => return None,
        })
    }
    /// True when the medium can simulate (Test Write in page 05h).
    pub fn can_simulate(self) -> bool {
        matches!(self, Recipe::CdTao | Recipe::DvdMinusR)
    }
}

/// What [`prepare`] found and set up.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionPlan {
    /// The medium.
    #[serde(serialize_with = "ser_profile")]
    pub profile: Profile,
    /// The recipe used.
    pub recipe: Recipe,
    /// First block of the new session.
    pub start: u32,
    /// Previous session's start (msinfo's first number), when there is one.
    pub last_session_start: Option<u32>,
    /// Track number being written (sequential media).
    pub track: u16,
    /// Session number the new session will have (1 for the first).
    pub session: u16,
    /// Free blocks from `start`.
    pub free_blocks: u64,
    /// Session size, when known.
    pub size_blocks: Option<u32>,
    /// Options the plan was made with.
    #[serde(skip)]
    pub options: WriteOptions,
    /// CD session-at-once: the announced track size in blocks (at least 300); the writer
    /// sends the 150-block pre-gap first and pads the track to this size.
    pub sao_blocks: Option<u32>,
}

fn ser_profile<S: serde::Serializer>(p: &Profile, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.to_string())
}

/// Checks the device (type 5) and that a medium is there and writable; returns the profile.
pub fn check_device<T: Transport>(drive: &mut Drive<T>) -> Result<Profile, WriteError> {
    let id = drive.identify().map_err(step("INQUIRY"))?;
    if id.device_type != PDT_MMC {
        return Err(WriteError::NotOptical {
            device_type: id.device_type,
            name: id.device_type_name,
        });
    }
    let profile = match drive.current_profile() {
        Ok(p) => p,
        Err(e) if e.is_not_supported() => legacy_profile(drive)?,
        Err(e) if e.sense().is_some_and(|s| s.asc == 0x3A) => return Err(WriteError::NoMedium),
        Err(e) => return Err(step("reading the current profile")(e)),
    };
    if profile == Profile::None {
        return Err(WriteError::NoMedium);
    }
    if !profile.writable() || Recipe::for_profile(profile).is_none() {
        return Err(WriteError::NotWritable { profile });
    }
    Ok(profile)
}

/// The medium in a drive without GET CONFIGURATION (older than MMC-2; every DVD and BD
/// writer has it, so such a drive writes CDs): CD-RW when READ DISC INFORMATION says the
/// disc is erasable (MMC-6 §6.22.3.1.2, byte 2 bit 4, as cdrecord reads it on such drives),
/// CD-R otherwise, also when the drive cannot say.
fn legacy_profile<T: Transport>(drive: &mut Drive<T>) -> Result<Profile, WriteError> {
    match drive.disc_info() {
        Ok(d) if d.view().erasable() => Ok(Profile::CdRw),
        Ok(_) => Ok(Profile::CdR),
        Err(e) if e.sense().is_some_and(|s| s.asc == 0x3A) => Err(WriteError::NoMedium),
        Err(e) => {
            log::warn!(
                "no GET CONFIGURATION and no disc information ({e}): taking the disc for a CD-R"
            );
            Ok(Profile::CdR)
        }
    }
}

/// The checked view of a READ FORMAT CAPACITIES answer, a bad answer named as that step.
fn format_capacities_view(b: &[u8]) -> Result<FormatCapacitiesView<'_>, WriteError> {
    FormatCapacitiesView::new_checked(b).map_err(|e| WriteError::Mmc {
        step: "READ FORMAT CAPACITIES".into(),
        source: MmcError::BadAnswer {
            command: crate::error::CommandName::of(crate::cmd::op::READ_FORMAT_CAPACITIES),
            source: e,
        },
    })
}

/// True when an overwritable medium still needs FORMAT UNIT before writing.
pub fn needs_format<T: Transport>(drive: &mut Drive<T>) -> Result<bool, WriteError> {
    let b = match drive.format_capacities() {
        Ok(b) => b,
        Err(e) if e.is_illegal_request() => return Ok(false),
        Err(e) => return Err(step("READ FORMAT CAPACITIES")(e)),
    };
    let v = format_capacities_view(&b)?;
    Ok(v.current_kind() == CurrentKind::Unformatted)
}

/// Formats an overwritable medium with the drive's offered full format (DVD+RW type 26h,
/// BD-RE type 00h/30h default spare area), waiting for the format to end. Refuses a device
/// that is not a CD/DVD/BD drive, as [`check_device`] does.
pub fn format<T: Transport>(drive: &mut Drive<T>, profile: Profile) -> Result<(), WriteError> {
    check_device(drive)?;
    let b = drive
        .format_capacities()
        .map_err(step("READ FORMAT CAPACITIES"))?;
    let v = format_capacities_view(&b)?;
    let wanted: &[u8] = match profile {
        Profile::DvdPlusRw | Profile::DvdPlusRwDl => &[0x26, 0x00],
        Profile::BdRe => &[0x00, 0x30, 0x31],
        _ => &[0x00],
    };
    let offered: Vec<_> = v.formattable().collect();
    let pick = wanted
        .iter()
        .find_map(|t| offered.iter().find(|c| c.format_type == *t))
        .copied();
    let (blocks, format_type, param) = match pick {
        Some(c) => (c.blocks, c.format_type, c.param),
        None => (v.current().0, wanted.first().copied().unwrap_or(0), 0),
    };
    let req = FormatRequest {
        blocks,
        format_type,
        subtype: 0,
        type_dependent: if format_type == 0x26 { 0 } else { param },
        immed: true,
    };
    let params = req.params();
    log::info!("FORMAT UNIT type {format_type:02X}h, {blocks} blocks");
    drive
        .execute(req.cdb(), DataPhase::Out(&params), LONG_TIMEOUT)
        .map_err(step("FORMAT UNIT"))?;
    drive
        .wait_long_operation(LONG_TIMEOUT)
        .map_err(step("waiting for the format to finish"))?;
    Ok(())
}

/// Blanks a CD-RW (or DVD-RW) and waits for the end.
pub fn blank<T: Transport>(drive: &mut Drive<T>, kind: BlankType) -> Result<(), WriteError> {
    let profile = check_device(drive)?;
    if !profile.erasable() || profile.overwritable() {
        return Err(WriteError::NotBlankable { profile });
    }
    drive
        .execute(
            blank_format::blank(kind, true),
            DataPhase::None,
            LONG_TIMEOUT,
        )
        .map_err(step("BLANK"))?;
    drive
        .wait_long_operation(LONG_TIMEOUT)
        .map_err(step("waiting for blanking to finish"))?;
    Ok(())
}

/// Finalizes an appendable sequential disc (no more sessions): closes the open session the
/// way the medium needs.
pub fn finalize<T: Transport>(drive: &mut Drive<T>) -> Result<(), WriteError> {
    let profile = check_device(drive)?;
    let recipe = Recipe::for_profile(profile).ok_or(WriteError::NotWritable { profile })?;
    if let Some(start) = unfinished_session(drive)? {
        return Err(WriteError::Unfinished { start });
    }
    let di = drive.disc_info().map_err(step("READ DISC INFORMATION"))?;
    match di.view().disc_status() {
        DiscStatus::Complete => return Err(WriteError::Closed { profile }),
        DiscStatus::Empty => {
            return Err(WriteError::BadStart {
                start: 0,
                reason: "the disc is blank: there is no session to close".into(),
            })
        }
        _ => {}
    }
    let f = match recipe {
        Recipe::Overwritable => {
            log::info!("{profile} has no sessions to close; nothing to do");
            return Ok(());
        }
        Recipe::CdTao | Recipe::DvdMinusR => {
            // The session close finalizes when page 05h says "no next session".
            let wp = match recipe {
                Recipe::CdTao => WriteParameters::cd_tao_data(false, false),
                _ => WriteParameters::dvd_incremental(false, false),
            };
            drive
                .mode_select(&wp.select_data())
                .map_err(step("MODE SELECT page 05h"))?;
            CloseFunction::Session
        }
        Recipe::DvdPlusR => CloseFunction::FinalizeMinimal,
        Recipe::DvdPlusRDl | Recipe::BdR => CloseFunction::FinalizeDvdPlusRDl,
    };
    drive
        .execute(close::cdb(f, 0, false), DataPhase::None, LONG_TIMEOUT)
        .map_err(step("CLOSE SESSION (finalize)"))?;
    Ok(())
}

/// The recipe and the first and last track of the last session when the disc is sequential and that session
/// is still open (disc and session status incomplete); `None` otherwise.
fn open_last_session<T: Transport>(
    drive: &mut Drive<T>,
) -> Result<Option<(Recipe, u16, u16)>, WriteError> {
    let profile = check_device(drive)?;
    let recipe = match Recipe::for_profile(profile) {
        None | Some(Recipe::Overwritable) => return Ok(None),
        Some(r) => r,
    };
    let di = drive.disc_info().map_err(step("READ DISC INFORMATION"))?;
    let v = di.view();
    if v.disc_status() != DiscStatus::Incomplete
        || v.last_session_state() != crate::cmd::disc_info::SessionState::Incomplete
    {
        return Ok(None);
    }
    Ok(Some((
        recipe,
        v.first_track_last_session(),
        v.last_track_last_session(),
    )))
}

/// Closes the open session of a sequential disc when an earlier write was interrupted in
/// it (a damaged or unfinished track before the next writable address), so the next
/// session starts clean and msinfo keeps pointing at a complete, readable session. Returns
/// a description of what was done, `None` when nothing needed closing.
///
/// Call it before reading msinfo for a new session (`add` does); not between msinfo and
/// the write of an image made for that msinfo (closing moves the next writable address).
pub fn close_interrupted_session<T: Transport>(
    drive: &mut Drive<T>,
) -> Result<Option<String>, WriteError> {
    let Some((recipe, first, last)) = open_last_session(drive)? else {
        return Ok(None);
    };
    let ti = drive
        .track_info(TrackAddress::Track(u32::from(last)))
        .map_err(step("READ TRACK INFORMATION"))?;
    let partial_last = !ti.view().blank() && ti.view().nwa().is_some();
    // A damaged last track the drive will not continue (Damage 1, NWA_V 0, MMC-6 §6.27.3):
    // what libburn's burn_disc_close_damaged() and xorriso -close_damaged do is CLOSE TRACK
    // then CLOSE SESSION; some drives refuse the CLOSE TRACK, and the session close is what
    // matters.
    let damaged_last = ti.view().damage() && ti.view().nwa().is_none();
    if first == last && !partial_last && !damaged_last {
        return Ok(None);
    }
    if partial_last {
        drive
            .execute(
                close::cdb(CloseFunction::Track, last, false),
                DataPhase::None,
                LONG_TIMEOUT,
            )
            .map_err(step(format!("CLOSE TRACK {last} (interrupted track)")))?;
    } else if damaged_last {
        if let Err(e) = drive.execute(
            close::cdb(CloseFunction::Track, last, false),
            DataPhase::None,
            LONG_TIMEOUT,
        ) {
            log::info!("CLOSE TRACK {last} (damaged track) refused: {e}; closing the session");
        }
    }
    if matches!(recipe, Recipe::CdTao | Recipe::DvdMinusR) {
        let wp = match recipe {
            Recipe::CdTao => WriteParameters::cd_tao_data(true, false),
            _ => WriteParameters::dvd_incremental(true, false),
        };
        drive
            .mode_select(&wp.select_data())
            .map_err(step("MODE SELECT page 05h"))?;
    }
    drive
        .execute(
            close::cdb(CloseFunction::Session, 0, false),
            DataPhase::None,
            LONG_TIMEOUT,
        )
        .map_err(step("CLOSE SESSION (interrupted session)"))?;
    Ok(Some(format!(
        "closed the session holding track(s) {first}-{last} that an earlier write left \
         unfinished; it is skipped, the last complete session before it stays current"
    )))
}

/// True when the session at `start` is complete on the medium: its primary volume
/// descriptor is readable and every block up to the end its volume space size names lies in
/// undamaged, recorded tracks of the same session.
fn session_intact<T: Transport>(drive: &mut Drive<T>, start: u32) -> bool {
    let Some(vss) = session_pvd(drive, start) else {
        return false;
    };
    let end = if vss > start {
        vss
    } else {
        start.saturating_add(vss)
    };
    let (Ok(first), Ok(last)) = (
        drive.track_info(TrackAddress::Lba(start)),
        drive.track_info(TrackAddress::Lba(end.saturating_sub(1))),
    ) else {
        return false;
    };
    let (f, l) = (first.view(), last.view());
    let recorded_end = match l.nwa() {
        Some(nwa) => nwa,
        None => l.start().saturating_add(l.size()),
    };
    !f.damage() && !l.damage() && !l.blank() && f.session() == l.session() && end <= recorded_end
}

/// What block `lba` holds, `None` when it is all zeros or unreadable (never written).
fn recorded_block<T: Transport>(drive: &mut Drive<T>, lba: u32) -> Option<String> {
    let mut b = vec![0u8; BLOCK];
    drive.read_blocks(lba, &mut b).ok()?;
    if b.iter().all(|&x| x == 0) {
        return None;
    }
    let id = &b[1..6];
    Some(if id == b"CD001" {
        format!("block {lba} holds an ISO 9660 volume descriptor that is not a usable primary one")
    } else if id.iter().all(u8::is_ascii_alphanumeric) {
        format!(
            "block {lba} holds a \"{}\" descriptor (another file system)",
            String::from_utf8_lossy(id)
        )
    } else {
        format!("block {lba} holds data that is not an ISO 9660 volume descriptor")
    })
}

/// The first block of the last session when an earlier write left it unfinished: the
/// session is open (not closed) and holds recorded blocks (this crate closes the session
/// after every track it writes). Call it before
/// [`close_interrupted_session`]: closing pads a reserved track to its reserved size, after
/// which the unfinished session can no longer be told from a complete one; pass the answer
/// to [`last_intact_session_excluding`].
pub fn unfinished_session<T: Transport>(drive: &mut Drive<T>) -> Result<Option<u32>, WriteError> {
    let Some((_, first, last)) = open_last_session(drive)? else {
        return Ok(None);
    };
    // A reserved or closed track has the blank rest of the disc after it as a further track.
    let mut recorded = false;
    for n in first..=last {
        let ti = drive
            .track_info(TrackAddress::Track(u32::from(n)))
            .map_err(step("READ TRACK INFORMATION"))?;
        recorded |= !ti.view().blank();
    }
    if !recorded {
        return Ok(None);
    }
    let fi = drive
        .track_info(TrackAddress::Track(u32::from(first)))
        .map_err(step("READ TRACK INFORMATION"))?;
    Ok(Some(fi.view().start()))
}

/// [`last_intact_session`], never choosing the session at `exclude` (one
/// [`unfinished_session`] found before it was closed).
pub fn last_intact_session_excluding<T: Transport>(
    drive: &mut Drive<T>,
    last_session_start: u32,
    exclude: Option<u32>,
) -> Result<Option<u32>, WriteError> {
    if exclude == Some(last_session_start) {
        return intact_before(drive, last_session_start);
    }
    last_intact_session(drive, last_session_start)
}

/// The newest intact session starting before `before`.
fn intact_before<T: Transport>(
    drive: &mut Drive<T>,
    before: u32,
) -> Result<Option<u32>, WriteError> {
    let di = drive.disc_info().map_err(step("READ DISC INFORMATION"))?;
    let sessions = u32::from(di.view().sessions());
    for n in (1..=sessions).rev() {
        let Ok(ti) = drive.track_info(TrackAddress::Session(n)) else {
            continue;
        };
        let s = ti.view().start();
        if s < before && session_intact(drive, s) {
            return Ok(Some(s));
        }
    }
    Ok(None)
}

/// The start of the newest session that is intact (see `session_intact`), beginning with
/// msinfo's `last_session_start` and walking back session by session; `None` when no
/// session is. Sessions a failed or killed write left behind are skipped this way, and so
/// are sessions whose descriptors are unreadable for another reason (garbage, another file
/// system): no reader can see their files, and on write-once media they stay untouched.
pub fn last_intact_session<T: Transport>(
    drive: &mut Drive<T>,
    last_session_start: u32,
) -> Result<Option<u32>, WriteError> {
    if session_intact(drive, last_session_start) {
        return Ok(Some(last_session_start));
    }
    intact_before(drive, last_session_start)
}

/// Blocks still free for a further session, as the drive reports them now: the free
/// blocks of the invisible/last track on sequential media (after the drive's own session
/// gaps), capacity minus the next 32-aligned start on overwritable media, 0 on a closed disc.
pub fn free_blocks<T: Transport>(drive: &mut Drive<T>) -> Result<u64, WriteError> {
    let profile = check_device(drive)?;
    let recipe = Recipe::for_profile(profile).ok_or(WriteError::NotWritable { profile })?;
    let parts = match recipe {
        Recipe::Overwritable => {
            let opts = WriteOptions::default();
            plan_overwritable(drive, profile, &opts)
        }
        _ => plan_sequential(drive, profile, recipe),
    };
    match parts {
        Ok((_, _, _, _, free)) => Ok(free),
        Err(WriteError::Closed { .. }) => Ok(0),
        Err(e) => Err(e),
    }
}

/// Refuses CD session-at-once on a drive whose CD Mastering feature (002Eh, MMC-6
/// §5.3.21) says it cannot write this session that way, as cdrecord ("Drive does not
/// support SAO recording") and libburn (no SAO block types) refuse it. A drive without
/// GET CONFIGURATION (older than MMC-2) is let through: its capabilities page 2Ah has
/// write bits per medium (CD-R, CD-RW, Test Write) but none per write type, so there the
/// drive answers for itself when page 05h asks for write type 2 (see [`prepare`]).
fn check_sao_offered<T: Transport>(
    drive: &mut Drive<T>,
    profile: Profile,
    dummy: bool,
) -> Result<(), WriteError> {
    let features = match drive.features() {
        Ok(f) => f,
        Err(e) if e.is_not_supported() => {
            log::info!("no GET CONFIGURATION: the drive answers for session-at-once itself");
            return Ok(());
        }
        Err(e) => {
            log::warn!("reading the drive's features ({e}): trying session-at-once anyway");
            return Ok(());
        }
    };
    let cue_len = cue_sheet::data_track(1, 0, MIN_CD_TRACK).len();
    match sao_refusal(&features, profile, dummy, cue_len) {
        Some(reason) => Err(WriteError::SaoUnsupported { reason }),
        None => Ok(()),
    }
}

/// Why the features a drive reports rule out writing a one-track data session
/// session-at-once (a cue sheet of `cue_len` bytes) on the current `profile`: `None`
/// when the CD Mastering feature (002Eh) offers it. Its fields (MMC-6 §5.3.21): SAO, Raw,
/// Raw MS, Test Write, CD-RW (SAO and raw on CD-RW media), Maximum Cue Sheet Length.
fn sao_refusal(
    features: &[crate::feature::Feature],
    profile: Profile,
    dummy: bool,
    cue_len: usize,
) -> Option<String> {
    use crate::feature::FeatureBody;
    let no = |why: String| Some(format!("the drive does not offer session-at-once ({why})"));
    let Some(f) = features.iter().find(|f| f.code == 0x002E) else {
        return no("no CD Mastering feature 002Eh with SAO".into());
    };
    let FeatureBody::CdMastering {
        sao,
        raw,
        test_write,
        cd_rw,
        max_cue_len,
        ..
    } = f.body
    else {
        log::warn!("the CD Mastering feature 002Eh has no fields: trying session-at-once");
        return None;
    };
    if !sao {
        return no(format!(
            "its CD Mastering feature 002Eh has no SAO bit{}",
            if raw {
                ", only raw writing, which discburn does not do"
            } else {
                ""
            }
        ));
    }
    if !f.current {
        return no(format!(
            "on this {profile}: its CD Mastering feature 002Eh is not current for the medium"
        ));
    }
    if profile == Profile::CdRw && !cd_rw {
        return no("on CD-RW: its CD Mastering feature 002Eh has no CD-RW bit".into());
    }
    if dummy && !test_write {
        return Some(
            "the drive cannot simulate session-at-once (-dummy): its CD Mastering feature \
             002Eh has no Test Write bit"
                .into(),
        );
    }
    // 0: the drive does not say.
    let m = max_cue_len as usize;
    if m != 0 && m < cue_len {
        return no(format!(
            "its CD Mastering feature 002Eh takes cue sheets of at most {m} bytes, this \
             session's has {cue_len}"
        ));
    }
    None
}

/// Prepares the drive to write one session of `size_blocks` blocks (None: unknown, e.g.
/// standard input without tsize=): checks, formats, write parameters, speed, reservation.
pub fn prepare<T: Transport>(
    drive: &mut Drive<T>,
    size_blocks: Option<u32>,
    opts: &WriteOptions,
) -> Result<SessionPlan, WriteError> {
    let profile = check_device(drive)?;
    let recipe = Recipe::for_profile(profile).ok_or(WriteError::NotWritable { profile })?;
    if opts.dummy && !recipe.can_simulate() {
        return Err(WriteError::DummyUnsupported { profile });
    }
    let sao = opts.mode == WriteMode::Sao && recipe == Recipe::CdTao;
    if opts.mode == WriteMode::Sao && !sao {
        log::warn!("-sao: a data session is one track; writing it incrementally");
    }
    if sao && size_blocks.is_none() {
        return Err(WriteError::SaoNeedsSize);
    }
    if sao {
        check_sao_offered(drive, profile, opts.dummy)?;
        // A cue sheet describes a session from its lead-in: the drive refuses it (2C/00)
        // while an interrupted write's session is open.
        if let Some(start) = unfinished_session(drive)? {
            return Err(WriteError::SaoUnfinished { start });
        }
    }
    let (start, last_session_start, track, session, free) = match recipe {
        Recipe::Overwritable => plan_overwritable(drive, profile, opts)?,
        _ => plan_sequential(drive, profile, recipe)?,
    };
    if let Some(n) = size_blocks {
        if u64::from(n) > free {
            return Err(WriteError::NoSpace {
                need: u64::from(n),
                free,
                start,
            });
        }
    }
    // Write parameters (page 05h) where the medium has them.
    let wp = match recipe {
        Recipe::CdTao => Some(WriteParameters::cd_tao_data(opts.multi, opts.dummy)),
        Recipe::DvdMinusR => Some(WriteParameters::dvd_incremental(opts.multi, opts.dummy)),
        _ => None,
    };
    let wp = wp.map(|mut w| {
        if sao {
            w.write_type = WriteType::Sao;
        }
        w
    });
    if let Some(mut wp) = wp {
        wp.bufe = opts.bufe;
        match drive.mode_select(&wp.select_data()) {
            Ok(()) => {}
            Err(e) if sao && e.is_illegal_request() => {
                // How cdrecord (check_writemodes_mmc) and libburn (spc_probe_write_modes)
                // learn whether a drive does SAO: it refuses write type 2 in page 05h. The
                // same page with TAO accepted tells that the write type was refused.
                let mut tao = wp;
                tao.write_type = WriteType::Tao;
                if drive.mode_select(&tao.select_data()).is_ok() {
                    return Err(WriteError::SaoUnsupported {
                        reason: format!(
                            "the drive does not offer session-at-once (it refused write type \
                             2, SAO, in MODE SELECT page 05h: {e})"
                        ),
                    });
                }
                return Err(step("MODE SELECT page 05h (write parameters)")(e));
            }
            Err(e) => return Err(step("MODE SELECT page 05h (write parameters)")(e)),
        }
    }
    // A track holds at least 300 blocks (MMC-6 §6.33.3.6); TAO drives pad it the same way.
    let sao_blocks = size_blocks.filter(|_| sao).map(|n| n.max(MIN_CD_TRACK));
    if let Some(n) = sao_blocks {
        if u64::from(n) > free {
            return Err(WriteError::NoSpace {
                need: u64::from(n),
                free,
                start,
            });
        }
        let tno = u8::try_from(track).unwrap_or(0xFF);
        let start_i = i32::try_from(start).unwrap_or(i32::MAX);
        let sheet = cue_sheet::data_track(tno, start_i, n);
        // Nothing is written before the drive takes the cue sheet: a refusal here leaves
        // the disc as it was. Some drives refuse SAO on an appendable CD (libburn's
        // doc/cookbook.txt, SAO CD Cookbook); others (and cdrecord -sao) append that way.
        match drive.execute(
            cue_sheet::cdb(sheet.len() as u32),
            DataPhase::Out(&sheet),
            Duration::from_secs(60),
        ) {
            Ok(_) => {}
            Err(e) if e.is_not_supported() => {
                return Err(WriteError::SaoUnsupported {
                    reason: format!("the drive does not offer session-at-once ({e})"),
                })
            }
            Err(e) if e.is_illegal_request() => {
                return Err(WriteError::SaoRefused {
                    detail: e.sense().map_or_else(|| e.to_string(), |s| s.to_string()),
                    last_session_start,
                })
            }
            Err(e) => return Err(step("SEND CUE SHEET")(e)),
        }
    }
    set_speed(drive, profile, opts.speed_kbps);
    if opts.reserve && !opts.dummy {
        if let (Some(n), Recipe::DvdMinusR | Recipe::DvdPlusR | Recipe::DvdPlusRDl | Recipe::BdR) =
            (size_blocks, recipe)
        {
            match drive.execute(
                reserve_track::by_size(n),
                DataPhase::None,
                Duration::from_secs(120),
            ) {
                Ok(_) => {}
                Err(e) if e.is_not_supported() => log::info!("RESERVE TRACK not supported"),
                Err(e) => return Err(step("RESERVE TRACK")(e)),
            }
        }
    }
    Ok(SessionPlan {
        profile,
        recipe,
        start,
        last_session_start,
        track,
        session,
        free_blocks: free,
        size_blocks,
        options: *opts,
        sao_blocks,
    })
}

type PlanParts = (u32, Option<u32>, u16, u16, u64);

fn plan_sequential<T: Transport>(
    drive: &mut Drive<T>,
    profile: Profile,
    recipe: Recipe,
) -> Result<PlanParts, WriteError> {
    let di = drive.disc_info().map_err(step("READ DISC INFORMATION"))?;
    let v = di.view();
    if v.disc_status() == DiscStatus::Complete {
        return Err(WriteError::Closed { profile });
    }
    let last_start = match msinfo::msinfo(drive) {
        Ok(Msinfo::Appendable {
            last_session_start, ..
        }) => Some(last_session_start),
        Ok(Msinfo::Blank) => None,
        Err(MsinfoError::Closed) => return Err(WriteError::Closed { profile }),
        Err(e) => return Err(e.into()),
    };
    let track = v.last_track_last_session();
    let addr = if recipe == Recipe::CdTao {
        TrackAddress::Track(INVISIBLE_TRACK)
    } else {
        TrackAddress::Track(u32::from(track))
    };
    let ti = drive
        .track_info(addr)
        .map_err(step("READ TRACK INFORMATION"))?;
    let tv = ti.view();
    let Some(nwa) = tv.nwa() else {
        return Err(WriteError::Closed { profile });
    };
    let track = if recipe == Recipe::CdTao {
        tv.track()
    } else {
        track
    };
    Ok((
        nwa,
        last_start,
        track,
        v.sessions().max(1),
        u64::from(tv.free_blocks()),
    ))
}

fn plan_overwritable<T: Transport>(
    drive: &mut Drive<T>,
    profile: Profile,
    opts: &WriteOptions,
) -> Result<PlanParts, WriteError> {
    if needs_format(drive)? {
        log::info!("{profile} is unformatted: formatting it first");
        format(drive, profile)?;
    }
    let capacity = match drive.read_capacity() {
        Ok((last, _)) => u64::from(last) + 1,
        Err(e) => return Err(step("READ CAPACITY")(e)),
    };
    let ms = match msinfo::msinfo(drive) {
        Ok(m) => m,
        Err(MsinfoError::Full {
            next_writable,
            capacity,
        }) => Msinfo::Appendable {
            last_session_start: 0,
            next_writable: next_writable.min(capacity),
        },
        Err(e) => return Err(e.into()),
    };
    let (start, last, session) = match (opts.start, ms) {
        (Start::At(s), _) => {
            if s != 0 && s % OVERWRITABLE_ALIGN != 0 {
                return Err(WriteError::BadStart {
                    start: s,
                    reason: format!(
                        "sessions on {profile} start on {OVERWRITABLE_ALIGN}-block boundaries"
                    ),
                });
            }
            let last = match ms {
                Msinfo::Appendable {
                    last_session_start, ..
                } if s > 0 => Some(last_session_start),
                _ => None,
            };
            (s, last, 0)
        }
        (Start::Append, Msinfo::Blank) => {
            // msinfo found no ISO 9660 descriptors at block 16; the medium must really be
            // empty there, or a damaged block 16 or another file system (UDF's volume
            // recognition sequence starts at 16) would be written over. A session at 32
            // that block 16 does not name is an uncommitted one and may be overwritten.
            for lba in [PVD_LBA, PVD_LBA + 1] {
                if let Some(what) = recorded_block(drive, lba) {
                    return Err(WriteError::NotBlank { profile, what });
                }
            }
            (OVERWRITABLE_FIRST_SESSION, None, 1)
        }
        (
            Start::Append,
            Msinfo::Appendable {
                last_session_start,
                next_writable,
            },
        ) => (
            next_writable,
            Some(last_session_start),
            count_overwritable_sessions(drive, last_session_start).map_or(0, |n| n + 1),
        ),
    };
    Ok((
        start,
        last,
        1,
        session,
        capacity.saturating_sub(u64::from(start)),
    ))
}

/// Reads the primary volume descriptor of the session at `s`: its volume space size.
fn session_pvd<T: Transport>(drive: &mut Drive<T>, s: u32) -> Option<u32> {
    let mut b = vec![0u8; BLOCK];
    drive.read_blocks(s.checked_add(PVD_LBA)?, &mut b).ok()?;
    (b[0] == 1 && &b[1..6] == b"CD001").then(|| u32::from_le_bytes([b[80], b[81], b[82], b[83]]))
}

/// Counts the emulated sessions on an overwritable medium up to the one at `last`, walking
/// from the first (at 32, or 0 in growisofs' layout) by each session's volume space size.
fn count_overwritable_sessions<T: Transport>(drive: &mut Drive<T>, last: u32) -> Option<u16> {
    let mut s = if session_pvd(drive, OVERWRITABLE_FIRST_SESSION).is_some() {
        OVERWRITABLE_FIRST_SESSION
    } else {
        0
    };
    let mut n: u16 = 1;
    while s < last && n < 10_000 {
        let vss = session_pvd(drive, s)?;
        let end = if vss > s { vss } else { s.checked_add(vss)? };
        let next = end
            .div_ceil(OVERWRITABLE_ALIGN)
            .checked_mul(OVERWRITABLE_ALIGN)?;
        if next <= s {
            return None;
        }
        s = next;
        n += 1;
    }
    (s == last).then_some(n)
}

/// Sets the write speed (SET CD SPEED on CD, SET STREAMING otherwise); failures only warn:
/// drives pick a speed of their own.
fn set_speed<T: Transport>(drive: &mut Drive<T>, profile: Profile, kbps: Option<u32>) {
    let r = if profile.is_cd() {
        let w = kbps.map_or(speed::MAX_SPEED, |k| k.min(0xFFFE) as u16);
        drive
            .execute(
                speed::set_cd_speed(speed::MAX_SPEED, w, false),
                DataPhase::None,
                transport::DEFAULT_TIMEOUT,
            )
            .map(|_| ())
    } else {
        let end = drive.read_capacity().map_or(0, |(l, _)| l);
        let w = kbps.unwrap_or(0xFFFF_FFFF / 1000);
        let d = StreamingPerformance::speeds(end, w, w).to_bytes();
        drive
            .execute(
                speed::set_streaming(d.len() as u16),
                DataPhase::Out(&d),
                transport::DEFAULT_TIMEOUT,
            )
            .map(|_| ())
    };
    if let Err(e) = r {
        if e.is_not_supported() {
            log::debug!("setting the write speed: {e}");
        } else {
            log::warn!("setting the write speed: {e}");
        }
    }
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionReport {
    /// First block.
    pub start: u32,
    /// Blocks written.
    pub blocks: u32,
    /// The disc was left appendable (always after a test write, which changes nothing).
    pub appendable: bool,
    /// It was a test write.
    pub dummy: bool,
}

/// Writes one session block by block at the plan's start; see the module documentation.
#[derive(Debug)]
pub struct SessionWriter<'d, T: Transport> {
    drive: &'d mut Drive<T>,
    plan: SessionPlan,
    next: u32,
    pending: Vec<u8>,
    chunk: usize,
    head: Vec<u8>,
    written: u64,
    failed: bool,
    saved_policy: (Duration, Duration),
    /// CD SAO: the pre-gap before the track still has to be sent.
    pregap_due: bool,
}

impl<'d, T: Transport> SessionWriter<'d, T> {
    /// A writer for a prepared plan.
    pub fn new(drive: &'d mut Drive<T>, plan: SessionPlan) -> Self {
        let chunk = drive.max_blocks().min(0xFFFF) * BLOCK;
        let saved_policy = (drive.poll_interval, drive.ready_wait);
        // While writing, a drive whose buffer is full answers LONG WRITE IN PROGRESS
        // (02/04/08): poll often so the stream does not stall.
        drive.poll_interval = Duration::from_millis(5);
        drive.ready_wait = Duration::from_secs(600);
        SessionWriter {
            pregap_due: plan.sao_blocks.is_some(),
            next: plan.start,
            drive,
            plan,
            pending: Vec::with_capacity(chunk),
            chunk,
            head: Vec::new(),
            written: 0,
            failed: false,
            saved_policy,
        }
    }

    fn restore_policy(&mut self) {
        (self.drive.poll_interval, self.drive.ready_wait) = self.saved_policy;
    }

    /// The plan.
    pub fn plan(&self) -> &SessionPlan {
        &self.plan
    }

    /// Blocks sent to the drive so far.
    pub fn blocks_written(&self) -> u64 {
        self.written
    }

    /// The drive (for READ BUFFER CAPACITY between writes).
    pub fn drive(&mut self) -> &mut Drive<T> {
        self.drive
    }

    /// Queues `data` (any length) and writes every full chunk.
    pub fn write(&mut self, mut data: &[u8]) -> Result<(), WriteError> {
        if self.head.len() < HEAD_BLOCKS * BLOCK {
            let n = (HEAD_BLOCKS * BLOCK - self.head.len()).min(data.len());
            self.head.extend_from_slice(&data[..n]);
        }
        if self.pending.is_empty() && data.len() >= self.chunk {
            // Fast path: whole chunks straight from the caller's buffer.
            let whole = data.len() / self.chunk * self.chunk;
            for c in data[..whole].chunks(self.chunk) {
                self.send(c)?;
            }
            data = &data[whole..];
        }
        while !data.is_empty() {
            let n = (self.chunk - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.pending.len() == self.chunk {
                let buf = std::mem::take(&mut self.pending);
                let r = self.send(&buf);
                self.pending = buf;
                self.pending.clear();
                r?;
            }
        }
        Ok(())
    }

    /// CD SAO: the 150 blocks of index 0 before the track, from `start - 150` (LBA -150,
    /// FFFFFF6Ah, on a blank disc), zeros as the cue sheet's data form 10h.
    fn send_pregap(&mut self) -> Result<(), WriteError> {
        if !self.pregap_due {
            return Ok(());
        }
        self.pregap_due = false;
        let zeros = vec![0u8; BLOCK * cue_sheet::PREGAP_BLOCKS as usize];
        let from = i64::from(self.plan.start) - i64::from(cue_sheet::PREGAP_BLOCKS);
        let lba = u32::from_be_bytes(i32::try_from(from).unwrap_or(0).to_be_bytes());
        let per = (self.chunk / BLOCK).max(1) as u32;
        let mut done = 0u32;
        while done < cue_sheet::PREGAP_BLOCKS {
            let n = per.min(cue_sheet::PREGAP_BLOCKS - done);
            let at = lba.wrapping_add(done);
            if let Err(e) = self.drive.execute(
                write::write10(at, n as u16),
                DataPhase::Out(&zeros[..n as usize * BLOCK]),
                Duration::from_secs(120),
            ) {
                self.failed = true;
                return Err(step(format!(
                    "writing the pre-gap ({n} blocks at {from} + {done})"
                ))(e));
            }
            done += n;
        }
        Ok(())
    }

    fn send(&mut self, buf: &[u8]) -> Result<(), WriteError> {
        self.send_pregap()?;
        let blocks = (buf.len() / BLOCK) as u32;
        // The medium's free space, known before the first write: a stream of unknown size
        // that outgrows it stops here with the cause instead of at the drive.
        if self.written + u64::from(blocks) > self.plan.free_blocks {
            self.failed = true;
            return Err(WriteError::NoSpace {
                need: self.written + u64::from(blocks),
                free: self.plan.free_blocks,
                start: self.plan.start,
            });
        }
        let lba = self.next;
        match self.drive.execute(
            write::write10(lba, blocks as u16),
            DataPhase::Out(buf),
            Duration::from_secs(120),
        ) {
            Ok(_) => {}
            Err(e) => {
                self.failed = true;
                return Err(step(format!("writing {blocks} blocks at block {lba}"))(e));
            }
        }
        self.next += blocks;
        self.written += u64::from(blocks);
        Ok(())
    }

    fn flush_pending(&mut self) -> Result<(), WriteError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut buf = std::mem::take(&mut self.pending);
        let r = buf.len() % BLOCK;
        if r != 0 {
            buf.resize(buf.len() + BLOCK - r, 0);
        }
        self.send(&buf)
    }

    /// Ends the session: pads the last block, writes what is queued, synchronizes the cache,
    /// closes track and session as the medium needs (and on overwritable media commits the
    /// session by copying its volume descriptors to LBA 16 at once; see
    /// [`SessionWriter::finish_uncommitted`] to verify the session first).
    pub fn finish(mut self) -> Result<SessionReport, WriteError> {
        let (report, commit) = self.end()?;
        if let Some(c) = commit {
            for note in c.apply(self.drive)? {
                log::warn!("{note}");
            }
        }
        Ok(report)
    }

    /// Ends the session like [`SessionWriter::finish`] but leaves the commit of an
    /// overwritable medium (the descriptor copy to LBA 16) to the caller, who applies it with
    /// [`Commit::apply`] once the session has been read back and verified. Until then the
    /// previous session stays in force and the next session would overwrite this one.
    pub fn finish_uncommitted(mut self) -> Result<(SessionReport, Option<Commit>), WriteError> {
        self.end()
    }

    fn end(&mut self) -> Result<(SessionReport, Option<Commit>), WriteError> {
        self.flush_pending()?;
        self.send_pregap()?;
        if let Some(n) = self.plan.sao_blocks {
            // the track must fill what the cue sheet announced: pad with zeros
            let data = u32::try_from(self.written).unwrap_or(u32::MAX);
            if data > n {
                self.failed = true;
                return Err(WriteError::NoSpace {
                    need: u64::from(data),
                    free: u64::from(n),
                    start: self.plan.start,
                });
            }
            let per = (self.chunk / BLOCK).max(1) as u32;
            let zeros = vec![0u8; per as usize * BLOCK];
            let mut left = n - data;
            while left > 0 {
                let k = left.min(per);
                self.send(&zeros[..k as usize * BLOCK])?;
                left -= k;
            }
            // the report counts the session's data, as with TAO (whose drive pads itself)
            self.written = u64::from(data);
        }
        self.restore_policy();
        let plan = self.plan.clone();
        let drive = &mut *self.drive;
        drive
            .synchronize_cache()
            .map_err(step("SYNCHRONIZE CACHE"))?;
        let multi = plan.options.multi;
        let mut commit = None;
        let close_track = |drive: &mut Drive<T>| {
            drive
                .execute(
                    close::cdb(CloseFunction::Track, plan.track, false),
                    DataPhase::None,
                    LONG_TIMEOUT,
                )
                .map(|_| ())
                .map_err(step(format!("CLOSE TRACK {}", plan.track)))
        };
        let close_session = |drive: &mut Drive<T>, f: CloseFunction| {
            drive
                .execute(close::cdb(f, 0, false), DataPhase::None, LONG_TIMEOUT)
                .map(|_| ())
                .map_err(step(if multi {
                    "CLOSE SESSION"
                } else {
                    "CLOSE SESSION (finalize)"
                }))
        };
        match plan.recipe {
            // SAO: the drive closes track and session itself after the announced session
            Recipe::CdTao if plan.sao_blocks.is_some() => {}
            Recipe::CdTao => close_session(drive, CloseFunction::Session)?,
            Recipe::DvdMinusR => {
                close_track(drive)?;
                close_session(drive, CloseFunction::Session)?;
            }
            Recipe::DvdPlusR | Recipe::DvdPlusRDl | Recipe::BdR => {
                close_track(drive)?;
                let f = match (multi, plan.recipe) {
                    (true, _) => CloseFunction::Session,
                    (false, Recipe::DvdPlusR) => CloseFunction::FinalizeMinimal,
                    (false, _) => CloseFunction::FinalizeDvdPlusRDl,
                };
                close_session(drive, f)?;
            }
            Recipe::Overwritable => {
                if plan.start != 0 {
                    let blocks = u32::try_from(self.written).unwrap_or(u32::MAX);
                    commit = Some(Commit {
                        vds: descriptor_copy(&self.head, plan.start, blocks)?,
                        start: plan.start,
                    });
                }
            }
        }
        let report = SessionReport {
            start: plan.start,
            blocks: u32::try_from(self.written).unwrap_or(u32::MAX),
            // A test write leaves the disc as it was: not closed.
            appendable: multi || plan.recipe == Recipe::Overwritable || plan.options.dummy,
            dummy: plan.options.dummy,
        };
        Ok((report, commit))
    }

    /// Stops after a failure or an interruption: synchronizes the cache and closes the
    /// track so earlier sessions stay readable (the session is left open; on overwritable
    /// media block 16 is not touched, so the previous session stays in force). A reserved
    /// track that is not full stays open instead (see [`unfinished_session`]). A CD
    /// session-at-once gets no CLOSE at all: the session is left unfinished (see the note
    /// this returns). Errors of these steps, and what the caller should tell the user, are
    /// returned as text, for the report.
    pub fn abort(mut self) -> Vec<String> {
        let mut notes = Vec::new();
        if !self.failed {
            if let Err(e) = self.flush_pending() {
                notes.push(e.to_string());
            }
        }
        self.restore_policy();
        let plan = self.plan.clone();
        let drive = &mut *self.drive;
        if let Err(e) = drive.synchronize_cache() {
            notes.push(format!("SYNCHRONIZE CACHE: {e}"));
        }
        // CD session-at-once: no CLOSE TRACK/SESSION, as after a complete SAO session
        // (libburn's doc/cookbook.txt, SAO CD Cookbook: "No further finalization is
        // necessary. (I.e. no 5Bh CLOSE TRACK SESSION.)"; libburn's write.c, on a failed
        // burn, only synchronizes the cache and sends CLOSE SESSION for TAO alone). The cue
        // sheet fixed the session's layout; the drive writes the lead-out only after the
        // last announced block, so a session cut short stays unfinished. Closing it belongs
        // to the next `add` (`close_interrupted_session`), which then skips it.
        if let Some(n) = plan.sao_blocks {
            notes.push(if plan.options.dummy {
                "test write stopped: nothing was recorded, the disc is as it was".to_string()
            } else if self.written == 0 {
                format!(
                    "session-at-once stopped before the track's first block (block {}): no \
                     data of the session was recorded",
                    plan.start
                )
            } else {
                format!(
                    "session-at-once cut short after {} of the {n} announced blocks: no \
                     lead-out was written and no CLOSE sent, so the session from block {} is \
                     left unfinished; `discburn add` closes it and continues from the last \
                     complete session (a CD-RW can drop it with `discburn blank --session`)",
                    self.written, plan.start
                )
            });
            return notes;
        }
        // A reserved track closed before it is full is padded to its reserved size, and the
        // unfinished session then reads as complete (its descriptors promise files whose
        // blocks were never written). Such a track is left open: the next `add` finds it with
        // `unfinished_session`, closes it and skips the session.
        let reserved = plan.options.reserve
            && !plan.options.dummy
            && plan
                .size_blocks
                .is_some_and(|n| self.written < u64::from(n));
        let sequential = matches!(
            plan.recipe,
            Recipe::DvdMinusR | Recipe::DvdPlusR | Recipe::DvdPlusRDl | Recipe::BdR
        );
        if sequential && reserved && self.written > 0 {
            notes.push(format!(
                "track {} left open (closing would pad it to its reserved size and make the \
                 unfinished session look complete); the next add closes it and skips it",
                plan.track
            ));
        } else if sequential && self.written > 0 {
            if let Err(e) = drive.execute(
                close::cdb(CloseFunction::Track, plan.track, false),
                DataPhase::None,
                LONG_TIMEOUT,
            ) {
                notes.push(format!("CLOSE TRACK {}: {e}", plan.track));
            }
        }
        notes
    }
}

/// The commit of a session written on overwritable media: its volume descriptor set, to be
/// copied to LBA 16 (with the volume space size covering it) once the session has been
/// synchronized and read back. Until it is applied the previous session stays in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    vds: Vec<u8>,
    start: u32,
}

impl Commit {
    /// First block of the session this commit makes current.
    pub fn session_start(&self) -> u32 {
        self.start
    }

    /// Writes the descriptor copy to LBA 16, synchronizes the cache and reads the blocks
    /// back. A copy that does not read back as written is written once more (a marginal
    /// spot may take a rewrite); if it still differs, the blocks that were there before are
    /// put back, so that the previous session stays current, and the error says whether
    /// that worked. Returns the notes worth telling the user (a second attempt was needed).
    pub fn apply<T: Transport>(self, drive: &mut Drive<T>) -> Result<Vec<String>, WriteError> {
        // What block 16 holds now: the previous session's copy, or nothing readable (a
        // blank medium), which zeros stand for (all-zero blocks read as blank, see
        // `recorded_block`).
        let mut before = vec![0u8; self.vds.len()];
        if drive.read_blocks(PVD_LBA, &mut before).is_err() {
            before.fill(0);
        }
        let mut notes = Vec::new();
        let mut problem = String::new();
        for attempt in 1..=2 {
            match write_and_check(drive, &self.vds) {
                Ok(()) => return Ok(notes),
                Err(p) => {
                    notes.push(format!(
                        "the descriptor copy at block 16 (attempt {attempt}): {p}"
                    ));
                    problem = p;
                }
            }
        }
        let restored = write_and_check(drive, &before);
        Err(WriteError::CommitFailed {
            start: self.start,
            problem,
            restored: restored.is_ok(),
            restore_problem: restored.err().unwrap_or_default(),
        })
    }
}

/// Writes `data` at LBA 16, synchronizes, reads it back; the problem, if any.
fn write_and_check<T: Transport>(drive: &mut Drive<T>, data: &[u8]) -> Result<(), String> {
    drive
        .write_blocks(PVD_LBA, data)
        .map_err(|e| format!("WRITE failed: {e}"))?;
    drive
        .synchronize_cache()
        .map_err(|e| format!("SYNCHRONIZE CACHE failed: {e}"))?;
    let mut back = vec![0u8; data.len()];
    drive
        .read_blocks(PVD_LBA, &mut back)
        .map_err(|e| format!("reading it back failed: {e}"))?;
    if back != data {
        let first = back
            .chunks(BLOCK)
            .zip(data.chunks(BLOCK))
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        return Err(format!(
            "block {} read back different from what was written",
            PVD_LBA as usize + first
        ));
    }
    Ok(())
}

/// The volume descriptor set at the head of a session (blocks 16.. up to and including the
/// terminator) with the primary descriptor's volume space size set to `start + blocks`.
pub fn descriptor_copy(head: &[u8], start: u32, blocks: u32) -> Result<Vec<u8>, WriteError> {
    let bad = |reason: &str| {
        WriteError::BadStart {
        start,
        reason: format!("the session has no ISO 9660 volume descriptors to copy to block 16: {reason}; nothing was committed"),
    }
    };
    let mut out = Vec::new();
    let mut i = 16usize;
    loop {
        let Some(b) = head.get(i * BLOCK..(i + 1) * BLOCK) else {
            return Err(bad("no terminator in the first 64 blocks"));
        };
        if &b[1..6] != b"CD001" {
            return Err(bad(&format!("block {} is not a volume descriptor", i)));
        }
        let mut b = b.to_vec();
        if b[0] == 1 {
            let vss = start.saturating_add(blocks);
            b[80..84].copy_from_slice(&vss.to_le_bytes());
            b[84..88].copy_from_slice(&vss.to_be_bytes());
        }
        let term = b[0] == 255;
        out.extend_from_slice(&b);
        if term {
            break;
        }
        i += 1;
    }
    if out.first() != Some(&1) {
        return Err(bad(
            "the first descriptor is not a primary volume descriptor",
        ));
    }
    Ok(out)
}

/// A one-line account of the disc's state after a write or a failure.
///
/// Damaged tracks of the last session (a write error or a buffer underrun without
/// protection stopped their recording) are named from READ TRACK INFORMATION (MMC-6
/// §6.27.3: the Damage bit with NWA_V), and so is an unfinished last session: msinfo alone
/// would call a disc whose last track is damaged and has no next writable address
/// "closed", though READ DISC INFORMATION says it is not.
pub fn disc_state<T: Transport>(drive: &mut Drive<T>) -> String {
    let profile = drive
        .current_profile()
        .map_or_else(|e| format!("unknown medium ({e})"), |p| p.to_string());
    let di = match drive.disc_info() {
        Ok(d) => d,
        Err(e) => return format!("{profile}: disc information unavailable: {e}"),
    };
    let v = di.view();
    let overwritable = drive.current_profile().is_ok_and(|p| p.overwritable());
    let damage = damaged_tracks(drive, &v);
    let ms = match msinfo::msinfo(drive) {
        // msinfo finds no descriptors at 16; on overwritable media that is blank only when
        // nothing else is recorded there either.
        Ok(Msinfo::Blank) if overwritable => match recorded_block(drive, PVD_LBA) {
            Some(what) => format!("no session reachable: {what}"),
            None => "blank".to_string(),
        },
        Ok(Msinfo::Blank) => "blank".to_string(),
        Ok(Msinfo::Appendable {
            last_session_start,
            next_writable,
        }) => format!("appendable, last complete session starts at {last_session_start}, next writable address {next_writable}"),
        // The last track is the damaged one: no NWA, yet the disc is not closed.
        Err(MsinfoError::Damaged { .. }) => {
            "nothing can be appended after it: the drive gives the damaged last track no \
             next writable address, though the disc is not closed"
                .to_string()
        }
        Err(e) => e.to_string(),
    };
    format!(
        "{profile}: disc {}, last session {}, {} session(s) on disc; {damage}{ms}",
        v.disc_status().name(),
        v.last_session_state().name(),
        v.sessions()
    )
}

/// For [`disc_state`]: the damaged tracks of an open disc's last session, described (each
/// followed by "; ", with "session N is unfinished" when that session is open).
fn damaged_tracks<T: Transport>(
    drive: &mut Drive<T>,
    v: &crate::cmd::disc_info::DiscInfoView<'_>,
) -> String {
    if v.disc_status() != DiscStatus::Incomplete {
        return String::new();
    }
    let (first, last) = (v.first_track_last_session(), v.last_track_last_session());
    let open = v.last_session_state() == crate::cmd::disc_info::SessionState::Incomplete;
    let mut out = String::new();
    let mut session = None;
    for n in first..=last.min(first.saturating_add(99)) {
        let Ok(ti) = drive.track_info(TrackAddress::Track(u32::from(n))) else {
            continue;
        };
        let t = ti.view();
        if !t.damage() {
            continue;
        }
        session = Some(t.session());
        let at = match t.last_recorded() {
            Some(lra) if lra >= t.start() => format!("blocks {}-{lra}", t.start()),
            _ => format!("from block {}", t.start()),
        };
        let how = match t.nwa() {
            Some(nwa) => format!(
                "the drive offers to continue it at block {nwa} (READ TRACK INFORMATION: \
                 Damage 1, NWA_V 1)"
            ),
            None if n == last => {
                "it cannot be continued (READ TRACK INFORMATION: Damage 1, NWA_V 0)".to_string()
            }
            None => "it was closed where it stopped (READ TRACK INFORMATION: Damage 1, NWA_V 0)"
                .to_string(),
        };
        out += &format!(
            "track {n} (session {}, {at}) damaged: its recording stopped early (a write error \
             or a buffer underrun), {how}; ",
            t.session()
        );
    }
    if let (Some(s), true) = (session, open) {
        out += &format!("session {s} is unfinished; ");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_copy_patches_volume_space_size() {
        let mut head = vec![0u8; 20 * BLOCK];
        for (i, t) in [(16usize, 1u8), (17, 2), (18, 255)] {
            head[i * BLOCK] = t;
            head[i * BLOCK + 1..i * BLOCK + 6].copy_from_slice(b"CD001");
        }
        let c = descriptor_copy(&head, 1024, 500).unwrap();
        assert_eq!(c.len(), 3 * BLOCK);
        assert_eq!(&c[80..88], &[0xF4, 0x05, 0, 0, 0, 0, 0x05, 0xF4]);
        assert_eq!(c[2 * BLOCK], 255);
        head[16 * BLOCK + 1] = b'X';
        assert!(descriptor_copy(&head, 1024, 500).is_err());
        assert!(descriptor_copy(&head[..17 * BLOCK], 0, 1).is_err());
    }

    /// A drive older than MMC-2: INQUIRY says type 5, GET CONFIGURATION is an invalid
    /// opcode (the fake answers ILLEGAL REQUEST 20/00 to what it does not know).
    fn legacy_drive(erasable: bool) -> crate::drive::Drive<crate::drive::tests::Fake> {
        let mut inquiry = vec![0u8; 36];
        inquiry[0] = PDT_MMC;
        inquiry[4] = 31;
        inquiry[8..16].copy_from_slice(b"OLD     ");
        let mut di = vec![0u8; 34];
        di[1] = 32;
        di[2] = 0x01 | if erasable { 0x10 } else { 0 }; // appendable disc, erasable bit
        di[3] = 1;
        di[4] = 1;
        di[5] = 1;
        di[6] = 1;
        crate::drive::tests::quick(
            crate::drive::tests::Fake::new()
                .answer(&[0x12], &inquiry)
                .answer(&[0x51], &di),
        )
    }

    #[test]
    fn drive_without_get_configuration_takes_cd_rw_from_the_erasable_bit() {
        assert_eq!(
            check_device(&mut legacy_drive(true)).unwrap(),
            Profile::CdRw
        );
        assert_eq!(
            check_device(&mut legacy_drive(false)).unwrap(),
            Profile::CdR
        );
        let mut d = legacy_drive(true);
        check_device(&mut d).unwrap();
        assert!(
            d.transport().log.iter().any(|c| c[0] == 0x46),
            "GET CONFIGURATION was asked first"
        );
    }

    fn cd_mastering(current: bool, bits: u8, max_cue: u32) -> crate::feature::Feature {
        let mut d = vec![bits];
        d.extend_from_slice(&max_cue.to_be_bytes()[1..]);
        let mut desc = vec![0x00, 0x2E, u8::from(current), d.len() as u8];
        desc.extend_from_slice(&d);
        let raw = crate::cmd::get_configuration::RawFeature {
            code: 0x002E,
            version: 0,
            persistent: false,
            current,
            data: &desc[4..],
        };
        crate::feature::Feature::decode(&raw)
    }

    #[test]
    fn sao_refusal_reads_the_cd_mastering_feature() {
        // BUF, SAO, Test Write, CD-RW; 32-byte cue sheets (MMC-6 §5.3.21 byte 4, bytes 5-7)
        let ok = cd_mastering(true, 0x40 | 0x20 | 0x04 | 0x02, 32);
        for p in [Profile::CdR, Profile::CdRw] {
            assert_eq!(sao_refusal(std::slice::from_ref(&ok), p, true, 32), None);
        }
        let r = sao_refusal(&[], Profile::CdR, false, 32).unwrap();
        assert_eq!(
            r,
            "the drive does not offer session-at-once (no CD Mastering feature 002Eh with SAO)"
        );
        // Raw only (Raw, Raw MS), no SAO
        let r = sao_refusal(&[cd_mastering(true, 0x18, 0)], Profile::CdR, false, 32).unwrap();
        assert!(r.contains("no SAO bit, only raw writing"), "{r}");
        let r = sao_refusal(&[cd_mastering(false, 0x26, 32)], Profile::CdR, false, 32).unwrap();
        assert!(r.contains("not current"), "{r}");
        let r = sao_refusal(&[cd_mastering(true, 0x24, 32)], Profile::CdRw, false, 32).unwrap();
        assert!(r.contains("no CD-RW bit"), "{r}");
        assert_eq!(
            sao_refusal(&[cd_mastering(true, 0x24, 32)], Profile::CdR, false, 32),
            None
        );
        let r = sao_refusal(&[cd_mastering(true, 0x22, 32)], Profile::CdR, true, 32).unwrap();
        assert!(
            r.contains("cannot simulate") && r.contains("Test Write"),
            "{r}"
        );
        let r = sao_refusal(&[cd_mastering(true, 0x26, 16)], Profile::CdR, false, 32).unwrap();
        assert!(r.contains("at most 16 bytes"), "{r}");
        // 0: the drive names no limit
        assert_eq!(
            sao_refusal(&[cd_mastering(true, 0x26, 0)], Profile::CdR, false, 32),
            None
        );
    }

    #[test]
    fn legacy_drive_is_let_through_for_sao() {
        // no GET CONFIGURATION: page 2Ah has no bit per write type; the drive answers itself
        let mut d = legacy_drive(false);
        check_sao_offered(&mut d, Profile::CdR, false).unwrap();
    }

    #[test]
    fn recipes() {
        assert_eq!(Recipe::for_profile(Profile::CdRw), Some(Recipe::CdTao));
        assert_eq!(
            Recipe::for_profile(Profile::BdRe),
            Some(Recipe::Overwritable)
        );
        assert_eq!(Recipe::for_profile(Profile::DvdRom), None);
        assert!(!Recipe::BdR.can_simulate());
    }
}
