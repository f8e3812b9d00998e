//! Appending to a session of a Linux-source-sized tree (the `linux` shape of
//! `common/shapes.rs`: 78,579 files in 5,151 directories, up to 10 levels, built in memory;
//! the Linux source itself is not needed): how many blocks of directories and path tables
//! the next session writes when it reuses the unchanged directories, and what the import of
//! the previous session reads (directories only, in large batches).

#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code panics on failure

#[path = "common/shapes.rs"]
mod shapes;

use std::io;

use isofs::tree::{mode, Kind, Meta};
use isofs::{merge, Image, Options, RockRidge, SectorSource, Timestamp, Tree};

fn opts() -> Options {
    Options {
        iso_level: 3,
        rock_ridge: Some(RockRidge::Exact),
        joliet: true,
        pad_blocks: 0,
        ..Options::default()
    }
}

fn meta(m: u32) -> Meta {
    let t = Timestamp::from_secs(1_641_092_645);
    Meta {
        mode: m,
        mtime: t,
        atime: t,
        ctime: t,
        ..Meta::default()
    }
}

/// The shape as a tree: its directories, and its files without contents (size 0: the
/// directory records are the same whatever the size, and the image stays small).
fn tree_of(s: &shapes::Shape) -> Tree {
    let mut t = Tree::new();
    let mut ids = vec![Tree::ROOT];
    for (p, name) in s.dirs.iter().skip(1) {
        let id = t.push_child(
            ids[*p],
            name.as_bytes(),
            Kind::Dir,
            meta(mode::S_IFDIR | 0o755),
        );
        ids.push(id);
    }
    let empty = t.add_blob(Vec::new());
    for (d, name, _) in &s.files {
        t.push_child(
            ids[*d],
            name.as_bytes(),
            Kind::File {
                size: 0,
                data: empty.clone(),
            },
            meta(mode::S_IFREG | 0o644),
        );
    }
    t
}

/// An in-memory disc that counts the reads made of it.
struct Counting {
    img: Vec<u8>,
    reads: u64,
    blocks: u64,
    /// Blocks read at or beyond this one (the previous session's file data starts here).
    data_from: u32,
    data_blocks: u64,
}

impl SectorSource for Counting {
    fn read_sectors(&mut self, lba: u32, buf: &mut [u8]) -> io::Result<()> {
        let n = (buf.len() / 2048) as u64;
        self.reads += 1;
        self.blocks += n;
        let end = u64::from(lba) + n;
        if end > u64::from(self.data_from) {
            self.data_blocks += end - u64::from(lba.max(self.data_from));
        }
        self.img.read_sectors(lba, buf)
    }
    fn sector_count(&mut self) -> io::Result<Option<u64>> {
        self.img.sector_count()
    }
}

/// Builds the next session on `disc` (whose last session starts at `prev`) from the
/// imported tree changed by `change`; returns the image (not written) and the source.
fn append(
    disc: Counting,
    prev: u32,
    o: Options,
    change: &dyn Fn(&mut Tree),
) -> (Image, Counting, (u64, u64)) {
    let next = (disc.img.len() / 2048) as u32;
    let mut tree = Tree::new();
    let mut src = merge::import(&mut tree, disc, prev).unwrap();
    let import = (src.reads, src.blocks);
    change(&mut tree);
    let o = Options {
        session: Some((prev, next)),
        ..o
    };
    let image = Image::new(tree, o, Some(&mut src as &mut dyn SectorSource)).unwrap();
    (image, src, import)
}

fn write_session(disc: &mut Counting, image: &Image) {
    let before = disc.img.len();
    image.write_to(&mut disc.img).unwrap();
    assert_eq!(disc.img.len() - before, image.size_blocks() as usize * 2048);
}

/// Adds 1,000 new files in 10 new directories, spread over the tree (at several depths).
fn add_new(tree: &mut Tree, dirs: &[String]) {
    let body = tree.add_blob(b"a new file\n".to_vec());
    for (k, at) in dirs.iter().enumerate() {
        let d = tree
            .ensure_dir(&format!("{at}/new-dir-{k}"), meta(mode::S_IFDIR | 0o755))
            .unwrap();
        for f in 0..100 {
            tree.put_child(
                d,
                format!("new-file-{f:03}.c").as_bytes(),
                Kind::File {
                    size: 11,
                    data: body.clone(),
                },
                meta(mode::S_IFREG | 0o644),
            );
        }
    }
}

