//! The MMC-6 command set (INCITS 468): typed CDB builders and response views, `Drive`,
//! msinfo and the write path: the host side of MMC. The emulated drive (the device side)
//! is the crate `discburn-emu`; the CLI opens it for `emu:` devices.
#![forbid(unsafe_code)]

pub mod audio;
pub mod cmd;
pub mod drive;
pub mod ecc;
pub mod error;
pub mod feature;
pub mod job;
pub mod msinfo;
pub mod profile;
pub mod rescue;
pub mod write;
