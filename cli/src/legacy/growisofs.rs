//! The `growisofs` personality (dvd+rw-tools' growisofs.c command line): `-Z DEV [mkisofs
//! options] PATHS` writes a first session, `-Z DEV=IMAGE` an image (`/dev/fd/0`,
//! `/proc/self/fd/0` or `-`: standard input; also `-M DEV=IMAGE` with `-C a,b`, as K3b gives
//! an image its mkisofs made for the disc, checked against the drive's msinfo), `-M DEV
//! [mkisofs options] PATHS` a further
//! session with the previous one imported (mkisofs -C/-M from the drive, as growisofs runs
//! mkisofs). The session is built by the mkisofs personality's builder and written through
//! `cmd::burn` (MMC-6 §4.2 ff.), so DVD±R, DVD-RW, DVD+RW, BD-R and BD-RE (and CD) work
//! alike; `DEV` may be `emu:PATH`.
//!
//! growisofs options: `-dvd-compat` (close the disc), `-speed=N`, `-overburn` (accepted:
//! no more than the free blocks are written), `-dry-run` (print what would run, write
//! nothing), `-poor-man` (accepted), `-use-the-force-luke=LIST` with `dao` (session at
//! once), `tty` (write over an ISO 9660 file system at the start, which growisofs refuses
//! without a terminal), `notray`, `noload`, `4gms`, `wrvfy` (accepted), `dummy` (test
//! write), `bufsize=N`/`bufsize:N` (the FIFO), `tracksize:N` (blocks on standard input),
//! `spare=`/`spare:` (accepted: discburn formats BD-RE with the drive's default spare
//! area), and `seek=N`/`seek:N` (growisofs.c's `next_session`, in 2 KiB blocks, a multiple of 16,
//! `strtol` syntax; in force only when given before `-Z`, ignored after it or with `-M`, as
//! there): `-use-the-force-luke=seek=N -Z DEV=IMAGE` writes the image's bytes at block N of
//! a DVD+RW or BD-RE and nothing else (growisofs's `builtin_dd ... seek=N/16`, which copies
//! no volume descriptors to block 16 for an image); on write-once media only the next
//! writable address can be written, so another N ends with growisofs's exit status for
//! the drive's INVALID ADDRESS FOR WRITE (22, EINVAL) before anything is sent. With mkisofs
//! options instead of an image it is refused (growisofs would write a volume built for
//! block 0 at N).
//!
//! `-Z DEV=/dev/zero` (Brasero's blank of DVD+RW: `-use-the-force-luke=tty`, `-speed=N`,
//! `-use-the-force-luke=tracksize:1024`) writes zeros from block 0 (or seek=N), so that
//! the volume descriptors at 16 are gone and the medium reads as blank; growisofs writes
//! them until the end of the medium or until it is stopped (Brasero sends SIGTERM after
//! 64 KiB), here they end after tracksize blocks when given, else at the end of the medium.
//! `-M DEV=/dev/zero` (growisofs's filling up of a write-once disc) is refused.
//!
//! As growisofs (growisofs.c, `FATAL_START(e)` = 0x80|errno): a disc without room exits
//! 156 (ENOSPC) after `:-( DEV: N blocks are free, M to be written!`; `-M` on a closed disc
//! 252 (EMEDIUMTYPE) after `:-( media is not appendable`; `-Z` over an ISO 9660 file system
//! 144 (EBUSY) after `FATAL: DEV already carries isofs!` unless `-use-the-force-luke=tty`;
//! bad options 150 (EINVAL). Progress lines are growisofs's, on standard output
//! (`    1234567/4700000000 ( 0.0%) @0.0x, remaining ??:?? RBU 100.0% UBU  0.0%`).

use std::path::PathBuf;

use crate::cmd::burn::{self, BurnJob, Input};
use crate::error::CliError;
use crate::progress::Mode;

/// growisofs.c's `FATAL_START(e)`.
const fn fatal(errno: i32) -> i32 {
    0x80 | errno
}
const EBUSY: i32 = 16;
const EINVAL: i32 = 22;
const ENOSPC: i32 = 28;
const EMEDIUMTYPE: i32 = 124;

