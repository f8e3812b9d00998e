//! Test support: the VM test bed (a QEMU guest with real SG_IO, tgt over iSCSI) and the
//! helpers the end-to-end tests share. See `README.md` ("The test bed") for how to use it.
//!
//! - [`vm::Vm`]: build and boot a guest with drives, files and commands; get each
//!   command's stdout, stderr and exit status back ([`vm::GuestRun`]).
//! - [`tgt::TgtDisc`]: a private tgtd serving a blank DVD+R over iSCSI for [`vm::Vm::iscsi`].
//! - [`served::ServedDrives`]: `discburn serve` with emulated discs, for [`vm::Vm::iscsi`].
//! - [`host`]: host tool lookup that fails with the package to install, the guest kernel.
//! - [`peers`]: parsers for `wodim -scanbus` and `sg_inq` output, to compare with.
//! - [`wine`]: the cross-built `discburn.exe`, a Wine prefix with the `ProcessPrng` shim, and
//!   a guest root (erofs) that runs it under Wine against the guest's drives.
//! - [`cpio`]: the newc archive writer behind the initramfs.
//! - [`fixture`]: a guest run shared by all tests of a file, a genisoimage image of a
//!   known tree.
//!
//! The test bed runs on a Linux host; on other targets this crate is empty.
#![cfg(unix)]

pub mod cpio;
pub mod error;
pub mod fixture;
pub mod host;
pub mod peers;
pub mod served;
pub mod tgt;
pub mod vm;
pub mod wine;

pub use error::{HarnessError, Result, TEST_COMMAND};
pub use served::ServedDrives;
pub use tgt::TgtDisc;
pub use vm::{CmdOutput, Drive, GuestRun, Vm};
