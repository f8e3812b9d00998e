//! The Windows build under Wine: the `discburn.exe` that `tests/run-all.sh` cross-builds
//! for `x86_64-pc-windows-gnu`, a Wine prefix made for one test run, and the `ProcessPrng`
//! shim that Debian 12's Wine 8.0 needs to start any Rust program.
//!
//! Wine's loader is `/usr/lib/wine/wine64` on Debian (package wine64; there is no `wine64`
//! in PATH there). Host paths are `Z:\...` inside Wine ([`windows_path`]).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::error::{HarnessError, Result};
use crate::host::{env_path, require_tool};

/// Environment variable naming the cross-built `discburn.exe`.
pub const ENV_WIN_EXE: &str = "DISCBURN_WIN_EXE";

/// Debian package of Wine's 64-bit loader.
pub const WINE_PACKAGE: &str = "wine64";
/// Debian package of the mingw-w64 C compiler (the linker of `x86_64-pc-windows-gnu`).
pub const MINGW_PACKAGE: &str = "gcc-mingw-w64-x86-64";
/// The mingw-w64 C compiler.
pub const MINGW_GCC: &str = "x86_64-w64-mingw32-gcc";

/// Source of `bcryptprimitives.dll` as the shim: one export, `ProcessPrng`.
///
/// Why it exists: Rust's standard library (1.78 and later) takes its random numbers (the
/// HashMap keys) from `ProcessPrng` in `bcryptprimitives.dll`, which Windows 10 and later
/// have; Wine 8.0 (Debian 12) has no such DLL, so every Rust program stops at load with
/// status c0000135 ("Library bcryptprimitives.dll not found"). Wine does have
/// `RtlGenRandom` (advapi32 `SystemFunction036`), the older documented call for the same
/// thing, so the shim forwards to it. It is built with mingw when a prefix is made and put
/// into that prefix's `system32` only; nothing else of Wine is changed. Newer Wine releases
/// ship the DLL themselves, and then the shim is not built.
pub const PROCESS_PRNG_C: &str = r#"/* ProcessPrng for Wine releases without bcryptprimitives.dll (see the test bed). */
#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!RtlGenRandom(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
"#;

/// The cross-built `discburn.exe` named by `DISCBURN_WIN_EXE`.
pub fn windows_exe() -> Result<PathBuf> {
    env_path(ENV_WIN_EXE, "discburn.exe built for x86_64-pc-windows-gnu")
}

/// Wine's 64-bit loader: `/usr/lib/wine/wine64` (Debian), else `wine64` in PATH.
pub fn wine_loader() -> Result<PathBuf> {
    let debian = Path::new(WINE_BIN_DIR).join("wine64");
    if debian.is_file() {
        return Ok(debian);
    }
    require_tool("wine64", WINE_PACKAGE)
}

/// The mingw-w64 C compiler (which builds the `ProcessPrng` shim), or an error naming its
/// package.
pub fn mingw_gcc() -> Result<PathBuf> {
    require_tool(MINGW_GCC, MINGW_PACKAGE)
}

