//! Issue 2, "What must be shown", in the guest: discburn's scan, inquiry, cdrecord-named
//! `-scanbus` and raw reads through Linux SG_IO, compared with sg3-utils and wodim run in
//! the same guest and with the image on the host; tgt's DVD+R seen as a CD/DVD device.
//!
//! One guest boot serves every test of this file: QEMU `scsi-cd` (a genisoimage image) at
//! target 0, `scsi-hd` at target 1 and tgt's blank DVD+R over iSCSI at target 2. Each
//! test asserts on its own commands' results.

#![cfg(unix)]
// reason: test code; helpers outside #[test] fns panic to fail the test
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use discburn_tests::host::run_tool;
use discburn_tests::peers::{parse_scanbus, parse_sg_inq};
use discburn_tests::{CmdOutput, GuestRun, TgtDisc, Vm};
use serde_json::Value;

/// Guest commands, in order; tests look their output up by these names.
const COMMANDS: &[(&str, &str)] = &[
    ("scan_json", "discburn --json scan"),
    ("scan_text", "discburn scan"),
    // sgN, its H:C:T:L, and its block device (if any) as sysfs tells.
    (
        "sysfs",
        "for s in /sys/class/scsi_generic/sg*; do \
         echo \"$(basename $s) $(basename $(readlink -f $s/device)) $(ls $s/device/block 2>/dev/null)\"; \
         done",
    ),
    ("sg_inq_0", "sg_inq /dev/sg0"),
    ("sg_inq_1", "sg_inq /dev/sg1"),
    ("sg_inq_2", "sg_inq /dev/sg2"),
    ("inq_btl_cd", "discburn --json --dev 0,0,0 inquiry"),
    ("inq_sr0", "discburn --json --dev /dev/sr0 inquiry"),
    ("inq_btl_disk", "discburn --json --dev 0,1,0 inquiry"),
    ("inq_sda", "discburn --json --dev /dev/sda inquiry"),
    ("cdrecord_scanbus", "cdrecord -scanbus"),
    ("wodim_scanbus", "wodim -scanbus"),
    // READ CAPACITY(10) and READ(10) of LBA 16, 2 blocks, by discburn's transport.
    ("raw_readcap", "discburn --json --dev /dev/sr0 raw 25000000000000000000 --in 8"),
    ("raw_read10", "discburn --json --dev /dev/sr0 raw 28000000001000000200 --in 4096"),
    // The same through sg3-utils, checking the test bed itself.
    ("sg_raw_read10", "sg_raw -r 4096 -o /tmp/r10.bin /dev/sr0 28 00 00 00 00 10 00 00 02 00 && cat /tmp/r10.bin"),
    ("sg_readcap", "sg_readcap /dev/sr0"),
    ("sg_get_config_tgt", "sg_get_config -c /dev/sg2"),
];

struct Fixture {
    run: GuestRun,
    image: Vec<u8>,
}

/// The one guest run of this file; a failure to boot is reported by every test (and the
/// guest is not booted again for each).
fn fixture() -> &'static Fixture {
    static F: OnceLock<Result<Fixture, String>> = OnceLock::new();
    discburn_tests::fixture::once(&F, boot)
}

fn boot() -> Fixture {
    {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("tree");
        std::fs::create_dir_all(tree.join("sub")).unwrap();
        let numbers: String = (0..5000).map(|i| format!("{i}\n")).collect();
        std::fs::write(tree.join("sub/numbers.txt"), numbers).unwrap();
        std::fs::write(tree.join("hello.txt"), b"hello from the host\n").unwrap();
        let iso: PathBuf = dir.path().join("disc.iso");
        let mut args = vec!["-quiet", "-R", "-J", "-V", "DISCBURN_TEST", "-o"];
        let iso_s = iso.to_str().unwrap().to_string();
        let tree_s = tree.to_str().unwrap().to_string();
        args.push(&iso_s);
        args.push(&tree_s);
        run_tool("genisoimage", "genisoimage", &args).unwrap();
        let image = std::fs::read(&iso).unwrap();
        let disk = dir.path().join("disk.img");
        std::fs::write(&disk, vec![0u8; 4 << 20]).unwrap();
        let tgt = TgtDisc::blank_dvd_plus_r().unwrap();
        let mut vm = Vm::new();
        vm.cd(0, &iso).disk(1, &disk).iscsi(2, tgt.url());
        for (name, c) in COMMANDS {
            vm.named(name, *c);
        }
        let run = vm.run().unwrap();
        eprintln!("guest run: {:.1} s", run.elapsed.as_secs_f64());
        drop(tgt);
        Fixture { run, image }
    }
}

