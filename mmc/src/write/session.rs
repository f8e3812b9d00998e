//! Writing one session: [`SessionWriter`] sends WRITE(10) (MMC-6 §6.44) in chunks at the
//! plan's start, the CD session-at-once pre-gap (§6.33.3), SYNCHRONIZE CACHE (§6.35), and
//! ends the track and session as the medium needs (CLOSE TRACK SESSION, §6.3), or stops
//! cleanly after a failure.

use std::time::Duration;

use transport::{DataPhase, Transport};

use super::{
    descriptor_copy, step, Commit, Recipe, SessionClose, SessionPlan, Start, Step, WriteError,
};
use crate::cmd::close::{self, CloseFunction};
use crate::cmd::cue_sheet;
use crate::cmd::write;
use crate::drive::{Drive, BLOCK, LONG_TIMEOUT};
use crate::error::MmcError;

/// Blocks of a session kept in memory to copy its volume descriptors to LBA 16.
pub(crate) const HEAD_BLOCKS: usize = 64;

/// How a session ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionReport {
    /// First block.
    pub start: u32,
    /// Blocks written.
    pub blocks: u32,
    /// The disc was left appendable (always after a test write, which changes nothing).
    pub appendable: bool,
    /// It was a test write.
    pub dummy: bool,
}

/// What [`SessionWriter::abort`] did, or could not do, to leave the disc readable, and
/// the state it left the session in: data for the caller, who tells the user what to do
/// next (the library names no command).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CleanupNote {
    /// Writing the blocks still held back failed.
    #[error(transparent)]
    Flush(Box<WriteError>),
    /// SYNCHRONIZE CACHE failed.
    #[error("SYNCHRONIZE CACHE: {source}")]
    SynchronizeCache {
        /// The failure.
        #[source]
        source: MmcError,
    },
    /// A test write stopped: the drive recorded nothing.
    #[error("test write stopped: nothing was recorded, the disc is as it was")]
    TestWriteStopped,
    /// A session-at-once write stopped before the track's first block: nothing of the
    /// session was recorded.
    #[error(
        "session-at-once stopped before the track's first block (block {start}): no data of \
         the session was recorded"
    )]
    SaoNothingRecorded {
        /// The track's first block.
        start: u32,
    },
    /// A session-at-once write was cut short: no lead-out, no CLOSE; the session is left
    /// unfinished. The next append closes it and continues from the last complete session
    /// ([`unfinished_session`](super::unfinished_session)); a rewritable CD can also drop it
    /// by blanking the last session.
    #[error(
        "session-at-once cut short after {written} of the {announced} announced blocks: no \
         lead-out was written and no CLOSE sent, so the session from block {start} is left \
         unfinished"
    )]
    SaoUnfinished {
        /// Blocks written.
        written: u64,
        /// Blocks the cue sheet announced.
        announced: u32,
        /// The session's first block.
        start: u32,
    },
    /// A reserved track was left open: closing it would pad it to its reserved size and
    /// make the unfinished session look complete. The next append closes it and skips the
    /// session.
    #[error(
        "track {track} left open (closing would pad it to its reserved size and make the \
         unfinished session look complete)"
    )]
    ReservedTrackLeftOpen {
        /// The track number.
        track: u16,
    },
    /// CLOSE TRACK failed.
    #[error("CLOSE TRACK {track}: {source}")]
    CloseTrack {
        /// The track number.
        track: u16,
        /// The failure.
        #[source]
        source: MmcError,
    },
}

/// Writes one session block by block at the plan's start; see the module documentation.
#[derive(Debug)]
pub struct SessionWriter<'d, T: Transport> {
    drive: &'d mut Drive<T>,
    plan: SessionPlan,
    next: u32,
    pending: Vec<u8>,
    chunk: usize,
    head: Vec<u8>,
    written: u64,
    failed: bool,
    saved_policy: (Duration, Duration),
    /// CD SAO: the pre-gap before the track still has to be sent.
    pregap_due: bool,
}

