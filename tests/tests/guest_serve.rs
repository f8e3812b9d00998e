//! Issue 11, items 3 and 4: `discburn serve` as a drive for the guest. Two emulated discs
//! (a blank BD-R as LUN 1, a blank CD-R as LUN 2) served over iSCSI on a loopback port and
//! attached with QEMU's iSCSI initiator to `scsi-generic`, so every SCSI command the guest
//! sends through SG_IO reaches the emulator unchanged:
//! - the guest kernel sees two devices of type 5 with the emulator's INQUIRY strings;
//! - discburn in the guest reads `media`, adds a session to each disc (WRITE through
//!   Data-Out with immediate data, unsolicited data and R2T), then reads `msinfo`, `toc`
//!   and `media` again;
//! - after SIGTERM (exit 0, state recorded) the host's discburn on the same `emu:` discs
//!   gives the same msinfo as the guest did, and xorriso on the host reads the tree the
//!   guest wrote, byte for byte.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use discburn_tests::host::{guest_binary, run_tool};
use discburn_tests::{ServedDrives, Vm};

fn put(root: &Path, rel: &str, data: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

fn numbers() -> Vec<u8> {
    (0..60000)
        .map(|i| format!("{i}\n"))
        .collect::<String>()
        .into_bytes()
}

#[test]
fn guest_reads_and_writes_served_bd_r_and_cd_r() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    put(&tree, "hello.txt", b"hello through iSCSI\n");
    // 349 KiB: more than one R2T burst of QEMU's 256 KiB FirstBurstLength.
    put(&tree, "sub/numbers.txt", &numbers());

    // Served with CHAP: QEMU's initiator (libiscsi) logs in with the user and secret of the
    // URL (RFC 7143 §12.1.3 CHAP_A=5), as a user attaching a drive on another machine would.
    let mut served = ServedDrives::start(
        &["profile=bd-r".into(), "profile=cd-r".into()],
        &["--chap-user", "guest", "--chap-secret", "guest-secret-12"],
    )
    .unwrap();
    let chap = |n: usize| {
        served
            .url(n)
            .replacen("iscsi://", "iscsi://guest%guest-secret-12@", 1)
    };
    let mut vm = Vm::new();
    vm.iscsi(0, chap(1))
        .iscsi(1, chap(2))
        .host_tree("/data/tree", &tree);
    let dev = |id: u8| format!("D=/dev/$(ls /sys/bus/scsi/devices/*:0:{id}:0/block)");
    for id in 0..2u8 {
        let d = dev(id);
        vm.named(
            &format!("inquiry{id}"),
            format!("S=$(ls -d /sys/bus/scsi/devices/*:0:{id}:0); cat $S/type $S/vendor $S/model"),
        );
        vm.named(
            &format!("blank{id}"),
            format!("{d}; discburn --json --dev $D media"),
        );
        vm.named(
            &format!("add{id}"),
            format!("{d}; discburn --json --dev $D add -q /data/tree"),
        );
        vm.named(
            &format!("msinfo{id}"),
            format!("{d}; discburn --dev $D msinfo"),
        );
        vm.named(
            &format!("toc{id}"),
            format!("{d}; discburn --json --dev $D toc"),
        );
        vm.named(
            &format!("media{id}"),
            format!("{d}; discburn --json --dev $D media"),
        );
    }
    let run = vm
        .timeout(std::time::Duration::from_secs(300))
        .run()
        .unwrap();
    let status = served.stop().unwrap();
    let log = served.log();
    assert!(
        status.success(),
        "discburn serve ended with {status} after SIGTERM; log:\n{log}"
    );

    let bin = guest_binary().unwrap();
    let extract = dir.path().join("out");
    for (id, profile) in [(0u8, "BD-R"), (1, "CD-R")] {
        let lun = usize::from(id) + 1;
        let inq = run.get(&format!("inquiry{id}"));
        let mut lines = inq
            .stdout_str()
            .lines()
            .map(str::trim)
            .map(String::from)
            .collect::<Vec<_>>();
        lines.resize(3, String::new());
        assert_eq!(lines[0], "5", "device type (PDT 5): {}", inq.describe());
        assert_eq!(lines[1], "DISCBURN", "{}", inq.describe());
        let blank = run.get(&format!("blank{id}"));
        blank.assert_success();
        assert!(
            blank.stdout_str().contains(profile),
            "{profile}: {}",
            blank.describe()
        );
        assert!(
            blank.stdout_str().contains("\"blank\""),
            "{profile}: {}",
            blank.describe()
        );
        run.get(&format!("add{id}")).assert_success();
        let msinfo = run.get(&format!("msinfo{id}"));
        msinfo.assert_success();
        run.get(&format!("toc{id}")).assert_success();
        let media = run.get(&format!("media{id}"));
        media.assert_success();
        assert!(
            media.stdout_str().contains("\"appendable\""),
            "{profile}: {}",
            media.describe()
        );

        // The host's discburn on the disc the guest wrote gives the same numbers.
        let host = Command::new(&bin)
            .args(["--dev", &served.dev(lun), "msinfo"])
            .output()
            .unwrap();
        assert!(
            host.status.success(),
            "{}",
            String::from_utf8_lossy(&host.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&host.stdout),
            msinfo.stdout_str(),
            "{profile}: host and guest msinfo"
        );

        // xorriso reads the guest's session from the image file.
        let out = extract.join(profile);
        run_tool(
            "xorriso",
            "xorriso",
            [
                "-osirrox",
                "on",
                "-indev",
                served.image(lun).to_str().unwrap(),
                "-extract",
                "/",
                out.to_str().unwrap(),
            ],
        )
        .unwrap();
        assert_eq!(
            std::fs::read(out.join("hello.txt")).unwrap(),
            b"hello through iSCSI\n",
            "{profile}"
        );
        assert!(
            std::fs::read(out.join("sub/numbers.txt")).unwrap() == numbers(),
            "{profile}: numbers.txt differs"
        );
    }
    assert!(log.contains("logged in"), "{log}");
    assert!(!log.contains("login refused"), "QEMU's CHAP login: {log}");
}