/// Wine's server next to the loader (`wineserver64` or `wineserver`).
fn wineserver(loader: &Path) -> Result<PathBuf> {
    let dir = loader.parent().unwrap_or(Path::new("/"));
    ["wineserver64", "wineserver"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
        .map(Ok)
        .unwrap_or_else(|| require_tool("wineserver", WINE_PACKAGE))
}

/// The Windows spelling of a host path as Wine shows it: `Z:\tmp\x` for `/tmp/x`.
pub fn windows_path(p: &Path) -> String {
    format!("Z:{}", p.to_string_lossy().replace('/', "\\"))
}

/// A Wine prefix (`WINEPREFIX`) made with `wineboot -i`, with the `ProcessPrng` shim when
/// this Wine lacks `bcryptprimitives.dll`. Dropping it stops its wineserver and removes it.
#[derive(Debug)]
pub struct WinePrefix {
    dir: PathBuf,
    loader: PathBuf,
    server: PathBuf,
}

impl WinePrefix {
    /// Makes a prefix in `dir` (removed first if it exists; its parent must exist). Takes
    /// about 10 s: no Mono, no Gecko, no display.
    pub fn create(dir: &Path) -> Result<Self> {
        let loader = wine_loader()?;
        let server = wineserver(&loader)?;
        let gcc = mingw_gcc()?;
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| HarnessError::io("removing", dir, e))?;
        }
        std::fs::create_dir(dir).map_err(|e| HarnessError::io("creating", dir, e))?;
        let prefix = Self {
            dir: dir.to_path_buf(),
            loader,
            server,
        };
        let out = prefix
            .command(OsStr::new("wineboot"))
            .arg("-i")
            .output()
            .map_err(|e| HarnessError::io("running wineboot", &prefix.loader, e))?;
        let system32 = prefix.system32();
        if !out.status.success() || !system32.join("kernel32.dll").is_file() {
            return Err(HarnessError::Command {
                command: format!("WINEPREFIX={} wine64 wineboot -i", dir.display()),
                detail: format!("{}: {}", out.status, String::from_utf8_lossy(&out.stderr)),
            });
        }
        let dll = system32.join("bcryptprimitives.dll");
        if !dll.exists() {
            let src = dir.join("process_prng.c");
            std::fs::write(&src, PROCESS_PRNG_C)
                .map_err(|e| HarnessError::io("writing", &src, e))?;
            let out = Command::new(&gcc)
                .args(["-shared", "-O2", "-s", "-o"])
                .arg(&dll)
                .arg(&src)
                .arg("-ladvapi32")
                .output()
                .map_err(|e| HarnessError::io("running", &gcc, e))?;
            if !out.status.success() {
                return Err(HarnessError::Command {
                    command: format!("{MINGW_GCC} -shared -o {} {}", dll.display(), src.display()),
                    detail: format!("{}: {}", out.status, String::from_utf8_lossy(&out.stderr)),
                });
            }
        }
        Ok(prefix)
    }

    /// The prefix folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `drive_c` of the prefix (`C:\` inside Wine).
    pub fn drive_c(&self) -> PathBuf {
        self.dir.join("drive_c")
    }

    /// `C:\windows\system32` of the prefix.
    pub fn system32(&self) -> PathBuf {
        self.drive_c().join("windows/system32")
    }

    /// Wine's loader.
    pub fn loader(&self) -> &Path {
        &self.loader
    }

    /// `wine64 PROGRAM` in this prefix: no debug channels, no display, no Mono or Gecko
    /// installer, stdin from /dev/null.
    pub fn command(&self, program: &OsStr) -> Command {
        let mut c = Command::new(&self.loader);
        c.arg(program)
            .env("WINEPREFIX", &self.dir)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null());
        c
    }

    /// Runs `exe ARGS` under Wine in `cwd` with `env` added; its output, whatever the exit.
    pub fn run(
        &self,
        exe: &Path,
        args: &[&str],
        cwd: &Path,
        env: &[(&str, &str)],
    ) -> Result<Output> {
        let mut c = self.command(exe.as_os_str());
        c.args(args).current_dir(cwd);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output()
            .map_err(|e| HarnessError::io("running wine64", &self.loader, e))
    }
}

