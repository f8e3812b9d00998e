//! `discburn add --mirror DIR` (xorriso `-update_r`): five sessions on an emulated BD-R
//! over a tree changed at random between them (files added, changed in place with the same
//! size and modification time, removed, renamed, directories removed); after each, xorriso
//! (libisofs) extracts the newest session and it equals the tree at that moment, and the
//! session checks against its own MD5s (`verify` without image or tree). Before each,
//! `add --dry-run` lists exactly the files the session then adds, replaces and removes,
//! and its size, and sends nothing but reads (the image and state file stay byte for
//! byte). `--exclude` leaves matching files out (and removes them from the session).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
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

/// The kinds of change a round makes, each at least once.
const KINDS: [&str; 6] = ["add", "change", "remove", "rename", "rename-dir", "rmdir"];

/// One round of random changes: every kind of [`KINDS`] at least once (the first in-place
/// change on a file the disc holds, which no later change of the round moves or removes;
/// the others in a random order, on random targets, files the disc holds where any is
/// left), then a few more of random kinds. Returns what was done.
fn change(root: &Path, rng: &mut Rng, round: usize) -> Vec<String> {
    let on_disc = files_below(root);
    let keep = on_disc[rng.below(on_disc.len())].clone();
    let mut order: Vec<usize> = (0..KINDS.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    for _ in 0..3 {
        order.push(rng.below(KINDS.len()));
    }
    let mut did = Vec::new();
    let mut kept_changed = false;
    for (k, &kind) in order.iter().enumerate() {
        // Keep something to change, rename and remove besides `keep`: at least three files
        // in two directories below the root.
        let others = |root: &Path| {
            let f = files_below(root).into_iter().filter(|f| *f != keep).count();
            let d = dirs_below(root)
                .into_iter()
                .filter(|d| !keep.starts_with(d))
                .count();
            (f, d)
        };
        while others(root).0 < 3 || others(root).1 < 2 {
            let d = root.join(format!("m{round}_{k}_{}", did.len()));
            let p = d.join(format!("f{}.bin", did.len()));
            fs::create_dir_all(&d).unwrap();
            fs::write(&p, pattern(rng.below(20_000) + 1, did.len() as u8)).unwrap();
            did.push(format!("add {}", p.display()));
        }
        let mut files = files_below(root);
        files.retain(|f| *f != keep);
        if files.iter().any(|f| on_disc.contains(f)) {
            files.retain(|f| on_disc.contains(f));
        }
        if KINDS[kind] == "change" && !kept_changed {
            files = vec![keep.clone()];
            kept_changed = true;
        }
        let mut dirs = dirs_below(root);
        dirs.retain(|d| !keep.starts_with(d));
        match KINDS[kind] {
            "add" => {
                let all = dirs_below(root);
                let d = if rng.below(3) == 0 {
                    root.join(format!("n{round}_{k}"))
                } else {
                    all[rng.below(all.len())].clone()
                };
                let p = d.join(format!("new{round}_{k}.bin"));
                fs::create_dir_all(&d).unwrap();
                fs::write(&p, pattern(rng.below(40_000) + 1, (round * 7 + k) as u8)).unwrap();
                did.push(format!("add {}", p.display()));
            }
            "change" => {
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
                drop(f);
                let n = fs::metadata(p).unwrap();
                assert_eq!(
                    (n.len(), n.modified().unwrap()),
                    (m.len(), m.modified().unwrap())
                );
                did.push(format!("change {}", p.display()));
            }
            "remove" => {
                let p = &files[rng.below(files.len())];
                fs::remove_file(p).unwrap();
                did.push(format!("remove {}", p.display()));
            }
            "rename" => {
                let p = &files[rng.below(files.len())];
                let q = p.with_file_name(format!("renamed{round}_{k}"));
                fs::rename(p, &q).unwrap();
                did.push(format!("rename {} {}", p.display(), q.display()));
            }
            "rename-dir" => {
                let d = &dirs[rng.below(dirs.len())];
                let q = d.with_file_name(format!("dir{round}_{k}"));
                fs::rename(d, &q).unwrap();
                did.push(format!("rename-dir {} {}", d.display(), q.display()));
            }
            _ => {
                let d = &dirs[rng.below(dirs.len())];
                fs::remove_dir_all(d).unwrap();
                did.push(format!("rmdir {}", d.display()));
            }
        }
    }
    for kind in KINDS {
        assert!(
            did.iter().any(|d| d.split(' ').next() == Some(kind)),
            "round {round} made no {kind}: {did:?}"
        );
    }
    did
}

/// Every directory below `root`, relative, sorted.
fn dir_names(root: &Path) -> Vec<String> {
    dirs_below(root)
        .iter()
        .map(|d| d.strip_prefix(root).unwrap().to_string_lossy().to_string())
        .collect()
}

/// xorriso's extraction of the session at `start`: (files by path, directories).
fn xorriso_extract(disc: &Path, start: u32) -> (BTreeMap<String, Vec<u8>>, Vec<String>) {
    let t = tempfile::tempdir().unwrap();
    let dest = t.path().join("x");
    let o = tool(
        "xorriso",
        &[
            "-abort_on",
            "FAILURE",
            "-load",
            "sbsector",
            &start.to_string(),
            "-indev",
            disc.to_str().unwrap(),
            "-osirrox",
            "on",
            "-extract",
            "/",
            dest.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "xorriso failed: {}", text(&o));
    let _ = std::process::Command::new("chmod")
        .args(["-R", "u+rwx"])
        .arg(&dest)
        .status();
    (read_tree(&dest), dir_names(&dest))
}

/// The changes between two trees as `add --dry-run --json` lists them (image paths).
fn changes(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let slash = |k: &String| format!("/{k}");
    let added = after.keys().filter(|k| !before.contains_key(*k)).map(slash);
    let replaced = after
        .iter()
        .filter(|(k, v)| before.get(*k).is_some_and(|b| b != *v))
        .map(|(k, _)| slash(k));
    let removed = before.keys().filter(|k| !after.contains_key(*k)).map(slash);
    (added.collect(), replaced.collect(), removed.collect())
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The opcodes of every command a `-vv` trace shows.
fn traced_opcodes(stderr: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("CDB:"))
        .filter_map(|r| u8::from_str_radix(r.split_whitespace().next()?, 16).ok())
        .collect()
}

/// Commands that change a medium or what a drive will do with it: WRITE(10/12), WRITE AND
/// VERIFY(10), MODE SELECT(6/10), RESERVE TRACK, CLOSE TRACK/SESSION, SYNCHRONIZE CACHE,
/// FORMAT UNIT, SEND CUE SHEET, SET STREAMING, SET CD SPEED, SEND OPC INFORMATION, BLANK.
const CHANGING: [u8; 15] = [
    0x2A, 0xAA, 0x2E, 0x15, 0x55, 0x53, 0x5B, 0x35, 0x04, 0x5D, 0xB6, 0xBB, 0x54, 0xA1, 0x1E,
];

/// `add --dry-run --json -vv ARGS`: asserts it sent no changing command and left the
/// disc's image and state file byte for byte as they were; returns its summary.
fn dry_run(disc: &Path, args: &[&str], expect_ok: bool) -> serde_json::Value {
    let before = snapshot(disc);
    let mut a = vec!["add", "--dry-run", "--json", "-vv"];
    a.extend_from_slice(args);
    let o = discburn(&a);
    assert_eq!(o.status.success(), expect_ok, "add --dry-run: {}", text(&o));
    let ops = traced_opcodes(&o.stderr);
    // The trace is read: INQUIRY is always among the commands.
    assert!(ops.contains(&0x12), "no command traced: {}", text(&o));
    let sent: Vec<u8> = ops
        .iter()
        .copied()
        .filter(|c| CHANGING.contains(c))
        .collect();
    assert!(sent.is_empty(), "add --dry-run sent {sent:02x?}");
    assert_same(&snapshot(disc), &before, "add --dry-run");
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)))
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
    // The blank disc is put in (the emulator creates its image) before the first dry run.
    assert!(discburn(&["media", "--dev", &dev]).status.success());
    let mut rng = Rng(0x5eed_0018);
    let mut on_disc = BTreeMap::new();
    for round in 0..5 {
        let did = if round == 0 {
            Vec::new()
        } else {
            change(&src, &mut rng, round)
        };
        eprintln!("round {round}: {did:?}");
        let want = read_tree(&src);
        // The dry run first: it names exactly the changes and writes nothing.
        let dry = dry_run(
            &disc,
            &["--dev", &dev, "--mirror", src.to_str().unwrap()],
            true,
        );
        let (added, replaced, removed) = changes(&on_disc, &want);
        assert!(
            round == 0 || !replaced.is_empty(),
            "round {round}: no in-place change"
        );
        assert_eq!(strings(&dry["added"]), added, "round {round}: {dry}");
        assert_eq!(strings(&dry["replaced"]), replaced, "round {round}: {dry}");
        assert_eq!(strings(&dry["removed"]), removed, "round {round}: {dry}");
        assert_eq!(dry["fits"], true, "{dry}");
        let j = mirror(&dev, &src, &[]);
        for k in ["session", "start", "blocks"] {
            assert_eq!(
                dry[k], j[k],
                "round {round}: the dry run's {k} is the add's"
            );
        }
        for k in ["added", "replaced", "removed"] {
            assert_eq!(
                dry[k].as_array().unwrap().len() as u64,
                j[k],
                "round {round}: {k}"
            );
        }
        let free = dry["free_blocks"].as_u64().unwrap();
        let left = j["blocks_left"].as_u64().unwrap();
        assert!(free >= j["blocks"].as_u64().unwrap() + left, "{dry} {j}");
        let start = j["start"].as_u64().unwrap() as u32;
        let (got, got_dirs) = xorriso_extract(&disc, start);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "round {round} after {did:?}: {j}"
        );
        for (k, v) in &want {
            assert!(got[k] == *v, "round {round}: {k} differs after {did:?}");
        }
        assert_eq!(got_dirs, dir_names(&src), "round {round}: directories");
        let o = discburn(&["verify", "--dev", &dev]);
        assert!(o.status.success(), "round {round}: {}", text(&o));
        on_disc = want;
    }
}

