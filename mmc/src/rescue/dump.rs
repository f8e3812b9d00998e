//! Dumping an area to an image with a GNU ddrescue mapfile: read everything not yet
//! finished with the largest transfers, split failing reads down to single blocks, retry
//! those, fill what stays unreadable with zeros and mark it bad (`-`) in the map. A second
//! run with the same map reads only what is not finished.
//!
//! The sectors are 2048-byte data blocks (READ(10)) or CD-DA sectors (READ CD, 2352 bytes;
//! [`SectorKind::CdDa`]): the map then counts bytes of 2352-byte sectors (sector N at byte
//! N x 2352, as `ddrescuelog -b 2352` reads it), and with C2 error pointers a sector the
//! drive delivers with C2 errors is retried and, if it keeps them, kept as delivered and
//! marked bad (`-`) like a sector that could not be read at all.
//!
//! With [`DumpOptions::stop_at_unreadable`] the dump instead ends at the first block that
//! stays unreadable after its retries, as cdrtools readcd does without `-noerror`: the
//! blocks before it are written (in order, from the start of the area on a fresh run), the
//! file is not extended beyond them, and [`DumpReport::stopped_at`] names the block.
//!
//! Crash safety: the image is written before the map says a block is finished, and the map
//! is replaced atomically (temporary file, sync, rename) at least every
//! [`DumpOptions::save_interval`], after the image data was synced. A run killed at any
//! point (SIGKILL included) leaves an image and a map from which a rerun completes it.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use transport::Transport;

use super::mapfile::{BlockStatus, Mapfile, Phase};
use super::{read_cdda, read_once, Area, CddaOutcome, ReadOutcome, RescueError, SectorKind};
use crate::drive::Drive;

/// Where the image goes.
pub enum Output<'a> {
    /// A file: block `area.start + i` at byte `offset + i * sector size`; extended to the
    /// full size.
    File(&'a mut File),
    /// A stream (stdout), written in order; only for a fresh run.
    Stream(&'a mut dyn Write),
}

impl std::fmt::Debug for Output<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Output::File(file) => f.debug_tuple("File").field(file).finish(),
            Output::Stream(_) => f.write_str("Stream"),
        }
    }
}

/// How to dump.
#[derive(Debug, Clone)]
pub struct DumpOptions {
    /// Extra single-block attempts for a block that failed (0: one attempt).
    pub retries: u32,
    /// Largest READ in blocks (default: the transport's maximum).
    pub max_blocks: Option<u32>,
    /// Mapfile to continue from and keep up to date.
    pub map: Option<PathBuf>,
    /// Longest time between two saves of the map.
    pub save_interval: Duration,
    /// Comment lines for the top of the map (command line, device).
    pub comments: Vec<String>,
    /// End the run at the first block still unreadable after its retries (nothing is
    /// written for it) instead of zero-filling it and going on; a regular output file is
    /// then not extended to the area's size up front.
    pub stop_at_unreadable: bool,
    /// What the sectors are (data blocks by default).
    pub sectors: SectorKind,
    /// Where the area's first sector goes in an output file (bytes before it, such as a
    /// WAVE header, are left alone).
    pub offset: u64,
}

impl Default for DumpOptions {
    fn default() -> Self {
        DumpOptions {
            retries: 1,
            max_blocks: None,
            map: None,
            save_interval: Duration::from_millis(500),
            comments: Vec::new(),
            stop_at_unreadable: false,
            sectors: SectorKind::Data,
            offset: 0,
        }
    }
}

/// Where a dump stands, for progress displays.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct DumpProgress {
    /// Block being read.
    pub lba: u32,
    /// Bytes finished (this run and earlier ones).
    pub done_bytes: u64,
    /// Bytes in the area.
    pub total_bytes: u64,
    /// Blocks found unreadable in this run.
    pub bad_blocks: u64,
    /// READ commands sent.
    pub read_commands: u64,
}

