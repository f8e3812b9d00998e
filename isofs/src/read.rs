//! The image reader: ECMA-119 §6.7–§9 (volume descriptor set, directories, multi-extent
//! files), SUSP 1.12 (SP skip, CE continuation), RRIP 1.12 (PX, PN, SL, NM, TF, CL/PL/RE),
//! Joliet, ISO 9660:1999 enhanced descriptors. Works on any [`SectorSource`].
//!
//! Untrusted images cannot make it panic, loop or allocate without bound: directory sizes
//! are capped, CE chains are bounded, extents are checked against the volume, and the
//! bounds of [`Limits`] hold for the whole image (names, entries and continuation bytes per
//! directory and per walk; directory extents disjoint, so a walk reads each block once).
//!
//! Batched directory reads ([`Volume::batch_directory_reads`], used by the multisession
//! import): the path table (ECMA-119 §6.9, §9.4) lists every directory's first block, in the
//! order mkisofs, libisofs and this crate's builder lay directories out (by level, then by
//! parent), so one READ fetches a directory together with the ones that follow it on the
//! medium. The path table only decides what is read ahead: what the reader believes still
//! comes from the directory records, and a read-ahead that fails falls back to reading just
//! the directory asked for.

mod limits;

pub use limits::{Limits, Problem};

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::names::{decode_joliet, strip_version};
use crate::wire::dir::DirRecord;
use crate::wire::vd::{VdType, VolumeDescriptor};
use crate::wire::{aaip, susp};
use crate::wire::{Timestamp, WireError};
use crate::{SectorSource, SECTOR};
use limits::{span, Budget, DirExtents};

/// Largest directory the reader accepts (bytes).
pub const MAX_DIR_SIZE: u32 = 256 << 20;
/// Deepest directory nesting the walker follows.
pub const MAX_DEPTH: usize = 512;
/// Longest chain of CE continuation areas per record.
pub const MAX_CE_CHAIN: usize = 32;
/// Largest path table read for batched directory reads (bytes): 65,535 directories (the
/// most a path table can number, §9.4.5) of 37-byte identifiers take 3 MiB.
const MAX_PATH_TABLE: u32 = 4 << 20;
/// Most blocks one batched directory read takes (1 MiB).
const BATCH_BLOCKS: u32 = 512;
/// A directory starting more than this many blocks after the previous one ends a batch
/// (what lies between is taken for that directory's extent and continuation areas).
const BATCH_SPAN: u32 = 128;

/// Directory blocks read ahead ([`Volume::batch_directory_reads`]).
#[derive(Debug, Default)]
struct Batch {
    /// First blocks of the tree's directories, from the path table, sorted.
    starts: Vec<u32>,
    /// Blocks read and not yet taken by a directory listing.
    blocks: std::collections::HashMap<u32, Vec<u8>>,
}

/// Errors of reading an image.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The source failed.
    #[error("reading block {lba}: {source}")]
    Io {
        /// Block.
        lba: u32,
        /// The error.
        source: io::Error,
    },
    /// No volume descriptor set at the session start.
    #[error("no ISO 9660 volume descriptor set at block {0}")]
    NoVolume(u32),
    /// A structure is malformed.
    #[error("malformed {what} at block {lba}: {source}")]
    Malformed {
        /// Which structure.
        what: &'static str,
        /// Block.
        lba: u32,
        /// Detail.
        source: WireError,
    },
    /// A record of a directory is malformed (ECMA-119 §9.1).
    #[error(
        "malformed directory record in the directory at block {dir} \
         (block {lba}, offset {offset}): {source}"
    )]
    Record {
        /// First block of the directory.
        dir: u32,
        /// Block holding the record.
        lba: u32,
        /// Offset of the record within that block.
        offset: usize,
        /// Detail.
        source: WireError,
    },
    /// An entry breaks a bound of [`Limits`] or contradicts the volume.
    #[error("{}: {problem}", limits::shown(path))]
    Entry {
        /// Path of the entry in the image ('/'-separated, relative to the walked
        /// directory, or the record's own name when read outside a walk).
        path: String,
        /// What is wrong.
        problem: Problem,
    },
    /// A directory contains itself (directly or through descendants).
    #[error("directory loop: extent {0} is its own ancestor")]
    Loop(u32),
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("directories nested deeper than {MAX_DEPTH}")]
    TooDeep,
    /// A size field is beyond what the reader accepts or the medium holds.
    #[error("{what} of {size} bytes at block {lba} is beyond the limit")]
    TooLarge {
        /// Which structure.
        what: &'static str,
        /// Claimed size.
        size: u64,
        /// Block.
        lba: u32,
    },
    /// A path does not exist in the image.
    #[error("{0}: not found in the image")]
    NotFound(String),
    /// A path names a non-directory where a directory was expected.
    #[error("{0}: not a directory")]
    NotADirectory(String),
    /// An image name that cannot be extracted safely.
    #[error("refusing unsafe name {0:?}")]
    UnsafeName(String),
    /// Writing extracted data failed.
    #[error("{path}: {source}")]
    Extract {
        /// Target path.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

/// Which directory tree names come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Namespace {
    /// ISO 9660 with Rock Ridge.
    RockRidge,
    /// Joliet (UCS-2).
    Joliet,
    /// ISO 9660:1999 enhanced volume descriptor tree.
    Iso1999,
    /// Plain ISO 9660.
    Iso9660,
}

/// One file, directory, link or special file of an image, with what Rock Ridge recorded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    /// Name (Rock Ridge, Joliet or ISO 9660, version removed).
    pub name: String,
    /// Whether this is a directory.
    pub is_dir: bool,
    /// Size in bytes (sum of all extents).
    pub size: u64,
    /// Extents (LBA, bytes) in order.
    pub extents: Vec<(u32, u32)>,
    /// POSIX mode from PX (type and permissions).
    pub mode: Option<u32>,
    /// Owner from PX.
    pub uid: Option<u32>,
    /// Group from PX.
    pub gid: Option<u32>,
    /// Link count from PX.
    pub nlink: Option<u32>,
    /// File serial number from PX (RRIP 1.12).
    pub ino: Option<u32>,
    /// Modification time (TF, else the recording date).
    pub mtime: Option<Timestamp>,
    /// Access time (TF).
    pub atime: Option<Timestamp>,
    /// Attribute change time (TF).
    pub ctime: Option<Timestamp>,
    /// Symbolic link target (SL).
    pub symlink: Option<String>,
    /// Device number (PN).
    pub rdev: Option<u64>,
    /// Relocated directory marker (RE): hidden from listings.
    pub relocated: bool,
    /// For a directory: its identifier as its parent's record holds it (ECMA-119 §9.1.11;
    /// the name the path table must repeat). Empty for other entries and for the root.
    pub ident: Vec<u8>,
    /// AAIP `isofs.cx`: index of the file's MD5 in the session's checksum array.
    pub md5_index: Option<u32>,
    /// AAIP `isofs.ca` (the root only): the checksummed range and the checksum array.
    pub checksum_array: Option<crate::wire::aaip::ChecksumArray>,
}

impl Entry {
    /// First extent LBA.
    pub fn lba(&self) -> u32 {
        self.extents.first().map_or(0, |e| e.0)
    }
    /// Whether this is a symbolic link.
    pub fn is_symlink(&self) -> bool {
        self.symlink.is_some()
    }
}

/// A regular file or block device holding an LBA-addressed image (block N at byte N*2048).
#[derive(Debug)]
pub struct FileSource {
    file: fs::File,
}

impl FileSource {
    /// Opens `path` read-only.
    pub fn open(path: &Path) -> io::Result<Self> {
        Ok(Self {
            file: fs::File::open(path)?,
        })
    }
    /// Wraps an open file.
    pub fn new(file: fs::File) -> Self {
        Self { file }
    }
}

