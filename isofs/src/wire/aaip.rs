//! AAIP 2.0 (libburnia's Arbitrary Attribute Interchange Protocol, `doc/susp_aaip_2_0.txt`
//! of libisofs): the SUSP `AL` entry, laid out like RRIP 1.12 §4.1.3 `SL`, carrying
//! name/value pairs; and the two attributes of the `isofs.` namespace that hold MD5
//! checksums (`doc/susp_aaip_isofs_names.txt`): `isofs.ca` on the root (the checksummed
//! range and where the checksum array lies) and `isofs.cx` on each file (its index in that
//! array).
//!
//! libisofs writes AL entries without an AAIP `ER` entry (its SUSP 1.10 compatible form),
//! and reads them so; so do we.

use super::WireError;

/// The one-byte short form of the `isofs.` namespace at the start of a name (AAIP 2.0,
/// "Namespaces").
const NS_ISOFS: u8 = 0x04;

/// Name of the root's checksum-array attribute.
pub const CA: &[u8] = b"isofs.ca";
/// Name of a file's checksum-index attribute.
pub const CX: &[u8] = b"isofs.cx";

/// Bytes of component content in one component record.
const MAX_CP: usize = 255;
/// Bytes of component area in one AL entry (255 less the 5-byte head).
const MAX_AREA: usize = 250;

fn short_name(name: &[u8]) -> Vec<u8> {
    match name.strip_prefix(b"isofs.") {
        Some(rest) => {
            let mut v = vec![NS_ISOFS];
            v.extend_from_slice(rest);
            v
        }
        None => name.to_vec(),
    }
}

fn long_name(name: &[u8]) -> Vec<u8> {
    let ns: &[u8] = match name.first() {
        Some(0x01) => return name[1..].to_vec(),
        Some(0x02) => b"system.",
        Some(0x03) => b"user.",
        Some(0x04) => b"isofs.",
        Some(0x05) => b"trusted.",
        Some(0x06) => b"security.",
        _ => return name.to_vec(),
    };
    let mut v = ns.to_vec();
    v.extend_from_slice(&name[1..]);
    v
}

/// AL entries holding `pairs` (name, value), names of the `isofs.` namespace in their
/// short form as libisofs writes them. Every entry but the last has CONTINUE set.
pub fn al(pairs: &[(&[u8], &[u8])]) -> Vec<Vec<u8>> {
    // The component records, in order.
    let mut recs: Vec<u8> = Vec::new();
    for (name, value) in pairs {
        for comp in [short_name(name), value.to_vec()] {
            let chunks: Vec<&[u8]> = if comp.is_empty() {
                vec![&[][..]]
            } else {
                comp.chunks(MAX_CP).collect()
            };
            let n = chunks.len();
            for (i, c) in chunks.into_iter().enumerate() {
                recs.push(u8::from(i + 1 < n));
                recs.push(c.len() as u8);
                recs.extend_from_slice(c);
            }
        }
    }
    // Cut the record stream into entries of at most 250 bytes of area; a record may go on
    // in the next entry (AAIP 2.0 allows it, as its example shows).
    let pieces: Vec<&[u8]> = recs.chunks(MAX_AREA).collect();
    let n = pieces.len();
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let mut v = Vec::with_capacity(5 + p.len());
            v.extend_from_slice(b"AL");
            v.push((5 + p.len()) as u8);
            v.push(1);
            v.push(u8::from(i + 1 < n));
            v.extend_from_slice(p);
            v
        })
        .collect()
}

/// One attribute: (name, value).
pub type Attr = (Vec<u8>, Vec<u8>);

/// Gathers the AL entries of one record (in the order met, continuation areas included)
/// and decodes the attribute list they form.
#[derive(Debug, Default, Clone)]
pub struct AlCollector {
    area: Vec<u8>,
    /// An AL entry without CONTINUE was met: the list is complete.
    pub complete: bool,
}

