//! `discburn serve` against hostile initiators (issue 11, "Bad input"): a raw TCP client
//! (common::serve, PDUs written from RFC 7143's layouts) sends truncated, oversized and
//! out-of-order PDUs, unknown opcodes, garbage and wrong CHAP answers to a live server.
//! Each gets a Reject, a login failure or a closed connection, as RFC 7143 says for it
//! (cited at each case), and a log line; afterwards a fresh connection logs in and reads
//! the disc, the server is still running, and the disc files (image and state of a CD-R
//! with a session and of a blank BD-R) are byte-identical to what they were before.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use common::serve::*;

const SECRET: &str = "secretsecret12";

struct Bed {
    dir: tempfile::TempDir,
    srv: Server,
    cd: PathBuf,
    before: BTreeMap<String, Vec<u8>>,
}

/// A CD-R with a session (LUN 1) and a blank BD-R (LUN 2) served, with CHAP when `chap`.
fn bed(chap: bool) -> Bed {
    let dir = tempfile::tempdir().unwrap();
    let cd = dir.path().join("cd.img");
    cd_with_session(dir.path(), &cd);
    let bd = dir.path().join("bd.img");
    let sec = dir.path().join("secret");
    std::fs::write(&sec, format!("{SECRET}\n")).unwrap();
    let d1 = format!("emu:{},profile=cd-r", cd.display());
    let d2 = format!("emu:{},profile=bd-r", bd.display());
    let mut args: Vec<&str> = Vec::new();
    if chap {
        args.extend([
            "--chap-user",
            "tester",
            "--chap-secret-file",
            sec.to_str().unwrap(),
        ]);
    }
    args.push(&d1);
    args.push(&d2);
    let srv = Server::start(dir.path(), &args, 2);
    let before = snapshot(dir.path());
    Bed {
        dir,
        srv,
        cd,
        before,
    }
}

impl Bed {
    fn creds(&self) -> Option<(&'static str, &'static str)> {
        None
    }

    /// A fresh connection logs in and reads: INQUIRY on both LUNs (type 5), the CD's
    /// primary volume descriptor byte-exact from the image.
    fn healthy(&mut self, chap: Option<(&str, &str)>) {
        assert!(self.srv.alive(), "the server died:\n{}", self.srv.log());
        let mut c = self.srv.connect();
        c.login(chap)
            .unwrap_or_else(|s| panic!("fresh login refused: {s:#06x}\n{}", self.srv.log()));
        for lun in [1, 2] {
            c.ready(lun);
            let q = c.inquiry(lun);
            assert_eq!((q.status, q.data[0]), (0, 5), "INQUIRY LUN {lun}");
        }
        let r = c.read10(1, 16, 1);
        assert_eq!(r.status, 0, "READ(10) of the PVD: {:?}", r.key());
        let img = bytes(&self.cd);
        assert_eq!(r.data, img[16 * 2048..17 * 2048], "the PVD as in the image");
        assert_eq!(&r.data[1..6], b"CD001");
        assert_eq!(c.logout(), 0);
    }

    /// Stops the server (exit 0) and compares the disc files.
    fn end(mut self) {
        let st = self.srv.stop();
        assert!(st.success(), "serve exit: {st:?}\n{}", self.srv.log());
        assert_same(&self.before, &snapshot(self.dir.path()));
    }

    fn mark(&self) -> usize {
        self.srv.log().len()
    }
}

/// A logged-in connection.
fn session(b: &Bed, chap: Option<(&str, &str)>) -> Client {
    let mut c = b.srv.connect();
    c.login(chap).unwrap();
    c
}

/// Expects the connection to close without any PDU first.
fn closes_silently(c: &mut Client, what: &str) {
    let (closed, seen) = c.closed();
    assert!(closed, "{what}: connection still open");
    assert!(seen.is_empty(), "{what}: PDUs before the close: {seen:?}");
}

