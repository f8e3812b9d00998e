//! The in-memory file tree a session is built from: an arena of nodes with all names in
//! one byte buffer, filled by scanning sources (mkisofs pathspecs and graft points,
//! `-m`/`-x` exclusion, `-f`, `-hide`, `-sort`) or by importing a previous session.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::names::Glob;
use crate::wire::Timestamp;

/// In a source path's [`Span`] length: the path is a directory's and a name (see
/// `Tree::intern_child_path`).
const CHILD_PATH: u32 = 1 << 31;

/// In a source path's [`Span`] length: the path is a scanned directory's (bits 8..30, an
/// index into `Tree::src_dirs`) joined with the file's own name, which the span's start
/// and low 8 bits locate in the name buffer: no bytes of its own per file.
const NAME_PATH: u32 = 1 << 30;
/// Source directories a [`NAME_PATH`] span can name.
const NAME_PATH_DIRS: usize = 1 << 22;

/// Index of a node in a [`Tree`].
pub type NodeId = u32;

/// A byte range in one of the tree's buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    start: u32,
    len: u32,
}

/// File metadata as Rock Ridge records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Meta {
    /// POSIX mode with the file type bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Modification time.
    pub mtime: Timestamp,
    /// Access time.
    pub atime: Timestamp,
    /// Attribute change time.
    pub ctime: Timestamp,
    /// Hard link group (0 = none): nodes with the same non-zero value are one file.
    pub link: u32,
}

/// Where a regular file's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data {
    /// A file on the local file system (path in the tree's path buffer).
    Path(Span),
    /// An extent of a previous session, already on the medium (absolute LBA).
    Old {
        /// First block.
        lba: u32,
    },
    /// Bytes held in memory (index into the tree's blobs).
    Blob(u32),
}

/// What a node is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A directory (its children, unsorted until layout: [`Tree::children`]).
    Dir,
    /// A regular file.
    File {
        /// Size in bytes.
        size: u64,
        /// Source of the bytes.
        data: Data,
    },
    /// A symbolic link with its target (in the name buffer).
    Symlink(Span),
    /// A character or block device (type in the mode), with its device number.
    Device(u64),
    /// A named pipe.
    Fifo,
    /// A socket.
    Socket,
}

/// One file, directory, link or special file, as [`Tree::node`] hands it out (the tree
/// keeps it packed, see `Slot`; change it with [`Tree::update`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Name (in the name buffer); empty for the root.
    pub name: Span,
    /// Parent directory (the root is its own parent).
    pub parent: NodeId,
    /// What it is.
    pub kind: Kind,
    /// Metadata.
    pub meta: Meta,
    /// Hidden from the ISO 9660 / Rock Ridge tree (`-hide`).
    pub hide_iso: bool,
    /// Hidden from the Joliet tree (`-hide-joliet`).
    pub hide_joliet: bool,
    /// Listed, but with the "existence" bit (ECMA-119 §9.1.6, file flags bit 0) set in its
    /// ISO 9660 and Joliet directory records (genisoimage `-hidden`): readers that honour
    /// it (DOS `DIR` without `/A`, Linux isofs mounted with `hide`) do not show it.
    pub hidden: bool,
    /// Sort weight for data placement (`-sort`): higher first.
    pub weight: i32,
    /// Detached from the tree (removed or replaced).
    pub dead: bool,
}

/// Errors while collecting the sources of an image.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    /// A source could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A graft point puts something below a non-directory.
    #[error("{0}: a path component is not a directory in the image")]
    NotADirectory(String),
    /// A name is not valid.
    #[error("invalid name in image path {0:?}")]
    BadName(String),
}

/// Options that shape scanning.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Follow symbolic links (`-f`).
    pub follow_links: bool,
    /// Exclude names or paths matching these (`-m`, `-x`, `-exclude-list`).
    pub exclude: Vec<Glob>,
    /// Hide from the ISO/RR tree (`-hide`).
    pub hide: Vec<Glob>,
    /// Hide from the Joliet tree (`-hide-joliet`).
    pub hide_joliet: Vec<Glob>,
    /// Set the ISO 9660 existence bit (`-hidden`, `-hidden-list`).
    pub hidden: Vec<Glob>,
    /// Sort weights (`-sort`): pattern and weight.
    pub sort: Vec<(Glob, i32)>,
}

/// A node as the tree stores it: 72 bytes, no allocation of its own (issue 14: at most
/// 250 bytes per entry at peak for the whole build). The name and a symbolic link's target
/// are spans of the name buffer, a source path a span of the path buffer, a directory's
/// children a list in [`Tree`]'s `dirs` (the slot's `a`), `-sort` weights a sparse map;
/// times are packed by [`pack_time`].
#[derive(Debug, Clone, Copy)]
struct Slot {
    name: Span,
    parent: NodeId,
    mode: u32,
    uid: u32,
    gid: u32,
    link: u32,
    /// One of the `T_*` kinds.
    tag: u8,
    /// `F_*` bits.
    flags: u8,
    /// mtime, atime, ctime.
    times: [u64; 3],
    /// File: size; device: its number; symbolic link: its target span; directory: index
    /// of its children list.
    a: u64,
    /// File: its data (a path span, an LBA or a blob index, by the kind).
    b: u64,
}

const T_DIR: u8 = 0;
const T_FILE_PATH: u8 = 1;
const T_FILE_OLD: u8 = 2;
const T_FILE_BLOB: u8 = 3;
const T_SYMLINK: u8 = 4;
const T_DEVICE: u8 = 5;
const T_FIFO: u8 = 6;
const T_SOCKET: u8 = 7;

const F_HIDE_ISO: u8 = 1;
const F_HIDE_JOLIET: u8 = 2;
const F_HIDDEN: u8 = 4;
const F_DEAD: u8 = 8;
/// Has an entry in the weights map.
const F_WEIGHT: u8 = 16;

