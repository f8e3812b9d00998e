//! The `cdrecord` / `wodim` personality: their command-line syntax (`dev=b,t,l`,
//! single-dash long options) for `-scanbus`, `-inq`, `-checkdrive`, `-prcap`, `-atip`,
//! `-toc`, `-minfo` (`-media-info`), `-msinfo`, `-v` and `-V`.
//!
//! Output follows cdrtools' `cdrecord/scsi_scan.c` `select_target` and libscg's
//! `scg_fprintdev`: a `scsibus<N>:` line per bus that has a device, then targets 0 to 7 (and
//! 8 to 15 where a device is) at LUN 0 as `\t<b>,<t>,<l>\t<bus*100+target, 3 wide>) ` followed
//! by `*` for no device, or `'<vendor 8>' '<product 16>' '<revision 4>' [NON CCS ]<type words>`.
//! `-inq` prints the lines of cdrecord's INQUIRY report (`Device type`, `Version`, ...).
//! `-checkdrive` adds the profile lines (`Current: 0x0009 (CD-R)`, `Profile: ...`) and the
//! drive buffer, `-prcap` the page 2Ah report of cdrecord (`Does read CD-R media`, ...).
//! `-atip` and `-toc` print cdrecord's ATIP block and `first: 1 last 2` / `track: ...`
//! lines; `-minfo` cdrecord's media report (`Mounted media type:`, the track table,
//! `Last session start address:`, `Next writable address:`).
//!
//! `-msinfo` prints exactly `last_session_start,next_writable` and a newline on stdout,
//! nothing else, as cdrecord's `print_msinfo` does. On a blank disc cdrecord cannot read a
//! session offset (READ TOC format 1 has nothing to report) and says so; this personality
//! does the same: `Cannot read session offset` with a note that the disc is blank, nothing on
//! stdout, exit 1, so `mkisofs -C $(cdrecord -msinfo)` scripts never get a bogus `0,0`.
//! A closed disc fails the same way with the reason.
//!
//! Writing takes the options front ends pass (K3b's `k3bcdrecordwriter.cpp`, Brasero's
//! `burn-wodim.c`): `gracetime=N` counts down as cdrecord does (no grace time unless
//! given), `driveropts=burnfree|noburnfree` sets BUFE (other driver options are refused by
//! name), `-pad` appends 15 zeroed sectors and `padsize=` that many 2048-byte sectors
//! (wodim(1)), `-waiti` waits for standard input before opening the drive, `-nofix` leaves
//! the disc appendable (its session is closed, as every session discburn writes) and `-fix`
//! finalizes, `-xa` is written as mode 1 with a note (the same 2048-byte blocks),
//! `-overburn`, `-ignsize`, `-immed`, `minbuf=` and `ts=` are accepted (writes stay within
//! the free blocks the drive reports; long commands are polled; transfers are sized by the
//! transport), `-format`, `-load`, `-lock` and `-setdropts` do their task, `-reset` and
//! `-abort` say that nothing is done. `-xa1`, `-xa2`, `-mode2` (sectors other than 2048
//! bytes) and the raw modes (`-raw`, `-raw96r`, `-raw96p`, `-raw16`, `-clone`) are refused.
//!
//! Audio (`-audio`, `.wav` files, `cuefile=`) goes through `cmd::audio`: cdrecord's
//! track options (`-audio`/`-data`, `-pad`, `-swab`, `-preemp`, `-copy`, `-scms`,
//! `-shorttrack` hold until changed; `padsize=`, `isrc=`, `index=` for the next track),
//! `mcn=`, `-text`, `textfile=` and `-useinfo` (cdda2wav's .inf files).
//!
//! Unknown options are a usage error (exit 2) that names the option.

use std::collections::BTreeMap;

use transport::spc::{self, InquiryData};
use transport::ScanEntry;

use crate::device;
use crate::error::CliError;

/// What the accepted options are, for error messages.
const ACCEPTED: &str = "dev=, -scanbus, -inq, -checkdrive, -prcap, -atip, -toc, -minfo, \
                        -msinfo, -v, -V, -version, -help, -load, -lock, -eject, -format, \
                        -fix, -reset, -abort, -setdropts; writing: -multi, -tao, -sao, -dao, \
                        -data, -mode1, -xa, speed=, -dummy, -eject, -force, fs=, tsize=, \
                        blank=, gracetime=, driveropts=, -pad, -nopad, padsize=, -nofix, \
                        -overburn, -ignsize, -immed, minbuf=, -waiti, ts=; audio: -audio, \
                        -swab, -preemp, -nopreemp, -copy, -nocopy, -scms, -shorttrack, \
                        -noshorttrack, isrc=, index=, mcn=, -text, textfile=, -useinfo, \
                        cuefile=; and the track files (- for standard input)";

/// Parsed cdrecord options.
#[derive(Debug, Default, PartialEq)]
pub struct Options {
    /// `dev=`.
    pub dev: Option<String>,
    /// `-scanbus`.
    pub scanbus: bool,
    /// `-inq`.
    pub inq: bool,
    /// `-checkdrive`.
    pub checkdrive: bool,
    /// `-prcap`.
    pub prcap: bool,
    /// `-atip`.
    pub atip: bool,
    /// `-toc`.
    pub toc: bool,
    /// `-minfo` / `-media-info`.
    pub minfo: bool,
    /// `-msinfo`.
    pub msinfo: bool,
    /// Count of `-v`.
    pub verbose: u8,
    /// Count of `-V` (SCSI command trace).
    pub scsi_verbose: u8,
    /// `-version`.
    pub version: bool,
    /// `-help`.
    pub help: bool,
    /// `-load`: load the medium and exit.
    pub load: bool,
    /// `-lock`: load the medium, lock the tray and exit.
    pub lock: bool,
    /// `-format`: format a DVD+RW / BD-RE.
    pub format: bool,
    /// `-fix`: only fixate (close) the disc.
    pub fix: bool,
    /// `-reset`: reset the SCSI bus (not done: see [`run`]).
    pub reset: bool,
    /// `-abort`: send an abort sequence (not needed: see [`run`]).
    pub abort: bool,
    /// `-setdropts`: set the `driveropts=` and exit.
    pub setdropts: bool,
    /// Writing options (`-multi ... blank=` and the track file).
    pub write: WriteOpts,
}

