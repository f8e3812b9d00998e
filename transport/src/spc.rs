//! SPC-4 commands every SCSI device answers: INQUIRY (§6.6) with the unit serial number
//! (§7.8.15) and device identification (§7.8.6) VPD pages, TEST UNIT READY (§6.47).
//!
//! CDB builders return [`Cdb`]; response views are checked wrappers over the device's bytes
//! (`new_checked` validates the header, and no accessor panics whatever the bytes say).

use std::fmt;

use crate::{Cdb, Completion, Request, Transport, TransportError};

/// INQUIRY operation code (SPC-4 §6.6).
pub const INQUIRY: u8 = 0x12;
/// TEST UNIT READY operation code (SPC-4 §6.47).
pub const TEST_UNIT_READY: u8 = 0x00;

/// VPD page 00h: supported VPD pages (SPC-4 §7.8.16).
pub const VPD_SUPPORTED_PAGES: u8 = 0x00;
/// VPD page 80h: unit serial number (SPC-4 §7.8.15).
pub const VPD_UNIT_SERIAL_NUMBER: u8 = 0x80;
/// VPD page 83h: device identification (SPC-4 §7.8.6).
pub const VPD_DEVICE_IDENTIFICATION: u8 = 0x83;

/// Allocation length for a standard INQUIRY: 36 bytes is what every device must answer and
/// what SPC-4 §6.6.1 recommends for the first command to a logical unit.
pub const STANDARD_INQUIRY_LEN: u16 = 36;

/// INQUIRY CDB (SPC-4 §6.6.1 table 141) for standard data (`vpd_page` = `None`) or a VPD page.
pub fn inquiry_cdb(vpd_page: Option<u8>, allocation_length: u16) -> Cdb {
    let (evpd, page) = match vpd_page {
        Some(p) => (0x01, p),
        None => (0x00, 0x00),
    };
    let len = allocation_length.to_be_bytes();
    Cdb::six([INQUIRY, evpd, page, len[0], len[1], 0])
}

/// TEST UNIT READY CDB (SPC-4 §6.47).
pub fn test_unit_ready_cdb() -> Cdb {
    Cdb::six([TEST_UNIT_READY, 0, 0, 0, 0, 0])
}

/// Why [`inquiry`] got no data.
#[derive(Debug, thiserror::Error)]
pub enum InquiryError {
    /// The command was not delivered.
    #[error("INQUIRY: {0}")]
    Transport(#[from] TransportError),
    /// The device answered with another status than GOOD (a VPD page it lacks gives
    /// CHECK CONDITION, ILLEGAL REQUEST, INVALID FIELD IN CDB).
    #[error("INQUIRY{}: {completion}", page.map(|p| format!(" VPD page {p:02X}h")).unwrap_or_default())]
    Device {
        /// The VPD page asked for, if any.
        page: Option<u8>,
        /// The device's answer.
        completion: Completion,
    },
}

/// Sends INQUIRY for standard data (`vpd_page` = `None`) or a VPD page and returns the bytes
/// the device transferred. Standard data is asked for with 36 bytes first (SPC-4 §6.6.1),
/// then again with the length the device says it has; a VPD page with 255 bytes, then again
/// with its PAGE LENGTH when longer.
///
/// ```
/// use transport::spc::{self, DeviceType, InquiryData};
///
/// let dir = tempfile::tempdir()?;
/// let opts = [("profile".to_string(), "cd-r".to_string())];
/// let mut drive = emu::open(&dir.path().join("demo.disc"), &opts)?; // any Transport
/// let bytes = spc::inquiry(&mut drive, None)?;
/// let data = InquiryData::new_checked(&bytes)?;
/// assert_eq!(data.device_type(), DeviceType::CdDvd); // peripheral device type 5
/// assert!(data.removable());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn inquiry<T: Transport + ?Sized>(
    t: &mut T,
    vpd_page: Option<u8>,
) -> Result<Vec<u8>, InquiryError> {
    let first = match vpd_page {
        None => STANDARD_INQUIRY_LEN,
        Some(_) => 255,
    };
    let data = inquiry_once(t, vpd_page, first)?;
    let want = match vpd_page {
        None => data.get(4).map(|&n| usize::from(n) + 5),
        Some(_) => VpdPage::full_length(&data),
    };
    match want {
        Some(w) if w > data.len() && data.len() == usize::from(first) => {
            let len = u16::try_from(w).unwrap_or(u16::MAX);
            inquiry_once(t, vpd_page, len)
        }
        _ => Ok(data),
    }
}

fn inquiry_once<T: Transport + ?Sized>(
    t: &mut T,
    vpd_page: Option<u8>,
    len: u16,
) -> Result<Vec<u8>, InquiryError> {
    let mut buf = vec![0u8; usize::from(len)];
    let c = t.execute(Request::read(inquiry_cdb(vpd_page, len), &mut buf))?;
    if !c.is_good() {
        return Err(InquiryError::Device {
            page: vpd_page,
            completion: c,
        });
    }
    let n = c.transferred(buf.len());
    buf.truncate(n);
    Ok(buf)
}

