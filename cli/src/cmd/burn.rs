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
use mmc::msinfo::{self, Msinfo};
use mmc::write::{self, Start, WriteMode, WriteOptions};
use transport::DevSpec;

use crate::args::{BurnArgs, GlobalArgs};
use crate::cmd::CliDrive;
use crate::device;
use crate::error::CliError;
use crate::job;
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
    /// Progress display.
    pub progress: Mode,
    /// No progress.
    pub quiet: bool,
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
}

/// Runs `burn`.
pub fn run(global: &GlobalArgs, a: &BurnArgs) -> Result<(), CliError> {
    let job = BurnJob {
        dev: global.dev.clone(),
        trace: global.verbose.saturating_sub(1),
        input: if a.image.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::File(a.image.clone())
        },
        multi: a.multi,
        dummy: a.dummy,
        speed_x: a.common.speed,
        eject: a.common.eject,
        force: a.common.force,
        fifo_size: match &a.common.fifo_size {
            Some(s) => parse_size(s)? as usize,
            None => job::DEFAULT_FIFO,
        },
        tsize: a.tsize.as_deref().map(parse_size).transpose()?,
        mode: if a.sao {
            WriteMode::Sao
        } else {
            WriteMode::Auto
        },
        bufe: true,
        verify: !a.common.no_verify && !a.dummy,
        verify_md5: a.common.verify_md5,
        progress: Mode::detect(global.json),
        quiet: a.common.quiet,
    };
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
        outln!(
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
        );
    }
    Ok(())
}

