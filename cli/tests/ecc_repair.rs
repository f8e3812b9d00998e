//! Repair data: `add --ecc 10` writes a session with Reed-Solomon parity after it on the
//! emulated BD-R (a second session, so the msinfo arithmetic is exercised), then
//! `read --repair` on the same disc opened with unreadable ranges (`bad=`, MEDIUM ERROR
//! 03/11/00 for every READ touching them):
//! - 8 % of the session unreadable as two bursts, and once scattered at random: the output
//!   is the exact session that was sent (the medium's blocks, whose MD5 with the parity is
//!   the one `add` reported for what it sent);
//! - 12 %: a clear failure naming how many blocks are missing; every readable block of the
//!   track is in the output and the map (read by GNU ddrescuelog) lists exactly the bad ones;
//! - a run killed with SIGKILL finishes on a rerun with the same map;
//! - xorriso (libisofs) checks the session's MD5s and the next session's, which msinfo put
//!   after the parity.
//!
//! Control: dvdisaster (RS01 error correction file, `-n 10%`: 23 roots per 255, 9.9 %) on
//! the same session image with the same blocks zeroed (dvdisaster finds them by the CRCs in
//! its file and treats them as erasures). RS01 interleaves a codeword over 232 equal layers
//! of the image, so a burst costs each codeword about its share: it repairs the bursts. A
//! scattered 8 % does not spread evenly over its 1/232-of-the-image rows: rows that lost
//! more than 23 sectors stay broken, which the test shows. `add --ecc` makes this session a
//! single codeword over all its blocks (GF(2^16) lets a codeword span 65535 blocks), so any
//! pattern up to the share is restored.
#![cfg(unix)] // reason: signals
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::put;
use common::read::*;
use md5::{Digest, Md5};

/// A disc with a plain first session and a second one written with `--ecc 10`.
struct Disc {
    dir: tempfile::TempDir,
    disc: PathBuf,
    /// First block of the session with repair data.
    start: u32,
    /// Its ISO 9660 blocks.
    blocks: u32,
    /// Parity blocks.
    parity: u32,
}

