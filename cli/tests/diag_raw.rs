//! `discburn raw` on the emulated drive: READ CAPACITY and READ(10) of a pressed CD return
//! the image's bytes (compared with the image file), CHECK CONDITION is decoded and exits 1,
//! data-out reaches the drive.
#![cfg(unix)] // reason: the emulated drive's files and paths are tested on Unix
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

mod common;

use std::path::Path;

use common::diag::{discburn, genisoimage, text};

/// A small ISO made by genisoimage, pressed into an emulated CD-ROM; returns its dev string.
fn pressed_cd(dir: &Path) -> (String, Vec<u8>) {
    let tree = dir.join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("hello.txt"), b"hello from the pressed disc\n").unwrap();
    let iso = dir.join("s.iso");
    genisoimage(&[
        "-quiet",
        "-R",
        "-V",
        "RAWTEST",
        "-o",
        iso.to_str().unwrap(),
        tree.to_str().unwrap(),
    ]);
    let img = dir.join("cd.img");
    // pressed= creates the disc once; later opens name the image alone
    let o = discburn(&[
        "--dev",
        &format!("emu:{},pressed={}", img.display(), iso.display()),
        "raw",
        "00 00 00 00 00 00",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let dev = format!("emu:{}", img.display());
    (dev, std::fs::read(&iso).unwrap())
}

#[test]
fn read_capacity_and_read10_return_the_image_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (dev, iso) = pressed_cd(tmp.path());
    let blocks = (iso.len() / 2048) as u32;

    let o = discburn(&[
        "--dev",
        &dev,
        "raw",
        "25 00 00 00 00 00 00 00 00 00",
        "--in",
        "8",
        "--bin",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(o.stdout.len(), 8);
    let last = u32::from_be_bytes(o.stdout[0..4].try_into().unwrap());
    let blen = u32::from_be_bytes(o.stdout[4..8].try_into().unwrap());
    assert_eq!(blen, 2048);
    // a pressed disc may be padded beyond the image; at least the image's blocks are there
    assert!(last + 1 >= blocks, "last LBA {last}, image {blocks} blocks");
    assert!(
        text(&o.stderr).contains("Status:      GOOD (00h)"),
        "{}",
        text(&o.stderr)
    );

    // READ(10) of sectors 16..17, one byte per argument
    let cdb = ["28", "00", "00", "00", "00", "10", "00", "00", "02", "00"];
    let mut args = vec!["--dev", dev.as_str(), "raw"];
    args.extend(cdb);
    args.extend(["--in", "4096", "--bin"]);
    let o = discburn(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(o.stdout, iso[16 * 2048..18 * 2048]);
    assert_eq!(&o.stdout[1..6], b"CD001");

    // --save writes the same bytes; --hex prints them as one line
    let saved = tmp.path().join("out.bin");
    let o = discburn(&[
        "--dev",
        &dev,
        "raw",
        "28000000001000000200",
        "--in",
        "0x1000",
        "--save",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(std::fs::read(&saved).unwrap(), iso[16 * 2048..18 * 2048]);
    assert!(text(&o.stdout).contains("Data in:     4096 of 4096 bytes received"));
    let o = discburn(&[
        "--dev",
        &dev,
        "raw",
        "28 00 00 00 00 10 00 00 01 00",
        "--in",
        "2048",
        "--hex",
    ]);
    let hex: String = iso[16 * 2048..17 * 2048]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(text(&o.stdout).trim_end(), hex);

    // text mode: the hex dump shows CD001 at offset 0
    let o = discburn(&[
        "--dev",
        &dev,
        "raw",
        "28 00 00 00 00 10 00 00 01 00",
        "--in",
        "2048",
    ]);
    let t = text(&o.stdout);
    assert!(
        t.contains("CDB:         28 00 00 00 00 10 00 00 01 00  (READ(10))"),
        "{t}"
    );
    assert!(t.contains("00000000  01 43 44 30 30 31 01 00"), "{t}");
}

#[test]
fn check_condition_is_decoded_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let (dev, _) = pressed_cd(tmp.path());
    let o = discburn(&["--dev", &dev, "raw", "ff 00 00 00 00 00"]);
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o.stdout);
    assert!(t.contains("Status:      CHECK CONDITION (02h)"), "{t}");
    assert!(
        t.contains("Sense:       ILLEGAL REQUEST: INVALID COMMAND OPERATION CODE (20/00)"),
        "{t}"
    );
    assert!(
        text(&o.stderr).contains("CHECK CONDITION"),
        "{}",
        text(&o.stderr)
    );

    // JSON carries the same facts
    let o = discburn(&[
        "--dev",
        &dev,
        "--json",
        "raw",
        "28 00 00 ff ff 00 00 00 01 00",
        "--in",
        "2048",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status_byte"], 2);
    assert_eq!(v["sense"]["key"], "ILLEGAL REQUEST");
    assert_eq!(v["sense"]["asc"], 0x21); // LOGICAL BLOCK ADDRESS OUT OF RANGE
    assert_eq!(v["cdb"], "280000ffff0000000100");
}

#[test]
fn data_out_reaches_the_drive() {
    let tmp = tempfile::tempdir().unwrap();
    let dev = format!("emu:{},profile=cd-r", tmp.path().join("d.img").display());
    // MODE SELECT(10) of page 05h (CD TAO, mode 1, multi-session) is accepted
    let mut list = vec![0u8; 8];
    let mut page = vec![0u8; 0x34];
    page[0] = 0x05;
    page[1] = 0x32;
    page[2] = 0x41;
    page[3] = 0xC4;
    page[4] = 0x08;
    page[15] = 150;
    list.extend_from_slice(&page);
    let f = tmp.path().join("page05");
    std::fs::write(&f, &list).unwrap();
    let o = discburn(&[
        "--dev",
        &dev,
        "raw",
        "55 10 00 00 00 00 00 00 3c 00",
        "--out",
        f.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        text(&o.stdout).contains("Data out:    ") && text(&o.stdout).contains(" of 60 bytes sent"),
        "{}",
        text(&o.stdout)
    );
    // the same page with write type Fh (reserved) is refused: the bytes were looked at
    list[8 + 2] = 0x4F;
    std::fs::write(&f, &list).unwrap();
    let o = discburn(&[
        "--dev",
        &dev,
        "raw",
        "55 10 00 00 00 00 00 00 3c 00",
        "--out",
        f.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("ILLEGAL REQUEST: INVALID FIELD IN PARAMETER LIST (26/00)"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn usage_errors() {
    for args in [
        &["raw", "28 00 0"][..],
        &["raw", "00 00 00 00 00 00 00"],
        &["raw", "00 00 00 00 00 00", "--in", "8", "--out", "x"],
        &["raw", "12 00 00 00 24 00", "--in", "36", "--bin", "--hex"],
    ] {
        let mut a = vec!["--dev", "emu:/nonexistent/x"];
        a.extend_from_slice(args);
        let o = discburn(&a);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
    }
}
