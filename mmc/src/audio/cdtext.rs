//! CD-TEXT packs (MMC-6 Annex J; the layout libburn's doc/cdtext.txt describes): 18-byte
//! packs of pack type (80h title, 81h performer, 82h songwriter, 8Fh size information),
//! track number, sequence number, block/character position, 12 text bytes and a CRC-16
//! (x^16 + x^12 + x^5 + 1, inverted). Strings of one type follow each other, disc first
//! (track 0), each ended by a NUL; one block (block 0), ISO 8859-1, language English.

/// Bytes of one pack.
pub const PACK: usize = 18;

/// CRC-16 CCITT of `data`, inverted: the check word of a pack (bytes 16-17).
pub fn check_word(data: &[u8]) -> u16 {
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
    !crc
}

/// True when a pack's CRC matches its first 16 bytes.
pub fn crc_ok(p: &[u8]) -> bool {
    p.len() == PACK && check_word(&p[..16]).to_be_bytes() == [p[16], p[17]]
}

/// The strings of one pack type: the disc's, then one per track (None: empty).
#[derive(Debug)]
pub struct Strings<'a> {
    /// Pack type (80h..82h).
    pub kind: u8,
    /// Disc string, then tracks 1..n.
    pub texts: Vec<Option<&'a str>>,
}

