//! MMC-6 features (§5.3, feature codes table 90 and the descriptors of §5.3.2 to §5.3.66):
//! every defined feature code with its name, and the fields of each descriptor decoded.

use std::fmt;

use crate::cmd::be;
use crate::cmd::get_configuration::RawFeature;
use crate::profile::Profile;

/// Defines [`FeatureCode`], [`ALL_FEATURES`] and the name table from one list.
macro_rules! features {
    ($($variant:ident = $code:literal, $text:literal;)*) => {
        /// A feature code (MMC-6 table 90), with `Unknown` for codes the table does not define.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum FeatureCode {
            $(
                #[doc = $text]
                $variant,
            )*
            /// Any other code (vendor specific FF00h..FFFFh included).
            Unknown(u16),
        }

        /// Every defined feature code, in number order.
        pub const ALL_FEATURES: &[FeatureCode] = &[$(FeatureCode::$variant),*];

        impl FeatureCode {
            /// Decodes a feature code.
            pub fn from_code(code: u16) -> FeatureCode {
                match code {
                    $($code => FeatureCode::$variant,)*
                    c => FeatureCode::Unknown(c),
                }
            }

            /// The code.
            pub fn code(self) -> u16 {
                match self {
                    $(FeatureCode::$variant => $code,)*
                    FeatureCode::Unknown(c) => c,
                }
            }
        }

        /// Name of a feature code as MMC-6 table 90 gives it ("unknown feature" otherwise).
        pub fn feature_name(code: u16) -> &'static str {
            match code {
                $($code => $text,)*
                0xFF00..=0xFFFF => "vendor specific",
                _ => "unknown feature",
            }
        }
    };
}

// MMC-6 table 90: variant = code, name.
features! {
    ProfileList = 0x0000, "Profile List";
    Core = 0x0001, "Core";
    Morphing = 0x0002, "Morphing";
    RemovableMedium = 0x0003, "Removable Medium";
    WriteProtect = 0x0004, "Write Protect";
    RandomReadable = 0x0010, "Random Readable";
    MultiRead = 0x001D, "Multi-Read";
    CdRead = 0x001E, "CD Read";
    DvdRead = 0x001F, "DVD Read";
    RandomWritable = 0x0020, "Random Writable";
    IncrementalStreamingWritable = 0x0021, "Incremental Streaming Writable";
    SectorErasable = 0x0022, "Sector Erasable";
    Formattable = 0x0023, "Formattable";
    HardwareDefectManagement = 0x0024, "Hardware Defect Management";
    WriteOnce = 0x0025, "Write Once";
    RestrictedOverwrite = 0x0026, "Restricted Overwrite";
    CdRwCavWrite = 0x0027, "CD-RW CAV Write";
    Mrw = 0x0028, "MRW";
    EnhancedDefectReporting = 0x0029, "Enhanced Defect Reporting";
    DvdPlusRw = 0x002A, "DVD+RW";
    DvdPlusR = 0x002B, "DVD+R";
    RigidRestrictedOverwrite = 0x002C, "Rigid Restricted Overwrite";
    CdTrackAtOnce = 0x002D, "CD Track at Once";
    CdMastering = 0x002E, "CD Mastering";
    DvdRWrite = 0x002F, "DVD-R/-RW Write";
    DdcdRead = 0x0030, "DDCD Read";
    DdcdRWrite = 0x0031, "DDCD-R Write";
    DdcdRwWrite = 0x0032, "DDCD-RW Write";
    LayerJumpRecording = 0x0033, "Layer Jump Recording";
    LjRigidRestrictedOverwrite = 0x0034, "LJ Rigid Restricted Overwrite";
    StopLongOperation = 0x0035, "Stop Long Operation";
    CdRwMediaWriteSupport = 0x0037, "CD-RW Media Write Support";
    BdRPseudoOverwrite = 0x0038, "BD-R Pseudo-Overwrite (POW)";
    DvdPlusRwDualLayer = 0x003A, "DVD+RW Dual Layer";
    DvdPlusRDualLayer = 0x003B, "DVD+R Dual Layer";
    BdRead = 0x0040, "BD Read";
    BdWrite = 0x0041, "BD Write";
    TimelySafeRecording = 0x0042, "Timely Safe Recording (TSR)";
    HdDvdRead = 0x0050, "HD DVD Read";
    HdDvdWrite = 0x0051, "HD DVD Write";
    HdDvdRwFragmentRecording = 0x0052, "HD DVD-RW Fragment Recording";
    HybridDisc = 0x0080, "Hybrid Disc";
    PowerManagement = 0x0100, "Power Management";
    Smart = 0x0101, "S.M.A.R.T.";
    EmbeddedChanger = 0x0102, "Embedded Changer";
    CdAudioExternalPlay = 0x0103, "CD Audio External Play";
    MicrocodeUpgrade = 0x0104, "Microcode Upgrade";
    Timeout = 0x0105, "Timeout";
    DvdCss = 0x0106, "DVD CSS";
    RealTimeStreaming = 0x0107, "Real Time Streaming";
    DriveSerialNumber = 0x0108, "Drive Serial Number";
    MediaSerialNumber = 0x0109, "Media Serial Number";
    DiscControlBlocks = 0x010A, "Disc Control Blocks";
    DvdCprm = 0x010B, "DVD CPRM";
    FirmwareInformation = 0x010C, "Firmware Information";
    Aacs = 0x010D, "AACS";
    DvdCssManagedRecording = 0x010E, "DVD CSS Managed Recording";
    Vcps = 0x0110, "VCPS";
    SecurDisc = 0x0113, "SecurDisc";
    Ossc = 0x0142, "OSSC";
}

