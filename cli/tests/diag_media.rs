//! `discburn media`, `toc` and `msinfo` (and the `cdrecord`-named `-msinfo`, `-toc`,
//! `-minfo`) on the emulated drive, for every sequential medium in every state: blank, one,
//! two and five sessions, closed. Sessions are written through `mmc::Drive` as a burner
//! does (write parameters page 05h, WRITE at the NWA, SYNCHRONIZE CACHE, CLOSE TRACK, CLOSE
//! SESSION); the numbers asserted are MMC-6's: a CD's second session starts 11400 blocks
//! after the end of the first (lead-out 6750 + lead-in 4500 + pre-gap 150), later ones 6900
//! after the previous (lead-out 2250 + lead-in 4500 + pre-gap 150); a TAO track is at least
//! 300 blocks plus 2 run-out blocks. DVD and BD gaps are the emulated drive's model (DVD-R
//! border 16384 then 3072 blocks, DVD+R 4096, BD-R none: the next session right after).
#![cfg(unix)] // reason: the emulated drive's files and the symlinked personality
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

mod common;

use std::path::Path;

use common::diag::{blank_disc, cdrecord, discburn, json_full, text};
use emu::EmuDrive;
use mmc::cmd::close::{self, CloseFunction};
use mmc::cmd::track_info::{TrackAddress, INVISIBLE_TRACK};
use mmc::drive::Drive;
use transport::DataPhase;

/// Blocks a track of `blocks` data blocks occupies, as the drive reports its size.
fn track_size(profile: &str, blocks: u32) -> u32 {
    match profile {
        "cd-r" | "cd-rw" => blocks.max(300) + 2,
        "dvd-r" | "dvd+r" | "dvd+r-dl" => blocks.div_ceil(16) * 16,
        "bd-r" => blocks.div_ceil(32) * 32,
        _ => unreachable!(),
    }
}

/// Blocks between the end of session `n` (1-based) and the start of session `n + 1`.
fn gap(profile: &str, n: usize) -> u32 {
    match (profile, n) {
        ("cd-r" | "cd-rw", 1) => 11_400,
        ("cd-r" | "cd-rw", _) => 6_900,
        ("dvd-r", 1) => 16_384,
        ("dvd-r", _) => 3_072,
        ("dvd+r" | "dvd+r-dl", _) => 4_096,
        ("bd-r", _) => 0,
        _ => unreachable!(),
    }
}

/// MODE SELECT page 05h: CD TAO mode 1, DVD-R incremental, or the page hosts send to DVD+R
/// and BD-R; multi-session 11b (keep appendable) unless `finalize` (00b).
fn write_parameters(d: &mut Drive<EmuDrive>, profile: &str, finalize: bool) {
    let ms = if finalize { 0x00 } else { 0xC0 };
    let mut page = vec![0u8; 0x34];
    page[0] = 0x05;
    page[1] = 0x32;
    match profile {
        "cd-r" | "cd-rw" => {
            page[2] = 0x41; // BUFE, TAO
            page[3] = ms | 0x04; // track mode 4
            page[4] = 0x08; // mode 1
        }
        "dvd-r" => {
            page[2] = 0x60; // BUFE, LS_V, incremental
            page[3] = ms | 0x25; // FP, track mode 5
            page[4] = 0x08;
            page[5] = 0x10; // link size 16
            page[13] = 0x10; // packet size 16
        }
        _ => {
            page[2] = 0x40;
            page[3] = ms | 0x05;
            page[4] = 0x08;
        }
    }
    page[15] = 150;
    let mut list = vec![0u8; 8];
    list.extend_from_slice(&page);
    d.mode_select(&list).unwrap();
}

/// Writes one session of `blocks` blocks at the NWA; `finalize` closes the disc with it.
fn write_session(path: &Path, profile: &str, blocks: u32, finalize: bool) {
    let mut d = Drive::new(emu::open(path, &[]).unwrap());
    write_parameters(&mut d, profile, finalize);
    let inv = d.track_info(TrackAddress::Track(INVISIBLE_TRACK)).unwrap();
    let nwa = inv.view().nwa().expect("NWA valid");
    let track = inv.view().track();
    let mut data = vec![0u8; blocks as usize * 2048];
    for (i, b) in data.chunks_mut(2048).enumerate() {
        b[..8].copy_from_slice(&(u64::from(nwa) + i as u64).to_be_bytes());
    }
    d.write_blocks(nwa, &data).unwrap();
    d.synchronize_cache().unwrap();
    let exec = |d: &mut Drive<EmuDrive>, f: CloseFunction, n: u16| {
        d.execute(
            close::cdb(f, n, false),
            DataPhase::None,
            std::time::Duration::from_secs(60),
        )
        .unwrap()
    };
    exec(&mut d, CloseFunction::Track, track);
    let session_close = match (profile, finalize) {
        ("dvd+r" | "dvd+r-dl" | "bd-r", true) => CloseFunction::FinalizeDvdPlusRDl,
        _ => CloseFunction::Session,
    };
    exec(&mut d, session_close, 0);
}

