//! Issue 5 in the guest: images made by isofs mounted by the guest kernel's isofs driver
//! (Rock Ridge, hard links, devices, deep relocated trees) and the last of three sessions
//! mounted with `-o sbsector=`, compared with the source trees made on the host.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code, a failure is a test failure

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use discburn_tests::Vm;
use isofs::{merge, FileSource, Image, Options, RockRidge, ScanOptions, Tree};

fn fixture(dir: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../isofs/tests/fixtures/make_tree.sh");
    let st = Command::new("sh").arg(script).arg(dir).status().unwrap();
    assert!(st.success(), "fixture script failed (needs root for mknod)");
}

fn opts() -> Options {
    Options {
        iso_level: 3,
        rock_ridge: Some(RockRidge::Exact),
        joliet: true,
        pad_blocks: 150,
        ..Options::default()
    }
}

/// Appends a session: the previous one at `prev` merged with `add`, minus `remove`.
fn session(img: &Path, prev: Option<u32>, add: &Path, remove: &[&str]) -> u32 {
    let next = fs::metadata(img)
        .map(|m| (m.len() / 2048) as u32)
        .unwrap_or(0);
    let mut tree = Tree::new();
    let mut src =
        prev.map(|p| merge::import(&mut tree, FileSource::open(img).unwrap(), p).unwrap());
    for r in remove {
        assert!(tree.remove_path(r));
    }
    tree.add_source("/", add, &ScanOptions::default()).unwrap();
    let o = Options {
        session: prev.map(|p| (p, next)),
        ..opts()
    };
    let image = Image::new(
        tree,
        o,
        src.as_mut().map(|s| s as &mut dyn isofs::SectorSource),
    )
    .unwrap();
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(img)
        .unwrap();
    let mut w = std::io::BufWriter::new(&mut f);
    image.write_to(&mut w).unwrap();
    w.flush().unwrap();
    next
}

/// path -> "type|size|perm|mtime|target|rdev|md5" as the guest script prints it.
type Listing = BTreeMap<String, String>;

/// Guest script listing /mnt: one line per entry, then a line per hard-link group.
const LIST: &str = "(cd /mnt && find . ! -name . | sort | while read -r p; do \
    t=$(stat -c %F \"$p\"); s=$(stat -c %s \"$p\"); a=$(stat -c %a \"$p\"); m=$(stat -c %Y \"$p\"); \
    l=; d=; h=; \
    case \"$t\" in symbolic*) l=$(readlink \"$p\"); s=0;; regular*) h=$(md5sum < \"$p\" | cut -c1-32);; \
    directory) s=0;; character*|block*) d=$(stat -c %t,%T \"$p\"); s=0;; *) s=0;; esac; \
    echo \"E|$p|$t|$s|$a|$m|$l|$d|$h\"; \
    n=$(stat -c %h \"$p\"); if [ \"$t\" = 'regular file' ] && [ \"$n\" -gt 1 ]; then echo \"I|$n|$p\"; fi; \
    done)";

fn kind(ft: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "directory"
    } else if ft.is_symlink() {
        "symbolic link"
    } else if ft.is_file() {
        "regular file"
    } else if ft.is_fifo() {
        "fifo"
    } else if ft.is_char_device() {
        "character special file"
    } else if ft.is_block_device() {
        "block special file"
    } else {
        "socket"
    }
}

fn md5(p: &Path) -> String {
    let out = Command::new("md5sum").arg(p).output().unwrap();
    String::from_utf8_lossy(&out.stdout)[..32].to_string()
}

