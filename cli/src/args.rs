//! Every clap type of the `discburn` command line, in one place.
//!
//! The legacy personalities (`cdrecord`, `wodim`) keep their own historic syntax
//! (`dev=0,0,0 -scanbus`), which clap cannot express; `legacy/` parses it by hand.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Burn multisession CDs, DVDs and Blu-rays; talk to drives through SCSI passthrough.
#[derive(Debug, Parser)]
#[command(name = "discburn", version, about, propagate_version = true)]
pub struct Cli {
    /// Options every subcommand takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the process's command line as [`Parser::parse`] does (usage errors print and
    /// exit with status 2), except that `--dev` given before the subcommand's name and after
    /// it combine, in the order given: `discburn --dev A add --dev B DIR` writes to A and B.
    ///
    /// clap lets a global option given after the subcommand replace the one given before
    /// it, which would drop drive A without a word. cdrecord has one `dev=` and no
    /// subcommands, so it sets no precedent; in discburn a repeated `--dev` means "every
    /// one of these drives" (`add`, `burn`), and where it stands on the line must not change
    /// that. Commands of one drive refuse a second `--dev` wherever it is
    /// ([`GlobalArgs::settle`]), and `add`/`burn` refuse the same drive named twice.
    pub fn parse_combined() -> Cli {
        Self::try_parse_combined_from(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    /// [`Self::parse_combined`] of `args` (the first is the program name), giving clap's
    /// error instead of exiting.
    pub fn try_parse_combined_from<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::{CommandFactory, FromArgMatches};
        let mut command = Cli::command();
        // `--dev` is taken off the global options and given to the top level and to each
        // subcommand as an option of its own, so the values before and after the
        // subcommand's name stay apart in the matches.
        let dev = command
            .get_arguments()
            .find(|a| a.get_id() == "devs")
            .map(|a| a.clone().global(false));
        if let Some(dev) = dev {
            command = command.mut_arg("devs", |a| a.global(false));
            let names: Vec<String> = command
                .get_subcommands()
                .map(|s| s.get_name().to_string())
                .collect();
            for n in names {
                command = command.mut_subcommand(n, |s| s.arg(dev.clone()));
            }
        }
        let matches = command.try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        if let Some((_, sub)) = matches.subcommand() {
            if let Ok(Some(after)) = sub.try_get_many::<String>("devs") {
                cli.global.devs.extend(after.cloned());
            }
        }
        Ok(cli)
    }
}

/// Options every subcommand takes.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Device: b,t,l | t,l | ATA:b,t,l | a path (/dev/sr0, /dev/sg1) | emu:PATH[,key=value...].
    /// Default: $CDR_DEVICE, else the only CD/DVD drive present. `add` and `burn` take it
    /// more than once: the same session to every drive at once (given before the
    /// subcommand's name and after it, every one counts).
    #[arg(
        long = "dev",
        global = true,
        value_name = "DEV",
        allow_hyphen_values = true,
        action = clap::ArgAction::Append
    )]
    pub devs: Vec<String>,
    /// The first `--dev` (set from `devs` by [`GlobalArgs::settle`]).
    #[arg(skip)]
    pub dev: Option<String>,
    /// More output: -v informational messages, -vv every SCSI command (CDB, status, sense,
    /// time) on stderr, -vvv also the first data bytes of each command.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Machine-readable JSON on stdout (shapes documented in the `output` module).
    #[arg(long, global = true)]
    pub json: bool,
}

impl GlobalArgs {
    /// Options for a command given one device (`dev`, none in `devs`).
    pub fn one(dev: Option<String>, verbose: u8, json: bool) -> GlobalArgs {
        GlobalArgs {
            devs: dev.iter().cloned().collect(),
            dev,
            verbose,
            json,
        }
    }