impl FeatureCode {
    /// The name MMC-6 table 90 gives it.
    pub fn name(self) -> &'static str {
        feature_name(self.code())
    }
}

impl fmt::Display for FeatureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:04X}h)", self.name(), self.code())
    }
}

/// Name of the physical interface standard of the Core feature (MMC-6 table 92).
pub fn interface_name(code: u32) -> &'static str {
    match code {
        0x0000_0000 => "Unspecified",
        0x0000_0001 => "SCSI Family",
        0x0000_0002 => "ATAPI",
        0x0000_0003 => "IEEE 1394 - 1995",
        0x0000_0004 => "IEEE 1394A",
        0x0000_0005 => "Fibre Channel",
        0x0000_0006 => "IEEE 1394B",
        0x0000_0007 => "Serial ATAPI",
        0x0000_0008 => "USB (both 1.1 and 2.0)",
        0x0000_FFFF => "Vendor Unique",
        _ => "reserved",
    }
}

/// Name of the loading mechanism of the Removable Medium feature (MMC-6 table 95).
pub fn loading_mechanism_name(code: u8) -> &'static str {
    match code {
        0 => "Caddy/Slot type",
        1 => "Tray type",
        2 => "Pop-up type",
        4 => "Embedded changer with individually changeable discs",
        5 => "Embedded changer using a magazine mechanism",
        _ => "reserved",
    }
}

/// One profile descriptor of the Profile List feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ProfileEntry {
    /// The profile.
    pub profile: Profile,
    /// CurrentP: the profile is the current one.
    pub current: bool,
}

