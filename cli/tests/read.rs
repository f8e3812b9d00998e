//! `discburn read` and the `readcd` personality on the emulated drive with injected
//! unreadable (`bad=`) and slow (`slow=`) ranges: every good block saved, the map (checked
//! with GNU ddrescuelog, an independent reader) lists exactly the bad blocks, a second run
//! with the map sends READs only inside them (counted in the `-vv` CDB trace), runs killed
//! with SIGKILL or stopped with SIGINT/SIGTERM finish on a rerun, and readcd dumps equal
//! the image byte for byte.
#![cfg(unix)] // reason: symlinked personalities, signals
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::read::*;

const BAD: &[(u32, u32)] = &[(100, 109), (700, 700), (1000, 1003)];
const BAD_OPT: &str = "bad=100-109;700;1000-1003";

fn assert_image(img: &[u8], iso: &[u8], bad: &[u32]) {
    assert_eq!(img.len(), iso.len(), "image length");
    for lba in 0..iso.len() / 2048 {
        let got = &img[lba * 2048..(lba + 1) * 2048];
        if bad.contains(&(lba as u32)) {
            assert!(
                got.iter().all(|&b| b == 0),
                "bad block {lba} not zero-filled"
            );
        } else {
            assert!(
                got == &iso[lba * 2048..(lba + 1) * 2048],
                "block {lba} differs"
            );
        }
    }
}

