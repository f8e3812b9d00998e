//! The ISO 9660 reader's warnings about a session (`VolumeInfo::warnings`) reach the user:
//! `ls` and `extract` print them to stderr as `warning: ...` and `ls --json` carries them
//! in a `warnings` array. The image comes from genisoimage (an independent writer) with the
//! root directory's "." record damaged (its extent no longer the directory's own, ECMA-119
//! §6.8.2.2): opening it for Rock Ridge is an error, opening the Joliet tree
//! (`--namespace joliet`) works with a warning that Rock Ridge could not be detected.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

use std::fs;
use std::path::Path;
use std::process::Command;

mod common;

use common::{discburn, text};

const DEEP: &[u8] = b"deep file contents\n";

/// Builds a Rock Ridge + Joliet image of a small tree with genisoimage.
fn genisoimage(dir: &Path) -> std::path::PathBuf {
    let tree = dir.join("tree");
    fs::create_dir_all(tree.join("sub")).unwrap();
    fs::write(tree.join("Readme Long Name.txt"), b"hello\n").unwrap();
    fs::write(tree.join("sub/deep.bin"), DEEP).unwrap();
    let img = dir.join("img.iso");
    let o = Command::new("genisoimage")
        .args(["-quiet", "-R", "-J", "-V", "WARN", "-o"])
        .arg(&img)
        .arg(&tree)
        .output()
        .unwrap_or_else(|e| panic!("genisoimage could not be run ({e}); install genisoimage"));
    assert!(o.status.success(), "genisoimage: {}", text(&o));
    img
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// Points the root directory's "." record (ECMA-119 §9.1: extent at bytes 2..10, both-byte
/// order) somewhere else, as a damaged record would.
fn damage_root_dot(img: &Path) -> u32 {
    let mut b = fs::read(img).unwrap();
    let pvd = 16 * 2048;
    assert_eq!(&b[pvd..pvd + 6], b"\x01CD001", "PVD at block 16");
    let root = le32(&b, pvd + 156 + 2);
    let dot = root as usize * 2048;
    assert_eq!(le32(&b, dot + 2), root, "'.' names its own extent");
    assert_eq!(b[dot + 32..dot + 34], [1, 0], "'.' identifier");
    let wrong = root + 1000;
    b[dot + 2..dot + 6].copy_from_slice(&wrong.to_le_bytes());
    b[dot + 6..dot + 10].copy_from_slice(&wrong.to_be_bytes());
    fs::write(img, b).unwrap();
    root
}

#[test]
fn ls_and_extract_print_the_readers_warnings() {
    let t = tempfile::tempdir().unwrap();
    let img = genisoimage(t.path());
    let imgs = img.to_str().unwrap();

    // An intact image: no warnings, an empty array in JSON.
    let o = discburn(&["--json", "ls", "-R", "-i", imgs]);
    assert!(o.status.success(), "{}", text(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["namespace"], "RockRidge", "{j}");
    assert_eq!(j["warnings"], serde_json::json!([]), "{j}");
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("warning"),
        "{}",
        text(&o)
    );

    let root = damage_root_dot(&img);

    // Rock Ridge (the default) cannot be read: an error, not a silent fallback.
    let o = discburn(&["ls", "-i", imgs]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("root '.' record"),
        "{}",
        text(&o)
    );

    // The Joliet tree opens, with the warning on stderr.
    let want = format!("warning: {imgs}: ");
    let o = discburn(&["ls", "--namespace", "joliet", "-i", imgs]);
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with(&want))
        .unwrap_or_else(|| panic!("no '{want}' line: {}", text(&o)));
    assert!(line.contains("Rock Ridge detection impossible"), "{line}");
    assert!(line.contains(&format!("{root}")), "names the block: {line}");
    let mut names: Vec<_> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    names.sort();
    assert_eq!(names, ["Readme Long Name.txt", "sub"], "{}", text(&o));

    // JSON: the same warning in `warnings`, once.
    let o = discburn(&["--json", "ls", "--namespace", "joliet", "-R", "-i", imgs]);
    assert!(o.status.success(), "{}", text(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["namespace"], "Joliet", "{j}");
    let w = j["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1, "{j}");
    let w0 = w[0].as_str().unwrap();
    assert!(w0.contains("Rock Ridge detection impossible"), "{j}");
    assert_eq!(line, format!("{want}{w0}"), "stderr and JSON say the same");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&want),
        "{}",
        text(&o)
    );

    // extract prints it too, and reads the file through the Joliet tree.
    let o = discburn(&[
        "extract",
        "--namespace",
        "joliet",
        "-i",
        imgs,
        "--cat",
        "sub/deep.bin",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(o.stdout, DEEP);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(line),
        "{}",
        text(&o)
    );
    let out = t.path().join("out");
    let o = discburn(&[
        "extract",
        "--namespace",
        "joliet",
        "-i",
        imgs,
        "-C",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(line),
        "{}",
        text(&o)
    );
    assert_eq!(fs::read(out.join("sub/deep.bin")).unwrap(), DEEP);
}
