//! Choosing and opening the device a command works on.
//!
//! The device is `--dev` / `dev=` if given, else `$CDR_DEVICE`, else the only CD/DVD drive
//! the scan finds. [`open_transport`] opens it: an OS device through `transport::open`, the
//! emulated drive (`emu:PATH[,key=value...]`) through the `emu` crate; it is wrapped in the
//! transport tracer when a CDB trace was asked for.
//!
//! Access: reading and diagnostic commands open the device shared ([`open`]); writing
//! commands ([`open_writer`]: add, burn, blank, format, close, cdrecord's track and
//! `blank=`) open it exclusively, as growisofs does: Linux `O_EXCL` on the node (refused with
//! EBUSY while it is mounted or another program has it open exclusively; plain shared
//! openers of the block node such as a `mkisofs -M /dev/sr0` reader are not excluded,
//! while on an sg node (`/dev/sgN`) the sg driver refuses every other opener of that node;
//! libburn and growisofs open with `O_EXCL` too), Windows without sharing, and on
//! the emulated drive the writer's lock on `PATH.lock`, so two writers cannot interleave
//! their sessions on one drive or one disc image. `--force` (write even while mounted)
//! opens an OS device shared.

use transport::trace::Tracer;
use transport::{DevSpec, OpenOptions, Transport, TransportError};

use crate::error::CliError;

/// Environment variable naming the default device (as cdrecord reads it).
pub const ENV_DEVICE: &str = "CDR_DEVICE";

/// The device named on the command line or in `$CDR_DEVICE`, else the default drive.
pub fn resolve(explicit: Option<&str>) -> Result<DevSpec, CliError> {
    let env = std::env::var(ENV_DEVICE).ok();
    if let Some(spec) = DevSpec::choose(explicit, env.as_deref())? {
        return Ok(spec);
    }
    let entry = transport::default_device()?;
    log::info!("using the only CD/DVD drive: {entry}");
    Ok(entry.dev_spec())
}

/// Opens `spec`; with `trace` > 0 every command is traced to stderr (`trace` ≥ 2 also shows
/// the first 32 data bytes of each command).
pub fn open(spec: &DevSpec, trace: u8) -> Result<Box<dyn Transport + Send>, CliError> {
    open_with(spec, trace, false)
}

/// Opens `spec` for writing, exclusively (see the module documentation); `trace` as in
/// [`open`]. With `force` (write even while mounted) an OS device is opened shared, as
/// an exclusive open of a mounted node fails; the emulated drive's writer lock is taken
/// all the same (an emulated disc is never mounted, and two writers always corrupt it).
pub fn open_writer(
    spec: &DevSpec,
    trace: u8,
    force: bool,
) -> Result<Box<dyn Transport + Send>, CliError> {
    let exclusive = !force || matches!(spec, DevSpec::Emu { .. });
    open_with(spec, trace, exclusive)
}

fn open_with(
    spec: &DevSpec,
    trace: u8,
    exclusive: bool,
) -> Result<Box<dyn Transport + Send>, CliError> {
    let opts = OpenOptions {
        read_only: false,
        exclusive,
    };
    let t = open_transport(spec, &opts)?;
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

/// Opens the drive `spec` names: an OS device through [`transport::open`], or the emulated
/// drive for `emu:PATH[,key=value...]`. With `opts.exclusive` the emulated drive is opened
/// as the disc's one writer ([`emu::open_exclusive`]); otherwise as a reader, without a
/// lock.
pub fn open_transport(
    spec: &DevSpec,
    opts: &OpenOptions,
) -> Result<Box<dyn Transport + Send>, TransportError> {
    match spec {
        DevSpec::Emu { path, options } if opts.exclusive => {
            Ok(Box::new(emu::open_exclusive(path, options)?))
        }
        DevSpec::Emu { path, options } => Ok(Box::new(emu::open(path, options)?)),
        _ => transport::open(spec, opts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use transport::{Cdb, Request};

    /// `emu:` specs open the emulated drive (a device of type 5), as reader and as writer;
    /// the writer holds the disc's lock.
    #[test]
    fn open_transport_handles_emu() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = DevSpec::Emu {
            path: tmp.path().join("d.disc"),
            options: vec![("profile".into(), "dvd+r".into())],
        };
        let mut t = open_transport(&spec, &OpenOptions::default()).unwrap();
        assert!(t.name().starts_with("emu:"));
        let mut v = [0u8; 36];
        let c = t
            .execute(Request::read(Cdb::six([0x12, 0, 0, 0, 0x24, 0]), &mut v))
            .unwrap();
        assert!(c.is_good(), "{c}");
        assert_eq!(v[0], 0x05);
        let writer = OpenOptions {
            read_only: false,
            exclusive: true,
        };
        let _w = open_transport(&spec, &writer).unwrap();
        let e = open_transport(&spec, &writer).err().unwrap().to_string();
        assert!(e.contains("in use"), "{e}");
    }
}
