//! READ TOC/PMA/ATIP format 0100b, ATIP (MMC-6 §6.26.3.6, table 488), and the disc
//! manufacturer as cdrecord names it from the ATIP start time of lead-in (the lead-in
//! start minute is 97; the seconds and tens of frames identify the manufacturer, the last
//! frame digit the dye type). The table below is public data (Orange Book manufacturer
//! codes as cdrecord's `diskid.c` lists them).

use super::{be, Msf};
use crate::error::ParseError;

/// Bytes an ATIP answer needs: header and the descriptor through the lead-out time.
pub const MIN_LEN: usize = 16;
const WRITE_POWER: usize = 4;
const URU: usize = 5;
const DISC_TYPE: usize = 6;
const LEADIN: usize = 8;
const LEADOUT: usize = 12;
const A1: usize = 16;

/// An ATIP answer.
#[derive(Debug, Clone, Copy)]
pub struct AtipView<'a> {
    b: &'a [u8],
}

impl<'a> AtipView<'a> {
    /// The bytes the view covers (clipped to the length the answer announced).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.b
    }

    /// Checks that the header and the lead-in/lead-out times are present.
    pub fn new_checked(b: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("ATIP data", b, MIN_LEN)?;
        let end = super::toc::announced_len(b).clamp(MIN_LEN, b.len());
        Ok(AtipView { b: &b[..end] })
    }
    /// Indicative target writing power (3 bits).
    pub fn writing_power(&self) -> u8 {
        be::bits(self.b, WRITE_POWER, 4, 3)
    }
    /// Reference speed (3 bits).
    pub fn reference_speed(&self) -> u8 {
        be::bits(self.b, WRITE_POWER, 0, 3)
    }
    /// Unrestricted use (URU).
    pub fn unrestricted(&self) -> bool {
        be::bit(self.b, URU, 6)
    }
    /// Disc type bit: true for CD-RW (erasable).
    pub fn erasable(&self) -> bool {
        be::bit(self.b, DISC_TYPE, 6)
    }
    /// Disc sub-type (3 bits).
    pub fn sub_type(&self) -> u8 {
        be::bits(self.b, DISC_TYPE, 3, 3)
    }
    /// A1, A2, A3 valid bits.
    pub fn a_valid(&self) -> (bool, bool, bool) {
        (
            be::bit(self.b, DISC_TYPE, 2),
            be::bit(self.b, DISC_TYPE, 1),
            be::bit(self.b, DISC_TYPE, 0),
        )
    }
    /// ATIP start time of lead-in.
    pub fn leadin_start(&self) -> Msf {
        Msf {
            m: be::u8_at(self.b, LEADIN),
            s: be::u8_at(self.b, LEADIN + 1),
            f: be::u8_at(self.b, LEADIN + 2),
        }
    }
    /// ATIP last possible start time of lead-out.
    pub fn leadout_start(&self) -> Msf {
        Msf {
            m: be::u8_at(self.b, LEADOUT),
            s: be::u8_at(self.b, LEADOUT + 1),
            f: be::u8_at(self.b, LEADOUT + 2),
        }
    }
    /// A1 values, when present.
    pub fn a1(&self) -> Option<[u8; 3]> {
        let s = be::slice(self.b, A1, 3);
        <[u8; 3]>::try_from(s).ok()
    }
}

/// Disc sub-type names of CD-R (cdrecord's `cdr_subtypes`, Orange Book part II).
static CDR_SUBTYPES: [&str; 8] = [
    "Normal Rewritable (CLV) media",
    "High speed Rewritable (CAV) media",
    "Medium Type A, low Beta category (A-)",
    "Medium Type A, high Beta category (A+)",
    "Medium Type B, low Beta category (B-)",
    "Medium Type B, high Beta category (B+)",
    "Medium Type C, low Beta category (C-)",
    "Medium Type C, high Beta category (C+)",
];

/// Disc sub-type names of CD-RW (cdrecord's `cdrw_subtypes`, Orange Book part III).
static CDRW_SUBTYPES: [&str; 8] = [
    "Normal Rewritable (CLV) media",
    "High speed Rewritable (CAV) media",
    "Ultra High speed Rewritable media",
    "Ultra High speed+ Rewritable media",
    "Medium Type B, low Beta category (B-)",
    "Medium Type B, high Beta category (B+)",
    "Medium Type C, low Beta category (C-)",
    "Medium Type C, high Beta category (C+)",
];

