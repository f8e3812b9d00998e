//! Later sessions that reuse the previous session's unchanged directories (the builder's
//! `reuse` module): how many blocks of directories and path tables an append writes, and
//! that every session reads back exactly through our reader and the peers.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code panics on failure

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;

use common::*;
use isofs::{merge, FileSource, Image, Options, RockRidge, ScanOptions, Tree};

fn opts(joliet: bool) -> Options {
    Options {
        iso_level: 3,
        rock_ridge: Some(RockRidge::Exact),
        joliet,
        pad_blocks: 0,
        ..Options::default()
    }
}

fn blocks_of(img: &Path) -> u32 {
    (fs::metadata(img).unwrap().len() / 2048) as u32
}

fn write(p: &Path, data: &[u8]) {
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, data).unwrap();
}

/// Sets every time below `root` to one date (directories too, after their contents).
fn touch_all(root: &Path) {
    run(Command::new("find").arg(root).args([
        "-exec",
        "touch",
        "-h",
        "-d",
        "2022-01-02 03:04:05 UTC",
        "{}",
        "+",
    ]));
}

/// Lays out a session on `img` from the previous one at `prev` (None: the first), adding
/// `add` merged into the root and removing `remove`; writes it only when `write_it`.
fn session(
    img: &Path,
    prev: Option<u32>,
    add: Option<&Path>,
    remove: &[&str],
    o: Options,
    write_it: bool,
) -> (u32, Image) {
    let mut tree = Tree::new();
    let next = if img.exists() { blocks_of(img) } else { 0 };
    let mut src = None;
    if let Some(p) = prev {
        src = Some(merge::import(&mut tree, FileSource::open(img).unwrap(), p).unwrap());
    }
    for r in remove {
        assert!(tree.remove_path(r), "{r} not in the previous session");
    }
    if let Some(a) = add {
        tree.add_source("/", a, &ScanOptions::default()).unwrap();
    }
    let o = Options {
        session: prev.map(|p| (p, next)),
        ..o
    };
    let image = Image::new(
        tree,
        o,
        src.as_mut().map(|s| s as &mut dyn isofs::SectorSource),
    )
    .unwrap();
    if write_it {
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(img)
            .unwrap();
        let mut w = std::io::BufWriter::new(&mut f);
        image.write_to(&mut w).unwrap();
        w.flush().unwrap();
        drop(w);
        assert_eq!(blocks_of(img), next + image.size_blocks());
    }
    (next, image)
}

fn xorriso_session(img: &Path, start: u32, out: &Path) -> Snap {
    need("xorriso", "xorriso");
    fs::create_dir_all(out).unwrap();
    run(Command::new("xorriso")
        .args(["-osirrox", "on:device_files", "-hardlinks", "on"])
        .args(["-load", "sbsector"])
        .arg(start.to_string())
        .arg("-indev")
        .arg(img)
        .args(["-extract", "/"])
        .arg(out));
    snapshot_dir(out)
}

/// `dirs` directories of `sub` subdirectories of `files` small files each, below `root`.
fn make_tree(root: &Path, prefix: &str, dirs: usize, sub: usize, files: usize) {
    for d in 0..dirs {
        for s in 0..sub {
            for f in 0..files {
                let p = root.join(format!("{prefix}{d:03}/sub{s}/file-{f:03}.txt"));
                write(&p, format!("{prefix} {d} {s} {f}\n").as_bytes());
            }
        }
    }
    touch_all(root);
}

const CAPS: Caps = Caps {
    dir_mtime: false,
    ..FULL
};

/// 1,000 new files in 10 new directories appended to a session of 8,000 files in 500
/// directories: the new session writes the root, the 10 new directories and the path
/// tables, and reuses the other 500 directories; both sessions read back exactly through
/// our reader and xorriso.
#[test]
fn append_writes_only_the_changed_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let img = tmp.path().join("disc.img");
    let a = tmp.path().join("a");
    make_tree(&a, "old", 100, 4, 20);
    let b = tmp.path().join("b");
    for d in 0..10 {
        for f in 0..100 {
            write(
                &b.join(format!("new{d}/n-{f:03}.dat")),
                format!("new {d} {f}\n").as_bytes(),
            );
        }
    }
    touch_all(&b);
    let (_, first) = session(&img, None, Some(&a), &[], opts(false), true);
    // The same append, once with every directory written anew (as mkisofs does).
    let (_, whole) = session(
        &img,
        Some(0),
        Some(&b),
        &[],
        Options {
            rewrite_all_dirs: true,
            ..opts(false)
        },
        false,
    );
    let (s2, image) = session(&img, Some(0), Some(&b), &[], opts(false), true);
    let (kept, all) = image.kept_dirs();
    println!(
        "first session {} metadata blocks; append: {} metadata blocks reusing {kept} of {all} \
         directories, {} when rewriting all",
        first.metadata_blocks(),
        image.metadata_blocks(),
        whole.metadata_blocks()
    );
    assert_eq!(kept, 500, "every old directory but the root is reused");
    assert_eq!(all, 511);
    // 16 system area + PVD + terminator, path tables (2 x 1 block), the root and the 10
    // new directories of 100 entries each (a record with Rock Ridge PX, TF and NM takes
    // about 130 bytes: at most 8 blocks per directory).
    assert!(
        image.metadata_blocks() <= 16 + 2 + 2 + 11 * 8,
        "{} metadata blocks",
        image.metadata_blocks()
    );
    assert!(whole.metadata_blocks() > 10 * image.metadata_blocks() / 2);

    let mut want = snapshot_dir(&a);
    want.extend(snapshot_dir(&b));
    compare(
        "session 2, ours",
        &want,
        &snapshot_ours(&img, s2, None),
        CAPS,
    );
    compare(
        "session 2, xorriso",
        &want,
        &xorriso_session(&img, s2, &tmp.path().join("x2")),
        CAPS,
    );
    compare(
        "session 1, ours",
        &snapshot_dir(&a),
        &snapshot_ours(&img, 0, None),
        CAPS,
    );
}
