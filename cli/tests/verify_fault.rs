//! The read-back verify of `discburn add` and `discburn burn` against a drive that records
//! wrong data while reporting every WRITE as successful (the emulated drive's `garble=A-B`
//! fault: blocks written in A..=B are stored altered, READ returns them with GOOD status).
//! The verify must fail naming the blocks that differ and the disc state; the previous
//! session stays readable and unchanged (xorriso, an independent reader, checks its tree);
//! on overwritable media the failed session is not committed (block 16 still names the
//! previous one). With `--no-verify` the same fault goes unnoticed, which shows that the
//! failure comes from the verify step.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Output;

use common::burn::*;

/// Blocks after the next writable address where the garbled range starts: past the new
/// session's descriptors and directories, inside the data of `s2/c.bin` (512 blocks).
const GARBLE_OFFSET: u32 = 100;

/// Every `LBA a-b` range a message names.
fn lba_ranges(msg: &str) -> Vec<(u32, u32)> {
    msg.split("LBA ")
        .skip(1)
        .filter_map(|rest| {
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '-'))
                .unwrap_or(rest.len());
            let (a, b) = rest[..end].split_once('-')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect()
}

/// Asserts the run failed in its verify step, naming a range that holds `garbled`.
fn assert_verify_failed(out: &Output, garbled: u32) -> String {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success(), "must fail: {}", text(out));
    for want in ["verify failed", "differ from what was sent", "disc state"] {
        assert!(err.contains(want), "stderr lacks {want:?}: {}", text(out));
    }
    let ranges = lba_ranges(&err);
    assert!(
        ranges.iter().any(|&(a, b)| a <= garbled && garbled <= b),
        "no LBA range in {ranges:?} holds the garbled block {garbled}: {}",
        text(out)
    );
    err
}

/// Session 1 (two files) and session 2's source (one new file of 512 blocks).
fn sources(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, Expected) {
    let s1 = dir.join("s1");
    put(&s1, "a.txt", b"alpha one\n");
    put(&s1, "sub/b.bin", &pattern(300_000, 1));
    let mut e = Expected::default();
    e.set("a.txt", b"alpha one\n");
    e.set("sub/b.bin", &pattern(300_000, 1));
    let s2 = dir.join("s2");
    put(&s2, "c.bin", &pattern(512 * 2048, 2));
    (s1, s2, e)
}

/// A disc of `profile` with session 1 added; returns (disc, s2, session 1's tree, its
/// start, its bytes on the image).
fn disc_with_one_session(
    dir: &Path,
    profile: &str,
) -> (
    std::path::PathBuf,
    std::path::PathBuf,
    Expected,
    u32,
    Vec<u8>,
) {
    let disc = dir.join("disc.img");
    let (s1, s2, e) = sources(dir);
    let j = add(
        &format!("emu:{},profile={profile}", disc.display()),
        &[],
        &[&s1],
    );
    let start1 = check_session(&disc, &j, &e);
    let blocks = j["blocks"].as_u64().unwrap() as usize;
    let bytes1 = disc_bytes(&disc, start1, blocks * 2048);
    (disc, s2, e, start1, bytes1)
}

/// `discburn add --dev emu:DISC,garble=X-X+1 [extra] s2` with X inside the next session.
fn add_garbled(disc: &Path, s2: &Path, extra: &[&str]) -> (Output, u32) {
    let (_, nwa) = msinfo(disc);
    let x = nwa + GARBLE_OFFSET;
    let dev = format!("emu:{},garble={x}-{}", disc.display(), x + 1);
    let mut args = vec!["add", "--dev", &dev];
    args.extend_from_slice(extra);
    let src = s2.to_str().unwrap();
    args.push(src);
    (discburn(&args), x)
}

/// Session 1 reads back as it was: same bytes on the image, same tree through xorriso.
fn assert_session_unchanged(disc: &Path, start1: u32, bytes1: &[u8], e: &Expected) {
    assert!(
        disc_bytes(disc, start1, bytes1.len()) == bytes1,
        "session 1's blocks changed"
    );
    let got = xorriso_tree(disc, start1);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        e.0.keys().collect::<Vec<_>>(),
        "session 1's file list"
    );
    for (k, v) in &e.0 {
        assert!(got[k] == *v, "{k}: contents of session 1 changed");
    }
}

#[test]
fn add_bd_r_garbled_session_fails_verify_and_keeps_session_1() {
    let t = tempfile::tempdir().unwrap();
    let (disc, s2, e, start1, bytes1) = disc_with_one_session(t.path(), "bd-r");
    let (out, x) = add_garbled(&disc, &s2, &[]);
    assert_verify_failed(&out, x);
    // the failed session was written over the garbled block (on BD-R it stays on the disc)
    let (last, nwa) = msinfo(&disc);
    assert!(
        x < nwa,
        "the session ended before block {x}: msinfo {last},{nwa}"
    );
    assert_session_unchanged(&disc, start1, &bytes1, &e);
}

#[test]
fn add_bd_r_garbled_session_without_verify_succeeds() {
    let t = tempfile::tempdir().unwrap();
    let (disc, s2, e, start1, bytes1) = disc_with_one_session(t.path(), "bd-r");
    let (out, x) = add_garbled(&disc, &s2, &["--no-verify"]);
    assert!(
        out.status.success(),
        "--no-verify must not notice: {}",
        text(&out)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("verify failed"), "{}", text(&out));
    // the fault did act: session 2 holds c.bin with the garbled block in it
    let (start2, nwa) = msinfo(&disc);
    assert!(
        start2 < x && x < nwa,
        "block {x} outside session 2 at {start2}..{nwa}"
    );
    let got = xorriso_tree(&disc, start2);
    let c = got.get("c.bin").expect("c.bin in session 2");
    assert!(
        *c != pattern(512 * 2048, 2),
        "c.bin reads back intact although block {x} was garbled"
    );
    assert_session_unchanged(&disc, start1, &bytes1, &e);
}

