//! Output of the subcommands: human text by default, JSON with `--json`.
//!
//! The JSON shapes are a stable interface (tests and scripts parse them); fields are only
//! ever added. One JSON document per command, on stdout, followed by a newline.
//!
//! `discburn scan --json`:
//! ```json
//! {"devices": [
//!   {"btl": "0,0,0", "bus": 0, "target": 0, "lun": 0,
//!    "os_address": "0:0:0:0",          // Linux H:C:T:L
//!    "sg": "/dev/sg0",                 // or null
//!    "block": "/dev/sr0",              // or null
//!    "vendor": "QEMU", "product": "QEMU CD-ROM", "revision": "2.5+",   // trimmed
//!    "device_type": 5,                 // peripheral device type code
//!    "type_name": "CD-ROM",            // cdrecord's word for the type
//!    "type_words": "Removable CD-ROM", // as cdrecord -scanbus prints it
//!    "removable": true,
//!    "identity_from": "inquiry",       // or "sysfs" when INQUIRY could not be sent
//!    "identity_note": null}            // why not, for "sysfs"
//! ]}
//! ```
//!
//! `discburn inquiry --json`:
//! ```json
//! {"device": "/dev/sr0",
//!  "standard": {"peripheral_qualifier": 0, "device_type": 5, "type_name": "CD-ROM",
//!    "type_words": "Removable CD-ROM", "removable": true, "version": 5,
//!    "version_name": "SPC-3", "response_data_format": 2, "additional_length": 31,
//!    "vendor": "QEMU", "product": "QEMU CD-ROM", "revision": "2.5+",
//!    "capabilities": ["SYNC", "CMDQUEUE"], "hex": "0580051f..."},
//!  "vpd_pages": [0, 131],              // null when page 00h is not supported
//!  "unit_serial_number": null,         // null when page 80h is not supported
//!  "device_identification": [          // null when page 83h is not supported
//!    {"association": "logical unit", "designator_type": "vendor specific",
//!     "code_set": "ASCII", "protocol_identifier": null, "text": "cd0"}]}
//! ```
//!
//! `discburn raw --json` (see `cmd::raw`; exit 0 only for GOOD):
//! ```json
//! {"device": "emu:/tmp/cd.img", "cdb": "28000000001000000200", "command": "READ(10)",
//!  "direction": "in",                 // "none" | "in" | "out"
//!  "requested": 4096, "transferred": 4096, "residual": 0,
//!  "status": "GOOD", "status_byte": 0,
//!  "sense": null,                     // or {"key": "ILLEGAL REQUEST", "key_code": 5,
//!                                     //  "asc": 32, "ascq": 0, "text": "...", "information": null}
//!  "sense_hex": "", "duration_ms": 0.4,
//!  "data_hex": "01434430303101..."}   // data received; "" without --in
//! ```
//!
//! The drive and disc reports (`info`, `media`, `toc`, `atip`, `msinfo`, `features`,
//! `speeds`) share one convention: an item the drive could not give is `null` and is
//! listed in `"unavailable": [{"item": "write speeds", "command": "GET PERFORMANCE (ACh)",
//! "not_supported": true, "reason": "not supported by this drive"}]` (`not_supported` is
//! true for ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE; otherwise `reason` is the
//! error). LBAs and sizes are 2048-byte blocks.
//!
//! `discburn media --json` (`cmd::media`):
//! ```json
//! {"device": "/dev/sr0",
//!  "profile": {"code": 9, "name": "CD-R", "class": "CD"},
//!  "disc": {"status": "incomplete/appendable",   // empty | incomplete/appendable | complete | other
//!    "last_session_state": "empty", "erasable": false, "first_track": 1,
//!    "sessions": 3,                // as READ DISC INFORMATION counts (with the empty one)
//!    "complete_sessions": 2, "first_track_last_session": 3, "last_track_last_session": 3,
//!    "unrestricted": false, "disc_type": 0},
//!  "tracks": [{"number": 1, "session": 1, "start": 0, "size": 402, "end": 401,
//!    "last_recorded": 401, "kind": "data",        // data | audio | blank
//!    "track_mode": 4, "data_mode": 1, "blank": false, "packet": false,
//!    "fixed_packet": false, "next_writable": null, "free_blocks": 0}],
//!  "capacity_blocks": 25804,       // READ CAPACITY + 1; null on a blank disc
//!  "state": "appendable",          // appendable | blank | closed | full | not_writable | no_medium
//!  "last_session_start": 11802, "next_writable": 25804,   // 0 next_writable when blank
//!  "free_blocks": 333545, "free_bytes": 683100160, "unavailable": []}
//! ```
//!
//! `discburn toc --json` (`cmd::toc`):
//! ```json
//! {"device": "/dev/sr0", "blank": false, "first_track": 1, "last_track": 2,
//!  "tracks": [{"number": 1, "leadout": false, "lba": 0, "msf": "00:02:00", "adr": 1,
//!    "control": 4, "data": true, "mode": 1, "session": 1},
//!   {"number": 170, "leadout": true, "lba": 25402, ...}],
//!  "first_session": 1, "last_session": 2, "last_session_start": 11802, "unavailable": []}
//! ```
//! `data` is CONTROL bit 2 of the TOC entry. `mode` is cdrecord's `mode:` column: the CD
//! data mode READ HEADER (44h) reports for the track's first block (0, 1 or 2), -1 when it is
//! unknown: the drive refused READ HEADER (QEMU, DVD/BD media, drives without the
//! command) and always for the lead-out.
//!
//! `discburn msinfo --json` (`cmd::msinfo`; exit 1 for closed/full/not_writable/no_medium):
//! ```json
//! {"device": "/dev/sr0", "state": "appendable", "last_session_start": 11802,
//!  "next_writable": 25804, "text": "11802,25804", "message": null}
//! ```
//!
//! `discburn atip --json` (`cmd::atip`): `{"device", "atip": {"writing_power",
//! "reference_speed", "unrestricted", "erasable", "sub_type", "leadin_start": {"m","s","f"},
//! "leadin_lba", "leadout_start", "leadout_lba", "manufacturer": {"disk_type", "index",
//! "name"}}, "leadin_msf": "97:26/66", "leadout_msf": "79:59/74"}`.
//!
//! `discburn features --json` (`cmd::features`): `{"device", "current_profile": 9,
//! "features": [{"code": 1, "name": "Core", "version": 2, "persistent": true,
//! "current": true, "body": {"kind": "Core", "interface": 1, "inq2": false, "dbe": true}}]}`;
//! `body.kind` names the decoded form (`mmc::feature::FeatureBody`), `Raw` carries hex.
//!
//! `discburn speeds --json` (`cmd::speeds`): `{"device", "profile": "CD-R",
//! "one_x_kbps": 176, "write_speeds": [{"wrc", "rdd", "exact", "mrw", "end_lba",
//! "read_kbps", "write_kbps"}], "read_performance": [{"start_lba", "start_kbps", "end_lba",
//! "end_kbps"}], "page_write_kbps": [4234, ...], "page_max_read_kbps",
//! "page_current_read_kbps", "page_max_write_kbps", "page_current_write_kbps",
//! "unavailable"}`.
//!
//! `discburn info --json` (`cmd::info`): `{"device", "identity": {"device_type",
//! "device_type_name", "removable", "version", "vendor", "product", "revision", "serial"},
//! "interface": "ATAPI", "buffer_bytes": 2097152, "capabilities": {"flags": {"read_cd_r":
//! true, "write_dvd_r": false, ...}, "loading_mechanism": "tray", "buffer_kib",
//! "max_read_kbps", "max_write_kbps", "write_speeds_kbps", "hex"}, "media": [{"code": 9,
//! "medium": "CD-R", "read": true, "write": true, "current": true}], "current_medium":
//! "CD-R", "current_profile": 9, "feature_count": 20, "unavailable"}`.
//!
//! Text output of `scan` is one tab-separated line per device after a header line:
//! `b,t,l  H:C:T:L  sg  block  'vendor'  'product'  'revision'  type words` (`-` for a
//! missing node).

