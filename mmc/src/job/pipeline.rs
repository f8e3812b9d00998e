//! The burn pipeline: a producer thread (an image file, standard input, or the isofs
//! builder generating the session) fills a bounded FIFO (`--fifo-size`, cdrecord's `fs=`)
//! of large chunks; the calling thread drains it into [`crate::write::SessionWriter`],
//! records what it sent (the session's MD5 on a thread of its own, and an XXH3-128 digest
//! of every 64 KiB unit for the read-back verify), samples the drive's buffer and shows
//! progress. Chunk buffers go back to the producer once hashed, so a burn of any size
//! touches the same few megabytes of memory.
//!
//! The read-back verify ([`read_back_compare`]) reads the session from the drive and
//! compares each 64 KiB unit's digest with the one recorded while sending: it names the
//! blocks that differ, and costs a read and a fast hash rather than a second MD5 pass (one
//! MD5 stream runs at under 1 GB/s on one core and cannot be split; two of them in a row
//! would bound `add` below 450 MB/s on two cores). Equal units mean the session on the disc
//! is byte for byte what was sent, so its MD5 is the one reported.
//!
//! Like cdrecord, writing starts once the FIFO is full (or the producer is done). The
//! caller's cancel flag (the CLI sets it on Ctrl-C and SIGTERM) stops the feed; the track is
//! synchronized and closed. A failing drive drops the FIFO's receiving end, which ends the
//! producer with a broken-pipe error.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use transport::Transport;
use xxhash_rust::xxh3::xxh3_128;

use super::md5::Md5;
use super::{Event, Sample};
use crate::drive::{Drive, BLOCK};
use crate::write::{CleanupNote, SessionPlan, SessionReport, SessionWriter, WriteError};

/// Default FIFO size (cdrecord's default is 4 MB; a larger one rides out slow file reads).
pub const DEFAULT_FIFO: usize = 32 * 1024 * 1024;
/// Chunk size of the FIFO (the writer splits chunks to the transport's maximum).
pub const CHUNK: usize = 1024 * 1024;

/// FIFO fill, shared by both ends.
#[derive(Debug)]
pub struct FifoStats {
    level: AtomicU64,
    capacity: u64,
}

/// The producer's end of the FIFO: an `io::Write` sending full chunks.
#[derive(Debug)]
pub struct FifoWriter {
    tx: SyncSender<Vec<u8>>,
    buf: Vec<u8>,
    stats: Arc<FifoStats>,
    sent: u64,
    /// Buffers handed back once hashed.
    spare: Receiver<Vec<u8>>,
    /// Several drives ([`run_many`]): each chunk goes, shared, to every drive still
    /// writing and to the hasher; `tx` is then unused.
    tee: Option<Tee>,
}

/// One drive's FIFO in a [`Tee`]: its sending end and its fill.
type TeeLane = (SyncSender<Arc<Vec<u8>>>, Arc<FifoStats>);

/// The FIFOs of [`run_many`]: one per drive (None once that drive stopped taking chunks),
/// and the hasher's.
#[derive(Debug)]
struct Tee {
    lanes: Vec<Option<TeeLane>>,
    hasher: SyncSender<Arc<Vec<u8>>>,
}

impl FifoWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        if let Some(tee) = self.tee.as_mut() {
            let b = Arc::new(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
            let n = b.len() as u64;
            // The slowest drive paces: a full FIFO blocks here. A drive that failed has
            // dropped its end; its FIFO is dropped and the others go on.
            for lane in &mut tee.lanes {
                if let Some((tx, stats)) = lane.as_ref() {
                    stats.level.fetch_add(n, Ordering::SeqCst);
                    if tx.send(b.clone()).is_err() {
                        *lane = None;
                    }
                }
            }
            if tee.hasher.send(b).is_err() || tee.lanes.iter().all(Option::is_none) {
                return Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "every drive stopped",
                ));
            }
            self.sent += n;
            return Ok(());
        }
        let next = match self.spare.try_recv() {
            Ok(mut b) => {
                b.clear();
                b
            }
            Err(_) => Vec::with_capacity(CHUNK),
        };
        let b = std::mem::replace(&mut self.buf, next);
        let n = b.len() as u64;
        self.stats.level.fetch_add(n, Ordering::SeqCst);
        if self.tx.send(b).is_err() {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the writer stopped",
            ));
        }
        self.sent += n;
        Ok(())
    }
}

