//! MODE SENSE(10) and MODE SELECT(10) (SPC-4 §6.12, §6.14; MMC-6 §7): mode parameter
//! header (10), and the MMC pages 01h read/write error recovery (§7.3), 05h write
//! parameters (§7.5) and 2Ah MM capabilities and mechanical status (MMC-3 §6.3.11, kept as
//! legacy in MMC-6 annex).

use transport::Cdb;

use super::{be, op};
use crate::error::ParseError;

/// Mode parameter header (10) length.
pub const HEADER_LEN: usize = 8;
/// Page 01h code.
pub const PAGE_ERROR_RECOVERY: u8 = 0x01;
/// Page 05h code.
pub const PAGE_WRITE_PARAMETERS: u8 = 0x05;
/// Page 2Ah code.
pub const PAGE_CAPABILITIES: u8 = 0x2A;

/// Page control (PC) field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageControl {
    /// 00b: current values.
    Current,
    /// 01b: changeable mask.
    Changeable,
    /// 10b: default values.
    Default,
    /// 11b: saved values.
    Saved,
}

/// The MODE SENSE(10) CDB (DBD=1: no block descriptors).
pub fn sense(page: u8, pc: PageControl, alloc: u16) -> Cdb {
    let pcb = match pc {
        PageControl::Current => 0,
        PageControl::Changeable => 1,
        PageControl::Default => 2,
        PageControl::Saved => 3,
    };
    let mut c = [0u8; 10];
    c[0] = op::MODE_SENSE_10;
    c[1] = 0x08;
    c[2] = (pcb << 6) | (page & 0x3F);
    be::put16(&mut c, 7, alloc);
    Cdb::ten(c)
}

/// The MODE SELECT(10) CDB (PF=1) for a parameter list of `len` bytes.
pub fn select(len: u16) -> Cdb {
    let mut c = [0u8; 10];
    c[0] = op::MODE_SELECT_10;
    c[1] = 0x10;
    be::put16(&mut c, 7, len);
    Cdb::ten(c)
}

/// Total answer length the header announces (mode data length + 2).
pub fn announced_len(b: &[u8]) -> usize {
    usize::from(be::u16_at(b, 0)) + 2
}

/// A MODE SENSE(10) answer: header, block descriptors, pages.
#[derive(Debug, Clone, Copy)]
pub struct ModeSenseView<'a> {
    b: &'a [u8],
}

impl<'a> ModeSenseView<'a> {
    /// Checks the 8-byte header.
    pub fn new_checked(b: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("mode parameter header", b, HEADER_LEN)?;
        let end = announced_len(b).clamp(HEADER_LEN, b.len());
        Ok(ModeSenseView { b: &b[..end] })
    }
    /// Medium type byte.
    pub fn medium_type(&self) -> u8 {
        be::u8_at(self.b, 2)
    }
    /// Block descriptor length.
    pub fn block_descriptor_len(&self) -> usize {
        usize::from(be::u16_at(self.b, 6))
    }
    /// The bytes of the first page with code `page` (page header included), if present
    /// whole.
    pub fn page(&self, page: u8) -> Option<&'a [u8]> {
        let mut o = HEADER_LEN.saturating_add(self.block_descriptor_len());
        while o + 2 <= self.b.len() {
            let code = be::u8_at(self.b, o) & 0x3F;
            let spf = be::bit(self.b, o, 6);
            let (hdr, len) = if spf {
                (4, usize::from(be::u16_at(self.b, o + 2)))
            } else {
                (2, usize::from(be::u8_at(self.b, o + 1)))
            };
            let end = o + hdr + len;
            if end > self.b.len() {
                // A page cut off by the allocation length: give what arrived.
                return (code == page && !spf).then(|| &self.b[o..]);
            }
            if code == page && !spf {
                return Some(&self.b[o..end]);
            }
            o = end;
        }
        None
    }
}

/// Length of page 2Ah up to the write speed descriptor count (MMC-3: 32 bytes incl. header).
pub const CAPABILITIES_MIN_LEN: usize = 16;

