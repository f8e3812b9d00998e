//! Helpers of the hybrid-image tests: the binary started as `xorriso`, peer tools, the
//! boot trees (isolinux from Debian's isolinux package, a GRUB EFI image made by
//! grub-mkimage on an mtools FAT image), xorriso's reports, and QEMU boots that wait for
//! a marker on the serial console.
#![allow(dead_code)] // reason: each test binary uses a part
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The default label of the isolinux.cfg [`isolinux_tree`] writes (no such kernel exists).
pub const ISOLINUX_MARK: &str = "ISOLINUX-SAYS-HELLO";
/// What isolinux prints on the serial console when it tries that label: proof that it
/// ran and read its configuration from the image. (isolinux 6.04 prints a `SAY` line
/// before its `SERIAL` line takes effect, so a SAY marker never reaches the serial port.)
pub const ISOLINUX_SEEN: &str = "Loading ISOLINUX-SAYS-HELLO";
/// Marker the GRUB EFI image's embedded configuration prints.
pub const EFI_MARK: &str = "EFI-GRUB-SAYS-HELLO";
/// Marker grub-mkrescue's grub.cfg prints.
pub const RESCUE_MARK: &str = "RESCUE-GRUB-SAYS-HELLO";
/// The date and disk GUID given to both builders, so that their tables can be compared.
pub const DATE: &str = "--modification-date=2026120700000000";
/// See [`DATE`].
pub const GUID: &str = "6d5556e8-5732-f348-81a5-a3fd79dc6321";

pub use super::{need, need_file, ok};

