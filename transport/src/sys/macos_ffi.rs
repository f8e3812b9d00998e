//! IOKit's user-space SCSI interfaces as `#[repr(C)]` layouts — `IOCFPlugInInterface`
//! (IOCFPlugIn.h), `MMCDeviceInterface`, `SCSITaskDeviceInterface` and `SCSITaskInterface`
//! (SCSITaskLib.h), the SCSITask.h constants — and the pure parts of the macOS backend: UUIDs,
//! timeout and direction conversion, task outcome to [`Completion`], `IOReturn` codes to
//! [`TransportError`], device argument parsing, b,t,l numbering.
//!
//! `io-kit-sys` has none of these COM-style vtables, so they are declared here from the header
//! layouts. The module holds no `unsafe` and compiles on every OS, so `cargo test` on Linux
//! checks the field offsets (LP64, as on x86_64 and arm64 macOS) against offsets counted by hand
//! from the headers.

use std::ffi::c_void;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{Completion, ScsiStatus, TransportError};

/// `IOReturn` / `kern_return_t`.
pub type IOReturn = i32;
/// COM `HRESULT` (`SInt32`).
pub type HResult = i32;
/// CoreFoundation `Boolean`.
pub type Boolean = u8;

/// `CFUUIDBytes`: a UUID passed by value to `QueryInterface` (`REFIID`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UuidBytes {
    /// The 16 bytes in the order `CFUUIDGetConstantUUIDWithBytes` takes them.
    pub bytes: [u8; 16],
}

/// `kIOCFPlugInInterfaceID` C244E858-109C-11D4-91D4-0050E4C6426F (IOCFPlugIn.h).
pub const IOCF_PLUGIN_INTERFACE_ID: UuidBytes = UuidBytes {
    bytes: [
        0xC2, 0x44, 0xE8, 0x58, 0x10, 0x9C, 0x11, 0xD4, 0x91, 0xD4, 0x00, 0x50, 0xE4, 0xC6, 0x42,
        0x6F,
    ],
};
/// `kIOMMCDeviceUserClientTypeID` 97ABCF2C-23CC-11D5-A0E8-003065704866 (SCSITaskLib.h).
pub const MMC_DEVICE_USER_CLIENT_TYPE_ID: UuidBytes = UuidBytes {
    bytes: [
        0x97, 0xAB, 0xCF, 0x2C, 0x23, 0xCC, 0x11, 0xD5, 0xA0, 0xE8, 0x00, 0x30, 0x65, 0x70, 0x48,
        0x66,
    ],
};
/// `kIOSCSITaskDeviceUserClientTypeID` 7D66678E-08A2-11D5-A1B8-0030657D052A.
pub const SCSI_TASK_DEVICE_USER_CLIENT_TYPE_ID: UuidBytes = UuidBytes {
    bytes: [
        0x7D, 0x66, 0x67, 0x8E, 0x08, 0xA2, 0x11, 0xD5, 0xA1, 0xB8, 0x00, 0x30, 0x65, 0x7D, 0x05,
        0x2A,
    ],
};
/// `kIOMMCDeviceInterfaceID` 1F651106-23CC-11D5-BBDB-003065704866.
pub const MMC_DEVICE_INTERFACE_ID: UuidBytes = UuidBytes {
    bytes: [
        0x1F, 0x65, 0x11, 0x06, 0x23, 0xCC, 0x11, 0xD5, 0xBB, 0xDB, 0x00, 0x30, 0x65, 0x70, 0x48,
        0x66,
    ],
};
/// `kIOSCSITaskDeviceInterfaceID` 1BBC4132-08A5-11D5-90ED-0030657D052A.
pub const SCSI_TASK_DEVICE_INTERFACE_ID: UuidBytes = UuidBytes {
    bytes: [
        0x1B, 0xBC, 0x41, 0x32, 0x08, 0xA5, 0x11, 0xD5, 0x90, 0xED, 0x00, 0x30, 0x65, 0x7D, 0x05,
        0x2A,
    ],
};

/// `QueryInterface(this, iid, ppv)`.
pub type QueryInterfaceFn =
    unsafe extern "C" fn(this: *mut c_void, iid: UuidBytes, ppv: *mut *mut c_void) -> HResult;
/// `AddRef(this)` / `Release(this)`: the new reference count.
pub type RefCountFn = unsafe extern "C" fn(this: *mut c_void) -> u32;

/// `IUNKNOWN_C_GUTS` (CFPlugInCOM.h): the first four slots of every interface.
#[repr(C)]
#[derive(Debug)]
pub struct IUnknownGuts {
    /// `_reserved`.
    pub reserved: *mut c_void,
    /// `QueryInterface`.
    pub query_interface: Option<QueryInterfaceFn>,
    /// `AddRef`.
    pub add_ref: Option<RefCountFn>,
    /// `Release`.
    pub release: Option<RefCountFn>,
}

