//! macOS backend: IOKit's SCSITaskLib user client (SCSITaskLib.h `MMCDeviceInterface`,
//! `SCSITaskDeviceInterface`, `SCSITaskInterface`) executing SAM-5 §5.1 commands.
//!
//! Opening: the device argument (see [`MacDevice`]: a registry path `IOService:/...`, a BSD
//! name `disk2` / `/dev/disk2`, or cdrecord's `IODVDServices/1`) names a registry entry; from
//! there the registry is walked up to the entry whose `SCSITaskDeviceCategory` is
//! `SCSITaskAuthoringDevice` (a CD/DVD/BD drive: MMC plug-in, then
//! `GetSCSITaskDeviceInterface`) or `SCSITaskUserClientDevice` (any other peripheral without an
//! in-kernel driver: the SCSITask device plug-in directly). Raw commands need exclusive access
//! (`ObtainExclusiveAccess`), which macOS refuses while a disc's volumes are mounted: unmount
//! them first (`diskutil unmountDisk disk2`). `OpenOptions::read_only` and `exclusive` change
//! nothing here: access is always exclusive.
//!
//! Each command creates a task, sets CDB, one scatter/gather element over the caller's buffer,
//! timeout (milliseconds) and an auto-sense buffer, runs `ExecuteTaskSync`, and reads the
//! service response, task status and realized transfer count.
//!
//! Scan: every registry entry of either category, in the order IOKit enumerates them
//! (authoring devices first); identity from the registry properties IOKit keeps from its own
//! INQUIRY (`Vendor Identification`, `Product Identification`, `Product Revision Level`,
//! `Peripheral Device Type`); b,t,l as [`btl_for_index`] documents: `0,index,0`.

use std::ffi::{c_void, CString};
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};
use std::time::Instant;

use core_foundation::base::{CFType, TCFType};
use core_foundation::dictionary::CFDictionary;
use core_foundation::number::CFNumber;
use core_foundation::string::CFString;
use core_foundation_sys::base::CFTypeRef;
use core_foundation_sys::uuid::{CFUUIDGetConstantUUIDWithBytes, CFUUIDRef};
use io_kit_sys::keys::kIOServicePlane;
use io_kit_sys::types::{io_iterator_t, io_object_t, io_registry_entry_t, io_service_t};
use io_kit_sys::{
    kIORegistryIterateParents, kIORegistryIterateRecursively, IOBSDNameMatching, IOIteratorNext,
    IOObjectRelease, IORegistryEntryCopyPath, IORegistryEntryCreateCFProperty,
    IORegistryEntryFromPath, IORegistryEntryGetParentEntry, IORegistryEntrySearchCFProperty,
    IOServiceGetMatchingService, IOServiceGetMatchingServices, IOServiceMatching,
};
use mach2::kern_return::kern_return_t;

use super::macos_ffi::{
    btl_for_index, ioreturn, keys, max_transfer, open_error, timeout_ms, IUnknownGuts,
    IoCfPlugInInterface, MacDevice, MmcDeviceInterface, ScsiTaskDeviceInterface, ScsiTaskInterface,
    ScsiTaskSgElement, TaskResult, UuidBytes, DATA_TRANSFER_FROM_TARGET, DATA_TRANSFER_NONE,
    DATA_TRANSFER_TO_TARGET, IOCF_PLUGIN_INTERFACE_ID, MMC_DEVICE_INTERFACE_ID,
    MMC_DEVICE_USER_CLIENT_TYPE_ID, SCSI_TASK_DEVICE_INTERFACE_ID,
    SCSI_TASK_DEVICE_USER_CLIENT_TYPE_ID, SENSE_LEN,
};
use crate::scan::{IdentitySource, ScanEntry};
use crate::spc::DeviceType;
use crate::{Completion, DataPhase, OpenOptions, Request, Transport, TransportError};

