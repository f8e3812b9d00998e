//! File data (ECMA-119 §6.4 file sections in image order): read ahead on worker threads
//! into a bounded set of buffers and written in order, or copied file to file by the kernel
//! when the output is a regular file; boot images get their boot information table here.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::sync::mpsc::sync_channel;

use super::{BuildError, Image};
use crate::checksum::{md5_of, Hasher};
use crate::tree::{Data, Kind, NodeId};
use crate::wire::eltorito::{patch_boot_info_table, patch_grub2_boot_info};
use crate::SECTOR;

impl Image {
    /// Patches boot image `id` in memory: GRUB 2's boot info first, then the boot
    /// information table (which covers the bytes after 64, as libisofs orders them).
    fn patch_boot(&self, id: NodeId, v: &mut [u8], pvd_lba: u32) {
        let Some(b) = self.boot_patch(id) else {
            return;
        };
        let lba = self.data_lba[id as usize];
        if b.grub2_boot_info {
            patch_grub2_boot_info(v, lba);
        }
        if b.info_table {
            patch_boot_info_table(v, pvd_lba, lba);
        }
    }

    /// Writes the file data in image order; returns the MD5 of each file written when the
    /// session records checksums (computed by the reading workers, in parallel).
    pub(super) fn write_files<W: Sink>(
        &self,
        w: &mut W,
    ) -> Result<HashMap<NodeId, [u8; 16]>, BuildError> {
        let hash = self.md5.is_some();
        let mut digests: HashMap<NodeId, [u8; 16]> = HashMap::new();
        /// Files per batch at most, and bytes per batch at most (a batch is one worker's
        /// unit; fewer, larger messages keep the threads from waking each other per file).
        const BATCH_FILES: usize = 512;
        const BATCH_BYTES: u64 = 4 << 20;
        let direct = w.direct();
        let k = if self.opts.threads > 0 {
            self.opts.threads
        } else {
            std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .clamp(2, 8)
        };
        let files = &self.files;
        let size_of = |id: NodeId| match self.tree.node(id).kind {
            Kind::File { size, .. } => size,
            _ => 0,
        };
        // Batches: contiguous runs of files, in image order.
        let mut batches: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        let mut bytes = 0u64;
        for (i, &id) in files.iter().enumerate() {
            bytes += size_of(id);
            if i + 1 - start >= BATCH_FILES || bytes >= BATCH_BYTES {
                batches.push((start, i + 1));
                start = i + 1;
                bytes = 0;
            }
        }
        if start < files.len() {
            batches.push((start, files.len()));
        }
        let batches = &batches;
        let pvd_lba = self.start + 16;
        std::thread::scope(|s| -> Result<(), BuildError> {
            let digests = &mut digests;
            let mut rxs = Vec::with_capacity(k);
            for wi in 0..k {
                let (tx, rx) = sync_channel::<Msg>(QUEUE);
                rxs.push(rx);
                s.spawn(move || {
                    let mut b = wi;
                    while b < batches.len() {
                        let (from, to) = batches[b];
                        b += k;
                        let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + SECTOR);
                        for &id in &files[from..to] {
                            if let Err(e) = self.read_one(id, direct, hash, pvd_lba, &mut buf, &tx)
                            {
                                let _ = tx.send(Msg::Err(e));
                                return;
                            }
                        }
                        if !buf.is_empty() && tx.send(Msg::Data(buf)).is_err() {
                            return;
                        }
                        if tx.send(Msg::End).is_err() {
                            return;
                        }
                    }
                });
            }
            let zeros = [0u8; SECTOR];
            for (bi, _) in batches.iter().enumerate() {
                let rx = &rxs[bi % k];
                loop {
                    match rx.recv() {
                        Ok(Msg::Data(b)) => w.write_all(&b).map_err(BuildError::Write)?,
                        Ok(Msg::Handle(mut f, len, id)) => {
                            let got = w.copy_file(&mut f, len).map_err(BuildError::Write)?;
                            if got != len {
                                return Err(BuildError::Source {
                                    path: self.path_of(id),
                                    source: io::Error::new(
                                        io::ErrorKind::UnexpectedEof,
                                        "file shrank while the image was written",
                                    ),
                                });
                            }
                            let pad = (SECTOR as u64 - len % SECTOR as u64) % SECTOR as u64;
                            w.write_all(&zeros[..pad as usize])
                                .map_err(BuildError::Write)?;
                        }
                        Ok(Msg::Md5(id, d)) => {
                            digests.insert(id, d);
                        }
                        Ok(Msg::End) => break,
                        Ok(Msg::Err(e)) => return Err(e),
                        Err(_) => {
                            return Err(BuildError::Source {
                                path: String::from("(file data)"),
                                source: io::Error::other("reader thread ended early"),
                            })
                        }
                    }
                }
            }
            Ok(())
        })?;
        Ok(digests)
    }

    /// Reads one file's bytes into `buf` (padded to whole blocks), handing `buf` over in
    /// chunks as it fills; a large file for a direct sink goes over as an open handle.
    /// With `hash`, its MD5 (of the bytes as written: boot images after patching) follows
    /// as [`Msg::Md5`].
    pub(super) fn read_one(
        &self,
        id: NodeId,
        direct: bool,
        hash: bool,
        pvd_lba: u32,
        buf: &mut Vec<u8>,
        tx: &std::sync::mpsc::SyncSender<Msg>,
    ) -> Result<(), BuildError> {
        let gone = || BuildError::Write(io::Error::other("image writer stopped"));
        let send = |m: Msg| tx.send(m).map_err(|_| gone());
        let node = self.tree.node(id);
        let Kind::File { size, data } = &node.kind else {
            return Ok(());
        };
        let size = *size;
        let pad = |buf: &mut Vec<u8>| {
            let p = (SECTOR - buf.len() % SECTOR) % SECTOR;
            buf.resize(buf.len() + p, 0);
        };
        match data {
            Data::Old { .. } => return Ok(()),
            Data::Blob(b) => {
                let mut v = self.tree.blob(*b).to_vec();
                v.resize(size as usize, 0);
                self.patch_boot(id, &mut v, pvd_lba);
                if hash {
                    send(Msg::Md5(id, md5_of(&v)))?;
                }
                buf.extend_from_slice(&v);
                pad(buf);
            }
            Data::Path(p) => {
                let path = self.tree.source_path(*p);
                let perr = |e: io::Error| BuildError::Source {
                    path: path.display().to_string(),
                    source: e,
                };
                let shrank = || {
                    perr(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "file shrank while the image was written",
                    ))
                };
                let mut f = std::fs::File::open(&path).map_err(perr)?;
                let patch = self.boot_patch(id).is_some();
                if direct && !patch && size >= DIRECT_MIN {
                    if !buf.is_empty() {
                        send(Msg::Data(std::mem::take(buf)))?;
                    }
                    return send(Msg::Handle(f, size, id));
                }
                if patch {
                    let mut v = Vec::with_capacity(size as usize);
                    let n = (&mut f).take(size).read_to_end(&mut v).map_err(perr)?;
                    if n as u64 != size {
                        return Err(shrank());
                    }
                    self.patch_boot(id, &mut v, pvd_lba);
                    if hash {
                        send(Msg::Md5(id, md5_of(&v)))?;
                    }
                    buf.extend_from_slice(&v);
                } else {
                    let mut h = hash.then(Hasher::default);
                    let mut left = size;
                    while left > 0 {
                        if buf.len() >= CHUNK {
                            send(Msg::Data(std::mem::take(buf)))?;
                            buf.reserve(CHUNK + SECTOR);
                        }
                        let room = (CHUNK + SECTOR - buf.len()).max(SECTOR);
                        let n = left.min(room as u64) as usize;
                        let at = buf.len();
                        buf.resize(at + n, 0);
                        let got = read_full(&mut f, &mut buf[at..]).map_err(perr)?;
                        if got != n {
                            return Err(shrank());
                        }
                        if let Some(h) = h.as_mut() {
                            h.update(&buf[at..]);
                        }
                        left -= n as u64;
                    }
                    if let Some(h) = h {
                        send(Msg::Md5(id, h.finish()))?;
                    }
                }
                pad(buf);
            }
        }
        if buf.len() >= CHUNK {
            send(Msg::Data(std::mem::take(buf)))?;
        }
        Ok(())
    }
}

