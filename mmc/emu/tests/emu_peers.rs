//! What the classic burners and the Linux kernel needed from the emulated drive (issue 11):
//! each test names the peer's command, the answer it got before, and the answer MMC-6 (or
//! the peer's documented expectation) gives, sent as the peer sends it (raw CDB bytes).
//! The same paths run end to end in the guest in `tests/tests/guest_classic_burners.rs`.

#![allow(clippy::unwrap_used)] // reason: test helpers, a failure is a test failure

mod emu_util;

use emu_util::*;

/// MODE SELECT(10) of page 05h with bytes 2-5 `b` and packet size `packet`.
fn write_page05(d: &mut emu::EmuDrive, b: [u8; 4], packet: u8) {
    let mut page = vec![0u8; 0x34];
    page[0] = 0x05;
    page[1] = 0x32;
    page[2..6].copy_from_slice(&b);
    page[13] = packet;
    page[15] = 150;
    let mut list = vec![0u8; 8];
    list.extend_from_slice(&page);
    good(&data_out(
        d,
        &[0x55, 0x10, 0, 0, 0, 0, 0, 0, 0x3C, 0],
        &list,
    ));
}

/// `growisofs -Z /dev/srN` on a blank DVD-R: growisofs reads the invisible track and
/// refuses one that claims fixed packets ("track is formatted for fixed packet size",
/// transport.hxx): incremental DVD-R tracks are written in variable packets with link
/// blocks (MMC-6 §4.5.3.1), so READ TRACK INFORMATION has Packet/Inc 1 and FP 0. The
/// emulator answered FP 1 with a fixed packet size of 16.
#[test]
fn growisofs_dvd_r_track_is_incremental_with_variable_packets() {
    let (_tmp, _path, mut d) = drive("dvd-r", &[]);
    // growisofs: READ TRACK INFORMATION, address type 1, track 1, 32 bytes
    let (c, t) = data_in(&mut d, &[0x52, 0x01, 0, 0, 0, 1, 0, 0, 32, 0], 32);
    good(&c);
    assert_eq!(t[6] & 0x20, 0x20, "Packet/Inc: incremental recording");
    assert_eq!(t[6] & 0x10, 0, "FP must be 0 on a sequential DVD-R track");
    assert_eq!(t[6] & 0x0F, 0x0F, "data mode Fh on the blank track");
    // the same after a first track is written and closed (growisofs -M reads the next one)
    // page 05h as growisofs sets it for DVD-R: incremental, LS_V, link size 16, FP with
    // packet size 16 (transport.hxx), multi-session 11b
    write_page05(&mut d, [0x60, 0xE5, 0x08, 0x10], 16);
    write10(&mut d, 0, &vec![0u8; 32 * 2048]);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    good(&none(&mut d, &[0x5B, 0, 0x01, 0, 0, 1, 0, 0, 0, 0]));
    let t1 = track_info(&mut d, 1);
    assert_eq!(t1[6] & 0x30, 0x20, "closed track: Packet/Inc 1, FP 0");
}