#[link(name = "IOKit", kind = "framework")]
extern "C" {
    /// IOCFPlugIn.h: instantiates the user-client plug-in `plugin_type` for `service`.
    fn IOCreatePlugInInterfaceForService(
        service: io_service_t,
        plugin_type: CFUUIDRef,
        interface_type: CFUUIDRef,
        the_interface: *mut *mut *mut IoCfPlugInInterface,
        the_score: *mut i32,
    ) -> kern_return_t;
    /// IOCFPlugIn.h: releases a plug-in interface made by the call above.
    fn IODestroyPlugInInterface(interface: *mut *mut IoCfPlugInInterface) -> kern_return_t;
}

/// `MACH_PORT_NULL`: IOKitLib.h lets it stand for the default main port.
const MAIN_PORT: u32 = 0;
/// Registry levels walked up from a media object to its device.
const MAX_DEPTH: usize = 32;

/// An open SCSITask device with exclusive access.
#[derive(Debug)]
pub struct IoKitDevice {
    // Field order is drop order: the task device interface before the MMC interface it came
    // from, both before the plug-in. Exclusive access is released first, in `Drop`.
    task_device: Com<ScsiTaskDeviceInterface>,
    /// Held only to keep the MMC user client alive until the task interface is released.
    _mmc: Option<Com<MmcDeviceInterface>>,
    /// Held only to be destroyed last.
    _plugin: PlugIn,
    name: String,
    max_transfer: usize,
}

// SAFETY: the interfaces are heap objects of SCSITaskLib that talk to the kernel over the
// user client's mach port; none is bound to the creating thread (no run loop source is ever
// attached, only synchronous calls are made), and `IoKitDevice` hands them out to nothing, so
// moving the owner to another thread and using it there through `&mut self` is sound.
unsafe impl Send for IoKitDevice {}

/// One device found by [`IoKitDevice::scan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacScanEntry {
    /// Bus: always 0 (see [`btl_for_index`]).
    pub bus: u32,
    /// Target: position in the scan order.
    pub target: u32,
    /// LUN: always 0.
    pub lun: u32,
    /// Registry path (`IOService:/...`) that [`IoKitDevice::open`] accepts.
    pub path: String,
    /// BSD name of the medium (`disk2`) when a disc is inserted.
    pub bsd_name: Option<String>,
    /// T10 vendor identification, trimmed.
    pub vendor: String,
    /// Product identification, trimmed.
    pub product: String,
    /// Product revision level, trimmed.
    pub revision: String,
    /// Peripheral device type (05h CD/DVD).
    pub device_type: u8,
    /// Removable medium: IOKit keeps no RMB bit, so this is true for CD/DVD (05h, where MMC
    /// requires RMB) and optical memory (07h) devices.
    pub removable: bool,
    /// True for an MMC authoring device (`SCSITaskAuthoringDevice`).
    pub authoring: bool,
}

impl MacScanEntry {
    /// The portable scan entry (`crate::scan::ScanEntry`): the registry path is the node to
    /// open, `os_address` is the BSD name when a medium is present.
    pub fn into_scan_entry(self) -> ScanEntry {
        let device_type = DeviceType::from_code(self.device_type);
        let type_words = format!(
            "{}{}",
            if self.removable { "Removable " } else { "" },
            device_type.cdrecord_name()
        );
        ScanEntry {
            bus: self.bus,
            target: self.target,
            lun: self.lun,
            os_address: self.bsd_name.unwrap_or_default(),
            sg_path: None,
            block_path: Some(PathBuf::from(self.path)),
            vendor_padded: format!("{:<8}", self.vendor),
            product_padded: format!("{:<16}", self.product),
            revision_padded: format!("{:<4}", self.revision),
            vendor: self.vendor,
            product: self.product,
            revision: self.revision,
            device_type,
            removable: self.removable,
            type_words,
            non_ccs: false,
            identity_from: IdentitySource::Sysfs(
                "IOKit registry properties (no INQUIRY without exclusive access)".to_string(),
            ),
        }
    }
}

