//! Audio CDs through the command line onto the emulated CD-R, read back with the drive's
//! own READ CD (user data of CD-DA sectors), READ TOC (formats 0 and 5) and READ
//! SUB-CHANNEL: `discburn burn --cue` of three tracks (WAVE, raw little-endian with a
//! pre-gap from its file and an index 2, MOTOROLA big-endian; ISRCs, MCN, CD-TEXT);
//! `cdrecord -audio -pad` track-at-once of a WAVE file and raw files in cdrecord's default
//! big-endian order and little-endian with `-swab`, with `isrc=`, `mcn=`, `-preemp`,
//! `-copy` and a data track after the audio (`-data`); `cdrecord -dao -useinfo -text` of
//! cdda2wav .inf files; and cdrecord's refusals (short or odd audio without -pad,
//! cuefile= without -dao, -text track-at-once), each leaving the disc blank.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::burn::text as text_of;
use common::burn::*;
use mmc::drive::Drive;
use transport::{Cdb, DataPhase, Transport};

fn signal(seed: u32, frames: usize) -> Vec<i16> {
    (0..frames * 2)
        .map(|i| {
            let t = (i / 2) as f64 / 44_100.0;
            let f = 180.0 * f64::from(seed) + if i % 2 == 0 { 0.0 } else { 70.0 };
            ((t * f * std::f64::consts::TAU).sin() * 11_000.0) as i16 + (i as i16 & 7)
        })
        .collect()
}

fn write_wav(path: &Path, s: &[i16]) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for &x in s {
        w.write_sample(x).unwrap();
    }
    w.finalize().unwrap();
}

fn le(s: &[i16]) -> Vec<u8> {
    s.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn be(s: &[i16]) -> Vec<u8> {
    s.iter().flat_map(|x| x.to_be_bytes()).collect()
}

fn padded(mut v: Vec<u8>, unit: usize) -> Vec<u8> {
    v.resize(v.len().div_ceil(unit) * unit, 0);
    v
}

fn open(disc: &Path) -> Drive<emu::EmuDrive> {
    Drive::new(emu::open(disc, &[]).unwrap())
}

fn cmd<T: Transport>(d: &mut Drive<T>, c: &[u8], len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    let n = d
        .execute(
            Cdb::new(c).unwrap(),
            DataPhase::In(&mut buf),
            std::time::Duration::from_secs(10),
        )
        .unwrap();
    buf.truncate(n);
    buf
}

/// (LBA, sectors) of each READ CD in a `-vv` CDB trace.
fn traced_read_cds(stderr: &[u8]) -> Vec<(u32, u32)> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("CDB:"))
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
        .collect()
}

/// READ CD of sectors `from..to`: user data, any sector type (`expected type` 0).
fn rip<T: Transport>(d: &mut Drive<T>, from: u32, to: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut l = from;
    while l < to {
        let n = (to - l).min(20);
        let b = l.to_be_bytes();
        out.extend(cmd(
            d,
            &[
                0xBE, 0x04, b[0], b[1], b[2], b[3], 0, 0, n as u8, 0x10, 0, 0,
            ],
            n as usize * 2352,
        ));
        l += n;
    }
    out
}

/// READ TOC format 0: (control, track, start) of each track and the lead-out.
fn toc<T: Transport>(d: &mut Drive<T>) -> Vec<(u8, u8, u32)> {
    let b = cmd(d, &[0x43, 0, 0, 0, 0, 0, 0, 0x03, 0x24, 0], 804);
    let len = usize::from(u16::from_be_bytes([b[0], b[1]])) + 2;
    b[4..len.min(b.len())]
        .chunks(8)
        .map(|e| {
            (
                e[1] & 0x0F,
                e[2],
                u32::from_be_bytes([e[4], e[5], e[6], e[7]]),
            )
        })
        .collect()
}