/// The disc sub-type text cdrecord prints ("Medium Type A, low Beta category (A-)").
pub fn sub_type_name(erasable: bool, sub_type: u8) -> &'static str {
    let t = if erasable {
        &CDRW_SUBTYPES
    } else {
        &CDR_SUBTYPES
    };
    t[usize::from(sub_type & 7)]
}

/// Manufacturer facts cdrecord prints for a lead-in start time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiscManufacturer {
    /// "Disk type:" line: dye family from the last frame digit, or "Phase change" for RW.
    pub disk_type: &'static str,
    /// "Manuf. index:" (-1 when not in the table).
    pub index: i32,
    /// "Manufacturer:" line.
    pub name: &'static str,
}

const M_KINGPRO: &str = "King Pro Mediatek Inc.";
const M_CUSTPO: &str = "Customer Pressing Oosterhout";
const M_TAEIL: &str = "Taeil Media Co.,Ltd.";
const M_DOREMI: &str = "Doremi Media Co., Ltd.";
const M_XCITEC: &str = "Xcitec Inc.";
const M_LEADDATA: &str = "Lead Data Inc.";
const M_FUJI: &str = "FUJI Photo Film Co., Ltd.";
const M_HITACHI: &str = "Hitachi Maxell, Ltd.";
const M_KODAKJP: &str = "Kodak Japan Limited";
const M_MITSUI: &str = "Mitsui Chemicals, Inc.";
const M_PIONEER: &str = "Pioneer Video Corporation";
const M_PLASMON: &str = "Plasmon Data systems Ltd.";
const M_PRINCO: &str = "Princo Corporation";
const M_RICOH: &str = "Ricoh Company Limited";
const M_SKC: &str = "SKC Co., Ltd.";
const M_TYUDEN: &str = "Taiyo Yuden Company Limited";
const M_TDK: &str = "TDK Corporation";
const M_MITSUBISHI: &str = "Mitsubishi Chemical Corporation";
const M_AUVISTAR: &str = "Auvistar Industry Co.,Ltd.";
const M_GIGASTORE: &str = "GIGASTORAGE CORPORATION";
const M_FORNET: &str = "FORNET INTERNATIONAL PTE LTD.";
const M_CMC: &str = "CMC Magnetics Corporation";
const M_ODM: &str = "Optical Disc Manufacturing Equipment";
const M_RITEK: &str = "Ritek Co.";
const M_BESTDISK: &str = "Bestdisc Technology Corporation";
const M_WEALTH_FAIR: &str = "WEALTH FAIR INVESTMENT LIMITED";
const M_GENERAL_MAG: &str = "General Magnetics Ld";
const M_MPO: &str = "MPO";
const M_JVC: &str = "VICTOR COMPANY OF JAPAN, LIMITED";
const M_VIVISTAR: &str = "VIVASTAR AG";
const M_TAROKO: &str = "TAROKO INTERNATIONAL CO.,LTD.";
const M_UNIDISC: &str = "UNIDISC TECHNOLOGY CO.,LTD";
const M_HOKODIG: &str = "Hong Kong Digital Technology Co., Ltd.";
const M_VIVA: &str = "VIVA MAGNETICS LIMITED";
const M_HILE: &str = "Hile Optical Disc Technology Corp.";
const M_FRIENDLY: &str = "Friendly CD-Tek Co.";
const M_SOUNDSOUND: &str = "Sound Sound Multi-Media Development Limited";
const M_KDG: &str = "kdg mediatech AG";
const M_SEANTRAM: &str = "Seantram Technology Inc.";
const M_EXIMPO: &str = "EXIMPO";
const M_DELPHI: &str = "DELPHI TECHNOLOGY INC.";
const M_HARMONIC: &str = "Harmonic Hall Optical Disc Ltd.";
const M_GUANNYINN: &str = "Guann Yinn Co.,Ltd.";
const M_OPTIME: &str = "Opti.Me.S. S.p.A.";
const M_NACAR: &str = "Nacar Media srl";
const M_OPTROM: &str = "OPTROM.INC.";
const M_AUDIODIS: &str = "AUDIO DISTRIBUTORS CO., LTD.";
const M_ACER: &str = "Acer Media Technology, Inc.";
const M_WOONGJIN: &str = "Woongjin Media corp";
const M_INFODISK: &str = "INFODISC Technology Co., Ltd.";
const M_UNITECH: &str = "UNITECH JAPAN INC.";
const M_AMS: &str = "AMS Technology Inc.";
const M_VANGUARD: &str = "Vanguard Disc Inc.";
const M_GRANDADV: &str = "Grand Advance Technology Ltd.";
const M_DIGITALSTOR: &str = "DIGITAL STORAGE TECHNOLOGY CO.,LTD";
const M_MATSUSHITA: &str = "Matsushita Electric Industrial Co.,Ltd.";
const M_ALBRECHTS: &str = "CDA Datenträger Albrechts GmbH.";
const M_XALBRECHTS: &str = "??? CDA Datenträger Albrechts GmbH.";
const M_PRODISC: &str = "Prodisc Technology Inc.";
const M_POSTECH: &str = "POSTECH Corporation";
const M_ODC: &str = "OPTICAL DISC CORPRATION";
const M_SONY: &str = "SONY Corporation";
const M_CIS: &str = "CIS Technology Inc.";
const M_CSITALY: &str = "Computer Support Italy s.r.l.";
const M_MMMM: &str = "Multi Media Masters & Machinary SA";
const M_ADVANCED: &str = "Advanced Digital Media";
const M_MOSER: &str = "Moser Baer India Limited";
const M_NANYA: &str = "NAN-YA Plastics Corporation";
const M_SHENZEN: &str = "SHENZEN SG&GAST DIGITAL OPTICAL DISCS";
const M_ILL: &str = "Unknown old Manufacturer code";
const M_ILLRW: &str = "Illegal Manufacturer code";

