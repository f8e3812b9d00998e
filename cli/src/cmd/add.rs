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
//! `--no-rock`/`--no-joliet` turn them off. `PATH` arguments are mkisofs pathspecs: a
//! directory's contents go to the root, `dest=src` grafts `src` at `dest`.

use std::collections::HashMap;
use std::path::Path;

use isofs::tree::{Data, Kind, NodeId};
use isofs::{Image, Options, RockRidge, ScanOptions, SectorSource, Tree};
use mmc::msinfo::{self, Msinfo};
use mmc::write::{self, Start, WriteMode, WriteOptions, OVERWRITABLE_FIRST_SESSION};

use crate::args::{AddArgs, GlobalArgs};
use crate::cmd::burn::{open_for_writing, parse_size};
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
}

/// An entry of the previous session `add` could not carry forward.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NotCarried {
    /// Its path in the previous session.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// Why the session at `s`, which `add` would skip, must not be skipped silently: it holds
/// a primary volume descriptor (ECMA-119 §8.4, so readers can see its files), it is not
/// the session an interrupted write left unfinished, and its first track is not damaged
/// (MMC-6 §6.27.3 Damage); `None` when skipping it is what recovery from a failed write
/// does (or there is no ISO 9660 volume to hide).
fn readable_but_not_whole(
    drive: &mut crate::cmd::CliDrive,
    s: u32,
    unfinished: Option<u32>,
) -> Option<String> {
    if unfinished == Some(s) {
        return None;
    }
    let ti = drive
        .track_info(mmc::cmd::track_info::TrackAddress::Lba(s))
        .ok()?;
    if ti.view().damage() {
        return None;
    }
    let mut b = vec![0u8; mmc::drive::BLOCK];
    drive.read_blocks(s.checked_add(16)?, &mut b).ok()?;
    if b[0] != 1 || &b[1..6] != b"CD001" {
        return None;
    }
    let vss = u32::from_le_bytes([b[80], b[81], b[82], b[83]]);
    // As the intact check reads it: a later session's volume counts from block 0 (mkisofs
    // -C) or, when smaller than its start, from the session's start.
    let end = if vss > s { vss } else { s.saturating_add(vss) };
    let recorded = ti.view().start().saturating_add(ti.view().size());
    Some(if end > recorded {
        format!(
            "its volume space size of {vss} blocks ends at block {end}, past its recorded \
             track, which ends at block {recorded}"
        )
    } else {
        format!(
            "its volume ends at block {end}, which is not in a recorded, undamaged track of \
             the same session"
        )
    })
}

