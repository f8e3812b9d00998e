//! SET CD SPEED (MMC-6 §6.37) and SET STREAMING (MMC-6 §6.38, performance descriptor
//! table 445): choose read and write speeds in kB/s (1x CD = 176, 1x DVD = 1385,
//! 1x BD = 4495).

use transport::Cdb;

use super::{be, op};

/// "As fast as possible" for SET CD SPEED.
pub const MAX_SPEED: u16 = 0xFFFF;

/// The SET CD SPEED CDB; speeds in kB/s; `cav` selects CAV rotation control (01b).
pub fn set_cd_speed(read_kbps: u16, write_kbps: u16, cav: bool) -> Cdb {
    let mut c = [0u8; 12];
    c[0] = op::SET_CD_SPEED;
    c[1] = u8::from(cav);
    be::put16(&mut c, 2, read_kbps);
    be::put16(&mut c, 4, write_kbps);
    Cdb::twelve(c)
}

/// Length of a SET STREAMING performance descriptor.
pub const PERFORMANCE_DESCRIPTOR_LEN: usize = 28;

/// A SET STREAMING performance descriptor (type 00h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StreamingPerformance {
    /// Write rotation control (WRC, 2 bits): 0 default (CLV), 1 CAV.
    pub wrc: u8,
    /// Restore drive defaults (RDD).
    pub restore_defaults: bool,
    /// The drive must use exactly these figures (Exact).
    pub exact: bool,
    /// Random access (RA).
    pub random_access: bool,
    /// First LBA the figures apply to.
    pub start_lba: u32,
    /// Last LBA the figures apply to.
    pub end_lba: u32,
    /// Read size in kB per `read_time_ms`.
    pub read_size_kb: u32,
    /// Read time in ms.
    pub read_time_ms: u32,
    /// Write size in kB per `write_time_ms`.
    pub write_size_kb: u32,
    /// Write time in ms.
    pub write_time_ms: u32,
}

impl StreamingPerformance {
    /// A descriptor asking for `read_kbps`/`write_kbps` over LBAs `0..=end_lba` (sizes per
    /// 1000 ms, as growisofs and cdrecord send them).
    pub fn speeds(end_lba: u32, read_kbps: u32, write_kbps: u32) -> Self {
        StreamingPerformance {
            end_lba,
            read_size_kb: read_kbps,
            read_time_ms: 1000,
            write_size_kb: write_kbps,
            write_time_ms: 1000,
            ..Default::default()
        }
    }

    /// The 28 parameter bytes.
    pub fn to_bytes(&self) -> [u8; PERFORMANCE_DESCRIPTOR_LEN] {
        let mut b = [0u8; PERFORMANCE_DESCRIPTOR_LEN];
        b[0] = ((self.wrc & 3) << 3)
            | (u8::from(self.restore_defaults) << 2)
            | (u8::from(self.exact) << 1)
            | u8::from(self.random_access);
        be::put32(&mut b, 4, self.start_lba);
        be::put32(&mut b, 8, self.end_lba);
        be::put32(&mut b, 12, self.read_size_kb);
        be::put32(&mut b, 16, self.read_time_ms);
        be::put32(&mut b, 20, self.write_size_kb);
        be::put32(&mut b, 24, self.write_time_ms);
        b
    }
}

/// The SET STREAMING CDB for a type 00h (performance) descriptor of `len` bytes.
pub fn set_streaming(len: u16) -> Cdb {
    let mut c = [0u8; 12];
    c[0] = op::SET_STREAMING;
    c[8] = 0; // Type: performance descriptor
    be::put16(&mut c, 9, len);
    Cdb::twelve(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_cd_speed_bytes() {
        // 16x CD write (2816 kB/s = 0x0B00), read as fast as possible.
        assert_eq!(
            set_cd_speed(MAX_SPEED, 2816, false).as_bytes(),
            &[0xBB, 0, 0xFF, 0xFF, 0x0B, 0x00, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn streaming_descriptor_bytes() {
        let d = StreamingPerformance::speeds(0x0023_053F, 5540, 5540).to_bytes();
        assert_eq!(&d[0..4], &[0, 0, 0, 0]);
        assert_eq!(&d[8..12], &[0x00, 0x23, 0x05, 0x3F]);
        assert_eq!(&d[12..16], &[0, 0, 0x15, 0xA4]);
        assert_eq!(&d[16..20], &[0, 0, 0x03, 0xE8]);
        assert_eq!(
            set_streaming(28).as_bytes(),
            &[0xB6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 28, 0]
        );
    }
}
