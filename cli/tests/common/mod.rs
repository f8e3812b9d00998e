//! Helpers shared by the cli crate's integration tests, one module per family of tests:
//! `burn` (add/burn on the emulated drive, trees read back with xorriso), `diag` (the
//! diagnostic commands), `eltorito` and `hybrid` (boot images and their peers), `hostile`
//! (crafted ISO 9660 images, runs under memory and time caps), `read` (pressed discs made by
//! genisoimage, CDB traces) and `serve` (the iSCSI target and a raw initiator). Each test
//! binary declares `mod common;` and uses the parts it needs.
#![allow(dead_code)] // reason: each test binary uses a different part

pub mod burn;
pub mod diag;
pub mod eltorito;
pub mod hostile;
pub mod hybrid;
pub mod read;
pub mod serve;
