//! READ CAPACITY (MMC-6 §6.23): last recorded LBA and block length.

use transport::Cdb;

use super::{be, op};
use crate::error::ParseError;

/// Length of the answer.
pub const LEN: usize = 8;
const LAST_LBA: usize = 0;
const BLOCK_LEN: usize = 4;

/// The READ CAPACITY(10) CDB.
pub fn cdb() -> Cdb {
    Cdb::ten([op::READ_CAPACITY, 0, 0, 0, 0, 0, 0, 0, 0, 0])
}

/// The READ CAPACITY answer.
#[derive(Debug, Clone, Copy)]
pub struct ReadCapacityView<'a> {
    b: &'a [u8],
}

impl<'a> ReadCapacityView<'a> {
    /// Checks that the 8-byte answer is there.
    pub fn new_checked(b: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("READ CAPACITY data", b, LEN)?;
        Ok(ReadCapacityView { b })
    }
    /// Address of the last readable block.
    pub fn last_lba(&self) -> u32 {
        be::u32_at(self.b, LAST_LBA)
    }
    /// Block length in bytes (2048 for data media).
    pub fn block_len(&self) -> u32 {
        be::u32_at(self.b, BLOCK_LEN)
    }
    /// Number of blocks (last LBA + 1; 0 for an all-zero answer of a blank disc).
    pub fn blocks(&self) -> u64 {
        let l = self.last_lba();
        if l == 0 && self.block_len() == 0 {
            0
        } else {
            u64::from(l) + 1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qemu_style_answer() {
        // QEMU scsi-cd with a 1000-block image: last LBA 999, 2048-byte blocks.
        let b = [0, 0, 0x03, 0xE7, 0, 0, 0x08, 0];
        let v = ReadCapacityView::new_checked(&b).unwrap();
        assert_eq!(v.last_lba(), 999);
        assert_eq!(v.block_len(), 2048);
        assert_eq!(v.blocks(), 1000);
        assert!(ReadCapacityView::new_checked(&b[..7]).is_err());
        assert_eq!(cdb().as_bytes()[0], 0x25);
    }
}
