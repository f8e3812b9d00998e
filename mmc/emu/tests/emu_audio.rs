//! Audio on the emulated CD-R: session-at-once from a full cue sheet (three audio tracks,
//! a pre-gap and an index 2, ISRCs, an MCN, CD-TEXT written into the lead-in as libburn's
//! write.c and cdrecord's cdtext.c send it) and track-at-once with data block type 0, read
//! back with READ TOC formats 0/2/5, READ CD (audio, sector types, sub-channel Q), READ
//! SUB-CHANNEL (MCN, ISRC), all as literal CDBs (MMC-6 §6.15, §6.26, §6.33; MMC-3 §5.20).
#![allow(clippy::unwrap_used)] // reason: test code

mod emu_util;

use emu_util::*;
use transport::Transport;

/// CRC-16 CCITT, written here independently of the drive's, inverted (the Q and
/// CD-TEXT check word).
fn check_word(data: &[u8]) -> [u8; 2] {
    let mut crc: u32 = 0;
    for &b in data {
        for bit in (0..8).rev() {
            let top = ((crc >> 15) & 1) ^ u32::from((b >> bit) & 1);
            crc = (crc << 1) & 0xFFFF;
            if top == 1 {
                crc ^= 0x1021;
            }
        }
    }
    (!(crc as u16)).to_be_bytes()
}

/// One CD-TEXT pack (MMC-6 Annex J): type, track, sequence, block/char position, 12
/// text bytes, CRC.
fn pack(kind: u8, track: u8, seq: u8, text: &[u8; 12]) -> [u8; 18] {
    let mut p = [0u8; 18];
    p[0] = kind;
    p[1] = track;
    p[2] = seq;
    p[4..16].copy_from_slice(text);
    let c = check_word(&p[..16]);
    p[16..18].copy_from_slice(&c);
    p
}

/// 8-bit packs to the 6-bit R-W symbols of the lead-in, 3 bytes in 4 symbols.
fn symbols(packs: &[[u8; 18]]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in packs {
        for k in p.chunks(3) {
            out.push(k[0] >> 2);
            out.push(((k[0] & 3) << 4) | (k[1] >> 4));
            out.push(((k[1] & 0x0F) << 2) | (k[2] >> 6));
            out.push(k[2] & 0x3F);
        }
    }
    out
}

/// Deterministic "audio" for block `lba` of track `t`.
fn samples(t: u8, lba: i64) -> Vec<u8> {
    let mut x = (lba as u32).wrapping_mul(2_654_435_761) ^ u32::from(t) << 24;
    (0..2352)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
        .collect()
}

fn select_page05(
    d: &mut impl Transport,
    write_type: u8,
    track_mode: u8,
    dbt: u8,
    isrc: Option<&[u8; 12]>,
) {
    let mut list = vec![0u8; 8];
    let mut page = vec![0u8; 0x34];
    page[0] = 0x05;
    page[1] = 0x32;
    page[2] = 0x40 | write_type;
    page[3] = 0xC0 | track_mode;
    page[4] = dbt;
    page[15] = 150;
    if let Some(i) = isrc {
        page[32] = 0x80;
        page[33..45].copy_from_slice(i);
    }
    list.extend_from_slice(&page);
    good(&data_out(
        d,
        &[0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x3C, 0],
        &list,
    ));
}

fn write_cdb(lba: i64, n: usize) -> [u8; 10] {
    let b = (lba as i32).to_be_bytes();
    let l = (n as u16).to_be_bytes();
    [0x2A, 0, b[0], b[1], b[2], b[3], 0, l[0], l[1], 0]
}

fn read_cd(lba: i64, n: u32, sector_type: u8, fields: u8, sub: u8) -> [u8; 12] {
    let b = (lba as i32).to_be_bytes();
    let l = n.to_be_bytes();
    [
        0xBE,
        sector_type << 2,
        b[0],
        b[1],
        b[2],
        b[3],
        l[1],
        l[2],
        l[3],
        fields,
        sub,
        0,
    ]
}

