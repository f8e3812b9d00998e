//! mmc::audio onto the emulated CD-R, read back through the drive's own READ CD / READ
//! TOC / READ SUB-CHANNEL: a cue file of three audio tracks (WAVE, raw little-endian and
//! big-endian CD-DA; one track with a pre-gap from its file and an index 2, ISRCs, the
//! MCN, CD-TEXT titles and performers) session-at-once; two WAVE files track-at-once as
//! `cdrecord -audio -pad` writes them; audio with a mode-1 data track in one session; cue
//! faults refused before the drive sees a WRITE.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use mmc::audio::{self, AudioBurnOptions, Cue, Plan, PlanOptions, TrackFile, TrackMode};
use mmc::drive::Drive;
use transport::{Cdb, DataPhase, Transport};

fn open(path: &Path, opts: &[(&str, &str)]) -> Drive<emu::EmuDrive> {
    let o: Vec<(String, String)> = opts
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Drive::new(emu::open(path, &o).unwrap())
}

/// `secs` seconds of a stereo signal (two sines, different per `seed`) as 16-bit samples.
fn signal(seed: u32, frames: usize) -> Vec<i16> {
    (0..frames * 2)
        .map(|i| {
            let t = (i / 2) as f64 / 44_100.0;
            let f = 220.0 * f64::from(seed) + if i % 2 == 0 { 0.0 } else { 110.0 };
            ((t * f * std::f64::consts::TAU).sin() * 12_000.0) as i16 + (i as i16 & 3)
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

/// READ CD of CD-DA sectors `from..to`, user data only.
fn rip<T: Transport>(d: &mut Drive<T>, from: i64, to: i64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut l = from;
    while l < to {
        let n = (to - l).min(20) as u32;
        let b = (l as i32).to_be_bytes();
        let c = [
            0xBE, 0x04, b[0], b[1], b[2], b[3], 0, 0, n as u8, 0x10, 0, 0,
        ];
        let mut buf = vec![0u8; n as usize * 2352];
        d.execute(
            Cdb::new(&c).unwrap(),
            DataPhase::In(&mut buf),
            std::time::Duration::from_secs(10),
        )
        .unwrap();
        out.extend_from_slice(&buf);
        l += i64::from(n);
    }
    out
}

fn toc<T: Transport>(d: &mut Drive<T>) -> Vec<(u8, u8, u32)> {
    let mut buf = vec![0u8; 804];
    let c = [0x43, 0, 0, 0, 0, 0, 0, 0x03, 0x24, 0];
    let n = d
        .execute(
            Cdb::new(&c).unwrap(),
            DataPhase::In(&mut buf),
            std::time::Duration::from_secs(10),
        )
        .unwrap();
    let len = usize::from(u16::from_be_bytes([buf[0], buf[1]])) + 2;
    buf[4..len.min(n)]
        .chunks(8)
        .map(|e| (e[1], e[2], u32::from_be_bytes([e[4], e[5], e[6], e[7]])))
        .collect()
}

fn pad_sector(mut v: Vec<u8>) -> Vec<u8> {
    let n = v.len().div_ceil(2352) * 2352;
    v.resize(n, 0);
    v
}

#[test]
fn cue_with_three_audio_tracks_sao() {
    let dir = tempfile::tempdir().unwrap();
    // track 1: 6 s WAVE; track 2 and 3 in one raw file: 2 s pre-gap, 6 s with an index 2
    // at 3 s, then 5 s of track 3 (big-endian as MOTOROLA)
    let s1 = signal(1, 44_100 * 6 + 100); // not a whole sector: padded
    let s2 = signal(2, 44_100 * 8);
    let s3 = signal(3, 44_100 * 5);
    write_wav(&dir.path().join("one.wav"), &s1);
    std::fs::write(dir.path().join("two.bin"), le(&s2)).unwrap();
    std::fs::write(dir.path().join("three.raw"), be(&s3)).unwrap();
    let cue_text = "CATALOG 0600000123456\nTITLE \"Test Album\"\nPERFORMER \"The Testers\"\n\
FILE \"one.wav\" WAVE\n  TRACK 01 AUDIO\n    TITLE \"First\"\n    PERFORMER \"Ann\"\n    ISRC USDBR2600001\n    INDEX 01 00:00:00\n\
FILE \"two.bin\" BINARY\n  TRACK 02 AUDIO\n    TITLE \"Second\"\n    PERFORMER \"Bob\"\n    ISRC USDBR2600002\n    INDEX 00 00:00:00\n    INDEX 01 00:02:00\n    INDEX 02 00:05:00\n\
FILE \"three.raw\" MOTOROLA\n  TRACK 03 AUDIO\n    TITLE \"Third\"\n    PERFORMER \"Cy\"\n    FLAGS DCP\n    INDEX 01 00:00:00\n";
    let cue_path = dir.path().join("album.cue");
    std::fs::write(&cue_path, cue_text).unwrap();
    let cue = Cue::read(&cue_path).unwrap();
    let mut plan = Plan::from_cue(&cue, PlanOptions::default()).unwrap();
    let disc = dir.path().join("cd.img");
    let mut d = open(&disc, &[("profile", "cd-r")]);
    let mut events = Vec::new();
    let opts = AudioBurnOptions {
        sao: true,
        text: true,
        ..AudioBurnOptions::default()
    };
    let report = audio::burn(&mut d, &mut plan, &opts, &mut |e| events.push(e)).unwrap();
    assert_eq!(report.cdtext_packs, 3 + 2 + 3); // titles 3 packs, performers 2, size 3
    drop(d);
    let mut d = open(&disc, &[]);
    // tracks: 1 at 0 (6 s + 100 frames: 451 sectors), 2 at 451+150, 3 after 6 s more
    let t = toc(&mut d);
    let t1_len = pad_sector(le(&s1)).len() as u32 / 2352;
    let t2 = t1_len + 150;
    let t3 = t2 + 450;
    let lo = t3 + 375;
    assert_eq!(
        t,
        vec![(0x10, 1, 0), (0x10, 2, t2), (0x12, 3, t3), (0x12, 0xAA, lo)]
    );
    // each track's sectors as ripped equal its source, the pre-gap belonging to track 1's
    // range as a ripper sees it (cdparanoia rips index 1 to the next track's index 1)
    assert!(rip(&mut d, 0, i64::from(t1_len)) == pad_sector(le(&s1)));
    assert!(rip(&mut d, i64::from(t1_len), i64::from(t3)) == le(&s2));
    assert!(
        rip(&mut d, i64::from(t3), i64::from(lo)) == le(&s3),
        "MOTOROLA samples swapped to little-endian"
    );
    // CD-TEXT (READ TOC format 5), decoded
    let mut buf = vec![0u8; 4096];
    let c = [0x43, 0, 5, 0, 0, 0, 0, 0x10, 0, 0];
    d.execute(
        Cdb::new(&c).unwrap(),
        DataPhase::In(&mut buf),
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    let len = usize::from(u16::from_be_bytes([buf[0], buf[1]])) - 2;
    let packs = &buf[4..4 + len];
    assert!(packs.chunks(18).all(audio::cdtext::crc_ok));
    let text = audio::cdtext::decode(packs);
    let titles: Vec<&str> = text[0].1.iter().map(|s| s.1.as_str()).collect();
    assert_eq!(titles, ["Test Album", "First", "Second", "Third"]);
    let performers: Vec<&str> = text[1].1.iter().map(|s| s.1.as_str()).collect();
    assert_eq!(performers, ["The Testers", "Ann", "Bob", "Cy"]);
    // MCN and an ISRC (READ SUB-CHANNEL)
    let mut buf = vec![0u8; 24];
    let c = [0x42, 0, 0x40, 0x02, 0, 0, 0, 0, 24, 0];
    d.execute(
        Cdb::new(&c).unwrap(),
        DataPhase::In(&mut buf),
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(&buf[9..22], b"0600000123456");
    let c = [0x42, 0, 0x40, 0x03, 0, 0, 2, 0, 24, 0];
    d.execute(
        Cdb::new(&c).unwrap(),
        DataPhase::In(&mut buf),
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(&buf[9..21], b"USDBR2600002");
    // index 2 of track 2 in sub-channel Q, 3 s after its index 1
    let l = i64::from(t2) + 225 + 1;
    let b = (l as i32).to_be_bytes();
    let c = [0xBE, 0, b[0], b[1], b[2], b[3], 0, 0, 1, 0, 2, 0];
    let mut q = vec![0u8; 16];
    d.execute(
        Cdb::new(&c).unwrap(),
        DataPhase::In(&mut q),
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(&q[..3], &[0x01, 0x02, 0x02]);
    assert!(events
        .iter()
        .any(|e| matches!(e, audio::AudioEvent::LeadIn { .. })));
}

#[test]
fn wav_files_tao_as_cdrecord_audio_pad() {
    let dir = tempfile::tempdir().unwrap();
    let a = signal(4, 44_100 * 5 + 7);
    let b = signal(5, 44_100 * 4 + 1);
    write_wav(&dir.path().join("a.wav"), &a);
    write_wav(&dir.path().join("b.wav"), &b);
    let files: Vec<TrackFile> = ["a.wav", "b.wav"]
        .iter()
        .enumerate()
        .map(|(i, n)| TrackFile {
            path: dir.path().join(n),
            mode: TrackMode::Audio,
            flags: audio::Flags {
                preemphasis: i == 1,
                ..Default::default()
            },
            isrc: (i == 0).then(|| "GBAYE0000001".to_string()),
            text: Default::default(),
            pad_sectors: 0,
        })
        .collect();
    // without -pad a WAVE of an odd number of frames is refused before any WRITE
    let e = Plan::from_files(&files, PlanOptions::default()).unwrap_err();
    assert!(e.to_string().contains("a.wav"), "{e}");
    let mut plan = Plan::from_files(
        &files,
        PlanOptions {
            pad: true,
            swab: false,
        },
    )
    .unwrap();
    let disc = dir.path().join("cd.img");
    let mut d = open(&disc, &[("profile", "cd-r")]);
    let r = audio::burn(&mut d, &mut plan, &AudioBurnOptions::default(), &mut |_| {}).unwrap();
    assert!(!r.sao);
    drop(d);
    let mut d = open(&disc, &[]);
    let t = toc(&mut d);
    let la = pad_sector(le(&a)).len() as u32 / 2352;
    let start_b = la + 2 + 150;
    assert_eq!(t[0], (0x10, 1, 0));
    assert_eq!(t[1], (0x11, 2, start_b));
    assert!(rip(&mut d, 0, i64::from(la)) == pad_sector(le(&a)));
    let lb = pad_sector(le(&b)).len() as i64 / 2352;
    assert!(rip(&mut d, i64::from(start_b), i64::from(start_b) + lb) == pad_sector(le(&b)));
    let mut buf = vec![0u8; 24];
    let c = [0x42, 0, 0x40, 0x03, 0, 0, 1, 0, 24, 0];
    d.execute(
        Cdb::new(&c).unwrap(),
        DataPhase::In(&mut buf),
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(&buf[9..21], b"GBAYE0000001");
}

#[test]
fn audio_and_data_in_one_session() {
    let dir = tempfile::tempdir().unwrap();
    let a = signal(6, 44_100 * 5);
    write_wav(&dir.path().join("a.wav"), &a);
    let data: Vec<u8> = (0..2048 * 400)
        .map(|i| (i / 2048) as u8 ^ (i as u8))
        .collect();
    std::fs::write(dir.path().join("d.iso"), &data).unwrap();
    let cue_text = "FILE \"a.wav\" WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nFILE \"d.iso\" BINARY\nTRACK 02 MODE1/2048\nINDEX 01 00:00:00\n";
    let cue = Cue::parse(cue_text, dir.path()).unwrap();
    let mut plan = Plan::from_cue(&cue, PlanOptions::default()).unwrap();
    let disc = dir.path().join("cd.img");
    let mut d = open(&disc, &[("profile", "cd-r")]);
    let opts = AudioBurnOptions {
        sao: true,
        multi: true,
        ..AudioBurnOptions::default()
    };
    audio::burn(&mut d, &mut plan, &opts, &mut |_| {}).unwrap();
    drop(d);
    let mut d = open(&disc, &[]);
    let t = toc(&mut d);
    // the data track after the 2-s gap a mode change needs
    assert_eq!(t[..2], [(0x10, 1, 0), (0x14, 2, 375 + 150)]);
    let mut back = vec![0u8; data.len()];
    d.read_blocks(525, &mut back).unwrap();
    assert!(back == data);
    assert!(rip(&mut d, 0, 375) == le(&a));
}

#[test]
fn cue_faults_are_reported_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("short.bin"), vec![0u8; 2352 * 200]).unwrap();
    std::fs::write(dir.path().join("odd.bin"), vec![0u8; 2352 * 400 + 3]).unwrap();
    let cases = [
        (
            "FILE \"missing.wav\" WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n",
            "missing.wav: no such file",
        ),
        (
            "FILE \"odd.bin\" BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n",
            "940803 bytes",
        ),
        (
            "FILE \"short.bin\" BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n",
            "at least 4 s",
        ),
    ];
    for (text, want) in cases {
        let disc = dir.path().join("cd.img");
        let _ = std::fs::remove_file(&disc);
        let _ = std::fs::remove_file(emu::state_path(&disc));
        let mut d = open(&disc, &[("profile", "cd-r")]);
        let cue = Cue::parse(text, dir.path()).unwrap();
        let e = Plan::from_cue(&cue, PlanOptions::default())
            .and_then(|mut p| {
                audio::burn(
                    &mut d,
                    &mut p,
                    &AudioBurnOptions {
                        sao: true,
                        ..Default::default()
                    },
                    &mut |_| {},
                )
                .map(|_| ())
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{e}");
        // nothing was written: the disc is still blank
        let di = d.disc_info().unwrap();
        assert!(matches!(
            di.view().disc_status(),
            mmc::cmd::disc_info::DiscStatus::Empty
        ));
    }
}
