//! One `emulate_*` function per command (MMC-6 §6 and SPC-4 §6; response layouts from each
//! command's response table, cited at each function).

use std::io::{Seek, SeekFrom, Write};
use std::time::{Duration, Instant};

use transport::{DataPhase, SenseKey, TransportError};

use super::command::Command;
use super::disc::{ReadCheck, Track, WriteTarget};
use super::error::{fixed_sense, EmuError};
use super::features::{get_configuration, MediaView};
use super::medium::{lba_to_msf, Family, MediumKind, WriteModel, CD_LEADOUT_LIMIT};
use super::powered::SaoCue;
use super::{EmuDrive, BLOCK, MAX_BUSY, PAGE05_LEN};

/// A command failed on the device (sense) or could not be transferred (host error).
pub(super) enum Fail {
    Emu(EmuError),
    Host(TransportError),
}

impl From<EmuError> for Fail {
    fn from(e: EmuError) -> Self {
        Fail::Emu(e)
    }
}

type R = Result<usize, Fail>;

fn host(opcode: u8, text: String) -> Fail {
    Fail::Host(TransportError::Host { opcode, text })
}

/// The data-in buffer (an absent data phase is an empty one).
fn din<'b>(data: &'b mut DataPhase<'_>, opcode: u8) -> Result<&'b mut [u8], Fail> {
    match data {
        DataPhase::In(b) => Ok(b),
        DataPhase::None => Ok(&mut []),
        DataPhase::Out(_) => Err(host(
            opcode,
            "data direction mismatch: device sends data, host sent some".into(),
        )),
    }
}

/// The data-out buffer.
/// FORMAT UNIT's parameter list (MMC-6 §6.5.3): FmtData set with format code 001b, a
/// 4-byte header and one 8-byte format descriptor.
fn format_list<'b>(fmt_data: bool, code: u8, data: &'b DataPhase<'_>) -> Result<&'b [u8], Fail> {
    const OP: u8 = 0x04;
    if !fmt_data || code != 1 {
        return Err(field(OP, "FmtData must be 1 and the format code 001b").into());
    }
    let src = dout(data, OP)?;
    if src.len() < 12 {
        return Err(EmuError::ParameterListLength {
            opcode: OP,
            what: format!(
                "{} bytes, need a 4-byte header and an 8-byte descriptor",
                src.len()
            ),
        }
        .into());
    }
    if u16::from_be_bytes([src[2], src[3]]) != 8 {
        return Err(param(OP, "format descriptor length must be 8").into());
    }
    Ok(src)
}

fn dout<'b>(data: &'b DataPhase<'_>, opcode: u8) -> Result<&'b [u8], Fail> {
    match data {
        DataPhase::Out(b) => Ok(b),
        DataPhase::None => Ok(&[]),
        DataPhase::In(_) => Err(host(
            opcode,
            "data direction mismatch: device expects data, host reads".into(),
        )),
    }
}

/// Copies a response into the host buffer, cut at the allocation length.
fn reply(buf: &mut [u8], bytes: &[u8], alloc: usize) -> usize {
    let n = bytes.len().min(alloc).min(buf.len());
    buf[..n].copy_from_slice(&bytes[..n]);
    n
}

fn field(opcode: u8, what: impl Into<String>) -> EmuError {
    EmuError::InvalidField {
        opcode,
        what: what.into(),
    }
}