use std::io::{self, Write};

use serde::Serialize;
use transport::scan::{IdentitySource, ScanEntry};
use transport::spc::{Designator, InquiryData};

use crate::error::CliError;

/// A report printable as text or JSON.
pub trait Report: Serialize {
    /// Writes the human-readable form.
    fn write_text(&self, out: &mut dyn Write) -> io::Result<()>;
}

/// Writes to stdout and flushes; a failure (a closed pipe: `discburn ls | head -c1`) is
/// returned, never a panic as with `print!`.
pub fn write_stdout(args: std::fmt::Arguments<'_>) -> Result<(), CliError> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    out.write_fmt(args)?;
    out.flush()?;
    Ok(())
}

/// A serde_json error as the I/O error it carries (so a closed pipe stays one).
pub fn json_io(e: serde_json::Error) -> CliError {
    match e.io_error_kind() {
        Some(kind) => CliError::Output(io::Error::new(kind, e)),
        None => CliError::Output(io::Error::other(e)),
    }
}

/// A name from a disc for human output: control characters (C0, DEL, C1) and the
/// backslash written as C escapes, as GNU `ls -b` (`--quoting-style=escape`) does:
/// `\n`, `\t`, `\r`, `\a`, `\b`, `\f`, `\v`, `\\`, else `\ooo` octal (UTF-8
/// bytes of C1 characters one by one). A listing line can then not be faked by a name.
/// JSON output carries names exactly.
pub fn escape_name(s: &str) -> std::borrow::Cow<'_, str> {
    let needs = |c: char| c.is_control() || c == '\\';
    if !s.chars().any(needs) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            '\r' => o.push_str("\\r"),
            '\u{7}' => o.push_str("\\a"),
            '\u{8}' => o.push_str("\\b"),
            '\u{c}' => o.push_str("\\f"),
            '\u{b}' => o.push_str("\\v"),
            '\\' => o.push_str("\\\\"),
            c if c.is_control() => {
                let mut b = [0u8; 4];
                for x in c.encode_utf8(&mut b).bytes() {
                    o.push_str(&format!("\\{x:03o}"));
                }
            }
            c => o.push(c),
        }
    }
    std::borrow::Cow::Owned(o)
}

