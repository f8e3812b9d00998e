//! What shapes an image: the builder's options (mkisofs's ISO 9660 levels and naming,
//! ECMA-119 §10; Rock Ridge, RRIP 1.12; Joliet; El Torito boot entries, El Torito §2.2;
//! the volume descriptor texts, ECMA-119 §8.4).

use crate::wire::eltorito::Platform;
use crate::wire::Timestamp;

/// Rock Ridge flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RockRidge {
    /// `-R`: record the files' own owners and modes.
    Exact,
    /// `-r`: owner 0, readable by all, executable by all when any x bit, no write bits.
    Rationalized,
}

/// What the primary descriptor's volume space size counts in a session that starts at
/// block S.
///
/// genisoimage -C and `xorriso -as mkisofs -C` record the session's own blocks, as DESIGN.md
/// asks; but the Linux kernel (6.1, seen in the guest) refuses every Rock Ridge
/// continuation area beyond the volume space size ("rock: corrupted directory entry.
/// extent=217 out of volume (nzones=184)") and then drops Rock Ridge for the whole mount
/// (the root's ER entry lives in one), so a later session mounted with `sbsector=` (or by
/// the multisession ioctl) loses names, modes, links and devices. With S + session blocks
/// Linux, libisofs and libarchive read every session fully (tests/tests/guest_isofs.rs,
/// tests/multisession.rs). Hence the default is [`VolumeSpace::Absolute`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VolumeSpace {
    /// S + this session's blocks: the end of the volume as a whole (the default).
    #[default]
    Absolute,
    /// This session's blocks only, as genisoimage and xorriso write it with -C.
    SessionOnly,
}

/// How the BIOS presents a boot image (El Torito §2.2 boot media type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BootMode {
    /// No emulation (`-no-emul-boot`): the BIOS loads `load_size` sectors of the image at
    /// the load segment and jumps there.
    #[default]
    NoEmulation,
    /// Diskette emulation (mkisofs's default for `-b`): the image becomes drive A:, a
    /// 1.2, 1.44 or 2.88 MB diskette chosen by its size (1,228,800, 1,474,560 or 2,949,120
    /// bytes; other sizes are refused); the BIOS loads its boot sector.
    Floppy,
    /// Hard-disk emulation (`-hard-disk-boot`): the image starts with a master boot record
    /// holding exactly one partition, whose type becomes the entry's system type; the BIOS
    /// loads the MBR.
    HardDisk,
}

/// One El Torito boot image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootImage {
    /// Image path of the boot file (must be a file in the tree).
    pub path: String,
    /// Platform: x86 BIOS or EFI.
    pub platform: Platform,
    /// Number of 512-byte sectors to load (`-boot-load-size`); default: the whole file
    /// rounded up to 2048-byte blocks, as mkisofs counts. Used with no emulation only: an
    /// emulated diskette or hard disk loads its one boot sector.
    pub load_size: Option<u16>,
    /// Patch a boot information table into the image (`-boot-info-table`).
    pub info_table: bool,
    /// Boot media emulation.
    pub mode: BootMode,
    /// Bootable entry (boot indicator 88h); `false` (`-no-boot`) writes 00h.
    pub bootable: bool,
    /// Load segment (`-boot-load-seg`); 0 means the BIOS default 7C0h.
    pub load_segment: u16,
}

impl Default for BootImage {
    /// A bootable x86 no-emulation entry with no path yet.
    fn default() -> Self {
        Self {
            path: String::new(),
            platform: Platform::X86,
            load_size: None,
            info_table: false,
            mode: BootMode::NoEmulation,
            bootable: true,
            load_segment: 0,
        }
    }
}

/// El Torito options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BootOptions {
    /// Image path of the boot catalog (`-c`), e.g. "boot.cat".
    pub catalog: String,
    /// Boot images: the first is the default entry.
    pub images: Vec<BootImage>,
}

/// Volume descriptor texts (`-sysid -V -volset -publisher -p -A`, and file ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeIds {
    /// System identifier.
    pub system: String,
    /// Volume identifier.
    pub volume: String,
    /// Volume set identifier.
    pub volume_set: String,
    /// Publisher.
    pub publisher: String,
    /// Data preparer.
    pub preparer: String,
    /// Application.
    pub application: String,
    /// Copyright file.
    pub copyright: String,
    /// Abstract file.
    pub abstract_file: String,
    /// Bibliographic file.
    pub biblio: String,
}

