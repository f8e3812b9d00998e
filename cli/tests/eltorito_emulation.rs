//! El Torito boot media emulation (El Torito 1.0 §2.2 boot media type, load segment,
//! system type, sector count) in `discburn mkisofs`, against real peers:
//! - the boot catalog genisoimage writes for the same tree and options, entry by entry
//!   (everything but the images' LBAs), and what `xorriso -report_el_torito` reads back;
//! - wrong floppy sizes and bad hard-disk images refused as mkisofs refuses them;
//! - SeaBIOS in QEMU booting each kind of entry from our catalog: a diskette, a hard disk
//!   and a no-emulation image, each printing its marker on COM1.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code

mod common;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{command, need, ok, BIN};

fn ours(args: &[&str], tree: &Path, out: &Path) -> Output {
    command(BIN)
        .arg("mkisofs")
        .args(["-quiet", "-o"])
        .arg(out)
        .args(args)
        .arg(tree)
        .output()
        .unwrap()
}

fn genisoimage(args: &[&str], tree: &Path, out: &Path) -> Output {
    Command::new(need("genisoimage", "genisoimage"))
        .args(["-quiet", "-input-charset", "utf-8", "-o"])
        .arg(out)
        .args(args)
        .arg(tree)
        .output()
        .unwrap()
}

// ---------------------------------------------------------------------------------------
// Boot images.

/// Offset of the marker text in a boot sector made by [`boot_code`] (right after the code).
const MSG_AT: usize = 0x1D;

/// 16-bit real-mode x86 code, assembled by hand, that writes the NUL-terminated text at
/// `msg` (an offset from the code's first byte) to COM1 and then exits QEMU through its
/// `isa-debug-exit` device at port F4h (QEMU's exit status becomes (10h << 1) | 1 = 33).
/// Position independent: it finds its own address with CALL/POP and reads through CS, so
/// it runs at 07C0:0000 as well as 0000:7C00.
fn boot_code(msg: u16) -> Vec<u8> {
    let [lo, hi] = (msg - 5).to_le_bytes(); // SI holds the address of offset 05h
    let code: [&[u8]; 15] = [
        &[0xFA],               // 00  cli
        &[0xFC],               // 01  cld
        &[0xE8, 0x00, 0x00],   // 02  call 05h (pushes the address of 05h)
        &[0x5E],               // 05  pop si
        &[0x81, 0xC6, lo, hi], // 06  add si, msg-5
        &[0xBA, 0xF8, 0x03],   // 0A  mov dx, 3F8h (COM1 data register)
        &[0x2E, 0xAC],         // 0D  cs lodsb (al = cs:[si], si += 1)
        &[0x84, 0xC0],         // 0F  test al, al
        &[0x74, 0x03],         // 11  jz 16h (end of text)
        &[0xEE],               // 13  out dx, al
        &[0xEB, 0xF7],         // 14  jmp 0Dh
        &[0xB0, 0x10],         // 16  mov al, 10h
        &[0xE6, 0xF4],         // 18  out F4h, al (isa-debug-exit)
        &[0xF4],               // 1A  hlt
        &[0xEB, 0xFD],         // 1B  jmp 1Ah
    ];
    let c = code.concat();
    assert_eq!(c.len(), MSG_AT);
    c
}

/// A boot sector of `size` bytes: [`boot_code`], the marker right after it, 55AAh.
fn with_marker(size: usize, marker: &str, msg_at: usize) -> Vec<u8> {
    let mut v = vec![0u8; size];
    let code = boot_code(msg_at as u16);
    v[..code.len()].copy_from_slice(&code);
    let text = format!("{marker}\r\n\0");
    v[msg_at..msg_at + text.len()].copy_from_slice(text.as_bytes());
    v[510] = 0x55;
    v[511] = 0xAA;
    v
}

/// A diskette image of `size` bytes whose boot sector prints `marker`.
fn floppy(size: usize, marker: &str) -> Vec<u8> {
    with_marker(size, marker, MSG_AT)
}

