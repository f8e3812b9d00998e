//! Emitting a laid-out session front to back: system area, volume descriptors (ECMA-119
//! §8.4 primary, Joliet supplementary, §8.5 ISO 9660:1999 enhanced, El Torito boot record,
//! §8.3 terminator), path tables (§9.4), directory records (§9.1) and the Rock Ridge
//! continuation areas.

use std::io::Write;

use super::filedata::{Direct, Plain, Sink};
use super::layout::{Target, View};
use super::rockridge::{pack_su, CeArea, Rec};
use super::sums::Hashed;
use super::{BuildError, Image, VolumeSpace, MAX_EXTENT};
use crate::checksum::{Running, TagKind};
use crate::tree::{Kind, NodeId, Tree};
use crate::wire::dir::{flags, record_len, write_record};
use crate::wire::vd::{encode_boot_record, encode_terminator, VdFields, VdKind};
use crate::wire::{encode_date7, ptable};
use crate::SECTOR;

impl Image {
    pub(super) fn rec_date(&self, id: NodeId) -> [u8; 7] {
        encode_date7(self.tree.node(id).meta.mtime)
    }

    /// Bytes of directory `k` of the ISO (or Joliet) tree, padded to whole blocks.
    pub(super) fn dir_bytes(&self, joliet: bool, k: usize, ce: &mut CeArea) -> Vec<u8> {
        let view = if joliet {
            match &self.joliet {
                Some(j) => j,
                None => return Vec::new(),
            }
        } else {
            &self.iso
        };
        self.dir_bytes_of(view, joliet, k, ce, 0)
    }