/// cdrecord's writing options.
#[derive(Debug, Default, PartialEq)]
pub struct WriteOpts {
    /// `-multi`: leave the disc appendable.
    pub multi: bool,
    /// `-tao`.
    pub tao: bool,
    /// `-sao` / `-dao`.
    pub sao: bool,
    /// `-dummy`.
    pub dummy: bool,
    /// `-eject`.
    pub eject: bool,
    /// `-force`: write even while mounted, or over the sessions of a DVD+RW/BD-RE.
    pub force: bool,
    /// `speed=N`.
    pub speed: Option<f64>,
    /// `fs=SIZE`.
    pub fs: Option<String>,
    /// `tsize=SIZE`.
    pub tsize: Option<String>,
    /// `blank=TYPE`.
    pub blank: Option<String>,
    /// The tracks, with the track options in force for each.
    pub tracks: Vec<TrackSpec>,
    /// `cuefile=FILE`.
    pub cuefile: Option<String>,
    /// `-text`: write CD-TEXT (from the cue file, the .inf files or `textfile=`).
    pub text: bool,
    /// `textfile=FILE`: binary CD-TEXT packs.
    pub textfile: Option<String>,
    /// `-useinfo`: take track options from cdda2wav's .inf files.
    pub useinfo: bool,
    /// `mcn=DIGITS`.
    pub mcn: Option<String>,
    /// `gracetime=N`: seconds to wait (counting down) before writing.
    pub gracetime: Option<u32>,
    /// `driveropts=`: buffer-underrun protection on (`burnfree`) or off (`noburnfree`).
    pub burnfree: Option<bool>,
    /// `-pad`: pad data tracks with 15 zeroed sectors (`-nopad` clears it).
    pub pad: bool,
    /// `padsize=SIZE`: bytes of zeroes after the track (rounded up to 2048-byte sectors).
    pub padsize: Option<u64>,
    /// `-nofix`: do not finalize the disc.
    pub nofix: bool,
    /// `-overburn` / `-ignsize`.
    pub overburn: bool,
    /// `-immed` / `minbuf=`.
    pub immed: bool,
    /// `-waiti`: wait for standard input before opening the drive.
    pub waiti: bool,
    /// `ts=SIZE`: maximum transfer size.
    pub ts: Option<u64>,
    /// `-xa`: CD-ROM XA mode 2 form 1 tracks (written as mode 1: see [`write_track`]).
    pub xa: bool,
}

/// One track file and the track options that apply to it (cdrecord's track options hold
/// for every following track until changed; `padsize=`, `isrc=` and `index=` for the next
/// track only).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct TrackSpec {
    /// The file, or `-`.
    pub file: String,
    /// `-audio` / `-data` in force (`None`: by the name, audio for `.wav` and `.au`).
    pub audio: Option<bool>,
    /// `-pad`.
    pub pad: bool,
    /// `padsize=` in bytes.
    pub padsize: Option<u64>,
    /// `-swab`: raw audio is little-endian (cdrecord's default is big-endian).
    pub swab: bool,
    /// `-preemp`.
    pub preemp: bool,
    /// `-copy`.
    pub copy: bool,
    /// `-scms`.
    pub scms: bool,
    /// `-shorttrack`.
    pub shorttrack: bool,
    /// `isrc=`.
    pub isrc: Option<String>,
    /// `index=`: index 1, 2 ... in sectors from the track's start.
    pub index: Vec<u32>,
}

impl TrackSpec {
    /// True when this track is written as CD-DA.
    pub fn is_audio(&self) -> bool {
        self.audio.unwrap_or_else(|| {
            let l = self.file.to_ascii_lowercase();
            l.ends_with(".wav") || l.ends_with(".au")
        })
    }
}

/// Parses cdrecord's arguments (without the program name).
pub fn parse(prog: &str, args: &[String]) -> Result<Options, CliError> {
    let mut o = Options::default();
    // The track options in force, and those for the next track only.
    let mut cur = TrackSpec::default();
    let mut next = TrackSpec::default();
    for a in args {
        let flag = a.strip_prefix("--").or_else(|| a.strip_prefix('-'));
        if let Some(v) = a
            .strip_prefix("dev=")
            .or_else(|| flag.and_then(|f| f.strip_prefix("dev=")))
        {
            o.dev = Some(v.to_string());
            continue;
        }
        let w = &mut o.write;
        let value = |key: &str| {
            a.strip_prefix(key)
                .or_else(|| flag.and_then(|f| f.strip_prefix(key)))
                .map(str::to_string)
        };
        if let Some(v) = value("speed=") {
            w.speed = Some(
                v.parse()
                    .map_err(|_| CliError::Usage(format!("{prog}: Bad speed: {v}")))?,
            );
            continue;
        }
        if let Some(v) = value("fs=") {
            w.fs = Some(v);
            continue;
        }
        if let Some(v) = value("tsize=") {
            w.tsize = Some(v);
            continue;
        }
        if let Some(v) = value("blank=") {
            w.blank = Some(v);
            continue;
        }
        if let Some(v) = value("gracetime=") {
            w.gracetime = Some(
                v.parse()
                    .map_err(|_| CliError::Usage(format!("{prog}: Bad gracetime value: {v}")))?,
            );
            continue;
        }
        if let Some(v) = value("driveropts=") {
            if let Some(b) = driveropts(prog, &v)? {
                w.burnfree = Some(b);
            }
            continue;
        }
        if let Some(v) = value("padsize=") {
            let n = size(prog, "padsize", &v)?;
            w.padsize = Some(n);
            next.padsize = Some(n);
            continue;
        }
        if let Some(v) = value("cuefile=") {
            w.cuefile = Some(v);
            continue;
        }
        if let Some(v) = value("textfile=") {
            w.textfile = Some(v);
            continue;
        }
        if let Some(v) = value("mcn=") {
            w.mcn = Some(mmc::audio::cue::parse_mcn(&v).ok_or_else(|| {
                CliError::Usage(format!("{prog}: Bad MCN '{v}': an MCN is 13 digits"))
            })?);
            continue;
        }
        if let Some(v) = value("isrc=") {
            next.isrc = Some(mmc::audio::cue::parse_isrc(&v).ok_or_else(|| {
                CliError::Usage(format!(
                    "{prog}: Bad ISRC '{v}': an ISRC is CCOOOYYSSSSS (country, owner, year, \
                     serial)"
                ))
            })?);
            continue;
        }
        if let Some(v) = value("index=") {
            let mut list = Vec::new();
            for x in v.split(',') {
                let n: u32 = x.trim().parse().map_err(|_| {
                    CliError::Usage(format!("{prog}: Bad index list '{v}' (e.g. 0,750,7500)"))
                })?;
                if list.last().is_some_and(|&l| n <= l) || (list.is_empty() && n != 0) {
                    return Err(CliError::Usage(format!(
                        "{prog}: Bad index list '{v}': it starts with 0 (index 1) and \
                         increases"
                    )));
                }
                list.push(n);
            }
            next.index = list;
            continue;
        }
        if let Some(v) = value("ts=") {
            w.ts = Some(size(prog, "ts", &v)?);
            continue;
        }
        if let Some(v) = value("minbuf=") {
            match v.parse::<u8>() {
                Ok(25..=95) => w.immed = true,
                _ => {
                    return Err(CliError::Usage(format!(
                        "{prog}: Bad minbuf={v}: must be 25 to 95 (percent)"
                    )))
                }
            }
            continue;
        }
        if a == "-" || (!a.starts_with('-') && !a.contains('=')) {
            let mut t = cur.clone();
            t.file = a.clone();
            t.padsize = next.padsize.take();
            t.isrc = next.isrc.take();
            t.index = std::mem::take(&mut next.index);
            if t.padsize.is_some() {
                // padsize= implies -pad for its track.
                t.pad = true;
            }
            w.tracks.push(t);
            continue;
        }
        match flag {
            Some("multi") => w.multi = true,
            Some("tao") => w.tao = true,
            Some("sao") | Some("dao") => w.sao = true,
            Some("data") | Some("mode1") => {
                w.xa = false;
                cur.audio = Some(false);
            }
            Some("xa") => {
                w.xa = true;
                cur.audio = Some(false);
            }
            Some("audio") => cur.audio = Some(true),
            Some("swab") => cur.swab = true,
            Some("preemp") => cur.preemp = true,
            Some("nopreemp") => cur.preemp = false,
            Some("copy") => cur.copy = true,
            Some("nocopy") => cur.copy = false,
            Some("scms") => cur.scms = true,
            Some("shorttrack") => cur.shorttrack = true,
            Some("noshorttrack") => cur.shorttrack = false,
            Some("text") => w.text = true,
            Some("useinfo") => w.useinfo = true,
            Some(m @ ("xa1" | "xa2" | "mode2")) => {
                let what = match m {
                    "xa1" => "CD-ROM XA mode 2 form 1 with 2056-byte sectors (subheader included)",
                    "xa2" => "CD-ROM XA mode 2 form 2 with 2324-byte sectors",
                    _ => "CD-ROM mode 2 with 2336-byte sectors",
                };
                return Err(CliError::Usage(format!(
                    "{prog}: -{m} ({what}) is not supported by discburn: it writes tracks of \
                     2048-byte sectors (-data, or -xa)"
                )));
            }
            Some(m @ ("raw" | "raw96r" | "raw96p" | "raw16" | "clone")) => {
                return Err(CliError::Usage(format!(
                    "{prog}: -{m}: raw writing (the drive sent whole 2352-byte sectors with \
                     subchannels) is not supported by this cdrecord personality; data tracks \
                     are written with -tao or -sao"
                )));
            }
            Some("pad") => {
                w.pad = true;
                cur.pad = true;
            }
            Some("nopad") => {
                w.pad = false;
                w.padsize = None;
                cur.pad = false;
                next.padsize = None;
            }
            Some("nofix") => w.nofix = true,
            Some("fix") => o.fix = true,
            Some("overburn") | Some("ignsize") => w.overburn = true,
            Some("immed") => w.immed = true,
            Some("waiti") => w.waiti = true,
            Some("load") => o.load = true,
            Some("lock") => o.lock = true,
            Some("format") => o.format = true,
            Some("reset") => o.reset = true,
            Some("abort") => o.abort = true,
            Some("setdropts") => o.setdropts = true,
            Some("dummy") => w.dummy = true,
            Some("eject") => w.eject = true,
            Some("force") => w.force = true,
            Some("scanbus") => o.scanbus = true,
            Some("inq") => o.inq = true,
            Some("checkdrive") => o.checkdrive = true,
            Some("prcap") => o.prcap = true,
            Some("atip") => o.atip = true,
            Some("toc") => o.toc = true,
            Some("minfo") | Some("media-info") => o.minfo = true,
            Some("msinfo") => o.msinfo = true,
            Some("version") => o.version = true,
            Some("help") | Some("h") => o.help = true,
            Some(f) if !f.is_empty() && f.bytes().all(|b| b == b'v') => {
                o.verbose = o.verbose.saturating_add(f.len() as u8)
            }
            Some(f) if !f.is_empty() && f.bytes().all(|b| b == b'V') => {
                o.scsi_verbose = o.scsi_verbose.saturating_add(f.len() as u8)
            }
            _ => {
                return Err(CliError::Usage(format!(
                    "{prog}: Bad Option: {a} (this cdrecord personality accepts {ACCEPTED})"
                )))
            }
        }
    }
    Ok(o)
}

