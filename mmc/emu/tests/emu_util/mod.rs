//! Raw-CDB helpers shared by the emulated drive's tests: every command is sent as literal
//! bytes through `Transport::execute`, as a host would.
#![allow(dead_code)] // reason: each test file uses a different subset
#![allow(clippy::unwrap_used)] // reason: test helpers, a failure is a test failure

use std::path::{Path, PathBuf};

use emu::EmuDrive;
use transport::{Cdb, Completion, Request, Transport};

/// A drive on a fresh disc `profile` in a temp dir, with extra options.
pub fn drive(profile: &str, extra: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf, EmuDrive) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc.img");
    let mut opts = vec![("profile".to_string(), profile.to_string())];
    opts.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let d = emu::open(&path, &opts).unwrap();
    (dir, path, d)
}

/// Opens an existing disc with options.
pub fn reopen(path: &Path, extra: &[(&str, &str)]) -> EmuDrive {
    let opts: Vec<(String, String)> = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    emu::open(path, &opts).unwrap()
}

/// A command without data; returns the completion.
pub fn none(d: &mut impl Transport, cdb: &[u8]) -> Completion {
    d.execute(Request::none(Cdb::new(cdb).unwrap())).unwrap()
}

/// A data-in command with a buffer of `len`; returns the completion and the bytes moved.
pub fn data_in(d: &mut impl Transport, cdb: &[u8], len: usize) -> (Completion, Vec<u8>) {
    let mut buf = vec![0u8; len];
    let c = d
        .execute(Request::read(Cdb::new(cdb).unwrap(), &mut buf))
        .unwrap();
    let n = c.transferred(len);
    buf.truncate(n);
    (c, buf)
}

/// A data-out command.
pub fn data_out(d: &mut impl Transport, cdb: &[u8], data: &[u8]) -> Completion {
    d.execute(Request::write(Cdb::new(cdb).unwrap(), data))
        .unwrap()
}

/// Sense key, ASC, ASCQ of a completion (panics when it is GOOD).
pub fn ks(c: &Completion) -> (u8, u8, u8) {
    assert!(!c.is_good(), "expected CHECK CONDITION, got GOOD");
    (c.sense[2] & 0x0F, c.sense[12], c.sense[13])
}

/// Asserts GOOD with a readable message.
pub fn good(c: &Completion) {
    assert!(c.is_good(), "expected GOOD, got {c}");
}

/// WRITE(10) of `data` (whole blocks) at `lba`, in chunks of up to 32 blocks.
pub fn write10(d: &mut impl Transport, lba: u32, data: &[u8]) {
    assert_eq!(data.len() % 2048, 0);
    let mut at = 0usize;
    while at < data.len() {
        let n = ((data.len() - at) / 2048).min(32);
        let l = lba + (at / 2048) as u32;
        let b = l.to_be_bytes();
        let cdb = [0x2A, 0, b[0], b[1], b[2], b[3], 0, 0, n as u8, 0];
        let c = data_out(d, &cdb, &data[at..at + n * 2048]);
        good(&c);
        at += n * 2048;
    }
}

/// READ TRACK INFORMATION by track number (0xFF: invisible track), 48 bytes.
pub fn track_info(d: &mut impl Transport, track: u32) -> Vec<u8> {
    let b = track.to_be_bytes();
    let (c, v) = data_in(d, &[0x52, 0x01, b[0], b[1], b[2], b[3], 0, 0, 0x30, 0], 48);
    good(&c);
    v
}

/// Big-endian u32 at `at`.
pub fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Runs a tool, failing with an install hint when it is missing.
pub fn tool(name: &str, args: &[&str], pkg: &str) -> std::process::Output {
    match std::process::Command::new(name).args(args).output() {
        Ok(o) => o,
        Err(e) => panic!("{name} is needed for this test ({e}); install the Debian package {pkg}"),
    }
}
