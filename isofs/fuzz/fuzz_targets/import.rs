//! Fuzz target: the previous-session importer (`-M`) and a layout of the imported tree, as
//! a new session on top of arbitrary image bytes, through `isofs::fuzz::import` (the entry
//! the stable test `tests/fuzz_seeds.rs` replays).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| isofs::fuzz::import(data));
