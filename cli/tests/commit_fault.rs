//! Overwritable media (BD-RE, DVD+RW): a new session becomes current when its volume
//! descriptors are copied to block 16, after it was written and verified. That copy is read
//! back too. The emulated drive's `garble=16-18` records the copy altered while answering
//! GOOD (`garble_writes=N`: only the first N WRITEs): one bad attempt is written again; two
//! make `add` put back what block 16 held (the previous session stays current); when even
//! that does not read back, the message says how to reach the sessions, which are intact,
//! and `add` refuses the disc instead of writing over them. xorriso reads the sessions.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::burn::*;

struct Setup {
    _t: tempfile::TempDir,
    disc: PathBuf,
    s2: PathBuf,
    e1: Expected,
    e2: Expected,
    start1: u32,
    /// Blocks 16..32 after session 1.
    head1: Vec<u8>,
}

/// A `profile` disc with session 1 (a.txt) and the source of session 2 (b.bin added).
fn setup(profile: &str) -> Setup {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let s1 = t.path().join("s1");
    put(&s1, "a.txt", b"alpha\n");
    let mut e1 = Expected::default();
    e1.set("a.txt", b"alpha\n");
    let j = add(
        &format!("emu:{},profile={profile}", disc.display()),
        &[],
        &[&s1],
    );
    let start1 = check_session(&disc, &j, &e1);
    let s2 = t.path().join("s2");
    put(&s2, "b.bin", &pattern(200_000, 3));
    let mut e2 = Expected::default();
    e2.set("a.txt", b"alpha\n");
    e2.set("b.bin", &pattern(200_000, 3));
    let head1 = disc_bytes(&disc, 16, 16 * 2048);
    Setup {
        _t: t,
        disc,
        s2,
        e1,
        e2,
        start1,
        head1,
    }
}

/// `discburn add` of session 2 with `garble=16-18` and `extra` options for the drive.
fn add_garbled(s: &Setup, extra: &str) -> Output {
    let dev = format!("emu:{},garble=16-18{extra}", s.disc.display());
    discburn(&["add", "--json", "--dev", &dev, s.s2.to_str().unwrap()])
}

fn tree_eq(disc: &Path, start: u32, e: &Expected) {
    let got = xorriso_tree(disc, start);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        e.0.keys().collect::<Vec<_>>(),
        "file list of the session at {start}"
    );
    for (k, v) in &e.0 {
        assert!(
            got[k] == *v,
            "{k}: contents differ in the session at {start}"
        );
    }
}

#[test]
fn one_bad_copy_to_block_16_is_written_again() {
    for profile in ["bd-re", "dvd+rw"] {
        let s = setup(profile);
        let (_, nwa) = msinfo(&s.disc);
        let out = add_garbled(&s, ",garble_writes=1");
        assert!(out.status.success(), "{profile}: {}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("attempt 1") && err.contains("written again, read back correctly"),
            "{profile}: {err}"
        );
        // Session 2 is current: msinfo and a reader that starts at block 16 see it.
        assert_eq!(msinfo(&s.disc).0, nwa, "{profile}");
        tree_eq(&s.disc, 0, &s.e2);
        tree_eq(&s.disc, s.start1, &s.e1);
    }
}

#[test]
fn copy_that_never_reads_back_puts_the_previous_blocks_back() {
    for profile in ["bd-re", "dvd+rw"] {
        let s = setup(profile);
        let before = msinfo(&s.disc);
        let out = add_garbled(&s, ",garble_writes=2");
        assert!(!out.status.success(), "{profile}: {}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        for want in [
            "current failed",
            "read back different",
            "were put back",
            "previous session stays current",
            "disc state",
        ] {
            assert!(err.contains(want), "{profile}: no {want:?} in {err}");
        }
        assert!(
            disc_bytes(&s.disc, 16, 16 * 2048) == s.head1,
            "{profile}: blocks 16-31 differ from before"
        );
        assert_eq!(msinfo(&s.disc), before, "{profile}");
        tree_eq(&s.disc, 0, &s.e1);
        tree_eq(&s.disc, s.start1, &s.e1);
        // The next add, on a sound drive, writes session 2 where the failed one was.
        let j = add(&format!("emu:{}", s.disc.display()), &[], &[&s.s2]);
        assert_eq!(
            j["start"].as_u64().unwrap() as u32,
            before.1,
            "{profile}: {j}"
        );
        tree_eq(&s.disc, 0, &s.e2);
    }
}

#[test]
fn block_16_that_stays_bad_leaves_the_sessions_reachable_and_add_refuses() {
    let s = setup("bd-re");
    let (_, nwa) = msinfo(&s.disc);
    let out = add_garbled(&s, "");
    assert!(!out.status.success(), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "current failed".to_string(),
        "putting back what was at block 16 failed too".to_string(),
        format!("sbsector={nwa}"),
        format!("-load sbsector {nwa}"),
        "no session reachable: block 16 holds data".to_string(),
    ] {
        assert!(err.contains(&want), "no {want:?} in {err}");
    }
    // Both sessions are intact where the message says.
    tree_eq(&s.disc, nwa, &s.e2);
    tree_eq(&s.disc, s.start1, &s.e1);
    // A later add does not take the damaged block 16 for a blank disc.
    let bytes = std::fs::read(&s.disc).unwrap();
    let out = discburn(&[
        "add",
        "--dev",
        &format!("emu:{}", s.disc.display()),
        s.s2.to_str().unwrap(),
    ]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("not blank"), "{}", text(&out));
    assert!(
        std::fs::read(&s.disc).unwrap() == bytes,
        "the refused add changed the disc"
    );
}