/// A size option (`padsize=`, `ts=`): fs='s syntax.
fn size(prog: &str, key: &str, v: &str) -> Result<u64, CliError> {
    crate::cmd::burn::parse_size(v)
        .map_err(|_| CliError::Usage(format!("{prog}: Bad {key}= value: {v}")))
}

/// The words of `driveropts=` discburn knows (cdrecord's generic MMC driver options).
const DRIVEROPTS: &str = "burnfree (buffer-underrun protection on, the default), noburnfree \
                          (off); burnproof is taken as burnfree";

/// Parses `driveropts=LIST`: `Some(true)` for burnfree, `Some(false)` for noburnfree (the
/// last wins), `None` when the list sets neither (an empty list); `help` prints the list.
fn driveropts(prog: &str, list: &str) -> Result<Option<bool>, CliError> {
    let mut r = None;
    for w in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        match w {
            "burnfree" | "burnproof" => r = Some(true),
            "noburnfree" | "noburnproof" => r = Some(false),
            "help" => {
                eprintln!("Driver options: {DRIVEROPTS}");
            }
            other => {
                return Err(CliError::Usage(format!(
                    "{prog}: driveropts={other}: not supported by discburn (vendor options \
                     such as varirec=, gigarec=, audiomaster, forcespeed, singlesession, \
                     hidecdr, tattooinfo and layerbreak are not sent); supported: {DRIVEROPTS}"
                )))
            }
        }
    }
    Ok(r)
}

