//! MD5 checksums recorded in the session as libisofs records them (`-md5 on`, xorrisofs
//! `--md5`; libisofs `doc/checksums.txt`, AAIP `isofs.ca`/`isofs.cx` of
//! `doc/susp_aaip_isofs_names.txt`): where the superblock, tree and session tags and the
//! checksum array go, which file gets which index, and the sink that hashes the session as
//! it is written.
//!
//! Layout (S the session start): the superblock tag right after the volume descriptor set
//! terminator (covering S..tag), the tree tag right after the last directory (covering
//! S..tag), then the file data, the checksum array (its entry 0 covers S..array), and the
//! session tag right after the array (covering S..tag); padding and appended partitions
//! follow, outside every range, as with libisofs.

use std::collections::HashMap;
use std::io::{self, Write};

use super::filedata::Sink;
use super::{BuildError, Image};
use crate::checksum::{self, Running, Tag, TagKind, EMPTY_MD5};
use crate::tree::{Data, Kind, NodeId};
use crate::wire::aaip::{self, ChecksumArray};

/// Where the checksum blocks lie and the index of every file.
#[derive(Debug, Clone, Default)]
pub(super) struct Plan {
    /// Block of the superblock tag.
    pub(super) sb_tag: u32,
    /// Block of the tree tag.
    pub(super) tree_tag: u32,
    /// First block of the checksum array.
    pub(super) array: u32,
    /// Block of the session tag.
    pub(super) session_tag: u32,
    /// Per node: its index in the array (0: none).
    pub(super) index: Vec<u32>,
    /// Files in the array (N; the array holds N + 2 entries).
    pub(super) files: u32,
    /// Per index 1..=N (at [i - 1]): the MD5 when known before writing (files kept from
    /// the previous session, empty files), else a node whose data the writer hashes.
    pub(super) known: Vec<Known>,
}

/// Where the MD5 of one array entry comes from.
#[derive(Debug, Clone, Copy)]
pub(super) enum Known {
    /// Known before writing.
    Md5([u8; 16]),
    /// Hashed as this node's data is written.
    Written(NodeId),
}

impl Image {
    /// Gives every file that will have a checksum its index: the previous session's files
    /// keep theirs, the others get new ones in node order (the order of the array is free):
    /// files whose data this session writes (hard links sharing one
    /// index), empty files, and files kept from the previous session whose MD5 is known
    /// (recorded there, or found by the content comparison). A kept file without a known
    /// MD5 gets none: it is not read again to invent one. Runs before the layout, which
    /// needs to know which records carry an AL entry.
    pub(super) fn plan_md5_indexes(&mut self) {
        let Some(mut plan) = self.md5.take() else {
            return;
        };
        let n = self.tree.len();
        plan.index = vec![0; n];
        plan.known.clear();
        // The previous session's indexes stay what they were: reused directories hold
        // them (see `reuse`). Its entries fill their slots; new files come after.
        plan.known = self
            .tree
            .old_md5_array
            .iter()
            .map(|&m| Known::Md5(m))
            .collect();
        let mut by_old: HashMap<u32, u32> = self.tree.old_md5_index.clone();
        let mut by_link: HashMap<u32, u32> = HashMap::new();
        // Only what the tree reaches: a removed directory's children are not dead
        // themselves, only cut off.
        let mut reach: Vec<NodeId> = Vec::new();
        let mut stack = vec![crate::tree::Tree::ROOT];
        while let Some(d) = stack.pop() {
            for &c in self.tree.children(d) {
                if self.tree.node(c).dead {
                    continue;
                }
                if matches!(self.tree.node(c).kind, Kind::Dir) {
                    stack.push(c);
                } else {
                    reach.push(c);
                }
            }
        }
        reach.sort_unstable();
        for id in reach {
            let node = self.tree.node(id);
            let invisible = node.hide_iso && (node.hide_joliet || !self.opts.joliet);
            if node.dead || invisible || Some(id) == self.catalog_node {
                continue;
            }
            let Kind::File { size, data } = &node.kind else {
                continue;
            };
            let i = if *size == 0 {
                plan.known.push(Known::Md5(EMPTY_MD5));
                plan.known.len() as u32
            } else if let Data::Old { lba } = data {
                match (by_old.get(lba), self.tree.old_md5.get(lba)) {
                    (Some(&i), _) => i,
                    (None, Some(m)) => {
                        plan.known.push(Known::Md5(*m));
                        let i = plan.known.len() as u32;
                        by_old.insert(*lba, i);
                        i
                    }
                    (None, None) => 0,
                }
            } else {
                let g = node.meta.link;
                match by_link.get(&g) {
                    Some(&i) if g != 0 => i,
                    _ => {
                        plan.known.push(Known::Written(id));
                        let i = plan.known.len() as u32;
                        if g != 0 {
                            by_link.insert(g, i);
                        }
                        i
                    }
                }
            };
            plan.index[id as usize] = i;
        }
        plan.files = plan.known.len() as u32;
        self.md5 = Some(plan);
    }

