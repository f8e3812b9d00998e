//! Errors of the test bed. Each one says what to install or run to fix it, since a test
//! that cannot run its peer must fail with a message, never skip.

use std::fmt;
use std::path::PathBuf;

/// The script that installs every package and sets the environment the tests need.
pub const TEST_COMMAND: &str = "bash tests/run-all.sh";

/// What went wrong while preparing or running a guest or a tgt target.
#[derive(thiserror::Error)]
pub enum HarnessError {
    /// A host program the test bed runs is not installed.
    #[error(
        "`{program}` is not installed: apt-get install {package} \
         (or run `{TEST_COMMAND}`, which installs everything the tests need)"
    )]
    MissingTool {
        /// Program name searched for in PATH.
        program: String,
        /// Debian package that provides it.
        package: String,
    },
    /// An environment variable the VM tests need is not set.
    #[error("environment variable {var} is not set ({what}): run the tests with `{TEST_COMMAND}`, which sets it")]
    MissingEnv {
        /// Variable name.
        var: &'static str,
        /// What it should hold.
        what: &'static str,
    },
    /// An environment variable names a path that does not exist.
    #[error("{var} names {}, which does not exist: run `{TEST_COMMAND}` to build or fetch it", path.display())]
    EnvPathMissing {
        /// Variable name.
        var: &'static str,
        /// The path it holds.
        path: PathBuf,
    },
    /// A file or folder the test bed needs could not be read or written.
    #[error("{context} ({}): {source}", path.display())]
    Io {
        /// What was being done.
        context: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The guest kernel folder does not hold what is expected.
    #[error("guest kernel in {}: {problem} (run `{TEST_COMMAND}` to fetch it)", dir.display())]
    Kernel {
        /// Folder given by DISCBURN_GUEST_KERNEL.
        dir: PathBuf,
        /// What is missing.
        problem: String,
    },
    /// A host helper program ran but failed.
    #[error("`{command}` failed: {detail}")]
    Command {
        /// The command line.
        command: String,
        /// Exit status and output.
        detail: String,
    },
    /// The guest did not finish within its time limit; it was killed.
    #[error("the guest did not finish within {secs} s and was killed; console output:\n{console}")]
    Timeout {
        /// The limit that was exceeded.
        secs: u64,
        /// The tail of the serial console.
        console: String,
    },
    /// The guest stopped before every command had reported its result.
    #[error("the guest stopped early ({problem}); console output:\n{console}")]
    GuestIncomplete {
        /// What was missing.
        problem: String,
        /// The tail of the serial console.
        console: String,
    },
    /// tgtd could not be started or configured.
    #[error("tgt: {0}")]
    Tgt(String),
}

impl fmt::Debug for HarnessError {
    /// Shows the message itself, so `unwrap()` in a test prints what to do.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl HarnessError {
    /// An I/O error with what was being done and on which path.
    pub fn io(context: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            context,
            path: path.into(),
            source,
        }
    }
}

/// Result type of the test bed.
pub type Result<T> = std::result::Result<T, HarnessError>;
