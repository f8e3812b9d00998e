//! MD5 checksums in a session as libisofs records them (libisofs `doc/checksums.txt`,
//! RFC 1321 MD5): the stream-recognizable checksum tags (superblock, tree, session; one
//! block each, a line of text padded with zeros), and the checksum array after the file
//! data: entry 0 the MD5 of the session from its start to the array, entries 1..=N the
//! files (found through their `isofs.cx`, see [`crate::wire::aaip`]), entry N+1 the MD5 of
//! entries 0..=N.

use std::fmt::Write as _;

use md5::{Digest, Md5};

use crate::SECTOR;

/// MD5 of nothing (an empty file's checksum).
pub const EMPTY_MD5: [u8; 16] = [
    0xd4, 0x1d, 0x8c, 0xd9, 0x8f, 0x00, 0xb2, 0x04, 0xe9, 0x80, 0x09, 0x98, 0xec, 0xf8, 0x42, 0x7e,
];

/// Which checksum tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagKind {
    /// After the volume descriptor set terminator: covers the system area and descriptors.
    Superblock,
    /// After the directory trees: covers everything before it.
    Tree,
    /// After the checksum array: covers the whole session.
    Session,
    /// A superblock copy relocated to block 0 of overwritable media (xorriso writes it at
    /// block 16+2 when the session itself starts at 32).
    Relocated,
}

impl TagKind {
    /// The tag's identifier word.
    pub fn id(self) -> &'static str {
        match self {
            TagKind::Superblock => "libisofs_sb_checksum_tag_v1",
            TagKind::Tree => "libisofs_tree_checksum_tag_v1",
            TagKind::Session => "libisofs_checksum_tag_v1",
            TagKind::Relocated => "libisofs_rlsb32_checksum_tag_v1",
        }
    }
}

/// A decoded checksum tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Which tag.
    pub kind: TagKind,
    /// The block the tag says it is stored in.
    pub pos: u32,
    /// First block of the covered range (the session start).
    pub range_start: u32,
    /// Blocks covered, from `range_start`.
    pub range_size: u32,
    /// Where the next tag is (superblock and tree tags).
    pub next: Option<u32>,
    /// `session_start=` of a relocated superblock tag.
    pub session_start: Option<u32>,
    /// MD5 of the covered blocks.
    pub md5: [u8; 16],
}

/// Lower-case hex of `b`.
pub fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

fn unhex(s: &str) -> Option<[u8; 16]> {
    if s.len() != 32 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

impl Tag {
    /// The tag's block: `ID pos=.. range_start=.. range_size=.. [next=..] md5=.. self=..\n`
    /// and zeros.
    pub fn encode(&self) -> Vec<u8> {
        let mut s = format!(
            "{} pos={} range_start={} range_size={}",
            self.kind.id(),
            self.pos,
            self.range_start,
            self.range_size
        );
        if let Some(ss) = self.session_start {
            let _ = write!(s, " session_start={ss}");
        }
        if let Some(n) = self.next {
            let _ = write!(s, " next={n}");
        }
        let _ = write!(s, " md5={}", hex(&self.md5));
        let me: [u8; 16] = Md5::digest(s.as_bytes()).into();
        let _ = writeln!(s, " self={}", hex(&me));
        let mut b = s.into_bytes();
        b.resize(SECTOR, 0);
        b
    }

    /// Decodes a block that holds a tag. `None`: not a tag (or one whose `self=` does not
    /// match its text: a damaged tag counts as none).
    pub fn decode(block: &[u8]) -> Option<Tag> {
        let end = block.iter().take(SECTOR).position(|&c| c == b'\n')?;
        let line = std::str::from_utf8(&block[..end]).ok()?;
        let mut words = line.split(' ');
        let id = words.next()?;
        let kind = [
            TagKind::Superblock,
            TagKind::Tree,
            TagKind::Session,
            TagKind::Relocated,
        ]
        .into_iter()
        .find(|k| k.id() == id)?;
        let mut tag = Tag {
            kind,
            pos: 0,
            range_start: 0,
            range_size: 0,
            next: None,
            session_start: None,
            md5: [0; 16],
        };
        let (mut pos, mut rs, mut rz, mut md5, mut me) = (None, None, None, None, None);
        for w in words {
            let (k, v) = w.split_once('=')?;
            match k {
                "pos" => pos = v.parse().ok(),
                "range_start" => rs = v.parse().ok(),
                "range_size" => rz = v.parse().ok(),
                "next" => tag.next = Some(v.parse().ok()?),
                "session_start" => tag.session_start = Some(v.parse().ok()?),
                "md5" => md5 = unhex(v),
                "self" => me = unhex(v),
                _ => {}
            }
        }
        tag.pos = pos?;
        tag.range_start = rs?;
        tag.range_size = rz?;
        tag.md5 = md5?;
        let upto = line.find(" self=")?;
        let want: [u8; 16] = Md5::digest(&line.as_bytes()[..upto]).into();
        (me? == want).then_some(tag)
    }
}

/// MD5 of a stream, with the digest of what went in so far available at any point.
#[derive(Debug, Clone, Default)]
pub struct Running {
    md5: Md5,
    /// Bytes hashed.
    pub bytes: u64,
}

impl Running {
    /// Hashes `b`.
    pub fn update(&mut self, b: &[u8]) {
        self.md5.update(b);
        self.bytes += b.len() as u64;
    }
    /// The digest of everything so far (the stream goes on).
    pub fn digest(&self) -> [u8; 16] {
        self.md5.clone().finalize().into()
    }
}

/// The checksum array's bytes (whole blocks): `session`, then `files` in index order, then
/// the MD5 of those entries.
pub fn array_bytes(session: [u8; 16], files: &[[u8; 16]]) -> Vec<u8> {
    let mut v = Vec::with_capacity((files.len() + 2) * 16 + SECTOR);
    v.extend_from_slice(&session);
    for f in files {
        v.extend_from_slice(f);
    }
    let all: [u8; 16] = Md5::digest(&v).into();
    v.extend_from_slice(&all);
    v.resize(v.len().div_ceil(SECTOR) * SECTOR, 0);
    v
}

/// Blocks of a checksum array of `files` entries (plus the two of the session).
pub fn array_blocks(files: usize) -> u32 {
    ((files + 2) * 16).div_ceil(SECTOR) as u32
}

/// MD5 of `b` (a file's contents).
pub fn md5_of(b: &[u8]) -> [u8; 16] {
    Md5::digest(b).into()
}

/// An MD5 being computed (a file read in pieces).
#[derive(Debug, Clone, Default)]
pub struct Hasher(Md5);

impl Hasher {
    /// Hashes `b`.
    pub fn update(&mut self, b: &[u8]) {
        self.0.update(b);
    }
    /// The digest.
    pub fn finish(self) -> [u8; 16] {
        self.0.finalize().into()
    }
}

/// Most entries of a checksum array read (16 bytes each: 128 MiB); more is taken for
/// damage.
pub const MAX_ARRAY_ENTRIES: u32 = 8 << 20;

/// Why a checksum array could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ArrayError {
    /// Reading it failed.
    #[error("reading the checksum array at block {lba}: {source}")]
    Read {
        /// Block.
        lba: u32,
        /// The error.
        source: std::io::Error,
    },
    /// Its shape is not libisofs's.
    #[error("checksum array at block {lba}: {detail}")]
    Invalid {
        /// Block.
        lba: u32,
        /// What is wrong.
        detail: String,
    },
    /// Its last entry is not the MD5 of the others: the array is damaged.
    #[error("checksum array at block {lba}: its own MD5 (last entry) does not match")]
    Damaged {
        /// Block.
        lba: u32,
    },
}

