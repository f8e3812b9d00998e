//! Extraction of a file or a tree from a [`Volume`] into a directory (ECMA-119 §9 names,
//! RRIP 1.12 §4.1.1 PX modes and owners, §4.1.3 SL links, §4.1.6 TF times), never writing
//! outside it, with the file-system semantics of POSIX.1-2017 `openat`, `mkdirat`,
//! `symlinkat`, `fchmod`, `fchown` and `futimens`.
//!
//! How it stays inside the target (Unix), whatever the image says and whatever another
//! local user does to the target while it runs:
//! - every name is one path component ([`safe_name`]: no `/`, `.`, `..`, NUL, empty);
//! - every entry is created relative to its parent directory's open descriptor; the
//!   descriptor of a directory is opened `O_DIRECTORY | O_NOFOLLOW`, so a symbolic link put
//!   in its place is refused, and once open no rename or swap of a path can redirect it;
//! - files are created `O_CREAT | O_EXCL | O_NOFOLLOW` (mode 0600 while written): the name
//!   must not exist, not even as a dangling symbolic link, so the inode written is always
//!   one this call created, never an existing file or a hard link to a file elsewhere;
//! - owner, mode and times go to the open descriptor (`fchown`, `fchmod`, `futimens`), never
//!   to a path; a file is written through the descriptor it was created with (mode 0000
//!   files included, the mode comes last); a symbolic link, which has no descriptor, gets
//!   its owner and times by name relative to its parent's descriptor with
//!   `AT_SYMLINK_NOFOLLOW`, which cannot follow it;
//! - directories are created 0700 and get their recorded mode and times after their
//!   contents, deepest first, so read-only directories extract as an unprivileged user;
//! - setuid, setgid and sticky bits are dropped and the umask applied unless
//!   [`ExtractOptions::preserve_permissions`] (tar's `-p`); with it, setuid (setgid) is
//!   still dropped from a file whose owner (group) is not the one recorded; owners are
//!   restored only with [`ExtractOptions::same_owner`], also for root (tar's default for
//!   root is the other way).
//!
//! Elsewhere (no `openat` family in std) the fallback creates directories by path
//! (`create_dir`, an existing one must not be a symbolic link) and files with
//! `create_new` (never an existing name), writes each file through the handle that created
//! it and sets its times and read-only flag through that handle; symbolic links are not
//! created and owners are never set. It does not protect against a directory swapped for
//! a link or junction by another user during the run.
//!
//! An entry that cannot be extracted (unsafe name, existing name, I/O error) is recorded as
//! a [`Problem`] and skipped with what is below it; the rest is extracted.

use std::io::{self, Write};
use std::path::{Component, Path};

use crate::read::{Entry, Namespace, ReadError, Volume, MAX_DEPTH};
use crate::tree::mode;
use crate::SectorSource;

/// How extraction treats permissions and owners (tar's `-p` and `--same-owner`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtractOptions {
    /// Keep setuid, setgid and sticky bits and ignore the umask (tar `-p`).
    pub preserve_permissions: bool,
    /// Give entries the owner and group Rock Ridge recorded (tar `--same-owner`).
    pub same_owner: bool,
    /// Permission bits to clear when not preserving permissions (the process umask).
    pub umask: u32,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        Self {
            preserve_permissions: false,
            same_owner: false,
            umask: 0o022,
        }
    }
}

/// One entry that was not extracted, or not extracted whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Path in the image, relative to the extracted entry's parent ('/'-separated).
    pub path: String,
    /// What went wrong.
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// What an extraction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// Regular files written.
    pub files: u64,
    /// Directories created or entered.
    pub dirs: u64,
    /// Symbolic links created.
    pub symlinks: u64,
    /// Special files (devices, FIFOs, sockets) not recreated.
    pub special_skipped: u64,
    /// Entries refused or extracted incompletely, in the order met.
    pub problems: Vec<Problem>,
}

