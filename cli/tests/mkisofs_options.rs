//! mkisofs/genisoimage options that installer and distribution scripts use: `-U`, the name
//! relaxations (`-allow-leading-dots -ldots -L -relaxed-filenames -no-iso-translate
//! -max-iso9660-filenames -allow-multidot`), deep directories with and without `-D` and
//! `-hide-rr-moved`, hard links with `-cache-inodes` / `-no-cache-inodes`, translation
//! tables (`-T -table-name -hide-joliet-trans-tbl`), and the long option names of
//! `xorriso -as mkisofs` command lines (archiso, live-build, RHEL's documented command).
//!
//! Each case builds the same tree with genisoimage and with `discburn mkisofs` and compares
//! what independent readers see: isoinfo (ISO 9660, Joliet, Rock Ridge names and
//! extents), xorriso (`-find`, `-report_el_torito`) and bsdtar.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

use std::fs;
use std::path::Path;
use std::process::Output;

mod common;

use common::{command, tool, BIN};

fn ok(what: &str, o: &Output) -> String {
    assert!(
        o.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn put(p: &Path, data: &[u8]) {
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, data).unwrap();
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Builds `img` from `src` with discburn mkisofs; returns its standard error.
fn ours(opts: &[&str], img: &Path, src: &Path) -> String {
    let o = command(BIN)
        .args(["mkisofs", "-quiet"])
        .args(opts)
        .args(["-o", &s(img), &s(src)])
        .output()
        .unwrap();
    ok(&format!("discburn mkisofs {opts:?}"), &o);
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Builds `img` from `src` with genisoimage.
fn theirs(opts: &[&str], img: &Path, src: &Path) {
    let mut a: Vec<&str> = vec!["-quiet"];
    a.extend_from_slice(opts);
    let (i, sr) = (s(img), s(src));
    a.extend_from_slice(&["-o", &i, &sr]);
    ok(&format!("genisoimage {opts:?}"), &tool("genisoimage", &a));
}

/// Namespace for isoinfo.
#[derive(Clone, Copy, Debug)]
enum Ns {
    Iso,
    Joliet,
    Rr,
}

/// Every path of one namespace, sorted (`isoinfo -f`). Joliet names lose a ";1" version:
/// genisoimage writes none there, the builder does unless -N.
fn paths(img: &Path, ns: Ns) -> Vec<String> {
    let i = s(img);
    let mut a = vec!["-f", "-i", &i];
    match ns {
        Ns::Iso => {}
        Ns::Joliet => a.insert(0, "-J"),
        Ns::Rr => a.insert(0, "-R"),
    }
    let out = ok(&format!("isoinfo {a:?}"), &tool("isoinfo", &a));
    let mut v: Vec<String> = out
        .lines()
        .map(|l| match ns {
            Ns::Joliet => l.strip_suffix(";1").unwrap_or(l).to_string(),
            _ => l.to_string(),
        })
        .collect();
    v.sort();
    v
}

/// Compares names in `ns`; Joliet only when `what` (the options) holds `-J`/`-joliet`.
fn same_paths(g: &Path, d: &Path, ns: &[Ns], what: &str) {
    let joliet = what.contains("\"-J\"") || what.contains("\"-joliet\"");
    for &n in ns.iter().filter(|&&n| joliet || !matches!(n, Ns::Joliet)) {
        assert_eq!(
            paths(g, n),
            paths(d, n),
            "{what}: {n:?} names differ (left genisoimage, right discburn)"
        );
    }
}

/// `xorriso -indev IMG -find /`, sorted.
fn xorriso_find(img: &Path) -> Vec<String> {
    let o = tool(
        "xorriso",
        &["-abort_on", "FAILURE", "-indev", &s(img), "-find", "/"],
    );
    let mut v: Vec<String> = ok("xorriso -find", &o)
        .lines()
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

/// `bsdtar tf IMG`, sorted.
fn bsdtar_list(img: &Path) -> Vec<String> {
    let o = tool("bsdtar", &["tf", &s(img)]);
    let mut v: Vec<String> = ok("bsdtar tf", &o).lines().map(str::to_string).collect();
    v.sort();
    v
}

/// The bytes of the file at ISO 9660 path `p` (`isoinfo -x`).
fn extract(img: &Path, p: &str) -> Vec<u8> {
    let o = tool("isoinfo", &["-i", &s(img), "-x", p]);
    ok(&format!("isoinfo -x {p}"), &o);
    o.stdout
}

/// Files whose ISO 9660 names the relaxations change.
fn name_tree(root: &Path) {
    for f in [
        ".bashrc",
        ".foo.txt",
        "x#y-z~w.txt",
        "we!rd$&.t+t",
        "Mixed Case.TXT",
        "readme",
        "trail.",
        "longfilename-number-one-and-more.text",
        "sub/inner-file.txt",
    ] {
        put(&root.join(f), f.as_bytes());
    }
}

#[test]
fn name_relaxations_match_genisoimage() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    name_tree(&src);
    let (g, d) = (t.path().join("g.iso"), t.path().join("d.iso"));
    for opts in [
        &["-allow-leading-dots"][..],
        &["-ldots"],
        &["-relaxed-filenames"],
        &["-no-iso-translate"],
        &["-max-iso9660-filenames"],
        &["-allow-multidot"],
        &["-allow-leading-dots", "-allow-multidot"],
        &["-relaxed-filenames", "-allow-lowercase", "-l"],
        &["-R", "-J", "-no-iso-translate", "-allow-leading-dots"],
    ] {
        theirs(opts, &g, &src);
        ours(opts, &d, &src);
        same_paths(&g, &d, &[Ns::Iso], &format!("{opts:?}"));
        if opts.contains(&"-R") {
            same_paths(&g, &d, &[Ns::Rr, Ns::Joliet], &format!("{opts:?}"));
        }
    }
    // Spot checks of what the options are for.
    ours(&["-allow-leading-dots"], &d, &src);
    assert!(paths(&d, Ns::Iso).contains(&"/.BAS;1".to_string()));
    ours(&["-no-iso-translate"], &d, &src);
    assert!(paths(&d, Ns::Iso).contains(&"/X#Y-Z~W.TXT;1".to_string()));
    ours(&["-max-iso9660-filenames"], &d, &src);
    let p = paths(&d, Ns::Iso);
    assert!(
        p.contains(&"/LONGFILENAME_NUMBER_ONE_AND_MORE.TEXT".to_string()),
        "{p:?}"
    );
    // -L is genisoimage's old name of -allow-leading-dots, said so on stderr.
    theirs(&["-L"], &g, &src);
    let err = ours(&["-L"], &d, &src);
    assert!(err.contains("-allow-leading-dots"), "{err}");
    same_paths(&g, &d, &[Ns::Iso], "-L");
}

#[test]
fn untranslated_names_match_genisoimage() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    name_tree(&src);
    put(&src.join("dir.with.dots/f"), b"f");
    put(&src.join(".config/c"), b"c");
    put(&src.join("a.tar.gz"), b"gz");
    let (g, d) = (t.path().join("g.iso"), t.path().join("d.iso"));
    for opts in [&["-U"][..], &["-untranslated-filenames", "-R", "-J"]] {
        theirs(opts, &g, &src);
        ours(opts, &d, &src);
        same_paths(&g, &d, &[Ns::Iso, Ns::Rr, Ns::Joliet], &format!("{opts:?}"));
    }
    // Names untranslated: the ISO 9660 tree holds the source names as they are.
    theirs(&["-U"], &g, &src);
    ours(&["-U"], &d, &src);
    let p = paths(&d, Ns::Iso);
    for want in [
        "/.bashrc",
        "/Mixed Case.TXT",
        "/a.tar.gz",
        "/dir.with.dots/f",
        "/trail.",
        "/x#y-z~w.txt",
    ] {
        assert!(p.contains(&want.to_string()), "{want} not in {p:?}");
    }
    // libarchive reads the same names from the ISO 9660 tree.
    assert_eq!(bsdtar_list(&d), bsdtar_list(&g));
}

fn deep_tree(root: &Path) {
    put(&root.join("a/b/c/d/e/f/g/h/i/j/file.txt"), b"deep\n");
    put(&root.join("top.txt"), b"top\n");
}

/// Directory levels of an ISO 9660 listing (the root is level 1).
fn iso_depth(paths: &[String]) -> usize {
    paths
        .iter()
        .map(|p| p.matches('/').count())
        .max()
        .unwrap_or(0)
}

#[test]
fn deep_directories_relocated_unless_d() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    deep_tree(&src);
    let (g, d) = (t.path().join("g.iso"), t.path().join("d.iso"));
    let real: Vec<String> = bsdtar_list(&{
        theirs(&["-R"], &g, &src);
        g.clone()
    });
    for opts in [
        &["-R", "-J"][..],
        &["-R", "-J", "-D"],
        &["-R", "-J", "-disable-deep-relocation"],
        &["-R", "-J", "-hide-rr-moved"],
        &["-r", "-J", "-hide-rr-moved", "-D"],
    ] {
        let what = format!("{opts:?}");
        theirs(opts, &g, &src);
        let err = ours(opts, &d, &src);
        same_paths(&g, &d, &[Ns::Iso, Ns::Rr, Ns::Joliet], &what);
        // genisoimage's relocation directory has no RE entry, so xorriso lists it; ours
        // carries RE as libisofs writes it (RRIP §4.1.5.3), and xorriso hides it, as it
        // does in its own images: the trees are equal without it.
        let reloc = |v: Vec<String>| -> Vec<String> {
            v.into_iter().filter(|l| !l.contains("rr_moved")).collect()
        };
        let ours_find = xorriso_find(&d);
        assert!(
            ours_find.iter().all(|l| !l.contains("rr_moved")),
            "{what}: {ours_find:?}"
        );
        assert_eq!(reloc(xorriso_find(&g)), ours_find, "{what}: xorriso -find");
        // Every reader sees the real tree through Rock Ridge, relocated or not.
        assert_eq!(bsdtar_list(&d), real, "{what}: bsdtar");
        let iso = paths(&d, Ns::Iso);
        let joliet = paths(&d, Ns::Joliet);
        assert!(joliet.iter().all(|p| !p.contains("rr_moved")), "{what}");
        assert!(joliet.contains(&"/a/b/c/d/e/f/g/h/i/j/file.txt".to_string()));
        let no_reloc = opts.contains(&"-D") || opts.contains(&"-disable-deep-relocation");
        let hidden = opts.contains(&"-hide-rr-moved");
        if no_reloc {
            // The deep directories stay where they are: 11 levels, no relocation directory.
            assert_eq!(iso_depth(&iso), 11, "{what}: {iso:?}");
            assert!(iso.iter().all(|p| !p.contains("RR_MOVE")), "{what}");
            assert!(iso.contains(&"/A/B/C/D/E/F/G/H/I/J/FILE.TXT;1".to_string()));
            assert!(err.contains("-D"), "{what}: no warning: {err}");
        } else {
            assert!(iso_depth(&iso) <= 8, "{what}: {iso:?}");
            let (iso_name, rr_name) = if hidden {
                ("/_RR_MOVE", "/.rr_moved")
            } else {
                ("/RR_MOVED", "/rr_moved")
            };
            assert!(iso.contains(&iso_name.to_string()), "{what}: {iso:?}");
            let rr = paths(&d, Ns::Rr);
            assert!(rr.contains(&rr_name.to_string()), "{what}: {rr:?}");
            assert!(err.is_empty(), "{what}: {err}");
        }
    }
    // Without Rock Ridge nothing can be relocated: the deep directories stay, with a warning
    // (genisoimage leaves them out of the image instead).
    let err = ours(&["-J"], &d, &src);
    assert!(err.contains("deeper than 8 levels"), "{err}");
    assert_eq!(iso_depth(&paths(&d, Ns::Iso)), 11);
}

/// Extent and link count isoinfo -l -R shows for `name` in the root.
fn extent_and_links(img: &Path, name: &str) -> (u32, u32) {
    let out = ok(
        "isoinfo -l -R",
        &tool("isoinfo", &["-R", "-l", "-i", &s(img)]),
    );
    let line = out
        .lines()
        .find(|l| l.trim_end().ends_with(&format!("]  {name}")))
        .unwrap_or_else(|| panic!("{name} not listed:\n{out}"));
    let links: u32 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let bracket = &line[line.find('[').unwrap() + 1..line.find(']').unwrap()];
    let extent: u32 = bracket.split_whitespace().next().unwrap().parse().unwrap();
    (extent, links)
}

#[test]
fn hard_links_with_and_without_inode_cache() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    put(&src.join("a"), b"linked data\n");
    fs::hard_link(src.join("a"), src.join("b")).unwrap();
    put(&src.join("c"), b"linked data\n");
    let (g, d) = (t.path().join("g.iso"), t.path().join("d.iso"));
    for (opts, shared) in [
        (&["-R"][..], true),
        (&["-R", "-cache-inodes"], true),
        (&["-R", "-no-cache-inodes"], false),
    ] {
        theirs(opts, &g, &src);
        ours(opts, &d, &src);
        for img in [&g, &d] {
            let (ea, la) = extent_and_links(img, "a");
            let (eb, _) = extent_and_links(img, "b");
            let (ec, _) = extent_and_links(img, "c");
            assert_eq!(
                ea == eb,
                shared,
                "{opts:?} {}: a at {ea}, b at {eb}",
                img.display()
            );
            assert_ne!(ea, ec, "{opts:?}: a file with equal contents is no link");
            if shared {
                assert_eq!(la, 2, "{opts:?} {}: link count", img.display());
            }
        }
        assert_eq!(bsdtar_list(&g), bsdtar_list(&d));
    }
    // Without the cache every name is a file of its own: one inode, one link.
    ours(&["-R", "-no-cache-inodes"], &d, &src);
    assert_eq!(extent_and_links(&d, "b").1, 1);
}

