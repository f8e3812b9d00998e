//! The host side of this crate (`mmc::Drive`, msinfo) against the emulated drive, for every
//! medium and state: the two sides were written independently from MMC-6, so every
//! response the emulator sends must parse, and msinfo must give the drive's own numbers.
#![allow(clippy::unwrap_used)] // reason: test helpers, a failure is a test failure

#[path = "../emu/tests/emu_util/mod.rs"]
mod emu_util;

use emu::EmuDrive;
use emu_util::*;
use mmc::cmd::track_info::TrackAddress;
use mmc::drive::Drive;
use mmc::msinfo::{msinfo, Msinfo};

/// One closed, appendable session of `blocks` blocks written by raw CDBs.
fn session(d: &mut EmuDrive, blocks: u32) -> u32 {
    let mut list = vec![0u8; 8];
    let mut page = vec![0u8; 0x34];
    let cd = matches!(&d.disc().medium.option_name()[..2], "cd");
    page[..5].copy_from_slice(&[
        0x05,
        0x32,
        if cd { 0x41 } else { 0x40 },
        if cd { 0xC4 } else { 0xC5 },
        0x08,
    ]);
    list.extend_from_slice(&page);
    good(&data_out(
        d,
        &[0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x3C, 0],
        &list,
    ));
    let nwa = be32(&track_info(d, 0xFF), 12);
    // an ISO-like first block set: a PVD at 16 so overwritable msinfo finds a volume
    let mut img = vec![0u8; blocks as usize * 2048];
    let pvd = 16 * 2048;
    img[pvd..pvd + 6].copy_from_slice(b"\x01CD001");
    img[pvd + 80..pvd + 84].copy_from_slice(&blocks.to_le_bytes());
    img[pvd + 84..pvd + 88].copy_from_slice(&blocks.to_be_bytes());
    img[17 * 2048..17 * 2048 + 6].copy_from_slice(b"\xFFCD001");
    write10(d, nwa, &img);
    good(&none(d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    good(&none(d, &[0x5B, 0, 0x01, 0, 0, 0xFF, 0, 0, 0, 0]));
    good(&none(d, &[0x5B, 0, 0x02, 0, 0, 0, 0, 0, 0, 0]));
    nwa
}

fn exercise(profile: &str, sessions: u32) -> (EmuDrive, tempfile::TempDir) {
    let (t, _p, mut d) = drive(profile, &[]);
    if profile == "bd-re" {
        good(&data_out(
            &mut d,
            &[0x04, 0x11, 0, 0, 0, 0],
            &[0, 2, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0],
        ));
    }
    let overwritable = matches!(profile, "dvd+rw" | "bd-re");
    for _ in 0..sessions {
        if overwritable {
            // one volume at 0 is what the host's session emulation finds
            let mut img = vec![0u8; 64 * 2048];
            img[16 * 2048..16 * 2048 + 6].copy_from_slice(b"\x01CD001");
            img[16 * 2048 + 80..16 * 2048 + 84].copy_from_slice(&64u32.to_le_bytes());
            img[16 * 2048 + 84..16 * 2048 + 88].copy_from_slice(&64u32.to_be_bytes());
            img[17 * 2048..17 * 2048 + 6].copy_from_slice(b"\xFFCD001");
            write10(&mut d, 0, &img);
            good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        } else {
            session(&mut d, 400);
        }
    }
    let mut drive = Drive::new(&mut d);
    drive.identify().unwrap();
    drive.serial_number().unwrap();
    drive.capabilities().unwrap();
    drive.current_profile().unwrap();
    assert!(
        drive.profiles().unwrap().len() >= 11,
        "{profile}: profile list"
    );
    drive.features().unwrap();
    drive.disc_info().unwrap();
    if !overwritable {
        drive.track_info(TrackAddress::Track(0xFF)).unwrap();
    }
    drive.track_info(TrackAddress::Lba(0)).ok();
    if sessions > 0 {
        drive.toc(false).unwrap();
        drive.toc(true).unwrap();
        drive.session_info().unwrap();
        if profile.starts_with("cd") {
            drive.full_toc().unwrap();
        }
    }
    if matches!(profile, "cd-r" | "cd-rw") {
        drive.atip().unwrap();
    }
    drive.read_capacity().unwrap();
    drive.format_capacities().unwrap();
    drive.write_speeds().unwrap();
    drive.read_performance().unwrap();
    drive.speeds().unwrap();
    drive.buffer_capacity().unwrap();
    drive.media_event().unwrap();
    drive.mechanism_status().unwrap();
    (d, t)
}

fn check_msinfo(profile: &str) {
    let (mut d, _t) = exercise(profile, 0);
    let m = msinfo(&mut Drive::new(&mut d)).unwrap();
    if !matches!(profile, "dvd+rw" | "bd-re") {
        assert_eq!(m, Msinfo::Blank, "{profile} blank");
    }
    let (mut d, _t) = exercise(profile, 2);
    let m = msinfo(&mut Drive::new(&mut d)).unwrap();
    let toc = {
        let (c, v) = data_in(&mut d, &[0x43, 0, 1, 0, 0, 0, 0, 0, 0x0C, 0], 12);
        good(&c);
        v
    };
    match profile {
        "dvd+rw" | "bd-re" => {
            assert_eq!(
                m,
                Msinfo::Appendable {
                    last_session_start: 0,
                    next_writable: 64
                },
                "{profile}"
            );
        }
        _ => {
            let nwa = be32(&track_info(&mut d, 0xFF), 12);
            assert_eq!(
                m,
                Msinfo::Appendable {
                    last_session_start: be32(&toc, 8),
                    next_writable: nwa
                },
                "{profile}"
            );
        }
    }
}

#[test]
fn drive_and_msinfo_cd_r() {
    check_msinfo("cd-r");
}
#[test]
fn drive_and_msinfo_cd_rw() {
    check_msinfo("cd-rw");
}
#[test]
fn drive_and_msinfo_dvd_r() {
    check_msinfo("dvd-r");
}
#[test]
fn drive_and_msinfo_dvd_plus_r() {
    check_msinfo("dvd+r");
}
#[test]
fn drive_and_msinfo_dvd_plus_r_dl() {
    check_msinfo("dvd+r-dl");
}
#[test]
fn drive_and_msinfo_bd_r() {
    check_msinfo("bd-r");
}
#[test]
fn drive_and_msinfo_dvd_plus_rw() {
    check_msinfo("dvd+rw");
}
#[test]
fn drive_and_msinfo_bd_re() {
    check_msinfo("bd-re");
}
