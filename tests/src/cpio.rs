//! A writer for the cpio "newc" archive format (the SVR4 portable format with ASCII
//! headers, magic `070701`) that the Linux kernel unpacks as an initramfs
//! (Documentation/driver-api/early-userspace/buffer-format.rst).
//!
//! Archives are built in memory. Several archives may be concatenated: the kernel unpacks
//! them one after the other, later entries replacing earlier ones of the same name, which
//! is how the test bed adds per-guest files to a shared base archive.

use std::collections::BTreeSet;

/// File type and permission bits for a regular file (`S_IFREG`).
const S_IFREG: u32 = 0o100000;
/// File type bits for a directory (`S_IFDIR`).
const S_IFDIR: u32 = 0o040000;
/// File type bits for a symbolic link (`S_IFLNK`).
const S_IFLNK: u32 = 0o120000;

/// An in-memory newc cpio archive under construction.
#[derive(Debug, Default, Clone)]
pub struct Cpio {
    buf: Vec<u8>,
    dirs: BTreeSet<String>,
    names: Vec<String>,
    ino: u32,
}

impl Cpio {
    /// An empty archive.
    pub fn new() -> Self {
        Self {
            buf: Vec::new(),
            dirs: BTreeSet::new(),
            names: Vec::new(),
            ino: 1,
        }
    }

    /// Adds a directory and all its missing parents (mode 0755).
    pub fn dir(&mut self, path: &str) {
        let path = normalize(path);
        if path.is_empty() || self.dirs.contains(&path) {
            return;
        }
        if let Some((parent, _)) = path.rsplit_once('/') {
            self.dir(parent);
        }
        self.dirs.insert(path.clone());
        self.entry(&path, S_IFDIR | 0o755, &[]);
    }

    /// Adds a regular file with the given permission bits (e.g. 0o755), creating parents.
    pub fn file(&mut self, path: &str, mode: u32, data: &[u8]) {
        let path = normalize(path);
        self.parent_dirs(&path);
        self.entry(&path, S_IFREG | (mode & 0o7777), data);
        self.names.push(path);
    }

    /// Adds a symbolic link at `path` pointing to `target`, creating parents.
    pub fn symlink(&mut self, path: &str, target: &str) {
        let path = normalize(path);
        self.parent_dirs(&path);
        self.entry(&path, S_IFLNK | 0o777, target.as_bytes());
        self.names.push(path);
    }

    /// The names of the files and links added so far (relative, without a leading `/`).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Ends the archive with the `TRAILER!!!` entry and returns its bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.entry("TRAILER!!!", 0, &[]);
        self.buf
    }

    fn parent_dirs(&mut self, path: &str) {
        if let Some((parent, _)) = path.rsplit_once('/') {
            self.dir(parent);
        }
    }

    fn entry(&mut self, name: &str, mode: u32, data: &[u8]) {
        let ino = self.ino;
        self.ino += 1;
        let nlink = if mode & 0o170000 == S_IFDIR { 2 } else { 1 };
        // Fields: magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
        // rdevmajor, rdevminor, namesize (including the NUL), check.
        let header = format!(
            "070701{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}",
            ino,
            mode,
            0,
            0,
            nlink,
            0,
            data.len(),
            0,
            0,
            0,
            0,
            name.len() + 1,
            0
        );
        self.buf.extend_from_slice(header.as_bytes());
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.push(0);
        self.pad4();
        self.buf.extend_from_slice(data);
        self.pad4();
    }

    fn pad4(&mut self) {
        while !self.buf.len().is_multiple_of(4) {
            self.buf.push(0);
        }
    }
}

/// Strips leading `/` and `./` so names are relative, as the kernel expects.
fn normalize(path: &str) -> String {
    let mut p = path;
    loop {
        if let Some(rest) = p.strip_prefix('/') {
            p = rest;
        } else if let Some(rest) = p.strip_prefix("./") {
            p = rest;
        } else {
            break;
        }
    }
    p.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    /// The archive is read back by GNU cpio, an independent reader.
    #[test]
    fn gnu_cpio_lists_and_extracts_the_archive() {
        let mut c = Cpio::new();
        c.file("/usr/bin/hello", 0o755, b"hello world\n");
        c.symlink("bin/sh", "busybox");
        c.file("odd", 0o644, b"abc");
        let bytes = c.finish();
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("cpio")
            .args(["-idm", "--quiet"])
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .spawn()
            .expect("cpio not found: apt-get install cpio (or run bash tests/run-all.sh)");
        use std::io::Write;
        child.stdin.take().unwrap().write_all(&bytes).unwrap();
        assert!(child.wait().unwrap().success());
        let p = dir.path();
        assert_eq!(
            std::fs::read(p.join("usr/bin/hello")).unwrap(),
            b"hello world\n"
        );
        assert_eq!(std::fs::read(p.join("odd")).unwrap(), b"abc");
        assert_eq!(
            std::fs::read_link(p.join("bin/sh")).unwrap().to_str(),
            Some("busybox")
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(p.join("usr/bin/hello"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
    }
}
