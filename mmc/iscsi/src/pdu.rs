//! iSCSI PDUs (RFC 7143 §11): the 48-byte Basic Header Segment (§11.2.1), the additional
//! header segments (§11.2.1.5), the data segment padded to 4 bytes (§11.2.3) and the
//! optional CRC32C header and data digests (§11.2.2, §13.1).
//!
//! [`Bhs`] is a typed view over the 48 header bytes: every field is read and written by a
//! named offset (the `off` table, RFC 7143 §11.2 and the per-opcode sections), so the
//! protocol code never indexes raw byte ranges. [`read_pdu`] takes a PDU off a byte stream
//! with the limits negotiated for the connection: nothing is allocated beyond the
//! negotiated MaxRecvDataSegmentLength, and a short read is a [`PduError::Truncated`].

use std::io::{self, Read, Write};

use crate::crc32c::{crc32c, Crc32c};
use transport::io::read_full;

/// Length of the Basic Header Segment (RFC 7143 §11.2.1).
pub const BHS_LEN: usize = 48;
/// Largest data segment the 24-bit DataSegmentLength can name (RFC 7143 §11.2.1.6).
pub const MAX_DATA_SEGMENT: usize = (1 << 24) - 1;
/// Task tag / target transfer tag meaning "none" (RFC 7143 §11.2.1.8, §11.7.4).
pub const RESERVED_TAG: u32 = 0xFFFF_FFFF;

/// Byte offsets of the BHS fields (RFC 7143 §11.2.1 and the per-opcode layouts).
pub mod off {
    /// Byte 0: I bit (40h) and opcode (bits 5-0).
    pub const OPCODE: usize = 0;
    /// Byte 1: F bit (80h) and opcode-specific flags.
    pub const FLAGS: usize = 1;
    /// Byte 2: login Version-max, SCSI Response response code, TMF response, reject reason.
    pub const BYTE2: usize = 2;
    /// Byte 3: login Version-min / Version-active, SCSI status.
    pub const BYTE3: usize = 3;
    /// Byte 4: TotalAHSLength in 4-byte words (§11.2.1.5).
    pub const TOTAL_AHS_LEN: usize = 4;
    /// Bytes 5-7: DataSegmentLength (§11.2.1.6).
    pub const DATA_SEGMENT_LEN: usize = 5;
    /// Bytes 8-15: LUN, or the login ISID (8-13) and TSIH (14-15).
    pub const LUN: usize = 8;
    /// Bytes 8-13: ISID (§11.12.5).
    pub const ISID: usize = 8;
    /// Bytes 14-15: TSIH (§11.12.6).
    pub const TSIH: usize = 14;
    /// Bytes 16-19: Initiator Task Tag (§11.2.1.8).
    pub const ITT: usize = 16;
    /// Bytes 20-23: Expected Data Transfer Length (SCSI Command), Target Transfer Tag
    /// (Data-Out, Data-In, R2T, NOP, Text), Referenced Task Tag (TMF), CID (Login, Logout).
    pub const WORD5: usize = 20;
    /// Bytes 24-27: CmdSN (initiator PDUs) or StatSN (target PDUs).
    pub const SN1: usize = 24;
    /// Bytes 28-31: ExpStatSN (initiator PDUs) or ExpCmdSN (target PDUs).
    pub const SN2: usize = 28;
    /// Bytes 32-35: MaxCmdSN (target PDUs), TMF RefCmdSN; bytes 32-47 the CDB of a command.
    pub const WORD8: usize = 32;
    /// Bytes 32-47: the CDB (§11.3.5).
    pub const CDB: usize = 32;
    /// Bytes 36-39: DataSN / R2TSN / ExpDataSN; login Status-Class (36) and -Detail (37).
    pub const WORD9: usize = 36;
    /// Bytes 40-43: Buffer Offset (Data-In, Data-Out, R2T), Bidi residual; logout Time2Wait.
    pub const WORD10: usize = 40;
    /// Bytes 44-47: Residual Count (SCSI Response, Data-In), Desired Data Transfer Length (R2T).
    pub const WORD11: usize = 44;
}

