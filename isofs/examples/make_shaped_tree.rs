//! Writes one of the deterministic tree shapes of the tests (`tests/common/shapes.rs`) to
//! a directory, for `bench/`:
//!
//! ```text
//! make_shaped_tree linux DIR [--small]   # the Linux-source-shaped tree (78,579 files)
//! make_shaped_tree flat DIRS PER DIR     # DIRS directories of PER small files
//! make_shaped_tree deep DIR              # 30,000 files 12 levels deep
//! make_shaped_tree unicode DIR           # 20,000 files with long Unicode names
//! make_shaped_tree stats linux           # prints the shape's statistics only
//! ```
//!
//! `--small` writes every file with a few bytes instead of its size (the directories are
//! the same; the image is then mostly directories). File contents are a pattern of the
//! path, all times one date, so two runs give byte-identical trees.
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: a bench tool that stops on failure

#[path = "../tests/common/shapes.rs"]
mod shapes;

use std::fs;
use std::io::Write;
use std::path::Path;

fn write_shape(s: &shapes::Shape, root: &Path, small: bool) {
    let paths: Vec<String> = (0..s.dirs.len()).map(|d| s.dir_path(d)).collect();
    for p in &paths {
        fs::create_dir_all(root.join(p)).unwrap();
    }
    let mut buf = Vec::new();
    for (d, name, size) in &s.files {
        let rel = if paths[*d].is_empty() {
            name.clone()
        } else {
            format!("{}/{name}", paths[*d])
        };
        let n = if small { rel.len() as u64 + 1 } else { *size } as usize;
        buf.clear();
        let line = format!("{rel}\n");
        while buf.len() < n {
            buf.extend_from_slice(line.as_bytes());
        }
        buf.truncate(n);
        let mut f = fs::File::create(root.join(&rel)).unwrap();
        f.write_all(&buf).unwrap();
    }
    // One date for everything (directories after their contents).
    let st = std::process::Command::new("find")
        .arg(root)
        .args([
            "-exec",
            "touch",
            "-h",
            "-d",
            "2022-01-02 03:04:05 UTC",
            "{}",
            "+",
        ])
        .status()
        .unwrap();
    assert!(st.success());
}

fn stats(s: &shapes::Shape) {
    let per = s.files_per_dir();
    let mut sorted = per.clone();
    sorted.sort_unstable();
    let depth = (0..s.dirs.len()).map(|d| s.depth(d)).max().unwrap_or(0);
    let names: usize = s.files.iter().map(|f| f.1.len()).sum::<usize>()
        + s.dirs.iter().map(|d| d.1.len()).sum::<usize>();
    let bytes: u64 = s.files.iter().map(|f| f.2).sum();
    let mut hist = vec![0usize; depth + 1];
    for d in 1..s.dirs.len() {
        hist[s.depth(d)] += 1;
    }
    println!("directories per depth (1 = in the root): {:?}", &hist[1..]);
    println!(
        "{} files, {} directories below the root, depth {depth}, files per directory: median {}, \
         max {} (then {}, {}), average name {:.1} bytes, {:.1} MB of file data",
        s.files.len(),
        s.dirs.len() - 1,
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1],
        sorted[sorted.len() - 2],
        sorted[sorted.len() - 3],
        names as f64 / (s.files.len() + s.dirs.len()) as f64,
        bytes as f64 / 1e6
    );
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    match a.as_slice() {
        ["stats", "linux"] => stats(&shapes::linux()),
        ["stats", "flat", d, p] => stats(&shapes::flat(d.parse().unwrap(), p.parse().unwrap())),
        ["linux", dir, rest @ ..] => {
            let s = shapes::linux();
            write_shape(&s, Path::new(dir), rest.contains(&"--small"));
            stats(&s);
        }
        ["deep", dir] => {
            let s = shapes::deep();
            write_shape(&s, Path::new(dir), false);
            stats(&s);
        }
        ["unicode", dir] => {
            let s = shapes::unicode();
            write_shape(&s, Path::new(dir), false);
            stats(&s);
        }
        ["flat", d, p, dir] => {
            let s = shapes::flat(d.parse().unwrap(), p.parse().unwrap());
            write_shape(&s, Path::new(dir), false);
            stats(&s);
        }
        _ => {
            eprintln!(
                "usage: make_shaped_tree linux DIR [--small] | flat DIRS PER DIR | deep DIR | unicode DIR | stats linux"
            );
            std::process::exit(2);
        }
    }
}
