//! Planning one session: the write options, the recipe per profile (MMC-6 §4.2 CD-R/RW,
//! §4.3.5 DVD-R incremental, §4.3.6 DVD+R, §4.5.3.5 BD-R SRM, §4.3.7 / §4.5.4 overwritable),
//! where the session starts (READ DISC INFORMATION §6.22, READ TRACK INFORMATION §6.27,
//! msinfo), and [`prepare`]: write parameters (MODE SELECT page 05h, §7.5.4), SEND CUE SHEET
//! (§6.33) for session-at-once, SET CD SPEED (§6.37) / SET STREAMING (§6.39), RESERVE
//! TRACK (§6.31).

use std::time::Duration;

use transport::{DataPhase, Transport};

use super::{
    check_device, check_sao_offered, format, needs_format, recorded_block, session_pvd, step,
    unfinished_session, Step, WriteError,
};
use crate::cmd::cue_sheet;
use crate::cmd::disc_info::DiscStatus;
use crate::cmd::mode::{WriteParameters, WriteType};
use crate::cmd::reserve_track;
use crate::cmd::speed::{self, StreamingPerformance};
use crate::cmd::track_info::{TrackAddress, INVISIBLE_TRACK};
use crate::drive::Drive;
use crate::msinfo::{self, Msinfo, MsinfoError, OVERWRITABLE_ALIGN, PVD_LBA};
use crate::profile::Profile;

/// First block of the first session `add` writes on overwritable media (libisoburn's layout).
pub const OVERWRITABLE_FIRST_SESSION: u32 = 32;

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
    /// Overwritable media only: the image's bytes at exactly this LBA (a multiple of
    /// [`PLACE_ALIGN`]) and nothing else changed: no volume descriptors are copied to block
    /// 16 afterwards, so what block 16 names stays current (growisofs
    /// `-use-the-force-luke=seek=N -Z DEV=IMAGE`, its `builtin_dd ... obs=32k seek=N/16`;
    /// and `-Z DEV=/dev/zero`).
    Place(u32),
}

/// The alignment of [`Start::Place`] in blocks: growisofs's 32 KiB unit (a DVD ECC block),
/// which its `seek=N` must be a multiple of.
pub const PLACE_ALIGN: u32 = 16;

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

/// Where the next session would go, read without changing anything on the drive (for a
/// dry run): what [`prepare`] would plan, minus its MODE SELECT, cue sheet, speed and
/// reservation. An unformatted overwritable medium is not formatted: it is reported with
/// `formatted: false`, the first session's start and no free-space figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peek {
    /// First block of the new session.
    pub start: u32,
    /// Number the new session would have (0: unknown).
    pub session: u16,
    /// Free blocks from `start` (`None` on an unformatted medium).
    pub free_blocks: Option<u64>,
    /// False when [`prepare`] would format the medium first.
    pub formatted: bool,
}

/// The [`Peek`] for a session appended to the disc in `drive` ([`Start::Append`]).
pub fn peek<T: Transport>(drive: &mut Drive<T>) -> Result<Peek, WriteError> {
    let profile = check_device(drive)?;
    let recipe = Recipe::for_profile(profile).ok_or(WriteError::NotWritable { profile })?;
    if recipe == Recipe::Overwritable && needs_format(drive)? {
        return Ok(Peek {
            start: OVERWRITABLE_FIRST_SESSION,
            session: 1,
            free_blocks: None,
            formatted: false,
        });
    }
    let (start, _, _, session, free) = match recipe {
        Recipe::Overwritable => plan_overwritable(drive, profile, &WriteOptions::default())?,
        _ => plan_sequential(drive, profile, recipe)?,
    };
    Ok(Peek {
        start,
        session,
        free_blocks: Some(free),
        formatted: true,
    })
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
                return Err(step(Step::WriteParameters { preparing: true })(e));
            }
            Err(e) => return Err(step(Step::WriteParameters { preparing: true })(e)),
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
            Err(e) => return Err(step(Step::SendCueSheet)(e)),
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
                Err(e) => return Err(step(Step::ReserveTrack)(e)),
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
    let di = drive.disc_info().map_err(step(Step::ReadDiscInformation))?;
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
        .map_err(step(Step::ReadTrackInformation))?;
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
        Err(e) => return Err(step(Step::ReadCapacity)(e)),
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
        (Start::Place(s), _) => {
            if s % PLACE_ALIGN != 0 {
                return Err(WriteError::BadStart {
                    start: s,
                    reason: format!("an image is placed on {PLACE_ALIGN}-block boundaries"),
                });
            }
            (s, None, 0)
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

#[cfg(test)]
mod tests {
    use super::*;

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
