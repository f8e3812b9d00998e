//! The `mkisofs` / `genisoimage` personality (also `discburn mkisofs ...`): mkisofs's
//! command-line syntax (single-dash long options) mapped onto the `isofs` builder.
//!
//! Accepted: `-o -R -r -J -joliet-long -iso-level -l -d -N -allow-lowercase
//! -allow-multidot -V -A -P/-publisher -p/-preparer -sysid -volset -copyright -abstract
//! -biblio -graft-points -path-list -x -m -exclude-list -f -hide -hide-joliet -hide-list
//! -hide-joliet-list -sort -print-size -quiet -v -C -M -b -c -no-emul-boot -hard-disk-boot
//! -no-boot -boot-load-size -boot-load-seg -boot-info-table -eltorito-alt-boot -e -pad
//! -no-pad -input-charset -output-charset`,
//! plus `-remove PATH` (a session may delete, mkisofs cannot) and `-reproducible`.
//! Also accepted, with genisoimage's meaning: `-D/-disable-deep-relocation -hide-rr-moved
//! -U/-untranslated-filenames -allow-leading-dots/-ldots/-L -relaxed-filenames
//! -no-iso-translate -max-iso9660-filenames -cache-inodes -no-cache-inodes
//! -T/-translation-table -table-name -hide-joliet-trans-tbl -old-exclude`, and the long
//! names xorriso's `-as mkisofs` scripts use (`-output -volid -appid -publisher -preparer
//! -full-iso9660-filenames -omit-period -omit-version-number -rock -rational-rock -joliet
//! -exclude -follow-links -eltorito-boot -eltorito-catalog -efi-boot -prev-session
//! -cdrecord-params`). Not accepted: xorriso's `-isohybrid-*`, `-partition_offset`,
//! `-append_partition`, `-G`, `--modification-date`, jigdo options.
//!
//! Hard links: with `-cache-inodes` (the default, as in genisoimage on Unix) names of one
//! file share one copy of the data and one Rock Ridge inode (PX nlink = the names in the
//! image); `-no-cache-inodes` gives every name its own copy and inode (nlink 1, where
//! genisoimage keeps the source's link count). `-D` leaves directories deeper than 8
//! levels in place (beyond ECMA-119's limit; a warning says so) instead of relocating
//! them into `rr_moved`; `-hide-rr-moved` names that directory `.rr_moved` (ISO 9660
//! `_RR_MOVE`); it is never in the Joliet tree, which holds every directory in place.
//! `-T` writes genisoimage's translation table (`TRANS.TBL`, see
//! [`isofs::build::trans_table_line`]) into every directory with ISO 9660 entries.
//! `-L` means `-allow-leading-dots`, as in genisoimage (cdrtools mkisofs 3 reads it as
//! "follow symbolic links"; use `-f` for that): a warning says so.
//! `SOURCE_DATE_EPOCH` fixes every date and makes the output reproducible.
//!
//! El Torito as in mkisofs: `-b` (or `-e`, UEFI platform) alone emulates a diskette chosen
//! by the image's size (1,228,800, 1,474,560 or 2,949,120 bytes; any other size is
//! refused), `-hard-disk-boot` a hard disk (the image's MBR must hold one partition),
//! `-no-emul-boot` loads `-boot-load-size` sectors (default: the whole image), `-no-boot`
//! marks the entry not bootable. Each `-eltorito-alt-boot` starts a new entry with its own
//! options. `-boot-load-size` is ignored for emulated entries (xorriso does the same;
//! genisoimage checks the diskette size against it).
//!
//! `-M` takes an image file (then `-C` is required, as in mkisofs) or a drive (`b,t,l`, a
//! device path, `emu:PATH`): then `-C` may be left out and is asked from the drive, the
//! way `cdrecord -msinfo` would answer; with a blank disc the first session is made.
//!
//! An unknown option is a usage error naming it.

use std::fs;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

