//! The CLI's side of the library jobs (`mmc::job`): the Ctrl-C flag they stop on, the
//! progress display they report to, and the messages for their failures, with the disc
//! state the drive reports afterwards and the command-line advice the library leaves out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use mmc::drive::Drive;
use mmc::job::pipeline::Failed;
use mmc::job::Event;
use mmc::write::WriteError;
use transport::Transport;

use crate::progress::{Mode, Progress};

pub use mmc::job::pipeline::DEFAULT_FIFO;

/// Set by Ctrl-C.
static INTERRUPTED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// The Ctrl-C flag (installing the handler on first use).
pub fn interrupt_flag() -> Arc<AtomicBool> {
    INTERRUPTED
        .get_or_init(|| {
            let f = Arc::new(AtomicBool::new(false));
            let g = f.clone();
            if let Err(e) = ctrlc::set_handler(move || g.store(true, Ordering::SeqCst)) {
                log::warn!("cannot catch Ctrl-C: {e}");
            }
            f
        })
        .clone()
}

/// The progress display fed by a job's events (none when `quiet`).
#[derive(Debug)]
pub struct Display {
    mode: Mode,
    quiet: bool,
    shown: Option<Progress>,
}

impl Display {
    /// A display in `mode`; `quiet` shows nothing.
    pub fn new(mode: Mode, quiet: bool) -> Display {
        Display {
            mode,
            quiet,
            shown: None,
        }
    }

    /// Shows one event.
    pub fn event(&mut self, e: &Event) {
        if self.quiet {
            return;
        }
        match e {
            Event::WriteStarted {
                total_bytes,
                profile,
            } => {
                self.shown = Some(Progress::new(
                    self.mode,
                    *total_bytes,
                    profile.single_speed_kbps(),
                ));
            }
            Event::Written(s) => {
                if let Some(p) = self.shown.as_mut() {
                    p.update(s);
                }
            }
            Event::WriteEnded(s) => {
                if let Some(p) = self.shown.as_mut() {
                    p.finish(s);
                }
            }
            _ => {}
        }
    }
}

/// Prints the notes of a commit's blocks written twice.
pub fn commit_notes(notes: &[String]) {
    for n in notes {
        eprintln!("discburn: note: {n}; written again, read back correctly");
    }
}

/// The message for a session that could not be verified: the cause, whether it was
/// committed, and the disc state.
pub fn verify_failure<T: Transport>(
    drive: &mut Drive<T>,
    uncommitted: bool,
    cause: &str,
) -> String {
    let commit = if uncommitted {
        "; the session was not committed: block 16 still names the previous session, which \
         stays current, and the next session will overwrite this one"
    } else {
        ""
    };
    format!(
        "verify failed: {cause}{commit}; disc state: {}",
        mmc::write::disc_state(drive)
    )
}

/// The message for a failed commit, with the disc state.
pub fn commit_failure<T: Transport>(drive: &mut Drive<T>, e: &WriteError) -> String {
    format!(
        "committing the session: {e}; disc state: {}",
        mmc::write::disc_state(drive)
    )
}

/// Formats a write refusal or failure for the user: cause, clean-up notes, disc state.
pub fn failure_message<T: Transport>(drive: &mut Drive<T>, f: &Failed) -> String {
    format!("{f}; disc state now: {}", mmc::write::disc_state(drive))
}

/// Formats a refusal from [`mmc::write::prepare`].
pub fn refusal_message<T: Transport>(drive: &mut Drive<T>, e: &WriteError) -> String {
    if e.is_refusal() {
        format!("{e}")
    } else {
        format!("{e}; disc state: {}", mmc::write::disc_state(drive))
    }
}
