//! The media scan behind `discburn check`: read the area in chunks of the transport's
//! largest transfer, time each READ(10) (MMC-6 §6.16), find the exact unreadable blocks
//! (failing chunks split as in [`super::dump()`]) and the exact slow blocks (chunks far
//! slower than the median are re-read block by block against a single-block baseline).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use transport::Transport;

use super::{chunk_blocks, read_once, Area, ReadOutcome, RescueError};
use crate::drive::{Drive, BLOCK};

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Largest READ in blocks (default: the transport's maximum).
    pub max_blocks: Option<u32>,
    /// A chunk (or block) is slow when it takes this many times the median.
    pub slow_factor: f64,
    /// Re-read slow chunks block by block to find the exact slow blocks.
    pub refine: bool,
    /// A block is slow only when it also takes this much longer than the baseline block
    /// (scheduling noise on a busy host is not a slow disc).
    pub min_slow: Duration,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_blocks: None,
            slow_factor: 3.0,
            refine: true,
            min_slow: Duration::from_millis(1),
        }
    }
}

/// One timed READ of the first pass.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Sample {
    /// First block.
    pub lba: u32,
    /// Blocks.
    pub blocks: u32,
    /// Time the READ took, seconds.
    pub seconds: f64,
    /// False when the READ failed (the blocks are in `bad_ranges` or were re-read).
    pub ok: bool,
}

impl Sample {
    /// Transfer rate in kB/s (1000 bytes), 0 for a failed read.
    pub fn rate_kbs(&self) -> f64 {
        if !self.ok || self.seconds <= 0.0 {
            return 0.0;
        }
        f64::from(self.blocks) * BLOCK as f64 / 1000.0 / self.seconds
    }
}

/// A range of slow blocks.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SlowRange {
    /// First block.
    pub first: u32,
    /// Last block (inclusive).
    pub last: u32,
    /// Mean time per block in the range divided by the baseline time per block.
    pub factor: f64,
}

/// Where a scan stands, for progress displays.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct ScanProgress {
    /// Next block.
    pub lba: u32,
    /// Blocks scanned.
    pub done_blocks: u64,
    /// Blocks in the area.
    pub total_blocks: u64,
    /// Unreadable blocks so far.
    pub bad_blocks: u64,
    /// Rate of the last chunk, kB/s.
    pub rate_kbs: f64,
}

/// What a scan found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScanReport {
    /// The area.
    pub area: Area,
    /// Every READ of the first pass, in order: the speed curve.
    pub samples: Vec<Sample>,
    /// Unreadable blocks as `(first, last)` ranges (inclusive).
    pub bad_ranges: Vec<(u32, u32)>,
    /// Unreadable blocks.
    pub bad_blocks: u64,
    /// Slow blocks.
    pub slow_ranges: Vec<SlowRange>,
    /// Median rate of the full-size chunks, kB/s.
    pub median_rate_kbs: f64,
    /// Lowest rate of a readable chunk, kB/s.
    pub min_rate_kbs: f64,
    /// Highest rate, kB/s.
    pub max_rate_kbs: f64,
    /// READ commands sent.
    pub read_commands: u64,
    /// Wall time of the whole scan, seconds.
    pub seconds: f64,
    /// The scan was stopped early.
    pub interrupted: bool,
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    // The lower median: with few chunks, one slow chunk must not become the reference.
    v[(v.len() - 1) / 2]
}

struct Scanner<'a, T: Transport> {
    drive: &'a mut Drive<T>,
    buf: Vec<u8>,
    chunk: u32,
    reads: u64,
    samples: Vec<Sample>,
    bad: Vec<u32>,
    stop: &'a AtomicBool,
}

