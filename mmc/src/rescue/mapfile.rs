//! GNU ddrescue mapfiles (the "Mapfile structure" chapter of the GNU ddrescue manual):
//! comment lines starting with `#`, one status line `current_pos current_status
//! [current_pass]`, then one line per block, `pos size status`, positions and sizes in
//! bytes written in hex (`0x...`), blocks contiguous and in order.
//!
//! Block statuses: `?` non-tried, `*` non-trimmed, `/` non-scraped, `-` bad sector,
//! `+` finished. `ddrescuelog` and `ddrescue` itself read the maps written here.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The status of a block of the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum BlockStatus {
    /// `?`: not read yet.
    NonTried,
    /// `*`: a read failed somewhere in it; not split up yet.
    NonTrimmed,
    /// `/`: trimmed but not yet read block by block.
    NonScraped,
    /// `-`: a block that failed to read (after the retries).
    BadSector,
    /// `+`: read and saved.
    Finished,
}

impl BlockStatus {
    /// The mapfile character.
    pub fn as_char(self) -> char {
        match self {
            BlockStatus::NonTried => '?',
            BlockStatus::NonTrimmed => '*',
            BlockStatus::NonScraped => '/',
            BlockStatus::BadSector => '-',
            BlockStatus::Finished => '+',
        }
    }

    /// The status for a mapfile character.
    pub fn from_char(c: char) -> Option<Self> {
        Some(match c {
            '?' => BlockStatus::NonTried,
            '*' => BlockStatus::NonTrimmed,
            '/' => BlockStatus::NonScraped,
            '-' => BlockStatus::BadSector,
            '+' => BlockStatus::Finished,
            _ => return None,
        })
    }
}

/// What the rescue was doing when the map was written (the status line's second field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Phase {
    /// `?`: copying non-tried blocks.
    Copying,
    /// `*`: trimming non-trimmed blocks.
    Trimming,
    /// `/`: scraping non-scraped blocks.
    Scraping,
    /// `-`: retrying bad sectors.
    Retrying,
    /// `F`: filling blocks.
    Filling,
    /// `G`: generating a map.
    Generating,
    /// `+`: finished.
    Finished,
}

impl Phase {
    /// The mapfile character.
    pub fn as_char(self) -> char {
        match self {
            Phase::Copying => '?',
            Phase::Trimming => '*',
            Phase::Scraping => '/',
            Phase::Retrying => '-',
            Phase::Filling => 'F',
            Phase::Generating => 'G',
            Phase::Finished => '+',
        }
    }

    fn from_char(c: char) -> Option<Self> {
        Some(match c {
            '?' => Phase::Copying,
            '*' => Phase::Trimming,
            '/' => Phase::Scraping,
            '-' => Phase::Retrying,
            'F' => Phase::Filling,
            'G' => Phase::Generating,
            '+' => Phase::Finished,
            _ => return None,
        })
    }

    fn comment(self) -> &'static str {
        match self {
            Phase::Copying => "Copying non-tried blocks...",
            Phase::Trimming => "Trimming failed blocks...",
            Phase::Scraping => "Scraping failed blocks...",
            Phase::Retrying => "Retrying bad sectors...",
            Phase::Filling => "Filling specified blocks...",
            Phase::Generating => "Generating approximate mapfile...",
            Phase::Finished => "Finished",
        }
    }
}

/// One line of the block list: `len` bytes at byte `pos` with `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MapBlock {
    /// First byte.
    pub pos: u64,
    /// Length in bytes.
    pub size: u64,
    /// Status.
    pub status: BlockStatus,
}

impl MapBlock {
    /// One past the last byte.
    pub fn end(&self) -> u64 {
        self.pos + self.size
    }
}

