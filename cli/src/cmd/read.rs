//! `discburn read`: dump sectors of a disc to an image (or stdout) with large READ(10)
//! transfers (MMC-6 §6.16), splitting and retrying failing reads, zero-filling what stays
//! unreadable and recording it in a GNU ddrescue mapfile (`mmc::rescue::dump`). A second
//! run with the same `--map` reads only what is not finished; an interrupted run (Ctrl-C,
//! SIGTERM, or even SIGKILL) leaves an image and a map from which a rerun completes.
//!
//! `--all` covers every block up to READ CAPACITY; on a multisession CD that includes the
//! lead-out/lead-in gaps between sessions, which no drive reads: they show as unreadable.
//! `--session N` and `--track N` end at the track's last recorded address (without the
//! run-out blocks of a CD-R track).
//!
//! `--audio` rips CD-DA instead (`mmc::audio::rip`: READ CD, 2352-byte sectors, failing
//! sectors split out, retried and zero-filled): `--track N` from its index 1 to the next
//! track's as cdparanoia does, or `--range`; a WAVE file when the output ends in `.wav`
//! (or with `--wav`), raw little-endian CD-DA otherwise. With the drive's C2 error
//! pointers (asked for when it reports them, unless `--no-c2`), a sector delivered with C2
//! errors is retried and, when they stay, kept as delivered and counted bad. The `--map`
//! is the same GNU ddrescue mapfile as for data, in bytes of 2352-byte sectors (sector N
//! at N x 2352): a rerun with it reads only the sectors not finished.
//!
//! `--repair` rebuilds a session written with `add --ecc` (`cmd::repair`).
//!
//! Exit status: 0 when every block was read, 1 when blocks stay unreadable (the image and
//! map are complete otherwise) or the run was interrupted.

use std::fs::OpenOptions;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use clap::Args;
use mmc::rescue::{self, AreaSpec, DumpOptions, DumpProgress, DumpReport, Output};
use serde::Serialize;

use crate::args::GlobalArgs;
use crate::cmd::{open_drive, CliDrive};
use crate::error::CliError;
use crate::output::{self, Report};

/// Which blocks to read (one of; default `--all`).
#[derive(Debug, Clone, Args)]
pub struct AreaArgs {
    /// One session (1-based).
    #[arg(long, value_name = "N", conflicts_with_all = ["track", "range", "all"])]
    pub session: Option<u16>,
    /// One track (1-based).
    #[arg(long, value_name = "N", conflicts_with_all = ["range", "all"])]
    pub track: Option<u16>,
    /// Blocks A to B, both included (decimal LBAs).
    #[arg(long, value_name = "A-B", value_parser = parse_range, conflicts_with = "all")]
    pub range: Option<(u32, u32)>,
    /// Every readable block (READ CAPACITY); the default.
    #[arg(long)]
    pub all: bool,
}

impl AreaArgs {
    /// The area named.
    pub fn spec(&self) -> AreaSpec {
        if let Some(s) = self.session {
            AreaSpec::Session(s)
        } else if let Some(t) = self.track {
            AreaSpec::Track(t)
        } else if let Some((a, b)) = self.range {
            AreaSpec::Range(a, b)
        } else {
            AreaSpec::All
        }
    }
}

/// Parses `A-B` (inclusive LBAs).
pub fn parse_range(s: &str) -> Result<(u32, u32), String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("'{s}': expected A-B, e.g. 0-9999"))?;
    let a: u32 = a
        .trim()
        .parse()
        .map_err(|_| format!("'{a}' is not an LBA"))?;
    let b: u32 = b
        .trim()
        .parse()
        .map_err(|_| format!("'{b}' is not an LBA"))?;
    if b < a {
        return Err(format!("'{s}': the range ends before it starts"));
    }
    Ok((a, b))
}

