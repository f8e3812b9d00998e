//! Bus scan: every SCSI device with its b,t,l, device nodes and INQUIRY identity (SPC-4
//! §6.6.2 standard INQUIRY data), numbered the way `cdrecord -scanbus` numbers them.
//!
//! # Bus numbers on Linux (cdrtools `libscg/scsi-linux-sg.c`, cdrkit `libusal`)
//!
//! cdrtools opens every `/dev/sg*` node and asks the kernel where it is:
//! `SCSI_IOCTL_GET_IDLUN` gives target, LUN, channel and the host's unique id, and
//! `SCSI_IOCTL_GET_BUS_NUMBER` gives the host number. Its `sg_mapbus` then takes the **host
//! number as the bus number** and ignores the channel (its own comment: "the Bus number that
//! Linux creates really is the controller (card) number. In case of multi SCSI bus cards we
//! are lost"; a second channel on the same host triggers its "Linux Bus mapping botch"
//! warning and lands on the same bus). Only when `GET_BUS_NUMBER` fails does it hand out bus
//! numbers in discovery order, one per (host id, channel) pair. Targets 16 and up and LUNs 8
//! and up are out of its tables and not listed. wodim (cdrkit) keeps the same `sg_mapbus`; on
//! Linux 2.6+ it scans `/dev/hd*` and `/dev/scd*` (the sr nodes) instead of `/dev/sg*`, and
//! puts `/dev/hdX` devices on buses 1000 and up; for SCSI devices the numbers come out the
//! same (seen in a QEMU guest: a scsi-cd with `scsi-id=0` on the only virtio-scsi host is
//! `0,0,0`, a scsi-hd with `scsi-id=1` is `0,1,0`).
//!
//! What this module implements: `bus` = Linux host number, `target` = SCSI target id,
//! `lun` = LUN, for every device in `/sys/bus/scsi/devices` (and every
//! `/sys/class/scsi_generic/sgN`). The channel is kept in [`ScanEntry::os_address`]; when two
//! channels of one host give the same b,t,l, both are listed and `b,t,l` opens the first in
//! (host, channel, target, lun) order, as cdrecord keeps the first node it found. Devices with
//! target ≥ 16 or LUN ≥ 8, which cdrecord cannot address, are listed too (by path they open).
//!
//! Device nodes come from sysfs: the device's `scsi_generic/sgN` child gives `/dev/sgN`, its
//! `block/NAME` child `/dev/NAME` (`sr0`, `sda`). Vendor, product and revision come from a
//! real INQUIRY sent through SG_IO on a read-only open; when the open or the command fails
//! (no permission, say), the sysfs strings the kernel kept from its own INQUIRY are used and
//! [`ScanEntry::identity_from`] says so.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::spc::DeviceType;
use crate::{DevSpec, TransportError};

/// One SCSI device found by [`scan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanEntry {
    /// Bus number as `cdrecord -scanbus` shows it (Linux: the host number).
    pub bus: u32,
    /// Target number.
    pub target: u32,
    /// Logical unit number.
    pub lun: u32,
    /// The operating system's own address: `H:C:T:L` on Linux, `port:path:target:lun` on
    /// Windows.
    pub os_address: String,
    /// The SCSI generic node (`/dev/sgN`), when the sg driver has one for the device.
    pub sg_path: Option<PathBuf>,
    /// The block or class device node (`/dev/sr0`, `/dev/sda`; on Windows the drive letter
    /// `E:`, else `\\.\CdRom1`), when there is one.
    pub block_path: Option<PathBuf>,
    /// T10 vendor identification, trimmed.
    pub vendor: String,
    /// Product identification, trimmed.
    pub product: String,
    /// Product revision level, trimmed.
    pub revision: String,
    /// Vendor at its full width of 8 characters (cdrecord quotes it so).
    pub vendor_padded: String,
    /// Product at its full width of 16 characters.
    pub product_padded: String,
    /// Revision at its full width of 4 characters.
    pub revision_padded: String,
    /// Peripheral device type.
    pub device_type: DeviceType,
    /// RMB: removable medium.
    pub removable: bool,
    /// Device type in cdrecord's words: "Removable CD-ROM", "Disk".
    pub type_words: String,
    /// The INQUIRY answer was shorter than SCSI-2's 36 bytes (cdrecord prints "NON CCS").
    pub non_ccs: bool,
    /// Where vendor, product and revision came from.
    pub identity_from: IdentitySource,
}

