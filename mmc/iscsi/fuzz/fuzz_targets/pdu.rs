//! Fuzz target: PDU framing (RFC 7143 §11.2 BHS, AHS, padding, §13.1 digests once
//! negotiated) of an initiator's byte stream, with the text of Login and Text PDUs through
//! the negotiation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = iscsi::fuzzing::parse_stream(data);
});