/// `discburn read`.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// What to read.
    #[command(flatten)]
    pub area: AreaArgs,
    /// The image file (`-`: stdout); an existing file is continued, not truncated.
    #[arg(short = 'o', long, value_name = "FILE", allow_hyphen_values = true)]
    pub output: PathBuf,
    /// GNU ddrescue mapfile: read only what it says is unfinished, keep it up to date.
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Extra single-block attempts for each block that fails.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub retries: u32,
    /// Largest READ in blocks (default: the transport's maximum transfer).
    #[arg(long, value_name = "BLOCKS", value_parser = clap::value_parser!(u32).range(1..=65535))]
    pub blocks: Option<u32>,
    /// Rip CD-DA (READ CD, 2352-byte sectors) of --track N or --range A-B: a WAVE file
    /// when the output ends in .wav (or with --wav), raw little-endian samples otherwise.
    #[arg(long, conflicts_with_all = ["session", "all"])]
    pub audio: bool,
    /// With --audio: write a WAVE file whatever the output's name (e.g. on stdout).
    #[arg(long, requires = "audio")]
    pub wav: bool,
    /// With --audio: do not ask for C2 error pointers even when the drive reports them
    /// (a sector is then bad only when the drive fails to read it).
    #[arg(long, requires = "audio")]
    pub no_c2: bool,
    /// Rebuild a session written with `add --ecc` from its Reed-Solomon repair data (see
    /// `cmd::repair`): --session N (default: the last); the map defaults to FILE.map.
    #[arg(long, conflicts_with = "audio")]
    pub repair: bool,
    /// No progress display.
    #[arg(short, long)]
    pub quiet: bool,
}

/// What `read --audio` did.
#[derive(Debug, Serialize)]
pub struct RipOutput {
    /// The device as named.
    pub device: String,
    /// The output file (`-` for stdout).
    pub output: String,
    /// `wav` or `raw`.
    pub format: &'static str,
    /// The mapfile, if any.
    pub map: Option<String>,
    /// The track, when one was named.
    pub track: Option<mmc::audio::rip::TrackSpan>,
    /// The drive's C2 error pointers were asked for.
    pub c2: bool,
    /// What the rip did.
    #[serde(flatten)]
    pub dump: DumpReport,
}

impl Report for RipOutput {
    fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let d = &self.dump;
        writeln!(
            out,
            "ripped {}LBA {}..{} ({} CD-DA sectors, {}) from {} to {} ({}); {} sectors read \
             with {} READ CD commands{} in {:.2} s",
            self.track
                .map(|t| format!("track {} ", t.number))
                .unwrap_or_default(),
            d.area.start,
            d.area.end(),
            d.area.blocks,
            crate::cmd::msf_text(i64::from(d.area.blocks) - 150),
            self.device,
            self.output,
            self.format,
            d.blocks_read,
            d.read_commands,
            if self.c2 { " (C2 error pointers)" } else { "" },
            d.seconds
        )?;
        if d.bad_ranges.is_empty() {
            writeln!(out, "no unreadable sectors")?;
        } else {
            writeln!(
                out,
                "{} unreadable sectors in {} ranges ({} of them with C2 errors, kept as \
                 the drive delivered them; the rest zero-filled):",
                d.bad_blocks,
                d.bad_ranges.len(),
                d.c2_blocks
            )?;
            for (a, b) in &d.bad_ranges {
                writeln!(out, "  {a}-{b}")?;
            }
        }
        if let Some(m) = &self.map {
            writeln!(out, "map: {m}")?;
        }
        if d.interrupted {
            writeln!(out, "interrupted: run again with the same --map to finish")?;
        }
        Ok(())
    }
}

