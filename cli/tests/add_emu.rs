//! `discburn add` on the emulated drive, for every writable medium: five sessions in a row
//! (files added, changed and removed); after each, xorriso (libisofs, an independent reader)
//! loads the disc image file at the session's start block and its extracted tree must be
//! exactly the expected merged tree, byte for byte.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::burn::*;

/// The summary's "blocks left" is what the drive reports as free after the session
/// (on CD and DVD-R that already pays the next session's lead-in/lead-out gaps).
fn check_blocks_left(dev: &str, j: &serde_json::Value) {
    let out = discburn(&["--json", "media", "--dev", dev]);
    assert!(out.status.success(), "{}", text(&out));
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["blocks_left"], m["free_blocks"], "add: {j}\nmedia: {m}");
}

fn five_sessions(profile: &str) {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile={profile}", disc.display());
    let mut expect = Expected::default();
    let mut starts = Vec::new();

    // 1: a tree.
    let s1 = t.path().join("s1");
    put(&s1, "a.txt", b"alpha one\n");
    put(&s1, "sub/b.bin", &pattern(100_000, 1));
    put(&s1, "sub/deep/c.txt", b"c one\n");
    expect.set("a.txt", b"alpha one\n");
    expect.set("sub/b.bin", &pattern(100_000, 1));
    expect.set("sub/deep/c.txt", b"c one\n");
    let j = add(&dev, &[], &[&s1]);
    assert_eq!(j["session"], 1, "{j}");
    assert_eq!(j["added"], 3, "{j}");
    assert_eq!(j["verified"], true, "{j}");
    starts.push(check_session(&disc, &j, &expect));
    check_blocks_left(&dev, &j);

    // 2: a file changed, one added.
    let s2 = t.path().join("s2");
    put(&s2, "a.txt", b"alpha two, longer\n");
    put(&s2, "new.txt", b"new in two\n");
    expect.set("a.txt", b"alpha two, longer\n");
    expect.set("new.txt", b"new in two\n");
    let j = add(&dev, &[], &[&s2]);
    assert_eq!(
        (j["added"].clone(), j["replaced"].clone()),
        (1.into(), 1.into()),
        "{j}"
    );
    starts.push(check_session(&disc, &j, &expect));
    check_blocks_left(&dev, &j);

    // 3: a file removed, a directory added.
    let s3 = t.path().join("s3");
    put(&s3, "d/e.txt", b"e three\n");
    expect.remove("sub/deep/c.txt");
    expect.set("d/e.txt", b"e three\n");
    let j = add(&dev, &["sub/deep/c.txt"], &[&s3]);
    assert_eq!(
        (j["added"].clone(), j["removed"].clone()),
        (1.into(), 1.into()),
        "{j}"
    );
    starts.push(check_session(&disc, &j, &expect));
    check_blocks_left(&dev, &j);

    // 4: same size, different bytes.
    let s4 = t.path().join("s4");
    put(&s4, "sub/b.bin", &pattern(100_000, 4));
    put(&s4, "f.txt", b"f four\n");
    expect.set("sub/b.bin", &pattern(100_000, 4));
    expect.set("f.txt", b"f four\n");
    let j = add(&dev, &[], &[&s4]);
    assert_eq!(
        (j["added"].clone(), j["replaced"].clone()),
        (1.into(), 1.into()),
        "{j}"
    );
    starts.push(check_session(&disc, &j, &expect));
    check_blocks_left(&dev, &j);

    // 5: a file and a directory removed, a file added, with a graft point.
    let s5 = t.path().join("s5");
    put(&s5, "g.txt", b"g five\n");
    expect.remove("new.txt");
    expect.remove("d/e.txt");
    expect.set("grafted/g.txt", b"g five\n");
    let graft = format!("grafted={}", s5.display());
    let j = add_raw(&dev, &["new.txt", "d"], &[graft.as_str()]);
    assert_eq!(
        (j["added"].clone(), j["removed"].clone()),
        (1.into(), 2.into()),
        "{j}"
    );
    assert_eq!(j["session"], 5, "{j}");
    starts.push(check_session(&disc, &j, &expect));
    check_blocks_left(&dev, &j);

    let mut sorted = starts.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        sorted, starts,
        "sessions must start at increasing blocks: {starts:?}"
    );
}

#[test]
fn add_five_sessions_cd_r() {
    five_sessions("cd-r");
}

#[test]
fn add_five_sessions_cd_rw() {
    five_sessions("cd-rw");
}

#[test]
fn add_five_sessions_dvd_r() {
    five_sessions("dvd-r");
}

#[test]
fn add_five_sessions_dvd_plus_r() {
    five_sessions("dvd+r");
}

#[test]
fn add_five_sessions_dvd_plus_r_dl() {
    five_sessions("dvd+r-dl");
}

#[test]
fn add_five_sessions_bd_r() {
    five_sessions("bd-r");
}

#[test]
fn add_five_sessions_dvd_plus_rw() {
    five_sessions("dvd+rw");
}

#[test]
fn add_five_sessions_bd_re() {
    five_sessions("bd-re");
}

#[test]
fn add_close_finalizes_and_later_add_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=dvd+r", disc.display());
    let s = t.path().join("s");
    put(&s, "x.txt", b"x\n");
    let out = discburn(&[
        "add",
        "--json",
        "--close",
        "--dev",
        &dev,
        s.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let out = discburn(&["add", "--dev", &dev, s.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("closed"), "{}", text(&out));
}

#[test]
fn add_takes_mkisofs_options() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=bd-r", disc.display());
    let s1 = t.path().join("s1");
    put(&s1, "one.txt", b"one\n");
    put(&s1, "sub/x.txt", b"x\n");
    add(&dev, &[], &[&s1]);
    let s2 = t.path().join("s2");
    put(&s2, "two.txt", b"two\n");
    let graft = format!("g/h={}", s2.display());
    let j = add_raw(
        &dev,
        &[],
        &[
            "-r",
            "-J",
            "-V",
            "MYVOL",
            "-graft-points",
            &graft,
            "-remove",
            "/sub",
        ],
    );
    assert_eq!(
        (j["added"].clone(), j["removed"].clone()),
        (1.into(), 1.into()),
        "{j}"
    );
    let mut e = Expected::default();
    e.set("one.txt", b"one\n");
    e.set("g/h/two.txt", b"two\n");
    let start = check_session(&disc, &j, &e);
    let o = tool(
        "xorriso",
        &[
            "-load",
            "sbsector",
            &start.to_string(),
            "-indev",
            disc.to_str().unwrap(),
            "-pvd_info",
        ],
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("MYVOL"),
        "{}",
        text(&o)
    );
    // -o/-C/-M are the drive's business.
    let out = discburn(&["add", "--dev", &dev, "-o", "x.iso", s2.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}
