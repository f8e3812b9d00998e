//! MD5 checksums in the session as libisofs records them (libisofs doc/checksums.txt):
//! xorriso (libisofs, the format's own reader) checks what we write. `mkisofs --md5` (as
//! xorrisofs takes it) and `add` (on by default) on an emulated CD-R of three sessions:
//! `-check_md5_r` finds every file matching and none without an MD5, `-check_media` finds
//! the superblock, tree and session tags matching; a file carried forward keeps its MD5;
//! after one byte of a file is changed in the image, xorriso names that file. On
//! overwritable media (DVD+RW, BD-RE) xorriso `-check_media what=disc` finds the
//! relocated superblock tag at block 16.. and every session's tags; a disc xorriso wrote
//! itself in three sessions is checked by `verify` session by session.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::burn::*;

/// xorriso's words about the session at `start` of `img`, after `cmd`.
fn xorriso(img: &Path, start: u32, cmd: &[&str]) -> (bool, String) {
    let sb = start.to_string();
    let mut args = vec![
        "-md5",
        "on",
        "-indev",
        img.to_str().unwrap(),
        "-load",
        "sbsector",
        &sb,
    ];
    args.extend_from_slice(cmd);
    let o = tool("xorriso", &args);
    (o.status.success(), text(&o))
}

/// `-check_md5_r SORRY /`: every file's contents match its recorded MD5, and no regular
/// file is without one.
fn all_files_match(img: &Path, start: u32) {
    let (ok, out) = xorriso(img, start, &["-check_md5_r", "SORRY", "/"]);
    assert!(
        ok && out.contains("File contents and their MD5 checksums match."),
        "session at {start}: {out}"
    );
    let (ok, out) = xorriso(
        img,
        start,
        &["-find", "/", "-type", "f", "-not", "-has_md5", "--"],
    );
    let listed: Vec<&str> = out.lines().filter(|l| l.starts_with('\'')).collect();
    assert!(
        ok && listed.is_empty(),
        "files without MD5: {listed:?}\n{out}"
    );
}

/// The files xorriso finds damaged in the session at `start`.
fn mismatches(img: &Path, start: u32) -> Vec<String> {
    let (ok, out) = xorriso(img, start, &["-check_md5_r", "SORRY", "/"]);
    assert!(!ok, "a damaged file must fail -check_md5_r: {out}");
    out.lines()
        .filter_map(|l| l.strip_prefix("MD5 MISMATCH: '"))
        .map(|l| l.trim_end_matches('\'').to_string())
        .collect()
}