/// `read --audio`: the dump of `mmc::rescue` with CD-DA sectors.
fn run_audio(global: &GlobalArgs, a: &ReadArgs) -> Result<(), CliError> {
    use mmc::audio::rip;
    let (mut drive, device) = open_drive(global)?;
    let fail = |e: mmc::audio::AudioError| CliError::Failed(e.to_string());
    let (track, start, sectors) = if let Some(n) = a.area.track {
        let n = u8::try_from(n)
            .map_err(|_| CliError::Usage(format!("--track {n}: a CD has tracks 1 to 99")))?;
        let t = rip::track_span(&mut drive, n).map_err(fail)?;
        if t.control & 0x04 != 0 {
            return Err(CliError::Failed(format!(
                "track {n} is a data track (CONTROL {:X}h): read it without --audio",
                t.control
            )));
        }
        (Some(t), t.start, t.end - t.start)
    } else if let Some((s, e)) = a.area.range {
        (None, s, e - s + 1)
    } else {
        return Err(CliError::Usage(
            "--audio reads one track (--track N) or a range (--range A-B)".into(),
        ));
    };
    let wav = a.wav
        || a.output
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("wav"));
    let to_stdout = a.output.as_os_str() == "-";
    let c2 = !a.no_c2 && rescue::drive_reports_c2(&mut drive);
    let header = if wav {
        rip::wav_header(u64::from(sectors) * 2352)
            .map_err(fail)?
            .to_vec()
    } else {
        Vec::new()
    };
    let opts = DumpOptions {
        retries: a.retries,
        max_blocks: a.blocks,
        map: a.map.clone(),
        comments: vec![
            format!(
                "Mapfile of CD-DA sectors (2352 bytes). Created by discburn version {}",
                env!("CARGO_PKG_VERSION")
            ),
            format!("Device: {device}"),
        ],
        sectors: rescue::SectorKind::CdDa { c2 },
        offset: header.len() as u64,
        ..DumpOptions::default()
    };
    let area = rescue::Area {
        start,
        blocks: sectors,
    };
    let out_err = |e: io::Error| CliError::Failed(format!("{}: {e}", a.output.display()));
    let stop = stop_flag();
    let total = u64::from(sectors) * 2352;
    let mut bar = ProgressLine::new(total, a.quiet);
    let mut cb = |p: &DumpProgress| {
        bar.show(
            p.done_bytes,
            p.total_bytes,
            &format!("CD-DA LBA {}, {} bad", p.lba, p.bad_blocks),
        )
    };
    let r = if to_stdout {
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        lock.write_all(&header).map_err(out_err)?;
        rescue::dump(
            &mut drive,
            area,
            Output::Stream(&mut lock),
            &opts,
            &stop,
            &mut cb,
        )
    } else {
        // a rip continued from its map keeps what the file holds; a fresh one starts over
        let resume = a.map.as_ref().is_some_and(|m| m.exists());
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(!resume)
            .open(&a.output)
            .map_err(out_err)?;
        f.write_all(&header).map_err(out_err)?;
        rescue::dump(
            &mut drive,
            area,
            Output::File(&mut f),
            &opts,
            &stop,
            &mut cb,
        )
    };
    bar.finish();
    let dump = r.map_err(|e| CliError::Failed(e.to_string()))?;
    let report = RipOutput {
        device,
        output: a.output.display().to_string(),
        format: if wav { "wav" } else { "raw" },
        map: a.map.as_ref().map(|p| p.display().to_string()),
        track,
        c2,
        dump,
    };
    if to_stdout {
        let mut e = io::stderr();
        if global.json {
            let _ = serde_json::to_writer_pretty(&mut e, &report);
            let _ = writeln!(e);
        } else {
            report.write_text(&mut e)?;
        }
    } else {
        output::emit(&report, global.json)?;
    }
    finish_status(&report.dump, a.map.as_deref())
}

/// The `read` report.
#[derive(Debug, Serialize)]
pub struct ReadReport {
    /// The device as named.
    pub device: String,
    /// The image file (`-` for stdout).
    pub output: String,
    /// The mapfile, if any.
    pub map: Option<String>,
    /// What the dump did.
    #[serde(flatten)]
    pub dump: DumpReport,
}

impl Report for ReadReport {
    fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let d = &self.dump;
        writeln!(
            out,
            "read LBA {}..{} ({} blocks) from {} to {}",
            d.area.start,
            d.area.end(),
            d.area.blocks,
            self.device,
            self.output
        )?;
        writeln!(
            out,
            "{} blocks read with {} READ commands in {:.2} s",
            d.blocks_read, d.read_commands, d.seconds
        )?;
        if d.bad_ranges.is_empty() {
            writeln!(out, "no unreadable blocks")?;
        } else {
            writeln!(
                out,
                "{} unreadable blocks (zero-filled) in {} ranges:",
                d.bad_blocks,
                d.bad_ranges.len()
            )?;
            for (a, b) in &d.bad_ranges {
                writeln!(out, "  {a}-{b}")?;
            }
        }
        if let Some(m) = &self.map {
            writeln!(out, "map: {m}")?;
        }
        if d.interrupted {
            writeln!(out, "interrupted: run again with the same --map to finish")?;
        }
        Ok(())
    }
}

/// The stop flag, set by Ctrl-C and SIGTERM (the map is saved before the run ends).
pub fn stop_flag() -> std::sync::Arc<AtomicBool> {
    crate::job::interrupt_flag()
}

/// Progress on stderr: an indicatif bar on a terminal, else a plain line a second.
pub struct ProgressLine {
    bar: Option<indicatif::ProgressBar>,
    last: Instant,
    start: Instant,
    quiet: bool,
}

impl std::fmt::Debug for ProgressLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgressLine").finish_non_exhaustive()
    }
}