fn isrc<T: Transport>(d: &mut Drive<T>, track: u8) -> Option<String> {
    let b = cmd(d, &[0x42, 0, 0x40, 0x03, 0, 0, track, 0, 24, 0], 24);
    (b[8] & 0x80 != 0).then(|| String::from_utf8_lossy(&b[9..21]).to_string())
}

fn mcn<T: Transport>(d: &mut Drive<T>) -> Option<String> {
    let b = cmd(d, &[0x42, 0, 0x40, 0x02, 0, 0, 0, 0, 24, 0], 24);
    (b[8] & 0x80 != 0).then(|| String::from_utf8_lossy(&b[9..22]).to_string())
}

/// CD-TEXT of READ TOC format 5, decoded: (pack type, strings per track 0..).
fn cdtext<T: Transport>(d: &mut Drive<T>) -> Vec<(u8, Vec<String>)> {
    let b = cmd(d, &[0x43, 0, 5, 0, 0, 0, 0, 0x10, 0, 0], 4096);
    let len = usize::from(u16::from_be_bytes([b[0], b[1]])) - 2;
    let packs = &b[4..4 + len];
    assert!(packs.chunks(18).all(mmc::audio::cdtext::crc_ok));
    mmc::audio::cdtext::decode(packs)
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().map(|x| x.1).collect()))
        .collect()
}

fn blank_disc(disc: &Path) -> bool {
    if !disc.exists() {
        return true;
    }
    let mut d = open(disc);
    let b = cmd(&mut d, &[0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0], 34);
    b[2] & 0x03 == 0
}