/// Why INQUIRY bytes were rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpcError {
    /// Fewer bytes than the header needs.
    #[error("INQUIRY data truncated: {len} bytes, need at least {need}")]
    Truncated {
        /// Bytes present.
        len: usize,
        /// Bytes the header needs.
        need: usize,
    },
    /// The VPD page header names another page than the one asked for.
    #[error("VPD page {got:02X}h returned when {wanted:02X}h was asked for")]
    WrongPage {
        /// Page asked for.
        wanted: u8,
        /// Page code in the answer.
        got: u8,
    },
}

/// Peripheral device type (SPC-4 §6.6.2 table 146).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceType {
    /// 00h direct access block device (disk).
    DirectAccess,
    /// 01h sequential access device (tape).
    SequentialAccess,
    /// 02h printer.
    Printer,
    /// 03h processor.
    Processor,
    /// 04h write-once device.
    WriteOnce,
    /// 05h CD/DVD device (MMC).
    CdDvd,
    /// 06h scanner (obsolete).
    Scanner,
    /// 07h optical memory device.
    OpticalMemory,
    /// 08h media changer.
    MediumChanger,
    /// 09h communications (obsolete).
    Communications,
    /// 0Ch storage array controller.
    StorageArray,
    /// 0Dh enclosure services.
    EnclosureServices,
    /// 0Eh simplified direct-access device.
    SimplifiedDirectAccess,
    /// 0Fh optical card reader/writer.
    OpticalCard,
    /// 10h bridge controller.
    BridgeController,
    /// 11h object-based storage.
    ObjectStorage,
    /// 12h automation/drive interface.
    AutomationDrive,
    /// 1Eh well known logical unit.
    WellKnownLun,
    /// 1Fh unknown or no device type.
    NoDevice,
    /// Any other (reserved or obsolete) code.
    Unknown(u8),
}

impl DeviceType {
    /// Decodes the 5-bit PERIPHERAL DEVICE TYPE field.
    pub fn from_code(code: u8) -> Self {
        match code & 0x1F {
            0x00 => DeviceType::DirectAccess,
            0x01 => DeviceType::SequentialAccess,
            0x02 => DeviceType::Printer,
            0x03 => DeviceType::Processor,
            0x04 => DeviceType::WriteOnce,
            0x05 => DeviceType::CdDvd,
            0x06 => DeviceType::Scanner,
            0x07 => DeviceType::OpticalMemory,
            0x08 => DeviceType::MediumChanger,
            0x09 => DeviceType::Communications,
            0x0C => DeviceType::StorageArray,
            0x0D => DeviceType::EnclosureServices,
            0x0E => DeviceType::SimplifiedDirectAccess,
            0x0F => DeviceType::OpticalCard,
            0x10 => DeviceType::BridgeController,
            0x11 => DeviceType::ObjectStorage,
            0x12 => DeviceType::AutomationDrive,
            0x1E => DeviceType::WellKnownLun,
            0x1F => DeviceType::NoDevice,
            n => DeviceType::Unknown(n),
        }
    }

    /// The 5-bit code.
    pub fn code(self) -> u8 {
        match self {
            DeviceType::DirectAccess => 0x00,
            DeviceType::SequentialAccess => 0x01,
            DeviceType::Printer => 0x02,
            DeviceType::Processor => 0x03,
            DeviceType::WriteOnce => 0x04,
            DeviceType::CdDvd => 0x05,
            DeviceType::Scanner => 0x06,
            DeviceType::OpticalMemory => 0x07,
            DeviceType::MediumChanger => 0x08,
            DeviceType::Communications => 0x09,
            DeviceType::StorageArray => 0x0C,
            DeviceType::EnclosureServices => 0x0D,
            DeviceType::SimplifiedDirectAccess => 0x0E,
            DeviceType::OpticalCard => 0x0F,
            DeviceType::BridgeController => 0x10,
            DeviceType::ObjectStorage => 0x11,
            DeviceType::AutomationDrive => 0x12,
            DeviceType::WellKnownLun => 0x1E,
            DeviceType::NoDevice => 0x1F,
            DeviceType::Unknown(n) => n,
        }
    }

