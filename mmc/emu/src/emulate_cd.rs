//! The CD-specific side of the drive: audio tracks and what reads them (MMC-6 §6.15 READ
//! CD: sector types, header/user data/EDC fields, C2 error information, sub-channel
//! selection; MMC-3 §5.20 READ SUB-CHANNEL: current position, media catalog number,
//! ISRC), raw 2352-byte audio blocks written track-at-once (page 05h data block type 0,
//! MMC-6 §7.5.4.7) and session-at-once from a full cue sheet (§6.33, decoded by
//! [`crate::cue::session`]) with CD-TEXT in the lead-in as cdrecord (cdtext.c
//! write_cdtext) and libburn (write.c burn_write_leadin_cdtext) send it: WRITEs from the
//! ATIP lead-in start up to LBA -151 of 96 bytes each, four 24-symbol R-W packs a block.

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::PathBuf;

use transport::{DataPhase, TransportError};

use super::audio::{self, Q, RAW_SECTOR, SUB_PW};
use super::cue;
use super::disc::CdTrack;
use super::emulate::{read_zero_filled, Fail};
use super::error::EmuError;
use super::medium::{msf_to_lba, Family};
use super::options::C2_XOR;
use super::powered::SaoCue;
use super::{EmuDrive, BLOCK};

/// Where a CD block lies: the track it belongs to (by index into the disc's tracks), its
/// index, and whether it is in the track's pre-gap.
#[derive(Debug, Clone, Copy)]
struct CdBlock {
    track: usize,
    index: u8,
    pregap: bool,
}

/// Path of the audio companion file beside a disc image (`PATH.cdda`).
pub fn audio_path(image: &std::path::Path) -> PathBuf {
    let mut s = image.as_os_str().to_owned();
    s.push(".cdda");
    PathBuf::from(s)
}

fn signed(lba: u32) -> i64 {
    i64::from(i32::from_be_bytes(lba.to_be_bytes()))
}

fn unsigned(lba: i64) -> u32 {
    u32::from_be_bytes((lba as i32).to_be_bytes())
}

/// Lead-in start of a blank CD-R/RW as the ATIP reports it (97:26:66, see emulate.rs).
fn leadin_start(rw: bool) -> i64 {
    if rw {
        msf_to_lba(97, 10, 0)
    } else {
        msf_to_lba(97, 26, 66)
    }
}

impl EmuDrive {
    /// Bytes per block a track-at-once WRITE carries: 2352 with data block type 0 (raw
    /// CD-DA) on CD, else 2048.
    pub(super) fn tao_block_len(&self) -> usize {
        if self.family() == Family::Cd && self.page05[4] & 0x0F == 0 {
            RAW_SECTOR
        } else {
            BLOCK
        }
    }

    /// Marks a new track-at-once track as audio with the page 05h track mode (its CONTROL
    /// nibble), the page's ISRC (TCVAL) and the disc's MCN (MCVAL) (MMC-6 §7.5.4.13-14).
    pub(super) fn begin_audio_track(&mut self, i: usize) {
        let p = &self.page05;
        let isrc = (p[32] & 0x80 != 0)
            .then(|| String::from_utf8_lossy(&p[33..45]).into_owned())
            .filter(|s| s.bytes().all(|c| c.is_ascii_alphanumeric()));
        if p[16] & 0x80 != 0 {
            let mcn = String::from_utf8_lossy(&p[17..30]).into_owned();
            if mcn.bytes().all(|c| c.is_ascii_digit()) {
                self.disc.mcn = Some(mcn);
            }
        }
        let control = p[3] & 0x0F;
        if let Some(t) = self.disc.tracks.get_mut(i) {
            t.cd = Some(CdTrack {
                control,
                isrc,
                ..CdTrack::default()
            });
        }
    }

    fn audio_io(&self, op: &'static str, source: std::io::Error) -> EmuError {
        EmuError::Io {
            op,
            path: audio_path(&self.image_path),
            source,
        }
    }

