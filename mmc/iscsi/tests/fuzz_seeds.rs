//! The fuzz seeds (`fuzz/seeds/{pdu,text,conn}`: streams libiscsi's tools sent, and crafted
//! ones from `fuzz/make-seeds.py`) and thousands of deterministic mutants of each (every
//! truncation, byte and bit changes, each PDU's DataSegmentLength, TotalAHSLength and
//! opcode rewritten) through the fuzz targets' bodies on stable, so CI runs them without
//! libFuzzer: the PDU framer, the text-key parser with the negotiation and CHAP values,
//! and a live target's connection engine on loopback. The replay runs in a child process
//! under `prlimit --as` (bounded memory: a length taken from the wire and allocated would
//! abort it) with a panic hook that aborts on a panic in any thread (a connection thread's
//! panic would otherwise only be printed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use iscsi::fuzzing::{parse_stream, parse_text, Loopback};

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Offsets of the PDU headers in a stream without digests (walking DataSegmentLength and
/// TotalAHSLength, RFC 7143 §11.2.1).
fn headers(s: &[u8]) -> Vec<usize> {
    let mut at = 0;
    let mut v = Vec::new();
    while at + 48 <= s.len() {
        v.push(at);
        let dsl =
            usize::from(s[at + 5]) << 16 | usize::from(s[at + 6]) << 8 | usize::from(s[at + 7]);
        at += 48 + usize::from(s[at + 4]) * 4 + dsl + (4 - dsl % 4) % 4;
    }
    v
}

/// Deterministic mutants of `seed`; `dense` adds every truncation and more byte changes.
fn mutants(seed: &[u8], skip: usize, dense: bool) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let n = seed.len();
    let step = if dense { 1 } else { 7 };
    for cut in (0..n).step_by(step) {
        out.push(seed[..cut].to_vec());
    }
    let body = &seed[skip.min(n)..];
    for h in headers(body) {
        let h = h + skip;
        for (at, vals) in [
            (h + 5, &[0xFFu8, 0x00, 0x01][..]),
            (h + 6, &[0xFF, 0x20, 0x00]),
            (h + 4, &[0xFF, 0x01, 0x02]),
            (h + 1, &[0x00, 0xFF, 0x40, 0x7F]),
            (h + 2, &[0x01, 0xFF]),
            (h + 20, &[0xFF, 0x7F]),
            (h + 24, &[0xFF, 0x80]),
        ] {
            for &v in vals {
                let mut m = seed.to_vec();
                if at < n {
                    m[at] = v;
                    out.push(m);
                }
            }
        }
        for op in 0..64u8 {
            let mut m = seed.to_vec();
            m[h] = op | (m[h] & 0x40);
            out.push(m);
        }
    }
    // Random bit flips and byte values (xorshift, fixed seed).
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ n as u64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    if n > 0 {
        for _ in 0..if dense { 400 } else { 60 } {
            let mut m = seed.to_vec();
            for _ in 0..1 + next() % 4 {
                let r = next();
                let at = (r % n as u64) as usize;
                if r & 0x100 == 0 {
                    m[at] ^= 1 << ((r >> 9) % 8);
                } else {
                    m[at] = (r >> 16) as u8;
                }
            }
            out.push(m);
        }
    }
    out
}

#[test]
#[ignore = "run in a child under prlimit by seeds_and_mutants_under_a_memory_limit"]
fn replay() {
    // A panic anywhere, a connection thread included, ends the process with an abort.
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default(info);
        std::process::abort();
    }));

    let pdu = seeds("pdu");
    let text = seeds("text");
    let conn = seeds("conn");
    assert!(
        pdu.len() >= 10 && text.len() >= 2 && conn.len() >= 10,
        "seeds missing"
    );

    // The seeds themselves parse whole: each libiscsi stream and crafted one is a list of
    // well-framed PDUs (libiscsi's with digests once negotiated).
    for (name, s) in &pdu {
        let n = parse_stream(s);
        if name.starts_with("libiscsi-open") || !name.starts_with("libiscsi") {
            let want = if name.contains("-chap") { 0 } else { 1 };
            assert!(n > want, "{name}: only {n} PDUs framed");
        }
        for m in mutants(s, 0, true) {
            parse_stream(&m);
        }
    }
    assert_eq!(
        parse_stream(
            &pdu.iter()
                .find(|(n, _)| n == "write-r2t-tmf-text-nop-logout")
                .unwrap()
                .1
        ),
        15
    );
    for (_, s) in &text {
        assert!(parse_text(s) > 5);
        for m in mutants(s, 0, true) {
            parse_text(&m);
        }
    }

    // The live engine: every seed gets answers; mutants never panic or hang.
    let t = Loopback::start().unwrap();
    let mut runs = 0;
    for (name, s) in &conn {
        let got = t.run(s);
        assert!(got >= 48, "{name}: {got} bytes back");
        for m in mutants(s, 1, false) {
            t.run(&m);
            runs += 1;
        }
    }
    eprintln!("replayed {runs} mutated connections");
}

#[test]
fn seeds_and_mutants_under_a_memory_limit() {
    let exe = std::env::current_exe().unwrap();
    let o = Command::new("prlimit")
        .arg(format!("--as={}", 1u64 << 30))
        .arg("--")
        .arg(&exe)
        .args([
            "--exact",
            "replay",
            "--ignored",
            "--test-threads=1",
            "--nocapture",
        ])
        .env("MALLOC_ARENA_MAX", "2")
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap_or_else(|e| panic!("prlimit could not be run ({e}); install util-linux"));
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.status.success(),
        "replay under prlimit --as=1GiB: {:?}\n{text}",
        o.status
    );
    assert!(text.contains("1 passed"), "{text}");
    assert!(text.contains("replayed "), "{text}");
}
