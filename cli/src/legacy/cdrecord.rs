//! The `cdrecord` / `wodim` personality: their command-line syntax (`dev=b,t,l`,
//! single-dash long options) for `-scanbus`, `-inq`, `-v` and `-V`.
//!
//! Output follows cdrtools' `cdrecord/scsi_scan.c` `select_target` and libscg's
//! `scg_fprintdev`: a `scsibus<N>:` line per bus that has a device, then targets 0 to 7 (and
//! 8 to 15 where a device is) at LUN 0 as `\t<b>,<t>,<l>\t<bus*100+target, 3 wide>) ` followed
//! by `*` for no device, or `'<vendor 8>' '<product 16>' '<revision 4>' [NON CCS ]<type words>`.
//! `-inq` prints the lines of cdrecord's INQUIRY report (`Device type`, `Version`, ...).
//!
//! Unknown options are a usage error (exit 2) that names the option.

use std::collections::BTreeMap;

use transport::spc::{self, InquiryData};
use transport::ScanEntry;

use crate::device;
use crate::error::CliError;

/// What the accepted options are, for error messages.
const ACCEPTED: &str = "dev=, -scanbus, -inq, -v, -V, -version, -help";

/// Parsed cdrecord options.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `dev=`.
    pub dev: Option<String>,
    /// `-scanbus`.
    pub scanbus: bool,
    /// `-inq`.
    pub inq: bool,
    /// Count of `-v`.
    pub verbose: u8,
    /// Count of `-V` (SCSI command trace).
    pub scsi_verbose: u8,
    /// `-version`.
    pub version: bool,
    /// `-help`.
    pub help: bool,
}

/// Parses cdrecord's arguments (without the program name).
pub fn parse(prog: &str, args: &[String]) -> Result<Options, CliError> {
    let mut o = Options::default();
    for a in args {
        let flag = a.strip_prefix("--").or_else(|| a.strip_prefix('-'));
        if let Some(v) = a
            .strip_prefix("dev=")
            .or_else(|| flag.and_then(|f| f.strip_prefix("dev=")))
        {
            o.dev = Some(v.to_string());
            continue;
        }
        match flag {
            Some("scanbus") => o.scanbus = true,
            Some("inq") => o.inq = true,
            Some("version") => o.version = true,
            Some("help") | Some("h") => o.help = true,
            Some(f) if !f.is_empty() && f.bytes().all(|b| b == b'v') => {
                o.verbose = o.verbose.saturating_add(f.len() as u8)
            }
            Some(f) if !f.is_empty() && f.bytes().all(|b| b == b'V') => {
                o.scsi_verbose = o.scsi_verbose.saturating_add(f.len() as u8)
            }
            _ => {
                return Err(CliError::Usage(format!(
                    "{prog}: Bad Option: {a} (this cdrecord personality accepts {ACCEPTED})"
                )))
            }
        }
    }
    Ok(o)
}

/// Runs the personality; `prog` is the name it was started under.
pub fn run(prog: &str, args: &[String]) -> Result<(), CliError> {
    let o = parse(prog, args)?;
    crate::init_logging(o.verbose);
    if o.help {
        println!("Usage: {prog} [options]\nOptions: {ACCEPTED}");
        return Ok(());
    }
    if o.version {
        println!(
            "{prog} (discburn {}): cdrecord command line personality",
            env!("CARGO_PKG_VERSION")
        );
        return Ok(());
    }
    if o.scanbus {
        let entries = transport::scan()?;
        if entries.is_empty() {
            return Err(CliError::Failed(format!("{prog}: No target found.")));
        }
        print!("{}", scanbus_text(&entries));
        return Ok(());
    }
    if o.inq {
        return inq(prog, &o);
    }
    Err(CliError::Usage(format!(
        "{prog}: nothing to do: give -scanbus or -inq (track writing is not available in this \
         personality yet)"
    )))
}

fn inq(prog: &str, o: &Options) -> Result<(), CliError> {
    let spec = device::resolve(o.dev.as_deref())?;
    println!("scsidev: '{spec}'");
    if let transport::DevSpec::Btl { bus, target, lun } = spec {
        println!("scsibus: {bus} target: {target} lun: {lun}");
    }
    let mut t = device::open(&spec, o.scsi_verbose)?;
    let bytes = spc::inquiry(&mut *t, None)?;
    let d = InquiryData::new_checked(&bytes)
        .map_err(|e| CliError::Failed(format!("{prog}: {spec}: {e}")))?;
    print!("{}", inq_text(&d));
    Ok(())
}

/// cdrecord's `-inq` report lines for standard INQUIRY data.
pub fn inq_text(d: &InquiryData<'_>) -> String {
    format!(
        "Device type    : {}\nVersion        : {}\nResponse Format: {}\nCapabilities   : {}\n\
         Vendor_info    : '{}'\nIdentification : '{}'\nRevision       : '{}'\n",
        d.type_words(),
        d.version(),
        d.response_data_format(),
        d.capability_words().join(" "),
        d.vendor_padded(),
        d.product_padded(),
        d.revision_padded()
    )
}