impl SectorSource for FileSource {
    fn read_sectors(&mut self, lba: u32, buf: &mut [u8]) -> io::Result<()> {
        let off = u64::from(lba) * SECTOR as u64;
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileExt;
            self.file.read_exact_at(buf, off)
        }
        #[cfg(not(unix))]
        {
            use std::io::{Read, Seek, SeekFrom};
            self.file.seek(SeekFrom::Start(off))?;
            self.file.read_exact(buf)
        }
    }
    fn sector_count(&mut self) -> io::Result<Option<u64>> {
        use std::io::{Seek, SeekFrom};
        let end = self.file.seek(SeekFrom::End(0))?;
        Ok(Some(end / SECTOR as u64))
    }
}

/// An in-memory image (tests, fuzzing).
impl SectorSource for Vec<u8> {
    fn read_sectors(&mut self, lba: u32, buf: &mut [u8]) -> io::Result<()> {
        let off = u64::from(lba) * SECTOR as u64;
        let end = off + buf.len() as u64;
        if end > self.len() as u64 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "beyond the end of the image",
            ));
        }
        buf.copy_from_slice(&self[off as usize..end as usize]);
        Ok(())
    }
    fn sector_count(&mut self) -> io::Result<Option<u64>> {
        Ok(Some(self.len() as u64 / SECTOR as u64))
    }
}

/// Summary of a session's volume descriptors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeInfo {
    /// First block of the session.
    pub start: u32,
    /// Volume space size recorded in the PVD.
    pub space_size: u32,
    /// Volume identifier.
    pub volume_id: String,
    /// System identifier.
    pub system_id: String,
    /// Publisher.
    pub publisher_id: String,
    /// Data preparer.
    pub preparer_id: String,
    /// Application.
    pub application_id: String,
    /// Creation date.
    pub created: Option<Timestamp>,
    /// Whether Rock Ridge was found.
    pub rock_ridge: bool,
    /// Joliet level, if any.
    pub joliet: Option<u8>,
    /// Whether an ISO 9660:1999 enhanced descriptor exists.
    pub iso1999: bool,
    /// Boot catalog LBA, if any.
    pub boot_catalog: Option<u32>,
    /// Highest block used by this session's descriptors, directories and files (exclusive),
    /// as far as the directory tree shows; filled in by [`Volume::session_end`].
    pub end: Option<u32>,
    /// Problems found while opening that did not stop it (e.g. a damaged root "." record
    /// when the caller asked for Joliet or ISO 9660 names, so Rock Ridge could not be
    /// detected); callers show them to the user.
    pub warnings: Vec<String>,
}

/// An opened session of an image.
#[derive(Debug)]
pub struct Volume<S: SectorSource> {
    src: S,
    info: VolumeInfo,
    ns: Namespace,
    root: Entry,
    susp_skip: Option<usize>,
    /// End of the volume (exclusive block), see [`Volume::volume_end`].
    end: Option<u64>,
    limits: Limits,
    /// The last continuation block read.
    ce_cache: Option<(u32, Vec<u8>)>,
    /// The chosen tree's type L path table (block, bytes), from its volume descriptor.
    path_table: Option<(u32, u32)>,
    /// Directory blocks read ahead, when asked for.
    batch: Option<Batch>,
}

/// The volume's end: the medium's, and the session start plus the volume space size
/// (0, which no volume has, is no bound).
fn volume_end(medium: Option<u64>, start: u32, space: u32) -> Option<u64> {
    let vol = (space > 0).then(|| u64::from(start) + u64::from(space));
    match (medium, vol) {
        (Some(m), Some(v)) => Some(m.min(v)),
        (m, v) => m.or(v),
    }
}

/// Where an entry is, for errors: a directory's path and a name in it, joined only when
/// an error or warning names it (a walk of a large tree would otherwise format a path per
/// entry it never reports).
#[derive(Debug, Clone, Copy)]
struct At<'a> {
    dir: &'a str,
    name: &'a str,
}

impl<'a> At<'a> {
    /// The entry (or directory) at `path` itself.
    fn path(path: &'a str) -> Self {
        At {
            dir: path,
            name: "",
        }
    }

    /// The entry `name` of the directory at `dir`.
    fn child(dir: &'a str, name: &'a str) -> Self {
        At { dir, name }
    }

    /// The path, '/'-separated.
    fn join(self) -> String {
        match (self.dir.is_empty(), self.name.is_empty()) {
            (_, true) => self.dir.to_string(),
            (true, false) => self.name.to_string(),
            (false, false) => format!("{}/{}", self.dir, self.name),
        }
    }
}

/// The type L path table (block, bytes) a supplementary or enhanced descriptor names.
fn path_table_of(b: &[u8]) -> Option<(u32, u32)> {
    VolumeDescriptor::new_checked(b)
        .ok()
        .map(|d| (d.path_table_l(), d.path_table_size()))
}

fn rd<S: SectorSource + ?Sized>(src: &mut S, lba: u32, n: usize) -> Result<Vec<u8>, ReadError> {
    let mut b = vec![0u8; n * SECTOR];
    src.read_sectors(lba, &mut b)
        .map_err(|e| ReadError::Io { lba, source: e })?;
    Ok(b)
}

impl<S: SectorSource> Volume<S> {
    /// Opens the session whose volume descriptors start at `start` + 16, choosing the
    /// namespace: `prefer` when present, else Rock Ridge, Joliet, ISO 9660:1999, ISO 9660.
    pub fn open(mut src: S, start: u32, prefer: Option<Namespace>) -> Result<Self, ReadError> {
        let limit = src.sector_count().ok().flatten();
        let mut pvd: Option<Vec<u8>> = None;
        let mut svd: Option<(Vec<u8>, u8)> = None;
        let mut evd: Option<Vec<u8>> = None;
        let mut boot = None;
        for i in 0..64u32 {
            let lba = start + 16 + i;
            let b = match rd(&mut src, lba, 1) {
                Ok(b) => b,
                Err(e) if i == 0 => return Err(e),
                Err(_) => break,
            };
            let Ok(vd) = VolumeDescriptor::new_checked(&b) else {
                if i == 0 {
                    return Err(ReadError::NoVolume(start));
                }
                break;
            };
            match vd.vd_type() {
                VdType::Primary if pvd.is_none() => pvd = Some(b.clone()),
                VdType::Supplementary => {
                    if let Some(l) = vd.joliet_level() {
                        if svd.is_none() {
                            svd = Some((b.clone(), l));
                        }
                    } else if vd.is_enhanced() && evd.is_none() {
                        evd = Some(b.clone());
                    }
                }
                VdType::BootRecord => boot = vd.boot_catalog(),
                VdType::Terminator => break,
                _ => {}
            }
        }
        let pvd = pvd.ok_or(ReadError::NoVolume(start))?;
        let p = VolumeDescriptor::new_checked(&pvd).map_err(|e| ReadError::Malformed {
            what: "PVD",
            lba: start + 16,
            source: e,
        })?;
        let mut info = VolumeInfo {
            start,
            space_size: p.space_size(),
            volume_id: p.volume_id(),
            system_id: p.system_id(),
            publisher_id: p.publisher_id(),
            preparer_id: p.preparer_id(),
            application_id: p.application_id(),
            created: p.created(),
            rock_ridge: false,
            joliet: svd.as_ref().map(|s| s.1),
            iso1999: evd.is_some(),
            boot_catalog: boot,
            end: None,
            warnings: Vec::new(),
        };
        let root_of = |b: &[u8], lba: u32| -> Result<Entry, ReadError> {
            let r = DirRecord::new_checked(&b[156..190]).map_err(|e| ReadError::Malformed {
                what: "root directory record",
                lba,
                source: e,
            })?;
            Ok(Entry {
                name: String::new(),
                is_dir: true,
                size: u64::from(r.size()),
                extents: vec![(r.extent(), r.size())],
                mtime: r.date(),
                ..Entry::default()
            })
        };
        let pvd_root = root_of(&pvd, start + 16)?;
        let mut v = Self {
            src,
            info: info.clone(),
            ns: Namespace::Iso9660,
            root: pvd_root.clone(),
            susp_skip: None,
            end: volume_end(limit, start, info.space_size),
            limits: Limits::default(),
            ce_cache: None,
            path_table: Some((p.path_table_l(), p.path_table_size())),
            batch: None,
        };
        // Rock Ridge: SP in the first record of the root directory (SUSP §5.3). A root
        // whose "." record is damaged is malformed (ECMA-119 §6.8.2.2): whether it carried
        // Rock Ridge cannot be told, and falling back to Joliet or ISO 9660 names would
        // silently drop names, modes, owners, links and times. So it is an error, unless
        // the caller asked for another tree, which then opens with a warning.
        let rr = match v.detect_susp(&pvd_root) {
            Ok(rr) => rr,
            Err(e) => {
                let other = match prefer {
                    Some(Namespace::Joliet) => svd.is_some(),
                    Some(Namespace::Iso1999) => evd.is_some(),
                    Some(Namespace::Iso9660) => true,
                    _ => false,
                };
                if !other {
                    return Err(e);
                }
                info.warnings.push(format!(
                    "{e}; Rock Ridge detection impossible, its attributes (if any) are not read"
                ));
                None
            }
        };
        info.rock_ridge = rr.is_some();
        let choice = match prefer {
            Some(Namespace::Joliet) if svd.is_some() => Namespace::Joliet,
            Some(Namespace::Iso1999) if evd.is_some() => Namespace::Iso1999,
            Some(Namespace::Iso9660) => Namespace::Iso9660,
            _ if rr.is_some() => Namespace::RockRidge,
            _ if svd.is_some() => Namespace::Joliet,
            _ if evd.is_some() => Namespace::Iso1999,
            _ => Namespace::Iso9660,
        };
        v.ns = choice;
        match choice {
            Namespace::RockRidge => {
                v.susp_skip = rr;
                v.root = v.with_dot_attrs(pvd_root)?;
            }
            Namespace::Joliet => {
                if let Some((b, _)) = &svd {
                    v.root = root_of(b, start + 17)?;
                    v.path_table = path_table_of(b);
                }
            }
            Namespace::Iso1999 => {
                if let Some(b) = &evd {
                    v.root = root_of(b, start + 17)?;
                    v.path_table = path_table_of(b);
                }
            }
            Namespace::Iso9660 => {}
        }
        v.info = info;
        Ok(v)
    }

