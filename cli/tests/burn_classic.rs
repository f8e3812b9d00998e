//! The two-step classic path under the legacy names, five sessions in a row:
//! `mkisofs -R -J -C $(cdrecord -msinfo dev=D) -M D SRC | cdrecord dev=D -multi -`
//! (the first session without -C/-M). After each, xorriso reads the disc image file at the
//! session cdrecord -msinfo names and must see the same merged trees `add` makes.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::burn::*;

fn sh(bindir: &Path, script: &str) -> std::process::Output {
    let path = format!(
        "{}:{}",
        bindir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    command("sh")
        .arg("-c")
        .arg(script)
        .env("PATH", path)
        .output()
        .unwrap()
}

fn classic(profile: &str) {
    let t = tempfile::tempdir().unwrap();
    let bindir = t.path().join("bin");
    std::fs::create_dir(&bindir).unwrap();
    for name in ["cdrecord", "mkisofs"] {
        personality(&bindir, name);
    }
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{}", disc.display());
    let mut e = Expected::default();
    let mut last = None;
    for n in 1..=5u8 {
        let s = t.path().join(format!("s{n}"));
        let name = format!("n{n}.txt");
        put(&s, &name, name.as_bytes());
        e.set(&name, name.as_bytes());
        put(&s, "shared.bin", &pattern(50_000 + usize::from(n), n));
        e.set("shared.bin", &pattern(50_000 + usize::from(n), n));
        let mut remove = String::new();
        if n == 4 {
            remove = "-remove /n2.txt".into();
            e.remove("n2.txt");
        }
        let script = if n == 1 {
            format!(
                "set -e; mkisofs -quiet -R -J '{}' | cdrecord dev='{dev},profile={profile}' -multi -",
                s.display()
            )
        } else {
            format!(
                "set -e; C=$(cdrecord -msinfo dev='{dev}'); \
                 mkisofs -quiet -R -J {remove} -C $C -M '{dev}' '{}' | cdrecord dev='{dev}' -multi -",
                s.display()
            )
        };
        let o = sh(&bindir, &script);
        assert!(o.status.success(), "session {n}: {}", text(&o));
        let o = sh(&bindir, &format!("cdrecord -msinfo dev='{dev}'"));
        assert!(o.status.success(), "{}", text(&o));
        let ms = String::from_utf8_lossy(&o.stdout).trim().to_string();
        let start: u32 = ms.split(',').next().unwrap().parse().unwrap();
        if let Some(l) = last {
            assert!(start > l, "session {n} at {start} after {l}");
        }
        last = Some(start);
        let got = xorriso_tree(&disc, start);
        assert_eq!(got, e.0, "session {n} at {start} ({ms})");
    }
}

#[test]
fn classic_five_sessions_cd_r() {
    classic("cd-r");
}

#[test]
fn classic_five_sessions_dvd_r() {
    classic("dvd-r");
}

#[test]
fn classic_five_sessions_dvd_plus_r() {
    classic("dvd+r");
}

#[test]
fn classic_five_sessions_bd_r() {
    classic("bd-r");
}

#[test]
fn classic_five_sessions_dvd_plus_rw() {
    classic("dvd+rw");
}

#[test]
fn classic_five_sessions_bd_re() {
    classic("bd-re");
}
