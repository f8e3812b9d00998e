//! Manual pages (roff, man(7)) and shell completion scripts, generated from the clap
//! definitions: `args::Cli` for `discburn` and each subcommand, and a clap description of
//! each legacy personality's options (`cdrecord`/`wodim`, `mkisofs`/`genisoimage`,
//! `xorrisofs`, `readcd`), whose parsers in `legacy/` are hand-written because their historic syntax
//! (`dev=0,0,0`, single-dash long options) is not clap's.
//!
//! `discburn completions SHELL [--for NAME]` prints a script; the hidden
//! `discburn man --dir DIR` writes `discburn.1`, `discburn-SUB.1` for each subcommand and
//! `discburn-cdrecord.1`, `discburn-mkisofs.1`, `discburn-readcd.1`, `discburn-xorrisofs.1`
//! for the personalities (the mkisofs page is also the page of `discburn mkisofs`). A test checks that every
//! option these descriptions list is accepted by the personality's own parser.

use std::fs;
use std::io::Write;
use std::path::Path;

use clap::{Arg, ArgAction, Command, CommandFactory};
use clap_complete::Shell;

use crate::args::{Cli, CompletionsArgs, ManArgs};
use crate::error::CliError;

/// A legacy personality as the documentation describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persona {
    /// `cdrecord` (also `wodim`).
    Cdrecord,
    /// `mkisofs` (also `genisoimage`, `discburn mkisofs`).
    Mkisofs,
    /// `readcd`.
    Readcd,
    /// `xorrisofs` (also `xorriso -as mkisofs`): mkisofs's options and xorriso's
    /// hybrid-image ones.
    Xorrisofs,
}

impl Persona {
    /// Every personality, in the order the pages list them.
    pub const ALL: [Persona; 4] = [
        Persona::Cdrecord,
        Persona::Mkisofs,
        Persona::Readcd,
        Persona::Xorrisofs,
    ];

    /// The program names this personality answers to (the first is the page's name).
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Persona::Cdrecord => &["cdrecord", "wodim"],
            Persona::Mkisofs => &["mkisofs", "genisoimage"],
            Persona::Readcd => &["readcd"],
            Persona::Xorrisofs => &["xorrisofs"],
        }
    }

    /// The personality started under `name` (a plain or a `discburn-` name).
    pub fn for_name(name: &str) -> Option<Persona> {
        let base = name.strip_prefix("discburn-").unwrap_or(name);
        Persona::ALL.into_iter().find(|p| p.names().contains(&base))
    }

    /// The clap description of this personality's options, for the program name `name`.
    pub fn command(self, name: &str) -> Command {
        let c = Command::new(name.to_string())
            .version(env!("CARGO_PKG_VERSION"))
            .disable_help_flag(true)
            .disable_version_flag(true);
        match self {
            Persona::Cdrecord => cdrecord(c),
            Persona::Mkisofs => mkisofs(c),
            Persona::Readcd => readcd(c),
            Persona::Xorrisofs => xorrisofs(c),
        }
    }
}

fn flag(long: &'static str, help: &'static str) -> Arg {
    Arg::new(long)
        .long(long)
        .action(ArgAction::SetTrue)
        .help(help)
}

fn short(s: char, id: &'static str, help: &'static str) -> Arg {
    Arg::new(id).short(s).action(ArgAction::SetTrue).help(help)
}

/// A `key=value` option of cdrecord and readcd (accepted with or without a leading dash).
fn keyword(key: &'static str, value: &'static str, help: &'static str) -> Arg {
    Arg::new(key)
        .long(key)
        .value_name(value)
        .require_equals(true)
        .action(ArgAction::Set)
        .help(help)
}

/// A mkisofs option taking the next argument as its value.
fn valued(long: &'static str, value: &'static str, help: &'static str) -> Arg {
    Arg::new(long)
        .long(long)
        .value_name(value)
        .action(ArgAction::Append)
        .help(help)
}

fn valued_short(s: char, id: &'static str, value: &'static str, help: &'static str) -> Arg {
    Arg::new(id)
        .short(s)
        .value_name(value)
        .action(ArgAction::Append)
        .help(help)
}

