//! Reading an audio (or mixed) session back after the burn and comparing it with what was
//! sent: each track's sectors from index 1 to its end, CD-DA with READ CD (MMC-6 §6.15,
//! expected sector type 001b, user data: the 2352 bytes as recorded) and mode-1 tracks with
//! READ(10) (§6.16), against the same pieces the writer read from the inputs
//! ([`super::source::Reader`], so byte order and padding are applied the same way). The
//! pre-gaps are not compared: a drive need not return the first track's pre-gap (before
//! LBA 0) and TAO pre-gaps are the drive's own silence. A sector the drive fails to return
//! counts as unreadable, one it returns different as differing.

use std::time::Duration;

use transport::{DataPhase, Transport};

use super::plan::{Placed, Plan};
use super::source::{Reader, AUDIO_SECTOR, DATA_BLOCK};
use super::{AudioError, TrackMode};
use crate::drive::Drive;

/// The outcome of one track's comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TrackVerify {
    /// Track number.
    pub number: u8,
    /// Sectors compared.
    pub sectors: u32,
    /// Sectors read back different from what was sent.
    pub differing: u32,
    /// Sectors the drive did not return.
    pub unreadable: u32,
    /// The first sector that differs or could not be read.
    pub first_bad: Option<i64>,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AudioVerify {
    /// Per track.
    pub tracks: Vec<TrackVerify>,
}

impl AudioVerify {
    /// Every compared sector was read back equal.
    pub fn ok(&self) -> bool {
        self.tracks
            .iter()
            .all(|t| t.differing == 0 && t.unreadable == 0)
    }
}

/// Compares the tracks of `plan`, placed at `placed` (as [`super::burn`] reported them),
/// with what the drive reads back; `swab` as the burn had it.
pub fn verify<T: Transport>(
    drive: &mut Drive<T>,
    plan: &Plan,
    placed: &[Placed],
    swab: bool,
    progress: &mut dyn FnMut(u8),
) -> Result<AudioVerify, AudioError> {
    let mut reader = Reader::new(&plan.inputs, swab);
    let max_bytes = (drive.max_blocks() * DATA_BLOCK).max(AUDIO_SECTOR);
    let mut out = AudioVerify::default();
    for (t, p) in plan.tracks.iter().zip(placed) {
        progress(t.number);
        let audio = t.mode == TrackMode::Audio;
        let sector = t.sector_len();
        let per = (max_bytes / sector).clamp(1, 75);
        let mut v = TrackVerify {
            number: t.number,
            ..TrackVerify::default()
        };
        let mut lba = p.start;
        for piece in &t.body {
            let mut skip = 0u32;
            while skip < piece.sectors() {
                let k = ((piece.sectors() - skip) as usize).min(per);
                let mut want = vec![0u8; k * sector];
                reader.read(piece, skip, sector, &mut want)?;
                let mut got = vec![0u8; k * sector];
                let ok = u32::try_from(lba).is_ok_and(|l| read(drive, audio, l, k, &mut got));
                if ok {
                    for (i, (w, g)) in want
                        .chunks_exact(sector)
                        .zip(got.chunks_exact(sector))
                        .enumerate()
                    {
                        if w != g {
                            v.differing += 1;
                            v.first_bad.get_or_insert(lba + i as i64);
                        }
                    }
                } else {
                    // find out which sectors of the chunk the drive cannot return
                    for i in 0..k {
                        let at = lba + i as i64;
                        let g = &mut got[i * sector..(i + 1) * sector];
                        if u32::try_from(at).is_ok_and(|l| read(drive, audio, l, 1, g)) {
                            if g != &want[i * sector..(i + 1) * sector] {
                                v.differing += 1;
                                v.first_bad.get_or_insert(at);
                            }
                        } else {
                            v.unreadable += 1;
                            v.first_bad.get_or_insert(at);
                        }
                    }
                }
                v.sectors += k as u32;
                lba += k as i64;
                skip += k as u32;
            }
        }
        out.tracks.push(v);
    }
    Ok(out)
}

/// One READ CD (CD-DA user data) or READ(10) of `n` sectors into `buf`; false when the
/// drive does not return them all.
fn read<T: Transport>(
    drive: &mut Drive<T>,
    audio: bool,
    lba: u32,
    n: usize,
    buf: &mut [u8],
) -> bool {
    let cdb = if audio {
        super::rip::read_cd_cdda(lba, n as u32)
    } else {
        crate::cmd::read::read10(lba, n as u16)
    };
    matches!(
        drive.execute(cdb, DataPhase::In(buf), Duration::from_secs(30)),
        Ok(got) if got >= buf.len()
    )
}
