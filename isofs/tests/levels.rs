//! ISO 9660 levels and name rules as isoinfo (without Rock Ridge) and xorriso see them,
//! and reproducible output.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code panics on failure

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::process::Command;

use common::*;
use isofs::{Options, RockRidge, Timestamp};

fn plain_names(img: &std::path::Path) -> Vec<String> {
    need("isoinfo", "genisoimage");
    let text = run(Command::new("isoinfo").args(["-f", "-i"]).arg(img));
    text.lines().map(str::to_string).collect()
}

#[test]
fn level1_names_are_8_3_and_unique() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    make_fixture(&src);
    let img = tmp.path().join("l1.iso");
    build(
        &src,
        Options {
            iso_level: 1,
            ..Options::default()
        },
        &img,
    );
    let names = plain_names(&img);
    let mut seen = BTreeSet::new();
    for n in &names {
        assert!(seen.insert(n.clone()), "duplicate ISO name {n}");
        let last = n.rsplit('/').next().unwrap();
        let stem = last.trim_end_matches(";1");
        let (base, ext) = stem.split_once('.').unwrap_or((stem, ""));
        assert!(base.len() <= 8 && ext.len() <= 3, "not 8.3: {n}");
        assert!(
            stem.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '.'),
            "not d-characters: {n}"
        );
    }
    // The three colliding long names became three distinct identifiers.
    let lf: Vec<&String> = names.iter().filter(|n| n.starts_with("/LONGF")).collect();
    assert_eq!(lf.len(), 4, "{lf:?}");
    // Everything is still there for our reader in the plain namespace.
    let ours = snapshot_ours(&img, 0, None);
    assert_eq!(ours.len(), snapshot_dir(&src).len());
}

#[test]
fn level4_long_names_read_by_xorriso_and_isoinfo() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    make_fixture(&src);
    let img = tmp.path().join("l4.iso");
    build(
        &src,
        Options {
            iso_level: 4,
            ..Options::default()
        },
        &img,
    );
    let names = plain_names(&img);
    assert!(
        names.iter().any(|n| n == "/many.dots.in.name.tar.gz"),
        "{names:?}"
    );
    assert!(names
        .iter()
        .any(|n| n == "/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/deep.txt"));
    need("xorriso", "xorriso");
    let out = tmp.path().join("x");
    fs::create_dir_all(&out).unwrap();
    run(Command::new("xorriso")
        .args(["-osirrox", "on", "-indev"])
        .arg(&img)
        .args(["-extract", "/"])
        .arg(&out));
    assert_eq!(
        fs::read(out.join("many.dots.in.name.tar.gz")).unwrap(),
        b"dots\n"
    );
    assert_eq!(
        fs::read(out.join("d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/deep.txt")).unwrap(),
        b"deep\n"
    );
}

#[test]
fn same_source_date_epoch_gives_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    make_fixture(&src);
    let o = Options {
        iso_level: 3,
        rock_ridge: Some(RockRidge::Exact),
        joliet: true,
        date: Some(Timestamp::from_secs(1_600_000_000)),
        reproducible: true,
        ..Options::default()
    };
    let a = tmp.path().join("a.iso");
    let b = tmp.path().join("b.iso");
    build(&src, o.clone(), &a);
    // Reading the files changed their access times; touch a ctime too.
    run(Command::new("chmod").arg("644").arg(src.join("a.txt")));
    build(&src, Options { threads: 1, ..o }, &b);
    assert!(
        fs::read(&a).unwrap() == fs::read(&b).unwrap(),
        "two builds differ"
    );
}

#[test]
fn file_to_file_copy_gives_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(&src).unwrap();
    let big: Vec<u8> = (0..3_000_001u32).map(|i| (i * 31 % 253) as u8).collect();
    fs::write(src.join("big.bin"), &big).unwrap();
    fs::write(src.join("small.txt"), b"small\n").unwrap();
    let o = Options {
        iso_level: 3,
        rock_ridge: Some(RockRidge::Exact),
        date: Some(Timestamp::from_secs(1)),
        ..Options::default()
    };
    let mut t = isofs::Tree::new();
    t.add_source("/", &src, &isofs::ScanOptions::default())
        .unwrap();
    let img = isofs::Image::new(t, o, None).unwrap();
    let mut v = Vec::new();
    img.write_to(&mut v).unwrap();
    let p = tmp.path().join("f.iso");
    let f = fs::File::create(&p).unwrap();
    img.write_to_file(&f).unwrap();
    drop(f);
    assert!(fs::read(&p).unwrap() == v);
    assert_eq!(v.len() as u64, u64::from(img.size_blocks()) * 2048);
}
