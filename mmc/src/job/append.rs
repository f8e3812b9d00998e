//! The multisession job (what `discburn add` runs): msinfo from the drive
//! ([`crate::msinfo`], MMC-6 §6.22, §6.26, §6.27), the previous session imported through
//! the drive (`isofs::merge::import` over [`Drive`] as a `SectorSource`, ECMA-119 §6.8),
//! the edits applied, the next session laid out for `-C last,next` and streamed straight
//! to the drive through the FIFO ([`super::pipeline`]), read back and compared with what
//! was sent, and on overwritable media committed only then (the descriptor copy to LBA 16,
//! see [`crate::write`]). A session an interrupted write left unfinished is closed and
//! skipped; a blank disc gets its first session (LBA 0; LBA 32 on overwritable media).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use isofs::tree::{Data, Kind, NodeId};
use isofs::{Image, Options, ScanOptions, SectorSource, Tree};
use transport::Transport;

use super::pipeline::{self, Burned, Failed, ReadBack};
use super::Event;
use crate::cmd::track_info::TrackAddress;
use crate::drive::{Drive, BLOCK};
use crate::error::MmcError;
use crate::msinfo::{self, Msinfo, MsinfoError};
use crate::profile::Profile;
use crate::write::{self, Start, WriteError, WriteMode, WriteOptions, OVERWRITABLE_FIRST_SESSION};

/// What the new session changes in the previous session's tree.
#[derive(Debug, Clone, Default)]
pub struct Edits {
    /// Paths to remove (a leading '/' is optional; a directory goes with what it holds),
    /// applied first, in order.
    pub remove: Vec<String>,
    /// Sources to add as (image path, source path): a directory's contents are merged
    /// into the image path, a file becomes it (mkisofs graft points; "/" for none).
    pub add: Vec<(String, PathBuf)>,
    /// How the sources are scanned.
    pub scan: ScanOptions,
    /// Mirror (xorriso `-update_r`): after the sources are added, every entry of the
    /// previous session that no source provided is removed, so the new tree equals the
    /// sources (unchanged files still keep their old extents, found by content).
    pub mirror: bool,
}

/// How the session is built and written.
#[derive(Debug, Clone)]
pub struct AppendOptions {
    /// The image options (Rock Ridge, Joliet, ids...); `session` is set by [`append`].
    pub image: Options,
    /// Close the disc after this session (no further sessions).
    pub close: bool,
    /// Write speed in multiples of the medium's 1x (`None`: the drive's choice).
    pub speed_x: Option<f64>,
    /// FIFO size in bytes.
    pub fifo_size: usize,
    /// Read the session back and compare it with what was sent.
    pub verify: bool,
    /// Also hash the read-back with MD5 (a second MD5 pass).
    pub verify_md5: bool,
    /// Write the session without the previous session's files when that session holds an
    /// ISO 9660 volume that cannot be read whole (otherwise [`AppendError::NotWhole`]).
    pub fresh_tree: bool,
    /// Set to stop feeding the drive (the track is then synchronized and closed).
    pub cancel: Option<Arc<AtomicBool>>,
    /// Reed-Solomon repair data of this share (percent of the session's blocks) written
    /// after the session in the same track ([`crate::ecc`]).
    pub ecc_percent: Option<u32>,
}

impl Default for AppendOptions {
    fn default() -> Self {
        AppendOptions {
            image: Options {
                rock_ridge: Some(isofs::RockRidge::Exact),
                joliet: true,
                iso_level: 3,
                md5: true,
                ..Options::default()
            },
            close: false,
            speed_x: None,
            fifo_size: pipeline::DEFAULT_FIFO,
            verify: true,
            verify_md5: false,
            fresh_tree: false,
            cancel: None,
            ecc_percent: None,
        }
    }
}

