//! `add` and `burn` with `--dev` given several times (issue 15, "several drives at once"):
//! one session built once and written to four emulated BD-Rs at once. Every disc reads
//! back through xorriso (libisofs, an independent reader) with exactly the expected tree
//! and the four disc images are byte for byte equal; a write error injected on one drive
//! (`write_error=`) fails that drive only, the exit status (64 + a bit per failed drive)
//! and the message name it, and the three others finish and verify; a disc whose previous
//! sessions differ is refused before any command that changes a medium is sent to any
//! drive (the CDB trace of `-vv` holds none, the four images and states are unchanged).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::burn::*;

/// Four blank emulated BD-Rs in `dir`: their image paths.
fn four_discs(dir: &Path) -> Vec<PathBuf> {
    ["a", "b", "c", "d"]
        .iter()
        .map(|n| dir.join(format!("{n}.disc")))
        .collect()
}

/// `discburn --json add --dev D1 --dev D2 ... SRC` (`devs` are full device strings).
fn add_many(devs: &[String], extra: &[&str], src: &Path) -> std::process::Output {
    let mut args: Vec<&str> = vec!["--json", "add"];
    for d in devs {
        args.push("--dev");
        args.push(d);
    }
    args.extend_from_slice(extra);
    args.push(src.to_str().unwrap());
    discburn(&args)
}

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

/// Every drive's entry is ok, verified, at `start`, with one MD5 for all; returns it.
fn all_verified(j: &serde_json::Value, n: usize, start: u32) -> String {
    let drives = j["drives"].as_array().unwrap();
    assert_eq!(drives.len(), n, "{j}");
    let md5 = drives[0]["summary"]["md5"].as_str().unwrap().to_string();
    for d in drives {
        assert_eq!(d["ok"], true, "{j}");
        assert_eq!(d["summary"]["verified"], true, "{j}");
        assert_eq!(d["summary"]["start"], start, "{j}");
        assert_eq!(
            d["summary"]["md5"],
            md5.as_str(),
            "one session for all: {j}"
        );
    }
    assert_eq!(j["failed"].as_array().unwrap().len(), 0, "{j}");
    md5
}

/// Four BD-Rs with the same first session (written at once); returns (discs, devices,
/// expected tree).
fn four_with_a_session(dir: &Path) -> (Vec<PathBuf>, Vec<String>, Expected) {
    let discs = four_discs(dir);
    let devs: Vec<String> = discs
        .iter()
        .map(|d| format!("emu:{},profile=bd-r", d.display()))
        .collect();
    let s1 = dir.join("s1");
    let mut expect = Expected::default();
    for (p, b) in [
        ("readme.txt", b"the first session\n".to_vec()),
        ("data/big.bin", pattern(3_000_000, 1)),
        ("data/deep/small.txt", b"small\n".to_vec()),
    ] {
        put(&s1, p, &b);
        expect.set(p, &b);
    }
    let o = add_many(&devs, &[], &s1);
    assert!(o.status.success(), "{}", text(&o));
    let j = json(&o);
    all_verified(&j, 4, 0);
    (discs, devs, expect)
}

