//! System Use Sharing Protocol (SUSP 1.12: SP, CE, ER, ST, PD) and Rock Ridge (RRIP 1.12:
//! PX, PN, SL, NM, CL, PL, RE, TF, and the 1.09 RR entry) entries.

use super::{encode_date7, get_u32_both, put_u32_both, Timestamp, WireError};

/// Extension identifier recorded in the ER entry (RRIP 1.12 §4 lists "RRIP_1991A" for the
/// interchange protocol as deployed; readers recognise it universally).
pub const RRIP_ID: &str = "RRIP_1991A";
/// ER descriptor text for [`RRIP_ID`].
pub const RRIP_DESC: &str =
    "THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS";
/// ER source text for [`RRIP_ID`].
pub const RRIP_SRC: &str = "PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.";

/// Length of a CE entry (SUSP §5.1).
pub const CE_LEN: usize = 28;

/// One raw SUSP entry: signature, version and payload (after the 4-byte header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Two-character signature.
    pub sig: [u8; 2],
    /// Entry version.
    pub version: u8,
    /// Bytes after the 4-byte header.
    pub data: &'a [u8],
}

/// Iterator over the SUSP entries of a system use area (SUSP §4); stops at ST, at the end,
/// or at padding (fewer than 4 bytes, or a zero length).
#[derive(Debug, Clone)]
pub struct Entries<'a> {
    b: &'a [u8],
    done: bool,
}

/// Iterates the entries of `area`, skipping `skip` leading bytes (SP's LEN_SKP).
pub fn entries(area: &[u8], skip: usize) -> Entries<'_> {
    Entries {
        b: area.get(skip..).unwrap_or(&[]),
        done: false,
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<Entry<'a>, WireError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.b.len() < 4 {
            return None;
        }
        let len = usize::from(self.b[2]);
        if len == 0 {
            self.done = true;
            return None;
        }
        if len < 4 || len > self.b.len() {
            self.done = true;
            return Some(Err(WireError::Overrun {
                what: "SUSP entry",
                field: len,
                avail: self.b.len(),
            }));
        }
        let e = Entry {
            sig: [self.b[0], self.b[1]],
            version: self.b[3],
            data: &self.b[4..len],
        };
        self.b = &self.b[len..];
        if &e.sig == b"ST" {
            self.done = true;
        }
        Some(Ok(e))
    }
}

fn header(sig: &[u8; 2], len: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(len);
    v.extend_from_slice(sig);
    v.push(len as u8);
    v.push(1);
    v
}

fn both32(v: &mut Vec<u8>, x: u32) {
    let mut b = [0u8; 8];
    put_u32_both(&mut b, x);
    v.extend_from_slice(&b);
}

/// SP entry (SUSP §5.3): marks SUSP use, in the first record of the root directory.
pub fn sp() -> Vec<u8> {
    let mut v = header(b"SP", 7);
    v.extend_from_slice(&[0xBE, 0xEF, 0]);
    v
}

/// CE entry (SUSP §5.1): the rest of the entries are at `block`+`offset`, `len` bytes.
pub fn ce(block: u32, offset: u32, len: u32) -> Vec<u8> {
    let mut v = header(b"CE", CE_LEN);
    both32(&mut v, block);
    both32(&mut v, offset);
    both32(&mut v, len);
    v
}

/// ER entry (SUSP §5.5) announcing Rock Ridge.
pub fn er_rrip() -> Vec<u8> {
    let (id, de, sr) = (
        RRIP_ID.as_bytes(),
        RRIP_DESC.as_bytes(),
        RRIP_SRC.as_bytes(),
    );
    let len = 8 + id.len() + de.len() + sr.len();
    let mut v = header(b"ER", len);
    v.extend_from_slice(&[id.len() as u8, de.len() as u8, sr.len() as u8, 1]);
    v.extend_from_slice(id);
    v.extend_from_slice(de);
    v.extend_from_slice(sr);
    v
}