/// What [`append`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct AppendReport {
    /// The medium.
    pub medium: Profile,
    /// Session number (0: unknown).
    pub session: u16,
    /// First block of the new session.
    pub start: u32,
    /// Its size in blocks.
    pub blocks: u32,
    /// Files added.
    pub added: usize,
    /// Files replaced (new contents).
    pub replaced: usize,
    /// Files removed.
    pub removed: usize,
    /// The disc was left appendable.
    pub appendable: bool,
    /// MD5 of the session (as `md5sum` of the session read from the disc prints it).
    pub md5: [u8; 16],
    /// Read back and found equal to what was sent.
    pub verified: bool,
    /// With `verify_md5`: MD5 of the session as read back.
    pub read_back_md5: Option<[u8; 16]>,
    /// Blocks left for further sessions.
    pub blocks_left: u64,
    /// Seconds spent writing.
    pub seconds: f64,
    /// Lowest FIFO fill while writing (%).
    pub fifo_min_percent: u8,
    /// Blocks of the commit (overwritable media) that read back wrong once and were
    /// written again, read back correctly.
    pub commit_notes: Vec<String>,
    /// Entries of the previous session not carried forward (each also reported as
    /// [`Event::NotCarried`] when met).
    pub not_carried: Vec<isofs::extract::Problem>,
    /// The repair data written after the session (`ecc_percent`).
    pub ecc: Option<EccReport>,
}

/// Repair data written after a session ([`crate::ecc`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct EccReport {
    /// Parity share in percent.
    pub percent: u32,
    /// Blocks of the ISO 9660 session (what the parity protects).
    pub session_blocks: u32,
    /// Parity blocks.
    pub parity_blocks: u32,
    /// Codewords.
    pub codewords: u32,
    /// Where the header block lies (the parity follows it; a copy of it ends the track).
    pub header_lba: u32,
}

/// A previous session holding an ISO 9660 volume that cannot be read whole: its volume
/// runs past its recorded track, or ends outside a recorded, undamaged track of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the previous session at block {start} holds an ISO 9660 volume that cannot be read whole ({})", if .volume_end > .recorded_end {
    format!("its volume space size of {volume_blocks} blocks ends at block {volume_end}, past its recorded track, which ends at block {recorded_end}")
} else {
    format!("its volume ends at block {volume_end}, which is not in a recorded, undamaged track of the same session")
})]
pub struct NotWhole {
    /// The session's first block.
    pub start: u32,
    /// Its primary volume descriptor's volume space size.
    pub volume_blocks: u32,
    /// Where that volume ends.
    pub volume_end: u32,
    /// Where the session's first recorded track ends.
    pub recorded_end: u32,
}

/// Why [`append`] failed. Variants before [`AppendError::Write`] wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// The device or its medium cannot be written, or a step of finding or closing an
    /// unfinished session failed.
    #[error("{0}")]
    Disc(WriteError),
    /// msinfo failed.
    #[error("msinfo: {0}")]
    Msinfo(MsinfoError),
    /// The last session holds an ISO 9660 volume that cannot be read whole, which a new
    /// session without its files would hide (see [`AppendOptions::fresh_tree`]).
    #[error("{0}: a new session without its files would hide them; nothing was written")]
    NotWhole(NotWhole),
    /// The previous session could not be read.
    #[error("reading the previous session at block {lba}: {source}")]
    Import {
        /// Its first block.
        lba: u32,
        /// Why.
        #[source]
        source: isofs::ReadError,
    },
    /// A path to remove is not in the previous session; `index` is its place in
    /// [`Edits::remove`].
    #[error("{path}: no such file or directory in the last session")]
    NoSuchPath {
        /// The path as given.
        path: String,
        /// Its index in the removal list.
        index: usize,
    },
    /// A source could not be scanned.
    #[error("{0}")]
    Source(#[from] isofs::tree::TreeError),
    /// The disc reads as blank after an unfinished session was closed.
    #[error(
        "msinfo: the disc reads as blank after closing an unfinished session; nothing was written"
    )]
    BlankAfterClose,
    /// The session could not be laid out.
    #[error("{0}")]
    Image(#[from] isofs::BuildError),
    /// The write was refused or its preparation failed ([`WriteError::is_refusal`] says
    /// whether anything was sent that changes the medium).
    #[error("{0}")]
    Prepare(WriteError),
    /// The drive's next writable address is not the one the session was built for.
    #[error(
        "the drive's next writable address is {nwa} but msinfo said {msinfo}: nothing was written"
    )]
    NwaMismatch {
        /// What the plan found.
        nwa: u32,
        /// What msinfo said.
        msinfo: u32,
    },
    /// Writing failed (what was written, and the clean-up).
    #[error("{0}")]
    Write(Failed),
    /// Reading the session back failed.
    #[error("reading the session back: {source}")]
    ReadBack {
        /// The session.
        start: u32,
        /// The session was not committed (overwritable media: the previous one stays current).
        uncommitted: bool,
        /// Why.
        #[source]
        source: MmcError,
    },
    /// The session reads back different from what was sent.
    #[error("{}", .read_back.problem(.sent_md5).unwrap_or_default())]
    Differ {
        /// The session.
        start: u32,
        /// The session was not committed (overwritable media: the previous one stays current).
        uncommitted: bool,
        /// What differs.
        read_back: ReadBack,
        /// MD5 of what was sent.
        sent_md5: [u8; 16],
    },
    /// Making the verified session current failed (overwritable media).
    #[error("committing the session: {0}")]
    Commit(WriteError),
    /// The repair data cannot be laid out.
    #[error("repair data: {0}")]
    Ecc(#[from] crate::ecc::EccError),
}