/// Reads the checksum array `ca` describes (`isofs.ca` of the root) and checks its own MD5
/// (the last entry). Entry 0 is the session's MD5 (S..array), entry i the file of
/// `isofs.cx` = i.
pub fn read_array<S: crate::SectorSource + ?Sized>(
    src: &mut S,
    ca: &crate::wire::aaip::ChecksumArray,
) -> Result<Vec<[u8; 16]>, ArrayError> {
    let lba = ca.end;
    if ca.kind != "MD5" || ca.size != 16 {
        return Err(ArrayError::Invalid {
            lba,
            detail: format!(
                "{} entries of {} bytes (only MD5 is known)",
                ca.kind, ca.size
            ),
        });
    }
    if ca.count < 2 || ca.count > MAX_ARRAY_ENTRIES {
        return Err(ArrayError::Invalid {
            lba,
            detail: format!("{} entries", ca.count),
        });
    }
    let blocks = array_blocks(ca.count as usize - 2) as usize;
    let mut b = vec![0u8; blocks * SECTOR];
    src.read_sectors(lba, &mut b)
        .map_err(|source| ArrayError::Read { lba, source })?;
    let n = ca.count as usize;
    let entries: Vec<[u8; 16]> = b[..n * 16]
        .chunks_exact(16)
        .map(|c| {
            let mut e = [0u8; 16];
            e.copy_from_slice(c);
            e
        })
        .collect();
    if md5_of(&b[..(n - 1) * 16]) != entries[n - 1] {
        return Err(ArrayError::Damaged { lba });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xorriso_tag_decodes_and_reencodes_equal() {
        // A tag as xorriso 1.5.4 (`-as mkisofs --md5`) wrote it.
        let line = "libisofs_sb_checksum_tag_v1 pos=18 range_start=0 range_size=18 next=24 \
                    md5=037fed791d9f7c70f716b7469252056b self=7fff6781d90604d053f87f994f6b2f52\n";
        let mut b = line.as_bytes().to_vec();
        b.resize(SECTOR, 0);
        let t = Tag::decode(&b).expect("a tag");
        assert_eq!(
            (t.kind, t.pos, t.range_start, t.range_size, t.next),
            (TagKind::Superblock, 18, 0, 18, Some(24))
        );
        assert_eq!(t.encode(), b);
        // One digit of md5= changed: self= no longer matches.
        let mut bad = b.clone();
        bad[80] = if bad[80] == b'0' { b'1' } else { b'0' };
        assert!(Tag::decode(&bad).is_none());
        assert!(Tag::decode(&[0u8; SECTOR]).is_none());
    }

    #[test]
    fn empty_md5_is_md5_of_nothing() {
        assert_eq!(md5_of(b""), EMPTY_MD5);
        assert_eq!(array_blocks(126), 1);
        assert_eq!(array_blocks(127), 2);
        assert_eq!(array_bytes(EMPTY_MD5, &[]).len(), SECTOR);
    }
}
