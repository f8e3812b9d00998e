//! `discburn add [--close] [--remove PATH]... [mkisofs options] PATH...`: the end-to-end
//! multisession job. msinfo from the drive (`mmc::msinfo`), the previous session imported
//! through the drive (`isofs::merge::import` over `Drive` as a `SectorSource`), the next
//! session laid out with `-C last,next` and streamed straight to the drive (`mmc::write`),
//! the session closed (appendable unless `--close`), read back and compared with what was
//! sent (every 64 KiB unit, see `pipeline::read_back_compare`), and a summary printed with
//! the session's MD5. A blank disc gets its first session (LBA 0; LBA 32 on overwritable
//! media, see `mmc::write`).
//!
//! Image options default to Rock Ridge (`-R`) and Joliet (`-J`), as xorriso does;
//! `--no-rock`/`--no-joliet` turn them off. MD5 checksums are recorded as libisofs records
//! them with `-md5 on` (each file, superblock/tree/session tags; `isofs::checksum`) unless
//! `--no-md5`; files carried forward keep the MD5 their session recorded. `PATH` arguments are mkisofs pathspecs: a
//! directory's contents go to the root, `dest=src` grafts `src` at `dest`.
//!
//! `--dry-run` builds the session as `add` would (`mmc::job::append::dry_run`), through a
//! reader's open of the drive, and lists the files it would add, replace and remove, its
//! size and whether it fits (exit status 1 when it would not); nothing is written.
//!
//! `--ecc PERCENT` writes Reed-Solomon repair data in the session's track after its ISO 9660
//! volume (`mmc::ecc`: header, parity, header copy), made while the session streams;
//! `discburn read --repair` uses it.

use std::path::PathBuf;

use isofs::{Options, RockRidge, ScanOptions};
use mmc::job::append::{append, AppendError, AppendOptions, AppendReport, Changes, Edits};
use mmc::job::Event;

use crate::args::{AddArgs, GlobalArgs};
use crate::cmd::burn::{open_for_writing, parse_size};
use crate::cmd::CliDrive;
use crate::error::CliError;
use crate::job;
use crate::progress::Mode;
use mmc::job::pipeline;

/// What `add` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AddSummary {
    /// Device.
    pub device: String,
    /// Medium.
    pub medium: String,
    /// Session number (0: unknown).
    pub session: u16,
    /// First block of the new session.
    pub start: u32,
    /// Its size in blocks.
    pub blocks: u32,
    /// Files added.
    pub added: usize,
    /// Files replaced (new contents).
    pub replaced: usize,
    /// Files removed.
    pub removed: usize,
    /// Disc left appendable.
    pub appendable: bool,
    /// MD5 of the session (as `md5sum` of the session read from the disc prints it).
    pub md5: String,
    /// Read back and found equal to what was sent.
    pub verified: bool,
    /// `--verify-md5`: MD5 of the session as read back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_back_md5: Option<String>,
    /// Blocks left.
    pub blocks_left: u64,
    /// Seconds writing.
    pub seconds: f64,
    /// Lowest FIFO fill (%).
    pub fifo_min_percent: u8,
    /// Entries of the previous session not carried forward (also named on stderr).
    pub not_carried: Vec<NotCarried>,
    /// `--ecc`: the repair data after the session (`blocks` counts it too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecc: Option<mmc::job::append::EccReport>,
}

/// An entry of the previous session `add` could not carry forward.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NotCarried {
    /// Its path in the previous session.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// True when the trailing arguments carry mkisofs options (anything starting with '-'
/// other than a lone "-").
fn has_mkisofs_options(a: &AddArgs) -> bool {
    a.paths.iter().any(|p| p.starts_with('-') && p != "-")
}

/// `-remove` paths given among the mkisofs options.
fn mkisofs_removals(a: &AddArgs) -> Result<Vec<String>, CliError> {
    if !has_mkisofs_options(a) {
        return Ok(Vec::new());
    }
    Ok(crate::legacy::mkisofs::parse("add", &a.paths)?.remove)
}

/// Image options, scan options and (image path, source) pairs.
type ImageSpec = (Options, ScanOptions, Vec<(String, String)>);

