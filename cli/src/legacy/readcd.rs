//! The `readcd` personality (cdrtools readcd(1)): `readcd dev=D f=FILE [sectors=A-B]
//! [retries=N] [-noerror] [-v]`, dumping through `mmc::rescue::dump` like `discburn read`.
//!
//! As in readcd, `sectors=A-B` reads A up to but not including B (`sectors=0-0` reads
//! nothing), the default is the whole disc (READ CAPACITY), `retries=` defaults to 128,
//! and a regular output file is truncated first. Without `-noerror` the run stops at the
//! first sector still unreadable after its retries, as readcd does ("Error on sector N not
//! corrected"): the file holds the sectors before it, the message names the sector and
//! what was written, and the exit status is non-zero. With `-noerror` unreadable sectors
//! are filled with zeros, the run goes on, and it succeeds. `f=-` writes to stdout.
//! `-v`/`-V` show progress and the SCSI command trace; `-scanbus` and the other modes
//! of readcd are not offered.

use std::path::{Path, PathBuf};

use mmc::drive::Drive;
use mmc::rescue::{AreaSpec, DumpOptions};
use transport::DevSpec;

use crate::cmd::read::run_dump;
use crate::device;
use crate::error::CliError;

/// A parsed readcd command line.
#[derive(Debug, Default, PartialEq)]
pub struct Options {
    /// `dev=`.
    pub dev: Option<String>,
    /// `f=`.
    pub file: Option<PathBuf>,
    /// `sectors=A-B`.
    pub sectors: Option<(u32, u32)>,
    /// `retries=` (default 128).
    pub retries: u32,
    /// `-noerror`.
    pub noerror: bool,
    /// Count of `-v`.
    pub verbose: u8,
    /// Count of `-V`.
    pub trace: u8,
    /// `-help`.
    pub help: bool,
}

/// Parses readcd's arguments (without the program name).
pub fn parse(prog: &str, args: &[String]) -> Result<Options, CliError> {
    let usage = |m: String| CliError::Usage(format!("{prog}: {m}"));
    let mut o = Options {
        retries: 128,
        ..Options::default()
    };
    for a in args {
        let (k, v) = match a.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (a.as_str(), None),
        };
        match (k.trim_start_matches('-'), v) {
            ("dev", Some(v)) => o.dev = Some(v.to_string()),
            ("f", Some(v)) => o.file = Some(PathBuf::from(v)),
            ("sectors", Some(v)) => {
                let (s, e) = v
                    .split_once('-')
                    .ok_or_else(|| usage(format!("bad sectors={v}: expected A-B")))?;
                let s: u32 = s.parse().map_err(|_| usage(format!("bad sectors={v}")))?;
                let e: u32 = e.parse().map_err(|_| usage(format!("bad sectors={v}")))?;
                if e < s {
                    return Err(usage(format!("bad sectors={v}: end before start")));
                }
                o.sectors = Some((s, e));
            }
            ("retries", Some(v)) => {
                o.retries = v.parse().map_err(|_| usage(format!("bad retries={v}")))?
            }
            ("noerror", None) => o.noerror = true,
            ("v", None) => o.verbose += 1,
            ("V", None) => o.trace += 1,
            ("VV", None) => o.trace += 2,
            ("help", None) | ("h", None) => o.help = true,
            _ => return Err(usage(format!("unsupported option '{a}'"))),
        }
    }
    Ok(o)
}

/// Runs `readcd` with `args` (without the program name).
pub fn run(prog: &str, args: &[String]) -> Result<(), CliError> {
    let usage = |m: String| CliError::Usage(format!("{prog}: {m}"));
    let Options {
        dev,
        file,
        sectors,
        retries,
        noerror,
        verbose,
        trace,
        help,
    } = parse(prog, args)?;
    if help {
        outln!("usage: {prog} dev=DEVICE f=FILE [sectors=A-B] [retries=N] [-noerror] [-v] [-V]");
        return Ok(());
    }
    crate::init_logging(verbose);
    let file = file.ok_or_else(|| usage("f=FILE is required".into()))?;
    let spec = match dev.as_deref() {
        Some(d) => DevSpec::parse(d)?,
        None => device::resolve(None)?,
    };
    let t = device::open(&spec, trace)?;
    let mut drive = Drive::new(t);
    let area = match sectors {
        Some((_, 0)) => return Ok(()),
        Some((s, e)) if e == s => return Ok(()),
        Some((s, e)) => AreaSpec::Range(s, e - 1),
        None => AreaSpec::All,
    };
    let opts = DumpOptions {
        retries,
        stop_at_unreadable: !noerror,
        ..DumpOptions::default()
    };
    truncate_regular(&file).map_err(|e| CliError::Failed(format!("{prog}: {e}")))?;
    let d = run_dump(&mut drive, area, &file, &opts, verbose == 0)?;
    if verbose > 0 {
        eprintln!(
            "{prog}: read {} sectors with {} READ commands, {} unreadable",
            d.blocks_read, d.read_commands, d.bad_blocks
        );
    }
    if d.interrupted {
        return Err(CliError::Failed(format!("{prog}: interrupted")));
    }
    if let Some(lba) = d.stopped_at {
        let start = d.area.start;
        let n = u64::from(lba - start);
        let written = if n == 0 {
            "nothing written".to_string()
        } else {
            format!(
                "sectors {start}-{} ({n} sectors, {} bytes) written",
                lba - 1,
                n * 2048
            )
        };
        return Err(CliError::Failed(format!(
            "{prog}: error on sector {lba} not corrected (retries={retries}); stopped: \
             {written} to {}; use -noerror to read past unreadable sectors",
            file.display()
        )));
    }
    if d.bad_blocks > 0 {
        let list: Vec<String> = d
            .bad_ranges
            .iter()
            .map(|(a, b)| format!("{a}-{b}"))
            .collect();
        let msg = format!(
            "{prog}: {} unreadable sectors (zero-filled): {}",
            d.bad_blocks,
            list.join(", ")
        );
        if noerror {
            eprintln!("{msg}");
        } else {
            return Err(CliError::Failed(msg));
        }
    }
    Ok(())
}

/// Empties `file` when it is an existing regular file (readcd opens its output with
/// O_TRUNC); devices and `-` (stdout) are left alone.
fn truncate_regular(file: &Path) -> std::io::Result<()> {
    if file.as_os_str() == "-" {
        return Ok(());
    }
    match std::fs::metadata(file) {
        Ok(m) if m.is_file() => std::fs::OpenOptions::new()
            .write(true)
            .open(file)
            .and_then(|f| f.set_len(0))
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", file.display()))),
        _ => Ok(()),
    }
}
