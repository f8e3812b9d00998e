//! `discburn serve` as a drive for the guest: the emulated drive served over iSCSI on a
//! free loopback port, attached the way tgt's is ([`crate::vm::Vm::iscsi`]: QEMU's iSCSI
//! initiator to `scsi-generic`, so the guest's SG_IO commands reach the emulator as sent).
//!
//! The server runs the static discburn the tests put into the guest
//! (`DISCBURN_GUEST_BIN`), on the host. `--listen 127.0.0.1:0` lets it take a free port
//! itself; the URLs it prints name it, so there is no race for the port.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::error::{HarnessError, Result};
use crate::host::guest_binary;

/// A running `discburn serve` with its discs; stopped (SIGTERM, state recorded) on drop.
#[derive(Debug)]
pub struct ServedDrives {
    child: Option<Child>,
    urls: Vec<String>,
    images: Vec<PathBuf>,
    log: PathBuf,
    dir: tempfile::TempDir,
}

impl ServedDrives {
    /// One blank disc of `profile` (`cd-r`, `bd-r`, ...) with extra `emu:` options
    /// (`""` for none, else e.g. `"write_error=300"`), served as LUN 1.
    pub fn profile(profile: &str, options: &str) -> Result<Self> {
        let opts = if options.is_empty() {
            format!("profile={profile}")
        } else {
            format!("profile={profile},{options}")
        };
        Self::start(&[opts], &[])
    }

    /// One `emu:` drive per entry of `options` (the part after `emu:PATH,`), each on a
    /// disc image of its own in a private folder, as LUN 1, 2, ...; `extra` are further
    /// `serve` arguments (`--target`, `--chap-user`, ...).
    pub fn start(options: &[String], extra: &[&str]) -> Result<Self> {
        let bin = guest_binary()?;
        let dir = tempfile::Builder::new()
            .prefix("discburn-serve-")
            .tempdir()
            .map_err(|e| HarnessError::io("creating temp folder", std::env::temp_dir(), e))?;
        let log = dir.path().join("serve.log");
        let err = std::fs::File::create(&log)
            .map_err(|e| HarnessError::io("creating serve log", &log, e))?;
        let mut images = Vec::new();
        let mut cmd = Command::new(&bin);
        cmd.args(["-v", "serve", "--listen", "127.0.0.1:0"])
            .args(extra);
        for (i, o) in options.iter().enumerate() {
            let image = dir.path().join(format!("disc{}.img", i + 1));
            let spec = if o.is_empty() {
                format!("emu:{}", image.display())
            } else {
                format!("emu:{},{o}", image.display())
            };
            cmd.arg(spec);
            images.push(image);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(err)
            .spawn()
            .map_err(|e| HarnessError::io("starting discburn serve", &bin, e))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            return Err(HarnessError::Tgt(
                "discburn serve: no standard output".into(),
            ));
        };
        // The URLs come once the socket listens; read them on a thread so a server that
        // never prints cannot hang the test.
        let want = options.len();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            let mut urls = Vec::new();
            for _ in 0..want {
                let mut line = String::new();
                match r.read_line(&mut line) {
                    Ok(n) if n > 0 => urls.push(line.trim().to_string()),
                    _ => break,
                }
            }
            let _ = tx.send(urls);
            // Keep reading so the server never blocks on a full pipe.
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut r, &mut sink);
        });
        let urls = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let mut me = ServedDrives {
            child: Some(child),
            urls,
            images,
            log,
            dir,
        };
        if me.urls.len() != want {
            let status = me.stop().ok();
            return Err(HarnessError::Tgt(format!(
                "discburn serve printed {} of {want} URLs (exit {status:?}); its log:\n{}",
                me.urls.len(),
                me.log()
            )));
        }
        Ok(me)
    }

    /// The URL of LUN `n` (1-based) for [`crate::vm::Vm::iscsi`].
    pub fn url(&self, n: usize) -> &str {
        self.urls.get(n.wrapping_sub(1)).map_or("", String::as_str)
    }

    /// The TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.url(1)
            .strip_prefix("iscsi://127.0.0.1:")
            .and_then(|r| r.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    /// The disc image of LUN `n` (block N at byte N×2048; `PATH.state` beside it).
    pub fn image(&self, n: usize) -> &Path {
        self.images
            .get(n.wrapping_sub(1))
            .map_or(self.dir.path(), PathBuf::as_path)
    }

    /// The `emu:PATH` device of LUN `n` for host-side discburn (after [`Self::stop`]).
    pub fn dev(&self, n: usize) -> String {
        format!("emu:{}", self.image(n).display())
    }

    /// The server's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// What the server logged on standard error so far.
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()).into_owned()
    }

    /// Sends SIGTERM and waits for the exit (SIGKILL after 10 s); the state is recorded.
    pub fn stop(&mut self) -> Result<ExitStatus> {
        let Some(mut child) = self.child.take() else {
            return Err(HarnessError::Tgt("discburn serve already stopped".into()));
        };
        if let Ok(pid) = i32::try_from(child.id()) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match child.try_wait() {
                Ok(Some(s)) => return Ok(s),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                _ => {
                    let _ = child.kill();
                    return child
                        .wait()
                        .map_err(|e| HarnessError::io("waiting for discburn serve", &self.log, e));
                }
            }
        }
    }
}

impl Drop for ServedDrives {
    fn drop(&mut self) {
        if self.child.is_some() {
            let _ = self.stop();
        }
    }
}
