//! One connection (and its one-connection session): the login phase (RFC 7143 §6.3, login
//! PDUs §11.12-11.13, CHAP §12.1.3) and the full feature phase (§4.2.2 ordering and
//! numbering, SCSI Command/Response §11.3-11.4, Data-Out/Data-In §11.7, R2T §11.8, Text
//! §11.10-11.11, Task Management §11.5-11.6, Logout §11.14-11.15, Reject §11.17, NOP
//! §11.18-11.19), at ErrorRecoveryLevel 0 (§7.1.5: a protocol error ends the connection).
//!
//! Commands are executed in CmdSN order as soon as their data is in; a write's data arrives
//! as immediate data, unsolicited Data-Out (when InitialR2T=No) and then one R2T at a time
//! (MaxOutstandingR2T=1) of at most MaxBurstLength each. Reads go back as Data-In PDUs of
//! the initiator's MaxRecvDataSegmentLength with the status in the last one when the command
//! ended GOOD (§11.7.4 "phase collapse"); a CHECK CONDITION goes in a SCSI Response with the
//! sense data in its data segment (§11.4.7).

use std::collections::{HashMap, HashSet};
use std::io::{BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use transport::{Cdb, DataPhase, Request, ScsiStatus, Transport};

use crate::chap::{Challenge, Credentials};
use crate::lun;
use crate::params::{Answer, Negotiated};
use crate::pdu::{
    self, flag, off, read_pdu, sn_lt, Bhs, Limits, Opcode, Pdu, PduError, RESERVED_TAG,
};
use crate::target::{SessionEntry, Shared, PORTAL_GROUP_TAG};
use crate::text;

/// Commands the initiator may have outstanding: MaxCmdSN = ExpCmdSN + QUEUE - 1 (§4.2.2.1).
const QUEUE: u32 = 32;
/// Largest data transfer of one command (a drive's own limit may be lower).
pub const MAX_TRANSFER: usize = 64 << 20;
/// How long a command may run on the drive.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(600);
/// Most bytes all the write tasks of one connection that wait for their data may announce
/// (their Expected Data Transfer Lengths); with [`QUEUE`] tasks at most, it bounds what an
/// initiator can make the target hold by announcing writes it never completes.
const MAX_PENDING_WRITE: usize = 64 << 20;
/// Most aborted or refused write tasks whose late Data-Out PDUs are dropped quietly.
const MAX_DISCARDED: usize = 256;

/// Reject reasons (RFC 7143 §11.17.1).
mod reason {
    /// 02h Data (payload) digest error.
    pub const DATA_DIGEST: u8 = 0x02;
    /// 04h Protocol Error.
    pub const PROTOCOL: u8 = 0x04;
    /// 05h Command not supported.
    pub const NOT_SUPPORTED: u8 = 0x05;
    /// 09h Invalid PDU field.
    pub const INVALID_FIELD: u8 = 0x09;
}

/// Login status class and detail (RFC 7143 §11.13.5).
mod status {
    pub const INITIATOR_ERROR: u16 = 0x0200;
    pub const AUTH_FAILURE: u16 = 0x0201;
    pub const NOT_FOUND: u16 = 0x0203;
    pub const UNSUPPORTED_VERSION: u16 = 0x0205;
    pub const TOO_MANY_CONNECTIONS: u16 = 0x0206;
    pub const MISSING_PARAMETER: u16 = 0x0207;
    pub const SESSION_DOES_NOT_EXIST: u16 = 0x020A;
    pub const INVALID_DURING_LOGIN: u16 = 0x020B;
}

/// The residual of a command (RFC 7143 §11.4.5.1): U with the bytes of the Expected Data
/// Transfer Length not moved, or O with the bytes the command would have moved beyond it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resid {
    None,
    Under(usize),
    Over(usize),
}

impl Resid {
    fn under(n: usize) -> Self {
        if n == 0 {
            Resid::None
        } else {
            Resid::Under(n)
        }
    }

    /// Sets the O or U flag and the Residual Count.
    fn apply(self, b: &mut Bhs, fl: &mut u8) {
        let (f, n) = match self {
            Resid::None => return,
            Resid::Under(n) => (flag::UNDERFLOW, n),
            Resid::Over(n) => (flag::OVERFLOW, n),
        };
        *fl |= f;
        b.set_u32(off::WORD11, u32::try_from(n).unwrap_or(u32::MAX));
    }
}

/// The fewest Data-Out bytes a WRITE(10) (2Ah) or WRITE(12) (AAh) CDB needs: its transfer
/// length in blocks of 2048 bytes, the smallest block of CD/DVD/BD user data (MMC-6 §6.44,
/// §6.45; a CD-DA block is 2352), except at a negative LBA (the lead-in, bit 31 set):
/// there a session-at-once writer sends CD-TEXT as 96-byte R-W sub-channel blocks (MMC-6
/// §4.2.3.5, as cdrecord and libburn write it), so 96 bytes a block; None for other
/// commands.
fn write_bound(cdb: &[u8]) -> Option<usize> {
    let be = |at: usize, n: usize| -> Option<usize> {
        cdb.get(at..at + n)
            .map(|b| b.iter().fold(0usize, |v, &x| (v << 8) | usize::from(x)))
    };
    let lead_in = cdb.get(2).is_some_and(|b| b & 0x80 != 0);
    let block = if lead_in { 96 } else { 2048 };
    match *cdb.first()? {
        0x2A => be(7, 2).map(|b| b * block),
        0xAA => be(6, 4).map(|b| b.saturating_mul(block)),
        _ => None,
    }
}

#[cfg(test)]
mod write_bound_tests {
    use super::write_bound;

    #[test]
    fn lead_in_writes_take_96_byte_blocks() {
        // WRITE(10) of 300 blocks at LBA -11634 (the CD-TEXT of a lead-in): 300 x 96
        let b = (-11634i32).to_be_bytes();
        let w = [0x2A, 0, b[0], b[1], b[2], b[3], 0, 0x01, 0x2C, 0];
        assert_eq!(write_bound(&w), Some(300 * 96));
        assert_eq!(write_bound(&[0x2A, 0, 0, 0, 0, 16, 0, 0, 2, 0]), Some(4096));
        assert_eq!(
            write_bound(&[0xAA, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0]),
            Some(3 * 2048)
        );
        assert_eq!(write_bound(&[0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0]), None);
    }
}

