//! CD session-at-once (`cdrecord -sao`, `discburn burn --sao`) on the emulated CD-R and
//! CD-RW when it is only simulated (`-dummy`: page 05h Test Write) and when it is cut short
//! (a write error, kill -9, Ctrl-C/SIGTERM).
//!
//! A test write must report a simulation and leave the disc exactly as it was: the image
//! file, the drive's view (READ DISC INFORMATION, tracks, msinfo) and the sessions.
//!
//! A session cut short gets no lead-out and no CLOSE TRACK/SESSION from the write path
//! (libburn's cookbook: SAO needs no close; a failed libburn burn only synchronizes the
//! cache): it is left unfinished. The run ends non-zero naming the cause and the disc
//! state; the earlier session is unchanged and readable; a further `burn`/`cdrecord`
//! (which would put its track into that session) is refused with nothing written; `add`
//! closes the unfinished session and continues from the last complete one; on CD-RW
//! `blank --session` drops it and the same SAO image can be written again at the same
//! address.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::burn::*;

/// [`first_session`] on a CD, whose session 1 starts at block 0: (device, expected tree,
/// session 1's bytes).
fn cd_first_session(dir: &Path, profile: &str) -> (String, Expected, Vec<u8>) {
    let (dev, e, start, bytes) = first_session(dir, profile);
    assert_eq!(start, 0);
    (dev, e, bytes)
}

/// An ISO image by genisoimage of a tree with `name` (`size` pattern bytes), for an
/// appendable disc's next writable address `nwa` (-C 0,NWA; not merged).
fn iso(dir: &Path, name: &str, size: usize, nwa: Option<u32>) -> PathBuf {
    let src = dir.join(format!("src-{name}"));
    put(&src, name, &pattern(size, 3));
    let out = dir.join(format!("{name}.iso"));
    let c = nwa.map(|n| format!("0,{n}"));
    let mut args = vec!["-quiet", "-R", "-J"];
    if let Some(c) = &c {
        args.extend(["-C", c.as_str()]);
    }
    args.extend(["-o", out.to_str().unwrap(), src.to_str().unwrap()]);
    let o = tool("genisoimage", &args);
    assert!(o.status.success(), "genisoimage: {}", text(&o));
    out
}