/// Runs the personality; `prog` is the name it was started under.
pub fn run(prog: &str, args: &[String]) -> Result<(), CliError> {
    let o = parse(prog, args)?;
    crate::init_logging(o.verbose);
    if o.help {
        outln!("Usage: {prog} [options]\nOptions: {ACCEPTED}");
        return Ok(());
    }
    if o.version {
        outln!("{}", version(prog));
        return Ok(());
    }
    if o.scanbus {
        let entries = transport::scan()?;
        if entries.is_empty() {
            return Err(CliError::Failed(format!("{prog}: No target found.")));
        }
        out!("{}", scanbus_text(&entries));
        return Ok(());
    }
    if o.reset {
        eprintln!(
            "{prog}: -reset: discburn does not reset the SCSI bus (the operating system's \
             driver resets a device that stops answering); nothing done"
        );
    }
    if o.abort {
        eprintln!(
            "{prog}: -abort: no abort sequence is sent: discburn finishes every track it \
             starts (an interrupted one is closed, or continued by `discburn add`); nothing done"
        );
    }
    if o.setdropts {
        // The options were checked by the parser; discburn sends them with each write
        // (page 05h BUFE), so there is nothing to keep in the drive.
        if o.verbose > 0 {
            eprintln!(
                "{prog}: driver options checked; they are set in the drive's write \
                 parameters at each write"
            );
        }
        return Ok(());
    }
    if o.load || o.lock {
        let spec = device::resolve(o.dev.as_deref())?;
        let mut drive = mmc::drive::Drive::new(device::open(&spec, o.scsi_verbose)?);
        drive
            .load()
            .map_err(|e| CliError::Failed(format!("{prog}: Cannot load media: {e}")))?;
        if o.lock {
            drive
                .lock(true)
                .map_err(|e| CliError::Failed(format!("{prog}: Cannot lock the tray: {e}")))?;
        }
        return Ok(());
    }
    if o.format {
        let global =
            crate::args::GlobalArgs::one(o.dev.clone(), o.scsi_verbose.saturating_add(1), false);
        crate::cmd::format::run(
            &global,
            &crate::args::FormatArgs {
                force: o.write.force,
            },
        )
        .map_err(|e| match e {
            CliError::Failed(m) => CliError::Failed(format!("{prog}: Cannot format disk: {m}")),
            e => e,
        })?;
    }
    if o.write.blank.is_some() || !o.write.tracks.is_empty() || o.write.cuefile.is_some() {
        write_track(prog, &o)?;
    }
    if o.fix {
        fix(prog, &o)?;
    }
    if o.format
        || o.fix
        || o.write.blank.is_some()
        || !o.write.tracks.is_empty()
        || o.write.cuefile.is_some()
    {
        return Ok(());
    }
    if o.reset || o.abort {
        return Ok(());
    }
    if o.write.eject
        && !(o.inq || o.checkdrive || o.prcap || o.atip || o.toc || o.minfo || o.msinfo)
    {
        let spec = device::resolve(o.dev.as_deref())?;
        let mut drive = mmc::drive::Drive::new(device::open(&spec, o.scsi_verbose)?);
        return drive
            .eject()
            .map_err(|e| CliError::Failed(format!("{prog}: Cannot eject: {e}")));
    }
    if !(o.inq || o.checkdrive || o.prcap || o.atip || o.toc || o.minfo || o.msinfo) {
        return Err(CliError::Usage(format!(
            "{prog}: nothing to do: give -scanbus, -inq, -checkdrive, -prcap, -atip, -toc, \
             -minfo, -msinfo, blank= or a track (an image file, or - for standard input)"
        )));
    }
    if o.msinfo && !(o.inq || o.checkdrive || o.prcap || o.atip || o.toc || o.minfo) {
        // Nothing but the numbers on stdout.
        let spec = device::resolve(o.dev.as_deref())?;
        let t = device::open(&spec, o.scsi_verbose)?;
        let mut drive = mmc::drive::Drive::new(t);
        return msinfo(prog, &mut drive, &spec.to_string());
    }
    if o.inq || o.checkdrive || o.prcap {
        inq(prog, &o)?;
    }
    let spec = device::resolve(o.dev.as_deref())?;
    let t = device::open(&spec, o.scsi_verbose)?;
    let mut drive = mmc::drive::Drive::new(t);
    let device = spec.to_string();
    if o.checkdrive || o.prcap {
        out!("{}", checkdrive_text(&mut drive));
    }
    if o.prcap {
        match drive.capabilities() {
            Ok(c) => out!("{}", crate::cmd::info::prcap_text(&c.page())),
            Err(e) => eprintln!("{prog}: Cannot read capabilities page 2A: {e}"),
        }
    }
    if o.atip {
        let r = crate::cmd::atip::collect(&mut drive, &device)
            .map_err(|e| CliError::Failed(format!("{prog}: Cannot read ATIP: {e}")))?;
        let mut out = Vec::new();
        crate::output::Report::write_text(&r, &mut out)?;
        out!("{}", String::from_utf8_lossy(&out));
    }
    if o.toc {
        let r = crate::cmd::toc::collect(&mut drive, &device)?;
        if r.blank {
            return Err(CliError::Failed(format!(
                "{prog}: Cannot read TOC/PMA (the disc is blank)"
            )));
        }
        out!("{}", toc_text(&r));
    }
    if o.minfo {
        let r = crate::cmd::media::collect(&mut drive, &device)?;
        out!("{}", minfo_text(&r));
    }
    if o.msinfo {
        msinfo(prog, &mut drive, &device)?;
    }
    Ok(())
}

/// `-version`: first the lines front ends test, as wodim prints them for that purpose
/// ("Cdrecord-yelling-line-to-tell-frontends-to-use-it-like-version", then `Wodim 1.1.11`;
/// Brasero's cdrtools plugin scans `Cdrecord-ProDVD-ProBD-Clone %d.%d`, K3b reads the
/// number after `Cdrecord`), then what the program is.
pub fn version(prog: &str) -> String {
    let first = if prog.ends_with("wodim") {
        "Cdrecord-yelling-line-to-tell-frontends-to-use-it-like-version 2.01.01a03-dvd \nWodim 1.1.11"
    } else {
        "Cdrecord-ProDVD-ProBD-Clone 3.02 (Linux)"
    };
    format!(
        "{first}\n{prog}: the cdrecord command line of discburn {} (the line above is for \
         front ends that check the version)",
        env!("CARGO_PKG_VERSION")
    )
}

/// `blank=` and track writing: blank first (as cdrecord does), then burn the track through
/// the same path as `discburn burn` (`cmd::burn::burn`).
fn write_track(prog: &str, o: &Options) -> Result<(), CliError> {
    use crate::cmd::burn::{self, BurnJob, Input};
    let w = &o.write;
    let named = |e: CliError| match e {
        CliError::Failed(m) => CliError::Failed(format!("{prog}: {m}")),
        e => e,
    };
    if let Some(b) = &w.blank {
        let kind = match b.as_str() {
            "fast" | "minimal" => mmc::cmd::blank_format::BlankType::Minimal,
            "all" | "disc" | "disk" => mmc::cmd::blank_format::BlankType::All,
            "session" => mmc::cmd::blank_format::BlankType::Session,
            "unclose" => mmc::cmd::blank_format::BlankType::UncloseSession,
            "help" => {
                outln!("Blanking options:\n\tall\t\tblank the entire disk\n\tfast\t\tminimally blank the entire disk\n\tsession\t\tblank last session\n\tunclose\t\tunclose last session");
                return Ok(());
            }
            other => {
                return Err(CliError::Usage(format!(
                    "{prog}: Bad blanking type: {other} (use blank=help)"
                )))
            }
        };
        let (_, mut drive) = burn::open_for_writing(o.dev.as_deref(), o.scsi_verbose, w.force)?;
        mmc::write::blank(&mut drive, kind).map_err(|e| {
            CliError::Failed(format!(
                "{prog}: Cannot blank disk: {}",
                crate::job::write_error(&e)
            ))
        })?;
    }
    if w.tracks.is_empty() && w.cuefile.is_none() {
        return Ok(());
    }
    let audio_options = w.text || w.textfile.is_some() || w.useinfo || w.mcn.is_some();
    let one_data = match w.tracks.as_slice() {
        [t] => !t.is_audio() && w.cuefile.is_none() && !audio_options,
        _ => false,
    };
    if !one_data {
        if w.xa {
            return Err(CliError::Usage(format!(
                "{prog}: -xa with audio or several tracks is not implemented (data tracks \
                 after audio are written as mode 1: give -data)"
            )));
        }
        if let Some(n) = w.gracetime.filter(|&n| n > 0) {
            grace(n);
        }
        return write_audio(prog, o).map_err(named);
    }
    let track = &w.tracks[0].file;
    if w.xa {
        eprintln!(
            "{prog}: -xa: the track is written as CD-ROM mode 1 (discburn writes no XA \
             sectors); its 2048-byte blocks, and the files on it, read the same"
        );
    }
    if w.nofix && !w.multi {
        eprintln!(
            "{prog}: -nofix: the session is closed but the disc is left appendable (as -multi), \
             so more can be written; \"{prog} -fix\" finalizes it"
        );
    }
    // -pad: 15 sectors of zeroes; padsize= replaces that amount (wodim(1)).
    let pad_bytes = match (w.padsize, w.pad) {
        (Some(n), _) => n.div_ceil(BLOCK) * BLOCK,
        (None, true) => 15 * BLOCK,
        (None, false) => 0,
    };
    if let Some(n) = w.gracetime.filter(|&n| n > 0) {
        grace(n);
    }
    let job = BurnJob {
        dev: o.dev.clone(),
        trace: o.scsi_verbose,
        input: if track == "-" {
            Input::Stdin
        } else {
            Input::File(track.into())
        },
        multi: w.multi || w.nofix,
        dummy: w.dummy,
        speed_x: w.speed,
        eject: w.eject,
        force: w.force,
        fifo_size: match &w.fs {
            Some(s) => burn::parse_size(s)? as usize,
            None => crate::job::DEFAULT_FIFO,
        },
        tsize: w.tsize.as_deref().map(burn::parse_size).transpose()?,
        mode: if w.sao {
            mmc::write::WriteMode::Sao
        } else if w.tao {
            mmc::write::WriteMode::Tao
        } else {
            mmc::write::WriteMode::Auto
        },
        bufe: w.burnfree.unwrap_or(true),
        verify: false,
        verify_md5: false,
        pad_bytes,
        wait_input: w.waiti,
        // cdrecord's own lines, with -v as in cdrecord.
        progress: crate::progress::Mode::Cdrecord,
        quiet: o.verbose == 0,
        ecc_percent: None,
    };
    let s = burn::burn(&job).map_err(|e| match e {
        CliError::Failed(m) if w.overburn && m.contains(" are free from block ") => {
            CliError::Failed(format!(
                "{prog}: {m} (-overburn: discburn writes no more than the free blocks the \
                 drive reports)"
            ))
        }
        e => named(e),
    })?;
    burn::print_summary(&s, false)
}