/// Why a connection ended.
#[derive(Debug, thiserror::Error)]
enum ConnError {
    #[error(transparent)]
    Pdu(#[from] PduError),
    #[error("login refused (status {status:#06x}): {reason}")]
    Login { status: u16, reason: String },
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("connection: {0}")]
    Io(#[from] std::io::Error),
}

/// Runs one connection to its end and logs how it ended.
pub(crate) fn run<T: Transport + Send>(
    shared: &Arc<Shared<T>>,
    stream: TcpStream,
    peer: SocketAddr,
    id: u64,
) {
    let _ = stream.set_nodelay(true);
    let reader = match stream.try_clone() {
        Ok(s) => BufReader::with_capacity(256 * 1024, s),
        Err(e) => {
            log::warn!("iSCSI {peer}: {e}");
            return;
        }
    };
    let mut c = Conn {
        shared,
        reader,
        stream,
        peer,
        id,
        stat_sn: 0,
        exp_cmd_sn: 0,
        neg: Negotiated::new(&shared.config.offer),
        limits: Limits::LOGIN,
        discovery: false,
        session_key: None,
        tasks: HashMap::new(),
        discard: HashSet::new(),
        next_ttt: 1,
        seen_resets: shared
            .resets
            .iter()
            .map(|r| r.load(Ordering::SeqCst))
            .collect(),
    };
    let end = c.login().and_then(|()| c.full_feature());
    match end {
        Ok(()) | Err(ConnError::Pdu(PduError::Closed)) => {
            log::info!("iSCSI {peer}: connection closed")
        }
        Err(e) => log::warn!("iSCSI {peer}: {e}; connection closed"),
    }
    let _ = c.stream.shutdown(Shutdown::Both);
    if let Some(key) = c.session_key.take() {
        let mut s = shared
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if s.get(&key).is_some_and(|e| e.conn_id == id) {
            s.remove(&key);
        }
    }
}

/// A write command waiting for its data.
#[derive(Debug)]
struct WriteTask {
    lun: [u8; 8],
    cdb: Cdb,
    /// The data received so far (DataPDUInOrder=Yes: always the first `received` bytes):
    /// it grows as the data comes, so a large Expected Data Transfer Length costs nothing
    /// until the initiator really sends that much.
    buf: Vec<u8>,
    /// The Expected Data Transfer Length.
    total: usize,
    received: usize,
    /// Unsolicited Data-Out PDUs still expected (InitialR2T=No and F=0 on the command).
    unsolicited: bool,
    /// Bytes the unsolicited burst may reach.
    unsolicited_end: usize,
    /// The R2T being answered: (TTT, end offset).
    r2t: Option<(u32, usize)>,
    r2t_sn: u32,
    data_sn: u32,
}

/// Authentication progress in the security stage.
#[derive(Debug)]
enum Auth {
    /// No AuthMethod agreed yet.
    Start,
    /// AuthMethod=CHAP agreed, waiting for CHAP_A.
    ChapChosen,
    /// Challenge sent, waiting for CHAP_N/CHAP_R.
    ChapSent(Challenge),
    /// Authenticated (or AuthMethod=None).
    Done,
}

struct Conn<'a, T> {
    shared: &'a Arc<Shared<T>>,
    reader: BufReader<TcpStream>,
    stream: TcpStream,
    peer: SocketAddr,
    id: u64,
    stat_sn: u32,
    exp_cmd_sn: u32,
    neg: Negotiated,
    limits: Limits,
    discovery: bool,
    session_key: Option<(String, [u8; 6])>,
    tasks: HashMap<u32, WriteTask>,
    discard: HashSet<u32>,
    next_ttt: u32,
    /// The reset count of each logical unit this connection has answered for.
    seen_resets: Vec<u64>,
}

fn login_flags(bhs: &Bhs) -> (bool, bool, u8, u8) {
    let f = bhs.flags();
    (
        f & flag::TRANSIT != 0,
        f & flag::CONTINUE != 0,
        (f >> 2) & 3,
        f & 3,
    )
}

