//! Deterministic tree shapes for the reuse tests and the benchmarks (`bench/`): the same
//! seed gives the same tree on every machine. Shared by the tests (`mod shapes`) and by the
//! `make_shaped_tree` example that writes a shape to disk for `bench/`.
//!
//! `linux()` has the shape of a Linux source tree (linux-source-6.1: 78,579 files in about
//! 5,150 directories, at most 10 levels deep; a few directories of a thousand or more files,
//! most of a dozen; names of 2 to 60 bytes, file sizes averaging about 16 KiB). The Linux
//! source itself is not needed to run the tests: this shape stands in for it.
#![allow(dead_code)] // reason: each user takes a different subset

/// A small deterministic generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    }
}

/// A tree: directories (index 0 is the root; each with its parent's index and its name)
/// and files (their directory's index, name and size in bytes).
pub struct Shape {
    pub dirs: Vec<(usize, String)>,
    pub files: Vec<(usize, String, u64)>,
}

impl Shape {
    /// The slash-separated path of directory `d` ("" for the root).
    pub fn dir_path(&self, mut d: usize) -> String {
        let mut parts = Vec::new();
        while d != 0 {
            parts.push(self.dirs[d].1.as_str());
            d = self.dirs[d].0;
        }
        parts.reverse();
        parts.join("/")
    }

    /// Depth of directory `d` (the root 0).
    pub fn depth(&self, mut d: usize) -> usize {
        let mut n = 0;
        while d != 0 {
            d = self.dirs[d].0;
            n += 1;
        }
        n
    }

    /// The files of each directory, by directory index.
    pub fn files_per_dir(&self) -> Vec<usize> {
        let mut n = vec![0; self.dirs.len()];
        for f in &self.files {
            n[f.0] += 1;
        }
        n
    }
}

const ALPHA: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_-";
const EXT: &[&str] = &[
    ".c", ".c", ".c", ".c", ".h", ".h", ".h", ".S", ".dts", ".dtsi", ".rst", ".txt", ".yaml",
    ".sh", ".py", "",
];

fn word(rng: &mut Rng, len: usize) -> String {
    (0..len)
        .map(|i| {
            let a = if i == 0 { 26 } else { ALPHA.len() };
            ALPHA[rng.below(a)] as char
        })
        .collect()
}

/// A name unique in its directory (`taken` holds the names there so far).
fn unique(rng: &mut Rng, taken: &mut std::collections::HashSet<String>, file: bool) -> String {
    loop {
        // Mostly 4-20 bytes, one in fifty up to 60 (Linux: average 12, longest about 60).
        let len = if rng.below(50) == 0 {
            21 + rng.below(40)
        } else {
            2 + rng.below(8) + rng.below(10)
        };
        let mut n = word(rng, len);
        if file {
            n.push_str(EXT[rng.below(EXT.len())]);
        }
        if taken.insert(n.clone()) {
            return n;
        }
    }
}

/// Directories per depth below the root (1 = in the root) of a Linux source tree
/// (linux-source-6.1 has 5,151 below its root, 23 at the top, most 3 or 4 levels down; a
/// few dozen are deeper than the 8 levels of ECMA-119 §6.8.2.1 and are relocated by RRIP).
pub const LINUX_DEPTHS: [usize; 10] = [23, 420, 1500, 1600, 900, 450, 200, 45, 10, 3];