/// RR entry (RRIP 1.09 §4.1.7, dropped in 1.12 but still expected by old readers): which
/// Rock Ridge entries this record carries.
pub fn rr(flags: u8) -> Vec<u8> {
    let mut v = header(b"RR", 5);
    v.push(flags);
    v
}

/// PX entry (RRIP 1.12 §4.1.1) with the file serial number (44 bytes).
pub fn px(mode: u32, nlink: u32, uid: u32, gid: u32, ino: u32) -> Vec<u8> {
    let mut v = header(b"PX", 44);
    for x in [mode, nlink, uid, gid, ino] {
        both32(&mut v, x);
    }
    v
}

/// PN entry (RRIP 1.12 §4.1.2): device number, high and low 32 bits.
pub fn pn(rdev: u64) -> Vec<u8> {
    let mut v = header(b"PN", 20);
    both32(&mut v, (rdev >> 32) as u32);
    both32(&mut v, rdev as u32);
    v
}

/// CL entry (RRIP 1.12 §4.1.5.1): the relocated child directory's extent.
pub fn cl(lba: u32) -> Vec<u8> {
    let mut v = header(b"CL", 12);
    both32(&mut v, lba);
    v
}

/// PL entry (RRIP 1.12 §4.1.5.2): the original parent directory's extent.
pub fn pl(lba: u32) -> Vec<u8> {
    let mut v = header(b"PL", 12);
    both32(&mut v, lba);
    v
}

/// RE entry (RRIP 1.12 §4.1.5.3): this directory record is a relocated directory.
pub fn re() -> Vec<u8> {
    header(b"RE", 4)
}

/// TF entry (RRIP 1.12 §4.1.6) with modify, access and attribute-change times (short form).
pub fn tf(mtime: Timestamp, atime: Timestamp, ctime: Timestamp) -> Vec<u8> {
    let mut v = header(b"TF", 5 + 21);
    v.push(0x02 | 0x04 | 0x08);
    for t in [mtime, atime, ctime] {
        v.extend_from_slice(&encode_date7(t));
    }
    v
}

/// NM entries (RRIP 1.12 §4.1.4) for `name`, split at 250 bytes with the CONTINUE flag.
pub fn nm(name: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let chunks: Vec<&[u8]> = if name.is_empty() {
        vec![&[][..]]
    } else {
        name.chunks(250).collect()
    };
    let n = chunks.len();
    for (i, c) in chunks.into_iter().enumerate() {
        let mut v = header(b"NM", 5 + c.len());
        v.push(if i + 1 < n { 0x01 } else { 0 });
        v.extend_from_slice(c);
        out.push(v);
    }
    out
}

/// SL entries (RRIP 1.12 §4.1.3) for the symbolic link `target`, split over entries of at
/// most 255 bytes with the CONTINUE flags.
pub fn sl(target: &[u8]) -> Vec<Vec<u8>> {
    // Component records: (flags, content).
    let mut comps: Vec<(u8, &[u8])> = Vec::new();
    let mut rest = target;
    if rest.first() == Some(&b'/') {
        comps.push((0x08, &[][..]));
        while rest.first() == Some(&b'/') {
            rest = &rest[1..];
        }
    }
    for part in rest.split(|&c| c == b'/') {
        match part {
            b"" => continue,
            b"." => comps.push((0x02, &[][..])),
            b".." => comps.push((0x04, &[][..])),
            p => {
                let pieces: Vec<&[u8]> = p.chunks(244).collect();
                let n = pieces.len();
                for (i, c) in pieces.into_iter().enumerate() {
                    comps.push((if i + 1 < n { 0x01 } else { 0 }, c));
                }
            }
        }
    }
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut body: Vec<u8> = Vec::new();
    for (f, c) in comps {
        // Keep 2 bytes for the closing empty component (see below).
        if !body.is_empty() && 5 + body.len() + 2 + c.len() > 255 - 2 {
            // End the entry with an empty component flagged CONTINUE: Linux adds the '/'
            // after a complete component itself and none at an entry end after a continued
            // one; libarchive never adds one at an entry start. Both then agree.
            body.extend_from_slice(&[0x01, 0]);
            out.push(std::mem::take(&mut body));
        }
        body.push(f);
        body.push(c.len() as u8);
        body.extend_from_slice(c);
    }
    out.push(body);
    let n = out.len();
    out.into_iter()
        .enumerate()
        .map(|(i, b)| {
            let mut v = header(b"SL", 5 + b.len());
            v.push(if i + 1 < n { 0x01 } else { 0 });
            v.extend_from_slice(&b);
            v
        })
        .collect()
}

