//! Hostile images against the reader, through the real binary: `ls -R`, `extract` and
//! `add`'s import of the image as a previous session (burnt with `--multi` onto an
//! emulated CD-R), each under a memory cap (`prlimit --as`), a file size cap
//! (`prlimit --fsize`) and a time limit. Every image is crafted here, byte by byte.
//! Each one used to take gigabytes, hundreds of gigabytes of output, or minutes; now each
//! is refused in well under a second with exit status 1 and a message naming the entry
//! and the bound (isofs `read::Limits`), never a panic or an abort.
//!
//! The benign names `...`, `a.` and `b..` of a `genisoimage -J` disc list and extract as
//! written, as bsdtar and xorriso (controls) read them.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

mod common;

use std::path::Path;
use std::time::Duration;

use common::hostile::*;

/// Address space for `ls` and `extract` (the old reader needed 2.5 GB and more for the
/// name images).
const AS: u64 = 1 << 30;
/// Address space for `add` (it starts reader threads, each with a stack and an arena).
const AS_ADD: u64 = 3 << 29;
/// Largest file any command may write (the old reader extracted 7 GB of one file).
const FSIZE: u64 = 64 << 20;
/// Time limit per command.
const SECS: u64 = 120;
/// What a refusal may take at most (a loaded 2-core machine, debug build).
const FAST: Duration = Duration::from_secs(20);

/// Runs `ls -R`, `extract` and `add` (onto an emulated CD-R holding `iso` as session 1)
/// and checks that each is refused naming `want`, fast, within the caps, and that
/// `extract` wrote no file data and `add` left the disc as it was.
fn refused_everywhere(dir: &Path, iso: &Iso, want: &[&str]) {
    let img = dir.join("hostile.iso");
    iso.save(&img);
    let imgs = img.to_str().unwrap();

    let (o, took) = capped(&["ls", "-R", "-i", imgs], AS, FSIZE, SECS);
    refused(&o, want);
    assert!(took < FAST, "ls -R took {took:?}: {}", text(&o));

    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let (o, took) = capped(
        &["extract", "-i", imgs, "-C", out.to_str().unwrap()],
        AS,
        FSIZE,
        SECS,
    );
    refused(&o, want);
    assert!(took < FAST, "extract took {took:?}: {}", text(&o));
    let written = du(&out);
    assert!(written == 0, "extract wrote {written} bytes: {}", text(&o));

    // The image as the previous session of a disc: add must not import it.
    let disc = dir.join("disc.img");
    let dev = format!("emu:{},profile=cd-r", disc.display());
    let (o, _) = capped(
        &["burn", "--multi", "-q", "--no-verify", "--dev", &dev, imgs],
        AS_ADD,
        1 << 30,
        SECS,
    );
    assert!(o.status.success(), "burn: {}", text(&o));
    let before = std::fs::read(&disc).unwrap();
    let src = dir.join("new");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("new.txt"), b"new\n").unwrap();
    let (o, took) = capped(
        &["add", "-q", "--dev", &dev, src.to_str().unwrap()],
        AS_ADD,
        FSIZE,
        SECS,
    );
    refused(&o, want);
    assert!(took < FAST, "add took {took:?}: {}", text(&o));
    assert!(
        std::fs::read(&disc).unwrap() == before,
        "add changed the disc: {}",
        text(&o)
    );
}

/// Bytes of regular files below `p`.
fn du(p: &Path) -> u64 {
    let mut n = 0;
    for e in std::fs::read_dir(p).unwrap() {
        let e = e.unwrap();
        let m = e.metadata().unwrap();
        if m.is_dir() {
            n += du(&e.path());
        } else {
            n += m.len();
        }
    }
    n
}

