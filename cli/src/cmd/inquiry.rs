//! `discburn inquiry`: standard INQUIRY data (SPC-4 §6.6.2) and the unit serial number
//! (§7.8.15) and device identification (§7.8.6) VPD pages where the device has them.

use transport::spc::{self, InquiryData, InquiryError, VpdPage};
use transport::Transport;

use crate::args::{GlobalArgs, InquiryArgs};
use crate::device;
use crate::error::CliError;
use crate::output::{self, InquiryReport, StandardInquiry};

/// Runs `inquiry`.
pub fn run(global: &GlobalArgs, _args: &InquiryArgs) -> Result<(), CliError> {
    let spec = device::resolve(global.dev.as_deref())?;
    let trace = global.verbose.saturating_sub(1);
    let mut t = device::open(&spec, trace)?;
    let report = collect(&mut *t, &spec.to_string())?;
    output::emit(&report, global.json)
}

/// Sends the INQUIRYs and builds the report.
pub fn collect(t: &mut dyn Transport, device: &str) -> Result<InquiryReport, CliError> {
    let std_bytes = spc::inquiry(t, None)?;
    let data = InquiryData::new_checked(&std_bytes)
        .map_err(|e| CliError::Failed(format!("{device}: {e}")))?;
    let standard = StandardInquiry::from_data(&data);
    let pages = match vpd(t, spc::VPD_SUPPORTED_PAGES)? {
        Some(bytes) => VpdPage::new_checked(&bytes, spc::VPD_SUPPORTED_PAGES)
            .ok()
            .map(|p| spc::supported_pages(&p)),
        None => None,
    };
    // Ask for a page when page 00h lists it, or when there is no page 00h to ask.
    let listed = |p: u8| pages.as_ref().is_none_or(|v| v.contains(&p));
    let serial = if listed(spc::VPD_UNIT_SERIAL_NUMBER) {
        vpd(t, spc::VPD_UNIT_SERIAL_NUMBER)?.and_then(|b| {
            VpdPage::new_checked(&b, spc::VPD_UNIT_SERIAL_NUMBER)
                .ok()
                .map(|p| spc::unit_serial_number(&p))
        })
    } else {
        None
    };
    let ident = if listed(spc::VPD_DEVICE_IDENTIFICATION) {
        vpd(t, spc::VPD_DEVICE_IDENTIFICATION)?.and_then(|b| {
            VpdPage::new_checked(&b, spc::VPD_DEVICE_IDENTIFICATION)
                .ok()
                .map(|p| spc::device_identification(&p))
        })
    } else {
        None
    };
    Ok(InquiryReport::new(
        device,
        standard,
        pages,
        serial,
        ident.as_deref(),
    ))
}

/// A VPD page's bytes; `None` when the device rejects the page (it does not have it).
fn vpd(t: &mut dyn Transport, page: u8) -> Result<Option<Vec<u8>>, CliError> {
    match spc::inquiry(t, Some(page)) {
        Ok(b) => Ok(Some(b)),
        Err(InquiryError::Device { completion, .. }) => {
            log::info!("VPD page {page:02X}h: {completion}");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}