/// Operation codes (RFC 7143 §11.2.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Opcode {
    /// 00h NOP-Out.
    NopOut,
    /// 01h SCSI Command.
    ScsiCommand,
    /// 02h SCSI Task Management Function Request.
    TaskMgmtRequest,
    /// 03h Login Request.
    LoginRequest,
    /// 04h Text Request.
    TextRequest,
    /// 05h SCSI Data-Out.
    DataOut,
    /// 06h Logout Request.
    LogoutRequest,
    /// 10h SNACK Request.
    Snack,
    /// 20h NOP-In.
    NopIn,
    /// 21h SCSI Response.
    ScsiResponse,
    /// 22h SCSI Task Management Function Response.
    TaskMgmtResponse,
    /// 23h Login Response.
    LoginResponse,
    /// 24h Text Response.
    TextResponse,
    /// 25h SCSI Data-In.
    DataIn,
    /// 26h Logout Response.
    LogoutResponse,
    /// 31h Ready To Transfer.
    R2t,
    /// 32h Asynchronous Message.
    AsyncMessage,
    /// 3Fh Reject.
    Reject,
    /// Any other code (vendor-specific 1Ch-1Eh, 3Ch-3Eh, or reserved).
    Unknown(u8),
}

impl Opcode {
    /// Decodes the six opcode bits.
    pub fn from_bits(b: u8) -> Self {
        match b & 0x3F {
            0x00 => Opcode::NopOut,
            0x01 => Opcode::ScsiCommand,
            0x02 => Opcode::TaskMgmtRequest,
            0x03 => Opcode::LoginRequest,
            0x04 => Opcode::TextRequest,
            0x05 => Opcode::DataOut,
            0x06 => Opcode::LogoutRequest,
            0x10 => Opcode::Snack,
            0x20 => Opcode::NopIn,
            0x21 => Opcode::ScsiResponse,
            0x22 => Opcode::TaskMgmtResponse,
            0x23 => Opcode::LoginResponse,
            0x24 => Opcode::TextResponse,
            0x25 => Opcode::DataIn,
            0x26 => Opcode::LogoutResponse,
            0x31 => Opcode::R2t,
            0x32 => Opcode::AsyncMessage,
            0x3F => Opcode::Reject,
            other => Opcode::Unknown(other),
        }
    }

    /// The six opcode bits.
    pub fn bits(self) -> u8 {
        match self {
            Opcode::NopOut => 0x00,
            Opcode::ScsiCommand => 0x01,
            Opcode::TaskMgmtRequest => 0x02,
            Opcode::LoginRequest => 0x03,
            Opcode::TextRequest => 0x04,
            Opcode::DataOut => 0x05,
            Opcode::LogoutRequest => 0x06,
            Opcode::Snack => 0x10,
            Opcode::NopIn => 0x20,
            Opcode::ScsiResponse => 0x21,
            Opcode::TaskMgmtResponse => 0x22,
            Opcode::LoginResponse => 0x23,
            Opcode::TextResponse => 0x24,
            Opcode::DataIn => 0x25,
            Opcode::LogoutResponse => 0x26,
            Opcode::R2t => 0x31,
            Opcode::AsyncMessage => 0x32,
            Opcode::Reject => 0x3F,
            Opcode::Unknown(b) => b & 0x3F,
        }
    }
}

/// Flag bits of byte 1 (RFC 7143 §11.3.1, §11.7.1, §11.12.1, §11.4.1).
pub mod flag {
    /// F (final) bit, all PDUs that have it.
    pub const FINAL: u8 = 0x80;
    /// SCSI Command R (read) bit.
    pub const READ: u8 = 0x40;
    /// SCSI Command W (write) bit.
    pub const WRITE: u8 = 0x20;
    /// Login T (transit) bit.
    pub const TRANSIT: u8 = 0x80;
    /// Login and Text C (continue) bit.
    pub const CONTINUE: u8 = 0x40;
    /// Data-In A (acknowledge) bit.
    pub const ACK: u8 = 0x40;
    /// SCSI Response / Data-In O (residual overflow).
    pub const OVERFLOW: u8 = 0x04;
    /// SCSI Response / Data-In U (residual underflow).
    pub const UNDERFLOW: u8 = 0x02;
    /// Data-In S (status) bit.
    pub const STATUS: u8 = 0x01;
    /// The I (immediate) bit of byte 0.
    pub const IMMEDIATE: u8 = 0x40;
}

/// The Basic Header Segment: 48 bytes with accessors by field (RFC 7143 §11.2.1).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Bhs([u8; BHS_LEN]);

impl std::fmt::Debug for Bhs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bhs({:?}, itt {:#x})", self.opcode(), self.itt())
    }
}

impl Bhs {
    /// A header of all zeroes with `opcode` (target PDUs never carry the I bit).
    pub fn new(opcode: Opcode) -> Self {
        let mut b = [0u8; BHS_LEN];
        b[off::OPCODE] = opcode.bits();
        Bhs(b)
    }

