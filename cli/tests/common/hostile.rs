//! Crafted ISO 9660 images for the hostile-disc tests, written byte by byte here (not by
//! isofs, so the reader under test does not judge bytes its own writer made): a primary
//! volume descriptor (ECMA-119 §8.4), directory records (§9.1), SUSP/RRIP entries (SUSP
//! 1.12 §5.1 CE, §5.3 SP; RRIP 1.12 §4.1.1 PX, §4.1.3 SL, §4.1.4 NM), and a way to run the
//! binary under a memory cap (`prlimit --as`), a file size cap and a time limit
//! ([`capped`], or [`under_caps`] for any command line).
#![allow(dead_code)] // reason: each test binary uses a different part

use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub use super::{tool, BIN};

/// Bytes per block.
pub const B: usize = 2048;

/// Directory record flags (ECMA-119 §9.1.6).
pub const DIR: u8 = 0x02;
/// Multi-extent flag (ECMA-119 §9.1.6 bit 7).
pub const MULTI: u8 = 0x80;

/// An image being crafted: blocks of zeros, written into.
pub struct Iso {
    /// The bytes (a multiple of 2048).
    pub b: Vec<u8>,
}

impl Iso {
    /// `blocks` zero blocks, a PVD at 16 whose root is `root_blocks` blocks at 18 and whose
    /// volume space size is `blocks`, a terminator at 17.
    pub fn new(blocks: usize, root_blocks: u32) -> Iso {
        let mut iso = Iso {
            b: vec![0; blocks * B],
        };
        let p = 16 * B;
        let v = &mut iso.b[p..p + B];
        v[0] = 1;
        v[1..6].copy_from_slice(b"CD001");
        v[6] = 1;
        v[8..40].fill(b' ');
        v[40..72].fill(b' ');
        v[40..47].copy_from_slice(b"HOSTILE");
        both32(&mut v[80..88], blocks as u32);
        both16(&mut v[120..124], 1);
        both16(&mut v[124..128], 1);
        both16(&mut v[128..132], B as u16);
        let root = rec(&[0], 18, root_blocks * B as u32, DIR, &[]);
        v[156..156 + 34].copy_from_slice(&root);
        let t = 17 * B;
        iso.b[t] = 255;
        iso.b[t + 1..t + 6].copy_from_slice(b"CD001");
        iso.b[t + 6] = 1;
        iso
    }

    /// Writes `bytes` at block `lba`, offset `off`.
    pub fn put(&mut self, lba: u32, off: usize, bytes: &[u8]) {
        let at = lba as usize * B + off;
        self.b[at..at + bytes.len()].copy_from_slice(bytes);
    }

    /// Writes the directory at `lba` of `blocks` blocks: "." (with `dot_su`), "..", then
    /// `records`, each moved to the next block where it would cross one (§6.8.1.1).
    /// Panics when they do not fit.
    pub fn dir(&mut self, lba: u32, blocks: u32, parent: u32, dot_su: &[u8], records: &[Vec<u8>]) {
        let size = blocks * B as u32;
        let mut all = vec![
            rec(&[0], lba, size, DIR, dot_su),
            rec(&[1], parent, B as u32, DIR, &[]),
        ];
        all.extend_from_slice(records);
        let mut pos = 0usize;
        for r in all {
            if pos % B + r.len() > B {
                pos = pos.div_ceil(B) * B;
            }
            assert!(
                pos + r.len() <= size as usize,
                "directory at {lba} too small"
            );
            self.put(lba, pos, &r);
            pos += r.len();
        }
    }

    /// Writes the image to `path`.
    pub fn save(&self, path: &Path) {
        std::fs::write(path, &self.b).unwrap();
    }
}

/// 16-bit both-byte order (ECMA-119 §7.2.3).
pub fn both16(b: &mut [u8], v: u16) {
    b[0..2].copy_from_slice(&v.to_le_bytes());
    b[2..4].copy_from_slice(&v.to_be_bytes());
}

/// 32-bit both-byte order (ECMA-119 §7.3.3).
pub fn both32(b: &mut [u8], v: u32) {
    b[0..4].copy_from_slice(&v.to_le_bytes());
    b[4..8].copy_from_slice(&v.to_be_bytes());
}

/// A directory record (ECMA-119 §9.1): identifier `name`, extent, data length, flags,
/// system use bytes after the identifier's padding byte.
pub fn rec(name: &[u8], lba: u32, size: u32, flags: u8, su: &[u8]) -> Vec<u8> {
    let pad = usize::from(name.len().is_multiple_of(2));
    let len = 33 + name.len() + pad + su.len();
    assert!(len <= 255, "record of {len} bytes");
    let mut r = vec![0u8; len];
    r[0] = len as u8;
    both32(&mut r[2..10], lba);
    both32(&mut r[10..18], size);
    r[18..25].copy_from_slice(&[126, 12, 7, 5, 30, 0, 0]); // 2026-12-07 05:30:00
    r[25] = flags;
    both16(&mut r[28..32], 1);
    r[32] = name.len() as u8;
    r[33..33 + name.len()].copy_from_slice(name);
    r[33 + name.len() + pad..].copy_from_slice(su);
    r
}

/// A SUSP entry: signature, version 1, payload.
pub fn susp(sig: &[u8; 2], data: &[u8]) -> Vec<u8> {
    let mut e = vec![sig[0], sig[1], (4 + data.len()) as u8, 1];
    e.extend_from_slice(data);
    e
}

/// SP (SUSP §5.3): the root "." record's indicator, no bytes skipped.
pub fn sp() -> Vec<u8> {
    susp(b"SP", &[0xBE, 0xEF, 0])
}

