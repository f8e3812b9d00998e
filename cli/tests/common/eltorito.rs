//! Helpers of the El Torito tests: the binary, finding a peer tool, checking a run.
#![allow(dead_code)] // reason: each test binary uses a part

use std::path::PathBuf;
use std::process::Output;

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_discburn")
}

/// The path of `program`, or a failure naming the package to install.
pub fn need(program: &str, package: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/local/bin", "/usr/bin", "/bin"].map(PathBuf::from));
    dirs.iter()
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("{program} is missing: install it (Debian: apt-get install {package})")
        })
}

/// Fails with the output unless `o` succeeded.
pub fn ok(what: &str, o: &Output) {
    assert!(
        o.status.success(),
        "{what} failed ({}):\n{}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}