impl AlCollector {
    /// Adds the payload of one AL entry (the bytes after the 4-byte SUSP head).
    pub fn push(&mut self, data: &[u8]) -> Result<(), WireError> {
        let Some((&flags, area)) = data.split_first() else {
            return Err(WireError::Short {
                what: "AL entry",
                len: 0,
                need: 1,
            });
        };
        if self.complete {
            // A second list in one record: libisofs writes one; keep the first.
            return Ok(());
        }
        self.area.extend_from_slice(area);
        if flags & 1 == 0 {
            self.complete = true;
        }
        Ok(())
    }

    /// Whether any AL entry was met.
    pub fn is_empty(&self) -> bool {
        self.area.is_empty() && !self.complete
    }

    /// The (name, value) pairs, names in their long form (`isofs.cx`).
    pub fn pairs(&self) -> Result<Vec<Attr>, WireError> {
        let mut comps: Vec<Vec<u8>> = Vec::new();
        let mut cur: Vec<u8> = Vec::new();
        let mut rest = &self.area[..];
        while !rest.is_empty() {
            if rest.len() < 2 {
                return Err(WireError::Short {
                    what: "AL component record",
                    len: rest.len(),
                    need: 2,
                });
            }
            let (f, n) = (rest[0], usize::from(rest[1]));
            if 2 + n > rest.len() {
                return Err(WireError::Overrun {
                    what: "AL component record",
                    field: n,
                    avail: rest.len() - 2,
                });
            }
            cur.extend_from_slice(&rest[2..2 + n]);
            rest = &rest[2 + n..];
            if f & 1 == 0 {
                comps.push(std::mem::take(&mut cur));
            }
        }
        if !cur.is_empty() || !comps.len().is_multiple_of(2) {
            return Err(WireError::Invalid {
                what: "AL entries",
                detail: "an attribute list with an odd number of components".into(),
            });
        }
        let mut out = Vec::with_capacity(comps.len() / 2);
        let mut it = comps.into_iter();
        while let (Some(n), Some(v)) = (it.next(), it.next()) {
            out.push((long_name(&n), v));
        }
        Ok(out)
    }

    /// The value of attribute `name` (long form), if the list holds it.
    pub fn get(&self, name: &[u8]) -> Result<Option<Vec<u8>>, WireError> {
        Ok(self
            .pairs()?
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v))
    }
}

/// A number as AAIP's `isofs.` attributes record it: most significant byte first.
fn be_bytes(v: u32, width: usize) -> Vec<u8> {
    v.to_be_bytes()[4 - width..].to_vec()
}

fn be_value(what: &'static str, b: &[u8]) -> Result<u64, WireError> {
    if b.len() > 8 {
        return Err(WireError::Invalid {
            what,
            detail: format!("a number of {} bytes", b.len()),
        });
    }
    Ok(b.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x)))
}

/// The value of `isofs.cx`: index `i` as four bytes (libisofs's width; the layout relies
/// on a fixed length).
pub fn cx_value(i: u32) -> Vec<u8> {
    be_bytes(i, 4)
}

/// Decodes an `isofs.cx` value.
pub fn parse_cx(v: &[u8]) -> Result<u32, WireError> {
    let x = be_value("isofs.cx", v)?;
    u32::try_from(x).map_err(|_| WireError::Invalid {
        what: "isofs.cx",
        detail: format!("index {x} beyond 32 bits"),
    })
}

/// The root's `isofs.ca`: the checksummed range and the checksum array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecksumArray {
    /// First block of the checksummed range (the session start).
    pub start: u32,
    /// First block after the range: where the checksum array begins.
    pub end: u32,
    /// Entries in the array: files + 2 (the session's MD5 first, the array's own last).
    pub count: u32,
    /// Bytes per entry (16 for MD5).
    pub size: u32,
    /// Algorithm name ("MD5").
    pub kind: String,
}