impl AppendError {
    /// True when nothing was written to the medium.
    pub fn wrote_nothing(&self) -> bool {
        match self {
            AppendError::Write(f) => f.nothing_written,
            AppendError::Prepare(e) | AppendError::Disc(e) => e.is_refusal(),
            AppendError::ReadBack { .. } | AppendError::Differ { .. } | AppendError::Commit(_) => {
                false
            }
            _ => true,
        }
    }
}

/// Where the volume of the session at `s`, which [`append`] would skip, ends and where its
/// first track ends, when it must not be skipped silently: it holds a primary volume
/// descriptor (ECMA-119 §8.4, so readers can see its files), it is not the session an
/// interrupted write left unfinished, and its first track is not damaged (MMC-6 §6.27.3
/// Damage); `None` when skipping it is what recovery from a failed write does (or there is
/// no ISO 9660 volume to hide).
fn readable_but_not_whole<T: Transport>(
    drive: &mut Drive<T>,
    s: u32,
    unfinished: Option<u32>,
) -> Option<NotWhole> {
    if unfinished == Some(s) {
        return None;
    }
    let ti = drive.track_info(TrackAddress::Lba(s)).ok()?;
    if ti.view().damage() {
        return None;
    }
    let mut b = vec![0u8; BLOCK];
    drive.read_blocks(s.checked_add(16)?, &mut b).ok()?;
    if b[0] != 1 || &b[1..6] != b"CD001" {
        return None;
    }
    let vss = u32::from_le_bytes([b[80], b[81], b[82], b[83]]);
    // As the intact check reads it: a later session's volume counts from block 0 (mkisofs
    // -C) or, when smaller than its start, from the session's start.
    let end = if vss > s { vss } else { s.saturating_add(vss) };
    let recorded = ti.view().start().saturating_add(ti.view().size());
    Some(NotWhole {
        start: s,
        volume_blocks: vss,
        volume_end: end,
        recorded_end: recorded,
    })
}

/// Regular files of a tree by path, with their old extent when they have one.
fn files(tree: &Tree) -> HashMap<String, Option<u32>> {
    let mut out = HashMap::new();
    let mut stack: Vec<(NodeId, String)> = vec![(Tree::ROOT, String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        for &c in tree.children(dir) {
            let n = tree.node(c);
            if n.dead {
                continue;
            }
            let path = format!("{prefix}/{}", tree.name_str(c));
            match &n.kind {
                Kind::Dir => stack.push((c, path)),
                Kind::File { data, .. } => {
                    let old = match data {
                        Data::Old { lba } => Some(*lba),
                        _ => None,
                    };
                    out.insert(path, old);
                }
                _ => {
                    out.insert(path, None);
                }
            }
        }
    }
    out
}

/// Appends a session to the disc in `drive`: the previous session's tree (if any) with
/// `edits` applied, built with `options.image`, written, verified and committed (see the
/// module documentation). `progress` sees the write's [`Event`]s.
///
/// ```
/// use mmc::drive::Drive;
/// use mmc::job::append::{append, AppendOptions, Edits};
///
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("notes.txt"), "first session\n")?;
/// let opts = [("profile".to_string(), "bd-r".to_string())];
/// let mut drive = Drive::new(emu::open(&dir.path().join("demo.disc"), &opts)?);
/// let edits = Edits {
///     add: vec![("/docs".into(), dir.path().join("notes.txt"))],
///     ..Edits::default()
/// };
/// let mut samples = 0;
/// let report = append(&mut drive, &edits, &AppendOptions::default(), &mut |e| {
///     if let mmc::job::Event::Written(_) = e {
///         samples += 1;
///     }
/// })?;
/// assert_eq!((report.session, report.start, report.added), (1, 0, 1));
/// assert!(report.verified && report.appendable && samples > 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn append<T: Transport>(
    drive: &mut Drive<T>,
    edits: &Edits,
    options: &AppendOptions,
    progress: &mut dyn FnMut(&Event),
) -> Result<AppendReport, AppendError> {
    let Staged {
        profile,
        image,
        start,
        changes,
        not_carried,
        ..
    } = stage(drive, edits, options, progress, false)?;
    let counts = Counts::of(&changes, not_carried);
    let size = image.size_blocks();
    let ecc = ecc_layout(options, start, size)?;
    // The track holds the session and its repair data.
    let track_blocks = ecc.map_or(size, |l| l.total_blocks());
    let plan = write::prepare(drive, Some(track_blocks), &write_options(options, profile))
        .map_err(AppendError::Prepare)?;
    if plan.start != start {
        return Err(AppendError::NwaMismatch {
            nwa: plan.start,
            msinfo: start,
        });
    }
    let free = plan.free_blocks;
    let session = plan.session;
    let producer = session_producer(image, ecc);
    let total = u64::from(track_blocks) * BLOCK as u64;
    let no_cancel = AtomicBool::new(false);
    let cancel = options.cancel.as_deref().unwrap_or(&no_cancel);
    let burned = pipeline::run(
        drive,
        plan,
        Some(total),
        producer,
        options.fifo_size,
        cancel,
        progress,
    )
    .map_err(AppendError::Write)?;
    conclude(drive, burned, options, profile, &counts, ecc, free, session)
}