/// Page 2Ah: MM capabilities and mechanical status.
#[derive(Debug, Clone, Copy)]
pub struct CapabilitiesPage<'a> {
    p: &'a [u8],
}

/// One write speed performance descriptor of page 2Ah.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PageWriteSpeed {
    /// Rotation control (0 CLV, 1 CAV).
    pub rotation: u8,
    /// Write speed, kB/s.
    pub kbps: u16,
}

macro_rules! flag {
    ($(#[$m:meta])* $name:ident, $off:expr, $bit:expr) => {
        $(#[$m])*
        pub fn $name(&self) -> bool {
            be::bit(self.p, $off, $bit)
        }
    };
}

impl<'a> CapabilitiesPage<'a> {
    /// Wraps bytes a `new_checked` call already accepted (accessors never panic anyway).
    pub(crate) fn trusted(p: &'a [u8]) -> Self {
        CapabilitiesPage { p }
    }

    /// The bytes the view covers (clipped to the length the answer announced).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.p
    }

    /// Checks page code 2Ah and the first 16 bytes (through the buffer size).
    pub fn new_checked(p: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("page 2Ah", p, CAPABILITIES_MIN_LEN)?;
        if be::u8_at(p, 0) & 0x3F != PAGE_CAPABILITIES {
            return Err(ParseError::BadField {
                what: "page 2Ah",
                field: "PAGE CODE",
                detail: format!("{:02X}h", be::u8_at(p, 0) & 0x3F),
            });
        }
        let end = (usize::from(be::u8_at(p, 1)) + 2).clamp(CAPABILITIES_MIN_LEN, p.len());
        Ok(CapabilitiesPage { p: &p[..end] })
    }
    flag!(/// Reads CD-R.
        read_cd_r, 2, 0);
    flag!(/// Reads CD-RW.
        read_cd_rw, 2, 1);
    flag!(/// Reads method 2 (fixed packets).
        read_method2, 2, 2);
    flag!(/// Reads DVD-ROM.
        read_dvd_rom, 2, 3);
    flag!(/// Reads DVD-R.
        read_dvd_r, 2, 4);
    flag!(/// Reads DVD-RAM.
        read_dvd_ram, 2, 5);
    flag!(/// Writes CD-R.
        write_cd_r, 3, 0);
    flag!(/// Writes CD-RW.
        write_cd_rw, 3, 1);
    flag!(/// Test write (simulation).
        test_write, 3, 2);
    flag!(/// Writes DVD-R.
        write_dvd_r, 3, 4);
    flag!(/// Writes DVD-RAM.
        write_dvd_ram, 3, 5);
    flag!(/// Audio play.
        audio_play, 4, 0);
    flag!(/// Composite output.
        composite, 4, 1);
    flag!(/// Digital port 1.
        digital_port1, 4, 2);
    flag!(/// Digital port 2.
        digital_port2, 4, 3);
    flag!(/// Reads mode 2 form 1.
        mode2_form1, 4, 4);
    flag!(/// Reads mode 2 form 2.
        mode2_form2, 4, 5);
    flag!(/// Reads multi-session.
        multi_session, 4, 6);
    flag!(/// Buffer underrun protection (BUF).
        buf, 4, 7);
    flag!(/// CD-DA commands supported.
        cdda, 5, 0);
    flag!(/// CD-DA stream is accurate.
        cdda_accurate, 5, 1);
    flag!(/// R-W subchannels supported.
        rw_supported, 5, 2);
    flag!(/// R-W de-interleaved and corrected.
        rw_corrected, 5, 3);
    flag!(/// C2 error pointers.
        c2_pointers, 5, 4);
    flag!(/// Reads ISRC.
        isrc, 5, 5);
    flag!(/// Reads UPC.
        upc, 5, 6);
    flag!(/// Reads bar code.
        bar_code, 5, 7);
    flag!(/// Lock supported.
        lock, 6, 0);
    flag!(/// Lock state (locked now).
        lock_state, 6, 1);
    flag!(/// Prevent jumper present.
        prevent_jumper, 6, 2);
    flag!(/// Eject supported.
        eject, 6, 3);
    flag!(/// Separate volume levels.
        separate_volume, 7, 0);
    flag!(/// Separate channel mute.
        separate_mute, 7, 1);
    flag!(/// Changer supports disc present.
        disc_present, 7, 2);
    flag!(/// Software slot selection.
        sss, 7, 3);
    flag!(/// Side change capable.
        side_change, 7, 4);
    flag!(/// R-W in lead-in.
        rw_in_leadin, 7, 5);

    /// Loading mechanism type (3 bits, see [`crate::feature::loading_mechanism_name`]).
    pub fn loading_mechanism(&self) -> u8 {
        be::bits(self.p, 6, 5, 3)
    }
    /// Maximum read speed, kB/s (obsolete in MMC-3 but widely set).
    pub fn max_read_kbps(&self) -> u16 {
        be::u16_at(self.p, 8)
    }
    /// Number of volume levels.
    pub fn volume_levels(&self) -> u16 {
        be::u16_at(self.p, 10)
    }
    /// Buffer size in KiB.
    pub fn buffer_kib(&self) -> u16 {
        be::u16_at(self.p, 12)
    }
    /// Current read speed, kB/s (obsolete).
    pub fn current_read_kbps(&self) -> u16 {
        be::u16_at(self.p, 14)
    }
    /// Maximum write speed, kB/s (obsolete), when present.
    pub fn max_write_kbps(&self) -> Option<u16> {
        (self.p.len() >= 20).then(|| be::u16_at(self.p, 18))
    }
    /// Current write speed, kB/s (obsolete), when present.
    pub fn current_write_kbps(&self) -> Option<u16> {
        (self.p.len() >= 22).then(|| be::u16_at(self.p, 20))
    }
    /// Copy management revision, when present.
    pub fn copy_management_revision(&self) -> Option<u16> {
        (self.p.len() >= 24).then(|| be::u16_at(self.p, 22))
    }
    /// Rotation control selected and current write speed selected, when present (MMC-3).
    pub fn write_speed_selected(&self) -> Option<(u8, u16)> {
        (self.p.len() >= 30).then(|| (be::bits(self.p, 27, 0, 2), be::u16_at(self.p, 28)))
    }
    /// Write speed performance descriptors (MMC-3), as many as are present whole.
    pub fn write_speeds(&self) -> impl Iterator<Item = PageWriteSpeed> + '_ {
        let n = if self.p.len() >= 32 {
            usize::from(be::u16_at(self.p, 30))
        } else {
            0
        };
        let avail = self.p.len().saturating_sub(32) / 4;
        (0..n.min(avail)).map(move |i| PageWriteSpeed {
            rotation: be::bits(self.p, 32 + i * 4 + 1, 0, 2),
            kbps: be::u16_at(self.p, 32 + i * 4 + 2),
        })
    }
}

