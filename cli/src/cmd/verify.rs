//! `discburn verify`: compare a session on the disc with an image byte for byte, or with a
//! source tree file by file (through the isofs reader: ECMA-119 directories with Rock Ridge,
//! RRIP PX/TF/SL): content (MD5), size, type, and where Rock Ridge recorded them the mode,
//! owner, group, modification time and symbolic link target. Every difference is listed;
//! files lying on unreadable blocks are named with the blocks. Disc names that `extract`
//! refuses (`isofs::extract::safe_name`: `..`, `/`, ...) are listed as `unsafe_name` and
//! not joined onto the tree; the tree is entered only below directories that are real
//! directories (not links) on both sides, so nothing outside DIR is read.
//!
//! With neither, the session is checked against its own recorded MD5 checksums
//! (`verify_md5`).
//!
//! The session is `--session N`, else the last session on the disc. Exit status: 0 when
//! nothing differs, 1 otherwise.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use mmc::rescue::{self, Area, AreaSpec};
use serde::Serialize;

use crate::args::GlobalArgs;
use crate::cmd::{open_drive, CliDrive};
use crate::error::CliError;
use crate::output::{self, Report};
use mmc::job::md5::Md5;
use transport::io::read_zero_filled;

/// `discburn verify`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("against").args(["image", "tree"])))]
pub struct VerifyArgs {
    /// The session to compare (default: the last one).
    #[arg(long, value_name = "N")]
    pub session: Option<u16>,
    /// Compare with this image, byte for byte (its block 0 at the session start).
    #[arg(long, value_name = "FILE")]
    pub image: Option<PathBuf>,
    /// Compare with this directory tree, file by file. With neither --image nor --tree
    /// the session is checked against the MD5 checksums it records (add, mkisofs --md5,
    /// xorriso -md5 on): every file, the session's tags and its MD5.
    #[arg(long, value_name = "DIR")]
    pub tree: Option<PathBuf>,
}

/// One difference.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// The file (tree mode) or `LBA a-b` (image mode).
    pub what: String,
    /// `content`, `size`, `type`, `mode`, `uid`, `gid`, `mtime`, `symlink`, `only_on_disc`,
    /// `only_in_tree`, `unreadable`, `length`, `unsafe_name` (a disc name `extract` refuses:
    /// not compared, nor what it holds).
    pub kind: &'static str,
    /// Details (`disc 0o644, tree 0o600`, `blocks 100-199`).
    pub detail: String,
}

/// The `verify` report.
#[derive(Debug, Serialize)]
pub struct VerifyReport {
    /// The device as named.
    pub device: String,
    /// The session compared.
    pub area: Area,
    /// What it was compared with.
    pub against: String,
    /// Files (tree mode) or blocks (image mode) compared.
    pub compared: u64,
    /// Unreadable block ranges met.
    pub unreadable: Vec<(u32, u32)>,
    /// Every difference.
    pub differences: Vec<Difference>,
    /// What the ISO 9660 reader noted about the session (tree mode; also on stderr).
    pub warnings: Vec<String>,
}

impl Report for VerifyReport {
    fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "verify LBA {}..{} of {} against {}: {} compared",
            self.area.start,
            self.area.end(),
            self.device,
            self.against,
            self.compared
        )?;
        for d in &self.differences {
            writeln!(out, "{}: {}: {}", d.kind, d.what, d.detail)?;
        }
        if self.differences.is_empty() {
            writeln!(out, "no differences")?;
        } else {
            writeln!(out, "{} differences", self.differences.len())?;
        }
        Ok(())
    }
}

