//! Linux backend: SCSI commands through the SG_IO ioctl (the sg driver's v3 interface,
//! `<scsi/sg.h>` `struct sg_io_hdr`), on `/dev/sg*` and on block nodes such as `/dev/sr*`.
//!
//! - Open: `O_RDWR | O_NONBLOCK` (a CD-ROM node opens without a medium only non-blocking);
//!   `O_EXCL` when exclusive access is asked for (a block node then fails with EBUSY while it
//!   is mounted or opened exclusively elsewhere). When read-write is refused and read-only was
//!   not asked for, the open falls back to `O_RDONLY`: enough for INQUIRY and other
//!   diagnostics (the kernel lets a read-only opener send only commands it deems safe).
//!   `O_NONBLOCK` is cleared once the node is open, as cdrtools does.
//! - The node must answer `SG_GET_VERSION_NUM` (sg, and the SCSI block drivers sr/sd, do),
//!   else it is [`TransportError::NotScsi`].
//! - Errors map errno to [`TransportError`]: ENOENT/ENXIO/ENODEV → `NotFound`,
//!   EACCES/EPERM/EROFS → `PermissionDenied` with the name of the node's group (from
//!   `/etc/group`), EBUSY → `Busy`.
//! - After SG_IO: `host_status` (DID_* codes) and `driver_status` (DRIVER_* codes) are decoded
//!   to text for [`TransportError::Host`]; DID_TIME_OUT, DRIVER_TIMEOUT and ETIMEDOUT are
//!   [`TransportError::Timeout`]. The SCSI status, up to 64 sense bytes (`sb_len_wr`) and the
//!   residual (`resid`) make the [`Completion`]. The timeout is the request's, in ms.
//! - Maximum transfer: the block queue limits of the device, which bound every passthrough
//!   request the kernel maps: the smallest of `max_sectors_kb`, `max_hw_sectors_kb` and
//!   (`max_segments` − 1) × page size (the kernel maps the user buffer in place, one
//!   segment per page where the pages are not physically adjacent, and a buffer that does
//!   not start on a page boundary, as a large `malloc` block does not, touches one page
//!   more than its length; the kernel answers EINVAL when it needs more segments), read from
//!   `/sys/dev/block/M:m/queue/` for a block node, or from
//!   `/sys/dev/char/M:m/device/block/*/queue/` for an sg node whose device has a block driver.
//!   Without sysfs, the `BLKSECTGET` ioctl (bytes on sg, 512-byte sectors on a block node);
//!   failing both, 64 KiB. `SG_GET_RESERVED_SIZE` is not used: it is the size of sg's
//!   reserved buffer, not a limit of the device.
//! - Address: `SG_GET_SCSI_ID` on sg nodes; on block nodes the `H:C:T:L` name of the sysfs
//!   device, else `SCSI_IOCTL_GET_IDLUN` + `SCSI_IOCTL_GET_BUS_NUMBER`. See [`ScsiId`].

use std::ffi::c_void;
use std::fs;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::{Completion, DataPhase, OpenOptions, Request, ScsiStatus, Transport, TransportError};

/// `SG_IO` ioctl request (`<scsi/sg.h>`).
const SG_IO: libc::c_ulong = 0x2285;
/// `SG_GET_VERSION_NUM`: the sg driver version as an int (e.g. 30536).
const SG_GET_VERSION_NUM: libc::c_ulong = 0x2282;
/// `BLKSECTGET` = `_IO(0x12, 103)`.
const BLKSECTGET: libc::c_ulong = 0x1267;

/// `SG_DXFER_NONE`: no data phase.
const SG_DXFER_NONE: libc::c_int = -1;
/// `SG_DXFER_TO_DEV`: data out.
const SG_DXFER_TO_DEV: libc::c_int = -2;
/// `SG_DXFER_FROM_DEV`: data in.
const SG_DXFER_FROM_DEV: libc::c_int = -3;

/// Size of the sense buffer handed to the kernel.
const SENSE_LEN: usize = 64;

/// Maximum transfer when neither sysfs nor BLKSECTGET answer.
const FALLBACK_MAX_TRANSFER: usize = 64 * 1024;

