//! `discburn serve` and real initiators on the host (issue 11): libiscsi's tools
//! (`libiscsi-bin`: iscsi-ls, iscsi-inq, iscsi-swp, iscsi-test-cu) log in WITH CHAP, list
//! and query the served drives, negotiate CRC32C header digests, and are refused with a
//! wrong secret or none; libiscsi's own conformance suite checks the CmdSN window.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::serve::*;

const SECRET: &str = "tWelve-chars-plus";

fn lib(name: &str, args: &[&str]) -> std::process::Output {
    tool(name, args)
}

fn out(o: &std::process::Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn libiscsi_tools_log_in_with_chap_and_are_refused_without() {
    let dir = tempfile::tempdir().unwrap();
    let cd = dir.path().join("cd.img");
    cd_with_session(dir.path(), &cd);
    let sec = dir.path().join("secret");
    std::fs::write(&sec, format!("{SECRET}\n")).unwrap();
    let d1 = format!("emu:{},profile=cd-r", cd.display());
    let d2 = format!("emu:{},profile=bd-r", dir.path().join("bd.img").display());
    let srv = Server::start(
        dir.path(),
        &[
            "--chap-user",
            "burner",
            "--chap-secret-file",
            sec.to_str().unwrap(),
            &d1,
            &d2,
        ],
        2,
    );
    let before = snapshot(dir.path());
    let portal = format!("iscsi://burner%{SECRET}@{}", srv.portal());
    let mut at = 0;

    // Discovery (SendTargets) and a normal session per LUN: REPORT LUNS and INQUIRY.
    let o = lib("iscsi-ls", &["-s", &portal]);
    assert!(o.status.success(), "iscsi-ls: {}", out(&o));
    let ls = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        ls.contains(&format!("Target:{IQN} Portal:{},1", srv.portal())),
        "{ls}"
    );
    let luns: Vec<&str> = ls.lines().filter(|l| l.starts_with("Lun:")).collect();
    assert_eq!(luns.len(), 2, "{ls}");
    for (i, l) in luns.iter().enumerate() {
        let f: Vec<&str> = l.split_whitespace().collect();
        assert_eq!(f, [format!("Lun:{}", i + 1).as_str(), "Type:MMC"], "{ls}");
    }
    at = srv.wait_log(
        at,
        "iscsi-ls logged in (discovery session, digests false/false",
    );

    // The same discovery with HeaderDigest=CRC32C (libiscsi's header_digest URL argument;
    // it offers no data digest, and its other tools override the URL with None,CRC32C, of
    // which the target takes the initiator's first choice, §6.2.1): every PDU both ways
    // carries a CRC32C header digest, or libiscsi would drop the connection.
    let o = lib(
        "iscsi-ls",
        &["-s", &format!("{portal}?header_digest=crc32c")],
    );
    assert!(
        o.status.success(),
        "iscsi-ls with header digests: {}",
        out(&o)
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        ls,
        "same listing with digests"
    );
    at = srv.wait_log(
        at,
        "iscsi-ls logged in (discovery session, digests true/false",
    );

    // INQUIRY: the standard data and the VPD pages the emulator has.
    let url1 = srv.url_with_chap(1, "burner", SECRET);
    let o = lib("iscsi-inq", &[&url1]);
    assert!(o.status.success(), "iscsi-inq: {}", out(&o));
    let inq = String::from_utf8_lossy(&o.stdout);
    for want in [
        "Peripheral Qualifier:CONNECTED",
        "Peripheral Device Type:MMC",
        "Removable:1",
        "Vendor:DISCBURN",
    ] {
        assert!(inq.contains(want), "{want}: {inq}");
    }
    let o = lib("iscsi-inq", &["-e", "1", "-c", "0", &url1]);
    assert!(o.status.success(), "iscsi-inq VPD 00h: {}", out(&o));
    let vpd = String::from_utf8_lossy(&o.stdout);
    assert!(vpd.contains("Page:0x80 UNIT_SERIAL_NUMBER"), "{vpd}");

    // A refusal carries its sense data to the initiator: iscsi-swp asks MODE SENSE(10) for
    // the control page 0Ah, which MMC-6 drives do not have (MMC-6 §7.2 lists the pages).
    let o = lib("iscsi-swp", &[&url1]);
    assert!(!o.status.success());
    assert!(
        out(&o).contains(
            "MODE_SENSE10 failed: SENSE KEY:ILLEGAL_REQUEST(5) ASCQ:INVALID_FIELD_IN_CDB(0x2400)"
        ),
        "{}",
        out(&o)
    );

    // A LUN that does not exist: libiscsi's connect sends TEST UNIT READY, answered
    // LOGICAL UNIT NOT SUPPORTED (25h/00h, SAM-5 §5.10 incorrect logical unit selection).
    let o = lib(
        "iscsi-inq",
        &[&srv.url_with_chap(2, "burner", SECRET).replace("/2", "/7")],
    );
    assert!(!o.status.success());
    assert!(
        out(&o).contains("LOGICAL_UNIT_NOT_SUPPORTED(0x2500)"),
        "{}",
        out(&o)
    );

    // libiscsi's iSCSI conformance tests: the CmdSN window (§4.2.2.1: a command with CmdSN
    // beyond MaxCmdSN and one below ExpCmdSN are ignored, the session goes on), and the
    // residuals of READ(10)/READ(12) whose Expected Data Transfer Length is 0, 200 bytes or
    // one block for two (residual overflow, the command done and EDTL bytes sent) or 10000
    // (underflow) (§11.4.5.1; these failed with INTERNAL TARGET FAILURE before), and the
    // same with READ(10) flagged as a write on the iSCSI layer (W set, R clear, one block of
    // immediate Data-Out): GOOD as libiscsi expects, no Data-In, the Data-Out unused (it
    // failed with HARDWARE ERROR, INTERNAL TARGET FAILURE before). The Write*Residuals
    // suites are not run: libiscsi skips them on a device that is not SBC (PDT 5 here),
    // and a skipped test counts as passed in its summary.
    for (suite, n) in [
        ("iSCSI.iSCSIcmdsn", "2"),
        ("iSCSI.iSCSIResiduals.Read10Residuals", "1"),
        ("iSCSI.iSCSIResiduals.Read12Residuals", "1"),
        ("iSCSI.iSCSIResiduals.Read10Invalid", "1"),
    ] {
        let o = lib("iscsi-test-cu", &["-f", "-n", "-t", suite, &url1]);
        let t =
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{suite}: {t}");
        let row = |name: &str| -> Vec<String> {
            t.lines()
                .find(|l| l.trim_start().starts_with(name))
                .unwrap_or_else(|| panic!("{suite}: no run summary:\n{t}"))
                .split_whitespace()
                .map(str::to_string)
                .collect()
        };
        assert_eq!(
            row("tests "),
            ["tests", n, n, n, "0", "0"],
            "{suite} passes:\n{t}"
        );
        assert_eq!(row("asserts ")[4], "0", "{suite}: no failed assert:\n{t}");
    }
    at = srv.wait_log(at, "outside the window");

    // Refused: a wrong secret (Login Response 0201h, "Authentication failure(513)" in
    // libiscsi's words), and no credentials at all.
    let wrong = srv.url_with_chap(1, "burner", "tWelve-chars-minus");
    let o = lib("iscsi-inq", &[&wrong]);
    assert!(!o.status.success(), "a wrong secret logs in: {}", out(&o));
    assert!(
        out(&o).contains("Authentication failure(513)"),
        "{}",
        out(&o)
    );
    at = srv.wait_log(
        at,
        "CHAP: wrong user name or secret from iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-inq",
    );
    let o = lib(
        "iscsi-ls",
        &[
            "-s",
            &format!("iscsi://burner%wrong-secret-here@{}", srv.portal()),
        ],
    );
    assert!(
        !o.status.success(),
        "discovery with a wrong secret: {}",
        out(&o)
    );
    at = srv.wait_log(
        at,
        "CHAP: wrong user name or secret from iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-ls",
    );
    let o = lib("iscsi-inq", &[&srv.urls[0]]);
    assert!(!o.status.success(), "no CHAP logs in: {}", out(&o));
    assert!(
        out(&o).contains("Authentication failure(513)"),
        "{}",
        out(&o)
    );
    srv.wait_log(at, "requires CHAP");

    // Still serving, and nothing was written.
    let o = lib("iscsi-inq", &[&url1]);
    assert!(o.status.success(), "{}", out(&o));
    let mut srv = srv;
    assert!(srv.stop().success(), "{}", srv.log());
    assert_same(&before, &snapshot(dir.path()));
}

