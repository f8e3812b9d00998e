//! MD5 (RFC 1321) of each session the burn pipeline sends, reported by `add` and `burn`
//! (the read-back verify compares 64 KiB units instead, see `pipeline`). It runs over the
//! whole session beside the writes, so MD5's speed bounds `add`'s writing speed; this
//! implementation orders each step for a short dependency chain and is about 1.35x the
//! `md-5` crate's portable code (870 against 645 MB/s on the benchmark machine; md-5's
//! `asm` feature reaches 677 MB/s).
//!
//! Per step (RFC 1321 §3.4) only the newest word `b` is on the critical path: `a + X[k] +
//! T[i]` does not depend on it and is added first, the round function is written so that `b`
//! enters last (F as `d ^ (b & (c ^ d))`, G as the sum of the disjoint `c & !d` and `b & d`,
//! H as `b ^ (c ^ d)`, I as `c ^ (b | !d)`), then the rotation and `+ b`. The table T is
//! read through [`std::hint::black_box`]: as literal constants LLVM adds them last, which
//! puts one more add on the critical path of every step.

/// The table T of RFC 1321 §3.4: `floor(abs(sin(i + 1)) * 2^32)`.
const T: [u32; 64] = [
    0xd76a_a478,
    0xe8c7_b756,
    0x2420_70db,
    0xc1bd_ceee,
    0xf57c_0faf,
    0x4787_c62a,
    0xa830_4613,
    0xfd46_9501,
    0x6980_98d8,
    0x8b44_f7af,
    0xffff_5bb1,
    0x895c_d7be,
    0x6b90_1122,
    0xfd98_7193,
    0xa679_438e,
    0x49b4_0821,
    0xf61e_2562,
    0xc040_b340,
    0x265e_5a51,
    0xe9b6_c7aa,
    0xd62f_105d,
    0x0244_1453,
    0xd8a1_e681,
    0xe7d3_fbc8,
    0x21e1_cde6,
    0xc337_07d6,
    0xf4d5_0d87,
    0x455a_14ed,
    0xa9e3_e905,
    0xfcef_a3f8,
    0x676f_02d9,
    0x8d2a_4c8a,
    0xfffa_3942,
    0x8771_f681,
    0x6d9d_6122,
    0xfde5_380c,
    0xa4be_ea44,
    0x4bde_cfa9,
    0xf6bb_4b60,
    0xbebf_bc70,
    0x289b_7ec6,
    0xeaa1_27fa,
    0xd4ef_3085,
    0x0488_1d05,
    0xd9d4_d039,
    0xe6db_99e5,
    0x1fa2_7cf8,
    0xc4ac_5665,
    0xf429_2244,
    0x432a_ff97,
    0xab94_23a7,
    0xfc93_a039,
    0x655b_59c3,
    0x8f0c_cc92,
    0xffef_f47d,
    0x8584_5dd1,
    0x6fa8_7e4f,
    0xfe2c_e6e0,
    0xa301_4314,
    0x4e08_11a1,
    0xf753_7e82,
    0xbd3a_f235,
    0x2ad7_d2bb,
    0xeb86_d391,
];

/// Initial state A, B, C, D (RFC 1321 §3.3).
const INIT: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];

/// One step: `$a = $b + ((a + X[k] + T[i] + f(b, c, d)) <<< s)`.
macro_rules! step {
    (F, $a:ident, $b:ident, $c:ident, $d:ident, $x:expr, $t:expr, $s:expr) => {
        $a = $a
            .wrapping_add($x.wrapping_add($t))
            .wrapping_add($d ^ ($b & ($c ^ $d)))
            .rotate_left($s)
            .wrapping_add($b);
    };
    (G, $a:ident, $b:ident, $c:ident, $d:ident, $x:expr, $t:expr, $s:expr) => {
        $a = $a
            .wrapping_add($x.wrapping_add($t))
            .wrapping_add($c & !$d)
            .wrapping_add($b & $d)
            .rotate_left($s)
            .wrapping_add($b);
    };
    (H, $a:ident, $b:ident, $c:ident, $d:ident, $x:expr, $t:expr, $s:expr) => {
        $a = $a
            .wrapping_add($x.wrapping_add($t))
            .wrapping_add($b ^ ($c ^ $d))
            .rotate_left($s)
            .wrapping_add($b);
    };
    (I, $a:ident, $b:ident, $c:ident, $d:ident, $x:expr, $t:expr, $s:expr) => {
        $a = $a
            .wrapping_add($x.wrapping_add($t))
            .wrapping_add($c ^ ($b | !$d))
            .rotate_left($s)
            .wrapping_add($b);
    };
}

