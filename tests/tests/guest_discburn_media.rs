//! Issue 11, discburn's own write path through real SG_IO: the guest's `discburn` on the
//! emulated drive served by `discburn serve` (QEMU's iSCSI initiator to `scsi-generic`), so
//! every command discburn sends in the guest reaches the emulator as sent, on all eight
//! writable media. In ONE guest boot, two served discs per medium:
//! - the first takes three `discburn add` sessions (files added; a file changed; a file
//!   removed and one added); discburn's `msinfo` and `toc` then agree with `xorriso -toc`
//!   and, on CDs, with `wodim -msinfo` and `wodim -toc`; the session starts xorriso lists
//!   are the ones `add --json` reported; on the sequential media `discburn close` finalizes
//!   the disc (`xorriso -toc`: "is closed") and a further `add` is refused;
//! - the second takes `discburn burn` of a genisoimage image (finalized where the medium
//!   has sessions); the guest kernel reads the image back byte for byte;
//! - after the SCSI devices are scanned again (the sr driver reads the written discs
//!   afresh), every session is mounted by the guest kernel (`-o sbsector=N`) and extracted
//!   by xorriso (`-load sbsector N`): each shows exactly the tree that session was given;
//!   `mount` without sbsector= shows the last one;
//! - `xorriso -md5 on -check_media` finds the MD5 tags of all three `add` sessions
//!   matching (and on DVD+RW/BD-RE the relocated superblock tag at block 16..);
//! - `discburn blank` on the burned (closed) CD-RW and `discburn format --force` on the
//!   burned DVD+RW and BD-RE, then `discburn add` of a new tree: the kernel and xorriso see
//!   only the new tree.

#![cfg(unix)]
// reason: test code; helpers outside #[test] fns panic to fail the test
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use discburn_tests::host::run_tool;
use discburn_tests::peers::{parse_cdrecord_toc, parse_msinfo, parse_xorriso_toc, XorrisoToc};
use discburn_tests::{CmdOutput, GuestRun, ServedDrives, Vm};
use serde_json::Value;

/// The media; the `add` disc of MEDIA[i] is SCSI target i, its `burn` disc target 8 + i.
const MEDIA: [&str; 8] = [
    "cd-r", "cd-rw", "dvd-r", "dvd+r", "dvd+r-dl", "bd-r", "dvd+rw", "bd-re",
];

/// Overwritable media: no sessions in the drive's TOC, nothing to close.
const OVERWRITABLE: [&str; 2] = ["dvd+rw", "bd-re"];

/// The burned discs that are blanked (CD-RW) or formatted (DVD+RW, BD-RE) afterwards.
const ERASED: [&str; 3] = ["cd-rw", "dvd+rw", "bd-re"];

fn numbers() -> Vec<u8> {
    (0..20000)
        .map(|i| format!("{i}\n"))
        .collect::<String>()
        .into_bytes()
}

fn put(root: &Path, rel: &str, data: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

/// A tree: path -> file bytes, `None` for a directory.
type Tree = BTreeMap<String, Option<Vec<u8>>>;

fn file(t: &mut Tree, name: &str, data: &[u8]) {
    t.insert(name.to_string(), Some(data.to_vec()));
}

/// The trees after `add` sessions 1 to 3, of the burned image, and of the session after
/// blanking/formatting.
fn trees() -> [Tree; 5] {
    let mut s1 = Tree::new();
    file(&mut s1, "a.txt", b"first version\n");
    file(&mut s1, "b.txt", b"never changed\n");
    s1.insert("sub".into(), None);
    file(&mut s1, "sub/numbers.txt", &numbers());
    let mut s2 = s1.clone();
    file(&mut s2, "a.txt", b"second version\n");
    let mut s3 = s2.clone();
    s3.remove("sub/numbers.txt");
    file(&mut s3, "d.txt", b"third session\n");
    let mut img = Tree::new();
    file(&mut img, "hello.txt", b"burned as an image\n");
    img.insert("sub".into(), None);
    file(&mut img, "sub/numbers.txt", &numbers());
    let mut s4 = Tree::new();
    file(&mut s4, "c.txt", b"after blanking\n");
    [s1, s2, s3, img, s4]
}

fn md5(data: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x");
    std::fs::write(&f, data).unwrap();
    let out = run_tool("md5sum", "coreutils", [f.to_str().unwrap()]).unwrap();
    String::from_utf8_lossy(&out)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// What [`list`] prints for a tree: `find . | sort`, then `md5sum` of each file in order.
fn listing(tree: &Tree) -> String {
    let mut names: Vec<String> = std::iter::once(".".to_string())
        .chain(tree.keys().map(|k| format!("./{k}")))
        .collect();
    names.sort();
    let mut out = names.join("\n") + "\n";
    let mut files: Vec<(String, &Vec<u8>)> = tree
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (format!("./{k}"), v)))
        .collect();
    files.sort();
    for (k, v) in files {
        out.push_str(&format!("{}  {k}\n", md5(v)));
    }
    out
}

