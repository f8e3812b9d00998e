//! `ls` and `sessions` output of hostile names and special mode bits, and every printing
//! command on a closed stdout. GNU coreutils is the peer: `ls -l` of the staged tree gives
//! the mode column (s/S/t/T) our listing of its genisoimage -R image must show, and
//! `ls -b` of real files with control characters in their names gives the escaped form
//! (`--quoting-style=escape`); JSON carries the names exactly. A closed stdout ends the
//! program quietly with status 141 (what a shell reports for SIGPIPE, as coreutils ends),
//! never a panic (exit 101, "failed printing to stdout"). Every run of the binary is under a
//! memory cap (`prlimit --as`) and a time limit (common::hostile's `under_caps`).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use isofs::tree::{mode, Kind, Meta};
use isofs::{Image, Options, RockRidge, Tree};

mod common;
use common::hostile::{under_caps, within_caps};
use common::{text, BIN};

/// `discburn ARGS` under the memory cap and the time limit.
fn discburn(args: &[&str]) -> Output {
    let o = under_caps(BIN).args(args).output().unwrap();
    within_caps(&o, &format!("discburn {args:?}"));
    o
}

fn tool(name: &str, pkg: &str, args: &[&str], dir: &Path) -> Output {
    match Command::new(name)
        .args(args)
        .current_dir(dir)
        .env("LC_ALL", "C")
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("{name} could not be run ({e}); install the Debian package {pkg}"),
    }
}