/// `IOCFPlugInInterface` (IOCFPlugIn.h): `IUNKNOWN_C_GUTS` + `IOCFPLUGINBASE`.
#[repr(C)]
#[derive(Debug)]
pub struct IoCfPlugInInterface {
    /// IUnknown slots.
    pub guts: IUnknownGuts,
    /// `version` (UInt16).
    pub version: u16,
    /// `revision` (UInt16).
    pub revision: u16,
    /// `Probe` (unused here).
    pub probe: *const c_void,
    /// `Start` (unused here).
    pub start: *const c_void,
    /// `Stop` (unused here).
    pub stop: *const c_void,
}

/// `MMCDeviceInterface` (SCSITaskLib.h), the prefix up to `GetSCSITaskDeviceInterface` (the
/// Mac OS X 10.1 layout; later versions append slots). Only ever read through a pointer
/// IOKit returned, never allocated here, so declaring the prefix is enough.
#[repr(C)]
#[derive(Debug)]
pub struct MmcDeviceInterface {
    /// IUnknown slots.
    pub guts: IUnknownGuts,
    /// `version`.
    pub version: u16,
    /// `revision`.
    pub revision: u16,
    /// `Inquiry` .. `ReadDVDStructure`: twelve command helpers not used here, in header
    /// order: Inquiry, TestUnitReady, GetPerformance, GetConfiguration, ModeSense10,
    /// SetWriteParametersModePage, GetTrayState, SetTrayState, ReadTableOfContents,
    /// ReadDiscInformation, ReadTrackInformation, ReadDVDStructure.
    pub command_helpers: [*const c_void; 12],
    /// `GetSCSITaskDeviceInterface(self)`: a new reference the caller releases.
    pub get_scsi_task_device_interface:
        Option<unsafe extern "C" fn(this: *mut c_void) -> *mut *mut ScsiTaskDeviceInterface>,
}

/// `SCSITaskDeviceInterface` (SCSITaskLib.h).
#[repr(C)]
#[derive(Debug)]
pub struct ScsiTaskDeviceInterface {
    /// IUnknown slots.
    pub guts: IUnknownGuts,
    /// `version`.
    pub version: u16,
    /// `revision`.
    pub revision: u16,
    /// `IsExclusiveAccessAvailable(self)`.
    pub is_exclusive_access_available: Option<unsafe extern "C" fn(this: *mut c_void) -> Boolean>,
    /// `AddCallbackDispatcherToRunLoop` (unused here).
    pub add_callback_dispatcher_to_run_loop: *const c_void,
    /// `RemoveCallbackDispatcherFromRunLoop` (unused here).
    pub remove_callback_dispatcher_from_run_loop: *const c_void,
    /// `ObtainExclusiveAccess(self)`: `kIOReturnBusy` while media is mounted.
    pub obtain_exclusive_access: Option<unsafe extern "C" fn(this: *mut c_void) -> IOReturn>,
    /// `ReleaseExclusiveAccess(self)`.
    pub release_exclusive_access: Option<unsafe extern "C" fn(this: *mut c_void) -> IOReturn>,
    /// `CreateSCSITask(self)`: a new task the caller releases, or null.
    pub create_scsi_task:
        Option<unsafe extern "C" fn(this: *mut c_void) -> *mut *mut ScsiTaskInterface>,
}

/// `SCSITaskSGElement` on LP64: `IOAddressRange { mach_vm_address_t; mach_vm_size_t }`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScsiTaskSgElement {
    /// Buffer address in the task's address space.
    pub address: u64,
    /// Buffer length in bytes.
    pub length: u64,
}

/// A `SCSITaskInterface` method taking the task only and returning `IOReturn`.
pub type TaskFn = unsafe extern "C" fn(task: *mut c_void) -> IOReturn;