    /// The word `cdrecord -scanbus` prints for this type ("CD-ROM", "Disk", ...).
    pub fn cdrecord_name(self) -> String {
        let s = match self {
            DeviceType::DirectAccess => "Disk",
            DeviceType::SequentialAccess => "Tape",
            DeviceType::Printer => "Printer",
            DeviceType::Processor => "Processor",
            DeviceType::WriteOnce => "WORM",
            DeviceType::CdDvd => "CD-ROM",
            DeviceType::Scanner => "Scanner",
            DeviceType::OpticalMemory => "Optical Storage",
            DeviceType::MediumChanger => "Juke Box",
            DeviceType::Communications => "Communication",
            DeviceType::Unknown(0x0A) => "IT8 1",
            DeviceType::Unknown(0x0B) => "IT8 2",
            DeviceType::StorageArray => "Storage array",
            DeviceType::EnclosureServices => "Enclosure services",
            DeviceType::SimplifiedDirectAccess => "Simple direct access",
            DeviceType::OpticalCard => "Optical card r/w",
            DeviceType::BridgeController => "Bridging expander",
            DeviceType::ObjectStorage => "Object based storage",
            DeviceType::AutomationDrive => "Automation/Drive Interface",
            DeviceType::WellKnownLun => "Well known lun",
            DeviceType::NoDevice => "unknown/no device",
            DeviceType::Unknown(n) => return format!("unknown device type 0x{n:x}"),
        };
        s.to_string()
    }
}

impl fmt::Display for DeviceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.cdrecord_name())
    }
}

/// Standard INQUIRY data (SPC-4 §6.6.2 table 142), checked.
#[derive(Debug, Clone, Copy)]
pub struct InquiryData<'a> {
    bytes: &'a [u8],
}

impl<'a> InquiryData<'a> {
    /// Byte 0: PERIPHERAL QUALIFIER (bits 7..5), PERIPHERAL DEVICE TYPE (bits 4..0).
    const PERIPHERAL: usize = 0;
    /// Byte 1: RMB (bit 7).
    const FLAGS1: usize = 1;
    /// Byte 2: VERSION.
    const VERSION: usize = 2;
    /// Byte 3: NORMACA, HISUP, RESPONSE DATA FORMAT (bits 3..0).
    const FLAGS3: usize = 3;
    /// Byte 4: ADDITIONAL LENGTH (n - 4).
    const ADDITIONAL_LENGTH: usize = 4;
    /// Byte 7: RELADR (obsolete), WBUS16/SYNC/LINKED (obsolete), CMDQUE, ...
    const FLAGS7: usize = 7;
    /// Bytes 8..16: T10 VENDOR IDENTIFICATION.
    const VENDOR: (usize, usize) = (8, 16);
    /// Bytes 16..32: PRODUCT IDENTIFICATION.
    const PRODUCT: (usize, usize) = (16, 32);
    /// Bytes 32..36: PRODUCT REVISION LEVEL.
    const REVISION: (usize, usize) = (32, 36);

