//! CD session-at-once only where the drive offers it. The emulated drive reports the CD
//! Mastering feature (MMC-6 §5.3.21, 002Eh) with SAO on CD-R/RW; `sao=off` models a writer
//! without it (no 002Eh, write type 2 refused in page 05h, SEND CUE SHEET unknown) and
//! `sao_appendable=off` one that takes a cue sheet on a blank CD only (libburn's
//! doc/cookbook.txt, SAO CD Cookbook: drives that refused SAO on an appendable CD).
//! `write::prepare` must refuse `-sao` on such drives, and while an interrupted write's
//! session is open, before anything is written: image, state file, disc status and msinfo
//! stay as they were, and `-tao` then works (xorriso reads every session).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod write_util;

use mmc::drive::Drive;
use mmc::feature::FeatureBody;
use mmc::msinfo::{self, Msinfo};
use mmc::write::{self, SessionReport, SessionWriter, WriteError, WriteMode, WriteOptions};
use transport::{DataPhase, SenseKey, Transport};

use write_util::*;

fn opts(mode: WriteMode, dummy: bool) -> WriteOptions {
    WriteOptions {
        multi: true,
        dummy,
        mode,
        ..WriteOptions::default()
    }
}

/// Writes `bytes` as one session.
fn write_session<T: Transport>(
    d: &mut Drive<T>,
    bytes: &[u8],
    blocks: u32,
    o: &WriteOptions,
) -> Result<SessionReport, WriteError> {
    let plan = write::prepare(d, Some(blocks), o)?;
    let mut w = SessionWriter::new(d, plan);
    if let Err(e) = w.write(bytes) {
        w.abort();
        return Err(e);
    }
    w.finish()
}

/// The CD Mastering descriptor from GET CONFIGURATION RT=10b (only feature 002Eh).
fn cd_mastering_descriptor<T: Transport>(d: &mut Drive<T>) -> Option<Vec<u8>> {
    let b = d
        .configuration(mmc::cmd::get_configuration::Rt::One, 0x002E)
        .unwrap();
    (b.len() > 8).then(|| b[8..].to_vec())
}

#[test]
fn emulated_drive_reports_cd_mastering_with_sao() {
    let t = tempfile::tempdir().unwrap();
    for (kind, current) in [
        ("cd-r", true),
        ("cd-rw", true),
        ("dvd-r", false),
        ("dvd+r", false),
        ("bd-r", false),
    ] {
        let (mut d, _) = drive(
            &t.path().join(format!("{kind}.img")),
            &format!("profile={kind}"),
        );
        // MMC-6 §5.3.21: code 002Eh, version 0, not persistent, current on CD-R/RW; byte 4
        // BUF (the drive has buffer-underrun protection), SAO, Test Write, CD-RW, R-W (the
        // lead-in's CD-TEXT from the host), no Raw MS or Raw; maximum cue sheet length
        // 8192 (1024 entries).
        assert_eq!(
            cd_mastering_descriptor(&mut d).unwrap(),
            vec![0x00, 0x2E, u8::from(current), 0x04, 0x67, 0x00, 0x20, 0x00],
            "{kind}"
        );
        let f = d.features().unwrap();
        let cm = f.iter().find(|f| f.code == 0x002E).unwrap();
        assert_eq!(cm.current, current, "{kind}");
        assert_eq!(
            cm.body,
            FeatureBody::CdMastering {
                buf: true,
                sao: true,
                raw_ms: false,
                raw: false,
                test_write: true,
                cd_rw: true,
                rw: true,
                max_cue_len: 8192
            }
        );
    }
    // bup=off: no BUF bit
    let (mut d, _) = drive(&t.path().join("nobup.img"), "profile=cd-r,bup=off");
    assert_eq!(cd_mastering_descriptor(&mut d).unwrap()[4], 0x27);
    // sao=off: no CD Mastering at all, also not in the full list
    let (mut d, _) = drive(&t.path().join("nosao.img"), "profile=cd-r,sao=off");
    assert_eq!(cd_mastering_descriptor(&mut d), None);
    assert!(d.features().unwrap().iter().all(|f| f.code != 0x002E));
    assert!(d.features().unwrap().iter().any(|f| f.code == 0x002D));
}

#[test]
fn drive_without_sao_refuses_write_type_2_and_send_cue_sheet() {
    let t = tempfile::tempdir().unwrap();
    let (mut d, _) = drive(&t.path().join("d.img"), "profile=cd-r,sao=off");
    let mut wp = mmc::cmd::mode::WriteParameters::cd_tao_data(true, false);
    d.mode_select(&wp.select_data()).unwrap();
    wp.write_type = mmc::cmd::mode::WriteType::Sao;
    let e = d.mode_select(&wp.select_data()).unwrap_err();
    let s = e.sense().unwrap();
    assert_eq!(
        (s.key, s.asc, s.ascq),
        (SenseKey::IllegalRequest, 0x26, 0x00)
    );
    // SEND CUE SHEET (5Dh) of a one-track session: an unknown command here
    let sheet = mmc::cmd::cue_sheet::data_track(1, 0, 300);
    let e = d
        .execute(
            mmc::cmd::cue_sheet::cdb(sheet.len() as u32),
            DataPhase::Out(&sheet),
            std::time::Duration::from_secs(10),
        )
        .unwrap_err();
    assert!(e.is_not_supported(), "{e}");
}