/// Ten existing directories at different depths, the deepest first.
fn spread(s: &shapes::Shape, rng: &mut shapes::Rng, min_files: usize) -> Vec<usize> {
    let per = s.files_per_dir();
    let mut out: Vec<usize> = Vec::new();
    for want in (1..=10).rev() {
        let c: Vec<usize> = (1..s.dirs.len())
            .filter(|&d| s.depth(d) == want && per[d] >= min_files && !out.contains(&d))
            .collect();
        if !c.is_empty() {
            out.push(c[rng.below(c.len())]);
        }
    }
    while out.len() < 10 {
        let d = 1 + rng.below(s.dirs.len() - 1);
        if per[d] >= min_files && !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// 1,000 new files in 10 new directories: at most 1,000 blocks of directories and path
/// tables (with every directory rewritten, as mkisofs -M does, about 16,800); 100 files
/// changed in place across 10 directories: at most 2,000. The import reads the previous
/// session's directories once, in large batches, and no file data.
#[test]
fn append_to_a_linux_sized_session() {
    let s = shapes::linux();
    assert_eq!(s.files.len(), 78_579);
    let first = Image::new(tree_of(&s), opts(), None).unwrap();
    let mut disc = Counting {
        img: Vec::new(),
        reads: 0,
        blocks: 0,
        data_from: 0,
        data_blocks: 0,
    };
    write_session(&mut disc, &first);
    disc.data_from = first.metadata_blocks();
    println!(
        "first session: {} blocks, {} of them directories and path tables",
        first.size_blocks(),
        first.metadata_blocks()
    );
    let mut rng = shapes::Rng(0x0a99_e4d5);
    let places: Vec<String> = spread(&s, &mut rng, 0)
        .into_iter()
        .map(|d| s.dir_path(d))
        .collect();

    // The same append with every directory written again (as genisoimage -M does).
    let (whole, d, _) = append(
        disc,
        0,
        Options {
            rewrite_all_dirs: true,
            ..opts()
        },
        &|t| add_new(t, &places),
    );
    disc = d;
    disc.reads = 0;
    disc.blocks = 0;
    let (image, d, (reads, blocks)) = append(disc, 0, opts(), &|t| add_new(t, &places));
    disc = d;
    println!(
        "1,000 new files in 10 new directories: {} blocks of directories and path tables \
         (rewriting all: {}), kept {:?} of the ISO 9660 and {:?} of the Joliet directories; \
         the import read {blocks} blocks in {reads} reads, {} of file data",
        image.metadata_blocks(),
        whole.metadata_blocks(),
        image.kept_dirs(),
        image.kept_joliet_dirs(),
        disc.data_blocks
    );
    assert!(
        whole.metadata_blocks() > 15_000,
        "the shape is Linux-sized: {} blocks when every directory is written",
        whole.metadata_blocks()
    );
    assert!(
        image.metadata_blocks() <= 1000,
        "{} blocks of directories and path tables for 1,000 new files",
        image.metadata_blocks()
    );
    assert_eq!(disc.data_blocks, 0, "the import read file data");
    // The directories once, in batches of up to 1 MiB (one by one, with a second read of
    // each Rock Ridge "." record, it took 15,510 reads).
    assert!(
        reads <= 80,
        "{reads} reads to import 5,151 directories (ISO 9660 and Joliet)"
    );
    assert!(
        blocks <= u64::from(first.metadata_blocks()) * 5 / 4,
        "{blocks} blocks read to import {} blocks of directories",
        first.metadata_blocks()
    );
    write_session(&mut disc, &image);
    let s2 = image.start_block();

    // 100 files changed in place (other contents, other size) across 10 directories.
    let mut rng = shapes::Rng(0xc4a9_6ed0);
    let changed: Vec<(String, Vec<String>)> = spread(&s, &mut rng, 10)
        .into_iter()
        .map(|d| {
            let names: Vec<String> = s
                .files
                .iter()
                .filter(|f| f.0 == d)
                .take(10)
                .map(|f| f.1.clone())
                .collect();
            (s.dir_path(d), names)
        })
        .collect();
    let change = |t: &mut Tree| {
        let body = t.add_blob(b"changed in place\n".to_vec());
        for (dir, names) in &changed {
            let d = t.lookup_path(dir).unwrap();
            for n in names {
                t.put_child(
                    d,
                    n.as_bytes(),
                    Kind::File {
                        size: 17,
                        data: body.clone(),
                    },
                    meta(mode::S_IFREG | 0o600),
                );
            }
        }
    };
    disc.reads = 0;
    disc.blocks = 0;
    disc.data_blocks = 0;
    disc.data_from = u32::MAX;
    let (image, d, (reads, blocks)) = append(disc, s2, opts(), &change);
    disc = d;
    println!(
        "100 files changed in place in 10 directories: {} blocks of directories and path \
         tables, kept {:?} / {:?}; the import read {blocks} blocks in {reads} reads",
        image.metadata_blocks(),
        image.kept_dirs(),
        image.kept_joliet_dirs(),
    );
    // The second session's directories lie in two sessions: still a few batches.
    assert!(reads <= 100, "{reads} reads to import session 2");
    assert!(
        image.metadata_blocks() <= 2000,
        "{} blocks of directories and path tables for 100 changed files",
        image.metadata_blocks()
    );
    write_session(&mut disc, &image);
    let s3 = image.start_block();

    // Every session reads back with its tree (names, through Rock Ridge and Joliet).
    let mut count = |start: u32, ns| {
        let mut v = isofs::Volume::open(&mut disc.img, start, ns).unwrap();
        let root = v.root().clone();
        let (mut files, mut dirs) = (0usize, 0usize);
        v.walk(&root, &mut |_, e| {
            if e.is_dir {
                dirs += 1;
            } else {
                files += 1;
            }
            Ok(())
        })
        .unwrap();
        (files, dirs)
    };
    for ns in [None, Some(isofs::Namespace::Joliet)] {
        assert_eq!(count(0, ns), (78_579, 5151), "session 1 ({ns:?})");
        assert_eq!(count(s2, ns), (79_579, 5161), "session 2 ({ns:?})");
        assert_eq!(count(s3, ns), (79_579, 5161), "session 3 ({ns:?})");
    }
    let mut v = isofs::Volume::open(&mut disc.img, s3, None).unwrap();
    for (dir, names) in &changed {
        for n in names {
            let e = v.lookup(&format!("{dir}/{n}")).unwrap();
            let mut b = Vec::new();
            v.read_file(&e, &mut b).unwrap();
            assert_eq!(b, b"changed in place\n", "{dir}/{n}");
            assert_eq!(e.mode.unwrap() & 0o777, 0o600);
        }
    }
    let e = v
        .lookup(&format!("{}/new-dir-0/new-file-099.c", places[0]))
        .unwrap();
    let mut b = Vec::new();
    v.read_file(&e, &mut b).unwrap();
    assert_eq!(b, b"a new file\n");
}
