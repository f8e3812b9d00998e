//! The VM test bed: a QEMU guest (TCG) with Linux, virtio-scsi and a chosen set of SCSI
//! drives, booted from an initramfs that runs given shell commands and reports each one's
//! stdout, stderr and exit status on the serial console (see `shared/TESTBED.md` §1–2).
//!
//! The initramfs is two concatenated newc archives: a base archive built once per test
//! process (busybox with its applet links, the guest kernel's modules, the static
//! `discburn` with a `cdrecord` link to it, sg3-utils, and the peers of [`PEER_PROGRAMS`]:
//! wodim, readom, xorriso, cdrskin, genisoimage (also as `mkisofs`), growisofs,
//! dvd+rw-format and dvd+rw-mediainfo, each with the libraries `ldd` names) and a small per-guest archive (`/init`, the commands, and any
//! files the test adds). The kernel unpacks both into one tmpfs.
//!
//! Console protocol, one line each, `@@DISCBURN@@` then: `READY sg=N blk=N` once the
//! drives are there, then per command `BEGIN i`, `STDOUT i` + base64 lines, `STDERR i` +
//! base64 lines, `STATUS i rc`; finally `DONE`, and the guest powers off. Output passes
//! through base64 so the test gets its exact bytes: printing a file with `cat` is the way
//! to copy small files out. For larger outputs [`Vm::export_disk`] adds a virtio-blk disk
//! (guest `/dev/vda`, not on the SCSI bus) whose bytes [`GuestRun::export`] returns.
//!
//! Files put into the initramfs live in guest RAM (512 MiB by default, and the kernel
//! briefly holds both the archive and the unpacked copy): attach large disc images as
//! drives ([`Vm::cd`], [`Vm::disk`]) or raise [`Vm::memory_mb`].
//!
//! Timing seen on a 2-core machine under load: about 3.2 s from starting QEMU to its exit
//! for a guest with one trivial command (about 1.9 s of it until `/init` runs the first
//! command), 5 s with three drives including tgt over iSCSI. Command output crosses the
//! serial console at about 0.4 MB/s (1 MiB of stdout adds about 3 s): use the export disk
//! for more than a few MiB.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::cpio::Cpio;
use crate::error::{HarnessError, Result};
use crate::host::{guest_binary, require_tool, shared_libraries, GuestKernel};

/// Marker that starts every protocol line the guest prints.
const MARK: &str = "@@DISCBURN@@";

/// Modules loaded in every guest, in the order TESTBED.md gives (dependencies are added
/// before each one automatically).
pub const BASE_MODULES: &[&str] = &[
    "scsi_common",
    "scsi_mod",
    "cdrom",
    "sr_mod",
    "sg",
    "virtio_ring",
    "virtio",
    "virtio_pci_modern_dev",
    "virtio_pci_legacy_dev",
    "virtio_pci",
    "virtio_scsi",
    "isofs",
    "sd_mod",
];

/// Modules put into the base archive but loaded only on request ([`Vm::module`]) or when
/// needed ([`Vm::export_disk`] loads `virtio_blk`).
pub const OPTIONAL_MODULES: &[&str] = &["virtio_blk", "loop"];

/// Programs from sg3-utils copied into every guest (in `/usr/bin`).
pub const SG3_PROGRAMS: &[&str] = &[
    "sg_inq",
    "sg_raw",
    "sg_readcap",
    "sg_get_config",
    "sg_vpd",
    "sg_turs",
    "sg_map",
    "sg_scan",
    "sg_luns",
    "sg_modes",
    "sg_requests",
    "sg_read",
    "sg_dd",
    "sg_decode_sense",
    "sg_opcodes",
    "sg_prevent",
    "sg_start",
    "sg_sync",
];

/// Other burning programs copied into every guest for comparison: (program, package).
/// growisofs runs `mkisofs` (a link to genisoimage in the guest, as Debian's genisoimage
/// package installs it) unless `MKISOFS` names another.
pub const PEER_PROGRAMS: &[(&str, &str)] = &[
    ("wodim", "wodim"),
    ("readom", "wodim"),
    ("xorriso", "xorriso"),
    ("cdrskin", "cdrskin"),
    ("genisoimage", "genisoimage"),
    ("growisofs", "growisofs"),
    ("dvd+rw-format", "growisofs"),
    ("dvd+rw-mediainfo", "dvd+rw-tools"),
];

/// The default time limit for one guest run (boot, commands, power-off).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(240);

/// A SCSI drive attached to the guest's virtio-scsi bus (bus 0 in the guest).
#[derive(Debug, Clone)]
pub enum Drive {
    /// QEMU's `scsi-cd` (its own MMC emulation) with a read-only image as the medium.
    Cd {
        /// SCSI target id on the bus (the guest's b,t,l is then 0,id,0).
        scsi_id: u8,
        /// The disc image file.
        image: PathBuf,
    },
    /// QEMU's `scsi-hd` disk backed by a raw image file (written to by the guest).
    Disk {
        /// SCSI target id on the bus.
        scsi_id: u8,
        /// The raw disk image file.
        image: PathBuf,
    },
    /// QEMU's `scsi-generic` passing every command through to an iSCSI LUN (tgt).
    Iscsi {
        /// SCSI target id on the bus.
        scsi_id: u8,
        /// `iscsi://host:port/iqn/lun` URL, e.g. from [`crate::tgt::TgtDisc::url`].
        url: String,
    },
}

