//! `discburn format`: FORMAT UNIT (MMC-6 §6.5) of a DVD+RW or BD-RE with the drive's full
//! format (DVD+RW type 26h, BD-RE type 00h), waiting for the end.
//!
//! Reformatting destroys what the medium holds, so, as `dvd+rw-format` does without
//! `-force`, a formatted medium that holds data (an ISO 9660 session found by msinfo, or
//! any recorded volume descriptor area at blocks 16-17, e.g. UDF) is refused unless
//! `--force` is given. An unformatted or formatted but empty medium is formatted at once.
//!
//! A re-format need not erase what was recorded (FORMAT UNIT, MMC-6 §6.5, of an already
//! formatted DVD+RW or BD-RE may only rewrite the lead-in): afterwards blocks 0-31 (the
//! system area, the volume descriptors at 16 and libisoburn's 64 KiB header) are written
//! with zeros, so msinfo, `add`, xorriso (which takes a zeroed first 64 KiB for a blank
//! medium) and growisofs see an empty medium, as after `xorriso -blank as_needed`.

use mmc::drive::BLOCK;
use mmc::msinfo::{self, Msinfo};
use mmc::write;

use crate::args::{FormatArgs, GlobalArgs};
use crate::cmd::burn::open_for_writing;
use crate::cmd::CliDrive;
use crate::error::CliError;

/// Blocks cleared after formatting: the system area, the volume descriptor set at 16 and
/// the rest of libisoburn's 64 KiB header.
const HEAD_BLOCKS: u32 = 32;

/// What a formatted medium holds that a format would destroy, `None` when it looks empty.
fn holds_data(drive: &mut CliDrive) -> Result<Option<String>, CliError> {
    if write::needs_format(drive).map_err(|e| CliError::Failed(crate::job::write_error(&e)))? {
        return Ok(None);
    }
    match msinfo::msinfo(drive) {
        Ok(Msinfo::Appendable {
            last_session_start, ..
        }) => {
            return Ok(Some(format!(
                "ISO 9660 sessions (the last starts at block {last_session_start})"
            )))
        }
        Ok(Msinfo::Blank) => {}
        Err(e) => return Ok(Some(format!("data msinfo cannot account for ({e})"))),
    }
    // Anything else recorded where volume descriptors live (UDF, a damaged ISO 9660).
    let mut b = vec![0u8; 2 * BLOCK];
    match drive.read_blocks(16, &mut b) {
        Ok(()) if b.iter().any(|&x| x != 0) => Ok(Some("data at blocks 16-17".into())),
        _ => Ok(None),
    }
}

/// Runs `format`.
pub fn run(global: &GlobalArgs, a: &FormatArgs) -> Result<(), CliError> {
    let (_, mut drive) = open_for_writing(
        global.dev.as_deref(),
        global.verbose.saturating_sub(1),
        a.force,
    )?;
    let profile = write::check_device(&mut drive)
        .map_err(|e| CliError::Failed(crate::job::write_error(&e)))?;
    if !profile.overwritable() {
        return Err(CliError::Failed(format!(
            "{profile} has no formats: only overwritable media (DVD+RW, BD-RE, DVD-RAM) are formatted"
        )));
    }
    if !a.force {
        if let Some(what) = holds_data(&mut drive)? {
            return Err(CliError::Failed(format!(
                "the {profile} is formatted and holds {what}: formatting it again destroys them; \
                 give --force to format anyway; nothing was done"
            )));
        }
    }
    write::format(&mut drive, profile)
        .map_err(|e| CliError::Failed(crate::job::write_error(&e)))?;
    let zeros = vec![0u8; HEAD_BLOCKS as usize * BLOCK];
    drive
        .write_blocks(0, &zeros)
        .and_then(|()| drive.synchronize_cache())
        .map_err(|e| {
            CliError::Failed(format!(
                "formatted, but clearing blocks 0-{} failed: {e}",
                HEAD_BLOCKS - 1
            ))
        })?;
    outln!("formatted; disc state: {}", write::disc_state(&mut drive));
    Ok(())
}
