//! Shared helpers of the diagnostic command tests (`diag_drive`, `diag_media`,
//! `diag_overwritable`, `diag_raw`): run the built binary, run it with
//! `--json`, make blank and pressed discs of the emulated drive, and run the
//! cdrecord-named personality (a symlink to the binary).
#![allow(dead_code)] // reason: each test binary uses a different part
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

use std::path::Path;
use std::process::Output;

use serde_json::Value;

pub use super::{command, discburn, personality, BIN};

/// `b` as text (lossy UTF-8), for comparisons and assertion messages.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `discburn --dev DEV --json CMD`, which must exit 0, and parses stdout.
pub fn json_ok(dev: &str, cmd: &str) -> Value {
    let o = discburn(&["--dev", dev, "--json", cmd]);
    assert_eq!(o.status.code(), Some(0), "{cmd}: {}", text(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Runs `discburn --dev DEV --json CMD` whatever its exit status and parses stdout:
/// (exit code, JSON, stderr).
pub fn json_full(dev: &str, cmd: &str) -> (Option<i32>, Value, String) {
    let o = discburn(&["--dev", dev, "--json", cmd]);
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{cmd} --json: {e}: {}{}", text(&o.stdout), text(&o.stderr)));
    (o.status.code(), v, text(&o.stderr))
}

/// [`json_full`] without stderr: (exit code, JSON).
pub fn json_code(dev: &str, cmd: &str) -> (Option<i32>, Value) {
    let (code, v, _) = json_full(dev, cmd);
    (code, v)
}

/// Creates a blank disc of `profile` at the image `img` (with `extra` drive options, such
/// as `",buffer=2M"`) by running `media` on it, which must exit 0; returns the dev string
/// `emu:IMG` + `extra` for later runs.
pub fn blank_disc(img: &Path, profile: &str, extra: &str) -> String {
    let o = discburn(&[
        "--dev",
        &format!("emu:{},profile={profile}{extra}", img.display()),
        "media",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    format!("emu:{}{extra}", img.display())
}

/// Runs `genisoimage ARGS`, which must succeed; fails saying what to install when it is
/// missing.
pub fn genisoimage(args: &[&str]) {
    let o = super::tool("genisoimage", args);
    assert!(o.status.success(), "genisoimage: {}", text(&o.stderr));
}

/// Runs `cdrecord dev=DEV OPT` through the personality symlink in `dir`.
pub fn cdrecord(dir: &Path, dev: &str, opt: &str) -> Output {
    super::command(personality(dir, "cdrecord"))
        .args([&format!("dev={dev}"), opt])
        .output()
        .unwrap()
}
