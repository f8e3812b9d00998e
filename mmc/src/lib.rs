//! The MMC-6 command set (INCITS 468): typed CDB builders and response views, `Drive`,
//! msinfo, the write path, and an emulated drive answering CDBs as a real one does.
#![forbid(unsafe_code)]

pub mod cmd;
pub mod drive;
pub mod emu;
pub mod error;
pub mod feature;
pub mod msinfo;
pub mod profile;
pub mod rescue;
pub mod write;

use transport::{DevSpec, OpenOptions, Transport, TransportError};

/// Opens the drive `spec` names: an OS device through [`transport::open`], or the emulated
/// drive for `emu:PATH[,key=value...]`. This is what the CLI calls. With
/// `opts.exclusive` the emulated drive is opened as the disc's one writer
/// ([`emu::open_exclusive`]); otherwise as a reader, without a lock.
pub fn open(
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