    /// Volume descriptor summary.
    pub fn info(&self) -> &VolumeInfo {
        &self.info
    }

    /// The namespace in use.
    pub fn namespace(&self) -> Namespace {
        self.ns
    }

    /// The root directory.
    pub fn root(&self) -> &Entry {
        &self.root
    }

    /// Gives back the sector source.
    pub fn into_source(self) -> S {
        self.src
    }

    /// The sector source.
    pub fn source(&mut self) -> &mut S {
        &mut self.src
    }

    /// The bounds in force ([`Limits::default`] unless set).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Sets the bounds the reader applies from now on.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// End of the volume (exclusive block) as far as it is known: the medium's size, and
    /// the session start plus the volume space size (ECMA-119 §8.4.8; it counts from block
    /// 0 in the absolute form, from the session start in the relative one: the larger of
    /// the two readings is the bound).
    pub fn volume_end(&self) -> Option<u64> {
        self.end
    }

    /// Checks that `size` bytes at `lba` end within the volume.
    fn check_extent(
        &self,
        at: At<'_>,
        what: &'static str,
        lba: u32,
        size: u64,
    ) -> Result<(), ReadError> {
        if let Some(end) = self.end {
            if size > 0 && span(lba, size).1 > end {
                return Err(ReadError::Entry {
                    path: at.join(),
                    problem: Problem::BeyondVolume {
                        what,
                        lba,
                        size,
                        end,
                    },
                });
            }
        }
        Ok(())
    }

    fn read_dir_bytes(&mut self, dir: &Entry, path: &str) -> Result<Vec<u8>, ReadError> {
        let (lba, size) = dir.extents.first().copied().unwrap_or((0, 0));
        if size > MAX_DIR_SIZE {
            return Err(ReadError::TooLarge {
                what: "directory",
                size: u64::from(size),
                lba,
            });
        }
        self.check_extent(At::path(path), "directory extent", lba, u64::from(size))?;
        let n = (size as usize).div_ceil(SECTOR);
        self.dir_blocks(lba, n, true)
    }

    /// From now on, reads directories in batches: each read of a directory not read ahead
    /// yet also takes the directories the path table places after it (up to 1 MiB), and
    /// keeps their blocks until they are listed. For walks of a whole tree (the import of a
    /// previous session): a few large READs instead of one or two per directory. A path
    /// table that cannot be read leaves the reads as they were.
    pub fn batch_directory_reads(&mut self) {
        let Some((lba, size)) = self.path_table else {
            return;
        };
        if size == 0 || size > MAX_PATH_TABLE {
            return;
        }
        if self
            .check_extent(At::path(""), "path table", lba, u64::from(size))
            .is_err()
        {
            return;
        }
        let b = match rd(&mut self.src, lba, (size as usize).div_ceil(SECTOR)) {
            Ok(b) => b,
            Err(e) => {
                log::debug!("path table: {e}; directories read one by one");
                return;
            }
        };
        let recs = match crate::wire::ptable::parse_l(&b[..size as usize]) {
            Ok(r) => r,
            Err(e) => {
                log::debug!("path table at {lba}: {e}; directories read one by one");
                return;
            }
        };
        let mut starts: Vec<u32> = recs.iter().map(|r| r.extent).collect();
        starts.sort_unstable();
        starts.dedup();
        self.batch = Some(Batch {
            starts,
            blocks: Default::default(),
        });
    }

    /// `n` blocks of a directory at `lba`: read ahead (and given up when `take`, i.e. by
    /// the directory's listing), else read with the directories that follow it.
    fn dir_blocks(&mut self, lba: u32, n: usize, take: bool) -> Result<Vec<u8>, ReadError> {
        let end_vol = self.end;
        let Some(b) = self.batch.as_mut() else {
            return rd(&mut self.src, lba, n);
        };
        let have = |b: &Batch| (0..n as u32).all(|i| b.blocks.contains_key(&(lba + i)));
        if !have(b) {
            let want = lba.saturating_add(n as u32);
            let mut end = want;
            let mut last = lba;
            let first = b.starts.partition_point(|&s| s <= lba);
            for &s in &b.starts[first..] {
                if s - last > BATCH_SPAN
                    || s.saturating_add(1) - lba > BATCH_BLOCKS
                    || b.blocks.contains_key(&s)
                {
                    break;
                }
                end = end.max(s + 1);
                last = s;
            }
            if let Some(v) = end_vol {
                end = end.min(u32::try_from(v).unwrap_or(u32::MAX)).max(want);
            }
            let got = match rd(&mut self.src, lba, (end - lba) as usize) {
                Ok(g) => g,
                // The read-ahead may reach what the directory does not: read just that.
                Err(_) if end > want => rd(&mut self.src, lba, n)?,
                Err(e) => return Err(e),
            };
            for (i, c) in got.chunks(SECTOR).enumerate() {
                b.blocks.entry(lba + i as u32).or_insert_with(|| c.to_vec());
            }
        }
        if n == 1 && take {
            // Most directories are one block: handed over, not copied.
            if let Some(x) = b.blocks.remove(&lba) {
                return Ok(x);
            }
        }
        let mut out = Vec::with_capacity(n * SECTOR);
        for i in 0..n as u32 {
            let k = lba + i;
            let blk = if take {
                b.blocks.remove(&k)
            } else {
                b.blocks.get(&k).cloned()
            };
            match blk {
                Some(x) => out.extend_from_slice(&x),
                None => return rd(&mut self.src, lba, n),
            }
        }
        Ok(out)
    }

