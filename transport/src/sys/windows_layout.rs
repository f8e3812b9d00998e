//! Windows SCSI Pass Through Interface (SPTI) wire layouts and the pure parts of the backend:
//! `SCSI_PASS_THROUGH_DIRECT` (ntddscsi.h) with the sense buffer appended as in Microsoft's
//! SPTI sample (`SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER`), the `SCSI_IOCTL_DATA_*` directions,
//! timeout conversion, the adapter's transfer limits (`STORAGE_ADAPTER_DESCRIPTOR`, ntddstor.h),
//! aligned bounce buffers, the b,t,l numbering of cdrecord's libscg (`scsi-wnt.c`), device path
//! spelling and the mapping of Win32 error codes to [`TransportError`].
//!
//! This module compiles on every OS (it holds no `unsafe` and calls nothing in Windows) so
//! `cargo test` on Linux checks the layouts; on Windows, compile-time assertions in
//! `sys::windows` tie [`ScsiPassThroughDirect`] to the `windows-sys` definition field by field.

use std::ffi::c_void;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{Completion, ScsiStatus, TransportError};

/// Bytes of sense data the kernel may return after the pass-through header (SPC-4 §4.5: fixed
/// sense is 18 bytes, descriptor sense rarely more than 60).
pub const SENSE_LEN: usize = 64;

/// `SCSI_IOCTL_DATA_OUT`: host to device.
pub const SCSI_IOCTL_DATA_OUT: u8 = 0;
/// `SCSI_IOCTL_DATA_IN`: device to host.
pub const SCSI_IOCTL_DATA_IN: u8 = 1;
/// `SCSI_IOCTL_DATA_UNSPECIFIED`: no data phase.
pub const SCSI_IOCTL_DATA_UNSPECIFIED: u8 = 2;

/// Maximum transfer assumed when the adapter cannot be asked (64 KiB; cdrecord's SPTI code
/// uses 63 KiB for the same purpose).
pub const DEFAULT_MAX_TRANSFER: usize = 64 * 1024;

/// Page size used by the storage port drivers to count `MaximumPhysicalPages`.
pub const PAGE_SIZE: usize = 4096;

/// Largest alignment mask honoured for bounce buffers; adapters report 0, 1, 3, 7 ... 511.
const MAX_ALIGNMENT_MASK: u32 = 0xFFFF;

/// Mirror of `SCSI_PASS_THROUGH_DIRECT` (ntddscsi.h), field for field.
///
/// x86_64: 56 bytes, `DataBuffer` at 24, `SenseInfoOffset` at 32, `Cdb` at 36.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ScsiPassThroughDirect {
    /// `Length`: size of this structure.
    pub length: u16,
    /// `ScsiStatus`: SCSI status byte returned by the device.
    pub scsi_status: u8,
    /// `PathId`: ignored for a device handle (the port driver fills it in).
    pub path_id: u8,
    /// `TargetId`: ignored for a device handle.
    pub target_id: u8,
    /// `Lun`: ignored for a device handle.
    pub lun: u8,
    /// `CdbLength`: 6, 10, 12 or 16.
    pub cdb_length: u8,
    /// `SenseInfoLength`: room for sense on input, bytes returned on output.
    pub sense_info_length: u8,
    /// `DataIn`: one of the `SCSI_IOCTL_DATA_*` directions.
    pub data_in: u8,
    /// `DataTransferLength`: requested bytes on input, transferred bytes on output.
    pub data_transfer_length: u32,
    /// `TimeOutValue`: seconds.
    pub timeout_value: u32,
    /// `DataBuffer`: caller's buffer (aligned to the adapter's `AlignmentMask`).
    pub data_buffer: *mut c_void,
    /// `SenseInfoOffset`: offset of the sense buffer from the start of this structure.
    pub sense_info_offset: u32,
    /// `Cdb`: command descriptor block.
    pub cdb: [u8; 16],
}

