//! `discburn format`: FORMAT UNIT (MMC-6 §6.5) of a DVD+RW or BD-RE with the drive's full
//! format (DVD+RW type 26h, BD-RE type 00h), waiting for the end.

use mmc::write;

use crate::args::{FormatArgs, GlobalArgs};
use crate::cmd::burn::open_for_writing;
use crate::error::CliError;

/// Runs `format`.
pub fn run(global: &GlobalArgs, a: &FormatArgs) -> Result<(), CliError> {
    let (_, mut drive) = open_for_writing(
        global.dev.as_deref(),
        global.verbose.saturating_sub(1),
        a.force,
    )?;
    let profile = write::check_device(&mut drive).map_err(|e| CliError::Failed(e.to_string()))?;
    if !profile.overwritable() {
        return Err(CliError::Failed(format!(
            "{profile} has no formats: only overwritable media (DVD+RW, BD-RE, DVD-RAM) are formatted"
        )));
    }
    write::format(&mut drive, profile).map_err(|e| CliError::Failed(e.to_string()))?;
    println!("formatted; disc state: {}", write::disc_state(&mut drive));
    Ok(())
}