    /// Writes raw audio blocks at `lba` into the companion file (created when needed).
    pub(super) fn write_audio(&mut self, lba: u32, bytes: &[u8]) -> Result<(), EmuError> {
        if self.audio.is_none() {
            let f = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(audio_path(&self.image_path))
                .map_err(|e| self.audio_io("create", e))?;
            self.audio = Some(f);
        }
        let pos = u64::from(lba) * RAW_SECTOR as u64;
        let r = match &self.audio {
            Some(f) => {
                let mut f = f;
                f.seek(SeekFrom::Start(pos))
                    .and_then(|_| f.write_all(bytes))
            }
            None => Ok(()),
        };
        r.map_err(|e| self.audio_io("write", e))
    }

    /// Reads one raw audio block (silence where nothing was stored).
    fn read_audio(&mut self, lba: u32, buf: &mut [u8]) -> Result<(), EmuError> {
        buf.fill(0);
        if self.audio.is_none() {
            match File::open(audio_path(&self.image_path)) {
                Ok(f) => self.audio = Some(f),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(self.audio_io("open", e)),
            }
        }
        let pos = u64::from(lba) * RAW_SECTOR as u64;
        match &self.audio {
            Some(f) => read_zero_filled(f, pos, buf).map_err(|e| self.audio_io("read", e)),
            None => Ok(()),
        }
    }

    /// Cuts the audio companion file at `lba` (blanking).
    pub(super) fn truncate_audio(&mut self, lba: u32) -> Result<(), EmuError> {
        let p = audio_path(&self.image_path);
        if !p.exists() {
            return Ok(());
        }
        let f = OpenOptions::new()
            .write(true)
            .open(&p)
            .map_err(|e| self.audio_io("open", e))?;
        let cut = u64::from(lba) * RAW_SECTOR as u64;
        let len = f.metadata().map_err(|e| self.audio_io("stat", e))?.len();
        if cut < len {
            f.set_len(cut).map_err(|e| self.audio_io("truncate", e))?;
        }
        self.audio = None;
        Ok(())
    }

    /// Blocks of index 0 before track `i`'s start: as recorded session-at-once, else the
    /// 150-block gap track-at-once leaves before a further track of a session.
    fn pregap_of(&self, i: usize) -> u32 {
        let t = &self.disc.tracks[i];
        if let Some(c) = t.cd.as_ref().filter(|c| c.sao) {
            return c.pregap;
        }
        let first_of_session = i == 0 || self.disc.tracks[i - 1].session != t.session;
        if first_of_session {
            0
        } else {
            self.disc.medium.track_pregap()
        }
    }

    /// The track area holding `lba`: from a track's pre-gap to the next track's pre-gap,
    /// the lead-out, or (open session) the last block written.
    /// Whether block `lba` lies in an audio track (its pre-gap included).
    pub(super) fn is_audio_block(&self, lba: u32) -> bool {
        self.cd_block(i64::from(lba))
            .is_some_and(|b| self.disc.tracks[b.track].is_audio())
    }

    fn cd_block(&self, lba: i64) -> Option<CdBlock> {
        let lba = u32::try_from(lba).ok()?;
        let tracks = &self.disc.tracks;
        for (i, t) in tracks.iter().enumerate() {
            let area = t.start.saturating_sub(self.pregap_of(i));
            let end = match tracks.get(i + 1).filter(|n| n.session == t.session) {
                Some(_) => tracks[i + 1].start.saturating_sub(self.pregap_of(i + 1)),
                None => match self.disc.session_ends.get(usize::from(t.session) - 1) {
                    Some(&e) => e,
                    None => t.start + t.length,
                },
            };
            if area <= lba && lba < end {
                let pregap = lba < t.start;
                let index = if pregap {
                    0
                } else {
                    let later =
                        t.cd.as_ref()
                            .map(|c| c.indexes.iter().filter(|&&x| x <= lba).count())
                            .unwrap_or(0);
                    1 + u8::try_from(later).unwrap_or(98)
                };
                return Some(CdBlock {
                    track: i,
                    index,
                    pregap,
                });
            }
        }
        None
    }

