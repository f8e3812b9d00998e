//! `add` and `burn` with `--dev` given more than once: the same session to every drive at
//! once (`mmc::job::multi`: one build of the session, a FIFO and a writing thread per
//! drive, each drive read back and compared), a progress line per drive (naming it), a
//! summary line per drive on stdout (`DEV: ...`), and a failed drive named on stderr
//! without stopping the others.
//!
//! Exit status ([`crate::error::EXIT_DRIVES`]): 0 when every drive wrote and verified its
//! session; 64 + a bit mask of the drives that failed once writing had begun (bit 0 the
//! first `--dev`, bit 1 the second, ... bit 5 the sixth and any later one), so 64-127; 1
//! (2 for a usage error) when the drives were refused before anything was written to any
//! of them (a drive whose disc differs, a disc that cannot take the session), the message
//! naming the drive. cdrecord and growisofs write one drive and have no such status.
//! `--json`: `{"drives": [{"device", "ok", "summary" | "error"}], "failed": [DEV...]}`.

use std::collections::HashSet;
use std::sync::Mutex;

use mmc::job::multi::{self, ManyError};
use mmc::job::Event;

use crate::args::{AddArgs, GlobalArgs};
use crate::cmd::burn::{open_for_writing, BurnJob};
use crate::cmd::CliDrive;
use crate::error::{CliError, EXIT_DRIVES};
use crate::job::{self, Display};
use crate::progress::Mode;
use mmc::job::append::{AppendOptions, Edits};

/// Opens every `--dev` for writing (each once).
fn open_all(global: &GlobalArgs, force: bool) -> Result<(Vec<String>, Vec<CliDrive>), CliError> {
    let mut seen = HashSet::new();
    for d in &global.devs {
        if !seen.insert(d.as_str()) {
            return Err(CliError::Usage(format!("--dev {d} is given twice")));
        }
    }
    let trace = global.verbose.saturating_sub(1);
    let mut names = Vec::new();
    let mut drives = Vec::new();
    for d in &global.devs {
        let (spec, drive) = open_for_writing(Some(d), trace, force)?;
        names.push(spec.to_string());
        drives.push(drive);
    }
    Ok((names, drives))
}

/// The exit status for the failed drives (see the module documentation).
pub fn exit_status(failed: &[usize]) -> i32 {
    EXIT_DRIVES + failed.iter().fold(0, |m, &i| m | (1 << i.min(5)))
}

/// The progress displays, one per drive.
fn displays(names: &[String], global: &GlobalArgs, quiet: bool) -> Mutex<Vec<Display>> {
    let mode = Mode::detect(global.json);
    Mutex::new(
        names
            .iter()
            .map(|n| Display::for_drive(mode, quiet, n.clone()))
            .collect(),
    )
}

/// The refusal before anything was written, naming the drive by its device.
fn refusal<E: std::error::Error + 'static>(
    names: &[String],
    e: &ManyError<E>,
    detail: impl FnOnce(usize, &E) -> String,
) -> CliError {
    match e {
        ManyError::Drive { index, error } => CliError::Failed(format!(
            "{}: {}; nothing was written to any drive",
            names[*index],
            detail(*index, error).trim_end_matches("; nothing was written")
        )),
        ManyError::Differs { index, what } => CliError::Failed(format!(
            "{}: {} (drive 1 is {}); nothing was written to any drive",
            names[*index],
            what.trim_end_matches("; nothing was written to any drive"),
            names[0]
        )),
        ManyError::Unfinished { index, .. } => CliError::Failed(
            format!("{}: {}", names[*index], e).replacen(&format!("drive {}: ", index + 1), "", 1),
        ),
        ManyError::NoDrives => CliError::Usage(e.to_string()),
    }
}

/// One drive's entry of the report.
#[derive(Debug, serde::Serialize)]
struct DriveEntry<S> {
    device: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<S>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Prints the report and gives the exit status for `results` (a summary or an error
/// message per drive); `lines` are a summary's lines of text, each printed after the
/// drive's name.
fn report<S: serde::Serialize>(
    names: &[String],
    json: bool,
    results: Vec<Result<S, String>>,
    lines: impl Fn(&S) -> Vec<String>,
) -> Result<(), CliError> {
    let mut failed = Vec::new();
    let mut entries = Vec::new();
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(s) => {
                if !json {
                    for l in lines(&s) {
                        outln!("{}: {l}", names[i]);
                    }
                }
                entries.push(DriveEntry {
                    device: names[i].clone(),
                    ok: true,
                    summary: Some(s),
                    error: None,
                });
            }
            Err(m) => {
                eprintln!("discburn: {}: {m}", names[i]);
                failed.push(i);
                entries.push(DriveEntry {
                    device: names[i].clone(),
                    ok: false,
                    summary: None,
                    error: Some(m),
                });
            }
        }
    }
    if json {
        let failed_names: Vec<&String> = failed.iter().map(|&i| &names[i]).collect();
        let v = serde_json::json!({ "drives": entries, "failed": failed_names });
        outln!(
            "{}",
            serde_json::to_string_pretty(&v).map_err(|e| CliError::Failed(e.to_string()))?
        );
    }
    if failed.is_empty() {
        return Ok(());
    }
    let which: Vec<String> = failed
        .iter()
        .map(|&i| format!("{} (drive {})", names[i], i + 1))
        .collect();
    Err(CliError::Exit(
        exit_status(&failed),
        format!(
            "{} of {} drives failed: {}; the others wrote and verified the session",
            failed.len(),
            names.len(),
            which.join(", ")
        ),
    ))
}