/// `-sao` (real and test write) on a drive without SAO, blank and appendable: refused
/// with the missing feature named, before MODE SELECT, SEND CUE SHEET or WRITE; `-tao`
/// then writes the session.
fn refused_without_sao(profile: &str) {
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("d.img");
    let (mut d, log) = drive(&img, &format!("profile={profile},sao=off"));
    for n in 1..=2u8 {
        let before = snapshot(&mut d, &img);
        let (bytes, blocks) = image(&mut d, t.path(), n, 200_000, None);
        for dummy in [false, true] {
            log.lock().unwrap().clear();
            let e =
                write_session(&mut d, &bytes, blocks, &opts(WriteMode::Sao, dummy)).unwrap_err();
            assert!(
                matches!(e, WriteError::SaoUnsupported { .. }) && e.is_refusal(),
                "{e:?}"
            );
            assert_eq!(
                e.to_string(),
                "the drive does not offer session-at-once (no CD Mastering feature 002Eh \
                 with SAO); nothing was written",
                "the library's words carry no command-line advice (the CLI adds `use -tao`)"
            );
            let o = opcodes(&log);
            assert!(
                !o.iter()
                    .any(|c| matches!(c, 0x55 | 0x5D | 0x2A | 0x35 | 0x5B)),
                "sent to the drive before refusing: {o:02X?}"
            );
            assert_eq!(
                snapshot(&mut d, &img),
                before,
                "the refusal changed the disc"
            );
        }
        let r = write_session(&mut d, &bytes, blocks, &opts(WriteMode::Tao, false)).unwrap();
        assert!(!r.dummy);
    }
    drop(d);
    let Some(Msinfo::Appendable {
        last_session_start, ..
    }) = ({
        let (mut d, _) = drive(&img, "");
        msinfo::msinfo(&mut d).ok()
    })
    else {
        panic!("not appendable");
    };
    assert_eq!(xorriso_names(&img, 0), names(1));
    assert_eq!(xorriso_names(&img, last_session_start), names(2));
}

#[test]
fn sao_refused_on_a_cd_r_drive_without_sao() {
    refused_without_sao("cd-r");
}

#[test]
fn sao_refused_on_a_cd_rw_drive_without_sao() {
    refused_without_sao("cd-rw");
}

/// A drive without GET CONFIGURATION (older than MMC-2): page 2Ah does not say whether it
/// does SAO, so the drive answers page 05h's write type 2 itself. One that refuses it
/// (`sao=off`) gets the same refusal, naming the MODE SELECT answer, with nothing written;
/// one that takes it writes the session-at-once.
#[test]
fn drive_without_get_configuration_answers_for_sao_itself() {
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("d.img");
    {
        // create the blank CD-R
        drive(&img, "profile=cd-r");
    }
    let (mut d, log) = open(&img, "sao=off", true);
    let before = snapshot(&mut d, &img);
    let (bytes, blocks) = image(&mut d, t.path(), 1, 100_000, None);
    let e = write_session(&mut d, &bytes, blocks, &opts(WriteMode::Sao, false)).unwrap_err();
    assert!(
        matches!(e, WriteError::SaoUnsupported { .. }) && e.is_refusal(),
        "{e:?}"
    );
    let m = e.to_string();
    assert!(
        m.starts_with("the drive does not offer session-at-once (it refused write type 2, SAO, in MODE SELECT page 05h")
            && m.contains("26/00")
            && m.ends_with("; nothing was written")
            && !m.contains("-tao"),
        "{m}"
    );
    let o = opcodes(&log);
    assert!(o.contains(&0x46), "GET CONFIGURATION not asked: {o:02X?}");
    assert!(!o.iter().any(|c| matches!(c, 0x5D | 0x2A)), "{o:02X?}");
    assert_eq!(snapshot(&mut d, &img), before);
    drop(d);

    let (mut d, log) = open(&img, "", true);
    log.lock().unwrap().clear();
    write_session(&mut d, &bytes, blocks, &opts(WriteMode::Sao, false)).unwrap();
    assert!(opcodes(&log).contains(&0x5D), "not written session-at-once");
    drop(d);
    assert_eq!(xorriso_names(&img, 0), names(1));
}

