//! Windows backend: the SCSI Pass Through Interface (SPTI, ntddscsi.h
//! `IOCTL_SCSI_PASS_THROUGH_DIRECT`, `IOCTL_SCSI_GET_ADDRESS`; ntddstor.h
//! `IOCTL_STORAGE_QUERY_PROPERTY` / `StorageAdapterProperty`) executing SAM-5 §5.1 commands.
//!
//! A device is a CD-ROM class device (`\\.\E:`, `\\.\CdRom0`) or a disk (`\\.\PhysicalDrive0`)
//! opened with `GENERIC_READ | GENERIC_WRITE`, shared for reading and writing unless exclusive
//! access was asked for. SPTI needs an elevated process ("run as Administrator").
//!
//! Bus numbers follow cdrecord's libscg (`scsi-wnt.c`): all `(PortNumber, PathId)` pairs
//! (each bus of each `\\.\ScsiN:` adapter plus each drive's own pair) sorted, the bus being
//! the index of the drive's pair; target and LUN are `TargetId` and `Lun`. See
//! [`super::windows_layout::BusMap`].

use std::ffi::{c_void, OsStr};
use std::io;
use std::mem::size_of;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle, RawHandle};
use std::path::{Path, PathBuf};
use std::ptr;
use std::time::{Duration, Instant};

use windows_sys::Win32::Foundation::{
    BOOLEAN, GENERIC_READ, GENERIC_WRITE, HANDLE, INVALID_HANDLE_VALUE,
};
use windows_sys::Win32::Storage::FileSystem::{
    CreateFileW, GetDriveTypeW, GetLogicalDrives, FILE_SHARE_READ, FILE_SHARE_WRITE, OPEN_EXISTING,
};
use windows_sys::Win32::Storage::IscsiDisc::{
    IOCTL_SCSI_GET_ADDRESS, IOCTL_SCSI_GET_INQUIRY_DATA, IOCTL_SCSI_PASS_THROUGH_DIRECT,
    SCSI_ADDRESS, SCSI_PASS_THROUGH_DIRECT,
};
use windows_sys::Win32::System::Ioctl::{
    PropertyStandardQuery, StorageAdapterProperty, IOCTL_STORAGE_GET_DEVICE_NUMBER,
    IOCTL_STORAGE_QUERY_PROPERTY, STORAGE_ADAPTER_DESCRIPTOR, STORAGE_DEVICE_NUMBER,
    STORAGE_PROPERTY_QUERY,
};
use windows_sys::Win32::System::WindowsProgramming::DRIVE_CDROM;
use windows_sys::Win32::System::IO::DeviceIoControl;

use super::windows_layout::{
    self as layout, adapter_max_transfer, alignment_mask, device_path, is_aligned, BounceBuffer,
    BusMap, DeviceKey, InquiryIdentity, ScsiAddress, ScsiPassThroughDirect, SptdWithSense,
    DEFAULT_MAX_TRANSFER, SCSI_IOCTL_DATA_IN, SCSI_IOCTL_DATA_OUT, SCSI_IOCTL_DATA_UNSPECIFIED,
};
use crate::{Cdb, Completion, DataPhase, OpenOptions, Request, Transport, TransportError};

