//! `discburn msinfo`: where the last session starts and where the next one may be written
//! (MMC-6 §6.26 READ TOC/PMA/ATIP format 1, §6.27 READ TRACK INFORMATION, §6.22 READ DISC
//! INFORMATION), through `mmc::msinfo`.
//!
//! Output is exactly what `cdrecord -msinfo` prints: `last_session_start,next_writable`
//! and a newline, ready for `mkisofs -C`. A blank disc prints nothing on stdout (a note on
//! stderr) and exits 0: there is no previous session, write the first one without `-C`/`-M`
//! (scripts test for empty output). A closed or full disc is an error (exit 1).

use std::io::Write;

use mmc::msinfo::{Msinfo, MsinfoError};
use serde::Serialize;

use crate::args::{GlobalArgs, MsinfoArgs};
use crate::cmd::{open_drive, CliDrive};
use crate::error::CliError;
use crate::output::{self, Report};

/// `msinfo` output.
#[derive(Debug, Serialize)]
pub struct MsinfoReport {
    /// The device as named.
    pub device: String,
    /// "appendable", "blank", "closed", "damaged" (the last track is damaged and has no next
    /// writable address), "full", "not_writable" or "no_medium".
    pub state: &'static str,
    /// Start of the last session (`-C` first number), when appendable.
    pub last_session_start: Option<u32>,
    /// Next writable address (`-C` second number), when appendable.
    pub next_writable: Option<u32>,
    /// `a,b` as cdrecord prints it, when appendable.
    pub text: Option<String>,
    /// Why there are no numbers, for the other states.
    pub message: Option<String>,
}

impl MsinfoReport {
    /// True when the state is one `msinfo` reports as a failure (exit 1).
    pub fn is_failure(&self) -> bool {
        !matches!(self.state, "appendable" | "blank")
    }
}

impl Report for MsinfoReport {
    fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        if let Some(t) = &self.text {
            writeln!(out, "{t}")?;
        }
        Ok(())
    }
}

/// Asks the drive; device failures are errors, the disc's states are reports.
pub fn collect(drive: &mut CliDrive, device: &str) -> Result<MsinfoReport, CliError> {
    let mut r = MsinfoReport {
        device: device.to_string(),
        state: "appendable",
        last_session_start: None,
        next_writable: None,
        text: None,
        message: None,
    };
    match mmc::msinfo::msinfo(drive) {
        Ok(
            m @ Msinfo::Appendable {
                last_session_start,
                next_writable,
            },
        ) => {
            r.last_session_start = Some(last_session_start);
            r.next_writable = Some(next_writable);
            r.text = m.cdrecord_text();
        }
        Ok(Msinfo::Blank) => {
            r.state = "blank";
            r.message = Some(
                "blank disc: no previous session (write the first session without -C/-M)".into(),
            );
        }
        Err(e) => {
            r.state = match &e {
                MsinfoError::Closed => "closed",
                MsinfoError::Damaged { .. } => "damaged",
                MsinfoError::Full { .. } => "full",
                MsinfoError::NotWritable { .. } => "not_writable",
                MsinfoError::NoMedium => "no_medium",
                MsinfoError::Inconsistent(_) | MsinfoError::Mmc(_) => {
                    return Err(CliError::Failed(format!("msinfo: {e}")))
                }
            };
            r.message = Some(e.to_string());
        }
    }
    Ok(r)
}

/// Runs `msinfo`.
pub fn run(global: &GlobalArgs, _args: &MsinfoArgs) -> Result<(), CliError> {
    let (mut drive, device) = open_drive(global)?;
    let r = collect(&mut drive, &device)?;
    output::emit(&r, global.json)?;
    if r.is_failure() {
        return Err(CliError::Failed(format!(
            "msinfo: {}",
            r.message.as_deref().unwrap_or(r.state)
        )));
    }
    if let (Some(m), false) = (&r.message, global.json) {
        eprintln!("discburn: msinfo: {m}");
    }
    Ok(())
}
