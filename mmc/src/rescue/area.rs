//! The LBA area a read or scan covers: the whole readable disc (READ CAPACITY, MMC-6
//! §6.18), one session or one track (READ DISC INFORMATION §6.22 and READ TRACK
//! INFORMATION §6.27; READ TOC format 0, §6.26, when the drive lacks the latter), or a
//! range given by the user.

use transport::Transport;

use super::RescueError;
use crate::cmd::track_info::TrackAddress;
use crate::drive::Drive;

/// An LBA area: `blocks` blocks from `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Area {
    /// First block.
    pub start: u32,
    /// Number of blocks.
    pub blocks: u32,
}

impl Area {
    /// One past the last block.
    pub fn end(&self) -> u32 {
        self.start.saturating_add(self.blocks)
    }
}

/// What to read, as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaSpec {
    /// Every readable block (READ CAPACITY).
    All,
    /// One session (1-based).
    Session(u16),
    /// One track (1-based).
    Track(u16),
    /// Blocks `first..=last`.
    Range(u32, u32),
}

fn area_err(what: &str) -> impl FnOnce(crate::error::MmcError) -> RescueError + '_ {
    move |source| RescueError::Area {
        what: what.to_string(),
        source,
    }
}

/// (session, start, end) of every track the drive describes with READ TRACK INFORMATION.
fn tracks<T: Transport>(drive: &mut Drive<T>) -> Result<Vec<(u16, u16, u32, u32)>, RescueError> {
    let di = drive
        .disc_info()
        .map_err(area_err("READ DISC INFORMATION"))?;
    let v = di.view();
    let first = u16::from(v.first_track());
    let last = v.last_track_last_session();
    let mut out = Vec::new();
    for t in first.max(1)..=last {
        let ti = drive
            .track_info(TrackAddress::Track(u32::from(t)))
            .map_err(area_err("READ TRACK INFORMATION"))?;
        let tv = ti.view();
        if tv.blank() {
            continue;
        }
        let start = tv.start();
        let end = match tv.last_recorded() {
            Some(lra) if lra >= start => lra + 1,
            _ => start.saturating_add(tv.size()),
        };
        if end > start {
            out.push((tv.session(), t, start, end));
        }
    }
    Ok(out)
}

/// (track, start, end) from the formatted TOC (tracks end where the next one starts).
fn toc_tracks<T: Transport>(drive: &mut Drive<T>) -> Result<Vec<(u16, u32, u32)>, RescueError> {
    let toc = drive.toc(false).map_err(area_err("READ TOC"))?;
    let mut out = Vec::new();
    for w in toc.tracks.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a.is_leadout() {
            continue;
        }
        let s = a.start.lba().max(0) as u32;
        let e = b.start.lba().max(0) as u32;
        if e > s {
            out.push((u16::from(a.number), s, e));
        }
    }
    Ok(out)
}

/// Resolves `spec` on the loaded disc.
pub fn resolve<T: Transport>(drive: &mut Drive<T>, spec: AreaSpec) -> Result<Area, RescueError> {
    match spec {
        AreaSpec::Range(a, b) => {
            if b < a {
                return Err(RescueError::NoSuchArea(format!(
                    "range {a}-{b} ends before it starts"
                )));
            }
            Ok(Area {
                start: a,
                blocks: b - a + 1,
            })
        }
        AreaSpec::All => {
            let (last, _) = drive.read_capacity().map_err(area_err("READ CAPACITY"))?;
            Ok(Area {
                start: 0,
                blocks: last.saturating_add(1),
            })
        }
        AreaSpec::Session(n) | AreaSpec::Track(n) => {
            let by_session = matches!(spec, AreaSpec::Session(_));
            let spans: Vec<(u32, u32)> = match tracks(drive) {
                Ok(ts) => ts
                    .into_iter()
                    .filter(|&(s, t, _, _)| if by_session { s == n } else { t == n })
                    .map(|(_, _, a, b)| (a, b))
                    .collect(),
                Err(RescueError::Area { source, .. }) if source.is_illegal_request() => {
                    // No READ TRACK INFORMATION (QEMU's scsi-cd): the TOC, one session.
                    let ts = toc_tracks(drive)?;
                    ts.into_iter()
                        .filter(|&(t, _, _)| by_session || t == n)
                        .filter(|_| !by_session || n == 1)
                        .map(|(_, a, b)| (a, b))
                        .collect()
                }
                Err(e) => return Err(e),
            };
            let start = spans.iter().map(|s| s.0).min();
            let end = spans.iter().map(|s| s.1).max();
            match (start, end) {
                (Some(s), Some(e)) => Ok(Area {
                    start: s,
                    blocks: e - s,
                }),
                _ => Err(RescueError::NoSuchArea(format!(
                    "the disc has no recorded {} {n}",
                    if by_session { "session" } else { "track" }
                ))),
            }
        }
    }
}
