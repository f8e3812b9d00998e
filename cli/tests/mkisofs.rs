//! The mkisofs personality (`discburn mkisofs`, and the binary named `genisoimage`): options
//! checked through our reader and isoinfo, `-print-size`, usage errors, reproducibility,
//! `-M` on an image file with `-C`, and `-M` on the emulated drive with `-C` asked from it.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

mod common;

use common::{command, BIN};

fn mkisofs(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = command(BIN);
    c.arg("mkisofs").args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn put(p: &Path, data: &[u8]) {
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, data).unwrap();
}

fn names(img: &Path) -> Vec<String> {
    let o = command(BIN)
        .args(["ls", "-R", "-i"])
        .arg(img)
        .output()
        .unwrap();
    let mut v: Vec<String> = ok(&o).lines().map(str::to_string).collect();
    v.sort();
    v
}

#[test]
fn options_shape_the_tree() {
    let t = tempfile::tempdir().unwrap();
    let s = t.path().join("s");
    put(&s.join("keep.txt"), b"keep\n");
    put(&s.join("obj/x.o"), b"object\n");
    put(&s.join("skipdir/y.txt"), b"skipped\n");
    put(&s.join("secret.txt"), b"hidden from ISO/RR\n");
    let other = t.path().join("other.txt");
    put(&other, b"grafted\n");
    let list = t.path().join("paths");
    fs::write(
        &list,
        format!("{}\nextra/from-list.txt={}\n", s.display(), other.display()),
    )
    .unwrap();
    let img = t.path().join("o.iso");
    ok(&mkisofs(
        &[
            "-R",
            "-J",
            "-graft-points",
            "-m",
            "*.o",
            "-x",
            &s.join("skipdir").to_string_lossy(),
            "-hide",
            "secret.txt",
            "-V",
            "MYVOL",
            "-A",
            "APP",
            "-publisher",
            "PUB",
            "-p",
            "PREP",
            "-sysid",
            "SYS",
            "-volset",
            "SET",
            "-o",
            &img.to_string_lossy(),
            "-path-list",
            &list.to_string_lossy(),
            &format!("deep/er/g.txt={}", other.display()),
        ],
        &[],
    ));
    assert_eq!(
        names(&img),
        [
            "deep",
            "deep/er",
            "deep/er/g.txt",
            "extra",
            "extra/from-list.txt",
            "keep.txt",
            "obj"
        ]
    );
    // Joliet still has the hidden file.
    let j = Command::new("isoinfo")
        .args(["-J", "-f", "-i"])
        .arg(&img)
        .output()
        .expect("isoinfo (genisoimage) installed");
    assert!(
        ok(&j).lines().any(|l| l == "/secret.txt;1"),
        "{}",
        String::from_utf8_lossy(&j.stdout)
    );
    let d = ok(&Command::new("isoinfo")
        .args(["-d", "-i"])
        .arg(&img)
        .output()
        .unwrap());
    for want in [
        "Volume id: MYVOL",
        "Application id: APP",
        "Publisher id: PUB",
        "Data preparer id: PREP",
        "System id: SYS",
        "Volume set id: SET",
    ] {
        assert!(d.contains(want), "isoinfo -d lacks {want:?}:\n{d}");
    }
}

#[test]
fn print_size_errors_and_reproducibility() {
    let t = tempfile::tempdir().unwrap();
    let s = t.path().join("s");
    put(&s.join("a.txt"), b"a\n");
    put(&s.join("b/c.bin"), &vec![3u8; 100_000]);
    let size: u64 = ok(&mkisofs(
        &["-quiet", "-print-size", "-R", "-J", &s.to_string_lossy()],
        &[],
    ))
    .trim()
    .parse()
    .unwrap();
    let a = t.path().join("a.iso");
    let b = t.path().join("b.iso");
    let env = [("SOURCE_DATE_EPOCH", "1700000000")];
    ok(&mkisofs(
        &[
            "-quiet",
            "-R",
            "-J",
            "-o",
            &a.to_string_lossy(),
            &s.to_string_lossy(),
        ],
        &env,
    ));
    ok(&mkisofs(
        &[
            "-quiet",
            "-R",
            "-J",
            "-o",
            &b.to_string_lossy(),
            &s.to_string_lossy(),
        ],
        &env,
    ));
    assert_eq!(fs::metadata(&a).unwrap().len(), size * 2048);
    assert!(
        fs::read(&a).unwrap() == fs::read(&b).unwrap(),
        "SOURCE_DATE_EPOCH builds differ"
    );
    // Standard output when there is no -o.
    let o = mkisofs(&["-quiet", "-R", &s.to_string_lossy()], &env);
    ok(&o);
    assert_eq!(o.stdout.len() as u64 % 2048, 0);
    assert!(o.stdout.len() > 18 * 2048);
    // Unknown options name themselves; exit status 2.
    let e = mkisofs(&["-frobnicate", &s.to_string_lossy()], &[]);
    assert_eq!(e.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&e.stderr).contains("unknown option -frobnicate"));
    // The genisoimage name selects the same personality.
    let link = common::personality(t.path(), "genisoimage");
    let g = command(&link)
        .args(["-quiet", "-print-size", "-R", "-J"])
        .arg(&s)
        .output()
        .unwrap();
    assert_eq!(ok(&g).trim().parse::<u64>().unwrap(), size);
}