/// `SCSITaskInterface` (SCSITaskLib.h, through the 10.6 `ResetForNewTask`).
#[repr(C)]
#[derive(Debug)]
pub struct ScsiTaskInterface {
    /// IUnknown slots.
    pub guts: IUnknownGuts,
    /// `version`.
    pub version: u16,
    /// `revision`.
    pub revision: u16,
    /// `IsTaskActive` (unused here).
    pub is_task_active: *const c_void,
    /// `SetTaskAttribute` (unused here).
    pub set_task_attribute: *const c_void,
    /// `GetTaskAttribute` (unused here).
    pub get_task_attribute: *const c_void,
    /// `SetCommandDescriptorBlock(task, cdb, size)`.
    pub set_command_descriptor_block:
        Option<unsafe extern "C" fn(task: *mut c_void, cdb: *mut u8, size: u8) -> IOReturn>,
    /// `GetCommandDescriptorBlockSize` (unused here).
    pub get_command_descriptor_block_size: *const c_void,
    /// `GetCommandDescriptorBlock` (unused here).
    pub get_command_descriptor_block: *const c_void,
    /// `SetScatterGatherEntries(task, list, entries, transfer_count, direction)`.
    pub set_scatter_gather_entries: Option<
        unsafe extern "C" fn(
            task: *mut c_void,
            list: *mut ScsiTaskSgElement,
            entries: u8,
            transfer_count: u64,
            direction: u8,
        ) -> IOReturn,
    >,
    /// `SetTimeoutDuration(task, milliseconds)`; 0 means "forever".
    pub set_timeout_duration: Option<unsafe extern "C" fn(task: *mut c_void, ms: u32) -> IOReturn>,
    /// `GetTimeoutDuration` (unused here).
    pub get_timeout_duration: *const c_void,
    /// `SetTaskCompletionCallback` (unused here).
    pub set_task_completion_callback: *const c_void,
    /// `ExecuteTaskAsync` (unused here).
    pub execute_task_async: *const c_void,
    /// `ExecuteTaskSync(task, sense, status, realized_transfer_count)`.
    pub execute_task_sync: Option<
        unsafe extern "C" fn(
            task: *mut c_void,
            sense: *mut u8,
            status: *mut u32,
            realized: *mut u64,
        ) -> IOReturn,
    >,
    /// `AbortTask` (unused here).
    pub abort_task: *const c_void,
    /// `GetSCSIServiceResponse(task, out)`.
    pub get_scsi_service_response:
        Option<unsafe extern "C" fn(task: *mut c_void, out: *mut u32) -> IOReturn>,
    /// `GetTaskState` (unused here).
    pub get_task_state: *const c_void,
    /// `GetTaskStatus(task, out)`.
    pub get_task_status: Option<unsafe extern "C" fn(task: *mut c_void, out: *mut u32) -> IOReturn>,
    /// `GetRealizedDataTransferCount(task)`.
    pub get_realized_data_transfer_count: Option<unsafe extern "C" fn(task: *mut c_void) -> u64>,
    /// `GetAutoSenseData(task, buffer)` (18-byte `SCSI_Sense_Data`).
    pub get_auto_sense_data:
        Option<unsafe extern "C" fn(task: *mut c_void, buf: *mut u8) -> IOReturn>,
    /// `SetAutoSenseDataBuffer(task, buffer, length)` (10.2 and later).
    pub set_auto_sense_data_buffer:
        Option<unsafe extern "C" fn(task: *mut c_void, buf: *mut u8, len: u8) -> IOReturn>,
    /// `ResetForNewTask(task)` (10.6 and later).
    pub reset_for_new_task: Option<TaskFn>,
}

/// `kSCSIDataTransfer_NoDataTransfer` (SCSITask.h).
pub const DATA_TRANSFER_NONE: u8 = 0;
/// `kSCSIDataTransfer_FromInitiatorToTarget`: host to device.
pub const DATA_TRANSFER_TO_TARGET: u8 = 1;
/// `kSCSIDataTransfer_FromTargetToInitiator`: device to host.
pub const DATA_TRANSFER_FROM_TARGET: u8 = 2;

/// `kSCSIServiceResponse_SERVICE_DELIVERY_OR_TARGET_FAILURE`.
pub const SERVICE_DELIVERY_OR_TARGET_FAILURE: u32 = 1;
/// `kSCSIServiceResponse_TASK_COMPLETE`.
pub const SERVICE_TASK_COMPLETE: u32 = 2;
/// `kSCSIServiceResponse_LINK_COMMAND_COMPLETE`.
pub const SERVICE_LINK_COMMAND_COMPLETE: u32 = 3;

/// `kSCSITaskStatus_TaskTimeoutOccurred` (with a delivery failure response).
pub const TASK_STATUS_TASK_TIMEOUT: u32 = 0x01;
/// `kSCSITaskStatus_ProtocolTimeoutOccurred`.
pub const TASK_STATUS_PROTOCOL_TIMEOUT: u32 = 0x02;
/// `kSCSITaskStatus_DeviceNotResponding`.
pub const TASK_STATUS_DEVICE_NOT_RESPONDING: u32 = 0x03;
/// `kSCSITaskStatus_DeviceNotPresent`.
pub const TASK_STATUS_DEVICE_NOT_PRESENT: u32 = 0x04;
/// `kSCSITaskStatus_DeliveryFailure`.
pub const TASK_STATUS_DELIVERY_FAILURE: u32 = 0x05;

/// Sense buffer handed to `SetAutoSenseDataBuffer` (the default `SCSI_Sense_Data` is 18 bytes;
/// a larger buffer keeps descriptor sense whole).
pub const SENSE_LEN: usize = 64;

/// Maximum transfer when the registry names none (64 KiB; cdrecord's IOKit code uses 32 KiB
/// and notes that 64 KiB works).
pub const DEFAULT_MAX_TRANSFER: usize = 64 * 1024;