    fn detect_susp(&mut self, root: &Entry) -> Result<Option<usize>, ReadError> {
        let (lba, _) = root.extents.first().copied().unwrap_or((0, 0));
        let b = rd(&mut self.src, lba, 1)?;
        let r = DirRecord::new_checked(&b).map_err(|e| ReadError::Malformed {
            what: "root '.' record",
            lba,
            source: e,
        })?;
        // The first record of a directory describes the directory itself: identifier
        // 0x00, extent the directory's own (ECMA-119 §6.8.2.2, §9.1.11).
        if r.name() != [0] || r.extent() != lba {
            return Err(ReadError::Malformed {
                what: "root '.' record",
                lba,
                source: WireError::Invalid {
                    what: "root '.' record",
                    detail: format!(
                        "the first record is not the directory's own \".\" record \
                         (identifier {:02x?}, extent {} instead of {lba})",
                        r.name(),
                        r.extent()
                    ),
                },
            });
        }
        let su = r.system_use();
        if su.len() >= 7 && &su[0..2] == b"SP" && su[4] == 0xBE && su[5] == 0xEF {
            return Ok(Some(usize::from(su[6])));
        }
        Ok(None)
    }

    /// Re-reads a directory's "." record to pick up its own Rock Ridge attributes.
    pub(crate) fn with_dot_attrs(&mut self, dir: Entry) -> Result<Entry, ReadError> {
        let mut budget = Budget::default();
        let path = dir.name.clone();
        self.dot_attrs(dir, &path, &mut budget)
    }

    fn dot_attrs(
        &mut self,
        mut dir: Entry,
        path: &str,
        budget: &mut Budget,
    ) -> Result<Entry, ReadError> {
        let (lba, _) = dir.extents.first().copied().unwrap_or((0, 0));
        let b = self.dir_blocks(lba, 1, false)?;
        let r = DirRecord::new_checked(&b).map_err(|e| ReadError::Malformed {
            what: "'.' record",
            lba,
            source: e,
        })?;
        let mut e = Entry::default();
        let mut dir_ce = 0;
        // SP sits before the skip; the root "." is read from offset 0.
        self.apply_susp(
            &mut e,
            r.system_use(),
            lba,
            true,
            At::path(path),
            &mut dir_ce,
            budget,
        )?;
        dir.mode = e.mode;
        dir.uid = e.uid;
        dir.gid = e.gid;
        dir.nlink = e.nlink;
        dir.ino = e.ino;
        if e.mtime.is_some() {
            dir.mtime = e.mtime;
        }
        dir.atime = e.atime;
        dir.ctime = e.ctime;
        dir.checksum_array = e.checksum_array;
        Ok(dir)
    }

    /// One continuation area: `len` bytes at `offset` of `block`, read through a one-block
    /// cache (the areas of neighbouring records share blocks).
    fn continuation(&mut self, c: susp::Continuation) -> Result<Vec<u8>, ReadError> {
        if !matches!(&self.ce_cache, Some((l, _)) if *l == c.block) {
            let ahead = self
                .batch
                .as_ref()
                .and_then(|b| b.blocks.get(&c.block).cloned());
            let b = match ahead {
                Some(b) => b,
                None => rd(&mut self.src, c.block, 1)?,
            };
            self.ce_cache = Some((c.block, b));
        }
        let (o, n) = (c.offset as usize, c.len as usize);
        Ok(self
            .ce_cache
            .as_ref()
            .and_then(|(_, b)| b.get(o..o + n))
            .unwrap_or(&[])
            .to_vec())
    }

    /// Applies the SUSP entries of one record (following CE) to `e`. Returns the CL target
    /// when the record stands in for a relocated directory. `path` names the entry in
    /// errors; `dir_ce` counts the continuation bytes of its directory, `budget` those of
    /// the walk.
    #[allow(clippy::too_many_arguments)] // reason: the record, where it is, and its counters
    fn apply_susp(
        &mut self,
        e: &mut Entry,
        area: &[u8],
        lba: u32,
        dot: bool,
        at: At<'_>,
        dir_ce: &mut u64,
        budget: &mut Budget,
    ) -> Result<Option<u32>, ReadError> {
        let lim = self.limits;
        let over = |problem| ReadError::Entry {
            path: at.join(),
            problem,
        };
        let skip = if dot { 0 } else { self.susp_skip.unwrap_or(0) };
        let mut name = String::new();
        let mut have_nm = false;
        let mut link: Vec<u8> = Vec::new();
        let mut have_sl = false;
        let mut sl_cont = false;
        let mut cl = None;
        let mut al = aaip::AlCollector::default();
        // The record's own area, then each continuation area read.
        let mut pending: std::borrow::Cow<'_, [u8]> = area.get(skip..).unwrap_or(&[]).into();
        let mut chain = 0;
        loop {
            let mut next: Option<susp::Continuation> = None;
            for ent in susp::entries(&pending, 0) {
                let ent = ent.map_err(|s| ReadError::Malformed {
                    what: "SUSP area",
                    lba,
                    source: s,
                })?;
                let bad = |s| ReadError::Malformed {
                    what: "Rock Ridge entry",
                    lba,
                    source: s,
                };
                match &ent.sig {
                    b"CE" => next = Some(susp::parse_ce(ent.data).map_err(bad)?),
                    b"PX" => {
                        let p = susp::parse_px(ent.data).map_err(bad)?;
                        e.mode = Some(p.mode);
                        e.nlink = Some(p.nlink);
                        e.uid = Some(p.uid);
                        e.gid = Some(p.gid);
                        e.ino = p.ino;
                    }
                    b"PN" => e.rdev = Some(susp::parse_pn(ent.data).map_err(bad)?),
                    b"TF" => {
                        let t = susp::parse_tf(ent.data).map_err(bad)?;
                        if t.modified.is_some() {
                            e.mtime = t.modified;
                        }
                        e.atime = t.accessed;
                        e.ctime = t.changed;
                    }
                    b"NM" => {
                        if let Some((&f, rest)) = ent.data.split_first() {
                            have_nm = true;
                            if name.len() + rest.len().max(2) > lim.max_name {
                                return Err(over(Problem::NameTooLong {
                                    what: "name",
                                    limit: lim.max_name,
                                }));
                            }
                            if f & 0x02 != 0 {
                                name.push('.');
                            } else if f & 0x04 != 0 {
                                name.push_str("..");
                            } else {
                                name.push_str(&String::from_utf8_lossy(rest));
                            }
                        }
                    }
                    b"SL" => {
                        have_sl = true;
                        // One SL entry adds at most its own length (and a '/').
                        if link.len() + ent.data.len() + 1 > lim.max_name {
                            return Err(over(Problem::NameTooLong {
                                what: "symbolic link target",
                                limit: lim.max_name,
                            }));
                        }
                        susp::parse_sl(ent.data, &mut link, &mut sl_cont).map_err(bad)?;
                    }
                    b"CL" => cl = Some(susp::parse_addr("CL entry", ent.data).map_err(bad)?),
                    b"RE" => e.relocated = true,
                    b"AL" => al.push(ent.data).map_err(bad)?,
                    _ => {}
                }
            }
            let Some(c) = next else { break };
            chain += 1;
            if chain > MAX_CE_CHAIN {
                return Err(ReadError::Malformed {
                    what: "CE chain",
                    lba,
                    source: WireError::Invalid {
                        what: "CE",
                        detail: format!("more than {MAX_CE_CHAIN} continuation areas"),
                    },
                });
            }
            if c.offset as usize + c.len as usize > SECTOR {
                return Err(ReadError::Malformed {
                    what: "CE entry",
                    lba,
                    source: WireError::Overrun {
                        what: "continuation area",
                        field: c.offset as usize + c.len as usize,
                        avail: SECTOR,
                    },
                });
            }
            self.check_extent(at, "continuation area", c.block, 1)?;
            *dir_ce += u64::from(c.len);
            budget.continuation += u64::from(c.len);
            if *dir_ce > lim.max_dir_continuation {
                return Err(over(Problem::DirContinuation {
                    limit: lim.max_dir_continuation,
                }));
            }
            if budget.continuation > lim.max_total_continuation {
                return Err(over(Problem::TotalContinuation {
                    limit: lim.max_total_continuation,
                }));
            }
            pending = self.continuation(c)?.into();
        }
        if have_nm && !name.is_empty() {
            e.name = name;
        }
        if have_sl {
            e.symlink = Some(String::from_utf8_lossy(&link).into_owned());
        }
        if !al.is_empty() {
            Self::apply_aaip(e, &al, lba, at);
        }
        Ok(cl)
    }

