//! The streaming image builder: ECMA-119 §6 (volume space layout), §8 (descriptors),
//! §9 (directories, path tables), §10 (levels), ISO 9660:1999 (level 4), RRIP 1.12 (incl.
//! §4.1.5 directory relocation), Joliet, El Torito.
//!
//! [`Image::new`] lays everything out (every extent address is known before the first byte
//! is produced); [`Image::write_to`] then emits the session front to back to any `Write`,
//! reading file data ahead on worker threads into a bounded set of buffers.
//!
//! Layout of a session starting at absolute block S (S = second `-C` number, else 0):
//! S+0..16 system area (zero), S+16 PVD, boot record, Joliet SVD, ISO 9660:1999 EVD,
//! terminator, boot catalog, path tables (L, M; then Joliet L, M), ISO directories, Rock
//! Ridge continuation areas, Joliet directories, file data, padding.
//!
//! Volume space size: S + this session's blocks (the Linux kernel drops Rock Ridge
//! otherwise); see [`VolumeSpace`].

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::sync::mpsc::sync_channel;

use crate::names::{iso_identifiers, joliet_identifiers, IsoNameRules, JolietRules};
use crate::tree::{mode, Data, Kind, NodeId, Tree};
use crate::wire::dir::{flags, record_len, write_record};
use crate::wire::eltorito::{
    encode_catalog_with_id, mbr_notes, mbr_system_type, patch_boot_info_table, BootEntry,
    Emulation, Platform,
};
use crate::wire::susp;
use crate::wire::vd::{encode_boot_record, encode_terminator, VdFields, VdKind};
use crate::wire::{encode_date7, ptable, Timestamp};
use crate::{SectorSource, SECTOR};

/// Largest extent of one directory record: 4 GiB minus one block (ECMA-119 §9.1.4 limits
/// the data length to 32 bits; multi-extent files use several records).
pub const MAX_EXTENT: u64 = 0xFFFF_F800;

/// Largest boot image kept from the previous session that is copied (through memory) into
/// a new session to get a fresh boot information table (`-boot-info-table`).
pub const MAX_KEPT_BOOT_IMAGE: u64 = 256 << 20;

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
    /// that has ISO 9660 entries (see [`trans_table_line`]).
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

/// Errors of layout and writing.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A file is too large for the chosen level.
    #[error("{path}: {size} bytes needs -iso-level 3 or 4 (multi-extent files)")]
    TooLarge {
        /// Image path.
        path: String,
        /// Size.
        size: u64,
    },
    /// The image does not fit in 32-bit block addresses.
    #[error("image too large: {0} blocks")]
    VolumeTooLarge(u64),
    /// A boot image or catalog path is wrong.
    #[error("El Torito: {0}")]
    Boot(String),
    /// A source file could not be read or changed under us.
    #[error("{path}: {source}")]
    Source {
        /// The path.
        path: String,
        /// The error.
        source: io::Error,
    },
    /// Writing the output failed.
    #[error("writing the image: {0}")]
    Write(io::Error),
    /// Reading the previous session for a comparison failed.
    #[error("reading the previous session at block {lba}: {source}")]
    Previous {
        /// Block.
        lba: u32,
        /// The error.
        source: io::Error,
    },
}

/// A directory entry in one of the image's directory trees.
#[derive(Debug, Clone)]
enum Target {
    /// A file, link or special file (or a directory in the Joliet tree: see `Dir`).
    Node(NodeId),
    /// A subdirectory (index into the view's dirs).
    Dir(u32),
    /// RRIP §4.1.5.1: stands in for a relocated directory (node), records CL.
    Placeholder(NodeId),
    /// RRIP §4.1.5.3: a relocated directory inside rr_moved, records RE.
    Relocated(u32),
}

#[derive(Debug, Clone)]
struct VEnt {
    ident: Vec<u8>,
    target: Target,
}

#[derive(Debug, Clone)]
struct VDir {
    node: Option<NodeId>,
    parent: u32,
    ident: Vec<u8>,
    entries: Vec<VEnt>,
    lba: u32,
    size: u32,
    /// For a relocated directory: the view index of its original parent (PL).
    orig_parent: Option<u32>,
}

#[derive(Debug, Clone, Default)]
struct View {
    dirs: Vec<VDir>,
    /// Node -> dir index (u32::MAX when none).
    dir_of: Vec<u32>,
    pt_size: u32,
    pt_l: u32,
    pt_m: u32,
}

/// A laid-out image, ready to be written.
#[derive(Debug)]
pub struct Image {
    tree: Tree,
    opts: Options,
    start: u32,
    total: u32,
    date: Timestamp,
    iso: View,
    joliet: Option<View>,
    ce_lba: u32,
    ce_blocks: u32,
    catalog_lba: Option<u32>,
    catalog_node: Option<NodeId>,
    boot_nodes: Vec<(NodeId, BootImage)>,
    /// Per boot image: media type and system type, resolved from the image.
    boot_media: Vec<(Emulation, u8)>,
    data_lba: Vec<u32>,
    ino: Vec<u32>,
    nlink: Vec<u32>,
    files: Vec<NodeId>,
    data_start: u32,
    has_rr_moved: bool,
}

fn blocks(n: u64) -> u64 {
    n.div_ceil(SECTOR as u64)
}

/// Compare two ISO identifiers as ECMA-119 §9.3 orders them: name, then extension, each
/// padded with spaces.
fn iso_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    fn split(x: &[u8]) -> (&[u8], &[u8]) {
        let x = match x.iter().position(|&c| c == b';') {
            Some(i) => &x[..i],
            None => x,
        };
        match x.iter().rposition(|&c| c == b'.') {
            Some(i) => (&x[..i], &x[i + 1..]),
            None => (x, &[][..]),
        }
    }
    fn padded(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
        let n = a.len().max(b.len());
        for i in 0..n {
            let (x, y) = (
                a.get(i).copied().unwrap_or(b' '),
                b.get(i).copied().unwrap_or(b' '),
            );
            if x != y {
                return x.cmp(&y);
            }
        }
        std::cmp::Ordering::Equal
    }
    let (an, ae) = split(a);
    let (bn, be) = split(b);
    padded(an, bn)
        .then_with(|| padded(ae, be))
        .then_with(|| a.cmp(b))
}

/// Cursor allocating Rock Ridge continuation areas; never lets one cross a block.
#[derive(Debug, Default)]
struct CeArea {
    base: u32,
    off: usize,
    bytes: Vec<u8>,
    record: bool,
}

impl CeArea {
    fn alloc(&mut self, len: usize) -> (u32, u32) {
        let in_block = self.off % SECTOR;
        if in_block + len > SECTOR {
            self.off += SECTOR - in_block;
        }
        let at = self.off;
        self.off += len;
        if self.record {
            self.bytes.resize(self.off, 0);
        }
        (self.base + (at / SECTOR) as u32, (at % SECTOR) as u32)
    }
    fn put(&mut self, block: u32, offset: u32, data: &[u8]) {
        if self.record {
            let at = (block - self.base) as usize * SECTOR + offset as usize;
            self.bytes[at..at + data.len()].copy_from_slice(data);
        }
    }
    fn blocks(&self) -> u32 {
        blocks(self.off as u64) as u32
    }
}

