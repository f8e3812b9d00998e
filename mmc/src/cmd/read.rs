//! READ(10) and READ(12) (MMC-6 §6.18, §6.19): read user data blocks by LBA.

use transport::Cdb;

use super::{be, op};

/// READ(10) of `blocks` blocks at `lba`.
pub fn read10(lba: u32, blocks: u16) -> Cdb {
    let mut c = [0u8; 10];
    c[0] = op::READ_10;
    be::put32(&mut c, 2, lba);
    be::put16(&mut c, 7, blocks);
    Cdb::ten(c)
}

/// READ(12) of `blocks` blocks at `lba`; `streaming` sets the Streaming bit (real-time read).
pub fn read12(lba: u32, blocks: u32, streaming: bool) -> Cdb {
    let mut c = [0u8; 12];
    c[0] = op::READ_12;
    be::put32(&mut c, 2, lba);
    be::put32(&mut c, 6, blocks);
    if streaming {
        c[10] = 0x80;
    }
    Cdb::twelve(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_cdbs() {
        // READ(10) of 2 blocks at LBA 16 (the PVD), as the Linux isofs driver issues it.
        assert_eq!(
            read10(16, 2).as_bytes(),
            &[0x28, 0, 0, 0, 0, 0x10, 0, 0, 2, 0]
        );
        assert_eq!(
            read12(0x01020304, 0x10, true).as_bytes(),
            &[0xA8, 0, 1, 2, 3, 4, 0, 0, 0, 0x10, 0x80, 0]
        );
    }
}
