//! The cdrecord/wodim command lines front ends and scripts type, run on the emulated drive
//! under the name `wodim` or `cdrecord`: Brasero's (plugins/cdrkit/burn-wodim.c,
//! `brasero_wodim_set_argv_record` / `_blank`), K3b's (libk3b/projects/k3bcdrecordwriter.cpp
//! `prepareProcess`, and the `-data`/`-xa`/`-multi`/`-waiti`/`-tsize=` its data and image
//! jobs add), and the script line `cdrecord -v gracetime=3 -sao driveropts=burnfree -data -`.
//! Each must exit 0 and leave on the disc what wodim writes: the image's bytes at the
//! session's start (wodim sends a data track's bytes as they are), followed by the padding
//! `-pad`/`padsize=` ask for (wodim(1): `-pad` is 15 sectors of zeroes, `padsize=` counts
//! 2048-byte sectors), and trees that xorriso reads back equal to genisoimage's sources.
//! The options discburn does not do are refused with exit 2 and a message naming them.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::burn::*;

/// discburn started as `name` (argv[0]) with `args`, standard input from `stdin`, and
/// `CDR_DEVICE` set to `env_dev` when given.
fn legacy(name: &str, args: &[&str], stdin: Option<&[u8]>, env_dev: Option<&str>) -> Output {
    let mut c = command(BIN);
    c.arg0(name)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match env_dev {
        Some(d) => c.env("CDR_DEVICE", d),
        None => c.env_remove("CDR_DEVICE"),
    };
    let mut child = c.spawn().unwrap();
    let feeder = stdin.map(|b| {
        let mut pipe = child.stdin.take().unwrap();
        let b = b.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&b);
        })
    });
    let out = child.wait_with_output().unwrap();
    if let Some(f) = feeder {
        f.join().unwrap();
    }
    out
}

/// A source tree and genisoimage's image of it.
fn image(dir: &Path, name: &str, seed: u8) -> (PathBuf, Expected) {
    let src = dir.join(format!("src-{name}"));
    let mut e = Expected::default();
    let a = pattern(150_000 + usize::from(seed) * 1000, seed);
    put(&src, "a.bin", &a);
    e.set("a.bin", &a);
    put(&src, &format!("d/{name}.txt"), name.as_bytes());
    e.set(&format!("d/{name}.txt"), name.as_bytes());
    let img = genisoimage_image(&dir.join(format!("{name}.iso")), &[&src]);
    (img, e)
}

/// The disc holds `img`'s bytes from block `start`, then `pad` zero blocks.
fn holds_image(disc: &Path, start: u32, img: &Path, pad: usize) {
    let want = std::fs::read(img).unwrap();
    assert_eq!(
        want.len() % 2048,
        0,
        "test bug: genisoimage images are whole blocks"
    );
    let got = disc_bytes(disc, start, want.len() + pad * 2048);
    assert!(
        got[..want.len()] == want[..],
        "the disc's blocks from {start} are not the image's bytes"
    );
    assert!(
        got[want.len()..].iter().all(|&b| b == 0),
        "the padding is not zeroes"
    );
}

/// The blocks the summary line says were written.
fn blocks_written(o: &Output) -> u64 {
    let out = String::from_utf8_lossy(&o.stdout);
    let line = out
        .lines()
        .find(|l| l.contains(" blocks (") && l.contains("written at block"))
        .unwrap_or_else(|| panic!("no summary line: {}", text(o)));
    line.split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no block count in {line:?}"))
}

