//! The CLI's side of the library jobs (`mmc::job`): the Ctrl-C flag they stop on, the
//! progress display they report to, and the messages for their failures, with the disc
//! state the drive reports afterwards and the command-line advice the library leaves out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use mmc::drive::Drive;
use mmc::job::pipeline::{Burned, Failed};
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
        }
    }
}

/// Makes a verified session current (overwritable media), printing the notes of blocks
/// written twice; the error names what failed and the disc state.
pub fn commit<T: Transport>(drive: &mut Drive<T>, burned: &mut Burned) -> Result<(), String> {
    match mmc::job::pipeline::commit(drive, burned) {
        Ok(notes) => {
            for n in notes {
                eprintln!("discburn: note: {n}; written again, read back correctly");
            }
            Ok(())
        }
        Err(e) => Err(format!(
            "committing the session: {e}; disc state: {}",
            mmc::write::disc_state(drive)
        )),
    }
}

/// The message for a session that could not be verified: the cause, whether it was
/// committed, and the disc state.
pub fn verify_failure<T: Transport>(drive: &mut Drive<T>, burned: &Burned, cause: &str) -> String {
    let commit = if burned.commit.is_some() {
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

/// Formats a write refusal or failure for the user: cause, clean-up notes, disc state.
pub fn failure_message<T: Transport>(drive: &mut Drive<T>, f: &Failed) -> String {
    let mut m = format!("burn failed: {}", f.cause);
    if f.nothing_written {
        m += "; nothing was written";
    } else {
        m += &format!("; {} blocks had been written", f.blocks_written);
    }
    for n in &f.cleanup {
        m += &format!("; clean-up: {n}");
    }
    m += &format!("; disc state now: {}", mmc::write::disc_state(drive));
    m
}

/// Formats a refusal from [`mmc::write::prepare`].
pub fn refusal_message<T: Transport>(drive: &mut Drive<T>, e: &WriteError) -> String {
    if e.is_refusal() {
        format!("{e}")
    } else {
        format!("{e}; disc state: {}", mmc::write::disc_state(drive))
    }
}