/// `SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER` of the SPTI sample: the header, a filler that
/// realigns to a 32-bit boundary, and the sense buffer the header's `SenseInfoOffset` names.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct SptdWithSense {
    /// The pass-through header.
    pub sptd: ScsiPassThroughDirect,
    /// Realigns the sense buffer to a `ULONG` boundary (as in the SDK sample).
    pub filler: u32,
    /// Sense data written by the port driver.
    pub sense: [u8; SENSE_LEN],
}

impl SptdWithSense {
    /// A zeroed request for `cdb` with direction `data_in`, `len` bytes at `buf` and `timeout`.
    ///
    /// `buf` is only stored, never dereferenced here; the caller keeps it valid for the IOCTL.
    pub fn new(cdb: &[u8], data_in: u8, buf: *mut c_void, len: u32, timeout: Duration) -> Self {
        let mut c = [0u8; 16];
        let n = cdb.len().min(16);
        c[..n].copy_from_slice(&cdb[..n]);
        SptdWithSense {
            sptd: ScsiPassThroughDirect {
                length: std::mem::size_of::<ScsiPassThroughDirect>() as u16,
                scsi_status: 0,
                path_id: 0,
                target_id: 0,
                lun: 0,
                cdb_length: n as u8,
                sense_info_length: SENSE_LEN as u8,
                data_in,
                data_transfer_length: len,
                timeout_value: timeout_secs(timeout),
                data_buffer: buf,
                sense_info_offset: std::mem::offset_of!(SptdWithSense, sense) as u32,
                cdb: c,
            },
            filler: 0,
            sense: [0; SENSE_LEN],
        }
    }

    /// The completion this header describes after the IOCTL returned, for a data phase of
    /// `requested` bytes that took `duration`.
    pub fn completion(&self, requested: usize, duration: Duration) -> Completion {
        let status = ScsiStatus::from_byte(self.sptd.scsi_status);
        let sense_len = usize::from(self.sptd.sense_info_length).min(SENSE_LEN);
        // The port driver reports the sense bytes it wrote; a GOOD status carries none.
        let sense = if status == ScsiStatus::Good {
            Vec::new()
        } else {
            self.sense[..sense_len].to_vec()
        };
        let transferred = (self.sptd.data_transfer_length as usize).min(requested);
        Completion {
            status,
            sense,
            residual: requested - transferred,
            duration,
        }
    }
}

/// Converts a timeout to SPTI's whole seconds: rounded up, at least 1 (0 is not "forever"
/// for every port driver), saturating at `u32::MAX`.
pub fn timeout_secs(t: Duration) -> u32 {
    let secs = t.as_secs() + u64::from(t.subsec_nanos() > 0);
    u32::try_from(secs.max(1)).unwrap_or(u32::MAX)
}

/// Largest single transfer an adapter carries: `MaximumTransferLength`, further limited by
/// `MaximumPhysicalPages` (a buffer that does not start on a page boundary touches one page
/// more than its length suggests, hence `pages - 1`). Zero or one page means "no page limit
/// reported"; a zero length falls back to [`DEFAULT_MAX_TRANSFER`].
pub fn adapter_max_transfer(max_transfer_length: u32, max_physical_pages: u32) -> usize {
    let by_length = if max_transfer_length == 0 {
        DEFAULT_MAX_TRANSFER
    } else {
        max_transfer_length as usize
    };
    if max_physical_pages > 1 {
        let by_pages = (max_physical_pages as usize - 1).saturating_mul(PAGE_SIZE);
        by_length.min(by_pages)
    } else {
        by_length
    }
}

/// Normalises an adapter's `AlignmentMask` to `2^n - 1` (rounding a malformed mask up) and
/// caps it at 64 KiB.
pub fn alignment_mask(mask: u32) -> usize {
    let m = mask.min(MAX_ALIGNMENT_MASK);
    if m == 0 {
        0
    } else {
        ((m as usize) + 1).next_power_of_two() - 1
    }
}

