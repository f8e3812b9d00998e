//! MMC-6 profiles (§5.3.1, table 89 "Profile list"): what kind of medium is loaded, with
//! the names cdrecord prints ("Current: CD-R", "Profile: DVD+R/DL").

use std::fmt;

/// A profile number as GET CONFIGURATION reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// 0000h: no medium / no current profile.
    None,
    /// 0001h: non-removable disk.
    NonRemovableDisk,
    /// 0002h: removable disk.
    RemovableDisk,
    /// 0003h: magneto-optical erasable.
    MoErasable,
    /// 0004h: optical write once.
    MoWriteOnce,
    /// 0005h: advance storage magneto-optical.
    AsMo,
    /// 0008h: CD-ROM.
    CdRom,
    /// 0009h: CD-R.
    CdR,
    /// 000Ah: CD-RW.
    CdRw,
    /// 0010h: DVD-ROM.
    DvdRom,
    /// 0011h: DVD-R sequential recording.
    DvdRSeq,
    /// 0012h: DVD-RAM.
    DvdRam,
    /// 0013h: DVD-RW restricted overwrite.
    DvdRwRestricted,
    /// 0014h: DVD-RW sequential recording.
    DvdRwSeq,
    /// 0015h: DVD-R dual layer sequential recording.
    DvdRDlSeq,
    /// 0016h: DVD-R dual layer jump recording.
    DvdRDlJump,
    /// 0017h: DVD-RW dual layer.
    DvdRwDl,
    /// 0018h: DVD-Download disc recording.
    DvdDownload,
    /// 001Ah: DVD+RW.
    DvdPlusRw,
    /// 001Bh: DVD+R.
    DvdPlusR,
    /// 0020h: DDCD-ROM.
    DdcdRom,
    /// 0021h: DDCD-R.
    DdcdR,
    /// 0022h: DDCD-RW.
    DdcdRw,
    /// 002Ah: DVD+RW dual layer.
    DvdPlusRwDl,
    /// 002Bh: DVD+R dual layer.
    DvdPlusRDl,
    /// 0040h: BD-ROM.
    BdRom,
    /// 0041h: BD-R sequential recording mode.
    BdRSrm,
    /// 0042h: BD-R random recording mode.
    BdRRrm,
    /// 0043h: BD-RE.
    BdRe,
    /// 0050h: HD DVD-ROM.
    HdDvdRom,
    /// 0051h: HD DVD-R.
    HdDvdR,
    /// 0052h: HD DVD-RAM.
    HdDvdRam,
    /// 0053h: HD DVD-RW.
    HdDvdRw,
    /// 0058h: HD DVD-R dual layer.
    HdDvdRDl,
    /// 005Ah: HD DVD-RW dual layer.
    HdDvdRwDl,
    /// FFFFh: drive does not conform to any profile.
    NonStandard,
    /// Any other number.
    Unknown(u16),
}

/// Every defined profile, in number order.
pub const ALL: &[Profile] = &[
    Profile::NonRemovableDisk,
    Profile::RemovableDisk,
    Profile::MoErasable,
    Profile::MoWriteOnce,
    Profile::AsMo,
    Profile::CdRom,
    Profile::CdR,
    Profile::CdRw,
    Profile::DvdRom,
    Profile::DvdRSeq,
    Profile::DvdRam,
    Profile::DvdRwRestricted,
    Profile::DvdRwSeq,
    Profile::DvdRDlSeq,
    Profile::DvdRDlJump,
    Profile::DvdRwDl,
    Profile::DvdDownload,
    Profile::DvdPlusRw,
    Profile::DvdPlusR,
    Profile::DdcdRom,
    Profile::DdcdR,
    Profile::DdcdRw,
    Profile::DvdPlusRwDl,
    Profile::DvdPlusRDl,
    Profile::BdRom,
    Profile::BdRSrm,
    Profile::BdRRrm,
    Profile::BdRe,
    Profile::HdDvdRom,
    Profile::HdDvdR,
    Profile::HdDvdRam,
    Profile::HdDvdRw,
    Profile::HdDvdRDl,
    Profile::HdDvdRwDl,
    Profile::NonStandard,
];

impl Profile {
    /// Decodes a profile number.
    pub fn from_code(code: u16) -> Profile {
        match code {
            0x0000 => Profile::None,
            0xFFFF => Profile::NonStandard,
            c => ALL
                .iter()
                .copied()
                .find(|p| p.code() == c)
                .unwrap_or(Profile::Unknown(c)),
        }
    }

