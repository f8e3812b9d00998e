//! Two sessions on every writable medium by a scripted sequence of raw CDBs (write
//! parameters, WRITE at the NWA, SYNCHRONIZE CACHE, CLOSE TRACK, CLOSE SESSION), checked
//! against what MMC-6 says READ TOC, READ DISC INFORMATION and READ TRACK INFORMATION must
//! report, and read back by independent tools: genisoimage builds the second session with
//! `-C a,b -M disc` from the numbers the drive reported, xorriso and isoinfo read it from
//! the disc image file.

#![allow(clippy::unwrap_used)] // reason: test helpers, a failure is a test failure

mod emu_util;

use std::fs;
use std::path::Path;

use emu::EmuDrive;
use emu_util::*;

fn write_file(p: &Path, content: &str) {
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

fn genisoimage(args: &[&str]) -> Vec<u8> {
    let o = tool("genisoimage", args, "genisoimage");
    assert!(
        o.status.success(),
        "genisoimage {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    Vec::new()
}

/// MODE SELECT page 05h as libburn composes it (cookbook): CD TAO data, DVD-R incremental
/// with link size 16 and fixed packets of 16; multi-session 11b (keep appendable). DVD+R
/// and BD-R take no page 05h in MMC-6, but hosts (growisofs) send one: the drive accepts it.
fn select_write_parameters(d: &mut EmuDrive, profile: &str) {
    let mut page = vec![0u8; 0x34];
    page[0] = 0x05;
    page[1] = 0x32;
    match profile {
        "cd-r" | "cd-rw" => {
            page[2] = 0x41; // BUFE, TAO
            page[3] = 0xC4; // multi-session 11b, track mode 4
            page[4] = 0x08; // data block type 8
        }
        "dvd-r" => {
            page[2] = 0x60; // BUFE, LS_V, incremental
            page[3] = 0xE5; // multi-session 11b, FP, track mode 5
            page[4] = 0x08;
            page[5] = 0x10; // link size 16
            page[13] = 0x10; // packet size 16
        }
        _ => {
            page[2] = 0x40;
            page[3] = 0xC5;
            page[4] = 0x08;
        }
    }
    page[15] = 150;
    let mut list = vec![0u8; 8];
    list.extend_from_slice(&page);
    good(&data_out(
        d,
        &[0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x3C, 0x00],
        &list,
    ));
}

/// READ DISC INFORMATION, 34 bytes.
fn disc_info(d: &mut EmuDrive) -> Vec<u8> {
    let (c, v) = data_in(d, &[0x51, 0, 0, 0, 0, 0, 0, 0x00, 0x22, 0x00], 34);
    good(&c);
    v
}

/// Writes one session: WRITE(10) at `nwa`, SYNCHRONIZE CACHE, CLOSE TRACK (the last track
/// in the last session, as libburn and growisofs name it), CLOSE SESSION.
fn write_session(d: &mut EmuDrive, profile: &str, nwa: u32, image: &[u8]) {
    select_write_parameters(d, profile);
    let di = disc_info(d);
    let track = u16::from_be_bytes([di[11], di[6]]);
    write10(d, nwa, image);
    good(&none(d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    let t = track.to_be_bytes();
    good(&none(d, &[0x5B, 0x00, 0x01, 0, t[0], t[1], 0, 0, 0, 0]));
    good(&none(d, &[0x5B, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0]));
}

/// msinfo as DESIGN.md prescribes: first track of the last complete session from READ TOC
/// format 1, NWA from READ TRACK INFORMATION of the invisible track.
fn msinfo(d: &mut EmuDrive) -> (u32, u32) {
    let (c, toc) = data_in(d, &[0x43, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x0C, 0x00], 12);
    good(&c);
    let inv = track_info(d, 0xFF);
    assert_eq!(inv[7] & 1, 1, "NWA_V");
    (be32(&toc, 8), be32(&inv, 12))
}

fn pad_to_block(mut v: Vec<u8>) -> Vec<u8> {
    let r = v.len() % 2048;
    if r != 0 {
        v.resize(v.len() + 2048 - r, 0);
    }
    v
}

fn align(v: u32, a: u32) -> u32 {
    v.div_ceil(a) * a
}

/// What the drive's model says the second session's NWA is after a first track of
/// `blocks` blocks (MMC-6 §4.2.3 for CD; the modelled DVD/BD overheads of `medium`).
fn expected_nwa2(profile: &str, blocks: u32) -> u32 {
    match profile {
        "cd-r" | "cd-rw" => blocks.max(300) + 2 + 11_400,
        "dvd-r" => align(blocks, 16) + 16_384,
        "dvd+r" | "dvd+r-dl" => align(blocks, 16) + 4_096,
        "bd-r" => align(blocks, 32),
        _ => unreachable!(),
    }
}

fn check_with_tools(dir: &Path, disc: &Path, s2: &Path, b: u32) {
    let disc_s = disc.to_str().unwrap();
    // xorriso reads the second session out of the disc image file at block b
    let out = dir.join("x");
    let sb = b.to_string();
    let o = tool(
        "xorriso",
        &[
            "-osirrox",
            "on",
            "-load",
            "sbsector",
            &sb,
            "-indev",
            disc_s,
            "-extract",
            "/",
            out.to_str().unwrap(),
        ],
        "xorriso",
    );
    assert!(
        o.status.success(),
        "xorriso: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        fs::read_to_string(out.join("a.txt")).unwrap(),
        "alpha, second edition\n"
    );
    assert_eq!(
        fs::read_to_string(out.join("dir/b.txt")).unwrap(),
        "bravo\n"
    );
    assert_eq!(fs::read_to_string(out.join("c.txt")).unwrap(), "charlie\n");
    // isoinfo: the volume descriptor of the session at b (-T: start of a burned session)
    let o = tool("isoinfo", &["-d", "-i", disc_s, "-T", &sb], "genisoimage");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Volume id: SESSION2"),
        "isoinfo -d -T {b}: {text}"
    );
    let o = tool(
        "isoinfo",
        &["-l", "-R", "-i", disc_s, "-T", &sb],
        "genisoimage",
    );
    let text = String::from_utf8_lossy(&o.stdout);
    for name in ["a.txt", "b.txt", "c.txt"] {
        assert!(
            text.contains(name),
            "isoinfo -l -T {b} lacks {name}: {text}"
        );
    }
    // the session file on its own, with -N b as isoinfo's man page describes
    let o = tool(
        "isoinfo",
        &["-d", "-i", s2.to_str().unwrap(), "-N", &sb],
        "genisoimage",
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Volume id: SESSION2"),
        "isoinfo -N {b}: {text}"
    );
}

fn trees(dir: &Path) {
    write_file(&dir.join("t1/a.txt"), "alpha\n");
    write_file(&dir.join("t1/dir/b.txt"), "bravo\n");
    write_file(&dir.join("t2/a.txt"), "alpha, second edition\n");
    write_file(&dir.join("t2/c.txt"), "charlie\n");
}

fn two_sessions_sequential(profile: &str) {
    let (tmp, disc, mut d) = drive(profile, &[]);
    let dir = tmp.path();
    trees(dir);
    let s1 = dir.join("s1.iso");
    genisoimage(&[
        "-quiet",
        "-R",
        "-V",
        "SESSION1",
        "-o",
        s1.to_str().unwrap(),
        dir.join("t1").to_str().unwrap(),
    ]);
    let img1 = pad_to_block(fs::read(&s1).unwrap());
    let blocks1 = (img1.len() / 2048) as u32;

    // blank: disc status empty, the invisible track at 0
    let di = disc_info(&mut d);
    assert_eq!(di[2] & 0x0F, 0x00, "blank disc status");
    let inv = track_info(&mut d, 0xFF);
    assert_eq!(be32(&inv, 12), 0);
    write_session(&mut d, profile, 0, &img1);

    // after one session: appendable (01b), last session empty (00b), 2 sessions counted
    // (the empty one included), first/last track in last session 2 (the invisible track)
    let di = disc_info(&mut d);
    assert_eq!(di[2] & 0x0F, 0x01, "{profile}: disc status after session 1");
    assert_eq!(
        (di[4], di[5], di[6]),
        (2, 2, 2),
        "{profile}: sessions/tracks"
    );
    let (a, b) = msinfo(&mut d);
    assert_eq!(a, 0);
    assert_eq!(
        b,
        expected_nwa2(profile, blocks1),
        "{profile}: NWA of session 2"
    );
    // DVD style (cookbook): track info of the last track in the last session gives the same
    let t = track_info(&mut d, u32::from(di[6]));
    assert_eq!(be32(&t, 12), b);

    // session 2 made by genisoimage from the drive's numbers, merged with session 1
    let s2 = dir.join("s2.iso");
    let c = format!("{a},{b}");
    genisoimage(&[
        "-quiet",
        "-R",
        "-V",
        "SESSION2",
        "-C",
        &c,
        "-M",
        disc.to_str().unwrap(),
        "-o",
        s2.to_str().unwrap(),
        dir.join("t2").to_str().unwrap(),
    ]);
    let img2 = pad_to_block(fs::read(&s2).unwrap());
    let blocks2 = (img2.len() / 2048) as u32;
    write_session(&mut d, profile, b, &img2);

    // READ TOC format 1: sessions 1..2, first track of the last complete session (2) at b
    let (c, toc) = data_in(
        &mut d,
        &[0x43, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x0C, 0x00],
        12,
    );
    good(&c);
    assert_eq!(&toc[..8], &[0x00, 0x0A, 0x01, 0x02, 0x00, 0x14, 0x02, 0x00]);
    assert_eq!(be32(&toc, 8), b);
    // READ DISC INFORMATION: appendable, 3 sessions with the empty one, track 3 next
    let di = disc_info(&mut d);
    assert_eq!(di[2] & 0x0F, 0x01);
    assert_eq!((di[4], di[5], di[6]), (3, 3, 3));
    // READ TRACK INFORMATION of track 2: session 2, starts at b, complete, no NWA
    let t = track_info(&mut d, 2);
    assert_eq!((t[2], t[3]), (2, 2));
    assert_eq!(be32(&t, 8), b);
    assert_eq!(t[7] & 1, 0);
    assert!(be32(&t, 24) >= blocks2);
    // last recorded address: the data, plus the padding the drive adds when closing
    assert!(be32(&t, 28) >= b + blocks2 - 1, "last recorded address");
    assert!(be32(&t, 28) < b + be32(&t, 24), "last recorded address");
    // and the next session after it
    let inv = track_info(&mut d, 0xFF);
    let end2 = b + be32(&t, 24);
    let next = match profile {
        "cd-r" | "cd-rw" => end2 + 6_900,
        "dvd-r" => end2 + 3_072,
        "dvd+r" | "dvd+r-dl" => end2 + 4_096,
        _ => end2,
    };
    assert_eq!(be32(&inv, 12), next, "{profile}: NWA of session 3");
    drop(d);

    check_with_tools(dir, &disc, &s2, b);

    // reopening needs no options and shows the same disc
    let mut d = reopen(&disc, &[]);
    assert_eq!(msinfo(&mut d), (b, next));
}

/// Overwritable media have no sessions: the host emulates them (growisofs, xorriso): the
/// next session at the previous volume's end rounded up to 32 blocks, then the new volume
/// descriptors copied to LBA 16.
fn two_sessions_overwritable(profile: &str) {
    let (tmp, disc, mut d) = drive(profile, &[]);
    let dir = tmp.path();
    trees(dir);
    if profile == "bd-re" {
        // FORMAT UNIT type 00h with the default size from READ FORMAT CAPACITIES
        let (_, v) = data_in(&mut d, &[0x23, 0, 0, 0, 0, 0, 0, 0x00, 0xFC, 0], 252);
        let mut p = vec![0x00, 0x02, 0x00, 0x08];
        p.extend_from_slice(&v[12..20]);
        good(&data_out(&mut d, &[0x04, 0x11, 0, 0, 0, 0], &p));
    }
    let s1 = dir.join("s1.iso");
    genisoimage(&[
        "-quiet",
        "-R",
        "-V",
        "SESSION1",
        "-o",
        s1.to_str().unwrap(),
        dir.join("t1").to_str().unwrap(),
    ]);
    let img1 = pad_to_block(fs::read(&s1).unwrap());
    select_write_parameters(&mut d, profile);
    write10(&mut d, 0, &img1);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    // close functions are accepted as no-ops on overwritable media
    good(&none(&mut d, &[0x5B, 0x00, 0x01, 0, 0, 1, 0, 0, 0, 0]));
    good(&none(&mut d, &[0x5B, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0]));
    // disc info: complete disc, one session, one track; TOC format 1: session 1 at 0
    let di = disc_info(&mut d);
    assert_eq!(di[2] & 0x03, 0x02);
    assert_eq!((di[4], di[5], di[6]), (1, 1, 1));
    let (c, toc) = data_in(
        &mut d,
        &[0x43, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x0C, 0x00],
        12,
    );
    good(&c);
    assert_eq!(
        toc,
        [0x00, 0x0A, 0x01, 0x01, 0x00, 0x14, 0x01, 0x00, 0, 0, 0, 0]
    );
    // the host reads the PVD's volume space size through READ(10)
    let (c, pvd) = data_in(&mut d, &[0x28, 0, 0, 0, 0, 16, 0, 0, 1, 0], 2048);
    good(&c);
    assert_eq!(&pvd[..6], b"\x01CD001");
    let size = u32::from_le_bytes([pvd[80], pvd[81], pvd[82], pvd[83]]);
    let b = align(size, 32);
    let s2 = dir.join("s2.iso");
    let cc = format!("0,{b}");
    genisoimage(&[
        "-quiet",
        "-R",
        "-V",
        "SESSION2",
        "-C",
        &cc,
        "-M",
        disc.to_str().unwrap(),
        "-o",
        s2.to_str().unwrap(),
        dir.join("t2").to_str().unwrap(),
    ]);
    let img2 = pad_to_block(fs::read(&s2).unwrap());
    write10(&mut d, b, &img2);
    // the newest volume descriptors (blocks 16.. of the session) to LBA 16, with the volume
    // space size patched to cover everything from LBA 0 (growisofs, libburn cookbook)
    let mut vds = img2[16 * 2048..18 * 2048].to_vec();
    let total = b + (img2.len() / 2048) as u32;
    vds[80..84].copy_from_slice(&total.to_le_bytes());
    vds[84..88].copy_from_slice(&total.to_be_bytes());
    write10(&mut d, 16, &vds);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    let t = track_info(&mut d, 1);
    assert_eq!(be32(&t, 8), 0);
    drop(d);
    check_with_tools(dir, &disc, &s2, b);
    // LBA 16 now shows the merged tree too (mount without sbsector)
    let out = dir.join("y");
    let o = tool(
        "xorriso",
        &[
            "-osirrox",
            "on",
            "-indev",
            disc.to_str().unwrap(),
            "-extract",
            "/",
            out.to_str().unwrap(),
        ],
        "xorriso",
    );
    assert!(
        o.status.success(),
        "xorriso: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(fs::read_to_string(out.join("c.txt")).unwrap(), "charlie\n");
}

#[test]
fn two_sessions_cd_r() {
    two_sessions_sequential("cd-r");
}

#[test]
fn two_sessions_cd_rw() {
    two_sessions_sequential("cd-rw");
}

#[test]
fn two_sessions_dvd_r() {
    two_sessions_sequential("dvd-r");
}

#[test]
fn two_sessions_dvd_plus_r() {
    two_sessions_sequential("dvd+r");
}

#[test]
fn two_sessions_dvd_plus_r_dl() {
    two_sessions_sequential("dvd+r-dl");
}

#[test]
fn two_sessions_bd_r() {
    two_sessions_sequential("bd-r");
}

#[test]
fn two_sessions_dvd_plus_rw() {
    two_sessions_overwritable("dvd+rw");
}

#[test]
fn two_sessions_bd_re() {
    two_sessions_overwritable("bd-re");
}