    /// Sub-channel Q of block `lba` as this drive recorded it: mode 1 position, with a
    /// mode 2 frame (MCN) at frame 25 and a mode 3 frame (ISRC) at frame 75 of every
    /// hundred when the disc and the track carry them (Red Book: at least one in 100).
    fn q_at(&self, lba: i64, b: CdBlock) -> Q {
        let t = &self.disc.tracks[b.track];
        let control = t.control();
        let phase = lba.rem_euclid(100);
        if phase == 25 {
            if let Some(m) = &self.disc.mcn {
                return Q::Mcn {
                    control,
                    mcn: m.clone(),
                    lba,
                };
            }
        }
        if phase == 75 && !b.pregap {
            if let Some(i) = t.cd.as_ref().and_then(|c| c.isrc.clone()) {
                return Q::Isrc {
                    control,
                    isrc: i,
                    lba,
                };
            }
        }
        let start = i64::from(t.start);
        Q::Position {
            control,
            track: u8::try_from(t.number).unwrap_or(99),
            index: b.index,
            relative: u32::try_from((lba - start).abs()).unwrap_or(0),
            lba,
        }
    }

    /// READ CD (MMC-6 §6.15; table 364 CDB, table 365 expected sector types, table 366
    /// the fields of byte 9, table 367 sub-channel selection).
    #[allow(clippy::too_many_arguments)] // the CDB's fields, as decoded
    pub(super) fn emulate_read_cd(
        &mut self,
        opcode: u8,
        lba: i64,
        blocks: u32,
        sector_type: u8,
        fields: u8,
        sub: u8,
        data: &mut DataPhase<'_>,
    ) -> Result<usize, Fail> {
        let field = |what: String| Err(Fail::Emu(EmuError::InvalidField { opcode, what }));
        if self.family() != Family::Cd {
            return Err(Fail::Emu(EmuError::IllegalMode {
                lba: unsigned(lba),
                what: "READ CD on a medium that is not a CD".into(),
            }));
        }
        if sector_type > 5 {
            return field(format!("expected sector type {sector_type} is reserved"));
        }
        let c2 = (fields >> 1) & 0x03;
        if c2 == 3 {
            return field("C2 error field 11b is reserved".into());
        }
        let sub_len = match sub {
            0 => 0,
            1 | 4 => SUB_PW,
            2 => 16,
            s => return field(format!("sub-channel selection {s} is reserved")),
        };
        let c2_len = [0, 294, 296][usize::from(c2)];
        let main_wanted = fields & 0xF8 != 0;
        let buf = match data {
            DataPhase::In(b) => b,
            DataPhase::None => &mut [][..],
            DataPhase::Out(_) => {
                return Err(Fail::Host(TransportError::Host {
                    opcode,
                    text: "data direction mismatch: device sends data, host sent some".into(),
                }))
            }
        };
        let mut at = 0usize;
        for k in 0..blocks {
            let l = lba + i64::from(k);
            let Some(b) = self.cd_block(l) else {
                let end = self.disc.readable_end();
                let past = l >= i64::from(self.disc.session_ends.last().copied().unwrap_or(0))
                    && l >= i64::from(end);
                return Err(Fail::Emu(if past || l < 0 {
                    EmuError::LbaOutOfRange {
                        lba: unsigned(l),
                        blocks,
                        limit: end,
                    }
                } else {
                    EmuError::UnrecoveredRead { lba: unsigned(l) }
                }));
            };
            let ul = unsigned(l);
            if let Some(bad) = self.faults.first_bad_block(ul, 1) {
                return Err(Fail::Emu(EmuError::UnrecoveredRead { lba: bad }));
            }
            let t = self.disc.tracks[b.track].clone();
            let is_audio = t.is_audio();
            let marginal = is_audio && self.faults.c2_sector(ul);
            let mut main: Vec<u8> = Vec::new();
            if is_audio {
                if !matches!(sector_type, 0 | 1) {
                    return Err(Fail::Emu(EmuError::IllegalMode {
                        lba: ul,
                        what: format!("a CD-DA sector, sector type {sector_type} expected"),
                    }));
                }
                if main_wanted {
                    let mut s = vec![0u8; RAW_SECTOR];
                    self.read_audio(ul, &mut s)?;
                    if marginal {
                        s.iter_mut().step_by(8).for_each(|x| *x ^= C2_XOR);
                    }
                    main = s;
                }
            } else {
                if !matches!(sector_type, 0 | 2) {
                    return Err(Fail::Emu(EmuError::IllegalMode {
                        lba: ul,
                        what: format!("a mode-1 sector, sector type {sector_type} expected"),
                    }));
                }
                if b.pregap || ul >= t.start + t.length {
                    return Err(Fail::Emu(EmuError::UnrecoveredRead { lba: ul }));
                }
                let mut user = vec![0u8; BLOCK];
                self.read_data_block(ul, &mut user)?;
                let s = audio::mode1_sector(l, &user);
                if fields & 0x80 != 0 {
                    main.extend_from_slice(&s[..12]);
                }
                if matches!((fields >> 5) & 0x03, 1 | 3) {
                    main.extend_from_slice(&s[12..16]);
                }
                if fields & 0x10 != 0 {
                    main.extend_from_slice(&s[16..2064]);
                }
                if fields & 0x08 != 0 {
                    main.extend_from_slice(&s[2064..]);
                }
            }
            let len = main.len() + c2_len + sub_len;
            if at + len > buf.len() {
                return Err(Fail::Host(TransportError::Host {
                    opcode,
                    text: format!(
                        "data overrun: block {k} of {blocks} needs {len} bytes past {at}, buffer holds {}",
                        buf.len()
                    ),
                }));
            }
            buf[at..at + main.len()].copy_from_slice(&main);
            at += main.len();
            let c2_field = &mut buf[at..at + c2_len];
            c2_field.fill(0);
            if marginal && c2_len > 0 {
                // one bit a byte of the 2352, most significant first: bytes 0, 8, 16, ...
                // are the first of each group of eight (bit 7)
                c2_field[..294].fill(0x80);
                if c2_len == 296 {
                    c2_field[294] = 0x80; // block error byte: the OR of the 294
                }
            }
            at += c2_len;
            if sub_len > 0 {
                let q = self.q_at(l, b).encode();
                match sub {
                    1 => buf[at..at + SUB_PW].copy_from_slice(&audio::raw_pw(b.pregap, &q, None)),
                    2 => {
                        buf[at..at + 12].copy_from_slice(&q);
                        buf[at + 12..at + 16].fill(0);
                        buf[at + 15] = u8::from(b.pregap) << 7;
                    }
                    _ => buf[at..at + SUB_PW].fill(0),
                }
                at += sub_len;
            }
            self.last_pos = Some(l);
        }
        Ok(at)
    }