impl Drive {
    fn scsi_id(&self) -> u8 {
        match self {
            Drive::Cd { scsi_id, .. }
            | Drive::Disk { scsi_id, .. }
            | Drive::Iscsi { scsi_id, .. } => *scsi_id,
        }
    }
}

/// The output of one command run in the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdOutput {
    /// The name given with [`Vm::named`], if any.
    pub name: Option<String>,
    /// The shell command as given to [`Vm::command`].
    pub command: String,
    /// Its standard output, byte for byte.
    pub stdout: Vec<u8>,
    /// Its standard error, byte for byte.
    pub stderr: Vec<u8>,
    /// Its exit status (128+N when killed by signal N).
    pub status: i32,
}

impl CmdOutput {
    /// Standard output as text (invalid UTF-8 replaced).
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Standard error as text (invalid UTF-8 replaced).
    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Whether the command exited with status 0.
    pub fn success(&self) -> bool {
        self.status == 0
    }

    /// A readable account of the command: its line, status, stdout and stderr.
    pub fn describe(&self) -> String {
        format!(
            "guest command `{}` exited {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command,
            self.status,
            self.stdout_str(),
            self.stderr_str()
        )
    }

    /// Panics with [`describe`](Self::describe) unless the command exited with status 0;
    /// for use in tests.
    #[track_caller]
    #[allow(clippy::panic)] // reason: test helper; a failed guest command fails the test
    pub fn assert_success(&self) -> &Self {
        if !self.success() {
            panic!("{}", self.describe());
        }
        self
    }
}

/// What a finished guest run returned.
#[derive(Debug, Clone)]
pub struct GuestRun {
    /// One entry per command, in the order they were added.
    pub outputs: Vec<CmdOutput>,
    /// The whole serial console, for diagnostics.
    pub console: String,
    /// What QEMU wrote on its stderr (its own warnings, e.g. from its iSCSI driver).
    pub qemu_stderr: String,
    /// The export disk's bytes after the run, if [`Vm::export_disk`] was asked for.
    pub export: Option<Vec<u8>>,
    /// Wall time from starting QEMU to its exit.
    pub elapsed: Duration,
}

impl GuestRun {
    /// The output of the `i`-th command.
    ///
    /// # Panics
    /// If there is no such command (a test bug).
    #[track_caller]
    #[allow(clippy::indexing_slicing)] // reason: test helper; a wrong index is a test bug
    pub fn output(&self, i: usize) -> &CmdOutput {
        &self.outputs[i]
    }

    /// The output of the command added with [`Vm::named`] under `name`.
    ///
    /// # Panics
    /// If no command has that name (a test bug).
    #[track_caller]
    #[allow(clippy::panic)] // reason: test helper; a wrong name is a test bug
    pub fn get(&self, name: &str) -> &CmdOutput {
        match self
            .outputs
            .iter()
            .find(|o| o.name.as_deref() == Some(name))
        {
            Some(o) => o,
            None => panic!("no guest command named {name:?}"),
        }
    }
}

/// A guest to boot: drives, files, modules and commands, built up with chained calls and
/// started with [`Vm::run`].
///
/// ```no_run
/// use discburn_tests::vm::Vm;
/// let run = Vm::new()
///     .cd(0, "disc.iso")
///     .command("discburn scan")
///     .command("sg_inq /dev/sg0")
///     .run()
///     .unwrap();
/// run.output(0).assert_success();
/// ```
#[derive(Debug)]
pub struct Vm {
    drives: Vec<Drive>,
    extra: Cpio,
    modules: Vec<String>,
    commands: Vec<String>,
    names: Vec<Option<String>>,
    timeout: Duration,
    memory_mb: u32,
    export_disk: Option<u64>,
    root_image: Option<PathBuf>,
    wait_for_devices: bool,
    deferred: Option<HarnessError>,
}

impl Default for Vm {
    fn default() -> Self {
        Self::new()
    }
}

impl Vm {
    /// A guest with no drives, no commands, 512 MiB and [`DEFAULT_TIMEOUT`].
    pub fn new() -> Self {
        Self {
            drives: Vec::new(),
            extra: Cpio::new(),
            modules: Vec::new(),
            commands: Vec::new(),
            names: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            memory_mb: 512,
            export_disk: None,
            root_image: None,
            wait_for_devices: true,
            deferred: None,
        }
    }

    /// Attaches a drive.
    pub fn drive(&mut self, drive: Drive) -> &mut Self {
        self.drives.push(drive);
        self
    }

    /// Attaches QEMU's `scsi-cd` with `image` as its (read-only) medium at target `scsi_id`.
    pub fn cd(&mut self, scsi_id: u8, image: impl AsRef<Path>) -> &mut Self {
        self.drive(Drive::Cd {
            scsi_id,
            image: image.as_ref().to_path_buf(),
        })
    }

    /// Attaches QEMU's `scsi-hd` backed by the raw image file `image` at target `scsi_id`.
    pub fn disk(&mut self, scsi_id: u8, image: impl AsRef<Path>) -> &mut Self {
        self.drive(Drive::Disk {
            scsi_id,
            image: image.as_ref().to_path_buf(),
        })
    }