    /// The profile number.
    pub fn code(self) -> u16 {
        match self {
            Profile::None => 0x0000,
            Profile::NonRemovableDisk => 0x0001,
            Profile::RemovableDisk => 0x0002,
            Profile::MoErasable => 0x0003,
            Profile::MoWriteOnce => 0x0004,
            Profile::AsMo => 0x0005,
            Profile::CdRom => 0x0008,
            Profile::CdR => 0x0009,
            Profile::CdRw => 0x000A,
            Profile::DvdRom => 0x0010,
            Profile::DvdRSeq => 0x0011,
            Profile::DvdRam => 0x0012,
            Profile::DvdRwRestricted => 0x0013,
            Profile::DvdRwSeq => 0x0014,
            Profile::DvdRDlSeq => 0x0015,
            Profile::DvdRDlJump => 0x0016,
            Profile::DvdRwDl => 0x0017,
            Profile::DvdDownload => 0x0018,
            Profile::DvdPlusRw => 0x001A,
            Profile::DvdPlusR => 0x001B,
            Profile::DdcdRom => 0x0020,
            Profile::DdcdR => 0x0021,
            Profile::DdcdRw => 0x0022,
            Profile::DvdPlusRwDl => 0x002A,
            Profile::DvdPlusRDl => 0x002B,
            Profile::BdRom => 0x0040,
            Profile::BdRSrm => 0x0041,
            Profile::BdRRrm => 0x0042,
            Profile::BdRe => 0x0043,
            Profile::HdDvdRom => 0x0050,
            Profile::HdDvdR => 0x0051,
            Profile::HdDvdRam => 0x0052,
            Profile::HdDvdRw => 0x0053,
            Profile::HdDvdRDl => 0x0058,
            Profile::HdDvdRwDl => 0x005A,
            Profile::NonStandard => 0xFFFF,
            Profile::Unknown(c) => c,
        }
    }

    /// The name cdrecord prints (its profile table; `None` prints "none").
    pub fn name(self) -> &'static str {
        match self {
            Profile::None => "none",
            Profile::NonRemovableDisk => "Non -removable Disk",
            Profile::RemovableDisk => "Removable Disk",
            Profile::MoErasable => "MO Erasable",
            Profile::MoWriteOnce => "MO Write Once",
            Profile::AsMo => "AS-MO",
            Profile::CdRom => "CD-ROM",
            Profile::CdR => "CD-R",
            Profile::CdRw => "CD-RW",
            Profile::DvdRom => "DVD-ROM",
            Profile::DvdRSeq => "DVD-R sequential recording",
            Profile::DvdRam => "DVD-RAM",
            Profile::DvdRwRestricted => "DVD-RW restricted overwrite",
            Profile::DvdRwSeq => "DVD-RW sequential recording",
            Profile::DvdRDlSeq => "DVD-R/DL sequential recording",
            Profile::DvdRDlJump => "DVD-R/DL layer jump recording",
            Profile::DvdRwDl => "DVD-RW/DL",
            Profile::DvdDownload => "DVD-Download disc recording",
            Profile::DvdPlusRw => "DVD+RW",
            Profile::DvdPlusR => "DVD+R",
            Profile::DdcdRom => "DDCD-ROM",
            Profile::DdcdR => "DDCD-R",
            Profile::DdcdRw => "DDCD-RW",
            Profile::DvdPlusRwDl => "DVD+RW/DL",
            Profile::DvdPlusRDl => "DVD+R/DL",
            Profile::BdRom => "BD-ROM",
            Profile::BdRSrm => "BD-R sequential recording",
            Profile::BdRRrm => "BD-R random recording",
            Profile::BdRe => "BD-RE",
            Profile::HdDvdRom => "HD DVD-ROM",
            Profile::HdDvdR => "HD DVD-R",
            Profile::HdDvdRam => "HD DVD-RAM",
            Profile::HdDvdRw => "HD DVD-RW",
            Profile::HdDvdRDl => "HD DVD-R/DL",
            Profile::HdDvdRwDl => "HD DVD-RW/DL",
            Profile::NonStandard => "No standard Profile",
            Profile::Unknown(_) => "unknown",
        }
    }

    /// The short media name dvd+rw-mediainfo prints after the number ("DVD-R Sequential").
    pub fn mediainfo_name(self) -> &'static str {
        match self {
            Profile::DvdRSeq => "DVD-R Sequential",
            Profile::DvdRwRestricted => "DVD-RW Restricted Overwrite",
            Profile::DvdRwSeq => "DVD-RW Sequential",
            Profile::DvdRDlSeq => "DVD-R Dual Layer Sequential",
            Profile::DvdRDlJump => "DVD-R Dual Layer Jump",
            Profile::DvdPlusRDl => "DVD+R Double Layer",
            Profile::DvdPlusRwDl => "DVD+RW Double Layer",
            Profile::BdRSrm => "BD-R SRM",
            Profile::BdRRrm => "BD-R RRM",
            p => p.name(),
        }
    }

    /// A CD profile (CD-ROM, CD-R, CD-RW).
    pub fn is_cd(self) -> bool {
        matches!(self, Profile::CdRom | Profile::CdR | Profile::CdRw)
    }
    /// A DVD profile (DVD-ROM ..., DVD+R/DL; HD DVD excluded).
    pub fn is_dvd(self) -> bool {
        (0x0010..0x0040).contains(&self.code()) && !self.is_ddcd()
    }
    /// A DDCD profile.
    pub fn is_ddcd(self) -> bool {
        matches!(self, Profile::DdcdRom | Profile::DdcdR | Profile::DdcdRw)
    }
    /// A Blu-ray profile.
    pub fn is_bd(self) -> bool {
        (0x0040..0x0050).contains(&self.code())
    }
    /// An HD DVD profile.
    pub fn is_hd_dvd(self) -> bool {
        (0x0050..0x0060).contains(&self.code())
    }
    /// The medium can be written at all.
    pub fn writable(self) -> bool {
        !matches!(
            self,
            Profile::None
                | Profile::CdRom
                | Profile::DvdRom
                | Profile::DdcdRom
                | Profile::BdRom
                | Profile::HdDvdRom
                | Profile::NonStandard
                | Profile::Unknown(_)
        )
    }
    /// Random-access overwritable media (sessions emulated as growisofs/xorriso do).
    pub fn overwritable(self) -> bool {
        matches!(
            self,
            Profile::DvdRam
                | Profile::DvdRwRestricted
                | Profile::DvdPlusRw
                | Profile::DvdPlusRwDl
                | Profile::BdRe
                | Profile::BdRRrm
                | Profile::HdDvdRam
                | Profile::NonRemovableDisk
                | Profile::RemovableDisk
                | Profile::MoErasable
                | Profile::AsMo
        )
    }
    /// Sequentially recorded media with real sessions (tracks, NWA).
    pub fn sequential(self) -> bool {
        matches!(
            self,
            Profile::CdR
                | Profile::CdRw
                | Profile::DvdRSeq
                | Profile::DvdRwSeq
                | Profile::DvdRDlSeq
                | Profile::DvdRDlJump
                | Profile::DvdRwDl
                | Profile::DvdDownload
                | Profile::DvdPlusR
                | Profile::DvdPlusRDl
                | Profile::BdRSrm
                | Profile::DdcdR
                | Profile::DdcdRw
                | Profile::HdDvdR
                | Profile::HdDvdRDl
                | Profile::HdDvdRw
                | Profile::HdDvdRwDl
        )
    }
    /// Erasable media (can be blanked or rewritten).
    pub fn erasable(self) -> bool {
        matches!(
            self,
            Profile::CdRw
                | Profile::DvdRam
                | Profile::DvdRwRestricted
                | Profile::DvdRwSeq
                | Profile::DvdRwDl
                | Profile::DvdPlusRw
                | Profile::DvdPlusRwDl
                | Profile::DdcdRw
                | Profile::BdRe
                | Profile::HdDvdRam
                | Profile::HdDvdRw
                | Profile::HdDvdRwDl
                | Profile::MoErasable
        )
    }
    /// The medium family as cdrecord names it ("CD", "DVD", "BD", "HD-DVD", "NONE").
    pub fn class_name(self) -> &'static str {
        let c = self.code();
        if (0x08..0x10).contains(&c) {
            "CD"
        } else if (0x10..0x40).contains(&c) {
            "DVD"
        } else if self.is_bd() {
            "BD"
        } else if self.is_hd_dvd() {
            "HD-DVD"
        } else {
            "NONE"
        }
    }
    /// kB/s of 1x for the family (cdrecord: CD 176, DVD 1385, BD/HD DVD 4495).
    pub fn single_speed_kbps(self) -> u32 {
        match self.class_name() {
            "CD" => 176,
            "DVD" => 1385,
            "BD" | "HD-DVD" => 4495,
            _ => 1,
        }
    }
}

