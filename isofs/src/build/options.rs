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
    /// The image is appended partition N (1..=4) rather than a file of the tree
    /// (`--interval:appended_partition_N:all::`); `path` is then only its label.
    pub appended: Option<u8>,
    /// `--grub2-boot-info`: the image's 512-byte address + 5 as 64-bit little-endian at
    /// byte 2548, where GRUB 2's El Torito image looks for its own location.
    pub grub2_boot_info: bool,
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
            appended: None,
            grub2_boot_info: false,
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
    /// `--boot-catalog-hide`: the catalog is written but appears in no directory (ISO
    /// 9660, Rock Ridge, Joliet), as xorriso does; the boot record still points at it.
    pub hide_catalog: bool,
}

/// How the MBR of the system area is made (xorriso's system area types for PC-BIOS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MbrKind {
    /// Only the template as given (`-G`), or zeros; partition tables as other options ask.
    #[default]
    Plain,
    /// `-isohybrid-mbr FILE` (syslinux's isohdpfx.bin): the template patched with the
    /// first boot image's 512-byte address at byte 432, an MBR id at 440 and partition 1
    /// over the image, as syslinux's isohybrid and libisofs write it.
    Isohybrid,
    /// `--grub2-mbr FILE` (GRUB's boot_hybrid.img): the template with the first boot
    /// image's 512-byte address + 4 at byte 432 (64 bits, little-endian).
    Grub2,
}

/// Cylinder alignment of the image size (`-partition_cyl_align`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CylAlign {
    /// Align when an isohybrid MBR is written (the default).
    #[default]
    Auto,
    /// Always align the image size.
    On,
    /// Never align.
    Off,
    /// Align the image and every appended partition.
    All,
}

/// A partition appended after the ISO 9660 image (`-append_partition N TYPE FILE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Partition number 1..=4.
    pub number: u8,
    /// Its MBR type byte (EFh for the EFI System GUID, 83h for other GUIDs, as xorriso).
    pub mbr_type: u8,
    /// Its GPT type GUID when one was given; else EFI System for EFh, Basic Data otherwise.
    pub gpt_type: Option<crate::wire::parttab::Guid>,
    /// The file whose bytes become the partition.
    pub source: std::path::PathBuf,
}

/// The system area (blocks 0..15) and the partition tables of a hybrid image, as xorriso
/// writes them (libisofs' system area layout).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SystemArea {
    /// Up to 32768 bytes put at the start of the image (`-G`, `-isohybrid-mbr`,
    /// `--grub2-mbr`); shorter templates are padded with zeros.
    pub template: Option<Vec<u8>>,
    /// How the MBR is patched.
    pub mbr: MbrKind,
    /// `--protective-msdos-label`: partition 1 from sector 1 over the image (type CDh,
    /// or EEh when a GPT is written).
    pub protective_msdos_label: bool,
    /// `-isohybrid-gpt-basdat`: EFI boot images become Basic Data partitions of a GPT
    /// (and EFh partitions of the MBR) beside one over the whole image.
    pub gpt_basdat: bool,
    /// `-partition_offset N`: the first partition starts at block N (0 or ≥ 16), which
    /// holds a second volume descriptor set and directory tree with addresses relative to
    /// it, so that the partition can be mounted by itself.
    pub partition_offset: u32,
    /// `-partition_hd_cyl` (default 64).
    pub heads_per_cyl: u32,
    /// `-partition_sec_hd` (default 32).
    pub secs_per_head: u32,
    /// `-partition_cyl_align`.
    pub cyl_align: CylAlign,
    /// `-append_partition`.
    pub appended: Vec<Appended>,
    /// `-appended_part_as_gpt`: appended partitions go into a GPT, not the MBR.
    pub appended_as_gpt: bool,
    /// `--mbr-force-bootable`: some MBR entry carries the active flag, a dummy one if need be.
    pub mbr_force_bootable: bool,
    /// `-iso_mbr_part_type`: the type byte of the MBR partition over the ISO image.
    pub iso_mbr_part_type: Option<u8>,
    /// `-gpt_disk_guid`: the disk GUID; partition GUIDs are derived from it as libisofs
    /// does (byte 9 onwards XORed with a counter). `None`: one is derived from the volume
    /// date, so that a reproducible image stays reproducible.
    pub gpt_disk_guid: Option<crate::wire::parttab::Guid>,
    /// `--modification-date=YYYYMMDDhhmmsscc` as given: the source of the isohybrid MBR
    /// id (its CRC-32) and of the GPT GUIDs with `-gpt_disk_guid modification-date`.
    pub volume_uuid: Option<String>,
    /// `-gpt_disk_guid modification-date`: the disk GUID made of `volume_uuid`.
    pub gpt_guid_from_date: bool,
    /// `-efi-boot-part --efi-boot-image`: the EFI El Torito image is also a GPT EFI System
    /// Partition.
    pub efi_boot_part: bool,
}

