//! Partition tables in an ISO image's system area: the master boot record's partition
//! entries (the IBM PC MBR layout: 16-byte entries at offset 446, signature 55h AAh at 510,
//! CHS addresses as the BIOS interface defines them) and the GUID partition table (UEFI 2.10
//! §5.3: header at LBA 1, 128-byte entries, CRC-32 of header and entry array, the backup
//! copy at the end of the disk). Addresses are in 512-byte sectors.

/// Offset of the first MBR partition entry.
pub const MBR_TABLE: usize = 446;

/// One MBR partition entry (16 bytes at 446 + 16 × (slot − 1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MbrEntry {
    /// 80h: active (bootable); 00h otherwise.
    pub status: u8,
    /// Partition type byte (00h empty, EEh GPT protective, EFh EFI system, ...).
    pub kind: u8,
    /// First sector (LBA).
    pub start: u32,
    /// Number of sectors.
    pub count: u32,
}

/// The CHS triple (head, sector | cylinder bits 8-9 << 6, cylinder bits 0-7) of sector
/// `lba` on a disk of `heads` heads per cylinder and `secs` sectors per head, clamped to
/// 1023/heads−1/secs beyond 1024 cylinders (as partitioning tools and libisofs write it).
pub fn chs(lba: u64, heads: u32, secs: u32) -> [u8; 3] {
    let (heads, secs) = (u64::from(heads.max(1)), u64::from(secs.max(1)));
    let lba = lba.min(0xFFFF_FFFC);
    let mut cyl = lba / (secs * heads);
    let rest = lba - cyl * secs * heads;
    let mut head = rest / secs;
    let mut sec = rest - head * secs + 1;
    if cyl >= 1024 {
        cyl = 1023;
        head = heads - 1;
        sec = secs;
    }
    [
        head as u8,
        (sec as u8 & 0x3F) | ((cyl >> 2) as u8 & 0xC0),
        cyl as u8,
    ]
}

impl MbrEntry {
    /// Writes the entry into slot `slot` (1..=4) of the MBR `mbr` (at least 512 bytes), with
    /// CHS fields for the given geometry, and sets the 55h AAh signature. An entry with no
    /// sectors is written as 16 zero bytes.
    pub fn write(&self, mbr: &mut [u8], slot: usize, heads: u32, secs: u32) {
        let at = MBR_TABLE + 16 * (slot.clamp(1, 4) - 1);
        let e = &mut mbr[at..at + 16];
        e.fill(0);
        if self.count != 0 || self.kind != 0 || self.status != 0 {
            e[0] = self.status;
            e[1..4].copy_from_slice(&chs(u64::from(self.start), heads, secs));
            e[4] = self.kind;
            let last = u64::from(self.start) + u64::from(self.count.max(1)) - 1;
            e[5..8].copy_from_slice(&chs(last, heads, secs));
            e[8..12].copy_from_slice(&self.start.to_le_bytes());
            e[12..16].copy_from_slice(&self.count.to_le_bytes());
        }
        mbr[510] = 0x55;
        mbr[511] = 0xAA;
    }

    /// Reads slot `slot` (1..=4) of `mbr`; `None` when `mbr` is shorter than 512 bytes.
    pub fn read(mbr: &[u8], slot: usize) -> Option<MbrEntry> {
        let at = MBR_TABLE + 16 * (slot.clamp(1, 4) - 1);
        let e = mbr.get(at..at + 16)?;
        Some(MbrEntry {
            status: e[0],
            kind: e[4],
            start: u32::from_le_bytes([e[8], e[9], e[10], e[11]]),
            count: u32::from_le_bytes([e[12], e[13], e[14], e[15]]),
        })
    }
}

/// CRC-32 as UEFI 2.10 §5.3.2 uses it for the GPT header and entry array (the ISO-HDLC /
/// IEEE 802.3 polynomial 04C11DB7h, reflected, initial and final value FFFFFFFFh).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc: u32 = 0xFFFF_FFFF;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let m = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & m);
        }
    }
    !crc
}

/// A GUID as stored on disk (UEFI 2.10 Appendix A: the first three fields little-endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    /// The EFI System Partition type C12A7328-F81F-11D2-BA4B-00A0C93EC93B.
    pub const EFI_SYSTEM: Guid = Guid([
        0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9,
        0x3b,
    ]);
    /// The Basic Data Partition type EBD0A0A2-B9E5-4433-87C0-68B6B72699C7.
    pub const BASIC_DATA: Guid = Guid([
        0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44, 0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99,
        0xc7,
    ]);
    /// The Apple HFS+ type 48465300-0000-11AA-AA11-00306543ECAC.
    pub const HFS_PLUS: Guid = Guid([
        0x00, 0x53, 0x46, 0x48, 0x00, 0x00, 0xaa, 0x11, 0xaa, 0x11, 0x00, 0x30, 0x65, 0x43, 0xec,
        0xac,
    ]);

    /// Parses the text form `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX` (case-insensitive) or
    /// 32 hex digits giving the 16 bytes in disk order (as xorriso's `-gpt_disk_guid`
    /// takes both).
    pub fn parse(s: &str) -> Option<Guid> {
        let hex = |t: &str| -> Option<Vec<u8>> {
            if !t.len().is_multiple_of(2) || !t.bytes().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            (0..t.len() / 2)
                .map(|i| u8::from_str_radix(&t[2 * i..2 * i + 2], 16).ok())
                .collect()
        };
        let mut g = [0u8; 16];
        if s.len() == 36 {
            let parts: Vec<&str> = s.split('-').collect();
            if parts.len() != 5 || parts.iter().map(|p| p.len()).ne([8, 4, 4, 4, 12]) {
                return None;
            }
            let mut a = hex(parts[0])?;
            let mut b = hex(parts[1])?;
            let mut c = hex(parts[2])?;
            a.reverse();
            b.reverse();
            c.reverse();
            let d = hex(parts[3])?;
            let e = hex(parts[4])?;
            let all: Vec<u8> = [a, b, c, d, e].concat();
            g.copy_from_slice(&all);
            Some(Guid(g))
        } else if s.len() == 32 {
            g.copy_from_slice(&hex(s)?);
            Some(Guid(g))
        } else {
            None
        }
    }
}