/// Image options, scan options and (image path, source) pairs: from mkisofs options when
/// the trailing arguments have any (mkisofs defaults then), else `add`'s defaults (-R -J,
/// level 3) adjusted by its own flags.
fn image_options(a: &AddArgs) -> Result<ImageSpec, CliError> {
    if has_mkisofs_options(a) {
        let job = crate::legacy::mkisofs::parse("add", &a.paths)?;
        if job.output.is_some() || job.previous.is_some() || job.have_msinfo {
            return Err(CliError::Usage(
                "add: -o, -C and -M make no sense here: add reads msinfo and the previous \
                 session from the drive and writes the session to it"
                    .into(),
            ));
        }
        // Options of the mkisofs personality that add does not carry out: refused rather
        // than skipped (-old-root's update is add --mirror; -root is a graft point).
        for (given, opt) in [
            (
                job.root.is_some(),
                "-root (give graft points: -graft-points /DIR/=SOURCE)",
            ),
            (
                job.old_root.is_some(),
                "-old-root (add --mirror updates a tree in place)",
            ),
            (job.new_dir_mode.is_some(), "-new-dir-mode"),
            (
                job.log_file.is_some(),
                "-log-file (add's messages go to standard error)",
            ),
        ] {
            if given {
                return Err(CliError::Usage(format!(
                    "add: {opt} is not supported by add"
                )));
            }
        }
        let specs = job
            .paths
            .iter()
            .map(|p| {
                if job.graft_points {
                    crate::legacy::mkisofs::graft(p)
                } else {
                    ("/".to_string(), p.clone())
                }
            })
            .collect();
        let mut opts = job.opts;
        opts.md5 = opts.md5 || !a.no_md5;
        if let Some(v) = &a.volid {
            opts.ids.volume = v.clone();
        }
        // As xorriso: the previous session's volume id unless one is given.
        opts.volume_id_from_previous = a.volid.is_none() && !job.volume_given;
        opts.rewrite_all_dirs |= a.rewrite_dirs;
        return Ok((opts, job.scan, specs));
    }
    let mut opts = Options {
        rock_ridge: (!a.no_rock).then_some(if a.rational_rock {
            RockRidge::Rationalized
        } else {
            RockRidge::Exact
        }),
        joliet: !a.no_joliet,
        iso_level: a.iso_level.unwrap_or(3),
        md5: !a.no_md5,
        ..Options::default()
    };
    if let Some(v) = &a.volid {
        opts.ids.volume = v.clone();
    }
    opts.volume_id_from_previous = a.volid.is_none();
    opts.rewrite_all_dirs = a.rewrite_dirs;
    let specs = a
        .paths
        .iter()
        .map(|p| {
            let (d, s) = graft(p);
            (d, s.to_string())
        })
        .collect();
    Ok((opts, ScanOptions::default(), specs))
}

/// Splits a pathspec into (image path, source).
fn graft(spec: &str) -> (String, &str) {
    // An unescaped '=' separates a graft point; "\=" is a literal '='.
    let b = spec.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == b'=' {
            let dest = spec[..i].replace("\\=", "=");
            let dest = if dest.starts_with('/') {
                dest
            } else {
                format!("/{dest}")
            };
            return (dest, &spec[i + 1..]);
        }
        i += 1;
    }
    ("/".to_string(), spec)
}

fn fail(e: impl std::fmt::Display) -> CliError {
    CliError::Failed(e.to_string())
}

/// The message for an [`AppendError`]: the library's words, the option a path came from,
/// and the disc state where something may have been written.
pub(crate) fn append_failure(drive: &mut CliDrive, a: &AddArgs, e: &AppendError) -> String {
    match e {
        AppendError::NoSuchPath { path, index } => {
            let opt = if *index < a.remove.len() {
                "--remove"
            } else {
                "-remove"
            };
            format!("{opt} {path}: no such file or directory in the last session")
        }
        AppendError::NotWhole(_) => format!("{e} (give --fresh-tree to write one anyway)"),
        AppendError::Disc(w) => job::write_error(w),
        AppendError::Prepare(w) => job::refusal_message(drive, w),
        AppendError::Write(f) => job::failure_message(drive, f),
        AppendError::ReadBack { uncommitted, .. } | AppendError::Differ { uncommitted, .. } => {
            job::verify_failure(drive, *uncommitted, &e.to_string())
        }
        AppendError::Commit(w) => job::commit_failure(drive, w),
        other => other.to_string(),
    }
}

/// What `add --dry-run` found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DryRunSummary {
    /// Always true (tells this summary from [`AddSummary`]).
    pub dry_run: bool,
    /// Device.
    pub device: String,
    /// Medium.
    pub medium: String,
    /// Number the session would have (0: unknown).
    pub session: u16,
    /// Its first block.
    pub start: u32,
    /// Its size in blocks.
    pub blocks: u32,
    /// Files it would add, replace (new contents) and remove.
    #[serde(flatten)]
    pub changes: Changes,
    /// Free blocks from `start` (absent: the medium would be formatted first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_blocks: Option<u64>,
    /// The session fits the free space (absent: not known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fits: Option<bool>,
    /// What the write would do first.
    pub notes: Vec<String>,
    /// Entries of the previous session that would not be carried forward.
    pub not_carried: Vec<NotCarried>,
}