use isofs::build::{BootImage, BootMode, BootOptions};
use isofs::names::Glob;
use isofs::wire::eltorito::Platform;
use isofs::{FileSource, Image, Options, RockRidge, ScanOptions, SectorSource, Timestamp, Tree};

use crate::error::CliError;

/// A parsed mkisofs command line.
#[derive(Debug, Clone, Default)]
pub struct Job {
    /// Image options.
    pub opts: Options,
    /// Scan options.
    pub scan: ScanOptions,
    /// Pathspecs, in order.
    pub paths: Vec<String>,
    /// `-graft-points`.
    pub graft_points: bool,
    /// `-o`; `None` writes to standard output.
    pub output: Option<PathBuf>,
    /// `-print-size`.
    pub print_size: bool,
    /// `-quiet`.
    pub quiet: bool,
    /// `-M`.
    pub previous: Option<String>,
    /// `-remove`.
    pub remove: Vec<String>,
    /// Whether `-C` was given.
    pub have_msinfo: bool,
    /// `-no-cache-inodes`: hard links are not recognised (every name is its own file).
    pub no_cache_inodes: bool,
}

fn usage(prog: &str, msg: impl std::fmt::Display) -> CliError {
    CliError::Usage(format!("{prog}: {msg}"))
}

fn read_lines(prog: &str, path: &str) -> Result<Vec<String>, CliError> {
    let f = fs::File::open(path).map_err(|e| CliError::Failed(format!("{prog}: {path}: {e}")))?;
    io::BufReader::new(f)
        .lines()
        .map(|l| l.map_err(|e| CliError::Failed(format!("{prog}: {path}: {e}"))))
        .filter(|l| l.as_ref().map_or(true, |s| !s.trim().is_empty()))
        .collect()
}

/// The El Torito entry that mkisofs's entry options (`-b -e -no-emul-boot -hard-disk-boot
/// -no-boot -boot-load-size -boot-load-seg -boot-info-table`) apply to: the current one, or
/// a new one when there is none (at first, and after `-eltorito-alt-boot`). A new entry
/// emulates a diskette, mkisofs's default, until `-no-emul-boot` or `-hard-disk-boot`.
fn boot_entry<'a>(boot: &'a mut Option<BootOptions>, cur: &mut Option<usize>) -> &'a mut BootImage {
    let b = boot.get_or_insert_with(BootOptions::default);
    let k = match *cur {
        Some(k) if k < b.images.len() => k,
        _ => {
            b.images.push(BootImage {
                mode: BootMode::Floppy,
                ..BootImage::default()
            });
            b.images.len() - 1
        }
    };
    *cur = Some(k);
    &mut b.images[k]
}

/// A number as C's `strtol(s, _, 0)` reads it (`0x` hex, leading `0` octal, else decimal),
/// as mkisofs parses `-boot-load-size` and `-boot-load-seg`; `None` unless it fits 16 bits.
fn c_number(s: &str) -> Option<u16> {
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    u16::from_str_radix(digits, radix).ok()
}