impl IoKitDevice {
    /// Opens the device `path` names (see [`MacDevice::parse`]) and obtains exclusive access.
    pub fn open(path: &Path, _opts: &OpenOptions) -> Result<Self, TransportError> {
        let arg = path.to_string_lossy().into_owned();
        let dev_path = PathBuf::from(&arg);
        let entry = find_entry(&MacDevice::parse(&arg), &dev_path)?;
        let (service, authoring) = scsi_task_entry(entry)?;
        // cdrecord's order: the MMC user client for authoring devices, else (or when that
        // fails) the generic SCSITask user client.
        let (plugin, mmc, task_device) = if authoring {
            match open_mmc(&service, &dev_path) {
                Ok(t) => t,
                Err(mmc_err) => open_generic(&service, &dev_path).map_err(|_| mmc_err)?,
            }
        } else {
            open_generic(&service, &dev_path)?
        };
        let obtain = task_device
            .vtable()
            .obtain_exclusive_access
            .ok_or_else(|| missing(&dev_path, "SCSITaskDeviceInterface::ObtainExclusiveAccess"))?;
        // SAFETY: `task_device` is a live SCSITaskDeviceInterface; the method takes only `self`.
        let kr = unsafe { obtain(task_device.this()) };
        if kr != ioreturn::SUCCESS {
            // Release in dependency order before reporting.
            drop(task_device);
            drop(mmc);
            drop(plugin);
            return Err(open_error(&dev_path, "ObtainExclusiveAccess", kr));
        }
        let read = search_number(service.0, keys::MAX_BYTE_COUNT_READ);
        let write = search_number(service.0, keys::MAX_BYTE_COUNT_WRITE);
        Ok(IoKitDevice {
            task_device,
            _mmc: mmc,
            _plugin: plugin,
            name: arg,
            max_transfer: max_transfer(read, write).min(u32::MAX as usize),
        })
    }

    /// Lists SCSITask-capable devices: MMC authoring devices, then other user-client devices.
    /// Needs no exclusive access (identity comes from the registry), so mounted discs are fine.
    pub fn scan() -> Result<Vec<MacScanEntry>, TransportError> {
        let mut entries = Vec::new();
        for (category, authoring) in [
            (keys::AUTHORING_DEVICE, true),
            (keys::USER_CLIENT_DEVICE, false),
        ] {
            for service in matching_category(category)? {
                let (bus, target, lun) = btl_for_index(entries.len());
                let text = |k: &str| search_string(service.0, k, true).unwrap_or_default();
                let device_type = search_number(service.0, keys::DEVICE_TYPE)
                    .and_then(|n| u8::try_from(n).ok())
                    .unwrap_or(if authoring { 5 } else { 0x1F });
                entries.push(MacScanEntry {
                    bus,
                    target,
                    lun,
                    path: registry_path(service.0).unwrap_or_default(),
                    bsd_name: search_string(service.0, keys::BSD_NAME, false),
                    vendor: text(keys::VENDOR).trim().to_string(),
                    product: text(keys::PRODUCT).trim().to_string(),
                    revision: text(keys::REVISION).trim().to_string(),
                    device_type,
                    removable: matches!(device_type, 0x05 | 0x07),
                    authoring,
                });
            }
        }
        Ok(entries)
    }
}

/// Interfaces of one user client: the plug-in, the MMC interface (authoring devices) and the
/// SCSITask device interface.
type UserClient = (
    PlugIn,
    Option<Com<MmcDeviceInterface>>,
    Com<ScsiTaskDeviceInterface>,
);

/// The MMC user client and its SCSITask device interface.
fn open_mmc(service: &IoObject, path: &Path) -> Result<UserClient, TransportError> {
    let plugin = PlugIn::create(service, MMC_DEVICE_USER_CLIENT_TYPE_ID, path)?;
    let mmc: Com<MmcDeviceInterface> = plugin.query(MMC_DEVICE_INTERFACE_ID, path)?;
    let get = mmc
        .vtable()
        .get_scsi_task_device_interface
        .ok_or_else(|| missing(path, "MMCDeviceInterface::GetSCSITaskDeviceInterface"))?;
    // SAFETY: `mmc` is a live MMCDeviceInterface; the method takes only `self` and returns a
    // new reference (SCSITaskLib allocates a fresh SCSITaskDeviceClass).
    let raw = unsafe { get(mmc.this()) };
    let task_device = Com::new(raw)
        .ok_or_else(|| open_error(path, "GetSCSITaskDeviceInterface", ioreturn::NO_DEVICE))?;
    Ok((plugin, Some(mmc), task_device))
}