    /// Sets `dev` to the first `--dev`; more than one is refused unless `many` (the
    /// commands that write to several drives at once).
    pub fn settle(&mut self, many: bool) -> Result<(), crate::error::CliError> {
        if self.devs.len() > 1 && !many {
            return Err(crate::error::CliError::Usage(format!(
                "--dev given {} times: only add and burn write to several drives at once",
                self.devs.len()
            )));
        }
        self.dev = self.devs.first().cloned();
        Ok(())
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every SCSI device with its b,t,l, device nodes, vendor, product, revision and type.
    Scan(ScanArgs),
    /// Show a device's standard INQUIRY data, unit serial number and device identification.
    Inquiry(InquiryArgs),
    /// Send one CDB and show status, decoded sense and the data in hex (like sg_raw).
    Raw(RawArgs),
    /// Drive identity, firmware, interface, buffer, capabilities (page 2Ah), profiles.
    Info(InfoArgs),
    /// The loaded medium: profile, status, sessions, tracks, next writable address, free space.
    Media(MediaArgs),
    /// The table of contents, in cdrecord's -toc layout.
    Toc(TocArgs),
    /// ATIP of a CD-R/RW with the disc manufacturer, in cdrecord's -atip layout.
    Atip(AtipArgs),
    /// Last session start and next writable address: `a,b` for `mkisofs -C a,b`.
    Msinfo(MsinfoArgs),
    /// Every feature descriptor of GET CONFIGURATION, decoded; current ones marked.
    Features(FeaturesArgs),
    /// Read and write speeds the drive offers for the loaded medium.
    Speeds(SpeedsArgs),
    /// Append a session with these files to the disc: msinfo, import, build, write, verify.
    Add(AddArgs),
    /// Write an image file (or standard input, `-`) as one session.
    Burn(BurnArgs),
    /// Blank a CD-RW or DVD-RW.
    Blank(BlankArgs),
    /// Format a DVD+RW or BD-RE.
    Format(FormatArgs),
    /// Finalize (close) an appendable disc.
    Close(CloseArgs),
    /// Open the tray.
    Eject(EjectArgs),
    /// Close the tray.
    Load(LoadArgs),
    /// Build an ISO 9660 image with mkisofs's options (-R -J -o -C -M ...).
    Mkisofs(MkisofsArgs),
    /// List a session of an image file or of the disc (--dev).
    Ls(LsArgs),
    /// Extract files from a session of an image file or of the disc, or cat one.
    Extract(ExtractArgs),
    /// List the sessions of an image file or of the disc.
    Sessions(SessionsArgs),
    /// Dump sectors to an image with retries and a GNU ddrescue map (readcd, ddrescue).
    Read(crate::cmd::read::ReadArgs),
    /// Media scan: unreadable and slow blocks, read speed over the disc, `--plot`.
    Check(crate::cmd::check::CheckArgs),
    /// Compare a session with an image or a directory tree; list every difference.
    Verify(crate::cmd::verify::VerifyArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Write the manual pages (roff) into a folder: for packagers.
    #[command(hide = true)]
    Man(ManArgs),
    /// Serve emulated drives over iSCSI (LUN 1, 2, ...); prints each LUN's iscsi:// URL.
    Serve(crate::cmd::serve::ServeArgs),
}

/// `discburn mkisofs`: every argument is passed to the mkisofs personality.
#[derive(Debug, Args)]
pub struct MkisofsArgs {
    /// mkisofs options and pathspecs (`discburn mkisofs -R -J -o out.iso dir`).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    pub args: Vec<String>,
}

/// `discburn completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
    /// The program name to complete: discburn (the default), or a personality's name
    /// (cdrecord, wodim, mkisofs, genisoimage, readcd, or one of them with `discburn-`).
    #[arg(long = "for", value_name = "NAME")]
    pub name: Option<String>,
}

/// `discburn man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The folder to write discburn.1, discburn-SUBCOMMAND.1 and the personalities' pages to.
    #[arg(long, value_name = "DIR")]
    pub dir: std::path::PathBuf,
}

