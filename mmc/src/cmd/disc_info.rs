//! READ DISC INFORMATION (MMC-6 §6.22), standard disc information (data type 000b,
//! table 468).

use transport::Cdb;

use super::{be, op};
use crate::error::ParseError;

/// Length of standard disc information without OPC tables.
pub const STANDARD_LEN: usize = 34;
const DATA_LEN: usize = 0;
const STATUS: usize = 2;
const FIRST_TRACK: usize = 3;
const SESSIONS_LSB: usize = 4;
const FIRST_TRACK_LAST_SESSION_LSB: usize = 5;
const LAST_TRACK_LAST_SESSION_LSB: usize = 6;
const FLAGS: usize = 7;
const DISC_TYPE: usize = 8;
const SESSIONS_MSB: usize = 9;
const FIRST_TRACK_LAST_SESSION_MSB: usize = 10;
const LAST_TRACK_LAST_SESSION_MSB: usize = 11;
const DISC_ID: usize = 12;
const LEADIN_START: usize = 16;
const LAST_LEADOUT_START: usize = 20;
const BAR_CODE: usize = 24;
const APPLICATION_CODE: usize = 32;
const OPC_TABLES: usize = 33;

/// The READ DISC INFORMATION CDB (standard disc information).
pub fn cdb(alloc: u16) -> Cdb {
    let mut c = [0u8; 10];
    c[0] = op::READ_DISC_INFORMATION;
    be::put16(&mut c, 7, alloc);
    Cdb::ten(c)
}

/// Disc status (byte 2, bits 1..0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum DiscStatus {
    /// 00b: empty (blank).
    Empty,
    /// 01b: incomplete (appendable).
    Incomplete,
    /// 10b: complete (finalized, or not writable).
    Complete,
    /// 11b: others (random-access media: DVD+RW, DVD-RAM, BD-RE).
    Other,
}

impl DiscStatus {
    /// Name as cdrecord -minfo prints it.
    pub fn name(self) -> &'static str {
        match self {
            DiscStatus::Empty => "empty",
            DiscStatus::Incomplete => "incomplete/appendable",
            DiscStatus::Complete => "complete",
            DiscStatus::Other => "other",
        }
    }
}

/// State of the last session (byte 2, bits 3..2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SessionState {
    /// 00b: empty session.
    Empty,
    /// 01b: incomplete session.
    Incomplete,
    /// 10b: reserved/damaged.
    Damaged,
    /// 11b: complete session.
    Complete,
}

impl SessionState {
    /// Name as cdrecord -minfo prints it.
    pub fn name(self) -> &'static str {
        match self {
            SessionState::Empty => "empty",
            SessionState::Incomplete => "incomplete",
            SessionState::Damaged => "reserved/damaged",
            SessionState::Complete => "complete",
        }
    }
}

/// Standard disc information.
#[derive(Debug, Clone, Copy)]
pub struct DiscInfoView<'a> {
    b: &'a [u8],
}

impl<'a> DiscInfoView<'a> {
    /// Wraps bytes a `new_checked` call already accepted (accessors never panic anyway).
    pub(crate) fn trusted(b: &'a [u8]) -> Self {
        DiscInfoView { b }
    }

