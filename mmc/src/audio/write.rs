//! Burning a [`Plan`] onto a CD-R/RW.
//!
//! Session-at-once (MMC-6 §4.2.3.5, §6.33; the command sequence of libburn's write.c and
//! cdrecord's drv_mmc.c): the CD Mastering feature (002Eh, §5.3.21) must offer SAO, R-W
//! when CD-TEXT is written, and a cue sheet this long; MODE SELECT page 05h (write type
//! 2, data block type 0 for an audio session); SEND CUE SHEET; with CD-TEXT, WRITEs of
//! 96-byte R-W sub-channel blocks (the packs in 6-bit symbols, repeated) from the lead-in
//! start that READ DISC INFORMATION (or the ATIP) reports up to LBA -151; then every
//! sector from the first track's pre-gap (150 before the session's start) to the lead-out
//! in order, 2352 bytes a CD-DA sector, 2048 a mode-1 block; SYNCHRONIZE CACHE, which has
//! the drive write lead-in and lead-out.
//!
//! Track-at-once (§4.2.3.4): per track page 05h write type 1 with track mode = the
//! track's CONTROL nibble, data block type 0 (raw CD-DA) or 8 (mode 1), the track's ISRC
//! (TCVAL) and on the first track the MCN (MCVAL) (§7.5.4.13-14); WRITE from the
//! invisible track's NWA; SYNCHRONIZE CACHE ends the track; CLOSE SESSION at the end.
//! The drive places the 2-s pre-gaps itself; a cue file's own pre-gap content is not
//! written track-at-once, and CD-TEXT needs session-at-once (cdrecord refuses it in TAO
//! too).

use std::time::Duration;

use transport::{DataPhase, Transport};

use super::plan::Placed;
use super::source::{Reader, AUDIO_SECTOR};
use super::{cdtext, AudioError, Plan, TrackMode};
use crate::cmd::mode::{MultiSession, WriteParameters, WriteType};
use crate::cmd::track_info::TrackAddress;
use crate::cmd::{close::CloseFunction, cue_sheet, write as wcmd, Msf};
use crate::drive::Drive;
use crate::feature::FeatureBody;
use crate::profile::Profile;
use crate::write::{SessionClose, Step};

/// How to burn.
#[derive(Debug, Clone, Copy, Default)]
pub struct AudioBurnOptions {
    /// Session-at-once (else track-at-once).
    pub sao: bool,
    /// Test write: the drive simulates, nothing is recorded.
    pub dummy: bool,
    /// Leave the disc appendable (multi-session 11b).
    pub multi: bool,
    /// Write the plan's CD-TEXT (session-at-once only).
    pub text: bool,
    /// Tracks under 4 s are sent to the drive as they are (cdrecord `-shorttrack`).
    pub shorttrack: bool,
    /// Swap the bytes of every audio sample (cdrecord `-swab`).
    pub swab: bool,
    /// Write speed for SET CD SPEED in kB/s.
    pub write_kbs: Option<u16>,
}

/// Progress of a burn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioEvent {
    /// The lead-in's CD-TEXT is being written.
    LeadIn {
        /// Its blocks.
        blocks: u32,
    },
    /// A track begins.
    Track {
        /// Its number.
        number: u8,
        /// Its sectors (pre-gap included in SAO).
        sectors: u32,
    },
    /// Sectors written so far of the whole session.
    Written {
        /// Done.
        done: u64,
        /// Total.
        total: u64,
    },
    /// The drive is writing lead-in and lead-out (or closing the session).
    Closing,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioBurnReport {
    /// Where the tracks are (as the drive reports them for TAO).
    pub tracks: Vec<Placed>,
    /// The lead-out (SAO), or the end of the last track.
    pub leadout: i64,
    /// CD-TEXT packs written into the lead-in.
    pub cdtext_packs: usize,
    /// Written session-at-once.
    pub sao: bool,
}

fn drive_err(step: Step) -> impl FnOnce(crate::error::MmcError) -> AudioError {
    move |source| AudioError::Drive { step, source }
}

