//! Issue 11, the classic paths: the burners people use write multisession discs on the
//! emulated drive served by `discburn serve`, in the guest through real SG_IO (QEMU's
//! iSCSI initiator to `scsi-generic`), and the guest kernel mounts every session.
//!
//! - CD-R and CD-RW: three sessions by
//!   `genisoimage -C $(wodim -msinfo dev=/dev/srN) -M /dev/srN -R -J DIR | wodim dev=/dev/srN -eject -multi -tao -data -`
//!   (the first without -C/-M). `-eject` as cdrkit's README.multi writes it: Linux keeps
//!   the size it read when the medium was loaded, so genisoimage -M and mount see a new
//!   session only after the medium is reloaded (wodim loads it again at its next start);
//!   growisofs reloads the tray itself ("reloading tray").
//! - DVD-R, DVD+R, DVD+R DL, BD-R, DVD+RW, BD-RE: `growisofs -Z /dev/srN -R -J DIR`, then
//!   `growisofs -M /dev/srN -R -J DIR` twice. On the blank BD-R with
//!   `-use-the-force-luke=spare:none`: growisofs otherwise formats it SRM+POW, which needs
//!   the BD-R Pseudo-Overwrite feature (0038h) this drive does not offer, and libburn's
//!   author recommends spare:none for multisession BD-R.
//! - After each burner the guest kernel mounts every session (`mount -t iso9660 -o
//!   sbsector=N`, Rock Ridge and, with `norock`, Joliet) and `diff -r` finds exactly the
//!   tree expected after that session, and `mount` without sbsector= finds the latest tree
//!   (on CDs and the sequential DVD/BD media through the sr driver's multisession lookup,
//!   READ TOC format 1 asked in the control byte; on DVD+RW and BD-RE at LBA 0). On DVD+RW
//!   and BD-RE growisofs emulates sessions: each new volume follows the previous one and its descriptors are copied to
//!   LBA 16, so LBA 0 shows the latest tree and the older volumes stay at their starts.
//! - `wodim blank=fast` on the CD-RW and `dvd+rw-format -force` on the DVD+RW, then a new
//!   first session on each that mounts with only its own files.
//! - A fault through the server: a CD-R served with `write_error=12000` (MEDIUM ERROR,
//!   WRITE ERROR when a write reaches LBA 12000, inside the second session): wodim reports
//!   the failure and exits non-zero, and the first session still mounts unchanged; wodim
//!   fixates after the error, so the damaged second session is closed and is the one the
//!   kernel mounts without sbsector=.
//!
//! All media in one guest boot (nine LUNs of one server).

#![cfg(unix)]
// reason: test code; helpers outside #[test] fns panic to fail the test
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;
use std::time::Duration;

use discburn_tests::{GuestRun, ServedDrives, Vm};

/// The media in LUN order (SCSI target = index).
const MEDIA: [&str; 8] = [
    "cd-r", "cd-rw", "dvd-r", "dvd+r", "dvd+r-dl", "bd-r", "dvd+rw", "bd-re",
];
/// SCSI target of the CD-R with the injected write error.
const FAULT_ID: u8 = 8;
/// Where that CD-R fails: inside the second session (it starts at 11702, 1000 blocks).
const FAULT_LBA: u32 = 12000;

/// The three sessions' source trees and the trees expected after each session, made in
/// the guest. Every session adds files: genisoimage -M keeps the previous session's file
/// when the new tree holds one of the same name (cdrkit 1.1.11, seen on the host as well),
/// so a "changed" file would show the old bytes, which is genisoimage's doing, not the
/// drive's.
const TREES: &str = "mkdir -p /tmp/s1/dir /tmp/s2 /tmp/s3/dir && echo one > /tmp/s1/a.txt && \
    seq 1 20000 > /tmp/s1/dir/b.txt && \
    seq 5 30000 > /tmp/s2/c.txt && seq 1 200000 > /tmp/s2/big.txt && \
    echo dee > /tmp/s3/dir/d.txt && \
    mkdir /tmp/exp1 /tmp/exp2 /tmp/exp3 && cp -r /tmp/s1/. /tmp/exp1 && \
    cp -r /tmp/exp1/. /tmp/exp2 && cp -r /tmp/s2/. /tmp/exp2 && \
    cp -r /tmp/exp2/. /tmp/exp3 && cp -r /tmp/s3/. /tmp/exp3";