/// Old (illegal) codes matched on the exact 97:ss/ff time: (sec, frame, index, name).
static OLD_CODES: &[(u8, u8, i32, &str)] = &[
    (25, 0, 80, "ILLEGAL OLD CODE: TDK ???"),
    (25, 15, 0, M_ILL),
    (27, 0, 81, "ILLEGAL OLD CODE: Old Ritek Co.???"),
    (27, 25, 0, M_ILL),
    (30, 0, 0, M_ILL),
    (
        33,
        0,
        82,
        "ILLEGAL OLD CODE: Old CDA Datenträger Albrechts GmbH.",
    ),
    (35, 44, 0, M_ILL),
    (39, 0, 0, M_ILL),
    (45, 36, 83, "ILLEGAL OLD CODE: Old Kodak Photo CD"),
    (47, 0, 0, M_ILL),
    (47, 30, 0, M_ILL),
    (48, 14, 0, M_ILL),
    (48, 33, 0, M_ILL),
    (49, 0, 0, M_ILL),
    (54, 0, 0, M_ILL),
    (55, 6, 0, M_ILL),
    (57, 0, 0, M_ILL),
];

/// Code ranges 97:ss/f0..f9 in cdrecord's order (first match wins): (sec, frame tens,
/// index, name). Entries from `GUESSED_FROM` on are guesses cdrecord marks as such.
static CODES: &[(u8, u8, i32, &str)] = &[
    (22, 10, 53, M_SEANTRAM),
    (15, 0, 26, M_TDK),
    (49, 30, 47, M_OPTIME),
    (28, 0, 47, M_OPTIME),
    (28, 40, 36, M_KINGPRO),
    (23, 60, 49, M_CUSTPO),
    (29, 0, 37, M_TAEIL),
    (26, 10, 19, M_POSTECH),
    (47, 40, 19, M_POSTECH),
    (24, 10, 24, M_SONY),
    (23, 10, 33, M_DOREMI),
    (25, 60, 30, M_XCITEC),
    (45, 60, 30, M_XCITEC),
    (26, 50, 10, M_LEADDATA),
    (48, 60, 10, M_LEADDATA),
    (26, 40, 6, M_FUJI),
    (46, 40, 6, M_FUJI),
    (25, 20, 8, M_HITACHI),
    (47, 10, 8, M_HITACHI),
    (27, 40, 9, M_KODAKJP),
    (48, 10, 9, M_KODAKJP),
    (27, 50, 12, M_MITSUI),
    (48, 50, 12, M_MITSUI),
    (27, 30, 17, M_PIONEER),
    (48, 30, 17, M_PIONEER),
    (27, 10, 18, M_PLASMON),
    (48, 20, 18, M_PLASMON),
    (27, 20, 20, M_PRINCO),
    (47, 20, 20, M_PRINCO),
    (27, 60, 21, M_RICOH),
    (48, 0, 21, M_RICOH),
    (26, 20, 23, M_SKC),
    (24, 0, 25, M_TYUDEN),
    (46, 0, 25, M_TYUDEN),
    (32, 0, 26, M_TDK),
    (49, 0, 26, M_TDK),
    (34, 20, 11, M_MITSUBISHI),
    (50, 20, 11, M_MITSUBISHI),
    (28, 30, 1, M_AUVISTAR),
    (46, 50, 1, M_AUVISTAR),
    (28, 10, 7, M_GIGASTORE),
    (49, 10, 7, M_GIGASTORE),
    (26, 0, 5, M_FORNET),
    (45, 0, 5, M_FORNET),
    (26, 60, 3, M_CMC),
    (46, 60, 3, M_CMC),
    (21, 40, 16, M_ODM),
    (31, 0, 22, M_RITEK),
    (47, 50, 22, M_RITEK),
    (28, 20, 13, M_MMMM),
    (46, 20, 13, M_MMMM),
    (32, 10, 27, M_PRODISC),
    // Tentative codes.
    (21, 30, 67, M_BESTDISK),
    (18, 10, 66, M_WEALTH_FAIR),
    (29, 50, 65, M_GENERAL_MAG),
    (25, 0, 64, M_MPO),
    (49, 40, 63, M_JVC),
    (23, 40, 63, M_JVC),
    (25, 40, 62, M_VIVISTAR),
    (18, 60, 61, M_TAROKO),
    (29, 20, 60, M_UNIDISC),
    (46, 10, 59, M_HOKODIG),
    (22, 50, 59, M_HOKODIG),
    (29, 40, 58, M_VIVA),
    (29, 30, 57, M_HILE),
    (51, 50, 57, M_HILE),
    (28, 60, 56, M_FRIENDLY),
    (21, 50, 55, M_SOUNDSOUND),
    (24, 40, 54, M_KDG),
    (22, 30, 52, M_EXIMPO),
    (28, 50, 51, M_DELPHI),
    (29, 0, 50, M_HARMONIC),
    (15, 10, 22, M_RITEK),
    (45, 50, 48, M_GUANNYINN),
    (24, 50, 48, M_GUANNYINN),
    (23, 20, 46, M_NACAR),
    (23, 50, 45, M_OPTROM),
    (23, 30, 44, M_AUDIODIS),
    (22, 60, 43, M_ACER),
    (45, 20, 43, M_ACER),
    (15, 20, 11, M_MITSUBISHI),
    (22, 0, 39, M_WOONGJIN),
    (25, 30, 40, M_INFODISK),
    (51, 20, 40, M_INFODISK),
    (24, 30, 41, M_UNITECH),
    (25, 50, 42, M_AMS),
    (29, 10, 38, M_VANGUARD),
    (50, 10, 38, M_VANGUARD),
    (16, 30, 35, M_GRANDADV),
    (31, 30, 35, M_GRANDADV),
    (51, 10, 35, M_GRANDADV),
    (49, 20, 36, M_KINGPRO),
    (27, 0, 34, M_DIGITALSTOR),
    (48, 40, 34, M_DIGITALSTOR),
    (23, 0, 31, M_MATSUSHITA),
    (49, 60, 31, M_MATSUSHITA),
    (30, 10, 32, M_ALBRECHTS),
    (50, 30, 32, M_ALBRECHTS),
    (47, 60, 27, M_PRODISC),
    (26, 30, 15, M_ODC),
    (22, 40, 2, M_CIS),
    (45, 40, 2, M_CIS),
    (24, 20, 4, M_CSITALY),
    (46, 30, 4, M_CSITALY),
    // Guessed codes.
    (20, 10, 32, M_XALBRECHTS),
    (22, 20, 68, M_ADVANCED),
    (42, 20, 68, M_ADVANCED),
    (24, 60, 50, M_HARMONIC),
    (17, 0, 69, M_MOSER),
    (15, 30, 70, M_NANYA),
    (16, 20, 71, M_SHENZEN),
    (45, 10, 41, M_UNITECH),
];