/// The lines cdrecord prints with `-v` once the drive is open, before writing: the track
/// list (`Track 01: data  300 MB        `, K3b reads the size up to `MB`), the write mode
/// (`Starting to write CD/DVD at speed  16.0 in real TAO mode for single session.`, K3b
/// reads the number after `at speed`) and `Starting new track at sector: N` (K3b starts
/// parsing progress after "Starting new").
pub fn preamble(
    drive: &mut crate::cmd::CliDrive,
    total: Option<u64>,
    job: &crate::cmd::burn::BurnJob,
) -> Result<(), CliError> {
    if let Some(t) = total {
        outln!("Track 01: data  {:4} MB        ", t >> 20);
    }
    let mode = if job.mode == mmc::write::WriteMode::Sao {
        "SAO"
    } else {
        "TAO"
    };
    let speed = job
        .speed_x
        .map(|x| format!(" at speed {x:5.1}"))
        .unwrap_or_default();
    outln!(
        "Starting to write CD/DVD{speed} in {} {mode} mode for {} session.",
        if job.dummy { "dummy" } else { "real" },
        if job.multi { "multi" } else { "single" }
    );
    let sector = match mmc::msinfo::msinfo(drive) {
        Ok(mmc::msinfo::Msinfo::Appendable { next_writable, .. }) => next_writable,
        _ => 0,
    };
    outln!("Starting new track at sector: {sector}");
    Ok(())
}

/// The block size of data tracks.
const BLOCK: u64 = mmc::drive::BLOCK as u64;

/// `gracetime=N`: cdrecord's countdown before the write starts.
fn grace(seconds: u32) {
    use std::io::Write;
    let mut out = std::io::stdout();
    let _ = write!(
        out,
        "Last chance to quit, starting real write in {seconds:4} seconds."
    );
    let _ = out.flush();
    for left in (0..seconds).rev() {
        std::thread::sleep(std::time::Duration::from_secs(1));
        let _ = write!(
            out,
            "\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08{left:4} seconds."
        );
        let _ = out.flush();
    }
    let _ = writeln!(out, " Operation starts.");
}

/// `-fix`: finalize the disc (with `-multi`: the sessions discburn writes are closed
/// already, nothing to do).
fn fix(prog: &str, o: &Options) -> Result<(), CliError> {
    if o.write.multi {
        if o.verbose > 0 {
            eprintln!("{prog}: -fix -multi: the last session is closed already; nothing to do");
        }
        return Ok(());
    }
    let (_, mut drive) =
        crate::cmd::burn::open_for_writing(o.dev.as_deref(), o.scsi_verbose, o.write.force)?;
    mmc::write::finalize(&mut drive)
        .map_err(|e| CliError::Failed(format!("{prog}: Cannot fixate disk: {e}")))
}