fn ranges_text(r: &[(u32, u32)]) -> String {
    r.iter()
        .map(|(a, b)| {
            if a == b {
                format!("{a}")
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The sessions of an overwritable medium (DVD+RW, BD-RE..., or a pressed copy of one),
/// where the drive reports one session holding everything and the sessions are emulated
/// in the ISO 9660 data (libisoburn's layout: the first at 32, each found by the previous
/// one's volume space size; `isofs::sessions`): (start, blocks up to the next session or
/// the end of the volume). `None` when the drive reports more than one session, or the
/// descriptors name one session at block 0.
fn emulated_sessions(drive: &mut CliDrive) -> Option<Vec<Area>> {
    let reported = drive.disc_info().map_or(1, |d| d.view().sessions());
    if reported > 1 {
        return None;
    }
    let list = isofs::sessions(&mut *drive).ok()?;
    if list.len() < 2 && list.first().is_none_or(|s| s.start == 0) {
        return None;
    }
    // The last ends where the copy at block 16 says the volume ends (its volume space
    // size counts from block 0 in libisoburn's layout and in ours), else at the medium's.
    let capacity = drive.read_capacity().ok()?.0.saturating_add(1);
    let mut b = vec![0u8; 2048];
    let copy_end = drive
        .read_blocks(16, &mut b)
        .ok()
        .and_then(|()| isofs::wire::vd::space_size_of(&b));
    let last = list.last().map_or(0, |s| s.start);
    let end = copy_end
        .filter(|&e| e > last && e <= capacity)
        .unwrap_or(capacity);
    let starts: Vec<u32> = list.iter().map(|s| s.start).collect();
    Some(
        starts
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let e = starts.get(i + 1).copied().unwrap_or(end).max(s);
                Area {
                    start: s,
                    blocks: e - s,
                }
            })
            .collect(),
    )
}

/// The session to compare: `n`, else the last recorded one.
fn session_area(drive: &mut CliDrive, n: Option<u16>) -> Result<Area, CliError> {
    let fail = |e: rescue::RescueError| CliError::Failed(e.to_string());
    if let Some(list) = emulated_sessions(drive) {
        let k = n.map_or(list.len(), usize::from);
        return match k.checked_sub(1).and_then(|i| list.get(i)) {
            Some(a) => Ok(*a),
            None => Err(CliError::Failed(format!(
                "the disc has no session {k} (it holds {})",
                list.len()
            ))),
        };
    }
    if let Some(n) = n {
        return rescue::area::resolve(drive, AreaSpec::Session(n)).map_err(fail);
    }
    let count = drive
        .disc_info()
        .map(|d| d.view().sessions())
        .unwrap_or(1)
        .max(1);
    let mut last_err = None;
    for s in (1..=count).rev() {
        match rescue::area::resolve(drive, AreaSpec::Session(s)) {
            Ok(a) => return Ok(a),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.map_or_else(|| CliError::Failed("no session on the disc".into()), fail))
}

/// Runs `discburn verify`.
pub fn run(global: &GlobalArgs, a: &VerifyArgs) -> Result<(), CliError> {
    let (mut drive, device) = open_drive(global)?;
    let area = session_area(&mut drive, a.session)?;
    let report = if let Some(img) = &a.image {
        verify_image(&mut drive, device, area, img)?
    } else if let Some(tree) = &a.tree {
        verify_tree(&mut drive, device, area, tree)?
    } else {
        crate::cmd::verify_md5::verify_recorded(&mut drive, device, area)?
    };
    output::emit(&report, global.json)?;
    if report.differences.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "{} differences",
            report.differences.len()
        )))
    }
}

fn verify_image(
    drive: &mut CliDrive,
    device: String,
    area: Area,
    img: &Path,
) -> Result<VerifyReport, CliError> {
    let fail = |e: io::Error| CliError::Failed(format!("{}: {e}", img.display()));
    let mut f = fs::File::open(img).map_err(fail)?;
    let len = f.metadata().map_err(fail)?.len();
    let img_blocks = u32::try_from(len.div_ceil(2048))
        .map_err(|_| CliError::Failed(format!("{}: too large for a disc", img.display())))?;
    let mut diffs = Vec::new();
    if img_blocks != area.blocks {
        diffs.push(Difference {
            what: format!("session at LBA {}", area.start),
            kind: "length",
            detail: format!("disc {} blocks, image {} blocks", area.blocks, img_blocks),
        });
    }
    let n = img_blocks.min(area.blocks);
    let mut differ: Vec<u32> = Vec::new();
    let mut bad: Vec<u32> = Vec::new();
    let mut want = vec![0u8; 0];
    rescue::read_with_holes(drive, area.start, n, None, &mut |lba, data| {
        match data {
            None => {
                bad.push(lba);
                // Keep the image reader in step.
                want.resize(2048, 0);
                read_zero_filled(&mut f, &mut want)
            }
            Some(d) => {
                want.resize(d.len(), 0);
                read_zero_filled(&mut f, &mut want)?;
                for (i, (x, y)) in d.chunks(2048).zip(want.chunks(2048)).enumerate() {
                    if x != y {
                        differ.push(lba + i as u32);
                    }
                }
                Ok(())
            }
        }
    })
    .map_err(|e| CliError::Failed(e.to_string()))?;
    let unreadable = rescue::scan::ranges(&bad);
    for (a, b) in &unreadable {
        diffs.push(Difference {
            what: format!("LBA {a}-{b}"),
            kind: "unreadable",
            detail: format!("{} blocks could not be read", b - a + 1),
        });
    }
    for (a, b) in rescue::scan::ranges(&differ) {
        diffs.push(Difference {
            what: format!("LBA {a}-{b}"),
            kind: "content",
            detail: format!(
                "{} blocks differ (image bytes {:#x}..{:#x})",
                b - a + 1,
                u64::from(a - area.start) * 2048,
                u64::from(b + 1 - area.start) * 2048
            ),
        });
    }
    diffs.sort_by_key(|d| d.what.clone());
    Ok(VerifyReport {
        device,
        area,
        against: img.display().to_string(),
        compared: u64::from(n),
        unreadable,
        differences: diffs,
        warnings: Vec::new(),
    })
}

