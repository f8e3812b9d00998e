//! RESERVE TRACK (MMC-6 §6.36): reserve the invisible track by size, or (ARSV=1) up to an LBA.

use transport::Cdb;

use super::{be, op};

/// The RESERVE TRACK CDB reserving `blocks` blocks (ARSV=0).
pub fn by_size(blocks: u32) -> Cdb {
    let mut c = [0u8; 10];
    c[0] = op::RESERVE_TRACK;
    be::put32(&mut c, 5, blocks);
    Cdb::ten(c)
}

/// The RESERVE TRACK CDB reserving up to logical track start `lba` (ARSV=1, BD-R/DVD-R).
pub fn by_lba(lba: u32) -> Cdb {
    let mut c = [0u8; 10];
    c[0] = op::RESERVE_TRACK;
    c[1] = 1;
    be::put32(&mut c, 5, lba);
    Cdb::ten(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdbs() {
        assert_eq!(
            by_size(0x1234).as_bytes(),
            &[0x53, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0]
        );
        assert_eq!(
            by_lba(0x10).as_bytes(),
            &[0x53, 1, 0, 0, 0, 0, 0, 0, 0x10, 0]
        );
    }
}