/// Prints `report` on stdout as JSON (`json`) or text.
pub fn emit<R: Report>(report: &R, json: bool) -> Result<(), CliError> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if json {
        serde_json::to_writer_pretty(&mut out, report).map_err(json_io)?;
        writeln!(out)?;
    } else {
        report.write_text(&mut out)?;
    }
    out.flush()?;
    Ok(())
}

/// `scan` output.
#[derive(Debug, Serialize)]
pub struct ScanReport {
    /// Every device, sorted by b,t,l.
    pub devices: Vec<ScanDevice>,
}

/// One device of [`ScanReport`].
#[derive(Debug, Serialize)]
pub struct ScanDevice {
    /// `b,t,l`.
    pub btl: String,
    /// Bus.
    pub bus: u32,
    /// Target.
    pub target: u32,
    /// LUN.
    pub lun: u32,
    /// The OS address (Linux `H:C:T:L`).
    pub os_address: String,
    /// `/dev/sgN`.
    pub sg: Option<String>,
    /// `/dev/srN`, `/dev/sdX`, `\\.\E:`.
    pub block: Option<String>,
    /// Vendor, trimmed.
    pub vendor: String,
    /// Product, trimmed.
    pub product: String,
    /// Revision, trimmed.
    pub revision: String,
    /// Peripheral device type code.
    pub device_type: u8,
    /// cdrecord's word for the type.
    pub type_name: String,
    /// The type as `cdrecord -scanbus` prints it.
    pub type_words: String,
    /// RMB.
    pub removable: bool,
    /// "inquiry" or "sysfs".
    pub identity_from: &'static str,
    /// Why the identity came from sysfs.
    pub identity_note: Option<String>,
}

impl ScanReport {
    /// Builds the report from scan entries.
    pub fn new(entries: &[ScanEntry]) -> Self {
        let devices = entries
            .iter()
            .map(|e| {
                let (from, note) = match &e.identity_from {
                    IdentitySource::Inquiry => ("inquiry", None),
                    IdentitySource::Sysfs(r) => ("sysfs", Some(r.clone())),
                };
                ScanDevice {
                    btl: e.btl(),
                    bus: e.bus,
                    target: e.target,
                    lun: e.lun,
                    os_address: e.os_address.clone(),
                    sg: e.sg_path.as_ref().map(|p| p.display().to_string()),
                    block: e.block_path.as_ref().map(|p| p.display().to_string()),
                    vendor: e.vendor.clone(),
                    product: e.product.clone(),
                    revision: e.revision.clone(),
                    device_type: e.device_type.code(),
                    type_name: e.device_type.cdrecord_name(),
                    type_words: e.type_words.clone(),
                    removable: e.removable,
                    identity_from: from,
                    identity_note: note,
                }
            })
            .collect();
        ScanReport { devices }
    }
}