/// The generic SCSITask user client.
fn open_generic(service: &IoObject, path: &Path) -> Result<UserClient, TransportError> {
    let plugin = PlugIn::create(service, SCSI_TASK_DEVICE_USER_CLIENT_TYPE_ID, path)?;
    let task_device = plugin.query(SCSI_TASK_DEVICE_INTERFACE_ID, path)?;
    Ok((plugin, None, task_device))
}

impl Drop for IoKitDevice {
    fn drop(&mut self) {
        if let Some(release) = self.task_device.vtable().release_exclusive_access {
            // SAFETY: the interface is live and holds the exclusive access obtained in `open`.
            unsafe { release(self.task_device.this()) };
        }
    }
}

impl Transport for IoKitDevice {
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
        let (direction, address) = match data {
            DataPhase::In(b) if !b.is_empty() => (DATA_TRANSFER_FROM_TARGET, b.as_mut_ptr() as u64),
            DataPhase::Out(b) if !b.is_empty() => (DATA_TRANSFER_TO_TARGET, b.as_ptr() as u64),
            _ => (DATA_TRANSFER_NONE, 0),
        };
        let requested = if direction == DATA_TRANSFER_NONE {
            0
        } else {
            len
        };

        // Declared before the task so it outlives the task that points at it.
        let mut sense = [0u8; SENSE_LEN];
        let create = self
            .task_device
            .vtable()
            .create_scsi_task
            .ok_or_else(|| exec_missing("SCSITaskDeviceInterface::CreateSCSITask", opcode))?;
        // SAFETY: `task_device` is live and holds exclusive access; the method takes `self`.
        let raw = unsafe { create(self.task_device.this()) };
        let task: Com<ScsiTaskInterface> = Com::new(raw).ok_or_else(|| {
            super::macos_ffi::exec_error("CreateSCSITask", ioreturn::NO_MEMORY, opcode, timeout)
        })?;
        let vt = task.vtable();
        let this = task.this();

        let mut cdb_bytes = [0u8; 16];
        cdb_bytes[..cdb.len()].copy_from_slice(cdb.as_bytes());
        let set_cdb = vt
            .set_command_descriptor_block
            .ok_or_else(|| exec_missing("SetCommandDescriptorBlock", opcode))?;
        // SAFETY: `this` is a live task; `cdb_bytes` holds at least `cdb.len()` bytes.
        let kr = unsafe { set_cdb(this, cdb_bytes.as_mut_ptr(), cdb.len() as u8) };
        check(kr, "SetCommandDescriptorBlock", opcode, timeout)?;

        if requested > 0 {
            let set_sg = vt
                .set_scatter_gather_entries
                .ok_or_else(|| exec_missing("SetScatterGatherEntries", opcode))?;
            let mut sg = ScsiTaskSgElement {
                address,
                length: requested as u64,
            };
            // SAFETY: `sg` describes the caller's buffer of `requested` bytes, borrowed (alive
            // and not otherwise accessed) until this function returns, after the synchronous
            // ExecuteTaskSync; the list has one element.
            let kr = unsafe { set_sg(this, &mut sg, 1, requested as u64, direction) };
            check(kr, "SetScatterGatherEntries", opcode, timeout)?;
        }

        let set_timeout = vt
            .set_timeout_duration
            .ok_or_else(|| exec_missing("SetTimeoutDuration", opcode))?;
        // SAFETY: `this` is a live task.
        let kr = unsafe { set_timeout(this, timeout_ms(timeout)) };
        check(kr, "SetTimeoutDuration", opcode, timeout)?;