/// Audio and mixed tracks (`-audio`, `cuefile=`, WAVE files) through `cmd::audio`, with
/// cdrecord's checks and messages: an audio file that is not a whole number of 2352-byte
/// sectors or is under 4 s is refused unless `-pad` (`-shorttrack`) ("Bad audio track
/// size"); `cuefile=` only with `-dao` and no track files; raw audio is big-endian unless
/// `-swab` (cdrecord's default), WAVE files little-endian by their format.
fn write_audio(prog: &str, o: &Options) -> Result<(), CliError> {
    use crate::cmd::audio as ca;
    use mmc::audio::{source::Layout, Cue, Flags, Plan, PlanOptions, Text, TrackFile, TrackMode};
    let w = &o.write;
    let nothing = |e: mmc::audio::AudioError| CliError::Failed(format!("{e}; nothing was written"));
    let mut plan = if let Some(cue) = &w.cuefile {
        if !w.sao {
            return Err(CliError::Usage(format!(
                "{prog}: The cuefile= option only works with -dao (-sao)"
            )));
        }
        if !w.tracks.is_empty() {
            return Err(CliError::Usage(format!(
                "{prog}: No track files allowed with cuefile= (the cue file names them): {}",
                w.tracks[0].file
            )));
        }
        let cue = Cue::read(std::path::Path::new(cue)).map_err(nothing)?;
        Plan::from_cue(&cue, PlanOptions::default()).map_err(nothing)?
    } else {
        let mut files = Vec::new();
        let mut infos = Vec::new();
        let mut big = Vec::new();
        let mut wave = Vec::new();
        for (i, t) in w.tracks.iter().enumerate() {
            let n = i + 1;
            if t.file == "-" {
                return Err(CliError::Usage(format!(
                    "{prog}: track {n:02}: audio and mixed-mode tracks are read from files; \
                     standard input is not implemented for them"
                )));
            }
            let path = std::path::PathBuf::from(&t.file);
            let audio = t.is_audio();
            // a WAVE or Sun .au file's header says its byte order (-swab does not apply)
            let is_au = audio && mmc::audio::source::is_sun_au(&path);
            let is_wave = ca::is_wave(&path) || is_au;
            if audio
                && !is_au
                && path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("au"))
            {
                mmc::audio::source::Input::sun_au(&path).map_err(nothing)?;
            }
            let inf = if w.useinfo && audio {
                Some(ca::read_inf(&path)?)
            } else {
                None
            };
            let mut flags = Flags {
                copy: t.copy,
                preemphasis: t.preemp,
                four_channel: false,
                scms: t.scms,
            };
            let mut isrc = t.isrc.clone();
            let mut text = Text::default();
            if let Some(inf) = &inf {
                if let Some(p) = inf.preemphasis {
                    flags.preemphasis = p;
                }
                if let Some((c, scms)) = inf.copy {
                    flags.copy = c;
                    flags.scms = scms;
                }
                flags.four_channel = inf.four_channel;
                if isrc.is_none() {
                    isrc = inf.isrc.clone();
                }
                text = Text {
                    title: inf.title.clone(),
                    performer: inf.performer.clone(),
                    songwriter: inf.songwriter.clone(),
                };
                if inf.index0.is_some_and(|x| x >= 0) {
                    log::warn!(
                        "{}: Index0= (a pre-gap of the next track inside this one) is not \
                         written as index 0: those sectors stay part of this track",
                        ca::inf_path(&path).display()
                    );
                }
            }
            // cdrecord's check of the input size (checkfile()): before anything is written
            if audio {
                let bytes = if is_au {
                    mmc::audio::source::Input::sun_au(&path)
                        .map_err(nothing)?
                        .len
                } else if is_wave {
                    mmc::audio::source::Input::wave(&path).map_err(nothing)?.len
                } else {
                    std::fs::metadata(&path)
                        .map_err(|e| CliError::Failed(format!("{}: {e}", t.file)))?
                        .len()
                };
                let short = !t.shorttrack && bytes < 300 * 2352;
                let odd = bytes % 2352 != 0;
                if (short || odd) && !t.pad {
                    return Err(CliError::Failed(format!(
                        "Bad audio track size {bytes} for track {n:02}.\n{prog}: Audio tracks \
                         must be at least {} bytes and a multiple of 2352.\n{prog}: {}",
                        300 * 2352,
                        if short {
                            "See -shorttrack option."
                        } else {
                            "See -pad option."
                        }
                    )));
                }
            }
            let sector = if audio { 2352 } else { 2048 };
            let mut pad_sectors = t
                .padsize
                .map(|b| u32::try_from(b.div_ceil(sector)).unwrap_or(u32::MAX))
                .unwrap_or(0);
            if !audio && t.pad && t.padsize.is_none() {
                // -pad on a data track: 15 sectors of zeros (cdrecord's default padsize)
                pad_sectors = 15;
            }
            big.push(if is_wave {
                false
            } else {
                match inf.as_ref().and_then(|i| i.big_endian) {
                    Some(b) => b,
                    None => !t.swab,
                }
            });
            wave.push(is_wave);
            files.push(TrackFile {
                path,
                mode: if audio {
                    TrackMode::Audio
                } else {
                    TrackMode::Mode1
                },
                flags,
                isrc,
                text,
                pad_sectors,
            });
            infos.push(inf);
        }
        let mut plan = Plan::from_files(
            &files,
            PlanOptions {
                pad: true,
                swab: false,
            },
        )
        .map_err(nothing)?;
        for (i, inp) in plan.inputs.iter_mut().enumerate() {
            if files[i].mode == TrackMode::Audio && !wave[i] && big[i] {
                inp.layout = Layout::Swapped;
            }
        }
        for (i, t) in plan.tracks.iter_mut().enumerate() {
            let list = if !w.tracks[i].index.is_empty() {
                w.tracks[i].index.clone()
            } else {
                infos[i]
                    .as_ref()
                    .map(|f| f.indexes.clone())
                    .unwrap_or_default()
            };
            // index 1 is the track's start; 2, 3 ... follow
            t.indexes = list.into_iter().skip(1).filter(|&x| x > 0).collect();
        }
        if let Some(first) = infos.iter().flatten().next() {
            plan.mcn = first.mcn.clone();
            plan.text = Text {
                title: first.album_title.clone(),
                performer: first.album_performer.clone(),
                songwriter: first.album_songwriter.clone(),
            };
        }
        plan
    };
    if let Some(m) = &w.mcn {
        plan.mcn = Some(m.clone());
    }
    if let Some(tf) = &w.textfile {
        plan.cdtext_raw = Some(ca::read_textfile(std::path::Path::new(tf))?);
    }
    let text = w.text || w.textfile.is_some();
    if !text && plan.has_text() && w.cuefile.is_some() {
        log::info!("the cue file's CD-TEXT is not written without -text");
    }
    if text && !plan.has_text() {
        return Err(CliError::Failed(format!(
            "{prog}: -text: no CD-TEXT to write (give -useinfo with .inf files that hold \
             titles, a cue file with TITLE/PERFORMER, or textfile=)"
        )));
    }
    let shorttrack = w.tracks.iter().any(|t| t.shorttrack);
    if shorttrack && !w.sao {
        return Err(CliError::Usage(format!(
            "{prog}: -shorttrack only works with -sao/-dao (a track-at-once track lasts at \
             least 4 s)"
        )));
    }
    let job = ca::AudioJob {
        dev: o.dev.clone(),
        trace: o.scsi_verbose,
        force: w.force,
        eject: w.eject,
        opts: mmc::audio::AudioBurnOptions {
            sao: w.sao,
            dummy: w.dummy,
            multi: w.multi || w.nofix,
            text,
            shorttrack,
            swab: false,
            write_kbs: w.speed.map(|x| (x * 176.4).round().min(65_534.0) as u16),
        },
        quiet: o.verbose == 0 && !std::io::IsTerminal::is_terminal(&std::io::stderr()),
        // cdrecord does not read back what it wrote
        verify: false,
    };
    let s = ca::burn(&job, &mut plan)?;
    ca::print_summary(&s, false)
}

/// `-msinfo`: `a,b` on stdout, or cdrecord's failure message.
fn msinfo(prog: &str, drive: &mut crate::cmd::CliDrive, device: &str) -> Result<(), CliError> {
    let r = crate::cmd::msinfo::collect(drive, device)
        .map_err(|e| CliError::Failed(format!("{prog}: Cannot read session offset: {e}")))?;
    match (&r.text, r.state) {
        (Some(t), _) => {
            outln!("{t}");
            Ok(())
        }
        (None, "blank") => Err(CliError::Failed(format!(
            "{prog}: Cannot read session offset: blank disc, no previous session (write the \
             first session without -C/-M)"
        ))),
        (None, _) => Err(CliError::Failed(format!(
            "{prog}: Cannot read first writable address: {}",
            r.message.as_deref().unwrap_or(r.state)
        ))),
    }
}

