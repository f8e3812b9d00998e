//! Helpers of the `discburn serve` tests: the server on a free loopback port, snapshots of
//! its disc files, and a minimal iSCSI initiator over a raw TcpStream whose PDUs are written
//! here byte by byte from RFC 7143's layouts (§11.2 BHS, §11.3 SCSI Command, §11.5 Task
//! Management, §11.7 Data-Out, §11.12 Login Request, §11.14 Logout, §11.18 NOP-Out), with
//! its own CHAP (RFC 1994 MD5), so that malformed ones can be made on purpose and nothing of
//! the target's own code checks the target.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use md5::{Digest, Md5};

pub use super::{bin, command, discburn, tool, BIN};

/// The default target name.
pub const IQN: &str = "iqn.2026-12.invalid.discburn:drive";

/// A CD-R at `img` with one closed-for-appending session holding `a.txt` and `big.bin`
/// (made by `discburn add`), so that "unchanged" means something.
pub fn cd_with_session(dir: &Path, img: &Path) {
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("d")).unwrap();
    std::fs::write(tree.join("a.txt"), b"alpha\n").unwrap();
    let big: Vec<u8> = (0..300_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
    std::fs::write(tree.join("d/big.bin"), big).unwrap();
    let dev = format!("emu:{},profile=cd-r", img.display());
    let o = discburn(&["add", "--dev", &dev, tree.to_str().unwrap()]);
    assert!(
        o.status.success(),
        "discburn add: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every file of `dir` (not below it) but the server logs and lock files, with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut m = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type().unwrap().is_file() && !name.ends_with(".log") && !name.ends_with(".lock") {
            m.insert(name, std::fs::read(e.path()).unwrap());
        }
    }
    m
}

/// Asserts two snapshots are equal, naming the first file that differs.
pub fn assert_same(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) {
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "the disc files changed"
    );
    for (k, v) in before {
        assert!(
            after[k] == *v,
            "{k} changed ({} bytes before, {} after)",
            v.len(),
            after[k].len()
        );
    }
}

/// A running `discburn serve`, stopped with SIGTERM on drop.
pub struct Server {
    pub child: Option<Child>,
    pub urls: Vec<String>,
    pub log: PathBuf,
}

impl Server {
    /// Starts `discburn -v serve --listen 127.0.0.1:0 ARGS` with its log in `dir` and reads
    /// `luns` URLs.
    pub fn start(dir: &Path, args: &[&str], luns: usize) -> Server {
        let log = dir.join("serve.log");
        let err = std::fs::File::create(&log).unwrap();
        let mut child = super::command(BIN)
            .args(["-v", "serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(err)
            .spawn()
            .unwrap();
        let mut r = BufReader::new(child.stdout.take().unwrap());
        let mut urls = Vec::new();
        for _ in 0..luns {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            urls.push(line.trim().to_string());
        }
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = r.read_to_end(&mut sink);
        });
        let s = Server {
            child: Some(child),
            urls,
            log,
        };
        assert!(
            s.urls.iter().all(|u| u.starts_with("iscsi://127.0.0.1:")),
            "URLs: {:?}\n{}",
            s.urls,
            s.log()
        );
        s
    }

    /// The portal, `127.0.0.1:PORT`.
    pub fn portal(&self) -> String {
        self.urls[0]
            .strip_prefix("iscsi://")
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string()
    }

    /// LUN `n`'s URL with `user%secret@` for libiscsi.
    pub fn url_with_chap(&self, n: usize, user: &str, secret: &str) -> String {
        self.urls[n - 1].replacen("iscsi://", &format!("iscsi://{user}%{secret}@"), 1)
    }

