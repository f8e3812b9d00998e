//! Fuzz target: sense data parsing (SPC-4 §4.5: fixed 70h/71h and descriptor 72h/73h formats)
//! and every accessor and formatter of the decoded [`transport::Sense`].
#![no_main]

use libfuzzer_sys::fuzz_target;
use transport::Sense;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = Sense::parse(data) {
        let _ = s.to_string();
        let _ = s.asc_text();
        if let Some(d) = s.asc_description() {
            let _ = d.to_string();
        }
        let _ = s.progress_raw();
        let _ = s.progress();
        let _ = s.field_pointer();
        let _ = s.retry_count();
        let _ = s.is_unit_attention() || s.is_long_write_in_progress();
        let _ = s.key.name();
        let _ = s.key.code();
    } else if let Err(e) = Sense::parse(data) {
        let _ = e.to_string();
    }
});
