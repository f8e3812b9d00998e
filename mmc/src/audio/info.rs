//! What a CD says about its audio: the disc's MCN and each track's ISRC (READ SUB-CHANNEL,
//! MMC-6 §6.22, sub-channel data formats 02h and 03h with SubQ set) and the CD-TEXT packs
//! of the lead-in (READ TOC/PMA/ATIP format 0101b, §6.26.3.7; packs as Annex J lays them
//! out, decoded with [`super::cdtext::decode`]). Short or malformed answers give `None`
//! or fewer packs, never a panic.

use std::time::Duration;

use transport::{Cdb, DataPhase, Transport};

use crate::drive::Drive;
use crate::error::MmcError;

fn sub_channel<T: Transport>(
    drive: &mut Drive<T>,
    format: u8,
    track: u8,
) -> Result<Vec<u8>, MmcError> {
    let mut buf = vec![0u8; 24];
    let c = Cdb::ten([0x42, 0, 0x40, format, 0, 0, track, 0, 24, 0]);
    let n = drive.execute(c, DataPhase::In(&mut buf), Duration::from_secs(10))?;
    buf.truncate(n);
    Ok(buf)
}

fn text(b: &[u8]) -> Option<String> {
    let s: String = b
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as char)
        .collect();
    (!s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric())).then_some(s)
}

/// The disc's media catalog number (MCVAL set), if any.
pub fn mcn<T: Transport>(drive: &mut Drive<T>) -> Result<Option<String>, MmcError> {
    let b = sub_channel(drive, 0x02, 0)?;
    Ok(match b.get(8..22) {
        Some(d) if d[0] & 0x80 != 0 => text(&d[1..14]),
        _ => None,
    })
}

/// Track `track`'s ISRC (TCVAL set), if any.
pub fn isrc<T: Transport>(drive: &mut Drive<T>, track: u8) -> Result<Option<String>, MmcError> {
    let b = sub_channel(drive, 0x03, track)?;
    Ok(match b.get(8..21) {
        Some(d) if d[0] & 0x80 != 0 => text(&d[1..13]),
        _ => None,
    })
}

/// The CD-TEXT packs (18 bytes each, those with a bad CRC left out); empty when the disc
/// has none.
pub fn cdtext<T: Transport>(drive: &mut Drive<T>) -> Result<Vec<u8>, MmcError> {
    let mut buf = vec![0u8; 0xFFFF];
    let c = Cdb::ten([0x43, 0, 0x05, 0, 0, 0, 0, 0xFF, 0xFF, 0]);
    let n = drive.execute(c, DataPhase::In(&mut buf), Duration::from_secs(10))?;
    let n = n.min(buf.len());
    if n < 4 {
        return Ok(Vec::new());
    }
    let len = (usize::from(u16::from_be_bytes([buf[0], buf[1]])) + 2).min(n);
    if len <= 4 {
        return Ok(Vec::new());
    }
    Ok(buf[4..len]
        .chunks_exact(super::cdtext::PACK)
        .filter(|p| super::cdtext::crc_ok(p))
        .flatten()
        .copied()
        .collect())
}