/// Write type (page 05h byte 2 bits 3..0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteType {
    /// 0: packet/incremental.
    Packet,
    /// 1: track at once.
    Tao,
    /// 2: session at once.
    Sao,
    /// 3: raw.
    Raw,
    /// 4: layer jump recording.
    LayerJump,
}

/// Multi-session field (page 05h byte 3 bits 7..6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultiSession {
    /// 00b: no B0 pointer, next session not allowed (disc closed after this session).
    Closed,
    /// 01b: B0 pointer FF:FF:FF, next session not allowed.
    ClosedB0,
    /// 11b: next session allowed (B0 pointer = next program area).
    Open,
}

/// Page 05h length on the wire (header + 50 bytes).
pub const WRITE_PARAMETERS_LEN: usize = 52;

/// Fields of page 05h a writer sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteParameters {
    /// Write type.
    pub write_type: WriteType,
    /// Test write (simulation).
    pub test_write: bool,
    /// Buffer underrun free recording enabled (BUFE).
    pub bufe: bool,
    /// Link size, when valid (LS_V).
    pub link_size: Option<u8>,
    /// Multi-session.
    pub multi_session: MultiSession,
    /// Fixed packet (FP).
    pub fixed_packet: bool,
    /// Track mode (4 bits; 4 = data uninterrupted, 5 = data incremental, 7 = DVD).
    pub track_mode: u8,
    /// Data block type (4 bits; 8 = mode 1 2048 bytes, 10 = mode 2 form 1).
    pub data_block_type: u8,
    /// Session format (00h CD-DA/CD-ROM, 10h CD-I, 20h CD-ROM XA).
    pub session_format: u8,
    /// Packet size (fixed packets).
    pub packet_size: u32,
}

