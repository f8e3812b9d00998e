//! CD sector and sub-channel encodings the drive produces and decodes itself: sub-channel
//! Q (ECMA-130 §22.3.3: mode 1 position, mode 2 media catalog number, mode 3 ISRC, BCD
//! times, CRC-16 over 80 bits, inverted), the raw interleaved P-W form READ CD returns
//! (MMC-6 §6.15.3, table 367: one bit of each channel per byte, P in bit 7), the 6-bit R-W
//! symbols CD-TEXT packs travel in through the lead-in (MMC-6 Annex J; 4 symbols carry 3
//! bytes, 24 symbols one 18-byte pack) with the pack CRC (same CRC-16), and the mode-1
//! data sector (ECMA-130 §14.3: sync, header, user data, EDC).

/// Raw CD sector length (CD-DA, or a whole data sector).
pub const RAW_SECTOR: usize = 2352;
/// Raw P-W sub-channel bytes per sector.
pub const SUB_PW: usize = 96;
/// Bytes of one CD-TEXT pack.
pub const PACK: usize = 18;

/// A value 0..99 as binary-coded decimal.
pub fn bcd(v: u8) -> u8 {
    ((v / 10) << 4) | (v % 10)
}

/// CRC-16 CCITT (x^16 + x^12 + x^5 + 1, initial value 0), the sub-channel Q and CD-TEXT
/// pack checksum before it is inverted.
fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// The check word of a Q frame or CD-TEXT pack: the CRC of `data`, inverted (ECMA-130
/// §22.3.3.5; MMC-6 Annex J).
pub fn check_word(data: &[u8]) -> u16 {
    !crc16(data)
}

/// True when an 18-byte CD-TEXT pack's bytes 16-17 hold the check word of bytes 0-15.
pub fn pack_crc_ok(pack: &[u8]) -> bool {
    pack.len() == PACK && check_word(&pack[..16]).to_be_bytes() == [pack[16], pack[17]]
}

/// What one sub-channel Q frame says (before encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Q {
    /// Mode 1: track, index, time within the track (counting down in the pre-gap), time
    /// on the disc.
    Position {
        /// CONTROL nibble.
        control: u8,
        /// Track number.
        track: u8,
        /// Index.
        index: u8,
        /// Relative time in frames (the distance from index 1 in the pre-gap).
        relative: u32,
        /// Absolute LBA.
        lba: i64,
    },
    /// Mode 2: the media catalog number (13 digits).
    Mcn {
        /// CONTROL nibble.
        control: u8,
        /// The digits.
        mcn: String,
        /// Absolute LBA (its frame number is recorded).
        lba: i64,
    },
    /// Mode 3: the track's ISRC (12 characters).
    Isrc {
        /// CONTROL nibble.
        control: u8,
        /// The code.
        isrc: String,
        /// Absolute LBA.
        lba: i64,
    },
}

fn msf_bcd(frames: u32) -> [u8; 3] {
    let m = (frames / 4500).min(99) as u8;
    let s = ((frames / 75) % 60) as u8;
    let f = (frames % 75) as u8;
    [bcd(m), bcd(s), bcd(f)]
}

fn abs_frames(lba: i64) -> u32 {
    u32::try_from(lba + 150).unwrap_or(0)
}

/// The 6-bit ISRC code of a character (ECMA-130 §22.3.3.4: digits 00h-09h, A-Z 11h-2Ah).
fn isrc_code(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'A'..=b'Z' => c - b'A' + 0x11,
        _ => 0,
    }
}

