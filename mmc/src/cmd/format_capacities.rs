//! READ FORMAT CAPACITIES (MMC-6 §6.24): capacity list header (table 461), current/maximum
//! capacity descriptor (table 462) and formattable capacity descriptors (table 464).

use transport::Cdb;

use super::{be, op};
use crate::error::ParseError;

/// Header length.
pub const HEADER_LEN: usize = 4;
/// Descriptor length.
pub const DESCRIPTOR_LEN: usize = 8;

/// The READ FORMAT CAPACITIES CDB.
pub fn cdb(alloc: u16) -> Cdb {
    let mut c = [0u8; 10];
    c[0] = op::READ_FORMAT_CAPACITIES;
    be::put16(&mut c, 7, alloc);
    Cdb::ten(c)
}

/// Kind of the current/maximum capacity descriptor (descriptor type, 2 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CurrentKind {
    /// 01b: unformatted or blank media (maximum capacity).
    Unformatted,
    /// 10b: formatted media (current capacity).
    Formatted,
    /// 11b: no media present.
    NoMedia,
    /// 00b: reserved.
    Reserved,
}

/// One capacity descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Capacity {
    /// Number of blocks.
    pub blocks: u32,
    /// Format type (6 bits) — for the first descriptor, the descriptor type in the low bits.
    pub format_type: u8,
    /// Type dependent parameter (24 bits; block length for the current descriptor).
    pub param: u32,
}

/// A READ FORMAT CAPACITIES answer.
#[derive(Debug, Clone, Copy)]
pub struct FormatCapacitiesView<'a> {
    b: &'a [u8],
}

impl<'a> FormatCapacitiesView<'a> {
    /// Checks header and the current/maximum descriptor.
    pub fn new_checked(b: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("capacity list", b, HEADER_LEN + DESCRIPTOR_LEN)?;
        let end =
            (HEADER_LEN + usize::from(be::u8_at(b, 3))).clamp(HEADER_LEN + DESCRIPTOR_LEN, b.len());
        Ok(FormatCapacitiesView { b: &b[..end] })
    }
    /// The current/maximum capacity descriptor's kind.
    pub fn current_kind(&self) -> CurrentKind {
        match be::bits(self.b, HEADER_LEN + 4, 0, 2) {
            1 => CurrentKind::Unformatted,
            2 => CurrentKind::Formatted,
            3 => CurrentKind::NoMedia,
            _ => CurrentKind::Reserved,
        }
    }
    /// The current/maximum capacity: blocks and block length.
    pub fn current(&self) -> (u32, u32) {
        (
            be::u32_at(self.b, HEADER_LEN),
            be::u24_at(self.b, HEADER_LEN + 5),
        )
    }
    /// Formattable capacity descriptors (after the current/maximum one).
    pub fn formattable(&self) -> impl Iterator<Item = Capacity> + '_ {
        let n = (self.b.len() - HEADER_LEN) / DESCRIPTOR_LEN;
        (1..n).map(move |i| {
            let o = HEADER_LEN + i * DESCRIPTOR_LEN;
            Capacity {
                blocks: be::u32_at(self.b, o),
                format_type: be::bits(self.b, o + 4, 2, 6),
                param: be::u24_at(self.b, o + 5),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_dvd_plus_rw() {
        // MMC-6 §6.24 example shape: unformatted DVD+RW, max 2295104 blocks of 2048,
        // formattable with type 26h.
        let b = [
            0, 0, 0, 16, //
            0x00, 0x23, 0x05, 0x40, 0x01, 0x00, 0x08, 0x00, //
            0x00, 0x23, 0x05, 0x40, 0x98, 0x00, 0x00, 0x00,
        ];
        let v = FormatCapacitiesView::new_checked(&b).unwrap();
        assert_eq!(v.current_kind(), CurrentKind::Unformatted);
        assert_eq!(v.current(), (0x0023_0540, 2048));
        let f: Vec<_> = v.formattable().collect();
        assert_eq!(
            f,
            vec![Capacity {
                blocks: 0x0023_0540,
                format_type: 0x26,
                param: 0
            }]
        );
        assert!(FormatCapacitiesView::new_checked(&b[..11]).is_err());
    }
}