#[test]
fn burn_cue_three_tracks_sao_with_cdtext() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    let s1 = signal(1, 44_100 * 5 + 99);
    let s2 = signal(2, 44_100 * 7);
    let s3 = signal(3, 44_100 * 4 + 588);
    write_wav(&dir.join("one.wav"), &s1);
    std::fs::write(dir.join("two.bin"), le(&s2)).unwrap();
    std::fs::write(dir.join("three.raw"), be(&s3)).unwrap();
    let cue = "CATALOG 0600000123456\nTITLE \"CLI Album\"\nPERFORMER \"The Shell\"\n\
FILE \"one.wav\" WAVE\n  TRACK 01 AUDIO\n    TITLE \"Uno\"\n    PERFORMER \"Ann\"\n    ISRC USDBR2600011\n    INDEX 01 00:00:00\n\
FILE \"two.bin\" BINARY\n  TRACK 02 AUDIO\n    TITLE \"Dos\"\n    PERFORMER \"Bob\"\n    ISRC USDBR2600012\n    INDEX 00 00:00:00\n    INDEX 01 00:01:00\n    INDEX 02 00:04:00\n\
FILE \"three.raw\" MOTOROLA\n  TRACK 03 AUDIO\n    TITLE \"Tres\"\n    PERFORMER \"Cy\"\n    FLAGS PRE DCP\n    INDEX 01 00:00:00\n";
    std::fs::write(dir.join("album.cue"), cue).unwrap();
    let disc = dir.join("cd.img");
    let dev = format!("emu:{},profile=cd-r", disc.display());
    let o = discburn(&[
        "burn",
        "--dev",
        &dev,
        "--cue",
        dir.join("album.cue").to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["sao"], true, "{j}");
    assert!(j["cdtext_packs"].as_u64().unwrap() > 0, "{j}");
    // read back after the burn (READ CD of each track from index 1) and compared
    let v = j["verified"]["tracks"].as_array().unwrap();
    assert_eq!(v.len(), 3, "{j}");
    assert!(
        v.iter().all(|t| t["differing"] == 0
            && t["unreadable"] == 0
            && t["sectors"].as_u64().unwrap() > 0),
        "{j}"
    );
    let mut d = open(&disc);
    let l1 = padded(le(&s1), 2352).len() as u32 / 2352;
    // track 2's file: 1 s pre-gap (index 0) then 6 s from index 1, index 2 at 3 s
    let t2 = l1 + 75;
    let t3 = t2 + 6 * 75;
    let lo = t3 + padded(be(&s3), 2352).len() as u32 / 2352;
    assert_eq!(
        toc(&mut d),
        vec![(0, 1, 0), (0, 2, t2), (3, 3, t3), (3, 0xAA, lo)],
        "CONTROL 3 = pre-emphasis and copy permitted (FLAGS PRE DCP)"
    );
    assert!(rip(&mut d, 0, l1) == padded(le(&s1), 2352), "WAVE track");
    assert!(
        rip(&mut d, l1, t3) == le(&s2),
        "BINARY track with its pre-gap"
    );
    assert!(
        rip(&mut d, t3, lo) == le(&s3),
        "MOTOROLA samples as little-endian on the disc"
    );
    assert_eq!(isrc(&mut d, 1).as_deref(), Some("USDBR2600011"));
    assert_eq!(isrc(&mut d, 2).as_deref(), Some("USDBR2600012"));
    assert_eq!(isrc(&mut d, 3), None);
    assert_eq!(mcn(&mut d).as_deref(), Some("0600000123456"));
    let text = cdtext(&mut d);
    assert_eq!(
        text[0],
        (
            0x80,
            vec![
                "CLI Album".into(),
                "Uno".into(),
                "Dos".into(),
                "Tres".into()
            ]
        )
    );
    assert_eq!(
        text[1],
        (
            0x81,
            vec!["The Shell".into(), "Ann".into(), "Bob".into(), "Cy".into()]
        )
    );
    drop(d);
    // read --audio: track 2 from its index 1 to track 3's index 1 (as cdparanoia rips it)
    // as WAVE, track 3 to the lead-out as raw little-endian CD-DA
    let dev_plain = format!("emu:{}", disc.display());
    let w2 = dir.join("t2.wav");
    let o = discburn(&[
        "read",
        "--dev",
        &dev_plain,
        "--audio",
        "--track",
        "2",
        "-o",
        w2.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text_of(&o));
    let r = hound::WavReader::open(&w2).unwrap();
    assert_eq!(
        (
            r.spec().channels,
            r.spec().sample_rate,
            r.spec().bits_per_sample
        ),
        (2, 44_100, 16)
    );
    let got: Vec<i16> = r.into_samples::<i16>().map(|x| x.unwrap()).collect();
    assert!(
        got == s2[75 * 588 * 2..],
        "track 2 ripped to WAVE equals its source from index 1"
    );
    let r3 = dir.join("t3.raw");
    let o = discburn(&[
        "read",
        "--dev",
        &dev_plain,
        "--audio",
        "--track",
        "3",
        "-o",
        r3.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", text_of(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["format"], "raw", "{j}");
    assert!(
        std::fs::read(&r3).unwrap() == padded(le(&s3), 2352),
        "track 3 raw"
    );
    // toc shows the flags, ISRCs, MCN and CD-TEXT
    let o = discburn(&["toc", "--dev", &dev_plain, "--json"]);
    assert!(o.status.success(), "{}", text_of(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["mcn"], "0600000123456", "{j}");
    assert_eq!(j["tracks"][0]["isrc"], "USDBR2600011", "{j}");
    assert_eq!(j["tracks"][2]["preemphasis"], true, "{j}");
    assert_eq!(j["tracks"][2]["copy_permitted"], true, "{j}");
    assert_eq!(j["tracks"][0]["preemphasis"], false, "{j}");
    let titles: Vec<&str> = j["cdtext"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "title")
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["CLI Album", "Uno", "Dos", "Tres"], "{j}");
    let o = discburn(&["toc", "--dev", &dev_plain]);
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(t.contains("MCN: 0600000123456"), "{t}");
    assert!(
        t.contains("track  3: audio, pre-emphasis, copy permitted"),
        "{t}"
    );
    assert!(t.contains("CD-TEXT track  2 performer: Bob"), "{t}");
    // a damaged range (the emulated drive's bad=, READ CD fails) and marginal sectors
    // (c2=, READ CD answers with C2 error pointers set, MMC-6 §6.15): both in the map,
    // unreadable ones zero-filled, C2-flagged ones kept as the drive delivered them
    let lo_t3 = j["tracks"][3]["lba"].as_u64().unwrap() as u32;
    let t3s = j["tracks"][2]["lba"].as_u64().unwrap() as u32;
    let bad = format!(
        "{dev_plain},bad={}-{},c2={}-{}",
        t3s + 10,
        t3s + 14,
        t3s + 30,
        t3s + 31
    );
    let m3 = dir.join("t3.map");
    let o = discburn(&[
        "read",
        "--dev",
        &bad,
        "--audio",
        "--track",
        "3",
        "-o",
        r3.to_str().unwrap(),
        "--map",
        m3.to_str().unwrap(),
        "--retries",
        "2",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text_of(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        j["bad_ranges"],
        serde_json::json!([[t3s + 10, t3s + 14], [t3s + 30, t3s + 31]]),
        "{j}"
    );
    assert_eq!(
        (j["c2"].as_bool(), j["c2_blocks"].as_u64()),
        (Some(true), Some(2)),
        "{j}"
    );
    let src3 = padded(le(&s3), 2352);
    let mut want = src3.clone();
    want[10 * 2352..15 * 2352].fill(0);
    for x in want[30 * 2352..32 * 2352].iter_mut().step_by(8) {
        *x ^= emu::options::C2_XOR;
    }
    let got = std::fs::read(&r3).unwrap();
    assert_eq!(got.len() as u32, (lo_t3 - t3s) * 2352);
    assert!(got == want, "only the damaged sectors differ");
    // GNU ddrescuelog reads the map in 2352-byte sectors: exactly those are bad
    let l = tool("ddrescuelog", &["-b", "2352", "-l-", m3.to_str().unwrap()]);
    assert!(l.status.success(), "{}", text_of(&l));
    let listed: Vec<u32> = String::from_utf8_lossy(&l.stdout)
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    let expect: Vec<u32> = (t3s + 10..=t3s + 14).chain(t3s + 30..=t3s + 31).collect();
    assert_eq!(listed, expect);
    // the rerun with the map on the disc read well again: READ CD only of those sectors
    let o = discburn(&[
        "read",
        "--dev",
        &dev_plain,
        "--audio",
        "--track",
        "3",
        "-o",
        r3.to_str().unwrap(),
        "--map",
        m3.to_str().unwrap(),
        "-vv",
    ]);
    assert!(o.status.success(), "{}", text_of(&o));
    let reads = traced_read_cds(&o.stderr);
    let sectors: u32 = reads.iter().map(|r| r.1).sum();
    assert!(
        reads
            .iter()
            .all(|&(l, n)| expect.contains(&l) && expect.contains(&(l + n - 1))),
        "READ CD outside the bad sectors: {reads:?}"
    );
    assert_eq!(sectors, 7, "{reads:?}");
    assert!(
        std::fs::read(&r3).unwrap() == src3,
        "the rerun completes the rip"
    );
    let d = tool("ddrescuelog", &["-D", m3.to_str().unwrap()]);
    assert!(d.status.success(), "ddrescuelog -D: rip not finished");
    // --no-c2: the marginal sectors come in as the drive delivers them, unflagged
    let o = discburn(&[
        "read",
        "--dev",
        &bad.replace(&format!(",bad={}-{}", t3s + 10, t3s + 14), ""),
        "--audio",
        "--track",
        "3",
        "-o",
        r3.to_str().unwrap(),
        "--no-c2",
        "--json",
    ]);
    assert!(o.status.success(), "{}", text_of(&o));
    let got = std::fs::read(&r3).unwrap();
    assert!(
        got[..30 * 2352] == src3[..30 * 2352]
            && got[30 * 2352..32 * 2352] != src3[30 * 2352..32 * 2352]
    );
    // no track 9
    let o = discburn(&[
        "read", "--dev", &dev_plain, "--audio", "--track", "9", "-o", "-",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text_of(&o));
}

#[test]
fn cdrecord_audio_pad_tao_with_raw_byte_orders_and_data() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    let a = signal(4, 44_100 * 4 + 3);
    let b = signal(5, 44_100 * 5);
    let c = signal(6, 44_100 * 4 + 100);
    write_wav(&dir.join("a.wav"), &a);
    std::fs::write(dir.join("b.cdr"), be(&b)).unwrap();
    std::fs::write(dir.join("c.raw"), le(&c)).unwrap();
    let data = pattern(2048 * 400, 9);
    std::fs::write(dir.join("d.iso"), &data).unwrap();
    let disc = dir.join("cd.img");
    let dev = format!("dev=emu:{},profile=cd-r", disc.display());
    let p = |n: &str| dir.join(n).to_str().unwrap().to_string();
    // without -pad a WAVE file that does not fill its last sector is refused, as
    // cdrecord's checkfile() refuses it, before anything is written
    let o = cdrecord(dir, &[&dev, "-audio", &p("a.wav")]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("Bad audio track size") && e.contains("See -pad option"),
        "{e}"
    );
    assert!(blank_disc(&disc));
    let o = cdrecord(
        dir,
        &[
            &dev,
            "-tao",
            "mcn=0600000999990",
            "-audio",
            "-pad",
            "isrc=GBAYE2600001",
            &p("a.wav"),
            "-preemp",
            "-copy",
            &p("b.cdr"),
            "-nopreemp",
            "-nocopy",
            "-swab",
            "isrc=GBAYE2600003",
            &p("c.raw"),
            "-data",
            "-nopad",
            &p("d.iso"),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let mut d = open(&disc);
    let t = toc(&mut d);
    let la = padded(le(&a), 2352).len() as u32 / 2352;
    assert_eq!(t.len(), 5, "{t:?}");
    assert_eq!((t[0].0, t[1].0, t[2].0, t[3].0), (0, 3, 0, 4), "{t:?}");
    assert_eq!(t[0].2, 0);
    assert!(rip(&mut d, 0, la) == padded(le(&a), 2352), "WAVE");
    assert!(
        rip(&mut d, t[1].2, t[1].2 + 375) == le(&b),
        "raw audio is big-endian unless -swab (cdrecord's default)"
    );
    assert!(
        rip(
            &mut d,
            t[2].2,
            t[2].2 + padded(le(&c), 2352).len() as u32 / 2352
        ) == padded(le(&c), 2352),
        "-swab: little-endian raw audio"
    );
    // the data track: mode-1 user data as written
    let lba = t[3].2;
    let mut got = Vec::new();
    for k in 0..20u32 {
        let x = (lba + k * 20).to_be_bytes();
        got.extend(cmd(
            &mut d,
            &[0x28, 0, x[0], x[1], x[2], x[3], 0, 0, 20, 0],
            20 * 2048,
        ));
    }
    assert!(got == data, "data track after the audio");
    assert_eq!(isrc(&mut d, 1).as_deref(), Some("GBAYE2600001"));
    assert_eq!(isrc(&mut d, 2), None, "isrc= is for the next track only");
    assert_eq!(isrc(&mut d, 3).as_deref(), Some("GBAYE2600003"));
    assert_eq!(mcn(&mut d).as_deref(), Some("0600000999990"));
}

#[test]
fn cdrecord_useinfo_text_dao_from_inf_files() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    let a = signal(7, 588 * 320);
    let b = signal(8, 588 * 400);
    std::fs::write(dir.join("audio_01.wav"), []).unwrap();
    write_wav(&dir.join("audio_01.wav"), &a);
    // icedax -B writes raw .cdr files with Endianess= as they hold it
    std::fs::write(dir.join("audio_02.cdr"), le(&b)).unwrap();
    let inf = |title: &str, perf: &str, isrc: &str, extra: &str| {
        format!(
            "#created by icedax 1.1.11\n#\nCDINDEX_DISCID=\t'x'\nCDDB_DISCID=\t0x12345678\nMCN=\t\t0600000555550\nISRC=\t\t{isrc}\n#\nAlbumperformer=\t'Inf Band'\nPerformer=\t'{perf}'\nAlbumtitle=\t'Inf Album'\nTracktitle=\t'{title}'\nTracknumber=\t1\nTrackstart=\t0\n# track length in sectors (1/75 seconds each), rest samples\nTracklength=\t320, 0\nPre-emphasis=\tno\nChannels=\t2\nCopy_permitted=\tyes\n{extra}# index list\nIndex=\t\t0 100\nIndex0=\t\t-1\n"
        )
    };
    std::fs::write(
        dir.join("audio_01.inf"),
        inf("Alpha", "Ann", "DEA812600001", "Endianess=\tlittle\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("audio_02.inf"),
        inf("Beta", "Bob", "", "Endianess=\tlittle\n"),
    )
    .unwrap();
    let disc = dir.join("cd.img");
    let dev = format!("dev=emu:{},profile=cd-r", disc.display());
    let p = |n: &str| dir.join(n).to_str().unwrap().to_string();
    // -text is written into the lead-in: track-at-once is refused before any WRITE
    let o = cdrecord(
        dir,
        &[
            &dev,
            "-tao",
            "-useinfo",
            "-text",
            "-audio",
            &p("audio_01.wav"),
            &p("audio_02.cdr"),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("session-at-once"),
        "{}",
        text(&o)
    );
    assert!(blank_disc(&disc));
    let o = cdrecord(
        dir,
        &[
            &dev,
            "-dao",
            "-useinfo",
            "-text",
            "-audio",
            &p("audio_01.wav"),
            &p("audio_02.cdr"),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let mut d = open(&disc);
    let t = toc(&mut d);
    assert_eq!(
        t,
        vec![(2, 1, 0), (2, 2, 320), (2, 0xAA, 720)],
        "Copy_permitted= yes"
    );
    assert!(rip(&mut d, 0, 320) == le(&a));
    assert!(
        rip(&mut d, 320, 720) == le(&b),
        "Endianess= little: not swapped"
    );
    assert_eq!(isrc(&mut d, 1).as_deref(), Some("DEA812600001"));
    assert_eq!(isrc(&mut d, 2), None);
    assert_eq!(mcn(&mut d).as_deref(), Some("0600000555550"));
    let text = cdtext(&mut d);
    assert_eq!(
        text[0],
        (
            0x80,
            vec!["Inf Album".into(), "Alpha".into(), "Beta".into()]
        )
    );
    assert_eq!(
        text[1],
        (0x81, vec!["Inf Band".into(), "Ann".into(), "Bob".into()])
    );
    // Index= 0 100: index 2 of track 1 at sector 100 (sub-channel Q of READ CD)
    let q = cmd(&mut d, &[0xBE, 0, 0, 0, 0, 101, 0, 0, 1, 0, 2, 0], 16);
    assert_eq!(
        &q[..3],
        &[0x21, 0x01, 0x02],
        "Q: CONTROL 2 ADR 1, track 1, index 2"
    );
}

#[test]
fn cdrecord_audio_refusals_leave_the_disc_blank() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    let short = signal(9, 588 * 200);
    std::fs::write(dir.join("short.cdr"), be(&short)).unwrap();
    std::fs::write(dir.join("ok.cdr"), be(&signal(2, 588 * 300))).unwrap();
    let disc = dir.join("cd.img");
    let dev = format!("dev=emu:{},profile=cd-r", disc.display());
    let p = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let o = cdrecord(dir, &[&dev, "-audio", &p("short.cdr")]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("Bad audio track size 470400 for track 01") && e.contains("-shorttrack"),
        "{e}"
    );
    let o = cdrecord(
        dir,
        &[&dev, "-tao", "-audio", "-shorttrack", &p("short.cdr")],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    std::fs::write(
        dir.join("x.cue"),
        "FILE \"ok.cdr\" MOTOROLA\n TRACK 01 AUDIO\n  INDEX 01 00:00:00\n",
    )
    .unwrap();
    let o = cdrecord(dir, &[&dev, &format!("cuefile={}", p("x.cue"))]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("only works with -dao"),
        "{}",
        text(&o)
    );
    let o = cdrecord(dir, &[&dev, "-audio", &p("missing.wav")]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("missing.wav"),
        "{}",
        text(&o)
    );
    let o = discburn(&["burn", "--dev", &dev[4..], "--cue", &p("nope.cue")]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(blank_disc(&disc));
    // the cue through cdrecord -dao: written, short track refused -shorttrack aside
    let o = cdrecord(dir, &[&dev, "-dao", &format!("cuefile={}", p("x.cue"))]);
    assert!(o.status.success(), "{}", text(&o));
    let mut d = open(&disc);
    assert!(rip(&mut d, 0, 300) == le(&signal(2, 588 * 300)));
}

#[test]
fn enhanced_cd_audio_session_then_data_by_add() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    let a = signal(3, 588 * 375);
    std::fs::write(dir.join("a.raw"), le(&a)).unwrap();
    let disc = dir.join("cd.img");
    let dev = format!("emu:{},profile=cd-r", disc.display());
    let p = |n: &str| dir.join(n).to_str().unwrap().to_string();
    // cdrecord -multi -audio -swab: an audio session left open (Enhanced CD, Blue Book)
    let o = cdrecord(
        dir,
        &[
            &format!("dev={dev}"),
            "-multi",
            "-audio",
            "-swab",
            &p("a.raw"),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    put(
        dir,
        "src/readme.txt",
        b"the data session of an Enhanced CD\n",
    );
    let o = discburn(&["add", "-q", "--dev", &dev, &p("src")]);
    assert!(o.status.success(), "{}", text(&o));
    let o = discburn(&["toc", "--dev", &dev, "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["last_session"], 2, "{j}");
    assert_eq!(j["tracks"][0]["data"], false, "{j}");
    assert_eq!(j["tracks"][1]["data"], true, "{j}");
    let s2 = j["tracks"][1]["lba"].as_u64().unwrap() as u32;
    // the second session begins after the first one's lead-out and the next lead-in
    // (Orange Book: 6750 + 4500 sectors, then the 150-sector pre-gap)
    assert!(s2 >= 375 + 11_400, "{j}");
    let mut d = open(&disc);
    assert!(rip(&mut d, 0, 375) == le(&a), "the audio session");
    let x = (s2 + 16).to_be_bytes();
    let pvd = cmd(&mut d, &[0x28, 0, x[0], x[1], x[2], x[3], 0, 0, 1, 0], 2048);
    assert_eq!(&pvd[..6], b"\x01CD001", "the data session's PVD");
    drop(d);
    // ls and sessions find the ISO 9660 volume in the second session, through the drive's
    // TOC and in the image file alone (no volume at block 0 on an Enhanced CD)
    let o = discburn(&["ls", "--dev", &dev]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("readme.txt"),
        "{}",
        text(&o)
    );
    for src in [
        vec!["sessions", "--dev", &dev, "--json"],
        vec!["sessions", disc.to_str().unwrap(), "--json"],
    ] {
        let o = discburn(&src);
        assert!(o.status.success(), "{src:?}: {}", text(&o));
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(j["sessions"][0]["start"], s2, "{src:?}: {j}");
        assert_eq!(j["sessions"].as_array().map(|a| a.len()), Some(1), "{j}");
    }
}

/// A Sun .au file: the 24-byte header (big-endian words: magic, data offset, data size,
/// encoding, rate, channels), a 4-byte annotation, big-endian samples.
fn sun_au(s: &[i16], rate: u32, size_known: bool) -> Vec<u8> {
    let data = be(s);
    let mut v = b".snd".to_vec();
    for w in [
        28u32,
        if size_known {
            data.len() as u32
        } else {
            u32::MAX
        },
        3,
        rate,
        2,
    ] {
        v.extend_from_slice(&w.to_be_bytes());
    }
    v.extend_from_slice(b"abc\0");
    v.extend_from_slice(&data);
    v
}

#[test]
fn cdrecord_audio_takes_sun_au_files() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    let a = signal(7, 44_100 * 4 + 7);
    let b = signal(8, 44_100 * 4);
    std::fs::write(dir.join("a.au"), sun_au(&a, 44_100, true)).unwrap();
    std::fs::write(dir.join("b.AU"), sun_au(&b, 44_100, false)).unwrap();
    std::fs::write(dir.join("c.au"), sun_au(&b, 48_000, true)).unwrap();
    let disc = dir.join("cd.img");
    let dev = format!("emu:{},profile=cd-r", disc.display());
    let p = |n: &str| dir.join(n).to_str().unwrap().to_string();
    // a 48 kHz file is refused before anything is written
    let o = cdrecord(dir, &[&format!("dev={dev}"), "-audio", "-pad", &p("c.au")]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("48000 Hz"), "{}", text(&o));
    // -swab does not apply: the header fixes the byte order (big-endian samples)
    let o = cdrecord(
        dir,
        &[
            &format!("dev={dev}"),
            "-audio",
            "-pad",
            "-swab",
            &p("a.au"),
            &p("b.AU"),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = discburn(&["toc", "--dev", &dev, "--json"]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let t2 = j["tracks"][1]["lba"].as_u64().unwrap() as u32;
    // an audio sector has no header: READ HEADER fails, the mode column is -1 as
    // cdrecord -toc prints it for a drive that refuses (SCSI-2 CD-ROM READ HEADER)
    assert_eq!(j["tracks"][0]["mode"], -1, "{j}");
    let mut d = open(&disc);
    let want_a = padded(le(&a), 2352);
    assert!(
        rip(&mut d, 0, want_a.len() as u32 / 2352) == want_a,
        "the .au track with its data size"
    );
    let want_b = le(&b);
    assert!(
        rip(&mut d, t2, t2 + want_b.len() as u32 / 2352) == want_b,
        "the .au track of unknown size (to the end of the file)"
    );
}

#[test]
fn audio_burn_verify_finds_sectors_recorded_wrong() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    let a = signal(1, 588 * 320);
    let b = signal(2, 588 * 310);
    write_wav(&dir.join("a.wav"), &a);
    write_wav(&dir.join("b.wav"), &b);
    let p = |n: &str| dir.join(n).to_str().unwrap().to_string();
    for tao in [false, true] {
        let disc = dir.join(format!("cd{tao}.img"));
        let dev = format!("emu:{},profile=cd-r,garble=480-482", disc.display());
        let mut args = vec!["burn", "--dev", &dev, "--json"];
        if tao {
            args.push("--tao");
        }
        let (pa, pb) = (p("a.wav"), p("b.wav"));
        args.extend([pa.as_str(), pb.as_str()]);
        let o = discburn(&args);
        assert_eq!(o.status.code(), Some(1), "tao={tao}: {}", text(&o));
        let msg = text(&o);
        assert!(
            msg.contains("track 02: 3 of 310 sectors differ, 0 unreadable, the first at LBA 480"),
            "tao={tao}: {msg}"
        );
        // the same with --no-verify: written, nothing compared
        let disc = dir.join(format!("nv{tao}.img"));
        let dev = format!("emu:{},profile=cd-r,garble=480-482", disc.display());
        let mut args = vec!["burn", "--dev", &dev, "--json", "--no-verify"];
        if tao {
            args.push("--tao");
        }
        args.extend([pa.as_str(), pb.as_str()]);
        let o = discburn(&args);
        assert!(o.status.success(), "tao={tao}: {}", text(&o));
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(j.get("verified").is_none(), "{j}");
        // 480..482 lie in track 2 (from 320 session-at-once, after the TAO pre-gap)
        let t2 = j["tracks"][1]["start"].as_i64().unwrap();
        assert!(
            t2 <= 480 && j["tracks"][1]["end"].as_i64().unwrap() > 482,
            "{j}"
        );
    }
}