    /// Takes the checksum attributes (libisofs `doc/checksums.txt`) from an attribute
    /// list. A list that does not decode loses only them (it is an extension a reader may
    /// ignore, SUSP 1.12 §6.2): a warning, not an error.
    fn apply_aaip(e: &mut Entry, al: &aaip::AlCollector, lba: u32, at: At<'_>) {
        let pairs = match al.pairs() {
            Ok(p) => p,
            Err(er) => {
                log::warn!(
                    "{} (block {lba}): AAIP attributes not read: {er}",
                    at.join()
                );
                return;
            }
        };
        for (name, value) in pairs {
            if name == aaip::CX {
                match aaip::parse_cx(&value) {
                    Ok(i) => e.md5_index = Some(i),
                    Err(er) => log::warn!("{} (block {lba}): {er}", at.join()),
                }
            } else if name == aaip::CA {
                match aaip::ChecksumArray::parse(&value) {
                    Ok(ca) => e.checksum_array = Some(ca),
                    Err(er) => log::warn!("{} (block {lba}): {er}", at.join()),
                }
            }
        }
    }

    /// Lists a directory (without "." and ".."); relocated directories appear where they
    /// belong (CL), not in the relocation directory (RE).
    pub fn read_dir(&mut self, dir: &Entry) -> Result<Vec<Entry>, ReadError> {
        let mut budget = Budget::default();
        let path = dir.name.clone();
        self.read_dir_at(dir, &path, &mut budget)
    }

    /// [`Volume::read_dir`] of the directory at `path` (for errors), counting into `budget`.
    fn read_dir_at(
        &mut self,
        dir: &Entry,
        path: &str,
        budget: &mut Budget,
    ) -> Result<Vec<Entry>, ReadError> {
        if !dir.is_dir {
            return Err(ReadError::NotADirectory(dir.name.clone()));
        }
        let lim = self.limits;
        let bytes = self.read_dir_bytes(dir, path)?;
        let base = dir.lba();
        let size = dir.extents.first().map_or(0, |e| e.1) as usize;
        // Room for about as many entries as the directory holds (records of Joliet and
        // Rock Ridge names take 64 bytes and more; the size was checked).
        let mut out: Vec<Entry> = Vec::with_capacity((size / 64).min(lim.max_dir_entries));
        let mut pos = 0usize;
        // A multi-extent file being gathered, with its identifier as recorded.
        let mut pending: Option<(Entry, Vec<u8>)> = None;
        let mut names = 0u64;
        let mut dir_ce = 0u64;
        while pos < size.min(bytes.len()) {
            let in_sec = pos % SECTOR;
            let len = usize::from(bytes[pos]);
            if len == 0 {
                pos += SECTOR - in_sec;
                continue;
            }
            let lba = base + (pos / SECTOR) as u32;
            let bad = |source| ReadError::Record {
                dir: base,
                lba,
                offset: in_sec,
                source,
            };
            if in_sec + len > SECTOR {
                return Err(bad(WireError::Overrun {
                    what: "directory record",
                    field: len,
                    avail: SECTOR - in_sec,
                }));
            }
            let r = DirRecord::new_checked(&bytes[pos..pos + len]).map_err(bad)?;
            // A length byte of 0 is the padding to the next block (handled above); a record
            // itself needs an identifier of at least one byte (ECMA-119 §9.1.10).
            if r.name().is_empty() {
                return Err(bad(WireError::Invalid {
                    what: "directory record",
                    detail: format!("record of {len} bytes with identifier (name) length 0"),
                }));
            }
            pos += len;
            if r.is_dot_or_dotdot() {
                continue;
            }
            let raw = r.name();
            let name = match self.ns {
                Namespace::Joliet => decode_joliet(raw),
                Namespace::Iso1999 => String::from_utf8_lossy(raw).into_owned(),
                _ if r.is_dir() => String::from_utf8_lossy(raw).into_owned(),
                _ => strip_version(&String::from_utf8_lossy(raw)).to_string(),
            };
            // Continuation of a multi-extent file: same identifier (ECMA-119 §6.5.1).
            if let Some((p, id)) = pending.as_mut() {
                let here = At::child(path, &p.name);
                if raw != id.as_slice() {
                    return Err(ReadError::Entry {
                        path: here.join(),
                        problem: Problem::PartName { next: name },
                    });
                }
                if p.extents.len() >= lim.max_extents {
                    return Err(ReadError::Entry {
                        path: here.join(),
                        problem: Problem::TooManyExtents {
                            limit: lim.max_extents,
                        },
                    });
                }
                self.check_extent(here, "file extent", r.extent(), u64::from(r.size()))?;
                p.extents.push((r.extent(), r.size()));
                p.size += u64::from(r.size());
                if !r.is_multi_extent() {
                    limits::check_parts(&p.extents).map_err(|problem| ReadError::Entry {
                        path: here.join(),
                        problem,
                    })?;
                    if let Some((p, _)) = pending.take() {
                        out.push(p);
                    }
                }
                continue;
            }
            let rr = self.ns == Namespace::RockRidge;
            // With Rock Ridge the name is set below (NM, else the one recorded).
            let (name, recorded) = if rr {
                (String::new(), name)
            } else {
                (name, String::new())
            };
            let mut e = Entry {
                name,
                is_dir: r.is_dir(),
                size: u64::from(r.size()),
                extents: vec![(r.extent(), r.size())],
                mtime: r.date(),
                ident: if r.is_dir() { raw.to_vec() } else { Vec::new() },
                ..Entry::default()
            };
            if rr {
                let cl = self.apply_susp(
                    &mut e,
                    r.system_use(),
                    lba,
                    false,
                    At::child(path, &recorded),
                    &mut dir_ce,
                    budget,
                )?;
                if e.name.is_empty() {
                    e.name = recorded;
                }
                if let Some(cl) = cl {
                    // Placeholder for a relocated directory: read its "." record.
                    self.check_extent(At::child(path, &e.name), "directory extent", cl, 1)?;
                    let b = self.dir_blocks(cl, 1, false)?;
                    let d = DirRecord::new_checked(&b).map_err(|s| ReadError::Malformed {
                        what: "relocated directory",
                        lba: cl,
                        source: s,
                    })?;
                    e.is_dir = true;
                    e.ident = raw.to_vec();
                    e.extents = vec![(cl, d.size())];
                    e.size = u64::from(d.size());
                }
                if e.relocated {
                    continue;
                }
            }
            let here = At::child(path, &e.name);
            let what = if e.is_dir {
                "directory extent"
            } else {
                "file extent"
            };
            self.check_extent(here, what, e.lba(), e.size)?;
            let n = (e.name.len() + e.symlink.as_ref().map_or(0, String::len)) as u64;
            names += n;
            if names > lim.max_dir_names {
                return Err(ReadError::Entry {
                    path: here.join(),
                    problem: Problem::DirNames {
                        limit: lim.max_dir_names,
                    },
                });
            }
            // Counted for the walk when read, not when handed out: a walk holds the lists of
            // every directory above the one it is in.
            budget.names += n;
            if budget.names > lim.max_total_names {
                return Err(ReadError::Entry {
                    path: here.join(),
                    problem: Problem::TotalNames {
                        limit: lim.max_total_names,
                    },
                });
            }
            if out.len() >= lim.max_dir_entries {
                return Err(ReadError::Entry {
                    path: here.join(),
                    problem: Problem::DirEntries {
                        limit: lim.max_dir_entries,
                    },
                });
            }
            if r.is_multi_extent() && !e.is_dir {
                pending = Some((e, raw.to_vec()));
                continue;
            }
            out.push(e);
        }
        if let Some((p, _)) = pending {
            return Err(ReadError::Entry {
                path: At::child(path, &p.name).join(),
                problem: Problem::NoFinalPart,
            });
        }
        Ok(out)
    }

