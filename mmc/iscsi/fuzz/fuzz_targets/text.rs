//! Fuzz target: login/text keys (RFC 7143 §6.1 pairs, §6.2 and §13 negotiation, numbers,
//! binary values and CHAP responses, §12.1.3).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = iscsi::fuzzing::parse_text(data);
});
