//! Choosing and opening the device a command works on.
//!
//! The device is `--dev` / `dev=` if given, else `$CDR_DEVICE`, else the only CD/DVD drive
//! the scan finds. It is opened through `mmc::open` (OS devices and the emulated drive), and
//! wrapped in the transport tracer when a CDB trace was asked for.

use transport::trace::Tracer;
use transport::{DevSpec, OpenOptions, Transport};

use crate::error::CliError;

/// The device named on the command line or in the environment, else the default drive.
pub fn resolve(explicit: Option<&str>) -> Result<DevSpec, CliError> {
    if let Some(spec) = DevSpec::from_env_or(explicit)? {
        return Ok(spec);
    }
    let entry = transport::default_device()?;
    log::info!("using the only CD/DVD drive: {entry}");
    Ok(entry.dev_spec())
}

/// Opens `spec`; with `trace` > 0 every command is traced to stderr (`trace` ≥ 2 also shows
/// the first 32 data bytes of each command).
pub fn open(spec: &DevSpec, trace: u8) -> Result<Box<dyn Transport + Send>, CliError> {
    let opts = OpenOptions {
        read_only: false,
        exclusive: false,
    };
    let t = mmc::open(spec, &opts)?;
    if trace == 0 {
        return Ok(t);
    }
    let bytes = if trace >= 2 {
        transport::trace::DEFAULT_DATA_BYTES
    } else {
        0
    };
    let sink = Box::new(|line: &str| eprintln!("{line}"));
    Ok(Box::new(Tracer::with_sink(t, sink).data_bytes(bytes)))
}
