//! One session to several drives at once (a duplicator): [`append_many`] (what `discburn
//! add --dev A --dev B ...` runs) and [`burn_many`] (`discburn burn --dev A --dev B ...`).
//! The session is built once and its bytes produced once; [`pipeline::run_many`] feeds a
//! FIFO per drive, each drive written by a thread of its own (the slowest drive paces the
//! producer), then each drive reads its session back and compares it with what was sent
//! ([`pipeline::read_back_compare`]) and, on overwritable media, commits it, as a single
//! drive does (MMC-6 §4.2 ff. for the writes).
//!
//! Before anything is written the drives are checked together: every drive must take the
//! session at the same address (an ISO 9660 session records absolute block addresses,
//! ECMA-119 §6.8.2, so one layout fits only discs where it starts at the same block) and
//! have room for it; for [`append_many`] they must also hold the same previous sessions,
//! since the new session's tree carries the previous one forward and its reused directory
//! and file extents point into it: the msinfo (MMC-6 §6.26 READ TOC format 1, §6.27 READ
//! TRACK INFORMATION), the TOC's track starts (§6.26 format 0), the previous session's
//! volume descriptor set (ECMA-119 §8) and its imported tree (names, kinds, sizes, extents,
//! Rock Ridge metadata and the files' MD5s where the session recorded them) are compared. A drive that differs, or that any check refuses,
//! stops the whole job with [`ManyError`] naming it: nothing is written to any drive. Once
//! writing has begun, a drive that fails is reported in its own entry of the result and
//! the others go on. A session an interrupted write left unfinished is not closed here
//! (closing writes to the disc): such a drive is refused, to be given to `append` alone.

use std::sync::atomic::AtomicBool;

use transport::Transport;
use xxhash_rust::xxh3::xxh3_128;

use isofs::tree::{Data, Kind, NodeId};
use isofs::Tree;

use super::append::{self, AppendError, AppendOptions, AppendReport, Edits};
use super::burn::{self, BurnError, BurnOptions, BurnReport};
use super::pipeline::{self, Burned, Failed};
use super::Event;
use crate::drive::{Drive, BLOCK};
use crate::msinfo::{self, Msinfo};
use crate::profile::Profile;
use crate::write::{self, Start, WriteError, OVERWRITABLE_FIRST_SESSION};

/// Why a job on several drives was refused before anything was written to any drive.
/// Drive indexes are positions in the slice given (0 for the first); the messages count
/// from 1.
#[derive(Debug, thiserror::Error)]
pub enum ManyError<E: std::error::Error + 'static> {
    /// No drive was given.
    #[error("no drive to write to")]
    NoDrives,
    /// A drive's check refused the job (its medium cannot take the session).
    #[error("drive {}: {error}", .index + 1)]
    Drive {
        /// The drive.
        index: usize,
        /// Why.
        #[source]
        error: Box<E>,
    },
    /// A drive's disc differs from the first drive's where the session needs them equal.
    #[error("drive {}: {what}; nothing was written to any drive", .index + 1)]
    Differs {
        /// The drive.
        index: usize,
        /// What differs, naming both drives' values.
        what: String,
    },
    /// A drive's last session was left unfinished by an interrupted write (closing it
    /// would be a write, and moves the next writable address).
    #[error("drive {}: the disc's last session (from block {start}) was left unfinished by an interrupted write; write to that drive alone first (append closes it); nothing was written to any drive", .index + 1)]
    Unfinished {
        /// The drive.
        index: usize,
        /// The unfinished session's first block.
        start: u32,
    },
}

impl<E: std::error::Error + 'static> ManyError<E> {
    /// The drive the refusal names, if any.
    pub fn drive(&self) -> Option<usize> {
        match self {
            ManyError::NoDrives => None,
            ManyError::Drive { index, .. }
            | ManyError::Differs { index, .. }
            | ManyError::Unfinished { index, .. } => Some(*index),
        }
    }
}

