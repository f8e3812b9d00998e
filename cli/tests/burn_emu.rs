//! `discburn burn` on the emulated drive: an image made by genisoimage lands byte for byte
//! at block 0; standard input with --multi; test writes where the medium can simulate and
//! a clear refusal where it cannot; a session larger than the free space refused before
//! any write.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::burn::*;

fn genisoimage(dir: &Path, src: &Path) -> PathBuf {
    genisoimage_image(&dir.join("img.iso"), &[src])
}

fn tree(dir: &Path) -> PathBuf {
    let s = dir.join("src");
    put(&s, "one.txt", b"one\n");
    put(&s, "big/data.bin", &pattern(300_000, 7));
    s
}

#[test]
fn burn_image_file_to_dvd_plus_r_is_byte_exact_and_finalizes() {
    let t = tempfile::tempdir().unwrap();
    let img = genisoimage(t.path(), &tree(t.path()));
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=dvd+r", disc.display());
    let out = discburn(&["burn", "--json", "--dev", &dev, img.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["start"], 0);
    assert_eq!(j["appendable"], false);
    assert_eq!(j["verified"], true);
    let want = std::fs::read(&img).unwrap();
    assert!(
        disc_bytes(&disc, 0, want.len()) == want,
        "disc differs from the image"
    );
    // Finalized: a second burn is refused and names why.
    let out = discburn(&["burn", "--dev", &dev, img.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("closed"), "{}", text(&out));
}

#[test]
fn burn_stdin_multi_then_add_on_cd_r() {
    let t = tempfile::tempdir().unwrap();
    let src = tree(t.path());
    let img = genisoimage(t.path(), &src);
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=cd-r", disc.display());
    let mut child = command(BIN)
        .args(["burn", "--json", "--multi", "--dev", &dev, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(&img).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["appendable"], true, "{j}");
    let mut e = Expected::default();
    e.set("one.txt", b"one\n");
    e.set("big/data.bin", &pattern(300_000, 7));
    check_session(&disc, &j, &e);
    // add continues the genisoimage session.
    let s2 = t.path().join("s2");
    put(&s2, "two.txt", b"two\n");
    e.set("two.txt", b"two\n");
    let j = add(&dev, &[], &[&s2]);
    assert_eq!(j["session"], 2, "{j}");
    check_session(&disc, &j, &e);
}

#[test]
fn dummy_write_on_cd_r_records_nothing() {
    let t = tempfile::tempdir().unwrap();
    let img = genisoimage(t.path(), &tree(t.path()));
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=cd-r", disc.display());
    let out = discburn(&[
        "burn",
        "--json",
        "--dummy",
        "--dev",
        &dev,
        img.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["dummy"], true);
    let out = discburn(&["msinfo", "--dev", &dev]);
    let all = text(&out);
    assert!(
        !disc_bytes(&disc, 0, 40 * 2048).iter().any(|&b| b != 0),
        "a test write recorded data; msinfo: {all}"
    );
}

#[test]
fn dummy_write_is_refused_on_bd_r_before_writing() {
    let t = tempfile::tempdir().unwrap();
    let img = genisoimage(t.path(), &tree(t.path()));
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=bd-r", disc.display());
    let out = discburn(&["burn", "--dummy", "--dev", &dev, img.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let m = text(&out);
    assert!(m.contains("cannot do test writes"), "{m}");
    assert!(m.contains("nothing was written"), "{m}");
    assert!(!disc_bytes(&disc, 0, 40 * 2048).iter().any(|&b| b != 0));
}

#[test]
fn session_larger_than_free_space_is_refused_before_any_write() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    // A BD-R that holds only 2000 blocks (4 MB); the session needs about 2600.
    let dev = format!("emu:{},profile=bd-r,fill_early=2000", disc.display());
    let s = t.path().join("s");
    put(&s, "big.bin", &pattern(5_000_000, 3));
    let out = discburn(&["add", "--dev", &dev, s.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let m = text(&out);
    assert!(m.contains("only 2000 blocks"), "{m}");
    assert!(m.contains("nothing was written"), "{m}");
    assert!(!disc_bytes(&disc, 0, 64 * 2048).iter().any(|&b| b != 0));
    // Same through burn of a file.
    let img = genisoimage(t.path(), &s);
    let out = discburn(&["burn", "--dev", &dev, img.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("nothing was written"), "{}", text(&out));
}

#[test]
fn overwritable_burn_then_add_keeps_growing() {
    // A plain image goes to block 0 of a DVD+RW (growisofs -Z); add appends at the next
    // 32-block boundary and commits by copying descriptors to block 16.
    let t = tempfile::tempdir().unwrap();
    let src = tree(t.path());
    let img = genisoimage(t.path(), &src);
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=dvd+rw", disc.display());
    let out = discburn(&["burn", "--json", "--dev", &dev, img.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["start"], 0);
    let s2 = t.path().join("s2");
    put(&s2, "two.txt", b"two\n");
    let j = add(&dev, &["one.txt"], &[&s2]);
    assert_eq!(j["start"].as_u64().unwrap() % 32, 0, "{j}");
    let mut e = Expected::default();
    e.set("big/data.bin", &pattern(300_000, 7));
    e.set("two.txt", b"two\n");
    check_session(&disc, &j, &e);
    // The copy at block 16 shows the newest tree to readers that start at 0.
    let got = xorriso_tree(&disc, 0);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        e.0.keys().collect::<Vec<_>>()
    );
}

#[test]
fn xorriso_and_add_append_to_each_others_sessions_on_dvd_plus_rw() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=dvd+rw", disc.display());
    let mut e = Expected::default();
    for (n, by_xorriso) in [(1, false), (2, true), (3, false), (4, true), (5, false)] {
        let s = t.path().join(format!("s{n}"));
        let name = format!("f{n}.txt");
        put(&s, &name, name.as_bytes());
        e.set(&name, name.as_bytes());
        if by_xorriso {
            let o = tool(
                "xorriso",
                &[
                    "-abort_on",
                    "FAILURE",
                    "-dev",
                    disc.to_str().unwrap(),
                    "-map",
                    s.join(&name).to_str().unwrap(),
                    &format!("/{name}"),
                    "-commit",
                ],
            );
            assert!(o.status.success(), "xorriso: {}", text(&o));
            // Our msinfo finds xorriso's session; its tree is the merged one.
            let o = discburn(&["msinfo", "--dev", &dev]);
            assert!(o.status.success(), "{}", text(&o));
            let ms = String::from_utf8_lossy(&o.stdout).trim().to_string();
            let start: u32 = ms.split(',').next().unwrap().parse().unwrap();
            assert_eq!(
                xorriso_tree(&disc, start),
                e.0,
                "after xorriso session {n} ({ms})"
            );
        } else {
            let j = add(&dev, &[], &[&s]);
            check_session(&disc, &j, &e);
        }
        // Readers that start at block 0 see the newest tree (the copy at block 16).
        assert_eq!(
            xorriso_tree(&disc, 0),
            e.0,
            "block 0 view after session {n}"
        );
    }
}

#[test]
fn growisofs_and_add_append_to_each_others_sessions_on_dvd_plus_rw() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=dvd+rw", disc.display());
    let mut e = Expected::default();
    for (n, by_growisofs) in [(1, false), (2, true), (3, false), (4, true), (5, false)] {
        let s = t.path().join(format!("s{n}"));
        let name = format!("f{n}.txt");
        put(&s, &name, name.as_bytes());
        e.set(&name, name.as_bytes());
        if by_growisofs {
            // growisofs -M on the image file: genisoimage -C/-M, then the descriptor copy.
            let o = tool(
                "growisofs",
                &[
                    "-M",
                    disc.to_str().unwrap(),
                    "-quiet",
                    "-R",
                    "-J",
                    s.to_str().unwrap(),
                ],
            );
            assert!(o.status.success(), "growisofs: {}", text(&o));
            let o = discburn(&["msinfo", "--dev", &dev]);
            assert!(o.status.success(), "{}", text(&o));
            let ms = String::from_utf8_lossy(&o.stdout).trim().to_string();
            let start: u32 = ms.split(',').next().unwrap().parse().unwrap();
            assert_eq!(
                xorriso_tree(&disc, start),
                e.0,
                "after growisofs session {n} ({ms})"
            );
        } else {
            let j = add(&dev, &[], &[&s]);
            check_session(&disc, &j, &e);
        }
        assert_eq!(
            xorriso_tree(&disc, 0),
            e.0,
            "block 0 view after session {n}"
        );
    }
}

#[test]
fn burn_over_sessions_on_overwritable_media_needs_force() {
    // A plain image (not made with -C for the next writable address) goes to block 0 of a
    // DVD+RW or BD-RE, replacing everything: refused while the disc holds sessions, unless
    // --force (cdrecord: -force).
    for profile in ["dvd+rw", "bd-re"] {
        let t = tempfile::tempdir().unwrap();
        let src = tree(t.path());
        let img = genisoimage(t.path(), &src);
        let disc = t.path().join("disc.img");
        let dev = format!("emu:{},profile={profile}", disc.display());
        let s = t.path().join("s1");
        put(&s, "keep.txt", b"keep\n");
        let j = add(&dev, &[], &[&s]);
        let before = std::fs::read(&disc).unwrap();
        let out = discburn(&["burn", "--dev", &dev, img.to_str().unwrap()]);
        let m = text(&out);
        assert_eq!(out.status.code(), Some(1), "{profile}: {m}");
        assert!(m.contains("--force"), "{profile}: {m}");
        assert!(m.contains("nothing was written"), "{profile}: {m}");
        assert!(
            std::fs::read(&disc).unwrap() == before,
            "{profile}: image changed"
        );
        let mut e = Expected::default();
        e.set("keep.txt", b"keep\n");
        check_session(&disc, &j, &e);
        // The cdrecord personality refuses the same way.
        use std::os::unix::process::CommandExt;
        let out = command(BIN)
            .arg0("cdrecord")
            .arg(format!("dev={dev}"))
            .arg(&img)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{profile}: {}", text(&out));
        assert!(
            std::fs::read(&disc).unwrap() == before,
            "{profile}: image changed"
        );
        // With --force the image replaces the contents.
        let out = discburn(&[
            "burn",
            "--force",
            "--json",
            "--dev",
            &dev,
            img.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{profile}: {}", text(&out));
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(j["start"], 0, "{j}");
    }
    // A formatted BD-RE holding another file system (UDF's recognition sequence at 16).
    let t = tempfile::tempdir().unwrap();
    let img = genisoimage(t.path(), &tree(t.path()));
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=bd-re", disc.display());
    assert!(discburn(&["format", "--dev", &dev]).status.success());
    let mut b = std::fs::read(&disc).unwrap();
    b.resize(b.len().max(17 * 2048), 0);
    b[16 * 2048 + 1..16 * 2048 + 6].copy_from_slice(b"BEA01");
    std::fs::write(&disc, &b).unwrap();
    let out = discburn(&["burn", "--dev", &dev, img.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("--force"), "{}", text(&out));
    assert!(std::fs::read(&disc).unwrap() == b, "image changed");
}

#[test]
fn dummy_write_on_dvd_r_records_nothing_and_reports_the_disc_unchanged() {
    // Without --multi a real write would finalize; a test write leaves the disc as it was
    // (blank), and the summary must not claim it was closed.
    for profile in ["dvd-r", "cd-rw"] {
        let t = tempfile::tempdir().unwrap();
        let img = genisoimage(t.path(), &tree(t.path()));
        let disc = t.path().join("disc.img");
        let dev = format!("emu:{},profile={profile}", disc.display());
        let out = discburn(&["burn", "--dummy", "--dev", &dev, img.to_str().unwrap()]);
        let m = text(&out);
        assert!(out.status.success(), "{profile}: {m}");
        assert!(!m.contains("closed"), "{profile}: {m}");
        let out = discburn(&[
            "burn",
            "--json",
            "--dummy",
            "--dev",
            &dev,
            img.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{profile}: {}", text(&out));
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(j["dummy"], true, "{j}");
        assert_eq!(j["appendable"], true, "{profile}: {j}");
        let b = std::fs::read(&disc).unwrap_or_default();
        assert!(
            b.iter().all(|&x| x == 0),
            "{profile}: a test write recorded data"
        );
        let o = discburn(&["msinfo", "--dev", &dev]);
        assert!(text(&o).contains("blank"), "{profile}: {}", text(&o));
        // And the disc takes a real session afterwards.
        let s = t.path().join("s");
        put(&s, "a.txt", b"a\n");
        let j = add(&dev, &[], &[&s]);
        assert_eq!(j["start"], 0, "{j}");
    }
}