/// Sizes of the sessions written, in order (one track each).
const SESSIONS: [u32; 5] = [400, 64, 200, 33, 1000];

/// Session start LBAs for the first `n` sessions, and where session `n + 1` would start.
fn starts(profile: &str, n: usize) -> Vec<u32> {
    let mut v = vec![0u32];
    for (i, &b) in SESSIONS.iter().chain([77u32].iter()).take(n).enumerate() {
        let end = v[i] + track_size(profile, b);
        v.push(end + gap(profile, i + 1));
    }
    v
}

fn check_blank(dev: &str, dir: &Path, profile: &str) {
    let (code, m, err) = json_full(dev, "media");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(m["state"], "blank", "{profile}: {m}");
    assert_eq!(m["disc"]["status"], "empty");
    assert_eq!(m["disc"]["complete_sessions"], 0);
    assert_eq!(m["next_writable"], 0);
    assert!(m["last_session_start"].is_null());
    let tracks = m["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 1, "{profile}: the blank track: {m}");
    assert_eq!(tracks[0]["start"], 0);
    assert_eq!(tracks[0]["kind"], "blank");
    let free = m["free_blocks"].as_u64().unwrap();
    assert!(free > 300_000, "{profile}: free {free}");
    assert_eq!(m["free_bytes"].as_u64().unwrap(), free * 2048);
    assert_eq!(m["tracks"][0]["free_blocks"].as_u64().unwrap(), free);

    let (code, t, err) = json_full(dev, "toc");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(t["blank"], true);
    assert_eq!(t["tracks"].as_array().unwrap().len(), 0);

    // msinfo: nothing on stdout, a note, exit 0; JSON says blank
    let o = discburn(&["--dev", dev, "msinfo"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "");
    assert!(
        text(&o.stderr).contains("blank disc"),
        "{}",
        text(&o.stderr)
    );
    let (_, v, _) = json_full(dev, "msinfo");
    assert_eq!(v["state"], "blank");
    assert!(v["text"].is_null());

    // cdrecord cannot read a session offset of a blank disc: nothing on stdout, exit 1
    let o = cdrecord(dir, dev, "-msinfo");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o.stdout), "");
    assert!(
        text(&o.stderr).starts_with("cdrecord: Cannot read session offset"),
        "{}",
        text(&o.stderr)
    );
}