fn table_tree(root: &Path) {
    name_tree(root);
    put(&root.join("sub/deeper/x.dat"), b"x");
    fs::create_dir_all(root.join("empty")).unwrap();
    // A translation table in the sources is replaced by the generated one.
    put(&root.join("sub/TRANS.TBL"), b"stale table\n");
    std::os::unix::fs::symlink("readme", root.join("lnk")).unwrap();
}

#[test]
fn translation_tables_match_genisoimage() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    table_tree(&src);
    let (g, d) = (t.path().join("g.iso"), t.path().join("d.iso"));
    for (opts, table, in_joliet) in [
        (&["-R", "-J", "-T"][..], "TRANS.TBL", true),
        (&["-R", "-J", "-translation-table"], "TRANS.TBL", true),
        (&["-R", "-J", "-table-name", "NAMES.TBL"], "NAMES.TBL", true),
        (
            &["-r", "-J", "-T", "-hide-joliet-trans-tbl"],
            "TRANS.TBL",
            false,
        ),
        (
            &["-R", "-T", "-allow-leading-dots", "-no-iso-translate"],
            "TRANS.TBL",
            false,
        ),
    ] {
        let what = format!("{opts:?}");
        theirs(opts, &g, &src);
        ours(opts, &d, &src);
        same_paths(&g, &d, &[Ns::Iso, Ns::Rr, Ns::Joliet], &what);
        let iso = paths(&d, Ns::Iso);
        let tables: Vec<&String> = iso
            .iter()
            .filter(|p| p.ends_with(&format!("/{table};1")))
            .collect();
        // Root, sub, sub/deeper; none in the empty directory.
        assert_eq!(tables.len(), 3, "{what}: {iso:?}");
        for p in tables {
            assert_eq!(
                String::from_utf8_lossy(&extract(&g, p)),
                String::from_utf8_lossy(&extract(&d, p)),
                "{what}: {p}"
            );
        }
        if opts.contains(&"-J") {
            let joliet = paths(&d, Ns::Joliet);
            let has = joliet.contains(&format!("/{table}"));
            assert_eq!(has, in_joliet, "{what}: {joliet:?}");
        }
    }
    // What a line holds: type, ISO 9660 name padded to 208, tab, name (tab, link target).
    ours(&["-R", "-T"], &d, &src);
    let root = String::from_utf8(extract(&d, "/TRANS.TBL;1")).unwrap();
    let want = format!("L {:<208}\tlnk\treadme\n", "LNK.;1");
    assert!(root.contains(&want), "{root}");
    let want = format!("D {:<208}\tsub\n", "SUB");
    assert!(root.contains(&want), "{root}");
    let sub = String::from_utf8(extract(&d, "/SUB/TRANS.TBL;1")).unwrap();
    assert!(!sub.contains("stale"), "{sub}");
}