impl fmt::Display for Profile {
    /// The cdrecord name, or `0x1234 unknown` for unknown numbers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Profile::Unknown(c) => write!(f, "0x{c:04X} unknown"),
            p => f.write_str(p.name()),
        }
    }
}

impl serde::Serialize for Profile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Profile", 2)?;
        st.serialize_field("code", &self.code())?;
        st.serialize_field("name", self.name())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_every_code() {
        for c in 0..=0xFFFFu16 {
            assert_eq!(Profile::from_code(c).code(), c);
        }
        assert_eq!(Profile::from_code(0x1B), Profile::DvdPlusR);
        assert_eq!(Profile::from_code(0x99), Profile::Unknown(0x99));
        assert_eq!(ALL.len(), 35);
    }

    #[test]
    fn names_and_classes() {
        assert_eq!(Profile::CdR.to_string(), "CD-R");
        assert_eq!(Profile::DvdPlusRDl.to_string(), "DVD+R/DL");
        assert_eq!(Profile::BdRSrm.to_string(), "BD-R sequential recording");
        assert_eq!(Profile::Unknown(0x77).to_string(), "0x0077 unknown");
        assert!(Profile::CdRw.is_cd() && Profile::CdRw.erasable() && Profile::CdRw.sequential());
        assert!(Profile::DvdPlusRw.is_dvd() && Profile::DvdPlusRw.overwritable());
        assert!(Profile::BdRe.is_bd() && !Profile::BdRe.sequential());
        assert!(!Profile::DvdRom.writable() && !Profile::DdcdR.is_dvd());
        assert_eq!(Profile::BdRSrm.single_speed_kbps(), 4495);
        assert_eq!(Profile::DvdRSeq.mediainfo_name(), "DVD-R Sequential");
    }
}
