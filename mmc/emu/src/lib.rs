//! An emulated MMC-6 drive (INCITS 468; SPC-4 for the common commands) behind the
//! [`transport::Transport`] trait: `dev=emu:PATH[,key=value...]`.
//!
//! The drive decodes each CDB into a [`Command`], answers it with one `emulate_*` function
//! per command, and maps every failure to sense data in one place
//! ([`EmuError::sense_triple`]). Its disc is a flat, sparse image file (block N at byte
//! N x 2048) that xorriso, isoinfo and the kernel read directly, with the disc state (medium,
//! tracks, sessions, closed flags, drive settings) in `PATH.state` beside it; see [`disc`]
//! for the state machine and the crash semantics, [`medium`] for capacities and session
//! gaps, [`options::EmuOptions`] for the `emu:` options.
//!
//! Opening: `emu:PATH` opens the disc at PATH (no options needed); when `PATH.state` does
//! not exist but PATH does, PATH is served as a pressed disc (CD-ROM up to 80 minutes,
//! DVD-ROM beyond; read-only, nothing written). `profile=KIND` creates a blank disc when
//! PATH does not exist; `pressed=ISO` creates PATH as a pressed copy of ISO.
//!
//! Timing: unthrottled by default. With `speed=N` the buffer drains at N x the medium's 1x
//! rate (WRITE waits for room as on a real drive, underruns are counted and fail the
//! track with `bup=off`), and closing, blanking and formatting take modelled time (capped
//! at [`MAX_BUSY`]); with Immed the drive then answers NOT READY, 04/08 LONG WRITE IN
//! PROGRESS (04/07 for BLANK, 04/04 for FORMAT UNIT) with a progress indication.
//!
//! Durability: image data goes through the OS page cache (a killed process loses nothing);
//! `durable=on` adds fdatasync at SYNCHRONIZE CACHE and CLOSE. The state file is always
//! written to a temporary file, synced and renamed. The drive outlives the process: what a
//! powered drive keeps (page 05h, speeds, tray, an announced cue sheet) is stored with the
//! disc and found by the next process, until `power_cycle=on` (see [`powered`]); the track
//! being written is recorded lazily and recovered from the image after a kill (see
//! [`disc`]).
//!
//! Faults (options given when the drive is opened, see [`options::EmuOptions`]):
//! `write_error=` fails a WRITE, `bad=` and `slow=` make READs fail or crawl, `c2=`
//! makes READ CD of CD-DA sectors return damaged bytes flagged in the C2 error field, `garble=`
//! records the blocks of a WRITE altered while answering GOOD (as a failing laser or
//! medium does; only a read-back verify notices), `not_ready=` and `unit_attention`
//! delay readiness, `fill_early=` shrinks the medium. Drive models: `sao=off` is a CD writer
//! without session-at-once (no feature 002Eh, write type 2 and SEND CUE SHEET refused),
//! `sao_appendable=off` one that takes a cue sheet on a blank CD only.
//!
//! The crate depends on `transport` only, never on the host side (`mmc`): it decodes every
//! CDB and parameter list itself, so a mistake shared by host and device cannot hide.
//!
//! Limits, by design or not yet done:
//! - CD audio (see [`disc`] for how the image and `PATH.cdda` hold it): track-at-once
//!   with page 05h data block type 0 (raw 2352-byte CD-DA, track mode = the CONTROL
//!   nibble, ISRC and MCN from the page), session-at-once from a full cue sheet
//!   ([`cue::session`]: any number of audio and mode-1 tracks, pre-gaps, indexes, ISRC,
//!   MCN, pre-emphasis/copy/SCMS flags) with CD-TEXT written into the lead-in as cdrecord
//!   and libburn do (write type 2 with the lead-in's sub-channel form 01b, 96-byte R-W
//!   blocks from the ATIP lead-in start to LBA -151); READ TOC formats 0, 1, 2 with each
//!   track's CONTROL, format 5 (CD-TEXT); READ CD (sector types, fields, C2 zeros,
//!   sub-channel raw P-W, formatted Q, R-W); READ SUB-CHANNEL formats 1-3. Raw write type
//!   3 (the host building the whole lead-in) is refused: neither cdrecord's nor libburn's
//!   CD-TEXT needs it. Mode-1 sectors from READ CD carry a correct EDC but zero P/Q
//!   parity; C2 pointers are zero except on the marginal CD-DA sectors of `c2=` (a
//!   `bad=` block fails instead). No mode 2 or XA
//!   tracks, no four-channel-specific behaviour, no PLAY AUDIO.
//! - Every session-at-once track, the sheet of one mode-1 data track included, ends exactly
//!   where the next track or the sheet's lead-out begins (MMC-6 §6.33.3, §4.2.3.5): no
//!   run-out blocks, unlike a track-at-once track. With Test Write the announced session is simulated
//!   and nothing is recorded or closed. An SAO session cut short gets no lead-out and is
//!   left unfinished: at SYNCHRONIZE CACHE (after a failed WRITE, or when the host stops)
//!   the partial track is closed where it ends and the session stays open, as after a TAO
//!   track ended early; a host killed before that leaves an incomplete track (see [`disc`]).
//!   A cue sheet is refused (2C/00) while the open session holds tracks.
//! - No DVD-RW, DVD-RAM, DVD-R DL, BD-R RRM or POW; no layer jump recording.
//! - The DVD-R border zone, DVD+R session closure and BD-R session costs are modelled
//!   values (see [`medium`]), not measurements of particular discs.
//! - One writer per disc: a drive opened for writing ([`open_exclusive`], what the CLI's `emu:`
//!   dispatch does with `OpenOptions::exclusive`) holds an exclusive advisory lock on `PATH.lock`
//!   (created beside the image, never removed) for as long as it is open, and a second writer
//!   gets [`EmuOpenError::InUse`]. Readers take no lock, as a non-exclusive open of a real
//!   drive is not refused while a writer has it: the classic `mkisofs -M emu:D ... | cdrecord
//!   dev=emu:D -` pipeline reads the previous session while the writer is open. A reader
//!   does not save the state it loaded (that would overwrite the writer's) unless an option
//!   changed a setting and no writer is there, and then holds the lock just for the save (a
//!   writer waits up to [`LOCK_WAIT`] for it). A reader must not write to the disc.
//! - READ DISC STRUCTURE answers the DVD and BD structures burners ask for (see
//!   [`structure`]); SEND DISC STRUCTURE (a DVD+R DL layer break), SEND OPC and READ TOC
//!   format 3 (PMA) are not emulated: these answer ILLEGAL REQUEST as on a drive lacking
//!   them.
#![forbid(unsafe_code)]