    /// Finds the entry at a slash-separated path.
    pub fn lookup(&mut self, path: &str) -> Result<Entry, ReadError> {
        let mut cur = self.root.clone();
        let mut budget = Budget::default();
        let mut at = String::new();
        for comp in path.split('/').filter(|c| !c.is_empty() && *c != ".") {
            if !cur.is_dir {
                return Err(ReadError::NotADirectory(path.to_string()));
            }
            let kids = self.read_dir_at(&cur, &at, &mut budget)?;
            cur = kids
                .into_iter()
                .find(|k| k.name == comp)
                .ok_or_else(|| ReadError::NotFound(path.to_string()))?;
            if !at.is_empty() {
                at.push('/');
            }
            at.push_str(comp);
        }
        Ok(cur)
    }

    /// Walks the tree below `dir` depth first, calling `f(path, entry)` for each entry
    /// (paths relative, '/'-separated). Detects loops and overlapping directories (each
    /// directory block is read once), bounds depth, and holds the bounds of [`Limits`]
    /// over the whole walk.
    pub fn walk(
        &mut self,
        dir: &Entry,
        f: &mut dyn FnMut(&str, &Entry) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        let mut seen = DirExtents::default();
        let (s, e) = span(dir.lba(), u64::from(dir.extents.first().map_or(0, |x| x.1)));
        let _ = seen.insert(s, e);
        let mut ancestors = vec![dir.lba()];
        let mut budget = Budget::default();
        let mut path = String::new();
        self.walk_inner(dir, &mut path, f, &mut seen, &mut ancestors, &mut budget)
    }

    /// Walks below `dir`, whose path is `path`: the entries' paths are made in that one
    /// buffer (given back as it came when the walk succeeds), not allocated per entry.
    fn walk_inner(
        &mut self,
        dir: &Entry,
        path: &mut String,
        f: &mut dyn FnMut(&str, &Entry) -> Result<(), ReadError>,
        seen: &mut DirExtents,
        ancestors: &mut Vec<u32>,
        budget: &mut Budget,
    ) -> Result<(), ReadError> {
        if ancestors.len() > MAX_DEPTH {
            return Err(ReadError::TooDeep);
        }
        let lim = self.limits;
        let kids = self.read_dir_at(dir, path, budget)?;
        let prefix = path.len();
        // An error ends the whole walk: the buffer is only restored on success.
        for k in kids {
            path.truncate(prefix);
            let len = prefix + 1 + k.name.len();
            if len > lim.max_path {
                return Err(ReadError::Entry {
                    path: format!("{path}/{}", k.name),
                    problem: Problem::PathTooLong {
                        limit: lim.max_path,
                    },
                });
            }
            if prefix > 0 {
                path.push('/');
            }
            path.push_str(&k.name);
            // The name and link target were counted by read_dir_at; the path adds its
            // prefix.
            budget.names += (path.len() - k.name.len()) as u64;
            if budget.names > lim.max_total_names {
                return Err(ReadError::Entry {
                    path: path.clone(),
                    problem: Problem::TotalNames {
                        limit: lim.max_total_names,
                    },
                });
            }
            if k.is_dir {
                let lba = k.lba();
                if ancestors.contains(&lba) {
                    return Err(ReadError::Loop(lba));
                }
                let (s, e) = span(lba, k.size);
                if let Err((os, oe)) = seen.insert(s, e) {
                    if os == s {
                        return Err(ReadError::Loop(lba));
                    }
                    return Err(ReadError::Entry {
                        path: path.clone(),
                        problem: Problem::DirOverlap {
                            lba,
                            end: e.max(s + 1),
                            other: os as u32,
                            other_end: oe,
                        },
                    });
                }
                let k = if self.ns == Namespace::RockRidge {
                    self.dot_attrs(k, path, budget)?
                } else {
                    k
                };
                f(path, &k)?;
                ancestors.push(lba);
                let r = self.walk_inner(&k, path, f, seen, ancestors, budget);
                ancestors.pop();
                r?;
            } else {
                f(path, &k)?;
            }
        }
        path.truncate(prefix);
        Ok(())
    }

    /// Copies a file's bytes to `w`.
    pub fn read_file(&mut self, e: &Entry, w: &mut dyn Write) -> Result<(), ReadError> {
        const CH: usize = 64;
        let mut buf = vec![0u8; CH * SECTOR];
        for &(lba, len) in &e.extents {
            self.check_extent(At::path(&e.name), "file extent", lba, u64::from(len))?;
            let mut left = len as usize;
            let mut at = lba;
            while left > 0 {
                let n = left.min(CH * SECTOR);
                let nb = n.div_ceil(SECTOR);
                self.src
                    .read_sectors(at, &mut buf[..nb * SECTOR])
                    .map_err(|s| ReadError::Io { lba: at, source: s })?;
                w.write_all(&buf[..n]).map_err(|s| ReadError::Extract {
                    path: PathBuf::from(&e.name),
                    source: s,
                })?;
                left -= n;
                at += nb as u32;
            }
        }
        Ok(())
    }

    /// The El Torito boot catalog entries, when the session has a boot record.
    pub fn boot_entries(&mut self) -> Result<Vec<crate::wire::eltorito::CatalogEntry>, ReadError> {
        let Some(lba) = self.info.boot_catalog else {
            return Ok(Vec::new());
        };
        let b = rd(&mut self.src, lba, 1)?;
        crate::wire::eltorito::parse_catalog(&b).map_err(|s| ReadError::Malformed {
            what: "boot catalog",
            lba,
            source: s,
        })
    }

    /// The highest block (exclusive) used by this session's directories and by files whose
    /// extents lie at or after the session start.
    pub fn session_end(&mut self) -> Result<u32, ReadError> {
        let start = self.info.start;
        let root = self.root.clone();
        let mut end = root.lba() + (root.extents[0].1).div_ceil(SECTOR as u32);
        self.walk(&root, &mut |_, e| {
            for &(l, n) in &e.extents {
                if l >= start {
                    end = end.max(l + n.div_ceil(SECTOR as u32));
                }
            }
            Ok(())
        })?;
        self.info.end = Some(end);
        Ok(end)
    }
}

/// One session found on an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// First block.
    pub start: u32,
    /// Volume space size of its PVD.
    pub space_size: u32,
    /// Volume identifier.
    pub volume_id: String,
    /// Creation date.
    pub created: Option<Timestamp>,
}

/// The sessions among `starts` (e.g. the data track starts of a drive's TOC): those with a
/// primary volume descriptor at start + 16, in the given order.
pub fn sessions_at<S: SectorSource + ?Sized>(src: &mut S, starts: &[u32]) -> Vec<SessionInfo> {
    let mut out = Vec::new();
    for &s in starts {
        let Some(lba) = s.checked_add(16) else {
            continue;
        };
        let Ok(b) = rd(src, lba, 1) else { continue };
        let Ok(v) = VolumeDescriptor::new_checked(&b) else {
            continue;
        };
        if v.vd_type() == VdType::Primary {
            out.push(SessionInfo {
                start: s,
                space_size: v.space_size(),
                volume_id: v.volume_id(),
                created: v.created(),
            });
        }
    }
    out
}

/// Finds the sessions of an LBA-addressed whole-disc image (no TOC available): session 1 at
/// block 0; each next one where the previous one's volume space size says the volume ends
/// (absolute, as genisoimage/xorriso write it, or relative to the session), or after the
/// CD lead-out/lead-in gaps (11400 after the first session, 6900 later), or at the next
/// 16/32-block boundary. Overwritable-media images in libisoburn's layout (first session
/// at 32, newest descriptors copied to 16) are recognised. An Enhanced CD's image (Blue
/// Book: an audio session first, no volume at block 0) has its first volume where the
/// audio session's lead-out, the next lead-in and pre-gap end: 11400 blocks after the
/// audio (at least 300 blocks, Red Book's 4-s track), within an 80-minute disc; those
/// starts are searched for the first primary volume descriptor.
pub fn sessions<S: SectorSource + ?Sized>(src: &mut S) -> Result<Vec<SessionInfo>, ReadError> {
    let first = match probe_session(src, 0) {
        Some(f) => f,
        None => match find_after_audio(src) {
            Some(f) => return Ok(chain(src, f)),
            None => return Err(ReadError::NoVolume(0)),
        },
    };
    let out = chain(src, first.clone());
    // Overwritable media as libisoburn writes them: the first session at 32, and blocks
    // 0..31 holding a copy of the newest descriptors. When the chain from 32 ends in the
    // session the copy describes, that chain is the list of sessions.
    if out.len() == 1 {
        if let Some(s32) = probe_session(src, 32) {
            let c = chain(src, s32);
            if c.last().is_some_and(|l| {
                // The copy's size counts from block 0; the session's own may not.
                (l.space_size == first.space_size
                    || l.start.checked_add(l.space_size) == Some(first.space_size))
                    && l.created == first.created
                    && l.volume_id == first.volume_id
            }) {
                return Ok(c);
            }
        }
    }
    Ok(out)
}