fn read_head(r: &mut dyn Read, want: usize) -> io::Result<Vec<u8>> {
    let mut head = vec![0u8; want];
    let mut got = 0;
    while got < want {
        match r.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(got);
    Ok(head)
}

/// The root directory extent of an ISO 9660 image's PVD at block 16 of `head`.
fn root_extent(head: &[u8]) -> Option<u32> {
    let p = head.get(16 * BLOCK..17 * BLOCK)?;
    (p[0] == 1 && &p[1..6] == b"CD001")
        .then(|| u32::from_le_bytes([p[158], p[159], p[160], p[161]]))
}

/// True when blocks 16-17 (where volume descriptors live: ISO 9660, UDF) hold anything.
fn holds_data(drive: &mut CliDrive) -> bool {
    let mut b = vec![0u8; 2 * BLOCK];
    drive.read_blocks(16, &mut b).is_ok() && b.iter().any(|&x| x != 0)
}

/// Burns an image: the core of `burn` and of the cdrecord personality.
pub fn burn(job: &BurnJob) -> Result<BurnSummary, CliError> {
    let (spec, mut drive) = open_for_writing(job.dev.as_deref(), job.trace, job.force)?;
    let profile = write::check_device(&mut drive).map_err(|e| CliError::Failed(e.to_string()))?;
    // Writing now would put this track into the session an interrupted write left open,
    // whose descriptors name blocks never written; closing it here would move the next
    // writable address an image made with mkisofs -C was built for.
    if let Some(s) = write::unfinished_session(&mut drive)
        .map_err(|e| CliError::Failed(job::refusal_message(&mut drive, &e)))?
    {
        return Err(CliError::Failed(format!(
            "the disc's last session (from block {s}) was left unfinished by an interrupted \
             write; a new track would join it. `discburn add` closes it and continues from \
             the last complete session; nothing was written; disc state: {}",
            write::disc_state(&mut drive)
        )));
    }
    let (mut reader, total): (Box<dyn Read + Send>, Option<u64>) = match &job.input {
        Input::File(p) => {
            let f = File::open(p).map_err(|e| CliError::Failed(format!("{}: {e}", p.display())))?;
            let len = f
                .metadata()
                .map_err(|e| CliError::Failed(format!("{}: {e}", p.display())))?
                .len();
            (Box::new(f), Some(len))
        }
        Input::Stdin => (Box::new(io::stdin()), job.tsize),
    };
    let head = read_head(&mut *reader, 17 * BLOCK)
        .map_err(|e| CliError::Failed(format!("reading the image: {e}")))?;
    if head.is_empty() {
        return Err(CliError::Failed(
            "the image is empty: nothing to write".into(),
        ));
    }
    // Overwritable media: an image made for the next writable address (mkisofs -C) is
    // appended there; any other image replaces the disc's contents from block 0.
    // Replacing the contents destroys every session the disc holds: only with --force.
    let start = if profile.overwritable() {
        let ms = msinfo::msinfo(&mut drive);
        let root = root_extent(&head);
        match (&ms, root) {
            (Ok(Msinfo::Appendable { next_writable, .. }), Some(root))
                if root >= *next_writable =>
            {
                Start::Append
            }
            _ if job.force => Start::At(0),
            (Ok(Msinfo::Blank), _) if !holds_data(&mut drive) => Start::At(0),
            (Ok(Msinfo::Blank), _) => {
                return Err(CliError::Failed(format!(
                    "the {profile} holds data at blocks 16-17 that is not an ISO 9660 session \
                     (another file system?): writing this image replaces it; give --force \
                     (cdrecord: -force) to replace it; nothing was written"
                )))
            }
            (
                Ok(Msinfo::Appendable {
                    last_session_start,
                    next_writable,
                }),
                _,
            ) => {
                return Err(CliError::Failed(format!(
                    "the {profile} holds sessions (the last starts at block \
                     {last_session_start}) and this image is not made to follow them (made \
                     without -C ...,{next_writable}): writing it at block 0 replaces the disc's \
                     contents; give --force (cdrecord: -force) to replace them; nothing was \
                     written"
                )))
            }
            (Err(e), _) => {
                return Err(CliError::Failed(format!(
                    "the {profile}'s sessions cannot be read ({e}): writing this image at \
                     block 0 may replace data; give --force (cdrecord: -force) to write it \
                     anyway; nothing was written"
                )))
            }
        }
    } else {
        Start::Append
    };
    let opts = WriteOptions {
        multi: job.multi,
        dummy: job.dummy,
        speed_kbps: job
            .speed_x
            .map(|x| (x * f64::from(profile.single_speed_kbps())).round() as u32),
        mode: job.mode,
        bufe: job.bufe,
        start,
        reserve: true,
    };
    let blocks = total.map(|t| t.div_ceil(BLOCK as u64));
    let size = match blocks {
        Some(b) => Some(u32::try_from(b).map_err(|_| {
            CliError::Failed(format!("the image of {b} blocks is too large for any disc"))
        })?),
        None => None,
    };
    let plan = write::prepare(&mut drive, size, &opts)
        .map_err(|e| CliError::Failed(job::refusal_message(&mut drive, &e)))?;
    log::info!(
        "writing {} at block {} of the {} (session {})",
        size.map_or("an image of unknown size".to_string(), |b| format!(
            "{b} blocks"
        )),
        plan.start,
        plan.profile,
        plan.session
    );
    let producer = pipeline::reader_producer(io::Cursor::new(head).chain(reader));
    let mut display = job::Display::new(job.progress, job.quiet);
    let cancel = job::interrupt_flag();
    let free = plan.free_blocks;
    let session = plan.session;
    let mut burned = match pipeline::run(
        &mut drive,
        plan,
        total,
        producer,
        job.fifo_size,
        &cancel,
        &mut |e| display.event(e),
    ) {
        Ok(b) => b,
        Err(f) => return Err(CliError::Failed(job::failure_message(&mut drive, &f))),
    };
    // Verify before the commit (overwritable media): a session that does not read back as
    // sent never becomes current.
    let mut read_back_md5 = None;
    let verified = if job.verify && !burned.report.dummy {
        let read_back = pipeline::read_back_compare(
            &mut drive,
            burned.report.start,
            burned.report.blocks,
            &burned.units,
            job.verify_md5,
        )
        .map_err(|e| {
            let cause = format!("reading the session back: {e}");
            CliError::Failed(job::verify_failure(&mut drive, &burned, &cause))
        })?;
        read_back_md5 = read_back.md5.as_ref().map(pipeline::hex);
        if let Some(cause) = read_back.problem(&burned.md5) {
            return Err(CliError::Failed(job::verify_failure(
                &mut drive, &burned, &cause,
            )));
        }
        true
    } else {
        false
    };
    job::commit(&mut drive, &mut burned).map_err(CliError::Failed)?;
    if job.eject {
        drive
            .eject()
            .map_err(|e| CliError::Failed(format!("eject: {e}")))?;
    }
    Ok(BurnSummary {
        device: spec.to_string(),
        medium: profile.to_string(),
        start: burned.report.start,
        blocks: burned.report.blocks,
        session,
        appendable: burned.report.appendable,
        dummy: burned.report.dummy,
        md5: pipeline::hex(&burned.md5),
        verified,
        read_back_md5,
        blocks_left: pipeline::blocks_left(&mut drive, free, &burned),
        seconds: burned.seconds,
        fifo_min_percent: burned.fifo_min_percent,
    })
}
