//! `discburn info`: the drive: identity and firmware (SPC-4 §6.6 INQUIRY, VPD 80h),
//! physical interface (MMC-6 §5.3.2 Core feature), buffer (§6.25 READ BUFFER CAPACITY, else
//! page 2Ah), the MM Capabilities page (§7.9, mode page 2Ah), which media it reads and
//! writes (profile list §5.3.1 with the write features §5.3), and the current medium:
//! what `cdrecord -inq`, `-checkdrive` and `-prcap` show together.
//!
//! Each part the drive lacks is reported as "not supported by this drive" and the rest
//! still prints. [`prcap_text`] renders page 2Ah in `cdrecord -prcap`'s layout (cdrecord's
//! `scsi_cdr.c` / `drv_mmc.c` capability print: "Does"/"Does not" lines, speeds with their
//! CD and DVD multiples, the write speed list).

use std::io::Write;

use mmc::cmd::mode::CapabilitiesPage;
use mmc::drive::Identity;
use mmc::feature::{Feature, FeatureBody};
use mmc::profile::Profile;
use serde::Serialize;

use crate::args::{GlobalArgs, InfoArgs};
use crate::cmd::{open_drive, CliDrive, Gaps, Unavailable};
use crate::error::CliError;
use crate::output::{self, Report};

/// What the drive does with one medium.
#[derive(Debug, Serialize)]
pub struct MediumAbility {
    /// Profile number.
    pub code: u16,
    /// Profile name.
    pub medium: &'static str,
    /// The drive reads it (it lists the profile).
    pub read: bool,
    /// The drive writes it (a write feature or page 2Ah bit for it).
    pub write: bool,
    /// It is the loaded medium.
    pub current: bool,
}

/// Page 2Ah facts.
#[derive(Debug, Serialize)]
pub struct CapabilityFacts {
    /// Every "does" flag of the page by name (read_cd_r, write_dvd_r, buf, ...).
    pub flags: std::collections::BTreeMap<&'static str, bool>,
    /// Loading mechanism in cdrecord's word.
    pub loading_mechanism: &'static str,
    /// Buffer size the page gives, KiB.
    pub buffer_kib: u16,
    /// Maximum read speed, kB/s.
    pub max_read_kbps: u16,
    /// Maximum write speed, kB/s.
    pub max_write_kbps: Option<u16>,
    /// Write speeds, kB/s.
    pub write_speeds_kbps: Vec<u16>,
    /// The page's bytes in hex.
    pub hex: String,
}

/// `info` output.
#[derive(Debug, Serialize)]
pub struct InfoReport {
    /// The device as named.
    pub device: String,
    /// INQUIRY identity.
    pub identity: Identity,
    /// Physical interface standard (Core feature), by name.
    pub interface: Option<String>,
    /// Buffer size in bytes (READ BUFFER CAPACITY, else page 2Ah).
    pub buffer_bytes: Option<u64>,
    /// Page 2Ah.
    pub capabilities: Option<CapabilityFacts>,
    /// Media the drive knows (profile list), with read/write abilities.
    pub media: Vec<MediumAbility>,
    /// Current medium (profile name, "none" without a disc).
    pub current_medium: Option<String>,
    /// Current medium's profile number.
    pub current_profile: Option<u16>,
    /// Number of feature descriptors (see `discburn features`).
    pub feature_count: Option<usize>,
    /// Items the drive could not give.
    pub unavailable: Vec<Unavailable>,
}

/// cdrecord's word for the loading mechanism (page 2Ah / Removable Medium feature).
pub fn loading_word(code: u8) -> &'static str {
    match code {
        0 => "caddy",
        1 => "tray",
        2 => "pop-up",
        3 => "reserved(3)",
        4 => "disc changer",
        5 => "cartridge changer",
        6 => "reserved(6)",
        _ => "reserved(7)",
    }
}

