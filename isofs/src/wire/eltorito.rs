//! El Torito Bootable CD-ROM Format Specification 1.0: boot catalog (§2.1 validation
//! entry, §2.2 initial/default entry, §2.3 section header, §2.4 section entry), the boot
//! media types of §2.2 offset 1 (no emulation, 1.2/1.44/2.88 MB diskette, hard disk) with
//! the hard-disk image's master boot record (whose one partition's type becomes the entry's
//! system type, §2.2 offset 4), and the boot information table that isolinux/GRUB images
//! expect (mkisofs `-boot-info-table`).

use super::{get_u16_le, get_u32_le, WireError};

/// Platform identifiers (El Torito §2.1, plus 0xEF for UEFI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// 80x86 BIOS (0).
    X86,
    /// PowerPC (1).
    PowerPc,
    /// Mac (2).
    Mac,
    /// UEFI (0xEF).
    Efi,
    /// Any other code.
    Unknown(u8),
}

impl Platform {
    /// On-disc code.
    pub fn code(self) -> u8 {
        match self {
            Self::X86 => 0,
            Self::PowerPc => 1,
            Self::Mac => 2,
            Self::Efi => 0xEF,
            Self::Unknown(x) => x,
        }
    }
}

impl From<u8> for Platform {
    fn from(v: u8) -> Self {
        match v {
            0 => Self::X86,
            1 => Self::PowerPc,
            2 => Self::Mac,
            0xEF => Self::Efi,
            x => Self::Unknown(x),
        }
    }
}

/// Boot media emulation types (El Torito §2.2, offset 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emulation {
    /// No emulation (0).
    NoEmulation,
    /// 1.2 MB diskette (1).
    Floppy12,
    /// 1.44 MB diskette (2).
    Floppy144,
    /// 2.88 MB diskette (3).
    Floppy288,
    /// Hard disk (4).
    HardDisk,
    /// Any other code.
    Unknown(u8),
}

impl Emulation {
    /// On-disc code (the low nibble of §2.2 offset 1).
    pub fn code(self) -> u8 {
        match self {
            Self::NoEmulation => 0,
            Self::Floppy12 => 1,
            Self::Floppy144 => 2,
            Self::Floppy288 => 3,
            Self::HardDisk => 4,
            Self::Unknown(x) => x & 0x0F,
        }
    }

    /// The diskette an image of `size` bytes emulates: 1,228,800 bytes a 1.2 MB, 1,474,560
    /// a 1.44 MB, 2,949,120 a 2.88 MB diskette (§2.2); any other size none.
    pub fn floppy_for_size(size: u64) -> Option<Self> {
        match size {
            FLOPPY_12_BYTES => Some(Self::Floppy12),
            FLOPPY_144_BYTES => Some(Self::Floppy144),
            FLOPPY_288_BYTES => Some(Self::Floppy288),
            _ => None,
        }
    }
}

/// Bytes of a 1.2 MB diskette image (80 cylinders, 2 heads, 15 sectors of 512 bytes).
pub const FLOPPY_12_BYTES: u64 = 1_228_800;
/// Bytes of a 1.44 MB diskette image (80 cylinders, 2 heads, 18 sectors).
pub const FLOPPY_144_BYTES: u64 = 1_474_560;
/// Bytes of a 2.88 MB diskette image (80 cylinders, 2 heads, 36 sectors).
pub const FLOPPY_288_BYTES: u64 = 2_949_120;

impl From<u8> for Emulation {
    fn from(v: u8) -> Self {
        match v & 0x0F {
            0 => Self::NoEmulation,
            1 => Self::Floppy12,
            2 => Self::Floppy144,
            3 => Self::Floppy288,
            4 => Self::HardDisk,
            x => Self::Unknown(x),
        }
    }
}

