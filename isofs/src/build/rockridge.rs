//! Rock Ridge in the image: the SUSP/RRIP entries of each directory record (RRIP 1.12 §4.1:
//! PX, TF, NM, SL, PN; §4.1.5 CL, PL, RE; SUSP 1.12 §5.3 SP, §5.5 ER) and their continuation
//! areas (SUSP §5.1 CE).

use super::layout::{Target, VEnt, View};
use super::{blocks, Image, RockRidge};
use crate::tree::{mode, Kind, NodeId};
use crate::wire::susp;
use crate::SECTOR;

/// Cursor allocating Rock Ridge continuation areas; never lets one cross a block.
#[derive(Debug, Default)]
pub(super) struct CeArea {
    pub(super) base: u32,
    pub(super) off: usize,
    pub(super) bytes: Vec<u8>,
    pub(super) record: bool,
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
    pub(super) fn blocks(&self) -> u32 {
        blocks(self.off as u64) as u32
    }
}

/// Splits SUSP entries between the directory record (`room` bytes) and chained
/// continuation areas; returns the bytes for the record.
pub(super) fn pack_su(entries: &[Vec<u8>], room: usize, ce: &mut CeArea) -> Vec<u8> {
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
pub(super) enum Rec {
    Dot,
    DotDot,
    Entry,
}

impl Image {
    pub(super) fn rr_mode(&self, id: NodeId) -> u32 {
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

    pub(super) fn rr_basic(&self, id: NodeId, out: &mut Vec<Vec<u8>>) {
        let node = self.tree.node(id);
        let (uid, gid) = match self.opts.rock_ridge {
            Some(RockRidge::Rationalized) => (0, 0),
            _ => (node.meta.uid, node.meta.gid),
        };
        out.push(susp::px(
            self.rr_mode(id),
            self.nlink_of(id),
            uid,
            gid,
            self.ino[id as usize],
        ));
        out.push(susp::tf(node.meta.mtime, node.meta.atime, node.meta.ctime));
    }

    /// SUSP/RRIP entries of one record.
    pub(super) fn rr_entries(
        &self,
        view: &View,
        dir: usize,
        rec: Rec,
        ent: Option<&VEnt>,
    ) -> Vec<Vec<u8>> {
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
                    if let Some(al) = self.md5_al_root() {
                        out.extend(al);
                    }
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
                let node = match e.target() {
                    Target::Node(n) | Target::Placeholder(n) => Some(n),
                    Target::Dir(k) | Target::Relocated(k) => view.dirs[k as usize].node,
                };
                let Some(n) = node else {
                    // The relocation directory itself carries RE, as libisofs writes it:
                    // readers that follow Rock Ridge (Linux, libisofs, libarchive) then
                    // leave it out of the tree, where it has no place (RRIP §4.1.5.3 lets
                    // RE mark a directory that is not where it belongs).
                    self.rr_synthetic_dir(&mut out);
                    out.extend(susp::nm(self.opts.rr_moved.as_bytes()));
                    out.push(susp::re());
                    return out;
                };
                self.rr_basic(n, &mut out);
                out.extend(susp::nm(self.tree.name(n)));
                match &self.tree.node(n).kind {
                    Kind::Symlink(t) => out.extend(susp::sl(self.tree.span(*t))),
                    Kind::Device(r) => out.push(susp::pn(*r)),
                    Kind::File { .. } => out.extend(self.md5_al_file(n).unwrap_or_default()),
                    _ => {}
                }
                match e.target() {
                    Target::Placeholder(c) => {
                        let k = view.dir_index(c);
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

    pub(super) fn rr_synthetic_dir(&self, out: &mut Vec<Vec<u8>>) {
        out.push(susp::px(mode::S_IFDIR | 0o555, 2, 0, 0, 0));
        out.push(susp::tf(self.date, self.date, self.date));
    }
}
