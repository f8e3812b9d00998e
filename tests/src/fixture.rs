//! What several end-to-end test files prepare the same way: a fixture made once for all the
//! tests of a file (one guest boot serving every test, its failure reported by each) and
//! the genisoimage image of a tree holding one known text file.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::{HarnessError, Result};
use crate::host::run_tool;

/// The value of `prepare`, run once for every caller that shares `cell` (a `static` of the
/// test file). If `prepare` panics, it is not run again: this caller and every later one
/// panic with "preparing the guest failed: " and its message, so each test reports it.
pub fn once<T: Send + Sync>(
    cell: &'static OnceLock<std::result::Result<T, String>>,
    prepare: fn() -> T,
) -> &'static T {
    let f = cell.get_or_init(|| {
        std::panic::catch_unwind(prepare).map_err(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "the guest fixture panicked".into())
        })
    });
    match f {
        Ok(f) => f,
        Err(e) => panic!("preparing the guest failed: {e}"),
    }
}

/// Writes `dir/tree/numbers.txt` (the numbers 0 to 19999, one a line) and makes the image
/// `dir/NAME` of that tree with `genisoimage -quiet -R -V VOLUME_ID`; returns its path.
pub fn numbers_iso(dir: &Path, name: &str, volume_id: &str) -> Result<PathBuf> {
    let tree = dir.join("tree");
    std::fs::create_dir_all(&tree).map_err(|e| HarnessError::io("creating", &tree, e))?;
    let numbers: String = (0..20000).map(|i| format!("{i}\n")).collect();
    let file = tree.join("numbers.txt");
    std::fs::write(&file, numbers).map_err(|e| HarnessError::io("writing", &file, e))?;
    let iso = dir.join(name);
    run_tool(
        "genisoimage",
        "genisoimage",
        [
            OsStr::new("-quiet"),
            OsStr::new("-R"),
            OsStr::new("-V"),
            OsStr::new(volume_id),
            OsStr::new("-o"),
            iso.as_os_str(),
            tree.as_os_str(),
        ],
    )?;
    Ok(iso)
}