/// Splits SUSP entries between the directory record (`room` bytes) and chained
/// continuation areas; returns the bytes for the record.
fn pack_su(entries: &[Vec<u8>], room: usize, ce: &mut CeArea) -> Vec<u8> {
    let total: usize = entries.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(total.min(room));
    if total <= room {
        for e in entries {
            out.extend_from_slice(e);
        }
        return out;
    }
    let mut i = 0;
    while i < entries.len() && out.len() + entries[i].len() + susp::CE_LEN <= room {
        out.extend_from_slice(&entries[i]);
        i += 1;
    }
    // Pieces of at most one block each, chained by CE.
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    let mut cur: Vec<u8> = Vec::new();
    let rest = &entries[i..];
    for (k, e) in rest.iter().enumerate() {
        let remaining: usize = rest[k..].iter().map(Vec::len).sum();
        let fits_all = cur.len() + remaining <= SECTOR;
        if !fits_all && cur.len() + e.len() + susp::CE_LEN > SECTOR {
            pieces.push(std::mem::take(&mut cur));
        }
        cur.extend_from_slice(e);
    }
    pieces.push(cur);
    // Allocate all pieces, then link each to the next.
    let lens: Vec<usize> = pieces
        .iter()
        .enumerate()
        .map(|(k, p)| {
            p.len()
                + if k + 1 < pieces.len() {
                    susp::CE_LEN
                } else {
                    0
                }
        })
        .collect();
    let addrs: Vec<(u32, u32)> = lens.iter().map(|&l| ce.alloc(l)).collect();
    out.extend_from_slice(&susp::ce(addrs[0].0, addrs[0].1, lens[0] as u32));
    for (k, p) in pieces.iter().enumerate() {
        let mut buf = p.clone();
        if k + 1 < pieces.len() {
            buf.extend_from_slice(&susp::ce(
                addrs[k + 1].0,
                addrs[k + 1].1,
                lens[k + 1] as u32,
            ));
        }
        ce.put(addrs[k].0, addrs[k].1, &buf);
    }
    out
}

/// Which directory record of a directory is being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rec {
    Dot,
    DotDot,
    Entry,
}

impl Image {
    /// Lays out an image of `tree`. `previous`, when given, is read to check that files
    /// replacing a previous session's file of the same size really are unchanged.
    pub fn new(
        mut tree: Tree,
        opts: Options,
        previous: Option<&mut dyn SectorSource>,
    ) -> Result<Self, BuildError> {
        let date = opts.date.unwrap_or_else(now);
        if opts.reproducible {
            clamp_times(&mut tree, date);
        }
        let mut previous = previous;
        if let Some(prev) = previous.as_deref_mut() {
            keep_unchanged(&mut tree, prev)?;
        }
        let start = opts.session.map_or(0, |s| s.1);
        let mut img = Self {
            tree,
            start,
            total: 0,
            date,
            iso: View::default(),
            joliet: None,
            ce_lba: 0,
            ce_blocks: 0,
            catalog_lba: None,
            catalog_node: None,
            boot_nodes: Vec::new(),
            boot_media: Vec::new(),
            data_lba: Vec::new(),
            ino: Vec::new(),
            nlink: Vec::new(),
            files: Vec::new(),
            data_start: 0,
            has_rr_moved: false,
            opts,
        };
        img.prepare_boot(previous)?;
        img.add_trans_tables();
        img.check_sizes()?;
        img.build_views();
        img.fill_trans_tables();
        img.assign_inodes();
        img.layout()?;
        Ok(img)
    }

    /// Size of the session in 2048-byte blocks: exactly what [`Image::write_to`] emits.
    pub fn size_blocks(&self) -> u32 {
        self.total
    }

    /// First absolute block of the session (the second `-C` number).
    pub fn start_block(&self) -> u32 {
        self.start
    }