/// One boot entry to record in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootEntry {
    /// Platform of the section (the first entry is the default entry, platform from the
    /// validation entry).
    pub platform: Platform,
    /// Bootable (0x88) or not (0x00).
    pub bootable: bool,
    /// Boot media type: no emulation, a diskette, or a hard disk.
    pub emulation: Emulation,
    /// Load segment (0 means 0x7C0).
    pub load_segment: u16,
    /// System type: the partition type of a hard-disk image's one partition, else 0.
    pub system_type: u8,
    /// Number of 512-byte virtual sectors to load (1 for the emulated media, whose BIOS
    /// loads their boot sector).
    pub sector_count: u16,
    /// LBA of the boot image.
    pub lba: u32,
}

/// Offsets in a 32-byte initial/default or section entry (§2.2, §2.4).
mod entry {
    /// Boot indicator: 88h bootable, 00h not bootable.
    pub const BOOT_INDICATOR: usize = 0;
    /// Boot media type (low nibble).
    pub const MEDIA_TYPE: usize = 1;
    /// Load segment, 16-bit little-endian.
    pub const LOAD_SEGMENT: usize = 2;
    /// System type (partition type byte of a hard-disk image).
    pub const SYSTEM_TYPE: usize = 4;
    /// Sector count, 16-bit little-endian.
    pub const SECTOR_COUNT: usize = 6;
    /// Load RBA (the image's LBA), 32-bit little-endian.
    pub const LOAD_RBA: usize = 8;
}

fn entry_bytes(e: &BootEntry) -> [u8; 32] {
    let mut b = [0u8; 32];
    b[entry::BOOT_INDICATOR] = if e.bootable { 0x88 } else { 0 };
    b[entry::MEDIA_TYPE] = e.emulation.code();
    b[entry::LOAD_SEGMENT..entry::LOAD_SEGMENT + 2].copy_from_slice(&e.load_segment.to_le_bytes());
    b[entry::SYSTEM_TYPE] = e.system_type;
    b[entry::SECTOR_COUNT..entry::SECTOR_COUNT + 2].copy_from_slice(&e.sector_count.to_le_bytes());
    b[entry::LOAD_RBA..entry::LOAD_RBA + 4].copy_from_slice(&e.lba.to_le_bytes());
    b
}

/// Offsets in a master boot record (the first 512 bytes of a hard-disk image).
mod mbr {
    /// Length of the record.
    pub const LEN: usize = 512;
    /// First of the four 16-byte partition entries.
    pub const PARTITION_TABLE: usize = 446;
    /// Length of one partition entry.
    pub const ENTRY_LEN: usize = 16;
    /// Partition type byte inside an entry (0 = unused).
    pub const TYPE: usize = 4;
    /// Status byte inside an entry (80h = active).
    pub const STATUS: usize = 0;
    /// First sector's head, sector (+ cylinder bits 8-9), cylinder inside an entry.
    pub const START_CHS: usize = 1;
    /// Last sector's head, sector (+ cylinder bits 8-9), cylinder inside an entry.
    pub const END_CHS: usize = 5;
    /// The 55h AAh boot signature.
    pub const SIGNATURE: usize = 510;
}