impl Write for FifoWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = (CHUNK - self.buf.len()).min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK {
            self.send()?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// What produces the session's bytes.
pub type Producer = Box<dyn FnOnce(&mut FifoWriter) -> Result<(), String> + Send>;

/// Copies a reader into the FIFO (image file or standard input).
pub fn reader_producer<R: io::Read + Send + 'static>(mut r: R) -> Producer {
    Box::new(move |w: &mut FifoWriter| {
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match r.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("reading the image: {e}")),
            };
            w.write_all(&buf[..n])
                .map_err(|e| format!("feeding the FIFO: {e}"))?;
        }
    })
}

/// MD5 computed on its own thread, so hashing runs beside the drive's writes and reads
/// instead of between them.
/// Hashed buffers go back through `recycle` (the FIFO producer's spare buffers).
#[derive(Debug)]
struct Hasher {
    tx: Option<SyncSender<Vec<u8>>>,
    handle: Option<thread::JoinHandle<[u8; 16]>>,
    inline: Option<Md5>,
    recycle: Sender<Vec<u8>>,
}

impl Hasher {
    fn spawn(recycle: Sender<Vec<u8>>) -> Hasher {
        let (tx, rx) = sync_channel::<Vec<u8>>(16);
        let back = recycle.clone();
        match thread::Builder::new().name("md5".into()).spawn(move || {
            let mut md5 = Md5::new();
            for b in rx {
                md5.update(&b);
                // The producer may be gone; then the buffer is simply freed.
                let _ = back.send(b);
            }
            md5.finalize()
        }) {
            Ok(h) => Hasher {
                tx: Some(tx),
                handle: Some(h),
                inline: None,
                recycle,
            },
            Err(_) => Hasher {
                tx: None,
                handle: None,
                inline: Some(Md5::new()),
                recycle,
            },
        }
    }

    fn update(&mut self, b: Vec<u8>) {
        if let Some(m) = self.inline.as_mut() {
            m.update(&b);
            let _ = self.recycle.send(b);
            return;
        }
        if let Some(tx) = &self.tx {
            if let Err(e) = tx.send(b) {
                // The thread is gone: hash here from now on (the digest will not match).
                self.tx = None;
                let mut m = Md5::new();
                m.update(&e.0);
                self.inline = Some(m);
            }
        }
    }

    fn finish(mut self) -> [u8; 16] {
        if let Some(m) = self.inline.take() {
            return m.finalize();
        }
        self.tx = None;
        match self.handle.take().map(thread::JoinHandle::join) {
            Some(Ok(d)) => d,
            _ => [0; 16],
        }
    }
}

/// Blocks per unit of the read-back comparison (64 KiB).
pub const VERIFY_UNIT_BLOCKS: u32 = 32;
const UNIT: usize = VERIFY_UNIT_BLOCKS as usize * BLOCK;

/// XXH3-128 digests of consecutive 64 KiB units of a byte stream (the last unit may be
/// shorter): what [`read_back_compare`] compares the session read back with.
#[derive(Debug, Clone, Default)]
pub struct UnitDigests {
    digests: Vec<u128>,
    /// The unfinished unit.
    part: Vec<u8>,
}

impl UnitDigests {
    /// Adds bytes to the stream.
    pub fn update(&mut self, mut data: &[u8]) {
        if !self.part.is_empty() {
            let n = (UNIT - self.part.len()).min(data.len());
            self.part.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.part.len() < UNIT {
                return;
            }
            self.digests.push(xxh3_128(&self.part));
            self.part.clear();
        }
        let mut units = data.chunks_exact(UNIT);
        for u in &mut units {
            self.digests.push(xxh3_128(u));
        }
        self.part.extend_from_slice(units.remainder());
    }

    /// The digests, the short last unit included.
    pub fn finish(mut self) -> Vec<u128> {
        if !self.part.is_empty() {
            self.digests.push(xxh3_128(&self.part));
        }
        self.digests
    }
}