/// Registry property names (IOStorageProtocolCharacteristics.h, SCSITaskLib.h,
/// SCSICmds_INQUIRY_Definitions.h / IOSCSIPeripheralDeviceNub).
pub mod keys {
    /// `kIOPropertySCSITaskDeviceCategory`.
    pub const DEVICE_CATEGORY: &str = "SCSITaskDeviceCategory";
    /// `kIOPropertySCSITaskAuthoringDevice`: an MMC authoring device (CD/DVD/BD drive).
    pub const AUTHORING_DEVICE: &str = "SCSITaskAuthoringDevice";
    /// `kIOPropertySCSITaskUserClientDevice`: a peripheral with no in-kernel driver.
    pub const USER_CLIENT_DEVICE: &str = "SCSITaskUserClientDevice";
    /// `kIOPropertyMatchKey`.
    pub const PROPERTY_MATCH: &str = "IOPropertyMatch";
    /// `kIOMaximumByteCountReadKey`.
    pub const MAX_BYTE_COUNT_READ: &str = "IOMaximumByteCountRead";
    /// `kIOMaximumByteCountWriteKey`.
    pub const MAX_BYTE_COUNT_WRITE: &str = "IOMaximumByteCountWrite";
    /// `kIOPropertySCSIVendorIdentification`.
    pub const VENDOR: &str = "Vendor Identification";
    /// `kIOPropertySCSIProductIdentification`.
    pub const PRODUCT: &str = "Product Identification";
    /// `kIOPropertySCSIProductRevisionLevel`.
    pub const REVISION: &str = "Product Revision Level";
    /// `kIOPropertySCSIPeripheralDeviceType`.
    pub const DEVICE_TYPE: &str = "Peripheral Device Type";
    /// `kIOBSDNameKey`.
    pub const BSD_NAME: &str = "BSD Name";
}

/// `IOReturn` values used here (IOReturn.h: `iokit_common_err(x)` = `0xE0000000 | x`).
pub mod ioreturn {
    /// `kIOReturnSuccess`.
    pub const SUCCESS: i32 = 0;
    /// `kIOReturnNoMemory`.
    pub const NO_MEMORY: i32 = common(0x2BD);
    /// `kIOReturnNoDevice`.
    pub const NO_DEVICE: i32 = common(0x2C0);
    /// `kIOReturnNotPrivileged`.
    pub const NOT_PRIVILEGED: i32 = common(0x2C1);
    /// `kIOReturnExclusiveAccess`: another client holds exclusive access.
    pub const EXCLUSIVE_ACCESS: i32 = common(0x2C5);
    /// `kIOReturnUnsupported`.
    pub const UNSUPPORTED: i32 = common(0x2C7);
    /// `kIOReturnBusy`: from `ObtainExclusiveAccess`, media is still mounted.
    pub const BUSY: i32 = common(0x2D5);
    /// `kIOReturnTimeout`.
    pub const TIMEOUT: i32 = common(0x2D6);
    /// `kIOReturnNotPermitted`.
    pub const NOT_PERMITTED: i32 = common(0x2E2);
    /// `kIOReturnNotFound`.
    pub const NOT_FOUND: i32 = common(0x2F0);

    const fn common(code: u32) -> i32 {
        (0xE000_0000u32 | code) as i32
    }

    /// The constant's name, for messages.
    pub fn name(kr: i32) -> &'static str {
        match kr {
            SUCCESS => "kIOReturnSuccess",
            NO_MEMORY => "kIOReturnNoMemory",
            NO_DEVICE => "kIOReturnNoDevice",
            NOT_PRIVILEGED => "kIOReturnNotPrivileged",
            EXCLUSIVE_ACCESS => "kIOReturnExclusiveAccess",
            UNSUPPORTED => "kIOReturnUnsupported",
            BUSY => "kIOReturnBusy",
            TIMEOUT => "kIOReturnTimeout",
            NOT_PERMITTED => "kIOReturnNotPermitted",
            NOT_FOUND => "kIOReturnNotFound",
            _ => "IOReturn",
        }
    }
}

/// Milliseconds for `SetTimeoutDuration`: rounded up, at least 1 (0 would mean "forever"),
/// saturating at `u32::MAX`.
pub fn timeout_ms(t: Duration) -> u32 {
    let ms = t.as_millis() + u128::from(!t.subsec_nanos().is_multiple_of(1_000_000));
    u32::try_from(ms.max(1)).unwrap_or(u32::MAX)
}

