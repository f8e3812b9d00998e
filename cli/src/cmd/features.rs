//! `discburn features`: every feature descriptor the drive reports (MMC-6 §5.3 "Features",
//! §6.6 GET CONFIGURATION with RT = 00b), each decoded by `mmc::feature`, current ones
//! marked.
//!
//! Text output: one line per feature, `CODEh Name [current] [persistent] version N`, then
//! its decoded fields indented (`field: value`); the profile list shows every profile with
//! the current one marked.

use std::io::Write;

use mmc::feature::{Feature, FeatureBody};
use serde::Serialize;

use crate::args::{FeaturesArgs, GlobalArgs};
use crate::cmd::{failed, open_drive, CliDrive};
use crate::error::CliError;
use crate::output::{self, Report};

/// `features` output.
#[derive(Debug, Serialize)]
pub struct FeaturesReport {
    /// The device as named.
    pub device: String,
    /// Current profile number (GET CONFIGURATION header).
    pub current_profile: Option<u16>,
    /// Every descriptor, in the drive's order.
    pub features: Vec<Feature>,
}

/// The decoded fields of a feature body as `name: value` lines (the profile list is
/// printed by the caller).
pub fn body_lines(body: &FeatureBody) -> Vec<String> {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(body) else {
        return Vec::new();
    };
    map.iter()
        .filter(|(k, _)| k.as_str() != "kind")
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(a) if a.iter().all(|x| x.is_u64()) => a
                    .iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                other => other.to_string(),
            };
            format!("{k}: {text}")
        })
        .collect()
}

impl Report for FeaturesReport {
    fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "Device: {}", self.device)?;
        if let Some(p) = self.current_profile {
            let name = mmc::profile::Profile::from_code(p).name();
            writeln!(out, "Current profile: {p:04X}h {name}")?;
        }
        writeln!(out, "{} features (* = current)", self.features.len())?;
        for f in &self.features {
            writeln!(
                out,
                "{} {:04X}h {}{} version {}",
                if f.current { '*' } else { ' ' },
                f.code,
                f.name,
                if f.persistent { " (persistent)" } else { "" },
                f.version
            )?;
            match &f.body {
                FeatureBody::ProfileList { profiles } => {
                    for p in profiles {
                        writeln!(
                            out,
                            "      {:04X}h {}{}",
                            p.profile.code(),
                            p.profile.name(),
                            if p.current { " (current)" } else { "" }
                        )?;
                    }
                }
                FeatureBody::Core {
                    interface,
                    inq2,
                    dbe,
                } => {
                    writeln!(
                        out,
                        "      interface: {} ({interface})",
                        mmc::feature::interface_name(*interface)
                    )?;
                    writeln!(out, "      inq2: {inq2}")?;
                    writeln!(out, "      dbe: {dbe}")?;
                }
                body => {
                    for l in body_lines(body) {
                        writeln!(out, "      {l}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Reads every feature.
pub fn collect(drive: &mut CliDrive, device: &str) -> Result<FeaturesReport, CliError> {
    let features = drive.features().map_err(|e| failed("features", e))?;
    let current_profile = drive.current_profile().ok().map(|p| p.code());
    Ok(FeaturesReport {
        device: device.to_string(),
        current_profile,
        features,
    })
}

/// Runs `features`.
pub fn run(global: &GlobalArgs, _args: &FeaturesArgs) -> Result<(), CliError> {
    let (mut drive, device) = open_drive(global)?;
    let r = collect(&mut drive, &device)?;
    output::emit(&r, global.json)
}
