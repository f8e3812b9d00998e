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

use crate::read::{Entry, ReadError, Volume};
use crate::tree::{mode, Data, Kind, Meta, NodeId, Tree};
use crate::wire::WireError;
use crate::{SectorSource, SECTOR};

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

/// Reads the session at `start` from `src` into `tree` (normally a fresh one). Returns the
/// source back for content comparisons, and the volume's namespace.
pub fn import<S: SectorSource>(tree: &mut Tree, src: S, start: u32) -> Result<S, ReadError> {
    let mut vol = Volume::open(src, start, None)?;
    let root = vol.root().clone();
    tree.node_mut(Tree::ROOT).meta = meta_of(&root, 0);
    let mut dirs: HashMap<String, NodeId> = HashMap::new();
    dirs.insert(String::new(), Tree::ROOT);
    let mut links: HashMap<u32, u32> = HashMap::new();
    let mut err: Option<ReadError> = None;
    vol.walk(&root, &mut |path, e| {
        let (parent, name) = match path.rfind('/') {
            Some(i) => (&path[..i], &path[i + 1..]),
            None => ("", path),
        };
        let Some(&p) = dirs.get(parent) else {
            return Ok(());
        };
        if name.is_empty() || name == "." || name == ".." {
            return Ok(());
        }
        let ft = e.mode.map(|m| m & mode::S_IFMT);
        let kind = if e.is_dir {
            Kind::Dir(Vec::new())
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
        let id = tree.put_child(p, name.as_bytes(), kind, meta_of(e, link));
        if e.is_dir {
            dirs.insert(path.to_string(), id);
        }
        Ok(())
    })?;
    if let Some(e) = err {
        return Err(e);
    }
    Ok(vol.into_source())
}