/// What a read-ahead worker hands the writer.
pub(super) enum Msg {
    /// Image bytes, already padded to whole blocks per file.
    Data(Vec<u8>),
    /// A large file, opened, for the writer to copy file to file, then pad.
    Handle(std::fs::File, u64, NodeId),
    /// The MD5 of a file handed over before.
    Md5(NodeId, [u8; 16]),
    /// End of the batch.
    End,
    /// Reading failed.
    Err(BuildError),
}

/// Bytes a worker gathers before handing them over. With [`QUEUE`], what the read-ahead
/// holds at most: per worker the chunk it fills and `QUEUE` waiting, and the one being
/// written (2 workers: 3.5 MiB; the memory per entry of a tree of small files counts it).
const CHUNK: usize = 512 << 10;
/// Chunks a worker may have waiting for the writer.
const QUEUE: usize = 2;

/// Files at least this large are copied file to file when the output is a file.
pub(super) const DIRECT_MIN: u64 = 1 << 20;

/// Where a session is written: any `Write`, or a file that can take file-to-file copies.
pub(super) trait Sink: Write {
    /// Whether [`Sink::copy_file`] avoids the trip through user space.
    fn direct(&self) -> bool;
    /// Appends `len` bytes of `f` (from its start); returns how many there were.
    fn copy_file(&mut self, f: &mut std::fs::File, len: u64) -> io::Result<u64>;
}

/// Any writer: file data goes through a buffer.
pub(super) struct Plain<'a, W: Write>(pub(super) &'a mut W);

impl<W: Write> Write for Plain<'_, W> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.write(b)
    }
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        self.0.write_all(b)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<W: Write> Sink for Plain<'_, W> {
    fn direct(&self) -> bool {
        false
    }
    fn copy_file(&mut self, f: &mut std::fs::File, len: u64) -> io::Result<u64> {
        io::copy(&mut f.take(len), self.0)
    }
}

/// A regular file: large files are copied by the kernel.
pub(super) struct Direct<'a>(pub(super) std::io::BufWriter<&'a std::fs::File>);

impl Write for Direct<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.write(b)
    }
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        self.0.write_all(b)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Sink for Direct<'_> {
    fn direct(&self) -> bool {
        true
    }
    fn copy_file(&mut self, f: &mut std::fs::File, len: u64) -> io::Result<u64> {
        self.0.flush()?;
        let out: &mut &std::fs::File = self.0.get_mut();
        // std::io::copy between files uses copy_file_range (then sendfile) on Linux.
        io::copy(&mut (&*f).take(len), out)
    }
}

pub(super) fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match f.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}
