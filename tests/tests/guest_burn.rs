//! Burning, checked by the guest kernel and through real SG_IO (TESTBED.md §1–2):
//! - five `discburn add` sessions on the emulated drive for every writable medium; the
//!   guest kernel's isofs mounts each session of each disc image (QEMU `scsi-cd`,
//!   `-o sbsector=`) and must see exactly the expected merged tree with the right bytes;
//! - in the guest, through SG_IO to tgt's blank DVD+R: `discburn burn` of an image (the
//!   backing file then equals the image byte for byte) and `discburn add` of a tree to a
//!   fresh blank DVD+R, read back by the guest kernel;
//! - the QEMU `scsi-hd` disk (device type 0) is refused and its content is unchanged.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use discburn_tests::host::{guest_binary, run_tool};
use discburn_tests::{TgtDisc, Vm};

const PROFILES: [&str; 8] = [
    "cd-r", "cd-rw", "dvd-r", "dvd+r", "dvd+r-dl", "bd-r", "dvd+rw", "bd-re",
];

fn put(root: &Path, rel: &str, data: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
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

/// `md5  ./path` lines, sorted, as the guest prints them.
fn listing(tree: &BTreeMap<String, Vec<u8>>) -> String {
    let mut lines: Vec<String> = tree
        .iter()
        .map(|(k, v)| format!("{}  ./{k}", md5(v)))
        .collect();
    lines.sort();
    lines.join("\n") + "\n"
}

/// Runs the (static, host-runnable) discburn on the host: `add --json`.
fn host_add(bin: &Path, dev: &str, remove: &[&str], src: &Path) -> serde_json::Value {
    let mut c = Command::new(bin);
    c.args(["add", "-q", "--json", "--dev", dev]);
    for r in remove {
        c.args(["--remove", r]);
    }
    let out = c.arg(src).output().unwrap();
    assert!(
        out.status.success(),
        "add failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Five sessions on `profile`; returns (session start, expected tree) per session.
fn five_sessions(bin: &Path, dir: &Path, profile: &str) -> Vec<(u32, BTreeMap<String, Vec<u8>>)> {
    let disc = dir.join("disc.img");
    let dev = format!("emu:{},profile={profile}", disc.display());
    let mut tree: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut out = Vec::new();
    for n in 1..=5u8 {
        let s = dir.join(format!("s{n}"));
        let name = format!("dir{}/f{n}.txt", n % 2);
        let body = format!("{profile} session {n}\n").repeat(usize::from(n) * 100);
        put(&s, &name, body.as_bytes());
        tree.insert(name, body.into_bytes());
        put(&s, "same.txt", format!("version {n}\n").as_bytes());
        tree.insert("same.txt".into(), format!("version {n}\n").into_bytes());
        let mut remove = Vec::new();
        if n == 4 {
            remove.push("dir0/f2.txt");
            tree.remove("dir0/f2.txt");
        }
        let j = host_add(bin, &dev, &remove, &s);
        let start = j["start"].as_u64().unwrap() as u32;
        out.push((start, tree.clone()));
    }
    // QEMU wants whole blocks; the emulated image is sparse and LBA-addressed already.
    let len = std::fs::metadata(&disc).unwrap().len();
    assert_eq!(len % 2048, 0);
    out
}

#[test]
fn guest_kernel_mounts_every_session_of_every_medium() {
    let bin = guest_binary().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut vm = Vm::new();
    let mut expected = Vec::new();
    for (id, profile) in PROFILES.iter().enumerate() {
        let d = dir.path().join(profile);
        std::fs::create_dir_all(&d).unwrap();
        let sessions = five_sessions(&bin, &d, profile);
        vm.cd(id as u8, d.join("disc.img"));
        for (n, (start, tree)) in sessions.into_iter().enumerate() {
            let name = format!("{profile}#{}", n + 1);
            vm.named(
                &name,
                format!(
                    "D=/dev/$(ls /sys/bus/scsi/devices/*:0:{id}:0/block); mkdir -p /m; \
                     mount -t iso9660 -o ro,sbsector={start} $D /m && \
                     (cd /m && find . -type f | sort | xargs md5sum | sort); umount /m"
                ),
            );
            expected.push((name, start, listing(&tree)));
        }
    }
    let run = vm
        .timeout(std::time::Duration::from_secs(300))
        .run()
        .unwrap();
    for (name, start, want) in expected {
        let o = run.get(&name);
        assert_eq!(
            o.stdout_str(),
            want,
            "{name} (sbsector {start}): {}",
            o.describe()
        );
    }
}

#[test]
fn guest_burns_and_adds_to_tgt_dvd_plus_r_and_refuses_a_disk() {
    let dir = tempfile::tempdir().unwrap();
    // The image to burn (genisoimage) and the tree to add.
    let tree = dir.path().join("tree");
    put(&tree, "hello.txt", b"hello from the guest\n");
    put(
        &tree,
        "sub/numbers.txt",
        (0..5000)
            .map(|i| format!("{i}\n"))
            .collect::<String>()
            .as_bytes(),
    );
    let iso = dir.path().join("img.iso");
    run_tool(
        "genisoimage",
        "genisoimage",
        [
            "-quiet",
            "-R",
            "-J",
            "-o",
            iso.to_str().unwrap(),
            tree.to_str().unwrap(),
        ],
    )
    .unwrap();
    let image = std::fs::read(&iso).unwrap();
    // A scsi-hd disk with known content.
    let disk = dir.path().join("disk.img");
    let disk_bytes: Vec<u8> = (0..4 << 20).map(|i: u32| (i % 251) as u8).collect();
    std::fs::write(&disk, &disk_bytes).unwrap();

    let burn_to = TgtDisc::blank_dvd_plus_r().unwrap();
    let add_to = TgtDisc::blank_dvd_plus_r().unwrap();
    let mut vm = Vm::new();
    vm.iscsi(0, burn_to.url())
        .iscsi(1, add_to.url())
        .disk(2, &disk)
        .host_file("/data/img.iso", &iso)
        .host_tree("/data/tree", &tree);
    let dev = |id: u8| format!("D=/dev/$(ls /sys/bus/scsi/devices/*:0:{id}:0/block)");
    vm.named(
        "burn",
        format!("{}; discburn --dev $D burn -q /data/img.iso", dev(0)),
    );
    vm.named(
        "add",
        format!("{}; discburn --json --dev $D add -q /data/tree", dev(1)),
    );
    // The sr driver read the blank disc's capacity at boot: remove the device and scan
    // the bus again so the kernel sees the written disc as a new medium.
    vm.named(
        "mount",
        format!(
            "{}; H=$(ls -d /sys/bus/scsi/devices/*:0:1:0); \
             echo 1 > $H/delete; for h in /sys/class/scsi_host/host*; do echo '- - -' > $h/scan; done; \
             sleep 1; {}; mkdir -p /m; mount -t iso9660 -o ro $D /m && \
             (cd /m && find . -type f | sort | xargs md5sum | sort); umount /m",
            dev(1),
            dev(1)
        ),
    );
    // While mounted, writing is refused (unless --force).
    vm.named(
        "mounted",
        format!(
            "{}; mkdir -p /m2; mount -t iso9660 -o ro $D /m2; \
             discburn --dev $D burn /data/img.iso; rc=$?; umount /m2; exit $rc",
            dev(1)
        ),
    );
    vm.named(
        "refuse",
        "G=/dev/$(ls /sys/bus/scsi/devices/*:0:2:0/scsi_generic); \
         discburn --dev $G burn /data/img.iso",
    );
    let run = vm
        .timeout(std::time::Duration::from_secs(300))
        .run()
        .unwrap();
    run.get("burn").assert_success();
    let backing = std::fs::read(burn_to.backing_file()).unwrap();
    assert!(
        backing.len() >= image.len() && backing[..image.len()] == image[..],
        "tgt's backing file ({} bytes) does not hold the image ({} bytes); tgt log:\n{}",
        backing.len(),
        image.len(),
        burn_to.log()
    );
    let a = run.get("add");
    a.assert_success();
    let mut want = BTreeMap::new();
    want.insert("hello.txt".to_string(), b"hello from the guest\n".to_vec());
    want.insert(
        "sub/numbers.txt".to_string(),
        (0..5000)
            .map(|i| format!("{i}\n"))
            .collect::<String>()
            .into_bytes(),
    );
    assert_eq!(
        run.get("mount").stdout_str(),
        listing(&want),
        "{}",
        run.get("mount").describe()
    );
    let m = run.get("mounted");
    assert_eq!(m.status, 1, "{}", m.describe());
    assert!(
        m.stderr_str().contains("is mounted on /m2"),
        "{}",
        m.describe()
    );
    let r = run.get("refuse");
    assert_eq!(r.status, 1, "{}", r.describe());
    assert!(
        r.stderr_str().contains("not a CD/DVD/BD drive"),
        "{}",
        r.describe()
    );
    assert!(
        std::fs::read(&disk).unwrap() == disk_bytes,
        "the disk was changed"
    );
}