fn out(name: &str) -> &'static CmdOutput {
    fixture().run.get(name)
}

fn json(name: &str) -> Value {
    let o = out(name);
    o.assert_success();
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", o.describe()))
}

/// `sgN -> (H:C:T:L, block device name)` from sysfs.
fn sysfs() -> BTreeMap<String, (String, Option<String>)> {
    let o = out("sysfs");
    o.assert_success();
    o.stdout_str()
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let sg = w.next()?.to_string();
            let hctl = w.next()?.to_string();
            Some((sg, (hctl, w.next().map(str::to_string))))
        })
        .collect()
}

fn devices() -> Vec<Value> {
    json("scan_json")["devices"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn device_with_sg<'a>(devs: &'a [Value], sg: &str) -> &'a Value {
    devs.iter()
        .find(|d| d["sg"].as_str() == Some(sg))
        .unwrap_or_else(|| panic!("discburn scan has no device with sg {sg}: {devs:#?}"))
}

#[test]
fn scan_lists_the_cd_and_the_disk_as_sg_inq_and_sysfs_report_them() {
    let devs = devices();
    let sys = sysfs();
    let wodim = parse_scanbus(&out("wodim_scanbus").assert_success().stdout_str());
    for (sg, inq_cmd, pdt) in [("/dev/sg0", "sg_inq_0", 5u8), ("/dev/sg1", "sg_inq_1", 0u8)] {
        let d = device_with_sg(&devs, sg);
        let inq = parse_sg_inq(&out(inq_cmd).assert_success().stdout_str());
        assert_eq!(inq.pdt, Some(pdt), "sg_inq {sg}");
        assert_eq!(d["vendor"].as_str(), Some(inq.vendor.as_str()), "{sg}: {d}");
        assert_eq!(
            d["product"].as_str(),
            Some(inq.product.as_str()),
            "{sg}: {d}"
        );
        assert_eq!(
            d["revision"].as_str(),
            Some(inq.revision.as_str()),
            "{sg}: {d}"
        );
        assert_eq!(d["device_type"].as_u64(), Some(u64::from(pdt)), "{sg}: {d}");
        assert_eq!(d["removable"].as_bool(), inq.rmb, "{sg}: {d}");
        // Node names and the OS address as the guest kernel's sysfs has them.
        let (hctl, block) = &sys[sg.trim_start_matches("/dev/")];
        assert_eq!(d["os_address"].as_str(), Some(hctl.as_str()), "{sg}: {d}");
        let want_block = block.as_ref().map(|b| format!("/dev/{b}"));
        assert_eq!(d["block"].as_str(), want_block.as_deref(), "{sg}: {d}");
        if pdt == 5 {
            assert!(
                d["block"]
                    .as_str()
                    .is_some_and(|b| b.starts_with("/dev/sr")),
                "{d}"
            );
        } else {
            assert!(
                d["block"]
                    .as_str()
                    .is_some_and(|b| b.starts_with("/dev/sd")),
                "{d}"
            );
        }
        // b,t,l as cdrecord numbers them: wodim in the same guest.
        let w = wodim
            .iter()
            .find(|w| w.vendor.trim_end() == inq.vendor && w.product.trim_end() == inq.product)
            .unwrap_or_else(|| panic!("wodim -scanbus does not list {sg}: {wodim:#?}"));
        assert_eq!(d["btl"].as_str(), Some(w.btl.as_str()), "{sg}: {d}");
        let btl: Vec<u64> = w.btl.split(',').map(|n| n.parse().unwrap()).collect();
        assert_eq!(
            [d["bus"].as_u64(), d["target"].as_u64(), d["lun"].as_u64()],
            [Some(btl[0]), Some(btl[1]), Some(btl[2])],
            "{d}"
        );
    }
    // The text form lists the same b,t,l and nodes.
    let text = out("scan_text").assert_success().stdout_str();
    for d in &devs {
        let line = format!(
            "{}\t{}\t",
            d["btl"].as_str().unwrap(),
            d["os_address"].as_str().unwrap()
        );
        assert!(text.contains(&line), "text scan lacks {line:?}:\n{text}");
    }
}

