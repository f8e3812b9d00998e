//! `discburn media`, `toc` and `msinfo` (and cdrecord's `-msinfo`) on overwritable media
//! (DVD+RW, BD-RE) of the emulated drive, where sessions are the host's convention (as
//! growisofs and xorriso do): session N is written at the previous volume's end rounded up
//! to 32 blocks, built by genisoimage with `-C start,nwa -M disc`, and its volume
//! descriptors are copied to LBA 16 with the volume space size covering everything. States:
//! blank, one, two and five sessions. A pressed CD-ROM takes no session.
#![cfg(unix)] // reason: the emulated drive's files and the symlinked personality
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

mod common;

use std::path::Path;
use std::process::Command;

use common::diag::{blank_disc, command, discburn, genisoimage, json_code, personality, text};
use mmc::drive::Drive;
use transport::{Cdb, DataPhase};

fn align32(v: u32) -> u32 {
    v.div_ceil(32) * 32
}

/// Writes session `n` (files n.txt) at `nwa` after a previous session at `prev`.
fn write_session(dir: &Path, disc: &Path, n: u32, prev: Option<(u32, u32)>) -> u32 {
    let tree = dir.join(format!("t{n}"));
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join(format!("{n}.txt")), format!("session {n}\n")).unwrap();
    let iso = dir.join(format!("s{n}.iso"));
    let c;
    let mut args = vec!["-quiet", "-R", "-o", iso.to_str().unwrap()];
    if let Some((a, b)) = prev {
        c = format!("{a},{b}");
        args.extend(["-C", &c, "-M", disc.to_str().unwrap()]);
    }
    args.push(tree.to_str().unwrap());
    genisoimage(&args);
    let mut img = std::fs::read(&iso).unwrap();
    img.resize(img.len().div_ceil(2048) * 2048, 0);
    let at = prev.map_or(0, |(_, b)| b);
    let mut d = Drive::new(emu::open(disc, &[]).unwrap());
    d.write_blocks(at, &img).unwrap();
    // the newest volume descriptors to LBA 16, volume space size covering LBA 0..end
    let total = at + (img.len() / 2048) as u32;
    let mut vds = img[16 * 2048..18 * 2048].to_vec();
    vds[80..84].copy_from_slice(&total.to_le_bytes());
    vds[84..88].copy_from_slice(&total.to_be_bytes());
    d.write_blocks(16, &vds).unwrap();
    d.synchronize_cache().unwrap();
    total
}

fn format_bd_re(disc: &Path) {
    let mut d = Drive::new(emu::open(disc, &[]).unwrap());
    // FORMAT UNIT type 00h with the size READ FORMAT CAPACITIES offers first
    let caps = d.format_capacities().unwrap();
    let mut p = vec![0x00, 0x02, 0x00, 0x08];
    p.extend_from_slice(&caps[12..20]);
    d.execute(
        Cdb::new(&[0x04, 0x11, 0, 0, 0, 0]).unwrap(),
        DataPhase::Out(&p),
        std::time::Duration::from_secs(60),
    )
    .unwrap();
    d.wait_long_operation(std::time::Duration::from_secs(60))
        .unwrap();
}

fn check(dev: &str, dir: &Path, want: Option<(u32, u32)>) {
    let o = discburn(&["--dev", dev, "msinfo"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let link = personality(dir, "wodim");
    let w = command(&link)
        .args([&format!("dev={dev}"), "-msinfo"])
        .output()
        .unwrap();
    let (_, m) = json_code(dev, "media");
    let cap = m["capacity_blocks"].as_u64();
    match want {
        None => {
            assert_eq!(text(&o.stdout), "");
            assert_eq!(w.status.code(), Some(1));
            assert_eq!(m["state"], "blank", "{m}");
            assert_eq!(m["next_writable"], 0);
        }
        Some((a, b)) => {
            assert_eq!(text(&o.stdout), format!("{a},{b}\n"));
            assert_eq!(w.stdout, o.stdout, "wodim -msinfo: {}", text(&w.stderr));
            assert_eq!(m["state"], "appendable", "{m}");
            assert_eq!(m["last_session_start"], a);
            assert_eq!(m["next_writable"], b);
            let cap = cap.expect("capacity");
            assert_eq!(m["free_blocks"].as_u64().unwrap(), cap - u64::from(b));
            assert_eq!(
                m["free_bytes"].as_u64().unwrap(),
                (cap - u64::from(b)) * 2048
            );
            // the drive itself knows one track from LBA 0 (sessions are the host's)
            let (code, t) = json_code(dev, "toc");
            assert_eq!(code, Some(0));
            assert_eq!(t["tracks"][0]["lba"], 0);
            // DVD/BD media refuse READ HEADER (20/00): cdrecord's mode -1.
            assert_eq!(t["tracks"][0]["mode"], -1, "{t}");
        }
    }
}

fn overwritable(profile: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let disc = dir.join("disc.img");
    let dev = blank_disc(&disc, profile, "");
    if profile == "bd-re" {
        format_bd_re(&disc);
    }
    check(&dev, dir, None);
    let mut prev: Option<(u32, u32)> = None;
    for n in 1..=5u32 {
        let total = write_session(dir, &disc, n, prev);
        let start = prev.map_or(0, |(_, b)| b);
        let next = (start, align32(total));
        if matches!(n, 1 | 2 | 5) {
            check(&dev, dir, Some(next));
        }
        prev = Some(next);
    }
    // the fifth session's tree carries every file (genisoimage merged them)
    let o = Command::new("isoinfo")
        .args(["-R", "-f", "-i", disc.to_str().unwrap()])
        .output()
        .unwrap_or_else(|e| panic!("isoinfo is needed ({e}); install genisoimage"));
    let list = text(&o.stdout);
    for n in 1..=5 {
        assert!(list.contains(&format!("/{n}.txt")), "{list}");
    }
}

#[test]
fn dvd_plus_rw_blank_one_two_five_sessions() {
    overwritable("dvd+rw");
}

#[test]
fn bd_re_blank_one_two_five_sessions() {
    overwritable("bd-re");
}

#[test]
fn pressed_cd_takes_no_session() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("rom.img");
    std::fs::write(&p, vec![0u8; 300 * 2048]).unwrap();
    let dev = format!("emu:{}", p.display());
    let o = discburn(&["--dev", &dev, "msinfo"]);
    assert_eq!(o.status.code(), Some(1));
    // a pressed disc is complete: either way no session can be added (mmc::msinfo says
    // "closed" or "not a writable medium")
    let err = text(&o.stderr);
    assert!(
        err.contains("no more sessions can be added") || err.contains("is not a writable medium"),
        "{err}"
    );
    let (code, m) = json_code(&dev, "media");
    assert_eq!(code, Some(0));
    assert!(
        m["state"] == "not_writable" || m["state"] == "closed",
        "{m}"
    );
    assert_eq!(m["disc"]["status"], "complete");
    assert_eq!(m["profile"]["name"], "CD-ROM");
    assert_eq!(m["free_blocks"], 0);
    assert_eq!(m["capacity_blocks"], 300);
    let (code, t) = json_code(&dev, "toc");
    assert_eq!(code, Some(0));
    assert_eq!(t["tracks"][1]["leadout"], true);
    assert_eq!(t["tracks"][1]["lba"], 300);
    // READ HEADER at track 1's start: a CD-ROM mode 1 data track.
    assert_eq!(t["tracks"][0]["mode"], 1, "{t}");
    assert_eq!(t["tracks"][1]["mode"], -1, "{t}");
}
