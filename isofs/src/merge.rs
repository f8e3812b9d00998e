//! Multisession import (mkisofs `-M`): the previous session's tree becomes the starting
//! tree of the next one, its files pointing at their old extents (ECMA-119 §6.8 volume
//! descriptor set of a later session, RRIP 1.12 attributes). Names come from Rock Ridge,
//! else Joliet, else ISO 9660.
//!
//! Merge rules (applied by [`crate::Tree::add_source`] and [`crate::Image::new`]): a new
//! entry overrides an old one of the same name; directories are merged and always written
//! anew; entries not mentioned are carried forward; `Tree::remove_path` deletes. A new file
//! keeps its old extent only when it has the same size and the same bytes as the old
//! extent (compared by reading both; mkisofs trusts size and date and loses edits made
//! within the same second).

use std::collections::HashMap;

use crate::extract::{safe_name, Problem};
use crate::read::{Entry, Limits, Namespace, ReadError, Volume};
use crate::tree::{mode, Data, Kind, Meta, NodeId, Tree};
use crate::wire::WireError;
use crate::{SectorSource, SECTOR};

/// The MD5s the previous session recorded (libisofs `doc/checksums.txt`) go with its files
/// into `tree.old_md5`, so that a file carried forward keeps its MD5 without being read. An
/// array that cannot be read or does not check is only a warning: those files then have
/// no MD5 in the next session.
fn carry_md5<S: SectorSource>(
    vol: &mut Volume<S>,
    root: &Entry,
    at: &[(u32, u32)],
    tree: &mut Tree,
) {
    if at.is_empty() {
        return;
    }
    let Some(ca) = &root.checksum_array else {
        tree.old_md5_unusable = true;
        log::warn!("previous session: files name MD5 indexes but the root has no isofs.ca");
        return;
    };
    match crate::checksum::read_array(vol.source(), ca) {
        Ok(a) => {
            let n = a.len() - 2;
            for &(lba, i) in at {
                // Entry 0 is the session's, the last one the array's own.
                if i >= 1 && i as usize <= n {
                    tree.old_md5.insert(lba, a[i as usize]);
                    tree.old_md5_index.insert(lba, i);
                } else {
                    tree.old_md5_unusable = true;
                }
            }
            tree.old_md5_array = a[1..=n].to_vec();
        }
        Err(e) => {
            tree.old_md5_unusable = true;
            log::warn!("previous session: {e}; its files' MD5s are not carried forward");
        }
    }
}

/// The names the import put into each directory, hashed: finds an entry's namesake without
/// a scan of its directory (`Tree::lookup` is linear, and directories of thousands of
/// entries made the import quadratic). Complete only for an import into a fresh tree.
#[derive(Default)]
struct NameIndex {
    /// Key of (directory, name) -> the node, or [`NameIndex::MANY`] when two names share
    /// the key (then the directory is searched).
    map: HashMap<u64, NodeId, std::hash::BuildHasherDefault<KeyHasher>>,
}

