//! Helpers of the burn/add tests: run the binary, make source trees, read sessions back
//! with xorriso and compare trees.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub use super::{bin, command, discburn, personality, put, text, tool, BIN};

/// `n` bytes of a pattern depending on `seed`.
pub fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| {
            (i as u32)
                .wrapping_mul(2_654_435_761)
                .rotate_left(u32::from(seed)) as u8
                ^ seed
        })
        .collect()
}

/// The tree a session should hold: path -> bytes.
#[derive(Debug, Default, Clone)]
pub struct Expected(pub BTreeMap<String, Vec<u8>>);

impl Expected {
    /// Sets a file.
    pub fn set(&mut self, p: &str, b: &[u8]) {
        self.0.insert(p.to_string(), b.to_vec());
    }
    /// Removes a file.
    pub fn remove(&mut self, p: &str) {
        assert!(self.0.remove(p).is_some(), "test bug: {p} not expected");
    }
}

/// `discburn add --json --dev DEV [--remove R]... SRC...`, which must succeed.
pub fn add(dev: &str, remove: &[&str], srcs: &[&Path]) -> serde_json::Value {
    let s: Vec<String> = srcs.iter().map(|p| p.display().to_string()).collect();
    let v: Vec<&str> = s.iter().map(String::as_str).collect();
    add_raw(dev, remove, &v)
}

/// Like [`add`] with pathspecs as strings.
pub fn add_raw(dev: &str, remove: &[&str], specs: &[&str]) -> serde_json::Value {
    let mut args = vec!["add", "--json", "--dev", dev];
    for r in remove {
        args.push("--remove");
        args.push(r);
    }
    args.extend_from_slice(specs);
    let out = discburn(&args);
    assert!(out.status.success(), "add failed: {}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
}

/// Every regular file below `root`, by relative path.
pub fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().to_string();
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// xorriso's view of the session at `start` of the image `disc`: every file extracted.
pub fn xorriso_tree(disc: &Path, start: u32) -> BTreeMap<String, Vec<u8>> {
    let out_dir = tempfile::tempdir().unwrap();
    let dest = out_dir.path().join("x");
    let sb = start.to_string();
    let o = tool(
        "xorriso",
        &[
            "-abort_on",
            "FAILURE",
            "-load",
            "sbsector",
            &sb,
            "-indev",
            disc.to_str().unwrap(),
            "-osirrox",
            "on",
            "-extract",
            "/",
            dest.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "xorriso failed: {}", text(&o));
    let t = read_tree(&dest);
    // Make the copy removable whatever modes it got.
    let _ = Command::new("chmod")
        .args(["-R", "u+rwx"])
        .arg(&dest)
        .status();
    t
}

/// Checks the session an `add` reported against `expect` with xorriso; returns its start.
pub fn check_session(disc: &Path, j: &serde_json::Value, expect: &Expected) -> u32 {
    let start = j["start"].as_u64().unwrap() as u32;
    let got = xorriso_tree(disc, start);
    let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&got),
        names(&expect.0),
        "file list of session at {start}: {j}"
    );
    for (k, v) in &expect.0 {
        assert!(got[k] == *v, "{k}: contents differ in session at {start}");
    }
    start
}

/// The bytes of `disc` from block `start`, `len` bytes.
pub fn disc_bytes(disc: &Path, start: u32, len: usize) -> Vec<u8> {
    let b = fs::read(disc).unwrap();
    let from = start as usize * 2048;
    let mut v = b.get(from..).unwrap_or(&[]).to_vec();
    v.resize(len, 0);
    v
}

/// `genisoimage -quiet -R -J -o OUT SRC...`: an image of the sources (an independent
/// mastering tool's image, for `burn`).
pub fn genisoimage_image(out: &Path, srcs: &[&Path]) -> PathBuf {
    let mut args = vec!["-quiet", "-R", "-J", "-o", out.to_str().unwrap()];
    args.extend(srcs.iter().map(|s| s.to_str().unwrap()));
    let o = tool("genisoimage", &args);
    assert!(o.status.success(), "genisoimage: {}", text(&o));
    out.to_path_buf()
}