/// What the disc says about one entry.
struct DiscFile {
    entry: isofs::read::Entry,
}

fn verify_tree(
    drive: &mut CliDrive,
    device: String,
    area: Area,
    tree: &Path,
) -> Result<VerifyReport, CliError> {
    let fail =
        |e: &dyn std::fmt::Display| CliError::Failed(format!("session at LBA {}: {e}", area.start));
    let mut entries: BTreeMap<String, DiscFile> = BTreeMap::new();
    let warnings = {
        let mut vol =
            isofs::read::Volume::open(&mut *drive, area.start, None).map_err(|e| fail(&e))?;
        crate::cmd::ls::print_warnings(
            &format!("session at LBA {}", area.start),
            &vol.info().warnings,
        );
        let root = vol.root().clone();
        vol.walk(&root, &mut |p, e| {
            entries.insert(p.to_string(), DiscFile { entry: e.clone() });
            Ok(())
        })
        .map_err(|e| fail(&e))?;
        vol.info().warnings.clone()
    };
    let mut diffs: Vec<Difference> = Vec::new();
    let mut unreadable_all: Vec<u32> = Vec::new();
    let mut diff = |what: &str, kind: &'static str, detail: String| {
        diffs.push(Difference {
            what: what.to_string(),
            kind,
            detail,
        })
    };
    // Paths that are real directories on both sides: only below them is the tree entered,
    // so a disc name never reaches outside DIR, through `..` or through a link in the tree.
    let mut dirs_ok: HashSet<&str> = HashSet::new();
    // Directories with a refused name: what they hold is not compared.
    let mut refused: HashSet<&str> = HashSet::new();
    for (path, df) in &entries {
        let e = &df.entry;
        let parent = path
            .len()
            .checked_sub(e.name.len() + 1)
            .and_then(|n| path.get(..n))
            .unwrap_or("");
        if refused.contains(parent) {
            if e.is_dir {
                refused.insert(path);
            }
            continue;
        }
        if let Err(err) = isofs::extract::safe_name(&e.name) {
            diff(
                path,
                "unsafe_name",
                format!("{err}: not compared (extract refuses it too)"),
            );
            if e.is_dir {
                refused.insert(path);
            }
            continue;
        }
        if !parent.is_empty() && !dirs_ok.contains(parent) {
            diff(path, "only_on_disc", format!("not in {}", tree.display()));
            continue;
        }
        let local = tree.join(path);
        let meta = match fs::symlink_metadata(&local) {
            Ok(m) => m,
            Err(_) => {
                diff(path, "only_on_disc", format!("not in {}", tree.display()));
                continue;
            }
        };
        let disc_kind = if e.is_symlink() {
            "symlink"
        } else if e.is_dir {
            "directory"
        } else {
            "file"
        };
        let ft = meta.file_type();
        let tree_kind = if ft.is_symlink() {
            "symlink"
        } else if ft.is_dir() {
            "directory"
        } else if ft.is_file() {
            "file"
        } else {
            "special"
        };
        if disc_kind != tree_kind {
            diff(path, "type", format!("disc {disc_kind}, tree {tree_kind}"));
            continue;
        }
        if disc_kind == "directory" {
            dirs_ok.insert(path);
        }
        if let Some(t) = &e.symlink {
            let lt = fs::read_link(&local)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            if *t != lt {
                diff(path, "symlink", format!("disc -> {t}, tree -> {lt}"));
            }
        }
        compare_meta(path, e, &meta, &mut diff);
        if disc_kind != "file" {
            continue;
        }
        if e.size != meta.len() {
            diff(
                path,
                "size",
                format!("disc {} bytes, tree {} bytes", e.size, meta.len()),
            );
        }
        // Content: MD5 of the disc's extents (unreadable blocks as zeros) and of the file.
        let mut h = Md5::new();
        let mut bad: Vec<u32> = Vec::new();
        for &(lba, len) in &e.extents {
            let mut left = u64::from(len);
            rescue::read_with_holes(drive, lba, len.div_ceil(2048), None, &mut |l, d| {
                let zero = [0u8; 2048];
                let data: &[u8] = match d {
                    Some(d) => d,
                    None => {
                        bad.push(l);
                        &zero
                    }
                };
                let take = (data.len() as u64).min(left) as usize;
                h.update(&data[..take]);
                left -= take as u64;
                Ok(())
            })
            .map_err(|e| fail(&e))?;
        }
        let disc_md5 = h.finalize();
        let tree_md5 = match md5_file(&local) {
            Ok(m) => m,
            Err(err) => {
                diff(
                    path,
                    "content",
                    format!("cannot read the tree's file: {err}"),
                );
                continue;
            }
        };
        if !bad.is_empty() {
            let r = rescue::scan::ranges(&bad);
            diff(
                path,
                "unreadable",
                format!("lies on unreadable blocks {}", ranges_text(&r)),
            );
            unreadable_all.extend(bad.iter());
        }
        if disc_md5[..] != tree_md5[..] {
            diff(
                path,
                "content",
                format!("MD5 disc {}, tree {}", hex(&disc_md5), hex(&tree_md5)),
            );
        }
    }
    // Entries of the tree the disc lacks.
    let disc_paths: BTreeSet<&String> = entries.keys().collect();
    let mut stack = vec![(tree.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let rd =
            fs::read_dir(&dir).map_err(|e| CliError::Failed(format!("{}: {e}", dir.display())))?;
        for ent in rd.flatten() {
            let name = ent.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if !disc_paths.contains(&rel) {
                diff(&rel, "only_in_tree", "not on the disc".into());
                continue;
            }
            if ent.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push((ent.path(), rel));
            }
        }
    }
    unreadable_all.sort_unstable();
    unreadable_all.dedup();
    diffs.sort_by(|a, b| (a.what.as_str(), a.kind).cmp(&(b.what.as_str(), b.kind)));
    Ok(VerifyReport {
        device,
        area,
        against: tree.display().to_string(),
        compared: entries.len() as u64,
        unreadable: rescue::scan::ranges(&unreadable_all),
        differences: diffs,
        warnings,
    })
}