/// Runs `cmd`, requires success, returns its standard output.
pub fn run(what: &str, cmd: &mut Command) -> String {
    let o = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    ok(what, &o);
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A folder holding the discburn binary under the name `xorriso` (and `xorrisofs`).
pub fn xorriso_dir(tmp: &Path) -> PathBuf {
    let d = tmp.join("bin");
    std::fs::create_dir_all(&d).unwrap();
    for n in ["xorriso", "xorrisofs"] {
        super::personality(&d, n);
    }
    d
}

/// A 1.44 MB FAT image holding `EFI/BOOT/BOOTX64.EFI`: GRUB for x86_64-efi whose
/// embedded configuration prints [`EFI_MARK`] (made by grub-mkimage, mformat, mmd, mcopy).
pub fn efiboot_img(tmp: &Path) -> PathBuf {
    let img = tmp.join("efiboot.img");
    if img.exists() {
        return img;
    }
    let mkimage = need("grub-mkimage", "grub-common");
    need_file("/usr/lib/grub/x86_64-efi/kernel.img", "grub-efi-amd64-bin");
    let cfg = tmp.join("embed.cfg");
    std::fs::write(&cfg, format!("echo {EFI_MARK}\n")).unwrap();
    let efi = tmp.join("BOOTX64.EFI");
    run(
        "grub-mkimage",
        Command::new(mkimage)
            .args(["-O", "x86_64-efi", "-p", "/EFI/BOOT", "-c"])
            .arg(&cfg)
            .arg("-o")
            .arg(&efi)
            .arg("echo"),
    );
    let m = |p: &str| need(p, "mtools");
    run(
        "mformat",
        Command::new(m("mformat"))
            .args(["-C", "-f", "1440", "-i"])
            .arg(&img)
            .arg("::"),
    );
    run(
        "mmd",
        Command::new(m("mmd"))
            .arg("-i")
            .arg(&img)
            .args(["::EFI", "::EFI/BOOT"]),
    );
    run(
        "mcopy",
        Command::new(m("mcopy"))
            .arg("-i")
            .arg(&img)
            .arg(&efi)
            .arg("::EFI/BOOT/"),
    );
    img
}

/// A tree with isolinux (isolinux.bin, ldlinux.c32, an isolinux.cfg that turns on the
/// serial port and boots the missing kernel [`ISOLINUX_MARK`] at once) under `dir` (e.g.
/// "isolinux" or "boot/syslinux"), isohdpfx.bin beside it, and a text file.
pub fn isolinux_tree(root: &Path, dir: &str) {
    let d = root.join(dir);
    std::fs::create_dir_all(&d).unwrap();
    for (src, pkg) in [
        ("/usr/lib/ISOLINUX/isolinux.bin", "isolinux"),
        ("/usr/lib/ISOLINUX/isohdpfx.bin", "isolinux"),
        (
            "/usr/lib/syslinux/modules/bios/ldlinux.c32",
            "syslinux-common",
        ),
    ] {
        let s = need_file(src, pkg);
        std::fs::copy(&s, d.join(s.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        d.join("isolinux.cfg"),
        format!("SERIAL 0 115200\nDEFAULT {ISOLINUX_MARK}\nPROMPT 0\nTIMEOUT 1\n"),
    )
    .unwrap();
    std::fs::write(root.join("readme.txt"), "a hybrid image\n").unwrap();
}

/// `xorriso -report_system_area plain -report_el_torito plain` of `img`, without
/// xorriso's own messages.
pub fn report(img: &Path) -> Vec<String> {
    let out = Command::new(need("xorriso", "xorriso"))
        .arg("-indev")
        .arg(img)
        .args(["-report_system_area", "plain", "-report_el_torito", "plain"])
        .output()
        .unwrap();
    ok("xorriso -report_system_area", &out);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("xorriso")
                && !l.starts_with("Drive")
                && !l.starts_with("Media")
                && !l.starts_with("Boot record")
                && !l.starts_with("libisofs")
        })
        .map(str::to_string)
        .collect()
}

/// `sfdisk -d` of `img`, the device names replaced by "IMG".
pub fn sfdisk(img: &Path) -> String {
    let out = run(
        "sfdisk -d",
        Command::new(need("sfdisk", "fdisk")).arg("-d").arg(img),
    );
    out.replace(&img.display().to_string(), "IMG")
}

/// `sgdisk -p` of `img` (its exit status and output; sgdisk refuses the overlapping
/// partitions of an isohybrid GPT), the file name replaced by "IMG".
pub fn sgdisk(img: &Path) -> String {
    let o = Command::new(need("sgdisk", "gdisk"))
        .arg("-p")
        .arg(img)
        .output()
        .unwrap();
    format!(
        "{}\n{}{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
    .replace(&img.display().to_string(), "IMG")
}

/// Builds `out` with `xorriso -as mkisofs ARGS` from program `prog`.
pub fn build(prog: &Path, out: &Path, args: &[&str], cwd: &Path) {
    run(
        &format!("{} -as mkisofs", prog.display()),
        Command::new(prog)
            .current_dir(cwd)
            .args(["-as", "mkisofs", DATE, "--gpt_disk_guid", GUID])
            .args(args)
            .arg("-o")
            .arg(out),
    );
}

/// The tree of [`DEBIAN_ARGS`]: `cd/` with isolinux and `boot/grub/efi.img`.
pub fn debian_setup(d: &Path) {
    let root = d.join("cd");
    isolinux_tree(&root, "isolinux");
    std::fs::create_dir_all(root.join("boot/grub")).unwrap();
    std::fs::copy(efiboot_img(d), root.join("boot/grub/efi.img")).unwrap();
}

/// Debian's debian-cd / Fedora's lorax line (isohybrid MBR from isohdpfx.bin, BIOS and
/// EFI El Torito entries, the EFI image a file of the tree marked in MBR and GPT), on the
/// tree [`debian_setup`] makes.
pub const DEBIAN_ARGS: [&str; 21] = [
    "-r",
    "-J",
    "-joliet-long",
    "-V",
    "DEBTEST",
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
    "-eltorito-alt-boot",
    "-e",
    "boot/grub/efi.img",
    "-no-emul-boot",
    "-isohybrid-gpt-basdat",
    "cd",
];

/// The tree of [`ARCH_ARGS`]: `iso/` with syslinux under boot/syslinux, efiboot.img beside.
pub fn arch_setup(d: &Path) {
    let root = d.join("iso");
    isolinux_tree(&root, "boot/syslinux");
    efiboot_img(d);
}

/// The arguments of Arch's mkarchiso (BIOS syslinux El Torito and MBR, UEFI from an
/// appended EFI System Partition in a GPT).
pub const ARCH_ARGS: [&str; 42] = [
    "-iso-level",
    "3",
    "-full-iso9660-filenames",
    "-joliet",
    "-joliet-long",
    "-rational-rock",
    "-volid",
    "ARCH_TEST",
    "-appid",
    "Arch Linux baseline",
    "-publisher",
    "Arch Linux <https://archlinux.org>",
    "-preparer",
    "prepared by mkarchiso",
    "-eltorito-boot",
    "boot/syslinux/isolinux.bin",
    "-eltorito-catalog",
    "boot/syslinux/boot.cat",
    "-no-emul-boot",
    "-boot-load-size",
    "4",
    "-boot-info-table",
    "-isohybrid-mbr",
    "iso/boot/syslinux/isohdpfx.bin",
    "--mbr-force-bootable",
    "-partition_offset",
    "16",
    "-append_partition",
    "2",
    "C12A7328-F81F-11D2-BA4B-00A0C93EC93B",
    "efiboot.img",
    "-appended_part_as_gpt",
    "-eltorito-alt-boot",
    "-e",
    "--interval:appended_partition_2:all::",
    "-no-emul-boot",
    "-isohybrid-gpt-basdat",
    "-output",
    "ignored.iso",
    "-pad",
    "-quiet",
    "iso",
];

/// How a boot test presents the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    /// The CD-ROM drive (El Torito).
    Cd,
    /// A USB stick (usb-storage on xHCI; MBR/GPT).
    Usb,
}

/// Which firmware boots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Firmware {
    /// SeaBIOS.
    Bios,
    /// OVMF (UEFI).
    Uefi,
}