/// A drive that takes SAO on a blank CD only (`sao_appendable=off`): session 1 goes
/// session-at-once; session 2's cue sheet is refused before any WRITE, reported as that
/// (with libburn's cookbook and -tao named) and leaves the disc as it was; -tao then adds
/// session 2. The default drive appends session-at-once (cdrecord -sao does too).
fn appendable_refused(profile: &str) {
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("d.img");
    let (mut d, log) = drive(&img, &format!("profile={profile},sao_appendable=off"));
    let (b1, n1) = image(&mut d, t.path(), 1, 100_000, None);
    write_session(&mut d, &b1, n1, &opts(WriteMode::Sao, false)).unwrap();
    let before = snapshot(&mut d, &img);
    let Some(Msinfo::Appendable { next_writable, .. }) = before.msinfo else {
        panic!("not appendable: {before:?}");
    };
    let (b2, n2) = image(&mut d, t.path(), 2, 300_000, None);
    for dummy in [false, true] {
        log.lock().unwrap().clear();
        let e = write_session(&mut d, &b2, n2, &opts(WriteMode::Sao, dummy)).unwrap_err();
        assert!(
            matches!(
                e,
                WriteError::SaoRefused {
                    last_session_start: Some(0),
                    ..
                }
            ) && e.is_refusal(),
            "{e:?}"
        );
        let m = e.to_string();
        assert!(
            m.contains("SEND CUE SHEET: ILLEGAL REQUEST")
                && m.contains("26/00")
                && m.contains("the CD already holds sessions (the last from block 0)")
                && m.contains("libburn's doc/cookbook.txt")
                && !m.contains("-tao")
                && m.ends_with("nothing was written"),
            "{m}"
        );
        let o = opcodes(&log);
        assert!(o.contains(&0x5D), "{o:02X?}");
        assert!(
            !o.iter().any(|c| matches!(c, 0x2A | 0x35 | 0x5B)),
            "written or closed after the refused cue sheet: {o:02X?}"
        );
        assert_eq!(
            snapshot(&mut d, &img),
            before,
            "the refusal changed the disc"
        );
    }
    let r = write_session(&mut d, &b2, n2, &opts(WriteMode::Tao, false)).unwrap();
    assert_eq!(r.start, next_writable);
    drop(d);
    assert_eq!(xorriso_names(&img, 0), names(1));
    assert_eq!(xorriso_names(&img, next_writable), names(2));

    // The same disc in a drive that appends session-at-once: session 3 that way.
    let (mut d, _) = drive(&img, "");
    let (b3, n3) = image(&mut d, t.path(), 3, 0, None);
    let Ok(Msinfo::Appendable {
        next_writable: nwa3,
        ..
    }) = msinfo::msinfo(&mut d)
    else {
        panic!("not appendable");
    };
    write_session(&mut d, &b3, n3, &opts(WriteMode::Sao, false)).unwrap();
    drop(d);
    assert_eq!(xorriso_names(&img, nwa3), names(3));
}

#[test]
fn sao_on_an_appendable_cd_r_refused_by_the_drive_writes_nothing() {
    appendable_refused("cd-r");
}

#[test]
fn sao_on_an_appendable_cd_rw_refused_by_the_drive_writes_nothing() {
    appendable_refused("cd-rw");
}

/// A TAO write stopped by the host leaves its session open (unfinished): `prepare`
/// refuses `-sao` itself, before MODE SELECT or SEND CUE SHEET, naming the session; the
/// disc is unchanged.
#[test]
fn prepare_refuses_sao_while_the_last_session_is_unfinished() {
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("d.img");
    let (mut d, log) = drive(&img, "profile=cd-r");
    let (b1, n1) = image(&mut d, t.path(), 1, 0, None);
    write_session(&mut d, &b1, n1, &opts(WriteMode::Tao, false)).unwrap();
    let Ok(Msinfo::Appendable { next_writable, .. }) = msinfo::msinfo(&mut d) else {
        panic!("not appendable");
    };
    let (b2, n2) = image(&mut d, t.path(), 2, 2_000_000, None);
    let plan = write::prepare(&mut d, Some(n2), &opts(WriteMode::Tao, false)).unwrap();
    let mut w = SessionWriter::new(&mut d, plan);
    w.write(&b2[..600 * 2048]).unwrap();
    w.abort();
    assert_eq!(
        write::unfinished_session(&mut d).unwrap(),
        Some(next_writable)
    );
    let before = snapshot(&mut d, &img);
    log.lock().unwrap().clear();
    let e = write::prepare(&mut d, Some(n2), &opts(WriteMode::Sao, false)).unwrap_err();
    assert!(
        matches!(e, WriteError::SaoUnfinished { start } if start == next_writable),
        "{e:?}"
    );
    assert!(e.is_refusal());
    assert!(
        e.to_string()
            .contains("left unfinished by an interrupted write")
            && !e.to_string().contains("discburn add")
            && e.to_string().ends_with("nothing was written"),
        "{e}"
    );
    let o = opcodes(&log);
    assert!(
        !o.iter().any(|c| matches!(c, 0x55 | 0x5D | 0x2A | 0x5B)),
        "{o:02X?}"
    );
    assert_eq!(snapshot(&mut d, &img), before);
    drop(d);
    assert_eq!(xorriso_names(&img, 0), names(1));
}
