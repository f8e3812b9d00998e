//! What the drive keeps while it is powered, between the processes that talk to it: the
//! current values of the mode pages the host selected (SPC-4 §6.11 MODE SELECT, "current
//! values"; MMC-6 §7.5 page 05h Write Parameters, §7.3 page 01h Read/Write Error
//! Recovery), the speeds chosen with SET CD SPEED (MMC-6 §6.37) or SET STREAMING (§6.39),
//! the tray and its PREVENT lock (§6.12, §6.40), a cue sheet announced by SEND CUE SHEET
//! (§6.33) and not yet written, and the next address of a Test Write simulation.
//!
//! A series of one-command processes (`discburn raw` one CDB at a time, as sg_raw scripts
//! do) is one powered drive: each opens the disc, finds these values as the last one left
//! them, and records its changes (see [`crate::disc`] for the state file). They are
//! stored in the state file under `"drive"`.
//!
//! A power cycle (`emu:PATH,power_cycle=on`) drops all of it, as MMC-6 §7.5.4 and SPC-4
//! §6.11 have the current values return to their defaults at power on (this drive saves
//! no pages, PS = 0): page 05h and page 01h defaults, maximum speeds, tray closed (the
//! medium stays loaded), the PREVENT lock released (SPC-4 §6.13: a power on ends the
//! prevention), an announced cue sheet and a simulation forgotten, and the first command
//! answers UNIT ATTENTION, POWER ON OCCURRED (06/29/01). What the medium holds never
//! changes: written blocks, tracks, sessions and reservations belong to the disc.
//!
//! Not kept: a long operation started with Immed (closing, blanking, formatting) is over
//! when the next process opens the drive; a pending media event of GET EVENT STATUS
//! NOTIFICATION is reported once per process.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The session a SEND CUE SHEET announced (one mode-1 data track, session-at-once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaoCue {
    /// Next address the host must write (starts at the pre-gap, `start - 150`).
    pub next: i64,
    /// Index 1 of the track: its first data block.
    pub start: u32,
    /// The lead-out's address: first block past the track.
    pub end: u32,
}

/// A full cue sheet announced by SEND CUE SHEET (audio, several tracks, CD-TEXT), kept
/// as the host sent it with what it was checked against, and decoded again by the next
/// process ([`crate::cue::session`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetRecord {
    /// Number of the session's first track.
    pub tno: u8,
    /// The invisible track's start when the sheet was sent.
    pub start: u32,
    /// The sheet's bytes, in hex.
    #[serde(with = "hex_bytes")]
    pub bytes: Vec<u8>,
}

/// The powered drive's settings and pending work, as stored with the disc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Powered {
    /// Page 05h, Write Parameters, current values with its 2-byte header, in hex.
    #[serde(with = "hex_bytes")]
    pub page05: Vec<u8>,
    /// Page 01h, Read/Write Error Recovery, current values with its header, in hex.
    #[serde(with = "hex_bytes")]
    pub page01: Vec<u8>,
    /// Selected write speed in kB/s.
    pub write_speed_kbs: u32,
    /// Selected read speed in kB/s.
    pub read_speed_kbs: u32,
    /// The tray is open (no medium present to commands).
    #[serde(default)]
    pub tray_open: bool,
    /// PREVENT ALLOW MEDIUM REMOVAL locked the tray.
    #[serde(default)]
    pub locked: bool,
    /// Next address of a Test Write simulation (nothing is recorded during one).
    #[serde(default)]
    pub sim_nwa: Option<u32>,
    /// A cue sheet announced and not yet written whole.
    #[serde(default)]
    pub sao: Option<SaoCue>,
    /// The full cue sheet behind `sao`, unless it is the sheet of one data track.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<SheetRecord>,
}

impl Powered {
    /// True when `other` differs from this in what is recorded at once when it changes:
    /// every field but the addresses a WRITE advances (`sim_nwa`, a cue sheet's next
    /// address), which are recorded with the track lengths (see [`crate::disc`]).
    pub fn differs_eagerly(&self, other: &Powered) -> bool {
        self.page05 != other.page05
            || self.page01 != other.page01
            || self.write_speed_kbs != other.write_speed_kbs
            || self.read_speed_kbs != other.read_speed_kbs
            || self.tray_open != other.tray_open
            || self.locked != other.locked
            || self.sim_nwa.is_some() != other.sim_nwa.is_some()
            || self.sao.map(|c| (c.start, c.end)) != other.sao.map(|c| (c.start, c.end))
            || self.sheet != other.sheet
    }
}

/// Bytes as one lowercase hex string in JSON.
pub(crate) mod hex_bytes {
    use super::*;

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let text: String = b.iter().map(|x| format!("{x:02x}")).collect();
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        if !text.len().is_multiple_of(2) || !text.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(serde::de::Error::custom("not an even number of hex digits"));
        }
        Ok((0..text.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_hex_in_json() {
        let p = Powered {
            page05: vec![0x05, 0x32, 0x41],
            page01: vec![0x01, 0x0a],
            write_speed_kbs: 7056,
            read_speed_kbs: 7056,
            tray_open: false,
            locked: true,
            sim_nwa: None,
            sao: Some(SaoCue {
                next: -150,
                start: 0,
                end: 400,
            }),
            sheet: None,
        };
        let j = serde_json::to_string(&p).unwrap();
        assert!(j.contains("\"page05\":\"053241\""), "{j}");
        let back: Powered = serde_json::from_str(&j).unwrap();
        assert_eq!(back, p);
        let bad = j.replace("053241", "05324");
        assert!(serde_json::from_str::<Powered>(&bad).is_err());
    }
}