    /// The header from its 48 bytes.
    pub fn from_bytes(b: [u8; BHS_LEN]) -> Self {
        Bhs(b)
    }

    /// The 48 bytes.
    pub fn as_bytes(&self) -> &[u8; BHS_LEN] {
        &self.0
    }

    /// The operation code.
    pub fn opcode(&self) -> Opcode {
        Opcode::from_bits(self.0[off::OPCODE])
    }

    /// The I (immediate delivery) bit (§11.2.1.1).
    pub fn immediate(&self) -> bool {
        self.0[off::OPCODE] & flag::IMMEDIATE != 0
    }

    /// Byte 1: F bit and opcode-specific flags.
    pub fn flags(&self) -> u8 {
        self.0[off::FLAGS]
    }

    /// Sets byte 1.
    pub fn set_flags(&mut self, f: u8) {
        self.0[off::FLAGS] = f;
    }

    /// The F (final) bit.
    pub fn is_final(&self) -> bool {
        self.flags() & flag::FINAL != 0
    }

    /// One byte at a named offset.
    pub fn byte(&self, at: usize) -> u8 {
        self.0.get(at).copied().unwrap_or(0)
    }

    /// Sets one byte at a named offset.
    pub fn set_byte(&mut self, at: usize, v: u8) {
        if let Some(b) = self.0.get_mut(at) {
            *b = v;
        }
    }

    /// TotalAHSLength in bytes (the field counts 4-byte words, §11.2.1.5).
    pub fn total_ahs_len(&self) -> usize {
        usize::from(self.0[off::TOTAL_AHS_LEN]) * 4
    }

    /// DataSegmentLength in bytes, without padding (§11.2.1.6).
    pub fn data_segment_len(&self) -> usize {
        let b = &self.0[off::DATA_SEGMENT_LEN..off::DATA_SEGMENT_LEN + 3];
        (usize::from(b[0]) << 16) | (usize::from(b[1]) << 8) | usize::from(b[2])
    }

    /// Sets DataSegmentLength (values over 2^24-1 cannot be expressed and are clamped;
    /// callers never build such PDUs).
    pub fn set_data_segment_len(&mut self, len: usize) {
        let l = len.min(MAX_DATA_SEGMENT) as u32;
        self.0[off::DATA_SEGMENT_LEN] = (l >> 16) as u8;
        self.0[off::DATA_SEGMENT_LEN + 1] = (l >> 8) as u8;
        self.0[off::DATA_SEGMENT_LEN + 2] = l as u8;
    }

    /// A big-endian 16-bit field at a named offset.
    pub fn u16_at(&self, at: usize) -> u16 {
        match self.0.get(at..at + 2) {
            Some(b) => u16::from_be_bytes([b[0], b[1]]),
            None => 0,
        }
    }

    /// Sets a big-endian 16-bit field.
    pub fn set_u16(&mut self, at: usize, v: u16) {
        if let Some(b) = self.0.get_mut(at..at + 2) {
            b.copy_from_slice(&v.to_be_bytes());
        }
    }

    /// A big-endian 32-bit field at a named offset.
    pub fn u32_at(&self, at: usize) -> u32 {
        match self.0.get(at..at + 4) {
            Some(b) => u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            None => 0,
        }
    }

    /// Sets a big-endian 32-bit field.
    pub fn set_u32(&mut self, at: usize, v: u32) {
        if let Some(b) = self.0.get_mut(at..at + 4) {
            b.copy_from_slice(&v.to_be_bytes());
        }
    }

    /// The 8-byte LUN field (§11.2.1.7, SAM-5 §4.7).
    pub fn lun(&self) -> [u8; 8] {
        let mut l = [0u8; 8];
        l.copy_from_slice(&self.0[off::LUN..off::LUN + 8]);
        l
    }

    /// Sets the LUN field.
    pub fn set_lun(&mut self, lun: [u8; 8]) {
        self.0[off::LUN..off::LUN + 8].copy_from_slice(&lun);
    }

    /// The login ISID (§11.12.5).
    pub fn isid(&self) -> [u8; 6] {
        let mut l = [0u8; 6];
        l.copy_from_slice(&self.0[off::ISID..off::ISID + 6]);
        l
    }

    /// Sets the ISID.
    pub fn set_isid(&mut self, isid: [u8; 6]) {
        self.0[off::ISID..off::ISID + 6].copy_from_slice(&isid);
    }

