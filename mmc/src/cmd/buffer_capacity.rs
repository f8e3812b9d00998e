//! READ BUFFER CAPACITY (MMC-6 §6.20, tables 437 and 438).

use transport::Cdb;

use super::{be, op};
use crate::error::ParseError;

/// Answer length.
pub const LEN: usize = 12;

/// The READ BUFFER CAPACITY CDB; `blocks` asks for the block form.
pub fn cdb(blocks: bool, alloc: u16) -> Cdb {
    let mut c = [0u8; 10];
    c[0] = op::READ_BUFFER_CAPACITY;
    c[1] = u8::from(blocks);
    be::put16(&mut c, 7, alloc);
    Cdb::ten(c)
}

/// A READ BUFFER CAPACITY answer in byte form (Block=0).
#[derive(Debug, Clone, Copy)]
pub struct BufferCapacityView<'a> {
    b: &'a [u8],
}

impl<'a> BufferCapacityView<'a> {
    /// Checks the 12-byte answer.
    pub fn new_checked(b: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("buffer capacity", b, LEN)?;
        Ok(BufferCapacityView { b })
    }
    /// Length of the buffer in bytes (byte form) — reserved in block form.
    pub fn buffer_len(&self) -> u32 {
        be::u32_at(self.b, 4)
    }
    /// Blank (free) length of the buffer in bytes, or available blocks in block form.
    pub fn available(&self) -> u32 {
        be::u32_at(self.b, 8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tgt_answer() {
        // tgt usr/mmc.c, byte form: 4096 blocks = 8 MiB buffer, half free.
        let b = [
            0, 0x0A, 0, 0, 0x00, 0x80, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00,
        ];
        let v = BufferCapacityView::new_checked(&b).unwrap();
        assert_eq!(v.buffer_len(), 8 << 20);
        assert_eq!(v.available(), 4 << 20);
        assert!(BufferCapacityView::new_checked(&b[..11]).is_err());
        assert_eq!(
            cdb(false, 12).as_bytes(),
            &[0x5C, 0, 0, 0, 0, 0, 0, 0, 12, 0]
        );
    }
}
