//! The test bed itself: a guest boots, runs commands, returns exact bytes and exit codes,
//! sees files added to the initramfs, and writes to the export disk.

#![cfg(unix)]
// reason: test code; helpers outside #[test] fns panic to fail the test
#![allow(clippy::unwrap_used, clippy::expect_used)]

use discburn_tests::Vm;

#[test]
fn guest_runs_commands_and_returns_exact_output() {
    let payload: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let run = Vm::new()
        .file("/data/payload.bin", &payload)
        .command("cat /data/payload.bin")
        .command("echo out; echo err >&2; exit 3")
        .command("printf 'no newline'")
        .command("dd if=/data/payload.bin of=/dev/vda bs=512 conv=notrunc 2>/dev/null")
        .export_disk(1 << 20)
        .run()
        .unwrap();
    eprintln!("guest run took {:.1} s", run.elapsed.as_secs_f64());
    assert_eq!(
        run.output(0).stdout,
        payload,
        "{}",
        run.output(0).describe()
    );
    let o = run.output(1);
    assert_eq!(
        (o.stdout_str().as_str(), o.stderr_str().as_str(), o.status),
        ("out\n", "err\n", 3)
    );
    assert_eq!(run.output(2).stdout, b"no newline");
    run.output(3).assert_success();
    let export = run.export.as_ref().unwrap();
    assert_eq!(&export[..payload.len()], &payload[..]);
}

/// Two guests, each with its own tgtd (own portal and management ports), run at once;
/// each tgtd is gone after its `TgtDisc` is dropped.
#[test]
fn two_guests_with_their_own_tgt_run_at_once() {
    let worker = || {
        let tgt = discburn_tests::TgtDisc::blank_dvd_plus_r().unwrap();
        let pid = tgt.pid().unwrap();
        let run = Vm::new()
            .iscsi(0, tgt.url())
            .command("sg_inq /dev/sg0")
            .run()
            .unwrap();
        let inq = discburn_tests::peers::parse_sg_inq(&run.output(0).assert_success().stdout_str());
        assert_eq!((inq.pdt, inq.vendor.as_str()), (Some(5), "IET"));
        drop(tgt);
        pid
    };
    let a = std::thread::spawn(worker);
    let b = std::thread::spawn(worker);
    let pids = [a.join().unwrap(), b.join().unwrap()];
    assert_ne!(pids[0], pids[1]);
    for pid in pids {
        // Reaped by the drop: no such process any more (or a new, unrelated one).
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        assert_ne!(comm.trim(), "tgtd", "tgtd {pid} still running");
    }
}

/// A guest that does not finish in time is killed and the run fails with Timeout.
#[test]
fn a_hung_guest_fails_at_its_time_limit() {
    let t = std::time::Instant::now();
    let err = Vm::new()
        .command("sleep 600")
        .timeout(std::time::Duration::from_secs(4))
        .run()
        .unwrap_err();
    assert!(
        matches!(err, discburn_tests::HarnessError::Timeout { .. }),
        "{err}"
    );
    assert!(t.elapsed() < std::time::Duration::from_secs(30));
}

/// A file over a busybox applet link is refused before booting (it would replace busybox).
#[test]
fn a_file_over_a_busybox_link_is_refused() {
    let err = Vm::new()
        .executable("/bin/true", b"#!/bin/sh\n")
        .command("true")
        .run()
        .unwrap_err();
    assert!(err.to_string().contains("/usr/local/bin"), "{err}");
}
