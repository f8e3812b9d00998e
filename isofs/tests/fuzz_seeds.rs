//! The fuzz targets' seeds (`isofs::fuzz::seeds`: continuation areas, relocation with
//! RE/CL/PL, a multi-extent file, level 1) and deterministic mutations of them, replayed
//! through the targets' own entry functions (`isofs::fuzz::reader`, `isofs::fuzz::import`,
//! which read with the tight `isofs::fuzz::limits()`) on stable Rust, in a child process
//! under a memory cap (`prlimit --as`) and a time limit: what `cargo fuzz` finds with
//! `-rss_limit_mb=256 -malloc_limit_mb=64`, the seeds and their neighbours show in CI
//! without nightly. A mutant that makes memory explode (the child's allocation fails) or
//! takes too long fails the test naming the seed and the mutant, and leaves the mutant's
//! bytes in the target's temporary directory to replay.
#![cfg(unix)] // reason: prlimit
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Address space of the child (the importer's layout of the next session runs reader
/// threads, each with a stack).
const AS: u64 = 768 << 20;
/// Mutants per seed.
const MUTANTS: u64 = 2000;
/// What one mutant may take through both targets (a debug build on a loaded machine).
const PER_MUTANT: Duration = Duration::from_secs(10);
/// What the whole replay may take (about 12 s on 2 loaded cores).
const ALL: Duration = Duration::from_secs(180);
/// The child's marker variable.
const CHILD: &str = "ISOFS_FUZZ_REPLAY_CHILD";

/// Mutant `i` of `seed` (number `s` of the seeds): 1 to 8 bytes changed past the system
/// area (descriptors, directories, continuation areas and path tables live there), from a
/// generator seeded by (s, i) alone, so that any mutant can be made again.
fn mutant(s: u64, i: u64, seed: &[u8]) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ (s << 32) ^ i.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut m = seed.to_vec();
    let from = (16 * 2048).min(m.len().saturating_sub(1));
    for _ in 0..1 + next() % 8 {
        let at = from + next() as usize % (m.len() - from);
        m[at] = match next() % 4 {
            0 => 0,
            1 => 0xFF,
            2 => m[at].wrapping_add(1),
            _ => next() as u8,
        };
    }
    m
}

/// Both targets on `img`; panics naming `what` when they take longer than [`PER_MUTANT`].
fn run(what: &str, img: &[u8]) {
    let t0 = Instant::now();
    isofs::fuzz::reader(img);
    isofs::fuzz::import(img);
    let took = t0.elapsed();
    assert!(took < PER_MUTANT, "{what} took {took:?}");
}

/// The child: every seed and its mutants, each announced on stderr before it runs (the
/// parent names the last one when the child dies).
fn replay() {
    for (s, (name, seed)) in isofs::fuzz::seeds().into_iter().enumerate() {
        eprintln!("replaying seed {name} ({} bytes)", seed.len());
        run(&format!("seed {name}"), &seed);
        for i in 0..MUTANTS {
            eprintln!("replaying seed {name} mutant {i}");
            run(
                &format!("seed {name} mutant {i}"),
                &mutant(s as u64, i, &seed),
            );
        }
    }
    eprintln!("replayed every seed and mutant");
}

/// Writes the mutant a child died on (from its last "replaying seed NAME mutant I" line)
/// into the target's temporary directory; returns where, or why not.
fn keep_mutant(last: &str) -> String {
    let mut w = last.split_whitespace().skip(2);
    let (Some(name), Some("mutant"), Some(Ok(i))) = (w.next(), w.next(), w.next().map(str::parse))
    else {
        return "(no mutant: the seed itself)".into();
    };
    let seeds = isofs::fuzz::seeds();
    let Some((s, (_, seed))) = seeds.iter().enumerate().find(|(_, (n, _))| *n == name) else {
        return format!("(no seed {name})");
    };
    let p =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("mutant-{name}-{i}.iso"));
    match std::fs::write(&p, mutant(s as u64, i, seed)) {
        Ok(()) => format!("its bytes: {}", p.display()),
        Err(e) => format!("(could not write {}: {e})", p.display()),
    }
}

#[test]
fn seeds_and_mutants_replay_under_a_memory_cap() {
    if std::env::var_os(CHILD).is_some() {
        replay();
        return;
    }
    let me = std::env::current_exe().unwrap();
    let t0 = Instant::now();
    let mut child = Command::new("prlimit")
        .arg(format!("--as={AS}"))
        .arg("--")
        .arg(&me)
        .args([
            "--exact",
            "seeds_and_mutants_replay_under_a_memory_cap",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("prlimit could not be run ({e}); install util-linux"));
    let mut se = child.stderr.take().unwrap();
    let he = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let (status, timed_out) = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break (s, false);
        }
        if t0.elapsed() > ALL {
            let _ = child.kill();
            break (child.wait().unwrap(), true);
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = t0.elapsed();
    let err = String::from_utf8_lossy(&he.join().unwrap()).into_owned();
    let last = err
        .lines()
        .rev()
        .find(|l| l.starts_with("replaying seed"))
        .unwrap_or("(before the first seed)")
        .to_string();
    let tail: Vec<&str> = err
        .lines()
        .filter(|l| !l.starts_with("replaying seed"))
        .collect();
    let tail = tail[tail.len().saturating_sub(30)..].join("\n");
    if timed_out {
        panic!(
            "the replay still ran after {ALL:?}, at {last}: the reader or the importer takes \
             time an image can claim; {}\n{tail}",
            keep_mutant(&last)
        );
    }
    if err.contains("memory allocation of") {
        panic!(
            "{last}: the reader or the importer took more than the {} MiB address space \
             (prlimit --as), memory an image makes it take beyond what isofs::fuzz::limits() \
             bounds; {}\n{tail}",
            AS >> 20,
            keep_mutant(&last)
        );
    }
    assert!(
        status.success() && err.contains("replayed every seed and mutant"),
        "{last}: the child failed ({status:?}, after {took:?}); {}\n{tail}",
        keep_mutant(&last)
    );
    eprintln!("replayed in {took:?}");
}
