//! msinfo: where the last session starts and where the next one may be written
//! (`mkisofs -C a,b`, `cdrecord -msinfo`), as the drive reports it (MMC-6 §4.5 CD
//! multi-session, §4.10 DVD+R sessions, §4.13 DVD-R borders, §4.17 BD-R SRM sessions).
//!
//! Per medium (DESIGN.md "msinfo"):
//! - CD-R/RW: the first number is READ TOC format 1 (first track of the last complete
//!   session), the second the NWA of READ TRACK INFORMATION for the invisible track FFh;
//!   the drive's NWA already includes the lead-out/lead-in/pregap gaps (+11400 after the
//!   first session, +6900 later). Nothing is computed here.
//! - DVD±R (DL), DVD-R/-RW sequential (multi-border), BD-R SRM: READ DISC INFORMATION gives
//!   the sessions and the last track; the first number is the start of the first track of
//!   the last complete session (READ TRACK INFORMATION walking back from the last session's
//!   first track), the second the NWA of the last track. READ TOC format 1 is not used:
//!   drives may fabricate it on non-CD media.
//! - Overwritable media (DVD+RW, DVD+RW DL, DVD-RAM, formatted DVD-RW, BD-RE, BD-R RRM) have
//!   no sessions; they are emulated as growisofs and xorriso (libisoburn) do:
//!   * LBA 16 holds a copy of the newest session's volume descriptor set whose volume space
//!     size is patched to the end of that session counted from LBA 0 (growisofs writes
//!     `session size + session start`; libisoburn does the same in its LBA 0..31 header).
//!     No ISO 9660 PVD at LBA 16 means a blank medium: [`Msinfo::Blank`].
//!   * next writable address = that volume space size rounded up to a multiple of 32 blocks
//!     (64 KiB: libisoburn's alignment; growisofs rounds to 16, and every multiple of 32 is
//!     one of 16, so both tools accept ours and we accept theirs).
//!   * last session start = the highest LBA S, a multiple of 16, below the copy's path table
//!     and root directory, whose own PVD at S+16 has the same root directory record as the
//!     copy at LBA 16 (a session's directories are written after its descriptors). growisofs
//!     starts the first session at 0 (its PVD is the copy itself), libisoburn at 32; both are
//!     found. If no such S is found within 4096 candidates, 0 is reported.
//!
//! A blank medium is [`Msinfo::Blank`], not an error; a closed one is
//! [`MsinfoError::Closed`].

use transport::Transport;

use crate::cmd::disc_info::DiscStatus;
use crate::cmd::track_info::{TrackAddress, INVISIBLE_TRACK};
use crate::drive::{Drive, BLOCK};
use crate::error::MmcError;
use crate::profile::Profile;

/// Alignment of emulated sessions on overwritable media, in blocks.
pub const OVERWRITABLE_ALIGN: u32 = 32;
/// LBA of the primary volume descriptor (ECMA-119 §6.2.1: system area is blocks 0..15).
pub const PVD_LBA: u32 = 16;
/// How many 16-block candidates the session-start search tries.
pub const SESSION_SEARCH_LIMIT: u32 = 4096;

/// What msinfo found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Msinfo {
    /// No previous session: write the first one (no `-C`/`-M`).
    Blank,
    /// A new session can be appended.
    Appendable {
        /// Start LBA of the last session (`-C` first number).
        last_session_start: u32,
        /// Next writable address (`-C` second number).
        next_writable: u32,
    },
}

impl Msinfo {
    /// The `a,b` text `cdrecord -msinfo` prints, or `None` for a blank disc.
    pub fn cdrecord_text(&self) -> Option<String> {
        match self {
            Msinfo::Blank => None,
            Msinfo::Appendable {
                last_session_start,
                next_writable,
            } => Some(format!("{last_session_start},{next_writable}")),
        }
    }
}

