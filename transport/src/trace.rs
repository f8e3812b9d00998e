//! A transport wrapper that logs every command, what `cdrecord -V` shows: the CDB in hex
//! (SAM-5 §5.1 Execute Command inputs), direction and length of the data phase, the
//! completion's status (SAM-5 §5.3.1), decoded sense data (SPC-4 §4.5), residual and time.
//!
//! By default lines go to the `log` crate: the command summary at debug level, the first
//! bytes of the data phase at trace level. [`Tracer::with_sink`] sends every line to a
//! closure instead (the CLI prints them to stderr for `-vv`, whatever the logger says).
//!
//! ```text
//! CDB:  28 00 00 00 00 10 00 00 02 00  READ(10)
//!   data in 4096 bytes, timeout 30s
//!   status GOOD, residual 0, 1.204ms
//!   data: 01 43 44 30 30 31 01 00 ...
//! ```

use std::fmt::{self, Write as _};
use std::time::Instant;

use crate::{Completion, DataPhase, Request, Transport, TransportError};

/// How many bytes of the data phase a trace shows unless told otherwise.
pub const DEFAULT_DATA_BYTES: usize = 32;

/// Where trace lines go.
enum Output {
    /// `log::debug!` for summaries, `log::trace!` for data bytes.
    Log,
    /// Every line to this closure.
    Sink(Box<dyn FnMut(&str) + Send>),
}

/// A [`Transport`] that logs every command passing through it to the wrapped transport.
pub struct Tracer<T: Transport> {
    inner: T,
    output: Output,
    data_bytes: usize,
    commands: u64,
}

impl<T: Transport> fmt::Debug for Tracer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tracer")
            .field("inner", &self.inner.name())
            .field("sink", &matches!(self.output, Output::Sink(_)))
            .field("data_bytes", &self.data_bytes)
            .field("commands", &self.commands)
            .finish()
    }
}

impl<T: Transport> Tracer<T> {
    /// A tracer logging through the `log` crate (debug level; data bytes at trace level).
    pub fn new(inner: T) -> Self {
        Tracer {
            inner,
            output: Output::Log,
            data_bytes: DEFAULT_DATA_BYTES,
            commands: 0,
        }
    }

    /// A tracer handing every line (data bytes included) to `sink` instead of `log`.
    pub fn with_sink(inner: T, sink: Box<dyn FnMut(&str) + Send>) -> Self {
        Tracer {
            inner,
            output: Output::Sink(sink),
            data_bytes: DEFAULT_DATA_BYTES,
            commands: 0,
        }
    }

