//! The xorrisofs personality against xorriso itself: the same distribution command lines
//! (Debian/Fedora's `-isohybrid-mbr ... -isohybrid-gpt-basdat`, Arch's mkarchiso line with
//! `-partition_offset 16 -append_partition 2 <EFI GUID> ... -appended_part_as_gpt`) built by
//! discburn (started as `xorriso`) and by xorriso, with the same date and disk GUID, give
//! the same system area, partition tables and boot catalog as xorriso, sfdisk and sgdisk
//! read them. Only block addresses that follow from where each builder puts its
//! directories and files may differ (libisofs writes boot images first); those lines are
//! checked for what they must say instead.

#![cfg(unix)] // reason: the symlinked personality and the Unix peers (xorriso, sfdisk, sgdisk)
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::hybrid::*;

/// Report lines whose numbers depend on the builder's placement of files: the catalog's
/// and the boot images' block addresses. Returned without them, plus the addresses.
fn split_layout(rep: &[String]) -> (Vec<String>, Vec<String>) {
    rep.iter().cloned().partition(|l| {
        !(l.starts_with("El Torito catalog  :") || l.starts_with("El Torito boot img :"))
    })
}

/// The boot image addresses (last column) of a report's "El Torito boot img" lines.
fn boot_lbas(rep: &[String]) -> Vec<u64> {
    rep.iter()
        .filter(|l| l.starts_with("El Torito boot img :"))
        .filter_map(|l| l.split_whitespace().last()?.parse().ok())
        .collect()
}

fn lines_without_lba(rep: &[String]) -> Vec<String> {
    rep.iter()
        .filter(|l| l.starts_with("El Torito boot img :"))
        .map(|l| {
            let mut w: Vec<&str> = l.split_whitespace().collect();
            w.pop();
            w.join(" ")
        })
        .collect()
}

struct Pair {
    _tmp: tempfile::TempDir,
    ours: PathBuf,
    theirs: PathBuf,
}

fn pair(name: &str, setup: impl Fn(&Path), args: &[&str]) -> Pair {
    let tmp = tempfile::tempdir().unwrap();
    setup(tmp.path());
    let ours = tmp.path().join(format!("{name}-discburn.iso"));
    let theirs = tmp.path().join(format!("{name}-xorriso.iso"));
    let bin = xorriso_dir(tmp.path()).join("xorriso");
    build(&bin, &ours, args, tmp.path());
    build(&need("xorriso", "xorriso"), &theirs, args, tmp.path());
    Pair {
        _tmp: tmp,
        ours,
        theirs,
    }
}

