//! `discburn scan`: every SCSI device the OS shows (transport::scan).

use crate::args::{GlobalArgs, ScanArgs};
use crate::error::CliError;
use crate::output::{self, ScanReport};

/// Runs `scan`.
pub fn run(global: &GlobalArgs, args: &ScanArgs) -> Result<(), CliError> {
    let mut entries = transport::scan()?;
    if args.drives_only {
        entries.retain(|e| e.is_cd_dvd());
    }
    for e in &entries {
        if let transport::scan::IdentitySource::Sysfs(reason) = &e.identity_from {
            log::warn!(
                "{}: vendor/product from sysfs, INQUIRY not sent: {reason}",
                e.btl()
            );
        }
    }
    if entries.is_empty() && !global.json {
        eprintln!("discburn: no SCSI devices found");
    }
    output::emit(&ScanReport::new(&entries), global.json)
}
