//! Every entry point of the write path that can send WRITE, FORMAT UNIT, BLANK, CLOSE
//! TRACK/SESSION, MODE SELECT or RESERVE TRACK first checks that the device is a CD/DVD/BD
//! drive (INQUIRY peripheral device type 5, SPC-4 §6.6.2): the emulated drive answering
//! INQUIRY as QEMU's scsi-hd disk is refused by each of them, and none of those commands
//! reaches it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use mmc::cmd::blank_format::BlankType;
use mmc::drive::Drive;
use mmc::profile::Profile;
use mmc::write::{self, WriteError, WriteOptions};
use transport::fault::FaultInjector;
use transport::{Completion, Request, Transport, TransportError};

/// Standard INQUIRY data of QEMU's scsi-hd (a disk, type 00h).
const DISK_INQUIRY: [u8; 36] = [
    0x00, 0x00, 0x05, 0x12, 0x1F, 0x00, 0x00, 0x12, b'Q', b'E', b'M', b'U', b' ', b' ', b' ', b' ',
    b'Q', b'E', b'M', b'U', b' ', b'H', b'A', b'R', b'D', b'D', b'I', b'S', b'K', b' ', b' ', b' ',
    b'2', b'.', b'5', b'+',
];

/// Opcodes that change the medium or the drive's write setup.
const WRITING: [u8; 9] = [0x2A, 0xAA, 0x04, 0xA1, 0x5B, 0x55, 0x53, 0x5D, 0x35];

/// Passes every command on and records its opcode.
struct Recorder<T> {
    inner: T,
    log: Arc<Mutex<Vec<u8>>>,
}

impl<T: Transport> Transport for Recorder<T> {
    fn execute(&mut self, req: Request<'_>) -> Result<Completion, TransportError> {
        self.log.lock().unwrap().push(req.cdb.opcode());
        self.inner.execute(req)
    }
    fn max_transfer(&self) -> usize {
        self.inner.max_transfer()
    }
    fn name(&self) -> &str {
        self.inner.name()
    }
}

fn not_optical<T>(r: Result<T, WriteError>, what: &str) {
    match r {
        Err(WriteError::NotOptical { device_type: 0, .. }) => {}
        Err(e) => panic!("{what}: wrong error: {e}"),
        Ok(_) => panic!("{what}: a disk was accepted"),
    }
}

#[test]
fn a_disk_is_refused_by_every_writing_entry_point() {
    for profile in ["cd-rw", "dvd+rw", "bd-r"] {
        let dir = tempfile::tempdir().unwrap();
        let img = dir.path().join("d.img");
        let t = emu::open(&img, &[("profile".into(), profile.into())]).unwrap();
        let disk = FaultInjector::new(t)
            .on_opcode(0x12)
            .always()
            .replace_data(DISK_INQUIRY.to_vec());
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut d = Drive::new(Recorder {
            inner: disk,
            log: log.clone(),
        });
        not_optical(write::check_device(&mut d), "check_device");
        not_optical(
            write::prepare(&mut d, Some(100), &WriteOptions::default()),
            "prepare",
        );
        not_optical(
            write::prepare(&mut d, None, &WriteOptions::default()),
            "prepare",
        );
        not_optical(write::blank(&mut d, BlankType::Minimal), "blank");
        not_optical(write::finalize(&mut d), "finalize");
        not_optical(write::close_interrupted_session(&mut d), "close");
        not_optical(write::free_blocks(&mut d), "free_blocks");
        for p in [Profile::DvdPlusRw, Profile::BdRe] {
            not_optical(write::format(&mut d, p), "format");
        }
        let sent = log.lock().unwrap().clone();
        let bad: Vec<u8> = sent
            .iter()
            .copied()
            .filter(|o| WRITING.contains(o))
            .collect();
        assert!(bad.is_empty(), "{profile}: sent {bad:02X?} to a disk");
        let len = std::fs::metadata(&img).map_or(0, |m| m.len());
        let bytes = std::fs::read(&img).unwrap_or_default();
        assert!(
            bytes.iter().all(|&b| b == 0),
            "{profile}: the image ({len} bytes) was written"
        );
    }
}
