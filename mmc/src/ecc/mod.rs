//! Reed-Solomon repair data for a session (`discburn add --ecc PERCENT`,
//! `discburn read --repair`): erasure coding over GF(2^16) (the Leopard-RS construction,
//! through the `reed-solomon-simd` crate: an MDS code, so any `k` of a codeword's `k + m`
//! shards restore its `k` originals), one shard per 2048-byte block.
//!
//! The format is ours (no standard exists for repair data on multisession discs). A
//! session with repair data is one track holding, relative to the session's first block:
//!
//! ```text
//! 0 .. N-1          the ISO 9660 session as `add` builds it (its volume space size, ECMA-119
//!                   §8.4.8, ends at N: every ISO 9660 reader ignores what follows)
//! N                 header block ([`Header`]: magic, layout, XXH3-128 of blocks 0..N-1)
//! N+1 .. N+P        parity blocks, codeword after codeword
//! N+P+1             a copy of the header (found from the track's end when block N is lost)
//! ```
//!
//! The track's size (MMC-6 §6.27 READ TRACK INFORMATION) and so the next writable address
//! include all of it; on overwritable media the descriptor copy at block 16 gets a volume
//! space size up to the end of the track, so msinfo's next session starts after the parity.
//!
//! Codewords: the session is cut into windows of `W = min(N, 65536)` blocks; each window's
//! blocks are dealt round-robin to `D` codewords (block `i` of a window goes to codeword
//! `i mod D`), `D` the fewest that keep a codeword within the crate's shard limits (at most
//! 65535 shards in all, e.g. 57344 original with up to 8192 recovery shards). A codeword of
//! `k` blocks gets `m = ceil(k * PERCENT / 100)` parity blocks. So:
//! - a session of up to `kmax` blocks (57344 blocks, 112 MiB, at 10 %) is ONE codeword: any
//!   `m` unreadable blocks among its data and parity blocks, in any pattern, are restored
//!   (the share is exact: no margin but the rounding up of `m`);
//! - a larger session: within each window a burst of up to `D * m` blocks costs each
//!   codeword at most `m`; scattered loss is restored while no codeword of a window loses more
//!   than its `m` (for random loss of 8 % with 10 % parity, a codeword of 32768 blocks loses
//!   2621 ± 49 on average against its 3277: more than 13 standard deviations of margin).
//!   Memory stays at two windows (256 MiB) whatever the session's size.

pub mod encode;
pub mod repair;

use xxhash_rust::xxh3::xxh3_64;

use crate::drive::BLOCK;

pub use encode::EccWriter;
pub use repair::{repair, RepairReport};

/// The header block's first 16 bytes.
pub const MAGIC: &[u8; 16] = b"DISCBURN RS ECC\x01";
/// Header format version.
pub const VERSION: u32 = 1;
/// Largest window, in blocks (128 MiB): what the encoder holds in memory (twice).
pub const WINDOW_MAX: u32 = 65536;

/// Why repair data cannot be made or used.
#[derive(Debug, thiserror::Error)]
pub enum EccError {
    /// The percentage is out of range.
    #[error("--ecc {0}: give a share of parity from 1 to 100 (percent of the session's blocks)")]
    Percent(u32),
    /// The session is empty.
    #[error("an empty session has nothing to protect")]
    Empty,
    /// The layout needs more blocks than a track can hold.
    #[error("a session of {0} blocks with repair data does not fit a track (2^32 blocks)")]
    TooLarge(u32),
    /// The Reed-Solomon codec refused something.
    #[error("Reed-Solomon codec: {0}")]
    Codec(#[from] reed_solomon_simd::Error),
    /// Reading or writing the image failed.
    #[error("{op}: {source}")]
    Io {
        /// What was being done.
        op: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// No readable header block names the layout.
    #[error("no repair data found in this session: {0}")]
    NoHeader(String),
}

/// The layout of a session's repair data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// First block of the session (absolute LBA).
    pub start: u32,
    /// Blocks of the session (the ISO 9660 volume written by `add`).
    pub data_blocks: u32,
    /// Parity share in percent.
    pub percent: u32,
    /// Window size in blocks.
    pub window: u32,
    /// Codewords per window.
    pub depth: u32,
}

/// One codeword of a [`Layout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Codeword {
    /// First block of its window (relative to the session's start).
    pub window_first: u32,
    /// Its place in the window (its first block is `window_first + index`).
    pub index: u32,
    /// Blocks from one to the next (the window's depth).
    pub stride: u32,
    /// Original shards (data blocks).
    pub k: u32,
    /// Recovery shards (parity blocks).
    pub m: u32,
    /// Its first parity block, counted from the first parity block.
    pub parity_first: u32,
}

