//! Memory per entry of the builder (issue 14: at most 250 bytes of peak RSS per entry on a
//! tree of 200,000 files in 2,000 directories of 100). A counting global allocator records
//! the peak of allocated heap bytes (capacity, at least what is resident) while a real tree
//! on disk (the `flat` shape of `common/shapes.rs`, as `bench/shapes.sh` builds it) is
//! scanned, laid out `-R -J` and written to a file: at most 210 bytes per entry (195 when
//! this was written; the read-ahead buffers' timing moves it by a few; the process's own
//! pages, about 6 MB or 30 bytes per entry, make up most of the rest of the 250). With
//! 120-byte nodes and no reservations it was about 370.

#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code panics on failure

#[path = "common/shapes.rs"]
mod shapes;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use isofs::{FileSource, Image, Options, RockRidge, Tree, Volume};

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let live = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is passed to `System` unchanged; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on.
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            grew(l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: the caller's contract for `dealloc` is passed on.
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        // SAFETY: the caller's contract for `realloc` is passed on.
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new >= l.size() {
                grew(new - l.size());
            } else {
                LIVE.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

#[test]
fn flat_tree_of_200_000_files_peaks_at_most_210_heap_bytes_per_entry() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("flat");
    let shape = shapes::flat(2000, 100);
    for d in 1..shape.dirs.len() {
        std::fs::create_dir_all(src.join(shape.dir_path(d))).unwrap();
    }
    for (d, name, size) in &shape.files {
        let p = src.join(shape.dir_path(*d)).join(name);
        let mut f = std::fs::File::create(p).unwrap();
        f.write_all(&b"0123456789abcdef"[..*size as usize]).unwrap();
    }
    let entries = shape.dirs.len() - 1 + shape.files.len();
    assert_eq!(entries, 202_000);
    drop(shape);
    let out = std::fs::File::create(dir.path().join("flat.iso")).unwrap();

    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let mut tree = Tree::new();
    tree.add_source("/", &src, &Default::default()).unwrap();
    assert_eq!(tree.len(), entries + 1);
    let opts = Options {
        rock_ridge: Some(RockRidge::Rationalized),
        joliet: true,
        ..Options::default()
    };
    let image = Image::new(tree, opts, None).unwrap();
    image.write_to_file(&out).unwrap();
    let blocks = image.size_blocks();
    drop(image);
    let peak = PEAK.load(Ordering::Relaxed) - base;

    // The image is real: a block per file, and the directories hold every entry.
    assert!(blocks > 200_000, "{blocks} blocks");
    let img = FileSource::open(&dir.path().join("flat.iso")).unwrap();
    let mut vol = Volume::open(img, 0, None).unwrap();
    let root = vol.root().clone();
    let dirs = vol.read_dir(&root).unwrap();
    assert_eq!(dirs.len(), 2000);
    let last = dirs.iter().find(|e| e.name == "dir01999").unwrap().clone();
    let files: Vec<String> = vol
        .read_dir(&last)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(files.len(), 100);
    assert_eq!(files[99], "file-0099.txt");
    let per = peak / entries;
    eprintln!("peak heap {peak} bytes for {entries} entries: {per} bytes per entry");
    assert!(
        per <= 210,
        "peak heap {peak} bytes, {per} bytes per entry (at most 210)"
    );
}