pub mod audio;
pub mod buffer;
pub mod command;
pub mod cue;
pub mod disc;
mod emulate;
mod emulate_cd;
pub mod error;
pub mod features;
pub mod medium;
pub mod options;
pub mod powered;
pub mod script;
pub mod structure;

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use transport::{Completion, DataPhase, Request, Transport, TransportError};

pub use command::Command;
pub use disc::{Disc, Track};
pub use error::{EmuError, EmuOpenError};
pub use medium::MediumKind;
pub use options::EmuOptions;

use buffer::BufferModel;
use medium::WriteModel;

/// Default drive buffer: 4 MiB.
pub const DEFAULT_BUFFER: u64 = 4 * 1024 * 1024;
/// Default largest data phase: 512 KiB.
pub const DEFAULT_MAX_TRANSFER: usize = 512 * 1024;
/// Longest modelled time of a long operation (closing, blanking, formatting) with `speed=`.
pub const MAX_BUSY: Duration = Duration::from_secs(2);
/// Block size of every medium here.
pub const BLOCK: usize = 2048;

/// Path of the state file beside a disc image (`PATH.state`).
pub fn state_path(image: &Path) -> PathBuf {
    let mut s = image.as_os_str().to_owned();
    s.push(".state");
    PathBuf::from(s)
}

/// Length of MODE page 05h (Write Parameters) including its 2-byte header (MMC-6 §7.5.4).
const PAGE05_LEN: usize = 0x34;
/// Length of MODE page 01h (Read/Write Error Recovery) including its header (MMC-6 §7.3).
const PAGE01_LEN: usize = 0x0C;

