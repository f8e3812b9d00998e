//! Path table records: ECMA-119 §9.4 (type L little-endian, type M big-endian).

use super::WireError;

/// Appends one path table record: identifier `name`, directory extent `extent`, parent
/// directory number `parent` (1-based), in little-endian (type L) or big-endian (type M).
pub fn write_record(out: &mut Vec<u8>, name: &[u8], extent: u32, parent: u16, big_endian: bool) {
    out.push(name.len() as u8);
    out.push(0);
    if big_endian {
        out.extend_from_slice(&extent.to_be_bytes());
        out.extend_from_slice(&parent.to_be_bytes());
    } else {
        out.extend_from_slice(&extent.to_le_bytes());
        out.extend_from_slice(&parent.to_le_bytes());
    }
    out.extend_from_slice(name);
    if name.len() % 2 == 1 {
        out.push(0);
    }
}

/// Size of a path table record with an `n`-byte identifier.
pub fn record_len(n: usize) -> usize {
    8 + n + (n & 1)
}

/// One decoded path table record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRecord {
    /// Directory identifier.
    pub name: Vec<u8>,
    /// Extent of the directory.
    pub extent: u32,
    /// Parent directory number (1-based).
    pub parent: u16,
}

/// Parses a type L path table.
pub fn parse_l(mut b: &[u8]) -> Result<Vec<PathRecord>, WireError> {
    let mut out = Vec::new();
    while b.len() >= 8 {
        let n = usize::from(b[0]);
        if n == 0 {
            break;
        }
        let len = record_len(n);
        if len > b.len() {
            return Err(WireError::Overrun {
                what: "path table record",
                field: len,
                avail: b.len(),
            });
        }
        out.push(PathRecord {
            name: b[8..8 + n].to_vec(),
            extent: u32::from_le_bytes([b[2], b[3], b[4], b[5]]),
            parent: u16::from_le_bytes([b[6], b[7]]),
        });
        b = &b[len..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l_and_m() {
        let mut l = Vec::new();
        write_record(&mut l, &[0], 20, 1, false);
        write_record(&mut l, b"AB", 21, 1, false);
        assert_eq!(
            l,
            [1, 0, 20, 0, 0, 0, 1, 0, 0, 0, 2, 0, 21, 0, 0, 0, 1, 0, b'A', b'B']
        );
        let mut m = Vec::new();
        write_record(&mut m, b"ABC", 21, 1, true);
        assert_eq!(m, [3, 0, 0, 0, 0, 21, 0, 1, b'A', b'B', b'C', 0]);
        let p = parse_l(&l).unwrap();
        assert_eq!(
            p[1],
            PathRecord {
                name: b"AB".to_vec(),
                extent: 21,
                parent: 1
            }
        );
    }
}