fn compare(p: &Pair) -> (Vec<String>, Vec<String>) {
    let (ro, to) = (report(&p.ours), report(&p.theirs));
    let (a, _) = split_layout(&ro);
    let (b, _) = split_layout(&to);
    assert_eq!(
        a.join("\n"),
        b.join("\n"),
        "system area reports differ (left discburn, right xorriso)"
    );
    assert_eq!(lines_without_lba(&ro), lines_without_lba(&to));
    assert_eq!(sfdisk(&p.ours), sfdisk(&p.theirs), "sfdisk -d");
    // Without a GPT, sgdisk converts the MBR in memory under a random disk GUID.
    let sg = |img: &Path| -> String {
        let out = sgdisk(img);
        if !out.contains("Found invalid GPT and valid MBR") {
            return out;
        }
        out.lines()
            .filter(|l| !l.starts_with("Disk identifier (GUID):"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(sg(&p.ours), sg(&p.theirs), "sgdisk -p");
    (ro, to)
}

/// Debian's debian-cd and Fedora's lorax: isohybrid MBR from isohdpfx.bin, BIOS and EFI
/// El Torito entries, the EFI image (a file of the tree) marked in MBR and GPT.
#[test]
fn debian_style_line_matches_xorriso() {
    let p = pair("debian", debian_setup, &DEBIAN_ARGS);
    let (ours, _) = compare(&p);
    let all = ours.join("\n");
    // What the equal lines say, for the record.
    assert!(
        all.contains("System area summary: MBR isohybrid cyl-align-on GPT"),
        "{all}"
    );
    assert!(all.contains("GPT partname local :   1  ISOHybrid"), "{all}");
    assert!(
        all.contains("GPT partname local :   2  ISOHybrid1"),
        "{all}"
    );
    // The MBR's boot image address (byte 432) points at isolinux.bin's block × 4, and
    // partition 2 / GPT entry 2 at the EFI image's: read back from our image.
    let img = std::fs::read(&p.ours).unwrap();
    let lbas = boot_lbas(&ours);
    assert_eq!(
        u64::from_le_bytes(img[432..440].try_into().unwrap()),
        lbas[0] * 4,
        "isohdpfx.bin's pointer to isolinux.bin"
    );
    let p2_start = u32::from_le_bytes(img[446 + 16 + 8..446 + 16 + 12].try_into().unwrap());
    assert_eq!(
        u64::from(p2_start),
        lbas[1] * 4,
        "MBR partition 2 is the EFI image"
    );
    // The MBR id is the CRC-32 of the --modification-date string, as libisofs makes it.
    let theirs = std::fs::read(&p.theirs).unwrap();
    assert_eq!(img[440..444], theirs[440..444]);
}

/// Arch's mkarchiso line; also: the first partition (from block 16) is an ISO 9660 file
/// system of its own (the second descriptor set), with the same files.
#[test]
fn arch_style_line_matches_xorriso() {
    let p = pair("arch", arch_setup, &ARCH_ARGS);
    let (ours, theirs) = compare(&p);
    let all = ours.join("\n");
    assert!(all.contains("Partition offset   : 16"), "{all}");
    assert!(all.contains("GPT partname local :   1  ISO9660"), "{all}");
    assert!(all.contains("GPT partname local :   2  Appended2"), "{all}");
    assert!(
        all.contains("MBR partition      :   2   0x80  0x00            0            1"),
        "{all}"
    );
    // The EFI entry is the appended partition in both: same address.
    assert_eq!(boot_lbas(&ours)[1], boot_lbas(&theirs)[1]);
    // The partition alone: xorriso and isoinfo read the same tree from it.
    let part = p.ours.with_extension("part1");
    let img = std::fs::read(&p.ours).unwrap();
    std::fs::write(&part, &img[16 * 2048..]).unwrap();
    let list = |f: &Path| {
        run(
            "xorriso -find",
            Command::new(need("xorriso", "xorriso"))
                .arg("-indev")
                .arg(f)
                .args(["-find", "/", "-exec", "lsdl", "--"]),
        )
        .lines()
        .filter(|l| l.contains("'/"))
        .map(|l| {
            // Name, size and mode (the dates are the same; the boot catalog's differs
            // between trees in no way either).
            let w: Vec<&str> = l.split_whitespace().collect();
            // xorriso marks the boot catalog 'e' where it finds the boot record; the
            // partition's descriptor set has none (as libisofs writes it).
            let m = w[0].replacen('e', "-", 1);
            format!("{} {} {}", m, w[4], w.last().unwrap_or(&""))
        })
        .collect::<Vec<_>>()
    };
    assert_eq!(
        list(&part),
        list(&p.ours),
        "the partition's tree is the image's"
    );
    let cfg = run(
        "isoinfo -x",
        Command::new(need("isoinfo", "genisoimage"))
            .args(["-R", "-i"])
            .arg(&part)
            .args(["-x", "/boot/syslinux/isolinux.cfg"]),
    );
    assert!(cfg.contains(ISOLINUX_MARK), "{cfg}");
}

/// grub-mkrescue's structure (protective label, GRUB2 MBR, EFI boot partition in a GPT)
/// with the HFS+ options it always passes skipped: what discburn writes, compared with
/// xorriso's image of the same line without -hfsplus.
#[test]
fn grub_mkrescue_line_without_hfsplus_matches_xorriso() {
    let boot_hybrid = need_file("/usr/lib/grub/i386-pc/boot_hybrid.img", "grub-pc-bin");
    let setup = |d: &Path| {
        let root = d.join("r");
        std::fs::create_dir_all(root.join("boot/grub/i386-pc")).unwrap();
        // A stand-in El Torito image of eltorito.img's size class (the patch at 2548
        // needs at least 2556 bytes).
        std::fs::write(
            root.join("boot/grub/i386-pc/eltorito.img"),
            vec![0x90u8; 30 * 1024],
        )
        .unwrap();
        std::fs::copy(efiboot_img(d), root.join("efi.img")).unwrap();
        std::fs::write(root.join("boot/grub/grub.cfg"), "echo x\n").unwrap();
    };
    let bh = boot_hybrid.display().to_string();
    let args = [
        "-graft-points",
        "-b",
        "boot/grub/i386-pc/eltorito.img",
        "-no-emul-boot",
        "-boot-load-size",
        "4",
        "-boot-info-table",
        "--grub2-boot-info",
        "--grub2-mbr",
        &bh,
        "--efi-boot",
        "efi.img",
        "-efi-boot-part",
        "--efi-boot-image",
        "--protective-msdos-label",
        "-r",
        "r",
        "--sort-weight",
        "0",
        "/",
        "--sort-weight",
        "1",
        "/boot",
    ];
    let p = pair("grub", setup, &args);
    let ro = report(&p.ours);
    let to = report(&p.theirs);
    // The layout decides the GPT's start/size lines here (the EFI boot partition is the
    // image file): compare everything else.
    let keep = |r: &[String]| -> Vec<String> {
        split_layout(r)
            .0
            .into_iter()
            .filter(|l| {
                !l.starts_with("GPT start and size") && !l.starts_with("GPT partition path")
            })
            .collect()
    };
    // Nor is the image size aligned here: it follows the layout, and with it the
    // protective entry's and the GPT's last sectors; those are checked against our size.
    let sized = |l: &String| {
        l.starts_with("ISO image size/512")
            || l.starts_with("MBR partition      :   1")
            || l.starts_with("GPT lba range")
    };
    let strip =
        |r: &[String]| -> Vec<String> { keep(r).into_iter().filter(|l| !sized(l)).collect() };
    assert_eq!(strip(&ro).join("\n"), strip(&to).join("\n"));
    let size = std::fs::metadata(&p.ours).unwrap().len() / 512;
    let words: Vec<String> = ro
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for want in [
        format!("ISO image size/512 : {size}"),
        format!("MBR partition : 1 0x00 0xee 1 {}", size - 1),
        format!("GPT lba range : 64 {} {}", size - 64, size - 1),
    ] {
        assert!(words.contains(&want), "{want} not in {words:#?}");
    }
    let img = std::fs::read(&p.ours).unwrap();
    let lbas = boot_lbas(&ro);
    // boot_hybrid.img's pointer: the El Torito image's 512-byte address + 4.
    assert_eq!(
        u64::from_le_bytes(img[432..440].try_into().unwrap()),
        lbas[0] * 4 + 4
    );
    // --grub2-boot-info: the image's 512-byte address + 5 at byte 2548 of the image.
    let at = lbas[0] as usize * 2048 + 2548;
    assert_eq!(
        u64::from_le_bytes(img[at..at + 8].try_into().unwrap()),
        lbas[0] * 4 + 5
    );
}

/// Options scripts pass that discburn does not implement are refused by name, never
/// skipped; native xorriso commands too; -help lists what grub-mkrescue looks for.
#[test]
fn refusals_help_and_version() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = xorriso_dir(tmp.path()).join("xorriso");
    std::fs::create_dir_all(tmp.path().join("d")).unwrap();
    let refused = |args: &[&str], needle: &str| {
        let o = Command::new(&bin)
            .current_dir(tmp.path())
            .args(args)
            .env_remove("DISCBURN_HFSPLUS")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?} should be a usage error");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(needle), "{args:?}: {e}");
        assert!(
            !tmp.path().join("x.iso").exists(),
            "{args:?} wrote an image"
        );
    };
    refused(
        &[
            "-as",
            "mkisofs",
            "-isohybrid-apm-hfsplus",
            "-o",
            "x.iso",
            "d",
        ],
        "-isohybrid-apm-hfsplus: not supported by discburn: Apple partition maps",
    );
    refused(
        &["-as", "mkisofs", "-hfsplus", "-o", "x.iso", "d"],
        "DISCBURN_HFSPLUS=omit",
    );
    refused(
        &["-as", "mkisofs", "-jigdo-template", "t", "-o", "x.iso", "d"],
        "jigdo output is not written",
    );
    refused(
        &[
            "-as",
            "mkisofs",
            "-e",
            "--interval:local_fs:0s-15s::x",
            "-o",
            "x.iso",
            "d",
        ],
        "only --interval:appended_partition_N:all:: is supported",
    );
    refused(
        &[
            "-as",
            "mkisofs",
            "-append_partition",
            "5",
            "0xef",
            "f",
            "-o",
            "x.iso",
            "d",
        ],
        "partition number must be 1..4",
    );
    refused(
        &[
            "-as",
            "mkisofs",
            "-partition_cyl_align",
            "sometimes",
            "-o",
            "x.iso",
            "d",
        ],
        "expected auto, on, off or all",
    );
    refused(
        &["-indev", "x.iso", "-ls"],
        "native xorriso commands are not supported",
    );
    // A partition offset below 16 is refused by the builder, as libisofs does.
    let o = Command::new(&bin)
        .current_dir(tmp.path())
        .args([
            "-as",
            "mkisofs",
            "-partition_offset",
            "8",
            "-o",
            "y.iso",
            "d",
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("must be 0 or at least 16"));
    let help = run(
        "-help",
        Command::new(&bin).args(["-as", "mkisofs", "-help"]),
    );
    for opt in [
        "--grub2-boot-info",
        "-isohybrid-gpt-basdat",
        "-append_partition",
        "--protective-msdos-label",
    ] {
        assert!(help.contains(opt), "-help lacks {opt}");
    }
    let v = run("-version", Command::new(&bin).arg("-version"));
    assert!(v.contains("discburn"), "{v}");
    let xfs = xorriso_dir(tmp.path()).join("xorrisofs");
    let help = run("xorrisofs -help", Command::new(&xfs).arg("-help"));
    assert!(help.contains("--grub2-boot-info"));
}

/// -uid -gid -file-mode -dir-mode, -rr_reloc_dir and --sort-weight as xorriso applies
/// them (Rock Ridge attributes and the order of file data), read back by xorriso.
#[test]
fn attributes_and_sort_weight_match_xorriso() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("t");
    let mut deep = d.join("a");
    for k in 0..9 {
        deep = deep.join(format!("l{k}"));
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join("deep.txt"), "deep").unwrap();
    std::fs::create_dir_all(d.join("late")).unwrap();
    std::fs::write(d.join("early.txt"), vec![b'e'; 5000]).unwrap();
    std::fs::write(d.join("late/late.txt"), vec![b'l'; 5000]).unwrap();
    let args = [
        "-R",
        "-uid",
        "1234",
        "-gid",
        "99",
        "-file-mode",
        "0640",
        "-dir-mode",
        "0750",
        "-rr_reloc_dir",
        "RELOC",
        "t",
        // xorriso applies it to what the arguments before it inserted.
        "--sort-weight",
        "10",
        "/late",
    ];
    let ours = tmp.path().join("o.iso");
    let theirs = tmp.path().join("x.iso");
    build(
        &xorriso_dir(tmp.path()).join("xorriso"),
        &ours,
        &args,
        tmp.path(),
    );
    build(&need("xorriso", "xorriso"), &theirs, &args, tmp.path());
    let ls = |img: &Path| -> Vec<String> {
        let out = run(
            "xorriso -find",
            Command::new(need("xorriso", "xorriso"))
                .arg("-indev")
                .arg(img)
                .args(["-find", "/", "-exec", "lsdl", "--"]),
        );
        let mut v: Vec<String> = out
            .lines()
            .filter(|l| l.contains("'/"))
            .map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                // mode, owner, group, name
                format!("{} {} {} {}", w[0], w[2], w[3], w.last().unwrap_or(&""))
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(ls(&ours), ls(&theirs));
    // --sort-weight 10 /late: late.txt's data comes before early.txt's, in both.
    let lba = |img: &Path, f: &str| -> u64 {
        let out = run(
            "report_lba",
            Command::new(need("xorriso", "xorriso"))
                .arg("-indev")
                .arg(img)
                .args(["-find", f, "-exec", "report_lba", "--"]),
        );
        out.lines()
            .find(|l| l.starts_with("File data lba:"))
            .and_then(|l| l.split(',').nth(1)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no lba for {f}: {out}"))
    };
    for img in [&ours, &theirs] {
        assert!(
            lba(img, "/late/late.txt") < lba(img, "/early.txt"),
            "{}",
            img.display()
        );
    }
}

/// The names of `img`'s ISO 9660/Rock Ridge tree (xorriso) and of its Joliet tree
/// (isoinfo -J -f), sorted.
fn trees(img: &Path) -> (Vec<String>, Vec<String>) {
    let rr = run(
        "xorriso -find",
        Command::new(need("xorriso", "xorriso"))
            .arg("-indev")
            .arg(img)
            .args(["-find", "/"]),
    );
    let mut rr: Vec<String> = rr
        .lines()
        .filter(|l| l.starts_with("'/"))
        .map(str::to_string)
        .collect();
    rr.sort();
    let j = run(
        "isoinfo -J -f",
        Command::new(need("isoinfo", "genisoimage"))
            .args(["-J", "-f", "-i"])
            .arg(img),
    );
    // Our Joliet file names carry ECMA-119's ";1" version (§7.5.1; genisoimage writes it
    // too), libisofs leaves it out: compared without it.
    let mut j: Vec<String> = j
        .lines()
        .map(|l| l.strip_suffix(";1").unwrap_or(l).to_string())
        .collect();
    j.sort();
    (rr, j)
}

/// Blocks of `img` past its volume space size (ECMA-119 §8.4.8, at byte 80 of the PVD).
fn padding(img: &Path) -> u64 {
    let b = std::fs::read(img).unwrap();
    let vss = u32::from_le_bytes(b[16 * 2048 + 80..16 * 2048 + 84].try_into().unwrap());
    b.len() as u64 / 2048 - u64::from(vss)
}

/// -hide, -hide-list, -hide-joliet, -hide-joliet-list, -m, -exclude-list, -no-pad and
/// --boot-catalog-hide as xorriso applies them: the same names in the ISO 9660/Rock Ridge
/// tree and in the Joliet tree, hidden files' data still in the image, the boot catalog
/// in no tree but still the boot record's, and the same padding with and without -no-pad.
/// (genisoimage's -hidden, the ISO 9660 "existence" bit, is no xorrisofs option: xorriso
/// refuses it; discburn takes it in this personality too, with genisoimage's meaning, so
/// that a genisoimage command line moved to xorrisofs keeps working; mkisofs_options
/// compares it with genisoimage.)
#[test]
fn hide_exclude_and_pad_options_match_xorriso() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let t = d.join("t");
    for (p, c) in [
        ("keep.txt", "kept\n"),
        ("secret.txt", "SECRET-DATA-OF-A-HIDDEN-FILE\n"),
        ("sub/deep.txt", "deep\n"),
        ("sub/listed.txt", "listed\n"),
        ("jonly.txt", "not in joliet\n"),
        ("jlisted.txt", "not in joliet either\n"),
        ("gone.txt", "excluded\n"),
        ("sub/gone2.txt", "excluded by list\n"),
        ("boot.img", &"B".repeat(2048)),
    ] {
        let f = t.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, c).unwrap();
    }
    std::fs::write(d.join("hide.lst"), "t/sub/listed.txt\n").unwrap();
    std::fs::write(d.join("hidej.lst"), "jlisted.txt\n").unwrap();
    std::fs::write(d.join("excl.lst"), "t/sub/gone2.txt\n").unwrap();
    let args = |pad: bool| -> Vec<&'static str> {
        let mut v = vec![
            "-R",
            "-J",
            "-hide",
            "secret.txt",
            "-hide",
            "t/sub/deep.txt",
            "-hide-list",
            "hide.lst",
            "-hide-joliet",
            "jonly.txt",
            "-hide-joliet-list",
            "hidej.lst",
            "-m",
            "gone.txt",
            "-exclude-list",
            "excl.lst",
            "-b",
            "boot.img",
            "-no-emul-boot",
            "-c",
            "boot.cat",
            "--boot-catalog-hide",
        ];
        if !pad {
            v.push("-no-pad");
        }
        v.push("t");
        v
    };
    let ours_bin = xorriso_dir(d).join("xorriso");
    let xorriso = need("xorriso", "xorriso");
    for pad in [true, false] {
        let a = args(pad);
        let ours = d.join(format!("o{pad}.iso"));
        let theirs = d.join(format!("x{pad}.iso"));
        build(&ours_bin, &ours, &a, d);
        build(&xorriso, &theirs, &a, d);
        let (orr, oj) = trees(&ours);
        let (xrr, xj) = trees(&theirs);
        assert_eq!(orr, xrr, "ISO 9660/Rock Ridge trees (left discburn)");
        assert_eq!(oj, xj, "Joliet trees (left discburn)");
        // What the equal trees say, for the record.
        for gone in [
            "/secret.txt",
            "/sub/deep.txt",
            "/sub/listed.txt",
            "gone",
            "boot.cat",
        ] {
            assert!(!orr.iter().any(|l| l.contains(gone)), "{gone}: {orr:?}");
        }
        assert!(orr.iter().any(|l| l.contains("jonly.txt")), "{orr:?}");
        // -hide hides from ISO 9660/Rock Ridge only.
        assert!(oj.iter().any(|l| l.contains("secret.txt")), "{oj:?}");
        for gone in ["jonly.txt", "jlisted.txt", "boot.cat"] {
            assert!(!oj.iter().any(|l| l.contains(gone)), "{gone}: {oj:?}");
        }
        let bytes = std::fs::read(&ours).unwrap();
        assert!(
            bytes
                .windows(28)
                .any(|w| w == b"SECRET-DATA-OF-A-HIDDEN-FILE"),
            "a hidden file's data is in the image (as xorriso writes it)"
        );
        assert!(std::fs::read(&theirs)
            .unwrap()
            .windows(28)
            .any(|w| w == b"SECRET-DATA-OF-A-HIDDEN-FILE"));
        // The catalog is hidden, not gone: both reports find the boot image.
        let imgs = |r: Vec<String>| -> Vec<String> {
            r.into_iter()
                .filter(|l| l.starts_with("El Torito images") || l.starts_with("El Torito img"))
                .collect()
        };
        assert_eq!(imgs(report(&ours)), imgs(report(&theirs)));
        assert!(report(&ours)
            .iter()
            .any(|l| l.starts_with("El Torito catalog")));
        assert_eq!(padding(&ours), padding(&theirs), "padding, -pad {pad}");
    }
    // -hidden is genisoimage's, not xorrisofs's.
    let o = Command::new(&ours_bin)
        .current_dir(d)
        .args(["-as", "mkisofs", "-hidden", "keep.txt", "-o", "h.iso", "t"])
        .output()
        .unwrap();
    let x = Command::new(&xorriso)
        .current_dir(d)
        .args(["-as", "mkisofs", "-hidden", "keep.txt", "-o", "hx.iso", "t"])
        .output()
        .unwrap();
    assert!(!x.status.success(), "xorriso took -hidden");
    ok("discburn -hidden", &o);
    let b = std::fs::read(d.join("h.iso")).unwrap();
    let at = b
        .windows(10)
        .position(|w| w == b"KEEP.TXT;1")
        .expect("KEEP.TXT;1 recorded");
    assert_eq!(
        b[at - 8] & 1,
        1,
        "existence bit of keep.txt (ECMA-119 9.1.6)"
    );
}

