//! Errors of the MMC layer (MMC-6 §4.2.3 "Error reporting", SPC-4 §4.5 sense data): every
//! variant names the command (operation code and name) and what went wrong.

use std::fmt;

use transport::{ScsiStatus, Sense, SenseKey, TransportError};

/// A command as errors name it: operation code and the MMC-6/SPC-4 name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommandName {
    /// Operation code (CDB byte 0).
    pub opcode: u8,
    /// Name as the specification spells it, e.g. "READ TOC/PMA/ATIP".
    pub name: &'static str,
}

impl CommandName {
    /// A command name from its opcode (name looked up in the MMC-6 opcode table).
    pub fn of(opcode: u8) -> Self {
        CommandName {
            opcode,
            name: crate::cmd::opcode_name(opcode),
        }
    }
}

impl fmt::Display for CommandName {
    /// `READ TOC/PMA/ATIP (43h)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:02X}h)", self.name, self.opcode)
    }
}

/// Why a device's answer could not be read as the structure MMC-6 defines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The answer ends before a structure that must be there.
    #[error("{what}: short answer: {len} bytes, need at least {need}")]
    Short {
        /// Structure being parsed.
        what: &'static str,
        /// Bytes present.
        len: usize,
        /// Bytes needed.
        need: usize,
    },
    /// A field holds a value the specification does not allow.
    #[error("{what}: bad field {field}: {detail}")]
    BadField {
        /// Structure being parsed.
        what: &'static str,
        /// Field name.
        field: &'static str,
        /// What was wrong with it.
        detail: String,
    },
}

impl ParseError {
    /// Checks that `buf` holds at least `need` bytes.
    pub(crate) fn need(what: &'static str, buf: &[u8], need: usize) -> Result<(), ParseError> {
        if buf.len() < need {
            Err(ParseError::Short {
                what,
                len: buf.len(),
                need,
            })
        } else {
            Ok(())
        }
    }
}

/// An MMC command failed, or its answer was unusable.
#[derive(Debug, thiserror::Error)]
pub enum MmcError {
    /// The OS or host adapter could not deliver the command.
    #[error("{command}: {source}")]
    Transport {
        /// The command.
        command: CommandName,
        /// The transport's error.
        #[source]
        source: TransportError,
    },
    /// The drive does not implement the command (ILLEGAL REQUEST, INVALID COMMAND OPERATION
    /// CODE, 20/00): reports print "not supported by this drive" and continue.
    #[error("{command}: not supported by this drive")]
    NotSupported {
        /// The command.
        command: CommandName,
    },
    /// The drive answered CHECK CONDITION.
    #[error("{command}: {sense}")]
    Check {
        /// The command.
        command: CommandName,
        /// Decoded sense data.
        sense: Sense,
    },
    /// The drive answered CHECK CONDITION with sense data that does not decode.
    #[error("{command}: CHECK CONDITION with unparsable sense data ({len} bytes)")]
    BadSense {
        /// The command.
        command: CommandName,
        /// Length of the sense bytes.
        len: usize,
    },
    /// The drive answered with a status other than GOOD or CHECK CONDITION.
    #[error("{command}: status {status}")]
    Status {
        /// The command.
        command: CommandName,
        /// The status.
        status: ScsiStatus,
    },
    /// The drive's answer does not have the structure MMC-6 defines.
    #[error("{command}: {source}")]
    BadAnswer {
        /// The command.
        command: CommandName,
        /// What was wrong.
        #[source]
        source: ParseError,
    },
    /// The drive stayed NOT READY longer than the wait allows.
    #[error("{command}: drive still not ready after {waited_ms} ms: {sense}")]
    NotReady {
        /// The command.
        command: CommandName,
        /// How long was waited.
        waited_ms: u64,
        /// The last sense data.
        sense: Sense,
    },
    /// A caller's argument cannot be expressed in the CDB.
    #[error("{command}: {detail}")]
    BadRequest {
        /// The command.
        command: CommandName,
        /// What was wrong.
        detail: String,
    },
}

impl MmcError {
    /// True when the drive does not implement the command.
    pub fn is_not_supported(&self) -> bool {
        matches!(self, MmcError::NotSupported { .. })
    }

    /// The sense data, when the drive answered CHECK CONDITION.
    pub fn sense(&self) -> Option<&Sense> {
        match self {
            MmcError::Check { sense, .. } | MmcError::NotReady { sense, .. } => Some(sense),
            _ => None,
        }
    }

    /// True for ILLEGAL REQUEST answers (unsupported command or field, e.g. a TOC format
    /// the medium does not have).
    pub fn is_illegal_request(&self) -> bool {
        self.is_not_supported()
            || self
                .sense()
                .is_some_and(|s| s.key == SenseKey::IllegalRequest)
    }

    /// The command the error is about.
    pub fn command(&self) -> CommandName {
        match self {
            MmcError::Transport { command, .. }
            | MmcError::NotSupported { command }
            | MmcError::Check { command, .. }
            | MmcError::BadSense { command, .. }
            | MmcError::Status { command, .. }
            | MmcError::BadAnswer { command, .. }
            | MmcError::NotReady { command, .. }
            | MmcError::BadRequest { command, .. } => *command,
        }
    }
}