/// Boots `img` in QEMU (TCG) and waits until `marker` appears on the serial console or
/// `limit` passes; returns whether it appeared and the console output. QEMU is killed by
/// its own process id either way.
pub fn boot(
    img: &Path,
    medium: Medium,
    fw: Firmware,
    marker: &str,
    limit: Duration,
) -> (bool, String) {
    let qemu = need("qemu-system-x86_64", "qemu-system-x86");
    let tmp = tempfile::tempdir().unwrap();
    let mut c = Command::new(qemu);
    c.args(["-accel", "tcg", "-m", "256", "-no-reboot", "-nodefaults"]);
    c.args(["-serial", "stdio", "-display", "none", "-monitor", "none"]);
    if fw == Firmware::Uefi {
        let code = need_file("/usr/share/OVMF/OVMF_CODE_4M.fd", "ovmf");
        let vars = need_file("/usr/share/OVMF/OVMF_VARS_4M.fd", "ovmf");
        let v = tmp.path().join("vars.fd");
        std::fs::copy(&vars, &v).unwrap();
        c.arg("-drive").arg(format!(
            "if=pflash,format=raw,readonly=on,file={}",
            code.display()
        ));
        c.arg("-drive")
            .arg(format!("if=pflash,format=raw,file={}", v.display()));
    }
    match medium {
        Medium::Cd => {
            c.arg("-drive").arg(format!(
                "file={},format=raw,if=none,id=cd0,media=cdrom,readonly=on",
                img.display()
            ));
            c.args(["-device", "ide-cd,drive=cd0,bootindex=0"]);
        }
        Medium::Usb => {
            c.arg("-drive").arg(format!(
                "file={},format=raw,if=none,id=u0,snapshot=on",
                img.display()
            ));
            c.args([
                "-device",
                "qemu-xhci",
                "-device",
                "usb-storage,drive=u0,bootindex=0",
            ]);
        }
    }
    c.args(["-vga", "none"]);
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut b = [0u8; 4096];
        while let Ok(n) = out.read(&mut b) {
            if n == 0 || tx.send(b[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let t0 = Instant::now();
    let mut seen = Vec::new();
    let mut found = false;
    while t0.elapsed() < limit {
        if let Ok(b) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.extend_from_slice(&b);
            if String::from_utf8_lossy(&seen).contains(marker) {
                found = true;
                break;
            }
        }
        if let Ok(Some(_)) = child.try_wait() {
            while let Ok(b) = rx.recv_timeout(Duration::from_millis(100)) {
                seen.extend_from_slice(&b);
            }
            found = String::from_utf8_lossy(&seen).contains(marker);
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    (found, String::from_utf8_lossy(&seen).into_owned())
}