/// Bits of a packed time that hold the nanoseconds (999,999,999 < 2^30).
const NANO_BITS: u32 = 30;
/// Seconds a packed time holds: 34 bits, signed (1698 to 2242).
const SECS_MIN: i64 = -(1 << 33);
const SECS_MAX: i64 = (1 << 33) - 1;

/// A time in 64 bits: seconds (clamped to 1698-2242) and nanoseconds. Lossless for every
/// time an image records: ECMA-119 §9.1.5 and the RRIP TF entries we write (7-byte form)
/// cover the years 1900 to 2155.
fn pack_time(t: Timestamp) -> u64 {
    let secs = t.secs.clamp(SECS_MIN, SECS_MAX);
    ((secs as u64) << NANO_BITS) | u64::from(t.nanos.min(999_999_999))
}

fn unpack_time(v: u64) -> Timestamp {
    Timestamp {
        secs: (v as i64) >> NANO_BITS,
        nanos: (v & ((1 << NANO_BITS) - 1)) as u32,
    }
}

fn pack_span(s: Span) -> u64 {
    u64::from(s.start) | (u64::from(s.len) << 32)
}

fn unpack_span(v: u64) -> Span {
    Span {
        start: v as u32,
        len: (v >> 32) as u32,
    }
}

/// The file tree of one session.
#[derive(Debug, Clone)]
pub struct Tree {
    nodes: Vec<Slot>,
    /// Children of each directory (a directory's slot `a` indexes it).
    dirs: Vec<Vec<NodeId>>,
    /// `-sort` weights of the nodes that have one (`F_WEIGHT`).
    weights: HashMap<NodeId, i32>,
    names: Vec<u8>,
    paths: Vec<u8>,
    /// Paths (spans of `paths`) of the scanned directories whose files' source paths are
    /// [`NAME_PATH`] spans.
    src_dirs: Vec<Span>,
    blobs: Vec<Vec<u8>>,
    links: HashMap<(u64, u64), u32>,
    next_link: u32,
    /// New files that replaced a previous session's file of the same size: (new node, old
    /// extent). The builder keeps the old extent when the contents are equal.
    pub replaced: Vec<(NodeId, u32)>,
    /// What the imported previous session recorded of its directories (set by
    /// [`crate::merge::import`]): lets the builder point at unchanged directories instead of
    /// writing them again (see `build::reuse`).
    pub(crate) previous: Option<Box<crate::merge::Previous>>,
    /// MD5s of previous-session extents (first block -> MD5 of the file's bytes), as that
    /// session's checksum array recorded them (libisofs `doc/checksums.txt`) or as a
    /// content comparison found them: a file kept at its old extent keeps its MD5.
    pub old_md5: HashMap<u32, [u8; 16]>,
    /// The previous session's checksum array, file entries 1..=N (at [i - 1]), when it was
    /// read and checked; with `old_md5_index` (first block -> its `isofs.cx`). A later
    /// session keeps these indexes: directories it reuses hold the old `isofs.cx` values.
    pub old_md5_array: Vec<[u8; 16]>,
    /// See `old_md5_array`.
    pub old_md5_index: HashMap<u32, u32>,
    /// The previous session's files carry `isofs.cx` but its array could not be used: its
    /// directories must not be reused into a session with checksums (their indexes would
    /// point at wrong entries).
    pub old_md5_unusable: bool,
    /// Directories a source was merged into (by [`Tree::put_child`]): see
    /// [`Tree::mirror_prune`].
    merged: Vec<NodeId>,
    /// Permission bits of the directories [`Tree::ensure_dir`] creates because a graft
    /// point names them (no source directory stands for them): 0755 by default, as
    /// xorriso; genisoimage's `-new-dir-mode` (its default 0555).
    pub new_dir_mode: u32,
}

impl Default for Tree {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(unix)]
fn ts(secs: i64, nanos: i64) -> Timestamp {
    Timestamp {
        secs,
        nanos: nanos.clamp(0, 999_999_999) as u32,
    }
}

/// Metadata of the file at `_path` as Rock Ridge records it, its link count, its identity
/// (device, inode) for hard links and `-f` loop detection, and its device number.
#[cfg(unix)]
fn meta_from(m: &fs::Metadata, _path: &Path) -> (Meta, u64, (u64, u64), u64) {
    use std::os::unix::fs::MetadataExt;
    (
        Meta {
            mode: m.mode(),
            uid: m.uid(),
            gid: m.gid(),
            mtime: ts(m.mtime(), m.mtime_nsec()),
            atime: ts(m.atime(), m.atime_nsec()),
            ctime: ts(m.ctime(), m.ctime_nsec()),
            link: 0,
        },
        m.nlink(),
        (m.dev(), m.ino()),
        m.rdev(),
    )
}

