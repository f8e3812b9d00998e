//! `discburn add --mirror DIR` (xorriso `-update_r`): five sessions on an emulated BD-R
//! over a tree changed at random between them (files added, changed in place with the same
//! size and modification time, removed, renamed, directories removed); after each, xorriso
//! (libisofs) extracts the newest session and it equals the tree at that moment, and the
//! session checks against its own MD5s (`verify` without image or tree). `--exclude`
//! leaves matching files out (and removes them from the session).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::burn::*;

/// A small deterministic generator (xorshift64*), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn files_below(root: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = read_tree(root).keys().map(|k| root.join(k)).collect();
    v.sort();
    v
}

fn dirs_below(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.push(p.clone());
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

/// One round of random changes.
fn change(root: &Path, rng: &mut Rng, round: usize) -> Vec<String> {
    let mut did = Vec::new();
    for k in 0..6 {
        let files = files_below(root);
        match rng.below(6) {
            0 | 1 => {
                let dirs = dirs_below(root);
                let d = if dirs.is_empty() || rng.below(3) == 0 {
                    root.join(format!("n{round}_{k}"))
                } else {
                    dirs[rng.below(dirs.len())].clone()
                };
                let p = d.join(format!("new{round}_{k}.bin"));
                fs::create_dir_all(&d).unwrap();
                fs::write(&p, pattern(rng.below(40_000) + 1, (round * 7 + k) as u8)).unwrap();
                did.push(format!("add {}", p.display()));
            }
            2 if !files.is_empty() => {
                // Same size, same modification time, other bytes: found only by content.
                let p = &files[rng.below(files.len())];
                let m = fs::metadata(p).unwrap();
                let mut b = fs::read(p).unwrap();
                let i = rng.below(b.len().max(1));
                if let Some(x) = b.get_mut(i) {
                    *x ^= 0xa5;
                }
                fs::write(p, &b).unwrap();
                let f = fs::File::options().write(true).open(p).unwrap();
                f.set_modified(m.modified().unwrap()).unwrap();
                did.push(format!("change {}", p.display()));
            }
            3 if !files.is_empty() => {
                let p = &files[rng.below(files.len())];
                fs::remove_file(p).unwrap();
                did.push(format!("remove {}", p.display()));
            }
            4 if !files.is_empty() => {
                let p = &files[rng.below(files.len())];
                let q = p.with_file_name(format!("renamed{round}_{k}"));
                fs::rename(p, &q).unwrap();
                did.push(format!("rename {} {}", p.display(), q.display()));
            }
            5 => {
                let dirs = dirs_below(root);
                if !dirs.is_empty() {
                    let d = &dirs[rng.below(dirs.len())];
                    fs::remove_dir_all(d).unwrap();
                    did.push(format!("rmdir {}", d.display()));
                }
            }
            _ => {}
        }
    }
    did
}

fn mirror(dev: &str, dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "add",
        "--json",
        "--dev",
        dev,
        "--mirror",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = discburn(&args);
    assert!(out.status.success(), "add --mirror failed: {}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
}

#[test]
fn five_mirror_runs_over_a_randomly_changed_tree() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=bd-r", disc.display());
    let src = t.path().join("src");
    put(&src, "a.txt", b"alpha\n");
    put(&src, "d1/b.bin", &pattern(50_000, 1));
    put(&src, "d1/d2/c.bin", &pattern(30_000, 2));
    put(&src, "d3/e.txt", b"e\n");
    let mut rng = Rng(0x5eed_0018);
    for round in 0..5 {
        let did = if round == 0 {
            Vec::new()
        } else {
            change(&src, &mut rng, round)
        };
        eprintln!("round {round}: {did:?}");
        let j = mirror(&dev, &src, &[]);
        let start = j["start"].as_u64().unwrap() as u32;
        let got = xorriso_tree(&disc, start);
        let want = read_tree(&src);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "round {round} after {did:?}: {j}"
        );
        for (k, v) in &want {
            assert!(got[k] == *v, "round {round}: {k} differs after {did:?}");
        }
        let o = discburn(&["verify", "--dev", &dev]);
        assert!(o.status.success(), "round {round}: {}", text(&o));
    }
}

#[test]
fn mirror_exclude_leaves_matching_files_out() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=dvd+r", disc.display());
    let src = t.path().join("src");
    put(&src, "keep.txt", b"keep\n");
    put(&src, "drop.tmp", b"drop\n");
    put(&src, "sub/also.tmp", b"also\n");
    let j = mirror(&dev, &src, &[]);
    let all = xorriso_tree(&disc, j["start"].as_u64().unwrap() as u32);
    assert_eq!(all.len(), 3);
    let j = mirror(&dev, &src, &["--exclude", "*.tmp"]);
    let got = xorriso_tree(&disc, j["start"].as_u64().unwrap() as u32);
    assert_eq!(got.keys().collect::<Vec<_>>(), ["keep.txt"], "{j}");
}