/// Bytes of sense data in a buffer the task filled: 8 + ADDITIONAL SENSE LENGTH (byte 7 in
/// both fixed and descriptor format, SPC-4 §4.5.2/§4.5.3), clamped to the buffer; 0 when the
/// response code is not 70h-73h.
pub fn sense_len(buf: &[u8]) -> usize {
    match (buf.first(), buf.get(7)) {
        (Some(&rc), Some(&add)) if (0x70..=0x73).contains(&(rc & 0x7F)) => {
            (8 + usize::from(add)).min(buf.len())
        }
        (Some(&rc), None) if (0x70..=0x73).contains(&(rc & 0x7F)) => buf.len(),
        _ => 0,
    }
}

/// What `ExecuteTaskSync` and the task's getters reported for one command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskResult {
    /// `GetSCSIServiceResponse`.
    pub service_response: u32,
    /// `SCSITaskStatus` (SCSI status, or a delivery failure reason).
    pub task_status: u32,
    /// `GetRealizedDataTransferCount`.
    pub realized: u64,
    /// How long the command took.
    pub duration: Duration,
}

impl TaskResult {
    /// What the result means: a completion, or a transport error.
    ///
    /// `sense` is the auto-sense buffer, `requested` the data phase length; `opcode` and
    /// `timeout` name the command in errors.
    pub fn outcome(
        &self,
        sense: &[u8],
        requested: usize,
        opcode: u8,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        task_outcome(*self, sense, requested, opcode, timeout)
    }
}

fn task_outcome(
    r: TaskResult,
    sense: &[u8],
    requested: usize,
    opcode: u8,
    timeout: Duration,
) -> Result<Completion, TransportError> {
    let TaskResult {
        service_response,
        task_status,
        realized,
        duration,
    } = r;
    match service_response {
        SERVICE_TASK_COMPLETE | SERVICE_LINK_COMMAND_COMPLETE => {
            let status = u8::try_from(task_status)
                .map(ScsiStatus::from_byte)
                .unwrap_or(ScsiStatus::Unknown(0xFF));
            let sense = if status == ScsiStatus::CheckCondition {
                sense[..sense_len(sense)].to_vec()
            } else {
                Vec::new()
            };
            let transferred = usize::try_from(realized)
                .unwrap_or(usize::MAX)
                .min(requested);
            Ok(Completion {
                status,
                sense,
                residual: requested - transferred,
                duration,
            })
        }
        SERVICE_DELIVERY_OR_TARGET_FAILURE => match task_status {
            TASK_STATUS_TASK_TIMEOUT | TASK_STATUS_PROTOCOL_TIMEOUT => {
                Err(TransportError::Timeout {
                    opcode,
                    after: timeout,
                })
            }
            s => {
                let text = match s {
                    TASK_STATUS_DEVICE_NOT_RESPONDING => "device not responding",
                    TASK_STATUS_DEVICE_NOT_PRESENT => "device not present",
                    TASK_STATUS_DELIVERY_FAILURE => "delivery failure (bus reset or link error)",
                    _ => "service delivery or target failure",
                };
                Err(TransportError::Host {
                    opcode,
                    text: text.to_string(),
                })
            }
        },
        other => Err(TransportError::Host {
            opcode,
            text: format!("unexpected SCSI service response {other}"),
        }),
    }
}

/// Maps a failed open step (`stage` names the call) returning `kr` to a [`TransportError`].
pub fn open_error(path: &Path, stage: &str, kr: IOReturn) -> TransportError {
    let path = PathBuf::from(path);
    match kr {
        ioreturn::BUSY => TransportError::Open {
            path,
            source: io::Error::new(
                io::ErrorKind::ResourceBusy,
                "exclusive access refused (kIOReturnBusy): the disc is mounted; \
                 unmount it first with `diskutil unmountDisk <disk>` (raw SCSI on macOS needs \
                 exclusive access)",
            ),
        },
        ioreturn::EXCLUSIVE_ACCESS => TransportError::Busy { path },
        ioreturn::NOT_PRIVILEGED | ioreturn::NOT_PERMITTED => {
            TransportError::PermissionDenied { path, group: None }
        }
        ioreturn::NO_DEVICE | ioreturn::NOT_FOUND => TransportError::NotFound { path },
        _ => TransportError::Open {
            path,
            source: io_error(stage, kr),
        },
    }
}

/// Maps a failed command step (`stage`) returning `kr` to a [`TransportError`].
pub fn exec_error(
    stage: &'static str,
    kr: IOReturn,
    opcode: u8,
    timeout: Duration,
) -> TransportError {
    match kr {
        ioreturn::TIMEOUT => TransportError::Timeout {
            opcode,
            after: timeout,
        },
        _ => TransportError::Io {
            op: stage,
            opcode,
            source: io_error(stage, kr),
        },
    }
}

/// An `io::Error` naming the call and the `IOReturn`.
fn io_error(stage: &str, kr: IOReturn) -> io::Error {
    io::Error::other(format!(
        "{stage}: {} (0x{:08X})",
        ioreturn::name(kr),
        kr as u32
    ))
}