/// The emulated drive with its disc.
#[derive(Debug)]
pub struct EmuDrive {
    name: String,
    image_path: PathBuf,
    /// None for a pressed disc served straight from an existing image (read-only).
    state_path: Option<PathBuf>,
    file: File,
    disc: Disc,
    faults: EmuOptions,
    tray_open: bool,
    locked: bool,
    pending_ua: bool,
    /// UNIT ATTENTION, POWER ON OCCURRED is due (`power_cycle=on`).
    pending_power_on: bool,
    not_ready_left: u32,
    last_sense: Option<Vec<u8>>,
    /// Pending media event code for GET EVENT STATUS NOTIFICATION (0: none).
    media_event: u8,
    page01: [u8; PAGE01_LEN],
    page05: [u8; PAGE05_LEN],
    write_speed_kbs: u32,
    read_speed_kbs: u32,
    buffer: BufferModel,
    /// Simulated NWA during a test write (nothing is recorded).
    sim_nwa: Option<u32>,
    /// The session announced by SEND CUE SHEET (session-at-once on CD), until written.
    sao: Option<powered::SaoCue>,
    /// The full cue sheet's session behind `sao` (audio, several tracks, CD-TEXT).
    sao_session: Option<cue::Session>,
    /// That sheet as sent, kept with the powered drive.
    sao_sheet: Option<powered::SheetRecord>,
    /// CD-TEXT packs received in the lead-in so far.
    cdtext_stream: Vec<[u8; audio::PACK]>,
    /// The audio companion file (`PATH.cdda`), once opened.
    audio: Option<File>,
    /// The last block READ CD transferred (READ SUB-CHANNEL's current position).
    last_pos: Option<i64>,
    /// A long operation running after an Immed command: (start, end, ASCQ).
    busy: Option<(Instant, Instant, u8)>,
    last_save: Instant,
    /// Track lengths changed since the last save (recorded lazily, see [`disc`]).
    dirty: bool,
    /// Only the addresses a simulated or session-at-once WRITE advances changed since the
    /// last save (recorded lazily with the track lengths).
    drive_dirty: bool,
    /// This process changed the disc and saved it whole at least once (a reader that
    /// did not saves only the drive's settings, see [`EmuDrive::save_drive`]).
    saved_disc: bool,
    max_transfer: usize,
    /// The writer's lock on `PATH.lock` (None for a reader); released when the drive drops,
    /// after its state is saved.
    _writer_lock: Option<File>,
}

fn open_err<'a>(
    op: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> EmuOpenError + 'a {
    move |source| EmuOpenError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

/// Opens (or creates) the emulated drive for `emu:PATH` with its `key=value` options, as a
/// reader: no lock is taken (see the module documentation).
///
/// ```
/// use transport::{spc, Request, Transport};
///
/// let dir = tempfile::tempdir()?;
/// let disc = dir.path().join("demo.disc");
/// let opts = [("profile".to_string(), "dvd+r".to_string())];
/// let mut drive = emu::open(&disc, &opts)?; // creates a blank DVD+R
/// let c = drive.execute(Request::none(spc::test_unit_ready_cdb()))?;
/// assert!(c.is_good());
/// assert!(emu::state_path(&disc).exists()); // the disc state, beside the image
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open(path: &Path, options: &[(String, String)]) -> Result<EmuDrive, EmuOpenError> {
    EmuDrive::open(path, &EmuOptions::parse(options)?)
}

/// Opens (or creates) the emulated drive for `emu:PATH` as its one writer: takes the
/// exclusive lock on `PATH.lock` first (without waiting), and fails with
/// [`EmuOpenError::InUse`] while another writer holds it.
pub fn open_exclusive(path: &Path, options: &[(String, String)]) -> Result<EmuDrive, EmuOpenError> {
    let opts = EmuOptions::parse(options)?;
    let lock = lock_writer(path)?;
    EmuDrive::open_inner(path, &opts, Some(lock))
}

/// Path of the writer's lock file beside a disc image (`PATH.lock`).
pub fn lock_path(image: &Path) -> PathBuf {
    let mut s = image.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

/// Takes the exclusive advisory lock (flock on Unix, LockFileEx on Windows) on `PATH.lock`.
fn lock_writer(image: &Path) -> Result<File, EmuOpenError> {
    let lp = lock_path(image);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lp)
        .map_err(open_err("create lock file", &lp))?;
    // A reader saving changed settings holds the lock for a moment: wait that out.
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(EmuOpenError::InUse {
                    path: image.to_path_buf(),
                })
            }
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(EmuOpenError::Io {
                    op: "lock",
                    path: lp,
                    source,
                })
            }
        }
    }
}