#[test]
fn add_bd_re_garbled_session_fails_verify_and_is_not_committed() {
    let t = tempfile::tempdir().unwrap();
    let (disc, s2, e, start1, bytes1) = disc_with_one_session(t.path(), "bd-re");
    let before = msinfo(&disc);
    assert_eq!(before.0, start1, "msinfo after session 1");
    let descriptors = disc_bytes(&disc, 16, 16 * 2048);
    let (out, x) = add_garbled(&disc, &s2, &[]);
    let err = assert_verify_failed(&out, x);
    assert!(err.contains("not committed"), "{}", text(&out));
    // block 16 was not rewritten: session 1 is still the last session
    assert!(
        disc_bytes(&disc, 16, 16 * 2048) == descriptors,
        "the volume descriptors at LBA 16 changed"
    );
    assert_eq!(msinfo(&disc), before, "msinfo after the failed session");
    assert_session_unchanged(&disc, start1, &bytes1, &e);
    // the next add (a sound drive) overwrites the uncommitted session
    let j = add(&format!("emu:{}", disc.display()), &[], &[&s2]);
    let mut merged = e.clone();
    merged.set("c.bin", &pattern(512 * 2048, 2));
    assert_eq!(j["start"].as_u64(), Some(u64::from(before.1)), "{j}");
    check_session(&disc, &j, &merged);
    assert_session_unchanged(&disc, start1, &bytes1, &e);
}

#[test]
fn burn_image_onto_garbled_bd_r_fails_verify() {
    let t = tempfile::tempdir().unwrap();
    let (s1, s2, _) = sources(t.path());
    let img = genisoimage_image(&t.path().join("img.iso"), &[&s1, &s2]);
    let disc = t.path().join("disc.img");
    let x = GARBLE_OFFSET;
    let dev = format!("emu:{},profile=bd-r,garble={x}", disc.display());
    let out = discburn(&["burn", "--dev", &dev, img.to_str().unwrap()]);
    assert_verify_failed(&out, x);
}

/// The MD5 the summaries report is the MD5 of the session on the disc, as `md5sum` of the
/// session's blocks (cut from the disc image) prints it: for `add` (sessions 1 and 2 on a
/// BD-R) and for `burn` (where it is also `md5sum` of the image, which is whole blocks).
#[test]
fn reported_md5_is_md5sum_of_the_session_on_the_disc() {
    let t = tempfile::tempdir().unwrap();
    let (s1, s2, _) = sources(t.path());
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=bd-r", disc.display());
    for src in [&s1, &s2] {
        let j = add(&dev, &[], &[src]);
        assert_eq!(j["verified"], true, "{j}");
        let start = j["start"].as_u64().unwrap() as u32;
        let blocks = j["blocks"].as_u64().unwrap() as usize;
        let cut = t.path().join("session.bin");
        std::fs::write(&cut, disc_bytes(&disc, start, blocks * 2048)).unwrap();
        assert_eq!(j["md5"].as_str().unwrap(), md5sum(&cut), "{j}");
    }

    let img = genisoimage_image(&t.path().join("img.iso"), &[&s1]);
    let disc2 = t.path().join("disc2.img");
    let out = discburn(&[
        "burn",
        "--json",
        "--dev",
        &format!("emu:{},profile=bd-r", disc2.display()),
        img.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["verified"], true, "{j}");
    assert_eq!(j["md5"].as_str().unwrap(), md5sum(&img), "{j}");
}

/// `--verify-md5` hashes the read-back with MD5 too: the summary carries it, equal to the
/// MD5 of what was sent and to `md5sum` of the session on the disc; on a garbled session
/// the failure names both the blocks and the two MD5s.
#[test]
fn verify_md5_hashes_the_read_back() {
    let t = tempfile::tempdir().unwrap();
    let (s1, s2, _) = sources(t.path());
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=bd-r", disc.display());
    let out = discburn(&[
        "add",
        "--json",
        "--verify-md5",
        "--dev",
        &dev,
        s1.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["verified"], true, "{j}");
    assert_eq!(j["read_back_md5"], j["md5"], "{j}");
    let start = j["start"].as_u64().unwrap() as u32;
    let blocks = j["blocks"].as_u64().unwrap() as usize;
    let cut = t.path().join("session.bin");
    std::fs::write(&cut, disc_bytes(&disc, start, blocks * 2048)).unwrap();
    assert_eq!(j["read_back_md5"].as_str().unwrap(), md5sum(&cut), "{j}");

    let (_, nwa) = msinfo(&disc);
    let x = nwa + GARBLE_OFFSET;
    let dev = format!("emu:{},garble={x}", disc.display());
    let out = discburn(&["add", "--verify-md5", "--dev", &dev, s2.to_str().unwrap()]);
    let err = assert_verify_failed(&out, x);
    assert!(err.contains("read back with MD5"), "{err}");
    // Without --verify-md5 the read-back is not hashed with MD5.
    let plain = discburn(&[
        "add",
        "--json",
        "--dev",
        &format!("emu:{}", disc.display()),
        s2.to_str().unwrap(),
    ]);
    assert!(plain.status.success(), "{}", text(&plain));
    let j: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(j.get("read_back_md5").is_none(), "{j}");
}
