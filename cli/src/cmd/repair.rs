//! `discburn read --repair [--session N] -o FILE [--map MAP]`: rebuilds a session that
//! `add --ecc PERCENT` wrote with Reed-Solomon repair data (`mmc::ecc`). The session's
//! track (the ISO 9660 volume, the header, the parity and the header's copy) is dumped as
//! `read` dumps it (`mmc::rescue::dump`: READ(10), MMC-6 §6.16, failing reads split and
//! retried, unreadable blocks zero-filled and kept in a GNU ddrescue mapfile, default
//! `FILE.map`), then every codeword that lost blocks is decoded from what was read. On
//! overwritable media (no sessions the drive reports) the default is the last session as
//! msinfo emulates it, up to the next session's start; `--range A-B` names any other.
//!
//! When every block is restored and the session's XXH3-128 matches the header's, FILE is
//! cut to the session's blocks (the exact image `add` sent) and the default map is removed.
//! Otherwise FILE keeps the whole track with every readable and every restorable block, the
//! map lists what the drive could not read, and the exit status is 1 with the count of
//! blocks still missing; a rerun with the same map reads only those again. A run that is
//! interrupted (Ctrl-C, SIGTERM, even SIGKILL) leaves FILE and the map for a rerun to finish.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::PathBuf;

use mmc::rescue::{self, AreaSpec, DumpOptions, DumpReport};
use serde::Serialize;

use crate::args::GlobalArgs;
use crate::cmd::open_drive;
use crate::cmd::read::{run_dump, ReadArgs};
use crate::error::CliError;
use crate::output::{self, Report};

/// What `read --repair` did.
#[derive(Debug, Serialize)]
pub struct RepairOutput {
    /// The device as named.
    pub device: String,
    /// The output file.
    pub output: String,
    /// The mapfile.
    pub map: String,
    /// The dump of the session's track.
    pub read: DumpReport,
    /// The repair, once the dump was complete and the repair data found.
    pub repair: Option<mmc::ecc::RepairReport>,
    /// The output is the exact session image.
    pub complete: bool,
}

impl Report for RepairOutput {
    fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let d = &self.read;
        writeln!(
            out,
            "read LBA {}..{} ({} blocks: session and repair data) from {}: {} unreadable",
            d.area.start,
            d.area.end(),
            d.area.blocks,
            self.device,
            d.bad_blocks
        )?;
        if let Some(r) = &self.repair {
            writeln!(
                out,
                "repair data: {} % = {} parity blocks in {} codewords for {} session blocks",
                r.percent, r.parity_blocks, r.codewords, r.data_blocks
            )?;
            writeln!(
                out,
                "unreadable: {} session blocks, {} parity/header blocks; repaired {} blocks{}",
                r.unreadable_data,
                r.unreadable_parity,
                r.repaired,
                if r.missing > 0 {
                    format!("; {} blocks still missing", r.missing)
                } else {
                    String::new()
                }
            )?;
        }
        if self.complete {
            writeln!(
                out,
                "{}: the exact session image ({} blocks, checked against the repair data's \
                 XXH3-128)",
                self.output,
                self.repair.as_ref().map_or(0, |r| r.data_blocks)
            )?;
        } else {
            writeln!(
                out,
                "{}: every readable block of the track so far (map {})",
                self.output, self.map
            )?;
        }
        Ok(())
    }
}

fn fail(e: impl std::fmt::Display) -> CliError {
    CliError::Failed(e.to_string())
}

/// The area: the session named, or the last recorded one.
fn area_spec(drive: &mut crate::cmd::CliDrive, a: &ReadArgs) -> Result<AreaSpec, CliError> {
    if a.area.all || a.area.track.is_some() {
        return Err(CliError::Usage(
            "read --repair rebuilds one session: give --session N (default: the last), or \
             --range A-B for its track"
                .into(),
        ));
    }
    if let Some(n) = a.area.session {
        return Ok(AreaSpec::Session(n));
    }
    if let Some((x, y)) = a.area.range {
        return Ok(AreaSpec::Range(x, y));
    }
    // Overwritable media have no sessions the drive knows of: the last one as msinfo
    // emulates it (growisofs' and libisoburn's way), up to the next session's start.
    if drive.current_profile().is_ok_and(|p| p.overwritable()) {
        return match mmc::msinfo::msinfo(drive) {
            Ok(mmc::msinfo::Msinfo::Appendable {
                last_session_start,
                next_writable,
            }) if next_writable > last_session_start => {
                Ok(AreaSpec::Range(last_session_start, next_writable - 1))
            }
            Ok(_) => Err(fail("the medium holds no session")),
            Err(e) => Err(fail(format!(
                "msinfo: {e}; name the session's blocks with --range A-B"
            ))),
        };
    }
    let di = drive
        .disc_info()
        .map_err(|e| fail(format!("READ DISC INFORMATION: {e}")))?;
    let sessions = di.view().sessions();
    // An appendable disc counts its empty next session too.
    for n in (1..=sessions).rev() {
        if rescue::area::resolve(drive, AreaSpec::Session(n)).is_ok() {
            return Ok(AreaSpec::Session(n));
        }
    }
    Err(fail("the disc has no recorded session"))
}