/// The `-scanbus` listing of `entries`, in cdrecord's layout.
pub fn scanbus_text(entries: &[ScanEntry]) -> String {
    let mut buses: BTreeMap<u32, BTreeMap<u32, &ScanEntry>> = BTreeMap::new();
    for e in entries {
        let targets = buses.entry(e.bus).or_default();
        if e.lun == 0 {
            // The first entry wins when two channels give the same b,t,l, as in cdrecord.
            targets.entry(e.target).or_insert(e);
        }
    }
    let mut s = String::new();
    for (bus, targets) in &buses {
        s.push_str(&format!("scsibus{bus}:\n"));
        for target in 0..16u32 {
            let dev = targets.get(&target);
            if dev.is_none() && target > 7 {
                continue;
            }
            let btl = format!("{bus},{target},0");
            let sep = if btl.len() < 8 { '\t' } else { ' ' };
            let n = u64::from(*bus) * 100 + u64::from(target);
            s.push_str(&format!("\t{btl}{sep}{n:3}) "));
            match dev {
                None => s.push_str("*\n"),
                Some(e) => {
                    s.push_str(&format!(
                        "'{}' '{}' '{}' ",
                        e.vendor_padded, e.product_padded, e.revision_padded
                    ));
                    if e.non_ccs {
                        s.push_str("NON CCS ");
                    }
                    s.push_str(&e.type_words);
                    s.push('\n');
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use transport::scan::IdentitySource;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_cdrecord_syntax() {
        let o = parse("cdrecord", &args(&["dev=0,1,0", "-inq", "-vv", "-V"])).unwrap();
        assert_eq!(o.dev.as_deref(), Some("0,1,0"));
        assert!(o.inq && !o.scanbus);
        assert_eq!((o.verbose, o.scsi_verbose), (2, 1));
        let o = parse("wodim", &args(&["--scanbus", "-dev=/dev/sr0"])).unwrap();
        assert!(o.scanbus);
        assert_eq!(o.dev.as_deref(), Some("/dev/sr0"));
    }

    #[test]
    fn unknown_option_is_named() {
        let e = parse("cdrecord", &args(&["-scanbus", "-frobnicate"])).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let m = e.to_string();
        assert!(m.starts_with("cdrecord: Bad Option: -frobnicate"), "{m}");
        assert!(parse("cdrecord", &args(&["track.iso"])).is_err());
        assert!(parse("cdrecord", &args(&["-"])).is_err());
    }

    fn entry(bus: u32, target: u32, inq: &[u8]) -> ScanEntry {
        let d = InquiryData::new_checked(inq).unwrap();
        ScanEntry {
            bus,
            target,
            lun: 0,
            os_address: format!("{bus}:0:{target}:0"),
            sg_path: None,
            block_path: None,
            vendor: d.vendor(),
            product: d.product(),
            revision: d.revision(),
            vendor_padded: d.vendor_padded(),
            product_padded: d.product_padded(),
            revision_padded: d.revision_padded(),
            device_type: d.device_type(),
            removable: d.removable(),
            type_words: d.type_words(),
            non_ccs: d.is_non_ccs(),
            identity_from: IdentitySource::Inquiry,
        }
    }

    const QEMU_CD: &[u8] = b"\x05\x80\x05\x12\x1f\x00\x00\x12QEMU    QEMU CD-ROM     2.5+";
    const QEMU_HD: &[u8] = b"\x00\x00\x05\x12\x1f\x00\x00\x12QEMU    QEMU HARDDISK   2.5+";

    #[test]
    fn scanbus_layout_matches_cdrecord() {
        let v = vec![
            entry(0, 0, QEMU_CD),
            entry(0, 1, QEMU_HD),
            entry(12, 9, QEMU_CD),
        ];
        let text = scanbus_text(&v);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "scsibus0:");
        assert_eq!(
            lines[1],
            "\t0,0,0\t  0) 'QEMU    ' 'QEMU CD-ROM     ' '2.5+' Removable CD-ROM"
        );
        assert_eq!(
            lines[2],
            "\t0,1,0\t  1) 'QEMU    ' 'QEMU HARDDISK   ' '2.5+' Disk"
        );
        assert_eq!(lines[3], "\t0,2,0\t  2) *");
        assert_eq!(lines[8], "\t0,7,0\t  7) *");
        assert_eq!(lines[9], "scsibus12:");
        assert_eq!(lines[10], "\t12,0,0\t1200) *");
        // Target 9 is shown because a device is there; 8 is not.
        assert_eq!(
            lines[18],
            "\t12,9,0\t1209) 'QEMU    ' 'QEMU CD-ROM     ' '2.5+' Removable CD-ROM"
        );
        assert_eq!(lines.len(), 19);
        // A long address is followed by a space instead of a tab.
        let t = scanbus_text(&[entry(100, 10, QEMU_HD)]);
        assert!(t.contains("\t100,10,0 10010) 'QEMU    '"), "{t}");
    }

    #[test]
    fn inq_report_lines() {
        let d = InquiryData::new_checked(QEMU_CD).unwrap();
        let t = inq_text(&d);
        assert!(
            t.starts_with("Device type    : Removable CD-ROM\nVersion        : 5\n"),
            "{t}"
        );
        assert!(t.contains("Capabilities   : SYNC CMDQUEUE\n"), "{t}");
        assert!(t.contains("Vendor_info    : 'QEMU    '\n"), "{t}");
        assert!(t.contains("Identification : 'QEMU CD-ROM     '\n"), "{t}");
        assert!(t.contains("Revision       : '2.5+'\n"), "{t}");
    }
}
