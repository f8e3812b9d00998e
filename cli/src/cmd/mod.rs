//! One module per subcommand; each turns parsed arguments into library calls and an
//! [`crate::output`] report.

pub mod add;
pub mod atip;
pub mod audio;
pub mod blank;
pub mod burn;
pub mod check;
pub mod close;
pub mod eject;
pub mod extract;
pub mod features;
pub mod format;
pub mod info;
pub mod inquiry;
pub mod load;
pub mod ls;
pub mod many;
pub mod media;
pub mod mkisofs;
pub mod msinfo;
pub mod raw;
pub mod read;
pub mod repair;
pub mod scan;
pub mod serve;
pub mod sessions;
pub mod speeds;
pub mod toc;
pub mod verify;
pub mod verify_md5;

use mmc::drive::Drive;
use mmc::error::MmcError;
use serde::Serialize;
use transport::Transport;

use crate::args::GlobalArgs;
use crate::device;
use crate::error::CliError;

/// The drive the diagnostic commands work on.
pub type CliDrive = Drive<Box<dyn Transport + Send>>;

/// Opens the drive `--dev` names (or the default one); returns it with its name.
pub fn open_drive(global: &GlobalArgs) -> Result<(CliDrive, String), CliError> {
    let spec = device::resolve(global.dev.as_deref())?;
    let t = device::open(&spec, global.verbose.saturating_sub(1))?;
    Ok((Drive::new(t), spec.to_string()))
}

/// An item of a report the drive could not give, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Unavailable {
    /// What the report wanted ("capabilities (page 2Ah)").
    pub item: String,
    /// The command that failed ("MODE SENSE(10) (5Ah)").
    pub command: String,
    /// True when the drive does not implement the command (ILLEGAL REQUEST 20/00).
    pub not_supported: bool,
    /// Why: "not supported by this drive" or the error.
    pub reason: String,
}

/// Why `item` is missing from a report: the recorded reason, else "not available".
pub fn unavailable_reason(list: &[Unavailable], item: &str) -> String {
    list.iter()
        .find(|u| u.item == item)
        .map(|u| u.reason.clone())
        .unwrap_or_else(|| "not available".into())
}

/// Text for an item the drive lacks.
pub const NOT_SUPPORTED: &str = "not supported by this drive";

/// Collects report items that may fail without failing the report.
#[derive(Debug, Default, Serialize)]
pub struct Gaps(pub Vec<Unavailable>);

impl Gaps {
    /// `Some(value)`, or `None` with the failure recorded under `item`.
    pub fn take<T>(&mut self, item: &str, r: Result<T, MmcError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(unavailable(item, &e));
                None
            }
        }
    }
}

/// Describes a failed item.
pub fn unavailable(item: &str, e: &MmcError) -> Unavailable {
    let not_supported = e.is_not_supported();
    Unavailable {
        item: item.to_string(),
        command: e.command().to_string(),
        not_supported,
        reason: if not_supported {
            NOT_SUPPORTED.to_string()
        } else {
            e.to_string()
        },
    }
}

/// An MMC failure as a CLI failure, naming what was being done.
pub fn failed(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Failed(format!("{what}: {e}"))
}

/// `mm:ss:ff` of an LBA (MMC-6 table 16: LBA + 150 frames; lead-in LBAs wrap past 90 min).
pub fn msf_text(lba: i64) -> String {
    let frames = if lba < -150 { lba + 450_150 } else { lba + 150 };
    let frames = frames.max(0);
    format!(
        "{:02}:{:02}:{:02}",
        frames / (60 * 75),
        (frames / 75) % 60,
        frames % 75
    )
}