/// True when `addr` satisfies the (normalised) alignment `mask`.
pub fn is_aligned(addr: usize, mask: usize) -> bool {
    addr & mask == 0
}

/// A heap buffer whose usable part starts at an address aligned to an adapter's
/// `AlignmentMask`; used when the caller's buffer is misaligned.
#[derive(Debug)]
pub struct BounceBuffer {
    storage: Vec<u8>,
    start: usize,
    len: usize,
}

impl BounceBuffer {
    /// A zeroed buffer of `len` usable bytes aligned to `mask` (see [`alignment_mask`]).
    pub fn new(len: usize, mask: usize) -> Self {
        let storage = vec![0u8; len + mask];
        let addr = storage.as_ptr() as usize;
        let start = ((addr + mask) & !mask) - addr;
        BounceBuffer {
            storage,
            start,
            len,
        }
    }

    /// The aligned usable bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.storage[self.start..self.start + self.len]
    }

    /// The aligned usable bytes, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.storage[self.start..self.start + self.len]
    }
}

/// A device's `SCSI_ADDRESS` (IOCTL_SCSI_GET_ADDRESS): adapter port, bus on that adapter,
/// target and LUN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScsiAddress {
    /// `PortNumber`: the adapter (`\\.\ScsiN:`).
    pub port: u8,
    /// `PathId`: bus on that adapter.
    pub path: u8,
    /// `TargetId`.
    pub target: u8,
    /// `Lun`.
    pub lun: u8,
}

impl ScsiAddress {
    /// The address cdrecord invents for a drive whose port driver does not answer
    /// IOCTL_SCSI_GET_ADDRESS (USB and FireWire bridges, `ERROR_NOT_SUPPORTED`): port
    /// 64 + drive index (A: = 0), bus 0, target 0, LUN 0. Drives without a letter
    /// (`\\.\CdRomN`) continue after Z: at 64 + 26 + N.
    pub fn fallback(drive_index: u8) -> Self {
        ScsiAddress {
            port: 64u8.saturating_add(drive_index),
            path: 0,
            target: 0,
            lun: 0,
        }
    }
}

/// What the scan learnt about one opened device name: its class device number
/// (`IOCTL_STORAGE_GET_DEVICE_NUMBER`) and its SCSI address (`IOCTL_SCSI_GET_ADDRESS`),
/// each when the driver answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceKey {
    /// (DeviceType, DeviceNumber).
    pub number: Option<(u32, u32)>,
    /// The driver's own SCSI address.
    pub address: Option<ScsiAddress>,
}

impl DeviceKey {
    /// Whether two names (`\\.\E:` and `\\.\CdRom0`) reach the same device.
    ///
    /// On Windows both keys agree for one device, and a drive behind a USB bridge has a
    /// device number but no address. Where both names have an address, the addresses
    /// decide, as no two devices share one; this works around Wine, which answers
    /// STORAGE_GET_DEVICE_NUMBER with one fixed stub for every drive (`CDROM_GetDeviceNumber`
    /// in its ntdll `cdrom.c`), so numbers alone would merge all drives into one under Wine.
    /// Without addresses the numbers decide; with neither the names are taken as distinct.
    pub fn same_device(&self, other: &DeviceKey) -> bool {
        match (self.address, other.address) {
            (Some(a), Some(b)) => a == b,
            _ => match (self.number, other.number) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
        }
    }
}

/// cdrecord's bus numbering on Windows (libscg `scsi-wnt.c`, `InitSCSIPT`): every
/// `(PortNumber, PathId)` pair known — each bus of each `\\.\ScsiN:` adapter, plus the pair of
/// each drive found — sorted ascending; a device's bus number is the index of its pair.
/// Target and LUN are `TargetId` and `Lun` unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusMap {
    pairs: Vec<(u8, u8)>,
}

