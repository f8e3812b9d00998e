//! Issue 3: the same pressed ISO served by the emulated drive (`emu:ISO`, on the host) and by
//! QEMU's `scsi-cd` (in the guest, through the kernel's SG_IO, raw CDBs sent by sg3-utils'
//! `sg_raw`) gives the same answers for INQUIRY's device type, READ CAPACITY, READ(10),
//! READ TOC formats 0 and 1, and READ DISC INFORMATION's disc status.
//!
//! Fields where the two legitimately differ are named at each comparison:
//! - INQUIRY: vendor, product, revision and version are each device's own.
//! - READ TOC format 0: the lead-out descriptor's CONTROL: QEMU says 6 (data, copy
//!   permitted), the emulator 4 like the data track before it (MMC-6 leaves the lead-out's
//!   CONTROL to the drive; real drives differ too).
//! - READ TOC format 1: QEMU answers with an all-zero track descriptor (ADR/CONTROL 0,
//!   track 0, start 0); the emulator fills in ADR 1 / CONTROL 4 and track 1 as MMC-6
//!   §6.26.3.3 table 482 describes. Both give the first track of the last session at LBA 0.
//! - READ DISC INFORMATION: only the disc status and session counts are compared; QEMU
//!   reports a shorter table and different optional fields.

#![cfg(unix)] // reason: the VM test bed is Unix-only (QEMU, tgt, the guest build)
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers, a failure is a test failure

use std::path::Path;

use discburn_tests::fixture::numbers_iso;
use discburn_tests::Vm;
use transport::{Cdb, Request, Transport};

/// (name, CDB, allocation length) of every command compared.
const CDBS: &[(&str, &[u8], usize)] = &[
    ("inquiry", &[0x12, 0x00, 0x00, 0x00, 0x24, 0x00], 36),
    ("read_capacity", &[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8),
    ("read10", &[0x28, 0, 0, 0, 0, 0x10, 0, 0, 0x02, 0], 4096),
    (
        "toc0_lba",
        &[0x43, 0x00, 0x00, 0, 0, 0, 0, 0x00, 0x14, 0],
        20,
    ),
    (
        "toc0_msf",
        &[0x43, 0x02, 0x00, 0, 0, 0, 0, 0x00, 0x14, 0],
        20,
    ),
    ("toc1", &[0x43, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x0C, 0], 12),
    ("disc_info", &[0x51, 0, 0, 0, 0, 0, 0, 0x00, 0x22, 0], 34),
];

fn sg_raw_command(cdb: &[u8], len: usize) -> String {
    let hex: Vec<String> = cdb.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "sg_raw -r {len} -o /tmp/out.bin /dev/sr0 {} >/dev/null 2>&1 && cat /tmp/out.bin",
        hex.join(" ")
    )
}

fn emu_answers(iso: &Path) -> Vec<Vec<u8>> {
    let mut d = emu::open(iso, &[]).expect("emu: opens an existing ISO as a pressed disc");
    CDBS.iter()
        .map(|(name, cdb, len)| {
            let mut buf = vec![0u8; *len];
            let c = d
                .execute(Request::read(Cdb::new(cdb).unwrap(), &mut buf))
                .unwrap();
            assert!(c.is_good(), "emu {name}: {c}");
            buf.truncate(c.transferred(*len));
            buf
        })
        .collect()
}

#[test]
fn pressed_iso_emu_matches_qemu_scsi_cd() {
    let dir = tempfile::tempdir().unwrap();
    let iso = numbers_iso(dir.path(), "pressed.iso", "PRESSED").unwrap();
    let blocks = (std::fs::metadata(&iso).unwrap().len() / 2048) as u32;

    let mut vm = Vm::new();
    vm.cd(0, &iso);
    for (_, cdb, len) in CDBS {
        vm.command(sg_raw_command(cdb, *len));
    }
    let run = vm.run().unwrap();
    let guest: Vec<Vec<u8>> = (0..CDBS.len())
        .map(|i| run.output(i).assert_success().stdout.clone())
        .collect();
    let emu = emu_answers(&iso);
    // the ISO on the host must not have gained a state file
    assert!(!emu::state_path(&iso).exists());

    let q = |n: &str| &guest[CDBS.iter().position(|c| c.0 == n).unwrap()];
    let e = |n: &str| &emu[CDBS.iter().position(|c| c.0 == n).unwrap()];

    // INQUIRY: peripheral device type 05h and RMB on both
    assert_eq!(q("inquiry")[0] & 0x1F, 0x05);
    assert_eq!(e("inquiry")[0] & 0x1F, q("inquiry")[0] & 0x1F);
    assert_eq!(e("inquiry")[1] & 0x80, q("inquiry")[1] & 0x80);
    // READ CAPACITY: identical (last LBA = blocks - 1, 2048)
    assert_eq!(e("read_capacity"), q("read_capacity"));
    assert_eq!(
        u32::from_be_bytes(q("read_capacity")[..4].try_into().unwrap()),
        blocks - 1
    );
    // READ(10) of LBA 16..17: identical, and the PVD
    assert_eq!(e("read10"), q("read10"));
    assert_eq!(&q("read10")[1..6], b"CD001");
    // READ TOC format 0, LBA and MSF: identical but for the lead-out's CONTROL (byte 13,
    // see the module comment)
    for name in ["toc0_lba", "toc0_msf"] {
        let (mut ev, mut qv) = (e(name).clone(), q(name).clone());
        assert_eq!(ev.len(), 20, "{name}");
        assert_eq!(qv.len(), 20, "{name}");
        assert_eq!(ev[13] >> 4, qv[13] >> 4, "{name}: lead-out ADR");
        ev[13] = 0;
        qv[13] = 0;
        assert_eq!(ev, qv, "{name}");
    }
    // READ TOC format 1: same header and same start address (see the module comment)
    assert_eq!(&e("toc1")[..4], &q("toc1")[..4]);
    assert_eq!(&e("toc1")[8..12], &q("toc1")[8..12]);
    // READ DISC INFORMATION: disc status, last session state, sessions, first track
    let (qd, ed) = (q("disc_info"), e("disc_info"));
    assert_eq!(
        ed[2] & 0x0F,
        qd[2] & 0x0F,
        "disc status / last session state"
    );
    assert_eq!(ed[3..5], qd[3..5], "first track, number of sessions");
}