/// The three tracks' areas: track 1 index 1 at 0, track 2's pre-gap at 600, index 1 at
/// 750, index 2 at 900, track 3 (copy permitted) at 1350, lead-out at 1800.
const AREAS: [(u8, i64, i64); 3] = [(1, -150, 600), (2, 600, 1350), (3, 1350, 1800)];

fn sheet() -> Vec<u8> {
    vec![
        0x02, b'0', b'6', b'0', b'0', b'0', b'0', b'0', // MCN 0600000123456
        0x02, b'1', b'2', b'3', b'4', b'5', b'6', 0, //
        0x01, 0x00, 0x00, 0x41, 0x00, 0, 0, 0, // lead-in: CD-DA, CD-TEXT from the host
        0x03, 0x01, b'U', b'S', b'D', b'B', b'R', b'2', // ISRC USDBR2600001
        0x03, 0x01, b'6', b'0', b'0', b'0', b'0', b'1', //
        0x01, 0x01, 0x00, 0x00, 0x00, 0, 0, 0, // track 1 index 0 at -150
        0x01, 0x01, 0x01, 0x00, 0x00, 0, 2, 0, // index 1 at 0
        0x03, 0x02, b'U', b'S', b'D', b'B', b'R', b'2', // ISRC USDBR2600002
        0x03, 0x02, b'6', b'0', b'0', b'0', b'0', b'2', //
        0x01, 0x02, 0x00, 0x00, 0x00, 0, 10, 0, // track 2 pre-gap at 600
        0x01, 0x02, 0x01, 0x00, 0x00, 0, 12, 0, // index 1 at 750
        0x01, 0x02, 0x02, 0x00, 0x00, 0, 14, 0, // index 2 at 900
        0x21, 0x03, 0x01, 0x00, 0x00, 0, 20, 0, // track 3, copy permitted
        0x01, 0xAA, 0x01, 0x01, 0x00, 0, 26, 0, // lead-out at 1800
    ]
}

