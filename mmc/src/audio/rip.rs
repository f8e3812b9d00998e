//! Reading CD-DA tracks back: READ CD (MMC-6 §6.15) with expected sector type 001b
//! (CD-DA) and byte 9 = 10h (user data only: 2352 bytes a sector, samples little-endian
//! as the disc holds them); the rip itself, with retries, C2 error pointers and the map, is
//! the rescue dump with [`crate::rescue::SectorKind::CdDa`]. Which sectors form a track
//! comes from the TOC (READ TOC format 0, §6.26): index 1 of the track to index 1 of the
//! next, as cdparanoia rips it, except before a later session, where the track ends at its
//! last recorded sector (READ TRACK INFORMATION). Also the header of a WAVE file holding
//! such a rip (RIFF, `fmt ` PCM 44100 Hz 16-bit stereo, `data`).

use transport::{Cdb, Transport};

use super::AudioError;
use crate::cmd::track_info::TrackAddress;
use crate::drive::Drive;
use crate::write::Step;

/// READ CD of `n` CD-DA sectors at `lba`, user data only.
pub fn read_cd_cdda(lba: u32, n: u32) -> Cdb {
    let b = lba.to_be_bytes();
    let l = n.to_be_bytes();
    Cdb::twelve([
        0xBE, 0x04, b[0], b[1], b[2], b[3], l[1], l[2], l[3], 0x10, 0, 0,
    ])
}

/// A track's sectors to rip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TrackSpan {
    /// Track number.
    pub number: u8,
    /// Sub-channel Q CONTROL of the track (bit 2: data).
    pub control: u8,
    /// First sector (index 1).
    pub start: u32,
    /// First sector past it.
    pub end: u32,
}

fn drive_err(step: Step) -> impl FnOnce(crate::error::MmcError) -> AudioError {
    move |source| AudioError::Drive { step, source }
}

/// Where track `number` lies (see the module documentation).
pub fn track_span<T: Transport>(drive: &mut Drive<T>, number: u8) -> Result<TrackSpan, AudioError> {
    let toc = drive.toc(false).map_err(drive_err(Step::ReadToc))?;
    let i = toc
        .tracks
        .iter()
        .position(|t| t.number == number && !t.is_leadout())
        .ok_or_else(|| AudioError::Refused(format!("the disc has no track {number}")))?;
    let t = toc.tracks[i];
    let next = toc
        .tracks
        .get(i + 1)
        .ok_or_else(|| AudioError::Refused("the TOC has no lead-out".into()))?;
    let start = u32::try_from(t.start.lba()).unwrap_or(0);
    let mut end = u32::try_from(next.start.lba()).unwrap_or(0);
    if let Ok(ti) = drive.track_info(TrackAddress::Track(u32::from(number))) {
        let v = ti.view();
        let own = match v.last_recorded() {
            Some(l) if l >= start => l + 1,
            _ => v.start().saturating_add(v.size()),
        };
        // a later session begins after this one's lead-out and the next lead-in
        if own > start && own < end && end - own > 150 {
            end = own;
        }
    }
    if end <= start {
        return Err(AudioError::Refused(format!(
            "track {number} is empty in the TOC"
        )));
    }
    Ok(TrackSpan {
        number,
        control: t.control,
        start,
        end,
    })
}

/// The 44-byte header of a WAVE file of `data_bytes` bytes of 44100 Hz 16-bit stereo PCM.
pub fn wav_header(data_bytes: u64) -> Result<[u8; 44], AudioError> {
    let d = u32::try_from(data_bytes)
        .ok()
        .filter(|d| *d <= u32::MAX - 36)
        .ok_or_else(|| AudioError::Refused(format!("{data_bytes} bytes do not fit a WAVE file")))?;
    let mut h = [0u8; 44];
    h[..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&(d + 36).to_le_bytes());
    h[8..16].copy_from_slice(b"WAVEfmt ");
    h[16..20].copy_from_slice(&16u32.to_le_bytes());
    h[20..22].copy_from_slice(&1u16.to_le_bytes()); // PCM
    h[22..24].copy_from_slice(&2u16.to_le_bytes());
    h[24..28].copy_from_slice(&44_100u32.to_le_bytes());
    h[28..32].copy_from_slice(&(44_100u32 * 4).to_le_bytes());
    h[32..34].copy_from_slice(&4u16.to_le_bytes());
    h[34..36].copy_from_slice(&16u16.to_le_bytes());
    h[36..40].copy_from_slice(b"data");
    h[40..44].copy_from_slice(&d.to_le_bytes());
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_header_reads_back_with_hound() {
        let samples: Vec<u8> = (0..2352u32 * 2).map(|i| (i * 7) as u8).collect();
        let mut f = wav_header(samples.len() as u64).unwrap().to_vec();
        f.extend_from_slice(&samples);
        let r = hound::WavReader::new(std::io::Cursor::new(f)).unwrap();
        let s = r.spec();
        assert_eq!(
            (s.channels, s.sample_rate, s.bits_per_sample),
            (2, 44_100, 16)
        );
        assert_eq!(r.duration(), 588 * 2);
        assert!(wav_header(u64::from(u32::MAX)).is_err());
    }

    #[test]
    fn read_cd_cdb() {
        assert_eq!(
            read_cd_cdda(0x010203, 0x75).as_bytes(),
            &[0xBE, 0x04, 0, 1, 2, 3, 0, 0, 0x75, 0x10, 0, 0]
        );
    }
}
