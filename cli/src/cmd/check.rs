//! `discburn check`: a media scan. Reads the written area in chunks of the transport's
//! largest READ(10) (MMC-6 §6.16), timing each; reports the unreadable blocks, the slow
//! blocks (chunks far above the median time, re-read block by block), the speed curve and
//! the time taken (`mmc::rescue::scan`). `--plot FILE.svg|FILE.png` draws the transfer rate
//! over the LBA with unreadable ranges in red and slow ranges in orange (plotters; the PNG
//! has no text because the bitmap backend would need system fonts, the SVG is labelled).
//!
//! `--files` names the files and directories lying on the unreadable or slow blocks, in
//! every session's tree (`isofs::read` over the drive; extents as ECMA-119 §9.1 records
//! them), and the unreadable blocks no file covers.
//!
//! Exit status: 0 for a disc that reads in full, 1 when blocks are unreadable.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use mmc::rescue::{self, ScanOptions, ScanProgress, ScanReport};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use crate::args::GlobalArgs;
use crate::cmd::ls::Source;
use crate::cmd::open_drive;
use crate::cmd::read::{stop_flag, AreaArgs, ProgressLine};
use crate::error::CliError;
use crate::output::{self, Report};

/// `discburn check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// What to scan (default: every readable block).
    #[command(flatten)]
    pub area: AreaArgs,
    /// Draw the transfer rate over the disc into FILE (.svg or .png).
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    /// A chunk or block is slow when it takes this many times the median.
    #[arg(long, value_name = "X", default_value_t = 3.0)]
    pub slow_factor: f64,
    /// Largest READ in blocks (default: the transport's maximum transfer).
    #[arg(long, value_name = "BLOCKS", value_parser = clap::value_parser!(u32).range(1..=65535))]
    pub blocks: Option<u32>,
    /// Name the files (and directories) that lie on the unreadable or slow blocks found,
    /// in every session's tree (each session's ISO 9660 directory tree read from the disc).
    #[arg(long)]
    pub files: bool,
    /// No progress display.
    #[arg(short, long)]
    pub quiet: bool,
}

/// A file or directory with blocks among the unreadable or slow ones (`--files`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileOnBadBlocks {
    /// Its path in the sessions' trees.
    pub path: String,
    /// "file" or "directory".
    pub kind: &'static str,
    /// Sessions (1-based) whose trees hold it at these blocks.
    pub sessions: Vec<usize>,
    /// Its blocks (first, last; inclusive), all extents.
    pub blocks: Vec<(u32, u32)>,
    /// Its blocks that could not be read.
    pub unreadable: Vec<(u32, u32)>,
    /// Its blocks that read slowly.
    pub slow: Vec<(u32, u32)>,
}

/// What `--files` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FilesReport {
    /// Files and directories on unreadable or slow blocks, by path.
    pub files: Vec<FileOnBadBlocks>,
    /// Unreadable blocks no file or directory of any session covers (volume descriptors,
    /// path tables, checksum tags, padding, unrecorded space).
    pub unreadable_elsewhere: Vec<(u32, u32)>,
    /// Sessions whose tree could not be read whole (their files may be missing above).
    pub problems: Vec<String>,
}

/// The `check` report.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    /// The device as named.
    pub device: String,
    /// The plot written, if any.
    pub plot: Option<String>,
    /// The scan.
    #[serde(flatten)]
    pub scan: ScanReport,
    /// `--files`: what lies on the unreadable and slow blocks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<FilesReport>,
}