    pub fn log(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()).into_owned()
    }

    /// Waits (up to 10 s) until the log holds `needle` after byte `from`; returns the log's
    /// length then. Panics naming the needle otherwise.
    pub fn wait_log(&self, from: usize, needle: &str) -> usize {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let l = self.log();
            if l.get(from..).is_some_and(|t| t.contains(needle)) {
                return l.len();
            }
            if Instant::now() > deadline {
                panic!(
                    "no log line with {needle:?}; log since then:\n{}",
                    l.get(from..).unwrap_or("")
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the server process still runs.
    pub fn alive(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| c.try_wait().unwrap().is_none())
    }

    /// SIGTERM, then the exit status.
    pub fn stop(&mut self) -> ExitStatus {
        let mut c = self.child.take().unwrap();
        let _ = Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(s) = c.try_wait().unwrap() {
                return s;
            }
            if Instant::now() > deadline {
                c.kill().unwrap();
                return c.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn connect(&self) -> Client {
        Client::connect(&self.portal())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.stop();
        }
    }
}

/// A 48-byte header with the common fields (RFC 7143 §11.2.1).
pub fn bhs(opcode: u8, flags: u8, dsl: usize, itt: u32) -> [u8; 48] {
    let mut b = [0u8; 48];
    b[0] = opcode;
    b[1] = flags;
    b[5] = (dsl >> 16) as u8;
    b[6] = (dsl >> 8) as u8;
    b[7] = dsl as u8;
    b[16..20].copy_from_slice(&itt.to_be_bytes());
    b
}

/// Header, then data padded to 4 bytes.
pub fn pdu(h: [u8; 48], data: &[u8]) -> Vec<u8> {
    let mut v = h.to_vec();
    v.extend_from_slice(data);
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
    v
}

/// `key=value\0` pairs.
pub fn text(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut v = Vec::new();
    for (k, val) in pairs {
        v.extend_from_slice(k.as_bytes());
        v.push(b'=');
        v.extend_from_slice(val.as_bytes());
        v.push(0);
    }
    v
}

/// Parses `key=value\0` pairs.
pub fn pairs(data: &[u8]) -> Vec<(String, String)> {
    data.split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let s = String::from_utf8_lossy(s);
            let (k, v) = s.split_once('=').unwrap_or((&s, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn value<'a>(p: &'a [(String, String)], key: &str) -> Option<&'a str> {
    p.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

pub fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// One PDU received: header and data (AHS and padding removed).
#[derive(Debug, Clone)]
pub struct Pdu {
    pub h: [u8; 48],
    pub data: Vec<u8>,
}

impl Pdu {
    pub fn opcode(&self) -> u8 {
        self.h[0] & 0x3f
    }
    pub fn itt(&self) -> u32 {
        be32(&self.h[16..20])
    }
    /// Login Response Status-Class and -Detail (§11.13.5).
    pub fn login_status(&self) -> (u8, u8) {
        (self.h[36], self.h[37])
    }
    /// Reject reason (§11.17.1).
    pub fn reason(&self) -> u8 {
        self.h[2]
    }
}

/// What came back.
#[derive(Debug)]
pub enum Got {
    Pdu(Pdu),
    /// End of stream or reset: the server closed the connection.
    Closed,
    /// Nothing within the read timeout.
    Timeout,
}

impl Got {
    pub fn pdu(self) -> Pdu {
        match self {
            Got::Pdu(p) => p,
            other => panic!("expected a PDU, got {other:?}"),
        }
    }
}

/// The result of one SCSI command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scsi {
    pub status: u8,
    pub data: Vec<u8>,
    pub sense: Vec<u8>,
    /// The residual flags (O 04h, U 02h) and count of the final PDU.
    pub residual: (u8, u32),
}

impl Scsi {
    /// (sense key, ASC, ASCQ) of fixed-format sense, or zeroes.
    pub fn key(&self) -> (u8, u8, u8) {
        let s = &self.sense;
        if s.len() >= 14 {
            (s[2] & 0x0f, s[12], s[13])
        } else {
            (0, 0, 0)
        }
    }
}

/// A raw initiator connection.
pub struct Client {
    pub s: TcpStream,
    pub cmd_sn: u32,
    pub exp_stat_sn: u32,
    pub next_itt: u32,
    pub isid: [u8; 6],
    pub tsih: u16,
    pub name: String,
}

impl Client {
    pub fn connect(portal: &str) -> Client {
        let s = TcpStream::connect(portal).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        s.set_nodelay(true).unwrap();
        Client {
            s,
            cmd_sn: 1,
            exp_stat_sn: 0,
            next_itt: 1,
            isid: [0x80, 0, 0, 0x12, 0x34, 0x56],
            tsih: 0,
            name: "iqn.2026-12.test:raw".into(),
        }
    }

    /// Writes raw bytes; an error (the server closed first) is returned, not a panic.
    pub fn send(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.s.write_all(b)
    }

    /// Closes our sending side (so the server sees the end of the stream).
    pub fn finish(&mut self) {
        let _ = self.s.shutdown(Shutdown::Write);
    }

    pub fn set_timeout(&mut self, d: Duration) {
        self.s.set_read_timeout(Some(d)).unwrap();
    }

    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Got> {
        let mut got = 0;
        while got < buf.len() {
            match self.s.read(&mut buf[got..]) {
                Ok(0) => return Err(Got::Closed),
                Ok(n) => got += n,
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Err(if got == 0 { Got::Timeout } else { Got::Closed })
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Err(Got::Closed),
            }
        }
        Ok(())
    }

    /// Reads one PDU (no digests).
    pub fn recv(&mut self) -> Got {
        let mut h = [0u8; 48];
        if let Err(g) = self.fill(&mut h) {
            return g;
        }
        let dsl = (usize::from(h[5]) << 16) | (usize::from(h[6]) << 8) | usize::from(h[7]);
        let ahs = usize::from(h[4]) * 4;
        let mut d = vec![0u8; ahs + dsl + (4 - dsl % 4) % 4];
        if self.fill(&mut d).is_err() {
            return Got::Closed;
        }
        let p = Pdu {
            h,
            data: d[ahs..ahs + dsl].to_vec(),
        };
        // StatSN of status-carrying PDUs.
        if matches!(p.opcode(), 0x21 | 0x22 | 0x23 | 0x24 | 0x26 | 0x3f | 0x20)
            || (p.opcode() == 0x25 && h[1] & 1 != 0)
        {
            self.exp_stat_sn = be32(&h[24..28]).wrapping_add(1);
        }
        Got::Pdu(p)
    }

    /// Whether the server closes the connection (end of stream or reset), skipping any
    /// PDUs it sends first (returned).
    pub fn closed(&mut self) -> (bool, Vec<Pdu>) {
        let mut seen = Vec::new();
        loop {
            match self.recv() {
                Got::Closed => return (true, seen),
                Got::Timeout => return (false, seen),
                Got::Pdu(p) => seen.push(p),
            }
        }
    }

    pub fn itt(&mut self) -> u32 {
        let i = self.next_itt;
        self.next_itt += 1;
        i
    }

    /// A Login Request (§11.12): T, C, CSG, NSG; version 0; our ISID and TSIH.
    pub fn login_pdu(&mut self, transit: bool, csg: u8, nsg: u8, data: &[u8]) -> Vec<u8> {
        let flags = if transit { 0x80 | nsg } else { 0 } | (csg << 2);
        let itt = self.next_itt;
        let mut h = bhs(0x43, flags, data.len(), itt);
        h[8..14].copy_from_slice(&self.isid);
        h[14..16].copy_from_slice(&self.tsih.to_be_bytes());
        h[24..28].copy_from_slice(&self.cmd_sn.to_be_bytes());
        h[28..32].copy_from_slice(&self.exp_stat_sn.to_be_bytes());
        pdu(h, data)
    }

    /// One login exchange: the response, or None if the connection closed.
    pub fn login_step(&mut self, transit: bool, csg: u8, nsg: u8, kv: &[(&str, &str)]) -> Got {
        let b = self.login_pdu(transit, csg, nsg, &text(kv));
        if self.send(&b).is_err() {
            return Got::Closed;
        }
        self.recv()
    }

    /// A normal session to the full feature phase: AuthMethod=None, or CHAP with `chap`
    /// (user, secret). Err carries the failing Login Response's status (or 0xFFFF if the
    /// connection closed without one).
    pub fn login(&mut self, chap: Option<(&str, &str)>) -> Result<(), u16> {
        self.login_with(chap, &[("HeaderDigest", "None"), ("DataDigest", "None")])
    }

    /// Like [`Client::login`] with further operational keys.
    pub fn login_with(
        &mut self,
        chap: Option<(&str, &str)>,
        op: &[(&str, &str)],
    ) -> Result<(), u16> {
        let status = |g: Got| -> Result<Pdu, u16> {
            match g {
                Got::Pdu(p) if p.opcode() == 0x23 => {
                    let (c, d) = p.login_status();
                    if c != 0 {
                        return Err(u16::from(c) << 8 | u16::from(d));
                    }
                    Ok(p)
                }
                Got::Pdu(p) => panic!("login answered by opcode {:#x}", p.opcode()),
                _ => Err(0xFFFF),
            }
        };
        let name = self.name.clone();
        let first = [
            ("InitiatorName", name.as_str()),
            ("TargetName", IQN),
            ("SessionType", "Normal"),
            (
                "AuthMethod",
                if chap.is_some() { "CHAP,None" } else { "None" },
            ),
        ];
        let p = status(self.login_step(true, 0, 1, &first))?;
        if let Some((user, secret)) = chap {
            assert_eq!(
                value(&pairs(&p.data), "AuthMethod"),
                Some("CHAP"),
                "{:?}",
                pairs(&p.data)
            );
            let p = status(self.login_step(true, 0, 1, &[("CHAP_A", "5")]))?;
            let kv = pairs(&p.data);
            let id: u8 = value(&kv, "CHAP_I").unwrap().parse().unwrap();
            let c = unhex(value(&kv, "CHAP_C").unwrap());
            let mut m = Md5::new();
            m.update([id]);
            m.update(secret.as_bytes());
            m.update(&c);
            let r: [u8; 16] = m.finalize().into();
            let hex: String = r.iter().map(|b| format!("{b:02x}")).collect();
            let p = status(self.login_step(
                true,
                0,
                1,
                &[("CHAP_N", user), ("CHAP_R", &format!("0x{hex}"))],
            ))?;
            assert_eq!(
                p.h[1] & 0x83,
                0x81,
                "transit to the operational stage after CHAP"
            );
        }
        let p = status(self.login_step(true, 1, 3, op))?;
        assert_eq!(p.h[1] & 0x83, 0x83, "transit to the full feature phase");
        self.tsih = u16::from_be_bytes([p.h[14], p.h[15]]);
        self.cmd_sn = be32(&p.h[28..32]);
        Ok(())
    }

    /// A SCSI Command PDU (§11.3): F, R/W, EDTL, CmdSN (the current one, not advanced),
    /// the CDB and immediate data.
    pub fn command_pdu(
        &mut self,
        lun: u8,
        itt: u32,
        cdb: &[u8],
        edtl: u32,
        rw: u8,
        data: &[u8],
    ) -> Vec<u8> {
        let mut h = bhs(0x01, 0x80 | rw, data.len(), itt);
        h[9] = lun;
        h[20..24].copy_from_slice(&edtl.to_be_bytes());
        h[24..28].copy_from_slice(&self.cmd_sn.to_be_bytes());
        h[28..32].copy_from_slice(&self.exp_stat_sn.to_be_bytes());
        h[32..32 + cdb.len()].copy_from_slice(cdb);
        pdu(h, data)
    }

    /// Collects the answer to task `itt`: Data-In into a buffer, R2Ts answered from `out`,
    /// up to the status. Err(the PDU) for a Reject; panics on a closed connection.
    pub fn collect(&mut self, itt: u32, out: &[u8]) -> Result<Scsi, Pdu> {
        let mut data = Vec::new();
        loop {
            let p = match self.recv() {
                Got::Pdu(p) => p,
                other => panic!("no answer to task {itt:#x}: {other:?}"),
            };
            match p.opcode() {
                0x25 => {
                    assert_eq!(p.itt(), itt);
                    let off = be32(&p.h[40..44]) as usize;
                    if data.len() < off + p.data.len() {
                        data.resize(off + p.data.len(), 0);
                    }
                    data[off..off + p.data.len()].copy_from_slice(&p.data);
                    if p.h[1] & 1 != 0 {
                        return Ok(Scsi {
                            status: p.h[3],
                            data,
                            sense: Vec::new(),
                            residual: (p.h[1] & 0x06, be32(&p.h[44..48])),
                        });
                    }
                }
                0x21 => {
                    assert_eq!(p.itt(), itt);
                    let sense = if p.data.len() >= 2 {
                        let n = usize::from(u16::from_be_bytes([p.data[0], p.data[1]]));
                        p.data[2..2 + n.min(p.data.len() - 2)].to_vec()
                    } else {
                        Vec::new()
                    };
                    return Ok(Scsi {
                        status: p.h[3],
                        data,
                        sense,
                        residual: (p.h[1] & 0x06, be32(&p.h[44..48])),
                    });
                }
                0x31 => {
                    // R2T (§11.8): answer with Data-Out PDUs of 8192 bytes at most.
                    let ttt = be32(&p.h[20..24]);
                    let off = be32(&p.h[40..44]) as usize;
                    let len = be32(&p.h[44..48]) as usize;
                    let mut at = off;
                    let mut sn = 0u32;
                    while at < off + len {
                        let n = (off + len - at).min(8192);
                        let last = at + n == off + len;
                        let b = data_out(
                            p.h[8..16].try_into().unwrap(),
                            itt,
                            ttt,
                            sn,
                            at as u32,
                            last,
                            &out[at..at + n],
                        );
                        self.send(&b).unwrap();
                        at += n;
                        sn += 1;
                    }
                }
                0x3f => return Err(p),
                0x20 => {} // a NOP-In for an earlier ping
                op => panic!("opcode {op:#x} in answer to task {itt:#x}"),
            }
        }
    }

    /// Runs one command: `read` bytes in, or `out` bytes out (immediate data up to 8192,
    /// the rest by R2T, as InitialR2T=Yes asks).
    pub fn scsi(&mut self, lun: u8, cdb: &[u8], read: u32, out: &[u8]) -> Scsi {
        let itt = self.itt();
        let (edtl, rw) = if out.is_empty() {
            (read, if read > 0 { 0x40 } else { 0 })
        } else {
            (out.len() as u32, 0x20)
        };
        let imm = &out[..out.len().min(8192)];
        let b = self.command_pdu(lun, itt, cdb, edtl, rw, imm);
        self.cmd_sn = self.cmd_sn.wrapping_add(1);
        self.send(&b).unwrap();
        self.collect(itt, out)
            .unwrap_or_else(|p| panic!("command rejected: reason {:#x}", p.reason()))
    }

    /// INQUIRY on `lun`.
    pub fn inquiry(&mut self, lun: u8) -> Scsi {
        self.scsi(lun, &[0x12, 0, 0, 0, 36, 0], 36, &[])
    }

    /// READ(10) of `blocks` 2048-byte blocks at `lba`.
    pub fn read10(&mut self, lun: u8, lba: u32, blocks: u16) -> Scsi {
        let l = lba.to_be_bytes();
        let n = blocks.to_be_bytes();
        self.scsi(
            lun,
            &[0x28, 0, l[0], l[1], l[2], l[3], 0, n[0], n[1], 0],
            u32::from(blocks) * 2048,
            &[],
        )
    }

    /// TEST UNIT READY until it is GOOD (a fresh drive answers UNIT ATTENTION first).
    pub fn ready(&mut self, lun: u8) {
        for _ in 0..5 {
            if self.scsi(lun, &[0; 6], 0, &[]).status == 0 {
                return;
            }
        }
        panic!("LUN {lun} never ready");
    }

    /// NOP-Out as an immediate ping (§11.18) and its NOP-In.
    pub fn ping(&mut self) -> Pdu {
        let itt = self.itt();
        let mut h = bhs(0x40, 0x80, 4, itt);
        h[20..24].copy_from_slice(&0xFFFF_FFFFu32.to_be_bytes());
        h[24..28].copy_from_slice(&self.cmd_sn.to_be_bytes());
        h[28..32].copy_from_slice(&self.exp_stat_sn.to_be_bytes());
        self.send(&pdu(h, b"ping")).unwrap();
        loop {
            let p = self.recv().pdu();
            if p.opcode() == 0x20 && p.itt() == itt {
                assert_eq!(p.data, b"ping", "NOP-In echoes the ping data");
                return p;
            }
        }
    }

    /// A Task Management Function Request (§11.5): function, LUN, referenced task and its
    /// CmdSN; returns the response code (§11.6.1).
    pub fn tmf(&mut self, function: u8, lun: u8, referenced: u32, ref_cmd_sn: u32) -> u8 {
        let itt = self.itt();
        let mut h = bhs(0x42, 0x80 | function, 0, itt);
        h[9] = lun;
        h[20..24].copy_from_slice(&referenced.to_be_bytes());
        h[24..28].copy_from_slice(&self.cmd_sn.to_be_bytes());
        h[28..32].copy_from_slice(&self.exp_stat_sn.to_be_bytes());
        h[32..36].copy_from_slice(&ref_cmd_sn.to_be_bytes());
        self.send(&h).unwrap();
        loop {
            let p = self.recv().pdu();
            if p.opcode() == 0x22 {
                assert_eq!(p.itt(), itt);
                return p.h[2];
            }
        }
    }

    /// Logout (§11.14, reason 0 close the session) and its response code.
    pub fn logout(&mut self) -> u8 {
        let itt = self.itt();
        let mut h = bhs(0x46, 0x80, 0, itt);
        h[24..28].copy_from_slice(&self.cmd_sn.to_be_bytes());
        h[28..32].copy_from_slice(&self.exp_stat_sn.to_be_bytes());
        self.cmd_sn = self.cmd_sn.wrapping_add(1);
        self.send(&h).unwrap();
        let p = self.recv().pdu();
        assert_eq!(p.opcode(), 0x26, "logout response");
        p.h[2]
    }
}

/// A SCSI Data-Out PDU (§11.7).
pub fn data_out(
    lun: [u8; 8],
    itt: u32,
    ttt: u32,
    data_sn: u32,
    offset: u32,
    last: bool,
    data: &[u8],
) -> Vec<u8> {
    let mut h = bhs(0x05, if last { 0x80 } else { 0 }, data.len(), itt);
    h[8..16].copy_from_slice(&lun);
    h[20..24].copy_from_slice(&ttt.to_be_bytes());
    h[36..40].copy_from_slice(&data_sn.to_be_bytes());
    h[40..44].copy_from_slice(&offset.to_be_bytes());
    pdu(h, data)
}

fn unhex(v: &str) -> Vec<u8> {
    let h = v
        .strip_prefix("0x")
        .or_else(|| v.strip_prefix("0X"))
        .unwrap();
    (0..h.len() / 2)
        .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// A file's bytes, or empty.
pub fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_default()
}
