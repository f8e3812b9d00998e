//! CD session-at-once (MMC-6 §6.33 SEND CUE SHEET, page 05h write type 2) on the emulated
//! drive when it is only simulated (page 05h Test Write, `-dummy`) and when it is cut short
//! (a write error, the host stopping). A test write must leave the disc exactly as it was;
//! a session cut short gets no CLOSE TRACK/SESSION from the write path (libburn's cookbook:
//! an SAO session needs no CLOSE, the drive ends it after the announced lead-out; libburn
//! only synchronizes the cache when an SAO burn fails) and is left unfinished, so earlier
//! sessions stay as they were and the next session can be written after it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod write_util;

use mmc::cmd::disc_info::DiscStatus;
use mmc::drive::Drive;
use mmc::msinfo::{self, Msinfo};
use mmc::write::{
    self, CleanupNote, SessionReport, SessionWriter, WriteError, WriteMode, WriteOptions,
};
use transport::Transport;

use write_util::*;

fn sao(multi: bool, dummy: bool) -> WriteOptions {
    WriteOptions {
        multi,
        dummy,
        mode: WriteMode::Sao,
        ..WriteOptions::default()
    }
}

/// Writes `bytes` as one session; the report, or the error's text with the notes of
/// `abort()`.
fn write_session<T: Transport>(
    d: &mut Drive<T>,
    bytes: &[u8],
    blocks: u32,
    opts: &WriteOptions,
) -> Result<SessionReport, (String, Vec<String>)> {
    let text = |e: WriteError| e.to_string();
    let plan = write::prepare(d, Some(blocks), opts).map_err(|e| (text(e), Vec::new()))?;
    let mut w = SessionWriter::new(d, plan);
    if let Err(e) = w.write(bytes) {
        let notes = w.abort().iter().map(ToString::to_string).collect();
        return Err((text(e), notes));
    }
    w.finish().map_err(|e| (text(e), Vec::new()))
}

fn dummy_sao_on_blank(profile: &str) {
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("d.img");
    let (mut d, log) = drive(&img, &format!("profile={profile}"));
    let before = snapshot(&mut d, &img);
    assert_eq!(before.status, DiscStatus::Empty);
    assert_eq!(before.msinfo, Some(Msinfo::Blank));
    let (bytes, blocks) = image(&mut d, t.path(), 1, 300_000, None);
    // Twice in the same drive, finalizing and not: nothing of a simulation carries over.
    for multi in [false, true] {
        log.lock().unwrap().clear();
        let r = write_session(&mut d, &bytes, blocks, &sao(multi, true)).unwrap();
        assert!(r.dummy && r.appendable, "{r:?}");
        assert_eq!((r.start, r.blocks), (0, blocks));
        let o = opcodes(&log);
        assert!(o.contains(&0x5D), "no SEND CUE SHEET: {o:02X?}");
        assert!(
            !o.contains(&0x5B),
            "CLOSE TRACK/SESSION in a test write: {o:02X?}"
        );
        let first_write = log
            .lock()
            .unwrap()
            .iter()
            .find(|c| c[0] == 0x2A)
            .cloned()
            .unwrap();
        assert_eq!(
            &first_write[2..6],
            &[0xFF, 0xFF, 0xFF, 0x6A],
            "from LBA -150"
        );
        assert_eq!(
            snapshot(&mut d, &img),
            before,
            "a test write changed the disc"
        );
    }
    // The same drive then writes the session for real, at block 0.
    let r = write_session(&mut d, &bytes, blocks, &sao(true, false)).unwrap();
    assert!(!r.dummy);
    assert_eq!(r.start, 0);
    drop(d);
    assert_eq!(xorriso_names(&img, 0), names(1));
}

#[test]
fn dummy_sao_leaves_a_blank_cd_r_blank() {
    dummy_sao_on_blank("cd-r");
}

#[test]
fn dummy_sao_leaves_a_blank_cd_rw_blank() {
    dummy_sao_on_blank("cd-rw");
}

fn dummy_sao_on_appendable(profile: &str) {
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("d.img");
    let (mut d, _log) = drive(&img, &format!("profile={profile}"));
    let (b1, n1) = image(&mut d, t.path(), 1, 100_000, None);
    write_session(&mut d, &b1, n1, &sao(true, false)).unwrap();
    let before = snapshot(&mut d, &img);
    let Some(Msinfo::Appendable { next_writable, .. }) = before.msinfo else {
        panic!("not appendable: {before:?}");
    };
    assert_eq!(before.status, DiscStatus::Incomplete);
    let (b2, n2) = image(&mut d, t.path(), 2, 400_000, None);
    for multi in [false, true] {
        let r = write_session(&mut d, &b2, n2, &sao(multi, true)).unwrap();
        assert!(r.dummy && r.appendable);
        assert_eq!(r.start, next_writable);
        assert_eq!(
            snapshot(&mut d, &img),
            before,
            "a test write changed the disc"
        );
    }
    // A TAO test write in between, then SAO for real at the same address.
    let tao = WriteOptions {
        dummy: true,
        mode: WriteMode::Tao,
        ..WriteOptions::default()
    };
    write_session(&mut d, &b2, n2, &tao).unwrap();
    assert_eq!(snapshot(&mut d, &img), before);
    let r = write_session(&mut d, &b2, n2, &sao(true, false)).unwrap();
    assert_eq!(r.start, next_writable);
    drop(d);
    assert_eq!(xorriso_names(&img, 0), names(1));
    assert_eq!(xorriso_names(&img, next_writable), names(2));
}

