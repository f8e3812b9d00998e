//! The write path against the emulated drive, per profile: the command sequence follows
//! libburn's cookbook recipes (CD TAO ends with SYNCHRONIZE CACHE and no CLOSE TRACK;
//! DVD+R/BD-R reserve, close the track, then close the session or finalize; overwritable
//! media get the descriptor copy at LBA 16), and what was written reads back through
//! isofs over the same drive.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod write_util;

use isofs::{Image, Options, RockRidge, Tree, Volume};
use mmc::drive::Drive;
use mmc::msinfo::{self, Msinfo};
use mmc::write::{self, SessionWriter, WriteMode, WriteOptions};
use transport::Transport;
use write_util::{xorriso_names, Log};

/// The emulated drive with a blank `profile` disc at `path`, its commands recorded.
fn drive(path: &std::path::Path, profile: &str) -> (Drive<impl Transport>, Log) {
    write_util::drive(path, &format!("profile={profile}"))
}

/// Makes source folder `n` with one file `fN.txt`; returns the image options.
fn session(dir: &std::path::Path, n: u8, session: Option<(u32, u32)>) -> Options {
    let src = dir.join(format!("src{n}"));
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join(format!("f{n}.txt")), format!("file {n}\n")).unwrap();
    Options {
        rock_ridge: Some(RockRidge::Exact),
        session,
        ..Options::default()
    }
}

/// Writes one session; returns (start, the CDBs sent while writing).
fn write_one<T: Transport>(
    d: &mut Drive<T>,
    log: &Log,
    dir: &std::path::Path,
    n: u8,
    multi: bool,
) -> (u32, Vec<Vec<u8>>) {
    write_one_mode(d, log, dir, n, multi, WriteMode::Auto)
}

/// [`write_one`] with a write type.
fn write_one_mode<T: Transport>(
    d: &mut Drive<T>,
    log: &Log,
    dir: &std::path::Path,
    n: u8,
    multi: bool,
    mode: WriteMode,
) -> (u32, Vec<Vec<u8>>) {
    let profile = write::check_device(d).unwrap();
    let (mut tree, start, sess) = match msinfo::msinfo(d).unwrap() {
        Msinfo::Blank => {
            let s = if profile.overwritable() { 32 } else { 0 };
            (Tree::new(), s, (s != 0).then_some((0, s)))
        }
        Msinfo::Appendable {
            last_session_start,
            next_writable,
        } => {
            let mut t = Tree::new();
            isofs::merge::import(&mut t, &mut *d, last_session_start).unwrap();
            (t, next_writable, Some((last_session_start, next_writable)))
        }
    };
    let opts = session(dir, n, sess);
    let src = dir.join(format!("src{n}"));
    tree.add_source("/", &src, &Default::default()).unwrap();
    let img = Image::new(tree, opts, None).unwrap();
    let mut bytes = Vec::new();
    img.write_to(&mut bytes).unwrap();
    log.lock().unwrap().clear();
    let wopts = WriteOptions {
        multi,
        mode,
        ..WriteOptions::default()
    };
    let plan = write::prepare(d, Some(img.size_blocks()), &wopts).unwrap();
    assert_eq!(plan.start, start);
    let mut w = SessionWriter::new(d, plan);
    w.write(&bytes).unwrap();
    let r = w.finish().unwrap();
    assert_eq!(r.blocks, img.size_blocks());
    let cdbs = log.lock().unwrap().clone();
    (start, cdbs)
}

fn ops(cdbs: &[Vec<u8>]) -> Vec<u8> {
    let mut v: Vec<u8> = cdbs
        .iter()
        .map(|c| c[0])
        .filter(|&o| {
            !matches!(
                o,
                0x00 | 0x03 | 0x12 | 0x46 | 0x51 | 0x52 | 0x43 | 0x25 | 0x28 | 0x5A | 0x23
            )
        })
        .collect();
    v.dedup();
    v
}