/// Parses mkisofs arguments (without the program name).
pub fn parse(prog: &str, args: &[String]) -> Result<Job, CliError> {
    let mut j = Job {
        opts: Options {
            iso_level: 1,
            ..Options::default()
        },
        ..Job::default()
    };
    let mut boot: Option<BootOptions> = None;
    let mut cur_boot: Option<usize> = None;
    let mut i = 0;
    let mut only_paths = false;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if only_paths || !a.starts_with('-') || a == "-" {
            j.paths.push(a.clone());
            continue;
        }
        if a == "--" {
            only_paths = true;
            continue;
        }
        let name = a.trim_start_matches('-');
        let mut val = |what: &str| -> Result<String, CliError> {
            let v = args
                .get(i)
                .cloned()
                .ok_or_else(|| usage(prog, format!("{what} needs an argument")))?;
            i += 1;
            Ok(v)
        };
        match name {
            "o" | "output" => j.output = Some(PathBuf::from(val(a)?)),
            "R" | "rock" => j.opts.rock_ridge = Some(RockRidge::Exact),
            "r" | "rational-rock" => j.opts.rock_ridge = Some(RockRidge::Rationalized),
            "J" | "joliet" => j.opts.joliet = true,
            "joliet-long" => {
                j.opts.joliet = true;
                j.opts.joliet_long = true;
            }
            "iso-level" => {
                let v = val(a)?;
                j.opts.iso_level = match v.as_str() {
                    "1" | "2" | "3" | "4" => v.parse().unwrap_or(1),
                    _ => return Err(usage(prog, format!("-iso-level {v}: must be 1, 2, 3 or 4"))),
                };
            }
            "l" | "full-iso9660-filenames" => j.opts.long_names = true,
            "d" | "omit-period" => j.opts.omit_period = true,
            "N" | "omit-version-number" => j.opts.omit_version = true,
            "allow-lowercase" => j.opts.allow_lowercase = true,
            "allow-multidot" => j.opts.allow_multidot = true,
            "allow-leading-dots" | "ldots" => j.opts.allow_leading_dots = true,
            "L" => {
                log::warn!(
                    "-L: taken as -allow-leading-dots, as genisoimage does (cdrtools mkisofs 3 \
                     means \"follow symbolic links\" by it: use -f for that)"
                );
                j.opts.allow_leading_dots = true;
            }
            "relaxed-filenames" => j.opts.relaxed_filenames = true,
            "no-iso-translate" => j.opts.no_iso_translate = true,
            "max-iso9660-filenames" => j.opts.max_iso_names = true,
            "U" | "untranslated-filenames" => {
                // genisoimage: -l -d -N -allow-leading-dots -relaxed-filenames
                // -allow-lowercase -allow-multidot (relaxed names keep # - ~ as well).
                j.opts.long_names = true;
                j.opts.omit_period = true;
                j.opts.omit_version = true;
                j.opts.allow_leading_dots = true;
                j.opts.relaxed_filenames = true;
                j.opts.allow_lowercase = true;
                j.opts.allow_multidot = true;
                j.opts.no_iso_translate = true;
            }
            "D" | "disable-deep-relocation" => j.opts.relocate_deep = false,
            "hide-rr-moved" => j.opts.rr_moved = ".rr_moved".into(),
            "cache-inodes" => j.no_cache_inodes = false,
            "no-cache-inodes" => j.no_cache_inodes = true,
            "T" | "translation-table" => {
                j.opts.trans_table.get_or_insert_with(|| "TRANS.TBL".into());
            }
            "table-name" => j.opts.trans_table = Some(val(a)?),
            "hide-joliet-trans-tbl" => j.opts.trans_table_hide_joliet = true,
            "V" | "volid" => j.opts.ids.volume = val(a)?,
            "A" | "appid" => j.opts.ids.application = val(a)?,
            "P" | "publisher" => j.opts.ids.publisher = val(a)?,
            "p" | "preparer" => j.opts.ids.preparer = val(a)?,
            "sysid" => j.opts.ids.system = val(a)?,
            "volset" => j.opts.ids.volume_set = val(a)?,
            "copyright" => j.opts.ids.copyright = val(a)?,
            "abstract" => j.opts.ids.abstract_file = val(a)?,
            "biblio" => j.opts.ids.biblio = val(a)?,
            "graft-points" => j.graft_points = true,
            "path-list" => {
                let f = val(a)?;
                j.paths.extend(read_lines(prog, &f)?);
            }
            "x" | "m" | "exclude" | "old-exclude" => j.scan.exclude.push(Glob(val(a)?)),
            "exclude-list" => {
                let f = val(a)?;
                j.scan
                    .exclude
                    .extend(read_lines(prog, &f)?.into_iter().map(Glob));
            }
            "f" | "follow-links" => j.scan.follow_links = true,
            "hide" => j.scan.hide.push(Glob(val(a)?)),
            "hide-joliet" => j.scan.hide_joliet.push(Glob(val(a)?)),
            "hide-list" => {
                let f = val(a)?;
                j.scan
                    .hide
                    .extend(read_lines(prog, &f)?.into_iter().map(Glob));
            }
            "hide-joliet-list" => {
                let f = val(a)?;
                j.scan
                    .hide_joliet
                    .extend(read_lines(prog, &f)?.into_iter().map(Glob));
            }
            "sort" => {
                let f = val(a)?;
                for line in read_lines(prog, &f)? {
                    let line = line.trim_end();
                    let (p, w) = line.rsplit_once(char::is_whitespace).ok_or_else(|| {
                        usage(
                            prog,
                            format!("-sort {f}: line {line:?} is not \"PATH WEIGHT\""),
                        )
                    })?;
                    let w: i32 = w
                        .parse()
                        .map_err(|_| usage(prog, format!("-sort {f}: bad weight in {line:?}")))?;
                    j.scan.sort.push((Glob(p.trim().to_string()), w));
                }
            }
            "print-size" => j.print_size = true,
            "quiet" => j.quiet = true,
            "v" | "verbose" | "gui" => {}
            "input-charset" | "output-charset" => {
                let v = val(a)?;
                if !v.eq_ignore_ascii_case("utf-8")
                    && !v.eq_ignore_ascii_case("utf8")
                    && v != "default"
                {
                    log::warn!("{a} {v}: names are taken as UTF-8");
                }
            }
            "C" | "cdrecord-params" => {
                let v = val(a)?;
                let (x, y) = v
                    .split_once(',')
                    .ok_or_else(|| usage(prog, format!("-C {v}: expected two numbers a,b")))?;
                let x: u32 = x
                    .trim()
                    .parse()
                    .map_err(|_| usage(prog, format!("-C {v}: bad number")))?;
                let y: u32 = y
                    .trim()
                    .parse()
                    .map_err(|_| usage(prog, format!("-C {v}: bad number")))?;
                j.opts.session = Some((x, y));
                j.have_msinfo = true;
            }
            "M" | "prev-session" => j.previous = Some(val(a)?),
            "remove" => j.remove.push(val(a)?),
            "reproducible" => j.opts.reproducible = true,
            "pad" => j.opts.pad_blocks = 150,
            "no-pad" => j.opts.pad_blocks = 0,
            "c" | "eltorito-catalog" => {
                boot.get_or_insert_with(BootOptions::default).catalog = val(a)?;
            }
            // Entry options apply to the current boot entry; the first of them after
            // -eltorito-alt-boot (or at all) starts a new one, as in mkisofs.
            "b" | "eltorito-boot" => boot_entry(&mut boot, &mut cur_boot).path = val(a)?,
            "e" | "efi-boot" => {
                let path = val(a)?;
                let e = boot_entry(&mut boot, &mut cur_boot);
                e.path = path;
                e.platform = Platform::Efi;
            }
            "eltorito-alt-boot" => cur_boot = None,
            "no-emul-boot" => boot_entry(&mut boot, &mut cur_boot).mode = BootMode::NoEmulation,
            "hard-disk-boot" => boot_entry(&mut boot, &mut cur_boot).mode = BootMode::HardDisk,
            "no-boot" => boot_entry(&mut boot, &mut cur_boot).bootable = false,
            "boot-load-size" => {
                let v = val(a)?;
                let n = c_number(&v)
                    .ok_or_else(|| usage(prog, format!("-boot-load-size {v}: bad number")))?;
                boot_entry(&mut boot, &mut cur_boot).load_size = Some(n);
            }
            "boot-load-seg" => {
                let v = val(a)?;
                let n = c_number(&v)
                    .ok_or_else(|| usage(prog, format!("-boot-load-seg {v}: bad segment")))?;
                boot_entry(&mut boot, &mut cur_boot).load_segment = n;
            }
            "boot-info-table" => boot_entry(&mut boot, &mut cur_boot).info_table = true,
            _ => return Err(usage(prog, format!("unknown option {a}"))),
        }
    }
    if let Some(mut b) = boot {
        if let Some(k) = b.images.iter().position(|x| x.path.is_empty()) {
            return Err(usage(
                prog,
                format!("boot entry {} has no boot image: give it -b or -e", k + 1),
            ));
        }
        if b.catalog.is_empty() {
            b.catalog = "boot.catalog".into();
        }
        j.opts.boot = Some(b);
    }
    if let Ok(s) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = s.trim().parse().map_err(|_| {
            usage(
                prog,
                format!("SOURCE_DATE_EPOCH={s} is not a number of seconds"),
            )
        })?;
        j.opts.date = Some(Timestamp::from_secs(secs));
        j.opts.reproducible = true;
    } else if j.opts.reproducible {
        j.opts.date = Some(Timestamp::from_secs(0));
    }
    if j.paths.is_empty() && j.previous.is_none() && j.remove.is_empty() {
        return Err(usage(prog, "no pathspec given"));
    }
    if j.previous.is_some() && !j.have_msinfo && j.print_size {
        // Allowed: -C is asked from the drive.
    }
    Ok(j)
}