/// A decoded CE entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Continuation {
    /// Block of the continuation area.
    pub block: u32,
    /// Byte offset within the block.
    pub offset: u32,
    /// Length in bytes.
    pub len: u32,
}

/// Decodes a CE payload.
pub fn parse_ce(d: &[u8]) -> Result<Continuation, WireError> {
    if d.len() < 24 {
        return Err(WireError::Short {
            what: "CE entry",
            len: d.len(),
            need: 24,
        });
    }
    Ok(Continuation {
        block: get_u32_both(&d[0..]),
        offset: get_u32_both(&d[8..]),
        len: get_u32_both(&d[16..]),
    })
}

/// A decoded PX entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Px {
    /// POSIX file mode (type and permission bits).
    pub mode: u32,
    /// Link count.
    pub nlink: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// File serial number, when recorded (RRIP 1.12).
    pub ino: Option<u32>,
}

/// Decodes a PX payload (32 bytes in RRIP 1.10, 40 with the serial number in 1.12).
pub fn parse_px(d: &[u8]) -> Result<Px, WireError> {
    if d.len() < 32 {
        return Err(WireError::Short {
            what: "PX entry",
            len: d.len(),
            need: 32,
        });
    }
    Ok(Px {
        mode: get_u32_both(&d[0..]),
        nlink: get_u32_both(&d[8..]),
        uid: get_u32_both(&d[16..]),
        gid: get_u32_both(&d[24..]),
        ino: if d.len() >= 40 {
            Some(get_u32_both(&d[32..]))
        } else {
            None
        },
    })
}

/// Decodes a PN payload to a device number (glibc `dev_t` encoding).
pub fn parse_pn(d: &[u8]) -> Result<u64, WireError> {
    if d.len() < 16 {
        return Err(WireError::Short {
            what: "PN entry",
            len: d.len(),
            need: 16,
        });
    }
    let hi = u64::from(get_u32_both(&d[0..]));
    let lo = u64::from(get_u32_both(&d[8..]));
    // Two conventions exist: the high/low halves of a 64-bit dev_t (libisofs, libarchive,
    // ours: high is 0 for any usual device) and major/minor (genisoimage). Like Linux,
    // take a zero high half as a whole device number, otherwise as major/minor; the result
    // is in the glibc dev_t encoding.
    if hi == 0 {
        return Ok(lo);
    }
    Ok(((hi & 0xffff_f000) << 32) | ((hi & 0xfff) << 8) | ((lo & 0xffff_ff00) << 12) | (lo & 0xff))
}

/// Decodes a one-address payload (CL, PL).
pub fn parse_addr(what: &'static str, d: &[u8]) -> Result<u32, WireError> {
    if d.len() < 8 {
        return Err(WireError::Short {
            what,
            len: d.len(),
            need: 8,
        });
    }
    Ok(get_u32_both(d))
}

/// Decoded TF times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Times {
    /// Creation time.
    pub created: Option<Timestamp>,
    /// Modification time.
    pub modified: Option<Timestamp>,
    /// Access time.
    pub accessed: Option<Timestamp>,
    /// Attribute change time.
    pub changed: Option<Timestamp>,
}