/// One Rock Ridge directory `big` of `records` records, every one of them continued into
/// the same legal chain of 29 continuation areas (SUSP §5.1 allows one area to be reached
/// from anywhere) that carries a 57,440-byte name (NM) or link target (SL): 3.3 MB of
/// image for 2.5 GB of names.
fn reused_chain(records: usize, dirs: usize, link: bool) -> Iso {
    const CHAIN: u32 = 19;
    const AREAS: u32 = 29;
    let per_block = B / 70;
    let dir_blocks = records.div_ceil(per_block) as u32;
    let first_dir = CHAIN + AREAS;
    let blocks = first_dir as usize + dirs * dir_blocks as usize;
    let mut iso = Iso::new(blocks, 1);
    let carried = name_chain(&mut iso, CHAIN, AREAS, link);
    assert!(carried > 56_000, "{carried}");
    let mut subdirs = Vec::new();
    for d in 0..dirs {
        let lba = first_dir + d as u32 * dir_blocks;
        let name = if dirs == 1 {
            "BIG".to_string()
        } else {
            format!("D{d}")
        };
        subdirs.push(rec(
            name.as_bytes(),
            lba,
            dir_blocks * B as u32,
            DIR,
            &[nm(name.to_lowercase().as_bytes(), false), px(0o040755)].concat(),
        ));
        let recs: Vec<Vec<u8>> = (0..records)
            .map(|i| {
                // 33 + 8 + 1 (pad) + 28: 70 bytes, 29 per block.
                let r = rec(
                    format!("F{i:05};1").as_bytes(),
                    0,
                    0,
                    0,
                    &ce(CHAIN, 0, B as u32),
                );
                assert_eq!(r.len(), 70);
                r
            })
            .collect();
        iso.dir(lba, dir_blocks, 18, &[], &recs);
    }
    iso.dir(18, 1, 18, &sp(), &subdirs);
    iso
}

#[test]
fn names_from_one_reused_continuation_chain_are_bounded_per_directory() {
    // 45,000 records of 57 KB names each: 2.6 GB of names in a 3.3 MB image. The
    // continuation areas parsed for one directory stop at 64 MiB.
    let t = tempfile::tempdir().unwrap();
    let iso = reused_chain(45_000, 1, false);
    assert!(iso.b.len() < 4 << 20);
    refused_everywhere(
        t.path(),
        &iso,
        &[
            "big/F0",
            "continuation areas (CE) of the directory exceed 67108864 bytes",
        ],
    );
}

#[test]
fn link_targets_from_one_reused_continuation_chain_are_bounded_per_directory() {
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("links.iso");
    reused_chain(45_000, 1, true).save(&img);
    let (o, took) = capped(&["ls", "-R", "-i", img.to_str().unwrap()], AS, FSIZE, SECS);
    refused(&o, &["big/F0", "exceed 67108864 bytes"]);
    assert!(took < FAST, "{took:?}");
}

#[test]
fn names_across_directories_are_bounded_per_walk() {
    // 8 directories of 1,000 such records: each directory stays below the per-directory
    // bounds (59 MB of continuation areas, 57 MB of names), the tree's paths reach the
    // 256 MiB total in the fifth.
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("wide.iso");
    reused_chain(1_000, 8, false).save(&img);
    let (o, took) = capped(&["ls", "-R", "-i", img.to_str().unwrap()], AS, FSIZE, SECS);
    refused(
        &o,
        &[
            "d4/nnnnnnnnnn",
            "... (57443 bytes)",
            "paths and link targets of the tree exceed 268435456 bytes in total",
        ],
    );
    assert!(took < FAST, "{took:?}");
    // One directory of them on its own is a legal, if odd, tree: listed in full.
    let (o, _) = capped(&["ls", "-i", img.to_str().unwrap(), "/d0"], AS, FSIZE, SECS);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).lines().count(),
        1_000,
        "{}",
        text(&o)
    );
}

