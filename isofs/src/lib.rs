//! ISO 9660 (ECMA-119 4th edition) with Rock Ridge (RRIP 1.12, SUSP 1.12), Joliet and
//! El Torito: a streaming image builder, a reader, and the multisession merge.
//! Knows nothing of SCSI: previous sessions are read through [`SectorSource`].
#![forbid(unsafe_code)]

use std::io;

/// Size of a logical sector in bytes (ECMA-119 §6.1.2).
pub const SECTOR: usize = 2048;

/// Something that reads 2048-byte sectors by absolute LBA: an image file, a block device,
/// or a drive (`mmc::Drive`).
pub trait SectorSource {
    /// Reads `buf.len() / 2048` sectors starting at `lba` into `buf` (a multiple of 2048).
    fn read_sectors(&mut self, lba: u32, buf: &mut [u8]) -> io::Result<()>;
    /// Number of readable sectors, when known.
    fn sector_count(&mut self) -> io::Result<Option<u64>>;
}

impl<S: SectorSource + ?Sized> SectorSource for &mut S {
    fn read_sectors(&mut self, lba: u32, buf: &mut [u8]) -> io::Result<()> {
        (**self).read_sectors(lba, buf)
    }
    fn sector_count(&mut self) -> io::Result<Option<u64>> {
        (**self).sector_count()
    }
}

impl<S: SectorSource + ?Sized> SectorSource for Box<S> {
    fn read_sectors(&mut self, lba: u32, buf: &mut [u8]) -> io::Result<()> {
        (**self).read_sectors(lba, buf)
    }
    fn sector_count(&mut self) -> io::Result<Option<u64>> {
        (**self).sector_count()
    }
}

pub mod build;
pub mod checksum;
pub mod extract;
#[doc(hidden)]
pub mod fuzz;
pub mod merge;
pub mod names;
pub mod read;
pub mod tree;
pub mod wire;

pub use build::{BuildError, Image, Options, RockRidge};
pub use extract::extract;
pub use read::{sessions, Entry, FileSource, Namespace, ReadError, Volume};
pub use tree::{ScanOptions, Tree};
pub use wire::Timestamp;
