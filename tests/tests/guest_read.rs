//! Issue 7 in the guest, through the Linux kernel's SG_IO on QEMU's `scsi-cd`: `discburn
//! read --all` (and `--session 1`, and the `readcd` personality) produce exactly the ISO
//! (MD5 in the guest against MD5 on the host), `check` reads the whole disc without an
//! unreadable block, and `verify --image` finds no difference (its session area comes from
//! the TOC there, QEMU having no READ TRACK INFORMATION).
//!
//! `read_throughput_vs_dd` is the benchmark behind `bench/read.sh` (ignored by default):
//! it prints discburn's rate and `dd if=/dev/sr0 bs=64k`'s in the same guest, and the ratio.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers, a failure is a test failure

use std::path::{Path, PathBuf};

use discburn_tests::host::run_tool;
use discburn_tests::Vm;

fn pattern(len: usize, seed: u32) -> Vec<u8> {
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

/// An ISO of about `mb` MB made by genisoimage.
fn make_iso(dir: &Path, mb: usize) -> PathBuf {
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    for i in 0..mb.max(1) {
        std::fs::write(
            tree.join(format!("sub/f{i:03}.bin")),
            pattern(1_000_000, i as u32),
        )
        .unwrap();
    }
    std::fs::write(tree.join("small.txt"), b"small\n").unwrap();
    let iso = dir.join("disc.iso");
    run_tool(
        "genisoimage",
        "genisoimage",
        [
            "-quiet",
            "-R",
            "-V",
            "READTEST",
            "-o",
            iso.to_str().unwrap(),
            tree.to_str().unwrap(),
        ],
    )
    .unwrap();
    iso
}

fn host_md5(p: &Path) -> String {
    let out = run_tool("md5sum", "coreutils", [p.to_str().unwrap()]).unwrap();
    String::from_utf8_lossy(&out)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

fn first_word(s: &str) -> String {
    s.split_whitespace().next().unwrap_or("").to_string()
}

#[test]
fn guest_read_all_equals_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let iso = make_iso(dir.path(), 6);
    let md5 = host_md5(&iso);
    let mut vm = Vm::new();
    vm.cd(0, &iso)
        .host_file("/tmp/disc.iso", &iso)
        .symlink("usr/bin/readcd", "discburn")
        .named(
            "read_all",
            "discburn read --dev /dev/sr0 --all -o /tmp/all.img --map /tmp/all.map -q >&2 && md5sum /tmp/all.img",
        )
        .named(
            "read_session",
            "discburn read --dev /dev/sr0 --session 1 -o /tmp/s1.img -q >&2 && md5sum /tmp/s1.img",
        )
        .named("readcd", "readcd dev=/dev/sr0 f=/tmp/rc.img && md5sum /tmp/rc.img")
        .named("map", "cat /tmp/all.map")
        .named("check", "discburn check --dev /dev/sr0 --json -q")
        .named("verify", "discburn verify --dev /dev/sr0 --image /tmp/disc.iso --json");
    let run = vm.run().unwrap();
    for name in ["read_all", "read_session", "readcd"] {
        let o = run.get(name);
        o.assert_success();
        assert_eq!(first_word(&o.stdout_str()), md5, "{name}: {}", o.describe());
    }
    let map = run.get("map").stdout_str();
    let blocks: Vec<&str> = map
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .collect();
    assert_eq!(blocks.len(), 1, "one finished block: {map}");
    assert!(blocks[0].trim_end().ends_with('+'), "{map}");
    let c = run.get("check");
    c.assert_success();
    let j: serde_json::Value = serde_json::from_str(&c.stdout_str()).unwrap();
    assert_eq!(j["bad_blocks"], 0, "{j}");
    let size = std::fs::metadata(&iso).unwrap().len() / 2048;
    assert_eq!(j["area"]["blocks"].as_u64().unwrap(), size);
    let v = run.get("verify");
    v.assert_success();
    let j: serde_json::Value = serde_json::from_str(&v.stdout_str()).unwrap();
    assert_eq!(j["differences"].as_array().unwrap().len(), 0, "{j}");
    assert_eq!(j["compared"].as_u64().unwrap(), size);
}

/// Runs in the guest: warm the host's cache, then dd and discburn each from a cold guest
/// cache, timed by the guest's /proc/uptime (10 ms steps; busybox date has no %N).
const BENCH: &str = "cat /dev/sr0 > /dev/null; \
    echo 3 > /proc/sys/vm/drop_caches; \
    read a x < /proc/uptime; dd if=/dev/sr0 of=/dev/null bs=64k 2>/dev/null; read b x < /proc/uptime; \
    echo 3 > /proc/sys/vm/drop_caches; \
    read c x < /proc/uptime; discburn read --dev /dev/sr0 --all -o /dev/null -q >/tmp/r.txt || exit 1; read d x < /proc/uptime; \
    echo $a $b $c $d; cat /tmp/r.txt";

#[test]
#[ignore = "benchmark: run by bench/read.sh"]
fn read_throughput_vs_dd() {
    let mb: usize = std::env::var("DISCBURN_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let iso = make_iso(dir.path(), mb);
    let bytes = std::fs::metadata(&iso).unwrap().len() as f64;
    let runs: usize = std::env::var("DISCBURN_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let mut vm = Vm::new();
    vm.cd(0, &iso).timeout(std::time::Duration::from_secs(900));
    for _ in 0..runs {
        vm.command(BENCH);
    }
    let run = vm.run().unwrap();
    let (mut dd, mut db) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let o = run.output(i);
        o.assert_success();
        let s = o.stdout_str();
        let f: Vec<&str> = s.lines().next().unwrap_or("").split_whitespace().collect();
        assert_eq!(f.len(), 4, "{}", o.describe());
        // discburn's own report: every block read
        let blocks = (bytes / 2048.0) as u64;
        assert!(
            s.contains(&format!("{blocks} blocks read")),
            "{}",
            o.describe()
        );
        let t: Vec<f64> = f.iter().map(|x| x.parse().unwrap()).collect();
        dd.push((t[1] - t[0]).max(0.01));
        db.push((t[3] - t[2]).max(0.01));
    }
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let (t_dd, t_db) = (best(&dd), best(&db));
    println!("image: {:.1} MB, {runs} runs each, best times", bytes / 1e6);
    println!(
        "dd if=/dev/sr0 bs=64k: {t_dd:.3} s, {:.1} MB/s (all: {dd:.3?})",
        bytes / 1e6 / t_dd
    );
    println!(
        "discburn read --all:   {t_db:.3} s, {:.1} MB/s (all: {db:.3?})",
        bytes / 1e6 / t_db
    );
    println!("ratio (discburn rate / dd rate): {:.2}", t_dd / t_db);
}
