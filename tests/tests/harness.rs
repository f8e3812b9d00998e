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