impl Report for ScanReport {
    fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "b,t,l\tH:C:T:L\tsg\tblock\tvendor\tproduct\trevision\ttype"
        )?;
        for d in &self.devices {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t'{}'\t'{}'\t'{}'\t{}",
                d.btl,
                d.os_address,
                d.sg.as_deref().unwrap_or("-"),
                d.block.as_deref().unwrap_or("-"),
                d.vendor,
                d.product,
                d.revision,
                d.type_words
            )?;
        }
        Ok(())
    }
}

/// Standard INQUIRY data of [`InquiryReport`].
#[derive(Debug, Serialize)]
pub struct StandardInquiry {
    /// PERIPHERAL QUALIFIER.
    pub peripheral_qualifier: u8,
    /// PERIPHERAL DEVICE TYPE code.
    pub device_type: u8,
    /// cdrecord's word for the type.
    pub type_name: String,
    /// The type as cdrecord prints it ("Removable CD-ROM").
    pub type_words: String,
    /// RMB.
    pub removable: bool,
    /// VERSION.
    pub version: u8,
    /// VERSION as a standard's name.
    pub version_name: String,
    /// RESPONSE DATA FORMAT.
    pub response_data_format: u8,
    /// ADDITIONAL LENGTH.
    pub additional_length: u8,
    /// Vendor, trimmed.
    pub vendor: String,
    /// Product, trimmed.
    pub product: String,
    /// Revision, trimmed.
    pub revision: String,
    /// Byte 7 flags in cdrecord's words.
    pub capabilities: Vec<String>,
    /// The bytes received, in hex.
    pub hex: String,
}

impl StandardInquiry {
    /// Builds the view from checked INQUIRY data.
    pub fn from_data(d: &InquiryData<'_>) -> Self {
        StandardInquiry {
            peripheral_qualifier: d.peripheral_qualifier(),
            device_type: d.device_type().code(),
            type_name: d.device_type().cdrecord_name(),
            type_words: d.type_words(),
            removable: d.removable(),
            version: d.version(),
            version_name: d.version_name(),
            response_data_format: d.response_data_format(),
            additional_length: d.additional_length(),
            vendor: d.vendor(),
            product: d.product(),
            revision: d.revision(),
            capabilities: d
                .capability_words()
                .into_iter()
                .map(str::to_string)
                .collect(),
            hex: d.as_bytes().iter().map(|b| format!("{b:02x}")).collect(),
        }
    }
}

/// One designation descriptor of [`InquiryReport`].
#[derive(Debug, Serialize)]
pub struct DesignatorReport {
    /// ASSOCIATION in words.
    pub association: String,
    /// DESIGNATOR TYPE in words.
    pub designator_type: String,
    /// CODE SET in words.
    pub code_set: String,
    /// PROTOCOL IDENTIFIER when PIV is set.
    pub protocol_identifier: Option<u8>,
    /// The designator as text (hex for binary ones).
    pub text: String,
}

/// `inquiry` output.
#[derive(Debug, Serialize)]
pub struct InquiryReport {
    /// The device as named (`dev=` form).
    pub device: String,
    /// Standard INQUIRY data.
    pub standard: StandardInquiry,
    /// Supported VPD pages (page 00h); `None` when the device does not answer it.
    pub vpd_pages: Option<Vec<u8>>,
    /// Unit serial number (page 80h); `None` when not supported.
    pub unit_serial_number: Option<String>,
    /// Device identification descriptors (page 83h); `None` when not supported.
    pub device_identification: Option<Vec<DesignatorReport>>,
}

impl InquiryReport {
    /// Assembles the report.
    pub fn new(
        device: &str,
        standard: StandardInquiry,
        vpd_pages: Option<Vec<u8>>,
        unit_serial_number: Option<String>,
        ident: Option<&[Designator]>,
    ) -> Self {
        InquiryReport {
            device: device.to_string(),
            standard,
            vpd_pages,
            unit_serial_number,
            device_identification: ident.map(|v| {
                v.iter()
                    .map(|d| DesignatorReport {
                        association: d.association.name(),
                        designator_type: d.designator_type.name(),
                        code_set: d.code_set.name(),
                        protocol_identifier: d.piv.then_some(d.protocol_identifier),
                        text: d.text(),
                    })
                    .collect()
            }),
        }
    }
}

/// Text for a VPD page that is absent.
pub const NOT_SUPPORTED: &str = "not supported by this device";