    /// The tree the image was made from.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    fn rr(&self) -> bool {
        self.opts.rock_ridge.is_some()
    }

    fn prepare_boot(
        &mut self,
        mut previous: Option<&mut dyn SectorSource>,
    ) -> Result<(), BuildError> {
        let Some(b) = self.opts.boot.clone() else {
            return Ok(());
        };
        if b.images.is_empty() {
            return Err(BuildError::Boot("no boot image given".into()));
        }
        for bi in &b.images {
            let id = self.tree.lookup_path(&bi.path).ok_or_else(|| {
                BuildError::Boot(format!("boot image {} is not in the image tree", bi.path))
            })?;
            let Kind::File { size, .. } = self.tree.node(id).kind else {
                return Err(BuildError::Boot(format!(
                    "boot image {} is not a file",
                    bi.path
                )));
            };
            if bi.info_table {
                self.copy_kept_boot_image(id, size, &bi.path, previous.as_deref_mut())?;
            }
            let media = match bi.mode {
                BootMode::NoEmulation => (Emulation::NoEmulation, 0),
                BootMode::Floppy => {
                    let e = Emulation::floppy_for_size(size).ok_or_else(|| {
                        BuildError::Boot(format!(
                            "boot image {} has not an allowable size for floppy emulation: \
                             {size} bytes; a diskette image is 1228800 (1.2 MB), 1474560 \
                             (1.44 MB) or 2949120 (2.88 MB) bytes; other images boot with \
                             no emulation (-no-emul-boot) or hard-disk emulation \
                             (-hard-disk-boot)",
                            bi.path
                        ))
                    })?;
                    (e, 0)
                }
                BootMode::HardDisk => {
                    let mbr = self.boot_mbr(id, &bi.path, previous.as_deref_mut())?;
                    let t = mbr_system_type(&mbr).map_err(|e| {
                        BuildError::Boot(format!("hard-disk boot image {}: {e}", bi.path))
                    })?;
                    // mkisofs's warnings; the image is used all the same.
                    for n in mbr_notes(&mbr, bi.bootable, size.div_ceil(512)) {
                        log::warn!("El Torito: hard-disk boot image {}: {n}", bi.path);
                    }
                    (Emulation::HardDisk, t)
                }
            };
            self.boot_nodes.push((id, bi.clone()));
            self.boot_media.push(media);
        }
        let cat = if b.catalog.is_empty() {
            "boot.catalog"
        } else {
            &b.catalog
        };
        let (dir, name) = match cat.trim_start_matches('/').rfind('/') {
            Some(i) => {
                let c = cat.trim_start_matches('/');
                (c[..i].to_string(), c[i + 1..].to_string())
            }
            None => (String::new(), cat.trim_start_matches('/').to_string()),
        };
        let meta = crate::tree::Meta {
            mode: mode::S_IFREG | 0o444,
            mtime: self.date,
            atime: self.date,
            ctime: self.date,
            ..Default::default()
        };
        let d = self
            .tree
            .ensure_dir(&dir, meta)
            .map_err(|e| BuildError::Boot(format!("boot catalog path: {e}")))?;
        let data = self.tree.add_blob(Vec::new());
        let id = self.tree.put_child(
            d,
            name.as_bytes(),
            Kind::File {
                size: SECTOR as u64,
                data,
            },
            meta,
        );
        self.catalog_node = Some(id);
        Ok(())
    }

    /// A boot image that gets a boot information table but keeps its extent in the
    /// previous session (unchanged, or only in the previous session's tree) would go on
    /// naming the previous session's PVD and its old block: this reads it from `previous`
    /// into memory, so it is written afresh in this session and patched there, as mkisofs
    /// writes a patched image anew (it rewrites the image in place, so the next session
    /// finds a changed file). Images of other kinds are left as they are.
    fn copy_kept_boot_image<'p>(
        &mut self,
        id: NodeId,
        size: u64,
        path: &str,
        previous: Option<&mut (dyn SectorSource + 'p)>,
    ) -> Result<(), BuildError> {
        let Kind::File {
            data: Data::Old { lba },
            ..
        } = self.tree.node(id).kind
        else {
            return Ok(());
        };
        if size > MAX_KEPT_BOOT_IMAGE {
            return Err(BuildError::Boot(format!(
                "-boot-info-table: boot image {path} ({size} bytes) is kept from the previous \
                 session and would have to be copied into this one to be patched, but it is \
                 larger than {MAX_KEPT_BOOT_IMAGE} bytes; add the image file to this session \
                 (or leave out -boot-info-table)"
            )));
        }
        let prev = previous.ok_or_else(|| {
            BuildError::Boot(format!(
                "-boot-info-table: boot image {path} is kept from the previous session, which \
                 is not at hand to copy it into this session for patching; add the image file \
                 to this session (or leave out -boot-info-table)"
            ))
        })?;
        let mut v = vec![0u8; (blocks(size) as usize) * SECTOR];
        for (k, chunk) in v.chunks_mut(32 * SECTOR).enumerate() {
            let at = lba + (k * 32) as u32;
            prev.read_sectors(at, chunk)
                .map_err(|e| BuildError::Previous { lba: at, source: e })?;
        }
        v.truncate(size as usize);
        log::info!(
            "El Torito: boot image {path} is kept from the previous session (block {lba}); \
             written again in this session for its boot information table"
        );
        let data = self.tree.add_blob(v);
        if let Kind::File { data: d, .. } = &mut self.tree.node_mut(id).kind {
            *d = data;
        }
        Ok(())
    }

    /// The first 512 bytes (the master boot record) of a hard-disk boot image; fewer if
    /// the image is shorter. An image kept from the previous session is read there.
    fn boot_mbr<'p>(
        &self,
        id: NodeId,
        path: &str,
        previous: Option<&mut (dyn SectorSource + 'p)>,
    ) -> Result<Vec<u8>, BuildError> {
        const MBR: usize = 512;
        let Kind::File { data, .. } = &self.tree.node(id).kind else {
            return Ok(Vec::new());
        };
        match data {
            Data::Blob(b) => Ok(self.tree.blob(*b).iter().take(MBR).copied().collect()),
            Data::Path(p) => {
                let src = self.tree.source_path(*p);
                let mut v = Vec::with_capacity(MBR);
                std::fs::File::open(&src)
                    .and_then(|f| f.take(MBR as u64).read_to_end(&mut v))
                    .map_err(|e| BuildError::Source {
                        path: src.display().to_string(),
                        source: e,
                    })?;
                Ok(v)
            }
            Data::Old { lba } => {
                let prev = previous.ok_or_else(|| {
                    BuildError::Boot(format!(
                        "hard-disk boot image {path} is in the previous session, which is \
                         not at hand to read its partition table"
                    ))
                })?;
                let mut block = vec![0u8; SECTOR];
                prev.read_sectors(*lba, &mut block)
                    .map_err(|e| BuildError::Previous {
                        lba: *lba,
                        source: e,
                    })?;
                block.truncate(MBR);
                Ok(block)
            }
        }
    }

    fn check_sizes(&self) -> Result<(), BuildError> {
        if self.opts.iso_level >= 3 {
            return Ok(());
        }
        for i in 0..self.tree.len() as NodeId {
            let n = self.tree.node(i);
            if let Kind::File { size, .. } = n.kind {
                if !n.dead && size > MAX_EXTENT {
                    return Err(BuildError::TooLarge {
                        path: self.path_of(i),
                        size,
                    });
                }
            }
        }
        Ok(())
    }

    fn path_of(&self, mut id: NodeId) -> String {
        let mut parts = Vec::new();
        while id != Tree::ROOT {
            parts.push(self.tree.name_str(id).into_owned());
            id = self.tree.node(id).parent;
        }
        parts.reverse();
        format!("/{}", parts.join("/"))
    }

    fn is_dir(&self, id: NodeId) -> bool {
        matches!(self.tree.node(id).kind, Kind::Dir(_))
    }

    fn iso_rules(&self) -> IsoNameRules {
        IsoNameRules {
            level: self.opts.iso_level,
            omit_period: self.opts.omit_period,
            omit_version: self.opts.omit_version
                || self.opts.iso_level >= 4
                || self.opts.max_iso_names,
            long_names: self.opts.long_names,
            allow_lowercase: self.opts.allow_lowercase,
            allow_multidot: self.opts.allow_multidot,
            allow_leading_dots: self.opts.allow_leading_dots,
            relaxed: self.opts.relaxed_filenames,
            no_translate: self.opts.no_iso_translate,
            max37: self.opts.max_iso_names,
        }
    }

    /// Children of a directory in a stable order (by original name), filtered.
    fn visible_children(&self, dir: NodeId, joliet: bool) -> Vec<NodeId> {
        let mut c: Vec<NodeId> = self
            .tree
            .children(dir)
            .iter()
            .copied()
            .filter(|&c| {
                let n = self.tree.node(c);
                !n.dead && if joliet { !n.hide_joliet } else { !n.hide_iso }
            })
            .collect();
        c.sort_by(|&a, &b| self.tree.name(a).cmp(self.tree.name(b)));
        c
    }

    /// `-T`: drops files of the translation table's name from the sources (genisoimage
    /// ignores them too) and adds an empty table, of its final size, to every directory
    /// with ISO 9660 entries; [`Image::fill_trans_tables`] writes them once the ISO 9660
    /// names are known. A line's length does not depend on the ISO 9660 name.
    fn add_trans_tables(&mut self) {
        let Some(name) = self.opts.trans_table.clone() else {
            return;
        };
        let mut dirs = Vec::new();
        let mut stack = vec![Tree::ROOT];
        while let Some(d) = stack.pop() {
            dirs.push(d);
            for &c in self.tree.children(d) {
                let n = self.tree.node(c);
                if !n.dead && !n.hide_iso && matches!(n.kind, Kind::Dir(_)) {
                    stack.push(c);
                }
            }
        }
        for d in dirs {
            while let Some(old) = self.tree.lookup(d, name.as_bytes()) {
                self.tree.detach(old);
            }
            let size: usize = self
                .visible_children(d, false)
                .into_iter()
                .map(|c| trans_table_line(&self.tree, c, b"").len())
                .sum();
            if size == 0 {
                continue;
            }
            let t = self.tree.node(d).meta.mtime;
            let meta = crate::tree::Meta {
                mode: mode::S_IFREG | 0o444,
                mtime: t,
                atime: t,
                ctime: t,
                ..Default::default()
            };
            let data = self.tree.add_blob(Vec::new());
            let kind = Kind::File {
                size: size as u64,
                data,
            };
            let id = self.tree.push_child(d, name.as_bytes(), kind, meta);
            self.tree.node_mut(id).hide_joliet = self.opts.trans_table_hide_joliet;
        }
    }

    /// Writes the translation tables [`Image::add_trans_tables`] made: one line per ISO
    /// 9660 entry of the directory, in directory order.
    fn fill_trans_tables(&mut self) {
        let Some(name) = self.opts.trans_table.clone() else {
            return;
        };
        let mut tables = Vec::new();
        for vd in &self.iso.dirs {
            let Some(t) = vd.node.and_then(|d| self.tree.lookup(d, name.as_bytes())) else {
                continue;
            };
            let mut bytes = Vec::new();
            for e in &vd.entries {
                let n = match e.target {
                    Target::Node(n) | Target::Placeholder(n) => Some(n),
                    Target::Dir(k) | Target::Relocated(k) => self.iso.dirs[k as usize].node,
                };
                // The relocation directory has no line, as in genisoimage; the boot
                // catalog has one.
                let Some(n) = n.filter(|&n| n != t) else {
                    continue;
                };
                bytes.extend_from_slice(&trans_table_line(&self.tree, n, &e.ident));
            }
            tables.push((t, bytes));
        }
        for (t, bytes) in tables {
            let len = bytes.len() as u64;
            let blob = self.tree.add_blob(bytes);
            if let Kind::File { size, data } = &mut self.tree.node_mut(t).kind {
                debug_assert_eq!(*size, len, "translation table size");
                *data = blob;
            }
        }
    }

    fn build_views(&mut self) {
        let n = self.tree.len();
        // Directories that need relocation (RRIP §4.1.5): ISO depth beyond 8, levels 1-3.
        let mut relocated: Vec<NodeId> = Vec::new();
        if self.rr() && self.opts.iso_level < 4 && self.opts.relocate_deep {
            let mut stack = vec![(Tree::ROOT, 1u32)];
            while let Some((d, depth)) = stack.pop() {
                for c in self.visible_children(d, false) {
                    if self.is_dir(c) {
                        if depth + 1 > 8 {
                            relocated.push(c);
                            stack.push((c, 3));
                        } else {
                            stack.push((c, depth + 1));
                        }
                    }
                }
            }
        }
        let mut is_reloc = vec![false; n];
        for &r in &relocated {
            is_reloc[r as usize] = true;
        }
        self.has_rr_moved = !relocated.is_empty();
        self.iso = self.build_view(false, &is_reloc, &relocated);
        if self.opts.joliet {
            self.joliet = Some(self.build_view(true, &vec![false; n], &[]));
        }
    }

    fn idents(&self, kids: &[NodeId], joliet: bool, extra: Option<&str>) -> Vec<Vec<u8>> {
        let names: Vec<String> = kids
            .iter()
            .map(|&c| self.tree.name_str(c).into_owned())
            .collect();
        let mut refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut dirs: Vec<bool> = kids.iter().map(|&c| self.is_dir(c)).collect();
        if let Some(e) = extra {
            // Reserve the relocation directory's name first.
            refs.insert(0, e);
            dirs.insert(0, true);
        }
        let mut ids = if joliet {
            let r = JolietRules {
                max_units: if self.opts.joliet_long { 103 } else { 64 },
                omit_version: self.opts.omit_version,
            };
            joliet_identifiers(&r, &refs, &dirs)
        } else {
            iso_identifiers(&self.iso_rules(), &refs, &dirs)
        };
        if extra.is_some() {
            ids.remove(0);
        }
        ids
    }

    fn build_view(&self, joliet: bool, is_reloc: &[bool], relocated: &[NodeId]) -> View {
        let n = self.tree.len();
        let mut v = View {
            dir_of: vec![u32::MAX; n],
            ..View::default()
        };
        v.dirs.push(VDir {
            node: Some(Tree::ROOT),
            parent: 0,
            ident: vec![0],
            entries: Vec::new(),
            lba: 0,
            size: 0,
            orig_parent: None,
        });
        v.dir_of[0] = 0;
        let rr_moved_name = self.opts.rr_moved.clone();
        let mut i = 0usize;
        while i < v.dirs.len() {
            let node = v.dirs[i].node;
            let mut entries: Vec<VEnt> = Vec::new();
            match node {
                Some(d) => {
                    let kids = self.visible_children(d, joliet);
                    let extra = (d == Tree::ROOT && !relocated.is_empty() && !joliet)
                        .then_some(rr_moved_name.as_str());
                    let ids = self.idents(&kids, joliet, extra);
                    for (c, ident) in kids.into_iter().zip(ids) {
                        let t = if self.is_dir(c) {
                            if is_reloc[c as usize] {
                                Target::Placeholder(c)
                            } else {
                                Target::Dir(u32::MAX)
                            }
                        } else {
                            Target::Node(c)
                        };
                        let t = match t {
                            Target::Dir(_) => {
                                // Resolved below once sorted.
                                entries.push(VEnt {
                                    ident,
                                    target: Target::Node(c),
                                });
                                let last = entries.len() - 1;
                                entries[last].target = Target::Dir(c);
                                continue;
                            }
                            t => t,
                        };
                        entries.push(VEnt { ident, target: t });
                    }
                    if extra.is_some() {
                        let ident = iso_identifiers(&self.iso_rules(), &[&rr_moved_name], &[true])
                            .remove(0);
                        entries.push(VEnt {
                            ident,
                            target: Target::Relocated(u32::MAX),
                        });
                    }
                }
                None => {
                    // The relocation directory: holds every relocated directory.
                    let ids = self.idents(relocated, false, None);
                    for (&c, ident) in relocated.iter().zip(ids) {
                        entries.push(VEnt {
                            ident,
                            target: Target::Relocated(c),
                        });
                    }
                }
            }
            if joliet {
                entries.sort_by(|a, b| a.ident.cmp(&b.ident));
            } else {
                entries.sort_by(|a, b| iso_cmp(&a.ident, &b.ident));
            }
            // Create child dirs in sorted order (breadth-first numbering = path table order).
            for e in &mut entries {
                match e.target {
                    Target::Dir(c) => {
                        let idx = v.dirs.len() as u32;
                        v.dirs.push(VDir {
                            node: Some(c),
                            parent: i as u32,
                            ident: e.ident.clone(),
                            entries: Vec::new(),
                            lba: 0,
                            size: 0,
                            orig_parent: None,
                        });
                        v.dir_of[c as usize] = idx;
                        e.target = Target::Dir(idx);
                    }
                    Target::Relocated(u32::MAX) => {
                        // The rr_moved directory itself (in the root).
                        let idx = v.dirs.len() as u32;
                        v.dirs.push(VDir {
                            node: None,
                            parent: i as u32,
                            ident: e.ident.clone(),
                            entries: Vec::new(),
                            lba: 0,
                            size: 0,
                            orig_parent: None,
                        });
                        e.target = Target::Dir(idx);
                    }
                    Target::Relocated(c) => {
                        let idx = v.dirs.len() as u32;
                        let op = self.tree.node(c).parent;
                        v.dirs.push(VDir {
                            node: Some(c),
                            parent: i as u32,
                            ident: e.ident.clone(),
                            entries: Vec::new(),
                            lba: 0,
                            size: 0,
                            orig_parent: Some(op),
                        });
                        v.dir_of[c as usize] = idx;
                        e.target = Target::Relocated(idx);
                    }
                    _ => {}
                }
            }
            v.dirs[i].entries = entries;
            i += 1;
        }
        // orig_parent was recorded as a node; turn it into a view index.
        for k in 0..v.dirs.len() {
            if let Some(op) = v.dirs[k].orig_parent {
                v.dirs[k].orig_parent = Some(v.dir_of[op as usize]);
            }
        }
        v
    }

    fn assign_inodes(&mut self) {
        let n = self.tree.len();
        self.ino = vec![0; n];
        self.nlink = vec![1; n];
        let mut group_ino: HashMap<u32, u32> = HashMap::new();
        let mut group_count: HashMap<u32, u32> = HashMap::new();
        let mut next = 1u32;
        let mut stack = vec![Tree::ROOT];
        let mut order = Vec::new();
        while let Some(d) = stack.pop() {
            order.push(d);
            let kids = self.visible_children(d, false);
            for &c in kids.iter().rev() {
                stack.push(c);
            }
        }
        for id in order {
            let node = self.tree.node(id);
            let link = node.meta.link;
            if link != 0 && !matches!(node.kind, Kind::Dir(_)) {
                *group_count.entry(link).or_insert(0) += 1;
                let ino = *group_ino.entry(link).or_insert_with(|| {
                    next += 1;
                    next - 1
                });
                self.ino[id as usize] = ino;
            } else {
                self.ino[id as usize] = next;
                next += 1;
            }
            if let Kind::Dir(_) = node.kind {
                let sub = self
                    .visible_children(id, false)
                    .iter()
                    .filter(|&&c| self.is_dir(c))
                    .count();
                self.nlink[id as usize] = 2 + sub as u32;
            }
        }
        for id in 0..n {
            let link = self.tree.node(id as NodeId).meta.link;
            if link != 0 && !self.is_dir(id as NodeId) {
                self.nlink[id] = group_count.get(&link).copied().unwrap_or(1);
            }
        }
    }

    fn layout(&mut self) -> Result<(), BuildError> {
        let s = u64::from(self.start);
        let mut lba: u64 = s + 16;
        lba += 1; // PVD
        if self.opts.boot.is_some() {
            lba += 1;
        }
        if self.opts.joliet {
            lba += 1;
        }
        if self.opts.iso_level >= 4 {
            lba += 1;
        }
        lba += 1; // terminator
        if self.opts.boot.is_some() {
            self.catalog_lba = Some(lba as u32);
            lba += 1;
        }
        // Path tables.
        let pt = |v: &mut View, lba: &mut u64| {
            let size: usize = v
                .dirs
                .iter()
                .map(|d| ptable::record_len(d.ident.len()))
                .sum();
            v.pt_size = size as u32;
            let b = blocks(size as u64);
            v.pt_l = *lba as u32;
            *lba += b;
            v.pt_m = *lba as u32;
            *lba += b;
        };
        let mut iso = std::mem::take(&mut self.iso);
        pt(&mut iso, &mut lba);
        let mut jol = self.joliet.take();
        if let Some(j) = jol.as_mut() {
            pt(j, &mut lba);
        }
        self.iso = iso;
        self.joliet = jol;
        // Directory sizes (dry run; addresses do not change lengths).
        let mut ce = CeArea::default();
        for k in 0..self.iso.dirs.len() {
            let bytes = self.dir_bytes(false, k, &mut ce);
            self.iso.dirs[k].size = bytes.len() as u32;
        }
        for k in 0..self.iso.dirs.len() {
            self.iso.dirs[k].lba = lba as u32;
            lba += blocks(u64::from(self.iso.dirs[k].size));
        }
        self.ce_lba = lba as u32;
        self.ce_blocks = ce.blocks();
        lba += u64::from(self.ce_blocks);
        if self.joliet.is_some() {
            let nd = self.joliet.as_ref().map_or(0, |j| j.dirs.len());
            for k in 0..nd {
                let bytes = self.dir_bytes(true, k, &mut CeArea::default());
                if let Some(j) = self.joliet.as_mut() {
                    j.dirs[k].size = bytes.len() as u32;
                }
            }
            if let Some(j) = self.joliet.as_mut() {
                for d in &mut j.dirs {
                    d.lba = lba as u32;
                    lba += blocks(u64::from(d.size));
                }
            }
        }
        // File data: every live, visible, regular file once per hard-link group.
        self.data_start = lba as u32;
        self.data_lba = vec![0; self.tree.len()];
        let mut files: Vec<NodeId> = Vec::new();
        let mut seen_group: HashMap<u32, NodeId> = HashMap::new();
        let mut alias: Vec<(NodeId, NodeId)> = Vec::new();
        let mut stack = vec![Tree::ROOT];
        while let Some(d) = stack.pop() {
            for &c in self.tree.children(d).iter().rev() {
                let node = self.tree.node(c);
                if node.dead || (node.hide_iso && (node.hide_joliet || !self.opts.joliet)) {
                    continue;
                }
                match &node.kind {
                    Kind::Dir(_) => stack.push(c),
                    Kind::File {
                        data: Data::Old { lba },
                        ..
                    } => self.data_lba[c as usize] = *lba,
                    Kind::File { size, .. } => {
                        if Some(c) == self.catalog_node {
                            continue;
                        }
                        if *size == 0 {
                            continue;
                        }
                        let g = node.meta.link;
                        if g != 0 {
                            if let Some(&first) = seen_group.get(&g) {
                                alias.push((c, first));
                                continue;
                            }
                            seen_group.insert(g, c);
                        }
                        files.push(c);
                    }
                    _ => {}
                }
            }
        }
        // Stable sort: higher -sort weight first.
        files.sort_by_key(|&f| std::cmp::Reverse(self.tree.node(f).weight));
        for &f in &files {
            self.data_lba[f as usize] = lba as u32;
            if let Kind::File { size, .. } = self.tree.node(f).kind {
                lba += blocks(size);
            }
        }
        for (c, first) in alias {
            self.data_lba[c as usize] = self.data_lba[first as usize];
        }
        if let (Some(c), Some(l)) = (self.catalog_node, self.catalog_lba) {
            self.data_lba[c as usize] = l;
        }
        self.files = files;
        lba += u64::from(self.opts.pad_blocks);
        if lba > u64::from(u32::MAX) {
            return Err(BuildError::VolumeTooLarge(lba));
        }
        self.total = (lba - s) as u32;
        Ok(())
    }

    fn rec_date(&self, id: NodeId) -> [u8; 7] {
        encode_date7(self.tree.node(id).meta.mtime)
    }

    fn rr_mode(&self, id: NodeId) -> u32 {
        let m = self.tree.node(id).meta.mode;
        match self.opts.rock_ridge {
            Some(RockRidge::Rationalized) => {
                let t = m & mode::S_IFMT;
                let mut p = m & 0o7777;
                if t == mode::S_IFDIR {
                    p = 0o555;
                } else {
                    let x = if p & 0o111 != 0 { 0o111 } else { 0 };
                    p = 0o444 | x;
                }
                t | p
            }
            _ => m,
        }
    }

    fn rr_basic(&self, id: NodeId, out: &mut Vec<Vec<u8>>) {
        let node = self.tree.node(id);
        let (uid, gid) = match self.opts.rock_ridge {
            Some(RockRidge::Rationalized) => (0, 0),
            _ => (node.meta.uid, node.meta.gid),
        };
        out.push(susp::px(
            self.rr_mode(id),
            self.nlink[id as usize],
            uid,
            gid,
            self.ino[id as usize],
        ));
        out.push(susp::tf(node.meta.mtime, node.meta.atime, node.meta.ctime));
    }

    /// SUSP/RRIP entries of one record.
    fn rr_entries(&self, view: &View, dir: usize, rec: Rec, ent: Option<&VEnt>) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let d = &view.dirs[dir];
        match rec {
            Rec::Dot => {
                if dir == 0 {
                    out.push(susp::sp());
                }
                match d.node {
                    Some(n) => self.rr_basic(n, &mut out),
                    None => self.rr_synthetic_dir(&mut out),
                }
                if dir == 0 {
                    out.push(susp::er_rrip());
                }
            }
            Rec::DotDot => {
                if let Some(op) = d.orig_parent {
                    match view.dirs[op as usize].node {
                        Some(n) => self.rr_basic(n, &mut out),
                        None => self.rr_synthetic_dir(&mut out),
                    }
                    out.push(susp::pl(view.dirs[op as usize].lba));
                } else {
                    match view.dirs[d.parent as usize].node {
                        Some(n) => self.rr_basic(n, &mut out),
                        None => self.rr_synthetic_dir(&mut out),
                    }
                }
            }
            Rec::Entry => {
                let Some(e) = ent else { return out };
                let node = match e.target {
                    Target::Node(n) | Target::Placeholder(n) => Some(n),
                    Target::Dir(k) | Target::Relocated(k) => view.dirs[k as usize].node,
                };
                let Some(n) = node else {
                    self.rr_synthetic_dir(&mut out);
                    out.extend(susp::nm(self.opts.rr_moved.as_bytes()));
                    return out;
                };
                self.rr_basic(n, &mut out);
                out.extend(susp::nm(self.tree.name(n)));
                match &self.tree.node(n).kind {
                    Kind::Symlink(t) => out.extend(susp::sl(self.tree.span(*t))),
                    Kind::Device(r) => out.push(susp::pn(*r)),
                    _ => {}
                }
                match e.target {
                    Target::Placeholder(c) => {
                        let k = view.dir_of[c as usize];
                        let lba = view.dirs.get(k as usize).map_or(0, |x| x.lba);
                        out.push(susp::cl(lba));
                    }
                    Target::Relocated(_) => out.push(susp::re()),
                    _ => {}
                }
            }
        }
        out
    }

    fn rr_synthetic_dir(&self, out: &mut Vec<Vec<u8>>) {
        out.push(susp::px(mode::S_IFDIR | 0o555, 2, 0, 0, 0));
        out.push(susp::tf(self.date, self.date, self.date));
    }

    /// Bytes of directory `k` of the ISO (or Joliet) tree, padded to whole blocks.
    fn dir_bytes(&self, joliet: bool, k: usize, ce: &mut CeArea) -> Vec<u8> {
        let view = if joliet {
            match &self.joliet {
                Some(j) => j,
                None => return Vec::new(),
            }
        } else {
            &self.iso
        };
        let rr = self.rr() && !joliet;
        let d = &view.dirs[k];
        let mut out: Vec<u8> = Vec::with_capacity(SECTOR);
        let push = |out: &mut Vec<u8>, rec: &[u8]| {
            let used = out.len() % SECTOR;
            if used + rec.len() > SECTOR {
                out.resize(out.len() + SECTOR - used, 0);
            }
            out.extend_from_slice(rec);
        };
        let date_of = |n: Option<NodeId>| n.map_or(encode_date7(self.date), |n| self.rec_date(n));
        let mut rec = Vec::with_capacity(255);
        // "." and "..".
        for (which, target, name) in [(Rec::Dot, k, 0u8), (Rec::DotDot, d.parent as usize, 1u8)] {
            let t = &view.dirs[target];
            let su = if rr {
                let e = self.rr_entries(view, k, which, None);
                pack_su(&e, 255 - 34, ce)
            } else {
                Vec::new()
            };
            rec.clear();
            write_record(
                &mut rec,
                t.lba,
                t.size,
                date_of(t.node),
                flags::DIRECTORY,
                &[name],
                &su,
            );
            push(&mut out, &rec);
        }
        for e in &d.entries {
            let room = 255 - record_len(e.ident.len(), 0);
            let su = if rr {
                let es = self.rr_entries(view, k, Rec::Entry, Some(e));
                pack_su(&es, room, ce)
            } else {
                Vec::new()
            };
            match e.target {
                Target::Dir(c) | Target::Relocated(c) => {
                    let t = &view.dirs[c as usize];
                    rec.clear();
                    write_record(
                        &mut rec,
                        t.lba,
                        t.size,
                        date_of(t.node),
                        flags::DIRECTORY,
                        &e.ident,
                        &su,
                    );
                    push(&mut out, &rec);
                }
                Target::Placeholder(n) => {
                    rec.clear();
                    write_record(&mut rec, 0, 0, self.rec_date(n), 0, &e.ident, &su);
                    push(&mut out, &rec);
                }
                Target::Node(n) => {
                    let node = self.tree.node(n);
                    let (size, lba) = match node.kind {
                        Kind::File { size, .. } => {
                            (size, self.data_lba.get(n as usize).copied().unwrap_or(0))
                        }
                        _ => (0, 0),
                    };
                    let mut remaining = size;
                    let mut at = lba;
                    loop {
                        let part = remaining.min(MAX_EXTENT);
                        let last = remaining <= MAX_EXTENT;
                        let f = if last { 0 } else { flags::MULTI_EXTENT };
                        rec.clear();
                        write_record(
                            &mut rec,
                            at,
                            part as u32,
                            self.rec_date(n),
                            f,
                            &e.ident,
                            &su,
                        );
                        push(&mut out, &rec);
                        if last {
                            break;
                        }
                        remaining -= part;
                        at += (part / SECTOR as u64) as u32;
                    }
                }
            }
        }
        let pad = (SECTOR - out.len() % SECTOR) % SECTOR;
        out.resize(out.len() + pad, 0);
        out
    }

    fn root_record(&self, view: &View) -> Vec<u8> {
        let mut r = Vec::with_capacity(34);
        let root = &view.dirs[0];
        write_record(
            &mut r,
            root.lba,
            root.size,
            self.rec_date(Tree::ROOT),
            flags::DIRECTORY,
            &[0],
            &[],
        );
        r
    }

    fn vd_fields(&self, view: &View) -> VdFields {
        let ids = &self.opts.ids;
        let space = match self.opts.volume_space {
            VolumeSpace::Absolute => self.start + self.total,
            VolumeSpace::SessionOnly => self.total,
        };
        VdFields {
            system_id: ids.system.clone(),
            volume_id: ids.volume.clone(),
            volume_set_id: ids.volume_set.clone(),
            publisher_id: ids.publisher.clone(),
            preparer_id: ids.preparer.clone(),
            application_id: ids.application.clone(),
            copyright_id: ids.copyright.clone(),
            abstract_id: ids.abstract_file.clone(),
            biblio_id: ids.biblio.clone(),
            space_size: space,
            path_table_size: view.pt_size,
            path_table_l: view.pt_l,
            path_table_m: view.pt_m,
            root: self.root_record(view),
            created: Some(self.date),
        }
    }

    fn path_table(view: &View, big: bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(view.pt_size as usize);
        for d in &view.dirs {
            ptable::write_record(&mut out, &d.ident, d.lba, d.parent as u16 + 1, big);
        }
        let pad = (SECTOR - out.len() % SECTOR) % SECTOR;
        out.resize(out.len() + pad, 0);
        out
    }

    fn catalog(&self) -> Vec<u8> {
        let entries: Vec<BootEntry> = self
            .boot_nodes
            .iter()
            .zip(&self.boot_media)
            .map(|((id, bi), &(emulation, system_type))| {
                let size = match self.tree.node(*id).kind {
                    Kind::File { size, .. } => size,
                    _ => 0,
                };
                // mkisofs: whole 2048-byte blocks of the image, 4 virtual sectors each;
                // an emulated diskette or disk loads its boot sector only.
                let whole = (blocks(size) * 4).min(0xFFFF) as u16;
                let sector_count = match emulation {
                    Emulation::NoEmulation => bi.load_size.unwrap_or(whole),
                    _ => 1,
                };
                BootEntry {
                    platform: bi.platform,
                    bootable: bi.bootable,
                    emulation,
                    load_segment: bi.load_segment,
                    system_type,
                    sector_count,
                    lba: self.data_lba[*id as usize],
                }
            })
            .collect();
        // mkisofs puts the publisher in the validation entry's ID field.
        encode_catalog_with_id(&entries, self.opts.ids.publisher.as_bytes())
    }

    /// Writes the whole session (exactly `size_blocks() * 2048` bytes) to `w`.
    pub fn write_to<W: Write>(&self, w: &mut W) -> Result<(), BuildError> {
        self.write_parts(&mut Plain(w))
    }

    /// Writes the whole session to the regular file `f` (at its current position). Large
    /// files are copied file to file by the kernel (`copy_file_range` on Linux, through
    /// `std::io::copy`), which also shares extents on reflink-capable file systems when the
    /// offsets allow; elsewhere it falls back to reading and writing.
    pub fn write_to_file(&self, f: &std::fs::File) -> Result<(), BuildError> {
        let mut d = Direct(std::io::BufWriter::with_capacity(1 << 20, f));
        self.write_parts(&mut d)?;
        d.flush().map_err(BuildError::Write)
    }

    fn write_parts<W: Sink>(&self, w: &mut W) -> Result<(), BuildError> {
        let we = BuildError::Write;
        let mut written: u64 = 0;
        let out = |w: &mut W, b: &[u8], written: &mut u64| -> Result<(), BuildError> {
            w.write_all(b).map_err(we)?;
            *written += b.len() as u64;
            Ok(())
        };
        out(w, &vec![0u8; 16 * SECTOR], &mut written)?;
        out(
            w,
            &self.vd_fields(&self.iso).encode(VdKind::Primary),
            &mut written,
        )?;
        if let Some(c) = self.catalog_lba {
            out(w, &encode_boot_record(c), &mut written)?;
        }
        if let Some(j) = &self.joliet {
            out(w, &self.vd_fields(j).encode(VdKind::Joliet), &mut written)?;
        }
        if self.opts.iso_level >= 4 {
            out(
                w,
                &self.vd_fields(&self.iso).encode(VdKind::Enhanced),
                &mut written,
            )?;
        }
        out(w, &encode_terminator(), &mut written)?;
        if self.catalog_lba.is_some() {
            out(w, &self.catalog(), &mut written)?;
        }
        out(w, &Self::path_table(&self.iso, false), &mut written)?;
        out(w, &Self::path_table(&self.iso, true), &mut written)?;
        if let Some(j) = &self.joliet {
            out(w, &Self::path_table(j, false), &mut written)?;
            out(w, &Self::path_table(j, true), &mut written)?;
        }
        let mut ce = CeArea {
            base: self.ce_lba,
            record: true,
            ..CeArea::default()
        };
        for k in 0..self.iso.dirs.len() {
            let b = self.dir_bytes(false, k, &mut ce);
            out(w, &b, &mut written)?;
        }
        let mut ceb = std::mem::take(&mut ce.bytes);
        ceb.resize(self.ce_blocks as usize * SECTOR, 0);
        out(w, &ceb, &mut written)?;
        if let Some(j) = &self.joliet {
            for k in 0..j.dirs.len() {
                let b = self.dir_bytes(true, k, &mut CeArea::default());
                out(w, &b, &mut written)?;
            }
        }
        debug_assert_eq!(
            written,
            u64::from(self.data_start - self.start) * SECTOR as u64
        );
        self.write_files(w)?;
        let pad = vec![0u8; SECTOR];
        for _ in 0..self.opts.pad_blocks {
            w.write_all(&pad).map_err(BuildError::Write)?;
        }
        w.flush().map_err(BuildError::Write)?;
        Ok(())
    }

    fn boot_patch(&self, id: NodeId) -> Option<&BootImage> {
        self.boot_nodes
            .iter()
            .find(|(n, b)| *n == id && b.info_table)
            .map(|(_, b)| b)
    }

    fn write_files<W: Sink>(&self, w: &mut W) -> Result<(), BuildError> {
        /// Bytes a worker gathers before handing them over.
        const CHUNK: usize = 1 << 20;
        /// Files per batch at most, and bytes per batch at most (a batch is one worker's
        /// unit; fewer, larger messages keep the threads from waking each other per file).
        const BATCH_FILES: usize = 512;
        const BATCH_BYTES: u64 = 4 << 20;
        let direct = w.direct();
        let k = if self.opts.threads > 0 {
            self.opts.threads
        } else {
            std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .clamp(2, 8)
        };
        let files = &self.files;
        let size_of = |id: NodeId| match self.tree.node(id).kind {
            Kind::File { size, .. } => size,
            _ => 0,
        };
        // Batches: contiguous runs of files, in image order.
        let mut batches: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        let mut bytes = 0u64;
        for (i, &id) in files.iter().enumerate() {
            bytes += size_of(id);
            if i + 1 - start >= BATCH_FILES || bytes >= BATCH_BYTES {
                batches.push((start, i + 1));
                start = i + 1;
                bytes = 0;
            }
        }
        if start < files.len() {
            batches.push((start, files.len()));
        }
        let batches = &batches;
        let pvd_lba = self.start + 16;
        std::thread::scope(|s| -> Result<(), BuildError> {
            let mut rxs = Vec::with_capacity(k);
            for wi in 0..k {
                let (tx, rx) = sync_channel::<Msg>(4);
                rxs.push(rx);
                s.spawn(move || {
                    let mut b = wi;
                    while b < batches.len() {
                        let (from, to) = batches[b];
                        b += k;
                        let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + SECTOR);
                        for &id in &files[from..to] {
                            if let Err(e) = self.read_one(id, direct, pvd_lba, &mut buf, &tx) {
                                let _ = tx.send(Msg::Err(e));
                                return;
                            }
                        }
                        if !buf.is_empty() && tx.send(Msg::Data(buf)).is_err() {
                            return;
                        }
                        if tx.send(Msg::End).is_err() {
                            return;
                        }
                    }
                });
            }
            let zeros = [0u8; SECTOR];
            for (bi, _) in batches.iter().enumerate() {
                let rx = &rxs[bi % k];
                loop {
                    match rx.recv() {
                        Ok(Msg::Data(b)) => w.write_all(&b).map_err(BuildError::Write)?,
                        Ok(Msg::Handle(mut f, len, id)) => {
                            let got = w.copy_file(&mut f, len).map_err(BuildError::Write)?;
                            if got != len {
                                return Err(BuildError::Source {
                                    path: self.path_of(id),
                                    source: io::Error::new(
                                        io::ErrorKind::UnexpectedEof,
                                        "file shrank while the image was written",
                                    ),
                                });
                            }
                            let pad = (SECTOR as u64 - len % SECTOR as u64) % SECTOR as u64;
                            w.write_all(&zeros[..pad as usize])
                                .map_err(BuildError::Write)?;
                        }
                        Ok(Msg::End) => break,
                        Ok(Msg::Err(e)) => return Err(e),
                        Err(_) => {
                            return Err(BuildError::Source {
                                path: String::from("(file data)"),
                                source: io::Error::other("reader thread ended early"),
                            })
                        }
                    }
                }
            }
            Ok(())
        })
    }

    /// Reads one file's bytes into `buf` (padded to whole blocks), handing `buf` over in
    /// chunks as it fills; a large file for a direct sink goes over as an open handle.
    fn read_one(
        &self,
        id: NodeId,
        direct: bool,
        pvd_lba: u32,
        buf: &mut Vec<u8>,
        tx: &std::sync::mpsc::SyncSender<Msg>,
    ) -> Result<(), BuildError> {
        const CHUNK: usize = 1 << 20;
        let gone = || BuildError::Write(io::Error::other("image writer stopped"));
        let send = |m: Msg| tx.send(m).map_err(|_| gone());
        let node = self.tree.node(id);
        let Kind::File { size, data } = &node.kind else {
            return Ok(());
        };
        let size = *size;
        let pad = |buf: &mut Vec<u8>| {
            let p = (SECTOR - buf.len() % SECTOR) % SECTOR;
            buf.resize(buf.len() + p, 0);
        };
        match data {
            Data::Old { .. } => return Ok(()),
            Data::Blob(b) => {
                let mut v = self.tree.blob(*b).to_vec();
                v.resize(size as usize, 0);
                if self.boot_patch(id).is_some() {
                    patch_boot_info_table(&mut v, pvd_lba, self.data_lba[id as usize]);
                }
                buf.extend_from_slice(&v);
                pad(buf);
            }
            Data::Path(p) => {
                let path = self.tree.source_path(*p);
                let perr = |e: io::Error| BuildError::Source {
                    path: path.display().to_string(),
                    source: e,
                };
                let shrank = || {
                    perr(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "file shrank while the image was written",
                    ))
                };
                let mut f = std::fs::File::open(&path).map_err(perr)?;
                let patch = self.boot_patch(id).is_some();
                if direct && !patch && size >= DIRECT_MIN {
                    if !buf.is_empty() {
                        send(Msg::Data(std::mem::take(buf)))?;
                    }
                    return send(Msg::Handle(f, size, id));
                }
                if patch {
                    let mut v = Vec::with_capacity(size as usize);
                    let n = (&mut f).take(size).read_to_end(&mut v).map_err(perr)?;
                    if n as u64 != size {
                        return Err(shrank());
                    }
                    patch_boot_info_table(&mut v, pvd_lba, self.data_lba[id as usize]);
                    buf.extend_from_slice(&v);
                } else {
                    let mut left = size;
                    while left > 0 {
                        if buf.len() >= CHUNK {
                            send(Msg::Data(std::mem::take(buf)))?;
                            buf.reserve(CHUNK + SECTOR);
                        }
                        let room = (CHUNK + SECTOR - buf.len()).max(SECTOR);
                        let n = left.min(room as u64) as usize;
                        let at = buf.len();
                        buf.resize(at + n, 0);
                        let got = read_full(&mut f, &mut buf[at..]).map_err(perr)?;
                        if got != n {
                            return Err(shrank());
                        }
                        left -= n as u64;
                    }
                }
                pad(buf);
            }
        }
        if buf.len() >= CHUNK {
            send(Msg::Data(std::mem::take(buf)))?;
        }
        Ok(())
    }
}