    /// The AL entry of a file's record (`isofs.cx`), when it has a checksum.
    pub(super) fn md5_al_file(&self, id: NodeId) -> Option<Vec<Vec<u8>>> {
        let plan = self.md5.as_ref()?;
        let i = *plan.index.get(id as usize)?;
        (i != 0).then(|| aaip::al(&[(aaip::CX, &aaip::cx_value(i))]))
    }

    /// The AL entry of the root's "." record (`isofs.ca`).
    pub(super) fn md5_al_root(&self) -> Option<Vec<Vec<u8>>> {
        let plan = self.md5.as_ref()?;
        let ca = ChecksumArray {
            start: self.start,
            end: plan.array,
            count: plan.files + 2,
            size: 16,
            kind: "MD5".into(),
        };
        Some(aaip::al(&[(aaip::CA, &ca.value())]))
    }

    /// The tag of `kind`, over the session so far.
    pub(super) fn md5_tag(&self, kind: TagKind, run: &Running) -> Option<Vec<u8>> {
        let plan = self.md5.as_ref()?;
        let (pos, next) = match kind {
            TagKind::Superblock => (plan.sb_tag, Some(plan.tree_tag)),
            TagKind::Tree => (plan.tree_tag, Some(plan.session_tag)),
            _ => (plan.session_tag, None),
        };
        Some(
            Tag {
                kind,
                pos,
                range_start: self.start,
                range_size: pos - self.start,
                next,
                session_start: None,
                md5: run.digest(),
            }
            .encode(),
        )
    }

    /// The checksum array, from the digests of the files written (`written`, by node).
    pub(super) fn md5_array(
        &self,
        run: &Running,
        written: &HashMap<NodeId, [u8; 16]>,
    ) -> Result<Option<Vec<u8>>, BuildError> {
        let Some(plan) = self.md5.as_ref() else {
            return Ok(None);
        };
        // By extent: a hard link's data is hashed once, under whichever link was written.
        let by_lba: HashMap<u32, [u8; 16]> = written
            .iter()
            .map(|(&id, &d)| (self.data_lba[id as usize], d))
            .collect();
        let mut files = Vec::with_capacity(plan.known.len());
        for k in &plan.known {
            files.push(match *k {
                Known::Md5(m) => m,
                Known::Written(id) => {
                    *by_lba
                        .get(&self.data_lba[id as usize])
                        .ok_or_else(|| BuildError::Source {
                            path: self.path_of(id),
                            source: io::Error::other(
                                "its MD5 was not computed while it was written",
                            ),
                        })?
                }
            });
        }
        Ok(Some(checksum::array_bytes(run.digest(), &files)))
    }
}

/// The session's sink, hashing every byte when checksums are recorded. File data then
/// always comes through user space (no file-to-file copies: the bytes must be seen).
pub(super) struct Hashed<'a, W: Sink> {
    pub(super) inner: &'a mut W,
    pub(super) run: Option<Running>,
}

impl<W: Sink> Hashed<'_, W> {
    /// The running digest (an empty one when not hashing).
    pub(super) fn running(&self) -> Running {
        self.run.clone().unwrap_or_default()
    }
}

impl<W: Sink> Write for Hashed<'_, W> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(b)?;
        if let Some(r) = self.run.as_mut() {
            r.update(&b[..n]);
        }
        Ok(n)
    }
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        self.inner.write_all(b)?;
        if let Some(r) = self.run.as_mut() {
            r.update(b);
        }
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Sink> Sink for Hashed<'_, W> {
    fn direct(&self) -> bool {
        self.run.is_none() && self.inner.direct()
    }
    fn copy_file(&mut self, f: &mut std::fs::File, len: u64) -> io::Result<u64> {
        if self.run.is_some() {
            // Not reached (direct() is false when hashing); copied through the hash.
            return io::copy(&mut std::io::Read::take(f, len), self);
        }
        self.inner.copy_file(f, len)
    }
}
