//! Errors of the emulated drive and their sense data (SPC-4 §4.5.6, MMC-6 Annex F "Sense
//! key, ASC and ASCQ assignments"): one function, [`EmuError::sense_triple`], maps every
//! device-side failure to what a drive reports.

use std::io;
use std::path::PathBuf;

use transport::SenseKey;

/// Why the emulated drive rejects or fails a command; becomes CHECK CONDITION sense data.
#[derive(Debug, thiserror::Error)]
pub enum EmuError {
    /// The operation code is not one this drive implements.
    #[error("opcode {opcode:02X}h is not implemented")]
    InvalidOpcode {
        /// Operation code.
        opcode: u8,
    },
    /// A CDB field holds a value the drive does not accept.
    #[error("opcode {opcode:02X}h: invalid field in CDB: {what}")]
    InvalidField {
        /// Operation code.
        opcode: u8,
        /// Which field and why.
        what: String,
    },
    /// A parameter list (MODE SELECT, FORMAT UNIT, SET STREAMING data) holds a bad value.
    #[error("opcode {opcode:02X}h: invalid field in parameter list: {what}")]
    InvalidParameter {
        /// Operation code.
        opcode: u8,
        /// Which field and why.
        what: String,
    },
    /// The parameter list is shorter than its own header says.
    #[error("opcode {opcode:02X}h: parameter list length error: {what}")]
    ParameterListLength {
        /// Operation code.
        opcode: u8,
        /// What was short.
        what: String,
    },
    /// MODE SENSE asked for saved values; this drive saves none.
    #[error("saved mode parameters are not supported")]
    SavingNotSupported,
    /// The tray is open (or no medium): media commands cannot run.
    #[error("medium not present (tray open)")]
    MediumNotPresent,
    /// Fault injection `not_ready=N`: the drive is still spinning up.
    #[error("drive is becoming ready")]
    BecomingReady,
    /// A long operation started with Immed is still running (only with `speed=`).
    #[error("operation in progress ({progress}/65536 done)")]
    InProgress {
        /// ASCQ under ASC 04h: 04h FORMAT IN PROGRESS, 07h OPERATION IN PROGRESS,
        /// 08h LONG WRITE IN PROGRESS.
        ascq: u8,
        /// Progress indication, 0..65535 of 65536.
        progress: u16,
    },
    /// A medium was loaded (or the drive was reset) since the host last asked.
    #[error("medium may have changed")]
    MediumChanged,
    /// The drive was powered on (`power_cycle=on`) since the host last asked.
    #[error("power on occurred")]
    PowerOn,
    /// LBA (or LBA + length) beyond the medium.
    #[error("LBA {lba} (+{blocks} blocks) is out of range (limit {limit})")]
    LbaOutOfRange {
        /// First block.
        lba: u32,
        /// Number of blocks.
        blocks: u32,
        /// First block past the usable range.
        limit: u32,
    },
    /// A write on sequential media not at a next writable address.
    #[error("write at LBA {lba} is not at the next writable address{}", nwa.map(|n| format!(" {n}")).unwrap_or_default())]
    InvalidWriteAddress {
        /// Address the host wrote to.
        lba: u32,
        /// The address it should have used, if any.
        nwa: Option<u32>,
    },
    /// The medium cannot be written (pressed disc, wrong medium for the command).
    #[error("cannot write medium: {what}")]
    CannotWrite {
        /// Why.
        what: String,
    },
    /// A read of a structure the medium does not have (READ DISC STRUCTURE of a CD, or
    /// of DVD structures from a BD).
    #[error("cannot read medium: {what}")]
    CannotRead {
        /// Why.
        what: String,
    },
    /// FORMAT UNIT on a medium that has no formats.
    #[error("cannot format medium: {what}")]
    CannotFormat {
        /// Why.
        what: String,
    },
    /// The command is valid but not in this state (e.g. closing a session on a blank disc).
    #[error("command sequence error: {what}")]
    SequenceError {
        /// Why.
        what: String,
    },
    /// Eject while PREVENT ALLOW MEDIUM REMOVAL holds the tray.
    #[error("medium removal prevented")]
    RemovalPrevented,
    /// Fault injection `write_error=LBA`.
    #[error("write error at LBA {lba}")]
    WriteError {
        /// Failing block.
        lba: u32,
    },
    /// The drive's buffer ran empty during a track with buffer-underrun protection off.
    #[error("buffer underrun at LBA {lba} (buffer-underrun protection off)")]
    LossOfStreaming {
        /// Block at which the drive lost streaming.
        lba: u32,
    },
    /// Read of a block that holds nothing readable (gaps, run-out, lead-in/out).
    #[error("unrecovered read error at LBA {lba}")]
    UnrecoveredRead {
        /// Failing block.
        lba: u32,
    },
    /// The block's sector type does not fit the command (READ(10) of an audio sector,
    /// READ CD expecting another sector type, audio blocks into a data track).
    #[error("illegal mode for this track at LBA {lba}: {what}")]
    IllegalMode {
        /// The block.
        lba: u32,
        /// What did not fit.
        what: String,
    },
    /// The disc image or state file could not be read or written.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// File involved.
        path: PathBuf,
        /// OS error.
        #[source]
        source: io::Error,
    },
}

