//! The drive's write buffer and its drain at the recording speed (MMC-6 §6.21 READ BUFFER
//! CAPACITY; §4.16 buffer underrun-free recording).
//!
//! With a rate set, data enters the buffer at the host's pace and leaves it at the
//! recording speed; a WRITE that does not fit waits until it does (that is how a real drive
//! throttles the host). When the buffer runs empty in the middle of a track (the host was
//! too slow) that is a buffer underrun: counted, and fatal to the track when
//! buffer-underrun protection is off. Without a rate the drive is unthrottled.

use std::time::{Duration, Instant};

/// Buffer fill model.
#[derive(Debug)]
pub struct BufferModel {
    /// Buffer size in bytes.
    pub size: u64,
    /// Drain rate in bytes per second (None: unthrottled).
    pub rate: Option<f64>,
    fill: f64,
    last: Instant,
    empty_at: Option<Instant>,
    streaming: bool,
    /// Underruns seen since the drive was opened.
    pub underruns: u32,
}

/// How long the buffer may stay empty mid-track before it counts as an underrun (scheduling
/// noise on a busy host is not an underrun).
const UNDERRUN_GRACE: Duration = Duration::from_millis(5);

impl BufferModel {
    /// An empty buffer.
    pub fn new(size: u64, rate: Option<f64>) -> Self {
        BufferModel {
            size,
            rate,
            fill: 0.0,
            last: Instant::now(),
            empty_at: None,
            streaming: false,
            underruns: 0,
        }
    }

    /// Drains what the recorder took since the last call, noting when the buffer ran dry.
    fn drain(&mut self) {
        let now = Instant::now();
        if let Some(r) = self.rate {
            let drained = r * now.duration_since(self.last).as_secs_f64();
            if drained >= self.fill && self.empty_at.is_none() {
                self.empty_at = Some(self.last + Duration::from_secs_f64(self.fill / r));
            }
            self.fill = (self.fill - drained).max(0.0);
        }
        self.last = now;
    }

    /// Takes `bytes` of a WRITE, waiting for room; returns true when the buffer underran
    /// (ran empty mid-track) before this write arrived.
    pub fn accept(&mut self, bytes: u64) -> bool {
        self.drain();
        let under = self.streaming
            && self
                .empty_at
                .is_some_and(|t| self.last.saturating_duration_since(t) > UNDERRUN_GRACE);
        if under {
            self.underruns += 1;
        }
        if let Some(r) = self.rate {
            let excess = self.fill + bytes as f64 - self.size as f64;
            if excess > 0.0 {
                std::thread::sleep(Duration::from_secs_f64(excess / r));
                self.drain();
            }
            self.fill += bytes as f64;
        }
        self.empty_at = None;
        self.streaming = true;
        under
    }

    /// SYNCHRONIZE CACHE: waits until everything is recorded; the track stops streaming.
    pub fn flush(&mut self) {
        self.drain();
        if let Some(r) = self.rate {
            if self.fill > 0.0 {
                std::thread::sleep(Duration::from_secs_f64(self.fill / r));
            }
        }
        self.fill = 0.0;
        self.last = Instant::now();
        self.empty_at = None;
        self.streaming = false;
    }

    /// Blocks still in the buffer (not yet recorded).
    pub fn pending_blocks(&mut self) -> u64 {
        self.drain();
        (self.fill / 2048.0).ceil() as u64
    }

    /// Forgets the buffer's content (the caller accounts for its recording time).
    pub fn discard(&mut self) {
        self.fill = 0.0;
        self.last = Instant::now();
        self.empty_at = None;
        self.streaming = false;
    }

    /// Free bytes in the buffer now.
    pub fn free(&mut self) -> u64 {
        self.drain();
        (self.size as f64 - self.fill).max(0.0) as u64
    }
}
