//! Entry points of the fuzz targets in `fuzz/` (cargo-fuzz) and their seeds, shared with the
//! stable test `tests/fuzz_seeds.rs` that replays the seeds in CI: the reader (ECMA-119
//! §6.7–§9, SUSP 1.12 with CE, RRIP 1.12 with CL/PL/RE, Joliet, El Torito catalog) and the
//! `-M` importer followed by a layout of the next session.
//!
//! The targets read with [`limits`], far tighter than [`Limits::default`], so that memory an
//! image makes the reader take beyond what the bounds count shows as a failure under
//! libFuzzer's `-rss_limit_mb=256 -malloc_limit_mb=64`. Not part of the stable API.

use std::io::Write;

use crate::read::{Limits, Namespace, Volume};
use crate::tree::{Kind, Meta, Tree};
use crate::{merge, Image, Options, RockRidge, SECTOR};

/// The bounds the fuzz targets read with: a few MiB of names and continuation areas.
pub fn limits() -> Limits {
    Limits {
        max_name: 16 << 10,
        max_dir_names: 4 << 20,
        max_dir_entries: 1 << 16,
        max_dir_continuation: 8 << 20,
        max_path: 16 << 10,
        max_total_names: 16 << 20,
        max_total_continuation: 32 << 20,
        max_extents: 1 << 12,
    }
}

/// A writer that fails after 1 MiB (an image may claim many large extents).
struct Capped(usize);

impl Write for Capped {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len();
        if self.0 > 1 << 20 {
            return Err(std::io::Error::other("cap"));
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The reader target: `sessions`, then every namespace opened, walked, up to 64 files read,
/// the boot catalog, a lookup and the session end.
pub fn reader(data: &[u8]) {
    let img = data.to_vec();
    let _ = crate::sessions(&mut img.clone());
    for ns in [
        None,
        Some(Namespace::Joliet),
        Some(Namespace::Iso9660),
        Some(Namespace::Iso1999),
    ] {
        let Ok(mut vol) = Volume::open(img.clone(), 0, ns) else {
            continue;
        };
        vol.set_limits(limits());
        let _ = vol.boot_entries();
        let root = vol.root().clone();
        let mut files = Vec::new();
        let _ = vol.walk(&root, &mut |_, e| {
            if !e.is_dir && files.len() < 64 {
                files.push(e.clone());
            }
            Ok(())
        });
        for f in files {
            let _ = vol.read_file(&f, &mut Capped(0));
        }
        let _ = vol.lookup("a/b/c");
        let _ = vol.session_end();
    }
}

/// The importer target: `merge::import` of the image, a removal, and a layout and write
/// (to a sink) of the imported tree as the next session.
pub fn import(data: &[u8]) {
    let img = data.to_vec();
    let mut tree = Tree::new();
    if merge::import_with(&mut tree, img.clone(), 0, limits()).is_err() {
        return;
    }
    tree.remove_path("a");
    let next = (img.len() / SECTOR) as u32;
    let opts = Options {
        iso_level: 3,
        rock_ridge: Some(RockRidge::Exact),
        joliet: true,
        session: Some((0, next)),
        pad_blocks: 0,
        ..Options::default()
    };
    if let Ok(image) = Image::new(tree, opts, None) {
        let _ = image.size_blocks();
        let _ = image.write_to(&mut std::io::sink());
    }
}

/// Seed images (trailing zero blocks cut): names and link targets long enough for
/// continuation areas, relocation (a tree 10 levels deep: RE, CL, PL), a multi-extent file
/// (crafted: three parts), a plain ISO 9660 level 1 tree, and Joliet.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    let dir = Meta {
        mode: 0o040755,
        ..Meta::default()
    };
    let file = Meta {
        mode: 0o100644,
        ..dir
    };
    let link = Meta {
        mode: 0o120777,
        ..dir
    };

    // Continuation areas: a 250-byte name, a 1,500-byte link target, Joliet beside.
    let mut t = Tree::new();
    let d = t.push_child(Tree::ROOT, b"a", Kind::Dir, dir);
    let data = t.add_blob(b"hello\n".to_vec());
    t.push_child(d, &[b'n'; 250], Kind::File { size: 6, data }, file);
    let target = t.intern("x/".repeat(750).as_bytes());
    t.push_child(d, b"l", Kind::Symlink(target), link);
    let data = t.add_blob(b"b\n".to_vec());
    t.push_child(Tree::ROOT, b"b.txt", Kind::File { size: 2, data }, file);
    out.push(("continuation", build(t, 3, true)));

    // Relocation: a/b/c/d/e/f/g/h/i/j, deeper than 8 levels.
    let mut t = Tree::new();
    let mut d = Tree::ROOT;
    for n in b"abcdefghij" {
        d = t.push_child(d, &[*n], Kind::Dir, dir);
    }
    let data = t.add_blob(b"deep\n".to_vec());
    t.push_child(d, b"f", Kind::File { size: 5, data }, file);
    out.push(("relocation", build(t, 3, false)));

    // Plain ISO 9660, level 1.
    let mut t = Tree::new();
    let d = t.push_child(Tree::ROOT, b"x", Kind::Dir, dir);
    let data = t.add_blob(b"1\n".to_vec());
    t.push_child(d, b"y", Kind::File { size: 2, data }, file);
    let mut o = options(1, false);
    o.rock_ridge = None;
    out.push(("level1", image(t, o)));