/// `discburn ls`.
#[derive(Debug, Args)]
pub struct LsArgs {
    /// Image file (an LBA-addressed disc image); without it, the disc in --dev.
    #[arg(long, short = 'i', value_name = "IMAGE")]
    pub image: Option<std::path::PathBuf>,
    /// Session number (1 = first; default: the last).
    #[arg(long, value_name = "N")]
    pub session: Option<usize>,
    /// Long listing: mode, links, owner, group, size, time, link target.
    #[arg(short = 'l', long)]
    pub long: bool,
    /// List the whole tree below PATH.
    #[arg(short = 'R', long)]
    pub recursive: bool,
    /// Which directory tree to read (default: Rock Ridge, else Joliet, ISO 9660:1999,
    /// ISO 9660).
    #[arg(long, value_enum, value_name = "TREE")]
    pub namespace: Option<NamespaceArg>,
    /// Path in the image (default /).
    #[arg(value_name = "PATH")]
    pub path: Option<String>,
}

/// A directory tree of an ISO 9660 session, as `--namespace` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NamespaceArg {
    /// ISO 9660 names with Rock Ridge attributes.
    RockRidge,
    /// The Joliet tree.
    Joliet,
    /// The ISO 9660:1999 tree.
    Iso1999,
    /// Plain ISO 9660 names.
    Iso9660,
}

impl From<NamespaceArg> for isofs::read::Namespace {
    fn from(n: NamespaceArg) -> Self {
        match n {
            NamespaceArg::RockRidge => Self::RockRidge,
            NamespaceArg::Joliet => Self::Joliet,
            NamespaceArg::Iso1999 => Self::Iso1999,
            NamespaceArg::Iso9660 => Self::Iso9660,
        }
    }
}

/// `discburn extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Image file; without it, the disc in --dev.
    #[arg(long, short = 'i', value_name = "IMAGE")]
    pub image: Option<std::path::PathBuf>,
    /// Session number (default: the last).
    #[arg(long, value_name = "N")]
    pub session: Option<usize>,
    /// Target directory (default: the current one).
    #[arg(short = 'C', long = "directory", value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
    /// Write the file's bytes to standard output instead.
    #[arg(long)]
    pub cat: bool,
    /// Keep setuid, setgid and sticky bits and ignore the umask (tar -p); setuid/setgid
    /// still only on files owned by the recorded owner/group.
    #[arg(short = 'p', long)]
    pub preserve_permissions: bool,
    /// Give entries the owner and group Rock Ridge recorded (default: the extracting
    /// user's, also for root).
    #[arg(long)]
    pub same_owner: bool,
    /// Which directory tree to read (default: Rock Ridge, else Joliet, ISO 9660:1999,
    /// ISO 9660).
    #[arg(long, value_enum, value_name = "TREE")]
    pub namespace: Option<NamespaceArg>,
    /// Path in the image (default /: everything).
    #[arg(value_name = "PATH")]
    pub path: Option<String>,
}

/// `discburn sessions`.
#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// Image file; without it, the disc in --dev.
    #[arg(value_name = "IMAGE")]
    pub image: Option<std::path::PathBuf>,
}

/// `discburn info`.
#[derive(Debug, Args)]
pub struct InfoArgs {}

/// `discburn media`.
#[derive(Debug, Args)]
pub struct MediaArgs {}

/// `discburn toc`.
#[derive(Debug, Args)]
pub struct TocArgs {}

/// `discburn atip`.
#[derive(Debug, Args)]
pub struct AtipArgs {}

/// `discburn msinfo`.
#[derive(Debug, Args)]
pub struct MsinfoArgs {}

/// `discburn features`.
#[derive(Debug, Args)]
pub struct FeaturesArgs {}

/// `discburn speeds`.
#[derive(Debug, Args)]
pub struct SpeedsArgs {}

/// `discburn scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Only CD/DVD devices (peripheral device type 05h).
    #[arg(long)]
    pub drives_only: bool,
}

/// `discburn inquiry`.
#[derive(Debug, Args)]
pub struct InquiryArgs {}