/// The same listing of a host directory; hard-link groups as sorted path lists.
fn host_listing(root: &Path) -> (Listing, Vec<Vec<String>>) {
    let mut out = Listing::new();
    let mut inodes: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for e in fs::read_dir(root.join(&rel)).unwrap() {
            let e = e.unwrap();
            let r = rel.join(e.file_name());
            let p = root.join(&r);
            let md = fs::symlink_metadata(&p).unwrap();
            let ft = md.file_type();
            let k = kind(&ft);
            let (mut s, mut l, mut d, mut h) = (0, String::new(), String::new(), String::new());
            match k {
                "regular file" => {
                    s = md.len();
                    h = md5(&p);
                    if md.nlink() > 1 {
                        inodes
                            .entry(md.ino())
                            .or_default()
                            .push(format!("./{}", r.display()));
                    }
                }
                "symbolic link" => l = fs::read_link(&p).unwrap().display().to_string(),
                "character special file" | "block special file" => {
                    let rd = md.rdev();
                    d = format!(
                        "{:x},{:x}",
                        (rd >> 8) & 0xfff,
                        (rd & 0xff) | ((rd >> 12) & 0xfff00)
                    );
                }
                "directory" => stack.push(r.clone()),
                _ => {}
            }
            let key = format!("./{}", r.display());
            let v = format!(
                "{k}|{s}|{:o}|{}|{l}|{d}|{h}",
                md.mode() & 0o7777,
                md.mtime()
            );
            out.insert(key, v);
        }
    }
    let mut groups: Vec<Vec<String>> = inodes
        .into_values()
        .flat_map(|v| {
            let n = v.len();
            v.into_iter().map(move |p| vec![format!("{n}:{p}")])
        })
        .collect();
    groups.sort();
    (out, groups)
}

fn guest_listing(text: &str) -> (Listing, Vec<Vec<String>>) {
    let mut out = Listing::new();
    let mut inodes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.splitn(9, '|').collect();
        match f.first() {
            Some(&"E") if f.len() == 9 => {
                // busybox stat calls an empty file "regular empty file".
                let v = f[2..]
                    .join("|")
                    .replacen("regular empty file", "regular file", 1);
                out.insert(f[1].to_string(), v);
            }
            Some(&"I") if f.len() == 3 => inodes
                .entry(f[1].to_string())
                .or_default()
                .push(f[2].to_string()),
            _ => {}
        }
    }
    // Linux isofs gives every directory record its own inode number (it does not use the
    // PX serial number), so hard links show as equal link counts: "nlink:path" pairs.
    let mut groups: Vec<Vec<String>> = inodes
        .into_iter()
        .flat_map(|(n, v)| v.into_iter().map(move |p| vec![format!("{n}:{p}")]))
        .collect();
    groups.sort();
    (out, groups)
}

fn assert_same(what: &str, want: &(Listing, Vec<Vec<String>>), got: &(Listing, Vec<Vec<String>>)) {
    let mut errs = Vec::new();
    for (p, w) in &want.0 {
        match got.0.get(p) {
            None => errs.push(format!("{p}: missing")),
            Some(g) => {
                // Directory times change when the fixture script adds entries after touch on
                // some file systems; compare directories without their mtime.
                let strip = |s: &str| -> String {
                    if s.starts_with("directory|") {
                        let v: Vec<&str> = s.split('|').collect();
                        format!("{}|{}|{}", v[0], v[1], v[2])
                    } else {
                        s.to_string()
                    }
                };
                if strip(w) != strip(g) {
                    errs.push(format!("{p}: want {w}, got {g}"));
                }
            }
        }
    }
    for p in got.0.keys() {
        // No exception for the relocation directory: it carries RE (RRIP 1.12 §4.1.5.3), and
        // the kernel's isofs (fs/isofs/rock.c) hides a directory record that does.
        if !want.0.contains_key(p) {
            errs.push(format!("{p}: unexpected"));
        }
    }
    if want.1 != got.1 {
        errs.push(format!("hard links: want {:?}, got {:?}", want.1, got.1));
    }
    assert!(
        errs.is_empty(),
        "{what}: {} differences:\n{}",
        errs.len(),
        errs.join("\n")
    );
}