fn closes(cdbs: &[Vec<u8>]) -> Vec<u8> {
    cdbs.iter()
        .filter(|c| c[0] == 0x5B)
        .map(|c| c[2] & 7)
        .collect()
}

fn check_tree<T: Transport>(d: &mut Drive<T>, start: u32, n: u8) {
    let mut v = Volume::open(&mut *d, start, None).unwrap();
    let root = v.root().clone();
    let names: Vec<String> = v
        .read_dir(&root)
        .unwrap()
        .into_iter()
        .map(|e| e.name.clone())
        .filter(|s| s.ends_with(".txt"))
        .collect();
    let want: Vec<String> = (1..=n).map(|i| format!("f{i}.txt")).collect();
    assert_eq!(names, want);
}

#[test]
fn cd_r_tao_recipe() {
    let t = tempfile::tempdir().unwrap();
    let (mut d, log) = drive(&t.path().join("d.img"), "cd-r");
    let (s1, c) = write_one(&mut d, &log, t.path(), 1, true);
    // page 05h, SET CD SPEED, WRITE(10)..., SYNCHRONIZE CACHE, CLOSE SESSION; no CLOSE TRACK.
    assert_eq!(ops(&c), vec![0x55, 0xBB, 0x2A, 0x35, 0x5B], "{c:02X?}");
    assert_eq!(closes(&c), vec![2]);
    let (s2, _) = write_one(&mut d, &log, t.path(), 2, false);
    assert_eq!((s1, s2), (0, 11_702));
    check_tree(&mut d, s2, 2);
    assert!(matches!(
        msinfo::msinfo(&mut d),
        Err(msinfo::MsinfoError::Closed)
    ));
}

#[test]
fn cd_r_sao_then_tao_then_sao() {
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("d.img");
    let (mut d, log) = drive(&img, "cd-r");
    let (s1, c) = write_one_mode(&mut d, &log, t.path(), 1, true, WriteMode::Sao);
    // page 05h (write type 2), SEND CUE SHEET, SET CD SPEED, WRITE(10) from the pre-gap,
    // SYNCHRONIZE CACHE; no CLOSE TRACK/SESSION: the drive closes the announced session.
    assert_eq!(ops(&c), vec![0x55, 0x5D, 0xBB, 0x2A, 0x35], "{c:02X?}");
    let first_write = c.iter().find(|c| c[0] == 0x2A).unwrap();
    assert_eq!(&first_write[2..6], &[0xFF, 0xFF, 0xFF, 0x6A]);
    // a TAO session on top, 11400 blocks after the lead-out the cue sheet placed at the end
    // of the 300-block track: no run-out blocks after a session-at-once track (MMC-6
    // §6.33.3), so 11700 where a TAO first session gives 11702
    let (s2, c) = write_one(&mut d, &log, t.path(), 2, true);
    assert_eq!(ops(&c), vec![0x55, 0xBB, 0x2A, 0x35, 0x5B], "{c:02X?}");
    assert_eq!((s1, s2), (0, 11_700));
    // SAO in a later session: the cue sheet starts at that session's start
    let (s3, c) = write_one_mode(&mut d, &log, t.path(), 3, true, WriteMode::Sao);
    let first_write = c.iter().find(|c| c[0] == 0x2A).unwrap();
    assert_eq!(&first_write[2..6], &(s3 - 150).to_be_bytes());
    assert!(s3 > s2);
    check_tree(&mut d, s3, 3);
    drop(d);
    assert_eq!(xorriso_names(&img, s1), vec!["f1.txt"]);
    assert_eq!(xorriso_names(&img, s2), vec!["f1.txt", "f2.txt"]);
    assert_eq!(xorriso_names(&img, s3), vec!["f1.txt", "f2.txt", "f3.txt"]);
}

