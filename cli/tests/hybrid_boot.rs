//! Booting what discburn builds as distributions build it (El Torito 1.0 BIOS and EFI
//! entries, the isohybrid MBR/GPT system area): grub-mkrescue, with discburn as its
//! xorriso, makes a rescue image; QEMU boots it with SeaBIOS and with OVMF, each from the
//! CD drive (El Torito) and from a USB stick (the MBR/GPT), and its grub.cfg prints a
//! marker on the serial console; so do the Debian- and Arch-style images of xorrisofs.rs
//! (isolinux under SeaBIOS, an EFI GRUB under OVMF). An image xorriso built from the same
//! input is the control: it is booted in every combination where ours fails, so that the
//! failure names which side is at fault (firmware or test setup when the control fails
//! too, discburn when only ours does).
//!
//! Debian's grub-mkrescue always passes `-hfsplus` and its Apple options; discburn writes
//! no HFS+ tree and refuses them unless `DISCBURN_HFSPLUS=omit` is set, which this test
//! sets (neither SeaBIOS nor OVMF reads HFS+).
#![cfg(unix)] // reason: the symlinked personality and the Unix peers (QEMU, grub-mkrescue, xorriso)
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::hybrid::*;

/// How long one boot may take. OVMF under TCG reaches GRUB in about 15-30 s on a loaded
/// 2-core machine; SeaBIOS in a few seconds.
const LIMIT: Duration = Duration::from_secs(300);

/// A tree for grub-mkrescue whose grub.cfg prints [`RESCUE_MARK`] on the serial port
/// (and on the firmware console). The marker is assembled from a variable so that the
/// file's own bytes never match it.
fn rescue_tree(root: &Path) {
    let grub = root.join("boot/grub");
    std::fs::create_dir_all(&grub).unwrap();
    let (head, tail) = RESCUE_MARK.split_once('-').unwrap();
    std::fs::write(
        grub.join("grub.cfg"),
        format!(
            "serial --unit=0 --speed=115200\n\
             terminal_output --append serial\n\
             set m={head}\n\
             echo \"${{m}}-{tail}\"\n"
        ),
    )
    .unwrap();
    std::fs::write(root.join("readme.txt"), "a rescue image\n").unwrap();
}

/// `grub-mkrescue --xorriso=XORRISO -o OUT ROOT`.
fn mkrescue(xorriso: &Path, out: &Path, root: &Path) {
    let mkrescue = need("grub-mkrescue", "grub-common");
    need_file("/usr/lib/grub/i386-pc/cdboot.img", "grub-pc-bin");
    need_file("/usr/lib/grub/x86_64-efi/kernel.img", "grub-efi-amd64-bin");
    need("mformat", "mtools");
    run(
        &format!("grub-mkrescue --xorriso={}", xorriso.display()),
        Command::new(mkrescue)
            .arg(format!("--xorriso={}", xorriso.display()))
            .arg("-o")
            .arg(out)
            .arg(root)
            .env("DISCBURN_HFSPLUS", "omit"),
    );
}

