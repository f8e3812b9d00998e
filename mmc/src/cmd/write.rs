//! WRITE(10), WRITE(12) (MMC-6 §6.46, §6.47) and SYNCHRONIZE CACHE (MMC-6 §6.42).

use transport::Cdb;

use super::{be, op};

/// WRITE(10) of `blocks` blocks at `lba`.
pub fn write10(lba: u32, blocks: u16) -> Cdb {
    let mut c = [0u8; 10];
    c[0] = op::WRITE_10;
    be::put32(&mut c, 2, lba);
    be::put16(&mut c, 7, blocks);
    Cdb::ten(c)
}

/// WRITE(12) of `blocks` blocks at `lba`; `streaming` sets the Streaming bit (no defect
/// management on the fly, as growisofs does on DVD-RAM/BD-RE).
pub fn write12(lba: u32, blocks: u32, streaming: bool) -> Cdb {
    let mut c = [0u8; 12];
    c[0] = op::WRITE_12;
    be::put32(&mut c, 2, lba);
    be::put32(&mut c, 6, blocks);
    if streaming {
        c[10] = 0x80;
    }
    Cdb::twelve(c)
}

/// SYNCHRONIZE CACHE of the whole medium; `immed` returns at once (poll with TEST UNIT READY).
pub fn synchronize_cache(immed: bool) -> Cdb {
    Cdb::ten([
        op::SYNCHRONIZE_CACHE,
        if immed { 0x02 } else { 0 },
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdbs() {
        // The tgt test bed saw "WRITE(10) of 16 blocks" at LBA 0.
        assert_eq!(
            write10(0, 16).as_bytes(),
            &[0x2A, 0, 0, 0, 0, 0, 0, 0, 0x10, 0]
        );
        assert_eq!(
            write12(32, 32, true).as_bytes()[..],
            [0xAA, 0, 0, 0, 0, 32, 0, 0, 0, 32, 0x80, 0]
        );
        assert_eq!(
            synchronize_cache(true).as_bytes(),
            &[0x35, 2, 0, 0, 0, 0, 0, 0, 0, 0]
        );
    }
}
