//! Issue 17: the Windows build against real drives. In one guest, `discburn.exe` runs under
//! wine64 (a read-only erofs root with Wine and a prefix prepared on the host, see
//! `WineGuestRoot`) and reaches three SCSI drives through its SPTI backend, which Wine
//! carries out with SG_IO on the guest's `/dev/srN` (ntdll `cdrom.c`):
//! - D: QEMU's scsi-cd holding a genisoimage image;
//! - E: a blank BD-R and F: a blank CD-R, both `discburn serve` on the host over iSCSI;
//! - G: tgt's blank DVD+R (a private `tgtd` on the host's loopback, as the other guest tests
//!   attach it: QEMU's iSCSI initiator, the guest sees a SCSI CD/DVD drive).
//!
//! What is compared, each with the Linux build in the same guest on the same drive:
//! `scan` (b,t,l and identity; Windows lists the drive letters), `inquiry` (also with
//! `dev=\\.\E:` and `dev=0,1,0`), `media`, `toc`,
//! `msinfo`, `features`; `discburn.exe read` of D: equals the image; `discburn.exe add`
//! writes three sessions to E: and one each to F: and G:, the guest kernel mounts the last
//! session of E: and shows the merged tree, and G:'s one session; xorriso in the guest sees
//! three sessions on E:; `msinfo`, `toc` and `media` after the writes equal the Linux build's;
//! `cdrecord.exe dev=F: -msinfo` prints what wodim and the Linux cdrecord personality print.
//!
//! Seen on a loaded 2-core machine (load average 12 to 16): the root image built in about 60 s,
//! the guest ran in about 90 s with the four drives (each Windows program 0 to 4 s under TCG;
//! the first one, which starts Wine's services, about 20 s).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code; a failure fails the test

use std::time::Duration;

use discburn_tests::fixture::numbers_iso;
use discburn_tests::host::run_tool;
use discburn_tests::wine::WineGuestRoot;
use discburn_tests::{GuestRun, ServedDrives, TgtDisc, Vm};
use serde_json::Value;

/// Drive letter, SCSI id in the guest, and what it is.
const DRIVES: [(char, u8, &str); 4] = [
    ('D', 0, "scsi-cd"),
    ('E', 1, "served BD-R"),
    ('F', 2, "served CD-R"),
    ('G', 3, "tgt DVD+R"),
];

fn dev_name(id: u8) -> String {
    format!("$(ls /sys/bus/scsi/devices/*:0:{id}:0/block)")
}

/// `cmd` with its wall time on stderr (`took N s`), keeping its exit status.
fn timed(cmd: &str) -> String {
    format!("s=$(date +%s); {cmd}; rc=$?; echo \"took $(( $(date +%s) - s )) s\" >&2; exit $rc")
}

fn win(args: &str) -> String {
    timed(&WineGuestRoot::run_command("discburn.exe", args))
}

fn json(run: &GuestRun, name: &str) -> Value {
    let o = run.get(name);
    o.assert_success();
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{name}: {e}\n{}", o.describe()))
}

/// The JSON of a drive command without the `device` field (the name differs: `E:` against
/// `/dev/sr1`).
fn without_device(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        m.remove("device");
    }
    v
}