/// Lists the tree at `dir` as [`listing`] expects it.
fn list(dir: &str) -> String {
    format!("(cd {dir} && find . | sort && find . -type f | sort | xargs -r md5sum)")
}

/// The guest's block device of SCSI target `id`, as `D=...`.
fn dev(id: usize) -> String {
    format!("D=/dev/$(ls /sys/bus/scsi/devices/*:0:{id}:0/block)")
}

/// For every session start in the shell word list `starts`: `== START kernel` and the tree
/// the kernel mounts with sbsector=START, `== START xorriso` and the tree xorriso extracts
/// with `-load sbsector START`; then `== default kernel` and the tree mounted without
/// sbsector.
fn read_back(id: usize, starts: &str) -> String {
    format!(
        "{}; mkdir -p /m; \
         for s in {starts}; do \
           echo \"== $s kernel\"; mount -t iso9660 -o ro,sbsector=$s $D /m && {}; umount /m; \
           echo \"== $s xorriso\"; rm -rf /x; \
           xorriso -osirrox on -load sbsector $s -indev $D -extract / /x >/dev/null 2>&1 && {}; \
         done; echo '== default kernel'; mount -t iso9660 -o ro $D /m && {}; umount /m",
        dev(id),
        list("/m"),
        list("/x"),
        list("/m")
    )
}

/// `discburn --json add` with `args`; the session start it reports is appended to
/// /tmp/starts.ID (`file`).
fn add_cmd(id: usize, file: &str, args: &str) -> String {
    format!(
        "{}; discburn --dev $D --json add -q {args} > /tmp/a.json; rc=$?; cat /tmp/a.json; \
         sed -n 's/^ *\"start\": *\\([0-9]*\\).*/\\1/p' /tmp/a.json >> /tmp/{file}.{id}; exit $rc",
        dev(id)
    )
}

/// The sr driver read each disc's capacity when it was blank: delete every SCSI device
/// and scan the bus again, so the kernel sees the written discs as new media.
const RESCAN: &str = "for h in /sys/bus/scsi/devices/*:0:*:0; do echo 1 > $h/delete; done; \
     for h in /sys/class/scsi_host/host*; do echo '- - -' > $h/scan; done; \
     n=0; while [ $n -lt 100 ] && [ $(ls -d /sys/block/sr* 2>/dev/null | wc -l) -lt 16 ]; do \
       usleep 100000; n=$((n+1)); done; ls -d /sys/block/sr* | wc -l";

struct Fixture {
    run: GuestRun,
    /// Blocks of the burned image.
    image_blocks: u64,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Result<Fixture, String>> = OnceLock::new();
    discburn_tests::fixture::once(&F, boot)
}

