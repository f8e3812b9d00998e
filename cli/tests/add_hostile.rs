//! `add` onto a disc whose previous session is hostile or damaged, each image crafted here
//! byte by byte (common::hostile) and run under a memory cap (`prlimit --as`) and a time
//! limit:
//! - entries the new session cannot carry forward (names `extract` refuses: `..`, a '/'
//!   inside a Rock Ridge NM; a name longer than 255 bytes; a second entry of a taken name;
//!   what such a directory holds) are each named on stderr and in `--json`'s
//!   `not_carried`, and the session is written with everything else (exit 0: on
//!   write-once media the old session keeps them, as xorriso keeps a session it loaded
//!   with warnings);
//! - no entry is ever moved: a file whose Rock Ridge name is `a/keep`, or a directory
//!   named `a/b`, is never put into the directory `a` (the old import split paths at '/'
//!   and did so);
//! - a previous session whose volume space size runs past its recorded track (so no
//!   reader sees it whole) is refused naming `--fresh-tree`, the disc unchanged; with
//!   `--fresh-tree` the session is written.
//!
//! The new sessions are read back by xorriso (libisofs, an independent reader).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use common::hostile::{capped, ce, nm, px, rec, sp, Iso, B, DIR};

/// Address space for `burn` and `add` (reader threads, each with a stack and an arena).
const AS: u64 = 3 << 29;
/// Largest file a command may write.
const FSIZE: u64 = 256 << 20;
/// Time limit per command.
const SECS: u64 = 120;
/// What one `add` of a few blocks may take at most (a loaded 2-core machine, debug build).
const FAST: Duration = Duration::from_secs(30);

/// A Rock Ridge name and a mode for a record.
fn rr(name: &[u8], mode: u32) -> Vec<u8> {
    [nm(name, false), px(mode)].concat()
}

/// A regular file record `ident` at `lba` holding `data` (written into `iso`).
fn file(iso: &mut Iso, ident: &str, lba: u32, data: &[u8], su: &[u8]) -> Vec<u8> {
    iso.put(lba, 0, data);
    rec(ident.as_bytes(), lba, data.len() as u32, 0, su)
}

/// The previous session: a Rock Ridge tree holding, besides `ok.txt` and `a/b/real.txt`:
/// - `a/keep`: a root file whose NM holds a '/' (the old import put it into `a`);
/// - `a/b`: a root directory whose NM holds a '/', holding `c` (the old import put `c`
///   into the real `a/b`);
/// - `..`: a root file of that NM;
/// - a root file of a 300-byte name (NM pieces in a continuation area);
/// - `dup`: a file, then a directory of the same name holding `inner`.
fn refused_names_image() -> Iso {
    // 16 PVD, 17 terminator, 18 root, 19 a, 20 a/b, 21 "a/b", 22 dup (dir), 25 CE area,
    // 30.. file data.
    let mut iso = Iso::new(40, 1);
    let real = file(
        &mut iso,
        "REAL.TXT;1",
        30,
        b"real\n",
        &rr(b"real.txt", 0o100644),
    );
    iso.dir(20, 1, 19, &[], &[real]);
    let b = rec(b"B", 20, B as u32, DIR, &rr(b"b", 0o040755));
    iso.dir(19, 1, 18, &[], &[b]);
    let c = file(&mut iso, "C;1", 31, b"c moved?\n", &rr(b"c", 0o100644));
    iso.dir(21, 1, 18, &[], &[c]);
    let inner = file(&mut iso, "INNER;1", 32, b"inner\n", &rr(b"inner", 0o100644));
    iso.dir(22, 1, 18, &[], &[inner]);
    // The 300-byte name: two NM pieces in one continuation area.
    let long = [nm(&[b'L'; 200], true), nm(&[b'L'; 100], false)].concat();
    iso.put(25, 0, &long);
    let root = vec![
        rec(b"A", 19, B as u32, DIR, &rr(b"a", 0o040755)),
        rec(b"AB", 21, B as u32, DIR, &rr(b"a/b", 0o040755)),
        file(&mut iso, "KEEP;1", 33, b"keep\n", &rr(b"a/keep", 0o100644)),
        file(&mut iso, "DOTDOT;1", 34, b"dotdot\n", &rr(b"..", 0o100644)),
        file(
            &mut iso,
            "LONG;1",
            35,
            b"long\n",
            &[ce(25, 0, long.len() as u32), px(0o100644)].concat(),
        ),
        file(&mut iso, "DUP;1", 36, b"dup file\n", &rr(b"dup", 0o100644)),
        rec(b"DUP2", 22, B as u32, DIR, &rr(b"dup", 0o040755)),
        file(&mut iso, "OK.TXT;1", 37, b"ok\n", &rr(b"ok.txt", 0o100644)),
    ];
    iso.dir(18, 1, 18, &sp(), &root);
    iso
}

