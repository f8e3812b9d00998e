//! MMC-6 commands (INCITS 468 §6) and the SPC-4 commands a drive answers: one file per
//! command or close family, each with its CDB builder and a checked view of the answer.
//!
//! Views follow one rule: `XxxView::new_checked(&[u8])` verifies every length the view's
//! accessors rely on, after which no accessor can panic whatever the device sent. Fields are
//! read through the big-endian helpers below with named offsets.

pub mod atip;
pub mod blank_format;
pub mod buffer_capacity;
pub mod close;
pub mod cue_sheet;
pub mod disc_info;
pub mod event_status;
pub mod exercise;
pub mod format_capacities;
pub mod get_configuration;
pub mod get_performance;
pub mod inquiry;
pub mod mechanism_status;
pub mod mode;
pub mod read;
pub mod read_capacity;
pub mod read_header;
pub mod request_sense;
pub mod reserve_track;
pub mod speed;
pub mod start_stop;
pub mod test_unit_ready;
pub mod toc;
pub mod track_info;
pub mod write;

/// The QEMU GET CONFIGURATION answer used as a seed by [`exercise`].
fn get_configuration_seed() -> Vec<u8> {
    vec![
        0, 0, 0, 0x24, 0, 0, 0, 8, 0, 0, 3, 8, 0, 0x10, 0, 0, 0, 8, 1, 0, 0, 1, 0x0B, 8, 0, 0, 0,
        1, 1, 0, 0, 0, 0, 3, 0x0B, 4, 0x39, 0, 0, 0,
    ]
}

/// Operation codes (SPC-4 §6, SBC-3, MMC-6 §6 table 5): the one table of `transport`.
pub use transport::opcode as op;

/// An operation code this crate knows (MMC-6 §6 table 5, SPC-4), `Unknown` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Opcode {
    /// TEST UNIT READY.
    TestUnitReady,
    /// REQUEST SENSE.
    RequestSense,
    /// FORMAT UNIT.
    FormatUnit,
    /// INQUIRY.
    Inquiry,
    /// START STOP UNIT.
    StartStopUnit,
    /// PREVENT ALLOW MEDIUM REMOVAL.
    PreventAllowMediumRemoval,
    /// READ FORMAT CAPACITIES.
    ReadFormatCapacities,
    /// READ CAPACITY.
    ReadCapacity,
    /// READ 10.
    Read10,
    /// WRITE 10.
    Write10,
    /// SYNCHRONIZE CACHE.
    SynchronizeCache,
    /// READ BUFFER.
    ReadBuffer,
    /// READ TOC.
    ReadToc,
    /// READ HEADER.
    ReadHeader,
    /// GET CONFIGURATION.
    GetConfiguration,
    /// GET EVENT STATUS NOTIFICATION.
    GetEventStatusNotification,
    /// READ DISC INFORMATION.
    ReadDiscInformation,
    /// READ TRACK INFORMATION.
    ReadTrackInformation,
    /// RESERVE TRACK.
    ReserveTrack,
    /// SEND OPC INFORMATION.
    SendOpcInformation,
    /// MODE SELECT 10.
    ModeSelect10,
    /// REPAIR TRACK.
    RepairTrack,
    /// MODE SENSE 10.
    ModeSense10,
    /// CLOSE TRACK SESSION.
    CloseTrackSession,
    /// READ BUFFER CAPACITY.
    ReadBufferCapacity,
    /// SEND CUE SHEET.
    SendCueSheet,
    /// BLANK.
    Blank,
    /// SEND KEY.
    SendKey,
    /// REPORT KEY.
    ReportKey,
    /// LOAD UNLOAD MEDIUM.
    LoadUnloadMedium,
    /// SET READ AHEAD.
    SetReadAhead,
    /// READ 12.
    Read12,
    /// WRITE 12.
    Write12,
    /// READ MEDIA SERIAL NUMBER.
    ReadMediaSerialNumber,
    /// GET PERFORMANCE.
    GetPerformance,
    /// READ DISC STRUCTURE.
    ReadDiscStructure,
    /// SET STREAMING.
    SetStreaming,
    /// READ CD MSF.
    ReadCdMsf,
    /// SET CD SPEED.
    SetCdSpeed,
    /// MECHANISM STATUS.
    MechanismStatus,
    /// READ CD.
    ReadCd,
    /// SEND DISC STRUCTURE.
    SendDiscStructure,
    /// Any other operation code.
    Unknown(u8),
}