/// Index in the manufacturer table (`CODES`) from which cdrecord says "Manufacturer is guessed".
pub const GUESSED_FROM: usize = 105;

/// The manufacturer of a CD-R/RW from its ATIP lead-in start time, as cdrecord prints it.
pub fn manufacturer(leadin: Msf, erasable: bool) -> DiscManufacturer {
    let mut disk_type = if erasable {
        "Phase change"
    } else if leadin.f % 10 < 5 {
        "Long strategy type (Cyanine, AZO or similar)"
    } else {
        "Short strategy type (Phthalocyanine or similar)"
    };
    let found = if leadin.m == 97 {
        OLD_CODES
            .iter()
            .find(|&&(s, f, _, _)| s == leadin.s && f == leadin.f)
            .or_else(|| {
                let tens = leadin.f - leadin.f % 10;
                CODES
                    .iter()
                    .find(|&&(s, f, _, _)| s == leadin.s && f == tens)
            })
    } else {
        None
    };
    match found {
        Some(&(_, _, index, name)) if index == 0 || index >= 80 => {
            if erasable {
                DiscManufacturer {
                    disk_type,
                    index: 0,
                    name: M_ILLRW,
                }
            } else {
                disk_type = "unknown dye (old id code)";
                DiscManufacturer {
                    disk_type,
                    index,
                    name,
                }
            }
        }
        Some(&(_, _, index, name)) => DiscManufacturer {
            disk_type,
            index,
            name,
        },
        None => DiscManufacturer {
            disk_type: "unknown dye (reserved id code)",
            index: -1,
            name: "unknown (not in table)",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ATIP of a Ritek CD-R 80 as cdrecord -atip printed it ("Indicated writing power: 4",
    /// "Is not erasable", sub type 2, lead-in 97:15/17, lead-out 79:59/70).
    const RITEK_ATIP: [u8; 28] = [
        0x00, 0x1A, 0x00, 0x00, //
        0x45, 0x00, 0x90, 0x00, // power 4, ref speed 5; disc type 0 sub-type 2; A1 valid
        97, 15, 17, 0x00, // lead-in M S F, reserved
        79, 59, 70, 0x00, // lead-out M S F, reserved
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    #[test]
    fn ritek_cd_r() {
        let v = AtipView::new_checked(&RITEK_ATIP).unwrap();
        assert_eq!(v.writing_power(), 4);
        assert!(!v.erasable());
        assert_eq!(v.sub_type(), 2);
        assert_eq!(
            v.leadin_start(),
            Msf {
                m: 97,
                s: 15,
                f: 17
            }
        );
        assert_eq!(v.leadin_start().to_lba(), -12508);
        assert_eq!(v.leadout_start().to_lba(), 359845);
        let m = manufacturer(v.leadin_start(), v.erasable());
        // cdrecord: "Disk type: Short strategy type (Phthalocyanine or similar)",
        // "Manuf. index: 22", "Manufacturer: Ritek Co."
        assert_eq!(
            m.disk_type,
            "Short strategy type (Phthalocyanine or similar)"
        );
        assert_eq!(m.index, 22);
        assert_eq!(m.name, "Ritek Co.");
    }

    #[test]
    fn sub_types_and_cmc() {
        assert_eq!(
            sub_type_name(false, 2),
            "Medium Type A, low Beta category (A-)"
        );
        assert_eq!(sub_type_name(true, 2), "Ultra High speed Rewritable media");
        // cdrecord: "ATIP start of lead in: -11634 (97:26/66)", "Manuf. index: 3",
        // "Manufacturer: CMC Magnetics Corporation", short strategy.
        let m = manufacturer(
            Msf {
                m: 97,
                s: 26,
                f: 66,
            },
            false,
        );
        assert_eq!(
            Msf {
                m: 97,
                s: 26,
                f: 66
            }
            .to_lba(),
            -11634
        );
        assert_eq!((m.index, m.name), (3, "CMC Magnetics Corporation"));
        assert_eq!(
            m.disk_type,
            "Short strategy type (Phthalocyanine or similar)"
        );
    }

    #[test]
    fn other_codes() {
        // "ATIP start of lead in: -11324 (97:31/01)": Ritek, long strategy.
        let m = manufacturer(Msf { m: 97, s: 31, f: 1 }, false);
        assert_eq!(
            (m.index, m.name, m.disk_type),
            (
                22,
                "Ritek Co.",
                "Long strategy type (Cyanine, AZO or similar)"
            )
        );
        assert_eq!(
            manufacturer(Msf { m: 97, s: 24, f: 1 }, true).name,
            M_TYUDEN
        );
        assert_eq!(
            manufacturer(Msf { m: 97, s: 24, f: 1 }, true).disk_type,
            "Phase change"
        );
        assert_eq!(manufacturer(Msf { m: 97, s: 59, f: 1 }, false).index, -1);
        assert_eq!(
            manufacturer(
                Msf {
                    m: 97,
                    s: 25,
                    f: 15
                },
                false
            )
            .disk_type,
            "unknown dye (old id code)"
        );
        assert_eq!(
            manufacturer(
                Msf {
                    m: 97,
                    s: 25,
                    f: 15
                },
                true
            )
            .name,
            M_ILLRW
        );
        assert_eq!(CODES[GUESSED_FROM].3, M_ADVANCED);
    }

    #[test]
    fn short_atip_is_an_error() {
        assert!(AtipView::new_checked(&RITEK_ATIP[..15]).is_err());
    }
}
