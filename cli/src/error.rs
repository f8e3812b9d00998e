//! The CLI's error: what went wrong and which exit status it gives.
//!
//! Exit statuses: 0 success, 1 failure (device, I/O, nothing found), 2 usage error
//! (unknown option, malformed `dev=`; clap's own usage errors exit 2 as well); `add` and
//! `burn` to several drives at once ([`EXIT_DRIVES`]): 64 + a bit mask of the drives that
//! failed once writing had begun (bit 0 the first `--dev`, ... bit 5 the sixth and any
//! later one), 65-127.

use transport::spc::InquiryError;
use transport::{AddrError, TransportError};

/// Exit status for a failure.
pub const EXIT_FAILURE: i32 = 1;
/// Exit status for a usage error.
pub const EXIT_USAGE: i32 = 2;
/// Several drives at once: the exit status is this plus a bit per failed drive (bit 0 the
/// first `--dev`; bit 5 the sixth and every later one).
pub const EXIT_DRIVES: i32 = 64;

/// A failed command line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line is wrong (exit 2).
    #[error("{0}")]
    Usage(String),
    /// A `dev=` / `--dev` / `$CDR_DEVICE` value is none of the accepted forms (exit 2).
    #[error(transparent)]
    Addr(#[from] AddrError),
    /// The device could not be reached or failed (exit 1).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// No default device could be chosen (exit 1).
    #[error(transparent)]
    DefaultDevice(#[from] transport::scan::DefaultDeviceError),
    /// INQUIRY failed (exit 1).
    #[error(transparent)]
    Inquiry(#[from] InquiryError),
    /// Anything else that failed (exit 1).
    #[error("{0}")]
    Failed(String),
    /// A failure with the exit status a legacy tool gives for it (growisofs's 0x80|errno).
    #[error("{1}")]
    Exit(i32, String),
    /// Writing the output failed (exit 1).
    #[error("output: {0}")]
    Output(#[from] std::io::Error),
}

impl CliError {
    /// The process exit status for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) | CliError::Addr(_) => EXIT_USAGE,
            CliError::Exit(code, _) => *code,
            _ => EXIT_FAILURE,
        }
    }
}
