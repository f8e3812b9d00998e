//! The `mkisofs` / `genisoimage` personality (also `discburn mkisofs ...`): mkisofs's
//! command-line syntax (single-dash long options) mapped onto the `isofs` builder.
//!
//! Accepted: `-o -R -r -J -joliet-long -iso-level -l -d -N -allow-lowercase
//! -allow-multidot -V -A -P/-publisher -p/-preparer -sysid -volset -copyright -abstract
//! -biblio -graft-points -path-list -x -m -exclude-list -f -hide -hide-joliet -hide-list
//! -hide-joliet-list -sort -print-size -quiet -v -C -M -b -c -no-emul-boot -hard-disk-boot
//! -no-boot -boot-load-size -boot-load-seg -boot-info-table -eltorito-alt-boot -e -pad
//! -no-pad -input-charset -output-charset`,
//! plus `-remove PATH` (a session may delete, mkisofs cannot), `-reproducible` and
//! `-rewrite-dirs` (with `-M`, every directory written anew instead of reusing the
//! previous session's unchanged ones).
//! Front ends' options: `-gui`, `-allow-limited-size` (nothing to allow: big files get
//! several extents), `-volset-size 1` and `-volset-seqno 1` (larger volume sets are
//! refused, as by genisoimage), `-version` in the form Brasero and K3b scan; `-udf` and
//! `-dvd-video` are refused (no UDF bridge).
//! Also accepted, with genisoimage's meaning: `-D/-disable-deep-relocation -hide-rr-moved
//! -U/-untranslated-filenames -allow-leading-dots/-ldots/-L -relaxed-filenames
//! -no-iso-translate -max-iso9660-filenames -cache-inodes -no-cache-inodes
//! -T/-translation-table -table-name -hide-joliet-trans-tbl -old-exclude`, and the long
//! names xorriso's `-as mkisofs` scripts use (`-output -volid -appid -publisher -preparer
//! -full-iso9660-filenames -omit-period -omit-version-number -rock -rational-rock -joliet
//! -exclude -follow-links -eltorito-boot -eltorito-catalog -efi-boot -prev-session
//! -cdrecord-params`), and xorriso's system area options (`-isohybrid-mbr`,
//! `-partition_offset`, `-append_partition`, `-G`, `--modification-date`, ...; see
//! [`isofs::build::SystemArea`]). Not accepted: jigdo, zisofs, HFS+ and non-PC boot
//! options (refused by name, with the reason).
//!
//! genisoimage's `-hidden GLOB` / `-hidden-list FILE` set the existence bit (ECMA-119
//! §9.1.6) in the ISO 9660 and Joliet records of matching names; `-new-dir-mode` sets the
//! permissions of directories only a graft point or `-root` names (0555 by default in the
//! mkisofs personality, as genisoimage documents, 0755 in the xorrisofs one, as xorriso).
//! `-root DIR` puts every pathspec's target under DIR; `-old-root DIR` (with `-M`) does
//! what xorrisofs does: the previous session's DIR is copied to `-root`, then each
//! pathspec's target is made equal to its source (changed files replaced, new ones added,
//! vanished ones removed); files whose contents did not change keep their old extents.
//! genisoimage refuses an `-old-root` missing from the previous session, xorriso goes on
//! (the personalities do the same). `-joliet-utf16` writes Joliet names in UTF-16
//! (surrogate pairs beyond the BMP); without it such characters become '_' (UCS-2), as in
//! xorriso and genisoimage. `-log-file FILE` sends every message to FILE (truncated), as
//! xorrisofs does; standard error only says so. Deep directories: the xorrisofs
//! personality has `-D` by default, as xorrisofs has, and relocates only with
//! `-rr_reloc_dir NAME` or `-hide-rr-moved` (an explicit `-D` wins); the mkisofs one
//! relocates unless `-D`, as genisoimage.
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
//! A later session writes the previous session's system area blocks unchanged as its own
//! (as xorriso does; a hybrid image's MBR and GPT survive a tool that copies the session's
//! first 64 KiB to block 0); system area options there are refused (the partition tables
//! describe the medium from block 0). The xorrisofs personality keeps the previous
//! session's volume id unless `-V` is given, as xorriso does; the mkisofs one writes its
//! default, as genisoimage -M does.
//!
//! An unknown option is a usage error naming it.

use std::fs;
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};