/// Burns `img` with `--multi` onto a fresh emulated CD-R at `disc`; returns the device.
fn burn_multi(disc: &Path, img: &Path) -> String {
    let dev = format!("emu:{},profile=cd-r", disc.display());
    let (o, _) = capped(
        &[
            "burn",
            "--multi",
            "-q",
            "--no-verify",
            "--dev",
            &dev,
            img.to_str().unwrap(),
        ],
        AS,
        FSIZE,
        SECS,
    );
    assert!(o.status.success(), "burn: {}", common::hostile::text(&o));
    dev
}

/// A source tree holding `new.txt`.
fn new_tree(dir: &Path) -> String {
    let s = dir.join("new");
    common::burn::put(&s, "new.txt", b"new\n");
    s.to_str().unwrap().to_string()
}

#[test]
fn add_names_every_entry_it_cannot_carry_forward_and_moves_none() {
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("prev.iso");
    refused_names_image().save(&img);
    let disc = t.path().join("disc.img");
    let dev = burn_multi(&disc, &img);
    let src = new_tree(t.path());
    let (o, took) = capped(&["add", "--json", "--dev", &dev, &src], AS, FSIZE, SECS);
    let m = common::hostile::text(&o);
    assert!(o.status.success(), "{m}");
    assert!(took < FAST, "add took {took:?}: {m}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{m}");
    let long = "L".repeat(300);
    // Every entry left out, by path (as the old session has it), with why.
    let want: Vec<(&str, &str)> = vec![
        ("a/b", "refusing unsafe name"),
        ("a/b/c", "inside a directory left out"),
        ("a/keep", "refusing unsafe name"),
        ("..", "refusing unsafe name"),
        (&long, "a name of 300 bytes"),
        ("dup", "a second entry of this name in its directory"),
        ("dup/inner", "inside a directory left out"),
    ];
    for (p, why) in &want {
        let line = format!("discburn: warning: previous session: {p}: ");
        let l = err
            .lines()
            .find(|l| l.starts_with(&line))
            .unwrap_or_else(|| panic!("stderr does not name {p:?}: {m}"));
        assert!(l.contains(why), "{p}: {l}");
        assert!(l.ends_with("not carried forward"), "{l}");
    }
    let j: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {m}"));
    let nc = j["not_carried"].as_array().unwrap_or_else(|| panic!("{j}"));
    let got: Vec<(String, String)> = nc
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got.len(), want.len(), "{got:?}");
    for ((p, why), (gp, gwhy)) in want.iter().zip(&got) {
        assert_eq!(p, gp, "not_carried in walk order: {got:?}");
        assert!(gwhy.contains(why), "{gp}: {gwhy}");
    }
    // The new session, as xorriso reads it: everything else, nothing moved.
    let start = j["start"].as_u64().unwrap() as u32;
    let tree = common::burn::xorriso_tree(&disc, start);
    let names: BTreeSet<&str> = tree.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        BTreeSet::from(["a/b/real.txt", "dup", "new.txt", "ok.txt"]),
        "{m}"
    );
    assert_eq!(tree["a/b/real.txt"], b"real\n");
    assert_eq!(tree["dup"], b"dup file\n");
    assert_eq!(tree["ok.txt"], b"ok\n");
    // Human output: the same lines without --json, the names escaped.
    let src2 = t.path().join("new2");
    common::burn::put(&src2, "two.txt", b"two\n");
    let (o, _) = capped(
        &["add", "-q", "--dev", &dev, src2.to_str().unwrap()],
        AS,
        FSIZE,
        SECS,
    );
    assert!(o.status.success(), "{}", common::hostile::text(&o));
    // The second session carried everything forward: nothing is left out now.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("not carried forward"), "{err}");
}

/// A directory named `a/b` (and a file named `a/keep`) beside a real `a/b`, in both walk
/// orders: the real `a/b` never gains what the other one holds.
#[test]
fn a_name_holding_a_slash_is_never_moved_into_another_directory() {
    for slash_dir_first in [false, true] {
        let t = tempfile::tempdir().unwrap();
        let mut iso = Iso::new(40, 1);
        let real = file(&mut iso, "R;1", 30, b"real\n", &rr(b"r", 0o100644));
        iso.dir(20, 1, 19, &[], &[real]);
        let b = rec(b"B", 20, B as u32, DIR, &rr(b"b", 0o040755));
        let keep_in_a = file(&mut iso, "K;1", 31, b"k\n", &rr(b"k", 0o100644));
        iso.dir(19, 1, 18, &[], &[b, keep_in_a]);
        let x = file(&mut iso, "X;1", 32, b"x\n", &rr(b"x", 0o100644));
        iso.dir(21, 1, 18, &[], &[x]);
        let a = rec(b"A", 19, B as u32, DIR, &rr(b"a", 0o040755));
        let ab = rec(b"AB", 21, B as u32, DIR, &rr(b"a/b", 0o040755));
        let k = file(&mut iso, "AK;1", 33, b"ak\n", &rr(b"a/k", 0o100644));
        let root = if slash_dir_first {
            vec![ab, k, a]
        } else {
            vec![a, ab, k]
        };
        iso.dir(18, 1, 18, &sp(), &root);
        let img = t.path().join("slash.iso");
        iso.save(&img);
        let disc = t.path().join("disc.img");
        let dev = burn_multi(&disc, &img);
        let src = new_tree(t.path());
        let (o, _) = capped(&["add", "--json", "--dev", &dev, &src], AS, FSIZE, SECS);
        let m = common::hostile::text(&o);
        assert!(o.status.success(), "{m}");
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let start = j["start"].as_u64().unwrap() as u32;
        let tree = common::burn::xorriso_tree(&disc, start);
        let names: BTreeSet<&str> = tree.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            BTreeSet::from(["a/b/r", "a/k", "new.txt"]),
            "slash directory first: {slash_dir_first}: {m}"
        );
        // a/k is the file that was in a, not the root's "a/k".
        assert_eq!(tree["a/k"], b"k\n", "{m}");
        let paths: Vec<&str> = j["not_carried"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths, ["a/b", "a/b/x", "a/k"], "{m}");
    }
}