/// `files` files in directories with `depths[k]` directories at depth k + 1: each
/// directory is attached to a parent one level up chosen in proportion to its
/// subdirectories plus one (few wide directories, many narrow ones), and files go to
/// directories in proportion to a power law.
pub fn generate(seed: u64, depths: &[usize], files: usize) -> Shape {
    let mut rng = Rng(seed);
    let mut d: Vec<(usize, String)> = vec![(0, String::new())];
    let mut taken: Vec<std::collections::HashSet<String>> = vec![Default::default()];
    // Parent choice by weight: one ticket per directory of the level above, one more per
    // child it has.
    let mut tickets: Vec<usize> = vec![0];
    for &n in depths {
        let mut next: Vec<usize> = Vec::with_capacity(n * 2);
        for _ in 0..n {
            let p = tickets[rng.below(tickets.len())];
            let name = unique(&mut rng, &mut taken[p], false);
            let id = d.len();
            d.push((p, name));
            taken.push(Default::default());
            tickets.push(p);
            next.push(id);
        }
        tickets = next;
    }
    // Files per directory: in proportion to a weight u^-0.75 (u uniform in (0, 1]), a
    // power law: most directories hold a few files, some hundreds, one or two thousands.
    let w: Vec<f64> = (0..d.len())
        .map(|_| (((rng.below(1 << 30) + 1) as f64) / f64::from(1u32 << 30)).powf(-0.75))
        .collect();
    let sum: f64 = w.iter().sum();
    let mut per: Vec<usize> = w
        .iter()
        .map(|x| (x / sum * files as f64).floor() as usize)
        .collect();
    // The largest directory of linux-source-6.1 (arch/arm/boot/dts) holds about 2,600.
    for n in per.iter_mut() {
        *n = (*n).min(2600);
    }
    let mut left = files - per.iter().sum::<usize>();
    while left > 0 {
        let k = rng.below(per.len());
        per[k] += 1;
        left -= 1;
    }
    let mut f = Vec::with_capacity(files);
    for (at, &n) in per.iter().enumerate() {
        for _ in 0..n {
            let name = unique(&mut rng, &mut taken[at], true);
            // 2^6 to 2^16 bytes, and some more: about 14 KiB on average.
            let size = (1u64 << (6 + rng.below(11))) + rng.below(4096) as u64;
            f.push((at, name, size));
        }
    }
    Shape { dirs: d, files: f }
}

/// The Linux-source-shaped tree (78,579 files, 5,151 directories below the root, at most
/// 10 levels).
pub fn linux() -> Shape {
    generate(0x6c69_6e75_7836_2e31, &LINUX_DEPTHS, 78_579)
}

/// `dirs` directories of `per` files each, all in the root (the "many directories" case:
/// 2,000 of 100).
pub fn flat(dirs: usize, per: usize) -> Shape {
    let mut rng = Rng(0x666c_6174);
    let mut d = vec![(0, String::new())];
    let mut f = Vec::with_capacity(dirs * per);
    for k in 0..dirs {
        d.push((0, format!("dir{k:05}")));
        for i in 0..per {
            f.push((k + 1, format!("file-{i:04}.txt"), 4 + rng.below(12) as u64));
        }
    }
    Shape { dirs: d, files: f }
}

/// A deep and narrow tree: 12 levels, each directory of a level holding two of the next,
/// 30,000 files spread by the same power law (relocation below level 8 in Rock Ridge).
pub fn deep() -> Shape {
    generate(
        0x6465_6570,
        &[2, 4, 8, 16, 32, 64, 128, 256, 512, 512, 512, 512],
        30_000,
    )
}

/// Long Unicode names: 20,000 files in 200 directories, names of 40 to 120 characters (at
/// most 240 bytes)
/// from Latin, Greek, Cyrillic, CJK and emoji (4-byte UTF-8, outside the BMP).
pub fn unicode() -> Shape {
    const PARTS: &[&str] = &[
        "résumé",
        "Ärger",
        "naïve",
        "λόγος",
        "Москва",
        "日本語",
        "中文文件",
        "한국어",
        "😀",
        "ß",
        "façade",
        "ø",
        "ŵ",
        "_",
        "-",
        " ",
        "2026",
    ];
    let mut rng = Rng(0x756e_6963);
    // Up to 240 bytes (Linux takes 255 a name).
    let name = |rng: &mut Rng, k: usize| {
        let want = 40 + rng.below(81);
        let mut s = format!("{k:05}-");
        while s.chars().count() < want {
            let p = PARTS[rng.below(PARTS.len())];
            if s.len() + p.len() > 240 {
                break;
            }
            s.push_str(p);
        }
        s
    };
    let mut d = vec![(0, String::new())];
    let mut f = Vec::with_capacity(20_000);
    for k in 0..200 {
        d.push((0, name(&mut rng, k)));
        for i in 0..100 {
            let n = format!("{}.txt", name(&mut rng, i));
            f.push((k + 1, n, 16 + rng.below(2048) as u64));
        }
    }
    Shape { dirs: d, files: f }
}