impl Q {
    /// The 12 bytes of the frame: CONTROL/ADR, 9 data bytes, the check word.
    pub fn encode(&self) -> [u8; 12] {
        let mut q = [0u8; 12];
        match self {
            Q::Position {
                control,
                track,
                index,
                relative,
                lba,
            } => {
                q[0] = (control << 4) | 1;
                q[1] = bcd(*track);
                q[2] = bcd(*index);
                q[3..6].copy_from_slice(&msf_bcd(*relative));
                q[7..10].copy_from_slice(&msf_bcd(abs_frames(*lba)));
            }
            Q::Mcn { control, mcn, lba } => {
                q[0] = (control << 4) | 2;
                let d: Vec<u8> = mcn.bytes().map(|c| c.wrapping_sub(b'0') & 0x0F).collect();
                for (i, pair) in d.chunks(2).enumerate().take(7) {
                    let hi = pair[0];
                    let lo = pair.get(1).copied().unwrap_or(0);
                    q[1 + i] = (hi << 4) | lo;
                }
                q[9] = bcd((abs_frames(*lba) % 75) as u8);
            }
            Q::Isrc { control, isrc, lba } => {
                q[0] = (control << 4) | 3;
                let b = isrc.as_bytes();
                let c: Vec<u8> = b.iter().take(5).map(|&x| isrc_code(x)).collect();
                if c.len() == 5 {
                    // 5 six-bit characters in 30 bits, then 2 zero bits
                    let v: u32 = (u32::from(c[0]) << 26)
                        | (u32::from(c[1]) << 20)
                        | (u32::from(c[2]) << 14)
                        | (u32::from(c[3]) << 8)
                        | (u32::from(c[4]) << 2);
                    q[1..5].copy_from_slice(&v.to_be_bytes());
                }
                let digits: Vec<u8> = b
                    .iter()
                    .skip(5)
                    .map(|x| x.wrapping_sub(b'0') & 0x0F)
                    .collect();
                for (i, pair) in digits.chunks(2).enumerate().take(4) {
                    let hi = pair[0];
                    let lo = pair.get(1).copied().unwrap_or(0);
                    q[5 + i] = (hi << 4) | lo;
                }
                q[9] = bcd((abs_frames(*lba) % 75) as u8);
            }
        }
        let crc = check_word(&q[..10]);
        q[10..12].copy_from_slice(&crc.to_be_bytes());
        q
    }
}

/// Raw P-W sub-channel of one sector (MMC-6 §6.15.3.5: 96 bytes, bit 7 P ... bit 0 W):
/// P set in pauses (pre-gaps), Q from `q`, R-W as given (96 symbols, low 6 bits).
pub fn raw_pw(pause: bool, q: &[u8; 12], rw: Option<&[u8; SUB_PW]>) -> [u8; SUB_PW] {
    let mut out = [0u8; SUB_PW];
    for (i, b) in out.iter_mut().enumerate() {
        let qbit = (q[i / 8] >> (7 - (i % 8))) & 1;
        *b = (u8::from(pause) << 7) | (qbit << 6) | rw.map(|r| r[i] & 0x3F).unwrap_or(0);
    }
    out
}

/// The 18 bytes of a CD-TEXT pack from its 24 six-bit R-W symbols (MMC-6 Annex J; the
/// host packs 3 bytes into 4 symbols, high bits first).
pub fn unpack_symbols(sym: &[u8]) -> [u8; PACK] {
    let mut p = [0u8; PACK];
    for (k, s) in sym.chunks_exact(4).take(6).enumerate() {
        let (a, b, c, d) = (s[0] & 0x3F, s[1] & 0x3F, s[2] & 0x3F, s[3] & 0x3F);
        p[3 * k] = (a << 2) | (b >> 4);
        p[3 * k + 1] = (b << 4) | (c >> 2);
        p[3 * k + 2] = (c << 6) | d;
    }
    p
}

/// The packs of a CD-TEXT lead-in stream, once: the host repeats its pack set over the
/// whole lead-in; the set ends where its first pack comes round again. All-zero packs
/// (filler) are dropped.
pub fn cdtext_packs(stream: &[[u8; PACK]]) -> Vec<u8> {
    let mut out: Vec<[u8; PACK]> = Vec::new();
    for p in stream {
        if p.iter().all(|&b| b == 0) {
            continue;
        }
        if out.first() == Some(p) {
            break;
        }
        out.push(*p);
    }
    out.concat()
}