/// What a read-ahead worker hands the writer.
enum Msg {
    /// Image bytes, already padded to whole blocks per file.
    Data(Vec<u8>),
    /// A large file, opened, for the writer to copy file to file, then pad.
    Handle(std::fs::File, u64, NodeId),
    /// End of the batch.
    End,
    /// Reading failed.
    Err(BuildError),
}

/// Files at least this large are copied file to file when the output is a file.
const DIRECT_MIN: u64 = 1 << 20;

/// Where a session is written: any `Write`, or a file that can take file-to-file copies.
trait Sink: Write {
    /// Whether [`Sink::copy_file`] avoids the trip through user space.
    fn direct(&self) -> bool;
    /// Appends `len` bytes of `f` (from its start); returns how many there were.
    fn copy_file(&mut self, f: &mut std::fs::File, len: u64) -> io::Result<u64>;
}

/// Any writer: file data goes through a buffer.
struct Plain<'a, W: Write>(&'a mut W);

impl<W: Write> Write for Plain<'_, W> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.write(b)
    }
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        self.0.write_all(b)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<W: Write> Sink for Plain<'_, W> {
    fn direct(&self) -> bool {
        false
    }
    fn copy_file(&mut self, f: &mut std::fs::File, len: u64) -> io::Result<u64> {
        io::copy(&mut f.take(len), self.0)
    }
}

