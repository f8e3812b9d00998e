//! Fuzz target: the whole connection engine of a live target (login with and without CHAP,
//! full feature phase: commands, Data-Out and R2T, text, task management, NOP, logout) fed
//! an arbitrary byte stream on a loopback connection; the first byte picks the target with
//! or without CHAP. A panic in a connection thread aborts the process (libFuzzer reports
//! it); a target that neither answers nor closes after the end of the stream is a hang.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

static TARGETS: OnceLock<iscsi::fuzzing::Loopback> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let t = TARGETS.get_or_init(|| iscsi::fuzzing::Loopback::start().expect("loopback targets"));
    let _ = t.run(data);
});
