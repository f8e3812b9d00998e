//! The burners of the guest (issue 11, the test bed): growisofs, dvd+rw-mediainfo,
//! dvd+rw-format, cdrskin and genisoimage run in the guest with their shared libraries,
//! through real SG_IO, against the test bed's independent drives: QEMU's `scsi-cd` (a
//! pressed CD of genisoimage's) at target 0 and tgt's blank DVD+R over iSCSI at target 1.
//! In the guest genisoimage builds an image, dvd+rw-mediainfo names tgt's blank DVD+R,
//! growisofs burns the image to it (the backing file then holds it byte for byte, as
//! TESTBED.md §2 saw), cdrskin reads QEMU's TOC, and dvd+rw-format starts and looks at
//! the CD.
//!
//! One guest boot for every test of this file.

#![cfg(unix)]
// reason: test code; helpers outside #[test] fns panic to fail the test
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use discburn_tests::host::run_tool;
use discburn_tests::{GuestRun, TgtDisc, Vm};

/// The guest's block device of SCSI target `id`.
fn dev(id: u8) -> String {
    format!("/dev/$(ls /sys/bus/scsi/devices/*:0:{id}:0/block)")
}

struct Fixture {
    run: GuestRun,
    /// tgt's backing file after the run.
    backing: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Result<Fixture, String>> = OnceLock::new();
    discburn_tests::fixture::once(&F, boot)
}

fn boot() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("hello.txt"), b"pressed by the host\n").unwrap();
    let iso = dir.path().join("cd.iso");
    run_tool(
        "genisoimage",
        "genisoimage",
        [
            "-quiet",
            "-R",
            "-V",
            "PEERS_CD",
            "-o",
            iso.to_str().unwrap(),
            tree.to_str().unwrap(),
        ],
    )
    .unwrap();
    let tgt = TgtDisc::blank_dvd_plus_r().unwrap();
    let (cd, dvd) = (dev(0), dev(1));
    let mut vm = Vm::new();
    vm.cd(0, &iso).iscsi(1, tgt.url());
    vm.named(
        "genisoimage",
        "mkdir -p /tmp/t/sub && seq 1 20000 > /tmp/t/sub/numbers.txt && \
         echo 'made in the guest' > /tmp/t/guest.txt && \
         genisoimage -quiet -R -J -V GUEST_MADE -o /tmp/g.iso /tmp/t && \
         discburn ls -R -i /tmp/g.iso",
    );
    vm.named("g_md5", "md5sum < /tmp/g.iso; stat -c %s /tmp/g.iso");
    vm.named("mediainfo", format!("dvd+rw-mediainfo {dvd}"));
    vm.named(
        "growisofs",
        format!("growisofs -dvd-compat -Z {dvd}=/tmp/g.iso"),
    );
    vm.named("cdrskin_toc", format!("cdrskin dev={cd} -toc"));
    vm.named("format_cd", format!("dvd+rw-format -force {cd} 2>&1"));
    vm.named("mkisofs_link", "mkisofs -version");
    let run = vm.run().unwrap();
    let backing = std::fs::read(tgt.backing_file()).unwrap();
    Fixture { run, backing }
}

#[test]
fn genisoimage_builds_an_image_in_the_guest() {
    let f = fixture();
    let o = f.run.get("genisoimage");
    o.assert_success();
    let ls = o.stdout_str();
    assert!(ls.contains("guest.txt"), "{ls}");
    assert!(ls.contains("numbers.txt"), "{ls}");
    // growisofs' default front end: the mkisofs link reaches genisoimage
    let v = f.run.get("mkisofs_link");
    v.assert_success();
    assert!(v.stdout_str().contains("genisoimage"), "{}", v.describe());
}

#[test]
fn dvd_rw_mediainfo_names_tgts_blank_dvd_plus_r() {
    let o = fixture().run.get("mediainfo");
    o.assert_success();
    let t = o.stdout_str();
    assert!(
        t.contains("Mounted Media:") && t.contains("1Bh, DVD+R"),
        "{t}"
    );
    assert!(t.contains("Disc status:") && t.contains("blank"), "{t}");
}

#[test]
fn growisofs_burns_the_guests_image_to_tgts_dvd_plus_r() {
    let f = fixture();
    f.run.get("growisofs").assert_success();
    let m = f.run.get("g_md5");
    m.assert_success();
    let text = m.stdout_str();
    let mut words = text.split_whitespace();
    let md5 = words.next().unwrap().to_string();
    let size: usize = words.last().unwrap().parse().unwrap();
    assert!(
        f.backing.len() >= size,
        "backing {} < {size}",
        f.backing.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("burned");
    std::fs::write(&p, &f.backing[..size]).unwrap();
    let out = run_tool("md5sum", "coreutils", [p.to_str().unwrap()]).unwrap();
    let host = String::from_utf8_lossy(&out);
    assert_eq!(host.split_whitespace().next().unwrap(), md5);
}

#[test]
fn cdrskin_reads_qemus_toc() {
    let o = fixture().run.get("cdrskin_toc");
    o.assert_success();
    let t = o.stdout_str();
    assert!(t.contains("track:   1 lba:         0"), "{}", o.describe());
    assert!(t.contains("track:lout"), "{}", o.describe());
}

#[test]
fn dvd_rw_format_runs_and_leaves_a_cd_alone() {
    let o = fixture().run.get("format_cd");
    let t = o.stdout_str();
    assert!(t.contains("format utility"), "{}", o.describe());
    // a CD-ROM is no BD/DVD±RW: dvd+rw-format refuses it (its exit status stays 0)
    assert!(
        t.contains("mounted media doesn't appear to be"),
        "{}",
        o.describe()
    );
}