/// How long a writer waits for the lock before reporting the disc in use.
pub const LOCK_WAIT: Duration = Duration::from_millis(500);

impl EmuDrive {
    /// Opens the disc at `path` (creating it as `opts` say when it does not exist).
    /// Opens as a reader, without the writer's lock (see the module documentation).
    pub fn open(path: &Path, opts: &EmuOptions) -> Result<EmuDrive, EmuOpenError> {
        EmuDrive::open_inner(path, opts, None)
    }

    fn open_inner(
        path: &Path,
        opts: &EmuOptions,
        writer_lock: Option<File>,
    ) -> Result<EmuDrive, EmuOpenError> {
        let sp = state_path(path);
        let conflict = |reason: String| EmuOpenError::Conflict {
            path: path.to_path_buf(),
            reason,
        };
        let (disc, state, writable) = if sp.exists() {
            let mut disc = Disc::load(&sp)?;
            if let Some(p) = opts.profile {
                if p != disc.medium {
                    return Err(conflict(format!(
                        "the disc here is {}, not {}",
                        disc.medium.option_name(),
                        p.option_name()
                    )));
                }
            }
            if opts.pressed.is_some() {
                return Err(conflict(
                    "a disc exists here already; pressed= creates new discs only".into(),
                ));
            }
            if !path.exists() {
                return Err(EmuOpenError::BadState {
                    path: sp,
                    reason: "the disc image beside this state file is missing".into(),
                });
            }
            if let Some(n) = opts.fill_early {
                disc.capacity = disc.capacity.min(n);
            }
            // The last process may have ended before recording the track it wrote.
            let len = std::fs::metadata(path)
                .map_err(open_err("stat", path))?
                .len();
            let blocks = u32::try_from(len / BLOCK as u64).unwrap_or(u32::MAX);
            let found = disc.recover_open_track(blocks);
            if found > 0 {
                log::info!(
                    "emu:{}: {found} block(s) written after the last recorded state found in the image",
                    path.display()
                );
                if let Some(c) = disc.drive.as_mut().and_then(|p| p.sao.as_mut()) {
                    // a session-at-once run: the host continues after what was written
                    if let Some(t) = disc.tracks.last() {
                        c.next = c.next.max(i64::from(t.start) + i64::from(t.length));
                    }
                }
            }
            let w = disc_writable(&disc);
            (disc, Some(sp), w)
        } else if path.exists() {
            // An existing image without state: a pressed disc served as it is.
            if opts.pressed.is_some() {
                return Err(conflict(
                    "the image exists already; pressed= creates new discs only".into(),
                ));
            }
            let len = std::fs::metadata(path)
                .map_err(open_err("stat", path))?
                .len();
            let blocks = u32::try_from(len.div_ceil(BLOCK as u64))
                .map_err(|_| conflict("image too large for a disc".into()))?;
            let kind = match opts.profile {
                Some(k) if k.write_model() == WriteModel::Rom => k,
                Some(k) => {
                    return Err(conflict(format!(
                        "the file exists but holds no emulated disc state; remove it to create a blank {}, or omit profile= to serve it as a pressed disc",
                        k.option_name()
                    )))
                }
                None => rom_kind_for(blocks),
            };
            (Disc::pressed(kind, blocks), None, false)
        } else if let Some(iso) = &opts.pressed {
            let len = std::fs::metadata(iso).map_err(open_err("stat", iso))?.len();
            let blocks = u32::try_from(len.div_ceil(BLOCK as u64))
                .map_err(|_| conflict("image too large for a disc".into()))?;
            let kind = match opts.profile {
                Some(k) if k.write_model() == WriteModel::Rom => k,
                Some(k) => {
                    return Err(conflict(format!(
                        "pressed= makes a CD-ROM, DVD-ROM or BD-ROM, not {}",
                        k.option_name()
                    )))
                }
                None => rom_kind_for(blocks),
            };
            std::fs::copy(iso, path).map_err(open_err("copy pressed image to", path))?;
            let disc = Disc::pressed(kind, blocks);
            disc.save(&sp).map_err(|e| conflict(e.to_string()))?;
            (disc, Some(sp), false)
        } else if let Some(k) = opts.profile {
            if k.write_model() == WriteModel::Rom {
                return Err(conflict(format!(
                    "a blank {} makes no sense; use pressed=ISO",
                    k.option_name()
                )));
            }
            File::create(path).map_err(open_err("create", path))?;
            let mut disc = Disc::blank(k);
            if let Some(n) = opts.fill_early {
                disc.capacity = disc.capacity.min(n);
            }
            disc.save(&sp).map_err(|e| conflict(e.to_string()))?;
            (disc, Some(sp), true)
        } else {
            return Err(EmuOpenError::NoDisc {
                path: path.to_path_buf(),
            });
        };
        let file = OpenOptions::new()
            .read(true)
            .write(writable)
            .open(path)
            .map_err(open_err("open", path))?;
        let mut disc = disc;
        // Drive settings: options given now override those stored with the disc.
        if let Some(s) = opts.speed {
            disc.settings.speed = if s > 0.0 { Some(s) } else { None };
        }
        if opts.buffer.is_some() {
            disc.settings.buffer = opts.buffer;
        }
        if opts.bup.is_some() {
            disc.settings.bup = opts.bup;
        }
        let mut drive = EmuDrive {
            name: format!("emu:{}", path.display()),
            image_path: path.to_path_buf(),
            state_path: state,
            file,
            faults: opts.clone(),
            tray_open: false,
            locked: false,
            pending_ua: opts.unit_attention,
            pending_power_on: false,
            not_ready_left: opts.not_ready,
            last_sense: None,
            media_event: 2,
            page01: [0x01, 0x0A, 0x00, 0x05, 0, 0, 0, 0, 0x05, 0, 0, 0],
            page05: [0; PAGE05_LEN],
            write_speed_kbs: 0,
            read_speed_kbs: 0,
            buffer: BufferModel::new(disc.settings.buffer.unwrap_or(DEFAULT_BUFFER), None),
            sim_nwa: None,
            sao: None,
            sao_session: None,
            sao_sheet: None,
            cdtext_stream: Vec::new(),
            audio: None,
            last_pos: None,
            busy: None,
            last_save: Instant::now(),
            dirty: false,
            drive_dirty: false,
            saved_disc: false,
            max_transfer: opts.max_transfer.unwrap_or(DEFAULT_MAX_TRANSFER),
            _writer_lock: writer_lock,
            disc,
        };
        drive.page05 = drive.default_page05();
        drive.write_speed_kbs = drive.max_write_kbs();
        drive.read_speed_kbs = drive.max_read_kbs();
        match drive.disc.drive.take() {
            // a power cycle: the defaults above, and the power-on unit attention first
            Some(_) | None if opts.power_cycle => drive.pending_power_on = true,
            Some(p) => drive.restore_powered(&p),
            None => {}
        }
        drive.update_rate();
        if drive.state_path.is_some() && (writable || opts.power_cycle) {
            // Settings given now are stored with the disc. A reader saves only when an option
            // changed something, and only while no writer holds the lock (the state it
            // loaded would overwrite the writer's); the lock is held just for the save.
            let changed = opts.speed.is_some()
                || opts.power_cycle
                || opts.buffer.is_some()
                || opts.bup.is_some()
                || opts.fill_early.is_some();
            if drive._writer_lock.is_some() {
                drive.save()?;
            } else if changed {
                // Another error than InUse (no lock file possible) saves as before.
                let brief = lock_writer(path);
                if !matches!(brief, Err(EmuOpenError::InUse { .. })) {
                    drive.save()?;
                }
                drop(brief);
            }
        }
        // the saves above record settings, not a change of the disc (see save_drive)
        drive.saved_disc = false;
        Ok(drive)
    }