impl ProgressLine {
    /// A display for `total` bytes.
    pub fn new(total: u64, quiet: bool) -> Self {
        let bar = (!quiet && io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::new(total);
            if let Ok(st) = indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {msg} eta {eta}",
            ) {
                b.set_style(st);
            }
            b
        });
        ProgressLine {
            bar,
            last: Instant::now(),
            start: Instant::now(),
            quiet,
        }
    }

    /// Shows `done` of `total` bytes with a note.
    pub fn show(&mut self, done: u64, total: u64, note: &str) {
        if let Some(b) = &self.bar {
            b.set_position(done);
            b.set_message(note.to_string());
            return;
        }
        if self.quiet || self.last.elapsed() < Duration::from_secs(1) {
            return;
        }
        self.last = Instant::now();
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        eprintln!(
            "{:.1} of {:.1} MB ({:.0}%), {:.2} MB/s, {note}",
            done as f64 / 1e6,
            total as f64 / 1e6,
            if total > 0 {
                done as f64 * 100.0 / total as f64
            } else {
                100.0
            },
            done as f64 / 1e6 / secs
        );
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Dumps with the options given; shared by `read` and the `readcd` personality.
pub fn run_dump(
    drive: &mut CliDrive,
    spec: AreaSpec,
    output: &Path,
    opts: &DumpOptions,
    quiet: bool,
) -> Result<DumpReport, CliError> {
    let area = rescue::area::resolve(drive, spec).map_err(|e| CliError::Failed(e.to_string()))?;
    let stop = stop_flag();
    let mut bar = ProgressLine::new(u64::from(area.blocks) * 2048, quiet);
    let mut cb = |p: &DumpProgress| {
        bar.show(
            p.done_bytes,
            p.total_bytes,
            &format!("LBA {}, {} bad", p.lba, p.bad_blocks),
        )
    };
    let r = if output.as_os_str() == "-" {
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        rescue::dump(drive, area, Output::Stream(&mut lock), opts, &stop, &mut cb)
    } else {
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(output)
            .map_err(|e| CliError::Failed(format!("{}: {e}", output.display())))?;
        rescue::dump(drive, area, Output::File(&mut f), opts, &stop, &mut cb)
    };
    bar.finish();
    r.map_err(|e| CliError::Failed(e.to_string()))
}

/// Runs `discburn read`.
pub fn run(global: &GlobalArgs, a: &ReadArgs) -> Result<(), CliError> {
    if a.audio {
        return run_audio(global, a);
    }
    if a.repair {
        return crate::cmd::repair::run(global, a);
    }
    let (mut drive, device) = open_drive(global)?;
    let opts = DumpOptions {
        retries: a.retries,
        max_blocks: a.blocks,
        map: a.map.clone(),
        comments: vec![
            format!(
                "Mapfile. Created by discburn version {}",
                env!("CARGO_PKG_VERSION")
            ),
            format!("Device: {device}"),
        ],
        ..DumpOptions::default()
    };
    let to_stdout = a.output.as_os_str() == "-";
    let dump = run_dump(&mut drive, a.area.spec(), &a.output, &opts, a.quiet)?;
    let report = ReadReport {
        device,
        output: a.output.display().to_string(),
        map: a.map.as_ref().map(|p| p.display().to_string()),
        dump,
    };
    if to_stdout {
        // stdout carries the image: the report goes to stderr.
        let mut e = io::stderr();
        if global.json {
            let _ = serde_json::to_writer_pretty(&mut e, &report);
            let _ = writeln!(e);
        } else {
            report.write_text(&mut e)?;
        }
    } else {
        output::emit(&report, global.json)?;
    }
    finish_status(&report.dump, a.map.as_deref())
}

/// The exit status of a dump: interrupted or incomplete runs fail.
pub fn finish_status(d: &DumpReport, map: Option<&Path>) -> Result<(), CliError> {
    let again = match map {
        Some(m) => format!("; run again with --map {} to retry them", m.display()),
        None => String::new(),
    };
    if d.interrupted {
        return Err(CliError::Failed(format!("interrupted{again}")));
    }
    if d.bad_blocks > 0 && d.c2_blocks > 0 {
        return Err(CliError::Failed(format!(
            "{} blocks unreadable ({} with C2 errors, kept as the drive delivered them; the \
             rest zero-filled){again}",
            d.bad_blocks, d.c2_blocks
        )));
    }
    if d.bad_blocks > 0 {
        return Err(CliError::Failed(format!(
            "{} blocks unreadable, zero-filled in the image{again}",
            d.bad_blocks
        )));
    }
    Ok(())
}