/// A parsed growisofs command line.
#[derive(Debug, Default, PartialEq)]
pub struct Options {
    /// `-Z` (true) or `-M` (false).
    pub zero: bool,
    /// The device.
    pub dev: String,
    /// `-Z DEV=IMAGE`: the image (None: build one from the mkisofs options).
    pub image: Option<String>,
    /// The mkisofs options and paths.
    pub mkisofs: Vec<String>,
    /// `-dvd-compat`.
    pub dvd_compat: bool,
    /// `-speed=N`.
    pub speed: Option<f64>,
    /// `-overburn`.
    pub overburn: bool,
    /// `-dry-run`.
    pub dry_run: bool,
    /// `dao`.
    pub dao: bool,
    /// `tty`.
    pub tty: bool,
    /// `dummy`.
    pub dummy: bool,
    /// `bufsize=`.
    pub bufsize: Option<u64>,
    /// `tracksize:` in blocks.
    pub tracksize: Option<u64>,
    /// `-version`.
    pub version: bool,
    /// `-C a,b`: the msinfo an `-M DEV=IMAGE` image was made for.
    pub msinfo: Option<String>,
    /// `seek=N` given before `-Z`/`-M`: the block the image goes to (growisofs's
    /// `next_session`).
    pub seek: Option<u32>,
    /// `seek=` given after `-Z`/`-M`, which growisofs ignores (it sets `next_session` only
    /// while that is still undefined).
    pub seek_ignored: bool,
}

fn bad(prog: &str, msg: String) -> CliError {
    CliError::Exit(fatal(EINVAL), format!("{prog}: {msg}"))
}

/// Parses growisofs's arguments (without the program name).
pub fn parse(prog: &str, args: &[String]) -> Result<Options, CliError> {
    let mut o = Options::default();
    let mut dev = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        // growisofs takes --opt for -opt.
        let opt = a
            .strip_prefix('-')
            .map(|s| s.strip_prefix('-').unwrap_or(s));
        match opt {
            Some(z @ ("Z" | "M")) => {
                let d = args
                    .get(i)
                    .ok_or_else(|| bad(prog, format!("-{z} needs a device")))?;
                i += 1;
                dev = Some((z == "Z", d.clone()));
            }
            Some(s) if (s.starts_with('Z') || s.starts_with('M')) && s.len() > 1 => {
                dev = Some((s.starts_with('Z'), s[1..].to_string()));
            }
            // K3b: "-C a,b -M DEV=/dev/fd/0" for an image its own mkisofs made with -C.
            Some("C") => {
                let v = args
                    .get(i)
                    .ok_or_else(|| bad(prog, "-C needs last_session,next_writable".into()))?;
                i += 1;
                o.msinfo = Some(v.clone());
            }
            Some("dvd-compat") => o.dvd_compat = true,
            Some("overburn") => o.overburn = true,
            Some("poor-man") => {}
            Some("dry-run") => o.dry_run = true,
            Some("version") | Some("help") => o.version = true,
            Some(s) if s.starts_with("speed") => {
                let v = match s.strip_prefix("speed=") {
                    Some(v) => v.to_string(),
                    None => {
                        i += 1;
                        args.get(i - 1).cloned().unwrap_or_default()
                    }
                };
                match v.parse::<f64>() {
                    Ok(x) if x > 0.0 => o.speed = Some(x),
                    _ => return Err(bad(prog, format!("-speed={v}: insane speed factor."))),
                }
            }
            Some(s) if s.starts_with("use-the-force-luke") => {
                let list = s.strip_prefix("use-the-force-luke").unwrap_or("");
                let list = list.strip_prefix('=').unwrap_or(list);
                force_luke(prog, list, dev.is_some(), &mut o)?;
            }
            Some(s) if s.starts_with('o') && !s.contains('-') => {
                return Err(bad(
                    prog,
                    format!("-o[utput] option is not permitted ({a})"),
                ));
            }
            _ => o.mkisofs.push(a.clone()),
        }
    }
    let Some((zero, d)) = dev else {
        if o.version {
            return Ok(o);
        }
        return Err(bad(
            prog,
            "previous \"session\" device is not specified, do use -M or -Z option".into(),
        ));
    };
    o.zero = zero;
    // DEV=IMAGE. An emulated drive's options are key=value pairs after commas, so there
    // the image follows an '=' beyond them: one '=' more than there are commas.
    let split = if d.starts_with("emu:") {
        (d.matches('=').count() > d.matches(',').count())
            .then(|| d.rsplit_once('='))
            .flatten()
    } else {
        d.split_once('=')
    };
    match split {
        Some((dv, img)) => {
            o.dev = dv.to_string();
            o.image = Some(img.to_string());
            if !o.mkisofs.is_empty() {
                return Err(bad(
                    prog,
                    format!(
                        "no mkisofs options are permitted with =, {:?} given",
                        o.mkisofs
                    ),
                ));
            }
        }
        None => o.dev = d,
    }
    if o.image.is_none() && o.mkisofs.is_empty() {
        return Err(bad(prog, "no mkisofs options specified".into()));
    }
    Ok(o)
}