/// Splits a pathspec at an unescaped '=' into (image path, source).
pub fn graft(spec: &str) -> (String, String) {
    let b = spec.as_bytes();
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'\\' {
            k += 2;
            continue;
        }
        if b[k] == b'=' {
            let dest = spec[..k].replace("\\=", "=");
            return (
                if dest.starts_with('/') {
                    dest
                } else {
                    format!("/{dest}")
                },
                spec[k + 1..].replace("\\=", "="),
            );
        }
        k += 1;
    }
    ("/".to_string(), spec.to_string())
}

/// Where `-M` reads the previous session from.
enum Previous {
    File(FileSource),
    Drive(Box<crate::cmd::CliDrive>),
}

impl SectorSource for Previous {
    fn read_sectors(&mut self, lba: u32, buf: &mut [u8]) -> io::Result<()> {
        match self {
            Previous::File(f) => f.read_sectors(lba, buf),
            Previous::Drive(d) => d.read_sectors(lba, buf),
        }
    }
    fn sector_count(&mut self) -> io::Result<Option<u64>> {
        match self {
            Previous::File(f) => f.sector_count(),
            Previous::Drive(d) => d.sector_count(),
        }
    }
}

fn open_previous(prog: &str, m: &str, job: &mut Job) -> Result<Option<(Previous, u32)>, CliError> {
    let fail = |e: String| CliError::Failed(format!("{prog}: -M {m}: {e}"));
    let is_file = fs::metadata(m).map(|md| md.is_file()).unwrap_or(false);
    if is_file {
        let Some((last, _)) = job.opts.session else {
            return Err(usage(
                prog,
                format!("-M {m} (an image file) needs -C last,next"),
            ));
        };
        let f = FileSource::open(Path::new(m)).map_err(|e| fail(e.to_string()))?;
        return Ok(Some((Previous::File(f), last)));
    }
    let spec = crate::device::resolve(Some(m))?;
    let t = crate::device::open(&spec, 0)?;
    let mut drive = mmc::drive::Drive::new(t);
    if job.opts.session.is_none() {
        match mmc::msinfo::msinfo(&mut drive).map_err(|e| fail(format!("msinfo: {e}")))? {
            mmc::msinfo::Msinfo::Blank => {
                log::info!("{m}: blank disc, making the first session");
                return Ok(None);
            }
            mmc::msinfo::Msinfo::Appendable {
                last_session_start,
                next_writable,
            } => {
                log::info!("{m}: -C {last_session_start},{next_writable} from the drive");
                job.opts.session = Some((last_session_start, next_writable));
            }
        }
    }
    let last = job.opts.session.map_or(0, |s| s.0);
    Ok(Some((Previous::Drive(Box::new(drive)), last)))
}

