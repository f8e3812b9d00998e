//! The commands the emulated drive understands, decoded from CDB bytes (field positions from
//! SPC-4 §6 and MMC-6 §6, each command's CDB table).

use super::error::EmuError;

/// A decoded CDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// 00h TEST UNIT READY (SPC-4 §6.47).
    TestUnitReady,
    /// 03h REQUEST SENSE (SPC-4 §6.29).
    RequestSense {
        /// DESC: descriptor-format sense requested.
        desc: bool,
        /// Allocation length.
        alloc: u16,
    },
    /// 04h FORMAT UNIT (MMC-6 §6.5).
    FormatUnit {
        /// FmtData: a parameter list follows.
        fmt_data: bool,
        /// CmpList.
        cmp_list: bool,
        /// Format code (must be 001b).
        code: u8,
    },
    /// 12h INQUIRY (SPC-4 §6.6).
    Inquiry {
        /// EVPD: a VPD page is requested.
        evpd: bool,
        /// Page code.
        page: u8,
        /// Allocation length.
        alloc: u16,
    },
    /// 1Bh START STOP UNIT (MMC-6 §6.40).
    StartStopUnit {
        /// Immed.
        immed: bool,
        /// LoEj: load or eject.
        loej: bool,
        /// Start.
        start: bool,
        /// Power condition.
        power: u8,
    },
    /// 1Eh PREVENT ALLOW MEDIUM REMOVAL (MMC-6 §6.12).
    PreventAllow {
        /// Prevent field (bit 0 prevent, bit 1 persistent prevent).
        prevent: u8,
    },
    /// 23h READ FORMAT CAPACITIES (MMC-6 §6.24).
    ReadFormatCapacities {
        /// Allocation length.
        alloc: u16,
    },
    /// 25h READ CAPACITY (MMC-6 §6.19).
    ReadCapacity,
    /// 28h READ(10) (MMC-6 §6.16) and A8h READ(12) (§6.17).
    Read {
        /// First block.
        lba: u32,
        /// Transfer length in blocks.
        blocks: u32,
    },
    /// 2Ah WRITE(10) (MMC-6 §6.44) and AAh WRITE(12) (§6.45).
    Write {
        /// First block.
        lba: u32,
        /// Transfer length in blocks.
        blocks: u32,
    },
    /// 5Dh SEND CUE SHEET (MMC-6 §6.33).
    SendCueSheet {
        /// Cue sheet size in bytes (CDB bytes 6..8).
        len: u32,
    },
    /// 35h SYNCHRONIZE CACHE (MMC-6 §6.41).
    SynchronizeCache {
        /// Immed.
        immed: bool,
    },
    /// 43h READ TOC/PMA/ATIP (MMC-6 §6.26).
    ReadToc {
        /// MSF addresses instead of LBAs.
        msf: bool,
        /// Format (0 TOC, 1 session info, 2 full TOC, 3 PMA, 4 ATIP, 5 CD-TEXT).
        format: u8,
        /// Track or session number.
        number: u8,
        /// Allocation length.
        alloc: u16,
    },
    /// 44h READ HEADER (MMC-2; not in MMC-6's command table): CD media only.
    ReadHeader {
        /// MSF address in the answer instead of an LBA.
        msf: bool,
        /// Logical block.
        lba: u32,
        /// Allocation length.
        alloc: u16,
    },
    /// 46h GET CONFIGURATION (MMC-6 §6.6).
    GetConfiguration {
        /// RT: 0 all, 1 current, 2 one feature.
        rt: u8,
        /// Starting feature number.
        start: u16,
        /// Allocation length.
        alloc: u16,
    },
    /// 4Ah GET EVENT STATUS NOTIFICATION (MMC-6 §6.7).
    GetEventStatus {
        /// Polled (asynchronous operation is not supported).
        polled: bool,
        /// Notification class request bit mask.
        classes: u8,
        /// Allocation length.
        alloc: u16,
    },
    /// 51h READ DISC INFORMATION (MMC-6 §6.22).
    ReadDiscInfo {
        /// Data type (0: standard disc information).
        data_type: u8,
        /// Allocation length.
        alloc: u16,
    },
    /// 52h READ TRACK INFORMATION (MMC-6 §6.27).
    ReadTrackInfo {
        /// Open bit.
        open: bool,
        /// Address/number type: 0 LBA, 1 track, 2 session.
        kind: u8,
        /// LBA, track or session number.
        value: u32,
        /// Allocation length.
        alloc: u16,
    },
    /// 53h RESERVE TRACK (MMC-6 §6.31).
    ReserveTrack {
        /// ARSV: reserve by address.
        arsv: bool,
        /// Reservation size in blocks.
        size: u32,
    },
    /// 54h SEND OPC INFORMATION (MMC-6 §6.35).
    SendOpcInformation {
        /// DoOpc: perform the Optimum Power Calibration now.
        do_opc: bool,
        /// Parameter list length (OPC table entries).
        len: u16,
    },
    /// 55h MODE SELECT(10) (SPC-4 §6.10) and 15h MODE SELECT(6) (§6.9).
    ModeSelect {
        /// The 6-byte CDB: a 4-byte mode parameter header (SPC-4 §7.5.5 table 450).
        six: bool,
        /// PF: page format.
        pf: bool,
        /// SP: save pages.
        sp: bool,
        /// Parameter list length.
        len: u16,
    },
    /// 5Ah MODE SENSE(10) (SPC-4 §6.12) and 1Ah MODE SENSE(6) (§6.11).
    ModeSense {
        /// The 6-byte CDB: a 4-byte mode parameter header (SPC-4 §7.5.5 table 450).
        six: bool,
        /// Page control: 0 current, 1 changeable, 2 default, 3 saved.
        pc: u8,
        /// Page code.
        page: u8,
        /// Subpage code.
        subpage: u8,
        /// Allocation length.
        alloc: u16,
    },
    /// 5Bh CLOSE TRACK/SESSION (MMC-6 §6.3).
    CloseTrackSession {
        /// Immed.
        immed: bool,
        /// Close function.
        function: u8,
        /// Logical track number.
        number: u16,
    },
    /// 5Ch READ BUFFER CAPACITY (MMC-6 §6.21).
    ReadBufferCapacity {
        /// Block: report in blocks.
        block: bool,
        /// Allocation length.
        alloc: u16,
    },
    /// A1h BLANK (MMC-6 §6.2).
    Blank {
        /// Immed.
        immed: bool,
        /// Blanking type.
        kind: u8,
        /// Start address or track number.
        address: u32,
    },
    /// ACh GET PERFORMANCE (MMC-6 §6.8).
    GetPerformance {
        /// Data type field (byte 1 bits 4-0).
        data_type: u8,
        /// Starting LBA.
        lba: u32,
        /// Maximum number of descriptors.
        max: u16,
        /// Type (00h performance, 03h write speed).
        kind: u8,
    },
    /// B6h SET STREAMING (MMC-6 §6.39).
    SetStreaming {
        /// Type (00h performance descriptor).
        kind: u8,
        /// Parameter list length.
        len: u16,
    },
    /// BBh SET CD SPEED (MMC-6 §6.37).
    SetCdSpeed {
        /// Drive read speed in kB/s (FFFFh: maximum).
        read: u16,
        /// Drive write speed in kB/s (FFFFh: maximum).
        write: u16,
    },
    /// BEh READ CD (MMC-6 §6.15) and B9h READ CD MSF (§6.16 of MMC-3; the range as
    /// start and end MSF, end exclusive).
    ReadCd {
        /// First block (two's complement: lead-in addresses are negative).
        lba: i64,
        /// Blocks.
        blocks: u32,
        /// Expected sector type (byte 1 bits 4-2): 0 any, 1 CD-DA, 2 mode 1, 3-5 mode 2.
        sector_type: u8,
        /// Byte 9: SYNC, header codes, user data, EDC/ECC, C2 error information.
        fields: u8,
        /// Byte 10 bits 2-0: sub-channel data selection (0 none, 1 raw P-W, 2 Q, 4 R-W).
        sub: u8,
    },
    /// 42h READ SUB-CHANNEL (MMC-6 §6.28 of MMC-5; MMC-3 §5.20).
    ReadSubChannel {
        /// MSF addresses instead of LBAs.
        msf: bool,
        /// SubQ: return the sub-channel data (else the header only).
        subq: bool,
        /// Format: 01h current position, 02h media catalog number, 03h ISRC.
        format: u8,
        /// Track number (format 03h).
        track: u8,
        /// Allocation length.
        alloc: u16,
    },
    /// ADh READ DISC STRUCTURE (MMC-6 §6.23).
    ReadDiscStructure {
        /// Media type (byte 1 bits 3-0): 0 DVD, 1 BD.
        media_type: u8,
        /// Address (bytes 2-5).
        address: u32,
        /// Layer number (byte 6).
        layer: u8,
        /// Format code (byte 7).
        format: u8,
        /// Allocation length (bytes 8-9).
        alloc: u16,
    },
    /// BDh MECHANISM STATUS (MMC-6 §6.11).
    MechanismStatus {
        /// Allocation length.
        alloc: u16,
    },
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// CDB length of an operation code's group (SPC-4 §4.2.5.1): 6, 10 or 12 bytes.
fn group_len(opcode: u8) -> usize {
    match opcode >> 5 {
        0 => 6,
        1 | 2 => 10,
        4 => 16,
        5 => 12,
        _ => 0,
    }
}