use isofs::build::{Appended, BootImage, BootMode, BootOptions, CylAlign, MbrKind};
use isofs::names::Glob;
use isofs::wire::eltorito::Platform;
use isofs::wire::parttab::Guid;
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
    /// `--sort-weight N PATH`: weight of a file or of every file under a directory.
    pub sort_weights: Vec<(i32, String)>,
    /// `-uid`, `-gid`: owner of every file in the image.
    pub uid: Option<u32>,
    /// `-gid`.
    pub gid: Option<u32>,
    /// `-file-mode`: permission bits of every non-directory.
    pub file_mode: Option<u32>,
    /// `-dir-mode`: permission bits of every directory.
    pub dir_mode: Option<u32>,
    /// `-new-dir-mode`: permission bits of directories only a graft point names
    /// (genisoimage; default 0555 there, 0755 in the xorrisofs personality, as xorriso).
    pub new_dir_mode: Option<u32>,
    /// `-root DIR`: the image directory every pathspec's target is under.
    pub root: Option<String>,
    /// `-old-root DIR`: with `-M`, the previous session's directory the `-root` tree is
    /// updated from (xorrisofs: copied to `-root`, then each pathspec's target made equal
    /// to its source; unchanged files keep their extents).
    pub old_root: Option<String>,
    /// `-log-file FILE` (taken before parsing, see [`run_xorrisofs`]).
    pub log_file: Option<String>,
    /// Started as xorrisofs / `xorriso -as mkisofs`: xorriso's behaviour where it differs
    /// from genisoimage's.
    pub xorriso: bool,
    /// `-V` was given (else xorrisofs -M, and `add`, keep the previous volume id).
    pub volume_given: bool,
    /// `-D` was given.
    pub no_relocation_given: bool,
    /// `-rr_reloc_dir` or `-hide-rr-moved` was given: xorrisofs relocates deep
    /// directories only then (it has -D set by default; an explicit -D wins).
    pub relocation_asked: bool,
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

/// `--modification-date=YYYYMMDDhhmmsscc` (UTC): the date and the 16-character string
/// xorriso also keeps as the volume's "uuid".
fn modification_date(d: &str) -> Option<(Timestamp, String)> {
    if d.len() != 16 || !d.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| d[r].parse::<u32>().ok();
    let (y, mo, da) = (n(0..4)?, n(4..6)?, n(6..8)?);
    let (h, mi, s) = (n(8..10)?, n(10..12)?, n(12..14)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&da) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let days = isofs::wire::days_from_civil(i64::from(y), mo, da);
    let secs = days * 86_400 + i64::from(h * 3600 + mi * 60 + s);
    Some((Timestamp::from_secs(secs), d.to_string()))
}

/// A partition type byte as xorriso takes it: `0xNN` hexadecimal.
fn parse_type_byte(s: &str) -> Option<u8> {
    let h = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
    u8::from_str_radix(h, 16).ok()
}

/// xorriso options discburn refuses by name, with the reason.
fn refused(name: &str) -> Option<&'static str> {
    Some(match name {
        "isohybrid-gpt-hfsplus" | "isohybrid-apm-hfsplus" | "appended_part_as_apm" => {
            "Apple partition maps and HFS+ are not written"
        }
        "part_like_isohybrid" => "partition entries without -isohybrid-mbr are not written",
        "chrp-boot-part" | "chrp-boot" | "prep-boot-part" | "mips-boot" | "mipsel-boot" | "B"
        | "sparc-boot" | "sparc-label" | "hppa-cmdline" | "hppa-kernel-32" | "hppa-kernel-64"
        | "hppa-bootloader" | "hppa-ramdisk" | "hppa-hdrversion" | "alpha-boot"
        | "grub2-sparc-core" => "only PC-BIOS and UEFI boot is supported",
        "jigdo-jigdo"
        | "jigdo-template"
        | "jigdo-min-file-size"
        | "jigdo-force-checksum"
        | "jigdo-force-md5"
        | "jigdo-exclude"
        | "jigdo-map"
        | "checksum-list"
        | "md5-list"
        | "jigdo-checksum-algorithm"
        | "jigdo-template-compress"
        | "checksum_algorithm_iso"
        | "checksum_algorithm_template" => "jigdo output is not written",
        "z"
        | "transparent-compression"
        | "zisofs-version-2"
        | "zisofs2-susp-z2"
        | "zisofs2-susp-zf" => "zisofs compression is not written",
        "eltorito-id" | "eltorito-selcrit" | "eltorito-platform" => {
            "El Torito section headers with ID strings or platforms other than those of -b \
             and -e are not written"
        }
        "set_all_file_dates"
        | "application_use"
        | "no-emul-toc"
        | "emul-toc"
        | "old-empty"
        | "stdio_sync"
        | "sort-weight-list"
        | "sort-weight-patterns"
        | "hfsplus-serial-no"
        | "hfsplus-block-size" => "this xorriso option is not implemented",
        _ => return None,
    })
}

/// The HFS+ options grub-mkrescue passes and the number of arguments each takes.
fn hfsplus_arity(name: &str) -> Option<usize> {
    Some(match name {
        "hfsplus" => 0,
        "apm-block-size" | "hfs-bless" => 1,
        "hfs-bless-by" => 2,
        "hfsplus-file-creator-type" => 3,
        _ => return None,
    })
}