        if let Some(set_sense) = vt.set_auto_sense_data_buffer {
            // SAFETY: `sense` is SENSE_LEN bytes and outlives the task (declared before it).
            // On failure the 18-byte default applies, still written into `sense` below.
            unsafe { set_sense(this, sense.as_mut_ptr(), SENSE_LEN as u8) };
        }

        let exec = vt
            .execute_task_sync
            .ok_or_else(|| exec_missing("ExecuteTaskSync", opcode))?;
        let mut status = 0u32;
        let mut realized = 0u64;
        let start = Instant::now();
        // SAFETY: the task is fully set up; `sense` has room for the 18-byte SCSI_Sense_Data
        // (it is SENSE_LEN bytes); `status` and `realized` are live locals. The call is
        // synchronous, so the data buffer is not touched after it returns.
        let kr = unsafe { exec(this, sense.as_mut_ptr(), &mut status, &mut realized) };
        let duration = start.elapsed();
        check(kr, "ExecuteTaskSync", opcode, timeout)?;

        let mut service_response = 0u32;
        let get_response = vt
            .get_scsi_service_response
            .ok_or_else(|| exec_missing("GetSCSIServiceResponse", opcode))?;
        // SAFETY: `this` is a live task; the out-pointer is a live local.
        let kr = unsafe { get_response(this, &mut service_response) };
        check(kr, "GetSCSIServiceResponse", opcode, timeout)?;
        if let Some(get_status) = vt.get_task_status {
            let mut s = status;
            // SAFETY: `this` is a live task; the out-pointer is a live local.
            if unsafe { get_status(this, &mut s) } == ioreturn::SUCCESS {
                status = s;
            }
        }
        if let Some(get_count) = vt.get_realized_data_transfer_count {
            // SAFETY: `this` is a live task.
            realized = unsafe { get_count(this) };
        }
        TaskResult {
            service_response,
            task_status: status,
            realized,
            duration,
        }
        .outcome(&sense, requested, opcode, timeout)
    }

    fn max_transfer(&self) -> usize {
        self.max_transfer
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// A step of a command failed.
fn check(
    kr: i32,
    stage: &'static str,
    opcode: u8,
    timeout: std::time::Duration,
) -> Result<(), TransportError> {
    if kr == ioreturn::SUCCESS {
        Ok(())
    } else {
        Err(super::macos_ffi::exec_error(stage, kr, opcode, timeout))
    }
}

/// A vtable slot the interface should have is empty (an incompatible SCSITaskLib).
fn exec_missing(what: &'static str, opcode: u8) -> TransportError {
    TransportError::Io {
        op: what,
        opcode,
        source: std::io::Error::other(format!("{what} is missing from the IOKit interface")),
    }
}

/// Same as [`exec_missing`], while opening.
fn missing(path: &Path, what: &str) -> TransportError {
    TransportError::NotScsi {
        path: path.to_path_buf(),
        reason: format!("{what} is missing from the IOKit interface"),
    }
}

/// An interface with the IUnknown slots first.
trait Interface {
    /// The IUnknown slots.
    fn guts(&self) -> &IUnknownGuts;
}

impl Interface for MmcDeviceInterface {
    fn guts(&self) -> &IUnknownGuts {
        &self.guts
    }
}
impl Interface for ScsiTaskDeviceInterface {
    fn guts(&self) -> &IUnknownGuts {
        &self.guts
    }
}
impl Interface for ScsiTaskInterface {
    fn guts(&self) -> &IUnknownGuts {
        &self.guts
    }
}

/// One counted reference to a COM-style interface (`T **`), released on drop.
#[derive(Debug)]
struct Com<T: Interface>(NonNull<*mut T>);

impl<T: Interface> Com<T> {
    /// Takes ownership of a reference IOKit returned; `None` for null.
    fn new(raw: *mut *mut T) -> Option<Self> {
        NonNull::new(raw).map(Com)
    }

    /// The `self` argument of the interface's methods.
    fn this(&self) -> *mut c_void {
        self.0.as_ptr().cast()
    }

    /// The function table.
    fn vtable(&self) -> &T {
        // SAFETY: an interface pointer points at a pointer to its function table, which
        // stays valid while we hold our reference.
        let table: *mut T = unsafe { *self.0.as_ptr() };
        // SAFETY: the table is a live, never-mutated `T` for at least as long as `self`.
        unsafe { &*table }
    }
}

impl<T: Interface> Drop for Com<T> {
    fn drop(&mut self) {
        if let Some(release) = self.vtable().guts().release {
            // SAFETY: we own one reference, given back exactly once here.
            unsafe { release(self.this()) };
        }
    }
}

/// The `IOCFPlugInInterface **` of a user client, destroyed on drop.
#[derive(Debug)]
struct PlugIn(NonNull<*mut IoCfPlugInInterface>);

impl PlugIn {
    /// `IOCreatePlugInInterfaceForService(service, plugin_type, kIOCFPlugInInterfaceID)`.
    fn create(
        service: &IoObject,
        plugin_type: UuidBytes,
        path: &Path,
    ) -> Result<Self, TransportError> {
        let mut raw: *mut *mut IoCfPlugInInterface = ptr::null_mut();
        let mut score = 0i32;
        let kr = {
            let plugin_uuid = constant_uuid(plugin_type);
            let interface_uuid = constant_uuid(IOCF_PLUGIN_INTERFACE_ID);
            // SAFETY: `service` is a live registry entry; the UUIDs are CF constants; both
            // out-pointers are live locals.
            unsafe {
                IOCreatePlugInInterfaceForService(
                    service.0,
                    plugin_uuid,
                    interface_uuid,
                    &mut raw,
                    &mut score,
                )
            }
        };
        if kr != ioreturn::SUCCESS {
            return Err(open_error(path, "IOCreatePlugInInterfaceForService", kr));
        }
        NonNull::new(raw).map(PlugIn).ok_or_else(|| {
            open_error(
                path,
                "IOCreatePlugInInterfaceForService",
                ioreturn::NO_DEVICE,
            )
        })
    }

    /// `QueryInterface(iid)`: a new reference to another interface of the plug-in.
    fn query<T: Interface>(&self, iid: UuidBytes, path: &Path) -> Result<Com<T>, TransportError> {
        let this: *mut c_void = self.0.as_ptr().cast();
        // SAFETY: the plug-in pointer points at a pointer to its live function table.
        let table: *mut IoCfPlugInInterface = unsafe { *self.0.as_ptr() };
        // SAFETY: the table stays valid while the plug-in lives.
        let qi = unsafe { &*table }.guts.query_interface;
        let qi = qi.ok_or_else(|| missing(path, "IOCFPlugInInterface::QueryInterface"))?;
        let mut out: *mut c_void = ptr::null_mut();
        // SAFETY: `this` is the live plug-in; `out` is a live local receiving the interface.
        let hr = unsafe { qi(this, iid, &mut out) };
        if hr != 0 {
            return Err(open_error(path, "QueryInterface", hr));
        }
        Com::new(out.cast()).ok_or_else(|| open_error(path, "QueryInterface", ioreturn::NO_DEVICE))
    }
}

impl Drop for PlugIn {
    fn drop(&mut self) {
        // SAFETY: the plug-in was made by IOCreatePlugInInterfaceForService and is destroyed
        // once, after every interface obtained from it was released (field order).
        unsafe { IODestroyPlugInInterface(self.0.as_ptr()) };
    }
}

/// A registry object reference, released on drop.
#[derive(Debug)]
struct IoObject(io_object_t);

impl IoObject {
    /// Takes ownership of an object reference; `None` for `IO_OBJECT_NULL`.
    fn new(o: io_object_t) -> Option<Self> {
        (o != 0).then_some(IoObject(o))
    }
}

impl Drop for IoObject {
    fn drop(&mut self) {
        // SAFETY: we own one reference to this object, released once here.
        unsafe { IOObjectRelease(self.0) };
    }
}

/// `CFUUIDGetConstantUUIDWithBytes`: a process-lifetime constant, never released.
fn constant_uuid(u: UuidBytes) -> CFUUIDRef {
    let b = u.bytes;
    // SAFETY: plain value arguments; a null allocator means the default one.
    unsafe {
        CFUUIDGetConstantUUIDWithBytes(
            ptr::null(),
            b[0],
            b[1],
            b[2],
            b[3],
            b[4],
            b[5],
            b[6],
            b[7],
            b[8],
            b[9],
            b[10],
            b[11],
            b[12],
            b[13],
            b[14],
            b[15],
        )
    }
}

/// The registry entry a device argument names.
fn find_entry(dev: &MacDevice, path: &Path) -> Result<IoObject, TransportError> {
    let not_found = || TransportError::NotFound {
        path: path.to_path_buf(),
    };
    let cstr = |s: &str| CString::new(s).map_err(|_| not_found());
    match dev {
        MacDevice::RegistryPath(p) => {
            let c = cstr(p)?;
            // SAFETY: `c` is a NUL-terminated string alive for the call (IOKit only reads it).
            let e = unsafe { IORegistryEntryFromPath(MAIN_PORT, c.as_ptr().cast_mut()) };
            IoObject::new(e).ok_or_else(not_found)
        }
        MacDevice::BsdName(n) => {
            let c = cstr(n)?;
            // SAFETY: `c` is a NUL-terminated string alive for the call.
            let dict = unsafe { IOBSDNameMatching(MAIN_PORT, 0, c.as_ptr()) };
            if dict.is_null() {
                return Err(not_found());
            }
            // SAFETY: `dict` is a matching dictionary whose one reference the call consumes.
            let e = unsafe { IOServiceGetMatchingService(MAIN_PORT, dict.cast_const()) };
            IoObject::new(e).ok_or_else(not_found)
        }
        MacDevice::ClassIndex { class, index } => {
            let c = cstr(class)?;
            // SAFETY: `c` is a NUL-terminated string alive for the call.
            let dict = unsafe { IOServiceMatching(c.as_ptr()) };
            if dict.is_null() {
                return Err(not_found());
            }
            let found = iterate_matching(dict.cast_const().cast())?;
            found
                .into_iter()
                .nth(*index as usize - 1)
                .ok_or_else(not_found)
        }
    }
}

/// Runs `IOServiceGetMatchingServices` with `dict` (whose one reference it consumes) and
/// collects the services.
fn iterate_matching(dict: *const c_void) -> Result<Vec<IoObject>, TransportError> {
    let mut iter: io_iterator_t = 0;
    // SAFETY: `dict` is a matching dictionary whose reference the call consumes; `iter` is a
    // live local.
    let kr = unsafe { IOServiceGetMatchingServices(MAIN_PORT, dict.cast(), &mut iter) };
    if kr != ioreturn::SUCCESS {
        return Err(TransportError::Unsupported(format!(
            "IOServiceGetMatchingServices: {} (0x{:08X})",
            ioreturn::name(kr),
            kr as u32
        )));
    }
    let Some(iter) = IoObject::new(iter) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    // SAFETY: `iter` is a live iterator; each object returned is a new reference we own.
    while let Some(o) = IoObject::new(unsafe { IOIteratorNext(iter.0) }) {
        out.push(o);
    }
    Ok(out)
}

/// Services whose `SCSITaskDeviceCategory` is `category`.
fn matching_category(category: &str) -> Result<Vec<IoObject>, TransportError> {
    let inner = CFDictionary::from_CFType_pairs(&[(
        CFString::new(keys::DEVICE_CATEGORY).as_CFType(),
        CFString::new(category).as_CFType(),
    )]);
    let outer = CFDictionary::from_CFType_pairs(&[(
        CFString::new(keys::PROPERTY_MATCH).as_CFType(),
        inner.as_CFType(),
    )]);
    let raw = outer.as_concrete_TypeRef();
    // IOServiceGetMatchingServices consumes one reference: hand ours over.
    std::mem::forget(outer);
    iterate_matching(raw.cast())
}

/// Walks up from `entry` to the first entry with a SCSITask device category; the flag is true
/// for an authoring (MMC) device. An entry without any such ancestor is not a SCSI device.
fn scsi_task_entry(entry: IoObject) -> Result<(IoObject, bool), TransportError> {
    let mut current = entry;
    for _ in 0..MAX_DEPTH {
        let category = property(current.0, keys::DEVICE_CATEGORY)
            .and_then(|v| v.downcast::<CFString>())
            .map(|c| c.to_string());
        match category.as_deref() {
            Some(keys::AUTHORING_DEVICE) => return Ok((current, true)),
            Some(keys::USER_CLIENT_DEVICE) => return Ok((current, false)),
            _ => {}
        }
        let mut parent: io_registry_entry_t = 0;
        // SAFETY: `current` is a live entry; `parent` is a live local receiving a reference.
        let kr = unsafe { IORegistryEntryGetParentEntry(current.0, kIOServicePlane, &mut parent) };
        match IoObject::new(parent) {
            Some(p) if kr == ioreturn::SUCCESS => current = p,
            _ => break,
        }
    }
    let path = registry_path(current.0).unwrap_or_default();
    Err(TransportError::NotScsi {
        path: PathBuf::from(path),
        reason: "no SCSITask user client above this registry entry (not a SCSI/ATAPI device, \
                 or its driver does not offer SCSITaskLib access)"
            .to_string(),
    })
}

/// Takes ownership of a +1 CF reference; `None` for null.
fn owned_cf(r: CFTypeRef) -> Option<CFType> {
    if r.is_null() {
        None
    } else {
        // SAFETY: `r` is a non-null CF object returned under the create rule.
        Some(unsafe { CFType::wrap_under_create_rule(r) })
    }
}

/// A property of `entry` itself.
fn property(entry: io_object_t, key: &str) -> Option<CFType> {
    let k = CFString::new(key);
    // SAFETY: `entry` is a live registry entry; `k` is a live CFString.
    let r =
        unsafe { IORegistryEntryCreateCFProperty(entry, k.as_concrete_TypeRef(), ptr::null(), 0) };
    owned_cf(r)
}

/// A property of `entry` or (with `parents`) its ancestors, else its descendants.
fn search(entry: io_object_t, key: &str, parents: bool) -> Option<CFType> {
    let k = CFString::new(key);
    let options = kIORegistryIterateRecursively
        | if parents {
            kIORegistryIterateParents
        } else {
            0
        };
    // SAFETY: `entry` is a live registry entry; the plane name is a static C string; `k` is
    // a live CFString.
    let r = unsafe {
        IORegistryEntrySearchCFProperty(
            entry,
            kIOServicePlane,
            k.as_concrete_TypeRef(),
            ptr::null(),
            options,
        )
    };
    owned_cf(r)
}

/// A string property searched as [`search`] does.
fn search_string(entry: io_object_t, key: &str, parents: bool) -> Option<String> {
    search(entry, key, parents)
        .and_then(|v| v.downcast::<CFString>())
        .map(|s| s.to_string())
}

/// A non-negative number property of `entry` or its ancestors.
fn search_number(entry: io_object_t, key: &str) -> Option<u64> {
    search(entry, key, true)
        .and_then(|v| v.downcast::<CFNumber>())
        .and_then(|n| n.to_i64())
        .and_then(|n| u64::try_from(n).ok())
}

/// The entry's path in the service plane (`IOService:/...`).
fn registry_path(entry: io_object_t) -> Option<String> {
    // SAFETY: `entry` is a live registry entry; the plane name is a static C string.
    let r = unsafe { IORegistryEntryCopyPath(entry, kIOServicePlane) };
    owned_cf(r as CFTypeRef)
        .and_then(|v| v.downcast::<CFString>())
        .map(|s| s.to_string())
}
