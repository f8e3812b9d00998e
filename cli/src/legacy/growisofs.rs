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
//! area), and `seek=N` (refused: discburn chooses the session's place).
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
                force_luke(prog, list, &mut o)?;
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

/// `-use-the-force-luke=LIST`.
fn force_luke(prog: &str, list: &str, o: &mut Options) -> Result<(), CliError> {
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
            "seek" => {
                return Err(bad(
                    prog,
                    format!(
                        "-use-the-force-luke={w}: not supported by discburn, which places the \
                         session after the last one itself (use -M)"
                    ),
                ))
            }
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
    // What growisofs would run, as its "Executing '...'" line (Brasero marks the job
    // dangerous on it).
    let what = match &o.image {
        Some(img) => format!("builtin_dd if={img} of={}", o.dev),
        None => format!("mkisofs {} | builtin_dd of={}", o.mkisofs.join(" "), o.dev),
    };
    let spec = crate::device::resolve(Some(&o.dev))?;
    let (state, isofs_at_start, overwritable) = probe(&spec)?;
    if !o.zero && state == "closed" {
        return Err(CliError::Exit(
            fatal(EMEDIUMTYPE),
            ":-( media is not appendable".into(),
        ));
    }
    if o.zero && isofs_at_start {
        if !(o.tty || std::io::IsTerminal::is_terminal(&std::io::stdin())) || !overwritable {
            let why = if overwritable {
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
        tsize: o.tracksize.map(|b| b * 2048),
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
    let r = burn::burn(&job);
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

/// The disc's state (msinfo's word), whether blocks 16.. of the -Z start hold an ISO 9660
/// volume descriptor, and whether the medium is overwritable.
fn probe(spec: &transport::DevSpec) -> Result<(&'static str, bool, bool), CliError> {
    let t = crate::device::open(spec, 0)?;
    let mut drive = mmc::drive::Drive::new(t);
    let r = crate::cmd::msinfo::collect(&mut drive, &spec.to_string())?;
    let overwritable = drive
        .current_profile()
        .map(|p| p.overwritable())
        .unwrap_or(false);
    let mut b = vec![0u8; mmc::drive::BLOCK];
    let isofs = r.state != "blank" && drive.read_blocks(16, &mut b).is_ok() && &b[1..6] == b"CD001";
    Ok((r.state, isofs, overwritable))
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
        let o = p(&["-C", "0,2000", "-M", "/dev/sr0=/dev/fd/0"]).unwrap();
        assert!(!o.zero);
        assert_eq!(o.msinfo.as_deref(), Some("0,2000"));
        assert_eq!(o.image.as_deref(), Some("/dev/fd/0"));
        for bad in [
            &["-Z", "/dev/sr0"][..],
            &["-R", "d"],
            &["-Z", "/dev/sr0=a.iso", "-R"],
            &["-use-the-force-luke=seek=10", "-M", "/dev/sr0", "d"],
            &["-speed=0", "-Z", "/dev/sr0", "d"],
        ] {
            let e = p(bad).unwrap_err();
            assert_eq!(e.exit_code(), 150, "{bad:?}: {e}");
        }
    }
}