impl<'d, T: Transport> SessionWriter<'d, T> {
    /// A writer for a prepared plan.
    pub fn new(drive: &'d mut Drive<T>, plan: SessionPlan) -> Self {
        let chunk = drive.max_blocks().min(0xFFFF) * BLOCK;
        let saved_policy = (drive.poll_interval, drive.ready_wait);
        // While writing, a drive whose buffer is full answers LONG WRITE IN PROGRESS
        // (02/04/08): poll often so the stream does not stall.
        drive.poll_interval = Duration::from_millis(5);
        drive.ready_wait = Duration::from_secs(600);
        SessionWriter {
            pregap_due: plan.sao_blocks.is_some(),
            next: plan.start,
            drive,
            plan,
            pending: Vec::with_capacity(chunk),
            chunk,
            head: Vec::new(),
            written: 0,
            failed: false,
            saved_policy,
        }
    }

    fn restore_policy(&mut self) {
        (self.drive.poll_interval, self.drive.ready_wait) = self.saved_policy;
    }

    /// The plan.
    pub fn plan(&self) -> &SessionPlan {
        &self.plan
    }

    /// Blocks sent to the drive so far.
    pub fn blocks_written(&self) -> u64 {
        self.written
    }

    /// The drive (for READ BUFFER CAPACITY between writes).
    pub fn drive(&mut self) -> &mut Drive<T> {
        self.drive
    }

    /// Queues `data` (any length) and writes every full chunk.
    pub fn write(&mut self, mut data: &[u8]) -> Result<(), WriteError> {
        if self.head.len() < HEAD_BLOCKS * BLOCK {
            let n = (HEAD_BLOCKS * BLOCK - self.head.len()).min(data.len());
            self.head.extend_from_slice(&data[..n]);
        }
        if self.pending.is_empty() && data.len() >= self.chunk {
            // Fast path: whole chunks straight from the caller's buffer.
            let whole = data.len() / self.chunk * self.chunk;
            for c in data[..whole].chunks(self.chunk) {
                self.send(c)?;
            }
            data = &data[whole..];
        }
        while !data.is_empty() {
            let n = (self.chunk - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.pending.len() == self.chunk {
                let buf = std::mem::take(&mut self.pending);
                let r = self.send(&buf);
                self.pending = buf;
                self.pending.clear();
                r?;
            }
        }
        Ok(())
    }

    /// CD SAO: the 150 blocks of index 0 before the track, from `start - 150` (LBA -150,
    /// FFFFFF6Ah, on a blank disc), zeros as the cue sheet's data form 10h.
    fn send_pregap(&mut self) -> Result<(), WriteError> {
        if !self.pregap_due {
            return Ok(());
        }
        self.pregap_due = false;
        let zeros = vec![0u8; BLOCK * cue_sheet::PREGAP_BLOCKS as usize];
        let from = i64::from(self.plan.start) - i64::from(cue_sheet::PREGAP_BLOCKS);
        let lba = u32::from_be_bytes(i32::try_from(from).unwrap_or(0).to_be_bytes());
        let per = (self.chunk / BLOCK).max(1) as u32;
        let mut done = 0u32;
        while done < cue_sheet::PREGAP_BLOCKS {
            let n = per.min(cue_sheet::PREGAP_BLOCKS - done);
            let at = lba.wrapping_add(done);
            if let Err(e) = self.drive.execute(
                write::write10(at, n as u16),
                DataPhase::Out(&zeros[..n as usize * BLOCK]),
                Duration::from_secs(120),
            ) {
                self.failed = true;
                return Err(step(Step::Pregap {
                    blocks: n,
                    from,
                    done,
                })(e));
            }
            done += n;
        }
        Ok(())
    }

    fn send(&mut self, buf: &[u8]) -> Result<(), WriteError> {
        self.send_pregap()?;
        let blocks = (buf.len() / BLOCK) as u32;
        // The medium's free space, known before the first write: a stream of unknown size
        // that outgrows it stops here with the cause instead of at the drive.
        if self.written + u64::from(blocks) > self.plan.free_blocks {
            self.failed = true;
            return Err(WriteError::NoSpace {
                need: self.written + u64::from(blocks),
                free: self.plan.free_blocks,
                start: self.plan.start,
            });
        }
        let lba = self.next;
        match self.drive.execute(
            write::write10(lba, blocks as u16),
            DataPhase::Out(buf),
            Duration::from_secs(120),
        ) {
            Ok(_) => {}
            Err(e) => {
                self.failed = true;
                return Err(step(Step::Write { blocks, lba })(e));
            }
        }
        self.next += blocks;
        self.written += u64::from(blocks);
        Ok(())
    }

    fn flush_pending(&mut self) -> Result<(), WriteError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut buf = std::mem::take(&mut self.pending);
        let r = buf.len() % BLOCK;
        if r != 0 {
            buf.resize(buf.len() + BLOCK - r, 0);
        }
        self.send(&buf)
    }

