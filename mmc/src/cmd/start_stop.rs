//! START STOP UNIT (MMC-6 §6.39) and PREVENT ALLOW MEDIUM REMOVAL (MMC-6 §6.13): load,
//! eject, spin, lock the tray.

use transport::Cdb;

use super::op;

/// What START STOP UNIT should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartStop {
    /// Stop the disc (START=0, LOEJ=0).
    Stop,
    /// Spin the disc up (START=1, LOEJ=0).
    Start,
    /// Open the tray / eject (START=0, LOEJ=1).
    Eject,
    /// Close the tray / load (START=1, LOEJ=1).
    Load,
}

/// The START STOP UNIT CDB; `immed` returns before the operation completes.
pub fn cdb(action: StartStop, immed: bool) -> Cdb {
    let b4 = match action {
        StartStop::Stop => 0x00,
        StartStop::Start => 0x01,
        StartStop::Eject => 0x02,
        StartStop::Load => 0x03,
    };
    Cdb::six([op::START_STOP_UNIT, u8::from(immed), 0, 0, b4, 0])
}

/// The PREVENT ALLOW MEDIUM REMOVAL CDB: `prevent` locks the tray (Prevent=01b).
pub fn prevent_allow(prevent: bool) -> Cdb {
    Cdb::six([
        op::PREVENT_ALLOW_MEDIUM_REMOVAL,
        0,
        0,
        0,
        u8::from(prevent),
        0,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdbs() {
        // `eject` sends 1B 00 00 00 02 00 (LoEj=1, Start=0).
        assert_eq!(
            cdb(StartStop::Eject, false).as_bytes(),
            &[0x1B, 0, 0, 0, 2, 0]
        );
        assert_eq!(
            cdb(StartStop::Load, true).as_bytes(),
            &[0x1B, 1, 0, 0, 3, 0]
        );
        assert_eq!(prevent_allow(true).as_bytes(), &[0x1E, 0, 0, 0, 1, 0]);
        assert_eq!(prevent_allow(false).as_bytes(), &[0x1E, 0, 0, 0, 0, 0]);
    }
}