/// A 1008-sector hard-disk image (1 cylinder, 16 heads, 63 sectors per track) whose MBR
/// prints `marker` and holds one active partition of type `ptype` in slot 0 from CHS
/// 0/1/1 to 0/15/63 (LBA 63, 945 sectors): SeaBIOS takes the emulated disk's geometry
/// from that entry's end CHS, genisoimage the system type from its type byte.
fn hard_disk(marker: &str, ptype: u8) -> Vec<u8> {
    let mut v = with_marker(1008 * 512, marker, MSG_AT);
    let entry: [u8; 16] = [
        0x80, // active
        1, 1, 0, // start: head 1, sector 1, cylinder 0
        ptype, 15, 63, 0, // type; end: head 15, sector 63, cylinder 0
        63, 0, 0, 0, // first LBA
        0xB1, 0x03, 0, 0, // 945 sectors
    ];
    v[446..462].copy_from_slice(&entry);
    v
}

/// A no-emulation image of 8 KiB whose code is in its first 512 bytes and whose marker is
/// at byte `msg_at`: it prints only if the BIOS loaded that far. (SeaBIOS reads whole
/// 2048-byte CD blocks: the sector count 4 loads bytes 0..2048, 5 to 8 load 0..4096.)
fn no_emulation(marker: &str, msg_at: usize) -> Vec<u8> {
    with_marker(8192, marker, msg_at)
}

// ---------------------------------------------------------------------------------------
// Reading the catalog back without our library: El Torito §2.0 boot record at block 17,
// §2.1-§2.4 entries.

/// The 2048-byte boot catalog of `iso`, found through the boot record volume descriptor.
fn catalog(iso: &Path) -> Vec<u8> {
    let d = fs::read(iso).unwrap();
    let br = &d[17 * 2048..18 * 2048];
    assert_eq!(&br[..7], b"\0CD001\x01", "{}: block 17", iso.display());
    assert_eq!(&br[7..30], b"EL TORITO SPECIFICATION", "{}", iso.display());
    let lba = u32::from_le_bytes(br[0x47..0x4B].try_into().unwrap()) as usize;
    d[lba * 2048..(lba + 1) * 2048].to_vec()
}

/// One initial/default or section entry, the LBA left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    /// Platform of its section (validation entry for the default entry).
    platform: u8,
    boot_indicator: u8,
    media_type: u8,
    load_segment: u16,
    system_type: u8,
    sector_count: u16,
}

/// The entries of a catalog, default entry first; checks the validation entry.
fn entries(cat: &[u8]) -> Vec<Entry> {
    assert_eq!(
        (cat[0], cat[30], cat[31]),
        (1, 0x55, 0xAA),
        "validation entry"
    );
    let sum = cat[..32].chunks(2).fold(0u16, |s, c| {
        s.wrapping_add(u16::from_le_bytes([c[0], c[1]]))
    });
    assert_eq!(sum, 0, "validation entry checksum");
    let e = |platform: u8, b: &[u8]| Entry {
        platform,
        boot_indicator: b[0],
        media_type: b[1],
        load_segment: u16::from_le_bytes([b[2], b[3]]),
        system_type: b[4],
        sector_count: u16::from_le_bytes([b[6], b[7]]),
    };
    let mut out = vec![e(cat[1], &cat[32..64])];
    let mut at = 64;
    while matches!(cat[at], 0x90 | 0x91) {
        let last = cat[at] == 0x91;
        let platform = cat[at + 1];
        let n = u16::from_le_bytes([cat[at + 2], cat[at + 3]]);
        at += 32;
        for _ in 0..n {
            out.push(e(platform, &cat[at..at + 32]));
            at += 32;
        }
        if last {
            break;
        }
    }
    out
}

/// The catalog with every entry's load RBA (bytes 8..12) zeroed: what two writers that
/// place the images at different blocks still have to agree on byte for byte.
fn without_lbas(cat: &[u8]) -> Vec<u8> {
    let mut c = cat.to_vec();
    let mut at = 32;
    let zero = |c: &mut Vec<u8>, at: usize| c[at + 8..at + 12].fill(0);
    zero(&mut c, at);
    at += 32;
    while matches!(c[at], 0x90 | 0x91) {
        let last = c[at] == 0x91;
        let n = u16::from_le_bytes([c[at + 2], c[at + 3]]);
        at += 32;
        for _ in 0..n {
            zero(&mut c, at);
            at += 32;
        }
        if last {
            break;
        }
    }
    c
}