    /// Ends the session: pads the last block, writes what is queued, synchronizes the cache,
    /// closes track and session as the medium needs (and on overwritable media commits the
    /// session by copying its volume descriptors to LBA 16 at once; see
    /// [`SessionWriter::finish_uncommitted`] to verify the session first).
    pub fn finish(mut self) -> Result<SessionReport, WriteError> {
        let (report, commit) = self.end()?;
        if let Some(c) = commit {
            for note in c.apply(self.drive)? {
                log::warn!("{note}");
            }
        }
        Ok(report)
    }

    /// Ends the session like [`SessionWriter::finish`] but leaves the commit of an
    /// overwritable medium (the descriptor copy to LBA 16) to the caller, who applies it with
    /// [`Commit::apply`] once the session has been read back and verified. Until then the
    /// previous session stays in force and the next session would overwrite this one.
    pub fn finish_uncommitted(mut self) -> Result<(SessionReport, Option<Commit>), WriteError> {
        self.end()
    }

    fn end(&mut self) -> Result<(SessionReport, Option<Commit>), WriteError> {
        self.flush_pending()?;
        self.send_pregap()?;
        if let Some(n) = self.plan.sao_blocks {
            // the track must fill what the cue sheet announced: pad with zeros
            let data = u32::try_from(self.written).unwrap_or(u32::MAX);
            if data > n {
                self.failed = true;
                return Err(WriteError::NoSpace {
                    need: u64::from(data),
                    free: u64::from(n),
                    start: self.plan.start,
                });
            }
            let per = (self.chunk / BLOCK).max(1) as u32;
            let zeros = vec![0u8; per as usize * BLOCK];
            let mut left = n - data;
            while left > 0 {
                let k = left.min(per);
                self.send(&zeros[..k as usize * BLOCK])?;
                left -= k;
            }
            // the report counts the session's data, as with TAO (whose drive pads itself)
            self.written = u64::from(data);
        }
        self.restore_policy();
        let plan = self.plan.clone();
        let drive = &mut *self.drive;
        drive
            .synchronize_cache()
            .map_err(step(Step::SynchronizeCache))?;
        let multi = plan.options.multi;
        let mut commit = None;
        let close_track = |drive: &mut Drive<T>| {
            drive
                .execute(
                    close::cdb(CloseFunction::Track, plan.track, false),
                    DataPhase::None,
                    LONG_TIMEOUT,
                )
                .map(|_| ())
                .map_err(step(Step::CloseTrack {
                    track: plan.track,
                    interrupted: false,
                }))
        };
        let close_session = |drive: &mut Drive<T>, f: CloseFunction| {
            drive
                .execute(close::cdb(f, 0, false), DataPhase::None, LONG_TIMEOUT)
                .map(|_| ())
                .map_err(step(Step::CloseSession {
                    kind: if multi {
                        SessionClose::Session
                    } else {
                        SessionClose::Finalize
                    },
                }))
        };
        match plan.recipe {
            // SAO: the drive closes track and session itself after the announced session
            Recipe::CdTao if plan.sao_blocks.is_some() => {}
            Recipe::CdTao => close_session(drive, CloseFunction::Session)?,
            Recipe::DvdMinusR => {
                close_track(drive)?;
                close_session(drive, CloseFunction::Session)?;
            }
            Recipe::DvdPlusR | Recipe::DvdPlusRDl | Recipe::BdR => {
                close_track(drive)?;
                let f = match (multi, plan.recipe) {
                    (true, _) => CloseFunction::Session,
                    (false, Recipe::DvdPlusR) => CloseFunction::FinalizeMinimal,
                    (false, _) => CloseFunction::FinalizeDvdPlusRDl,
                };
                close_session(drive, f)?;
            }
            Recipe::Overwritable => {
                if plan.start != 0 && !matches!(plan.options.start, Start::Place(_)) {
                    let blocks = u32::try_from(self.written).unwrap_or(u32::MAX);
                    commit = Some(Commit {
                        vds: descriptor_copy(&self.head, plan.start, blocks)?,
                        start: plan.start,
                        md5: super::commit::head_has_md5(&self.head),
                    });
                }
            }
        }
        let report = SessionReport {
            start: plan.start,
            blocks: u32::try_from(self.written).unwrap_or(u32::MAX),
            // A test write leaves the disc as it was: not closed.
            appendable: multi || plan.recipe == Recipe::Overwritable || plan.options.dummy,
            dummy: plan.options.dummy,
        };
        Ok((report, commit))
    }

