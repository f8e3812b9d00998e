//! Shared helpers of the read/check/verify tests: a pressed disc made by genisoimage (an
//! independent writer) from a deterministic tree, file extents as isoinfo (another
//! independent reader) lists them, the built binary, and the READ(10) commands of a `-vv`
//! CDB trace.
#![allow(dead_code)] // reason: each test binary uses a different part

use std::path::{Path, PathBuf};
use std::process::Output;

pub use super::{command, discburn, personality, tool, BIN};

/// Status, stdout and the end of stderr of `o` (its last 3000 characters), for assertion
/// messages.
pub fn text(o: &Output) -> String {
    super::text_cut(o, usize::MAX, 3000)
}

/// Deterministic bytes: `len` bytes of a pattern seeded by `seed`.
pub fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 8) as u8
        })
        .collect()
}

/// A file of the test disc.
#[derive(Debug, Clone)]
pub struct DiscFile {
    /// Path relative to the root.
    pub path: String,
    /// First block, as isoinfo lists it.
    pub lba: u32,
    /// Size in bytes.
    pub size: u64,
}

impl DiscFile {
    /// Blocks `first..=last` the file occupies.
    pub fn blocks(&self) -> (u32, u32) {
        (
            self.lba,
            self.lba + (self.size.div_ceil(2048) as u32).max(1) - 1,
        )
    }
}

/// A test disc: its tree, its image, its files.
pub struct Disc {
    /// Holds everything.
    pub dir: tempfile::TempDir,
    /// The source tree.
    pub tree: PathBuf,
    /// The ISO image (genisoimage -R).
    pub iso: PathBuf,
    /// Regular files with their extents.
    pub files: Vec<DiscFile>,
}

impl Disc {
    /// The image bytes.
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.iso).unwrap()
    }

    /// Blocks in the image.
    pub fn blocks(&self) -> u32 {
        (std::fs::metadata(&self.iso).unwrap().len() / 2048) as u32
    }

    /// The file at `path`.
    pub fn file(&self, path: &str) -> &DiscFile {
        self.files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path} not on the disc: {:?}", self.files))
    }

    /// `emu:` device serving a copy of the image as a pressed disc, with `opts`.
    pub fn dev(&self, name: &str, opts: &str) -> String {
        let p = self.dir.path().join(name);
        if !p.exists() {
            std::fs::copy(&self.iso, &p).unwrap();
        }
        if opts.is_empty() {
            format!("emu:{}", p.display())
        } else {
            format!("emu:{},{opts}", p.display())
        }
    }
}

/// Writes the test tree and makes the disc with genisoimage; `big` is the size of the
/// largest file.
pub fn make_disc(big: usize) -> Disc {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    let put = |rel: &str, data: &[u8]| {
        let p = tree.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, data).unwrap();
    };
    put("alpha.bin", &pattern(big, 1));
    put("beta.bin", &pattern(300_000, 2));
    put("docs/gamma.txt", &pattern(5_000, 3));
    put("docs/deep/delta.dat", &pattern(200_000, 4));
    put("epsilon.bin", &pattern(150_000, 5));
    std::os::unix::fs::symlink("alpha.bin", tree.join("link")).unwrap();
    let iso = dir.path().join("disc.iso");
    let o = tool(
        "genisoimage",
        &[
            "-quiet",
            "-R",
            "-V",
            "RESCUE",
            "-o",
            iso.to_str().unwrap(),
            tree.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "genisoimage: {}", text(&o));
    let files = isoinfo_files(&iso);
    Disc {
        dir,
        tree,
        iso,
        files,
    }
}

/// Regular files of `iso` with extents, from `isoinfo -R -l`.
pub fn isoinfo_files(iso: &Path) -> Vec<DiscFile> {
    let o = tool("isoinfo", &["-R", "-l", "-i", iso.to_str().unwrap()]);
    assert!(o.status.success(), "isoinfo: {}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut files = Vec::new();
    let mut dir = String::new();
    for line in out.lines() {
        if let Some(d) = line.strip_prefix("Directory listing of ") {
            dir = d.trim().trim_start_matches('/').to_string();
            continue;
        }
        // -rw-r--r--   1    0    0      300000 Nov 24 2026 [     26 00]  beta.bin
        if !line.starts_with('-') {
            continue;
        }
        let (Some(open), Some(close)) = (line.find('['), line.find(']')) else {
            continue;
        };
        let lba: u32 = line[open + 1..close]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let before: Vec<&str> = line[..open].split_whitespace().collect();
        let size: u64 = before[4].parse().unwrap();
        let name = line[close + 1..].trim().to_string();
        files.push(DiscFile {
            path: format!("{dir}{name}"),
            lba,
            size,
        });
    }
    files
}

/// `(lba, blocks)` of every READ(10) in a `-vv` trace on stderr.
pub fn traced_reads(stderr: &[u8]) -> Vec<(u32, u32)> {
    let s = String::from_utf8_lossy(stderr);
    let mut out = Vec::new();
    for line in s.lines() {
        let Some(rest) = line.trim_start().strip_prefix("CDB:") else {
            continue;
        };
        let b: Vec<u8> = rest
            .split_whitespace()
            .take(10)
            .filter_map(|h| u8::from_str_radix(h, 16).ok())
            .collect();
        if b.len() == 10 && b[0] == 0x28 {
            let lba = u32::from_be_bytes([b[2], b[3], b[4], b[5]]);
            let n = u32::from(u16::from_be_bytes([b[7], b[8]]));
            out.push((lba, n));
        }
    }
    out
}

/// Unreadable blocks GNU ddrescuelog lists in `map` (2048-byte blocks).
pub fn ddrescuelog_list(map: &Path, types: &str) -> Vec<u32> {
    let o = tool(
        "ddrescuelog",
        &["-b", "2048", &format!("-l{types}"), map.to_str().unwrap()],
    );
    assert!(o.status.success(), "ddrescuelog: {}", text(&o));
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect()
}

/// Every LBA of the inclusive ranges.
pub fn expand(ranges: &[(u32, u32)]) -> Vec<u32> {
    ranges.iter().flat_map(|&(a, b)| a..=b).collect()
}
