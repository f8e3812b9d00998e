//! Extraction of a file or a tree from a [`Volume`] into a directory (ECMA-119 §9 names,
//! RRIP 1.12 PX/TF/SL attributes), never writing outside it.

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use crate::read::{Entry, Namespace, ReadError, Volume, MAX_DEPTH};
use crate::SectorSource;

fn safe_component(name: &str) -> Result<&str, ReadError> {
    let mut comps = Path::new(name).components();
    match (comps.next(), comps.next()) {
        (Some(Component::Normal(_)), None) if !name.contains('/') && !name.contains('\0') => {
            Ok(name)
        }
        _ => Err(ReadError::UnsafeName(name.to_string())),
    }
}

/// Extracts `entry` (file or directory tree) into the existing directory `dest`, never
/// writing outside it: names with '/', "..", or absolute forms are refused, existing
/// symbolic links are never followed, files are created new. Sets modes and times when
/// Rock Ridge recorded them.
pub fn extract<S: SectorSource>(
    vol: &mut Volume<S>,
    entry: &Entry,
    dest: &Path,
) -> Result<(), ReadError> {
    let ex = |p: &Path, e: io::Error| ReadError::Extract {
        path: p.to_path_buf(),
        source: e,
    };
    if entry.is_dir {
        let mut dirs: Vec<(PathBuf, Entry)> = Vec::new();
        let root = entry.clone();
        vol.walk(&root, &mut |_, _| Ok(()))?; // validate structure first (loops, depth)
        extract_dir(vol, &root, dest, &mut dirs, 0)?;
        for (p, e) in dirs.iter().rev() {
            apply_meta(p, e).map_err(|s| ex(p, s))?;
        }
        Ok(())
    } else {
        let name = safe_component(&entry.name)?;
        extract_one(vol, entry, &dest.join(name))
    }
}

fn extract_dir<S: SectorSource>(
    vol: &mut Volume<S>,
    dir: &Entry,
    dest: &Path,
    dirs: &mut Vec<(PathBuf, Entry)>,
    depth: usize,
) -> Result<(), ReadError> {
    if depth > MAX_DEPTH {
        return Err(ReadError::TooDeep);
    }
    let ex = |p: &Path, e: io::Error| ReadError::Extract {
        path: p.to_path_buf(),
        source: e,
    };
    for k in vol.read_dir(dir)? {
        let name = safe_component(&k.name)?;
        let p = dest.join(name);
        if k.is_dir {
            match fs::create_dir(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let md = fs::symlink_metadata(&p).map_err(|s| ex(&p, s))?;
                    if !md.is_dir() {
                        return Err(ex(
                            &p,
                            io::Error::new(
                                io::ErrorKind::AlreadyExists,
                                "exists and is not a directory",
                            ),
                        ));
                    }
                }
                Err(e) => return Err(ex(&p, e)),
            }
            let k = if vol.namespace() == Namespace::RockRidge {
                vol.with_dot_attrs(k)?
            } else {
                k
            };
            extract_dir(vol, &k, &p, dirs, depth + 1)?;
            dirs.push((p, k));
        } else {
            extract_one(vol, &k, &p)?;
        }
    }
    Ok(())
}

fn extract_one<S: SectorSource>(vol: &mut Volume<S>, e: &Entry, p: &Path) -> Result<(), ReadError> {
    let ex = |e: io::Error| ReadError::Extract {
        path: p.to_path_buf(),
        source: e,
    };
    let ft = e.mode.map(|m| m & crate::tree::mode::S_IFMT);
    if let Some(t) = &e.symlink {
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(t, p).map_err(ex)?;
            return Ok(());
        }
        #[cfg(not(unix))]
        {
            let _ = t;
            return Ok(());
        }
    }
    if matches!(
        ft,
        Some(
            crate::tree::mode::S_IFIFO
                | crate::tree::mode::S_IFCHR
                | crate::tree::mode::S_IFBLK
                | crate::tree::mode::S_IFSOCK
        )
    ) {
        // Special files are not recreated (that needs mknod privileges); skip quietly.
        log::info!("{}: special file not extracted", p.display());
        return Ok(());
    }
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(p)
        .map_err(ex)?;
    {
        let mut w = io::BufWriter::new(&mut f);
        vol.read_file(e, &mut w)?;
        w.flush().map_err(ex)?;
    }
    drop(f);
    apply_meta(p, e).map_err(ex)
}

fn apply_meta(p: &Path, e: &Entry) -> io::Result<()> {
    #[cfg(unix)]
    if let Some(m) = e.mode {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(p, fs::Permissions::from_mode(m & 0o7777))?;
    }
    if let Some(t) = e.mtime {
        let st = std::time::UNIX_EPOCH
            + std::time::Duration::from_secs(t.secs.max(0) as u64)
            + std::time::Duration::from_nanos(u64::from(t.nanos));
        let f = fs::File::options()
            .read(true)
            .open(p)
            .or_else(|_| fs::File::open(p))?;
        f.set_modified(st)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names_are_refused() {
        for n in ["..", "a/b", "/etc", ".", ""] {
            assert!(safe_component(n).is_err(), "{n}");
        }
        assert!(safe_component("ok.txt").is_ok());
    }
}