    /// Wraps standard INQUIRY data; needs at least the 5-byte header. The view covers the
    /// bytes the device said are valid (ADDITIONAL LENGTH + 5) or the buffer, whichever is
    /// shorter; fields beyond it read as absent (spaces for the identification strings).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, SpcError> {
        if bytes.len() < 5 {
            return Err(SpcError::Truncated {
                len: bytes.len(),
                need: 5,
            });
        }
        let valid = (usize::from(bytes[Self::ADDITIONAL_LENGTH]) + 5).min(bytes.len());
        Ok(InquiryData {
            bytes: &bytes[..valid],
        })
    }

    /// The bytes this view covers.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    fn byte(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    /// PERIPHERAL QUALIFIER: 0 = device connected, 1 = capable but not connected,
    /// 3 = not capable of supporting a device at this LUN.
    pub fn peripheral_qualifier(&self) -> u8 {
        self.byte(Self::PERIPHERAL) >> 5
    }

    /// PERIPHERAL DEVICE TYPE.
    pub fn device_type(&self) -> DeviceType {
        DeviceType::from_code(self.byte(Self::PERIPHERAL))
    }

    /// RMB: the medium is removable.
    pub fn removable(&self) -> bool {
        self.byte(Self::FLAGS1) & 0x80 != 0
    }

    /// VERSION: the SPC standard claimed (03h SPC, 04h SPC-2, 05h SPC-3, 06h SPC-4, ...).
    pub fn version(&self) -> u8 {
        self.byte(Self::VERSION)
    }

    /// The standard [`Self::version`] names ("SPC-3"), or "none claimed" / "version NNh".
    pub fn version_name(&self) -> String {
        match self.version() {
            0x00 => "none claimed".into(),
            0x02 => "SCSI-2".into(),
            0x03 => "SPC".into(),
            0x04 => "SPC-2".into(),
            0x05 => "SPC-3".into(),
            0x06 => "SPC-4".into(),
            0x07 => "SPC-5".into(),
            v => format!("version {v:02X}h"),
        }
    }

    /// RESPONSE DATA FORMAT (2 for every device since SCSI-2).
    pub fn response_data_format(&self) -> u8 {
        self.byte(Self::FLAGS3) & 0x0F
    }

    /// ADDITIONAL LENGTH as the device reported it.
    pub fn additional_length(&self) -> u8 {
        self.byte(Self::ADDITIONAL_LENGTH)
    }

    fn field(&self, (start, end): (usize, usize)) -> &'a [u8] {
        let end = end.min(self.bytes.len());
        self.bytes.get(start..end).unwrap_or(&[])
    }

    /// T10 VENDOR IDENTIFICATION, trailing spaces removed.
    pub fn vendor(&self) -> String {
        trimmed_ascii(self.field(Self::VENDOR))
    }

    /// PRODUCT IDENTIFICATION, trailing spaces removed.
    pub fn product(&self) -> String {
        trimmed_ascii(self.field(Self::PRODUCT))
    }

    /// PRODUCT REVISION LEVEL, trailing spaces removed.
    pub fn revision(&self) -> String {
        trimmed_ascii(self.field(Self::REVISION))
    }

    /// The vendor field at its full width of 8, as cdrecord quotes it (`'QEMU    '`).
    pub fn vendor_padded(&self) -> String {
        padded_ascii(self.field(Self::VENDOR), 8)
    }

    /// The product field at its full width of 16.
    pub fn product_padded(&self) -> String {
        padded_ascii(self.field(Self::PRODUCT), 16)
    }

    /// The revision field at its full width of 4.
    pub fn revision_padded(&self) -> String {
        padded_ascii(self.field(Self::REVISION), 4)
    }

    /// The device type in the words `cdrecord -scanbus` uses: "Removable CD-ROM", "Disk",
    /// with the qualifier words it adds ("not present ", "unsupported") where they apply.
    pub fn type_words(&self) -> String {
        let mut s = String::new();
        if self.removable() {
            s.push_str("Removable ");
        }
        if self.response_data_format() >= 2 {
            match self.peripheral_qualifier() {
                0 => {}
                1 => s.push_str("not present "),
                2 => s.push_str("reserved "),
                3 if self.device_type() == DeviceType::NoDevice => {
                    s.push_str("unsupported");
                    return s;
                }
                3 => s.push_str("unsupported "),
                q => s.push_str(&format!("vendor specific {q} ")),
            }
        }
        s.push_str(&self.device_type().cdrecord_name());
        s
    }

    /// The byte 7 capability flags in cdrecord's words (`-inq` "Capabilities" line):
    /// RELADR, WBUS32, WBUS16, SYNC, LINKED, CMDQUEUE, SFTRE (bits 7..0, bit 2 unnamed).
    pub fn capability_words(&self) -> Vec<&'static str> {
        const NAMES: [(u8, &str); 7] = [
            (0x80, "RELADR"),
            (0x40, "WBUS32"),
            (0x20, "WBUS16"),
            (0x10, "SYNC"),
            (0x08, "LINKED"),
            (0x02, "CMDQUEUE"),
            (0x01, "SFTRE"),
        ];
        let b = self.byte(Self::FLAGS7);
        NAMES
            .iter()
            .filter(|(m, _)| b & m != 0)
            .map(|&(_, n)| n)
            .collect()
    }

    /// True when the device sent fewer than the 36 bytes of a SCSI-2 ("CCS") answer:
    /// cdrecord prints "NON CCS" for it.
    pub fn is_non_ccs(&self) -> bool {
        self.additional_length() < 31
    }
}

/// Printable ASCII of a fixed field, trailing spaces and NULs removed; other bytes as '.'.
fn trimmed_ascii(b: &[u8]) -> String {
    let s: String = b.iter().map(|&c| printable(c)).collect();
    s.trim_end_matches([' ', '\0']).to_string()
}

/// A fixed field at `width` characters (short answers padded with spaces); stops at a NUL,
/// as a C `%.Ns` does.
fn padded_ascii(b: &[u8], width: usize) -> String {
    let mut s: String = b
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| printable(c))
        .collect();
    if b.len() < width && !b.contains(&0) {
        s.extend(std::iter::repeat_n(' ', width - b.len()));
    }
    s
}

fn printable(c: u8) -> char {
    if (0x20..0x7F).contains(&c) {
        c as char
    } else if c == 0 {
        '\0'
    } else {
        '.'
    }
}

/// A VPD page (SPC-4 §7.8.1 table 486): 4-byte header and the page body, checked.
#[derive(Debug, Clone, Copy)]
pub struct VpdPage<'a> {
    page_code: u8,
    body: &'a [u8],
}

impl<'a> VpdPage<'a> {
    /// Byte 1: PAGE CODE.
    const PAGE_CODE: usize = 1;
    /// Bytes 2..4: PAGE LENGTH (n - 3).
    const PAGE_LENGTH: usize = 2;
    /// Header length.
    const HEADER: usize = 4;

    /// Wraps a VPD page answer and checks it is page `wanted`. The body is PAGE LENGTH
    /// bytes or what the buffer holds, whichever is shorter.
    pub fn new_checked(bytes: &'a [u8], wanted: u8) -> Result<Self, SpcError> {
        if bytes.len() < Self::HEADER {
            return Err(SpcError::Truncated {
                len: bytes.len(),
                need: Self::HEADER,
            });
        }
        let got = bytes[Self::PAGE_CODE];
        if got != wanted {
            return Err(SpcError::WrongPage { wanted, got });
        }
        let len = usize::from(u16::from_be_bytes([
            bytes[Self::PAGE_LENGTH],
            bytes[Self::PAGE_LENGTH + 1],
        ]));
        let end = (Self::HEADER + len).min(bytes.len());
        Ok(VpdPage {
            page_code: got,
            body: &bytes[Self::HEADER..end],
        })
    }