impl Default for VolumeIds {
    fn default() -> Self {
        Self {
            system: "LINUX".into(),
            volume: "CDROM".into(),
            volume_set: String::new(),
            publisher: String::new(),
            preparer: String::new(),
            application: "DISCBURN".into(),
            copyright: String::new(),
            abstract_file: String::new(),
            biblio: String::new(),
        }
    }
}

/// Everything that shapes an image.
#[derive(Debug, Clone)]
pub struct Options {
    /// ISO 9660 interchange level 1..=3, or 4 for ISO 9660:1999.
    pub iso_level: u8,
    /// `-d`.
    pub omit_period: bool,
    /// `-N`.
    pub omit_version: bool,
    /// `-l`.
    pub long_names: bool,
    /// `-allow-lowercase`.
    pub allow_lowercase: bool,
    /// `-allow-multidot`.
    pub allow_multidot: bool,
    /// `-allow-leading-dots` (`-L`, `-ldots`): ISO 9660 names may start with a period.
    pub allow_leading_dots: bool,
    /// `-relaxed-filenames`: ISO 9660 names keep every 7-bit ASCII character but `/`.
    pub relaxed_filenames: bool,
    /// `-no-iso-translate`: ISO 9660 names keep `#`, `-` and `~`.
    pub no_iso_translate: bool,
    /// `-max-iso9660-filenames`: ISO 9660 names of up to 37 characters, without version.
    pub max_iso_names: bool,
    /// Relocate directories deeper than 8 levels into the relocation directory (RRIP
    /// §4.1.5; with Rock Ridge at levels 1-3; the default); `false` (`-D`) leaves them in
    /// place, beyond ECMA-119 §6.8.2.1's depth limit, as mkisofs -D does.
    pub relocate_deep: bool,
    /// `-T` / `-table-name NAME`: a translation table file of this name in every directory
    /// that has ISO 9660 entries (see [`trans_table_line`](super::trans_table_line)).
    pub trans_table: Option<String>,
    /// `-hide-joliet-trans-tbl`: the translation tables stay out of the Joliet tree.
    pub trans_table_hide_joliet: bool,
    /// Rock Ridge (`-R`, `-r`).
    pub rock_ridge: Option<RockRidge>,
    /// Joliet (`-J`).
    pub joliet: bool,
    /// `-joliet-long`: 103 characters instead of 64.
    pub joliet_long: bool,
    /// Volume descriptor texts.
    pub ids: VolumeIds,
    /// Volume dates; `None` = now.
    pub date: Option<Timestamp>,
    /// Reproducible output (`SOURCE_DATE_EPOCH`): file times later than `date` are
    /// clamped to it, and access and change times equal the modification time.
    pub reproducible: bool,
    /// El Torito.
    pub boot: Option<BootOptions>,
    /// `-C last_session_start,next_session_start`.
    pub session: Option<(u32, u32)>,
    /// Zero blocks appended (`-pad`: 150; `-no-pad`: 0).
    pub pad_blocks: u32,
    /// Name of the relocation directory for deep trees.
    pub rr_moved: String,
    /// What the volume space size counts.
    pub volume_space: VolumeSpace,
    /// Worker threads reading file data (0 = automatic).
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            iso_level: 1,
            omit_period: false,
            omit_version: false,
            long_names: false,
            allow_lowercase: false,
            allow_multidot: false,
            allow_leading_dots: false,
            relaxed_filenames: false,
            no_iso_translate: false,
            max_iso_names: false,
            relocate_deep: true,
            trans_table: None,
            trans_table_hide_joliet: false,
            rock_ridge: None,
            joliet: false,
            joliet_long: false,
            ids: VolumeIds::default(),
            date: None,
            reproducible: false,
            boot: None,
            session: None,
            pad_blocks: 150,
            rr_moved: "rr_moved".into(),
            volume_space: VolumeSpace::Absolute,
            threads: 0,
        }
    }
}