    /// Initiator Task Tag.
    pub fn itt(&self) -> u32 {
        self.u32_at(off::ITT)
    }

    /// Sets the Initiator Task Tag.
    pub fn set_itt(&mut self, v: u32) {
        self.set_u32(off::ITT, v);
    }

    /// The 16 CDB bytes of a SCSI Command (§11.3.5).
    pub fn cdb_bytes(&self) -> &[u8] {
        &self.0[off::CDB..off::CDB + 16]
    }
}

/// One additional header segment (RFC 7143 §11.2.1.5): its type and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ahs {
    /// AHSType: 1 extended CDB, 2 bidirectional read data length (§11.2.2.2).
    pub kind: u8,
    /// The AHS-Specific byte and the data (AHSLength counts both).
    pub body: Vec<u8>,
}

/// A whole PDU: header, additional headers, data segment without padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdu {
    /// The Basic Header Segment.
    pub bhs: Bhs,
    /// The additional header segments, in order.
    pub ahs: Vec<Ahs>,
    /// The data segment (padding removed).
    pub data: Vec<u8>,
}

/// What the receiving side of a connection accepts (RFC 7143 §13.12, §13.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Our MaxRecvDataSegmentLength: a larger data segment is [`PduError::Oversized`].
    pub max_recv_data_segment: usize,
    /// A CRC32C header digest follows the headers.
    pub header_digest: bool,
    /// A CRC32C data digest follows a non-empty data segment.
    pub data_digest: bool,
}

impl Limits {
    /// The limits during login: no digests, 8192 bytes (RFC 7143 §13.12: the default until
    /// MaxRecvDataSegmentLength is declared; a login PDU carries at most 8192 bytes, §6.1).
    pub const LOGIN: Limits = Limits {
        max_recv_data_segment: 8192,
        header_digest: false,
        data_digest: false,
    };
}