/// `-checkdrive` lines after the INQUIRY block: profiles as wodim prints them and the
/// drive buffer.
pub fn checkdrive_text(drive: &mut crate::cmd::CliDrive) -> String {
    let mut s = String::new();
    if let Ok(p) = drive.current_profile() {
        s.push_str(&format!("Current: 0x{:04X} ({})\n", p.code(), p.name()));
    }
    if let Ok(list) = drive.profiles() {
        for e in list {
            s.push_str(&format!(
                "Profile: 0x{:04X} ({}) {}\n",
                e.profile.code(),
                e.profile.name(),
                if e.current { "(current)" } else { "" }
            ));
        }
    }
    let buf = drive
        .buffer_capacity()
        .map(|b| u64::from(b.size))
        .ok()
        .or_else(|| {
            drive
                .capabilities()
                .ok()
                .map(|c| u64::from(c.page().buffer_kib()) * 1024)
        });
    if let Some(b) = buf {
        s.push_str(&format!("Drive buf size : {b} = {} KB\n", b / 1024));
    }
    s
}

/// `-toc` lines (cdrecord's `print_toc`).
pub fn toc_text(r: &crate::cmd::toc::TocReport) -> String {
    let mut s = format!("first: {} last {}\n", r.first_track, r.last_track);
    for t in &r.tracks {
        if t.leadout {
            s.push_str("track:lout ");
        } else {
            s.push_str(&format!("track: {:3} ", t.number));
        }
        s.push_str(&format!(
            "lba: {:9} ({:9}) {} adr: {:X} control: {:X} mode: {}\n",
            t.lba,
            t.lba * 4,
            t.msf,
            t.adr,
            t.control,
            t.mode
        ));
    }
    s
}

/// `-minfo` report in cdrecord's layout.
pub fn minfo_text(r: &crate::cmd::media::MediaReport) -> String {
    let mut s = String::new();
    if let Some(p) = &r.profile {
        s.push_str(&format!("Mounted media class:      {}\n", p.class));
        s.push_str(&format!("Mounted media type:       {}\n", p.name));
    }
    if let Some(d) = &r.disc {
        s.push_str(&format!(
            "Disk Is {}erasable\n",
            if d.erasable { "" } else { "not " }
        ));
        s.push_str(&format!("disk status:              {}\n", d.status));
        s.push_str(&format!(
            "session status:           {}\n",
            d.last_session_state
        ));
        s.push_str(&format!("first track:              {}\n", d.first_track));
        s.push_str(&format!("number of sessions:       {}\n", d.sessions));
        s.push_str(&format!(
            "first track in last sess: {}\n",
            d.first_track_last_session
        ));
        s.push_str(&format!(
            "last track in last sess:  {}\n",
            d.last_track_last_session
        ));
        s.push_str(&format!(
            "Disk Is {}unrestricted\n",
            if d.unrestricted { "" } else { "not " }
        ));
        let class = r.profile.as_ref().map_or("CD", |p| p.class);
        let disk_type = match (class, d.disc_type) {
            ("CD", 0x10) => "CD-I",
            ("CD", 0x20) => "CD-ROM XA",
            ("CD", 0x00) => "CD-DA or CD-ROM",
            ("CD", _) => "unknown",
            _ => "DVD, HD-DVD or BD",
        };
        s.push_str(&format!("Disk type: {disk_type}\n"));
    }
    if !r.tracks.is_empty() {
        s.push_str("\nTrack  Sess Type   Start Addr End Addr   Size\n");
        s.push_str("==============================================\n");
        for t in &r.tracks {
            let kind = match t.kind {
                "data" => "Data",
                "audio" => "Audio",
                _ => "Blank",
            };
            let end = t.end.map(|e| e.to_string()).unwrap_or_else(|| "-".into());
            s.push_str(&format!(
                "{:5} {:5} {:<6} {:<10} {:<10} {}\n",
                t.number, t.session, kind, t.start, end, t.size
            ));
        }
    }
    s.push('\n');
    // As cdrecord's print of the track table: the last session starts with its first
    // recorded track, its lead-out follows the last recorded track, and the NWA and the
    // remaining size are the last track's when its NWA is valid.
    let recorded = r.tracks.iter().filter(|t| !t.blank);
    let last_sess = recorded.clone().map(|t| t.session).max();
    if let Some(first) = recorded.clone().find(|t| Some(t.session) == last_sess) {
        s.push_str(&format!(
            "Last session start address:         {}\n",
            first.start
        ));
    }
    if let Some(l) = recorded.clone().next_back() {
        s.push_str(&format!(
            "Last session leadout start address: {}\n",
            l.start.saturating_add(l.size)
        ));
    }
    if let Some(t) = r.tracks.last() {
        if let Some(nwa) = t.next_writable {
            s.push_str(&format!("Next writable address:              {nwa}\n"));
            s.push_str(&format!("Remaining writable size:            {}\n", t.size));
        }
    }
    s
}

fn inq(prog: &str, o: &Options) -> Result<(), CliError> {
    let spec = device::resolve(o.dev.as_deref())?;
    outln!("scsidev: '{spec}'");
    if let transport::DevSpec::Btl { bus, target, lun } = spec {
        outln!("scsibus: {bus} target: {target} lun: {lun}");
    }
    let mut t = device::open(&spec, o.scsi_verbose)?;
    let bytes = spc::inquiry(&mut *t, None)?;
    let d = InquiryData::new_checked(&bytes)
        .map_err(|e| CliError::Failed(format!("{prog}: {spec}: {e}")))?;
    out!("{}", inq_text(&d));
    Ok(())
}

/// cdrecord's `-inq` report lines for standard INQUIRY data.
pub fn inq_text(d: &InquiryData<'_>) -> String {
    format!(
        "Device type    : {}\nVersion        : {}\nResponse Format: {}\nCapabilities   : {}\n\
         Vendor_info    : '{}'\nIdentification : '{}'\nRevision       : '{}'\n",
        d.type_words(),
        d.version(),
        d.response_data_format(),
        d.capability_words().join(" "),
        d.vendor_padded(),
        d.product_padded(),
        d.revision_padded()
    )
}