#[test]
fn four_drives_get_one_session_each_verified_and_read_by_xorriso() {
    let t = tempfile::tempdir().unwrap();
    let (discs, _, mut expect) = four_with_a_session(t.path());
    for d in &discs {
        check_session(d, &serde_json::json!({"start": 0}), &expect);
    }
    // A second session on all four: msinfo, import and the tree are the same on each.
    let (_, next) = msinfo(&discs[0]);
    let s2 = t.path().join("s2");
    put(&s2, "readme.txt", b"changed in session two\n");
    put(&s2, "two/new.bin", &pattern(1_500_000, 2));
    expect.set("readme.txt", b"changed in session two\n");
    expect.set("two/new.bin", &pattern(1_500_000, 2));
    let devs: Vec<String> = discs
        .iter()
        .map(|d| format!("emu:{}", d.display()))
        .collect();
    let o = add_many(&devs, &[], &s2);
    assert!(o.status.success(), "{}", text(&o));
    let j = json(&o);
    all_verified(&j, 4, next);
    for d in j["drives"].as_array().unwrap() {
        assert_eq!(d["summary"]["session"], 2, "{j}");
        assert_eq!(
            (
                d["summary"]["added"].clone(),
                d["summary"]["replaced"].clone()
            ),
            (1.into(), 1.into()),
            "{j}"
        );
    }
    for d in &discs {
        assert_eq!(msinfo(d).0, next, "{}", d.display());
        check_session(d, &serde_json::json!({"start": next}), &expect);
    }
    // One producer, the same bytes: the four media are identical.
    let first = fs::read(&discs[0]).unwrap();
    for d in &discs[1..] {
        assert!(
            fs::read(d).unwrap() == first,
            "{} differs from {}",
            d.display(),
            discs[0].display()
        );
    }
    // A progress line per drive, naming it (stderr is not a terminal here: plain lines,
    // with --json as JSON lines carrying "drive").
    let err = String::from_utf8_lossy(&o.stderr);
    for dev in &devs {
        assert!(
            err.lines().any(|l| l.contains("\"event\":\"progress\"")
                && l.contains(&format!("\"drive\":\"{dev}\""))),
            "no progress line for {dev}:\n{err}"
        );
    }
}

#[test]
fn a_write_error_on_one_drive_fails_it_alone() {
    let t = tempfile::tempdir().unwrap();
    let (discs, _, expect) = four_with_a_session(t.path());
    let (_, next) = msinfo(&discs[0]);
    let s2 = t.path().join("s2");
    put(&s2, "second.bin", &pattern(2_000_000, 3));
    let mut expect2 = Expected(expect.0.clone());
    expect2.set("second.bin", &pattern(2_000_000, 3));
    let bad = next + 300;
    let devs: Vec<String> = discs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            if i == 2 {
                format!("emu:{},write_error={bad}", d.display())
            } else {
                format!("emu:{}", d.display())
            }
        })
        .collect();
    let o = add_many(&devs, &[], &s2);
    // Drive 3 (bit 2) failed: 64 + 4.
    assert_eq!(o.status.code(), Some(68), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "1 of 4 drives failed: {} (drive 3); the others wrote and verified the session",
            devs[2]
        )),
        "{err}"
    );
    assert!(
        err.lines().any(
            |l| l.starts_with(&format!("discburn: {}: burn failed:", devs[2]))
                && l.contains("WRITE ERROR")
        ),
        "{err}"
    );
    let j = json(&o);
    assert_eq!(j["failed"], serde_json::json!([devs[2]]), "{j}");
    let drives = j["drives"].as_array().unwrap();
    for (i, d) in drives.iter().enumerate() {
        if i == 2 {
            assert_eq!(d["ok"], false, "{j}");
            assert!(d["error"].as_str().unwrap().contains("WRITE ERROR"), "{j}");
            continue;
        }
        assert_eq!(d["ok"], true, "{j}");
        assert_eq!(d["summary"]["verified"], true, "{j}");
        assert_eq!(d["summary"]["start"], next, "{j}");
        check_session(&discs[i], &serde_json::json!({"start": next}), &expect2);
    }
    // The failed drive's first session is untouched.
    check_session(&discs[2], &serde_json::json!({"start": 0}), &expect);
}