// The mirror in `windows_layout` (unit-tested on every OS) must be the SDK structure.
const _: () = {
    use std::mem::offset_of;
    type S = SCSI_PASS_THROUGH_DIRECT;
    type M = ScsiPassThroughDirect;
    assert!(size_of::<S>() == size_of::<M>());
    assert!(std::mem::align_of::<S>() == std::mem::align_of::<M>());
    assert!(offset_of!(S, Length) == offset_of!(M, length));
    assert!(offset_of!(S, ScsiStatus) == offset_of!(M, scsi_status));
    assert!(offset_of!(S, PathId) == offset_of!(M, path_id));
    assert!(offset_of!(S, TargetId) == offset_of!(M, target_id));
    assert!(offset_of!(S, Lun) == offset_of!(M, lun));
    assert!(offset_of!(S, CdbLength) == offset_of!(M, cdb_length));
    assert!(offset_of!(S, SenseInfoLength) == offset_of!(M, sense_info_length));
    assert!(offset_of!(S, DataIn) == offset_of!(M, data_in));
    assert!(offset_of!(S, DataTransferLength) == offset_of!(M, data_transfer_length));
    assert!(offset_of!(S, TimeOutValue) == offset_of!(M, timeout_value));
    assert!(offset_of!(S, DataBuffer) == offset_of!(M, data_buffer));
    assert!(offset_of!(S, SenseInfoOffset) == offset_of!(M, sense_info_offset));
    assert!(offset_of!(S, Cdb) == offset_of!(M, cdb));
    use windows_sys::Win32::Storage::IscsiDisc as sdk;
    assert!(sdk::SCSI_IOCTL_DATA_IN == SCSI_IOCTL_DATA_IN as u32);
    assert!(sdk::SCSI_IOCTL_DATA_OUT == SCSI_IOCTL_DATA_OUT as u32);
    assert!(sdk::SCSI_IOCTL_DATA_UNSPECIFIED == SCSI_IOCTL_DATA_UNSPECIFIED as u32);
    use windows_sys::Win32::Foundation as f;
    assert!(f::ERROR_FILE_NOT_FOUND == layout::ERROR_FILE_NOT_FOUND);
    assert!(f::ERROR_PATH_NOT_FOUND == layout::ERROR_PATH_NOT_FOUND);
    assert!(f::ERROR_ACCESS_DENIED == layout::ERROR_ACCESS_DENIED);
    assert!(f::ERROR_SHARING_VIOLATION == layout::ERROR_SHARING_VIOLATION);
    assert!(f::ERROR_NOT_SUPPORTED == layout::ERROR_NOT_SUPPORTED);
    assert!(f::ERROR_INVALID_FUNCTION == layout::ERROR_INVALID_FUNCTION);
    assert!(f::ERROR_SEM_TIMEOUT == layout::ERROR_SEM_TIMEOUT);
    assert!(f::ERROR_TIMEOUT == layout::ERROR_TIMEOUT);
};

/// The transport must be movable to another thread (`Box<dyn Transport + Send>`).
const _: fn() = || {
    fn send<T: Send>() {}
    send::<SptiDevice>();
};

/// Timeout of the INQUIRY the scan sends to each device.
const SCAN_TIMEOUT: Duration = Duration::from_secs(5);
/// `\\.\CdRomN` and `\\.\PhysicalDriveN` numbers the scan tries.
const SCAN_MAX_INDEX: u32 = 32;
/// Output buffer for IOCTL_SCSI_GET_INQUIRY_DATA (sg3_utils' `sg_scan` uses the same size).
const ADAPTER_INQUIRY_BUF: usize = 32 * 1024;

/// An open SPTI device: a handle to a CD-ROM or disk class device that executes commands
/// through `IOCTL_SCSI_PASS_THROUGH_DIRECT`.
#[derive(Debug)]
pub struct SptiDevice {
    handle: OwnedHandle,
    path: PathBuf,
    name: String,
    max_transfer: usize,
    align_mask: usize,
    address: Option<ScsiAddress>,
}

/// One device found by [`SptiDevice::scan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WinScanEntry {
    /// Bus number as cdrecord numbers it (see the module documentation).
    pub bus: u32,
    /// `TargetId`.
    pub target: u32,
    /// `Lun`.
    pub lun: u32,
    /// Device name to open: the drive letter (`E:`) where the drive has one, else
    /// `\\.\CdRom0`, `\\.\PhysicalDrive0`.
    pub path: String,
    /// Raw `SCSI_ADDRESS`, or cdrecord's invented one when the driver has none (USB).
    pub address: ScsiAddress,
    /// INQUIRY identity.
    pub identity: InquiryIdentity,
    /// Bytes of standard INQUIRY data the device returned (fewer than 36: cdrecord's
    /// "NON CCS").
    pub inquiry_len: usize,
}

/// A device the scan reached, before bus numbering.
struct Found {
    path: String,
    address: ScsiAddress,
    key: DeviceKey,
    identity: InquiryIdentity,
    inquiry_len: usize,
}