/// Expects one Reject (reason) carrying our header, then (when `then_close`) the close.
fn rejected(c: &mut Client, what: &str, reason: u8, our: &[u8], then_close: bool) {
    let p = match c.recv() {
        Got::Pdu(p) => p,
        other => panic!("{what}: no Reject but {other:?}"),
    };
    assert_eq!(
        p.opcode(),
        0x3f,
        "{what}: a Reject (§11.17), not {:#x}",
        p.opcode()
    );
    assert_eq!(p.reason(), reason, "{what}: reject reason");
    assert_eq!(
        p.itt(),
        0xFFFF_FFFF,
        "{what}: a Reject's ITT is reserved (§11.17)"
    );
    assert_eq!(
        p.data,
        our[..48].to_vec(),
        "{what}: the Reject carries the rejected header (§11.17.3)"
    );
    if then_close {
        let (closed, seen) = c.closed();
        assert!(
            closed && seen.is_empty(),
            "{what}: expected the close after the Reject; {seen:?}"
        );
    }
}

/// Expects a Login Response with `status` (§11.13.5), then the close (§6.3: a login
/// failure ends the connection).
fn login_refused(c: &mut Client, what: &str, status: u16) {
    let p = match c.recv() {
        Got::Pdu(p) => p,
        other => panic!("{what}: no Login Response but {other:?}"),
    };
    assert_eq!(
        p.opcode(),
        0x23,
        "{what}: a Login Response, not {:#x}",
        p.opcode()
    );
    let (cl, de) = p.login_status();
    assert_eq!(
        u16::from(cl) << 8 | u16::from(de),
        status,
        "{what}: login status"
    );
    let (closed, seen) = c.closed();
    assert!(
        closed && seen.is_empty(),
        "{what}: expected the close after the login reject; {seen:?}"
    );
}

#[test]
fn truncated_pdus_close_the_connection() {
    let mut b = bed(false);
    let mut at = b.mark();

    // A BHS cut short before login: the stream ends after 20 of 48 bytes.
    let mut c = b.srv.connect();
    let h = c.login_pdu(true, 0, 1, &[]);
    c.send(&h[..20]).unwrap();
    c.finish();
    closes_silently(&mut c, "20 bytes of a header");
    at = b.srv.wait_log(
        at,
        "truncated PDU: the connection ended after 20 of 48 bytes of its header",
    );

    // A login request whose data segment is shorter than its DataSegmentLength.
    let mut c = b.srv.connect();
    let kv = text(&[
        ("InitiatorName", "iqn.2026-12.test:raw"),
        ("SessionType", "Discovery"),
    ]);
    let mut p = c.login_pdu(true, 0, 1, &kv);
    p[5..8].copy_from_slice(&[0, 0, 200]);
    c.send(&p[..48 + 20]).unwrap();
    c.finish();
    closes_silently(&mut c, "login data cut short");
    at = b
        .srv
        .wait_log(at, "after 20 of 200 bytes of its data segment");

    // In the full feature phase: a WRITE(10) to the blank BD-R announcing 2048 bytes of
    // immediate data, 100 sent. Nothing may be written.
    let mut c = session(&b, None);
    let itt = c.itt();
    let blk = vec![0xAB; 2048];
    let cmd = c.command_pdu(2, itt, &[0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0], 2048, 0x20, &blk);
    c.send(&cmd[..48 + 100]).unwrap();
    c.finish();
    closes_silently(&mut c, "immediate data cut short");
    at = b
        .srv
        .wait_log(at, "after 100 of 2048 bytes of its data segment");

    // An AHS cut short: TotalAHSLength 2 words, 4 bytes sent.
    let mut c = session(&b, None);
    let itt = c.itt();
    let mut cmd = c.command_pdu(1, itt, &[0, 0, 0, 0, 0, 0], 0, 0, &[]);
    cmd[4] = 2;
    cmd.extend_from_slice(&[0, 5, 1, 0]);
    c.send(&cmd).unwrap();
    c.finish();
    closes_silently(&mut c, "AHS cut short");
    at = b.srv.wait_log(at, "of its additional header segments");

    // A header cut short after login.
    let mut c = session(&b, None);
    c.send(&[0x01, 0x80, 0, 0, 0, 0, 0]).unwrap();
    c.finish();
    closes_silently(&mut c, "7 bytes of a header after login");
    b.srv.wait_log(at, "after 7 of 48 bytes of its header");

    b.healthy(b.creds());
    b.end();
}