    out.push(("multi-extent", multi_extent()));
    out
}

fn options(level: u8, joliet: bool) -> Options {
    Options {
        iso_level: level,
        rock_ridge: Some(RockRidge::Exact),
        joliet,
        pad_blocks: 0,
        reproducible: true,
        date: Some(crate::Timestamp::from_secs(1_800_000_000)),
        ..Options::default()
    }
}

fn build(t: Tree, level: u8, joliet: bool) -> Vec<u8> {
    image(t, options(level, joliet))
}

fn image(t: Tree, o: Options) -> Vec<u8> {
    let mut v = Vec::new();
    if let Ok(img) = Image::new(t, o, None) {
        let _ = img.write_to(&mut v);
    }
    cut(v)
}

/// The image without its trailing zero blocks.
fn cut(mut v: Vec<u8>) -> Vec<u8> {
    while v.len() >= SECTOR && v[v.len() - SECTOR..].iter().all(|&b| b == 0) {
        v.truncate(v.len() - SECTOR);
    }
    v
}

/// A Rock Ridge image whose root holds `M` (three parts, ECMA-119 §6.5.1, the first two
/// of one block each with the multi-extent flag) and `N` after it.
fn multi_extent() -> Vec<u8> {
    use crate::wire::dir::{flags, write_record};
    use crate::wire::{put_u16_both, put_u32_both, susp};
    let mut v = vec![0u8; 24 * SECTOR];
    let pvd = 16 * SECTOR;
    v[pvd] = 1;
    v[pvd + 1..pvd + 6].copy_from_slice(b"CD001");
    v[pvd + 6] = 1;
    put_u32_both(&mut v[pvd + 80..], 24);
    put_u16_both(&mut v[pvd + 120..], 1);
    put_u16_both(&mut v[pvd + 124..], 1);
    put_u16_both(&mut v[pvd + 128..], SECTOR as u16);
    let mut root = Vec::new();
    write_record(
        &mut root,
        18,
        SECTOR as u32,
        [0; 7],
        flags::DIRECTORY,
        &[0],
        &[],
    );
    v[pvd + 156..pvd + 156 + root.len()].copy_from_slice(&root);
    v[17 * SECTOR] = 255;
    v[17 * SECTOR + 1..17 * SECTOR + 6].copy_from_slice(b"CD001");
    v[17 * SECTOR + 6] = 1;
    let px = |m| susp::px(m, 1, 0, 0, 1);
    let mut d = Vec::new();
    let dot = [susp::sp(), px(0o040755)].concat();
    write_record(
        &mut d,
        18,
        SECTOR as u32,
        [0; 7],
        flags::DIRECTORY,
        &[0],
        &dot,
    );
    write_record(
        &mut d,
        18,
        SECTOR as u32,
        [0; 7],
        flags::DIRECTORY,
        &[1],
        &[],
    );
    let m = [px(0o100644), susp::nm(b"m").concat()].concat();
    write_record(
        &mut d,
        20,
        SECTOR as u32,
        [0; 7],
        flags::MULTI_EXTENT,
        b"M;1",
        &m,
    );
    write_record(
        &mut d,
        21,
        SECTOR as u32,
        [0; 7],
        flags::MULTI_EXTENT,
        b"M;1",
        &[],
    );
    write_record(&mut d, 22, 5, [0; 7], 0, b"M;1", &[]);
    let n = [px(0o100644), susp::nm(b"n").concat()].concat();
    write_record(&mut d, 23, 2, [0; 7], 0, b"N;1", &n);
    v[18 * SECTOR..18 * SECTOR + d.len()].copy_from_slice(&d);
    v[20 * SECTOR..21 * SECTOR].fill(b'1');
    v[21 * SECTOR..22 * SECTOR].fill(b'2');
    v[22 * SECTOR..22 * SECTOR + 5].copy_from_slice(b"333\n\n");
    v[23 * SECTOR..23 * SECTOR + 2].copy_from_slice(b"n\n");
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_hold_what_they_are_for() {
        let seeds = seeds();
        let get = |n: &str| {
            seeds
                .iter()
                .find(|s| s.0 == n)
                .map(|s| s.1.clone())
                .unwrap_or_default()
        };
        for (n, s) in &seeds {
            assert!(s.len() <= 131_072, "{n}: {} bytes", s.len());
        }
        let has = |img: &[u8], sig: &[u8]| img.windows(sig.len()).any(|w| w == sig);
        assert!(has(&get("continuation"), b"CE\x1c\x01"));
        let r = get("relocation");
        for sig in [b"RE\x04\x01".as_slice(), b"CL\x0c\x01", b"PL\x0c\x01"] {
            assert!(has(&r, sig), "{sig:?}");
        }
        // The multi-extent seed reads as two files, M of three parts.
        let mut vol = Volume::open(get("multi-extent"), 0, None).unwrap();
        let root = vol.root().clone();
        let kids = vol.read_dir(&root).unwrap();
        assert_eq!(kids.len(), 2, "{kids:?}");
        assert_eq!((kids[0].name.as_str(), kids[0].size), ("m", 4101));
        assert_eq!(kids[0].extents.len(), 3);
        assert_eq!(kids[1].name, "n");
        for (_, s) in &seeds {
            reader(s);
            import(s);
        }
    }
}