/// `add` to every `--dev` at once.
pub fn add(
    global: &GlobalArgs,
    a: &AddArgs,
    edits: &Edits,
    options: &AppendOptions,
) -> Result<(), CliError> {
    let (names, mut drives) = open_all(global, a.common.force)?;
    let shown = displays(&names, global, a.common.quiet);
    let progress = |i: usize, e: &Event| match e {
        Event::NotCarried(p) => eprintln!(
            "discburn: warning: {}: previous session: {}: not carried forward",
            names[i],
            crate::output::escape_name(&p.to_string())
        ),
        Event::NotWhole(w) => {
            log::warn!("{w}: --fresh-tree given, its files are not carried forward")
        }
        e => {
            if let Ok(mut d) = shown.lock() {
                if let Some(d) = d.get_mut(i) {
                    d.event(e);
                }
            }
        }
    };
    let results = match multi::append_many(&mut drives, edits, options, &progress) {
        Ok(r) => r,
        Err(e) => {
            let msg = refusal(&names, &e, |i, error| {
                super::add::append_failure(&mut drives[i], a, error)
            });
            return Err(msg);
        }
    };
    let results = results
        .into_iter()
        .enumerate()
        .map(|(i, r)| match r {
            Ok(r) => {
                job::commit_notes(&r.commit_notes);
                if a.common.eject {
                    if let Err(e) = drives[i].eject() {
                        eprintln!("discburn: {}: eject: {e}", names[i]);
                    }
                }
                Ok(super::add::summary(names[i].clone(), &r))
            }
            Err(e) => Err(super::add::append_failure(&mut drives[i], a, &e)),
        })
        .collect();
    report(&names, global.json, results, |s| {
        std::iter::once(super::add::summary_line(s))
            .chain(super::add::ecc_line(s))
            .collect()
    })
}

/// `burn` of one image to every `--dev` at once.
pub fn burn(global: &GlobalArgs, job: &BurnJob) -> Result<(), CliError> {
    let (reader, total) = super::burn::input(job)?;
    if job.ecc_percent.is_some() && total.is_none() {
        // The repair data's layout needs the image's size before the first block goes out
        // (mmc::job::burn refuses it too); no drive is at fault, so none is named.
        return Err(CliError::Failed(
            "--ecc needs the image's size (burn a file, or give --tsize); nothing was written \
             to any drive"
                .into(),
        ));
    }
    let (names, mut drives) = open_all(global, job.force)?;
    let shown = displays(&names, global, job.quiet);
    let progress = |i: usize, e: &Event| {
        if let Ok(mut d) = shown.lock() {
            if let Some(d) = d.get_mut(i) {
                d.event(e);
            }
        }
    };
    let options = super::burn::burn_options(job);
    let results = match multi::burn_many(&mut drives, reader, total, &options, &progress) {
        Ok(r) => r,
        Err(e) => {
            return Err(refusal(&names, &e, |i, error| {
                super::burn::burn_failure(&mut drives[i], error)
            }))
        }
    };
    let results = results
        .into_iter()
        .enumerate()
        .map(|(i, r)| match r {
            Ok(r) => {
                job::commit_notes(&r.commit_notes);
                if job.eject {
                    if let Err(e) = drives[i].eject() {
                        eprintln!("discburn: {}: eject: {e}", names[i]);
                    }
                }
                Ok(super::burn::summary(names[i].clone(), &r))
            }
            Err(e) => Err(super::burn::burn_failure(&mut drives[i], &e)),
        })
        .collect();
    report(&names, global.json, results, |s| {
        std::iter::once(super::burn::summary_line(s))
            .chain(super::burn::ecc_line(s))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_has_a_bit_per_failed_drive() {
        assert_eq!(exit_status(&[]), 64);
        assert_eq!(exit_status(&[0]), 65);
        assert_eq!(exit_status(&[2]), 68);
        assert_eq!(exit_status(&[0, 3]), 73);
        assert_eq!(exit_status(&[5, 9, 12]), 96);
        assert_eq!(exit_status(&[0, 1, 2, 3, 4, 5, 6]), 127);
    }
}
