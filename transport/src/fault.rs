//! A transport wrapper that injects faults for tests (SAM-5 §5.1 Execute Command outcomes):
//! CHECK CONDITION with chosen sense data (SPC-4 §4.5), other status bytes (SAM-5 §5.3.1),
//! transport errors, short transfers (residual), corrupted or replaced data-in, and delays.
//!
//! Rules are added builder-style. [`FaultInjector::on_opcode`] (or [`FaultInjector::on_any`])
//! starts a rule; the calls after it narrow the rule (LBA range, which occurrences) and say
//! what it does. A modifier called before any rule starts a rule matching every command.
//!
//! ```
//! use transport::fault::FaultInjector;
//! use transport::SenseKey;
//! # fn demo<T: transport::Transport>(drive: T) {
//! let faulty = FaultInjector::new(drive)
//!     .on_opcode(0x43).once().garbage(7)             // first READ TOC answers garbage
//!     .on_opcode(0x2A).nth(3)                        // third WRITE(10) fails
//!     .check_condition(SenseKey::MediumError, 0x0C, 0x00);
//! # let _ = faulty; }
//! ```
//!
//! Each command is matched against every rule in order; each rule that matches counts the
//! occurrence, and the first one whose occurrence condition holds fires. CHECK CONDITION,
//! status and error faults do not reach the wrapped transport; data faults (short, garbage,
//! replaced data) let the command execute and then alter what comes back.

use std::fmt;
use std::io;
use std::ops::RangeInclusive;
use std::time::Duration;

use crate::TransportError;
use crate::{Cdb, Completion, DataPhase, Request, ScsiStatus, Sense, SenseKey, Transport};

/// A transport error a rule returns instead of executing the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultError {
    /// [`TransportError::Timeout`] with the request's timeout.
    Timeout,
    /// [`TransportError::Host`] with this text.
    Host(String),
    /// [`TransportError::Io`] with an OS error of this kind.
    Io(io::ErrorKind),
    /// [`TransportError::Injected`] with this text.
    Injected(String),
}

impl FaultError {
    fn to_error(&self, opcode: u8, timeout: Duration) -> TransportError {
        match self {
            FaultError::Timeout => TransportError::Timeout {
                opcode,
                after: timeout,
            },
            FaultError::Host(text) => TransportError::Host {
                opcode,
                text: text.clone(),
            },
            FaultError::Io(kind) => TransportError::Io {
                op: "injected",
                opcode,
                source: io::Error::new(*kind, "injected fault"),
            },
            FaultError::Injected(text) => TransportError::Injected(text.clone()),
        }
    }
}

/// What a rule does when it fires.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    /// Only the delay (if any); the command executes normally.
    Pass,
    /// CHECK CONDITION with these sense bytes, without executing.
    Sense(Vec<u8>),
    /// Another status byte, no sense, without executing.
    Status(ScsiStatus),
    /// A transport error, without executing.
    Error(FaultError),
    /// Execute, then report at most this many bytes transferred.
    Short(usize),
    /// Execute, then overwrite the transferred data-in with pseudo-random bytes.
    Garbage(u64),
    /// Execute, then replace the data-in with exactly these bytes.
    Replace(Vec<u8>),
}

/// One fault rule: which commands, which occurrences, what happens.
#[derive(Debug, Clone)]
struct Rule {
    opcode: Option<u8>,
    lba: Option<RangeInclusive<u64>>,
    skip: u32,
    times: Option<u32>,
    matched: u32,
    fired: u32,
    delay: Option<Duration>,
    action: Action,
}

impl Rule {
    fn new(opcode: Option<u8>) -> Self {
        Rule {
            opcode,
            lba: None,
            skip: 0,
            times: None,
            matched: 0,
            fired: 0,
            delay: None,
            action: Action::Pass,
        }
    }

    fn matches(&self, cdb: &Cdb) -> bool {
        if self.opcode.is_some_and(|op| op != cdb.opcode()) {
            return false;
        }
        match &self.lba {
            None => true,
            Some(range) => match lba_extent(cdb) {
                Some((start, count)) => {
                    let last = start.saturating_add(count.max(1) - 1);
                    start <= *range.end() && last >= *range.start()
                }
                None => false,
            },
        }
    }

    fn due(&self) -> bool {
        self.matched > self.skip && self.times.is_none_or(|t| self.fired < t)
    }
}

/// A [`Transport`] that alters chosen commands on their way to the wrapped transport.
pub struct FaultInjector<T: Transport> {
    inner: T,
    rules: Vec<Rule>,
    fired: u64,
}

