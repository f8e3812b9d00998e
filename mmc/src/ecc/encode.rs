//! Making repair data while the session streams (see [`super`] for the layout): an
//! `io::Write` that passes the session's bytes on unchanged, keeps the current window, and
//! hands each full window to a thread that encodes its codewords (Reed-Solomon over
//! GF(2^16), `reed-solomon-simd`) into an unnamed temporary file; [`EccWriter::finish`] then
//! appends the header, the parity and the header's copy to the same stream.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::thread;

use reed_solomon_simd::ReedSolomonEncoder;
use xxhash_rust::xxh3::Xxh3;

use super::Layout;
use crate::drive::BLOCK;

/// What the encoder thread returns: the parity, from its first byte.
type Parity = Result<File, String>;

/// Passes a session through to `inner` and makes its repair data (see the module docs).
pub struct EccWriter<'a, W: Write> {
    inner: &'a mut W,
    layout: Layout,
    window: Vec<u8>,
    hasher: Xxh3,
    written: u64,
    tx: Option<SyncSender<Vec<u8>>>,
    /// Windows the encoder is done with, to fill again (fresh memory costs a page fault a
    /// page; on a VM that hands free pages back to its host, more than the encoding).
    spare: Receiver<Vec<u8>>,
    worker: Option<thread::JoinHandle<Parity>>,
}

impl<W: Write> std::fmt::Debug for EccWriter<'_, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EccWriter")
            .field("layout", &self.layout)
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// Encodes the windows received, in order, into a temporary file.
fn encode_windows(layout: Layout, rx: Receiver<Vec<u8>>, back: Sender<Vec<u8>>) -> Parity {
    let file = tempfile::tempfile().map_err(|e| format!("a temporary file for the parity: {e}"))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut codewords = layout.codewords().peekable();
    let mut enc: Option<ReedSolomonEncoder> = None;
    for (w, buf) in rx.into_iter().enumerate() {
        let first = (w as u64 * u64::from(layout.window)) as u32;
        while let Some(c) = codewords.next_if(|c| c.window_first == first) {
            let (k, m) = (c.k as usize, c.m as usize);
            let e = match enc.as_mut() {
                Some(e) => {
                    e.reset(k, m, BLOCK).map_err(|e| e.to_string())?;
                    e
                }
                None => {
                    enc.insert(ReedSolomonEncoder::new(k, m, BLOCK).map_err(|e| e.to_string())?)
                }
            };
            for j in 0..c.k {
                let at = ((c.index + j * c.stride) as usize) * BLOCK;
                let shard = buf
                    .get(at..at + BLOCK)
                    .ok_or_else(|| format!("window {w} is short of block {}", c.block(j)))?;
                e.add_original_shard(shard).map_err(|e| e.to_string())?;
            }
            let r = e.encode().map_err(|e| e.to_string())?;
            for p in r.recovery_iter() {
                out.write_all(p)
                    .map_err(|e| format!("writing the parity to a temporary file: {e}"))?;
            }
        }
        // The writer may be done with windows; then the buffer is simply freed.
        let _ = back.send(buf);
    }
    let mut f = out
        .into_inner()
        .map_err(|e| format!("writing the parity to a temporary file: {e}"))?;
    f.seek(SeekFrom::Start(0))
        .map_err(|e| format!("rewinding the parity's temporary file: {e}"))?;
    Ok(f)
}

impl<'a, W: Write> EccWriter<'a, W> {
    /// A writer for a session laid out as `layout`, passing it on to `inner`.
    pub fn new(inner: &'a mut W, layout: Layout) -> io::Result<Self> {
        let (tx, rx) = sync_channel::<Vec<u8>>(0);
        let (back, spare) = channel::<Vec<u8>>();
        let worker = thread::Builder::new()
            .name("ecc".into())
            .spawn(move || encode_windows(layout, rx, back))?;
        Ok(EccWriter {
            inner,
            layout,
            window: Vec::with_capacity(layout.window as usize * BLOCK),
            hasher: Xxh3::new(),
            written: 0,
            tx: Some(tx),
            spare,
            worker: Some(worker),
        })
    }

    fn send_window(&mut self) -> io::Result<()> {
        let full = std::mem::take(&mut self.window);
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(full).is_ok());
        if !sent {
            // The encoder stopped: its error is what finish() reports.
            return Err(self.worker_error());
        }
        // The encoder took this window after finishing the one before, which it handed
        // back: at most two windows are ever allocated.
        let cap = self.layout.window as usize * BLOCK;
        self.window = match self.spare.try_recv() {
            Ok(mut b) => {
                b.clear();
                b
            }
            Err(_) => Vec::with_capacity(cap),
        };
        Ok(())
    }

    fn worker_error(&mut self) -> io::Error {
        self.tx = None;
        match self.worker.take().map(thread::JoinHandle::join) {
            Some(Ok(Err(e))) => other(format!("repair data: {e}")),
            Some(Err(_)) => other("repair data: the encoder thread panicked"),
            _ => other("repair data: the encoder stopped"),
        }
    }

    /// Ends the session: encodes the last window and writes the header, the parity and the
    /// header's copy after it. Fails if the session was not `layout.data_blocks` long.
    pub fn finish(mut self) -> io::Result<()> {
        let expected = u64::from(self.layout.data_blocks) * BLOCK as u64;
        // An image whose size is no multiple of a block: its last block zero-padded, as
        // the drive gets it.
        if self.written < expected && expected - self.written < BLOCK as u64 {
            let pad = vec![0u8; (expected - self.written) as usize];
            self.write_all(&pad)?;
        }
        if self.written != expected {
            return Err(other(format!(
                "repair data: the session was {} bytes, {expected} were laid out",
                self.written
            )));
        }
        if !self.window.is_empty() {
            self.send_window()?;
        }
        self.tx = None;
        let mut parity = match self.worker.take().map(thread::JoinHandle::join) {
            Some(Ok(Ok(f))) => f,
            Some(Ok(Err(e))) => return Err(other(format!("repair data: {e}"))),
            _ => return Err(other("repair data: the encoder thread panicked")),
        };
        let digest = self.hasher.digest128();
        self.inner.write_all(&self.layout.header_block(digest, 0))?;
        let want = u64::from(self.layout.parity_blocks()) * BLOCK as u64;
        let copied = io::copy(&mut (&mut parity).take(want), &mut *self.inner)?;
        if copied != want {
            return Err(other(format!(
                "repair data: {copied} bytes of parity, {want} expected"
            )));
        }
        self.inner.write_all(&self.layout.header_block(digest, 1))?;
        Ok(())
    }
}

impl<W: Write> Write for EccWriter<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let cap = self.layout.window as usize * BLOCK;
        let room = cap - self.window.len();
        let n = data.len().min(room);
        let limit = u64::from(self.layout.data_blocks) * BLOCK as u64;
        if self.written + n as u64 > limit {
            return Err(other(format!(
                "repair data: the session is longer than the {} blocks laid out",
                self.layout.data_blocks
            )));
        }
        self.inner.write_all(&data[..n])?;
        self.hasher.update(&data[..n]);
        self.window.extend_from_slice(&data[..n]);
        self.written += n as u64;
        if self.window.len() == cap {
            self.send_window()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