fn add(dev: &str, extra: &[&str], src: &Path) -> serde_json::Value {
    let mut args = vec!["add", "-q", "--json", "--dev", dev];
    args.extend_from_slice(extra);
    args.push(src.to_str().unwrap());
    let o = discburn(&args);
    assert!(o.status.success(), "add: {}", text(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

impl Disc {
    fn new() -> Disc {
        let dir = tempfile::tempdir().unwrap();
        let disc = dir.path().join("disc.img");
        let s1 = dir.path().join("s1");
        put(&s1, "first.txt", b"the first session\n");
        add(&format!("emu:{},profile=bd-r", disc.display()), &[], &s1);
        let s2 = dir.path().join("s2");
        put(&s2, "data/big.bin", &pattern(2_500_000, 1));
        put(&s2, "data/mid.bin", &pattern(700_000, 2));
        for i in 0..20 {
            put(
                &s2,
                &format!("small/{i}.txt"),
                &pattern(100 + i * 37, i as u32),
            );
        }
        let dev = format!("emu:{}", disc.display());
        let j = add(&dev, &["--ecc", "10"], &s2);
        let start = j["start"].as_u64().unwrap() as u32;
        let blocks = j["ecc"]["session_blocks"].as_u64().unwrap() as u32;
        let parity = j["ecc"]["parity_blocks"].as_u64().unwrap() as u32;
        assert_eq!(parity, blocks.div_ceil(10), "10 % of the session: {j}");
        assert_eq!(j["ecc"]["codewords"], 1, "{j}");
        assert_eq!(
            j["ecc"]["header_lba"].as_u64().unwrap() as u32,
            start + blocks
        );
        let sent = j["blocks"].as_u64().unwrap() as u32;
        assert_eq!(
            sent,
            blocks + parity + 2,
            "the track: session, header, parity, copy"
        );
        let d = Disc {
            dir,
            disc,
            start,
            blocks,
            parity,
        };
        // The medium holds what add sent (its MD5 covers the session and the repair data).
        let medium = std::fs::read(&d.disc).unwrap();
        let track = &medium[start as usize * 2048..(start + sent) as usize * 2048];
        assert_eq!(
            format!("{:x}", Md5::digest(track)),
            j["md5"].as_str().unwrap(),
            "the medium's track is what add sent"
        );
        d
    }

    /// The session as sent (its ISO 9660 blocks).
    fn sent(&self) -> Vec<u8> {
        let m = std::fs::read(&self.disc).unwrap();
        m[self.start as usize * 2048..(self.start + self.blocks) as usize * 2048].to_vec()
    }

    fn dev(&self, opts: &str) -> String {
        if opts.is_empty() {
            format!("emu:{}", self.disc.display())
        } else {
            format!("emu:{},{opts}", self.disc.display())
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `read --repair --session 2` with `bad` (absolute, inclusive) unreadable.
    fn repair(&self, bad: &[(u32, u32)], out: &Path) -> (Output, serde_json::Value) {
        let o = discburn(&[
            "read",
            "--dev",
            &self.dev(&bad_opt(bad)),
            "--repair",
            "--session",
            "2",
            "-o",
            out.to_str().unwrap(),
            "--retries",
            "0",
            "--json",
            "-q",
        ]);
        let j = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("no JSON report ({e}): {}", text(&o)));
        (o, j)
    }
}

fn bad_opt(bad: &[(u32, u32)]) -> String {
    let r: Vec<String> = bad
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    format!("bad={}", r.join(";"))
}

fn count(bad: &[(u32, u32)]) -> u32 {
    bad.iter().map(|&(a, b)| b - a + 1).sum()
}

/// `n` distinct blocks of `first..first+len`, picked by a fixed pseudo-random sequence.
fn scattered(first: u32, len: u32, n: u32) -> Vec<(u32, u32)> {
    let mut picked = vec![false; len as usize];
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut left = n;
    while left > 0 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let i = (x % u64::from(len)) as usize;
        if !picked[i] {
            picked[i] = true;
            left -= 1;
        }
    }
    (0..len)
        .filter(|&i| picked[i as usize])
        .map(|i| (first + i, first + i))
        .collect()
}

/// What dvdisaster (RS01, 10 %) makes of the session with the blocks of `bad` (relative to
/// the session) zeroed: (all repaired, its last lines).
fn dvdisaster_control(d: &Disc, bad_rel: &[(u32, u32)], name: &str) -> (bool, String) {
    let img = d.path(&format!("{name}.iso"));
    let ecc = d.path(&format!("{name}.ecc"));
    let sent = d.sent();
    std::fs::write(&img, &sent).unwrap();
    let run = |args: &[&str]| match Command::new("dvdisaster").args(args).output() {
        Ok(o) => o,
        Err(e) => panic!("dvdisaster could not be run ({e}); install it (Debian: dvdisaster)"),
    };
    let o = run(&[
        "-i",
        img.to_str().unwrap(),
        "-e",
        ecc.to_str().unwrap(),
        "-c",
        "-n",
        "10%",
    ]);
    assert!(o.status.success(), "dvdisaster -c: {}", text(&o));
    let ecc_len = std::fs::metadata(&ecc).unwrap().len();
    let share = ecc_len as f64 / sent.len() as f64;
    assert!(
        (0.09..0.12).contains(&share),
        "dvdisaster's file is {share:.3} of the image: the same share of parity"
    );
    let mut damaged = sent.clone();
    for &(a, b) in bad_rel {
        damaged[a as usize * 2048..(b as usize + 1) * 2048].fill(0);
    }
    std::fs::write(&img, &damaged).unwrap();
    let o = run(&[
        "-i",
        img.to_str().unwrap(),
        "-e",
        ecc.to_str().unwrap(),
        "-f",
    ]);
    let out = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    let fixed = std::fs::read(&img).unwrap() == sent;
    assert_eq!(
        fixed,
        out.contains("All sectors are repaired"),
        "dvdisaster's words agree with the bytes: {out}"
    );
    let tail: Vec<&str> = out.lines().rev().take(4).collect();
    (fixed, tail.join(" | "))
}

fn assert_repaired(d: &Disc, o: &Output, j: &serde_json::Value, out: &Path, bad: u32) {
    assert!(o.status.success(), "read --repair: {}", text(o));
    assert_eq!(j["complete"], true, "{j}");
    assert_eq!(j["repair"]["repaired"].as_u64().unwrap() as u32, bad, "{j}");
    assert_eq!(j["repair"]["missing"], 0, "{j}");
    assert_eq!(j["repair"]["verified"], true, "{j}");
    assert!(
        std::fs::read(out).unwrap() == d.sent(),
        "the output is not the session that was sent"
    );
    assert!(
        !out.with_extension("img.map").exists(),
        "the default map is removed once done"
    );
}

#[test]
fn two_bursts_of_8_percent_are_repaired_exactly() {
    let d = Disc::new();
    let n = d.blocks;
    let share = n * 8 / 100;
    let s = d.start;
    // A burst in the first fifth, and one ending at the session's last block.
    let bad = [
        (s + n / 5, s + n / 5 + share / 2 - 1),
        (s + n - (share - share / 2), s + n - 1),
    ];
    assert_eq!(count(&bad), share);
    let out = d.path("bursts.img");
    let (o, j) = d.repair(&bad, &out);
    assert_repaired(&d, &o, &j, &out, share);
    assert_eq!(j["read"]["bad_blocks"].as_u64().unwrap() as u32, share);

    // Control: dvdisaster repairs the same bursts with its 10 %.
    let rel: Vec<(u32, u32)> = bad.iter().map(|&(a, b)| (a - s, b - s)).collect();
    let (fixed, words) = dvdisaster_control(&d, &rel, "bursts");
    assert!(fixed, "dvdisaster repairs two bursts of 8 %: {words}");
}

#[test]
fn scattered_8_percent_is_repaired_exactly() {
    let d = Disc::new();
    let n = d.blocks;
    let share = n * 8 / 100;
    let bad = scattered(d.start, n, share);
    let out = d.path("scattered.img");
    let (o, j) = d.repair(&bad, &out);
    assert_repaired(&d, &o, &j, &out, share);

    // Control: dvdisaster's RS01 with the same share does not restore this pattern: its
    // codewords take one sector from each of 232 layers, and some of its rows lost more
    // sectors than its 23 roots (it prints the worst erasure count per ecc block).
    let rel: Vec<(u32, u32)> = bad
        .iter()
        .map(|&(a, b)| (a - d.start, b - d.start))
        .collect();
    let (fixed, words) = dvdisaster_control(&d, &rel, "scattered");
    assert!(
        !fixed,
        "dvdisaster was expected to leave scattered 8 % partly unrepaired: {words}"
    );
}

#[test]
fn twelve_percent_fails_clearly_and_saves_every_readable_block() {
    let d = Disc::new();
    let n = d.blocks;
    let s = d.start;
    let a = n * 6 / 100;
    let b = n * 5 / 100;
    let c = n / 100;
    // Two bursts in the session and one in its parity: 12 % of the session's blocks.
    let bad = [
        (s + n / 10, s + n / 10 + a - 1),
        (s + n / 2, s + n / 2 + b - 1),
        (s + n + 10, s + n + 10 + c - 1),
    ];
    let lost_data = a + b;
    let out = d.path("twelve.img");
    let (o, j) = d.repair(&bad, &out);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "cannot rebuild the session: {lost_data} of its {n} blocks are missing"
        )),
        "{err}"
    );
    assert!(err.contains("up to 10 %"), "{err}");
    assert_eq!(j["complete"], false, "{j}");
    assert_eq!(
        j["repair"]["missing"].as_u64().unwrap() as u32,
        lost_data,
        "{j}"
    );
    assert_eq!(
        j["repair"]["unreadable_parity"].as_u64().unwrap() as u32,
        c,
        "{j}"
    );
    // One codeword: short by what it lost beyond its parity still readable.
    let short = lost_data - (d.parity - c);
    assert_eq!(
        j["repair"]["short_by"].as_u64().unwrap() as u32,
        short,
        "{j}"
    );
    // Every readable block of the track is saved; the bad ones are zero.
    let medium = std::fs::read(&d.disc).unwrap();
    let img = std::fs::read(&out).unwrap();
    let area = j["read"]["area"]["blocks"].as_u64().unwrap() as usize;
    assert!(area as u32 >= n + d.parity + 2);
    assert_eq!(img.len(), area * 2048);
    let bad_rel: Vec<u32> = expand(&bad).into_iter().map(|x| x - s).collect();
    for i in 0..area {
        let got = &img[i * 2048..(i + 1) * 2048];
        if bad_rel.contains(&(i as u32)) {
            assert!(got.iter().all(|&x| x == 0), "bad block {i} not zero");
        } else {
            // Past the image file's end the emulated medium reads zeros (padding of the track).
            let zero = [0u8; 2048];
            let want = medium
                .get((s as usize + i) * 2048..(s as usize + i + 1) * 2048)
                .unwrap_or(&zero);
            assert!(
                got == want,
                "readable block {i} (LBA {}) not saved",
                s as usize + i
            );
        }
    }
    // The map (read by GNU ddrescuelog) lists exactly the unreadable blocks.
    let map = d.path("twelve.img.map");
    assert_eq!(ddrescuelog_list(&map, "-"), expand(&bad));

    // Control: dvdisaster with its 10 % cannot restore 11 % of the image lost either.
    let rel: Vec<(u32, u32)> = bad[..2].iter().map(|&(a, b)| (a - s, b - s)).collect();
    let (fixed, words) = dvdisaster_control(&d, &rel, "twelve");
    assert!(!fixed, "dvdisaster beyond its share: {words}");
}