    /// Stops after a failure or an interruption: synchronizes the cache and closes the
    /// track so earlier sessions stay readable (the session is left open; on overwritable
    /// media block 16 is not touched, so the previous session stays in force). A reserved
    /// track that is not full stays open instead (see [`unfinished_session`](super::unfinished_session)). A CD
    /// session-at-once gets no CLOSE at all: the session is left unfinished (see the note
    /// this returns). Errors of these steps, and the state they left the session in, are
    /// returned as [`CleanupNote`]s, for the report.
    pub fn abort(mut self) -> Vec<CleanupNote> {
        let mut notes = Vec::new();
        if !self.failed {
            if let Err(e) = self.flush_pending() {
                notes.push(CleanupNote::Flush(Box::new(e)));
            }
        }
        self.restore_policy();
        let plan = self.plan.clone();
        let drive = &mut *self.drive;
        if let Err(source) = drive.synchronize_cache() {
            notes.push(CleanupNote::SynchronizeCache { source });
        }
        // CD session-at-once: no CLOSE TRACK/SESSION, as after a complete SAO session
        // (libburn's doc/cookbook.txt, SAO CD Cookbook: "No further finalization is
        // necessary. (I.e. no 5Bh CLOSE TRACK SESSION.)"; libburn's write.c, on a failed
        // burn, only synchronizes the cache and sends CLOSE SESSION for TAO alone). The cue
        // sheet fixed the session's layout; the drive writes the lead-out only after the
        // last announced block, so a session cut short stays unfinished. Closing it belongs
        // to the next `add` (`close_interrupted_session`), which then skips it.
        if let Some(n) = plan.sao_blocks {
            notes.push(if plan.options.dummy {
                CleanupNote::TestWriteStopped
            } else if self.written == 0 {
                CleanupNote::SaoNothingRecorded { start: plan.start }
            } else {
                CleanupNote::SaoUnfinished {
                    written: self.written,
                    announced: n,
                    start: plan.start,
                }
            });
            return notes;
        }
        // A reserved track closed before it is full is padded to its reserved size, and the
        // unfinished session then reads as complete (its descriptors promise files whose
        // blocks were never written). Such a track is left open: the next `add` finds it with
        // `unfinished_session`, closes it and skips the session.
        let reserved = plan.options.reserve
            && !plan.options.dummy
            && plan
                .size_blocks
                .is_some_and(|n| self.written < u64::from(n));
        let sequential = matches!(
            plan.recipe,
            Recipe::DvdMinusR | Recipe::DvdPlusR | Recipe::DvdPlusRDl | Recipe::BdR
        );
        if sequential && reserved && self.written > 0 {
            notes.push(CleanupNote::ReservedTrackLeftOpen { track: plan.track });
        } else if sequential && self.written > 0 {
            if let Err(source) = drive.execute(
                close::cdb(CloseFunction::Track, plan.track, false),
                DataPhase::None,
                LONG_TIMEOUT,
            ) {
                notes.push(CleanupNote::CloseTrack {
                    track: plan.track,
                    source,
                });
            }
        }
        notes
    }
}