/// Metadata without Unix modes or owners (Windows): directories 0755, files 0644 (0444 when
/// read-only), symbolic links and junctions 0777, times from the file system.
///
/// The link count and identity come from [`file_identity`] (the file index and volume serial
/// number of `GetFileInformationByHandle`, Windows' counterpart of the inode and device
/// numbers): two hard links to one file share an identity, so they become one extent and
/// Rock Ridge's PX link count is right, as on Unix. Where no handle can be had (or off
/// Windows), a directory's identity is a hash of its canonical path (for `-f` loop detection)
/// and every other file counts as its own, with identity (0, 0), which no directory gets.
/// Every directory once had (0, 0), equal to the root's, so the walk took each
/// subdirectory for a loop back to the root and left it empty (issue 17).
#[cfg(not(unix))]
fn meta_from(m: &fs::Metadata, path: &Path) -> (Meta, u64, (u64, u64), u64) {
    let time = |t: io::Result<std::time::SystemTime>| {
        t.ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| Timestamp {
                secs: d.as_secs() as i64,
                nanos: d.subsec_nanos(),
            })
    };
    let mtime = time(m.modified()).unwrap_or_default();
    let ft = m.file_type();
    let mode = if ft.is_symlink() {
        mode::S_IFLNK | 0o777
    } else if ft.is_dir() {
        mode::S_IFDIR | 0o755
    } else if m.permissions().readonly() {
        mode::S_IFREG | 0o444
    } else {
        mode::S_IFREG | 0o644
    };
    // A symbolic link itself has no data to share (without -f the metadata is the link's).
    let found = if ft.is_symlink() {
        None
    } else {
        file_identity(path)
    };
    let (nlink, key) = match found {
        Some((_, key)) if ft.is_dir() => (1, key),
        Some(found) => found,
        None if ft.is_dir() => (1, dir_identity(path)),
        None => (1, (0, 0)),
    };
    (
        Meta {
            mode,
            mtime,
            atime: time(m.accessed()).unwrap_or(mtime),
            ctime: mtime,
            ..Meta::default()
        },
        nlink,
        key,
        0,
    )
}

/// The link count and the identity (volume serial number, file index) of the file or
/// directory at `path` (symbolic links followed), from `GetFileInformationByHandle` on a
/// handle opened with backup semantics (which directories need); `None` when it cannot be
/// opened or queried. The index is unique on its volume while the file is open (Microsoft's
/// `BY_HANDLE_FILE_INFORMATION`); the walk holds no handles, but files cannot vanish and
/// reappear under the same index within one walk of a tree that is not being changed. Wine
/// reports the Unix inode as the index and `st_nlink` as the count.
#[cfg(windows)]
fn file_identity(path: &Path) -> Option<(u64, (u64, u64))> {
    let h = winapi_util::Handle::from_path_any(path).ok()?;
    let info = winapi_util::file::information(&h).ok()?;
    let key = (info.volume_serial_number(), info.file_index());
    // (0, 0) means "no identity" to the walk; a real file never has index 0 (NTFS's and
    // Wine's indexes start above it), but do not let one collide with the fallbacks.
    if key == (0, 0) {
        return None;
    }
    Some((info.number_of_links().max(1), key))
}

#[cfg(all(not(unix), not(windows)))]
fn file_identity(_path: &Path) -> Option<(u64, (u64, u64))> {
    None
}

/// Two independent 64-bit hashes of a directory's canonical path (never (0, 0)).
#[cfg(not(unix))]
fn dir_identity(path: &Path) -> (u64, u64) {
    use std::hash::{Hash, Hasher};
    let canon = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let hash = |seed: u8| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        seed.hash(&mut h);
        canon.hash(&mut h);
        h.finish()
    };
    (hash(1), hash(2) | 1)
}

/// POSIX file type bits.
pub mod mode {
    /// Type mask.
    pub const S_IFMT: u32 = 0o170000;
    /// Directory.
    pub const S_IFDIR: u32 = 0o040000;
    /// Regular file.
    pub const S_IFREG: u32 = 0o100000;
    /// Symbolic link.
    pub const S_IFLNK: u32 = 0o120000;
    /// Character device.
    pub const S_IFCHR: u32 = 0o020000;
    /// Block device.
    pub const S_IFBLK: u32 = 0o060000;
    /// FIFO.
    pub const S_IFIFO: u32 = 0o010000;
    /// Socket.
    pub const S_IFSOCK: u32 = 0o140000;
}

