//! `discburn eject`: START STOP UNIT with LoEj=1, Start=0 (MMC-6 §6.39), after unlocking
//! the tray (PREVENT ALLOW MEDIUM REMOVAL, §6.13).

use mmc::drive::Drive;

use crate::args::{EjectArgs, GlobalArgs};
use crate::device;
use crate::error::CliError;

/// Runs `eject`.
pub fn run(global: &GlobalArgs, _a: &EjectArgs) -> Result<(), CliError> {
    let spec = device::resolve(global.dev.as_deref())?;
    let mut drive = Drive::new(device::open(&spec, global.verbose.saturating_sub(1))?);
    if let Err(e) = drive.lock(false) {
        log::info!("unlocking the tray: {e}");
    }
    drive
        .eject()
        .map_err(|e| CliError::Failed(format!("{spec}: eject: {e}")))
}