/// Runs the compression function over every whole 64-byte block of `data`.
fn compress(state: &mut [u32; 4], data: &[u8]) {
    let t: &[u32; 64] = std::hint::black_box(&T);
    let [mut a, mut b, mut c, mut d] = *state;
    for blk in data.chunks_exact(64) {
        let mut x = [0u32; 16];
        for (w, q) in x.iter_mut().zip(blk.chunks_exact(4)) {
            *w = u32::from_le_bytes([q[0], q[1], q[2], q[3]]);
        }
        let (aa, bb, cc, dd) = (a, b, c, d);
        // Round 1.
        step!(F, a, b, c, d, x[0], t[0], 7);
        step!(F, d, a, b, c, x[1], t[1], 12);
        step!(F, c, d, a, b, x[2], t[2], 17);
        step!(F, b, c, d, a, x[3], t[3], 22);
        step!(F, a, b, c, d, x[4], t[4], 7);
        step!(F, d, a, b, c, x[5], t[5], 12);
        step!(F, c, d, a, b, x[6], t[6], 17);
        step!(F, b, c, d, a, x[7], t[7], 22);
        step!(F, a, b, c, d, x[8], t[8], 7);
        step!(F, d, a, b, c, x[9], t[9], 12);
        step!(F, c, d, a, b, x[10], t[10], 17);
        step!(F, b, c, d, a, x[11], t[11], 22);
        step!(F, a, b, c, d, x[12], t[12], 7);
        step!(F, d, a, b, c, x[13], t[13], 12);
        step!(F, c, d, a, b, x[14], t[14], 17);
        step!(F, b, c, d, a, x[15], t[15], 22);
        // Round 2.
        step!(G, a, b, c, d, x[1], t[16], 5);
        step!(G, d, a, b, c, x[6], t[17], 9);
        step!(G, c, d, a, b, x[11], t[18], 14);
        step!(G, b, c, d, a, x[0], t[19], 20);
        step!(G, a, b, c, d, x[5], t[20], 5);
        step!(G, d, a, b, c, x[10], t[21], 9);
        step!(G, c, d, a, b, x[15], t[22], 14);
        step!(G, b, c, d, a, x[4], t[23], 20);
        step!(G, a, b, c, d, x[9], t[24], 5);
        step!(G, d, a, b, c, x[14], t[25], 9);
        step!(G, c, d, a, b, x[3], t[26], 14);
        step!(G, b, c, d, a, x[8], t[27], 20);
        step!(G, a, b, c, d, x[13], t[28], 5);
        step!(G, d, a, b, c, x[2], t[29], 9);
        step!(G, c, d, a, b, x[7], t[30], 14);
        step!(G, b, c, d, a, x[12], t[31], 20);
        // Round 3.
        step!(H, a, b, c, d, x[5], t[32], 4);
        step!(H, d, a, b, c, x[8], t[33], 11);
        step!(H, c, d, a, b, x[11], t[34], 16);
        step!(H, b, c, d, a, x[14], t[35], 23);
        step!(H, a, b, c, d, x[1], t[36], 4);
        step!(H, d, a, b, c, x[4], t[37], 11);
        step!(H, c, d, a, b, x[7], t[38], 16);
        step!(H, b, c, d, a, x[10], t[39], 23);
        step!(H, a, b, c, d, x[13], t[40], 4);
        step!(H, d, a, b, c, x[0], t[41], 11);
        step!(H, c, d, a, b, x[3], t[42], 16);
        step!(H, b, c, d, a, x[6], t[43], 23);
        step!(H, a, b, c, d, x[9], t[44], 4);
        step!(H, d, a, b, c, x[12], t[45], 11);
        step!(H, c, d, a, b, x[15], t[46], 16);
        step!(H, b, c, d, a, x[2], t[47], 23);
        // Round 4.
        step!(I, a, b, c, d, x[0], t[48], 6);
        step!(I, d, a, b, c, x[7], t[49], 10);
        step!(I, c, d, a, b, x[14], t[50], 15);
        step!(I, b, c, d, a, x[5], t[51], 21);
        step!(I, a, b, c, d, x[12], t[52], 6);
        step!(I, d, a, b, c, x[3], t[53], 10);
        step!(I, c, d, a, b, x[10], t[54], 15);
        step!(I, b, c, d, a, x[1], t[55], 21);
        step!(I, a, b, c, d, x[8], t[56], 6);
        step!(I, d, a, b, c, x[15], t[57], 10);
        step!(I, c, d, a, b, x[6], t[58], 15);
        step!(I, b, c, d, a, x[13], t[59], 21);
        step!(I, a, b, c, d, x[4], t[60], 6);
        step!(I, d, a, b, c, x[11], t[61], 10);
        step!(I, c, d, a, b, x[2], t[62], 15);
        step!(I, b, c, d, a, x[9], t[63], 21);
        a = a.wrapping_add(aa);
        b = b.wrapping_add(bb);
        c = c.wrapping_add(cc);
        d = d.wrapping_add(dd);
    }
    *state = [a, b, c, d];
}