/// The "does" flags of page 2Ah with cdrecord's wording, in cdrecord's order; `None`
/// entries separate groups.
fn prcap_flags(p: &CapabilitiesPage<'_>) -> Vec<Option<(&'static str, &'static str, bool)>> {
    vec![
        Some(("read_cd_r", "read CD-R media", p.read_cd_r())),
        Some(("write_cd_r", "write CD-R media", p.write_cd_r())),
        Some(("read_cd_rw", "read CD-RW media", p.read_cd_rw())),
        Some(("write_cd_rw", "write CD-RW media", p.write_cd_rw())),
        Some(("read_dvd_rom", "read DVD-ROM media", p.read_dvd_rom())),
        Some(("read_dvd_r", "read DVD-R media", p.read_dvd_r())),
        Some(("write_dvd_r", "write DVD-R media", p.write_dvd_r())),
        Some(("read_dvd_ram", "read DVD-RAM media", p.read_dvd_ram())),
        Some(("write_dvd_ram", "write DVD-RAM media", p.write_dvd_ram())),
        Some(("test_write", "support test writing", p.test_write())),
        None,
        Some(("mode2_form1", "read Mode 2 Form 1 blocks", p.mode2_form1())),
        Some(("mode2_form2", "read Mode 2 Form 2 blocks", p.mode2_form2())),
        Some(("cdda", "read digital audio blocks", p.cdda())),
        Some((
            "cdda_accurate",
            "restart non-streamed digital audio reads accurately",
            p.cdda_accurate(),
        )),
        Some(("buf", "support Buffer-Underrun-Free recording", p.buf())),
        Some(("multi_session", "read multi-session CDs", p.multi_session())),
        Some((
            "read_method2",
            "read fixed-packet CD media using Method 2",
            p.read_method2(),
        )),
        Some(("bar_code", "read CD bar code", p.bar_code())),
        Some((
            "rw_supported",
            "read R-W subcode information",
            p.rw_supported(),
        )),
        Some((
            "rw_corrected",
            "return R-W subcode de-interleaved and error-corrected",
            p.rw_corrected(),
        )),
        Some((
            "rw_in_leadin",
            "read raw P-W subcode data from lead in",
            p.rw_in_leadin(),
        )),
        Some(("upc", "return CD media catalog number", p.upc())),
        Some(("isrc", "return CD ISRC information", p.isrc())),
        Some(("c2_pointers", "support C2 error pointers", p.c2_pointers())),
        Some(("composite", "deliver composite A/V data", p.composite())),
        None,
        Some(("audio_play", "play audio CDs", p.audio_play())),
        Some((
            "separate_volume",
            "support individual volume control setting for each channel",
            p.separate_volume(),
        )),
        Some((
            "separate_mute",
            "support independent mute setting for each channel",
            p.separate_mute(),
        )),
        Some((
            "digital_port1",
            "support digital output on port 1",
            p.digital_port1(),
        )),
        Some((
            "digital_port2",
            "support digital output on port 2",
            p.digital_port2(),
        )),
        None,
        Some((
            "eject",
            "support ejection of CD via START/STOP command",
            p.eject(),
        )),
        Some((
            "prevent_jumper",
            "lock media on power up via prevent jumper",
            p.prevent_jumper(),
        )),
        Some((
            "lock",
            "allow media to be locked in the drive via PREVENT/ALLOW command",
            p.lock(),
        )),
        Some((
            "side_change",
            "support changing side of disk",
            p.side_change(),
        )),
        Some(("sss", "have load-empty-slot-in-changer feature", p.sss())),
        Some((
            "disc_present",
            "support Individual Disk Present feature",
            p.disc_present(),
        )),
    ]
}

fn speed_text(kbps: u32) -> String {
    format!(
        "{kbps:5} kB/s (CD {:3}x, DVD {:2}x)",
        kbps / 176,
        kbps / 1385
    )
}