fn cdrecord(c: Command) -> Command {
    c.about("Write and inspect CDs, DVDs and Blu-rays with cdrecord's command line (discburn)")
        .long_about(
            "The cdrecord/wodim personality of discburn: the binary started under the name \
             cdrecord, wodim, discburn-cdrecord or discburn-wodim takes cdrecord's command \
             line (dev=b,t,l, single-dash options). -msinfo prints exactly \
             last_session_start,next_writable_address for mkisofs -C; on a blank or closed \
             disc it fails and prints nothing on standard output. Unknown options are a usage \
             error (exit status 2) naming the option.",
        )
        .args([
            keyword(
                "dev",
                "DEVICE",
                "The drive: b,t,l | t,l | ATA:b,t,l | /dev/sr0 | /dev/sgN | emu:PATH[,key=value...]; default $CDR_DEVICE, else the only drive present",
            ),
            flag("scanbus", "List every SCSI device with its b,t,l"),
            flag("inq", "Show the drive's INQUIRY data"),
            flag("checkdrive", "Check the drive: INQUIRY, profiles, buffer"),
            flag("prcap", "Print the drive's capabilities (MODE SENSE page 2Ah)"),
            flag("atip", "Print the ATIP of a CD-R/RW"),
            flag("toc", "Print the table of contents"),
            flag("minfo", "Print the medium's report: type, tracks, sessions, next writable address")
                .visible_alias("media-info"),
            flag("msinfo", "Print last_session_start,next_writable_address for mkisofs -C"),
            flag("multi", "Leave the disc appendable after writing"),
            flag("tao", "Write track at once"),
            flag("sao", "Write session at once (CD-R/RW; the drive must offer it)")
                .visible_alias("dao"),
            flag("data", "Write a mode-1 data track (the only kind written)").visible_alias("mode1"),
            keyword("speed", "N", "Writing speed, in multiples of the medium's 1x"),
            flag("dummy", "Test write: the laser stays off"),
            flag("eject", "Eject the disc afterwards (alone: just eject)"),
            flag("force", "Write even while mounted, or over the sessions of a DVD+RW/BD-RE"),
            keyword("fs", "SIZE", "FIFO size (suffix k, m)"),
            keyword("tsize", "SIZE", "Size of a track read from standard input (suffix k, m, g, s)"),
            keyword("blank", "TYPE", "Blank a CD-RW or DVD-RW: fast, all or session"),
            keyword("gracetime", "N", "Count N seconds down before writing (default: none)"),
            keyword(
                "driveropts",
                "LIST",
                "burnfree (buffer-underrun protection, the default) or noburnfree; help lists them",
            ),
            flag("setdropts", "Check driveropts= and exit (they are sent with each write)"),
            flag("pad", "Add 15 zeroed sectors after the data track"),
            flag("nopad", "No padding (the default)"),
            keyword("padsize", "SIZE", "Zeroes after the track, in 2048-byte sectors with s (as fs=)"),
            flag("nofix", "Do not finalize: the session is closed, the disc left appendable"),
            flag("fix", "Only finalize the disc"),
            flag("overburn", "Accepted: no more than the free blocks the drive reports are written")
                .visible_alias("ignsize"),
            flag("immed", "Accepted (discburn waits for long commands by polling)"),
            keyword("minbuf", "PERCENT", "Accepted with -immed (25 to 95)"),
            flag("waiti", "Wait for standard input before opening the drive"),
            keyword("ts", "SIZE", "Accepted: transfers are sized to what the drive and OS take"),
            flag("xa", "CD-ROM XA mode 2 form 1 track: written as mode 1, reads the same"),
            flag("format", "Format a DVD+RW or BD-RE"),
            flag("load", "Load the medium and exit"),
            flag("lock", "Load the medium, lock the tray and exit"),
            flag("reset", "Accepted: the SCSI bus is not reset (nothing is done)"),
            flag("abort", "Accepted: no abort sequence is needed (nothing is done)"),
            short('v', "v", "More messages (repeat for more)").action(ArgAction::Count),
            short('V', "V", "Trace every SCSI command (repeat for the data bytes too)")
                .action(ArgAction::Count),
            flag("version", "Print the version"),
            flag("help", "Print a summary of the options"),
            Arg::new("track")
                .value_name("TRACK")
                .help("The image file to write, or - for standard input"),
        ])
}

