//! What `discburn add` reads of the previous session on the emulated drive (counted from
//! the CDB trace, `-vv`): its directories, in large READ(10)s, and none of its file data;
//! a previous session ten times larger costs more blocks (its directories once), not more
//! READs per directory.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::burn::*;

/// The READ(10)s of a traced run: (LBA, blocks).
fn reads(stderr: &str) -> Vec<(u32, u32)> {
    stderr
        .lines()
        .filter(|l| l.starts_with("CDB:") && l.ends_with("READ(10)"))
        .map(|l| {
            let b: Vec<u8> = l[4..]
                .split_whitespace()
                .take(10)
                .map(|x| u8::from_str_radix(x, 16).unwrap())
                .collect();
            (
                u32::from_be_bytes([b[2], b[3], b[4], b[5]]),
                u32::from(u16::from_be_bytes([b[7], b[8]])),
            )
        })
        .collect()
}

/// The blocks of the file data of the session at `start` of `disc` (through our reader).
fn file_blocks(disc: &Path, start: u32) -> BTreeSet<u32> {
    let src = isofs::FileSource::open(disc).unwrap();
    let mut v = isofs::Volume::open(src, start, None).unwrap();
    let root = v.root().clone();
    let mut out = BTreeSet::new();
    v.walk(&root, &mut |_, e| {
        if !e.is_dir {
            for &(l, n) in &e.extents {
                out.extend(l..l + n.div_ceil(2048));
            }
        }
        Ok(())
    })
    .unwrap();
    out
}

/// Session 1 of `dirs` directories (two levels) of 8 files; session 2 adds one directory
/// of 10 files. Returns the READ(10)s of the second `add` and the blocks of session 1's
/// directories and path tables.
fn append_reads(dirs: usize) -> (Vec<(u32, u32)>, u32) {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=bd-r", disc.display());
    let s1 = t.path().join("s1");
    for d in 0..dirs {
        for f in 0..8 {
            put(
                &s1,
                &format!("top{:02}/dir-{d:04}/file-{f}.txt", d % 10),
                format!("old {d} {f}\n").as_bytes(),
            );
        }
    }
    let j1 = add(&dev, &[], &[&s1]);
    let data = file_blocks(&disc, 0);
    let first_data = *data.first().unwrap();
    let s2 = t.path().join("s2");
    for f in 0..10 {
        put(&s2, &format!("new/n-{f}.txt"), b"new\n");
    }
    let out = discburn(&[
        "-vv",
        "add",
        "--json",
        "--no-verify",
        "--dev",
        &dev,
        s2.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let r = reads(&String::from_utf8_lossy(&out.stderr));
    for &(l, n) in &r {
        assert!(
            !(l..l + n).any(|b| data.contains(&b)),
            "READ(10) of {n} blocks at {l} reads file data of session 1 ({j1})"
        );
    }
    (r, first_data)
}

#[test]
fn append_reads_directories_in_batches_and_no_file_data() {
    let (small, small_dirs) = append_reads(40);
    let (big, big_dirs) = append_reads(400);
    let blocks = |r: &[(u32, u32)]| r.iter().map(|x| u64::from(x.1)).sum::<u64>();
    println!(
        "old session of 40 directories ({small_dirs} blocks before its file data): {} READs, \
         {} blocks; of 400 ({big_dirs} blocks): {} READs, {} blocks",
        small.len(),
        blocks(&small),
        big.len(),
        blocks(&big)
    );
    // The session's directories and path tables once (plus the descriptors and the
    // read-ahead's last blocks), not two reads per directory (about 900 for 400).
    assert!(
        blocks(&big) <= u64::from(big_dirs) * 5 / 4 + 64,
        "{} blocks read for {big_dirs} blocks of metadata",
        blocks(&big)
    );
    assert!(
        big.len() <= small.len() + 10,
        "{} READs after a session of 400 directories, {} after one of 40",
        big.len(),
        small.len()
    );
}