/// `add --dry-run`: the session built as `add` builds it, through a reader's open of the
/// drive (no writer lock, nothing but reads sent), listed and not written.
fn dry_run(
    global: &GlobalArgs,
    a: &AddArgs,
    edits: &Edits,
    options: &AppendOptions,
    trace: u8,
) -> Result<(), CliError> {
    let spec = crate::device::resolve(global.dev.as_deref())?;
    let mut drive = mmc::drive::Drive::new(crate::device::open(&spec, trace)?);
    let r = mmc::job::append::dry_run(&mut drive, edits, options, &mut |e| {
        if let Event::NotCarried(p) = e {
            eprintln!(
                "discburn: warning: previous session: {}: would not be carried forward",
                crate::output::escape_name(&p.to_string())
            );
        }
    })
    .map_err(|e| fail(append_failure(&mut drive, a, &e)))?;
    let fits = r.fits();
    let s = DryRunSummary {
        dry_run: true,
        device: spec.to_string(),
        medium: r.medium.to_string(),
        session: r.session,
        start: r.start,
        blocks: r.blocks,
        changes: r.changes,
        free_blocks: r.free_blocks,
        fits,
        notes: r.notes,
        not_carried: r
            .not_carried
            .iter()
            .map(|p| NotCarried {
                path: p.path.clone(),
                reason: p.reason.clone(),
            })
            .collect(),
    };
    if global.json {
        outln!("{}", serde_json::to_string_pretty(&s).map_err(fail)?);
    } else {
        for (what, list) in [
            ("add", &s.changes.added),
            ("replace", &s.changes.replaced),
            ("remove", &s.changes.removed),
        ] {
            for p in list {
                outln!("{what} {}", crate::output::escape_name(p));
            }
        }
        for n in &s.notes {
            outln!("note: {n}");
        }
        let space = match (s.free_blocks, fits) {
            (Some(f), Some(true)) => format!("fits: {f} blocks free"),
            (Some(f), _) => format!("does NOT fit: {f} blocks free"),
            _ => "free space not known until the medium is formatted".to_string(),
        };
        outln!(
            "dry run, nothing written: session {} would start at block {}: {} blocks ({:.1} MB) on the {}; files added {}, replaced {}, removed {}; {space}",
            if s.session == 0 { "?".to_string() } else { s.session.to_string() },
            s.start,
            s.blocks,
            f64::from(s.blocks) * 2048.0 / 1e6,
            s.medium,
            s.changes.added.len(),
            s.changes.replaced.len(),
            s.changes.removed.len(),
        );
    }
    if fits == Some(false) {
        return Err(CliError::Failed(format!(
            "add --dry-run: the session ({} blocks) would not fit: {} blocks free from block {}",
            s.blocks,
            s.free_blocks.unwrap_or(0),
            s.start
        )));
    }
    Ok(())
}

