//! Volume descriptors: ECMA-119 §8 (boot record §8.2, primary §8.4, supplementary and
//! enhanced §8.5 / ISO 9660:1999 §8.5, terminator §8.3), Joliet escape sequences, and the
//! El Torito boot record (El Torito 1.0 §2.0).

use super::{
    decode_date17, encode_date17, get_u16_both, get_u32_both, get_u32_le, put_padded, put_u16_both,
    put_u32_both, Timestamp, WireError,
};
use crate::SECTOR;

/// Standard identifier in every volume descriptor (ECMA-119 §8.1.2).
pub const STD_ID: &[u8; 5] = b"CD001";
/// Boot system identifier of an El Torito boot record (El Torito §2.0).
pub const EL_TORITO_ID: &[u8] = b"EL TORITO SPECIFICATION";

/// Field offsets of a volume descriptor (ECMA-119 §8.4, table 4).
pub mod off {
    /// Volume descriptor type.
    pub const TYPE: usize = 0;
    /// "CD001".
    pub const STD_ID: usize = 1;
    /// Volume descriptor version.
    pub const VERSION: usize = 6;
    /// Volume flags (SVD only).
    pub const FLAGS: usize = 7;
    /// System identifier, 32 bytes.
    pub const SYSTEM_ID: usize = 8;
    /// Volume identifier, 32 bytes.
    pub const VOLUME_ID: usize = 40;
    /// Volume space size, both-byte order 32.
    pub const SPACE_SIZE: usize = 80;
    /// Escape sequences (SVD), 32 bytes.
    pub const ESCAPES: usize = 88;
    /// Volume set size, both 16.
    pub const SET_SIZE: usize = 120;
    /// Volume sequence number, both 16.
    pub const SEQ_NUM: usize = 124;
    /// Logical block size, both 16.
    pub const BLOCK_SIZE: usize = 128;
    /// Path table size, both 32.
    pub const PT_SIZE: usize = 132;
    /// Type L path table location (LE 32).
    pub const PT_L: usize = 140;
    /// Optional type L path table location.
    pub const PT_L_OPT: usize = 144;
    /// Type M path table location (BE 32).
    pub const PT_M: usize = 148;
    /// Optional type M path table location.
    pub const PT_M_OPT: usize = 152;
    /// Root directory record, 34 bytes.
    pub const ROOT: usize = 156;
    /// Volume set identifier, 128 bytes.
    pub const VOLSET_ID: usize = 190;
    /// Publisher identifier, 128 bytes.
    pub const PUBLISHER_ID: usize = 318;
    /// Data preparer identifier, 128 bytes.
    pub const PREPARER_ID: usize = 446;
    /// Application identifier, 128 bytes.
    pub const APPLICATION_ID: usize = 574;
    /// Copyright file identifier, 37 bytes.
    pub const COPYRIGHT_ID: usize = 702;
    /// Abstract file identifier, 37 bytes.
    pub const ABSTRACT_ID: usize = 739;
    /// Bibliographic file identifier, 37 bytes.
    pub const BIBLIO_ID: usize = 776;
    /// Volume creation date, 17 bytes.
    pub const CREATED: usize = 813;
    /// Volume modification date.
    pub const MODIFIED: usize = 830;
    /// Volume expiration date.
    pub const EXPIRES: usize = 847;
    /// Volume effective date.
    pub const EFFECTIVE: usize = 864;
    /// File structure version.
    pub const FS_VERSION: usize = 881;
    /// Boot record: boot identifier, 32 bytes (El Torito §2.0).
    pub const BOOT_ID: usize = 39;
    /// Boot record: absolute LBA of the boot catalog, LE 32 (El Torito §2.0).
    pub const BOOT_CATALOG: usize = 71;
}

/// Volume descriptor type codes (ECMA-119 §8.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VdType {
    /// Boot record (0).
    BootRecord,
    /// Primary volume descriptor (1).
    Primary,
    /// Supplementary (version 1, e.g. Joliet) or enhanced (version 2) descriptor (2).
    Supplementary,
    /// Volume partition descriptor (3).
    Partition,
    /// Volume descriptor set terminator (255).
    Terminator,
    /// Any other code.
    Unknown(u8),
}