fn change_byte(img: &Path, at: u64) {
    use std::io::{Read, Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(img)
        .unwrap();
    let mut b = [0u8];
    f.seek(SeekFrom::Start(at)).unwrap();
    f.read_exact(&mut b).unwrap();
    b[0] ^= 0x5a;
    f.seek(SeekFrom::Start(at)).unwrap();
    f.write_all(&b).unwrap();
}

/// First block of `path` in the session at `start`, as xorriso reports it.
fn lba_of(img: &Path, start: u32, path: &str) -> u64 {
    let (ok, out) = xorriso(img, start, &["-find", path, "-exec", "report_lba", "--"]);
    assert!(ok, "{out}");
    // "File data lba:  0 ,      31 ,       3 ,      5000 , '/sub/b.bin'"
    let line = out
        .lines()
        .find(|l| l.starts_with("File data lba:"))
        .unwrap_or_else(|| panic!("no lba for {path}: {out}"));
    let f: Vec<&str> = line["File data lba:".len()..].split(',').collect();
    f[1].trim().parse().unwrap()
}

#[test]
fn mkisofs_md5_image_checks_in_xorriso() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    put(&src, "a.txt", b"hello\n");
    put(&src, "empty", b"");
    put(&src, "sub/b.bin", &pattern(200_000, 3));
    put(&src, "sub/deeper/c.txt", &pattern(5000, 9));
    std::os::unix::fs::symlink("a.txt", src.join("link")).unwrap();
    std::fs::hard_link(src.join("a.txt"), src.join("sub/hard.txt")).unwrap();
    let img = t.path().join("x.iso");
    let o = discburn(&[
        "mkisofs",
        "-R",
        "-J",
        "--md5",
        "-o",
        img.to_str().unwrap(),
        src.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    all_files_match(&img, 0);
    let (ok, out) = xorriso(&img, 0, &["-check_media", "what=disc", "--"]);
    assert!(ok, "{out}");
    for tag in ["superblock", "tree", "session"] {
        assert!(
            out.contains(&format!("Found matching MD5 {tag} tag: start=0")),
            "no matching {tag} tag: {out}"
        );
    }
    assert!(out.contains("+ md5_match"), "{out}");

    // One byte of sub/b.bin changed: xorriso names that file, and only it; the session
    // tag no longer matches.
    let lba = lba_of(&img, 0, "/sub/b.bin");
    change_byte(&img, lba * 2048 + 150_000);
    assert_eq!(mismatches(&img, 0), ["/sub/b.bin"]);
    let (_, out) = xorriso(&img, 0, &["-check_media", "what=disc", "--"]);
    assert!(out.contains("md5_mismatch"), "{out}");

    // Without --md5: no tags at all (mkisofs's default).
    let plain = t.path().join("plain.iso");
    let o = discburn(&[
        "mkisofs",
        "-R",
        "-o",
        plain.to_str().unwrap(),
        src.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let bytes = std::fs::read(&plain).unwrap();
    assert!(
        !bytes.windows(9).any(|w| w == b"libisofs_"),
        "tags without --md5"
    );
}

#[test]
fn add_records_md5_in_every_session_and_carries_it_forward() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=cd-r", disc.display());

    let s1 = t.path().join("s1");
    put(&s1, "a.txt", b"alpha one\n");
    put(&s1, "sub/b.bin", &pattern(300_000, 1));
    put(&s1, "sub/empty", b"");
    let j1 = add(&dev, &[], &[&s1]);
    let s2 = t.path().join("s2");
    put(&s2, "new.txt", b"new in two\n");
    put(&s2, "a.txt", b"alpha two\n");
    let j2 = add(&dev, &[], &[&s2]);
    let s3 = t.path().join("s3");
    put(&s3, "d/e.txt", &pattern(70_000, 7));
    let j3 = add(&dev, &["new.txt"], &[&s3]);
    let starts: Vec<u32> = [&j1, &j2, &j3]
        .iter()
        .map(|j| j["start"].as_u64().unwrap() as u32)
        .collect();
    assert!(starts[1] > 0 && starts[2] > starts[1], "{starts:?}");
    for &s in &starts {
        all_files_match(&disc, s);
    }
    for n in 1..=3 {
        let v = verify(&dev, n);
        assert_eq!(v["differences"], serde_json::json!([]), "session {n}: {v}");
        assert!(v["compared"].as_u64().unwrap() >= 3, "session {n}: {v}");
    }
    // The session tags of every session: the tag blocks hold the session's own range.
    let bytes = std::fs::read(&disc).unwrap();
    for (&s, j) in starts.iter().zip([&j1, &j2, &j3]) {
        let blocks = j["blocks"].as_u64().unwrap() as usize;
        let sess = &bytes[s as usize * 2048..(s as usize + blocks) * 2048];
        let tags: Vec<isofs::checksum::Tag> = sess
            .chunks(2048)
            .filter_map(isofs::checksum::Tag::decode)
            .collect();
        assert_eq!(tags.len(), 3, "session at {s}: {tags:?}");
        for t in &tags {
            assert_eq!(t.range_start, s);
            let covered = &bytes[s as usize * 2048..t.pos as usize * 2048];
            assert_eq!(t.md5, isofs::checksum::md5_of(covered), "{t:?}");
        }
    }
    // Session 3 reuses session 1's /sub directory (its records, isofs.cx included, are
    // not written again): the indexes must have stayed what they were for the match above.
    let mut vol =
        isofs::Volume::open(isofs::FileSource::open(&disc).unwrap(), starts[2], None).unwrap();
    let sub = vol.lookup("/sub").unwrap();
    assert!(
        sub.lba() < starts[1],
        "/sub is session 1's directory: {sub:?}"
    );
    // sub/b.bin was written in session 1 and carried forward (not read again): session 3
    // still has its MD5. One byte of it changed on the disc: xorriso names it in every
    // session that holds it.
    let lba = lba_of(&disc, starts[2], "/sub/b.bin");
    assert!(lba < u64::from(starts[1]), "b.bin is session 1's extent");
    change_byte(&disc, lba * 2048 + 123_456);
    for &s in &starts {
        assert_eq!(mismatches(&disc, s), ["/sub/b.bin"], "session at {s}");
    }
    // discburn verify (no image, no tree) names it too, with the blocks it occupies.
    let blocks = format!("blocks {lba}-{}", lba + 300_000 / 2048);
    for n in 1..=3 {
        let (files, tag) = damaged(&dev, n);
        assert_eq!(files, [("sub/b.bin".to_string(), blocks.clone())]);
        // Only session 1 holds b.bin's blocks: only its session tag fails.
        assert_eq!(tag, n == 1, "session {n}");
    }
}

/// `discburn --json verify --dev DEV --session N` (no image, no tree).
fn verify(dev: &str, n: u16) -> serde_json::Value {
    let o = discburn(&[
        "--json",
        "verify",
        "--dev",
        dev,
        "--session",
        &n.to_string(),
    ]);
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    let clean = v["differences"].as_array().is_some_and(Vec::is_empty);
    assert_eq!(o.status.success(), clean, "exit status: {}", text(&o));
    v
}

/// The files `verify` finds damaged in session `n`, with the blocks it names, and whether
/// it found the session tag not matching. Nothing else may differ: the session MD5 (array
/// entry 0) and the session tag cover the file data of their own session only.
fn damaged(dev: &str, n: u16) -> (Vec<(String, String)>, bool) {
    let v = verify(dev, n);
    let d = v["differences"].as_array().unwrap();
    let mut files = Vec::new();
    let mut session_tag = false;
    for x in d {
        let what = x["what"].as_str().unwrap();
        let detail = x["detail"].as_str().unwrap();
        if what.starts_with("LBA ") {
            assert!(
                detail.contains("the session tag") || detail.contains("session's MD5"),
                "session {n}: {v}"
            );
            session_tag |= detail.contains("the session tag");
            continue;
        }
        assert_eq!(x["kind"], "content", "session {n}: {v}");
        let at = detail.find("blocks ").unwrap_or(0);
        files.push((what.to_string(), detail[at..].to_string()));
    }
    (files, session_tag)
}

/// Three sessions xorriso made (`-as mkisofs --md5 -C .. -M ..`, libisofs carrying the
/// earlier files' MD5s), burnt by us onto an emulated CD-R: `verify` checks every file and
/// the tags of each, and names the file whose byte was changed in every session holding it.
#[test]
fn verify_checks_sessions_xorriso_wrote_with_md5() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=cd-r", disc.display());
    let mut starts = Vec::new();
    for n in 1..=3u8 {
        let src = t.path().join(format!("s{n}"));
        put(&src, &format!("f{n}.txt"), format!("file {n}\n").as_bytes());
        put(&src, &format!("d{n}/big.bin"), &pattern(90_000, n));
        let iso = t.path().join(format!("{n}.iso"));
        let mut args = vec!["-as", "mkisofs", "--md5", "-R", "-o", iso.to_str().unwrap()];
        let ms;
        if n > 1 {
            let o = discburn(&["msinfo", "--dev", &dev]);
            assert!(o.status.success(), "{}", text(&o));
            ms = String::from_utf8_lossy(&o.stdout).trim().to_string();
            args.extend_from_slice(&["-C", &ms, "-M", disc.to_str().unwrap()]);
        }
        args.push(src.to_str().unwrap());
        let o = tool("xorriso", &args);
        assert!(o.status.success(), "{}", text(&o));
        let o = discburn(&["burn", "--multi", "--dev", &dev, iso.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        let v = verify(&dev, u16::from(n));
        assert_eq!(v["differences"], serde_json::json!([]), "session {n}: {v}");
        assert_eq!(v["compared"], 2 * u64::from(n), "every file checked: {v}");
        starts.push(v["area"]["start"].as_u64().unwrap() as u32);
    }
    let lba = lba_of(&disc, starts[2], "/d1/big.bin");
    change_byte(&disc, lba * 2048 + 50_000);
    let blocks = format!("blocks {lba}-{}", lba + 90_000 / 2048);
    for n in 1..=3 {
        let (files, tag) = damaged(&dev, n);
        assert_eq!(files, [("d1/big.bin".to_string(), blocks.clone())]);
        assert_eq!(tag, n == 1, "session {n}");
        assert_eq!(mismatches(&disc, starts[n as usize - 1]), ["/d1/big.bin"]);
    }
}

#[test]
fn add_no_md5_writes_no_checksums() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=dvd+r", disc.display());
    let s1 = t.path().join("s1");
    put(&s1, "a.txt", b"alpha\n");
    let o = discburn(&["add", "--no-md5", "--dev", &dev, s1.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let bytes = std::fs::read(&disc).unwrap();
    assert!(
        !bytes.windows(9).any(|w| w == b"libisofs_"),
        "tags with --no-md5"
    );
}

/// `xorriso -md5 on -indev IMG -check_media what=disc --`: the (start, size) of every tag
/// range xorriso reports matching, and whether any mismatched.
fn check_media_disc(img: &Path) -> (Vec<(u32, u32)>, bool, String) {
    let o = tool(
        "xorriso",
        &[
            "-md5",
            "on",
            "-indev",
            img.to_str().unwrap(),
            "-check_media",
            "what=disc",
            "--",
        ],
    );
    let out = text(&o);
    assert!(o.status.success(), "xorriso -check_media: {out}");
    let mut matching = Vec::new();
    let mut mismatch = false;
    for l in out.lines() {
        // "MD5 tag range:         32 ,         78 , + md5_match"
        let Some(r) = l.strip_prefix("MD5 tag range:") else {
            continue;
        };
        let f: Vec<&str> = r.split(',').map(str::trim).collect();
        if f.get(2) == Some(&"+ md5_match") {
            matching.push((f[0].parse().unwrap(), f[1].parse().unwrap()));
        } else {
            mismatch = true;
        }
    }
    (matching, mismatch, out)
}

/// Three `add` sessions on an emulated DVD+RW and BD-RE (overwritable: the sessions are
/// emulated, the newest descriptors copied to block 16): xorriso (which reads the image
/// file as an overwritable medium, the layout being the same) finds with
/// `-check_media what=disc` the relocated superblock tag after the copy at block 16
/// (libisofs doc/checksums.txt: `libisofs_rlsb32_checksum_tag_v1`, range 0..its block,
/// session_start= the newest session) and the tags of all three sessions matching, each
/// session found at the first multiple of 32 after the previous one's session tag (no
/// padding between, as libisoburn writes them); `-check_md5_r` finds every file of each
/// session matching; `discburn verify --session N` checks each of them; after one byte of
/// a session-1 file is changed, both name that file in every session holding it.
#[test]
fn add_sessions_on_overwritable_media_check_in_xorriso_and_verify() {
    for profile in ["dvd+rw", "bd-re"] {
        let t = tempfile::tempdir().unwrap();
        let disc = t.path().join("disc.img");
        let dev = format!("emu:{},profile={profile}", disc.display());
        let mut js = Vec::new();
        for n in 1..=3u8 {
            let src = t.path().join(format!("s{n}"));
            put(&src, &format!("f{n}.txt"), format!("file {n}\n").as_bytes());
            put(
                &src,
                &format!("d{n}/big.bin"),
                &pattern(90_000 + usize::from(n), n),
            );
            js.push(add(&dev, &[], &[&src]));
        }
        let starts: Vec<u32> = js
            .iter()
            .map(|j| j["start"].as_u64().unwrap() as u32)
            .collect();
        assert_eq!(starts[0], 32, "{profile}: {starts:?}");
        let (matching, mismatch, out) = check_media_disc(&disc);
        assert!(!mismatch, "{profile}: {out}");
        let at: Vec<u32> = matching.iter().map(|m| m.0).collect();
        assert_eq!(at, [0, starts[0], starts[1], starts[2]], "{profile}: {out}");
        assert!(
            out.contains("Found matching MD5 relocated 64kB superblock tag: start=0"),
            "{profile}: {out}"
        );
        for (k, j) in js.iter().enumerate().take(2) {
            // The next session at the first multiple of 32 after this one.
            let end = u64::from(starts[k]) + j["blocks"].as_u64().unwrap();
            assert_eq!(u64::from(starts[k + 1]), end.div_ceil(32) * 32, "{profile}");
        }
        for &s in &starts {
            all_files_match(&disc, s);
        }
        for n in 1..=3u16 {
            let v = verify(&dev, n);
            assert_eq!(
                v["differences"],
                serde_json::json!([]),
                "{profile} session {n}: {v}"
            );
            assert_eq!(v["area"]["start"], starts[n as usize - 1], "{profile}: {v}");
            assert_eq!(v["compared"], 2 * u64::from(n), "{profile}: {v}");
        }
        let lba = lba_of(&disc, starts[2], "/d1/big.bin");
        assert!(lba < u64::from(starts[1]), "session 1's extent");
        change_byte(&disc, lba * 2048 + 40_000);
        let blocks = format!("blocks {lba}-{}", lba + 90_001 / 2048);
        for n in 1..=3u16 {
            assert_eq!(mismatches(&disc, starts[n as usize - 1]), ["/d1/big.bin"]);
            let (files, tag) = damaged(&dev, n);
            assert_eq!(
                files,
                [("d1/big.bin".to_string(), blocks.clone())],
                "{profile}"
            );
            assert_eq!(tag, n == 1, "{profile} session {n}");
        }
        let (_, mismatch, out) = check_media_disc(&disc);
        assert!(mismatch, "{profile}: the damaged session tag: {out}");
    }
}

/// A disc xorriso wrote itself with `-md5 on`, three sessions (`-dev FILE -add ...
/// -commit`: libisoburn's layout for overwritable media and files, the first session at
/// 32 and the relocated superblock at 0), read as an emulated pressed disc: `verify`
/// checks every session and every file, and after a byte of a session-1 file is changed
/// names it in every session that holds it, as xorriso does.
#[test]
fn verify_checks_a_disc_xorriso_wrote_in_three_sessions() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("x.img");
    for n in 1..=3u8 {
        let src = t.path().join(format!("s{n}"));
        put(&src, &format!("f{n}.txt"), format!("file {n}\n").as_bytes());
        put(&src, &format!("d{n}/big.bin"), &pattern(80_000, n));
        let o = tool(
            "xorriso",
            &[
                "-md5",
                "on",
                "-dev",
                disc.to_str().unwrap(),
                "-map",
                src.to_str().unwrap(),
                "/",
                "-commit",
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    let (matching, mismatch, out) = check_media_disc(&disc);
    assert!(!mismatch && matching.len() == 4, "{out}");
    let starts: Vec<u32> = matching[1..].iter().map(|m| m.0).collect();
    let dev = format!("emu:{}", disc.display());
    for n in 1..=3u16 {
        let v = verify(&dev, n);
        assert_eq!(v["differences"], serde_json::json!([]), "session {n}: {v}");
        assert_eq!(v["area"]["start"], starts[n as usize - 1], "{v}");
        assert_eq!(v["compared"], 2 * u64::from(n), "every file checked: {v}");
    }
    let lba = lba_of(&disc, starts[2], "/d1/big.bin");
    change_byte(&disc, lba * 2048 + 30_000);
    let blocks = format!("blocks {lba}-{}", lba + 80_000 / 2048);
    for n in 1..=3u16 {
        let s = starts[n as usize - 1];
        assert_eq!(
            mismatches(&disc, s),
            ["/d1/big.bin"],
            "xorriso, session {n}"
        );
        let (files, tag) = damaged(&dev, n);
        assert_eq!(
            files,
            [("d1/big.bin".to_string(), blocks.clone())],
            "session {n}"
        );
        assert_eq!(tag, n == 1, "session {n}");
    }
}

/// A block of one file recorded altered by the drive (`garble=` on the emulated BD-R:
/// the WRITE completes GOOD, the block reads back other bytes), written with `--no-verify`
/// so that the damage reaches the disc: xorriso `-check_md5_r` names that file, and
/// `discburn verify` (no image, no tree) names it with the blocks it occupies and the
/// session tag that no longer matches; the first session stays clean. Without
/// `--no-verify` the read-back compare refuses such a session before anything relies on it.
#[test]
fn garbled_block_of_a_file_is_named_by_xorriso_and_verify() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=bd-r", disc.display());
    let s1 = t.path().join("s1");
    put(&s1, "first.txt", b"first session\n");
    let j1 = add(&dev, &[], &[&s1]);
    let s2 = t.path().join("s2");
    put(&s2, "small.txt", b"small\n");
    put(&s2, "big.bin", &pattern(300_000, 5));
    // Where session 2 goes, and a block well inside big.bin (147 blocks after at most a
    // few dozen blocks of descriptors and directories; checked below with xorriso).
    let o = discburn(&[
        "add",
        "--dry-run",
        "--json",
        "--dev",
        &dev,
        s2.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let dry: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let start = dry["start"].as_u64().unwrap() as u32;
    let garbled = format!("{dev},garble={}", start + 100);
    let o = discburn(&["add", "--json", "--dev", &garbled, s2.to_str().unwrap()]);
    assert!(
        o.status.code() == Some(1) && text(&o).contains("read back differ from what was sent"),
        "the read-back finds the garbled block: {}",
        text(&o)
    );
    // The refused session was written (a BD-R track cannot be taken back): the next one
    // goes after it, garbled again and this time not verified.
    let o = discburn(&[
        "add",
        "--json",
        "--no-verify",
        "--dev",
        &garbled_next(&dev, &disc, 100),
        s2.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let j2: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = j2["start"].as_u64().unwrap() as u32;
    let lba = lba_of(&disc, s, "/big.bin");
    let hit = u64::from(s) + 100;
    assert!(
        lba <= hit && hit < lba + 147,
        "block {hit} lies in /big.bin at {lba}"
    );
    assert_eq!(mismatches(&disc, s), ["/big.bin"]);
    all_files_match(&disc, j1["start"].as_u64().unwrap() as u32);
    let v = verify(&dev, 1);
    assert_eq!(v["differences"], serde_json::json!([]), "session 1: {v}");
    let n = v_sessions(&dev);
    let (files, tag) = damaged(&dev, n);
    let blocks = format!("blocks {lba}-{}", lba + 300_000 / 2048);
    assert_eq!(files, [("big.bin".to_string(), blocks)]);
    assert!(tag, "the session tag covers the garbled block");
}

/// The emulated drive `dev` with `garble=` on the block `offset` blocks after the next
/// session's start (msinfo's next writable address).
fn garbled_next(dev: &str, disc: &Path, offset: u32) -> String {
    let (_, next) = msinfo(disc);
    format!("{dev},garble={}", next + offset)
}

/// The number of sessions on the disc (`discburn sessions --json`).
fn v_sessions(dev: &str) -> u16 {
    let o = discburn(&["--json", "sessions", "--dev", dev]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["sessions"].as_array().unwrap().len() as u16
}
