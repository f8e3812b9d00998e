//! The disc's state for reports, as data: READ DISC INFORMATION (MMC-6 §6.22), READ TRACK
//! INFORMATION of the last session's tracks (§6.27.3: Damage, NWA_V) and msinfo. Its
//! `Display` is the one-line account the CLI prints after a write or a failure.

use std::fmt;

use transport::Transport;

use crate::cmd::disc_info::{DiscInfoView, DiscStatus, SessionState};
use crate::cmd::track_info::TrackAddress;
use crate::drive::{Drive, BLOCK};
use crate::msinfo::{self, Msinfo, MsinfoError, PVD_LBA};
use crate::profile::Profile;

/// What a block that should be blank or hold a primary volume descriptor holds instead.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum BlockContent {
    /// An ISO 9660 volume descriptor (ECMA-119 §8.1) that is not a usable primary one.
    IsoDescriptor,
    /// A descriptor with another standard identifier (another file system: UDF's volume
    /// recognition sequence has "BEA01", "NSR02", ...).
    Foreign {
        /// The five identifier bytes.
        id: String,
    },
    /// Data that is no volume descriptor.
    Data,
}

/// A recorded block where none was expected: its address and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecordedBlock {
    /// Its LBA.
    pub lba: u32,
    /// What it holds.
    pub content: BlockContent,
}

impl fmt::Display for RecordedBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lba = self.lba;
        match &self.content {
            BlockContent::IsoDescriptor => write!(
                f,
                "block {lba} holds an ISO 9660 volume descriptor that is not a usable primary one"
            ),
            BlockContent::Foreign { id } => {
                write!(
                    f,
                    "block {lba} holds a \"{id}\" descriptor (another file system)"
                )
            }
            BlockContent::Data => write!(
                f,
                "block {lba} holds data that is not an ISO 9660 volume descriptor"
            ),
        }
    }
}

impl RecordedBlock {
    /// What the block `b` read at `lba` holds; `None` when it is all zeros (never written).
    pub fn classify(lba: u32, b: &[u8]) -> Option<RecordedBlock> {
        if b.iter().all(|&x| x == 0) {
            return None;
        }
        let id = b.get(1..6).unwrap_or_default();
        let content = if id == b"CD001" {
            BlockContent::IsoDescriptor
        } else if id.len() == 5 && id.iter().all(u8::is_ascii_alphanumeric) {
            BlockContent::Foreign {
                id: String::from_utf8_lossy(id).into_owned(),
            }
        } else {
            BlockContent::Data
        };
        Some(RecordedBlock { lba, content })
    }
}

/// How a damaged track ended (READ TRACK INFORMATION, MMC-6 §6.27.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Damage {
    /// Damage 1, NWA_V 1: the drive offers to continue it at this block.
    Continuable {
        /// The next writable address.
        nwa: u32,
    },
    /// Damage 1, NWA_V 0 on the last track: it cannot be continued.
    Stuck,
    /// Damage 1, NWA_V 0 on an earlier track: it was closed where it stopped.
    Closed,
}

/// A track of the last session whose recording stopped early (a write error or a buffer
/// underrun without protection).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DamagedTrack {
    /// Track number.
    pub track: u16,
    /// Session number.
    pub session: u16,
    /// First block.
    pub start: u32,
    /// Last recorded block, when the drive names one at or after the start.
    pub last_recorded: Option<u32>,
    /// What the drive says about continuing it.
    pub damage: Damage,
}

impl fmt::Display for DamagedTrack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = match self.last_recorded {
            Some(lra) => format!("blocks {}-{lra}", self.start),
            None => format!("from block {}", self.start),
        };
        let how = match self.damage {
            Damage::Continuable { nwa } => format!(
                "the drive offers to continue it at block {nwa} (READ TRACK INFORMATION: \
                 Damage 1, NWA_V 1)"
            ),
            Damage::Stuck => {
                "it cannot be continued (READ TRACK INFORMATION: Damage 1, NWA_V 0)".to_string()
            }
            Damage::Closed => {
                "it was closed where it stopped (READ TRACK INFORMATION: Damage 1, NWA_V 0)"
                    .to_string()
            }
        };
        write!(
            f,
            "track {} (session {}, {at}) damaged: its recording stopped early (a write error \
             or a buffer underrun), {how}",
            self.track, self.session
        )
    }
}