/// xorriso's view of the entries: (bootable y/n, emulation name, load segment, partition
/// type, load size) per `El Torito boot img` line.
fn xorriso_report(iso: &Path) -> Vec<(String, String, String, String, String)> {
    let o = Command::new(need("xorriso", "xorriso"))
        .args(["-indev"])
        .arg(iso)
        .args(["-report_el_torito", "plain"])
        .output()
        .unwrap();
    ok("xorriso -report_el_torito", &o);
    let text = String::from_utf8_lossy(&o.stdout);
    text.lines()
        .filter_map(|l| l.strip_prefix("El Torito boot img :"))
        .map(|l| {
            // N Pltf B Emul Ld_seg Hdpt Ldsiz LBA
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 8, "unexpected xorriso line {l:?}");
            (
                f[2].to_string(),
                f[3].to_string(),
                f[4].to_string(),
                f[5].to_string(),
                f[6].to_string(),
            )
        })
        .collect()
}

/// The source tree: diskettes of the three sizes, a hard disk (partition type 06h), a
/// no-emulation image of 3000 bytes (not a multiple of 512) and two of 8 KiB.
fn tree(dir: &Path) -> PathBuf {
    let t = dir.join("tree");
    fs::create_dir_all(t.join("boot")).unwrap();
    fs::write(t.join("boot/f12.img"), floppy(1_228_800, "F12")).unwrap();
    fs::write(t.join("boot/f144.img"), floppy(1_474_560, "F144")).unwrap();
    fs::write(t.join("boot/f288.img"), floppy(2_949_120, "F288")).unwrap();
    fs::write(t.join("boot/hd.img"), hard_disk("HD", 0x06)).unwrap();
    fs::write(t.join("boot/odd.bin"), vec![0x90u8; 3000]).unwrap();
    fs::write(t.join("boot/ne.bin"), no_emulation("NE", 1536)).unwrap();
    fs::write(t.join("boot/ne2.bin"), no_emulation("SECOND-BLOCK", 2560)).unwrap();
    fs::write(t.join("readme.txt"), b"El Torito emulation test\n").unwrap();
    t
}

/// Builds `args` with genisoimage and with us and checks that both catalogs agree byte for
/// byte apart from the images' LBAs, that the entries are `want`, and that xorriso reads
/// our catalog as `xorriso_want` (emulation names per entry).
fn compare(dir: &Path, t: &Path, name: &str, args: &[&str], want: &[Entry], xorriso_want: &[&str]) {
    let theirs = dir.join(format!("{name}-genisoimage.iso"));
    let mine = dir.join(format!("{name}-ours.iso"));
    ok(
        &format!("genisoimage {args:?}"),
        &genisoimage(args, t, &theirs),
    );
    ok(&format!("discburn mkisofs {args:?}"), &ours(args, t, &mine));
    let (ct, co) = (catalog(&theirs), catalog(&mine));
    let (et, eo) = (entries(&ct), entries(&co));
    assert_eq!(
        et, want,
        "{name}: genisoimage's entries are not what the test expects"
    );
    assert_eq!(eo, et, "{name}: our entries differ from genisoimage's");
    assert_eq!(
        without_lbas(&co),
        without_lbas(&ct),
        "{name}: the catalogs differ beyond the image LBAs"
    );
    let rep = xorriso_report(&mine);
    let emul: Vec<&str> = rep.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(
        emul, xorriso_want,
        "{name}: xorriso -report_el_torito: {rep:?}"
    );
    for (r, e) in rep.iter().zip(want) {
        let bootable = if e.boot_indicator == 0x88 { "y" } else { "n" };
        assert_eq!(r.0, bootable, "{name}: xorriso bootable flag {rep:?}");
        assert_eq!(r.2, format!("0x{:04x}", e.load_segment), "{name}: {rep:?}");
        assert_eq!(r.3, format!("0x{:02x}", e.system_type), "{name}: {rep:?}");
        assert_eq!(r.4, e.sector_count.to_string(), "{name}: {rep:?}");
    }
}

const X86: u8 = 0;
const EFI: u8 = 0xEF;

fn entry(platform: u8, boot: u8, media: u8, seg: u16, sys: u8, count: u16) -> Entry {
    Entry {
        platform,
        boot_indicator: boot,
        media_type: media,
        load_segment: seg,
        system_type: sys,
        sector_count: count,
    }
}