/// The identifiers (big-endian UTF-16 bytes, ";1" removed) and file flags of the records
/// in the Joliet root directory of `img` (the supplementary volume descriptor's root,
/// ECMA-119 §8.5 and §9.1), "." and ".." left out, sorted.
fn joliet_root_ids(img: &Path) -> Vec<(Vec<u8>, u8)> {
    let b = std::fs::read(img).unwrap();
    let le32 = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap()) as usize;
    let mut vd = 16;
    let svd = loop {
        let o = vd * 2048;
        assert!(
            b[o + 1..o + 6] == *b"CD001" && b[o] != 255,
            "no Joliet descriptor"
        );
        if b[o] == 2 && b[o + 88..o + 90] == [0x25, 0x2f] {
            break o;
        }
        vd += 1;
    };
    let (lba, size) = (le32(svd + 156 + 2), le32(svd + 156 + 10));
    let mut v = Vec::new();
    let mut o = lba * 2048;
    let end = o + size;
    while o < end {
        let len = b[o] as usize;
        if len == 0 {
            o = (o / 2048 + 1) * 2048;
            continue;
        }
        let id = &b[o + 33..o + 33 + b[o + 32] as usize];
        if id != [0] && id != [1] {
            let id = id.strip_suffix(&[0, b';', 0, b'1']).unwrap_or(id);
            v.push((id.to_vec(), b[o + 25]));
        }
        o += len;
    }
    v.sort();
    v
}

