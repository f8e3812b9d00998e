//! A drive outlives the process that talks to it: a series of one-command `discburn raw`
//! processes, as an sg_raw script sends them (MODE SELECT page 05h for TAO data, WRITE(10)
//! chunks at the next writable address, SYNCHRONIZE CACHE, CLOSE TRACK, CLOSE SESSION),
//! writes a CD-R session holding an ISO image on an `emu:` disc, which then behaves as one
//! powered drive would have: msinfo gives MMC's numbers (MMC-6 §6.27 READ TRACK
//! INFORMATION of the invisible track: its NWA is the lead-out start plus 6750 lead-out,
//! 4500 lead-in and 150 pre-gap blocks after a first session, 11,400 in all; the same two
//! numbers `cdrecord -msinfo` prints, from READ TOC format 1 and that NWA), and isoinfo and
//! xorriso read the tree. Also: page 05h as the last process selected it is what the next
//! one senses, until a power cycle (`power_cycle=on`) brings the defaults back with UNIT
//! ATTENTION, POWER ON OCCURRED.
#![cfg(unix)] // reason: the emulated drive's files and paths are tested on Unix
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

mod common;

use std::path::Path;
use std::process::Command;

use common::diag::{cdrecord, discburn, genisoimage, text};

/// Runs `discburn --dev DEV raw CDB [extra]`, which must answer GOOD; returns stdout.
fn raw_ok(dev: &str, cdb: &str, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["--dev", dev, "raw", cdb];
    args.extend(extra);
    let o = discburn(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "raw {cdb}: {}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    o.stdout
}

/// The invisible track's NWA (READ TRACK INFORMATION, track FFh, bytes 12..16), asked by
/// a process of its own.
fn nwa(dev: &str) -> u32 {
    let hex = text(&raw_ok(
        dev,
        "52 01 00 00 00 ff 00 00 1c 00",
        &["--in", "28", "--hex"],
    ));
    let hex = hex.trim();
    assert_eq!(hex.len(), 56, "{hex}");
    // NWA_V (byte 7 bit 0) must be set
    assert_eq!(
        u8::from_str_radix(&hex[14..16], 16).unwrap() & 1,
        1,
        "{hex}"
    );
    u32::from_str_radix(&hex[24..32], 16).unwrap()
}

/// MODE SELECT(10) parameter list: header and page 05h, TAO (write type 1) with BUFE,
/// multi-session 11b (next session allowed), track mode 4 (data, uninterrupted), data
/// block type 8 (mode 1, 2048 bytes).
fn page05_tao_multi() -> Vec<u8> {
    let mut list = vec![0u8; 8];
    let mut page = vec![0u8; 0x34];
    page[..5].copy_from_slice(&[0x05, 0x32, 0x41, 0xC4, 0x08]);
    page[14..16].copy_from_slice(&150u16.to_be_bytes());
    list.extend_from_slice(&page);
    list
}

fn tree(dir: &Path) -> std::path::PathBuf {
    let t = dir.join("tree");
    std::fs::create_dir_all(t.join("docs")).unwrap();
    std::fs::write(t.join("readme.txt"), "one session written by raw\n").unwrap();
    // about 400 KiB, so the image needs several WRITE chunks and exceeds the 300-block
    // minimum track length
    let big: Vec<u8> = (0..400 * 1024u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(t.join("docs/big.bin"), big).unwrap();
    t
}

#[test]
fn raw_processes_write_a_cd_r_session_as_one_powered_drive() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let t = tree(dir);
    let iso = dir.join("s1.iso");
    genisoimage(&[
        "-quiet",
        "-R",
        "-V",
        "RAWSESS",
        "-o",
        iso.to_str().unwrap(),
        t.to_str().unwrap(),
    ]);
    let img = std::fs::read(&iso).unwrap();
    let blocks = (img.len() / 2048) as u32;
    assert!(blocks > 300, "{blocks}");

    let disc = dir.join("cd.img");
    // one process creates the blank CD-R (and answers TEST UNIT READY)
    raw_ok(
        &format!("emu:{},profile=cd-r", disc.display()),
        "00 00 00 00 00 00",
        &[],
    );
    let dev = format!("emu:{}", disc.display());
    let list = dir.join("page05.bin");
    std::fs::write(&list, page05_tao_multi()).unwrap();
    raw_ok(
        &dev,
        "55 10 00 00 00 00 00 00 3c 00",
        &["--out", list.to_str().unwrap()],
    );
    // WRITE(10) chunks of 64 blocks, each in its own process at the NWA that yet another
    // process reads
    let mut at = 0u32;
    for (i, chunk) in img.chunks(64 * 2048).enumerate() {
        assert_eq!(nwa(&dev), at, "NWA before chunk {i}");
        let n = (chunk.len() / 2048) as u32;
        let f = dir.join(format!("chunk{i}.bin"));
        std::fs::write(&f, chunk).unwrap();
        let b = at.to_be_bytes();
        let cdb = format!(
            "2a 00 {:02x} {:02x} {:02x} {:02x} 00 {:02x} {:02x} 00",
            b[0],
            b[1],
            b[2],
            b[3],
            n >> 8,
            n & 0xFF
        );
        raw_ok(&dev, &cdb, &["--out", f.to_str().unwrap()]);
        at += n;
    }
    assert_eq!(nwa(&dev), blocks);
    // SYNCHRONIZE CACHE ends the TAO track; CLOSE TRACK 1, then CLOSE SESSION (page 05h
    // multi-session 11b, selected three processes ago, keeps the disc appendable)
    raw_ok(&dev, "35 00 00 00 00 00 00 00 00 00", &[]);
    raw_ok(&dev, "5b 00 01 00 00 01 00 00 00 00", &[]);
    raw_ok(&dev, "5b 00 02 00 00 00 00 00 00 00", &[]);

    // MMC's numbers: the track is the image (over the 300-block minimum) plus 2 run-out
    // blocks; the lead-out starts there; the next session's NWA is 11,400 later
    let leadout = blocks + 2;
    let expected = format!("0,{}", leadout + 11_400);
    let o = discburn(&["--dev", &dev, "msinfo"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).trim(), expected);
    // cdrecord -msinfo prints the same pair
    let o = cdrecord(dir, &dev, "-msinfo");
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).trim(), expected);
    // the TOC: track 1 at 0, lead-out at `leadout`
    let o = discburn(&["--dev", &dev, "toc"]);
    let toc = text(&o.stdout);
    assert!(
        toc.contains("track:   1 lba:         0"),
        "{toc}{}",
        text(&o.stderr)
    );
    assert!(
        toc.contains(&format!("track:lout lba: {leadout:>9}")),
        "{toc}"
    );
    let o = discburn(&["--dev", &dev, "media"]);
    let media = text(&o.stdout);
    assert!(media.contains("incomplete/appendable"), "{media}");
    assert!(media.contains("complete sessions:          1"), "{media}");

    // the image holds the ISO block for block; isoinfo and xorriso read its tree
    let disc_bytes = std::fs::read(&disc).unwrap();
    assert_eq!(&disc_bytes[..img.len()], &img[..]);
    let o = Command::new("isoinfo")
        .args(["-R", "-f", "-i", disc.to_str().unwrap()])
        .output()
        .expect("isoinfo is needed; install the Debian package genisoimage");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let listed = text(&o.stdout);
    for p in ["/readme.txt", "/docs", "/docs/big.bin"] {
        assert!(
            listed.lines().any(|l| l == p),
            "isoinfo lacks {p}: {listed}"
        );
    }
    let o = Command::new("xorriso")
        .args([
            "-indev",
            disc.to_str().unwrap(),
            "-find",
            "/",
            "-type",
            "f",
            "--",
        ])
        .output()
        .expect("xorriso is needed; install the Debian package xorriso");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let found = text(&o.stdout);
    assert!(found.contains("'/docs/big.bin'"), "{found}");
    assert!(found.contains("'/readme.txt'"), "{found}");

    // and the disc takes a second session where msinfo said: discburn add continues it
    let t2 = dir.join("tree2");
    std::fs::create_dir_all(&t2).unwrap();
    std::fs::write(t2.join("second.txt"), "second session\n").unwrap();
    let o = discburn(&["--dev", &dev, "add", t2.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = discburn(&["--dev", &dev, "msinfo"]);
    let ms = text(&o.stdout);
    let first: u32 = ms.trim().split(',').next().unwrap().parse().unwrap();
    assert_eq!(first, leadout + 11_400, "{ms}");
}

/// MODE SENSE(10) page 05h current values, asked by a process of its own: the page bytes.
fn sense_page05(dev: &str) -> (Option<i32>, String, String) {
    let o = discburn(&[
        "--dev",
        dev,
        "raw",
        "5a 00 05 00 00 00 00 00 3c 00",
        "--in",
        "60",
        "--hex",
    ]);
    (o.status.code(), text(&o.stdout), text(&o.stderr))
}

#[test]
fn page05_lasts_until_a_power_cycle() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let disc = dir.join("cd.img");
    raw_ok(
        &format!("emu:{},profile=cd-rw", disc.display()),
        "00 00 00 00 00 00",
        &[],
    );
    let dev = format!("emu:{}", disc.display());
    let (code, default, e) = sense_page05(&dev);
    assert_eq!(code, Some(0), "{e}");
    let list = dir.join("page05.bin");
    let mut sel = page05_tao_multi();
    sel[8 + 2] |= 0x10; // Test Write
    std::fs::write(&list, &sel).unwrap();
    raw_ok(
        &dev,
        "55 10 00 00 00 00 00 00 3c 00",
        &["--out", list.to_str().unwrap()],
    );
    // the next process senses what was selected (after the 8-byte header)
    let (code, now, e) = sense_page05(&dev);
    assert_eq!(code, Some(0), "{e}");
    assert_eq!(&now.trim()[16..26], "053251c408", "{now}");
    assert_ne!(now, default);
    // a power cycle: the first command gets UNIT ATTENTION, POWER ON OCCURRED ...
    let o = discburn(&[
        "--dev",
        &format!("{dev},power_cycle=on"),
        "raw",
        "00 00 00 00 00 00",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("(29/01)"), "{}", text(&o.stdout));
    // ... and the page is back at its default, in this process and the next
    let (code, after, e) = sense_page05(&dev);
    assert_eq!(code, Some(0), "{e}");
    assert_eq!(after, default);
}
