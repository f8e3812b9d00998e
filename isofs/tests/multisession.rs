//! Multisession: five sessions of ours in a row (added, changed, removed files), ours on
//! top of genisoimage and xorriso sessions, and theirs (`-C/-M`) on top of ours. Every
//! session is read by our reader and by xorriso (`-load sbsector`).

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code panics on failure

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;

use common::*;
use isofs::{merge, FileSource, Image, Options, RockRidge, ScanOptions, Tree};

fn opts() -> Options {
    Options {
        iso_level: 3,
        rock_ridge: Some(RockRidge::Exact),
        joliet: true,
        pad_blocks: 0,
        ..Options::default()
    }
}

/// Appends a session made from the previous one at `prev` (None: first session), adding
/// `add` (a directory merged into the root) and removing `remove`. Returns (start, image).
fn our_session(img: &Path, prev: Option<u32>, add: &Path, remove: &[&str]) -> (u32, Image) {
    let mut tree = Tree::new();
    let next = if img.exists() { blocks_of(img) } else { 0 };
    let mut src = None;
    if let Some(p) = prev {
        let s = merge::import(&mut tree, FileSource::open(img).unwrap(), p).unwrap();
        src = Some(s);
    }
    // Removals apply to the previous session's tree, then the new sources are added.
    for r in remove {
        assert!(tree.remove_path(r), "{r} not in the previous session");
    }
    tree.add_source("/", add, &ScanOptions::default()).unwrap();
    let o = Options {
        session: prev.map(|p| (p, next)),
        ..opts()
    };
    let image = Image::new(
        tree,
        o,
        src.as_mut().map(|s| s as &mut dyn isofs::SectorSource),
    )
    .unwrap();
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
    (next, image)
}

fn write(p: &Path, data: &[u8]) {
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, data).unwrap();
    Command::new("touch")
        .args(["-d", "2022-01-02 03:04:05 UTC"])
        .arg(p)
        .status()
        .unwrap();
}

const CAPS: Caps = Caps {
    dir_mtime: false,
    ..FULL
};

#[test]
fn five_sessions_of_ours() {
    let tmp = tempfile::tempdir().unwrap();
    let img = tmp.path().join("disc.img");
    let expect = tmp.path().join("expect");
    fs::create_dir_all(&expect).unwrap();
    let mut starts = Vec::new();
    let mut prev = None;
    for k in 1..=5u32 {
        let add = tmp.path().join(format!("add{k}"));
        fs::create_dir_all(&add).unwrap();
        let mut remove: Vec<&str> = Vec::new();
        // Session k adds a file and a directory entry.
        write(
            &add.join(format!("s{k}.txt")),
            format!("session {k}\n").as_bytes(),
        );
        write(
            &add.join(format!("dir/f{k}")),
            &vec![k as u8; 5000 * k as usize],
        );
        if k >= 2 {
            // Changed content, same size, same time: must not keep the old extent.
            write(
                &add.join("same_size.txt"),
                format!("version {k}\n").as_bytes(),
            );
            // Given again unchanged: keeps its old extent.
            write(&add.join("s1.txt"), b"session 1\n");
        } else {
            write(&add.join("same_size.txt"), b"version 1\n");
        }
        if k == 3 {
            remove.push("s2.txt");
            remove.push("dir/f1");
        }
        if k == 4 {
            remove.push("dir");
        }
        for r in &remove {
            let p = expect.join(r);
            if p.is_dir() {
                fs::remove_dir_all(&p).unwrap();
            } else {
                fs::remove_file(&p).unwrap();
            }
        }
        run(Command::new("cp")
            .arg("-a")
            .arg(format!("{}/.", add.display()))
            .arg(&expect));
        let (start, image) = our_session(&img, prev, &add, &remove);
        starts.push(start);
        prev = Some(start);
        let want = snapshot_dir(&expect);
        let ours = snapshot_ours(&img, start, None);
        compare(&format!("session {k}, our reader"), &want, &ours, CAPS);
        let x = xorriso_session(&img, start, &tmp.path().join(format!("x{k}")));
        compare(&format!("session {k}, xorriso"), &want, &x, CAPS);
        if k >= 2 {
            // s1.txt kept its extent from session 1; same_size.txt got a new one.
            let mut vol =
                isofs::Volume::open(FileSource::open(&img).unwrap(), start, None).unwrap();
            let s1 = vol.lookup("s1.txt").unwrap();
            assert!(
                s1.lba() < starts[0] + 1000 && s1.lba() < starts[1],
                "s1.txt was rewritten"
            );
            let ss = vol.lookup("same_size.txt").unwrap();
            assert!(ss.lba() >= start, "same_size.txt kept a stale extent");
            let _ = image;
        }
    }
    // The sessions are found again from the image alone.
    let found: Vec<u32> = isofs::sessions(&mut FileSource::open(&img).unwrap())
        .unwrap()
        .iter()
        .map(|s| s.start)
        .collect();
    assert_eq!(found, starts);
}