/// The repair data's layout for a session of `size` blocks at `start` (`ecc_percent`).
pub(crate) fn ecc_layout(
    options: &AppendOptions,
    start: u32,
    size: u32,
) -> Result<Option<crate::ecc::Layout>, AppendError> {
    Ok(options
        .ecc_percent
        .map(|p| crate::ecc::Layout::new(start, size, p))
        .transpose()?)
}

/// The producer of a session's track: the session, then its repair data when `ecc`.
pub(crate) fn session_producer(
    image: Image,
    ecc: Option<crate::ecc::Layout>,
) -> pipeline::Producer {
    match ecc {
        None => Box::new(move |w| image.write_to(w).map_err(|e| e.to_string())),
        Some(layout) => Box::new(move |w| {
            let mut e =
                crate::ecc::EccWriter::new(w, layout).map_err(|e| format!("repair data: {e}"))?;
            image.write_to(&mut e).map_err(|e| e.to_string())?;
            e.finish().map_err(|e| e.to_string())
        }),
    }
}

/// What the new session changes, for the report.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counts {
    added: usize,
    replaced: usize,
    removed: usize,
    not_carried: Vec<isofs::extract::Problem>,
}

impl Counts {
    pub(crate) fn of(c: &Changes, not_carried: Vec<isofs::extract::Problem>) -> Counts {
        Counts {
            added: c.added.len(),
            replaced: c.replaced.len(),
            removed: c.removed.len(),
            not_carried,
        }
    }
}

/// The write options of a session [`stage`] built.
pub(crate) fn write_options(options: &AppendOptions, profile: Profile) -> WriteOptions {
    WriteOptions {
        multi: !options.close,
        dummy: false,
        speed_kbps: options
            .speed_x
            .map(|x| (x * f64::from(profile.single_speed_kbps())).round() as u32),
        mode: WriteMode::Auto,
        bufe: true,
        start: Start::Append,
        reserve: true,
    }
}

/// After the write: the read-back verify, the commit (overwritable media) and the report.
#[allow(clippy::too_many_arguments)]
pub(crate) fn conclude<T: Transport>(
    drive: &mut Drive<T>,
    mut burned: Burned,
    options: &AppendOptions,
    profile: Profile,
    counts: &Counts,
    ecc: Option<crate::ecc::Layout>,
    free: u64,
    session: u16,
) -> Result<AppendReport, AppendError> {
    let (verified, read_back_md5) = verify(drive, &burned, options.verify, options.verify_md5)
        .map_err(|e| match e {
            VerifyError::Read(source) => AppendError::ReadBack {
                start: burned.report.start,
                uncommitted: burned.commit.is_some(),
                source,
            },
            VerifyError::Differ(read_back) => AppendError::Differ {
                start: burned.report.start,
                uncommitted: burned.commit.is_some(),
                read_back,
                sent_md5: burned.md5,
            },
        })?;
    let commit_notes = pipeline::commit(drive, &mut burned).map_err(AppendError::Commit)?;
    Ok(AppendReport {
        medium: profile,
        session,
        start: burned.report.start,
        blocks: burned.report.blocks,
        added: counts.added,
        replaced: counts.replaced,
        removed: counts.removed,
        appendable: burned.report.appendable,
        md5: burned.md5,
        verified,
        read_back_md5,
        blocks_left: pipeline::blocks_left(drive, free, &burned),
        seconds: burned.seconds,
        fifo_min_percent: burned.fifo_min_percent,
        commit_notes,
        not_carried: counts.not_carried.clone(),
        ecc: ecc.as_ref().map(EccReport::of),
    })
}