/// `struct sg_io_hdr` of `<scsi/sg.h>` (interface id 'S').
#[repr(C)]
#[derive(Debug)]
struct SgIoHdr {
    interface_id: libc::c_int,
    dxfer_direction: libc::c_int,
    cmd_len: libc::c_uchar,
    mx_sb_len: libc::c_uchar,
    iovec_count: libc::c_ushort,
    dxfer_len: libc::c_uint,
    dxferp: *mut c_void,
    cmdp: *const libc::c_uchar,
    sbp: *mut libc::c_uchar,
    timeout: libc::c_uint,
    flags: libc::c_uint,
    pack_id: libc::c_int,
    usr_ptr: *mut c_void,
    status: libc::c_uchar,
    masked_status: libc::c_uchar,
    msg_status: libc::c_uchar,
    sb_len_wr: libc::c_uchar,
    host_status: libc::c_ushort,
    driver_status: libc::c_ushort,
    resid: libc::c_int,
    duration: libc::c_uint,
    info: libc::c_uint,
}

/// The Linux SCSI address of a device: host adapter number, channel, target id, LUN
/// (the `H:C:T:L` of `/sys/bus/scsi/devices`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScsiId {
    /// SCSI host number (`hostN`).
    pub host: u32,
    /// Channel on the host.
    pub channel: u32,
    /// Target id.
    pub target: u32,
    /// Logical unit number.
    pub lun: u64,
}

impl ScsiId {
    /// Parses a sysfs `H:C:T:L` name.
    pub fn parse_hctl(s: &str) -> Option<ScsiId> {
        let mut it = s.split(':');
        let host = it.next()?.parse().ok()?;
        let channel = it.next()?.parse().ok()?;
        let target = it.next()?.parse().ok()?;
        let lun = it.next()?.parse().ok()?;
        if it.next().is_some() {
            return None;
        }
        Some(ScsiId {
            host,
            channel,
            target,
            lun,
        })
    }
}

impl std::fmt::Display for ScsiId {
    /// `H:C:T:L`, as sysfs names the device.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}:{}",
            self.host, self.channel, self.target, self.lun
        )
    }
}

/// An open Linux SCSI device node (`/dev/sgN`, `/dev/srN`, ...) executing commands by SG_IO.
#[derive(Debug)]
pub struct SgDevice {
    fd: OwnedFd,
    name: String,
    read_only: bool,
    max_transfer: usize,
}

impl SgDevice {
    /// Opens `path` as the module documentation describes.
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<SgDevice, TransportError> {
        let (file, read_only) = if opts.read_only {
            (open_node(path, false, opts.exclusive)?, true)
        } else {
            match open_node(path, true, opts.exclusive) {
                Ok(f) => (f, false),
                Err(TransportError::PermissionDenied { .. }) => {
                    let f = open_node(path, false, opts.exclusive)?;
                    log::info!(
                        "{}: read-write access refused, opened read-only",
                        path.display()
                    );
                    (f, true)
                }
                Err(e) => return Err(e),
            }
        };
        let fd = OwnedFd::from(file);
        clear_nonblock(&fd);
        let meta = fs::metadata(path).map_err(|e| map_open_error(path, e))?;
        let ft = meta.file_type();
        if !ft.is_char_device() && !ft.is_block_device() {
            return Err(TransportError::NotScsi {
                path: path.to_path_buf(),
                reason: "not a device node".into(),
            });
        }
        let rdev = meta.rdev();
        let rdev = (libc::major(rdev), libc::minor(rdev));
        let sg_version = sg_version(&fd).map_err(|e| TransportError::NotScsi {
            path: path.to_path_buf(),
            reason: format!("SG_GET_VERSION_NUM failed ({e}): not an sg or SCSI block device"),
        })?;
        let is_char = ft.is_char_device();
        let max_transfer = max_transfer_of(&fd, rdev, is_char);
        log::debug!(
            "{}: sg driver {}, max transfer {} bytes{}",
            path.display(),
            sg_version,
            max_transfer,
            if read_only { ", read-only" } else { "" }
        );
        Ok(SgDevice {
            fd,
            name: path.display().to_string(),
            read_only,
            max_transfer,
        })
    }
}