/// `-use-the-force-luke=LIST`; `dev_seen`: a `-Z`/`-M` came before it.
fn force_luke(prog: &str, list: &str, dev_seen: bool, o: &mut Options) -> Result<(), CliError> {
    for w in list.split(',').filter(|w| !w.is_empty()) {
        let (key, val) = match w.find([':', '=']) {
            Some(p) => (&w[..p], Some(&w[p + 1..])),
            None => (w, None),
        };
        let size = |v: Option<&str>| -> Result<u64, CliError> {
            let v = v.unwrap_or("");
            burn::parse_size(v).map_err(|_| bad(prog, format!(":-( insane {key} option {v:?}")))
        };
        match key {
            "dao" => {
                o.dao = true;
                if let Some(v) = val {
                    o.tracksize = Some(size(Some(v))?);
                }
            }
            "tty" => o.tty = true,
            "dummy" => o.dummy = true,
            "notray" | "noload" | "4gms" | "wrvfy" | "moi" | "noopc" | "break" | "spare" => {}
            "bufsize" => o.bufsize = Some(size(val)?),
            "tracksize" => o.tracksize = Some(size(val)?),
            // growisofs.c: `next_session=strtol(o+5,0,0)`, refused when negative or not a
            // multiple of 16 (blocks: its 32 KiB unit), and only while no -Z/-M has set it.
            "seek" => match val {
                Some(_) if dev_seen => o.seek_ignored = true,
                Some(v) => {
                    let sep = &w[4..5];
                    let n = strtol(v);
                    if n < 0 || n % 16 != 0 || n > i64::from(u32::MAX) {
                        return Err(bad(prog, format!(":-( insane seek{sep}{n} option")));
                    }
                    o.seek = Some(n as u32);
                }
                None => {}
            },
            other => {
                return Err(bad(
                    prog,
                    format!("-use-the-force-luke={other}: not known to this growisofs personality"),
                ))
            }
        }
    }
    Ok(())
}

/// C's `strtol(s, 0, 0)`: leading blanks, a sign, `0x` hexadecimal or `0` octal, digits up
/// to the first that is not one (none: 0); saturating.
fn strtol(s: &str) -> i64 {
    let t = s.trim_start();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, h)
    } else if t.starts_with('0') {
        (8, t)
    } else {
        (10, t)
    };
    let mut n: i64 = 0;
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else { break };
        n = n
            .saturating_mul(i64::from(radix))
            .saturating_add(i64::from(d));
    }
    if neg {
        -n
    } else {
        n
    }
}

/// growisofs's `-version` line, in the form Brasero's check scans (`* %*s by
/// <appro@fy.chalmers.se>, version %d.%d,`), then what runs.
pub fn version(prog: &str) -> String {
    format!(
        "* growisofs by <appro@fy.chalmers.se>, version 7.1,\n  command line emulated by \
         {prog} (discburn {}), which builds the session itself",
        env!("CARGO_PKG_VERSION")
    )
}

