//! The target: its name, its portal, its logical units and the sessions on them (RFC 7143
//! §4.2.7 iSCSI names, §4.4.1 portal groups, §6.3.5 session reinstatement).
//!
//! [`Target::serve`] accepts connections on a listener and runs each on a thread of its
//! own (`conn`); the logical units are shared between sessions behind a mutex each, so one
//! command at a time reaches a drive, as through a single SCSI port.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU16, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use transport::Transport;

use crate::chap::Credentials;
use crate::params::Offer;

/// Default target name (a reserved `.invalid` domain, RFC 2606, as the naming authority).
pub const DEFAULT_NAME: &str = "iqn.2026-12.invalid.discburn:drive";
/// Default number of simultaneous connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 32;
/// Target portal group tag of our one portal (RFC 7143 §13.9).
pub const PORTAL_GROUP_TAG: u16 = 1;
/// Most logical units one target serves (flat space addressing, SAM-5 §4.7.9).
pub const MAX_LUNS: usize = 16383;

/// How the target is set up.
#[derive(Debug, Clone)]
pub struct TargetConfig {
    /// The iSCSI name (RFC 7143 §4.2.7.2), checked by [`check_name`].
    pub name: String,
    /// CHAP credentials every initiator must prove, or None for no authentication.
    pub chap: Option<Credentials>,
    /// Our side of the operational negotiation.
    pub offer: Offer,
    /// Connections served at once; more are closed on arrival with a log line.
    pub max_connections: usize,
}