    /// PAGE CODE.
    pub fn page_code(&self) -> u8 {
        self.page_code
    }

    /// The page's bytes after the header.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// Total length to ask for to get the whole page, from the PAGE LENGTH in `bytes`
    /// (a header read with a short allocation length).
    pub fn full_length(header: &[u8]) -> Option<usize> {
        let hi = *header.get(Self::PAGE_LENGTH)?;
        let lo = *header.get(Self::PAGE_LENGTH + 1)?;
        Some(Self::HEADER + usize::from(u16::from_be_bytes([hi, lo])))
    }
}

/// Supported VPD pages (page 00h, SPC-4 §7.8.16): the page codes the device answers.
pub fn supported_pages(page: &VpdPage<'_>) -> Vec<u8> {
    page.body().to_vec()
}

/// Unit serial number (page 80h, SPC-4 §7.8.15): PRODUCT SERIAL NUMBER, spaces trimmed.
pub fn unit_serial_number(page: &VpdPage<'_>) -> String {
    trimmed_ascii(page.body()).trim_start().to_string()
}

/// CODE SET of a designation descriptor (SPC-4 §7.8.6.1 table 489).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeSet {
    /// 1h: binary values.
    Binary,
    /// 2h: printable ASCII.
    Ascii,
    /// 3h: UTF-8.
    Utf8,
    /// Any other value (reserved).
    Unknown(u8),
}

impl CodeSet {
    fn from_nibble(n: u8) -> Self {
        match n & 0x0F {
            1 => CodeSet::Binary,
            2 => CodeSet::Ascii,
            3 => CodeSet::Utf8,
            n => CodeSet::Unknown(n),
        }
    }

    /// Word for listings: "binary", "ASCII", "UTF-8", "code set N".
    pub fn name(self) -> String {
        match self {
            CodeSet::Binary => "binary".into(),
            CodeSet::Ascii => "ASCII".into(),
            CodeSet::Utf8 => "UTF-8".into(),
            CodeSet::Unknown(n) => format!("code set {n}"),
        }
    }
}

/// ASSOCIATION of a designation descriptor (SPC-4 §7.8.6.1 table 487).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Association {
    /// 0h: the addressed logical unit.
    LogicalUnit,
    /// 1h: the target port that received the command.
    TargetPort,
    /// 2h: the SCSI target device containing the logical unit.
    TargetDevice,
    /// 3h: reserved.
    Unknown(u8),
}

impl Association {
    fn from_bits(n: u8) -> Self {
        match n & 0x03 {
            0 => Association::LogicalUnit,
            1 => Association::TargetPort,
            2 => Association::TargetDevice,
            n => Association::Unknown(n),
        }
    }

    /// Word for listings.
    pub fn name(self) -> String {
        match self {
            Association::LogicalUnit => "logical unit".into(),
            Association::TargetPort => "target port".into(),
            Association::TargetDevice => "target device".into(),
            Association::Unknown(n) => format!("association {n}"),
        }
    }
}

/// DESIGNATOR TYPE of a designation descriptor (SPC-4 §7.8.6.1 table 488).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DesignatorType {
    /// 0h: vendor specific.
    VendorSpecific,
    /// 1h: T10 vendor ID based.
    T10VendorId,
    /// 2h: EUI-64 based.
    Eui64,
    /// 3h: NAA.
    Naa,
    /// 4h: relative target port identifier.
    RelativeTargetPort,
    /// 5h: target port group.
    TargetPortGroup,
    /// 6h: logical unit group.
    LogicalUnitGroup,
    /// 7h: MD5 logical unit identifier.
    Md5LogicalUnit,
    /// 8h: SCSI name string.
    ScsiNameString,
    /// 9h: protocol specific port identifier.
    ProtocolSpecificPort,
    /// Ah: UUID (SPC-5).
    Uuid,
    /// Any other value (reserved).
    Unknown(u8),
}

impl DesignatorType {
    fn from_nibble(n: u8) -> Self {
        match n & 0x0F {
            0x0 => DesignatorType::VendorSpecific,
            0x1 => DesignatorType::T10VendorId,
            0x2 => DesignatorType::Eui64,
            0x3 => DesignatorType::Naa,
            0x4 => DesignatorType::RelativeTargetPort,
            0x5 => DesignatorType::TargetPortGroup,
            0x6 => DesignatorType::LogicalUnitGroup,
            0x7 => DesignatorType::Md5LogicalUnit,
            0x8 => DesignatorType::ScsiNameString,
            0x9 => DesignatorType::ProtocolSpecificPort,
            0xA => DesignatorType::Uuid,
            n => DesignatorType::Unknown(n),
        }
    }