    /// Attaches an iSCSI LUN through QEMU's `scsi-generic` (commands pass straight through)
    /// at target `scsi_id`.
    pub fn iscsi(&mut self, scsi_id: u8, url: impl Into<String>) -> &mut Self {
        self.drive(Drive::Iscsi {
            scsi_id,
            url: url.into(),
        })
    }

    /// Adds a shell command (run with `sh` from `/`, stdin from /dev/null); its output is
    /// returned in [`GuestRun::outputs`] at the position of this call.
    pub fn command(&mut self, cmd: impl Into<String>) -> &mut Self {
        self.commands.push(cmd.into());
        self.names.push(None);
        self
    }

    /// Adds a shell command under a name; [`GuestRun::get`] finds its output by that name.
    pub fn named(&mut self, name: &str, cmd: impl Into<String>) -> &mut Self {
        self.commands.push(cmd.into());
        self.names.push(Some(name.to_string()));
        self
    }

    /// Adds several commands.
    pub fn commands<I, S>(&mut self, cmds: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for c in cmds {
            self.command(c);
        }
        self
    }

    /// Puts a file with the given bytes at `guest_path` (mode 0644), creating parents.
    /// Programs that should shadow a busybox applet go to `/usr/local/bin` (first in PATH);
    /// a file at `/bin/APPLET` is refused, as it would overwrite busybox through the link.
    pub fn file(&mut self, guest_path: &str, data: &[u8]) -> &mut Self {
        self.extra.file(guest_path, 0o644, data);
        self
    }

    /// Puts an executable file (mode 0755) with the given bytes at `guest_path`.
    pub fn executable(&mut self, guest_path: &str, data: &[u8]) -> &mut Self {
        self.extra.file(guest_path, 0o755, data);
        self
    }

    /// Puts a symbolic link at `guest_path` pointing to `target`.
    pub fn symlink(&mut self, guest_path: &str, target: &str) -> &mut Self {
        self.extra.symlink(guest_path, target);
        self
    }

    /// Copies a host file (keeping its permission bits) to `guest_path`.
    pub fn host_file(&mut self, guest_path: &str, host_path: impl AsRef<Path>) -> &mut Self {
        let r = add_host_file(&mut self.extra, guest_path, host_path.as_ref());
        self.defer(r)
    }

    /// Copies a host folder recursively (files, folders, symlinks) to `guest_dir`.
    pub fn host_tree(&mut self, guest_dir: &str, host_dir: impl AsRef<Path>) -> &mut Self {
        let r = add_host_tree(&mut self.extra, guest_dir, host_dir.as_ref());
        self.defer(r)
    }

    /// Copies a host program to `guest_path` together with the shared libraries `ldd`
    /// names for it (at the same paths as on the host).
    pub fn program(&mut self, guest_path: &str, host_path: impl AsRef<Path>) -> &mut Self {
        let mut libs = BTreeSet::new();
        let r = add_program(&mut self.extra, guest_path, host_path.as_ref(), &mut libs);
        self.defer(r)
    }

    /// Copies glibc's iconv configuration (gconv-modules, gconv-modules.d, the cache) and
    /// the named gconv modules (`"ISO8859-1"`: `ISO8859-1.so`) from the host's gconv
    /// folder beside the libc that `program` links (as `ldd` names it), at the same paths:
    /// what iconv_open needs for a charset beyond glibc's built-in ones (libcdio converts
    /// CD-TEXT from ISO-8859-1 this way).
    pub fn gconv(&mut self, program: impl AsRef<Path>, modules: &[&str]) -> &mut Self {
        let r = (|| -> Result<()> {
            let libs = shared_libraries(program.as_ref())?;
            let libc = libs
                .iter()
                .find(|l| l.file_name().is_some_and(|n| n == "libc.so.6"))
                .ok_or_else(|| HarnessError::Command {
                    command: format!("ldd {}", program.as_ref().display()),
                    detail: "no libc.so.6 among the libraries".into(),
                })?;
            let dir = libc
                .canonicalize()
                .map_err(|e| HarnessError::io("resolving", libc, e))?
                .parent()
                .map(|d| d.join("gconv"))
                .unwrap_or_default();
            let mut files: Vec<PathBuf> = ["gconv-modules", "gconv-modules.cache"]
                .iter()
                .map(|f| dir.join(f))
                .filter(|f| f.exists())
                .collect();
            if let Ok(rd) = std::fs::read_dir(dir.join("gconv-modules.d")) {
                files.extend(rd.flatten().map(|e| e.path()));
            }
            for m in modules {
                let so = dir.join(format!("{m}.so"));
                if !so.exists() {
                    return Err(HarnessError::Command {
                        command: format!("gconv module {m}"),
                        detail: format!("{} is missing (Debian package libc6)", so.display()),
                    });
                }
                files.push(so);
            }
            for f in files {
                let g = f.to_string_lossy().into_owned();
                add_host_file(&mut self.extra, &g, &f)?;
            }
            Ok(())
        })();
        self.defer(r)
    }

    /// Loads an extra kernel module (from the guest kernel package, with its
    /// dependencies) after the base ones, e.g. `"loop"`.
    pub fn module(&mut self, name: &str) -> &mut Self {
        self.modules.push(name.to_string());
        self
    }