/// `growisofs -Z /dev/srN` on a DVD+RW ends with "stopping de-icing": CLOSE TRACK SESSION
/// close function 000b, which MMC-6 §6.3.3 defines for DVD+RW as the quick stop of a
/// background format. The emulator answered INVALID FIELD IN CDB (growisofs printed
/// ":-[ STOP DE-ICING failed with SK=5h/INVALID FIELD IN CDB]"); a drive whose format has
/// completed has nothing to stop and answers GOOD.
#[test]
fn growisofs_dvd_plus_rw_stop_de_icing_is_accepted() {
    let (_tmp, _path, mut d) = drive("dvd+rw", &[]);
    // growisofs pre-formats the blank DVD+RW: FORMAT UNIT type 26h, IMMED
    let fmt = [0, 0x02, 0, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0x26 << 2, 0, 0, 0];
    good(&data_out(&mut d, &[0x04, 0x11, 0, 0, 0, 0], &fmt));
    write10(&mut d, 0, &vec![0u8; 32 * 2048]);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    good(&none(&mut d, &[0x5B, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0]));
    // close function 000b stays refused where MMC gives it no meaning
    let (_t2, _p2, mut bd) = drive("bd-re", &[]);
    let c = none(&mut bd, &[0x5B, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(ks(&c), (0x05, 0x24, 0x00));
}

/// `growisofs -Z /dev/srN` on a blank BD-R first asks READ FORMAT CAPACITIES with an
/// allocation length of 12 and exits ":-( FORMAT allocaion length isn't sane" unless the
/// capacity list length is a multiple of 8 and at least 16: a blank BD-R offers format
/// type 32h (spare areas, MMC-6 §6.24.3.3) besides the current/maximum descriptor. The
/// emulator listed the current descriptor only. Formatting (which growisofs does unless
/// `-use-the-force-luke=spare:none`) is offered as subtype SRM-POW; SRM+POW, which
/// growisofs asks for, needs the BD-R Pseudo-Overwrite feature this drive does not claim.
#[test]
fn growisofs_blank_bd_r_gets_a_sane_format_capacity_list() {
    let (_tmp, path, mut d) = drive("bd-r", &[]);
    let (c, v) = data_in(&mut d, &[0x23, 0, 0, 0, 0, 0, 0, 0, 12, 0], 12);
    good(&c);
    let len = usize::from(v[3]);
    assert!(len % 8 == 0 && len >= 16, "capacity list length {len}");
    let (c, v) = data_in(
        &mut d,
        &[0x23, 0, 0, 0, 0, 0, 0, 0, (4 + len) as u8, 0],
        4 + len,
    );
    good(&c);
    assert_eq!(usize::from(v[3]), len, "same length for the full list");
    assert_eq!(
        v[8] & 0x03,
        0x01,
        "current descriptor: unformatted or blank"
    );
    assert_eq!(be32(&v, 4), 12_219_392);
    assert_eq!(v[12 + 4] >> 2, 0x32, "a format type 32h descriptor");
    let spared = be32(&v, 12);
    assert!(spared > 0 && spared < 12_219_392);
    // growisofs's default: FORMAT UNIT type 32h, subtype 00b (SRM+POW): refused, disc blank
    let mut fmt = vec![0, 0x02, 0, 8];
    fmt.extend_from_slice(&v[12..17]);
    fmt.extend_from_slice(&[0, 0, 0]);
    fmt[8] &= !0x03;
    let c = data_out(&mut d, &[0x04, 0x11, 0, 0, 0, 0], &fmt);
    assert_eq!(ks(&c), (0x05, 0x26, 0x00));
    let (_, di) = data_in(&mut d, &[0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0], 34);
    assert_eq!(di[2] & 0x03, 0, "still blank");
    // subtype 01b (SRM-POW): spare areas set aside, recording stays sequential
    fmt[8] |= 0x01;
    good(&data_out(&mut d, &[0x04, 0x11, 0, 0, 0, 0], &fmt));
    drop(d);
    let mut d = reopen(&path, &[]);
    let (c, v) = data_in(&mut d, &[0x23, 0, 0, 0, 0, 0, 0, 0, 12, 0], 12);
    good(&c);
    assert_eq!(v[3], 8, "formatted: the current descriptor only");
    assert_eq!(v[8] & 0x03, 0x02, "formatted media");
    assert_eq!(be32(&v, 4), spared);
    let t = track_info(&mut d, 1);
    assert_eq!(be32(&t, 12), 0, "NWA 0: still sequential");
    assert_eq!(be32(&t, 16), spared, "free blocks of the formatted size");
    // a formatted BD-R is not formatted again
    let c = data_out(&mut d, &[0x04, 0x11, 0, 0, 0, 0], &fmt);
    assert!(!c.is_good());
}

/// `growisofs -Z /dev/srN` on a blank DVD-R, DVD+R or DVD+R DL calibrates the laser first:
/// SEND OPC INFORMATION with DoOpc (54h 01h, no parameter list). The emulator answered
/// INVALID COMMAND OPERATION CODE (growisofs printed ":-[ PERFORM OPC failed with
/// SK=5h/INVALID COMMAND OPERATION CODE]" and went on). MMC-6 §6.35: the drive performs
/// OPC; GOOD. wodim sends the same before a CD ("Performing OPC...").
#[test]
fn growisofs_perform_opc_is_accepted() {
    for profile in ["dvd-r", "dvd+r", "dvd+r-dl", "cd-r", "bd-r"] {
        let (_tmp, _path, mut d) = drive(profile, &[]);
        good(&none(&mut d, &[0x54, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]));
        // an OPC table entry handed in (DoOpc 0): 8 bytes
        let entry = [0x1B, 0x58, 0, 0, 0, 0, 0, 0];
        good(&data_out(
            &mut d,
            &[0x54, 0x00, 0, 0, 0, 0, 0, 0, 8, 0],
            &entry,
        ));
    }
    // a parameter list that is not whole entries is refused
    let (_tmp, _path, mut d) = drive("dvd+r", &[]);
    let c = data_out(&mut d, &[0x54, 0x00, 0, 0, 0, 0, 0, 0, 5, 0], &[0; 5]);
    assert_eq!(ks(&c), (0x05, 0x1A, 0x00));
}
