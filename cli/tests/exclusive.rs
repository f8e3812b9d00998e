//! Writers open the drive exclusively: two `discburn add` runs on one emulated disc at once
//! cannot interleave their sessions. The second gets "disc image PATH is in use by another
//! process" (exit 1) and changes nothing; the first writes its session as if alone. Readers
//! stay shared: `media` works while the writer runs (the classic `mkisofs -M | cdrecord`
//! pipeline, tested in burn_classic.rs, relies on that too).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::burn::*;

#[test]
fn a_second_add_on_the_same_emulated_disc_is_refused_while_the_first_writes() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{}", disc.display());
    // Create the blank disc (a reader open with profile= creates it).
    let o = discburn(&["media", "--dev", &format!("{dev},profile=dvd+r")]);
    assert!(o.status.success(), "{}", text(&o));

    // First writer: 8 MiB at DVD 1x (about 1.4 MB/s) takes several seconds.
    let s1 = t.path().join("s1");
    let big = pattern(8 * 1024 * 1024, 5);
    put(&s1, "first/big.bin", &big);
    put(&s1, "first/a.txt", b"first run\n");
    let slow = format!("{dev},speed=1");
    let first = command(BIN)
        .args(["add", "--json", "--dev", &slow, s1.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it holds the writer's lock (the lock file appears just before locking).
    let lock = t.path().join("disc.img.lock");
    let t0 = Instant::now();
    while !lock.exists() {
        assert!(t0.elapsed() < Duration::from_secs(20), "no lock file");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));

    // A reader is not excluded.
    let o = discburn(&["--json", "media", "--dev", &dev]);
    assert!(o.status.success(), "reader refused: {}", text(&o));

    // A second writer is.
    let s2 = t.path().join("s2");
    put(&s2, "second.txt", b"second run\n");
    let o = discburn(&["add", "--dev", &dev, s2.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let msg = String::from_utf8_lossy(&o.stderr);
    assert!(
        msg.contains(&format!(
            "disc image {} is in use by another process",
            disc.display()
        )),
        "{}",
        text(&o)
    );
    // blank, close and cdrecord's write path go through the same open.
    let o = discburn(&["close", "--dev", &dev]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("is in use by another process"),
        "{}",
        text(&o)
    );

    let out = first.wait_with_output().unwrap();
    assert!(out.status.success(), "first add: {}", text(&out));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["session"], 1, "{j}");
    let mut e = Expected::default();
    e.set("first/big.bin", &big);
    e.set("first/a.txt", b"first run\n");
    check_session(&disc, &j, &e);

    // The lock went with the first writer: the next add works and follows its session.
    let j2 = add(&format!("{dev},speed=0"), &[], &[&s2]);
    assert_eq!(j2["session"], 2, "{j2}");
    e.set("second.txt", b"second run\n");
    check_session(&disc, &j2, &e);
}