impl Transport for SgDevice {
    fn execute(&mut self, req: Request<'_>) -> Result<Completion, TransportError> {
        let opcode = req.cdb.opcode();
        let len = req.data.len();
        if len > self.max_transfer {
            return Err(TransportError::TooLarge {
                opcode,
                len,
                max: self.max_transfer,
            });
        }
        let dxfer_len = u32::try_from(len).map_err(|_| TransportError::TooLarge {
            opcode,
            len,
            max: self.max_transfer,
        })?;
        let timeout = req.timeout;
        let cdb_value = req.cdb;
        let mut data = req.data;
        let (direction, dxferp): (libc::c_int, *mut c_void) = match &mut data {
            DataPhase::None => (SG_DXFER_NONE, std::ptr::null_mut()),
            DataPhase::In(b) => (SG_DXFER_FROM_DEV, b.as_mut_ptr().cast()),
            // The kernel only reads from a TO_DEV buffer; the field is `void *` in C.
            DataPhase::Out(b) => (SG_DXFER_TO_DEV, b.as_ptr().cast_mut().cast()),
        };
        let cdb = cdb_value.as_bytes();
        let mut sense = [0u8; SENSE_LEN];
        let timeout_ms = u32::try_from(timeout.as_millis())
            .unwrap_or(u32::MAX)
            .max(1);
        let mut hdr = SgIoHdr {
            interface_id: libc::c_int::from(b'S'),
            dxfer_direction: direction,
            cmd_len: cdb.len() as u8,
            mx_sb_len: SENSE_LEN as u8,
            iovec_count: 0,
            dxfer_len,
            dxferp: if dxfer_len == 0 {
                std::ptr::null_mut()
            } else {
                dxferp
            },
            cmdp: cdb.as_ptr(),
            sbp: sense.as_mut_ptr(),
            timeout: timeout_ms,
            flags: 0,
            pack_id: 0,
            usr_ptr: std::ptr::null_mut(),
            status: 0,
            masked_status: 0,
            msg_status: 0,
            sb_len_wr: 0,
            host_status: 0,
            driver_status: 0,
            resid: 0,
            duration: 0,
            info: 0,
        };
        let start = Instant::now();
        // SAFETY: `hdr` is a valid sg_io_hdr; its pointers name the CDB (cmd_len bytes), the
        // sense buffer (mx_sb_len bytes) and the data buffer (dxfer_len bytes, writable for
        // FROM_DEV), all borrowed for the duration of this synchronous ioctl.
        let r = unsafe { libc::ioctl(self.fd.as_raw_fd(), SG_IO, &mut hdr) };
        let duration = start.elapsed();
        if r < 0 {
            let err = io::Error::last_os_error();
            return Err(match err.raw_os_error() {
                Some(libc::ETIMEDOUT) => TransportError::Timeout {
                    opcode,
                    after: timeout,
                },
                Some(libc::EPERM) | Some(libc::EACCES) if self.read_only => TransportError::Io {
                    op: "SG_IO",
                    opcode,
                    source: io::Error::new(
                        err.kind(),
                        format!(
                            "{err}: the device was opened read-only and the kernel allows only \
                             safe commands then; run as root or as a member of the device's group"
                        ),
                    ),
                },
                _ => TransportError::Io {
                    op: "SG_IO",
                    opcode,
                    source: err,
                },
            });
        }
        check_host_driver(opcode, hdr.host_status, hdr.driver_status, timeout)?;

        let sb_len = usize::from(hdr.sb_len_wr).min(SENSE_LEN);
        let status = ScsiStatus::from_byte(hdr.status);
        Ok(Completion {
            status,
            sense: sense[..sb_len].to_vec(),
            residual: usize::try_from(hdr.resid).unwrap_or(0).min(len),
            duration: if duration.is_zero() {
                Duration::from_millis(u64::from(hdr.duration))
            } else {
                duration
            },
        })
    }