/// A WRITE(10) of `data` (whole blocks of `block` bytes) at a two's complement `lba`.
fn write_raw<T: Transport>(
    drive: &mut Drive<T>,
    lba: i64,
    block: usize,
    data: &[u8],
) -> Result<(), AudioError> {
    let blocks = data.len() / block;
    let addr = u32::from_be_bytes((lba as i32).to_be_bytes());
    drive
        .execute(
            wcmd::write10(addr, blocks as u16),
            DataPhase::Out(data),
            Duration::from_secs(120),
        )
        .map(|_| ())
        .map_err(drive_err(Step::AudioWrite {
            blocks: blocks as u32,
            lba,
        }))
}

/// Writes `pieces` of `sector`-byte sectors from `reader` at `*lba` onward, at most `per`
/// sectors per WRITE, advancing `*lba` and the `done` count of `(done, total)` and
/// reporting [`AudioEvent::Written`] after each WRITE.
#[allow(clippy::too_many_arguments)] // reason: the one loop both write types share
fn write_pieces<'p, T: Transport>(
    drive: &mut Drive<T>,
    reader: &mut Reader<'_>,
    pieces: impl IntoIterator<Item = &'p super::source::Piece>,
    sector: usize,
    per: usize,
    lba: &mut i64,
    (done, total): (&mut u64, u64),
    progress: &mut dyn FnMut(AudioEvent),
) -> Result<(), AudioError> {
    for piece in pieces {
        let mut skip = 0u32;
        while skip < piece.sectors() {
            let k = ((piece.sectors() - skip) as usize).min(per);
            let mut buf = vec![0u8; k * sector];
            reader.read(piece, skip, sector, &mut buf)?;
            write_raw(drive, *lba, sector, &buf)?;
            *lba += k as i64;
            skip += k as u32;
            *done += k as u64;
            progress(AudioEvent::Written { done: *done, total });
        }
    }
    Ok(())
}

/// Burns `plan` (numbered from the disc's next track) and reports where it went. Every
/// check (device, medium, track lengths, CD-TEXT only in a disc's first session, the
/// drive's session-at-once abilities, free space) is done before the first WRITE.
pub fn burn<T: Transport>(
    drive: &mut Drive<T>,
    plan: &mut Plan,
    opts: &AudioBurnOptions,
    progress: &mut dyn FnMut(AudioEvent),
) -> Result<AudioBurnReport, AudioError> {
    let profile = crate::write::check_device(drive)?;
    if !matches!(profile, Profile::CdR | Profile::CdRw) {
        return Err(AudioError::Refused(format!(
            "audio tracks are written to CD-R or CD-RW, the medium is {profile}"
        )));
    }
    let di = drive
        .disc_info()
        .map_err(drive_err(Step::ReadDiscInformation))?;
    let view = di.view();
    if !view.appendable() && !matches!(view.disc_status(), crate::cmd::disc_info::DiscStatus::Empty)
    {
        return Err(AudioError::Refused(
            "the disc is closed: nothing more can be written".into(),
        ));
    }
    let blank = matches!(view.disc_status(), crate::cmd::disc_info::DiscStatus::Empty);
    let inv = drive
        .track_info(TrackAddress::Track(0xFF))
        .map_err(drive_err(Step::ReadInvisibleTrack))?;
    let iv = inv.view();
    let first = u8::try_from(iv.track()).unwrap_or(99);
    plan.number_from(first);
    plan.check(opts.shorttrack)?;
    let text = opts.text && plan.has_text();
    if text && !opts.sao {
        return Err(AudioError::Refused(
            "CD-TEXT is written into the lead-in session-at-once: add -sao (-dao)".into(),
        ));
    }
    if text && !blank {
        return Err(AudioError::Refused(
            "CD-TEXT can only be written into the disc's first session, and this disc has one already".into(),
        ));
    }
    let start = i64::from(iv.start());
    let (placed, leadout) = plan.place(start);
    let total: u64 = plan
        .tracks
        .iter()
        .map(|t| u64::from(t.pregap_len()) + u64::from(t.body_len()))
        .sum();
    let room = u64::from(iv.free_blocks());
    if total > room + u64::from(super::plan::FIRST_PREGAP) {
        return Err(AudioError::Refused(format!(
            "the session needs {total} sectors, the disc has {room} free"
        )));
    }
    if let Some(k) = opts.write_kbs {
        drive
            .set_cd_speed(0xFFFF, k)
            .map_err(drive_err(Step::SetCdSpeed))?;
    }
    if opts.sao {
        burn_sao(
            drive,
            plan,
            opts,
            text,
            start,
            (placed, leadout),
            total,
            progress,
        )
    } else {
        burn_tao(drive, plan, opts, total, progress)
    }
}