impl Codeword {
    /// The `j`-th data block (relative to the session's start).
    pub fn block(&self, j: u32) -> u32 {
        self.window_first + self.index + j * self.stride
    }
}

/// Parity blocks for `k` data blocks at `percent`.
pub fn parity_for(k: u32, percent: u32) -> u32 {
    (u64::from(k) * u64::from(percent)).div_ceil(100) as u32
}

/// The largest codeword (original shards) the codec takes at `percent`.
pub fn max_codeword(percent: u32) -> u32 {
    let mut k = 65535u32;
    while k > 1
        && !reed_solomon_simd::ReedSolomonEncoder::supports(
            k as usize,
            parity_for(k, percent).max(1) as usize,
        )
    {
        k -= 1;
    }
    k
}

impl Layout {
    /// The layout `add --ecc percent` uses for a session of `data_blocks` at `start`.
    pub fn new(start: u32, data_blocks: u32, percent: u32) -> Result<Layout, EccError> {
        if !(1..=100).contains(&percent) {
            return Err(EccError::Percent(percent));
        }
        if data_blocks == 0 {
            return Err(EccError::Empty);
        }
        let window = data_blocks.min(WINDOW_MAX);
        let depth = window.div_ceil(max_codeword(percent));
        let l = Layout {
            start,
            data_blocks,
            percent,
            window,
            depth,
        };
        if u64::from(data_blocks) + u64::from(l.parity_blocks()) + 2 > u64::from(u32::MAX) {
            return Err(EccError::TooLarge(data_blocks));
        }
        Ok(l)
    }

    /// Every codeword, window after window (the order of the parity blocks).
    pub fn codewords(&self) -> impl Iterator<Item = Codeword> + '_ {
        let windows = self.data_blocks.div_ceil(self.window.max(1));
        let mut parity = 0u32;
        (0..windows)
            .flat_map(move |w| {
                let first = w * self.window;
                let r = self.window.min(self.data_blocks - first);
                let d = self.depth.max(1);
                (0..d.min(r)).map(move |c| (first, c, d, (r - c).div_ceil(d)))
            })
            .map(move |(first, c, d, k)| {
                let m = parity_for(k, self.percent).max(1);
                let cw = Codeword {
                    window_first: first,
                    index: c,
                    stride: d,
                    k,
                    m,
                    parity_first: parity,
                };
                parity += m;
                cw
            })
    }

    /// Parity blocks in all.
    pub fn parity_blocks(&self) -> u32 {
        self.codewords().map(|c| c.m).sum()
    }

    /// Blocks after the session: two headers and the parity.
    pub fn extra_blocks(&self) -> u32 {
        self.parity_blocks() + 2
    }

    /// Blocks of the whole track (session, headers, parity).
    pub fn total_blocks(&self) -> u32 {
        self.data_blocks + self.extra_blocks()
    }

    /// The header block: `copy` 0 goes right after the session, 1 at the track's end.
    pub fn header_block(&self, digest: u128, copy: u32) -> Vec<u8> {
        let mut b = vec![0u8; BLOCK];
        b[..16].copy_from_slice(MAGIC);
        let fields = [
            VERSION,
            self.start,
            self.data_blocks,
            self.percent,
            self.window,
            self.depth,
            self.parity_blocks(),
            BLOCK as u32,
            copy,
        ];
        for (i, v) in fields.iter().enumerate() {
            b[16 + 4 * i..20 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        b[64..80].copy_from_slice(&digest.to_le_bytes());
        let text = format!(
            "discburn Reed-Solomon repair data (GF(2^16), Leopard-RS) for the session at block \
             {}: {} blocks, {} % parity = {} blocks in {} codewords; restore with \
             `discburn read --repair`.\n",
            self.start,
            self.data_blocks,
            self.percent,
            self.parity_blocks(),
            self.codewords().count()
        );
        let t = text.as_bytes();
        let n = t.len().min(BLOCK - 8 - 128);
        b[128..128 + n].copy_from_slice(&t[..n]);
        let sum = xxh3_64(&b[..BLOCK - 8]);
        b[BLOCK - 8..].copy_from_slice(&sum.to_le_bytes());
        b
    }
}

/// A parsed header block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The layout it names.
    pub layout: Layout,
    /// XXH3-128 of the session's blocks.
    pub digest: u128,
    /// 0: the copy after the session; 1: the copy at the track's end.
    pub copy: u32,
}