impl SystemArea {
    /// Whether any option asks for more than a zeroed system area. The disk GUID and the
    /// volume date "uuid" only shape a GPT that other options ask for (xorriso takes
    /// `--gpt_disk_guid` and `--modification-date` in any session and writes nothing for
    /// them alone).
    pub fn is_set(&self) -> bool {
        *self
            != SystemArea {
                heads_per_cyl: self.heads_per_cyl,
                secs_per_head: self.secs_per_head,
                gpt_disk_guid: self.gpt_disk_guid,
                volume_uuid: self.volume_uuid.clone(),
                gpt_guid_from_date: self.gpt_guid_from_date,
                ..SystemArea::default()
            }
    }
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
    /// Joliet names in UTF-16 (surrogate pairs for characters outside the BMP, xorrisofs
    /// `-joliet-utf16`) rather than UCS-2, where such characters become '_'. discburn's own
    /// commands write UTF-16 (the default); the mkisofs personalities UCS-2 unless asked.
    pub joliet_utf16: bool,
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
    /// A later session without `boot` of its own: the previous session's El Torito boot
    /// catalog (its absolute block, from that session's boot record), which this session's
    /// boot record points at, so that the medium stays bootable from the CD drive when the
    /// new descriptors become current (xorriso's default `-boot_image any keep`; El Torito
    /// 1.0 §2.0 puts the boot record in the volume descriptor set read at block 17). The
    /// catalog and the boot images stay where the previous session put them. Ignored when
    /// `boot` is set; refused unless it lies before this session.
    pub kept_boot_catalog: Option<u32>,
    /// A later session takes the volume identifier of the session it continues, read from
    /// that session's primary volume descriptor (xorriso keeps the loaded image's volume id
    /// unless `-volid` is given; genisoimage -M does not, it writes its default). Callers
    /// set it when no volume id was given.
    pub volume_id_from_previous: bool,
    /// A later session without system area options of its own writes the previous
    /// session's 16 system area blocks unchanged as its own (what libisofs does with the
    /// system area it loads with the image). A reader never looks there, but a tool that
    /// copies a session's first 64 KiB to block 0 of an overwritable medium (libisoburn's
    /// multi-session emulation) then keeps the MBR and GPT instead of erasing them.
    pub keep_system_area: bool,
    /// Zero blocks appended (`-pad`: 150; `-no-pad`: 0).
    pub pad_blocks: u32,
    /// Name of the relocation directory for deep trees.
    pub rr_moved: String,
    /// What the volume space size counts.
    pub volume_space: VolumeSpace,
    /// Worker threads reading file data (0 = automatic).
    pub threads: usize,
    /// The system area and partition tables (hybrid images).
    pub system_area: SystemArea,
    /// Write every directory of a later session anew, as mkisofs and xorriso do, instead
    /// of pointing at the previous session's directories that did not change (the default;
    /// see the builder's `reuse` module for the rules and what falls back to rewriting).
    pub rewrite_all_dirs: bool,
    /// Record MD5 checksums as libisofs does (xorriso `-md5 on`, xorrisofs `--md5`): each
    /// file's MD5 (AAIP `isofs.cx` into a checksum array after the file data, `isofs.ca`
    /// on the root) and the superblock, tree and session checksum tags. Needs Rock Ridge
    /// for the per-file attributes; without it only the tags and the array are written.
    pub md5: bool,
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
            joliet_utf16: true,
            ids: VolumeIds::default(),
            date: None,
            reproducible: false,
            boot: None,
            session: None,
            kept_boot_catalog: None,
            volume_id_from_previous: false,
            keep_system_area: true,
            pad_blocks: 150,
            rr_moved: "rr_moved".into(),
            volume_space: VolumeSpace::Absolute,
            threads: 0,
            system_area: SystemArea {
                heads_per_cyl: 64,
                secs_per_head: 32,
                ..SystemArea::default()
            },
            rewrite_all_dirs: false,
            md5: false,
        }
    }
}