/// The decoded body of a feature descriptor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind")]
pub enum FeatureBody {
    /// 0000h.
    ProfileList {
        /// Profiles in the order given.
        profiles: Vec<ProfileEntry>,
    },
    /// 0001h.
    Core {
        /// Physical interface standard.
        interface: u32,
        /// INQUIRY2: supports all INQUIRY data.
        inq2: bool,
        /// Device busy event.
        dbe: bool,
    },
    /// 0002h.
    Morphing {
        /// OCEvent: operational change request/notification class events.
        oc_event: bool,
        /// Async: asynchronous GET EVENT STATUS NOTIFICATION.
        async_gesn: bool,
    },
    /// 0003h.
    RemovableMedium {
        /// Loading mechanism type (3 bits).
        loading_mechanism: u8,
        /// Load: can load the medium.
        load: bool,
        /// Eject: START STOP UNIT can eject.
        eject: bool,
        /// Pvnt Jmpr: prevent jumper absent.
        prevent_jumper: bool,
        /// DBML: device busy event for media locked.
        dbml: bool,
        /// Lock: PREVENT ALLOW MEDIUM REMOVAL can lock.
        lock: bool,
    },
    /// 0004h.
    WriteProtect {
        /// DWP: disc write protect via PWP status.
        dwp: bool,
        /// WDCB: write inhibit DCB.
        wdcb: bool,
        /// SPWP: set persistent write protect.
        spwp: bool,
        /// SSWPP: supports software write protect until power-down.
        sswpp: bool,
    },
    /// 0010h Random Readable, 0025h Write Once: block size, blocking, PP.
    Blocks {
        /// Logical block size.
        block_size: u32,
        /// Blocking (sectors per ECC block).
        blocking: u16,
        /// PP: page present (blocking is valid).
        page_present: bool,
    },
    /// 001Eh.
    CdRead {
        /// DAP: READ CD MSF with DAP bit.
        dap: bool,
        /// C2 error pointers.
        c2: bool,
        /// CD-Text.
        cd_text: bool,
    },
    /// 001Fh.
    DvdRead {
        /// MULTI110: reads DVD-R/-RW per Multi-Read 1.1.
        multi110: bool,
        /// Dual-R: reads DVD-R DL.
        dual_r: bool,
        /// Dual-RW: reads DVD-RW DL.
        dual_rw: bool,
    },
    /// 0020h.
    RandomWritable {
        /// Last LBA.
        last_lba: u32,
        /// Logical block size.
        block_size: u32,
        /// Blocking.
        blocking: u16,
        /// PP.
        page_present: bool,
    },
    /// 0021h.
    IncrementalStreaming {
        /// Data block types supported (bit n = type n).
        data_block_types: u16,
        /// TRIO: track resources information.
        trio: bool,
        /// ARSV: address mode reservation.
        arsv: bool,
        /// BUF: buffer underrun free recording.
        buf: bool,
        /// Link sizes.
        link_sizes: Vec<u8>,
    },
    /// 0023h.
    Formattable {
        /// RENoSA.
        renosa: bool,
        /// Expand.
        expand: bool,
        /// QCert.
        qcert: bool,
        /// Cert.
        cert: bool,
        /// FRF.
        frf: bool,
        /// RRM (BD-R random recording).
        rrm: bool,
    },
    /// 0024h.
    DefectManagement {
        /// SSA: spare area information.
        ssa: bool,
    },
    /// 0028h.
    Mrw {
        /// DVD+ write.
        dvd_plus_write: bool,
        /// DVD+ read.
        dvd_plus_read: bool,
        /// CD write.
        cd_write: bool,
    },
    /// 0029h.
    EnhancedDefectReporting {
        /// DRT-DM.
        drt_dm: bool,
        /// Number of DBI cache zones.
        dbi_cache_zones: u8,
        /// Number of entries.
        entries: u16,
    },
    /// 002Ah DVD+RW, 003Ah DVD+RW DL.
    DvdPlusRw {
        /// Write.
        write: bool,
        /// Quick start.
        quick_start: bool,
        /// Close only.
        close_only: bool,
    },
    /// 002Bh DVD+R, 003Bh DVD+R DL.
    DvdPlusR {
        /// Write.
        write: bool,
    },
    /// 002Ch.
    RigidRestrictedOverwrite {
        /// DSDG.
        dsdg: bool,
        /// DSDR.
        dsdr: bool,
        /// Intermediate.
        intermediate: bool,
        /// Blank.
        blank: bool,
    },
    /// 002Dh.
    CdTao {
        /// BUF.
        buf: bool,
        /// R-W raw.
        rw_raw: bool,
        /// R-W pack.
        rw_pack: bool,
        /// Test write.
        test_write: bool,
        /// CD-RW.
        cd_rw: bool,
        /// R-W subcode.
        rw_subcode: bool,
        /// Data type supported (bitmap).
        data_types: u16,
    },
    /// 002Eh.
    CdMastering {
        /// BUF.
        buf: bool,
        /// SAO.
        sao: bool,
        /// Raw MS.
        raw_ms: bool,
        /// Raw.
        raw: bool,
        /// Test write.
        test_write: bool,
        /// CD-RW.
        cd_rw: bool,
        /// R-W.
        rw: bool,
        /// Maximum cue sheet length.
        max_cue_len: u32,
    },
    /// 002Fh.
    DvdRWrite {
        /// BUF.
        buf: bool,
        /// RDL: DVD-R DL.
        rdl: bool,
        /// Test write.
        test_write: bool,
        /// DVD-RW SL.
        dvd_rw: bool,
    },
    /// 0033h.
    LayerJump {
        /// Link sizes.
        link_sizes: Vec<u8>,
    },
    /// 0037h.
    CdRwMediaWrite {
        /// CD-RW media sub-types supported (bitmap).
        subtypes: u8,
    },
    /// 0040h BD Read, 0041h BD Write: class bitmaps.
    Bd {
        /// SVNR (write only).
        svnr: bool,
        /// Per-class bitmaps as given (BD-RE, BD-R, BD-ROM classes 0..3).
        bitmaps: Vec<u16>,
    },
    /// 0050h HD DVD Read, 0051h HD DVD Write.
    HdDvd {
        /// HD DVD-R.
        r: bool,
        /// HD DVD-RAM.
        ram: bool,
    },
    /// 0080h.
    HybridDisc {
        /// RI: reset immunity.
        ri: bool,
    },
    /// 0101h.
    Smart {
        /// PP: informational exceptions page present.
        pp: bool,
    },
    /// 0102h.
    EmbeddedChanger {
        /// SCC: side change capable.
        scc: bool,
        /// SDP: supports disc present.
        sdp: bool,
        /// Highest slot number.
        highest_slot: u8,
    },
    /// 0103h.
    CdAudioExternalPlay {
        /// Scan.
        scan: bool,
        /// SCM: separate channel mute.
        scm: bool,
        /// SV: separate volume.
        sv: bool,
        /// Number of volume levels.
        volume_levels: u16,
    },
    /// 0104h.
    MicrocodeUpgrade {
        /// M5: WRITE BUFFER offsets multiple of 4.
        m5: bool,
    },
    /// 0105h.
    Timeout {
        /// Group3.
        group3: bool,
        /// Unit length.
        unit_length: u16,
    },
    /// 0106h DVD CSS, 010Bh DVD CPRM, 0110h VCPS: a version byte.
    Version {
        /// Version.
        version: u8,
    },
    /// 0107h.
    RealTimeStreaming {
        /// RBCB: read buffer capacity block.
        rbcb: bool,
        /// SCS: set CD speed.
        scs: bool,
        /// MP2A: mode page 2Ah write speed descriptors.
        mp2a: bool,
        /// WSPD: GET PERFORMANCE type 3.
        wspd: bool,
        /// SW: stream writing.
        sw: bool,
    },
    /// 0108h Drive Serial Number, 010Ch Firmware Information (date): text.
    Text {
        /// The text, trailing spaces and NULs removed, non-ASCII replaced.
        text: String,
    },
    /// 010Ah.
    DiscControlBlocks {
        /// Supported DCB entries.
        entries: Vec<u32>,
    },
    /// 010Dh.
    Aacs {
        /// BNG: binding nonce generation.
        bng: bool,
        /// Block count for binding nonce.
        block_count: u8,
        /// Number of AGIDs.
        agids: u8,
        /// AACS version.
        version: u8,
    },
    /// Features without fields (Multi-Read, Sector Erasable, Restricted Overwrite, CD-RW
    /// CAV, BD-R POW, TSR, Power Management, Media Serial Number, ...).
    NoFields,
    /// Unknown feature, or one whose data is shorter than MMC-6 says: raw bytes.
    Raw {
        /// The feature-dependent data.
        data: Vec<u8>,
    },
}

