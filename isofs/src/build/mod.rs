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

mod boot;
mod emit;
mod filedata;
mod layout;
mod options;
mod reuse;
mod rockridge;
mod sums;
mod sysarea;
mod trans_tbl;

pub use options::{
    Appended, BootImage, BootMode, BootOptions, CylAlign, MbrKind, Options, RockRidge, SystemArea,
    VolumeIds, VolumeSpace,
};
pub use trans_tbl::trans_table_line;

use std::io;

use crate::tree::{Data, Kind, NodeId, Tree};
use crate::wire::eltorito::Emulation;
use crate::wire::Timestamp;
use crate::{SectorSource, SECTOR};

use filedata::read_full;
use layout::View;

/// Largest extent of one directory record: 4 GiB minus one block (ECMA-119 §9.1.4 limits
/// the data length to 32 bits; multi-extent files use several records).
pub const MAX_EXTENT: u64 = 0xFFFF_F800;

/// Largest boot image kept from the previous session that is copied (through memory) into
/// a new session to get a fresh boot information table (`-boot-info-table`).
pub const MAX_KEPT_BOOT_IMAGE: u64 = 256 << 20;

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
    /// Per boot image: its file (none for an appended partition) and options.
    boot_nodes: Vec<(Option<NodeId>, BootImage)>,
    /// Per boot image: media type and system type, resolved from the image.
    boot_media: Vec<(Emulation, u8)>,
    data_lba: Vec<u32>,
    ino: Vec<u32>,
    /// Link counts other than 1 (see `nlink_of`).
    nlink: std::collections::HashMap<NodeId, u32>,
    files: Vec<NodeId>,
    data_start: u32,
    has_rr_moved: bool,
    /// Hybrid layout (system area, appended partitions, GPT), when asked for.
    hybrid: Option<sysarea::Hybrid>,
    /// The second directory tree of `-partition_offset` (addresses relative to it).
    offset_tree: Option<layout::OffsetTree>,
    /// MD5 checksums recorded in the session (`Options::md5`).
    md5: Option<sums::Plan>,
    /// The previous session's system area, written unchanged as this session's
    /// (`Options::keep_system_area`).
    kept_system_area: Option<Vec<u8>>,
}

/// What a later session takes from the session at `last` it continues: its volume id
/// (`Options::volume_id_from_previous`, from the primary volume descriptor, ECMA-119
/// §8.4.6) and its system area (`Options::keep_system_area`, blocks `last..last + 16`,
/// returned when it holds anything and this session asks for no system area of its own).
fn inherit(
    opts: &mut Options,
    prev: &mut dyn SectorSource,
    last: u32,
) -> Result<Option<Vec<u8>>, BuildError> {
    let read = |prev: &mut dyn SectorSource, lba: u32, buf: &mut [u8]| {
        prev.read_sectors(lba, buf).map_err(|e| BuildError::Source {
            path: format!("previous session block {lba}"),
            source: e,
        })
    };
    if opts.volume_id_from_previous {
        let mut pvd = vec![0u8; SECTOR];
        read(prev, last + 16, &mut pvd)?;
        if let Ok(vd) = crate::wire::vd::VolumeDescriptor::new_checked(&pvd) {
            if vd.vd_type() == crate::wire::vd::VdType::Primary {
                opts.ids.volume = vd.volume_id();
            }
        }
    }
    if !opts.keep_system_area || opts.system_area.is_set() {
        return Ok(None);
    }
    let mut sa = vec![0u8; 16 * SECTOR];
    read(prev, last, &mut sa)?;
    Ok(sa.iter().any(|&b| b != 0).then_some(sa))
}

fn blocks(n: u64) -> u64 {
    n.div_ceil(SECTOR as u64)
}