#[test]
fn brasero_image_burn_dao_on_cd_r() {
    // brasero_wodim_set_argv + _record for an image file (BRASERO_IMAGE_FORMAT_BIN) with
    // burnproof and DAO: "wodim -v dev=D speed=8 driveropts=burnfree -dao fs=16m -data
    // -nopad image.iso", the line of the issue.
    let t = tempfile::tempdir().unwrap();
    let (img, e) = image(t.path(), "brasero", 1);
    let disc = t.path().join("cd.img");
    let dev = format!("emu:{},profile=cd-r", disc.display());
    let o = legacy(
        "wodim",
        &[
            "-v",
            &format!("dev={dev}"),
            "speed=8",
            "driveropts=burnfree",
            "-dao",
            "fs=16m",
            "-data",
            "-nopad",
            img.to_str().unwrap(),
        ],
        None,
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    holds_image(&disc, 0, &img, 0);
    assert_eq!(xorriso_tree(&disc, 0), e.0);
}

#[test]
fn brasero_stdin_multi_with_immed_then_k3b_append_from_stdin() {
    // Brasero burning its imager's output from a pipe onto an appendable CD-R:
    // "-v dev=D -immed minbuf=30 speed=8 -multi driveropts=burnfree fs=4m tsize=Ns -data
    // -nopad -"; then K3b's multisession data job appending on the fly ("-v gracetime=2
    // dev=D speed=48 -tao driveropts=burnfree -multi -waiti -xa -tsize=Ns -" on an image
    // genisoimage made with -C/-M for the disc).
    let t = tempfile::tempdir().unwrap();
    let (img1, e1) = image(t.path(), "one", 2);
    let disc = t.path().join("cd.img");
    let dev = format!("emu:{},profile=cd-r", disc.display());
    let bytes1 = std::fs::read(&img1).unwrap();
    let tsize = format!("tsize={}s", bytes1.len() / 2048);
    let o = legacy(
        "wodim",
        &[
            "-v",
            &format!("dev={dev}"),
            "-immed",
            "minbuf=30",
            "speed=8",
            "-multi",
            "driveropts=burnfree",
            "fs=4m",
            &tsize,
            "-data",
            "-nopad",
            "-",
        ],
        Some(&bytes1),
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    holds_image(&disc, 0, &img1, 0);

    // Session 2: genisoimage -C (from our -msinfo) -M (the image file of the emulated disc).
    let ms = legacy("wodim", &["-msinfo", &format!("dev={dev}")], None, None);
    assert!(ms.status.success(), "{}", text(&ms));
    let ms = String::from_utf8_lossy(&ms.stdout).trim().to_string();
    let src2 = t.path().join("src2");
    put(&src2, "two.txt", b"session two");
    let img2 = t.path().join("two.iso");
    let g = tool(
        "genisoimage",
        &[
            "-quiet",
            "-R",
            "-J",
            "-C",
            &ms,
            "-M",
            disc.to_str().unwrap(),
            "-o",
            img2.to_str().unwrap(),
            src2.to_str().unwrap(),
        ],
    );
    assert!(g.status.success(), "genisoimage: {}", text(&g));
    let bytes2 = std::fs::read(&img2).unwrap();
    let k3b_tsize = format!("-tsize={}s", bytes2.len() / 2048);
    let started = Instant::now();
    let o = legacy(
        "wodim",
        &[
            "-v",
            "gracetime=2",
            &format!("dev={dev}"),
            "speed=48",
            "-tao",
            "driveropts=burnfree",
            "-multi",
            "-waiti",
            "-xa",
            &k3b_tsize,
            "-",
        ],
        Some(&bytes2),
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "gracetime=2 waits two seconds before writing"
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Last chance to quit, starting real write in    2 seconds."),
        "{}",
        text(&o)
    );
    // -xa is written as mode 1, and says so.
    assert!(text(&o).contains("-xa"), "{}", text(&o));
    let start2: u32 = ms.split(',').nth(1).unwrap().parse().unwrap();
    holds_image(&disc, start2, &img2, 0);
    let mut e2 = e1.clone();
    e2.set("two.txt", b"session two");
    assert_eq!(
        xorriso_tree(&disc, start2),
        e2.0,
        "session 2 (with session 1's files)"
    );
    assert_eq!(xorriso_tree(&disc, 0), e1.0, "session 1 unchanged");
}

#[test]
fn k3b_and_script_lines_on_dvd_and_bd() {
    // K3b on DVD and BD always gives -sao (k3bcdrecordwriter.cpp); with burnfree, eject
    // and a manual buffer: "-v gracetime=2 dev=D speed=4 -sao driveropts=burnfree -eject
    // fs=4m -data image.iso". And the script line of the issue, which names no device
    // (cdrecord takes $CDR_DEVICE): "cdrecord -v gracetime=3 -sao driveropts=burnfree
    // -data -" fed from a pipe.
    let t = tempfile::tempdir().unwrap();
    let (img, e) = image(t.path(), "k3b", 3);
    for profile in ["dvd+r", "bd-r"] {
        let disc = t.path().join(format!("{profile}.img"));
        let dev = format!("emu:{},profile={profile}", disc.display());
        let o = legacy(
            "wodim",
            &[
                "-v",
                "gracetime=2",
                &format!("dev={dev}"),
                "speed=4",
                "-sao",
                "driveropts=burnfree",
                "-eject",
                "fs=4m",
                "-data",
                img.to_str().unwrap(),
            ],
            None,
            None,
        );
        assert!(o.status.success(), "{profile}: {}", text(&o));
        holds_image(&disc, 0, &img, 0);
        assert_eq!(xorriso_tree(&disc, 0), e.0, "{profile}");
    }
    let disc = t.path().join("script.img");
    let dev = format!("emu:{},profile=dvd-r", disc.display());
    let bytes = std::fs::read(&img).unwrap();
    let o = legacy(
        "cdrecord",
        &[
            "-v",
            "gracetime=3",
            "-sao",
            "driveropts=burnfree",
            "-data",
            "-",
        ],
        Some(&bytes),
        Some(&dev),
    );
    assert!(o.status.success(), "{}", text(&o));
    holds_image(&disc, 0, &img, 0);
    assert_eq!(xorriso_tree(&disc, 0), e.0);
}

#[test]
fn pad_and_padsize_append_zero_sectors() {
    // wodim(1): "-pad: 15 sectors of zeroed data will be added to the end of this and each
    // subsequent data track"; "padsize=#: ... assumes a sector size of 2048 bytes", with
    // fs='s units. A track of 1000 bytes (not a whole sector) is first filled up to one.
    let t = tempfile::tempdir().unwrap();
    let (img, e) = image(t.path(), "pad", 4);
    let n = std::fs::metadata(&img).unwrap().len() / 2048;
    for (opt, pad) in [("-pad", 15u64), ("padsize=40s", 40), ("padsize=10k", 5)] {
        let disc = t.path().join(format!("pad{pad}.img"));
        let dev = format!("emu:{},profile=cd-r", disc.display());
        let o = legacy(
            "cdrecord",
            &[
                &format!("dev={dev}"),
                "-tao",
                "-data",
                opt,
                img.to_str().unwrap(),
            ],
            None,
            None,
        );
        assert!(o.status.success(), "{opt}: {}", text(&o));
        // TAO adds no blocks of its own before the track's data on the first session.
        assert_eq!(blocks_written(&o), n + pad, "{opt}: {}", text(&o));
        holds_image(&disc, 0, &img, pad as usize);
        assert_eq!(xorriso_tree(&disc, 0), e.0, "{opt}");
    }
    // A short track is zero-filled to a whole sector before the padding.
    let short = t.path().join("short.bin");
    std::fs::write(&short, pattern(1000, 5)).unwrap();
    let disc = t.path().join("short.img");
    let dev = format!("emu:{},profile=dvd+r", disc.display());
    let o = legacy(
        "wodim",
        &[&format!("dev={dev}"), "-pad", short.to_str().unwrap()],
        None,
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(blocks_written(&o), 16, "{}", text(&o));
    let got = disc_bytes(&disc, 0, 16 * 2048);
    assert!(got[..1000] == pattern(1000, 5)[..]);
    assert!(got[1000..].iter().all(|&b| b == 0));
}

#[test]
fn blank_format_load_lock_fix_and_nofix() {
    let t = tempfile::tempdir().unwrap();
    let (img, e) = image(t.path(), "fix", 6);
    // Brasero's blank of a CD-RW: "wodim -v dev=D blank=fast"; then -nofix leaves the disc
    // appendable and -fix finalizes it.
    let disc = t.path().join("rw.img");
    let dev = format!("emu:{},profile=cd-rw", disc.display());
    let o = legacy(
        "wodim",
        &["-v", &format!("dev={dev}"), "blank=fast"],
        None,
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = legacy(
        "wodim",
        &[
            &format!("dev={dev}"),
            "-nofix",
            "-data",
            img.to_str().unwrap(),
        ],
        None,
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("appendable"), "{}", text(&o));
    let ms = legacy("wodim", &["-msinfo", &format!("dev={dev}")], None, None);
    assert!(
        ms.status.success(),
        "-nofix leaves it appendable: {}",
        text(&ms)
    );
    let o = legacy("wodim", &[&format!("dev={dev}"), "-fix"], None, None);
    assert!(o.status.success(), "{}", text(&o));
    let ms = legacy("wodim", &["-msinfo", &format!("dev={dev}")], None, None);
    assert!(!ms.status.success(), "-fix closes the disc: {}", text(&ms));
    assert_eq!(xorriso_tree(&disc, 0), e.0);

    // -format on a blank DVD+RW, -load and -lock.
    let disc = t.path().join("prw.img");
    let dev = format!("emu:{},profile=dvd+rw", disc.display());
    for opt in ["-format", "-load", "-lock", "-setdropts"] {
        let o = legacy(
            "cdrecord",
            &[&format!("dev={dev}"), "driveropts=noburnfree", opt],
            None,
            None,
        );
        assert!(o.status.success(), "{opt}: {}", text(&o));
    }
    let m = discburn(&["media", "--dev", &dev]);
    assert!(m.status.success(), "{}", text(&m));
    assert!(
        !String::from_utf8_lossy(&m.stdout).contains("unformatted"),
        "-format formatted it: {}",
        text(&m)
    );
}

#[test]
fn options_not_done_are_refused_by_name() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("cd.img");
    let dev = format!("dev=emu:{},profile=cd-r", disc.display());
    for (args, word) in [
        (vec!["-raw96r", "x.bin"], "-raw96r"),
        (vec!["-raw16", "x.bin"], "-raw16"),
        (vec!["-raw96p", "x.bin"], "-raw96p"),
        (vec!["-xa1", "x.bin"], "-xa1"),
        (vec!["-mode2", "x.bin"], "-mode2"),
        (vec!["driveropts=varirec=1", "x.bin"], "varirec=1"),
        (vec!["gracetime=soon", "x.bin"], "gracetime"),
        (vec!["minbuf=10", "x.bin"], "minbuf=10"),
        (vec!["padsize=lots", "x.bin"], "padsize"),
    ] {
        let mut a = vec![dev.as_str()];
        a.extend(args.iter().copied());
        let o = legacy("wodim", &a, None, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(word), "{args:?}: {}", text(&o));
    }
    assert!(!disc.exists() || std::fs::read(&disc).unwrap().iter().all(|&b| b == 0));
    // -reset and -abort do nothing and say so.
    for opt in ["-reset", "-abort"] {
        let o = legacy("cdrecord", &[&dev, opt], None, None);
        assert!(o.status.success(), "{opt}: {}", text(&o));
        assert!(text(&o).contains(opt), "{opt}: {}", text(&o));
    }
}

#[test]
fn a_pipe_named_as_a_file_is_read_to_its_end() {
    // "wodim dev=D /dev/stdin" (scripts that cannot pass "-"): a pipe has no length, so it
    // is read as standard input is, not refused as an empty image.
    let t = tempfile::tempdir().unwrap();
    let (img, e) = image(t.path(), "pipe", 7);
    let bytes = std::fs::read(&img).unwrap();
    let disc = t.path().join("p.img");
    let dev = format!("emu:{},profile=dvd+r", disc.display());
    let o = legacy(
        "wodim",
        &[&format!("dev={dev}"), "/dev/stdin"],
        Some(&bytes),
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    holds_image(&disc, 0, &img, 0);
    assert_eq!(xorriso_tree(&disc, 0), e.0);
}