/// A finished burn.
#[derive(Debug, Clone)]
pub struct Burned {
    /// The session.
    pub report: SessionReport,
    /// MD5 of every byte sent (last block zero-padded).
    pub md5: [u8; 16],
    /// XXH3-128 of every 64 KiB unit sent (the same bytes), for [`read_back_compare`].
    pub units: Vec<u128>,
    /// Lowest FIFO fill seen while writing, percent.
    pub fifo_min_percent: u8,
    /// Seconds spent writing.
    pub seconds: f64,
    /// Overwritable media: the descriptor copy to LBA 16 that makes the session current,
    /// to apply once it has been verified (see [`commit`]).
    pub commit: Option<crate::write::Commit>,
}

/// Blocks left for a further session after `burned`, as the drive reports them now (on CD
/// and DVD-R the next session pays lead-out/lead-in gaps, so the plan's free count less the
/// session is too high); that estimate only when the drive cannot say.
pub fn blocks_left<T: Transport>(drive: &mut Drive<T>, plan_free: u64, burned: &Burned) -> u64 {
    crate::write::free_blocks(drive)
        .unwrap_or_else(|_| plan_free.saturating_sub(u64::from(burned.report.blocks)))
}

/// What stopped a burn ([`Failed::cause`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FailCause {
    /// The producer thread could not be started.
    #[error("cannot start the producer thread: {0}")]
    Spawn(#[source] io::Error),
    /// The cancel flag was set: the drive was fed no further.
    #[error("interrupted: stopped feeding the drive")]
    Interrupted,
    /// The input went on past the size announced for it (the plan's size).
    #[error("the input is larger than the announced size of {announced} bytes")]
    InputTooLarge {
        /// Bytes announced.
        announced: u64,
    },
    /// The input ended before the size announced for it.
    #[error("the input ended after {got} bytes, {announced} were announced")]
    InputTooShort {
        /// Bytes the input gave.
        got: u64,
        /// Bytes announced.
        announced: u64,
    },
    /// The producer (the image builder, or the reader of the input) failed; its message.
    #[error("{0}")]
    Producer(String),
    /// The producer thread panicked.
    #[error("the producer thread panicked")]
    ProducerPanicked,
    /// Several drives at once ([`run_many`]): a drive's thread (writing or verifying) or
    /// the hashing thread panicked.
    #[error("the {0} thread panicked")]
    ThreadPanicked(&'static str),
    /// Several drives at once: the drive was not written (the job ended before its turn).
    #[error("the drive was not written")]
    NotRun,
    /// Writing the session, or ending it, failed.
    #[error(transparent)]
    Write(Box<WriteError>),
}

/// Why a burn failed, with what was done to leave the disc readable.
#[derive(Debug)]
pub struct Failed {
    /// The cause.
    pub cause: FailCause,
    /// Notes from the clean-up (synchronize, close track) and the state it left the
    /// session in.
    pub cleanup: Vec<CleanupNote>,
    /// Blocks that reached the drive.
    pub blocks_written: u64,
    /// True when nothing was written at all.
    pub nothing_written: bool,
}

impl std::fmt::Display for Failed {
    /// `burn failed: CAUSE; nothing was written` (or how many blocks were), then the
    /// clean-up notes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "burn failed: {}", self.cause)?;
        if self.nothing_written {
            write!(f, "; nothing was written")?;
        } else {
            write!(f, "; {} blocks had been written", self.blocks_written)?;
        }
        for n in &self.cleanup {
            write!(f, "; clean-up: {n}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Failed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.cause)
    }
}

fn percent(level: u64, cap: u64) -> u8 {
    (level.saturating_mul(100) / cap.max(1)).min(100) as u8
}

/// Runs producer → FIFO (`fifo_size` bytes) → drive for a prepared plan, until the
/// producer is done or `cancel` is set; `progress` sees [`Event::WriteStarted`], then
/// [`Event::Written`] after every chunk, then [`Event::WriteEnded`].
pub fn run<T: Transport>(
    drive: &mut Drive<T>,
    plan: SessionPlan,
    total_bytes: Option<u64>,
    producer: Producer,
    fifo_size: usize,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&Event),
) -> Result<Burned, Failed> {
    let slots = (fifo_size / CHUNK).max(2);
    let (tx, rx): (SyncSender<Vec<u8>>, Receiver<Vec<u8>>) = sync_channel(slots - 1);
    let (recycle, spare) = channel::<Vec<u8>>();
    let stats = Arc::new(FifoStats {
        level: AtomicU64::new(0),
        capacity: (slots * CHUNK) as u64,
    });
    let pstats = stats.clone();
    let handle = thread::Builder::new()
        .name("producer".into())
        .spawn(move || {
            let mut w = FifoWriter {
                tx,
                buf: Vec::with_capacity(CHUNK),
                stats: pstats,
                sent: 0,
                spare,
                tee: None,
            };
            producer(&mut w)?;
            w.send().map_err(|e| format!("feeding the FIFO: {e}"))?;
            Ok::<u64, String>(w.sent)
        });
    let handle = match handle {
        Ok(h) => h,
        Err(e) => {
            return Err(Failed {
                cause: FailCause::Spawn(e),
                cleanup: Vec::new(),
                blocks_written: 0,
                nothing_written: true,
            })
        }
    };
    let mut md5 = Hasher::spawn(recycle);
    let mut units = UnitDigests::default();
    let mut hashed: u64 = 0;
    let mut producer = Some(handle);
    let w = drain(
        drive,
        plan,
        rx,
        &stats,
        &mut producer,
        total_bytes,
        cancel,
        progress,
        &mut |chunk: Vec<u8>| {
            hashed += chunk.len() as u64;
            units.update(&chunk);
            md5.update(chunk);
        },
    )?;
    let r = hashed % BLOCK as u64;
    if r != 0 {
        let pad = vec![0u8; BLOCK - r as usize];
        units.update(&pad);
        md5.update(pad);
    }
    Ok(Burned {
        report: w.report,
        md5: md5.finish(),
        units: units.finish(),
        fifo_min_percent: w.fifo_min,
        seconds: w.seconds,
        commit: w.commit,
    })
}

/// What one drive's thread of [`run_many`] wrote, before its verify.
struct Written {
    report: SessionReport,
    commit: Option<crate::write::Commit>,
    fifo_min: u8,
    seconds: f64,
}

/// One producer feeding several drives (duplicators): the producer runs once, every chunk
/// goes (shared, not copied) into a FIFO per drive (`fifo_size` bytes each) and to one
/// hashing thread (the session's MD5 and unit digests, the same for every drive), and a
/// thread per drive drains its FIFO into its [`SessionWriter`]. The slowest drive paces
/// the producer; a drive that fails drops its FIFO, which the producer then stops feeding,
/// so the others go on. Once every drive has written, `finish` runs for each drive that
/// did, all at once on the drives' threads (the read-back verify and the commit), with the
/// session's [`Burned`]. `progress` sees each drive's events with its index in `lanes`.
/// The result has one entry per drive, in order.
pub fn run_many<'d, T: Transport + Send, R: Send>(
    lanes: Vec<(&'d mut Drive<T>, SessionPlan)>,
    total_bytes: Option<u64>,
    producer: Producer,
    fifo_size: usize,
    cancel: &AtomicBool,
    progress: &(dyn Fn(usize, &Event) + Sync),
    finish: &(dyn Fn(usize, &mut Drive<T>, Burned) -> R + Sync),
) -> Vec<Result<R, Failed>> {
    let slots = (fifo_size / CHUNK).max(2);
    let mut senders = Vec::with_capacity(lanes.len());
    let mut receivers = Vec::with_capacity(lanes.len());
    for _ in 0..lanes.len() {
        let (tx, rx) = sync_channel::<Arc<Vec<u8>>>(slots - 1);
        let stats = Arc::new(FifoStats {
            level: AtomicU64::new(0),
            capacity: (slots * CHUNK) as u64,
        });
        senders.push(Some((tx, stats.clone())));
        receivers.push((rx, stats));
    }
    let (htx, hrx) = sync_channel::<Arc<Vec<u8>>>(slots);
    let produced: std::sync::OnceLock<Result<u64, String>> = std::sync::OnceLock::new();
    let done = AtomicBool::new(false);
    thread::scope(|scope| {
        let hasher = scope.spawn(move || {
            let mut md5 = Md5::new();
            let mut units = UnitDigests::default();
            let mut bytes = 0u64;
            for b in hrx {
                md5.update(&b);
                units.update(&b);
                bytes += b.len() as u64;
            }
            let r = bytes % BLOCK as u64;
            if r != 0 {
                let pad = vec![0u8; BLOCK - r as usize];
                md5.update(&pad);
                units.update(&pad);
            }
            (md5.finalize(), units.finish())
        });
        let (produced, done) = (&produced, &done);
        let feeder = scope.spawn(move || {
            let (tx, _) = sync_channel(0);
            let (_, spare) = channel();
            let mut w = FifoWriter {
                tx,
                buf: Vec::with_capacity(CHUNK),
                stats: Arc::new(FifoStats {
                    level: AtomicU64::new(0),
                    capacity: 1,
                }),
                sent: 0,
                spare,
                tee: Some(Tee {
                    lanes: senders,
                    hasher: htx,
                }),
            };
            let r = producer(&mut w).and_then(|()| {
                w.send()
                    .map(|()| w.sent)
                    .map_err(|e| format!("feeding the FIFO: {e}"))
            });
            // Set before the FIFOs close, so a drive that sees its FIFO end knows why.
            let _ = produced.set(r);
            done.store(true, Ordering::SeqCst);
            drop(w);
        });
        let writers: Vec<_> = lanes
            .into_iter()
            .zip(receivers)
            .enumerate()
            .map(|(i, ((drive, plan), (rx, stats)))| {
                scope.spawn(move || {
                    let w = drain(
                        &mut *drive,
                        plan,
                        rx,
                        &stats,
                        &mut SharedProducer { done, produced },
                        total_bytes,
                        cancel,
                        &mut |e| progress(i, e),
                        &mut drop,
                    );
                    (drive, w)
                })
            })
            .collect();
        let written: Vec<_> = writers
            .into_iter()
            .map(|h| h.join().map_err(|_| FailCause::ThreadPanicked("writing")))
            .collect();
        let _ = feeder.join();
        let digests = hasher.join().ok();
        let finishing: Vec<_> = written
            .into_iter()
            .enumerate()
            .map(|(i, w)| match (w, &digests) {
                (Ok((drive, Ok(w))), Some((md5, units))) => {
                    let burned = Burned {
                        report: w.report,
                        md5: *md5,
                        units: units.clone(),
                        fifo_min_percent: w.fifo_min,
                        seconds: w.seconds,
                        commit: w.commit,
                    };
                    Ok(scope.spawn(move || finish(i, drive, burned)))
                }
                (Ok((_, Err(f))), _) => Err(f),
                (Ok((_, Ok(w))), None) => Err(Failed {
                    cause: FailCause::ThreadPanicked("hashing"),
                    cleanup: Vec::new(),
                    blocks_written: u64::from(w.report.blocks),
                    nothing_written: false,
                }),
                (Err(cause), _) => Err(Failed {
                    cause,
                    cleanup: Vec::new(),
                    blocks_written: 0,
                    nothing_written: false,
                }),
            })
            .collect();
        finishing
            .into_iter()
            .map(|f| {
                f.and_then(|h| {
                    h.join().map_err(|_| Failed {
                        cause: FailCause::ThreadPanicked("verifying"),
                        cleanup: Vec::new(),
                        blocks_written: 0,
                        nothing_written: false,
                    })
                })
            })
            .collect()
    })
}

/// How a drive's writer learns about the producer: whether it is done (then a FIFO that
/// runs low is not starvation), and, once the FIFO has closed, why it ended.
trait ProducerEnd {
    fn done(&self) -> bool;
    /// `None` when the producer fed everything it had.
    fn failure(&mut self) -> Option<FailCause>;
}

/// [`run`]'s producer: its thread.
impl ProducerEnd for Option<thread::JoinHandle<Result<u64, String>>> {
    fn done(&self) -> bool {
        self.as_ref().is_none_or(thread::JoinHandle::is_finished)
    }

    fn failure(&mut self) -> Option<FailCause> {
        match self.take().map(thread::JoinHandle::join) {
            Some(Ok(Ok(_))) => None,
            Some(Ok(Err(e))) => Some(FailCause::Producer(e)),
            _ => Some(FailCause::ProducerPanicked),
        }
    }
}

/// [`run_many`]'s producer, shared by every drive: its flag and result.
struct SharedProducer<'a> {
    done: &'a AtomicBool,
    produced: &'a std::sync::OnceLock<Result<u64, String>>,
}

