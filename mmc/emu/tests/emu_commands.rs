//! The emulated drive, one command at a time: literal CDB bytes in, and the response bytes
//! MMC-6 / SPC-4 tables prescribe out (written here by hand from the tables, not produced by
//! any encoder of ours).

mod emu_util;

use emu_util::*;

#[test]
fn inquiry_standard_data() {
    // SPC-4 §6.6.2 table 142: PDT 05h, RMB, version, response format 2, additional length 31.
    let (_t, _p, mut d) = drive("cd-r", &[]);
    let (c, v) = data_in(&mut d, &[0x12, 0x00, 0x00, 0x00, 0x24, 0x00], 36);
    good(&c);
    let mut want = vec![0x05, 0x80, 0x05, 0x02, 0x1F, 0x00, 0x00, 0x00];
    want.extend_from_slice(b"DISCBURN");
    want.extend_from_slice(b"EMULATED DRIVE  ");
    want.extend_from_slice(b"1.00");
    assert_eq!(v, want);
    // allocation length 5 cuts the answer, residual reports the rest of the buffer
    let (c, v) = data_in(&mut d, &[0x12, 0x00, 0x00, 0x00, 0x05, 0x00], 36);
    good(&c);
    assert_eq!(v, [0x05, 0x80, 0x05, 0x02, 0x1F]);
    assert_eq!(c.residual, 31);
}

#[test]
fn inquiry_vpd_pages() {
    let (_t, _p, mut d) = drive("cd-r", &[]);
    let (c, v) = data_in(&mut d, &[0x12, 0x01, 0x00, 0x00, 0xFF, 0x00], 255);
    good(&c);
    assert_eq!(v, [0x05, 0x00, 0x00, 0x03, 0x00, 0x80, 0x83]);
    // page 83h (SPC-4 §7.8.6): one T10 vendor ID designator, ASCII, logical unit
    let (c, v) = data_in(&mut d, &[0x12, 0x01, 0x83, 0x00, 0xFF, 0x00], 255);
    good(&c);
    assert_eq!(&v[..8], &[0x05, 0x83, 0x00, 38, 0x02, 0x01, 0x00, 34]);
    assert_eq!(&v[8..16], b"DISCBURN");
    let (c, v) = data_in(&mut d, &[0x12, 0x01, 0x80, 0x00, 0xFF, 0x00], 255);
    good(&c);
    assert_eq!(&v[..4], &[0x05, 0x80, 0x00, 10]);
    // page code without EVPD: INVALID FIELD IN CDB
    let (c, _) = data_in(&mut d, &[0x12, 0x00, 0x80, 0x00, 0xFF, 0x00], 255);
    assert_eq!(ks(&c), (0x5, 0x24, 0x00));
}

