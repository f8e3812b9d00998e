//! Layout: the ISO 9660 and Joliet directory trees as they go into the image (ECMA-119
//! §9.3 record order, §6.8.2.1 depth with RRIP §4.1.5 relocation, §9.4 path table order),
//! inode numbers and link counts (RRIP §4.1.1 PX), and the block address of every part of
//! the session (ECMA-119 §6).

use std::collections::HashMap;

use super::rockridge::CeArea;
use super::{blocks, BuildError, Image, MAX_EXTENT};
use crate::names::{iso_identifiers, joliet_identifiers, IsoNameRules, JolietRules};
use crate::tree::{Data, Kind, NodeId, Tree};
use crate::wire::ptable;

/// A directory entry in one of the image's directory trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// A file, link or special file (or a directory in the Joliet tree: see `Dir`).
    Node(NodeId),
    /// A subdirectory (index into the view's dirs).
    Dir(u32),
    /// RRIP §4.1.5.1: stands in for a relocated directory (node), records CL.
    Placeholder(NodeId),
    /// RRIP §4.1.5.3: a relocated directory inside rr_moved, records RE.
    Relocated(u32),
}

/// One entry of a directory in a view: its identifier (in the view's identifier buffer,
/// [`View::ident`]) and what it points at ([`VEnt::target`]). 12 bytes and no allocation
/// of its own: a view of 200,000 entries holds them in two buffers.
#[derive(Debug, Clone)]
pub(super) struct VEnt {
    /// Start of the identifier in [`View::names`].
    at: u32,
    /// The target's node or directory index.
    to: u32,
    /// The identifier's length in bytes (at most 255, ECMA-119 §9.1.10).
    len: u8,
    /// Which [`Target`] (0 node, 1 dir, 2 placeholder, 3 relocated).
    kind: u8,
}

impl VEnt {
    /// What the entry points at.
    pub(super) fn target(&self) -> Target {
        match self.kind {
            0 => Target::Node(self.to),
            1 => Target::Dir(self.to),
            2 => Target::Placeholder(self.to),
            _ => Target::Relocated(self.to),
        }
    }

    fn set_target(&mut self, t: Target) {
        (self.kind, self.to) = match t {
            Target::Node(n) => (0, n),
            Target::Dir(k) => (1, k),
            Target::Placeholder(n) => (2, n),
            Target::Relocated(k) => (3, k),
        };
    }
}

#[derive(Debug, Clone)]
pub(super) struct VDir {
    pub(super) node: Option<NodeId>,
    pub(super) parent: u32,
    pub(super) ident: Vec<u8>,
    pub(super) entries: Vec<VEnt>,
    pub(super) lba: u32,
    pub(super) size: u32,
    /// For a relocated directory: the view index of its original parent (PL).
    pub(super) orig_parent: Option<u32>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct View {
    pub(super) dirs: Vec<VDir>,
    /// Node -> dir index ([`View::dir_index`]).
    dir_of: HashMap<NodeId, u32>,
    pub(super) pt_size: u32,
    pub(super) pt_l: u32,
    pub(super) pt_m: u32,
    /// Per directory: it keeps the previous session's extent (see `reuse`); empty when
    /// every directory is written.
    pub(super) keep: Vec<bool>,
    /// The identifiers of every entry, one after the other.
    names: Vec<u8>,
}

impl View {
    /// The index in `dirs` of the directory of node `n` (u32::MAX when it has none).
    pub(super) fn dir_index(&self, n: NodeId) -> u32 {
        self.dir_of.get(&n).copied().unwrap_or(u32::MAX)
    }

    /// The identifier of entry `e`.
    pub(super) fn ident(&self, e: &VEnt) -> &[u8] {
        let at = e.at as usize;
        self.names.get(at..at + usize::from(e.len)).unwrap_or(&[])
    }

    /// An entry with identifier `ident` (cut to 255 bytes, more than any rule makes).
    fn entry(&mut self, ident: &[u8], target: Target) -> VEnt {
        let ident = &ident[..ident.len().min(255)];
        let at = self.names.len() as u32;
        self.names.extend_from_slice(ident);
        let mut e = VEnt {
            at,
            to: 0,
            len: ident.len() as u8,
            kind: 0,
        };
        e.set_target(target);
        e
    }

