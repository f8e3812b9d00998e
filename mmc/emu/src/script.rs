//! Canned raw-CDB sequences that put a disc into a state, for tests and demos: the
//! libburn cookbook's recipes (mode page 05h, WRITE at the NWA, SYNCHRONIZE CACHE, CLOSE
//! TRACK, CLOSE SESSION; FORMAT UNIT for overwritable media) sent through any
//! [`Transport`], so they work on the emulated drive and on a real one alike.
//!
//! These are deliberately literal byte sequences, independent of the host's typed CDB
//! builders (the `mmc` crate), so a test that prepares a disc with them checks the host side
//! against the device side and not against itself.

use transport::{Cdb, Request, Transport, TransportError};

/// A scripted command failed.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// The transport could not deliver a command.
    #[error("{step}: {source}")]
    Transport {
        /// Which step.
        step: &'static str,
        /// The error.
        #[source]
        source: TransportError,
    },
    /// The drive answered CHECK CONDITION.
    #[error("{step}: {completion}")]
    Check {
        /// Which step.
        step: &'static str,
        /// The completion as text (status and decoded sense).
        completion: String,
    },
}

fn run(t: &mut dyn Transport, step: &'static str, req: Request<'_>) -> Result<(), ScriptError> {
    let c = t
        .execute(req)
        .map_err(|source| ScriptError::Transport { step, source })?;
    if c.is_good() {
        Ok(())
    } else {
        Err(ScriptError::Check {
            step,
            completion: c.to_string(),
        })
    }
}

/// How to end a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Close {
    /// Close the session, keep the disc appendable.
    Appendable,
    /// Close the session and the disc.
    Finalize,
    /// Leave the session open (incomplete), only the track is closed.
    TrackOnly,
}

/// Current profile from GET CONFIGURATION.
pub fn current_profile(t: &mut dyn Transport) -> Result<u16, ScriptError> {
    let mut b = [0u8; 8];
    run(
        t,
        "GET CONFIGURATION",
        Request::read(Cdb::ten([0x46, 0x01, 0, 0, 0, 0, 0, 0, 8, 0]), &mut b),
    )?;
    Ok(u16::from_be_bytes([b[6], b[7]]))
}

/// Next writable address of the invisible track (READ TRACK INFORMATION, track FFh).
pub fn next_writable_address(t: &mut dyn Transport) -> Result<u32, ScriptError> {
    let mut b = [0u8; 48];
    run(
        t,
        "READ TRACK INFORMATION",
        Request::read(Cdb::ten([0x52, 0x01, 0, 0, 0, 0xFF, 0, 0, 48, 0]), &mut b),
    )?;
    Ok(u32::from_be_bytes([b[12], b[13], b[14], b[15]]))
}

