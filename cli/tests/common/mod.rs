//! Helpers shared by the cli crate's integration tests. This file holds what every family
//! uses: the one way to start the binary under test ([`command`], [`discburn`],
//! [`personality`]), with an environment scrubbed of what the binary reads (`CDR_DEVICE`,
//! `DISCBURN_*`, `SOURCE_DATE_EPOCH`, the locale and the terminal's settings), so that a
//! developer's shell cannot change a result; peer tools that fail naming their Debian
//! package ([`tool`], [`need`]); and the run's text for assertion messages ([`text`]).
//!
//! One module per family of tests: `burn` (add/burn on the emulated drive, trees read back
//! with xorriso), `diag` (the diagnostic commands), `hybrid` (hybrid boot images, their peers
//! and QEMU boots), `hostile` (crafted ISO 9660 images, runs under memory and time caps),
//! `read` (pressed discs made by genisoimage, CDB traces) and `serve` (the iSCSI target and a
//! raw initiator). Each test binary declares `mod common;` and uses the parts it needs.
#![allow(dead_code, unused_imports)] // reason: each test binary uses a different part
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

pub mod burn;
pub mod diag;
pub mod hostile;
pub mod hybrid;
pub mod read;
pub mod serve;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The built binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_discburn");

/// The built binary, as a path.
pub fn bin() -> PathBuf {
    PathBuf::from(BIN)
}

/// Variables removed from the environment of every run of the binary: the ones it reads
/// (`CDR_DEVICE`, the default drive; `SOURCE_DATE_EPOCH`, mkisofs's dates; every
/// `DISCBURN_*`, such as `DISCBURN_LOG` and `DISCBURN_HFSPLUS`), the locale (peers it
/// might start, and messages, stay in the C locale) and what makes clap or a progress bar
/// draw for a terminal. A test that wants one sets it on the [`command`] it builds.
const SCRUBBED: &[&str] = &[
    "CDR_DEVICE",
    "SOURCE_DATE_EPOCH",
    "LANG",
    "LANGUAGE",
    "COLUMNS",
    "LINES",
    "TERM",
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
];

/// Removes [`SCRUBBED`], every `DISCBURN_*` and every `LC_*` variable from `c`'s
/// environment.
pub fn scrub(c: &mut Command) -> &mut Command {
    for v in SCRUBBED {
        c.env_remove(v);
    }
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("DISCBURN_") || k.starts_with("LC_") {
            c.env_remove(&*k);
        }
    }
    c
}

/// `program` (the binary, or one of its [`personality`] links, or anything it should start
/// the way it starts the binary) with a scrubbed environment and standard input closed.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut c = Command::new(program);
    scrub(&mut c).stdin(Stdio::null());
    c
}

/// Runs `discburn ARGS` (scrubbed environment, standard input closed).
pub fn discburn(args: &[&str]) -> Output {
    command(BIN).args(args).output().expect("run discburn")
}

/// A symlink named `name` (`cdrecord`, `wodim`, `mkisofs`, `xorriso`...) to the binary in
/// `dir`, made once: the binary started under a legacy name takes that tool's command line.
pub fn personality(dir: &Path, name: &str) -> PathBuf {
    let link = dir.join(name);
    if std::fs::symlink_metadata(&link).is_err() {
        std::os::unix::fs::symlink(BIN, &link).unwrap();
    }
    link
}

/// Status, stdout and stderr of a run, whole, for assertion messages (and for tests that
/// look for words in either stream).
pub fn text(o: &Output) -> String {
    text_cut(o, usize::MAX, usize::MAX)
}

/// Status, the first `head` characters of stdout and the last `tail` characters of stderr
/// of a run, for assertion messages of runs that print a lot.
pub fn text_cut(o: &Output, head: usize, tail: usize) -> String {
    let so = String::from_utf8_lossy(&o.stdout);
    let cut = so.char_indices().nth(head).map_or(so.len(), |(i, _)| i);
    let se = String::from_utf8_lossy(&o.stderr);
    let n = se.chars().count();
    let from = se
        .char_indices()
        .nth(n.saturating_sub(tail))
        .map_or(se.len(), |(i, _)| i);
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        &so[..cut],
        &se[from..]
    )
}

/// The Debian package that installs `program`, for the failure message of a test that
/// needs it (the program's own name where the package has that name).
pub fn package_of(program: &str) -> &str {
    match program {
        "isoinfo" | "isodump" | "isovfy" => "genisoimage",
        "bsdtar" => "libarchive-tools",
        "7z" | "7za" => "p7zip-full",
        "ddrescue" | "ddrescuelog" => "gddrescue",
        "dvd+rw-mediainfo" | "dvd+rw-format" => "dvd+rw-tools",
        "cd-info" | "cd-read" | "iso-info" | "iso-read" => "libcdio-utils",
        "md5sum" | "sha256sum" | "cmp" | "timeout" | "truncate" => "coreutils",
        "prlimit" | "setpriv" | "script" => "util-linux",
        "sfdisk" => "fdisk",
        "sgdisk" => "gdisk",
        "mformat" | "mmd" | "mcopy" => "mtools",
        "qemu-system-x86_64" => "qemu-system-x86",
        "qemu-img" => "qemu-utils and qemu-block-extra",
        "man" => "man-db",
        "iscsi-ls" | "iscsi-inq" | "iscsi-readcapacity16" | "iscsi-swp" => "libiscsi-bin",
        "ls" | "kill" => "coreutils",
        p if p.starts_with("sg_") => "sg3-utils",
        p if p.starts_with("iscsi-") => "libiscsi-bin",
        p if p.starts_with("grub-") => "grub-common",
        p => p,
    }
}

/// Runs a peer tool with standard input closed, failing with the Debian package to install
/// ([`package_of`]) when it is missing.
pub fn tool(name: &str, args: &[&str]) -> Output {
    Command::new(name)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{name} could not be run ({e}); install the Debian package {} \
                 (tests/run-all.sh does)",
                package_of(name)
            )
        })
}

/// The path of `program`, or a failure naming the package to install.
pub fn need(program: &str, package: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"].map(PathBuf::from));
    dirs.iter()
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("{program} is missing: install it (Debian: apt-get install {package})")
        })
}

/// A file that must exist, or a failure naming its package.
pub fn need_file(path: &str, package: &str) -> PathBuf {
    let p = PathBuf::from(path);
    assert!(
        p.is_file(),
        "{path} is missing: install it (Debian: apt-get install {package})"
    );
    p
}

/// Fails with the output unless `o` succeeded.
pub fn ok(what: &str, o: &Output) {
    assert!(
        o.status.success(),
        "{what} failed ({}):\n{}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Writes `data` at `root/rel`, creating directories.
pub fn put(root: &Path, rel: &str, data: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}