#[test]
fn ours_on_top_of_genisoimage_and_xorriso_and_theirs_on_ours() {
    need("genisoimage", "genisoimage");
    need("xorriso", "xorriso");
    let tmp = tempfile::tempdir().unwrap();
    for first in ["genisoimage", "xorriso"] {
        let img = tmp.path().join(format!("{first}.img"));
        let a = tmp.path().join(format!("{first}-a"));
        write(&a.join("a.txt"), b"from the first session\n");
        write(&a.join("sub/keep.bin"), &vec![7u8; 10_000]);
        // Session 1 by the peer.
        let mut cmd = if first == "genisoimage" {
            let mut c = Command::new("genisoimage");
            c.args(["-quiet", "-R", "-J", "-o"]);
            c
        } else {
            let mut c = Command::new("xorriso");
            c.args(["-as", "mkisofs", "-quiet", "-R", "-J", "-o"]);
            c
        };
        run(cmd.arg(&img).arg(&a));
        // Session 2 by us.
        let b = tmp.path().join(format!("{first}-b"));
        write(&b.join("b.txt"), b"ours\n");
        write(&b.join("sub/new.txt"), b"ours too\n");
        let (s2, _) = our_session(&img, Some(0), &b, &["a.txt"]);
        let expect = tmp.path().join(format!("{first}-e2"));
        run(Command::new("cp").arg("-a").arg(&a).arg(&expect));
        fs::remove_file(expect.join("a.txt")).unwrap();
        run(Command::new("cp")
            .arg("-a")
            .arg(format!("{}/.", b.display()))
            .arg(&expect));
        let want = snapshot_dir(&expect);
        compare(
            &format!("{first}+ours, our reader"),
            &want,
            &snapshot_ours(&img, s2, None),
            Caps {
                perm: true,
                hardlinks: false,
                ..CAPS
            },
        );
        compare(
            &format!("{first}+ours, xorriso"),
            &want,
            &xorriso_session(&img, s2, &tmp.path().join(format!("{first}-x2"))),
            CAPS,
        );
        // Session 3 by the peer on top of ours (-C last,next -M image).
        let c = tmp.path().join(format!("{first}-c"));
        write(&c.join("c.txt"), b"peer again\n");
        let next = blocks_of(&img);
        let part = tmp.path().join(format!("{first}-s3.iso"));
        let msinfo = format!("{s2},{next}");
        let mut cmd = if first == "genisoimage" {
            let mut c = Command::new("genisoimage");
            c.args(["-quiet", "-R", "-J"]);
            c
        } else {
            let mut c = Command::new("xorriso");
            c.args(["-as", "mkisofs", "-quiet", "-R", "-J"]);
            c
        };
        run(cmd
            .arg("-C")
            .arg(&msinfo)
            .arg("-M")
            .arg(&img)
            .arg("-o")
            .arg(&part)
            .arg(&c));
        let data = fs::read(&part).unwrap();
        let mut f = fs::OpenOptions::new().append(true).open(&img).unwrap();
        f.write_all(&data).unwrap();
        drop(f);
        run(Command::new("cp")
            .arg("-a")
            .arg(format!("{}/.", c.display()))
            .arg(&expect));
        let want = snapshot_dir(&expect);
        compare(
            &format!("{first}+ours+{first}, our reader"),
            &want,
            &snapshot_ours(&img, next, None),
            Caps {
                hardlinks: false,
                ..CAPS
            },
        );
    }
}