/// Decodes a TF payload (short or long form).
pub fn parse_tf(d: &[u8]) -> Result<Times, WireError> {
    let Some((&flags, mut rest)) = d.split_first() else {
        return Err(WireError::Short {
            what: "TF entry",
            len: 0,
            need: 1,
        });
    };
    let long = flags & 0x80 != 0;
    let sz = if long { 17 } else { 7 };
    let mut t = Times::default();
    for bit in 0..7 {
        if flags & (1 << bit) == 0 {
            continue;
        }
        if rest.len() < sz {
            return Err(WireError::Short {
                what: "TF entry",
                len: d.len(),
                need: d.len() + sz,
            });
        }
        let v = if long {
            super::decode_date17(&rest[..sz])
        } else {
            super::decode_date7(&rest[..sz])
        };
        rest = &rest[sz..];
        match bit {
            0 => t.created = v,
            1 => t.modified = v,
            2 => t.accessed = v,
            3 => t.changed = v,
            _ => {}
        }
    }
    Ok(t)
}

/// Appends the components of an SL payload to `out` (a path being accumulated over several
/// SL entries); `cont` tracks whether the last component continues.
pub fn parse_sl(d: &[u8], out: &mut Vec<u8>, cont: &mut bool) -> Result<(), WireError> {
    let Some((_, mut rest)) = d.split_first() else {
        return Err(WireError::Short {
            what: "SL entry",
            len: 0,
            need: 1,
        });
    };
    while !rest.is_empty() {
        if rest.len() < 2 {
            return Err(WireError::Short {
                what: "SL component",
                len: rest.len(),
                need: 2,
            });
        }
        let (f, n) = (rest[0], usize::from(rest[1]));
        if 2 + n > rest.len() {
            return Err(WireError::Overrun {
                what: "SL component",
                field: n,
                avail: rest.len() - 2,
            });
        }
        let content = &rest[2..2 + n];
        rest = &rest[2 + n..];
        if !*cont && !out.is_empty() && out.last() != Some(&b'/') {
            out.push(b'/');
        }
        if f & 0x08 != 0 {
            out.clear();
            out.push(b'/');
        } else if f & 0x02 != 0 {
            out.push(b'.');
        } else if f & 0x04 != 0 {
            out.extend_from_slice(b"..");
        } else {
            out.extend_from_slice(content);
        }
        *cont = f & 0x01 != 0;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_entries() {
        assert_eq!(sp(), [b'S', b'P', 7, 1, 0xBE, 0xEF, 0]);
        assert_eq!(re(), [b'R', b'E', 4, 1]);
        assert_eq!(cl(5), [b'C', b'L', 12, 1, 5, 0, 0, 0, 0, 0, 0, 5]);
        let p = px(0o100644, 1, 0, 0, 7);
        assert_eq!(p.len(), 44);
        assert_eq!(&p[4..12], &[0xA4, 0x81, 0, 0, 0, 0, 0x81, 0xA4]);
        let d = parse_px(&p[4..]).unwrap();
        assert_eq!((d.mode, d.ino), (0o100644, Some(7)));
        assert_eq!(
            nm(b"abc"),
            vec![vec![b'N', b'M', 8, 1, 0, b'a', b'b', b'c']]
        );
        let e = er_rrip();
        assert_eq!(e.len(), 8 + 10 + 84 + 135);
    }

    #[test]
    fn symlink_round_trip() {
        for t in ["/usr/lib/x", "../a/./b", "rel", "a//b/"] {
            let mut out = Vec::new();
            let mut cont = false;
            for e in sl(t.as_bytes()) {
                parse_sl(&e[4..], &mut out, &mut cont).unwrap();
            }
            let want = t.replace("//", "/");
            assert_eq!(String::from_utf8(out).unwrap(), want.trim_end_matches('/'));
        }
        let long = "x".repeat(600);
        let es = sl(long.as_bytes());
        assert!(es.iter().all(|e| e.len() <= 255));
        let mut out = Vec::new();
        let mut cont = false;
        for e in &es {
            parse_sl(&e[4..], &mut out, &mut cont).unwrap();
        }
        assert_eq!(out, long.as_bytes());
    }

    #[test]
    fn entry_iteration_is_bounded() {
        let mut a = sp();
        a.extend_from_slice(&[b'P', b'X', 200, 1]);
        let v: Vec<_> = entries(&a, 0).collect();
        assert!(v[0].is_ok());
        assert!(v[1].is_err());
        assert_eq!(v.len(), 2);
    }
}
