//! Fuzz target: the checked views of standard INQUIRY data (SPC-4 §6.6.2) and VPD pages
//! (SPC-4 §7.8: 00h supported pages, 80h unit serial number, 83h device identification).
//! The first byte picks the VPD page code the caller expects; the rest is the device's answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use transport::spc::{
    device_identification, supported_pages, unit_serial_number, InquiryData, VpdPage,
};

fuzz_target!(|data: &[u8]| {
    let Some((&wanted, answer)) = data.split_first() else {
        return;
    };
    if let Ok(inq) = InquiryData::new_checked(answer) {
        let _ = inq.as_bytes();
        let _ = inq.peripheral_qualifier();
        let _ = inq.device_type().to_string();
        let _ = inq.device_type().cdrecord_name();
        let _ = inq.removable();
        let _ = inq.version_name();
        let _ = inq.response_data_format();
        let _ = inq.additional_length();
        let _ = (inq.vendor(), inq.product(), inq.revision());
        let _ = (
            inq.vendor_padded(),
            inq.product_padded(),
            inq.revision_padded(),
        );
        let _ = inq.type_words();
        let _ = inq.capability_words();
        let _ = inq.is_non_ccs();
    }
    let _ = VpdPage::full_length(answer);
    match VpdPage::new_checked(answer, wanted) {
        Ok(page) => {
            let _ = page.page_code();
            let _ = supported_pages(&page);
            let _ = unit_serial_number(&page);
            for d in device_identification(&page) {
                let _ = d.text();
                let _ = (
                    d.code_set.name(),
                    d.association.name(),
                    d.designator_type.name(),
                );
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