    /// The same tracer showing up to `n` bytes of each data phase (0 shows none).
    pub fn data_bytes(mut self, n: usize) -> Self {
        self.data_bytes = n;
        self
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped transport, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the tracer.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// Number of commands traced so far.
    pub fn commands(&self) -> u64 {
        self.commands
    }

    fn summary(&mut self, line: &str) {
        match &mut self.output {
            Output::Log => log::debug!("{line}"),
            Output::Sink(sink) => sink(line),
        }
    }

    fn data_enabled(&self) -> bool {
        self.data_bytes > 0
            && match self.output {
                Output::Log => log::log_enabled!(log::Level::Trace),
                Output::Sink(_) => true,
            }
    }

    fn data(&mut self, label: &str, bytes: &[u8]) {
        let shown = bytes.len().min(self.data_bytes);
        let mut line = format!("  {label}:");
        push_hex(&mut line, bytes.get(..shown).unwrap_or_default());
        if bytes.len() > shown {
            line.push_str(" ...");
        }
        match &mut self.output {
            Output::Log => log::trace!("{line}"),
            Output::Sink(sink) => sink(&line),
        }
    }
}

impl<T: Transport> Transport for Tracer<T> {
    fn execute(&mut self, req: Request<'_>) -> Result<Completion, TransportError> {
        self.commands = self.commands.saturating_add(1);
        let Request { cdb, data, timeout } = req;
        let mut line = String::from("CDB: ");
        push_hex(&mut line, cdb.as_bytes());
        if let Some(name) = opcode_name(cdb.opcode()) {
            let _ = write!(line, "  {name}");
        }
        self.summary(&line);
        self.summary(&format!(
            "  data {} {} bytes, timeout {}",
            data.direction(),
            data.len(),
            DurationText(timeout)
        ));
        let show_data = self.data_enabled();
        let started = Instant::now();
        let (result, data) = match data {
            DataPhase::In(buf) => {
                let r = self.inner.execute(Request {
                    cdb,
                    data: DataPhase::In(&mut *buf),
                    timeout,
                });
                (r, Some(&*buf))
            }
            DataPhase::Out(buf) => {
                if show_data {
                    self.data(&format!("out {} bytes", buf.len()), buf);
                }
                (
                    self.inner.execute(Request {
                        cdb,
                        data: DataPhase::Out(buf),
                        timeout,
                    }),
                    None,
                )
            }
            DataPhase::None => (
                self.inner.execute(Request {
                    cdb,
                    data: DataPhase::None,
                    timeout,
                }),
                None,
            ),
        };
        let elapsed = started.elapsed();
        match &result {
            Ok(c) => {
                self.summary(&format!(
                    "  status {}, residual {}, {}",
                    c.status,
                    c.residual,
                    DurationText(if c.duration.is_zero() {
                        elapsed
                    } else {
                        c.duration
                    })
                ));
                if !c.sense.is_empty() {
                    let mut s = String::from("  sense:");
                    push_hex(&mut s, &c.sense);
                    self.summary(&s);
                    match c.sense() {
                        Some(sense) => {
                            let mut s = format!("  sense: {sense}");
                            if let Some(info) = sense.information {
                                let _ = write!(s, ", information {info}");
                            }
                            if let Some(p) = sense.progress() {
                                let _ = write!(s, ", progress {:.1}%", p * 100.0);
                            }
                            self.summary(&s);
                        }
                        None => self.summary("  sense: unparsable sense data"),
                    }
                }
                if let (true, Some(buf)) = (show_data, data) {
                    let got = buf.len().saturating_sub(c.residual);
                    self.data(
                        &format!("in {got} bytes"),
                        buf.get(..got).unwrap_or_default(),
                    );
                }
            }
            Err(e) => {
                self.summary(&format!("  error: {e} (after {})", DurationText(elapsed)));
            }
        }
        result
    }

    fn max_transfer(&self) -> usize {
        self.inner.max_transfer()
    }

    fn name(&self) -> &str {
        self.inner.name()
    }
}

/// A duration as `1.204ms`, `30s`, `250us`.
struct DurationText(std::time::Duration);

impl fmt::Display for DurationText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if d.subsec_nanos() == 0 {
            write!(f, "{}s", d.as_secs())
        } else if d.as_secs() > 0 {
            write!(f, "{:.3}s", d.as_secs_f64())
        } else if d.as_micros() >= 1000 {
            write!(f, "{:.3}ms", d.as_secs_f64() * 1000.0)
        } else {
            write!(f, "{}us", d.as_micros())
        }
    }
}

/// Appends ` XX` for every byte.
fn push_hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        let _ = write!(out, " {b:02X}");
    }
}