/// Where a scan entry's identity came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySource {
    /// An INQUIRY sent by the scan.
    Inquiry,
    /// The kernel's copy in sysfs, because the INQUIRY could not be sent (the reason).
    Sysfs(String),
}

impl ScanEntry {
    /// The node to open for this device: the block/class node if there is one, else sg.
    pub fn path(&self) -> Option<&Path> {
        self.block_path.as_deref().or(self.sg_path.as_deref())
    }

    /// True for a CD/DVD device (peripheral device type 05h).
    pub fn is_cd_dvd(&self) -> bool {
        self.device_type == DeviceType::CdDvd
    }

    /// `b,t,l`.
    pub fn btl(&self) -> String {
        format!("{},{},{}", self.bus, self.target, self.lun)
    }

    /// The `dev=` spec that opens this device: its node path, else its b,t,l.
    pub fn dev_spec(&self) -> DevSpec {
        match self.path() {
            Some(p) => DevSpec::Path(p.to_path_buf()),
            None => DevSpec::Btl {
                bus: self.bus,
                target: self.target,
                lun: self.lun,
            },
        }
    }
}

impl fmt::Display for ScanEntry {
    /// `0,0,0 /dev/sr0 (/dev/sg0) 'QEMU' 'QEMU CD-ROM' '2.5+' Removable CD-ROM`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.btl())?;
        if let Some(p) = self.path() {
            write!(f, " {}", p.display())?;
        }
        write!(
            f,
            " '{}' '{}' '{}' {}",
            self.vendor, self.product, self.revision, self.type_words
        )
    }
}

/// Lists every SCSI device the OS shows, sorted by b,t,l (then OS address).
pub fn scan() -> Result<Vec<ScanEntry>, TransportError> {
    #[cfg(target_os = "linux")]
    {
        Ok(linux::scan_sysfs(Path::new("/sys"), Path::new("/dev")))
    }
    #[cfg(windows)]
    {
        windows_scan()
    }
    #[cfg(target_os = "macos")]
    {
        Ok(crate::sys::macos::IoKitDevice::scan()?
            .into_iter()
            .map(crate::sys::macos::MacScanEntry::into_scan_entry)
            .collect())
    }
    #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
    {
        Err(TransportError::Unsupported(format!(
            "scanning for SCSI devices is not available on {}; name the device with its path",
            std::env::consts::OS
        )))
    }
}