#[test]
fn catalog_matches_genisoimage_for_each_emulation() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tree(tmp.path());
    let cat = ["-c", "boot/boot.cat"];
    let with = |a: &[&'static str]| -> Vec<&'static str> { cat.iter().chain(a).copied().collect() };
    // Diskettes: media type by size, one sector to load, load segment 0 (7C0h).
    compare(
        tmp.path(),
        &t,
        "f12",
        &with(&["-b", "boot/f12.img"]),
        &[entry(X86, 0x88, 1, 0, 0, 1)],
        &["fd1.2"],
    );
    compare(
        tmp.path(),
        &t,
        "f144",
        &with(&["-b", "boot/f144.img"]),
        &[entry(X86, 0x88, 2, 0, 0, 1)],
        &["fd1.4"],
    );
    compare(
        tmp.path(),
        &t,
        "f288",
        &with(&["-b", "boot/f288.img"]),
        &[entry(X86, 0x88, 3, 0, 0, 1)],
        &["fd2.8"],
    );
    // Hard disk: media type 4, system type = the partition's type, one sector (the MBR).
    compare(
        tmp.path(),
        &t,
        "hd",
        &with(&["-hard-disk-boot", "-b", "boot/hd.img"]),
        &[entry(X86, 0x88, 4, 0, 0x06, 1)],
        &["hd"],
    );
    // No emulation: -boot-load-size, else the image in whole 2048-byte blocks (3000 bytes
    // -> 2 blocks -> 8 virtual sectors, as mkisofs counts).
    compare(
        tmp.path(),
        &t,
        "ne4",
        &with(&["-b", "boot/ne.bin", "-no-emul-boot", "-boot-load-size", "4"]),
        &[entry(X86, 0x88, 0, 0, 0, 4)],
        &["none"],
    );
    compare(
        tmp.path(),
        &t,
        "odd",
        &with(&["-no-emul-boot", "-b", "boot/odd.bin"]),
        &[entry(X86, 0x88, 0, 0, 0, 8)],
        &["none"],
    );
    // The publisher goes into the validation entry's ID field (its first 23 bytes).
    compare(
        tmp.path(),
        &t,
        "publisher",
        &with(&[
            "-publisher",
            "A Very Long Publisher Name For Testing",
            "-b",
            "boot/ne.bin",
            "-no-emul-boot",
        ]),
        &[entry(X86, 0x88, 0, 0, 0, 16)],
        &["none"],
    );
    // Several entries, each with its own mode: -eltorito-alt-boot sections, -no-boot,
    // -boot-load-seg, an EFI entry.
    compare(
        tmp.path(),
        &t,
        "multi",
        &with(&[
            "-b",
            "boot/f144.img",
            "-eltorito-alt-boot",
            "-hard-disk-boot",
            "-b",
            "boot/hd.img",
            "-eltorito-alt-boot",
            "-b",
            "boot/ne.bin",
            "-no-emul-boot",
            "-no-boot",
            "-boot-load-seg",
            "0x1000",
            "-eltorito-alt-boot",
            "-e",
            "boot/odd.bin",
            "-no-emul-boot",
        ]),
        &[
            entry(X86, 0x88, 2, 0, 0, 1),
            entry(X86, 0x88, 4, 0, 0x06, 1),
            entry(X86, 0x00, 0, 0x1000, 0, 16),
            entry(EFI, 0x88, 0, 0, 0, 8),
        ],
        &["fd1.4", "hd", "none", "none"],
    );
}

