//! Whatever a host sends, the emulated drive answers (a completion or a transport error)
//! and never panics: random CDBs of every opcode the drive knows (and others), random
//! parameter lists and data phases, on every medium.
#![allow(clippy::unwrap_used)] // reason: test helpers, a failure is a test failure

mod emu_util;

use emu_util::*;
use transport::{Cdb, Request, Transport};

/// xorshift64*: a small deterministic generator, so a failure is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const OPCODES: &[u8] = &[
    0x00, 0x03, 0x04, 0x12, 0x1B, 0x1E, 0x23, 0x25, 0x28, 0x2A, 0x35, 0x43, 0x46, 0x4A, 0x51, 0x52,
    0x53, 0x55, 0x5A, 0x5B, 0x5C, 0xA1, 0xA8, 0xAA, 0xAC, 0xB6, 0xBB, 0xBD, 0xA2, 0xFF, 0x8A, 0x2B,
    0x44,
];

fn cdb_len(op: u8) -> usize {
    match op >> 5 {
        0 => 6,
        1 | 2 => 10,
        4 => 16,
        _ => 12,
    }
}

#[test]
fn random_commands_never_panic() {
    for (i, profile) in [
        "cd-r", "cd-rw", "dvd-r", "dvd+r", "dvd+r-dl", "dvd+rw", "bd-r", "bd-re",
    ]
    .into_iter()
    .enumerate()
    {
        let (_t, _p, mut d) = drive(profile, &[("fill_early", "4096")]);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1));
        for _ in 0..20_000 {
            let op = OPCODES[rng.below(OPCODES.len() as u64) as usize];
            let mut cdb = vec![0u8; cdb_len(op)];
            cdb[0] = op;
            for b in cdb.iter_mut().skip(1) {
                // mostly small values, sometimes anything
                *b = if rng.below(4) == 0 {
                    rng.byte()
                } else {
                    rng.byte() & 0x07
                };
            }
            let len = match rng.below(4) {
                0 => 0,
                1 => rng.below(64) as usize,
                2 => 2048 * rng.below(4) as usize,
                _ => rng.below(300) as usize,
            };
            let mut buf: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
            let cdb = Cdb::new(&cdb).unwrap();
            let r = match rng.below(3) {
                0 => d.execute(Request::none(cdb)),
                1 => d.execute(Request::read(cdb, &mut buf)),
                _ => d.execute(Request::write(cdb, &buf)),
            };
            if let Ok(c) = r {
                assert!(c.residual <= len);
                if !c.is_good() {
                    assert_eq!(c.sense.len(), 18);
                }
            }
        }
        // the drive still works afterwards
        let (c, _) = data_in(&mut d, &[0x12, 0, 0, 0, 36, 0], 36);
        good(&c);
    }
}