/// CE (SUSP §5.1): the continuation area of `len` bytes at `off` of `block`.
pub fn ce(block: u32, off: u32, len: u32) -> Vec<u8> {
    let mut d = vec![0u8; 24];
    both32(&mut d[0..8], block);
    both32(&mut d[8..16], off);
    both32(&mut d[16..24], len);
    susp(b"CE", &d)
}

/// NM (RRIP §4.1.4): a piece of the name, CONTINUE when more follows.
pub fn nm(piece: &[u8], more: bool) -> Vec<u8> {
    let mut d = vec![u8::from(more)];
    d.extend_from_slice(piece);
    susp(b"NM", &d)
}

/// SL (RRIP §4.1.3) of one plain component, CONTINUE when more follows.
pub fn sl(component: &[u8], more: bool) -> Vec<u8> {
    let mut d = vec![u8::from(more), u8::from(more), component.len() as u8];
    d.extend_from_slice(component);
    susp(b"SL", &d)
}

/// PX (RRIP §4.1.1, 1.10 form): mode, links 1, owner 0, group 0.
pub fn px(mode: u32) -> Vec<u8> {
    let mut d = vec![0u8; 32];
    both32(&mut d[0..8], mode);
    both32(&mut d[8..16], 1);
    susp(b"PX", &d)
}

/// Writes a chain of `areas` continuation areas, one whole block each from block `first`,
/// every one full of NM pieces (or SL components when `link`), each but the last ending
/// in a CE to the next. Returns the name (or link target) bytes the chain carries.
pub fn name_chain(iso: &mut Iso, first: u32, areas: u32, link: bool) -> usize {
    let overhead = if link { 7 } else { 5 };
    let mut carried = 0;
    for i in 0..areas {
        let last = i + 1 == areas;
        let room = if last { B } else { B - 28 };
        let mut a = Vec::new();
        while room - a.len() >= overhead + 10 {
            let n = (room - a.len() - overhead).min(255 - overhead);
            let final_piece = last && room - a.len() - overhead - n < overhead + 10;
            let piece = vec![b'n'; n];
            a.extend(if link {
                sl(&piece, !final_piece)
            } else {
                nm(&piece, !final_piece)
            });
            carried += n;
        }
        if !last {
            a.extend(ce(first + i + 1, 0, B as u32));
        }
        assert!(a.len() <= B);
        iso.put(first + i, 0, &a);
    }
    carried
}

/// `discburn ARGS` under `prlimit --as=AS --fsize=FSIZE` (bytes), killed after `secs`.
/// Returns the output and how long it ran.
pub fn capped(args: &[&str], as_bytes: u64, fsize: u64, secs: u64) -> (Output, Duration) {
    let t0 = Instant::now();
    let mut child = super::command("prlimit")
        .arg(format!("--as={as_bytes}"))
        .arg(format!("--fsize={fsize}"))
        .arg("--")
        .arg(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("prlimit could not be run ({e}); install util-linux"));
    // Drain both pipes on threads so a chatty child cannot block.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let ho = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let he = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t0.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let s = child.wait().unwrap();
            let out = Output {
                status: s,
                stdout: ho.join().unwrap(),
                stderr: he.join().unwrap(),
            };
            panic!(
                "discburn {args:?} still running after {secs} s: {}",
                text(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = Output {
        status,
        stdout: ho.join().unwrap(),
        stderr: he.join().unwrap(),
    };
    (out, t0.elapsed())
}

/// stdout (cut) and stderr of `o`, for assertion messages.
pub fn text(o: &Output) -> String {
    super::text_cut(o, 2000, usize::MAX)
}

/// Asserts a refusal: exit status 1 (not a signal, not a panic's 101), `want` (each) in
/// stderr, no panic message.
pub fn refused(o: &Output, want: &[&str]) {
    let m = text(o);
    assert_eq!(o.status.code(), Some(1), "{m}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{m}");
    for w in want {
        assert!(err.contains(w), "stderr does not say {w:?}: {m}");
    }
}

/// Address space of a run under [`under_caps`] (1 GiB: what `ls`/`extract` get in the
/// hostile-reader tests; the old reader needed 2.5 GB and more for crafted names).
pub const CAP_AS: u64 = 1 << 30;
/// Time limit of a run under [`under_caps`].
pub const CAP_SECS: u64 = 120;

/// `timeout -k 5 CAP_SECS prlimit --as=CAP_AS -- PROGRAM`: `program` (and what it execs)
/// under the memory cap and the time limit; add its arguments, environment and stdio as
/// for any command. Check the output with [`within_caps`].
pub fn under_caps(program: impl AsRef<OsStr>) -> Command {
    let mut c = Command::new("timeout");
    c.args(["-k", "5", &CAP_SECS.to_string(), "prlimit"])
        .arg(format!("--as={CAP_AS}"))
        .arg("--")
        .arg(program);
    super::scrub(&mut c);
    c
}

/// Fails, saying which, when a run under [`under_caps`] was stopped by its time limit
/// (timeout's status 124, or 137 after its KILL), ran out of its address space (a failed
/// allocation), panicked, or could not start prlimit.
pub fn within_caps(o: &Output, what: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    match o.status.code() {
        Some(124) | Some(137) => {
            panic!(
                "{what}: still running after {CAP_SECS} s (time limit): {}",
                text(o)
            )
        }
        Some(125..=127) => panic!(
            "{what}: a program could not be started (timeout: coreutils; prlimit, setpriv: \
             util-linux): {}",
            text(o)
        ),
        _ => {}
    }
    assert!(
        !err.contains("memory allocation of"),
        "{what}: ran out of the {CAP_AS}-byte address space (prlimit --as): {}",
        text(o)
    );
    assert!(!err.contains("panicked"), "{what}: panicked: {}", text(o));
    assert_ne!(o.status.code(), Some(101), "{what}: panicked: {}", text(o));
}