/// -joliet-utf16 as xorriso writes it: names with characters outside the BMP get them as
/// UTF-16 surrogate pairs; without it each such character is one '_' (UCS-2, the Joliet
/// specification's set). The Joliet root records' identifier bytes equal xorriso's.
#[test]
fn joliet_utf16_matches_xorriso() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let t = d.join("t");
    std::fs::create_dir_all(t.join("dir-\u{1F4BF}")).unwrap();
    for n in [
        "\u{1F600}x.txt",
        "plain.txt",
        "\u{e9}t\u{e9}.txt",
        "a\u{10348}b\u{1D11E}",
    ] {
        std::fs::write(t.join(n), n).unwrap();
    }
    let ours_bin = xorriso_dir(d).join("xorriso");
    let xorriso = need("xorriso", "xorriso");
    for utf16 in [false, true] {
        let mut a = vec!["-J", "-R"];
        if utf16 {
            a.push("-joliet-utf16");
        }
        a.push("t");
        let (o, x) = (
            d.join(format!("o{utf16}.iso")),
            d.join(format!("x{utf16}.iso")),
        );
        build(&ours_bin, &o, &a, d);
        build(&xorriso, &x, &a, d);
        let (oi, xi) = (joliet_root_ids(&o), joliet_root_ids(&x));
        assert_eq!(
            oi, xi,
            "Joliet identifiers, -joliet-utf16 {utf16} (left discburn)"
        );
        let want: Vec<u8> = if utf16 { "\u{1F600}x.txt" } else { "_x.txt" }
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert!(oi.iter().any(|(id, _)| *id == want), "{oi:?}");
        // The Rock Ridge names are the full UTF-8 names either way.
        let (rr, _) = trees(&o);
        assert!(rr.iter().any(|l| l.contains("\u{1F600}x.txt")), "{rr:?}");
    }
}