impl Command {
    /// Decodes a CDB.
    pub fn decode(cdb: &[u8]) -> Result<Command, EmuError> {
        let opcode = *cdb.first().ok_or(EmuError::InvalidOpcode { opcode: 0 })?;
        let want = group_len(opcode);
        if want == 0 {
            return Err(EmuError::InvalidOpcode { opcode });
        }
        if cdb.len() < want {
            return Err(EmuError::InvalidField {
                opcode,
                what: format!("CDB of {} bytes, this opcode takes {want}", cdb.len()),
            });
        }
        let c = cdb;
        Ok(match opcode {
            0x00 => Command::TestUnitReady,
            0x03 => Command::RequestSense {
                desc: c[1] & 1 != 0,
                alloc: u16::from(c[4]),
            },
            0x04 => Command::FormatUnit {
                fmt_data: c[1] & 0x10 != 0,
                cmp_list: c[1] & 0x08 != 0,
                code: c[1] & 0x07,
            },
            0x12 => Command::Inquiry {
                evpd: c[1] & 1 != 0,
                page: c[2],
                alloc: be16(c, 3),
            },
            0x1B => Command::StartStopUnit {
                immed: c[1] & 1 != 0,
                loej: c[4] & 0x02 != 0,
                start: c[4] & 0x01 != 0,
                power: c[4] >> 4,
            },
            0x1E => Command::PreventAllow {
                prevent: c[4] & 0x03,
            },
            0x23 => Command::ReadFormatCapacities { alloc: be16(c, 7) },
            0x25 => Command::ReadCapacity,
            0x28 => Command::Read {
                lba: be32(c, 2),
                blocks: u32::from(be16(c, 7)),
            },
            0xA8 => Command::Read {
                lba: be32(c, 2),
                blocks: be32(c, 6),
            },
            0x2A => Command::Write {
                lba: be32(c, 2),
                blocks: u32::from(be16(c, 7)),
            },
            0xAA => Command::Write {
                lba: be32(c, 2),
                blocks: be32(c, 6),
            },
            0x5D => Command::SendCueSheet {
                len: be32(c, 5) & 0x00FF_FFFF,
            },
            0x35 => Command::SynchronizeCache {
                immed: c[1] & 0x02 != 0,
            },
            0x43 => Command::ReadToc {
                msf: c[1] & 0x02 != 0,
                // Format 0 in byte 2 with format bits in CONTROL (bits 7-6, the SCSI-2
                // multisession convention of SFF-8020 and Kodak Photo CD that MMC keeps
                // as the legacy form): the format is the CONTROL one. Linux's sr driver
                // asks the last session's start this way (sr_cd_check: CONTROL 40h).
                format: match c[2] & 0x0F {
                    0 => c[9] >> 6,
                    f => f,
                },
                number: c[6],
                alloc: be16(c, 7),
            },
            0x44 => Command::ReadHeader {
                msf: c[1] & 0x02 != 0,
                lba: be32(c, 2),
                alloc: be16(c, 7),
            },
            0x46 => Command::GetConfiguration {
                rt: c[1] & 0x03,
                start: be16(c, 2),
                alloc: be16(c, 7),
            },
            0x4A => Command::GetEventStatus {
                polled: c[1] & 1 != 0,
                classes: c[4],
                alloc: be16(c, 7),
            },
            0x51 => Command::ReadDiscInfo {
                data_type: c[1] & 0x07,
                alloc: be16(c, 7),
            },
            0x52 => Command::ReadTrackInfo {
                open: c[1] & 0x04 != 0,
                kind: c[1] & 0x03,
                value: be32(c, 2),
                alloc: be16(c, 7),
            },
            0x53 => Command::ReserveTrack {
                arsv: c[1] & 1 != 0,
                size: be32(c, 5),
            },
            0x54 => Command::SendOpcInformation {
                do_opc: c[1] & 1 != 0,
                len: be16(c, 7),
            },
            0x15 => Command::ModeSelect {
                six: true,
                pf: c[1] & 0x10 != 0,
                sp: c[1] & 1 != 0,
                len: u16::from(c[4]),
            },
            0x1A => Command::ModeSense {
                six: true,
                pc: c[2] >> 6,
                page: c[2] & 0x3F,
                subpage: c[3],
                alloc: u16::from(c[4]),
            },
            0x55 => Command::ModeSelect {
                six: false,
                pf: c[1] & 0x10 != 0,
                sp: c[1] & 1 != 0,
                len: be16(c, 7),
            },
            0x5A => Command::ModeSense {
                six: false,
                pc: c[2] >> 6,
                page: c[2] & 0x3F,
                subpage: c[3],
                alloc: be16(c, 7),
            },
            0x5B => Command::CloseTrackSession {
                immed: c[1] & 1 != 0,
                function: c[2] & 0x07,
                number: be16(c, 4),
            },
            0x5C => Command::ReadBufferCapacity {
                block: c[1] & 1 != 0,
                alloc: be16(c, 7),
            },
            0xA1 => Command::Blank {
                immed: c[1] & 0x10 != 0,
                kind: c[1] & 0x07,
                address: be32(c, 2),
            },
            0xAC => Command::GetPerformance {
                data_type: c[1] & 0x1F,
                lba: be32(c, 2),
                max: be16(c, 8),
                kind: c[10],
            },
            0xB6 => Command::SetStreaming {
                kind: c[8],
                len: be16(c, 9),
            },
            0xBB => Command::SetCdSpeed {
                read: be16(c, 2),
                write: be16(c, 4),
            },
            0xBD => Command::MechanismStatus { alloc: be16(c, 8) },
            0xAD => Command::ReadDiscStructure {
                media_type: c[1] & 0x0F,
                address: be32(c, 2),
                layer: c[6],
                format: c[7],
                alloc: be16(c, 8),
            },
            0xBE => Command::ReadCd {
                lba: i64::from(i32::from_be_bytes([c[2], c[3], c[4], c[5]])),
                blocks: u32::from_be_bytes([0, c[6], c[7], c[8]]),
                sector_type: (c[1] >> 2) & 0x07,
                fields: c[9],
                sub: c[10] & 0x07,
            },
            0xB9 => {
                let start = super::medium::msf_to_lba(c[3], c[4], c[5]);
                let end = super::medium::msf_to_lba(c[6], c[7], c[8]);
                if end < start {
                    return Err(EmuError::InvalidField {
                        opcode,
                        what: "the ending MSF lies before the starting MSF".into(),
                    });
                }
                Command::ReadCd {
                    lba: start,
                    blocks: u32::try_from(end - start).unwrap_or(u32::MAX),
                    sector_type: (c[1] >> 2) & 0x07,
                    fields: c[9],
                    sub: c[10] & 0x07,
                }
            }
            0x42 => Command::ReadSubChannel {
                msf: c[1] & 0x02 != 0,
                subq: c[2] & 0x40 != 0,
                format: c[3],
                track: c[6],
                alloc: be16(c, 7),
            },
            _ => return Err(EmuError::InvalidOpcode { opcode }),
        })
    }

