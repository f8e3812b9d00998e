//! Bounds the reader keeps for a whole image, not per record: the bytes of names and link
//! targets (Rock Ridge NM/SL, RRIP 1.12 §4.1.3/§4.1.4, across SUSP 1.12 §5.1 continuation
//! areas) per directory and per walk, entries per directory, continuation bytes parsed,
//! and the placement of extents (ECMA-119 §6.5.1 multi-extent files, §9.1.3/§9.1.4 extent
//! location and data length) against the volume (§8.4.8 volume space size) and each other.
//!
//! Every limit is checked before the memory it bounds is taken, and a limit hit names the
//! entry. The defaults are far beyond any real disc (a BD-R full of files with long names
//! stays below them) and far below what a few megabytes of crafted bytes could otherwise
//! claim.

use std::collections::BTreeMap;

/// What the reader accepts from an image; [`Default`] gives generous bounds no real disc
/// reaches. Set them with [`crate::Volume::set_limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest name or symbolic link target of one entry, in bytes (64 KiB; Linux allows
    /// 255-byte names and 4 KiB paths).
    pub max_name: usize,
    /// Names plus link targets of the entries of one directory, in bytes (64 MiB).
    pub max_dir_names: u64,
    /// Entries of one directory (1,048,576).
    pub max_dir_entries: usize,
    /// Bytes of SUSP continuation areas parsed for the records of one directory (64 MiB).
    pub max_dir_continuation: u64,
    /// Longest path of an entry below the walked directory, in bytes (64 KiB).
    pub max_path: usize,
    /// Names and link targets one walk reads, plus the directory prefixes of the paths it
    /// hands out, in bytes (256 MiB): what the walk holds, and what a caller keeping every
    /// path (a recursive listing) holds at most.
    pub max_total_names: u64,
    /// Bytes of SUSP continuation areas parsed during one walk (1 GiB).
    pub max_total_continuation: u64,
    /// Parts of one multi-extent file (65,536: 256 TiB of 4 GiB parts).
    pub max_extents: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_name: 64 << 10,
            max_dir_names: 64 << 20,
            max_dir_entries: 1 << 20,
            max_dir_continuation: 64 << 20,
            max_path: 64 << 10,
            max_total_names: 256 << 20,
            max_total_continuation: 1 << 30,
            max_extents: 1 << 16,
        }
    }
}

/// What is wrong with one entry of an image (carried by `ReadError::Entry`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A name or link target longer than [`Limits::max_name`].
    #[error("{what} longer than {limit} bytes (Rock Ridge NM/SL)")]
    NameTooLong {
        /// "name" or "symbolic link target".
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// The names of one directory exceed [`Limits::max_dir_names`].
    #[error("names and link targets of the directory exceed {limit} bytes")]
    DirNames {
        /// The limit.
        limit: u64,
    },
    /// A directory with more than [`Limits::max_dir_entries`] entries.
    #[error("directory has more than {limit} entries")]
    DirEntries {
        /// The limit.
        limit: usize,
    },
    /// The continuation areas of one directory exceed [`Limits::max_dir_continuation`].
    #[error("SUSP continuation areas (CE) of the directory exceed {limit} bytes")]
    DirContinuation {
        /// The limit.
        limit: u64,
    },
    /// A path longer than [`Limits::max_path`].
    #[error("path longer than {limit} bytes")]
    PathTooLong {
        /// The limit.
        limit: usize,
    },
    /// The paths of a walk exceed [`Limits::max_total_names`].
    #[error("paths and link targets of the tree exceed {limit} bytes in total")]
    TotalNames {
        /// The limit.
        limit: u64,
    },
    /// The continuation areas of a walk exceed [`Limits::max_total_continuation`].
    #[error("SUSP continuation areas (CE) of the tree exceed {limit} bytes in total")]
    TotalContinuation {
        /// The limit.
        limit: u64,
    },
    /// A multi-extent file of more than [`Limits::max_extents`] parts.
    #[error("multi-extent file of more than {limit} parts")]
    TooManyExtents {
        /// The limit.
        limit: usize,
    },
    /// An extent that ends beyond the volume (ECMA-119 §8.4.8, or the medium's end).
    #[error(
        "{what} at block {lba} of {size} bytes ends beyond the volume \
         ({end} blocks)"
    )]
    BeyondVolume {
        /// "file extent", "directory extent", "continuation area".
        what: &'static str,
        /// First block.
        lba: u32,
        /// Bytes.
        size: u64,
        /// End of the volume (exclusive block).
        end: u64,
    },
    /// Two parts of one multi-extent file share blocks.
    #[error(
        "multi-extent parts overlap: blocks {a}..{a_end} and {b}..{b_end} \
         (ECMA-119 §6.5.1)"
    )]
    PartsOverlap {
        /// First part's first block.
        a: u32,
        /// First part's end (exclusive).
        a_end: u64,
        /// Second part's first block.
        b: u32,
        /// Second part's end (exclusive).
        b_end: u64,
    },
    /// A multi-extent file interrupted by a record of another name before its last part.
    #[error(
        "multi-extent file has no final part: it is followed by a record named {next:?} \
         (ECMA-119 §6.5.1: every part has the same identifier, only the last one is \
         without the multi-extent flag)"
    )]
    PartName {
        /// The record that follows.
        next: String,
    },
    /// A multi-extent file whose last record still has the multi-extent flag.
    #[error("multi-extent file ends with the directory, its last part is missing")]
    NoFinalPart,
    /// A directory whose extent shares blocks with another directory of the tree.
    #[error(
        "directory extent (blocks {lba}..{end}) overlaps the directory at blocks \
         {other}..{other_end}"
    )]
    DirOverlap {
        /// First block.
        lba: u32,
        /// End (exclusive).
        end: u64,
        /// The other directory's first block.
        other: u32,
        /// Its end (exclusive).
        other_end: u64,
    },
}