/// -root and -old-root as xorrisofs's man page describes them ("Incremental backup with
/// accumulated trees"): session 1 under /session1, session 2 (-M, -C) with -root
/// /session2 -old-root /session1 from a changed source: /session1 stays, /session2 holds
/// exactly the new source (a changed file, a new one, a removed one gone), as in xorriso's
/// session from the same command lines; xorriso reads the same tree and contents from
/// both. Unchanged files share session 1's extent (xorriso without --for_backup writes
/// them again; a content comparison needs no recorded inode numbers or MD5s).
#[test]
fn root_and_old_root_match_xorriso() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let put = |p: &str, c: &str| {
        let f = d.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, c).unwrap();
    };
    put("s1/same.txt", "unchanged file\n");
    put("s1/gone.txt", "removed before session 2\n");
    put("s1/d/chg.txt", "version 1\n");
    put("s1/d/keep/k.txt", "kept below a directory\n");
    put("s2/same.txt", "unchanged file\n");
    put("s2/d/chg.txt", "version 2, longer\n");
    put("s2/d/keep/k.txt", "kept below a directory\n");
    put("s2/new.txt", "new in session 2\n");
    let ours_bin = xorriso_dir(d).join("xorriso");
    let xorriso = need("xorriso", "xorriso");
    let find = |img: &Path, sb: u64| -> Vec<String> {
        let out = run(
            "xorriso -find",
            Command::new(&xorriso)
                .arg("-indev")
                .arg(img)
                .args(["-load", "sbsector", &sb.to_string()])
                .args(["-find", "/", "-exec", "lsdl", "--"]),
        );
        let mut v: Vec<String> = out
            .lines()
            .filter(|l| l.contains("'/"))
            .map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                // mode, size, name
                format!("{} {} {}", w[0], w[4], w.last().unwrap())
            })
            .collect();
        v.sort();
        v
    };
    let mut lists = Vec::new();
    for (who, bin) in [("discburn", &ours_bin), ("xorriso", &xorriso)] {
        let one = d.join(format!("{who}-1.iso"));
        build(bin, &one, &["-R", "-J", "-root", "/session1", "s1"], d);
        let next = std::fs::metadata(&one)
            .unwrap()
            .len()
            .div_ceil(2048)
            .div_ceil(16)
            * 16;
        let two = d.join(format!("{who}-2.iso"));
        let m = one.display().to_string();
        let c = format!("0,{next}");
        build(
            bin,
            &two,
            &[
                "-R",
                "-J",
                "-M",
                &m,
                "-C",
                &c,
                "-root",
                "/session2",
                "-old-root",
                "/session1",
                "s2",
            ],
            d,
        );
        // The medium: session 1, then session 2 at its block.
        let mut all = std::fs::read(&one).unwrap();
        all.resize(next as usize * 2048, 0);
        all.extend(std::fs::read(&two).unwrap());
        let disc = d.join(format!("{who}-disc.iso"));
        std::fs::write(&disc, all).unwrap();
        let tree = find(&disc, next);
        for (f, want) in [
            ("/session2/d/chg.txt", "version 2, longer\n"),
            ("/session2/new.txt", "new in session 2\n"),
            ("/session2/same.txt", "unchanged file\n"),
            ("/session1/gone.txt", "removed before session 2\n"),
            ("/session1/d/chg.txt", "version 1\n"),
        ] {
            let out = d.join(format!("{who}-x"));
            let _ = std::fs::remove_file(&out);
            run(
                "xorriso -extract",
                Command::new(&xorriso)
                    .arg("-indev")
                    .arg(&disc)
                    .args(["-load", "sbsector", &next.to_string()])
                    .args(["-osirrox", "on", "-extract", f])
                    .arg(&out),
            );
            assert_eq!(std::fs::read_to_string(&out).unwrap(), want, "{who} {f}");
        }
        lists.push((tree, disc, next));
    }
    assert_eq!(lists[0].0, lists[1].0, "session 2 trees (left discburn)");
    assert!(!lists[0]
        .0
        .iter()
        .any(|l| l.ends_with("'/session2/gone.txt'")));
    assert!(lists[0]
        .0
        .iter()
        .any(|l| l.ends_with("'/session1/gone.txt'")));
    // Our unchanged file points at session 1's extent.
    let lba = |img: &Path, sb: u64, f: &str| -> u64 {
        let out = run(
            "report_lba",
            Command::new(&xorriso)
                .arg("-indev")
                .arg(img)
                .args(["-load", "sbsector", &sb.to_string()])
                .args(["-find", f, "-exec", "report_lba", "--"]),
        );
        out.lines()
            .find(|l| l.starts_with("File data lba:"))
            .and_then(|l| l.split(',').nth(1)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no lba for {f}: {out}"))
    };
    let (disc, next) = (&lists[0].1, lists[0].2);
    assert_eq!(
        lba(disc, next, "/session2/same.txt"),
        lba(disc, next, "/session1/same.txt")
    );
    assert!(lba(disc, next, "/session2/d/chg.txt") >= next);
    // -root alone, with graft points: the targets go under it.
    let (o, x) = (d.join("g-ours.iso"), d.join("g-xorriso.iso"));
    let a = [
        "-R",
        "-root",
        "/top/r",
        "-graft-points",
        "/g/x=s1/d",
        "s2/new.txt",
    ];
    build(&ours_bin, &o, &a, d);
    build(&xorriso, &x, &a, d);
    // Compared without modes: xorriso 1.5.4 gives the directory above -root's last
    // component mode 0777 (and -root's own 0755); discburn gives both 0755, the mode of
    // every directory it makes for a graft point in this personality.
    let names = |v: Vec<String>| -> Vec<String> {
        let mut v: Vec<String> = v
            .into_iter()
            .map(|l| l.split_once(' ').unwrap().1.to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(find(&o, 0)),
        names(find(&x, 0)),
        "-root with graft points (left discburn)"
    );
    assert!(find(&o, 0).contains(&"drwxr-xr-x 0 '/top'".to_string()));
}

/// -log-file FILE as xorriso has it: standard error says only where the messages go, the
/// file gets them (a failure's too), the exit status is kept; xorriso run as the control.
#[test]
fn log_file_takes_the_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::create_dir_all(d.join("t")).unwrap();
    std::fs::write(d.join("t/f.txt"), "f").unwrap();
    let ours_bin = xorriso_dir(d).join("xorriso");
    let xorriso = need("xorriso", "xorriso");
    for (who, bin) in [("discburn", &ours_bin), ("xorriso", &xorriso)] {
        for (src, good) in [("t", true), ("missing-source", false)] {
            let log = d.join(format!("{who}-{good}.log"));
            std::fs::write(&log, "old contents to be truncated\n").unwrap();
            let o = common::command(bin)
                .current_dir(d)
                .args(["-as", "mkisofs", "-log-file"])
                .arg(&log)
                .args(["-o", "l.iso", src])
                .output()
                .unwrap();
            assert_eq!(o.status.success(), good, "{who} {src}");
            let err = String::from_utf8_lossy(&o.stderr);
            let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
            assert!(
                lines
                    .last()
                    .is_some_and(|l| l.contains("re-directing all messages to")),
                "{who}: stderr {err}"
            );
            assert!(
                !lines.iter().any(|l| l.contains("missing-source")),
                "{who}: the failure went to stderr: {err}"
            );
            let text = std::fs::read_to_string(&log).unwrap();
            assert!(!text.contains("old contents"), "{who}: not truncated");
            if good {
                assert!(!text.trim().is_empty(), "{who}: nothing logged");
            } else {
                assert!(text.contains("missing-source"), "{who}: {text}");
            }
        }
    }
}