#[test]
fn dvd_plus_r_recipe() {
    let t = tempfile::tempdir().unwrap();
    let (mut d, log) = drive(&t.path().join("d.img"), "dvd+r");
    let (_, c) = write_one(&mut d, &log, t.path(), 1, true);
    // SET STREAMING, RESERVE TRACK, WRITE(10), SYNC, CLOSE TRACK, CLOSE SESSION.
    assert_eq!(ops(&c), vec![0xB6, 0x53, 0x2A, 0x35, 0x5B], "{c:02X?}");
    assert_eq!(closes(&c), vec![1, 2]);
    let (s2, c) = write_one(&mut d, &log, t.path(), 2, false);
    assert_eq!(closes(&c), vec![1, 5], "DVD+R finalizes with 101b");
    check_tree(&mut d, s2, 2);
}

#[test]
fn bd_r_recipe_finalizes_with_110b() {
    let t = tempfile::tempdir().unwrap();
    let (mut d, log) = drive(&t.path().join("d.img"), "bd-r");
    write_one(&mut d, &log, t.path(), 1, true);
    let (s2, c) = write_one(&mut d, &log, t.path(), 2, false);
    assert_eq!(closes(&c), vec![1, 6]);
    check_tree(&mut d, s2, 2);
}

#[test]
fn dvd_r_incremental_recipe() {
    let t = tempfile::tempdir().unwrap();
    let (mut d, log) = drive(&t.path().join("d.img"), "dvd-r");
    let (_, c) = write_one(&mut d, &log, t.path(), 1, true);
    assert_eq!(
        ops(&c),
        vec![0x55, 0xB6, 0x53, 0x2A, 0x35, 0x5B],
        "{c:02X?}"
    );
    assert_eq!(closes(&c), vec![1, 2]);
    let (s2, _) = write_one(&mut d, &log, t.path(), 2, true);
    check_tree(&mut d, s2, 2);
}

#[test]
fn bd_re_is_formatted_and_sessions_are_emulated() {
    let t = tempfile::tempdir().unwrap();
    let (mut d, log) = drive(&t.path().join("d.img"), "bd-re");
    let (s1, c) = write_one(&mut d, &log, t.path(), 1, true);
    assert_eq!(s1, 32);
    assert_eq!(
        c.iter().filter(|x| x[0] == 0x04).count(),
        1,
        "FORMAT UNIT once"
    );
    // The commit: WRITE(10) at LBA 16 after the session, SYNCHRONIZE CACHE, then READ(10)
    // of block 16 to check the copy.
    let w = c.iter().rposition(|x| x[0] == 0x2A).unwrap();
    assert_eq!(&c[w][2..6], &[0, 0, 0, 16]);
    let after: Vec<u8> = c[w + 1..].iter().map(|x| x[0]).collect();
    assert_eq!(after, vec![0x35, 0x28], "{:02X?}", &c[w..]);
    assert_eq!(&c.last().unwrap()[2..6], &[0, 0, 0, 16]);
    let (s2, c) = write_one(&mut d, &log, t.path(), 2, true);
    assert_eq!(s2 % 32, 0);
    assert_eq!(
        c.iter().filter(|x| x[0] == 0x04).count(),
        0,
        "formatted already"
    );
    assert!(
        c.iter().all(|x| x[0] != 0x5B),
        "no CLOSE TRACK/SESSION on BD-RE"
    );
    check_tree(&mut d, s2, 2);
    check_tree(&mut d, 0, 2);
}

#[test]
fn dummy_is_refused_on_dvd_plus_r_and_nothing_is_sent() {
    let t = tempfile::tempdir().unwrap();
    let (mut d, log) = drive(&t.path().join("d.img"), "dvd+r");
    log.lock().unwrap().clear();
    let e = write::prepare(
        &mut d,
        Some(100),
        &WriteOptions {
            dummy: true,
            ..WriteOptions::default()
        },
    )
    .unwrap_err();
    assert!(e.is_refusal());
    assert!(e.to_string().contains("cannot do test writes"), "{e}");
    assert!(log
        .lock()
        .unwrap()
        .iter()
        .all(|c| !matches!(c[0], 0x2A | 0x55 | 0x53 | 0x5B)));
}