/// Parses mkisofs arguments (without the program name).
pub fn parse(prog: &str, args: &[String]) -> Result<Job, CliError> {
    let mut j = Job {
        opts: Options {
            iso_level: 1,
            // Joliet's UCS-2, as genisoimage and xorriso write it unless -joliet-utf16.
            joliet_utf16: false,
            ..Options::default()
        },
        ..Job::default()
    };
    let mut boot: Option<BootOptions> = None;
    let mut hide_catalog = false;
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
        if let Some(d) = name.strip_prefix("modification-date=") {
            let (t, u) = modification_date(d)
                .ok_or_else(|| usage(prog, format!("{a}: expected YYYYMMDDhhmmsscc")))?;
            j.opts.date = Some(t);
            j.opts.system_area.volume_uuid = Some(u);
            continue;
        }
        if let Some(r) = refused(name) {
            return Err(usage(prog, format!("{a}: not supported by discburn: {r}")));
        }
        if let Some(n) = hfsplus_arity(name) {
            // grub-mkrescue asks for an HFS+ tree for Intel Macs whenever it builds for
            // EFI; discburn writes no HFS+.
            if std::env::var("DISCBURN_HFSPLUS").as_deref() != Ok("omit") {
                return Err(usage(
                    prog,
                    format!(
                        "{a}: HFS+ (for booting Intel Macs by Apple's firmware) is not supported \
                         by discburn; set DISCBURN_HFSPLUS=omit to build the image without it \
                         (the -hfsplus options are then skipped with a warning)"
                    ),
                ));
            }
            let mut skipped = vec![a.clone()];
            for _ in 0..n {
                skipped.push(val(a)?);
            }
            log::warn!(
                "{}: skipped (DISCBURN_HFSPLUS=omit): the image has no HFS+ tree and no Apple \
                 partition map",
                skipped.join(" ")
            );
            continue;
        }
        match name {
            "o" | "output" => j.output = Some(PathBuf::from(val(a)?)),
            "R" | "rock" => j.opts.rock_ridge = Some(RockRidge::Exact),
            "r" | "rational-rock" => j.opts.rock_ridge = Some(RockRidge::Rationalized),
            "J" | "joliet" => j.opts.joliet = true,
            "joliet-long" => {
                j.opts.joliet = true;
                j.opts.joliet_long = true;
            }
            // xorrisofs: UTF-16 names (surrogate pairs beyond the BMP); it does not turn
            // Joliet on by itself.
            "joliet-utf16" => j.opts.joliet_utf16 = true,
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
            "D" | "disable-deep-relocation" => {
                j.opts.relocate_deep = false;
                j.no_relocation_given = true;
            }
            "hide-rr-moved" => {
                j.opts.rr_moved = ".rr_moved".into();
                j.relocation_asked = true;
            }
            "cache-inodes" => j.no_cache_inodes = false,
            "no-cache-inodes" => j.no_cache_inodes = true,
            "T" | "translation-table" => {
                j.opts.trans_table.get_or_insert_with(|| "TRANS.TBL".into());
            }
            "table-name" => j.opts.trans_table = Some(val(a)?),
            "hide-joliet-trans-tbl" => j.opts.trans_table_hide_joliet = true,
            "V" | "volid" => {
                j.opts.ids.volume = val(a)?;
                j.volume_given = true;
            }
            "A" | "appid" => j.opts.ids.application = val(a)?,
            "P" | "publisher" => j.opts.ids.publisher = val(a)?,
            "p" | "preparer" => j.opts.ids.preparer = val(a)?,
            "sysid" => j.opts.ids.system = val(a)?,
            "volset" => j.opts.ids.volume_set = val(a)?,
            // ECMA-119 §8.4.15-16: a volume set of one volume, as genisoimage writes (it
            // refuses a set size above 1, and so does discburn).
            "volset-size" | "volset-seqno" => {
                let v = val(a)?;
                match v.trim().parse::<u32>() {
                    Ok(1) => {}
                    Ok(n) if n > 1 => {
                        return Err(usage(
                            prog,
                            format!(
                                "{a} {v}: volume sets of more than one volume are not \
                                 supported (genisoimage refuses them too); the image is volume \
                                 1 of 1"
                            ),
                        ))
                    }
                    _ => return Err(usage(prog, format!("{a} {v}: expected a number (1)"))),
                }
            }
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
            // genisoimage: the ISO 9660 existence bit on matching names (the name or the
            // whole source path, as -hide matches); in the Joliet records too.
            "hidden" => j.scan.hidden.push(Glob(val(a)?)),
            "hidden-list" => {
                let f = val(a)?;
                j.scan
                    .hidden
                    .extend(read_lines(prog, &f)?.into_iter().map(Glob));
            }
            "root" => j.root = Some(val(a)?),
            "old-root" => j.old_root = Some(val(a)?),
            // xorriso's switches for how -old-root detects unchanged files (disk inode
            // numbers, device numbers, recorded MD5s): discburn compares the contents of
            // same-size files, so none of them changes what it finds.
            "old-root-no-md5" | "old-root-no-ino" | "old-root-devno" => {}
            // Taken before parsing (messages must go there from the start).
            "log-file" => j.log_file = Some(val(a)?),
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
            // genisoimage: files of 4 GiB and more at -iso-level 3; discburn writes them as
            // several extents there anyway (ECMA-119 §6.5.1), so there is nothing to allow.
            "allow-limited-size" => {}
            "udf" | "dvd-video" => {
                return Err(usage(
                    prog,
                    format!(
                        "{a}: not supported by discburn: it writes ISO 9660 with Rock Ridge \
                         and Joliet, no UDF bridge"
                    ),
                ))
            }
            "print-size" => j.print_size = true,
            // discburn's own: with -M, write every directory anew (as genisoimage and
            // xorriso do) instead of pointing unchanged ones at the previous session's.
            "rewrite-dirs" => j.opts.rewrite_all_dirs = true,
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
            // xorrisofs `--md5` (also taken with one dash): libisofs's MD5 checksums of
            // each file and of the session, with its superblock/tree/session tags.
            "md5" => j.opts.md5 = true,
            "no-pad" => j.opts.pad_blocks = 0,
            // Without boot images there is no catalog to hide (xorriso says nothing either).
            "boot-catalog-hide" => hide_catalog = true,
            "c" | "eltorito-catalog" => {
                boot.get_or_insert_with(BootOptions::default).catalog = val(a)?;
            }
            // Entry options apply to the current boot entry; the first of them after
            // -eltorito-alt-boot (or at all) starts a new one, as in mkisofs.
            "b" | "eltorito-boot" => boot_entry(&mut boot, &mut cur_boot).path = val(a)?,
            "e" => {
                let path = val(a)?;
                let appended = match path.strip_prefix("--interval:appended_partition_") {
                    Some(rest) => {
                        let n = rest
                            .strip_suffix(":all::")
                            .and_then(|n| n.parse::<u8>().ok())
                            .filter(|n| (1..=4).contains(n))
                            .ok_or_else(|| {
                                usage(
                                    prog,
                                    format!(
                                        "{a} {path}: of the --interval: forms only \
                                         --interval:appended_partition_N:all:: is supported"
                                    ),
                                )
                            })?;
                        Some(n)
                    }
                    None if path.starts_with("--interval:") => {
                        return Err(usage(
                            prog,
                            format!(
                                "{a} {path}: of the --interval: forms only \
                                 --interval:appended_partition_N:all:: is supported"
                            ),
                        ))
                    }
                    None => None,
                };
                let e = boot_entry(&mut boot, &mut cur_boot);
                e.path = path;
                e.platform = Platform::Efi;
                e.appended = appended;
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
            "grub2-boot-info" => boot_entry(&mut boot, &mut cur_boot).grub2_boot_info = true,
            // xorriso's system area and partition options.
            "isohybrid-mbr" | "grub2-mbr" | "G" | "generic-boot" | "embedded-boot" => {
                let f = val(a)?;
                let mut t = Vec::new();
                fs::File::open(&f)
                    .and_then(|x| io::Read::take(x, 32768).read_to_end(&mut t))
                    .map_err(|e| CliError::Failed(format!("{prog}: {a} {f}: {e}")))?;
                j.opts.system_area.template = Some(t);
                j.opts.system_area.mbr = match name {
                    "isohybrid-mbr" => MbrKind::Isohybrid,
                    "grub2-mbr" => MbrKind::Grub2,
                    _ => MbrKind::Plain,
                };
            }
            "isohybrid-gpt-basdat" => j.opts.system_area.gpt_basdat = true,
            "protective-msdos-label" => j.opts.system_area.protective_msdos_label = true,
            "mbr-force-bootable" => j.opts.system_area.mbr_force_bootable = true,
            "appended_part_as_gpt" => j.opts.system_area.appended_as_gpt = true,
            "partition_offset" | "partition_hd_cyl" | "partition_sec_hd" => {
                let v = val(a)?;
                let n: u32 = v
                    .parse()
                    .map_err(|_| usage(prog, format!("{a} {v}: not a number")))?;
                let sa = &mut j.opts.system_area;
                match name {
                    "partition_offset" => sa.partition_offset = n,
                    "partition_hd_cyl" if (1..=255).contains(&n) => sa.heads_per_cyl = n,
                    "partition_sec_hd" if (1..=63).contains(&n) => sa.secs_per_head = n,
                    _ => return Err(usage(prog, format!("{a} {v}: out of range"))),
                }
            }
            "partition_cyl_align" => {
                let v = val(a)?;
                j.opts.system_area.cyl_align = match v.as_str() {
                    "auto" => CylAlign::Auto,
                    "on" => CylAlign::On,
                    "off" => CylAlign::Off,
                    "all" => CylAlign::All,
                    _ => {
                        return Err(usage(
                            prog,
                            format!("{a} {v}: expected auto, on, off or all"),
                        ))
                    }
                };
            }
            "iso_mbr_part_type" => {
                let v = val(a)?;
                let t = parse_type_byte(&v).ok_or_else(|| {
                    usage(prog, format!("{a} {v}: expected a type byte 0x00..0xff"))
                })?;
                j.opts.system_area.iso_mbr_part_type = Some(t);
            }
            "gpt_disk_guid" => {
                let v = val(a)?;
                let sa = &mut j.opts.system_area;
                match v.as_str() {
                    "random" => {
                        sa.gpt_disk_guid = None;
                        sa.gpt_guid_from_date = false;
                    }
                    "modification-date" | "volume_date_uuid" => sa.gpt_guid_from_date = true,
                    _ => {
                        sa.gpt_disk_guid = Some(Guid::parse(&v).ok_or_else(|| {
                            usage(
                                prog,
                                format!("{a} {v}: not a GUID (or random, modification-date)"),
                            )
                        })?)
                    }
                }
            }
            "append_partition" => {
                let n = val(a)?;
                let t = val(a)?;
                let f = val(a)?;
                let number: u8 = match n.parse() {
                    Ok(k @ 1..=4) => k,
                    _ => {
                        return Err(usage(
                            prog,
                            format!("{a} {n}: partition number must be 1..4"),
                        ))
                    }
                };
                let (mbr_type, gpt_type) = match t.as_str() {
                    "FAT12" => (0x01, None),
                    "FAT16" => (0x06, None),
                    "Linux" => (0x83, None),
                    _ => match Guid::parse(&t) {
                        Some(g) if g == Guid::EFI_SYSTEM => (0xef, Some(g)),
                        Some(g) => (0x83, Some(g)),
                        None => (
                            parse_type_byte(&t).ok_or_else(|| {
                                usage(
                                    prog,
                                    format!(
                                        "{a} {n} {t}: partition type must be 0x00..0xff, a \
                                         GUID, FAT12, FAT16 or Linux"
                                    ),
                                )
                            })?,
                            None,
                        ),
                    },
                };
                if f.starts_with("--interval:") {
                    return Err(usage(
                        prog,
                        format!("{a} {n} {t} {f}: --interval: sources are not supported for appended partitions; give a file"),
                    ));
                }
                let sa = &mut j.opts.system_area;
                sa.appended.retain(|p| p.number != number);
                if !f.is_empty() {
                    sa.appended.push(Appended {
                        number,
                        mbr_type,
                        gpt_type,
                        source: PathBuf::from(f),
                    });
                }
            }
            "efi-boot-part" => {
                let v = val(a)?;
                if v != "--efi-boot-image" {
                    return Err(usage(
                        prog,
                        format!("{a} {v}: only --efi-boot-image (the EFI El Torito image as EFI System Partition) is supported"),
                    ));
                }
                j.opts.system_area.efi_boot_part = true;
            }
            "efi-boot" => {
                // xorriso: -eltorito-alt-boot -e FILE -no-emul-boot -eltorito-alt-boot.
                let path = val(a)?;
                cur_boot = None;
                let e = boot_entry(&mut boot, &mut cur_boot);
                e.path = path;
                e.platform = Platform::Efi;
                e.mode = BootMode::NoEmulation;
                cur_boot = None;
            }
            "sort-weight" => {
                let w = val(a)?;
                let p = val(a)?;
                let w: i32 = w
                    .parse()
                    .map_err(|_| usage(prog, format!("{a} {w} {p}: weight is not a number")))?;
                j.sort_weights.push((w, p));
            }
            "uid" | "gid" => {
                let v = val(a)?;
                let n: u32 = v
                    .parse()
                    .map_err(|_| usage(prog, format!("{a} {v}: expected a number")))?;
                if name == "uid" {
                    j.uid = Some(n);
                } else {
                    j.gid = Some(n);
                }
            }
            "new-dir-mode" => {
                let v = val(a)?;
                let m = u32::from_str_radix(&v, 8)
                    .ok()
                    .filter(|m| *m <= 0o7777)
                    .ok_or_else(|| usage(prog, format!("{a} {v}: expected an octal mode")))?;
                j.new_dir_mode = Some(m);
            }
            "file-mode" | "dir-mode" => {
                let v = val(a)?;
                let m = u32::from_str_radix(&v, 8)
                    .ok()
                    .filter(|m| *m <= 0o7777)
                    .ok_or_else(|| usage(prog, format!("{a} {v}: expected an octal mode")))?;
                if name == "file-mode" {
                    j.file_mode = Some(m);
                } else {
                    j.dir_mode = Some(m);
                }
            }
            "rr_reloc_dir" => {
                let v = val(a)?;
                let name = v.trim_matches('/');
                if name.is_empty() || name.contains('/') {
                    return Err(usage(
                        prog,
                        format!(
                            "{a} {v}: the relocation directory must be one name in the root \
                             (relocating into the root itself is not supported)"
                        ),
                    ));
                }
                j.opts.rr_moved = name.to_string();
                j.relocation_asked = true;
            }
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
        b.hide_catalog = hide_catalog;
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
    tree.new_dir_mode = tree_new_dir_mode(&job);
    let mut prev = match job.previous.clone() {
        Some(m) => open_previous(prog, &m, &mut job)?,
        None => None,
    };
    if let Some((src, last)) = prev.as_mut() {
        isofs::merge::import(&mut tree, &mut *src, *last)
            .map_err(|e| fail(format!("reading the previous session at block {last}: {e}")))?;
    } else {
        // A root no source directory stands for (graft points, -root) is a new directory
        // made now, as in genisoimage and xorriso (a directory source at / replaces this).
        let now = job.opts.date.unwrap_or_else(|| {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            Timestamp::from_secs(secs)
        });
        let mut m = tree.meta(Tree::ROOT);
        m.mode = isofs::tree::mode::S_IFDIR | (tree_new_dir_mode(&job) & 0o7777);
        m.mtime = now;
        m.atime = now;
        m.ctime = now;
        tree.set_meta(Tree::ROOT, m);
    }
    for r in &job.remove {
        let p = format!("/{}", r.trim_matches('/'));
        if !tree.remove_path(&p) {
            return Err(fail(format!("-remove {r}: not in the previous session")));
        }
    }
    let root = job
        .root
        .as_deref()
        .map_or_else(|| "/".to_string(), |r| format!("/{}", r.trim_matches('/')));
    // -old-root: the previous session's tree at old-root becomes the starting point of
    // -root's (xorriso clones it there), each pathspec's target is then updated from its
    // source. Without a previous session there is nothing to start from.
    let before_sources = match (&job.old_root, prev.is_some()) {
        (Some(old), true) => {
            let old = format!("/{}", old.trim_matches('/'));
            match tree.lookup_path(&old) {
                Some(o) if matches!(tree.node(o).kind, isofs::tree::Kind::Dir) => {
                    let meta = tree.node(o).meta;
                    let r = tree
                        .ensure_dir(&root, meta)
                        .map_err(|e| fail(format!("-root {root}: {e}")))?;
                    tree.clone_contents(o, r);
                }
                _ if job.xorriso => log::warn!(
                    "-old-root {old}: not a directory of the previous session; nothing                      copied to {root} (xorriso goes on likewise)"
                ),
                _ => {
                    return Err(fail(format!(
                        "-old-root {old}: no such directory in the previous session                          (genisoimage refuses it too)"
                    )))
                }
            }
            Some(tree.len())
        }
        _ => None,
    };
    let mut targets = Vec::new();
    for p in &job.paths {
        let (dest, src) = if job.graft_points {
            graft(p)
        } else {
            ("/".to_string(), p.clone())
        };
        let dest = if root == "/" {
            dest
        } else if dest == "/" {
            format!("{root}/")
        } else {
            format!("{root}{dest}")
        };
        tree.add_source(&dest, Path::new(&src), &job.scan)
            .map_err(|e| fail(e.to_string()))?;
        targets.push((dest, src));
    }
    if let Some(before) = before_sources {
        // xorriso -update_r of each target: what its source no longer has goes.
        for (dest, src) in &targets {
            if !Path::new(src).is_dir() {
                continue;
            }
            if let Some(t) = tree.lookup_path(dest.trim_end_matches('/')) {
                for gone in tree.mirror_prune_under(t, before) {
                    log::info!("-old-root: {gone} is not in {src}: removed");
                }
            }
        }
    }
    apply_attributes(&mut tree, &job);
    for (w, p) in &job.sort_weights {
        let path = format!("/{}", p.trim_matches('/'));
        let Some(id) = tree.lookup_path(&path) else {
            return Err(fail(format!("--sort-weight {w} {p}: not in the image")));
        };
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            tree.set_weight(n, *w);
            stack.extend_from_slice(tree.children(n));
        }
    }
    if job.no_cache_inodes {
        for id in 0..tree.len() {
            let id = id as isofs::tree::NodeId;
            let m = tree.meta(id);
            tree.set_meta(id, isofs::tree::Meta { link: 0, ..m });
        }
    }
    if job.opts.iso_level < 4 && dir_depth(&tree, Tree::ROOT) > 8 {
        if job.opts.rock_ridge.is_none() {
            log::warn!(
                "directories deeper than 8 levels stay in place: without Rock Ridge (-R, -r) \
                 they cannot be relocated (genisoimage leaves them out); the image does not \
                 conform to ISO 9660 (-iso-level 4 allows them)"
            );
        } else if !job.opts.relocate_deep && (job.no_relocation_given || !job.xorriso) {
            log::warn!(
                "-D: directories deeper than 8 levels stay in place; the image does not \
                 conform to ISO 9660 (use -iso-level 4, or leave -D out to relocate them)"
            );
        }
    }
    // xorriso keeps the loaded image's volume id unless -volid is given; genisoimage -M
    // writes its default (CDROM) instead.
    job.opts.volume_id_from_previous = job.xorriso && !job.volume_given;
    let previous: Option<&mut dyn SectorSource> =
        prev.as_mut().map(|(s, _)| s as &mut dyn SectorSource);
    let image = Image::new(tree, job.opts.clone(), previous).map_err(|e| fail(e.to_string()))?;
    Ok((job, image))
}

/// The permission bits of directories that only the image has (`-new-dir-mode`): 0555
/// by default in the mkisofs personality (genisoimage's and cdrtools' documented default),
/// 0755 in the xorrisofs one (xorriso's).
fn tree_new_dir_mode(job: &Job) -> u32 {
    job.new_dir_mode
        .unwrap_or(if job.xorriso { 0o755 } else { 0o555 })
}

/// `-uid -gid -file-mode -dir-mode`: the owner and permission bits every
/// file gets (recorded with Rock Ridge; `-r` then rationalizes them further, as in
/// xorriso, where -r's rules apply last).
fn apply_attributes(tree: &mut Tree, job: &Job) {
    use isofs::tree::{mode, Kind};
    if job.uid.is_none() && job.gid.is_none() && job.file_mode.is_none() && job.dir_mode.is_none() {
        return;
    }
    for id in 0..tree.len() as isofs::tree::NodeId {
        let is_dir = matches!(tree.node(id).kind, Kind::Dir);
        let mut m = tree.meta(id);
        if let Some(u) = job.uid {
            m.uid = u;
        }
        if let Some(g) = job.gid {
            m.gid = g;
        }
        let perm = if is_dir { job.dir_mode } else { job.file_mode };
        if let Some(p) = perm {
            m.mode = (m.mode & mode::S_IFMT) | p;
        }
        tree.set_meta(id, m);
    }
}

/// Levels of directories from `dir` down (ECMA-119 §6.8.2.1 counts the root as 1),
/// hidden ones included.
fn dir_depth(tree: &Tree, dir: isofs::tree::NodeId) -> u32 {
    let mut max = 1;
    let mut stack = vec![(dir, 1u32)];
    while let Some((d, depth)) = stack.pop() {
        max = max.max(depth);
        for &c in tree.children(d) {
            if matches!(tree.node(c).kind, isofs::tree::Kind::Dir) && !tree.node(c).dead {
                stack.push((c, depth + 1));
            }
        }
    }
    max
}

/// `-version`: the first line in the form front ends test (Brasero's
/// `brasero_plugin_check_config` scans `genisoimage %d.%d.%d (Linux)` and `mkisofs %d.%d`,
/// K3b reads the number after the program's name), then what the program is.
pub fn version(prog: &str) -> String {
    let first = if prog.ends_with("genisoimage") {
        "genisoimage 1.1.11 (Linux)"
    } else {
        "mkisofs 3.02 (Linux)"
    };
    format!(
        "{first}\n{prog}: the mkisofs/genisoimage command line of discburn {} (the line above \
         is for front ends that check the version)",
        env!("CARGO_PKG_VERSION")
    )
}

/// What `-version` prints in the xorriso personalities.
pub fn xorriso_version() -> String {
    format!(
        "xorriso 1.5.4 : RockRidge filesystem manipulator, emulated by discburn {}\n\
         (discburn takes xorriso's -as mkisofs and -as cdrecord command lines only)",
        env!("CARGO_PKG_VERSION")
    )
}

/// The options `-help` lists in the xorriso personalities (scripts such as grub-mkrescue
/// look for an option's name in it before they use it).
const XORRISOFS_HELP: &str = "\
Usage: xorriso -as mkisofs [options] file...
Note: This is discburn's emulation of xorriso's mkisofs emulation.
Options:
  -o FILE, -output FILE       Set output file name
  -graft-points               Allow to use graft points for filenames
  -path-list FILE             File with list of pathspecs to add
  -R, -rock                   Generate Rock Ridge directory information
  -r, -rational-rock          Generate rationalized Rock Ridge directory info
  -J, -joliet                 Generate Joliet directory information
  -joliet-long                Allow Joliet file names to be 103 Unicode characters
  -joliet-utf16               Encode Joliet names in UTF-16BE rather than UCS-2
  -root DIR                   Set root directory for all new files and directories
  -old-root DIR               Set root directory in previous session that is searched for files
  -log-file FILE              Re-direct messages to FILE
  -iso-level LEVEL            Set ISO9660 conformance level (1..3) or 4 for ISO9660 version 2
  -l, -full-iso9660-filenames Allow full 31 character filenames for ISO9660 names
  -d, -omit-period            Omit trailing periods from filenames
  -N, -omit-version-number    Omit version number from ISO9660 filename
  -allow-lowercase -allow-multidot -allow-leading-dots -relaxed-filenames
  -D, -disable-deep-relocation -rr_reloc_dir NAME
  -V ID, -volid ID  -A ID, -appid ID  -publisher ID  -p ID, -preparer ID  -sysid ID
  -volset ID  -copyright FILE  -abstract FILE  -biblio FILE
  -x, -m, -exclude GLOB  -exclude-list FILE  -hide GLOB  -hide-joliet GLOB  -hide-list FILE
  -f, -follow-links  -uid N  -gid N  -file-mode MODE  -dir-mode MODE
  -sort FILE  --sort-weight NUMBER FILE
  -C A,B, -cdrecord-params A,B  -M FILE, -prev-session FILE
  -print-size  -quiet  -pad  -no-pad  -input-charset CS  -output-charset CS
  -rewrite-dirs               With -M: write every directory anew (discburn's own option)
  --modification-date=YYYYMMDDhhmmsscc
                              Override date of creation and modification
  -b FILE, -eltorito-boot FILE
                              Set El Torito boot image name
  -eltorito-alt-boot          Start specifying alternative El Torito boot parameters
  --efi-boot FILE             Set El Torito EFI boot image name and type
  -e FILE                     Set EFI boot image name (more rawly)
  -c FILE, -eltorito-catalog FILE
                              Set El Torito boot catalog name
  --boot-catalog-hide         Hide boot catalog from ISO9660/RR and Joliet
  -boot-load-size #           Set numbers of load sectors
  -boot-load-seg ADDR  -hard-disk-boot  -no-emul-boot  -no-boot
  -boot-info-table            Patch boot image with info table
  --grub2-boot-info           Patch boot image at byte 2548
  -isohybrid-mbr FILE         Set SYSLINUX mbr/isohdp[fp]x*.bin for isohybrid
  -isohybrid-gpt-basdat       Mark El Torito boot image as Basic Data in GPT
  --grub2-mbr FILE            Set GRUB2 MBR for boot image address patching
  -G FILE, -generic-boot FILE Set generic boot image name
  --embedded-boot FILE        Alias of -G
  --protective-msdos-label    Patch System Area by partition table
  --mbr-force-bootable        Enforce existence of bootable flag in MBR
  -partition_offset LBA       Make image mountable by first partition, too
  -partition_sec_hd NUMBER    Define number of sectors per head
  -partition_hd_cyl NUMBER    Define number of heads per cylinder
  -partition_cyl_align MODE   Control cylinder alignment: off, on, auto, all
  -iso_mbr_part_type          Set type byte of ISO partition in MBR
  --gpt_disk_guid GUID        Set GPT disk GUID or choose automatic GUID
  -efi-boot-part --efi-boot-image
                              Set data source for EFI System Partition
  -append_partition NUMBER TYPE FILE
                              Append FILE after image. TYPE is hex: 0x.. or
                              a GUID to be used if -appended_part_as_gpt.
  -appended_part_as_gpt       mark appended partitions in GPT instead of MBR.
  -help                       Print option help
  -version                    Print program version
";

/// Where the personality's messages go: standard error, or the `-log-file`.
static LOG_FILE: std::sync::OnceLock<fs::File> = std::sync::OnceLock::new();

/// Writes one message line where the personality's messages go.
fn message(line: std::fmt::Arguments<'_>) {
    match LOG_FILE.get() {
        Some(mut f) => {
            let _ = writeln!(f, "{line}");
        }
        None => eprintln!("{line}"),
    }
}

/// Sets up the messages (the `log` warnings and the program's own lines) for a command
/// line: to standard error, or to the last `-log-file FILE` (xorrisofs: the file is
/// truncated and gets every message that would go to standard error; an empty name means
/// standard error), `-v` adding the informational ones.
fn init_messages(prog: &str, args: &[String]) -> Result<(), CliError> {
    let mut log_file = None;
    let mut verbose = 0;
    let mut k = 0;
    while k < args.len() {
        match args[k].trim_start_matches('-') {
            "log-file" if args[k].starts_with('-') => {
                log_file = args.get(k + 1).cloned();
                k += 1;
            }
            "v" | "verbose" if args[k].starts_with('-') => verbose = 1,
            _ => {}
        }
        k += 1;
    }
    let target: Option<Box<dyn Write + Send>> = match log_file.filter(|f| !f.is_empty()) {
        Some(f) => {
            let file = fs::File::create(&f)
                .map_err(|e| CliError::Failed(format!("{prog}: -log-file {f}: {e}")))?;
            eprintln!("{prog}: re-directing all messages to {f}");
            let pipe = file
                .try_clone()
                .map_err(|e| CliError::Failed(format!("{prog}: -log-file {f}: {e}")))?;
            let _ = LOG_FILE.set(file);
            Some(Box::new(pipe))
        }
        None => None,
    };
    crate::init_logging_to(verbose, target);
    Ok(())
}

/// A failure's message goes to the `-log-file` when there is one (and nothing more to
/// standard error); the exit status stays.
fn logged<T>(r: Result<T, CliError>) -> Result<T, CliError> {
    match r {
        Err(e) if LOG_FILE.get().is_some() => {
            message(format_args!("{e}"));
            Err(CliError::Exit(e.exit_code(), String::new()))
        }
        r => r,
    }
}

/// Runs the xorrisofs personality (`xorrisofs ...`, `xorriso -as mkisofs ...`).
pub fn run_xorrisofs(prog: &str, args: &[String]) -> Result<(), CliError> {
    if args.iter().any(|a| a == "-help" || a == "--help") {
        print!("{XORRISOFS_HELP}");
        return Ok(());
    }
    if args.iter().any(|a| a == "-version" || a == "--version") {
        println!("{}", xorriso_version());
        return Ok(());
    }
    init_messages(prog, args)?;
    logged(run_xorrisofs_parsed(prog, args))
}

fn run_xorrisofs_parsed(prog: &str, args: &[String]) -> Result<(), CliError> {
    let mut job = parse(prog, args)?;
    job.xorriso = true;
    // xorrisofs has -D by default: deep directories are relocated only when
    // -rr_reloc_dir or -hide-rr-moved asks for it, and never with an explicit -D.
    job.opts.relocate_deep = job.relocation_asked && !job.no_relocation_given;
    // xorriso's own defaults for the texts mkisofs fills in: volume id ISOIMAGE, empty
    // system and application ids (unless given).
    let given = |o: &[&str]| args.iter().any(|a| o.contains(&a.trim_start_matches('-')));
    if !given(&["V", "volid"]) {
        job.opts.ids.volume = "ISOIMAGE".into();
    }
    if !given(&["sysid"]) {
        job.opts.ids.system = String::new();
    }
    if !given(&["A", "appid"]) {
        job.opts.ids.application = String::new();
    }
    run_job(prog, job)
}

/// Runs the mkisofs personality.
pub fn run(prog: &str, args: &[String]) -> Result<(), CliError> {
    if args.iter().any(|a| a == "-version" || a == "--version") {
        println!("{}", version(prog));
        return Ok(());
    }
    init_messages(prog, args)?;
    logged(parse(prog, args).and_then(|job| run_job(prog, job)))
}

/// Runs a parsed job (builds the image, writes it to `-o` or standard output).
pub fn run_parsed(prog: &str, job: Job) -> Result<(), CliError> {
    run_job(prog, job)
}

fn run_job(prog: &str, job: Job) -> Result<(), CliError> {
    let (job, image) = build(prog, job)?;
    if job.print_size {
        if !job.quiet {
            message(format_args!(
                "Total extents scheduled to be written = {}",
                image.size_blocks()
            ));
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
        message(format_args!(
            "{} extents written ({} MB)",
            image.size_blocks(),
            (u64::from(image.size_blocks()) * 2048) >> 20
        ));
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