    /// One 2048-byte block of the data view.
    fn read_data_block(&self, lba: u32, buf: &mut [u8]) -> Result<(), EmuError> {
        let pos = u64::from(lba) * BLOCK as u64;
        read_zero_filled(&self.file, pos, buf).map_err(|e| self.io_err("read", e))
    }

    fn io_err(&self, op: &'static str, source: std::io::Error) -> EmuError {
        EmuError::Io {
            op,
            path: self.image_path.clone(),
            source,
        }
    }

    /// READ SUB-CHANNEL (MMC-3 §5.20, tables 236-242): format 01h current position (of
    /// the last block READ CD transferred), 02h media catalog number, 03h ISRC of a track.
    /// The audio status is 15h (no current audio status): this drive plays no audio.
    pub(super) fn emulate_read_sub_channel(
        &mut self,
        msf: bool,
        subq: bool,
        format: u8,
        track: u8,
        alloc: u16,
    ) -> Result<Vec<u8>, EmuError> {
        const OP: u8 = 0x42;
        let field = |what: String| EmuError::InvalidField { opcode: OP, what };
        if self.family() != Family::Cd {
            return Err(field(
                "READ SUB-CHANNEL on a medium that is not a CD".into(),
            ));
        }
        let addr = |lba: i64| -> [u8; 4] {
            if msf {
                let [m, s, f] = super::medium::lba_to_msf(lba);
                [0, m, s, f]
            } else {
                (lba as i32).to_be_bytes()
            }
        };
        let mut d: Vec<u8> = vec![0, 0x15, 0, 0];
        if subq {
            match format {
                1 => {
                    let pos = self.last_pos.unwrap_or(0);
                    let (ctl, tno, idx, rel) = match self.cd_block(pos) {
                        Some(b) => {
                            let t = &self.disc.tracks[b.track];
                            (
                                t.control(),
                                t.number as u8,
                                b.index,
                                pos - i64::from(t.start),
                            )
                        }
                        None => (4, 1, 1, pos),
                    };
                    d.extend_from_slice(&[0x01, 0x10 | ctl, tno, idx]);
                    d.extend_from_slice(&addr(pos));
                    let r = if msf {
                        let f = u32::try_from(rel.abs()).unwrap_or(0);
                        [0, (f / 4500) as u8, ((f / 75) % 60) as u8, (f % 75) as u8]
                    } else {
                        (rel as i32).to_be_bytes()
                    };
                    d.extend_from_slice(&r);
                }
                2 => {
                    d.extend_from_slice(&[0x02, 0, 0, 0]);
                    let mut m = [0u8; 16];
                    if let Some(mcn) = &self.disc.mcn {
                        m[0] = 0x80;
                        let b = mcn.as_bytes();
                        let n = b.len().min(13);
                        m[1..1 + n].copy_from_slice(&b[..n]);
                    }
                    d.extend_from_slice(&m);
                }
                3 => {
                    let Some(t) = self
                        .disc
                        .tracks
                        .iter()
                        .find(|t| t.number == u16::from(track))
                    else {
                        return Err(field(format!("track {track} is not on the disc")));
                    };
                    d.extend_from_slice(&[0x03, 0x30 | t.control(), track, 0]);
                    let mut m = [0u8; 16];
                    if let Some(i) = t.cd.as_ref().and_then(|c| c.isrc.as_ref()) {
                        m[0] = 0x80;
                        let b = i.as_bytes();
                        let n = b.len().min(12);
                        m[1..1 + n].copy_from_slice(&b[..n]);
                    }
                    d.extend_from_slice(&m);
                }
                f => {
                    return Err(field(format!(
                        "sub-channel data format {f:02X}h is not supported"
                    )))
                }
            }
        }
        let len = (d.len() - 4) as u16;
        d[2..4].copy_from_slice(&len.to_be_bytes());
        d.truncate(usize::from(alloc));
        Ok(d)
    }