/// The RHEL installation guide's command for a custom boot ISO, with genisoimage.
#[test]
fn rhel_style_command_matches_genisoimage() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    table_tree(&src);
    put(&src.join("isolinux/isolinux.bin"), &[0x90u8; 4096]);
    put(&src.join("images/efiboot.img"), &[0x5Au8; 8192]);
    let (g, d) = (t.path().join("g.iso"), t.path().join("d.iso"));
    let opts = [
        "-U",
        "-r",
        "-v",
        "-T",
        "-J",
        "-joliet-long",
        "-V",
        "RHEL-9",
        "-volset",
        "RHEL-9",
        "-A",
        "RHEL-9",
        "-b",
        "isolinux/isolinux.bin",
        "-c",
        "isolinux/boot.cat",
        "-no-emul-boot",
        "-boot-load-size",
        "4",
        "-boot-info-table",
        "-eltorito-alt-boot",
        "-e",
        "images/efiboot.img",
        "-no-emul-boot",
    ];
    theirs(&opts, &g, &src);
    ours(&opts, &d, &src);
    same_paths(&g, &d, &[Ns::Iso, Ns::Rr, Ns::Joliet], &format!("{opts:?}"));
    for p in ["/TRANS.TBL", "/isolinux/TRANS.TBL", "/sub/TRANS.TBL"] {
        assert_eq!(
            String::from_utf8_lossy(&extract(&g, p)),
            String::from_utf8_lossy(&extract(&d, p)),
            "{p}"
        );
    }
    assert_eq!(el_torito(&g), el_torito(&d));
}