/// What a dump did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DumpReport {
    /// The area.
    pub area: Area,
    /// READ commands sent.
    pub read_commands: u64,
    /// Blocks read in this run.
    pub blocks_read: u64,
    /// Unreadable ranges `(first, last)` (inclusive) in the map after the run.
    pub bad_ranges: Vec<(u32, u32)>,
    /// Unreadable blocks in the map after the run.
    pub bad_blocks: u64,
    /// Of the blocks found bad in this run, those the drive delivered with C2 errors (kept
    /// as delivered rather than zero-filled).
    pub c2_blocks: u64,
    /// What the sectors are.
    pub sectors: SectorKind,
    /// The run was stopped before it finished (the map says what is left).
    pub interrupted: bool,
    /// The unreadable block the run ended at ([`DumpOptions::stop_at_unreadable`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<u32>,
    /// Wall time.
    pub seconds: f64,
}

struct Dumper<'a, 'o, T: Transport> {
    drive: &'a mut Drive<T>,
    out: Output<'o>,
    area: Area,
    map: Mapfile,
    opts: &'a DumpOptions,
    stop: &'a AtomicBool,
    progress: &'a mut dyn FnMut(&DumpProgress),
    buf: Vec<u8>,
    raw: Vec<u8>,
    chunk: u32,
    /// Bytes of a sector.
    b: u64,
    /// The last single-sector read delivered data with C2 errors (in `buf`).
    suspect: bool,
    c2_now: u64,
    reads: u64,
    blocks_read: u64,
    bad_now: u64,
    done: u64,
    last_save: Instant,
    dirty: bool,
    stopped_at: Option<u32>,
}