impl<T: Transport> fmt::Debug for FaultInjector<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultInjector")
            .field("inner", &self.inner.name())
            .field("rules", &self.rules)
            .field("fired", &self.fired)
            .finish()
    }
}

impl<T: Transport> FaultInjector<T> {
    /// A wrapper with no rules: every command passes through unchanged.
    pub fn new(inner: T) -> Self {
        FaultInjector {
            inner,
            rules: Vec::new(),
            fired: 0,
        }
    }

    /// Starts a rule for commands with this operation code.
    pub fn on_opcode(mut self, opcode: u8) -> Self {
        self.rules.push(Rule::new(Some(opcode)));
        self
    }

    /// Starts a rule for every command.
    pub fn on_any(mut self) -> Self {
        self.rules.push(Rule::new(None));
        self
    }

    fn current(&mut self) -> &mut Rule {
        if self.rules.is_empty() {
            self.rules.push(Rule::new(None));
        }
        let last = self.rules.len() - 1;
        &mut self.rules[last]
    }

    /// Narrows the current rule to READ/WRITE/VERIFY(6/10/12/16), WRITE AND VERIFY and
    /// READ CD commands whose blocks overlap `lbas`; other commands do not match it.
    pub fn lba_range(mut self, lbas: RangeInclusive<u64>) -> Self {
        self.current().lba = Some(lbas);
        self
    }

    /// The current rule fires only on the `n`-th matching command (counting from 1).
    pub fn nth(mut self, n: u32) -> Self {
        let r = self.current();
        r.skip = n.saturating_sub(1);
        r.times = Some(1);
        self
    }

    /// The current rule lets the first `n` matching commands through before it fires.
    pub fn after(mut self, n: u32) -> Self {
        self.current().skip = n;
        self
    }

    /// The current rule fires at most `n` times.
    pub fn times(mut self, n: u32) -> Self {
        self.current().times = Some(n);
        self
    }

    /// The current rule fires once.
    pub fn once(self) -> Self {
        self.times(1)
    }

    /// The current rule fires on every matching command (the default).
    pub fn always(mut self) -> Self {
        self.current().times = None;
        self
    }

    /// The current rule waits this long before anything else (combines with any action).
    pub fn delay(mut self, d: Duration) -> Self {
        self.current().delay = Some(d);
        self
    }

    /// The current rule answers CHECK CONDITION with fixed-format sense `key/asc/ascq`.
    pub fn check_condition(self, key: SenseKey, asc: u8, ascq: u8) -> Self {
        self.sense(Sense::fixed(key, asc, ascq))
    }

    /// The current rule answers CHECK CONDITION with these raw sense bytes (any format,
    /// malformed ones included).
    pub fn sense(mut self, bytes: Vec<u8>) -> Self {
        self.current().action = Action::Sense(bytes);
        self
    }

    /// The current rule answers with this status byte (e.g. BUSY) and no sense.
    pub fn status(mut self, status: ScsiStatus) -> Self {
        self.current().action = Action::Status(status);
        self
    }

    /// The current rule fails the command with a transport error.
    pub fn error(mut self, e: FaultError) -> Self {
        self.current().action = Action::Error(e);
        self
    }

    /// The current rule lets the command execute, then reports at most `n` bytes moved:
    /// the residual grows and data-in bytes past `n` keep what the buffer held before.
    pub fn short(mut self, n: usize) -> Self {
        self.current().action = Action::Short(n);
        self
    }

    /// The current rule lets the command execute, then overwrites the data-in it returned
    /// with pseudo-random bytes from `seed` (reproducible; each firing differs).
    pub fn garbage(mut self, seed: u64) -> Self {
        self.current().action = Action::Garbage(seed);
        self
    }

    /// The current rule lets the command execute, then replaces its data-in with `bytes`
    /// (cut to the buffer; the residual says how many were given).
    pub fn replace_data(mut self, bytes: Vec<u8>) -> Self {
        self.current().action = Action::Replace(bytes);
        self
    }