/// The first session start `s` in 11700..=371400 (audio of 300 blocks to 80 minutes,
/// then 11400 gap blocks) with a primary volume descriptor at `s` + 16, read 64 blocks at
/// a time and never past the source's end.
fn find_after_audio<S: SectorSource + ?Sized>(src: &mut S) -> Option<SessionInfo> {
    const FIRST: u32 = 300 + 11_400;
    const LAST: u32 = 360_000 + 11_400;
    const STEP: u32 = 64;
    let end = match src.sector_count() {
        Ok(Some(n)) => u32::try_from(n).unwrap_or(u32::MAX),
        _ => LAST + 16 + 1,
    };
    let mut s = FIRST;
    while s <= LAST && s + 16 < end {
        let n = STEP.min(end - (s + 16)).min(LAST + 1 - s);
        let b = rd(src, s + 16, n as usize).ok()?;
        for (i, blk) in b.chunks_exact(SECTOR).enumerate() {
            if blk[0] == 1 && &blk[1..6] == b"CD001" {
                if let Some(f) = probe_session(src, s + i as u32) {
                    return Some(f);
                }
            }
        }
        s += n;
    }
    None
}

fn probe_session<S: SectorSource + ?Sized>(src: &mut S, s: u32) -> Option<SessionInfo> {
    let b = rd(src, s.checked_add(16)?, 1).ok()?;
    let v = VolumeDescriptor::new_checked(&b).ok()?;
    if v.vd_type() != VdType::Primary {
        return None;
    }
    Some(SessionInfo {
        start: s,
        space_size: v.space_size(),
        volume_id: v.volume_id(),
        created: v.created(),
    })
}