/// QEMU's own iSCSI block driver on the host (qemu-img from `qemu-utils`, the driver from
/// `qemu-block-extra`, libiscsi underneath): CHAP with the secret in a file
/// (`password-secret`, as the README shows), CRC32C header digests on a normal session
/// (`header-digest=crc32c`; the log shows them on), every block of the recorded session read
/// byte-exact; a wrong secret is refused.
#[test]
fn qemu_reads_a_served_disc_with_chap_and_header_digests() {
    let dir = tempfile::tempdir().unwrap();
    let cd = dir.path().join("cd.img");
    cd_with_session(dir.path(), &cd);
    let sec = dir.path().join("secret");
    std::fs::write(&sec, SECRET).unwrap();
    let wrong = dir.path().join("wrong");
    std::fs::write(&wrong, "tWelve-chars-minus").unwrap();
    let d1 = format!("emu:{},profile=cd-r", cd.display());
    let srv = Server::start(
        dir.path(),
        &[
            "--chap-user",
            "burner",
            "--chap-secret-file",
            sec.to_str().unwrap(),
            &d1,
        ],
        1,
    );
    let before = snapshot(dir.path());
    let opts = |digest: bool| {
        format!(
            "driver=iscsi,transport=tcp,portal={},target={IQN},lun=1,user=burner,password-secret=s0{}",
            srv.portal(),
            if digest { ",header-digest=crc32c" } else { "" }
        )
    };
    let blocks = bytes(&cd).len() / 2048;
    let out = dir.path().join("read.raw");
    let o = tool(
        "qemu-img",
        &[
            "dd",
            "--object",
            &format!("secret,id=s0,file={}", sec.display()),
            "--image-opts",
            &format!("if={}", opts(true)),
            "-O",
            "raw",
            &format!("of={}", out.display()),
            "bs=2048",
            &format!("count={blocks}"),
        ],
    );
    assert!(
        o.status.success(),
        "qemu-img dd: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        bytes(&out) == bytes(&cd),
        "QEMU read the session byte-exact"
    );
    srv.wait_log(
        0,
        "iqn.2008-11.org.linux-kvm logged in (normal session, digests true/false",
    );

    let o = tool(
        "qemu-img",
        &[
            "info",
            "--object",
            &format!("secret,id=s0,file={}", wrong.display()),
            "--image-opts",
            &opts(false),
        ],
    );
    assert!(!o.status.success(), "a wrong secret opens the drive");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Authentication failure(513)"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    srv.wait_log(
        0,
        "CHAP: wrong user name or secret from iqn.2008-11.org.linux-kvm",
    );
    let mut srv = srv;
    assert!(srv.stop().success());
    std::fs::remove_file(&out).unwrap();
    assert_same(&before, &snapshot(dir.path()));
}
