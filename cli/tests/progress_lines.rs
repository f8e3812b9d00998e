//! The lines front ends parse, printed by the cdrecord personality while it writes to the
//! emulated drive, checked with the parsers of the front ends themselves:
//!
//! - K3b, libk3b/projects/k3bcdrecordwriter.cpp `slotStdLine`: the progress expression
//!   `s_progressRx` (below, verbatim), the track list (`line.mid(6, 2)` is the track number,
//!   the size runs from the first digit after column 10 up to `MB`), `startsWith("Starting
//!   new")` (after which lines are progress), `contains("at speed")`, `startsWith("Fixating")`.
//! - Brasero, plugins/cdrkit/burn-wodim.c `brasero_wodim_stdout_read`: the sscanf formats
//!   `"Track %2u: %d of %d MB written (fifo %d%%) [buf %d%%] %d.%dx."` (7 fields) and, for
//!   a track of unknown size, `"Track %2u:    %d MB written (fifo %d%%) [buf  %d%%]
//!   %d.%dx."` (6), `g_str_has_prefix(line, "Fixating...")`, and "Track %*d: %*s %d MB ".
//!
//! - Brasero, plugins/growisofs/burn-growisofs.c: `"%10lld/%lld (%4d.%1d%%) @%2d.%1dx,
//!   remaining %*d:%*d"` on stdout, `strstr(line, "flushing cache")` on stderr.
//!
//! The sscanf formats are run by a small sscanf of this file (`%d %u %lld` with widths, `%*d
//! %*s`, `%%`, white space matching any white space, as C's).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Output, Stdio};

use common::burn::*;

/// K3b's `s_progressRx` (k3bcdrecordwriter.cpp), as written there.
const K3B_PROGRESS: &str = r"Track\s(\d\d)\:\s*(\d*)\sof\s*(\d*)\sMB\swritten\s(?:\(fifo\s*(\d*)\%\)\s*)?(?:\[buf\s*(\d*)\%\])?.*";
const BRASERO_PROGRESS: &str = "Track %2u: %d of %d MB written (fifo %d%%) [buf %d%%] %d.%dx.";
const BRASERO_PROGRESS_UNKNOWN: &str =
    "Track %2u:    %d MB written (fifo %d%%) [buf  %d%%]  %d.%dx.";
const BRASERO_TRACK_SIZE: &str = "Track %*d: %*s %d MB ";
/// Brasero, plugins/growisofs/burn-growisofs.c `brasero_growisofs_read_stdout` (6 fields).
const BRASERO_GROWISOFS: &str = "%10lld/%lld (%4d.%1d%%) @%2d.%1dx, remaining %*d:%*d";

/// C's sscanf for the conversions the front ends use: the values assigned, in order.
fn sscanf(input: &str, format: &str) -> Vec<i64> {
    let inp: Vec<char> = input.chars().collect();
    let fmt: Vec<char> = format.chars().collect();
    let (mut i, mut f) = (0, 0);
    let mut out = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < inp.len() && inp[*i].is_whitespace() {
            *i += 1;
        }
    };
    while f < fmt.len() {
        let c = fmt[f];
        if c.is_whitespace() {
            skip_ws(&mut i);
            f += 1;
            continue;
        }
        if c != '%' {
            if i < inp.len() && inp[i] == c {
                i += 1;
                f += 1;
                continue;
            }
            return out;
        }
        f += 1;
        if fmt.get(f) == Some(&'%') {
            skip_ws(&mut i);
            if inp.get(i) != Some(&'%') {
                return out;
            }
            i += 1;
            f += 1;
            continue;
        }
        let suppress = fmt.get(f) == Some(&'*');
        if suppress {
            f += 1;
        }
        let mut width = 0usize;
        while let Some(d) = fmt.get(f).and_then(|c| c.to_digit(10)) {
            width = width * 10 + d as usize;
            f += 1;
        }
        while fmt.get(f) == Some(&'l') {
            f += 1;
        }
        let conv = fmt[f];
        f += 1;
        skip_ws(&mut i);
        let max = if width == 0 { usize::MAX } else { width };
        match conv {
            'd' | 'u' => {
                let start = i;
                if i < inp.len() && (inp[i] == '-' || inp[i] == '+') && max > 1 {
                    i += 1;
                }
                while i < inp.len() && inp[i].is_ascii_digit() && i - start < max {
                    i += 1;
                }
                let s: String = inp[start..i].iter().collect();
                match s.parse::<i64>() {
                    Ok(v) if !suppress => out.push(v),
                    Ok(_) => {}
                    Err(_) => return out,
                }
            }
            's' => {
                let start = i;
                while i < inp.len() && !inp[i].is_whitespace() && i - start < max {
                    i += 1;
                }
                if i == start {
                    return out;
                }
            }
            other => panic!("test bug: %{other} not handled"),
        }
    }
    out
}

#[test]
fn the_sscanf_of_this_test_behaves_as_cs() {
    assert_eq!(
        sscanf("Track 01: 12 of 300 MB", "Track %2u: %d of %d MB"),
        [1, 12, 300]
    );
    assert_eq!(
        sscanf("  7/9 ( 0.5%)", "%10lld/%lld (%4d.%1d%%)"),
        [7, 9, 0, 5]
    );
    assert_eq!(sscanf("Track 01: data  42 MB  ", BRASERO_TRACK_SIZE), [42]);
    assert_eq!(sscanf("Track 01: x", "Track %2u: %d"), [1]);
}