fn readcd(c: Command) -> Command {
    c.about("Read a disc into an image file with readcd's command line (discburn)")
        .long_about(
            "The readcd personality of discburn (the binary started as readcd or \
             discburn-readcd): reads sectors to a file with retries, as cdrtools readcd does. \
             sectors=A-B reads A up to but not including B; without -noerror the run stops \
             at the first sector still unreadable after its retries.",
        )
        .args([
            keyword(
                "dev",
                "DEVICE",
                "The drive (as for cdrecord); default $CDR_DEVICE, else the only drive",
            ),
            keyword(
                "f",
                "FILE",
                "The output file (- for standard output); required",
            ),
            keyword(
                "sectors",
                "A-B",
                "Read sectors A up to but not including B (default: the whole disc)",
            ),
            keyword(
                "retries",
                "N",
                "Retries for each unreadable sector (default 128)",
            ),
            flag("noerror", "Fill unreadable sectors with zeros and go on"),
            short('v', "v", "Show progress").action(ArgAction::Count),
            short('V', "V", "Trace every SCSI command").action(ArgAction::Count),
            flag("help", "Print the usage"),
        ])
}

fn mkisofs(c: Command) -> Command {
    c.about("Build ISO 9660 images with mkisofs's command line (discburn)")
        .long_about(
            "The mkisofs/genisoimage personality of discburn (the binary started as mkisofs, \
             genisoimage, discburn-mkisofs or discburn-genisoimage, or `discburn mkisofs \
             ARGS`): builds an ISO 9660 image with Rock Ridge, Joliet and El Torito from \
             pathspecs (DIR, or DEST=SRC with -graft-points). -M takes an image file (then \
             -C is required) or a drive (then -C is asked from the drive). -remove PATH \
             deletes a name of the previous session. SOURCE_DATE_EPOCH fixes every date. \
             An unknown option is a usage error naming it.",
        )
        .args([
            valued_short('o', "o", "FILE", "Write the image to FILE (default: standard output)")
                .visible_alias("output"),
            short('R', "R", "Rock Ridge with the files' own owners and modes").visible_alias("rock"),
            short('r', "r", "Rock Ridge with rationalized owners and modes")
                .visible_alias("rational-rock"),
            short('J', "J", "Joliet names").visible_alias("joliet"),
            flag("joliet-long", "Joliet names up to 103 characters"),
            valued("iso-level", "N", "ISO 9660 level 1, 2, 3 or 4"),
            short('l', "l", "Allow 31-character ISO 9660 names")
                .visible_alias("full-iso9660-filenames"),
            short('d', "d", "Omit the trailing period of names without one").visible_alias("omit-period"),
            short('N', "N", "Omit the ;1 version numbers").visible_alias("omit-version-number"),
            flag("allow-lowercase", "Allow lower case in ISO 9660 names"),
            flag("allow-multidot", "Allow several dots in ISO 9660 names"),
            flag("allow-leading-dots", "Allow a leading dot in ISO 9660 names").visible_alias("ldots"),
            short('L', "L", "As genisoimage: -allow-leading-dots (use -f to follow links)"),
            flag("relaxed-filenames", "Allow any 7-bit character in ISO 9660 names"),
            flag("no-iso-translate", "Keep '#' and '~' in ISO 9660 names"),
            flag("max-iso9660-filenames", "Allow 37-character ISO 9660 names"),
            short('U', "U", "Untranslated ISO 9660 names (implies the relaxations above)")
                .visible_alias("untranslated-filenames"),
            short('D', "D", "Do not relocate directories deeper than 8 levels")
                .visible_alias("disable-deep-relocation"),
            flag("hide-rr-moved", "Name the relocation directory .rr_moved"),
            flag("cache-inodes", "Hard links share one copy of the data (the default)"),
            flag("no-cache-inodes", "Every name of a hard-linked file gets its own copy"),
            short('T', "T", "Write TRANS.TBL translation tables").visible_alias("translation-table"),
            valued("table-name", "NAME", "Name of the translation tables"),
            flag("hide-joliet-trans-tbl", "Keep the translation tables out of the Joliet tree"),
            valued_short('V', "V", "ID", "Volume identifier").visible_alias("volid"),
            valued_short('A', "A", "ID", "Application identifier").visible_alias("appid"),
            valued_short('P', "P", "ID", "Publisher identifier").visible_alias("publisher"),
            valued_short('p', "p", "ID", "Data preparer identifier").visible_alias("preparer"),
            valued("sysid", "ID", "System identifier"),
            valued("volset", "ID", "Volume set identifier"),
            valued("volset-size", "N", "Volume set size: 1 (larger sets are refused)"),
            valued("volset-seqno", "N", "Volume sequence number: 1"),
            valued("copyright", "FILE", "Copyright file identifier"),
            valued("abstract", "FILE", "Abstract file identifier"),
            valued("biblio", "FILE", "Bibliographic file identifier"),
            flag("graft-points", "Pathspecs may be DEST=SRC"),
            valued("path-list", "FILE", "Read pathspecs from FILE, one a line"),
            valued_short('x', "x", "PATTERN", "Exclude names matching PATTERN")
                .visible_aliases(["exclude", "old-exclude"]),
            valued_short('m', "m", "PATTERN", "Exclude names matching PATTERN (as -x)"),
            valued("exclude-list", "FILE", "Exclude the patterns listed in FILE"),
            short('f', "f", "Follow symbolic links").visible_alias("follow-links"),
            valued("hide", "PATTERN", "Hide matching names from the ISO 9660 tree"),
            valued("hide-joliet", "PATTERN", "Hide matching names from the Joliet tree"),
            valued("hide-list", "FILE", "Hide the patterns listed in FILE from the ISO 9660 tree"),
            valued("hide-joliet-list", "FILE", "Hide the patterns listed in FILE from the Joliet tree"),
            valued("hidden", "PATTERN", "Set the ISO 9660 existence (hidden) bit of matching names"),
            valued("hidden-list", "FILE", "Set the existence bit of the patterns listed in FILE"),
            valued("new-dir-mode", "MODE", "Permissions of directories only a graft point names"),
            valued("root", "DIR", "Put every pathspec's target under DIR of the image"),
            valued("old-root", "DIR", "With -M: update -root from the previous session's DIR"),
            flag("joliet-utf16", "Joliet names in UTF-16 (characters beyond the BMP kept)"),
            valued("log-file", "FILE", "Send every message to FILE"),
            valued("sort", "FILE", "Order file data by the weights in FILE (PATH WEIGHT lines)"),
            flag("print-size", "Print the image's size in 2048-byte blocks and write nothing"),
            flag("rewrite-dirs", "With -M: write every directory anew, as genisoimage does (discburn's own)"),
            flag("quiet", "No messages"),
            short('v', "v", "More messages").visible_aliases(["verbose", "gui"]),
            valued("input-charset", "CHARSET", "Accepted; names are taken as UTF-8")
                .visible_alias("output-charset"),
            valued_short('C', "C", "LAST,NEXT", "Multisession: last session start, next writable address")
                .visible_alias("cdrecord-params"),
            valued_short('M', "M", "IMAGE|DEVICE", "Multisession: the previous session's image or drive")
                .visible_alias("prev-session"),
            valued("remove", "PATH", "Delete PATH of the previous session from the new one"),
            flag("reproducible", "Fixed dates and order (date 0 unless SOURCE_DATE_EPOCH is set)"),
            flag("pad", "Pad the image by 150 sectors (the default)"),
            flag("no-pad", "Do not pad the image"),
            valued_short('c', "c", "PATH", "El Torito boot catalog path").visible_alias("eltorito-catalog"),
            valued_short('b', "b", "PATH", "El Torito boot image (BIOS)").visible_alias("eltorito-boot"),
            valued_short('e', "e", "PATH", "El Torito boot image (UEFI)").visible_alias("efi-boot"),
            flag("eltorito-alt-boot", "Start the next boot entry"),
            flag("no-emul-boot", "The boot image is loaded as is (no emulation)"),
            flag("hard-disk-boot", "The boot image emulates a hard disk"),
            flag("no-boot", "The boot entry is not bootable"),
            valued("boot-load-size", "N", "Sectors (512 bytes) to load in no-emulation mode"),
            valued("boot-load-seg", "SEGMENT", "Load segment of the boot image"),
            flag("boot-info-table", "Patch a boot information table into the boot image"),
            Arg::new("pathspec")
                .value_name("PATHSPEC")
                .action(ArgAction::Append)
                .help("A file or directory (DIR puts its contents at the root; DEST=SRC with -graft-points)"),
        ])
}