/// Builds the image a parsed job describes (previous session imported, removals and sources
/// applied).
pub fn build(prog: &str, mut job: Job) -> Result<(Job, Image), CliError> {
    let fail = |e: String| CliError::Failed(format!("{prog}: {e}"));
    let mut tree = Tree::new();
    let mut prev = match job.previous.clone() {
        Some(m) => open_previous(prog, &m, &mut job)?,
        None => None,
    };
    if let Some((src, last)) = prev.as_mut() {
        isofs::merge::import(&mut tree, &mut *src, *last)
            .map_err(|e| fail(format!("reading the previous session at block {last}: {e}")))?;
    }
    for r in &job.remove {
        let p = format!("/{}", r.trim_matches('/'));
        if !tree.remove_path(&p) {
            return Err(fail(format!("-remove {r}: not in the previous session")));
        }
    }
    for p in &job.paths {
        let (dest, src) = if job.graft_points {
            graft(p)
        } else {
            ("/".to_string(), p.clone())
        };
        tree.add_source(&dest, Path::new(&src), &job.scan)
            .map_err(|e| fail(e.to_string()))?;
    }
    if job.no_cache_inodes {
        for id in 0..tree.len() {
            tree.node_mut(id as isofs::tree::NodeId).meta.link = 0;
        }
    }
    if job.opts.iso_level < 4 && dir_depth(&tree, Tree::ROOT) > 8 {
        if job.opts.rock_ridge.is_none() {
            log::warn!(
                "directories deeper than 8 levels stay in place: without Rock Ridge (-R, -r) \
                 they cannot be relocated (genisoimage leaves them out); the image does not \
                 conform to ISO 9660 (-iso-level 4 allows them)"
            );
        } else if !job.opts.relocate_deep {
            log::warn!(
                "-D: directories deeper than 8 levels stay in place; the image does not \
                 conform to ISO 9660 (use -iso-level 4, or leave -D out to relocate them)"
            );
        }
    }
    let previous: Option<&mut dyn SectorSource> =
        prev.as_mut().map(|(s, _)| s as &mut dyn SectorSource);
    let image = Image::new(tree, job.opts.clone(), previous).map_err(|e| fail(e.to_string()))?;
    Ok((job, image))
}

