//! `discburn extract [IMAGE] [--session N] [--namespace TREE] PATH [-C DIR | --cat]`: copy
//! a file or a tree out of a session (modes and times from Rock Ridge), or write one file to
//! standard output. Extraction never writes outside DIR (see `isofs::read::extract`).
//! `--namespace` picks the tree; the reader's warnings about the session go to stderr as
//! `warning: ...`.

use std::io::Write;
use std::path::PathBuf;

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
        vol.read_file(&e, &mut w).map_err(fail)?;
        w.flush()?;
        return Ok(());
    }
    let dir = a.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::Failed(format!("{}: {e}", dir.display())))?;
    isofs::extract(&mut vol, &e, &dir).map_err(fail)?;
    Ok(())
}
