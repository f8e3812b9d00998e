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

/// What the sectors of a dump are and how they are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectorKind {
    /// 2048-byte user data blocks, READ(10).
    #[default]
    Data,
    /// CD-DA: READ CD (MMC-6 §6.15) with expected sector type 001b and the user data
    /// (2352 bytes a sector, samples little-endian as on the disc). With `c2` the C2 error
    /// bits are asked for too (C2 error field 01b, 294 bytes a sector after its data, one
    /// bit a byte): a sector with any bit set was delivered with uncorrectable bytes and
    /// counts as unreadable, though its data (the drive's best attempt) is kept.
    CdDa {
        /// Ask for the C2 error pointers (the drive reports them: feature 001Eh C2 Flags,
        /// or page 2Ah's C2 Pointers bit).
        c2: bool,
    },
}

impl SectorKind {
    /// Bytes of one sector in the image.
    pub fn bytes(self) -> usize {
        match self {
            SectorKind::Data => BLOCK,
            SectorKind::CdDa { .. } => CDDA_SECTOR,
        }
    }

    /// Sectors per READ: what the transport takes (at most `limit`); for CD-DA at most
    /// 75 (one second), as cdparanoia and cdda2wav read.
    pub(crate) fn chunk<T: Transport>(self, drive: &Drive<T>, limit: Option<u32>) -> u32 {
        match self {
            SectorKind::Data => chunk_blocks(drive, limit),
            SectorKind::CdDa { c2 } => {
                let per = CDDA_SECTOR + if c2 { C2_BYTES } else { 0 };
                let m = u32::try_from(drive.max_blocks() * BLOCK / per)
                    .unwrap_or(1)
                    .clamp(1, 75);
                limit.map_or(m, |l| l.clamp(1, m))
            }
        }
    }
}

/// Bytes of a CD-DA sector.
pub const CDDA_SECTOR: usize = 2352;
/// Bytes of the C2 error bits of a sector (one bit a byte of the 2352).
pub const C2_BYTES: usize = 294;

/// What one READ CD of CD-DA sectors gave.
#[derive(Debug)]
pub(crate) enum CddaOutcome {
    /// Read in full, no C2 errors.
    Ok,
    /// Not read (as [`ReadOutcome::Unreadable`]).
    Unreadable(Option<u32>),
    /// Read, but this sector (the first such) has C2 errors; the data of it and of the
    /// ones before it is in the buffer.
    Flagged(u32),
}

/// Reads `n` CD-DA sectors at `lba` with one READ CD into `buf` (2352 bytes each); with
/// `c2`, through `raw` (the sectors with their C2 bits), reporting the first flagged one.
pub(crate) fn read_cdda<T: Transport>(
    drive: &mut Drive<T>,
    lba: u32,
    n: u32,
    c2: bool,
    buf: &mut [u8],
    raw: &mut Vec<u8>,
) -> Result<CddaOutcome, RescueError> {
    let b = lba.to_be_bytes();
    let l = n.to_be_bytes();
    let cdb = transport::Cdb::twelve([
        0xBE,
        0x04,
        b[0],
        b[1],
        b[2],
        b[3],
        l[1],
        l[2],
        l[3],
        0x10 | if c2 { 0x02 } else { 0 },
        0,
        0,
    ]);
    let per = CDDA_SECTOR + if c2 { C2_BYTES } else { 0 };
    let want = n as usize * per;
    let target: &mut [u8] = if c2 {
        raw.resize(want, 0);
        &mut raw[..want]
    } else {
        &mut buf[..want]
    };
    match drive.execute(cdb, DataPhase::In(target), Duration::from_secs(30)) {
        Ok(got) if got >= want => {}
        Ok(_) => return Ok(CddaOutcome::Unreadable(None)),
        Err(e) => {
            return match unreadable_info(&e) {
                Some(info) => {
                    log::debug!("READ CD at {lba}+{n}: {e}");
                    let info = info.filter(|&i| i >= lba && i < lba.saturating_add(n));
                    Ok(CddaOutcome::Unreadable(info))
                }
                None => Err(RescueError::Drive { lba, source: e }),
            }
        }
    }
    if !c2 {
        return Ok(CddaOutcome::Ok);
    }
    let mut flagged = None;
    for (i, s) in raw[..want].chunks_exact(per).enumerate() {
        buf[i * CDDA_SECTOR..(i + 1) * CDDA_SECTOR].copy_from_slice(&s[..CDDA_SECTOR]);
        if flagged.is_none() && s[CDDA_SECTOR..].iter().any(|&x| x != 0) {
            flagged = Some(lba + i as u32);
        }
    }
    Ok(match flagged {
        Some(f) => {
            log::debug!("READ CD at {lba}+{n}: C2 errors in sector {f}");
            CddaOutcome::Flagged(f)
        }
        None => CddaOutcome::Ok,
    })
}

/// Whether the drive returns C2 error pointers: GET CONFIGURATION feature 001Eh (CD Read)
/// with C2 Flags (MMC-6 §5.3.7), else MODE SENSE page 2Ah's C2 Pointers Supported bit
/// (§7.7, MMC-3's capabilities page).
pub fn drive_reports_c2<T: Transport>(drive: &mut Drive<T>) -> bool {
    if let Ok(fs) = drive.features() {
        for f in &fs {
            if let crate::feature::FeatureBody::CdRead { c2, .. } = &f.body {
                return *c2;
            }
        }
    }
    drive
        .capabilities()
        .map(|c| c.page().c2_pointers())
        .unwrap_or(false)
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