/// Why no PDU could be read.
#[derive(Debug, thiserror::Error)]
pub enum PduError {
    /// The stream ended cleanly between PDUs.
    #[error("connection closed")]
    Closed,
    /// The stream ended inside a PDU.
    #[error("truncated PDU: the connection ended after {got} of {want} bytes of its {part}")]
    Truncated {
        /// Which part was cut short (header, AHS, data segment, digest).
        part: &'static str,
        /// Bytes received of that part.
        got: usize,
        /// Bytes the part has.
        want: usize,
    },
    /// The data segment is longer than the negotiated MaxRecvDataSegmentLength.
    #[error("{opcode:?} PDU with a data segment of {len} bytes, over the negotiated MaxRecvDataSegmentLength of {max}")]
    Oversized {
        /// Opcode of the PDU.
        opcode: Opcode,
        /// Its DataSegmentLength.
        len: usize,
        /// Our MaxRecvDataSegmentLength.
        max: usize,
        /// The header, for a Reject.
        bhs: Bhs,
    },
    /// An AHS length runs past TotalAHSLength or is zero.
    #[error("malformed additional header segment (TotalAHSLength {total}, an AHS of {len} bytes at {at})")]
    BadAhs {
        /// TotalAHSLength in bytes.
        total: usize,
        /// The AHSLength found.
        len: usize,
        /// Offset of that AHS.
        at: usize,
        /// The header, for a Reject.
        bhs: Bhs,
    },
    /// The header digest does not match.
    #[error("header digest mismatch (received {got:#010x}, computed {want:#010x})")]
    HeaderDigest {
        /// The digest received.
        got: u32,
        /// The digest computed.
        want: u32,
    },
    /// The data digest does not match.
    #[error("data digest mismatch on {opcode:?} (received {got:#010x}, computed {want:#010x})")]
    DataDigest {
        /// Opcode of the PDU.
        opcode: Opcode,
        /// The digest received.
        got: u32,
        /// The digest computed.
        want: u32,
        /// The header, for a Reject.
        bhs: Bhs,
    },
    /// The socket failed.
    #[error("connection: {0}")]
    Io(#[from] io::Error),
}

fn read_part<R: Read>(r: &mut R, buf: &mut [u8], part: &'static str) -> Result<(), PduError> {
    let got = read_full(r, buf)?;
    if got < buf.len() {
        return Err(PduError::Truncated {
            part,
            got,
            want: buf.len(),
        });
    }
    Ok(())
}

/// Bytes of padding after a segment of `len` bytes (§11.2.3: to a 4-byte boundary).
pub fn padding(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// Splits the AHS bytes into segments (§11.2.1.5: 2-byte AHSLength, 1-byte AHSType, then
/// AHSLength bytes from the AHS-Specific byte on, padded to 4).
fn parse_ahs(raw: &[u8], bhs: &Bhs) -> Result<Vec<Ahs>, PduError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < raw.len() {
        let bad = |len| PduError::BadAhs {
            total: raw.len(),
            len,
            at,
            bhs: *bhs,
        };
        let head = raw.get(at..at + 3).ok_or_else(|| bad(0))?;
        let len = usize::from(u16::from_be_bytes([head[0], head[1]]));
        let kind = head[2];
        // AHSLength excludes the 3 header bytes; it covers the AHS-Specific byte onwards.
        let body = raw.get(at + 3..at + 3 + len).ok_or_else(|| bad(len))?;
        if len == 0 {
            return Err(bad(0));
        }
        out.push(Ahs {
            kind,
            body: body.to_vec(),
        });
        let used = 3 + len;
        at += used + padding(used);
    }
    Ok(out)
}

/// Reads one PDU from `r` under `lim`.
pub fn read_pdu<R: Read>(r: &mut R, lim: &Limits) -> Result<Pdu, PduError> {
    let mut head = [0u8; BHS_LEN];
    let got = read_full(r, &mut head)?;
    if got == 0 {
        return Err(PduError::Closed);
    }
    if got < BHS_LEN {
        return Err(PduError::Truncated {
            part: "header",
            got,
            want: BHS_LEN,
        });
    }
    let bhs = Bhs(head);
    let dsl = bhs.data_segment_len();
    // Checked before any further read, so a bogus length allocates nothing.
    if dsl > lim.max_recv_data_segment {
        return Err(PduError::Oversized {
            opcode: bhs.opcode(),
            len: dsl,
            max: lim.max_recv_data_segment,
            bhs,
        });
    }
    let mut ahs_raw = vec![0u8; bhs.total_ahs_len()];
    read_part(r, &mut ahs_raw, "additional header segments")?;
    if lim.header_digest {
        let mut d = [0u8; 4];
        read_part(r, &mut d, "header digest")?;
        let mut c = Crc32c::new();
        c.update(&head);
        c.update(&ahs_raw);
        let want = c.value();
        let got = u32::from_le_bytes(d);
        if got != want {
            return Err(PduError::HeaderDigest { got, want });
        }
    }
    let ahs = parse_ahs(&ahs_raw, &bhs)?;
    let padded = dsl + padding(dsl);
    let mut data = vec![0u8; padded];
    read_part(r, &mut data, "data segment")?;
    if lim.data_digest && dsl > 0 {
        let mut d = [0u8; 4];
        read_part(r, &mut d, "data digest")?;
        let want = crc32c(&data);
        let got = u32::from_le_bytes(d);
        if got != want {
            return Err(PduError::DataDigest {
                opcode: bhs.opcode(),
                got,
                want,
                bhs,
            });
        }
    }
    data.truncate(dsl);
    Ok(Pdu { bhs, ahs, data })
}

/// The bytes of one PDU without AHS (targets send none): header with DataSegmentLength set,
/// digests when negotiated, the data padded to 4 bytes.
pub fn encode_pdu(bhs: &Bhs, data: &[u8], header_digest: bool, data_digest: bool) -> Vec<u8> {
    let mut h = *bhs;
    h.set_data_segment_len(data.len());
    let pad = padding(data.len());
    let mut out = Vec::with_capacity(BHS_LEN + 8 + data.len() + pad);
    out.extend_from_slice(h.as_bytes());
    if header_digest {
        out.extend_from_slice(&crc32c(h.as_bytes()).to_le_bytes());
    }
    if !data.is_empty() {
        out.extend_from_slice(data);
        out.extend(std::iter::repeat_n(0u8, pad));
        if data_digest {
            let mut c = Crc32c::new();
            c.update(data);
            c.update(&[0u8; 3][..pad]);
            out.extend_from_slice(&c.value().to_le_bytes());
        }
    }
    out
}

/// Writes one PDU (see [`encode_pdu`]) in a single write.
pub fn write_pdu<W: Write>(
    w: &mut W,
    bhs: &Bhs,
    data: &[u8],
    header_digest: bool,
    data_digest: bool,
) -> io::Result<()> {
    w.write_all(&encode_pdu(bhs, data, header_digest, data_digest))
}

/// Serial number arithmetic on 32-bit sequence numbers (RFC 1982, as RFC 7143 §4.2.2.1
/// requires for CmdSN and StatSN): true when `a` comes before `b`.
pub fn sn_lt(a: u32, b: u32) -> bool {
    a != b && b.wrapping_sub(a) < 0x8000_0000
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 3720 B.4's READ(10) command header, read back field by field.
    #[test]
    fn read_command_header() {
        let mut raw = vec![0u8; 48];
        raw[0] = 0x01;
        raw[1] = 0xc0;
        raw[16..20].copy_from_slice(&[0x14, 0, 0, 0]);
        raw[20..24].copy_from_slice(&[0, 0, 0x04, 0]);
        raw[24..28].copy_from_slice(&[0, 0, 0, 0x14]);
        raw[28..32].copy_from_slice(&[0, 0, 0, 0x18]);
        raw[32] = 0x28;
        raw[40] = 0x02;
        let p = read_pdu(&mut raw.as_slice(), &Limits::LOGIN).unwrap();
        assert_eq!(p.bhs.opcode(), Opcode::ScsiCommand);
        assert!(p.bhs.is_final());
        assert_eq!(p.bhs.flags() & flag::READ, flag::READ);
        assert_eq!(p.bhs.itt(), 0x1400_0000);
        assert_eq!(p.bhs.u32_at(off::WORD5), 1024);
        assert_eq!(p.bhs.u32_at(off::SN1), 0x14);
        assert_eq!(p.bhs.cdb_bytes()[0], 0x28);
        assert!(p.data.is_empty());
    }

    #[test]
    fn padding_digests_and_limits() {
        let mut b = Bhs::new(Opcode::TextResponse);
        b.set_itt(7);
        let bytes = encode_pdu(&b, b"abcde", true, true);
        assert_eq!(bytes.len(), 48 + 4 + 8 + 4);
        let lim = Limits {
            max_recv_data_segment: 8192,
            header_digest: true,
            data_digest: true,
        };
        let p = read_pdu(&mut bytes.as_slice(), &lim).unwrap();
        assert_eq!(p.data, b"abcde");
        assert_eq!(p.bhs.itt(), 7);
        // A flipped data bit is a data digest error, a flipped header bit a header one.
        let mut bad = bytes.clone();
        bad[53] ^= 1;
        assert!(matches!(
            read_pdu(&mut bad.as_slice(), &lim),
            Err(PduError::DataDigest { .. })
        ));
        let mut bad = bytes.clone();
        bad[3] ^= 1;
        assert!(matches!(
            read_pdu(&mut bad.as_slice(), &lim),
            Err(PduError::HeaderDigest { .. })
        ));
        // Cut short anywhere: truncated, never a panic.
        for n in 1..bytes.len() {
            let r = read_pdu(&mut &bytes[..n], &lim);
            assert!(matches!(r, Err(PduError::Truncated { .. })), "{n}: {r:?}");
        }
        assert!(matches!(
            read_pdu(&mut &bytes[..0], &lim),
            Err(PduError::Closed)
        ));
        let small = Limits {
            max_recv_data_segment: 4,
            header_digest: true,
            data_digest: true,
        };
        assert!(matches!(
            read_pdu(&mut bytes.as_slice(), &small),
            Err(PduError::Oversized { len: 5, .. })
        ));
    }

    #[test]
    fn ahs_segments() {
        let mut raw = vec![0u8; 48];
        raw[0] = 0x01;
        raw[4] = 2; // 8 bytes of AHS
                    // Extended CDB AHS: AHSLength 5 (specific byte + 4 bytes of CDB), padded to 8.
        raw.extend_from_slice(&[0, 5, 1, 0, 0xAA, 0xBB, 0xCC, 0xDD]);
        let p = read_pdu(&mut raw.as_slice(), &Limits::LOGIN).unwrap();
        assert_eq!(
            p.ahs,
            vec![Ahs {
                kind: 1,
                body: vec![0, 0xAA, 0xBB, 0xCC, 0xDD]
            }]
        );
        raw[49] = 9; // runs past TotalAHSLength
        assert!(matches!(
            read_pdu(&mut raw.as_slice(), &Limits::LOGIN),
            Err(PduError::BadAhs { .. })
        ));
    }

    #[test]
    fn serial_numbers() {
        assert!(sn_lt(1, 2));
        assert!(sn_lt(0xFFFF_FFFF, 0));
        assert!(!sn_lt(2, 2));
        assert!(!sn_lt(3, 2));
    }
}