/// How a device argument names a device on macOS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MacDevice {
    /// A registry path, `IOService:/...`.
    RegistryPath(String),
    /// A BSD disk name (`disk2`, from `disk2`, `/dev/disk2`, `/dev/rdisk2`); the device is
    /// found by walking up from the media object.
    BsdName(String),
    /// cdrecord's form: an IOKit class name and a 1-based index (`IODVDServices/2`).
    ClassIndex {
        /// Class name (`IOCompactDiscServices`, `IODVDServices`, `IOBDServices`, ...).
        class: String,
        /// 1-based index among the matching services.
        index: u32,
    },
}

impl MacDevice {
    /// Parses a device argument.
    pub fn parse(arg: &str) -> Self {
        if arg.starts_with("IOService:") || arg.starts_with("IODeviceTree:") {
            return MacDevice::RegistryPath(arg.to_string());
        }
        let base = arg.strip_prefix("/dev/").unwrap_or(arg);
        let bsd = base
            .strip_prefix('r')
            .filter(|b| b.starts_with("disk"))
            .unwrap_or(base);
        if arg.starts_with("/dev/") || is_disk_name(bsd) {
            return MacDevice::BsdName(bsd.to_string());
        }
        match arg.split_once('/') {
            Some((class, n)) => MacDevice::ClassIndex {
                class: class.to_string(),
                index: n.parse::<u32>().unwrap_or(1).max(1),
            },
            None => MacDevice::ClassIndex {
                class: arg.to_string(),
                index: 1,
            },
        }
    }
}

/// `diskN` or `diskNsM`.
fn is_disk_name(s: &str) -> bool {
    s.strip_prefix("disk")
        .is_some_and(|rest| rest.chars().next().is_some_and(|c| c.is_ascii_digit()))
}

/// Largest transfer from the registry's `IOMaximumByteCountRead`/`Write` (the smaller of
/// those present and non-zero), else [`DEFAULT_MAX_TRANSFER`].
pub fn max_transfer(read: Option<u64>, write: Option<u64>) -> usize {
    [read, write]
        .into_iter()
        .flatten()
        .filter(|&n| n > 0)
        .min()
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
        .unwrap_or(DEFAULT_MAX_TRANSFER)
}

