//! Issue 16: audio CDs through the served drive (`discburn serve`, QEMU's iSCSI initiator,
//! real SG_IO in the guest), checked by the audio peers in one guest with three blank
//! CD-R LUNs:
//! - LUN 0: `discburn burn --cue` of three audio tracks (WAVE, raw little-endian with a
//!   1-s pre-gap from its file and an index 2, MOTOROLA; ISRCs, an MCN, CD-TEXT titles
//!   and performers); cdparanoia rips each track equal to its source (from index 1 to the
//!   next track's index 1, which is how cdparanoia delimits tracks: the next track's
//!   pre-gap belongs to the track before); cd-info (libcdio-utils) and `cdrdao read-toc`
//!   report the same tracks, ISRCs, MCN and CD-TEXT; `wodim -toc` the same start
//!   addresses;
//! - LUN 1: `wodim -audio -pad` of two WAVE files (track-at-once), ripped back by
//!   `discburn read --audio` equal to the sources;
//! - LUN 2: `cdrdao write` of a TOC file (session-at-once, a raw big-endian file as
//!   cdrdao reads raw audio), ripped back by `discburn read --audio`;
//! - LUN 3: an Enhanced CD (Blue Book): `wodim -multi -audio` writes the audio session,
//!   `discburn add` the data session; the guest kernel mounts it (isofs takes the last
//!   session's start from CDROMMULTISESSION, which sr answers with READ TOC format 1),
//!   cdparanoia rips the audio track, `discburn ls`/`sessions` find the data session, and
//!   `discburn msinfo` equals `wodim -msinfo` before and after the data session.
//! - LUN 4: a served CD-R that cannot read five sectors: `read --audio` maps them, the rerun with the
//!   map sends READ CD only inside them.
//!
//! cd-info's CD-TEXT strings need glibc's iconv (libcdio converts them from ISO-8859-1):
//! the guest gets the gconv configuration and the ISO8859-1 module.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use discburn_tests::host::{require_tool, run_tool};
use discburn_tests::{ServedDrives, Vm};

/// The unreadable sectors of LUN 4 (LBAs, inclusive), inside its one audio track.
const BAD_FIRST: u32 = 100;
const BAD_LAST: u32 = 104;

fn signal(seed: u32, frames: usize) -> Vec<i16> {
    (0..frames * 2)
        .map(|i| {
            let t = (i / 2) as f64 / 44_100.0;
            let f = 200.0 * f64::from(seed) + if i % 2 == 0 { 0.0 } else { 90.0 };
            ((t * f * std::f64::consts::TAU).sin() * 10_000.0) as i16 + (i as i16 & 3)
        })
        .collect()
}