    /// Adds a virtio-blk disk of `size` bytes (zeroed) that the guest sees as `/dev/vda`;
    /// its bytes after the run are in [`GuestRun::export`]. Commands write to it, e.g.
    /// `tar -cf /dev/vda -C /out .` or `dd of=/dev/vda`.
    pub fn export_disk(&mut self, size: u64) -> &mut Self {
        self.export_disk = Some(size);
        self
    }

    /// Attaches a read-only erofs image (made with `mkfs.erofs`) as a second root for
    /// programs the initramfs cannot carry (Wine): before the first command the guest mounts
    /// it under a tmpfs overlay at `/win`, with `/dev`, `/proc` and `/sys` bound and a tmpfs
    /// `/win/tmp`, so commands run there with `chroot /win PROGRAM`. The image is a virtio-blk
    /// disk with the serial `discburn-root` (not on the SCSI bus; after the export disk).
    pub fn root_image(&mut self, image: impl AsRef<Path>) -> &mut Self {
        self.root_image = Some(image.as_ref().to_path_buf());
        self
    }

    /// Sets the time limit for the whole run (boot, commands, power-off).
    pub fn timeout(&mut self, limit: Duration) -> &mut Self {
        self.timeout = limit;
        self
    }

    /// Sets the guest memory in MiB (default 512).
    pub fn memory_mb(&mut self, mb: u32) -> &mut Self {
        self.memory_mb = mb;
        self
    }

    /// Whether `/init` waits (up to 30 s) until every attached drive has its /dev/sgN and
    /// block device before running the commands (default: yes).
    pub fn wait_for_devices(&mut self, wait: bool) -> &mut Self {
        self.wait_for_devices = wait;
        self
    }

    fn defer(&mut self, r: Result<()>) -> &mut Self {
        if let Err(e) = r {
            self.deferred.get_or_insert(e);
        }
        self
    }

