//! Sessions an interrupted write left behind: finding an unfinished last session (READ
//! DISC INFORMATION, MMC-6 §6.22; READ TRACK INFORMATION, §6.27.3 Damage and NWA_V),
//! closing it (CLOSE TRACK SESSION, §6.3; as libburn's burn_disc_close_damaged), and the
//! newest intact session to continue from (its primary volume descriptor, ECMA-119 §8.4).

use transport::{DataPhase, Transport};

use super::{check_device, step, Recipe, SessionClose, Step, WriteError};
use crate::cmd::close::{self, CloseFunction};
use crate::cmd::disc_info::DiscStatus;
use crate::cmd::mode::WriteParameters;
use crate::cmd::track_info::TrackAddress;
use crate::drive::{Drive, BLOCK, LONG_TIMEOUT};
use crate::msinfo::PVD_LBA;

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
    let di = drive.disc_info().map_err(step(Step::ReadDiscInformation))?;
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
        .map_err(step(Step::ReadTrackInformation))?;
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
            .map_err(step(Step::CloseTrack {
                track: last,
                interrupted: true,
            }))?;
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
            .map_err(step(Step::WriteParameters { preparing: false }))?;
    }
    drive
        .execute(
            close::cdb(CloseFunction::Session, 0, false),
            DataPhase::None,
            LONG_TIMEOUT,
        )
        .map_err(step(Step::CloseSession {
            kind: SessionClose::Interrupted,
        }))?;
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
            .map_err(step(Step::ReadTrackInformation))?;
        recorded |= !ti.view().blank();
    }
    if !recorded {
        return Ok(None);
    }
    let fi = drive
        .track_info(TrackAddress::Track(u32::from(first)))
        .map_err(step(Step::ReadTrackInformation))?;
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
    let di = drive.disc_info().map_err(step(Step::ReadDiscInformation))?;
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

/// Reads the primary volume descriptor of the session at `s`: its volume space size.
pub(crate) fn session_pvd<T: Transport>(drive: &mut Drive<T>, s: u32) -> Option<u32> {
    let mut b = vec![0u8; BLOCK];
    drive.read_blocks(s.checked_add(PVD_LBA)?, &mut b).ok()?;
    (b[0] == 1).then(|| isofs::wire::vd::space_size_of(&b))?
}