/// The keys of [`NameIndex`] are hashes already: taken as they are.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, b: &[u8]) {
        for &x in b {
            self.0 = (self.0 ^ u64::from(x)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl NameIndex {
    const MANY: NodeId = NodeId::MAX;

    /// FNV-1a of the name, mixed with the directory (names are short: a few bytes each).
    fn key(dir: NodeId, name: &[u8]) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(dir).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for &b in name {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        h ^ (h >> 29)
    }

    /// The child `name` of `dir`.
    fn find(&self, tree: &Tree, dir: NodeId, name: &[u8]) -> Option<NodeId> {
        match self.map.get(&Self::key(dir, name)) {
            None => None,
            Some(&n) if n != Self::MANY && tree.node(n).parent == dir && tree.name(n) == name => {
                Some(n)
            }
            Some(&n) if n != Self::MANY => None,
            Some(_) => tree.lookup(dir, name),
        }
    }

    /// Records that `dir` holds `id` under `name`.
    fn insert(&mut self, tree: &Tree, dir: NodeId, name: &[u8], id: NodeId) {
        let v = self.map.entry(Self::key(dir, name)).or_insert(id);
        if *v != id && *v != Self::MANY && (tree.node(*v).parent != dir || tree.name(*v) != name) {
            *v = Self::MANY;
        }
    }
}

fn meta_of(e: &Entry, link: u32) -> Meta {
    let default_mode = if e.is_dir {
        mode::S_IFDIR | 0o755
    } else if e.symlink.is_some() {
        mode::S_IFLNK | 0o777
    } else {
        mode::S_IFREG | 0o644
    };
    let t = e.mtime.unwrap_or_default();
    Meta {
        mode: e.mode.unwrap_or(default_mode),
        uid: e.uid.unwrap_or(0),
        gid: e.gid.unwrap_or(0),
        mtime: t,
        atime: e.atime.unwrap_or(t),
        ctime: e.ctime.unwrap_or(t),
        link,
    }
}

/// The longest name carried forward, in bytes: Linux's NAME_MAX, and what mkisofs and
/// libisofs (xorriso) accept for a Rock Ridge name (RRIP 1.12 itself sets no bound).
pub const MAX_NAME: usize = 255;

/// What the previous session recorded of one of its directories: where its extent is, the
/// identifier its parent's record gave it, how many entries the import took from it, and
/// its attributes as read. The builder reuses the extent when nothing of this changed
/// (`build::reuse`).
#[derive(Debug, Clone)]
pub(crate) struct OldDir {
    /// First block of the extent (absolute).
    pub(crate) lba: u32,
    /// Data length in bytes.
    pub(crate) size: u32,
    /// Identifier in its parent's record (ECMA-119 §9.1.11), for the path table.
    pub(crate) ident: Vec<u8>,
    /// Entries of the directory that became nodes (without "." and "..").
    pub(crate) entries: u32,
    /// Attributes as imported (a later merge of a source directory over it changes them).
    pub(crate) meta: Meta,
    /// Every entry of the directory became a node (none left out, no two merged).
    pub(crate) whole: bool,
}

/// The previous session as the import saw it, kept in the tree for the builder.
#[derive(Debug, Clone)]
pub(crate) struct Previous {
    /// The tree the names came from (reuse needs Rock Ridge for a Rock Ridge session).
    pub(crate) ns: Namespace,
    /// Nodes below this id were imported (the import fills a fresh tree).
    pub(crate) imported: u32,
    /// The directories of the ISO 9660 tree, by node.
    pub(crate) dirs: HashMap<NodeId, OldDir>,
    /// The directories of the Joliet tree, by node (matched by name; see `joliet_dirs`).
    pub(crate) jdirs: HashMap<NodeId, OldDir>,
    /// File serial numbers (RRIP PX) per imported node, 0 when none was recorded.
    pub(crate) ino: Vec<u32>,
    /// The largest of them.
    pub(crate) max_ino: u32,
}

/// A session imported by [`import_checked`]: the source back (for content comparisons)
/// and every entry of the session that could not be carried forward.
#[derive(Debug)]
pub struct Imported<S> {
    /// The source, given back.
    pub source: S,
    /// Entries left out (path in the old session, why), in the order met; below a left-out
    /// directory every entry is named too.
    pub skipped: Vec<Problem>,
}

/// Reads the session at `start` from `src` into `tree` (normally a fresh one). Returns the
/// source back for content comparisons; entries that cannot be carried forward (see
/// [`import_checked`]) are logged as warnings.
pub fn import<S: SectorSource>(tree: &mut Tree, src: S, start: u32) -> Result<S, ReadError> {
    import_with(tree, src, start, Limits::default())
}

/// [`import`] with the reader's bounds set to `limits`.
pub fn import_with<S: SectorSource>(
    tree: &mut Tree,
    src: S,
    start: u32,
    limits: Limits,
) -> Result<S, ReadError> {
    let done = import_checked_with(tree, src, start, limits)?;
    for p in &done.skipped {
        log::warn!("previous session: {p}: not carried forward");
    }
    Ok(done.source)
}

/// [`import`], returning the entries it left out: names `extract` refuses
/// ([`crate::extract::safe_name`]: `..`, a `/` inside, ...), names longer than
/// [`MAX_NAME`] bytes, a second entry of a name already taken in its directory (two
/// directories of one name are merged: a lookup by name finds one path for both), and
/// everything below such a directory. An entry is only ever put into the directory that
/// holds it in the old session (its parent found by the walk, never by splitting its path
/// at '/').
pub fn import_checked<S: SectorSource>(
    tree: &mut Tree,
    src: S,
    start: u32,
) -> Result<Imported<S>, ReadError> {
    import_checked_with(tree, src, start, Limits::default())
}

/// [`import_checked`] with the reader's bounds set to `limits`.
pub fn import_checked_with<S: SectorSource>(
    tree: &mut Tree,
    src: S,
    start: u32,
    limits: Limits,
) -> Result<Imported<S>, ReadError> {
    let mut vol = Volume::open(src, start, None)?;
    vol.set_limits(limits);
    // The walk reads every directory once: in large batches, no file data.
    vol.batch_directory_reads();
    let root = vol.root().clone();
    tree.set_meta(Tree::ROOT, meta_of(&root, 0));
    // Only an import into a fresh tree can tell imported nodes by their ids.
    let fresh = tree.len() == 1;
    let mut prev = Previous {
        ns: vol.namespace(),
        imported: 0,
        dirs: HashMap::new(),
        jdirs: HashMap::new(),
        ino: vec![0],
        max_ino: 0,
    };
    let mut orphan = false;
    // The directories from the root to where the walk is (pre-order, depth first): their
    // paths and nodes (None: left out, and so is what it holds).
    let mut stack: Vec<(String, Option<NodeId>)> = vec![(String::new(), Some(Tree::ROOT))];
    let mut skipped: Vec<Problem> = Vec::new();
    let mut links: HashMap<u32, u32> = HashMap::new();
    let mut err: Option<ReadError> = None;
    // Files with a recorded MD5: (first block, index in the checksum array).
    let mut md5_at: Vec<(u32, u32)> = Vec::new();
    let mut names = NameIndex::default();
    vol.walk(&root, &mut |path, e| {
        let parent = path
            .len()
            .checked_sub(e.name.len())
            .and_then(|n| path.get(..n))
            .map(|p| p.strip_suffix('/').unwrap_or(p))
            .unwrap_or("");
        // The walk is depth first, pre-order: the directory holding this entry is on the
        // stack, and everything above it there is a finished subtree of it.
        while stack.len() > 1 && stack.last().is_some_and(|(p, _)| p != parent) {
            stack.pop();
        }
        let skip = |skipped: &mut Vec<Problem>, reason: String| {
            skipped.push(Problem {
                path: path.to_string(),
                reason,
            })
        };
        let parent_node = match stack.last() {
            Some((p, node)) if p == parent => *node,
            // Not met before it: never guess (the root would be a move).
            _ => {
                orphan = true;
                skip(&mut skipped, "its directory was not met before it".into());
                if e.is_dir {
                    stack.push((path.to_string(), None));
                }
                return Ok(());
            }
        };
        let Some(p) = parent_node else {
            // Its directory was left out, and with it the directory holding that one.
            skip(&mut skipped, "inside a directory left out".into());
            if e.is_dir {
                stack.push((path.to_string(), None));
            }
            return Ok(());
        };
        let name = match safe_name(&e.name) {
            Ok(n) if n.len() > MAX_NAME => {
                if let Some(d) = prev.dirs.get_mut(&p) {
                    d.whole = false;
                }
                skip(
                    &mut skipped,
                    format!(
                        "a name of {} bytes (more than {MAX_NAME}, which no Linux file \
                         system, mkisofs or xorriso takes)",
                        n.len()
                    ),
                );
                if e.is_dir {
                    stack.push((path.to_string(), None));
                }
                return Ok(());
            }
            Ok(n) => n,
            Err(er) => {
                if let Some(d) = prev.dirs.get_mut(&p) {
                    d.whole = false;
                }
                skip(&mut skipped, er.to_string());
                if e.is_dir {
                    stack.push((path.to_string(), None));
                }
                return Ok(());
            }
        };
        let namesake = if fresh {
            names.find(tree, p, name.as_bytes())
        } else {
            tree.lookup(p, name.as_bytes())
        };
        if let Some(old) = namesake {
            let old_dir = matches!(tree.node(old).kind, Kind::Dir);
            // Either way the directory no longer holds what its extent lists.
            if let Some(d) = prev.dirs.get_mut(&p) {
                d.whole = false;
            }
            if let Some(d) = prev.dirs.get_mut(&old) {
                d.whole = false;
            }
            if !(old_dir && e.is_dir) {
                skip(
                    &mut skipped,
                    "a second entry of this name in its directory".into(),
                );
                if e.is_dir {
                    stack.push((path.to_string(), None));
                }
                return Ok(());
            }
        }
        let ft = e.mode.map(|m| m & mode::S_IFMT);
        let kind = if e.is_dir {
            Kind::Dir
        } else if let Some(t) = &e.symlink {
            Kind::Symlink(tree.intern(t.as_bytes()))
        } else if matches!(ft, Some(mode::S_IFCHR | mode::S_IFBLK)) {
            Kind::Device(e.rdev.unwrap_or(0))
        } else if ft == Some(mode::S_IFIFO) {
            Kind::Fifo
        } else if ft == Some(mode::S_IFSOCK) {
            Kind::Socket
        } else {
            // The extents must follow each other for one Data::Old to describe them.
            let mut expect = e.lba();
            for (i, &(l, n)) in e.extents.iter().enumerate() {
                let last = i + 1 == e.extents.len();
                if l != expect || (!last && !(n as usize).is_multiple_of(SECTOR)) {
                    err = Some(ReadError::Malformed {
                        what: "multi-extent file",
                        lba: l,
                        source: WireError::Invalid {
                            what: "multi-extent file",
                            detail: format!("{path}: extents are not contiguous"),
                        },
                    });
                    return Ok(());
                }
                expect = l + n / SECTOR as u32;
            }
            let lba = if e.size == 0 { 0 } else { e.lba() };
            if let (Some(i), true) = (e.md5_index, e.size > 0) {
                md5_at.push((lba, i));
            }
            Kind::File {
                size: e.size,
                data: Data::Old { lba },
            }
        };
        let mut link = 0;
        if !e.is_dir && e.nlink.unwrap_or(1) > 1 {
            if let Some(ino) = e.ino {
                link = *links.entry(ino).or_insert_with(|| tree.new_link_group());
            }
        }
        let meta = meta_of(e, link);
        let id = if fresh && namesake.is_none() {
            // No namesake (the index is complete for a fresh tree): no scan needed.
            let id = tree.push_child(p, name.as_bytes(), kind, meta);
            names.insert(tree, p, name.as_bytes(), id);
            id
        } else {
            tree.put_child(p, name.as_bytes(), kind, meta)
        };
        if fresh {
            if let Some(d) = prev.dirs.get_mut(&p) {
                d.entries += 1;
            }
            let ino = e.ino.unwrap_or(0);
            prev.max_ino = prev.max_ino.max(ino);
            let i = id as usize;
            if prev.ino.len() <= i {
                prev.ino.resize(i + 1, 0);
            }
            prev.ino[i] = ino;
            if e.is_dir && !prev.dirs.contains_key(&id) {
                prev.dirs.insert(
                    id,
                    OldDir {
                        lba: e.lba(),
                        size: e.extents.first().map_or(0, |x| x.1),
                        ident: e.ident.clone(),
                        entries: 0,
                        meta,
                        whole: true,
                    },
                );
            }
        }
        if e.is_dir {
            stack.push((path.to_string(), Some(id)));
        }
        Ok(())
    })?;
    if let Some(e) = err {
        return Err(e);
    }
    carry_md5(&mut vol, &root, &md5_at, tree);
    let mut src = vol.into_source();
    if fresh && !orphan {
        if prev.ns == Namespace::RockRidge {
            prev.jdirs = joliet_dirs(tree, &names, &mut src, start, limits);
        }
        prev.imported = tree.len() as u32;
        prev.ino.resize(tree.len(), 0);
        prev.max_ino = prev.max_ino.max(root.ino.unwrap_or(0));
        if let Some(i) = prev.ino.first_mut() {
            *i = root.ino.unwrap_or(0);
        }
        tree.previous = Some(Box::new(prev));
    }
    Ok(Imported {
        source: src,
        skipped,
    })
}

/// The Joliet directories of the session at `start`, each matched to the node of the same
/// path in `tree` (just imported through Rock Ridge): a Joliet name that is no node's name
/// (cut to 64 characters, say) marks its directory as not whole, so that it is written
/// again. A session without Joliet, or one whose Joliet tree does not read, gives none.
fn joliet_dirs<S: SectorSource>(
    tree: &Tree,
    names: &NameIndex,
    src: &mut S,
    start: u32,
    limits: Limits,
) -> HashMap<NodeId, OldDir> {
    let mut out: HashMap<NodeId, OldDir> = HashMap::new();
    let Ok(mut vol) = Volume::open(&mut *src, start, Some(Namespace::Joliet)) else {
        return out;
    };
    if vol.namespace() != Namespace::Joliet {
        return out;
    }
    vol.set_limits(limits);
    vol.batch_directory_reads();
    let root = vol.root().clone();
    // (Joliet path, node; None: not matched, and nothing below it is).
    let mut stack: Vec<(String, Option<NodeId>)> = vec![(String::new(), Some(Tree::ROOT))];
    let walked = vol.walk(&root, &mut |path, e| {
        let parent = path
            .len()
            .checked_sub(e.name.len())
            .and_then(|n| path.get(..n))
            .map(|p| p.strip_suffix('/').unwrap_or(p))
            .unwrap_or("");
        while stack.len() > 1 && stack.last().is_some_and(|(p, _)| p != parent) {
            stack.pop();
        }
        let p = match stack.last() {
            Some((pp, Some(n))) if pp == parent => *n,
            _ => {
                if e.is_dir {
                    stack.push((path.to_string(), None));
                }
                return Ok(());
            }
        };
        let node = names
            .find(tree, p, e.name.as_bytes())
            .filter(|&n| matches!(tree.node(n).kind, Kind::Dir) == e.is_dir);
        match out.get_mut(&p) {
            Some(d) if node.is_some() => d.entries += 1,
            Some(d) => d.whole = false,
            None => {}
        }
        if e.is_dir {
            if let Some(n) = node {
                out.insert(
                    n,
                    OldDir {
                        lba: e.lba(),
                        size: e.extents.first().map_or(0, |x| x.1),
                        ident: e.ident.clone(),
                        entries: 0,
                        meta: tree.node(n).meta,
                        whole: true,
                    },
                );
            }
            stack.push((path.to_string(), node));
        }
        Ok(())
    });
    if let Err(e) = walked {
        log::debug!("previous session's Joliet tree: {e}: written whole");
        out.clear();
    }
    out
}
