//! `discburn info`, `features`, `speeds`, `atip` (text and `--json`) and the cdrecord
//! personality's `-checkdrive`, `-prcap`, `-atip` on the emulated drive, cross-checked
//! against each other and against the drive's configuration (`buffer=`).
#![cfg(unix)] // reason: the emulated drive's files and the symlinked personality
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

mod common;

use std::path::Path;

use common::diag::{blank_disc, cdrecord, discburn, json_ok, text};
use serde_json::Value;

/// A new blank disc of `profile` in `dir`; returns the dev string (with `extra` options).
fn disc(dir: &Path, profile: &str, extra: &str) -> String {
    blank_disc(&dir.join(format!("{profile}.img")), profile, extra)
}

#[test]
fn info_reports_identity_buffer_capabilities_and_media() {
    let tmp = tempfile::tempdir().unwrap();
    let dev = disc(tmp.path(), "cd-r", ",buffer=2M");
    let v = json_ok(&dev, "info");
    assert_eq!(v["identity"]["device_type"], 5);
    assert!(!v["identity"]["vendor"].as_str().unwrap().is_empty());
    assert_eq!(v["buffer_bytes"], 2 * 1024 * 1024, "{v}");
    assert!(v["interface"].is_string(), "{v}");
    assert_eq!(v["current_medium"], "CD-R");
    assert_eq!(v["current_profile"], 9);
    assert_eq!(v["capabilities"]["flags"]["write_cd_r"], true);
    assert_eq!(v["capabilities"]["flags"]["read_cd_r"], true);
    let media = v["media"].as_array().unwrap();
    let cdr = media.iter().find(|m| m["code"] == 9).unwrap();
    assert_eq!(
        (&cdr["read"], &cdr["write"], &cdr["current"]),
        (&Value::Bool(true), &Value::Bool(true), &Value::Bool(true))
    );
    if let Some(rom) = media.iter().find(|m| m["code"] == 8) {
        assert_eq!(rom["write"], false, "a CD-ROM is never written");
    }
    assert!(v["unavailable"].as_array().unwrap().is_empty(), "{v}");

    let o = discburn(&["--dev", &dev, "info"]);
    let t = text(&o.stdout);
    let fw = v["identity"]["revision"].as_str().unwrap();
    assert!(t.contains(&format!("Firmware:       '{fw}'")), "{t}");
    assert!(
        t.contains("Buffer size:    2097152 bytes (2048 KiB)"),
        "{t}"
    );
    assert!(t.contains("Current medium: CD-R (0009h)"), "{t}");
    assert!(t.contains("Drive capabilities, per MMC-3 page 2A:"), "{t}");

    // cdrecord -checkdrive and -prcap
    let o = cdrecord(tmp.path(), &dev, "-checkdrive");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let t = text(&o.stdout);
    assert!(t.contains("Device type    : Removable CD-ROM\n"), "{t}");
    assert!(t.contains("Current: 0x0009 (CD-R)\n"), "{t}");
    assert!(t.contains("Profile: 0x0009 (CD-R) (current)\n"), "{t}");
    assert!(t.contains("Drive buf size : 2097152 = 2048 KB\n"), "{t}");
    let o = cdrecord(tmp.path(), &dev, "-prcap");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let t = text(&o.stdout);
    assert!(t.contains("  Does write CD-R media\n"), "{t}");
    assert!(t.contains("  Loading mechanism type: "), "{t}");
    assert!(t.contains("  Buffer size in KB: "), "{t}");
}