/// `xorriso -report_el_torito plain`'s entry lines without their LBA column.
fn el_torito(img: &Path) -> Vec<String> {
    let o = tool(
        "xorriso",
        &["-indev", &s(img), "-report_el_torito", "plain"],
    );
    ok("xorriso -report_el_torito", &o)
        .lines()
        .filter(|l| l.starts_with("El Torito boot img"))
        .map(|l| l.rsplit_once(' ').map_or(l, |x| x.0).trim_end().to_string())
        .collect()
}

/// archiso's and live-build's `xorriso -as mkisofs` command lines: the long option names
/// are accepted and mean what genisoimage and xorriso make of them.
#[test]
fn xorriso_style_long_options() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    put(&src.join("isolinux/isolinux.bin"), &[0x90u8; 4096]);
    put(&src.join("EFI/efiboot.img"), &[0x5Au8; 8192]);
    put(&src.join("arch/version"), b"2026.11.01\n");
    put(&src.join("a-rather-long-file-name.txt"), b"long\n");
    let (g, d, x) = (
        t.path().join("g.iso"),
        t.path().join("d.iso"),
        t.path().join("x.iso"),
    );
    let archiso = [
        "-iso-level",
        "3",
        "-full-iso9660-filenames",
        "-joliet",
        "-joliet-long",
        "-rational-rock",
        "-volid",
        "ARCH_202611",
        "-appid",
        "Arch Linux Live/Rescue DVD",
        "-publisher",
        "Arch Linux <https://archlinux.org>",
        "-preparer",
        "prepared by mkarchiso",
        "-eltorito-boot",
        "isolinux/isolinux.bin",
        "-eltorito-catalog",
        "isolinux/boot.cat",
        "-no-emul-boot",
        "-boot-load-size",
        "4",
        "-boot-info-table",
        "-eltorito-alt-boot",
        "-e",
        "EFI/efiboot.img",
        "-no-emul-boot",
    ];
    let live_build = [
        "-r",
        "-J",
        "-joliet-long",
        "-l",
        "-cache-inodes",
        "-iso-level",
        "3",
        "-A",
        "Debian Live",
        "-p",
        "live-build",
        "-publisher",
        "Debian",
        "-V",
        "DEBIAN_LIVE",
        "-input-charset",
        "utf-8",
        "-b",
        "isolinux/isolinux.bin",
        "-c",
        "isolinux/boot.cat",
        "-no-emul-boot",
        "-boot-load-size",
        "4",
        "-boot-info-table",
    ];
    for opts in [&archiso[..], &live_build[..]] {
        theirs(opts, &g, &src);
        // -output instead of -o.
        let mut a = opts.to_vec();
        let (ds, ss) = (s(&d), s(&src));
        a.extend_from_slice(&["-output", &ds, &ss]);
        ok(
            "discburn mkisofs",
            &command(BIN).arg("mkisofs").args(&a).output().unwrap(),
        );
        let mut xa = vec!["-as", "mkisofs"];
        xa.extend_from_slice(opts);
        let (xs, ss) = (s(&x), s(&src));
        xa.extend_from_slice(&["-o", &xs, &ss]);
        ok("xorriso -as mkisofs", &tool("xorriso", &xa));
        same_paths(&g, &d, &[Ns::Iso, Ns::Rr, Ns::Joliet], &format!("{opts:?}"));
        assert_eq!(el_torito(&g), el_torito(&d), "{opts:?}");
        assert_eq!(el_torito(&x), el_torito(&d), "{opts:?}");
        let pvd = |img: &Path| -> Vec<String> {
            ok("isoinfo -d", &tool("isoinfo", &["-d", "-i", &s(img)]))
                .lines()
                .filter(|l| {
                    [
                        "Volume id:",
                        "Application id:",
                        "Publisher id:",
                        "Data preparer id:",
                    ]
                    .iter()
                    .any(|k| l.starts_with(k))
                })
                .map(str::to_string)
                .collect()
        };
        assert_eq!(pvd(&g), pvd(&d), "{opts:?}");
        // xorriso writes the publisher, preparer and application ids in upper case
        // (a-characters); genisoimage and the builder keep them as given.
        let upper =
            |v: Vec<String>| -> Vec<String> { v.into_iter().map(|l| l.to_uppercase()).collect() };
        assert_eq!(upper(pvd(&x)), upper(pvd(&d)), "{opts:?}");
        assert_eq!(pvd(&d).len(), 4);
        assert_eq!(bsdtar_list(&x), bsdtar_list(&d));
    }
    // xorriso's Apple options are not implemented: refused by name, not ignored.
    let o = command(BIN)
        .args(["mkisofs", "-isohybrid-apm-hfsplus", "-o"])
        .arg(&d)
        .arg(&src)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("-isohybrid-apm-hfsplus: not supported by discburn"),
        "{err}"
    );
}

