//! The commit of a session on overwritable media: its volume descriptor set (ECMA-119
//! §8) copied to LBA 16 with the primary descriptor's volume space size covering it (and,
//! when the session records MD5s, libisofs' relocated superblock tag after it), read
//! back, and put back as it was if it does not read back as written.

use transport::Transport;

use super::WriteError;
use crate::drive::{Drive, BLOCK};
use crate::msinfo::PVD_LBA;

/// The commit of a session written on overwritable media: its volume descriptor set, to be
/// copied to LBA 16 (with the volume space size covering it) once the session has been
/// synchronized and read back. Until it is applied the previous session stays in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub(crate) vds: Vec<u8>,
    pub(crate) start: u32,
    /// The session records MD5 checksums (a relocated superblock tag goes with the copy).
    pub(crate) md5: bool,
}

impl Commit {
    /// First block of the session this commit makes current.
    pub fn session_start(&self) -> u32 {
        self.start
    }

    /// Writes the descriptor copy to LBA 16, synchronizes the cache and reads the blocks
    /// back. A copy that does not read back as written is written once more (a marginal
    /// spot may take a rewrite); if it still differs, the blocks that were there before are
    /// put back, so that the previous session stays current, and the error says whether
    /// that worked. Returns the notes worth telling the user (a second attempt was needed).
    pub fn apply<T: Transport>(self, drive: &mut Drive<T>) -> Result<Vec<String>, WriteError> {
        let copy = self.with_relocated_tag(drive);
        // What block 16 holds now: the previous session's copy, or nothing readable (a
        // blank medium), which zeros stand for (all-zero blocks read as blank, see
        // `recorded_block`).
        let mut before = vec![0u8; copy.len()];
        if drive.read_blocks(PVD_LBA, &mut before).is_err() {
            before.fill(0);
        }
        let mut notes = Vec::new();
        let mut problem = String::new();
        for attempt in 1..=2 {
            match write_and_check(drive, &copy) {
                Ok(()) => return Ok(notes),
                Err(p) => {
                    notes.push(format!(
                        "the descriptor copy at block 16 (attempt {attempt}): {p}"
                    ));
                    problem = p;
                }
            }
        }
        let restored = write_and_check(drive, &before);
        Err(WriteError::CommitFailed {
            start: self.start,
            problem,
            restored: restored.is_ok(),
            restore_problem: restored.err().unwrap_or_default(),
        })
    }
}

impl Commit {
    /// The copy to write at block 16: the descriptors, and after them, where the session
    /// records MD5 checksums, the relocated superblock tag libisofs writes in the 64 KiB
    /// head of overwritable media (`libisofs_rlsb32_checksum_tag_v1`, libisofs
    /// doc/checksums.txt, "The Checksum Tags" and "Checking All Sessions"): `pos` and
    /// `range_size` its own block, `range_start` 0, `session_start` the session made
    /// current, its MD5 over blocks 0 up to it as they will be on the medium. A reader
    /// checking from block 0 (xorriso -check_media, libburn's TOC emulation) finds it, ends
    /// the range there and checks the first session at 32 with its own tags, instead of
    /// meeting a descriptor set whose superblock tag is missing.
    ///
    /// The tag's block is written only when it belongs to no session: the session starts
    /// at 32 or later, the block lies before 32 and holds zeros, a volume descriptor or a
    /// relocated tag of an earlier commit (never a first session's own blocks, as when
    /// that session starts at 0, growisofs' layout). Without MD5s a relocated tag of an
    /// earlier commit is replaced by zeros, since it would no longer match.
    fn with_relocated_tag<T: Transport>(&self, drive: &mut Drive<T>) -> Vec<u8> {
        let mut copy = self.vds.clone();
        let slot = PVD_LBA + (self.vds.len() / BLOCK) as u32;
        if self.start < crate::write::OVERWRITABLE_FIRST_SESSION
            || slot >= crate::write::OVERWRITABLE_FIRST_SESSION
        {
            return copy;
        }
        let mut now = vec![0u8; BLOCK];
        if drive.read_blocks(slot, &mut now).is_err() {
            return copy;
        }
        let old_tag = isofs::checksum::Tag::decode(&now)
            .is_some_and(|t| t.kind == isofs::checksum::TagKind::Relocated);
        let ours = old_tag || now.iter().all(|&b| b == 0) || &now[1..6] == b"CD001";
        if !ours {
            log::info!(
                "block {slot} belongs to the first session: no relocated superblock tag written"
            );
            return copy;
        }
        if !self.md5 {
            if old_tag {
                copy.extend_from_slice(&[0u8; BLOCK]);
            }
            return copy;
        }
        let mut system_area = vec![0u8; PVD_LBA as usize * BLOCK];
        if drive.read_blocks(0, &mut system_area).is_err() {
            log::info!("blocks 0-15 do not read: no relocated superblock tag written");
            return copy;
        }
        let mut md5 = isofs::checksum::Running::default();
        md5.update(&system_area);
        md5.update(&copy);
        let tag = isofs::checksum::Tag {
            kind: isofs::checksum::TagKind::Relocated,
            pos: slot,
            range_start: 0,
            range_size: slot,
            next: None,
            session_start: Some(self.start),
            md5: md5.digest(),
        };
        copy.extend_from_slice(&tag.encode());
        copy
    }
}