fn boot() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    put(&data, "s1/a.txt", b"first version\n");
    put(&data, "s1/b.txt", b"never changed\n");
    put(&data, "s1/sub/numbers.txt", &numbers());
    put(&data, "s2/a.txt", b"second version\n");
    put(&data, "s3/d.txt", b"third session\n");
    put(&data, "s4/c.txt", b"after blanking\n");
    let img = dir.path().join("img");
    put(&img, "hello.txt", b"burned as an image\n");
    put(&img, "sub/numbers.txt", &numbers());
    let iso = data.join("img.iso");
    run_tool(
        "genisoimage",
        "genisoimage",
        [
            "-quiet",
            "-R",
            "-J",
            "-V",
            "IMG",
            "-o",
            iso.to_str().unwrap(),
            img.to_str().unwrap(),
        ],
    )
    .unwrap();
    let image_blocks = std::fs::metadata(&iso).unwrap().len() / 2048;

    let opts: Vec<String> = MEDIA
        .iter()
        .chain(MEDIA.iter())
        .map(|p| format!("profile={p}"))
        .collect();
    let mut served = ServedDrives::start(&opts, &["-vv"]).unwrap();
    let mut vm = Vm::new();
    for i in 0..opts.len() {
        vm.iscsi(i as u8, served.url(i + 1));
    }
    vm.host_tree("/data", &data);
    let db = "discburn --dev $D";
    for (id, p) in MEDIA.iter().enumerate() {
        let d = dev(id);
        vm.named(
            &format!("add1 {p}"),
            add_cmd(id, "starts", "--volid S1 /data/s1"),
        );
        vm.named(
            &format!("add2 {p}"),
            add_cmd(id, "starts", "--volid S2 /data/s2"),
        );
        vm.named(
            &format!("add3 {p}"),
            add_cmd(id, "starts", "--volid S3 --remove sub/numbers.txt /data/s3"),
        );
        vm.named(&format!("msinfo {p}"), format!("{d}; {db} msinfo"));
        vm.named(&format!("dtoc {p}"), format!("{d}; {db} --json toc"));
        vm.named(&format!("media {p}"), format!("{d}; {db} --json media"));
        vm.named(&format!("xtoc {p}"), format!("{d}; xorriso -indev $D -toc"));
        // The MD5 tags add records: per session (track) on sequential media; over the
        // image the copy at block 16 describes on overwritable media, where the TOC is
        // emulated (and xorriso's chain of it breaks after session 1, see below).
        let what = if OVERWRITABLE.contains(p) {
            "image"
        } else {
            "tracks"
        };
        vm.named(
            &format!("xcheck {p}"),
            format!("{d}; xorriso -md5 on -indev $D -check_media what={what} --"),
        );
        if p.starts_with("cd") {
            vm.named(
                &format!("wodim msinfo {p}"),
                format!("{d}; wodim dev=$D -msinfo"),
            );
            vm.named(&format!("wodim toc {p}"), format!("{d}; wodim dev=$D -toc"));
        }
        if !OVERWRITABLE.contains(p) {
            vm.named(&format!("close {p}"), format!("{d}; {db} close"));
            vm.named(
                &format!("closed xtoc {p}"),
                format!("{d}; xorriso -indev $D -toc"),
            );
            vm.named(
                &format!("closed media {p}"),
                format!("{d}; {db} --json media"),
            );
            vm.named(
                &format!("closed add {p}"),
                format!("{d}; {db} add -q /data/s4"),
            );
        }
        let b = dev(MEDIA.len() + id);
        vm.named(
            &format!("burn {p}"),
            format!("{b}; {db} burn -q /data/img.iso"),
        );
        vm.named(
            &format!("burn media {p}"),
            format!("{b}; {db} --json media"),
        );
        vm.named(
            &format!("burn xtoc {p}"),
            format!("{b}; xorriso -indev $D -toc"),
        );
    }
    vm.named("rescan", RESCAN);
    for (id, p) in MEDIA.iter().enumerate() {
        vm.named(
            &format!("read {p}"),
            read_back(id, &format!("$(cat /tmp/starts.{id})")),
        );
        let b = dev(MEDIA.len() + id);
        vm.named(
            &format!("burn bytes {p}"),
            format!("{b}; dd if=$D bs=2048 count={image_blocks} 2>/dev/null | cmp - /data/img.iso && echo equal"),
        );
        vm.named(&format!("burn read {p}"), read_back(MEDIA.len() + id, "0"));
    }
    for p in ERASED {
        let id = MEDIA.len() + MEDIA.iter().position(|m| *m == p).unwrap();
        let d = dev(id);
        let erase = if p == "cd-rw" {
            "blank"
        } else {
            "format --force"
        };
        vm.named(&format!("erase {p}"), format!("{d}; {db} {erase}"));
        vm.named(
            &format!("erased media {p}"),
            format!("{d}; {db} --json media"),
        );
        vm.named(
            &format!("add4 {p}"),
            add_cmd(id, "starts4", "--volid S4 /data/s4"),
        );
    }
    vm.named("rescan again", RESCAN);
    for p in ERASED {
        let id = MEDIA.len() + MEDIA.iter().position(|m| *m == p).unwrap();
        vm.named(
            &format!("read s4 {p}"),
            read_back(id, &format!("$(cat /tmp/starts4.{id})")),
        );
    }
    let t = Instant::now();
    let run = vm.timeout(Duration::from_secs(1200)).run().unwrap();
    eprintln!("guest run: {:.1} s", t.elapsed().as_secs_f64());
    let status = served.stop().unwrap();
    let log = served.log();
    assert!(status.success(), "discburn serve: {status}; log:\n{log}");
    Fixture { run, image_blocks }
}