    /// The bytes the view covers (clipped to the length the answer announced).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.b
    }

    /// Checks that the 34 standard bytes are present and the data type is 000b.
    pub fn new_checked(b: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("disc information", b, STANDARD_LEN)?;
        let t = be::bits(b, STATUS, 5, 3);
        if t != 0 {
            return Err(ParseError::BadField {
                what: "disc information",
                field: "DISC INFORMATION DATA TYPE",
                detail: format!("{t:03b}b, expected 000b (standard disc information)"),
            });
        }
        let end = (usize::from(be::u16_at(b, DATA_LEN)) + 2).clamp(STANDARD_LEN, b.len());
        Ok(DiscInfoView { b: &b[..end] })
    }
    /// The medium is erasable (CD-RW, DVD-RW, DVD+RW, BD-RE...).
    pub fn erasable(&self) -> bool {
        be::bit(self.b, STATUS, 4)
    }
    /// State of the last session.
    pub fn last_session_state(&self) -> SessionState {
        match be::bits(self.b, STATUS, 2, 2) {
            0 => SessionState::Empty,
            1 => SessionState::Incomplete,
            2 => SessionState::Damaged,
            _ => SessionState::Complete,
        }
    }
    /// Disc status.
    pub fn disc_status(&self) -> DiscStatus {
        match be::bits(self.b, STATUS, 0, 2) {
            0 => DiscStatus::Empty,
            1 => DiscStatus::Incomplete,
            2 => DiscStatus::Complete,
            _ => DiscStatus::Other,
        }
    }
    /// Number of the first track on the disc.
    pub fn first_track(&self) -> u8 {
        be::u8_at(self.b, FIRST_TRACK)
    }
    /// Number of sessions (including an empty or incomplete last one).
    pub fn sessions(&self) -> u16 {
        u16::from_be_bytes([
            be::u8_at(self.b, SESSIONS_MSB),
            be::u8_at(self.b, SESSIONS_LSB),
        ])
    }
    /// First track number in the last session.
    pub fn first_track_last_session(&self) -> u16 {
        u16::from_be_bytes([
            be::u8_at(self.b, FIRST_TRACK_LAST_SESSION_MSB),
            be::u8_at(self.b, FIRST_TRACK_LAST_SESSION_LSB),
        ])
    }
    /// Last track number in the last session (the invisible/incomplete track when appendable).
    pub fn last_track_last_session(&self) -> u16 {
        u16::from_be_bytes([
            be::u8_at(self.b, LAST_TRACK_LAST_SESSION_MSB),
            be::u8_at(self.b, LAST_TRACK_LAST_SESSION_LSB),
        ])
    }
    /// Disc ID valid (DID_V).
    pub fn disc_id_valid(&self) -> bool {
        be::bit(self.b, FLAGS, 7)
    }
    /// Bar code valid (DBC_V).
    pub fn bar_code_valid(&self) -> bool {
        be::bit(self.b, FLAGS, 6)
    }
    /// Unrestricted use (URU).
    pub fn unrestricted_use(&self) -> bool {
        be::bit(self.b, FLAGS, 5)
    }
    /// Disc application code valid (DAC_V).
    pub fn application_code_valid(&self) -> bool {
        be::bit(self.b, FLAGS, 4)
    }
    /// Dirty bit (DBIT, MRW / DVD+RW background format).
    pub fn dirty(&self) -> bool {
        be::bit(self.b, FLAGS, 2)
    }
    /// Background format status (2 bits: 0 none, 1 started not running, 2 in progress, 3 done).
    pub fn bg_format_status(&self) -> u8 {
        be::bits(self.b, FLAGS, 0, 2)
    }
    /// Disc type byte (CD: 00h CD-DA/CD-ROM, 10h CD-I, 20h CD-ROM XA, FFh undefined).
    pub fn disc_type(&self) -> u8 {
        be::u8_at(self.b, DISC_TYPE)
    }
    /// Disc identification (CD).
    pub fn disc_id(&self) -> u32 {
        be::u32_at(self.b, DISC_ID)
    }
    /// Raw last session lead-in start address (LBA, or 00 MM SS FF on CD).
    pub fn last_session_leadin_raw(&self) -> u32 {
        be::u32_at(self.b, LEADIN_START)
    }
    /// Raw last possible lead-out start address (LBA, or 00 MM SS FF on CD).
    pub fn last_possible_leadout_raw(&self) -> u32 {
        be::u32_at(self.b, LAST_LEADOUT_START)
    }
    /// Disc bar code bytes.
    pub fn bar_code(&self) -> [u8; 8] {
        let mut a = [0u8; 8];
        a.copy_from_slice(be::slice(self.b, BAR_CODE, 8));
        a
    }
    /// Disc application code.
    pub fn application_code(&self) -> u8 {
        be::u8_at(self.b, APPLICATION_CODE)
    }
    /// Number of OPC tables announced.
    pub fn opc_tables(&self) -> u8 {
        be::u8_at(self.b, OPC_TABLES)
    }
    /// True when a new session can be appended (disc status empty or incomplete, and the
    /// last session not damaged).
    pub fn appendable(&self) -> bool {
        matches!(
            self.disc_status(),
            DiscStatus::Empty | DiscStatus::Incomplete
        )
    }
}

