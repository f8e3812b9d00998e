//! Host-side lookups for the test bed: programs in PATH (with the Debian package that
//! provides them), the shared libraries a dynamic program needs (as `ldd` names them),
//! the environment set by `tests/run-all.sh`, and the unpacked guest kernel package.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{HarnessError, Result};

/// Environment variable naming the statically linked `discburn` put into the guest.
pub const ENV_GUEST_BIN: &str = "DISCBURN_GUEST_BIN";
/// Environment variable naming the folder holding the unpacked guest kernel package.
pub const ENV_GUEST_KERNEL: &str = "DISCBURN_GUEST_KERNEL";

/// Finds `program` in PATH (and the sbin folders, where tgtd lives), or says which
/// Debian package to install.
pub fn require_tool(program: &str, package: &str) -> Result<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    for extra in ["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
        dirs.push(PathBuf::from(extra));
    }
    require_tool_in(program, package, &dirs)
}

/// Like [`require_tool`], searching only the folders `dirs`.
pub fn require_tool_in(program: &str, package: &str, dirs: &[PathBuf]) -> Result<PathBuf> {
    dirs.iter()
        .map(|d| d.join(program))
        .find(|p| is_executable(p))
        .ok_or_else(|| HarnessError::MissingTool {
            program: program.to_string(),
            package: package.to_string(),
        })
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Runs a host program (found with [`require_tool`]) and returns its stdout; a non-zero
/// exit is an error carrying stderr.
pub fn run_tool<I, S>(program: &str, package: &str, args: I) -> Result<Vec<u8>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let path = require_tool(program, package)?;
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let out = Command::new(&path)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| HarnessError::io("running", &path, e))?;
    if !out.status.success() {
        let line: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        return Err(HarnessError::Command {
            command: format!("{program} {}", line.join(" ")),
            detail: format!("{}: {}", out.status, String::from_utf8_lossy(&out.stderr)),
        });
    }
    Ok(out.stdout)
}

/// The path in an environment variable that must name an existing file or folder.
pub fn env_path(var: &'static str, what: &'static str) -> Result<PathBuf> {
    let value = std::env::var_os(var).filter(|v| !v.is_empty());
    let path = PathBuf::from(value.ok_or(HarnessError::MissingEnv { var, what })?);
    if !path.exists() {
        return Err(HarnessError::EnvPathMissing { var, path });
    }
    Ok(path)
}

/// The statically linked guest `discburn` named by `DISCBURN_GUEST_BIN`.
pub fn guest_binary() -> Result<PathBuf> {
    env_path(ENV_GUEST_BIN, "the static discburn binary for the guest")
}

/// The shared libraries (and the dynamic loader) a program needs, as `ldd` names them;
/// empty for a static program.
pub fn shared_libraries(program: &Path) -> Result<Vec<PathBuf>> {
    let ldd = require_tool("ldd", "libc-bin")?;
    let out = Command::new(&ldd)
        .arg(program)
        .output()
        .map_err(|e| HarnessError::io("running ldd", &ldd, e))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        // ldd says "not a dynamic executable" (exit 1) for static programs.
        let err = String::from_utf8_lossy(&out.stderr);
        if text.contains("not a dynamic executable")
            || err.contains("not a dynamic executable")
            || text.contains("statically linked")
        {
            return Ok(Vec::new());
        }
        return Err(HarnessError::Command {
            command: format!("ldd {}", program.display()),
            detail: format!("{}: {}{}", out.status, text, err),
        });
    }
    let mut libs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.contains("not found") {
            return Err(HarnessError::Command {
                command: format!("ldd {}", program.display()),
                detail: format!("a library is missing: {line}"),
            });
        }
        // "libx.so.1 => /lib/x86_64-linux-gnu/libx.so.1 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
        let candidate = match line.split_once("=>") {
            Some((_, rhs)) => rhs.trim(),
            None => line,
        };
        let path = candidate.split_whitespace().next().unwrap_or("");
        if path.starts_with('/') {
            libs.push(PathBuf::from(path));
        }
    }
    Ok(libs)
}

/// The unpacked guest kernel package: the kernel image and its loadable modules.
#[derive(Debug, Clone)]
pub struct GuestKernel {
    /// The bootable kernel image (`boot/vmlinuz-*`).
    pub vmlinuz: PathBuf,
    /// The module tree (`lib/modules/<version>`).
    pub modules_dir: PathBuf,
    /// Module name (dashes as underscores) to its `.ko` file.
    modules: HashMap<String, PathBuf>,
}

impl GuestKernel {
    /// The kernel named by `DISCBURN_GUEST_KERNEL`.
    pub fn from_env() -> Result<Self> {
        let dir = env_path(
            ENV_GUEST_KERNEL,
            "folder of the unpacked linux-image-*-cloud-amd64 package",
        )?;
        Self::open(&dir)
    }