/// A plain ISO 9660 image whose file `HUGE` is `parts` records of one multi-extent file
/// (ECMA-119 §6.5.1), every part the same 4 MiB extent: 60,000 parts claim 234 GiB.
fn overlapping_parts(parts: usize) -> Iso {
    let per_block = B / 40;
    let root_blocks = (parts + 2).div_ceil(per_block) as u32 + 1;
    let data = 18 + root_blocks;
    let data_blocks = 2048u32;
    let mut iso = Iso::new((data + data_blocks) as usize, root_blocks);
    let recs: Vec<Vec<u8>> = (0..parts)
        .map(|i| {
            let flags = if i + 1 < parts { MULTI } else { 0 };
            rec(b"HUGE;1", data, data_blocks * B as u32, flags, &[])
        })
        .collect();
    iso.dir(18, root_blocks, 18, &[], &recs);
    iso
}

#[test]
fn multi_extent_parts_must_not_overlap() {
    let t = tempfile::tempdir().unwrap();
    let iso = overlapping_parts(60_000);
    let claimed = 60_000u64 * 4 * 1024 * 1024;
    assert!(claimed > 234 << 30, "{claimed}");
    assert!(iso.b.len() < 8 << 20);
    refused_everywhere(t.path(), &iso, &["HUGE: multi-extent parts overlap"]);
}

#[test]
fn a_file_beyond_the_volume_is_refused() {
    // One record claiming 4 GiB at block 20 of a 21-block volume.
    let t = tempfile::tempdir().unwrap();
    let mut iso = Iso::new(21, 1);
    iso.dir(
        18,
        1,
        18,
        &[],
        &[rec(b"BIG.BIN;1", 20, 0xFFFF_F800, 0, &[])],
    );
    refused_everywhere(
        t.path(),
        &iso,
        &["BIG.BIN: file extent at block 20 of 4294965248 bytes ends beyond the volume (21 blocks)"],
    );
}

/// 4,096 directories D0..D4095, D_i at block 19 + i and 4,096 - i blocks long: each one's
/// extent is distinct (the old loop check compared first blocks only) but holds every
/// later one's, so a walk read 4 GB and more before the depth bound.
fn nested_overlapping_dirs(n: u32) -> Iso {
    const BASE: u32 = 19;
    let mut iso = Iso::new((BASE + n) as usize, 1);
    for i in 0..n {
        let kids = if i + 1 < n {
            vec![rec(
                format!("D{}", i + 1).as_bytes(),
                BASE + i + 1,
                (n - i - 1) * B as u32,
                DIR,
                &[],
            )]
        } else {
            Vec::new()
        };
        let parent = if i == 0 { 18 } else { BASE + i - 1 };
        iso.dir(BASE + i, 1, parent, &[], &kids);
    }
    iso.dir(18, 1, 18, &[], &[rec(b"D0", BASE, n * B as u32, DIR, &[])]);
    iso
}

#[test]
fn overlapping_directories_are_refused_in_linear_time() {
    let t = tempfile::tempdir().unwrap();
    let iso = nested_overlapping_dirs(4096);
    refused_everywhere(
        t.path(),
        &iso,
        &["D0/D1: directory extent (blocks 20..4115) overlaps the directory at blocks 19..4115"],
    );
}

/// Files A (first part of a multi-extent file, flag set), B (one extent), C (two parts,
/// the right way): the old reader made A of A's and B's extents and lost B.
fn broken_chain(with_b: bool) -> Iso {
    let mut iso = Iso::new(24, 1);
    iso.put(20, 0, &[b'a'; B]);
    iso.put(21, 0, b"bbbb\n");
    iso.put(22, 0, &[b'c'; B]);
    iso.put(23, 0, b"end");
    let mut recs = Vec::new();
    if with_b {
        recs.push(rec(b"A;1", 20, B as u32, MULTI, &[]));
        recs.push(rec(b"B;1", 21, 5, 0, &[]));
    }
    recs.push(rec(b"C;1", 22, B as u32, MULTI, &[]));
    recs.push(rec(b"C;1", 23, 3, 0, &[]));
    iso.dir(18, 1, 18, &[], &recs);
    iso
}