/// The volume id (ECMA-119 §8.4.6, bytes 40..72 of the primary descriptor) of the session
/// at block `start` of `img`, trailing blanks removed.
fn volume_id_at(img: &Path, start: u64) -> String {
    let b = std::fs::read(img).unwrap();
    let o = (start as usize + 16) * 2048;
    assert_eq!(&b[o..o + 6], b"\x01CD001", "no PVD at block {}", start + 16);
    String::from_utf8_lossy(&b[o + 40..o + 72])
        .trim_end()
        .to_string()
}

/// The first 16 blocks (the system area, ECMA-119 §6.2.1) of `img` from block `start`.
fn system_area_at(img: &Path, start: u64) -> Vec<u8> {
    let b = std::fs::read(img).unwrap();
    b[start as usize * 2048..(start as usize + 16) * 2048].to_vec()
}

/// `-M hybrid.iso -C 0,N` in the xorrisofs personality, as xorriso does it: without
/// system area options the new session's 16 system area blocks are the previous
/// session's, unchanged (libisofs writes the system area it loaded with the image; a tool
/// that copies a session's first 64 KiB to block 0 of an overwritable medium then keeps
/// the MBR and GPT), and the volume id is the previous session's unless -V is given
/// (genisoimage -M writes its default, CDROM, and so does discburn's mkisofs). System
/// area options in a later session are refused: the MBR and GPT describe the medium from
/// block 0 and cannot be written into a session elsewhere (xorriso writes tables there
/// that describe the session's size as if it started at 0).
#[test]
fn later_session_of_a_hybrid_image_keeps_system_area_and_volume_id() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    debian_setup(d);
    std::fs::create_dir_all(d.join("more")).unwrap();
    std::fs::write(d.join("more/new.txt"), "session 2\n").unwrap();
    let ours_bin = xorriso_dir(d).join("xorriso");
    let xorriso = need("xorriso", "xorriso");
    let mut got = Vec::new();
    for (who, bin) in [("discburn", &ours_bin), ("xorriso", &xorriso)] {
        let one = d.join(format!("{who}-1.iso"));
        build(bin, &one, &DEBIAN_ARGS, d);
        let next = std::fs::metadata(&one).unwrap().len() / 2048;
        let c = format!("0,{next}");
        let m = one.display().to_string();
        let mut ids = Vec::new();
        for v in [None, Some("NEWVOL")] {
            let two = d.join(format!("{who}-2-{v:?}.iso"));
            let mut a = vec!["-r", "-J", "-M", &m, "-C", &c];
            if let Some(v) = v {
                a.extend_from_slice(&["-V", v]);
            }
            a.push("more");
            build(bin, &two, &a, d);
            assert!(
                system_area_at(&two, 0) == system_area_at(&one, 0),
                "{who}: session 2's system area is not session 1's"
            );
            ids.push(volume_id_at(&two, 0));
        }
        got.push(ids);
    }
    assert_eq!(got[0], got[1], "volume ids (left discburn)");
    assert_eq!(got[0], ["DEBTEST", "NEWVOL"]);
    // genisoimage -M: its default volume id, not the previous one (and so ours).
    let g1 = d.join("g1.iso");
    let g2 = d.join("g2.iso");
    let geniso = need("genisoimage", "genisoimage");
    run(
        "genisoimage",
        Command::new(&geniso)
            .args(["-quiet", "-r", "-V", "PREVVOL", "-o"])
            .arg(&g1)
            .arg(d.join("more")),
    );
    let c = format!("0,{}", std::fs::metadata(&g1).unwrap().len() / 2048);
    for (who, prog) in [("genisoimage", geniso.clone()), ("discburn", common::bin())] {
        let mut cmd = common::command(&prog);
        if who == "discburn" {
            cmd.arg("mkisofs");
        }
        run(
            who,
            cmd.args(["-quiet", "-r", "-M"])
                .arg(&g1)
                .args(["-C", &c, "-o"])
                .arg(&g2)
                .arg(d.join("more")),
        );
        assert_eq!(volume_id_at(&g2, 0), "CDROM", "{who} -M");
    }
    // System area options in a later session: refused, nothing written.
    let one = d.join("discburn-1.iso");
    let next = std::fs::metadata(&one).unwrap().len() / 2048;
    let o = common::command(&ours_bin)
        .current_dir(d)
        .args(["-as", "mkisofs", "-r", "-M"])
        .arg(&one)
        .args(["-C", &format!("0,{next}")])
        .args(["-isohybrid-mbr", "cd/isolinux/isohdpfx.bin"])
        .args([
            "-b",
            "isolinux/isolinux.bin",
            "-no-emul-boot",
            "-o",
            "refused.iso",
        ])
        .arg("cd")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("does not start at block 0"), "{e}");
}

