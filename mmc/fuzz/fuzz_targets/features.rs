//! Fuzz target: GET CONFIGURATION answers decoded feature by feature, with Display.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Family 5 is GET CONFIGURATION; 14 is a single raw feature descriptor.
    mmc::cmd::exercise::run(5, data);
    mmc::cmd::exercise::run(14, data);
});
