//! `discburn blank [--fast|--all|--session]`: BLANK (MMC-6 §6.2) of a CD-RW or DVD-RW,
//! waiting for the end (REQUEST SENSE progress).

use mmc::cmd::blank_format::BlankType;
use mmc::write;

use crate::args::{BlankArgs, GlobalArgs};
use crate::cmd::burn::open_for_writing;
use crate::error::CliError;

/// The blanking type the flags ask for (default: fast, as cdrecord blank=fast).
pub fn blank_type(all: bool, session: bool) -> BlankType {
    if all {
        BlankType::All
    } else if session {
        BlankType::Session
    } else {
        BlankType::Minimal
    }
}

/// Runs `blank`.
pub fn run(global: &GlobalArgs, a: &BlankArgs) -> Result<(), CliError> {
    let (_, mut drive) = open_for_writing(
        global.dev.as_deref(),
        global.verbose.saturating_sub(1),
        a.force,
    )?;
    let kind = blank_type(a.all, a.session);
    write::blank(&mut drive, kind).map_err(|e| CliError::Failed(crate::job::write_error(&e)))?;
    outln!(
        "blanked ({kind:?}); disc state: {}",
        write::disc_state(&mut drive)
    );
    Ok(())
}