#[test]
fn bad_emulation_images_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tree(tmp.path());
    // A no-emulation-sized image without -no-emul-boot: floppy emulation, wrong size.
    let theirs = genisoimage(
        &["-b", "boot/ne.bin", "-c", "boot.cat"],
        &t,
        &tmp.path().join("g.iso"),
    );
    assert!(
        !theirs.status.success(),
        "genisoimage accepted an 8 KiB diskette"
    );
    assert!(
        String::from_utf8_lossy(&theirs.stderr).contains("has not an allowable size"),
        "{}",
        String::from_utf8_lossy(&theirs.stderr)
    );
    let out = tmp.path().join("o.iso");
    let o = ours(&["-b", "boot/ne.bin", "-c", "boot.cat"], &t, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success(),
        "an 8 KiB diskette image was accepted: {err}"
    );
    for want in [
        "boot/ne.bin",
        "has not an allowable size",
        "8192",
        "1228800",
        "1474560",
        "2949120",
    ] {
        assert!(err.contains(want), "message lacks {want:?}: {err}");
    }
    assert!(!out.exists(), "no image may be left behind");

    // Hard-disk images: no partition, two partitions.
    let mut none = hard_disk("X", 0x06);
    none[446..462].fill(0);
    fs::write(t.join("boot/none.img"), &none).unwrap();
    let mut two = hard_disk("X", 0x06);
    two[462 + 4] = 0x83;
    fs::write(t.join("boot/two.img"), &two).unwrap();
    for (img, want, theirs_want) in [
        ("boot/none.img", "no partition", "has no partitions"),
        ("boot/two.img", "2 partitions", "has multiple partitions"),
    ] {
        let args = ["-hard-disk-boot", "-b", img, "-c", "boot.cat"];
        let g = genisoimage(&args, &t, &tmp.path().join("g.iso"));
        assert!(!g.status.success(), "genisoimage accepted {img}");
        assert!(
            String::from_utf8_lossy(&g.stderr).contains(theirs_want),
            "{}",
            String::from_utf8_lossy(&g.stderr)
        );
        let o = ours(&args, &t, &out);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success(),
            "{img} accepted for hard-disk emulation"
        );
        assert!(err.contains(img) && err.contains(want), "{img}: {err}");
    }
    // A partition not marked active: both warn and make the image all the same.
    let mut idle = hard_disk("X", 0x06);
    idle[446] = 0;
    fs::write(t.join("boot/idle.img"), &idle).unwrap();
    let args = ["-hard-disk-boot", "-b", "boot/idle.img", "-c", "boot.cat"];
    let g = genisoimage(&args, &t, &tmp.path().join("g.iso"));
    ok("genisoimage", &g);
    assert!(String::from_utf8_lossy(&g.stderr).contains("partition not marked active"));
    let o = ours(&args, &t, &out);
    ok("discburn mkisofs", &o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("boot/idle.img: the partition is not marked active"),
        "{err}"
    );
    assert_eq!(entries(&catalog(&out)), [entry(X86, 0x88, 4, 0, 0x06, 1)]);
}

/// A second session (-C/-M on an image file) that makes an unchanged hard-disk image of
/// the first session bootable: the image keeps its old extent and its partition type is
/// read from the previous session.
#[test]
fn hard_disk_image_kept_from_the_previous_session() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tree(tmp.path());
    let disc = tmp.path().join("disc.img");
    ok("session 1", &ours(&["-R"], &t, &disc));
    let next = fs::metadata(&disc).unwrap().len() / 2048;
    let part = tmp.path().join("s2.iso");
    let c = format!("0,{next}");
    let m = disc.to_string_lossy().into_owned();
    let args = [
        "-R",
        "-C",
        &c,
        "-M",
        &m,
        "-hard-disk-boot",
        "-b",
        "boot/hd.img",
        "-c",
        "boot/boot.cat",
    ];
    ok("session 2", &ours(&args, &t, &part));
    let mut bytes = fs::read(&disc).unwrap();
    bytes.extend_from_slice(&fs::read(&part).unwrap());
    fs::write(&disc, &bytes).unwrap();
    // The catalog through session 2's boot record (absolute addresses).
    let br = &bytes[(next as usize + 17) * 2048..][..2048];
    assert_eq!(&br[7..30], b"EL TORITO SPECIFICATION");
    let lba = u32::from_le_bytes(br[0x47..0x4B].try_into().unwrap()) as usize;
    let cat = &bytes[lba * 2048..][..2048];
    assert_eq!(entries(cat), [entry(X86, 0x88, 4, 0, 0x06, 1)]);
    let image_lba = u32::from_le_bytes(cat[40..44].try_into().unwrap()) as u64;
    assert!(
        image_lba < next,
        "hd.img should keep its session-1 extent, is at {image_lba} (session 2 at {next})"
    );
    let o = Command::new(need("xorriso", "xorriso"))
        .args(["-load", "sbsector", &next.to_string(), "-indev"])
        .arg(&disc)
        .args(["-report_el_torito", "plain"])
        .output()
        .unwrap();
    ok("xorriso -report_el_torito", &o);
    let text = String::from_utf8_lossy(&o.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("El Torito boot img :"))
        .unwrap_or_else(|| panic!("xorriso found no boot image in session 2: {text}"));
    let f: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        (f[8], f[9], f[10], f[11], f[12]),
        ("hd", "0x0000", "0x06", "1", image_lba.to_string().as_str()),
        "{line}"
    );
}