#[test]
fn guest_kernel_mounts_our_images_and_sessions() {
    let tmp = tempfile::tempdir().unwrap();
    // Image 1: the feature fixture, one session.
    let src = tmp.path().join("src");
    fixture(&src);
    let one = tmp.path().join("one.iso");
    session(&one, None, &src, &[]);
    // Image 2: three sessions: the fixture, then a file added and one removed, then a file
    // changed (same size) and a directory removed.
    let multi = tmp.path().join("multi.iso");
    let expect = tmp.path().join("expect");
    Command::new("cp")
        .arg("-a")
        .arg(&src)
        .arg(&expect)
        .status()
        .unwrap();
    let s1 = session(&multi, None, &src, &[]);
    let add2 = tmp.path().join("add2");
    fs::create_dir_all(add2.join("new")).unwrap();
    fs::write(add2.join("new/file.txt"), b"added in session 2\n").unwrap();
    fs::remove_file(expect.join("README")).unwrap();
    Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", add2.display()))
        .arg(&expect)
        .status()
        .unwrap();
    let s2 = session(&multi, Some(s1), &add2, &["README"]);
    let add3 = tmp.path().join("add3");
    fs::create_dir_all(&add3).unwrap();
    fs::write(add3.join("a.txt"), b"HELLO\n").unwrap();
    fs::remove_dir_all(expect.join("emptydir")).unwrap();
    Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", add3.display()))
        .arg(&expect)
        .status()
        .unwrap();
    let s3 = session(&multi, Some(s2), &add3, &["emptydir"]);

    // Why our volume space size counts from block 0: genisoimage -C writes the session's own
    // size, and the kernel then refuses the Rock Ridge continuation areas beyond it.
    let g = tmp.path().join("g.img");
    let gen = |args: &[&str]| {
        let st = Command::new("genisoimage")
            .args(args)
            .status()
            .expect("genisoimage installed");
        assert!(st.success());
    };
    gen(&[
        "-quiet",
        "-R",
        "-J",
        "-o",
        g.to_str().unwrap(),
        add2.to_str().unwrap(),
    ]);
    let g1 = (fs::metadata(&g).unwrap().len() / 2048) as u32;
    let g2 = tmp.path().join("g2.iso");
    gen(&[
        "-quiet",
        "-R",
        "-J",
        "-C",
        &format!("0,{g1}"),
        "-M",
        g.to_str().unwrap(),
        "-o",
        g2.to_str().unwrap(),
        add3.to_str().unwrap(),
    ]);
    let mut gf = fs::OpenOptions::new().append(true).open(&g).unwrap();
    gf.write_all(&fs::read(&g2).unwrap()).unwrap();
    drop(gf);

    let mut vm = Vm::new();
    vm.cd(0, &one)
        .cd(1, &multi)
        .cd(2, &g)
        .named(
            "peer",
            format!("mount -t iso9660 -o ro,sbsector={g1} /dev/sr2 /mnt && stat -c %a /mnt/a.txt; umount /mnt; dmesg | grep -c 'out of volume'"),
        )
        .named(
            "one",
            format!("mkdir -p /mnt && mount -t iso9660 -o ro /dev/sr0 /mnt && {LIST}; umount /mnt"),
        )
        .named(
            "multi",
            format!("mount -t iso9660 -o ro,sbsector={s3} /dev/sr1 /mnt && {LIST}; umount /mnt"),
        )
        .named(
            "first",
            format!("mount -t iso9660 -o ro,sbsector={s1} /dev/sr1 /mnt && ls /mnt; umount /mnt"),
        );
    let run = vm.run().unwrap();
    let o = run.get("one");
    o.assert_success();
    assert_same(
        "one session",
        &host_listing(&src),
        &guest_listing(&o.stdout_str()),
    );
    let m = run.get("multi");
    m.assert_success();
    assert_same(
        "third session",
        &host_listing(&expect),
        &guest_listing(&m.stdout_str()),
    );
    // genisoimage's second session: Rock Ridge refused (mode 555 from plain ISO 9660).
    let p = run.get("peer");
    let lines: Vec<String> = p.stdout_str().lines().map(str::to_string).collect();
    assert_eq!(lines, ["555", "1"], "{}", p.describe());
    let f = run.get("first");
    f.assert_success();
    assert!(
        f.stdout_str().lines().any(|l| l == "README"),
        "{}",
        f.describe()
    );
}