    /// How many times any rule has fired.
    pub fn fired(&self) -> u64 {
        self.fired
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped transport, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the injector.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// Finds the rule that fires for `cdb`, counting the occurrence in every matching rule.
    fn select(&mut self, cdb: &Cdb) -> Option<(Action, Option<Duration>, u32)> {
        let mut chosen = None;
        for rule in &mut self.rules {
            if !rule.matches(cdb) {
                continue;
            }
            rule.matched = rule.matched.saturating_add(1);
            if chosen.is_none() && rule.due() {
                rule.fired = rule.fired.saturating_add(1);
                chosen = Some((rule.action.clone(), rule.delay, rule.fired));
            }
        }
        if chosen.is_some() {
            self.fired = self.fired.saturating_add(1);
        }
        chosen
    }
}

impl<T: Transport> Transport for FaultInjector<T> {
    fn execute(&mut self, req: Request<'_>) -> Result<Completion, TransportError> {
        let Some((action, delay, firing)) = self.select(&req.cdb) else {
            return self.inner.execute(req);
        };
        if let Some(d) = delay {
            std::thread::sleep(d);
        }
        let opcode = req.cdb.opcode();
        let len = req.data.len();
        let not_executed = |status, sense| Completion {
            status,
            sense,
            residual: len,
            duration: delay.unwrap_or_default(),
        };
        match action {
            Action::Pass => self.inner.execute(req),
            Action::Sense(bytes) => Ok(not_executed(ScsiStatus::CheckCondition, bytes)),
            Action::Status(s) => Ok(not_executed(s, Vec::new())),
            Action::Error(e) => Err(e.to_error(opcode, req.timeout)),
            Action::Short(n) => {
                let Request { cdb, data, timeout } = req;
                let mut c = match data {
                    DataPhase::In(buf) => {
                        let keep: Vec<u8> = buf.get(n..).unwrap_or_default().to_vec();
                        let c = self.inner.execute(Request {
                            cdb,
                            data: DataPhase::In(&mut *buf),
                            timeout,
                        })?;
                        if let Some(tail) = buf.get_mut(n..) {
                            tail.copy_from_slice(&keep);
                        }
                        c
                    }
                    other => self.inner.execute(Request {
                        cdb,
                        data: other,
                        timeout,
                    })?,
                };
                c.residual = c.residual.max(len.saturating_sub(n));
                Ok(c)
            }
            Action::Garbage(seed) => {
                let Request { cdb, data, timeout } = req;
                match data {
                    DataPhase::In(buf) => {
                        let c = self.inner.execute(Request {
                            cdb,
                            data: DataPhase::In(&mut *buf),
                            timeout,
                        })?;
                        let got = len.saturating_sub(c.residual);
                        let mut rng = XorShift::new(seed ^ u64::from(firing).rotate_left(32));
                        for b in buf.iter_mut().take(got) {
                            *b = rng.next_byte();
                        }
                        Ok(c)
                    }
                    other => self.inner.execute(Request {
                        cdb,
                        data: other,
                        timeout,
                    }),
                }
            }
            Action::Replace(bytes) => {
                let Request { cdb, data, timeout } = req;
                match data {
                    DataPhase::In(buf) => {
                        let mut c = self.inner.execute(Request {
                            cdb,
                            data: DataPhase::In(&mut *buf),
                            timeout,
                        })?;
                        let n = bytes.len().min(buf.len());
                        if let (Some(dst), Some(src)) = (buf.get_mut(..n), bytes.get(..n)) {
                            dst.copy_from_slice(src);
                        }
                        c.residual = len - n;
                        Ok(c)
                    }
                    other => self.inner.execute(Request {
                        cdb,
                        data: other,
                        timeout,
                    }),
                }
            }
        }
    }

    fn max_transfer(&self) -> usize {
        self.inner.max_transfer()
    }