/// Why there is no single default drive.
#[derive(Debug, thiserror::Error)]
pub enum DefaultDeviceError {
    /// The scan itself failed.
    #[error(transparent)]
    Scan(#[from] TransportError),
    /// No CD/DVD device is present.
    #[error("no CD/DVD drive found{}; name a device with dev= (or --dev)", found_list(.found))]
    NoDrive {
        /// Every device the scan found (none is a CD/DVD drive).
        found: Vec<ScanEntry>,
    },
    /// More than one CD/DVD device is present.
    #[error("{} CD/DVD drives found ({}); choose one with dev= (or --dev)", .drives.len(), join(.drives))]
    SeveralDrives {
        /// The CD/DVD devices.
        drives: Vec<ScanEntry>,
    },
}

fn join(entries: &[ScanEntry]) -> String {
    entries
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

fn found_list(found: &[ScanEntry]) -> String {
    if found.is_empty() {
        " (no SCSI devices at all)".to_string()
    } else {
        format!(" (found: {})", join(found))
    }
}

/// The drive to use when none was named: the only CD/DVD device (peripheral device type 05h)
/// the scan finds.
pub fn default_device() -> Result<ScanEntry, DefaultDeviceError> {
    pick_default(scan()?)
}

fn pick_default(entries: Vec<ScanEntry>) -> Result<ScanEntry, DefaultDeviceError> {
    let mut drives: Vec<ScanEntry> = entries.iter().filter(|e| e.is_cd_dvd()).cloned().collect();
    match drives.len() {
        1 => Ok(drives.remove(0)),
        0 => Err(DefaultDeviceError::NoDrive { found: entries }),
        _ => Err(DefaultDeviceError::SeveralDrives { drives }),
    }
}

/// The scan entry numbered `bus,target,lun` (the first one, when channels collide).
pub fn find_btl(entries: &[ScanEntry], bus: u32, target: u32, lun: u32) -> Option<&ScanEntry> {
    entries
        .iter()
        .find(|e| (e.bus, e.target, e.lun) == (bus, target, lun))
}

/// Pads a trimmed identity string to cdrecord's field width.
#[cfg_attr(not(any(target_os = "linux", windows)), allow(dead_code))] // reason: used by those scans
fn pad(s: &str, width: usize) -> String {
    format!("{s:<width$}")
}

#[cfg_attr(not(any(target_os = "linux", windows)), allow(dead_code))] // reason: used by those scans
fn type_words(removable: bool, t: DeviceType) -> String {
    let mut s = String::new();
    if removable {
        s.push_str("Removable ");
    }
    s.push_str(&t.cdrecord_name());
    s
}

#[cfg(windows)]
fn windows_scan() -> Result<Vec<ScanEntry>, TransportError> {
    let entries = crate::sys::windows::SptiDevice::scan()?;
    Ok(entries
        .into_iter()
        .map(|e| {
            let id = e.identity;
            let device_type = DeviceType::from_code(id.device_type);
            ScanEntry {
                bus: e.bus,
                target: e.target,
                lun: e.lun,
                os_address: format!(
                    "{}:{}:{}:{}",
                    e.address.port, e.address.path, e.address.target, e.address.lun
                ),
                sg_path: None,
                block_path: Some(PathBuf::from(e.path)),
                vendor_padded: pad(&id.vendor, 8),
                product_padded: pad(&id.product, 16),
                revision_padded: pad(&id.revision, 4),
                vendor: id.vendor,
                product: id.product,
                revision: id.revision,
                device_type,
                removable: id.removable,
                type_words: type_words(id.removable, device_type),
                non_ccs: false,
                identity_from: IdentitySource::Inquiry,
            }
        })
        .collect())
}

#[cfg(target_os = "linux")]
mod linux {
    //! The Linux scan over sysfs (`root` is `/sys`, `dev` is `/dev`; tests pass a fake tree).

    use std::collections::BTreeSet;
    use std::fs;
    use std::path::Path;
    use std::time::Duration;

    use super::{pad, type_words, IdentitySource, ScanEntry};
    use crate::spc::{self, DeviceType, InquiryData};
    use crate::sys::linux::{ScsiId, SgDevice};
    use crate::{OpenOptions, Request, Transport};

    /// Timeout of the INQUIRY sent to each device.
    const SCAN_TIMEOUT: Duration = Duration::from_secs(5);

    pub(super) fn scan_sysfs(root: &Path, dev: &Path) -> Vec<ScanEntry> {
        let devices_dir = root.join("bus/scsi/devices");
        let mut ids: BTreeSet<ScsiId> = BTreeSet::new();
        if let Ok(rd) = fs::read_dir(&devices_dir) {
            for e in rd.flatten() {
                if let Some(id) = e.file_name().to_str().and_then(ScsiId::parse_hctl) {
                    ids.insert(id);
                }
            }
        }
        // Every sg node's device, in case the bus listing missed one.
        if let Ok(rd) = fs::read_dir(root.join("class/scsi_generic")) {
            for e in rd.flatten() {
                let id = fs::canonicalize(e.path().join("device"))
                    .ok()
                    .and_then(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .and_then(ScsiId::parse_hctl)
                    });
                if let Some(id) = id {
                    ids.insert(id);
                }
            }
        }
        let mut out: Vec<ScanEntry> = ids
            .into_iter()
            .map(|id| entry(&devices_dir.join(id.to_string()), id, dev))
            .collect();
        out.sort_by_key(|e| (e.bus, e.target, e.lun, e.os_address.clone()));
        out
    }

    /// First child name of `dir/sub`, or of a deprecated-layout `dir/sub:NAME` link.
    fn child_name(dir: &Path, sub: &str) -> Option<String> {
        if let Ok(rd) = fs::read_dir(dir.join(sub)) {
            let mut names: Vec<String> = rd
                .flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .collect();
            names.sort();
            if let Some(n) = names.into_iter().next() {
                return Some(n);
            }
        }
        let prefix = format!("{sub}:");
        fs::read_dir(dir).ok()?.flatten().find_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_prefix(&prefix))
                .map(str::to_string)
        })
    }

    fn read_attr(path: &Path) -> Option<String> {
        let s = fs::read_to_string(path).ok()?;
        Some(s.strip_suffix('\n').unwrap_or(&s).to_string())
    }

    fn entry(dir: &Path, id: ScsiId, dev: &Path) -> ScanEntry {
        let sg_name = child_name(dir, "scsi_generic");
        let block_name = child_name(dir, "block");
        let sg_path = sg_name.as_ref().map(|n| dev.join(n));
        let block_path = block_name.as_ref().map(|n| dev.join(n));
        let probe = sg_path.as_deref().or(block_path.as_deref());
        let identity = match probe {
            Some(p) => inquiry(p),
            None => Err("no device node".to_string()),
        };
        let mut e = ScanEntry {
            bus: id.host,
            target: id.target,
            lun: u32::try_from(id.lun).unwrap_or(u32::MAX),
            os_address: id.to_string(),
            sg_path,
            block_path,
            vendor: String::new(),
            product: String::new(),
            revision: String::new(),
            vendor_padded: String::new(),
            product_padded: String::new(),
            revision_padded: String::new(),
            device_type: DeviceType::NoDevice,
            removable: false,
            type_words: String::new(),
            non_ccs: false,
            identity_from: IdentitySource::Inquiry,
        };
        match identity {
            Ok(bytes) => fill_from_inquiry(&mut e, &bytes),
            Err(reason) => {
                log::info!("{}: identity from sysfs: {reason}", e.os_address);
                fill_from_sysfs(&mut e, dir, block_name.as_deref());
                e.identity_from = IdentitySource::Sysfs(reason);
            }
        }
        e
    }

    /// Sends a 36-byte standard INQUIRY through a read-only open of `path`.
    fn inquiry(path: &Path) -> Result<Vec<u8>, String> {
        let opts = OpenOptions {
            read_only: true,
            exclusive: false,
        };
        let mut d = SgDevice::open(path, &opts).map_err(|e| e.to_string())?;
        let mut buf = vec![0u8; usize::from(spc::STANDARD_INQUIRY_LEN)];
        let cdb = spc::inquiry_cdb(None, spc::STANDARD_INQUIRY_LEN);
        let c = d
            .execute(Request::read(cdb, &mut buf).with_timeout(SCAN_TIMEOUT))
            .map_err(|e| format!("{}: INQUIRY: {e}", path.display()))?;
        if !c.is_good() {
            return Err(format!("{}: INQUIRY: {c}", path.display()));
        }
        let n = c.transferred(buf.len());
        buf.truncate(n);
        InquiryData::new_checked(&buf).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(buf)
    }

    pub(super) fn fill_from_inquiry(e: &mut ScanEntry, bytes: &[u8]) {
        let Ok(d) = InquiryData::new_checked(bytes) else {
            return;
        };
        e.vendor = d.vendor();
        e.product = d.product();
        e.revision = d.revision();
        e.vendor_padded = d.vendor_padded();
        e.product_padded = d.product_padded();
        e.revision_padded = d.revision_padded();
        e.device_type = d.device_type();
        e.removable = d.removable();
        e.type_words = d.type_words();
        e.non_ccs = d.is_non_ccs();
    }

    fn fill_from_sysfs(e: &mut ScanEntry, dir: &Path, block: Option<&str>) {
        // The kernel keeps INQUIRY's fixed-width fields: `vendor` is 8 characters, `model` 16,
        // `rev` 4, each printed with its trailing spaces.
        let raw = |name: &str, width: usize| -> String {
            let s = read_attr(&dir.join(name)).unwrap_or_default();
            let s: String = s.chars().take(width).collect();
            pad(&s, width)
        };
        e.vendor_padded = raw("vendor", 8);
        e.product_padded = raw("model", 16);
        e.revision_padded = raw("rev", 4);
        e.vendor = e.vendor_padded.trim_end().to_string();
        e.product = e.product_padded.trim_end().to_string();
        e.revision = e.revision_padded.trim_end().to_string();
        let code = read_attr(&dir.join("type")).and_then(|s| s.trim().parse::<u8>().ok());
        e.device_type = code
            .map(DeviceType::from_code)
            .unwrap_or(DeviceType::NoDevice);
        e.removable = block
            .and_then(|b| read_attr(&dir.join("block").join(b).join("removable")))
            .map(|s| s.trim() == "1")
            .unwrap_or(false);
        e.type_words = type_words(e.removable, e.device_type);
    }

    /// Path of the sysfs device directory for tests.
    #[cfg(test)]
    pub(super) fn device_dir(root: &Path, hctl: &str) -> std::path::PathBuf {
        root.join("bus/scsi/devices").join(hctl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(btl: (u32, u32, u32), t: DeviceType, path: &str) -> ScanEntry {
        ScanEntry {
            bus: btl.0,
            target: btl.1,
            lun: btl.2,
            os_address: format!("{}:0:{}:{}", btl.0, btl.1, btl.2),
            sg_path: None,
            block_path: Some(path.into()),
            vendor: "QEMU".into(),
            product: "P".into(),
            revision: "2.5+".into(),
            vendor_padded: pad("QEMU", 8),
            product_padded: pad("P", 16),
            revision_padded: "2.5+".into(),
            device_type: t,
            removable: t == DeviceType::CdDvd,
            type_words: type_words(t == DeviceType::CdDvd, t),
            non_ccs: false,
            identity_from: IdentitySource::Inquiry,
        }
    }

    #[test]
    fn default_device_needs_exactly_one_drive() {
        let cd = entry((0, 0, 0), DeviceType::CdDvd, "/dev/sr0");
        let hd = entry((0, 1, 0), DeviceType::DirectAccess, "/dev/sda");
        let cd2 = entry((1, 0, 0), DeviceType::CdDvd, "/dev/sr1");
        assert_eq!(pick_default(vec![cd.clone(), hd.clone()]).unwrap(), cd);
        let e = pick_default(vec![hd.clone()]).unwrap_err().to_string();
        assert!(
            e.contains("no CD/DVD drive found") && e.contains("0,1,0 /dev/sda"),
            "{e}"
        );
        assert!(!e.contains('\n'));
        let e = pick_default(vec![]).unwrap_err().to_string();
        assert!(e.contains("no SCSI devices at all"), "{e}");
        let e = pick_default(vec![cd, hd, cd2]).unwrap_err().to_string();
        assert!(e.starts_with("2 CD/DVD drives found"), "{e}");
        assert!(e.contains("/dev/sr0") && e.contains("/dev/sr1"), "{e}");
    }

    #[test]
    fn entry_display_and_spec() {
        let cd = entry((0, 0, 0), DeviceType::CdDvd, "/dev/sr0");
        assert_eq!(
            cd.to_string(),
            "0,0,0 /dev/sr0 'QEMU' 'P' '2.5+' Removable CD-ROM"
        );
        assert_eq!(cd.dev_spec(), DevSpec::Path("/dev/sr0".into()));
        let v = vec![cd.clone()];
        assert_eq!(find_btl(&v, 0, 0, 0), Some(&cd));
        assert_eq!(find_btl(&v, 0, 1, 0), None);
    }

    /// A fake sysfs tree shaped like the QEMU guest's: host 0 with a scsi-cd at id 0
    /// (sg0, sr0) and a scsi-hd at id 1 (sg1, sda), plus host 2 channel 1 (sg2 only).
    #[cfg(target_os = "linux")]
    #[test]
    fn sysfs_scan_maps_host_to_bus_and_falls_back_to_sysfs_strings() {
        use std::fs;
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("sys");
        let dev = t.path().join("dev"); // empty: every open fails, identity from sysfs
        fs::create_dir_all(&dev).unwrap();
        let mk = |hctl: &str, sg: &str, block: Option<&str>, v: &str, m: &str, ty: u8| {
            let d = linux::device_dir(&root, hctl);
            fs::create_dir_all(d.join("scsi_generic").join(sg)).unwrap();
            if let Some(b) = block {
                fs::create_dir_all(d.join("block").join(b)).unwrap();
                let rm = if ty == 5 { "1\n" } else { "0\n" };
                fs::write(d.join("block").join(b).join("removable"), rm).unwrap();
            }
            fs::write(d.join("vendor"), format!("{v}\n")).unwrap();
            fs::write(d.join("model"), format!("{m}\n")).unwrap();
            fs::write(d.join("rev"), "2.5+\n").unwrap();
            fs::write(d.join("type"), format!("{ty}\n")).unwrap();
        };
        mk(
            "0:0:0:0",
            "sg0",
            Some("sr0"),
            "QEMU    ",
            "QEMU CD-ROM     ",
            5,
        );
        mk(
            "0:0:1:0",
            "sg1",
            Some("sda"),
            "QEMU    ",
            "QEMU HARDDISK   ",
            0,
        );
        mk("2:1:3:0", "sg2", None, "ACME    ", "Changer         ", 8);
        fs::create_dir_all(root.join("bus/scsi/devices/host0")).unwrap();
        fs::create_dir_all(root.join("bus/scsi/devices/target0:0:0")).unwrap();

        let v = linux::scan_sysfs(&root, &dev);
        assert_eq!(v.len(), 3, "{v:#?}");
        let cd = &v[0];
        assert_eq!((cd.bus, cd.target, cd.lun), (0, 0, 0));
        assert_eq!(cd.sg_path.as_deref(), Some(dev.join("sg0").as_path()));
        assert_eq!(cd.block_path.as_deref(), Some(dev.join("sr0").as_path()));
        assert_eq!(cd.vendor, "QEMU");
        assert_eq!(cd.vendor_padded, "QEMU    ");
        assert_eq!(cd.product, "QEMU CD-ROM");
        assert_eq!(cd.product_padded, "QEMU CD-ROM     ");
        assert_eq!(cd.revision, "2.5+");
        assert_eq!(cd.type_words, "Removable CD-ROM");
        assert!(cd.removable && cd.is_cd_dvd());
        assert!(matches!(&cd.identity_from, IdentitySource::Sysfs(r) if r.contains("sg0")));
        let hd = &v[1];
        assert_eq!((hd.bus, hd.target, hd.lun), (0, 1, 0));
        assert_eq!(hd.type_words, "Disk");
        assert_eq!(hd.path(), Some(dev.join("sda").as_path()));
        let ch = &v[2];
        assert_eq!((ch.bus, ch.target, ch.lun), (2, 3, 0)); // channel 1 ignored, as cdrecord
        assert_eq!(ch.os_address, "2:1:3:0");
        assert_eq!(ch.type_words, "Juke Box");
        assert_eq!(ch.path(), Some(dev.join("sg2").as_path()));
        assert_eq!(pick_default(v).unwrap().os_address, "0:0:0:0");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn inquiry_bytes_fill_an_entry() {
        let mut e = entry((0, 0, 0), DeviceType::NoDevice, "/dev/sr0");
        let bytes = b"\x05\x80\x05\x12\x1f\x00\x00\x12QEMU    QEMU CD-ROM     2.5+";
        linux::fill_from_inquiry(&mut e, bytes);
        assert_eq!(e.product, "QEMU CD-ROM");
        assert_eq!(e.product_padded, "QEMU CD-ROM     ");
        assert_eq!(e.type_words, "Removable CD-ROM");
        assert_eq!(e.device_type, DeviceType::CdDvd);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn real_scan_does_not_fail() {
        // This machine may have no SCSI devices at all; the scan must still succeed.
        let v = scan().unwrap();
        for e in &v {
            assert!(!e.os_address.is_empty());
        }
    }

    #[test]
    fn open_dispatch() {
        let opts = crate::OpenOptions::default();
        let e = crate::open(
            &DevSpec::Emu {
                path: "x".into(),
                options: vec![],
            },
            &opts,
        )
        .err()
        .unwrap();
        assert!(
            matches!(&e, TransportError::Unsupported(m) if m.contains("emu::open")),
            "{e}"
        );
        #[cfg(target_os = "linux")]
        {
            let e = crate::open(&DevSpec::Path("/dev/no-such-sr9".into()), &opts)
                .err()
                .unwrap();
            assert!(matches!(e, TransportError::NotFound { .. }), "{e}");
            let e = crate::open(
                &DevSpec::Btl {
                    bus: 99,
                    target: 15,
                    lun: 7,
                },
                &opts,
            )
            .err()
            .unwrap();
            assert_eq!(e.to_string(), "99,15,7: no such device");
        }
    }
}