impl EmuError {
    /// Sense key, ASC and ASCQ the drive reports for this error.
    pub fn sense_triple(&self) -> (SenseKey, u8, u8) {
        match self {
            // 20/00 INVALID COMMAND OPERATION CODE
            EmuError::InvalidOpcode { .. } => (SenseKey::IllegalRequest, 0x20, 0x00),
            // 24/00 INVALID FIELD IN CDB
            EmuError::InvalidField { .. } => (SenseKey::IllegalRequest, 0x24, 0x00),
            // 26/00 INVALID FIELD IN PARAMETER LIST
            EmuError::InvalidParameter { .. } => (SenseKey::IllegalRequest, 0x26, 0x00),
            // 1A/00 PARAMETER LIST LENGTH ERROR
            EmuError::ParameterListLength { .. } => (SenseKey::IllegalRequest, 0x1A, 0x00),
            // 39/00 SAVING PARAMETERS NOT SUPPORTED
            EmuError::SavingNotSupported => (SenseKey::IllegalRequest, 0x39, 0x00),
            // 3A/02 MEDIUM NOT PRESENT - TRAY OPEN
            EmuError::MediumNotPresent => (SenseKey::NotReady, 0x3A, 0x02),
            // 04/01 LOGICAL UNIT IS IN PROCESS OF BECOMING READY
            EmuError::BecomingReady => (SenseKey::NotReady, 0x04, 0x01),
            // 04/04 LOGICAL UNIT NOT READY, FORMAT IN PROGRESS; 04/07 ... OPERATION IN
            // PROGRESS; 04/08 ... LONG WRITE IN PROGRESS
            EmuError::InProgress { ascq, .. } => (SenseKey::NotReady, 0x04, *ascq),
            // 28/00 NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED
            EmuError::MediumChanged => (SenseKey::UnitAttention, 0x28, 0x00),
            // 29/01 POWER ON OCCURRED
            EmuError::PowerOn => (SenseKey::UnitAttention, 0x29, 0x01),
            // 21/00 LOGICAL BLOCK ADDRESS OUT OF RANGE
            EmuError::LbaOutOfRange { .. } => (SenseKey::IllegalRequest, 0x21, 0x00),
            // 21/02 INVALID ADDRESS FOR WRITE
            EmuError::InvalidWriteAddress { .. } => (SenseKey::IllegalRequest, 0x21, 0x02),
            // 30/05 CANNOT WRITE MEDIUM - INCOMPATIBLE FORMAT
            EmuError::CannotWrite { .. } => (SenseKey::IllegalRequest, 0x30, 0x05),
            // 30/02 CANNOT READ MEDIUM - INCOMPATIBLE FORMAT
            EmuError::CannotRead { .. } => (SenseKey::IllegalRequest, 0x30, 0x02),
            // 30/06 CANNOT FORMAT MEDIUM - INCOMPATIBLE MEDIUM
            EmuError::CannotFormat { .. } => (SenseKey::IllegalRequest, 0x30, 0x06),
            // 2C/00 COMMAND SEQUENCE ERROR
            EmuError::SequenceError { .. } => (SenseKey::IllegalRequest, 0x2C, 0x00),
            // 53/02 MEDIUM REMOVAL PREVENTED
            EmuError::RemovalPrevented => (SenseKey::IllegalRequest, 0x53, 0x02),
            // 0C/00 WRITE ERROR
            EmuError::WriteError { .. } => (SenseKey::MediumError, 0x0C, 0x00),
            // 0C/09 WRITE ERROR - LOSS OF STREAMING
            EmuError::LossOfStreaming { .. } => (SenseKey::MediumError, 0x0C, 0x09),
            // 11/00 UNRECOVERED READ ERROR
            EmuError::UnrecoveredRead { .. } => (SenseKey::MediumError, 0x11, 0x00),
            // 64/00 ILLEGAL MODE FOR THIS TRACK
            EmuError::IllegalMode { .. } => (SenseKey::IllegalRequest, 0x64, 0x00),
            // 44/00 INTERNAL TARGET FAILURE (the backing file failed)
            EmuError::Io { .. } => (SenseKey::HardwareError, 0x44, 0x00),
        }
    }

