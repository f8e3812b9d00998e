//! `cdrecord -sao` and `discburn burn --sao` only where the drive offers session-at-once.
//! The emulated drive reports the CD Mastering feature (MMC-6 §5.3.21, 002Eh) with SAO;
//! `sao=off` models a CD writer without it, `sao_appendable=off` one that takes a cue
//! sheet on a blank CD only (libburn's doc/cookbook.txt, SAO CD Cookbook). `-sao` must be
//! refused with the reason and `-tao` named, exit non-zero and leave the disc as it was
//! (image file, state file, what `discburn media` reports); `-tao` then writes the session
//! and xorriso reads every session.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::burn::*;

/// genisoimage of `src`; for a later session `-C LAST,NWA -M DISC` (merged with the
/// session before, read from the image file).
fn iso(dir: &Path, name: &str, src: &Path, after: Option<(&Path, u32, u32)>) -> PathBuf {
    let out = dir.join(format!("{name}.iso"));
    let c = after.map(|(_, l, n)| format!("{l},{n}"));
    let mut args = vec!["-quiet", "-R", "-J"];
    if let (Some((disc, _, _)), Some(c)) = (after, &c) {
        args.extend(["-C", c.as_str(), "-M", disc.to_str().unwrap()]);
    }
    args.extend(["-o", out.to_str().unwrap(), src.to_str().unwrap()]);
    let o = tool("genisoimage", &args);
    assert!(o.status.success(), "genisoimage: {}", text(&o));
    out
}

const NO_SAO: &str = "the drive does not offer session-at-once (no CD Mastering feature 002Eh \
                      with SAO): use -tao; nothing was written";

/// Every way of asking for SAO (cdrecord -sao, -dao, -dummy -sao, burn --sao) with the
/// drive options `opts` is refused with `want` in its message and leaves the disc as it was.
fn all_refused(dir: &Path, disc: &Path, opts: &str, img: &Path, want: &[&str]) {
    let before = snapshot(disc);
    let dev = format!("emu:{},{opts}", disc.display());
    let dev_arg = format!("dev={dev}");
    let i = img.to_str().unwrap();
    let runs = [
        cdrecord(dir, &[&dev_arg, "-sao", "-multi", i]),
        cdrecord(dir, &[&dev_arg, "-dao", i]),
        cdrecord(dir, &[&dev_arg, "-dummy", "-sao", "-multi", i]),
        discburn(&["burn", "--dev", &dev, "--sao", "--multi", i]),
    ];
    for o in runs {
        assert!(!o.status.success(), "-sao was not refused: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        for w in want {
            assert!(err.contains(w), "{w:?} not in: {err}");
        }
        assert_same(&snapshot(disc), &before, &format!("the refusal ({err})"));
    }
}