impl EccReport {
    /// The report of the repair data laid out by `l`.
    pub(crate) fn of(l: &crate::ecc::Layout) -> EccReport {
        EccReport {
            percent: l.percent,
            session_blocks: l.data_blocks,
            parity_blocks: l.parity_blocks(),
            codewords: l.codewords().count() as u32,
            header_lba: l.start + l.data_blocks,
        }
    }
}

/// The files a session adds, replaces (new contents) and removes, each list sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Changes {
    /// Paths in the new tree that the previous one lacked.
    pub added: Vec<String>,
    /// Paths in both whose contents are written anew.
    pub replaced: Vec<String>,
    /// Paths of the previous tree the new one lacks.
    pub removed: Vec<String>,
}

impl Changes {
    fn between(
        before: &HashMap<String, Option<u32>>,
        after: &HashMap<String, Option<u32>>,
    ) -> Self {
        let mut c = Changes::default();
        for (k, v) in after {
            match before.get(k) {
                None => c.added.push(k.clone()),
                Some(old) if old.is_none() || v != old => c.replaced.push(k.clone()),
                Some(_) => {}
            }
        }
        c.removed = before
            .keys()
            .filter(|k| !after.contains_key(*k))
            .cloned()
            .collect();
        c.added.sort();
        c.replaced.sort();
        c.removed.sort();
        c
    }
}

/// What [`dry_run`] found: the session [`append`] would write, which was built (so its
/// size is exact) but not written.
#[derive(Debug, Clone, PartialEq)]
pub struct DryRun {
    /// The medium.
    pub medium: Profile,
    /// Number the session would have (0: unknown).
    pub session: u16,
    /// Its first block.
    pub start: u32,
    /// Its size in blocks.
    pub blocks: u32,
    /// The files it would add, replace and remove.
    pub changes: Changes,
    /// Free blocks from `start` (`None`: the medium would be formatted first).
    pub free_blocks: Option<u64>,
    /// What the write would do first (close an unfinished session, format).
    pub notes: Vec<String>,
    /// Entries of the previous session that would not be carried forward.
    pub not_carried: Vec<isofs::extract::Problem>,
}

impl DryRun {
    /// False when the session is larger than the free space (`None`: not known).
    pub fn fits(&self) -> Option<bool> {
        self.free_blocks.map(|f| u64::from(self.blocks) <= f)
    }
}

/// What [`append`] would do, without writing: the previous session imported, the edits
/// applied and the new session built exactly as [`append`] builds it (so its size is
/// exact), then nothing sent to the drive but reads (no MODE SELECT, RESERVE TRACK, WRITE,
/// CLOSE, FORMAT UNIT or SYNCHRONIZE CACHE).
pub fn dry_run<T: Transport>(
    drive: &mut Drive<T>,
    edits: &Edits,
    options: &AppendOptions,
    progress: &mut dyn FnMut(&Event),
) -> Result<DryRun, AppendError> {
    let st = stage(drive, edits, options, progress, true)?;
    let peek = write::peek(drive).map_err(AppendError::Disc)?;
    let mut notes = st.notes;
    if !peek.formatted {
        notes.push(format!("the {} would be formatted first", st.profile));
    }
    Ok(DryRun {
        medium: st.profile,
        session: peek.session,
        start: st.start,
        blocks: match options.ecc_percent {
            // With repair data the track is longer by its headers and parity.
            Some(p) => crate::ecc::Layout::new(st.start, st.image.size_blocks(), p)?.total_blocks(),
            None => st.image.size_blocks(),
        },
        changes: st.changes,
        free_blocks: peek.free_blocks,
        notes,
        not_carried: st.not_carried,
    })
}

