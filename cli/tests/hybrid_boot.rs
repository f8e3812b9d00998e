//! Booting what discburn builds as distributions build it (El Torito 1.0 BIOS and EFI
//! entries, the isohybrid MBR/GPT system area): grub-mkrescue, with discburn as its
//! xorriso, makes a rescue image; QEMU boots it with SeaBIOS and with OVMF, each from the
//! CD drive (El Torito) and from a USB stick (the MBR/GPT), and its grub.cfg prints a
//! marker on the serial console. An image xorriso built from the same tree is the
//! control: it is booted in every combination where ours fails, so that the failure names
//! which side is at fault (firmware or test setup when the control fails too, discburn
//! when only ours does).
//!
//! Debian's grub-mkrescue always passes `-hfsplus` and its Apple options; discburn writes
//! no HFS+ tree and refuses them unless `DISCBURN_HFSPLUS=omit` is set, which this test
//! sets (neither SeaBIOS nor OVMF reads HFS+).

#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

mod hybrid_common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use hybrid_common::*;

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

/// Boots each of `cases` (image, medium, firmware) in parallel; returns per case whether
/// the marker appeared, the console output and the time taken.
fn boot_all(cases: &[(PathBuf, Medium, Firmware)]) -> Vec<(bool, String, Duration)> {
    let handles: Vec<_> = cases
        .iter()
        .cloned()
        .map(|(img, m, f)| {
            std::thread::spawn(move || {
                let t0 = Instant::now();
                let (ok, out) = boot(&img, m, f, RESCUE_MARK, LIMIT);
                (ok, out, t0.elapsed())
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// The rescue image discburn builds for grub-mkrescue boots under SeaBIOS and OVMF, from
/// the CD drive and from a USB stick.
#[test]
fn grub_mkrescue_image_boots_bios_and_uefi_from_cd_and_usb() {
    need("qemu-system-x86_64", "qemu-system-x86");
    need_file("/usr/share/seabios/bios-256k.bin", "seabios");
    need_file("/usr/share/OVMF/OVMF_CODE_4M.fd", "ovmf");
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("tree");
    rescue_tree(&root);
    let ours = tmp.path().join("rescue-discburn.iso");
    let theirs = tmp.path().join("rescue-xorriso.iso");
    mkrescue(&xorriso_dir(tmp.path()).join("xorriso"), &ours, &root);
    // It is our image: the volume descriptors name discburn, not libisofs.
    let head = std::fs::read(&ours).unwrap();
    let pvd = &head[16 * 2048..17 * 2048];
    assert!(
        !pvd.windows(8).any(|w| w == b"LIBISOFS"),
        "grub-mkrescue ran xorriso, not discburn"
    );
    let combos = [
        (Medium::Cd, Firmware::Bios),
        (Medium::Usb, Firmware::Bios),
        (Medium::Cd, Firmware::Uefi),
        (Medium::Usb, Firmware::Uefi),
    ];
    let cases: Vec<_> = combos.iter().map(|&(m, f)| (ours.clone(), m, f)).collect();
    let results = boot_all(&cases);
    let failed: Vec<usize> = (0..combos.len()).filter(|&i| !results[i].0).collect();
    for (i, (ok, _, t)) in results.iter().enumerate() {
        eprintln!(
            "discburn image, {:?} from {:?}: {} after {:.1} s",
            combos[i].1,
            combos[i].0,
            if *ok { "marker seen" } else { "NO marker" },
            t.as_secs_f64()
        );
    }
    if failed.is_empty() {
        return;
    }
    // The control: xorriso's image of the same tree, in the combinations that failed.
    mkrescue(&need("xorriso", "xorriso"), &theirs, &root);
    let controls = boot_all(
        &failed
            .iter()
            .map(|&i| (theirs.clone(), combos[i].0, combos[i].1))
            .collect::<Vec<_>>(),
    );
    let mut msg = String::new();
    for (k, &i) in failed.iter().enumerate() {
        let (m, f) = combos[i];
        let verdict = if controls[k].0 {
            "xorriso's image boots there: discburn's image is at fault"
        } else {
            "xorriso's image fails too: the firmware/QEMU setup is at fault"
        };
        let tail = |s: &str| {
            let s: String = s.chars().rev().take(1500).collect();
            s.chars().rev().collect::<String>()
        };
        msg.push_str(&format!(
            "\n{f:?} from {m:?}: no {RESCUE_MARK} within {} s; {verdict}\n\
             --- discburn image's console (end) ---\n{}\n\
             --- xorriso image's console (end) ---\n{}\n",
            LIMIT.as_secs(),
            tail(&results[i].1),
            tail(&controls[k].1)
        ));
    }
    panic!("{msg}");
}
