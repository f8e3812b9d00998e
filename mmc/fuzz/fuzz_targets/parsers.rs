//! Fuzz target: every MMC response parser; the first byte picks the parser family
//! (`mmc::cmd::exercise::FAMILIES`), the rest is the device's answer.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&family, answer)) = data.split_first() {
        mmc::cmd::exercise::run(family, answer);
    }
});