    /// Boots the guest, runs the commands and returns their outputs. QEMU is killed if it
    /// is still running at the time limit (an error naming the console tail), and in any
    /// case before this returns; the temporary folder is removed.
    pub fn run(&mut self) -> Result<GuestRun> {
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        let qemu = require_tool("qemu-system-x86_64", "qemu-system-x86")?;
        if self.drives.iter().any(|d| matches!(d, Drive::Iscsi { .. })) {
            require_qemu_iscsi()?;
        }
        let base = base_image()?;
        let mut modules: Vec<&str> = BASE_MODULES.to_vec();
        if self.export_disk.is_some() || self.root_image.is_some() {
            modules.push("virtio_blk");
        }
        if self.root_image.is_some() {
            modules.extend(["erofs", "overlay"]);
        }
        modules.extend(self.modules.iter().map(String::as_str));
        let order = base.kernel.load_order(&modules)?;

        let tmp = tempfile::Builder::new()
            .prefix("discburn-vm-")
            .tempdir()
            .map_err(|e| HarnessError::io("creating temp folder", std::env::temp_dir(), e))?;
        let dir = tmp.path();

        // The kernel would write such a file through the link, over busybox itself.
        if let Some(bad) = self
            .extra
            .names()
            .iter()
            .find(|n| base.applet_links.contains(*n))
        {
            return Err(HarnessError::Command {
                command: format!("adding /{bad} to the guest"),
                detail: "it is a busybox applet link; the file would replace busybox itself: \
                         put it in /usr/local/bin (first in PATH) instead"
                    .into(),
            });
        }
        let mut guest = self.extra.clone();
        for name in &order {
            if !base.modules.contains(name) {
                let path = base
                    .kernel
                    .module_path(name)
                    .ok_or_else(|| HarnessError::Kernel {
                        dir: base.kernel.modules_dir.clone(),
                        problem: format!("no module {name}"),
                    })?;
                add_host_file(&mut guest, &format!("lib/modules/guest/{name}.ko"), path)?;
            }
        }
        for (i, cmd) in self.commands.iter().enumerate() {
            guest.file(&format!("cmds/{i}"), 0o644, cmd.as_bytes());
        }
        let expected_blk = self.drives.len();
        let mut init = init_script(
            &order,
            self.commands.len(),
            self.wait_for_devices,
            expected_blk,
        );
        if self.root_image.is_some() {
            init = init.replacen(
                &format!("echo \"{MARK} READY"),
                &format!("{ROOT_MOUNT}echo \"{MARK} READY"),
                1,
            );
        }
        guest.file("init", 0o755, init.as_bytes());
        let initrd = dir.join("initrd.cpio");
        let mut bytes = Vec::with_capacity(base.archive.len() + (1 << 20));
        bytes.extend_from_slice(&base.archive);
        bytes.extend_from_slice(&guest.finish());
        fs::write(&initrd, &bytes)
            .map_err(|e| HarnessError::io("writing initramfs", &initrd, e))?;
        drop(bytes);

        let mut args: Vec<String> = vec![
            "-accel".into(),
            "tcg".into(),
            "-m".into(),
            self.memory_mb.to_string(),
            "-nographic".into(),
            "-no-reboot".into(),
            "-nic".into(),
            "none".into(),
            "-kernel".into(),
            path_arg(&base.kernel.vmlinuz),
            "-initrd".into(),
            path_arg(&initrd),
            "-append".into(),
            "console=ttyS0 panic=-1 loglevel=1 quiet scsi_mod.scan=sync".into(),
            "-device".into(),
            "virtio-scsi-pci,id=scsi0".into(),
        ];
        for (i, d) in self.drives.iter().enumerate() {
            let (drive, device) = match d {
                Drive::Cd { image, .. } => (
                    format!(
                        "file={},if=none,id=d{i},media=cdrom,format=raw,readonly=on",
                        qemu_escape(image)
                    ),
                    "scsi-cd",
                ),
                Drive::Disk { image, .. } => (
                    format!("file={},if=none,id=d{i},format=raw", qemu_escape(image)),
                    "scsi-hd",
                ),
                Drive::Iscsi { url, .. } => (
                    format!("file={},if=none,id=d{i},format=raw", url.replace(',', ",,")),
                    "scsi-generic",
                ),
            };
            args.extend([
                "-drive".into(),
                drive,
                "-device".into(),
                format!(
                    "{device},drive=d{i},bus=scsi0.0,scsi-id={},lun=0",
                    d.scsi_id()
                ),
            ]);
        }
        let export_path = dir.join("export.img");
        if let Some(size) = self.export_disk {
            let f = fs::File::create(&export_path)
                .map_err(|e| HarnessError::io("creating export disk", &export_path, e))?;
            f.set_len(size)
                .map_err(|e| HarnessError::io("sizing export disk", &export_path, e))?;
            args.extend([
                "-drive".into(),
                format!(
                    "file={},if=none,id=export,format=raw",
                    qemu_escape(&export_path)
                ),
                "-device".into(),
                "virtio-blk-pci,drive=export".into(),
            ]);
        }

        if let Some(image) = &self.root_image {
            args.extend([
                "-drive".into(),
                format!(
                    "file={},if=none,id=root,format=raw,readonly=on",
                    qemu_escape(image)
                ),
                "-device".into(),
                "virtio-blk-pci,drive=root,serial=discburn-root".into(),
            ]);
        }

        let console_path = dir.join("console.log");
        let stderr_path = dir.join("qemu-stderr.log");
        let console = fs::File::create(&console_path)
            .map_err(|e| HarnessError::io("creating console log", &console_path, e))?;
        let stderr = fs::File::create(&stderr_path)
            .map_err(|e| HarnessError::io("creating QEMU log", &stderr_path, e))?;
        let start = Instant::now();
        let child = Command::new(&qemu)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(console)
            .stderr(stderr)
            .spawn()
            .map_err(|e| HarnessError::io("starting QEMU", &qemu, e))?;
        let mut guard = KillOnDrop(Some(child));
        let deadline = start + self.timeout;
        let status = loop {
            match guard.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() >= deadline => break None,
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(HarnessError::io("waiting for QEMU", &qemu, e)),
            }
        };
        drop(guard); // kills QEMU if it is still running
        let elapsed = start.elapsed();
        let console_text = read_lossy(&console_path);
        let qemu_err = read_lossy(&stderr_path);
        let Some(status) = status else {
            return Err(HarnessError::Timeout {
                secs: self.timeout.as_secs(),
                console: tail(&format!("{console_text}\n{qemu_err}"), 6000),
            });
        };
        log::info!(
            "guest ran {} commands in {:.1} s",
            self.commands.len(),
            elapsed.as_secs_f64()
        );
        let mut outputs = parse_console(&console_text, &self.commands).map_err(|problem| {
            HarnessError::GuestIncomplete {
                problem: format!("{problem}; QEMU exited with {status}"),
                console: tail(
                    &format!("{console_text}\n--- QEMU stderr ---\n{qemu_err}"),
                    6000,
                ),
            }
        })?;
        for (o, name) in outputs.iter_mut().zip(&self.names) {
            o.name.clone_from(name);
        }
        let export = match self.export_disk {
            Some(_) => Some(
                fs::read(&export_path)
                    .map_err(|e| HarnessError::io("reading export disk", &export_path, e))?,
            ),
            None => None,
        };
        Ok(GuestRun {
            outputs,
            console: console_text,
            qemu_stderr: qemu_err,
            export,
            elapsed,
        })
    }
}

/// QEMU child process that is killed (and reaped) when dropped.
struct KillOnDrop(Option<Child>);

impl KillOnDrop {
    fn try_wait(&mut self) -> std::io::Result<Option<std::process::ExitStatus>> {
        match self.0.as_mut() {
            Some(c) => c.try_wait(),
            None => Ok(None),
        }
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            if let Ok(None) = c.try_wait() {
                let _ = c.kill();
            }
            let _ = c.wait();
        }
    }
}

/// The shared part of every guest's initramfs, built once per test process.
#[derive(Debug)]
struct BaseImage {
    archive: Vec<u8>,
    kernel: GuestKernel,
    /// Module names present in the archive (at `lib/modules/guest/NAME.ko`).
    modules: BTreeSet<String>,
    /// Paths of the busybox applet links (`bin/NAME`).
    applet_links: BTreeSet<String>,
}

static BASE: Mutex<Option<Arc<BaseImage>>> = Mutex::new(None);

/// The base archive, building it on first use (later callers wait and share it).
fn base_image() -> Result<Arc<BaseImage>> {
    let mut slot = BASE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(b) = slot.as_ref() {
        return Ok(Arc::clone(b));
    }
    let t = Instant::now();
    let b = Arc::new(build_base()?);
    log::info!(
        "guest base initramfs: {} bytes in {:.2} s",
        b.archive.len(),
        t.elapsed().as_secs_f64()
    );
    *slot = Some(Arc::clone(&b));
    Ok(b)
}

