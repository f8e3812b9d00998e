//! Operations on the medium as a whole: FORMAT UNIT of overwritable media (MMC-6 §6.5,
//! READ FORMAT CAPACITIES §6.24), BLANK of CD-RW / DVD-RW (§6.2), and finalizing an
//! appendable disc with CLOSE TRACK/SESSION (§6.3).

use transport::{DataPhase, Transport};

use super::{check_device, step, unfinished_session, Recipe, SessionClose, Step, WriteError};
use crate::cmd::blank_format::{self, BlankType, FormatRequest};
use crate::cmd::close::{self, CloseFunction};
use crate::cmd::disc_info::DiscStatus;
use crate::cmd::format_capacities::{CurrentKind, FormatCapacitiesView};
use crate::cmd::mode::WriteParameters;
use crate::drive::{Drive, LONG_TIMEOUT};
use crate::error::MmcError;
use crate::profile::Profile;

/// The checked view of a READ FORMAT CAPACITIES answer, a bad answer named as that step.
fn format_capacities_view(b: &[u8]) -> Result<FormatCapacitiesView<'_>, WriteError> {
    FormatCapacitiesView::new_checked(b).map_err(|e| WriteError::Mmc {
        step: Step::ReadFormatCapacities,
        source: MmcError::BadAnswer {
            command: crate::error::CommandName::of(crate::cmd::op::READ_FORMAT_CAPACITIES),
            source: e,
        },
    })
}

/// True when an overwritable medium still needs FORMAT UNIT before writing.
pub fn needs_format<T: Transport>(drive: &mut Drive<T>) -> Result<bool, WriteError> {
    let b = match drive.format_capacities() {
        Ok(b) => b,
        Err(e) if e.is_illegal_request() => return Ok(false),
        Err(e) => return Err(step(Step::ReadFormatCapacities)(e)),
    };
    let v = format_capacities_view(&b)?;
    Ok(v.current_kind() == CurrentKind::Unformatted)
}

/// Formats an overwritable medium with the drive's offered full format (DVD+RW type 26h,
/// BD-RE type 00h/30h default spare area), waiting for the format to end. Refuses a device
/// that is not a CD/DVD/BD drive, as [`check_device`] does.
pub fn format<T: Transport>(drive: &mut Drive<T>, profile: Profile) -> Result<(), WriteError> {
    check_device(drive)?;
    let b = drive
        .format_capacities()
        .map_err(step(Step::ReadFormatCapacities))?;
    let v = format_capacities_view(&b)?;
    let wanted: &[u8] = match profile {
        Profile::DvdPlusRw | Profile::DvdPlusRwDl => &[0x26, 0x00],
        Profile::BdRe => &[0x00, 0x30, 0x31],
        _ => &[0x00],
    };
    let offered: Vec<_> = v.formattable().collect();
    let pick = wanted
        .iter()
        .find_map(|t| offered.iter().find(|c| c.format_type == *t))
        .copied();
    let (blocks, format_type, param) = match pick {
        Some(c) => (c.blocks, c.format_type, c.param),
        None => (v.current().0, wanted.first().copied().unwrap_or(0), 0),
    };
    let req = FormatRequest {
        blocks,
        format_type,
        subtype: 0,
        type_dependent: if format_type == 0x26 { 0 } else { param },
        immed: true,
    };
    let params = req.params();
    log::info!("FORMAT UNIT type {format_type:02X}h, {blocks} blocks");
    drive
        .execute(req.cdb(), DataPhase::Out(&params), LONG_TIMEOUT)
        .map_err(step(Step::FormatUnit))?;
    drive
        .wait_long_operation(LONG_TIMEOUT)
        .map_err(step(Step::FormatWait))?;
    Ok(())
}

/// Blanks a CD-RW (or DVD-RW) and waits for the end.
pub fn blank<T: Transport>(drive: &mut Drive<T>, kind: BlankType) -> Result<(), WriteError> {
    let profile = check_device(drive)?;
    if !profile.erasable() || profile.overwritable() {
        return Err(WriteError::NotBlankable { profile });
    }
    drive
        .execute(
            blank_format::blank(kind, true),
            DataPhase::None,
            LONG_TIMEOUT,
        )
        .map_err(step(Step::Blank))?;
    drive
        .wait_long_operation(LONG_TIMEOUT)
        .map_err(step(Step::BlankWait))?;
    Ok(())
}

/// Finalizes an appendable sequential disc (no more sessions): closes the open session the
/// way the medium needs.
pub fn finalize<T: Transport>(drive: &mut Drive<T>) -> Result<(), WriteError> {
    let profile = check_device(drive)?;
    let recipe = Recipe::for_profile(profile).ok_or(WriteError::NotWritable { profile })?;
    if let Some(start) = unfinished_session(drive)? {
        return Err(WriteError::Unfinished { start });
    }
    let di = drive.disc_info().map_err(step(Step::ReadDiscInformation))?;
    match di.view().disc_status() {
        DiscStatus::Complete => return Err(WriteError::Closed { profile }),
        DiscStatus::Empty => {
            return Err(WriteError::BadStart {
                start: 0,
                reason: "the disc is blank: there is no session to close".into(),
            })
        }
        _ => {}
    }
    let f = match recipe {
        Recipe::Overwritable => {
            log::info!("{profile} has no sessions to close; nothing to do");
            return Ok(());
        }
        Recipe::CdTao | Recipe::DvdMinusR => {
            // The session close finalizes when page 05h says "no next session".
            let wp = match recipe {
                Recipe::CdTao => WriteParameters::cd_tao_data(false, false),
                _ => WriteParameters::dvd_incremental(false, false),
            };
            drive
                .mode_select(&wp.select_data())
                .map_err(step(Step::WriteParameters { preparing: false }))?;
            CloseFunction::Session
        }
        Recipe::DvdPlusR => CloseFunction::FinalizeMinimal,
        Recipe::DvdPlusRDl | Recipe::BdR => CloseFunction::FinalizeDvdPlusRDl,
    };
    drive
        .execute(close::cdb(f, 0, false), DataPhase::None, LONG_TIMEOUT)
        .map_err(step(Step::CloseSession {
            kind: SessionClose::Finalize,
        }))?;
    Ok(())
}