/// The session built, not yet written.
pub(crate) struct Staged {
    pub(crate) profile: Profile,
    pub(crate) image: Image,
    pub(crate) start: u32,
    pub(crate) changes: Changes,
    pub(crate) not_carried: Vec<isofs::extract::Problem>,
    pub(crate) notes: Vec<String>,
}

/// The previous session of the disc in `drive` that [`append`] continues from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Previous {
    /// The medium.
    pub(crate) profile: Profile,
    /// The session an interrupted write left unfinished, if any.
    pub(crate) unfinished: Option<u32>,
    /// msinfo (for a damaged unfinished last track: its start as both numbers).
    pub(crate) ms: Msinfo,
    /// The session whose tree is carried forward (None: a fresh tree).
    pub(crate) prev: Option<u32>,
}

/// Finds the session [`append`] continues from (see [`stage`]).
pub(crate) fn previous<T: Transport>(
    drive: &mut Drive<T>,
    options: &AppendOptions,
    progress: &mut dyn FnMut(&Event),
) -> Result<Previous, AppendError> {
    let profile = write::check_device(drive).map_err(AppendError::Disc)?;
    // A session an earlier write left unfinished is skipped. It is found, and the previous
    // session chosen, imported and edited, before it is closed: once closed (a reserved
    // track padded to its size) it can look complete, so an error before the write must not
    // leave it closed for the next run to trust.
    let unfinished = write::unfinished_session(drive).map_err(AppendError::Disc)?;
    let ms = match (msinfo::msinfo(drive), unfinished) {
        (Ok(m), _) => m,
        // A damaged last track the drive will not continue has no next writable address;
        // the session holding it is unfinished, is closed below, and the session before it
        // is the one to continue from (only the start is used here: the next writable
        // address is asked again after the close).
        (Err(e @ MsinfoError::Damaged { .. }), Some(u)) => {
            log::info!("msinfo: {e}; the session at block {u} is unfinished");
            Msinfo::Appendable {
                last_session_start: u,
                next_writable: u,
            }
        }
        (Err(e), _) => return Err(AppendError::Msinfo(e)),
    };
    let prev = match ms {
        Msinfo::Blank => None,
        Msinfo::Appendable {
            last_session_start, ..
        } => {
            let last = if profile.overwritable() {
                Some(last_session_start)
            } else {
                write::last_intact_session_excluding(drive, last_session_start, unfinished)
                    .map_err(AppendError::Disc)?
            };
            if last != Some(last_session_start) {
                if let Some(e) = readable_but_not_whole(drive, last_session_start, unfinished) {
                    if !options.fresh_tree {
                        return Err(AppendError::NotWhole(e));
                    }
                    progress(&Event::NotWhole(e));
                }
            }
            match last {
                Some(l) if l != last_session_start => log::warn!(
                    "the session at block {last_session_start} is incomplete (an earlier write \
                     failed): continuing from the intact session at block {l}"
                ),
                Some(_) => {}
                None => log::warn!("no intact session on the disc: writing a fresh tree"),
            }
            last
        }
    };
    Ok(Previous {
        profile,
        unfinished,
        ms,
        prev,
    })
}