impl Opcode {
    /// Decodes CDB byte 0.
    pub fn from_byte(b: u8) -> Opcode {
        match b {
            op::TEST_UNIT_READY => Opcode::TestUnitReady,
            op::REQUEST_SENSE => Opcode::RequestSense,
            op::FORMAT_UNIT => Opcode::FormatUnit,
            op::INQUIRY => Opcode::Inquiry,
            op::START_STOP_UNIT => Opcode::StartStopUnit,
            op::PREVENT_ALLOW_MEDIUM_REMOVAL => Opcode::PreventAllowMediumRemoval,
            op::READ_FORMAT_CAPACITIES => Opcode::ReadFormatCapacities,
            op::READ_CAPACITY => Opcode::ReadCapacity,
            op::READ_10 => Opcode::Read10,
            op::WRITE_10 => Opcode::Write10,
            op::SYNCHRONIZE_CACHE => Opcode::SynchronizeCache,
            op::READ_BUFFER => Opcode::ReadBuffer,
            op::READ_TOC => Opcode::ReadToc,
            op::READ_HEADER => Opcode::ReadHeader,
            op::GET_CONFIGURATION => Opcode::GetConfiguration,
            op::GET_EVENT_STATUS_NOTIFICATION => Opcode::GetEventStatusNotification,
            op::READ_DISC_INFORMATION => Opcode::ReadDiscInformation,
            op::READ_TRACK_INFORMATION => Opcode::ReadTrackInformation,
            op::RESERVE_TRACK => Opcode::ReserveTrack,
            op::SEND_OPC_INFORMATION => Opcode::SendOpcInformation,
            op::MODE_SELECT_10 => Opcode::ModeSelect10,
            op::REPAIR_TRACK => Opcode::RepairTrack,
            op::MODE_SENSE_10 => Opcode::ModeSense10,
            op::CLOSE_TRACK_SESSION => Opcode::CloseTrackSession,
            op::READ_BUFFER_CAPACITY => Opcode::ReadBufferCapacity,
            op::SEND_CUE_SHEET => Opcode::SendCueSheet,
            op::BLANK => Opcode::Blank,
            op::SEND_KEY => Opcode::SendKey,
            op::REPORT_KEY => Opcode::ReportKey,
            op::LOAD_UNLOAD_MEDIUM => Opcode::LoadUnloadMedium,
            op::SET_READ_AHEAD => Opcode::SetReadAhead,
            op::READ_12 => Opcode::Read12,
            op::WRITE_12 => Opcode::Write12,
            op::READ_MEDIA_SERIAL_NUMBER => Opcode::ReadMediaSerialNumber,
            op::GET_PERFORMANCE => Opcode::GetPerformance,
            op::READ_DISC_STRUCTURE => Opcode::ReadDiscStructure,
            op::SET_STREAMING => Opcode::SetStreaming,
            op::READ_CD_MSF => Opcode::ReadCdMsf,
            op::SET_CD_SPEED => Opcode::SetCdSpeed,
            op::MECHANISM_STATUS => Opcode::MechanismStatus,
            op::READ_CD => Opcode::ReadCd,
            op::SEND_DISC_STRUCTURE => Opcode::SendDiscStructure,
            b => Opcode::Unknown(b),
        }
    }