fn check_sessions(dev: &str, dir: &Path, profile: &str, n: usize) {
    let st = starts(profile, n);
    let last_start = st[n - 1];
    let nwa = st[n];

    // msinfo, and cdrecord -msinfo prints the same bytes
    let o = discburn(&["--dev", dev, "msinfo"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let want = format!("{last_start},{nwa}\n");
    assert_eq!(text(&o.stdout), want, "{profile}, {n} sessions");
    let c = cdrecord(dir, dev, "-msinfo");
    assert_eq!(c.status.code(), Some(0), "{}", text(&c.stderr));
    assert_eq!(c.stdout, o.stdout, "cdrecord -msinfo");

    // media
    let (code, m, err) = json_full(dev, "media");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(m["state"], "appendable", "{profile} {n}: {m}");
    assert_eq!(m["disc"]["status"], "incomplete/appendable");
    assert_eq!(
        m["disc"]["complete_sessions"], n as u64,
        "{profile} {n}: {m}"
    );
    assert_eq!(m["last_session_start"], last_start);
    assert_eq!(m["next_writable"], nwa);
    let tracks = m["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), n + 1, "{profile} {n}: {m}");
    for (i, t) in tracks.iter().take(n).enumerate() {
        assert_eq!(t["number"], (i + 1) as u64);
        assert_eq!(t["session"], (i + 1) as u64);
        assert_eq!(t["start"], st[i], "{profile}: track {}", i + 1);
        assert_eq!(
            t["size"],
            track_size(profile, SESSIONS[i]),
            "{profile}: track {}",
            i + 1
        );
        assert_eq!(t["kind"], "data");
    }
    let blank = &tracks[n];
    assert_eq!(blank["kind"], "blank");
    assert_eq!(blank["start"], nwa);
    assert_eq!(blank["next_writable"], nwa);
    let free = m["free_blocks"].as_u64().unwrap();
    assert_eq!(blank["free_blocks"].as_u64().unwrap(), free);
    assert_eq!(m["free_bytes"].as_u64().unwrap(), free * 2048);

    // toc
    let (code, t, err) = json_full(dev, "toc");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(t["first_track"], 1);
    assert_eq!(t["last_track"], n as u64);
    assert_eq!(t["last_session"], n as u64, "{t}");
    assert_eq!(t["last_session_start"], last_start);
    let entries = t["tracks"].as_array().unwrap();
    assert_eq!(entries.len(), n + 1, "{t}");
    // mode: READ HEADER's CD data mode, 1 for the emulated drive's CD data tracks; DVD and
    // BD media refuse READ HEADER (20/00): -1, as cdrecord prints then. -1 for the lead-out.
    let mode = if profile.starts_with("cd") { 1 } else { -1 };
    for (i, e) in entries.iter().take(n).enumerate() {
        assert_eq!(e["lba"], st[i]);
        assert_eq!(e["data"], true);
        assert_eq!(e["mode"], mode, "{profile}: {t}");
        assert_eq!(e["session"], (i + 1) as u64);
    }
    assert_eq!(entries[n]["leadout"], true);
    assert_eq!(entries[n]["mode"], -1);
    assert_eq!(
        entries[n]["lba"],
        st[n - 1] + track_size(profile, SESSIONS[n - 1]),
        "{profile}: lead-out of the last session"
    );

    // the cdrecord layouts carry the same numbers
    let c = cdrecord(dir, dev, "-toc");
    assert_eq!(c.status.code(), Some(0), "{}", text(&c.stderr));
    let toc = text(&c.stdout);
    assert!(toc.starts_with(&format!("first: 1 last {n}\n")), "{toc}");
    assert!(
        toc.contains(&format!(
            "track: {:3} lba: {:9} ({:9}) ",
            n,
            last_start,
            last_start * 4
        )),
        "{toc}"
    );
    for line in toc.lines().skip(1) {
        let want = if line.starts_with("track:lout") {
            -1
        } else {
            mode
        };
        assert!(
            line.ends_with(&format!(" mode: {want}")),
            "{profile}: {line}"
        );
    }
    assert!(toc.contains("track:lout lba: "), "{toc}");
    let c = cdrecord(dir, dev, "-minfo");
    assert_eq!(c.status.code(), Some(0), "{}", text(&c.stderr));
    let mi = text(&c.stdout);
    assert!(
        mi.contains(&format!(
            "Last session start address:         {last_start}\n"
        )),
        "{mi}"
    );
    assert!(
        mi.contains(&format!("Next writable address:              {nwa}\n")),
        "{mi}"
    );
    assert!(
        mi.contains("disk status:              incomplete/appendable\n"),
        "{mi}"
    );
}

fn check_closed(dev: &str, dir: &Path, profile: &str, n: usize) {
    let o = discburn(&["--dev", dev, "msinfo"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o.stdout), "");
    assert!(
        text(&o.stderr).contains("closed: no more sessions can be added"),
        "{}",
        text(&o.stderr)
    );
    let (code, v, _) = json_full(dev, "msinfo");
    assert_eq!(code, Some(1));
    assert_eq!(v["state"], "closed");
    let c = cdrecord(dir, dev, "-msinfo");
    assert_eq!(c.status.code(), Some(1));
    assert_eq!(text(&c.stdout), "");

    let (code, m, err) = json_full(dev, "media");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(m["state"], "closed", "{profile}: {m}");
    assert_eq!(m["disc"]["status"], "complete");
    assert_eq!(m["disc"]["complete_sessions"], n as u64, "{m}");
    assert_eq!(m["free_blocks"], 0);
    assert_eq!(m["free_bytes"], 0);
    assert!(m["next_writable"].is_null());
    let tracks = m["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), n, "no blank track on a closed disc: {m}");
    let st = starts(profile, n);
    assert_eq!(tracks[n - 1]["start"], st[n - 1]);

    let c = cdrecord(dir, dev, "-minfo");
    assert_eq!(c.status.code(), Some(0), "{}", text(&c.stderr));
    let mi = text(&c.stdout);
    assert!(mi.contains("disk status:              complete\n"), "{mi}");
    assert!(
        mi.contains(&format!(
            "Last session start address:         {}\n",
            st[n - 1]
        )),
        "{mi}"
    );
    assert!(!mi.contains("Next writable address"), "{mi}");

    let (code, t, err) = json_full(dev, "toc");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(t["last_track"], n as u64);
    assert_eq!(t["last_session"], n as u64);
    assert_eq!(t["last_session_start"], st[n - 1]);
}

fn sequential(profile: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let path = dir.join("disc.img");
    let dev = blank_disc(&path, profile, "");
    check_blank(&dev, dir, profile);
    for (i, &blocks) in SESSIONS.iter().enumerate() {
        write_session(&path, profile, blocks, false);
        let n = i + 1;
        if matches!(n, 1 | 2 | 5) {
            check_sessions(&dev, dir, profile, n);
        }
    }
    // a sixth session that closes the disc
    write_session(&path, profile, 77, true);
    check_closed(&dev, dir, profile, 6);
}

#[test]
fn cd_r_blank_one_two_five_sessions_closed() {
    sequential("cd-r");
}

#[test]
fn cd_rw_blank_one_two_five_sessions_closed() {
    sequential("cd-rw");
}

#[test]
fn dvd_r_blank_one_two_five_sessions_closed() {
    sequential("dvd-r");
}

#[test]
fn dvd_plus_r_blank_one_two_five_sessions_closed() {
    sequential("dvd+r");
}

#[test]
fn dvd_plus_r_dl_blank_one_two_five_sessions_closed() {
    sequential("dvd+r-dl");
}

#[test]
fn bd_r_blank_one_two_five_sessions_closed() {
    sequential("bd-r");
}