fn get<'a>(f: &'a Fixture, name: &str) -> &'a CmdOutput {
    f.run.get(name)
}

/// Text of stdout and stderr together (xorriso writes its reports to both).
fn all(o: &CmdOutput) -> String {
    format!("{}{}", o.stdout_str(), o.stderr_str())
}

fn json(f: &Fixture, name: &str) -> Value {
    let o = get(f, name);
    o.assert_success();
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{name}: {e}\n{}", o.describe()))
}

fn xtoc(f: &Fixture, name: &str) -> XorrisoToc {
    let o = get(f, name);
    o.assert_success();
    parse_xorriso_toc(&all(o))
}

/// `Media nwa    : Ns` of `xorriso -toc`.
fn xorriso_nwa(f: &Fixture, name: &str) -> Option<i64> {
    all(get(f, name))
        .lines()
        .find_map(|l| l.strip_prefix("Media nwa"))
        .and_then(|r| r.trim_start_matches([' ', ':']).trim().strip_suffix('s'))
        .and_then(|n| n.trim().parse().ok())
}

/// Splits a [`read_back`] output into (`START kernel|xorriso` or `default kernel`, listing).
fn sections(o: &CmdOutput) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in o.stdout_str().lines() {
        if let Some(k) = line.strip_prefix("== ") {
            out.push((k.to_string(), String::new()));
        } else if let Some(last) = out.last_mut() {
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    out
}

/// Asserts that `read_back` output `name` shows the sessions at `starts` with the trees
/// `want` (one per start) from the kernel and from xorriso, and the last tree by default.
#[track_caller]
fn assert_read_back(f: &Fixture, name: &str, starts: &[u64], want: &[&Tree]) {
    let o = get(f, name);
    let got = sections(o);
    let mut keys: Vec<String> = Vec::new();
    let mut lists: Vec<String> = Vec::new();
    for (s, t) in starts.iter().zip(want) {
        for how in ["kernel", "xorriso"] {
            keys.push(format!("{s} {how}"));
            lists.push(listing(t));
        }
    }
    keys.push("default kernel".into());
    lists.push(listing(want.last().unwrap()));
    let got_keys: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(got_keys, keys, "{name}: {}", o.describe());
    for ((k, l), w) in got.iter().zip(&lists) {
        assert_eq!(l, w, "{name}: {k}: {}", o.describe());
    }
}

/// The session starts `add --json` reported for sessions 1..=3 of `p`.
fn add_starts(f: &Fixture, p: &str) -> Vec<u64> {
    (1..=3)
        .map(|k| {
            json(f, &format!("add{k} {p}"))["start"]
                .as_u64()
                .unwrap_or_else(|| panic!("{p} add{k}: no start"))
        })
        .collect()
}

/// Where the first session starts: 0, or 32 on overwritable media (libisoburn's layout:
/// blocks 0-31 take the copy of the newest session's volume descriptors).
fn first_start(p: &str) -> u64 {
    if OVERWRITABLE.contains(&p) {
        32
    } else {
        0
    }
}

#[test]
fn discburn_adds_three_sessions_on_every_medium() {
    let f = fixture();
    for p in MEDIA {
        let starts = add_starts(f, p);
        assert!(
            starts[0] == first_start(p) && starts.windows(2).all(|w| w[0] < w[1]),
            "{p}: session starts {starts:?}"
        );
        let t = xtoc(f, &format!("xtoc {p}"));
        let ids: Vec<&str> = t.sessions.iter().map(|s| s.volume_id.as_str()).collect();
        let theirs: Vec<u64> = t.sessions.iter().map(|s| s.start).collect();
        if OVERWRITABLE.contains(&p) {
            // xorriso's emulated TOC (libisoburn isoburn_emulate_toc) walks from the
            // session at 32 by each session's own PVD volume space size, which libisofs
            // writes as the size of that session alone; discburn, as mkisofs -C and
            // ECMA-119 §8.4.8 (the blocks of the volume space, which a later session's
            // directories address from LBA 0), writes it counted from LBA 0. So xorriso
            // finds the first session, then "Chain of ISO session headers broken" and lists
            // the whole image at 0 (the copy at LBA 16: the newest tree) as the last one.
            let blocks = json(f, &format!("add1 {p}"))["blocks"].as_u64().unwrap();
            assert_eq!(theirs, [32, 0], "{p}: xorriso -toc {t:?}");
            assert_eq!(ids[0], "S1", "{p}: xorriso -toc {t:?}");
            assert_eq!(
                t.sessions[0].size,
                32 + blocks,
                "{p}: xorriso reads session 1's volume space size, counted from LBA 0"
            );
        } else {
            assert_eq!(ids, ["S1", "S2", "S3"], "{p}: xorriso -toc {t:?}");
            assert_eq!(theirs, starts, "{p}: xorriso -toc sessions vs add --json");
        }
        assert_eq!(
            t.media_status.as_deref(),
            Some("is written , is appendable"),
            "{p}"
        );
    }
}

/// `xorriso -md5 on -check_media` through the guest's drive (libburn over SG_IO, the
/// medium's real TOC): the superblock, tree and session tags of every one of the three
/// `add` sessions match (`MD5 tag range: START , SIZE , + md5_match`), and on DVD+RW and
/// BD-RE also the relocated superblock tag after the descriptor copy at block 16 (libisofs
/// doc/checksums.txt), with no mismatch anywhere.
#[test]
fn xorriso_check_media_finds_the_md5_tags_of_every_session() {
    let f = fixture();
    for p in MEDIA {
        let o = get(f, &format!("xcheck {p}"));
        let out = all(o);
        assert!(o.success(), "{p}: xorriso -check_media: {out}");
        let mut matching = Vec::new();
        for l in out.lines() {
            let Some(r) = l.strip_prefix("MD5 tag range:") else {
                continue;
            };
            let v: Vec<&str> = r.split(',').map(str::trim).collect();
            assert_eq!(v.get(2), Some(&"+ md5_match"), "{p}: {l}\n{out}");
            matching.push(v[0].parse::<u64>().unwrap());
        }
        let mut want = add_starts(f, p);
        if OVERWRITABLE.contains(&p) {
            want.insert(0, 0);
        }
        assert_eq!(
            matching, want,
            "{p}: tag ranges xorriso found matching\n{out}"
        );
    }
}

#[test]
fn discburn_msinfo_and_toc_agree_with_xorriso_and_wodim() {
    let f = fixture();
    for p in MEDIA {
        let o = get(f, &format!("msinfo {p}"));
        o.assert_success();
        let ours = parse_msinfo(&o.stdout_str()).unwrap_or_else(|| panic!("{p}: {}", o.describe()));
        let xname = format!("xtoc {p}");
        let t = xtoc(f, &xname);
        let last = add_starts(f, p)[2];
        assert_eq!(ours.0, last as i64, "{p}: msinfo vs add --json");
        // on DVD+RW and BD-RE xorriso's last session is the whole image at 0 (see
        // discburn_adds_three_sessions_on_every_medium); the next writable address agrees
        let xlast = if OVERWRITABLE.contains(&p) {
            0
        } else {
            last as i64
        };
        assert_eq!(
            (xlast, Some(ours.1)),
            (
                t.sessions.last().unwrap().start as i64,
                xorriso_nwa(f, &xname)
            ),
            "{p}: discburn msinfo vs xorriso -toc (last session start, Media nwa)"
        );
        let toc = json(f, &format!("dtoc {p}"));
        let tracks: Vec<&Value> = toc["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["leadout"] == false)
            .collect();
        let media = json(f, &format!("media {p}"));
        if OVERWRITABLE.contains(&p) {
            // one track in the drive's TOC; the sessions are read from the ISO volumes
            assert_eq!(tracks.len(), 1, "{p}: {toc}");
        } else {
            let ours: Vec<u64> = tracks.iter().map(|t| t["lba"].as_u64().unwrap()).collect();
            let theirs: Vec<u64> = t.sessions.iter().map(|s| s.start).collect();
            assert_eq!(ours, theirs, "{p}: discburn toc vs xorriso -toc sessions");
        }
        assert_eq!(
            media["last_session_start"].as_u64(),
            Some(last),
            "{p}: {media}"
        );
        assert_eq!(
            media["free_blocks"].as_u64(),
            t.writable,
            "{p}: discburn media free_blocks vs xorriso -toc writable"
        );
        if p.starts_with("cd") {
            let w = get(f, &format!("wodim msinfo {p}"));
            assert_eq!(
                parse_msinfo(&w.stdout_str()),
                Some(ours),
                "{p}: wodim -msinfo: {}",
                w.describe()
            );
            let w = get(f, &format!("wodim toc {p}"));
            let wt = parse_cdrecord_toc(&w.stdout_str());
            let all_ours: Vec<(Option<u64>, i64)> = toc["tracks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    let n = if t["leadout"] == true {
                        None
                    } else {
                        t["number"].as_u64()
                    };
                    (n, t["lba"].as_i64().unwrap())
                })
                .collect();
            let all_theirs: Vec<(Option<u64>, i64)> = wt
                .tracks
                .iter()
                .map(|t| (t.number.map(u64::from), t.lba))
                .collect();
            assert_eq!(
                all_ours,
                all_theirs,
                "{p}: discburn toc vs wodim -toc\n{}",
                w.describe()
            );
        }
    }
}

