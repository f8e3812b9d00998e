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

/// `--dev` before the subcommand's name and after it name drives alike: clap alone would let
/// the ones after it replace the ones before it (drive A dropped without a word). A user of
/// cdrecord has one `dev=` and no subcommand, so nothing there to follow; discburn's rule is
/// that a repeated `--dev` means every drive named, wherever it stands, and a command of
/// one drive refuses a second one wherever it stands.
#[test]
fn dev_before_and_after_the_subcommand_name_every_drive() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("a.disc"), t.path().join("b.disc"));
    let da = format!("emu:{},profile=bd-r", a.display());
    let db = format!("emu:{},profile=dvd+r", b.display());
    let src = t.path().join("src");
    let mut expect = Expected::default();
    put(&src, "one.txt", b"before and after\n");
    expect.set("one.txt", b"before and after\n");
    let o = discburn(&[
        "--dev",
        &da,
        "--json",
        "add",
        "--dev",
        &db,
        src.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let j = json(&o);
    all_verified(&j, 2, 0);
    let devices: Vec<&str> = j["drives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["device"].as_str().unwrap())
        .collect();
    assert_eq!(devices, [da.as_str(), db.as_str()], "in the order given");
    for d in [&a, &b] {
        check_session(d, &serde_json::json!({"start": 0}), &expect);
    }
    // A command of one drive refuses the second wherever it stands.
    let o = discburn(&["--dev", &da, "media", "--dev", &db]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("--dev given 2 times: only add and burn"),
        "{}",
        text(&o)
    );
    // The same drive before and after is refused before it is opened.
    let c = t.path().join("c.disc");
    let dc = format!("emu:{},profile=bd-r", c.display());
    let o = discburn(&["--dev", &dc, "add", "--dev", &dc, src.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("is given twice"), "{}", text(&o));
    assert!(!c.exists(), "the refused drive was opened");
}

/// `add --ecc` to two drives: each drive's summary has its repair-data line (as the add of
/// one drive prints it), the JSON has each drive's `ecc`, and `read --repair` rebuilds the
/// session from either disc with 8 % of its blocks unreadable.
#[test]
fn add_ecc_on_two_drives_reports_and_repairs_on_each() {
    let t = tempfile::tempdir().unwrap();
    let discs = [t.path().join("a.disc"), t.path().join("b.disc")];
    let devs: Vec<String> = discs
        .iter()
        .map(|d| format!("emu:{},profile=bd-r", d.display()))
        .collect();
    let src = t.path().join("src");
    put(&src, "big.bin", &pattern(2_500_000, 7));
    put(&src, "small.txt", b"small\n");
    let o = discburn(&[
        "add",
        "-q",
        "--dev",
        &devs[0],
        "--dev",
        &devs[1],
        "--ecc",
        "10",
        src.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    // The single-drive add of the same session prints the line to compare with.
    let one = t.path().join("one.disc");
    let o1 = discburn(&[
        "add",
        "-q",
        "--dev",
        &format!("emu:{},profile=bd-r", one.display()),
        "--ecc",
        "10",
        src.to_str().unwrap(),
    ]);
    assert!(o1.status.success(), "{}", text(&o1));
    let single = String::from_utf8_lossy(&o1.stdout);
    let repair = single
        .lines()
        .find(|l| l.starts_with("repair data: 10 % = "))
        .unwrap_or_else(|| panic!("single-drive add prints no repair line: {single}"));
    for dev in &devs {
        let mine: Vec<&str> = out
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("{dev}: ")))
            .collect();
        assert_eq!(mine.len(), 2, "{dev}: a summary and a repair line: {out}");
        assert!(mine[0].starts_with("session 1 written at block 0"), "{out}");
        assert_eq!(mine[1], repair, "{dev}: {out}");
    }
    // JSON: the ecc of each drive.
    let (c, d) = (t.path().join("c.disc"), t.path().join("d.disc"));
    let jdevs = [
        format!("emu:{},profile=bd-r", c.display()),
        format!("emu:{},profile=bd-r", d.display()),
    ];
    let o = add_many(&jdevs, &["--ecc", "10", "-q"], &src);
    assert!(o.status.success(), "{}", text(&o));
    let j = json(&o);
    all_verified(&j, 2, 0);
    for e in j["drives"].as_array().unwrap() {
        let ecc = &e["summary"]["ecc"];
        assert_eq!(ecc["percent"], 10, "{j}");
        let blocks = ecc["session_blocks"].as_u64().unwrap();
        assert_eq!(ecc["parity_blocks"].as_u64().unwrap(), blocks.div_ceil(10));
        assert_eq!(ecc["header_lba"].as_u64().unwrap(), blocks, "{j}");
    }
    let blocks = j["drives"][0]["summary"]["ecc"]["session_blocks"]
        .as_u64()
        .unwrap() as usize;
    for disc in discs.iter().chain([&c, &d]) {
        let want = disc_bytes(disc, 0, blocks * 2048);
        let back = t.path().join("back.iso");
        let bad = format!(
            "emu:{},bad=20-{}",
            disc.display(),
            20 + blocks * 8 / 100 - 1
        );
        let o = discburn(&[
            "read",
            "--dev",
            &bad,
            "--repair",
            "--session",
            "1",
            "-o",
            back.to_str().unwrap(),
            "--retries",
            "0",
            "-q",
        ]);
        assert!(o.status.success(), "{}: {}", disc.display(), text(&o));
        assert!(
            fs::read(&back).unwrap() == want,
            "{}: the repaired session differs",
            disc.display()
        );
        fs::remove_file(&back).unwrap();
        fs::remove_file(back.with_extension("iso.map")).ok();
    }
}

/// `burn --ecc` to a BD-R and a DVD+R at once writes on each the track a one-drive `burn
/// --ecc` writes (the image, then header, parity and header copy), each drive's summary
/// has the repair data (JSON `ecc`, and a line of text as `add` prints), and `read --repair`
/// rebuilds the image from each; from standard input without `--tsize` there is no size to
/// lay the parity out for, and the burn is refused before any drive is opened.
#[test]
fn burn_ecc_on_two_drives_writes_what_one_drive_writes() {
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("data.bin");
    let data = pattern(1_500_001, 8);
    fs::write(&file, &data).unwrap();
    let (a, b, one) = (
        t.path().join("a.disc"),
        t.path().join("b.disc"),
        t.path().join("one.disc"),
    );
    let o = discburn(&[
        "--json",
        "burn",
        "-q",
        "--dev",
        &format!("emu:{},profile=bd-r", a.display()),
        "--dev",
        &format!("emu:{},profile=dvd+r", b.display()),
        "--ecc",
        "10",
        file.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let j = json(&o);
    all_verified(&j, 2, 0);
    let o1 = discburn(&[
        "--json",
        "burn",
        "-q",
        "--dev",
        &format!("emu:{},profile=bd-r", one.display()),
        "--ecc",
        "10",
        file.to_str().unwrap(),
    ]);
    assert!(o1.status.success(), "{}", text(&o1));
    let j1 = json(&o1);
    let sent = j1["blocks"].as_u64().unwrap() as usize;
    let image_blocks = data.len().div_ceil(2048);
    assert!(sent > image_blocks + image_blocks / 10, "{j1}");
    let want = disc_bytes(&one, 0, sent * 2048);
    let ecc = &j1["ecc"];
    assert_eq!(ecc["percent"], 10, "{j1}");
    assert_eq!(ecc["session_blocks"], image_blocks, "{j1}");
    assert_eq!(ecc["header_lba"], image_blocks, "{j1}");
    for (d, disc) in j["drives"].as_array().unwrap().iter().zip([&a, &b]) {
        assert_eq!(d["summary"]["blocks"], sent, "{j}");
        assert_eq!(d["summary"]["md5"], j1["md5"], "{j}");
        assert_eq!(&d["summary"]["ecc"], ecc, "{j}");
        assert!(
            disc_bytes(disc, 0, sent * 2048) == want,
            "{}: not the one-drive burn's track",
            disc.display()
        );
        let back = t.path().join("back.bin");
        let bad = format!(
            "emu:{},bad=30-{}",
            disc.display(),
            30 + image_blocks * 8 / 100 - 1
        );
        let o = discburn(&[
            "read",
            "--dev",
            &bad,
            "--repair",
            "-o",
            back.to_str().unwrap(),
            "--retries",
            "0",
            "-q",
        ]);
        assert!(o.status.success(), "{}: {}", disc.display(), text(&o));
        let mut padded = data.clone();
        padded.resize(image_blocks * 2048, 0);
        assert!(fs::read(&back).unwrap() == padded, "{}", disc.display());
        fs::remove_file(&back).unwrap();
        fs::remove_file(back.with_extension("bin.map")).ok();
    }
    // Text: a summary and a repair-data line per drive.
    let (g, h) = (t.path().join("g.disc"), t.path().join("h.disc"));
    let tdevs = [
        format!("emu:{},profile=bd-r", g.display()),
        format!("emu:{},profile=bd-r", h.display()),
    ];
    let o = discburn(&[
        "burn",
        "-q",
        "--dev",
        &tdevs[0],
        "--dev",
        &tdevs[1],
        "--ecc",
        "10",
        file.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let line = format!(
        "repair data: 10 % = {} parity blocks in {} codewords after the image's {image_blocks} \
         blocks (header at block {image_blocks}); `discburn read --repair` restores the image",
        ecc["parity_blocks"], ecc["codewords"]
    );
    for dev in &tdevs {
        let mine: Vec<&str> = out
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("{dev}: ")))
            .collect();
        assert_eq!(mine.len(), 2, "{dev}: {out}");
        assert!(mine[0].contains("written at block 0"), "{out}");
        assert_eq!(mine[1], line, "{out}");
    }
    // Standard input of unknown size: refused, no drive opened.
    let (c, d) = (t.path().join("c.disc"), t.path().join("d.disc"));
    let mut child = command(BIN)
        .args([
            "burn",
            "-q",
            "--dev",
            &format!("emu:{},profile=bd-r", c.display()),
            "--dev",
            &format!("emu:{},profile=bd-r", d.display()),
            "--ecc",
            "10",
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(&data[..40 * 2048]);
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(
            "--ecc needs the image's size (burn a file, or give --tsize); nothing was written to any drive"
        ),
        "{}",
        text(&o)
    );
    assert!(!c.exists() && !d.exists(), "a drive was opened");
}
