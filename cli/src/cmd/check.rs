//! `discburn check`: a media scan. Reads the written area in chunks of the transport's
//! largest READ(10) (MMC-6 §6.16), timing each; reports the unreadable blocks, the slow
//! blocks (chunks far above the median time, re-read block by block), the speed curve and
//! the time taken (`mmc::rescue::scan`). `--plot FILE.svg|FILE.png` draws the transfer rate
//! over the LBA with unreadable ranges in red and slow ranges in orange (plotters; the PNG
//! has no text because the bitmap backend would need system fonts, the SVG is labelled).
//!
//! Exit status: 0 for a disc that reads in full, 1 when blocks are unreadable.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use mmc::rescue::{self, ScanOptions, ScanProgress, ScanReport};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use crate::args::GlobalArgs;
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
    /// No progress display.
    #[arg(short, long)]
    pub quiet: bool,
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
    let report = CheckReport {
        device,
        plot: a.plot.as_ref().map(|p| p.display().to_string()),
        scan,
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