fn build_base() -> Result<BaseImage> {
    let kernel = GuestKernel::from_env()?;
    let discburn = guest_binary()?;
    let busybox = require_tool("busybox", "busybox-static")?;
    let mut c = Cpio::new();
    for d in [
        "bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "root", "mnt", "etc",
    ] {
        c.dir(d);
    }
    // busybox-static and a link for each applet.
    let mut libs = BTreeSet::new();
    add_program(&mut c, "bin/busybox", &busybox, &mut libs)?;
    let out = Command::new(&busybox)
        .arg("--list")
        .output()
        .map_err(|e| HarnessError::io("running busybox --list", &busybox, e))?;
    let mut applet_links = BTreeSet::new();
    for applet in String::from_utf8_lossy(&out.stdout).split_whitespace() {
        if applet != "busybox" && !applet.contains('/') {
            let link = format!("bin/{applet}");
            c.symlink(&link, "busybox");
            applet_links.insert(link);
        }
    }
    // Kernel modules.
    let mut wanted: Vec<&str> = BASE_MODULES.to_vec();
    wanted.extend_from_slice(OPTIONAL_MODULES);
    let order = kernel.load_order(&wanted)?;
    let mut modules = BTreeSet::new();
    for name in order {
        let path = kernel
            .module_path(&name)
            .ok_or_else(|| HarnessError::Kernel {
                dir: kernel.modules_dir.clone(),
                problem: format!("no module {name}"),
            })?;
        add_host_file(&mut c, &format!("lib/modules/guest/{name}.ko"), path)?;
        modules.insert(name);
    }
    for name in BASE_MODULES {
        if !modules.contains(*name) {
            return Err(HarnessError::Kernel {
                dir: kernel.modules_dir.clone(),
                problem: format!("no module {name}.ko (is it the cloud-amd64 kernel?)"),
            });
        }
    }
    // The program under test, with a cdrecord link for its legacy personality.
    let stripped = strip_debug(&discburn)?;
    add_program(
        &mut c,
        "usr/bin/discburn",
        stripped.as_deref().unwrap_or(&discburn),
        &mut libs,
    )?;
    c.symlink("usr/bin/cdrecord", "discburn");
    // Independent clients of the same drives.
    for p in SG3_PROGRAMS {
        let host = require_tool(p, "sg3-utils")?;
        add_program(&mut c, &format!("usr/bin/{p}"), &host, &mut libs)?;
    }
    for (p, pkg) in PEER_PROGRAMS {
        let host = require_tool(p, pkg)?;
        add_program(&mut c, &format!("usr/bin/{p}"), &host, &mut libs)?;
    }
    c.symlink("usr/bin/mkisofs", "genisoimage");
    c.file("etc/passwd", 0o644, b"root:x:0:0:root:/root:/bin/sh\n");
    c.file("etc/group", 0o644, b"root:x:0:\ncdrom:x:24:\ndisk:x:6:\n");
    Ok(BaseImage {
        archive: c.finish(),
        kernel,
        modules,
        applet_links,
    })
}

/// A copy of `program` without debug sections, in a temp file kept alive by the return
/// value, or `None` when `objcopy` is not there (the unstripped one is used then).
fn strip_debug(program: &Path) -> Result<Option<tempfile::TempPath>> {
    let Ok(objcopy) = require_tool("objcopy", "binutils") else {
        return Ok(None);
    };
    let out = tempfile::NamedTempFile::new()
        .map_err(|e| HarnessError::io("creating temp file", std::env::temp_dir(), e))?
        .into_temp_path();
    let status = Command::new(&objcopy)
        .arg("--strip-debug")
        .arg(program)
        .arg(&out)
        .status()
        .map_err(|e| HarnessError::io("running objcopy", &objcopy, e))?;
    Ok(if status.success() { Some(out) } else { None })
}

/// Adds a program and the libraries `ldd` names (each library once per archive).
fn add_program(
    c: &mut Cpio,
    guest_path: &str,
    host_path: &Path,
    libs_done: &mut BTreeSet<PathBuf>,
) -> Result<()> {
    let data =
        fs::read(host_path).map_err(|e| HarnessError::io("reading program", host_path, e))?;
    c.file(guest_path, 0o755, &data);
    for lib in shared_libraries(host_path)? {
        if libs_done.insert(lib.clone()) {
            let bytes = fs::read(&lib).map_err(|e| HarnessError::io("reading library", &lib, e))?;
            c.file(&lib.to_string_lossy(), 0o755, &bytes);
        }
    }
    Ok(())
}

fn add_host_file(c: &mut Cpio, guest_path: &str, host_path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta =
        fs::metadata(host_path).map_err(|e| HarnessError::io("reading file", host_path, e))?;
    let data = fs::read(host_path).map_err(|e| HarnessError::io("reading file", host_path, e))?;
    c.file(guest_path, meta.permissions().mode() & 0o7777, &data);
    Ok(())
}