/// Where a further session could go, as msinfo answers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Sessions {
    /// No session: the disc is blank.
    Blank,
    /// Overwritable media: no descriptors at block 16, but something else recorded there.
    Unreachable {
        /// What block 16 holds.
        what: RecordedBlock,
    },
    /// Appendable after the last complete session.
    Appendable {
        /// Start of the last complete session.
        last_session_start: u32,
        /// The next writable address.
        next_writable: u32,
    },
    /// The last track is damaged and has no next writable address, though the disc is not
    /// closed (msinfo's `Damaged`).
    DamagedLast,
    /// msinfo failed (a closed disc, a drive error): its message.
    Unknown {
        /// msinfo's error.
        error: String,
    },
}

/// What READ DISC INFORMATION and the last session's tracks say.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiscSummary {
    /// Disc status.
    pub status: DiscStatus,
    /// State of the last session.
    pub last_session: SessionState,
    /// Sessions on the disc.
    pub sessions: u16,
    /// Damaged tracks of an open disc's last session.
    pub damaged: Vec<DamagedTrack>,
    /// The session holding damaged tracks when it is still open (unfinished).
    pub unfinished_session: Option<u16>,
    /// What msinfo says.
    pub next: Sessions,
}

/// The medium in the drive, or why it is unknown.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Medium {
    /// The current profile.
    Known {
        /// The profile.
        #[serde(serialize_with = "ser_profile")]
        profile: Profile,
    },
    /// GET CONFIGURATION failed: its message.
    Unknown {
        /// The error.
        error: String,
    },
}

fn ser_profile<S: serde::Serializer>(p: &Profile, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.to_string())
}

/// The disc's state after a write or a failure; `Display` gives the one-line account.
///
/// Damaged tracks of the last session (a write error or a buffer underrun without
/// protection stopped their recording) are named from READ TRACK INFORMATION (MMC-6
/// §6.27.3: the Damage bit with NWA_V), and so is an unfinished last session: msinfo alone
/// would call a disc whose last track is damaged and has no next writable address
/// "closed", though READ DISC INFORMATION says it is not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiscState {
    /// The medium.
    pub medium: Medium,
    /// The disc, or why READ DISC INFORMATION failed.
    pub disc: Result<DiscSummary, String>,
}

impl fmt::Display for Medium {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Medium::Known { profile } => write!(f, "{profile}"),
            Medium::Unknown { error } => write!(f, "unknown medium ({error})"),
        }
    }
}

impl fmt::Display for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sessions::Blank => f.write_str("blank"),
            Sessions::Unreachable { what } => write!(f, "no session reachable: {what}"),
            Sessions::Appendable {
                last_session_start,
                next_writable,
            } => write!(
                f,
                "appendable, last complete session starts at {last_session_start}, next \
                 writable address {next_writable}"
            ),
            Sessions::DamagedLast => f.write_str(
                "nothing can be appended after it: the drive gives the damaged last track no \
                 next writable address, though the disc is not closed",
            ),
            Sessions::Unknown { error } => f.write_str(error),
        }
    }
}

impl fmt::Display for DiscState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = match &self.disc {
            Ok(d) => d,
            Err(e) => return write!(f, "{}: disc information unavailable: {e}", self.medium),
        };
        write!(
            f,
            "{}: disc {}, last session {}, {} session(s) on disc; ",
            self.medium,
            d.status.name(),
            d.last_session.name(),
            d.sessions
        )?;
        for t in &d.damaged {
            write!(f, "{t}; ")?;
        }
        if let Some(s) = d.unfinished_session {
            write!(f, "session {s} is unfinished; ")?;
        }
        write!(f, "{}", d.next)
    }
}

