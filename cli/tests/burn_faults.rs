//! Faults on the emulated drive while a second session is written: a write error in the
//! middle of the session, a medium that fills early, a buffer underrun with protection
//! off, and kill -9 in the middle of a burn. Each run ends non-zero (kill -9 aside) with a
//! message naming the cause and the disc state, and the first session is still readable by
//! xorriso and unchanged afterwards.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::burn::*;

fn next_session_source(dir: &Path) -> std::path::PathBuf {
    let s = dir.join("s2");
    put(&s, "big.bin", &pattern(3_000_000, 5));
    s
}

fn write_error_mid_session(profile: &str) {
    let t = tempfile::tempdir().unwrap();
    let (dev, e, start, before) = first_session(t.path(), profile);
    let nwa = {
        let o = discburn(&["msinfo", "--dev", &dev]);
        assert!(o.status.success(), "{}", text(&o));
        let s = String::from_utf8_lossy(&o.stdout).trim().to_string();
        s.split(',').nth(1).unwrap().trim().parse::<u32>().unwrap()
    };
    let bad = format!("{dev},write_error={}", nwa + 700);
    let s2 = next_session_source(t.path());
    let out = discburn(&["add", "--dev", &bad, s2.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let m = text(&out);
    assert!(m.contains("WRITE ERROR"), "cause not named: {m}");
    assert!(m.contains("disc state"), "disc state not reported: {m}");
    first_unchanged(t.path(), &e, start, &before);
    // The disc goes on: two more sessions continue from session 1's tree.
    let mut e = e;
    for n in 3..5 {
        let s = t.path().join(format!("s{n}"));
        let name = format!("after{n}.txt");
        put(&s, &name, name.as_bytes());
        e.set(&name, name.as_bytes());
        let j = add(&dev, &[], &[&s]);
        check_session(&t.path().join("disc.img"), &j, &e);
    }
}

#[test]
fn write_error_mid_session_bd_r() {
    write_error_mid_session("bd-r");
}

#[test]
fn write_error_mid_session_cd_r() {
    write_error_mid_session("cd-r");
}

#[test]
fn write_error_mid_session_dvd_plus_rw() {
    // On overwritable media the interrupted session is never committed to block 16.
    write_error_mid_session("dvd+rw");
}

#[test]
fn medium_filling_early_stops_with_the_cause() {
    // Standard input without tsize=: the size is unknown, so the free space check happens
    // while writing; the medium holds less than the stream.
    let t = tempfile::tempdir().unwrap();
    let (dev, e, start, before) = first_session(t.path(), "dvd+r");
    let o = discburn(&["msinfo", "--dev", &dev]);
    let nwa: u32 = String::from_utf8_lossy(&o.stdout)
        .trim()
        .split(',')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let small = format!("{dev},fill_early={}", nwa + 1000);
    let mut child = command(BIN)
        .args(["burn", "--multi", "--dev", &small, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let w = std::thread::spawn(move || {
        let _ = stdin.write_all(&pattern(8 * 1024 * 1024, 1));
    });
    let out = child.wait_with_output().unwrap();
    w.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let m = text(&out);
    assert!(m.contains("free"), "cause not named: {m}");
    assert!(m.contains("disc state"), "{m}");
    first_unchanged(t.path(), &e, start, &before);
}

#[test]
fn buffer_underrun_without_protection_fails_the_track() {
    let t = tempfile::tempdir().unwrap();
    let (dev, e, start, before) = first_session(t.path(), "cd-r");
    // 8x CD (1.2 MB/s), a 256 KiB drive buffer, protection off; the producer pauses 3 s.
    let slow = format!("{dev},speed=8,buffer=256K,bup=off");
    let out = burn_stdin_with_a_pause(&slow);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let m = text(&out);
    assert!(
        m.contains("BUFFER UNDERRUN") || m.contains("LOSS OF STREAMING") || m.contains("underrun"),
        "cause not named: {m}"
    );
    assert!(m.contains("disc state"), "{m}");
    first_unchanged(t.path(), &e, start, &before);
}

#[test]
fn kill_9_mid_burn_leaves_earlier_sessions_readable() {
    let t = tempfile::tempdir().unwrap();
    let (dev, e, start, before) = first_session(t.path(), "bd-r");
    // 1x BD is 4.5 MB/s: 40 MB take about 9 s; kill after 2.
    let slow = format!("{dev},speed=1");
    let mut child = command(BIN)
        .args(["burn", "--multi", "--dev", &slow, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let w = std::thread::spawn(move || {
        let _ = stdin.write_all(&pattern(40 * 1024 * 1024, 1));
    });
    std::thread::sleep(Duration::from_secs(2));
    let _ = Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status();
    let st = child.wait().unwrap();
    w.join().unwrap();
    assert!(!st.success());
    first_unchanged(t.path(), &e, start, &before);
    // The drive reports the interrupted track; discburn says what the disc is like.
    let o = discburn(&["media", "--dev", &dev]);
    assert!(o.status.success(), "{}", text(&o));
    // add skips the unfinished session and continues from session 1.
    let mut e = e;
    let s = t.path().join("s3");
    put(&s, "later.txt", b"later\n");
    e.set("later.txt", b"later\n");
    let j = add(&dev, &[], &[&s]);
    check_session(&t.path().join("disc.img"), &j, &e);
}

#[test]
fn ctrl_c_mid_burn_closes_the_track_and_reports() {
    let t = tempfile::tempdir().unwrap();
    let (dev, e, start, before) = first_session(t.path(), "dvd+r");
    let slow = format!("{dev},speed=2");
    let mut child = command(BIN)
        .args(["burn", "--json", "--multi", "--dev", &slow, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let w = std::thread::spawn(move || {
        let _ = stdin.write_all(&pattern(30 * 1024 * 1024, 1));
    });
    std::thread::sleep(Duration::from_millis(2500));
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    w.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let m = text(&out);
    assert!(m.contains("interrupted"), "{m}");
    assert!(m.contains("disc state"), "{m}");
    // Progress lines were JSON on stderr.
    assert!(m.contains("\"event\":\"progress\""), "{m}");
    first_unchanged(t.path(), &e, start, &before);
    let o = discburn(&["media", "--dev", &dev]);
    assert!(o.status.success(), "{}", text(&o));
    // The closed, partial track leaves its session unfinished: a later burn would join
    // it, so it is refused before writing.
    let disc = t.path().join("disc.img");
    let image = std::fs::read(&disc).unwrap();
    let small = t.path().join("small.img");
    std::fs::write(&small, pattern(100 * 2048, 8)).unwrap();
    let out = discburn(&["burn", "--multi", "--dev", &dev, small.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("unfinished"), "{}", text(&out));
    assert!(std::fs::read(&disc).unwrap() == image);
}

/// msinfo's next writable address.
fn next_writable(dev: &str) -> u32 {
    let o = discburn(&["msinfo", "--dev", dev]);
    assert!(o.status.success(), "{}", text(&o));
    String::from_utf8_lossy(&o.stdout)
        .trim()
        .split(',')
        .nth(1)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn verify_failure_leaves_previous_session_in_force(profile: &str) {
    // The new session is written and synchronized, but reading it back fails (the drive
    // cannot read blocks inside it). On overwritable media block 16 is the commit: it must
    // still name session 1, so readers starting at block 0 see session 1's tree, and the
    // next add continues from session 1.
    let t = tempfile::tempdir().unwrap();
    let (dev, e, start, before) = first_session(t.path(), profile);
    let disc = t.path().join("disc.img");
    let head_before = disc_bytes(&disc, 16, 4 * 2048);
    let nwa = next_writable(&dev);
    let bad = format!("{dev},bad={}-{}", nwa + 40, nwa + 60);
    let s2 = next_session_source(t.path());
    let out = discburn(&["add", "--dev", &bad, s2.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let m = text(&out);
    assert!(m.contains("verify"), "cause not named: {m}");
    assert!(m.contains("disc state"), "disc state not reported: {m}");
    assert!(
        m.contains("not committed"),
        "commit state not reported: {m}"
    );
    assert!(
        disc_bytes(&disc, 16, 4 * 2048) == head_before,
        "block 16 was rewritten for a session that failed verification"
    );
    assert_eq!(
        xorriso_tree(&disc, 0),
        e.0,
        "readers from block 0 see another tree"
    );
    first_unchanged(t.path(), &e, start, &before);
    assert_eq!(
        next_writable(&dev),
        nwa,
        "msinfo moved past an uncommitted session"
    );
    // The next add continues from session 1's tree, at the same place.
    let mut e = e;
    let s3 = t.path().join("s3");
    put(&s3, "later.txt", b"later\n");
    e.set("later.txt", b"later\n");
    let j = add(&dev, &[], &[&s3]);
    assert_eq!(j["start"].as_u64().unwrap(), u64::from(nwa), "{j}");
    check_session(&disc, &j, &e);
    assert_eq!(xorriso_tree(&disc, 0), e.0);
}

#[test]
fn verify_failure_on_dvd_plus_rw_leaves_block_16_alone() {
    verify_failure_leaves_previous_session_in_force("dvd+rw");
}

#[test]
fn verify_failure_on_bd_re_leaves_block_16_alone() {
    verify_failure_leaves_previous_session_in_force("bd-re");
}

#[test]
fn failed_first_session_on_dvd_plus_rw_is_replaced_by_the_next_add() {
    // The first session fails mid-way: block 16 was never written (no commit), so the disc
    // is still blank to msinfo, and the next add writes its first session at 32 again.
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=dvd+rw", disc.display());
    let s = next_session_source(t.path());
    let out = discburn(&[
        "add",
        "--dev",
        &format!("{dev},write_error=700"),
        s.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("WRITE ERROR"), "{}", text(&out));
    assert!(
        !disc_bytes(&disc, 16, 2048).iter().any(|&b| b != 0),
        "block 16 written"
    );
    let s1 = t.path().join("s1");
    put(&s1, "a.txt", b"a\n");
    let j = add(&dev, &[], &[&s1]);
    assert_eq!(j["start"], 32, "{j}");
    let mut e = Expected::default();
    e.set("a.txt", b"a\n");
    check_session(&disc, &j, &e);
    assert_eq!(xorriso_tree(&disc, 0), e.0);
}

#[test]
fn sigterm_mid_add_stops_closes_the_track_and_reports() {
    // SIGTERM (as from `kill` or a service manager) is handled like Ctrl-C, for `add`'s
    // builder producer too: stop feeding, synchronize, close the track, report the state.
    let t = tempfile::tempdir().unwrap();
    let (dev, e, start, before) = first_session(t.path(), "bd-r");
    let s = t.path().join("big");
    put(&s, "big.bin", &pattern(30 * 1024 * 1024, 3));
    let slow = format!("{dev},speed=1");
    let child = command(BIN)
        .args(["add", "--dev", &slow, s.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let m = text(&out);
    assert!(m.contains("interrupted"), "{m}");
    assert!(m.contains("disc state"), "{m}");
    first_unchanged(t.path(), &e, start, &before);
    // An add that fails before writing (a --remove of a path that does not exist) leaves
    // the unfinished session as it found it.
    let s2 = t.path().join("s2");
    put(&s2, "x.txt", b"x\n");
    let o = discburn(&[
        "add",
        "--dev",
        &dev,
        "--remove",
        "nosuch",
        s2.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // Finalizing now would make the unfinished session the one readers see: refused.
    let image = std::fs::read(t.path().join("disc.img")).unwrap();
    let o = discburn(&["close", "--dev", &dev]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("unfinished"), "{}", text(&o));
    assert!(std::fs::read(t.path().join("disc.img")).unwrap() == image);
    // The next add skips the unfinished session and continues from session 1.
    let mut e = e;
    let s3 = t.path().join("s3");
    put(&s3, "later.txt", b"later\n");
    e.set("later.txt", b"later\n");
    let j = add(&dev, &[], &[&s3]);
    check_session(&t.path().join("disc.img"), &j, &e);
    // Now the disc can be finalized, and the last session is the complete one.
    let o = discburn(&["close", "--dev", &dev]);
    assert!(o.status.success(), "{}", text(&o));
    check_session(&t.path().join("disc.img"), &j, &e);
}

#[test]
fn burn_refuses_to_append_into_a_session_an_interrupted_burn_left_open() {
    // An image of known size is written into a reserved track; SIGTERM stops it half-way.
    // A later burn (the classic cdrecord path) would add its track to that unfinished
    // session, whose descriptors name files never written: refused, nothing written. add
    // closes and skips the unfinished session and goes on from session 1.
    let t = tempfile::tempdir().unwrap();
    let (dev, e, start, before) = first_session(t.path(), "bd-r");
    let big = t.path().join("big.img");
    std::fs::write(&big, pattern(30 * 1024 * 1024, 6)).unwrap();
    let slow = format!("{dev},speed=1");
    let child = command(BIN)
        .args(["burn", "--multi", "--dev", &slow, big.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let disc = t.path().join("disc.img");
    let image = std::fs::read(&disc).unwrap();
    let small = t.path().join("small.img");
    std::fs::write(&small, pattern(100 * 2048, 8)).unwrap();
    let out = discburn(&["burn", "--multi", "--dev", &dev, small.to_str().unwrap()]);
    let m = text(&out);
    assert_eq!(out.status.code(), Some(1), "{m}");
    assert!(m.contains("unfinished"), "{m}");
    assert!(m.contains("nothing was written"), "{m}");
    assert!(
        std::fs::read(&disc).unwrap() == image,
        "the image changed: {m}"
    );
    first_unchanged(t.path(), &e, start, &before);
    let mut e = e;
    let s3 = t.path().join("s3");
    put(&s3, "later.txt", b"later\n");
    e.set("later.txt", b"later\n");
    let j = add(&dev, &[], &[&s3]);
    check_session(&disc, &j, &e);
}

#[test]
fn kill_9_mid_add_into_a_reserved_track_is_skipped_by_the_next_add() {
    // add knows the session's size and reserves the track; kill -9 leaves it open and
    // partly written. The next add must not take that session for complete (closing pads
    // a reserved track to its full size): it continues from session 1.
    for profile in ["dvd+r", "dvd-r"] {
        let t = tempfile::tempdir().unwrap();
        let (dev, e, start, before) = first_session(t.path(), profile);
        let s = t.path().join("big");
        put(&s, "big.bin", &pattern(20 * 1024 * 1024, 3));
        let slow = format!("{dev},speed=2");
        let mut child = command(BIN)
            .args(["add", "--dev", &slow, s.to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(2500));
        let _ = Command::new("kill")
            .args(["-9", &child.id().to_string()])
            .status();
        assert!(!child.wait().unwrap().success());
        first_unchanged(t.path(), &e, start, &before);
        let mut e = e;
        let s3 = t.path().join("s3");
        put(&s3, "later.txt", b"later\n");
        e.set("later.txt", b"later\n");
        let j = add(&dev, &[], &[&s3]);
        check_session(&t.path().join("disc.img"), &j, &e);
    }
}