fn md5_file(p: &Path) -> io::Result<Vec<u8>> {
    let mut f = fs::File::open(p)?;
    let mut h = Md5::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().to_vec())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Rock Ridge metadata against the tree's (Unix only: elsewhere the tree has no such
/// fields).
#[cfg(unix)]
fn compare_meta(
    path: &str,
    e: &isofs::read::Entry,
    meta: &fs::Metadata,
    diff: &mut dyn FnMut(&str, &'static str, String),
) {
    use std::os::unix::fs::MetadataExt;
    if let Some(m) = e.mode {
        if m & 0o7777 != meta.mode() & 0o7777
            || (m & 0o170000 != 0 && m & 0o170000 != meta.mode() & 0o170000)
        {
            diff(
                path,
                "mode",
                format!("disc {:o}, tree {:o}", m, meta.mode()),
            );
        }
    }
    if let Some(u) = e.uid {
        if u != meta.uid() {
            diff(path, "uid", format!("disc {u}, tree {}", meta.uid()));
        }
    }
    if let Some(g) = e.gid {
        if g != meta.gid() {
            diff(path, "gid", format!("disc {g}, tree {}", meta.gid()));
        }
    }
    // Directory and symlink times change with the writing of the tree; files only.
    if let (Some(t), true) = (e.mtime, meta.file_type().is_file()) {
        if t.secs != meta.mtime() {
            diff(
                path,
                "mtime",
                format!("disc {}, tree {}", t.secs, meta.mtime()),
            );
        }
    }
}

#[cfg(not(unix))]
fn compare_meta(
    _path: &str,
    _e: &isofs::read::Entry,
    _meta: &fs::Metadata,
    _diff: &mut dyn FnMut(&str, &'static str, String),
) {
}
