//! Parsers for the text output of the independent peers run in the guest, so tests can
//! compare discburn's answers with theirs: `wodim -scanbus` (cdrecord's format, see
//! cdrtools `cdrecord/scsi_scan.c`) and `sg_inq` (sg3-utils, standard INQUIRY decoded).

/// One device line of `cdrecord -scanbus` / `wodim -scanbus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanbusLine {
    /// `b,t,l` as printed.
    pub btl: String,
    /// Vendor identification, exactly as quoted (8 characters, space padded).
    pub vendor: String,
    /// Product identification, exactly as quoted (16 characters).
    pub product: String,
    /// Product revision level, exactly as quoted (4 characters).
    pub revision: String,
    /// What follows the quoted strings, e.g. `Removable CD-ROM` or `Disk`.
    pub type_words: String,
}

/// The device lines of `-scanbus` output (`\tB,T,L\t  N) 'vendor' 'product' 'rev' words`);
/// empty slots (`N) *`) and other lines are left out.
pub fn parse_scanbus(text: &str) -> Vec<ScanbusLine> {
    let mut lines = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        let Some((btl, rest)) = t.split_once(char::is_whitespace) else {
            continue;
        };
        if btl.split(',').count() != 3 || !btl.split(',').all(|p| p.parse::<u32>().is_ok()) {
            continue;
        }
        let Some((_, after_num)) = rest.split_once(')') else {
            continue;
        };
        let mut quoted = Vec::new();
        let mut s = after_num.trim_start();
        while let Some(r) = s.strip_prefix('\'') {
            let Some(end) = r.find('\'') else {
                break;
            };
            quoted.push(r[..end].to_string());
            s = r[end + 1..].trim_start();
        }
        if let [vendor, product, revision] = quoted.as_slice() {
            lines.push(ScanbusLine {
                btl: btl.to_string(),
                vendor: vendor.clone(),
                product: product.clone(),
                revision: revision.clone(),
                type_words: s.trim_end().to_string(),
            });
        }
    }
    lines
}

/// What `sg_inq DEVICE` reports of the standard INQUIRY data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SgInq {
    /// Peripheral device type (`PDT=`).
    pub pdt: Option<u8>,
    /// Removable medium bit (`RMB=`).
    pub rmb: Option<bool>,
    /// `Vendor identification:`, trailing spaces trimmed.
    pub vendor: String,
    /// `Product identification:`, trailing spaces trimmed.
    pub product: String,
    /// `Product revision level:`, trailing spaces trimmed.
    pub revision: String,
    /// `Unit serial number:`, trimmed, when sg_inq printed it.
    pub serial: Option<String>,
}

/// Parses `sg_inq` output (sg3-utils 1.4x text format).
pub fn parse_sg_inq(text: &str) -> SgInq {
    let mut r = SgInq::default();
    for line in text.lines() {
        for word in line.split_whitespace() {
            if let Some(v) = word.strip_prefix("PDT=") {
                r.pdt = v.parse().ok();
            } else if let Some(v) = word.strip_prefix("RMB=") {
                r.rmb = v.parse::<u8>().ok().map(|b| b != 0);
            }
        }
        let l = line.trim_start();
        let field = |prefix: &str| l.strip_prefix(prefix).map(|v| v.trim().to_string());
        if let Some(v) = field("Vendor identification:") {
            r.vendor = v;
        } else if let Some(v) = field("Product identification:") {
            r.product = v;
        } else if let Some(v) = field("Product revision level:") {
            r.revision = v;
        } else if let Some(v) = field("Unit serial number:") {
            r.serial = Some(v);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captured in the guest: wodim 1.1.11 with QEMU scsi-cd, scsi-hd and tgt's LUN.
    const WODIM_SCANBUS: &str = "scsibus0:\n\
        \t0,0,0\t  0) 'QEMU    ' 'QEMU CD-ROM     ' '2.5+' Removable CD-ROM\n\
        \t0,1,0\t  1) 'QEMU    ' 'QEMU HARDDISK   ' '2.5+' Disk\n\
        \t0,2,0\t  2) 'IET     ' 'VIRTUAL-CDROM   ' '0001' Removable CD-ROM\n\
        \t0,3,0\t  3) *\n";

    #[test]
    fn scanbus_lines_are_parsed_and_empty_slots_skipped() {
        let l = parse_scanbus(WODIM_SCANBUS);
        assert_eq!(l.len(), 3);
        assert_eq!(
            l[0],
            ScanbusLine {
                btl: "0,0,0".into(),
                vendor: "QEMU    ".into(),
                product: "QEMU CD-ROM     ".into(),
                revision: "2.5+".into(),
                type_words: "Removable CD-ROM".into(),
            }
        );
        assert_eq!(l[1].type_words, "Disk");
        assert_eq!(l[2].vendor, "IET     ");
    }

    #[test]
    fn sg_inq_fields_are_parsed() {
        let text = "standard INQUIRY:\n\
            \x20 PQual=0  PDT=5  RMB=1  LU_CONG=0  hot_pluggable=0  version=0x05  [SPC-3]\n\
            \x20   length=66 (0x42)   Peripheral device type: cd/dvd\n\
            \x20Vendor identification: IET     \n\
            \x20Product identification: VIRTUAL-CDROM   \n\
            \x20Product revision level: 0001\n\
            \x20Unit serial number:                               beaf11\n";
        let r = parse_sg_inq(text);
        assert_eq!(r.pdt, Some(5));
        assert_eq!(r.rmb, Some(true));
        assert_eq!(r.vendor, "IET");
        assert_eq!(r.product, "VIRTUAL-CDROM");
        assert_eq!(r.revision, "0001");
        assert_eq!(r.serial.as_deref(), Some("beaf11"));
    }
}