#[test]
fn oversized_pdus_are_rejected() {
    let mut b = bed(false);
    let mut at = b.mark();

    // During login MaxRecvDataSegmentLength is 8192 (§13.12); 9000 bytes are refused with
    // a login reject before a byte of the data is read.
    let mut c = b.srv.connect();
    let mut p = c.login_pdu(true, 0, 1, &[]);
    p[5..8].copy_from_slice(&[0, 0x23, 0x28]);
    c.send(&p).unwrap();
    login_refused(&mut c, "9000-byte login PDU", 0x0200);
    at = b.srv.wait_log(
        at,
        "data segment of 9000 bytes, over the negotiated MaxRecvDataSegmentLength of 8192",
    );

    // In the full feature phase over our declared 65536: a Reject (protocol error) with the
    // header, then the close (ErrorRecoveryLevel 0, §7.1.5: the stream cannot be resynced).
    for dsl in [65537usize, 0xFF_FFFF] {
        let mut c = session(&b, None);
        let itt = c.itt();
        let mut cmd = c.command_pdu(2, itt, &[0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0], 2048, 0x20, &[]);
        cmd[5] = (dsl >> 16) as u8;
        cmd[6] = (dsl >> 8) as u8;
        cmd[7] = dsl as u8;
        c.send(&cmd).unwrap();
        rejected(&mut c, "oversized data segment", 0x04, &cmd, true);
        at = b.srv.wait_log(at, &format!("data segment of {dsl} bytes, over the negotiated MaxRecvDataSegmentLength of 65536"));
    }

    // The largest AHS the header can announce (255 words): an extended CDB (AHSType 1,
    // §11.2.2.3) of 1016 bytes. Framed correctly, so the command is refused (CHECK
    // CONDITION, INVALID FIELD IN CDB: we take CDBs of 16 bytes at most) and the
    // connection goes on.
    let mut c = session(&b, None);
    c.ready(2);
    let itt = c.itt();
    let mut cmd = c.command_pdu(2, itt, &[0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0], 2048, 0x20, &[]);
    cmd[4] = 255;
    let mut ahs = vec![0u8; 1020];
    ahs[0..2].copy_from_slice(&1017u16.to_be_bytes());
    ahs[2] = 1;
    ahs[4..].fill(0x2A);
    cmd.splice(48..48, ahs);
    c.cmd_sn += 1;
    c.send(&cmd).unwrap();
    let r = c.collect(itt, &[]).expect("a SCSI Response, not a Reject");
    assert_eq!(
        (r.status, r.key()),
        (2, (5, 0x24, 0)),
        "an extended CDB is refused"
    );
    assert_eq!(c.inquiry(2).status, 0, "the connection goes on");

    // An AHS whose AHSLength (65535) runs past TotalAHSLength (8 bytes): Reject, invalid
    // PDU field, then the close.
    let itt = c.itt();
    let mut cmd = c.command_pdu(1, itt, &[0, 0, 0, 0, 0, 0], 0, 0, &[]);
    cmd[4] = 2;
    cmd.extend_from_slice(&[0xFF, 0xFF, 1, 0, 0, 0, 0, 0]);
    c.send(&cmd).unwrap();
    rejected(&mut c, "AHS longer than TotalAHSLength", 0x09, &cmd, true);
    b.srv.wait_log(
        at,
        "malformed additional header segment (TotalAHSLength 8, an AHS of 65535 bytes at 0)",
    );

    b.healthy(None);
    b.end();
}

