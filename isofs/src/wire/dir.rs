//! Directory records: ECMA-119 §9.1 (and ISO 9660:1999 §9.1 for longer identifiers).

use super::{decode_date7, get_u32_both, put_u16_both, put_u32_both, Timestamp, WireError};

/// Field offsets of a directory record (ECMA-119 §9.1, table 8).
pub mod off {
    /// Length of directory record.
    pub const LEN: usize = 0;
    /// Extended attribute record length.
    pub const EXT_ATTR_LEN: usize = 1;
    /// Location of extent, both 32.
    pub const EXTENT: usize = 2;
    /// Data length, both 32.
    pub const SIZE: usize = 10;
    /// Recording date and time, 7 bytes.
    pub const DATE: usize = 18;
    /// File flags.
    pub const FLAGS: usize = 25;
    /// File unit size.
    pub const UNIT_SIZE: usize = 26;
    /// Interleave gap size.
    pub const GAP: usize = 27;
    /// Volume sequence number, both 16.
    pub const SEQ: usize = 28;
    /// Length of file identifier.
    pub const NAME_LEN: usize = 32;
    /// File identifier.
    pub const NAME: usize = 33;
}

/// Fixed part of a directory record.
pub const FIXED_LEN: usize = 33;

/// File flag bits (ECMA-119 §9.1.6).
pub mod flags {
    /// Existence: hidden from the user.
    pub const HIDDEN: u8 = 0x01;
    /// Directory.
    pub const DIRECTORY: u8 = 0x02;
    /// Associated file.
    pub const ASSOCIATED: u8 = 0x04;
    /// Record format in the extended attribute record.
    pub const RECORD: u8 = 0x08;
    /// Protection in the extended attribute record.
    pub const PROTECTION: u8 = 0x10;
    /// Not the final directory record of the file (multi-extent).
    pub const MULTI_EXTENT: u8 = 0x80;
}

/// Size of a record with a `name_len`-byte identifier and `su_len` bytes of system use.
pub fn record_len(name_len: usize, su_len: usize) -> usize {
    let base = FIXED_LEN + name_len;
    base + (base & 1) + su_len
}

/// A checked view of one directory record.
#[derive(Debug, Clone, Copy)]
pub struct DirRecord<'a> {
    b: &'a [u8],
}

impl<'a> DirRecord<'a> {
    /// Checks that the record's length fields fit inside `b`; the view covers exactly the
    /// record (`b` may extend beyond it).
    pub fn new_checked(b: &'a [u8]) -> Result<Self, WireError> {
        if b.len() < FIXED_LEN + 1 {
            return Err(WireError::Short {
                what: "directory record",
                len: b.len(),
                need: 34,
            });
        }
        let len = usize::from(b[off::LEN]);
        if len < FIXED_LEN + 1 {
            return Err(WireError::Invalid {
                what: "directory record",
                detail: format!("record length {len} is below the minimum of 34"),
            });
        }
        if len > b.len() {
            return Err(WireError::Overrun {
                what: "directory record",
                field: len,
                avail: b.len(),
            });
        }
        let nlen = usize::from(b[off::NAME_LEN]);
        if FIXED_LEN + nlen > len {
            return Err(WireError::Overrun {
                what: "directory record identifier",
                field: FIXED_LEN + nlen,
                avail: len,
            });
        }
        Ok(Self { b: &b[..len] })
    }
    /// Record length in bytes.
    pub fn len(&self) -> usize {
        self.b.len()
    }
    /// Always false: a checked record has at least 34 bytes.
    pub fn is_empty(&self) -> bool {
        false
    }
    /// Extended attribute record length in blocks.
    pub fn ext_attr_len(&self) -> u8 {
        self.b[off::EXT_ATTR_LEN]
    }
    /// Location of the extent (LBA).
    pub fn extent(&self) -> u32 {
        get_u32_both(&self.b[off::EXTENT..])
    }
    /// Data length in bytes.
    pub fn size(&self) -> u32 {
        get_u32_both(&self.b[off::SIZE..])
    }
    /// Recording date.
    pub fn date(&self) -> Option<Timestamp> {
        decode_date7(&self.b[off::DATE..off::DATE + 7])
    }
    /// File flags.
    pub fn flags(&self) -> u8 {
        self.b[off::FLAGS]
    }
    /// Whether the directory flag is set.
    pub fn is_dir(&self) -> bool {
        self.flags() & flags::DIRECTORY != 0
    }
    /// Whether more extents of this file follow.
    pub fn is_multi_extent(&self) -> bool {
        self.flags() & flags::MULTI_EXTENT != 0
    }
    /// File unit size (interleaving), 0 when not interleaved.
    pub fn unit_size(&self) -> u8 {
        self.b[off::UNIT_SIZE]
    }
    /// The raw file identifier.
    pub fn name(&self) -> &'a [u8] {
        let n = usize::from(self.b[off::NAME_LEN]);
        &self.b[off::NAME..off::NAME + n]
    }
    /// Whether this is the "." (0x00) or ".." (0x01) record.
    pub fn is_dot_or_dotdot(&self) -> bool {
        matches!(self.name(), [0] | [1])
    }
    /// The system use area (SUSP entries), after the identifier and its padding byte.
    pub fn system_use(&self) -> &'a [u8] {
        let n = usize::from(self.b[off::NAME_LEN]);
        let start = FIXED_LEN + n + ((FIXED_LEN + n) & 1);
        self.b.get(start..).unwrap_or(&[])
    }
}

