//! The media the emulated drive can hold (MMC-6 §5.3.1 table 89 "Profile list"): profile
//! numbers, nominal capacities, write alignment and multisession overheads.
//!
//! Capacities are those real single-layer discs report: CD-R/RW 80 min (ATIP last possible
//! lead-out 79:59:74 = LBA 359849), DVD-R 2298496, DVD+R and DVD+RW 2295104, DVD+R DL
//! 4173824, BD-R and BD-RE 25 GB 12219392 blocks (BD-RE formatted with the default spare
//! area: 11826176).
//!
//! Session overheads (what the drive adds between one session's end and the next NWA):
//! - CD (MMC-6 §4.2.3, libburn cookbook): lead-out 6750 + lead-in 4500 + pregap 150 = 11400
//!   blocks after the first session, 2250 + 4500 + 150 = 6900 after later ones; a TAO track
//!   is padded to 300 blocks and ends with 2 run-out blocks; a further track in the same
//!   session starts after a 150-block pregap.
//! - DVD-R multi-border: the border zone after the first border is modelled as 16384 blocks
//!   (32 MiB), after later borders as 3072 blocks (6 MiB); tracks end on 16-block ECC blocks.
//! - DVD+R / DVD+R DL: session closure + intro of the next session modelled as 4096 blocks;
//!   16-block alignment.
//! - BD-R SRM: tracks and sessions end on 32-block clusters; closing a session costs no
//!   further user addresses in this model.

use serde::{Deserialize, Serialize};

/// Physical family of a medium, which fixes its 1x speed, TOC style and alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Compact disc.
    Cd,
    /// DVD.
    Dvd,
    /// Blu-ray disc.
    Bd,
}

impl Family {
    /// User data bytes per second at 1x, for the speed model (CD 75 blocks/s of 2048 bytes,
    /// DVD 1385 kB/s, BD 4.5 MB/s).
    pub fn one_x_bytes_per_sec(self) -> f64 {
        match self {
            Family::Cd => 153_600.0,
            Family::Dvd => 1_385_000.0,
            Family::Bd => 4_495_500.0,
        }
    }

    /// 1x in the kB/s (1000 bytes) unit MMC's speed fields use (CD 176.4, DVD 1385, BD 4495).
    pub fn one_x_kbs(self) -> f64 {
        match self {
            Family::Cd => 176.4,
            Family::Dvd => 1385.0,
            Family::Bd => 4495.5,
        }
    }

    /// Blocks per ECC unit (MMC-6 "blocking"): CD 1, DVD 16, BD 32.
    pub fn blocking(self) -> u32 {
        match self {
            Family::Cd => 1,
            Family::Dvd => 16,
            Family::Bd => 32,
        }
    }
}

/// How a medium can be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteModel {
    /// Pressed, read-only.
    Rom,
    /// Write-once, sequential: tracks, sessions, next writable address.
    Sequential,
    /// Overwritable anywhere within the formatted capacity.
    Random,
}

/// A medium the emulated drive can hold, named by `profile=` in `emu:` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MediumKind {
    /// 0008h CD-ROM (pressed).
    CdRom,
    /// 0009h CD-R.
    CdR,
    /// 000Ah CD-RW.
    CdRw,
    /// 0010h DVD-ROM (pressed).
    DvdRom,
    /// 0011h DVD-R sequential recording (multi-border).
    DvdR,
    /// 001Ah DVD+RW.
    DvdPlusRw,
    /// 001Bh DVD+R.
    DvdPlusR,
    /// 002Bh DVD+R dual layer.
    DvdPlusRDl,
    /// 0040h BD-ROM (pressed).
    BdRom,
    /// 0041h BD-R sequential recording mode.
    BdR,
    /// 0043h BD-RE.
    BdRe,
}

impl MediumKind {
    /// Every medium, in the descending profile order the profile list reports.
    pub const ALL: [MediumKind; 11] = [
        MediumKind::BdRe,
        MediumKind::BdR,
        MediumKind::BdRom,
        MediumKind::DvdPlusRDl,
        MediumKind::DvdPlusR,
        MediumKind::DvdPlusRw,
        MediumKind::DvdR,
        MediumKind::DvdRom,
        MediumKind::CdRw,
        MediumKind::CdR,
        MediumKind::CdRom,
    ];

