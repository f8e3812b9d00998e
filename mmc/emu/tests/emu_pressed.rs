//! Pressed discs: `pressed=ISO` makes a CD-ROM/DVD-ROM holding a copy of an ISO, and an
//! existing image without state is served as it is, read-only. Also the state file's
//! persistence rules (options not needed to reopen, conflicts refused).
#![allow(clippy::unwrap_used)] // reason: test helpers, a failure is a test failure

mod emu_util;

use std::path::Path;

use emu_util::*;

fn iso(dir: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("tree")).unwrap();
    std::fs::write(dir.join("tree/hello.txt"), "hello\n").unwrap();
    let out = dir.join("in.iso");
    let o = tool(
        "genisoimage",
        &[
            "-quiet",
            "-R",
            "-o",
            out.to_str().unwrap(),
            dir.join("tree").to_str().unwrap(),
        ],
        "genisoimage",
    );
    assert!(o.status.success());
    out
}

#[test]
fn pressed_cd_rom_from_iso() {
    let tmp = tempfile::tempdir().unwrap();
    let src = iso(tmp.path());
    let img = std::fs::read(&src).unwrap();
    let blocks = (img.len() / 2048) as u32;
    let disc = tmp.path().join("pressed.disc");
    let mut d = emu::open(&disc, &[("pressed".into(), src.to_str().unwrap().into())]).unwrap();
    // GET CONFIGURATION: current profile 0008h CD-ROM
    let (c, v) = data_in(&mut d, &[0x46, 0x01, 0, 0, 0, 0, 0, 0, 0x08, 0], 8);
    good(&c);
    assert_eq!(&v[6..8], &[0x00, 0x08]);
    // READ CAPACITY: blocks - 1
    let (_, v) = data_in(&mut d, &[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8);
    assert_eq!(be32(&v, 0), blocks - 1);
    assert_eq!(be32(&v, 4), 2048);
    // READ TOC format 0: one data track at 0, lead-out at blocks
    let (_, v) = data_in(&mut d, &[0x43, 0, 0, 0, 0, 0, 0, 0, 0x14, 0], 20);
    let mut want = vec![
        0x00, 0x12, 0x01, 0x01, 0, 0x14, 0x01, 0, 0, 0, 0, 0, 0, 0x14, 0xAA, 0,
    ];
    want.extend_from_slice(&blocks.to_be_bytes());
    assert_eq!(v, want);
    // format 1
    let (_, v) = data_in(&mut d, &[0x43, 0, 1, 0, 0, 0, 0, 0, 0x0C, 0], 12);
    assert_eq!(v, [0x00, 0x0A, 0x01, 0x01, 0, 0x14, 0x01, 0, 0, 0, 0, 0]);
    // READ DISC INFORMATION: complete disc, complete session, not erasable
    let (_, v) = data_in(&mut d, &[0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0], 34);
    assert_eq!(v[2], 0x0E);
    // READ(10) returns the ISO
    let (c, v) = data_in(&mut d, &[0x28, 0, 0, 0, 0, 16, 0, 0, 1, 0], 2048);
    good(&c);
    assert_eq!(v, &img[16 * 2048..17 * 2048]);
    // writes are refused: CANNOT WRITE MEDIUM - INCOMPATIBLE FORMAT
    let c = data_out(&mut d, &[0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0], &[0u8; 2048]);
    assert_eq!(ks(&c), (0x5, 0x30, 0x05));
    drop(d);
    // reopened without options: the same pressed disc
    let mut d = reopen(&disc, &[]);
    let (_, v) = data_in(&mut d, &[0x46, 0x01, 0, 0, 0, 0, 0, 0, 0x08, 0], 8);
    assert_eq!(&v[6..8], &[0x00, 0x08]);
}

#[test]
fn existing_image_without_state_is_served_read_only() {
    let tmp = tempfile::tempdir().unwrap();
    let src = iso(tmp.path());
    let before = std::fs::read(&src).unwrap();
    let mut d = reopen(&src, &[]);
    let (_, v) = data_in(&mut d, &[0x46, 0x01, 0, 0, 0, 0, 0, 0, 0x08, 0], 8);
    assert_eq!(&v[6..8], &[0x00, 0x08]);
    let c = data_out(&mut d, &[0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0], &[0u8; 2048]);
    assert!(!c.is_good());
    drop(d);
    assert_eq!(std::fs::read(&src).unwrap(), before);
    assert!(
        !emu::state_path(&src).exists(),
        "a state file was written beside a plain image"
    );
    // profile=dvd-rom serves it as a DVD-ROM
    let mut d = emu::open(&src, &[("profile".into(), "dvd-rom".into())]).unwrap();
    let (_, v) = data_in(&mut d, &[0x46, 0x01, 0, 0, 0, 0, 0, 0, 0x08, 0], 8);
    assert_eq!(&v[6..8], &[0x00, 0x10]);
    // full TOC exists on CD only
    let (c, _) = data_in(&mut d, &[0x43, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x00, 0], 256);
    assert_eq!(ks(&c), (0x5, 0x24, 0x00));
}

#[test]
fn opening_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("none.disc");
    // nothing there and nothing to create: an error that says what to do
    let e = emu::open(&p, &[]).unwrap_err().to_string();
    assert!(e.contains("profile="), "{e}");
    // unknown option
    let e = emu::open(&p, &[("colour".into(), "red".into())])
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown option"), "{e}");
    // create a BD-R; the state file is JSON beside it
    drop(emu::open(&p, &[("profile".into(), "bd-r".into())]).unwrap());
    let state = std::fs::read_to_string(emu::state_path(&p)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(v["medium"], "bd-r");
    // another profile for the same disc is refused
    let e = emu::open(&p, &[("profile".into(), "cd-r".into())])
        .unwrap_err()
        .to_string();
    assert!(e.contains("bd-r"), "{e}");
    // a state file claiming impossible tracks is refused, not trusted
    let mut bad = v.clone();
    bad["tracks"] = serde_json::json!([{"number": 1, "session": 1, "start": 4294967000u32,
        "length": 4294967295u32, "closed": true}]);
    std::fs::write(emu::state_path(&p), bad.to_string()).unwrap();
    let e = emu::open(&p, &[]).unwrap_err().to_string();
    assert!(e.contains("bad disc state"), "{e}");
    // a damaged state file is reported, not trusted
    std::fs::write(emu::state_path(&p), "{ not json").unwrap();
    assert!(emu::open(&p, &[]).is_err());
}