/// Appends a directory record to `out`.
#[allow(clippy::too_many_arguments)] // reason: one argument per ECMA-119 §9.1 field
pub fn write_record(
    out: &mut Vec<u8>,
    extent: u32,
    size: u32,
    date: [u8; 7],
    flags: u8,
    name: &[u8],
    system_use: &[u8],
) {
    let len = record_len(name.len(), system_use.len());
    let start = out.len();
    out.resize(start + len, 0);
    let b = &mut out[start..];
    b[off::LEN] = len as u8;
    put_u32_both(&mut b[off::EXTENT..], extent);
    put_u32_both(&mut b[off::SIZE..], size);
    b[off::DATE..off::DATE + 7].copy_from_slice(&date);
    b[off::FLAGS] = flags;
    put_u16_both(&mut b[off::SEQ..], 1);
    b[off::NAME_LEN] = name.len() as u8;
    b[off::NAME..off::NAME + name.len()].copy_from_slice(name);
    let su = FIXED_LEN + name.len() + ((FIXED_LEN + name.len()) & 1);
    b[su..su + system_use.len()].copy_from_slice(system_use);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_record_bytes() {
        let mut v = Vec::new();
        write_record(
            &mut v,
            20,
            2048,
            [126, 1, 2, 3, 4, 5, 0],
            flags::DIRECTORY,
            &[0],
            &[],
        );
        assert_eq!(
            v,
            [
                34, 0, 20, 0, 0, 0, 0, 0, 0, 20, 0, 8, 0, 0, 0, 0, 8, 0, 126, 1, 2, 3, 4, 5, 0, 2,
                0, 0, 1, 0, 0, 1, 1, 0
            ]
        );
        let r = DirRecord::new_checked(&v).unwrap();
        assert_eq!(r.extent(), 20);
        assert_eq!(r.size(), 2048);
        assert!(r.is_dir() && r.is_dot_or_dotdot());
        // Even-length name: no padding byte; odd: one.
        assert_eq!(record_len(2, 0), 36);
        assert_eq!(record_len(3, 0), 36);
        assert_eq!(record_len(1, 0), 34);
    }

    #[test]
    fn malformed_records() {
        assert!(DirRecord::new_checked(&[0u8; 10]).is_err());
        let mut v = vec![0u8; 40];
        v[0] = 60;
        assert!(DirRecord::new_checked(&v).is_err());
        v[0] = 34;
        v[32] = 20;
        assert!(DirRecord::new_checked(&v).is_err());
    }
}