/// A regular file: large files are copied by the kernel.
struct Direct<'a>(std::io::BufWriter<&'a std::fs::File>);

impl Write for Direct<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.write(b)
    }
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        self.0.write_all(b)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Sink for Direct<'_> {
    fn direct(&self) -> bool {
        true
    }
    fn copy_file(&mut self, f: &mut std::fs::File, len: u64) -> io::Result<u64> {
        self.0.flush()?;
        let out: &mut &std::fs::File = self.0.get_mut();
        // std::io::copy between files uses copy_file_range (then sendfile) on Linux.
        io::copy(&mut (&*f).take(len), out)
    }
}

fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match f.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Column where a translation table line's long name starts, less 2: genisoimage pads the
/// ISO 9660 name to its longest possible identifier plus one (207 + 1).
const TRANS_TBL_ISO_WIDTH: usize = 208;

/// One line of a translation table (`TRANS.TBL`, mkisofs `-T`) as genisoimage writes it:
/// a type letter (`F` file, `D` directory, `L` symbolic link, `B`/`C` block/character
/// device with its major and minor numbers, `P` pipe, `S` socket), a space, the ISO 9660
/// identifier padded with spaces to 208 characters, a tab, the real name, for a link a tab
/// and its target, for a device a tab and "MAJOR MINOR", and a newline.
pub fn trans_table_line(tree: &Tree, id: NodeId, iso_ident: &[u8]) -> Vec<u8> {
    let node = tree.node(id);
    let name = tree.name(id);
    let mut extra: Vec<u8> = Vec::new();
    let kind = match &node.kind {
        Kind::Dir(_) => b'D',
        Kind::File { .. } => b'F',
        Kind::Symlink(t) => {
            extra.extend_from_slice(tree.span(*t));
            b'L'
        }
        Kind::Device(rdev) => {
            // glibc's gnu_dev_major / gnu_dev_minor split of a Linux dev_t.
            let major = ((rdev >> 32) & 0xffff_f000) | ((rdev >> 8) & 0xfff);
            let minor = ((rdev >> 12) & 0xffff_ff00) | (rdev & 0xff);
            extra.extend_from_slice(format!("{major} {minor}").as_bytes());
            if node.meta.mode & mode::S_IFMT == mode::S_IFBLK {
                b'B'
            } else {
                b'C'
            }
        }
        Kind::Fifo => b'P',
        Kind::Socket => b'S',
    };
    let mut v = Vec::with_capacity(TRANS_TBL_ISO_WIDTH + name.len() + extra.len() + 6);
    v.push(kind);
    v.push(b' ');
    v.extend_from_slice(iso_ident);
    let pad = TRANS_TBL_ISO_WIDTH.saturating_sub(iso_ident.len());
    v.resize(v.len() + pad, b' ');
    v.push(b'\t');
    v.extend_from_slice(name);
    if !extra.is_empty() {
        v.push(b'\t');
        v.extend_from_slice(&extra);
    }
    v.push(b'\n');
    v
}