/// Sets the volume space size (PVD bytes 80..88, ECMA-119 §8.4.8) of the session at
/// `start` of the emulated disc's image file.
fn poke_volume_space_size(disc: &Path, start: u32, blocks: u32) {
    let mut b = std::fs::read(disc).unwrap();
    let at = (start as usize + 16) * B;
    assert_eq!(&b[at + 1..at + 6], b"CD001");
    b[at + 80..at + 84].copy_from_slice(&blocks.to_le_bytes());
    b[at + 84..at + 88].copy_from_slice(&blocks.to_be_bytes());
    std::fs::write(disc, b).unwrap();
}

/// `add` of a new file must be refused naming --fresh-tree, the disc unchanged.
fn refused_without_fresh_tree(disc: &Path, dev: &str, src: &str, start: u32) {
    let before = common::burn::snapshot(disc);
    let (o, took) = capped(&["add", "--dev", dev, src], AS, FSIZE, SECS);
    common::hostile::refused(
        &o,
        &[
            format!("the previous session at block {start} holds an ISO 9660 volume").as_str(),
            "cannot be read whole",
            "nothing was written",
            "--fresh-tree",
        ],
    );
    assert!(took < FAST, "{took:?}");
    common::burn::assert_same(&common::burn::snapshot(disc), &before, "the refused add");
}

#[test]
fn an_absurd_volume_space_size_is_refused_unless_fresh_tree() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=cd-r", disc.display());
    let s1 = t.path().join("s1");
    common::burn::put(&s1, "one.txt", b"one\n");
    common::burn::add(&dev, &[], &[&s1]);
    let s2 = t.path().join("s2");
    common::burn::put(&s2, "two.txt", b"two\n");
    let j2 = common::burn::add(&dev, &[], &[&s2]);
    let start2 = j2["start"].as_u64().unwrap() as u32;
    let src = new_tree(t.path());

    // Session 2 claims 2^31 blocks: the intact session 1 is not taken silently instead
    // (that would hide two.txt from the new session).
    poke_volume_space_size(&disc, start2, 0x7FFF_FFFF);
    refused_without_fresh_tree(&disc, &dev, &src, start2);
    let (o, _) = capped(
        &["add", "--json", "--fresh-tree", "--dev", &dev, &src],
        AS,
        FSIZE,
        SECS,
    );
    let m = common::hostile::text(&o);
    assert!(o.status.success(), "{m}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--fresh-tree given"),
        "{m}"
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let start3 = j["start"].as_u64().unwrap() as u32;
    assert!(start3 > start2, "{j}");
    let names: BTreeSet<String> = common::burn::xorriso_tree(&disc, start3)
        .into_keys()
        .collect();
    // What the newest readable session (1) held, and the new file.
    assert_eq!(
        names,
        BTreeSet::from(["new.txt".to_string(), "one.txt".to_string()]),
        "{m}"
    );
}

#[test]
fn an_absurd_volume_space_size_of_the_only_session_is_refused_unless_fresh_tree() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=cd-r", disc.display());
    let s1 = t.path().join("s1");
    common::burn::put(&s1, "one.txt", b"one\n");
    let j1 = common::burn::add(&dev, &[], &[&s1]);
    let start1 = j1["start"].as_u64().unwrap() as u32;
    let src = new_tree(t.path());
    // Used to warn "no intact session on the disc: writing a fresh tree" and hide one.txt.
    poke_volume_space_size(&disc, start1, u32::MAX);
    refused_without_fresh_tree(&disc, &dev, &src, start1);
    let (o, _) = capped(
        &["add", "--json", "--fresh-tree", "--dev", &dev, &src],
        AS,
        FSIZE,
        SECS,
    );
    let m = common::hostile::text(&o);
    assert!(o.status.success(), "{m}");
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let start = j["start"].as_u64().unwrap() as u32;
    let names: BTreeSet<String> = common::burn::xorriso_tree(&disc, start)
        .into_keys()
        .collect();
    assert_eq!(names, BTreeSet::from(["new.txt".to_string()]), "{m}");
}