/// Dumps `area` from `drive` to `out`, continuing the map at `opts.map` when it exists.
/// `stop` ends the run early (the map is saved first); `progress` is called after each READ.
pub fn dump<T: Transport>(
    drive: &mut Drive<T>,
    area: Area,
    out: Output<'_>,
    opts: &DumpOptions,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(&DumpProgress),
) -> Result<DumpReport, RescueError> {
    let t0 = Instant::now();
    let bs = opts.sectors.bytes();
    let b = bs as u64;
    let start = u64::from(area.start) * b;
    let end = u64::from(area.end()) * b;
    let map = match &opts.map {
        Some(p) if p.exists() => {
            let m = Mapfile::load(p)?;
            if m.start() != start || m.end() != end {
                return Err(RescueError::MapMismatch {
                    path: p.clone(),
                    map_start: m.start(),
                    map_end: m.end(),
                    start,
                    end,
                });
            }
            m
        }
        _ => Mapfile::new(start, end - start),
    };
    if matches!(out, Output::Stream(_))
        && map.blocks.iter().any(|b| b.status != BlockStatus::NonTried)
    {
        return Err(RescueError::StreamResume);
    }
    let chunk = opts.sectors.chunk(drive, opts.max_blocks);
    let done = map.bytes_with(BlockStatus::Finished);
    let mut d = Dumper {
        drive,
        out,
        area,
        map,
        opts,
        stop,
        progress,
        buf: vec![0u8; chunk as usize * bs],
        raw: Vec::new(),
        chunk,
        b,
        suspect: false,
        c2_now: 0,
        reads: 0,
        blocks_read: 0,
        bad_now: 0,
        done,
        last_save: Instant::now(),
        dirty: true,
        stopped_at: None,
    };
    if let Output::File(f) = &mut d.out {
        let meta = f.metadata().map_err(|e| out_err("stat", e))?;
        // Regular files are extended to the full size; devices (/dev/null, a disk) are not.
        // A run that may stop at an unreadable block leaves only what it read.
        let full = opts.offset + (end - start);
        if meta.is_file() && meta.len() < full && !opts.stop_at_unreadable {
            f.set_len(full).map_err(|e| out_err("extend", e))?;
        }
    }
    d.save(true)?;
    let stopped = d.run()?;
    if !stopped {
        d.map.phase = Phase::Finished;
        d.map.current_pos = end;
    }
    d.save(true)?;
    let bad = d.map.blocks_with(&[BlockStatus::BadSector]);
    let mut bad_ranges: Vec<(u32, u32)> = bad
        .iter()
        .map(|m| ((m.pos / b) as u32, (m.end().div_ceil(b) - 1) as u32))
        .collect();
    bad_ranges.dedup();
    let bad_blocks = bad_ranges.iter().map(|&(a, b)| u64::from(b - a) + 1).sum();
    Ok(DumpReport {
        area,
        read_commands: d.reads,
        blocks_read: d.blocks_read,
        bad_ranges,
        bad_blocks,
        c2_blocks: d.c2_now,
        sectors: opts.sectors,
        interrupted: stopped && d.stopped_at.is_none(),
        stopped_at: d.stopped_at,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

fn out_err(op: &'static str, source: std::io::Error) -> RescueError {
    RescueError::Output { op, source }
}

impl<T: Transport> Dumper<'_, '_, T> {
    /// Reads every unfinished block; returns true when stopped early (by `stop`, or at an
    /// unreadable block with `stop_at_unreadable`).
    fn run(&mut self) -> Result<bool, RescueError> {
        let todo = self.map.blocks_with(&[
            BlockStatus::NonTried,
            BlockStatus::NonTrimmed,
            BlockStatus::NonScraped,
            BlockStatus::BadSector,
        ]);
        for region in todo {
            let first = (region.pos / self.b) as u32;
            let end = region.end().div_ceil(self.b) as u32;
            self.map.phase = match region.status {
                BlockStatus::NonTried => Phase::Copying,
                BlockStatus::NonTrimmed => Phase::Trimming,
                BlockStatus::NonScraped => Phase::Scraping,
                _ => Phase::Retrying,
            };
            if self.span(first, end)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Reads `lba..end` in chunks, splitting failures; true when stopped.
    fn span(&mut self, mut lba: u32, end: u32) -> Result<bool, RescueError> {
        while lba < end {
            if self.stop.load(Ordering::Relaxed) {
                return Ok(true);
            }
            let n = self.chunk.min(end - lba);
            self.map.current_pos = u64::from(lba) * self.b;
            let outcome = self.read(lba, n)?;
            self.reads += 1;
            match outcome {
                CddaOutcome::Ok => {
                    self.good(lba, n)?;
                    lba += n;
                }
                CddaOutcome::Unreadable(_) | CddaOutcome::Flagged(_) if n == 1 => {
                    if !self.retry_block(lba)? && self.unreadable(lba)? {
                        return Ok(true);
                    }
                    lba += 1;
                }
                CddaOutcome::Flagged(first) => {
                    // The sectors before it came in fine; it alone is tried again.
                    if first > lba {
                        self.good(lba, first - lba)?;
                    }
                    if !self.retry_block(first)? && self.unreadable(first)? {
                        return Ok(true);
                    }
                    lba = first + 1;
                }
                CddaOutcome::Unreadable(Some(first_bad)) => {
                    // Good blocks before the one the drive named, then that block alone.
                    if self.span(lba, first_bad)? {
                        return Ok(true);
                    }
                    if self.stop.load(Ordering::Relaxed) {
                        return Ok(true);
                    }
                    if !self.retry_block(first_bad)? && self.unreadable(first_bad)? {
                        return Ok(true);
                    }
                    lba = first_bad + 1;
                }
                CddaOutcome::Unreadable(None) => {
                    // Nothing named: halve.
                    let mid = lba + n / 2;
                    if self.span(lba, mid)? || self.span(mid, lba + n)? {
                        return Ok(true);
                    }
                    lba += n;
                }
            }
            self.report(lba);
            self.maybe_save()?;
        }
        Ok(false)
    }

    /// One READ of `n` sectors at `lba` into `buf`.
    fn read(&mut self, lba: u32, n: u32) -> Result<CddaOutcome, RescueError> {
        match self.opts.sectors {
            SectorKind::Data => {
                let (o, _) = read_once(self.drive, lba, n, &mut self.buf)?;
                Ok(match o {
                    ReadOutcome::Ok => CddaOutcome::Ok,
                    ReadOutcome::Unreadable(i) => CddaOutcome::Unreadable(i),
                })
            }
            SectorKind::CdDa { c2 } => {
                read_cdda(self.drive, lba, n, c2, &mut self.buf, &mut self.raw)
            }
        }
    }

    /// Single-block attempts for `lba` (1 + retries); true when one succeeded. When the
    /// last one delivered data with C2 errors, `suspect` is set and `buf` holds it.
    fn retry_block(&mut self, lba: u32) -> Result<bool, RescueError> {
        self.suspect = false;
        for _ in 0..=self.opts.retries {
            let outcome = self.read(lba, 1)?;
            self.reads += 1;
            self.suspect = matches!(outcome, CddaOutcome::Flagged(_));
            if let CddaOutcome::Ok = outcome {
                self.good(lba, 1)?;
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn write_at(&mut self, lba: u32, data_len: usize, zeros: bool) -> Result<(), RescueError> {
        let off = self.opts.offset + u64::from(lba - self.area.start) * self.b;
        if zeros {
            self.buf[..data_len].fill(0);
        }
        let data = &self.buf[..data_len];
        match &mut self.out {
            Output::File(f) => {
                f.seek(SeekFrom::Start(off))
                    .map_err(|e| out_err("seek", e))?;
                f.write_all(data).map_err(|e| out_err("write", e))?;
            }
            Output::Stream(w) => w.write_all(data).map_err(|e| out_err("write", e))?,
        }
        Ok(())
    }

    fn good(&mut self, lba: u32, n: u32) -> Result<(), RescueError> {
        let b = self.b;
        self.write_at(lba, (u64::from(n) * b) as usize, false)?;
        // Only unfinished blocks are read, so all of these are new.
        self.map
            .set(u64::from(lba) * b, u64::from(n) * b, BlockStatus::Finished);
        self.done += u64::from(n) * b;
        self.blocks_read += u64::from(n);
        self.dirty = true;
        Ok(())
    }

    /// Handles a block that stayed unreadable: zero-fills it and returns false, or with
    /// `stop_at_unreadable` marks it bad in the map only and returns true (stop).
    fn unreadable(&mut self, lba: u32) -> Result<bool, RescueError> {
        if !self.opts.stop_at_unreadable {
            self.bad(lba)?;
            return Ok(false);
        }
        log::info!("LBA {lba}: unreadable, stopping");
        self.map
            .set(u64::from(lba) * self.b, self.b, BlockStatus::BadSector);
        self.bad_now += 1;
        self.dirty = true;
        self.stopped_at = Some(lba);
        self.report(lba);
        Ok(true)
    }

    fn bad(&mut self, lba: u32) -> Result<(), RescueError> {
        let b = self.b;
        if self.suspect {
            log::info!("LBA {lba}: C2 errors, kept as the drive delivered it");
            self.c2_now += 1;
        } else {
            log::info!("LBA {lba}: unreadable, filled with zeros");
        }
        self.write_at(lba, b as usize, !self.suspect)?;
        self.suspect = false;
        self.map.set(u64::from(lba) * b, b, BlockStatus::BadSector);
        self.bad_now += 1;
        self.dirty = true;
        Ok(())
    }

    fn report(&mut self, lba: u32) {
        let p = DumpProgress {
            lba,
            done_bytes: self.done,
            total_bytes: u64::from(self.area.blocks) * self.b,
            bad_blocks: self.bad_now,
            read_commands: self.reads,
        };
        (self.progress)(&p);
    }

    fn maybe_save(&mut self) -> Result<(), RescueError> {
        if self.dirty && self.last_save.elapsed() >= self.opts.save_interval {
            self.save(false)?;
        }
        Ok(())
    }

    /// Syncs the image data, then replaces the map.
    fn save(&mut self, force: bool) -> Result<(), RescueError> {
        if !force && !self.dirty {
            return Ok(());
        }
        match &mut self.out {
            Output::File(f) => match f.sync_data() {
                // Character devices (/dev/null) cannot be synced: nothing to make durable.
                Err(e) if e.raw_os_error() == Some(22) => {}
                r => r.map_err(|e| out_err("sync", e))?,
            },
            Output::Stream(w) => w.flush().map_err(|e| out_err("flush", e))?,
        }
        if let Some(p) = &self.opts.map {
            self.map.save(p, &self.opts.comments)?;
        }
        self.last_save = Instant::now();
        self.dirty = false;
        Ok(())
    }
}
