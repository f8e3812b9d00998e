//! `discburn ls [IMAGE] [--session N] [--namespace TREE] [-l] [-R] [PATH]`: list a session of an image file or
//! of the disc in `--dev` (through the drive), with Rock Ridge metadata.
//!
//! `--json` prints `{"session": {"start": N, "volume_id": "..."}, "namespace": "RockRidge",
//! "entries": [{"path", "type" ("file"|"dir"|"symlink"|"char"|"block"|"fifo"|"socket"),
//! "size", "mode", "uid", "gid", "nlink", "ino", "mtime" (Unix seconds), "target", "rdev",
//! "lba", "extents"}], "warnings": ["..."]}`; `warnings` holds what the reader noted while
//! opening the session (also printed to stderr as `warning: ...`), e.g. a damaged root "."
//! record when `--namespace` chose another tree than Rock Ridge.
//!
//! Human output shows setuid/setgid/sticky as `s`/`S`/`t`/`T` and names and link targets
//! with control characters escaped as GNU `ls -b` does (`output::escape_name`); JSON
//! carries them exactly.

use std::io::Write;
use std::path::Path;

use isofs::{Entry, FileSource, SectorSource, Volume};
use serde::Serialize;

use crate::args::{GlobalArgs, LsArgs, NamespaceArg};
use crate::error::CliError;
use crate::output::escape_name;

/// An image file, or the drive `--dev` names.
pub enum Source {
    /// An LBA-addressed image file.
    File(FileSource),
    /// A drive.
    Drive(Box<crate::cmd::CliDrive>),
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::File(_) => "Source::File",
            Source::Drive(_) => "Source::Drive",
        })
    }
}

impl SectorSource for Source {
    fn read_sectors(&mut self, lba: u32, buf: &mut [u8]) -> std::io::Result<()> {
        match self {
            Source::File(f) => f.read_sectors(lba, buf),
            Source::Drive(d) => d.read_sectors(lba, buf),
        }
    }
    fn sector_count(&mut self) -> std::io::Result<Option<u64>> {
        match self {
            Source::File(f) => f.sector_count(),
            Source::Drive(d) => d.sector_count(),
        }
    }
}

impl Source {
    /// The sessions: from the drive's TOC (data track starts holding a volume descriptor
    /// set) when it has several, or when the first data track does not start at block 0
    /// (an Enhanced CD, Blue Book: audio session first, the ISO 9660 volume in a later
    /// one); else found from the volume descriptors alone.
    pub fn sessions(&mut self, name: &str) -> Result<Vec<isofs::read::SessionInfo>, CliError> {
        if let Source::Drive(d) = self {
            if let Ok(toc) = d.toc(false) {
                let starts: Vec<u32> = toc
                    .tracks
                    .iter()
                    .filter(|t| t.is_data() && !t.is_leadout() && t.start.lba() >= 0)
                    .map(|t| t.start.lba() as u32)
                    .collect();
                let found = isofs::read::sessions_at(self, &starts);
                if found.len() > 1 || found.first().is_some_and(|s| s.start > 0) {
                    return Ok(found);
                }
            }
        }
        isofs::sessions(self).map_err(|e| CliError::Failed(format!("{name}: {e}")))
    }
}

/// Opens an image file, or the drive `--dev` names.
pub fn open_source(
    global: &GlobalArgs,
    image: Option<&Path>,
) -> Result<(Source, String), CliError> {
    match image {
        Some(p) => {
            let f = FileSource::open(p)
                .map_err(|e| CliError::Failed(format!("{}: {e}", p.display())))?;
            Ok((Source::File(f), p.display().to_string()))
        }
        None => {
            let (drive, name) = crate::cmd::open_drive(global)?;
            Ok((Source::Drive(Box::new(drive)), name))
        }
    }
}

