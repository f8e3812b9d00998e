//! The CLI's side of the library jobs (`mmc::job`): the Ctrl-C flag they stop on, the
//! progress display they report to, and the messages for their failures, with the disc
//! state the drive reports afterwards and the command-line advice the library leaves out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use mmc::drive::Drive;
use mmc::job::pipeline::{FailCause, Failed};
use mmc::job::Event;
use mmc::write::{CleanupNote, WriteError};
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
    /// One of several drives: the drive its lines name.
    label: Option<String>,
}

impl Display {
    /// A display in `mode`; `quiet` shows nothing.
    pub fn new(mode: Mode, quiet: bool) -> Display {
        Display {
            mode,
            quiet,
            shown: None,
            label: None,
        }
    }

    /// A display for one of several drives: plain lines (a bar per drive would overwrite
    /// the others' lines) or JSON lines, each naming `label`.
    pub fn for_drive(mode: Mode, quiet: bool, label: String) -> Display {
        let mode = if mode == Mode::Json {
            Mode::Json
        } else {
            Mode::Plain
        };
        Display {
            mode,
            quiet,
            shown: None,
            label: Some(label),
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
                self.shown = Some(
                    Progress::new(self.mode, *total_bytes, profile.single_speed_kbps())
                        .labelled(self.label.clone()),
                );
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
                if self.mode == Mode::Cdrecord {
                    // cdrecord's line before closing the track and session (K3b and
                    // Brasero switch to "fixating" on it).
                    let _ = crate::output::write_stdout(format_args!("Fixating...\n"));
                }
                if self.mode == Mode::Growisofs {
                    // growisofs's line before SYNCHRONIZE CACHE (Brasero switches to
                    // "fixating" on it).
                    eprintln!("growisofs: flushing cache");
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

/// A [`WriteError`] in the command line's words: the library's message, with the option
/// or command that gets past the refusal put where a user reads it.
pub fn write_error(e: &WriteError) -> String {
    match e {
        WriteError::SaoNeedsSize => "-sao needs the session's size in advance (the cue sheet \
             announces it): give tsize= for standard input, or use -tao; nothing was written"
            .to_string(),
        WriteError::SaoUnsupported { reason } => {
            format!("{reason}: use -tao; nothing was written")
        }
        WriteError::SaoRefused {
            last_session_start: Some(_),
            ..
        } => with_before_nothing(e, "; use -tao to add this session"),
        WriteError::SaoRefused { .. } => with_before_nothing(e, ": use -tao"),
        WriteError::SaoUnfinished { .. } => with_before_nothing(
            e,
            "; `discburn add` closes it and continues from the last complete session",
        ),
        WriteError::NotBlankable { profile } => format!(
            "{profile} cannot be blanked: only CD-RW and DVD-RW can (DVD+RW and BD-RE are \
             overwritten, or reformatted with `format`)"
        ),
        WriteError::NotBlank { .. } => format!(
            "{e} (`burn` of an image to block 0, or `format --force`, replaces the contents)"
        ),
        WriteError::Unfinished { .. } => e.to_string().replace(
            "; nothing was done",
            "; `discburn add` closes it and writes a complete session after it (finalize \
             after that); nothing was done",
        ),
        WriteError::CommitFailed {
            start,
            restored: false,
            ..
        } => {
            let m = e.to_string();
            let at = m.rfind(": the disc will not mount").unwrap_or(m.len());
            format!(
                "{}: the disc will not mount as it is, and `discburn add` will refuse it; \
                 every session is intact: read the new one with `xorriso -indev DEV -load \
                 sbsector {start}` or `mount -o sbsector={start}`",
                &m[..at]
            )
        }
        _ => e.to_string(),
    }
}

/// The library's message with `advice` put before its closing "; nothing was written".
fn with_before_nothing(e: &WriteError, advice: &str) -> String {
    let m = e.to_string();
    match m.strip_suffix("; nothing was written") {
        Some(head) => format!("{head}{advice}; nothing was written"),
        None => format!("{m}{advice}"),
    }
}

/// The message for a failed commit, with the disc state.
pub fn commit_failure<T: Transport>(drive: &mut Drive<T>, e: &WriteError) -> String {
    format!(
        "committing the session: {}; disc state: {}",
        write_error(e),
        mmc::write::disc_state(drive)
    )
}

/// A burn's failure cause for the user: the library's words, with the signals and the
/// option (`tsize=`) the command line knows.
pub fn fail_cause(c: &FailCause) -> String {
    match c {
        FailCause::Interrupted => {
            "interrupted (Ctrl-C or SIGTERM): stopped feeding the drive".to_string()
        }
        FailCause::InputTooLarge { announced } => {
            format!("the input is larger than the announced size of {announced} bytes (tsize=)")
        }
        other => other.to_string(),
    }
}

/// A clean-up note for the user: the library's words, and the command that deals with the
/// session it left.
pub fn cleanup_note(n: &CleanupNote) -> String {
    match n {
        CleanupNote::SaoUnfinished { .. } => format!(
            "{n}; `discburn add` closes it and continues from the last complete session (a \
             CD-RW can drop it with `discburn blank --session`)"
        ),
        CleanupNote::ReservedTrackLeftOpen { .. } => {
            format!("{n}; the next add closes it and skips it")
        }
        other => other.to_string(),
    }
}

/// `burn failed: CAUSE; nothing was written` (or how many blocks were), then the clean-up
/// notes, in the command line's words.
pub fn failed(f: &Failed) -> String {
    let mut s = format!("burn failed: {}", fail_cause(&f.cause));
    if f.nothing_written {
        s.push_str("; nothing was written");
    } else {
        s.push_str(&format!("; {} blocks had been written", f.blocks_written));
    }
    for n in &f.cleanup {
        s.push_str(&format!("; clean-up: {}", cleanup_note(n)));
    }
    s
}

/// Formats a write refusal or failure for the user: cause, clean-up notes, disc state.
pub fn failure_message<T: Transport>(drive: &mut Drive<T>, f: &Failed) -> String {
    format!(
        "{}; disc state now: {}",
        failed(f),
        mmc::write::disc_state(drive)
    )
}

/// Formats a refusal from [`mmc::write::prepare`].
pub fn refusal_message<T: Transport>(drive: &mut Drive<T>, e: &WriteError) -> String {
    if e.is_refusal() {
        write_error(e)
    } else {
        format!(
            "{}; disc state: {}",
            write_error(e),
            mmc::write::disc_state(drive)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The library's clean-up notes and failure causes are data and name no command; the
    /// command line's words for them say what to run next.
    #[test]
    fn the_cli_names_the_commands_for_what_a_failed_burn_left() {
        let n = CleanupNote::SaoUnfinished {
            written: 10,
            announced: 300,
            start: 0,
        };
        assert!(!n.to_string().contains("discburn"), "{n}");
        let m = cleanup_note(&n);
        assert!(m.contains("left unfinished"), "{m}");
        assert!(
            m.contains("`discburn add` closes it and continues from the last complete session")
                && m.contains("`discburn blank --session`"),
            "{m}"
        );
        let n = CleanupNote::ReservedTrackLeftOpen { track: 2 };
        assert!(!n.to_string().contains("add"), "{n}");
        assert!(cleanup_note(&n).ends_with("; the next add closes it and skips it"));
        let f = Failed {
            cause: FailCause::Interrupted,
            cleanup: vec![CleanupNote::TestWriteStopped],
            blocks_written: 0,
            nothing_written: true,
        };
        assert!(!f.to_string().contains("Ctrl-C"), "{f}");
        assert_eq!(
            failed(&f),
            "burn failed: interrupted (Ctrl-C or SIGTERM): stopped feeding the drive; nothing \
             was written; clean-up: test write stopped: nothing was recorded, the disc is as it \
             was"
        );
        let c = FailCause::InputTooLarge { announced: 2048 };
        assert!(fail_cause(&c).ends_with("(tsize=)"));
        assert!(!c.to_string().contains("tsize"));
    }

    /// The library's refusals carry no options; the command line's messages name them
    /// where they stood before the library's words lost them.
    #[test]
    fn the_cli_adds_the_options_the_library_leaves_out() {
        let e = WriteError::SaoUnsupported {
            reason: "the drive does not offer session-at-once".into(),
        };
        assert!(!e.to_string().contains("-tao"));
        assert_eq!(
            write_error(&e),
            "the drive does not offer session-at-once: use -tao; nothing was written"
        );
        let e = WriteError::SaoRefused {
            detail: "ILLEGAL REQUEST".into(),
            last_session_start: Some(0),
        };
        let m = write_error(&e);
        assert!(
            m.contains("SAO CD Cookbook); use -tao to add this session; nothing was written"),
            "{m}"
        );
        let e = WriteError::SaoNeedsSize;
        assert!(write_error(&e).contains("give tsize= for standard input, or use -tao"));
        let e = WriteError::Unfinished { start: 9 };
        assert!(!e.to_string().contains("discburn"));
        assert!(write_error(&e).ends_with(
            "`discburn add` closes it and writes a complete session after it (finalize after \
             that); nothing was done"
        ));
        let e = WriteError::CommitFailed {
            start: 300,
            problem: "it read back different".into(),
            restored: false,
            restore_problem: "WRITE failed".into(),
        };
        assert!(!e.to_string().contains("xorriso"));
        let m = write_error(&e);
        assert!(
            m.starts_with("making the session at block 300 current failed")
                && m.ends_with(
                    "`xorriso -indev DEV -load sbsector 300` or `mount -o sbsector=300`"
                ),
            "{m}"
        );
    }
}
