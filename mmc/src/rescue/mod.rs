//! Reading damaged discs: dumping an area with retries into an image and a GNU ddrescue
//! mapfile ([`dump()`]), and the media scan behind `discburn check` ([`scan()`]).
//!
//! Reads are READ(10) (MMC-6 §6.16) of the transport's largest transfer; a failing read
//! (MEDIUM ERROR or HARDWARE ERROR sense, SPC-4 §4.5.6; or LOGICAL BLOCK ADDRESS OUT OF
//! RANGE 05/21/00; or a command timeout) is split into smaller transfers, guided by the
//! sense INFORMATION field (the first failing LBA) when the drive sets it, else halved,
//! down to single blocks that are retried. The areas ([`area`]) come from READ CAPACITY
//! (§6.18), READ DISC INFORMATION (§6.22), READ TRACK INFORMATION (§6.27) and READ TOC
//! (§6.26).

pub mod area;
pub mod dump;
pub mod mapfile;
pub mod scan;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use transport::{DataPhase, SenseKey, Transport, TransportError};

use crate::cmd::read;
use crate::drive::{Drive, BLOCK};
use crate::error::MmcError;

pub use area::{Area, AreaSpec};
pub use dump::{dump, DumpOptions, DumpProgress, DumpReport, Output};
pub use mapfile::{BlockStatus, MapBlock, MapError, Mapfile};
pub use scan::{scan, ScanOptions, ScanProgress, ScanReport};

/// A dump or scan that could not go on.
#[derive(Debug, thiserror::Error)]
pub enum RescueError {
    /// A command failed in a way that is not a damaged block (no medium, bad request, ...).
    #[error("LBA {lba}: {source}")]
    Drive {
        /// Where.
        lba: u32,
        /// The error.
        #[source]
        source: MmcError,
    },
    /// Finding the area to read failed.
    #[error("{what}: {source}")]
    Area {
        /// What was looked up.
        what: String,
        /// The error.
        #[source]
        source: MmcError,
    },
    /// The area asked for does not exist on the disc.
    #[error("{0}")]
    NoSuchArea(String),
    /// The mapfile could not be read or written.
    #[error(transparent)]
    Map(#[from] MapError),
    /// The mapfile belongs to another area.
    #[error("mapfile {path} covers bytes {map_start:#x}..{map_end:#x}, this read covers {start:#x}..{end:#x}")]
    MapMismatch {
        /// The mapfile.
        path: PathBuf,
        /// Its first byte.
        map_start: u64,
        /// Its end.
        map_end: u64,
        /// The area's first byte.
        start: u64,
        /// The area's end.
        end: u64,
    },
    /// The image could not be written.
    #[error("image: {op}: {source}")]
    Output {
        /// What was being done.
        op: &'static str,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The output is a stream but the map says parts are done already.
    #[error("a stream output (-o -) cannot continue a rescue; give a file")]
    StreamResume,
}

/// The outcome of one READ: data, a damaged area (with the first failing LBA when the
/// drive named it), or an error that ends the run.
#[derive(Debug)]
pub(crate) enum ReadOutcome {
    /// Read in full.
    Ok,
    /// The blocks could not be read.
    Unreadable(Option<u32>),
}

/// Whether `e` means "these blocks cannot be read" (as opposed to "stop").
pub(crate) fn unreadable_info(e: &MmcError) -> Option<Option<u32>> {
    match e {
        MmcError::Check { sense, .. } => {
            let damaged = matches!(sense.key, SenseKey::MediumError | SenseKey::HardwareError)
                || (sense.key == SenseKey::IllegalRequest && sense.asc == 0x21);
            damaged.then(|| sense.information.and_then(|i| u32::try_from(i).ok()))
        }
        MmcError::Transport {
            source: TransportError::Timeout { .. },
            ..
        } => Some(None),
        _ => None,
    }
}

/// Reads `blocks` blocks at `lba` with one READ(10) into `buf`, timing it.
pub(crate) fn read_once<T: Transport>(
    drive: &mut Drive<T>,
    lba: u32,
    blocks: u32,
    buf: &mut [u8],
) -> Result<(ReadOutcome, Duration), RescueError> {
    let want = blocks as usize * BLOCK;
    let buf = &mut buf[..want];
    let t0 = Instant::now();
    let r = drive.execute(
        read::read10(lba, blocks as u16),
        DataPhase::In(buf),
        transport::DEFAULT_TIMEOUT,
    );
    let d = t0.elapsed();
    match r {
        Ok(n) if n >= want => Ok((ReadOutcome::Ok, d)),
        Ok(_) => Ok((ReadOutcome::Unreadable(None), d)),
        Err(e) => match unreadable_info(&e) {
            Some(info) => {
                log::debug!("LBA {lba}+{blocks}: {e}");
                let info = info.filter(|&i| i >= lba && i < lba.saturating_add(blocks));
                Ok((ReadOutcome::Unreadable(info), d))
            }
            None => Err(RescueError::Drive { lba, source: e }),
        },
    }
}

/// Blocks per READ: the transport's maximum, at most `limit` when given.
pub(crate) fn chunk_blocks<T: Transport>(drive: &Drive<T>, limit: Option<u32>) -> u32 {
    let m = drive.max_blocks() as u32;
    limit.map_or(m, |l| l.clamp(1, m))
}

/// Receives the blocks [`read_with_holes`] reads: `(lba, Some(data))` or `(lba, None)`.
pub type BlockSink<'a> = dyn FnMut(u32, Option<&[u8]>) -> std::io::Result<()> + 'a;

/// Reads `blocks` blocks at `lba` in READs of at most `max_blocks` (default: the
/// transport's maximum), splitting failing reads as [`dump()`] does (one attempt per block,
/// no retries). Calls `f(lba, Some(data))` for each run of blocks read, in order, and
/// `f(lba, None)` for each unreadable block. Returns the number of READ commands.
pub fn read_with_holes<T: Transport>(
    drive: &mut Drive<T>,
    lba: u32,
    blocks: u32,
    max_blocks: Option<u32>,
    f: &mut BlockSink<'_>,
) -> Result<u64, RescueError> {
    let chunk = chunk_blocks(drive, max_blocks);
    let mut buf = vec![0u8; chunk as usize * BLOCK];
    let mut reads = 0u64;
    let mut todo: Vec<(u32, u32)> = vec![(lba, lba.saturating_add(blocks))];
    let out = |e| RescueError::Output {
        op: "consume data",
        source: e,
    };
    while let Some((mut at, end)) = todo.pop() {
        while at < end {
            let n = chunk.min(end - at);
            let (o, _) = read_once(drive, at, n, &mut buf)?;
            reads += 1;
            match o {
                ReadOutcome::Ok => {
                    f(at, Some(&buf[..n as usize * BLOCK])).map_err(out)?;
                    at += n;
                }
                ReadOutcome::Unreadable(_) if n == 1 => {
                    f(at, None).map_err(out)?;
                    at += 1;
                }
                ReadOutcome::Unreadable(Some(bad)) if bad > at => {
                    // Read the good part first, then come back for `bad..end`.
                    todo.push((bad, end));
                    todo.push((at, bad));
                    break;
                }
                ReadOutcome::Unreadable(Some(bad)) => {
                    f(bad, None).map_err(out)?;
                    at = bad + 1;
                }
                ReadOutcome::Unreadable(None) => {
                    let mid = at + n / 2;
                    todo.push((at + n, end));
                    todo.push((mid, at + n));
                    todo.push((at, mid));
                    break;
                }
            }
        }
    }
    Ok(reads)
}