impl BusMap {
    /// Builds the map from all known `(port, path)` pairs (duplicates are fine).
    pub fn new(pairs: impl IntoIterator<Item = (u8, u8)>) -> Self {
        let mut pairs: Vec<(u8, u8)> = pairs.into_iter().collect();
        pairs.sort_unstable();
        pairs.dedup();
        BusMap { pairs }
    }

    /// The bus number of `(port, path)`, when the pair is known.
    pub fn bus(&self, port: u8, path: u8) -> Option<u32> {
        self.pairs
            .binary_search(&(port, path))
            .ok()
            .map(|i| i as u32)
    }

    /// The `b,t,l` triple of `addr`, when its pair is known.
    pub fn btl(&self, addr: ScsiAddress) -> Option<(u32, u32, u32)> {
        self.bus(addr.port, addr.path)
            .map(|b| (b, u32::from(addr.target), u32::from(addr.lun)))
    }
}

/// Spells a user's device argument as a Win32 device path: `E`, `E:`, `E:\` and `\\.\E:`
/// become `\\.\E:`; `CdRom0` becomes `\\.\CdRom0`; anything already starting with `\\.\` or
/// `\\?\` is kept.
pub fn device_path(arg: &str) -> String {
    if arg.starts_with(r"\\.\") || arg.starts_with(r"\\?\") {
        return arg.to_string();
    }
    let trimmed = arg.trim_end_matches(['\\', '/']);
    let letter = match trimmed.as_bytes() {
        [c] | [c, b':'] if c.is_ascii_alphabetic() => Some(c.to_ascii_uppercase() as char),
        _ => None,
    };
    match letter {
        Some(c) => format!(r"\\.\{c}:"),
        None => format!(r"\\.\{trimmed}"),
    }
}

/// Identity fields of a standard INQUIRY answer (SPC-4 §6.6.2 table 139) as the scan shows
/// them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InquiryIdentity {
    /// PERIPHERAL DEVICE TYPE (byte 0 bits 4..0): 05h is a CD/DVD device.
    pub device_type: u8,
    /// RMB (byte 1 bit 7): removable medium.
    pub removable: bool,
    /// T10 VENDOR IDENTIFICATION (bytes 8..16), trimmed.
    pub vendor: String,
    /// PRODUCT IDENTIFICATION (bytes 16..32), trimmed.
    pub product: String,
    /// PRODUCT REVISION LEVEL (bytes 32..36), trimmed.
    pub revision: String,
}

impl InquiryIdentity {
    /// Decodes the identity from the `valid` bytes a device returned; `None` when even the
    /// first two bytes are missing. Short answers give empty strings, never a panic.
    pub fn parse(data: &[u8]) -> Option<Self> {
        let (&b0, &b1) = (data.first()?, data.get(1)?);
        let text = |from: usize, to: usize| -> String {
            let bytes = data.get(from..to.min(data.len())).unwrap_or(&[]);
            let s: String = bytes
                .iter()
                .map(|&b| {
                    if (0x20..0x7F).contains(&b) {
                        b as char
                    } else {
                        ' '
                    }
                })
                .collect();
            s.trim().to_string()
        };
        Some(InquiryIdentity {
            device_type: b0 & 0x1F,
            removable: b1 & 0x80 != 0,
            vendor: text(8, 16),
            product: text(16, 32),
            revision: text(32, 36),
        })
    }
}

/// `ERROR_FILE_NOT_FOUND`.
pub const ERROR_FILE_NOT_FOUND: u32 = 2;
/// `ERROR_PATH_NOT_FOUND`.
pub const ERROR_PATH_NOT_FOUND: u32 = 3;
/// `ERROR_ACCESS_DENIED`.
pub const ERROR_ACCESS_DENIED: u32 = 5;
/// `ERROR_SHARING_VIOLATION`.
pub const ERROR_SHARING_VIOLATION: u32 = 32;
/// `ERROR_NOT_SUPPORTED`.
pub const ERROR_NOT_SUPPORTED: u32 = 50;
/// `ERROR_INVALID_FUNCTION`: the driver does not implement the IOCTL.
pub const ERROR_INVALID_FUNCTION: u32 = 1;
/// `ERROR_SEM_TIMEOUT`: what SPTI returns when `TimeOutValue` expired.
pub const ERROR_SEM_TIMEOUT: u32 = 121;
/// `ERROR_TIMEOUT`.
pub const ERROR_TIMEOUT: u32 = 1460;