/// The b,t,l the scan gives the `index`th device found (0-based): IOKit has no SCSI bus
/// numbers that mean anything across transports (ATAPI, USB, FireWire, Thunderbolt), so, as
/// cdrecord's IOKit code (which only knows bus 0), every device is on bus 0, target = the
/// position in the scan's enumeration order (authoring devices first, then other SCSITask
/// user-client devices), LUN 0. The numbers are stable while the set of attached devices is.
pub fn btl_for_index(index: usize) -> (u32, u32, u32) {
    (0, u32::try_from(index).unwrap_or(u32::MAX), 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    // Offsets counted from the headers for LP64: IUNKNOWN_C_GUTS is four pointers (0..32),
    // then UInt16 version at 32, UInt16 revision at 34, first method at 40, 8 bytes a slot.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn iunknown_and_plugin_layout() {
        assert_eq!(size_of::<IUnknownGuts>(), 32);
        assert_eq!(offset_of!(IUnknownGuts, query_interface), 8);
        assert_eq!(offset_of!(IUnknownGuts, add_ref), 16);
        assert_eq!(offset_of!(IUnknownGuts, release), 24);
        assert_eq!(offset_of!(IoCfPlugInInterface, version), 32);
        assert_eq!(offset_of!(IoCfPlugInInterface, revision), 34);
        assert_eq!(offset_of!(IoCfPlugInInterface, probe), 40);
        assert_eq!(offset_of!(IoCfPlugInInterface, stop), 56);
        assert_eq!(size_of::<IoCfPlugInInterface>(), 64);
        assert_eq!(size_of::<UuidBytes>(), 16);
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn mmc_device_interface_layout() {
        assert_eq!(offset_of!(MmcDeviceInterface, version), 32);
        assert_eq!(offset_of!(MmcDeviceInterface, command_helpers), 40);
        // Inquiry is slot 0 (40), ReadDVDStructure slot 11 (128), then the one we call.
        assert_eq!(
            offset_of!(MmcDeviceInterface, get_scsi_task_device_interface),
            136
        );
        assert_eq!(size_of::<MmcDeviceInterface>(), 144);
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn scsi_task_device_interface_layout() {
        assert_eq!(
            offset_of!(ScsiTaskDeviceInterface, is_exclusive_access_available),
            40
        );
        assert_eq!(
            offset_of!(ScsiTaskDeviceInterface, add_callback_dispatcher_to_run_loop),
            48
        );
        assert_eq!(
            offset_of!(ScsiTaskDeviceInterface, obtain_exclusive_access),
            64
        );
        assert_eq!(
            offset_of!(ScsiTaskDeviceInterface, release_exclusive_access),
            72
        );
        assert_eq!(offset_of!(ScsiTaskDeviceInterface, create_scsi_task), 80);
        assert_eq!(size_of::<ScsiTaskDeviceInterface>(), 88);
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn scsi_task_interface_layout() {
        type T = ScsiTaskInterface;
        assert_eq!(offset_of!(T, is_task_active), 40);
        assert_eq!(offset_of!(T, set_command_descriptor_block), 64);
        assert_eq!(offset_of!(T, set_scatter_gather_entries), 88);
        assert_eq!(offset_of!(T, set_timeout_duration), 96);
        assert_eq!(offset_of!(T, execute_task_sync), 128);
        assert_eq!(offset_of!(T, get_scsi_service_response), 144);
        assert_eq!(offset_of!(T, get_task_status), 160);
        assert_eq!(offset_of!(T, get_realized_data_transfer_count), 168);
        assert_eq!(offset_of!(T, get_auto_sense_data), 176);
        assert_eq!(offset_of!(T, set_auto_sense_data_buffer), 184);
        assert_eq!(offset_of!(T, reset_for_new_task), 192);
        assert_eq!(size_of::<T>(), 200);
        assert_eq!(size_of::<ScsiTaskSgElement>(), 16);
        assert_eq!(offset_of!(ScsiTaskSgElement, length), 8);
    }

    #[test]
    fn constants_from_the_headers() {
        assert_eq!(ioreturn::BUSY as u32, 0xE000_02D5);
        assert_eq!(ioreturn::EXCLUSIVE_ACCESS as u32, 0xE000_02C5);
        assert_eq!(ioreturn::TIMEOUT as u32, 0xE000_02D6);
        assert_eq!(ioreturn::name(ioreturn::BUSY), "kIOReturnBusy");
        assert_eq!(
            (
                DATA_TRANSFER_NONE,
                DATA_TRANSFER_TO_TARGET,
                DATA_TRANSFER_FROM_TARGET
            ),
            (0, 1, 2)
        );
        // 1F651106-23CC-11D5-BBDB-003065704866
        assert_eq!(MMC_DEVICE_INTERFACE_ID.bytes[..4], [0x1F, 0x65, 0x11, 0x06]);
        assert_eq!(MMC_DEVICE_INTERFACE_ID.bytes[15], 0x66);
    }

    #[test]
    fn timeouts_in_milliseconds() {
        assert_eq!(timeout_ms(Duration::ZERO), 1);
        assert_eq!(timeout_ms(Duration::from_micros(1)), 1);
        assert_eq!(timeout_ms(Duration::from_micros(1500)), 2);
        assert_eq!(timeout_ms(Duration::from_secs(30)), 30_000);
        assert_eq!(timeout_ms(Duration::from_secs(u64::MAX)), u32::MAX);
    }

    #[test]
    fn sense_length_from_additional_length() {
        // Fixed format, MEDIUM ERROR / WRITE ERROR (03/0C/00), additional length 10.
        let mut s = [0u8; SENSE_LEN];
        s[..18].copy_from_slice(&[
            0x70, 0, 0x03, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x0C, 0, 0, 0, 0, 0,
        ]);
        assert_eq!(sense_len(&s), 18);
        // Descriptor format 72h with additional length 0: just the header.
        assert_eq!(sense_len(&[0x72, 0x02, 0x3A, 0, 0, 0, 0, 0]), 8);
        // Claimed length beyond the buffer is clamped.
        assert_eq!(sense_len(&[0x70, 0, 0, 0, 0, 0, 0, 0xFF, 0, 0]), 10);
        // Not sense data at all.
        assert_eq!(sense_len(&[0; 18]), 0);
        assert_eq!(sense_len(&[]), 0);
        assert_eq!(sense_len(&[0xF0, 0, 5]), 3);
    }

    fn res(service_response: u32, task_status: u32, realized: u64) -> TaskResult {
        TaskResult {
            service_response,
            task_status,
            realized,
            duration: Duration::from_millis(2),
        }
    }

    #[test]
    fn outcomes() {
        let t = Duration::from_secs(5);
        let good = res(2, 0, 2048).outcome(&[0; 18], 4096, 0x28, t).unwrap();
        assert!(good.is_good());
        assert_eq!(good.residual, 2048);
        assert!(good.sense.is_empty());

        let mut sense = [0u8; SENSE_LEN];
        sense[..18].copy_from_slice(&[
            0x70, 0, 0x02, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3A, 0, 0, 0, 0, 0,
        ]);
        let cc = res(2, 2, 0).outcome(&sense, 0, 0x00, t).unwrap();
        assert_eq!(cc.status, ScsiStatus::CheckCondition);
        assert_eq!(cc.sense.len(), 18);
        assert_eq!(cc.sense().map(|s| (s.asc, s.ascq)), Some((0x3A, 0)));

        // Realized count larger than the request (broken driver) clamps.
        assert_eq!(res(2, 0, 99).outcome(&[], 10, 0, t).unwrap().residual, 0);
        // A status that does not fit a byte is Unknown, not a panic.
        assert_eq!(
            res(2, 0x1234, 0).outcome(&[], 0, 0, t).unwrap().status,
            ScsiStatus::Unknown(0xFF)
        );

        match res(1, 1, 0).outcome(&[], 0, 0x2A, t) {
            Err(TransportError::Timeout {
                opcode: 0x2A,
                after,
            }) => assert_eq!(after, t),
            other => panic!("{other:?}"),
        }
        match res(1, 4, 0).outcome(&[], 0, 0x2A, t) {
            Err(TransportError::Host { text, .. }) => assert_eq!(text, "device not present"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            res(1, 0xFF, 0).outcome(&[], 0, 0, t),
            Err(TransportError::Host { .. })
        ));
        assert!(matches!(
            res(5, 0, 0).outcome(&[], 0, 0, t),
            Err(TransportError::Host { .. })
        ));
    }

    #[test]
    fn open_errors_explain_unmounting() {
        let p = Path::new("disk2");
        match open_error(p, "ObtainExclusiveAccess", ioreturn::BUSY) {
            TransportError::Open { source, .. } => {
                assert_eq!(source.kind(), io::ErrorKind::ResourceBusy);
                assert!(source.to_string().contains("diskutil unmountDisk"));
            }
            e => panic!("{e:?}"),
        }
        assert!(matches!(
            open_error(p, "ObtainExclusiveAccess", ioreturn::EXCLUSIVE_ACCESS),
            TransportError::Busy { .. }
        ));
        assert!(matches!(
            open_error(
                p,
                "IOCreatePlugInInterfaceForService",
                ioreturn::NOT_PRIVILEGED
            ),
            TransportError::PermissionDenied { .. }
        ));
        assert!(matches!(
            open_error(p, "x", ioreturn::NO_DEVICE),
            TransportError::NotFound { .. }
        ));
        let e = open_error(p, "QueryInterface", -1);
        assert!(e.to_string().contains("QueryInterface"), "{e}");
        assert!(matches!(
            exec_error("ExecuteTaskSync", ioreturn::TIMEOUT, 0, Duration::ZERO),
            TransportError::Timeout { .. }
        ));
        match exec_error("ExecuteTaskSync", ioreturn::NO_MEMORY, 0x2A, Duration::ZERO) {
            TransportError::Io { op, source, .. } => {
                assert_eq!(op, "ExecuteTaskSync");
                assert!(source
                    .to_string()
                    .contains("kIOReturnNoMemory (0xE00002BD)"));
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn device_arguments() {
        assert_eq!(
            MacDevice::parse("disk2"),
            MacDevice::BsdName("disk2".into())
        );
        assert_eq!(
            MacDevice::parse("/dev/disk2"),
            MacDevice::BsdName("disk2".into())
        );
        assert_eq!(
            MacDevice::parse("/dev/rdisk3s1"),
            MacDevice::BsdName("disk3s1".into())
        );
        assert_eq!(
            MacDevice::parse("rdisk4"),
            MacDevice::BsdName("disk4".into())
        );
        let p = "IOService:/AppleACPIPlatformExpert/PCI0@0/IODVDServices";
        assert_eq!(MacDevice::parse(p), MacDevice::RegistryPath(p.into()));
        assert_eq!(
            MacDevice::parse("IODVDServices/2"),
            MacDevice::ClassIndex {
                class: "IODVDServices".into(),
                index: 2
            }
        );
        assert_eq!(
            MacDevice::parse("IOCompactDiscServices"),
            MacDevice::ClassIndex {
                class: "IOCompactDiscServices".into(),
                index: 1
            }
        );
        assert_eq!(
            MacDevice::parse("IOBDServices/0"),
            MacDevice::ClassIndex {
                class: "IOBDServices".into(),
                index: 1
            }
        );
        assert_eq!(
            MacDevice::parse("diskette"),
            MacDevice::ClassIndex {
                class: "diskette".into(),
                index: 1
            }
        );
    }

    #[test]
    fn transfer_limits_and_addresses() {
        assert_eq!(max_transfer(None, None), DEFAULT_MAX_TRANSFER);
        assert_eq!(max_transfer(Some(1 << 20), None), 1 << 20);
        assert_eq!(max_transfer(Some(1 << 20), Some(128 << 10)), 128 << 10);
        assert_eq!(max_transfer(Some(0), Some(0)), DEFAULT_MAX_TRANSFER);
        assert_eq!(btl_for_index(0), (0, 0, 0));
        assert_eq!(btl_for_index(3), (0, 3, 0));
    }
}
