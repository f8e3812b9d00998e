//! The bodies of the fuzz targets in `mmc/iscsi/fuzz` and of their seed-replay test on
//! stable (`tests/fuzz_seeds.rs`), kept here so that both run the same code: RFC 7143 §11
//! PDU framing with §13.1 digests, §6.1 text keys with §6.2/§13 negotiation and §12.1.3
//! CHAP values, and the whole connection engine (login and full feature phase) of a live
//! target on a loopback socket. Not a stable API.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use transport::{Completion, DataPhase, Request, Transport, TransportError};

use crate::chap::{Challenge, Credentials};
use crate::params::{Negotiated, Offer};
use crate::pdu::{self, flag, Limits, Opcode};
use crate::{lun, text, Target, TargetConfig};

/// Parses `data` as a stream of initiator PDUs the way a connection frames them: each PDU's
/// header, AHS, data and digests under the limits of the moment (8192 bytes and no digests
/// during login, §13.12; the negotiated digests once a Login Request asks to enter the full
/// feature phase, §13.1), the text pairs of Login and Text PDUs through the negotiation,
/// LUN decoding and the target's own SCSI answers. Returns how many PDUs were read.
pub fn parse_stream(mut data: &[u8]) -> usize {
    let offer = Offer::default();
    let mut limits = Limits::LOGIN;
    let mut neg = Negotiated::new(&offer);
    let mut n = 0;
    while let Ok(p) = pdu::read_pdu(&mut data, &limits) {
        n += 1;
        let _ = lun::decode(p.bhs.lun());
        match p.bhs.opcode() {
            Opcode::LoginRequest | Opcode::TextRequest => {
                parse_pairs(&p.data, &mut neg, &offer);
                let f = p.bhs.flags();
                if p.bhs.opcode() == Opcode::LoginRequest && f & flag::TRANSIT != 0 && f & 3 == 3 {
                    limits = Limits {
                        max_recv_data_segment: offer.max_recv_data_segment as usize,
                        header_digest: neg.header_digest,
                        data_digest: neg.data_digest,
                    };
                }
            }
            Opcode::ScsiCommand => {
                let cdb = p.bhs.cdb_bytes();
                let _ = lun::absent(cdb);
                let _ = lun::report_luns(cdb, 3);
            }
            _ => {}
        }
    }
    n
}

/// Text pairs (§6.1) through the negotiation (§6.2, §13) and the value parsers.
fn parse_pairs(data: &[u8], neg: &mut Negotiated, offer: &Offer) {
    if let Ok(pairs) = text::parse(data) {
        for (k, v) in &pairs {
            let _ = neg.answer(k, v, offer);
            let _ = text::number(v);
            if let Some(b) = text::binary(v) {
                // A CHAP_R-like value checked against a fixed challenge (§12.1.3).
                if let Ok(c) = Credentials::new("user", b"secretsecret12") {
                    let ch = Challenge {
                        id: b.first().copied().unwrap_or(0),
                        bytes: b.clone(),
                    };
                    let _ = c.verify(&ch, k, &b);
                }
            }
        }
    }
}

/// The login/text-key side on its own: `data` as the text of Login and Text PDUs.
pub fn parse_text(data: &[u8]) -> usize {
    let offer = Offer::default();
    let mut neg = Negotiated::new(&offer);
    parse_pairs(data, &mut neg, &offer);
    text::parse(data).map(|p| p.len()).unwrap_or(0)
}

/// A drive that answers every command in memory: data-in phases filled with a pattern,
/// data-out taken, CHECK CONDITION for opcode FFh (so sense data travels too).
#[derive(Debug, Default)]
pub struct MemoryDrive;

impl Transport for MemoryDrive {
    fn execute(&mut self, req: Request<'_>) -> Result<Completion, TransportError> {
        let d = Duration::ZERO;
        if req.cdb.opcode() == 0xFF {
            return Ok(Completion::check_condition(
                lun::fixed_sense(0x05, 0x20, 0x00),
                d,
            ));
        }
        if let DataPhase::In(buf) = req.data {
            for (i, b) in buf.iter_mut().enumerate() {
                *b = i as u8;
            }
        }
        Ok(Completion::good(d))
    }

    fn max_transfer(&self) -> usize {
        1 << 20
    }

    fn name(&self) -> &str {
        "memory"
    }
}

/// Two live targets on loopback ports, each serving two [`MemoryDrive`]s: one without
/// authentication, one requiring CHAP (user `user`, secret `secretsecret12`).
#[derive(Debug)]
pub struct Loopback {
    open: SocketAddr,
    chap: SocketAddr,
}

impl Loopback {
    /// Starts both targets (their accept loops run on threads until the process ends).
    pub fn start() -> std::io::Result<Self> {
        let mut addrs = Vec::new();
        for with_chap in [false, true] {
            let listener = TcpListener::bind("127.0.0.1:0")?;
            addrs.push(listener.local_addr()?);
            let config = TargetConfig {
                chap: if with_chap {
                    Credentials::new("user", b"secretsecret12").ok()
                } else {
                    None
                },
                ..TargetConfig::default()
            };
            let luns = vec![
                Arc::new(Mutex::new(MemoryDrive)),
                Arc::new(Mutex::new(MemoryDrive)),
            ];
            let target = Target::new(config, luns).map_err(std::io::Error::other)?;
            std::thread::spawn(move || target.serve(listener));
        }
        Ok(Loopback {
            open: addrs[0],
            chap: addrs[1],
        })
    }

    /// Sends `data` on a fresh connection (the first byte's low bit picks the CHAP target),
    /// then ends the stream, and reads what comes back until the target closes. Returns the
    /// bytes received. Panics if the target neither answers nor closes within 10 s after
    /// the end of the stream (a hang).
    pub fn run(&self, data: &[u8]) -> usize {
        let (addr, data) = match data.split_first() {
            Some((&b, rest)) if b & 1 == 1 => (self.chap, rest),
            Some((_, rest)) => (self.open, rest),
            None => (self.open, data),
        };
        let Ok(mut s) = TcpStream::connect(addr) else {
            return 0;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
        let Ok(mut w) = s.try_clone() else {
            return 0;
        };
        let input = data.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = w.write_all(&input);
            let _ = w.shutdown(Shutdown::Write);
        });
        let mut got = 0;
        let mut buf = [0u8; 65536];
        loop {
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    panic!("the target neither answered nor closed within 10 s");
                }
                Err(_) => break,
            }
        }
        let _ = writer.join();
        got
    }
}