/// `discburn add` to a hybrid image burned on an emulated DVD+RW (overwritable) and CD-R
/// (write-once): blocks 0..15 of the medium, MBR and GPT, stay as they were (the new
/// descriptors are copied to block 16 only), as xorriso leaves them when it adds a session
/// to the same image (`-dev IMG -map ... -commit`, run as the control on a copy: its first
/// 32 KiB are unchanged too, its partition tables still cover session 1 only; libisofs
/// rewrites them only when boot options are given again). The new session carries the
/// previous volume id, as xorriso's does, and on the CD-R its own system area blocks are
/// the first session's.
#[test]
fn add_to_a_hybrid_image_keeps_the_partition_tables_as_xorriso() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    debian_setup(d);
    std::fs::create_dir_all(d.join("more")).unwrap();
    std::fs::write(d.join("more/new.txt"), "session 2\n").unwrap();
    let img = d.join("hybrid.iso");
    build(&xorriso_dir(d).join("xorriso"), &img, &DEBIAN_ARGS, d);
    let xorriso = need("xorriso", "xorriso");
    let sa = system_area_at(&img, 0);
    let tables = |p: &Path| -> String {
        sfdisk(p)
            .lines()
            // The device name and sfdisk's alignment grain (it follows the file's size)
            // are not the tables.
            .filter(|l| !l.starts_with("device:") && !l.starts_with("grain:"))
            .map(|l| l.replace(&p.display().to_string(), "IMG"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let before = tables(&img);
    // The control: xorriso adds a session to a copy of the image file.
    let control = d.join("control.iso");
    std::fs::copy(&img, &control).unwrap();
    run(
        "xorriso -commit",
        Command::new(&xorriso)
            .arg("-dev")
            .arg(&control)
            .arg("-map")
            .arg(d.join("more/new.txt"))
            .args(["/new.txt", "-commit"]),
    );
    assert!(
        system_area_at(&control, 0) == sa,
        "xorriso rewrote the system area"
    );
    assert_eq!(tables(&control), before);
    assert_eq!(volume_id_at(&control, 0), "DEBTEST");
    for profile in ["dvd+rw", "cd-r"] {
        let disc = d.join(format!("{profile}.img"));
        let dev = format!("emu:{},profile={profile}", disc.display());
        let o = common::discburn(&["burn", "--multi", "--dev", &dev, img.to_str().unwrap()]);
        ok(&format!("burn on {profile}"), &o);
        let o = common::discburn(&[
            "add",
            "--json",
            "--dev",
            &dev,
            d.join("more").to_str().unwrap(),
        ]);
        ok(&format!("add on {profile}"), &o);
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let start = j["start"]
            .as_u64()
            .unwrap_or_else(|| panic!("no start: {j}"));
        assert!(start > 0, "{j}");
        assert!(
            system_area_at(&disc, 0) == sa,
            "{profile}: blocks 0..15 changed"
        );
        assert_eq!(tables(&disc), before, "{profile}: partition tables");
        assert_eq!(
            volume_id_at(&disc, start),
            "DEBTEST",
            "{profile}: volume id"
        );
        assert!(
            system_area_at(&disc, start) == sa,
            "{profile}: the new session's own system area is not the first session's"
        );
        // The new session reads with both files, and the boot record is kept.
        let find = run(
            "xorriso -find",
            Command::new(&xorriso)
                .arg("-indev")
                .arg(&disc)
                .args(["-load", "sbsector", &start.to_string()])
                .args(["-find", "/", "-name", "*.txt"]),
        );
        assert!(find.contains("'/new.txt'"), "{profile}: {find}");
        let rep = run(
            "xorriso -report_el_torito",
            Command::new(&xorriso)
                .arg("-indev")
                .arg(&disc)
                .args(["-load", "sbsector", &start.to_string()])
                .args(["-report_el_torito", "plain"]),
        );
        assert!(
            rep.contains("El Torito boot img :   1  BIOS"),
            "{profile}: {rep}"
        );
        if profile == "dvd+rw" {
            // Overwritable: the new descriptors are at block 16 too.
            assert_eq!(volume_id_at(&disc, 0), "DEBTEST");
        }
    }
}

/// Sorted lines of a peer's listing of `img`.
fn listing(what: &str, cmd: &mut Command) -> Vec<String> {
    let mut v: Vec<String> = run(what, cmd).lines().map(str::to_string).collect();
    v.sort();
    v
}

/// Deep directories (more than 8 levels, ECMA-119 §6.8.2.1) as xorrisofs treats them: it
/// has -D by default (the man page: "xorrisofs has -D set by default"), relocates only with
/// -rr_reloc_dir NAME or -hide-rr-moved, and an explicit -D wins over both. For each of
/// these the ISO 9660 names (isoinfo -f) and the Rock Ridge tree (xorriso -find) equal
/// xorriso's. Relocated, the relocation directory carries RE (RRIP §4.1.5.3): xorriso and
/// bsdtar show the tree as it was, no relocation directory, and 7z (which reads the Joliet
/// tree, where every directory stays in place) neither. The relocated session is then
/// continued by genisoimage -M, xorriso -as mkisofs -M and discburn -M: each new session
/// holds the deep file at its place (xorriso extracts it) and no relocation directory.
#[test]
fn deep_directories_as_xorrisofs() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let deep = "a/b/c/d/e/f/g/h/i/j/file.txt";
    let f = d.join("t").join(deep);
    std::fs::create_dir_all(f.parent().unwrap()).unwrap();
    std::fs::write(&f, "deep\n").unwrap();
    std::fs::write(d.join("t/top.txt"), "top\n").unwrap();
    std::fs::create_dir_all(d.join("t2")).unwrap();
    std::fs::write(d.join("t2/two.txt"), "two\n").unwrap();
    let ours_bin = xorriso_dir(d).join("xorriso");
    let xorriso = need("xorriso", "xorriso");
    let isoinfo = need("isoinfo", "genisoimage");
    let find = |img: &Path, sb: u64| {
        listing(
            "xorriso -find",
            Command::new(&xorriso).arg("-indev").arg(img).args([
                "-load",
                "sbsector",
                &sb.to_string(),
                "-find",
                "/",
            ]),
        )
    };
    for (opts, reloc) in [
        (&[][..], None),
        (&["-hide-rr-moved"][..], Some("_RR_MOVE")),
        (&["-rr_reloc_dir", "RELOC"][..], Some("RELOC")),
        (&["-D", "-rr_reloc_dir", "RELOC"][..], None),
        (&["-hide-rr-moved", "-D"][..], None),
    ] {
        let mut a = vec!["-R", "-J"];
        a.extend_from_slice(opts);
        a.push("t");
        let (o, x) = (d.join("o.iso"), d.join("x.iso"));
        build(&ours_bin, &o, &a, d);
        build(&xorriso, &x, &a, d);
        let iso = |img: &Path| {
            listing(
                "isoinfo -f",
                Command::new(&isoinfo).arg("-f").arg("-i").arg(img),
            )
        };
        let oi = iso(&o);
        assert_eq!(oi, iso(&x), "{opts:?}: ISO 9660 names (left discburn)");
        let of = find(&o, 0);
        assert_eq!(of, find(&x, 0), "{opts:?}: Rock Ridge tree (left discburn)");
        // What the equal listings say.
        assert!(of.contains(&format!("'/{deep}'")), "{opts:?}: {of:?}");
        assert!(!of
            .iter()
            .any(|l| l.contains("rr_moved") || l.contains("RELOC")));
        match reloc {
            Some(r) => assert!(oi.contains(&format!("/{r}")), "{opts:?}: {oi:?}"),
            None => assert!(
                oi.contains(&"/A/B/C/D/E/F/G/H/I/J/FILE.TXT;1".to_string()),
                "{opts:?}: {oi:?}"
            ),
        }
    }
    // Relocated: bsdtar and 7z show no relocation directory either.
    let one = d.join("one.iso");
    build(
        &ours_bin,
        &one,
        &["-R", "-J", "-rr_reloc_dir", "rr_moved", "t"],
        d,
    );
    assert!(
        listing(
            "isoinfo -f",
            Command::new(&isoinfo).arg("-f").arg("-i").arg(&one)
        )
        .contains(&"/RR_MOVED".to_string()),
        "not relocated"
    );
    let bsdtar = listing(
        "bsdtar tf",
        Command::new(need("bsdtar", "libarchive-tools"))
            .arg("tf")
            .arg(&one),
    );
    assert!(bsdtar.iter().any(|l| l.ends_with(deep)), "{bsdtar:?}");
    assert!(!bsdtar.iter().any(|l| l.contains("rr_moved")), "{bsdtar:?}");
    let sz = run(
        "7z l",
        Command::new(need("7z", "p7zip-full"))
            .args(["l", "-slt"])
            .arg(&one),
    );
    let paths: Vec<&str> = sz
        .lines()
        .filter_map(|l| l.strip_prefix("Path = "))
        .collect();
    assert!(paths.iter().any(|p| p.ends_with(deep)), "{paths:?}");
    assert!(
        !paths
            .iter()
            .any(|p| p.to_ascii_lowercase().contains("rr_moved")),
        "{paths:?}"
    );
    // Continued by genisoimage, xorriso and discburn.
    let next = std::fs::metadata(&one).unwrap().len() / 2048;
    let c = format!("0,{next}");
    let m = one.display().to_string();
    let ms = ["-R", "-J", "-M", &m, "-C", &c, "t2"];
    let geniso = need("genisoimage", "genisoimage");
    for who in ["genisoimage", "xorriso", "discburn"] {
        let two = d.join(format!("two-{who}.iso"));
        match who {
            "genisoimage" => {
                run(
                    "genisoimage -M",
                    Command::new(&geniso)
                        .current_dir(d)
                        .args(["-quiet", "-o"])
                        .arg(&two)
                        .args(ms),
                );
            }
            "xorriso" => build(&xorriso, &two, &ms, d),
            _ => build(&ours_bin, &two, &ms, d),
        }
        let mut disc = std::fs::read(&one).unwrap();
        disc.resize(next as usize * 2048, 0);
        disc.extend(std::fs::read(&two).unwrap());
        let dp = d.join(format!("disc-{who}.iso"));
        std::fs::write(&dp, disc).unwrap();
        let tree = find(&dp, next);
        for want in [
            format!("'/{deep}'"),
            "'/two.txt'".into(),
            "'/top.txt'".into(),
        ] {
            assert!(tree.contains(&want), "{who} -M: {want} missing: {tree:?}");
        }
        assert!(
            !tree.iter().any(|l| l.contains("rr_moved")),
            "{who} -M: {tree:?}"
        );
        let out = d.join(format!("x-{who}"));
        run(
            "xorriso -extract",
            Command::new(&xorriso)
                .arg("-indev")
                .arg(&dp)
                .args(["-load", "sbsector", &next.to_string()])
                .args(["-osirrox", "on", "-extract", &format!("/{deep}")])
                .arg(&out),
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "deep\n", "{who} -M");
    }
}

/// The MBR geometry and type options distribution scripts pass besides the common lines,
/// each compared with xorriso's image of the same line (report_system_area,
/// report_el_torito, sfdisk, sgdisk): -partition_hd_cyl / -partition_sec_hd with
/// -partition_cyl_align on (255 × 63: a cylinder that does not end on a 2 KiB block, the
/// partition covering whole cylinders of the padded image, as libisofs has it),
/// -iso_mbr_part_type on an isohybrid MBR without GPT, and -G / --embedded-boot (a system
/// area file taken as it is) with --protective-msdos-label. (With alignment off the image
/// sizes follow each builder's layout, so they are not compared here.)
#[test]
fn mbr_geometry_type_and_generic_boot_match_xorriso() {
    let isohybrid = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut v = vec![
            "-r",
            "-J",
            "-V",
            "GEOM",
            "-isohybrid-mbr",
            "cd/isolinux/isohdpfx.bin",
            "-b",
            "isolinux/isolinux.bin",
            "-c",
            "isolinux/boot.cat",
            "-no-emul-boot",
            "-boot-load-size",
            "4",
            "-boot-info-table",
        ];
        v.extend_from_slice(extra);
        v.push("cd");
        v
    };
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "geometry-on",
            isohybrid(&[
                "-partition_hd_cyl",
                "255",
                "-partition_sec_hd",
                "63",
                "-partition_cyl_align",
                "on",
            ]),
            "MBR heads per cyl  : 255",
        ),
        (
            "geometry-16-32",
            isohybrid(&[
                "-partition_hd_cyl",
                "16",
                "-partition_sec_hd",
                "32",
                "-partition_cyl_align",
                "on",
            ]),
            "MBR heads per cyl  : 16",
        ),
        ("type", isohybrid(&["-iso_mbr_part_type", "0x83"]), "0x83"),
        (
            "generic",
            vec![
                "-r",
                "-G",
                "cd/isolinux/isohdpfx.bin",
                "--protective-msdos-label",
                // Aligned, so that the sizes do not depend on each builder's layout.
                "-partition_cyl_align",
                "on",
                "cd",
            ],
            "MBR partition      :   1",
        ),
        (
            "embedded",
            vec![
                "-r",
                "--embedded-boot",
                "cd/isolinux/isohdpfx.bin",
                "--protective-msdos-label",
                "-iso_mbr_part_type",
                "0x17",
                "-partition_cyl_align",
                "on",
                "cd",
            ],
            "0x17",
        ),
    ];
    for (name, args, says) in cases {
        let p = pair(name, debian_setup, &args);
        let (ours, _) = compare(&p);
        let all = ours.join("\n");
        assert!(all.contains(says), "{name}: {all}");
        // The template's boot code is there in both (its first 432 bytes, as given).
        let tpl = std::fs::read(p.ours.parent().unwrap().join("cd/isolinux/isohdpfx.bin")).unwrap();
        let img = std::fs::read(&p.ours).unwrap();
        assert_eq!(img[..400], tpl[..400], "{name}: boot code");
    }
}