    /// MMC-6 profile number (§5.3.1 table 89).
    pub fn profile(self) -> u16 {
        match self {
            MediumKind::CdRom => 0x0008,
            MediumKind::CdR => 0x0009,
            MediumKind::CdRw => 0x000A,
            MediumKind::DvdRom => 0x0010,
            MediumKind::DvdR => 0x0011,
            MediumKind::DvdPlusRw => 0x001A,
            MediumKind::DvdPlusR => 0x001B,
            MediumKind::DvdPlusRDl => 0x002B,
            MediumKind::BdRom => 0x0040,
            MediumKind::BdR => 0x0041,
            MediumKind::BdRe => 0x0043,
        }
    }

    /// The `profile=` spelling, e.g. `bd-r`.
    pub fn option_name(self) -> &'static str {
        match self {
            MediumKind::CdRom => "cd-rom",
            MediumKind::CdR => "cd-r",
            MediumKind::CdRw => "cd-rw",
            MediumKind::DvdRom => "dvd-rom",
            MediumKind::DvdR => "dvd-r",
            MediumKind::DvdPlusRw => "dvd+rw",
            MediumKind::DvdPlusR => "dvd+r",
            MediumKind::DvdPlusRDl => "dvd+r-dl",
            MediumKind::BdRom => "bd-rom",
            MediumKind::BdR => "bd-r",
            MediumKind::BdRe => "bd-re",
        }
    }

    /// Parses a `profile=` value (case-insensitive; `dvd+r-dl` also as `dvd+rdl`/`dvd+r_dl`).
    pub fn from_option(s: &str) -> Option<MediumKind> {
        let l = s.to_ascii_lowercase().replace('_', "-");
        let l = if l == "dvd+rdl" {
            "dvd+r-dl".to_string()
        } else {
            l
        };
        MediumKind::ALL.into_iter().find(|k| k.option_name() == l)
    }

    /// Physical family.
    pub fn family(self) -> Family {
        match self {
            MediumKind::CdRom | MediumKind::CdR | MediumKind::CdRw => Family::Cd,
            MediumKind::BdRom | MediumKind::BdR | MediumKind::BdRe => Family::Bd,
            _ => Family::Dvd,
        }
    }

    /// How the medium is written.
    pub fn write_model(self) -> WriteModel {
        match self {
            MediumKind::CdRom | MediumKind::DvdRom | MediumKind::BdRom => WriteModel::Rom,
            MediumKind::DvdPlusRw | MediumKind::BdRe => WriteModel::Random,
            _ => WriteModel::Sequential,
        }
    }

    /// True for media that can be blanked or reformatted (disc information "Erasable").
    pub fn erasable(self) -> bool {
        matches!(
            self,
            MediumKind::CdRw | MediumKind::DvdPlusRw | MediumKind::BdRe
        )
    }

    /// True when the medium supports test writes (simulation): CD-R/RW and DVD-R.
    pub fn supports_test_write(self) -> bool {
        matches!(self, MediumKind::CdR | MediumKind::CdRw | MediumKind::DvdR)
    }

    /// Nominal user capacity in 2048-byte blocks of a blank disc (for overwritable media:
    /// the largest format).
    pub fn nominal_capacity(self) -> u32 {
        match self {
            MediumKind::CdR | MediumKind::CdRw | MediumKind::CdRom => CD_LEADOUT_LIMIT,
            MediumKind::DvdR => 2_298_496,
            MediumKind::DvdPlusR | MediumKind::DvdPlusRw | MediumKind::DvdRom => 2_295_104,
            MediumKind::DvdPlusRDl => 4_173_824,
            MediumKind::BdR | MediumKind::BdRe | MediumKind::BdRom => 12_219_392,
        }
    }

    /// Default formatted capacity of an overwritable medium (BD-RE keeps a spare area).
    pub fn default_formatted_capacity(self) -> u32 {
        match self {
            MediumKind::BdRe => 11_826_176,
            k => k.nominal_capacity(),
        }
    }

    /// Write speeds the drive offers for this medium, in x, fastest first (BD-R up to 16x,
    /// as current BD writers do with 16x-rated media).
    pub fn write_speeds_x(self) -> &'static [f64] {
        match self {
            MediumKind::CdR => &[48.0, 40.0, 32.0, 24.0, 16.0, 8.0, 4.0],
            MediumKind::CdRw => &[24.0, 16.0, 10.0, 4.0],
            MediumKind::DvdR | MediumKind::DvdPlusR => &[16.0, 12.0, 8.0, 4.0],
            MediumKind::DvdPlusRDl => &[8.0, 4.0, 2.4],
            MediumKind::DvdPlusRw => &[8.0, 4.0],
            MediumKind::BdR => &[16.0, 12.0, 8.0, 6.0, 4.0, 2.0],
            MediumKind::BdRe => &[4.0, 2.0],
            MediumKind::CdRom | MediumKind::DvdRom | MediumKind::BdRom => &[],
        }
    }

    /// Fastest read speed in x.
    pub fn max_read_x(self) -> f64 {
        match self.family() {
            Family::Cd => 48.0,
            Family::Dvd => 16.0,
            Family::Bd => 12.0,
        }
    }

    /// Blocks the drive adds between the end of closed session number `closed` (1-based)
    /// and the next session's first writable address.
    pub fn session_gap(self, closed: usize) -> u32 {
        match self {
            MediumKind::CdR | MediumKind::CdRw => {
                if closed <= 1 {
                    CD_GAP_FIRST
                } else {
                    CD_GAP_LATER
                }
            }
            MediumKind::DvdR => {
                if closed <= 1 {
                    16_384
                } else {
                    3_072
                }
            }
            MediumKind::DvdPlusR | MediumKind::DvdPlusRDl => 4_096,
            _ => 0,
        }
    }

    /// Smallest track the drive records (CD: 300 blocks, MMC-6 §6.3.3.1.2).
    pub fn min_track(self) -> u32 {
        match self.family() {
            Family::Cd => 300,
            _ => 0,
        }
    }

    /// Run-out blocks a closed track carries after its data (CD-R/RW TAO: 2; none on
    /// pressed discs).
    pub fn run_out(self) -> u32 {
        match self {
            MediumKind::CdR | MediumKind::CdRw => 2,
            _ => 0,
        }
    }

    /// Pregap before a further track inside the same session (CD: 150).
    pub fn track_pregap(self) -> u32 {
        match self.family() {
            Family::Cd => 150,
            _ => 0,
        }
    }
}