fn ranges_text(r: &[(u32, u32)]) -> String {
    r.iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inclusive block ranges.
type Ranges = Vec<(u32, u32)>;

/// `a` ∩ `b` for sorted, disjoint inclusive ranges.
fn intersect(a: &[(u32, u32)], b: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for &(x0, x1) in a {
        for &(y0, y1) in b {
            let (s, e) = (x0.max(y0), x1.min(y1));
            if s <= e {
                out.push((s, e));
            }
        }
    }
    merge(out)
}

/// Sorts and merges overlapping or adjacent inclusive ranges.
fn merge(mut r: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    r.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(r.len());
    for (a, b) in r {
        match out.last_mut() {
            Some(l) if a <= l.1.saturating_add(1) => l.1 = l.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// `a` minus `b` (sorted, disjoint inclusive ranges).
fn subtract(a: &[(u32, u32)], b: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for &(mut s, e) in a {
        let mut rest = true;
        for &(y0, y1) in b {
            if y1 < s || y0 > e {
                continue;
            }
            if y0 > s {
                out.push((s, y0 - 1));
            }
            if y1 >= e {
                rest = false;
                break;
            }
            s = y1 + 1;
        }
        if rest {
            out.push((s, e));
        }
    }
    out
}

/// The blocks (inclusive ranges) of an entry's extents (LBA, bytes); an empty extent has
/// none.
fn entry_blocks(extents: &[(u32, u32)]) -> Vec<(u32, u32)> {
    merge(
        extents
            .iter()
            .filter(|e| e.1 > 0)
            .map(|&(l, n)| (l, l.saturating_add(n.div_ceil(2048) - 1)))
            .collect(),
    )
}

/// (number, start) of every session: as the drive numbers them (READ TRACK INFORMATION's
/// session numbers, MMC-6 §6.27.3), so a session whose volume descriptors cannot be read
/// keeps its number; on media where the drive sees one session (overwritable media, where
/// sessions are emulated) from the volume descriptors chained by their volume space sizes.
fn session_starts(src: &mut Source, device: &str) -> Result<Vec<(usize, u32)>, CliError> {
    if let Source::Drive(d) = src {
        let mut v = Vec::new();
        for n in 1..=u16::MAX {
            match rescue::area::resolve(&mut **d, rescue::AreaSpec::Session(n)) {
                Ok(a) => v.push((usize::from(n), a.start)),
                Err(_) => break,
            }
        }
        if v.len() > 1 {
            return Ok(v);
        }
    }
    Ok(src
        .sessions(device)?
        .iter()
        .enumerate()
        .map(|(i, s)| (i + 1, s.start))
        .collect())
}

/// Maps the scan's unreadable and slow ranges to the files and directories of every
/// session's tree whose extents cover them (ECMA-119 §9.1.3, §9.1.4: a directory record's
/// extent location and data length; multi-extent files by all their records). A file
/// carried forward lies at the same blocks in each later session and is named once, with
/// every session that holds it.
fn files_on(src: &mut Source, device: &str, scan: &ScanReport) -> Result<FilesReport, CliError> {
    let bad = merge(scan.bad_ranges.clone());
    let slow = merge(scan.slow_ranges.iter().map(|r| (r.first, r.last)).collect());
    let mut report = FilesReport::default();
    let sessions = session_starts(src, device)?;
    // (path, blocks) -> index in report.files.
    let mut seen: BTreeMap<(String, Vec<(u32, u32)>), usize> = BTreeMap::new();
    let mut covered: Vec<(u32, u32)> = Vec::new();
    for &(number, start) in &sessions {
        let mut found: Vec<(String, bool, Ranges)> = Vec::new();
        let r = isofs::read::Volume::open(&mut *src, start, None).and_then(|mut vol| {
            let root = vol.root().clone();
            found.push(("/".into(), true, entry_blocks(&root.extents)));
            vol.walk(&root, &mut |p, e| {
                let path = if p.starts_with('/') {
                    p.to_string()
                } else {
                    format!("/{p}")
                };
                found.push((path, e.is_dir, entry_blocks(&e.extents)));
                Ok(())
            })
        });
        if let Err(e) = r {
            report.problems.push(format!(
                "session {number} at block {start}: its tree could not be read whole: {e}"
            ));
        }
        for (path, is_dir, blocks) in found {
            covered.extend_from_slice(&blocks);
            let unreadable = intersect(&blocks, &bad);
            let slow_here = intersect(&blocks, &slow);
            if unreadable.is_empty() && slow_here.is_empty() {
                continue;
            }
            let key = (path.clone(), blocks.clone());
            if let Some(&k) = seen.get(&key) {
                report.files[k].sessions.push(number);
                continue;
            }
            seen.insert(key, report.files.len());
            report.files.push(FileOnBadBlocks {
                path,
                kind: if is_dir { "directory" } else { "file" },
                sessions: vec![number],
                blocks,
                unreadable,
                slow: slow_here,
            });
        }
    }
    report
        .files
        .sort_by(|a, b| (&a.path, &a.blocks).cmp(&(&b.path, &b.blocks)));
    report.unreadable_elsewhere = subtract(&bad, &merge(covered));
    Ok(report)
}

impl Report for CheckReport {
    fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let s = &self.scan;
        writeln!(
            out,
            "scanned LBA {}..{} ({} blocks) of {} in {:.2} s, {} READ commands",
            s.area.start,
            s.area.end(),
            s.area.blocks,
            self.device,
            s.seconds,
            s.read_commands
        )?;
        writeln!(
            out,
            "rate: median {:.0} kB/s, min {:.0} kB/s, max {:.0} kB/s",
            s.median_rate_kbs, s.min_rate_kbs, s.max_rate_kbs
        )?;
        if s.bad_ranges.is_empty() {
            writeln!(out, "unreadable: none")?;
        } else {
            writeln!(out, "unreadable: {} blocks", s.bad_blocks)?;
            for (a, b) in &s.bad_ranges {
                writeln!(out, "  unreadable {a}-{b}")?;
            }
        }
        if s.slow_ranges.is_empty() {
            writeln!(out, "slow: none")?;
        } else {
            for r in &s.slow_ranges {
                writeln!(
                    out,
                    "  slow {}-{} ({:.1}x the block time)",
                    r.first, r.last, r.factor
                )?;
            }
        }
        writeln!(out, "speed curve (LBA: kB/s):")?;
        let step = (s.samples.len() / 20).max(1);
        for x in s.samples.iter().step_by(step) {
            writeln!(
                out,
                "  {:>9}: {:>9.0}{}",
                x.lba,
                x.rate_kbs(),
                if x.ok { "" } else { " unreadable" }
            )?;
        }
        if let Some(p) = &self.plot {
            writeln!(out, "plot: {p}")?;
        }
        if let Some(f) = &self.files {
            if f.files.is_empty() {
                writeln!(out, "files on unreadable or slow blocks: none")?;
            } else {
                writeln!(out, "files on unreadable or slow blocks:")?;
            }
            for x in &f.files {
                let sessions: Vec<String> = x.sessions.iter().map(|n| n.to_string()).collect();
                let mut what = Vec::new();
                if !x.unreadable.is_empty() {
                    what.push(format!("unreadable {}", ranges_text(&x.unreadable)));
                }
                if !x.slow.is_empty() {
                    what.push(format!("slow {}", ranges_text(&x.slow)));
                }
                writeln!(
                    out,
                    "  {}{} (session{} {}; blocks {}): {}",
                    output::escape_name(&x.path),
                    if x.kind == "directory" {
                        "/ (directory)"
                    } else {
                        ""
                    },
                    if sessions.len() > 1 { "s" } else { "" },
                    sessions.join(", "),
                    ranges_text(&x.blocks),
                    what.join("; ")
                )?;
            }
            if !f.unreadable_elsewhere.is_empty() {
                writeln!(
                    out,
                    "unreadable blocks in no file or directory: {}",
                    ranges_text(&f.unreadable_elsewhere)
                )?;
            }
            for p in &f.problems {
                writeln!(out, "warning: {p}")?;
            }
        }
        if s.interrupted {
            writeln!(out, "interrupted")?;
        }
        Ok(())
    }
}

/// Runs `discburn check`.
pub fn run(global: &GlobalArgs, a: &CheckArgs) -> Result<(), CliError> {
    if let Some(p) = &a.plot {
        plot_kind(p)?;
    }
    let (mut drive, device) = open_drive(global)?;
    let area = rescue::area::resolve(&mut drive, a.area.spec())
        .map_err(|e| CliError::Failed(e.to_string()))?;
    let opts = ScanOptions {
        max_blocks: a.blocks,
        slow_factor: a.slow_factor,
        ..ScanOptions::default()
    };
    let stop = stop_flag();
    let mut bar = ProgressLine::new(u64::from(area.blocks) * 2048, a.quiet);
    let scan = rescue::scan(&mut drive, area, &opts, &stop, &mut |p: &ScanProgress| {
        bar.show(
            p.done_blocks * 2048,
            p.total_blocks * 2048,
            &format!("{:.0} kB/s, {} unreadable", p.rate_kbs, p.bad_blocks),
        )
    })
    .map_err(|e| CliError::Failed(e.to_string()))?;
    bar.finish();
    if let Some(p) = &a.plot {
        draw(p, &scan).map_err(|e| CliError::Failed(format!("plot {}: {e}", p.display())))?;
    }
    let bad = scan.bad_blocks;
    let interrupted = scan.interrupted;
    let files = if a.files {
        let mut src = Source::Drive(Box::new(drive));
        Some(files_on(&mut src, &device, &scan)?)
    } else {
        None
    };
    let report = CheckReport {
        device,
        plot: a.plot.as_ref().map(|p| p.display().to_string()),
        scan,
        files,
    };
    output::emit(&report, global.json)?;
    if interrupted {
        return Err(CliError::Failed("interrupted".into()));
    }
    if bad > 0 {
        return Err(CliError::Failed(format!("{bad} blocks unreadable")));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlotKind {
    Svg,
    Png,
}

fn plot_kind(p: &Path) -> Result<PlotKind, CliError> {
    match p
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("svg") => Ok(PlotKind::Svg),
        Some("png") => Ok(PlotKind::Png),
        _ => Err(CliError::Usage(format!(
            "--plot {}: the file name must end in .svg or .png",
            p.display()
        ))),
    }
}

type PlotResult = Result<(), Box<dyn std::error::Error>>;

/// Draws the rate curve of `s` into `path`.
fn draw(path: &Path, s: &ScanReport) -> PlotResult {
    const SIZE: (u32, u32) = (1000, 500);
    match plot_kind(path).map_err(|e| e.to_string())? {
        PlotKind::Svg => {
            let root = SVGBackend::new(path, SIZE).into_drawing_area();
            draw_on(root, s, true)
        }
        PlotKind::Png => {
            let root = BitMapBackend::new(path, SIZE).into_drawing_area();
            draw_on(root, s, false)
        }
    }
}

fn draw_on<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    s: &ScanReport,
    text: bool,
) -> PlotResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let x0 = f64::from(s.area.start);
    let x1 = f64::from(s.area.end()).max(x0 + 1.0);
    let ymax = s.max_rate_kbs.max(1.0) * 1.1;
    let mut b = ChartBuilder::on(&root);
    b.margin(15);
    if text {
        b.caption("transfer rate over the disc", ("sans-serif", 22))
            .x_label_area_size(40)
            .y_label_area_size(70);
    }
    let mut chart = b.build_cartesian_2d(x0..x1, 0f64..ymax)?;
    if text {
        chart.configure_mesh().x_desc("LBA").y_desc("kB/s").draw()?;
    } else {
        chart
            .configure_mesh()
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&|_| String::new())
            .draw()?;
    }
    let orange = RGBColor(255, 165, 0);
    chart.draw_series(s.slow_ranges.iter().map(|r| {
        Rectangle::new(
            [(f64::from(r.first), 0.0), (f64::from(r.last) + 1.0, ymax)],
            orange.mix(0.35).filled(),
        )
    }))?;
    chart.draw_series(s.bad_ranges.iter().map(|&(a, b)| {
        Rectangle::new(
            [(f64::from(a), 0.0), (f64::from(b) + 1.0, ymax)],
            RED.filled(),
        )
    }))?;
    // The curve: one point per chunk at its middle, 0 for a failed chunk.
    let mut pts: Vec<(f64, f64)> = s
        .samples
        .iter()
        .map(|x| (f64::from(x.lba) + f64::from(x.blocks) / 2.0, x.rate_kbs()))
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    chart.draw_series(LineSeries::new(pts, BLUE.stroke_width(2)))?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_arithmetic() {
        assert_eq!(
            merge(vec![(5, 9), (1, 2), (3, 3), (20, 30)]),
            [(1, 3), (5, 9), (20, 30)]
        );
        assert_eq!(
            intersect(&[(0, 10), (20, 30)], &[(5, 25)]),
            [(5, 10), (20, 25)]
        );
        assert_eq!(subtract(&[(0, 10)], &[(2, 3), (8, 20)]), [(0, 1), (4, 7)]);
        assert_eq!(subtract(&[(0, u32::MAX)], &[(1, u32::MAX)]), [(0, 0)]);
        assert_eq!(subtract(&[(4, 6)], &[(0, 3)]), [(4, 6)]);
        assert_eq!(
            entry_blocks(&[(100, 2049), (200, 0), (300, 2048)]),
            [(100, 101), (300, 300)]
        );
    }
}