/// Finds the previous session, imports it, applies the edits and builds the new session.
/// With `dry`, only reads: an unfinished session is not closed (a note says so).
pub(crate) fn stage<T: Transport>(
    drive: &mut Drive<T>,
    edits: &Edits,
    options: &AppendOptions,
    progress: &mut dyn FnMut(&Event),
    dry: bool,
) -> Result<Staged, AppendError> {
    let Previous {
        profile,
        unfinished,
        ms,
        prev,
    } = previous(drive, options, progress)?;
    let mut tree = Tree::new();
    let mut not_carried = Vec::new();
    if let Some(last) = prev {
        log::info!("importing the session at block {last}");
        let done = isofs::merge::import_checked(&mut tree, &mut *drive, last)
            .map_err(|source| AppendError::Import { lba: last, source })?;
        for p in done.skipped {
            progress(&Event::NotCarried(p.clone()));
            not_carried.push(p);
        }
    }
    let before = files(&tree);
    let imported = tree.len();
    for (index, r) in edits.remove.iter().enumerate() {
        let p = if r.starts_with('/') {
            r.clone()
        } else {
            format!("/{r}")
        };
        if !tree.remove_path(p.trim_end_matches('/')) {
            return Err(AppendError::NoSuchPath {
                path: r.clone(),
                index,
            });
        }
    }
    for (dest, src) in &edits.add {
        tree.add_source(dest, src, &edits.scan)?;
    }
    if edits.mirror {
        for p in tree.mirror_prune(imported) {
            log::info!("--mirror: {p} is not in the sources: removed");
        }
    }
    let mut notes = Vec::new();
    if dry {
        if let Some(u) = unfinished {
            notes.push(format!(
                "the unfinished session at block {u} (an interrupted write) would be closed \
                 first; the start given is the one before that close"
            ));
        }
    } else if let Some(note) = write::close_interrupted_session(drive).map_err(AppendError::Disc)? {
        log::warn!("{note}");
    }
    // The next writable address, after any close (a dry run closed nothing).
    let now = if dry { Ok(ms) } else { msinfo::msinfo(drive) };
    let (session_opt, start) = match now {
        Ok(Msinfo::Blank) if prev.is_none() => {
            let s = if profile.overwritable() {
                OVERWRITABLE_FIRST_SESSION
            } else {
                0
            };
            (if s == 0 { None } else { Some((0, s)) }, s)
        }
        Ok(Msinfo::Appendable { next_writable, .. }) => {
            (Some((prev.unwrap_or(0), next_writable)), next_writable)
        }
        Ok(Msinfo::Blank) => return Err(AppendError::BlankAfterClose),
        Err(e) => return Err(AppendError::Msinfo(e)),
    };
    let mut opts = options.image.clone();
    opts.session = session_opt;
    // A bootable previous session stays bootable from the CD drive: without boot options
    // of its own, the new session's boot record points at the previous catalog (whose
    // boot images are still where they were), as xorriso's default -boot_image any keep
    // does. On overwritable media the new descriptors replace the old ones at block 16,
    // so leaving the boot record out would make the medium unbootable by El Torito; the
    // system area (blocks 0-15: MBR, GPT) is never rewritten by a later session.
    if let (Some(last), None) = (prev, opts.boot.as_ref()) {
        let vol = isofs::Volume::open(&mut *drive, last, None)
            .map_err(|source| AppendError::Import { lba: last, source })?;
        if let Some(c) = vol.info().boot_catalog {
            log::info!(
                "keeping the previous session's El Torito boot record (catalog at block {c})"
            );
            opts.kept_boot_catalog = Some(c);
        }
    }
    // Overwritable media get the new descriptors at block 16, where every reader looks,
    // bsdtar too; libarchive reads an image as a stream and leaves out directories that lie
    // before the ones it has read, i.e. a later session's reused directories. So there every
    // directory is written anew, as mkisofs and xorriso do. On write-once media a reader
    // reaches a later session only through the session's own address (the kernel's last
    // session, xorriso, isoinfo -T), and the unchanged directories are reused.
    if profile.overwritable() {
        opts.rewrite_all_dirs = true;
        // No padding after the session there, as libisoburn writes none on overwritable
        // media: the padding is for CD read-ahead past a track's end, and a reader
        // checking every session (libisofs doc/checksums.txt, "Checking All Sessions";
        // xorriso -check_media) expects the next session at the first multiple of 32
        // after the session tag.
        opts.pad_blocks = 0;
    }
    let previous: Option<&mut dyn SectorSource> = if prev.is_some() {
        Some(&mut *drive)
    } else {
        None
    };
    let image = Image::new(tree, opts, previous)?;
    let changes = Changes::between(&before, &files(image.tree()));
    Ok(Staged {
        profile,
        image,
        start,
        changes,
        not_carried,
        notes,
    })
}

/// Why the read-back verify failed.
pub(crate) enum VerifyError {
    /// Reading failed.
    Read(MmcError),
    /// The session differs.
    Differ(ReadBack),
}

/// Verifies a written session before its commit (overwritable media: a session that does
/// not read back as sent never becomes current). Returns (verified, read-back MD5).
pub(crate) fn verify<T: Transport>(
    drive: &mut Drive<T>,
    burned: &Burned,
    verify: bool,
    md5: bool,
) -> Result<(bool, Option<[u8; 16]>), VerifyError> {
    if !verify {
        return Ok((false, None));
    }
    let read_back = pipeline::read_back_compare(
        drive,
        burned.report.start,
        burned.report.blocks,
        &burned.units,
        md5,
    )
    .map_err(VerifyError::Read)?;
    if read_back.problem(&burned.md5).is_some() {
        return Err(VerifyError::Differ(read_back));
    }
    Ok((true, read_back.md5))
}