fn put(root: &std::path::Path, rel: &str, data: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

#[test]
fn windows_build_under_wine_drives_scsi_cd_served_bd_r_and_cd_r_and_tgt_dvd_plus_r() {
    let dir = tempfile::tempdir().unwrap();
    let iso = numbers_iso(dir.path(), "cd.iso", "WINECD").unwrap();
    let iso_md5 = String::from_utf8(run_tool("md5sum", "coreutils", [&iso]).unwrap()).unwrap()
        [..32]
        .to_string();
    for s in 1..=3 {
        let t = dir.path().join(format!("s{s}"));
        put(
            &t,
            &format!("session{s}.txt"),
            format!("session {s}\n").as_bytes(),
        );
        put(&t, "common/same.txt", b"in every session\n");
    }

    let letters: Vec<char> = DRIVES.iter().map(|d| d.0).collect();
    let t0 = std::time::Instant::now();
    let root = WineGuestRoot::build(&letters).unwrap();
    eprintln!(
        "wine guest root built in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let mut served =
        ServedDrives::start(&["profile=bd-r".into(), "profile=cd-r".into()], &[]).unwrap();
    let tgt = TgtDisc::blank_dvd_plus_r().unwrap();

    let mut vm = Vm::new();
    vm.cd(0, &iso)
        .iscsi(1, served.url(1))
        .iscsi(2, served.url(2))
        .iscsi(3, tgt.url())
        .root_image(root.image())
        .memory_mb(1024)
        .timeout(Duration::from_secs(1500));
    for s in 1..=3 {
        vm.host_tree(&format!("/data/s{s}"), dir.path().join(format!("s{s}")));
    }
    for (letter, id, _) in DRIVES {
        vm.named(
            &format!("map{letter}"),
            WineGuestRoot::map_command(letter, &dev_name(id)),
        );
    }
    vm.named(
        "trees",
        "cp -r /data/s1 /data/s2 /data/s3 /win/root/.wine/drive_c/ && ls /win/root/.wine/drive_c",
    );
    // The server stays up for all the Windows programs (and starts Wine's services once).
    vm.named(
        "wineserver",
        timed("HOME=/root WINEPREFIX=/root/.wine chroot /win /usr/lib/wine/wineserver64 -p"),
    );
    vm.named("win-version", win("--version"));
    vm.named("win-scan", win("-vv --json scan"));
    vm.named("lin-scan", "discburn --json scan");
    for (letter, id, _) in DRIVES {
        let d = format!("D=/dev/{}", dev_name(id));
        for what in ["inquiry", "media", "toc", "features"] {
            vm.named(
                &format!("win-{what}-{letter}"),
                win(&format!("--json --dev {letter}: {what}")),
            );
            vm.named(
                &format!("lin-{what}-{letter}"),
                format!("{d}; discburn --json --dev $D {what}"),
            );
        }
    }
    // dev= as Windows users write it: the letter (above), the device path and b,t,l.
    // (`\\.\CdRom0` is not tried: Wine's CdRom0 is its mount manager's device, which has
    // no Unix device behind it and refuses IOCTL_SCSI_PASS_THROUGH_DIRECT; Windows' own
    // class device takes it.)
    vm.named("win-path-E", win(r"--json --dev '\\.\E:' inquiry"));
    vm.named("win-btl-E", win("--json --dev 0,1,0 inquiry"));
    vm.named("win-read-D", win(r"--dev D: read -q -o 'C:\cd.iso'"));
    vm.named("md5-read-D", "md5sum /win/root/.wine/drive_c/cd.iso");
    for s in 1..=3 {
        vm.named(
            &format!("win-add-E-{s}"),
            win(&format!(r"--dev E: add -q 'C:\s{s}'")),
        );
    }
    vm.named("win-add-F", win(r"--dev F: add -q 'C:\s1'"));
    vm.named("win-add-G", win(r"--dev G: add -q 'C:\s2'"));
    for (letter, id, _) in &DRIVES[1..] {
        let d = format!("D=/dev/{}", dev_name(*id));
        vm.named(
            &format!("win-msinfo-{letter}"),
            win(&format!("--dev {letter}: msinfo")),
        );
        vm.named(
            &format!("lin-msinfo-{letter}"),
            format!("{d}; discburn --dev $D msinfo"),
        );
        for what in ["toc", "media"] {
            vm.named(
                &format!("win-{what}2-{letter}"),
                win(&format!("--json --dev {letter}: {what}")),
            );
            vm.named(
                &format!("lin-{what}2-{letter}"),
                format!("{d}; discburn --json --dev $D {what}"),
            );
        }
    }
    let e = format!("D=/dev/{}", dev_name(1));
    let f = format!("D=/dev/{}", dev_name(2));
    let g = format!("D=/dev/{}", dev_name(3));
    vm.named("xorriso-E", format!("{e}; xorriso -indev $D -toc 2>&1"));
    vm.named(
        "mount-E",
        // The sr driver read the blank disc's capacity at boot: the device is removed and
        // the bus scanned again, so the kernel sees the written disc as a new medium.
        format!(
            "H=$(ls -d /sys/bus/scsi/devices/*:0:1:0); echo 1 > $H/delete; \
             for h in /sys/class/scsi_host/host*; do echo '- - -' > $h/scan; done; sleep 1; \
             {e}; mkdir -p /mnt/e && mount -t iso9660 -o ro $D /mnt/e && ls -R /mnt/e && \
             cat /mnt/e/session1.txt /mnt/e/session3.txt"
        ),
    );
    vm.named(
        "mount-G",
        format!(
            "H=$(ls -d /sys/bus/scsi/devices/*:0:3:0); echo 1 > $H/delete; \
             for h in /sys/class/scsi_host/host*; do echo '- - -' > $h/scan; done; sleep 1; \
             {g}; mkdir -p /mnt/g && mount -t iso9660 -o ro $D /mnt/g && ls -R /mnt/g && \
             cat /mnt/g/session2.txt"
        ),
    );
    vm.named(
        "win-cdrecord-msinfo-F",
        timed(&WineGuestRoot::run_command(
            "cdrecord.exe",
            "dev=F: -msinfo",
        )),
    );
    vm.named(
        "lin-cdrecord-msinfo-F",
        format!("{f}; cdrecord dev=$D -msinfo"),
    );
    vm.named("wodim-msinfo-F", format!("{f}; wodim dev=$D -msinfo"));

    let run = vm.run();
    let status = served.stop();
    let run = run.unwrap();
    eprintln!("guest ran in {:.1} s", run.elapsed.as_secs_f64());
    for o in &run.outputs {
        let took = o
            .stderr_str()
            .lines()
            .rev()
            .find(|l| l.starts_with("took "))
            .map(str::to_owned);
        if let (Some(n), Some(t)) = (&o.name, took) {
            eprintln!("  {n}: {t}");
        }
    }
    assert!(
        status.unwrap().success(),
        "discburn serve: {}",
        served.log()
    );

    for (letter, _, _) in DRIVES {
        let o = run.get(&format!("map{letter}"));
        o.assert_success();
        assert!(
            o.stdout_str().starts_with("/dev/sr"),
            "{letter}: {}",
            o.describe()
        );
    }
    run.get("wineserver").assert_success();
    run.get("win-version").assert_success();

    // scan: the same b,t,l and identities; Windows names each drive by its letter.
    let ws = json(&run, "win-scan");
    let ls = json(&run, "lin-scan");
    let wd = ws["devices"].as_array().unwrap();
    let ld = ls["devices"].as_array().unwrap();
    assert_eq!(
        wd.len(),
        ld.len(),
        "windows scan {ws}\nlinux scan {ls}\n{}",
        run.get("win-scan").stderr_str()
    );
    for (w, l) in wd.iter().zip(ld) {
        for k in [
            "btl",
            "vendor",
            "product",
            "revision",
            "device_type",
            "removable",
            "type_words",
        ] {
            assert_eq!(w[k], l[k], "scan field {k}: windows {w}\nlinux {l}");
        }
        let target = w["target"].as_u64().unwrap();
        let letter = DRIVES.iter().find(|d| u64::from(d.1) == target).unwrap().0;
        assert_eq!(w["block"], Value::String(format!("{letter}:")), "{w}");
    }

    for (letter, _, what) in DRIVES {
        for cmd in ["inquiry", "media", "toc", "features"] {
            let w = run.get(&format!("win-{cmd}-{letter}"));
            let l = run.get(&format!("lin-{cmd}-{letter}"));
            assert_eq!(
                w.success(),
                l.success(),
                "{cmd} on {what}:\n{}\n{}",
                w.describe(),
                l.describe()
            );
            if !l.success() {
                // A blank disc has no TOC: both must refuse it alike.
                continue;
            }
            assert_eq!(
                without_device(json(&run, &format!("win-{cmd}-{letter}"))),
                without_device(json(&run, &format!("lin-{cmd}-{letter}"))),
                "{cmd} on {what} ({letter}:)"
            );
        }
    }

    let inquiry_e = without_device(json(&run, "win-inquiry-E"));
    for name in ["win-path-E", "win-btl-E"] {
        assert_eq!(without_device(json(&run, name)), inquiry_e, "{name}");
    }
    run.get("win-read-D").assert_success();
    let read = run.get("md5-read-D");
    read.assert_success();
    assert!(
        read.stdout_str().starts_with(&iso_md5),
        "read D: md5 {}\n{}",
        iso_md5,
        read.describe()
    );

    for s in 1..=3 {
        run.get(&format!("win-add-E-{s}")).assert_success();
    }
    run.get("win-add-F").assert_success();
    run.get("win-add-G").assert_success();
    for (letter, _, what) in &DRIVES[1..] {
        let w = run.get(&format!("win-msinfo-{letter}"));
        let l = run.get(&format!("lin-msinfo-{letter}"));
        if *letter == 'G' {
            // tgt takes one session: its CLOSE SESSION closes the disc (READ DISC
            // INFORMATION then says complete), so both builds refuse alike, as xorriso
            // does ("is closed"; see guest_diag).
            for o in [w, l] {
                assert_eq!(o.status, 1, "msinfo on {what}: {}", o.describe());
                assert!(
                    o.stderr_str().contains("disc is closed"),
                    "msinfo on {what}: {}",
                    o.describe()
                );
            }
        } else {
            w.assert_success();
            l.assert_success();
        }
        assert_eq!(w.stdout, l.stdout, "msinfo on {what}");
        for cmd in ["toc2", "media2"] {
            assert_eq!(
                without_device(json(&run, &format!("win-{cmd}-{letter}"))),
                without_device(json(&run, &format!("lin-{cmd}-{letter}"))),
                "{cmd} on {what}"
            );
        }
    }
    let toc = json(&run, "lin-toc2-E");
    let x = run.get("xorriso-E");
    x.assert_success();
    let sessions = x
        .stdout_str()
        .lines()
        .filter(|l| l.starts_with("ISO session"))
        .count();
    assert_eq!(
        sessions,
        3,
        "xorriso on the BD-R:\n{}\nour toc {toc}",
        x.describe()
    );
    let m = run.get("mount-E");
    m.assert_success();
    let listing = m.stdout_str();
    for name in [
        "session1.txt",
        "session2.txt",
        "session3.txt",
        "same.txt",
        "session 1",
        "session 3",
    ] {
        assert!(
            listing.contains(name),
            "{name} missing from the mounted BD-R:\n{listing}"
        );
    }

    // tgt's DVD+R: the one session the Windows build wrote, as the guest kernel mounts it,
    // and in tgt's backing file on the host (tgt writes LBA N at byte N * 2048).
    let m = run.get("mount-G");
    m.assert_success();
    let listing = m.stdout_str();
    for name in ["session2.txt", "same.txt", "session 2"] {
        assert!(
            listing.contains(name),
            "{name} missing from the mounted DVD+R:\n{listing}\ntgt log:\n{}",
            tgt.log()
        );
    }
    let backing = std::fs::read(tgt.backing_file()).unwrap();
    assert!(
        backing.len() > 17 * 2048 && &backing[16 * 2048 + 1..16 * 2048 + 6] == b"CD001",
        "tgt's backing file ({} bytes) holds no volume descriptor at LBA 16",
        backing.len()
    );

    let w = run.get("win-cdrecord-msinfo-F");
    let l = run.get("lin-cdrecord-msinfo-F");
    let wo = run.get("wodim-msinfo-F");
    w.assert_success();
    l.assert_success();
    wo.assert_success();
    assert_eq!(
        w.stdout_str().trim(),
        wo.stdout_str().trim(),
        "cdrecord.exe vs wodim -msinfo"
    );
    assert_eq!(
        w.stdout_str().trim(),
        l.stdout_str().trim(),
        "cdrecord.exe vs Linux cdrecord -msinfo"
    );
}