/// One boot: the image, how it is presented, the firmware, the marker it must print.
type Case = (PathBuf, Medium, Firmware, &'static str);

/// Boots each of `cases` in parallel; returns per case whether the marker appeared, the
/// console output and the time taken.
fn boot_all(cases: &[Case]) -> Vec<(bool, String, Duration)> {
    let handles: Vec<_> = cases
        .iter()
        .cloned()
        .map(|(img, m, f, mark)| {
            std::thread::spawn(move || {
                let t0 = Instant::now();
                let (ok, out) = boot(&img, m, f, mark, LIMIT);
                (ok, out, t0.elapsed())
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// The marker a distribution image prints: isolinux's under SeaBIOS, the EFI GRUB's
/// under OVMF.
fn mark(f: Firmware) -> &'static str {
    match f {
        Firmware::Bios => ISOLINUX_SEEN,
        Firmware::Uefi => EFI_MARK,
    }
}

/// The images discburn builds boot under SeaBIOS and OVMF, from the CD drive and from a
/// USB stick: grub-mkrescue's rescue image (discburn as its xorriso: GRUB2 MBR,
/// protective label, EFI boot partition in a GPT), Debian's line (isohdpfx.bin MBR,
/// isolinux, the EFI image a file of the tree) and Arch's (partition offset 16, the EFI
/// System Partition appended as GPT partition 2). All twelve boots run in parallel.
#[test]
fn hybrid_images_boot_bios_and_uefi_from_cd_and_usb() {
    need("qemu-system-x86_64", "qemu-system-x86");
    need_file("/usr/share/seabios/bios-256k.bin", "seabios");
    need_file("/usr/share/OVMF/OVMF_CODE_4M.fd", "ovmf");
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let ours_bin = xorriso_dir(d).join("xorriso");
    let xorriso = need("xorriso", "xorriso");
    let root = d.join("tree");
    rescue_tree(&root);
    debian_setup(d);
    arch_setup(d);
    // (name, build with the given xorriso into the given file)
    type Builder<'a> = Box<dyn Fn(&Path, &Path) + 'a>;
    let images: Vec<(&str, Builder<'_>)> = vec![
        (
            "rescue",
            Box::new(|x: &Path, o: &Path| mkrescue(x, o, &d.join("tree"))),
        ),
        (
            "debian",
            Box::new(|x: &Path, o: &Path| build(x, o, &DEBIAN_ARGS, d)),
        ),
        (
            "arch",
            Box::new(|x: &Path, o: &Path| build(x, o, &ARCH_ARGS, d)),
        ),
    ];
    let combos = [
        (Medium::Cd, Firmware::Bios),
        (Medium::Usb, Firmware::Bios),
        (Medium::Cd, Firmware::Uefi),
        (Medium::Usb, Firmware::Uefi),
    ];
    let mut cases: Vec<Case> = Vec::new();
    let mut names = Vec::new();
    for (name, make) in &images {
        let img = d.join(format!("{name}-discburn.iso"));
        make(&ours_bin, &img);
        // It is our image: the volume descriptor names no libisofs.
        let head = std::fs::read(&img).unwrap();
        assert!(
            !head[16 * 2048..17 * 2048]
                .windows(8)
                .any(|w| w == b"LIBISOFS"),
            "{name}: xorriso built it, not discburn"
        );
        for &(m, f) in &combos {
            let marker = if *name == "rescue" {
                RESCUE_MARK
            } else {
                mark(f)
            };
            cases.push((img.clone(), m, f, marker));
            names.push(*name);
        }
    }
    let results = boot_all(&cases);
    for (i, (ok, _, t)) in results.iter().enumerate() {
        eprintln!(
            "discburn's {} image, {:?} from {:?}: {} after {:.1} s",
            names[i],
            cases[i].2,
            cases[i].1,
            if *ok { "marker seen" } else { "NO marker" },
            t.as_secs_f64()
        );
    }
    let failed: Vec<usize> = (0..cases.len()).filter(|&i| !results[i].0).collect();
    if failed.is_empty() {
        return;
    }
    // The control: xorriso's image from the same input, in the combinations that failed.
    let mut controls: Vec<Case> = Vec::new();
    for &i in &failed {
        let theirs = d.join(format!("{}-xorriso.iso", names[i]));
        if !theirs.exists() {
            let make = &images.iter().find(|(n, _)| *n == names[i]).unwrap().1;
            make(&xorriso, &theirs);
        }
        let (_, m, f, marker) = cases[i].clone();
        controls.push((theirs, m, f, marker));
    }
    let control = boot_all(&controls);
    let tail = |s: &str| {
        let s: String = s.chars().rev().take(1500).collect();
        s.chars().rev().collect::<String>()
    };
    let mut msg = String::new();
    for (k, &i) in failed.iter().enumerate() {
        let (_, m, f, marker) = &cases[i];
        let verdict = if control[k].0 {
            "xorriso's image boots there: discburn's image is at fault"
        } else {
            "xorriso's image fails too: the firmware/QEMU setup is at fault"
        };
        msg.push_str(&format!(
            "\n{} image, {f:?} from {m:?}: no {marker} within {} s; {verdict}\n\
             --- discburn image's console (end) ---\n{}\n\
             --- xorriso image's console (end) ---\n{}\n",
            names[i],
            LIMIT.as_secs(),
            tail(&results[i].1),
            tail(&control[k].1)
        ));
    }
    panic!("{msg}");
}

/// `xorriso -report_el_torito plain` of `img`, only the El Torito lines.
fn el_torito(img: &Path) -> Vec<String> {
    report(img)
        .into_iter()
        .filter(|l| l.starts_with("El Torito"))
        .collect()
}

/// A hybrid image's next session: the Debian-style image burned by discburn onto an
/// emulated DVD+RW, then `discburn add` of one file. The system area (blocks 0-15: MBR,
/// GPT) is untouched, as xorriso leaves it when it grows the same image as an overwritable
/// medium (its partition entries keep the first session's size in both: neither rewrites
/// them). The El Torito boot record differs from xorriso's default: xorriso (1.5.4)
/// discards the old session's boot images ("Detected El-Torito boot information which
/// currently is set to be discarded") unless told `-boot_image any keep`; discburn keeps
/// them by default (the new boot record points at the first session's catalog), since the
/// descriptor copy at block 16 would otherwise leave a DVD+RW unbootable from the CD
/// drive. El Torito 1.0 §2.0 reads the boot record from the descriptor set at block 17, so
/// only a kept record keeps the CD boot. The grown medium boots under SeaBIOS from the CD
/// drive and as a USB stick, and under OVMF from the CD drive (the kept EFI entry).
#[test]
fn grown_hybrid_dvd_rw_keeps_system_area_and_el_torito() {
    need("qemu-system-x86_64", "qemu-system-x86");
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    debian_setup(d);
    let s1 = d.join("s1.iso");
    build(&xorriso_dir(d).join("xorriso"), &s1, &DEBIAN_ARGS, d);
    let extra = d.join("extra");
    std::fs::create_dir_all(&extra).unwrap();
    std::fs::write(extra.join("more.txt"), "second session\n").unwrap();
    let disc = d.join("disc.img");
    let dev = format!("emu:{},profile=dvd+rw", disc.display());
    let bin = env!("CARGO_BIN_EXE_discburn");
    run(
        "discburn burn",
        Command::new(bin)
            .args(["burn", "-q", "--dev", &dev])
            .arg(&s1),
    );
    run(
        "discburn add",
        Command::new(bin)
            .args(["add", "-q", "--dev", &dev])
            .arg(&extra),
    );
    let grown = std::fs::read(&disc).unwrap();
    let first = std::fs::read(&s1).unwrap();
    assert!(grown.len() > first.len(), "add wrote no session");
    assert!(
        grown[..16 * 2048] == first[..16 * 2048],
        "the system area changed"
    );
    assert_eq!(
        el_torito(&disc),
        el_torito(&s1),
        "the boot record does not point at the first session's catalog"
    );
    let files = run(
        "xorriso -find",
        Command::new(need("xorriso", "xorriso"))
            .arg("-indev")
            .arg(&disc)
            .args(["-find", "/", "-name", "more.txt"]),
    );
    assert!(files.contains("'/more.txt'"), "{files}");
    // xorriso growing the same first session as an overwritable medium (a stdio file).
    let xorriso = need("xorriso", "xorriso");
    let grow = |keep: bool| -> PathBuf {
        let f = d.join(if keep { "x-keep.img" } else { "x.img" });
        std::fs::copy(&s1, &f).unwrap();
        let mut c = Command::new(&xorriso);
        c.arg("-dev").arg(&f);
        if keep {
            c.args(["-boot_image", "any", "keep"]);
        }
        c.arg("-map").arg(&extra).args(["/", "-commit"]);
        run("xorriso -commit", &mut c);
        f
    };
    let x = grow(false);
    let xs = std::fs::read(&x).unwrap();
    assert!(
        xs[..16 * 2048] == first[..16 * 2048],
        "xorriso rewrote the system area"
    );
    assert!(
        el_torito(&x).is_empty(),
        "xorriso kept El Torito by default"
    );
    let xk = el_torito(&grow(true));
    // With keep, xorriso writes a new catalog in its session; the entries are the same.
    let entries = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|l| !l.starts_with("El Torito catalog"))
            .cloned()
            .collect()
    };
    assert_eq!(entries(&xk), entries(&el_torito(&disc)));
    let cases: Vec<Case> = vec![
        (disc.clone(), Medium::Cd, Firmware::Bios, ISOLINUX_SEEN),
        (disc.clone(), Medium::Usb, Firmware::Bios, ISOLINUX_SEEN),
        (disc.clone(), Medium::Cd, Firmware::Uefi, EFI_MARK),
    ];
    let res = boot_all(&cases);
    for (c, r) in cases.iter().zip(&res) {
        assert!(
            r.0,
            "the grown DVD+RW, {:?} from {:?}: no {} within {} s\n{}",
            c.2,
            c.1,
            c.3,
            LIMIT.as_secs(),
            r.1
        );
    }
}
