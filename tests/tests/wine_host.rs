//! Issue 17, the host part: the Windows build (`discburn.exe`, x86_64-pc-windows-gnu) run
//! under wine64 with no device. Its ISO builder walks the tree through the Windows API
//! (Wine's FindFirstFile/NtQueryDirectoryFile over the host's folder, UTF-16 names, no
//! Unix modes or inodes):
//! - `mkisofs -R -J` of a tree with non-ASCII, long and case-colliding names (and the
//!   issue's `sub/a.txt`, once written as an empty `SUB`) gives an image that xorriso,
//!   bsdtar and 7z extract as the tree, byte for byte;
//! - with SOURCE_DATE_EPOCH its ISO 9660 and Joliet trees (isoinfo listings: names, sizes,
//!   dates, extents) equal those of the Linux build's image of the same tree;
//! - the source and output paths may be given as `C:\...`, `Z:/...` and relative with
//!   backslashes;
//! - three hard links to one file (two folders) are one extent with Rock Ridge link count 3,
//!   as in the Linux build: the Windows walk takes the file index and link count from
//!   `GetFileInformationByHandle`, which Wine answers with the Unix inode and `st_nlink`;
//! - `--dev D:`, `--dev \\.\CdRom0` and `--dev 0,0,0` are understood on Windows and,
//!   with no drive on the host, refused with exit 1 naming the device path tried.
//!
//! One Wine prefix (about 10 s to make) serves every check, so this is one test.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use discburn_tests::host::{guest_binary, run_tool};
use discburn_tests::wine::{windows_exe, windows_path, WinePrefix};

const EPOCH: &str = "1700000000";