impl SptiDevice {
    /// Opens `path` (`E:`, `\\.\E:`, `CdRom0`, `\\.\PhysicalDrive1`).
    ///
    /// Read-write is asked for unless `opts.read_only`; when read-write is refused the device
    /// is opened read-only (enough for nothing but errors on Windows, where SPTI wants write
    /// access, but the error then comes from the command with its opcode).
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<Self, TransportError> {
        let spelled = device_path(&path.to_string_lossy());
        let dev_path = PathBuf::from(&spelled);
        let handle = match open_handle(&spelled, !opts.read_only, opts.exclusive) {
            Ok(h) => h,
            Err(code) if code == layout::ERROR_ACCESS_DENIED && !opts.read_only => {
                open_handle(&spelled, false, opts.exclusive)
                    .map_err(|_| layout::open_error(&dev_path, code))?
            }
            Err(code) => return Err(layout::open_error(&dev_path, code)),
        };
        let (max_transfer, align_mask) = match query_adapter(&handle) {
            Some(d) => (
                adapter_max_transfer(d.MaximumTransferLength, d.MaximumPhysicalPages),
                alignment_mask(d.AlignmentMask),
            ),
            None => (DEFAULT_MAX_TRANSFER, 0),
        };
        let address = get_address(&handle).ok();
        Ok(SptiDevice {
            handle,
            name: spelled,
            path: dev_path,
            max_transfer: max_transfer.min(u32::MAX as usize),
            align_mask,
            address,
        })
    }

    /// Lists the CD/DVD drives (drive letters of type `DRIVE_CDROM`, then `\\.\CdRomN` not
    /// reached through a letter) and disks (`\\.\PhysicalDriveN`) that answer INQUIRY, with
    /// cdrecord's b,t,l numbers, sorted by b,t,l.
    ///
    /// Devices that cannot be opened are skipped; when none could be opened and at least one
    /// refused access, the error is [`TransportError::PermissionDenied`].
    pub fn scan() -> Result<Vec<WinScanEntry>, TransportError> {
        let mut found: Vec<Found> = Vec::new();
        let mut denied: Option<TransportError> = None;
        let opts = OpenOptions {
            read_only: false,
            exclusive: false,
        };

        // Drives with a letter are listed by it (`E:`, as users write `dev=E:`), the others
        // by their class device name.
        let mut candidates: Vec<(String, u8)> = Vec::new();
        let letters = cdrom_letters();
        log::debug!("scan: CD-ROM drive letters {letters:?}");
        for letter in letters {
            candidates.push((format!("{letter}:"), letter as u8 - b'A'));
        }
        for n in 0..SCAN_MAX_INDEX {
            candidates.push((format!(r"\\.\CdRom{n}"), 26 + n as u8));
        }
        for n in 0..SCAN_MAX_INDEX {
            let index = 26 + SCAN_MAX_INDEX as u8 + n as u8;
            candidates.push((format!(r"\\.\PhysicalDrive{n}"), index));
        }

        for (path, fallback_index) in candidates {
            let mut dev = match Self::open(Path::new(&path), &opts) {
                Ok(d) => d,
                Err(e @ TransportError::PermissionDenied { .. }) => {
                    log::debug!("scan: {path}: {e}");
                    denied.get_or_insert(e);
                    continue;
                }
                Err(e) => {
                    log::trace!("scan: {path}: {e}");
                    continue;
                }
            };
            let address = dev
                .address
                .unwrap_or_else(|| ScsiAddress::fallback(fallback_index));
            // The same device through another name (E: and CdRom0).
            let key = DeviceKey {
                number: device_number(&dev.handle),
                address: dev.address,
            };
            log::debug!("scan: {path} opened: {key:?}");
            if found.iter().any(|f| f.key.same_device(&key)) {
                continue;
            }
            let mut inq = [0u8; 36];
            let cdb = Cdb::six([0x12, 0, 0, 0, inq.len() as u8, 0]);
            let done = match dev.execute(Request::read(cdb, &mut inq).with_timeout(SCAN_TIMEOUT)) {
                Ok(c) if c.is_good() => c,
                r => {
                    log::debug!("scan: {path}: INQUIRY failed: {r:?}");
                    continue;
                }
            };
            let valid = done.transferred(inq.len());
            if let Some(identity) = InquiryIdentity::parse(&inq[..valid]) {
                found.push(Found {
                    path,
                    address,
                    key,
                    identity,
                    inquiry_len: valid,
                });
            }
        }
        if found.is_empty() {
            if let Some(e) = denied {
                return Err(e);
            }
        }

        let map = BusMap::new(
            adapter_buses()
                .into_iter()
                .chain(found.iter().map(|f| (f.address.port, f.address.path))),
        );
        let mut entries: Vec<WinScanEntry> = found
            .into_iter()
            .filter_map(|f| {
                let Some((bus, target, lun)) = map.btl(f.address) else {
                    log::debug!("scan: {}: no bus number for {:?}", f.path, f.address);
                    return None;
                };
                Some(WinScanEntry {
                    bus,
                    target,
                    lun,
                    path: f.path,
                    address: f.address,
                    identity: f.identity,
                    inquiry_len: f.inquiry_len,
                })
            })
            .collect();
        entries.sort_by_key(|e| (e.bus, e.target, e.lun));
        Ok(entries)
    }