fn cdrecord(args: &[&str], stdin: Option<Vec<u8>>) -> Output {
    let mut c = command(BIN);
    c.arg0("wodim")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let feeder = stdin.map(|b| {
        let mut p = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = p.write_all(&b);
        })
    });
    let o = child.wait_with_output().unwrap();
    if let Some(f) = feeder {
        f.join().unwrap();
    }
    o
}

/// The lines of stdout as front ends split them (on newlines and carriage returns).
fn lines(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stdout)
        .split(['\n', '\r'])
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn cdrecord_lines_match_k3b_and_brasero() {
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("big.bin");
    let size = 12 * 1024 * 1024;
    std::fs::write(&img, pattern(size, 3)).unwrap();
    let disc = t.path().join("d.img");
    // A modeled 4x DVD+R: a few seconds of writing, several progress lines.
    let dev = format!("dev=emu:{},profile=dvd+r,speed=4", disc.display());
    let o = cdrecord(
        &["-v", &dev, "speed=4", "-sao", img.to_str().unwrap()],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let ls = lines(&o);
    let k3b = regex::Regex::new(&format!("^(?:{K3B_PROGRESS})$")).unwrap();

    // The track list, before "Starting new".
    let starting = ls
        .iter()
        .position(|l| l.starts_with("Starting new"))
        .unwrap_or_else(|| panic!("no \"Starting new\": {ls:?}"));
    let list = ls[..starting]
        .iter()
        .find(|l| l.starts_with("Track "))
        .unwrap_or_else(|| panic!("no track list line: {ls:?}"));
    assert_eq!(&list[6..8], "01", "{list:?}");
    let from = list[10..].find(|c: char| c.is_ascii_digit()).unwrap() + 10;
    let to = list.find("MB").unwrap();
    assert_eq!(
        list[from..to].trim().parse::<u64>().unwrap(),
        12,
        "{list:?}"
    );
    assert_eq!(sscanf(list, BRASERO_TRACK_SIZE), [12], "{list:?}");
    assert!(
        ls[..starting].iter().any(|l| l.contains("at speed")),
        "{ls:?}"
    );

    // Progress lines after it: every one K3b's expression matches, with the track, the
    // MB written and the total; those with the drive buffer Brasero's sscanf too.
    let progress: Vec<&String> = ls[starting..]
        .iter()
        .filter(|l| l.starts_with("Track ") && l.contains("fifo"))
        .collect();
    assert!(progress.len() >= 3, "few progress lines: {ls:?}");
    let mut with_buf = 0;
    let mut last_written = 0;
    for l in &progress {
        let c = k3b
            .captures(l)
            .unwrap_or_else(|| panic!("K3b's s_progressRx does not match {l:?}"));
        assert_eq!(&c[1], "01");
        assert_eq!(&c[3], "12", "{l:?}");
        let written: i64 = c[2].parse().unwrap();
        assert!(written >= last_written, "{l:?}");
        last_written = written;
        if c.get(5).is_some() {
            with_buf += 1;
            let v = sscanf(l, BRASERO_PROGRESS);
            assert_eq!(v.len(), 7, "Brasero's sscanf takes {v:?} of {l:?}");
            assert_eq!((v[0], v[1], v[2]), (1, written, 12), "{l:?}");
        }
    }
    assert!(with_buf > 0, "no line with the drive buffer: {progress:?}");
    assert_eq!(last_written, 12, "the last line shows the whole track");
    let fix = ls
        .iter()
        .position(|l| l.starts_with("Fixating..."))
        .unwrap();
    assert!(fix > starting, "{ls:?}");

    // From a pipe without tsize=: the size-less line, as Brasero's second format reads it.
    let disc2 = t.path().join("d2.img");
    let dev2 = format!("dev=emu:{},profile=dvd+r,speed=4", disc2.display());
    let o = cdrecord(&["-v", &dev2, "-"], Some(pattern(size, 4)));
    assert!(o.status.success(), "{}", text(&o));
    let ls = lines(&o);
    let unknown: Vec<&String> = ls
        .iter()
        .filter(|l| l.starts_with("Track ") && l.contains("fifo") && l.contains("[buf"))
        .collect();
    assert!(!unknown.is_empty(), "{ls:?}");
    for l in unknown {
        assert!(!l.contains(" of "), "{l:?}");
        let v = sscanf(l, BRASERO_PROGRESS_UNKNOWN);
        assert_eq!(v.len(), 6, "Brasero's sscanf takes {v:?} of {l:?}");
    }
}

#[test]
fn growisofs_lines_match_brasero() {
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("big.bin");
    let size = 12 * 1024 * 1024;
    std::fs::write(&img, pattern(size, 5)).unwrap();
    let disc = t.path().join("g.img");
    let dev = format!("emu:{},profile=dvd+r,speed=4", disc.display());
    let o = command(BIN)
        .arg0("growisofs")
        .args(["-Z", &format!("{dev}={}", img.display())])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let ls = lines(&o);
    let progress: Vec<&String> = ls.iter().filter(|l| l.contains(" remaining ")).collect();
    assert!(progress.len() >= 3, "few progress lines: {ls:?}");
    let mut last = 0;
    for l in &progress {
        let v = sscanf(l, BRASERO_GROWISOFS);
        assert_eq!(v.len(), 6, "Brasero's sscanf takes {v:?} of {l:?}");
        assert_eq!(v[1], size as i64, "{l:?}");
        assert!(v[0] >= last && v[0] <= v[1], "{l:?}");
        last = v[0];
        assert!(l.contains(" RBU "), "{l:?}");
    }
    assert_eq!(last, size as i64, "the last line shows the whole image");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("flushing cache"),
        "{}",
        text(&o)
    );
}
