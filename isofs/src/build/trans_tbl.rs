//! Translation tables (`TRANS.TBL`, mkisofs `-T`): one file per directory mapping each
//! ISO 9660 identifier (ECMA-119 §7.5) to the file's real name, as genisoimage writes them.

use super::layout::Target;
use super::Image;
use crate::tree::{mode, Kind, NodeId, Tree};

impl Image {
    /// `-T`: drops files of the translation table's name from the sources (genisoimage
    /// ignores them too) and adds an empty table, of its final size, to every directory
    /// with ISO 9660 entries; [`Image::fill_trans_tables`] writes them once the ISO 9660
    /// names are known. A line's length does not depend on the ISO 9660 name.
    pub(super) fn add_trans_tables(&mut self) {
        let Some(name) = self.opts.trans_table.clone() else {
            return;
        };
        let mut dirs = Vec::new();
        let mut stack = vec![Tree::ROOT];
        while let Some(d) = stack.pop() {
            dirs.push(d);
            for &c in self.tree.children(d) {
                let n = self.tree.node(c);
                if !n.dead && !n.hide_iso && matches!(n.kind, Kind::Dir) {
                    stack.push(c);
                }
            }
        }
        for d in dirs {
            while let Some(old) = self.tree.lookup(d, name.as_bytes()) {
                self.tree.detach(old);
            }
            let size: usize = self
                .visible_children(d, false)
                .into_iter()
                .map(|c| trans_table_line(&self.tree, c, b"").len())
                .sum();
            if size == 0 {
                continue;
            }
            let t = self.tree.node(d).meta.mtime;
            let meta = crate::tree::Meta {
                mode: mode::S_IFREG | 0o444,
                mtime: t,
                atime: t,
                ctime: t,
                ..Default::default()
            };
            let data = self.tree.add_blob(Vec::new());
            let kind = Kind::File {
                size: size as u64,
                data,
            };
            let id = self.tree.push_child(d, name.as_bytes(), kind, meta);
            let hide = self.opts.trans_table_hide_joliet;
            self.tree.update(id, |n| n.hide_joliet = hide);
        }
    }

    /// Writes the translation tables [`Image::add_trans_tables`] made: one line per ISO
    /// 9660 entry of the directory, in directory order.
    pub(super) fn fill_trans_tables(&mut self) {
        let Some(name) = self.opts.trans_table.clone() else {
            return;
        };
        let mut tables = Vec::new();
        for vd in &self.iso.dirs {
            let Some(t) = vd.node.and_then(|d| self.tree.lookup(d, name.as_bytes())) else {
                continue;
            };
            let mut bytes = Vec::new();
            for e in &vd.entries {
                let n = match e.target() {
                    Target::Node(n) | Target::Placeholder(n) => Some(n),
                    Target::Dir(k) | Target::Relocated(k) => self.iso.dirs[k as usize].node,
                };
                // The relocation directory has no line, as in genisoimage; the boot
                // catalog has one.
                let Some(n) = n.filter(|&n| n != t) else {
                    continue;
                };
                bytes.extend_from_slice(&trans_table_line(&self.tree, n, self.iso.ident(e)));
            }
            tables.push((t, bytes));
        }
        for (t, bytes) in tables {
            let len = bytes.len() as u64;
            let blob = self.tree.add_blob(bytes);
            debug_assert_eq!(self.tree.file_size(t), len, "translation table size");
            self.tree.set_data(t, blob);
        }
    }
}

/// Column where a translation table line's long name starts, less 2: genisoimage pads the
/// ISO 9660 name to its longest possible identifier plus one (207 + 1).
const TRANS_TBL_ISO_WIDTH: usize = 208;

/// One line of a translation table (`TRANS.TBL`, mkisofs `-T`) as genisoimage writes it:
/// a type letter (`F` file, `D` directory, `L` symbolic link, `B`/`C` block/character
/// device with its major and minor numbers, `P` pipe, `S` socket), a space, the ISO 9660
/// identifier padded with spaces to 208 characters, a tab, the real name, for a link a tab
/// and its target, for a device a tab and "MAJOR MINOR", and a newline.
pub fn trans_table_line(tree: &Tree, id: NodeId, iso_ident: &[u8]) -> Vec<u8> {
    let node = tree.node(id);
    let name = tree.name(id);
    let mut extra: Vec<u8> = Vec::new();
    let kind = match &node.kind {
        Kind::Dir => b'D',
        Kind::File { .. } => b'F',
        Kind::Symlink(t) => {
            extra.extend_from_slice(tree.span(*t));
            b'L'
        }
        Kind::Device(rdev) => {
            // glibc's gnu_dev_major / gnu_dev_minor split of a Linux dev_t.
            let major = ((rdev >> 32) & 0xffff_f000) | ((rdev >> 8) & 0xfff);
            let minor = ((rdev >> 12) & 0xffff_ff00) | (rdev & 0xff);
            extra.extend_from_slice(format!("{major} {minor}").as_bytes());
            if node.meta.mode & mode::S_IFMT == mode::S_IFBLK {
                b'B'
            } else {
                b'C'
            }
        }
        Kind::Fifo => b'P',
        Kind::Socket => b'S',
    };
    let mut v = Vec::with_capacity(TRANS_TBL_ISO_WIDTH + name.len() + extra.len() + 6);
    v.push(kind);
    v.push(b' ');
    v.extend_from_slice(iso_ident);
    let pad = TRANS_TBL_ISO_WIDTH.saturating_sub(iso_ident.len());
    v.resize(v.len() + pad, b' ');
    v.push(b'\t');
    v.extend_from_slice(name);
    if !extra.is_empty() {
        v.push(b'\t');
        v.extend_from_slice(&extra);
    }
    v.push(b'\n');
    v
}