/// A mapfile that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MapError {
    /// The file could not be read or written.
    #[error("mapfile {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// A line does not follow the format.
    #[error("mapfile line {line}: {reason}")]
    Syntax {
        /// Line number (1-based).
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// A ddrescue map: where the rescue stands and the status of every byte of its domain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mapfile {
    /// Position the rescue had reached.
    pub current_pos: u64,
    /// What it was doing.
    pub phase: Phase,
    /// Pass number (1 when absent, as ddrescue before 1.21 wrote it).
    pub pass: u32,
    /// The blocks, contiguous, in order, neighbours of equal status merged.
    pub blocks: Vec<MapBlock>,
}

fn hex(s: &str) -> Option<u64> {
    let t = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"));
    match t {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        // ddrescue accepts decimal (and octal with a leading 0) as well.
        None if s.len() > 1 && s.starts_with('0') => u64::from_str_radix(&s[1..], 8).ok(),
        None => s.parse().ok(),
    }
}

impl Mapfile {
    /// A map of `size` bytes at `pos`, all non-tried.
    pub fn new(pos: u64, size: u64) -> Self {
        let mut m = Mapfile {
            current_pos: pos,
            phase: Phase::Copying,
            pass: 1,
            blocks: Vec::new(),
        };
        if size > 0 {
            m.blocks.push(MapBlock {
                pos,
                size,
                status: BlockStatus::NonTried,
            });
        }
        m
    }

    /// First byte the map covers.
    pub fn start(&self) -> u64 {
        self.blocks.first().map_or(self.current_pos, |b| b.pos)
    }

    /// One past the last byte the map covers.
    pub fn end(&self) -> u64 {
        self.blocks.last().map_or(self.current_pos, MapBlock::end)
    }