impl From<u8> for VdType {
    fn from(v: u8) -> Self {
        match v {
            0 => Self::BootRecord,
            1 => Self::Primary,
            2 => Self::Supplementary,
            3 => Self::Partition,
            255 => Self::Terminator,
            x => Self::Unknown(x),
        }
    }
}

impl VdType {
    /// The on-disc code.
    pub fn code(self) -> u8 {
        match self {
            Self::BootRecord => 0,
            Self::Primary => 1,
            Self::Supplementary => 2,
            Self::Partition => 3,
            Self::Terminator => 255,
            Self::Unknown(x) => x,
        }
    }
}

/// Joliet UCS-2 level of a supplementary descriptor, from its escape sequence (Joliet §2.2).
pub fn joliet_level(escapes: &[u8]) -> Option<u8> {
    if escapes.len() < 3 || &escapes[..2] != b"%/" {
        return None;
    }
    match escapes[2] {
        b'@' => Some(1),
        b'C' => Some(2),
        b'E' => Some(3),
        _ => None,
    }
}

/// A checked view of one 2048-byte volume descriptor.
#[derive(Debug, Clone, Copy)]
pub struct VolumeDescriptor<'a> {
    b: &'a [u8],
}

impl<'a> VolumeDescriptor<'a> {
    /// Checks length and the "CD001" identifier.
    pub fn new_checked(b: &'a [u8]) -> Result<Self, WireError> {
        if b.len() < SECTOR {
            return Err(WireError::Short {
                what: "volume descriptor",
                len: b.len(),
                need: SECTOR,
            });
        }
        if &b[off::STD_ID..off::STD_ID + 5] != STD_ID {
            return Err(WireError::Invalid {
                what: "volume descriptor",
                detail: "standard identifier is not CD001".into(),
            });
        }
        Ok(Self { b: &b[..SECTOR] })
    }
    /// The raw 2048 bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.b
    }
    /// Descriptor type.
    pub fn vd_type(&self) -> VdType {
        VdType::from(self.b[off::TYPE])
    }
    /// Descriptor version (1; 2 for an ISO 9660:1999 enhanced descriptor).
    pub fn version(&self) -> u8 {
        self.b[off::VERSION]
    }
    /// Joliet level when this is a Joliet supplementary descriptor.
    pub fn joliet_level(&self) -> Option<u8> {
        if self.vd_type() == VdType::Supplementary && self.version() == 1 {
            joliet_level(&self.b[off::ESCAPES..off::ESCAPES + 32])
        } else {
            None
        }
    }
    /// Whether this is an enhanced volume descriptor (ISO 9660:1999 §8.5, version 2).
    pub fn is_enhanced(&self) -> bool {
        self.vd_type() == VdType::Supplementary && self.version() == 2
    }
    fn text(&self, at: usize, len: usize) -> String {
        let raw = &self.b[at..at + len];
        if self.joliet_level().is_some() {
            let units: Vec<u16> = raw
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
                .trim_end_matches([' ', '\0'])
                .to_string()
        } else {
            String::from_utf8_lossy(raw)
                .trim_end_matches([' ', '\0'])
                .to_string()
        }
    }
    /// System identifier, trailing blanks removed.
    pub fn system_id(&self) -> String {
        self.text(off::SYSTEM_ID, 32)
    }
    /// Volume identifier, trailing blanks removed.
    pub fn volume_id(&self) -> String {
        self.text(off::VOLUME_ID, 32)
    }
    /// Volume set identifier.
    pub fn volume_set_id(&self) -> String {
        self.text(off::VOLSET_ID, 128)
    }
    /// Publisher identifier.
    pub fn publisher_id(&self) -> String {
        self.text(off::PUBLISHER_ID, 128)
    }
    /// Data preparer identifier.
    pub fn preparer_id(&self) -> String {
        self.text(off::PREPARER_ID, 128)
    }
    /// Application identifier.
    pub fn application_id(&self) -> String {
        self.text(off::APPLICATION_ID, 128)
    }
    /// Volume space size in logical blocks.
    pub fn space_size(&self) -> u32 {
        get_u32_both(&self.b[off::SPACE_SIZE..])
    }
    /// Logical block size.
    pub fn block_size(&self) -> u16 {
        get_u16_both(&self.b[off::BLOCK_SIZE..])
    }
    /// Path table size in bytes.
    pub fn path_table_size(&self) -> u32 {
        get_u32_both(&self.b[off::PT_SIZE..])
    }
    /// Location of the type L path table.
    pub fn path_table_l(&self) -> u32 {
        get_u32_le(&self.b[off::PT_L..])
    }
    /// The 34-byte root directory record.
    pub fn root_record(&self) -> &'a [u8] {
        &self.b[off::ROOT..off::ROOT + 34]
    }
    /// Volume creation date.
    pub fn created(&self) -> Option<Timestamp> {
        decode_date17(&self.b[off::CREATED..off::CREATED + 17])
    }
    /// Volume modification date.
    pub fn modified(&self) -> Option<Timestamp> {
        decode_date17(&self.b[off::MODIFIED..off::MODIFIED + 17])
    }
    /// For an El Torito boot record: the boot catalog LBA.
    pub fn boot_catalog(&self) -> Option<u32> {
        if self.vd_type() == VdType::BootRecord
            && self.b[7..7 + EL_TORITO_ID.len()] == *EL_TORITO_ID
        {
            Some(get_u32_le(&self.b[off::BOOT_CATALOG..]))
        } else {
            None
        }
    }
}