impl ProducerEnd for SharedProducer<'_> {
    fn done(&self) -> bool {
        self.done.load(Ordering::SeqCst)
    }

    fn failure(&mut self) -> Option<FailCause> {
        match self.produced.get() {
            Some(Ok(_)) => None,
            Some(Err(e)) => Some(FailCause::Producer(e.clone())),
            None => Some(FailCause::ProducerPanicked),
        }
    }
}

/// One drive's writer, for [`run`] and each drive of [`run_many`]: waits for its FIFO to
/// fill, then writes what the FIFO brings until the producer is done, the drive fails or
/// `cancel` is set. Each chunk goes to `written` once the drive has taken it (to be hashed,
/// or dropped).
#[allow(clippy::too_many_arguments)]
fn drain<T: Transport, C>(
    drive: &mut Drive<T>,
    plan: SessionPlan,
    rx: Receiver<C>,
    stats: &FifoStats,
    producer: &mut dyn ProducerEnd,
    total_bytes: Option<u64>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&Event),
    written: &mut dyn FnMut(C),
) -> Result<Written, Failed>
where
    C: std::ops::Deref,
    C::Target: AsRef<[u8]>,
{
    progress(&Event::WriteStarted {
        total_bytes,
        profile: plan.profile,
    });
    // Fill the FIFO before the first write, as cdrecord does.
    let fill_deadline = Instant::now() + Duration::from_secs(30);
    while stats.level.load(Ordering::SeqCst) + CHUNK as u64 <= stats.capacity
        && !producer.done()
        && Instant::now() < fill_deadline
        && !cancel.load(Ordering::SeqCst)
    {
        thread::sleep(Duration::from_millis(5));
    }
    let mut sw = SessionWriter::new(drive, plan);
    let mut bytes: u64 = 0;
    let mut fifo_min = 100u8;
    let mut drive_buf: Option<u8> = None;
    let mut last_buf_query = Instant::now();
    let started = Instant::now();
    let mut failure: Option<FailCause> = None;
    loop {
        if cancel.load(Ordering::SeqCst) {
            failure = Some(FailCause::Interrupted);
            break;
        }
        let chunk = match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(c) => c,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let n = chunk.as_ref().len() as u64;
        let level = stats.level.fetch_sub(n, Ordering::SeqCst).saturating_sub(n);
        // The producer being done is not starvation.
        if !producer.done() {
            fifo_min = fifo_min.min(percent(level + n, stats.capacity));
        }
        bytes += n;
        if let Some(t) = total_bytes {
            if bytes > t {
                failure = Some(FailCause::InputTooLarge { announced: t });
                break;
            }
        }
        if let Err(e) = sw.write(chunk.as_ref()) {
            failure = Some(FailCause::Write(Box::new(e)));
            break;
        }
        written(chunk);
        if last_buf_query.elapsed() >= Duration::from_secs(1) {
            last_buf_query = Instant::now();
            drive_buf = sw
                .drive()
                .buffer_capacity()
                .ok()
                .filter(|b| b.size > 0)
                .map(|b| percent(u64::from(b.size - b.free.min(b.size)), u64::from(b.size)));
        }
        progress(&Event::Written(Sample {
            written_bytes: bytes,
            total_bytes,
            fifo_percent: percent(level, stats.capacity),
            fifo_min_percent: fifo_min,
            drive_buffer_percent: drive_buf,
        }));
    }
    // A failed drive's FIFO closes here: the producer stops feeding it.
    drop(rx);
    if failure.is_none() {
        failure = producer.failure();
    }
    if failure.is_none() {
        if let Some(t) = total_bytes {
            if bytes != t {
                failure = Some(FailCause::InputTooShort {
                    got: bytes,
                    announced: t,
                });
            }
        }
    }
    let sample = Sample {
        written_bytes: bytes,
        total_bytes,
        fifo_percent: 0,
        fifo_min_percent: fifo_min,
        drive_buffer_percent: drive_buf,
    };
    if let Some(cause) = failure {
        progress(&Event::WriteEnded(sample));
        let blocks_written = sw.blocks_written();
        let cleanup = sw.abort();
        return Err(Failed {
            cause,
            cleanup,
            blocks_written,
            nothing_written: blocks_written == 0,
        });
    }
    // The writer pads the last block with zeros, as the hasher does.
    let blocks_written = sw.blocks_written();
    let (report, commit) = sw.finish_uncommitted().map_err(|e| Failed {
        cause: FailCause::Write(Box::new(e)),
        cleanup: Vec::new(),
        blocks_written,
        nothing_written: false,
    })?;
    progress(&Event::WriteEnded(sample));
    Ok(Written {
        report,
        commit,
        fifo_min,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Makes a verified session current on overwritable media (the descriptor copy to LBA 16);
/// nothing to do on other media. Returns the notes of blocks written a second time.
pub fn commit<T: Transport>(
    drive: &mut Drive<T>,
    burned: &mut Burned,
) -> Result<Vec<String>, WriteError> {
    match burned.commit.take() {
        Some(c) => c.apply(drive),
        None => Ok(Vec::new()),
    }
}

/// What [`read_back_compare`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadBack {
    /// LBA ranges that differ from what was sent (empty: the session reads back exactly as
    /// sent), merged, in units of [`VERIFY_UNIT_BLOCKS`] blocks.
    pub differ: Vec<(u32, u32)>,
    /// MD5 of the blocks read back, when asked for.
    pub md5: Option<[u8; 16]>,
}

impl ReadBack {
    /// The verify failure's cause, if any: the ranges that differ and, when the read-back
    /// was hashed with MD5, the two MD5s if they differ.
    pub fn problem(&self, sent_md5: &[u8; 16]) -> Option<String> {
        let md5 = self.md5.filter(|m| m != sent_md5).map(|m| {
            format!(
                "the session read back with MD5 {}, {} was sent",
                hex(&m),
                hex(sent_md5)
            )
        });
        match (self.differ.is_empty(), md5) {
            (true, None) => None,
            (true, Some(m)) => Some(m),
            (false, None) => Some(differ_message(&self.differ)),
            (false, Some(m)) => Some(format!("{}; {m}", differ_message(&self.differ))),
        }
    }
}

/// Reads the `blocks` blocks at `start` back and compares every 64 KiB unit with `sent`
/// (from [`Burned::units`]); with `md5`, hashes the whole read-back with MD5 too (a second
/// MD5 pass over the session, for `--verify-md5`).
pub fn read_back_compare<T: Transport>(
    drive: &mut Drive<T>,
    start: u32,
    blocks: u32,
    sent: &[u128],
    md5: bool,
) -> Result<ReadBack, crate::error::MmcError> {
    let per = (CHUNK / BLOCK) as u32;
    // Reading (this thread) and hashing (a scoped thread) overlap; buffers go round.
    let (full_tx, full_rx) = sync_channel::<(u32, Vec<u8>)>(4);
    let (empty_tx, empty_rx) = channel::<Vec<u8>>();
    thread::scope(|scope| {
        let hasher = scope.spawn(move || {
            let mut differ: Vec<(u32, u32)> = Vec::new();
            let mut whole = md5.then(Md5::new);
            for (at, buf) in full_rx {
                if let Some(m) = whole.as_mut() {
                    m.update(&buf);
                }
                let first_unit = (at / VERIFY_UNIT_BLOCKS) as usize;
                for (i, u) in buf.chunks(UNIT).enumerate() {
                    if sent.get(first_unit + i) != Some(&xxh3_128(u)) {
                        let first = start + at + i as u32 * VERIFY_UNIT_BLOCKS;
                        let last = first + (u.len() / BLOCK) as u32 - 1;
                        match differ.last_mut() {
                            Some(r) if r.1 + 1 == first => r.1 = last,
                            _ => differ.push((first, last)),
                        }
                    }
                }
                // The reader may have stopped on an error; then the buffer is freed.
                let _ = empty_tx.send(buf);
            }
            ReadBack {
                differ,
                md5: whole.map(Md5::finalize),
            }
        });
        let mut at = 0u32;
        let mut failed = None;
        while at < blocks {
            let n = per.min(blocks - at);
            let mut b = empty_rx.try_recv().unwrap_or_else(|_| vec![0u8; CHUNK]);
            b.resize(n as usize * BLOCK, 0);
            if let Err(e) = drive.read_blocks(start + at, &mut b) {
                failed = Some(e);
                break;
            }
            if full_tx.send((at, b)).is_err() {
                break;
            }
            at += n;
        }
        drop(full_tx);
        let read_back = hasher.join().unwrap_or_else(|_| ReadBack {
            differ: vec![(start, start + blocks.saturating_sub(1))],
            md5: None,
        });
        match failed {
            Some(e) => Err(e),
            None => Ok(read_back),
        }
    })
}

/// The verify failure's cause for ranges that differ: `LBA a-b, c-d read back differ
/// from what was sent` (at most eight ranges named).
pub fn differ_message(differ: &[(u32, u32)]) -> String {
    let mut named: Vec<String> = differ
        .iter()
        .take(8)
        .map(|(a, b)| format!("LBA {a}-{b}"))
        .collect();
    if differ.len() > 8 {
        named.push(format!("{} more ranges", differ.len() - 8));
    }
    let blocks: u64 = differ.iter().map(|(a, b)| u64::from(b - a + 1)).sum();
    format!(
        "{} read back differ from what was sent ({blocks} blocks in units of {} compared by \
         XXH3-128; the drive reported every write as successful)",
        named.join(", "),
        VERIFY_UNIT_BLOCKS
    )
}

/// Hex form of an MD5.
pub fn hex(d: &[u8; 16]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + i / 4099) as u8).collect()
    }

    #[test]
    fn unit_digests_do_not_depend_on_how_the_stream_is_cut() {
        let data = stream(5 * UNIT + 3 * BLOCK);
        let mut whole = UnitDigests::default();
        whole.update(&data);
        let whole = whole.finish();
        assert_eq!(whole.len(), 6);
        assert_eq!(whole[0], xxh3_128(&data[..UNIT]));
        assert_eq!(whole[5], xxh3_128(&data[5 * UNIT..]));
        for cut in [1usize, 2047, 2048, 4096 + 5, UNIT - 1, UNIT + 1, CHUNK] {
            let mut d = UnitDigests::default();
            for piece in data.chunks(cut) {
                d.update(piece);
            }
            assert_eq!(d.finish(), whole, "pieces of {cut} bytes");
        }
    }

    #[test]
    fn unit_digests_see_a_one_byte_change_in_its_unit_only() {
        let mut data = stream(4 * UNIT);
        let mut a = UnitDigests::default();
        a.update(&data);
        let a = a.finish();
        data[2 * UNIT + 1000] ^= 1;
        let mut b = UnitDigests::default();
        b.update(&data);
        let b = b.finish();
        let differ: Vec<usize> = (0..4).filter(|&i| a[i] != b[i]).collect();
        assert_eq!(differ, vec![2]);
    }

    #[test]
    fn differ_message_names_ranges() {
        let m = differ_message(&[(100, 131), (200, 263)]);
        assert!(
            m.starts_with("LBA 100-131, LBA 200-263 read back differ from what was sent"),
            "{m}"
        );
        assert!(m.contains("96 blocks"), "{m}");
        let many: Vec<(u32, u32)> = (0..10).map(|i| (i * 100, i * 100 + 31)).collect();
        assert!(differ_message(&many).contains("2 more ranges"));
    }
}