fn xorrisofs(c: Command) -> Command {
    mkisofs(c)
        .about("Build hybrid ISO 9660 images with xorrisofs's command line (discburn)")
        .long_about(
            "The xorrisofs personality of discburn (the binary started as xorrisofs, or as \
             xorriso with -as mkisofs, as grub-mkrescue, debian-cd, live-build, mkarchiso \
             and lorax call it): mkisofs's options with xorriso's defaults (volume id \
             ISOIMAGE, Rock Ridge names as given) and xorriso's system area options: \
             isohybrid MBR, GPT, appended partitions, partition offset, GRUB2 boot info. \
             xorriso's native commands are refused; so are HFS+ and Apple partition maps \
             (-hfsplus and its options are skipped with DISCBURN_HFSPLUS=omit in the \
             environment, for grub-mkrescue). -help lists the options as xorriso's -help \
             does, for scripts that look for one.",
        )
        .args([
            valued(
                "isohybrid-mbr",
                "FILE",
                "MBR template (syslinux isohdpfx.bin), patched with the boot image's address",
            ),
            flag(
                "isohybrid-gpt-basdat",
                "Mark the EFI boot images as basic data partitions in a GPT",
            ),
            valued(
                "grub2-mbr",
                "FILE",
                "GRUB2 MBR template (boot_hybrid.img), patched with the boot image's address",
            ),
            flag(
                "grub2-boot-info",
                "Patch the boot image's 512-byte address + 5 at its byte 2548",
            ),
            valued_short(
                'G',
                "G",
                "FILE",
                "System area template (the first 32 KiB of FILE)",
            )
            .visible_aliases(["generic-boot", "embedded-boot"]),
            flag(
                "protective-msdos-label",
                "An MBR partition over the whole image (0xee with a GPT)",
            ),
            flag(
                "mbr-force-bootable",
                "An MBR partition marked bootable, if need be a dummy one",
            ),
            valued(
                "partition_offset",
                "LBA",
                "The first partition starts at LBA (0 or at least 16) with its own descriptors",
            ),
            valued(
                "partition_hd_cyl",
                "N",
                "Heads per cylinder of the MBR geometry",
            ),
            valued(
                "partition_sec_hd",
                "N",
                "Sectors per head of the MBR geometry",
            ),
            valued(
                "partition_cyl_align",
                "MODE",
                "Cylinder alignment of the image size: auto, on, off or all",
            ),
            valued(
                "iso_mbr_part_type",
                "TYPE",
                "MBR type byte (or GPT type GUID) of the ISO partition",
            ),
            valued(
                "gpt_disk_guid",
                "GUID",
                "GPT disk GUID (random, modification-date, or a GUID)",
            ),
            valued(
                "efi-boot-part",
                "FILE",
                "The EFI System Partition: --efi-boot-image for the EFI El Torito image",
            ),
            valued(
                "append_partition",
                "N TYPE FILE",
                "Append FILE after the image as partition N (MBR type byte or GPT type GUID)",
            )
            .num_args(3),
            flag(
                "appended_part_as_gpt",
                "Appended partitions in the GPT instead of the MBR",
            ),
            flag(
                "boot-catalog-hide",
                "Hide the boot catalog from every directory tree",
            ),
            Arg::new("modification-date")
                .long("modification-date")
                .value_name("YYYYMMDDhhmmsscc")
                .require_equals(true)
                .action(ArgAction::Set)
                .help("The volume dates (UTC) and, with it, the MBR id and GUIDs"),
            valued(
                "sort-weight",
                "WEIGHT PATH",
                "Data order weight of PATH (a file, or a tree) inserted before",
            )
            .num_args(2),
            valued("uid", "N", "Owner of every file (Rock Ridge)"),
            valued("gid", "N", "Group of every file (Rock Ridge)"),
            valued(
                "file-mode",
                "MODE",
                "Permissions of every file (Rock Ridge)",
            ),
            valued(
                "dir-mode",
                "MODE",
                "Permissions of every directory (Rock Ridge)",
            ),
            valued(
                "rr_reloc_dir",
                "NAME",
                "Relocate deep trees into NAME (xorrisofs has -D by default)",
            ),
            flag(
                "md5",
                "MD5 checksums of the session and of each file, as libisofs records them",
            ),
            flag("help", "Print the options (as xorriso -as mkisofs -help)"),
            flag("version", "Print the version"),
        ])
}

