//! `discburn burn [--multi] [--dummy] [--sao] [--speed N] [--eject] IMAGE|-`: writes an
//! image (a file, or standard input) as one session with the write path of `mmc::write`
//! (MMC-6 §4.2 ff.), through the FIFO pipeline. Also the core of the cdrecord personality's
//! track writing, and the device checks every writing command shares (device type, mounts).
//!
//! On DVD+RW and BD-RE an image made for the next writable address (mkisofs -C) is
//! appended; any other image replaces the contents from block 0 (growisofs -Z), which is
//! refused while the disc holds sessions or other data unless `--force` (cdrecord `-force`).

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use mmc::drive::{Drive, BLOCK};
use mmc::job::burn::{BurnError, BurnOptions, BurnReport};
use mmc::write::{self, WriteMode};
use transport::DevSpec;

use crate::args::{BurnArgs, GlobalArgs};
use crate::cmd::CliDrive;
use crate::device;
use crate::error::CliError;
use crate::job as cli_job;
use crate::progress::Mode;
use mmc::job::pipeline;

/// Opens the device for writing: resolves it, refuses a mounted one unless `force`, and
/// opens it exclusively so no second writer can interleave (with `force` an OS device is
/// opened shared, the emulated drive still takes its writer lock: [`device::open_writer`]).
pub fn open_for_writing(
    dev: Option<&str>,
    trace: u8,
    force: bool,
) -> Result<(DevSpec, CliDrive), CliError> {
    let spec = device::resolve(dev)?;
    if !force {
        check_not_mounted(&spec)?;
    }
    let t = device::open_writer(&spec, trace, force)?;
    Ok((spec, Drive::new(t)))
}

/// Refuses a device whose block node (Linux: /dev/srN) is in /proc/self/mounts.
pub fn check_not_mounted(spec: &DevSpec) -> Result<(), CliError> {
    let Some(node) = block_node(spec) else {
        return Ok(());
    };
    let Ok(mounts) = std::fs::read_to_string("/proc/self/mounts") else {
        return Ok(());
    };
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let want = canon(&node);
    for line in mounts.lines() {
        let mut f = line.split_whitespace();
        let (Some(src), Some(at)) = (f.next(), f.next()) else {
            continue;
        };
        if src.starts_with('/') && canon(Path::new(src)) == want {
            return Err(CliError::Failed(format!(
                "{} is mounted on {at}: unmount it first (or give --force)",
                node.display()
            )));
        }
    }
    Ok(())
}

fn block_node(spec: &DevSpec) -> Option<PathBuf> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    match spec {
        DevSpec::Emu { .. } => None,
        DevSpec::Path(p) => {
            let name = p.file_name()?.to_string_lossy().to_string();
            if name.starts_with("sr") || name.starts_with("scd") || name == "cdrom" {
                return Some(p.clone());
            }
            let entries = transport::scan().ok()?;
            entries
                .into_iter()
                .find(|e| e.sg_path.as_deref() == Some(p.as_path()))
                .and_then(|e| e.block_path)
        }
        DevSpec::Btl { bus, target, lun } => {
            let entries = transport::scan().ok()?;
            entries
                .into_iter()
                .find(|e| e.bus == *bus && e.target == *target && e.lun == *lun)
                .and_then(|e| e.block_path)
        }
    }
}

/// Parses a size with an optional k/m/g suffix (cdrecord's fs= and tsize=; `s` = 2048-byte
/// sectors as cdrecord's tsize= takes them).
pub fn parse_size(s: &str) -> Result<u64, CliError> {
    let t = s.trim();
    let (num, mul) = match t.chars().last().map(|c| c.to_ascii_lowercase()) {
        Some('k') => (&t[..t.len() - 1], 1024u64),
        Some('m') => (&t[..t.len() - 1], 1024 * 1024),
        Some('g') => (&t[..t.len() - 1], 1024 * 1024 * 1024),
        Some('s') => (&t[..t.len() - 1], BLOCK as u64),
        _ => (t, 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mul))
        .ok_or_else(|| {
            CliError::Usage(format!(
                "bad size {s:?}: expected e.g. 4m, 650000k, 333000s"
            ))
        })
}