/// The names (find . | sort) of each expected tree.
fn names(tree: &str) -> Vec<&'static str> {
    match tree {
        "/tmp/exp1" => vec![".", "./a.txt", "./dir", "./dir/b.txt"],
        "/tmp/exp2" => vec![
            ".",
            "./a.txt",
            "./big.txt",
            "./c.txt",
            "./dir",
            "./dir/b.txt",
        ],
        "/tmp/exp3" => vec![
            ".",
            "./a.txt",
            "./big.txt",
            "./c.txt",
            "./dir",
            "./dir/b.txt",
            "./dir/d.txt",
        ],
        "/tmp/s3" => vec![".", "./dir", "./dir/d.txt"],
        t => panic!("no tree {t}"),
    }
}

/// Shell prefix: D = the block device of SCSI target `id`, ID = id.
fn dev(id: u8) -> String {
    format!("D=/dev/$(ls /sys/bus/scsi/devices/*:0:{id}:0/block); ID={id}; ")
}

/// A wodim TAO multisession burn of `dir`; with `append`, as the next session
/// (genisoimage -C from wodim -msinfo, -M the disc); the session start goes to
/// /tmp/starts.ID.
fn wodim_session(id: u8, dir: &str, append: bool) -> String {
    let burn = "wodim -v dev=$D gracetime=2 -eject -multi -tao -data - 2>&1";
    if append {
        format!(
            "{}M=$(wodim dev=$D -msinfo) || exit 9; echo \"msinfo $M\"; echo ${{M#*,}} >> /tmp/starts.$ID; \
             genisoimage -quiet -C $M -M $D -R -J {dir} | {burn}",
            dev(id)
        )
    } else {
        format!(
            "{}echo 0 > /tmp/starts.$ID; genisoimage -quiet -R -J {dir} | {burn}",
            dev(id)
        )
    }
}

/// A growisofs session (-Z or -M) of `dir` with extra options `opts`; the session start
/// (0, or the second number of the -C growisofs passes to mkisofs) goes to /tmp/starts.ID.
fn growisofs_session(id: u8, dir: &str, append: bool, opts: &str) -> String {
    if append {
        format!(
            "{}growisofs -M $D {opts} -R -J {dir} > /tmp/g.out 2>&1; rc=$?; cat /tmp/g.out; \
             sed -n 's/.* -C [0-9]*,\\([0-9]*\\) .*/\\1/p' /tmp/g.out | head -n 1 >> /tmp/starts.$ID; exit $rc",
            dev(id)
        )
    } else {
        format!(
            "{}echo 0 > /tmp/starts.$ID; growisofs -Z $D {opts} -R -J {dir} 2>&1",
            dev(id)
        )
    }
}

/// Mounts every session start of /tmp/starts.ID (Rock Ridge, then Joliet with norock)
/// and compares it with the trees `expected` (one per start), then mounts without
/// sbsector=, which must find the tree `last`. The tray is closed first (`wodim -load`): after `wodim -eject` the first
/// open would close it but find the drive not yet ready. Output: `== START TREE rr|joliet|default`, the names, `same` when diff -r
/// finds no difference.
fn check_sessions(id: u8, expected: &[&str], last: &str) -> String {
    let default = format!(
        "echo \"== last {last} default\"; if mount -t iso9660 -o ro $D /mnt; then \
         (cd /mnt && find . | sort); diff -r /mnt {last} && echo same; umount /mnt; fi"
    );
    format!(
        "{}wodim dev=$D -load >/dev/null 2>&1; set -- {}; for s in $(cat /tmp/starts.$ID); do e=$1; shift; \
         for o in rr joliet; do echo \"== $s $e $o\"; \
         if [ $o = rr ]; then opt=ro,sbsector=$s; else opt=ro,norock,sbsector=$s; fi; \
         if mount -t iso9660 -o $opt $D /mnt; then (cd /mnt && find . | sort); \
         diff -r /mnt $e && echo same; umount /mnt; fi; done; done; {default}",
        dev(id),
        expected.join(" ")
    )
}