impl Header {
    /// Parses a header block; `None` when it is none (or damaged).
    pub fn parse(b: &[u8]) -> Option<Header> {
        if b.len() != BLOCK || &b[..16] != MAGIC {
            return None;
        }
        let sum = u64::from_le_bytes(b[BLOCK - 8..].try_into().ok()?);
        if xxh3_64(&b[..BLOCK - 8]) != sum {
            return None;
        }
        let f = |i: usize| -> Option<u32> {
            Some(u32::from_le_bytes(
                b.get(16 + 4 * i..20 + 4 * i)?.try_into().ok()?,
            ))
        };
        if f(0)? != VERSION || f(7)? != BLOCK as u32 {
            return None;
        }
        let layout = Layout {
            start: f(1)?,
            data_blocks: f(2)?,
            percent: f(3)?,
            window: f(4)?,
            depth: f(5)?,
        };
        let sane = layout.data_blocks > 0
            && (1..=100).contains(&layout.percent)
            && (1..=WINDOW_MAX).contains(&layout.window)
            && layout.window <= layout.data_blocks
            && (1..=layout.window).contains(&layout.depth)
            && layout.window.div_ceil(layout.depth) <= 65535;
        if !sane || layout.parity_blocks() != f(6)? {
            return None;
        }
        Some(Header {
            layout,
            digest: u128::from_le_bytes(b[64..80].try_into().ok()?),
            copy: f(8)?,
        })
    }

    /// Where this copy lies, relative to the session's start.
    pub fn position(&self) -> u32 {
        if self.copy == 0 {
            self.layout.data_blocks
        } else {
            self.layout.data_blocks + self.layout.parity_blocks() + 1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_percent_limits() {
        // 57344 originals take up to 8192 recovery shards (the crate's table).
        assert_eq!(max_codeword(10), 57344);
        let l = Layout::new(0, 57344, 10).unwrap();
        assert_eq!((l.depth, l.parity_blocks()), (1, 5735));
        let l = Layout::new(0, 57345, 10).unwrap();
        assert_eq!(l.depth, 2);
        let l = Layout::new(100, 1000, 10).unwrap();
        assert_eq!((l.window, l.depth, l.parity_blocks()), (1000, 1, 100));
        assert_eq!(l.total_blocks(), 1102);
    }

    #[test]
    fn codewords_cover_every_block_once() {
        for (n, p) in [(200_000u32, 10u32), (65537, 5), (3, 100), (70_001, 1)] {
            let l = Layout::new(0, n, p).unwrap();
            let mut seen = vec![false; n as usize];
            let mut parity = 0;
            for c in l.codewords() {
                assert!(reed_solomon_simd::ReedSolomonEncoder::supports(
                    c.k as usize,
                    c.m as usize
                ));
                assert_eq!(c.parity_first, parity);
                parity += c.m;
                for j in 0..c.k {
                    let b = c.block(j) as usize;
                    assert!(!seen[b], "block {b} twice");
                    seen[b] = true;
                }
            }
            assert!(seen.iter().all(|&s| s), "{n} {p}");
            assert!(parity >= n * p / 100, "{parity}");
        }
    }

    #[test]
    fn header_round_trip_and_damage() {
        let l = Layout::new(5000, 123_456, 10).unwrap();
        let b = l.header_block(0x1234_5678_9abc, 1);
        let h = Header::parse(&b).unwrap();
        assert_eq!((h.layout, h.digest, h.copy), (l, 0x1234_5678_9abc, 1));
        assert_eq!(h.position(), 123_456 + l.parity_blocks() + 1);
        let mut bad = b.clone();
        bad[30] ^= 1;
        assert_eq!(Header::parse(&bad), None);
        assert_eq!(Header::parse(&b[..100]), None);
    }
}