/// Latin-1 bytes of a string (characters above U+00FF become '?').
fn latin1(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

struct Builder {
    packs: Vec<[u8; PACK]>,
    counts: [u8; 16],
}

impl Builder {
    fn push(&mut self, kind: u8, track: u8, pos: u8, text: &[u8]) {
        let mut p = [0u8; PACK];
        p[0] = kind;
        p[1] = track;
        p[2] = self.packs.len() as u8;
        p[3] = pos.min(15);
        p[4..4 + text.len()].copy_from_slice(text);
        let c = check_word(&p[..16]);
        p[16..18].copy_from_slice(&c.to_be_bytes());
        self.packs.push(p);
        self.counts[usize::from(kind & 0x0F)] += 1;
    }
}

/// The packs of block 0 for these strings, followed by the three size information packs
/// (8Fh): character code 00h (ISO 8859-1), first and last track, pack counts per type,
/// the last sequence number of block 0, language code 09h (English). None when there is
/// no string at all, or when the text needs more than the 253 packs of a block.
pub fn packs(first_track: u8, last_track: u8, types: &[Strings<'_>]) -> Option<Vec<u8>> {
    let mut b = Builder {
        packs: Vec::new(),
        counts: [0; 16],
    };
    for s in types {
        if s.texts.iter().all(Option::is_none) {
            continue;
        }
        // the stream of this type: each string NUL-terminated, in 12-byte packs; each
        // pack names the track whose text its first byte belongs to and how many
        // characters of that string came before (the character position)
        let mut stream: Vec<(u8, u8, u8)> = Vec::new(); // (byte, track, position)
        for (i, t) in s.texts.iter().enumerate() {
            let track = if i == 0 {
                0
            } else {
                first_track + (i as u8) - 1
            };
            let mut bytes = latin1(t.unwrap_or(""));
            bytes.push(0);
            for (k, c) in bytes.into_iter().enumerate() {
                stream.push((c, track, u8::try_from(k).unwrap_or(15)));
            }
        }
        for chunk in stream.chunks(12) {
            let text: Vec<u8> = chunk.iter().map(|c| c.0).collect();
            b.push(s.kind, chunk[0].1, chunk[0].2, &text);
        }
    }
    if b.packs.is_empty() {
        return None;
    }
    b.counts[0x0F] = 3;
    let last_seq = b.packs.len() + 2;
    if last_seq > 252 {
        return None;
    }
    let mut info = [0u8; 36];
    info[0] = 0x00;
    info[1] = first_track;
    info[2] = last_track;
    info[3] = 0x00;
    info[4..20].copy_from_slice(&b.counts);
    info[20] = last_seq as u8;
    info[28] = 0x09;
    for k in 0..3u8 {
        let part: Vec<u8> = info[usize::from(k) * 12..usize::from(k) * 12 + 12].to_vec();
        let mut p = [0u8; PACK];
        p[0] = 0x8F;
        p[1] = k;
        p[2] = b.packs.len() as u8;
        p[3] = 0;
        p[4..16].copy_from_slice(&part);
        let c = check_word(&p[..16]);
        p[16..18].copy_from_slice(&c.to_be_bytes());
        b.packs.push(p);
    }
    Some(b.packs.concat())
}

/// The packs as the lead-in's R-W sub-channel carries them: 3 bytes in 4 six-bit symbols,
/// 24 symbols a pack (MMC-6 Annex J; libburn's write.c and cdrecord's cdtext.c send this).
pub fn to_symbols(packs: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(packs.len() / 3 * 4);
    for k in packs.chunks_exact(3) {
        out.push(k[0] >> 2);
        out.push(((k[0] & 0x03) << 4) | (k[1] >> 4));
        out.push(((k[1] & 0x0F) << 2) | (k[2] >> 6));
        out.push(k[2] & 0x3F);
    }
    out
}

/// Decoded CD-TEXT: per pack type 80h-82h, the strings of the disc (index 0) and of
/// tracks 1.. (block 0 only), as READ TOC format 5 returns the packs.
pub fn decode(packs: &[u8]) -> Vec<(u8, Vec<(u8, String)>)> {
    let mut out: Vec<(u8, Vec<(u8, String)>)> = Vec::new();
    for kind in [0x80u8, 0x81, 0x82] {
        let mut bytes: Vec<u8> = Vec::new();
        let mut first_track = None;
        for p in packs.chunks_exact(PACK) {
            if p[0] == kind && (p[3] >> 4) & 0x07 == 0 {
                first_track.get_or_insert(p[1]);
                bytes.extend_from_slice(&p[4..16]);
            }
        }
        let Some(t0) = first_track else { continue };
        let mut strings = Vec::new();
        let mut track = t0;
        for s in bytes.split(|&b| b == 0) {
            if strings.len() > 99 {
                break;
            }
            strings.push((track, s.iter().map(|&b| char::from(b)).collect::<String>()));
            track = track.saturating_add(1);
        }
        // the stream ends with NUL padding: drop the empty strings past the last track
        while strings.last().is_some_and(|s| s.1.is_empty()) {
            strings.pop();
        }
        out.push((kind, strings));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_of_titles_and_performers() {
        let p = packs(
            1,
            2,
            &[
                Strings {
                    kind: 0x80,
                    texts: vec![Some("Album"), Some("One"), Some("Two")],
                },
                Strings {
                    kind: 0x81,
                    texts: vec![Some("Band"), None, None],
                },
            ],
        )
        .unwrap();
        // titles: "Album\0One\0Two\0" = 14 bytes, 2 packs; performers "Band\0\0\0" 1 pack;
        // 3 size packs
        assert_eq!(p.len(), 6 * PACK);
        assert_eq!(&p[..4], &[0x80, 0, 0, 0]);
        assert_eq!(&p[4..16], b"Album\0One\0Tw");
        // the second pack starts inside track 2's title, 2 characters in
        assert_eq!(&p[18..22], &[0x80, 2, 1, 2]);
        assert!(p.chunks(PACK).all(crc_ok));
        let size = &p[3 * PACK..];
        assert_eq!(&size[..4], &[0x8F, 0, 3, 0]);
        // pack counts: 80h 2, 81h 1, 8Fh 3; last sequence number 5; language 09h
        assert_eq!(&size[4..8], &[0x00, 1, 2, 0]);
        assert_eq!(&size[8..10], &[2, 1]);
        let d = decode(&p);
        assert_eq!(
            d[0].1,
            vec![(0, "Album".into()), (1, "One".into()), (2, "Two".into())]
        );
        assert_eq!(d[1].1, vec![(0, "Band".into())]);
        // a known check word: CRC-16/XMODEM of "123456789" is 31C3h
        assert_eq!(!check_word(b"123456789"), 0x31C3);
    }
}
