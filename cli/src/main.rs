//! `discburn`: the command-line front end.
//!
//! The binary's name picks the personality (`legacy`): `cdrecord`/`wodim` take cdrecord's
//! syntax; any other name is the `discburn` command line of `args`. Exit status: 0 success,
//! 1 failure, 2 usage error (see `error`).
#![forbid(unsafe_code)]

/// `println!` that returns a closed stdout (`discburn ... | head`) as an error to the
/// caller (`CliError::Output`, a quiet exit 141 in `main`) instead of panicking.
macro_rules! outln {
    ($($t:tt)*) => {
        $crate::output::write_stdout(format_args!("{}\n", format_args!($($t)*)))?
    };
}

/// `print!` with the error handling of `outln!`.
macro_rules! out {
    ($($t:tt)*) => {
        $crate::output::write_stdout(format_args!($($t)*))?
    };
}

mod args;
mod cmd;
mod device;
mod docs;
mod error;
mod job;
mod legacy;
mod output;
mod progress;

use crate::args::{Cli, Command};
use crate::error::CliError;
use crate::legacy::Personality;

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    let argv0 = argv.first().map(String::as_str).unwrap_or("discburn");
    let (personality, prog) = Personality::from_argv0(argv0);
    let result = match personality {
        Personality::Cdrecord => legacy::cdrecord::run(&prog, argv.get(1..).unwrap_or(&[])),
        Personality::Mkisofs => legacy::mkisofs::run(&prog, argv.get(1..).unwrap_or(&[])),
        Personality::Readcd => legacy::readcd::run(&prog, argv.get(1..).unwrap_or(&[])),
        Personality::Growisofs => legacy::growisofs::run(&prog, argv.get(1..).unwrap_or(&[])),
        Personality::DvdRwFormat => {
            legacy::dvdrwtools::run_format(&prog, argv.get(1..).unwrap_or(&[]))
        }
        Personality::DvdRwMediainfo => {
            legacy::dvdrwtools::run_mediainfo(&prog, argv.get(1..).unwrap_or(&[]))
        }
        Personality::Xorrisofs => {
            legacy::mkisofs::run_xorrisofs(&prog, argv.get(1..).unwrap_or(&[]))
        }
        Personality::Xorriso => legacy::run_xorriso(&prog, argv.get(1..).unwrap_or(&[])),
        Personality::Discburn => run_discburn(),
    };
    if let Err(e) = result {
        // A reader that went away (`discburn media | head`): end quietly, with the status a
        // shell shows for a program ended by SIGPIPE, as the classic tools are.
        if let CliError::Output(io) = &e {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(141);
            }
        }
        let msg = e.to_string();
        // Legacy messages carry their program name already; an empty one was given
        // elsewhere (xorrisofs -log-file).
        if msg.is_empty() {
        } else if msg.starts_with(&format!("{prog}:")) {
            eprintln!("{msg}");
        } else {
            eprintln!("{prog}: {msg}");
        }
        std::process::exit(e.exit_code());
    }
}

fn run_discburn() -> Result<(), CliError> {
    // clap prints its own usage errors and exits with status 2 (0 for --help/--version).
    let mut cli = Cli::parse_combined();
    init_logging(cli.global.verbose);
    let many = matches!(cli.command, Command::Add(_) | Command::Burn(_));
    cli.global.settle(many)?;
    match &cli.command {
        Command::Scan(a) => cmd::scan::run(&cli.global, a),
        Command::Inquiry(a) => cmd::inquiry::run(&cli.global, a),
        Command::Raw(a) => cmd::raw::run(&cli.global, a),
        Command::Info(a) => cmd::info::run(&cli.global, a),
        Command::Media(a) => cmd::media::run(&cli.global, a),
        Command::Toc(a) => cmd::toc::run(&cli.global, a),
        Command::Atip(a) => cmd::atip::run(&cli.global, a),
        Command::Msinfo(a) => cmd::msinfo::run(&cli.global, a),
        Command::Features(a) => cmd::features::run(&cli.global, a),
        Command::Speeds(a) => cmd::speeds::run(&cli.global, a),
        Command::Add(a) => cmd::add::run(&cli.global, a),
        Command::Burn(a) => cmd::burn::run(&cli.global, a),
        Command::Blank(a) => cmd::blank::run(&cli.global, a),
        Command::Format(a) => cmd::format::run(&cli.global, a),
        Command::Close(a) => cmd::close::run(&cli.global, a),
        Command::Eject(a) => cmd::eject::run(&cli.global, a),
        Command::Load(a) => cmd::load::run(&cli.global, a),
        Command::Mkisofs(a) => cmd::mkisofs::run(a),
        Command::Ls(a) => cmd::ls::run(&cli.global, a),
        Command::Extract(a) => cmd::extract::run(&cli.global, a),
        Command::Sessions(a) => cmd::sessions::run(&cli.global, a),
        Command::Read(a) => cmd::read::run(&cli.global, a),
        Command::Check(a) => cmd::check::run(&cli.global, a),
        Command::Serve(a) => cmd::serve::run(&cli.global, a),
        Command::Verify(a) => cmd::verify::run(&cli.global, a),
        Command::Completions(a) => docs::run_completions(a),
        Command::Man(a) => docs::run_man(a),
    }
}

/// Sets up `log` output on stderr: warnings by default, `-v` info, `-vv` debug, `-vvv` trace
/// (`DISCBURN_LOG` overrides, in env_logger syntax).
pub(crate) fn init_logging(verbose: u8) {
    init_logging_to(verbose, None);
}

/// [`init_logging`] with the messages going to `target` instead of stderr (xorrisofs
/// `-log-file`).
pub(crate) fn init_logging_to(verbose: u8, target: Option<Box<dyn std::io::Write + Send>>) {
    let level = match verbose {
        0 => log::LevelFilter::Warn,
        1 => log::LevelFilter::Info,
        2 => log::LevelFilter::Debug,
        _ => log::LevelFilter::Trace,
    };
    let mut b = env_logger::Builder::new();
    b.filter_level(level)
        .format_timestamp(None)
        .parse_env("DISCBURN_LOG");
    if let Some(t) = target {
        b.target(env_logger::Target::Pipe(t));
    }
    let _ = b.try_init();
}
