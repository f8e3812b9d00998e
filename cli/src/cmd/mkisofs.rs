//! `discburn mkisofs ARGS...`: the mkisofs command line (see `legacy::mkisofs`).

use crate::args::MkisofsArgs;
use crate::error::CliError;

/// Runs `discburn mkisofs`.
pub fn run(a: &MkisofsArgs) -> Result<(), CliError> {
    crate::legacy::mkisofs::run("discburn mkisofs", &a.args)
}
