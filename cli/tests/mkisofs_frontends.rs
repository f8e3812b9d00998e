//! The genisoimage/mkisofs command lines front ends type, under the name `genisoimage` or
//! `mkisofs`: Brasero's (plugins/cdrkit/burn-genisoimage.c
//! `brasero_genisoimage_set_argv_image`: `-input-charset utf8 -r -J -iso-level 3
//! -allow-limited-size -graft-points -D -path-list F -exclude-list F -V L -A A -sysid
//! LINUX`, then `-quiet -print-size` to size it or `-o FILE` to build it), the version
//! probes of Brasero's `brasero_plugin_check_config` (sscanf of `genisoimage %d.%d.%d
//! (Linux)` / `mkisofs %d.%d` from the start of the output) and the cdrecord personalities'
//! (`Cdrecord-ProDVD-ProBD-Clone %d.%d`, wodim's `Cdrecord-yelling-line...` then `Wodim`),
//! `-print-size`'s bare number (Brasero's `brasero_genisoimage_read_isosize`: strtoll of
//! the stdout line) and `-volset-size`/`-volset-seqno`. Trees are compared with
//! genisoimage's through xorriso; the sizes differ (genisoimage's -allow-limited-size adds
//! a UDF area), so what is checked is that our printed size is our image's size.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::os::unix::process::CommandExt;
use std::process::{Output, Stdio};

use common::burn::*;

fn legacy(name: &str, args: &[&str]) -> Output {
    command(BIN)
        .arg0(name)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The leading integers of `text` after `prefix` (a tiny sscanf: `prefix` then `%d.%d...`).
fn scan_version(text: &str, prefix: &str) -> Option<Vec<u32>> {
    let rest = text.strip_prefix(prefix)?;
    let num: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let v: Vec<u32> = num.split('.').filter_map(|p| p.parse().ok()).collect();
    (!v.is_empty()).then_some(v)
}

#[test]
fn version_lines_front_ends_scan() {
    let o = legacy("genisoimage", &["--version"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let v = scan_version(&out, "genisoimage ").unwrap_or_else(|| panic!("{out}"));
    assert!(v >= vec![1, 1, 0], "{out}");
    assert!(out.lines().next().unwrap().ends_with(" (Linux)"), "{out}");
    let o = legacy("mkisofs", &["-version"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        scan_version(&out, "mkisofs ").unwrap() >= vec![2, 0],
        "{out}"
    );
    let o = legacy("cdrecord", &["--version"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        scan_version(&out, "Cdrecord-ProDVD-ProBD-Clone ").unwrap() >= vec![2, 0],
        "{out}"
    );
    let o = legacy("wodim", &["--version"]);
    let out = String::from_utf8_lossy(&o.stdout);
    let wodim = tool("wodim", &["--version"]);
    let real = String::from_utf8_lossy(&wodim.stderr);
    // The first two lines as real wodim prints them.
    let two = |t: &str| t.lines().take(2).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(two(&out), two(&real), "ours:\n{out}\nwodim's:\n{real}");
    for (name, o) in [("genisoimage", "--version"), ("wodim", "-version")] {
        let out = String::from_utf8_lossy(&legacy(name, &[o]).stdout).to_string();
        assert!(out.contains("discburn"), "{name}: {out}");
    }
}

#[test]
fn brasero_image_lines_and_print_size() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    put(&src, "a.bin", &pattern(300_000, 1));
    put(&src, "deep/er/b.txt", b"bee");
    put(&src, "skip.tmp", b"excluded");
    // Brasero's graft file: one "DEST=SRC" per line; its exclude list: paths.
    let grafts = t.path().join("grafts");
    std::fs::write(
        &grafts,
        format!(
            "/a.bin={}\n/dir/={}\n",
            src.join("a.bin").display(),
            src.join("deep").display()
        ),
    )
    .unwrap();
    let excl = t.path().join("excl");
    std::fs::write(&excl, format!("{}\n", src.join("skip.tmp").display())).unwrap();
    let (g, e) = (grafts.to_str().unwrap(), excl.to_str().unwrap());
    let common = [
        "-input-charset",
        "utf8",
        "-r",
        "-J",
        "-iso-level",
        "3",
        "-allow-limited-size",
        "-graft-points",
        "-D",
        "-path-list",
        g,
        "-exclude-list",
        e,
        "-V",
        "Label",
        "-A",
        "Brasero-3.12.3",
        "-sysid",
        "LINUX",
    ];
    // Sizing: the bare number on stdout, nothing else there.
    let mut a = common.to_vec();
    a.extend(["-quiet", "-print-size"]);
    let o = legacy("genisoimage", &a);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), 1, "{out}");
    let sectors: u64 = out.trim().parse().unwrap_or_else(|_| panic!("{out:?}"));
    // genisoimage's sizing prints the same form.
    let real = tool("genisoimage", &a);
    assert!(real.status.success(), "{}", text(&real));
    let real_out = String::from_utf8_lossy(&real.stdout);
    assert!(real_out.trim().parse::<u64>().is_ok(), "{real_out:?}");
    // Building: our image is the size we printed; its tree is genisoimage's.
    let ours = t.path().join("ours.iso");
    let mut a = common.to_vec();
    a.extend(["-o", ours.to_str().unwrap()]);
    let o = legacy("genisoimage", &a);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(std::fs::metadata(&ours).unwrap().len(), sectors * 2048);
    let theirs = t.path().join("theirs.iso");
    let mut a = common.to_vec();
    a.extend(["-quiet", "-o", theirs.to_str().unwrap()]);
    let r = tool("genisoimage", &a);
    assert!(r.status.success(), "{}", text(&r));
    let got = xorriso_tree(&ours, 0);
    assert_eq!(got, xorriso_tree(&theirs, 0));
    assert!(got.contains_key("dir/er/b.txt") && !got.contains_key("skip.tmp"));
    // Without -quiet the count also goes to standard error, in genisoimage's words.
    let o = legacy("genisoimage", &["-print-size", "-r", src.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Total extents scheduled to be written = "),
        "{}",
        text(&o)
    );
}

#[test]
fn volume_set_of_one_and_refusals() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    put(&src, "x", b"x");
    let img = t.path().join("v.iso");
    let o = legacy(
        "mkisofs",
        &[
            "-gui",
            "-volset-size",
            "1",
            "-volset-seqno",
            "1",
            "-o",
            img.to_str().unwrap(),
            src.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let d = tool("isoinfo", &["-d", "-i", img.to_str().unwrap()]);
    let d = String::from_utf8_lossy(&d.stdout);
    assert!(d.contains("Volume set size is: 1"), "{d}");
    assert!(d.contains("Volume set sequence number is: 1"), "{d}");
    for (args, word) in [
        (vec!["-volset-size", "2"], "volume sets"),
        (vec!["-udf"], "UDF"),
        (vec!["-dvd-video"], "UDF"),
    ] {
        let mut a = args.clone();
        a.extend(["-o", img.to_str().unwrap(), src.to_str().unwrap()]);
        let o = legacy("genisoimage", &a);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(word), "{args:?}: {}", text(&o));
    }
}