/// `path` for a message: whole up to 256 bytes, else its first 200 bytes and its length
/// (a crafted name may be 64 KiB long).
pub(crate) fn shown(path: &str) -> String {
    if path.len() <= 256 {
        return path.to_string();
    }
    let mut cut = 200;
    while !path.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}... ({} bytes)", &path[..cut], path.len())
}

/// Blocks `[lba, lba + ceil(size / 2048))` as a half-open range of u64.
pub(crate) fn span(lba: u32, size: u64) -> (u64, u64) {
    let start = u64::from(lba);
    (start, start + size.div_ceil(crate::SECTOR as u64))
}

/// Directory extents seen in one walk, kept disjoint: each check is O(log n), so a walk
/// is O(n log n) in the number of directories and reads every directory block once.
#[derive(Debug, Default)]
pub(crate) struct DirExtents {
    /// Start block -> end block (exclusive).
    map: BTreeMap<u64, u64>,
}

impl DirExtents {
    /// Records `[start, end)`; on overlap returns the other range. An empty range (a
    /// directory of 0 bytes) is taken as its first block, so two such records of the same
    /// block are still caught.
    pub(crate) fn insert(&mut self, start: u64, end: u64) -> Result<(), (u64, u64)> {
        let end = end.max(start + 1);
        if let Some((&s, &e)) = self.map.range(..end).next_back() {
            if e > start {
                return Err((s, e));
            }
        }
        self.map.insert(start, end);
        Ok(())
    }
}

/// Counters of one walk, checked against [`Limits`].
#[derive(Debug, Default)]
pub(crate) struct Budget {
    /// Path and link target bytes handed out.
    pub(crate) names: u64,
    /// Continuation bytes parsed.
    pub(crate) continuation: u64,
}

/// Checks that the parts of a multi-extent file do not share blocks; parts of 0 bytes are
/// not placed anywhere and cannot overlap.
pub(crate) fn check_parts(extents: &[(u32, u32)]) -> Result<(), Problem> {
    let mut spans: Vec<(u64, u64, u32)> = extents
        .iter()
        .filter(|e| e.1 > 0)
        .map(|&(l, n)| {
            let (s, e) = span(l, u64::from(n));
            (s, e, l)
        })
        .collect();
    spans.sort_unstable();
    for w in spans.windows(2) {
        if w[1].0 < w[0].1 {
            return Err(Problem::PartsOverlap {
                a: w[0].2,
                a_end: w[0].1,
                b: w[1].2,
                b_end: w[1].1,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_extents_must_be_disjoint() {
        let mut d = DirExtents::default();
        assert!(d.insert(100, 104).is_ok());
        assert!(d.insert(104, 105).is_ok());
        assert!(d.insert(90, 100).is_ok());
        assert_eq!(d.insert(103, 110), Err((104, 105)));
        assert_eq!(d.insert(103, 104), Err((100, 104)));
        assert_eq!(d.insert(95, 96), Err((90, 100)));
        assert_eq!(d.insert(80, 200), Err((104, 105)));
        // Zero-sized directories occupy their first block for this purpose.
        assert!(d.insert(300, 300).is_ok());
        assert_eq!(d.insert(300, 300), Err((300, 301)));
    }

    #[test]
    fn long_paths_are_cut_in_messages() {
        assert_eq!(shown("a/b"), "a/b");
        let long = format!("d/{}", "é".repeat(1000));
        let s = shown(&long);
        assert!(
            s.starts_with("d/é") && s.ends_with("... (2002 bytes)"),
            "{s}"
        );
        assert!(s.len() < 230);
    }

    #[test]
    fn parts_of_a_file_must_not_overlap() {
        assert!(check_parts(&[(10, 4096), (12, 100), (0, 0)]).is_ok());
        assert_eq!(
            check_parts(&[(10, 4096), (11, 100)]),
            Err(Problem::PartsOverlap {
                a: 10,
                a_end: 12,
                b: 11,
                b_end: 12
            })
        );
        assert!(check_parts(&[(20, 2048), (20, 2048)]).is_err());
    }
}
