//! Appends three sessions to an emulated BD-R through `mmc::job::append` (the library call
//! `discburn add` runs), watching the progress callback, then has xorriso read every
//! session and compares its tree with what the sessions should hold.
//!
//! `discburn-lib-consumer WORKDIR`; needs xorriso (Debian package xorriso). Exit status 0
//! when every check holds; a failed check names what differed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use mmc::drive::Drive;
use mmc::job::append::{append, AppendOptions, Edits};
use mmc::job::Event;

type Error = Box<dyn std::error::Error>;

fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), Error> {
    if ok {
        Ok(())
    } else {
        Err(what().into())
    }
}

/// Writes the files of session `n` under `dir`: a file of its own, a file in a shared
/// directory, and (from session 2 on) a new version of session 1's file.
fn sources(dir: &Path, n: u32) -> Result<PathBuf, Error> {
    let src = dir.join(format!("src{n}"));
    std::fs::create_dir_all(src.join("shared"))?;
    std::fs::write(src.join(format!("only{n}.txt")), format!("session {n}\n"))?;
    let big: Vec<u8> = (0..(2_500_000 + n * 700_000))
        .map(|i| (i * 31 + n) as u8)
        .collect();
    std::fs::write(src.join("shared").join(format!("data{n}.bin")), big)?;
    if n > 1 {
        std::fs::write(src.join("only1.txt"), format!("replaced in session {n}\n"))?;
    }
    Ok(src)
}

/// The tree xorriso finds in the session at `lba`: every path below the root.
fn xorriso_tree(disc: &Path, lba: u32) -> Result<BTreeSet<String>, Error> {
    let out = Command::new("xorriso")
        .args(["-abort_on", "FAILURE", "-indev"])
        .arg(disc)
        .args([
            "-load",
            "sbsector",
            &lba.to_string(),
            "-find",
            "/",
            "-exec",
            "echo",
        ])
        .output()
        .map_err(|e| format!("xorriso: {e} (install the Debian package xorriso)"))?;
    check(out.status.success(), || {
        format!(
            "xorriso failed on the session at {lba}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim_matches('\'').to_string())
        .filter(|l| l.starts_with('/') && l != "/")
        .collect())
}

/// The content of `path` in the session at `lba`, as xorriso extracts it.
fn xorriso_cat(disc: &Path, lba: u32, path: &str, to: &Path) -> Result<Vec<u8>, Error> {
    let _ = std::fs::remove_file(to);
    let out = Command::new("xorriso")
        .args(["-abort_on", "FAILURE", "-osirrox", "on", "-indev"])
        .arg(disc)
        .args(["-load", "sbsector", &lba.to_string(), "-extract", path])
        .arg(to)
        .output()?;
    check(out.status.success(), || {
        format!(
            "xorriso -extract {path} at {lba}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    Ok(std::fs::read(to)?)
}

fn main() -> Result<(), Error> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: discburn-lib-consumer WORKDIR")?,
    );
    let disc = dir.join("bd-r.disc");
    let mut expect: BTreeSet<String> = BTreeSet::new();
    let mut starts = Vec::new();
    for n in 1..=3u32 {
        let src = sources(&dir, n)?;
        let opts = if n == 1 {
            vec![("profile".to_string(), "bd-r".to_string())]
        } else {
            Vec::new()
        };
        let mut drive = Drive::new(emu::open(&disc, &opts)?);
        let edits = Edits {
            add: vec![("/".to_string(), src.clone())],
            ..Edits::default()
        };
        let mut started = 0;
        let mut written = Vec::new();
        let mut ended = None;
        let report = append(
            &mut drive,
            &edits,
            &AppendOptions::default(),
            &mut |e| match e {
                Event::WriteStarted { .. } => started += 1,
                Event::Written(s) => written.push(s.written_bytes),
                Event::WriteEnded(s) => ended = Some(*s),
                _ => {}
            },
        )?;
        let bytes = u64::from(report.blocks) * 2048;
        check(started == 1, || {
            format!("session {n}: {started} WriteStarted events")
        })?;
        check(
            written.len() > 1 && written.windows(2).all(|w| w[0] < w[1]),
            || format!("session {n}: written bytes not rising over several samples: {written:?}"),
        )?;
        check(written.last() == Some(&bytes), || {
            format!(
                "session {n}: last sample {:?}, {bytes} bytes written",
                written.last()
            )
        })?;
        check(ended.map(|s| s.written_bytes) == Some(bytes), || {
            format!("session {n}: WriteEnded {ended:?}")
        })?;
        check(
            report.session == n as u16 && report.verified && report.appendable,
            || format!("session {n}: report {report:?}"),
        )?;
        let (added, replaced) = if n == 1 { (2, 0) } else { (2, 1) };
        check((report.added, report.replaced) == (added, replaced), || {
            format!(
                "session {n}: added {}, replaced {}",
                report.added, report.replaced
            )
        })?;
        println!(
            "session {n} at LBA {}: {} blocks, {} progress samples",
            report.start,
            report.blocks,
            written.len()
        );
        starts.push(report.start);
        expect.insert(format!("/only{n}.txt"));
        expect.insert("/shared".to_string());
        expect.insert(format!("/shared/data{n}.bin"));
        // Every session so far, as xorriso reads it from the disc's image file.
        drop(drive);
        let tree = xorriso_tree(&disc, report.start)?;
        check(tree == expect, || {
            format!(
                "session {n} at {}: xorriso finds {tree:?}, expected {expect:?}",
                report.start
            )
        })?;
        let want = std::fs::read(src.join(format!("shared/data{n}.bin")))?;
        let got = xorriso_cat(
            &disc,
            report.start,
            &format!("/shared/data{n}.bin"),
            &dir.join("x"),
        )?;
        check(got == want, || format!("session {n}: data{n}.bin differs"))?;
        let one = xorriso_cat(&disc, report.start, "/only1.txt", &dir.join("x"))?;
        let want_one = if n == 1 {
            "session 1\n".to_string()
        } else {
            format!("replaced in session {n}\n")
        };
        check(one == want_one.as_bytes(), || {
            format!("session {n}: only1.txt is {one:?}")
        })?;
    }
    // The earlier sessions stay readable as they were.
    for (i, &s) in starts.iter().enumerate() {
        let n = i as u32 + 1;
        let tree = xorriso_tree(&disc, s)?;
        check(
            tree.contains(&format!("/only{n}.txt"))
                && !tree.contains(&format!("/only{}.txt", n + 1)),
            || format!("session {n} at {s} afterwards: {tree:?}"),
        )?;
    }
    println!("3 sessions appended through mmc::job::append and read by xorriso");
    Ok(())
}
