//! READ DISC STRUCTURE (ADh, MMC-6 §6.23): the structures real DVD and BD drives answer and
//! that dvd+rw-mediainfo, growisofs and libburn ask for.
//!
//! - DVD (media type 0000b, MMC-6 §6.23.3): 00h physical format information (the layer
//!   descriptor of ECMA-267 §3.3.1 / the DVD+R and DVD+RW books: book type, disc size,
//!   layers, track path, data area start and end, DVD+R DL layer-0 end), 01h copyright
//!   information (no protection, all regions), 0Eh pre-recorded information in the lead-in
//!   (DVD-R: the pre-pit fields 1-5 with the manufacturer ID in fields 3 and 4), 10h the
//!   physical format information of the control data zone (DVD-R), 11h ADIP information
//!   (DVD+R, DVD+RW), 20h DVD+R DL layer boundary information, FFh the structure list.
//! - BD (media type 0001b, §6.23.4): 00h disc information (one DI unit of the BD-R/BD-RE
//!   books: "DI", disc type identifier BDO/BDR/BDW, one layer, the data zone, the disc
//!   manufacturer and media type IDs), FFh the structure list.
//!
//! Any other format: ILLEGAL REQUEST, INVALID FIELD IN CDB (§6.23.2). A CD in the drive, or
//! a media type that is not the loaded disc's family: ILLEGAL REQUEST, CANNOT READ MEDIUM -
//! INCOMPATIBLE FORMAT (30/02), as QEMU's ATAPI drive and real drives answer.
//!
//! The disc's identity (manufacturer "DISCBURN", media type "EMU") names the emulator, not a
//! real manufacturer; the data area is the nominal one of [`crate::medium`] (a DVD+R DL's
//! layer 0 holds half of it, as on the 8.5 GB discs with the default layer break).

use super::emulate::Fail;
use super::error::EmuError;
use super::medium::{Family, MediumKind};
use super::EmuDrive;

const OP: u8 = 0xAD;

/// First physical sector of a DVD's data area (ECMA-267 §3.3.1: 30000h).
pub const DVD_DATA_START: u32 = 0x0003_0000;
/// First physical sector of a BD's data zone as this model numbers it.
const BD_DATA_START: u32 = 0x0010_0000;
/// Disc manufacturer ID of the emulated media (DVD+ ADIP: 8 bytes).
const MANUFACTURER: &[u8; 8] = b"DISCBURN";
/// Media type ID of the emulated media (3 bytes).
const MEDIA_TYPE: &[u8; 3] = b"EMU";

fn field(what: impl Into<String>) -> Fail {
    Fail::Emu(EmuError::InvalidField {
        opcode: OP,
        what: what.into(),
    })
}

/// A structure with its 4-byte header (MMC-6 §6.23.2: data length = bytes after the length
/// field itself).
fn with_header(payload: &[u8]) -> Vec<u8> {
    let mut d = Vec::with_capacity(4 + payload.len());
    let len = (payload.len() + 2).min(0xFFFF) as u16;
    d.extend_from_slice(&len.to_be_bytes());
    d.extend_from_slice(&[0, 0]);
    d.extend_from_slice(payload);
    d
}

/// Payload sizes of the structures, for the FFh list (format, length).
const fn payload_len(format: u8) -> usize {
    match format {
        0x00 | 0x10 => 2048,
        0x01 => 4,
        0x0E => 40,
        0x11 => 256,
        0x20 => 8,
        _ => 0,
    }
}