#[test]
fn discburn_close_finalizes_the_sequential_media() {
    let f = fixture();
    for p in MEDIA.iter().filter(|p| !OVERWRITABLE.contains(p)) {
        let c = get(f, &format!("close {p}"));
        c.assert_success();
        let t = xtoc(f, &format!("closed xtoc {p}"));
        assert_eq!(
            t.media_status.as_deref(),
            Some("is written , is closed"),
            "{p}: xorriso -toc after close: {t:?}"
        );
        let ids: Vec<&str> = t.sessions.iter().map(|s| s.volume_id.as_str()).collect();
        assert_eq!(ids, ["S1", "S2", "S3"], "{p}: sessions after close");
        let media = json(f, &format!("closed media {p}"));
        assert_eq!(media["state"], "closed", "{p}: {media}");
        assert_eq!(media["disc"]["status"], "complete", "{p}: {media}");
        let a = get(f, &format!("closed add {p}"));
        assert_eq!(a.status, 1, "{p}: add on a closed disc: {}", a.describe());
    }
}

#[test]
fn every_session_discburn_added_reads_back_in_the_kernel_and_xorriso() {
    let f = fixture();
    let t = trees();
    get(f, "rescan").assert_success();
    for p in MEDIA {
        let starts = add_starts(f, p);
        assert_read_back(f, &format!("read {p}"), &starts, &[&t[0], &t[1], &t[2]]);
    }
}