#[cfg(unix)]
fn os_bytes(p: &std::ffi::OsStr) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    p.as_bytes().to_vec()
}
#[cfg(not(unix))]
fn os_bytes(p: &std::ffi::OsStr) -> Vec<u8> {
    p.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn bytes_path(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}
#[cfg(not(unix))]
fn bytes_path(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

impl Tree {
    /// An empty tree holding only a root directory (mode 0755).
    pub fn new() -> Self {
        let meta = Meta {
            mode: mode::S_IFDIR | 0o755,
            ..Meta::default()
        };
        let root = Slot {
            name: Span::default(),
            parent: 0,
            mode: meta.mode,
            uid: 0,
            gid: 0,
            link: 0,
            tag: T_DIR,
            flags: 0,
            times: [pack_time(Timestamp::default()); 3],
            a: 0,
            b: 0,
        };
        Self {
            nodes: vec![root],
            dirs: vec![Vec::new()],
            weights: HashMap::new(),
            names: Vec::new(),
            paths: Vec::new(),
            src_dirs: Vec::new(),
            blobs: Vec::new(),
            links: HashMap::new(),
            next_link: 1,
            replaced: Vec::new(),
            previous: None,
            old_md5: HashMap::new(),
            old_md5_array: Vec::new(),
            old_md5_index: HashMap::new(),
            old_md5_unusable: false,
            merged: Vec::new(),
            new_dir_mode: 0o755,
        }
    }

    /// The root directory.
    pub const ROOT: NodeId = 0;

    /// A node (unpacked from the tree's compact storage: a copy).
    pub fn node(&self, id: NodeId) -> Node {
        let s = &self.nodes[id as usize];
        Node {
            name: s.name,
            parent: s.parent,
            kind: Self::kind_of(s),
            meta: Self::meta_of(s),
            hide_iso: s.flags & F_HIDE_ISO != 0,
            hide_joliet: s.flags & F_HIDE_JOLIET != 0,
            hidden: s.flags & F_HIDDEN != 0,
            weight: self.weight(id),
            dead: s.flags & F_DEAD != 0,
        }
    }

    /// Changes a node: `f` gets it unpacked, the result is stored back. Its name, parent
    /// and (for a directory) children stay as they are; a directory that becomes something
    /// else loses its children.
    pub fn update<R>(&mut self, id: NodeId, f: impl FnOnce(&mut Node) -> R) -> R {
        let mut n = self.node(id);
        let r = f(&mut n);
        let was_dir = self.is_dir(id);
        let s = self.pack(&n, id);
        let slot = &mut self.nodes[id as usize];
        let (name, parent, a) = (slot.name, slot.parent, slot.a);
        *slot = s;
        slot.name = name;
        slot.parent = parent;
        if was_dir && slot.tag == T_DIR {
            slot.a = a;
        } else if was_dir {
            if let Some(c) = self.dirs.get_mut(a as usize) {
                *c = Vec::new();
            }
        }
        r
    }

    /// Whether a node is a directory.
    pub fn is_dir(&self, id: NodeId) -> bool {
        self.nodes[id as usize].tag == T_DIR
    }

    /// Whether a node was detached (removed or replaced).
    pub fn is_dead(&self, id: NodeId) -> bool {
        self.nodes[id as usize].flags & F_DEAD != 0
    }

    /// A node's metadata.
    pub fn meta(&self, id: NodeId) -> Meta {
        Self::meta_of(&self.nodes[id as usize])
    }

    /// A node's parent directory (the root's is the root).
    pub fn parent(&self, id: NodeId) -> NodeId {
        self.nodes[id as usize].parent
    }

    /// A regular file's size (0 for anything else).
    pub fn file_size(&self, id: NodeId) -> u64 {
        let s = &self.nodes[id as usize];
        match s.tag {
            T_FILE_PATH | T_FILE_OLD | T_FILE_BLOB => s.a,
            _ => 0,
        }
    }

    /// A node's `-sort` weight (0 unless set).
    pub fn weight(&self, id: NodeId) -> i32 {
        if self.nodes[id as usize].flags & F_WEIGHT == 0 {
            return 0;
        }
        self.weights.get(&id).copied().unwrap_or(0)
    }

    fn kind_of(s: &Slot) -> Kind {
        match s.tag {
            T_DIR => Kind::Dir,
            T_FILE_PATH => Kind::File {
                size: s.a,
                data: Data::Path(unpack_span(s.b)),
            },
            T_FILE_OLD => Kind::File {
                size: s.a,
                data: Data::Old { lba: s.b as u32 },
            },
            T_FILE_BLOB => Kind::File {
                size: s.a,
                data: Data::Blob(s.b as u32),
            },
            T_SYMLINK => Kind::Symlink(unpack_span(s.a)),
            T_DEVICE => Kind::Device(s.a),
            T_FIFO => Kind::Fifo,
            _ => Kind::Socket,
        }
    }

    fn meta_of(s: &Slot) -> Meta {
        Meta {
            mode: s.mode,
            uid: s.uid,
            gid: s.gid,
            mtime: unpack_time(s.times[0]),
            atime: unpack_time(s.times[1]),
            ctime: unpack_time(s.times[2]),
            link: s.link,
        }
    }

    fn pack_meta(s: &mut Slot, m: &Meta) {
        s.mode = m.mode;
        s.uid = m.uid;
        s.gid = m.gid;
        s.link = m.link;
        s.times = [pack_time(m.mtime), pack_time(m.atime), pack_time(m.ctime)];
    }

    /// The packed form of `n` (a directory gets a new, empty children list; the weight
    /// goes into the map under `id`).
    fn pack(&mut self, n: &Node, id: NodeId) -> Slot {
        let (tag, a, b) = match &n.kind {
            Kind::Dir => (T_DIR, u64::MAX, 0),
            Kind::File { size, data } => match data {
                Data::Path(p) => (T_FILE_PATH, *size, pack_span(*p)),
                Data::Old { lba } => (T_FILE_OLD, *size, u64::from(*lba)),
                Data::Blob(i) => (T_FILE_BLOB, *size, u64::from(*i)),
            },
            Kind::Symlink(t) => (T_SYMLINK, pack_span(*t), 0),
            Kind::Device(r) => (T_DEVICE, *r, 0),
            Kind::Fifo => (T_FIFO, 0, 0),
            Kind::Socket => (T_SOCKET, 0, 0),
        };
        let mut flags = 0;
        for (on, f) in [
            (n.hide_iso, F_HIDE_ISO),
            (n.hide_joliet, F_HIDE_JOLIET),
            (n.hidden, F_HIDDEN),
            (n.dead, F_DEAD),
        ] {
            if on {
                flags |= f;
            }
        }
        if n.weight != 0 {
            flags |= F_WEIGHT;
            self.weights.insert(id, n.weight);
        } else if self
            .nodes
            .get(id as usize)
            .is_some_and(|s| s.flags & F_WEIGHT != 0)
        {
            self.weights.remove(&id);
        }
        let mut s = Slot {
            name: n.name,
            parent: n.parent,
            mode: 0,
            uid: 0,
            gid: 0,
            link: 0,
            tag,
            flags,
            times: [0; 3],
            a,
            b,
        };
        Self::pack_meta(&mut s, &n.meta);
        s
    }

    /// Sets a node's metadata.
    pub fn set_meta(&mut self, id: NodeId, meta: Meta) {
        Self::pack_meta(&mut self.nodes[id as usize], &meta);
    }

    /// Sets a node's `-sort` weight.
    pub fn set_weight(&mut self, id: NodeId, weight: i32) {
        self.update(id, |n| n.weight = weight);
    }

    /// Points a regular file at other data (no-op for anything else).
    pub fn set_data(&mut self, id: NodeId, data: Data) {
        let s = &mut self.nodes[id as usize];
        let (tag, b) = match data {
            Data::Path(p) => (T_FILE_PATH, pack_span(p)),
            Data::Old { lba } => (T_FILE_OLD, u64::from(lba)),
            Data::Blob(i) => (T_FILE_BLOB, u64::from(i)),
        };
        if matches!(s.tag, T_FILE_PATH | T_FILE_OLD | T_FILE_BLOB) {
            s.tag = tag;
            s.b = b;
        }
    }

    /// Number of nodes in the arena (including detached ones).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether only the root exists.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// The bytes of a name span.
    pub fn span(&self, s: Span) -> &[u8] {
        &self.names[s.start as usize..(s.start + s.len) as usize]
    }

    /// Gives back the room the buffers grew into beyond what they hold (the builder calls
    /// it once the tree is complete).
    pub fn shrink_to_fit(&mut self) {
        self.nodes.shrink_to_fit();
        self.names.shrink_to_fit();
        self.paths.shrink_to_fit();
        self.src_dirs.shrink_to_fit();
        self.dirs.shrink_to_fit();
    }

    /// Bytes in the name buffer (names and symbolic link targets).
    pub fn names_len(&self) -> usize {
        self.names.len()
    }

    /// A node's name bytes.
    pub fn name(&self, id: NodeId) -> &[u8] {
        let s = self.nodes[id as usize].name;
        self.names
            .get(s.start as usize..(s.start + s.len) as usize)
            .unwrap_or(&[])
    }

    /// A node's name as text (invalid UTF-8 replaced).
    pub fn name_str(&self, id: NodeId) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.name(id))
    }

    /// Source path of a `Data::Path`.
    pub fn source_path(&self, s: Span) -> PathBuf {
        let bytes = |at: usize, len: usize| self.paths.get(at..at + len).unwrap_or(&[]);
        if s.len & CHILD_PATH == 0 && s.len & NAME_PATH != 0 {
            let dir = self.src_dirs.get(((s.len & !NAME_PATH) >> 8) as usize);
            let dir = dir.copied().unwrap_or_default();
            let mut p = bytes_path(bytes(dir.start as usize, dir.len as usize));
            let at = s.start as usize;
            let name = self.names.get(at..at + (s.len & 0xff) as usize);
            p.push(bytes_path(name.unwrap_or(&[])));
            return p;
        }
        if s.len & CHILD_PATH == 0 {
            return bytes_path(bytes(s.start as usize, s.len as usize));
        }
        // The directory's span, then the name (see `intern_child_path`).
        let at = s.start as usize;
        let word = |i: usize| {
            let b = bytes(at + i, 4);
            b.try_into().map_or(0, u32::from_le_bytes) as usize
        };
        let mut p = bytes_path(bytes(word(0), word(4)));
        p.push(bytes_path(bytes(at + 8, (s.len & !CHILD_PATH) as usize)));
        p
    }

    /// In-memory contents of a `Data::Blob`.
    pub fn blob(&self, i: u32) -> &[u8] {
        self.blobs.get(i as usize).map_or(&[][..], |v| &v[..])
    }

    /// Stores a byte string in the name buffer.
    pub fn intern(&mut self, b: &[u8]) -> Span {
        let s = Span {
            start: self.names.len() as u32,
            len: b.len() as u32,
        };
        self.names.extend_from_slice(b);
        s
    }

    /// The source path `dir`/`name` stored as the span of the directory's path (interned
    /// once for all its files) and the name: 8 bytes and the name per file instead of the
    /// whole path (a tree of 200,000 files below a long source path saves 10 MB).
    fn intern_child_path(&mut self, dir: Span, name: &[u8]) -> Span {
        let s = Span {
            start: self.paths.len() as u32,
            len: name.len() as u32 | CHILD_PATH,
        };
        self.paths.extend_from_slice(&dir.start.to_le_bytes());
        self.paths.extend_from_slice(&dir.len.to_le_bytes());
        self.paths.extend_from_slice(name);
        s
    }

    fn intern_path(&mut self, p: &Path) -> Span {
        let b = os_bytes(p.as_os_str());
        let s = Span {
            start: self.paths.len() as u32,
            len: b.len() as u32,
        };
        self.paths.extend_from_slice(&b);
        s
    }

    /// Stores bytes as a blob for a `Data::Blob` file.
    pub fn add_blob(&mut self, b: Vec<u8>) -> Data {
        self.blobs.push(b);
        Data::Blob(self.blobs.len() as u32 - 1)
    }

    /// Children of a directory (empty for other nodes), detached ones excluded.
    pub fn children(&self, id: NodeId) -> &[NodeId] {
        let s = &self.nodes[id as usize];
        if s.tag != T_DIR {
            return &[];
        }
        self.dirs.get(s.a as usize).map_or(&[][..], |c| &c[..])
    }

    /// Finds a child by name.
    pub fn lookup(&self, dir: NodeId, name: &[u8]) -> Option<NodeId> {
        self.children(dir)
            .iter()
            .copied()
            .find(|&c| self.name(c) == name)
    }

    /// Finds a node by a slash-separated image path.
    pub fn lookup_path(&self, path: &str) -> Option<NodeId> {
        let mut cur = Self::ROOT;
        for comp in path.split('/').filter(|c| !c.is_empty() && *c != ".") {
            cur = self.lookup(cur, comp.as_bytes())?;
        }
        Some(cur)
    }

    /// Adds a child to `dir` without checking for an existing one of the same name.
    pub fn push_child(&mut self, dir: NodeId, name: &[u8], kind: Kind, meta: Meta) -> NodeId {
        let name = self.intern(name);
        self.push_interned(dir, name, kind, meta)
    }

    /// [`Tree::push_child`] with the name in the name buffer already.
    fn push_interned(&mut self, dir: NodeId, name: Span, kind: Kind, meta: Meta) -> NodeId {
        let id = self.nodes.len() as NodeId;
        let mut s = self.pack(
            &Node {
                name,
                parent: dir,
                kind,
                meta,
                hide_iso: false,
                hide_joliet: false,
                hidden: false,
                weight: 0,
                dead: false,
            },
            id,
        );
        if s.tag == T_DIR {
            s.a = self.dirs.len() as u64;
            self.dirs.push(Vec::new());
        }
        self.nodes.push(s);
        let p = &self.nodes[dir as usize];
        if p.tag == T_DIR {
            if let Some(c) = self.dirs.get_mut(p.a as usize) {
                c.push(id);
            }
        }
        id
    }

    /// Detaches a node from its parent (mkisofs has no way to do this; `--remove`).
    pub fn detach(&mut self, id: NodeId) {
        if id == Self::ROOT {
            return;
        }
        let p = &self.nodes[self.nodes[id as usize].parent as usize];
        if p.tag == T_DIR {
            if let Some(c) = self.dirs.get_mut(p.a as usize) {
                c.retain(|&x| x != id);
            }
        }
        self.nodes[id as usize].flags |= F_DEAD;
    }

    /// Adds or replaces the child `name` of `dir`. A directory replacing a directory keeps
    /// the existing node (contents are merged); anything else replaces the old node.
    pub fn put_child(&mut self, dir: NodeId, name: &[u8], kind: Kind, meta: Meta) -> NodeId {
        self.put_child_as(dir, name, None, kind, meta)
    }

    /// [`Tree::put_child`]; a new node takes the name span `named` when given (the name
    /// interned already).
    fn put_child_as(
        &mut self,
        dir: NodeId,
        name: &[u8],
        named: Option<Span>,
        kind: Kind,
        meta: Meta,
    ) -> NodeId {
        if let Some(old) = self.lookup(dir, name) {
            let both_dirs = self.is_dir(old) && matches!(kind, Kind::Dir);
            if both_dirs {
                self.set_meta(old, meta);
                self.merged.push(old);
                return old;
            }
            let o = &self.nodes[old as usize];
            let prev = match &kind {
                Kind::File { size, .. } if o.tag == T_FILE_OLD && o.a == *size => Some(o.b as u32),
                _ => None,
            };
            self.detach(old);
            let n = named.unwrap_or_else(|| self.intern(name));
            let id = self.push_interned(dir, n, kind, meta);
            if let Some(lba) = prev {
                self.replaced.push((id, lba));
            }
            return id;
        }
        let n = named.unwrap_or_else(|| self.intern(name));
        self.push_interned(dir, n, kind, meta)
    }

    /// Returns the directory at `path`, creating missing directories (mode
    /// [`Tree::new_dir_mode`], times of `meta`).
    pub fn ensure_dir(&mut self, path: &str, meta: Meta) -> Result<NodeId, TreeError> {
        let new_mode = mode::S_IFDIR | (self.new_dir_mode & 0o7777);
        let mut cur = Self::ROOT;
        for comp in path.split('/').filter(|c| !c.is_empty() && *c != ".") {
            if comp == ".." {
                return Err(TreeError::BadName(path.to_string()));
            }
            cur = match self.lookup(cur, comp.as_bytes()) {
                Some(n) if self.is_dir(n) => n,
                Some(_) => return Err(TreeError::NotADirectory(path.to_string())),
                None => self.push_child(
                    cur,
                    comp.as_bytes(),
                    Kind::Dir,
                    Meta {
                        mode: new_mode,
                        link: 0,
                        ..meta
                    },
                ),
            };
        }
        Ok(cur)
    }

    fn excluded(opts: &ScanOptions, name: &str, path: &str) -> bool {
        opts.exclude
            .iter()
            .any(|g| g.matches(name) || g.matches(path))
    }

    /// Adds the source `src` at image path `dest` (mkisofs graft point `dest=src`; without
    /// a graft point `dest` is "/"). A directory's contents are merged into `dest`; a file
    /// becomes `dest` itself, or goes inside it when `dest` ends with '/' or is the root.
    pub fn add_source(
        &mut self,
        dest: &str,
        src: &Path,
        opts: &ScanOptions,
    ) -> Result<(), TreeError> {
        let io = |e: io::Error| TreeError::Io {
            path: src.to_path_buf(),
            source: e,
        };
        let md = if opts.follow_links {
            fs::metadata(src)
        } else {
            fs::symlink_metadata(src)
        }
        .map_err(io)?;
        let (meta, _, key, _) = meta_from(&md, src);
        if md.is_dir() {
            let d = self.ensure_dir(dest, meta)?;
            // The target directory now stands for the source (for mirror_prune).
            self.merged.push(d);
            if d != Self::ROOT || dest.trim_matches('/').is_empty() {
                let keep = self.nodes[d as usize].link;
                self.set_meta(d, Meta { link: keep, ..meta });
            }
            // The source directory itself counts for -f loop detection.
            let mut stack = vec![key];
            self.scan_dir(d, src, opts, &mut stack)?;
        } else {
            let trimmed = dest.trim_end_matches('/');
            let (parent, name) = if dest.ends_with('/') || trimmed.is_empty() {
                let n = src.file_name().map(os_bytes).unwrap_or_default();
                (trimmed, n)
            } else {
                match trimmed.rfind('/') {
                    Some(i) => (&trimmed[..i], trimmed.as_bytes()[i + 1..].to_vec()),
                    None => ("", trimmed.as_bytes().to_vec()),
                }
            };
            if name.is_empty() || name == b".." || name == b"." {
                return Err(TreeError::BadName(dest.to_string()));
            }
            let pmeta = Meta {
                mode: mode::S_IFDIR | 0o755,
                ..meta
            };
            let p = self.ensure_dir(parent, pmeta)?;
            self.add_entry(p, &name, src, None, &md, opts, true, &mut Vec::new())?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)] // reason: recursion state of the scan
    fn add_entry(
        &mut self,
        dir: NodeId,
        name: &[u8],
        path: &Path,
        src_dir: Option<u32>,
        md: &fs::Metadata,
        opts: &ScanOptions,
        checked: bool,
        stack: &mut Vec<(u64, u64)>,
    ) -> Result<(), TreeError> {
        let (mut meta, nlink, key, rdev) = meta_from(md, path);
        let ft = meta.mode & mode::S_IFMT;
        let mut named: Option<Span> = None;
        let kind = match ft {
            mode::S_IFDIR => Kind::Dir,
            mode::S_IFLNK => {
                let t = fs::read_link(path).map_err(|e| TreeError::Io {
                    path: path.into(),
                    source: e,
                })?;
                let b = os_bytes(t.as_os_str());
                Kind::Symlink(self.intern(&b))
            }
            mode::S_IFCHR | mode::S_IFBLK => Kind::Device(rdev),
            mode::S_IFIFO => Kind::Fifo,
            mode::S_IFSOCK => Kind::Socket,
            _ => {
                if nlink > 1 {
                    let next = self.next_link;
                    let l = *self.links.entry(key).or_insert(next);
                    if l == next {
                        self.next_link += 1;
                    }
                    meta.link = l;
                }
                // `path` is the directory's path joined with `name` (scan_dir).
                let sp = match src_dir {
                    Some(d) if name.len() <= 0xff && (d as usize) < NAME_PATH_DIRS => {
                        // The node's name goes in first: the source path points at it.
                        let n = self.intern(name);
                        named = Some(n);
                        Span {
                            start: n.start,
                            len: NAME_PATH | d << 8 | n.len,
                        }
                    }
                    Some(d) => {
                        let dir = self.src_dirs[d as usize];
                        self.intern_child_path(dir, name)
                    }
                    None => self.intern_path(path),
                };
                Kind::File {
                    size: md.len(),
                    data: Data::Path(sp),
                }
            }
        };
        let is_dir = matches!(kind, Kind::Dir);
        let id = if checked {
            self.put_child_as(dir, name, named, kind, meta)
        } else {
            let n = named.unwrap_or_else(|| self.intern(name));
            self.push_interned(dir, n, kind, meta)
        };
        if opts.hide.is_empty()
            && opts.hide_joliet.is_empty()
            && opts.hidden.is_empty()
            && opts.sort.is_empty()
        {
            if is_dir {
                return self.descend(id, path, opts, stack, key);
            }
            return Ok(());
        }
        let pstr = path.to_string_lossy();
        let nstr = String::from_utf8_lossy(name);
        let matches = |gs: &[Glob]| gs.iter().any(|g| g.matches(&nstr) || g.matches(&pstr));
        let mut flags = 0;
        if matches(&opts.hide) {
            flags |= F_HIDE_ISO;
        }
        if matches(&opts.hide_joliet) {
            flags |= F_HIDE_JOLIET;
        }
        if matches(&opts.hidden) {
            flags |= F_HIDDEN;
        }
        self.nodes[id as usize].flags |= flags;
        if let Some((_, w)) = opts.sort.iter().find(|(g, _)| g.matches(&pstr)) {
            self.set_weight(id, *w);
        }
        if is_dir {
            return self.descend(id, path, opts, stack, key);
        }
        Ok(())
    }

    fn descend(
        &mut self,
        id: NodeId,
        path: &Path,
        opts: &ScanOptions,
        stack: &mut Vec<(u64, u64)>,
        key: (u64, u64),
    ) -> Result<(), TreeError> {
        if stack.contains(&key) {
            return Ok(()); // -f followed a link back into an ancestor
        }
        stack.push(key);
        let r = self.scan_dir(id, path, opts, stack);
        stack.pop();
        r
    }

    fn scan_dir(
        &mut self,
        dir: NodeId,
        path: &Path,
        opts: &ScanOptions,
        stack: &mut Vec<(u64, u64)>,
    ) -> Result<(), TreeError> {
        let io = |e: io::Error| TreeError::Io {
            path: path.to_path_buf(),
            source: e,
        };
        let checked = !self.children(dir).is_empty();
        // One getdents pass; without -f the metadata comes from fstatat relative to the
        // directory (DirEntry::metadata), not from a walk of the whole path.
        let mut ents: Vec<(Vec<u8>, PathBuf, Option<fs::Metadata>)> = Vec::new();
        for e in fs::read_dir(path).map_err(io)? {
            let e = e.map_err(io)?;
            let md = if opts.follow_links {
                None
            } else {
                e.metadata().ok()
            };
            ents.push((os_bytes(&e.file_name()), e.path(), md));
        }
        ents.sort_by(|a, b| a.0.cmp(&b.0));
        let exclude = !opts.exclude.is_empty();
        let mut dir_span: Option<u32> = None;
        for (name, p, md) in ents {
            if exclude {
                let nstr = String::from_utf8_lossy(&name);
                if Self::excluded(opts, &nstr, &p.to_string_lossy()) {
                    continue;
                }
            }
            let md = match md {
                Some(m) => m,
                None => if opts.follow_links {
                    fs::metadata(&p)
                } else {
                    fs::symlink_metadata(&p)
                }
                .map_err(|e| TreeError::Io {
                    path: p.clone(),
                    source: e,
                })?,
            };
            let src_dir = if md.is_file() && name.len() < NAME_PATH as usize {
                Some(*dir_span.get_or_insert_with(|| {
                    let sp = self.intern_path(path);
                    self.src_dirs.push(sp);
                    self.src_dirs.len() as u32 - 1
                }))
            } else {
                None
            };
            self.add_entry(dir, &name, &p, src_dir, &md, opts, checked, stack)?;
        }
        Ok(())
    }

    /// Removes the node at `path` (and its subtree). Returns whether it existed.
    pub fn remove_path(&mut self, path: &str) -> bool {
        self.remove_path_inner(path)
    }

    /// Mirroring (xorriso `-update_r`): detaches every node among the first `imported`
    /// (the previous session's, as [`crate::merge::import`] made them) that no source
    /// added since provided: files, links and special files still there (a source's entry
    /// of the same name would have replaced them), and directories no source directory was
    /// merged into. Returns the image paths removed (a directory's contents not listed).
    pub fn mirror_prune(&mut self, imported: usize) -> Vec<String> {
        self.mirror_prune_under(Self::ROOT, imported)
    }

    /// [`Tree::mirror_prune`] of the subtree below the directory `top` only (xorrisofs
    /// `-old-root`: each pathspec's target is updated to its source, the rest of the image
    /// stays): nodes numbered below `before` count as the old ones.
    pub fn mirror_prune_under(&mut self, top: NodeId, before: usize) -> Vec<String> {
        let imported = before;
        let merged: HashSet<NodeId> = self.merged.iter().copied().collect();
        let mut gone = Vec::new();
        let mut stack = vec![top];
        while let Some(d) = stack.pop() {
            for c in self.children(d).to_vec() {
                if self.is_dead(c) {
                    continue;
                }
                let is_dir = self.is_dir(c);
                let old = (c as usize) < imported;
                if old && !(is_dir && merged.contains(&c)) {
                    gone.push(self.path_string(c));
                    self.detach(c);
                } else if is_dir {
                    stack.push(c);
                }
            }
        }
        gone.sort();
        gone
    }

    /// Copies the contents of directory `from` into directory `to` (xorriso `-clone`,
    /// what xorrisofs `-old-root` does when `-root` differs): names `to` already has are
    /// left alone; files keep their data (a previous session's extent is shared, not
    /// copied); hard links among the copies stay links, in link groups of their own.
    pub fn clone_contents(&mut self, from: NodeId, to: NodeId) {
        let mut groups: HashMap<u32, u32> = HashMap::new();
        let mut stack = vec![(from, to)];
        while let Some((src, dst)) = stack.pop() {
            if src == dst {
                continue;
            }
            for c in self.children(src).to_vec() {
                let node = self.node(c);
                if node.dead {
                    continue;
                }
                let name = self.name(c).to_vec();
                // The target itself (or a directory holding it) is not copied into it.
                if self.lookup(dst, &name).is_some() || self.is_within(to, c) {
                    continue;
                }
                let mut meta = node.meta;
                if meta.link != 0 {
                    let next = self.next_link;
                    let g = *groups.entry(meta.link).or_insert(next);
                    if g == next {
                        self.next_link += 1;
                    }
                    meta.link = g;
                }
                let is_dir = matches!(node.kind, Kind::Dir);
                let kind = node.kind;
                let id = self.push_child(dst, &name, kind, meta);
                let mask = F_HIDE_ISO | F_HIDE_JOLIET | F_HIDDEN;
                self.nodes[id as usize].flags |= self.nodes[c as usize].flags & mask;
                if node.weight != 0 {
                    self.set_weight(id, node.weight);
                }
                if is_dir {
                    stack.push((c, id));
                }
            }
        }
    }

    /// Whether `id` is `dir` or below it.
    fn is_within(&self, mut id: NodeId, dir: NodeId) -> bool {
        loop {
            if id == dir {
                return true;
            }
            if id == Self::ROOT {
                return false;
            }
            id = self.nodes[id as usize].parent;
        }
    }

    fn path_string(&self, mut id: NodeId) -> String {
        let mut parts = Vec::new();
        while id != Self::ROOT {
            parts.push(String::from_utf8_lossy(self.name(id)).into_owned());
            id = self.nodes[id as usize].parent;
        }
        parts.reverse();
        format!("/{}", parts.join("/"))
    }

    fn remove_path_inner(&mut self, path: &str) -> bool {
        match self.lookup_path(path) {
            Some(id) if id != Self::ROOT => {
                self.detach(id);
                true
            }
            _ => false,
        }
    }

    /// Allocates a new hard-link group number.
    pub fn new_link_group(&mut self) -> u32 {
        self.next_link += 1;
        self.next_link - 1
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    /// The per-entry cost of the tree (issue 14: at most 250 bytes per entry at peak for
    /// the whole build): a node is 72 bytes and allocates nothing of its own.
    #[test]
    fn node_slot_is_72_bytes() {
        assert_eq!(std::mem::size_of::<Slot>(), 72);
    }

    #[test]
    fn packed_times_round_trip() {
        for (secs, nanos) in [
            (0, 0),
            (-1, 999_999_999),
            (1_700_000_000, 123),
            (-2_208_988_800, 5),
        ] {
            let t = Timestamp { secs, nanos };
            assert_eq!(unpack_time(pack_time(t)), t);
        }
        // Beyond 2242 the seconds are clamped (no ISO 9660 date reaches that far).
        let far = unpack_time(pack_time(Timestamp::from_secs(i64::MAX)));
        assert_eq!(far.secs, SECS_MAX);
    }

    #[test]
    fn update_keeps_children_and_weight_map() {
        let mut t = Tree::new();
        let m = Meta {
            mode: mode::S_IFDIR | 0o755,
            ..Meta::default()
        };
        let d = t.push_child(Tree::ROOT, b"d", Kind::Dir, m);
        let f = t.push_child(d, b"f", Kind::Fifo, Meta::default());
        t.update(d, |n| n.hidden = true);
        assert_eq!(t.children(d), [f]);
        assert!(t.node(d).hidden);
        t.set_weight(f, 7);
        assert_eq!(t.node(f).weight, 7);
        t.set_weight(f, 0);
        assert_eq!(t.weight(f), 0);
        assert!(t.weights.is_empty());
    }
}