struct Fixture {
    run: GuestRun,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Result<Fixture, String>> = OnceLock::new();
    discburn_tests::fixture::once(&F, boot)
}

fn boot() -> Fixture {
    let mut opts: Vec<String> = MEDIA.iter().map(|m| format!("profile={m}")).collect();
    opts.push(format!("profile=cd-r,write_error={FAULT_LBA}"));
    let mut served = ServedDrives::start(&opts, &[]).unwrap();
    let mut vm = Vm::new();
    for (i, _) in opts.iter().enumerate() {
        vm.iscsi(i as u8, served.url(i + 1));
    }
    vm.named("trees", TREES);
    let seq = ["/tmp/exp1", "/tmp/exp2", "/tmp/exp3"];
    let grown = ["/tmp/exp3", "/tmp/exp2", "/tmp/exp3"];
    for (i, m) in MEDIA.iter().enumerate() {
        let id = i as u8;
        let cd = m.starts_with("cd");
        let g = if *m == "bd-r" {
            "-use-the-force-luke=spare:none"
        } else {
            ""
        };
        for (k, dir) in ["/tmp/s1", "/tmp/s2", "/tmp/s3"].iter().enumerate() {
            let cmd = if cd {
                wodim_session(id, dir, k > 0)
            } else {
                growisofs_session(id, dir, k > 0, g)
            };
            vm.named(&format!("{m} {}", k + 1), cmd);
        }
        let overwritable = matches!(*m, "dvd+rw" | "bd-re");
        let expected = if overwritable { grown } else { seq };
        vm.named(
            &format!("{m} check"),
            check_sessions(id, &expected, "/tmp/exp3"),
        );
        if cd {
            vm.named(
                &format!("{m} toc"),
                format!("{}wodim dev=$D -toc 2>&1", dev(id)),
            );
        }
    }
    // CD-RW: blank=fast, then a new first session
    vm.named(
        "cd-rw blank",
        format!("{}wodim dev=$D gracetime=2 blank=fast 2>&1", dev(1)),
    );
    vm.named("cd-rw after blank", wodim_session(1, "/tmp/s3", false));
    vm.named(
        "cd-rw after check",
        check_sessions(1, &["/tmp/s3"], "/tmp/s3"),
    );
    // DVD+RW: dvd+rw-format -force, then a new growisofs -Z. Formatting keeps the blocks
    // written before (the emulated format is the quick one), so growisofs, run without a
    // terminal, refuses -Z over the isofs it finds ("FATAL: ... already carries isofs!")
    // unless told -use-the-force-luke=tty, its own option for scripts
    vm.named(
        "dvd+rw format",
        format!("{}dvd+rw-format -force $D 2>&1", dev(6)),
    );
    vm.named(
        "dvd+rw after format",
        growisofs_session(6, "/tmp/s3", false, "-use-the-force-luke=tty"),
    );
    vm.named(
        "dvd+rw after check",
        check_sessions(6, &["/tmp/s3"], "/tmp/s3"),
    );
    // the write error in the middle of the second session
    vm.named("fault 1", wodim_session(FAULT_ID, "/tmp/s1", false));
    vm.named("fault 2", wodim_session(FAULT_ID, "/tmp/s2", true));
    vm.named(
        "fault check",
        format!(
            "{}echo 0 > /tmp/starts.$ID; {}",
            dev(FAULT_ID),
            check_sessions(FAULT_ID, &["/tmp/exp1"], "/tmp/exp2")
        ),
    );
    vm.named(
        "fault toc",
        format!("{}wodim dev=$D -toc 2>&1", dev(FAULT_ID)),
    );
    let run = vm.timeout(Duration::from_secs(600)).run().unwrap();
    let status = served.stop().unwrap();
    assert!(
        status.success(),
        "discburn serve ended with {status}; log:\n{}",
        served.log()
    );
    eprintln!("guest run: {:?}", run.elapsed);
    Fixture { run }
}

