//! Helpers of the write-path tests on the emulated drive: a transport that records every
//! CDB, the drive opened through it, session images built with isofs, a snapshot of what a
//! refused or simulated write must leave alone, and xorriso's view of a session.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // reason: test helpers

use std::path::Path;
use std::sync::{Arc, Mutex};

use isofs::{Image, Options, RockRidge, Tree};
use mmc::cmd::disc_info::DiscStatus;
use mmc::drive::Drive;
use mmc::msinfo::{self, Msinfo};
use transport::{Completion, DevSpec, Request, Sense, SenseKey, Transport, TransportError};

/// The CDBs a [`Recorder`] saw, in order.
pub type Log = Arc<Mutex<Vec<Vec<u8>>>>;

/// Passes every command to the drive and records its CDB; with `no_get_configuration`
/// it answers GET CONFIGURATION itself with ILLEGAL REQUEST, INVALID COMMAND OPERATION
/// CODE (20/00), as a drive older than MMC-2 does.
pub struct Recorder<T> {
    inner: T,
    log: Log,
    no_get_configuration: bool,
}

impl<T: Transport> Transport for Recorder<T> {
    fn execute(&mut self, req: Request<'_>) -> Result<Completion, TransportError> {
        self.log.lock().unwrap().push(req.cdb.as_bytes().to_vec());
        if self.no_get_configuration && req.cdb.opcode() == 0x46 {
            return Ok(Completion::check_condition(
                Sense::fixed(SenseKey::IllegalRequest, 0x20, 0x00),
                std::time::Duration::ZERO,
            ));
        }
        self.inner.execute(req)
    }
    fn max_transfer(&self) -> usize {
        self.inner.max_transfer()
    }
    fn name(&self) -> &str {
        self.inner.name()
    }
}

/// The emulated drive `emu:PATH,OPTS` behind a [`Recorder`].
pub fn open(path: &Path, opts: &str, no_get_configuration: bool) -> (Drive<impl Transport>, Log) {
    let sep = if opts.is_empty() { "" } else { "," };
    let spec = DevSpec::parse(&format!("emu:{}{sep}{opts}", path.display())).unwrap();
    let DevSpec::Emu { path, options } = spec else {
        panic!("not an emu: spec")
    };
    let t = emu::open(&path, &options).unwrap();
    let log: Log = Arc::default();
    let d = Drive::new(Recorder {
        inner: t,
        log: log.clone(),
        no_get_configuration,
    });
    (d, log)
}

/// The emulated drive `emu:PATH,OPTS`, its commands recorded.
pub fn drive(path: &Path, opts: &str) -> (Drive<impl Transport>, Log) {
    open(path, opts, false)
}

/// An image of session `n` for the drive's disc as msinfo finds it: the previous session
/// `from` (default: msinfo's last session) merged, plus `fN.txt` and `big` bytes of data.
pub fn image<T: Transport>(
    d: &mut Drive<T>,
    dir: &Path,
    n: u8,
    big: usize,
    from: Option<u32>,
) -> (Vec<u8>, u32) {
    let (mut tree, sess) = match msinfo::msinfo(d).unwrap() {
        Msinfo::Blank => (Tree::new(), None),
        Msinfo::Appendable {
            last_session_start,
            next_writable,
        } => {
            let mut t = Tree::new();
            let last = from.unwrap_or(last_session_start);
            isofs::merge::import(&mut t, &mut *d, last).unwrap();
            (t, Some((last, next_writable)))
        }
    };
    let src = dir.join(format!("src{n}"));
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join(format!("f{n}.txt")), format!("file {n}\n")).unwrap();
    if big > 0 {
        let data: Vec<u8> = (0..big).map(|i| (i * 31 + usize::from(n)) as u8).collect();
        std::fs::write(src.join(format!("big{n}.bin")), data).unwrap();
    }
    tree.add_source("/", &src, &Default::default()).unwrap();
    let opts = Options {
        rock_ridge: Some(RockRidge::Exact),
        session: sess,
        ..Options::default()
    };
    let img = Image::new(tree, opts, None).unwrap();
    let mut bytes = Vec::new();
    img.write_to(&mut bytes).unwrap();
    (bytes, img.size_blocks())
}

/// Everything a refused or simulated write must leave alone: the image file, the state
/// file, READ DISC INFORMATION's disc status and session count, msinfo.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    /// The image file's bytes.
    pub image: Vec<u8>,
    /// The state file's text, without the drive's settings ([`disc_part`]).
    pub state: String,
    /// READ DISC INFORMATION's disc status.
    pub status: DiscStatus,
    /// READ DISC INFORMATION's session count.
    pub sessions: u16,
    /// msinfo's answer, if any.
    pub msinfo: Option<Msinfo>,
}

/// The [`Snapshot`] of the emulated disc at `img`, read through `d`.
pub fn snapshot<T: Transport>(d: &mut Drive<T>, img: &Path) -> Snapshot {
    let di = d.disc_info().unwrap();
    let v = di.view();
    let mut state = img.as_os_str().to_owned();
    state.push(".state");
    Snapshot {
        image: std::fs::read(img).unwrap_or_default(),
        state: disc_part(std::fs::read_to_string(&state).unwrap_or_default()),
        status: v.disc_status(),
        sessions: v.sessions(),
        msinfo: msinfo::msinfo(d).ok(),
    }
}

/// The state file's text without the drive's settings (`"drive"`, its last field: what the
/// powered drive keeps between processes, such as the page 05h a refused or simulated
/// write selected; see the emulator's `powered` module): the disc's part only.
pub fn disc_part(state: String) -> String {
    match state.find(",\n  \"drive\": ") {
        Some(i) => format!("{}\n}}\n", &state[..i]),
        None => state,
    }
}

/// The opcodes of the recorded commands, in order.
pub fn opcodes(log: &Log) -> Vec<u8> {
    log.lock().unwrap().iter().map(|c| c[0]).collect()
}

/// The `.txt` names xorriso finds in the session at `start` of the image file `disc`.
pub fn xorriso_names(disc: &Path, start: u32) -> Vec<String> {
    let o = std::process::Command::new("xorriso")
        .args([
            "-abort_on",
            "FAILURE",
            "-load",
            "sbsector",
            &start.to_string(),
            "-indev",
        ])
        .arg(disc)
        .args(["-find", "/", "-name", "*.txt"])
        .output()
        .unwrap_or_else(|e| {
            panic!("xorriso is needed for this test (apt-get install xorriso): {e}")
        });
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut v: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            l.trim()
                .trim_matches('\'')
                .trim_start_matches('/')
                .to_string()
        })
        .filter(|l| l.ends_with(".txt"))
        .collect();
    v.sort();
    v
}

/// `f1.txt` .. `fN.txt`.
pub fn names(n: u8) -> Vec<String> {
    (1..=n).map(|i| format!("f{i}.txt")).collect()
}