#[test]
fn unknown_opcode_and_request_sense() {
    let (_t, _p, mut d) = drive("cd-r", &[]);
    // A2h SECURITY PROTOCOL IN is not implemented: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE
    let c = none(&mut d, &[0xA2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(ks(&c), (0x5, 0x20, 0x00));
    // REQUEST SENSE returns it in fixed format (SPC-4 §4.5.3 table 50) ...
    let (c, v) = data_in(&mut d, &[0x03, 0x00, 0x00, 0x00, 0x12, 0x00], 18);
    good(&c);
    assert_eq!(
        v,
        [0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x20, 0x00, 0, 0, 0, 0]
    );
    // ... once; then NO SENSE
    let (c, v) = data_in(&mut d, &[0x03, 0x00, 0x00, 0x00, 0x12, 0x00], 18);
    good(&c);
    assert_eq!(
        v,
        [0x70, 0, 0x00, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    );
}

#[test]
fn test_unit_ready_and_tray() {
    let (_t, _p, mut d) = drive("dvd+r", &[]);
    good(&none(&mut d, &[0x00, 0, 0, 0, 0, 0]));
    // START STOP UNIT LoEj=1 Start=0: eject
    good(&none(&mut d, &[0x1B, 0x00, 0x00, 0x00, 0x02, 0x00]));
    // NOT READY, MEDIUM NOT PRESENT - TRAY OPEN for media commands
    assert_eq!(ks(&none(&mut d, &[0x00, 0, 0, 0, 0, 0])), (0x2, 0x3A, 0x02));
    let (c, _) = data_in(&mut d, &[0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0], 34);
    assert_eq!(ks(&c), (0x2, 0x3A, 0x02));
    // GET CONFIGURATION still answers, current profile 0000h
    let (c, v) = data_in(&mut d, &[0x46, 0x01, 0, 0, 0, 0, 0, 0, 0x08, 0], 8);
    good(&c);
    assert_eq!(&v[6..8], &[0, 0]);
    // MECHANISM STATUS: door open (MMC-6 §6.11 table 331 byte 1 bit 4)
    let (c, v) = data_in(&mut d, &[0xBD, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x08, 0, 0], 8);
    good(&c);
    assert_eq!(v, [0x00, 0x10, 0, 0, 0, 0, 0, 0]);
    // load: UNIT ATTENTION, NOT READY TO READY CHANGE, then ready
    good(&none(&mut d, &[0x1B, 0x00, 0x00, 0x00, 0x03, 0x00]));
    assert_eq!(ks(&none(&mut d, &[0x00, 0, 0, 0, 0, 0])), (0x6, 0x28, 0x00));
    good(&none(&mut d, &[0x00, 0, 0, 0, 0, 0]));
}

#[test]
fn prevent_allow_blocks_eject() {
    let (_t, _p, mut d) = drive("cd-r", &[]);
    good(&none(&mut d, &[0x1E, 0, 0, 0, 0x01, 0]));
    // ILLEGAL REQUEST, MEDIUM REMOVAL PREVENTED
    assert_eq!(
        ks(&none(&mut d, &[0x1B, 0, 0, 0, 0x02, 0])),
        (0x5, 0x53, 0x02)
    );
    good(&none(&mut d, &[0x1E, 0, 0, 0, 0x00, 0]));
    good(&none(&mut d, &[0x1B, 0, 0, 0, 0x02, 0]));
}

#[test]
fn mode_sense_write_parameters_cd() {
    // MMC-6 §7.5.4 table 644: page 05h, length 32h; CD default: BUFE, write type TAO,
    // track mode 4, data block type 8, audio pause length 150.
    let (_t, _p, mut d) = drive("cd-r", &[]);
    let (c, v) = data_in(
        &mut d,
        &[0x5A, 0x00, 0x05, 0x00, 0, 0, 0, 0x00, 0x3C, 0x00],
        60,
    );
    good(&c);
    let mut want = vec![0x00, 0x3A, 0, 0, 0, 0, 0x00, 0x00];
    want.extend_from_slice(&[0x05, 0x32, 0x41, 0x04, 0x08, 0x00, 0x00, 0x00]);
    want.extend_from_slice(&[0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x96]);
    want.extend_from_slice(&[0u8; 36]);
    assert_eq!(v, want);
    // saved values: SAVING PARAMETERS NOT SUPPORTED
    let (c, _) = data_in(
        &mut d,
        &[0x5A, 0x00, 0xC5, 0x00, 0, 0, 0, 0x00, 0x3C, 0x00],
        60,
    );
    assert_eq!(ks(&c), (0x5, 0x39, 0x00));
    // unknown page: INVALID FIELD IN CDB
    let (c, _) = data_in(
        &mut d,
        &[0x5A, 0x00, 0x0E, 0x00, 0, 0, 0, 0x00, 0x3C, 0x00],
        60,
    );
    assert_eq!(ks(&c), (0x5, 0x24, 0x00));
}

#[test]
fn mode_select_write_parameters() {
    let (_t, _p, mut d) = drive("cd-r", &[]);
    let mut list = vec![0u8; 8];
    let mut page = vec![0u8; 0x34];
    page[0] = 0x05;
    page[1] = 0x32;
    page[2] = 0x41; // BUFE, TAO
    page[3] = 0xC4; // multi-session 11b, track mode 4
    page[4] = 0x08;
    page[15] = 150;
    list.extend_from_slice(&page);
    let c = data_out(&mut d, &[0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x3C, 0], &list);
    good(&c);
    // the drive took the whole parameter list: no residual on a data-out phase
    assert_eq!(c.residual, 0);
    let (_, v) = data_in(
        &mut d,
        &[0x5A, 0x00, 0x05, 0x00, 0, 0, 0, 0x00, 0x3C, 0x00],
        60,
    );
    assert_eq!(&v[8..13], &[0x05, 0x32, 0x41, 0xC4, 0x08]);
    // SAO (write type 2) is taken on CD-R (the cue sheet follows); raw (3) is not:
    // INVALID FIELD IN PARAMETER LIST
    list[8 + 2] = 0x42;
    let c = data_out(&mut d, &[0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x3C, 0], &list);
    good(&c);
    list[8 + 2] = 0x43;
    let c = data_out(&mut d, &[0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x3C, 0], &list);
    assert_eq!(ks(&c), (0x5, 0x26, 0x00));
    list[8 + 2] = 0x42;
    // PF=0: INVALID FIELD IN CDB
    let c = data_out(&mut d, &[0x55, 0x00, 0, 0, 0, 0, 0, 0x00, 0x3C, 0], &list);
    assert_eq!(ks(&c), (0x5, 0x24, 0x00));
    // a page running past the list: PARAMETER LIST LENGTH ERROR
    let c = data_out(&mut d, &[0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x10, 0], &list);
    assert_eq!(ks(&c), (0x5, 0x1A, 0x00));
    // test write on DVD+R cannot be simulated
    let (_t2, _p2, mut d2) = drive("dvd+r", &[]);
    let mut l2 = vec![0u8; 8];
    let mut p2 = vec![0u8; 0x34];
    p2[0] = 0x05;
    p2[1] = 0x32;
    p2[2] = 0x50;
    p2[3] = 0x05;
    p2[4] = 0x08;
    l2.extend_from_slice(&p2);
    let c = data_out(&mut d2, &[0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x3C, 0], &l2);
    assert_eq!(ks(&c), (0x5, 0x26, 0x00));
}

#[test]
fn mode_sense6_and_mode_select6() {
    // SPC-4 §6.11 MODE SENSE(6): allocation length in byte 4; the answer's 4-byte mode
    // parameter header (§7.5.5 table 450) counts the bytes after its first in byte 0, no
    // block descriptors (byte 3 = 0). The Linux sr driver (get_capabilities) and QEMU's
    // scsi-generic probe page 2Ah this way; the pages are those of MODE SENSE(10).
    let (_t, _p, mut d) = drive("cd-r", &[]);
    let (c, v) = data_in(&mut d, &[0x1A, 0x00, 0x05, 0x00, 0xFF, 0x00], 255);
    good(&c);
    assert_eq!(&v[..4], &[0x37, 0x00, 0x00, 0x00]);
    assert_eq!(&v[4..9], &[0x05, 0x32, 0x41, 0x04, 0x08]);
    assert_eq!(v.len(), 4 + 0x34);
    let (_, v10) = data_in(
        &mut d,
        &[0x5A, 0x00, 0x3F, 0x00, 0, 0, 0, 0x01, 0x00, 0x00],
        256,
    );
    let (c, v6) = data_in(&mut d, &[0x1A, 0x00, 0x3F, 0x00, 0xFF, 0x00], 255);
    good(&c);
    assert_eq!(
        &v6[4..],
        &v10[8..],
        "page 3Fh: the same pages after either header"
    );
    assert_eq!(usize::from(v6[0]) + 1, v6.len());
    // allocation length 20 cuts the answer, the header still counts it all
    let (c, v) = data_in(&mut d, &[0x1A, 0x00, 0x2A, 0x00, 20, 0x00], 255);
    good(&c);
    assert_eq!(v.len(), 20);
    assert_eq!(usize::from(v[0]) + 1, 4 + v10.len() - 8 - 12 - 0x34);
    // unknown page and saved values refused as with MODE SENSE(10); the vendor page 30h
    // wodim probes gets INVALID FIELD IN CDB, what SPC-4 §6.12 prescribes for a page the
    // drive lacks and what wodim takes (guest_structure runs wodim -checkdrive)
    let (c, _) = data_in(&mut d, &[0x1A, 0x00, 0x0A, 0x00, 0xFF, 0x00], 255);
    assert_eq!(ks(&c), (0x5, 0x24, 0x00));
    let (c, _) = data_in(&mut d, &[0x5A, 0x00, 0x30, 0, 0, 0, 0, 0, 0x08, 0], 8);
    assert_eq!(ks(&c), (0x5, 0x24, 0x00));
    let (c, _) = data_in(&mut d, &[0x1A, 0x00, 0xC5, 0x00, 0xFF, 0x00], 255);
    assert_eq!(ks(&c), (0x5, 0x39, 0x00));

    // SPC-4 §6.9 MODE SELECT(6): parameter list length in byte 4, the list starting with
    // the 4-byte header (block descriptor length in byte 3).
    let mut list = vec![0u8; 4];
    let mut page = vec![0u8; 0x34];
    page[0] = 0x05;
    page[1] = 0x32;
    page[2] = 0x42; // BUFE, SAO
    page[3] = 0xC4; // multi-session 11b, track mode 4
    page[15] = 150;
    list.extend_from_slice(&page);
    good(&data_out(&mut d, &[0x15, 0x10, 0, 0, 0x38, 0], &list));
    let (_, v) = data_in(&mut d, &[0x1A, 0x00, 0x05, 0x00, 0xFF, 0x00], 255);
    assert_eq!(&v[4..8], &[0x05, 0x32, 0x42, 0xC4]);
    // a list shorter than its header: PARAMETER LIST LENGTH ERROR
    let c = data_out(&mut d, &[0x15, 0x10, 0, 0, 3, 0], &list[..3]);
    assert_eq!(ks(&c), (0x5, 0x1A, 0x00));
    // raw write type refused: INVALID FIELD IN PARAMETER LIST
    list[4 + 2] = 0x43;
    let c = data_out(&mut d, &[0x15, 0x10, 0, 0, 0x38, 0], &list);
    assert_eq!(ks(&c), (0x5, 0x26, 0x00));
}

#[test]
fn mode_sense_capabilities_page() {
    // MMC-6 §7.7 table 673 (page 2Ah): byte 2 read, byte 3 write abilities, byte 4 BUF and
    // multi-session, byte 6 tray loader/eject/lock; bytes 30-31 number of write speed
    // descriptors, each 4 bytes with the speed in kB/s.
    let (_t, _p, mut d) = drive("dvd+r", &[]);
    let (c, v) = data_in(
        &mut d,
        &[0x5A, 0x00, 0x2A, 0x00, 0, 0, 0, 0x01, 0x00, 0x00],
        256,
    );
    good(&c);
    let p = &v[8..];
    assert_eq!(p[0], 0x2A);
    assert_eq!(usize::from(p[1]) + 2, p.len());
    // byte 5: CD-DA commands and stream accurate, R-W (and de-interleaved), C2 pointers,
    // ISRC, UPC: what reading audio CDs needs
    assert_eq!(&p[2..7], &[0x1F, 0x17, 0xD0, 0x7F, 0x29]);
    assert_eq!(&p[30..32], &[0x00, 0x04]);
    // 16x, 12x, 8x, 4x DVD: 22160, 16620, 11080, 5540 kB/s
    assert_eq!(
        &p[32..48],
        &[0, 0, 0x56, 0x90, 0, 0, 0x40, 0xEC, 0, 0, 0x2B, 0x48, 0, 0, 0x15, 0xA4]
    );
    // SET CD SPEED write 8x (11080 = 2B48h): current write speed selected (bytes 28-29)
    good(&none(
        &mut d,
        &[0xBB, 0x00, 0xFF, 0xFF, 0x2B, 0x48, 0, 0, 0, 0, 0, 0],
    ));
    let (_, v) = data_in(
        &mut d,
        &[0x5A, 0x00, 0x2A, 0x00, 0, 0, 0, 0x01, 0x00, 0x00],
        256,
    );
    assert_eq!(&v[8 + 28..8 + 30], &[0x2B, 0x48]);
}

#[test]
fn get_configuration_one_feature() {
    // growisofs' probe: RT=10b, starting feature 0021h, allocation 16 (libburn cookbook).
    // MMC-6 §6.6.2.1 table 285 header, §5.3.10 table 123 Incremental Streaming Writable:
    // version 1, current, additional length 8, data block types 8 and 10 (0500h), BUF,
    // one link size: 7 on CD.
    let (_t, _p, mut d) = drive("cd-r", &[]);
    let (c, v) = data_in(
        &mut d,
        &[0x46, 0x02, 0x00, 0x21, 0, 0, 0, 0x00, 0x10, 0x00],
        16,
    );
    good(&c);
    assert_eq!(
        v,
        [
            0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x09, 0x00, 0x21, 0x05, 0x08, 0x05, 0x00,
            0x01, 0x01
        ]
    );
    // On BD-R the same feature exists but is not current.
    let (_t2, _p2, mut d2) = drive("bd-r", &[]);
    let (_, v) = data_in(
        &mut d2,
        &[0x46, 0x02, 0x00, 0x21, 0, 0, 0, 0x00, 0x10, 0x00],
        16,
    );
    assert_eq!(&v[4..12], &[0x00, 0x00, 0x00, 0x41, 0x00, 0x21, 0x04, 0x08]);
}

#[test]
fn get_configuration_profile_list_and_current_features() {
    let (_t, _p, mut d) = drive("bd-r", &[]);
    let (c, v) = data_in(
        &mut d,
        &[0x46, 0x00, 0x00, 0x00, 0, 0, 0, 0x10, 0x00, 0x00],
        4096,
    );
    good(&c);
    assert_eq!(be32(&v, 0) as usize, v.len() - 4);
    assert_eq!(&v[6..8], &[0x00, 0x41]);
    // Profile List feature (§5.3.1): persistent, current, 11 descriptors of 4 bytes,
    // descending, CurrentP on 0041h.
    assert_eq!(&v[8..12], &[0x00, 0x00, 0x03, 0x2C]);
    assert_eq!(
        &v[12..20],
        &[0x00, 0x43, 0x00, 0x00, 0x00, 0x41, 0x01, 0x00]
    );
    // RT=01b: only current features; BD Write (0041h) must be there, DVD+R (002Bh) not.
    let (_, v) = data_in(
        &mut d,
        &[0x46, 0x01, 0x00, 0x00, 0, 0, 0, 0x10, 0x00, 0x00],
        4096,
    );
    let mut codes = Vec::new();
    let mut at = 8;
    while at + 4 <= v.len() {
        codes.push(u16::from_be_bytes([v[at], v[at + 1]]));
        assert_eq!(v[at + 2] & 1, 1, "RT=1 returned a non-current feature");
        at += 4 + usize::from(v[at + 3]);
    }
    for want in [
        0x0000, 0x0001, 0x0002, 0x0003, 0x0040, 0x0041, 0x0100, 0x0107,
    ] {
        assert!(
            codes.contains(&want),
            "feature {want:04X}h missing from {codes:04X?}"
        );
    }
    assert!(!codes.contains(&0x002B));
    // RT=11b is reserved
    let (c, _) = data_in(
        &mut d,
        &[0x46, 0x03, 0x00, 0x00, 0, 0, 0, 0x10, 0x00, 0x00],
        4096,
    );
    assert_eq!(ks(&c), (0x5, 0x24, 0x00));
}

#[test]
fn get_event_status_media_class() {
    // MMC-6 §6.7.2.5 table 313: event header 2+2 bytes, media event descriptor: event code
    // 2 (NewMedia) once after load, then 0; media status bit 1 = present.
    let (_t, _p, mut d) = drive("cd-r", &[]);
    let cdb = [0x4A, 0x01, 0, 0, 0x10, 0, 0, 0x00, 0x08, 0x00];
    let (c, v) = data_in(&mut d, &cdb, 8);
    good(&c);
    assert_eq!(v, [0x00, 0x06, 0x04, 0x10, 0x02, 0x02, 0x00, 0x00]);
    let (_, v) = data_in(&mut d, &cdb, 8);
    assert_eq!(v, [0x00, 0x06, 0x04, 0x10, 0x00, 0x02, 0x00, 0x00]);
    // Polled=0 (asynchronous) is not supported
    let (c, _) = data_in(&mut d, &[0x4A, 0x00, 0, 0, 0x10, 0, 0, 0x00, 0x08, 0x00], 8);
    assert_eq!(ks(&c), (0x5, 0x24, 0x00));
}

#[test]
fn blank_cd_r_disc_and_track_information() {
    let (_t, _p, mut d) = drive("cd-r", &[]);
    // MMC-6 §6.22.3 table 432: empty disc, empty last session, first track 1, 1 session,
    // first/last track in last session 1; lead-in start 97:26:66 (ATIP), last possible
    // lead-out start 79:59:74.
    let (c, v) = data_in(&mut d, &[0x51, 0x00, 0, 0, 0, 0, 0, 0x00, 0x22, 0x00], 34);
    good(&c);
    let mut want = vec![
        0x00, 0x20, 0x00, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0,
    ];
    want.extend_from_slice(&[0x00, 97, 26, 66, 0x00, 79, 59, 74]);
    want.extend_from_slice(&[0u8; 10]);
    assert_eq!(v, want);
    // MMC-6 §6.27.3 table 501, invisible track (FFh): track 1 session 1, track mode 4,
    // Blank, data mode Fh, NWA_V; start = NWA = 0; free = size = 359849 (57DA9h).
    let v = track_info(&mut d, 0xFF);
    let mut want = vec![0x00, 0x2E, 0x01, 0x01, 0x00, 0x04, 0x4F, 0x01];
    want.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
    want.extend_from_slice(&[0x00, 0x05, 0x7D, 0xA9, 0, 0, 0, 0]);
    want.extend_from_slice(&[0x00, 0x05, 0x7D, 0xA9, 0, 0, 0, 0]);
    want.extend_from_slice(&[0u8; 16]);
    assert_eq!(v, want);
    // ATIP (format 4, MMC-6 §6.26.3.6 table 488): 28 bytes, lead-in 97:26:66, lead-out 79:59:74
    let (c, v) = data_in(
        &mut d,
        &[0x43, 0x02, 0x04, 0, 0, 0, 0, 0x00, 0x1C, 0x00],
        28,
    );
    good(&c);
    assert_eq!(
        &v[..16],
        &[0x00, 0x1A, 0, 0, 0xD2, 0x40, 0x80, 0, 97, 26, 66, 0, 79, 59, 74, 0]
    );
    // TOC of a blank disc: INVALID FIELD IN CDB
    let (c, _) = data_in(
        &mut d,
        &[0x43, 0x00, 0x00, 0, 0, 0, 0, 0x00, 0x0C, 0x00],
        12,
    );
    assert_eq!(ks(&c), (0x5, 0x24, 0x00));
    // READ CAPACITY of a blank disc: LBA 0, 2048
    let (c, v) = data_in(&mut d, &[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8);
    good(&c);
    assert_eq!(v, [0, 0, 0, 0, 0, 0, 0x08, 0]);
}

#[test]
fn cd_r_session_toc_formats() {
    let (_t, _p, mut d) = drive("cd-r", &[]);
    let data = vec![0x5Au8; 400 * 2048];
    write10(&mut d, 0, &data);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0])); // SYNC CACHE ends the TAO track
    good(&none(
        &mut d,
        &[0x5B, 0x00, 0x01, 0, 0x00, 0x01, 0, 0, 0, 0],
    )); // close track 1: no-op
        // page 05 default has multi-session 00b: CLOSE SESSION finalizes ... set 11b first.
    let mut list = vec![0u8; 8];
    let mut page = vec![0u8; 0x34];
    page[..5].copy_from_slice(&[0x05, 0x32, 0x41, 0xC4, 0x08]);
    list.extend_from_slice(&page);
    good(&data_out(
        &mut d,
        &[0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x3C, 0],
        &list,
    ));
    good(&none(&mut d, &[0x5B, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0]));
    // Track 1 is 400 blocks + 2 run-out: lead-out at 402 (00:07:27 MSF = 402+150 frames).
    // Format 0, LBA (table 480): length 0012h, tracks 1..1, track 1 at 0, lead-out AAh at 402.
    let (c, v) = data_in(
        &mut d,
        &[0x43, 0x00, 0x00, 0, 0, 0, 0, 0x00, 0x14, 0x00],
        20,
    );
    good(&c);
    assert_eq!(
        v,
        [
            0x00, 0x12, 0x01, 0x01, 0, 0x14, 0x01, 0, 0, 0, 0, 0, 0, 0x14, 0xAA, 0, 0x00, 0x00,
            0x01, 0x92
        ]
    );
    // MSF: track 1 at 00:02:00, lead-out 00:07:27
    let (_, v) = data_in(
        &mut d,
        &[0x43, 0x02, 0x00, 0, 0, 0, 0, 0x00, 0x14, 0x00],
        20,
    );
    assert_eq!(&v[8..12], &[0, 0, 2, 0]);
    assert_eq!(&v[16..20], &[0, 0, 7, 27]);
    // Format 1 (table 482): sessions 1..1, first track of last session 1 at LBA 0
    let (_, v) = data_in(
        &mut d,
        &[0x43, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x0C, 0x00],
        12,
    );
    assert_eq!(v, [0x00, 0x0A, 0x01, 0x01, 0, 0x14, 0x01, 0, 0, 0, 0, 0]);
    // Format 2 full TOC (table 484/489): A0 first track 1, A1 last track 1, A2 lead-out
    // 00:07:27, track 1 at 00:02:00, B0 next program area 402+11400 = 11802 -> 02:39:27
    // (11952 frames), 2 mode-5 pointers, max lead-out 79:59:74; C0 lead-in 97:26:66.
    let (c, v) = data_in(
        &mut d,
        &[0x43, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x00, 0x00],
        256,
    );
    good(&c);
    let mut want = vec![0x00, 0x44, 0x01, 0x01];
    want.extend_from_slice(&[1, 0x14, 0, 0xA0, 0, 0, 0, 0, 1, 0x00, 0]);
    want.extend_from_slice(&[1, 0x14, 0, 0xA1, 0, 0, 0, 0, 1, 0, 0]);
    want.extend_from_slice(&[1, 0x14, 0, 0xA2, 0, 0, 0, 0, 0, 7, 27]);
    want.extend_from_slice(&[1, 0x14, 0, 0x01, 0, 0, 0, 0, 0, 2, 0]);
    want.extend_from_slice(&[1, 0x54, 0, 0xB0, 2, 39, 27, 2, 79, 59, 74]);
    want.extend_from_slice(&[1, 0x54, 0, 0xC0, 0, 0, 0, 0, 97, 26, 66]);
    assert_eq!(v, want);
    // The invisible track of session 2 starts at lead-out + 11400.
    let v = track_info(&mut d, 0xFF);
    assert_eq!(&v[2..4], &[2, 2]);
    assert_eq!(be32(&v, 8), 402 + 11_400);
    assert_eq!(be32(&v, 12), 402 + 11_400);
    // Track 1 (by track number): complete, 402 blocks, LRA 399, no NWA
    let v = track_info(&mut d, 1);
    assert_eq!(&v[5..8], &[0x04, 0x01, 0x02]);
    assert_eq!(be32(&v, 24), 402);
    assert_eq!(be32(&v, 28), 399);
    // by session number 2 and by LBA in the invisible track
    let (_, v) = data_in(&mut d, &[0x52, 0x02, 0, 0, 0, 2, 0, 0, 0x30, 0], 48);
    assert_eq!(v[2], 2);
    let b = (12_000u32).to_be_bytes();
    let (_, v) = data_in(
        &mut d,
        &[0x52, 0x00, b[0], b[1], b[2], b[3], 0, 0, 0x30, 0],
        48,
    );
    assert_eq!(v[2], 2);
    // READ(10) of track data, of a run-out block (ILLEGAL MODE FOR THIS TRACK 64/00, as
    // libburn expects at a TAO track's end; see emu_xorriso.rs) and past the data (21/00)
    let (c, v) = data_in(&mut d, &[0x28, 0, 0, 0, 0x01, 0x8F, 0, 0, 1, 0], 2048);
    good(&c);
    assert!(v.iter().all(|&b| b == 0x5A));
    let (c, _) = data_in(&mut d, &[0x28, 0, 0, 0, 0x01, 0x90, 0, 0, 1, 0], 2048);
    assert_eq!(ks(&c), (0x5, 0x64, 0x00));
    assert_eq!(be32(&c.sense, 3), 400);
    let (c, _) = data_in(&mut d, &[0x28, 0, 0, 0, 0x10, 0x00, 0, 0, 1, 0], 2048);
    assert_eq!(ks(&c), (0x5, 0x21, 0x00));
    // READ(12) of two blocks
    let (c, v) = data_in(&mut d, &[0xA8, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0], 4096);
    good(&c);
    assert_eq!(v.len(), 4096);
    // READ CAPACITY: last readable block 399
    let (_, v) = data_in(&mut d, &[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8);
    assert_eq!(v, [0, 0, 0x01, 0x8F, 0, 0, 0x08, 0]);
}

#[test]
fn writes_must_hit_the_nwa() {
    let (_t, _p, mut d) = drive("dvd+r", &[]);
    // ILLEGAL REQUEST, INVALID ADDRESS FOR WRITE
    let c = data_out(&mut d, &[0x2A, 0, 0, 0, 0, 0x10, 0, 0, 1, 0], &[0u8; 2048]);
    assert_eq!(ks(&c), (0x5, 0x21, 0x02));
    // WRITE(12) at the NWA
    let c = data_out(
        &mut d,
        &[0xAA, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0],
        &vec![1u8; 16 * 2048],
    );
    good(&c);
    let v = track_info(&mut d, 0xFF);
    assert_eq!(be32(&v, 12), 16);
    assert_eq!(v[7], 0x03); // LRA_V, NWA_V
                            // the next write must continue there
    let c = data_out(&mut d, &[0x2A, 0, 0, 0, 0, 0x20, 0, 0, 1, 0], &[0u8; 2048]);
    assert_eq!(ks(&c), (0x5, 0x21, 0x02));
}

#[test]
fn write_past_capacity_and_fill_early() {
    let (_t, _p, mut d) = drive("bd-r", &[("fill_early", "64")]);
    let v = track_info(&mut d, 0xFF);
    assert_eq!(be32(&v, 16), 64);
    write10(&mut d, 0, &vec![0u8; 64 * 2048]);
    // LOGICAL BLOCK ADDRESS OUT OF RANGE
    let c = data_out(&mut d, &[0x2A, 0, 0, 0, 0, 64, 0, 0, 1, 0], &[0u8; 2048]);
    assert_eq!(ks(&c), (0x5, 0x21, 0x00));
}

#[test]
fn reserve_track_on_dvd_plus_r() {
    let (_t, _p, mut d) = drive("dvd+r", &[]);
    // RESERVE TRACK 100 blocks: rounded to 112 (ECC blocks of 16)
    good(&none(&mut d, &[0x53, 0x00, 0, 0, 0, 0, 0, 0, 100, 0]));
    let v = track_info(&mut d, 1);
    assert_eq!(v[6] & 0x80, 0x80); // RT
    assert_eq!(be32(&v, 8), 0);
    assert_eq!(be32(&v, 24), 112);
    // the invisible track follows the reservation
    let v = track_info(&mut d, 0xFF);
    assert_eq!(v[2], 2);
    assert_eq!(be32(&v, 8), 112);
    // writing past the reservation is out of range
    let c = data_out(
        &mut d,
        &[0x2A, 0, 0, 0, 0, 0, 0, 0, 113, 0],
        &vec![0u8; 113 * 2048],
    );
    assert_eq!(ks(&c), (0x5, 0x21, 0x00));
    write10(&mut d, 0, &vec![7u8; 50 * 2048]);
    good(&none(
        &mut d,
        &[0x5B, 0x00, 0x01, 0, 0x00, 0x01, 0, 0, 0, 0],
    ));
    let v = track_info(&mut d, 1);
    assert_eq!(v[7], 0x02);
    assert_eq!(be32(&v, 24), 112);
}

#[test]
fn close_session_rules() {
    let (_t, _p, mut d) = drive("bd-r", &[]);
    // nothing to close on a blank disc: COMMAND SEQUENCE ERROR
    assert_eq!(
        ks(&none(&mut d, &[0x5B, 0, 0x02, 0, 0, 0, 0, 0, 0, 0])),
        (0x5, 0x2C, 0x00)
    );
    // close function 5 is DVD+R only: INVALID FIELD IN CDB
    assert_eq!(
        ks(&none(&mut d, &[0x5B, 0, 0x05, 0, 0, 0, 0, 0, 0, 0])),
        (0x5, 0x24, 0x00)
    );
    write10(&mut d, 0, &vec![1u8; 40 * 2048]);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    good(&none(&mut d, &[0x5B, 0, 0x01, 0, 0, 1, 0, 0, 0, 0]));
    good(&none(&mut d, &[0x5B, 0, 0x02, 0, 0, 0, 0, 0, 0, 0]));
    // BD-R: track padded to a 32-block cluster, next session at 64
    let v = track_info(&mut d, 0xFF);
    assert_eq!(be32(&v, 8), 64);
    // finalize (110b): disc complete, no invisible track
    write10(&mut d, 64, &vec![2u8; 32 * 2048]);
    good(&none(&mut d, &[0x5B, 0, 0x06, 0, 0, 0, 0, 0, 0, 0]));
    let (_, v) = data_in(&mut d, &[0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0], 34);
    assert_eq!(v[2], 0x0E); // complete session, complete disc
    assert_eq!(v[4], 2);
    let (c, _) = data_in(&mut d, &[0x52, 0x01, 0, 0, 0, 0xFF, 0, 0, 0x30, 0], 48);
    assert_eq!(ks(&c), (0x5, 0x24, 0x00));
    let c = data_out(&mut d, &[0x2A, 0, 0, 0, 0, 96, 0, 0, 1, 0], &[0u8; 2048]);
    assert_eq!(ks(&c), (0x5, 0x21, 0x02));
}

#[test]
fn blank_cd_rw() {
    let (_t, path, mut d) = drive("cd-rw", &[]);
    write10(&mut d, 0, &vec![3u8; 300 * 2048]);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    good(&none(&mut d, &[0x5B, 0, 0x02, 0, 0, 0, 0, 0, 0, 0])); // multi 00b: finalized
    let (_, v) = data_in(&mut d, &[0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0], 34);
    assert_eq!(v[2], 0x1E); // erasable, complete, complete
                            // BLANK type 101b: unclose the last session
    good(&none(&mut d, &[0xA1, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    let (_, v) = data_in(&mut d, &[0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0], 34);
    assert_eq!(v[2] & 0x03, 0x01);
    // BLANK type 110b: blank the last session
    good(&none(&mut d, &[0xA1, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    let (_, v) = data_in(&mut d, &[0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0], 34);
    assert_eq!(v[2], 0x10); // erasable, empty
                            // BLANK type 000b (all) with Immed
    write10(&mut d, 0, &vec![3u8; 2 * 2048]);
    good(&none(&mut d, &[0xA1, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
    // type 010b (blank a track) is not supported
    assert_eq!(
        ks(&none(&mut d, &[0xA1, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])),
        (0x5, 0x24, 0x00)
    );
    // CD-R cannot be blanked
    let (_t2, _p2, mut d2) = drive("cd-r", &[]);
    assert_eq!(
        ks(&none(&mut d2, &[0xA1, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])),
        (0x5, 0x30, 0x05)
    );
}

#[test]
fn format_dvd_plus_rw() {
    let (_t, _p, mut d) = drive("dvd+rw", &[]);
    // READ FORMAT CAPACITIES (MMC-6 §6.24.3, tables 464-468): unformatted 2295104 (230540h)
    // blocks, descriptor type 01b, block length 2048; formattable: type 26h.
    let (c, v) = data_in(&mut d, &[0x23, 0, 0, 0, 0, 0, 0, 0x00, 0xFC, 0], 252);
    good(&c);
    assert_eq!(
        v,
        [
            0, 0, 0, 0x10, 0x00, 0x23, 0x05, 0x40, 0x01, 0x00, 0x08, 0x00, 0x00, 0x23, 0x05, 0x40,
            0x98, 0, 0, 0
        ]
    );
    // FORMAT UNIT FmtData, format code 1; header Immed; descriptor FFFFFFFFh, type 26h
    let c = data_out(
        &mut d,
        &[0x04, 0x11, 0, 0, 0, 0],
        &[
            0x00, 0x02, 0x00, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x98, 0, 0, 0,
        ],
    );
    good(&c);
    let (_, v) = data_in(&mut d, &[0x23, 0, 0, 0, 0, 0, 0, 0x00, 0xFC, 0], 252);
    assert_eq!(&v[4..12], &[0x00, 0x23, 0x05, 0x40, 0x02, 0x00, 0x08, 0x00]);
    // overwritable: writes anywhere inside, read back
    write10(&mut d, 1000, &vec![9u8; 2048]);
    write10(&mut d, 16, &vec![8u8; 2048]);
    let (c, v) = data_in(&mut d, &[0x28, 0, 0, 0, 0x03, 0xE8, 0, 0, 1, 0], 2048);
    good(&c);
    assert!(v.iter().all(|&b| b == 9));
    // READ CAPACITY: formatted size - 1
    let (_, v) = data_in(&mut d, &[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8);
    assert_eq!(v, [0x00, 0x23, 0x05, 0x3F, 0, 0, 0x08, 0]);
    // disc info: complete, BG format complete (MMC-6 §6.22.3.1.13)
    let (_, v) = data_in(&mut d, &[0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0], 34);
    assert_eq!(v[2], 0x1E);
    assert_eq!(v[7] & 3, 3);
    // past the formatted area
    let c = data_out(
        &mut d,
        &[0x2A, 0, 0x00, 0x23, 0x05, 0x40, 0, 0, 1, 0],
        &[0u8; 2048],
    );
    assert_eq!(ks(&c), (0x5, 0x21, 0x00));
    // FORMAT UNIT on CD-R: CANNOT FORMAT MEDIUM - INCOMPATIBLE MEDIUM
    let (_t2, _p2, mut d2) = drive("cd-r", &[]);
    let c = data_out(
        &mut d2,
        &[0x04, 0x11, 0, 0, 0, 0],
        &[0, 2, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    assert_eq!(ks(&c), (0x5, 0x30, 0x06));
}

#[test]
fn format_bd_re() {
    let (_t, _p, mut d) = drive("bd-re", &[]);
    // BD-RE unformatted: max 12219392 (BA7400h); formats 00h and 30h at 11826176 (B47400h), 31h max
    let (c, v) = data_in(&mut d, &[0x23, 0, 0, 0, 0, 0, 0, 0x00, 0xFC, 0], 252);
    good(&c);
    assert_eq!(v[3], 32);
    assert_eq!(&v[4..12], &[0x00, 0xBA, 0x74, 0x00, 0x01, 0x00, 0x08, 0x00]);
    assert_eq!(&v[12..20], &[0x00, 0xB4, 0x74, 0x00, 0x00, 0, 0, 0]);
    assert_eq!(&v[20..28], &[0x00, 0xB4, 0x74, 0x00, 0xC0, 0, 0, 0]);
    assert_eq!(&v[28..36], &[0x00, 0xBA, 0x74, 0x00, 0xC4, 0, 0, 0]);
    // writing unformatted BD-RE: CANNOT WRITE MEDIUM - INCOMPATIBLE FORMAT
    let c = data_out(&mut d, &[0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0], &[0u8; 2048]);
    assert_eq!(ks(&c), (0x5, 0x30, 0x05));
    let c = data_out(
        &mut d,
        &[0x04, 0x11, 0, 0, 0, 0],
        &[0, 2, 0, 8, 0, 0xB4, 0x74, 0, 0xC0, 0, 0, 0],
    );
    good(&c);
    let (_, v) = data_in(&mut d, &[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8);
    assert_eq!(v, [0x00, 0xB4, 0x73, 0xFF, 0, 0, 0x08, 0]);
    // Random Writable (0020h) is current now
    let (_, v) = data_in(
        &mut d,
        &[0x46, 0x02, 0x00, 0x20, 0, 0, 0, 0x00, 0x18, 0x00],
        24,
    );
    assert_eq!(&v[8..16], &[0x00, 0x20, 0x01, 0x0C, 0x00, 0xB4, 0x73, 0xFF]);
}

#[test]
fn get_performance_write_speeds() {
    // MMC-6 §6.8.2.6 table 309 (type 03h): header length 44h = 4 + 4 x 16, descriptors with
    // end LBA 2295103 (23053Fh), read 22160 kB/s, write 22160/16620/11080/5540.
    let (_t, _p, mut d) = drive("dvd+r", &[]);
    let (c, v) = data_in(
        &mut d,
        &[0xAC, 0x00, 0, 0, 0, 0, 0, 0, 0x00, 0x04, 0x03, 0x00],
        72,
    );
    good(&c);
    let mut want = vec![0x00, 0x00, 0x00, 0x44, 0, 0, 0, 0];
    for w in [0x5690u32, 0x40EC, 0x2B48, 0x15A4] {
        want.extend_from_slice(&[0, 0, 0, 0, 0x00, 0x23, 0x05, 0x3F, 0x00, 0x00, 0x56, 0x90]);
        want.extend_from_slice(&w.to_be_bytes());
    }
    assert_eq!(v, want);
    // type 00h, write performance (tolerance 10b, Write=1): one descriptor
    let (c, v) = data_in(
        &mut d,
        &[0xAC, 0x14, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x00],
        24,
    );
    good(&c);
    assert_eq!(&v[..8], &[0, 0, 0, 0x14, 0x02, 0, 0, 0]);
    assert_eq!(be32(&v, 12), 22160);
    // SET STREAMING (table 528): write 8x = 11080 kB in 1000 ms
    let mut p = vec![0u8; 28];
    p[8..12].copy_from_slice(&0x0023053Fu32.to_be_bytes());
    p[12..16].copy_from_slice(&22160u32.to_be_bytes());
    p[16..20].copy_from_slice(&1000u32.to_be_bytes());
    p[20..24].copy_from_slice(&11080u32.to_be_bytes());
    p[24..28].copy_from_slice(&1000u32.to_be_bytes());
    good(&data_out(
        &mut d,
        &[0xB6, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x1C, 0],
        &p,
    ));
    let (_, v) = data_in(
        &mut d,
        &[0xAC, 0x14, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x00],
        24,
    );
    assert_eq!(be32(&v, 12), 11080);
    // a short descriptor: PARAMETER LIST LENGTH ERROR
    let c = data_out(
        &mut d,
        &[0xB6, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x10, 0],
        &p[..16],
    );
    assert_eq!(ks(&c), (0x5, 0x1A, 0x00));
    // unknown performance type
    let (c, _) = data_in(
        &mut d,
        &[0xAC, 0x00, 0, 0, 0, 0, 0, 0, 0x00, 0x04, 0x07, 0x00],
        72,
    );
    assert_eq!(ks(&c), (0x5, 0x24, 0x00));
}

#[test]
fn read_buffer_capacity() {
    // MMC-6 §6.21 table 425: length 000Ah, buffer length, blank length (4 MiB, empty).
    let (_t, _p, mut d) = drive("cd-r", &[]);
    let (c, v) = data_in(&mut d, &[0x5C, 0x00, 0, 0, 0, 0, 0, 0x00, 0x0C, 0x00], 12);
    good(&c);
    assert_eq!(
        v,
        [0x00, 0x0A, 0, 0, 0x00, 0x40, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00]
    );
    // Block=1 (table 426): available length in blocks, 2048
    let (_, v) = data_in(&mut d, &[0x5C, 0x01, 0, 0, 0, 0, 0, 0x00, 0x0C, 0x00], 12);
    assert_eq!(v, [0x00, 0x0A, 0, 0x01, 0, 0, 0, 0, 0x00, 0x00, 0x08, 0x00]);
}

#[test]
fn fault_not_ready_then_unit_attention() {
    let (_t, path, d) = drive("cd-r", &[]);
    drop(d);
    let mut d = reopen(&path, &[("not_ready", "2"), ("unit_attention", "")]);
    // INQUIRY is answered at once (SPC-4 §5.9)
    let (c, _) = data_in(&mut d, &[0x12, 0, 0, 0, 0x24, 0], 36);
    good(&c);
    // NOT READY, LOGICAL UNIT IS IN PROCESS OF BECOMING READY, twice
    assert_eq!(ks(&none(&mut d, &[0, 0, 0, 0, 0, 0])), (0x2, 0x04, 0x01));
    assert_eq!(ks(&none(&mut d, &[0, 0, 0, 0, 0, 0])), (0x2, 0x04, 0x01));
    // UNIT ATTENTION, NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED
    assert_eq!(ks(&none(&mut d, &[0, 0, 0, 0, 0, 0])), (0x6, 0x28, 0x00));
    good(&none(&mut d, &[0, 0, 0, 0, 0, 0]));
}

#[test]
fn fault_write_error() {
    let (_t, path, d) = drive("dvd-r", &[]);
    drop(d);
    let mut d = reopen(&path, &[("write_error", "20")]);
    write10(&mut d, 0, &vec![1u8; 16 * 2048]);
    // MEDIUM ERROR, WRITE ERROR, INFORMATION = 20
    let c = data_out(
        &mut d,
        &[0x2A, 0, 0, 0, 0, 16, 0, 0, 16, 0],
        &vec![1u8; 16 * 2048],
    );
    assert_eq!(ks(&c), (0x3, 0x0C, 0x00));
    assert_eq!(c.sense[0], 0xF0);
    assert_eq!(be32(&c.sense, 3), 20);
    // the track is damaged (table 501 byte 5 bit 5) and has no NWA any more
    let v = track_info(&mut d, 1);
    assert_eq!(v[5] & 0x20, 0x20);
    assert_eq!(v[7] & 1, 0);
    assert_eq!(be32(&v, 28), 19);
}

#[test]
fn buffer_underrun_with_and_without_protection() {
    // 48x CD = 7.37 MB/s: one block drains in 0.3 ms; a 50 ms pause empties the buffer.
    let (_t, _p, mut d) = drive("cd-r", &[("speed", "48")]);
    write10(&mut d, 0, &vec![0u8; 2 * 2048]);
    std::thread::sleep(std::time::Duration::from_millis(50));
    write10(&mut d, 2, &vec![0u8; 2 * 2048]);
    assert_eq!(d.underruns(), 1);
    let (_t, _p, mut d) = drive("cd-r", &[("speed", "48"), ("bup", "off")]);
    // page 05 reports BUFE off
    let (_, v) = data_in(&mut d, &[0x5A, 0, 0x05, 0, 0, 0, 0, 0, 0x3C, 0], 60);
    assert_eq!(v[10] & 0x40, 0);
    write10(&mut d, 0, &vec![0u8; 2 * 2048]);
    std::thread::sleep(std::time::Duration::from_millis(50));
    // a drive without underrun protection: BUFE cannot be set, BUF is clear in page 2Ah
    let mut list = vec![0u8; 8];
    let mut page = vec![0u8; 0x34];
    page[..5].copy_from_slice(&[0x05, 0x32, 0x41, 0xC4, 0x08]);
    list.extend_from_slice(&page);
    good(&data_out(
        &mut d,
        &[0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x3C, 0],
        &list,
    ));
    let (_, v) = data_in(&mut d, &[0x5A, 0, 0x05, 0, 0, 0, 0, 0, 0x3C, 0], 60);
    assert_eq!(v[10], 0x01);
    let (_, v) = data_in(&mut d, &[0x5A, 0, 0x2A, 0, 0, 0, 0, 0x01, 0, 0], 256);
    assert_eq!(v[8 + 4] & 0x80, 0);
    // MEDIUM ERROR, WRITE ERROR - LOSS OF STREAMING
    let c = data_out(&mut d, &[0x2A, 0, 0, 0, 0, 2, 0, 0, 1, 0], &[0u8; 2048]);
    assert_eq!(ks(&c), (0x3, 0x0C, 0x09));
    let v = track_info(&mut d, 1);
    assert_eq!(v[5] & 0x20, 0x20);
}

#[test]
fn speed_throttles_writes() {
    // 1x CD = 153600 B/s; a 64 KiB buffer; 160 blocks (320 KiB) must take >= (320-64)/150 s
    let (_t, _p, mut d) = drive("cd-r", &[("speed", "1"), ("buffer", "64K")]);
    let t = std::time::Instant::now();
    write10(&mut d, 0, &vec![0u8; 160 * 2048]);
    let e = t.elapsed().as_secs_f64();
    assert!(e > 1.6, "160 blocks at 1x took only {e:.2} s");
    assert!(e < 4.0, "160 blocks at 1x took {e:.2} s");
}

#[test]
fn test_write_records_nothing() {
    let (_t, _p, mut d) = drive("cd-r", &[]);
    let mut list = vec![0u8; 8];
    let mut page = vec![0u8; 0x34];
    page[..5].copy_from_slice(&[0x05, 0x32, 0x51, 0xC4, 0x08]); // BUFE, Test Write, TAO
    list.extend_from_slice(&page);
    good(&data_out(
        &mut d,
        &[0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x3C, 0],
        &list,
    ));
    write10(&mut d, 0, &vec![1u8; 40 * 2048]);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    good(&none(&mut d, &[0x5B, 0, 0x02, 0, 0, 0, 0, 0, 0, 0]));
    let (_, v) = data_in(&mut d, &[0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0], 34);
    assert_eq!(v[2], 0x00, "a simulated write left the disc blank");
}

#[test]
fn host_buffer_errors_are_transport_errors() {
    let (_t, _p, mut d) = drive("dvd+rw", &[]);
    use transport::{Cdb, Request, Transport};
    let mut small = vec![0u8; 100];
    // READ(10) of 1 block into 100 bytes: the host adapter sees a data overrun
    let r = d.execute(Request::read(
        Cdb::new(&[0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0]).unwrap(),
        &mut small,
    ));
    assert!(r.is_err());
    // too large for the path
    let mut big = vec![0u8; 4 * 1024 * 1024];
    let r = d.execute(Request::read(
        Cdb::new(&[0x28, 0, 0, 0, 0, 0, 0, 0x08, 0, 0]).unwrap(),
        &mut big,
    ));
    assert!(matches!(r, Err(transport::TransportError::TooLarge { .. })));
}

#[test]
fn long_write_in_progress_after_immed_close() {
    // With a modelled speed, CLOSE SESSION with Immed returns at once and the drive reports
    // NOT READY, LONG WRITE IN PROGRESS (04/08) with a progress indication (SPC-4
    // §4.5.2.4.4: SKSV, bytes 16-17) until the lead-out is written.
    let (_t, _p, mut d) = drive("cd-r", &[("speed", "16")]);
    write10(&mut d, 0, &vec![0u8; 300 * 2048]);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    let t = std::time::Instant::now();
    good(&none(&mut d, &[0x5B, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0]));
    assert!(t.elapsed().as_millis() < 500, "Immed close blocked");
    let c = none(&mut d, &[0x00, 0, 0, 0, 0, 0]);
    assert_eq!(ks(&c), (0x2, 0x04, 0x08));
    assert_eq!(c.sense[15] & 0x80, 0x80);
    let (c, v) = data_in(&mut d, &[0x03, 0, 0, 0, 18, 0], 18);
    good(&c);
    assert_eq!((v[2], v[12], v[13], v[15] & 0x80), (0x02, 0x04, 0x08, 0x80));
    // READ BUFFER CAPACITY is still answered
    let (c, _) = data_in(&mut d, &[0x5C, 0, 0, 0, 0, 0, 0, 0, 12, 0], 12);
    good(&c);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let c = none(&mut d, &[0x00, 0, 0, 0, 0, 0]);
        if c.is_good() {
            break;
        }
        assert_eq!(ks(&c), (0x2, 0x04, 0x08));
        assert!(
            std::time::Instant::now() < deadline,
            "the close never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let (_, v) = data_in(&mut d, &[0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0], 34);
    assert_eq!(v[2] & 0x03, 0x02);
}

#[test]
fn read_header_on_cd_r_and_refused_on_dvd_and_bd() {
    // READ HEADER (44h, MMC-2): byte 0 CD data mode, 3 reserved, then the sector address.
    let (_t, _p, mut d) = drive("cd-r", &[]);
    // Blank CD-R: nothing recorded, LBA 0 is past the data: ILLEGAL REQUEST, LOGICAL BLOCK
    // ADDRESS OUT OF RANGE.
    let (c, _) = data_in(&mut d, &[0x44, 0, 0, 0, 0, 0, 0, 0, 8, 0], 8);
    assert_eq!(ks(&c), (0x5, 0x21, 0x00));
    write10(&mut d, 0, &vec![0x5Au8; 400 * 2048]);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    // Track 1 starts at LBA 0: mode 1 (2048 bytes user data), address 0.
    let (c, v) = data_in(&mut d, &[0x44, 0, 0, 0, 0, 0, 0, 0, 8, 0], 8);
    good(&c);
    assert_eq!(v, [0x01, 0, 0, 0, 0, 0, 0, 0]);
    // LBA 16 (10h) with MSF: 00 M S F = 00:02:16.
    let (c, v) = data_in(&mut d, &[0x44, 0x02, 0, 0, 0, 0x10, 0, 0, 8, 0], 8);
    good(&c);
    assert_eq!(v, [0x01, 0, 0, 0, 0, 0, 2, 16]);
    // Allocation length 1: the mode byte only.
    let (c, v) = data_in(&mut d, &[0x44, 0, 0, 0, 0, 0, 0, 0, 1, 0], 8);
    good(&c);
    assert_eq!(v, [0x01]);
    // A run-out block (400) is unreadable as READ(10) finds it (ILLEGAL MODE FOR THIS
    // TRACK 64/00), past the data out of range (21/00).
    let (c, _) = data_in(&mut d, &[0x44, 0, 0, 0, 0x01, 0x90, 0, 0, 8, 0], 8);
    assert_eq!(ks(&c), (0x5, 0x64, 0x00));
    let (c, _) = data_in(&mut d, &[0x44, 0, 0, 0, 0x10, 0x00, 0, 0, 8, 0], 8);
    assert_eq!(ks(&c), (0x5, 0x21, 0x00));
    // DVD and BD media: MMC-6 has no READ HEADER: ILLEGAL REQUEST, INVALID COMMAND
    // OPERATION CODE (20/00), recorded data or not.
    for profile in ["dvd+r", "bd-r"] {
        let (_t, _p, mut d) = drive(profile, &[]);
        write10(&mut d, 0, &vec![0x5Au8; 16 * 2048]);
        let (c, _) = data_in(&mut d, &[0x44, 0, 0, 0, 0, 0, 0, 0, 8, 0], 8);
        assert_eq!(ks(&c), (0x5, 0x20, 0x00), "{profile}");
    }
}

/// Page 05h on CD with write type `wt` (1 TAO, 2 SAO), multi-session 11b, data track mode 4.
fn select_cd_write_type(d: &mut impl transport::Transport, wt: u8) {
    let mut list = vec![0u8; 8];
    let mut page = vec![0u8; 0x34];
    page[0] = 0x05;
    page[1] = 0x32;
    page[2] = 0x40 | wt;
    page[3] = 0xC4;
    page[4] = 0x08;
    page[15] = 150;
    list.extend_from_slice(&page);
    good(&data_out(
        d,
        &[0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x3C, 0],
        &list,
    ));
}

/// WRITE(10) of `blocks` blocks filled with `fill` from a two's complement `lba`, 32 at a time.
fn write_from(d: &mut impl transport::Transport, lba: i32, blocks: u32, fill: u8) {
    let mut at = 0u32;
    while at < blocks {
        let n = (blocks - at).min(32);
        let b = (lba + at as i32).to_be_bytes();
        let cdb = [0x2A, 0, b[0], b[1], b[2], b[3], 0, 0, n as u8, 0];
        good(&data_out(d, &cdb, &vec![fill; n as usize * 2048]));
        at += n;
    }
}

#[test]
fn sao_session_ends_at_the_sheets_lead_out() {
    // MMC-6 §6.33 / libburn cookbook "SAO CD Cookbook": a 300-block mode-1 data track on
    // a blank CD-R: lead-in, index 0 at 00:00:00, index 1 at 00:02:00, lead-out at
    // LBA 300 = frame 450 = 00:06:00.
    let sheet = [
        0x41, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, //
        0x41, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, //
        0x41, 0x01, 0x01, 0x10, 0x00, 0x00, 0x02, 0x00, //
        0x41, 0xAA, 0x01, 0x14, 0x00, 0x00, 0x06, 0x00, //
    ];
    let send = [0x5D, 0, 0, 0, 0, 0, 0, 0, 0x20, 0];
    let (_t, _p, mut d) = drive("cd-r", &[]);
    // without write type SAO: COMMAND SEQUENCE ERROR
    select_cd_write_type(&mut d, 1);
    assert_eq!(ks(&data_out(&mut d, &send, &sheet)), (0x5, 0x2C, 0x00));
    select_cd_write_type(&mut d, 2);
    // a size that is not whole entries: INVALID FIELD IN CDB
    let c = data_out(&mut d, &[0x5D, 0, 0, 0, 0, 0, 0, 0, 0x1F, 0], &sheet[..31]);
    assert_eq!(ks(&c), (0x5, 0x24, 0x00));
    // an audio lead-in (data form 01h): INVALID FIELD IN PARAMETER LIST
    let mut audio = sheet;
    audio[3] = 0x01;
    assert_eq!(ks(&data_out(&mut d, &send, &audio)), (0x5, 0x26, 0x00));
    good(&data_out(&mut d, &send, &sheet));
    // writing starts at the pre-gap, LBA -150 (FFFFFF6Ah), not at 0: INVALID ADDRESS FOR WRITE
    let c = data_out(&mut d, &[0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0], &[0u8; 2048]);
    assert_eq!(ks(&c), (0x5, 0x21, 0x02));
    write_from(&mut d, -150, 150 + 300, 0x5A); // one WRITE straddles LBA 0
                                               // past the lead-out: LOGICAL BLOCK ADDRESS OUT OF RANGE
    let c = data_out(
        &mut d,
        &[0x2A, 0, 0, 0, 0x01, 0x2C, 0, 0, 1, 0],
        &[0u8; 2048],
    );
    assert_eq!(ks(&c), (0x5, 0x21, 0x00));
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    let sao_track = track_info(&mut d, 1);
    let sao_next = track_info(&mut d, 0xFF);
    // the data is where the track is: block 0 holds the first data block, not the pre-gap
    let (c, v) = data_in(&mut d, &[0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0], 2048);
    good(&c);
    assert!(v.iter().all(|&b| b == 0x5A));
    // disc information: appendable (01b), the next session empty (00b)
    let (c, di) = data_in(&mut d, &[0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0], 34);
    good(&c);
    assert_eq!(di[2] & 0x0F, 0x01);

    // The track ends where the sheet's lead-out entry (00:06:00 = LBA 300) puts the lead-out,
    // with no run-out blocks (MMC-6 §6.33.3; run-out belongs to track-at-once, §4.2.3.5;
    // libburn's cookbook and cdrecord -dao put the lead-out at the end of the last track):
    // track size 300, the next session at 300 + 11400 (lead-out 6750, lead-in 4500,
    // pre-gap 150) = 11700. The model before gave 302 and 11702, as for TAO.
    assert_eq!(be32(&sao_track, 24), 300, "SAO track size");
    assert_eq!(be32(&sao_next, 8), 11_700, "next session start after SAO");
    assert_eq!(be32(&sao_next, 12), 11_700, "NWA after SAO");

    // the same track in TAO, closed with CLOSE SESSION: two run-out blocks, 302 and 11702
    let (_t2, _p2, mut d2) = drive("cd-r", &[]);
    select_cd_write_type(&mut d2, 1);
    write_from(&mut d2, 0, 300, 0x5A);
    good(&none(&mut d2, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    good(&none(&mut d2, &[0x5B, 0, 2, 0, 0, 0, 0, 0, 0, 0]));
    let tao_track = track_info(&mut d2, 1);
    assert_eq!(be32(&tao_track, 24), 302, "TAO track size");
    assert_eq!(
        be32(&track_info(&mut d2, 0xFF), 12),
        11_702,
        "NWA after TAO"
    );
    // otherwise the same track: start, state, mode
    assert_eq!(tao_track[..24], sao_track[..24]);

    // a TAO track appends to the SAO disc at the invisible track's NWA
    select_cd_write_type(&mut d, 1);
    let nwa = be32(&sao_next, 12);
    assert!(nwa > 300, "next session after the gaps, got {nwa}");
    write_from(&mut d, nwa as i32, 300, 0xA5);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    good(&none(&mut d, &[0x5B, 0, 2, 0, 0, 0, 0, 0, 0, 0]));
    assert_eq!(be32(&track_info(&mut d, 2), 8), nwa);
}