    /// Bytes of directory `k` of `view`, file addresses less `shift` (the second tree of
    /// `-partition_offset`; its own directory addresses are relative already).
    pub(super) fn dir_bytes_of(
        &self,
        view: &View,
        joliet: bool,
        k: usize,
        ce: &mut CeArea,
        shift: u32,
    ) -> Vec<u8> {
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
            let room = 255 - record_len(view.ident(e).len(), 0);
            let su = if rr {
                let es = self.rr_entries(view, k, Rec::Entry, Some(e));
                pack_su(&es, room, ce)
            } else {
                Vec::new()
            };
            match e.target() {
                Target::Dir(c) | Target::Relocated(c) => {
                    let t = &view.dirs[c as usize];
                    rec.clear();
                    write_record(
                        &mut rec,
                        t.lba,
                        t.size,
                        date_of(t.node),
                        flags::DIRECTORY | t.node.map_or(0, |n| self.hidden_flag(n)),
                        view.ident(e),
                        &su,
                    );
                    push(&mut out, &rec);
                }
                Target::Placeholder(n) => {
                    rec.clear();
                    let f = self.hidden_flag(n);
                    write_record(&mut rec, 0, 0, self.rec_date(n), f, view.ident(e), &su);
                    push(&mut out, &rec);
                }
                Target::Node(n) => {
                    let node = self.tree.node(n);
                    let (size, lba) = match node.kind {
                        Kind::File { size, .. } => {
                            let lba = self.data_lba.get(n as usize).copied().unwrap_or(0);
                            (size, lba.saturating_sub(shift))
                        }
                        _ => (0, 0),
                    };
                    let mut remaining = size;
                    let mut at = lba;
                    loop {
                        let part = remaining.min(MAX_EXTENT);
                        let last = remaining <= MAX_EXTENT;
                        let f = self.hidden_flag(n) | if last { 0 } else { flags::MULTI_EXTENT };
                        rec.clear();
                        write_record(
                            &mut rec,
                            at,
                            part as u32,
                            self.rec_date(n),
                            f,
                            view.ident(e),
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

    /// The existence bit (ECMA-119 §9.1.6) of a node marked `-hidden`.
    fn hidden_flag(&self, n: NodeId) -> u8 {
        if self.tree.node(n).hidden {
            flags::HIDDEN
        } else {
            0
        }
    }

    pub(super) fn root_record(&self, view: &View) -> Vec<u8> {
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

    pub(super) fn vd_fields(&self, view: &View) -> VdFields {
        let ids = &self.opts.ids;
        let mut space = match self.opts.volume_space {
            VolumeSpace::Absolute => self.start + self.total,
            VolumeSpace::SessionOnly => self.total,
        };
        // libisofs: with partitions appended the volume ends before them, unless a
        // protective label or a partition offset makes the ISO span the whole image.
        if let Some(h) = &self.hybrid {
            if !h.pvd_total {
                space = h.vol_space;
            }
        }
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

    pub(super) fn path_table(view: &View, big: bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(view.pt_size as usize);
        for d in &view.dirs {
            ptable::write_record(&mut out, &d.ident, d.lba, d.parent as u16 + 1, big);
        }
        let pad = (SECTOR - out.len() % SECTOR) % SECTOR;
        out.resize(out.len() + pad, 0);
        out
    }

    /// Writes the whole session (exactly `size_blocks() * 2048` bytes) to `w`.
    pub fn write_to<W: Write>(&self, w: &mut W) -> Result<(), BuildError> {
        self.write_parts(&mut Hashed {
            inner: &mut Plain(w),
            run: self.md5.is_some().then(Running::default),
        })
    }

    /// Writes the whole session to the regular file `f` (at its current position). Large
    /// files are copied file to file by the kernel (`copy_file_range` on Linux, through
    /// `std::io::copy`), which also shares extents on reflink-capable file systems when the
    /// offsets allow; elsewhere it falls back to reading and writing.
    pub fn write_to_file(&self, f: &std::fs::File) -> Result<(), BuildError> {
        let mut d = Direct(std::io::BufWriter::with_capacity(1 << 20, f));
        self.write_parts(&mut Hashed {
            inner: &mut d,
            run: self.md5.is_some().then(Running::default),
        })?;
        d.flush().map_err(BuildError::Write)
    }

    pub(super) fn write_parts<W: Sink>(&self, w: &mut Hashed<'_, W>) -> Result<(), BuildError> {
        let we = BuildError::Write;
        let mut written: u64 = 0;
        let out = |w: &mut Hashed<'_, W>, b: &[u8], written: &mut u64| -> Result<(), BuildError> {
            w.write_all(b).map_err(we)?;
            *written += b.len() as u64;
            Ok(())
        };
        out(w, &self.system_area()?, &mut written)?;
        out(
            w,
            &self.vd_fields(&self.iso).encode(VdKind::Primary),
            &mut written,
        )?;
        if let Some(c) = self.boot_record() {
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
        if let Some(t) = self.md5_tag(TagKind::Superblock, &w.running()) {
            out(w, &t, &mut written)?;
        }
        if let Some(sec) = &self.offset_tree {
            let here = self.start as u64 + written / SECTOR as u64;
            let gap = u64::from(sec.vd_lba).saturating_sub(here);
            out(w, &vec![0u8; gap as usize * SECTOR], &mut written)?;
            let fields = |v: &View| {
                let mut f = self.vd_fields(v);
                f.space_size = match &self.hybrid {
                    Some(h) => h.vol_space.saturating_sub(sec.shift),
                    None => self.total.saturating_sub(sec.shift),
                };
                f
            };
            out(w, &fields(&sec.iso).encode(VdKind::Primary), &mut written)?;
            if let Some(j) = &sec.joliet {
                out(w, &fields(j).encode(VdKind::Joliet), &mut written)?;
            }
            if self.opts.iso_level >= 4 {
                out(w, &fields(&sec.iso).encode(VdKind::Enhanced), &mut written)?;
            }
            out(w, &encode_terminator(), &mut written)?;
        }
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
            if self.iso.kept(k) {
                continue;
            }
            let b = self.dir_bytes(false, k, &mut ce);
            out(w, &b, &mut written)?;
        }
        let mut ceb = std::mem::take(&mut ce.bytes);
        ceb.resize(self.ce_blocks as usize * SECTOR, 0);
        out(w, &ceb, &mut written)?;
        if let Some(j) = &self.joliet {
            for k in 0..j.dirs.len() {
                if j.kept(k) {
                    continue;
                }
                let b = self.dir_bytes(true, k, &mut CeArea::default());
                out(w, &b, &mut written)?;
            }
        }
        if let Some(sec) = &self.offset_tree {
            out(w, &Self::path_table(&sec.iso, false), &mut written)?;
            out(w, &Self::path_table(&sec.iso, true), &mut written)?;
            if let Some(j) = &sec.joliet {
                out(w, &Self::path_table(j, false), &mut written)?;
                out(w, &Self::path_table(j, true), &mut written)?;
            }
            let mut ce = CeArea {
                base: sec.ce_lba,
                record: true,
                ..CeArea::default()
            };
            for k in 0..sec.iso.dirs.len() {
                let b = self.dir_bytes_of(&sec.iso, false, k, &mut ce, sec.shift);
                out(w, &b, &mut written)?;
            }
            let mut ceb = std::mem::take(&mut ce.bytes);
            ceb.resize(self.ce_blocks as usize * SECTOR, 0);
            out(w, &ceb, &mut written)?;
            if let Some(j) = &sec.joliet {
                for k in 0..j.dirs.len() {
                    let b = self.dir_bytes_of(j, true, k, &mut CeArea::default(), sec.shift);
                    out(w, &b, &mut written)?;
                }
            }
        }
        if let Some(t) = self.md5_tag(TagKind::Tree, &w.running()) {
            out(w, &t, &mut written)?;
        }
        debug_assert_eq!(
            written,
            u64::from(self.data_start - self.start) * SECTOR as u64
        );
        let digests = self.write_files(w)?;
        if let Some(a) = self.md5_array(&w.running(), &digests)? {
            w.write_all(&a).map_err(BuildError::Write)?;
            if let Some(t) = self.md5_tag(TagKind::Session, &w.running()) {
                w.write_all(&t).map_err(BuildError::Write)?;
            }
        }
        let pad = vec![0u8; SECTOR];
        if let Some(h) = &self.hybrid {
            for _ in 0..h.align {
                w.write_all(&pad).map_err(BuildError::Write)?;
            }
            self.write_appended(w)?;
        }
        for _ in 0..self.opts.pad_blocks {
            w.write_all(&pad).map_err(BuildError::Write)?;
        }
        if let Some(b) = self.gpt_backup() {
            w.write_all(&b).map_err(BuildError::Write)?;
        }
        w.flush().map_err(BuildError::Write)?;
        Ok(())
    }
}
