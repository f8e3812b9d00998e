//! Shared helpers of the isofs peer tests: fixture trees, image building, tree snapshots
//! and the independent readers (xorriso, isoinfo, bsdtar, 7z).
#![allow(dead_code)] // reason: each test binary uses a different subset
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers panic on failure

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use isofs::{FileSource, Image, Options, ScanOptions, Tree};

/// What a reader reports about one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    pub kind: char,
    pub size: u64,
    pub hash: u64,
    pub perm: u32,
    pub target: String,
    pub mtime: i64,
    pub rdev: u64,
    /// Other paths of the same hard-link group (sorted), empty when none.
    pub links: Vec<String>,
}

pub type Snap = BTreeMap<String, Info>;

pub fn fnv(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

pub fn fixture_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/make_tree.sh")
}

/// Runs the committed fixture script into `dir`.
pub fn make_fixture(dir: &Path) {
    let st = Command::new("sh")
        .arg(fixture_script())
        .arg(dir)
        .status()
        .expect("run sh");
    assert!(
        st.success(),
        "fixture script failed (it needs root for mknod)"
    );
}

/// Requires a tool; fails with what to install when missing.
pub fn need(tool: &str, package: &str) {
    let ok = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "{tool} is missing: install the Debian package {package}"
    );
}

pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Snapshot of a directory on the local file system.
pub fn snapshot_dir(root: &Path) -> Snap {
    let mut snap = Snap::new();
    let mut inodes: BTreeMap<(u64, u64), Vec<String>> = BTreeMap::new();
    fn walk(
        root: &Path,
        rel: &str,
        snap: &mut Snap,
        inodes: &mut BTreeMap<(u64, u64), Vec<String>>,
    ) {
        let dir = if rel.is_empty() {
            root.to_path_buf()
        } else {
            root.join(rel)
        };
        let mut names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        for n in names {
            let name = n.to_string_lossy().into_owned();
            let r = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let p = root.join(&r);
            let md = fs::symlink_metadata(&p).unwrap();
            let ft = md.file_type();
            let kind = if ft.is_dir() {
                'd'
            } else if ft.is_symlink() {
                'l'
            } else if ft.is_file() {
                '-'
            } else {
                use std::os::unix::fs::FileTypeExt;
                if ft.is_fifo() {
                    'p'
                } else if ft.is_char_device() {
                    'c'
                } else if ft.is_block_device() {
                    'b'
                } else {
                    's'
                }
            };
            let (size, hash) = if kind == '-' {
                let d = fs::read(&p).unwrap();
                (d.len() as u64, fnv(&d))
            } else {
                (0, 0)
            };
            let target = if kind == 'l' {
                fs::read_link(&p).unwrap().to_string_lossy().into_owned()
            } else {
                String::new()
            };
            if kind == '-' && md.nlink() > 1 {
                inodes
                    .entry((md.dev(), md.ino()))
                    .or_default()
                    .push(r.clone());
            }
            snap.insert(
                r.clone(),
                Info {
                    kind,
                    size,
                    hash,
                    perm: md.mode() & 0o7777,
                    target,
                    mtime: md.mtime(),
                    rdev: if matches!(kind, 'c' | 'b') {
                        md.rdev()
                    } else {
                        0
                    },
                    links: Vec::new(),
                },
            );
            if kind == 'd' {
                walk(root, &r, snap, inodes);
            }
        }
    }
    walk(root, "", &mut snap, &mut inodes);
    for group in inodes.values() {
        for p in group {
            let mut others: Vec<String> = group.iter().filter(|x| *x != p).cloned().collect();
            others.sort();
            if let Some(i) = snap.get_mut(p) {
                i.links = others;
            }
        }
    }
    snap
}

/// Which fields a reader can be held to.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    pub content: bool,
    pub perm: bool,
    pub mtime: bool,
    pub dir_mtime: bool,
    pub symlinks: bool,
    pub special: bool,
    pub hardlinks: bool,
    /// Longest path component (UTF-16 units) the reader sees unchanged (Joliet: 64).
    pub max_name: usize,
}

pub const FULL: Caps = Caps {
    content: true,
    perm: true,
    mtime: true,
    dir_mtime: true,
    symlinks: true,
    special: true,
    hardlinks: true,
    max_name: 255,
};