    /// True for commands that need a medium in the drive (NOT READY, MEDIUM NOT PRESENT
    /// while the tray is open).
    pub fn needs_medium(&self) -> bool {
        matches!(
            self,
            Command::TestUnitReady
                | Command::FormatUnit { .. }
                | Command::ReadFormatCapacities { .. }
                | Command::ReadCapacity
                | Command::Read { .. }
                | Command::Write { .. }
                | Command::SynchronizeCache { .. }
                | Command::SendCueSheet { .. }
                | Command::ReadToc { .. }
                | Command::ReadCd { .. }
                | Command::ReadSubChannel { .. }
                | Command::ReadHeader { .. }
                | Command::ReadDiscInfo { .. }
                | Command::ReadDiscStructure { .. }
                | Command::ReadTrackInfo { .. }
                | Command::ReserveTrack { .. }
                | Command::CloseTrackSession { .. }
                | Command::Blank { .. }
                | Command::SendOpcInformation { .. }
        )
    }

    /// True for commands that never report a pending UNIT ATTENTION or NOT READY
    /// (SPC-4 §5.9: INQUIRY, REQUEST SENSE; MMC-6 §6.6, §6.7: GET CONFIGURATION and GET
    /// EVENT STATUS NOTIFICATION).
    pub fn bypasses_attention(&self) -> bool {
        matches!(
            self,
            Command::Inquiry { .. }
                | Command::RequestSense { .. }
                | Command::GetConfiguration { .. }
                | Command::GetEventStatus { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_read12_and_track_info() {
        assert_eq!(
            Command::decode(&[0xA8, 0, 0, 0, 0x12, 0x34, 0, 0, 0, 0x10, 0, 0]).unwrap(),
            Command::Read {
                lba: 0x1234,
                blocks: 16
            }
        );
        assert_eq!(
            Command::decode(&[0x52, 0x01, 0, 0, 0, 0xFF, 0, 0, 0x30, 0]).unwrap(),
            Command::ReadTrackInfo {
                open: false,
                kind: 1,
                value: 0xFF,
                alloc: 0x30
            }
        );
        assert_eq!(
            Command::decode(&[0x44, 0x02, 0, 0, 0x01, 0x00, 0, 0, 8, 0]).unwrap(),
            Command::ReadHeader {
                msf: true,
                lba: 0x100,
                alloc: 8
            }
        );
        assert!(matches!(
            Command::decode(&[0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            Err(EmuError::InvalidOpcode { opcode: 0xFF })
        ));
        assert!(matches!(
            Command::decode(&[0x28, 0, 0, 0, 0, 0]),
            Err(EmuError::InvalidField { .. })
        ));
    }
}