/// `discburn msinfo --json` of the emulated disc at `disc`: (last session start, next
/// writable address).
pub fn msinfo(disc: &Path) -> (u32, u32) {
    let out = discburn(&[
        "msinfo",
        "--json",
        "--dev",
        &format!("emu:{}", disc.display()),
    ]);
    assert!(out.status.success(), "msinfo: {}", text(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = |k: &str| {
        j[k].as_u64()
            .unwrap_or_else(|| panic!("msinfo has no {k}: {j}")) as u32
    };
    (n("last_session_start"), n("next_writable"))
}

/// coreutils `md5sum` of a file, as hex.
pub fn md5sum(p: &Path) -> String {
    let o = tool("md5sum", &[p.to_str().unwrap()]);
    assert!(o.status.success(), "md5sum: {}", text(&o));
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// discburn under its legacy name `cdrecord` (a symlink in `dir`).
pub fn cdrecord_bin(dir: &Path) -> PathBuf {
    personality(dir, "cdrecord")
}

/// `cdrecord ARGS` (discburn's cdrecord personality), standard input closed.
pub fn cdrecord(dir: &Path, args: &[&str]) -> Output {
    command(cdrecord_bin(dir)).args(args).output().unwrap()
}

/// A `profile` disc at `DIR/disc.img` with one session written by `add` (`keep.txt` and
/// `d/data.bin`): (device, expected tree, session 1's start, its bytes).
pub fn first_session(dir: &Path, profile: &str) -> (String, Expected, u32, Vec<u8>) {
    let disc = dir.join("disc.img");
    let dev = format!("emu:{},profile={profile}", disc.display());
    let s = dir.join("s1");
    put(&s, "keep.txt", b"session one\n");
    put(&s, "d/data.bin", &pattern(200_000, 9));
    let mut e = Expected::default();
    e.set("keep.txt", b"session one\n");
    e.set("d/data.bin", &pattern(200_000, 9));
    let j = add(&dev, &[], &[&s]);
    let start = check_session(&disc, &j, &e);
    let blocks = j["blocks"].as_u64().unwrap() as usize;
    let bytes = disc_bytes(&disc, start, blocks * 2048);
    (dev, e, start, bytes)
}

/// Session 1 of [`first_session`] reads back as it was: xorriso's tree and its blocks.
pub fn first_unchanged(dir: &Path, e: &Expected, start: u32, before: &[u8]) {
    let disc = dir.join("disc.img");
    let got = xorriso_tree(&disc, start);
    assert_eq!(got, e.0, "session 1 changed");
    let now = disc_bytes(&disc, start, before.len());
    assert!(now == before, "the blocks of session 1 changed");
}

/// Everything a refused or simulated write must leave alone: the image file, the state
/// file, and what the drive reports (`discburn media`: disc status, sessions, tracks,
/// msinfo, free blocks).
#[derive(PartialEq)]
pub struct Snapshot {
    /// The image file's bytes.
    pub image: Vec<u8>,
    /// The state file's bytes, without the drive's settings ([`disc_part`]).
    pub state: Vec<u8>,
    /// `discburn media`'s report.
    pub media: String,
}

/// The [`Snapshot`] of the emulated disc at `disc`.
pub fn snapshot(disc: &Path) -> Snapshot {
    let o = discburn(&["media", "--dev", &format!("emu:{}", disc.display())]);
    assert!(o.status.success(), "media: {}", text(&o));
    let mut state = disc.as_os_str().to_owned();
    state.push(".state");
    Snapshot {
        image: fs::read(disc).unwrap_or_default(),
        state: disc_part(
            String::from_utf8_lossy(&fs::read(PathBuf::from(state)).unwrap_or_default())
                .into_owned(),
        )
        .into_bytes(),
        media: String::from_utf8_lossy(&o.stdout).to_string(),
    }
}

/// The state file's text without the drive's settings (`"drive"`, its last field: what the
/// powered drive keeps between processes, such as the page 05h a refused or simulated
/// write selected; see the emulator's `powered` module): the disc's part only.
pub fn disc_part(state: String) -> String {
    match state.find(",\n  \"drive\": ") {
        Some(i) => format!("{}\n}}\n", &state[..i]),
        None => state,
    }
}

/// Fails naming what differs between two snapshots (the image only by its first differing
/// byte).
pub fn assert_same(now: &Snapshot, before: &Snapshot, what: &str) {
    if now.image != before.image {
        let at = now
            .image
            .iter()
            .zip(&before.image)
            .position(|(a, b)| a != b)
            .unwrap_or(now.image.len().min(before.image.len()));
        panic!(
            "{what} changed the image file: {} bytes now, {} before, first difference at \
             byte {at} (block {})",
            now.image.len(),
            before.image.len(),
            at / 2048
        );
    }
    assert_eq!(
        String::from_utf8_lossy(&now.state),
        String::from_utf8_lossy(&before.state),
        "{what} changed the state file"
    );
    assert_eq!(
        now.media, before.media,
        "{what} changed what the drive reports"
    );
}

/// `discburn burn --multi --fifo-size 1m --dev DEV -` fed 2 MiB, then nothing for 3 s,
/// then 2 MiB more: with a throttled drive, a small buffer and `bup=off` the drive runs
/// dry in the pause (a buffer underrun).
pub fn burn_stdin_with_a_pause(dev: &str) -> Output {
    let mut child = command(BIN)
        .args(["burn", "--multi", "--fifo-size", "1m", "--dev", dev, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let w = std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(&pattern(2 * 1024 * 1024, 1));
        std::thread::sleep(std::time::Duration::from_secs(3));
        let _ = stdin.write_all(&pattern(2 * 1024 * 1024, 2));
    });
    let out = child.wait_with_output().unwrap();
    w.join().unwrap();
    out
}