/// What a drive's disc looks like to [`append_many`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Survey {
    profile: Profile,
    /// Where the new session starts.
    start: u32,
    /// The session carried forward.
    prev: Option<u32>,
    /// Start of every track in the TOC (empty on a blank disc).
    tracks: Vec<i32>,
    /// XXH3-128 of the previous session's volume descriptor blocks (16-31 of it).
    descriptors: Option<u128>,
    /// XXH3-128 of the previous session's imported tree, entry by entry.
    tree: Option<u128>,
}

impl Survey {
    /// How `other` differs from `self` (the first drive), in words.
    fn differs(&self, other: &Survey) -> Option<String> {
        let sessions = |s: &Survey| {
            if s.tracks.is_empty() {
                "none (blank)".to_string()
            } else {
                s.tracks
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        if self.prev != other.prev || self.tracks != other.tracks {
            return Some(format!(
                "its disc holds other sessions than drive 1's (tracks start at {} there, at {} \
                 on drive 1; previous session {} there, {} on drive 1)",
                sessions(other),
                sessions(self),
                other
                    .prev
                    .map_or("none".into(), |p| format!("at block {p}")),
                self.prev.map_or("none".into(), |p| format!("at block {p}")),
            ));
        }
        if self.start != other.start {
            return Some(format!(
                "the session would start at block {} on it ({}) but at block {} on drive 1 ({}): \
                 one layout fits only discs where it starts at the same block",
                other.start, other.profile, self.start, self.profile
            ));
        }
        if self.descriptors != other.descriptors {
            return Some(format!(
                "the previous session at block {} has other volume descriptors than drive 1's \
                 (another volume, or the same one mastered again)",
                self.prev.unwrap_or(0)
            ));
        }
        if self.tree != other.tree {
            return Some(format!(
                "the previous session at block {} holds another tree than drive 1's (names, \
                 sizes, extents or metadata differ)",
                self.prev.unwrap_or(0)
            ));
        }
        None
    }
}

/// XXH3-128 over a tree's live entries: path, kind, size, extent, recorded MD5 and
/// metadata, in a fixed order (sorted by path).
fn tree_digest(tree: &Tree) -> u128 {
    let mut lines: Vec<String> = Vec::new();
    let mut stack: Vec<(NodeId, String)> = vec![(Tree::ROOT, String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        for &c in tree.children(dir) {
            let n = tree.node(c);
            if n.dead {
                continue;
            }
            let path = format!("{prefix}/{}", tree.name_str(c));
            let what = match &n.kind {
                Kind::Dir => {
                    stack.push((c, path.clone()));
                    "dir".to_string()
                }
                Kind::File { size, data } => match data {
                    // With the MD5 its session recorded (libisofs's, as discburn and
                    // xorriso -md5 on record them), the file's contents are compared too.
                    Data::Old { lba } => match tree.old_md5.get(lba) {
                        Some(m) => format!("file {size} at {lba} md5 {}", pipeline::hex(m)),
                        None => format!("file {size} at {lba}"),
                    },
                    _ => format!("file {size}"),
                },
                other => format!("{other:?}"),
            };
            lines.push(format!("{path}\t{what}\t{:?}", n.meta));
        }
    }
    lines.sort();
    xxh3_128(lines.join("\n").as_bytes())
}

/// Surveys the disc in `drive` for [`append_many`].
fn survey<T: Transport>(
    drive: &mut Drive<T>,
    options: &AppendOptions,
    progress: &mut dyn FnMut(&Event),
) -> Result<(Survey, Option<u32>), AppendError> {
    let p = append::previous(drive, options, progress)?;
    let (start, blank) = match msinfo::msinfo(drive) {
        Ok(Msinfo::Blank) => (
            if p.profile.overwritable() {
                OVERWRITABLE_FIRST_SESSION
            } else {
                0
            },
            true,
        ),
        Ok(Msinfo::Appendable { next_writable, .. }) => (next_writable, false),
        Err(e) => return Err(AppendError::Msinfo(e)),
    };
    let tracks = if blank {
        Vec::new()
    } else {
        match drive.toc(false) {
            Ok(t) => t
                .tracks
                .iter()
                .filter(|t| t.number != 0xAA)
                .map(|t| t.start.lba())
                .collect(),
            // Overwritable media have no TOC of sessions of their own on some drives: the
            // msinfo, descriptors and tree still say which session is there.
            Err(e) => {
                log::info!("READ TOC: {e}; comparing msinfo, descriptors and tree only");
                Vec::new()
            }
        }
    };
    let (descriptors, tree) = match p.prev {
        None => (None, None),
        Some(last) => {
            // The volume descriptor set, up to its terminator (type 255, ECMA-119 §8.3).
            let mut vds = Vec::new();
            for k in 0..16u32 {
                let at = last.saturating_add(16 + k);
                let mut b = vec![0u8; BLOCK];
                isofs::SectorSource::read_sectors(&mut *drive, at, &mut b).map_err(|source| {
                    AppendError::Import {
                        lba: last,
                        source: isofs::ReadError::Io { lba: at, source },
                    }
                })?;
                let end = b[0] == 255 || &b[1..6] != b"CD001";
                vds.extend_from_slice(&b);
                if end {
                    break;
                }
            }
            let mut tree = Tree::new();
            isofs::merge::import_checked(&mut tree, &mut *drive, last)
                .map_err(|source| AppendError::Import { lba: last, source })?;
            (Some(xxh3_128(&vds)), Some(tree_digest(&tree)))
        }
    };
    Ok((
        Survey {
            profile: p.profile,
            start,
            prev: p.prev,
            tracks,
            descriptors,
            tree,
        },
        p.unfinished,
    ))
}

/// Fills the results of drives that never reached the writing stage.
fn not_run<E>(wrap: impl Fn(Failed) -> E) -> E {
    wrap(Failed {
        cause: pipeline::FailCause::NotRun,
        cleanup: Vec::new(),
        blocks_written: 0,
        nothing_written: true,
    })
}

/// Checks that every drive has room for `size` blocks at its next writable address.
fn check_room<T: Transport, E: std::error::Error + 'static>(
    drives: &mut [Drive<T>],
    size: u32,
    start: u32,
    wrap: impl Fn(WriteError) -> E,
) -> Result<(), ManyError<E>> {
    for (index, d) in drives.iter_mut().enumerate() {
        let free = write::free_blocks(d).map_err(|e| ManyError::Drive {
            index,
            error: Box::new(wrap(e)),
        })?;
        if u64::from(size) > free {
            return Err(ManyError::Drive {
                index,
                error: Box::new(wrap(WriteError::NoSpace {
                    need: u64::from(size),
                    free,
                    start,
                })),
            });
        }
    }
    Ok(())
}

/// [`append::append`] to every drive at once (see the module documentation): one result
/// per drive, in order, or [`ManyError`] when the drives were refused before anything was
/// written. `progress` sees each drive's events with its index.
pub fn append_many<T: Transport + Send>(
    drives: &mut [Drive<T>],
    edits: &Edits,
    options: &AppendOptions,
    progress: &(dyn Fn(usize, &Event) + Sync),
) -> Result<Vec<Result<AppendReport, AppendError>>, ManyError<AppendError>> {
    if drives.is_empty() {
        return Err(ManyError::NoDrives);
    }
    let mut surveys = Vec::with_capacity(drives.len());
    for (index, d) in drives.iter_mut().enumerate() {
        let (s, unfinished) =
            survey(d, options, &mut |e| progress(index, e)).map_err(|error| ManyError::Drive {
                index,
                error: Box::new(error),
            })?;
        if let Some(start) = unfinished {
            return Err(ManyError::Unfinished { index, start });
        }
        surveys.push(s);
    }
    for (index, s) in surveys.iter().enumerate().skip(1) {
        if let Some(what) = surveys[0].differs(s) {
            return Err(ManyError::Differs { index, what });
        }
    }
    let mut opts = options.clone();
    // Overwritable media get every directory written anew (see `append`); a session for
    // several media is laid out so on all of them when any is overwritable.
    if surveys.iter().any(|s| s.profile.overwritable()) {
        opts.image.rewrite_all_dirs = true;
    }
    let built = append::stage(&mut drives[0], edits, &opts, &mut |e| progress(0, e), false)
        .map_err(|error| ManyError::Drive {
            index: 0,
            error: Box::new(error),
        })?;
    let start = built.start;
    if start != surveys[0].start {
        return Err(ManyError::Drive {
            index: 0,
            error: Box::new(AppendError::NwaMismatch {
                nwa: start,
                msinfo: surveys[0].start,
            }),
        });
    }
    let size = built.image.size_blocks();
    let ecc = append::ecc_layout(options, start, size).map_err(|error| ManyError::Drive {
        index: 0,
        error: Box::new(error),
    })?;
    // The track holds the session and its repair data.
    let track_blocks = ecc.map_or(size, |l| l.total_blocks());
    check_room(drives, track_blocks, start, AppendError::Prepare)?;
    let n = drives.len();
    let mut results: Vec<Option<Result<AppendReport, AppendError>>> =
        (0..n).map(|_| None).collect();
    let mut lanes = Vec::new();
    let mut index_of = Vec::new();
    let mut plan_info = Vec::new();
    for (i, (d, s)) in drives.iter_mut().zip(&surveys).enumerate() {
        match write::prepare(
            d,
            Some(track_blocks),
            &append::write_options(options, s.profile),
        ) {
            Ok(plan) if plan.start != start => {
                results[i] = Some(Err(AppendError::NwaMismatch {
                    nwa: plan.start,
                    msinfo: start,
                }))
            }
            Ok(plan) => {
                plan_info.push((s.profile, plan.free_blocks, plan.session));
                index_of.push(i);
                lanes.push((d, plan));
            }
            Err(e) => results[i] = Some(Err(AppendError::Prepare(e))),
        }
    }
    let append::Staged {
        image,
        changes,
        not_carried,
        ..
    } = built;
    let counts = append::Counts::of(&changes, not_carried);
    let producer = append::session_producer(image, ecc);
    let total = u64::from(track_blocks) * BLOCK as u64;
    let no_cancel = AtomicBool::new(false);
    let cancel = options.cancel.as_deref().unwrap_or(&no_cancel);
    let lane_progress = |k: usize, e: &Event| progress(index_of[k], e);
    let finish = |k: usize, d: &mut Drive<T>, b: Burned| {
        let (profile, free, session) = plan_info[k];
        append::conclude(d, b, options, profile, &counts, ecc, free, session)
    };
    let out = pipeline::run_many(
        lanes,
        Some(total),
        producer,
        options.fifo_size,
        cancel,
        &lane_progress,
        &finish,
    );
    for (k, r) in out.into_iter().enumerate() {
        results[index_of[k]] = Some(r.unwrap_or_else(|f| Err(AppendError::Write(f))));
    }
    Ok(results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(not_run(AppendError::Write))))
        .collect())
}