/// The CDBs of a `-vv` trace that change a medium: WRITE(10)/(12), MODE SELECT, RESERVE
/// TRACK, CLOSE TRACK/SESSION, FORMAT UNIT, BLANK, SYNCHRONIZE CACHE, SEND CUE SHEET.
fn medium_changing_cdbs(trace: &str) -> Vec<String> {
    trace
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("CDB: "))
        .filter(|c| {
            let op = c.get(..2).unwrap_or("").to_ascii_lowercase();
            ["2a", "aa", "55", "53", "5b", "04", "a1", "35", "5d"].contains(&op.as_str())
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn discs_with_other_sessions_are_refused_before_anything_is_written() {
    let t = tempfile::tempdir().unwrap();
    let (discs, _, _) = four_with_a_session(t.path());
    // Disc d gets a second session the others lack.
    let extra = t.path().join("extra");
    put(&extra, "only-on-d.txt", b"d only\n");
    let o = discburn(&[
        "--json",
        "add",
        "--dev",
        &format!("emu:{}", discs[3].display()),
        extra.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    // Disc e: a first session of the same size and layout as the others' (same names and
    // sizes, other bytes): it starts where theirs does, its descriptors and files differ.
    let e = t.path().join("e.disc");
    let s1e = t.path().join("s1e");
    put(&s1e, "readme.txt", b"THE FIRST SESSION\n");
    put(&s1e, "data/big.bin", &pattern(3_000_000, 9));
    put(&s1e, "data/deep/small.txt", b"SMALL\n");
    let o = discburn(&[
        "--json",
        "add",
        "--dev",
        &format!("emu:{},profile=bd-r", e.display()),
        s1e.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(msinfo(&e), msinfo(&discs[0]), "same layout, same addresses");

    let s2 = t.path().join("s2");
    put(&s2, "new.txt", b"never written\n");
    // Mastering records the time in the descriptors (ECMA-119 §8.4.26), so disc e's
    // differ unless both were made within the same hundredth of a second; its files'
    // recorded MD5s differ in the tree compare in any case.
    for (odd, want) in [
        (
            &discs[3],
            &["its disc holds other sessions than drive 1's"][..],
        ),
        (
            &e,
            &[
                "the previous session at block 0 has other volume descriptors than drive 1's",
                "the previous session at block 0 holds another tree than drive 1's",
            ][..],
        ),
    ] {
        let all: Vec<&PathBuf> = vec![&discs[0], &discs[1], &discs[2], odd];
        let before: Vec<Snapshot> = all.iter().map(|d| snapshot(d)).collect();
        let devs: Vec<String> = all.iter().map(|d| format!("emu:{}", d.display())).collect();
        let mut args: Vec<&str> = vec!["add", "-vv"];
        for d in &devs {
            args.push("--dev");
            args.push(d);
        }
        args.push(s2.to_str().unwrap());
        let o = discburn(&args);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        let line = err
            .lines()
            .find(|l| l.starts_with(&format!("discburn: {}: ", devs[3])))
            .unwrap_or_else(|| panic!("no message naming {}:\n{err}", devs[3]));
        assert!(want.iter().any(|w| line.contains(w)), "{line}");
        assert!(
            line.ends_with(&format!(
                "(drive 1 is {}); nothing was written to any drive",
                devs[0]
            )),
            "{line}"
        );
        assert_eq!(
            medium_changing_cdbs(&err),
            Vec::<String>::new(),
            "commands that change a medium were sent"
        );
        for (d, b) in all.iter().zip(&before) {
            assert_same(
                &snapshot(d),
                b,
                &format!("the refused add ({})", d.display()),
            );
        }
    }
}

#[test]
fn burn_writes_one_image_to_a_bd_r_and_a_dvd_plus_r() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    put(&src, "f.bin", &pattern(1_000_000, 5));
    let iso = genisoimage_image(&t.path().join("i.iso"), &[&src]);
    let a = t.path().join("a.disc");
    let b = t.path().join("b.disc");
    let devs = [
        format!("emu:{},profile=bd-r", a.display()),
        format!("emu:{},profile=dvd+r", b.display()),
    ];
    let o = discburn(&[
        "--json",
        "burn",
        "--dev",
        &devs[0],
        "--dev",
        &devs[1],
        iso.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let j = json(&o);
    all_verified(&j, 2, 0);
    let want = fs::read(&iso).unwrap();
    for d in [&a, &b] {
        assert!(
            disc_bytes(d, 0, want.len()) == want,
            "{} does not hold the image",
            d.display()
        );
    }
}
