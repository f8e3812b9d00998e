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
        &["-use-the-force-luke=seek=24", "-M", "/dev/null", "d"],
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

/// Bytes of a payload that is no ISO 9660 volume (growisofs's seek= is for such data too:
/// its changelog names "tar-formatted" rewritable media).
fn payload(n: usize) -> Vec<u8> {
    pattern(n, 9)
}

#[test]
fn seek_places_an_image_on_dvd_plus_rw_and_bd_re() {
    // growisofs.c: "-use-the-force-luke=seek:N -Z /dev/dvd=image" is "builtin_dd
    // if=image of=/dev/dvd obs=32k seek=N/16", N in 2 KiB blocks; for an image it copies no
    // volume descriptors to block 16 ("if (alleged_next_session <= 0) exit (0)").
    let t = tempfile::tempdir().unwrap();
    let s1 = session_dir(t.path(), 1);
    let data = payload(300_000);
    let img = t.path().join("payload.bin");
    std::fs::write(&img, &data).unwrap();
    // 4112 = 257 * 16: a multiple of growisofs's 16, not of 32.
    let n: u32 = 4112;
    for profile in ["dvd+rw", "bd-re"] {
        let disc = t.path().join(format!("{profile}.img"));
        let dev = format!("emu:{},profile={profile}", disc.display());
        let o = growisofs(&["-Z", &dev, "-r", s1.to_str().unwrap()], None);
        assert!(o.status.success(), "{profile}: {}", text(&o));
        let head_before = disc_bytes(&disc, 0, n as usize * 2048);
        // The disc carries isofs: without a terminal growisofs refuses any -Z, seek or not.
        let before = snapshot(&disc);
        let seek = format!("-use-the-force-luke=seek={n}");
        let z = format!("{dev}={}", img.display());
        let o = growisofs(&[&seek, "-Z", &z], None);
        assert_eq!(o.status.code(), Some(144), "{profile}: {}", text(&o));
        assert_same(&snapshot(&disc), &before, "a refused seek");
        let o = growisofs(&["-use-the-force-luke=tty", &seek, "-Z", &z], None);
        assert!(o.status.success(), "{profile}: {}", text(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains(&format!(
                "About to execute 'builtin_dd if={} of={dev} obs=32k seek={}'",
                img.display(),
                n / 16
            )),
            "{profile}: {}",
            text(&o)
        );
        // The payload at block N, zero-padded to a whole block ...
        let len = data.len().div_ceil(2048) * 2048;
        let mut want = data.clone();
        want.resize(len, 0);
        assert!(
            disc_bytes(&disc, n, len) == want,
            "{profile}: the payload is not at block {n}"
        );
        // ... and nothing before it changed: block 16 still names the first session, which
        // xorriso reads from block 0 as before.
        assert!(
            disc_bytes(&disc, 0, n as usize * 2048) == head_before,
            "{profile}: blocks 0..{n} changed"
        );
        let got = xorriso_tree(&disc, 0);
        assert!(
            got.contains_key("f1.txt") && got.len() == 2,
            "{profile}: {got:?}"
        );
        // A seek past the end: growisofs's no-room refusal (ENOSPC), nothing written.
        let before = snapshot(&disc);
        let far = (msinfo_capacity(&dev) - 16) / 16 * 16;
        let o = growisofs(
            &[
                "-use-the-force-luke=tty",
                &format!("-use-the-force-luke=seek={far}"),
                "-Z",
                &z,
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(156), "{profile}: {}", text(&o));
        assert!(text(&o).contains(" blocks are free, "), "{}", text(&o));
        assert_same(&snapshot(&disc), &before, "a seek past the end");
    }
}

/// READ CAPACITY's block count of the emulated disc `dev`, from `discburn media --json`.
fn msinfo_capacity(dev: &str) -> u32 {
    let o = discburn(&["media", "--json", "--dev", dev]);
    assert!(o.status.success(), "{}", text(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    find_number(&j, "capacity_blocks").unwrap_or_else(|| panic!("no capacity in {j}")) as u32
}

fn find_number(j: &serde_json::Value, key: &str) -> Option<u64> {
    match j {
        serde_json::Value::Object(m) => m
            .get(key)
            .and_then(serde_json::Value::as_u64)
            .or_else(|| m.values().find_map(|v| find_number(v, key))),
        serde_json::Value::Array(a) => a.iter().find_map(|v| find_number(v, key)),
        _ => None,
    }
}

#[test]
fn seek_on_write_once_media_is_refused_as_the_drive_would() {
    // On DVD±R and BD-R a drive writes the next writable address only (MMC-6 §4.5, INVALID
    // ADDRESS FOR WRITE, 5/21/02, elsewhere): growisofs sends the WRITE, prints ":-[
    // WRITE@LBA=...h failed with SK=5h/INVALID ADDRESS FOR WRITE]" and ":-( write failed",
    // and exits with errno EINVAL (22; transport.hxx CREAM_ON_ERRNO). seek=N at the next
    // writable address is an ordinary write.
    let t = tempfile::tempdir().unwrap();
    let data = payload(100_000);
    let img = t.path().join("payload.bin");
    std::fs::write(&img, &data).unwrap();
    for profile in ["dvd+r", "dvd-r", "bd-r"] {
        let disc = t.path().join(format!("{profile}.img"));
        let dev = format!("emu:{},profile={profile}", disc.display());
        let z = format!("{dev}={}", img.display());
        // The blank disc comes into being with its first use.
        assert!(discburn(&["media", "--dev", &dev]).status.success());
        let before = snapshot(&disc);
        let o = growisofs(&["-use-the-force-luke=seek=32", "-Z", &z], None);
        assert_eq!(o.status.code(), Some(22), "{profile}: {}", text(&o));
        let m = text(&o);
        assert!(
            m.contains("INVALID ADDRESS FOR WRITE") && m.contains(":-( write failed"),
            "{profile}: {m}"
        );
        assert_same(
            &snapshot(&disc),
            &before,
            "seek=32 on a blank write-once disc",
        );
        let o = growisofs(&["-use-the-force-luke=seek=0", "-Z", &z], None);
        assert!(o.status.success(), "{profile}: {}", text(&o));
        assert!(disc_bytes(&disc, 0, data.len()) == data, "{profile}");
    }
}

#[test]
fn brasero_blanks_dvd_plus_rw_and_bd_re_with_dev_zero() {
    // Brasero's growisofs plugin (burn-growisofs.c, brasero_growisofs_set_argv_blank): the
    // argument list of its fast blank, then SIGTERM once a progress line (its sscanf
    // pattern) shows at least 65536 bytes written ("we nullified 65536 that's enough").
    use std::io::BufRead;
    let progress = regex::Regex::new(
        r"^\s*(\d{1,10})/(\d+) \(\s*(\d{1,4})\.(\d)%\) @\s*(\d{1,2})\.(\d)x, remaining \d+:\d+",
    )
    .unwrap();
    let t = tempfile::tempdir().unwrap();
    let s1 = session_dir(t.path(), 1);
    let s2 = session_dir(t.path(), 2);
    for profile in ["dvd+rw", "bd-re"] {
        let disc = t.path().join(format!("{profile}.img"));
        let dev = format!("emu:{},profile={profile}", disc.display());
        let o = growisofs(&["-Z", &dev, "-r", "-J", s1.to_str().unwrap()], None);
        assert!(o.status.success(), "{profile}: {}", text(&o));
        assert!(
            xorriso_toc(&disc).contains("Media status : is written , is appendable"),
            "{profile}: {}",
            xorriso_toc(&disc)
        );
        let mut c = command(BIN);
        c.arg0("growisofs")
            .args([
                "-Z",
                &format!("{dev}=/dev/zero"),
                "-use-the-force-luke=tty",
                "-speed=4",
                "-use-the-force-luke=tracksize:1024",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        let pid = child.id();
        let out = child.stdout.take().unwrap();
        let mut lines = Vec::new();
        let mut killed = false;
        for l in std::io::BufReader::new(out).lines() {
            let l = l.unwrap();
            if let Some(m) = progress.captures(&l) {
                if !killed && m[1].parse::<u64>().unwrap() >= 65536 {
                    let _ = command("kill").args(["-TERM", &pid.to_string()]).status();
                    killed = true;
                }
            }
            lines.push(l);
        }
        let o = child.wait_with_output().unwrap();
        assert!(
            killed || o.status.success(),
            "{profile}: {:?} {lines:?} {}",
            o.status,
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            lines.iter().any(|l| l.starts_with(&format!(
                "About to execute 'builtin_dd if=/dev/zero of={dev} obs=32k seek=0'"
            ))),
            "{profile}: {lines:?}"
        );
        // At least the 64 KiB Brasero waits for are zeros: the descriptors at 16 are gone.
        assert!(
            disc_bytes(&disc, 0, 65536).iter().all(|&b| b == 0),
            "{profile}: the first 64 KiB are not zeroed"
        );
        // What readers see: xorriso a blank medium, msinfo a blank disc, and a -Z without
        // -use-the-force-luke=tty no longer finds an isofs to refuse.
        let toc = xorriso_toc(&disc);
        assert!(toc.contains("Media status : is blank"), "{profile}: {toc}");
        let m = discburn(&["msinfo", "--json", "--dev", &dev]);
        let j: serde_json::Value = serde_json::from_slice(&m.stdout).unwrap();
        assert_eq!(j["state"], "blank", "{profile}: {}", text(&m));
        let mi = tool_as("dvd+rw-mediainfo", &[&dev]);
        assert!(mi.status.success(), "{}", text(&mi));
        let o = growisofs(&["-Z", &dev, "-r", "-J", s2.to_str().unwrap()], None);
        assert!(o.status.success(), "{profile}: {}", text(&o));
        let got = xorriso_tree(&disc, 0);
        assert!(
            got.contains_key("f2.txt") && !got.contains_key("f1.txt"),
            "{profile}: {got:?}"
        );
    }
}

/// `xorriso -indev DISC -toc`'s output.
fn xorriso_toc(disc: &Path) -> String {
    let o = tool("xorriso", &["-indev", disc.to_str().unwrap(), "-toc"]);
    assert!(o.status.success(), "{}", text(&o));
    text(&o)
}