    fn max_transfer(&self) -> usize {
        self.max_transfer
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// Turns host and driver status into an error, or `Ok` when both say the command reached
/// the device (DRIVER_SENSE alone only says that sense data came back).
fn check_host_driver(
    opcode: u8,
    host: u16,
    driver: u16,
    timeout: Duration,
) -> Result<(), TransportError> {
    const DID_TIME_OUT: u16 = 0x03;
    const DRIVER_TIMEOUT: u16 = 0x06;
    const DRIVER_SENSE: u16 = 0x08;
    if host == DID_TIME_OUT || driver & 0x0F == DRIVER_TIMEOUT {
        return Err(TransportError::Timeout {
            opcode,
            after: timeout,
        });
    }
    let driver_code = driver & 0x0F;
    if host != 0 || (driver_code != 0 && driver_code != DRIVER_SENSE) {
        let mut text = Vec::new();
        if host != 0 {
            text.push(host_status_text(host));
        }
        if driver_code != 0 && driver_code != DRIVER_SENSE {
            text.push(driver_status_text(driver));
        }
        return Err(TransportError::Host {
            opcode,
            text: text.join("; "),
        });
    }
    Ok(())
}

/// Text for a Linux host byte (`DID_*` of `<scsi/scsi_status.h>`).
pub fn host_status_text(host: u16) -> String {
    let s = match host {
        0x00 => "DID_OK",
        0x01 => "DID_NO_CONNECT: could not connect before timeout",
        0x02 => "DID_BUS_BUSY: bus stayed busy through the time out period",
        0x03 => "DID_TIME_OUT: timed out",
        0x04 => "DID_BAD_TARGET: bad target",
        0x05 => "DID_ABORT: aborted",
        0x06 => "DID_PARITY: parity error",
        0x07 => "DID_ERROR: internal error of the host adapter",
        0x08 => "DID_RESET: reset by somebody",
        0x09 => "DID_BAD_INTR: unexpected interrupt",
        0x0A => "DID_PASSTHROUGH: forced command past the mid-layer",
        0x0B => "DID_SOFT_ERROR: the low-level driver wants a retry",
        0x0C => "DID_IMM_RETRY: retry without decrementing the retry count",
        0x0D => "DID_REQUEUE: requeue the command",
        0x0E => "DID_TRANSPORT_DISRUPTED: transport disrupted",
        0x0F => "DID_TRANSPORT_FAILFAST: transport class fastfailed the I/O",
        0x10 => "DID_TARGET_FAILURE: permanent target failure",
        0x11 => "DID_NEXUS_FAILURE: permanent nexus failure",
        0x12 => "DID_ALLOC_FAILURE: space allocation failed on the device",
        0x13 => "DID_MEDIUM_ERROR: medium error",
        0x14 => "DID_TRANSPORT_MARGINAL: transport marginal errors",
        n => return format!("host status {n:#04x}"),
    };
    s.to_string()
}

/// Text for a Linux driver byte (`DRIVER_*` in the low nibble, `SUGGEST_*` in the high one).
pub fn driver_status_text(driver: u16) -> String {
    let code = match driver & 0x0F {
        0x0 => "DRIVER_OK",
        0x1 => "DRIVER_BUSY",
        0x2 => "DRIVER_SOFT",
        0x3 => "DRIVER_MEDIA",
        0x4 => "DRIVER_ERROR",
        0x5 => "DRIVER_INVALID",
        0x6 => "DRIVER_TIMEOUT",
        0x7 => "DRIVER_HARD",
        0x8 => "DRIVER_SENSE",
        _ => "driver status",
    };
    let suggest = match driver & 0xF0 {
        0x00 => "",
        0x10 => ", SUGGEST_RETRY",
        0x20 => ", SUGGEST_ABORT",
        0x30 => ", SUGGEST_REMAP",
        0x40 => ", SUGGEST_DIE",
        0x80 => ", SUGGEST_SENSE",
        _ => ", SUGGEST_?",
    };
    format!("{code}{suggest} ({driver:#04x})")
}

fn open_node(path: &Path, write: bool, exclusive: bool) -> Result<fs::File, TransportError> {
    let mut flags = libc::O_NONBLOCK;
    if exclusive {
        flags |= libc::O_EXCL;
    }
    fs::OpenOptions::new()
        .read(true)
        .write(write)
        .custom_flags(flags)
        .open(path)
        .map_err(|e| map_open_error(path, e))
}

/// Maps an open(2) failure to the transport error a user can act on.
pub fn map_open_error(path: &Path, e: io::Error) -> TransportError {
    let path_buf = path.to_path_buf();
    match e.raw_os_error() {
        Some(libc::ENOENT) | Some(libc::ENXIO) | Some(libc::ENODEV) => {
            TransportError::NotFound { path: path_buf }
        }
        Some(libc::EACCES) | Some(libc::EPERM) | Some(libc::EROFS) => {
            let group = fs::metadata(path).ok().and_then(|m| group_name(m.gid()));
            TransportError::PermissionDenied {
                path: path_buf,
                group,
            }
        }
        Some(libc::EBUSY) => TransportError::Busy { path: path_buf },
        _ => TransportError::Open {
            path: path_buf,
            source: e,
        },
    }
}

/// Name of group `gid` from `/etc/group`.
pub fn group_name(gid: u32) -> Option<String> {
    let text = fs::read_to_string("/etc/group").ok()?;
    group_name_in(&text, gid)
}

fn group_name_in(etc_group: &str, gid: u32) -> Option<String> {
    etc_group.lines().find_map(|line| {
        let mut f = line.split(':');
        let name = f.next()?;
        let _password = f.next()?;
        let id: u32 = f.next()?.trim().parse().ok()?;
        (id == gid && !name.is_empty()).then(|| name.to_string())
    })
}

fn clear_nonblock(fd: &OwnedFd) {
    // SAFETY: F_GETFL on an open descriptor reads its status flags.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
    if flags >= 0 {
        // SAFETY: F_SETFL with the flags just read minus O_NONBLOCK.
        unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags & !libc::O_NONBLOCK) };
    }
}