impl<T: Transport> Scanner<'_, T> {
    fn read(&mut self, lba: u32, n: u32) -> Result<(ReadOutcome, Duration), RescueError> {
        self.reads += 1;
        read_once(self.drive, lba, n, &mut self.buf)
    }

    /// First pass over `lba..end`; failures split down to blocks. True when stopped.
    fn span(&mut self, mut lba: u32, end: u32, top: bool) -> Result<bool, RescueError> {
        while lba < end {
            if self.stop.load(Ordering::Relaxed) {
                return Ok(true);
            }
            let n = self.chunk.min(end - lba);
            let (o, d) = self.read(lba, n)?;
            let ok = matches!(o, ReadOutcome::Ok);
            if top || ok {
                self.samples.push(Sample {
                    lba,
                    blocks: n,
                    seconds: d.as_secs_f64(),
                    ok,
                });
            }
            match o {
                ReadOutcome::Ok => lba += n,
                ReadOutcome::Unreadable(_) if n == 1 => {
                    self.bad.push(lba);
                    lba += 1;
                }
                ReadOutcome::Unreadable(Some(first_bad)) => {
                    if self.span(lba, first_bad, false)? {
                        return Ok(true);
                    }
                    let (o, _) = self.read(first_bad, 1)?;
                    if !matches!(o, ReadOutcome::Ok) {
                        self.bad.push(first_bad);
                    }
                    lba = first_bad + 1;
                }
                ReadOutcome::Unreadable(None) => {
                    let mid = lba + n / 2;
                    if self.span(lba, mid, false)? || self.span(mid, lba + n, false)? {
                        return Ok(true);
                    }
                    lba += n;
                }
            }
        }
        Ok(false)
    }

    /// Time of one single-block read of `lba` (the faster of two when the first is slow
    /// against `limit`); None when it failed.
    fn block_time(&mut self, lba: u32, limit: f64) -> Result<Option<f64>, RescueError> {
        let (o, d) = self.read(lba, 1)?;
        if !matches!(o, ReadOutcome::Ok) {
            return Ok(None);
        }
        let t = d.as_secs_f64();
        if t <= limit {
            return Ok(Some(t));
        }
        let (o, d2) = self.read(lba, 1)?;
        Ok(matches!(o, ReadOutcome::Ok).then(|| t.min(d2.as_secs_f64())))
    }
}

/// Merges sorted LBAs into inclusive ranges.
pub fn ranges(lbas: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &l in lbas {
        match out.last_mut() {
            Some(r) if r.1.checked_add(1) == Some(l) => r.1 = l,
            Some(r) if r.1 == l => {}
            _ => out.push((l, l)),
        }
    }
    out
}