impl Default for TargetConfig {
    fn default() -> Self {
        TargetConfig {
            name: DEFAULT_NAME.to_string(),
            chap: None,
            offer: Offer::default(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// Why a target cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The name is not an iSCSI name.
    #[error("{name:?} is not an iSCSI name ({reason}; e.g. iqn.2026-12.com.example:drive, RFC 7143 §4.2.7.2)")]
    BadName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// No logical unit to serve.
    #[error("no drive to serve")]
    NoLuns,
    /// Too many logical units.
    #[error("{0} drives; one target serves at most {MAX_LUNS}")]
    TooManyLuns(usize),
    /// The listener failed.
    #[error("listening socket: {0}")]
    Io(#[from] std::io::Error),
}

/// Checks an iSCSI name: `iqn.`, `eui.` or `naa.` form, at most 223 bytes, lowercase
/// ASCII letters, digits, `-`, `.` and `:` (RFC 7143 §4.2.7.1-4.2.7.2; names are
/// stringprep-normalised, which for ASCII means lowercase).
pub fn check_name(name: &str) -> Result<(), TargetError> {
    let bad = |reason| {
        Err(TargetError::BadName {
            name: name.to_string(),
            reason,
        })
    };
    if name.len() > 223 {
        return bad("longer than 223 bytes");
    }
    if !(name.starts_with("iqn.") || name.starts_with("eui.") || name.starts_with("naa.")) {
        return bad("it starts with neither iqn. nor eui. nor naa.");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.' | b':'))
    {
        return bad("only lowercase letters, digits, '-', '.' and ':' are allowed");
    }
    if let Some(rest) = name.strip_prefix("iqn.") {
        // iqn.yyyy-mm.reversed.domain[:anything]
        let date = rest.get(..7).unwrap_or("");
        let ok = date.len() == 7
            && date.as_bytes()[4] == b'-'
            && date
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 4 || b.is_ascii_digit())
            && rest.as_bytes().get(7) == Some(&b'.');
        if !ok {
            return bad("an iqn. name continues with the date yyyy-mm and a dot");
        }
    }
    Ok(())
}

/// A session registered for reinstatement (RFC 7143 §6.3.5): a new login with the same
/// initiator name and ISID replaces it.
#[derive(Debug)]
pub(crate) struct SessionEntry {
    pub tsih: u16,
    pub conn_id: u64,
    pub stream: TcpStream,
}

/// What every connection of the target shares.
#[derive(Debug)]
pub(crate) struct Shared<T> {
    pub config: TargetConfig,
    pub luns: Vec<Arc<Mutex<T>>>,
    /// Per logical unit, how many LOGICAL UNIT RESETs (or TARGET WARM RESETs) it has had:
    /// a connection that has seen fewer answers its next command there with the unit
    /// attention SAM-5 asks for (29h/03h).
    pub resets: Vec<AtomicU64>,
    /// Per logical unit, its drive's largest transfer (read once at the start).
    pub max_transfer: Vec<usize>,
    pub sessions: Mutex<HashMap<(String, [u8; 6]), SessionEntry>>,
    pub next_tsih: AtomicU16,
    next_conn: AtomicU64,
    pub connections: AtomicUsize,
}

impl<T> Shared<T> {
    /// A fresh nonzero TSIH (RFC 7143 §11.12.6: 0 is reserved for a new session).
    pub fn new_tsih(&self) -> u16 {
        loop {
            let t = self.next_tsih.fetch_add(1, Ordering::Relaxed);
            if t != 0 {
                return t;
            }
        }
    }
}

/// An iSCSI target serving a list of drives as LUN 1, 2, ...
#[derive(Debug)]
pub struct Target<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Clone for Target<T> {
    fn clone(&self) -> Self {
        Target {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T: Transport + Send + 'static> Target<T> {
    /// A target with `config` serving `luns` (the first is LUN 1).
    pub fn new(config: TargetConfig, luns: Vec<Arc<Mutex<T>>>) -> Result<Self, TargetError> {
        check_name(&config.name)?;
        if luns.is_empty() {
            return Err(TargetError::NoLuns);
        }
        if luns.len() > MAX_LUNS {
            return Err(TargetError::TooManyLuns(luns.len()));
        }
        Ok(Target {
            shared: Arc::new(Shared {
                config,
                resets: luns.iter().map(|_| AtomicU64::new(0)).collect(),
                max_transfer: luns
                    .iter()
                    .map(|l| {
                        l.lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .max_transfer()
                    })
                    .collect(),
                luns,
                sessions: Mutex::new(HashMap::new()),
                next_tsih: AtomicU16::new(1),
                next_conn: AtomicU64::new(1),
                connections: AtomicUsize::new(0),
            }),
        })
    }

    /// The target's iSCSI name.
    pub fn name(&self) -> &str {
        &self.shared.config.name
    }

    /// The URL of each LUN as libiscsi and QEMU take it: `iscsi://ADDR:PORT/IQN/N`.
    pub fn urls(&self, addr: SocketAddr) -> Vec<String> {
        let host = match addr {
            SocketAddr::V4(a) => format!("{}:{}", a.ip(), a.port()),
            SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
        };
        (1..=self.shared.luns.len())
            .map(|n| format!("iscsi://{host}/{}/{n}", self.shared.config.name))
            .collect()
    }

    /// Accepts connections forever, one thread each. Returns only when the listener fails
    /// for good; a failed accept (out of descriptors, a connection reset before accept) is
    /// logged and retried after a pause.
    pub fn serve(&self, listener: TcpListener) -> Result<(), TargetError> {
        loop {
            match listener.accept() {
                Ok((stream, peer)) => self.spawn(stream, peer),
                Err(e) => {
                    log::warn!("iSCSI: accept failed: {e}");
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }

    fn spawn(&self, stream: TcpStream, peer: SocketAddr) {
        let shared = Arc::clone(&self.shared);
        let n = shared.connections.fetch_add(1, Ordering::SeqCst);
        if n >= shared.config.max_connections {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            log::warn!(
                "iSCSI {peer}: refused: {} connections already (the limit)",
                shared.config.max_connections
            );
            return;
        }
        let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        let r = std::thread::Builder::new()
            .name(format!("iscsi-{id}"))
            .spawn(move || {
                crate::conn::run(&shared, stream, peer, id);
                shared.connections.fetch_sub(1, Ordering::SeqCst);
            });
        if let Err(e) = r {
            self.shared.connections.fetch_sub(1, Ordering::SeqCst);
            log::warn!("iSCSI {peer}: no thread for the connection: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name(DEFAULT_NAME).is_ok());
        assert!(check_name("iqn.2026-11.test:cd").is_ok());
        assert!(check_name("eui.02004567a425678d").is_ok());
        assert!(check_name("iqn.2026-11.Test:cd").is_err());
        assert!(check_name("iqn.26-11.test").is_err());
        assert!(check_name("target").is_err());
    }
}