/// Page 2Ah in `cdrecord -prcap`'s layout.
pub fn prcap_text(p: &CapabilitiesPage<'_>) -> String {
    let mut s = String::from("\nDrive capabilities, per MMC-3 page 2A:\n\n");
    let mut group = 0;
    for f in prcap_flags(p) {
        match f {
            None => {
                group += 1;
                s.push('\n');
                if group == 3 {
                    s.push_str(&format!(
                        "  Loading mechanism type: {}\n",
                        loading_word(p.loading_mechanism())
                    ));
                }
            }
            Some((key, words, v)) => {
                if key == "lock" {
                    s.push_str(&format!("  Does {}{words}\n", if v { "" } else { "not " }));
                    s.push_str(&format!(
                        "  Is {}currently in a media-locked state\n",
                        if p.lock_state() { "" } else { "not " }
                    ));
                    continue;
                }
                s.push_str(&format!("  Does {}{words}\n", if v { "" } else { "not " }));
                if key == "audio_play" {
                    s.push_str(&format!(
                        "  Number of volume control levels: {}\n",
                        p.volume_levels()
                    ));
                }
            }
        }
    }
    s.push('\n');
    s.push_str(&format!(
        "  Maximum read  speed: {}\n",
        speed_text(u32::from(p.max_read_kbps()))
    ));
    s.push_str(&format!(
        "  Current read  speed: {}\n",
        speed_text(u32::from(p.current_read_kbps()))
    ));
    if let Some(k) = p.max_write_kbps() {
        s.push_str(&format!(
            "  Maximum write speed: {}\n",
            speed_text(u32::from(k))
        ));
    }
    if let Some(k) = p.current_write_kbps() {
        s.push_str(&format!(
            "  Current write speed: {}\n",
            speed_text(u32::from(k))
        ));
    }
    if let Some((rot, _)) = p.write_speed_selected() {
        s.push_str(&format!(
            "  Rotational control selected: {}\n",
            if rot == 1 { "CAV" } else { "CLV/PCAV" }
        ));
    }
    s.push_str(&format!("  Buffer size in KB: {}\n", p.buffer_kib()));
    if let Some(r) = p.copy_management_revision() {
        s.push_str(&format!("  Copy management revision supported: {r}\n"));
    }
    let speeds: Vec<_> = p.write_speeds().collect();
    if p.as_bytes().len() >= 32 {
        s.push_str(&format!(
            "  Number of supported write speeds: {}\n",
            speeds.len()
        ));
        for (i, w) in speeds.iter().enumerate() {
            s.push_str(&format!(
                "  Write speed # {i}: {:5} kB/s {} (CD {:3}x, DVD {:2}x)\n",
                w.kbps,
                if w.rotation == 1 { "CAV" } else { "CLV/PCAV" },
                u32::from(w.kbps) / 176,
                u32::from(w.kbps) / 1385
            ));
        }
    }
    s
}

/// Whether `features` (or page 2Ah) say the drive writes `profile`.
pub fn writes(profile: Profile, features: &[Feature], page: Option<&CapabilitiesPage<'_>>) -> bool {
    if !profile.writable() {
        return false;
    }
    let has = |code: u16| features.iter().any(|f| f.code == code);
    let plus_write = |code: u16| {
        features.iter().any(|f| {
            f.code == code
                && matches!(
                    f.body,
                    FeatureBody::DvdPlusR { write: true }
                        | FeatureBody::DvdPlusRw { write: true, .. }
                )
        })
    };
    match profile {
        Profile::CdR => has(0x002D) || has(0x002E) || page.is_some_and(|c| c.write_cd_r()),
        Profile::CdRw => has(0x002D) || has(0x002E) || page.is_some_and(|c| c.write_cd_rw()),
        Profile::DvdRSeq | Profile::DvdRwSeq | Profile::DvdRDlSeq => {
            has(0x002F) || has(0x0021) || page.is_some_and(|c| c.write_dvd_r())
        }
        Profile::DvdRDlJump => has(0x0033),
        Profile::DvdRwRestricted => has(0x002C),
        Profile::DvdRam => has(0x0020) || page.is_some_and(|c| c.write_dvd_ram()),
        Profile::DvdPlusR => plus_write(0x002B),
        Profile::DvdPlusRw => plus_write(0x002A),
        Profile::DvdPlusRDl => plus_write(0x003B),
        Profile::DvdPlusRwDl => plus_write(0x003A),
        p if p.is_bd() => has(0x0041),
        p if p.is_hd_dvd() => has(0x0051),
        _ => has(0x0020) || has(0x0021),
    }
}