/// The volume space size (ECMA-119 §8.4.8, both-byte order at offset 80, little-endian
/// half trusted) of the primary, supplementary or enhanced volume descriptor `b`, or
/// `None` if `b` is no such descriptor (too short, not "CD001", type not 1 or 2).
pub fn space_size_of(b: &[u8]) -> Option<u32> {
    let vd = VolumeDescriptor::new_checked(b).ok()?;
    matches!(vd.vd_type(), VdType::Primary | VdType::Supplementary).then(|| vd.space_size())
}

/// Sets the volume space size (ECMA-119 §8.4.8, both-byte order at offset 80) of the
/// primary, supplementary or enhanced volume descriptor `b`, as a session's descriptors
/// copied to block 16 of an overwritable medium need it. Returns whether `b` was such a
/// descriptor; anything else is left unchanged.
pub fn set_space_size(b: &mut [u8], blocks: u32) -> bool {
    if space_size_of(b).is_none() {
        return false;
    }
    put_u32_both(&mut b[off::SPACE_SIZE..off::SPACE_SIZE + 8], blocks);
    true
}

/// Kind of descriptor to encode with [`VdFields::encode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VdKind {
    /// Primary volume descriptor.
    Primary,
    /// Joliet supplementary descriptor (UCS-2 level 3 escape "%/E").
    Joliet,
    /// ISO 9660:1999 enhanced volume descriptor (type 2, version 2).
    Enhanced,
}

/// The contents of a primary, Joliet or enhanced volume descriptor.
#[derive(Debug, Clone, Default)]
pub struct VdFields {
    /// System identifier.
    pub system_id: String,
    /// Volume identifier.
    pub volume_id: String,
    /// Volume set identifier.
    pub volume_set_id: String,
    /// Publisher identifier.
    pub publisher_id: String,
    /// Data preparer identifier.
    pub preparer_id: String,
    /// Application identifier.
    pub application_id: String,
    /// Copyright file identifier.
    pub copyright_id: String,
    /// Abstract file identifier.
    pub abstract_id: String,
    /// Bibliographic file identifier.
    pub biblio_id: String,
    /// Volume space size in blocks.
    pub space_size: u32,
    /// Path table size in bytes.
    pub path_table_size: u32,
    /// Type L path table LBA.
    pub path_table_l: u32,
    /// Type M path table LBA.
    pub path_table_m: u32,
    /// The 34-byte root directory record.
    pub root: Vec<u8>,
    /// Creation and modification date.
    pub created: Option<Timestamp>,
}