/// The `discburn` command with its subcommands, as clap builds it.
fn discburn_command() -> Command {
    let mut c = Cli::command();
    c.build();
    c
}

/// Renders `cmd` as a man page titled `title`; `single_dash` turns `--long` into `-long`
/// (the personalities' option style, which their parsers accept both ways).
fn render(cmd: Command, title: &str, single_dash: bool) -> Result<Vec<u8>, CliError> {
    let man = clap_mangen::Man::new(cmd)
        .title(title.to_ascii_uppercase())
        .section("1")
        .source(format!("discburn {}", env!("CARGO_PKG_VERSION")))
        .manual("discburn manual");
    let mut buf = Vec::new();
    man.render(&mut buf)?;
    if single_dash {
        let s = String::from_utf8_lossy(&buf).replace("\\-\\-", "\\-");
        buf = s.into_bytes();
    }
    Ok(buf)
}

/// Every page: (file name, roff text).
pub fn pages() -> Result<Vec<(String, Vec<u8>)>, CliError> {
    let mut out = Vec::new();
    let top = discburn_command();
    out.push((
        "discburn.1".to_string(),
        render(top.clone(), "discburn", false)?,
    ));
    for sub in top.get_subcommands() {
        let name = sub.get_name();
        if name == "help" || sub.is_hide_set() || name == "mkisofs" {
            continue;
        }
        let page = format!("discburn-{name}");
        let cmd = sub
            .clone()
            .name(page.clone())
            .bin_name(format!("discburn {name}"));
        out.push((format!("{page}.1"), render(cmd, &page, false)?));
    }
    for p in Persona::ALL {
        let first = p.names()[0];
        let page = format!("discburn-{first}");
        let mut cmd = p.command(first);
        let also: Vec<String> = p.names()[1..]
            .iter()
            .chain(std::iter::once(&first))
            .map(|n| format!("discburn-{n}"))
            .chain(p.names()[1..].iter().map(|n| n.to_string()))
            .collect();
        let mut after = format!("Also started as: {}.", also.join(", "));
        if p == Persona::Mkisofs {
            after.push_str(" `discburn mkisofs ARGS` takes the same arguments.");
        }
        cmd = cmd.after_long_help(after);
        out.push((format!("{page}.1"), render(cmd, &page, true)?));
    }
    Ok(out)
}