fn add_host_tree(c: &mut Cpio, guest_dir: &str, host_dir: &Path) -> Result<()> {
    c.dir(guest_dir);
    let rd = fs::read_dir(host_dir).map_err(|e| HarnessError::io("listing folder", host_dir, e))?;
    let mut entries = Vec::new();
    for e in rd {
        entries.push(
            e.map_err(|e| HarnessError::io("listing folder", host_dir, e))?
                .path(),
        );
    }
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let guest = format!("{}/{}", guest_dir.trim_end_matches('/'), name);
        let meta = fs::symlink_metadata(&p).map_err(|e| HarnessError::io("reading", &p, e))?;
        if meta.file_type().is_symlink() {
            let target = fs::read_link(&p).map_err(|e| HarnessError::io("reading link", &p, e))?;
            c.symlink(&guest, &target.to_string_lossy());
        } else if meta.is_dir() {
            add_host_tree(c, &guest, &p)?;
        } else {
            add_host_file(c, &guest, &p)?;
        }
    }
    Ok(())
}

/// Fails with a message naming qemu-block-extra when QEMU's iSCSI driver is absent.
fn require_qemu_iscsi() -> Result<()> {
    let dirs = [
        "/usr/lib/x86_64-linux-gnu/qemu",
        "/usr/lib/qemu",
        "/usr/lib64/qemu",
    ];
    if dirs
        .iter()
        .any(|d| Path::new(d).join("block-iscsi.so").exists())
    {
        return Ok(());
    }
    Err(HarnessError::MissingTool {
        program: "block-iscsi.so (QEMU's iSCSI driver)".into(),
        package: "qemu-block-extra".into(),
    })
}

/// The part of `/init` that mounts [`Vm::root_image`] at `/win` (erofs under a tmpfs
/// overlay); a failure prints `ROOT-FAILED` with the step.
const ROOT_MOUNT: &str = "R=\n\
    n=0\n\
    while [ -z \"$R\" ] && [ $n -lt 100 ]; do\n\
    \x20 for b in /sys/block/vd*; do [ \"$(cat $b/serial 2>/dev/null)\" = discburn-root ] && R=/dev/${b##*/}; done\n\
    \x20 [ -n \"$R\" ] || usleep 100000; n=$((n+1))\n\
    done\n\
    mkdir -p /ro /rw /win\n\
    mount -t erofs -o ro \"$R\" /ro || echo \"@@DISCBURN@@ ROOT-FAILED erofs $R\"\n\
    mount -t tmpfs -o size=256m tmpfs /rw && mkdir -p /rw/u /rw/w\n\
    mount -t overlay overlay -o lowerdir=/ro,upperdir=/rw/u,workdir=/rw/w /win || echo \"@@DISCBURN@@ ROOT-FAILED overlay\"\n\
    for d in dev proc sys; do mkdir -p /win/$d; mount -o bind /$d /win/$d; done\n\
    mkdir -p /win/tmp && mount -t tmpfs tmpfs /win/tmp\n";

/// The guest's `/init`: mounts, modules, device wait, then each command between markers.
fn init_script(modules: &[String], ncmds: usize, wait: bool, expected: usize) -> String {
    let mut s = String::from(
        "#!/bin/sh\n\
         export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin\n\
         export HOME=/root TERM=dumb\n\
         mount -t proc proc /proc\n\
         mount -t sysfs sysfs /sys\n\
         mount -t devtmpfs devtmpfs /dev\n\
         ln -s /proc/self/fd /dev/fd\n",
    );
    s.push_str(&format!(
        "for m in {}; do insmod /lib/modules/guest/$m.ko || echo \"{MARK} INSMOD-FAILED $m\"; done\n",
        modules.join(" ")
    ));
    if wait {
        s.push_str(&format!(
            "n=0\n\
             while [ $n -lt 300 ]; do\n\
             \x20 sg=$(ls /sys/class/scsi_generic 2>/dev/null | wc -l)\n\
             \x20 blk=$(ls -d /sys/block/sr* /sys/block/sd* 2>/dev/null | wc -l)\n\
             \x20 [ \"$sg\" -ge {expected} ] && [ \"$blk\" -ge {expected} ] && break\n\
             \x20 usleep 100000; n=$((n+1))\n\
             done\n"
        ));
    }
    s.push_str(&format!(
        "echo \"{MARK} READY sg=$(ls /sys/class/scsi_generic 2>/dev/null | wc -l) \
         blk=$(ls -d /sys/block/sr* /sys/block/sd* 2>/dev/null | wc -l)\"\n\
         i=0\n\
         while [ $i -lt {ncmds} ]; do\n\
         \x20 echo \"{MARK} BEGIN $i\"\n\
         \x20 (cd / && sh /cmds/$i) </dev/null >/tmp/.out 2>/tmp/.err\n\
         \x20 rc=$?\n\
         \x20 echo \"{MARK} STDOUT $i\"; base64 /tmp/.out\n\
         \x20 echo \"{MARK} STDERR $i\"; base64 /tmp/.err\n\
         \x20 echo \"{MARK} STATUS $i $rc\"\n\
         \x20 i=$((i+1))\n\
         done\n\
         echo \"{MARK} DONE\"\n\
         sync\n\
         poweroff -f\n"
    ));
    s
}

