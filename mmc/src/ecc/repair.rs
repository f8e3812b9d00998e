//! Restoring a session from its repair data (see [`super`] for the layout): given the image
//! of the session's track as dumped (unreadable blocks zero-filled and listed), finds the
//! header (after the session's ISO 9660 volume, ECMA-119 §8.4.8, or the copy at the track's
//! end), decodes every codeword that lost data blocks with the readable data and parity
//! blocks (Reed-Solomon erasure decoding, `reed-solomon-simd`), writes the restored blocks
//! into the image in place, and checks the session's XXH3-128 against the header's.

use std::io::{Read, Seek, SeekFrom, Write};

use reed_solomon_simd::ReedSolomonDecoder;
use xxhash_rust::xxh3::Xxh3;

use super::{EccError, Header, Layout};
use crate::drive::BLOCK;

/// What [`repair`] did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RepairReport {
    /// First block of the session.
    pub start: u32,
    /// Blocks of the session (the ISO 9660 volume).
    pub data_blocks: u32,
    /// Parity blocks.
    pub parity_blocks: u32,
    /// Parity share in percent.
    pub percent: u32,
    /// Codewords.
    pub codewords: u32,
    /// Where the header used was found (relative to the session's start).
    pub header_at: u32,
    /// Unreadable blocks of the session's data.
    pub unreadable_data: u32,
    /// Unreadable parity and header blocks.
    pub unreadable_parity: u32,
    /// Data blocks restored.
    pub repaired: u32,
    /// Data blocks that could not be restored (their codewords lost more than their parity).
    pub missing: u32,
    /// Codewords that could not be restored.
    pub failed_codewords: u32,
    /// The fewest more readable blocks that would have let the failed codewords restore
    /// (the sum, over them, of what they lost beyond their parity).
    pub short_by: u32,
    /// The session's XXH3-128 matches the header's (only checked when nothing is missing).
    pub verified: bool,
}

fn io_err(op: impl Into<String>) -> impl FnOnce(std::io::Error) -> EccError {
    let op = op.into();
    move |source| EccError::Io { op, source }
}

/// Sorted, merged ranges (inclusive) of unreadable blocks relative to the session's start.
struct Bad(Vec<(u32, u32)>);

impl Bad {
    fn contains(&self, b: u32) -> bool {
        let i = self.0.partition_point(|&(_, last)| last < b);
        self.0.get(i).is_some_and(|&(first, _)| first <= b)
    }
}

fn read_block<F: Read + Seek>(img: &mut F, rel: u32, buf: &mut [u8]) -> Result<(), EccError> {
    img.seek(SeekFrom::Start(u64::from(rel) * BLOCK as u64))
        .map_err(io_err(format!("image: seek to block {rel}")))?;
    img.read_exact(buf)
        .map_err(io_err(format!("image: reading block {rel}")))
}

/// Finds a readable header: after the volume the primary volume descriptor names, else
/// near the area's end (the copy), else anywhere in the last 64 blocks.
fn find_header<F: Read + Seek>(
    img: &mut F,
    area_start: u32,
    area_blocks: u32,
    bad: &Bad,
) -> Result<(Header, u32), EccError> {
    let mut b = vec![0u8; BLOCK];
    let mut candidates = Vec::new();
    if area_blocks > 16 && !bad.contains(16) {
        read_block(img, 16, &mut b)?;
        if b[0] == 1 && &b[1..6] == b"CD001" {
            let vss = u32::from_le_bytes([b[80], b[81], b[82], b[83]]);
            // A later session's volume counts from block 0 (mkisofs -C), a first one from its start.
            candidates.push(if vss > area_start && area_start > 0 {
                vss - area_start
            } else {
                vss
            });
        }
    }
    candidates.extend((1..=64).filter_map(|i| area_blocks.checked_sub(i)));
    let mut tried = 0;
    for rel in candidates {
        if rel >= area_blocks || bad.contains(rel) {
            continue;
        }
        tried += 1;
        read_block(img, rel, &mut b)?;
        if let Some(h) = Header::parse(&b) {
            if h.position() == rel {
                return Ok((h, rel));
            }
        }
    }
    Err(EccError::NoHeader(format!(
        "no readable header block after the volume nor in the last 64 of the {area_blocks} \
         blocks ({tried} readable candidates looked at); a session written without \
         `add --ecc` has none"
    )))
}