/// `isoinfo -l` of one namespace as (directory, name, file flags, permissions): the flags
/// are the directory record's byte 25 (ECMA-119 §9.1.6), which isoinfo prints after the
/// extent ("[ LBA FLAGS ]"); "." and ".." left out, Joliet names without ";1".
fn flag_listing(img: &Path, ns: Ns) -> Vec<(String, String, String, String)> {
    let i = s(img);
    let mut a = vec!["-l", "-i", &i];
    match ns {
        Ns::Iso => {}
        Ns::Joliet => a.insert(0, "-J"),
        Ns::Rr => a.insert(0, "-R"),
    }
    let out = ok(&format!("isoinfo {a:?}"), &tool("isoinfo", &a));
    let mut dir = String::new();
    let mut v = Vec::new();
    for l in out.lines() {
        if let Some(d) = l.strip_prefix("Directory listing of ") {
            dir = d.to_string();
            continue;
        }
        let Some((head, name)) = l.split_once("]  ") else {
            continue;
        };
        let name = name.trim_end();
        let name = name.strip_suffix(";1").unwrap_or(name).to_string();
        if name == "." || name == ".." {
            continue;
        }
        let perms = head.split_whitespace().next().unwrap_or("").to_string();
        let flags = head.split_whitespace().last().unwrap_or("").to_string();
        v.push((dir.clone(), name, flags, perms));
    }
    v.sort();
    v
}