    /// Takes a full cue sheet: the session is written by [`EmuDrive::write_sao_session`].
    pub(super) fn announce_sao_session(
        &mut self,
        s: cue::Session,
        sheet: &[u8],
        tno: u8,
        start: u32,
    ) {
        let first = s.tracks.first().map(|t| t.first).unwrap_or(-150);
        let next = if s.cdtext {
            leadin_start(self.kind() == super::medium::MediumKind::CdRw)
        } else {
            first
        };
        let begin = u32::try_from(s.tracks.first().map(|t| t.start).unwrap_or(0)).unwrap_or(0);
        self.sao = Some(SaoCue {
            next,
            start: begin,
            end: u32::try_from(s.leadout).unwrap_or(0),
        });
        self.sao_sheet = Some(super::powered::SheetRecord {
            tno,
            start,
            bytes: sheet.to_vec(),
        });
        self.sao_session = Some(s);
        self.cdtext_stream.clear();
    }

    /// Blocks from `next` the drive generates itself (DATA FORM 01h/14h, or a lead-in
    /// without CD-TEXT): the host sends nothing for them, so its next WRITE starts after.
    fn skip_generated(s: &cue::Session, mut next: i64) -> i64 {
        while next < s.leadout && s.block_len(next) == Some(0) {
            next += 1;
        }
        next
    }

