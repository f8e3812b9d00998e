//! `add` onto a disc whose previous session is malformed (bytes of the emulated disc's image
//! file corrupted by hand): a clear error, nothing written (the image file and the disc
//! state file are unchanged), exit status 1, where the previous session's files would
//! otherwise be lost; never a first session written over data the program did not
//! recognize. On write-once media an unreadable session is skipped (it stays untouched).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::burn::*;

/// A disc of `profile` with one session (two files); returns (device, image, session start).
fn one_session(dir: &Path, profile: &str) -> (String, PathBuf, u32) {
    let disc = dir.join("disc.img");
    let dev = format!("emu:{},profile={profile}", disc.display());
    let s = dir.join("s1");
    put(&s, "keep.txt", b"session one\n");
    put(&s, "sub/data.bin", &pattern(100_000, 4));
    let j = add(&dev, &[], &[&s]);
    (dev, disc, j["start"].as_u64().unwrap() as u32)
}

/// Overwrites block `lba` of the image with `bytes` at `offset`.
fn poke(disc: &Path, lba: u32, offset: usize, bytes: &[u8]) {
    let mut b = std::fs::read(disc).unwrap();
    let at = lba as usize * 2048 + offset;
    if b.len() < at + bytes.len() {
        b.resize(at + bytes.len(), 0);
    }
    b[at..at + bytes.len()].copy_from_slice(bytes);
    std::fs::write(disc, b).unwrap();
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// Runs `add` of a new file and checks the refusal: exit 1, `want` in the message,
/// the image and its state file untouched.
fn refused(dir: &Path, dev: &str, disc: &Path, want: &str) -> String {
    let image = std::fs::read(disc).unwrap();
    let state_path = format!("{}.state", disc.display());
    let state = std::fs::read(&state_path).unwrap();
    let s = dir.join("s2");
    put(&s, "new.txt", b"new\n");
    let out = discburn(&["add", "--dev", dev, s.to_str().unwrap()]);
    let m = text(&out);
    assert_eq!(out.status.code(), Some(1), "{m}");
    assert!(m.contains(want), "message does not say {want:?}: {m}");
    assert!(
        std::fs::read(disc).unwrap() == image,
        "the image changed: {m}"
    );
    assert!(
        std::fs::read(&state_path).unwrap() == state,
        "the disc state changed: {m}"
    );
    m
}

/// Random-looking bytes (not zero, not a volume descriptor).
fn garbage() -> Vec<u8> {
    pattern(2048, 77).iter().map(|b| b | 1).collect()
}

/// Write-once media: a session whose descriptors are garbage cannot be told from the
/// remains of a killed burn of arbitrary data; no reader can see its files, and it stays
/// untouched. `add` says so and writes the new session without it.
fn garbage_pvd_of_the_only_session(profile: &str) {
    let t = tempfile::tempdir().unwrap();
    let (dev, disc, start) = one_session(t.path(), profile);
    poke(&disc, start + 16, 0, &garbage());
    let before = disc_bytes(&disc, start, 60 * 2048);
    let s = t.path().join("s2");
    put(&s, "new.txt", b"new\n");
    let out = discburn(&["add", "--json", "--dev", &dev, s.to_str().unwrap()]);
    let m = text(&out);
    assert!(out.status.success(), "{m}");
    assert!(m.contains("no intact session"), "not reported: {m}");
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut e = Expected::default();
    e.set("new.txt", b"new\n");
    assert!(j["start"].as_u64().unwrap() > u64::from(start), "{j}");
    check_session(&disc, &j, &e);
    assert!(
        disc_bytes(&disc, start, 60 * 2048) == before,
        "session 1 changed"
    );
}

#[test]
fn garbage_pvd_of_the_only_session_on_dvd_plus_r_is_skipped_untouched() {
    garbage_pvd_of_the_only_session("dvd+r");
}

#[test]
fn garbage_pvd_of_the_only_session_on_cd_r_is_skipped_untouched() {
    garbage_pvd_of_the_only_session("cd-r");
}

#[test]
fn garbage_at_block_16_of_dvd_plus_rw_is_not_taken_for_a_blank_disc() {
    // Block 16 holds the copy of the newest descriptors; garbage there must not make the
    // disc look blank, or the first session at block 32 would be overwritten.
    let t = tempfile::tempdir().unwrap();
    let (dev, disc, start) = one_session(t.path(), "dvd+rw");
    assert_eq!(start, 32);
    poke(&disc, 16, 0, &garbage());
    refused(t.path(), &dev, &disc, "nothing was written");
}

#[test]
fn unknown_data_on_bd_re_is_not_overwritten_by_a_first_session() {
    // A formatted BD-RE holding another file system (UDF's volume recognition sequence at
    // block 16) is not blank.
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=bd-re", disc.display());
    let o = discburn(&["format", "--dev", &dev]);
    assert!(o.status.success(), "{}", text(&o));
    let mut vrs = vec![0u8; 2048];
    vrs[1..6].copy_from_slice(b"BEA01");
    vrs[6] = 1;
    poke(&disc, 16, 0, &vrs);
    refused(t.path(), &dev, &disc, "nothing was written");
}

fn garbage_root_records(profile: &str) {
    // Both the primary and the Joliet root directories of the session hold, after "." and
    // "..", records of 34 bytes whose name length (34) runs past the record.
    let t = tempfile::tempdir().unwrap();
    let (dev, disc, start) = one_session(t.path(), profile);
    let img = std::fs::read(&disc).unwrap();
    let mut roots = Vec::new();
    for i in 0..8u32 {
        let b = &img[(start + 16 + i) as usize * 2048..][..2048];
        if &b[1..6] != b"CD001" || b[0] == 255 {
            break;
        }
        if b[0] == 1 || b[0] == 2 {
            roots.push(le32(b, 156 + 2));
        }
    }
    assert!(
        roots.len() >= 2,
        "test bug: expected primary and Joliet roots"
    );
    for r in roots {
        let b = &img[r as usize * 2048..][..2048];
        let dot = usize::from(b[0]);
        let dotdot = usize::from(b[dot]);
        poke(&disc, r, dot + dotdot, &vec![34u8; 2048 - (dot + dotdot)]);
    }
    let m = refused(t.path(), &dev, &disc, "previous session");
    assert!(m.contains("directory record"), "{m}");
}

#[test]
fn garbage_directory_records_are_refused_on_bd_r() {
    garbage_root_records("bd-r");
}

#[test]
fn garbage_directory_records_are_refused_on_dvd_plus_rw() {
    garbage_root_records("dvd+rw");
}

/// The primary root directory's "." record (which carries Rock Ridge's SP and the root's
/// attributes) overwritten by random bytes, its length byte kept: Rock Ridge cannot be
/// detected. `add` must refuse, not import the session through its Joliet tree and write
/// a session that has lost every Rock Ridge name, mode, owner and link.
fn garbage_root_dot_record(profile: &str) {
    let t = tempfile::tempdir().unwrap();
    let (dev, disc, start) = one_session(t.path(), profile);
    let img = std::fs::read(&disc).unwrap();
    let pvd = &img[(start + 16) as usize * 2048..][..2048];
    assert!(pvd[0] == 1 && &pvd[1..6] == b"CD001", "test bug: no PVD");
    let root = le32(pvd, 156 + 2);
    let dot = usize::from(img[root as usize * 2048]);
    assert!(
        dot > 34 + 7,
        "test bug: the root \".\" record carries no SP"
    );
    poke(&disc, root, 1, &garbage()[..dot - 1]);
    let m = refused(t.path(), &dev, &disc, "previous session");
    assert!(m.contains("root '.' record"), "{m}");
}

#[test]
fn garbage_root_dot_record_is_refused_on_dvd_plus_rw() {
    garbage_root_dot_record("dvd+rw");
}

#[test]
fn garbage_root_dot_record_is_refused_on_bd_r() {
    garbage_root_dot_record("bd-r");
}
