//! Device addressing: cdrecord's `dev=` forms (`b,t,l`, `t,l`, paths, `ATA:b,t,l`) and
//! `emu:PATH[,key=value...]` for the emulated drive.

use std::path::PathBuf;

/// A parsed `dev=` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevSpec {
    /// `b,t,l` (or `t,l` with bus 0, or `ATA:b,t,l`): SCSI bus, target, LUN as `scan` numbers them.
    Btl {
        /// Bus number.
        bus: u32,
        /// Target number.
        target: u32,
        /// Logical unit number.
        lun: u32,
    },
    /// A device node (`/dev/sr0`, `/dev/sg1`, `\\.\E:`, `IOService:/...`).
    Path(PathBuf),
    /// The emulated drive: disc image path and options.
    Emu {
        /// Disc image file.
        path: PathBuf,
        /// `key=value` options in the order given.
        options: Vec<(String, String)>,
    },
}