/// [`burn::burn`] of one image to every drive at once (see the module documentation): one
/// result per drive, in order, or [`ManyError`] when the drives were refused before
/// anything was written (the image is read once, as it is written).
pub fn burn_many<T: Transport + Send>(
    drives: &mut [Drive<T>],
    mut image: Box<dyn std::io::Read + Send>,
    size: Option<u64>,
    options: &BurnOptions,
    progress: &(dyn Fn(usize, &Event) + Sync),
) -> Result<Vec<Result<BurnReport, BurnError>>, ManyError<BurnError>> {
    if drives.is_empty() {
        return Err(ManyError::NoDrives);
    }
    let head = burn::image_head(&mut *image).map_err(|error| ManyError::Drive {
        index: 0,
        error: Box::new(error),
    })?;
    let blocks = match size.map(|t| t.div_ceil(BLOCK as u64)) {
        Some(b) => Some(u32::try_from(b).map_err(|_| ManyError::Drive {
            index: 0,
            error: Box::new(BurnError::TooLarge { blocks: b }),
        })?),
        None => None,
    };
    // Where the image goes on each drive, found without writing anything.
    let mut checked = Vec::with_capacity(drives.len());
    for (index, d) in drives.iter_mut().enumerate() {
        let fail = |error| ManyError::Drive {
            index,
            error: Box::new(error),
        };
        let profile = write::check_device(d).map_err(|e| fail(BurnError::Disc(e)))?;
        if let Some(start) = write::unfinished_session(d).map_err(|e| fail(BurnError::Disc(e)))? {
            return Err(ManyError::Unfinished { index, start });
        }
        let start = burn::start_for(d, profile, &head, options).map_err(fail)?;
        let at = match start {
            Start::At(s) | Start::Place(s) => s,
            Start::Append => match msinfo::msinfo(d) {
                Ok(Msinfo::Blank) => 0,
                Ok(Msinfo::Appendable { next_writable, .. }) => next_writable,
                Err(e) => {
                    return Err(fail(BurnError::Disc(WriteError::from(e))));
                }
            },
        };
        checked.push((profile, start, at));
    }
    let at = checked[0].2;
    for (index, c) in checked.iter().enumerate().skip(1) {
        if c.2 != at {
            return Err(ManyError::Differs {
                index,
                what: format!(
                    "the image would be written at block {} on it ({}) but at block {at} on \
                     drive 1 ({}): an ISO 9660 image fits one address",
                    c.2, c.0, checked[0].0
                ),
            });
        }
    }
    // Repair data after the image in the same track, as `burn` writes it.
    let ecc = match (options.ecc_percent, blocks) {
        (None, _) => None,
        (Some(p), Some(n)) => {
            Some(
                crate::ecc::Layout::new(at, n, p).map_err(|e| ManyError::Drive {
                    index: 0,
                    error: Box::new(BurnError::from(e)),
                })?,
            )
        }
        (Some(_), None) => {
            return Err(ManyError::Drive {
                index: 0,
                error: Box::new(BurnError::EccNeedsSize),
            })
        }
    };
    let blocks = ecc.map_or(blocks, |l| Some(l.total_blocks()));
    if let Some(b) = blocks {
        check_room(drives, b, at, BurnError::Prepare)?;
    }
    let n = drives.len();
    let mut results: Vec<Option<Result<BurnReport, BurnError>>> = (0..n).map(|_| None).collect();
    let mut lanes = Vec::new();
    let mut index_of = Vec::new();
    let mut plan_info = Vec::new();
    for (i, (d, &(profile, start, _))) in drives.iter_mut().zip(&checked).enumerate() {
        match write::prepare(d, blocks, &burn::write_options(options, profile, start)) {
            Ok(plan) if plan.start != at => {
                results[i] = Some(Err(BurnError::Prepare(WriteError::BadStart {
                    start: plan.start,
                    reason: format!("the other drives write the image at block {at}"),
                })))
            }
            Ok(plan) => {
                plan_info.push((profile, plan.free_blocks, plan.session));
                index_of.push(i);
                lanes.push((d, plan));
            }
            Err(e) => results[i] = Some(Err(BurnError::Prepare(e))),
        }
    }
    let reader = std::io::Cursor::new(head).chain(image);
    let (producer, size) = match ecc {
        None => (pipeline::reader_producer(reader), size),
        Some(layout) => {
            let image_bytes = size.unwrap_or(0);
            let producer: pipeline::Producer = Box::new(move |w| {
                let mut e = crate::ecc::EccWriter::new(w, layout)
                    .map_err(|e| format!("repair data: {e}"))?;
                std::io::copy(&mut reader.take(image_bytes), &mut e)
                    .map_err(|e| format!("reading the image: {e}"))?;
                e.finish().map_err(|e| e.to_string())
            });
            (
                producer,
                Some(u64::from(layout.total_blocks()) * BLOCK as u64),
            )
        }
    };
    let no_cancel = AtomicBool::new(false);
    let cancel = options.cancel.as_deref().unwrap_or(&no_cancel);
    let lane_progress = |k: usize, e: &Event| progress(index_of[k], e);
    let finish = |k: usize, d: &mut Drive<T>, b: Burned| {
        let (profile, free, session) = plan_info[k];
        burn::conclude(d, b, options, profile, free, session).map(|mut r| {
            r.ecc = ecc.as_ref().map(crate::job::append::EccReport::of);
            r
        })
    };
    let out = pipeline::run_many(
        lanes,
        size,
        producer,
        options.fifo_size,
        cancel,
        &lane_progress,
        &finish,
    );
    for (k, r) in out.into_iter().enumerate() {
        results[index_of[k]] = Some(r.unwrap_or_else(|f| Err(BurnError::Write(f))));
    }
    Ok(results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(not_run(BurnError::Write))))
        .collect())
}

use std::io::Read as _;