fn without_sao(profile: &str) {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let o = discburn(&[
        "media",
        "--dev",
        &format!("emu:{},profile={profile}", disc.display()),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    // The drive's feature list has no CD Mastering; the default drive's has it, with SAO.
    let o = discburn(&[
        "features",
        "--dev",
        &format!("emu:{},sao=off", disc.display()),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("CD Mastering"));
    let o = discburn(&["features", "--dev", &format!("emu:{}", disc.display())]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        out.contains("002Eh CD Mastering") && out.contains("sao: true"),
        "{out}"
    );

    let s1 = t.path().join("s1");
    let mut e = Expected::default();
    put(&s1, "one.txt", b"first session\n");
    e.set("one.txt", b"first session\n");
    put(&s1, "big.bin", &pattern(500_000, 1));
    e.set("big.bin", &pattern(500_000, 1));
    let img1 = iso(t.path(), "s1", &s1, None);
    all_refused(t.path(), &disc, "sao=off", &img1, &[NO_SAO]);
    let dev_arg = format!("dev=emu:{},sao=off", disc.display());
    let o = cdrecord(
        t.path(),
        &[&dev_arg, "-tao", "-multi", img1.to_str().unwrap()],
    );
    assert!(o.status.success(), "cdrecord -tao: {}", text(&o));
    assert_eq!(xorriso_tree(&disc, 0), e.0);

    // appendable: the same refusal, then -tao adds session 2
    let (last, nwa) = msinfo(&disc);
    let s2 = t.path().join("s2");
    put(&s2, "two.txt", b"second session\n");
    e.set("two.txt", b"second session\n");
    let img2 = iso(t.path(), "s2", &s2, Some((&disc, last, nwa)));
    all_refused(t.path(), &disc, "sao=off", &img2, &[NO_SAO]);
    let o = cdrecord(
        t.path(),
        &[&dev_arg, "-tao", "-multi", img2.to_str().unwrap()],
    );
    assert!(o.status.success(), "cdrecord -tao: {}", text(&o));
    assert_eq!(msinfo(&disc).0, nwa);
    let mut both = e.0.clone();
    both.remove("two.txt");
    assert_eq!(xorriso_tree(&disc, 0), both, "session 1 changed");
    assert_eq!(xorriso_tree(&disc, nwa), e.0);
}

#[test]
fn sao_refused_on_a_cd_r_drive_without_sao() {
    without_sao("cd-r");
}

#[test]
fn sao_refused_on_a_cd_rw_drive_without_sao() {
    without_sao("cd-rw");
}

fn appendable_refused(profile: &str) {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev_arg = format!(
        "dev=emu:{},profile={profile},sao_appendable=off",
        disc.display()
    );
    let s1 = t.path().join("s1");
    let mut e = Expected::default();
    put(&s1, "one.txt", b"first session\n");
    e.set("one.txt", b"first session\n");
    let img1 = iso(t.path(), "s1", &s1, None);
    // on the blank CD the drive takes session-at-once
    let o = cdrecord(
        t.path(),
        &[&dev_arg, "-sao", "-multi", img1.to_str().unwrap()],
    );
    assert!(
        o.status.success(),
        "cdrecord -sao on a blank CD: {}",
        text(&o)
    );
    assert_eq!(xorriso_tree(&disc, 0), e.0);

    let (last, nwa) = msinfo(&disc);
    let s2 = t.path().join("s2");
    put(&s2, "two.txt", b"second session\n");
    put(&s2, "big.bin", &pattern(400_000, 2));
    let img2 = iso(t.path(), "s2", &s2, Some((&disc, last, nwa)));
    all_refused(
        t.path(),
        &disc,
        "sao_appendable=off",
        &img2,
        &[
            "the drive refused the cue sheet",
            "SEND CUE SHEET: ILLEGAL REQUEST",
            "the CD already holds sessions (the last from block 0)",
            "some drives take session-at-once on a blank CD only",
            "use -tao",
            "nothing was written",
        ],
    );
    let o = cdrecord(
        t.path(),
        &[&dev_arg, "-tao", "-multi", img2.to_str().unwrap()],
    );
    assert!(o.status.success(), "cdrecord -tao: {}", text(&o));
    e.set("two.txt", b"second session\n");
    e.set("big.bin", &pattern(400_000, 2));
    assert_eq!(xorriso_tree(&disc, nwa), e.0);

    // A drive that appends session-at-once (the default) takes session 3 that way.
    let (last, nwa3) = msinfo(&disc);
    assert_eq!(last, nwa);
    let s3 = t.path().join("s3");
    put(&s3, "three.txt", b"third session\n");
    e.set("three.txt", b"third session\n");
    let img3 = iso(t.path(), "s3", &s3, Some((&disc, last, nwa3)));
    let o = cdrecord(
        t.path(),
        &[
            &format!("dev=emu:{}", disc.display()),
            "-sao",
            "-multi",
            img3.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "cdrecord -sao appending: {}", text(&o));
    assert_eq!(xorriso_tree(&disc, nwa3), e.0);
}

#[test]
fn sao_on_an_appendable_cd_r_refused_by_the_drive_writes_nothing() {
    appendable_refused("cd-r");
}

#[test]
fn sao_on_an_appendable_cd_rw_refused_by_the_drive_writes_nothing() {
    appendable_refused("cd-rw");
}
