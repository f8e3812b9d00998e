//! Sessions that cost what changed: a later session points at the directories of the
//! previous one that did not change instead of writing them again (ECMA-119 §6.8.2
//! directory structure, §9.1 directory records, §6.9/§9.4 path tables; RRIP 1.12 §4.1.1 PX,
//! §4.1.5 CL/PL/RE; SUSP 1.12 §5.1 CE, §5.3 SP, §5.5 ER).
//!
//! # What a reused directory extent must satisfy
//!
//! A directory's extent refers to three places only (ECMA-119 §6.8.2.2, §9.1): its own
//! extent (the "." record), its parent's (the ".." record) and its entries'. The entries
//! are the point of reusing it: they must be exactly the entries of the new tree. "." does
//! not move. ".." is the question: §6.8.2.2 says the second record identifies the parent.
//! The root is always written anew (the new volume descriptors point at it, and its "."
//! record carries SUSP's SP and ER, SUSP §5.3), and a change anywhere rewrites every
//! ancestor (their records of the changed child move), so requiring an exact ".." would
//! cascade from the root to every directory and nothing could ever be reused. The rule we
//! take instead: **whole unchanged subtrees are reused, and the reused directories whose
//! parent was rewritten (the frontier) keep a ".." that points at their parent's previous
//! extent** — the same directory as the previous session recorded it, still on the medium.
//! Inside a reused subtree every ".." is exact. What reads ".." from the record:
//!
//! - Linux isofs: readdir reports ".." with the parent dentry's inode, lookups of ".." are
//!   the VFS's (dcache); only the NFS export hook (`isofs_export_get_parent`, i.e.
//!   exporting a mounted disc or `open_by_handle_at`) reads the ".." record: there it finds
//!   the parent as of the previous session.
//! - libisofs (xorriso), libarchive (bsdtar), 7-Zip and isoinfo skip the first two records
//!   of a directory (isoinfo `-l` prints them, with their extents).
//! - Our reader takes a directory's Rock Ridge attributes from its "." record: a directory
//!   whose attributes changed is rewritten (so is one whose entry count, names or entries
//!   changed).
//!
//! Rock Ridge: a reused directory's records keep their continuation areas (SUSP CE) where
//! the previous session wrote them; the volume space size of a later session is S plus its
//! blocks (see [`super::VolumeSpace`]), so every earlier block lies inside it and the Linux
//! kernel keeps Rock Ridge for them. The PX serial numbers recorded in reused directories
//! cannot change, and xorriso (`-hardlinks on`) and libarchive take equal serial numbers for
//! one file: so when anything is reused, every imported node keeps the serial number the
//! previous session gave it and new nodes get numbers above the largest of them. A reused
//! record's PX link count must stay true: a directory's (2 + subdirectories) is when its
//! entries are; a hard-linked file's may not be, so directories holding hard links are
//! rewritten. Relocation (RRIP §4.1.5): a reused directory holds no CL placeholder and is no
//! relocated directory (RE, PL); directories deeper than 8 levels (where relocation
//! happens, in the previous session or this one) are never reused.
//!
//! Path tables (§6.9) are written anew; they list every directory, those inside reused
//! subtrees too, with its extent and the identifier its parent's record holds, in the order
//! of §9.4.  A directory is reused only if the identifiers computed now for its
//! subdirectories are the ones recorded in it, so the path table repeats the records.
//!
//! The ISO 9660:1999 tree of this builder is the primary one (the enhanced descriptor points
//! at the same directories), so it is reused alike. The Joliet tree is reused by the same
//! rules (it has no "." attributes, no Rock Ridge and no relocation, and no depth limit):
//! the import reads the previous Joliet tree too and matches each Joliet directory to the
//! node of the same path; a Joliet name that is no node's name (cut to 64 characters) keeps
//! its directory, and so its ancestors, from being reused.
//!
//! Only a previous session read through Rock Ridge is reused into a Rock Ridge session, and
//! one read as plain ISO 9660 into a session without Rock Ridge; with translation tables,
//! `-partition_offset`'s second tree or [`super::Options::rewrite_all_dirs`], everything is
//! written as before.
//!
//! MD5 checksums (libisofs `isofs.cx`): a reused record keeps the index it had, so a
//! session with checksums keeps the previous session's indexes and its array entries (see
//! `sums`); when that array could not be read, nothing is reused.