    /// The disc as it is now.
    pub fn disc(&self) -> &Disc {
        &self.disc
    }

    /// Path of the disc image.
    pub fn image_path(&self) -> &Path {
        &self.image_path
    }

    /// Records everything pending, as SYNCHRONIZE CACHE does: the buffer drained, the image
    /// synced, the state saved. What a program serving the drive calls before it exits.
    pub fn flush(&mut self) -> Result<(), EmuError> {
        self.finish_pending()
    }

    /// Buffer underruns seen since the drive was opened.
    pub fn underruns(&self) -> u32 {
        self.buffer.underruns
    }

    /// Runs one CDB with a data phase; the device-side entry point behind [`Transport`].
    fn run(
        &mut self,
        cdb: &[u8],
        data: &mut DataPhase<'_>,
    ) -> Result<Result<usize, EmuError>, TransportError> {
        let cmd = match Command::decode(cdb) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        if !cmd.bypasses_attention() {
            if self.pending_power_on {
                self.pending_power_on = false;
                return Ok(Err(EmuError::PowerOn));
            }
            if self.not_ready_left > 0 {
                self.not_ready_left -= 1;
                return Ok(Err(EmuError::BecomingReady));
            }
            if self.pending_ua {
                self.pending_ua = false;
                return Ok(Err(EmuError::MediumChanged));
            }
        }
        if let Some((start, end, ascq)) = self.busy {
            let now = Instant::now();
            if now >= end {
                self.busy = None;
            } else if !cmd.bypasses_attention()
                && !matches!(cmd, Command::ReadBufferCapacity { .. })
            {
                let total = end.duration_since(start).as_secs_f64().max(1e-9);
                let done = now.duration_since(start).as_secs_f64() / total;
                let progress = (done * 65536.0).clamp(0.0, 65535.0) as u16;
                return Ok(Err(EmuError::InProgress { ascq, progress }));
            }
        }
        if cmd.needs_medium() && self.tray_open {
            return Ok(Err(EmuError::MediumNotPresent));
        }
        let before = self.powered();
        let r = self.dispatch(cmd, cdb[0], data)?;
        let after = self.powered();
        if after.differs_eagerly(&before) {
            // settings and announcements are recorded at once (a few per burn)
            if let Err(e) = self.save_drive() {
                return Ok(Err(e));
            }
        } else if after != before {
            self.drive_dirty = true;
        }
        Ok(r)
    }