/// Interprets a CD address field `00 MM SS FF` (MMC-6: on CD, lead-in/lead-out fields are MSF).
pub fn raw_msf_to_lba(raw: u32) -> i32 {
    let [_, m, s, f] = raw.to_be_bytes();
    super::Msf { m, s, f }.to_lba()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// QEMU scsi-disk.c scsi_read_disc_information: complete, finalized single session.
    const QEMU: [u8; 34] = {
        let mut b = [0u8; 34];
        b[1] = 32;
        b[2] = 0x0E;
        b[3] = 1;
        b[4] = 1;
        b[5] = 1;
        b[6] = 1;
        b[7] = 0x20;
        b
    };

    #[test]
    fn qemu_answer() {
        let v = DiscInfoView::new_checked(&QEMU).unwrap();
        assert_eq!(v.disc_status(), DiscStatus::Complete);
        assert_eq!(v.last_session_state(), SessionState::Complete);
        assert!(!v.erasable());
        assert_eq!((v.first_track(), v.sessions()), (1, 1));
        assert_eq!(
            (v.first_track_last_session(), v.last_track_last_session()),
            (1, 1)
        );
        assert!(v.unrestricted_use());
        assert!(!v.appendable());
    }

    #[test]
    fn tgt_blank_dvd_plus_r() {
        // tgt usr/mmc.c, PROFILE_DVD_PLUS_R: status empty, DAC_V, last possible lead-out
        // 0x00230540.
        let mut b = [0u8; 34];
        b[1] = 0x20;
        b[3] = 1;
        b[4] = 1;
        b[5] = 1;
        b[6] = 1;
        b[7] = 0x10;
        b[20..24].copy_from_slice(&[0x00, 0x23, 0x05, 0x40]);
        let v = DiscInfoView::new_checked(&b).unwrap();
        assert_eq!(v.disc_status(), DiscStatus::Empty);
        assert_eq!(v.last_session_state(), SessionState::Empty);
        assert!(v.application_code_valid());
        assert_eq!(v.last_possible_leadout_raw(), 0x0023_0540);
        assert!(v.appendable());
    }

    #[test]
    fn mmc6_appendable_cd_rw() {
        // MMC-6 table 468: erasable, incomplete last session... here: CD-RW with 2 complete
        // sessions and an empty third (status incomplete, last session empty), tracks 1..3,
        // lead-in of session 3 at 97:xx? no: CD gives MSF 00 MM SS FF.
        let mut b = [0u8; 34];
        b[1] = 0x20;
        b[2] = 0x10 | 0x01; // erasable, last session empty, disc incomplete
        b[3] = 1;
        b[4] = 3;
        b[5] = 3;
        b[6] = 3;
        b[8] = 0x20;
        b[16..20].copy_from_slice(&[0, 0x0A, 0x1E, 0x00]); // 10:30:00
        b[20..24].copy_from_slice(&[0, 79, 59, 74]);
        let v = DiscInfoView::new_checked(&b).unwrap();
        assert!(v.erasable());
        assert_eq!(v.disc_status(), DiscStatus::Incomplete);
        assert_eq!(v.last_session_state(), SessionState::Empty);
        assert_eq!(v.sessions(), 3);
        assert_eq!(v.disc_type(), 0x20);
        assert_eq!(
            raw_msf_to_lba(v.last_session_leadin_raw()),
            (10 * 60 + 30) * 75 - 150
        );
        assert_eq!(raw_msf_to_lba(v.last_possible_leadout_raw()), 359849);
    }

    #[test]
    fn rejects_short_and_other_types() {
        assert!(DiscInfoView::new_checked(&QEMU[..33]).is_err());
        let mut b = QEMU;
        b[2] |= 0x20; // track resources information
        assert!(DiscInfoView::new_checked(&b).is_err());
    }
}
