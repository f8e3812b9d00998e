//! Slow tests, run with `cargo test -p discburn-isofs --release --test big -- --ignored`:
//! a sparse file over 4 GiB (multi-extent, level 3) and a tree of 100,000 small files,
//! each image read by our reader and the peers.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code panics on failure

mod common;

use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::process::{Command, Stdio};

use common::*;
use isofs::{FileSource, Options, RockRidge, Volume};

const BIG: u64 = (4 << 30) + (1 << 20) + 12345;

fn marks() -> Vec<(u64, &'static [u8])> {
    vec![
        (0, b"start of the big file"),
        ((4 << 30) - 2048 - 5, b"across the first extent end"),
        (4 << 30, b"just after 4 GiB"),
        (BIG - 9, b"the end.."),
    ]
}

fn hash_stream(mut r: impl Read) -> (u64, u64) {
    let mut buf = vec![0u8; 1 << 20];
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut n = 0u64;
    loop {
        let k = r.read(&mut buf).unwrap();
        if k == 0 {
            break;
        }
        for &b in &buf[..k] {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        n += k as u64;
    }
    (n, h)
}

fn piped(cmd: &mut Command) -> (u64, u64) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let r = hash_stream(child.stdout.take().unwrap());
    assert!(child.wait().unwrap().success(), "{cmd:?}");
    r
}

#[test]
#[ignore = "writes a 4 GiB image; run with --ignored"]
fn sparse_file_over_4_gib_is_multi_extent() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(&src).unwrap();
    let big = src.join("big.bin");
    let mut f = fs::File::create(&big).unwrap();
    f.set_len(BIG).unwrap();
    for (at, data) in marks() {
        f.seek(SeekFrom::Start(at)).unwrap();
        f.write_all(data).unwrap();
    }
    drop(f);
    fs::write(src.join("small.txt"), b"small\n").unwrap();
    let want = hash_stream(fs::File::open(&big).unwrap());
    let img = tmp.path().join("big.iso");
    // Levels 1 and 2 refuse; level 3 splits into extents of 4 GiB - 2 KiB.
    let mut t = isofs::Tree::new();
    t.add_source("/", &src, &isofs::ScanOptions::default())
        .unwrap();
    assert!(isofs::Image::new(
        t,
        Options {
            iso_level: 2,
            ..Options::default()
        },
        None
    )
    .is_err());
    build(
        &src,
        Options {
            iso_level: 3,
            rock_ridge: Some(RockRidge::Exact),
            joliet: true,
            pad_blocks: 0,
            ..Options::default()
        },
        &img,
    );
    let mut vol = Volume::open(FileSource::open(&img).unwrap(), 0, None).unwrap();
    let e = vol.lookup("big.bin").unwrap();
    assert_eq!(e.extents.len(), 2);
    assert_eq!(e.size, BIG);
    let mut w = HashWriter::default();
    vol.read_file(&e, &mut w).unwrap();
    assert_eq!((w.n, w.h), want, "our reader");
    need("bsdtar", "libarchive-tools");
    assert_eq!(
        piped(Command::new("bsdtar").arg("-xOf").arg(&img).arg("big.bin")),
        want,
        "bsdtar"
    );
    need("7z", "p7zip-full");
    assert_eq!(
        piped(
            Command::new("7z")
                .arg("x")
                .arg("-so")
                .arg(&img)
                .arg("big.bin")
        ),
        want,
        "7z"
    );
    need("xorriso", "xorriso");
    let out = tmp.path().join("x.bin");
    run(Command::new("xorriso")
        .args(["-osirrox", "on", "-indev"])
        .arg(&img)
        .args(["-extract", "/big.bin"])
        .arg(&out));
    assert_eq!(hash_stream(fs::File::open(&out).unwrap()), want, "xorriso");
    fs::remove_file(&out).unwrap();
    need("isoinfo", "genisoimage");
    let l = isoinfo_list(&img, "-R");
    assert!(l.contains_key("big.bin"), "isoinfo -R -l: {l:?}");
}