/// Compares a reader's snapshot with the source's, field by field as far as `caps` allow.
pub fn compare(what: &str, want: &Snap, got: &Snap, caps: Caps) {
    let keep = |p: &str, i: &Info| -> bool {
        let limit = if caps.max_name < 255 {
            caps.max_name - 1
        } else {
            255
        };
        if p.split('/').any(|c| c.encode_utf16().count() > limit) {
            return false;
        }
        match i.kind {
            'l' => caps.symlinks,
            'p' | 'c' | 'b' | 's' => caps.special,
            _ => true,
        }
    };
    let full = want;
    let want: BTreeMap<&String, &Info> = want.iter().filter(|(p, i)| keep(p, i)).collect();
    // A reader without symlinks/special files shows them as plain files: judge by the
    // source's kind; names cut to exactly max_name units are truncated long names.
    let got: BTreeMap<&String, &Info> = got
        .iter()
        .filter(|(p, i)| {
            let src_kind = full.get(*p).unwrap_or(i);
            keep(p, src_kind)
                && !p
                    .split('/')
                    .any(|c| c.encode_utf16().count() == caps.max_name && caps.max_name < 255)
                && *p != "rr_moved"
                && *p != ".rr_moved"
        })
        .collect();
    let wk: Vec<&&String> = want.keys().collect();
    let gk: Vec<&&String> = got.keys().collect();
    assert_eq!(wk, gk, "{what}: names differ");
    let mut errs = Vec::new();
    for (p, w) in &want {
        let g = got[p];
        if w.kind != g.kind && !(w.kind == '-' && !caps.special && g.kind == '-') {
            errs.push(format!("{p}: kind {} vs {}", w.kind, g.kind));
            continue;
        }
        if w.kind == '-' && caps.content && (w.size != g.size || w.hash != g.hash) {
            errs.push(format!(
                "{p}: size/hash {}/{:x} vs {}/{:x}",
                w.size, w.hash, g.size, g.hash
            ));
        }
        if caps.perm && w.perm != g.perm {
            errs.push(format!("{p}: perm {:o} vs {:o}", w.perm, g.perm));
        }
        if caps.mtime && (w.kind != 'd' || caps.dir_mtime) && w.kind != 'l' && w.mtime != g.mtime {
            errs.push(format!("{p}: mtime {} vs {}", w.mtime, g.mtime));
        }
        if w.kind == 'l' && w.target != g.target {
            errs.push(format!("{p}: target {:?} vs {:?}", w.target, g.target));
        }
        if matches!(w.kind, 'c' | 'b') && w.rdev != g.rdev {
            errs.push(format!("{p}: rdev {} vs {}", w.rdev, g.rdev));
        }
        if caps.hardlinks && w.links != g.links {
            errs.push(format!("{p}: links {:?} vs {:?}", w.links, g.links));
        }
    }
    assert!(
        errs.is_empty(),
        "{what}: {} differences:\n{}",
        errs.len(),
        errs.join("\n")
    );
}

/// Builds an image of `src` with `opts` into `out`; returns its size in blocks.
pub fn build(src: &Path, opts: Options, out: &Path) -> u32 {
    let mut tree = Tree::new();
    tree.add_source("/", src, &ScanOptions::default()).unwrap();
    let img = Image::new(tree, opts, None).unwrap();
    let mut f = std::io::BufWriter::new(fs::File::create(out).unwrap());
    img.write_to(&mut f).unwrap();
    drop(f);
    assert_eq!(
        fs::metadata(out).unwrap().len(),
        u64::from(img.size_blocks()) * 2048
    );
    img.size_blocks()
}

/// Snapshot of an image through our own reader (no extraction), session at `start`.
pub fn snapshot_ours(img: &Path, start: u32, ns: Option<isofs::Namespace>) -> Snap {
    let src = FileSource::open(img).unwrap();
    let mut vol = isofs::Volume::open(src, start, ns).unwrap();
    let root = vol.root().clone();
    let mut entries: Vec<(String, isofs::Entry)> = Vec::new();
    vol.walk(&root, &mut |p, e| {
        entries.push((p.to_string(), e.clone()));
        Ok(())
    })
    .unwrap();
    let mut snap = Snap::new();
    let mut groups: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for (p, e) in entries {
        let ft = e.mode.map(|m| m & 0o170000);
        let kind = if e.is_dir {
            'd'
        } else if e.symlink.is_some() {
            'l'
        } else {
            match ft {
                Some(0o010000) => 'p',
                Some(0o020000) => 'c',
                Some(0o060000) => 'b',
                Some(0o140000) => 's',
                _ => '-',
            }
        };
        let (size, hash) = if kind == '-' {
            let mut v = Vec::new();
            vol.read_file(&e, &mut v).unwrap();
            (v.len() as u64, fnv(&v))
        } else {
            (0, 0)
        };
        if kind == '-' && e.nlink.unwrap_or(1) > 1 {
            if let Some(ino) = e.ino {
                groups.entry(ino).or_default().push(p.clone());
            }
        }
        snap.insert(
            p,
            Info {
                kind,
                size,
                hash,
                perm: e.mode.unwrap_or(0) & 0o7777,
                target: e.symlink.clone().unwrap_or_default(),
                mtime: e.mtime.map_or(0, |t| t.secs),
                rdev: e.rdev.unwrap_or(0),
                links: Vec::new(),
            },
        );
    }
    for g in groups.values() {
        for p in g {
            let mut o: Vec<String> = g.iter().filter(|x| *x != p).cloned().collect();
            o.sort();
            if let Some(i) = snap.get_mut(p) {
                i.links = o;
            }
        }
    }
    snap
}