/// Where the image comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file.
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
}

/// A burn to do.
#[derive(Debug, Clone)]
pub struct BurnJob {
    /// Device string.
    pub dev: Option<String>,
    /// Trace level.
    pub trace: u8,
    /// The image.
    pub input: Input,
    /// Leave the disc appendable.
    pub multi: bool,
    /// Test write.
    pub dummy: bool,
    /// Speed in x.
    pub speed_x: Option<f64>,
    /// Eject afterwards.
    pub eject: bool,
    /// Write even while mounted.
    pub force: bool,
    /// FIFO size.
    pub fifo_size: usize,
    /// Announced size in bytes (standard input).
    pub tsize: Option<u64>,
    /// Write type.
    pub mode: WriteMode,
    /// Buffer-underrun protection.
    pub bufe: bool,
    /// Verify by reading back.
    pub verify: bool,
    /// Also hash the read-back with MD5 (`--verify-md5`).
    pub verify_md5: bool,
    /// Zeroes after the image, once it is padded to a whole block (cdrecord `-pad`,
    /// `padsize=`); 0 for none.
    pub pad_bytes: u64,
    /// Standard input: wait for its first bytes before opening the drive (cdrecord
    /// `-waiti`, so that mkisofs -M can read the drive first).
    pub wait_input: bool,
    /// Progress display.
    pub progress: Mode,
    /// No progress.
    pub quiet: bool,
    /// Reed-Solomon repair data after the image (`--ecc PERCENT`).
    pub ecc_percent: Option<u32>,
}

/// What a burn did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BurnSummary {
    /// Device.
    pub device: String,
    /// Medium.
    pub medium: String,
    /// First block of the session.
    pub start: u32,
    /// Blocks written.
    pub blocks: u32,
    /// Session number (0: unknown).
    pub session: u16,
    /// Appendable afterwards.
    pub appendable: bool,
    /// Test write.
    pub dummy: bool,
    /// MD5 of what was sent (the image, zero-padded to a whole block).
    pub md5: String,
    /// Read back and found equal to what was sent.
    pub verified: bool,
    /// `--verify-md5`: MD5 of the session as read back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_back_md5: Option<String>,
    /// Blocks left after the session.
    pub blocks_left: u64,
    /// Seconds writing.
    pub seconds: f64,
    /// Lowest FIFO fill (%).
    pub fifo_min_percent: u8,
    /// `--ecc`: the repair data after the image (`blocks` counts it too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecc: Option<mmc::job::append::EccReport>,
}

/// True when `burn`'s arguments make an audio (or mixed) CD rather than one data session.
fn is_audio_burn(a: &BurnArgs) -> bool {
    a.cue.is_some()
        || a.audio
        || a.images.len() > 1
        || a.images.iter().any(|p| super::audio::is_wave(p))
}