impl Report for InfoReport {
    fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let id = &self.identity;
        let na = |item: &str| {
            self.unavailable
                .iter()
                .find(|u| u.item == item)
                .map(|u| u.reason.clone())
                .unwrap_or_else(|| "not available".into())
        };
        writeln!(out, "Device:         {}", self.device)?;
        writeln!(out, "Vendor:         '{}'", id.vendor)?;
        writeln!(out, "Product:        '{}'", id.product)?;
        writeln!(out, "Firmware:       '{}'", id.revision)?;
        writeln!(
            out,
            "Serial number:  {}",
            id.serial
                .as_deref()
                .map(|s| format!("'{s}'"))
                .unwrap_or_else(|| crate::cmd::NOT_SUPPORTED.into())
        )?;
        writeln!(
            out,
            "Device type:    {}{}",
            if id.removable { "Removable " } else { "" },
            id.device_type_name
        )?;
        writeln!(
            out,
            "Interface:      {}",
            self.interface.clone().unwrap_or_else(|| na("features"))
        )?;
        match self.buffer_bytes {
            Some(b) => writeln!(out, "Buffer size:    {b} bytes ({} KiB)", b / 1024)?,
            None => writeln!(out, "Buffer size:    {}", na("buffer capacity"))?,
        }
        match (&self.current_medium, self.current_profile) {
            (Some(m), Some(c)) => writeln!(out, "Current medium: {m} ({c:04X}h)")?,
            _ => writeln!(out, "Current medium: {}", na("current profile"))?,
        }
        if let Some(n) = self.feature_count {
            writeln!(out, "Features:       {n} (discburn features lists them)")?;
        }
        writeln!(out)?;
        if self.media.is_empty() {
            writeln!(out, "Media:          {}", na("features"))?;
        } else {
            writeln!(out, "Medium                          Read  Write")?;
            for m in &self.media {
                writeln!(
                    out,
                    "{:<32}{:<6}{:<6}{}",
                    m.medium,
                    if m.read { "yes" } else { "no" },
                    if m.write { "yes" } else { "no" },
                    if m.current { "(current)" } else { "" }
                )?;
            }
        }
        match &self.capabilities {
            Some(c) => {
                let bytes: Vec<u8> = (0..c.hex.len())
                    .step_by(2)
                    .filter_map(|i| u8::from_str_radix(c.hex.get(i..i + 2)?, 16).ok())
                    .collect();
                match CapabilitiesPage::new_checked(&bytes) {
                    Ok(p) => write!(out, "{}", prcap_text(&p))?,
                    Err(e) => writeln!(out, "\nCapabilities page 2Ah: {e}")?,
                }
            }
            None => writeln!(
                out,
                "\nCapabilities page 2Ah: {}",
                na("capabilities (page 2Ah)")
            )?,
        }
        Ok(())
    }
}

/// Reads everything `info` shows.
pub fn collect(drive: &mut CliDrive, device: &str) -> Result<InfoReport, CliError> {
    let identity = drive
        .identify()
        .map_err(|e| crate::cmd::failed("info", e))?;
    let mut gaps = Gaps::default();
    let features = gaps.take("features", drive.features());
    let caps = gaps.take("capabilities (page 2Ah)", drive.capabilities());
    let page = caps.as_ref().map(|c| c.page());
    let buffer = gaps.take("buffer capacity", drive.buffer_capacity());
    let profile = gaps.take("current profile", drive.current_profile());
    let interface = features.as_ref().and_then(|fs| {
        fs.iter().find_map(|f| match f.body {
            FeatureBody::Core { interface, .. } => {
                Some(mmc::feature::interface_name(interface).to_string())
            }
            _ => None,
        })
    });
    let mut media = Vec::new();
    if let Some(fs) = &features {
        for f in fs {
            if let FeatureBody::ProfileList { profiles } = &f.body {
                for p in profiles {
                    media.push(MediumAbility {
                        code: p.profile.code(),
                        medium: p.profile.name(),
                        read: true,
                        write: writes(p.profile, fs, page.as_ref()),
                        current: p.current,
                    });
                }
            }
        }
    }
    let buffer_bytes = buffer
        .map(|b| u64::from(b.size))
        .or_else(|| page.map(|p| u64::from(p.buffer_kib()) * 1024));
    let capabilities = page.map(|p| CapabilityFacts {
        flags: prcap_flags(&p)
            .into_iter()
            .flatten()
            .map(|(k, _, v)| (k, v))
            .chain([("lock_state", p.lock_state())])
            .collect(),
        loading_mechanism: loading_word(p.loading_mechanism()),
        buffer_kib: p.buffer_kib(),
        max_read_kbps: p.max_read_kbps(),
        max_write_kbps: p.max_write_kbps(),
        write_speeds_kbps: p.write_speeds().map(|w| w.kbps).collect(),
        hex: p.as_bytes().iter().map(|b| format!("{b:02x}")).collect(),
    });
    Ok(InfoReport {
        device: device.to_string(),
        identity,
        interface,
        buffer_bytes,
        capabilities,
        media,
        current_medium: profile.map(|p| p.name().to_string()),
        current_profile: profile.map(|p| p.code()),
        feature_count: features.as_ref().map(Vec::len),
        unavailable: gaps.0,
    })
}

/// Runs `info`.
pub fn run(global: &GlobalArgs, _args: &InfoArgs) -> Result<(), CliError> {
    let (mut drive, device) = open_drive(global)?;
    let r = collect(&mut drive, &device)?;
    output::emit(&r, global.json)
}
