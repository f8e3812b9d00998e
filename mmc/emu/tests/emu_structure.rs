//! READ DISC STRUCTURE (ADh, MMC-6 §6.23) on the emulated drive: literal CDBs in, the
//! bytes dvd+rw-mediainfo, growisofs and libburn read out (offsets from MMC-6 §6.23.3 /
//! §6.23.4 and ECMA-267 §3.3.1, written here by hand).

mod emu_util;

use emu_util::*;

/// READ DISC STRUCTURE with media type, format and allocation length.
fn ads(media_type: u8, layer: u8, format: u8, alloc: u16) -> [u8; 12] {
    let [hi, lo] = alloc.to_be_bytes();
    [0xAD, media_type, 0, 0, 0, 0, layer, format, hi, lo, 0, 0]
}

fn be24(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([0, b[at], b[at + 1], b[at + 2]])
}

#[test]
fn dvd_physical_format_per_medium() {
    // (profile, book type byte, layer byte, data blocks): dvd+rw-mediainfo prints the book
    // type ("DVD+R book [revision 1]") and the "Legacy lead-out" = end - 30000h + 1 of
    // bytes 9-11 (one layer) or 13-15 (layer 0 of two)
    for (profile, book, layers, blocks) in [
        ("dvd+r", 0xA1, 0x02, 2_295_104u32),
        ("dvd+rw", 0x92, 0x04, 2_295_104),
        ("dvd-r", 0x25, 0x02, 2_298_496),
        ("dvd+r-dl", 0xE1, 0x32, 4_173_824 / 2),
    ] {
        let (_t, _p, mut d) = drive(profile, &[]);
        // dvd+rw-mediainfo's legacy read: 36 bytes of format 00h (format 10h on DVD-R)
        let (c, v) = data_in(&mut d, &ads(0, 0, 0x00, 36), 36);
        good(&c);
        assert_eq!(&v[..4], &[0x08, 0x02, 0, 0], "{profile}: data length 2050");
        assert_eq!(v[4], book, "{profile}: book type");
        assert_eq!(
            v[4 + 2],
            layers,
            "{profile}: layers, track path, layer type"
        );
        assert_eq!(be24(&v, 4 + 5), 0x03_0000, "{profile}: data area start");
        let end = if layers & 0x60 == 0 {
            be24(&v, 4 + 9)
        } else {
            be24(&v, 4 + 13)
        };
        assert_eq!(end - 0x03_0000 + 1, blocks, "{profile}: lead-out");
        // the whole structure: 4 + 2048 bytes
        let (c, v) = data_in(&mut d, &ads(0, 0, 0x00, 0xFFFF), 0xFFFF);
        good(&c);
        assert_eq!(v.len(), 4 + 2048);
        if profile.starts_with("dvd+") {
            // DVD+ books: manufacturer and media type ID at bytes 19-26 and 27-29
            // (dvd+rw-mediainfo prints "Media ID: %.8s/%.3s" from header+23, +31)
            assert_eq!(&v[23..31], b"DISCBURN");
            assert_eq!(&v[31..34], b"EMU");
        }
    }
}

#[test]
fn dvd_plus_r_dl_layers_and_boundary() {
    let (_t, _p, mut d) = drive("dvd+r-dl", &[]);
    let (_, v) = data_in(&mut d, &ads(0, 0, 0x00, 20), 20);
    // opposite track path: the data area ends on layer 1 at the bit inverse of its start
    assert_eq!(be24(&v, 4 + 9), 0xFC_FFFF);
    assert_eq!(be24(&v, 4 + 13), 0x03_0000 + 2_086_912 - 1);
    // layer 1 answers too; there is no layer 2
    good(&data_in(&mut d, &ads(0, 1, 0x00, 20), 20).0);
    assert_eq!(
        ks(&data_in(&mut d, &ads(0, 2, 0x00, 20), 20).0),
        (0x5, 0x24, 0x00)
    );
    // format 20h as growisofs (plus_r_dl_split) and dvd+rw-mediainfo read it: data length
    // >= 10, InitStatus clear on a blank disc, L0 data zone capacity
    let (c, v) = data_in(&mut d, &ads(0, 0, 0x20, 12), 12);
    good(&c);
    assert_eq!(v, [0, 10, 0, 0, 0, 0, 0, 0, 0x00, 0x1F, 0xD8, 0x00]);
    // once written, the layer-0 capacity can no longer be set (InitStatus)
    write10(&mut d, 0, &vec![0u8; 16 * 2048]);
    let (_, v) = data_in(&mut d, &ads(0, 0, 0x20, 12), 12);
    assert_eq!(v[4], 0x80);
}