/// Runs the personality.
pub fn run(prog: &str, args: &[String]) -> Result<(), CliError> {
    let o = parse(prog, args)?;
    crate::init_logging(0);
    if o.version {
        outln!("{}", version(prog));
        return Ok(());
    }
    if o.seek_ignored {
        eprintln!(
            "{prog}: -use-the-force-luke=seek after -Z/-M is ignored, as growisofs ignores it \
             there (give it before -Z)"
        );
    }
    let zero_image = o.image.as_deref() == Some("/dev/zero");
    if zero_image && !o.zero {
        return Err(bad(
            prog,
            "-M DEV=/dev/zero (growisofs's filling up of a write-once disc, which closes it) is \
             not implemented by discburn; nothing was written"
                .into(),
        ));
    }
    // The image's place: growisofs's next_session for -Z (seek=, else 0).
    let seek = if o.zero { o.seek.unwrap_or(0) } else { 0 };
    if o.zero && o.image.is_none() && seek > 0 {
        // growisofs passes mkisofs no -C here: the volume it writes at N is built for block
        // 0, and the descriptors it then copies to block 16 name extents near block 0,
        // which hold whatever was there before.
        return Err(bad(
            prog,
            format!(
                "-use-the-force-luke=seek={seek} with mkisofs options: growisofs would write a \
                 volume built for block 0 at block {seek}, which no reader finds whole; give \
                 -Z DEV=IMAGE (an image made with mkisofs -C 0,{seek}, or any data) or use -M"
            ),
        ));
    }
    let spec = crate::device::resolve(Some(&o.dev))?;
    let probe = probe(&spec)?;
    if !o.zero && probe.state == "closed" {
        return Err(CliError::Exit(
            fatal(EMEDIUMTYPE),
            ":-( media is not appendable".into(),
        ));
    }
    // What growisofs runs, as its "Executing '...'" line (Brasero marks the job dangerous
    // on it): builtin_dd writes in 32 KiB units, seek= counts them.
    let at = if o.zero { seek } else { probe.next_writable };
    let what = match &o.image {
        Some(img) => format!("builtin_dd if={img} of={} obs=32k seek={}", o.dev, at / 16),
        None => format!(
            "mkisofs {} | builtin_dd of={} obs=32k seek={}",
            o.mkisofs.join(" "),
            o.dev,
            at / 16
        ),
    };
    if o.zero && probe.isofs_at_start {
        if !(o.tty || std::io::IsTerminal::is_terminal(&std::io::stdin())) || !probe.overwritable {
            let why = if probe.overwritable {
                ""
            } else {
                " (its sessions can only be added to: use -M)"
            };
            return Err(CliError::Exit(
                fatal(EBUSY),
                format!("FATAL: {} already carries isofs!{why}", o.dev),
            ));
        }
        eprintln!("WARNING: {} already carries isofs!", o.dev);
        outln!("About to execute '{what}'");
    } else {
        outln!("Executing '{what}'");
    }
    if let (Some(c), false) = (&o.msinfo, o.zero) {
        let t = crate::device::open(&spec, 0)?;
        let mut drive = mmc::drive::Drive::new(t);
        let r = crate::cmd::msinfo::collect(&mut drive, &o.dev)?;
        let norm = |s: &str| s.split(',').map(str::trim).collect::<Vec<_>>().join(",");
        if r.text.as_deref().map(norm) != Some(norm(c)) {
            return Err(bad(
                prog,
                format!(
                    "-C argument is {c}, but the disc's is {}.",
                    r.text.as_deref().unwrap_or(r.state)
                ),
            ));
        }
    }
    if o.mkisofs
        .iter()
        .any(|a| a == "-print-size" || a == "--print-size")
    {
        // Sizing (Brasero: "-dry-run" with mkisofs's -print-size): mkisofs's count, on
        // stderr as "Total extents scheduled to be written = N" and on stdout.
        let mut args = o.mkisofs.clone();
        if !o.zero {
            args.splice(0..0, ["-M".to_string(), o.dev.clone()]);
        }
        return crate::legacy::mkisofs::run("mkisofs", &args);
    }
    if o.dry_run {
        return Ok(());
    }
    // -Z DEV=/dev/zero: zeros from the place on. growisofs reads /dev/zero until a write
    // fails at the end of the medium (tracksize: only sets the size its progress shows),
    // unless it is stopped first: Brasero's blank sends SIGTERM once 64 KiB are written.
    // Here the zeros end at tracksize: when given (Brasero's 1024 blocks, more than the
    // 64 KiB Brasero waits for), else at the end of the medium.
    let tracksize = match (zero_image, o.tracksize) {
        (true, None) => Some(probe.capacity.saturating_sub(u64::from(seek))),
        (_, t) => t,
    };
    // The place the library is told: seek=N (N > 0), and /dev/zero always (zeros are no
    // volume whose descriptors could be copied to block 16, and none are: the medium reads
    // as blank afterwards).
    let place = (zero_image || seek > 0).then_some(seek);
    // The input: the image, or one the mkisofs builder makes (in a temporary file that is
    // removed afterwards, so that the drive the previous session is read from is closed
    // before it is written).
    let mut temp: Option<PathBuf> = None;
    let input = match &o.image {
        Some(i) if matches!(i.as_str(), "/dev/fd/0" | "/proc/self/fd/0" | "-") => Input::Stdin,
        Some(i) => Input::File(i.into()),
        None => {
            let p = build_session(prog, &o)?;
            temp = Some(p.clone());
            Input::File(p)
        }
    };
    let job = BurnJob {
        dev: Some(o.dev.clone()),
        trace: 0,
        input,
        multi: !o.dvd_compat,
        dummy: o.dummy,
        speed_x: o.speed,
        eject: false,
        force: o.zero && o.tty,
        fifo_size: match o.bufsize {
            Some(b) => b as usize,
            None => crate::job::DEFAULT_FIFO,
        },
        tsize: tracksize.map(|b| b * 2048),
        mode: if o.dao {
            mmc::write::WriteMode::Sao
        } else {
            mmc::write::WriteMode::Auto
        },
        bufe: true,
        verify: false,
        verify_md5: false,
        pad_bytes: 0,
        wait_input: false,
        progress: Mode::Growisofs,
        quiet: false,
        ecc_percent: None,
    };
    let r = burn::burn_placed(&job, place);
    if let Some(t) = temp {
        let _ = std::fs::remove_file(t);
    }
    match r {
        Ok(s) => {
            eprintln!(
                "{}: {} session",
                o.dev,
                if s.appendable {
                    "closing"
                } else {
                    "closing disc after the"
                }
            );
            Ok(())
        }
        Err(CliError::Failed(m)) if m.contains(" are free from block ") => {
            Err(CliError::Exit(fatal(ENOSPC), no_space(&o.dev, &m)))
        }
        // growisofs sends the WRITE and the drive refuses it: sperror's line, then
        // ":-( write failed", exit status errno (EINVAL from ASC 21h/ASCQ 02h,
        // transport.hxx CREAM_ON_ERRNO), not FATAL_START. Here the drive is not asked.
        Err(CliError::Failed(m)) if m.contains("INVALID ADDRESS FOR WRITE") => Err(CliError::Exit(
            EINVAL,
            format!(
                ":-( {}: WRITE@LBA={seek:x}h not sent: {m}\n:-( write failed: Invalid argument",
                o.dev
            ),
        )),
        Err(e) => Err(e),
    }
}

