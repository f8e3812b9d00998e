//! `discburn close`: finalizes an appendable disc (CLOSE TRACK/SESSION, MMC-6 §6.3, with
//! the medium's finalizing close function), so no more sessions can be added.

use mmc::write;

use crate::args::{CloseArgs, GlobalArgs};
use crate::cmd::burn::open_for_writing;
use crate::error::CliError;

/// Runs `close`.
pub fn run(global: &GlobalArgs, a: &CloseArgs) -> Result<(), CliError> {
    let (_, mut drive) = open_for_writing(
        global.dev.as_deref(),
        global.verbose.saturating_sub(1),
        a.force,
    )?;
    write::finalize(&mut drive).map_err(|e| CliError::Failed(crate::job::write_error(&e)))?;
    outln!("closed; disc state: {}", write::disc_state(&mut drive));
    Ok(())
}
