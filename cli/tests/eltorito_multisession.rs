//! El Torito boot information table (mkisofs `-boot-info-table`: bytes 8..64 of a boot
//! image hold the PVD's block, the image's block, its length and a checksum) in a second
//! session built with `discburn mkisofs -C -M` on an image file.
//!
//! A boot image whose extent would be kept from the first session (unchanged, or present
//! only in the previous session's tree) still carries the first session's table; with
//! `-boot-info-table` it has to be written again in the new session and patched for it,
//! which is what genisoimage ends up doing (it patches the source file in place, so the
//! next session finds it changed and writes it anew). Checked by reading the tables back
//! through each session's boot record and catalog (El Torito §2.0, §2.2), with
//! `isoinfo -d -T` and `xorriso -report_el_torito plain`, and against genisoimage's
//! two-session build of the same tree.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{command, need, ok, BIN};

/// Which mkisofs runs a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Ours,
    Genisoimage,
}

fn mkisofs(tool: Tool, args: &[&str], tree: &Path, out: &Path) -> Output {
    let mut c = match tool {
        Tool::Ours => {
            let mut c = command(BIN);
            c.arg("mkisofs");
            c
        }
        Tool::Genisoimage => {
            let mut c = Command::new(need("genisoimage", "genisoimage"));
            c.args(["-input-charset", "utf-8"]);
            c
        }
    };
    c.args(["-quiet", "-o"])
        .arg(out)
        .args(args)
        .arg(tree)
        .output()
        .unwrap()
}

/// The boot options of both sessions.
const BOOT: [&str; 6] = [
    "-b",
    "boot/isolinux.bin",
    "-c",
    "boot/boot.cat",
    "-no-emul-boot",
    "-boot-info-table",
];

/// Length of the test boot image: a multiple of 4 (mkisofs sums whole words) but not of
/// 2048, so the padding of the last block must stay out of the length and the sum.
const IMAGE_LEN: usize = 10_000;

