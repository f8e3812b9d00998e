//! `cdrecord -sao` on CD-R: the session is announced by a cue sheet (SEND CUE SHEET, MMC-6
//! §6.33) and written from the pre-gap at LBA -150; the drive closes it. The disc must look
//! as after the same image written `-tao` (msinfo two blocks earlier: no run-out), take a TAO `add` on top, and
//! xorriso must read both sessions. Without a known size `-sao` is refused.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Stdio;

use common::burn::*;

fn msinfo(dir: &Path, dev: &str) -> String {
    let o = cdrecord(dir, &["-msinfo", &format!("dev={dev}")]);
    assert!(o.status.success(), "{}", text(&o));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

#[test]
fn sao_multi_session_then_tao_add() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("s1");
    let mut e = Expected::default();
    put(&src, "one.txt", b"first session");
    e.set("one.txt", b"first session");
    put(&src, "big.bin", &pattern(700_000, 1));
    e.set("big.bin", &pattern(700_000, 1));
    let img = genisoimage_image(&t.path().join("s1.iso"), &[&src]);

    let sao = t.path().join("sao.img");
    let tao = t.path().join("tao.img");
    let sao_dev = format!("emu:{},profile=cd-r", sao.display());
    let tao_dev = format!("emu:{},profile=cd-r", tao.display());
    let o = cdrecord(
        t.path(),
        &[
            &format!("dev={sao_dev}"),
            "-sao",
            "-multi",
            img.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "cdrecord -sao: {}", text(&o));
    let o = cdrecord(
        t.path(),
        &[
            &format!("dev={tao_dev}"),
            "-tao",
            "-multi",
            img.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "cdrecord -tao: {}", text(&o));
    // The same layout but for the two run-out blocks a TAO track ends with: the SAO track
    // ends where the cue sheet's lead-out begins (MMC-6 §6.33.3), so its next session
    // starts two blocks earlier.
    let ms = msinfo(t.path(), &sao_dev);
    let tao = msinfo(t.path(), &tao_dev);
    let nwa = |m: &str| -> u32 { m.trim().rsplit(',').next().unwrap().parse().unwrap() };
    assert!(ms.starts_with("0,") && tao.starts_with("0,"), "{ms} {tao}");
    assert_eq!(nwa(&ms) + 2, nwa(&tao), "-sao {ms} and -tao {tao}");
    assert_eq!(xorriso_tree(&sao, 0), e.0);

    // a TAO session on top of the SAO one
    let s2 = t.path().join("s2");
    put(&s2, "two.txt", b"second session");
    e.set("two.txt", b"second session");
    let j = add(&sao_dev, &[], &[&s2]);
    let start = check_session(&sao, &j, &e);
    assert!(start > 0);
    let first: u32 = msinfo(t.path(), &sao_dev)
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(first, start);
}

#[test]
fn sao_from_stdin_needs_tsize() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("d.img");
    let dev = format!("dev=emu:{},profile=cd-r", disc.display());
    let mut c = command(cdrecord_bin(t.path()))
        .args([&dev, "-sao", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // the refusal comes before reading: the pipe may be closed already
    let _ = std::io::Write::write_all(c.stdin.as_mut().unwrap(), &vec![0u8; 2048 * 300]);
    drop(c.stdin.take());
    let o = c.wait_with_output().unwrap();
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("tsize="), "{}", text(&o));
}
