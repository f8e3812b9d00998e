//! GET CONFIGURATION (MMC-6 §6.6): feature header (table 85) and feature descriptors
//! (generic descriptor table 87). Decoding of each feature is in [`crate::feature`].

use transport::Cdb;

use super::{be, op};
use crate::error::ParseError;
use crate::profile::Profile;

/// Feature header length.
pub const HEADER_LEN: usize = 8;
/// Generic feature descriptor header length.
pub const DESCRIPTOR_HEADER_LEN: usize = 4;
const DATA_LEN: usize = 0;
const CURRENT_PROFILE: usize = 6;

/// Which features to return (RT field, byte 1 bits 1..0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rt {
    /// 00b: all features from the starting one on.
    All,
    /// 01b: current features from the starting one on.
    Current,
    /// 10b: only the starting feature.
    One,
}

/// The GET CONFIGURATION CDB.
pub fn cdb(rt: Rt, start_feature: u16, alloc: u16) -> Cdb {
    let mut c = [0u8; 10];
    c[0] = op::GET_CONFIGURATION;
    c[1] = match rt {
        Rt::All => 0,
        Rt::Current => 1,
        Rt::One => 2,
    };
    be::put16(&mut c, 2, start_feature);
    be::put16(&mut c, 7, alloc);
    Cdb::ten(c)
}

/// Total answer length the header announces (data length + 4), saturating.
pub fn announced_len(b: &[u8]) -> usize {
    (be::u32_at(b, DATA_LEN) as usize).saturating_add(4)
}

/// One feature descriptor, not yet decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawFeature<'a> {
    /// Feature code.
    pub code: u16,
    /// Version (4 bits).
    pub version: u8,
    /// Persistent bit.
    pub persistent: bool,
    /// Current bit.
    pub current: bool,
    /// Feature-dependent data (the additional length's bytes).
    pub data: &'a [u8],
}

/// A GET CONFIGURATION answer.
#[derive(Debug, Clone, Copy)]
pub struct ConfigurationView<'a> {
    b: &'a [u8],
}

impl<'a> ConfigurationView<'a> {
    /// Checks the 8-byte feature header; descriptors are bounded by the data length and
    /// the bytes received.
    pub fn new_checked(b: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("feature header", b, HEADER_LEN)?;
        let end = announced_len(b).clamp(HEADER_LEN, b.len());
        Ok(ConfigurationView { b: &b[..end] })
    }
    /// Current profile.
    pub fn current_profile(&self) -> Profile {
        Profile::from_code(be::u16_at(self.b, CURRENT_PROFILE))
    }
    /// Feature descriptors in order; a truncated last descriptor is dropped.
    pub fn features(&self) -> Features<'a> {
        Features {
            b: self.b,
            off: HEADER_LEN,
        }
    }
    /// True when the last descriptor is cut off (the answer was clipped by the allocation
    /// length or by the device).
    pub fn truncated(&self) -> bool {
        let mut it = self.features();
        while it.next().is_some() {}
        it.off < self.b.len()
    }
}

/// Iterator over feature descriptors.
#[derive(Debug, Clone)]
pub struct Features<'a> {
    b: &'a [u8],
    off: usize,
}

impl<'a> Iterator for Features<'a> {
    type Item = RawFeature<'a>;
    fn next(&mut self) -> Option<RawFeature<'a>> {
        let o = self.off;
        if o + DESCRIPTOR_HEADER_LEN > self.b.len() {
            return None;
        }
        let len = usize::from(be::u8_at(self.b, o + 3));
        let end = o + DESCRIPTOR_HEADER_LEN + len;
        if end > self.b.len() {
            return None;
        }
        self.off = end;
        Some(RawFeature {
            code: be::u16_at(self.b, o),
            version: be::bits(self.b, o + 2, 2, 4),
            persistent: be::bit(self.b, o + 2, 1),
            current: be::bit(self.b, o + 2, 0),
            data: &self.b[o + DESCRIPTOR_HEADER_LEN..end],
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// QEMU scsi-disk.c scsi_get_configuration with a CD image: 40 bytes, current profile
    /// CD-ROM; profile list (DVD-ROM, CD-ROM current), core (SCSI, DBE), removable medium.
    pub const QEMU_CD: [u8; 40] = [
        0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x08, // header: 36, profile 0008h
        0x00, 0x00, 0x03, 0x08, 0x00, 0x10, 0x00, 0x00, 0x00, 0x08, 0x01, 0x00, // profiles
        0x00, 0x01, 0x0B, 0x08, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, // core
        0x00, 0x03, 0x0B, 0x04, 0x39, 0x00, 0x00, 0x00, // removable medium
    ];

    #[test]
    fn cdb_bytes() {
        assert_eq!(
            cdb(Rt::All, 0, 8).as_bytes(),
            &[0x46, 0, 0, 0, 0, 0, 0, 0, 8, 0]
        );
        assert_eq!(cdb(Rt::One, 0x2B, 16).as_bytes()[..4], [0x46, 2, 0, 0x2B]);
    }

    #[test]
    fn qemu_cd() {
        let v = ConfigurationView::new_checked(&QEMU_CD).unwrap();
        assert_eq!(v.current_profile(), Profile::CdRom);
        let f: Vec<_> = v.features().collect();
        assert_eq!(f.len(), 3);
        assert_eq!(
            (f[0].code, f[0].current, f[0].persistent, f[0].data.len()),
            (0, true, true, 8)
        );
        assert_eq!((f[1].code, f[1].version), (1, 2));
        assert_eq!(f[2].data, &[0x39, 0, 0, 0]);
        assert!(!v.truncated());
    }

    #[test]
    fn truncated_answer() {
        let v = ConfigurationView::new_checked(&QEMU_CD[..30]).unwrap();
        assert_eq!(v.features().count(), 1);
        assert!(v.truncated());
        assert!(ConfigurationView::new_checked(&QEMU_CD[..7]).is_err());
        // A header claiming 4 GiB is clipped to what arrived.
        let mut b = QEMU_CD;
        b[0] = 0xFF;
        assert_eq!(
            ConfigurationView::new_checked(&b)
                .unwrap()
                .features()
                .count(),
            3
        );
    }
}