#[test]
fn features_are_all_decoded_with_the_current_ones_marked() {
    let tmp = tempfile::tempdir().unwrap();
    let dev = disc(tmp.path(), "dvd+r", "");
    let v = json_ok(&dev, "features");
    assert_eq!(v["current_profile"], 0x1B);
    let fs = v["features"].as_array().unwrap();
    let list = fs.iter().find(|f| f["code"] == 0).unwrap();
    assert_eq!(list["body"]["kind"], "ProfileList");
    let cur: Vec<&Value> = list["body"]["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["current"] == true)
        .collect();
    assert_eq!(cur.len(), 1, "{list}");
    let plus_r = fs
        .iter()
        .find(|f| f["code"] == 0x2B)
        .expect("DVD+R feature");
    assert_eq!(plus_r["current"], true);
    for f in fs {
        assert!(!f["name"].as_str().unwrap().is_empty(), "{f}");
        assert!(f["body"]["kind"].is_string(), "{f}");
    }
    let o = discburn(&["--dev", &dev, "features"]);
    let t = text(&o.stdout);
    assert!(t.contains("* 0000h Profile List"), "{t}");
    assert!(t.contains("* 002Bh "), "{t}");
    assert!(t.contains("      001Bh DVD+R (current)"), "{t}");
    assert!(
        t.contains(&format!("{} features (* = current)", fs.len())),
        "{t}"
    );
}

#[test]
fn speeds_for_the_loaded_medium() {
    let tmp = tempfile::tempdir().unwrap();
    let dev = disc(tmp.path(), "dvd+r", "");
    let v = json_ok(&dev, "speeds");
    assert_eq!(v["profile"], "DVD+R");
    assert_eq!(v["one_x_kbps"], 1385);
    let ws = v["write_speeds"].as_array().expect("GET PERFORMANCE 03h");
    assert!(!ws.is_empty());
    for w in ws {
        assert!(w["write_kbps"].as_u64().unwrap() >= 1385, "{w}");
    }
    let o = discburn(&["--dev", &dev, "speeds"]);
    let t = text(&o.stdout);
    assert!(t.contains("Medium:  DVD+R"), "{t}");
    assert!(
        t.contains("Write speeds (GET PERFORMANCE):\n  write "),
        "{t}"
    );
}

#[test]
fn atip_of_a_cd_r_matches_its_capacity_and_cdrecord_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let dev = disc(tmp.path(), "cd-r", "");
    let v = json_ok(&dev, "atip");
    let m = json_ok(&dev, "media");
    // the last possible lead-out start is where a blank disc's free space ends
    assert_eq!(
        v["atip"]["leadout_lba"], m["tracks"][0]["free_blocks"],
        "{v} {m}"
    );
    assert!(v["atip"]["leadin_lba"].as_i64().unwrap() < 0);
    assert_eq!(v["atip"]["erasable"], false);
    let o = cdrecord(tmp.path(), &dev, "-atip");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let t = text(&o.stdout);
    let lo = v["atip"]["leadout_lba"].as_i64().unwrap();
    let msf = v["leadout_msf"].as_str().unwrap();
    assert!(t.starts_with("ATIP info from disk:\n"), "{t}");
    assert!(
        t.contains(&format!("  ATIP start of lead out: {lo} ({msf})\n")),
        "{t}"
    );
    assert!(t.contains("  Is not erasable\n"), "{t}");
    let sub = v["atip"]["sub_type_name"].as_str().unwrap();
    let n = v["atip"]["sub_type"].as_u64().unwrap();
    assert!(
        t.contains(&format!("  Disk sub type: {sub} ({n})\n")),
        "{t}"
    );
    // the nine lines of cdrecord's ATIP block, in its order
    let keys: Vec<&str> = t.lines().map(|l| l.split(':').next().unwrap()).collect();
    let unrestricted = if v["atip"]["unrestricted"] == true {
        "  Is unrestricted"
    } else {
        "  Is not unrestricted"
    };
    assert_eq!(
        keys,
        [
            "ATIP info from disk",
            "  Indicated writing power",
            unrestricted,
            "  Is not erasable",
            "  Disk sub type",
            "  ATIP start of lead in",
            "  ATIP start of lead out",
            "Disk type",
            "Manuf. index",
            "Manufacturer"
        ]
    );
    assert!(t.contains("Manufacturer: "), "{t}");

    // a DVD has no ATIP: an error saying so
    let dvd = disc(tmp.path(), "dvd+r", "");
    let o = discburn(&["--dev", &dvd, "atip"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("no ATIP on DVD+R"),
        "{}",
        text(&o.stderr)
    );
}