fn put(root: &Path, rel: &str, data: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

/// The tree: the issue's `sub/a.txt`; names in Latin-1 range, Greek, Japanese; a 60
/// character name (beyond ISO 9660 level 1, within Joliet's 64); names that differ only in
/// case (files and folders), which ISO 9660's upper-case d-characters fold together; an
/// empty folder.
fn make_tree(root: &Path) {
    put(root, "sub/a.txt", b"a\n");
    put(
        root,
        "caf\u{e9}/na\u{ef}ve r\u{e9}sum\u{e9}.txt",
        b"latin\n",
    );
    put(
        root,
        "\u{395}\u{3bb}\u{3bb}\u{3b7}\u{3bd}\u{3b9}\u{3ba}\u{3ac}.txt",
        b"greek\n",
    );
    put(
        root,
        "\u{65e5}\u{672c}\u{8a9e}/\u{30d5}\u{30a1}\u{30a4}\u{30eb}.txt",
        b"nihongo\n",
    );
    let long = format!("{}.txt", "a long file name with spaces ".repeat(2));
    assert_eq!(long.chars().count(), 62);
    put(root, &format!("deep/er/{long}"), &vec![b'x'; 5000]);
    put(root, "case/README.txt", b"upper\n");
    put(root, "case/readme.txt", b"lower\n");
    put(root, "case/ReadMe.TXT", b"mixed\n");
    put(root, "Dir/one.txt", b"one\n");
    put(root, "dir/two.txt", b"two\n");
    put(
        root,
        "big.bin",
        &(0..300_000u32)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<u8>>(),
    );
    std::fs::create_dir_all(root.join("empty")).unwrap();
    // One file under three names in two folders (hard links).
    put(root, "links/a.bin", &vec![b'h'; 5000]);
    std::fs::hard_link(root.join("links/a.bin"), root.join("links/b.bin")).unwrap();
    std::fs::hard_link(root.join("links/a.bin"), root.join("sub/c.bin")).unwrap();
}

/// `isoinfo -R -l` lines of the files `names` (Rock Ridge names): (link count, extent).
fn rr_links_and_extents(iso: &Path, names: &[&str]) -> Vec<(String, String)> {
    let out = run_tool(
        "isoinfo",
        "genisoimage",
        [
            OsStr::new("-R"),
            OsStr::new("-l"),
            OsStr::new("-i"),
            iso.as_os_str(),
        ],
    )
    .unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    names
        .iter()
        .map(|n| {
            // "-rw-r--r--   3    0    0   5000 Dec  7 2026 [     45 02]  a.bin "
            let line = text
                .lines()
                .find(|l| l.trim_end().ends_with(&format!("]  {n}")))
                .unwrap_or_else(|| panic!("{n} not in isoinfo -R -l:\n{text}"));
            let nlink = line.split_whitespace().nth(1).unwrap().to_string();
            let (l, r) = (line.find('[').unwrap(), line.find(']').unwrap());
            let extent = line[l + 1..r]
                .split_whitespace()
                .next()
                .unwrap()
                .to_string();
            (nlink, extent)
        })
        .collect()
}

/// The hard links of [`make_tree`] in `iso`: one extent, link count 3 (and the same in the
/// image of the Linux build, `linux`).
fn assert_hard_links_shared(what: &str, iso: &Path, linux: &Path) {
    let names = ["a.bin", "b.bin", "c.bin"];
    let got = rr_links_and_extents(iso, &names);
    assert!(
        got.iter().all(|g| *g == got[0]) && got[0].0 == "3",
        "{what}: hard links a.bin, b.bin, sub/c.bin (link count, extent): {got:?}"
    );
    let want = rr_links_and_extents(linux, &names);
    assert_eq!(
        got.iter().map(|g| &g.1).collect::<Vec<_>>(),
        want.iter().map(|w| &w.1).collect::<Vec<_>>(),
        "{what}: extents vs the Linux build"
    );
}

/// Relative path to contents (`None` for a folder) of everything below `root`.
fn listing(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.insert(rel, None);
                stack.push(p);
            } else {
                out.insert(rel, Some(std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

fn assert_same_tree(what: &str, got: &Path, want: &Path) {
    let (g, w) = (listing(got), listing(want));
    let gk: Vec<&String> = g.keys().collect();
    let wk: Vec<&String> = w.keys().collect();
    assert_eq!(gk, wk, "{what}: the names differ from the source tree");
    for (k, v) in &w {
        assert!(g[k] == *v, "{what}: {k} differs from the source");
    }
}

/// `isoinfo -l` of the ISO 9660 tree (`joliet` false) or the Joliet tree (isoinfo has no
/// UTF-8 output: names outside its default charset show as '_'; the extraction checks them).
fn isoinfo_l(iso: &Path, joliet: bool) -> String {
    let mut args: Vec<&OsStr> = vec![OsStr::new("-l")];
    if joliet {
        args.push(OsStr::new("-J"));
    }
    args.extend([OsStr::new("-i"), iso.as_os_str()]);
    let out = run_tool("isoinfo", "genisoimage", args).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

fn assert_ok(what: &str, out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{what}: {}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn linux_mkisofs(linux: &Path, iso: &Path, src: &Path) {
    let out = Command::new(linux)
        .args(["mkisofs", "-quiet", "-R", "-J", "-o"])
        .arg(iso)
        .arg(src)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    assert_ok("the Linux build's mkisofs", &out);
}

#[test]
fn windows_mkisofs_under_wine_reads_back_as_the_tree_and_equals_the_linux_build() {
    let t0 = Instant::now();
    let exe = windows_exe().unwrap();
    let linux = guest_binary().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    make_tree(&tree);
    let prefix = WinePrefix::create(&dir.path().join("prefix")).unwrap();
    let t_prefix = t0.elapsed();
    let wine = |args: &[&str], cwd: &Path| {
        let t = Instant::now();
        let out = prefix
            .run(&exe, args, cwd, &[("SOURCE_DATE_EPOCH", EPOCH)])
            .unwrap();
        assert_ok(&format!("wine64 discburn.exe {}", args.join(" ")), &out);
        eprintln!("wine64 discburn.exe {}: {:?}", args.join(" "), t.elapsed());
        out
    };

    // Z:\ with backslashes, as a new user writes it.
    let w_iso = dir.path().join("w.iso");
    wine(
        &[
            "mkisofs",
            "-quiet",
            "-R",
            "-J",
            "-o",
            &windows_path(&w_iso),
            &windows_path(&tree),
        ],
        dir.path(),
    );
    let l_iso = dir.path().join("l.iso");
    linux_mkisofs(&linux, &l_iso, &tree);

    // Three independent readers extract the tree the Windows build wrote.
    let x = dir.path().join("x-xorriso");
    run_tool(
        "xorriso",
        "xorriso",
        [
            OsStr::new("-osirrox"),
            OsStr::new("on"),
            OsStr::new("-indev"),
            w_iso.as_os_str(),
            OsStr::new("-extract"),
            OsStr::new("/"),
            x.as_os_str(),
        ],
    )
    .unwrap();
    assert_same_tree("xorriso -extract (Rock Ridge)", &x, &tree);
    let b = dir.path().join("x-bsdtar");
    std::fs::create_dir(&b).unwrap();
    run_tool(
        "bsdtar",
        "libarchive-tools",
        [
            OsStr::new("-x"),
            OsStr::new("-f"),
            w_iso.as_os_str(),
            OsStr::new("-C"),
            b.as_os_str(),
        ],
    )
    .unwrap();
    assert_same_tree("bsdtar -x (Rock Ridge)", &b, &tree);
    let z = dir.path().join("x-7z");
    let mut o = std::ffi::OsString::from("-o");
    o.push(&z);
    run_tool(
        "7z",
        "p7zip-full",
        [OsStr::new("x"), OsStr::new("-y"), &o, w_iso.as_os_str()],
    )
    .unwrap();
    assert_same_tree("7z x (Joliet)", &z, &tree);

    // The ISO 9660 and Joliet trees equal the Linux build's, record for record.
    let (wi, li) = (isoinfo_l(&w_iso, false), isoinfo_l(&l_iso, false));
    assert!(wi.contains("SUB"), "{wi}");
    assert_eq!(wi, li, "ISO 9660 tree: Windows build vs Linux build");
    let (wj, lj) = (isoinfo_l(&w_iso, true), isoinfo_l(&l_iso, true));
    assert!(
        wj.contains("ReadMe.TXT") && wj.contains("readme.txt"),
        "{wj}"
    );
    assert_eq!(wj, lj, "Joliet tree: Windows build vs Linux build");
    assert_hard_links_shared("Z:\\ source", &w_iso, &l_iso);

    // C:\ (a copy of the tree inside the prefix's drive_c, times kept).
    let c_tree = prefix.drive_c().join("src");
    let cp = Command::new("cp")
        .arg("-a")
        .arg(&tree)
        .arg(&c_tree)
        .status()
        .unwrap();
    assert!(cp.success());
    wine(
        &[
            "mkisofs",
            "-quiet",
            "-R",
            "-J",
            "-o",
            r"C:\c.iso",
            r"C:\src",
        ],
        dir.path(),
    );
    let c_iso = prefix.drive_c().join("c.iso");
    assert_eq!(isoinfo_l(&c_iso, false), li, r"C:\ source: ISO 9660 tree");
    assert_eq!(isoinfo_l(&c_iso, true), lj, r"C:\ source: Joliet tree");
    assert_hard_links_shared(r"C:\ source", &c_iso, &l_iso);

    // Z:/ with forward slashes.
    let s_iso = dir.path().join("s.iso");
    let fwd = |p: &Path| windows_path(p).replace('\\', "/");
    wine(
        &[
            "mkisofs",
            "-quiet",
            "-R",
            "-J",
            "-o",
            &fwd(&s_iso),
            &fwd(&tree),
        ],
        dir.path(),
    );
    assert_eq!(isoinfo_l(&s_iso, false), li, "Z:/ paths: ISO 9660 tree");
    assert_eq!(isoinfo_l(&s_iso, true), lj, "Z:/ paths: Joliet tree");

    // Relative paths with backslashes, from the folder above the tree.
    std::fs::create_dir(dir.path().join("out")).unwrap();
    wine(
        &[
            "mkisofs",
            "-quiet",
            "-R",
            "-J",
            "-o",
            r"out\r.iso",
            r"tree\case",
        ],
        dir.path(),
    );
    let r_iso: PathBuf = dir.path().join("out/r.iso");
    let l_case = dir.path().join("l-case.iso");
    linux_mkisofs(&linux, &l_case, &tree.join("case"));
    assert_eq!(
        isoinfo_l(&r_iso, false),
        isoinfo_l(&l_case, false),
        "relative paths: ISO 9660 tree"
    );
    assert_eq!(
        isoinfo_l(&r_iso, true),
        isoinfo_l(&l_case, true),
        "relative paths: Joliet tree"
    );
    // dev= as Windows users write it, on a host with no drive (the guest test has drives):
    // each spelling is understood and opened through CreateFileW, and the refusal names the
    // device path the backend tried, with exit 1 and no panic.
    for (dev, path) in [
        ("D:", r"\\.\D:"),
        (r"\\.\CdRom0", r"\\.\CdRom0"),
        ("0,0,0", "0,0,0"),
    ] {
        let out = prefix
            .run(&exe, &["--dev", dev, "inquiry"], dir.path(), &[])
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "--dev {dev}: {err}");
        assert!(
            err.contains(&format!("{path}: no such device")),
            "--dev {dev}: {err}"
        );
    }
    eprintln!(
        "wall time: {:?} in all, {:?} of it making the Wine prefix",
        t0.elapsed(),
        t_prefix
    );
}