fn put_text(b: &mut [u8], s: &str, kind: VdKind) {
    if kind == VdKind::Joliet {
        let mut enc = Vec::with_capacity(b.len());
        for u in s.encode_utf16() {
            enc.extend_from_slice(&u.to_be_bytes());
        }
        enc.truncate(b.len() & !1);
        // Pad with UCS-2 spaces (00 20).
        let mut i = enc.len();
        b[..i].copy_from_slice(&enc);
        while i + 1 < b.len() {
            b[i] = 0;
            b[i + 1] = b' ';
            i += 2;
        }
        if i < b.len() {
            b[i] = 0;
        }
    } else {
        put_padded(b, s.as_bytes(), b' ');
    }
}

impl VdFields {
    /// Encodes a 2048-byte descriptor of `kind`.
    pub fn encode(&self, kind: VdKind) -> Vec<u8> {
        let mut b = vec![0u8; SECTOR];
        b[off::TYPE] = if kind == VdKind::Primary { 1 } else { 2 };
        b[off::STD_ID..off::STD_ID + 5].copy_from_slice(STD_ID);
        b[off::VERSION] = if kind == VdKind::Enhanced { 2 } else { 1 };
        put_text(
            &mut b[off::SYSTEM_ID..off::SYSTEM_ID + 32],
            &self.system_id,
            kind,
        );
        put_text(
            &mut b[off::VOLUME_ID..off::VOLUME_ID + 32],
            &self.volume_id,
            kind,
        );
        put_u32_both(&mut b[off::SPACE_SIZE..], self.space_size);
        if kind == VdKind::Joliet {
            b[off::ESCAPES..off::ESCAPES + 3].copy_from_slice(b"%/E");
        }
        put_u16_both(&mut b[off::SET_SIZE..], 1);
        put_u16_both(&mut b[off::SEQ_NUM..], 1);
        put_u16_both(&mut b[off::BLOCK_SIZE..], SECTOR as u16);
        put_u32_both(&mut b[off::PT_SIZE..], self.path_table_size);
        b[off::PT_L..off::PT_L + 4].copy_from_slice(&self.path_table_l.to_le_bytes());
        b[off::PT_M..off::PT_M + 4].copy_from_slice(&self.path_table_m.to_be_bytes());
        let n = self.root.len().min(34);
        b[off::ROOT..off::ROOT + n].copy_from_slice(&self.root[..n]);
        put_text(
            &mut b[off::VOLSET_ID..off::VOLSET_ID + 128],
            &self.volume_set_id,
            kind,
        );
        put_text(
            &mut b[off::PUBLISHER_ID..off::PUBLISHER_ID + 128],
            &self.publisher_id,
            kind,
        );
        put_text(
            &mut b[off::PREPARER_ID..off::PREPARER_ID + 128],
            &self.preparer_id,
            kind,
        );
        put_text(
            &mut b[off::APPLICATION_ID..off::APPLICATION_ID + 128],
            &self.application_id,
            kind,
        );
        put_text(
            &mut b[off::COPYRIGHT_ID..off::COPYRIGHT_ID + 37],
            &self.copyright_id,
            kind,
        );
        put_text(
            &mut b[off::ABSTRACT_ID..off::ABSTRACT_ID + 37],
            &self.abstract_id,
            kind,
        );
        put_text(
            &mut b[off::BIBLIO_ID..off::BIBLIO_ID + 37],
            &self.biblio_id,
            kind,
        );
        b[off::CREATED..off::CREATED + 17].copy_from_slice(&encode_date17(self.created));
        b[off::MODIFIED..off::MODIFIED + 17].copy_from_slice(&encode_date17(self.created));
        b[off::EXPIRES..off::EXPIRES + 17].copy_from_slice(&encode_date17(None));
        b[off::EFFECTIVE..off::EFFECTIVE + 17].copy_from_slice(&encode_date17(self.created));
        b[off::FS_VERSION] = if kind == VdKind::Enhanced { 2 } else { 1 };
        b
    }
}