#[allow(clippy::too_many_arguments)] // the burn's checked inputs, passed on once
fn burn_sao<T: Transport>(
    drive: &mut Drive<T>,
    plan: &Plan,
    opts: &AudioBurnOptions,
    text: bool,
    start: i64,
    (placed, leadout): (Vec<Placed>, i64),
    total: u64,
    progress: &mut dyn FnMut(AudioEvent),
) -> Result<AudioBurnReport, AudioError> {
    let packs = if text { plan.cdtext_packs() } else { None };
    let text = packs.is_some();
    let sheet = plan.cue_sheet(start, text);
    // what the CD Mastering feature (002Eh) offers
    match drive.features() {
        Ok(f) => match f.iter().find(|f| f.code == 0x002E).map(|f| (f.current, &f.body)) {
            Some((true, FeatureBody::CdMastering { sao, rw, max_cue_len, .. })) => {
                if !sao {
                    return Err(AudioError::Refused("the drive does not offer session-at-once (CD Mastering 002Eh without SAO)".into()));
                }
                if text && !rw {
                    return Err(AudioError::Refused("the drive cannot write CD-TEXT (CD Mastering 002Eh without R-W)".into()));
                }
                if *max_cue_len > 0 && sheet.len() > *max_cue_len as usize {
                    return Err(AudioError::Refused(format!(
                        "the cue sheet of {} bytes exceeds the drive's limit of {max_cue_len}",
                        sheet.len()
                    )));
                }
            }
            Some((true, _)) => {}
            _ => {
                return Err(AudioError::Refused(
                    "the drive does not offer session-at-once for this medium (no current CD Mastering feature 002Eh)".into(),
                ))
            }
        },
        Err(e) => log::info!("GET CONFIGURATION ({e}): the drive answers for session-at-once itself"),
    }
    let audio_first = plan
        .tracks
        .first()
        .map(|t| t.mode == TrackMode::Audio)
        .unwrap_or(true);
    let wp = WriteParameters {
        write_type: WriteType::Sao,
        test_write: opts.dummy,
        bufe: true,
        link_size: None,
        multi_session: if opts.multi {
            MultiSession::Open
        } else {
            MultiSession::Closed
        },
        fixed_packet: false,
        track_mode: plan.tracks.first().map(|t| t.control()).unwrap_or(0),
        data_block_type: if audio_first { 0 } else { 8 },
        session_format: 0x00,
        packet_size: 0,
    };
    drive
        .set_write_parameters(&wp)
        .map_err(drive_err(Step::SaoWriteParameters))?;
    drive
        .execute(
            cue_sheet::cdb(sheet.len() as u32),
            DataPhase::Out(&sheet),
            Duration::from_secs(60),
        )
        .map_err(drive_err(Step::SendCueSheet))?;
    let max_bytes = (drive.max_blocks() * 2048).max(AUDIO_SECTOR);
    if let Some(p) = &packs {
        let di = drive
            .disc_info()
            .map_err(drive_err(Step::ReadDiscInformation))?;
        let raw = di.view().last_session_leadin_raw().to_be_bytes();
        let mut lead = Msf {
            m: raw[1],
            s: raw[2],
            f: raw[3],
        }
        .to_lba();
        if lead >= -150 {
            let a = drive.atip().map_err(drive_err(Step::ReadAtip))?;
            lead = a.leadin_lba;
        }
        let sym = cdtext::to_symbols(p);
        let n = p.len() / cdtext::PACK;
        let blocks = u32::try_from(-150 - i64::from(lead)).unwrap_or(0);
        progress(AudioEvent::LeadIn { blocks });
        let per = (max_bytes / 96).min(300);
        let mut cursor = 0usize;
        let mut lba = i64::from(lead);
        while lba < -150 {
            let k = ((-150 - lba) as usize).min(per);
            let mut buf = Vec::with_capacity(k * 96);
            for _ in 0..k * 4 {
                buf.extend_from_slice(&sym[cursor * 24..cursor * 24 + 24]);
                cursor = (cursor + 1) % n;
            }
            write_raw(drive, lba, 96, &buf)?;
            lba += k as i64;
        }
    }
    let mut reader = Reader::new(&plan.inputs, opts.swab);
    let mut lba = start - i64::from(super::plan::FIRST_PREGAP);
    let mut done = 0u64;
    for t in &plan.tracks {
        let sector = t.sector_len();
        progress(AudioEvent::Track {
            number: t.number,
            sectors: t.pregap_len() + t.body_len(),
        });
        let pieces = t.pregap.iter().chain(&t.body);
        let per = (max_bytes / sector).max(1);
        write_pieces(
            drive,
            &mut reader,
            pieces,
            sector,
            per,
            &mut lba,
            (&mut done, total),
            progress,
        )?;
    }
    progress(AudioEvent::Closing);
    drive
        .synchronize_cache()
        .map_err(drive_err(Step::SaoSynchronize))?;
    Ok(AudioBurnReport {
        tracks: placed,
        leadout,
        cdtext_packs: packs.map(|p| p.len() / cdtext::PACK).unwrap_or(0),
        sao: true,
    })
}