/// The name of an SPC-4 / MMC-6 / SBC-3 operation code, for traces (see [`crate::opcode`]).
pub fn opcode_name(opcode: u8) -> Option<&'static str> {
    crate::opcode::name(opcode)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cdb, Sense, SenseKey};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// A test double returning canned completions; it is not the thing under test.
    struct Canned {
        fill: u8,
        residual: usize,
        sense: Option<Vec<u8>>,
        fail: bool,
    }

    impl Transport for Canned {
        fn execute(&mut self, req: Request<'_>) -> Result<Completion, TransportError> {
            if self.fail {
                return Err(TransportError::Timeout {
                    opcode: req.cdb.opcode(),
                    after: req.timeout,
                });
            }
            if let DataPhase::In(buf) = req.data {
                let n = buf.len().saturating_sub(self.residual);
                buf[..n].fill(self.fill);
            }
            let d = Duration::from_micros(1500);
            Ok(match &self.sense {
                Some(s) => Completion::check_condition(s.clone(), d),
                None => Completion {
                    residual: self.residual,
                    ..Completion::good(d)
                },
            })
        }
        fn max_transfer(&self) -> usize {
            65536
        }
        fn name(&self) -> &str {
            "canned"
        }
    }

    fn collect(inner: Canned) -> (Tracer<Canned>, Arc<Mutex<Vec<String>>>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let l2 = Arc::clone(&lines);
        let t = Tracer::with_sink(
            inner,
            Box::new(move |s: &str| l2.lock().unwrap().push(s.into())),
        );
        (t, lines)
    }

    #[test]
    fn traces_read_with_data() {
        let (mut t, lines) = collect(Canned {
            fill: 0xAB,
            residual: 4,
            sense: None,
            fail: false,
        });
        let mut buf = [0u8; 40];
        let cdb = Cdb::ten([0x28, 0, 0, 0, 0, 0x10, 0, 0, 1, 0]);
        let c = t.execute(Request::read(cdb, &mut buf)).unwrap();
        assert!(c.is_good());
        assert_eq!(buf[35], 0xAB);
        let lines = lines.lock().unwrap();
        assert_eq!(lines[0], "CDB:  28 00 00 00 00 10 00 00 01 00  READ(10)");
        assert_eq!(lines[1], "  data in 40 bytes, timeout 30s");
        assert_eq!(lines[2], "  status GOOD, residual 4, 1.500ms");
        let data = &lines[3];
        assert!(data.starts_with("  in 36 bytes: AB AB"), "{data}");
        assert!(data.ends_with(" ..."), "{data}");
        assert_eq!(data.matches("AB").count(), 32);
        assert_eq!(t.commands(), 1);
        assert_eq!(t.name(), "canned");
        assert_eq!(t.max_transfer(), 65536);
    }

    #[test]
    fn traces_check_condition() {
        let sense = Sense::fixed(SenseKey::MediumError, 0x0C, 0x00);
        let (mut t, lines) = collect(Canned {
            fill: 0,
            residual: 0,
            sense: Some(sense),
            fail: false,
        });
        let data = [1u8, 2, 3];
        let c = t.execute(Request::write(
            Cdb::ten([0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0]),
            &data,
        ));
        assert!(!c.unwrap().is_good());
        let lines = lines.lock().unwrap();
        assert_eq!(lines[1], "  data out 3 bytes, timeout 30s");
        assert_eq!(lines[2], "  out 3 bytes: 01 02 03");
        assert_eq!(lines[3], "  status CHECK CONDITION, residual 0, 1.500ms");
        assert!(lines[4].starts_with("  sense: 70 00 03 00"), "{}", lines[4]);
        assert_eq!(lines[5], "  sense: MEDIUM ERROR: WRITE ERROR (0C/00)");
    }

    #[test]
    fn traces_transport_error_and_passes_it_on() {
        let (mut t, lines) = collect(Canned {
            fill: 0,
            residual: 0,
            sense: None,
            fail: true,
        });
        let req = Request::none(Cdb::six([0, 0, 0, 0, 0, 0])).with_timeout(Duration::from_secs(5));
        let e = t.execute(req).unwrap_err();
        assert!(matches!(e, TransportError::Timeout { opcode: 0, .. }));
        let lines = lines.lock().unwrap();
        assert_eq!(lines[0], "CDB:  00 00 00 00 00 00  TEST UNIT READY");
        assert_eq!(lines[1], "  data none 0 bytes, timeout 5s");
        assert!(
            lines[2].starts_with("  error: opcode 00h timed out after 5s"),
            "{}",
            lines[2]
        );
    }

    #[test]
    fn data_bytes_zero_hides_data() {
        let (t, lines) = collect(Canned {
            fill: 7,
            residual: 0,
            sense: None,
            fail: false,
        });
        let mut t = t.data_bytes(0);
        let mut buf = [0u8; 8];
        t.execute(Request::read(Cdb::six([0x12, 0, 0, 0, 8, 0]), &mut buf))
            .unwrap();
        assert_eq!(lines.lock().unwrap().len(), 3);
        assert_eq!(buf, [7; 8]);
        assert_eq!(t.into_inner().fill, 7);
    }

    #[test]
    fn log_output_does_not_panic_without_logger() {
        let mut t = Tracer::new(Canned {
            fill: 1,
            residual: 0,
            sense: None,
            fail: false,
        });
        let mut buf = [0u8; 4];
        t.execute(Request::read(Cdb::six([0x12, 0, 0, 0, 4, 0]), &mut buf))
            .unwrap();
        assert_eq!(buf, [1; 4]);
        assert!(format!("{t:?}").contains("canned"));
    }

    /// Collects records of this module's target; installed once for the test binary.
    struct Capture(Mutex<Vec<(log::Level, String)>>);

    impl log::Log for Capture {
        fn enabled(&self, m: &log::Metadata<'_>) -> bool {
            m.target().starts_with("transport::trace")
        }
        fn log(&self, r: &log::Record<'_>) {
            if self.enabled(r.metadata()) {
                self.0
                    .lock()
                    .unwrap()
                    .push((r.level(), r.args().to_string()));
            }
        }
        fn flush(&self) {}
    }

    static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));

    #[test]
    fn logs_at_debug_and_data_at_trace() {
        if log::set_logger(&CAPTURE).is_ok() {
            log::set_max_level(log::LevelFilter::Trace);
        }
        let mut t = Tracer::new(Canned {
            fill: 0x5A,
            residual: 0,
            sense: None,
            fail: false,
        });
        let mut buf = [0u8; 2];
        t.execute(Request::read(
            Cdb::twelve([0xA8, 0, 0, 0, 0, 0x77, 0, 0, 0, 1, 0, 0]),
            &mut buf,
        ))
        .unwrap();
        let recs = CAPTURE.0.lock().unwrap();
        let cdb = recs
            .iter()
            .position(|(_, m)| m.starts_with("CDB:  A8 00 00 00 00 77"))
            .unwrap();
        assert_eq!(recs[cdb].0, log::Level::Debug);
        let data = recs
            .iter()
            .skip(cdb)
            .find(|(_, m)| m == "  in 2 bytes: 5A 5A")
            .unwrap();
        assert_eq!(data.0, log::Level::Trace);
    }

    #[test]
    fn wraps_boxed_transports_and_stays_send() {
        fn assert_send<S: Send>(_: &S) {}
        let boxed: Box<dyn Transport + Send> = Box::new(Canned {
            fill: 3,
            residual: 0,
            sense: None,
            fail: false,
        });
        let mut t = Tracer::with_sink(boxed, Box::new(|_: &str| {}));
        assert_send(&t);
        let mut buf = [0u8; 1];
        t.execute(Request::read(Cdb::six([0x12, 0, 0, 0, 1, 0]), &mut buf))
            .unwrap();
        assert_eq!(buf, [3]);
        let outer: Box<dyn Transport + Send> = Box::new(t);
        assert_eq!(outer.name(), "canned");
    }

    #[test]
    fn durations() {
        assert_eq!(DurationText(Duration::from_secs(30)).to_string(), "30s");
        assert_eq!(
            DurationText(Duration::from_millis(1500)).to_string(),
            "1.500s"
        );
        assert_eq!(
            DurationText(Duration::from_micros(250)).to_string(),
            "250us"
        );
        assert_eq!(
            DurationText(Duration::from_micros(1204)).to_string(),
            "1.204ms"
        );
    }
}
