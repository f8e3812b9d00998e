//! `discburn load`: START STOP UNIT with LoEj=1, Start=1 (MMC-6 §6.39): closes the tray.

use mmc::drive::Drive;

use crate::args::{GlobalArgs, LoadArgs};
use crate::device;
use crate::error::CliError;

/// Runs `load`.
pub fn run(global: &GlobalArgs, _a: &LoadArgs) -> Result<(), CliError> {
    let spec = device::resolve(global.dev.as_deref())?;
    let mut drive = Drive::new(device::open(&spec, global.verbose.saturating_sub(1))?);
    drive
        .load()
        .map_err(|e| CliError::Failed(format!("{spec}: load: {e}")))
}