/// Checks that an image name is one safe path component: not empty, not `.` or `..`, no
/// `/` and no NUL (and, on Windows, nothing the platform would read as a prefix or root).
/// The same check guards `extract`, `verify --tree` and the multisession import.
pub fn safe_name(name: &str) -> Result<&str, ReadError> {
    let separator = if cfg!(windows) {
        name.contains(['/', '\\', '\0'])
    } else {
        name.contains(['/', '\0'])
    };
    let mut comps = Path::new(name).components();
    match (comps.next(), comps.next()) {
        (Some(Component::Normal(c)), None) if !separator && c == std::ffi::OsStr::new(name) => {
            Ok(name)
        }
        _ => Err(ReadError::UnsafeName(name.to_string())),
    }
}

/// The process umask (Linux: read from `/proc/self/status`; elsewhere set and restored at
/// once, which is racy only against other threads creating files at that moment).
pub fn current_umask() -> u32 {
    #[cfg(target_os = "linux")]
    if let Ok(s) = std::fs::read_to_string("/proc/self/status") {
        if let Some(v) = s
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        {
            return v;
        }
    }
    #[cfg(unix)]
    {
        use rustix::fs::Mode;
        let old = rustix::process::umask(Mode::from_raw_mode(0o077));
        rustix::process::umask(old);
        old.as_raw_mode() as u32
    }
    #[cfg(not(unix))]
    0
}

/// Extracts `entry` (a file or a directory's contents) into the existing directory `dest`,
/// never writing outside it (see the module notes). A structurally broken tree (a loop,
/// nesting too deep, an unreadable directory) is refused before anything is written;
/// entries that cannot be extracted are listed in [`Extracted::problems`] and skipped.
pub fn extract<S: SectorSource>(
    vol: &mut Volume<S>,
    entry: &Entry,
    dest: &Path,
    opts: &ExtractOptions,
) -> Result<Extracted, ReadError> {
    let ex = |e: io::Error| ReadError::Extract {
        path: dest.to_path_buf(),
        source: e,
    };
    let root = os::open_root(dest).map_err(ex)?;
    let mut x = Job {
        vol,
        opts,
        out: Extracted::default(),
        ancestors: Vec::new(),
    };
    if entry.is_dir {
        // Validate the structure first (loops, depth, readable directories).
        x.vol.walk(entry, &mut |_, _| Ok(()))?;
        x.ancestors.push(entry.lba());
        x.dir_contents(entry, &root, "")?;
    } else {
        x.one(entry, &root, "");
    }
    Ok(x.out)
}

struct Job<'a, S: SectorSource> {
    vol: &'a mut Volume<S>,
    opts: &'a ExtractOptions,
    out: Extracted,
    ancestors: Vec<u32>,
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