#[test]
fn discburn_burns_an_image_on_every_medium() {
    let f = fixture();
    let t = trees();
    for p in MEDIA {
        get(f, &format!("burn {p}")).assert_success();
        let media = json(f, &format!("burn media {p}"));
        let x = xtoc(f, &format!("burn xtoc {p}"));
        let ids: Vec<&str> = x.sessions.iter().map(|s| s.volume_id.as_str()).collect();
        assert_eq!(ids, ["IMG"], "{p}: xorriso -toc {x:?}");
        if OVERWRITABLE.contains(&p) {
            assert_eq!(media["state"], "appendable", "{p}: {media}");
        } else {
            // burn finalizes unless --multi (cdrecord without -multi)
            assert_eq!(media["state"], "closed", "{p}: {media}");
            assert_eq!(
                x.media_status.as_deref(),
                Some("is written , is closed"),
                "{p}"
            );
        }
        let b = get(f, &format!("burn bytes {p}"));
        assert_eq!(
            b.stdout_str(),
            "equal\n",
            "{p}: the first {} blocks are the image: {}",
            f.image_blocks,
            b.describe()
        );
        assert_read_back(f, &format!("burn read {p}"), &[0], &[&t[3]]);
    }
}

#[test]
fn discburn_blank_and_format_then_a_new_session() {
    let f = fixture();
    let t = trees();
    get(f, "rescan again").assert_success();
    for p in ERASED {
        get(f, &format!("erase {p}")).assert_success();
        let media = json(f, &format!("erased media {p}"));
        assert_eq!(media["state"], "blank", "{p}: after erasing: {media}");
        let a = json(f, &format!("add4 {p}"));
        let start = first_start(p);
        assert_eq!(a["start"].as_u64(), Some(start), "{p}: {a}");
        assert_eq!(a["session"].as_u64(), Some(1), "{p}: {a}");
        assert_read_back(f, &format!("read s4 {p}"), &[start], &[&t[4]]);
    }
}