impl Image {
    /// Lays out an image of `tree`. `previous`, when given, is read to check that files
    /// replacing a previous session's file of the same size really are unchanged.
    ///
    /// ```
    /// use isofs::{Image, Options, RockRidge, Tree, Volume};
    ///
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("Hello World.txt"), "hi\n")?;
    /// let mut tree = Tree::new();
    /// tree.add_source("/", dir.path(), &Default::default())?;
    /// let opts = Options { rock_ridge: Some(RockRidge::Exact), ..Options::default() };
    /// let image = Image::new(tree, opts, None)?;
    /// let mut bytes = Vec::new();
    /// image.write_to(&mut bytes)?; // the size was known before the first byte
    /// assert_eq!(bytes.len() as u64, u64::from(image.size_blocks()) * 2048);
    ///
    /// let mut vol = Volume::open(bytes, 0, None)?;
    /// let root = vol.root().clone();
    /// let names: Vec<String> = vol.read_dir(&root)?.into_iter().map(|e| e.name).collect();
    /// assert_eq!(names, ["Hello World.txt"]); // the Rock Ridge name
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        mut tree: Tree,
        mut opts: Options,
        previous: Option<&mut dyn SectorSource>,
    ) -> Result<Self, BuildError> {
        tree.shrink_to_fit();
        let date = opts.date.unwrap_or_else(now);
        if opts.reproducible {
            clamp_times(&mut tree, date);
        }
        let mut previous = previous;
        let mut kept_system_area = None;
        if let Some(prev) = previous.as_deref_mut() {
            keep_unchanged(&mut tree, prev)?;
            if let Some((last, _)) = opts.session {
                kept_system_area = inherit(&mut opts, prev, last)?;
            }
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
            nlink: std::collections::HashMap::new(),
            files: Vec::new(),
            data_start: 0,
            has_rr_moved: false,
            hybrid: None,
            offset_tree: None,
            md5: opts.md5.then(sums::Plan::default),
            kept_system_area,
            opts,
        };
        img.prepare_boot(previous)?;
        img.add_trans_tables();
        img.check_sizes()?;
        img.build_views();
        img.fill_trans_tables();
        img.assign_inodes();
        img.plan_md5_indexes();
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

    /// Blocks of the session before its file data: system area, volume descriptors, boot
    /// catalog, path tables, the directories written in this session and their Rock Ridge
    /// continuation areas (directories kept from the previous session count nothing).
    pub fn metadata_blocks(&self) -> u32 {
        self.data_start - self.start
    }

    /// Directories of the ISO 9660 tree that keep the previous session's extent (not
    /// written again), and all directories of that tree.
    pub fn kept_dirs(&self) -> (usize, usize) {
        (
            self.iso.keep.iter().filter(|&&k| k).count(),
            self.iso.dirs.len(),
        )
    }

    /// [`Image::kept_dirs`] of the Joliet tree ((0, 0) without one).
    pub fn kept_joliet_dirs(&self) -> (usize, usize) {
        self.joliet.as_ref().map_or((0, 0), |j| {
            (j.keep.iter().filter(|&&k| k).count(), j.dirs.len())
        })
    }

    /// The tree the image was made from.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    pub(super) fn rr(&self) -> bool {
        self.opts.rock_ridge.is_some()
    }

    pub(super) fn path_of(&self, mut id: NodeId) -> String {
        let mut parts = Vec::new();
        while id != Tree::ROOT {
            parts.push(self.tree.name_str(id).into_owned());
            id = self.tree.node(id).parent;
        }
        parts.reverse();
        format!("/{}", parts.join("/"))
    }

    pub(super) fn is_dir(&self, id: NodeId) -> bool {
        self.tree.is_dir(id)
    }
}

fn now() -> Timestamp {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| Timestamp::from_secs(d.as_secs() as i64))
        .unwrap_or_default()
}

fn clamp_times(tree: &mut Tree, date: Timestamp) {
    for i in 0..tree.len() as NodeId {
        let mut m = tree.meta(i);
        let t = if m.mtime > date {
            date
        } else {
            Timestamp::from_secs(m.mtime.secs)
        };
        m.mtime = t;
        m.atime = t;
        m.ctime = t;
        tree.set_meta(i, m);
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
        let mut md5 = crate::checksum::Hasher::default();
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
            md5.update(&new[..n]);
            off += n as u64;
        }
        if same {
            // The comparison read every byte: the kept extent's MD5 comes free.
            tree.old_md5.insert(lba, md5.finish());
            tree.set_data(id, Data::Old { lba });
        }
    }
    Ok(())
}
