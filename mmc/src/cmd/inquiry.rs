//! INQUIRY (SPC-4 §6.6, MMC-6 §6.9) with VPD pages: a thin layer over
//! [`transport::spc`], which owns the standard data and VPD views; this module adds the
//! MMC-facing conversions.

pub use transport::spc::{
    device_identification, inquiry_cdb as cdb, supported_pages, unit_serial_number, DeviceType,
    InquiryData, VpdPage, STANDARD_INQUIRY_LEN, VPD_DEVICE_IDENTIFICATION, VPD_SUPPORTED_PAGES,
    VPD_UNIT_SERIAL_NUMBER,
};

use crate::error::ParseError;

/// Checks standard INQUIRY data, mapping the transport's error to this crate's.
pub fn standard(b: &[u8]) -> Result<InquiryData<'_>, ParseError> {
    InquiryData::new_checked(b).map_err(|e| ParseError::BadField {
        what: "INQUIRY data",
        field: "ADDITIONAL LENGTH",
        detail: e.to_string(),
    })
}

/// Checks a VPD page answer for page `wanted`.
pub fn vpd(b: &[u8], wanted: u8) -> Result<VpdPage<'_>, ParseError> {
    VpdPage::new_checked(b, wanted).map_err(|e| ParseError::BadField {
        what: "VPD page",
        field: "PAGE CODE",
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qemu_cd_inquiry() {
        // QEMU scsi-disk.c scsi_disk_emulate_inquiry for scsi-cd: PDT 05h, RMB, SPC-3
        // (version 5), format 2 + HiSup, vendor "QEMU", product "QEMU CD-ROM", rev "2.5+".
        let mut b = vec![0u8; 36];
        b[0] = 0x05;
        b[1] = 0x80;
        b[2] = 0x05;
        b[3] = 0x12;
        b[4] = 31;
        b[7] = 0x10;
        b[8..16].copy_from_slice(b"QEMU    ");
        b[16..32].copy_from_slice(b"QEMU CD-ROM     ");
        b[32..36].copy_from_slice(b"2.5+");
        let v = standard(&b).unwrap();
        assert_eq!(v.device_type(), DeviceType::from_code(5));
        assert!(v.removable());
        assert_eq!(
            (v.vendor(), v.product(), v.revision()),
            ("QEMU".into(), "QEMU CD-ROM".into(), "2.5+".into())
        );
        assert!(standard(&b[..4]).is_err());
        assert_eq!(cdb(None, 36).as_bytes(), &[0x12, 0, 0, 0, 36, 0]);
    }

    #[test]
    fn serial_vpd() {
        let b = [0x05, 0x80, 0x00, 0x04, b'A', b'B', b'1', b' '];
        let p = vpd(&b, VPD_UNIT_SERIAL_NUMBER).unwrap();
        assert_eq!(unit_serial_number(&p), "AB1");
        assert!(vpd(&b, VPD_DEVICE_IDENTIFICATION).is_err());
    }
}
