//! What xorriso (libburn 1.5) sent the emulated drive through `discburn serve` and the
//! guest's SG_IO (tests/tests/guest_xorriso_media.rs), and the answer it needed: one test
//! per difference found, each naming the burner command, the CDB and what MMC-6 and
//! libburn's doc/cookbook.txt say.
#![allow(clippy::unwrap_used)] // reason: tests

mod emu_util;
use emu_util::*;

/// MODE SELECT(10) of page 05h (8-byte header, 0x32-byte page) with bytes 2, 3 and 4.
fn select05(d: &mut impl transport::Transport, b2: u8, b3: u8, dbt: u8) -> transport::Completion {
    let mut list = vec![0u8; 8 + 2 + 0x32];
    list[8] = 0x05;
    list[9] = 0x32;
    list[10] = b2;
    list[11] = b3;
    list[12] = dbt;
    list[23] = 150;
    let n = list.len() as u8;
    data_out(d, &[0x55, 0x10, 0, 0, 0, 0, 0, 0, n, 0], &list)
}

/// `xorriso -dev /dev/srN -map DIR / -commit` on a blank CD-R: libburn writes a data
/// track of known size session-at-once. Its page 05h (mmc_compose_mode_page_5) carries
/// write type 2 with Data Block Type 0 (spc_block_type(BURN_BLOCK_SAO), "ignored bitz"),
/// and its write mode probe (spc_probe_write_modes) counts SAO as usable when a MODE
/// SELECT of write type 2 with block type 0 is taken. In session-at-once the data form of
/// each track comes from the cue sheet (MMC-6 §6.33.3, DATA FORM of each entry), not from
/// page 05h. The emulator answered 26/00 (only block types 8 and 10), left page 05h at
/// TAO, and the SEND CUE SHEET that followed failed with 2C/00: xorriso could write no
/// CD at all. Needed: GOOD, and the cue sheet taken; reserved codes are still refused.
#[test]
fn xorriso_sao_page05_with_data_block_type_0() {
    for profile in ["cd-r", "cd-rw"] {
        let (_t, _p, mut d) = drive(profile, &[]);
        // libburn: BUFE, write type 2, multi-session 11b, control 4, block type 0
        good(&select05(&mut d, 0x42, 0xC4, 0));
        // a reserved data block type stays refused (26/00), SAO or not
        assert_eq!(
            ks(&select05(&mut d, 0x42, 0xC4, 5)),
            (0x5, 0x26, 0x00),
            "{profile}"
        );
        // in TAO the block type must fit the track mode: raw CD-DA (0) on a data
        // track (track mode 4) is refused
        assert_eq!(
            ks(&select05(&mut d, 0x41, 0xC4, 0)),
            (0x5, 0x26, 0x00),
            "{profile}"
        );
        good(&select05(&mut d, 0x42, 0xC4, 0));
        // a 300-block mode 1 data session, as libburn's burn_create_toc_entries makes it
        let sheet = [
            0x41, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, //
            0x41, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, //
            0x41, 0x01, 0x01, 0x10, 0x00, 0x00, 0x02, 0x00, //
            0x41, 0xAA, 0x01, 0x14, 0x00, 0x00, 0x06, 0x00, //
        ];
        good(&data_out(
            &mut d,
            &[0x5D, 0, 0, 0, 0, 0, 0, 0, 0x20, 0],
            &sheet,
        ));
    }
}