#[test]
fn out_of_order_pdus_are_refused() {
    let mut b = bed(false);
    let mut at = b.mark();

    // A SCSI Command before any login: §6.3, "a target receiving any PDU except a Login
    // request before the Login Phase is started MUST immediately terminate the connection".
    let mut c = b.srv.connect();
    let itt = c.itt();
    let cmd = c.command_pdu(1, itt, &[0x12, 0, 0, 0, 36, 0], 36, 0x40, &[]);
    c.send(&cmd).unwrap();
    closes_silently(&mut c, "SCSI Command before login");
    at = b.srv.wait_log(at, "ScsiCommand before login");

    // The same once the login phase has started: "it MUST send a Login reject (with Status
    // 'invalid during login') and then disconnect" (§6.3; status 020Bh, §11.13.5).
    let mut c = b.srv.connect();
    let first = [
        ("InitiatorName", "iqn.2026-12.test:raw"),
        ("TargetName", IQN),
        ("AuthMethod", "None"),
    ];
    let p = c.login_step(false, 0, 0, &first).pdu();
    assert_eq!(p.login_status(), (0, 0));
    let itt = c.itt();
    let cmd = c.command_pdu(1, itt, &[0x12, 0, 0, 0, 36, 0], 36, 0x40, &[]);
    c.send(&cmd).unwrap();
    login_refused(&mut c, "SCSI Command during login", 0x020B);
    at = b.srv.wait_log(at, "ScsiCommand during login");

    // Login stage jumps (§6.3, §11.12.3): the first request in stage 3; a transit to the
    // reserved stage 2; back from the operational stage to the security stage; a transit
    // to the stage it is in. Each an initiator error (0200h) and the close.
    type Steps<'a> = &'a [(bool, u8, u8)];
    let jumps: [(&str, Steps<'_>); 4] = [
        ("first request in the full feature stage", &[(true, 3, 3)]),
        ("transit to stage 2", &[(true, 0, 2)]),
        ("back to the security stage", &[(true, 0, 1), (true, 0, 3)]),
        ("transit to its own stage", &[(true, 0, 1), (true, 1, 1)]),
    ];
    for (what, steps) in jumps {
        let mut c = b.srv.connect();
        let n = steps.len();
        for (i, &(t, csg, nsg)) in steps.iter().enumerate() {
            let kv: &[(&str, &str)] = if i == 0 { &first } else { &[] };
            if i + 1 < n {
                let p = c.login_step(t, csg, nsg, kv).pdu();
                assert_eq!(p.login_status(), (0, 0), "{what}: step {i}");
            } else {
                let pdu = c.login_pdu(t, csg, nsg, &text(kv));
                c.send(&pdu).unwrap();
                login_refused(&mut c, what, 0x0200);
            }
        }
        at = b.srv.wait_log(at, "login refused (status 0x0200)");
    }

    // Data-Out for a task that does not exist: a Reject (invalid PDU field, §11.17.1) and
    // the connection goes on.
    let mut c = session(&b, None);
    let d = data_out(
        [0, 1, 0, 0, 0, 0, 0, 0],
        0x7777,
        0x1234,
        0,
        0,
        true,
        &[0u8; 512],
    );
    c.send(&d).unwrap();
    rejected(&mut c, "Data-Out for an unknown ITT", 0x09, &d, false);
    at = b
        .srv
        .wait_log(at, "Data-Out for unknown task 0x7777 rejected");
    assert_eq!(c.inquiry(1).status, 0, "the connection goes on");

    // CmdSN outside the window (§4.2.2.1: "MUST silently ignore"): beyond MaxCmdSN and
    // before ExpCmdSN. No answer; an immediate NOP-Out still is; the right CmdSN works.
    for delta in [1000i64, -5] {
        let itt = c.itt();
        let saved = c.cmd_sn;
        c.cmd_sn = (i64::from(saved) + delta) as u32;
        let cmd = c.command_pdu(1, itt, &[0x12, 0, 0, 0, 36, 0], 36, 0x40, &[]);
        c.cmd_sn = saved;
        c.send(&cmd).unwrap();
        let ping = c.ping();
        assert_eq!(
            be32(&ping.h[28..32]),
            saved,
            "ExpCmdSN unmoved by the ignored command"
        );
        at = b.srv.wait_log(at, "outside the window");
        let q = c.inquiry(1);
        assert_eq!(q.status, 0);
    }

    // A gap inside the window (CmdSN 3 ahead) cannot be filled on a session of one
    // connection: Reject (protocol error) and the close.
    let itt = c.itt();
    c.cmd_sn += 3;
    let cmd = c.command_pdu(1, itt, &[0x12, 0, 0, 0, 36, 0], 36, 0x40, &[]);
    c.send(&cmd).unwrap();
    rejected(&mut c, "CmdSN gap", 0x04, &cmd, true);
    at = b.srv.wait_log(at, "a gap one connection cannot fill");

    // A Login Request in the full feature phase: Reject, then the close.
    let mut c = session(&b, None);
    let l = c.login_pdu(true, 1, 3, &[]);
    c.send(&l).unwrap();
    rejected(&mut c, "Login Request after login", 0x04, &l, true);
    at = b
        .srv
        .wait_log(at, "Login Request in the full feature phase");

    // A write whose solicited Data-Out comes at the wrong offset: Reject, the close, and
    // the WRITE never reaches the drive (the disc files are compared at the end).
    let mut c = session(&b, None);
    c.ready(2);
    let itt = c.itt();
    let cmd = c.command_pdu(2, itt, &[0x2A, 0, 0, 0, 0, 0, 0, 0, 2, 0], 4096, 0x20, &[]);
    c.cmd_sn += 1;
    c.send(&cmd).unwrap();
    let r2t = c.recv().pdu();
    assert_eq!(r2t.opcode(), 0x31, "an R2T for the write (InitialR2T=Yes)");
    let ttt = be32(&r2t.h[20..24]);
    let d = data_out(
        [0, 2, 0, 0, 0, 0, 0, 0],
        itt,
        ttt,
        0,
        2048,
        false,
        &[0xCD; 2048],
    );
    c.send(&d).unwrap();
    rejected(&mut c, "Data-Out at the wrong offset", 0x04, &d, true);
    b.srv
        .wait_log(at, "at offset 2048 (+2048, DataSN 0) where offset 0");

    b.healthy(None);
    b.end();
}

/// A deterministic byte stream (xorshift).
fn garbage(n: usize, mut x: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn unknown_opcodes_and_garbage_are_refused() {
    let mut b = bed(false);
    let mut at = b.mark();

    // In the full feature phase: a vendor-specific opcode (1Ch), a target opcode (21h,
    // SCSI Response) and SNACK (10h, needs ErrorRecoveryLevel>0, §7.1.5): each a Reject
    // ("command not supported" 05h, or protocol error 04h for SNACK), and the connection
    // goes on.
    let mut c = session(&b, None);
    for (op, reason) in [(0x1Cu8, 0x05u8), (0x21, 0x05), (0x10, 0x04)] {
        let itt = c.itt();
        let mut h = bhs(op, 0x80, 0, itt);
        h[24..28].copy_from_slice(&c.cmd_sn.to_be_bytes());
        c.send(&h).unwrap();
        rejected(&mut c, &format!("opcode {op:#x}"), reason, &h, false);
        assert_eq!(
            c.inquiry(1).status,
            0,
            "the connection goes on after opcode {op:#x}"
        );
    }
    at = b
        .srv
        .wait_log(at, "opcode 0x1c (Unknown(28)) rejected as not supported");

    // A Text Request whose data is not text: Reject (invalid PDU field), connection goes on.
    let itt = c.itt();
    let mut h = bhs(0x04, 0x80, 6, itt);
    h[20..24].copy_from_slice(&0xFFFF_FFFFu32.to_be_bytes());
    h[24..28].copy_from_slice(&c.cmd_sn.to_be_bytes());
    c.cmd_sn += 1;
    let t = pdu(h, b"\xff\xfe=\x01\x02\0");
    c.send(&t).unwrap();
    rejected(&mut c, "Text Request of garbage", 0x09, &t, false);
    assert_eq!(c.inquiry(1).status, 0);
    at = b.srv.wait_log(at, "Text Request: ");

    // Garbage in the full feature phase: 0xFF bytes read as an "immediate Reject" with a
    // DataSegmentLength of 16 MiB-1: Reject, the close.
    let junk = vec![0xFFu8; 48];
    c.send(&junk).unwrap();
    rejected(&mut c, "0xFF garbage", 0x04, &junk, true);
    at = b
        .srv
        .wait_log(at, "over the negotiated MaxRecvDataSegmentLength");

    // Before login: an unknown opcode closes at once (§6.3).
    let mut c = b.srv.connect();
    let h = bhs(0x1C, 0x80, 0, 1);
    c.send(&h).unwrap();
    closes_silently(&mut c, "unknown opcode before login");
    at = b.srv.wait_log(at, "Unknown(28) before login");

    // Streams of garbage, some starting as a login request: never logged in, each
    // connection refused or closed, the server unhurt.
    for seed in 1..=24u64 {
        let mut c = b.srv.connect();
        c.set_timeout(Duration::from_secs(5));
        let mut g = garbage(4096, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        if seed % 2 == 0 {
            g[0] = 0x43; // Login Request, immediate
            g[4] = 0;
        }
        let _ = c.send(&g);
        c.finish();
        let (closed, seen) = c.closed();
        assert!(closed, "garbage {seed}: the connection stays open");
        for p in &seen {
            match p.opcode() {
                0x23 => assert!(
                    p.login_status().0 != 0 || p.h[1] & 0x83 != 0x83,
                    "garbage {seed} logged in: {p:?}"
                ),
                0x3f => {}
                op => panic!("garbage {seed}: opcode {op:#x} in answer"),
            }
        }
    }
    b.srv.wait_log(at, "connection closed");

    b.healthy(None);
    b.end();
}

#[test]
fn wrong_chap_answers_are_refused() {
    let mut b = bed(true);
    let mut at = b.mark();
    let right = Some(("tester", SECRET));

    // The right secret logs in (so the client's CHAP is right), the wrong ones do not:
    // Login Response "authentication failure" 0201h (§11.13.5) and the close.
    let mut c = b.srv.connect();
    c.login(right).expect("the right secret");
    assert_eq!(c.logout(), 0);
    for (what, cred) in [
        ("wrong secret", ("tester", "secretsecret13")),
        ("wrong user", ("someone", SECRET)),
        ("empty secret", ("tester", "")),
    ] {
        let mut c = b.srv.connect();
        assert_eq!(c.login(Some(cred)), Err(0x0201), "{what}");
        let (closed, _) = c.closed();
        assert!(closed, "{what}: the connection closes");
        at = b.srv.wait_log(
            at,
            "CHAP: wrong user name or secret from iqn.2026-12.test:raw",
        );
    }

    // No CHAP at all on a target that requires it: AuthMethod=None, and a transit past the
    // security stage without it.
    let mut c = b.srv.connect();
    assert_eq!(c.login(None), Err(0x0201), "AuthMethod=None");
    at = b.srv.wait_log(at, "this target requires CHAP");
    let mut c = b.srv.connect();
    let kv = [
        ("InitiatorName", "iqn.2026-12.test:raw"),
        ("TargetName", IQN),
    ];
    let p = c.login_pdu(true, 0, 3, &text(&kv));
    c.send(&p).unwrap();
    login_refused(&mut c, "skipping the security stage", 0x0201);
    at = b.srv.wait_log(at, "requires CHAP");

    // CHAP_R before any challenge, and a CHAP_R that is not a binary value.
    for (what, r) in [
        ("CHAP_R before CHAP_A", None),
        ("CHAP_R not hex", Some("0xzz")),
    ] {
        let mut c = b.srv.connect();
        let kv = [
            ("InitiatorName", "iqn.2026-12.test:raw"),
            ("TargetName", IQN),
            ("AuthMethod", "CHAP"),
        ];
        let p = c.login_step(true, 0, 1, &kv).pdu();
        assert_eq!(p.login_status(), (0, 0));
        if let Some(r) = r {
            let p = c.login_step(true, 0, 1, &[("CHAP_A", "5")]).pdu();
            assert_eq!(p.login_status(), (0, 0));
            let pdu = c.login_pdu(true, 0, 1, &text(&[("CHAP_N", "tester"), ("CHAP_R", r)]));
            c.send(&pdu).unwrap();
        } else {
            let pdu = c.login_pdu(
                true,
                0,
                1,
                &text(&[
                    ("CHAP_N", "tester"),
                    ("CHAP_R", "0x00112233445566778899aabbccddeeff"),
                ]),
            );
            c.send(&pdu).unwrap();
        }
        login_refused(&mut c, what, 0x0201);
        at = b.srv.wait_log(at, "CHAP: wrong user name or secret");
    }

    b.healthy(right);
    b.end();
}

/// Sends a WRITE(10) of `blocks` to LUN 2 without data; returns the first PDU answering it.
fn announce_write(c: &mut Client, blocks: u16, edtl: u32) -> Pdu {
    let itt = c.itt();
    let n = blocks.to_be_bytes();
    let cmd = c.command_pdu(
        2,
        itt,
        &[0x2A, 0, 0, 0, 0, 0, 0, n[0], n[1], 0],
        edtl,
        0x20,
        &[],
    );
    c.cmd_sn += 1;
    c.send(&cmd).unwrap();
    let p = c.recv().pdu();
    assert_eq!(p.itt(), itt);
    p
}

#[test]
fn announced_writes_are_bounded() {
    let mut b = bed(false);
    let at = b.mark();
    let mut c = session(&b, None);
    c.ready(2);

    // A transfer over the drive's largest (16 MiB served) is refused before any data is
    // taken: CHECK CONDITION, INVALID FIELD IN CDB, no R2T.
    let p = announce_write(&mut c, 16384, 32 << 20);
    assert_eq!(
        (p.opcode(), p.h[3]),
        (0x21, 2),
        "a SCSI Response with CHECK CONDITION"
    );
    b.srv
        .wait_log(at, "transfer of 33554432 bytes refused (at most 16777216)");

    // Writes announced and never completed: 32 wait for their data (each has its R2T),
    // the 33rd is answered TASK SET FULL (SAM-5 status 28h); so are writes past 64 MiB
    // announced in all (four of 16 MiB wait, the fifth is refused).
    for _ in 0..32 {
        assert_eq!(announce_write(&mut c, 2, 4096).opcode(), 0x31, "an R2T");
    }
    let p = announce_write(&mut c, 2, 4096);
    assert_eq!((p.opcode(), p.h[3]), (0x21, 0x28), "TASK SET FULL");
    b.srv.wait_log(at, "TASK SET FULL (32 writes waiting");
    assert_eq!(c.tmf(2, 2, 0xFFFF_FFFF, 0), 0, "ABORT TASK SET drops them");
    for _ in 0..4 {
        assert_eq!(
            announce_write(&mut c, 8192, 16 << 20).opcode(),
            0x31,
            "an R2T"
        );
    }
    let p = announce_write(&mut c, 1, 2048);
    assert_eq!(
        (p.opcode(), p.h[3]),
        (0x21, 0x28),
        "TASK SET FULL past 64 MiB"
    );
    assert_eq!(c.tmf(2, 2, 0xFFFF_FFFF, 0), 0);
    assert_eq!(announce_write(&mut c, 2, 4096).opcode(), 0x31, "room again");
    assert_eq!(c.tmf(2, 2, 0xFFFF_FFFF, 0), 0);
    assert_eq!(c.logout(), 0);

    b.healthy(None);
    b.end();
}