fn now() -> Timestamp {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| Timestamp::from_secs(d.as_secs() as i64))
        .unwrap_or_default()
}

fn clamp_times(tree: &mut Tree, date: Timestamp) {
    for i in 0..tree.len() as NodeId {
        let m = &mut tree.node_mut(i).meta;
        let t = if m.mtime > date {
            date
        } else {
            Timestamp::from_secs(m.mtime.secs)
        };
        m.mtime = t;
        m.atime = t;
        m.ctime = t;
    }
}

/// For each new file that replaced a previous-session file of the same size, compares the
/// contents with the old extent; when equal, the file keeps the old extent.
fn keep_unchanged(tree: &mut Tree, prev: &mut dyn SectorSource) -> Result<(), BuildError> {
    let pairs = std::mem::take(&mut tree.replaced);
    let mut old = vec![0u8; 32 * SECTOR];
    let mut new = vec![0u8; 32 * SECTOR];
    for (id, lba) in pairs {
        let (size, path) = match &tree.node(id).kind {
            Kind::File {
                size,
                data: Data::Path(p),
            } => (*size, tree.source_path(*p)),
            _ => continue,
        };
        let mut f = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) => {
                return Err(BuildError::Source {
                    path: path.display().to_string(),
                    source: e,
                })
            }
        };
        let mut same = true;
        let mut off: u64 = 0;
        while off < size {
            let n = (size - off).min(old.len() as u64) as usize;
            let nb = n.div_ceil(SECTOR);
            let at = lba + (off / SECTOR as u64) as u32;
            prev.read_sectors(at, &mut old[..nb * SECTOR])
                .map_err(|e| BuildError::Previous { lba: at, source: e })?;
            let got = read_full(&mut f, &mut new[..n]).map_err(|e| BuildError::Source {
                path: path.display().to_string(),
                source: e,
            })?;
            if got != n || old[..n] != new[..n] {
                same = false;
                break;
            }
            off += n as u64;
        }
        if same {
            if let Kind::File { data, .. } = &mut tree.node_mut(id).kind {
                *data = Data::Old { lba };
            }
        }
    }
    Ok(())
}