/// EDC of a mode-1 sector (ECMA-130 §14.3: CRC over bytes 0-2063 with polynomial
/// (x^16 + x^15 + x^2 + 1)(x^16 + x^2 + x + 1), least significant bit first).
fn edc(data: &[u8]) -> u32 {
    let mut crc: u32 = 0;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xD801_8001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// A whole mode-1 sector at `lba` around 2048 bytes of user data: sync, header (BCD
/// MSF, mode 1), data, EDC; the 276 bytes of P and Q parity are left zero (this drive
/// reports no C2 errors and corrects nothing, so nothing checks them).
pub fn mode1_sector(lba: i64, user: &[u8]) -> [u8; RAW_SECTOR] {
    let mut s = [0u8; RAW_SECTOR];
    s[1..11].fill(0xFF);
    s[12..15].copy_from_slice(&msf_bcd(abs_frames(lba)));
    s[15] = 1;
    let n = user.len().min(2048);
    s[16..16 + n].copy_from_slice(&user[..n]);
    let e = edc(&s[..2064]);
    s[2064..2068].copy_from_slice(&e.to_le_bytes());
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_position_and_crc() {
        // track 1 index 1 at LBA 0: 01 01 01 00:00:00 00 00:02:00; CRC from the
        // CRC-16/XMODEM check value of "123456789" (31C3h) as the polynomial's reference
        assert_eq!(crc16(b"123456789"), 0x31C3);
        let q = Q::Position {
            control: 0,
            track: 1,
            index: 1,
            relative: 0,
            lba: 0,
        }
        .encode();
        assert_eq!(&q[..10], &[0x01, 0x01, 0x01, 0, 0, 0, 0, 0x00, 0x02, 0x00]);
        assert_eq!(u16::from_be_bytes([q[10], q[11]]), !crc16(&q[..10]));
        let isrc = Q::Isrc {
            control: 0,
            isrc: "USABC9900001".into(),
            lba: 74,
        }
        .encode();
        // U=25h S=23h A=11h B=12h C=13h in 6 bits each, then 99 00 00 1x, frame 74
        assert_eq!(
            &isrc[..10],
            &[0x03, 0x96, 0x34, 0x52, 0x4C, 0x99, 0x00, 0x00, 0x10, 0x74]
        );
        let mcn = Q::Mcn {
            control: 0,
            mcn: "0123456789012".into(),
            lba: 0,
        }
        .encode();
        assert_eq!(
            &mcn[..10],
            &[0x02, 0x01, 0x23, 0x45, 0x67, 0x89, 0x01, 0x20, 0, 0]
        );
    }

    #[test]
    fn symbols_round_trip() {
        let pack: [u8; PACK] = core::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0xA5);
        let mut sym = [0u8; 24];
        for k in 0..6 {
            let (x, y, z) = (pack[3 * k], pack[3 * k + 1], pack[3 * k + 2]);
            sym[4 * k] = x >> 2;
            sym[4 * k + 1] = ((x & 3) << 4) | (y >> 4);
            sym[4 * k + 2] = ((y & 0x0F) << 2) | (z >> 6);
            sym[4 * k + 3] = z & 0x3F;
        }
        assert_eq!(unpack_symbols(&sym), pack);
        let packs = cdtext_packs(&[pack, [0; PACK], pack]);
        assert_eq!(packs, pack.to_vec());
    }

    #[test]
    fn mode1_sector_layout() {
        let s = mode1_sector(0, &[0x41; 2048]);
        assert_eq!(
            &s[..16],
            &[
                0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0x00, 0x02, 0x00,
                1
            ]
        );
        assert_eq!(s[16], 0x41);
        // the EDC of bytes 0..2064 followed by the EDC itself gives a zero remainder
        assert_eq!(edc(&s[..2068]), 0);
        let raw = raw_pw(true, &[0xFF; 12], None);
        assert_eq!(raw[0], 0xC0);
    }
}