/// What mkisofs warns about in a hard-disk boot image whose MBR holds one partition (the
/// image is still used): a partition not marked active (only when the entry is
/// `bootable`), one that does not start at cylinder 0, head 1, sector 1, an image of
/// `image_sectors` 512-byte sectors that differs from the partition's end geometry
/// (cylinders x heads x sectors per track), and a record without the 55AAh signature.
/// Empty for a record [`mbr_system_type`] refuses.
pub fn mbr_notes(mbr: &[u8], bootable: bool, image_sectors: u64) -> Vec<String> {
    let mut out = Vec::new();
    if mbr.len() < mbr::LEN {
        return out;
    }
    let used: Vec<&[u8]> = (0..4)
        .map(|i| &mbr[mbr::PARTITION_TABLE + i * mbr::ENTRY_LEN..][..mbr::ENTRY_LEN])
        .filter(|e| e[mbr::TYPE] != 0)
        .collect();
    let [e] = used.as_slice() else {
        return out;
    };
    if mbr[mbr::SIGNATURE..mbr::SIGNATURE + 2] != [0x55, 0xAA] {
        out.push("the MBR is not a boot sector (no 55AAh signature)".into());
    }
    if bootable && e[mbr::STATUS] != 0x80 {
        out.push("the partition is not marked active".into());
    }
    let chs = |at: usize| {
        let (head, sec, cyl) = (e[at], e[at + 1], e[at + 2]);
        let cylinder = u64::from(cyl) | (u64::from(sec & 0xC0) << 2);
        (cylinder, u64::from(head), u64::from(sec & 0x3F))
    };
    if chs(mbr::START_CHS) != (0, 1, 1) {
        out.push("the partition does not start at cylinder 0, head 1, sector 1".into());
    }
    let (c, h, s) = chs(mbr::END_CHS);
    let geometry = (c + 1) * (h + 1) * s;
    if geometry != image_sectors {
        out.push(format!(
            "the image holds {image_sectors} sectors, its geometry {geometry} \
             ({} cylinders, {} heads, {s} sectors per track)",
            c + 1,
            h + 1
        ));
    }
    out
}

/// The system type of a hard-disk emulation entry (§2.2 offset 4): the partition type of
/// the one used partition in the image's master boot record (`mbr`, at least 512 bytes).
/// No used partition, or more than one, is an error, as in mkisofs. The 55AAh signature
/// is not required (mkisofs only warns about it).
pub fn mbr_system_type(mbr: &[u8]) -> Result<u8, WireError> {
    if mbr.len() < mbr::LEN {
        return Err(WireError::Short {
            what: "master boot record of a hard-disk boot image",
            len: mbr.len(),
            need: mbr::LEN,
        });
    }
    let used: Vec<u8> = (0..4)
        .map(|i| mbr[mbr::PARTITION_TABLE + i * mbr::ENTRY_LEN + mbr::TYPE])
        .filter(|&t| t != 0)
        .collect();
    match used.as_slice() {
        [t] => Ok(*t),
        [] => Err(WireError::Invalid {
            what: "master boot record of a hard-disk boot image",
            detail: "no partition (hard-disk emulation needs exactly one)".into(),
        }),
        many => Err(WireError::Invalid {
            what: "master boot record of a hard-disk boot image",
            detail: format!(
                "{} partitions (hard-disk emulation needs exactly one)",
                many.len()
            ),
        }),
    }
}

/// Encodes a 2048-byte boot catalog: validation entry, default entry (first of
/// `entries`), and one section per further entry.
pub fn encode_catalog(entries: &[BootEntry]) -> Vec<u8> {
    encode_catalog_with_id(entries, &[])
}

/// Offset of the validation entry's ID string (§2.1, "manufacturer/developer", 24 bytes).
const VALIDATION_ID: usize = 4;
/// Bytes of `id` mkisofs copies there: 23, the last byte stays 0.
const VALIDATION_ID_USED: usize = 23;

/// [`encode_catalog`] with the validation entry's ID field holding the first 23 bytes of
/// `id`, as mkisofs fills it from the volume's publisher (`-publisher`).
pub fn encode_catalog_with_id(entries: &[BootEntry], id: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; crate::SECTOR];
    let Some(first) = entries.first() else {
        return b;
    };
    // Validation entry (§2.1).
    b[0] = 1;
    b[1] = first.platform.code();
    let n = id.len().min(VALIDATION_ID_USED);
    b[VALIDATION_ID..VALIDATION_ID + n].copy_from_slice(&id[..n]);
    b[30] = 0x55;
    b[31] = 0xAA;
    let mut sum: u16 = 0;
    for c in b[..32].chunks_exact(2) {
        sum = sum.wrapping_add(u16::from_le_bytes([c[0], c[1]]));
    }
    let ck = 0u16.wrapping_sub(sum);
    b[28..30].copy_from_slice(&ck.to_le_bytes());
    // Default entry (§2.2).
    b[32..64].copy_from_slice(&entry_bytes(first));
    // Sections (§2.3, §2.4), one per further entry, the last marked final (0x91).
    let rest = &entries[1..];
    let mut at = 64;
    for (i, e) in rest.iter().enumerate() {
        if at + 64 > b.len() {
            break;
        }
        b[at] = if i + 1 == rest.len() { 0x91 } else { 0x90 };
        b[at + 1] = e.platform.code();
        b[at + 2..at + 4].copy_from_slice(&1u16.to_le_bytes());
        b[at + 32..at + 64].copy_from_slice(&entry_bytes(e));
        at += 64;
    }
    b
}

