//! El Torito Bootable CD-ROM Format Specification 1.0: boot catalog (§2.1 validation
//! entry, §2.2 initial/default entry, §2.3 section header, §2.4 section entry) and the
//! boot information table that isolinux/GRUB images expect (mkisofs `-boot-info-table`).

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
    /// Load segment (0 means 0x7C0).
    pub load_segment: u16,
    /// Number of 512-byte virtual sectors to load.
    pub sector_count: u16,
    /// LBA of the boot image.
    pub lba: u32,
}

fn entry_bytes(e: &BootEntry) -> [u8; 32] {
    let mut b = [0u8; 32];
    b[0] = if e.bootable { 0x88 } else { 0 };
    b[1] = 0; // no emulation
    b[2..4].copy_from_slice(&e.load_segment.to_le_bytes());
    b[4] = 0; // system type: taken from the partition table; 0 for no emulation
    b[6..8].copy_from_slice(&e.sector_count.to_le_bytes());
    b[8..12].copy_from_slice(&e.lba.to_le_bytes());
    b
}

/// Encodes a 2048-byte boot catalog: validation entry, default entry (first of
/// `entries`), and one section per further entry.
pub fn encode_catalog(entries: &[BootEntry]) -> Vec<u8> {
    let mut b = vec![0u8; crate::SECTOR];
    let Some(first) = entries.first() else {
        return b;
    };
    // Validation entry (§2.1).
    b[0] = 1;
    b[1] = first.platform.code();
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
        bootable: e[0] == 0x88,
        emulation: Emulation::from(e[1]),
        load_segment: get_u16_le(&e[2..]),
        sector_count: get_u16_le(&e[6..]),
        lba: get_u32_le(&e[8..]),
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
                load_segment: 0,
                sector_count: 4,
                lba: 40,
            },
            BootEntry {
                platform: Platform::Efi,
                bootable: true,
                load_segment: 0,
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
}