impl EmuDrive {
    /// The DVD formats this medium answers, in the order of the FFh list.
    fn dvd_formats(&self) -> &'static [u8] {
        match self.kind() {
            MediumKind::DvdR => &[0x00, 0x01, 0x0E, 0x10],
            MediumKind::DvdPlusR | MediumKind::DvdPlusRw => &[0x00, 0x01, 0x11],
            MediumKind::DvdPlusRDl => &[0x00, 0x01, 0x11, 0x20],
            _ => &[0x00, 0x01],
        }
    }

    /// Blocks of the data area (pressed discs: what the image holds).
    fn data_blocks(&self) -> u32 {
        match self.kind() {
            MediumKind::DvdRom | MediumKind::BdRom => self.disc.capacity,
            k => k.nominal_capacity(),
        }
    }

    /// Blocks of a DVD+R DL's layer 0 (the default layer break: half the disc).
    fn layer0_blocks(&self) -> u32 {
        self.data_blocks() / 2
    }

    /// READ DISC STRUCTURE (MMC-6 §6.23): the structure with its header, uncut.
    pub(super) fn emulate_read_disc_structure(
        &mut self,
        media_type: u8,
        layer: u8,
        format: u8,
    ) -> Result<Vec<u8>, Fail> {
        let family = self.family();
        let want = match media_type {
            0 => Family::Dvd,
            1 => Family::Bd,
            t => return Err(field(format!("media type {t:X}h is reserved"))),
        };
        if family != want {
            return Err(Fail::Emu(EmuError::CannotRead {
                what: format!(
                    "READ DISC STRUCTURE for {} media with a {} disc loaded",
                    if want == Family::Bd { "BD" } else { "DVD" },
                    self.kind().option_name()
                ),
            }));
        }
        if family == Family::Bd {
            return match format {
                0x00 => {
                    if layer != 0 {
                        return Err(field(format!("layer {layer}: the disc has one layer")));
                    }
                    Ok(with_header(&self.bd_disc_information()))
                }
                0xFF => Ok(structure_list(&[0x00], |_| 4096)),
                f => Err(field(format!(
                    "BD structure format {f:02X}h is not supported"
                ))),
            };
        }
        let formats = self.dvd_formats();
        if format == 0xFF {
            return Ok(structure_list(formats, payload_len));
        }
        if !formats.contains(&format) {
            return Err(field(format!(
                "DVD structure format {format:02X}h is not supported on {}",
                self.kind().option_name()
            )));
        }
        let layers = if self.kind() == MediumKind::DvdPlusRDl {
            2
        } else {
            1
        };
        if matches!(format, 0x00 | 0x10) && layer >= layers {
            return Err(field(format!(
                "layer {layer}: the disc has {layers} layer(s)"
            )));
        }
        Ok(with_header(&match format {
            0x00 | 0x10 => self.dvd_physical_format(),
            // MMC-6 §6.23.3.2.2: copyright protection system type 0 (none), region
            // management information 00h (playable in every region)
            0x01 => vec![0; 4],
            0x0E => self.dvd_r_prerecorded(),
            0x11 => self.dvd_plus_adip(),
            _ => self.dvd_plus_r_dl_boundary(),
        }))
    }

    /// The 2048-byte layer descriptor (ECMA-267 §3.3.1 table; DVD+R / DVD+RW books for
    /// bytes 19-30).
    fn dvd_physical_format(&self) -> Vec<u8> {
        let kind = self.kind();
        let mut p = vec![0u8; 2048];
        // byte 0: book type (bits 7-4) and part version: DVD-ROM 0, DVD-R 2 (version 2.0
        // for General: part version 5), DVD+RW 9, DVD+R Ah, DVD+R DL Eh
        p[0] = match kind {
            MediumKind::DvdR => 0x25,
            MediumKind::DvdPlusRw => 0x92,
            MediumKind::DvdPlusR => 0xA1,
            MediumKind::DvdPlusRDl => 0xE1,
            _ => 0x01,
        };
        // byte 1: disc size 0 (120 mm), maximum rate: 2 (10.08 Mbit/s) pressed, Fh (not
        // specified) recordable
        p[1] = if kind == MediumKind::DvdRom {
            0x02
        } else {
            0x0F
        };
        let blocks = self.data_blocks();
        let start = DVD_DATA_START;
        if kind == MediumKind::DvdPlusRDl {
            // byte 2: two layers (bits 6-5 = 01b), opposite track path (bit 4),
            // recordable (bit 1); byte 3: linear density 0.293 um/bit, track 0.74 um
            p[2] = 0x20 | 0x10 | 0x02;
            p[3] = 0x10;
            let l0_end = start + self.layer0_blocks() - 1;
            // bytes 8-11: with OTP the end of the data area is a layer-1 sector: the
            // bit inverse of the layer-0 sector at the same radius; bytes 12-15: the last
            // sector of layer 0
            let l1_blocks = blocks - self.layer0_blocks();
            let end = !(l0_end + 1 - l1_blocks) & 0x00FF_FFFF;
            p[4..8].copy_from_slice(&start.to_be_bytes());
            p[8..12].copy_from_slice(&end.to_be_bytes());
            p[12..16].copy_from_slice(&l0_end.to_be_bytes());
        } else {
            // byte 2: one layer, parallel track path, layer type: embossed (bit 0),
            // recordable (bit 1) or rewritable (bit 2)
            p[2] = match kind {
                MediumKind::DvdRom => 0x01,
                MediumKind::DvdPlusRw => 0x04,
                _ => 0x02,
            };
            p[4..8].copy_from_slice(&start.to_be_bytes());
            p[8..12].copy_from_slice(&(start + blocks.max(1) - 1).to_be_bytes());
        }
        if matches!(
            kind,
            MediumKind::DvdPlusR | MediumKind::DvdPlusRw | MediumKind::DvdPlusRDl
        ) {
            // DVD+R/+RW books: the control data zone repeats the ADIP's manufacturer
            // (bytes 19-26), media type (27-29) and product revision (30)
            p[19..27].copy_from_slice(MANUFACTURER);
            p[27..30].copy_from_slice(MEDIA_TYPE);
            p[30] = 1;
        }
        p
    }

    /// DVD+R / DVD+RW ADIP information (format 11h, 256 bytes): the physical format
    /// bytes 0-31 as the pre-groove carries them.
    fn dvd_plus_adip(&self) -> Vec<u8> {
        let mut a = self.dvd_physical_format();
        a.truncate(256);
        a[31] = 32; // number of physical format information bytes in use
        a
    }

    /// DVD-R pre-recorded information in the lead-in (format 0Eh): five 8-byte fields,
    /// each starting with its field ID (DVD-R for General book, pre-pit data blocks):
    /// 1 application code, disc physical code and the last address of the data recordable
    /// area; 2 OPC information; 3 and 4 the manufacturer ID (6 bytes each); 5 reserved.
    fn dvd_r_prerecorded(&self) -> Vec<u8> {
        let mut f = vec![0u8; 40];
        let last = DVD_DATA_START + self.data_blocks() - 1;
        f[0] = 1;
        f[1] = 0x00; // application code: general purpose
        f[2] = 0x00; // disc physical code: 120 mm, 0.74 um track pitch
        f[3..6].copy_from_slice(&last.to_be_bytes()[1..4]);
        f[6] = 0x05; // part version 5 (DVD-R for General 2.0)
        f[8] = 2;
        f[16] = 3;
        f[17..23].copy_from_slice(b"DISCBU");
        f[24] = 4;
        f[25..31].copy_from_slice(b"RN-EMU");
        f[32] = 5;
        f
    }

    /// DVD+R DL layer boundary information (format 20h, MMC-6 §6.23.3.2.13): InitStatus
    /// (bit 7 of byte 0: the layer-0 capacity can no longer be changed; set once anything
    /// is recorded) and the layer-0 data zone capacity.
    fn dvd_plus_r_dl_boundary(&self) -> Vec<u8> {
        let mut b = vec![0u8; 8];
        if !self.disc.is_blank() {
            b[0] = 0x80;
        }
        b[4..8].copy_from_slice(&self.layer0_blocks().to_be_bytes());
        b
    }

    /// BD disc information (format 00h, media type 1): 4096 bytes holding one 112-byte
    /// DI unit (BD-R/BD-RE physical format books).
    fn bd_disc_information(&self) -> Vec<u8> {
        let kind = self.kind();
        let mut d = vec![0u8; 4096];
        d[0..2].copy_from_slice(b"DI");
        d[2] = 0x01; // DI format 1
        d[3] = 0x08; // one DI unit in this block of 8, sequence number 0
        d[5] = 112; // bytes in use in this DI unit
        d[8..11].copy_from_slice(match kind {
            MediumKind::BdR => b"BDR",
            MediumKind::BdRe => b"BDW",
            _ => b"BDO",
        });
        d[11] = 0x01; // 120 mm, class 0, version 1
        d[12] = 0x11; // one layer; this is layer 0 (L0)
        d[13] = 0x01; // channel bit length 74.5 nm: 25 GB per layer
        let blocks = self.data_blocks();
        d[16..20].copy_from_slice(&BD_DATA_START.to_be_bytes());
        d[20..24].copy_from_slice(&(BD_DATA_START + blocks.max(1) - 1).to_be_bytes());
        d[100..106].copy_from_slice(&MANUFACTURER[..6]);
        d[106..109].copy_from_slice(MEDIA_TYPE);
        d[111] = 1; // product revision
        d
    }
}

/// The FFh disc structure list (MMC-6 §6.23.3.2.16): for each format its code, RDS (bit 6:
/// READ DISC STRUCTURE answers it; SDS, bit 7, stays clear: no SEND DISC STRUCTURE) and
/// the structure's length as its data length field counts it (what dvd+rw-mediainfo adds 2
/// to for the allocation length), FFh itself last.
fn structure_list(formats: &[u8], payload: impl Fn(u8) -> usize) -> Vec<u8> {
    let mut list = Vec::new();
    for &f in formats.iter().chain(&[0xFF]) {
        let len = if f == 0xFF {
            2 + 4 * (formats.len() + 1)
        } else {
            payload(f) + 2
        };
        list.extend_from_slice(&[f, 0x40]);
        list.extend_from_slice(&(len as u16).to_be_bytes());
    }
    with_header(&list)
}