/// A decoded boot catalog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    /// Platform.
    pub platform: Platform,
    /// Bootable indicator.
    pub bootable: bool,
    /// Emulation type.
    pub emulation: Emulation,
    /// Load segment.
    pub load_segment: u16,
    /// System type (partition type of a hard-disk image).
    pub system_type: u8,
    /// Virtual 512-byte sectors to load.
    pub sector_count: u16,
    /// LBA of the image.
    pub lba: u32,
}

/// Decodes a boot catalog block: checks the validation entry (header, key bytes, checksum)
/// and returns the default entry and the section entries.
pub fn parse_catalog(b: &[u8]) -> Result<Vec<CatalogEntry>, WireError> {
    if b.len() < 64 {
        return Err(WireError::Short {
            what: "boot catalog",
            len: b.len(),
            need: 64,
        });
    }
    if b[0] != 1 || b[30] != 0x55 || b[31] != 0xAA {
        return Err(WireError::Invalid {
            what: "boot catalog",
            detail: "validation entry header or key bytes 55 AA missing".into(),
        });
    }
    let sum = b[..32].chunks_exact(2).fold(0u16, |s, c| {
        s.wrapping_add(u16::from_le_bytes([c[0], c[1]]))
    });
    if sum != 0 {
        return Err(WireError::Invalid {
            what: "boot catalog",
            detail: format!("validation entry checksum sums to {sum:#06x}, not 0"),
        });
    }
    let dec = |p: Platform, e: &[u8]| CatalogEntry {
        platform: p,
        bootable: e[entry::BOOT_INDICATOR] == 0x88,
        emulation: Emulation::from(e[entry::MEDIA_TYPE]),
        load_segment: get_u16_le(&e[entry::LOAD_SEGMENT..]),
        system_type: e[entry::SYSTEM_TYPE],
        sector_count: get_u16_le(&e[entry::SECTOR_COUNT..]),
        lba: get_u32_le(&e[entry::LOAD_RBA..]),
    };
    let mut out = vec![dec(Platform::from(b[1]), &b[32..64])];
    let mut at = 64;
    while at + 32 <= b.len() && matches!(b[at], 0x90 | 0x91) {
        let last = b[at] == 0x91;
        let p = Platform::from(b[at + 1]);
        let n = usize::from(get_u16_le(&b[at + 2..]));
        at += 32;
        for _ in 0..n {
            if at + 32 > b.len() {
                break;
            }
            out.push(dec(p, &b[at..at + 32]));
            at += 32;
        }
        if last {
            break;
        }
    }
    Ok(out)
}

/// Byte offset of GRUB 2's boot info in its El Torito image (`--grub2-boot-info`:
/// 5 × 512 − 12, where grub-core's cdboot looks for its own 512-byte address).
pub const GRUB2_BOOT_INFO_AT: usize = 512 * 5 - 12;

/// Writes the 512-byte address of the image (at 2 KiB block `lba`) plus 5, 64-bit
/// little-endian, at [`GRUB2_BOOT_INFO_AT`], as xorriso's `--grub2-boot-info` does; an
/// image too short for it is left alone.
pub fn patch_grub2_boot_info(image: &mut [u8], lba: u32) {
    if let Some(f) = image.get_mut(GRUB2_BOOT_INFO_AT..GRUB2_BOOT_INFO_AT + 8) {
        f.copy_from_slice(&(u64::from(lba) * 4 + 5).to_le_bytes());
    }
}