// ---------------------------------------------------------------------------------------
// Booting with SeaBIOS.

/// Boots `iso` as the only drive of a QEMU PC (SeaBIOS, TCG) and returns what COM1
/// printed; the boot code ends QEMU through isa-debug-exit, a 20 s limit kills it.
fn boot(iso: &Path) -> String {
    let qemu = need("qemu-system-x86_64", "qemu-system-x86");
    let log = iso.with_extension("serial.log");
    let mut child = Command::new(qemu)
        .args([
            "-accel",
            "tcg",
            "-m",
            "32",
            "-display",
            "none",
            "-no-reboot",
            "-nic",
            "none",
        ])
        .args(["-serial", &format!("file:{}", log.display())])
        .args([
            "-device",
            "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-boot",
            "d",
            "-cdrom",
        ])
        .arg(iso)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if Instant::now() >= deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_string(&mut err).unwrap();
    }
    let serial = fs::read(&log)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    match status {
        // isa-debug-exit: (10h << 1) | 1.
        Some(s) if s.code() == Some(33) => serial,
        Some(s) => panic!(
            "{}: QEMU ended with {s} before the boot code ran; serial: {serial:?}; stderr: {err}",
            iso.display()
        ),
        None => panic!(
            "{}: no boot within 20 s; serial: {serial:?}; stderr: {err}",
            iso.display()
        ),
    }
}

#[test]
fn seabios_boots_each_emulation() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tree(tmp.path());
    let cases: [(&str, &[&str], &str); 5] = [
        ("floppy12", &["-b", "boot/f12.img", "-c", "boot.cat"], "F12"),
        ("floppy", &["-b", "boot/f144.img", "-c", "boot.cat"], "F144"),
        (
            "floppy288",
            &["-b", "boot/f288.img", "-c", "boot.cat"],
            "F288",
        ),
        (
            "hard-disk",
            &["-hard-disk-boot", "-b", "boot/hd.img", "-c", "boot.cat"],
            "HD",
        ),
        (
            "no-emulation",
            &[
                "-b",
                "boot/ne.bin",
                "-no-emul-boot",
                "-boot-load-size",
                "4",
                "-c",
                "boot.cat",
            ],
            "NE",
        ),
    ];
    for (name, args, marker) in cases {
        // genisoimage's image first: proves the boot code and the QEMU set-up.
        let theirs = tmp.path().join(format!("{name}-genisoimage.iso"));
        ok("genisoimage", &genisoimage(args, &t, &theirs));
        let s = boot(&theirs);
        assert!(
            s.contains(marker),
            "{name}: genisoimage's image printed {s:?}"
        );
        let mine = tmp.path().join(format!("{name}-ours.iso"));
        ok("discburn mkisofs", &ours(args, &t, &mine));
        let s = boot(&mine);
        assert!(
            s.contains(marker),
            "{name}: our image printed {s:?}, not {marker}"
        );
    }
    // The BIOS loads what our sector count says: a marker in the image's second 2048-byte
    // block prints with -boot-load-size 8, not with 4.
    for (size, loaded) in [("8", true), ("4", false)] {
        let iso = tmp.path().join(format!("ne2-{size}-ours.iso"));
        let args = [
            "-b",
            "boot/ne2.bin",
            "-no-emul-boot",
            "-boot-load-size",
            size,
            "-c",
            "boot.cat",
        ];
        ok("discburn mkisofs", &ours(&args, &t, &iso));
        let s = boot(&iso);
        assert_eq!(
            s.contains("SECOND-BLOCK"),
            loaded,
            "-boot-load-size {size}: {s:?}"
        );
    }
}