/// The `-scanbus` listing of `entries`, in cdrecord's layout.
pub fn scanbus_text(entries: &[ScanEntry]) -> String {
    let mut buses: BTreeMap<u32, BTreeMap<u32, &ScanEntry>> = BTreeMap::new();
    for e in entries {
        let targets = buses.entry(e.bus).or_default();
        if e.lun == 0 {
            // The first entry wins when two channels give the same b,t,l, as in cdrecord.
            targets.entry(e.target).or_insert(e);
        }
    }
    let mut s = String::new();
    for (bus, targets) in &buses {
        s.push_str(&format!("scsibus{bus}:\n"));
        for target in 0..16u32 {
            let dev = targets.get(&target);
            if dev.is_none() && target > 7 {
                continue;
            }
            let btl = format!("{bus},{target},0");
            let sep = if btl.len() < 8 { '\t' } else { ' ' };
            let n = u64::from(*bus) * 100 + u64::from(target);
            s.push_str(&format!("\t{btl}{sep}{n:3}) "));
            match dev {
                None => s.push_str("*\n"),
                Some(e) => {
                    s.push_str(&format!(
                        "'{}' '{}' '{}' ",
                        e.vendor_padded, e.product_padded, e.revision_padded
                    ));
                    if e.non_ccs {
                        s.push_str("NON CCS ");
                    }
                    s.push_str(&e.type_words);
                    s.push('\n');
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use transport::scan::IdentitySource;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_cdrecord_syntax() {
        let o = parse("cdrecord", &args(&["dev=0,1,0", "-inq", "-vv", "-V"])).unwrap();
        assert_eq!(o.dev.as_deref(), Some("0,1,0"));
        assert!(o.inq && !o.scanbus);
        assert_eq!((o.verbose, o.scsi_verbose), (2, 1));
        let o = parse("wodim", &args(&["--scanbus", "-dev=/dev/sr0"])).unwrap();
        assert!(o.scanbus);
        assert_eq!(o.dev.as_deref(), Some("/dev/sr0"));
    }

    #[test]
    fn unknown_option_is_named() {
        let e = parse("cdrecord", &args(&["-scanbus", "-frobnicate"])).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let m = e.to_string();
        assert!(m.starts_with("cdrecord: Bad Option: -frobnicate"), "{m}");
        assert!(parse("cdrecord", &args(&["-raw96r", "a.wav"])).is_err());
    }

    #[test]
    fn parses_write_options() {
        let o = parse(
            "cdrecord",
            &args(&[
                "dev=emu:x",
                "-v",
                "-multi",
                "-tao",
                "-data",
                "speed=8",
                "-dummy",
                "-eject",
                "fs=16m",
                "tsize=1000s",
                "blank=fast",
                "-",
            ]),
        )
        .unwrap();
        let w = &o.write;
        assert!(w.multi && w.tao && w.dummy && w.eject && !w.sao);
        assert_eq!(w.speed, Some(8.0));
        assert_eq!(w.fs.as_deref(), Some("16m"));
        assert_eq!(w.tsize.as_deref(), Some("1000s"));
        assert_eq!(w.blank.as_deref(), Some("fast"));
        assert_eq!(w.tracks.len(), 1);
        assert_eq!(w.tracks[0].file, "-");
        assert!(!w.tracks[0].is_audio());
        let o = parse("wodim", &args(&["-sao", "image.iso"])).unwrap();
        assert!(o.write.sao);
        assert_eq!(o.write.tracks[0].file, "image.iso");
        assert!(parse("cdrecord", &args(&["speed=fast"])).is_err());
    }

    #[test]
    fn track_options_hold_until_changed() {
        let o = parse(
            "cdrecord",
            &args(&[
                "dev=emu:x",
                "-dao",
                "mcn=0600000123456",
                "-text",
                "a.wav",
                "-audio",
                "-pad",
                "-preemp",
                "isrc=US-DBR-26-00001",
                "index=0,225",
                "padsize=75s",
                "b.raw",
                "-swab",
                "-nopreemp",
                "c.cdr",
                "-data",
                "-nopad",
                "d.iso",
            ]),
        )
        .unwrap();
        let w = &o.write;
        assert!(w.sao && w.text);
        assert_eq!(w.mcn.as_deref(), Some("0600000123456"));
        let t = &w.tracks;
        assert_eq!(t.len(), 4);
        assert!(t[0].is_audio() && !t[0].pad && t[0].isrc.is_none());
        assert!(t[1].is_audio() && t[1].pad && t[1].preemp && !t[1].swab);
        assert_eq!(t[1].isrc.as_deref(), Some("USDBR2600001"));
        assert_eq!(t[1].index, vec![0, 225]);
        assert_eq!(t[1].padsize, Some(75 * 2048));
        // isrc=, index= and padsize= were for b.raw only
        assert!(t[2].is_audio() && t[2].swab && !t[2].preemp && t[2].pad);
        assert!(t[2].isrc.is_none() && t[2].index.is_empty() && t[2].padsize.is_none());
        assert!(!t[3].is_audio() && !t[3].pad);
        assert!(parse("cdrecord", &args(&["isrc=nonsense", "a.wav"])).is_err());
        assert!(parse("cdrecord", &args(&["mcn=123", "a.wav"])).is_err());
        assert!(parse("cdrecord", &args(&["index=5,10", "a.wav"])).is_err());
    }

    fn entry(bus: u32, target: u32, inq: &[u8]) -> ScanEntry {
        let d = InquiryData::new_checked(inq).unwrap();
        ScanEntry {
            bus,
            target,
            lun: 0,
            os_address: format!("{bus}:0:{target}:0"),
            sg_path: None,
            block_path: None,
            vendor: d.vendor(),
            product: d.product(),
            revision: d.revision(),
            vendor_padded: d.vendor_padded(),
            product_padded: d.product_padded(),
            revision_padded: d.revision_padded(),
            device_type: d.device_type(),
            removable: d.removable(),
            type_words: d.type_words(),
            non_ccs: d.is_non_ccs(),
            identity_from: IdentitySource::Inquiry,
        }
    }

    const QEMU_CD: &[u8] = b"\x05\x80\x05\x12\x1f\x00\x00\x12QEMU    QEMU CD-ROM     2.5+";
    const QEMU_HD: &[u8] = b"\x00\x00\x05\x12\x1f\x00\x00\x12QEMU    QEMU HARDDISK   2.5+";

    #[test]
    fn scanbus_layout_matches_cdrecord() {
        let v = vec![
            entry(0, 0, QEMU_CD),
            entry(0, 1, QEMU_HD),
            entry(12, 9, QEMU_CD),
        ];
        let text = scanbus_text(&v);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "scsibus0:");
        assert_eq!(
            lines[1],
            "\t0,0,0\t  0) 'QEMU    ' 'QEMU CD-ROM     ' '2.5+' Removable CD-ROM"
        );
        assert_eq!(
            lines[2],
            "\t0,1,0\t  1) 'QEMU    ' 'QEMU HARDDISK   ' '2.5+' Disk"
        );
        assert_eq!(lines[3], "\t0,2,0\t  2) *");
        assert_eq!(lines[8], "\t0,7,0\t  7) *");
        assert_eq!(lines[9], "scsibus12:");
        assert_eq!(lines[10], "\t12,0,0\t1200) *");
        // Target 9 is shown because a device is there; 8 is not.
        assert_eq!(
            lines[18],
            "\t12,9,0\t1209) 'QEMU    ' 'QEMU CD-ROM     ' '2.5+' Removable CD-ROM"
        );
        assert_eq!(lines.len(), 19);
        // A long address is followed by a space instead of a tab.
        let t = scanbus_text(&[entry(100, 10, QEMU_HD)]);
        assert!(t.contains("\t100,10,0 10010) 'QEMU    '"), "{t}");
    }

    #[test]
    fn inq_report_lines() {
        let d = InquiryData::new_checked(QEMU_CD).unwrap();
        let t = inq_text(&d);
        assert!(
            t.starts_with("Device type    : Removable CD-ROM\nVersion        : 5\n"),
            "{t}"
        );
        assert!(t.contains("Capabilities   : SYNC CMDQUEUE\n"), "{t}");
        assert!(t.contains("Vendor_info    : 'QEMU    '\n"), "{t}");
        assert!(t.contains("Identification : 'QEMU CD-ROM     '\n"), "{t}");
        assert!(t.contains("Revision       : '2.5+'\n"), "{t}");
    }
}