fn param(opcode: u8, what: impl Into<String>) -> EmuError {
    EmuError::InvalidParameter {
        opcode,
        what: what.into(),
    }
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// A 4-byte TOC address: LBA, or 00 M S F.
fn toc_addr(msf: bool, lba: u32) -> [u8; 4] {
    if msf {
        let [m, s, f] = lba_to_msf(i64::from(lba));
        [0, m, s, f]
    } else {
        lba.to_be_bytes()
    }
}

/// ATIP start time of lead-in per medium (the disc manufacturer code, MMC-6 §6.26.3.6).
fn atip_leadin(kind: MediumKind) -> [u8; 3] {
    match kind {
        MediumKind::CdRw => [97, 10, 0],
        _ => [97, 26, 66],
    }
}

/// One complete session as the TOC shows it: number, tracks (number, start), lead-out.
struct TocSession {
    number: u16,
    /// (number, start, ADR/CONTROL byte: ADR 1 with the track's CONTROL nibble)
    tracks: Vec<(u16, u32, u8)>,
    leadout: u32,
}

impl EmuDrive {
    pub(super) fn dispatch(
        &mut self,
        cmd: Command,
        opcode: u8,
        data: &mut DataPhase<'_>,
    ) -> Result<Result<usize, EmuError>, TransportError> {
        let r = match cmd {
            Command::TestUnitReady => self.emulate_test_unit_ready(),
            Command::RequestSense { desc, alloc } => self.emulate_request_sense(desc, alloc, data),
            Command::Inquiry { evpd, page, alloc } => self.emulate_inquiry(evpd, page, alloc, data),
            Command::ModeSense {
                six,
                pc,
                page,
                subpage,
                alloc,
            } => self.emulate_mode_sense(six, pc, page, subpage, alloc, data),
            Command::ModeSelect { six, pf, sp, len } => {
                self.emulate_mode_select(six, pf, sp, len, data)
            }
            Command::GetConfiguration { rt, start, alloc } => {
                self.emulate_get_configuration(rt, start, alloc, data)
            }
            Command::GetEventStatus {
                polled,
                classes,
                alloc,
            } => self.emulate_get_event_status(polled, classes, alloc, data),
            Command::ReadCapacity => self.emulate_read_capacity(data),
            Command::Read { lba, blocks } => self.emulate_read(opcode, lba, blocks, data),
            Command::ReadToc {
                msf,
                format,
                number,
                alloc,
            } => self.emulate_read_toc(msf, format, number, alloc, data),
            Command::ReadHeader { msf, lba, alloc } => {
                self.emulate_read_header(msf, lba, alloc, data)
            }
            Command::ReadDiscInfo { data_type, alloc } => {
                self.emulate_read_disc_info(data_type, alloc, data)
            }
            Command::ReadTrackInfo {
                open: _,
                kind,
                value,
                alloc,
            } => self.emulate_read_track_info(kind, value, alloc, data),
            Command::ReserveTrack { arsv, size } => self.emulate_reserve_track(arsv, size),
            Command::SendOpcInformation { do_opc, len } => {
                self.emulate_send_opc_information(do_opc, len, data)
            }
            Command::Write { lba, blocks } => self.emulate_write(opcode, lba, blocks, data),
            Command::SynchronizeCache { immed } => self.emulate_synchronize_cache(immed),
            Command::SendCueSheet { len } => self.emulate_send_cue_sheet(len, data),
            Command::CloseTrackSession {
                immed,
                function,
                number,
            } => self.emulate_close_track_session(immed, function, number),
            Command::Blank {
                immed,
                kind,
                address: _,
            } => self.emulate_blank(immed, kind),
            Command::FormatUnit {
                fmt_data,
                cmp_list: _,
                code,
            } => self.emulate_format_unit(fmt_data, code, data),
            Command::ReadFormatCapacities { alloc } => {
                self.emulate_read_format_capacities(alloc, data)
            }
            Command::GetPerformance {
                data_type,
                lba: _,
                max,
                kind,
            } => self.emulate_get_performance(data_type, max, kind, data),
            Command::SetCdSpeed { read, write } => self.emulate_set_cd_speed(read, write),
            Command::SetStreaming { kind, len } => self.emulate_set_streaming(kind, len, data),
            Command::ReadBufferCapacity { block, alloc } => {
                self.emulate_read_buffer_capacity(block, alloc, data)
            }
            Command::StartStopUnit {
                immed: _,
                loej,
                start,
                power: _,
            } => self.emulate_start_stop_unit(loej, start),
            Command::PreventAllow { prevent } => self.emulate_prevent_allow(prevent),
            Command::MechanismStatus { alloc } => self.emulate_mechanism_status(alloc, data),
            Command::ReadDiscStructure {
                media_type,
                address: _,
                layer,
                format,
                alloc,
            } => din(data, opcode).and_then(|buf| {
                let d = self.emulate_read_disc_structure(media_type, layer, format)?;
                Ok(reply(buf, &d, usize::from(alloc)))
            }),
            Command::ReadCd {
                lba,
                blocks,
                sector_type,
                fields,
                sub,
            } => self.emulate_read_cd(opcode, lba, blocks, sector_type, fields, sub, data),
            Command::ReadSubChannel {
                msf,
                subq,
                format,
                track,
                alloc,
            } => din(data, opcode).and_then(|buf| {
                let d = self.emulate_read_sub_channel(msf, subq, format, track, alloc)?;
                Ok(reply(buf, &d, usize::from(alloc)))
            }),
        };
        match r {
            Ok(n) => Ok(Ok(n)),
            Err(Fail::Emu(e)) => Ok(Err(e)),
            Err(Fail::Host(e)) => Err(e),
        }
    }

    pub(super) fn kind(&self) -> MediumKind {
        self.disc.medium
    }

    pub(super) fn family(&self) -> Family {
        self.disc.medium.family()
    }

    fn io(&self, op: &'static str, source: std::io::Error) -> EmuError {
        EmuError::Io {
            op,
            path: self.image_path.clone(),
            source,
        }
    }

    // ---- speeds ------------------------------------------------------------------------

    fn write_speeds_kbs(&self) -> Vec<u32> {
        let one = self.family().one_x_kbs();
        self.kind()
            .write_speeds_x()
            .iter()
            .map(|x| (x * one).round() as u32)
            .collect()
    }

    pub(super) fn max_write_kbs(&self) -> u32 {
        self.write_speeds_kbs().first().copied().unwrap_or(0)
    }

    pub(super) fn max_read_kbs(&self) -> u32 {
        (self.kind().max_read_x() * self.family().one_x_kbs()).round() as u32
    }

    /// Sets the buffer drain rate from the `speed=` setting and the host's selected speed.
    pub(super) fn update_rate(&mut self) {
        let one_kbs = self.family().one_x_kbs();
        let selected_x = f64::from(self.write_speed_kbs) / one_kbs;
        self.buffer.rate = self.disc.settings.speed.map(|x| {
            let x = if selected_x > 0.0 {
                x.min(selected_x)
            } else {
                x
            };
            x * self.family().one_x_bytes_per_sec()
        });
    }

    /// The fastest offered speed not above `kbs` (FFFFh or above all: the fastest).
    pub(super) fn pick_write_speed(&self, kbs: u32) -> u32 {
        let speeds = self.write_speeds_kbs();
        speeds
            .iter()
            .copied()
            .find(|&s| s <= kbs.saturating_add(10))
            .or_else(|| speeds.last().copied())
            .unwrap_or(0)
    }

    // ---- SPC commands ------------------------------------------------------------------

    /// REQUEST SENSE (SPC-4 §6.29): the sense of the last failed command, else a pending
    /// UNIT ATTENTION, else the tray state, else NO SENSE; fixed format only.
    fn emulate_request_sense(&mut self, desc: bool, alloc: u16, data: &mut DataPhase<'_>) -> R {
        let buf = din(data, 0x03)?;
        if desc {
            return Err(field(0x03, "DESC: descriptor format sense is not supported").into());
        }
        let busy = self.busy.filter(|b| Instant::now() < b.1);
        let sense = if let Some(s) = self.last_sense.take() {
            s
        } else if let Some((start, end, ascq)) = busy {
            let total = end.duration_since(start).as_secs_f64().max(1e-9);
            let done = start.elapsed().as_secs_f64() / total;
            let progress = (done * 65536.0).clamp(0.0, 65535.0) as u16;
            EmuError::InProgress { ascq, progress }.to_sense()
        } else if self.pending_ua {
            self.pending_ua = false;
            EmuError::MediumChanged.to_sense()
        } else if self.tray_open {
            EmuError::MediumNotPresent.to_sense()
        } else {
            fixed_sense(SenseKey::NoSense, 0, 0, None)
        };
        Ok(reply(buf, &sense, usize::from(alloc)))
    }

    /// INQUIRY (SPC-4 §6.6.2 table 142 standard data; §7.8.16 page 00h; §7.8.15 page 80h;
    /// §7.8.6 page 83h with a T10 vendor ID designator).
    fn emulate_inquiry(&mut self, evpd: bool, page: u8, alloc: u16, data: &mut DataPhase<'_>) -> R {
        let buf = din(data, 0x12)?;
        let bytes: Vec<u8> = if !evpd {
            if page != 0 {
                return Err(field(0x12, "PAGE CODE set without EVPD").into());
            }
            let mut d = vec![0u8; 36];
            d[0] = 0x05; // peripheral qualifier 0, device type 05h (CD/DVD)
            d[1] = 0x80; // RMB: removable
            d[2] = 0x05; // version: SPC-3
            d[3] = 0x02; // response data format 2
            d[4] = 31; // additional length
            d[8..16].copy_from_slice(b"DISCBURN");
            d[16..32].copy_from_slice(b"EMULATED DRIVE  ");
            d[32..36].copy_from_slice(b"1.00");
            d
        } else {
            match page {
                0x00 => vec![0x05, 0x00, 0x00, 0x03, 0x00, 0x80, 0x83],
                0x83 => {
                    // one designator: T10 vendor ID (type 1), ASCII, associated with the LU
                    let mut id = b"DISCBURN".to_vec();
                    id.extend_from_slice(b"EMULATED DRIVE  EMU0000001");
                    let mut d = vec![0x05, 0x83, 0x00, (id.len() + 4) as u8, 0x02, 0x01, 0x00];
                    d.push(id.len() as u8);
                    d.extend_from_slice(&id);
                    d
                }
                0x80 => {
                    let serial = b"EMU0000001";
                    let mut d = vec![0x05, 0x80, 0x00, serial.len() as u8];
                    d.extend_from_slice(serial);
                    d
                }
                p => return Err(field(0x12, format!("VPD page {p:02X}h is not supported")).into()),
            }
        };
        Ok(reply(buf, &bytes, usize::from(alloc)))
    }

    /// TEST UNIT READY (SPC-4 §6.47): GOOD once the gates of `run` (becoming ready, unit
    /// attention, medium present) are passed.
    fn emulate_test_unit_ready(&mut self) -> R {
        Ok(0)
    }

    /// PREVENT ALLOW MEDIUM REMOVAL (MMC-6 §6.12): bit 0 of Prevent locks the tray.
    fn emulate_prevent_allow(&mut self, prevent: u8) -> R {
        self.locked = prevent & 1 != 0;
        Ok(0)
    }

    /// START STOP UNIT (MMC-6 §6.40): LoEj with Start loads, without ejects.
    fn emulate_start_stop_unit(&mut self, loej: bool, start: bool) -> R {
        if loej {
            if start {
                if self.tray_open {
                    self.tray_open = false;
                    self.media_event = 2; // NewMedia
                    self.pending_ua = true;
                }
            } else {
                if self.locked {
                    return Err(EmuError::RemovalPrevented.into());
                }
                self.finish_pending()?;
                self.tray_open = true;
                self.media_event = 3; // MediaRemoval
            }
        }
        Ok(0)
    }

    /// MECHANISM STATUS (MMC-6 §6.11 table 331): header only, no changer slots.
    fn emulate_mechanism_status(&mut self, alloc: u16, data: &mut DataPhase<'_>) -> R {
        let buf = din(data, 0xBD)?;
        let d = [
            0x00,
            if self.tray_open { 0x10 } else { 0x00 },
            0,
            0,
            0,
            0,
            0,
            0,
        ];
        Ok(reply(buf, &d, usize::from(alloc)))
    }

    /// GET EVENT STATUS NOTIFICATION (MMC-6 §6.7): polled only; the media class (§6.7.2.5).
    fn emulate_get_event_status(
        &mut self,
        polled: bool,
        classes: u8,
        alloc: u16,
        data: &mut DataPhase<'_>,
    ) -> R {
        let buf = din(data, 0x4A)?;
        if !polled {
            return Err(field(
                0x4A,
                "asynchronous notification is not supported (Polled=0)",
            )
            .into());
        }
        const MEDIA: u8 = 0x10;
        let d: Vec<u8> = if classes & MEDIA != 0 {
            let event = std::mem::take(&mut self.media_event);
            let status = if self.tray_open { 0x01 } else { 0x02 };
            vec![0x00, 0x06, 0x04, MEDIA, event, status, 0, 0]
        } else {
            vec![0x00, 0x02, 0x80, MEDIA]
        };
        Ok(reply(buf, &d, usize::from(alloc)))
    }

    // ---- MODE SENSE / MODE SELECT --------------------------------------------------------

    pub(super) fn default_page05(&self) -> [u8; PAGE05_LEN] {
        let mut p = [0u8; PAGE05_LEN];
        p[0] = 0x05;
        p[1] = (PAGE05_LEN - 2) as u8;
        let bufe = if self.disc.settings.bup == Some(false) {
            0
        } else {
            0x40
        };
        let (write_type, track_mode) = match self.family() {
            Family::Cd => (0x01, 0x04), // TAO, data track
            _ => (0x00, 0x05),          // incremental, data track
        };
        p[2] = bufe | write_type;
        p[3] = track_mode; // multi-session 00b
        p[4] = 0x08; // data block type 8: mode 1, 2048 bytes
        p[14..16].copy_from_slice(&150u16.to_be_bytes()); // audio pause length
        p
    }

    /// The drive has buffer-underrun protection (not with `bup=off`).
    fn drive_has_bup(&self) -> bool {
        self.disc.settings.bup != Some(false)
    }

    fn page05_changeable(&self) -> [u8; PAGE05_LEN] {
        let mut p = [0xFFu8; PAGE05_LEN];
        p[0] = 0x05;
        p[1] = (PAGE05_LEN - 2) as u8;
        p[2] = if self.drive_has_bup() { 0x7F } else { 0x3F };
        p[4] = 0x0F;
        p[6] = 0;
        p[7] = 0x3F;
        p[9] = 0;
        p
    }

    /// Page 2Ah, CD/DVD Capabilities and Mechanical Status (MMC-6 §7.7, table 673).
    fn page_2a(&self) -> Vec<u8> {
        let speeds = if self.tray_open {
            Vec::new()
        } else {
            self.write_speeds_kbs()
        };
        let mut p = vec![0u8; 32];
        p[0] = 0x2A;
        p[2] = 0x10 | 0x08 | 0x04 | 0x02 | 0x01; // DVD-R, DVD-ROM, method 2, CD-RW, CD-R read
        p[3] = 0x10 | 0x04 | 0x02 | 0x01; // DVD-R, test write, CD-RW, CD-R write
        p[4] = if self.drive_has_bup() { 0x80 } else { 0 } | 0x40 | 0x10; // BUF, multi-session, mode 2 form 1
                                                                          // UPC, ISRC, C2 pointers, R-W de-interleaved and corrected, R-W, CD-DA stream
                                                                          // accurate, CD-DA commands (READ CD of audio)
        p[5] = 0x40 | 0x20 | 0x10 | 0x08 | 0x04 | 0x02 | 0x01;
        p[6] = 0x20 | 0x08 | 0x01 | if self.locked { 0x02 } else { 0 }; // tray, eject, lock
        let max_read = self.max_read_kbs().min(0xFFFF) as u16;
        p[8..10].copy_from_slice(&max_read.to_be_bytes());
        let buf_kb = (self.buffer.size / 1024).min(0xFFFF) as u16;
        p[12..14].copy_from_slice(&buf_kb.to_be_bytes());
        p[14..16].copy_from_slice(&(self.read_speed_kbs.min(0xFFFF) as u16).to_be_bytes());
        let max_w = speeds.first().copied().unwrap_or(0).min(0xFFFF) as u16;
        p[18..20].copy_from_slice(&max_w.to_be_bytes());
        let cur_w = self.write_speed_kbs.min(0xFFFF) as u16;
        p[20..22].copy_from_slice(&cur_w.to_be_bytes());
        p[28..30].copy_from_slice(&cur_w.to_be_bytes());
        p[30..32].copy_from_slice(&(speeds.len() as u16).to_be_bytes());
        for s in &speeds {
            p.extend_from_slice(&[0, 0]);
            p.extend_from_slice(&(s.min(&0xFFFF).to_owned() as u16).to_be_bytes());
        }
        p[1] = (p.len() - 2) as u8;
        p
    }

    /// MODE SENSE(10) (SPC-4 §6.12) and MODE SENSE(6) (§6.11) over the same pages (01h,
    /// 05h, 2Ah, 3Fh = all), with the mode parameter header of the CDB's size (§7.5.5: 8
    /// bytes with a 2-byte mode data length for the 10-byte CDB, table 451; 4 bytes with a
    /// 1-byte length for the 6-byte one, table 450), no block descriptors (MMC-6 §7.2.2).
    fn emulate_mode_sense(
        &mut self,
        six: bool,
        pc: u8,
        page: u8,
        subpage: u8,
        alloc: u16,
        data: &mut DataPhase<'_>,
    ) -> R {
        let op = if six { 0x1A } else { 0x5A };
        let buf = din(data, op)?;
        if pc == 3 {
            return Err(EmuError::SavingNotSupported.into());
        }
        if subpage != 0 && !(page == 0x3F && subpage == 0xFF) {
            return Err(field(op, format!("subpage {subpage:02X}h is not supported")).into());
        }
        let p01 = match pc {
            1 => vec![0x01, 0x0A, 0xFF, 0xFF, 0, 0, 0, 0, 0xFF, 0, 0xFF, 0xFF],
            2 => vec![0x01, 0x0A, 0x00, 0x05, 0, 0, 0, 0, 0x05, 0, 0, 0],
            _ => self.page01.to_vec(),
        };
        let p05 = match pc {
            1 => self.page05_changeable().to_vec(),
            2 => self.default_page05().to_vec(),
            _ => self.page05.to_vec(),
        };
        let p2a = match pc {
            1 => {
                let mut p = self.page_2a();
                for b in &mut p[2..] {
                    *b = 0;
                }
                p
            }
            _ => self.page_2a(),
        };
        let mut out = vec![0u8; if six { 4 } else { 8 }];
        match page {
            0x01 => out.extend_from_slice(&p01),
            0x05 => out.extend_from_slice(&p05),
            0x2A => out.extend_from_slice(&p2a),
            0x3F => {
                out.extend_from_slice(&p01);
                out.extend_from_slice(&p05);
                out.extend_from_slice(&p2a);
            }
            p => return Err(field(op, format!("mode page {p:02X}h is not supported")).into()),
        }
        if six {
            // the MODE DATA LENGTH excludes itself (1 byte); an answer of more than 256
            // bytes is cut to what the field can count (SPC-4 §6.11)
            out.truncate(256);
            out[0] = (out.len() - 1) as u8;
        } else {
            let len = (out.len() - 2) as u16;
            out[0..2].copy_from_slice(&len.to_be_bytes());
        }
        Ok(reply(buf, &out, usize::from(alloc)))
    }

    /// MODE SELECT(10) (SPC-4 §6.10) and MODE SELECT(6) (§6.9): pages 01h and 05h (MMC-6
    /// §7.5.4 write parameters, checked against the medium), page 2Ah accepted and ignored
    /// (nothing changeable). The parameter list starts with the mode parameter header of
    /// the CDB's size (SPC-4 §7.5.5 tables 450 and 451).
    fn emulate_mode_select(
        &mut self,
        six: bool,
        pf: bool,
        sp: bool,
        len: u16,
        data: &mut DataPhase<'_>,
    ) -> R {
        let op = if six { 0x15 } else { 0x55 };
        let header = if six { 4 } else { 8 };
        if !pf {
            return Err(field(op, "PF must be 1").into());
        }
        if sp {
            return Err(field(op, "SP: saving pages is not supported").into());
        }
        let src = dout(data, op)?;
        let len = usize::from(len);
        if src.len() < len {
            return Err(host(
                op,
                format!(
                    "parameter list length {len} but only {} bytes sent",
                    src.len()
                ),
            ));
        }
        let list = &src[..len];
        if len == 0 {
            return Ok(0);
        }
        if len < header {
            return Err(EmuError::ParameterListLength {
                opcode: op,
                what: format!("shorter than the {header}-byte mode parameter header"),
            }
            .into());
        }
        let bd_len = if six {
            usize::from(list[3])
        } else {
            usize::from(u16::from_be_bytes([list[6], list[7]]))
        };
        let mut at = header + bd_len;
        let mut new05 = self.page05;
        let mut new01 = self.page01;
        while at < len {
            if at + 2 > len {
                return Err(EmuError::ParameterListLength {
                    opcode: op,
                    what: format!("page header cut at byte {at}"),
                }
                .into());
            }
            let code = list[at] & 0x3F;
            let plen = usize::from(list[at + 1]);
            let end = at + 2 + plen;
            if end > len {
                return Err(EmuError::ParameterListLength {
                    opcode: op,
                    what: format!("page {code:02X}h runs past the list"),
                }
                .into());
            }
            let page = &list[at..end];
            match code {
                0x01 => {
                    let n = page.len().min(new01.len());
                    new01[2..n].copy_from_slice(&page[2..n]);
                }
                0x05 => {
                    if page.len() < 16 {
                        return Err(param(op, "page 05h too short").into());
                    }
                    let n = page.len().min(PAGE05_LEN);
                    new05[2..n].copy_from_slice(&page[2..n]);
                    if !self.drive_has_bup() {
                        // BUFE is not changeable on a drive without underrun protection
                        new05[2] &= !0x40;
                    }
                    self.check_page05(op, &new05)?;
                }
                0x2A => {}
                c => return Err(param(op, format!("mode page {c:02X}h cannot be selected")).into()),
            }
            at = end;
        }
        self.page05 = new05;
        self.page01 = new01;
        if self.page05[2] & 0x10 == 0 {
            self.sim_nwa = None;
            self.sao = None;
        }
        Ok(0)
    }

    /// Checks write parameters against the medium (MMC-6 §7.5.4.2 ff.).
    fn check_page05(&self, op: u8, p: &[u8; PAGE05_LEN]) -> Result<(), EmuError> {
        let write_type = p[2] & 0x0F;
        let test = p[2] & 0x10 != 0;
        let dbt = p[4] & 0x0F;
        match self.kind() {
            MediumKind::CdR | MediumKind::CdRw => {
                if !matches!(write_type, 0..=2) {
                    return Err(param(op, format!("write type {write_type}: only packet (0), TAO (1) and SAO (2); raw is not supported")));
                }
                if write_type == 2 && self.faults.no_sao {
                    // `sao=off`: as a drive without session-at-once answers the write type
                    // probe of cdrecord (check_writemodes_mmc) and libburn (probe_write_modes)
                    return Err(param(
                        op,
                        "write type 2 (SAO): this drive has no session-at-once".to_string(),
                    ));
                }
                if write_type == 2 {
                    // Session-at-once: each track's data form comes from its cue sheet
                    // entries (MMC-6 §6.33.3), not from this field; libburn sends 0 here
                    // (spc_block_type(BURN_BLOCK_SAO); its cookbook: "Data Block Type 0
                    // (is ignored)"). Only the reserved codes are refused.
                    if !matches!(dbt, 0..=3 | 8..=13) {
                        return Err(param(op, format!("data block type {dbt} is reserved")));
                    }
                } else if !matches!(dbt, 0 | 8 | 10) {
                    return Err(param(op, format!("data block type {dbt}: this drive takes raw CD-DA (0) and 2048-byte data blocks (8, 10)")));
                }
                let track_mode = p[3] & 0x0F;
                if write_type == 1 && (dbt == 0) != (track_mode & 0x04 == 0) {
                    // MMC-6 §7.5.4.7: the track mode is the track's CONTROL nibble
                    return Err(param(
                        op,
                        format!("track mode {track_mode} with data block type {dbt}: audio (track mode bit 2 clear) takes block type 0, data 8 or 10"),
                    ));
                }
            }
            MediumKind::DvdR => {
                if !matches!(write_type, 0 | 2) {
                    return Err(param(
                        op,
                        format!("write type {write_type}: DVD-R takes incremental (0) or DAO (2)"),
                    ));
                }
                if dbt != 8 {
                    return Err(param(op, format!("data block type {dbt}: DVD takes 8")));
                }
            }
            _ => {}
        }
        if test && !self.kind().supports_test_write() {
            return Err(param(
                op,
                format!(
                    "Test Write: {} media cannot simulate",
                    self.kind().option_name()
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn test_write(&self) -> bool {
        self.page05[2] & 0x10 != 0 && self.kind().supports_test_write()
    }

    fn bup_on(&self) -> bool {
        self.page05[2] & 0x40 != 0
    }

    // ---- GET CONFIGURATION ---------------------------------------------------------------

    fn media_view(&self) -> MediaView {
        MediaView {
            medium: if self.tray_open {
                None
            } else {
                Some(self.kind())
            },
            readable: !self.tray_open && self.disc.readable_end() > 0,
            formatted: self.disc.formatted,
            last_lba: self.disc.capacity.saturating_sub(1),
            bup: self.drive_has_bup(),
            sao: !self.faults.no_sao,
        }
    }

    /// GET CONFIGURATION (MMC-6 §6.6; header table 285, features §5.3).
    fn emulate_get_configuration(
        &mut self,
        rt: u8,
        start: u16,
        alloc: u16,
        data: &mut DataPhase<'_>,
    ) -> R {
        let buf = din(data, 0x46)?;
        if rt == 3 {
            return Err(field(0x46, "RT 11b is reserved").into());
        }
        let d = get_configuration(&self.media_view(), rt, start);
        Ok(reply(buf, &d, usize::from(alloc)))
    }

    // ---- reading -------------------------------------------------------------------------

    /// READ CAPACITY (MMC-6 §6.19, table 401): last readable LBA and 2048.
    fn emulate_read_capacity(&mut self, data: &mut DataPhase<'_>) -> R {
        let buf = din(data, 0x25)?;
        let last = self.disc.readable_end().saturating_sub(1);
        let mut d = [0u8; 8];
        d[0..4].copy_from_slice(&last.to_be_bytes());
        d[4..8].copy_from_slice(&(BLOCK as u32).to_be_bytes());
        Ok(reply(buf, &d, 8))
    }

    /// READ(10)/READ(12) (MMC-6 §6.16, §6.17): recorded blocks only.
    fn emulate_read(&mut self, opcode: u8, lba: u32, blocks: u32, data: &mut DataPhase<'_>) -> R {
        let need = blocks as usize * BLOCK;
        {
            let buf = din(data, opcode)?;
            if buf.len() < need {
                return Err(host(
                    opcode,
                    format!(
                        "data overrun: {blocks} blocks need {need} bytes, buffer holds {}",
                        buf.len()
                    ),
                ));
            }
        }
        if blocks == 0 {
            return Ok(0);
        }
        match self.disc.check_read(lba, blocks) {
            ReadCheck::Ok => {}
            ReadCheck::Bad { past_end: true, .. } => {
                return Err(EmuError::LbaOutOfRange {
                    lba,
                    blocks,
                    limit: self.disc.readable_end(),
                }
                .into())
            }
            ReadCheck::Bad {
                lba: bad,
                past_end: false,
            } => return Err(EmuError::UnrecoveredRead { lba: bad }.into()),
            // the 2 run-out blocks ending a TAO track: ILLEGAL MODE FOR THIS TRACK (64/00),
            // the answer libburn's burn_read_data (flag 16, "suspect TAO end") and
            // xorriso -check_media take as a TAO track's end rather than a bad block
            ReadCheck::RunOut { lba: bad } => {
                return Err(EmuError::IllegalMode {
                    lba: bad,
                    what: "a run-out block of a track written track-at-once".into(),
                }
                .into())
            }
        }
        let end = u64::from(lba) + u64::from(blocks);
        if let Some(t) = self.disc.tracks.iter().find(|t| {
            t.is_audio() && u64::from(t.start) < end && lba < t.start.saturating_add(t.length)
        }) {
            // a CD-DA sector has no 2048-byte user data: READ CD reads it
            return Err(EmuError::IllegalMode {
                lba: lba.max(t.start),
                what: format!("track {} is audio: READ(10) cannot read it", t.number),
            }
            .into());
        }
        // Injected read faults (`bad=`, `slow=`; see options.rs).
        if let Some(bad) = self.faults.first_bad_block(lba, blocks) {
            return Err(EmuError::UnrecoveredRead { lba: bad }.into());
        }
        let slow = self.faults.slow_block_times(lba, blocks);
        if slow > 0.0 {
            let block_s = BLOCK as f64 / (f64::from(self.read_speed_kbs.max(1)) * 1000.0);
            std::thread::sleep(Duration::from_secs_f64(slow * block_s));
        }
        let pos = u64::from(lba) * BLOCK as u64;
        if let DataPhase::In(b) = data {
            read_zero_filled(&self.file, pos, &mut b[..need]).map_err(|e| self.io("read", e))?;
        }
        Ok(need)
    }

    /// READ HEADER (44h, MMC-2; the SCSI-2 CD-ROM command set): the 8-byte header of the
    /// sector holding `lba`: CD data mode, three reserved bytes, the address (LBA, or 00 M S F).
    /// Every track this drive records is a CD-ROM mode 1 data track (CONTROL 4, 2048-byte
    /// user data), so recorded blocks answer mode 01h; unrecorded blocks fail as READ does.
    /// MMC-6 has no READ HEADER (its command table skips 44h), so with a DVD or BD medium
    /// the drive answers as for any operation code it does not implement: ILLEGAL REQUEST,
    /// INVALID COMMAND OPERATION CODE (20/00).
    fn emulate_read_header(
        &mut self,
        msf: bool,
        lba: u32,
        alloc: u16,
        data: &mut DataPhase<'_>,
    ) -> R {
        const OP: u8 = 0x44;
        if self.family() != Family::Cd {
            return Err(EmuError::InvalidOpcode { opcode: OP }.into());
        }
        let buf = din(data, OP)?;
        match self.disc.check_read(lba, 1) {
            ReadCheck::Ok => {}
            ReadCheck::Bad { past_end: true, .. } => {
                return Err(EmuError::LbaOutOfRange {
                    lba,
                    blocks: 1,
                    limit: self.disc.readable_end(),
                }
                .into())
            }
            ReadCheck::Bad { lba: bad, .. } => {
                return Err(EmuError::UnrecoveredRead { lba: bad }.into())
            }
            ReadCheck::RunOut { lba: bad } => {
                return Err(EmuError::IllegalMode {
                    lba: bad,
                    what: "a run-out block of a track written track-at-once".into(),
                }
                .into())
            }
        }
        // A CD-DA sector has no header: the command fails on an audio track as on
        // SCSI-2/MMC-2 CD-ROM drives (ILLEGAL MODE FOR THIS TRACK), and cdrecord -toc
        // then prints mode -1 for it.
        if self.is_audio_block(lba) {
            return Err(EmuError::IllegalMode {
                lba,
                what: "READ HEADER of a CD-DA sector (audio has no header)".into(),
            }
            .into());
        }
        let mut d = [0u8; 8];
        d[0] = 0x01; // CD data mode 1
        d[4..8].copy_from_slice(&toc_addr(msf, lba));
        Ok(reply(buf, &d, usize::from(alloc)))
    }

    fn toc_sessions(&self) -> Vec<TocSession> {
        if self.disc.model() == WriteModel::Random {
            if !self.disc.formatted {
                return Vec::new();
            }
            return vec![TocSession {
                number: 1,
                tracks: vec![(1, 0, 0x14)],
                leadout: self.disc.capacity,
            }];
        }
        self.disc
            .session_ends
            .iter()
            .enumerate()
            .map(|(i, &end)| {
                let n = (i + 1) as u16;
                TocSession {
                    number: n,
                    tracks: self
                        .disc
                        .tracks
                        .iter()
                        .filter(|t| t.session == n)
                        .map(|t| (t.number, t.start, 0x10 | t.control()))
                        .collect(),
                    leadout: end,
                }
            })
            .collect()
    }

    /// READ TOC/PMA/ATIP (MMC-6 §6.26): formats 0 (table 480), 1 (table 482), 2 (table 484,
    /// CD only), 4 (ATIP, table 488, CD-R/RW only). Only complete sessions are in the TOC.
    fn emulate_read_toc(
        &mut self,
        msf: bool,
        format: u8,
        number: u8,
        alloc: u16,
        data: &mut DataPhase<'_>,
    ) -> R {
        const OP: u8 = 0x43;
        let buf = din(data, OP)?;
        let is_cd = self.family() == Family::Cd;
        if format == 4 {
            if !matches!(self.kind(), MediumKind::CdR | MediumKind::CdRw) {
                return Err(field(OP, "ATIP exists on CD-R/RW only").into());
            }
            let mut d = vec![0u8; 28];
            d[1] = 26;
            d[4] = 0x80 | 0x50 | 0x02; // ITWP 5, reference speed 2
            d[5] = 0x40; // URU
            d[6] = 0x80
                | if self.kind() == MediumKind::CdRw {
                    0x40
                } else {
                    0
                };
            d[8..11].copy_from_slice(&atip_leadin(self.kind()));
            d[12..15].copy_from_slice(&lba_to_msf(i64::from(CD_LEADOUT_LIMIT)));
            return Ok(reply(buf, &d, usize::from(alloc)));
        }
        if format == 5 {
            // CD-TEXT (MMC-6 §6.26.3.7, table 490): the lead-in's packs; a disc without
            // CD-TEXT answers the header alone
            if !is_cd {
                return Err(field(OP, "CD-TEXT exists on CD only").into());
            }
            let mut d = vec![0u8; 4];
            d.extend_from_slice(&self.disc.cdtext);
            let len = (d.len() - 2) as u16;
            d[0..2].copy_from_slice(&len.to_be_bytes());
            return Ok(reply(buf, &d, usize::from(alloc)));
        }
        if !matches!(format, 0..=2) {
            return Err(field(OP, format!("TOC format {format} is not supported")).into());
        }
        if format == 2 && !is_cd {
            return Err(field(OP, "full TOC exists on CD only").into());
        }
        let sessions = self.toc_sessions();
        let (Some(first_s), Some(last_s)) = (sessions.first(), sessions.last()) else {
            return Err(field(OP, "no complete session on the disc").into());
        };
        let all: Vec<(u16, u32, u8)> = sessions
            .iter()
            .flat_map(|s| s.tracks.iter().copied())
            .collect();
        let first_t = all.first().map(|t| t.0).unwrap_or(1) as u8;
        let last_t = all.last().map(|t| t.0).unwrap_or(1) as u8;
        let mut out = vec![0u8, 0];
        match format {
            0 => {
                if number != 0xAA && number > last_t {
                    return Err(field(OP, format!("track {number} is not on the disc")).into());
                }
                out.extend_from_slice(&[first_t, last_t]);
                for &(n, start, ctl) in &all {
                    if number != 0xAA && n >= u16::from(number) {
                        out.extend_from_slice(&[0, ctl, n as u8, 0]);
                        out.extend_from_slice(&toc_addr(msf, start));
                    }
                }
                let lo_ctl = all.last().map(|t| t.2).unwrap_or(0x14);
                out.extend_from_slice(&[0, lo_ctl, 0xAA, 0]);
                out.extend_from_slice(&toc_addr(msf, last_s.leadout));
            }
            1 => {
                let (n, start, ctl) = last_s.tracks.first().copied().unwrap_or((1, 0, 0x14));
                out.extend_from_slice(&[first_s.number as u8, last_s.number as u8]);
                out.extend_from_slice(&[0, ctl, n as u8, 0]);
                out.extend_from_slice(&toc_addr(msf, start));
            }
            _ => {
                if u16::from(number) > last_s.number {
                    return Err(field(OP, format!("session {number} is not on the disc")).into());
                }
                out.extend_from_slice(&[first_s.number as u8, last_s.number as u8]);
                let recordable = matches!(self.kind(), MediumKind::CdR | MediumKind::CdRw);
                let msf3 = |lba: u32| lba_to_msf(i64::from(lba));
                for (i, s) in sessions.iter().enumerate() {
                    if s.number < u16::from(number) {
                        continue;
                    }
                    let sn = s.number as u8;
                    let ft = s.tracks.first().map(|t| t.0).unwrap_or(0) as u8;
                    let lt = s.tracks.last().map(|t| t.0).unwrap_or(0) as u8;
                    let fc = s.tracks.first().map(|t| t.2).unwrap_or(0x14);
                    let lc = s.tracks.last().map(|t| t.2).unwrap_or(0x14);
                    // A0 PSEC: disc type 00h, CD-DA or CD-ROM (ECMA-130 §22.3.4.2)
                    out.extend_from_slice(&[sn, fc, 0, 0xA0, 0, 0, 0, 0, ft, 0x00, 0]);
                    out.extend_from_slice(&[sn, lc, 0, 0xA1, 0, 0, 0, 0, lt, 0, 0]);
                    let lo = msf3(s.leadout);
                    out.extend_from_slice(&[sn, lc, 0, 0xA2, 0, 0, 0, 0, lo[0], lo[1], lo[2]]);
                    for &(n, start, ctl) in &s.tracks {
                        let a = msf3(start);
                        out.extend_from_slice(&[sn, ctl, 0, n as u8, 0, 0, 0, 0, a[0], a[1], a[2]]);
                    }
                    if recordable {
                        // B0: start of the next possible program area (FF:FF:FF when closed)
                        // and the outermost possible lead-out start.
                        let next = match sessions.get(i + 1) {
                            Some(n) => n.tracks.first().map(|t| msf3(t.1)),
                            None => self.disc.invisible().map(|v| msf3(v.start)),
                        }
                        .unwrap_or([0xFF, 0xFF, 0xFF]);
                        let max = msf3(CD_LEADOUT_LIMIT);
                        let pointers = if i == 0 { 2 } else { 1 };
                        out.extend_from_slice(&[
                            sn, 0x54, 0, 0xB0, next[0], next[1], next[2], pointers, max[0], max[1],
                            max[2],
                        ]);
                        if i == 0 {
                            let li = atip_leadin(self.kind());
                            out.extend_from_slice(&[
                                sn, 0x54, 0, 0xC0, 0, 0, 0, 0, li[0], li[1], li[2],
                            ]);
                        }
                    }
                }
            }
        }
        let len = (out.len() - 2) as u16;
        out[0..2].copy_from_slice(&len.to_be_bytes());
        Ok(reply(buf, &out, usize::from(alloc)))
    }

    /// READ DISC INFORMATION (MMC-6 §6.22, standard disc information table 432).
    fn emulate_read_disc_info(&mut self, data_type: u8, alloc: u16, data: &mut DataPhase<'_>) -> R {
        const OP: u8 = 0x51;
        let buf = din(data, OP)?;
        if data_type != 0 {
            return Err(field(
                OP,
                format!("disc information data type {data_type} is not supported"),
            )
            .into());
        }
        let disc = &self.disc;
        let is_cd = self.family() == Family::Cd;
        let recordable_cd = matches!(self.kind(), MediumKind::CdR | MediumKind::CdRw);
        // (disc status, state of last session, sessions, first/last track in last session)
        let (status, last_state, sessions, first_last, last_last): (u8, u8, u16, u16, u16) =
            match disc.model() {
                WriteModel::Rom => (2, 3, 1, 1, 1),
                WriteModel::Random => {
                    if disc.formatted {
                        (2, 3, 1, 1, 1)
                    } else {
                        (0, 0, 1, 1, 1)
                    }
                }
                WriteModel::Sequential => {
                    if disc.finalized {
                        let n = disc.session_ends.len() as u16;
                        let ts: Vec<&Track> =
                            disc.tracks.iter().filter(|t| t.session == n).collect();
                        let f = ts.first().map(|t| t.number).unwrap_or(1);
                        let l = ts.last().map(|t| t.number).unwrap_or(f);
                        (2, 3, n, f, l)
                    } else {
                        let inv = disc.invisible();
                        let inv_n = inv.map(|v| v.number).unwrap_or(1);
                        let f = disc
                            .open_session_tracks()
                            .next()
                            .map(|t| t.number)
                            .unwrap_or(inv_n);
                        let has_open = disc.open_session_tracks().next().is_some();
                        let status = if disc.is_blank() { 0 } else { 1 };
                        let state = if has_open { 1 } else { 0 };
                        (status, state, disc.open_session(), f, inv_n)
                    }
                }
            };
        let mut d = vec![0u8; 34];
        d[1] = 32;
        d[2] = (u8::from(self.kind().erasable()) << 4) | (last_state << 2) | status;
        d[3] = 1;
        d[4] = sessions as u8;
        d[5] = first_last as u8;
        d[6] = last_last as u8;
        d[7] = if self.kind() == MediumKind::DvdPlusRw && disc.formatted {
            0x03
        } else {
            0
        };
        d[8] = 0x00; // disc type: CD-DA or CD-ROM (00h also for non-CD)
        d[9] = (sessions >> 8) as u8;
        d[10] = (first_last >> 8) as u8;
        d[11] = (last_last >> 8) as u8;
        let ff = [0xFF; 4];
        let appendable = disc.model() == WriteModel::Sequential && !disc.finalized;
        if recordable_cd && appendable {
            let lead_in = if disc.is_blank() {
                atip_leadin(self.kind())
            } else {
                let nwa = disc.invisible().map(|v| v.start).unwrap_or(0);
                lba_to_msf(i64::from(nwa) - 4650)
            };
            d[16..20].copy_from_slice(&[0, lead_in[0], lead_in[1], lead_in[2]]);
            let lo = lba_to_msf(i64::from(CD_LEADOUT_LIMIT));
            d[20..24].copy_from_slice(&[0, lo[0], lo[1], lo[2]]);
        } else if appendable && !is_cd {
            let nwa = disc.invisible().map(|v| v.start).unwrap_or(0);
            d[16..20].copy_from_slice(&nwa.to_be_bytes());
            d[20..24].copy_from_slice(&disc.capacity.to_be_bytes());
        } else if disc.model() == WriteModel::Random {
            d[16..20].fill(0);
            d[20..24].copy_from_slice(&disc.capacity.to_be_bytes());
        } else {
            d[16..20].copy_from_slice(&ff);
            d[20..24].copy_from_slice(&ff);
        }
        Ok(reply(buf, &d, usize::from(alloc)))
    }

    /// Track information block (MMC-6 §6.27.3, table 501) for a track of the disc.
    fn track_info_block(&self, t: &Track) -> [u8; 48] {
        let disc = &self.disc;
        let mut d = [0u8; 48];
        d[1] = 46;
        d[2] = t.number as u8;
        d[3] = t.session as u8;
        d[32] = (t.number >> 8) as u8;
        d[33] = (t.session >> 8) as u8;
        let seq_dvd_bd = disc.model() == WriteModel::Sequential && self.family() != Family::Cd;
        let mode = if seq_dvd_bd { 5 } else { t.control() };
        d[5] = (u8::from(t.damaged) << 5) | mode;
        let nwa = disc.track_nwa(t);
        let rt = !t.closed && t.reserved.is_some();
        let mut b6 = 0x01; // data mode 1
        if rt {
            b6 |= 0x80;
        }
        if self.kind() == MediumKind::DvdR {
            // Packet/Inc: incremental streaming. FP stays 0: incremental DVD-R tracks are
            // written in variable packets with link blocks (growisofs refuses a sequential
            // DVD-R track that claims fixed packets: "track is formatted for fixed packet
            // size").
            b6 |= 0x20;
        }
        d[6] = b6;
        let lra = t.length > 0;
        d[7] = (u8::from(lra) << 1) | u8::from(nwa.is_some());
        d[8..12].copy_from_slice(&t.start.to_be_bytes());
        if let Some(n) = nwa {
            d[12..16].copy_from_slice(&n.to_be_bytes());
            let limit = match t.reserved {
                Some(r) => t.start + r,
                None => disc.capacity,
            };
            d[16..20].copy_from_slice(&limit.saturating_sub(n).to_be_bytes());
            let size = limit.saturating_sub(t.start);
            d[24..28].copy_from_slice(&size.to_be_bytes());
        } else {
            d[24..28].copy_from_slice(&disc.track_size(t).to_be_bytes());
        }
        if lra {
            d[28..32].copy_from_slice(&(t.start + t.length - 1).to_be_bytes());
        }
        d
    }

    /// Track information of the blank invisible track (RT 0, Blank 1, data mode Fh).
    fn invisible_block(&self, number: u16, session: u16, start: u32) -> [u8; 48] {
        let disc = &self.disc;
        let mut d = [0u8; 48];
        d[1] = 46;
        d[2] = number as u8;
        d[3] = session as u8;
        d[32] = (number >> 8) as u8;
        d[33] = (session >> 8) as u8;
        let seq_dvd_bd = self.family() != Family::Cd;
        d[5] = if seq_dvd_bd { 5 } else { 4 };
        d[6] = 0x40 | 0x0F;
        if self.kind() == MediumKind::DvdR {
            d[6] |= 0x20; // Packet/Inc, variable packets (FP 0), as in track_info_block
        }
        d[7] = 0x01;
        d[8..12].copy_from_slice(&start.to_be_bytes());
        d[12..16].copy_from_slice(&start.to_be_bytes());
        let free = disc.capacity.saturating_sub(start);
        d[16..20].copy_from_slice(&free.to_be_bytes());
        d[24..28].copy_from_slice(&free.to_be_bytes());
        d
    }

    /// READ TRACK INFORMATION (MMC-6 §6.27): by LBA, track number (FFh: invisible track) or
    /// session number.
    fn emulate_read_track_info(
        &mut self,
        kind: u8,
        value: u32,
        alloc: u16,
        data: &mut DataPhase<'_>,
    ) -> R {
        const OP: u8 = 0x52;
        let buf = din(data, OP)?;
        let disc = &self.disc;
        let block: [u8; 48] = match disc.model() {
            WriteModel::Rom | WriteModel::Random => {
                let size = if disc.model() == WriteModel::Random && !disc.formatted {
                    disc.medium.nominal_capacity()
                } else {
                    disc.capacity
                };
                let ok = match kind {
                    0 => value < size,
                    1 | 2 => value == 1,
                    _ => false,
                };
                if !ok {
                    return Err(field(OP, format!("no track for type {kind} value {value}")).into());
                }
                let t = Track {
                    number: 1,
                    session: 1,
                    start: 0,
                    length: size,
                    reserved: None,
                    closed: true,
                    damaged: false,
                    cd: None,
                };
                let mut d = self.track_info_block(&t);
                d[24..28].copy_from_slice(&size.to_be_bytes());
                if disc.model() == WriteModel::Random {
                    d[5] = 0x04;
                    d[6] = 0x31;
                    d[20..24].copy_from_slice(&self.family().blocking().to_be_bytes());
                }
                d
            }
            WriteModel::Sequential => {
                let inv = disc.invisible();
                let find_inv = |d: &EmuDrive| -> Option<[u8; 48]> {
                    let v = inv?;
                    Some(match v.index {
                        Some(i) => d.track_info_block(&d.disc.tracks[i]),
                        None => d.invisible_block(v.number, v.session, v.start),
                    })
                };
                let found: Option<[u8; 48]> = match kind {
                    0 => disc
                        .tracks
                        .iter()
                        .find(|t| t.start <= value && value < disc.track_end(t).max(t.start + 1))
                        .map(|t| self.track_info_block(t))
                        .or_else(|| {
                            inv.filter(|v| value >= v.start && value < disc.capacity)
                                .and_then(|_| find_inv(self))
                        }),
                    1 => {
                        if value == 0xFF {
                            find_inv(self)
                        } else if let Some(t) =
                            disc.tracks.iter().find(|t| u32::from(t.number) == value)
                        {
                            Some(self.track_info_block(t))
                        } else if inv.is_some_and(|v| u32::from(v.number) == value) {
                            find_inv(self)
                        } else {
                            None
                        }
                    }
                    2 => {
                        if let Some(t) = disc.tracks.iter().find(|t| u32::from(t.session) == value)
                        {
                            Some(self.track_info_block(t))
                        } else if inv.is_some_and(|v| u32::from(v.session) == value) {
                            find_inv(self)
                        } else {
                            None
                        }
                    }
                    _ => None,
                };
                match found {
                    Some(b) => b,
                    None => {
                        return Err(
                            field(OP, format!("no track for type {kind} value {value:#x}")).into(),
                        )
                    }
                }
            }
        };
        Ok(reply(buf, &block, usize::from(alloc)))
    }

    /// READ FORMAT CAPACITIES (MMC-6 §6.24; capacity list table 464, descriptors 466/468).
    fn emulate_read_format_capacities(&mut self, alloc: u16, data: &mut DataPhase<'_>) -> R {
        let buf = din(data, 0x23)?;
        let disc = &self.disc;
        let desc = |blocks: u32, b4: u8, param: u32| -> [u8; 8] {
            let p = param.to_be_bytes();
            let n = blocks.to_be_bytes();
            [n[0], n[1], n[2], n[3], b4, p[1], p[2], p[3]]
        };
        let mut list: Vec<[u8; 8]> = Vec::new();
        match self.kind() {
            MediumKind::DvdPlusRw => {
                let nominal = self.kind().nominal_capacity();
                list.push(if disc.formatted {
                    desc(disc.capacity, 0x02, 2048)
                } else {
                    desc(nominal, 0x01, 2048)
                });
                list.push(desc(nominal, 0x26 << 2, 0));
            }
            MediumKind::BdRe => {
                let nominal = self.kind().nominal_capacity();
                let default = self.kind().default_formatted_capacity();
                list.push(if disc.formatted {
                    desc(disc.capacity, 0x02, 2048)
                } else {
                    desc(nominal, 0x01, 2048)
                });
                list.push(desc(default, 0x00, 0));
                list.push(desc(default, 0x30 << 2, 0));
                list.push(desc(nominal, 0x31 << 2, 0));
            }
            MediumKind::BdR => {
                // A blank BD-R may be formatted with spare areas: type 32h (MMC-6 §6.5.4.2.17,
                // §6.24.3.3). growisofs refuses a list without a formattable descriptor on a
                // blank BD-R ("FORMAT allocaion length isn't sane").
                let blank = disc.is_blank() && !disc.formatted;
                list.push(desc(disc.capacity, if blank { 0x01 } else { 0x02 }, 2048));
                if blank {
                    let spared = MediumKind::BdRe.default_formatted_capacity();
                    list.push(desc(spared, 0x32 << 2, 0));
                }
            }
            _ => {
                let b4 = if disc.is_blank() { 0x01 } else { 0x02 };
                list.push(desc(disc.capacity, b4, 2048));
            }
        }
        let mut out = vec![0, 0, 0, (list.len() * 8) as u8];
        for d in &list {
            out.extend_from_slice(d);
        }
        Ok(reply(buf, &out, usize::from(alloc)))
    }

    // ---- writing -------------------------------------------------------------------------

    fn write_blocks(&self, lba: u32, bytes: &[u8]) -> Result<(), EmuError> {
        let pos = u64::from(lba) * BLOCK as u64;
        let r = (|| -> std::io::Result<()> {
            let mut f = &self.file;
            f.seek(SeekFrom::Start(pos))?;
            f.write_all(bytes)
        })();
        r.map_err(|e| self.io("write", e))
    }

    /// Writes zeros over a block range; the part past the end of the (sparse) image reads
    /// as zeros already and is left alone.
    fn zero_fill(&mut self, range: (u32, u32)) -> Result<(), EmuError> {
        let (from, to) = range;
        let len = self.file.metadata().map_err(|e| self.io("stat", e))?.len();
        let file_blocks = u32::try_from(len / BLOCK as u64).unwrap_or(u32::MAX);
        let to = to.min(file_blocks);
        if to <= from {
            return Ok(());
        }
        let zeros = vec![0u8; 64 * BLOCK];
        let mut at = from;
        while at < to {
            let n = (to - at).min(64);
            self.write_blocks(at, &zeros[..n as usize * BLOCK])?;
            at += n;
        }
        Ok(())
    }

    /// WRITE(10)/WRITE(12) (MMC-6 §6.44, §6.45): at an NWA on sequential media, anywhere
    /// in the formatted area on overwritable media.
    fn emulate_write(&mut self, opcode: u8, lba: u32, blocks: u32, data: &mut DataPhase<'_>) -> R {
        if self.sao.is_some() && self.sao_session.is_some() {
            return self.write_sao_session(opcode, lba, blocks, data);
        }
        // the one-data-track sheet: 2048-byte blocks whatever page 05h says (libburn
        // sends data block type 0 with SAO)
        let bs = if self.sao.is_some() {
            BLOCK
        } else {
            self.tao_block_len()
        };
        self.write_track(opcode, lba, blocks, data, bs)
    }

    /// A WRITE of `blocks` blocks of `bs` bytes (2048 data, 2352 raw CD-DA) at an NWA or
    /// into the formatted area; raw audio goes to the audio companion file.
    fn write_track(
        &mut self,
        opcode: u8,
        lba: u32,
        blocks: u32,
        data: &mut DataPhase<'_>,
        bs: usize,
    ) -> R {
        let audio = bs == crate::audio::RAW_SECTOR;
        let need = blocks as usize * bs;
        let src = dout(data, opcode)?;
        if src.len() < need {
            return Err(host(
                opcode,
                format!(
                    "data underrun: {blocks} blocks need {need} bytes, host sent {}",
                    src.len()
                ),
            ));
        }
        if blocks == 0 {
            return Ok(0);
        }
        if let Some(cue) = self.sao.take() {
            let r = self.write_sao(cue, opcode, lba, blocks, data);
            if self.sao.is_none() {
                self.sao = Some(cue);
            }
            return r;
        }
        if self.disc.model() == WriteModel::Sequential && self.test_write() {
            // Simulation: the laser stays off, nothing is recorded.
            match self.sim_nwa {
                Some(s) if s != lba => {
                    return Err(EmuError::InvalidWriteAddress { lba, nwa: Some(s) }.into())
                }
                Some(_) => {
                    let end = u64::from(lba) + u64::from(blocks);
                    if end > u64::from(self.disc.capacity) {
                        let limit = self.disc.capacity;
                        return Err(EmuError::LbaOutOfRange { lba, blocks, limit }.into());
                    }
                }
                None => {
                    self.disc.write_target(lba, blocks)?;
                }
            }
            self.sim_nwa = Some(lba.saturating_add(blocks));
            self.buffer.accept(need as u64);
            return Ok(need);
        }
        if self.disc.model() == WriteModel::Random && !self.disc.formatted {
            if self.kind() == MediumKind::BdRe {
                return Err(EmuError::CannotWrite {
                    what: "BD-RE is not formatted (FORMAT UNIT first)".into(),
                }
                .into());
            }
            // A blank DVD+RW formats itself in the background on the first write.
            self.disc.formatted = true;
            self.disc.capacity = match self.faults.fill_early {
                Some(n) => n.min(self.kind().nominal_capacity()),
                None => self.kind().nominal_capacity(),
            };
            self.save_state()?;
        }
        let target = self.disc.write_target(lba, blocks)?;
        let idx = match target {
            WriteTarget::NewTrack => {
                let i = self.disc.start_track(None);
                if audio {
                    self.begin_audio_track(i);
                }
                self.save_state()?;
                Some(i)
            }
            WriteTarget::Track(i) => {
                if self.disc.tracks[i].is_audio() != audio {
                    return Err(EmuError::IllegalMode {
                        lba,
                        what: format!(
                            "{}-byte blocks into track {}, a{} track",
                            bs,
                            self.disc.tracks[i].number,
                            if audio { " data" } else { "n audio" }
                        ),
                    }
                    .into());
                }
                Some(i)
            }
            WriteTarget::Random => None,
        };
        let mut n = blocks;
        let mut fault = None;
        if let Some(e) = self.faults.write_error {
            if e >= lba && e - lba < blocks {
                n = e - lba;
                fault = Some(EmuError::WriteError { lba: e });
            }
        }
        let underrun = self.buffer.accept(need as u64);
        if underrun && !self.bup_on() {
            if let Some(i) = idx {
                self.disc.tracks[i].damaged = true;
                self.save_state()?;
            }
            return Err(EmuError::LossOfStreaming { lba }.into());
        }
        let src = &dout(data, opcode)?[..n as usize * bs];
        if audio && self.faults.take_garbled_write(lba, n) {
            let mut altered = src.to_vec();
            self.faults.garble_sectors(lba, &mut altered, bs);
            self.write_audio(lba, &altered)?;
        } else if audio {
            self.write_audio(lba, src)?;
        } else if self.faults.take_garbled_write(lba, n) {
            // Injected fault (`garble=`, see options.rs): recorded altered, reported GOOD.
            let mut altered = src.to_vec();
            self.faults.garble_blocks(lba, &mut altered);
            self.write_blocks(lba, &altered)?;
        } else {
            self.write_blocks(lba, src)?;
        }
        if let Some(i) = idx {
            self.disc.tracks[i].length += n;
            self.dirty = true;
        }
        if let Some(f) = fault {
            if let Some(i) = idx {
                self.disc.tracks[i].damaged = true;
            }
            self.save_state()?;
            return Err(f.into());
        }
        if self.dirty && self.last_save.elapsed().as_secs_f64() >= 1.0 {
            self.save_state()?;
        }
        Ok(need)
    }

    /// A WRITE after SEND CUE SHEET: sequential from the pre-gap (`start - 150`, LBA -150 on
    /// a blank disc) to the lead-out. Pre-gap blocks are not recorded on the image (they are
    /// not part of the track's data); the rest goes to the track as with any write.
    fn write_sao(
        &mut self,
        cue: SaoCue,
        opcode: u8,
        lba: u32,
        blocks: u32,
        data: &mut DataPhase<'_>,
    ) -> R {
        // the LBA field is two's complement: FFFFFF6Ah is -150
        let at = i64::from(i32::from_be_bytes(lba.to_be_bytes()));
        if at != cue.next {
            let nwa = u32::from_be_bytes((cue.next as i32).to_be_bytes());
            return Err(EmuError::InvalidWriteAddress {
                lba,
                nwa: Some(nwa),
            }
            .into());
        }
        let end = at + i64::from(blocks);
        if end > i64::from(cue.end) {
            let limit = cue.end;
            return Err(EmuError::LbaOutOfRange { lba, blocks, limit }.into());
        }
        let pregap = u32::try_from((i64::from(cue.start) - at).clamp(0, i64::from(blocks)))
            .unwrap_or(blocks);
        let need = blocks as usize * BLOCK;
        let src = dout(data, opcode)?;
        let rest = src.get(pregap as usize * BLOCK..need).unwrap_or(&[]);
        if !rest.is_empty() {
            let mut out = DataPhase::Out(rest);
            let track_lba = u32::try_from(at + i64::from(pregap)).unwrap_or(cue.start);
            self.write_track(opcode, track_lba, blocks - pregap, &mut out, BLOCK)?;
        } else {
            self.buffer.accept(need as u64);
        }
        self.sao = Some(SaoCue { next: end, ..cue });
        Ok(need)
    }

    /// The sheet of one mode-1 data track is written whole: its track ends where the
    /// sheet's lead-out entry puts the lead-out, with no run-out blocks (MMC-6 §6.33.3:
    /// the lead-out entry gives the lead-out's start; run-out and link blocks belong to
    /// track-at-once and packet writing, §4.2.3.5), as the tracks of a full sheet do. So a
    /// 300-block session-at-once track on a blank CD-R has its lead-out at 300 and the next
    /// session at 300 + 11400 = 11700, where a track-at-once one has 302 and 11702.
    fn mark_sao_data_track(&mut self) {
        let s = self.disc.open_session();
        for t in self
            .disc
            .tracks
            .iter_mut()
            .filter(|t| t.session == s && !t.closed)
        {
            let cd = t.cd.get_or_insert_with(|| super::disc::CdTrack {
                control: 4,
                ..Default::default()
            });
            cd.pregap = super::cue::PREGAP_BLOCKS;
            cd.sao = true;
        }
    }

    /// SEND CUE SHEET (MMC-6 §6.33) for session-at-once on CD-R/RW. This drive takes the
    /// sheet of one session with one CD-ROM mode-1 data track, decoded by [`super::cue`]:
    /// lead-in, index 0 (pre-gap) at the session's start, index 1 150 blocks later,
    /// lead-out.
    fn emulate_send_cue_sheet(&mut self, len: u32, data: &mut DataPhase<'_>) -> R {
        use super::cue::{self, ENTRY_LEN};
        const OP: u8 = 0x5D;
        if self.faults.no_sao {
            // `sao=off`: a drive without CD Mastering does not know the command
            return Err(EmuError::InvalidOpcode { opcode: OP }.into());
        }
        let src = dout(data, OP)?;
        if !matches!(self.kind(), MediumKind::CdR | MediumKind::CdRw) {
            return Err(EmuError::CannotWrite {
                what: format!("SEND CUE SHEET on {}", self.kind().option_name()),
            }
            .into());
        }
        if self.page05[2] & 0x0F != 2 {
            return Err(EmuError::SequenceError {
                what: "SEND CUE SHEET without write type SAO (2) in page 05h".into(),
            }
            .into());
        }
        let n = len as usize;
        if n == 0 || !n.is_multiple_of(ENTRY_LEN) {
            // 24/00: the CDB's cue sheet size is not a whole number of entries
            return Err(field(OP, format!("cue sheet size {n} is not a multiple of 8")).into());
        }
        if src.len() < n {
            return Err(host(
                OP,
                format!(
                    "data underrun: cue sheet of {n} bytes, host sent {}",
                    src.len()
                ),
            ));
        }
        let inv = match self.disc.invisible() {
            Some(v) if v.index.is_none() => v,
            Some(_) => {
                return Err(EmuError::SequenceError {
                    what: "a track is being written".into(),
                }
                .into())
            }
            None => {
                return Err(EmuError::SequenceError {
                    what: "the disc is closed".into(),
                }
                .into())
            }
        };
        if self.disc.open_session_tracks().next().is_some() {
            // 2C/00: a cue sheet describes a whole session from its lead-in; the open
            // session already holds tracks (written track-at-once, or an SAO session cut
            // short) and must be closed first
            return Err(EmuError::SequenceError {
                what: "the open session already holds tracks: close it before session-at-once"
                    .into(),
            }
            .into());
        }
        if self.faults.no_sao_appendable && self.disc.closed_sessions() > 0 {
            // `sao_appendable=off`: session-at-once on a blank CD only (libburn's cookbook,
            // SAO CD Cookbook: drives that refused SAO on an appendable CD); 26/00
            return Err(param(
                OP,
                format!(
                    "session-at-once after {} session(s): this drive takes a cue sheet on a blank CD only",
                    self.disc.closed_sessions()
                ),
            )
            .into());
        }
        // 26/00 for every sheet this drive cannot record: wrong shape or wrong addresses
        let tno = u8::try_from(inv.number).unwrap_or(0xFF);
        let entries = cue::entries(&src[..n]);
        let sheet = match cue::data_session(&entries, tno, inv.start) {
            Ok(s) => s,
            Err(one_track) => {
                // not the one-data-track sheet: a full session (audio, several tracks,
                // CD-TEXT); its own decoder names what is wrong
                let s = cue::session(&entries, tno, inv.start).map_err(|what| {
                    param(
                        OP,
                        format!("{what} (as the sheet of one data track: {one_track})"),
                    )
                })?;
                if s.leadout > i64::from(self.disc.capacity) {
                    return Err(param(
                        OP,
                        format!(
                            "lead-out at {} lies past the capacity {}",
                            s.leadout, self.disc.capacity
                        ),
                    )
                    .into());
                }
                self.sim_nwa = None;
                self.announce_sao_session(s, &src[..n], tno, inv.start);
                return Ok(0);
            }
        };
        self.sao_session = None;
        self.sao_sheet = None;
        let leadout = sheet.leadout;
        let blocks = u32::try_from(leadout - i64::from(inv.start)).unwrap_or(0);
        if blocks == 0 || u64::from(inv.start) + u64::from(blocks) > u64::from(self.disc.capacity) {
            return Err(param(
                OP,
                format!(
                    "lead-out at {leadout}: track of {blocks} blocks from {} (capacity {})",
                    inv.start, self.disc.capacity
                ),
            )
            .into());
        }
        // A test write (page 05h Test Write) simulates the announced session from its
        // start again: no simulated address of an earlier simulation carries over.
        self.sim_nwa = None;
        self.sao = Some(SaoCue {
            next: i64::from(inv.start) - i64::from(cue::PREGAP_BLOCKS),
            start: inv.start,
            end: inv.start + blocks,
        });
        Ok(0)
    }

    /// Spends the modelled time of a long operation (only with `speed=`, capped at
    /// [`MAX_BUSY`]): sleeps without Immed; with Immed returns at once and the drive
    /// answers NOT READY, 04/`ascq` with progress until the time has passed.
    fn take_time(&mut self, immed: bool, blocks: u64, ascq: u8) {
        let Some(rate) = self.buffer.rate else { return };
        let secs = (blocks as f64 * BLOCK as f64 / rate).min(MAX_BUSY.as_secs_f64());
        if secs <= 0.0 {
            return;
        }
        let d = Duration::from_secs_f64(secs);
        if immed {
            let now = Instant::now();
            self.busy = Some((now, now + d, ascq));
        } else {
            std::thread::sleep(d);
        }
    }

    /// Records everything pending: buffer drained, image synced, state saved.
    pub(crate) fn finish_pending(&mut self) -> Result<(), EmuError> {
        self.buffer.flush();
        self.sync_image()?;
        if self.dirty {
            self.save_state()?;
        }
        Ok(())
    }

    /// SYNCHRONIZE CACHE (MMC-6 §6.41). On CD in TAO write type it also ends the track
    /// (run-out), as real drives do (libburn cookbook: CD TAO tracks end with it); in SAO
    /// it ends the announced session once all of it is written, and ends an SAO run that
    /// was cut short (see the comment there).
    fn emulate_synchronize_cache(&mut self, immed: bool) -> R {
        let pending = self.buffer.pending_blocks();
        if immed && pending > 0 {
            // the buffer drains in the background: LONG WRITE IN PROGRESS until then
            self.buffer.discard();
            self.take_time(true, pending, 0x08);
        }
        self.finish_pending()?;
        if let Some(cue) = self.sao {
            if cue.next == i64::from(cue.end) {
                // session-at-once: the whole announced session is written; the drive
                // writes lead-in and lead-out, closing track and session (MMC-6 §4.2.3.5).
                // In a test write nothing was recorded and nothing is closed: the disc
                // stays as it was (blank stays blank, sessions and NWA unchanged).
                self.sao = None;
                if self.test_write() {
                    self.sim_nwa = None;
                    self.sao_session = None;
                    self.sao_sheet = None;
                } else {
                    if self.sao_session.is_none() {
                        self.mark_sao_data_track();
                    }
                    self.finish_sao_session();
                    let finalize = self.page05[3] >> 6 != 0b11;
                    for f in self.disc.close_session(finalize)? {
                        self.zero_fill(f)?;
                    }
                    self.sync_image()?;
                    self.save_state()?;
                }
                return Ok(0);
            }
            // Cut short (a failed WRITE, or the host stops sending): the drive ends the
            // session-at-once run with what it has, as at a buffer underrun. The partial
            // track ends at its last recorded block (closed, padded to the 300-block
            // minimum), the lead-out is never written and the session stays open: an
            // unfinished session, in the same state as a TAO track ended early, which the
            // host may close (CLOSE SESSION) and leave behind. Nothing more of this cue
            // sheet can be written.
            self.sao = None;
            self.finish_sao_session();
            if self.test_write() {
                self.sim_nwa = None;
                return Ok(0);
            }
            if let Some(i) = self.disc.invisible().and_then(|v| v.index) {
                if self.disc.tracks[i].length > 0 {
                    if let Some(f) = self.disc.close_track(i) {
                        self.zero_fill(f)?;
                    }
                    self.sync_image()?;
                    self.save_state()?;
                }
            }
            return Ok(0);
        }
        if self.test_write() {
            return Ok(0);
        }
        if self.family() == Family::Cd && self.page05[2] & 0x0F == 1 {
            if let Some(i) = self.disc.invisible().and_then(|v| v.index) {
                if self.disc.tracks[i].length > 0 {
                    if let Some(f) = self.disc.close_track(i) {
                        self.zero_fill(f)?;
                    }
                    self.sync_image()?;
                    self.save_state()?;
                }
            }
        }
        Ok(0)
    }

    /// RESERVE TRACK (MMC-6 §6.31): reserves the invisible track with a size (ARSV=0).
    fn emulate_reserve_track(&mut self, arsv: bool, size: u32) -> R {
        const OP: u8 = 0x53;
        if self.disc.model() != WriteModel::Sequential {
            return Err(EmuError::CannotWrite {
                what: "tracks cannot be reserved on this medium".into(),
            }
            .into());
        }
        if arsv {
            return Err(field(OP, "ARSV (reservation by address) is not supported").into());
        }
        if size == 0 {
            return Err(field(OP, "reservation size 0").into());
        }
        if self.disc.finalized {
            return Err(EmuError::SequenceError {
                what: "the disc is closed".into(),
            }
            .into());
        }
        if self.disc.invisible().is_some_and(|v| v.index.is_some()) {
            return Err(EmuError::SequenceError {
                what: "a track is being written".into(),
            }
            .into());
        }
        let b = self.family().blocking();
        let size = u32::try_from(u64::from(size).div_ceil(u64::from(b)) * u64::from(b))
            .map_err(|_| field(OP, format!("reservation of {size} blocks")))?;
        let start = self.disc.next_track_start();
        if u64::from(start) + u64::from(size) > u64::from(self.disc.capacity) {
            return Err(field(
                OP,
                format!(
                    "{size} blocks from {start} exceed the capacity {}",
                    self.disc.capacity
                ),
            )
            .into());
        }
        self.disc.start_track(Some(size));
        self.save_state()?;
        Ok(0)
    }

    /// CLOSE TRACK/SESSION (MMC-6 §6.3): 001b close track; 010b close session (CD, DVD-R:
    /// finalize unless page 05h Multi-session is 11b; DVD+R, BD-R: stays appendable);
    /// 101b/110b finalize DVD+R(/DL), 110b finalize BD-R; overwritable media accept
    /// 001b-011b as no-ops.
    fn emulate_close_track_session(&mut self, immed: bool, function: u8, number: u16) -> R {
        const OP: u8 = 0x5B;
        self.finish_pending()?;
        let sessions_before = self.disc.closed_sessions();
        if self.test_write() {
            self.sim_nwa = None;
            self.sao = None;
            return Ok(0);
        }
        match self.disc.model() {
            WriteModel::Rom => {
                return Err(EmuError::CannotWrite {
                    what: "a pressed disc has no tracks to close".into(),
                }
                .into())
            }
            WriteModel::Random => {
                return match function {
                    1..=3 => Ok(0),
                    // DVD+RW: close function 000b quick-stops a background format (MMC-6
                    // §6.3.3, "stop de-icing" in growisofs); the emulated format is complete
                    // at once, so there is none to stop.
                    0 if self.kind() == MediumKind::DvdPlusRw => Ok(0),
                    f => Err(field(OP, format!("close function {f} on overwritable media")).into()),
                };
            }
            WriteModel::Sequential => {}
        }
        let kind = self.kind();
        let fills = match function {
            1 => {
                if self.disc.finalized {
                    return Err(EmuError::SequenceError {
                        what: "the disc is closed".into(),
                    }
                    .into());
                }
                match self.disc.open_track_index(number) {
                    Some(i) => self.disc.close_track(i).into_iter().collect(),
                    None => {
                        let known = number == 0xFF
                            || number == 0
                            || self.disc.tracks.iter().any(|t| t.number == number)
                            || self.disc.invisible().is_some_and(|v| v.number == number);
                        if !known {
                            return Err(field(OP, format!("track {number} does not exist")).into());
                        }
                        Vec::new()
                    }
                }
            }
            2 => {
                let finalize = match kind {
                    MediumKind::CdR | MediumKind::CdRw | MediumKind::DvdR => {
                        self.page05[3] >> 6 != 0b11
                    }
                    _ => false,
                };
                self.disc.close_session(finalize)?
            }
            5 if matches!(kind, MediumKind::DvdPlusR | MediumKind::DvdPlusRDl) => {
                self.disc.close_session(true)?
            }
            6 if matches!(
                kind,
                MediumKind::DvdPlusR | MediumKind::DvdPlusRDl | MediumKind::BdR
            ) =>
            {
                self.disc.close_session(true)?
            }
            f => {
                return Err(field(
                    OP,
                    format!(
                        "close function {f:03b} is not defined for {}",
                        kind.option_name()
                    ),
                )
                .into())
            }
        };
        let mut blocks = 0u64;
        for f in fills {
            blocks += u64::from(f.1.saturating_sub(f.0));
            self.zero_fill(f)?;
        }
        self.sync_image()?;
        self.save_state()?;
        if self.disc.closed_sessions() > sessions_before || self.disc.finalized {
            // writing the lead-out / border-out / closure: the first session's gap
            blocks += u64::from(kind.session_gap(self.disc.closed_sessions()).min(6750));
        }
        self.take_time(immed, blocks, 0x08);
        Ok(0)
    }

    /// With `durable=on`, forces the image's data to stable storage (fdatasync); otherwise
    /// the data is in the OS's page cache, which survives the death of this process but
    /// not a power loss.
    fn sync_image(&self) -> Result<(), EmuError> {
        if self.faults.durable && self.disc.model() != WriteModel::Rom {
            self.file.sync_data().map_err(|e| self.io("sync", e))?;
        }
        Ok(())
    }

    /// BLANK (MMC-6 §6.2) on CD-RW: 000b all, 001b minimal, 101b unclose last session,
    /// 110b blank the last session.
    fn emulate_blank(&mut self, immed: bool, kind: u8) -> R {
        const OP: u8 = 0xA1;
        if self.kind() != MediumKind::CdRw {
            return Err(EmuError::CannotWrite {
                what: format!("{} cannot be blanked", self.kind().option_name()),
            }
            .into());
        }
        match kind {
            0 | 1 => {
                let settings = self.disc.settings.clone();
                let capacity = self.disc.capacity;
                self.disc = super::disc::Disc::blank(self.kind());
                self.disc.settings = settings;
                self.disc.capacity = capacity;
                self.file.set_len(0).map_err(|e| self.io("truncate", e))?;
                self.truncate_audio(0)?;
            }
            5 => {
                if self.disc.finalized {
                    self.disc.finalized = false;
                } else if self.disc.session_ends.pop().is_none() {
                    return Err(EmuError::SequenceError {
                        what: "no closed session to unclose".into(),
                    }
                    .into());
                }
            }
            6 => {
                let first = self.disc.blank_last_session()?;
                let len = self.file.metadata().map_err(|e| self.io("stat", e))?.len();
                let cut = u64::from(first) * BLOCK as u64;
                if cut < len {
                    self.file.set_len(cut).map_err(|e| self.io("truncate", e))?;
                }
                self.truncate_audio(first)?;
            }
            k => return Err(field(OP, format!("blanking type {k:03b} is not supported")).into()),
        }
        self.sim_nwa = None;
        self.sao = None;
        self.sao_session = None;
        self.sao_sheet = None;
        self.save_state()?;
        // minimal blanking rewrites the lead-in area (4500 blocks); full blanking the disc
        let blocks = if kind == 0 {
            u64::from(self.disc.capacity)
        } else {
            4500
        };
        self.take_time(immed, blocks, 0x07);
        Ok(0)
    }

    /// SEND OPC INFORMATION (MMC-6 §6.35): with DoOpc the drive calibrates the laser power
    /// for the loaded medium (at once here); without, the host hands in OPC table entries
    /// (8 bytes each), which are taken and not kept. A pressed disc has no power to
    /// calibrate.
    fn emulate_send_opc_information(
        &mut self,
        do_opc: bool,
        len: u16,
        data: &mut DataPhase<'_>,
    ) -> R {
        const OP: u8 = 0x54;
        if self.disc.model() == WriteModel::Rom {
            return Err(EmuError::CannotWrite {
                what: "a pressed disc takes no write power calibration".into(),
            }
            .into());
        }
        if len > 0 {
            let src = dout(data, OP)?;
            if usize::from(len) > src.len() || !len.is_multiple_of(8) {
                return Err(EmuError::ParameterListLength {
                    opcode: OP,
                    what: format!("{len} bytes: OPC table entries are 8 bytes each"),
                }
                .into());
            }
        }
        let _ = do_opc;
        Ok(0)
    }

    /// FORMAT UNIT (MMC-6 §6.5): DVD+RW type 26h (or 00h), BD-RE types 00h, 30h, 31h, a
    /// blank BD-R type 32h subtype SRM-POW (spare areas, recording stays sequential).
    fn emulate_format_unit(&mut self, fmt_data: bool, code: u8, data: &mut DataPhase<'_>) -> R {
        const OP: u8 = 0x04;
        let kind = self.kind();
        if kind == MediumKind::BdR {
            return self.format_bd_r(fmt_data, code, data);
        }
        if !matches!(kind, MediumKind::DvdPlusRw | MediumKind::BdRe) {
            return Err(EmuError::CannotFormat {
                what: format!("{} has no formats", kind.option_name()),
            }
            .into());
        }
        let src = format_list(fmt_data, code, data)?;
        let blocks = be32(src, 4);
        let ftype = src[8] >> 2;
        let nominal = kind.nominal_capacity();
        let default = kind.default_formatted_capacity();
        let capacity = match (kind, ftype) {
            (MediumKind::DvdPlusRw, 0x26 | 0x00) => nominal,
            (MediumKind::BdRe, 0x00) => default,
            (MediumKind::BdRe, 0x30) => {
                if blocks > 0 && blocks <= nominal {
                    blocks
                } else {
                    default
                }
            }
            (MediumKind::BdRe, 0x31) => nominal,
            (_, t) => {
                return Err(param(
                    OP,
                    format!(
                        "format type {t:02X}h is not offered for {}",
                        kind.option_name()
                    ),
                )
                .into())
            }
        };
        let immed = src[1] & 0x02 != 0;
        self.disc.formatted = true;
        self.disc.capacity = match self.faults.fill_early {
            Some(n) => capacity.min(n),
            None => capacity,
        };
        self.save_state()?;
        // quick format: the lead-in and the first ECC blocks
        self.take_time(immed, 4096, 0x04);
        Ok(0)
    }

    /// FORMAT UNIT on a BD-R: type 32h (MMC-6 §6.5.4.2.17) on a blank disc. Subtype 01b
    /// (SRM-POW) sets the spare areas aside and keeps sequential recording; 00b (SRM+POW)
    /// needs the BD-R Pseudo-Overwrite feature (0038h) and 10b (RRM) profile 0042h, which
    /// this drive has neither of: INVALID FIELD IN PARAMETER LIST.
    fn format_bd_r(&mut self, fmt_data: bool, code: u8, data: &mut DataPhase<'_>) -> R {
        const OP: u8 = 0x04;
        let src = format_list(fmt_data, code, data)?;
        if !self.disc.is_blank() || self.disc.formatted {
            return Err(EmuError::CannotFormat {
                what: "a BD-R is formatted only while blank".into(),
            }
            .into());
        }
        let ftype = src[8] >> 2;
        if ftype != 0x32 {
            return Err(param(
                OP,
                format!("format type {ftype:02X}h is not offered for bd-r"),
            )
            .into());
        }
        match src[8] & 0x03 {
            0b01 => {}
            0b00 => {
                return Err(param(
                    OP,
                    "subtype SRM+POW: this drive has no BD-R Pseudo-Overwrite (feature 0038h)",
                )
                .into())
            }
            s => return Err(param(OP, format!("format subtype {s:02b}b is not offered")).into()),
        }
        let nominal = MediumKind::BdR.nominal_capacity();
        let blocks = be32(src, 4);
        let capacity = if blocks > 0 && blocks <= nominal {
            blocks
        } else {
            MediumKind::BdRe.default_formatted_capacity()
        };
        let immed = src[1] & 0x02 != 0;
        self.disc.formatted = true;
        self.disc.capacity = match self.faults.fill_early {
            Some(n) => capacity.min(n),
            None => capacity,
        };
        self.save_state()?;
        self.take_time(immed, 4096, 0x04);
        Ok(0)
    }

    // ---- speed, performance, buffer ------------------------------------------------------

    /// SET CD SPEED (MMC-6 §6.37): speeds in kB/s, FFFFh = maximum; rounded down to an
    /// offered speed.
    fn emulate_set_cd_speed(&mut self, read: u16, write: u16) -> R {
        self.read_speed_kbs = if read == 0xFFFF {
            self.max_read_kbs()
        } else {
            u32::from(read).min(self.max_read_kbs())
        };
        self.write_speed_kbs = if write == 0xFFFF {
            self.max_write_kbs()
        } else {
            self.pick_write_speed(u32::from(write))
        };
        self.update_rate();
        Ok(0)
    }

    /// SET STREAMING (MMC-6 §6.39): type 00h performance descriptor (table 528).
    fn emulate_set_streaming(&mut self, kind: u8, len: u16, data: &mut DataPhase<'_>) -> R {
        const OP: u8 = 0xB6;
        if kind != 0 {
            return Err(field(OP, format!("streaming type {kind:02X}h is not supported")).into());
        }
        let src = dout(data, OP)?;
        let len = usize::from(len).min(src.len());
        if len < 28 {
            return Err(EmuError::ParameterListLength {
                opcode: OP,
                what: format!("{len} bytes, the performance descriptor has 28"),
            }
            .into());
        }
        let d = &src[..28];
        let (rsize, rtime, wsize, wtime) = (be32(d, 12), be32(d, 16), be32(d, 20), be32(d, 24));
        if rtime == 0 || wtime == 0 {
            return Err(param(OP, "read time and write time must not be 0").into());
        }
        let rk = (u64::from(rsize) * 1000 / u64::from(rtime)).min(u64::from(u32::MAX)) as u32;
        let wk = (u64::from(wsize) * 1000 / u64::from(wtime)).min(u64::from(u32::MAX)) as u32;
        self.read_speed_kbs = rk.min(self.max_read_kbs());
        self.write_speed_kbs = self.pick_write_speed(wk);
        self.update_rate();
        Ok(0)
    }

    /// GET PERFORMANCE (MMC-6 §6.8): type 00h performance (table 302/303) and type 03h
    /// write speed descriptors (table 309).
    fn emulate_get_performance(
        &mut self,
        data_type: u8,
        max: u16,
        kind: u8,
        data: &mut DataPhase<'_>,
    ) -> R {
        const OP: u8 = 0xAC;
        let buf = din(data, OP)?;
        let end_lba = self.disc.capacity.saturating_sub(1);
        let mut out = vec![0u8; 8];
        match kind {
            0x00 => {
                let write = data_type & 0x04 != 0;
                let except = data_type & 0x03;
                out[4] = (u8::from(write) << 1) | u8::from(except != 0);
                if except == 0 && max > 0 {
                    let speed = if write {
                        self.write_speed_kbs
                    } else {
                        self.max_read_kbs()
                    };
                    out.extend_from_slice(&0u32.to_be_bytes());
                    out.extend_from_slice(&speed.to_be_bytes());
                    out.extend_from_slice(&end_lba.to_be_bytes());
                    out.extend_from_slice(&speed.to_be_bytes());
                }
            }
            0x03 => {
                let read = self.max_read_kbs();
                for w in self.write_speeds_kbs().into_iter().take(usize::from(max)) {
                    out.extend_from_slice(&[0, 0, 0, 0]);
                    out.extend_from_slice(&end_lba.to_be_bytes());
                    out.extend_from_slice(&read.to_be_bytes());
                    out.extend_from_slice(&w.to_be_bytes());
                }
            }
            k => {
                return Err(field(OP, format!("performance type {k:02X}h is not supported")).into())
            }
        }
        let len = (out.len() - 4) as u32;
        out[0..4].copy_from_slice(&len.to_be_bytes());
        Ok(reply(buf, &out, usize::MAX))
    }

    /// READ BUFFER CAPACITY (MMC-6 §6.21, tables 425 and 426).
    fn emulate_read_buffer_capacity(
        &mut self,
        block: bool,
        alloc: u16,
        data: &mut DataPhase<'_>,
    ) -> R {
        let buf = din(data, 0x5C)?;
        let free = self.buffer.free();
        let mut d = [0u8; 12];
        d[1] = 10;
        if block {
            d[3] = 0x01;
            d[8..12].copy_from_slice(&((free / BLOCK as u64) as u32).to_be_bytes());
        } else {
            d[4..8]
                .copy_from_slice(&(self.buffer.size.min(u64::from(u32::MAX)) as u32).to_be_bytes());
            d[8..12].copy_from_slice(&(free.min(u64::from(u32::MAX)) as u32).to_be_bytes());
        }
        Ok(reply(buf, &d, usize::from(alloc)))
    }
}

/// Fills `buf` from `f` at byte `pos`; what lies beyond the end of the file reads as zeros
/// (a sparse or short image file holds unwritten blocks that way).
pub(crate) fn read_zero_filled(
    mut f: &std::fs::File,
    pos: u64,
    buf: &mut [u8],
) -> std::io::Result<()> {
    f.seek(SeekFrom::Start(pos))?;
    transport::io::read_zero_filled(&mut f, buf)
}