/// `burn --cue` / `burn --audio FILE...`: the plan, then [`super::audio::burn`].
fn run_audio(global: &GlobalArgs, a: &BurnArgs) -> Result<(), CliError> {
    use mmc::audio::{Cue, Plan, PlanOptions, TrackFile, TrackMode};
    let fail = |e: mmc::audio::AudioError| CliError::Failed(format!("{e}; nothing was written"));
    let opts = PlanOptions {
        pad: a.pad,
        swab: a.big_endian,
    };
    let mut plan = if let Some(cue) = &a.cue {
        Plan::from_cue(&Cue::read(cue).map_err(fail)?, opts).map_err(fail)?
    } else {
        if a.images.iter().any(|p| p.as_os_str() == "-") {
            return Err(CliError::Usage(
                "audio tracks are read from files: standard input (-) is not implemented for them"
                    .into(),
            ));
        }
        let files: Vec<TrackFile> = a
            .images
            .iter()
            .map(|p| TrackFile {
                path: p.clone(),
                mode: if a.audio || super::audio::is_wave(p) {
                    TrackMode::Audio
                } else {
                    TrackMode::Mode1
                },
                flags: Default::default(),
                isrc: None,
                text: Default::default(),
                pad_sectors: 0,
            })
            .collect();
        Plan::from_files(&files, opts).map_err(fail)?
    };
    if let Some(m) = &a.mcn {
        plan.mcn = Some(mmc::audio::cue::parse_mcn(m).ok_or_else(|| {
            CliError::Usage(format!("--mcn {m:?}: a media catalog number is 13 digits"))
        })?);
    }
    if a.shorttrack && a.tao {
        return Err(CliError::Usage(
            "--shorttrack works session-at-once only (a drive writing track-at-once needs 4-s tracks)"
                .into(),
        ));
    }
    let job = super::audio::AudioJob {
        dev: global.dev.clone(),
        trace: global.verbose.saturating_sub(1),
        force: a.common.force,
        eject: a.common.eject,
        opts: mmc::audio::AudioBurnOptions {
            sao: !a.tao,
            dummy: a.dummy,
            multi: a.multi,
            text: !a.no_text,
            shorttrack: a.shorttrack,
            swab: false,
            write_kbs: a
                .common
                .speed
                .map(|x| (x * 176.4).round().min(65_534.0) as u16),
        },
        quiet: a.common.quiet,
        verify: !a.common.no_verify,
    };
    let s = super::audio::burn(&job, &mut plan)?;
    super::audio::print_summary(&s, global.json)
}

/// Runs `burn`.
pub fn run(global: &GlobalArgs, a: &BurnArgs) -> Result<(), CliError> {
    if is_audio_burn(a) {
        return run_audio(global, a);
    }
    for (flag, set) in [
        ("--pad", a.pad),
        ("--big-endian", a.big_endian),
        ("--shorttrack", a.shorttrack),
        ("--no-text", a.no_text),
        ("--mcn", a.mcn.is_some()),
    ] {
        if set {
            return Err(CliError::Usage(format!(
                "{flag} is for audio tracks: give --audio (or WAVE files, or --cue)"
            )));
        }
    }
    let Some(image) = a.images.first() else {
        return Err(CliError::Usage("no image to burn".into()));
    };
    let job = BurnJob {
        dev: global.dev.clone(),
        trace: global.verbose.saturating_sub(1),
        input: if image.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::File(image.clone())
        },
        multi: a.multi,
        dummy: a.dummy,
        speed_x: a.common.speed,
        eject: a.common.eject,
        force: a.common.force,
        fifo_size: match &a.common.fifo_size {
            Some(s) => parse_size(s)? as usize,
            None => cli_job::DEFAULT_FIFO,
        },
        tsize: a.tsize.as_deref().map(parse_size).transpose()?,
        mode: if a.sao {
            WriteMode::Sao
        } else if a.tao {
            WriteMode::Tao
        } else {
            WriteMode::Auto
        },
        bufe: true,
        verify: !a.common.no_verify && !a.dummy,
        verify_md5: a.common.verify_md5,
        pad_bytes: 0,
        wait_input: false,
        progress: Mode::detect(global.json),
        quiet: a.common.quiet,
        ecc_percent: a.ecc,
    };
    if global.devs.len() > 1 {
        return super::many::burn(global, &job);
    }
    let s = burn(&job)?;
    print_summary(&s, global.json)
}

/// Prints a burn summary (text or JSON) on stdout.
pub fn print_summary(s: &BurnSummary, json: bool) -> Result<(), CliError> {
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(s).map_err(|e| CliError::Failed(e.to_string()))?
        );
    } else {
        outln!("{}", summary_line(s));
        if let Some(l) = ecc_line(s) {
            outln!("{l}");
        }
    }
    Ok(())
}

/// The line about the repair data written after the image (`--ecc`), if any.
pub(crate) fn ecc_line(s: &BurnSummary) -> Option<String> {
    s.ecc.as_ref().map(|e| {
        format!(
            "repair data: {} % = {} parity blocks in {} codewords after the image's {} blocks (header at block {}); `discburn read --repair` restores the image",
            e.percent, e.parity_blocks, e.codewords, e.session_blocks, e.header_lba
        )
    })
}