use super::layout::{Target, View};
use super::Image;
use std::collections::HashMap;

use crate::merge::{OldDir, Previous};
use crate::read::Namespace;
use crate::tree::{Data, Kind, NodeId, Tree};

/// The deepest directory level (root = 1) that is reused: RRIP relocation starts below it.
const MAX_REUSED_DEPTH: u32 = 8;

impl Image {
    /// Whether directories of the previous session may be reused at all.
    fn reuse_allowed(&self, prev: &Previous) -> bool {
        let md5_blocked = self.opts.md5 && self.tree.old_md5_unusable;
        !self.opts.rewrite_all_dirs
            && !md5_blocked
            && self.opts.trans_table.is_none()
            && self.opts.system_area.partition_offset == 0
            && match prev.ns {
                Namespace::RockRidge => self.rr(),
                Namespace::Iso9660 => !self.rr(),
                Namespace::Joliet | Namespace::Iso1999 => false,
            }
    }

    /// The directories (by node) that will keep the previous session's extent in the ISO
    /// 9660 view (`joliet` false) or the Joliet view, decided from the tree and what the
    /// import recorded before the view is built (empty when none): by the rules of
    /// [`plan_view`], with the tree's depth (stricter than the view's below a relocated
    /// directory). The view then takes such a directory's entries without working out
    /// their identifiers (its records are never written again): its subdirectories take the
    /// identifiers its records hold, which is what the path table must repeat. Without
    /// this, building the views cost as much as the whole old tree (identifiers and sorting
    /// of 80,000 names for an append of a few). [`Image::plan_reuse`] decides again on the
    /// built view; `build_views` checks that it kept every one of these.
    pub(super) fn reusable_dirs(&self, joliet: bool, is_reloc: &[bool]) -> Vec<bool> {
        let Some(prev) = self.tree.previous.as_deref() else {
            return Vec::new();
        };
        if !self.reuse_allowed(prev) || (joliet && prev.jdirs.is_empty()) {
            return Vec::new();
        }
        let old_dirs = if joliet { &prev.jdirs } else { &prev.dirs };
        let max_depth = if joliet { u32::MAX } else { MAX_REUSED_DEPTH };
        let imported = prev.imported;
        let special = |c: NodeId| {
            Some(c) == self.catalog_node || self.boot_nodes.iter().any(|(b, _)| *b == Some(c))
        };
        let visible = |c: NodeId| {
            let n = self.tree.node(c);
            !n.dead && if joliet { !n.hide_joliet } else { !n.hide_iso }
        };
        let mut keep = vec![false; self.tree.len()];
        // Post-order over the visible directories (children decided before their parent).
        let mut stack: Vec<(NodeId, u32, bool)> = vec![(Tree::ROOT, 1, false)];
        while let Some((d, depth, done)) = stack.pop() {
            if !done {
                stack.push((d, depth, true));
                for &c in self.tree.children(d) {
                    if self.is_dir(c) && visible(c) {
                        stack.push((c, depth + 1, false));
                    }
                }
                continue;
            }
            if d == Tree::ROOT || d >= imported || depth > max_depth {
                continue;
            }
            if !joliet && is_reloc.get(d as usize).copied().unwrap_or(true) {
                continue;
            }
            let Some(old) = old_dirs.get(&d) else {
                continue;
            };
            if !old.whole || old.meta != self.tree.node(d).meta {
                continue;
            }
            let mut count = 0u32;
            let ok = self.tree.children(d).iter().all(|&c| {
                if !visible(c) {
                    return true;
                }
                count += 1;
                if self.is_dir(c) {
                    keep[c as usize] && old_dirs.contains_key(&c)
                } else {
                    let nd = self.tree.node(c);
                    c < imported
                        && !special(c)
                        && nd.meta.link == 0
                        && !matches!(
                            nd.kind,
                            Kind::File {
                                data: Data::Path(_) | Data::Blob(_),
                                ..
                            }
                        )
                }
            });
            keep[d as usize] = ok && count == old.entries;
        }
        keep
    }

