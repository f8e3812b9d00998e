//! `discburn atip`: the Absolute Time In Pre-groove of a recordable CD (MMC-6 §6.26.3.6,
//! READ TOC/PMA/ATIP format 4), with the disc manufacturer cdrecord derives from the
//! lead-in start time.
//!
//! Text output follows `cdrecord -atip`: `ATIP info from disk:`, the indented
//! writing-power, restriction, erasable, sub-type (`Medium Type A, low Beta category (A-)
//! (2)`), lead-in and lead-out lines (`-11634 (97:26/66)`), then
//! `Disk type:`, `Manuf. index:` and `Manufacturer:`. Media without an ATIP (DVD, BD,
//! pressed CDs) give an error saying so (exit 1).

use std::io::Write;

use mmc::cmd::lba_with_msf;
use serde::Serialize;

use crate::args::{AtipArgs, GlobalArgs};
use crate::cmd::{failed, open_drive, CliDrive};
use crate::error::CliError;
use crate::output::{self, Report};

/// `atip` output.
#[derive(Debug, Serialize)]
pub struct AtipReport {
    /// The device as named.
    pub device: String,
    /// The ATIP, decoded.
    pub atip: mmc::drive::Atip,
    /// Lead-in start as `mm:ss/ff`.
    pub leadin_msf: String,
    /// Lead-out start as `mm:ss/ff`.
    pub leadout_msf: String,
}

impl Report for AtipReport {
    fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let a = &self.atip;
        writeln!(out, "ATIP info from disk:")?;
        writeln!(out, "  Indicated writing power: {}", a.writing_power)?;
        writeln!(
            out,
            "  Is {}unrestricted",
            if a.unrestricted { "" } else { "not " }
        )?;
        writeln!(out, "  Is {}erasable", if a.erasable { "" } else { "not " })?;
        writeln!(out, "  Disk sub type: {} ({})", a.sub_type_name, a.sub_type)?;
        writeln!(
            out,
            "  ATIP start of lead in:  {}",
            lba_with_msf(a.leadin_lba)
        )?;
        writeln!(
            out,
            "  ATIP start of lead out: {}",
            lba_with_msf(a.leadout_lba)
        )?;
        writeln!(out, "Disk type:    {}", a.manufacturer.disk_type)?;
        writeln!(out, "Manuf. index: {}", a.manufacturer.index)?;
        writeln!(out, "Manufacturer: {}", a.manufacturer.name)?;
        Ok(())
    }
}

/// Reads the ATIP.
pub fn collect(drive: &mut CliDrive, device: &str) -> Result<AtipReport, CliError> {
    let atip = drive.atip().map_err(|e| {
        let profile = drive
            .current_profile()
            .map(|p| p.name().to_string())
            .unwrap_or_else(|_| "this medium".into());
        if e.is_not_supported() {
            failed("atip", e)
        } else if e.is_illegal_request() {
            CliError::Failed(format!(
                "atip: no ATIP on {profile} (only recordable CDs have one): {e}"
            ))
        } else {
            failed("atip", e)
        }
    })?;
    Ok(AtipReport {
        device: device.to_string(),
        leadin_msf: atip.leadin_start.to_string(),
        leadout_msf: atip.leadout_start.to_string(),
        atip,
    })
}

/// Runs `atip`.
pub fn run(global: &GlobalArgs, _args: &AtipArgs) -> Result<(), CliError> {
    let (mut drive, device) = open_drive(global)?;
    let r = collect(&mut drive, &device)?;
    output::emit(&r, global.json)
}