/// Restores the session whose track image (`area_blocks` blocks from `area_start`, the
/// first at offset 0) is `img`, `bad` listing its unreadable blocks (absolute, inclusive).
/// Restored blocks are written into `img`; nothing else is changed.
pub fn repair<F: Read + Write + Seek>(
    img: &mut F,
    area_start: u32,
    area_blocks: u32,
    bad: &[(u32, u32)],
) -> Result<RepairReport, EccError> {
    let mut rel: Vec<(u32, u32)> = bad
        .iter()
        .filter(|&&(a, b)| b >= area_start && a < area_start.saturating_add(area_blocks))
        .map(|&(a, b)| {
            (
                a.saturating_sub(area_start),
                (b - area_start).min(area_blocks - 1),
            )
        })
        .collect();
    rel.sort_unstable();
    let bad = Bad(rel);
    let (h, header_at) = find_header(img, area_start, area_blocks, &bad)?;
    let l: Layout = h.layout;
    if l.start != area_start {
        log::warn!(
            "the repair data was made for a session at block {}, read at block {area_start}",
            l.start
        );
    }
    let n = l.data_blocks;
    let parity_base = n + 1;
    if area_blocks < l.total_blocks() - 1 {
        return Err(EccError::NoHeader(format!(
            "the header names {} blocks of session and repair data, the area read has {area_blocks}",
            l.total_blocks()
        )));
    }
    let mut report = RepairReport {
        start: l.start,
        data_blocks: n,
        parity_blocks: l.parity_blocks(),
        percent: l.percent,
        codewords: 0,
        header_at,
        unreadable_data: 0,
        unreadable_parity: (n..l.total_blocks().min(area_blocks))
            .filter(|&b| bad.contains(b))
            .count() as u32,
        repaired: 0,
        missing: 0,
        failed_codewords: 0,
        short_by: 0,
        verified: false,
    };
    let mut dec: Option<ReedSolomonDecoder> = None;
    let mut window: Option<(u32, Vec<u8>)> = None;
    let mut pblock = vec![0u8; BLOCK];
    for c in l.codewords() {
        report.codewords += 1;
        let lost: Vec<u32> = (0..c.k).filter(|&j| bad.contains(c.block(j))).collect();
        if lost.is_empty() {
            continue;
        }
        report.unreadable_data += lost.len() as u32;
        let parity_ok: Vec<u32> = (0..c.m)
            .filter(|&i| !bad.contains(parity_base + c.parity_first + i))
            .collect();
        if parity_ok.len() < lost.len() {
            report.failed_codewords += 1;
            report.missing += lost.len() as u32;
            report.short_by += (lost.len() - parity_ok.len()) as u32;
            continue;
        }
        if window.as_ref().map(|w| w.0) != Some(c.window_first) {
            let r = l.window.min(n - c.window_first);
            let mut buf = vec![0u8; r as usize * BLOCK];
            read_block(img, c.window_first, &mut buf)?;
            window = Some((c.window_first, buf));
        }
        let Some((_, buf)) = window.as_ref() else {
            continue;
        };
        let (k, m) = (c.k as usize, c.m as usize);
        let d = match dec.as_mut() {
            Some(d) => {
                d.reset(k, m, BLOCK)?;
                d
            }
            None => dec.insert(ReedSolomonDecoder::new(k, m, BLOCK)?),
        };
        let mut li = lost.iter().peekable();
        for j in 0..c.k {
            if li.next_if(|&&x| x == j).is_some() {
                continue;
            }
            let at = (c.index + j * c.stride) as usize * BLOCK;
            d.add_original_shard(j as usize, &buf[at..at + BLOCK])?;
        }
        for &i in parity_ok.iter().take(lost.len()) {
            read_block(img, parity_base + c.parity_first + i, &mut pblock)?;
            d.add_recovery_shard(i as usize, &pblock)?;
        }
        let r = d.decode()?;
        for (j, data) in r.restored_original_iter() {
            let b = c.block(j as u32);
            img.seek(SeekFrom::Start(u64::from(b) * BLOCK as u64))
                .map_err(io_err(format!("image: seek to block {b}")))?;
            img.write_all(data)
                .map_err(io_err(format!("image: writing restored block {b}")))?;
            report.repaired += 1;
        }
    }
    if report.missing == 0 {
        img.seek(SeekFrom::Start(0))
            .map_err(io_err("image: seek to its start"))?;
        let mut hasher = Xxh3::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut left = u64::from(n) * BLOCK as u64;
        while left > 0 {
            let want = (buf.len() as u64).min(left) as usize;
            img.read_exact(&mut buf[..want])
                .map_err(io_err("image: reading the session to check it"))?;
            hasher.update(&buf[..want]);
            left -= want as u64;
        }
        report.verified = hasher.digest128() == h.digest;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecc::EccWriter;
    use std::io::Cursor;

    fn session(blocks: u32) -> Vec<u8> {
        let mut x = 0x9e37_79b9u32;
        (0..blocks as usize * BLOCK)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect()
    }

    fn track(data: &[u8], percent: u32) -> Vec<u8> {
        let l = Layout::new(0, (data.len() / BLOCK) as u32, percent).unwrap();
        let mut out = Vec::new();
        let mut w = EccWriter::new(&mut out, l).unwrap();
        for piece in data.chunks(100_003) {
            w.write_all(piece).unwrap();
        }
        w.finish().unwrap();
        assert_eq!(out.len(), l.total_blocks() as usize * BLOCK);
        out
    }

    fn damage(img: &mut [u8], bad: &[(u32, u32)]) {
        for &(a, b) in bad {
            img[a as usize * BLOCK..(b as usize + 1) * BLOCK].fill(0);
        }
    }

    #[test]
    fn restores_bursts_and_scattered_loss_up_to_the_share() {
        let data = session(3000);
        let t = track(&data, 10);
        // 300 parity blocks: 150 + 100 data blocks in two bursts, 50 parity blocks lost.
        let bad = [(100, 249), (2000, 2099), (3010, 3059)];
        let mut img = t.clone();
        damage(&mut img, &bad);
        let mut c = Cursor::new(img);
        let r = repair(&mut c, 0, t.len() as u32 / BLOCK as u32, &bad).unwrap();
        assert_eq!((r.repaired, r.missing, r.unreadable_parity), (250, 0, 50));
        assert!(r.verified);
        assert_eq!(&c.get_ref()[..data.len()], &data[..]);
        // Every seventh block: 429 blocks > 300.
        let bad: Vec<(u32, u32)> = (0..3000).step_by(7).map(|b| (b, b)).collect();
        let mut img = t.clone();
        damage(&mut img, &bad);
        let r = repair(&mut Cursor::new(img), 0, 3302, &bad).unwrap();
        assert_eq!((r.repaired, r.missing, r.short_by), (0, 429, 129));
        // Every eleventh: 273 blocks.
        let bad: Vec<(u32, u32)> = (0..3000).step_by(11).map(|b| (b, b)).collect();
        let mut img = t.clone();
        damage(&mut img, &bad);
        let mut c = Cursor::new(img);
        let r = repair(&mut c, 0, 3302, &bad).unwrap();
        assert_eq!((r.repaired, r.missing), (273, 0));
        assert!(r.verified);
        assert_eq!(&c.get_ref()[..data.len()], &data[..]);
    }

    #[test]
    fn header_copy_at_the_end_is_found() {
        let data = session(500);
        let t = track(&data, 20);
        let n = 500u32;
        let bad = [(0, 19), (n, n)];
        let mut img = t.clone();
        damage(&mut img, &bad);
        let mut c = Cursor::new(img);
        let blocks = t.len() as u32 / BLOCK as u32;
        let r = repair(&mut c, 0, blocks, &bad).unwrap();
        assert_eq!(r.header_at, blocks - 1);
        assert!(r.verified && r.repaired == 20);
        assert_eq!(&c.get_ref()[..data.len()], &data[..]);
    }

    #[test]
    fn multi_window_sessions_restore() {
        // Two windows of depth 2 at 10 %; a burst across the first window's end.
        let t = track(&session(70_000), 10);
        let blocks = t.len() as u32 / BLOCK as u32;
        let bad = [(60_000, 65_900), (69_990, 69_999)];
        let mut img = t.clone();
        damage(&mut img, &bad);
        let mut c = Cursor::new(img);
        let r = repair(&mut c, 0, blocks, &bad).unwrap();
        assert_eq!((r.repaired, r.missing), (5911, 0), "{r:?}");
        assert!(r.verified);
        assert!(c.get_ref()[..70_000 * BLOCK] == t[..70_000 * BLOCK]);
    }
}
