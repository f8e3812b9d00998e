//! Fuzz target: the image reader (volume descriptors, directories, SUSP/RRIP with CE,
//! Joliet, multi-extent, boot catalog, session probe) on arbitrary image bytes, through
//! `isofs::fuzz::reader` (the entry the stable test `tests/fuzz_seeds.rs` replays).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| isofs::fuzz::reader(data));