impl std::fmt::Display for Guid {
    /// The text form (first three fields byte-swapped from disk order).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let g = &self.0;
        write!(
            f,
            "{:02X}{:02X}{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-",
            g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9]
        )?;
        for b in &g[10..] {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

/// GPT partition attribute bit 0: required by the platform.
pub const GPT_REQUIRED: u64 = 1;
/// GPT attribute bit 60 (Microsoft basic data): read-only.
pub const GPT_READ_ONLY: u64 = 1 << 60;

/// One GPT partition entry (UEFI 2.10 §5.3.3, 128 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GptEntry {
    /// Partition type GUID.
    pub kind: Guid,
    /// Unique partition GUID.
    pub guid: Guid,
    /// First sector.
    pub first: u64,
    /// Last sector (inclusive).
    pub last: u64,
    /// Attribute bits.
    pub flags: u64,
    /// Name (at most 36 UTF-16 code units).
    pub name: String,
}

impl GptEntry {
    /// The 128 bytes of the entry.
    pub fn encode(&self) -> [u8; 128] {
        let mut e = [0u8; 128];
        e[0..16].copy_from_slice(&self.kind.0);
        e[16..32].copy_from_slice(&self.guid.0);
        e[32..40].copy_from_slice(&self.first.to_le_bytes());
        e[40..48].copy_from_slice(&self.last.to_le_bytes());
        e[48..56].copy_from_slice(&self.flags.to_le_bytes());
        for (i, u) in self.name.encode_utf16().take(36).enumerate() {
            e[56 + 2 * i..58 + 2 * i].copy_from_slice(&u.to_le_bytes());
        }
        e
    }
}

/// The fields of a GPT header (UEFI 2.10 §5.3.2) that vary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GptHeader {
    /// Sector of this header.
    pub my_lba: u64,
    /// Sector of the other header.
    pub alternate_lba: u64,
    /// First usable sector.
    pub first_usable: u64,
    /// Last usable sector.
    pub last_usable: u64,
    /// Disk GUID.
    pub disk_guid: Guid,
    /// First sector of the entry array.
    pub entries_lba: u64,
    /// Number of entries in the array.
    pub entries: u32,
    /// CRC-32 of the entry array.
    pub entries_crc: u32,
}

impl GptHeader {
    /// The 512-byte sector holding the header (revision 1.0, 92 bytes, CRC filled in).
    pub fn encode(&self) -> [u8; 512] {
        let mut h = [0u8; 512];
        h[0..8].copy_from_slice(b"EFI PART");
        h[8..12].copy_from_slice(&[0, 0, 1, 0]);
        h[12..16].copy_from_slice(&92u32.to_le_bytes());
        h[24..32].copy_from_slice(&self.my_lba.to_le_bytes());
        h[32..40].copy_from_slice(&self.alternate_lba.to_le_bytes());
        h[40..48].copy_from_slice(&self.first_usable.to_le_bytes());
        h[48..56].copy_from_slice(&self.last_usable.to_le_bytes());
        h[56..72].copy_from_slice(&self.disk_guid.0);
        h[72..80].copy_from_slice(&self.entries_lba.to_le_bytes());
        h[80..84].copy_from_slice(&self.entries.to_le_bytes());
        h[84..88].copy_from_slice(&128u32.to_le_bytes());
        h[88..92].copy_from_slice(&self.entries_crc.to_le_bytes());
        let crc = crc32(&h[..92]);
        h[16..20].copy_from_slice(&crc.to_le_bytes());
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        // The standard check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn guid_text_and_disk_order() {
        let g = Guid::parse("C12A7328-F81F-11D2-BA4B-00A0C93EC93B").unwrap();
        assert_eq!(g, Guid::EFI_SYSTEM);
        assert_eq!(g.to_string(), "C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
        let h = Guid::parse("28732ac11ff8d211ba4b00a0c93ec93b").unwrap();
        assert_eq!(h, Guid::EFI_SYSTEM);
        assert!(Guid::parse("C12A7328-F81F-11D2-BA4B-00A0C93EC93").is_none());
        assert!(Guid::parse("zz").is_none());
    }

    #[test]
    fn chs_as_libisofs() {
        // 64 heads, 32 sectors: sector 0 is 0/0/1, sector 4095 is cylinder 1 head 63 sec 32.
        assert_eq!(chs(0, 64, 32), [0, 1, 0]);
        assert_eq!(chs(4095, 64, 32), [63, 32, 1]);
        // Beyond 1024 cylinders: 1023/63/32.
        assert_eq!(chs(10_000_000, 64, 32), [63, 32 | 0xC0, 0xFF]);
        let mut m = [0u8; 512];
        MbrEntry {
            status: 0x80,
            kind: 0x17,
            start: 0,
            count: 4096,
        }
        .write(&mut m, 1, 64, 32);
        assert_eq!(
            &m[446..462],
            &[0x80, 0, 1, 0, 0x17, 63, 32, 1, 0, 0, 0, 0, 0, 0x10, 0, 0]
        );
        assert_eq!(&m[510..], &[0x55, 0xAA]);
        assert_eq!(MbrEntry::read(&m, 1).unwrap().count, 4096);
    }
}