impl WriteParameters {
    /// Track-at-once, mode 1 data, as cdrecord writes a data CD (-tao -multi when `open`).
    pub fn cd_tao_data(open: bool, test_write: bool) -> Self {
        WriteParameters {
            write_type: WriteType::Tao,
            test_write,
            bufe: true,
            link_size: None,
            multi_session: if open {
                MultiSession::Open
            } else {
                MultiSession::Closed
            },
            fixed_packet: false,
            track_mode: 4,
            data_block_type: 8,
            session_format: 0x00,
            packet_size: 0,
        }
    }

    /// Incremental DVD-R recording as libburn's cookbook composes it: packet write type,
    /// link size 16, fixed packets of 16 blocks (one ECC block), track mode 5.
    pub fn dvd_incremental(open: bool, test_write: bool) -> Self {
        WriteParameters {
            write_type: WriteType::Packet,
            test_write,
            bufe: true,
            link_size: Some(16),
            multi_session: if open {
                MultiSession::Open
            } else {
                MultiSession::Closed
            },
            fixed_packet: true,
            track_mode: 5,
            data_block_type: 8,
            session_format: 0x00,
            packet_size: 16,
        }
    }

    /// The page's 52 bytes (page code 05h, length 32h).
    pub fn to_page(&self) -> [u8; WRITE_PARAMETERS_LEN] {
        let mut p = [0u8; WRITE_PARAMETERS_LEN];
        p[0] = PAGE_WRITE_PARAMETERS;
        p[1] = (WRITE_PARAMETERS_LEN - 2) as u8;
        let wt = match self.write_type {
            WriteType::Packet => 0,
            WriteType::Tao => 1,
            WriteType::Sao => 2,
            WriteType::Raw => 3,
            WriteType::LayerJump => 4,
        };
        p[2] = wt
            | (u8::from(self.test_write) << 4)
            | (u8::from(self.link_size.is_some()) << 5)
            | (u8::from(self.bufe) << 6);
        let ms = match self.multi_session {
            MultiSession::Closed => 0,
            MultiSession::ClosedB0 => 1,
            MultiSession::Open => 3,
        };
        p[3] = (ms << 6) | (u8::from(self.fixed_packet) << 5) | (self.track_mode & 0x0F);
        p[4] = self.data_block_type & 0x0F;
        p[5] = self.link_size.unwrap_or(0);
        p[8] = self.session_format;
        be::put32(&mut p, 10, self.packet_size);
        be::put16(&mut p, 14, 150); // audio pause length: 2 s (ignored for data)
        p
    }

    /// The MODE SELECT(10) parameter list: an 8-byte header (all zero, no block
    /// descriptors) followed by the page.
    pub fn select_data(&self) -> [u8; HEADER_LEN + WRITE_PARAMETERS_LEN] {
        let mut d = [0u8; HEADER_LEN + WRITE_PARAMETERS_LEN];
        d[HEADER_LEN..].copy_from_slice(&self.to_page());
        d
    }
}

/// Page 01h: read/write error recovery.
#[derive(Debug, Clone, Copy)]
pub struct ErrorRecoveryPage<'a> {
    p: &'a [u8],
}

impl<'a> ErrorRecoveryPage<'a> {
    /// Checks page code 01h and 12 bytes.
    pub fn new_checked(p: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("page 01h", p, 12)?;
        if be::u8_at(p, 0) & 0x3F != PAGE_ERROR_RECOVERY {
            return Err(ParseError::BadField {
                what: "page 01h",
                field: "PAGE CODE",
                detail: format!("{:02X}h", be::u8_at(p, 0) & 0x3F),
            });
        }
        Ok(ErrorRecoveryPage { p })
    }
    /// Error recovery parameter bits (AWRE, ARRE, TB, RC, PER, DTE, DCR).
    pub fn flags(&self) -> u8 {
        be::u8_at(self.p, 2)
    }
    /// Read retry count.
    pub fn read_retries(&self) -> u8 {
        be::u8_at(self.p, 3)
    }
    /// Write retry count.
    pub fn write_retries(&self) -> u8 {
        be::u8_at(self.p, 8)
    }
}