impl Drop for WinePrefix {
    fn drop(&mut self) {
        let _ = Command::new(&self.server)
            .arg("-k")
            .env("WINEPREFIX", &self.dir)
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Debian package of `mkfs.erofs`.
pub const EROFS_PACKAGE: &str = "erofs-utils";

/// Wine's files on Debian: the loader and server, and the folder of its DLLs (`x86_64-unix`
/// holds the Unix halves, `x86_64-windows` the PE files).
const WINE_BIN_DIR: &str = "/usr/lib/wine";
const WINE_LIB_DIR: &str = "/usr/lib/x86_64-linux-gnu/wine";
const WINE_SHARE_DIR: &str = "/usr/share/wine";

/// Where the prefix lives inside a [`WineGuestRoot`] (the guest's `WINEPREFIX`).
pub const GUEST_PREFIX: &str = "/root/.wine";

/// A guest root for [`crate::vm::Vm::root_image`] that runs the Windows build under Wine: an
/// erofs image holding Wine (loader, server, its DLLs and the libraries `ldd` names for
/// them), a Wine prefix prepared on the host (so the guest does not spend minutes in
/// `wineboot`) with `discburn.exe` and `cdrecord.exe` in `C:\`, and CD-ROM drive letters.
///
/// Each letter is a CD-ROM drive as winecfg makes one: `HKLM\Software\Wine\Drives` says
/// `cdrom` (what `GetDriveTypeW` answers) and `dosdevices/X::` is the Unix device that Wine
/// opens for `\\.\X:` and sends SG_IO to (its ntdll `cdrom.c`). The links point to
/// `/dev/sr0`, `/dev/sr1`, ... in letter order; [`Self::map_command`] relinks a letter in the
/// guest once the device names are known.
///
/// The prefix's copies of Wine's own DLLs (byte for byte the files in `x86_64-windows`) are
/// symbolic links to them in the image, which halves its size; Wine finds them as before.
#[derive(Debug)]
pub struct WineGuestRoot {
    image: PathBuf,
    _dir: tempfile::TempDir,
}

impl WineGuestRoot {
    /// Builds the image with the drive letters `letters` (e.g. `['D', 'E']`).
    pub fn build(letters: &[char]) -> Result<Self> {
        let mkfs = require_tool("mkfs.erofs", EROFS_PACKAGE)?;
        let exe = windows_exe()?;
        let dir = tempfile::Builder::new()
            .prefix("discburn-wineroot-")
            .tempdir()
            .map_err(|e| HarnessError::io("creating temp folder", std::env::temp_dir(), e))?;
        let stage = dir.path().join("root");
        let prefix_dir = dir.path().join("prefix");
        {
            let prefix = WinePrefix::create(&prefix_dir)?;
            for &l in letters {
                let l = l.to_ascii_lowercase();
                let out = prefix
                    .command(OsStr::new("reg"))
                    .args(["add", r"HKLM\Software\Wine\Drives", "/v"])
                    .arg(format!("{l}:"))
                    .args(["/d", "cdrom", "/f"])
                    .output()
                    .map_err(|e| HarnessError::io("running wine64 reg", prefix.loader(), e))?;
                if !out.status.success() {
                    return Err(HarnessError::Command {
                        command: format!(r"wine64 reg add HKLM\Software\Wine\Drives /v {l}:"),
                        detail: String::from_utf8_lossy(&out.stderr).into_owned(),
                    });
                }
            }
            // The registry reaches the files when the server ends.
            let _ = Command::new(&prefix.server)
                .arg("-w")
                .env("WINEPREFIX", prefix.dir())
                .status();
            let dosdevices = prefix.dir().join("dosdevices");
            for (i, &l) in letters.iter().enumerate() {
                let l = l.to_ascii_lowercase();
                symlink(&format!("/mnt/{l}"), &dosdevices.join(format!("{l}:")))?;
                symlink(&format!("/dev/sr{i}"), &dosdevices.join(format!("{l}::")))?;
            }
            let c = prefix.drive_c();
            copy_file(&exe, &c.join("discburn.exe"))?;
            copy_file(&exe, &c.join("cdrecord.exe"))?;
            let windows_dlls = Path::new(WINE_LIB_DIR).join("x86_64-windows");
            copy_tree(
                prefix.dir(),
                &stage.join(&GUEST_PREFIX[1..]),
                Some(&windows_dlls),
            )?;
        } // the prefix folder is removed here
        for d in ["dev", "proc", "sys", "tmp", "etc"] {
            mkdir(&stage.join(d))?;
        }
        for &l in letters {
            mkdir(&stage.join(format!("mnt/{}", l.to_ascii_lowercase())))?;
        }
        std::fs::write(stage.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n")
            .map_err(|e| HarnessError::io("writing", stage.join("etc/passwd"), e))?;
        let lib = Path::new(WINE_LIB_DIR);
        for sub in ["x86_64-unix", "x86_64-windows"] {
            copy_tree(
                &lib.join(sub),
                &stage.join(&lib.join(sub).to_string_lossy()[1..]),
                None,
            )?;
        }
        copy_tree(
            Path::new(WINE_SHARE_DIR),
            &stage.join(&WINE_SHARE_DIR[1..]),
            None,
        )?;
        let mut programs = vec![
            Path::new(WINE_BIN_DIR).join("wine64"),
            Path::new(WINE_BIN_DIR).join("wineserver64"),
        ];
        for p in &programs {
            copy_file(p, &stage.join(&p.to_string_lossy()[1..]))?;
        }
        if let Ok(rd) = std::fs::read_dir(lib.join("x86_64-unix")) {
            programs.extend(rd.flatten().map(|e| e.path()));
        }
        // glibc loads libgcc_s with dlopen when a thread ends (pthread_exit unwinds) and
        // aborts the program without it. FreeType is left out on purpose: with it, gdi32
        // scanned fonts for minutes in the TCG guest and ran out of file handles; a console
        // program needs no fonts (Wine says so on stderr).
        let gcc_s = Path::new("/lib/x86_64-linux-gnu/libgcc_s.so.1");
        if !gcc_s.exists() {
            return Err(HarnessError::MissingTool {
                program: gcc_s.display().to_string(),
                package: "libgcc-s1".into(),
            });
        }
        programs.push(gcc_s.to_path_buf());
        let mut libs = std::collections::BTreeSet::new();
        for p in &programs {
            // A Unix DLL whose library is missing (X11, sound) is not loaded by a console
            // program; only the libraries found are copied.
            if let Ok(found) = crate::host::shared_libraries(p) {
                libs.extend(found);
            }
            if p.starts_with("/lib") {
                libs.insert(p.clone());
            }
        }
        for l in &libs {
            let real = std::fs::canonicalize(l).map_err(|e| HarnessError::io("resolving", l, e))?;
            copy_file(&real, &stage.join(&l.to_string_lossy()[1..]))?;
        }
        let image = dir.path().join("wine-root.erofs");
        let out = Command::new(&mkfs)
            .args(["-zlz4", "--all-root"])
            .arg(&image)
            .arg(&stage)
            .output()
            .map_err(|e| HarnessError::io("running", &mkfs, e))?;
        if !out.status.success() {
            return Err(HarnessError::Command {
                command: format!(
                    "mkfs.erofs -zlz4 --all-root {} {}",
                    image.display(),
                    stage.display()
                ),
                detail: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        std::fs::remove_dir_all(&stage).map_err(|e| HarnessError::io("removing", &stage, e))?;
        Ok(Self { image, _dir: dir })
    }

    /// The erofs image for [`crate::vm::Vm::root_image`].
    pub fn image(&self) -> &Path {
        &self.image
    }

    /// A guest shell command that points drive `letter` at the device `/dev/NAME` whose
    /// name the shell expression `name` gives (e.g. `$(ls /sys/bus/scsi/devices/0:0:1:0/block)`).
    pub fn map_command(letter: char, name: &str) -> String {
        let l = letter.to_ascii_lowercase();
        format!("ln -sfn /dev/{name} /win{GUEST_PREFIX}/dosdevices/{l}:: && readlink /win{GUEST_PREFIX}/dosdevices/{l}::")
    }

    /// A guest shell command running `C:\PROGRAM ARGS` (`discburn.exe`, `cdrecord.exe`)
    /// under Wine in the root (`args` is inserted as shell text).
    pub fn run_command(program: &str, args: &str) -> String {
        format!(
            "HOME=/root WINEPREFIX={GUEST_PREFIX} WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml=' \
             chroot /win /usr/lib/wine/wine64 'C:\\{program}' {args}"
        )
    }
}

fn mkdir(p: &Path) -> Result<()> {
    std::fs::create_dir_all(p).map_err(|e| HarnessError::io("creating", p, e))
}

fn symlink(target: &str, link: &Path) -> Result<()> {
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(target, link).map_err(|e| HarnessError::io("linking", link, e))
}

/// A hard link to `src` at `dst` (parents created), or a copy where linking fails (another
/// file system).
fn copy_file(src: &Path, dst: &Path) -> Result<()> {
    if let Some(parent) = dst.parent() {
        mkdir(parent)?;
    }
    let _ = std::fs::remove_file(dst);
    if std::fs::hard_link(src, dst).is_ok() {
        return Ok(());
    }
    std::fs::copy(src, dst)
        .map(|_| ())
        .map_err(|e| HarnessError::io("copying", src, e))
}

/// Copies the tree `src` to `dst` (files as [`copy_file`], symbolic links as links). With
/// `dedup`, a file byte for byte equal to the file of the same name in that folder becomes a
/// symbolic link to it.
fn copy_tree(src: &Path, dst: &Path, dedup: Option<&Path>) -> Result<()> {
    mkdir(dst)?;
    let rd = std::fs::read_dir(src).map_err(|e| HarnessError::io("reading", src, e))?;
    for e in rd.flatten() {
        let from = e.path();
        let to = dst.join(e.file_name());
        let ft = e
            .file_type()
            .map_err(|er| HarnessError::io("reading", &from, er))?;
        if ft.is_symlink() {
            let target =
                std::fs::read_link(&from).map_err(|er| HarnessError::io("reading", &from, er))?;
            symlink(&target.to_string_lossy(), &to)?;
        } else if ft.is_dir() {
            copy_tree(&from, &to, dedup)?;
        } else if ft.is_file() {
            let twin = dedup
                .map(|d| d.join(e.file_name()))
                .filter(|t| same_contents(&from, t));
            match twin {
                Some(t) => symlink(&t.to_string_lossy(), &to)?,
                None => copy_file(&from, &to)?,
            }
        }
    }
    Ok(())
}

fn same_contents(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    if !mb.is_file() || ma.len() != mb.len() {
        return false;
    }
    matches!((std::fs::read(a), std::fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A machine without Wine or mingw: the lookups the wine tests make first fail with a
    /// message naming the Debian package to install (and the test command), never a skip.
    #[test]
    fn a_missing_wine_or_mingw_fails_naming_the_package() {
        let empty = tempfile::tempdir().unwrap();
        let dirs = [empty.path().to_path_buf()];
        for (program, package) in [
            ("wine64", WINE_PACKAGE),
            ("wineserver", WINE_PACKAGE),
            (MINGW_GCC, MINGW_PACKAGE),
            ("mkfs.erofs", EROFS_PACKAGE),
        ] {
            let err = crate::host::require_tool_in(program, package, &dirs)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("`{program}` is not installed"))
                    && err.contains(&format!("apt-get install {package}"))
                    && err.contains("tests/run-all.sh"),
                "{err}"
            );
        }
        assert_eq!(WINE_PACKAGE, "wine64");
        assert_eq!(MINGW_PACKAGE, "gcc-mingw-w64-x86-64");
        // The packages named are the ones the test command installs.
        let run_all = include_str!("../run-all.sh");
        for p in [WINE_PACKAGE, MINGW_PACKAGE, EROFS_PACKAGE] {
            assert!(
                run_all
                    .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
                    .any(|w| w == p),
                "{p} is not in run-all.sh's PACKAGES"
            );
        }
        // Found where it is, once it is there.
        let prog = empty.path().join("wine64");
        std::fs::write(&prog, "#!/bin/sh\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&prog, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(
            crate::host::require_tool_in("wine64", WINE_PACKAGE, &dirs).unwrap(),
            prog
        );
    }

    #[test]
    fn host_paths_are_spelled_as_wine_shows_them() {
        assert_eq!(
            windows_path(Path::new("/tmp/a b/c.iso")),
            r"Z:\tmp\a b\c.iso"
        );
    }
}
