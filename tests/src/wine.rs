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
    let debian = PathBuf::from("/usr/lib/wine/wine64");
    if debian.is_file() {
        return Ok(debian);
    }
    require_tool("wine64", WINE_PACKAGE)
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
        let gcc = require_tool(MINGW_GCC, MINGW_PACKAGE)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_paths_are_spelled_as_wine_shows_them() {
        assert_eq!(
            windows_path(Path::new("/tmp/a b/c.iso")),
            r"Z:\tmp\a b\c.iso"
        );
    }
}