fn dummy_sao_on_blank(profile: &str) {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile={profile}", disc.display());
    let img = iso(t.path(), "a.bin", 1_500_000, None);
    // create the blank disc, then look at it
    let o = discburn(&["media", "--dev", &dev]);
    assert!(o.status.success(), "{}", text(&o));
    let before = snapshot(&disc);
    assert!(before.media.contains("empty"), "{}", before.media);
    let o = cdrecord(
        t.path(),
        &[
            &format!("dev={dev}"),
            "-dummy",
            "-sao",
            img.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "cdrecord -dummy -sao: {}", text(&o));
    let m = String::from_utf8_lossy(&o.stdout);
    assert!(
        m.contains("test write") && m.contains("unchanged"),
        "the simulation is not reported as such: {}",
        text(&o)
    );
    assert_same(&snapshot(&disc), &before, "cdrecord -dummy -sao");
    let o = discburn(&[
        "burn",
        "--dummy",
        "--sao",
        "--multi",
        "--dev",
        &dev,
        img.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "burn --dummy --sao: {}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("test write"));
    assert_same(&snapshot(&disc), &before, "burn --dummy --sao");
    let o = cdrecord(t.path(), &["-msinfo", &format!("dev={dev}")]);
    assert!(!o.status.success(), "msinfo of a blank disc: {}", text(&o));
    // The real burn afterwards writes the session at block 0.
    let o = cdrecord(
        t.path(),
        &[
            &format!("dev={dev}"),
            "-sao",
            "-multi",
            img.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "cdrecord -sao: {}", text(&o));
    let mut e = Expected::default();
    e.set("a.bin", &pattern(1_500_000, 3));
    assert_eq!(xorriso_tree(&disc, 0), e.0);
}

#[test]
fn dummy_sao_leaves_a_blank_cd_r_blank() {
    dummy_sao_on_blank("cd-r");
}

#[test]
fn dummy_sao_leaves_a_blank_cd_rw_blank() {
    dummy_sao_on_blank("cd-rw");
}

fn dummy_sao_on_appendable(profile: &str) {
    let t = tempfile::tempdir().unwrap();
    let (dev, e, s1) = cd_first_session(t.path(), profile);
    let disc = t.path().join("disc.img");
    let (last, nwa) = msinfo(&disc);
    assert_eq!(last, 0);
    let img = iso(t.path(), "b.bin", 2_000_000, Some(nwa));
    let before = snapshot(&disc);
    // without -multi: a test write must not finalize either
    let o = cdrecord(
        t.path(),
        &[
            &format!("dev={dev}"),
            "-dummy",
            "-sao",
            img.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "cdrecord -dummy -sao: {}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("test write"));
    assert_same(&snapshot(&disc), &before, "cdrecord -dummy -sao");
    let o = discburn(&[
        "burn",
        "--json",
        "--dummy",
        "--sao",
        "--multi",
        "--dev",
        &dev,
        img.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "burn --dummy --sao: {}", text(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["dummy"], true, "{j}");
    assert_eq!(j["start"].as_u64(), Some(u64::from(nwa)), "{j}");
    assert_same(&snapshot(&disc), &before, "burn --dummy --sao");
    assert_eq!(msinfo(&disc), (last, nwa));
    first_unchanged(t.path(), &e, 0, &s1);
    // The real burn goes where the simulation went.
    let o = cdrecord(
        t.path(),
        &[
            &format!("dev={dev}"),
            "-sao",
            "-multi",
            img.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "cdrecord -sao: {}", text(&o));
    let mut e2 = Expected::default();
    e2.set("b.bin", &pattern(2_000_000, 3));
    assert_eq!(xorriso_tree(&disc, nwa), e2.0);
    assert_eq!(msinfo(&disc).0, nwa);
    first_unchanged(t.path(), &e, 0, &s1);
}

#[test]
fn dummy_sao_keeps_the_session_of_an_appendable_cd_r() {
    dummy_sao_on_appendable("cd-r");
}

#[test]
fn dummy_sao_keeps_the_session_of_an_appendable_cd_rw() {
    dummy_sao_on_appendable("cd-rw");
}

/// After an SAO session was cut short: a further burn (discburn and cdrecord, SAO and TAO)
/// is refused and writes nothing; on CD-RW `blank --session` drops the unfinished session
/// and `img` is written again at `nwa`; then `add` continues from session 1.
fn after_cut_short(dir: &Path, dev: &str, e: &Expected, s1: &[u8], img: &Path, nwa: u32) {
    let disc = dir.join("disc.img");
    let first = e.clone();
    first_unchanged(dir, &first, 0, s1);
    let image = std::fs::read(&disc).unwrap();
    for args in [
        vec![
            "burn",
            "--sao",
            "--multi",
            "--dev",
            dev,
            img.to_str().unwrap(),
        ],
        vec!["burn", "--multi", "--dev", dev, img.to_str().unwrap()],
    ] {
        let o = discburn(&args);
        let m = text(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {m}");
        assert!(
            m.contains("unfinished") && m.contains("nothing was written"),
            "{m}"
        );
        assert!(
            std::fs::read(&disc).unwrap() == image,
            "{args:?} wrote: {m}"
        );
    }
    let o = cdrecord(
        dir,
        &[
            &format!("dev={dev}"),
            "-sao",
            "-multi",
            img.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success(), "cdrecord -sao: {}", text(&o));
    assert!(text(&o).contains("unfinished"), "{}", text(&o));
    assert!(
        std::fs::read(&disc).unwrap() == image,
        "cdrecord -sao wrote"
    );
    let mut e = e.clone();
    if dev.contains("cd-rw") {
        // CD-RW: drop the unfinished session; the image made for `nwa` fits again.
        let o = discburn(&["blank", "--session", "--dev", dev]);
        assert!(o.status.success(), "blank --session: {}", text(&o));
        assert_eq!(msinfo(&disc), (0, nwa));
        first_unchanged(dir, &first, 0, s1);
        let o = cdrecord(
            dir,
            &[
                &format!("dev={dev}"),
                "-sao",
                "-multi",
                img.to_str().unwrap(),
            ],
        );
        assert!(
            o.status.success(),
            "cdrecord -sao after blank: {}",
            text(&o)
        );
        let tree = xorriso_tree(&disc, nwa);
        assert_eq!(tree.len(), 1, "{:?}", tree.keys());
        // the next add continues from that session
        e = Expected(tree);
    }
    let s3 = dir.join("s3");
    put(&s3, "later.txt", b"later\n");
    e.set("later.txt", b"later\n");
    let j = add(dev, &[], &[&s3]);
    let start = check_session(&disc, &j, &e);
    assert!(start > nwa, "{j}");
    first_unchanged(dir, &first, 0, s1);
}

fn write_error_mid_sao(profile: &str) {
    let t = tempfile::tempdir().unwrap();
    let (dev, e, s1) = cd_first_session(t.path(), profile);
    let (_, nwa) = msinfo(&t.path().join("disc.img"));
    let img = iso(t.path(), "big.bin", 3_000_000, Some(nwa));
    let bad = format!("{dev},write_error={}", nwa + 700);
    let o = discburn(&[
        "burn",
        "--sao",
        "--multi",
        "--dev",
        &bad,
        img.to_str().unwrap(),
    ]);
    let m = text(&o);
    assert_eq!(o.status.code(), Some(1), "{m}");
    assert!(m.contains("WRITE ERROR"), "cause not named: {m}");
    assert!(m.contains("disc state"), "disc state not reported: {m}");
    assert!(
        m.contains("left unfinished"),
        "the unfinished session not named: {m}"
    );
    after_cut_short(t.path(), &dev, &e, &s1, &img, nwa);
}

#[test]
fn write_error_mid_sao_session_cd_r() {
    write_error_mid_sao("cd-r");
}

#[test]
fn write_error_mid_sao_session_cd_rw() {
    write_error_mid_sao("cd-rw");
}

/// An SAO burn of a 6 MB image at 2x CD with a 1 MiB drive buffer (about 14 s), sent
/// `signal` after 2.5 s.
fn signal_mid_sao(profile: &str, signal: &str) {
    let t = tempfile::tempdir().unwrap();
    let (dev, e, s1) = cd_first_session(t.path(), profile);
    let (_, nwa) = msinfo(&t.path().join("disc.img"));
    let img = iso(t.path(), "big.bin", 6_000_000, Some(nwa));
    let slow = format!("{dev},speed=2,buffer=1M");
    let child = command(BIN)
        .args([
            "burn",
            "--sao",
            "--multi",
            "--dev",
            &slow,
            img.to_str().unwrap(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status();
    let o = child.wait_with_output().unwrap();
    let m = text(&o);
    if signal == "9" {
        assert!(!o.status.success(), "{m}");
        // The drive reports the interrupted session; discburn says what the disc is like.
        let o = discburn(&["media", "--dev", &dev]);
        assert!(o.status.success(), "{}", text(&o));
    } else {
        assert_eq!(o.status.code(), Some(1), "{m}");
        assert!(m.contains("interrupted"), "cause not named: {m}");
        assert!(m.contains("disc state"), "disc state not reported: {m}");
        assert!(
            m.contains("left unfinished"),
            "the unfinished session not named: {m}"
        );
    }
    unthrottle(&dev);
    after_cut_short(t.path(), &dev, &e, &s1, &img, nwa);
}

/// Removes the write speed the drive keeps with the disc since a `speed=` option.
fn unthrottle(dev: &str) {
    let o = discburn(&["media", "--dev", &format!("{dev},speed=0")]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn kill_9_mid_sao_burn_cd_r() {
    signal_mid_sao("cd-r", "9");
}

#[test]
fn kill_9_mid_sao_burn_cd_rw() {
    signal_mid_sao("cd-rw", "9");
}

#[test]
fn ctrl_c_mid_sao_burn_cd_r() {
    signal_mid_sao("cd-r", "INT");
}

#[test]
fn sigterm_mid_sao_burn_cd_rw() {
    signal_mid_sao("cd-rw", "TERM");
}

/// A test write stopped half-way (Ctrl-C, kill -9) has recorded nothing: the disc is as
/// it was, and the real burn afterwards works.
fn signal_mid_dummy_sao(signal: &str) {
    let t = tempfile::tempdir().unwrap();
    let (dev, e, s1) = cd_first_session(t.path(), "cd-r");
    let disc = t.path().join("disc.img");
    let (_, nwa) = msinfo(&disc);
    let img = iso(t.path(), "big.bin", 6_000_000, Some(nwa));
    // The drive keeps speed= and buffer= settings with the disc: set them first.
    let slow = format!("{dev},speed=2,buffer=1M");
    let o = discburn(&["media", "--dev", &slow]);
    assert!(o.status.success(), "{}", text(&o));
    let before = snapshot(&disc);
    let child = command(BIN)
        .args([
            "burn",
            "--dummy",
            "--sao",
            "--multi",
            "--dev",
            &slow,
            img.to_str().unwrap(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status();
    let o = child.wait_with_output().unwrap();
    let m = text(&o);
    assert!(!o.status.success(), "{m}");
    if signal != "9" {
        assert_eq!(o.status.code(), Some(1), "{m}");
        assert!(m.contains("interrupted"), "cause not named: {m}");
        assert!(m.contains("test write stopped"), "{m}");
    }
    assert_same(&snapshot(&disc), &before, "a stopped test write");
    first_unchanged(t.path(), &e, 0, &s1);
    unthrottle(&dev);
    let o = cdrecord(
        t.path(),
        &[
            &format!("dev={dev}"),
            "-sao",
            "-multi",
            img.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "cdrecord -sao: {}", text(&o));
    let mut e2 = Expected::default();
    e2.set("big.bin", &pattern(6_000_000, 3));
    assert_eq!(xorriso_tree(&disc, nwa), e2.0);
}

#[test]
fn ctrl_c_mid_dummy_sao_changes_nothing() {
    signal_mid_dummy_sao("INT");
}

#[test]
fn kill_9_mid_dummy_sao_changes_nothing() {
    signal_mid_dummy_sao("9");
}