impl ChecksumArray {
    /// The value bytes (every number four bytes wide, as libisofs writes them).
    pub fn value(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(24);
        for (x, w) in [
            (self.start, 4),
            (self.end, 4),
            (self.count, 4),
            (self.size, 1),
        ] {
            v.push(w as u8);
            v.extend_from_slice(&be_bytes(x, w));
        }
        v.extend_from_slice(self.kind.as_bytes());
        v
    }

    /// Decodes an `isofs.ca` value.
    pub fn parse(v: &[u8]) -> Result<Self, WireError> {
        let mut rest = v;
        let mut nums = [0u32; 4];
        for n in &mut nums {
            let Some((&len, r)) = rest.split_first() else {
                return Err(WireError::Short {
                    what: "isofs.ca",
                    len: v.len(),
                    need: v.len() + 1,
                });
            };
            let len = usize::from(len);
            if r.len() < len {
                return Err(WireError::Overrun {
                    what: "isofs.ca",
                    field: len,
                    avail: r.len(),
                });
            }
            let x = be_value("isofs.ca", &r[..len])?;
            *n = u32::try_from(x).map_err(|_| WireError::Invalid {
                what: "isofs.ca",
                detail: format!("number {x} beyond 32 bits"),
            })?;
            rest = &r[len..];
        }
        let ca = ChecksumArray {
            start: nums[0],
            end: nums[1],
            count: nums[2],
            size: nums[3],
            kind: String::from_utf8_lossy(rest).into_owned(),
        };
        if ca.end < ca.start || ca.count < 2 {
            return Err(WireError::Invalid {
                what: "isofs.ca",
                detail: format!("range {}..{} with {} entries", ca.start, ca.end, ca.count),
            });
        }
        Ok(ca)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cx_entry_is_libisofs_bytes() {
        // As xorriso 1.5.4 writes isofs.cx = 1 (seen in an image of `-md5 on`).
        let e = al(&[(CX, &cx_value(1))]);
        assert_eq!(
            e,
            [vec![
                b'A', b'L', 16, 1, 0, 0, 3, 4, b'c', b'x', 0, 4, 0, 0, 0, 1
            ]]
        );
        let mut c = AlCollector::default();
        c.push(&e[0][4..]).unwrap();
        assert_eq!(parse_cx(&c.get(CX).unwrap().unwrap()).unwrap(), 1);
    }

    #[test]
    fn ca_value_round_trip_and_libisofs_example() {
        let ca = ChecksumArray {
            start: 32,
            end: 62,
            count: 5,
            size: 16,
            kind: "MD5".into(),
        };
        let v = ca.value();
        assert_eq!(
            v,
            [4, 0, 0, 0, 32, 4, 0, 0, 0, 62, 4, 0, 0, 0, 5, 1, 16, b'M', b'D', b'5']
        );
        assert_eq!(ChecksumArray::parse(&v).unwrap(), ca);
        // The short form of susp_aaip_isofs_names.txt's example.
        let ex = [1, 32, 3, 15, 66, 64, 2, 2, 8, 1, 16, b'M', b'D', b'5'];
        let p = ChecksumArray::parse(&ex).unwrap();
        assert_eq!((p.start, p.end, p.count, p.size), (32, 1_000_000, 520, 16));
        assert!(ChecksumArray::parse(&[4, 0]).is_err());
    }

    #[test]
    fn long_values_continue_over_entries() {
        let big = vec![7u8; 600];
        let e = al(&[(b"user.x", &big), (CX, &cx_value(9))]);
        assert!(e.len() >= 3 && e.iter().all(|x| x.len() <= 255));
        let mut c = AlCollector::default();
        for x in &e {
            c.push(&x[4..]).unwrap();
        }
        assert!(c.complete);
        let p = c.pairs().unwrap();
        assert_eq!(p[0], (b"user.x".to_vec(), big));
        assert_eq!(parse_cx(&p[1].1).unwrap(), 9);
    }
}