impl<S: SectorSource> Job<'_, S> {
    fn problem(&mut self, path: &str, reason: impl std::fmt::Display) {
        self.out.problems.push(Problem {
            path: path.to_string(),
            reason: reason.to_string(),
        });
    }

    /// Extracts the entries of `dir` into the open directory `at`.
    fn dir_contents(&mut self, dir: &Entry, at: &os::Dir, prefix: &str) -> Result<(), ReadError> {
        if self.ancestors.len() > MAX_DEPTH {
            return Err(ReadError::TooDeep);
        }
        for k in self.vol.read_dir(dir)? {
            self.one(&k, at, prefix);
        }
        Ok(())
    }

    /// Extracts one entry into the open directory `at`; problems are recorded.
    fn one(&mut self, e: &Entry, at: &os::Dir, prefix: &str) {
        let path = join(prefix, &e.name);
        let name = match safe_name(&e.name) {
            Ok(n) => n,
            Err(err) => {
                let what = if e.is_dir { " (and what it holds)" } else { "" };
                self.problem(&path, format!("{err}: not extracted{what}"));
                return;
            }
        };
        if e.is_dir {
            self.dir(e, at, name, &path);
        } else if let Some(t) = &e.symlink {
            match os::symlink(at, name, t) {
                Ok(()) => {
                    self.out.symlinks += 1;
                    if let Err(err) = os::link_meta(at, name, e, self.opts) {
                        self.problem(&path, err);
                    }
                }
                Err(err) => self.problem(&path, format!("symbolic link not created: {err}")),
            }
        } else if matches!(
            e.mode.map(|m| m & mode::S_IFMT),
            Some(mode::S_IFIFO | mode::S_IFCHR | mode::S_IFBLK | mode::S_IFSOCK)
        ) {
            // Special files are not recreated (that needs mknod privileges and trust).
            log::info!("{path}: special file not extracted");
            self.out.special_skipped += 1;
        } else {
            self.file(e, at, name, &path);
        }
    }

    fn dir(&mut self, e: &Entry, at: &os::Dir, name: &str, path: &str) {
        let lba = e.lba();
        if self.ancestors.contains(&lba) {
            self.problem(path, ReadError::Loop(lba));
            return;
        }
        let e = if self.vol.namespace() == Namespace::RockRidge {
            match self.vol.with_dot_attrs(e.clone()) {
                Ok(e) => e,
                Err(err) => {
                    self.problem(path, err);
                    return;
                }
            }
        } else {
            e.clone()
        };
        let d = match os::make_dir(at, name) {
            Ok(d) => d,
            Err(err) => {
                self.problem(path, format!("directory not created: {err}"));
                return;
            }
        };
        self.out.dirs += 1;
        self.ancestors.push(lba);
        let r = self.dir_contents(&e, &d, path);
        self.ancestors.pop();
        if let Err(err) = r {
            self.problem(path, format!("contents not extracted: {err}"));
        }
        // The recorded mode and times, after the contents (deepest first).
        if let Err(err) = os::dir_meta(&d, &e, self.opts) {
            self.problem(path, err);
        }
    }

    fn file(&mut self, e: &Entry, at: &os::Dir, name: &str, path: &str) {
        let f = match os::create_file(at, name) {
            Ok(f) => f,
            Err(err) => {
                self.problem(path, format!("file not created: {err}"));
                return;
            }
        };
        let mut w = io::BufWriter::with_capacity(1 << 17, &f);
        let r = self.vol.read_file(e, &mut w).and_then(|()| {
            w.flush().map_err(|s| ReadError::Extract {
                path: path.into(),
                source: s,
            })
        });
        drop(w);
        match r {
            Ok(()) => self.out.files += 1,
            Err(err) => {
                self.problem(path, format!("contents incomplete: {err}"));
                return;
            }
        }
        if let Err(err) = os::file_meta(&f, e, self.opts) {
            self.problem(path, err);
        }
    }
}

/// The permission bits to set on an entry of recorded mode `m` (None: not recorded).
fn wanted_mode(e: &Entry, opts: &ExtractOptions) -> u32 {
    let m = match e.mode {
        Some(m) => m & 0o7777,
        None if e.is_dir => 0o777,
        None => 0o666,
    };
    if opts.preserve_permissions {
        m
    } else {
        m & 0o777 & !opts.umask
    }
}

#[cfg(unix)]
mod os {
    //! POSIX: `openat`/`mkdirat`/`symlinkat` relative to directory descriptors (rustix).

    use std::fs;
    use std::io;
    use std::os::fd::{AsFd, OwnedFd};
    use std::path::Path;

    use rustix::fs::{AtFlags, Mode, OFlags, Timespec, Timestamps, CWD};
    use rustix::io::Errno;
    use rustix::process::{Gid, Uid};

    use super::{wanted_mode, ExtractOptions};
    use crate::read::Entry;

    /// setuid, setgid and sticky bits.
    const SPECIAL_BITS: u32 = 0o7000;
    const S_ISUID: u32 = 0o4000;
    const S_ISGID: u32 = 0o2000;

    /// An open directory.
    pub type Dir = OwnedFd;

    const DIR_FLAGS: OFlags = OFlags::RDONLY
        .union(OFlags::DIRECTORY)
        .union(OFlags::NOFOLLOW)
        .union(OFlags::CLOEXEC);

    pub fn open_root(dest: &Path) -> io::Result<Dir> {
        // The target itself is the user's choice: it may be reached through links.
        Ok(rustix::fs::openat(
            CWD,
            dest,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?)
    }

    pub fn make_dir(at: &Dir, name: &str) -> io::Result<Dir> {
        match rustix::fs::mkdirat(at, name, Mode::RWXU) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(e.into()),
        }
        // An existing directory is entered; anything else in its place (a file, a symbolic
        // link, even to a directory) is refused.
        rustix::fs::openat(at, name, DIR_FLAGS, Mode::empty()).map_err(|e| match e {
            Errno::LOOP | Errno::NOTDIR => io::Error::new(
                io::ErrorKind::AlreadyExists,
                "exists and is not a directory (a symbolic link is not followed)",
            ),
            e => e.into(),
        })
    }