    /// A WRITE after a full cue sheet (MMC-6 §6.33, §4.2.3.5): sequential from the lead-in
    /// (CD-TEXT: 96-byte R-W blocks) or the first pre-gap to the lead-out; each block as
    /// long as its track's DATA FORM says (2352 CD-DA, 2048 mode 1). Audio blocks from
    /// LBA 0 on (pre-gaps included) go to the audio file, mode-1 blocks from index 1 to
    /// the image; a track is opened by its first block and closed by the next track's.
    pub(super) fn write_sao_session(
        &mut self,
        opcode: u8,
        lba: u32,
        blocks: u32,
        data: &mut DataPhase<'_>,
    ) -> Result<usize, Fail> {
        let host = |text: String| Fail::Host(TransportError::Host { opcode, text });
        let (Some(cue), Some(s)) = (self.sao, self.sao_session.take()) else {
            return Err(EmuError::SequenceError {
                what: "no cue sheet announced".into(),
            }
            .into());
        };
        let r = self.write_sao_blocks(cue, &s, lba, blocks, data, &host);
        self.sao_session = Some(s);
        r
    }

    #[allow(clippy::too_many_arguments)] // one WRITE's parameters and its announced session
    fn write_sao_blocks(
        &mut self,
        cue: SaoCue,
        s: &cue::Session,
        lba: u32,
        blocks: u32,
        data: &mut DataPhase<'_>,
        host: &dyn Fn(String) -> Fail,
    ) -> Result<usize, Fail> {
        let at = signed(lba);
        let next = Self::skip_generated(s, cue.next);
        if at != next {
            return Err(EmuError::InvalidWriteAddress {
                lba,
                nwa: Some(unsigned(next)),
            }
            .into());
        }
        let mut lens = Vec::with_capacity(blocks as usize);
        for k in 0..i64::from(blocks) {
            match s.block_len(at + k) {
                Some(0) => {
                    return Err(EmuError::InvalidWriteAddress {
                        lba: unsigned(at + k),
                        nwa: None,
                    }
                    .into())
                }
                Some(n) => lens.push(n),
                None => {
                    return Err(EmuError::LbaOutOfRange {
                        lba,
                        blocks,
                        limit: cue.end,
                    }
                    .into())
                }
            }
        }
        let total: usize = lens.iter().sum();
        let src: &[u8] = match data {
            DataPhase::Out(b) => b,
            DataPhase::None => &[],
            DataPhase::In(_) => {
                return Err(host(
                    "data direction mismatch: device expects data, host reads".into(),
                ))
            }
        };
        if src.len() < total {
            return Err(host(format!(
                "data underrun: {blocks} blocks of this session need {total} bytes, host sent {}",
                src.len()
            )));
        }
        let end = at + i64::from(blocks);
        if self.test_write() {
            self.buffer.accept(total as u64);
            self.sao = Some(SaoCue { next: end, ..cue });
            return Ok(total);
        }
        let first = s.tracks.first().map(|t| t.first).unwrap_or(-150);
        let mut off = 0usize;
        let mut result = Ok(total);
        for (k, &n) in lens.iter().enumerate() {
            let l = at + k as i64;
            let chunk = &src[off..off + n];
            off += n;
            if l < first {
                // the lead-in's R-W sub-channel: four CD-TEXT packs in 6-bit symbols
                for sym in chunk.chunks_exact(24) {
                    self.cdtext_stream.push(audio::unpack_symbols(sym));
                }
                continue;
            }
            self.end_leadin();
            if l < 0 {
                continue; // the first track's pre-gap before LBA 0 is not recorded
            }
            let ul = unsigned(l);
            if self.faults.write_error == Some(ul) {
                if let Some(t) = self.disc.tracks.last_mut() {
                    if !t.closed {
                        t.damaged = true;
                    }
                }
                self.save_state()?;
                result = Err(EmuError::WriteError { lba: ul }.into());
                self.sao = Some(SaoCue { next: l, ..cue });
                return result;
            }
            let Some((t, pregap)) = s.track_at(l) else {
                continue;
            };
            let i = self.sao_track(t)?;
            if cue::form_block_len(if pregap { t.pregap_form } else { t.form }) == RAW_SECTOR {
                if self.faults.garbles(ul, 1) {
                    // Injected fault (`garble=`): recorded altered, reported GOOD.
                    let mut altered = chunk.to_vec();
                    self.faults.garble_sectors(ul, &mut altered, RAW_SECTOR);
                    self.write_audio(ul, &altered)?;
                } else {
                    self.write_audio(ul, chunk)?;
                }
            } else if !pregap {
                let pos = u64::from(ul) * BLOCK as u64;
                let r = (|| -> std::io::Result<()> {
                    let mut f = &self.file;
                    f.seek(SeekFrom::Start(pos))?;
                    f.write_all(chunk)
                })();
                r.map_err(|e| self.io_err("write", e))?;
            }
            if !pregap {
                let tr = &mut self.disc.tracks[i];
                tr.length = ul + 1 - tr.start;
                self.dirty = true;
            }
        }
        self.buffer.accept(total as u64);
        self.sao = Some(SaoCue { next: end, ..cue });
        if self.dirty && self.last_save.elapsed().as_secs_f64() >= 1.0 {
            self.save_state()?;
        }
        result
    }

