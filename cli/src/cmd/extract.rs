//! `discburn extract [IMAGE] [--session N] [--namespace TREE] [-p] [--same-owner] PATH
//! [-C DIR | --cat]`: copy a file or a tree out of a session (RRIP 1.12 PX modes, TF times,
//! SL links), or write one file to standard output. Extraction never writes outside DIR
//! and applies metadata through open descriptors (see `isofs::extract`): setuid, setgid
//! and sticky bits are dropped and the umask applied unless `-p`/`--preserve-permissions`;
//! owners are set only with `--same-owner`. An entry that cannot be extracted is named on
//! stderr (`discburn: PATH: reason`) and skipped, the rest is extracted, and the exit
//! status is 1. `--namespace` picks the tree; the reader's warnings about the session go
//! to stderr as `warning: ...`.

use std::io::Write;
use std::path::PathBuf;

use isofs::extract::ExtractOptions;

use crate::args::{ExtractArgs, GlobalArgs};
use crate::cmd::ls::open_volume;
use crate::error::CliError;

/// Runs `discburn extract`.
pub fn run(global: &GlobalArgs, a: &ExtractArgs) -> Result<(), CliError> {
    let (mut vol, name) = open_volume(global, a.image.as_deref(), a.session, a.namespace)?;
    let fail = |e: isofs::ReadError| CliError::Failed(format!("{name}: {e}"));
    let path = a.path.clone().unwrap_or_else(|| "/".into());
    let e = vol.lookup(&path).map_err(fail)?;
    if a.cat {
        if e.is_dir {
            return Err(CliError::Usage(format!("--cat {path}: is a directory")));
        }
        let out = std::io::stdout();
        let mut w = std::io::BufWriter::new(out.lock());
        match vol.read_file(&e, &mut w) {
            Err(isofs::ReadError::Extract { source, .. }) => return Err(CliError::Output(source)),
            r => r.map_err(fail)?,
        }
        w.flush()?;
        return Ok(());
    }
    let dir = a.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::Failed(format!("{}: {e}", dir.display())))?;
    let opts = ExtractOptions {
        preserve_permissions: a.preserve_permissions,
        same_owner: a.same_owner,
        umask: isofs::extract::current_umask(),
    };
    let done = isofs::extract(&mut vol, &e, &dir, &opts).map_err(fail)?;
    let top = path.trim_matches('/');
    for p in &done.problems {
        let shown = if e.is_dir && !top.is_empty() {
            format!("{top}/{p}")
        } else {
            p.to_string()
        };
        eprintln!("discburn: {}", crate::output::escape_name(&shown));
    }
    if done.problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "{name}: {} entries not extracted or not extracted whole (named above); the rest \
             was extracted",
            done.problems.len()
        )))
    }
}