    pub fn create_file(at: &Dir, name: &str) -> io::Result<fs::File> {
        let fd = rustix::fs::openat(
            at,
            name,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::RUSR | Mode::WUSR,
        )?;
        Ok(fs::File::from(fd))
    }

    pub fn symlink(at: &Dir, name: &str, target: &str) -> io::Result<()> {
        Ok(rustix::fs::symlinkat(target, at, name)?)
    }

    fn owner(e: &Entry) -> (Option<Uid>, Option<Gid>) {
        (
            e.uid.filter(|&u| u != u32::MAX).map(Uid::from_raw),
            e.gid.filter(|&g| g != u32::MAX).map(Gid::from_raw),
        )
    }

    fn times(e: &Entry) -> Option<Timestamps> {
        let ts = |t: crate::wire::Timestamp| Timespec {
            tv_sec: t.secs,
            tv_nsec: i64::from(t.nanos.min(999_999_999)) as _,
        };
        let m = e.mtime?;
        Some(Timestamps {
            last_access: ts(e.atime.unwrap_or(m)),
            last_modification: ts(m),
        })
    }

    /// Owner (with `same_owner`), then mode (chown clears setuid), then times.
    fn meta(fd: impl AsFd, e: &Entry, opts: &ExtractOptions) -> Result<(), String> {
        let fd = fd.as_fd();
        let mut notes = Vec::new();
        if opts.same_owner {
            let (u, g) = owner(e);
            if u.is_some() || g.is_some() {
                if let Err(err) = rustix::fs::fchown(fd, u, g) {
                    notes.push(format!("owner {:?}:{:?} not set: {err}", e.uid, e.gid));
                }
            }
        }
        let mut m = wanted_mode(e, opts);
        if m & (S_ISUID | S_ISGID) != 0 {
            // Never a setuid (setgid) file owned by someone the image did not name.
            match rustix::fs::fstat(fd) {
                Ok(st) => {
                    if m & S_ISUID != 0 && e.uid != Some(st.st_uid) {
                        m &= !S_ISUID;
                        notes.push(format!(
                            "setuid bit dropped: owned by {}, recorded owner {:?}",
                            st.st_uid, e.uid
                        ));
                    }
                    if m & S_ISGID != 0 && !e.is_dir && e.gid != Some(st.st_gid) {
                        m &= !S_ISGID;
                        notes.push(format!(
                            "setgid bit dropped: group {}, recorded group {:?}",
                            st.st_gid, e.gid
                        ));
                    }
                }
                Err(err) => {
                    m &= !SPECIAL_BITS;
                    notes.push(format!("setuid/setgid/sticky bits dropped: {err}"));
                }
            }
        }
        if let Err(err) = rustix::fs::fchmod(fd, Mode::from_raw_mode(m as _)) {
            notes.push(format!("mode {m:o} not set: {err}"));
        }
        if let Some(t) = times(e) {
            if let Err(err) = rustix::fs::futimens(fd, &t) {
                notes.push(format!("times not set: {err}"));
            }
        }
        if notes.is_empty() {
            Ok(())
        } else {
            Err(notes.join("; "))
        }
    }

    pub fn file_meta(f: &fs::File, e: &Entry, opts: &ExtractOptions) -> Result<(), String> {
        meta(f, e, opts)
    }

    pub fn dir_meta(d: &Dir, e: &Entry, opts: &ExtractOptions) -> Result<(), String> {
        meta(d, e, opts)
    }

    /// A symbolic link has no descriptor: its owner and times are set by name relative to
    /// its parent's descriptor, without following it.
    pub fn link_meta(at: &Dir, name: &str, e: &Entry, opts: &ExtractOptions) -> Result<(), String> {
        let mut notes = Vec::new();
        if opts.same_owner {
            let (u, g) = owner(e);
            if u.is_some() || g.is_some() {
                if let Err(err) = rustix::fs::chownat(at, name, u, g, AtFlags::SYMLINK_NOFOLLOW) {
                    notes.push(format!("owner {:?}:{:?} not set: {err}", e.uid, e.gid));
                }
            }
        }
        if let Some(t) = times(e) {
            if let Err(err) = rustix::fs::utimensat(at, name, &t, AtFlags::SYMLINK_NOFOLLOW) {
                notes.push(format!("times not set: {err}"));
            }
        }
        if notes.is_empty() {
            Ok(())
        } else {
            Err(notes.join("; "))
        }
    }
}

