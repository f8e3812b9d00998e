//! A one-line account of the disc's state for reports: READ DISC INFORMATION (MMC-6
//! §6.22), READ TRACK INFORMATION of the last session's tracks (§6.27.3: Damage, NWA_V) and
//! msinfo.

use transport::Transport;

use super::recorded_block;
use crate::cmd::disc_info::DiscStatus;
use crate::cmd::track_info::TrackAddress;
use crate::drive::Drive;
use crate::msinfo::{self, Msinfo, MsinfoError, PVD_LBA};

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
