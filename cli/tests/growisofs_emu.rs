//! The growisofs personality on the emulated drive: `-Z DEV` then two `-M DEV` (mkisofs
//! options and paths, as Brasero's growisofs plugin and scripts pass them) on DVD+R, DVD-R,
//! DVD+RW, BD-R and BD-RE, every session read back by xorriso from its start (the earlier
//! sessions' files imported into the later ones); `-Z DEV=IMAGE` and `-Z DEV=/dev/fd/0`
//! leave the image's bytes at block 0; and growisofs's refusals with its exit statuses
//! (growisofs.c `FATAL_START(e)` = 0x80|errno): no room 156 with ":-( DEV: N blocks are
//! free, M to be written!", `-M` on a closed disc 252 with ":-( media is not appendable",
//! `-Z` over an ISO 9660 file system without `-use-the-force-luke=tty` 144 with "FATAL: DEV
//! already carries isofs!", `-dry-run` writing nothing. `dvd+rw-format` formats a blank
//! DVD+RW and BD-RE, leaves a formatted one alone without `-force` (dvd+rw-format.cpp's
//! words, exit 0), and `dvd+rw-mediainfo` prints the lines scripts read.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Output, Stdio};

use common::burn::*;

fn growisofs(args: &[&str], stdin: Option<Vec<u8>>) -> Output {
    let mut c = command(BIN);
    c.arg0("growisofs")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let feeder = stdin.map(|b| {
        let mut p = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = p.write_all(&b);
        })
    });
    let o = child.wait_with_output().unwrap();
    if let Some(f) = feeder {
        f.join().unwrap();
    }
    o
}

fn session_dir(root: &Path, n: u8) -> std::path::PathBuf {
    let d = root.join(format!("s{n}"));
    put(
        &d,
        &format!("f{n}.txt"),
        format!("session {n}\n").as_bytes(),
    );
    put(
        &d,
        &format!("d{n}/data.bin"),
        &pattern(100_000 + usize::from(n) * 7, n),
    );
    d
}

#[test]
fn three_sessions_on_every_dvd_and_bd() {
    let t = tempfile::tempdir().unwrap();
    let dirs: Vec<_> = (1..=3).map(|n| session_dir(t.path(), n)).collect();
    for profile in ["dvd+r", "dvd-r", "dvd+rw", "bd-r", "bd-re"] {
        let disc = t.path().join(format!("{profile}.img"));
        let dev = format!("emu:{},profile={profile}", disc.display());
        let mut e = Expected::default();
        for (i, d) in dirs.iter().enumerate() {
            let n = i + 1;
            // Where the session will start: 0 on a blank disc, else the next writable
            // address msinfo gives.
            let start = if i == 0 { 0 } else { msinfo(&disc).1 };
            let flag = if i == 0 { "-Z" } else { "-M" };
            let o = growisofs(
                &[
                    "-use-the-force-luke=notray",
                    "-use-the-force-luke=4gms",
                    "-speed=4",
                    flag,
                    &dev,
                    "-r",
                    "-J",
                    "-V",
                    "GROW",
                    d.to_str().unwrap(),
                ],
                None,
            );
            assert!(o.status.success(), "{profile} session {n}: {}", text(&o));
            assert!(
                String::from_utf8_lossy(&o.stdout).contains("Executing '"),
                "{profile}: {}",
                text(&o)
            );
            e.set(&format!("f{n}.txt"), format!("session {n}\n").as_bytes());
            e.set(
                &format!("d{n}/data.bin"),
                &pattern(100_000 + n * 7, n as u8),
            );
            let got = xorriso_tree(&disc, start);
            assert_eq!(
                got.keys().collect::<Vec<_>>(),
                e.0.keys().collect::<Vec<_>>(),
                "{profile} session {n} at {start}"
            );
            assert!(got == e.0, "{profile} session {n}: contents differ");
        }
    }
}