    /// The kernel unpacked (with `dpkg -x`) into `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        let kerr = |problem: String| HarnessError::Kernel {
            dir: dir.to_path_buf(),
            problem,
        };
        let boot = dir.join("boot");
        let vmlinuz = read_dir_sorted(&boot)?
            .into_iter()
            .find(|p| file_name(p).starts_with("vmlinuz-"))
            .ok_or_else(|| kerr("no boot/vmlinuz-* file".into()))?;
        let version = file_name(&vmlinuz)
            .trim_start_matches("vmlinuz-")
            .to_string();
        let mut modules_dir = dir.join("lib/modules").join(&version);
        if !modules_dir.is_dir() {
            modules_dir = dir.join("usr/lib/modules").join(&version);
        }
        if !modules_dir.is_dir() {
            return Err(kerr(format!("no lib/modules/{version} folder")));
        }
        let mut modules = HashMap::new();
        let mut stack = vec![modules_dir.join("kernel")];
        while let Some(d) = stack.pop() {
            for p in read_dir_sorted(&d)? {
                if p.is_dir() {
                    stack.push(p);
                } else if let Some(name) = file_name(&p).strip_suffix(".ko") {
                    modules.insert(name.replace('-', "_"), p.clone());
                }
            }
        }
        if modules.is_empty() {
            return Err(kerr("no plain .ko modules found".into()));
        }
        Ok(Self {
            vmlinuz,
            modules_dir,
            modules,
        })
    }

    /// The `.ko` file of a module (name with dashes or underscores).
    pub fn module_path(&self, name: &str) -> Option<&Path> {
        self.modules
            .get(&name.replace('-', "_"))
            .map(PathBuf::as_path)
    }

    /// The modules to insmod, in order, so that each comes after everything it depends on
    /// (read from the `depends=` field of each module's `.modinfo`), starting from `wanted`
    /// in the given order. Names not found as modules are assumed built in and skipped.
    pub fn load_order(&self, wanted: &[&str]) -> Result<Vec<String>> {
        let mut order = Vec::new();
        for name in wanted {
            self.visit(&name.replace('-', "_"), &mut order, 0)?;
        }
        Ok(order)
    }

    fn visit(&self, name: &str, order: &mut Vec<String>, depth: usize) -> Result<()> {
        if order.iter().any(|n| n == name) || depth > 32 {
            return Ok(());
        }
        let Some(path) = self.modules.get(name) else {
            return Ok(()); // built into the kernel
        };
        let bytes = std::fs::read(path).map_err(|e| HarnessError::io("reading module", path, e))?;
        for dep in modinfo_depends(&bytes) {
            self.visit(&dep.replace('-', "_"), order, depth + 1)?;
        }
        if !order.iter().any(|n| n == name) {
            order.push(name.to_string());
        }
        Ok(())
    }
}

/// The names in a module's `depends=` modinfo string (NUL-terminated in `.modinfo`).
fn modinfo_depends(ko: &[u8]) -> Vec<String> {
    const KEY: &[u8] = b"\0depends=";
    let Some(start) = ko.windows(KEY.len()).position(|w| w == KEY) else {
        return Vec::new();
    };
    let rest = &ko[start + KEY.len()..];
    let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    String::from_utf8_lossy(&rest[..end])
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| HarnessError::io("listing folder", dir, e))?;
    let mut v = Vec::new();
    for entry in rd {
        v.push(
            entry
                .map_err(|e| HarnessError::io("listing folder", dir, e))?
                .path(),
        );
    }
    v.sort();
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modinfo_depends_is_read_from_the_modinfo_strings() {
        let ko = b"\x7fELF...\0license=GPL\0depends=scsi_mod,cdrom\0intree=Y\0";
        assert_eq!(modinfo_depends(ko), vec!["scsi_mod", "cdrom"]);
        assert!(modinfo_depends(b"\0depends=\0name=x\0").is_empty());
        assert!(modinfo_depends(b"nothing here").is_empty());
    }

    #[test]
    fn missing_environment_names_the_test_command() {
        let e = env_path("DISCBURN_TESTS_SURELY_UNSET_VARIABLE", "something").unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("DISCBURN_TESTS_SURELY_UNSET_VARIABLE"),
            "{msg}"
        );
        assert!(msg.contains("bash tests/run-all.sh"), "{msg}");
    }

    #[test]
    fn missing_tool_names_the_package_and_the_script() {
        let e = require_tool("surely-not-a-program-xyz", "some-package").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("apt-get install some-package"), "{msg}");
        assert!(msg.contains("tests/run-all.sh"), "{msg}");
    }
}
