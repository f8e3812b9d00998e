//! `discburn speeds`: read and write speeds the drive offers for the loaded medium (MMC-6
//! §6.7 GET PERFORMANCE types 00h and 03h, and the speed fields of the MM Capabilities
//! mode page 2Ah, §7.9), each with its multiple of the medium's 1x rate.

use std::io::Write;

use mmc::cmd::get_performance::{Performance, WriteSpeed};
use serde::Serialize;

use crate::args::{GlobalArgs, SpeedsArgs};
use crate::cmd::{open_drive, CliDrive, Gaps, Unavailable};
use crate::error::CliError;
use crate::output::{self, Report};

/// `speeds` output.
#[derive(Debug, Serialize)]
pub struct SpeedsReport {
    /// The device as named.
    pub device: String,
    /// Current profile name.
    pub profile: Option<String>,
    /// kB/s of 1x for that medium (CD 176.4 rounded as cdrecord does: 176; DVD 1385; BD 4495).
    pub one_x_kbps: Option<u32>,
    /// GET PERFORMANCE type 03h write speed descriptors.
    pub write_speeds: Option<Vec<WriteSpeed>>,
    /// GET PERFORMANCE type 00h nominal read performance.
    pub read_performance: Option<Vec<Performance>>,
    /// Page 2Ah write speed descriptors, kB/s.
    pub page_write_kbps: Option<Vec<u16>>,
    /// Page 2Ah maximum read speed, kB/s.
    pub page_max_read_kbps: Option<u16>,
    /// Page 2Ah current read speed, kB/s.
    pub page_current_read_kbps: Option<u16>,
    /// Page 2Ah maximum write speed, kB/s.
    pub page_max_write_kbps: Option<u16>,
    /// Page 2Ah current write speed, kB/s.
    pub page_current_write_kbps: Option<u16>,
    /// Items the drive could not give.
    pub unavailable: Vec<Unavailable>,
}

impl SpeedsReport {
    fn x(&self, kbps: u32) -> String {
        match self.one_x_kbps {
            // CD 1x is 75 frames of 2352 bytes: 176.4 kB/s
            Some(176) => format!("{kbps} kB/s ({:.0}x)", f64::from(kbps) / 176.4),
            Some(one) if one > 0 => {
                format!("{kbps} kB/s ({:.1}x)", f64::from(kbps) / f64::from(one))
            }
            _ => format!("{kbps} kB/s"),
        }
    }

    fn reason(&self, item: &str) -> String {
        crate::cmd::unavailable_reason(&self.unavailable, item)
    }
}

impl Report for SpeedsReport {
    fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "Device:  {}", self.device)?;
        writeln!(
            out,
            "Medium:  {}",
            self.profile.as_deref().unwrap_or("unknown")
        )?;
        match &self.write_speeds {
            Some(v) => {
                writeln!(out, "Write speeds (GET PERFORMANCE):")?;
                if v.is_empty() {
                    writeln!(out, "  none for this medium")?;
                }
                for w in v {
                    writeln!(
                        out,
                        "  write {}  read {}  up to LBA {}{}",
                        self.x(w.write_kbps),
                        self.x(w.read_kbps),
                        w.end_lba,
                        if w.wrc == 1 { " CAV" } else { "" }
                    )?;
                }
            }
            None => writeln!(
                out,
                "Write speeds (GET PERFORMANCE): {}",
                self.reason("write speeds")
            )?,
        }
        match &self.read_performance {
            Some(v) => {
                writeln!(out, "Read performance (GET PERFORMANCE):")?;
                for p in v {
                    writeln!(
                        out,
                        "  LBA {} {} .. LBA {} {}",
                        p.start_lba,
                        self.x(p.start_kbps),
                        p.end_lba,
                        self.x(p.end_kbps)
                    )?;
                }
            }
            None => writeln!(
                out,
                "Read performance (GET PERFORMANCE): {}",
                self.reason("read performance")
            )?,
        }
        match &self.page_write_kbps {
            Some(v) => {
                writeln!(out, "Capabilities page 2Ah:")?;
                if let Some(k) = self.page_max_read_kbps {
                    writeln!(out, "  Maximum read  speed: {}", self.x(u32::from(k)))?;
                }
                if let Some(k) = self.page_current_read_kbps {
                    writeln!(out, "  Current read  speed: {}", self.x(u32::from(k)))?;
                }
                if let Some(k) = self.page_max_write_kbps {
                    writeln!(out, "  Maximum write speed: {}", self.x(u32::from(k)))?;
                }
                if let Some(k) = self.page_current_write_kbps {
                    writeln!(out, "  Current write speed: {}", self.x(u32::from(k)))?;
                }
                for (i, k) in v.iter().enumerate() {
                    writeln!(out, "  Write speed # {i}: {}", self.x(u32::from(*k)))?;
                }
            }
            None => writeln!(
                out,
                "Capabilities page 2Ah: {}",
                self.reason("capabilities (page 2Ah)")
            )?,
        }
        Ok(())
    }
}

/// Reads the speeds.
pub fn collect(drive: &mut CliDrive, device: &str) -> Result<SpeedsReport, CliError> {
    let mut gaps = Gaps::default();
    let profile = gaps.take("current profile", drive.current_profile());
    let write_speeds = gaps.take("write speeds", drive.write_speeds());
    let read_performance = gaps.take("read performance", drive.read_performance());
    let caps = gaps.take("capabilities (page 2Ah)", drive.capabilities());
    let page = caps.as_ref().map(|c| c.page());
    Ok(SpeedsReport {
        device: device.to_string(),
        profile: profile.map(|p| p.name().to_string()),
        one_x_kbps: profile.map(|p| p.single_speed_kbps()).filter(|&k| k > 1),
        write_speeds,
        read_performance,
        page_write_kbps: page.map(|p| p.write_speeds().map(|w| w.kbps).collect()),
        page_max_read_kbps: page.map(|p| p.max_read_kbps()),
        page_current_read_kbps: page.map(|p| p.current_read_kbps()),
        page_max_write_kbps: page.and_then(|p| p.max_write_kbps()),
        page_current_write_kbps: page.and_then(|p| p.current_write_kbps()),
        unavailable: gaps.0,
    })
}

/// Runs `speeds`.
pub fn run(global: &GlobalArgs, _args: &SpeedsArgs) -> Result<(), CliError> {
    let (mut drive, device) = open_drive(global)?;
    let r = collect(&mut drive, &device)?;
    output::emit(&r, global.json)
}