/// Parses `check_sessions` output into (start, expected tree, how, names, same).
fn mounts(text: &str) -> Vec<(String, String, String, Vec<String>, bool)> {
    let mut out: Vec<(String, String, String, Vec<String>, bool)> = Vec::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("== ") {
            let w: Vec<&str> = h.split_whitespace().collect();
            out.push((w[0].into(), w[1].into(), w[2].into(), Vec::new(), false));
        } else if let Some(last) = out.last_mut() {
            if line == "same" {
                last.4 = true;
            } else if line == "." || line.starts_with("./") {
                last.3.push(line.into());
            }
        }
    }
    out
}

/// Every mount of `name`'s check output found exactly its expected tree; returns the
/// session starts in order.
#[track_caller]
fn assert_mounts(run: &GuestRun, name: &str, sessions: usize) -> Vec<u32> {
    let o = run.get(name);
    o.assert_success();
    let m = mounts(&o.stdout_str());
    assert_eq!(
        m.len(),
        2 * sessions + 1,
        "{name}: one rr, one joliet mount per session (and the default mount): {}",
        o.describe()
    );
    for (start, tree, how, got, same) in &m {
        assert_eq!(
            got,
            &names(tree),
            "{name}: session at {start} ({how}) lists other names than {tree}: {}",
            o.describe()
        );
        assert!(
            *same,
            "{name}: session at {start} ({how}) differs from {tree}: {}",
            o.describe()
        );
    }
    let mut starts: Vec<u32> = m
        .iter()
        .filter(|x| x.2 == "rr")
        .map(|x| x.0.parse().unwrap())
        .collect();
    starts.dedup();
    starts
}