/// An MD5 computation in progress: [`Md5::update`] with the message in any pieces, then
/// [`Md5::finalize`] for the 16-byte digest.
#[derive(Debug, Clone)]
pub struct Md5 {
    state: [u32; 4],
    /// A partial block not yet compressed.
    tail: [u8; 64],
    tail_len: usize,
    /// Message length in bytes.
    len: u64,
}

impl Default for Md5 {
    fn default() -> Self {
        Md5::new()
    }
}

impl Md5 {
    /// A new computation (empty message).
    pub fn new() -> Md5 {
        Md5 {
            state: INIT,
            tail: [0; 64],
            tail_len: 0,
            len: 0,
        }
    }

    /// Appends `data` to the message.
    pub fn update(&mut self, mut data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        if self.tail_len > 0 {
            let n = (64 - self.tail_len).min(data.len());
            self.tail[self.tail_len..self.tail_len + n].copy_from_slice(&data[..n]);
            self.tail_len += n;
            data = &data[n..];
            if self.tail_len < 64 {
                return;
            }
            let tail = self.tail;
            compress(&mut self.state, &tail);
            self.tail_len = 0;
        }
        let whole = data.len() / 64 * 64;
        compress(&mut self.state, &data[..whole]);
        let rest = &data[whole..];
        self.tail[..rest.len()].copy_from_slice(rest);
        self.tail_len = rest.len();
    }

    /// The digest (RFC 1321 §3.1-3.5: a 1 bit, zeros to 56 mod 64 bytes, the bit length).
    pub fn finalize(mut self) -> [u8; 16] {
        let bits = self.len.wrapping_mul(8);
        let mut pad = [0u8; 72];
        pad[0] = 0x80;
        let zeros = (55usize.wrapping_sub(self.tail_len)) % 64;
        let n = 1 + zeros;
        pad[n..n + 8].copy_from_slice(&bits.to_le_bytes());
        let len = self.len;
        self.update(&pad[..n + 8]);
        debug_assert_eq!(self.tail_len, 0);
        self.len = len;
        let mut out = [0u8; 16];
        for (o, w) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&w.to_le_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Md5;
    use md5::Digest as _;

    fn hex(d: &[u8]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn md5(data: &[u8]) -> String {
        let mut m = Md5::new();
        m.update(data);
        hex(&m.finalize())
    }

    /// RFC 1321 appendix A.5, "test suite".
    #[test]
    fn rfc1321_test_suite() {
        let suite: [(&str, &str); 7] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            (
                "abcdefghijklmnopqrstuvwxyz",
                "c3fcd3d76192e4007dfb496cca67e13b",
            ),
            (
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                "d174ab98d277d9f5a5611c2c9f419d9f",
            ),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ];
        for (msg, want) in suite {
            assert_eq!(md5(msg.as_bytes()), want, "MD5({msg:?})");
        }
    }

    /// Every length around the padding boundaries, fed whole and in uneven pieces, against
    /// the `md-5` crate.
    #[test]
    fn matches_md5_crate_in_any_pieces() {
        let data: Vec<u8> = (0..5000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in (0..200).chain([1000, 2047, 2048, 2049, 4096, 4999]) {
            let msg = &data[..len];
            let want = hex(&md5::Md5::digest(msg));
            assert_eq!(md5(msg), want, "whole, length {len}");
            for piece in [1, 3, 63, 64, 65, 100] {
                let mut m = Md5::new();
                for p in msg.chunks(piece) {
                    m.update(p);
                }
                assert_eq!(hex(&m.finalize()), want, "pieces of {piece}, length {len}");
            }
        }
    }

    /// A session-sized stream in 1 MiB chunks (the pipeline's unit) with an odd tail.
    #[test]
    fn large_stream_in_chunks() {
        let chunk: Vec<u8> = (0..1 << 20).map(|i: u32| (i ^ (i >> 11)) as u8).collect();
        let (mut ours, mut theirs) = (Md5::new(), md5::Md5::new());
        for k in 0..9 {
            let c = &chunk[..chunk.len() - k * 7];
            ours.update(c);
            theirs.update(c);
        }
        assert_eq!(hex(&ours.finalize()), hex(&theirs.finalize()));
    }
}