/// Follows sessions from `first`: each next one where the previous one's volume space size
/// ends the volume (absolute or relative), after CD gaps, or at a 16/32-block boundary.
fn chain<S: SectorSource + ?Sized>(src: &mut S, first: SessionInfo) -> Vec<SessionInfo> {
    let mut out = vec![first];
    while out.len() < 1000 {
        let last = &out[out.len() - 1];
        let s = last.start;
        let mut cands: Vec<u32> = Vec::new();
        for base in [last.space_size, s.saturating_add(last.space_size)] {
            if base > s {
                cands.push(base);
                cands.push(base.saturating_add(if out.len() == 1 { 11_400 } else { 6_900 }));
                cands.push(base.div_ceil(16) * 16);
                cands.push(base.div_ceil(32) * 32);
            }
        }
        let next = cands
            .into_iter()
            .filter(|&c| c > s)
            .find_map(|c| probe_session(src, c));
        match next {
            Some(n) => out.push(n),
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{Kind, Meta, Tree};
    use crate::{Image, Options, RockRidge};

    fn small_image() -> Vec<u8> {
        let mut t = Tree::new();
        let m = Meta {
            mode: 0o040755,
            ..Meta::default()
        };
        let d = t.push_child(Tree::ROOT, b"sub", Kind::Dir, m);
        let data = t.add_blob(b"hello".to_vec());
        t.push_child(
            d,
            b"f.txt",
            Kind::File { size: 5, data },
            Meta {
                mode: 0o100644,
                ..m
            },
        );
        let o = Options {
            rock_ridge: Some(RockRidge::Exact),
            pad_blocks: 0,
            ..Options::default()
        };
        let img = Image::new(t, o, None).unwrap();
        let mut v = Vec::new();
        img.write_to(&mut v).unwrap();
        v
    }

    fn walk_all(img: Vec<u8>) -> Result<usize, ReadError> {
        let mut vol = Volume::open(img, 0, None)?;
        let root = vol.root().clone();
        let mut n = 0;
        vol.walk(&root, &mut |_, _| {
            n += 1;
            Ok(())
        })?;
        Ok(n)
    }

    /// Offset of the first record after "." and ".." in the directory at `lba`.
    fn first_entry(img: &[u8], lba: u32) -> usize {
        let base = lba as usize * SECTOR;
        let l1 = usize::from(img[base]);
        let l2 = usize::from(img[base + l1]);
        base + l1 + l2
    }

    #[test]
    fn valid_image_walks() {
        let img = small_image();
        assert_eq!(walk_all(img).unwrap(), 2);
    }

    #[test]
    fn directory_loop_is_an_error() {
        let mut img = small_image();
        let vol = Volume::open(img.clone(), 0, None).unwrap();
        let root = vol.root().lba();
        // Point "sub" at the root directory's extent.
        let at = first_entry(&img, root);
        crate::wire::put_u32_both(&mut img[at + 2..at + 10], root);
        assert!(matches!(walk_all(img), Err(ReadError::Loop(_))));
    }

    #[test]
    fn record_overrunning_its_sector_is_an_error() {
        let mut img = small_image();
        let vol = Volume::open(img.clone(), 0, None).unwrap();
        let root = vol.root().lba();
        let base = root as usize * SECTOR;
        let mut pos = first_entry(&img, root);
        // Plain 255-byte file records up to near the block end, then one that crosses it.
        let mut rec = Vec::new();
        crate::wire::dir::write_record(&mut rec, 0, 0, [0; 7], 0, b"A", &[0u8; 221]);
        assert_eq!(rec.len(), 255);
        while pos - base + 255 <= SECTOR {
            img[pos..pos + 255].copy_from_slice(&rec);
            pos += 255;
        }
        assert!(pos - base < SECTOR - 1);
        img[pos] = 255;
        let r = walk_all(img);
        assert!(matches!(r, Err(ReadError::Record { .. })), "{r:?}");
    }

    #[test]
    fn absurd_directory_size_is_refused() {
        let mut img = small_image();
        let vol = Volume::open(img.clone(), 0, None).unwrap();
        let root = vol.root().lba();
        let at = first_entry(&img, root);
        crate::wire::put_u32_both(&mut img[at + 10..at + 18], 0xFFFF_F000);
        let r = walk_all(img);
        assert!(
            matches!(
                &r,
                Err(ReadError::Entry {
                    path,
                    problem: Problem::BeyondVolume { .. },
                }) if path == "sub"
            ),
            "{r:?}"
        );
    }

    #[test]
    fn continuation_loop_is_bounded() {
        let mut img = small_image();
        let vol = Volume::open(img.clone(), 0, None).unwrap();
        let root = vol.root().lba();
        // The root "." record carries SP ... and a CE to the ER; point that CE at itself.
        let base = root as usize * SECTOR;
        let len = usize::from(img[base]);
        let rec = &img[base..base + len];
        let su_start = 34;
        let mut pos = su_start;
        let mut ce_at = None;
        while pos + 4 <= len {
            if &rec[pos..pos + 2] == b"CE" {
                ce_at = Some(base + pos);
                break;
            }
            pos += usize::from(rec[pos + 2]).max(1);
        }
        let ce = ce_at.expect("root has a CE");
        // A continuation area that is just this CE again, at the record's own block.
        let off = ce - base;
        crate::wire::put_u32_both(&mut img[ce + 4..ce + 12], root);
        crate::wire::put_u32_both(&mut img[ce + 12..ce + 20], off as u32);
        crate::wire::put_u32_both(&mut img[ce + 20..ce + 28], 28);
        let r = Volume::open(img, 0, None).map(|_| ());
        assert!(
            matches!(
                r,
                Err(ReadError::Malformed {
                    what: "CE chain",
                    ..
                })
            ),
            "{r:?}"
        );
    }

    #[test]
    fn garbage_root_dot_record_is_an_error_not_a_silent_fallback() {
        let mut img = small_image();
        let vol = Volume::open(img.clone(), 0, None).unwrap();
        assert_eq!(vol.namespace(), Namespace::RockRidge);
        let root = vol.root().lba();
        let base = root as usize * SECTOR;
        // The "." record (with its SP and PX) overwritten by bytes that still parse as a
        // record (length 100, name length 5) but are not the directory's own record.
        let mut seed: u32 = 0x9E37_79B9;
        for b in &mut img[base..base + 100] {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *b = (seed >> 24) as u8 | 1;
        }
        img[base] = 100;
        img[base + 32] = 5;
        let r = Volume::open(img.clone(), 0, None).map(|v| v.namespace());
        assert!(
            matches!(
                r,
                Err(ReadError::Malformed {
                    what: "root '.' record",
                    lba,
                    ..
                }) if lba == root
            ),
            "{r:?}"
        );
        // Asking for ISO 9660 names explicitly still opens the volume, with a warning.
        let v = Volume::open(img, 0, Some(Namespace::Iso9660)).unwrap();
        assert_eq!(v.namespace(), Namespace::Iso9660);
        assert_eq!(v.info().warnings.len(), 1, "{:?}", v.info().warnings);
        assert!(
            v.info().warnings[0].contains("Rock Ridge"),
            "{:?}",
            v.info().warnings
        );
    }

    #[test]
    fn undecodable_root_dot_record_is_an_error() {
        let mut img = small_image();
        let vol = Volume::open(img.clone(), 0, None).unwrap();
        let base = vol.root().lba() as usize * SECTOR;
        img[base] = 7; // record length below the minimum of 34
        let r = Volume::open(img, 0, None).map(|v| v.namespace());
        assert!(
            matches!(
                r,
                Err(ReadError::Malformed {
                    what: "root '.' record",
                    ..
                })
            ),
            "{r:?}"
        );
    }

    #[test]
    fn record_with_empty_name_is_malformed() {
        let mut img = small_image();
        let vol = Volume::open(img.clone(), 0, None).unwrap();
        let root = vol.root().lba();
        let at = first_entry(&img, root);
        // A 250-byte record of zeros after the entries: name length 0 (ECMA-119 §9.1.10
        // requires at least 1).
        let mut end = at;
        while img[end] != 0 {
            end += usize::from(img[end]);
        }
        let offset = end - root as usize * SECTOR;
        assert!(offset + 250 <= SECTOR);
        img[end..end + 250].fill(0);
        img[end] = 250;
        let r = walk_all(img);
        let msg = r
            .as_ref()
            .map_err(|e| e.to_string())
            .err()
            .unwrap_or_default();
        match r {
            Err(ReadError::Record {
                dir,
                lba,
                offset: o,
                ..
            }) => {
                assert_eq!((dir, lba, o), (root, root, offset));
            }
            other => panic!("{other:?}"),
        }
        assert!(msg.contains(&format!("block {root}")), "{msg}");
        assert!(msg.contains(&format!("offset {offset}")), "{msg}");
        assert!(msg.contains("length 0"), "{msg}");
    }

    #[test]
    fn zero_length_byte_still_means_next_sector() {
        // The padding after the last record of a block (length byte 0) is not a record.
        let img = small_image();
        let vol = Volume::open(img.clone(), 0, None).unwrap();
        let root = vol.root().lba() as usize * SECTOR;
        assert_eq!(img[root + SECTOR - 1], 0);
        assert_eq!(walk_all(img).unwrap(), 2);
    }

    /// A directory's names count toward the walk's total when it is read, before any of
    /// them is handed out: a walk holds the list of every directory above the one it is in
    /// (here the root's 20 names of 200 bytes while it is in `d`).
    #[test]
    fn names_count_toward_the_walk_when_read() {
        let mut t = Tree::new();
        let m = Meta {
            mode: 0o040755,
            ..Meta::default()
        };
        t.push_child(Tree::ROOT, b"d", Kind::Dir, m);
        for i in 0..20u8 {
            let mut name = vec![b'f'; 200];
            name[199] = b'a' + i;
            let data = t.add_blob(vec![i]);
            t.push_child(
                Tree::ROOT,
                &name,
                Kind::File { size: 1, data },
                Meta {
                    mode: 0o100644,
                    ..m
                },
            );
        }
        let o = Options {
            rock_ridge: Some(RockRidge::Exact),
            pad_blocks: 0,
            ..Options::default()
        };
        let mut img = Vec::new();
        Image::new(t, o, None).unwrap().write_to(&mut img).unwrap();
        let mut vol = Volume::open(img, 0, None).unwrap();
        vol.set_limits(Limits {
            max_total_names: 3000,
            ..Limits::default()
        });
        let root = vol.root().clone();
        let mut handed = Vec::new();
        let r = vol.walk(&root, &mut |p, _| {
            handed.push(p.to_string());
            Ok(())
        });
        assert!(
            matches!(
                r,
                Err(ReadError::Entry {
                    problem: Problem::TotalNames { limit: 3000 },
                    ..
                })
            ),
            "{r:?}"
        );
        assert!(handed.is_empty(), "handed out before the bound: {handed:?}");
    }

    /// Entries per directory and parts per multi-extent file stop at their bounds with an
    /// error naming the directory or the file; at the bound they read.
    #[test]
    fn entries_per_directory_and_parts_per_file_are_bounded() {
        let mut t = Tree::new();
        let m = Meta {
            mode: 0o040755,
            ..Meta::default()
        };
        let d = t.push_child(Tree::ROOT, b"d", Kind::Dir, m);
        for i in 0..11u8 {
            let data = t.add_blob(vec![i]);
            t.push_child(
                d,
                format!("f{i:02}").as_bytes(),
                Kind::File { size: 1, data },
                Meta {
                    mode: 0o100644,
                    ..m
                },
            );
        }
        let o = Options {
            rock_ridge: Some(RockRidge::Exact),
            pad_blocks: 0,
            ..Options::default()
        };
        let mut img = Vec::new();
        Image::new(t, o, None).unwrap().write_to(&mut img).unwrap();
        let walk = |img: &[u8], lim: Limits| {
            let mut vol = Volume::open(img.to_vec(), 0, None).unwrap();
            vol.set_limits(lim);
            let root = vol.root().clone();
            vol.walk(&root, &mut |_, _| Ok(()))
        };
        let r = walk(
            &img,
            Limits {
                max_dir_entries: 10,
                ..Limits::default()
            },
        );
        match r {
            Err(ReadError::Entry {
                path,
                problem: Problem::DirEntries { limit: 10 },
            }) => assert!(path.starts_with('d'), "{path}"),
            other => panic!("{other:?}"),
        }
        assert!(walk(
            &img,
            Limits {
                max_dir_entries: 11,
                ..Limits::default()
            }
        )
        .is_ok());

        // The fuzz seed's file m of three parts.
        let me = crate::fuzz::seeds()
            .into_iter()
            .find(|s| s.0 == "multi-extent")
            .unwrap()
            .1;
        let r = walk(
            &me,
            Limits {
                max_extents: 2,
                ..Limits::default()
            },
        );
        match r {
            Err(ReadError::Entry {
                path,
                problem: Problem::TooManyExtents { limit: 2 },
            }) => assert_eq!(path, "m"),
            other => panic!("{other:?}"),
        }
        assert!(walk(
            &me,
            Limits {
                max_extents: 3,
                ..Limits::default()
            }
        )
        .is_ok());
    }

    #[test]
    fn garbage_never_panics() {
        let base = small_image();
        let mut seed: u64 = 0x1234_5678;
        for _ in 0..300 {
            let mut img = base.clone();
            for _ in 0..20 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let at = (seed >> 33) as usize % img.len();
                img[at] = (seed >> 20) as u8;
            }
            let _ = walk_all(img);
        }
    }
}