    /// The operation code byte.
    pub fn byte(self) -> u8 {
        match self {
            Opcode::TestUnitReady => op::TEST_UNIT_READY,
            Opcode::RequestSense => op::REQUEST_SENSE,
            Opcode::FormatUnit => op::FORMAT_UNIT,
            Opcode::Inquiry => op::INQUIRY,
            Opcode::StartStopUnit => op::START_STOP_UNIT,
            Opcode::PreventAllowMediumRemoval => op::PREVENT_ALLOW_MEDIUM_REMOVAL,
            Opcode::ReadFormatCapacities => op::READ_FORMAT_CAPACITIES,
            Opcode::ReadCapacity => op::READ_CAPACITY,
            Opcode::Read10 => op::READ_10,
            Opcode::Write10 => op::WRITE_10,
            Opcode::SynchronizeCache => op::SYNCHRONIZE_CACHE,
            Opcode::ReadBuffer => op::READ_BUFFER,
            Opcode::ReadToc => op::READ_TOC,
            Opcode::ReadHeader => op::READ_HEADER,
            Opcode::GetConfiguration => op::GET_CONFIGURATION,
            Opcode::GetEventStatusNotification => op::GET_EVENT_STATUS_NOTIFICATION,
            Opcode::ReadDiscInformation => op::READ_DISC_INFORMATION,
            Opcode::ReadTrackInformation => op::READ_TRACK_INFORMATION,
            Opcode::ReserveTrack => op::RESERVE_TRACK,
            Opcode::SendOpcInformation => op::SEND_OPC_INFORMATION,
            Opcode::ModeSelect10 => op::MODE_SELECT_10,
            Opcode::RepairTrack => op::REPAIR_TRACK,
            Opcode::ModeSense10 => op::MODE_SENSE_10,
            Opcode::CloseTrackSession => op::CLOSE_TRACK_SESSION,
            Opcode::ReadBufferCapacity => op::READ_BUFFER_CAPACITY,
            Opcode::SendCueSheet => op::SEND_CUE_SHEET,
            Opcode::Blank => op::BLANK,
            Opcode::SendKey => op::SEND_KEY,
            Opcode::ReportKey => op::REPORT_KEY,
            Opcode::LoadUnloadMedium => op::LOAD_UNLOAD_MEDIUM,
            Opcode::SetReadAhead => op::SET_READ_AHEAD,
            Opcode::Read12 => op::READ_12,
            Opcode::Write12 => op::WRITE_12,
            Opcode::ReadMediaSerialNumber => op::READ_MEDIA_SERIAL_NUMBER,
            Opcode::GetPerformance => op::GET_PERFORMANCE,
            Opcode::ReadDiscStructure => op::READ_DISC_STRUCTURE,
            Opcode::SetStreaming => op::SET_STREAMING,
            Opcode::ReadCdMsf => op::READ_CD_MSF,
            Opcode::SetCdSpeed => op::SET_CD_SPEED,
            Opcode::MechanismStatus => op::MECHANISM_STATUS,
            Opcode::ReadCd => op::READ_CD,
            Opcode::SendDiscStructure => op::SEND_DISC_STRUCTURE,
            Opcode::Unknown(b) => b,
        }
    }

    /// The specification's name.
    pub fn name(self) -> &'static str {
        opcode_name(self.byte())
    }
}

/// The name MMC-6/SPC-4 gives an operation code ("unknown command" for others).
pub fn opcode_name(opcode: u8) -> &'static str {
    op::name(opcode).unwrap_or("unknown command")
}

/// Big-endian field readers over a checked buffer. Out-of-range offsets read as zero, so
/// even a view with a bug cannot panic; `new_checked` is what guarantees the bytes exist.
pub(crate) mod be {
    /// Byte at `off`.
    pub fn u8_at(b: &[u8], off: usize) -> u8 {
        b.get(off).copied().unwrap_or(0)
    }
    fn at(b: &[u8], off: usize, i: usize) -> u8 {
        off.checked_add(i).map_or(0, |o| u8_at(b, o))
    }
    /// 16-bit big-endian at `off`.
    pub fn u16_at(b: &[u8], off: usize) -> u16 {
        u16::from_be_bytes([at(b, off, 0), at(b, off, 1)])
    }
    /// 24-bit big-endian at `off`.
    pub fn u24_at(b: &[u8], off: usize) -> u32 {
        u32::from_be_bytes([0, at(b, off, 0), at(b, off, 1), at(b, off, 2)])
    }
    /// 32-bit big-endian at `off`.
    pub fn u32_at(b: &[u8], off: usize) -> u32 {
        u32::from_be_bytes([at(b, off, 0), at(b, off, 1), at(b, off, 2), at(b, off, 3)])
    }
    /// Bit `bit` of the byte at `off`.
    pub fn bit(b: &[u8], off: usize, bit: u8) -> bool {
        u8_at(b, off) & (1 << bit) != 0
    }
    /// Bits `lo..lo+width` of the byte at `off`.
    pub fn bits(b: &[u8], off: usize, lo: u8, width: u8) -> u8 {
        (u8_at(b, off) >> lo) & ((1u16 << width) - 1) as u8
    }
    /// Bytes `off..off+len`, clipped to the buffer.
    pub fn slice(b: &[u8], off: usize, len: usize) -> &[u8] {
        let start = off.min(b.len());
        let end = off.saturating_add(len).min(b.len());
        &b[start..end]
    }
    /// Writes a 16-bit big-endian value at `off` of a builder's own fixed buffer.
    pub fn put16(b: &mut [u8], off: usize, v: u16) {
        if let Some(d) = b.get_mut(off..off.saturating_add(2)) {
            d.copy_from_slice(&v.to_be_bytes());
        }
    }
    /// Writes a 24-bit big-endian value at `off`.
    pub fn put24(b: &mut [u8], off: usize, v: u32) {
        if let Some(d) = b.get_mut(off..off.saturating_add(3)) {
            d.copy_from_slice(&v.to_be_bytes()[1..]);
        }
    }
    /// Writes a 32-bit big-endian value at `off`.
    pub fn put32(b: &mut [u8], off: usize, v: u32) {
        if let Some(d) = b.get_mut(off..off.saturating_add(4)) {
            d.copy_from_slice(&v.to_be_bytes());
        }
    }
}