/// The group named in [`TransportError::PermissionDenied`] on Windows: raw SCSI through SPTI
/// needs an elevated process ("run as Administrator").
pub const ADMIN_GROUP: &str = "Administrators";

/// Maps the Win32 error of `CreateFileW` on `path` to a [`TransportError`].
pub fn open_error(path: &Path, code: u32) -> TransportError {
    let path = PathBuf::from(path);
    match code {
        ERROR_FILE_NOT_FOUND | ERROR_PATH_NOT_FOUND => TransportError::NotFound { path },
        ERROR_ACCESS_DENIED => TransportError::PermissionDenied {
            path,
            group: Some(ADMIN_GROUP.to_string()),
        },
        ERROR_SHARING_VIOLATION => TransportError::Busy { path },
        _ => TransportError::Open {
            path,
            source: os_error(code),
        },
    }
}

/// Maps the Win32 error of the pass-through `DeviceIoControl` to a [`TransportError`].
pub fn exec_error(path: &Path, code: u32, opcode: u8, timeout: Duration) -> TransportError {
    match code {
        ERROR_SEM_TIMEOUT | ERROR_TIMEOUT => TransportError::Timeout {
            opcode,
            after: timeout,
        },
        ERROR_ACCESS_DENIED => TransportError::PermissionDenied {
            path: PathBuf::from(path),
            group: Some(ADMIN_GROUP.to_string()),
        },
        ERROR_INVALID_FUNCTION | ERROR_NOT_SUPPORTED => TransportError::NotScsi {
            path: PathBuf::from(path),
            reason: "the driver does not support IOCTL_SCSI_PASS_THROUGH_DIRECT".to_string(),
        },
        _ => TransportError::Io {
            op: "DeviceIoControl",
            opcode,
            source: os_error(code),
        },
    }
}