/// Regular files of a tree by path, with their old extent when they have one.
fn files(tree: &Tree) -> HashMap<String, Option<u32>> {
    let mut out = HashMap::new();
    let mut stack: Vec<(NodeId, String)> = vec![(Tree::ROOT, String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        for &c in tree.children(dir) {
            let n = tree.node(c);
            if n.dead {
                continue;
            }
            let path = format!("{prefix}/{}", tree.name_str(c));
            match &n.kind {
                Kind::Dir(_) => stack.push((c, path)),
                Kind::File { data, .. } => {
                    let old = match data {
                        Data::Old { lba } => Some(*lba),
                        _ => None,
                    };
                    out.insert(path, old);
                }
                _ => {
                    out.insert(path, None);
                }
            }
        }
    }
    out
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
        if let Some(v) = &a.volid {
            opts.ids.volume = v.clone();
        }
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
        ..Options::default()
    };
    if let Some(v) = &a.volid {
        opts.ids.volume = v.clone();
    }
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

/// Runs `add`.
pub fn run(global: &GlobalArgs, a: &AddArgs) -> Result<(), CliError> {
    if a.paths.is_empty() && a.remove.is_empty() {
        return Err(CliError::Usage(
            "add: give the files or directories to add (or --remove PATH)".into(),
        ));
    }
    let trace = global.verbose.saturating_sub(1);
    let (spec, mut drive) = open_for_writing(global.dev.as_deref(), trace, a.common.force)?;
    let profile = write::check_device(&mut drive).map_err(fail)?;
    // A session an earlier write left unfinished is skipped. It is found, and the previous
    // session chosen, imported and edited, before it is closed: once closed (a reserved
    // track padded to its size) it can look complete, so an error before the write must not
    // leave it closed for the next run to trust.
    let unfinished = write::unfinished_session(&mut drive).map_err(fail)?;
    let ms = match (msinfo::msinfo(&mut drive), unfinished) {
        (Ok(m), _) => m,
        // A damaged last track the drive will not continue has no next writable address;
        // the session holding it is unfinished, is closed below, and the session before it
        // is the one to continue from (only the start is used here: the next writable
        // address is asked again after the close).
        (Err(e @ msinfo::MsinfoError::Damaged { .. }), Some(u)) => {
            log::info!("msinfo: {e}; the session at block {u} is unfinished");
            Msinfo::Appendable {
                last_session_start: u,
                next_writable: u,
            }
        }
        (Err(e), _) => return Err(fail(format!("msinfo: {e}"))),
    };
    let prev = match ms {
        Msinfo::Blank => None,
        Msinfo::Appendable {
            last_session_start, ..
        } => {
            let last = if profile.overwritable() {
                Some(last_session_start)
            } else {
                write::last_intact_session_excluding(&mut drive, last_session_start, unfinished)
                    .map_err(fail)?
            };
            if last != Some(last_session_start) {
                if let Some(why) =
                    readable_but_not_whole(&mut drive, last_session_start, unfinished)
                {
                    let what = format!(
                        "the previous session at block {last_session_start} holds an ISO 9660 \
                         volume that cannot be read whole ({why})"
                    );
                    if !a.fresh_tree {
                        return Err(fail(format!(
                            "{what}: a new session without its files would hide them; nothing \
                             was written (give --fresh-tree to write one anyway)"
                        )));
                    }
                    log::warn!("{what}: --fresh-tree given, its files are not carried forward");
                }
            }
            match last {
                Some(l) if l != last_session_start => log::warn!(
                    "the session at block {last_session_start} is incomplete (an earlier write \
                     failed): continuing from the intact session at block {l}"
                ),
                Some(_) => {}
                None => log::warn!("no intact session on the disc: writing a fresh tree"),
            }
            last
        }
    };
    let mut tree = Tree::new();
    let mut not_carried: Vec<NotCarried> = Vec::new();
    if let Some(last) = prev {
        log::info!("importing the session at block {last}");
        let done = isofs::merge::import_checked(&mut tree, &mut drive, last)
            .map_err(|e| fail(format!("reading the previous session at block {last}: {e}")))?;
        for p in &done.skipped {
            eprintln!(
                "discburn: warning: previous session: {}: not carried forward",
                crate::output::escape_name(&p.to_string())
            );
            not_carried.push(NotCarried {
                path: p.path.clone(),
                reason: p.reason.clone(),
            });
        }
    }
    let before = files(&tree);
    for r in &a.remove {
        let p = if r.starts_with('/') {
            r.clone()
        } else {
            format!("/{r}")
        };
        if !tree.remove_path(p.trim_end_matches('/')) {
            return Err(CliError::Failed(format!(
                "--remove {r}: no such file or directory in the last session"
            )));
        }
    }
    let (mut opts, scan, specs) = image_options(a)?;
    for r in &mkisofs_removals(a)? {
        let p = if r.starts_with('/') {
            r.clone()
        } else {
            format!("/{r}")
        };
        if !tree.remove_path(p.trim_end_matches('/')) {
            return Err(CliError::Failed(format!(
                "-remove {r}: no such file or directory in the last session"
            )));
        }
    }
    for (dest, src) in &specs {
        tree.add_source(dest, Path::new(src), &scan).map_err(fail)?;
    }
    if let Some(note) = write::close_interrupted_session(&mut drive).map_err(fail)? {
        log::warn!("{note}");
    }
    // The next writable address, after any close.
    let (session_opt, start) = match msinfo::msinfo(&mut drive) {
        Ok(Msinfo::Blank) if prev.is_none() => {
            let s = if profile.overwritable() {
                OVERWRITABLE_FIRST_SESSION
            } else {
                0
            };
            (if s == 0 { None } else { Some((0, s)) }, s)
        }
        Ok(Msinfo::Appendable { next_writable, .. }) => {
            (Some((prev.unwrap_or(0), next_writable)), next_writable)
        }
        Ok(Msinfo::Blank) => {
            return Err(fail(
                "msinfo: the disc reads as blank after closing an unfinished session; nothing \
                 was written",
            ))
        }
        Err(e) => return Err(fail(format!("msinfo: {e}"))),
    };
    opts.session = session_opt;
    let previous: Option<&mut dyn SectorSource> = if prev.is_some() {
        Some(&mut drive)
    } else {
        None
    };
    let image = Image::new(tree, opts, previous).map_err(fail)?;
    let after = files(image.tree());
    let added = after.keys().filter(|k| !before.contains_key(*k)).count();
    let removed = before.keys().filter(|k| !after.contains_key(*k)).count();
    let replaced = after
        .iter()
        .filter(|(k, v)| match before.get(*k) {
            Some(old) => old.is_none() || *v != old,
            None => false,
        })
        .count();
    let size = image.size_blocks();
    let wopts = WriteOptions {
        multi: !a.close,
        dummy: false,
        speed_kbps: a
            .common
            .speed
            .map(|x| (x * f64::from(profile.single_speed_kbps())).round() as u32),
        mode: WriteMode::Auto,
        bufe: true,
        start: Start::Append,
        reserve: true,
    };
    let plan = write::prepare(&mut drive, Some(size), &wopts)
        .map_err(|e| fail(job::refusal_message(&mut drive, &e)))?;
    if plan.start != start {
        return Err(CliError::Failed(format!(
            "the drive's next writable address is {} but msinfo said {start}: nothing was written",
            plan.start
        )));
    }
    let free = plan.free_blocks;
    let session = plan.session;
    let fifo_size = match &a.common.fifo_size {
        Some(s) => parse_size(s)? as usize,
        None => job::DEFAULT_FIFO,
    };
    let mut display = job::Display::new(Mode::detect(global.json), a.common.quiet);
    let cancel = job::interrupt_flag();
    let producer: pipeline::Producer =
        Box::new(move |w| image.write_to(w).map_err(|e| e.to_string()));
    let total = u64::from(size) * mmc::drive::BLOCK as u64;
    let mut burned = match pipeline::run(
        &mut drive,
        plan,
        Some(total),
        producer,
        fifo_size,
        &cancel,
        &mut |e| display.event(e),
    ) {
        Ok(b) => b,
        Err(f) => return Err(fail(job::failure_message(&mut drive, &f))),
    };
    // Verify before the commit (overwritable media): a session that does not read back as
    // sent never becomes current.
    let mut read_back_md5 = None;
    let verified = if a.common.no_verify {
        false
    } else {
        let read_back = pipeline::read_back_compare(
            &mut drive,
            burned.report.start,
            burned.report.blocks,
            &burned.units,
            a.common.verify_md5,
        )
        .map_err(|e| {
            let cause = format!("reading the session back: {e}");
            fail(job::verify_failure(&mut drive, &burned, &cause))
        })?;
        read_back_md5 = read_back.md5.as_ref().map(pipeline::hex);
        if let Some(cause) = read_back.problem(&burned.md5) {
            return Err(fail(job::verify_failure(&mut drive, &burned, &cause)));
        }
        true
    };
    job::commit(&mut drive, &mut burned).map_err(fail)?;
    if a.common.eject {
        drive.eject().map_err(|e| fail(format!("eject: {e}")))?;
    }
    let s = AddSummary {
        device: spec.to_string(),
        medium: profile.to_string(),
        session,
        start: burned.report.start,
        blocks: burned.report.blocks,
        added,
        replaced,
        removed,
        appendable: burned.report.appendable,
        md5: pipeline::hex(&burned.md5),
        verified,
        read_back_md5,
        blocks_left: pipeline::blocks_left(&mut drive, free, &burned),
        seconds: burned.seconds,
        fifo_min_percent: burned.fifo_min_percent,
        not_carried,
    };
    if global.json {
        outln!("{}", serde_json::to_string_pretty(&s).map_err(fail)?);
    } else {
        outln!(
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
        );
    }
    Ok(())
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