/// `discburn raw`.
#[derive(Debug, Args)]
pub struct RawArgs {
    /// The CDB in hex, as one argument or one per byte: `28 00 00 00 00 10 00 00 02 00`.
    #[arg(required = true, num_args = 1.., value_name = "CDB-HEX")]
    pub cdb: Vec<String>,
    /// Data-in phase of LEN bytes (decimal or 0x hex).
    #[arg(long = "in", value_name = "LEN", value_parser = crate::cmd::raw::parse_len,
          conflicts_with = "data_out")]
    pub data_in: Option<usize>,
    /// Data-out phase: send the bytes of FILE (`-`: stdin).
    #[arg(long = "out", value_name = "FILE")]
    pub data_out: Option<std::path::PathBuf>,
    /// Command timeout in seconds (default 30).
    #[arg(long, value_name = "S", value_parser = crate::cmd::raw::parse_timeout)]
    pub timeout: Option<std::time::Duration>,
    /// Write the data received, as raw bytes, to FILE (the report stays on stdout).
    #[arg(long, value_name = "FILE")]
    pub save: Option<std::path::PathBuf>,
    /// Write the data received, as raw bytes, to stdout; the report goes to stderr.
    #[arg(long)]
    pub bin: bool,
    /// Print only the data received, as one line of lowercase hex.
    #[arg(long)]
    pub hex: bool,
}

/// Options of the writing commands shared by `add` and `burn`.
#[derive(Debug, Clone, Args)]
pub struct WriteCommon {
    /// Write speed in x of the medium's 1x (default: as fast as possible).
    #[arg(long, value_name = "X")]
    pub speed: Option<f64>,
    /// Eject the disc afterwards.
    #[arg(long)]
    pub eject: bool,
    /// Write even while the device is mounted; `burn`: also replace the sessions of a
    /// DVD+RW/BD-RE with an image not made to follow them.
    #[arg(long)]
    pub force: bool,
    /// FIFO size (suffix k, m, g), like cdrecord fs=; default 32m.
    #[arg(long, value_name = "SIZE")]
    pub fifo_size: Option<String>,
    /// No progress display.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Do not read the session back and compare it with what was sent.
    #[arg(long)]
    pub no_verify: bool,
    /// Also hash the session read back with MD5 and compare it with the MD5 of what was
    /// sent (a second whole-session MD5 pass: the verify takes about as long as the MD5 of
    /// the writing; the default compares 64 KiB units by XXH3-128).
    #[arg(long, conflicts_with = "no_verify")]
    pub verify_md5: bool,
}

/// `discburn add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Finalize the disc after this session (default: leave it appendable).
    #[arg(long)]
    pub close: bool,
    /// Write a session without the previous session's files when that session holds an
    /// ISO 9660 volume that cannot be read whole (default: refuse, nothing written).
    #[arg(long)]
    pub fresh_tree: bool,
    /// Remove this file or directory (image path) from the new session; repeatable.
    #[arg(long, value_name = "PATH")]
    pub remove: Vec<String>,
    /// Volume identifier (mkisofs -V; default: the previous session's, as xorriso keeps it).
    #[arg(long = "volid", value_name = "ID")]
    pub volid: Option<String>,
    /// No Rock Ridge (default: -R, owners and modes as they are).
    #[arg(long)]
    pub no_rock: bool,
    /// Rationalized Rock Ridge (mkisofs -r) instead of -R.
    #[arg(long = "rational-rock")]
    pub rational_rock: bool,
    /// No Joliet tree (default: -J).
    #[arg(long)]
    pub no_joliet: bool,
    /// ISO 9660 level 1..4 (default 3).
    #[arg(long, value_name = "N")]
    pub iso_level: Option<u8>,
    /// Make the new session's tree equal DIR (xorriso -update_r): DIR's contents at the
    /// root, every file of the previous session that DIR lacks removed; unchanged files
    /// keep their blocks on the disc (found by content). No PATH arguments with it.
    #[arg(long, value_name = "DIR")]
    pub mirror: Option<std::path::PathBuf>,
    /// Leave out source names or paths matching this pattern (mkisofs -m; with --mirror
    /// they are also removed from the session); repeatable.
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Write nothing: list the files the session would add, replace and remove, its size
    /// in blocks and whether it fits the free space (the session is built as it would be
    /// written, so the size is exact; only reads reach the drive). Exit status 1 when it
    /// would not fit.
    #[arg(long)]
    pub dry_run: bool,
    /// Record no MD5 checksums in the session (default: each file's MD5 and the session's
    /// checksum tags, as xorriso -md5 on records them; `verify` checks them).
    #[arg(long)]
    pub no_md5: bool,
    /// Write every directory anew, as mkisofs and xorriso do (default on write-once media:
    /// directories that did not change keep the previous session's copy; on overwritable
    /// media every directory is always written, for readers such as bsdtar).
    #[arg(long)]
    pub rewrite_dirs: bool,
    /// Write Reed-Solomon repair data after the session: PERCENT of its blocks as parity
    /// (1-100), in the same track after the ISO 9660 volume; `read --repair` rebuilds the
    /// session while no more than that share of its blocks is unreadable.
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub ecc: Option<u32>,
    /// Shared writing options.
    #[command(flatten)]
    pub common: WriteCommon,
    /// Files and directories (mkisofs pathspecs: DIR puts its contents at the root,
    /// DEST=SRC grafts SRC at DEST), optionally preceded by mkisofs options (`-R -J -V ID
    /// -graft-points -x PAT ...`): when any is given, they shape the image as they would
    /// for mkisofs (no Rock Ridge or Joliet unless asked for); -C and -M are computed.
    #[arg(
        value_name = "[MKISOFS OPTIONS] PATH",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub paths: Vec<String>,
}