/// Page 05h as a drive reports it.
#[derive(Debug, Clone, Copy)]
pub struct WriteParametersPage<'a> {
    p: &'a [u8],
}

impl<'a> WriteParametersPage<'a> {
    /// Checks page code 05h and the first 16 bytes.
    pub fn new_checked(p: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("page 05h", p, 16)?;
        if be::u8_at(p, 0) & 0x3F != PAGE_WRITE_PARAMETERS {
            return Err(ParseError::BadField {
                what: "page 05h",
                field: "PAGE CODE",
                detail: format!("{:02X}h", be::u8_at(p, 0) & 0x3F),
            });
        }
        Ok(WriteParametersPage { p })
    }
    /// Write type (4 bits).
    pub fn write_type(&self) -> u8 {
        be::bits(self.p, 2, 0, 4)
    }
    /// Test write.
    pub fn test_write(&self) -> bool {
        be::bit(self.p, 2, 4)
    }
    /// BUFE.
    pub fn bufe(&self) -> bool {
        be::bit(self.p, 2, 6)
    }
    /// Multi-session field (2 bits).
    pub fn multi_session(&self) -> u8 {
        be::bits(self.p, 3, 6, 2)
    }
    /// Track mode.
    pub fn track_mode(&self) -> u8 {
        be::bits(self.p, 3, 0, 4)
    }
    /// Data block type.
    pub fn data_block_type(&self) -> u8 {
        be::bits(self.p, 4, 0, 4)
    }
    /// Link size.
    pub fn link_size(&self) -> u8 {
        be::u8_at(self.p, 5)
    }
    /// Packet size.
    pub fn packet_size(&self) -> u32 {
        be::u32_at(self.p, 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tgt usr/mmc.c page 2Ah (62 bytes after the page header), behind an 8-byte header.
    fn tgt_2a() -> Vec<u8> {
        let page: [u8; 64] = [
            0x2A, 0x3E, 0x3F, 0x37, 0xF3, 0xF3, 0x29, 0x23, 0x10, 0x8A, 0x01, 0x00, 0x08, 0x00,
            0x10, 0x8A, 0x00, 0x00, 0x10, 0x8A, 0x10, 0x8A, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
            0x10, 0x8A, 0x00, 0x05, 0x00, 0x00, 0x10, 0x8A, 0x00, 0x00, 0x0B, 0x06, 0x00, 0x00,
            0x08, 0x45, 0x00, 0x00, 0x05, 0x83, 0x00, 0x00, 0x02, 0xC2, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0,
        ];
        let mut b = vec![0u8, 70, 0, 0, 0, 0, 0, 0];
        b.extend_from_slice(&page);
        b
    }

    #[test]
    fn cdbs() {
        assert_eq!(
            sense(PAGE_CAPABILITIES, PageControl::Current, 0xFF).as_bytes(),
            &[0x5A, 0x08, 0x2A, 0, 0, 0, 0, 0, 0xFF, 0]
        );
        assert_eq!(
            select(60).as_bytes(),
            &[0x55, 0x10, 0, 0, 0, 0, 0, 0, 60, 0]
        );
    }

    #[test]
    fn tgt_capabilities() {
        let b = tgt_2a();
        let v = ModeSenseView::new_checked(&b).unwrap();
        let p = CapabilitiesPage::new_checked(v.page(0x2A).unwrap()).unwrap();
        assert!(p.read_cd_r() && p.read_dvd_rom() && p.read_dvd_ram());
        assert!(p.write_cd_r() && p.write_cd_rw() && p.test_write() && p.write_dvd_r());
        assert!(p.buf() && p.multi_session());
        assert!(p.lock() && p.eject() && !p.lock_state());
        assert_eq!(p.loading_mechanism(), 1);
        assert_eq!(p.max_read_kbps(), 4234);
        assert_eq!(p.buffer_kib(), 2048);
        assert_eq!(p.write_speed_selected(), Some((0, 4234)));
        let w: Vec<u16> = p.write_speeds().map(|w| w.kbps).collect();
        assert_eq!(w, vec![4234, 2822, 2117, 1411, 706]);
        assert!(v.page(0x05).is_none());
    }

    #[test]
    fn qemu_capabilities() {
        // QEMU scsi-disk.c mode_sense_page 2Ah: length 14h, 3B 00 7F FF 2D 00, 50x read...
        let mut page = [0u8; 22];
        page[0] = 0x2A;
        page[1] = 0x14;
        page[2..8].copy_from_slice(&[0x3B, 0x00, 0x7F, 0xFF, 0x2D, 0x00]);
        page[8..10].copy_from_slice(&(50u16 * 176).to_be_bytes());
        page[10..12].copy_from_slice(&2u16.to_be_bytes());
        page[12..14].copy_from_slice(&2048u16.to_be_bytes());
        page[14..16].copy_from_slice(&(16u16 * 176).to_be_bytes());
        page[18..20].copy_from_slice(&(16u16 * 176).to_be_bytes());
        page[20..22].copy_from_slice(&(16u16 * 176).to_be_bytes());
        let p = CapabilitiesPage::new_checked(&page).unwrap();
        assert!(!p.write_cd_r() && p.read_cd_r() && !p.read_method2());
        assert_eq!(p.max_read_kbps(), 8800);
        assert_eq!(p.max_write_kbps(), Some(2816));
        assert_eq!(p.write_speed_selected(), None);
        assert_eq!(p.write_speeds().count(), 0);
        assert!(CapabilitiesPage::new_checked(&page[..15]).is_err());
    }

    #[test]
    fn write_parameters_roundtrip() {
        let w = WriteParameters::cd_tao_data(true, false);
        let d = w.select_data();
        assert_eq!(&d[8..14], &[0x05, 0x32, 0x41, 0xC4, 0x08, 0x00]);
        let p = WriteParametersPage::new_checked(&d[8..]).unwrap();
        assert_eq!(
            (
                p.write_type(),
                p.multi_session(),
                p.track_mode(),
                p.data_block_type()
            ),
            (1, 3, 4, 8)
        );
        assert!(p.bufe() && !p.test_write());
        // tgt's default page 05h: 62 05 08 10 -> BUFE, packet; track mode 5; block type 8.
        let mut t = [0u8; 52];
        t[..6].copy_from_slice(&[0x05, 0x32, 0x62, 0x05, 0x08, 0x10]);
        let p = WriteParametersPage::new_checked(&t).unwrap();
        assert_eq!(
            (p.write_type(), p.track_mode(), p.link_size()),
            (2, 5, 0x10)
        );
    }

    #[test]
    fn dvd_r_incremental_page() {
        // libburn cookbook: 60h (BUFE, LS_V, packet), E5h (multi-session 11b, FP, mode 5),
        // data block type 8, link size 16, packet size 16.
        let p = WriteParameters::dvd_incremental(true, false).to_page();
        assert_eq!(&p[2..6], &[0x60, 0xE5, 0x08, 0x10]);
        assert_eq!(&p[10..14], &[0, 0, 0, 0x10]);
    }

    #[test]
    fn error_recovery_page() {
        // tgt: "1:0:10:0:8:0:0:0:0:8:0:0:0" -> page 01h, length 10.
        let p = [0x01, 0x0A, 0x00, 0x08, 0, 0, 0, 0, 0x08, 0, 0, 0];
        let v = ErrorRecoveryPage::new_checked(&p).unwrap();
        assert_eq!((v.read_retries(), v.write_retries()), (8, 8));
        assert!(ErrorRecoveryPage::new_checked(&p[..11]).is_err());
    }

    #[test]
    fn truncated_page_is_returned_partially() {
        let b = tgt_2a();
        let v = ModeSenseView::new_checked(&b[..30]).unwrap();
        let p = v.page(0x2A).unwrap();
        assert_eq!(p.len(), 22);
        assert!(CapabilitiesPage::new_checked(p).is_ok());
    }
}