/// CD: last possible start of the lead-out of an 80-minute disc, 79:59:74 as an LBA.
pub const CD_LEADOUT_LIMIT: u32 = 359_849;
/// CD: NWA of the second session = lead-out start of the first + 11400.
pub const CD_GAP_FIRST: u32 = 11_400;
/// CD: NWA of later sessions = lead-out start of the previous + 6900.
pub const CD_GAP_LATER: u32 = 6_900;

/// An LBA as CD minutes/seconds/frames (MMC-6 §4.2.3.7: MSF = LBA + 150; negative LBAs of
/// the lead-in wrap at 450150).
pub fn lba_to_msf(lba: i64) -> [u8; 3] {
    let f = if lba >= -150 {
        lba + 150
    } else {
        lba + 450_150
    };
    let f = f.max(0);
    let m = (f / (60 * 75)).min(255) as u8;
    let s = ((f / 75) % 60) as u8;
    let fr = (f % 75) as u8;
    [m, s, fr]
}

/// MSF to LBA (the inverse of [`lba_to_msf`]).
pub fn msf_to_lba(m: u8, s: u8, f: u8) -> i64 {
    let frames = (i64::from(m) * 60 + i64::from(s)) * 75 + i64::from(f);
    if m < 90 {
        frames - 150
    } else {
        frames - 450_150
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msf_roundtrip() {
        assert_eq!(lba_to_msf(0), [0, 2, 0]);
        assert_eq!(lba_to_msf(359_849), [79, 59, 74]);
        assert_eq!(msf_to_lba(79, 59, 74), 359_849);
        assert_eq!(msf_to_lba(97, 26, 66), -11_634);
        assert_eq!(lba_to_msf(-11_634), [97, 26, 66]);
    }

    #[test]
    fn option_names() {
        for k in MediumKind::ALL {
            assert_eq!(MediumKind::from_option(k.option_name()), Some(k));
        }
        assert_eq!(
            MediumKind::from_option("DVD+RDL"),
            Some(MediumKind::DvdPlusRDl)
        );
    }
}
