//! GET PERFORMANCE (MMC-6 §6.7): type 00h performance data (nominal performance
//! descriptors, table 99) and type 03h write speed descriptors (table 103).

use transport::Cdb;

use super::{be, op};
use crate::error::ParseError;

/// Performance header length.
pub const HEADER_LEN: usize = 8;
/// Descriptor length of both types.
pub const DESCRIPTOR_LEN: usize = 16;
const DATA_LEN: usize = 0;
const FLAGS: usize = 4;

/// The GET PERFORMANCE CDB for type 00h nominal performance; `write` selects write
/// performance, `except` 0 = nominal.
pub fn performance(write: bool, start_lba: u32, max_descriptors: u16) -> Cdb {
    let mut c = [0u8; 12];
    c[0] = op::GET_PERFORMANCE;
    // Data type: tolerance 10b (10 %), write bit, except 00b.
    c[1] = 0x10 | if write { 0x04 } else { 0 };
    be::put32(&mut c, 2, start_lba);
    be::put16(&mut c, 8, max_descriptors);
    c[10] = 0x00;
    Cdb::twelve(c)
}

/// The GET PERFORMANCE CDB for type 03h write speed descriptors.
pub fn write_speeds(max_descriptors: u16) -> Cdb {
    let mut c = [0u8; 12];
    c[0] = op::GET_PERFORMANCE;
    be::put16(&mut c, 8, max_descriptors);
    c[10] = 0x03;
    Cdb::twelve(c)
}

/// Allocation length for `n` descriptors.
pub fn alloc_for(n: u16) -> usize {
    HEADER_LEN + usize::from(n) * DESCRIPTOR_LEN
}

/// Total answer length the header announces (data length + 4), saturating.
pub fn announced_len(b: &[u8]) -> usize {
    (be::u32_at(b, DATA_LEN) as usize).saturating_add(4)
}

/// A nominal performance descriptor (type 00h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Performance {
    /// Start LBA.
    pub start_lba: u32,
    /// Performance at start, kB/s.
    pub start_kbps: u32,
    /// End LBA.
    pub end_lba: u32,
    /// Performance at end, kB/s.
    pub end_kbps: u32,
}

/// A write speed descriptor (type 03h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct WriteSpeed {
    /// Write rotation control (0 CLV, 1 CAV).
    pub wrc: u8,
    /// RDD.
    pub rdd: bool,
    /// Exact.
    pub exact: bool,
    /// MRW.
    pub mrw: bool,
    /// End LBA the figures apply to (capacity of the medium).
    pub end_lba: u32,
    /// Read speed, kB/s.
    pub read_kbps: u32,
    /// Write speed, kB/s.
    pub write_kbps: u32,
}

/// A GET PERFORMANCE answer.
#[derive(Debug, Clone, Copy)]
pub struct PerformanceView<'a> {
    b: &'a [u8],
}

impl<'a> PerformanceView<'a> {
    /// Checks the 8-byte header; descriptors are bounded by the data length and bytes received.
    pub fn new_checked(b: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("performance header", b, HEADER_LEN)?;
        let end = announced_len(b).clamp(HEADER_LEN, b.len());
        Ok(PerformanceView { b: &b[..end] })
    }
    /// Write bit of the header.
    pub fn write(&self) -> bool {
        be::bit(self.b, FLAGS, 1)
    }
    /// Except bit of the header.
    pub fn except(&self) -> bool {
        be::bit(self.b, FLAGS, 0)
    }
    /// Number of whole descriptors.
    pub fn len(&self) -> usize {
        (self.b.len() - HEADER_LEN) / DESCRIPTOR_LEN
    }
    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn desc(&self, i: usize) -> Option<&'a [u8]> {
        (i < self.len()).then(|| be::slice(self.b, HEADER_LEN + i * DESCRIPTOR_LEN, DESCRIPTOR_LEN))
    }
    /// Descriptors read as type 00h nominal performance.
    pub fn performance(&self) -> impl Iterator<Item = Performance> + '_ {
        (0..self.len())
            .filter_map(|i| self.desc(i))
            .map(|d| Performance {
                start_lba: be::u32_at(d, 0),
                start_kbps: be::u32_at(d, 4),
                end_lba: be::u32_at(d, 8),
                end_kbps: be::u32_at(d, 12),
            })
    }
    /// Descriptors read as type 03h write speed descriptors.
    pub fn write_speeds(&self) -> impl Iterator<Item = WriteSpeed> + '_ {
        (0..self.len())
            .filter_map(|i| self.desc(i))
            .map(|d| WriteSpeed {
                wrc: be::bits(d, 0, 3, 2),
                rdd: be::bit(d, 0, 2),
                exact: be::bit(d, 0, 1),
                mrw: be::bit(d, 0, 0),
                end_lba: be::u32_at(d, 4),
                read_kbps: be::u32_at(d, 8),
                write_kbps: be::u32_at(d, 12),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdbs() {
        assert_eq!(
            write_speeds(1).as_bytes(),
            &[0xAC, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 0]
        );
        assert_eq!(performance(false, 0, 1).as_bytes()[..2], [0xAC, 0x10]);
    }

    #[test]
    fn tgt_performance_data() {
        // tgt usr/mmc.c perf_type_perf_data, DVD+R: 0 .. 0x23053F at 0x15A4 kB/s (4x DVD).
        let mut b = vec![0u8; 24];
        b[3] = 20;
        b[12..16].copy_from_slice(&0x15A4u32.to_be_bytes());
        b[16..20].copy_from_slice(&0x0023_053Fu32.to_be_bytes());
        b[20..24].copy_from_slice(&0x15A4u32.to_be_bytes());
        let v = PerformanceView::new_checked(&b).unwrap();
        let p: Vec<_> = v.performance().collect();
        assert_eq!(
            p,
            vec![Performance {
                start_lba: 0,
                start_kbps: 5540,
                end_lba: 0x23053F,
                end_kbps: 5540
            }]
        );
    }

    #[test]
    fn tgt_write_speeds() {
        // tgt perf_type_write_speed: two descriptors, end LBA 0x259999, 0x0AD2 (8x) and
        // 0x0569 (4x) kB/s.
        let mut b = vec![0u8; 40];
        b[3] = 36;
        for (i, kbps) in [0x0AD2u32, 0x0569].iter().enumerate() {
            let o = 8 + i * 16;
            b[o + 4..o + 8].copy_from_slice(&0x0025_9999u32.to_be_bytes());
            b[o + 8..o + 12].copy_from_slice(&kbps.to_be_bytes());
            b[o + 12..o + 16].copy_from_slice(&kbps.to_be_bytes());
        }
        let v = PerformanceView::new_checked(&b).unwrap();
        let w: Vec<_> = v.write_speeds().map(|w| w.write_kbps).collect();
        assert_eq!(w, vec![2770, 1385]);
        // Lying header, truncated data.
        let mut c = b[..30].to_vec();
        c[0] = 0xFF;
        assert_eq!(PerformanceView::new_checked(&c).unwrap().len(), 1);
        assert!(PerformanceView::new_checked(&b[..7]).is_err());
    }
}