    fn name(&self) -> &str {
        self.inner.name()
    }
}

/// Start LBA and block count of a block-addressed read/write command (SBC-3 §5, MMC-6
/// §6.19 READ CD), or `None` for commands that address no blocks.
pub fn lba_extent(cdb: &Cdb) -> Option<(u64, u64)> {
    let b = cdb.as_bytes();
    let be = |r: std::ops::Range<usize>| {
        b.get(r)
            .map(|s| s.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
    };
    match (cdb.opcode(), b.len()) {
        // READ(6) / WRITE(6): 21-bit LBA, length 0 means 256 blocks.
        (0x08 | 0x0A, 6) => {
            let lba = be(1..4)? & 0x1F_FFFF;
            let n = be(4..5)?;
            Some((lba, if n == 0 { 256 } else { n }))
        }
        // READ/WRITE/WRITE AND VERIFY/VERIFY(10).
        (0x28 | 0x2A | 0x2E | 0x2F, 10) => Some((be(2..6)?, be(7..9)?)),
        // READ/WRITE/WRITE AND VERIFY/VERIFY(12).
        (0xA8 | 0xAA | 0xAE | 0xAF, 12) => Some((be(2..6)?, be(6..10)?)),
        // READ/WRITE/WRITE AND VERIFY/VERIFY(16).
        (0x88 | 0x8A | 0x8E | 0x8F, 16) => Some((be(2..10)?, be(10..14)?)),
        // READ CD: LBA bytes 2-5, transfer length bytes 6-8.
        (0xBE, 12) => Some((be(2..6)?, be(6..9)?)),
        _ => None,
    }
}

/// xorshift64* pseudo-random bytes for reproducible garbage.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        XorShift(if seed == 0 {
            0x2545_F491_4F6C_DD1D
        } else {
            seed
        })
    }

    fn next_byte(&mut self) -> u8 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// A test double that fills data-in with `index as u8` and counts calls.
    #[derive(Default)]
    struct Pattern {
        calls: u32,
        residual: usize,
        written: Vec<u8>,
    }

    impl Transport for Pattern {
        fn execute(&mut self, req: Request<'_>) -> Result<Completion, TransportError> {
            self.calls += 1;
            match req.data {
                DataPhase::In(buf) => {
                    let n = buf.len().saturating_sub(self.residual);
                    for (i, b) in buf.iter_mut().take(n).enumerate() {
                        *b = i as u8;
                    }
                }
                DataPhase::Out(buf) => self.written.extend_from_slice(buf),
                DataPhase::None => {}
            }
            Ok(Completion {
                residual: self.residual,
                ..Completion::good(Duration::ZERO)
            })
        }
        fn max_transfer(&self) -> usize {
            1 << 16
        }
        fn name(&self) -> &str {
            "pattern"
        }
    }

    fn read10(lba: u32, blocks: u16) -> Cdb {
        let l = lba.to_be_bytes();
        let n = blocks.to_be_bytes();
        Cdb::ten([0x28, 0, l[0], l[1], l[2], l[3], 0, n[0], n[1], 0])
    }

    fn toc() -> Cdb {
        Cdb::ten([0x43, 0, 0, 0, 0, 0, 0, 0, 12, 0])
    }

    #[test]
    fn no_rules_passes_through() {
        let mut f = FaultInjector::new(Pattern::default());
        let mut buf = [0xFFu8; 4];
        let c = f.execute(Request::read(toc(), &mut buf)).unwrap();
        assert!(c.is_good());
        assert_eq!(buf, [0, 1, 2, 3]);
        assert_eq!(f.fired(), 0);
        assert_eq!(f.name(), "pattern");
        assert_eq!(f.max_transfer(), 65536);
    }

    #[test]
    fn check_condition_once() {
        let mut f = FaultInjector::new(Pattern::default())
            .on_opcode(0x28)
            .once()
            .check_condition(SenseKey::MediumError, 0x11, 0x00);
        let mut buf = [0xEEu8; 8];
        let c = f.execute(Request::read(read10(0, 1), &mut buf)).unwrap();
        assert_eq!(c.status, ScsiStatus::CheckCondition);
        assert_eq!(c.residual, 8);
        assert_eq!(
            c.sense().unwrap().to_string(),
            "MEDIUM ERROR: UNRECOVERED READ ERROR (11/00)"
        );
        assert_eq!(buf, [0xEE; 8], "nothing transferred");
        assert_eq!(f.inner().calls, 0, "the command did not reach the device");
        let c = f.execute(Request::read(read10(0, 1), &mut buf)).unwrap();
        assert!(c.is_good());
        assert_eq!(f.inner().calls, 1);
        assert_eq!(f.fired(), 1);
    }

    #[test]
    fn other_opcodes_unaffected() {
        let mut f = FaultInjector::new(Pattern::default())
            .on_opcode(0x2A)
            .status(ScsiStatus::Busy);
        let mut buf = [0u8; 2];
        assert!(f
            .execute(Request::read(read10(0, 1), &mut buf))
            .unwrap()
            .is_good());
        let c = f
            .execute(Request::write(
                Cdb::ten([0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0]),
                &[1],
            ))
            .unwrap();
        assert_eq!(c.status, ScsiStatus::Busy);
        assert!(f.inner().written.is_empty());
    }

    #[test]
    fn nth_occurrence() {
        let mut f = FaultInjector::new(Pattern::default())
            .on_opcode(0x43)
            .nth(3)
            .error(FaultError::Timeout);
        let mut buf = [0u8; 4];
        for i in 1..=5 {
            let r = f.execute(Request::read(toc(), &mut buf).with_timeout(Duration::from_secs(9)));
            if i == 3 {
                let e = r.unwrap_err();
                assert!(matches!(
                    e,
                    TransportError::Timeout { opcode: 0x43, after } if after == Duration::from_secs(9)
                ));
            } else {
                assert!(r.unwrap().is_good(), "call {i}");
            }
        }
        assert_eq!(f.inner().calls, 4);
    }

    #[test]
    fn after_and_times() {
        let mut f = FaultInjector::new(Pattern::default())
            .on_any()
            .after(1)
            .times(2)
            .error(FaultError::Host("DID_BAD_TARGET".into()));
        let results: Vec<bool> = (0..5)
            .map(|_| f.execute(Request::none(Cdb::six([0; 6]))).is_ok())
            .collect();
        assert_eq!(results, [true, false, false, true, true]);
    }

    #[test]
    fn error_kinds() {
        let mut f = FaultInjector::new(Pattern::default())
            .on_opcode(0x00)
            .once()
            .error(FaultError::Io(io::ErrorKind::BrokenPipe))
            .on_opcode(0x00)
            .once()
            .error(FaultError::Injected("boom".into()))
            .on_opcode(0x00)
            .once()
            .error(FaultError::Host("DID_ERROR".into()));
        let tur = || Request::none(Cdb::six([0; 6]));
        match f.execute(tur()).unwrap_err() {
            TransportError::Io {
                opcode: 0, source, ..
            } => {
                assert_eq!(source.kind(), io::ErrorKind::BrokenPipe)
            }
            e => panic!("{e}"),
        }
        assert!(
            matches!(f.execute(tur()).unwrap_err(), TransportError::Injected(t) if t == "boom")
        );
        let e = f.execute(tur()).unwrap_err();
        assert_eq!(e.to_string(), "opcode 00h: host adapter error: DID_ERROR");
        assert!(f.execute(tur()).is_ok());
        assert_eq!(f.fired(), 3);
    }

    #[test]
    fn short_transfer_keeps_tail() {
        let mut f = FaultInjector::new(Pattern::default())
            .on_opcode(0x43)
            .short(3);
        let mut buf = [0xAAu8; 8];
        let c = f.execute(Request::read(toc(), &mut buf)).unwrap();
        assert_eq!(c.residual, 5);
        assert_eq!(c.transferred(8), 3);
        assert_eq!(buf, [0, 1, 2, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA]);
        // A device residual larger than the injected one wins.
        f.inner_mut().residual = 6;
        let c = f.execute(Request::read(toc(), &mut buf)).unwrap();
        assert_eq!(c.residual, 6);
        // Data-out gets a residual too; a short past the buffer changes nothing.
        let mut f = FaultInjector::new(Pattern::default()).short(2);
        let c = f
            .execute(Request::write(read10(0, 1), &[9, 9, 9, 9]))
            .unwrap();
        assert_eq!(c.residual, 2);
        let mut f = FaultInjector::new(Pattern::default()).short(100);
        let c = f.execute(Request::read(toc(), &mut buf)).unwrap();
        assert_eq!(c.residual, 0);
    }

    #[test]
    fn garbage_is_seeded_and_reproducible() {
        let run = |seed| {
            let mut f = FaultInjector::new(Pattern::default())
                .on_opcode(0x43)
                .garbage(seed);
            let mut a = [0u8; 64];
            let mut b = [0u8; 64];
            f.execute(Request::read(toc(), &mut a)).unwrap();
            f.execute(Request::read(toc(), &mut b)).unwrap();
            (a, b)
        };
        let (a1, b1) = run(42);
        let (a2, b2) = run(42);
        assert_eq!(a1, a2);
        assert_eq!(b1, b2);
        assert_ne!(a1, b1, "each firing differs");
        let pattern: Vec<u8> = (0..64).collect();
        assert_ne!(a1.to_vec(), pattern);
        assert_ne!(run(43).0, a1);
        // Garbage only covers what the device transferred.
        let mut f = FaultInjector::new(Pattern {
            residual: 60,
            ..Pattern::default()
        })
        .garbage(0);
        let mut buf = [0x11u8; 64];
        f.execute(Request::read(toc(), &mut buf)).unwrap();
        assert!(buf[4..].iter().all(|&b| b == 0x11));
    }

    #[test]
    fn replace_data() {
        let mut f = FaultInjector::new(Pattern::default())
            .on_opcode(0x43)
            .replace_data(vec![0, 2, 1, 1]);
        let mut buf = [0xCCu8; 12];
        let c = f.execute(Request::read(toc(), &mut buf)).unwrap();
        assert_eq!(c.residual, 8);
        assert_eq!(&buf[..4], &[0, 2, 1, 1]);
        let mut small = [0u8; 2];
        let c = f.execute(Request::read(toc(), &mut small)).unwrap();
        assert_eq!((c.residual, small), (0, [0, 2]));
    }

    #[test]
    fn lba_ranges() {
        let mut f = FaultInjector::new(Pattern::default())
            .on_opcode(0x28)
            .lba_range(105..=200)
            .check_condition(SenseKey::MediumError, 0x11, 0x00);
        let mut buf = [0u8; 4];
        let mut status = |cdb| f.execute(Request::read(cdb, &mut buf)).unwrap().status;
        assert_eq!(status(read10(0, 10)), ScsiStatus::Good);
        assert_eq!(status(read10(100, 5)), ScsiStatus::Good);
        assert_eq!(status(read10(100, 6)), ScsiStatus::CheckCondition);
        assert_eq!(status(read10(200, 1)), ScsiStatus::CheckCondition);
        assert_eq!(status(read10(150, 0)), ScsiStatus::CheckCondition);
        assert_eq!(status(read10(201, 1)), ScsiStatus::Good);
        // A rule with an LBA range never matches commands without an LBA.
        let mut f = FaultInjector::new(Pattern::default())
            .lba_range(0..=u64::MAX)
            .status(ScsiStatus::Busy);
        assert!(f
            .execute(Request::none(Cdb::six([0; 6])))
            .unwrap()
            .is_good());
    }

    #[test]
    fn extents() {
        assert_eq!(lba_extent(&read10(0x1234, 16)), Some((0x1234, 16)));
        assert_eq!(
            lba_extent(&Cdb::six([0x08, 0xFF, 0x00, 0x10, 0, 0])),
            Some((0x1F_0010, 256))
        );
        assert_eq!(
            lba_extent(&Cdb::twelve([0xAA, 0, 0, 0, 1, 0, 0, 0, 0, 32, 0, 0])),
            Some((256, 32))
        );
        let mut c16 = [0u8; 16];
        c16[0] = 0x88;
        c16[9] = 7;
        c16[13] = 2;
        assert_eq!(lba_extent(&Cdb::sixteen(c16)), Some((7, 2)));
        assert_eq!(
            lba_extent(&Cdb::twelve([0xBE, 0, 0, 0, 0, 16, 0, 0, 3, 0xF8, 0, 0])),
            Some((16, 3))
        );
        assert_eq!(lba_extent(&toc()), None);
        // A WRITE(10) opcode in a 12-byte CDB is not taken apart.
        assert_eq!(
            lba_extent(&Cdb::twelve([0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0])),
            None
        );
    }

    #[test]
    fn delay_then_pass() {
        let mut f = FaultInjector::new(Pattern::default())
            .on_opcode(0x00)
            .delay(Duration::from_millis(30));
        let t = Instant::now();
        assert!(f
            .execute(Request::none(Cdb::six([0; 6])))
            .unwrap()
            .is_good());
        assert!(t.elapsed() >= Duration::from_millis(30));
        assert_eq!(f.inner().calls, 1);
    }

    #[test]
    fn first_due_rule_wins_and_all_count() {
        let mut f = FaultInjector::new(Pattern::default())
            .on_opcode(0x43)
            .once()
            .status(ScsiStatus::Busy)
            .on_any()
            .nth(2)
            .status(ScsiStatus::TaskSetFull);
        let mut buf = [0u8; 4];
        let mut run = || f.execute(Request::read(toc(), &mut buf)).unwrap().status;
        assert_eq!(run(), ScsiStatus::Busy);
        // The second rule counted the first command too, so it fires now.
        assert_eq!(run(), ScsiStatus::TaskSetFull);
        assert_eq!(run(), ScsiStatus::Good);
    }

    #[test]
    fn raw_malformed_sense() {
        let mut f = FaultInjector::new(Pattern::default()).sense(vec![0x7F, 0, 0]);
        let c = f.execute(Request::none(Cdb::six([0; 6]))).unwrap();
        assert_eq!(c.status, ScsiStatus::CheckCondition);
        assert!(c.sense().is_none());
        assert_eq!(c.to_string(), "CHECK CONDITION: unparsable sense data");
        assert!(format!("{f:?}").contains("pattern"));
        assert_eq!(f.into_inner().calls, 0);
    }
}