/// Patches a boot information table (offsets 8..64) into `image`'s first sector:
/// PVD LBA, image LBA, image length and the 32-bit sum of the image from byte 64.
pub fn patch_boot_info_table(image: &mut [u8], pvd_lba: u32, lba: u32) {
    if image.len() < 64 {
        return;
    }
    let mut sum: u32 = 0;
    for c in image[64..].chunks(4) {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        sum = sum.wrapping_add(u32::from_le_bytes(w));
    }
    let len = image.len() as u32;
    image[8..12].copy_from_slice(&pvd_lba.to_le_bytes());
    image[12..16].copy_from_slice(&lba.to_le_bytes());
    image[16..20].copy_from_slice(&len.to_le_bytes());
    image[20..24].copy_from_slice(&sum.to_le_bytes());
    for x in &mut image[24..64] {
        *x = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_round_trip() {
        let e = [
            BootEntry {
                platform: Platform::X86,
                bootable: true,
                emulation: Emulation::NoEmulation,
                load_segment: 0,
                system_type: 0,
                sector_count: 4,
                lba: 40,
            },
            BootEntry {
                platform: Platform::Efi,
                bootable: true,
                emulation: Emulation::NoEmulation,
                load_segment: 0,
                system_type: 0,
                sector_count: 8,
                lba: 41,
            },
        ];
        let b = encode_catalog(&e);
        assert_eq!(&b[..2], &[1, 0]);
        assert_eq!(&b[30..32], &[0x55, 0xAA]);
        assert_eq!(&b[32..40], &[0x88, 0, 0, 0, 0, 0, 4, 0]);
        assert_eq!(&b[64..68], &[0x91, 0xEF, 1, 0]);
        let p = parse_catalog(&b).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].platform, Platform::Efi);
        assert_eq!(p[1].lba, 41);
        let mut bad = b.clone();
        bad[4] = 9;
        assert!(parse_catalog(&bad).is_err());
    }

    #[test]
    fn info_table() {
        let mut img = vec![1u8; 2048];
        patch_boot_info_table(&mut img, 16, 30);
        assert_eq!(&img[8..20], &[16, 0, 0, 0, 30, 0, 0, 0, 0, 8, 0, 0]);
        let want: u32 = (64..2048)
            .step_by(4)
            .map(|_| 0x0101_0101u32)
            .fold(0, u32::wrapping_add);
        assert_eq!(&img[20..24], &want.to_le_bytes());
    }

    /// Entries as genisoimage 1.1.11 wrote them (captured from its catalogs, image at LBA
    /// 26): `-b f144.img` (a 1,474,560-byte image), `-hard-disk-boot -b hd.img` (one
    /// partition of type 06h), `-b ne.bin -no-emul-boot -no-boot -boot-load-seg 0x1000`.
    #[test]
    fn entries_match_genisoimage() {
        let e = |bootable, emulation, load_segment, system_type, sector_count| BootEntry {
            platform: Platform::X86,
            bootable,
            emulation,
            load_segment,
            system_type,
            sector_count,
            lba: 26,
        };
        let floppy = [0x88, 0x02, 0, 0, 0, 0, 0x01, 0, 0x1a, 0, 0, 0];
        let hd = [0x88, 0x04, 0, 0, 0x06, 0, 0x01, 0, 0x1a, 0, 0, 0];
        let noboot = [0x00, 0x00, 0x00, 0x10, 0, 0, 0x08, 0, 0x1a, 0, 0, 0];
        let cases = [
            (e(true, Emulation::Floppy144, 0, 0, 1), floppy),
            (e(true, Emulation::HardDisk, 0, 6, 1), hd),
            (e(false, Emulation::NoEmulation, 0x1000, 0, 8), noboot),
        ];
        for (entry, want) in cases {
            let b = encode_catalog(&[entry]);
            assert_eq!(&b[32..44], &want, "{entry:?}");
            assert_eq!(&b[44..64], &[0u8; 20]);
            let p = parse_catalog(&b).unwrap();
            assert_eq!(p[0].emulation, entry.emulation);
            assert_eq!(p[0].system_type, entry.system_type);
            assert_eq!(p[0].load_segment, entry.load_segment);
            assert_eq!(p[0].bootable, entry.bootable);
        }
        assert_eq!(
            Emulation::floppy_for_size(1_228_800),
            Some(Emulation::Floppy12)
        );
        assert_eq!(
            Emulation::floppy_for_size(1_474_560),
            Some(Emulation::Floppy144)
        );
        assert_eq!(
            Emulation::floppy_for_size(2_949_120),
            Some(Emulation::Floppy288)
        );
        assert_eq!(Emulation::floppy_for_size(1_474_000), None);
    }

    #[test]
    fn mbr_partition_type() {
        let mut m = vec![0u8; 512];
        assert!(mbr_system_type(&m).is_err(), "no partition");
        m[446 + 16 + 4] = 0x0C; // second slot
        assert_eq!(mbr_system_type(&m).unwrap(), 0x0C);
        m[446 + 3 * 16 + 4] = 0x83;
        let e = mbr_system_type(&m).unwrap_err().to_string();
        assert!(e.contains("2 partitions"), "{e}");
        assert!(mbr_system_type(&m[..100]).is_err());
    }

    #[test]
    fn mbr_sanity_notes() {
        // One active partition from CHS 0/1/1 to 0/15/63 (1 x 16 x 63 = 1008 sectors).
        let mut m = vec![0u8; 512];
        m[446..454].copy_from_slice(&[0x80, 1, 1, 0, 0x06, 15, 63, 0]);
        m[510..512].copy_from_slice(&[0x55, 0xAA]);
        assert!(mbr_notes(&m, true, 1008).is_empty());
        let n = mbr_notes(&m, true, 2048);
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(n[0].contains("2048 sectors, its geometry 1008"), "{n:?}");
        m[446] = 0;
        m[447] = 0;
        m[510] = 0;
        let n = mbr_notes(&m, true, 1008);
        assert_eq!(n.len(), 3, "{n:?}");
        assert_eq!(
            mbr_notes(&m, false, 1008).len(),
            2,
            "not active is fine for -no-boot"
        );
        // Cylinder bits 8-9 live in the sector byte: end C/H/S 1023/15/63.
        m[446 + 5..446 + 8].copy_from_slice(&[15, 0xFF, 0xFF]);
        let n = mbr_notes(&m, false, 1024 * 16 * 63);
        assert_eq!(n.len(), 2, "{n:?}");
    }

    /// The validation entry genisoimage 1.1.11 wrote with `-publisher "A Very Long
    /// Publisher Name For Testing"` (captured): 23 bytes of the name, then the checksum.
    #[test]
    fn validation_id_from_publisher() {
        let e = BootEntry {
            platform: Platform::X86,
            bootable: true,
            emulation: Emulation::NoEmulation,
            load_segment: 0,
            system_type: 0,
            sector_count: 8,
            lba: 26,
        };
        let b = encode_catalog_with_id(&[e], b"A Very Long Publisher Name For Testing");
        let want: [u8; 32] = [
            0x01, 0x00, 0x00, 0x00, 0x41, 0x20, 0x56, 0x65, 0x72, 0x79, 0x20, 0x4c, 0x6f, 0x6e,
            0x67, 0x20, 0x50, 0x75, 0x62, 0x6c, 0x69, 0x73, 0x68, 0x65, 0x72, 0x20, 0x4e, 0x00,
            0x68, 0xa0, 0x55, 0xaa,
        ];
        assert_eq!(&b[..32], &want);
        assert!(parse_catalog(&b).is_ok());
    }
}
