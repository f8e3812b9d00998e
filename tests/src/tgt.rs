//! tgt's MMC emulation over iSCSI as a writable drive for the guest (`shared/TESTBED.md`
//! §2): a private `tgtd` on loopback with one target whose LUN 1 is a CD/DVD device
//! backed by a file. An empty backing file is a blank DVD+R.
//!
//! Several may run at once: each `tgtd` gets its own iSCSI portal port (a free TCP port)
//! and its own management socket (`tgtd -C N`, `tgtadm -C N`; the socket is
//! `/var/run/tgtd/socket.N`, N at most 32767 and not in use).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{HarnessError, Result};
use crate::host::require_tool;

/// The iSCSI target name (one target per tgtd, so every test may use the same).
pub const IQN: &str = "iqn.2026-11.test.discburn:cd";
/// The target id in tgtd.
const TID: &str = "1";
/// Where tgtd puts its management sockets.
const IPC_DIR: &str = "/var/run/tgtd";

/// A running tgtd serving one CD/DVD logical unit (LUN 1); stopped on drop.
#[derive(Debug)]
pub struct TgtDisc {
    daemon: Tgtd,
    backing: PathBuf,
    _dir: tempfile::TempDir,
}

impl TgtDisc {
    /// A blank DVD+R: tgtd with an empty backing file.
    pub fn blank_dvd_plus_r() -> Result<Self> {
        Self::start(&[])
    }

    /// A disc whose backing file holds `contents` (tgt decides the medium from its size).
    pub fn with_contents(contents: &[u8]) -> Result<Self> {
        Self::start(contents)
    }

    fn start(contents: &[u8]) -> Result<Self> {
        let tgtd = require_tool("tgtd", "tgt")?;
        let tgtadm = require_tool("tgtadm", "tgt")?;
        let dir = tempfile::Builder::new()
            .prefix("discburn-tgt-")
            .tempdir()
            .map_err(|e| HarnessError::io("creating temp folder", std::env::temp_dir(), e))?;
        let backing = dir.path().join("disc.img");
        std::fs::write(&backing, contents)
            .map_err(|e| HarnessError::io("writing backing file", &backing, e))?;
        let log = dir.path().join("tgtd.log");
        let mut last_problem = String::new();
        // A port picked as free may be taken again before tgtd binds it: try a few.
        for _attempt in 0..5 {
            let port = free_port()?;
            let control = free_control_port();
            let mut daemon = Tgtd::spawn(&tgtd, &tgtadm, port, control, &log)?;
            match daemon.configure(&backing) {
                Ok(()) => {
                    return Ok(TgtDisc {
                        daemon,
                        backing,
                        _dir: dir,
                    })
                }
                Err(problem) => {
                    last_problem = format!("{problem}; tgtd log:\n{}", read_text(&log));
                    drop(daemon);
                }
            }
        }
        Err(HarnessError::Tgt(last_problem))
    }

    /// The URL QEMU opens (`-drive file=URL`), e.g. for [`crate::vm::Vm::iscsi`].
    pub fn url(&self) -> String {
        format!("iscsi://127.0.0.1:{}/{IQN}/1", self.daemon.port)
    }

    /// The backing file: what the guest wrote to the disc, byte for byte at LBA×2048.
    pub fn backing_file(&self) -> &Path {
        &self.backing
    }

    /// The iSCSI portal (and management) port of this tgtd.
    pub fn port(&self) -> u16 {
        self.daemon.port
    }

    /// The process id of this tgtd (it is stopped when this value is dropped).
    pub fn pid(&self) -> Option<u32> {
        self.daemon.child.as_ref().map(Child::id)
    }

    /// tgtd's own log so far.
    pub fn log(&self) -> String {
        read_text(&self.daemon.log)
    }
}

/// The tgtd process, stopped by process id on drop: the target deleted with `--force`,
/// the daemon asked to exit (`--op delete --mode system`, SIGTERM), SIGKILL after 3 s.
#[derive(Debug)]
struct Tgtd {
    child: Option<Child>,
    port: u16,
    control: u16,
    tgtadm: PathBuf,
    log: PathBuf,
}