fn sg_version(fd: &OwnedFd) -> io::Result<i32> {
    let mut v: libc::c_int = 0;
    // SAFETY: SG_GET_VERSION_NUM writes one int.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), SG_GET_VERSION_NUM, &mut v) };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(v)
    }
}

fn max_transfer_of(fd: &OwnedFd, rdev: (u32, u32), is_char: bool) -> usize {
    let queue = if is_char {
        let dir = format!("/sys/dev/char/{}:{}/device/block", rdev.0, rdev.1);
        fs::read_dir(dir)
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|e| e.ok())
            .map(|e| e.path().join("queue"))
    } else {
        Some(PathBuf::from(format!(
            "/sys/dev/block/{}:{}/queue",
            rdev.0, rdev.1
        )))
    };
    if let Some(limit) = queue.as_deref().and_then(queue_limit) {
        return limit;
    }
    blksectget(fd, is_char).unwrap_or(FALLBACK_MAX_TRANSFER)
}

/// The passthrough limit from a block queue directory (see the module documentation).
fn queue_limit(queue: &Path) -> Option<usize> {
    let read = |name: &str| -> Option<usize> {
        fs::read_to_string(queue.join(name))
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    let soft = read("max_sectors_kb").map(|kb| kb * 1024);
    let hard = read("max_hw_sectors_kb").map(|kb| kb * 1024);
    let page = page_size();
    let segs = read("max_segments").map(|n| n.saturating_sub(1) * page);
    [soft, hard, segs]
        .into_iter()
        .flatten()
        .filter(|&v| v > 0)
        .min()
}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(p).ok().filter(|&p| p > 0).unwrap_or(4096)
}

