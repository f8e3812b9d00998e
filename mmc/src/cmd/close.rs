//! CLOSE TRACK/SESSION (MMC-6 §6.3, close functions of table 65 and §6.3.3 per profile).

use transport::Cdb;

use super::{be, op};

/// Close function (CDB byte 2, bits 2..0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseFunction {
    /// 001b: close the logical track `number` (CD, DVD-R, DVD+R, BD-R).
    Track,
    /// 010b: close the session (CD, DVD-R), or the last session of DVD+R / BD-R.
    Session,
    /// 011b: DVD+R / BD-R: finalize (close the disc); DVD+RW: compatible close (de-icing).
    Finalize,
    /// 101b: DVD+R: close the session and finalize with minimal radius (DVD+R DL: close
    /// session / Lead-out in DL).
    FinalizeMinimal,
    /// 110b: DVD+R: finalize with Lead-out, DVD+R DL: finalize.
    FinalizeDvdPlusRDl,
    /// Any other 3-bit value.
    Raw(u8),
}

impl CloseFunction {
    /// The 3-bit code.
    pub fn code(self) -> u8 {
        match self {
            CloseFunction::Track => 0b001,
            CloseFunction::Session => 0b010,
            CloseFunction::Finalize => 0b011,
            CloseFunction::FinalizeMinimal => 0b101,
            CloseFunction::FinalizeDvdPlusRDl => 0b110,
            CloseFunction::Raw(c) => c & 7,
        }
    }
}

/// The CLOSE TRACK/SESSION CDB for track or session `number`.
pub fn cdb(function: CloseFunction, number: u16, immed: bool) -> Cdb {
    let mut c = [0u8; 10];
    c[0] = op::CLOSE_TRACK_SESSION;
    c[1] = u8::from(immed);
    c[2] = function.code();
    be::put16(&mut c, 4, number);
    Cdb::ten(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdbs() {
        // growisofs on DVD+R: close track 1, then close session (Immed set).
        assert_eq!(
            cdb(CloseFunction::Track, 1, true).as_bytes(),
            &[0x5B, 1, 1, 0, 0, 1, 0, 0, 0, 0]
        );
        assert_eq!(
            cdb(CloseFunction::Session, 0, false).as_bytes(),
            &[0x5B, 0, 2, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(CloseFunction::Raw(0xFF).code(), 7);
    }
}