/// The volume space size of a later session: genisoimage -C and `xorriso -as mkisofs -C`
/// count the session's blocks only; ours counts S + session blocks (the Linux kernel drops
/// Rock Ridge beyond the volume space size, see `VolumeSpace`). Where the newest descriptors
/// are copied to block 16 (overwritable media), libarchive checks every extent against the
/// copy's size: ours reads as it is, a session-only size is refused.
#[test]
fn volume_space_size_of_later_sessions() {
    need("bsdtar", "libarchive-tools");
    need("genisoimage", "genisoimage");
    need("xorriso", "xorriso");
    let tmp = tempfile::tempdir().unwrap();
    let img = tmp.path().join("disc.img");
    let a = tmp.path().join("a");
    write(&a.join("big.bin"), &vec![1u8; 400_000]);
    our_session(&img, None, &a, &[]);
    let b = tmp.path().join("b");
    write(&b.join("small.txt"), b"x\n");
    let next = blocks_of(&img);
    // The peers' convention.
    for peer in ["genisoimage", "xorriso"] {
        let out = tmp.path().join(format!("{peer}.iso"));
        let mut c = Command::new(peer);
        if peer == "xorriso" {
            c.args(["-as", "mkisofs"]);
        }
        run(c
            .args(["-quiet", "-R", "-C"])
            .arg(format!("0,{next}"))
            .arg("-M")
            .arg(&img)
            .arg("-o")
            .arg(&out)
            .arg(&b));
        let d = fs::read(&out).unwrap();
        let vss = u32::from_le_bytes(d[16 * 2048 + 80..16 * 2048 + 84].try_into().unwrap());
        assert_eq!(
            vss as usize,
            d.len() / 2048,
            "{peer}: volume space size of a -C session"
        );
    }
    // Ours.
    let (s2, image) = our_session(&img, Some(0), &b, &[]);
    let mut disc = fs::read(&img).unwrap();
    let at = (s2 as usize + 16) * 2048;
    let vss = u32::from_le_bytes(disc[at + 80..at + 84].try_into().unwrap());
    assert_eq!(vss, s2 + image.size_blocks(), "ours: S + session blocks");
    // Copy the new descriptor set (PVD, Joliet SVD, terminator) to block 16.
    let vds = disc[at..at + 3 * 2048].to_vec();
    disc[16 * 2048..19 * 2048].copy_from_slice(&vds);
    let list = |disc: &[u8]| {
        fs::write(&img, disc).unwrap();
        let out = Command::new("bsdtar")
            .arg("-tf")
            .arg(&img)
            .output()
            .unwrap();
        let l = String::from_utf8_lossy(&out.stdout).into_owned();
        out.status.success() && l.contains("big.bin") && l.contains("small.txt")
    };
    assert!(list(&disc), "bsdtar cannot read our copied descriptors");
    // A session-only size (the peers' convention) in the copy is refused.
    let own = image.size_blocks();
    for off in [16 * 2048 + 80, 17 * 2048 + 80] {
        disc[off..off + 4].copy_from_slice(&own.to_le_bytes());
        disc[off + 4..off + 8].copy_from_slice(&own.to_be_bytes());
    }
    assert!(
        !list(&disc),
        "bsdtar read a session-only copy: it no longer checks extents?"
    );
}

/// xorriso's own multisession on a file (overwritable-media layout: sessions from block 32,
/// the newest descriptors copied to block 16): the sessions are found as `xorriso -toc`
/// lists them, and each reads as its own tree.
#[test]
fn xorriso_overwritable_layout_sessions() {
    need("xorriso", "xorriso");
    let tmp = tempfile::tempdir().unwrap();
    let img = tmp.path().join("x.img");
    let a = tmp.path().join("a");
    write(&a.join("a.txt"), b"a\n");
    run(Command::new("xorriso")
        .arg("-outdev")
        .arg(&img)
        .arg("-map")
        .arg(&a)
        .args(["/", "-commit"]));
    for d in ["xb", "xc"] {
        run(Command::new("xorriso")
            .arg("-dev")
            .arg(&img)
            .arg("-map")
            .arg(&a)
            .arg(format!("/{d}"))
            .arg("-commit"));
    }
    let toc = run(Command::new("xorriso").arg("-indev").arg(&img).arg("-toc"));
    let want: Vec<u32> = toc
        .lines()
        .filter_map(|l| l.strip_prefix("ISO session  :"))
        .map(|l| l.split(',').nth(1).unwrap().trim().parse().unwrap())
        .collect();
    assert_eq!(want.len(), 3, "{toc}");
    let found = isofs::sessions(&mut FileSource::open(&img).unwrap()).unwrap();
    assert_eq!(found.iter().map(|s| s.start).collect::<Vec<_>>(), want);
    let last = snapshot_ours(&img, want[2], None);
    assert!(
        last.contains_key("xc/a.txt") && last.contains_key("xb/a.txt"),
        "{last:?}"
    );
    let first = snapshot_ours(&img, want[0], None);
    assert!(!first.contains_key("xb"), "{first:?}");
}