#[test]
fn dummy_sao_keeps_the_sessions_of_an_appendable_cd_r() {
    dummy_sao_on_appendable("cd-r");
}

#[test]
fn dummy_sao_keeps_the_sessions_of_an_appendable_cd_rw() {
    dummy_sao_on_appendable("cd-rw");
}

/// Session 1 written (SAO), session 2 (SAO) cut short: by the drive options `fault(nwa)`
/// (a write error), or by the host stopping after `stop_after` bytes and aborting. Checks
/// that no CLOSE was sent, session 1 is unchanged, the drive refuses a new cue sheet while
/// the session is unfinished, and the recipe `add` follows skips it.
fn cut_short(profile: &str, fault: impl Fn(u32) -> String, stop_after: Option<usize>) {
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("d.img");
    let (mut d, _) = drive(&img, &format!("profile={profile}"));
    let (b1, n1) = image(&mut d, t.path(), 1, 100_000, None);
    write_session(&mut d, &b1, n1, &sao(true, false)).unwrap();
    let Ok(Msinfo::Appendable { next_writable, .. }) = msinfo::msinfo(&mut d) else {
        panic!("not appendable");
    };
    let s1 = std::fs::read(&img).unwrap();
    let (b2, n2) = image(&mut d, t.path(), 2, 3_000_000, None);
    drop(d);

    let (mut d, log) = drive(&img, &fault(next_writable));
    let plan = write::prepare(&mut d, Some(n2), &sao(true, false)).unwrap();
    assert_eq!(plan.sao_blocks, Some(n2));
    let mut w = SessionWriter::new(&mut d, plan);
    let notes = match stop_after {
        // the host stops (Ctrl-C): part of the session sent, then abort
        Some(n) => {
            w.write(&b2[..n]).unwrap();
            w.abort()
        }
        None => {
            let e = w.write(&b2).unwrap_err();
            assert!(e.to_string().contains("WRITE ERROR"), "{e}");
            w.abort()
        }
    };
    let o = opcodes(&log);
    assert!(
        o.contains(&0x35),
        "no SYNCHRONIZE CACHE after the failure: {o:02X?}"
    );
    assert!(
        !o.contains(&0x5B),
        "CLOSE TRACK/SESSION sent after an SAO session was cut short: {o:02X?}"
    );
    // one note, for the user: the session is unfinished (what to do about it is the
    // caller's to say: cli::job::cleanup_note names `discburn add`, its unit test checks)
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        matches!(notes[0], CleanupNote::SaoUnfinished { .. })
            && notes[0].to_string().contains("left unfinished"),
        "{notes:?}"
    );
    drop(d);

    // Session 1's blocks are as they were, xorriso reads it.
    let now = std::fs::read(&img).unwrap();
    assert!(now[..s1.len()] == s1[..], "session 1 changed");
    assert_eq!(xorriso_names(&img, 0), names(1));

    // The drive reports the session unfinished; prepare refuses session-at-once while it
    // is (the drive would refuse the cue sheet, 2C/00), before anything is sent.
    let (mut d, log) = drive(&img, "");
    assert_eq!(
        write::unfinished_session(&mut d).unwrap(),
        Some(next_writable)
    );
    let di = d.disc_info().unwrap();
    assert_eq!(di.view().disc_status(), DiscStatus::Incomplete);
    log.lock().unwrap().clear();
    let e = write_session(&mut d, &b1, n1, &sao(true, false)).unwrap_err();
    assert!(
        e.0.contains("left unfinished") && e.0.contains("nothing was written"),
        "{e:?}"
    );
    assert!(
        !opcodes(&log)
            .iter()
            .any(|o| matches!(o, 0x2A | 0x5D | 0x55)),
        "written into an unfinished session: {e:?}"
    );

    // add's recipe: close the unfinished session, skip it, continue from session 1.
    let unfinished = write::unfinished_session(&mut d).unwrap();
    assert!(write::close_interrupted_session(&mut d).unwrap().is_some());
    let Ok(Msinfo::Appendable {
        last_session_start,
        next_writable: nwa3,
    }) = msinfo::msinfo(&mut d)
    else {
        panic!("not appendable after closing the unfinished session");
    };
    assert!(nwa3 > next_writable);
    let from =
        write::last_intact_session_excluding(&mut d, last_session_start, unfinished).unwrap();
    assert_eq!(from, Some(0), "the unfinished session taken for intact");
    let (b3, n3) = image(&mut d, t.path(), 3, 0, from);
    let r = write_session(&mut d, &b3, n3, &sao(true, false)).unwrap();
    assert_eq!(r.start, nwa3);
    drop(d);
    assert!(std::fs::read(&img).unwrap()[..s1.len()] == s1[..]);
    assert_eq!(xorriso_names(&img, 0), names(1));
    assert_eq!(xorriso_names(&img, nwa3), vec!["f1.txt", "f3.txt"]);
}

#[test]
fn sao_cut_short_by_a_write_error_on_cd_r_is_left_unfinished() {
    cut_short("cd-r", |nwa| format!("write_error={}", nwa + 700), None);
}

#[test]
fn sao_cut_short_by_a_write_error_on_cd_rw_is_left_unfinished() {
    cut_short("cd-rw", |nwa| format!("write_error={}", nwa + 700), None);
}

#[test]
fn sao_stopped_by_the_host_on_cd_r_is_left_unfinished() {
    cut_short("cd-r", |_| "".into(), Some(1_000 * 2048 + 100));
}

#[test]
fn sao_stopped_by_the_host_on_cd_rw_is_left_unfinished() {
    cut_short("cd-rw", |_| "".into(), Some(1_000 * 2048 + 100));
}
