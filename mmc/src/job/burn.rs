//! Burning an image as one session (what `discburn burn` and the cdrecord personality run):
//! the write path of [`crate::write`] (MMC-6 §4.2 ff.) fed through the FIFO
//! ([`super::pipeline`]), read back and compared, and committed on overwritable media.
//!
//! On DVD+RW and BD-RE an image made for the next writable address (mkisofs -C: its root
//! directory lies at or after it) is appended; any other image replaces the contents from
//! block 0 (growisofs -Z), which is refused while the disc holds sessions or other data
//! unless [`BurnOptions::replace`]. [`BurnOptions::place`] puts the image at a given block
//! instead (growisofs `-use-the-force-luke=seek=N`).

use std::io::{self, Read};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use transport::Transport;

use super::append::{verify, VerifyError};
use super::pipeline::{self, Burned, Failed, ReadBack};
use super::Event;
use crate::drive::{Drive, BLOCK};
use crate::error::MmcError;
use crate::msinfo::{self, Msinfo, MsinfoError};
use crate::profile::Profile;
use crate::write::{self, Start, WriteError, WriteMode, WriteOptions};

/// How the image is written.
#[derive(Debug, Clone)]
pub struct BurnOptions {
    /// Leave the disc appendable (`-multi`); otherwise finalize after this session.
    pub multi: bool,
    /// Test write (`-dummy`): the drive simulates, the disc is unchanged.
    pub dummy: bool,
    /// Write speed in multiples of the medium's 1x (`None`: the drive's choice).
    pub speed_x: Option<f64>,
    /// Write type.
    pub mode: WriteMode,
    /// Buffer-underrun protection.
    pub bufe: bool,
    /// Overwritable media: write an image not made to follow the disc's sessions at block
    /// 0 even though the disc holds data (cdrecord `-force`).
    pub replace: bool,
    /// FIFO size in bytes.
    pub fifo_size: usize,
    /// Read the session back and compare it with what was sent (not after a test write).
    pub verify: bool,
    /// Also hash the read-back with MD5.
    pub verify_md5: bool,
    /// Set to stop feeding the drive (the track is then synchronized and closed).
    pub cancel: Option<Arc<AtomicBool>>,
    /// Reed-Solomon repair data of this share (percent of the image's blocks) written after
    /// the image in the same track ([`crate::ecc`]); needs the image's size.
    pub ecc_percent: Option<u32>,
    /// The image's place: on overwritable media exactly this block (a multiple of
    /// [`write::PLACE_ALIGN`]), whatever the disc holds, with nothing copied to block 16
    /// ([`Start::Place`]); on write-once media it must be the next writable address, the
    /// only block a drive writes there (MMC-6 §4.5: INVALID ADDRESS FOR WRITE elsewhere).
    pub place: Option<u32>,
}

impl Default for BurnOptions {
    fn default() -> Self {
        BurnOptions {
            multi: false,
            dummy: false,
            speed_x: None,
            mode: WriteMode::Auto,
            bufe: true,
            replace: false,
            fifo_size: pipeline::DEFAULT_FIFO,
            verify: true,
            verify_md5: false,
            cancel: None,
            ecc_percent: None,
            place: None,
        }
    }
}

/// What [`burn`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct BurnReport {
    /// The medium.
    pub medium: Profile,
    /// First block of the session.
    pub start: u32,
    /// Blocks written.
    pub blocks: u32,
    /// Session number (0: unknown).
    pub session: u16,
    /// Appendable afterwards.
    pub appendable: bool,
    /// It was a test write.
    pub dummy: bool,
    /// MD5 of what was sent (the image, zero-padded to a whole block).
    pub md5: [u8; 16],
    /// Read back and found equal to what was sent.
    pub verified: bool,
    /// With `verify_md5`: MD5 of the session as read back.
    pub read_back_md5: Option<[u8; 16]>,
    /// Blocks left after the session.
    pub blocks_left: u64,
    /// Seconds spent writing.
    pub seconds: f64,
    /// Lowest FIFO fill while writing (%).
    pub fifo_min_percent: u8,
    /// Blocks of the commit (overwritable media) that read back wrong once and were
    /// written again, read back correctly.
    pub commit_notes: Vec<String>,
    /// The repair data written after the image (`ecc_percent`).
    pub ecc: Option<crate::job::append::EccReport>,
}