    /// Word for listings.
    pub fn name(self) -> String {
        match self {
            DesignatorType::VendorSpecific => "vendor specific".into(),
            DesignatorType::T10VendorId => "T10 vendor ID".into(),
            DesignatorType::Eui64 => "EUI-64".into(),
            DesignatorType::Naa => "NAA".into(),
            DesignatorType::RelativeTargetPort => "relative target port".into(),
            DesignatorType::TargetPortGroup => "target port group".into(),
            DesignatorType::LogicalUnitGroup => "logical unit group".into(),
            DesignatorType::Md5LogicalUnit => "MD5 logical unit".into(),
            DesignatorType::ScsiNameString => "SCSI name string".into(),
            DesignatorType::ProtocolSpecificPort => "protocol specific port".into(),
            DesignatorType::Uuid => "UUID".into(),
            DesignatorType::Unknown(n) => format!("designator type {n}"),
        }
    }
}

/// One designation descriptor of the device identification page (SPC-4 §7.8.6.1 table 485).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Designator {
    /// PROTOCOL IDENTIFIER (meaningful when `piv` is set).
    pub protocol_identifier: u8,
    /// PIV: the protocol identifier field is valid.
    pub piv: bool,
    /// CODE SET.
    pub code_set: CodeSet,
    /// ASSOCIATION.
    pub association: Association,
    /// DESIGNATOR TYPE.
    pub designator_type: DesignatorType,
    /// DESIGNATOR bytes.
    pub designator: Vec<u8>,
}

impl Designator {
    /// The designator as text: the string for ASCII/UTF-8 code sets, lowercase hex
    /// (no separators, `0x` prefix) for binary ones.
    pub fn text(&self) -> String {
        match self.code_set {
            CodeSet::Ascii | CodeSet::Utf8 => String::from_utf8_lossy(&self.designator)
                .trim_end_matches(['\0', ' '])
                .to_string(),
            _ => {
                let mut s = String::from("0x");
                for b in &self.designator {
                    s.push_str(&format!("{b:02x}"));
                }
                s
            }
        }
    }
}