fn cdtext() -> Vec<[u8; 18]> {
    vec![
        pack(0x80, 0, 0, b"An Album\0One"),
        pack(0x80, 2, 1, b"\0Two\0Three\0\0"),
        pack(0x81, 0, 2, b"Performer\0P1"),
        pack(0x81, 2, 3, b"\0P2\0P3\0\0\0\0\0\0"),
        pack(0x8F, 0, 4, &[0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ]
}

#[test]
fn sao_audio_session_with_cdtext_isrc_and_mcn() {
    let (_t, path, mut d) = drive("cd-r", &[]);
    select_page05(&mut d, 2, 0, 0, None);
    let sheet = sheet();
    let n = sheet.len() as u8;
    good(&data_out(
        &mut d,
        &[0x5D, 0, 0, 0, 0, 0, 0, 0, n, 0],
        &sheet,
    ));
    // a second process takes over the powered drive with its announced sheet
    drop(d);
    let mut d = reopen(&path, &[]);
    // the lead-in: from the ATIP lead-in start 97:26:66 (LBA -11634) to -151, 96 bytes a
    // block (four packs in 6-bit symbols), the pack set repeated, as libburn writes it
    let sym = symbols(&cdtext());
    let mut cursor = 0usize;
    let mut lba = -11_634i64;
    // a first WRITE elsewhere is refused with the address the drive expects
    let c = data_out(&mut d, &write_cdb(-150, 1), &[0u8; 2352]);
    assert_eq!(ks(&c), (0x5, 0x21, 0x02));
    while lba < -150 {
        let n = (-150 - lba).min(300) as usize;
        let mut buf = Vec::with_capacity(n * 96);
        for _ in 0..n * 4 {
            buf.extend_from_slice(&sym[cursor * 24..cursor * 24 + 24]);
            cursor = (cursor + 1) % 5;
        }
        good(&data_out(&mut d, &write_cdb(lba, n), &buf));
        lba += n as i64;
    }
    // the program area: 2352-byte blocks from the first pre-gap to the lead-out; a
    // WRITE with 2048-byte blocks is short of data (the host's transfer length is wrong)
    while lba < 1800 {
        let n = (1800 - lba).min(27) as usize;
        let mut buf = Vec::with_capacity(n * 2352);
        for k in 0..n as i64 {
            let l = lba + k;
            let t = AREAS.iter().find(|a| a.1 <= l && l < a.2).unwrap().0;
            buf.extend_from_slice(&samples(t, l));
        }
        good(&data_out(&mut d, &write_cdb(lba, n), &buf));
        lba += n as i64;
    }
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    drop(d);
    let mut d = reopen(&path, &[]);

    // READ TOC format 0: tracks 1-3 at 0, 750, 1350, CONTROL 0 (audio), 2 for track 3;
    // the lead-out at 1800 (no run-out after a session-at-once track)
    let (c, toc) = data_in(&mut d, &[0x43, 0, 0, 0, 0, 0, 0, 0x03, 0x00, 0], 0x300);
    good(&c);
    assert_eq!(&toc[2..4], &[1, 3]);
    let entries: Vec<(u8, u8, u32)> = toc[4..]
        .chunks(8)
        .map(|e| (e[1], e[2], be32(e, 4)))
        .collect();
    assert_eq!(
        entries,
        vec![
            (0x10, 1, 0),
            (0x10, 2, 750),
            (0x12, 3, 1350),
            (0x12, 0xAA, 1800)
        ]
    );
    // format 2: A0 first track 1 with audio CONTROL, A2 lead-out at 00:26:00
    let (c, full) = data_in(&mut d, &[0x43, 0x02, 2, 0, 0, 0, 1, 0x03, 0x00, 0], 0x300);
    good(&c);
    let a0 = full[4..].chunks(11).find(|e| e[3] == 0xA0).unwrap();
    assert_eq!((a0[1], a0[8], a0[9]), (0x10, 1, 0x00));
    let a2 = full[4..].chunks(11).find(|e| e[3] == 0xA2).unwrap();
    assert_eq!(&a2[8..11], &[0, 26, 0]);
    // format 5: the packs once, as sent, each with a good CRC
    let (c, text) = data_in(&mut d, &[0x43, 0, 5, 0, 0, 0, 0, 0x10, 0x00, 0], 0x1000);
    good(&c);
    let want: Vec<u8> = cdtext().concat();
    assert_eq!(
        usize::from(u16::from_be_bytes([text[0], text[1]])),
        want.len() + 2
    );
    assert_eq!(&text[4..], &want[..]);
    for p in text[4..].chunks(18) {
        assert_eq!(check_word(&p[..16]), [p[16], p[17]]);
    }

    // READ CD, CD-DA expected, user data: every block as written, pre-gaps included
    for &(t, from, to) in &AREAS {
        let from = from.max(0);
        let mut l = from;
        while l < to {
            let n = (to - l).min(20) as u32;
            let (c, v) = data_in(&mut d, &read_cd(l, n, 1, 0x10, 0), n as usize * 2352);
            good(&c);
            for k in 0..n as i64 {
                let got = &v[(k as usize) * 2352..(k as usize + 1) * 2352];
                assert!(
                    got == samples(t, l + k).as_slice(),
                    "track {t} block {}",
                    l + k
                );
            }
            l += i64::from(n);
        }
    }
    // mode 1 expected on an audio block, READ(10) of one: ILLEGAL MODE FOR THIS TRACK
    let (c, _) = data_in(&mut d, &read_cd(10, 1, 2, 0x10, 0), 2352);
    assert_eq!(ks(&c), (0x5, 0x64, 0x00));
    let (c, _) = data_in(&mut d, &[0x28, 0, 0, 0, 0, 10, 0, 0, 1, 0], 2048);
    assert_eq!(ks(&c), (0x5, 0x64, 0x00));
    // past the lead-out: LOGICAL BLOCK ADDRESS OUT OF RANGE
    let (c, _) = data_in(&mut d, &read_cd(1800, 1, 0, 0x10, 0), 2352);
    assert_eq!(ks(&c), (0x5, 0x21, 0x00));

    // sub-channel Q (formatted, 16 bytes): track 2's pre-gap counts down to index 1,
    // index 2 from 900, absolute time in BCD, a valid check word
    let q = |d: &mut emu::EmuDrive, l: i64| {
        let (c, v) = data_in(d, &read_cd(l, 1, 0, 0x00, 2), 16);
        good(&c);
        assert_eq!(check_word(&v[..10]), [v[10], v[11]], "Q CRC at {l}");
        v
    };
    assert_eq!(
        &q(&mut d, 700)[..10],
        &[0x01, 0x02, 0x00, 0x00, 0x00, 0x50, 0, 0x00, 0x11, 0x25]
    );
    assert_eq!(&q(&mut d, 950)[..3], &[0x01, 0x02, 0x02]);
    assert_eq!(&q(&mut d, 1400)[..3], &[0x21, 0x03, 0x01]);
    // mode 2 (MCN) at frame 25 of a hundred, mode 3 (ISRC) at 75
    assert_eq!(
        &q(&mut d, 125)[..8],
        &[0x02, 0x06, 0x00, 0x00, 0x01, 0x23, 0x45, 0x60]
    );
    assert_eq!(q(&mut d, 175)[0], 0x03);
    // raw P-W: P set in the pre-gap, Q's first byte in bit 6 of bytes 0-7
    let (c, raw) = data_in(&mut d, &read_cd(700, 1, 1, 0x10, 1), 2352 + 96);
    good(&c);
    let pw = &raw[2352..];
    assert!(pw.iter().all(|b| b & 0x80 != 0));
    let q0: u8 = (0..8).fold(0, |acc, i| (acc << 1) | ((pw[i] >> 6) & 1));
    assert_eq!(q0, 0x01);

    // READ SUB-CHANNEL: MCN (format 2), ISRC of track 2 (format 3)
    let (c, v) = data_in(&mut d, &[0x42, 0, 0x40, 0x02, 0, 0, 0, 0, 24, 0], 24);
    good(&c);
    assert_eq!(v[8] & 0x80, 0x80);
    assert_eq!(&v[9..22], b"0600000123456");
    let (c, v) = data_in(&mut d, &[0x42, 0, 0x40, 0x03, 0, 0, 2, 0, 24, 0], 24);
    good(&c);
    assert_eq!((v[8] & 0x80, &v[9..21]), (0x80, &b"USDBR2600002"[..]));
    let (c, v) = data_in(&mut d, &[0x42, 0, 0x40, 0x03, 0, 0, 3, 0, 24, 0], 24);
    good(&c);
    assert_eq!(v[8] & 0x80, 0);
    // page 05h asked for multi-session (11b): the session is closed, the disc appendable
    let (c, di) = data_in(&mut d, &[0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0], 34);
    good(&c);
    assert_eq!(di[2] & 0x0F, 0x01);
    // the image holds no audio: the 2048-byte data view stays empty
    let len = std::fs::metadata(&path).unwrap().len();
    assert_eq!(len, 0);
}

#[test]
fn tao_audio_tracks_with_isrc() {
    let (_t, path, mut d) = drive("cd-r", &[]);
    // track mode 4 (data) with data block type 0 is refused; track mode 0 is audio
    let mut list = vec![0u8; 8];
    let mut page = vec![0u8; 0x34];
    page[0] = 0x05;
    page[1] = 0x32;
    page[2] = 0x41;
    page[3] = 0x04;
    page[4] = 0x00;
    list.extend_from_slice(&page);
    let c = data_out(&mut d, &[0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x3C, 0], &list);
    assert_eq!(ks(&c), (0x5, 0x26, 0x00));
    select_page05(&mut d, 1, 0x01, 0, Some(b"GBAYE0000001")); // pre-emphasis
    let mut starts = Vec::new();
    for t in 1..=2u8 {
        let nwa = i64::from(be32(&track_info(&mut d, 0xFF), 12));
        starts.push(nwa);
        // 200 blocks: the drive pads the track to 300 (4 s) when it closes it
        for k in (0..200).step_by(25) {
            let mut buf = Vec::new();
            for j in 0..25 {
                buf.extend_from_slice(&samples(t, k + j));
            }
            good(&data_out(&mut d, &write_cdb(nwa + k, 25), &buf));
        }
        good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        select_page05(&mut d, 1, 0x00, 0, None);
    }
    good(&none(&mut d, &[0x5B, 0, 2, 0, 0, 0, 0, 0, 0, 0]));
    drop(d);
    let mut d = reopen(&path, &[]);
    // the second track after run-out (2) and pre-gap (150)
    assert_eq!(starts, vec![0, 300 + 2 + 150]);
    let (c, toc) = data_in(&mut d, &[0x43, 0, 0, 0, 0, 0, 0, 0x03, 0x00, 0], 0x300);
    good(&c);
    let e: Vec<(u8, u8, u32)> = toc[4..]
        .chunks(8)
        .map(|e| (e[1], e[2], be32(e, 4)))
        .collect();
    assert_eq!(e, vec![(0x11, 1, 0), (0x10, 2, 452), (0x10, 0xAA, 754)]);
    // READ TRACK INFORMATION: track mode = CONTROL
    assert_eq!(track_info(&mut d, 1)[5] & 0x0F, 0x01);
    // the data read back, the padding and the gap silent
    let (c, v) = data_in(&mut d, &read_cd(452, 200, 1, 0xF8, 0), 200 * 2352);
    good(&c);
    for k in 0..200 {
        assert!(
            v[k * 2352..(k + 1) * 2352] == samples(2, k as i64)[..],
            "block {k}"
        );
    }
    let (c, v) = data_in(&mut d, &read_cd(250, 200, 1, 0x10, 0), 200 * 2352);
    good(&c);
    assert!(
        v.iter().all(|&b| b == 0),
        "padding, run-out and pre-gap are silence"
    );
    // ISRC of track 1 from page 05h; none for track 2
    let (c, v) = data_in(&mut d, &[0x42, 0, 0x40, 0x03, 0, 0, 1, 0, 24, 0], 24);
    good(&c);
    assert_eq!(&v[9..21], b"GBAYE0000001");
    let (c, v) = data_in(&mut d, &[0x42, 0, 0x40, 0x03, 0, 0, 2, 0, 24, 0], 24);
    good(&c);
    assert_eq!(v[8] & 0x80, 0);
    // a C2 selection adds 294 bytes, here without errors
    let (c, v) = data_in(&mut d, &read_cd(0, 1, 1, 0x12, 0), 2352 + 294);
    good(&c);
    assert_eq!(v.len(), 2352 + 294);
    assert!(v[2352..].iter().all(|&b| b == 0));
}

#[test]
fn bad_audio_range_fails_read_cd() {
    let (_t, path, mut d) = drive("cd-r", &[]);
    select_page05(&mut d, 1, 0x00, 0, None);
    for k in (0..300).step_by(25) {
        let mut buf = Vec::new();
        for j in 0..25 {
            buf.extend_from_slice(&samples(1, k + j));
        }
        good(&data_out(&mut d, &write_cdb(k, 25), &buf));
    }
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    good(&none(&mut d, &[0x5B, 0, 2, 0, 0, 0, 0, 0, 0, 0]));
    drop(d);
    let mut d = reopen(&path, &[("bad", "100-109")]);
    let (c, _) = data_in(&mut d, &read_cd(90, 20, 1, 0x10, 0), 20 * 2352);
    assert_eq!(ks(&c), (0x3, 0x11, 0x00));
    assert_eq!(be32(&c.sense, 3), 100);
    let (c, _) = data_in(&mut d, &read_cd(110, 20, 1, 0x10, 0), 20 * 2352);
    good(&c);
}