    fn raw(&self) -> HANDLE {
        self.handle.as_raw_handle() as HANDLE
    }
}

impl Transport for SptiDevice {
    fn execute(&mut self, req: Request<'_>) -> Result<Completion, TransportError> {
        let Request { cdb, data, timeout } = req;
        let opcode = cdb.opcode();
        let len = data.len();
        if len > self.max_transfer {
            return Err(TransportError::TooLarge {
                opcode,
                len,
                max: self.max_transfer,
            });
        }
        let len32 = u32::try_from(len).map_err(|_| TransportError::TooLarge {
            opcode,
            len,
            max: self.max_transfer,
        })?;
        let mask = self.align_mask;

        // Pick the buffer the adapter sees: the caller's, or an aligned bounce buffer.
        let mut bounce: Option<BounceBuffer> = None;
        let mut input: Option<&mut [u8]> = None;
        let (dir, buf): (u8, *mut c_void) = match data {
            DataPhase::In(b) if !b.is_empty() => {
                if is_aligned(b.as_ptr() as usize, mask) {
                    (SCSI_IOCTL_DATA_IN, b.as_mut_ptr().cast())
                } else {
                    let p = bounce
                        .insert(BounceBuffer::new(len, mask))
                        .as_mut_slice()
                        .as_mut_ptr();
                    input = Some(b);
                    (SCSI_IOCTL_DATA_IN, p.cast())
                }
            }
            DataPhase::Out(b) if !b.is_empty() => {
                if is_aligned(b.as_ptr() as usize, mask) {
                    // The driver only reads a DATA_OUT buffer; the header field is not const.
                    (SCSI_IOCTL_DATA_OUT, b.as_ptr().cast_mut().cast())
                } else {
                    let bb = bounce.insert(BounceBuffer::new(len, mask));
                    bb.as_mut_slice().copy_from_slice(b);
                    (SCSI_IOCTL_DATA_OUT, bb.as_mut_slice().as_mut_ptr().cast())
                }
            }
            _ => (SCSI_IOCTL_DATA_UNSPECIFIED, ptr::null_mut()),
        };

        let mut swb = SptdWithSense::new(
            cdb.as_bytes(),
            dir,
            buf,
            if buf.is_null() { 0 } else { len32 },
            timeout,
        );
        let requested = if buf.is_null() { 0 } else { len };
        let size = size_of::<SptdWithSense>() as u32;
        let header: *mut SptdWithSense = &mut swb;
        let mut returned = 0u32;
        let start = Instant::now();
        // SAFETY: `header` points to a live SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER of `size`
        // bytes used as both input and output, as the IOCTL specifies; its DataBuffer points to
        // `requested` bytes (the caller's slice or `bounce`) that outlive this synchronous call
        // (no OVERLAPPED) and are not otherwise accessed during it.
        let ok = unsafe {
            DeviceIoControl(
                self.raw(),
                IOCTL_SCSI_PASS_THROUGH_DIRECT,
                header.cast_const().cast(),
                size,
                header.cast(),
                size,
                &mut returned,
                ptr::null_mut(),
            )
        };
        let duration = start.elapsed();
        if ok == 0 {
            return Err(layout::exec_error(
                &self.path,
                last_error(),
                opcode,
                timeout,
            ));
        }
        let done = swb.completion(requested, duration);
        if let (Some(dst), Some(bb)) = (input, bounce.as_ref()) {
            let n = done.transferred(requested);
            dst[..n].copy_from_slice(&bb.as_slice()[..n]);
        }
        Ok(done)
    }