/// Scans `area`; `progress` is called after each chunk of the first pass.
pub fn scan<T: Transport>(
    drive: &mut Drive<T>,
    area: Area,
    opts: &ScanOptions,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(&ScanProgress),
) -> Result<ScanReport, RescueError> {
    let t0 = Instant::now();
    let chunk = chunk_blocks(drive, opts.max_blocks);
    let mut s = Scanner {
        drive,
        buf: vec![0u8; chunk as usize * BLOCK],
        chunk,
        reads: 0,
        samples: Vec::new(),
        bad: Vec::new(),
        stop,
    };
    // First pass: chunk by chunk, so progress can be shown between them.
    let mut interrupted = false;
    let mut lba = area.start;
    while lba < area.end() {
        let n = chunk.min(area.end() - lba);
        if s.span(lba, lba + n, true)? {
            interrupted = true;
            break;
        }
        lba += n;
        let last_rate = s.samples.last().map_or(0.0, Sample::rate_kbs);
        progress(&ScanProgress {
            lba,
            done_blocks: u64::from(lba - area.start),
            total_blocks: u64::from(area.blocks),
            bad_blocks: s.bad.len() as u64,
            rate_kbs: last_rate,
        });
    }
    let top: Vec<Sample> = s.samples.clone();
    let full: Vec<&Sample> = top.iter().filter(|x| x.ok && x.blocks == chunk).collect();
    let per_block: Vec<f64> = if full.is_empty() {
        top.iter()
            .filter(|x| x.ok)
            .map(|x| x.seconds / f64::from(x.blocks))
            .collect()
    } else {
        full.iter()
            .map(|x| x.seconds / f64::from(x.blocks))
            .collect()
    };
    let med_block = median(&mut per_block.clone());
    let mut rates: Vec<f64> = top.iter().filter(|x| x.ok).map(Sample::rate_kbs).collect();
    let median_rate_kbs = median(&mut rates.clone());
    rates.sort_by(f64::total_cmp);
    // Slow chunks, then the exact slow blocks in them.
    let mut slow_ranges = Vec::new();
    if !interrupted && med_block > 0.0 {
        let slow_chunks: Vec<Sample> = top
            .iter()
            .filter(|x| x.ok && x.seconds / f64::from(x.blocks) > opts.slow_factor * med_block)
            .copied()
            .collect();
        if !opts.refine {
            for c in &slow_chunks {
                slow_ranges.push(SlowRange {
                    first: c.lba,
                    last: c.lba + c.blocks - 1,
                    factor: c.seconds / f64::from(c.blocks) / med_block,
                });
            }
        } else if !slow_chunks.is_empty() {
            // Baseline: single-block reads in the median chunk.
            let mut by_time: Vec<&Sample> = top.iter().filter(|x| x.ok).collect();
            by_time.sort_by(|a, b| {
                (a.seconds / f64::from(a.blocks)).total_cmp(&(b.seconds / f64::from(b.blocks)))
            });
            let base_chunk = by_time[(by_time.len() - 1) / 2];
            let mut base = Vec::new();
            for i in 0..base_chunk.blocks.min(16) {
                if let Some(t) = s.block_time(base_chunk.lba + i, f64::INFINITY)? {
                    let t2 = s
                        .block_time(base_chunk.lba + i, f64::INFINITY)?
                        .unwrap_or(t);
                    base.push(t.min(t2));
                }
            }
            let baseline = median(&mut base);
            let limit = (opts.slow_factor * baseline).max(baseline + opts.min_slow.as_secs_f64());
            let mut slow: Vec<(u32, f64)> = Vec::new();
            for c in &slow_chunks {
                for l in c.lba..c.lba + c.blocks {
                    if stop.load(Ordering::Relaxed) {
                        interrupted = true;
                        break;
                    }
                    if let Some(t) = s.block_time(l, limit)? {
                        if t > limit {
                            slow.push((l, t));
                        }
                    }
                }
            }
            let lbas: Vec<u32> = slow.iter().map(|x| x.0).collect();
            for (a, b) in ranges(&lbas) {
                let ts: Vec<f64> = slow
                    .iter()
                    .filter(|x| x.0 >= a && x.0 <= b)
                    .map(|x| x.1)
                    .collect();
                let mean = ts.iter().sum::<f64>() / ts.len().max(1) as f64;
                slow_ranges.push(SlowRange {
                    first: a,
                    last: b,
                    factor: if baseline > 0.0 { mean / baseline } else { 0.0 },
                });
            }
        }
    }
    let mut bad = s.bad.clone();
    bad.sort_unstable();
    bad.dedup();
    Ok(ScanReport {
        area,
        bad_ranges: ranges(&bad),
        bad_blocks: bad.len() as u64,
        slow_ranges,
        median_rate_kbs,
        min_rate_kbs: rates.first().copied().unwrap_or(0.0),
        max_rate_kbs: rates.last().copied().unwrap_or(0.0),
        read_commands: s.reads,
        seconds: t0.elapsed().as_secs_f64(),
        interrupted,
        samples: top,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_ranges() {
        assert_eq!(ranges(&[1, 2, 3, 7, 9, 10]), vec![(1, 3), (7, 7), (9, 10)]);
        assert_eq!(ranges(&[]), vec![]);
    }
}