/// Reads the command results off the console text.
fn parse_console(
    console: &str,
    commands: &[String],
) -> std::result::Result<Vec<CmdOutput>, String> {
    #[derive(Clone, Copy)]
    enum Sect {
        None,
        Out,
        Err,
    }
    let mut outs: Vec<Option<CmdOutput>> = vec![None; commands.len()];
    let mut cur: Option<(usize, Sect, String, String)> = None;
    let mut done = false;
    let mut failed_modules = Vec::new();
    for raw in console.lines() {
        let line = raw.trim_end_matches('\r');
        if let Some(pos) = line.find(MARK) {
            let mut words = line[pos + MARK.len()..].split_whitespace();
            let kind = words.next().unwrap_or("");
            let idx: Option<usize> = words.next().and_then(|w| w.parse().ok());
            match (kind, idx) {
                ("BEGIN", Some(i)) => cur = Some((i, Sect::None, String::new(), String::new())),
                ("STDOUT", Some(_)) => {
                    if let Some(c) = cur.as_mut() {
                        c.1 = Sect::Out;
                    }
                }
                ("STDERR", Some(_)) => {
                    if let Some(c) = cur.as_mut() {
                        c.1 = Sect::Err;
                    }
                }
                ("STATUS", Some(i)) => {
                    let rc: i32 = words.next().and_then(|w| w.parse().ok()).unwrap_or(-1);
                    if let Some((ci, _, o, e)) = cur.take() {
                        if ci == i && i < outs.len() {
                            let stdout = base64_decode(&o)
                                .ok_or_else(|| format!("command {i}: stdout is not base64"))?;
                            let stderr = base64_decode(&e)
                                .ok_or_else(|| format!("command {i}: stderr is not base64"))?;
                            if let (Some(slot), Some(command)) = (outs.get_mut(i), commands.get(i))
                            {
                                *slot = Some(CmdOutput {
                                    name: None,
                                    command: command.clone(),
                                    stdout,
                                    stderr,
                                    status: rc,
                                });
                            }
                        }
                    }
                }
                ("DONE", _) => done = true,
                ("INSMOD-FAILED", _) => failed_modules.push(line[pos..].to_string()),
                _ => {}
            }
            continue;
        }
        if let Some((_, sect, o, e)) = cur.as_mut() {
            let is_b64 = !line.is_empty()
                && line
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=');
            if is_b64 {
                match sect {
                    Sect::Out => o.push_str(line),
                    Sect::Err => e.push_str(line),
                    Sect::None => {}
                }
            }
        }
    }
    let mut result = Vec::with_capacity(outs.len());
    for (i, o) in outs.into_iter().enumerate() {
        match o {
            Some(o) => result.push(o),
            None => {
                let cmd = commands.get(i).map(String::as_str).unwrap_or("");
                let extra = if failed_modules.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", failed_modules.join(", "))
                };
                return Err(format!("no result for command {i} `{cmd}`{extra}"));
            }
        }
    }
    if !done {
        return Err("the guest did not print DONE".into());
    }
    Ok(result)
}

/// Decodes standard base64 (RFC 4648 §4, with padding); whitespace is ignored.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !clean.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    for chunk in clean.chunks(4) {
        let pad = chunk.iter().rev().take_while(|&&b| b == b'=').count();
        if pad > 2 {
            return None;
        }
        let mut n = 0u32;
        for (k, &b) in chunk.iter().enumerate() {
            let v = if k >= 4 - pad { 0 } else { val(b)? };
            n = (n << 6) | v;
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(bytes.get(..3 - pad)?);
    }
    Some(out)
}

/// A path as a QEMU `-drive file=` value (commas doubled).
fn qemu_escape(p: &Path) -> String {
    p.to_string_lossy().replace(',', ",,")
}

fn path_arg(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn read_lossy(p: &Path) -> String {
    let mut v = Vec::new();
    if let Ok(mut f) = fs::File::open(p) {
        let _ = f.read_to_end(&mut v);
    }
    String::from_utf8_lossy(&v).into_owned()
}

fn tail(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    format!("...{}", &s[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_rfc4648_vectors() {
        // RFC 4648 §10 test vectors.
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_decode(enc).unwrap(), plain.as_bytes(), "{enc}");
        }
        assert_eq!(base64_decode("Zm9v\nYmFy\n").unwrap(), b"foobar");
        assert!(base64_decode("Zm9").is_none());
        assert!(base64_decode("Z!==").is_none());
    }

    #[test]
    fn console_parser_reads_outputs_and_ignores_kernel_lines() {
        let cmds = vec!["echo hi".to_string(), "false".to_string()];
        let console = "\
[    1.0] some kernel line\r
@@DISCBURN@@ READY sg=1 blk=1\r
@@DISCBURN@@ BEGIN 0\r
@@DISCBURN@@ STDOUT 0\r
aGkK\r
[    2.0] sr 0:0:0:0: interleaved\r
@@DISCBURN@@ STDERR 0\r
@@DISCBURN@@ STATUS 0 0\r
@@DISCBURN@@ BEGIN 1\r
@@DISCBURN@@ STDOUT 1\r
@@DISCBURN@@ STDERR 1\r
@@DISCBURN@@ STATUS 1 1\r
@@DISCBURN@@ DONE\r
";
        let outs = parse_console(console, &cmds).unwrap();
        assert_eq!(outs[0].stdout, b"hi\n");
        assert_eq!(outs[0].status, 0);
        assert_eq!(outs[1].status, 1);
        assert!(outs[1].stdout.is_empty());
        let err = parse_console("@@DISCBURN@@ BEGIN 0\n", &cmds).unwrap_err();
        assert!(err.contains("no result for command 0"), "{err}");
    }
}
