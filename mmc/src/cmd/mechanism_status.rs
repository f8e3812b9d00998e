//! MECHANISM STATUS (MMC-6 §6.11, header table 125).

use transport::Cdb;

use super::{be, op};
use crate::error::ParseError;

/// Header length.
pub const HEADER_LEN: usize = 8;

/// The MECHANISM STATUS CDB.
pub fn cdb(alloc: u16) -> Cdb {
    let mut c = [0u8; 12];
    c[0] = op::MECHANISM_STATUS;
    be::put16(&mut c, 8, alloc);
    Cdb::twelve(c)
}

/// A MECHANISM STATUS answer header.
#[derive(Debug, Clone, Copy)]
pub struct MechanismStatusView<'a> {
    b: &'a [u8],
}

impl<'a> MechanismStatusView<'a> {
    /// Checks the 8-byte header.
    pub fn new_checked(b: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("mechanism status header", b, HEADER_LEN)?;
        Ok(MechanismStatusView { b })
    }
    /// Fault bit.
    pub fn fault(&self) -> bool {
        be::bit(self.b, 0, 7)
    }
    /// Changer state (2 bits).
    pub fn changer_state(&self) -> u8 {
        be::bits(self.b, 0, 5, 2)
    }
    /// Mechanism state (3 bits: 0 idle, 1 playing, ...).
    pub fn mechanism_state(&self) -> u8 {
        be::bits(self.b, 1, 5, 3)
    }
    /// Door or tray open.
    pub fn door_open(&self) -> bool {
        be::bit(self.b, 1, 4)
    }
    /// Number of slots available.
    pub fn slots(&self) -> u8 {
        be::u8_at(self.b, 5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qemu_answer() {
        // QEMU scsi_emulate_mechanism_status: 8 bytes, byte 5 = 1.
        let b = [0, 0, 0, 0, 0, 1, 0, 0];
        let v = MechanismStatusView::new_checked(&b).unwrap();
        assert!(!v.door_open() && !v.fault());
        assert_eq!(v.slots(), 1);
        let v = MechanismStatusView::new_checked(&[0, 0x10, 0, 0, 0, 1, 0, 0]).unwrap();
        assert!(v.door_open());
        assert!(MechanismStatusView::new_checked(&b[..7]).is_err());
        assert_eq!(cdb(8).as_bytes()[..10], [0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8]);
    }
}