/// An `io::Error` carrying a Win32 error code (on Windows `from_raw_os_error` takes Win32
/// codes; elsewhere the text is only meaningful in tests).
fn os_error(code: u32) -> io::Error {
    io::Error::from_raw_os_error(code as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn sptd_layout_matches_ntddscsi_on_64_bit() {
        // SCSI_PASS_THROUGH_DIRECT on x86_64/aarch64: 3 padding bytes after DataIn, 4 after
        // TimeOutValue (pointer alignment), 4 at the end.
        assert_eq!(size_of::<ScsiPassThroughDirect>(), 56);
        assert_eq!(offset_of!(ScsiPassThroughDirect, scsi_status), 2);
        assert_eq!(offset_of!(ScsiPassThroughDirect, path_id), 3);
        assert_eq!(offset_of!(ScsiPassThroughDirect, cdb_length), 6);
        assert_eq!(offset_of!(ScsiPassThroughDirect, sense_info_length), 7);
        assert_eq!(offset_of!(ScsiPassThroughDirect, data_in), 8);
        assert_eq!(offset_of!(ScsiPassThroughDirect, data_transfer_length), 12);
        assert_eq!(offset_of!(ScsiPassThroughDirect, timeout_value), 16);
        assert_eq!(offset_of!(ScsiPassThroughDirect, data_buffer), 24);
        assert_eq!(offset_of!(ScsiPassThroughDirect, sense_info_offset), 32);
        assert_eq!(offset_of!(ScsiPassThroughDirect, cdb), 36);
        // With buffer: filler at 56, sense at 60, whole struct padded to 8.
        assert_eq!(offset_of!(SptdWithSense, filler), 56);
        assert_eq!(offset_of!(SptdWithSense, sense), 60);
        assert_eq!(size_of::<SptdWithSense>(), 128);
        assert_eq!(std::mem::align_of::<SptdWithSense>(), 8);
    }

    #[test]
    fn new_request_fills_header() {
        let mut buf = [0u8; 36];
        let cdb = [0x12, 0, 0, 0, 36, 0];
        let r = SptdWithSense::new(
            &cdb,
            SCSI_IOCTL_DATA_IN,
            buf.as_mut_ptr().cast(),
            36,
            Duration::from_millis(1500),
        );
        assert_eq!(r.sptd.length as usize, size_of::<ScsiPassThroughDirect>());
        assert_eq!(r.sptd.cdb_length, 6);
        assert_eq!(&r.sptd.cdb[..6], &cdb);
        assert_eq!(r.sptd.cdb[6..], [0u8; 10]);
        assert_eq!(r.sptd.data_in, 1);
        assert_eq!(r.sptd.data_transfer_length, 36);
        assert_eq!(r.sptd.timeout_value, 2);
        assert_eq!(r.sptd.sense_info_length as usize, SENSE_LEN);
        assert_eq!(
            r.sptd.sense_info_offset as usize,
            offset_of!(SptdWithSense, sense)
        );
    }

    #[test]
    fn directions_are_the_ntddscsi_values() {
        assert_eq!(SCSI_IOCTL_DATA_OUT, 0);
        assert_eq!(SCSI_IOCTL_DATA_IN, 1);
        assert_eq!(SCSI_IOCTL_DATA_UNSPECIFIED, 2);
    }

    #[test]
    fn timeouts_round_up_to_whole_seconds() {
        assert_eq!(timeout_secs(Duration::ZERO), 1);
        assert_eq!(timeout_secs(Duration::from_millis(1)), 1);
        assert_eq!(timeout_secs(Duration::from_secs(1)), 1);
        assert_eq!(timeout_secs(Duration::from_millis(1001)), 2);
        assert_eq!(timeout_secs(Duration::from_secs(30)), 30);
        assert_eq!(timeout_secs(Duration::from_secs(u64::MAX)), u32::MAX);
    }

    #[test]
    fn completion_good_with_residual() {
        let mut r = SptdWithSense::new(
            &[0x28; 10],
            SCSI_IOCTL_DATA_IN,
            std::ptr::null_mut(),
            4096,
            Duration::from_secs(1),
        );
        r.sptd.data_transfer_length = 2048;
        r.sptd.sense_info_length = 0;
        let c = r.completion(4096, Duration::from_millis(3));
        assert!(c.is_good());
        assert_eq!(c.residual, 2048);
        assert!(c.sense.is_empty());
    }

    #[test]
    fn completion_check_condition_carries_returned_sense_only() {
        let mut r = SptdWithSense::new(
            &[0; 6],
            SCSI_IOCTL_DATA_UNSPECIFIED,
            std::ptr::null_mut(),
            0,
            Duration::from_secs(1),
        );
        r.sptd.scsi_status = 0x02;
        r.sptd.sense_info_length = 18;
        // NOT READY, MEDIUM NOT PRESENT (02/3A/00) in fixed format.
        let sense = [
            0x70, 0, 0x02, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3A, 0, 0, 0, 0, 0,
        ];
        r.sense[..18].copy_from_slice(&sense);
        r.sense[18] = 0xEE; // beyond SenseInfoLength: not part of the completion
        let c = r.completion(0, Duration::ZERO);
        assert_eq!(c.status, ScsiStatus::CheckCondition);
        assert_eq!(c.sense, sense);
        assert_eq!(c.residual, 0);
        // A length beyond the buffer (a broken driver) is clamped, not a panic.
        r.sptd.sense_info_length = 255;
        assert_eq!(r.completion(0, Duration::ZERO).sense.len(), SENSE_LEN);
        // A transfer length beyond the request is clamped too.
        r.sptd.data_transfer_length = 99;
        assert_eq!(r.completion(10, Duration::ZERO).residual, 0);
    }

    #[test]
    fn max_transfer_from_adapter_descriptor() {
        // AHCI/ATAPI typical: 128 KiB, 33 pages -> 32 usable pages = 128 KiB.
        assert_eq!(adapter_max_transfer(0x20000, 33), 0x20000);
        // Page-limited: 1 MiB length but 17 pages -> 64 KiB.
        assert_eq!(adapter_max_transfer(0x100000, 17), 16 * 4096);
        // USB storage: 64 KiB and no page limit reported.
        assert_eq!(adapter_max_transfer(0x10000, 0), 0x10000);
        assert_eq!(adapter_max_transfer(0x10000, 1), 0x10000);
        // Nothing reported.
        assert_eq!(adapter_max_transfer(0, 0), DEFAULT_MAX_TRANSFER);
        assert_eq!(adapter_max_transfer(u32::MAX, u32::MAX), u32::MAX as usize);
    }

    #[test]
    fn alignment_masks_and_bounce_buffers() {
        assert_eq!(alignment_mask(0), 0);
        assert_eq!(alignment_mask(1), 1);
        assert_eq!(alignment_mask(3), 3);
        assert_eq!(alignment_mask(511), 511);
        assert_eq!(alignment_mask(5), 7); // malformed: rounded up
        assert_eq!(alignment_mask(u32::MAX), 0xFFFF);
        assert!(is_aligned(0x1000, 511));
        assert!(!is_aligned(0x1001, 1));
        assert!(is_aligned(0x1001, 0));
        for mask in [0usize, 1, 3, 7, 511, 4095] {
            for len in [0usize, 1, 2048, 65536] {
                let mut b = BounceBuffer::new(len, mask);
                assert_eq!(b.as_slice().len(), len);
                assert!(
                    is_aligned(b.as_mut_slice().as_ptr() as usize, mask),
                    "{mask} {len}"
                );
            }
        }
    }

    #[test]
    fn bus_numbers_follow_cdrecord() {
        // Adapter 0 with one bus, adapter 1 with two buses; a USB drive on the fallback port.
        let usb = ScsiAddress::fallback(4); // E:
        let m = BusMap::new([(0, 0), (1, 0), (1, 1), (1, 1), (usb.port, usb.path)]);
        assert_eq!(m.bus(0, 0), Some(0));
        assert_eq!(m.bus(1, 0), Some(1));
        assert_eq!(m.bus(1, 1), Some(2));
        assert_eq!(m.bus(68, 0), Some(3));
        assert_eq!(m.bus(2, 0), None);
        let d = ScsiAddress {
            port: 1,
            path: 1,
            target: 0,
            lun: 0,
        };
        assert_eq!(m.btl(d), Some((2, 0, 0)));
        assert_eq!(
            m.btl(ScsiAddress {
                port: 1,
                path: 0,
                target: 5,
                lun: 1
            }),
            Some((1, 5, 1))
        );
        assert_eq!(
            usb,
            ScsiAddress {
                port: 68,
                path: 0,
                target: 0,
                lun: 0
            }
        );
        assert_eq!(ScsiAddress::fallback(250).port, 255);
    }

    #[test]
    fn one_device_under_two_names_is_listed_once() {
        let addr = |target| ScsiAddress {
            port: 1,
            path: 0,
            target,
            lun: 0,
        };
        let key = |number, address| DeviceKey { number, address };
        // Windows: E: and CdRom0 of one drive agree on both.
        assert!(key(Some((2, 0)), Some(addr(0))).same_device(&key(Some((2, 0)), Some(addr(0)))));
        // Two drives on one adapter.
        assert!(!key(Some((2, 0)), Some(addr(0))).same_device(&key(Some((2, 1)), Some(addr(1)))));
        // Wine: the same stub number for every drive, distinct addresses.
        assert!(!key(Some((7, 1)), Some(addr(0))).same_device(&key(Some((7, 1)), Some(addr(1)))));
        // USB bridges: numbers only.
        assert!(key(Some((2, 3)), None).same_device(&key(Some((2, 3)), None)));
        assert!(!key(Some((2, 3)), None).same_device(&key(Some((2, 4)), None)));
        // Nothing known: distinct.
        assert!(!key(None, None).same_device(&key(None, None)));
    }

    #[test]
    fn device_paths() {
        assert_eq!(device_path("e"), r"\\.\E:");
        assert_eq!(device_path("E:"), r"\\.\E:");
        assert_eq!(device_path(r"E:\"), r"\\.\E:");
        assert_eq!(device_path(r"\\.\E:"), r"\\.\E:");
        assert_eq!(device_path("CdRom0"), r"\\.\CdRom0");
        assert_eq!(device_path(r"\\.\CdRom1"), r"\\.\CdRom1");
        assert_eq!(device_path(r"\\?\scsi#cdrom"), r"\\?\scsi#cdrom");
    }

    #[test]
    fn inquiry_identity_from_qemu_cdrom() {
        // Standard INQUIRY of QEMU's scsi-cd: PDT 5, RMB, "QEMU    ", "QEMU CD-ROM     ", "2.5+".
        let mut d = vec![0x05, 0x80, 0x05, 0x32, 0x1F, 0, 0, 0x10];
        d.extend_from_slice(b"QEMU    QEMU CD-ROM     2.5+");
        let id = InquiryIdentity::parse(&d).unwrap();
        assert_eq!(id.device_type, 5);
        assert!(id.removable);
        assert_eq!(id.vendor, "QEMU");
        assert_eq!(id.product, "QEMU CD-ROM");
        assert_eq!(id.revision, "2.5+");
        // Truncated answers never panic.
        let short = InquiryIdentity::parse(&d[..20]).unwrap();
        assert_eq!(short.vendor, "QEMU");
        assert_eq!(short.product, "QEMU");
        assert_eq!(short.revision, "");
        assert_eq!(InquiryIdentity::parse(&d[..1]), None);
    }

    #[test]
    fn win32_open_errors() {
        let p = Path::new(r"\\.\E:");
        assert!(matches!(open_error(p, 2), TransportError::NotFound { .. }));
        assert!(matches!(open_error(p, 3), TransportError::NotFound { .. }));
        assert!(matches!(open_error(p, 32), TransportError::Busy { .. }));
        match open_error(p, 5) {
            TransportError::PermissionDenied { group: Some(g), .. } => {
                assert_eq!(g, "Administrators")
            }
            e => panic!("{e:?}"),
        }
        match open_error(p, 21) {
            TransportError::Open { source, .. } => assert_eq!(source.raw_os_error(), Some(21)),
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn win32_exec_errors() {
        let p = Path::new(r"\\.\E:");
        let t = Duration::from_secs(7);
        match exec_error(p, 121, 0x28, t) {
            TransportError::Timeout { opcode, after } => {
                assert_eq!(opcode, 0x28);
                assert_eq!(after, t);
            }
            e => panic!("{e:?}"),
        }
        assert!(matches!(
            exec_error(p, 1460, 0, t),
            TransportError::Timeout { .. }
        ));
        assert!(matches!(
            exec_error(p, 5, 0, t),
            TransportError::PermissionDenied { .. }
        ));
        assert!(matches!(
            exec_error(p, 1, 0, t),
            TransportError::NotScsi { .. }
        ));
        match exec_error(p, 1117, 0x2A, t) {
            TransportError::Io { op, opcode, source } => {
                assert_eq!(op, "DeviceIoControl");
                assert_eq!(opcode, 0x2A);
                assert_eq!(source.raw_os_error(), Some(1117));
            }
            e => panic!("{e:?}"),
        }
    }
}