    fn max_transfer(&self) -> usize {
        self.max_transfer
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// The calling thread's last Win32 error code.
fn last_error() -> u32 {
    io::Error::last_os_error().raw_os_error().unwrap_or(0) as u32
}

/// NUL-terminated UTF-16 for a Win32 `W` function.
fn wide(s: &str) -> Vec<u16> {
    OsStr::new(s)
        .encode_wide()
        .chain(std::iter::once(0))
        .collect()
}

/// `CreateFileW` on a device path; the Win32 error code on failure.
fn open_handle(path: &str, write: bool, exclusive: bool) -> Result<OwnedHandle, u32> {
    let name = wide(path);
    let access = if write {
        GENERIC_READ | GENERIC_WRITE
    } else {
        GENERIC_READ
    };
    let share = if exclusive {
        0
    } else {
        FILE_SHARE_READ | FILE_SHARE_WRITE
    };
    // SAFETY: `name` is a NUL-terminated UTF-16 string alive for the call; the security
    // attributes and template handle are documented as optional (null).
    let h = unsafe {
        CreateFileW(
            name.as_ptr(),
            access,
            share,
            ptr::null(),
            OPEN_EXISTING,
            0,
            ptr::null_mut(),
        )
    };
    if h == INVALID_HANDLE_VALUE || h.is_null() {
        return Err(last_error());
    }
    // SAFETY: `h` is a valid handle just returned by CreateFileW that nothing else owns.
    Ok(unsafe { OwnedHandle::from_raw_handle(h as RawHandle) })
}

/// `IOCTL_STORAGE_QUERY_PROPERTY` for the adapter descriptor (transfer limits, alignment).
fn query_adapter(handle: &OwnedHandle) -> Option<STORAGE_ADAPTER_DESCRIPTOR> {
    let query = STORAGE_PROPERTY_QUERY {
        PropertyId: StorageAdapterProperty,
        QueryType: PropertyStandardQuery,
        AdditionalParameters: [0],
    };
    let f: BOOLEAN = 0;
    let mut desc = STORAGE_ADAPTER_DESCRIPTOR {
        Version: 0,
        Size: 0,
        MaximumTransferLength: 0,
        MaximumPhysicalPages: 0,
        AlignmentMask: 0,
        AdapterUsesPio: f,
        AdapterScansDown: f,
        CommandQueueing: f,
        AcceleratedTransfer: f,
        BusType: 0,
        BusMajorVersion: 0,
        BusMinorVersion: 0,
        SrbType: 0,
        AddressType: 0,
    };
    let mut returned = 0u32;
    // SAFETY: input and output point to distinct live structures of the sizes given; the call
    // is synchronous.
    let ok = unsafe {
        DeviceIoControl(
            handle.as_raw_handle() as HANDLE,
            IOCTL_STORAGE_QUERY_PROPERTY,
            ptr::from_ref(&query).cast(),
            size_of::<STORAGE_PROPERTY_QUERY>() as u32,
            ptr::from_mut(&mut desc).cast(),
            size_of::<STORAGE_ADAPTER_DESCRIPTOR>() as u32,
            &mut returned,
            ptr::null_mut(),
        )
    };
    // Everything up to AlignmentMask must have been written.
    let needed = std::mem::offset_of!(STORAGE_ADAPTER_DESCRIPTOR, AdapterUsesPio) as u32;
    (ok != 0 && returned >= needed).then_some(desc)
}

/// `IOCTL_SCSI_GET_ADDRESS`; the Win32 error code on failure (`ERROR_NOT_SUPPORTED` for USB
/// and FireWire bridges).
fn get_address(handle: &OwnedHandle) -> Result<ScsiAddress, u32> {
    let mut a = SCSI_ADDRESS {
        Length: size_of::<SCSI_ADDRESS>() as u32,
        PortNumber: 0,
        PathId: 0,
        TargetId: 0,
        Lun: 0,
    };
    let mut returned = 0u32;
    // SAFETY: output points to a live SCSI_ADDRESS of the size given; no input; synchronous.
    let ok = unsafe {
        DeviceIoControl(
            handle.as_raw_handle() as HANDLE,
            IOCTL_SCSI_GET_ADDRESS,
            ptr::null(),
            0,
            ptr::from_mut(&mut a).cast(),
            size_of::<SCSI_ADDRESS>() as u32,
            &mut returned,
            ptr::null_mut(),
        )
    };
    if ok == 0 {
        return Err(last_error());
    }
    Ok(ScsiAddress {
        port: a.PortNumber,
        path: a.PathId,
        target: a.TargetId,
        lun: a.Lun,
    })
}

/// `IOCTL_STORAGE_GET_DEVICE_NUMBER`: the class device's (type, number), the same for
/// `\\.\E:` and the `\\.\CdRomN` behind it.
fn device_number(handle: &OwnedHandle) -> Option<(u32, u32)> {
    let mut n = STORAGE_DEVICE_NUMBER {
        DeviceType: 0,
        DeviceNumber: 0,
        PartitionNumber: 0,
    };
    let mut returned = 0u32;
    // SAFETY: output points to a live STORAGE_DEVICE_NUMBER of the size given; no input;
    // synchronous.
    let ok = unsafe {
        DeviceIoControl(
            handle.as_raw_handle() as HANDLE,
            IOCTL_STORAGE_GET_DEVICE_NUMBER,
            ptr::null(),
            0,
            ptr::from_mut(&mut n).cast(),
            size_of::<STORAGE_DEVICE_NUMBER>() as u32,
            &mut returned,
            ptr::null_mut(),
        )
    };
    (ok != 0).then_some((n.DeviceType, n.DeviceNumber))
}

/// Drive letters whose type is `DRIVE_CDROM`, A to Z.
fn cdrom_letters() -> Vec<char> {
    // SAFETY: GetLogicalDrives takes no arguments and returns a bit mask.
    let mask = unsafe { GetLogicalDrives() };
    (0u8..26)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| (b'A' + i) as char)
        .filter(|&c| {
            let root = wide(&format!(r"{c}:\"));
            // SAFETY: `root` is a NUL-terminated UTF-16 string alive for the call.
            let t = unsafe { GetDriveTypeW(root.as_ptr()) };
            t == DRIVE_CDROM
        })
        .collect()
}

/// `(PortNumber, PathId)` of every bus of every `\\.\ScsiN:` adapter, asked as cdrecord does
/// (IOCTL_SCSI_GET_INQUIRY_DATA's `NumberOfBuses`), stopping at the first adapter that cannot
/// be opened. Without Administrator rights this is usually empty, and bus numbers then come
/// from the drives' own pairs alone, as in cdrecord.
fn adapter_buses() -> Vec<(u8, u8)> {
    let mut pairs = Vec::new();
    for port in 0u8..=255 {
        let Ok(h) = open_handle(&format!(r"\\.\Scsi{port}:"), true, false) else {
            break;
        };
        let mut buf = vec![0u8; ADAPTER_INQUIRY_BUF];
        let mut returned = 0u32;
        // SAFETY: output points to `buf`, alive and of the size given; no input; synchronous.
        let ok = unsafe {
            DeviceIoControl(
                h.as_raw_handle() as HANDLE,
                IOCTL_SCSI_GET_INQUIRY_DATA,
                ptr::null(),
                0,
                buf.as_mut_ptr().cast(),
                buf.len() as u32,
                &mut returned,
                ptr::null_mut(),
            )
        };
        // SCSI_ADAPTER_BUS_INFO starts with UCHAR NumberOfBuses.
        if ok != 0 && returned >= 1 {
            pairs.extend((0..buf[0]).map(|bus| (port, bus)));
        }
    }
    pairs
}
