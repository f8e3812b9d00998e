//! Runs the built `discburn` binary: usage errors, `dev=` forms, missing and forbidden
//! devices, exit statuses, and the `cdrecord`/`wodim` personalities (a symlink named so).
#![cfg(unix)] // reason: symlinks, setpriv and /dev nodes are Unix things
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::{command, discburn, BIN};

fn run_as(bin: &Path, args: &[&str]) -> Output {
    command(bin).args(args).output().expect("run binary")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A temp dir holding a symlink to the binary under `name`.
fn personality(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let link = common::personality(dir.path(), name);
    (dir, link)
}

const BAD_DEVS: &[&str] = &[
    "1,2,3,4",
    "a,b,c",
    "0,,0",
    "sr0",
    "ATA:",
    "emu:",
    "emu:x,novalue",
    "-1,0,0",
];

#[test]
fn usage_errors_exit_2() {
    let o = discburn(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = discburn(&["--frobnicate", "scan"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--frobnicate"), "{}", stderr(&o));
    let o = discburn(&[]);
    assert_eq!(o.status.code(), Some(2));
    let o = discburn(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("inquiry") && stdout(&o).contains("--dev"));
}

#[test]
fn bad_dev_forms_exit_2_with_one_line_listing_the_forms() {
    for bad in BAD_DEVS {
        let o = discburn(&["--dev", bad, "inquiry"]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{bad}: {err}");
        assert!(err.contains(&format!("'{bad}'")), "{err}");
        assert!(
            err.contains("accepted forms: b,t,l | t,l | ATA:b,t,l | a device path")
                && err.contains("emu:PATH[,key=value...]"),
            "{err}"
        );
    }
    // The same from $CDR_DEVICE.
    let o = command(BIN)
        .args(["inquiry"])
        .env("CDR_DEVICE", "zz")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("invalid device 'zz'"), "{}", stderr(&o));
}

#[test]
fn missing_device_names_the_path_and_exits_1() {
    let o = discburn(&["--dev", "/dev/discburn-no-such-sr7", "inquiry"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("/dev/discburn-no-such-sr7: no such device"),
        "{}",
        stderr(&o)
    );
    // A b,t,l nobody has.
    let o = discburn(&["--dev", "97,15,7", "inquiry"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("97,15,7: no such device"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn non_scsi_node_and_emulated_drive_fail_with_exit_1() {
    let o = discburn(&["--dev", "/dev/null", "inquiry"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not a SCSI passthrough device"),
        "{}",
        stderr(&o)
    );
    // The emulated drive with an image in a directory that does not exist: whatever
    // the emulated drive's open says about it, it is a failure, not a usage error.
    let o = discburn(&["--dev", "emu:/nonexistent-discburn-dir/x.disc", "inquiry"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!stderr(&o).is_empty());
}

#[test]
fn permission_denied_says_root_or_group_membership() {
    use std::os::unix::fs::PermissionsExt;
    // A node owned by root:cdrom, mode 0600, opened as nobody: open(2) gives EACCES.
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let node = dir.path().join("sr9");
    std::fs::write(&node, b"").unwrap();
    std::fs::set_permissions(&node, std::fs::Permissions::from_mode(0o600)).unwrap();
    let group = "cdrom";
    let gid = std::fs::read_to_string("/etc/group")
        .unwrap()
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.first() == Some(&group)).then(|| f[2].parse::<u32>().unwrap())
        })
        .expect("group 'cdrom' in /etc/group (Debian base-passwd has it)");
    std::os::unix::fs::chown(&node, Some(0), Some(gid))
        .expect("chown needs root: run this test as root (as CI does)");
    // The binary must be reachable by nobody: copy it next to the node.
    let bin = dir.path().join("discburn");
    std::fs::copy(BIN, &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .args(["--dev", node.to_str().unwrap(), "inquiry"])
        .output()
        .expect("setpriv (util-linux) is needed: apt-get install util-linux");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("{}: permission denied", node.display())),
        "{err}"
    );
    assert!(
        err.contains("run as root or as a member of the group 'cdrom'"),
        "{err}"
    );
}

#[test]
fn scan_exits_0_and_json_has_devices() {
    let o = discburn(&["scan", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["devices"].is_array(), "{v}");
    let o = discburn(&["scan"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).starts_with("b,t,l\tH:C:T:L\tsg\tblock\t"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn cdrecord_personality() {
    for name in ["cdrecord", "wodim"] {
        let (_dir, bin) = personality(name);
        let o = run_as(&bin, &["-frobnicate"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).starts_with(&format!("{name}: Bad Option: -frobnicate")),
            "{}",
            stderr(&o)
        );
        let o = run_as(&bin, &["dev=a,b,c", "-inq"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("accepted forms"), "{}", stderr(&o));
        assert_eq!(stderr(&o).lines().count(), 1);
        let o = run_as(&bin, &["dev=/dev/discburn-no-such-sg9", "-inq"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(&o).contains("/dev/discburn-no-such-sg9: no such device"),
            "{}",
            stderr(&o)
        );
        let o = run_as(&bin, &[]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let o = run_as(&bin, &["-version"]);
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains("discburn"));
    }
    // -scanbus exits 0 with a listing when devices exist, 1 with "No target found." when not.
    let (_dir, bin) = personality("cdrecord");
    let o = run_as(&bin, &["-scanbus"]);
    match o.status.code() {
        Some(0) => assert!(stdout(&o).starts_with("scsibus"), "{}", stdout(&o)),
        Some(1) => assert!(stderr(&o).contains("No target found."), "{}", stderr(&o)),
        other => panic!("-scanbus exit {other:?}: {}", stderr(&o)),
    }
}

#[test]
fn genisoimage_name_builds_an_image_and_names_unknown_options() {
    let (dir, bin) = personality("genisoimage");
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::fs::write(tree.join("hello.txt"), b"hello\n").unwrap();
    let out = dir.path().join("x.iso");
    let o = run_as(
        &bin,
        &[
            "-R",
            "-J",
            "-o",
            out.to_str().unwrap(),
            tree.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let img = std::fs::read(&out).unwrap();
    assert!(img.len() >= 18 * 2048, "image too small: {}", img.len());
    assert_eq!(&img[16 * 2048 + 1..16 * 2048 + 6], b"CD001");
    // an unknown option is named in the error, usage exit code 2
    let o = run_as(&bin, &["-no-such-option", "-o", out.to_str().unwrap(), "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("-no-such-option"), "{}", stderr(&o));
}

#[test]
fn closed_stdout_ends_quietly_like_sigpipe() {
    let dir = tempfile::tempdir().unwrap();
    let dev = format!("emu:{},profile=bd-r", dir.path().join("d.disc").display());
    let mut child = command(BIN)
        .args(["media", "--dev", &dev])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // the reader goes away before the report is printed
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(141), "{}", stderr(&o));
    assert_eq!(stderr(&o), "", "no error message for a closed pipe");
}