    /// Parses mapfile text.
    pub fn parse(text: &str) -> Result<Self, MapError> {
        let syn = |line: usize, reason: &str| MapError::Syntax {
            line,
            reason: reason.to_string(),
        };
        let mut status_line: Option<(u64, Phase, u32)> = None;
        let mut blocks: Vec<MapBlock> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split_whitespace().collect();
            if status_line.is_none() {
                let pos = f
                    .first()
                    .and_then(|s| hex(s))
                    .ok_or_else(|| syn(n, "status line: bad current_pos"))?;
                let phase = f
                    .get(1)
                    .filter(|s| s.chars().count() == 1)
                    .and_then(|s| s.chars().next())
                    .and_then(Phase::from_char)
                    .ok_or_else(|| syn(n, "status line: bad current_status"))?;
                let pass = match f.get(2) {
                    Some(p) => p
                        .parse()
                        .map_err(|_| syn(n, "status line: bad current_pass"))?,
                    None => 1,
                };
                status_line = Some((pos, phase, pass));
                continue;
            }
            if f.len() < 3 {
                return Err(syn(n, "expected `pos size status`"));
            }
            let pos = hex(f[0]).ok_or_else(|| syn(n, "bad pos"))?;
            let size = hex(f[1]).ok_or_else(|| syn(n, "bad size"))?;
            let status = Some(f[2])
                .filter(|s| s.chars().count() == 1)
                .and_then(|s| s.chars().next())
                .and_then(BlockStatus::from_char)
                .ok_or_else(|| syn(n, "bad status (one of ?*/-+)"))?;
            if let Some(prev) = blocks.last() {
                if prev.end() != pos {
                    return Err(syn(n, "blocks are not contiguous"));
                }
            }
            if size == 0 {
                return Err(syn(n, "block of size 0"));
            }
            pos.checked_add(size)
                .ok_or_else(|| syn(n, "block ends past 2^64"))?;
            blocks.push(MapBlock { pos, size, status });
        }
        let (current_pos, phase, pass) = status_line.ok_or_else(|| syn(0, "no status line"))?;
        let mut m = Mapfile {
            current_pos,
            phase,
            pass,
            blocks,
        };
        m.merge();
        Ok(m)
    }

    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Self, MapError> {
        let text = fs::read_to_string(path).map_err(|source| MapError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text)
    }

    /// The map as mapfile text, with `comments` (without `#`) at the top.
    pub fn to_text(&self, comments: &[String]) -> String {
        let mut s = String::new();
        for c in comments {
            let _ = writeln!(s, "# {c}");
        }
        let _ = writeln!(s, "# {}", self.phase.comment());
        let _ = writeln!(s, "# current_pos  current_status  current_pass");
        let _ = writeln!(
            s,
            "0x{:08X}     {}               {}",
            self.current_pos,
            self.phase.as_char(),
            self.pass
        );
        let _ = writeln!(s, "#      pos        size  status");
        for b in &self.blocks {
            let _ = writeln!(
                s,
                "0x{:08X}  0x{:08X}  {}",
                b.pos,
                b.size,
                b.status.as_char()
            );
        }
        s
    }

    /// Writes the map to `path` atomically: a temporary file beside it, synced, then
    /// renamed over it (a crash leaves the old map or the new one, never a mix).
    pub fn save(&self, path: &Path, comments: &[String]) -> Result<(), MapError> {
        let io_err = |source| MapError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let mut f = fs::File::create(&tmp).map_err(io_err)?;
        f.write_all(self.to_text(comments).as_bytes())
            .map_err(io_err)?;
        f.sync_all().map_err(io_err)?;
        drop(f);
        fs::rename(&tmp, path).map_err(io_err)?;
        Ok(())
    }

    /// Merges neighbours of equal status.
    fn merge(&mut self) {
        let mut out: Vec<MapBlock> = Vec::with_capacity(self.blocks.len());
        for b in self.blocks.drain(..) {
            match out.last_mut() {
                Some(l) if l.status == b.status && l.end() == b.pos => l.size += b.size,
                _ => out.push(b),
            }
        }
        self.blocks = out;
    }

    /// Sets `pos .. pos + size` (clipped to the map) to `status`.
    pub fn set(&mut self, pos: u64, size: u64, status: BlockStatus) {
        let end = pos.saturating_add(size).min(self.end());
        let pos = pos.max(self.start());
        if end <= pos {
            return;
        }
        let mut out: Vec<MapBlock> = Vec::with_capacity(self.blocks.len() + 2);
        let mut placed = false;
        for b in &self.blocks {
            if b.end() <= pos || b.pos >= end {
                if b.pos >= end && !placed {
                    out.push(MapBlock {
                        pos,
                        size: end - pos,
                        status,
                    });
                    placed = true;
                }
                out.push(*b);
                continue;
            }
            if b.pos < pos {
                out.push(MapBlock {
                    pos: b.pos,
                    size: pos - b.pos,
                    status: b.status,
                });
            }
            if !placed {
                out.push(MapBlock {
                    pos,
                    size: end - pos,
                    status,
                });
                placed = true;
            }
            if b.end() > end {
                out.push(MapBlock {
                    pos: end,
                    size: b.end() - end,
                    status: b.status,
                });
            }
        }
        if !placed {
            out.push(MapBlock {
                pos,
                size: end - pos,
                status,
            });
        }
        self.blocks = out;
        self.merge();
    }

    /// The blocks with one of `statuses`, in order.
    pub fn blocks_with(&self, statuses: &[BlockStatus]) -> Vec<MapBlock> {
        self.blocks
            .iter()
            .filter(|b| statuses.contains(&b.status))
            .copied()
            .collect()
    }

    /// Bytes with `status`.
    pub fn bytes_with(&self, status: BlockStatus) -> u64 {
        self.blocks
            .iter()
            .filter(|b| b.status == status)
            .map(|b| b.size)
            .sum()
    }

    /// True when every byte is finished.
    pub fn is_finished(&self) -> bool {
        self.blocks
            .iter()
            .all(|b| b.status == BlockStatus::Finished)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The shape of a map written by GNU ddrescue 1.23 while scraping (manual, "Mapfile
    // structure"), with decimal-free hex fields.
    const SAMPLE: &str = "# Mapfile. Created by GNU ddrescue version 1.23\n\
# Command line: ddrescue -d -r0 /dev/sdb3 disc.img disc.map\n\
# Scraping failed blocks... (forwards)\n\
# current_pos  current_status  current_pass\n\
0xC5A65E00     /               1\n\
#      pos        size  status\n\
0x00000000  0x00003400  -\n\
0x00003400  0x00000200  +\n\
0x00003600  0x00000800  /\n\
0x00003E00  0x00000800  *\n\
0x00004600  0x00000200  ?\n";

    #[test]
    fn parses_ddrescue_map() {
        let m = Mapfile::parse(SAMPLE).unwrap();
        assert_eq!(m.current_pos, 0xC5A65E00);
        assert_eq!(m.phase, Phase::Scraping);
        assert_eq!(m.pass, 1);
        assert_eq!(m.blocks.len(), 5);
        assert_eq!(m.blocks[0].status, BlockStatus::BadSector);
        assert_eq!(m.blocks[2].status, BlockStatus::NonScraped);
        assert_eq!(m.blocks[3].status, BlockStatus::NonTrimmed);
        assert_eq!(m.end(), 0x4800);
        // The text written parses back to the same map.
        assert_eq!(Mapfile::parse(&m.to_text(&[])).unwrap(), m);
    }

    #[test]
    fn old_status_line_without_pass() {
        let m = Mapfile::parse("0x00001000 +\n0x0 0x1000 +\n").unwrap();
        assert_eq!(m.pass, 1);
        assert!(m.is_finished());
    }

    #[test]
    fn rejects_bad_maps() {
        assert!(Mapfile::parse("").is_err());
        assert!(Mapfile::parse("0x0 ?\n0x0 0x800 ?\n0x1000 0x800 +\n").is_err());
        assert!(Mapfile::parse("0x0 ?\n0x0 0x800 X\n").is_err());
        assert!(Mapfile::parse("0x0 ?\n0x0 0x0 +\n").is_err());
        assert!(Mapfile::parse("0x0 ?\n0xFFFFFFFFFFFFFFFF 0x800 +\n").is_err());
    }

    #[test]
    fn garbage_never_panics() {
        // Untrusted maps: every prefix and every byte flip of a real map parses or fails.
        let text = SAMPLE.as_bytes();
        for cut in 0..text.len() {
            let _ = Mapfile::parse(&String::from_utf8_lossy(&text[..cut]));
        }
        for i in 0..text.len() {
            for b in [b'0', b'x', b'-', b' ', b'\n', b'F', 0xFF] {
                let mut t = text.to_vec();
                t[i] = b;
                if let Ok(mut m) = Mapfile::parse(&String::from_utf8_lossy(&t)) {
                    m.set(0x1000, 0x800, BlockStatus::BadSector);
                    let _ = m.to_text(&[]);
                }
            }
        }
    }

    #[test]
    fn set_splits_and_merges() {
        let mut m = Mapfile::new(0x1000, 0x10000);
        m.set(0x1000, 0x2000, BlockStatus::Finished);
        m.set(0x5000, 0x800, BlockStatus::BadSector);
        m.set(0x3000, 0x2000, BlockStatus::Finished);
        let v: Vec<(u64, u64, char)> = m
            .blocks
            .iter()
            .map(|b| (b.pos, b.size, b.status.as_char()))
            .collect();
        assert_eq!(
            v,
            vec![
                (0x1000, 0x4000, '+'),
                (0x5000, 0x800, '-'),
                (0x5800, 0xB800, '?')
            ]
        );
        m.set(0x5000, 0x800, BlockStatus::Finished);
        m.set(0x5800, 0xB800, BlockStatus::Finished);
        assert!(m.is_finished());
        assert_eq!(m.blocks.len(), 1);
        // Outside the map: ignored.
        m.set(0, 0x1000, BlockStatus::BadSector);
        assert_eq!(m.blocks.len(), 1);
    }
}