/// Finds the session to read: `n` (1-based) or the last one.
pub fn pick_session(
    src: &mut Source,
    name: &str,
    n: Option<usize>,
) -> Result<isofs::read::SessionInfo, CliError> {
    let list = src.sessions(name)?;
    let k = n.unwrap_or(list.len());
    if k == 0 || k > list.len() {
        return Err(CliError::Usage(format!(
            "--session {k}: {name} has {} session(s)",
            list.len()
        )));
    }
    Ok(list[k - 1].clone())
}

/// Opens the chosen session, reading the `prefer` tree when given, and prints the
/// problems the reader noted while opening it (`warning: NAME: ...` on stderr).
pub fn open_volume(
    global: &GlobalArgs,
    image: Option<&Path>,
    session: Option<usize>,
    prefer: Option<NamespaceArg>,
) -> Result<(Volume<Source>, String), CliError> {
    let (mut src, name) = open_source(global, image)?;
    let s = pick_session(&mut src, &name, session)?;
    let vol = Volume::open(src, s.start, prefer.map(Into::into))
        .map_err(|e| CliError::Failed(format!("{name}: {e}")))?;
    print_warnings(&name, &vol.info().warnings);
    Ok((vol, name))
}

/// Prints the reader's warnings about a volume of `name` to stderr, one `warning:` line each.
pub fn print_warnings(name: &str, warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {name}: {w}");
    }
}

/// One listed entry (JSON shape).
#[derive(Debug, Serialize)]
pub struct Listed {
    /// Path in the image.
    pub path: String,
    /// Type word.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Size in bytes.
    pub size: u64,
    /// Mode bits (Rock Ridge), else null.
    pub mode: Option<u32>,
    /// Owner.
    pub uid: Option<u32>,
    /// Group.
    pub gid: Option<u32>,
    /// Link count.
    pub nlink: Option<u32>,
    /// Serial number.
    pub ino: Option<u32>,
    /// Modification time, Unix seconds.
    pub mtime: Option<i64>,
    /// Symbolic link target.
    pub target: Option<String>,
    /// Device number.
    pub rdev: Option<u64>,
    /// First block.
    pub lba: u32,
    /// Number of extents.
    pub extents: usize,
}

/// The type word of an entry.
pub fn kind(e: &Entry) -> &'static str {
    if e.is_dir {
        return "dir";
    }
    if e.symlink.is_some() {
        return "symlink";
    }
    match e.mode.map(|m| m & 0o170000) {
        Some(0o020000) => "char",
        Some(0o060000) => "block",
        Some(0o010000) => "fifo",
        Some(0o140000) => "socket",
        _ => "file",
    }
}

fn mode_string(e: &Entry) -> String {
    let t = match kind(e) {
        "dir" => 'd',
        "symlink" => 'l',
        "char" => 'c',
        "block" => 'b',
        "fifo" => 'p',
        "socket" => 's',
        _ => '-',
    };
    let m = e.mode.unwrap_or(if e.is_dir { 0o555 } else { 0o444 });
    let mut s = String::with_capacity(10);
    s.push(t);
    for (i, c) in "rwxrwxrwx".chars().enumerate() {
        let set = m & (1 << (8 - i)) != 0;
        // The execute column shows setuid, setgid and sticky as GNU ls does: s/t with
        // execute, S/T without.
        let special = match i {
            2 => (m & 0o4000 != 0).then_some(('s', 'S')),
            5 => (m & 0o2000 != 0).then_some(('s', 'S')),
            8 => (m & 0o1000 != 0).then_some(('t', 'T')),
            _ => None,
        };
        s.push(match (special, set) {
            (Some((x, _)), true) => x,
            (Some((_, no_x)), false) => no_x,
            (None, true) => c,
            (None, false) => '-',
        });
    }
    s
}

fn time_string(secs: Option<i64>) -> String {
    let Some(s) = secs else { return "-".into() };
    let (y, mo, d) = isofs::wire::civil_from_days(s.div_euclid(86_400));
    let sod = s.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02} {:02}:{:02}",
        sod / 3600,
        sod / 60 % 60
    )
}

