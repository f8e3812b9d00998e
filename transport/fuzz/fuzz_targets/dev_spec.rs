//! Fuzz target: `dev=` address parsing (b,t,l; t,l; ATA:b,t,l; device paths; emu:PATH,k=v).
#![no_main]

use libfuzzer_sys::fuzz_target;
use transport::DevSpec;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        match DevSpec::parse(s) {
            Ok(spec) => {
                let _ = (format!("{spec:?}"), spec.to_string());
                let _ = spec.is_emu();
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