/// `xorriso -indev /dev/srN -check_media --` on a CD with TAO sessions: xorriso reads the
/// last 2 blocks of each CD track on their own (Xorriso_check_interval: "with TAO tracks
/// they are always unreadable but with SAO tracks they contain data") with libburn's
/// burn_read_data flag 16, which takes a failing READ(10) as the expected end of a TAO
/// track only when the drive answers ILLEGAL REQUEST, ILLEGAL MODE FOR THIS TRACK
/// (05/64/00, mmc_read_10). The emulator answered MEDIUM ERROR, UNRECOVERED READ ERROR
/// (03/11/00) for these run-out blocks, so every session but the last showed a
/// "- unreadable" region. Needed: 05/64/00 with the block in INFORMATION; data blocks
/// read as before, and blocks past all tracks are still out of range (05/21/00).
#[test]
fn xorriso_check_media_tao_run_out_is_illegal_mode() {
    let (_t, _p, mut d) = drive("cd-r", &[]);
    good(&select05(&mut d, 0x41, 0xC4, 8));
    write10(&mut d, 0, &vec![0x5Au8; 300 * 2048]);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    good(&none(&mut d, &[0x5B, 0, 2, 0, 0, 0, 0, 0, 0, 0]));
    // the track holds 300 data blocks and 2 run-out blocks (READ TRACK INFORMATION)
    assert_eq!(be32(&track_info(&mut d, 1), 24), 302);
    let read = |d: &mut emu::EmuDrive, lba: u32| {
        let b = lba.to_be_bytes();
        data_in(d, &[0x28, 0, b[0], b[1], b[2], b[3], 0, 0, 1, 0], 2048).0
    };
    good(&read(&mut d, 299));
    for lba in [300, 301] {
        let c = read(&mut d, lba);
        assert_eq!(ks(&c), (0x5, 0x64, 0x00), "LBA {lba}");
        assert_eq!(be32(&c.sense, 3), lba);
    }
    assert_eq!(ks(&read(&mut d, 302)), (0x5, 0x21, 0x00));
}

/// One 300-block TAO data session closed on a CD-R at its next writable address.
fn tao_session(d: &mut emu::EmuDrive, fill: u8) -> u32 {
    good(&select05(d, 0x41, 0xC4, 8));
    let nwa = be32(&track_info(d, 0xFF), 12);
    write10(d, nwa, &vec![fill; 300 * 2048]);
    good(&none(d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    good(&none(d, &[0x5B, 0, 2, 0, 0, 0, 0, 0, 0, 0]));
    nwa
}

/// `mount -t iso9660 /dev/srN` (no sbsector) after xorriso's three sessions showed the
/// first session's tree: the Linux sr driver finds the last session with READ TOC
/// `43 00 00 00 00 00 00 00 0C 40` (sr_cd_check, VENDOR_SCSI3): Format 0 in byte 2 and
/// 01b in CONTROL bits 7-6, the SCSI-2 multisession form (SFF-8020, Kodak Photo CD) that
/// MMC keeps for legacy hosts. The emulator took byte 2 only and answered a format 0 TOC,
/// whose first descriptor (track 1 at LBA 0) the kernel read as the last session. Needed:
/// the format 1 answer (length 0Ah, first and last session, the last session's first
/// track and its start); byte 2, when not 0, still decides.
#[test]
fn linux_sr_read_toc_format_in_control_byte() {
    let (_t, _p, mut d) = drive("cd-r", &[]);
    tao_session(&mut d, 0x11);
    let second = tao_session(&mut d, 0x22);
    let (c, v) = data_in(&mut d, &[0x43, 0, 0, 0, 0, 0, 0, 0, 0x0C, 0x40], 12);
    good(&c);
    assert_eq!(&v[..4], &[0x00, 0x0A, 1, 2], "length 0Ah, sessions 1 to 2");
    assert_eq!(v[6], 2, "first track of the last session");
    assert_eq!(be32(&v, 8), second);
    // the same as Format 1 in byte 2
    let (_, v1) = data_in(&mut d, &[0x43, 0, 1, 0, 0, 0, 0, 0, 0x0C, 0], 12);
    assert_eq!(v, v1);
    // without CONTROL bits: a format 0 TOC, its first descriptor track 1
    let (_, v0) = data_in(&mut d, &[0x43, 0, 0, 0, 0, 0, 0, 0, 0x0C, 0x00], 12);
    assert_eq!(v0[6], 1);
    // byte 2 decides when it is not 0: a full TOC (first POINT A0h) despite CONTROL 40h
    let (_, v2) = data_in(&mut d, &[0x43, 0, 2, 0, 0, 0, 0, 0, 0x0F, 0x40], 15);
    assert_eq!(v2[7], 0xA0, "{v2:02X?}");
}