#[cfg(not(unix))]
mod os {
    //! Portable fallback through std (see the module notes for what it guarantees).

    use std::fs;
    use std::io;
    use std::path::{Path, PathBuf};

    use super::{wanted_mode, ExtractOptions};
    use crate::read::Entry;

    /// A directory, by path.
    pub type Dir = PathBuf;

    pub fn open_root(dest: &Path) -> io::Result<Dir> {
        if fs::metadata(dest)?.is_dir() {
            Ok(dest.to_path_buf())
        } else {
            Err(io::Error::new(io::ErrorKind::NotFound, "not a directory"))
        }
    }

    pub fn make_dir(at: &Dir, name: &str) -> io::Result<Dir> {
        let p = at.join(name);
        match fs::create_dir(&p) {
            Ok(()) => Ok(p),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let md = fs::symlink_metadata(&p)?;
                if md.is_dir() && !md.file_type().is_symlink() {
                    Ok(p)
                } else {
                    Err(io::Error::new(
                        io::ErrorKind::AlreadyExists,
                        "exists and is not a directory",
                    ))
                }
            }
            Err(e) => Err(e),
        }
    }

    pub fn create_file(at: &Dir, name: &str) -> io::Result<fs::File> {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(at.join(name))
    }

    pub fn symlink(_at: &Dir, _name: &str, _target: &str) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "symbolic links are not extracted on this system",
        ))
    }

    pub fn file_meta(f: &fs::File, e: &Entry, opts: &ExtractOptions) -> Result<(), String> {
        let mut notes = Vec::new();
        if let Some(t) = e.mtime {
            let st = if t.secs >= 0 {
                std::time::UNIX_EPOCH
                    + std::time::Duration::new(t.secs as u64, t.nanos.min(999_999_999))
            } else {
                std::time::UNIX_EPOCH
            };
            if let Err(err) = f.set_modified(st) {
                notes.push(format!("times not set: {err}"));
            }
        }
        if wanted_mode(e, opts) & 0o222 == 0 {
            let mut p = match f.metadata() {
                Ok(m) => m.permissions(),
                Err(err) => return Err(format!("mode not set: {err}")),
            };
            p.set_readonly(true);
            if let Err(err) = f.set_permissions(p) {
                notes.push(format!("mode not set: {err}"));
            }
        }
        if notes.is_empty() {
            Ok(())
        } else {
            Err(notes.join("; "))
        }
    }

    pub fn dir_meta(_d: &Dir, _e: &Entry, _opts: &ExtractOptions) -> Result<(), String> {
        Ok(())
    }

    pub fn link_meta(
        _at: &Dir,
        _name: &str,
        _e: &Entry,
        _opts: &ExtractOptions,
    ) -> Result<(), String> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names_are_refused() {
        for n in ["..", "a/b", "/etc", ".", "", "a\0b", "x/..", "../x"] {
            assert!(safe_name(n).is_err(), "{n:?}");
        }
        for n in ["ok.txt", "...", "a.", "b..", ".hidden", "-rf"] {
            assert!(safe_name(n).is_ok(), "{n:?}");
        }
    }

    #[test]
    fn modes_lose_special_bits_and_take_the_umask_unless_preserved() {
        let e = Entry {
            mode: Some(mode::S_IFREG | 0o6777),
            ..Entry::default()
        };
        let mut o = ExtractOptions {
            umask: 0o027,
            ..ExtractOptions::default()
        };
        assert_eq!(wanted_mode(&e, &o), 0o750);
        o.preserve_permissions = true;
        assert_eq!(wanted_mode(&e, &o), 0o6777);
        let none = Entry::default();
        o.preserve_permissions = false;
        assert_eq!(wanted_mode(&none, &o), 0o640);
    }
}