pub fn extract_xorriso(img: &Path, out: &Path) -> Snap {
    need("xorriso", "xorriso");
    fs::create_dir_all(out).unwrap();
    run(Command::new("xorriso")
        .args(["-osirrox", "on:device_files", "-hardlinks", "on", "-indev"])
        .arg(img)
        .args(["-extract", "/"])
        .arg(out));
    snapshot_dir(out)
}

pub fn extract_bsdtar(img: &Path, out: &Path) -> Snap {
    need("bsdtar", "libarchive-tools");
    fs::create_dir_all(out).unwrap();
    run(Command::new("bsdtar")
        .arg("-xpf")
        .arg(img)
        .arg("-C")
        .arg(out));
    snapshot_dir(out)
}

pub fn extract_7z(img: &Path, out: &Path) -> Snap {
    need("7z", "p7zip-full");
    fs::create_dir_all(out).unwrap();
    run(Command::new("7z")
        .arg("x")
        .arg("-y")
        .arg(format!("-o{}", out.display()))
        .arg(img));
    snapshot_dir(out)
}

/// `isoinfo -R -l` (or `-J -l`) listing: path -> (kind, perm, size, link target).
pub fn isoinfo_list(img: &Path, flag: &str) -> BTreeMap<String, (char, u32, u64, String)> {
    isoinfo_list_args(img, &[flag])
}

/// [`isoinfo_list`] with the arguments `args` (e.g. `["-R", "-T", "1234"]`).
pub fn isoinfo_list_args(img: &Path, args: &[&str]) -> BTreeMap<String, (char, u32, u64, String)> {
    need("isoinfo", "genisoimage");
    let text = run(Command::new("isoinfo")
        .args(args)
        .arg("-l")
        .arg("-i")
        .arg(img));
    let mut out = BTreeMap::new();
    let mut dir = String::new();
    for line in text.lines() {
        if let Some(d) = line.strip_prefix("Directory listing of ") {
            dir = d.trim_start_matches('/').to_string();
            continue;
        }
        if line.len() < 10
            || !matches!(
                line.as_bytes()[0],
                b'd' | b'-' | b'l' | b'c' | b'b' | b'p' | b's' | b'f'
            )
        {
            continue;
        }
        let Some(close) = line.find("] ") else {
            continue;
        };
        let name_part = &line[close + 2..];
        let name_part = name_part.strip_prefix(' ').unwrap_or(name_part);
        let (name, target) = match name_part.find(" -> ") {
            Some(i) => (&name_part[..i], name_part[i + 4..].to_string()),
            None => (name_part.trim_end(), String::new()),
        };
        let name = name.trim_end();
        if name == "." || name == ".." {
            continue;
        }
        let toks: Vec<&str> = line.split_whitespace().collect();
        let size: u64 = toks.get(4).and_then(|s| s.parse().ok()).unwrap_or(0);
        let ms = &line[..10];
        let mut perm = 0u32;
        for (i, c) in ms[1..].chars().enumerate() {
            if c != '-' {
                perm |= 1 << (8 - i);
            }
        }
        let kind = match ms.as_bytes()[0] {
            b'f' => 'p',
            c => c as char,
        };
        out.insert(format!("{dir}{name}"), (kind, perm, size, target));
    }
    out
}

/// Blocks of 2048 bytes in the image file `img`.
pub fn blocks_of(img: &Path) -> u32 {
    (fs::metadata(img).unwrap().len() / 2048) as u32
}

/// The tree of the session at `start` of `img` as xorriso extracts it into `out`.
pub fn xorriso_session(img: &Path, start: u32, out: &Path) -> Snap {
    need("xorriso", "xorriso");
    fs::create_dir_all(out).unwrap();
    run(Command::new("xorriso")
        .args([
            "-osirrox",
            "on:device_files",
            "-hardlinks",
            "on",
            "-load",
            "sbsector",
        ])
        .arg(start.to_string())
        .arg("-indev")
        .arg(img)
        .args(["-extract", "/"])
        .arg(out));
    snapshot_dir(out)
}