/// Why msinfo has no answer.
#[derive(Debug, thiserror::Error)]
pub enum MsinfoError {
    /// The disc is finalized.
    #[error("disc is closed: no more sessions can be added")]
    Closed,
    /// The medium is full.
    #[error("disc is full: next writable address {next_writable} is at or past the capacity of {capacity} blocks")]
    Full {
        /// Where the next session would start.
        next_writable: u32,
        /// Blocks on the medium.
        capacity: u32,
    },
    /// Read-only medium.
    #[error("{profile} is not a writable medium: no sessions can be added")]
    NotWritable {
        /// The medium's profile.
        profile: Profile,
    },
    /// No medium.
    #[error("no medium in the drive")]
    NoMedium,
    /// The drive's answers contradict each other.
    #[error("drive reports an appendable disc but {0}")]
    Inconsistent(String),
    /// A command failed.
    #[error(transparent)]
    Mmc(#[from] MmcError),
}

/// msinfo for the medium in `drive`, per the rules in the module documentation.
pub fn msinfo<T: Transport>(drive: &mut Drive<T>) -> Result<Msinfo, MsinfoError> {
    let profile = match drive.current_profile() {
        Ok(p) => p,
        // Pre-MMC-2 drives lack GET CONFIGURATION: only CDs existed then.
        Err(e) if e.is_not_supported() => Profile::CdR,
        Err(e) if is_no_medium(&e) => return Err(MsinfoError::NoMedium),
        Err(e) => return Err(e.into()),
    };
    match profile {
        Profile::None => Err(MsinfoError::NoMedium),
        p if p.overwritable() => overwritable(drive),
        Profile::CdR | Profile::CdRw | Profile::DdcdR | Profile::DdcdRw => cd(drive),
        p if p.sequential() => sequential(drive),
        p => Err(MsinfoError::NotWritable { profile: p }),
    }
}

fn is_no_medium(e: &MmcError) -> bool {
    e.sense().is_some_and(|s| s.asc == 0x3A)
}

fn cd<T: Transport>(drive: &mut Drive<T>) -> Result<Msinfo, MsinfoError> {
    let di = drive.disc_info()?;
    match di.view().disc_status() {
        DiscStatus::Empty => return Ok(Msinfo::Blank),
        DiscStatus::Complete => return Err(MsinfoError::Closed),
        DiscStatus::Incomplete | DiscStatus::Other => {}
    }
    let toc = drive.session_info()?;
    let first = toc.tracks.first().ok_or_else(|| {
        MsinfoError::Inconsistent("READ TOC format 1 has no track descriptor".into())
    })?;
    let start = u32::try_from(first.start.lba()).map_err(|_| {
        MsinfoError::Inconsistent(format!("last session starts at LBA {}", first.start.lba()))
    })?;
    let ti = drive.track_info(TrackAddress::Track(INVISIBLE_TRACK))?;
    let nwa = ti.view().nwa().ok_or(MsinfoError::Closed)?;
    Ok(Msinfo::Appendable {
        last_session_start: start,
        next_writable: nwa,
    })
}

fn sequential<T: Transport>(drive: &mut Drive<T>) -> Result<Msinfo, MsinfoError> {
    let di = drive.disc_info()?;
    let v = di.view();
    match v.disc_status() {
        DiscStatus::Empty => return Ok(Msinfo::Blank),
        DiscStatus::Complete => return Err(MsinfoError::Closed),
        DiscStatus::Incomplete | DiscStatus::Other => {}
    }
    let last_track = u32::from(v.last_track_last_session());
    let first_in_last = u32::from(v.first_track_last_session());
    let ti = drive.track_info(TrackAddress::Track(last_track))?;
    let nwa = ti.view().nwa().ok_or(MsinfoError::Closed)?;
    // The last complete session ends with the track before the last session's first track.
    if first_in_last <= u32::from(v.first_track()) {
        // No complete session before the open one: nothing to continue from.
        return Ok(Msinfo::Blank);
    }
    let mut track = first_in_last - 1;
    let last_info = drive.track_info(TrackAddress::Track(track))?;
    let session = last_info.view().session();
    let mut start = last_info.view().start();
    while track > u32::from(v.first_track()) {
        let prev = drive.track_info(TrackAddress::Track(track - 1))?;
        if prev.view().session() != session {
            break;
        }
        start = prev.view().start();
        track -= 1;
    }
    Ok(Msinfo::Appendable {
        last_session_start: start,
        next_writable: nwa,
    })
}

/// Reads a volume descriptor at `lba`: `Some(bytes)` when it is an ISO 9660 PVD.
fn read_pvd<T: Transport>(drive: &mut Drive<T>, lba: u32) -> Result<Option<Vec<u8>>, MmcError> {
    let mut b = vec![0u8; BLOCK];
    match drive.read_blocks(lba, &mut b) {
        Ok(()) => {}
        // An unrecorded block of a blank medium.
        Err(e)
            if e.sense().is_some_and(|s| {
                matches!(
                    s.key,
                    transport::SenseKey::BlankCheck
                        | transport::SenseKey::MediumError
                        | transport::SenseKey::IllegalRequest
                )
            }) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(e),
    }
    Ok((b[0] == 1 && &b[1..6] == b"CD001").then_some(b))
}

fn le32(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([
        crate::cmd::be::u8_at(b, off),
        crate::cmd::be::u8_at(b, off + 1),
        crate::cmd::be::u8_at(b, off + 2),
        crate::cmd::be::u8_at(b, off + 3),
    ])
}

/// ECMA-119 §8.4: volume space size (both-endian at 80), L path table location (140),
/// root directory record (156, 34 bytes, extent at +2).
const PVD_VOLUME_SPACE_SIZE: usize = 80;
const PVD_L_PATH_TABLE: usize = 140;
const PVD_ROOT_RECORD: usize = 156;
const ROOT_RECORD_LEN: usize = 34;

fn overwritable<T: Transport>(drive: &mut Drive<T>) -> Result<Msinfo, MsinfoError> {
    let Some(copy) = read_pvd(drive, PVD_LBA)? else {
        return Ok(Msinfo::Blank);
    };
    let vss = le32(&copy, PVD_VOLUME_SPACE_SIZE);
    let next = vss
        .checked_add(OVERWRITABLE_ALIGN - 1)
        .map(|v| v / OVERWRITABLE_ALIGN * OVERWRITABLE_ALIGN)
        .ok_or_else(|| MsinfoError::Inconsistent(format!("volume space size {vss} overflows")))?;
    if let Ok((last, _)) = drive.read_capacity() {
        let capacity = last.saturating_add(1);
        if next >= capacity {
            return Err(MsinfoError::Full {
                next_writable: next,
                capacity,
            });
        }
    }
    let root = &copy[PVD_ROOT_RECORD..PVD_ROOT_RECORD + ROOT_RECORD_LEN];
    let root_extent = le32(&copy, PVD_ROOT_RECORD + 2);
    let path_table = le32(&copy, PVD_L_PATH_TABLE);
    let upper = root_extent.min(path_table).saturating_sub(PVD_LBA + 1);
    let mut s = upper / 16 * 16;
    let mut tries = 0;
    let start = loop {
        if s == 0 || tries >= SESSION_SEARCH_LIMIT {
            break 0;
        }
        if let Some(p) = read_pvd(drive, s + PVD_LBA)? {
            if p[PVD_ROOT_RECORD..PVD_ROOT_RECORD + ROOT_RECORD_LEN] == *root {
                break s;
            }
        }
        s -= 16;
        tries += 1;
    };
    Ok(Msinfo::Appendable {
        last_session_start: start,
        next_writable: next,
    })
}