fn wait_for_progress(map: &Path, limit: Duration) {
    let t0 = Instant::now();
    while t0.elapsed() < limit {
        if let Ok(m) = std::fs::read_to_string(map) {
            if m.lines()
                .filter(|l| l.contains(" + ") || l.ends_with('+'))
                .count()
                > 0
                && m.contains('?')
            {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no progress in the map after {limit:?}");
}

#[test]
fn killed_repair_finishes_on_rerun() {
    let d = Disc::new();
    let n = d.blocks;
    let s = d.start;
    let bad = [
        (s + 100, s + 100 + n * 4 / 100),
        (s + n / 2, s + n / 2 + n * 3 / 100),
    ];
    let out = d.path("killed.img");
    let map = d.path("killed.map");
    let end = s + n + d.parity + 2;
    let slow = d.dev(&format!("{},slow={s}-{end}:200", bad_opt(&bad)));
    let mut child = Command::new(BIN)
        .args([
            "read",
            "--dev",
            &slow,
            "--repair",
            "--session",
            "2",
            "-o",
            out.to_str().unwrap(),
            "--map",
            map.to_str().unwrap(),
            "--retries",
            "0",
            "--blocks",
            "16",
            "-q",
        ])
        .env_remove("CDR_DEVICE")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_progress(&map, Duration::from_secs(60));
    child.kill().unwrap(); // SIGKILL
    let o = child.wait_with_output().unwrap();
    assert!(!o.status.success(), "the run finished before the kill");
    let left = ddrescuelog_list(&map, "?");
    assert!(
        !left.is_empty(),
        "the run finished before the kill; make the disc slower"
    );
    // The rerun, same map, the same blocks bad: finishes and repairs.
    let o = discburn(&[
        "read",
        "--dev",
        &d.dev(&bad_opt(&bad)),
        "--repair",
        "--session",
        "2",
        "-o",
        out.to_str().unwrap(),
        "--map",
        map.to_str().unwrap(),
        "--retries",
        "0",
        "--json",
        "-q",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}): {}", text(&o)));
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        j["repair"]["repaired"].as_u64().unwrap() as u32,
        count(&bad)
    );
    assert!(std::fs::read(&out).unwrap() == d.sent());
    // A --map the user named is kept.
    assert!(map.exists());
}

/// xorriso's words about the session at `start` of the disc image.
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
    let o = match Command::new("xorriso").args(&args).output() {
        Ok(o) => o,
        Err(e) => panic!("xorriso could not be run ({e}); install it (Debian: xorriso)"),
    };
    (o.status.success(), text(&o))
}

#[test]
fn readers_see_the_session_and_the_next_one_after_the_parity() {
    let d = Disc::new();
    let end = d.start + d.blocks + d.parity + 2;
    // The session's MD5s check (the parity is outside its volume space).
    let (ok, out) = xorriso(&d.disc, d.start, &["-check_md5_r", "SORRY", "/"]);
    assert!(ok && !out.contains("MISMATCH"), "{out}");
    // msinfo puts the next session after the track that holds the parity.
    let o = discburn(&["msinfo", "--dev", &d.dev("")]);
    assert!(o.status.success(), "{}", text(&o));
    let ms = String::from_utf8_lossy(&o.stdout);
    let (last, next) = ms.trim().split_once(',').unwrap();
    assert_eq!(last.parse::<u32>().unwrap(), d.start, "{ms}");
    assert!(
        next.parse::<u32>().unwrap() >= end,
        "{ms}: the parity ends at {end}"
    );
    let s3 = d.path("s3");
    put(&s3, "third.txt", b"the third session\n");
    let j = add(&d.dev(""), &[], &s3);
    let start3 = j["start"].as_u64().unwrap() as u32;
    assert!(
        start3 >= end,
        "session 3 at {start3} overlaps the parity ending at {end}"
    );
    let (ok, out) = xorriso(&d.disc, start3, &["-check_md5_r", "SORRY", "/"]);
    assert!(ok && !out.contains("MISMATCH"), "{out}");
    // The third session carries the second's files forward, readable through it.
    let got = d.path("big.out");
    let (ok, out) = xorriso(
        &d.disc,
        start3,
        &[
            "-osirrox",
            "on",
            "-extract",
            "/data/big.bin",
            got.to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}");
    assert!(std::fs::read(&got).unwrap() == pattern(2_500_000, 1));
    // And the repair data of session 2 is still there for read --repair.
    let out = d.path("after.img");
    let bad = [(d.start + 30, d.start + 60)];
    let (o, j) = d.repair(&bad, &out);
    assert_repaired(&d, &o, &j, &out, 31);
}

/// Overwritable media (BD-RE) have no sessions of their own: the copy of the volume
/// descriptors at block 16 covers the parity (so msinfo's next session starts after it), and
/// `read --repair` without an area takes the last session as msinfo emulates it.
#[test]
fn overwritable_media_keep_the_parity_before_the_next_session() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("re.img");
    let s1 = t.path().join("s1");
    put(&s1, "one.txt", b"one\n");
    add(&format!("emu:{},profile=bd-re", disc.display()), &[], &s1);
    let s2 = t.path().join("s2");
    put(&s2, "two.bin", &pattern(1_500_000, 9));
    let dev = format!("emu:{}", disc.display());
    let j = add(&dev, &["--ecc", "10"], &s2);
    let start = j["start"].as_u64().unwrap() as u32;
    let n = j["ecc"]["session_blocks"].as_u64().unwrap() as u32;
    let end = start + j["blocks"].as_u64().unwrap() as u32;
    let sent =
        std::fs::read(&disc).unwrap()[start as usize * 2048..(start + n) as usize * 2048].to_vec();
    let share = n * 8 / 100;
    let bad = format!("bad={}-{}", start + 40, start + 40 + share - 1);
    let out = t.path().join("two.iso");
    let o = discburn(&[
        "read",
        "--dev",
        &format!("{dev},{bad}"),
        "--repair",
        "-o",
        out.to_str().unwrap(),
        "--retries",
        "0",
        "-q",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::read(&out).unwrap() == sent);
    let s3 = t.path().join("s3");
    put(&s3, "three.txt", b"three\n");
    let j3 = add(&dev, &[], &s3);
    let start3 = j3["start"].as_u64().unwrap() as u32;
    assert!(
        start3 >= end,
        "session 3 at {start3}, the parity ends at {end}"
    );
    let (ok, out3) = xorriso(&disc, start, &["-check_md5_r", "SORRY", "/"]);
    assert!(ok && !out3.contains("MISMATCH"), "{out3}");
}

/// `burn --ecc` of an image file that is no ISO 9660 volume and no multiple of a block: the
/// header is found at the track's end, and the rebuilt image is the file, zero-padded to
/// its last block as the drive got it.
#[test]
fn burn_ecc_repairs_any_image() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("dvd.img");
    let file = t.path().join("data.bin");
    let data = pattern(1_000_001, 3);
    std::fs::write(&file, &data).unwrap();
    let o = discburn(&[
        "burn",
        "-q",
        "--dev",
        &format!("emu:{},profile=dvd+r", disc.display()),
        "--ecc",
        "10",
        file.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let blocks = data.len().div_ceil(2048) as u32;
    let out = t.path().join("back.bin");
    let o = discburn(&[
        "read",
        "--dev",
        &format!(
            "emu:{},bad=10-{}",
            disc.display(),
            10 + blocks * 8 / 100 - 1
        ),
        "--repair",
        "-o",
        out.to_str().unwrap(),
        "--retries",
        "0",
        "-q",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let mut want = data.clone();
    want.resize(blocks as usize * 2048, 0);
    assert!(std::fs::read(&out).unwrap() == want);
    // Standard input without --tsize has no size to lay the parity out for.
    let bd = format!("emu:{},profile=bd-r", t.path().join("b.img").display());
    let mut child = Command::new(BIN)
        .args(["burn", "-q", "--dev", &bd, "--ecc", "10", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(&data[..40 * 2048]);
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--ecc needs the image's size"),
        "{}",
        text(&o)
    );
}