/// genisoimage's `-hidden GLOB` / `-hidden-list FILE` (the existence bit, ECMA-119 §9.1.6
/// file flags bit 0, in the ISO 9660 and the Joliet records of the matching files and
/// directories, which stay listed) and `-new-dir-mode` (the permissions of directories only
/// a graft point names; 0555 without it): isoinfo shows the same flags and modes in our
/// image as in genisoimage's, xorriso and bsdtar list the hidden names in both.
#[test]
fn hidden_and_new_dir_mode_match_genisoimage() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    for f in [
        "a.txt",
        "b.txt",
        "sub/c.txt",
        "sub/deeper/d.txt",
        "listed/e.txt",
    ] {
        put(&src.join(f), f.as_bytes());
    }
    put(&tmp.path().join("extra.txt"), b"extra");
    let list = tmp.path().join("hidden.lst");
    fs::write(&list, "listed\nd.txt\n").unwrap();
    let (srcs, lists, extra) = (s(&src), s(&list), s(&tmp.path().join("extra.txt")));
    let graft_new = format!("new/dirs/extra.txt={extra}");
    let graft_src = format!("/={srcs}");
    for mode in [None, Some("0700")] {
        let mut opts: Vec<&str> = vec![
            "-R",
            "-J",
            "-hidden",
            "a.txt",
            "-hidden",
            "sub",
            "-hidden-list",
            &lists,
            "-graft-points",
        ];
        if let Some(m) = mode {
            opts.extend_from_slice(&["-new-dir-mode", m]);
        }
        let g = tmp.path().join("g.iso");
        let d = tmp.path().join("d.iso");
        let mut ga: Vec<&str> = vec!["-quiet"];
        ga.extend_from_slice(&opts);
        let gs = s(&g);
        ga.extend_from_slice(&["-o", &gs, &graft_src, &graft_new]);
        ok("genisoimage", &tool("genisoimage", &ga));
        let o = command(BIN)
            .args(["mkisofs", "-quiet"])
            .args(&opts)
            .args(["-o", &s(&d), &graft_src, &graft_new])
            .output()
            .unwrap();
        ok("discburn mkisofs", &o);
        for ns in [Ns::Iso, Ns::Joliet, Ns::Rr] {
            let (gl, dl) = (flag_listing(&g, ns), flag_listing(&d, ns));
            // Same names, flags and (with Rock Ridge) permissions.
            assert_eq!(
                gl, dl,
                "{ns:?} listing, -new-dir-mode {mode:?} (left genisoimage)"
            );
        }
        let rr = flag_listing(&d, Ns::Rr);
        let flags_of = |name: &str| -> String {
            rr.iter()
                .find(|e| e.1 == name)
                .map(|e| e.2.clone())
                .unwrap_or_else(|| panic!("{name} not listed: {rr:?}"))
        };
        // What the equal listings say, for the record: hidden files 01, hidden
        // directories 03 (directory | existence), the rest 00 / 02.
        assert_eq!(flags_of("a.txt"), "01");
        assert_eq!(flags_of("sub"), "03");
        assert_eq!(flags_of("listed"), "03");
        assert_eq!(flags_of("d.txt"), "01");
        assert_eq!(flags_of("b.txt"), "00");
        assert_eq!(
            flags_of("c.txt"),
            "00",
            "-hidden sub does not reach its files"
        );
        let perm_of = |name: &str| rr.iter().find(|e| e.1 == name).unwrap().3.clone();
        let want = if mode.is_some() {
            "drwx------"
        } else {
            "dr-xr-xr-x"
        };
        assert_eq!(perm_of("new"), want);
        assert_eq!(perm_of("dirs"), want);
        // Hidden, not gone: xorriso and bsdtar list them.
        for list in [xorriso_find(&d), bsdtar_list(&d)] {
            assert!(list.iter().any(|l| l.contains("a.txt")), "{list:?}");
            assert!(list.iter().any(|l| l.contains("listed/e.txt")), "{list:?}");
        }
        assert_eq!(extract(&d, "/A.TXT;1"), b"a.txt");
    }
}

/// `add` takes mkisofs options among its sources; the ones it does not carry out (-root,
/// -old-root, -new-dir-mode, -log-file) are a usage error naming them, with nothing
/// written, never skipped.
#[test]
fn add_refuses_the_mkisofs_options_it_does_not_carry_out() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("s");
    put(&src.join("f.txt"), b"f");
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=bd-r", disc.display());
    for (opt, val) in [
        ("-root", "/x"),
        ("-old-root", "/x"),
        ("-new-dir-mode", "0700"),
        ("-log-file", "l.txt"),
    ] {
        let o = command(BIN)
            .current_dir(t.path())
            .args(["add", "--dev", &dev, opt, val, &s(&src)])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{opt}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(
            e.contains(opt) && e.contains("not supported by add"),
            "{opt}: {e}"
        );
        assert!(!t.path().join("l.txt").exists());
        assert!(
            fs::metadata(&disc).map_or(true, |m| m.len() == 0),
            "{opt} wrote"
        );
    }
}