/// A boot image of recognisable bytes (no table yet: bytes 8..64 hold a pattern too).
fn image_bytes() -> Vec<u8> {
    (0..IMAGE_LEN as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

/// Session-1 tree: the boot image and a file.
fn tree1(dir: &Path) -> PathBuf {
    let t = dir.join("tree1");
    fs::create_dir_all(t.join("boot")).unwrap();
    fs::write(t.join("boot/isolinux.bin"), image_bytes()).unwrap();
    fs::write(t.join("first.txt"), b"session one\n").unwrap();
    t
}

/// mkisofs's boot information table checksum: the 32-bit sum of the little-endian words
/// of the image from byte 64 (the last word zero-padded).
fn checksum(image: &[u8]) -> u32 {
    image[64..].chunks(4).fold(0u32, |s, c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        s.wrapping_add(u32::from_le_bytes(w))
    })
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// The default entry's boot image of the session starting at `start` in `disc`: (its
/// block, its first `len` bytes), found through that session's boot record (block
/// start+17) and catalog.
fn boot_image(disc: &[u8], start: u32, len: usize) -> (u32, Vec<u8>) {
    let br = &disc[(start as usize + 17) * 2048..][..2048];
    assert_eq!(&br[..7], b"\0CD001\x01", "session at {start}: block 17");
    assert_eq!(&br[7..30], b"EL TORITO SPECIFICATION", "session at {start}");
    let cat = le32(br, 0x47) as usize;
    let c = &disc[cat * 2048..][..2048];
    assert_eq!((c[0], c[30], c[31]), (1, 0x55, 0xAA), "catalog at {cat}");
    let lba = le32(c, 40);
    (lba, disc[lba as usize * 2048..][..len].to_vec())
}

/// The table of `image`: (PVD block, image block, length, checksum).
fn table(image: &[u8]) -> (u32, u32, u32, u32) {
    (
        le32(image, 8),
        le32(image, 12),
        le32(image, 16),
        le32(image, 20),
    )
}

/// Checks that `image` (found at `lba`) carries a table for the session at `start` and is
/// otherwise the source image.
fn assert_table(who: &str, image: &[u8], lba: u32, start: u32) {
    let src = image_bytes();
    assert_eq!(
        table(image),
        (start + 16, lba, IMAGE_LEN as u32, checksum(&src)),
        "{who}: boot information table (PVD, file LBA, length, checksum)"
    );
    assert_eq!(&image[..8], &src[..8], "{who}: bytes 0..8 of the image");
    assert!(
        image[24..64].iter().all(|&b| b == 0),
        "{who}: reserved bytes 24..64"
    );
    assert_eq!(&image[64..], &src[64..], "{who}: image bytes from 64 on");
}

/// Builds session 1 from `t1` (`args1`) and session 2 from `t2` with `-C 0,next -M`
/// (`args2`), appends session 2 to the disc file and returns (disc bytes, next).
fn two_sessions(
    tool: Tool,
    dir: &Path,
    t1: &Path,
    args1: &[&str],
    t2: &Path,
    args2: &[&str],
) -> (PathBuf, Vec<u8>, u32) {
    let disc = dir.join(format!("{tool:?}-disc.iso"));
    ok(
        &format!("{tool:?} session 1"),
        &mkisofs(tool, args1, t1, &disc),
    );
    let next = (fs::metadata(&disc).unwrap().len() / 2048) as u32;
    let part = dir.join(format!("{tool:?}-s2.iso"));
    let c = format!("0,{next}");
    let m = disc.to_string_lossy().into_owned();
    let mut a: Vec<&str> = vec!["-C", &c, "-M", &m];
    a.extend_from_slice(args2);
    ok(
        &format!("{tool:?} session 2"),
        &mkisofs(tool, &a, t2, &part),
    );
    let mut bytes = fs::read(&disc).unwrap();
    bytes.extend_from_slice(&fs::read(&part).unwrap());
    fs::write(&disc, &bytes).unwrap();
    (disc, bytes, next)
}

/// xorriso's `El Torito boot img` LBA and whether it reports `boot-info-table`, for the
/// session at `start`.
fn xorriso_boot(disc: &Path, start: u32) -> (u32, bool) {
    let o = Command::new(need("xorriso", "xorriso"))
        .args(["-load", "sbsector", &start.to_string(), "-indev"])
        .arg(disc)
        .args(["-report_el_torito", "plain"])
        .output()
        .unwrap();
    ok("xorriso -report_el_torito", &o);
    let text = String::from_utf8_lossy(&o.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("El Torito boot img :"))
        .unwrap_or_else(|| panic!("xorriso found no boot image at {start}: {text}"));
    let lba = line.split_whitespace().last().unwrap().parse().unwrap();
    let opts = text
        .lines()
        .any(|l| l.starts_with("El Torito img opts :") && l.contains("boot-info-table"));
    (lba, opts)
}

/// `isoinfo -d -T start`: the default entry's "Bootoff" block of the session at `start`.
fn isoinfo_bootoff(disc: &Path, start: u32) -> u32 {
    let o = Command::new(need("isoinfo", "genisoimage"))
        .args(["-d", "-i"])
        .arg(disc)
        .args(["-T", &start.to_string()])
        .output()
        .unwrap();
    ok("isoinfo -d", &o);
    let text = String::from_utf8_lossy(&o.stdout);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("Bootoff"))
        .unwrap_or_else(|| panic!("isoinfo shows no boot image at {start}: {text}"));
    // "Bootoff CD 205": hexadecimal, then decimal.
    line.split_whitespace().last().unwrap().parse().unwrap()
}

/// Session 2 adds only a new file: the boot image lives in session 1's tree alone, so its
/// extent would be kept; with -boot-info-table it is copied into session 2 and patched
/// for it, and session 1's copy keeps session 1's table. (genisoimage cannot build this
/// one: it finds neither the catalog directory nor the image outside its source tree.)
#[test]
fn boot_image_only_in_the_previous_session_is_copied_and_patched() {
    let tmp = tempfile::tempdir().unwrap();
    let t1 = tree1(tmp.path());
    let t2 = tmp.path().join("tree2");
    fs::create_dir_all(&t2).unwrap();
    fs::write(t2.join("second.txt"), b"session two\n").unwrap();
    let mut a = vec!["-R"];
    a.extend_from_slice(&BOOT);
    let (disc, bytes, next) = two_sessions(Tool::Ours, tmp.path(), &t1, &a, &t2, &a);

    let (lba1, img1) = boot_image(&bytes, 0, IMAGE_LEN);
    assert_table("session 1", &img1, lba1, 0);
    let (lba2, img2) = boot_image(&bytes, next, IMAGE_LEN);
    assert!(
        lba2 >= next,
        "session 2's boot image should be written in session 2 (from {next}), is at {lba2}"
    );
    assert_table("session 2", &img2, lba2, next);
    assert_eq!(
        xorriso_boot(&disc, next),
        (lba2, true),
        "xorriso, session 2"
    );
    assert_eq!(xorriso_boot(&disc, 0), (lba1, true), "xorriso, session 1");
    assert_eq!(isoinfo_bootoff(&disc, next), lba2, "isoinfo, session 2");
    // The file in session 2's directory is the copy the catalog names.
    let o = Command::new(need("isoinfo", "genisoimage"))
        .args(["-i"])
        .arg(&disc)
        .args(["-T", &next.to_string(), "-R", "-x", "/boot/isolinux.bin"])
        .output()
        .unwrap();
    ok("isoinfo -x", &o);
    assert_eq!(o.stdout, img2, "isoinfo -x /boot/isolinux.bin in session 2");
}

/// The same tree in both sessions, the first one without -boot-info-table: the source
/// image then equals its session-1 extent byte for byte (nothing patched it), which used
/// to keep that extent, table-less, under a catalog that asks for a table.
#[test]
fn unchanged_image_gets_its_first_table_in_session_2() {
    let tmp = tempfile::tempdir().unwrap();
    let t1 = tree1(tmp.path());
    let plain = &BOOT[..5];
    let mut a1 = vec!["-R"];
    a1.extend_from_slice(plain);
    let mut a2 = vec!["-R"];
    a2.extend_from_slice(&BOOT);
    let (disc, bytes, next) = two_sessions(Tool::Ours, tmp.path(), &t1, &a1, &t1, &a2);
    let (lba1, img1) = boot_image(&bytes, 0, IMAGE_LEN);
    assert_eq!(img1, image_bytes(), "session 1's image is not patched");
    let (lba2, img2) = boot_image(&bytes, next, IMAGE_LEN);
    assert_ne!(lba2, lba1, "session 2's image keeps session 1's extent");
    assert_table("session 2", &img2, lba2, next);
    assert_eq!(
        xorriso_boot(&disc, next),
        (lba2, true),
        "xorriso, session 2"
    );
}

/// Both tools build the same two sessions (the same tree, a file added for session 2,
/// the same boot options; separate copies of the tree, as genisoimage patches the source
/// image in place): each writes session 2's image in session 2 with a table naming
/// session 2's PVD and the image's own block, and both tables agree in length and
/// checksum. No Rock Ridge: genisoimage 1.1.11 with -R refuses the second session
/// ("'(null)' and 'boot/boot.cat' have the same Rock Ridge name").
#[test]
fn second_session_table_as_genisoimage_writes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut tables = Vec::new();
    for tool in [Tool::Genisoimage, Tool::Ours] {
        let d = tmp.path().join(format!("{tool:?}"));
        fs::create_dir_all(&d).unwrap();
        let t = tree1(&d);
        let disc = d.join("disc.iso");
        ok(
            &format!("{tool:?} session 1"),
            &mkisofs(tool, &BOOT, &t, &disc),
        );
        let next = (fs::metadata(&disc).unwrap().len() / 2048) as u32;
        fs::write(t.join("second.txt"), b"session two\n").unwrap();
        let part = d.join("s2.iso");
        let c = format!("0,{next}");
        let m = disc.to_string_lossy().into_owned();
        let mut a: Vec<&str> = vec!["-C", &c, "-M", &m];
        a.extend_from_slice(&BOOT);
        ok(
            &format!("{tool:?} session 2"),
            &mkisofs(tool, &a, &t, &part),
        );
        let mut bytes = fs::read(&disc).unwrap();
        bytes.extend_from_slice(&fs::read(&part).unwrap());
        fs::write(&disc, &bytes).unwrap();

        let (lba1, img1) = boot_image(&bytes, 0, IMAGE_LEN);
        assert_table(&format!("{tool:?} session 1"), &img1, lba1, 0);
        let (lba2, img2) = boot_image(&bytes, next, IMAGE_LEN);
        assert!(
            lba2 >= next,
            "{tool:?}: session 2's boot image should be in session 2 (from {next}), is at \
             {lba2}"
        );
        assert_table(&format!("{tool:?} session 2"), &img2, lba2, next);
        assert_eq!(isoinfo_bootoff(&disc, next), lba2, "{tool:?}: isoinfo");
        assert_eq!(xorriso_boot(&disc, next), (lba2, true), "{tool:?}: xorriso");
        let (pvd, file, len, sum) = table(&img2);
        tables.push((pvd - next, file - next, len, sum));
    }
    // PVD relative to the session, length and checksum agree; where in the session the
    // image lands is each tool's layout.
    let strip = |t: (u32, u32, u32, u32)| (t.0, t.2, t.3);
    assert_eq!(
        strip(tables[1]),
        strip(tables[0]),
        "ours vs genisoimage: (PVD - session start, length, checksum)"
    );
}