    /// The disc's track for sheet track `t`, opened when its first block arrives (the
    /// previous track of the session is then complete and closed).
    fn sao_track(&mut self, t: &cue::SheetTrack) -> Result<usize, EmuError> {
        if let Some(i) =
            self.disc.tracks.iter().position(|x| {
                x.number == u16::from(t.number) && x.session == self.disc.open_session()
            })
        {
            return Ok(i);
        }
        let open = self.disc.open_session();
        if let Some(p) = self.disc.tracks.last_mut() {
            if p.session == open && !p.closed {
                p.closed = true;
            }
        }
        let start = u32::try_from(t.start).unwrap_or(0);
        let pregap = u32::try_from(t.start - t.first.max(0)).unwrap_or(0);
        self.disc.tracks.push(super::disc::Track {
            number: u16::from(t.number),
            session: self.disc.open_session(),
            start,
            length: 0,
            reserved: None,
            closed: false,
            damaged: false,
            cd: Some(CdTrack {
                control: t.control,
                pregap,
                indexes: t
                    .indexes
                    .iter()
                    .filter_map(|&x| u32::try_from(x).ok())
                    .collect(),
                isrc: t.isrc.clone(),
                sao: true,
            }),
        });
        self.save_state()?;
        Ok(self.disc.tracks.len() - 1)
    }

    /// The lead-in is over: what CD-TEXT the host sent becomes the disc's.
    fn end_leadin(&mut self) {
        if !self.cdtext_stream.is_empty() {
            let packs = audio::cdtext_packs(&self.cdtext_stream);
            let bad = packs
                .chunks_exact(audio::PACK)
                .filter(|p| !audio::pack_crc_ok(p))
                .count();
            if bad > 0 {
                log::warn!(
                    "{}: {bad} CD-TEXT pack(s) with a wrong CRC recorded as sent",
                    self.name
                );
            }
            self.disc.cdtext = packs;
            self.cdtext_stream.clear();
        }
    }

    /// The announced session is written whole: the disc takes its MCN and CD-TEXT.
    pub(super) fn finish_sao_session(&mut self) {
        self.end_leadin();
        if let Some(s) = self.sao_session.take() {
            if s.mcn.is_some() {
                self.disc.mcn = s.mcn;
            }
        }
        self.sao_sheet = None;
    }

    /// Re-decodes a cue sheet the last process announced (kept with the powered drive).
    pub(super) fn restore_sao_session(&mut self, rec: &super::powered::SheetRecord) {
        match cue::session(&cue::entries(&rec.bytes), rec.tno, rec.start) {
            Ok(s) => {
                self.sao_session = Some(s);
                self.sao_sheet = Some(rec.clone());
            }
            Err(e) => {
                log::warn!(
                    "{}: the stored cue sheet no longer decodes ({e}); dropped",
                    self.name
                );
                self.sao = None;
            }
        }
    }
}
