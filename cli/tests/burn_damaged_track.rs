//! The disc state reported after a TAO track on a CD-R was damaged (MMC-6 §6.27.3:
//! READ TRACK INFORMATION's Damage bit with NWA_V): by a buffer underrun with protection
//! off (`bup=off`), after which the drive closes the track where it stopped, and by a write
//! error at the track's first block, after which the damaged track stays the last one with
//! no next writable address. Either way the report names the damaged track and the
//! unfinished session and does not call the disc closed (READ DISC INFORMATION says it is
//! not). The drive's own READ TRACK INFORMATION answer, read with `discburn raw`, is the
//! reference for the bits.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

mod common;

use std::path::{Path, PathBuf};

use common::burn::*;

/// A CD-R with one session; returns the device string and msinfo's next writable address.
fn first_session(dir: &Path) -> (String, u32) {
    let disc = dir.join("disc.img");
    let dev = format!("emu:{},profile=cd-r", disc.display());
    let s = dir.join("s1");
    put(&s, "keep.txt", b"session one\n");
    add(&dev, &[], &[&s]);
    let (_, nwa) = msinfo(&disc);
    (dev, nwa)
}

/// READ TRACK INFORMATION (52h, address type 01b: track number) of track `n`, as the
/// drive answers it: (Damage, NWA_V, track start).
fn track_bits(dev: &str, n: u8) -> (bool, bool, u32) {
    let cdb = format!("52 01 00 00 00 {n:02x} 00 00 30 00");
    let o = discburn(&["raw", "--dev", dev, "--in", "48", "--hex", &cdb]);
    assert!(
        o.status.success(),
        "raw READ TRACK INFORMATION: {}",
        text(&o)
    );
    let hex = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let b: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    assert!(b.len() >= 16, "short track information: {hex}");
    (
        b[5] & 0x20 != 0,
        b[7] & 0x01 != 0,
        u32::from_be_bytes([b[8], b[9], b[10], b[11]]),
    )
}

/// The "disc state" part of a failed burn's message.
fn state_of(m: &str) -> String {
    let at = m
        .find("disc state")
        .unwrap_or_else(|| panic!("no disc state reported: {m}"));
    m[at..].lines().next().unwrap().to_string()
}

#[test]
fn underrun_damaged_track_is_reported_not_a_closed_disc() {
    let t = tempfile::tempdir().unwrap();
    let (dev, nwa) = first_session(t.path());
    // 8x CD (1.2 MB/s), a 256 KiB drive buffer, protection off; the producer pauses 3 s.
    let slow = format!("{dev},speed=8,buffer=256K,bup=off");
    let out = burn_stdin_with_a_pause(&slow);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let m = text(&out);
    assert!(m.contains("LOSS OF STREAMING"), "cause not named: {m}");
    // The drive: track 2 damaged, closed where it stopped (no NWA), a blank track 3 after.
    assert_eq!(track_bits(&dev, 2), (true, false, nwa), "track 2");
    let (damage3, nwa_v3, start3) = track_bits(&dev, 3);
    assert!(!damage3 && nwa_v3, "track 3 should be blank and writable");
    let s = state_of(&m);
    assert!(
        s.contains(&format!("track 2 (session 2, blocks {nwa}-")) && s.contains("damaged"),
        "{s}"
    );
    assert!(s.contains("Damage 1, NWA_V 0"), "{s}");
    assert!(s.contains("it was closed where it stopped"), "{s}");
    assert!(s.contains("session 2 is unfinished"), "{s}");
    assert!(
        s.contains(&format!("next writable address {start3}")),
        "{s}"
    );
    assert!(!s.contains("disc is closed"), "{s}");
    // The next add closes the unfinished session and continues from session 1.
    let s3 = t.path().join("s3");
    put(&s3, "later.txt", b"later\n");
    let j = add(&dev, &[], &[&s3]);
    let mut e = Expected::default();
    e.set("keep.txt", b"session one\n");
    e.set("later.txt", b"later\n");
    check_session(&t.path().join("disc.img"), &j, &e);
}

#[test]
fn damaged_last_track_without_nwa_is_not_a_closed_disc() {
    let t = tempfile::tempdir().unwrap();
    let (dev, nwa) = first_session(t.path());
    let img = t.path().join("img.bin");
    std::fs::write(&img, pattern(600 * 2048, 3)).unwrap();
    let bad = format!("{dev},write_error={nwa}");
    let out = discburn(&["burn", "--multi", "--dev", &bad, img.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let m = text(&out);
    assert!(m.contains("WRITE ERROR"), "cause not named: {m}");
    // The drive: track 2 is the last one, damaged, with no next writable address.
    assert_eq!(track_bits(&dev, 2), (true, false, nwa), "track 2");
    let s = state_of(&m);
    assert!(s.contains("disc incomplete/appendable"), "{s}");
    assert!(
        s.contains(&format!("track 2 (session 2, from block {nwa}) damaged")),
        "{s}"
    );
    assert!(s.contains("it cannot be continued"), "{s}");
    assert!(s.contains("session 2 is unfinished"), "{s}");
    assert!(s.contains("though the disc is not closed"), "{s}");
    assert!(!s.contains("disc is closed"), "{s}");
    // msinfo and media say why there is no next session address, not "closed".
    for cmd in ["msinfo", "media"] {
        let o = discburn(&["--json", cmd, "--dev", &dev]);
        let j: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{cmd}: {e}: {}", text(&o)));
        assert_eq!(j["state"], "damaged", "{cmd}: {j}");
    }
    let o = discburn(&["msinfo", "--dev", &dev]);
    assert!(
        text(&o).contains(&format!("the last track (2, from block {nwa}) is damaged")),
        "{}",
        text(&o)
    );
}

/// After a write error at the first block of session 2's track (damaged, no next writable
/// address), `add` closes the damaged session as libburn's burn_disc_close_damaged() does
/// (CLOSE TRACK, CLOSE SESSION) and writes its session after it; session 1 is unchanged.
#[test]
fn add_recovers_from_a_damaged_last_track_without_nwa() {
    let t = tempfile::tempdir().unwrap();
    let (dev, nwa) = first_session(t.path());
    let disc = PathBuf::from(dev.trim_start_matches("emu:").split(',').next().unwrap());
    let img = t.path().join("img.bin");
    std::fs::write(&img, pattern(600 * 2048, 3)).unwrap();
    let bad = format!("{dev},write_error={nwa}");
    let out = discburn(&["burn", "--multi", "--dev", &bad, img.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(track_bits(&dev, 2), (true, false, nwa), "track 2");
    let before = disc_bytes(&disc, 0, nwa as usize * 2048);
    let src = t.path().join("s3");
    put(&src, "after.txt", b"written after the damaged session\n");
    let j = add(&dev, &[], &[&src]);
    assert!(j["start"].as_u64().unwrap() as u32 > nwa, "{j}");
    assert!(
        disc_bytes(&disc, 0, nwa as usize * 2048) == before,
        "blocks before the damaged session changed"
    );
    let got = xorriso_tree(&disc, j["start"].as_u64().unwrap() as u32);
    assert_eq!(got["after.txt"], b"written after the damaged session\n");
    // The new session continues session 1's tree.
    assert_eq!(got["keep.txt"], b"session one\n");
}