fn le(s: &[i16]) -> Vec<u8> {
    s.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn be(s: &[i16]) -> Vec<u8> {
    s.iter().flat_map(|x| x.to_be_bytes()).collect()
}

fn padded(mut v: Vec<u8>) -> Vec<u8> {
    v.resize(v.len().div_ceil(2352) * 2352, 0);
    v
}

/// A 44.1 kHz 16-bit stereo WAVE file of `pcm` (little-endian samples).
fn wav(pcm: &[u8]) -> Vec<u8> {
    let mut h = mmc::audio::rip::wav_header(pcm.len() as u64)
        .unwrap()
        .to_vec();
    h.extend_from_slice(pcm);
    h
}

fn md5(data: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x");
    std::fs::write(&f, data).unwrap();
    let out = run_tool("md5sum", "coreutils", [f.to_str().unwrap()]).unwrap();
    String::from_utf8_lossy(&out)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn audio_peers_on_served_cd_r() {
    for (p, pkg) in [
        ("cdparanoia", "cdparanoia"),
        ("cd-info", "libcdio-utils"),
        ("cdrdao", "cdrdao"),
    ] {
        require_tool(p, pkg).unwrap();
    }
    let s1 = signal(1, 44_100 * 5 + 99);
    let s2 = signal(2, 44_100 * 7);
    let s3 = signal(3, 44_100 * 4 + 588);
    let cue = "CATALOG 0600000123456\nTITLE \"Guest Album\"\nPERFORMER \"The Guests\"\n\
FILE \"one.wav\" WAVE\n  TRACK 01 AUDIO\n    TITLE \"Uno\"\n    PERFORMER \"Ann\"\n    ISRC USDBR2600021\n    INDEX 01 00:00:00\n\
FILE \"two.bin\" BINARY\n  TRACK 02 AUDIO\n    TITLE \"Dos\"\n    PERFORMER \"Bob\"\n    ISRC USDBR2600022\n    INDEX 00 00:00:00\n    INDEX 01 00:01:00\n    INDEX 02 00:04:00\n\
FILE \"three.raw\" MOTOROLA\n  TRACK 03 AUDIO\n    TITLE \"Tres\"\n    PERFORMER \"Cy\"\n    INDEX 01 00:00:00\n";
    let w1 = signal(4, 44_100 * 4 + 5);
    let w2 = signal(5, 44_100 * 5);
    let c1 = signal(6, 588 * 400);
    let toc = "CD_DA\n\nTRACK AUDIO\nFILE \"/a/c1.raw\" 0\n";

    // LUN 4 cannot read sectors 100-104 (the emulated drive's bad=): the damaged range.
    let mut options: Vec<String> = (0..4).map(|_| "profile=cd-r".to_string()).collect();
    options.push(format!("profile=cd-r,bad={BAD_FIRST}-{BAD_LAST}"));
    let mut served = ServedDrives::start(&options, &[]).unwrap();
    let mut vm = Vm::new();
    vm.gconv(
        require_tool("cd-info", "libcdio-utils").unwrap(),
        &["ISO8859-1"],
    );
    for i in 0..5 {
        vm.iscsi(i as u8, served.url(i + 1).to_string());
    }
    for p in ["cdparanoia", "cd-info", "cdrdao"] {
        vm.program(&format!("/usr/bin/{p}"), require_tool(p, "").unwrap());
    }
    vm.file("/a/one.wav", &wav(&le(&s1)))
        .file("/a/two.bin", &le(&s2))
        .file("/a/three.raw", &be(&s3))
        .file("/a/album.cue", cue.as_bytes())
        .file("/a/w1.wav", &wav(&le(&w1)))
        .file("/a/w2.wav", &wav(&le(&w2)))
        .file("/a/c1.raw", &be(&c1))
        .file("/a/c.toc", toc.as_bytes())
        .file("/e/readme.txt", b"the data session of an Enhanced CD\n");
    let dev = |id: usize| format!("D=/dev/$(ls /sys/bus/scsi/devices/*:0:{id}:0/block)");
    vm.named(
        "burn",
        format!("{}; discburn burn -q --dev $D --cue /a/album.cue", dev(0)),
    );
    for n in 1..=3 {
        vm.named(
            &format!("paranoia{n}"),
            format!(
                "{}; cd /tmp && cdparanoia -q -d $D -w {n} /tmp/p{n}.wav && tail -c +45 /tmp/p{n}.wav | md5sum",
                dev(0)
            ),
        );
    }
    vm.named(
        "cdinfo",
        format!(
            "{}; cd-info --no-header --no-device-info -C $D 2>&1",
            dev(0)
        ),
    );
    vm.named(
        "readtoc",
        format!(
            "{}; cd /tmp && cdrdao read-toc --device $D /tmp/x.toc 2>&1 && cat /tmp/x.toc",
            dev(0)
        ),
    );
    vm.named("wodimtoc", format!("{}; wodim -toc dev=$D 2>&1", dev(0)));
    vm.named("ourtoc", format!("{}; discburn toc --dev $D", dev(0)));
    vm.named(
        "wodim",
        format!(
            "{}; wodim dev=$D -audio -pad /a/w1.wav /a/w2.wav 2>&1",
            dev(1)
        ),
    );
    for n in 1..=2 {
        vm.named(
            &format!("ripw{n}"),
            format!(
                "{}; discburn read -q --dev $D --audio --track {n} -o /tmp/w{n}.raw >/dev/null && head -c {} /tmp/w{n}.raw | md5sum",
                dev(1),
                padded(le(if n == 1 { &w1 } else { &w2 })).len()
            ),
        );
    }
    vm.named(
        "cdrdao",
        format!(
            "{}; cd /tmp && cdrdao write -n --device $D /a/c.toc 2>&1",
            dev(2)
        ),
    );
    vm.named(
        "ripc",
        format!(
            "{}; discburn read -q --dev $D --audio --track 1 -o /tmp/c.raw >/dev/null && head -c {} /tmp/c.raw | md5sum",
            dev(2),
            le(&c1).len()
        ),
    );
    // LUN 3: the Enhanced CD
    vm.named(
        "ecd_audio",
        format!("{}; wodim dev=$D -multi -audio -pad /a/w1.wav 2>&1", dev(3)),
    );
    vm.named(
        "ecd_msinfo1",
        format!(
            "{}; echo wodim $(wodim dev=$D -msinfo 2>/dev/null); echo discburn $(discburn msinfo --dev $D)",
            dev(3)
        ),
    );
    vm.named(
        "ecd_add",
        format!("{}; discburn add -q --dev $D /e 2>&1", dev(3)),
    );
    vm.named(
        "ecd_msinfo2",
        format!(
            "{}; echo wodim $(wodim dev=$D -msinfo 2>/dev/null); echo discburn $(discburn msinfo --dev $D)",
            dev(3)
        ),
    );
    vm.named(
        "ecd_mount",
        format!(
            "{}; H=$(ls -d /sys/bus/scsi/devices/*:0:3:0); \
             echo 1 > $H/delete; for h in /sys/class/scsi_host/host*; do echo '- - -' > $h/scan; done; \
             sleep 1; {}; mkdir -p /me; mount -t iso9660 -o ro $D /me && cat /me/readme.txt; umount /me",
            dev(3),
            dev(3)
        ),
    );
    vm.named(
        "ecd_paranoia",
        format!(
            "{}; cd /tmp && cdparanoia -q -d $D -w 1 /tmp/e1.wav && echo size $(stat -c %s /tmp/e1.wav) && tail -c +45 /tmp/e1.wav | md5sum",
            dev(3)
        ),
    );
    vm.named(
        "ecd_ls",
        format!(
            "{}; discburn ls --dev $D && discburn sessions --dev $D",
            dev(3)
        ),
    );
    // LUN 4: a damaged audio range. read --audio maps it; the rerun with the map reads
    // only it (READ CD commands in the -vv trace).
    vm.named(
        "bad_burn",
        format!("{}; wodim dev=$D -audio -pad /a/w2.wav 2>&1", dev(4)),
    );
    vm.named(
        "bad_read",
        format!(
            "{}; discburn read --dev $D --audio --track 1 -o /tmp/b.raw --map /tmp/b.map --retries 1 --json; \
             echo rc=$?; head -c {} /tmp/b.raw | md5sum",
            dev(4),
            padded(le(&w2)).len()
        ),
    );
    vm.named(
        "bad_rerun",
        format!(
            "{}; discburn read --dev $D --audio --track 1 -o /tmp/b.raw --map /tmp/b.map --retries 1 -vv 2>&1 >/dev/null | grep -i 'CDB: *be '",
            dev(4)
        ),
    );
    let run = vm
        .memory_mb(768)
        .timeout(std::time::Duration::from_secs(480))
        .run()
        .unwrap();
    assert!(served.stop().unwrap().success(), "{}", served.log());

    run.get("burn").assert_success();
    // cdparanoia: track 1 runs to track 2's index 1, so it holds track 2's 1-s pre-gap
    let l1 = padded(le(&s1));
    let mut t1 = l1.clone();
    t1.extend_from_slice(&le(&s2)[..75 * 2352]);
    let want = [md5(&t1), md5(&le(&s2)[75 * 2352..]), md5(&padded(le(&s3)))];
    for n in 1..=3 {
        let o = run.get(&format!("paranoia{n}"));
        o.assert_success();
        assert!(
            o.stdout_str().starts_with(&want[n - 1]),
            "cdparanoia track {n} differs from its source: {}",
            o.describe()
        );
    }
    let t2 = (l1.len() / 2352 + 75) as u32;
    let t3 = t2 + 6 * 75;

    let o = run.get("cdinfo");
    o.assert_success();
    let out = o.stdout_str();
    for w in [
        "0600000123456",
        "USDBR2600021",
        "USDBR2600022",
        "  1: 00:02:00  000000 audio",
        "Language 0 'English':",
        "CD-TEXT for Track  3:",
        "TITLE: Guest Album",
        "PERFORMER: The Guests",
        "TITLE: Uno",
        "PERFORMER: Ann",
        "TITLE: Dos",
        "PERFORMER: Bob",
        "TITLE: Tres",
        "PERFORMER: Cy",
    ] {
        assert!(out.contains(w), "cd-info: no {w:?}: {}", o.describe());
    }

    let o = run.get("readtoc");
    o.assert_success();
    let out = o.stdout_str();
    for w in [
        "CATALOG \"0600000123456\"",
        "ISRC \"USDBR2600021\"",
        "ISRC \"USDBR2600022\"",
        "TITLE \"Guest Album\"",
        "PERFORMER \"The Guests\"",
        "TITLE \"Dos\"",
        "PERFORMER \"Cy\"",
    ] {
        assert!(
            out.contains(w),
            "cdrdao read-toc: no {w:?}: {}",
            o.describe()
        );
    }

    let o = run.get("wodimtoc");
    o.assert_success();
    let out = o.stdout_str();
    for (n, lba) in [(1, 0u32), (2, t2), (3, t3)] {
        let line = format!("track:   {n} lba: {lba:>9}");
        assert!(
            out.contains(&line),
            "wodim -toc: no {line:?}: {}",
            o.describe()
        );
    }

    // discburn toc's cdrecord-style lines equal wodim -toc's, the mode column included
    // (-1 for audio: READ HEADER fails on a CD-DA sector, and both print that as -1)
    let o = run.get("ourtoc");
    o.assert_success();
    let ours: Vec<String> = o
        .stdout_str()
        .lines()
        .filter(|l| l.starts_with("track:"))
        .map(str::to_string)
        .collect();
    let theirs: Vec<String> = run
        .get("wodimtoc")
        .stdout_str()
        .lines()
        .filter(|l| l.starts_with("track:"))
        .map(str::to_string)
        .collect();
    assert!(
        ours.len() == 4 && ours == theirs,
        "toc {ours:?} vs wodim -toc {theirs:?}"
    );
    assert!(
        ours[..3].iter().all(|l| l.ends_with("mode: -1")),
        "{ours:?}"
    );

    run.get("wodim").assert_success();
    for n in 1..=2 {
        let o = run.get(&format!("ripw{n}"));
        o.assert_success();
        let src = padded(le(if n == 1 { &w1 } else { &w2 }));
        assert!(
            o.stdout_str().starts_with(&md5(&src)),
            "wodim track {n} ripped by discburn differs: {}",
            o.describe()
        );
    }
    run.get("cdrdao").assert_success();
    let o = run.get("ripc");
    o.assert_success();
    assert!(
        o.stdout_str().starts_with(&md5(&le(&c1))),
        "cdrdao's track ripped by discburn differs (cdrdao reads raw audio big-endian): {}",
        o.describe()
    );

    // the Enhanced CD
    run.get("ecd_audio").assert_success();
    for m in ["ecd_msinfo1", "ecd_msinfo2"] {
        let o = run.get(m);
        o.assert_success();
        let out = o.stdout_str();
        let mut l = out.lines();
        let w = l
            .next()
            .unwrap_or("")
            .trim_start_matches("wodim ")
            .to_string();
        let d = l
            .next()
            .unwrap_or("")
            .trim_start_matches("discburn ")
            .to_string();
        assert!(
            w.contains(','),
            "wodim -msinfo printed nothing: {}",
            o.describe()
        );
        assert_eq!(
            d,
            w,
            "discburn msinfo and wodim -msinfo differ: {}",
            o.describe()
        );
    }
    run.get("ecd_add").assert_success();
    let o = run.get("ecd_mount");
    o.assert_success();
    assert!(
        o.stdout_str()
            .contains("the data session of an Enhanced CD"),
        "the guest kernel mounts the data session: {}",
        o.describe()
    );
    // cdparanoia ends the audio track where its session's lead-out is: 11400 blocks
    // before the data session (libcdio-paranoia's rule for a multisession disc, the Blue
    // Book gap), so the rip holds the source and the two run-out blocks the emulated
    // drive records after a track-at-once track (read as digital silence)
    let o = run.get("ecd_paranoia");
    o.assert_success();
    let mut src = padded(le(&w1));
    src.resize(src.len() + 2 * 2352, 0);
    assert!(
        o.stdout_str().contains(&format!("size {}", src.len() + 44))
            && o.stdout_str().contains(&md5(&src)),
        "cdparanoia rips the Enhanced CD's audio track equal to its source: {}",
        o.describe()
    );
    let o = run.get("ecd_ls");
    o.assert_success();
    let out = o.stdout_str();
    let start = run.get("ecd_msinfo1").stdout_str();
    let start = start
        .lines()
        .next()
        .and_then(|l| l.split(',').nth(1))
        .unwrap_or("?")
        .to_string();
    assert!(
        out.contains("readme.txt") && out.contains(&format!("  1 {start:>10} ")),
        "discburn ls/sessions read the data session at {start}: {}",
        o.describe()
    );

    // The damaged range through the served drive: the map names exactly it, the rest of the
    // rip equals the source, and the rerun with the map sends READ CD only inside it.
    run.get("bad_burn").assert_success();
    let o = run.get("bad_read");
    let out = o.stdout_str();
    assert!(
        out.contains("rc=1"),
        "read of a damaged track exits 1: {}",
        o.describe()
    );
    let json = out.split("rc=").next().unwrap_or("");
    let j: serde_json::Value = serde_json::from_str(json.trim())
        .unwrap_or_else(|e| panic!("read --json: {e}: {}", o.describe()));
    assert_eq!(
        j["bad_ranges"],
        serde_json::json!([[BAD_FIRST, BAD_LAST]]),
        "{j}"
    );
    let mut want = padded(le(&w2));
    want[BAD_FIRST as usize * 2352..(BAD_LAST as usize + 1) * 2352].fill(0);
    assert!(
        out.contains(&md5(&want)),
        "only the unreadable sectors (zero-filled) differ from the source: {}",
        o.describe()
    );
    let o = run.get("bad_rerun");
    let reads: Vec<(u32, u32)> = o
        .stdout_str()
        .lines()
        .filter_map(|l| l.split_once("CDB:").map(|(_, r)| r))
        .map(|r| {
            r.split_whitespace()
                .take(12)
                .filter_map(|h| u8::from_str_radix(h, 16).ok())
                .collect::<Vec<u8>>()
        })
        .filter(|b| b.len() == 12 && b[0] == 0xBE)
        .map(|b| {
            (
                u32::from_be_bytes([b[2], b[3], b[4], b[5]]),
                u32::from_be_bytes([0, b[6], b[7], b[8]]),
            )
        })
        .collect();
    assert!(
        !reads.is_empty(),
        "the rerun retried nothing: {}",
        o.describe()
    );
    assert!(
        reads
            .iter()
            .all(|&(l, n)| l >= BAD_FIRST && l + n - 1 <= BAD_LAST),
        "the rerun read outside the mapped range: {reads:?}"
    );
}