#[test]
fn images_from_files_and_standard_input() {
    let t = tempfile::tempdir().unwrap();
    let src = session_dir(t.path(), 1);
    let img = genisoimage_image(&t.path().join("a.iso"), &[&src]);
    let bytes = std::fs::read(&img).unwrap();
    // -Z DEV=IMAGE (Brasero: "-Z DEV=image.iso", with -dvd-compat for a closed disc).
    let disc = t.path().join("plusr.img");
    let dev = format!("emu:{},profile=dvd+r", disc.display());
    let o = growisofs(
        &[
            "-dvd-compat",
            "-use-the-force-luke=dao",
            "-Z",
            &format!("{dev}={}", img.display()),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(disc_bytes(&disc, 0, bytes.len()) == bytes);
    // -dvd-compat closed it: -M is refused as growisofs does.
    let o = growisofs(&["-M", &dev, "-r", src.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(252), "{}", text(&o));
    assert!(
        text(&o).contains(":-( media is not appendable"),
        "{}",
        text(&o)
    );

    // -Z DEV=/dev/fd/0 with the size announced (Brasero's "tracksize:N" form).
    let disc = t.path().join("bdr.img");
    let dev = format!("emu:{},profile=bd-r", disc.display());
    let o = growisofs(
        &[
            "-use-the-force-luke=tty",
            &format!("-use-the-force-luke=tracksize:{}", bytes.len() / 2048),
            "-Z",
            &format!("{dev}=/dev/fd/0"),
        ],
        Some(bytes.clone()),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(disc_bytes(&disc, 0, bytes.len()) == bytes);

    // -Z over a DVD+RW holding a file system: refused without a terminal (exit 144) and
    // without writing; with -use-the-force-luke=tty it is replaced.
    let disc = t.path().join("plusrw.img");
    let dev = format!("emu:{},profile=dvd+rw", disc.display());
    let o = growisofs(&["-Z", &dev, "-r", src.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let before = snapshot(&disc);
    let src2 = session_dir(t.path(), 2);
    let o = growisofs(&["-Z", &dev, "-r", src2.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(144), "{}", text(&o));
    assert!(text(&o).contains("already carries isofs!"), "{}", text(&o));
    assert_same(&snapshot(&disc), &before, "a refused -Z");
    // -dry-run prints what would run and writes nothing.
    let o = growisofs(
        &[
            "-dry-run",
            "-use-the-force-luke=tty",
            "-Z",
            &dev,
            "-r",
            src2.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("About to execute '"));
    assert_same(&snapshot(&disc), &before, "-dry-run");
    let o = growisofs(
        &[
            "-use-the-force-luke=tty",
            "-Z",
            &dev,
            "-r",
            src2.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let got = xorriso_tree(&disc, 0);
    assert!(
        got.contains_key("f2.txt") && !got.contains_key("f1.txt"),
        "{got:?}"
    );
}

#[test]
fn a_session_without_room_exits_156() {
    // An image bigger than a CD-R (sparse: no disc space used) is refused before writing.
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("huge.iso");
    let f = std::fs::File::create(&img).unwrap();
    f.set_len(900 * 1024 * 1024).unwrap();
    drop(f);
    let disc = t.path().join("cd.img");
    let dev = format!("emu:{},profile=cd-r", disc.display());
    let o = growisofs(&["-Z", &format!("{dev}={}", img.display())], None);
    assert_eq!(o.status.code(), Some(156), "{}", text(&o));
    let m = text(&o);
    assert!(
        m.contains(":-( ") && m.contains(" blocks are free, 460800 to be written!"),
        "{m}"
    );
}

#[test]
fn version_and_bad_options() {
    let o = growisofs(&["-version"], None);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    // Brasero: "* %*s by <appro@fy.chalmers.se>, version %d.%d," from the start.
    assert!(
        out.starts_with("* growisofs by <appro@fy.chalmers.se>, version 7.1,"),
        "{out}"
    );
    assert!(out.contains("discburn"), "{out}");
    for args in [
        &["-Z", "/dev/null"][..],
        &["-use-the-force-luke=seek=16", "-M", "/dev/null", "d"],
        &["-speed=fast", "-Z", "/dev/null", "d"],
    ] {
        let o = growisofs(args, None);
        assert_eq!(o.status.code(), Some(150), "{args:?}: {}", text(&o));
    }
}

fn tool_as(name: &str, args: &[&str]) -> Output {
    command(BIN)
        .arg0(name)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn dvd_rw_format_and_mediainfo() {
    let t = tempfile::tempdir().unwrap();
    for (profile, code) in [("dvd+rw", "1Ah, DVD+RW"), ("bd-re", "43h, BD-RE")] {
        let disc = t.path().join(format!("{profile}.img"));
        let dev = format!("emu:{},profile={profile}", disc.display());
        // Brasero: "dvd+rw-format -gui -force DEV"; its check scans the banner.
        let o = tool_as("dvd+rw-format", &["-gui", &dev]);
        assert!(o.status.success(), "{profile}: {}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).starts_with(
                "* BD/DVD±RW/-RAM format utility by <appro@fy.chalmers.se>, version 7.1"
            ),
            "{}",
            text(&o)
        );
        let m = discburn(&["media", "--dev", &dev]);
        assert!(
            !String::from_utf8_lossy(&m.stdout).contains("unformatted"),
            "{profile}: {}",
            text(&m)
        );
        // Formatted: left alone without -force, exit 0, in dvd+rw-format's words.
        let before = snapshot(&disc);
        let o = tool_as("dvd+rw-format", &[&dev]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(
            text(&o).contains("- media is already formatted"),
            "{}",
            text(&o)
        );
        assert_same(&snapshot(&disc), &before, "dvd+rw-format without -force");
        let o = tool_as("dvd+rw-format", &["-ssa=max", &dev]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        // A session, then the mediainfo lines scripts read.
        let src = session_dir(t.path(), 1);
        let o = growisofs(&["-Z", &dev, "-r", src.to_str().unwrap()], None);
        assert!(o.status.success(), "{}", text(&o));
        let o = tool_as("dvd+rw-mediainfo", &[&dev]);
        assert!(o.status.success(), "{}", text(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains(&format!(" Mounted Media:         {code}\n")),
            "{out}"
        );
        assert!(out.contains(" Disc status:           "), "{out}");
        assert!(out.contains("READ TRACK INFORMATION[#1]:\n"), "{out}");
        assert!(out.contains(" Track Start Address:   0*2KB\n"), "{out}");
        assert!(out.contains("READ CAPACITY:          "), "{out}");
    }
}

#[test]
fn k3b_and_brasero_growisofs_lines() {
    // K3b (libk3b/projects/k3bgrowisofswriter.cpp prepareProcess): the image always comes
    // on standard input, "-Z DEV=/dev/fd/0" or, appending, "-C a,b -M DEV=/dev/fd/0" (an
    // image its mkisofs made with -C), then notray, tty, 4gms, tracksize:N, -dvd-compat
    // when closing, -speed=N and bufsize:32m.
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("k3b.img");
    let dev = format!("emu:{},profile=dvd+r", disc.display());
    let s1 = session_dir(t.path(), 1);
    let img1 = genisoimage_image(&t.path().join("k1.iso"), &[&s1]);
    let b1 = std::fs::read(&img1).unwrap();
    let luke = |o: &str| format!("-use-the-force-luke={o}");
    let ts = |b: &[u8]| luke(&format!("tracksize:{}", b.len() / 2048));
    let o = growisofs(
        &[
            "-Z",
            &format!("{dev}=/dev/fd/0"),
            &luke("notray"),
            &luke("tty"),
            &luke("4gms"),
            &ts(&b1),
            "-speed=4",
            &luke("bufsize:32m"),
        ],
        Some(b1.clone()),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(disc_bytes(&disc, 0, b1.len()) == b1);
    let (last, next) = msinfo(&disc);
    let c = format!("{last},{next}");
    let s2 = session_dir(t.path(), 2);
    let img2 = t.path().join("k2.iso");
    let g = tool(
        "genisoimage",
        &[
            "-quiet",
            "-R",
            "-C",
            &c,
            "-M",
            disc.to_str().unwrap(),
            "-o",
            img2.to_str().unwrap(),
            s2.to_str().unwrap(),
        ],
    );
    assert!(g.status.success(), "{}", text(&g));
    let b2 = std::fs::read(&img2).unwrap();
    // A -C that is not the disc's is refused before writing, as growisofs does (EINVAL).
    let before = snapshot(&disc);
    let o = growisofs(
        &[
            "-C",
            "0,99999",
            "-M",
            &format!("{dev}=/dev/fd/0"),
            &luke("tty"),
        ],
        Some(b2.clone()),
    );
    assert_eq!(o.status.code(), Some(150), "{}", text(&o));
    assert_same(&snapshot(&disc), &before, "a -C mismatch");
    let o = growisofs(
        &[
            "-C",
            &c,
            "-M",
            &format!("{dev}=/dev/fd/0"),
            &luke("notray"),
            &luke("tty"),
            &luke("4gms"),
            &ts(&b2),
            "-speed=4",
            &luke("bufsize:32m"),
        ],
        Some(b2.clone()),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(disc_bytes(&disc, next, b2.len()) == b2);
    let got = xorriso_tree(&disc, next);
    assert!(
        got.contains_key("f1.txt") && got.contains_key("f2.txt"),
        "{got:?}"
    );

    // Brasero sizing a merge (burn-growisofs.c: "-M DEV -dry-run" and mkisofs's options
    // with -print-size): genisoimage's count line on stderr, nothing written.
    let before = snapshot(&disc);
    let s3 = session_dir(t.path(), 3);
    let o = growisofs(
        &[
            &luke("notray"),
            &luke("4gms"),
            "-M",
            &dev,
            "-dry-run",
            "-r",
            "-J",
            "-graft-points",
            &format!("/s3/={}", s3.display()),
            "-print-size",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let n: u64 = err
        .split("Total extents scheduled to be written = ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("{}", text(&o)));
    assert!(n > 0);
    assert_same(&snapshot(&disc), &before, "sizing");
}