#[test]
fn ls_l_shows_setuid_setgid_and_sticky_as_gnu_ls_does() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("tree");
    fs::create_dir(&t).unwrap();
    let modes = [
        ("suid", 0o4755),
        ("suid_nox", 0o4644),
        ("sgid", 0o2755),
        ("sgid_nox", 0o2745),
        ("all_nox", 0o7000),
    ];
    for (n, m) in modes {
        fs::write(t.join(n), n).unwrap();
        fs::set_permissions(t.join(n), fs::Permissions::from_mode(m)).unwrap();
    }
    for (n, m) in [("sticky", 0o1777), ("sticky_nox", 0o1776)] {
        fs::create_dir(t.join(n)).unwrap();
        fs::set_permissions(t.join(n), fs::Permissions::from_mode(m)).unwrap();
    }
    let img = tmp.path().join("modes.iso");
    let o = tool(
        "genisoimage",
        "genisoimage",
        &[
            "-quiet",
            "-R",
            "-o",
            img.to_str().unwrap(),
            t.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = discburn(&["ls", "-l", "-i", img.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let ours = String::from_utf8(o.stdout).unwrap();
    for n in modes.iter().map(|m| m.0).chain(["sticky", "sticky_nox"]) {
        let g = tool("ls", "coreutils", &["-ld", n], &t);
        let gnu = String::from_utf8(g.stdout).unwrap();
        let want = &gnu[..10];
        let line = ours
            .lines()
            .find(|l| l.ends_with(&format!(" {n}")))
            .unwrap_or_else(|| panic!("{n} not listed: {ours}"));
        assert_eq!(&line[..10], want, "{n}: ours {line:?}, GNU ls {gnu:?}");
    }
}

/// Names no listing line may be faked with, as real files (for GNU `ls -b`) and on an
/// image from our builder (Rock Ridge NM holds them as written).
const NASTY: &[&str] = &[
    "two\nlines",
    "tab\there",
    "esc\x1b[31mred",
    "bell\x07del\x7f",
    "cr\rback\\slash",
];

#[test]
fn names_with_control_characters_are_escaped_and_json_stays_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    fs::create_dir(&real).unwrap();
    let mut t = Tree::new();
    let fm = Meta {
        mode: mode::S_IFREG | 0o644,
        ..Meta::default()
    };
    for n in NASTY {
        fs::write(real.join(n), b"x").unwrap();
        let data = t.add_blob(b"x".to_vec());
        t.push_child(Tree::ROOT, n.as_bytes(), Kind::File { size: 1, data }, fm);
    }
    let lm = Meta {
        mode: mode::S_IFLNK | 0o777,
        ..Meta::default()
    };
    let target = t.intern(b"to\nelsewhere");
    t.push_child(Tree::ROOT, b"link", Kind::Symlink(target), lm);
    let o = Options {
        iso_level: 3,
        rock_ridge: Some(RockRidge::Exact),
        ..Options::default()
    };
    let img = tmp.path().join("names.iso");
    let f = fs::File::create(&img).unwrap();
    Image::new(t, o, None).unwrap().write_to_file(&f).unwrap();
    drop(f);
    let img = img.to_str().unwrap();

    let g = tool("ls", "coreutils", &["-b", "-1"], &real);
    let mut gnu: Vec<String> = String::from_utf8(g.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    gnu.sort();
    let o = discburn(&["ls", "-i", img]);
    assert!(o.status.success(), "{}", text(&o));
    let mut ours: Vec<String> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .filter(|l| l != "link")
        .collect();
    ours.sort();
    assert_eq!(ours, gnu, "one line per name, escaped as GNU ls -b does");
    let o = discburn(&["ls", "-l", "-i", img]);
    let long = String::from_utf8(o.stdout).unwrap();
    assert_eq!(long.lines().count(), NASTY.len() + 1, "{long}");
    assert!(long.contains(" link -> to\\nelsewhere\n"), "{long}");

    let o = discburn(&["--json", "ls", "-i", img]);
    assert!(o.status.success(), "{}", text(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut paths: Vec<&str> = j["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    paths.sort();
    let mut want: Vec<&str> = NASTY.iter().copied().chain(["link"]).collect();
    want.sort();
    assert_eq!(paths, want, "JSON carries the names exactly");
    let link = j["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "link")
        .unwrap();
    assert_eq!(link["target"], "to\nelsewhere");
}

/// Runs `discburn ARGS` with stdout a pipe whose reading end is already closed.
fn closed_stdout(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = under_caps(BIN)
        .args(args)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    within_caps(&o, &format!("discburn {args:?} on a closed stdout"));
    o
}

#[test]
fn no_command_panics_on_a_closed_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("tree");
    fs::create_dir_all(t.join("sub")).unwrap();
    fs::write(t.join("a.txt"), b"alpha\n").unwrap();
    fs::write(t.join("sub/b.txt"), b"beta\n").unwrap();
    let img = tmp.path().join("small.iso");
    let o = tool(
        "genisoimage",
        "genisoimage",
        &[
            "-quiet",
            "-R",
            "-J",
            "-o",
            img.to_str().unwrap(),
            t.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let img = img.to_str().unwrap();
    let dev = format!("emu:{img}");
    let runs: &[&[&str]] = &[
        &["sessions", img],
        &["--json", "sessions", img],
        &["ls", "-i", img],
        &["ls", "-l", "-R", "-i", img],
        &["--json", "ls", "-i", img],
        &["extract", "--cat", "-i", img, "/a.txt"],
        &[
            "--json",
            "verify",
            "--dev",
            &dev,
            "--tree",
            t.to_str().unwrap(),
        ],
        &["mkisofs", "-print-size", "-quiet", t.to_str().unwrap()],
    ];
    for args in runs {
        let o = closed_stdout(args);
        assert_eq!(o.status.code(), Some(141), "{args:?}: {}", text(&o));
        assert_eq!(
            String::from_utf8_lossy(&o.stderr),
            "",
            "{args:?}: a closed pipe is not an error to report"
        );
    }
    // The same through a shell pipe into `head -c1`, with a listing longer than the pipe.
    let mut tree = Tree::new();
    let fm = Meta {
        mode: mode::S_IFREG | 0o644,
        ..Meta::default()
    };
    for i in 0..3000 {
        let data = tree.add_blob(Vec::new());
        tree.push_child(
            Tree::ROOT,
            format!("a-rather-long-file-name-number-{i:05}").as_bytes(),
            Kind::File { size: 0, data },
            fm,
        );
    }
    let o = Options {
        iso_level: 3,
        rock_ridge: Some(RockRidge::Exact),
        ..Options::default()
    };
    let big = tmp.path().join("many.iso");
    let f = fs::File::create(&big).unwrap();
    Image::new(tree, o, None)
        .unwrap()
        .write_to_file(&f)
        .unwrap();
    drop(f);
    for cmd in ["ls -l", "--json ls"] {
        let o = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "\"$0\" {cmd} -i \"$1\" | head -c1 >/dev/null; echo \"${{PIPESTATUS[0]}}\""
            ))
            .arg(BIN)
            .arg(&big)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&o.stdout).trim(),
            "141",
            "{cmd}: {}",
            text(&o)
        );
        assert_eq!(String::from_utf8_lossy(&o.stderr), "", "{cmd}");
    }
}