/// Why [`burn`] failed. Variants before [`BurnError::Write`] wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum BurnError {
    /// The device or its medium cannot be written, or looking for an unfinished session
    /// failed.
    #[error("{0}")]
    Disc(WriteError),
    /// The disc's last session was left unfinished by an interrupted write: a new track
    /// would join it (closing it first would move the next writable address an image made
    /// with mkisofs -C was built for).
    #[error("the disc's last session (from block {start}) was left unfinished by an interrupted write; a new track would join it")]
    Unfinished {
        /// Its first block.
        start: u32,
    },
    /// [`BurnOptions::place`] on write-once media elsewhere than the next writable address.
    #[error("a {profile} is written at its next writable address (block {next_writable}) only: a WRITE at block {place} would be refused (INVALID ADDRESS FOR WRITE); nothing was written")]
    NotWritableThere {
        /// The medium.
        profile: Profile,
        /// The block asked for.
        place: u32,
        /// The next writable address.
        next_writable: u32,
    },
    /// Reading the image failed before anything was written.
    #[error("reading the image: {0}")]
    ReadImage(io::Error),
    /// The image is empty.
    #[error("the image is empty: nothing to write")]
    Empty,
    /// Overwritable media: blocks 16-17 hold data that is no ISO 9660 session, which the
    /// image at block 0 would replace.
    #[error("the {profile} holds data at blocks 16-17 that is not an ISO 9660 session (another file system?): writing this image replaces it")]
    HoldsData {
        /// The medium.
        profile: Profile,
    },
    /// Overwritable media: the disc holds sessions and the image is not made to follow them.
    #[error("the {profile} holds sessions (the last starts at block {last_session_start}) and this image is not made to follow them (made without -C ...,{next_writable}): writing it at block 0 replaces the disc's contents")]
    HoldsSessions {
        /// The medium.
        profile: Profile,
        /// The last session's start.
        last_session_start: u32,
        /// Where a following session would start.
        next_writable: u32,
    },
    /// Overwritable media: the sessions cannot be read, so writing at block 0 may replace data.
    #[error("the {profile}'s sessions cannot be read ({source}): writing this image at block 0 may replace data")]
    SessionsUnreadable {
        /// The medium.
        profile: Profile,
        /// Why.
        #[source]
        source: MsinfoError,
    },
    /// Repair data was asked for an image of unknown size.
    #[error("--ecc needs the image's size (burn a file, or give --tsize); nothing was written")]
    EccNeedsSize,
    /// The repair data cannot be laid out.
    #[error("repair data: {0}; nothing was written")]
    Ecc(#[from] crate::ecc::EccError),
    /// The image is larger than any disc.
    #[error("the image of {blocks} blocks is too large for any disc")]
    TooLarge {
        /// Its size in blocks.
        blocks: u64,
    },
    /// The write was refused or its preparation failed.
    #[error("{0}")]
    Prepare(WriteError),
    /// Writing failed (what was written, and the clean-up).
    #[error("{0}")]
    Write(Failed),
    /// Reading the session back failed.
    #[error("reading the session back: {source}")]
    ReadBack {
        /// The session was not committed (overwritable media: the previous one stays current).
        uncommitted: bool,
        /// Why.
        #[source]
        source: MmcError,
    },
    /// The session reads back different from what was sent.
    #[error("{}", .read_back.problem(.sent_md5).unwrap_or_default())]
    Differ {
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
}

fn read_head(r: &mut dyn Read, want: usize) -> io::Result<Vec<u8>> {
    let mut head = vec![0u8; want];
    let mut got = 0;
    while got < want {
        match r.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(got);
    Ok(head)
}

/// The root directory extent of an ISO 9660 image's PVD at block 16 of `head`
/// (ECMA-119 §8.4.18: the root record at byte 156, its extent at 158, both-endian).
fn root_extent(head: &[u8]) -> Option<u32> {
    let p = head.get(16 * BLOCK..17 * BLOCK)?;
    (p[0] == 1 && &p[1..6] == b"CD001")
        .then(|| u32::from_le_bytes([p[158], p[159], p[160], p[161]]))
}

/// True when blocks 16-17 (where volume descriptors live: ISO 9660, UDF) hold anything.
fn holds_data<T: Transport>(drive: &mut Drive<T>) -> bool {
    let mut b = vec![0u8; 2 * BLOCK];
    drive.read_blocks(16, &mut b).is_ok() && b.iter().any(|&x| x != 0)
}

/// Burns `image` (`size` bytes when known: needed for session-at-once and the free-space
/// check before writing) as one session; see the module documentation.
pub fn burn<T: Transport>(
    drive: &mut Drive<T>,
    mut image: Box<dyn Read + Send>,
    size: Option<u64>,
    options: &BurnOptions,
    progress: &mut dyn FnMut(&Event),
) -> Result<BurnReport, BurnError> {
    let profile = write::check_device(drive).map_err(BurnError::Disc)?;
    if let Some(start) = write::unfinished_session(drive).map_err(BurnError::Disc)? {
        return Err(BurnError::Unfinished { start });
    }
    let head = image_head(&mut *image)?;
    let start = start_for(drive, profile, &head, options)?;
    let opts = write_options(options, profile, start);
    let blocks = size.map(|t| t.div_ceil(BLOCK as u64));
    let size_blocks = match blocks {
        Some(b) => Some(u32::try_from(b).map_err(|_| BurnError::TooLarge { blocks: b })?),
        None => None,
    };
    let ecc = match (options.ecc_percent, size_blocks) {
        (None, _) => None,
        // The start is known once the plan is made (it is recorded in the header only).
        (Some(p), Some(n)) => Some(crate::ecc::Layout::new(0, n, p)?),
        (Some(_), None) => return Err(BurnError::EccNeedsSize),
    };
    let size_blocks = ecc.map_or(size_blocks, |l| Some(l.total_blocks()));
    let plan = write::prepare(drive, size_blocks, &opts).map_err(BurnError::Prepare)?;
    log::info!(
        "writing {} at block {} of the {} (session {})",
        size_blocks.map_or("an image of unknown size".to_string(), |b| format!(
            "{b} blocks"
        )),
        plan.start,
        plan.profile,
        plan.session
    );
    let reader = io::Cursor::new(head).chain(image);
    let ecc = ecc.map(|mut l| {
        l.start = plan.start;
        l
    });
    let (producer, size) = match ecc {
        None => (pipeline::reader_producer(reader), size),
        Some(layout) => {
            let producer: pipeline::Producer = Box::new(move |w| {
                let mut e = crate::ecc::EccWriter::new(w, layout)
                    .map_err(|e| format!("repair data: {e}"))?;
                io::copy(&mut reader.take(size.unwrap_or(0)), &mut e)
                    .map_err(|e| format!("reading the image: {e}"))?;
                e.finish().map_err(|e| e.to_string())
            });
            (
                producer,
                Some(u64::from(layout.total_blocks()) * BLOCK as u64),
            )
        }
    };
    let free = plan.free_blocks;
    let session = plan.session;
    let no_cancel = AtomicBool::new(false);
    let cancel = options.cancel.as_deref().unwrap_or(&no_cancel);
    let burned = pipeline::run(
        drive,
        plan,
        size,
        producer,
        options.fifo_size,
        cancel,
        progress,
    )
    .map_err(BurnError::Write)?;
    let mut report = conclude(drive, burned, options, profile, free, session)?;
    report.ecc = ecc.as_ref().map(crate::job::append::EccReport::of);
    Ok(report)
}

/// Where the image goes on the disc in `drive`: on overwritable media an image made for
/// the next writable address (mkisofs -C) is appended there, any other image replaces the
/// disc's contents from block 0 (only with `replace` while the disc holds sessions).
pub(crate) fn start_for<T: Transport>(
    drive: &mut Drive<T>,
    profile: Profile,
    head: &[u8],
    options: &BurnOptions,
) -> Result<Start, BurnError> {
    if let Some(place) = options.place {
        if profile.overwritable() {
            return Ok(Start::Place(place));
        }
        let next_writable = match msinfo::msinfo(drive) {
            Ok(Msinfo::Blank) => 0,
            Ok(Msinfo::Appendable { next_writable, .. }) => next_writable,
            Err(e) => return Err(BurnError::Disc(WriteError::from(e))),
        };
        if place != next_writable {
            return Err(BurnError::NotWritableThere {
                profile,
                place,
                next_writable,
            });
        }
        return Ok(Start::Append);
    }
    if !profile.overwritable() {
        return Ok(Start::Append);
    }
    let ms = msinfo::msinfo(drive);
    let root = root_extent(head);
    Ok(match (ms, root) {
        (Ok(Msinfo::Appendable { next_writable, .. }), Some(root)) if root >= next_writable => {
            Start::Append
        }
        _ if options.replace => Start::At(0),
        (Ok(Msinfo::Blank), _) if !holds_data(drive) => Start::At(0),
        (Ok(Msinfo::Blank), _) => return Err(BurnError::HoldsData { profile }),
        (
            Ok(Msinfo::Appendable {
                last_session_start,
                next_writable,
            }),
            _,
        ) => {
            return Err(BurnError::HoldsSessions {
                profile,
                last_session_start,
                next_writable,
            })
        }
        (Err(source), _) => return Err(BurnError::SessionsUnreadable { profile, source }),
    })
}

/// The write options of [`burn`] for `profile`, starting at `start`.
pub(crate) fn write_options(options: &BurnOptions, profile: Profile, start: Start) -> WriteOptions {
    WriteOptions {
        multi: options.multi,
        dummy: options.dummy,
        speed_kbps: options
            .speed_x
            .map(|x| (x * f64::from(profile.single_speed_kbps())).round() as u32),
        mode: options.mode,
        bufe: options.bufe,
        start,
        reserve: true,
    }
}

/// Reads the head of an image (the first 17 blocks: system area and the PVD, which
/// [`start_for`] looks at), or less when the image is shorter.
pub(crate) fn image_head(image: &mut dyn Read) -> Result<Vec<u8>, BurnError> {
    let head = read_head(image, 17 * BLOCK).map_err(BurnError::ReadImage)?;
    if head.is_empty() {
        return Err(BurnError::Empty);
    }
    Ok(head)
}

/// After the write: the read-back verify (not after a test write), the commit
/// (overwritable media) and the report.
pub(crate) fn conclude<T: Transport>(
    drive: &mut Drive<T>,
    mut burned: Burned,
    options: &BurnOptions,
    profile: Profile,
    free: u64,
    session: u16,
) -> Result<BurnReport, BurnError> {
    let (verified, read_back_md5) = verify(
        drive,
        &burned,
        options.verify && !burned.report.dummy,
        options.verify_md5,
    )
    .map_err(|e| match e {
        VerifyError::Read(source) => BurnError::ReadBack {
            uncommitted: burned.commit.is_some(),
            source,
        },
        VerifyError::Differ(read_back) => BurnError::Differ {
            uncommitted: burned.commit.is_some(),
            read_back,
            sent_md5: burned.md5,
        },
    })?;
    let commit_notes = pipeline::commit(drive, &mut burned).map_err(BurnError::Commit)?;
    Ok(BurnReport {
        medium: profile,
        start: burned.report.start,
        blocks: burned.report.blocks,
        session,
        appendable: burned.report.appendable,
        dummy: burned.report.dummy,
        md5: burned.md5,
        verified,
        read_back_md5,
        blocks_left: pipeline::blocks_left(drive, free, &burned),
        seconds: burned.seconds,
        fifo_min_percent: burned.fifo_min_percent,
        commit_notes,
        ecc: None,
    })
}