#[test]
fn inquiry_by_btl_and_by_device_path_reach_the_same_device() {
    let cd_btl = json("inq_btl_cd");
    let cd_path = json("inq_sr0");
    let disk_btl = json("inq_btl_disk");
    let disk_path = json("inq_sda");
    assert_eq!(cd_btl["standard"], cd_path["standard"]);
    assert_eq!(disk_btl["standard"], disk_path["standard"]);
    assert_ne!(
        cd_btl["standard"]["hex"], disk_btl["standard"]["hex"],
        "two devices, two answers"
    );
    assert_eq!(cd_btl["standard"]["device_type"].as_u64(), Some(5));
    assert_eq!(cd_btl["standard"]["product"].as_str(), Some("QEMU CD-ROM"));
    assert_eq!(disk_btl["standard"]["device_type"].as_u64(), Some(0));
    assert_eq!(
        disk_btl["standard"]["product"].as_str(),
        Some("QEMU HARDDISK")
    );
}

#[test]
fn cdrecord_named_scanbus_matches_wodim() {
    let ours = out("cdrecord_scanbus");
    let theirs = out("wodim_scanbus");
    theirs.assert_success();
    ours.assert_success();
    let a = parse_scanbus(&ours.stdout_str());
    let b = parse_scanbus(&theirs.stdout_str());
    assert_eq!(a.len(), 3, "{}", ours.describe());
    assert_eq!(
        a,
        b,
        "cdrecord -scanbus:\n{}\nwodim -scanbus:\n{}",
        ours.stdout_str(),
        theirs.stdout_str()
    );
    // The bus header line too.
    assert!(
        ours.stdout_str().lines().any(|l| l.trim() == "scsibus0:"),
        "{}",
        ours.describe()
    );
}

/// Data bytes of a `discburn raw --json` answer (`"data_hex"`), which must be GOOD.
fn raw_data(name: &str) -> Vec<u8> {
    let v = json(name);
    assert_eq!(v["status"].as_str(), Some("GOOD"), "{v}");
    let hex = v["data_hex"]
        .as_str()
        .unwrap_or_else(|| panic!("no \"data_hex\" string in {v}"));
    let hex: String = hex.chars().filter(|c| !c.is_whitespace()).collect();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn read_capacity_and_read10_through_the_transport_return_the_image() {
    let image = &fixture().image;
    let cap = raw_data("raw_readcap");
    assert_eq!(cap.len(), 8);
    let last_lba = u32::from_be_bytes(cap[0..4].try_into().unwrap());
    let block = u32::from_be_bytes(cap[4..8].try_into().unwrap());
    assert_eq!(block, 2048);
    assert_eq!(u64::from(last_lba) + 1, image.len() as u64 / 2048);
    let data = raw_data("raw_read10");
    assert_eq!(data.len(), 4096);
    assert!(
        data == image[16 * 2048..18 * 2048],
        "READ(10) LBA 16..17 differs from the image"
    );
}

#[test]
fn test_bed_sg3_utils_read_the_image_through_the_guest_kernel() {
    let image = &fixture().image;
    let r = out("sg_raw_read10");
    r.assert_success();
    assert!(
        r.stdout == image[16 * 2048..18 * 2048],
        "sg_raw READ(10) differs from the image"
    );
    assert_eq!(&r.stdout[1..6], b"CD001");
    let cap = out("sg_readcap").assert_success().stdout_str();
    let blocks = format!("Number of logical blocks={}", image.len() / 2048);
    assert!(cap.contains(&blocks), "{cap}");
}

#[test]
fn tgt_dvd_plus_r_is_a_removable_cd_dvd_device() {
    let inq = parse_sg_inq(&out("sg_inq_2").assert_success().stdout_str());
    assert_eq!(
        (inq.pdt, inq.rmb),
        (Some(5), Some(true)),
        "sg_inq /dev/sg2: {inq:?}"
    );
    assert_eq!(inq.vendor, "IET");
    let devs = devices();
    let d = device_with_sg(&devs, "/dev/sg2");
    assert_eq!(d["device_type"].as_u64(), Some(5), "{d}");
    assert_eq!(d["removable"].as_bool(), Some(true), "{d}");
    assert_eq!(d["vendor"].as_str(), Some("IET"), "{d}");
    assert_eq!(d["btl"].as_str(), Some("0,2,0"), "{d}");
    assert!(
        d["block"]
            .as_str()
            .is_some_and(|b| b.starts_with("/dev/sr")),
        "{d}"
    );
    // The medium is tgt's blank DVD+R (profile 001Bh), as sg_get_config reads it.
    let cfg = out("sg_get_config_tgt").assert_success().stdout_str();
    assert!(cfg.contains("Current profile: DVD+R"), "{cfg}");
}