#[derive(Default)]
struct HashWriter {
    n: u64,
    h: u64,
}

impl Write for HashWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.n == 0 {
            self.h = 0xcbf2_9ce4_8422_2325;
        }
        for &x in b {
            self.h ^= u64::from(x);
            self.h = self.h.wrapping_mul(0x0100_0000_01b3);
        }
        self.n += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
#[ignore = "100,000 files; run with --ignored"]
fn hundred_thousand_small_files() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    for d in 0..100 {
        let dir = src.join(format!("dir{d:03}"));
        fs::create_dir_all(&dir).unwrap();
        for k in 0..1000 {
            fs::write(
                dir.join(format!("file_with_a_longish_name_{k:05}.txt")),
                format!("{d}/{k}\n"),
            )
            .unwrap();
        }
    }
    let img = tmp.path().join("many.iso");
    build(
        &src,
        Options {
            iso_level: 3,
            rock_ridge: Some(RockRidge::Exact),
            joliet: true,
            ..Options::default()
        },
        &img,
    );
    let want = snapshot_dir(&src);
    assert_eq!(want.len(), 100_100);
    compare(
        "our reader",
        &want,
        &snapshot_ours(&img, 0, None),
        Caps {
            dir_mtime: true,
            ..FULL
        },
    );
    need("bsdtar", "libarchive-tools");
    let t = run(Command::new("bsdtar").arg("-tf").arg(&img));
    assert_eq!(
        t.lines().filter(|l| l.ends_with(".txt")).count(),
        100_000,
        "bsdtar"
    );
    let b = extract_bsdtar(&img, &tmp.path().join("b"));
    compare(
        "bsdtar",
        &want,
        &b,
        Caps {
            dir_mtime: false,
            ..FULL
        },
    );
    need("xorriso", "xorriso");
    let x = run(Command::new("xorriso")
        .arg("-indev")
        .arg(&img)
        .args(["-find", "/", "-type", "f"]));
    assert_eq!(
        x.lines().filter(|l| l.contains(".txt")).count(),
        100_000,
        "xorriso"
    );
    need("7z", "p7zip-full");
    let z = run(Command::new("7z").arg("l").arg(&img));
    assert!(
        z.contains("100000 files, 100 folders"),
        "7z: {}",
        z.lines().last().unwrap_or("")
    );
    need("isoinfo", "genisoimage");
    let f = run(Command::new("isoinfo").args(["-R", "-f", "-i"]).arg(&img));
    assert_eq!(f.lines().count(), 100_100, "isoinfo -R -f");
}

#[test]
#[ignore = "writes a 4 GiB image; run with --ignored"]
fn xorriso_multi_extent_file_read_by_us() {
    need("xorriso", "xorriso");
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(&src).unwrap();
    let big = src.join("big.bin");
    let mut f = fs::File::create(&big).unwrap();
    f.set_len(BIG).unwrap();
    for (at, data) in marks() {
        f.seek(SeekFrom::Start(at)).unwrap();
        f.write_all(data).unwrap();
    }
    drop(f);
    let want = hash_stream(fs::File::open(&big).unwrap());
    let img = tmp.path().join("x.iso");
    run(Command::new("xorriso")
        .args([
            "-as",
            "mkisofs",
            "-quiet",
            "-iso-level",
            "3",
            "-R",
            "-J",
            "-o",
        ])
        .arg(&img)
        .arg(&src));
    for ns in [None, Some(isofs::Namespace::Joliet)] {
        let mut vol = Volume::open(FileSource::open(&img).unwrap(), 0, ns).unwrap();
        let e = vol.lookup("big.bin").unwrap();
        assert!(e.extents.len() >= 2, "{ns:?}: {:?}", e.extents);
        assert_eq!(e.size, BIG);
        let mut w = HashWriter::default();
        vol.read_file(&e, &mut w).unwrap();
        assert_eq!((w.n, w.h), want, "{ns:?}");
    }
}