#[test]
fn a_multi_extent_chain_does_not_swallow_the_next_record() {
    let t = tempfile::tempdir().unwrap();
    refused_everywhere(
        t.path(),
        &broken_chain(true),
        &["A: multi-extent file has no final part: it is followed by a record named \"B\""],
    );
    // The well-formed two-part file lists with the size of both parts and extracts whole.
    let img = t.path().join("good.iso");
    broken_chain(false).save(&img);
    let imgs = img.to_str().unwrap();
    let (o, _) = capped(&["--json", "ls", "-R", "-i", imgs], AS, FSIZE, SECS);
    assert!(o.status.success(), "{}", text(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let e = &j["entries"];
    assert_eq!(e.as_array().unwrap().len(), 1, "{j}");
    assert_eq!(e[0]["path"], "C", "{j}");
    assert_eq!(e[0]["size"], 2051, "{j}");
    assert_eq!(e[0]["extents"], 2, "{j}");
    let out = t.path().join("good");
    std::fs::create_dir_all(&out).unwrap();
    let (o, _) = capped(
        &["extract", "-i", imgs, "-C", out.to_str().unwrap()],
        AS,
        FSIZE,
        SECS,
    );
    assert!(o.status.success(), "{}", text(&o));
    let c = std::fs::read(out.join("C")).unwrap();
    assert_eq!(c.len(), 2051);
    assert!(c[..B].iter().all(|&b| b == b'c') && &c[B..] == b"end");
}

/// The names `...`, `a.`, `b..` (and `c`, directory `d.`) on a `genisoimage -J` disc:
/// Joliet records them as they are (no SEPARATOR 1 is added to a name, '.' is an ordinary
/// Joliet character); only a ";N" version is not part of a name (ECMA-119 §7.5.1). bsdtar
/// and xorriso read the same names: the controls below.
#[test]
fn joliet_names_with_trailing_dots_extract_as_written() {
    let t = tempfile::tempdir().unwrap();
    let tree = t.path().join("t");
    std::fs::create_dir_all(tree.join("d.")).unwrap();
    for (n, data) in [("...", "1\n"), ("a.", "2\n"), ("b..", "3\n"), ("c", "4\n")] {
        std::fs::write(tree.join(n), data).unwrap();
    }
    std::fs::write(tree.join("d./e."), "5\n").unwrap();
    let img = t.path().join("j.iso");
    let imgs = img.to_str().unwrap();
    let o = tool(
        "genisoimage",
        &["-quiet", "-J", "-o", imgs, tree.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o));
    let want = ["...", "a.", "b..", "c", "d.", "d./e."];

    // Controls: bsdtar and xorriso.
    let o = tool("bsdtar", &["tf", imgs]);
    assert!(o.status.success(), "{}", text(&o));
    let mut bsd: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| l.trim_end_matches('/').to_string())
        .filter(|l| l != ".")
        .collect();
    bsd.sort();
    assert_eq!(bsd, want, "bsdtar");
    let o = tool("xorriso", &["-indev", imgs, "-find", "/", "-exec", "echo"]);
    assert!(o.status.success(), "{}", text(&o));
    let mut xo: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| l.trim_matches('\'').strip_prefix('/').map(str::to_string))
        .filter(|l| !l.is_empty())
        .collect();
    xo.sort();
    assert_eq!(xo, want, "xorriso");

    // discburn: the listing and the extracted tree.
    let (o, _) = capped(&["ls", "-R", "-i", imgs], AS, FSIZE, SECS);
    assert!(o.status.success(), "{}", text(&o));
    let mut ours: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    ours.sort();
    assert_eq!(ours, want, "{}", text(&o));
    let out = t.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let (o, _) = capped(
        &["extract", "-i", imgs, "-C", out.to_str().unwrap()],
        AS,
        FSIZE,
        SECS,
    );
    assert!(o.status.success(), "{}", text(&o));
    for (n, data) in [
        ("...", "1\n"),
        ("a.", "2\n"),
        ("b..", "3\n"),
        ("c", "4\n"),
        ("d./e.", "5\n"),
    ] {
        assert_eq!(std::fs::read_to_string(out.join(n)).unwrap(), data, "{n}");
    }
}