/// A decoded feature descriptor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Feature {
    /// Feature code.
    pub code: u16,
    /// Name from MMC-6 table 90.
    pub name: &'static str,
    /// Version.
    pub version: u8,
    /// Persistent.
    pub persistent: bool,
    /// Current.
    pub current: bool,
    /// Decoded fields.
    pub body: FeatureBody,
}

fn text_of(b: &[u8]) -> String {
    let s: String = b
        .iter()
        .map(|&c| {
            if (0x20..0x7F).contains(&c) {
                c as char
            } else {
                ' '
            }
        })
        .collect();
    s.trim().to_string()
}

fn link_sizes(d: &[u8], count_at: usize, list_at: usize) -> Vec<u8> {
    let n = usize::from(be::u8_at(d, count_at));
    be::slice(d, list_at, n).to_vec()
}

impl Feature {
    /// The feature code as an enum.
    pub fn kind(&self) -> FeatureCode {
        FeatureCode::from_code(self.code)
    }

    /// Decodes a raw descriptor. Never panics: a body shorter than MMC-6 requires decodes
    /// as [`FeatureBody::Raw`].
    pub fn decode(raw: &RawFeature<'_>) -> Feature {
        let d = raw.data;
        let need = |n: usize| d.len() >= n;
        let body = match raw.code {
            0x0000 => FeatureBody::ProfileList {
                profiles: d
                    .chunks_exact(4)
                    .map(|p| ProfileEntry {
                        profile: Profile::from_code(be::u16_at(p, 0)),
                        current: be::bit(p, 2, 0),
                    })
                    .collect(),
            },
            0x0001 if need(4) => FeatureBody::Core {
                interface: be::u32_at(d, 0),
                inq2: be::bit(d, 4, 1),
                dbe: be::bit(d, 4, 0),
            },
            0x0002 if need(1) => FeatureBody::Morphing {
                oc_event: be::bit(d, 0, 1),
                async_gesn: be::bit(d, 0, 0),
            },
            0x0003 if need(1) => FeatureBody::RemovableMedium {
                loading_mechanism: be::bits(d, 0, 5, 3),
                load: be::bit(d, 0, 4),
                eject: be::bit(d, 0, 3),
                prevent_jumper: be::bit(d, 0, 2),
                dbml: be::bit(d, 0, 1),
                lock: be::bit(d, 0, 0),
            },
            0x0004 if need(1) => FeatureBody::WriteProtect {
                dwp: be::bit(d, 0, 3),
                wdcb: be::bit(d, 0, 2),
                spwp: be::bit(d, 0, 1),
                sswpp: be::bit(d, 0, 0),
            },
            0x0010 | 0x0025 if need(7) => FeatureBody::Blocks {
                block_size: be::u32_at(d, 0),
                blocking: be::u16_at(d, 4),
                page_present: be::bit(d, 6, 0),
            },
            0x001E if need(1) => FeatureBody::CdRead {
                dap: be::bit(d, 0, 7),
                c2: be::bit(d, 0, 1),
                cd_text: be::bit(d, 0, 0),
            },
            0x001F if need(3) => FeatureBody::DvdRead {
                multi110: be::bit(d, 0, 0),
                dual_r: be::bit(d, 2, 0),
                dual_rw: be::bit(d, 2, 1),
            },
            0x001F => FeatureBody::DvdRead {
                multi110: false,
                dual_r: false,
                dual_rw: false,
            },
            0x0020 if need(11) => FeatureBody::RandomWritable {
                last_lba: be::u32_at(d, 0),
                block_size: be::u32_at(d, 4),
                blocking: be::u16_at(d, 8),
                page_present: be::bit(d, 10, 0),
            },
            0x0021 if need(4) => FeatureBody::IncrementalStreaming {
                data_block_types: be::u16_at(d, 0),
                trio: be::bit(d, 2, 2),
                arsv: be::bit(d, 2, 1),
                buf: be::bit(d, 2, 0),
                link_sizes: link_sizes(d, 3, 4),
            },
            0x0023 => FeatureBody::Formattable {
                renosa: be::bit(d, 0, 3),
                expand: be::bit(d, 0, 2),
                qcert: be::bit(d, 0, 1),
                cert: be::bit(d, 0, 0),
                frf: be::bit(d, 1, 7),
                rrm: be::bit(d, 4, 0),
            },
            0x0024 => FeatureBody::DefectManagement {
                ssa: be::bit(d, 0, 7),
            },
            0x0028 if need(1) => FeatureBody::Mrw {
                dvd_plus_write: be::bit(d, 0, 2),
                dvd_plus_read: be::bit(d, 0, 1),
                cd_write: be::bit(d, 0, 0),
            },
            0x0029 => FeatureBody::EnhancedDefectReporting {
                drt_dm: be::bit(d, 0, 0),
                dbi_cache_zones: be::u8_at(d, 1),
                entries: be::u16_at(d, 2),
            },
            0x002A | 0x003A if need(2) => FeatureBody::DvdPlusRw {
                write: be::bit(d, 0, 0),
                quick_start: be::bit(d, 1, 1),
                close_only: be::bit(d, 1, 0),
            },
            0x002B | 0x003B if need(1) => FeatureBody::DvdPlusR {
                write: be::bit(d, 0, 0),
            },
            0x002C if need(1) => FeatureBody::RigidRestrictedOverwrite {
                dsdg: be::bit(d, 0, 3),
                dsdr: be::bit(d, 0, 2),
                intermediate: be::bit(d, 0, 1),
                blank: be::bit(d, 0, 0),
            },
            0x002D if need(4) => FeatureBody::CdTao {
                buf: be::bit(d, 0, 6),
                rw_raw: be::bit(d, 0, 4),
                rw_pack: be::bit(d, 0, 3),
                test_write: be::bit(d, 0, 2),
                cd_rw: be::bit(d, 0, 1),
                rw_subcode: be::bit(d, 0, 0),
                data_types: be::u16_at(d, 2),
            },
            // A descriptor cut short still carries its bits in the first byte; the missing
            // Maximum Cue Sheet Length reads as 0, "not reported".
            0x002E if need(1) => FeatureBody::CdMastering {
                buf: be::bit(d, 0, 6),
                sao: be::bit(d, 0, 5),
                raw_ms: be::bit(d, 0, 4),
                raw: be::bit(d, 0, 3),
                test_write: be::bit(d, 0, 2),
                cd_rw: be::bit(d, 0, 1),
                rw: be::bit(d, 0, 0),
                max_cue_len: be::u24_at(d, 1),
            },
            0x002F if need(1) => FeatureBody::DvdRWrite {
                buf: be::bit(d, 0, 6),
                rdl: be::bit(d, 0, 3),
                test_write: be::bit(d, 0, 2),
                dvd_rw: be::bit(d, 0, 1),
            },
            0x0033 if need(4) => FeatureBody::LayerJump {
                link_sizes: link_sizes(d, 3, 4),
            },
            0x0037 if need(2) => FeatureBody::CdRwMediaWrite {
                subtypes: be::u8_at(d, 1),
            },
            0x0040 | 0x0041 => FeatureBody::Bd {
                svnr: raw.code == 0x0041 && be::bit(d, 0, 0),
                bitmaps: be::slice(d, 4, d.len().saturating_sub(4))
                    .chunks_exact(2)
                    .map(|c| be::u16_at(c, 0))
                    .collect(),
            },
            0x0050 | 0x0051 if need(3) => FeatureBody::HdDvd {
                r: be::bit(d, 0, 0),
                ram: be::bit(d, 2, 0),
            },
            0x0080 if need(1) => FeatureBody::HybridDisc {
                ri: be::bit(d, 0, 0),
            },
            0x0101 if need(1) => FeatureBody::Smart {
                pp: be::bit(d, 0, 0),
            },
            0x0102 if need(4) => FeatureBody::EmbeddedChanger {
                scc: be::bit(d, 0, 4),
                sdp: be::bit(d, 0, 2),
                highest_slot: be::bits(d, 3, 0, 5),
            },
            0x0103 if need(4) => FeatureBody::CdAudioExternalPlay {
                scan: be::bit(d, 0, 2),
                scm: be::bit(d, 0, 1),
                sv: be::bit(d, 0, 0),
                volume_levels: be::u16_at(d, 2),
            },
            0x0104 if need(1) => FeatureBody::MicrocodeUpgrade {
                m5: be::bit(d, 0, 0),
            },
            0x0105 => FeatureBody::Timeout {
                group3: be::bit(d, 0, 0),
                unit_length: be::u16_at(d, 2),
            },
            0x0106 | 0x010B | 0x0110 if need(4) => FeatureBody::Version {
                version: be::u8_at(d, 3),
            },
            0x0107 if need(1) => FeatureBody::RealTimeStreaming {
                rbcb: be::bit(d, 0, 4),
                scs: be::bit(d, 0, 3),
                mp2a: be::bit(d, 0, 2),
                wspd: be::bit(d, 0, 1),
                sw: be::bit(d, 0, 0),
            },
            0x0108 | 0x010C => FeatureBody::Text { text: text_of(d) },
            0x010A => FeatureBody::DiscControlBlocks {
                entries: d.chunks_exact(4).map(|c| be::u32_at(c, 0)).collect(),
            },
            0x010D if need(4) => FeatureBody::Aacs {
                bng: be::bit(d, 0, 0),
                block_count: be::u8_at(d, 1),
                agids: be::bits(d, 2, 0, 4),
                version: be::u8_at(d, 3),
            },
            0x001D | 0x0022 | 0x0026 | 0x0027 | 0x0038 | 0x0042 | 0x0100 | 0x0109 => {
                FeatureBody::NoFields
            }
            _ => FeatureBody::Raw { data: d.to_vec() },
        };
        Feature {
            code: raw.code,
            name: feature_name(raw.code),
            version: raw.version,
            persistent: raw.persistent,
            current: raw.current,
            body,
        }
    }
}