fn burn_tao<T: Transport>(
    drive: &mut Drive<T>,
    plan: &Plan,
    opts: &AudioBurnOptions,
    total: u64,
    progress: &mut dyn FnMut(AudioEvent),
) -> Result<AudioBurnReport, AudioError> {
    let mut reader = Reader::new(&plan.inputs, opts.swab);
    let max_bytes = (drive.max_blocks() * 2048).max(AUDIO_SECTOR);
    let mut done = 0u64;
    let mut placed = Vec::new();
    for (i, t) in plan.tracks.iter().enumerate() {
        let audio = t.mode == TrackMode::Audio;
        let wp = WriteParameters {
            write_type: WriteType::Tao,
            test_write: opts.dummy,
            bufe: true,
            link_size: None,
            multi_session: if opts.multi {
                MultiSession::Open
            } else {
                MultiSession::Closed
            },
            fixed_packet: false,
            track_mode: t.control(),
            data_block_type: if audio { 0 } else { 8 },
            session_format: 0x00,
            packet_size: 0,
        };
        let mut list = wp.select_data().to_vec();
        let p = &mut list[8..];
        if i == 0 {
            if let Some(m) = &plan.mcn {
                p[16] = 0x80;
                p[17..30].copy_from_slice(&m.as_bytes()[..13]);
            }
        }
        if let Some(isrc) = &t.isrc {
            p[32] = 0x80;
            p[33..45].copy_from_slice(&isrc.as_bytes()[..12]);
        }
        drive
            .mode_select(&list)
            .map_err(drive_err(Step::TrackWriteParameters { track: t.number }))?;
        let inv = drive
            .track_info(TrackAddress::Track(0xFF))
            .map_err(drive_err(Step::ReadInvisibleTrack))?;
        let Some(nwa) = inv.view().nwa() else {
            return Err(AudioError::Refused(
                "the drive reports no next writable address".into(),
            ));
        };
        if t.pregap
            .iter()
            .any(|p| matches!(p, super::source::Piece::File { .. }))
        {
            log::warn!(
                "track {}: its pre-gap from the file is not written track-at-once (the drive writes 2 s of silence)",
                t.number
            );
        }
        let sector = t.sector_len();
        progress(AudioEvent::Track {
            number: t.number,
            sectors: t.body_len(),
        });
        let per = (max_bytes / sector).max(1);
        let mut lba = i64::from(nwa);
        write_pieces(
            drive,
            &mut reader,
            &t.body,
            sector,
            per,
            &mut lba,
            (&mut done, total),
            progress,
        )?;
        drive
            .synchronize_cache()
            .map_err(drive_err(Step::TrackSynchronize { track: t.number }))?;
        placed.push(Placed {
            number: t.number,
            first: i64::from(nwa),
            start: i64::from(nwa),
            indexes: Vec::new(),
            end: lba,
        });
    }
    progress(AudioEvent::Closing);
    if !opts.dummy {
        drive
            .close(CloseFunction::Session, 0)
            .map_err(drive_err(Step::CloseSession {
                kind: SessionClose::Session,
            }))?;
    }
    let leadout = placed.last().map(|p| p.end).unwrap_or(0);
    Ok(AudioBurnReport {
        tracks: placed,
        leadout,
        cdtext_packs: 0,
        sao: false,
    })
}