#[test]
fn read_saves_good_blocks_and_maps_exactly_the_bad_ones() {
    let d = make_disc(2_000_000);
    let dev = d.dev("bad.iso", &format!("{BAD_OPT},slow=300-349:4"));
    let img = d.dir.path().join("out.img");
    let map = d.dir.path().join("out.map");
    let o = discburn(&[
        "read",
        "--dev",
        &dev,
        "--all",
        "-o",
        img.to_str().unwrap(),
        "--map",
        map.to_str().unwrap(),
        "--retries",
        "2",
        "--json",
        "-q",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "incomplete image must fail: {}",
        text(&o)
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ranges: Vec<(u32, u32)> = serde_json::from_value(j["bad_ranges"].clone()).unwrap();
    assert_eq!(ranges, BAD, "{j}");
    let bad = expand(BAD);
    assert_image(&std::fs::read(&img).unwrap(), &d.bytes(), &bad);
    // GNU ddrescuelog reads our map: exactly the injected blocks are bad, the rest finished.
    assert_eq!(ddrescuelog_list(&map, "-"), bad);
    let done = ddrescuelog_list(&map, "+");
    assert_eq!(done.len() as u32 + bad.len() as u32, d.blocks());
    assert!(ddrescuelog_list(&map, "?*/").is_empty());

    // Second run, same map, the blocks still bad: READs only inside the bad ranges.
    let o = discburn(&[
        "read",
        "--dev",
        &dev,
        "-o",
        img.to_str().unwrap(),
        "--map",
        map.to_str().unwrap(),
        "--retries",
        "2",
        "-vv",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let reads = traced_reads(&o.stderr);
    assert!(!reads.is_empty(), "no READ(10) in the trace: {}", text(&o));
    for &(lba, n) in &reads {
        let inside = BAD.iter().any(|&(a, b)| lba >= a && lba + n - 1 <= b);
        assert!(
            inside,
            "READ of {n} at {lba} outside the bad ranges; all: {reads:?}"
        );
    }
    // Every bad block was tried 1 + 2 times alone.
    for &l in &bad {
        let alone = reads.iter().filter(|&&r| r == (l, 1)).count();
        assert!(alone >= 3, "block {l} tried {alone} times alone: {reads:?}");
    }
    assert_eq!(ddrescuelog_list(&map, "-"), bad);

    // Third run: the disc reads again (a cleaned disc): the map finishes, the image is whole.
    let clean = d.dev("bad.iso", "");
    let o = discburn(&[
        "read",
        "--dev",
        &clean,
        "-o",
        img.to_str().unwrap(),
        "--map",
        map.to_str().unwrap(),
        "-vv",
        "-q",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let reads = traced_reads(&o.stderr);
    let blocks: u32 = reads.iter().map(|r| r.1).sum();
    assert_eq!(
        blocks as usize,
        bad.len(),
        "only the bad blocks are read: {reads:?}"
    );
    assert_eq!(std::fs::read(&img).unwrap(), d.bytes());
    let st = tool("ddrescuelog", &["-D", map.to_str().unwrap()]);
    assert!(st.status.success(), "ddrescuelog -D: rescue not finished");
}

#[test]
fn read_session_track_range_and_stdout() {
    let d = make_disc(500_000);
    let dev = d.dev("good.iso", "");
    let iso = d.bytes();
    for sel in [
        &["--session", "1"][..],
        &["--track", "1"][..],
        &["--all"][..],
    ] {
        let img = d.dir.path().join("sel.img");
        let _ = std::fs::remove_file(&img);
        let mut args = vec!["read", "--dev", &dev, "-o", img.to_str().unwrap(), "-q"];
        args.extend_from_slice(sel);
        let o = discburn(&args);
        assert!(o.status.success(), "{sel:?}: {}", text(&o));
        assert_eq!(std::fs::read(&img).unwrap(), iso, "{sel:?}");
    }
    // A character device as the output: no extending, no syncing.
    let o = discburn(&["read", "--dev", &dev, "--all", "-o", "/dev/null", "-q"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = discburn(&["read", "--dev", &dev, "--range", "16-40", "-o", "-", "-q"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(o.stdout, &iso[16 * 2048..41 * 2048]);
}

fn readcd() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let link = personality(dir.path(), "readcd");
    (dir, link)
}

#[test]
fn readcd_dump_equals_the_image() {
    let d = make_disc(1_000_000);
    let dev = d.dev("good.iso", "");
    let (_l, rc) = readcd();
    let out = d.dir.path().join("readcd.img");
    let o = command(&rc)
        .args([
            format!("dev={dev}"),
            format!("f={}", out.display()),
            "-v".into(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::read(&out).unwrap(),
        d.bytes(),
        "readcd dump differs from the image"
    );
    // sectors=A-B reads A up to B exclusive, as readcd does.
    let part = d.dir.path().join("part.img");
    let o = command(&rc)
        .args([
            format!("dev={dev}"),
            format!("f={}", part.display()),
            "sectors=20-50".into(),
            "retries=3".into(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::read(&part).unwrap(),
        &d.bytes()[20 * 2048..50 * 2048]
    );
    let o = command(&rc)
        .args(["dev=emu:/nonexistent/x", "f=/dev/null", "-bogus"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "unknown option is a usage error: {}",
        text(&o)
    );
}

/// Runs the readcd personality `rc` with `args`.
fn run_readcd(rc: &Path, args: &[String]) -> std::process::Output {
    command(rc).args(args).output().unwrap()
}

#[test]
fn readcd_stops_at_the_first_unreadable_sector_without_noerror() {
    let d = make_disc(1_000_000);
    let iso = d.bytes();
    let (_l, rc) = readcd();
    let out = d.dir.path().join("stop.img");
    let bad = d.dev("bad.iso", "bad=30;40");
    let args = |extra: &[&str]| {
        let mut v = vec![
            format!("dev={bad}"),
            format!("f={}", out.display()),
            "sectors=20-50".to_string(),
            "retries=1".to_string(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    // A longer file from an earlier run is truncated first, as readcd does.
    std::fs::write(&out, vec![0xEEu8; 64 * 2048]).unwrap();
    // Without -noerror: exit 1 at sector 30, the file holds sectors 20..30 and no more.
    let o = run_readcd(&rc, &args(&[]));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("readcd: error on sector 30 not corrected (retries=1); stopped: sectors 20-29 (10 sectors, 20480 bytes) written to"),
        "{}",
        text(&o)
    );
    assert!(err.contains("-noerror"), "{}", text(&o));
    let img = std::fs::read(&out).unwrap();
    assert_eq!(img.len(), 10 * 2048, "only the sectors before the error");
    assert!(img == iso[20 * 2048..30 * 2048], "sectors 20..30 differ");

    // The first sector unreadable: nothing written, same failure.
    let o = run_readcd(
        &rc,
        &[
            format!("dev={bad}"),
            format!("f={}", out.display()),
            "sectors=30-50".to_string(),
            "retries=0".to_string(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("error on sector 30 not corrected (retries=0); stopped: nothing written"),
        "{}",
        text(&o)
    );
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 0);

    // A whole-disc read (large READs, the bad block inside one): stops at 100, everything
    // before it written.
    let whole = d.dev("whole.iso", "bad=100-109");
    let o = run_readcd(
        &rc,
        &[
            format!("dev={whole}"),
            format!("f={}", out.display()),
            "retries=0".to_string(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(
            "error on sector 100 not corrected (retries=0); stopped: sectors 0-99 (100 sectors, 204800 bytes)"
        ),
        "{}",
        text(&o)
    );
    let img = std::fs::read(&out).unwrap();
    assert_eq!(img.len(), 100 * 2048);
    assert!(img == iso[..100 * 2048], "sectors 0..100 differ");

    // The same to stdout (f=-): the sectors before the error on stdout.
    let o = run_readcd(
        &rc,
        &[
            format!("dev={whole}"),
            "f=-".to_string(),
            "sectors=90-120".to_string(),
            "retries=0".to_string(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        o.stdout == iso[90 * 2048..100 * 2048],
        "stdout holds sectors 90..100"
    );

    // With -noerror: success, every sector of the range, zeros for 30 and 40.
    let o = run_readcd(&rc, &args(&["-noerror"]));
    assert!(o.status.success(), "{}", text(&o));
    let img = std::fs::read(&out).unwrap();
    assert_eq!(img.len(), 30 * 2048);
    for (i, blk) in img.chunks(2048).enumerate() {
        let lba = 20 + i;
        if lba == 30 || lba == 40 {
            assert!(blk.iter().all(|&b| b == 0), "sector {lba} not zero-filled");
        } else {
            assert!(
                blk == &iso[lba * 2048..(lba + 1) * 2048],
                "sector {lba} differs"
            );
        }
    }
}

/// Waits until the map at `map` says some blocks are finished.
fn wait_for_progress(map: &Path, limit: Duration) {
    let t0 = Instant::now();
    while t0.elapsed() < limit {
        if let Ok(s) = std::fs::read_to_string(map) {
            if s.lines().any(|l| {
                l.ends_with('+') && !l.starts_with('#') && l.split_whitespace().count() == 3
            }) {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no progress in the map after {limit:?}");
}

fn interrupted_then_finished(signal: Option<&str>) {
    let d = make_disc(2_000_000);
    // Every block slow: ~2000 blocks take several seconds.
    let slow = d.dev("slow.iso", "slow=0-99999:10");
    let img = d.dir.path().join("int.img");
    let map = d.dir.path().join("int.map");
    let mut child = command(BIN)
        .args([
            "read",
            "--dev",
            &slow,
            "-o",
            img.to_str().unwrap(),
            "--map",
            map.to_str().unwrap(),
            "--blocks",
            "16",
            "-q",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_progress(&map, Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(300));
    match signal {
        None => child.kill().unwrap(), // SIGKILL
        Some(sig) => {
            let k = tool("kill", &[sig, &child.id().to_string()]);
            assert!(k.status.success());
        }
    }
    let o = child.wait_with_output().unwrap();
    if signal.is_some() {
        assert_eq!(o.status.code(), Some(1), "stopped run: {}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("interrupted"),
            "{}",
            text(&o)
        );
    }
    let left = ddrescuelog_list(&map, "?");
    assert!(
        !left.is_empty(),
        "the run finished before the signal; make the disc slower"
    );
    let done = ddrescuelog_list(&map, "+");
    assert!(!done.is_empty());
    // What the map calls finished is in the image already.
    let iso = d.bytes();
    let partial = std::fs::read(&img).unwrap();
    for &l in &done {
        let r = l as usize * 2048..(l as usize + 1) * 2048;
        assert!(
            partial[r.clone()] == iso[r],
            "block {l} marked finished but not in the image"
        );
    }
    // The rerun reads only what is left and completes the image.
    let fast = d.dev("slow.iso", "");
    let o = discburn(&[
        "read",
        "--dev",
        &fast,
        "-o",
        img.to_str().unwrap(),
        "--map",
        map.to_str().unwrap(),
        "-vv",
        "-q",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let reads = traced_reads(&o.stderr);
    let blocks: u32 = reads.iter().map(|r| r.1).sum();
    assert_eq!(
        blocks as usize,
        left.len(),
        "rerun reads exactly what was left"
    );
    assert_eq!(std::fs::read(&img).unwrap(), iso);
}

#[test]
fn killed_read_finishes_on_rerun() {
    interrupted_then_finished(None);
}

#[test]
fn sigint_read_saves_map_and_finishes_on_rerun() {
    interrupted_then_finished(Some("-INT"));
}

#[test]
fn sigterm_read_saves_map_and_finishes_on_rerun() {
    interrupted_then_finished(Some("-TERM"));
}