/// Runs `add`.
pub fn run(global: &GlobalArgs, a: &AddArgs) -> Result<(), CliError> {
    if a.mirror.is_some() && a.paths.iter().any(|p| !p.starts_with('-')) {
        return Err(CliError::Usage(
            "add: --mirror DIR makes the session equal DIR; give no other PATH".into(),
        ));
    }
    if a.paths.is_empty() && a.remove.is_empty() && a.mirror.is_none() {
        return Err(CliError::Usage(
            "add: give the files or directories to add (or --remove PATH)".into(),
        ));
    }
    let (image, mut scan, mut specs) = image_options(a)?;
    scan.exclude
        .extend(a.exclude.iter().map(|p| isofs::names::Glob(p.clone())));
    if let Some(m) = &a.mirror {
        if !m.is_dir() {
            return Err(CliError::Usage(format!(
                "add: --mirror {}: not a directory",
                m.display()
            )));
        }
        specs.push(("/".into(), m.display().to_string()));
    }
    let mut remove = a.remove.clone();
    remove.extend(mkisofs_removals(a)?);
    let edits = Edits {
        remove,
        add: specs
            .into_iter()
            .map(|(d, s)| (d, PathBuf::from(s)))
            .collect(),
        scan,
        mirror: a.mirror.is_some(),
    };
    let options = AppendOptions {
        image,
        close: a.close,
        speed_x: a.common.speed,
        fifo_size: match &a.common.fifo_size {
            Some(s) => parse_size(s)? as usize,
            None => job::DEFAULT_FIFO,
        },
        verify: !a.common.no_verify,
        verify_md5: a.common.verify_md5,
        fresh_tree: a.fresh_tree,
        cancel: Some(job::interrupt_flag()),
        ecc_percent: a.ecc,
    };
    let trace = global.verbose.saturating_sub(1);
    if a.dry_run {
        if global.devs.len() > 1 {
            return Err(CliError::Usage(
                "add --dry-run takes one --dev (give each drive its own dry run)".into(),
            ));
        }
        return dry_run(global, a, &edits, &options, trace);
    }
    if global.devs.len() > 1 {
        return super::many::add(global, a, &edits, &options);
    }
    let (spec, mut drive) = open_for_writing(global.dev.as_deref(), trace, a.common.force)?;
    let mut display = job::Display::new(Mode::detect(global.json), a.common.quiet);
    let r = append(&mut drive, &edits, &options, &mut |e| match e {
        Event::NotCarried(p) => eprintln!(
            "discburn: warning: previous session: {}: not carried forward",
            crate::output::escape_name(&p.to_string())
        ),
        Event::NotWhole(w) => {
            log::warn!("{w}: --fresh-tree given, its files are not carried forward")
        }
        e => display.event(e),
    })
    .map_err(|e| fail(append_failure(&mut drive, a, &e)))?;
    job::commit_notes(&r.commit_notes);
    if a.common.eject {
        drive.eject().map_err(|e| fail(format!("eject: {e}")))?;
    }
    print_summary(&summary(spec.to_string(), &r), global.json)
}

/// The summary of a session `add` wrote to `device`.
pub(crate) fn summary(device: String, r: &AppendReport) -> AddSummary {
    AddSummary {
        device,
        medium: r.medium.to_string(),
        session: r.session,
        start: r.start,
        blocks: r.blocks,
        added: r.added,
        replaced: r.replaced,
        removed: r.removed,
        appendable: r.appendable,
        md5: pipeline::hex(&r.md5),
        verified: r.verified,
        read_back_md5: r.read_back_md5.as_ref().map(pipeline::hex),
        blocks_left: r.blocks_left,
        seconds: r.seconds,
        fifo_min_percent: r.fifo_min_percent,
        not_carried: r
            .not_carried
            .iter()
            .map(|p| NotCarried {
                path: p.path.clone(),
                reason: p.reason.clone(),
            })
            .collect(),
        ecc: r.ecc,
    }
}

/// Prints `add`'s summary (text or JSON) on stdout.
pub(crate) fn print_summary(s: &AddSummary, json: bool) -> Result<(), CliError> {
    if json {
        outln!("{}", serde_json::to_string_pretty(&s).map_err(fail)?);
    } else {
        outln!("{}", summary_line(s));
        if let Some(l) = ecc_line(s) {
            outln!("{l}");
        }
    }
    Ok(())
}

/// The line about the repair data written after the session (`--ecc`), if any.
pub(crate) fn ecc_line(s: &AddSummary) -> Option<String> {
    s.ecc.as_ref().map(|e| {
        format!(
            "repair data: {} % = {} parity blocks in {} codewords after the session's {} blocks (header at block {}); `discburn read --repair` restores the session",
            e.percent, e.parity_blocks, e.codewords, e.session_blocks, e.header_lba
        )
    })
}

/// `add`'s summary line.
pub(crate) fn summary_line(s: &AddSummary) -> String {
    format!(
        "session {} written at block {}: {} blocks ({:.1} MB) on the {}; files added {}, replaced {}, removed {}; {}{}; {} blocks left",
        if s.session == 0 { "?".to_string() } else { s.session.to_string() },
        s.start,
        s.blocks,
        f64::from(s.blocks) * 2048.0 / 1e6,
        s.medium,
        s.added,
        s.replaced,
        s.removed,
        if s.verified { format!("verified (MD5 {}), ", s.md5) } else { String::new() },
        if s.appendable { "disc appendable" } else { "disc closed" },
        s.blocks_left
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grafts() {
        assert_eq!(graft("dir"), ("/".to_string(), "dir"));
        assert_eq!(graft("a/b=src"), ("/a/b".to_string(), "src"));
        assert_eq!(graft("/x\\=y=s"), ("/x=y".to_string(), "s"));
    }
}