#[test]
fn dvd_media_ids_and_structure_list() {
    // DVD+R: the list names 00h, 01h, 11h and FFh, each readable (RDS), not sendable;
    // dvd+rw-mediainfo reads header then length + 2
    let (_t, _p, mut d) = drive("dvd+r", &[]);
    let (c, v) = data_in(&mut d, &ads(0, 0, 0xFF, 4), 4);
    good(&c);
    assert_eq!(&v[..2], &[0, 18]);
    let (_, v) = data_in(&mut d, &ads(0, 0, 0xFF, 20), 20);
    assert_eq!(
        &v[4..],
        &[0x00, 0x40, 0x08, 0x02, 0x01, 0x40, 0, 6, 0x11, 0x40, 0x01, 0x02, 0xFF, 0x40, 0, 18]
    );
    // format 11h ADIP: "Media ID: DISCBURN/EMU" from +23 and +31
    let (c, v) = data_in(&mut d, &ads(0, 0, 0x11, 260), 260);
    good(&c);
    assert_eq!(&v[..2], &[0x01, 0x02]);
    assert_eq!(&v[23..31], b"DISCBURN");
    assert_eq!(&v[31..34], b"EMU");
    // a format this disc lacks (0Eh is DVD-R's; 03h BCA): INVALID FIELD IN CDB
    assert_eq!(
        ks(&data_in(&mut d, &ads(0, 0, 0x0E, 44), 44).0),
        (0x5, 0x24, 0x00)
    );
    assert_eq!(
        ks(&data_in(&mut d, &ads(0, 0, 0x03, 44), 44).0),
        (0x5, 0x24, 0x00)
    );
    // BD structures from a DVD: CANNOT READ MEDIUM - INCOMPATIBLE FORMAT
    assert_eq!(
        ks(&data_in(&mut d, &ads(1, 0, 0x00, 4), 4).0),
        (0x5, 0x30, 0x02)
    );

    // DVD-R: format 0Eh pre-pit fields, 3 and 4 holding the manufacturer ID
    // (dvd+rw-mediainfo: _e[4+16]==3 && _e[4+24]==4, "Media ID: %6.6s%-6.6s")
    let (_t, _p, mut d) = drive("dvd-r", &[]);
    let (c, v) = data_in(&mut d, &ads(0, 0, 0x0E, 44), 44);
    good(&c);
    assert_eq!(&v[..2], &[0, 42]);
    assert_eq!(
        (v[4], v[4 + 8], v[4 + 16], v[4 + 24], v[4 + 32]),
        (1, 2, 3, 4, 5)
    );
    assert_eq!(&v[4 + 17..4 + 23], b"DISCBU");
    assert_eq!(&v[4 + 25..4 + 31], b"RN-EMU");
    // format 10h (growisofs on DVD-R DL, dvd+rw-mediainfo's first try on DVD-R) is the
    // control data zone's physical format information
    let (c, v) = data_in(&mut d, &ads(0, 0, 0x10, 20), 20);
    good(&c);
    assert_eq!(v[4], 0x25);
}

#[test]
fn bd_disc_information_and_refusals() {
    for (profile, id) in [("bd-r", b"BDR"), ("bd-re", b"BDW")] {
        let (_t, _p, mut d) = drive(profile, &[]);
        // dvd+rw-mediainfo: media type 1, 4 bytes, then up to 128; "DI" at +4, "Media
        // ID: %6.6s/%-3.3s" from +4+100 and +4+106
        let (c, v) = data_in(&mut d, &ads(1, 0, 0x00, 4), 4);
        good(&c);
        assert_eq!(&v[..2], &[0x10, 0x02], "{profile}: 4096 + 2");
        let (c, v) = data_in(&mut d, &ads(1, 0, 0x00, 128), 128);
        good(&c);
        assert_eq!(&v[4..6], b"DI");
        assert_eq!(&v[4 + 8..4 + 11], id);
        assert_eq!(&v[4 + 100..4 + 109], b"DISCBUEMU");
        let (c, v) = data_in(&mut d, &ads(1, 0, 0xFF, 64), 64);
        good(&c);
        assert_eq!(v, [0, 10, 0, 0, 0x00, 0x40, 0x10, 0x02, 0xFF, 0x40, 0, 10]);
        // BD spare area (0Ah) and PAC (30h) are not emulated: INVALID FIELD IN CDB
        // (dvd+rw-mediainfo asks 0Ah only when the list names it, 30h only with -v)
        assert_eq!(
            ks(&data_in(&mut d, &ads(1, 0, 0x0A, 16), 16).0),
            (0x5, 0x24, 0x00)
        );
        // DVD structures from a BD
        assert_eq!(
            ks(&data_in(&mut d, &ads(0, 0, 0x00, 4), 4).0),
            (0x5, 0x30, 0x02)
        );
    }
    // a CD has no disc structures (MMC-6 §6.23.2; QEMU's ATAPI CD answers the same)
    let (_t, _p, mut d) = drive("cd-r", &[]);
    assert_eq!(
        ks(&data_in(&mut d, &ads(0, 0, 0x00, 4), 4).0),
        (0x5, 0x30, 0x02)
    );
    // reserved media type
    let (_t, _p, mut d) = drive("dvd+rw", &[]);
    assert_eq!(
        ks(&data_in(&mut d, &ads(2, 0, 0x00, 4), 4).0),
        (0x5, 0x24, 0x00)
    );
}