    /// What the powered drive keeps between processes, as it is now.
    fn powered(&self) -> powered::Powered {
        powered::Powered {
            page05: self.page05.to_vec(),
            page01: self.page01.to_vec(),
            write_speed_kbs: self.write_speed_kbs,
            read_speed_kbs: self.read_speed_kbs,
            tray_open: self.tray_open,
            locked: self.locked,
            sim_nwa: self.sim_nwa,
            sao: self.sao,
            sheet: self.sao.and(self.sao_sheet.clone()),
        }
    }

    /// Takes over what the last process left in the powered drive (validated with the
    /// state file); speeds are fitted to what this medium offers now.
    fn restore_powered(&mut self, p: &powered::Powered) {
        if let Ok(page) = <[u8; PAGE05_LEN]>::try_from(p.page05.as_slice()) {
            self.page05 = page;
            if self.disc.settings.bup == Some(false) {
                // `bup=off` given now: BUFE is not changeable on this drive
                self.page05[2] &= !0x40;
            }
        }
        if let Ok(page) = <[u8; PAGE01_LEN]>::try_from(p.page01.as_slice()) {
            self.page01 = page;
        }
        self.write_speed_kbs = self.pick_write_speed(p.write_speed_kbs);
        self.read_speed_kbs = p.read_speed_kbs.min(self.max_read_kbs());
        self.tray_open = p.tray_open;
        self.locked = p.locked;
        self.sim_nwa = p.sim_nwa;
        self.sao = p.sao;
        if let (Some(_), Some(rec)) = (p.sao, &p.sheet) {
            self.restore_sao_session(rec);
        }
    }

    /// Saves the disc state (no-op for a read-only pressed image).
    fn save(&mut self) -> Result<(), EmuOpenError> {
        self.save_state().map_err(|e| EmuOpenError::BadState {
            path: self.image_path.clone(),
            reason: e.to_string(),
        })
    }

    /// Saves the whole state: the disc as this process has it, with the drive's settings.
    fn save_state(&mut self) -> Result<(), EmuError> {
        if let Some(p) = &self.state_path {
            self.disc.drive = Some(self.powered());
            let len = self.file.metadata().map_err(|e| EmuError::Io {
                op: "stat",
                path: self.image_path.clone(),
                source: e,
            })?;
            // the baseline of recover_open_track, kept only while a track is being
            // written (the state of a disc without one stays as it was)
            let writing = self.disc.model() == WriteModel::Sequential
                && self
                    .disc
                    .tracks
                    .last()
                    .is_some_and(|t| !t.closed && t.reserved.is_none());
            self.disc.image_blocks = if writing {
                u32::try_from(len.len() / BLOCK as u64).ok()
            } else {
                None
            };
            let r = self.disc.save(p);
            self.disc.drive = None;
            r?;
            self.saved_disc = true;
        }
        self.dirty = false;
        self.drive_dirty = false;
        self.last_save = Instant::now();
        Ok(())
    }

