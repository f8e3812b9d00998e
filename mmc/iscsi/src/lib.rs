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
pub mod lun;
pub mod params;
pub mod pdu;
pub mod target;
pub mod text;

pub use chap::Credentials;
pub use conn::MAX_TRANSFER;
pub use params::Offer;
pub use target::{Target, TargetConfig, TargetError, DEFAULT_NAME};

/// Parses `data` as a stream of PDUs the way a connection does (for the fuzz target and its
/// stable replay test): each PDU's header, AHS, data and, for Login and Text PDUs, its text
/// pairs and their negotiation; returns how many PDUs were read. Never panics.
pub fn parse_stream(mut data: &[u8]) -> usize {
    let offer = Offer::default();
    let mut limits = pdu::Limits::LOGIN;
    let mut n = 0;
    loop {
        let p = match pdu::read_pdu(&mut data, &limits) {
            Ok(p) => p,
            Err(_) => return n,
        };
        n += 1;
        let _ = lun::decode(p.bhs.lun());
        if matches!(
            p.bhs.opcode(),
            pdu::Opcode::LoginRequest | pdu::Opcode::TextRequest
        ) {
            if let Ok(pairs) = text::parse(&p.data) {
                let mut neg = params::Negotiated::new(&offer);
                for (k, v) in &pairs {
                    let _ = neg.answer(k, v, &offer);
                    let _ = text::binary(v);
                    let _ = text::number(v);
                }
                limits.header_digest = neg.header_digest;
                limits.data_digest = neg.data_digest;
            }
        }
        if p.bhs.opcode() == pdu::Opcode::ScsiCommand {
            let cdb = p.bhs.cdb_bytes();
            let _ = lun::absent(cdb);
            let _ = lun::report_luns(cdb, 3);
        }
        limits.max_recv_data_segment = 262_144;
    }
}
