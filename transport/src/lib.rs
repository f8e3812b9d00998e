//! SCSI passthrough for CD/DVD/BD drives (SAM-5 §5 command model, SPC-4 §4.5 sense data).
//!
//! One object-safe [`Transport`] trait executes a [`Request`] (a CDB, a typed data phase and a
//! timeout) and returns a [`Completion`] (SCSI status, sense bytes, residual, duration).
//! A CHECK CONDITION is a completion, not an error: [`TransportError`] is reserved for the
//! operating system or host adapter failing to deliver the command.
//!
//! Backends live under `sys/` (Linux SG_IO, Windows SPTI, macOS IOKit); they are the only
//! code in the workspace allowed to use `unsafe`.
#![deny(unsafe_code)]

pub mod addr;
pub mod error;
pub mod fault;
pub mod io;
pub mod opcode;
pub mod scan;
pub mod sense;
mod sense_table;
pub mod spc;
mod sys;
pub mod trace;

mod types;

pub use addr::{AddrError, DevSpec};
pub use error::TransportError;
pub use scan::{default_device, scan, ScanEntry};
pub use sense::{Sense, SenseKey};
pub use types::{Cdb, CdbError, Completion, DataPhase, Request, ScsiStatus};

use std::time::Duration;

/// Default command timeout when a caller has no better figure (MMC commands that touch the
/// medium can take far longer; the write path passes its own).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A path to a SCSI device that can execute one command at a time.
///
/// Implementations are OS backends (SG_IO, SPTI, IOKit), wrappers around another transport
/// (tracing, fault injection) and the emulated drive in `mmc`.
pub trait Transport {
    /// Executes one command and returns how the device completed it.
    ///
    /// `Ok` for every completion the device produced, including CHECK CONDITION; `Err` only
    /// when the command could not be delivered or its outcome is unknown (OS error, host
    /// adapter error, timeout).
    fn execute(&mut self, req: Request<'_>) -> Result<Completion, TransportError>;

    /// Largest data phase in bytes this path carries in one command.
    fn max_transfer(&self) -> usize;

    /// Human-readable name of the device this transport reaches (path or description).
    fn name(&self) -> &str;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn execute(&mut self, req: Request<'_>) -> Result<Completion, TransportError> {
        (**self).execute(req)
    }
    fn max_transfer(&self) -> usize {
        (**self).max_transfer()
    }
    fn name(&self) -> &str {
        (**self).name()
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn execute(&mut self, req: Request<'_>) -> Result<Completion, TransportError> {
        (**self).execute(req)
    }
    fn max_transfer(&self) -> usize {
        (**self).max_transfer()
    }
    fn name(&self) -> &str {
        (**self).name()
    }
}

/// How to open a device.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Open read-only (enough for diagnostics; the Linux backend falls back to it when
    /// read-write is refused and this is not set).
    pub read_only: bool,
    /// Ask the OS for exclusive access (Linux `O_EXCL`, Windows no sharing, macOS exclusive
    /// access of the MMC interface).
    pub exclusive: bool,
}

/// Opens an operating-system device named by `spec`: a path is opened as it is, `b,t,l` is
/// looked up in [`scan()`]. The emulated drive (`emu:`) is not an OS device: the `emu`
/// crate opens it (`emu::open`), and this returns [`TransportError::Unsupported`] for it.
pub fn open(
    spec: &DevSpec,
    opts: &OpenOptions,
) -> Result<Box<dyn Transport + Send>, TransportError> {
    match spec {
        DevSpec::Emu { .. } => Err(TransportError::Unsupported(
            "the emulated drive (emu:) is opened by emu::open".to_string(),
        )),
        DevSpec::Path(path) => open_path(path, opts),
        DevSpec::Btl { bus, target, lun } => open_btl(*bus, *target, *lun, opts),
    }
}

#[cfg(target_os = "linux")]
fn open_path(
    path: &std::path::Path,
    opts: &OpenOptions,
) -> Result<Box<dyn Transport + Send>, TransportError> {
    Ok(Box::new(sys::linux::SgDevice::open(path, opts)?))
}

/// Opens the device the scan numbers `bus,target,lun` (the same numbering on every OS:
/// each backend's scan gives the path its `open_path` takes).
fn open_btl(
    bus: u32,
    target: u32,
    lun: u32,
    opts: &OpenOptions,
) -> Result<Box<dyn Transport + Send>, TransportError> {
    let entries = scan()?;
    let entry =
        scan::find_btl(&entries, bus, target, lun).ok_or_else(|| TransportError::NotFound {
            path: format!("{bus},{target},{lun}").into(),
        })?;
    match entry.path() {
        Some(p) => open_path(p, opts),
        None => Err(TransportError::NotFound {
            path: format!("{bus},{target},{lun}").into(),
        }),
    }
}

#[cfg(windows)]
fn open_path(
    path: &std::path::Path,
    opts: &OpenOptions,
) -> Result<Box<dyn Transport + Send>, TransportError> {
    Ok(Box::new(sys::windows::SptiDevice::open(path, opts)?))
}

#[cfg(target_os = "macos")]
fn open_path(
    path: &std::path::Path,
    opts: &OpenOptions,
) -> Result<Box<dyn Transport + Send>, TransportError> {
    Ok(Box::new(sys::macos::IoKitDevice::open(path, opts)?))
}

#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
fn open_path(
    path: &std::path::Path,
    _opts: &OpenOptions,
) -> Result<Box<dyn Transport + Send>, TransportError> {
    Err(TransportError::Unsupported(format!(
        "{}: SCSI passthrough is not available on {} in this build",
        path.display(),
        std::env::consts::OS
    )))
}