/// growisofs's words for a session that does not fit, from the library's message
/// ("the session needs N blocks ... but only M blocks ... are free").
fn no_space(dev: &str, m: &str) -> String {
    let number_after = |key: &str| {
        m.split(key)
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|w| w.parse::<u64>().ok())
    };
    match (number_after("only "), number_after("needs ")) {
        (Some(f), Some(n)) => format!(":-( {dev}: {f} blocks are free, {n} to be written! ({m})"),
        _ => format!(":-( {dev}: {m}"),
    }
}

/// What [`probe`] finds.
struct Probe {
    /// msinfo's word for the disc's state.
    state: &'static str,
    /// Blocks 16.. hold an ISO 9660 volume descriptor (growisofs's `warn_for_isofs`).
    isofs_at_start: bool,
    /// The medium is overwritable.
    overwritable: bool,
    /// Where a -M session goes (0 when blank).
    next_writable: u32,
    /// The blocks a -Z may fill: READ CAPACITY on overwritable media, else the next
    /// writable address plus the free blocks of the last track (READ TRACK INFORMATION).
    capacity: u64,
}

/// Looks at the disc before anything is written.
fn probe(spec: &transport::DevSpec) -> Result<Probe, CliError> {
    let t = crate::device::open(spec, 0)?;
    let mut drive = mmc::drive::Drive::new(t);
    let r = crate::cmd::msinfo::collect(&mut drive, &spec.to_string())?;
    let overwritable = drive
        .current_profile()
        .map(|p| p.overwritable())
        .unwrap_or(false);
    let mut b = vec![0u8; mmc::drive::BLOCK];
    let isofs = r.state != "blank" && drive.read_blocks(16, &mut b).is_ok() && &b[1..6] == b"CD001";
    let capacity = if overwritable {
        drive
            .read_capacity()
            .map_or(0, |(last, _)| u64::from(last) + 1)
    } else {
        drive
            .disc_info()
            .ok()
            .map(|d| u32::from(d.view().last_track_last_session()))
            .and_then(|t| {
                drive
                    .track_info(mmc::cmd::track_info::TrackAddress::Track(t))
                    .ok()
            })
            .map_or(0, |ti| {
                let v = ti.view();
                u64::from(v.nwa().unwrap_or(0)) + u64::from(v.free_blocks())
            })
    };
    Ok(Probe {
        state: r.state,
        isofs_at_start: isofs,
        overwritable,
        next_writable: r.next_writable.unwrap_or(0),
        capacity,
    })
}