    /// Saves the drive's settings. The writer, or a process that changed the disc, saves
    /// the whole state; a reader that did not must not write back the disc it loaded (a
    /// writer may have added a session since), so it replaces only the settings in the
    /// state file as it is now, under the writer's lock taken for the moment, and leaves
    /// them unrecorded while a writer holds the disc (whose own settings then stand).
    fn save_drive(&mut self) -> Result<(), EmuError> {
        if self._writer_lock.is_some() || self.saved_disc || self.dirty {
            return self.save_state();
        }
        let Some(sp) = self.state_path.clone() else {
            return Ok(());
        };
        let lock = match lock_writer(&self.image_path) {
            Ok(l) => l,
            Err(EmuOpenError::InUse { .. }) => {
                log::info!(
                    "{}: a writer holds the disc; this reader's drive settings are not recorded",
                    self.name
                );
                self.drive_dirty = false;
                return Ok(());
            }
            Err(e) => {
                return Err(EmuError::Io {
                    op: "lock",
                    path: lock_path(&self.image_path),
                    source: std::io::Error::other(e.to_string()),
                })
            }
        };
        let mut current = Disc::load(&sp).map_err(|e| EmuError::Io {
            op: "reload state",
            path: sp.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        current.drive = Some(self.powered());
        let r = current.save(&sp);
        drop(lock);
        r?;
        self.drive_dirty = false;
        self.last_save = Instant::now();
        Ok(())
    }
}

impl Drop for EmuDrive {
    /// Records what is still pending when the drive is closed: the length of the track
    /// being written and the drive's lazily recorded addresses (a process that ends
    /// normally leaves the drive as it was; a killed one leaves what the image shows, see
    /// [`Disc::recover_open_track`]). Data still in the modelled buffer is counted as
    /// written: the image holds it already.
    fn drop(&mut self) {
        let r = if self.dirty {
            self.save_state()
        } else if self.drive_dirty {
            self.save_drive()
        } else {
            Ok(())
        };
        if let Err(e) = r {
            log::warn!("{}: the drive's state was not recorded: {e}", self.name);
        }
    }
}

fn disc_writable(d: &Disc) -> bool {
    d.medium.write_model() != WriteModel::Rom
}

/// The pressed medium for an image of `blocks` blocks.
fn rom_kind_for(blocks: u32) -> MediumKind {
    if blocks <= medium::CD_LEADOUT_LIMIT {
        MediumKind::CdRom
    } else if blocks <= MediumKind::DvdPlusRDl.nominal_capacity() {
        MediumKind::DvdRom
    } else {
        MediumKind::BdRom
    }
}

impl Transport for EmuDrive {
    fn execute(&mut self, mut req: Request<'_>) -> Result<Completion, TransportError> {
        let t0 = Instant::now();
        let len = req.data.len();
        if len > self.max_transfer {
            return Err(TransportError::TooLarge {
                opcode: req.cdb.opcode(),
                len,
                max: self.max_transfer,
            });
        }
        let cdb = req.cdb;
        // A data-out phase is consumed whole when the command succeeds (the per-command
        // emulation reports bytes produced, which only means something for data-in), but
        // for WRITE(10)/(12), whose emulation returns the bytes it took: a longer data-out
        // buffer than the transfer length needs leaves a residual (what the iSCSI target
        // reports as underflow, RFC 7143 §11.4.5.1).
        let data_out =
            matches!(req.data, DataPhase::Out(_)) && !matches!(cdb.opcode(), 0x2A | 0xAA);
        let outcome = self.run(cdb.as_bytes(), &mut req.data)?;
        let d: Duration = t0.elapsed();
        Ok(match outcome {
            Ok(n) => {
                self.last_sense = None;
                let mut c = Completion::good(d);
                c.residual = if data_out { 0 } else { len.saturating_sub(n) };
                c
            }
            Err(e) => {
                log::debug!("{}: {cdb}: {e}", self.name);
                let sense = e.to_sense();
                self.last_sense = Some(sense.clone());
                let mut c = Completion::check_condition(sense, d);
                c.residual = len;
                c
            }
        })
    }

    fn max_transfer(&self) -> usize {
        self.max_transfer
    }

    fn name(&self) -> &str {
        &self.name
    }
}