fn flags(f: &mut fmt::Formatter<'_>, list: &[(&str, bool)]) -> fmt::Result {
    let on: Vec<&str> = list.iter().filter(|(_, v)| *v).map(|(n, _)| *n).collect();
    if on.is_empty() {
        Ok(())
    } else {
        write!(f, " {}", on.join(" "))
    }
}

impl fmt::Display for Feature {
    /// `0021h Incremental Streaming Writable (current) v1: data block types 0x4001 BUF
    /// link sizes [16]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}h {}", self.code, self.name)?;
        if self.current {
            f.write_str(" (current)")?;
        }
        if self.persistent {
            f.write_str(" (persistent)")?;
        }
        write!(f, " v{}", self.version)?;
        match &self.body {
            FeatureBody::ProfileList { profiles } => {
                f.write_str(":")?;
                for p in profiles {
                    write!(
                        f,
                        " {}{}",
                        p.profile,
                        if p.current { " (current)" } else { "" }
                    )?;
                    f.write_str(",")?;
                }
                Ok(())
            }
            FeatureBody::Core {
                interface,
                inq2,
                dbe,
            } => {
                write!(f, ": interface {}", interface_name(*interface))?;
                flags(f, &[("INQ2", *inq2), ("DBE", *dbe)])
            }
            FeatureBody::Morphing {
                oc_event,
                async_gesn,
            } => {
                f.write_str(":")?;
                flags(f, &[("OCEvent", *oc_event), ("Async", *async_gesn)])
            }
            FeatureBody::RemovableMedium {
                loading_mechanism,
                load,
                eject,
                prevent_jumper,
                dbml,
                lock,
            } => {
                write!(
                    f,
                    ": loading mechanism {}",
                    loading_mechanism_name(*loading_mechanism)
                )?;
                flags(
                    f,
                    &[
                        ("Load", *load),
                        ("Eject", *eject),
                        ("PvntJmpr", *prevent_jumper),
                        ("DBML", *dbml),
                        ("Lock", *lock),
                    ],
                )
            }
            FeatureBody::WriteProtect {
                dwp,
                wdcb,
                spwp,
                sswpp,
            } => {
                f.write_str(":")?;
                flags(
                    f,
                    &[
                        ("DWP", *dwp),
                        ("WDCB", *wdcb),
                        ("SPWP", *spwp),
                        ("SSWPP", *sswpp),
                    ],
                )
            }
            FeatureBody::Blocks {
                block_size,
                blocking,
                page_present,
            } => {
                write!(f, ": block size {block_size}, blocking {blocking}")?;
                flags(f, &[("PP", *page_present)])
            }
            FeatureBody::CdRead { dap, c2, cd_text } => {
                f.write_str(":")?;
                flags(f, &[("DAP", *dap), ("C2", *c2), ("CD-Text", *cd_text)])
            }
            FeatureBody::DvdRead {
                multi110,
                dual_r,
                dual_rw,
            } => {
                f.write_str(":")?;
                flags(
                    f,
                    &[
                        ("MULTI110", *multi110),
                        ("Dual-R", *dual_r),
                        ("Dual-RW", *dual_rw),
                    ],
                )
            }
            FeatureBody::RandomWritable {
                last_lba,
                block_size,
                blocking,
                page_present,
            } => {
                write!(
                    f,
                    ": last LBA {last_lba}, block size {block_size}, blocking {blocking}"
                )?;
                flags(f, &[("PP", *page_present)])
            }
            FeatureBody::IncrementalStreaming {
                data_block_types,
                trio,
                arsv,
                buf,
                link_sizes,
            } => {
                write!(f, ": data block types 0x{data_block_types:04X}")?;
                flags(f, &[("TRIO", *trio), ("ARSV", *arsv), ("BUF", *buf)])?;
                write!(f, " link sizes {link_sizes:?}")
            }
            FeatureBody::Formattable {
                renosa,
                expand,
                qcert,
                cert,
                frf,
                rrm,
            } => {
                f.write_str(":")?;
                flags(
                    f,
                    &[
                        ("RENoSA", *renosa),
                        ("Expand", *expand),
                        ("QCert", *qcert),
                        ("Cert", *cert),
                        ("FRF", *frf),
                        ("RRM", *rrm),
                    ],
                )
            }
            FeatureBody::DefectManagement { ssa } => {
                f.write_str(":")?;
                flags(f, &[("SSA", *ssa)])
            }
            FeatureBody::Mrw {
                dvd_plus_write,
                dvd_plus_read,
                cd_write,
            } => {
                f.write_str(":")?;
                flags(
                    f,
                    &[
                        ("DVD+Write", *dvd_plus_write),
                        ("DVD+Read", *dvd_plus_read),
                        ("CDWrite", *cd_write),
                    ],
                )
            }
            FeatureBody::EnhancedDefectReporting {
                drt_dm,
                dbi_cache_zones,
                entries,
            } => {
                write!(f, ": DBI cache zones {dbi_cache_zones}, entries {entries}")?;
                flags(f, &[("DRT-DM", *drt_dm)])
            }
            FeatureBody::DvdPlusRw {
                write,
                quick_start,
                close_only,
            } => {
                f.write_str(":")?;
                flags(
                    f,
                    &[
                        ("Write", *write),
                        ("QuickStart", *quick_start),
                        ("CloseOnly", *close_only),
                    ],
                )
            }
            FeatureBody::DvdPlusR { write } => {
                f.write_str(":")?;
                flags(f, &[("Write", *write)])
            }
            FeatureBody::RigidRestrictedOverwrite {
                dsdg,
                dsdr,
                intermediate,
                blank,
            } => {
                f.write_str(":")?;
                flags(
                    f,
                    &[
                        ("DSDG", *dsdg),
                        ("DSDR", *dsdr),
                        ("Intermediate", *intermediate),
                        ("Blank", *blank),
                    ],
                )
            }
            FeatureBody::CdTao {
                buf,
                rw_raw,
                rw_pack,
                test_write,
                cd_rw,
                rw_subcode,
                data_types,
            } => {
                write!(f, ": data types 0x{data_types:04X}")?;
                flags(
                    f,
                    &[
                        ("BUF", *buf),
                        ("R-W-Raw", *rw_raw),
                        ("R-W-Pack", *rw_pack),
                        ("TestWrite", *test_write),
                        ("CD-RW", *cd_rw),
                        ("R-W-Subcode", *rw_subcode),
                    ],
                )
            }
            FeatureBody::CdMastering {
                buf,
                sao,
                raw_ms,
                raw,
                test_write,
                cd_rw,
                rw,
                max_cue_len,
            } => {
                write!(f, ": max cue sheet length {max_cue_len}")?;
                flags(
                    f,
                    &[
                        ("BUF", *buf),
                        ("SAO", *sao),
                        ("RAW-MS", *raw_ms),
                        ("RAW", *raw),
                        ("TestWrite", *test_write),
                        ("CD-RW", *cd_rw),
                        ("R-W", *rw),
                    ],
                )
            }
            FeatureBody::DvdRWrite {
                buf,
                rdl,
                test_write,
                dvd_rw,
            } => {
                f.write_str(":")?;
                flags(
                    f,
                    &[
                        ("BUF", *buf),
                        ("RDL", *rdl),
                        ("TestWrite", *test_write),
                        ("DVD-RW", *dvd_rw),
                    ],
                )
            }
            FeatureBody::LayerJump { link_sizes } => write!(f, ": link sizes {link_sizes:?}"),
            FeatureBody::CdRwMediaWrite { subtypes } => write!(f, ": subtypes 0x{subtypes:02X}"),
            FeatureBody::Bd { svnr, bitmaps } => {
                write!(f, ": class bitmaps {bitmaps:04X?}")?;
                flags(f, &[("SVNR", *svnr)])
            }
            FeatureBody::HdDvd { r, ram } => {
                f.write_str(":")?;
                flags(f, &[("HD DVD-R", *r), ("HD DVD-RAM", *ram)])
            }
            FeatureBody::HybridDisc { ri } => {
                f.write_str(":")?;
                flags(f, &[("RI", *ri)])
            }
            FeatureBody::Smart { pp } => {
                f.write_str(":")?;
                flags(f, &[("PP", *pp)])
            }
            FeatureBody::EmbeddedChanger {
                scc,
                sdp,
                highest_slot,
            } => {
                write!(f, ": highest slot {highest_slot}")?;
                flags(f, &[("SCC", *scc), ("SDP", *sdp)])
            }
            FeatureBody::CdAudioExternalPlay {
                scan,
                scm,
                sv,
                volume_levels,
            } => {
                write!(f, ": volume levels {volume_levels}")?;
                flags(f, &[("Scan", *scan), ("SCM", *scm), ("SV", *sv)])
            }
            FeatureBody::MicrocodeUpgrade { m5 } => {
                f.write_str(":")?;
                flags(f, &[("M5", *m5)])
            }
            FeatureBody::Timeout {
                group3,
                unit_length,
            } => {
                write!(f, ": unit length {unit_length}")?;
                flags(f, &[("Group3", *group3)])
            }
            FeatureBody::Version { version } => write!(f, ": version {version}"),
            FeatureBody::RealTimeStreaming {
                rbcb,
                scs,
                mp2a,
                wspd,
                sw,
            } => {
                f.write_str(":")?;
                flags(
                    f,
                    &[
                        ("RBCB", *rbcb),
                        ("SCS", *scs),
                        ("MP2A", *mp2a),
                        ("WSPD", *wspd),
                        ("SW", *sw),
                    ],
                )
            }
            FeatureBody::Text { text } => write!(f, ": {text}"),
            FeatureBody::DiscControlBlocks { entries } => write!(f, ": {entries:08X?}"),
            FeatureBody::Aacs {
                bng,
                block_count,
                agids,
                version,
            } => {
                write!(
                    f,
                    ": version {version}, AGIDs {agids}, block count {block_count}"
                )?;
                flags(f, &[("BNG", *bng)])
            }
            FeatureBody::NoFields => Ok(()),
            FeatureBody::Raw { data } => {
                f.write_str(": data")?;
                for b in data {
                    write!(f, " {b:02X}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::get_configuration::{tests::QEMU_CD, ConfigurationView};

    fn decode(code: u16, current: bool, data: &[u8]) -> Feature {
        Feature::decode(&RawFeature {
            code,
            version: 0,
            persistent: false,
            current,
            data,
        })
    }

    #[test]
    fn qemu_features_decode() {
        let v = ConfigurationView::new_checked(&QEMU_CD).unwrap();
        let f: Vec<Feature> = v.features().map(|r| Feature::decode(&r)).collect();
        assert_eq!(
            f[0].body,
            FeatureBody::ProfileList {
                profiles: vec![
                    ProfileEntry {
                        profile: Profile::DvdRom,
                        current: false
                    },
                    ProfileEntry {
                        profile: Profile::CdRom,
                        current: true
                    },
                ]
            }
        );
        assert_eq!(
            f[1].body,
            FeatureBody::Core {
                interface: 1,
                inq2: false,
                dbe: true
            }
        );
        // 0x39: tray (001b), Eject, Pvnt Jmpr... QEMU's comment: tray, load, eject, lock.
        assert_eq!(
            f[2].body,
            FeatureBody::RemovableMedium {
                loading_mechanism: 1,
                load: true,
                eject: true,
                prevent_jumper: false,
                dbml: false,
                lock: true
            }
        );
        assert_eq!(
            f[2].to_string(),
            "0003h Removable Medium (current) (persistent) v2: loading mechanism Tray type Load Eject Lock"
        );
        assert_eq!(
            f[1].to_string(),
            "0001h Core (current) (persistent) v2: interface SCSI Family DBE"
        );
    }

    #[test]
    fn feature_codes_roundtrip() {
        for c in 0..=0xFFFFu16 {
            assert_eq!(FeatureCode::from_code(c).code(), c);
        }
        for f in ALL_FEATURES {
            assert_ne!(f.name(), "unknown feature", "{f:?}");
        }
        assert_eq!(FeatureCode::from_code(0x2D), FeatureCode::CdTrackAtOnce);
        assert_eq!(FeatureCode::BdWrite.to_string(), "BD Write (0041h)");
        assert_eq!(
            decode(0x107, true, &[0x1F, 0, 0, 0]).kind(),
            FeatureCode::RealTimeStreaming
        );
    }

    #[test]
    fn tgt_features() {
        // tgt usr/mmc.c: core with ATAPI, random readable 2048 blocking 16 PP.
        let core = decode(1, true, &[0, 0, 0, 2]);
        assert_eq!(
            core.body,
            FeatureBody::Core {
                interface: 2,
                inq2: false,
                dbe: false
            }
        );
        let rr = decode(0x10, true, &[0, 0, 8, 0, 0, 0x10, 1, 0]);
        assert_eq!(
            rr.body,
            FeatureBody::Blocks {
                block_size: 2048,
                blocking: 16,
                page_present: true
            }
        );
        let dvdpr = decode(0x2B, true, &[1, 0, 0, 0]);
        assert_eq!(dvdpr.body, FeatureBody::DvdPlusR { write: true });
        assert_eq!(dvdpr.name, "DVD+R");
    }

    #[test]
    fn mmc6_incremental_streaming() {
        // Data block types 0x4001 (mode 1 and... ), BUF, one link size of 7 (CD) .
        let f = decode(0x21, false, &[0x40, 0x01, 0x01, 0x01, 0x07, 0, 0, 0]);
        assert_eq!(
            f.body,
            FeatureBody::IncrementalStreaming {
                data_block_types: 0x4001,
                trio: false,
                arsv: false,
                buf: true,
                link_sizes: vec![7]
            }
        );
        // A link size count larger than the data is clipped, never a panic.
        let f = decode(0x21, false, &[0, 0, 0, 200, 1]);
        assert!(
            matches!(f.body, FeatureBody::IncrementalStreaming { ref link_sizes, .. } if link_sizes == &[1])
        );
    }

    #[test]
    fn short_bodies_are_raw_and_names_known() {
        assert_eq!(
            decode(0x2D, false, &[1]).body,
            FeatureBody::Raw { data: vec![1] }
        );
        assert_eq!(
            decode(0x108, false, b"SN123   \0").body,
            FeatureBody::Text {
                text: "SN123".into()
            }
        );
        assert_eq!(feature_name(0x41), "BD Write");
        assert_eq!(feature_name(0x0999), "unknown feature");
        assert_eq!(
            decode(0x0999, false, &[0xAB]).to_string(),
            "0999h unknown feature v0: data AB"
        );
    }
}