/// Encodes the El Torito boot record volume descriptor pointing at `catalog_lba`.
pub fn encode_boot_record(catalog_lba: u32) -> Vec<u8> {
    let mut b = vec![0u8; SECTOR];
    b[off::TYPE] = 0;
    b[off::STD_ID..off::STD_ID + 5].copy_from_slice(STD_ID);
    b[off::VERSION] = 1;
    b[7..7 + EL_TORITO_ID.len()].copy_from_slice(EL_TORITO_ID);
    b[off::BOOT_CATALOG..off::BOOT_CATALOG + 4].copy_from_slice(&catalog_lba.to_le_bytes());
    b
}

/// Encodes the volume descriptor set terminator (ECMA-119 §8.3).
pub fn encode_terminator() -> Vec<u8> {
    let mut b = vec![0u8; SECTOR];
    b[off::TYPE] = 255;
    b[off::STD_ID..off::STD_ID + 5].copy_from_slice(STD_ID);
    b[off::VERSION] = 1;
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_size_read_and_set() {
        let mut b = vec![0u8; SECTOR];
        b[0] = 1;
        b[1..6].copy_from_slice(STD_ID);
        assert!(set_space_size(&mut b, 0x05F4));
        assert_eq!(&b[80..88], &[0xF4, 0x05, 0, 0, 0, 0, 0x05, 0xF4]);
        assert_eq!(space_size_of(&b), Some(0x05F4));
        b[0] = 2;
        assert_eq!(space_size_of(&b), Some(0x05F4));
        // A terminator, a foreign block and a short buffer are not touched.
        b[0] = 255;
        assert!(!set_space_size(&mut b, 7));
        assert_eq!(space_size_of(&b), None);
        b[0] = 1;
        b[1] = b'X';
        assert_eq!(space_size_of(&b), None);
        let mut short = vec![1u8; 100];
        assert!(!set_space_size(&mut short, 7));
        assert_eq!(short, vec![1u8; 100]);
    }

    #[test]
    fn primary_layout() {
        let f = VdFields {
            volume_id: "CDROM".into(),
            space_size: 200,
            path_table_size: 10,
            path_table_l: 19,
            path_table_m: 21,
            ..Default::default()
        };
        let b = f.encode(VdKind::Primary);
        assert_eq!(&b[..8], &[1, b'C', b'D', b'0', b'0', b'1', 1, 0]);
        assert_eq!(&b[80..88], &[200, 0, 0, 0, 0, 0, 0, 200]);
        assert_eq!(&b[128..132], &[0x00, 0x08, 0x08, 0x00]);
        assert_eq!(&b[140..144], &[19, 0, 0, 0]);
        assert_eq!(&b[148..152], &[0, 0, 0, 21]);
        let v = VolumeDescriptor::new_checked(&b).unwrap();
        assert_eq!(v.volume_id(), "CDROM");
        assert_eq!(v.space_size(), 200);
        assert_eq!(v.vd_type(), VdType::Primary);
        let j = f.encode(VdKind::Joliet);
        assert_eq!(&j[88..91], b"%/E");
        assert_eq!(&j[40..50], &[0, b'C', 0, b'D', 0, b'R', 0, b'O', 0, b'M']);
        assert_eq!(&j[50..52], &[0, b' ']);
        let jv = VolumeDescriptor::new_checked(&j).unwrap();
        assert_eq!(jv.joliet_level(), Some(3));
        assert_eq!(jv.volume_id(), "CDROM");
        let br = encode_boot_record(33);
        let bv = VolumeDescriptor::new_checked(&br).unwrap();
        assert_eq!(bv.boot_catalog(), Some(33));
        assert!(VolumeDescriptor::new_checked(&[0u8; 100]).is_err());
    }
}
