//! `discburn serve`: emulated drives served as iSCSI logical units (RFC 7143 target in the
//! `iscsi` crate), so that QEMU, Linux's and Windows' initiators, and every burning program
//! behind them, reach them as SCSI devices of type 5.
//!
//! Each `emu:PATH[,options]` is opened as the disc's one writer and becomes LUN 1, 2, ...
//! in the order given; every `emu:` option (faults, speed, buffer, bup) applies as with any
//! other command. Once the socket listens, each LUN's URL (`iscsi://ADDR:PORT/IQN/N`) is
//! printed on standard output, one per line. SIGINT/SIGTERM record each drive's state
//! (buffer drained, image synced, state saved) and end the process with status 0.
//!
//! Security: the default address is 127.0.0.1:3260. Any other than a loopback address is
//! taken only when given with `--listen`, and then only with CHAP (`--chap-user` with
//! `--chap-secret-file`, or `--chap-secret`, which other local users can see in the
//! process list).

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use clap::Args;
use transport::DevSpec;

use crate::args::GlobalArgs;
use crate::error::CliError;

/// Largest data phase a served drive takes per command unless `max_transfer=` says
/// otherwise: initiators size their commands by what the host adapter carries, not by what
/// the drive reports.
pub const SERVED_MAX_TRANSFER: &str = "16M";

/// `discburn serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on; port 0 takes a free one (the URLs name it).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:3260")]
    pub listen: SocketAddr,
    /// The target's iSCSI name.
    #[arg(long, value_name = "IQN", default_value = iscsi::DEFAULT_NAME)]
    pub target: String,
    /// CHAP user name every initiator must log in with (CHAP_N).
    #[arg(long, value_name = "NAME")]
    pub chap_user: Option<String>,
    /// File whose first line is the CHAP secret (12 to 255 bytes).
    #[arg(long, value_name = "FILE", conflicts_with = "chap_secret")]
    pub chap_secret_file: Option<PathBuf>,
    /// The CHAP secret itself (other local users can read it in the process list).
    #[arg(long, value_name = "SECRET")]
    pub chap_secret: Option<String>,
    /// The drives, each `emu:PATH[,key=value...]`: LUN 1, 2, ... in this order.
    #[arg(required = true, value_name = "emu:PATH")]
    pub drives: Vec<String>,
}

fn credentials(a: &ServeArgs) -> Result<Option<iscsi::Credentials>, CliError> {
    let secret = match (&a.chap_secret, &a.chap_secret_file) {
        (Some(s), _) => Some(s.clone().into_bytes()),
        (None, Some(f)) => {
            let text =
                std::fs::read(f).map_err(|e| CliError::Failed(format!("{}: {e}", f.display())))?;
            let line = text.split(|&b| b == b'\n').next().unwrap_or(&[]);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            Some(line.to_vec())
        }
        (None, None) => None,
    };
    match (&a.chap_user, secret) {
        (Some(u), Some(s)) => iscsi::Credentials::new(u, &s)
            .map(Some)
            .map_err(|e| CliError::Usage(e.to_string())),
        (None, None) => Ok(None),
        (Some(_), None) => Err(CliError::Usage(
            "--chap-user needs --chap-secret-file or --chap-secret".into(),
        )),
        (None, Some(_)) => Err(CliError::Usage("a CHAP secret needs --chap-user".into())),
    }
}

/// Opens one `emu:` drive for serving.
fn open_drive(spec: &str) -> Result<emu::EmuDrive, CliError> {
    match DevSpec::parse(spec)? {
        DevSpec::Emu { path, mut options } => {
            if !options.iter().any(|(k, _)| k == "max_transfer") {
                options.push(("max_transfer".into(), SERVED_MAX_TRANSFER.into()));
            }
            emu::open_exclusive(&path, &options)
                .map_err(|e| CliError::Failed(format!("{spec}: {e}")))
        }
        _ => Err(CliError::Usage(format!(
            "{spec}: serve takes emulated drives (emu:PATH[,options]) only"
        ))),
    }
}

/// Serves until SIGINT or SIGTERM.
pub fn run(_g: &GlobalArgs, a: &ServeArgs) -> Result<(), CliError> {
    let chap = credentials(a)?;
    if !a.listen.ip().is_loopback() && chap.is_none() {
        return Err(CliError::Usage(format!(
            "listening on {} (not a loopback address) requires CHAP: --chap-user and --chap-secret-file",
            a.listen
        )));
    }
    iscsi::target::check_name(&a.target).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut drives = Vec::new();
    for spec in &a.drives {
        drives.push(Arc::new(Mutex::new(open_drive(spec)?)));
    }
    let config = iscsi::TargetConfig {
        name: a.target.clone(),
        chap,
        ..iscsi::TargetConfig::default()
    };
    let target =
        iscsi::Target::new(config, drives.clone()).map_err(|e| CliError::Failed(e.to_string()))?;
    let listener = TcpListener::bind(a.listen)
        .map_err(|e| CliError::Failed(format!("listen on {}: {e}", a.listen)))?;
    let bound = listener.local_addr()?;

    let (tx, rx) = std::sync::mpsc::channel::<()>();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .map_err(|e| CliError::Failed(format!("signal handler: {e}")))?;

    let server = target.clone();
    let (fail_tx, fail_rx) = std::sync::mpsc::channel::<String>();
    std::thread::Builder::new()
        .name("iscsi-accept".into())
        .spawn(move || {
            if let Err(e) = server.serve(listener) {
                let _ = fail_tx.send(e.to_string());
            }
        })
        .map_err(|e| CliError::Failed(format!("accept thread: {e}")))?;

    let mut out = std::io::stdout().lock();
    for url in target.urls(bound) {
        writeln!(out, "{url}")?;
    }
    out.flush()?;
    drop(out);
    log::info!(
        "serving {} drive(s) as {} on {bound}",
        drives.len(),
        a.target
    );

    // Wait for a signal (or the listener failing for good).
    let failure = loop {
        if rx
            .recv_timeout(std::time::Duration::from_millis(200))
            .is_ok()
        {
            break None;
        }
        if let Ok(e) = fail_rx.try_recv() {
            break Some(e);
        }
    };
    let mut errors = Vec::new();
    for (i, d) in drives.iter().enumerate() {
        let mut d = d.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(e) = d.flush() {
            errors.push(format!("LUN {}: {e}", i + 1));
        }
    }
    if let Some(e) = failure {
        errors.push(e);
    }
    if errors.is_empty() {
        log::info!("state recorded; exiting");
        std::process::exit(0);
    }
    Err(CliError::Failed(errors.join("; ")))
}