/// Writes `data` (whole 2048-byte blocks) as one track of a new session at the NWA and
/// ends it as `close` says; on overwritable media (DVD+RW, BD-RE) writes it at `lba_hint`
/// (formatting a blank BD-RE first) and closes nothing. Returns the start LBA.
pub fn write_session(
    t: &mut dyn Transport,
    data: &[u8],
    close: Close,
    lba_hint: u32,
) -> Result<u32, ScriptError> {
    let profile = current_profile(t)?;
    let cd = matches!(profile, 0x09 | 0x0A);
    let overwritable = matches!(profile, 0x1A | 0x43);
    if profile == 0x43 {
        let mut caps = [0u8; 12];
        run(
            t,
            "READ FORMAT CAPACITIES",
            Request::read(Cdb::ten([0x23, 0, 0, 0, 0, 0, 0, 0, 12, 0]), &mut caps),
        )?;
        if caps[8] & 0x03 == 0x01 {
            let p = [0, 0x02, 0, 8, 0, 0, 0, 0, 0x00, 0, 0, 0];
            run(
                t,
                "FORMAT UNIT",
                Request::write(Cdb::six([0x04, 0x11, 0, 0, 0, 0]), &p),
            )?;
        }
    }
    // MODE SELECT(10) page 05h: BUFE; CD: TAO, track mode 4; else incremental, mode 5;
    // multi-session 11b unless finalizing.
    let mut list = [0u8; 8 + 0x34];
    let page = &mut list[8..];
    page[0] = 0x05;
    page[1] = 0x32;
    page[2] = 0x40 | u8::from(cd);
    let multi = if close == Close::Finalize { 0x00 } else { 0xC0 };
    page[3] = multi | if cd { 0x04 } else { 0x05 };
    page[4] = 0x08;
    page[15] = 150;
    run(
        t,
        "MODE SELECT",
        Request::write(Cdb::ten([0x55, 0x10, 0, 0, 0, 0, 0, 0, 0x3C, 0]), &list),
    )?;
    let start = if overwritable {
        lba_hint
    } else {
        next_writable_address(t)?
    };
    let chunk = (t.max_transfer() / 2048).clamp(1, 0xFFFF) * 2048;
    let mut at = 0usize;
    while at < data.len() {
        let n = (data.len() - at).min(chunk) / 2048;
        if n == 0 {
            break;
        }
        let l = (start + (at / 2048) as u32).to_be_bytes();
        let cdb = Cdb::ten([
            0x2A,
            0,
            l[0],
            l[1],
            l[2],
            l[3],
            0,
            (n >> 8) as u8,
            n as u8,
            0,
        ]);
        run(
            t,
            "WRITE(10)",
            Request::write(cdb, &data[at..at + n * 2048]),
        )?;
        at += n * 2048;
    }
    run(
        t,
        "SYNCHRONIZE CACHE",
        Request::none(Cdb::ten([0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0])),
    )?;
    if overwritable {
        return Ok(start);
    }
    run(
        t,
        "CLOSE TRACK",
        Request::none(Cdb::ten([0x5B, 0, 0x01, 0, 0, 0xFF, 0, 0, 0, 0])),
    )?;
    let function = match (close, profile) {
        (Close::TrackOnly, _) => return Ok(start),
        (Close::Appendable, _) => 0x02,
        (Close::Finalize, 0x1B | 0x2B | 0x41) => 0x06,
        (Close::Finalize, _) => 0x02,
    };
    run(
        t,
        "CLOSE SESSION",
        Request::none(Cdb::ten([0x5B, 0, function, 0, 0, 0, 0, 0, 0, 0])),
    )?;
    Ok(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_sessions_on_cd_r_then_finalize() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d");
        let mut d = crate::open(&p, &[("profile".into(), "cd-r".into())]).unwrap();
        let data = vec![0u8; 100 * 2048];
        let mut starts = Vec::new();
        for _ in 0..5 {
            starts.push(write_session(&mut d, &data, Close::Appendable, 0).unwrap());
        }
        // 300 + 2 blocks per session; +11400 after the first, +6900 after later ones
        assert_eq!(
            starts,
            vec![
                0,
                11_702,
                11_702 + 302 + 6_900,
                11_702 + 2 * (302 + 6_900),
                11_702 + 3 * (302 + 6_900)
            ]
        );
        write_session(&mut d, &data, Close::Finalize, 0).unwrap();
        assert!(d.disc().finalized);
        assert!(next_writable_address(&mut d).is_err());
    }

    #[test]
    fn overwritable_and_bd_r() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = crate::open(
            &dir.path().join("re"),
            &[("profile".into(), "bd-re".into())],
        )
        .unwrap();
        assert_eq!(
            write_session(&mut d, &[1u8; 4096], Close::Appendable, 32).unwrap(),
            32
        );
        let mut d =
            crate::open(&dir.path().join("r"), &[("profile".into(), "bd-r".into())]).unwrap();
        write_session(&mut d, &[1u8; 4096], Close::TrackOnly, 0).unwrap();
        assert_eq!(d.disc().closed_sessions(), 0);
        write_session(&mut d, &[1u8; 4096], Close::Finalize, 0).unwrap();
        assert!(d.disc().finalized);
    }
}