    /// The identifier the previous session's records give directory `node` in the ISO 9660
    /// (`joliet` false) or Joliet tree.
    pub(super) fn old_ident(&self, node: NodeId, joliet: bool) -> &[u8] {
        self.tree
            .previous
            .as_deref()
            .and_then(|p| if joliet { &p.jdirs } else { &p.dirs }.get(&node))
            .map_or(&[][..], |o| &o.ident[..])
    }

    /// Decides which directories of the ISO 9660 view keep the previous session's extent,
    /// and gives those their old address and size.
    pub(super) fn plan_reuse(&mut self) {
        let Some(prev) = self.tree.previous.as_deref() else {
            return;
        };
        if !self.reuse_allowed(prev) {
            return;
        }
        let keep = plan_view(self, &self.iso, &prev.dirs, prev.imported, MAX_REUSED_DEPTH);
        let jkeep = self
            .joliet
            .as_ref()
            .map(|j| plan_view(self, j, &prev.jdirs, prev.imported, u32::MAX));
        let apply = |view: &mut View, keep: Vec<bool>, dirs: &HashMap<NodeId, OldDir>| {
            if !keep.iter().any(|&k| k) {
                return;
            }
            for (k, d) in view.dirs.iter_mut().enumerate() {
                if !keep[k] {
                    continue;
                }
                if let Some(old) = d.node.and_then(|n| dirs.get(&n)) {
                    d.lba = old.lba;
                    d.size = old.size;
                }
            }
            view.keep = keep;
        };
        let Some(prev) = self.tree.previous.take() else {
            return;
        };
        apply(&mut self.iso, keep, &prev.dirs);
        if let (Some(j), Some(k)) = (self.joliet.as_mut(), jkeep) {
            apply(j, k, &prev.jdirs);
        }
        self.tree.previous = Some(prev);
    }

    /// The serial number an imported node had, when something is reused (0: none).
    pub(super) fn old_ino(&self, id: NodeId) -> u32 {
        match self.tree.previous.as_deref() {
            Some(p) if self.iso.keep.iter().any(|&k| k) && id < p.imported => {
                p.ino.get(id as usize).copied().unwrap_or(0)
            }
            _ => 0,
        }
    }

    /// The first serial number for new nodes when something is reused.
    pub(super) fn first_new_ino(&self) -> u32 {
        match self.tree.previous.as_deref() {
            Some(p) if self.iso.keep.iter().any(|&k| k) => p.max_ino.saturating_add(1),
            _ => 1,
        }
    }
}

/// Which directories of `view` can keep their previous extent: decided from the leaves up
/// (children have higher indices than their parents: the view is numbered breadth first).
fn plan_view(
    img: &Image,
    view: &View,
    old_dirs: &HashMap<NodeId, OldDir>,
    imported: NodeId,
    max_depth: u32,
) -> Vec<bool> {
    let n = view.dirs.len();
    let mut depth = vec![1u32; n];
    for k in 1..n {
        depth[k] = depth[view.dirs[k].parent as usize] + 1;
    }
    let special = |c: NodeId| {
        Some(c) == img.catalog_node || img.boot_nodes.iter().any(|(b, _)| *b == Some(c))
    };
    let mut keep = vec![false; n];
    for k in (1..n).rev() {
        let d = &view.dirs[k];
        let Some(node) = d.node else { continue };
        if d.orig_parent.is_some() || depth[k] > max_depth || node >= imported {
            continue;
        }
        let Some(old) = old_dirs.get(&node) else {
            continue;
        };
        if !old.whole
            || old.meta != img.tree.node(node).meta
            || d.entries.len() != old.entries as usize
        {
            continue;
        }
        let ok = d.entries.iter().all(|e| match e.target() {
            Target::Node(c) => {
                let nd = img.tree.node(c);
                c < imported
                    && !special(c)
                    && nd.meta.link == 0
                    && !matches!(
                        nd.kind,
                        Kind::File {
                            data: Data::Path(_) | Data::Blob(_),
                            ..
                        }
                    )
            }
            Target::Dir(c) => {
                let sub = &view.dirs[c as usize];
                keep[c as usize]
                    && sub
                        .node
                        .and_then(|s| old_dirs.get(&s))
                        .is_some_and(|o| o.ident == view.ident(e))
            }
            Target::Placeholder(_) | Target::Relocated(_) => false,
        });
        keep[k] = ok;
    }
    keep
}