/// `add --dry-run` without --mirror, on an overwritable medium (where `add` would also
/// rewrite block 16): lists the files a path and a `--remove` would add, replace and
/// remove, and a session that would not fit the free space exits 1 saying so, writing
/// nothing either way.
#[test]
fn dry_run_on_dvd_plus_rw_and_a_session_that_does_not_fit() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=dvd+rw", disc.display());
    let src = t.path().join("src");
    put(&src, "keep.txt", b"keep\n");
    put(&src, "old.txt", b"old\n");
    put(&src, "d/gone.bin", &pattern(10_000, 3));
    assert!(discburn(&["media", "--dev", &dev]).status.success());
    // A blank, unformatted DVD+RW: the dry run says it would be formatted.
    let j = dry_run(&disc, &["--dev", &dev, src.to_str().unwrap()], true);
    assert_eq!(
        strings(&j["added"]),
        ["/d/gone.bin", "/keep.txt", "/old.txt"],
        "{j}"
    );
    assert_eq!(
        (j["session"].as_u64(), j["start"].as_u64()),
        (Some(1), Some(32)),
        "{j}"
    );
    let first = add(&dev, &[], &[&src]);
    let next = src.parent().unwrap().join("next");
    put(&next, "old.txt", b"new\n");
    put(&next, "big.bin", &pattern(300_000, 4));
    let j = dry_run(
        &disc,
        &["--dev", &dev, "--remove", "/d", next.to_str().unwrap()],
        true,
    );
    assert_eq!(strings(&j["added"]), ["/big.bin"], "{j}");
    assert_eq!(strings(&j["replaced"]), ["/old.txt"], "{j}");
    assert_eq!(strings(&j["removed"]), ["/d/gone.bin"], "{j}");
    assert_eq!(j["fits"], true, "{j}");
    assert_eq!(j["session"], 2, "{j}");
    assert!(
        j["start"].as_u64().unwrap()
            >= first["start"].as_u64().unwrap() + first["blocks"].as_u64().unwrap()
    );
    let blocks = j["blocks"].as_u64().unwrap();
    // The same disc in a drive that holds only a little more than what is written: the
    // session would not fit, and the dry run says so with exit status 1.
    let small = format!(
        "emu:{},fill_early={}",
        disc.display(),
        j["start"].as_u64().unwrap() + blocks / 2
    );
    let o = discburn(&[
        "add",
        "--dry-run",
        "--dev",
        &small,
        "--remove",
        "/d",
        next.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("add /big.bin") && out.contains("remove /d/gone.bin"),
        "{}",
        text(&o)
    );
    assert!(out.contains("does NOT fit"), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("would not fit"),
        "{}",
        text(&o)
    );
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