fn listed(path: &str, e: &Entry) -> Listed {
    Listed {
        path: path.to_string(),
        kind: kind(e),
        size: e.size,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        nlink: e.nlink,
        ino: e.ino,
        mtime: e.mtime.map(|t| t.secs),
        target: e.symlink.clone(),
        rdev: e.rdev,
        lba: e.lba(),
        extents: e.extents.len(),
    }
}

/// Runs `discburn ls`.
pub fn run(global: &GlobalArgs, a: &LsArgs) -> Result<(), CliError> {
    let (mut vol, name) = open_volume(global, a.image.as_deref(), a.session, a.namespace)?;
    let fail = |e: isofs::ReadError| CliError::Failed(format!("{name}: {e}"));
    let path = a.path.clone().unwrap_or_else(|| "/".into());
    let top = vol.lookup(&path).map_err(fail)?;
    let mut out: Vec<Listed> = Vec::new();
    let prefix = path.trim_matches('/').to_string();
    let join = |p: &str| {
        if prefix.is_empty() {
            p.to_string()
        } else {
            format!("{prefix}/{p}")
        }
    };
    if !top.is_dir {
        out.push(listed(&prefix, &top));
    } else if a.recursive {
        vol.walk(&top, &mut |p, e| {
            out.push(listed(&join(p), e));
            Ok(())
        })
        .map_err(fail)?;
    } else {
        for e in vol.read_dir(&top).map_err(fail)? {
            out.push(listed(&join(&e.name), &e));
        }
    }
    if global.json {
        let info = vol.info();
        let doc = serde_json::json!({
            "source": name,
            "session": {"start": info.start, "volume_id": info.volume_id, "space_size": info.space_size},
            "namespace": format!("{:?}", vol.namespace()),
            "warnings": info.warnings,
            "entries": out,
        });
        outln!("{doc}");
        return Ok(());
    }
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    // A closed pipe (`discburn ls | head`) ends quietly with status 141 (see main).
    print_text(&mut w, &out, a.long).and_then(|()| w.flush())?;
    Ok(())
}

fn print_text(w: &mut dyn Write, out: &[Listed], long: bool) -> std::io::Result<()> {
    for l in out {
        if long {
            let e = Entry {
                is_dir: l.kind == "dir",
                mode: l.mode,
                symlink: l.target.clone(),
                ..Entry::default()
            };
            let size = match l.kind {
                "char" | "block" => {
                    let r = l.rdev.unwrap_or(0);
                    format!(
                        "{},{}",
                        (r >> 8) & 0xfff,
                        (r & 0xff) | ((r >> 12) & 0xfff00)
                    )
                }
                _ => l.size.to_string(),
            };
            write!(
                w,
                "{} {:>3} {:>5} {:>5} {:>12} {} {}",
                mode_string(&e),
                l.nlink.unwrap_or(1),
                l.uid.unwrap_or(0),
                l.gid.unwrap_or(0),
                size,
                time_string(l.mtime),
                escape_name(&l.path)
            )?;
            match &l.target {
                Some(t) => writeln!(w, " -> {}", escape_name(t))?,
                None => writeln!(w)?,
            }
        } else {
            writeln!(w, "{}", escape_name(&l.path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(mode: u32) -> String {
        mode_string(&Entry {
            mode: Some(mode),
            is_dir: mode & 0o170000 == 0o040000,
            ..Entry::default()
        })
    }

    #[test]
    fn special_bits_show_as_gnu_ls_shows_them() {
        assert_eq!(m(0o104755), "-rwsr-xr-x");
        assert_eq!(m(0o104644), "-rwSr--r--");
        assert_eq!(m(0o102755), "-rwxr-sr-x");
        assert_eq!(m(0o102745), "-rwxr-Sr-x");
        assert_eq!(m(0o041777), "drwxrwxrwt");
        assert_eq!(m(0o041776), "drwxrwxrwT");
        assert_eq!(m(0o107000), "---S--S--T");
        assert_eq!(m(0o100644), "-rw-r--r--");
    }
}