    /// Whether directory `k` keeps the previous session's extent (and is not written).
    pub(super) fn kept(&self, k: usize) -> bool {
        self.keep.get(k).copied().unwrap_or(false)
    }
}

/// The second volume descriptor set and directory tree of `-partition_offset`: the same
/// directories again, every address relative to the partition start, so that the first
/// partition holds a file system of its own (libisofs writes it after the first tree).
#[derive(Debug, Clone, Default)]
pub(super) struct OffsetTree {
    /// The partition offset in blocks (subtracted from every address).
    pub(super) shift: u32,
    /// Absolute block of its primary volume descriptor (shift + 16).
    pub(super) vd_lba: u32,
    /// The ISO 9660 directories, relative addresses.
    pub(super) iso: View,
    /// The Joliet directories, relative addresses.
    pub(super) joliet: Option<View>,
    /// Relative block of its Rock Ridge continuation area.
    pub(super) ce_lba: u32,
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

impl Image {
    pub(super) fn check_sizes(&self) -> Result<(), BuildError> {
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

    pub(super) fn iso_rules(&self) -> IsoNameRules {
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
    pub(super) fn visible_children(&self, dir: NodeId, joliet: bool) -> Vec<NodeId> {
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

    pub(super) fn build_views(&mut self) {
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
        let pre = self.reusable_dirs(false, &is_reloc);
        self.iso = self.build_view(false, &is_reloc, &relocated, &pre);
        let no_reloc = vec![false; n];
        let jpre = if self.opts.joliet {
            let jpre = self.reusable_dirs(true, &no_reloc);
            self.joliet = Some(self.build_view(true, &no_reloc, &[], &jpre));
            jpre
        } else {
            Vec::new()
        };
        self.plan_reuse();
        // Every directory taken as reused must be (see `reusable_dirs`); should the plan
        // differ, the views are built again in full.
        let missed = |v: &View, pre: &[bool]| {
            v.dirs.iter().enumerate().any(|(k, d)| {
                d.node
                    .is_some_and(|x| pre.get(x as usize).copied().unwrap_or(false))
                    && !v.kept(k)
            })
        };
        if missed(&self.iso, &pre) || self.joliet.as_ref().is_some_and(|j| missed(j, &jpre)) {
            log::debug!("reused directories: the plan differs from the views; built again");
            self.iso = self.build_view(false, &is_reloc, &relocated, &[]);
            if self.opts.joliet {
                self.joliet = Some(self.build_view(true, &no_reloc, &[], &[]));
            }
            self.plan_reuse();
        }
    }

    pub(super) fn idents(
        &self,
        kids: &[NodeId],
        joliet: bool,
        extra: Option<&str>,
    ) -> Vec<Vec<u8>> {
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
                utf16: self.opts.joliet_utf16,
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

    /// The ISO 9660 (`joliet` false) or Joliet view; the directories `reused` marks (by
    /// node, see `reusable_dirs`) get entries without identifiers of their own.
    pub(super) fn build_view(
        &self,
        joliet: bool,
        is_reloc: &[bool],
        relocated: &[NodeId],
        reused: &[bool],
    ) -> View {
        let mut v = View {
            dir_of: HashMap::new(),
            ..View::default()
        };
        // Room for every identifier at once (ISO: the name and ";1" at most; Joliet: UCS-2
        // takes at most twice the UTF-8 bytes, and ";1"): one allocation that is never
        // copied, and pages never touched are never resident.
        let n = self.tree.len();
        v.names
            .reserve(self.tree.names_len() * (1 + usize::from(joliet)) + n * 4);
        v.dirs.push(VDir {
            node: Some(Tree::ROOT),
            parent: 0,
            ident: vec![0],
            entries: Vec::new(),
            lba: 0,
            size: 0,
            orig_parent: None,
        });
        v.dir_of.insert(Tree::ROOT, 0);
        let rr_moved_name = self.opts.rr_moved.clone();
        let mut i = 0usize;
        while i < v.dirs.len() {
            let node = v.dirs[i].node;
            let mut entries: Vec<VEnt> = Vec::new();
            match node {
                Some(d) if reused.get(d as usize).copied().unwrap_or(false) => {
                    // Kept as the previous session wrote it: only the subdirectories'
                    // identifiers matter (the path table), and its records hold them.
                    for &c in self.tree.children(d) {
                        let n = self.tree.node(c);
                        if n.dead || if joliet { n.hide_joliet } else { n.hide_iso } {
                            continue;
                        }
                        if self.is_dir(c) {
                            let ident = self.old_ident(c, joliet).to_vec();
                            entries.push(v.entry(&ident, Target::Dir(c)));
                        } else {
                            entries.push(v.entry(&[], Target::Node(c)));
                        }
                    }
                }
                Some(d) => {
                    let kids = self.visible_children(d, joliet);
                    entries.reserve_exact(kids.len() + 1);
                    let extra = (d == Tree::ROOT && !relocated.is_empty() && !joliet)
                        .then_some(rr_moved_name.as_str());
                    let ids = self.idents(&kids, joliet, extra);
                    for (c, ident) in kids.into_iter().zip(ids) {
                        let t = if self.is_dir(c) {
                            if is_reloc.get(c as usize).copied().unwrap_or(false) {
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
                                entries.push(v.entry(&ident, Target::Node(c)));
                                let last = entries.len() - 1;
                                entries[last].set_target(Target::Dir(c));
                                continue;
                            }
                            t => t,
                        };
                        entries.push(v.entry(&ident, t));
                    }
                    if extra.is_some() {
                        let ident = iso_identifiers(&self.iso_rules(), &[&rr_moved_name], &[true])
                            .remove(0);
                        entries.push(v.entry(&ident, Target::Relocated(u32::MAX)));
                    }
                }
                None => {
                    // The relocation directory: holds every relocated directory.
                    let ids = self.idents(relocated, false, None);
                    for (&c, ident) in relocated.iter().zip(ids) {
                        entries.push(v.entry(&ident, Target::Relocated(c)));
                    }
                }
            }
            if joliet {
                entries.sort_by(|a, b| v.ident(a).cmp(v.ident(b)));
            } else {
                entries.sort_by(|a, b| iso_cmp(v.ident(a), v.ident(b)));
            }
            // Create child dirs in sorted order (breadth-first numbering = path table order).
            for e in &mut entries {
                match e.target() {
                    Target::Dir(c) => {
                        let idx = v.dirs.len() as u32;
                        v.dirs.push(VDir {
                            node: Some(c),
                            parent: i as u32,
                            ident: v.ident(e).to_vec(),
                            entries: Vec::new(),
                            lba: 0,
                            size: 0,
                            orig_parent: None,
                        });
                        v.dir_of.insert(c, idx);
                        e.set_target(Target::Dir(idx));
                    }
                    Target::Relocated(u32::MAX) => {
                        // The rr_moved directory itself (in the root).
                        let idx = v.dirs.len() as u32;
                        v.dirs.push(VDir {
                            node: None,
                            parent: i as u32,
                            ident: v.ident(e).to_vec(),
                            entries: Vec::new(),
                            lba: 0,
                            size: 0,
                            orig_parent: None,
                        });
                        e.set_target(Target::Dir(idx));
                    }
                    Target::Relocated(c) => {
                        let idx = v.dirs.len() as u32;
                        let op = self.tree.node(c).parent;
                        v.dirs.push(VDir {
                            node: Some(c),
                            parent: i as u32,
                            ident: v.ident(e).to_vec(),
                            entries: Vec::new(),
                            lba: 0,
                            size: 0,
                            orig_parent: Some(op),
                        });
                        v.dir_of.insert(c, idx);
                        e.set_target(Target::Relocated(idx));
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
                v.dirs[k].orig_parent = Some(v.dir_index(op));
            }
        }
        v
    }

    pub(super) fn assign_inodes(&mut self) {
        let n = self.tree.len();
        self.ino = vec![0; n];
        self.nlink = HashMap::new();
        let mut group_ino: HashMap<u32, u32> = HashMap::new();
        let mut group_count: HashMap<u32, u32> = HashMap::new();
        let mut next = self.first_new_ino();
        // Depth first, children in name order: the order inode numbers go out in.
        let mut stack = vec![Tree::ROOT];
        while let Some(id) = stack.pop() {
            let is_dir = self.tree.is_dir(id);
            let kids = if is_dir {
                self.visible_children(id, false)
            } else {
                Vec::new()
            };
            for &c in kids.iter().rev() {
                stack.push(c);
            }
            let link = self.tree.meta(id).link;
            if link != 0 && !is_dir {
                *group_count.entry(link).or_insert(0) += 1;
                let old = self.old_ino(id);
                let ino = *group_ino.entry(link).or_insert_with(|| {
                    if old != 0 {
                        old
                    } else {
                        next += 1;
                        next - 1
                    }
                });
                self.ino[id as usize] = ino;
            } else {
                let old = self.old_ino(id);
                if old != 0 {
                    self.ino[id as usize] = old;
                } else {
                    self.ino[id as usize] = next;
                    next += 1;
                }
            }
            if is_dir {
                let sub = kids.iter().filter(|&&c| self.is_dir(c)).count();
                self.nlink.insert(id, 2 + sub as u32);
            }
        }
        for id in 0..n as NodeId {
            let link = self.tree.meta(id).link;
            if link != 0 && !self.is_dir(id) {
                let count = group_count.get(&link).copied().unwrap_or(1);
                if count != 1 {
                    self.nlink.insert(id, count);
                }
            }
        }
    }

    /// The link count of a node (RRIP §4.1.1 PX): directories 2 and their subdirectories,
    /// hard-linked files their group's size, everything else 1.
    pub(super) fn nlink_of(&self, id: NodeId) -> u32 {
        self.nlink.get(&id).copied().unwrap_or(1)
    }

    pub(super) fn layout(&mut self) -> Result<(), BuildError> {
        let s = u64::from(self.start);
        let mut lba: u64 = s + 16;
        lba += 1; // PVD
        if self.boot_record().is_some() || self.opts.boot.is_some() {
            lba += 1;
        }
        if self.opts.joliet {
            lba += 1;
        }
        if self.opts.iso_level >= 4 {
            lba += 1;
        }
        lba += 1; // terminator
        if let Some(p) = self.md5.as_mut() {
            p.sb_tag = lba as u32;
            lba += 1;
        }
        let p_off = self.opts.system_area.partition_offset;
        let mut second: Option<OffsetTree> = None;
        if p_off > 0 {
            if p_off < 16 {
                return Err(BuildError::Boot(format!(
                    "-partition_offset {p_off}: must be 0 or at least 16 (the partition holds a \
                     system area and volume descriptors of its own)"
                )));
            }
            if self.start != 0 {
                return Err(BuildError::Boot(
                    "-partition_offset cannot be used for a session that does not start at \
                     block 0"
                        .into(),
                ));
            }
            let vd = u64::from(p_off) + 16;
            // PVD, Joliet SVD, ISO 9660:1999 EVD, terminator (no boot record).
            lba = vd + 1 + u64::from(self.opts.joliet) + u64::from(self.opts.iso_level >= 4) + 1;
            second = Some(OffsetTree {
                shift: p_off,
                vd_lba: vd as u32,
                ..OffsetTree::default()
            });
        }
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
            if self.iso.kept(k) {
                continue;
            }
            let bytes = self.dir_bytes(false, k, &mut ce);
            self.iso.dirs[k].size = bytes.len() as u32;
        }
        for k in 0..self.iso.dirs.len() {
            if self.iso.kept(k) {
                continue;
            }
            self.iso.dirs[k].lba = lba as u32;
            lba += blocks(u64::from(self.iso.dirs[k].size));
        }
        self.ce_lba = lba as u32;
        self.ce_blocks = ce.blocks();
        lba += u64::from(self.ce_blocks);
        if self.joliet.is_some() {
            let nd = self.joliet.as_ref().map_or(0, |j| j.dirs.len());
            for k in 0..nd {
                if self.joliet.as_ref().is_some_and(|j| j.kept(k)) {
                    continue;
                }
                let bytes = self.dir_bytes(true, k, &mut CeArea::default());
                if let Some(j) = self.joliet.as_mut() {
                    j.dirs[k].size = bytes.len() as u32;
                }
            }
            if let Some(j) = self.joliet.as_mut() {
                for (k, d) in j.dirs.iter_mut().enumerate() {
                    if j.keep.get(k).copied().unwrap_or(false) {
                        continue;
                    }
                    d.lba = lba as u32;
                    lba += blocks(u64::from(d.size));
                }
            }
        }
        if let Some(sec) = second.as_mut() {
            let shift = u64::from(sec.shift);
            let mut iso = self.iso.clone();
            pt(&mut iso, &mut lba);
            let mut jol = self.joliet.clone();
            if let Some(j) = jol.as_mut() {
                pt(j, &mut lba);
            }
            for d in &mut iso.dirs {
                d.lba = (lba - shift) as u32;
                lba += blocks(u64::from(d.size));
            }
            sec.ce_lba = (lba - shift) as u32;
            lba += u64::from(self.ce_blocks);
            if let Some(j) = jol.as_mut() {
                for d in &mut j.dirs {
                    d.lba = (lba - shift) as u32;
                    lba += blocks(u64::from(d.size));
                }
            }
            for v in std::iter::once(&mut iso).chain(jol.as_mut()) {
                v.pt_l -= sec.shift;
                v.pt_m -= sec.shift;
            }
            sec.iso = iso;
            sec.joliet = jol;
        }
        self.offset_tree = second;
        if let Some(p) = self.md5.as_mut() {
            p.tree_tag = lba as u32;
            lba += 1;
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
                    Kind::Dir => stack.push(c),
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
        if let Some(p) = self.md5.as_mut() {
            p.array = lba as u32;
            lba += u64::from(crate::checksum::array_blocks(p.files as usize));
            p.session_tag = lba as u32;
            lba += 1;
        }
        lba = self.layout_hybrid(lba)?;
        if lba > u64::from(u32::MAX) {
            return Err(BuildError::VolumeTooLarge(lba));
        }
        self.total = (lba - s) as u32;
        self.plan_gpt();
        Ok(())
    }
}