impl Report for InquiryReport {
    fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let s = &self.standard;
        writeln!(out, "Device:                {}", self.device)?;
        writeln!(
            out,
            "Device type:           {} ({:02X}h)",
            s.type_words, s.device_type
        )?;
        writeln!(out, "Peripheral qualifier:  {}", s.peripheral_qualifier)?;
        writeln!(
            out,
            "Version:               {} ({})",
            s.version, s.version_name
        )?;
        writeln!(out, "Response data format:  {}", s.response_data_format)?;
        writeln!(out, "Capabilities:          {}", s.capabilities.join(" "))?;
        writeln!(out, "Vendor:                '{}'", s.vendor)?;
        writeln!(out, "Product:               '{}'", s.product)?;
        writeln!(out, "Revision:              '{}'", s.revision)?;
        match &self.vpd_pages {
            Some(p) => {
                let list: Vec<String> = p.iter().map(|c| format!("{c:02X}h")).collect();
                writeln!(out, "VPD pages:             {}", list.join(" "))?
            }
            None => writeln!(out, "VPD pages:             {NOT_SUPPORTED}")?,
        }
        match &self.unit_serial_number {
            Some(sn) => writeln!(out, "Unit serial number:    '{sn}'")?,
            None => writeln!(out, "Unit serial number:    {NOT_SUPPORTED}")?,
        }
        match &self.device_identification {
            Some(v) if v.is_empty() => writeln!(out, "Device identification: (no descriptors)")?,
            Some(v) => {
                writeln!(out, "Device identification:")?;
                for d in v {
                    writeln!(
                        out,
                        "  {}, {}, {}: {}",
                        d.association, d.designator_type, d.code_set, d.text
                    )?;
                }
            }
            None => writeln!(out, "Device identification: {NOT_SUPPORTED}")?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_escaped_as_gnu_ls_b_escapes_them() {
        assert_eq!(escape_name("plain name.txt"), "plain name.txt");
        assert_eq!(escape_name("a\nb\tc\r"), "a\\nb\\tc\\r");
        assert_eq!(
            escape_name("\x07\x08\x0b\x0c\x1b\x7f"),
            "\\a\\b\\v\\f\\033\\177"
        );
        assert_eq!(escape_name("back\\slash"), "back\\\\slash");
        assert_eq!(escape_name("c1\u{85}"), "c1\\302\\205");
        assert_eq!(escape_name("ünïcode"), "ünïcode");
    }

    use super::*;
    use transport::spc::{self, VpdPage};

    const QEMU_CD: &[u8] = b"\x05\x80\x05\x12\x1f\x00\x00\x12QEMU    QEMU CD-ROM     2.5+";

    fn report() -> InquiryReport {
        let d = InquiryData::new_checked(QEMU_CD).unwrap();
        let page = [
            0x05, 0x83, 0x00, 0x07, 0x02, 0x00, 0x00, 0x03, b'c', b'd', b'0',
        ];
        let ident = spc::device_identification(&VpdPage::new_checked(&page, 0x83).unwrap());
        InquiryReport::new(
            "/dev/sr0",
            StandardInquiry::from_data(&d),
            Some(vec![0x00, 0x83]),
            None,
            Some(&ident),
        )
    }

    #[test]
    fn inquiry_json_shape() {
        let v = serde_json::to_value(report()).unwrap();
        assert_eq!(v["device"], "/dev/sr0");
        assert_eq!(v["standard"]["device_type"], 5);
        assert_eq!(v["standard"]["type_words"], "Removable CD-ROM");
        assert_eq!(v["standard"]["vendor"], "QEMU");
        assert_eq!(v["standard"]["product"], "QEMU CD-ROM");
        assert_eq!(v["standard"]["revision"], "2.5+");
        assert_eq!(v["standard"]["version_name"], "SPC-3");
        assert_eq!(v["vpd_pages"], serde_json::json!([0, 131]));
        assert!(v["unit_serial_number"].is_null());
        assert_eq!(v["device_identification"][0]["text"], "cd0");
        assert_eq!(v["device_identification"][0]["code_set"], "ASCII");
    }

    #[test]
    fn inquiry_text_says_not_supported() {
        let mut out = Vec::new();
        report().write_text(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("Unit serial number:    not supported by this device"),
            "{text}"
        );
        assert!(text.contains("VPD pages:             00h 83h"), "{text}");
        assert!(
            text.contains("logical unit, vendor specific, ASCII: cd0"),
            "{text}"
        );
        assert!(
            text.contains("Device type:           Removable CD-ROM (05h)"),
            "{text}"
        );
    }
}