impl<T: Transport + Send> Conn<'_, T> {
    fn max_cmd_sn(&self) -> u32 {
        self.exp_cmd_sn.wrapping_add(QUEUE - 1)
    }

    /// Fills StatSN (advancing it when `advance`), ExpCmdSN and MaxCmdSN (§11.2: bytes
    /// 24-35 of every target PDU that has them).
    fn number(&mut self, bhs: &mut Bhs, advance: bool) {
        bhs.set_u32(off::SN1, self.stat_sn);
        if advance {
            self.stat_sn = self.stat_sn.wrapping_add(1);
        }
        bhs.set_u32(off::SN2, self.exp_cmd_sn);
        bhs.set_u32(off::WORD8, self.max_cmd_sn());
    }

    fn send(&mut self, bhs: &Bhs, data: &[u8]) -> Result<(), ConnError> {
        let bytes = pdu::encode_pdu(
            bhs,
            data,
            self.limits.header_digest,
            self.limits.data_digest,
        );
        self.stream.write_all(&bytes)?;
        Ok(())
    }

    /// A Reject PDU carrying the offending header (§11.17).
    fn reject(&mut self, bad: &Bhs, why: u8) -> Result<(), ConnError> {
        let mut b = Bhs::new(Opcode::Reject);
        b.set_flags(flag::FINAL);
        b.set_byte(off::BYTE2, why);
        b.set_itt(RESERVED_TAG);
        self.number(&mut b, true);
        self.send(&b, bad.as_bytes())
    }

    // ---- login phase -------------------------------------------------------------------

    fn login_response(
        &mut self,
        req: &Bhs,
        flags: u8,
        tsih: u16,
        status: u16,
        data: &[u8],
    ) -> Result<(), ConnError> {
        let mut b = Bhs::new(Opcode::LoginResponse);
        b.set_flags(flags);
        b.set_byte(off::BYTE2, 0); // Version-max
        b.set_byte(off::BYTE3, 0); // Version-active
        b.set_isid(req.isid());
        b.set_u16(off::TSIH, tsih);
        b.set_itt(req.itt());
        self.number(&mut b, true);
        b.set_u16(off::WORD9, status);
        self.send(&b, data)
    }

    fn refuse(&mut self, req: &Bhs, status: u16, reason: String) -> ConnError {
        if let Err(e) = self.login_response(req, 0, 0, status, &[]) {
            log::debug!("iSCSI {}: login response not sent: {e}", self.peer);
        }
        ConnError::Login { status, reason }
    }

    fn login(&mut self) -> Result<(), ConnError> {
        let shared = self.shared;
        let config = &shared.config;
        let chap: Option<Credentials> = config.chap.clone();
        let offer = config.offer;
        let mut first = true;
        let mut auth = Auth::Start;
        let mut stage: u8 = 0;
        let mut pending: Vec<u8> = Vec::new();
        let mut initiator = String::new();
        let mut target_name: Option<String> = None;
        let mut sent_tpgt = false;
        let mut sent_mrdsl = false;
        loop {
            let p = match read_pdu(&mut self.reader, &self.limits) {
                Ok(p) => p,
                Err(e) => {
                    // A login request that cannot be taken (over the 8192 bytes of §13.12's
                    // login default, a malformed AHS) is an initiator error (§11.13.5,
                    // 0200h): a Login reject, then the close. Anything else just closes.
                    let bhs = match &e {
                        PduError::Oversized { bhs, .. } | PduError::BadAhs { bhs, .. } => {
                            Some(*bhs)
                        }
                        _ => None,
                    };
                    if let Some(bhs) = bhs.filter(|b| b.opcode() == Opcode::LoginRequest) {
                        if first {
                            self.stat_sn = bhs.u32_at(off::SN2);
                            self.exp_cmd_sn = bhs.u32_at(off::SN1);
                        }
                        return Err(self.refuse(&bhs, status::INITIATOR_ERROR, e.to_string()));
                    }
                    return Err(e.into());
                }
            };
            let req = p.bhs;
            if req.opcode() != Opcode::LoginRequest {
                // §6.3: before the login phase has started, the connection is terminated at
                // once; once it has, with a Login reject "invalid during login" (020Bh).
                if first {
                    return Err(ConnError::Protocol(format!(
                        "{:?} before login (only a Login Request may come first, §6.3)",
                        req.opcode()
                    )));
                }
                return Err(self.refuse(
                    &req,
                    status::INVALID_DURING_LOGIN,
                    format!(
                        "{:?} during login (only Login Requests may be sent, §6.3)",
                        req.opcode()
                    ),
                ));
            }
            let (transit, cont, csg, nsg) = login_flags(&req);
            if first {
                self.stat_sn = req.u32_at(off::SN2);
                self.exp_cmd_sn = req.u32_at(off::SN1);
                let (vmax, vmin) = (req.byte(off::BYTE2), req.byte(off::BYTE3));
                if vmin > 0 || vmax < vmin {
                    return Err(self.refuse(
                        &req,
                        status::UNSUPPORTED_VERSION,
                        format!("versions {vmin}..{vmax}; this target speaks version 0"),
                    ));
                }
                if csg != 0 && csg != 1 {
                    return Err(self.refuse(
                        &req,
                        status::INITIATOR_ERROR,
                        format!("login starts in stage {csg}"),
                    ));
                }
                stage = csg;
            } else if csg != stage {
                return Err(self.refuse(
                    &req,
                    status::INITIATOR_ERROR,
                    format!("login request in stage {csg} while in stage {stage}"),
                ));
            }
            if pending.len() + p.data.len() > 64 * 1024 {
                return Err(self.refuse(
                    &req,
                    status::INITIATOR_ERROR,
                    "login text over 64 KiB".into(),
                ));
            }
            pending.extend_from_slice(&p.data);
            if cont {
                // §11.12.2: more text follows; acknowledge with an empty response.
                let fl = csg << 2;
                self.login_response(&req, fl, 0, 0, &[])?;
                first = false;
                continue;
            }
            let pairs = match text::parse(&pending) {
                Ok(p) => p,
                Err(e) => return Err(self.refuse(&req, status::INITIATOR_ERROR, e.to_string())),
            };
            pending.clear();
            let mut reply: Vec<(String, String)> = Vec::new();
            let mut chap_n: Option<String> = None;
            let mut chap_r: Option<String> = None;
            for (k, v) in &pairs {
                match k.as_str() {
                    "InitiatorName" => initiator = v.clone(),
                    "InitiatorAlias" => {}
                    "TargetName" => target_name = Some(v.clone()),
                    "SessionType" => match v.as_str() {
                        "Discovery" => self.discovery = true,
                        "Normal" => self.discovery = false,
                        _ => {
                            return Err(self.refuse(
                                &req,
                                status::INITIATOR_ERROR,
                                format!("SessionType={v}"),
                            ))
                        }
                    },
                    "AuthMethod" | "CHAP_A" | "CHAP_N" | "CHAP_R" | "CHAP_I" | "CHAP_C"
                        if csg != 0 =>
                    {
                        return Err(self.refuse(
                            &req,
                            status::INVALID_DURING_LOGIN,
                            format!("{k} outside the security stage"),
                        ));
                    }
                    "AuthMethod" => {
                        let offered: Vec<&str> = v.split(',').collect();
                        let pick = if chap.is_some() {
                            offered.contains(&"CHAP").then_some("CHAP")
                        } else {
                            offered.contains(&"None").then_some("None")
                        };
                        match pick {
                            Some("CHAP") => auth = Auth::ChapChosen,
                            Some(_) => auth = Auth::Done,
                            None => {
                                let why = if chap.is_some() {
                                    format!("AuthMethod={v}: this target requires CHAP")
                                } else {
                                    format!("AuthMethod={v}: this target has no CHAP secret; offer None")
                                };
                                return Err(self.refuse(&req, status::AUTH_FAILURE, why));
                            }
                        }
                        reply.push((k.clone(), pick.unwrap_or("None").to_string()));
                    }
                    "CHAP_A" => {
                        if !matches!(auth, Auth::ChapChosen) {
                            return Err(self.refuse(
                                &req,
                                status::AUTH_FAILURE,
                                "CHAP_A before AuthMethod=CHAP".into(),
                            ));
                        }
                        if !v.split(',').any(|a| a == "5") {
                            return Err(self.refuse(
                                &req,
                                status::AUTH_FAILURE,
                                format!("CHAP_A={v}: only 5 (MD5) is offered"),
                            ));
                        }
                        let ch = match Challenge::random() {
                            Ok(c) => c,
                            Err(e) => return Err(self.refuse(&req, 0x0300, e.to_string())),
                        };
                        reply.push(("CHAP_A".into(), "5".into()));
                        reply.push(("CHAP_I".into(), ch.id.to_string()));
                        reply.push(("CHAP_C".into(), text::hex(&ch.bytes)));
                        auth = Auth::ChapSent(ch);
                    }
                    "CHAP_N" => chap_n = Some(v.clone()),
                    "CHAP_R" => chap_r = Some(v.clone()),
                    "CHAP_I" | "CHAP_C" => {
                        return Err(self.refuse(
                            &req,
                            status::AUTH_FAILURE,
                            "mutual CHAP (the initiator's CHAP_I/CHAP_C) is not offered by this target".into(),
                        ));
                    }
                    "TargetAlias" | "TargetAddress" | "TargetPortalGroupTag" => {
                        // Sent by targets only (§13.6, §13.8, §13.9).
                        reply.push((k.clone(), "Reject".into()));
                    }
                    _ => match self.neg.answer(k, v, &offer) {
                        Answer::Reply(a) => reply.push((k.clone(), a)),
                        Answer::Declared => {}
                        Answer::NotOperational => reply.push((k.clone(), "NotUnderstood".into())),
                    },
                }
            }
            if first {
                if initiator.is_empty() {
                    return Err(self.refuse(
                        &req,
                        status::MISSING_PARAMETER,
                        "no InitiatorName in the first login request".into(),
                    ));
                }
                if !self.discovery {
                    match &target_name {
                        None => {
                            return Err(self.refuse(
                                &req,
                                status::MISSING_PARAMETER,
                                "no TargetName for a normal session".into(),
                            ))
                        }
                        Some(t) if *t != config.name => {
                            return Err(self.refuse(
                                &req,
                                status::NOT_FOUND,
                                format!("no target {t} here (this is {})", config.name),
                            ))
                        }
                        Some(_) => {}
                    }
                }
                let tsih = req.u16_at(off::TSIH);
                if tsih != 0 {
                    let exists = self
                        .shared
                        .sessions
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .values()
                        .any(|e| e.tsih == tsih);
                    let (st, why) = if exists {
                        (
                            status::TOO_MANY_CONNECTIONS,
                            "a second connection to a session (MaxConnections=1)",
                        )
                    } else {
                        (
                            status::SESSION_DOES_NOT_EXIST,
                            "a connection to a session that does not exist",
                        )
                    };
                    return Err(self.refuse(&req, st, why.into()));
                }
            }
            if chap_n.is_some() || chap_r.is_some() {
                let ok = match (
                    &auth,
                    &chap,
                    &chap_n,
                    chap_r.as_deref().and_then(text::binary),
                ) {
                    (Auth::ChapSent(ch), Some(cred), Some(n), Some(r)) => cred.verify(ch, n, &r),
                    _ => false,
                };
                if !ok {
                    return Err(self.refuse(
                        &req,
                        status::AUTH_FAILURE,
                        format!("CHAP: wrong user name or secret from {initiator}"),
                    ));
                }
                auth = Auth::Done;
            }
            if matches!(auth, Auth::Start) && (csg == 1 || transit) {
                // AuthMethod defaults to None (§12.1): acceptable only without CHAP.
                if chap.is_some() {
                    return Err(self.refuse(
                        &req,
                        status::AUTH_FAILURE,
                        "this target requires CHAP authentication".into(),
                    ));
                }
                auth = Auth::Done;
            }
            let mut go = transit;
            if go && !(nsg == 1 || nsg == 3) || go && nsg <= csg {
                return Err(self.refuse(
                    &req,
                    status::INITIATOR_ERROR,
                    format!("transit from stage {csg} to {nsg}"),
                ));
            }
            if go && csg == 0 && !matches!(auth, Auth::Done) {
                go = false; // CHAP still under way: stay in the security stage
            }
            if !sent_tpgt && !self.discovery {
                // §13.9: returned in the first Login Response of a normal session.
                reply.push(("TargetPortalGroupTag".into(), PORTAL_GROUP_TAG.to_string()));
                sent_tpgt = true;
            }
            let finishing = go && nsg == 3;
            if !sent_mrdsl && (csg == 1 || finishing) {
                reply.push((
                    "MaxRecvDataSegmentLength".into(),
                    offer.max_recv_data_segment.to_string(),
                ));
                sent_mrdsl = true;
            }
            let mut fl = csg << 2;
            if go {
                fl |= flag::TRANSIT | nsg;
            }
            let tsih = if finishing {
                self.register(&initiator, req.isid())
            } else {
                0
            };
            self.login_response(&req, fl, tsih, 0, &text::encode(&reply))?;
            first = false;
            if go {
                stage = nsg;
            }
            if finishing {
                self.limits = Limits {
                    max_recv_data_segment: offer.max_recv_data_segment as usize,
                    header_digest: self.neg.header_digest,
                    data_digest: self.neg.data_digest,
                };
                log::info!(
                    "iSCSI {}: {} logged in ({} session, digests {}/{}, burst {}/{}, InitialR2T={}, ImmediateData={})",
                    self.peer,
                    initiator,
                    if self.discovery { "discovery" } else { "normal" },
                    self.neg.header_digest,
                    self.neg.data_digest,
                    self.neg.effective_first_burst(),
                    self.neg.max_burst,
                    self.neg.initial_r2t,
                    self.neg.immediate_data
                );
                return Ok(());
            }
        }
    }

    /// Registers the new session, replacing (and closing) one of the same initiator name
    /// and ISID: session reinstatement (§6.3.5).
    fn register(&mut self, initiator: &str, isid: [u8; 6]) -> u16 {
        let tsih = self.shared.new_tsih();
        let key = (initiator.to_string(), isid);
        if let Ok(stream) = self.stream.try_clone() {
            let old = self
                .shared
                .sessions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(
                    key.clone(),
                    SessionEntry {
                        tsih,
                        conn_id: self.id,
                        stream,
                    },
                );
            if let Some(old) = old {
                log::info!("iSCSI {}: {initiator} reinstates its session (TSIH {}), closing the old connection", self.peer, old.tsih);
                let _ = old.stream.shutdown(Shutdown::Both);
            }
        }
        self.session_key = Some(key);
        tsih
    }

    // ---- full feature phase ------------------------------------------------------------

    fn full_feature(&mut self) -> Result<(), ConnError> {
        loop {
            let p = match read_pdu(&mut self.reader, &self.limits) {
                Ok(p) => p,
                Err(e) => {
                    let (bhs, why) = match &e {
                        PduError::Oversized { bhs, .. } => (*bhs, reason::PROTOCOL),
                        PduError::BadAhs { bhs, .. } => (*bhs, reason::INVALID_FIELD),
                        PduError::DataDigest { bhs, .. } => (*bhs, reason::DATA_DIGEST),
                        _ => return Err(e.into()),
                    };
                    // At ErrorRecoveryLevel 0 the stream cannot be trusted past this PDU.
                    self.reject(&bhs, why)?;
                    return Err(e.into());
                }
            };
            match p.bhs.opcode() {
                Opcode::NopOut => self.nop_out(&p)?,
                Opcode::ScsiCommand if self.discovery => {
                    log::warn!(
                        "iSCSI {}: SCSI command in a discovery session rejected",
                        self.peer
                    );
                    self.reject(&p.bhs, reason::PROTOCOL)?;
                }
                Opcode::ScsiCommand => {
                    if self.check_cmd_sn(&p.bhs)? {
                        self.scsi_command(p)?;
                    }
                }
                Opcode::DataOut => self.data_out(p)?,
                Opcode::TaskMgmtRequest => {
                    if self.check_cmd_sn(&p.bhs)? {
                        self.task_management(&p.bhs)?;
                    }
                }
                Opcode::TextRequest => {
                    if self.check_cmd_sn(&p.bhs)? {
                        self.text(&p)?;
                    }
                }
                Opcode::LogoutRequest => {
                    if self.check_cmd_sn(&p.bhs)? {
                        return self.logout(&p.bhs);
                    }
                }
                Opcode::LoginRequest => {
                    self.reject(&p.bhs, reason::PROTOCOL)?;
                    return Err(ConnError::Protocol(
                        "Login Request in the full feature phase".into(),
                    ));
                }
                Opcode::Snack => {
                    // §7.1.5: SNACK support is required only at ErrorRecoveryLevel > 0.
                    log::warn!(
                        "iSCSI {}: SNACK at ErrorRecoveryLevel 0 rejected",
                        self.peer
                    );
                    self.reject(&p.bhs, reason::PROTOCOL)?;
                }
                other => {
                    log::warn!(
                        "iSCSI {}: opcode {:#04x} ({other:?}) rejected as not supported",
                        self.peer,
                        other.bits()
                    );
                    self.reject(&p.bhs, reason::NOT_SUPPORTED)?;
                }
            }
        }
    }

    /// §4.2.2.1: a non-immediate command must carry ExpCmdSN. One outside the window
    /// (old, or beyond MaxCmdSN) is ignored as the RFC says ("MUST silently ignore"), with a
    /// log line; one inside the window but ahead leaves a gap that nothing can fill on a
    /// session of one connection: the connection is rejected and closed.
    fn check_cmd_sn(&mut self, bhs: &Bhs) -> Result<bool, ConnError> {
        if bhs.immediate() {
            return Ok(true);
        }
        let sn = bhs.u32_at(off::SN1);
        if sn == self.exp_cmd_sn {
            self.exp_cmd_sn = self.exp_cmd_sn.wrapping_add(1);
            return Ok(true);
        }
        if sn_lt(sn, self.exp_cmd_sn) || sn_lt(self.max_cmd_sn(), sn) {
            log::warn!(
                "iSCSI {}: {:?} with CmdSN {sn} outside the window {}..={} ignored (RFC 7143 §4.2.2.1)",
                self.peer,
                bhs.opcode(),
                self.exp_cmd_sn,
                self.max_cmd_sn()
            );
            return Ok(false);
        }
        self.reject(bhs, reason::PROTOCOL)?;
        Err(ConnError::Protocol(format!(
            "CmdSN {sn} while {} was expected: a gap one connection cannot fill",
            self.exp_cmd_sn
        )))
    }

    fn nop_out(&mut self, p: &Pdu) -> Result<(), ConnError> {
        let itt = p.bhs.itt();
        if !p.bhs.immediate() && !self.check_cmd_sn(&p.bhs)? {
            return Ok(());
        }
        if itt == RESERVED_TAG {
            return Ok(()); // a ping that wants no answer (§11.18.1)
        }
        let mut b = Bhs::new(Opcode::NopIn);
        b.set_flags(flag::FINAL);
        b.set_lun(p.bhs.lun());
        b.set_itt(itt);
        b.set_u32(off::WORD5, RESERVED_TAG);
        self.number(&mut b, true);
        let echo = &p.data[..p.data.len().min(self.neg.initiator_max_recv as usize)];
        self.send(&b, echo)
    }

    fn text(&mut self, p: &Pdu) -> Result<(), ConnError> {
        if p.bhs.flags() & flag::CONTINUE != 0 {
            log::warn!("iSCSI {}: continued Text Request not supported", self.peer);
            return self.reject(&p.bhs, reason::NOT_SUPPORTED);
        }
        let pairs = match text::parse(&p.data) {
            Ok(p) => p,
            Err(e) => {
                log::warn!("iSCSI {}: Text Request: {e}", self.peer);
                return self.reject(&p.bhs, reason::INVALID_FIELD);
            }
        };
        let name = self.shared.config.name.clone();
        let mut reply: Vec<(String, String)> = Vec::new();
        for (k, v) in pairs {
            match k.as_str() {
                // §13.3: All (discovery), our name, or empty (this session's target).
                "SendTargets" => {
                    if v == "All" || v.is_empty() || v == name {
                        let addr = match self.stream.local_addr() {
                            Ok(SocketAddr::V6(a)) => format!("[{}]:{}", a.ip(), a.port()),
                            Ok(a) => a.to_string(),
                            Err(e) => return Err(e.into()),
                        };
                        reply.push(("TargetName".into(), name.clone()));
                        reply.push(("TargetAddress".into(), format!("{addr},{PORTAL_GROUP_TAG}")));
                    }
                }
                "MaxRecvDataSegmentLength" => {
                    let offer = self.shared.config.offer;
                    if let Answer::Reply(a) = self.neg.answer(&k, &v, &offer) {
                        reply.push((k, a));
                    }
                }
                _ => reply.push((k, "NotUnderstood".into())),
            }
        }
        let data = text::encode(&reply);
        if data.len() > self.neg.initiator_max_recv as usize {
            log::warn!(
                "iSCSI {}: Text Response over the initiator's MaxRecvDataSegmentLength",
                self.peer
            );
            return self.reject(&p.bhs, reason::NOT_SUPPORTED);
        }
        let mut b = Bhs::new(Opcode::TextResponse);
        b.set_flags(flag::FINAL);
        b.set_itt(p.bhs.itt());
        b.set_u32(off::WORD5, RESERVED_TAG);
        self.number(&mut b, true);
        self.send(&b, &data)
    }

    fn logout(&mut self, bhs: &Bhs) -> Result<(), ConnError> {
        let why = bhs.flags() & 0x7F;
        // §11.15.1: 0 closed successfully; 2 connection recovery is not supported.
        let response = if why == 2 { 2 } else { 0 };
        let mut b = Bhs::new(Opcode::LogoutResponse);
        b.set_flags(flag::FINAL);
        b.set_byte(off::BYTE2, response);
        b.set_itt(bhs.itt());
        self.number(&mut b, true);
        self.send(&b, &[])?;
        log::info!("iSCSI {}: logout (reason {why})", self.peer);
        Ok(())
    }

    fn task_management(&mut self, bhs: &Bhs) -> Result<(), ConnError> {
        let function = bhs.flags() & 0x7F;
        let lun = bhs.lun();
        let referenced = bhs.u32_at(off::WORD5);
        let lun_ok =
            lun::decode(lun).is_some_and(|n| n >= 1 && usize::from(n) <= self.shared.luns.len());
        // §11.6.1 responses: 0 complete, 1 task does not exist, 2 LUN does not exist,
        // 4 task allegiance reassignment not supported, 5 function not supported.
        let response = match function {
            // ABORT TASK
            1 => {
                if let Some(t) = self.tasks.remove(&referenced) {
                    log::info!(
                        "iSCSI {}: ABORT TASK {referenced:#x} ({}) before it ran",
                        self.peer,
                        t.cdb
                    );
                    self.forget(referenced);
                    0
                } else {
                    // §11.5.1 b) and c): no such task (commands run as soon as their data is
                    // in, so a completed one is gone). If RefCmdSN is within the CmdSN
                    // window (ExpCmdSN..=MaxCmdSN) and before this request's CmdSN, the
                    // command is considered received and the answer is Function complete
                    // (it cannot arrive later on a session of one connection: its CmdSN
                    // would be old); outside the window, Task does not exist.
                    let ref_sn = bhs.u32_at(off::WORD8);
                    let own_sn = bhs.u32_at(off::SN1);
                    let in_window =
                        !sn_lt(ref_sn, self.exp_cmd_sn) && !sn_lt(self.max_cmd_sn(), ref_sn);
                    if in_window && sn_lt(ref_sn, own_sn) {
                        0
                    } else {
                        1
                    }
                }
            }
            // ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT RESET
            2 | 4 | 5 => {
                if !lun_ok {
                    2
                } else {
                    let gone: Vec<u32> = self
                        .tasks
                        .iter()
                        .filter(|(_, t)| t.lun == lun)
                        .map(|(k, _)| *k)
                        .collect();
                    for k in gone {
                        self.tasks.remove(&k);
                        self.forget(k);
                    }
                    if function == 5 {
                        self.reset_lun(lun);
                    }
                    log::info!(
                        "iSCSI {}: task management function {function} on LUN {:?}",
                        self.peer,
                        lun::decode(lun)
                    );
                    0
                }
            }
            // CLEAR ACA: no ACA is ever established (NACA is not honoured): nothing to clear.
            3 => 0,
            // TARGET WARM RESET: this session's tasks are dropped.
            6 => {
                let gone: Vec<u32> = self.tasks.keys().copied().collect();
                for k in gone {
                    self.tasks.remove(&k);
                    self.forget(k);
                }
                for r in &self.shared.resets {
                    r.fetch_add(1, Ordering::SeqCst);
                }
                log::info!("iSCSI {}: TARGET WARM RESET", self.peer);
                0
            }
            // TARGET COLD RESET would drop every connection of every initiator: refused.
            7 => 5,
            // TASK REASSIGN needs ErrorRecoveryLevel 2 (§11.5.1).
            8 => 4,
            _ => 5,
        };
        let mut b = Bhs::new(Opcode::TaskMgmtResponse);
        b.set_flags(flag::FINAL);
        b.set_byte(off::BYTE2, response);
        b.set_itt(bhs.itt());
        self.number(&mut b, true);
        self.send(&b, &[])
    }

    /// A logical unit reset: every connection's next command to it (this one's too) gets
    /// the unit attention SAM-5 asks for, and a write another connection still collects data
    /// for ends in it instead of reaching the drive.
    fn reset_lun(&self, lun_field: [u8; 8]) {
        if let Some(r) = lun::decode(lun_field)
            .and_then(|n| usize::from(n).checked_sub(1))
            .and_then(|i| self.shared.resets.get(i))
        {
            r.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Remembers a write task whose late Data-Out PDUs are to be dropped (§11.5.1: data
    /// for an aborted task is discarded).
    fn forget(&mut self, itt: u32) {
        if self.discard.len() >= MAX_DISCARDED {
            self.discard.clear();
        }
        self.discard.insert(itt);
    }

    /// The CDB of a SCSI Command: its length from the group code (SPC-4 §4.2.5.1), 16 bytes
    /// for the groups without a fixed length.
    fn cdb_of(bhs: &Bhs) -> Option<Cdb> {
        let raw = bhs.cdb_bytes();
        let len = match raw[0] >> 5 {
            0 => 6,
            1 | 2 => 10,
            5 => 12,
            _ => 16,
        };
        Cdb::new(&raw[..len]).ok()
    }

    fn scsi_command(&mut self, p: Pdu) -> Result<(), ConnError> {
        let bhs = p.bhs;
        let itt = bhs.itt();
        let fl = bhs.flags();
        let (read, write) = (fl & flag::READ != 0, fl & flag::WRITE != 0);
        let edtl = bhs.u32_at(off::WORD5) as usize;
        let Some(cdb) = Self::cdb_of(&bhs) else {
            return self.reject(&bhs, reason::INVALID_FIELD);
        };
        if self.tasks.contains_key(&itt) {
            self.reject(&bhs, reason::PROTOCOL)?;
            return Err(ConnError::Protocol(format!(
                "task tag {itt:#x} already in use"
            )));
        }
        if !write && !p.data.is_empty() {
            self.reject(&bhs, reason::PROTOCOL)?;
            return Err(ConnError::Protocol(
                "data with a command without the W bit".into(),
            ));
        }
        if write && (!self.neg.immediate_data && !p.data.is_empty()) {
            self.reject(&bhs, reason::PROTOCOL)?;
            return Err(ConnError::Protocol(
                "immediate data while ImmediateData=No".into(),
            ));
        }
        let first_burst = self.neg.effective_first_burst() as usize;
        if write && (p.data.len() > edtl || p.data.len() > first_burst) {
            self.reject(&bhs, reason::PROTOCOL)?;
            return Err(ConnError::Protocol(format!(
                "{} bytes of immediate data for a transfer of {edtl} (FirstBurstLength {first_burst})",
                p.data.len()
            )));
        }
        let unsolicited = write && !self.neg.initial_r2t && fl & flag::FINAL == 0;
        let lun_field = bhs.lun();
        // Refusals before any data phase: the bidirectional form, an extended CDB, sizes.
        let refusal = if (read && write) || p.ahs.iter().any(|a| a.kind == 1) {
            Some(lun::invalid_field_in_cdb())
        } else if edtl > MAX_TRANSFER.min(self.drive_limit(lun_field)) {
            // Refused before any data is taken, so nothing of a transfer the drive would
            // refuse is ever buffered.
            log::warn!(
                "iSCSI {}: {cdb}: transfer of {edtl} bytes refused (at most {})",
                self.peer,
                MAX_TRANSFER.min(self.drive_limit(lun_field))
            );
            Some(lun::invalid_field_in_cdb())
        } else {
            None
        };
        if let Some(sense) = refusal {
            if unsolicited {
                self.forget(itt);
            }
            return self.respond(
                itt,
                ScsiStatus::CheckCondition,
                &sense,
                0,
                Resid::under(edtl),
            );
        }
        if write && edtl > 0 {
            let pending: usize = self.tasks.values().map(|t| t.total).sum();
            if self.tasks.len() >= QUEUE as usize || pending + edtl > MAX_PENDING_WRITE {
                // SAM-5 TASK SET FULL: the initiator may send it again once earlier writes
                // have completed.
                log::warn!(
                    "iSCSI {}: {cdb}: TASK SET FULL ({} writes waiting for {pending} bytes)",
                    self.peer,
                    self.tasks.len()
                );
                if unsolicited {
                    self.forget(itt);
                }
                return self.respond(itt, ScsiStatus::TaskSetFull, &[], 0, Resid::under(edtl));
            }
            let mut task = WriteTask {
                lun: lun_field,
                cdb,
                buf: p.data.clone(),
                total: edtl,
                received: p.data.len(),
                unsolicited,
                unsolicited_end: first_burst.min(edtl),
                r2t: None,
                r2t_sn: 0,
                data_sn: 0,
            };
            if task.received == edtl {
                task.unsolicited = false;
            }
            if task.unsolicited && task.received >= task.unsolicited_end {
                task.unsolicited = false;
            }
            return self.advance_write(itt, task);
        }
        self.execute(
            itt,
            lun_field,
            cdb,
            if read { Some(edtl) } else { None },
            Vec::new(),
            0,
        )
    }

    /// The largest transfer the drive at `lun_field` takes, as it said when the target
    /// started (no limit for an absent LUN, which is answered without a data phase).
    fn drive_limit(&self, lun_field: [u8; 8]) -> usize {
        lun::decode(lun_field)
            .and_then(|n| usize::from(n).checked_sub(1))
            .and_then(|i| self.shared.max_transfer.get(i))
            .map_or(usize::MAX, |&m| m)
    }

    /// Sends the next R2T, or runs the command once all its data is in.
    fn advance_write(&mut self, itt: u32, mut task: WriteTask) -> Result<(), ConnError> {
        let total = task.total;
        if task.received >= total {
            let WriteTask {
                lun,
                cdb,
                buf,
                r2t_sn,
                ..
            } = task;
            return self.execute(itt, lun, cdb, None, buf, r2t_sn);
        }
        if !task.unsolicited && task.r2t.is_none() {
            let len = (total - task.received).min(self.neg.max_burst as usize);
            let ttt = self.next_ttt;
            self.next_ttt = self.next_ttt.wrapping_add(1);
            if self.next_ttt == RESERVED_TAG {
                self.next_ttt = 1;
            }
            let mut b = Bhs::new(Opcode::R2t);
            b.set_flags(flag::FINAL);
            b.set_lun(task.lun);
            b.set_itt(itt);
            b.set_u32(off::WORD5, ttt);
            self.number(&mut b, false);
            b.set_u32(off::WORD9, task.r2t_sn);
            b.set_u32(off::WORD10, task.received as u32);
            b.set_u32(off::WORD11, len as u32);
            task.r2t_sn += 1;
            task.r2t = Some((ttt, task.received + len));
            task.data_sn = 0;
            self.send(&b, &[])?;
        }
        self.tasks.insert(itt, task);
        Ok(())
    }

    fn data_out(&mut self, p: Pdu) -> Result<(), ConnError> {
        let bhs = p.bhs;
        let itt = bhs.itt();
        let ttt = bhs.u32_at(off::WORD5);
        let offset = bhs.u32_at(off::WORD10) as usize;
        let data_sn = bhs.u32_at(off::WORD9);
        let Some(mut task) = self.tasks.remove(&itt) else {
            if self.discard.contains(&itt) {
                if bhs.is_final() && ttt == RESERVED_TAG {
                    self.discard.remove(&itt);
                }
                return Ok(());
            }
            log::warn!(
                "iSCSI {}: Data-Out for unknown task {itt:#x} rejected",
                self.peer
            );
            return self.reject(&bhs, reason::INVALID_FIELD);
        };
        let end = offset.checked_add(p.data.len());
        let limit = if ttt == RESERVED_TAG {
            if !task.unsolicited {
                self.reject(&bhs, reason::PROTOCOL)?;
                return Err(ConnError::Protocol(format!(
                    "unsolicited Data-Out for task {itt:#x} not expected"
                )));
            }
            task.unsolicited_end
        } else {
            match task.r2t {
                Some((t, e)) if t == ttt => e,
                _ => {
                    self.reject(&bhs, reason::INVALID_FIELD)?;
                    return Err(ConnError::Protocol(format!(
                        "Data-Out with target transfer tag {ttt:#x} never sent"
                    )));
                }
            }
        };
        // §13.18 DataPDUInOrder=Yes: each PDU continues where the last one ended.
        if offset != task.received || end.is_none_or(|e| e > limit) || data_sn != task.data_sn {
            self.reject(&bhs, reason::PROTOCOL)?;
            return Err(ConnError::Protocol(format!(
                "Data-Out for task {itt:#x} at offset {offset} (+{}, DataSN {data_sn}) where offset {} (DataSN {}, up to {limit}) was expected",
                p.data.len(),
                task.received,
                task.data_sn
            )));
        }
        let e = end.unwrap_or(offset);
        task.buf.extend_from_slice(&p.data);
        task.received = e;
        task.data_sn += 1;
        if ttt == RESERVED_TAG {
            if bhs.is_final() || task.received >= limit {
                task.unsolicited = false;
                task.data_sn = 0;
            }
        } else if task.received >= limit {
            task.r2t = None;
        } else if bhs.is_final() {
            self.reject(&bhs, reason::PROTOCOL)?;
            return Err(ConnError::Protocol(format!(
                "Data-Out sequence of task {itt:#x} ended before the R2T's length"
            )));
        }
        self.advance_write(itt, task)
    }

    /// Runs a command on its logical unit (or answers for an absent one) and sends the
    /// data and status back.
    fn execute(
        &mut self,
        itt: u32,
        lun_field: [u8; 8],
        cdb: Cdb,
        read_len: Option<usize>,
        out: Vec<u8>,
        exp_data_sn: u32,
    ) -> Result<(), ConnError> {
        let n = lun::decode(lun_field).map(usize::from);
        let drive = n
            .filter(|&n| n >= 1)
            .and_then(|n| self.shared.luns.get(n - 1))
            .cloned();
        let op = cdb.opcode();
        // REPORT LUNS is the target's own answer at every LUN (SPC-4 §6.33).
        let own = if op == lun::op::REPORT_LUNS {
            Some(lun::report_luns(
                cdb.as_bytes(),
                self.shared.luns.len() as u16,
            ))
        } else if drive.is_none() {
            Some(lun::absent(cdb.as_bytes()))
        } else {
            None
        };
        let own = match (own, n) {
            (None, Some(n)) => n
                .checked_sub(1)
                .and_then(|i| self.unit_attention(i, cdb.as_bytes())),
            (own, _) => own,
        };
        let (status, sense, data, residual) = match (own, drive) {
            (Some(lun::Reply::Data(mut d)), _) => {
                let want = read_len.unwrap_or(0);
                let residual = if d.len() > want {
                    Resid::Over(d.len() - want)
                } else {
                    Resid::under(want - d.len())
                };
                d.truncate(want);
                (ScsiStatus::Good, Vec::new(), d, residual)
            }
            (Some(lun::Reply::Check(s)), _) => (
                ScsiStatus::CheckCondition,
                s,
                Vec::new(),
                Resid::under(read_len.unwrap_or(out.len())),
            ),
            (None, Some(drive)) => self.on_drive(&drive, cdb, read_len, &out),
            (None, None) => (
                ScsiStatus::CheckCondition,
                lun::lun_not_supported(),
                Vec::new(),
                Resid::None,
            ),
        };
        if status == ScsiStatus::Good && !data.is_empty() {
            return self
                .data_in(itt, lun_field, &data, residual, true)
                .map(|_| ());
        }
        let mut sent = 0;
        if !data.is_empty() {
            sent = self.data_in(itt, lun_field, &data, residual, false)?;
        }
        self.respond(itt, status, &sense, sent.max(exp_data_sn), residual)
    }

    /// The unit attention a logical unit reset leaves for every I_T nexus (SAM-5, LOGICAL
    /// UNIT RESET: 06h/29h/03h BUS DEVICE RESET FUNCTION OCCURRED), reported once to this
    /// connection: INQUIRY and REPORT LUNS pass it by, REQUEST SENSE returns it as its
    /// parameter data, any other command ends with it (SAM-5 unit attention conditions,
    /// SPC-4 §6.39).
    fn unit_attention(&mut self, idx: usize, cdb: &[u8]) -> Option<lun::Reply> {
        let now = self.shared.resets.get(idx)?.load(Ordering::SeqCst);
        let seen = self.seen_resets.get_mut(idx)?;
        let op = cdb.first().copied().unwrap_or(0);
        if *seen == now || op == lun::op::INQUIRY || op == lun::op::REPORT_LUNS {
            return None;
        }
        *seen = now;
        let sense = lun::fixed_sense(lun::UNIT_ATTENTION, 0x29, 0x03);
        if op == lun::op::REQUEST_SENSE {
            let alloc = usize::from(cdb.get(4).copied().unwrap_or(0));
            let mut d = sense;
            d.truncate(alloc);
            return Some(lun::Reply::Data(d));
        }
        Some(lun::Reply::Check(sense))
    }

    fn on_drive(
        &self,
        drive: &Arc<Mutex<T>>,
        cdb: Cdb,
        read_len: Option<usize>,
        out: &[u8],
    ) -> (ScsiStatus, Vec<u8>, Vec<u8>, Resid) {
        // A command whose CDB moves data in but without the R flag (W only, or neither):
        // the initiator has no buffer for its data (RFC 7143 §11.2.1.2: R marks a command
        // that reads). It runs as a read with an Expected Data Transfer Length of 0 for
        // its input; the data it reads goes nowhere, Data-Out the initiator sent is left
        // unused, and the command ends GOOD with the residual of §11.4.5.1: underflow by
        // the unused Data-Out, else overflow by the data that had no room. libiscsi's
        // iSCSIResiduals.Read10Invalid (READ(10) flagged as a write) expects GOOD.
        if read_len.is_none() && lun::data_in_bound(cdb.as_bytes()).is_some() {
            log::warn!(
                "iSCSI {}: {cdb}: reads data but the R flag is not set ({} bytes of Data-Out); no data returned",
                self.peer,
                out.len()
            );
            let (status, sense, _, over) = self.on_drive(drive, cdb, Some(0), &[]);
            let residual = if out.is_empty() {
                over
            } else {
                Resid::under(out.len())
            };
            return (status, sense, Vec::new(), residual);
        }
        // A WRITE whose Expected Data Transfer Length is shorter than its transfer length
        // needs (blocks of at least 2048 bytes on every CD/DVD/BD medium): iSCSI overflow
        // (RFC 7143 §11.4.5.1, O with the bytes the command needs beyond EDTL), and the
        // command is not run: CHECK CONDITION, ILLEGAL REQUEST, INVALID FIELD IN COMMAND
        // INFORMATION UNIT (0Eh/03h, SPC-4; FCP-4's answer to the same mismatch), so no
        // partial block is ever written. libiscsi's write residual tests accept exactly
        // this or GOOD with only EDTL's bytes written.
        if read_len.is_none() {
            if let Some(need) = write_bound(cdb.as_bytes()) {
                if out.len() < need {
                    log::warn!(
                        "iSCSI {}: {cdb}: {} bytes of Data-Out for a transfer of {need}",
                        self.peer,
                        out.len()
                    );
                    return (
                        ScsiStatus::CheckCondition,
                        lun::fixed_sense(lun::ILLEGAL_REQUEST, 0x0E, 0x03),
                        Vec::new(),
                        Resid::Over(need - out.len()),
                    );
                }
            }
        }
        let mut d = drive.lock().unwrap_or_else(PoisonError::into_inner);
        let max = d.max_transfer();
        let len = read_len.unwrap_or(out.len());
        if len > max {
            log::warn!(
                "iSCSI {}: {cdb}: {len} bytes over the drive's largest transfer of {max}",
                self.peer
            );
            return (
                ScsiStatus::CheckCondition,
                lun::invalid_field_in_cdb(),
                Vec::new(),
                Resid::under(len),
            );
        }
        // A read gets a buffer as large as its CDB can ask for (up to the drive's limit),
        // so that an Expected Data Transfer Length shorter than the command's transfer is
        // a residual overflow, the command done and EDTL bytes sent (RFC 7143 §11.4.5.1),
        // not a transfer the drive refuses.
        let cap = match read_len {
            Some(edtl) => lun::data_in_bound(cdb.as_bytes()).map_or(edtl, |b| b.min(max).max(edtl)),
            None => 0,
        };
        let mut inbuf = vec![0u8; cap];
        let phase = match read_len {
            Some(_) => DataPhase::In(&mut inbuf),
            None if !out.is_empty() => DataPhase::Out(out),
            None => DataPhase::None,
        };
        let r = d.execute(Request {
            cdb,
            data: phase,
            timeout: COMMAND_TIMEOUT,
        });
        drop(d);
        match r {
            Ok(c) => {
                if read_len.is_some() {
                    let produced = cap - c.residual.min(cap);
                    inbuf.truncate(produced);
                    let residual = if produced > len {
                        inbuf.truncate(len);
                        Resid::Over(produced - len)
                    } else {
                        Resid::under(len - produced)
                    };
                    (c.status, c.sense, inbuf, residual)
                } else {
                    (
                        c.status,
                        c.sense,
                        Vec::new(),
                        Resid::under(c.residual.min(len)),
                    )
                }
            }
            Err(e) => {
                // The drive could not take the command at all: INTERNAL TARGET FAILURE.
                log::warn!("iSCSI {}: {cdb}: {e}", self.peer);
                (
                    ScsiStatus::CheckCondition,
                    lun::fixed_sense(lun::HARDWARE_ERROR, 0x44, 0x00),
                    Vec::new(),
                    Resid::under(len),
                )
            }
        }
    }

    /// Sends `data` as Data-In PDUs of the initiator's MaxRecvDataSegmentLength, F at the
    /// end of every MaxBurstLength sequence (§11.7.1), with the status in the last one when
    /// `with_status` (§11.7.4); returns how many PDUs went out.
    fn data_in(
        &mut self,
        itt: u32,
        lun_field: [u8; 8],
        data: &[u8],
        residual: Resid,
        with_status: bool,
    ) -> Result<u32, ConnError> {
        let seg = (self.neg.initiator_max_recv as usize).max(512);
        let burst = (self.neg.max_burst as usize).max(seg);
        let mut offset = 0;
        let mut data_sn = 0u32;
        while offset < data.len() {
            let len = seg.min(data.len() - offset).min(burst - offset % burst);
            let last = offset + len == data.len();
            let mut b = Bhs::new(Opcode::DataIn);
            let mut fl = 0;
            if last || (offset + len).is_multiple_of(burst) {
                fl |= flag::FINAL;
            }
            b.set_itt(itt);
            b.set_u32(off::WORD5, RESERVED_TAG);
            if last && with_status {
                fl |= flag::STATUS;
                residual.apply(&mut b, &mut fl);
                b.set_byte(off::BYTE3, ScsiStatus::Good.to_byte());
                self.number(&mut b, true);
            } else {
                self.number(&mut b, false);
                b.set_u32(off::SN1, 0); // StatSN is reserved without the S bit
            }
            let _ = lun_field; // the LUN field is reserved unless the A bit is set (§11.7.4)
            b.set_flags(fl);
            b.set_u32(off::WORD9, data_sn);
            b.set_u32(off::WORD10, offset as u32);
            self.send(&b, &data[offset..offset + len])?;
            data_sn += 1;
            offset += len;
        }
        Ok(data_sn)
    }

    /// A SCSI Response (§11.4) with sense data in its data segment (§11.4.7.2: a 2-byte
    /// SenseLength and the sense bytes), O or U and the residual count (§11.4.5)
    /// (§11.4.5).
    fn respond(
        &mut self,
        itt: u32,
        status: ScsiStatus,
        sense: &[u8],
        exp_data_sn: u32,
        residual: Resid,
    ) -> Result<(), ConnError> {
        let mut b = Bhs::new(Opcode::ScsiResponse);
        let mut fl = flag::FINAL;
        residual.apply(&mut b, &mut fl);
        b.set_flags(fl);
        b.set_byte(off::BYTE2, 0); // Command Completed at Target
        b.set_byte(off::BYTE3, status.to_byte());
        b.set_itt(itt);
        self.number(&mut b, true);
        b.set_u32(off::WORD9, exp_data_sn);
        let mut data = Vec::new();
        if !sense.is_empty() {
            let s = &sense[..sense.len().min(252)];
            data.extend_from_slice(&(s.len() as u16).to_be_bytes());
            data.extend_from_slice(s);
        }
        self.send(&b, &data)
    }
}