/// `burn`'s summary line.
pub(crate) fn summary_line(s: &BurnSummary) -> String {
    format!(
            "{}{} blocks ({:.1} MB) written at block {} of the {} in {:.1} s{}; disc {}; {} blocks left",
            if s.dummy { "test write: " } else { "" },
            s.blocks,
            f64::from(s.blocks) * BLOCK as f64 / 1e6,
            s.start,
            s.medium,
            s.seconds,
            if s.verified { ", verified (MD5 ".to_string() + &s.md5 + ")" } else { String::new() },
            if s.dummy {
                "unchanged (test write)"
            } else if s.appendable {
                "appendable"
            } else {
                "closed"
            },
            s.blocks_left
        )
}

/// The message for a [`BurnError`]: the library's words, the options that would change
/// the outcome, and the disc state where something may have been written.
pub(crate) fn burn_failure(drive: &mut CliDrive, e: &BurnError) -> String {
    match e {
        BurnError::Disc(w) | BurnError::Prepare(w) => cli_job::refusal_message(drive, w),
        BurnError::Unfinished { .. } => format!(
            "{e}. `discburn add` closes it and continues from the last complete session; \
             nothing was written; disc state: {}",
            write::disc_state(drive)
        ),
        BurnError::HoldsData { .. } => {
            format!("{e}; give --force (cdrecord: -force) to replace it; nothing was written")
        }
        BurnError::HoldsSessions { .. } => {
            format!("{e}; give --force (cdrecord: -force) to replace them; nothing was written")
        }
        BurnError::SessionsUnreadable { .. } => {
            format!("{e}; give --force (cdrecord: -force) to write it anyway; nothing was written")
        }
        BurnError::Write(f) => cli_job::failure_message(drive, f),
        BurnError::ReadBack { uncommitted, .. } | BurnError::Differ { uncommitted, .. } => {
            cli_job::verify_failure(drive, *uncommitted, &e.to_string())
        }
        BurnError::Commit(w) => cli_job::commit_failure(drive, w),
        other => other.to_string(),
    }
}

/// Burns an image: the core of `burn` and of the cdrecord personality.
pub fn burn(job: &BurnJob) -> Result<BurnSummary, CliError> {
    burn_placed(job, None)
}

/// [`burn`] with the image at block `place` ([`mmc::job::burn::BurnOptions::place`]: the
/// growisofs personality's `-use-the-force-luke=seek=N` and `-Z DEV=/dev/zero`).
pub fn burn_placed(job: &BurnJob, place: Option<u32>) -> Result<BurnSummary, CliError> {
    let (reader, total) = input(job)?;
    let (spec, mut drive) = open_for_writing(job.dev.as_deref(), job.trace, job.force)?;
    if job.progress == Mode::Cdrecord && !job.quiet {
        crate::legacy::cdrecord::preamble(&mut drive, total, job)?;
    }
    let mut options = burn_options(job);
    options.place = place;
    let mut display = cli_job::Display::new(job.progress, job.quiet);
    let r = mmc::job::burn::burn(&mut drive, reader, total, &options, &mut |e| {
        display.event(e)
    })
    .map_err(|e| CliError::Failed(burn_failure(&mut drive, &e)))?;
    cli_job::commit_notes(&r.commit_notes);
    if job.eject {
        drive
            .eject()
            .map_err(|e| CliError::Failed(format!("eject: {e}")))?;
    }
    Ok(summary(spec.to_string(), &r))
}

/// The summary of an image `burn` wrote to `device`.
pub(crate) fn summary(device: String, r: &BurnReport) -> BurnSummary {
    BurnSummary {
        device,
        medium: r.medium.to_string(),
        start: r.start,
        blocks: r.blocks,
        session: r.session,
        appendable: r.appendable,
        dummy: r.dummy,
        md5: pipeline::hex(&r.md5),
        verified: r.verified,
        read_back_md5: r.read_back_md5.as_ref().map(pipeline::hex),
        blocks_left: r.blocks_left,
        seconds: r.seconds,
        fifo_min_percent: r.fifo_min_percent,
        ecc: r.ecc,
    }
}