/// `discburn burn`.
#[derive(Debug, Args)]
pub struct BurnArgs {
    /// Leave the disc appendable (default: finalize it).
    #[arg(long)]
    pub multi: bool,
    /// Test write: the laser stays off (CD-R/RW, DVD-R/RW only).
    #[arg(long)]
    pub dummy: bool,
    /// Session at once on CD-R/RW (cdrecord -sao): a cue sheet announces the session, so its
    /// size must be known (an image file, or --tsize for standard input); other media are
    /// written as usual.
    #[arg(long)]
    pub sao: bool,
    /// Size of the image on standard input (suffix k, m, g, s = 2048-byte sectors).
    #[arg(long, value_name = "SIZE")]
    pub tsize: Option<String>,
    /// Write Reed-Solomon repair data after the image in the same track (PERCENT of its
    /// blocks as parity, 1-100; as `add --ecc`, for `read --repair`); needs the image's
    /// size (a file, or --tsize).
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub ecc: Option<u32>,
    /// Shared writing options.
    #[command(flatten)]
    pub common: WriteCommon,
    /// Audio CD from a CDRWIN cue file (FILE BINARY/MOTOROLA/WAVE, TRACK AUDIO or
    /// MODE1/2048, INDEX, PREGAP, POSTGAP, ISRC, CATALOG, FLAGS, TITLE/PERFORMER/SONGWRITER),
    /// session-at-once with its CD-TEXT (cdrecord -dao -text cuefile=FILE).
    #[arg(long, value_name = "FILE.cue", conflicts_with_all = ["images", "audio", "tsize"])]
    pub cue: Option<std::path::PathBuf>,
    /// The files are audio tracks (WAVE, or raw 16-bit stereo CD-DA, little-endian unless
    /// --big-endian); without it a WAVE file is audio and any other file a mode-1 data
    /// track. Several files, or any WAVE file, make an audio/mixed CD as --audio does.
    #[arg(long)]
    pub audio: bool,
    /// Pad an audio file that does not fill its last sector with silence (cdrecord -pad).
    #[arg(long)]
    pub pad: bool,
    /// Raw audio files hold big-endian samples (cdrecord's default for raw audio; cue
    /// files say it with FILE ... MOTOROLA).
    #[arg(long)]
    pub big_endian: bool,
    /// Allow audio tracks under 4 s (Red Book's minimum), session-at-once only (cdrecord
    /// -shorttrack).
    #[arg(long)]
    pub shorttrack: bool,
    /// Audio track-at-once (cdrecord -tao): each track with the drive's 2-s pre-gap, no
    /// CD-TEXT; the default for audio is session-at-once.
    #[arg(long, conflicts_with = "sao")]
    pub tao: bool,
    /// Do not write the cue file's CD-TEXT.
    #[arg(long)]
    pub no_text: bool,
    /// The disc's media catalog number (13 digits; overrides the cue's CATALOG).
    #[arg(long, value_name = "DIGITS")]
    pub mcn: Option<String>,
    /// The image file, or `-` for standard input; with --audio (or WAVE files), the
    /// tracks in order.
    #[arg(
        value_name = "IMAGE",
        allow_hyphen_values = true,
        required_unless_present = "cue"
    )]
    pub images: Vec<std::path::PathBuf>,
}