/// `discburn man --dir DIR`: writes every page into DIR (created if missing).
pub fn run_man(a: &ManArgs) -> Result<(), CliError> {
    let fail = |p: &Path, e: std::io::Error| CliError::Failed(format!("{}: {e}", p.display()));
    fs::create_dir_all(&a.dir).map_err(|e| fail(&a.dir, e))?;
    for (name, text) in pages()? {
        let p = a.dir.join(&name);
        fs::write(&p, text).map_err(|e| fail(&p, e))?;
        outln!("{}", p.display());
    }
    Ok(())
}

/// `discburn completions SHELL [--for NAME]`: prints the script on standard output.
pub fn run_completions(a: &CompletionsArgs) -> Result<(), CliError> {
    let (mut cmd, name) = match a.name.as_deref() {
        None | Some("discburn") => (discburn_command(), "discburn".to_string()),
        Some(n) => match Persona::for_name(n) {
            Some(p) => (p.command(n), n.to_string()),
            None => {
                return Err(CliError::Usage(format!(
                    "completions --for {n}: not a name discburn answers to (discburn, {})",
                    Persona::ALL
                        .iter()
                        .flat_map(|p| p.names())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        },
    };
    let shell: Shell = a.shell;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut out);
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    w.write_all(&out)?;
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The arguments that exercise `arg` on a personality's command line: its documented
    /// spelling (single dash, as the pages show it), with a value where it takes one.
    fn spellings(p: Persona, arg: &Arg) -> Vec<Vec<String>> {
        let takes_value = !matches!(
            arg.get_action(),
            ArgAction::SetTrue | ArgAction::Count | ArgAction::SetFalse
        );
        let mut names: Vec<String> = Vec::new();
        if let Some(s) = arg.get_short() {
            names.push(format!("-{s}"));
        }
        for l in arg.get_long_and_visible_aliases().unwrap_or_default() {
            names.push(format!("-{l}"));
        }
        names
            .into_iter()
            .map(|n| match (takes_value, p) {
                (false, _) => vec![n],
                (true, Persona::Mkisofs | Persona::Xorrisofs)
                    if arg.get_id() == "modification-date" =>
                {
                    vec![format!("{n}=2026120700000000")]
                }
                (true, Persona::Mkisofs | Persona::Xorrisofs) => vec![n, "x".into()],
                (true, _) => vec![format!("{n}=1")],
            })
            .collect()
    }

    /// Every option the pages and completions list is one the personality's own parser
    /// takes (it may still refuse the value or a missing file, but never the option).
    #[test]
    fn documented_options_are_accepted() {
        for p in Persona::ALL {
            let cmd = p.command(p.names()[0]);
            for arg in cmd.get_arguments() {
                // xorrisofs answers -help and -version before it parses (run_xorrisofs;
                // the xorrisofs tests run them).
                if p == Persona::Xorrisofs && ["help", "version"].contains(&arg.get_id().as_str()) {
                    continue;
                }
                for argv in spellings(p, arg) {
                    let unknown = |msg: &str| {
                        msg.contains("Bad Option")
                            || msg.contains("unknown option")
                            || msg.contains("unsupported option")
                    };
                    let err = match p {
                        Persona::Cdrecord => crate::legacy::cdrecord::parse("cdrecord", &argv)
                            .err()
                            .map(|e| e.to_string()),
                        Persona::Mkisofs | Persona::Xorrisofs => {
                            let mut v = argv.clone();
                            v.push("dir".into());
                            crate::legacy::mkisofs::parse("mkisofs", &v)
                                .err()
                                .map(|e| e.to_string())
                        }
                        Persona::Readcd => crate::legacy::readcd::parse("readcd", &argv)
                            .err()
                            .map(|e| e.to_string()),
                    };
                    if let Some(e) = err {
                        assert!(!unknown(&e), "{p:?} {argv:?}: {e}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_page_is_roff_with_its_name() {
        let pages = pages().unwrap();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        for n in [
            "discburn.1",
            "discburn-add.1",
            "discburn-burn.1",
            "discburn-completions.1",
            "discburn-cdrecord.1",
            "discburn-mkisofs.1",
            "discburn-readcd.1",
            "discburn-xorrisofs.1",
        ] {
            assert!(names.contains(&n), "{n} missing from {names:?}");
        }
        assert!(
            !names.contains(&"discburn-man.1"),
            "the hidden man command has no page"
        );
        let cdrecord = &pages
            .iter()
            .find(|(n, _)| n == "discburn-cdrecord.1")
            .unwrap()
            .1;
        let text = String::from_utf8_lossy(cdrecord);
        assert!(text.contains(".TH DISCBURN-CDRECORD 1"), "{text}");
        assert!(text.contains("\\-msinfo"), "{text}");
        assert!(!text.contains("\\-\\-msinfo"), "{text}");
    }

    #[test]
    fn personality_names() {
        assert_eq!(Persona::for_name("discburn-wodim"), Some(Persona::Cdrecord));
        assert_eq!(Persona::for_name("genisoimage"), Some(Persona::Mkisofs));
        assert_eq!(Persona::for_name("readcd"), Some(Persona::Readcd));
        assert_eq!(Persona::for_name("xorrisofs"), Some(Persona::Xorrisofs));
        assert_eq!(Persona::for_name("growisofs"), None);
    }
}