/// The library's options for a job.
pub(crate) fn burn_options(job: &BurnJob) -> BurnOptions {
    BurnOptions {
        multi: job.multi,
        dummy: job.dummy,
        speed_x: job.speed_x,
        mode: job.mode,
        bufe: job.bufe,
        replace: job.force,
        fifo_size: job.fifo_size,
        verify: job.verify,
        verify_md5: job.verify_md5,
        cancel: Some(cli_job::interrupt_flag()),
        ecc_percent: job.ecc_percent,
        place: None,
    }
}

/// A job's image as a reader and its size in bytes when known (`-pad`, `tsize=` applied).
pub(crate) fn input(job: &BurnJob) -> Result<(Box<dyn Read + Send>, Option<u64>), CliError> {
    let (reader, total): (Box<dyn Read + Send>, Option<u64>) = match &job.input {
        Input::File(p) => {
            let f = File::open(p).map_err(|e| CliError::Failed(format!("{}: {e}", p.display())))?;
            let meta = f
                .metadata()
                .map_err(|e| CliError::Failed(format!("{}: {e}", p.display())))?;
            match job.tsize {
                // A size given for a file (cdrecord tsize=): that many bytes of it, e.g.
                // of /dev/zero, whose length is 0.
                Some(t) if !meta.is_file() || t < meta.len() => (Box::new(f.take(t)), Some(t)),
                // A pipe or device named as a file (/dev/stdin, a FIFO): read to its end,
                // size unknown, as standard input.
                None if !meta.is_file() => (Box::new(f), None),
                _ => (Box::new(f), Some(meta.len())),
            }
        }
        Input::Stdin if job.wait_input => {
            let mut first = vec![0u8; 64 * 1024];
            let n = loop {
                match io::stdin().read(&mut first) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(CliError::Failed(format!("standard input: {e}"))),
                }
            };
            first.truncate(n);
            (
                Box::new(io::Cursor::new(first).chain(io::stdin())),
                job.tsize,
            )
        }
        Input::Stdin => (Box::new(io::stdin()), job.tsize),
    };
    let (reader, total): (Box<dyn Read + Send>, Option<u64>) = if job.pad_bytes > 0 {
        let b = BLOCK as u64;
        (
            Box::new(Padded::new(reader, job.pad_bytes)),
            total.map(|t| t.div_ceil(b) * b + job.pad_bytes),
        )
    } else {
        (reader, total)
    };
    Ok((reader, total))
}

/// A reader followed by zeroes: to the next whole block, then `pad` bytes more.
struct Padded<R> {
    inner: R,
    /// Bytes read from `inner`.
    count: u64,
    /// Zeroes still to give once `inner` ended (None: it has not ended).
    zeros: Option<u64>,
    pad: u64,
}

impl<R: Read> Padded<R> {
    fn new(inner: R, pad: u64) -> Self {
        Padded {
            inner,
            count: 0,
            zeros: None,
            pad,
        }
    }
}

impl<R: Read> Read for Padded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.zeros.is_none() {
            let n = self.inner.read(buf)?;
            if n > 0 || buf.is_empty() {
                self.count += n as u64;
                return Ok(n);
            }
            let b = BLOCK as u64;
            self.zeros = Some(self.count.div_ceil(b) * b - self.count + self.pad);
        }
        let left = self.zeros.unwrap_or(0);
        let n = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        buf[..n].fill(0);
        self.zeros = Some(left - n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_reader_aligns_then_pads() {
        let mut out = Vec::new();
        Padded::new(&[7u8; 3000][..], 4096)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), 4096 + 4096);
        assert!(out[..3000].iter().all(|&b| b == 7));
        assert!(out[3000..].iter().all(|&b| b == 0));
        let mut out = Vec::new();
        Padded::new(&[1u8; 2048][..], 2048)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), 4096);
    }
}