/// Runs `discburn read --repair`.
pub fn run(global: &GlobalArgs, a: &ReadArgs) -> Result<(), CliError> {
    if a.output.as_os_str() == "-" {
        return Err(CliError::Usage(
            "read --repair writes the restored blocks into its output: give a file, not -".into(),
        ));
    }
    let (mut drive, device) = open_drive(global)?;
    let spec = area_spec(&mut drive, a)?;
    let default_map = a.map.is_none();
    let map = a.map.clone().unwrap_or_else(|| {
        let mut m = a.output.clone().into_os_string();
        m.push(".map");
        PathBuf::from(m)
    });
    let opts = DumpOptions {
        retries: a.retries,
        max_blocks: a.blocks,
        map: Some(map.clone()),
        comments: vec![
            format!(
                "Mapfile. Created by discburn version {} (read --repair)",
                env!("CARGO_PKG_VERSION")
            ),
            format!("Device: {device}"),
        ],
        ..DumpOptions::default()
    };
    let dump = run_dump(&mut drive, spec, &a.output, &opts, a.quiet)?;
    let mut report = RepairOutput {
        device,
        output: a.output.display().to_string(),
        map: map.display().to_string(),
        read: dump,
        repair: None,
        complete: false,
    };
    if report.read.interrupted {
        output::emit(&report, global.json)?;
        return Err(fail(format!(
            "interrupted; run again with --map {} to finish",
            map.display()
        )));
    }
    let area = report.read.area;
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&a.output)
        .map_err(|e| fail(format!("{}: {e}", a.output.display())))?;
    let r = match mmc::ecc::repair(&mut f, area.start, area.blocks, &report.read.bad_ranges) {
        Ok(r) => r,
        Err(e) => {
            output::emit(&report, global.json)?;
            return Err(fail(format!(
                "{e}; {} holds the {} blocks read ({} unreadable, map {})",
                a.output.display(),
                area.blocks,
                report.read.bad_blocks,
                map.display()
            )));
        }
    };
    let (missing, verified, n) = (r.missing, r.verified, r.data_blocks);
    let (unreadable, short_by, failed, percent) =
        (r.unreadable_data, r.short_by, r.failed_codewords, r.percent);
    report.repair = Some(r);
    if missing == 0 && verified {
        f.set_len(u64::from(n) * 2048)
            .and_then(|()| f.sync_all())
            .map_err(|e| {
                fail(format!(
                    "{}: cutting to the session: {e}",
                    a.output.display()
                ))
            })?;
        if default_map {
            let _ = std::fs::remove_file(&map);
        }
        report.complete = true;
        output::emit(&report, global.json)?;
        return Ok(());
    }
    f.sync_all()
        .map_err(|e| fail(format!("{}: {e}", a.output.display())))?;
    output::emit(&report, global.json)?;
    if missing == 0 {
        return Err(fail(format!(
            "every block was restored but the session does not match the XXH3-128 its \
             repair data recorded: a block read back wrong without a read error; {} keeps \
             the track as read (map {})",
            a.output.display(),
            map.display()
        )));
    }
    Err(fail(format!(
        "cannot rebuild the session: {missing} of its {n} blocks are missing ({unreadable} \
         unreadable; {failed} codewords lost more blocks than their parity can restore, \
         {short_by} blocks beyond it; the repair data restores up to {percent} % of the \
         session's blocks); {} keeps every readable and every restorable block, run again \
         with --map {} to retry the unreadable ones",
        a.output.display(),
        map.display()
    )))
}