/// Device identification (page 83h, SPC-4 §7.8.6): its designation descriptors. A
/// descriptor that runs past the page end ends the list (what came before is kept).
pub fn device_identification(page: &VpdPage<'_>) -> Vec<Designator> {
    /// Descriptor bytes: 0 protocol/code set, 1 PIV/association/type, 3 DESIGNATOR LENGTH.
    const DESC_HEADER: usize = 4;
    let body = page.body();
    let mut out = Vec::new();
    let mut off = 0usize;
    while off + DESC_HEADER <= body.len() {
        let b0 = body[off];
        let b1 = body[off + 1];
        let len = usize::from(body[off + 3]);
        let start = off + DESC_HEADER;
        let Some(designator) = body.get(start..start + len) else {
            break;
        };
        out.push(Designator {
            protocol_identifier: b0 >> 4,
            piv: b1 & 0x80 != 0,
            code_set: CodeSet::from_nibble(b0),
            association: Association::from_bits(b1 >> 4),
            designator_type: DesignatorType::from_nibble(b1),
            designator: designator.to_vec(),
        });
        off = start + len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// QEMU scsi-cd's answer to a 36-byte standard INQUIRY (hw/scsi/scsi-disk.c
    /// scsi_disk_emulate_inquiry: type 5, RMB, SPC-3, format 2 + HiSup, CmdQue on virtio-scsi).
    const QEMU_CD: [u8; 36] = *b"\x05\x80\x05\x12\x1f\x00\x00\x12QEMU    QEMU CD-ROM     2.5+";

    /// The same for scsi-hd (not removable, type 0).
    const QEMU_HD: [u8; 36] = *b"\x00\x00\x05\x12\x1f\x00\x00\x12QEMU    QEMU HARDDISK   2.5+";

    #[test]
    fn inquiry_cdbs() {
        assert_eq!(inquiry_cdb(None, 36).as_bytes(), &[0x12, 0, 0, 0, 36, 0]);
        assert_eq!(
            inquiry_cdb(Some(0x83), 0x1000).as_bytes(),
            &[0x12, 1, 0x83, 0x10, 0, 0]
        );
        assert_eq!(test_unit_ready_cdb().as_bytes(), &[0; 6]);
    }

    #[test]
    fn qemu_cd_standard_inquiry() {
        let d = InquiryData::new_checked(&QEMU_CD).unwrap();
        assert_eq!(d.device_type(), DeviceType::CdDvd);
        assert_eq!(d.peripheral_qualifier(), 0);
        assert!(d.removable());
        assert_eq!(d.version(), 5);
        assert_eq!(d.version_name(), "SPC-3");
        assert_eq!(d.response_data_format(), 2);
        assert_eq!(d.vendor(), "QEMU");
        assert_eq!(d.product(), "QEMU CD-ROM");
        assert_eq!(d.revision(), "2.5+");
        assert_eq!(d.vendor_padded(), "QEMU    ");
        assert_eq!(d.product_padded(), "QEMU CD-ROM     ");
        assert_eq!(d.revision_padded(), "2.5+");
        assert_eq!(d.type_words(), "Removable CD-ROM");
        assert!(!d.is_non_ccs());
    }

    #[test]
    fn qemu_hd_is_disk() {
        let d = InquiryData::new_checked(&QEMU_HD).unwrap();
        assert_eq!(d.device_type(), DeviceType::DirectAccess);
        assert!(!d.removable());
        assert_eq!(d.type_words(), "Disk");
        assert_eq!(d.product(), "QEMU HARDDISK");
    }

    #[test]
    fn qualifier_words_and_unknown_types() {
        // PQ 3, PDT 1Fh: no device at this LUN (SPC-4 §6.6.2).
        let d = InquiryData::new_checked(&[0x7F, 0, 5, 2, 31]).unwrap();
        assert_eq!(d.type_words(), "unsupported");
        // PQ 1 on a disk.
        let d = InquiryData::new_checked(&[0x20, 0, 5, 2, 31]).unwrap();
        assert_eq!(d.type_words(), "not present Disk");
        let d = InquiryData::new_checked(&[0x13, 0, 5, 2, 31]).unwrap();
        assert_eq!(d.device_type(), DeviceType::Unknown(0x13));
        assert_eq!(d.type_words(), "unknown device type 0x13");
        assert_eq!(DeviceType::from_code(0x0A).cdrecord_name(), "IT8 1");
        for c in 0..0x20u8 {
            assert_eq!(DeviceType::from_code(c).code(), c);
        }
    }

    #[test]
    fn short_and_truncated_inquiry_never_panic() {
        assert_eq!(
            InquiryData::new_checked(&[5, 0x80, 5]).unwrap_err(),
            SpcError::Truncated { len: 3, need: 5 }
        );
        // Additional length says 31 but only 12 bytes came: fields are short, not a panic.
        let d = InquiryData::new_checked(&QEMU_CD[..11]).unwrap();
        assert_eq!(d.vendor(), "QEM");
        assert_eq!(d.product(), "");
        assert_eq!(d.vendor_padded(), "QEM     ");
        assert_eq!(d.revision_padded(), "    ");
        // Additional length smaller than the buffer: the view stops there ("NON CCS").
        let mut b = QEMU_CD;
        b[4] = 20;
        let d = InquiryData::new_checked(&b).unwrap();
        assert_eq!(d.as_bytes().len(), 25);
        assert!(d.is_non_ccs());
        assert_eq!(d.product(), "QEMU CD-R");
        // Garbage bytes are shown as '.', never panic.
        let mut b = QEMU_CD;
        b[8] = 0xFF;
        b[9] = 0x01;
        assert_eq!(InquiryData::new_checked(&b).unwrap().vendor(), "..MU");
    }

    #[test]
    fn supported_pages_page() {
        // QEMU scsi-cd without serial=: pages 00h and 83h (scsi_disk_emulate_vpd_page).
        let bytes = [0x05, 0x00, 0x00, 0x02, 0x00, 0x83];
        let p = VpdPage::new_checked(&bytes, VPD_SUPPORTED_PAGES).unwrap();
        assert_eq!(supported_pages(&p), vec![0x00, 0x83]);
        assert_eq!(VpdPage::full_length(&bytes), Some(6));
        assert_eq!(
            VpdPage::new_checked(&bytes, 0x80).unwrap_err(),
            SpcError::WrongPage {
                wanted: 0x80,
                got: 0x00
            }
        );
        // Page length beyond the buffer: the body is what arrived.
        let p = VpdPage::new_checked(&[0x05, 0x00, 0x00, 0x40, 0x00], 0).unwrap();
        assert_eq!(p.body(), &[0x00]);
        assert!(VpdPage::new_checked(&[0x05, 0x00, 0x00], 0).is_err());
    }

    #[test]
    fn unit_serial_number_page() {
        // SPC-4 §7.8.15 table 565: header then ASCII serial, right-aligned with spaces allowed.
        let mut bytes = vec![0x05, 0x80, 0x00, 0x0A];
        bytes.extend_from_slice(b"  ABC12345");
        let p = VpdPage::new_checked(&bytes, VPD_UNIT_SERIAL_NUMBER).unwrap();
        assert_eq!(unit_serial_number(&p), "ABC12345");
    }

    #[test]
    fn device_identification_page() {
        // QEMU: an ASCII vendor-specific LU designator with the drive id ("cd0"),
        // then an NAA (binary) designator from wwn=0x5000c50015ea71ac.
        let bytes = [
            0x05, 0x83, 0x00, 0x13, // header, page length 19
            0x02, 0x00, 0x00, 0x03, b'c', b'd', b'0', // ASCII, LU, vendor specific
            0x01, 0x03, 0x00, 0x08, 0x50, 0x00, 0xC5, 0x00, 0x15, 0xEA, 0x71, 0xAC,
        ];
        let p = VpdPage::new_checked(&bytes, VPD_DEVICE_IDENTIFICATION).unwrap();
        let d = device_identification(&p);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].code_set, CodeSet::Ascii);
        assert_eq!(d[0].association, Association::LogicalUnit);
        assert_eq!(d[0].designator_type, DesignatorType::VendorSpecific);
        assert_eq!(d[0].text(), "cd0");
        assert_eq!(d[1].code_set, CodeSet::Binary);
        assert_eq!(d[1].designator_type, DesignatorType::Naa);
        assert_eq!(d[1].text(), "0x5000c50015ea71ac");
        // SPC-4 §7.8.6.7: relative target port identifier, target port association, PIV with
        // protocol 6h (SAS).
        let bytes = [
            0x00, 0x83, 0x00, 0x08, 0x61, 0x94, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
        ];
        let p = VpdPage::new_checked(&bytes, VPD_DEVICE_IDENTIFICATION).unwrap();
        let d = device_identification(&p);
        assert_eq!(d[0].protocol_identifier, 6);
        assert!(d[0].piv);
        assert_eq!(d[0].association, Association::TargetPort);
        assert_eq!(d[0].designator_type, DesignatorType::RelativeTargetPort);
        assert_eq!(d[0].text(), "0x00000001");
    }

    #[test]
    fn device_identification_truncated_descriptor_stops() {
        let bytes = [
            0x05, 0x83, 0x00, 0x09, 0x02, 0x00, 0x00, 0x01, b'x', 0x02, 0x08, 0x00, 0x20,
        ];
        let p = VpdPage::new_checked(&bytes, VPD_DEVICE_IDENTIFICATION).unwrap();
        let d = device_identification(&p);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].text(), "x");
        assert_eq!(
            DesignatorType::from_nibble(0xF),
            DesignatorType::Unknown(0xF)
        );
        assert_eq!(Association::from_bits(3).name(), "association 3");
    }

    /// A device answering INQUIRY from fixed bytes, truncated to the allocation length, as
    /// SPC-4 §4.2.5.6 says a device does; unknown VPD pages get ILLEGAL REQUEST.
    struct Answers {
        standard: Vec<u8>,
        vpd: Vec<Vec<u8>>,
        asked: Vec<u16>,
    }

    impl Transport for Answers {
        fn execute(&mut self, req: Request<'_>) -> Result<Completion, TransportError> {
            let cdb = req.cdb.as_bytes().to_vec();
            let alloc = u16::from_be_bytes([cdb[3], cdb[4]]);
            self.asked.push(alloc);
            let answer = if cdb[1] & 1 == 0 {
                Some(self.standard.clone())
            } else {
                self.vpd.iter().find(|p| p[1] == cdb[2]).cloned()
            };
            let Some(answer) = answer else {
                let sense = crate::Sense::fixed(crate::SenseKey::IllegalRequest, 0x24, 0);
                return Ok(Completion::check_condition(sense, Duration::ZERO));
            };
            let crate::DataPhase::In(buf) = req.data else {
                panic!("not a data-in command")
            };
            let n = answer.len().min(buf.len()).min(usize::from(alloc));
            buf[..n].copy_from_slice(&answer[..n]);
            let mut c = Completion::good(Duration::ZERO);
            c.residual = buf.len() - n;
            Ok(c)
        }
        fn max_transfer(&self) -> usize {
            65536
        }
        fn name(&self) -> &str {
            "answers"
        }
    }

    use std::time::Duration;

    #[test]
    fn inquiry_asks_again_for_longer_data() {
        let mut long = QEMU_CD.to_vec();
        long[4] = 59; // 64 bytes of standard data
        long.resize(64, b'x');
        let mut serial = vec![0x05, 0x80, 0x01, 0x04];
        serial.extend(std::iter::repeat_n(b'7', 260));
        let mut t = Answers {
            standard: long,
            vpd: vec![serial],
            asked: vec![],
        };
        let d = inquiry(&mut t, None).unwrap();
        assert_eq!(d.len(), 64);
        assert_eq!(t.asked, vec![36, 64]);
        let p = inquiry(&mut t, Some(0x80)).unwrap();
        assert_eq!(p.len(), 264);
        assert_eq!(t.asked, vec![36, 64, 255, 264]);
        let e = inquiry(&mut t, Some(0x83)).unwrap_err();
        assert!(matches!(
            e,
            InquiryError::Device {
                page: Some(0x83),
                ..
            }
        ));
        assert_eq!(
            e.to_string(),
            "INQUIRY VPD page 83h: CHECK CONDITION: ILLEGAL REQUEST: INVALID FIELD IN CDB (24/00)"
        );
        let d = InquiryData::new_checked(&QEMU_CD).unwrap();
        assert_eq!(d.capability_words(), vec!["SYNC", "CMDQUEUE"]);
    }
}
