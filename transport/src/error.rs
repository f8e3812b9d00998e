//! Errors of the transport layer: the OS or host adapter failing to deliver a command.
//!
//! A device's CHECK CONDITION is not here: it is a [`crate::Completion`].

use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// The command could not be delivered, or its outcome is unknown.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The device node does not exist.
    #[error("{path}: no such device")]
    NotFound {
        /// Device path that was tried.
        path: PathBuf,
    },
    /// The OS refused access to the device node.
    #[error("{path}: permission denied: {}", permission_hint(group.as_deref()))]
    PermissionDenied {
        /// Device path that was tried.
        path: PathBuf,
        /// Name of the group owning the device node, where it could be found.
        group: Option<String>,
    },
    /// The device is opened exclusively by someone else (or mounted).
    #[error("{path}: device is busy (opened exclusively by another program, or mounted)")]
    Busy {
        /// Device path that was tried.
        path: PathBuf,
    },
    /// Any other failure opening a device.
    #[error("{path}: cannot open: {source}")]
    Open {
        /// Device path that was tried.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The device node is not a SCSI generic or SCSI CD-ROM device the backend can talk to.
    #[error("{path}: not a SCSI passthrough device: {reason}")]
    NotScsi {
        /// Device path.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// The passthrough call itself failed.
    #[error("{op} failed for opcode {opcode:02X}h: {source}")]
    Io {
        /// Which OS call failed (`SG_IO`, `DeviceIoControl`, `ExecuteTaskSync`).
        op: &'static str,
        /// Operation code of the command.
        opcode: u8,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The command did not complete in time; the device state is unknown.
    #[error("opcode {opcode:02X}h timed out after {after:?}")]
    Timeout {
        /// Operation code of the command.
        opcode: u8,
        /// The timeout that expired.
        after: Duration,
    },
    /// The host adapter or low-level driver reported an error.
    #[error("opcode {opcode:02X}h: host adapter error: {text}")]
    Host {
        /// Operation code of the command.
        opcode: u8,
        /// Decoded host/driver status.
        text: String,
    },
    /// The data phase is larger than this path carries in one command.
    #[error("opcode {opcode:02X}h: transfer of {len} bytes exceeds the maximum of {max}")]
    TooLarge {
        /// Operation code.
        opcode: u8,
        /// Requested length.
        len: usize,
        /// Maximum of the path.
        max: usize,
    },
    /// The transport is not available on this OS or in this build.
    #[error("{0}")]
    Unsupported(String),
    /// An error from a fault injector in tests.
    #[error("injected fault: {0}")]
    Injected(String),
}

/// What the user can do about a refused open: Windows needs an elevated process; Unix
/// needs root or membership in the group owning the device node.
fn permission_hint(group: Option<&str>) -> String {
    match group {
        Some("Administrators") => "run as Administrator (an elevated prompt)".to_string(),
        Some(g) => format!("run as root or as a member of the group '{g}' that owns the device"),
        None => "run as root or as a member of the group that owns the device".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_messages_name_the_remedy() {
        let e = |g: Option<&str>| TransportError::PermissionDenied {
            path: PathBuf::from("/dev/sg0"),
            group: g.map(str::to_string),
        };
        assert_eq!(
            e(Some("cdrom")).to_string(),
            "/dev/sg0: permission denied: run as root or as a member of the group 'cdrom' that owns the device"
        );
        assert!(e(None)
            .to_string()
            .contains("root or as a member of the group that owns"));
        assert!(e(Some("Administrators"))
            .to_string()
            .ends_with("run as Administrator (an elevated prompt)"));
    }
}