impl Tgtd {
    fn spawn(tgtd: &Path, tgtadm: &Path, port: u16, control: u16, log: &Path) -> Result<Self> {
        let out = std::fs::File::create(log)
            .map_err(|e| HarnessError::io("creating tgtd log", log, e))?;
        let err = out
            .try_clone()
            .map_err(|e| HarnessError::io("creating tgtd log", log, e))?;
        let child = Command::new(tgtd)
            .args([
                "-f",
                "-C",
                &control.to_string(),
                "--iscsi",
                &format!("portal=127.0.0.1:{port}"),
            ])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| HarnessError::io("starting tgtd", tgtd, e))?;
        Ok(Self {
            child: Some(child),
            port,
            control,
            tgtadm: tgtadm.to_path_buf(),
            log: log.to_path_buf(),
        })
    }

    /// Runs `tgtadm -C PORT --lld iscsi ARGS`; Err holds its output.
    fn adm(&self, args: &[&str]) -> std::result::Result<(), String> {
        let out = Command::new(&self.tgtadm)
            .args(["-C", &self.control.to_string(), "--lld", "iscsi"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running tgtadm: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "tgtadm {} failed ({}): {}{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Waits for the daemon, then creates the target, the CD/DVD LUN and the binding.
    fn configure(&mut self, backing: &Path) -> std::result::Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                return Err(format!("tgtd exited at start ({status})"));
            }
            if self.adm(&["--op", "show", "--mode", "target"]).is_ok()
                && TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            {
                break;
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "tgtd on port {} did not come up in 10 s",
                    self.port
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let backing = backing.to_string_lossy();
        self.adm(&["--op", "new", "--mode", "target", "--tid", TID, "-T", IQN])?;
        self.adm(&[
            "--op",
            "new",
            "--mode",
            "logicalunit",
            "--tid",
            TID,
            "--lun",
            "1",
            "-b",
            &backing,
            "--device-type",
            "cd",
        ])?;
        self.adm(&[
            "--op", "bind", "--mode", "target", "--tid", TID, "-I", "ALL",
        ])?;
        Ok(())
    }
}

impl Drop for Tgtd {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(None) = child.try_wait() {
            let _ = self.adm(&[
                "--op", "delete", "--mode", "target", "--tid", TID, "--force",
            ]);
            let _ = self.adm(&["--op", "delete", "--mode", "system"]);
            if let Ok(pid) = i32::try_from(child.id()) {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGTERM,
                );
            }
            let deadline = Instant::now() + Duration::from_secs(3);
            while let Ok(None) = child.try_wait() {
                if Instant::now() >= deadline {
                    let _ = child.kill();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = child.wait();
        // The management socket and its lock file are ours (named by our port).
        let sock = Path::new(IPC_DIR).join(format!("socket.{}", self.control));
        let _ = std::fs::remove_file(sock.with_extension(format!("{}.lock", self.control)));
        let _ = std::fs::remove_file(&sock);
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
fn free_port() -> Result<u16> {
    let l = TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| HarnessError::io("finding a free port", "127.0.0.1:0", e))?;
    let port = l
        .local_addr()
        .map_err(|e| HarnessError::io("finding a free port", "127.0.0.1:0", e))?
        .port();
    Ok(port)
}

/// A management port number (1024..=32767, tgtd's limit) whose socket is not there now.
fn free_control_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut seed = std::process::id()
        .wrapping_mul(2_654_435_761)
        .wrapping_add(nanos)
        .wrapping_add(COUNTER.fetch_add(7919, Ordering::Relaxed));
    loop {
        let port = 1024 + (seed % (32768 - 1024)) as u16;
        if !Path::new(IPC_DIR).join(format!("socket.{port}")).exists() {
            return port;
        }
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
    }
}

fn read_text(p: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned()
}