#[test]
fn sort_weights_place_files_first() {
    let t = tempfile::tempdir().unwrap();
    let s = t.path().join("s");
    put(&s.join("a.bin"), &vec![1u8; 5000]);
    put(&s.join("z.bin"), &vec![2u8; 5000]);
    let sort = t.path().join("sort");
    fs::write(&sort, format!("{} 100\n", s.join("z.bin").display())).unwrap();
    let img = t.path().join("o.iso");
    ok(&mkisofs(
        &[
            "-quiet",
            "-R",
            "-sort",
            &sort.to_string_lossy(),
            "-o",
            &img.to_string_lossy(),
            &s.to_string_lossy(),
        ],
        &[],
    ));
    let j: serde_json::Value = serde_json::from_str(&ok(&command(BIN)
        .args(["--json", "ls", "-i"])
        .arg(&img)
        .output()
        .unwrap()))
    .unwrap();
    let lba = |n: &str| {
        j["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["path"] == n)
            .unwrap()["lba"]
            .as_u64()
            .unwrap()
    };
    assert!(lba("z.bin") < lba("a.bin"), "{j}");
}

#[test]
fn multisession_on_an_image_file_and_on_the_emulated_drive() {
    let t = tempfile::tempdir().unwrap();
    let s1 = t.path().join("s1");
    put(&s1.join("one.txt"), b"one\n");
    put(&s1.join("gone.txt"), b"gone\n");
    let s2 = t.path().join("s2");
    put(&s2.join("two.txt"), b"two\n");
    // Image file: -C from the caller, -M the file.
    let img = t.path().join("disc.img");
    ok(&mkisofs(
        &[
            "-quiet",
            "-R",
            "-J",
            "-o",
            &img.to_string_lossy(),
            &s1.to_string_lossy(),
        ],
        &[],
    ));
    let next = fs::metadata(&img).unwrap().len() / 2048;
    let part = t.path().join("s2.iso");
    ok(&mkisofs(
        &[
            "-quiet",
            "-R",
            "-J",
            "-C",
            &format!("0,{next}"),
            "-M",
            &img.to_string_lossy(),
            "-remove",
            "gone.txt",
            "-o",
            &part.to_string_lossy(),
            &s2.to_string_lossy(),
        ],
        &[],
    ));
    let mut disc = fs::read(&img).unwrap();
    disc.extend_from_slice(&fs::read(&part).unwrap());
    fs::write(&img, &disc).unwrap();
    assert_eq!(names(&img), ["one.txt", "two.txt"]);
    let sessions = ok(&command(BIN).arg("sessions").arg(&img).output().unwrap());
    assert_eq!(sessions.lines().count(), 3, "{sessions}");
    let one = ok(&command(BIN)
        .args(["extract", "--cat", "--session", "1", "-i"])
        .arg(&img)
        .arg("gone.txt")
        .output()
        .unwrap());
    assert_eq!(one, "gone\n");
    // Emulated drive: -M names the drive, -C comes from it (blank disc: first session).
    let emu_disc = t.path().join("emu.disc");
    let dev = format!("emu:{},profile=cd-r", emu_disc.display());
    let size = ok(&mkisofs(
        &[
            "-quiet",
            "-print-size",
            "-R",
            "-M",
            &dev,
            &s1.to_string_lossy(),
        ],
        &[],
    ));
    assert!(size.trim().parse::<u64>().unwrap() > 0);
    let burn = |iso: &Path| {
        ok(&command(BIN)
            .args(["burn", "--dev", &dev, "--multi", "-q"])
            .arg(iso)
            .output()
            .unwrap());
    };
    let i1 = t.path().join("e1.iso");
    ok(&mkisofs(
        &[
            "-quiet",
            "-R",
            "-J",
            "-M",
            &dev,
            "-o",
            &i1.to_string_lossy(),
            &s1.to_string_lossy(),
        ],
        &[],
    ));
    burn(&i1);
    // Second session: -C asked from the drive, previous session read through it.
    let i2 = t.path().join("e2.iso");
    ok(&mkisofs(
        &[
            "-quiet",
            "-R",
            "-J",
            "-M",
            &dev,
            "-remove",
            "gone.txt",
            "-o",
            &i2.to_string_lossy(),
            &s2.to_string_lossy(),
        ],
        &[],
    ));
    burn(&i2);
    let ls = ok(&command(BIN).args(["ls", "--dev", &dev]).output().unwrap());
    assert_eq!(ls.lines().collect::<Vec<_>>(), ["one.txt", "two.txt"]);
    let j: serde_json::Value = serde_json::from_str(&ok(&command(BIN)
        .args(["--json", "sessions", "--dev", &dev])
        .output()
        .unwrap()))
    .unwrap();
    assert_eq!(j["sessions"].as_array().unwrap().len(), 2, "{j}");
}

/// `-M` reuses the previous session's unchanged directories (the new session points at
/// their extents); `-rewrite-dirs` writes them all again, as genisoimage does. Both
/// sessions read back the same, through our reader and xorriso.
#[test]
fn rewrite_dirs_writes_every_directory_again() {
    let t = tempfile::tempdir().unwrap();
    let s1 = t.path().join("s1");
    for d in 0..40 {
        put(
            &s1.join(format!("d{d:02}/f.txt")),
            format!("{d}\n").as_bytes(),
        );
    }
    let s2 = t.path().join("s2");
    put(&s2.join("new.txt"), b"new\n");
    let img = t.path().join("disc.img");
    ok(&mkisofs(
        &[
            "-quiet",
            "-R",
            "-J",
            "-o",
            &img.to_string_lossy(),
            &s1.to_string_lossy(),
        ],
        &[],
    ));
    let next = fs::metadata(&img).unwrap().len() / 2048;
    let session = |extra: &[&str], name: &str| {
        let part = t.path().join(name);
        let c = format!("0,{next}");
        let mut args = vec!["-quiet", "-R", "-J", "-C", &c, "-M"];
        let m = img.to_string_lossy().into_owned();
        let o = part.to_string_lossy().into_owned();
        let src = s2.to_string_lossy().into_owned();
        args.push(&m);
        args.extend_from_slice(extra);
        args.extend(["-o", &o, &src]);
        ok(&mkisofs(&args, &[]));
        let mut disc = fs::read(&img).unwrap();
        disc.extend_from_slice(&fs::read(&part).unwrap());
        let joined = t.path().join(format!("{name}.disc"));
        fs::write(&joined, &disc).unwrap();
        (fs::metadata(&part).unwrap().len() / 2048, joined)
    };
    let (reused, a) = session(&[], "reuse.iso");
    let (whole, b) = session(&["-rewrite-dirs"], "whole.iso");
    // 40 directories of one block each, in the ISO 9660 and the Joliet tree.
    assert!(
        whole >= reused + 80,
        "-rewrite-dirs wrote {whole} blocks, the reusing session {reused}"
    );
    let want: Vec<String> = names(&a);
    assert_eq!(want.len(), 81, "{want:?}");
    assert_eq!(names(&b), want);
    for disc in [&a, &b] {
        let out = Command::new("xorriso")
            .args(["-indev"])
            .arg(disc)
            .args(["-load", "sbsector", &next.to_string()])
            .args(["-find", "/", "-type", "f"])
            .output()
            .expect("xorriso is missing: apt-get install xorriso");
        let listing = String::from_utf8_lossy(&out.stdout);
        assert_eq!(listing.lines().count(), 41, "{}: {listing}", disc.display());
    }
}

#[test]
fn follow_links_and_joliet_hiding() {
    let t = tempfile::tempdir().unwrap();
    let s = t.path().join("s");
    put(&s.join("real/file.txt"), b"real\n");
    std::os::unix::fs::symlink("real", s.join("alias")).unwrap();
    std::os::unix::fs::symlink("..", s.join("real/up")).unwrap(); // a loop under -f
    put(&s.join("winonly.txt"), b"x\n");
    let img = t.path().join("f.iso");
    ok(&mkisofs(
        &[
            "-quiet",
            "-R",
            "-J",
            "-f",
            "-hide-joliet",
            "winonly.txt",
            "-o",
            &img.to_string_lossy(),
            &s.to_string_lossy(),
        ],
        &[],
    ));
    let n = names(&img);
    // -f: the link became a directory with the file; the loop back up was cut.
    assert!(n.contains(&"alias/file.txt".to_string()), "{n:?}");
    assert!(!n.iter().any(|p| p.starts_with("real/up/")), "{n:?}");
    assert!(n.contains(&"winonly.txt".to_string()), "{n:?}");
    let j = ok(&Command::new("isoinfo")
        .args(["-J", "-f", "-i"])
        .arg(&img)
        .output()
        .unwrap());
    assert!(!j.lines().any(|l| l.starts_with("/winonly")), "{j}");
    assert!(j.lines().any(|l| l == "/alias/file.txt;1"), "{j}");
}