fn blksectget(fd: &OwnedFd, is_char: bool) -> Option<usize> {
    if is_char {
        let mut bytes: libc::c_int = 0;
        // SAFETY: on an sg node BLKSECTGET writes one int (bytes).
        let r = unsafe { libc::ioctl(fd.as_raw_fd(), BLKSECTGET, &mut bytes) };
        (r >= 0 && bytes > 0).then_some(bytes as usize)
    } else {
        let mut sectors: libc::c_ushort = 0;
        // SAFETY: on a block node BLKSECTGET writes one unsigned short (512-byte sectors).
        let r = unsafe { libc::ioctl(fd.as_raw_fd(), BLKSECTGET, &mut sectors) };
        (r >= 0 && sectors > 0).then_some(usize::from(sectors) * 512)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_limit_leaves_a_page_for_an_unaligned_buffer() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        // The limits of QEMU's scsi-cd under a Debian 6.1 guest kernel: a 1,040,384-byte
        // (254-page) READ into a malloc'd buffer needed 255 segments and failed with EINVAL.
        for (name, v) in [
            ("max_sectors_kb", "1280"),
            ("max_hw_sectors_kb", "32766"),
            ("max_segments", "254"),
        ] {
            fs::write(dir.join(name), v).unwrap();
        }
        assert_eq!(queue_limit(dir), Some(253 * page_size()));
        fs::write(dir.join("max_sectors_kb"), "64").unwrap();
        assert_eq!(queue_limit(dir), Some(64 * 1024));
    }

    #[test]
    fn sg_io_hdr_layout_matches_the_kernel() {
        // x86_64 and other LP64 targets: sizeof(struct sg_io_hdr) == 88.
        #[cfg(target_pointer_width = "64")]
        assert_eq!(std::mem::size_of::<SgIoHdr>(), 88);
    }

    #[test]
    fn missing_node_is_not_found_with_path() {
        let e = SgDevice::open(
            Path::new("/dev/does-not-exist-sg99"),
            &OpenOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(e, TransportError::NotFound { .. }), "{e:?}");
        assert!(e.to_string().contains("/dev/does-not-exist-sg99"));
    }

    #[test]
    fn regular_file_and_dev_null_are_not_scsi() {
        let f = tempfile::NamedTempFile::new().unwrap();
        let e = SgDevice::open(f.path(), &OpenOptions::default()).unwrap_err();
        assert!(matches!(e, TransportError::NotScsi { .. }), "{e:?}");
        let e = SgDevice::open(Path::new("/dev/null"), &OpenOptions::default()).unwrap_err();
        assert!(matches!(e, TransportError::NotScsi { .. }), "{e:?}");
        assert!(e.to_string().contains("SG_GET_VERSION_NUM"), "{e}");
    }

    #[test]
    fn errno_mapping() {
        let p = Path::new("/dev/null");
        let e = map_open_error(p, io::Error::from_raw_os_error(libc::EACCES));
        match &e {
            TransportError::PermissionDenied { group, .. } => {
                // /dev/null belongs to root's group on every Linux system.
                assert_eq!(group.as_deref(), Some("root"));
            }
            other => panic!("{other:?}"),
        }
        let msg = e.to_string();
        assert!(
            msg.contains("root") && msg.contains("group 'root'"),
            "{msg}"
        );
        assert!(matches!(
            map_open_error(p, io::Error::from_raw_os_error(libc::EBUSY)),
            TransportError::Busy { .. }
        ));
        assert!(matches!(
            map_open_error(p, io::Error::from_raw_os_error(libc::ENOENT)),
            TransportError::NotFound { .. }
        ));
        assert!(matches!(
            map_open_error(p, io::Error::from_raw_os_error(libc::EIO)),
            TransportError::Open { .. }
        ));
    }

    #[test]
    fn group_file_parsing() {
        let g = "root:x:0:\ncdrom:x:24:alice,bob\nbroken\ndisk:x:6:\n";
        assert_eq!(group_name_in(g, 24).as_deref(), Some("cdrom"));
        assert_eq!(group_name_in(g, 6).as_deref(), Some("disk"));
        assert_eq!(group_name_in(g, 99), None);
    }

    #[test]
    fn host_and_driver_status() {
        let t = Duration::from_secs(1);
        assert!(check_host_driver(0x12, 0, 0, t).is_ok());
        assert!(check_host_driver(0x12, 0, 0x08, t).is_ok()); // DRIVER_SENSE only
        assert!(matches!(
            check_host_driver(0x12, 0x03, 0, t),
            Err(TransportError::Timeout { opcode: 0x12, .. })
        ));
        assert!(matches!(
            check_host_driver(0x12, 0, 0x06, t),
            Err(TransportError::Timeout { .. })
        ));
        match check_host_driver(0x2A, 0x01, 0, t) {
            Err(TransportError::Host { opcode: 0x2A, text }) => {
                assert!(text.contains("DID_NO_CONNECT"), "{text}")
            }
            other => panic!("{other:?}"),
        }
        match check_host_driver(0x2A, 0, 0x24, t) {
            Err(TransportError::Host { text, .. }) => {
                assert_eq!(text, "DRIVER_ERROR, SUGGEST_ABORT (0x24)")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(host_status_text(0x99), "host status 0x99");
    }

    #[test]
    fn hctl_names() {
        assert_eq!(
            ScsiId::parse_hctl("2:0:1:0"),
            Some(ScsiId {
                host: 2,
                channel: 0,
                target: 1,
                lun: 0
            })
        );
        assert_eq!(ScsiId::parse_hctl("host0"), None);
        assert_eq!(ScsiId::parse_hctl("1:2:3"), None);
        assert_eq!(ScsiId::parse_hctl("1:2:3:4:5"), None);
        assert_eq!(
            ScsiId {
                host: 1,
                channel: 0,
                target: 3,
                lun: 0
            }
            .to_string(),
            "1:0:3:0"
        );
    }
}