/// wodim's TOC track start addresses.
fn toc_tracks(text: &str) -> Vec<u32> {
    text.lines()
        .filter(|l| l.starts_with("track:") && !l.starts_with("track:lout"))
        .filter_map(|l| {
            l.split("lba:")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

fn wodim_three_sessions(m: &str) {
    let run = &fixture().run;
    for k in 1..=3 {
        let o = run.get(&format!("{m} {k}"));
        o.assert_success();
        let t = o.stdout_str();
        assert!(
            t.contains("Fixating...") && !t.contains("wodim: Cannot"),
            "{m} session {k}: {}",
            o.describe()
        );
    }
    let starts = assert_mounts(run, &format!("{m} check"), 3);
    // TAO: 300 blocks (wodim's minimum with its padding) + 2 run-out blocks, then the
    // first lead-out/lead-in of 11400 blocks, 6900 after that (cdrkit README.multi)
    assert_eq!(starts, [0, 11702, 19500], "{m}: session starts");
    let toc = run.get(&format!("{m} toc"));
    toc.assert_success();
    assert_eq!(toc_tracks(&toc.stdout_str()), starts, "{}", toc.describe());
}

#[test]
fn wodim_writes_three_sessions_on_cd_r() {
    wodim_three_sessions("cd-r");
}

#[test]
fn wodim_writes_three_sessions_on_cd_rw() {
    wodim_three_sessions("cd-rw");
}

fn growisofs_three_sessions(m: &str) {
    let run = &fixture().run;
    for k in 1..=3 {
        let o = run.get(&format!("{m} {k}"));
        o.assert_success();
        let t = o.stdout_str();
        // growisofs reports a failed command as ":-[ NAME failed ..." or ":-( ..." and
        // carries on after some of them: none may appear
        assert!(
            !t.contains(":-[") && !t.contains(":-("),
            "{m} session {k}: {}",
            o.describe()
        );
    }
    let starts = assert_mounts(run, &format!("{m} check"), 3);
    assert_eq!(starts.len(), 3, "{m}: {starts:?}");
    assert!(
        starts[0] == 0 && starts[1] > 0 && starts[2] > starts[1],
        "{m}: session starts {starts:?}"
    );
}

#[test]
fn growisofs_writes_three_sessions_on_dvd_r() {
    growisofs_three_sessions("dvd-r");
}

#[test]
fn growisofs_writes_three_sessions_on_dvd_plus_r() {
    growisofs_three_sessions("dvd+r");
}

#[test]
fn growisofs_writes_three_sessions_on_dvd_plus_r_dl() {
    growisofs_three_sessions("dvd+r-dl");
}

#[test]
fn growisofs_writes_three_sessions_on_bd_r() {
    growisofs_three_sessions("bd-r");
}

#[test]
fn growisofs_grows_dvd_plus_rw() {
    growisofs_three_sessions("dvd+rw");
}

#[test]
fn growisofs_grows_bd_re() {
    growisofs_three_sessions("bd-re");
}

#[test]
fn wodim_blank_fast_then_a_new_session_on_cd_rw() {
    let run = &fixture().run;
    // the three sessions were there before
    wodim_three_sessions("cd-rw");
    let b = run.get("cd-rw blank");
    b.assert_success();
    let t = b.stdout_str();
    assert!(
        t.contains("in real BLANK mode") && !t.contains("Cannot blank"),
        "{}",
        b.describe()
    );
    run.get("cd-rw after blank").assert_success();
    assert_eq!(assert_mounts(run, "cd-rw after check", 1), [0]);
}

#[test]
fn dvd_rw_format_then_a_new_session_on_dvd_plus_rw() {
    let run = &fixture().run;
    let f = run.get("dvd+rw format");
    f.assert_success();
    let t = f.stdout_str();
    assert!(!t.contains(":-[") && !t.contains(":-("), "{}", f.describe());
    run.get("dvd+rw after format").assert_success();
    assert_eq!(assert_mounts(run, "dvd+rw after check", 1), [0]);
}

#[test]
fn wodim_reports_a_write_error_and_the_first_session_still_mounts() {
    let run = &fixture().run;
    run.get("fault 1").assert_success();
    let o = run.get("fault 2");
    assert!(
        !o.success(),
        "wodim must fail on the write error: {}",
        o.describe()
    );
    let t = o.stdout_str();
    assert!(
        t.contains("msinfo 0,11702"),
        "the second session starts at 11702: {}",
        o.describe()
    );
    assert!(
        t.contains("write error") || t.contains("Write error") || t.contains("medium error"),
        "wodim names the write error: {}",
        o.describe()
    );
    // cdrecord/wodim fixates after a write error ("A write error occured." then
    // "Fixating..."), so the second session is closed and in the TOC (MMC-6 §6.26.3.2:
    // READ TOC lists complete sessions), and the sr driver's multisession lookup finds it
    assert!(t.contains("Fixating..."), "{}", o.describe());
    let toc = run.get("fault toc");
    assert_eq!(
        toc_tracks(&toc.stdout_str()),
        [0, 11702],
        "{}",
        toc.describe()
    );
    let c = run.get("fault check");
    c.assert_success();
    let m = mounts(&c.stdout_str());
    assert_eq!(m.len(), 3, "{}", c.describe());
    for (start, tree, how, got, same) in &m[..2] {
        let got: Vec<&str> = got.iter().map(String::as_str).collect();
        assert_eq!(
            (start.as_str(), got, *same),
            ("0", names(tree), true),
            "the first session ({how}) mounts unchanged: {}",
            c.describe()
        );
    }
    // the mount without sbsector= is the damaged second session: its directory was
    // written before LBA 12000, the file data after it was not
    assert_eq!(m[2].3, names("/tmp/exp2"), "{}", c.describe());
    assert!(
        !m[2].4,
        "the second session cannot be whole: {}",
        c.describe()
    );
}