/// Levels of directories from `dir` down (ECMA-119 §6.8.2.1 counts the root as 1),
/// hidden ones included.
fn dir_depth(tree: &Tree, dir: isofs::tree::NodeId) -> u32 {
    let mut max = 1;
    let mut stack = vec![(dir, 1u32)];
    while let Some((d, depth)) = stack.pop() {
        max = max.max(depth);
        for &c in tree.children(d) {
            if matches!(tree.node(c).kind, isofs::tree::Kind::Dir(_)) && !tree.node(c).dead {
                stack.push((c, depth + 1));
            }
        }
    }
    max
}

/// Runs the mkisofs personality.
pub fn run(prog: &str, args: &[String]) -> Result<(), CliError> {
    let job = parse(prog, args)?;
    let (job, image) = build(prog, job)?;
    if job.print_size {
        if !job.quiet {
            eprintln!(
                "Total extents scheduled to be written = {}",
                image.size_blocks()
            );
        }
        outln!("{}", image.size_blocks());
        return Ok(());
    }
    let fail = |e: String| CliError::Failed(format!("{prog}: {e}"));
    match &job.output {
        Some(p) => {
            let f = fs::File::create(p).map_err(|e| fail(format!("{}: {e}", p.display())))?;
            // File to file: large files are copied by the kernel (copy_file_range).
            image.write_to_file(&f).map_err(|e| fail(e.to_string()))?;
        }
        None => {
            let out = io::stdout();
            let mut w = io::BufWriter::with_capacity(1 << 20, out.lock());
            image.write_to(&mut w).map_err(|e| fail(e.to_string()))?;
            w.flush().map_err(|e| fail(e.to_string()))?;
        }
    }
    if !job.quiet {
        eprintln!(
            "{} extents written ({} MB)",
            image.size_blocks(),
            (u64::from(image.size_blocks()) * 2048) >> 20
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(a: &[&str]) -> Result<Job, CliError> {
        parse(
            "mkisofs",
            &a.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn options() {
        let j = p(&[
            "-R",
            "-J",
            "-iso-level",
            "3",
            "-V",
            "VOL",
            "-o",
            "x.iso",
            "-C",
            "0,11400",
            "-M",
            "x",
            "dir",
        ])
        .unwrap();
        assert_eq!(j.opts.rock_ridge, Some(RockRidge::Exact));
        assert!(j.opts.joliet);
        assert_eq!(j.opts.iso_level, 3);
        assert_eq!(j.opts.ids.volume, "VOL");
        assert_eq!(j.opts.session, Some((0, 11400)));
        assert_eq!(j.paths, ["dir"]);
        let e = p(&["-frobnicate", "dir"]).unwrap_err();
        assert!(e.to_string().contains("unknown option -frobnicate"), "{e}");
        let j = p(&[
            "-b",
            "isolinux/isolinux.bin",
            "-c",
            "isolinux/boot.cat",
            "-no-emul-boot",
            "-boot-load-size",
            "4",
            "-boot-info-table",
            "-eltorito-alt-boot",
            "-e",
            "efi.img",
            "-no-emul-boot",
            "d",
        ])
        .unwrap();
        let b = j.opts.boot.unwrap();
        assert_eq!(b.images.len(), 2);
        assert_eq!(b.images[0].load_size, Some(4));
        assert!(b.images[0].info_table);
        assert_eq!(b.images[1].platform, Platform::Efi);
        assert_eq!(graft("a/b=src"), ("/a/b".to_string(), "src".to_string()));
        assert_eq!(graft("x\\=y=z"), ("/x=y".to_string(), "z".to_string()));
    }

    /// mkisofs's per-entry El Torito options: floppy emulation by default, options before
    /// `-b` belong to its entry, `-b` twice in one entry replaces the image.
    #[test]
    fn boot_entry_options() {
        let j = p(&[
            "-b",
            "a.img",
            "-b",
            "f.img",
            "-eltorito-alt-boot",
            "-hard-disk-boot",
            "-b",
            "hd.img",
            "-eltorito-alt-boot",
            "-no-emul-boot",
            "-no-boot",
            "-boot-load-seg",
            "0x1000",
            "-boot-load-size",
            "010",
            "-e",
            "efi.img",
            "d",
        ])
        .unwrap();
        let b = j.opts.boot.unwrap();
        let got: Vec<_> = b
            .images
            .iter()
            .map(|x| {
                (
                    x.path.as_str(),
                    x.mode,
                    x.bootable,
                    x.load_segment,
                    x.load_size,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("f.img", BootMode::Floppy, true, 0, None),
                ("hd.img", BootMode::HardDisk, true, 0, None),
                ("efi.img", BootMode::NoEmulation, false, 0x1000, Some(8)),
            ]
        );
        assert_eq!(b.images[2].platform, Platform::Efi);
        let e = p(&["-b", "a.img", "-eltorito-alt-boot", "-no-emul-boot", "d"]).unwrap_err();
        assert!(
            e.to_string().contains("boot entry 2 has no boot image"),
            "{e}"
        );
        let e = p(&["-b", "a", "-boot-load-seg", "0x10000", "d"]).unwrap_err();
        assert!(e.to_string().contains("-boot-load-seg 0x10000"), "{e}");
    }
}