/// Builds the session the mkisofs options describe into a temporary file: with `-M`, for
/// the drive's next writable address with its last session imported.
fn build_session(prog: &str, o: &Options) -> Result<PathBuf, CliError> {
    let mut args = o.mkisofs.clone();
    if !o.zero {
        args.insert(0, o.dev.clone());
        args.insert(0, "-M".into());
    }
    let mut job = crate::legacy::mkisofs::parse("mkisofs", &args)?;
    let path = std::env::temp_dir().join(format!(
        "discburn-growisofs-{}-{}.iso",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    job.output = Some(path.clone());
    job.quiet = true;
    let r = crate::legacy::mkisofs::run_parsed("mkisofs", job);
    if let Err(e) = r {
        let _ = std::fs::remove_file(&path);
        return Err(match e {
            CliError::Failed(m) => CliError::Failed(format!("{prog}: {m}")),
            e => e,
        });
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(a: &[&str]) -> Result<Options, CliError> {
        parse(
            "growisofs",
            &a.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn parses_growisofs_lines() {
        let o = p(&["-Z", "/dev/sr0", "-R", "-J", "dir"]).unwrap();
        assert!(o.zero && o.image.is_none());
        assert_eq!(o.mkisofs, ["-R", "-J", "dir"]);
        let o = p(&["-dvd-compat", "-Z", "/dev/sr0=img.iso", "-speed=4"]).unwrap();
        assert_eq!(
            (o.dev.as_str(), o.image.as_deref()),
            ("/dev/sr0", Some("img.iso"))
        );
        assert!(o.dvd_compat);
        assert_eq!(o.speed, Some(4.0));
        let o = p(&["-Z", "emu:/x/d.img,profile=dvd+r=/dev/fd/0"]).unwrap();
        assert_eq!(o.dev, "emu:/x/d.img,profile=dvd+r");
        assert_eq!(o.image.as_deref(), Some("/dev/fd/0"));
        let o = p(&["-Z", "emu:/x/d.img,profile=dvd+r", "-R", "d"]).unwrap();
        assert_eq!(o.dev, "emu:/x/d.img,profile=dvd+r");
        let o = p(&[
            "-use-the-force-luke=notray",
            "-use-the-force-luke=dao",
            "-use-the-force-luke=4gms",
            "-use-the-force-luke=tty,bufsize:32m,tracksize:100",
            "-M",
            "/dev/sr0",
            "-r",
            "d",
        ])
        .unwrap();
        assert!(!o.zero && o.dao && o.tty);
        assert_eq!((o.bufsize, o.tracksize), (Some(32 << 20), Some(100)));
        // seek: before -Z in force (strtol: 0x20 is 32), after it ignored, as growisofs.c.
        let o = p(&["-use-the-force-luke=seek=0x20", "-Z", "/dev/sr0=a.iso"]).unwrap();
        assert_eq!((o.seek, o.seek_ignored), (Some(32), false));
        let o = p(&["-Z", "/dev/sr0=a.iso", "-use-the-force-luke=seek:48"]).unwrap();
        assert_eq!((o.seek, o.seek_ignored), (None, true));
        let o = p(&["-C", "0,2000", "-M", "/dev/sr0=/dev/fd/0"]).unwrap();
        assert!(!o.zero);
        assert_eq!(o.msinfo.as_deref(), Some("0,2000"));
        assert_eq!(o.image.as_deref(), Some("/dev/fd/0"));
        for bad in [
            &["-Z", "/dev/sr0"][..],
            &["-R", "d"],
            &["-Z", "/dev/sr0=a.iso", "-R"],
            &["-use-the-force-luke=seek=10", "-M", "/dev/sr0", "d"],
            &["-use-the-force-luke=seek:-16", "-Z", "/dev/sr0=a.iso"],
            &["-speed=0", "-Z", "/dev/sr0", "d"],
        ] {
            let e = p(bad).unwrap_err();
            assert_eq!(e.exit_code(), 150, "{bad:?}: {e}");
        }
    }
}