/// A CD time position: minutes, seconds, frames (75 frames a second; MMC-6 §4.2.3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Msf {
    /// Minutes.
    pub m: u8,
    /// Seconds (0..59).
    pub s: u8,
    /// Frames (0..74).
    pub f: u8,
}

impl Msf {
    /// The LBA of this time as MMC-6 table 16 maps it: `(m*60+s)*75+f - 150`, and for
    /// times in the lead-in (m >= 90) `- 450150`, giving negative LBAs.
    pub fn to_lba(self) -> i32 {
        let frames = (i32::from(self.m) * 60 + i32::from(self.s)) * 75 + i32::from(self.f);
        if self.m >= 90 {
            frames - 450_150
        } else {
            frames - 150
        }
    }

    /// The time of an LBA (inverse of [`Msf::to_lba`]; LBAs below -150 map into the lead-in).
    pub fn from_lba(lba: i32) -> Msf {
        let frames = if lba < -150 { lba + 450_150 } else { lba + 150 };
        let frames = frames.max(0) as u32;
        Msf {
            m: (frames / (75 * 60)).min(255) as u8,
            s: ((frames / 75) % 60) as u8,
            f: (frames % 75) as u8,
        }
    }
}

impl std::fmt::Display for Msf {
    /// `97:15/17`, as cdrecord prints times.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}/{:02}", self.m, self.s, self.f)
    }
}

/// The time as cdrecord prints blocks with it: `-12508 (97:15/17)`.
pub fn lba_with_msf(lba: i32) -> String {
    format!("{lba} ({})", Msf::from_lba(lba))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msf_lba_roundtrip_and_leadin() {
        // cdrecord -atip: "ATIP start of lead in:  -12508 (97:15/17)".
        let m = Msf {
            m: 97,
            s: 15,
            f: 17,
        };
        assert_eq!(m.to_lba(), -12508);
        assert_eq!(Msf::from_lba(-12508), m);
        // "ATIP start of lead out: 359845 (79:59/70)".
        assert_eq!(
            Msf {
                m: 79,
                s: 59,
                f: 70
            }
            .to_lba(),
            359845
        );
        assert_eq!(Msf::from_lba(0), Msf { m: 0, s: 2, f: 0 });
        assert_eq!(lba_with_msf(-12508), "-12508 (97:15/17)");
    }

    #[test]
    fn opcodes_roundtrip() {
        for b in 0..=255u8 {
            let o = Opcode::from_byte(b);
            assert_eq!(o.byte(), b);
            if !matches!(o, Opcode::Unknown(_)) {
                assert_ne!(o.name(), "unknown command");
            }
        }
        assert_eq!(Opcode::from_byte(0x43), Opcode::ReadToc);
        assert_eq!(Opcode::ReadToc.name(), "READ TOC/PMA/ATIP");
    }

    #[test]
    fn be_helpers_never_panic() {
        let b = [1u8, 2, 3];
        assert_eq!(be::u16_at(&b, 0), 0x0102);
        assert_eq!(be::u32_at(&b, 1), 0x0203_0000);
        assert_eq!(be::u32_at(&b, usize::MAX), 0);
        assert_eq!(be::slice(&b, 2, usize::MAX), &[3]);
        assert_eq!(be::bits(&[0b1011_0000], 0, 4, 4), 0b1011);
    }
}