/// True when the session head `head` (its first blocks) records MD5 checksums: a
/// superblock tag right after its volume descriptor set terminator.
pub fn head_has_md5(head: &[u8]) -> bool {
    let mut i = 16usize;
    while let Some(b) = head.get(i * BLOCK..(i + 1) * BLOCK) {
        if &b[1..6] != b"CD001" {
            return false;
        }
        i += 1;
        if b[0] == 255 {
            break;
        }
    }
    head.get(i * BLOCK..(i + 1) * BLOCK)
        .and_then(isofs::checksum::Tag::decode)
        .is_some_and(|t| t.kind == isofs::checksum::TagKind::Superblock)
}

/// Writes `data` at LBA 16, synchronizes, reads it back; the problem, if any.
fn write_and_check<T: Transport>(drive: &mut Drive<T>, data: &[u8]) -> Result<(), String> {
    drive
        .write_blocks(PVD_LBA, data)
        .map_err(|e| format!("WRITE failed: {e}"))?;
    drive
        .synchronize_cache()
        .map_err(|e| format!("SYNCHRONIZE CACHE failed: {e}"))?;
    let mut back = vec![0u8; data.len()];
    drive
        .read_blocks(PVD_LBA, &mut back)
        .map_err(|e| format!("reading it back failed: {e}"))?;
    if back != data {
        let first = back
            .chunks(BLOCK)
            .zip(data.chunks(BLOCK))
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        return Err(format!(
            "block {} read back different from what was written",
            PVD_LBA as usize + first
        ));
    }
    Ok(())
}

/// The volume descriptor set at the head of a session (blocks 16.. up to and including the
/// terminator) with the primary descriptor's volume space size set to `start + blocks`.
pub fn descriptor_copy(head: &[u8], start: u32, blocks: u32) -> Result<Vec<u8>, WriteError> {
    let bad = |reason: &str| {
        WriteError::BadStart {
        start,
        reason: format!("the session has no ISO 9660 volume descriptors to copy to block 16: {reason}; nothing was committed"),
    }
    };
    let mut out = Vec::new();
    let mut i = 16usize;
    loop {
        let Some(b) = head.get(i * BLOCK..(i + 1) * BLOCK) else {
            return Err(bad("no terminator in the first 64 blocks"));
        };
        if &b[1..6] != b"CD001" {
            return Err(bad(&format!("block {} is not a volume descriptor", i)));
        }
        let mut b = b.to_vec();
        if b[0] == 1 {
            isofs::wire::vd::set_space_size(&mut b, start.saturating_add(blocks));
        }
        let term = b[0] == 255;
        out.extend_from_slice(&b);
        if term {
            break;
        }
        i += 1;
    }
    if out.first() != Some(&1) {
        return Err(bad(
            "the first descriptor is not a primary volume descriptor",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_copy_patches_volume_space_size() {
        let mut head = vec![0u8; 20 * BLOCK];
        for (i, t) in [(16usize, 1u8), (17, 2), (18, 255)] {
            head[i * BLOCK] = t;
            head[i * BLOCK + 1..i * BLOCK + 6].copy_from_slice(b"CD001");
        }
        let c = descriptor_copy(&head, 1024, 500).unwrap();
        assert_eq!(c.len(), 3 * BLOCK);
        assert_eq!(&c[80..88], &[0xF4, 0x05, 0, 0, 0, 0, 0x05, 0xF4]);
        assert_eq!(c[2 * BLOCK], 255);
        assert!(!head_has_md5(&head));
        let tag = isofs::checksum::Tag {
            kind: isofs::checksum::TagKind::Superblock,
            pos: 1043,
            range_start: 1024,
            range_size: 19,
            next: Some(1050),
            session_start: None,
            md5: [7; 16],
        };
        head[19 * BLOCK..20 * BLOCK].copy_from_slice(&tag.encode());
        assert!(head_has_md5(&head));
        head[16 * BLOCK + 1] = b'X';
        assert!(!head_has_md5(&head));
        assert!(descriptor_copy(&head, 1024, 500).is_err());
        assert!(descriptor_copy(&head[..17 * BLOCK], 0, 1).is_err());
    }
}