    /// The LBA for the sense INFORMATION field, where the error concerns one block.
    pub fn information(&self) -> Option<u32> {
        match self {
            EmuError::WriteError { lba }
            | EmuError::LossOfStreaming { lba }
            | EmuError::UnrecoveredRead { lba }
            | EmuError::IllegalMode { lba, .. } => Some(*lba),
            _ => None,
        }
    }

    /// Fixed-format (70h) sense bytes for this error, 18 bytes (SPC-4 §4.5.3 table 50).
    pub fn to_sense(&self) -> Vec<u8> {
        let (key, asc, ascq) = self.sense_triple();
        let mut s = fixed_sense(key, asc, ascq, self.information());
        if let EmuError::InProgress { progress, .. } = self {
            // sense-key specific: SKSV and the progress indication (SPC-4 §4.5.2.4.4)
            s[15] = 0x80;
            s[16..18].copy_from_slice(&progress.to_be_bytes());
        }
        s
    }
}

/// Fixed-format sense data: response code 70h, key, ASC/ASCQ, and the INFORMATION field with
/// VALID set when `info` is given.
pub fn fixed_sense(key: SenseKey, asc: u8, ascq: u8, info: Option<u32>) -> Vec<u8> {
    let mut s = vec![0u8; 18];
    s[0] = 0x70;
    s[2] = key.code();
    if let Some(i) = info {
        s[0] |= 0x80;
        s[3..7].copy_from_slice(&i.to_be_bytes());
    }
    s[7] = 10;
    s[12] = asc;
    s[13] = ascq;
    s
}

/// Why an `emu:` disc could not be opened or created.
#[derive(Debug, thiserror::Error)]
pub enum EmuOpenError {
    /// An `emu:` option is unknown or has a bad value.
    #[error("emu option {key}={value}: {reason}")]
    BadOption {
        /// Option name.
        key: String,
        /// Its value.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// No disc exists at the path and nothing says what to create.
    #[error("{path}: no disc here; create a blank one with emu:PATH,profile=KIND (cd-r, cd-rw, dvd-r, dvd+r, dvd+r-dl, dvd+rw, bd-r, bd-re) or a pressed one with pressed=ISO")]
    NoDisc {
        /// Image path.
        path: PathBuf,
    },
    /// The disc exists and an option contradicts it.
    #[error("{path}: {reason}")]
    Conflict {
        /// Image path.
        path: PathBuf,
        /// What contradicts what.
        reason: String,
    },
    /// Another process has the disc open for writing (holds the lock on `PATH.lock`).
    #[error("disc image {path} is in use by another process (a writer has it open)")]
    InUse {
        /// Image path.
        path: PathBuf,
    },
    /// The state file is unreadable or inconsistent.
    #[error("{path}: bad disc state: {reason}")]
    BadState {
        /// State file path.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A file could not be read, created or written.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// File involved.
        path: PathBuf,
        /// OS error.
        #[source]
        source: io::Error,
    },
}

impl From<EmuOpenError> for transport::TransportError {
    fn from(e: EmuOpenError) -> Self {
        match e {
            EmuOpenError::Io { path, source, .. } => {
                transport::TransportError::Open { path, source }
            }
            other => transport::TransportError::Unsupported(other.to_string()),
        }
    }
}