/// The disc's state now, read from the drive (see [`DiscState`]).
pub fn disc_state<T: Transport>(drive: &mut Drive<T>) -> DiscState {
    let medium = match drive.current_profile() {
        Ok(profile) => Medium::Known { profile },
        Err(e) => Medium::Unknown {
            error: e.to_string(),
        },
    };
    let di = match drive.disc_info() {
        Ok(d) => d,
        Err(e) => {
            return DiscState {
                medium,
                disc: Err(e.to_string()),
            }
        }
    };
    let v = di.view();
    let overwritable = drive.current_profile().is_ok_and(|p| p.overwritable());
    let (damaged, unfinished_session) = damaged_tracks(drive, &v);
    let next = match msinfo::msinfo(drive) {
        // msinfo finds no descriptors at 16; on overwritable media that is blank only when
        // nothing else is recorded there either.
        Ok(Msinfo::Blank) if overwritable => match recorded_block(drive, PVD_LBA) {
            Some(what) => Sessions::Unreachable { what },
            None => Sessions::Blank,
        },
        Ok(Msinfo::Blank) => Sessions::Blank,
        Ok(Msinfo::Appendable {
            last_session_start,
            next_writable,
        }) => Sessions::Appendable {
            last_session_start,
            next_writable,
        },
        // The last track is the damaged one: no NWA, yet the disc is not closed.
        Err(MsinfoError::Damaged { .. }) => Sessions::DamagedLast,
        Err(e) => Sessions::Unknown {
            error: e.to_string(),
        },
    };
    DiscState {
        medium,
        disc: Ok(DiscSummary {
            status: v.disc_status(),
            last_session: v.last_session_state(),
            sessions: v.sessions(),
            damaged,
            unfinished_session,
            next,
        }),
    }
}

/// For [`disc_state`]: the damaged tracks of an open disc's last session, and the session
/// holding them when that session is open.
fn damaged_tracks<T: Transport>(
    drive: &mut Drive<T>,
    v: &DiscInfoView<'_>,
) -> (Vec<DamagedTrack>, Option<u16>) {
    if v.disc_status() != DiscStatus::Incomplete {
        return (Vec::new(), None);
    }
    let (first, last) = (v.first_track_last_session(), v.last_track_last_session());
    let open = v.last_session_state() == SessionState::Incomplete;
    let mut out = Vec::new();
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
        out.push(DamagedTrack {
            track: n,
            session: t.session(),
            start: t.start(),
            last_recorded: t.last_recorded().filter(|&lra| lra >= t.start()),
            damage: match t.nwa() {
                Some(nwa) => Damage::Continuable { nwa },
                None if n == last => Damage::Stuck,
                None => Damage::Closed,
            },
        });
    }
    (out, session.filter(|_| open))
}

/// What block `lba` holds, `None` when it is all zeros or unreadable (never written).
pub(crate) fn recorded_block<T: Transport>(
    drive: &mut Drive<T>,
    lba: u32,
) -> Option<RecordedBlock> {
    let mut b = vec![0u8; BLOCK];
    drive.read_blocks(lba, &mut b).ok()?;
    RecordedBlock::classify(lba, &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_blocks_are_told_apart() {
        let mut b = vec![0u8; BLOCK];
        assert_eq!(RecordedBlock::classify(16, &b), None);
        b[1..6].copy_from_slice(b"BEA01");
        let r = RecordedBlock::classify(16, &b).unwrap();
        assert_eq!(
            r.to_string(),
            "block 16 holds a \"BEA01\" descriptor (another file system)"
        );
        b[1..6].copy_from_slice(b"CD001");
        assert_eq!(
            RecordedBlock::classify(17, &b).unwrap().content,
            BlockContent::IsoDescriptor
        );
        b[1] = 0xFF;
        assert_eq!(
            RecordedBlock::classify(17, &b).unwrap().content,
            BlockContent::Data
        );
    }

    #[test]
    fn the_line_names_damaged_tracks_then_the_sessions() {
        let s = DiscState {
            medium: Medium::Known {
                profile: Profile::CdR,
            },
            disc: Ok(DiscSummary {
                status: DiscStatus::Incomplete,
                last_session: SessionState::Incomplete,
                sessions: 2,
                damaged: vec![DamagedTrack {
                    track: 2,
                    session: 2,
                    start: 11_702,
                    last_recorded: None,
                    damage: Damage::Stuck,
                }],
                unfinished_session: Some(2),
                next: Sessions::DamagedLast,
            }),
        };
        assert_eq!(
            s.to_string(),
            "CD-R: disc incomplete/appendable, last session incomplete, 2 session(s) on disc; \
             track 2 (session 2, from block 11702) damaged: its recording stopped early (a \
             write error or a buffer underrun), it cannot be continued (READ TRACK \
             INFORMATION: Damage 1, NWA_V 0); session 2 is unfinished; nothing can be \
             appended after it: the drive gives the damaged last track no next writable \
             address, though the disc is not closed"
        );
        let u = DiscState {
            medium: Medium::Unknown {
                error: "no medium".into(),
            },
            disc: Err("NOT READY".into()),
        };
        assert_eq!(
            u.to_string(),
            "unknown medium (no medium): disc information unavailable: NOT READY"
        );
    }
}