/// `discburn blank`.
#[derive(Debug, Args)]
pub struct BlankArgs {
    /// Minimal blank: PMA, TOC and pregap (the default).
    #[arg(long, conflicts_with_all = ["all", "session"])]
    pub fast: bool,
    /// Blank the whole disc.
    #[arg(long, conflicts_with = "session")]
    pub all: bool,
    /// Blank the last session only.
    #[arg(long)]
    pub session: bool,
    /// Blank even while the device is mounted.
    #[arg(long)]
    pub force: bool,
}

/// `discburn format`.
#[derive(Debug, Args)]
pub struct FormatArgs {
    /// Format even while the device is mounted, or when the medium is formatted and holds
    /// sessions (which formatting destroys).
    #[arg(long)]
    pub force: bool,
}

/// `discburn close`.
#[derive(Debug, Args)]
pub struct CloseArgs {
    /// Close even while the device is mounted.
    #[arg(long)]
    pub force: bool,
}

/// `discburn eject`.
#[derive(Debug, Args)]
pub struct EjectArgs {}

/// `discburn load`.
#[derive(Debug, Args)]
pub struct LoadArgs {}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_anywhere() {
        let mut c = Cli::try_parse_from(["discburn", "inquiry", "--dev", "0,0,0", "-vv"]).unwrap();
        c.global.settle(false).unwrap();
        assert_eq!(c.global.dev.as_deref(), Some("0,0,0"));
        assert_eq!(c.global.verbose, 2);
        let mut c =
            Cli::try_parse_from(["discburn", "add", "--dev", "a", "--dev", "b", "x"]).unwrap();
        assert_eq!(c.global.devs, ["a", "b"]);
        c.global.settle(true).unwrap();
        assert_eq!(c.global.dev.as_deref(), Some("a"));
        let mut c = Cli::try_parse_from(["discburn", "toc", "--dev", "a", "--dev", "b"]).unwrap();
        assert!(c.global.settle(false).is_err());
        let c = Cli::try_parse_from(["discburn", "--json", "scan"]).unwrap();
        assert!(c.global.json);
        assert!(matches!(c.command, Command::Scan(_)));
    }

    /// `--dev` before the subcommand and after it combine in the order given (clap alone
    /// would keep only the ones after it); the other global options still go anywhere.
    #[test]
    fn dev_before_and_after_the_subcommand_combine() {
        let p = |a: &[&str]| Cli::try_parse_combined_from(a.iter().copied()).unwrap();
        let c = p(&["discburn", "--dev", "a", "add", "--dev", "b", "x"]);
        assert_eq!(c.global.devs, ["a", "b"]);
        let c = p(&[
            "discburn", "--dev", "a", "--dev", "b", "burn", "-v", "--dev", "c", "i",
        ]);
        assert_eq!(c.global.devs, ["a", "b", "c"]);
        assert_eq!(c.global.verbose, 1);
        assert_eq!(p(&["discburn", "--dev", "a", "media"]).global.devs, ["a"]);
        assert_eq!(p(&["discburn", "media", "--dev", "a"]).global.devs, ["a"]);
        assert!(p(&["discburn", "scan"]).global.devs.is_empty());
        let mut c = p(&["discburn", "--dev", "a", "toc", "--dev", "b"]);
        assert_eq!(c.global.devs, ["a", "b"]);
        assert!(
            c.global.settle(false).is_err(),
            "one-drive commands refuse two"
        );
        let c = p(&["discburn", "-vv", "--json", "inquiry", "--dev=0,0,0"]);
        assert_eq!((c.global.verbose, c.global.json), (2, true));
        assert_eq!(c.global.devs, ["0,0,0"]);
        assert!(Cli::try_parse_combined_from(["discburn", "add", "--dev"]).is_err());
    }
}
