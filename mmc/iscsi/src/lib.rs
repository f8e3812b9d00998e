//! An iSCSI target (RFC 7143) that serves drives behind the [`transport::Transport`] trait
//! as SCSI logical units, so that any iSCSI initiator (QEMU's libiscsi, Linux open-iscsi,
//! the Windows initiator) reaches them as it would a SCSI device.
//!
//! Layers, each in its own module: PDUs and digests ([`pdu`], [`crc32c`], RFC 7143 §11 and
//! §13.1), text keys ([`text`], §6.1), operational negotiation ([`params`], §6.2 and §13),
//! CHAP ([`chap`], §12.1.3), LUN addressing and the target's own SCSI answers ([`lun`],
//! SAM-5 §4.7, SPC-4 §6.33), the target and its sessions ([`target`]) and the per-connection
//! protocol engine (`conn`, login and full feature phase).
//!
//! What it does: discovery sessions (SendTargets), normal sessions with or without CHAP
//! (CHAP_A=5), header and data digests (CRC32C or None, the initiator's choice), SCSI
//! commands with Data-In (status in the last Data-In when GOOD), Data-Out with immediate
//! data, unsolicited data (InitialR2T=No) and R2T, sense data with every CHECK CONDITION,
//! NOP-Out/NOP-In, task management (ABORT TASK, ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT
//! RESET, TARGET WARM RESET, CLEAR ACA answered; TARGET COLD RESET and TASK REASSIGN
//! refused), logout, session reinstatement on reconnect, several sessions at once.
//!
//! Limits: ErrorRecoveryLevel 0 (a protocol error or a digest error ends the connection,
//! the initiator logs in again), one connection per session, one R2T outstanding per task,
//! no bidirectional commands, no CDBs over 16 bytes (extended CDB AHS), no mutual CHAP, no
//! target-initiated NOP-In pings or asynchronous messages. Malformed input never panics:
//! a Reject PDU or a closed connection, and a log line.
#![forbid(unsafe_code)]

pub mod chap;
mod conn;
pub mod crc32c;
#[doc(hidden)]
pub mod fuzzing;
pub mod lun;
pub mod params;
pub mod pdu;
pub mod target;
pub mod text;

pub use chap::Credentials;
pub use conn::MAX_TRANSFER;
pub use params::Offer;
pub use target::{Target, TargetConfig, TargetError, DEFAULT_NAME};
