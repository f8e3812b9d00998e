//! `emu:` options through `discburn serve` (issue 11: "every emu: option works through
//! it"): the same commands on two identical discs, one opened locally by `discburn raw`
//! (one process per command, as sg_raw scripts do), one served over iSCSI to the raw
//! initiator (common::serve); status, sense and data must be the same. A write fault
//! (`write_error=`), unreadable blocks (`bad=`), the drive buffer (`buffer=`, READ BUFFER
//! CAPACITY) and the write speed (`speed=`, the time a throttled write takes).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::serve::*;

/// One command through `discburn raw --json` on `dev`: (status byte, sense, data).
fn local(dev: &str, cdb: &[u8], read: usize, out: Option<&Path>) -> (u8, Vec<u8>, Vec<u8>) {
    let hex: Vec<String> = cdb.iter().map(|b| format!("{b:02x}")).collect();
    let mut args: Vec<String> = vec!["raw".into(), "--json".into(), "--dev".into(), dev.into()];
    args.extend(hex);
    if read > 0 {
        args.push("--in".into());
        args.push(read.to_string());
    }
    if let Some(f) = out {
        args.push("--out".into());
        args.push(f.display().to_string());
    }
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = discburn(&a);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    let unhex = |s: &serde_json::Value| -> Vec<u8> {
        let s = s.as_str().unwrap_or("");
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    };
    (
        j["status_byte"].as_u64().unwrap() as u8,
        unhex(&j["sense_hex"]),
        unhex(&j["data_hex"]),
    )
}

fn served(c: &mut Client, lun: u8, cdb: &[u8], read: usize, out: &[u8]) -> (u8, Vec<u8>, Vec<u8>) {
    let r = c.scsi(lun, cdb, read as u32, out);
    (r.status, r.sense, r.data)
}

#[test]
fn emu_options_reach_the_initiator_as_they_do_locally() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let cd = p.join("cd.img");
    cd_with_session(p, &cd);
    std::fs::copy(&cd, p.join("cd-local.img")).unwrap();
    std::fs::copy(p.join("cd.img.state"), p.join("cd-local.img.state")).unwrap();
    let dev = |name: &str, opts: &str| format!("emu:{},{opts}", p.join(name).display());
    let fault = "profile=bd-r,write_error=4";
    let bad = "profile=cd-r,bad=20-29";
    let buffer = "profile=bd-r,buffer=1M";
    let slow = "profile=bd-r,speed=1,buffer=1M";
    let fast = "profile=bd-r";
    let luns = [
        dev("fault.img", fault),
        dev("cd.img", bad),
        dev("buffer.img", buffer),
        dev("slow.img", slow),
        dev("fast.img", fast),
    ];
    let args: Vec<&str> = luns.iter().map(String::as_str).collect();
    let srv = Server::start(p, &args, luns.len());
    let mut c = srv.connect();
    c.login(None).unwrap();
    for lun in 1..=5 {
        c.ready(lun);
    }
    let block8 = vec![0x5Au8; 8 * 2048];
    let file8 = p.join("block8");
    std::fs::write(&file8, &block8).unwrap();

    // write_error=4: an 8-block WRITE(10) at 0 reaches LBA 4: MEDIUM ERROR, WRITE ERROR
    // (03/0C/00) with INFORMATION 4; the next WRITE at 0 then what the emulator says.
    let write0 = [0x2A, 0, 0, 0, 0, 0, 0, 0, 8, 0];
    for step in 0..2 {
        let l = local(&dev("fault-local.img", fault), &write0, 0, Some(&file8));
        let s = served(&mut c, 1, &write0, 0, &block8);
        assert_eq!(s, l, "write_error=4, WRITE(10) {step}: served vs local");
        if step == 0 {
            assert_eq!(
                (s.0, s.1[2] & 0x0f, s.1[12], s.1[13]),
                (2, 3, 0x0C, 0),
                "WRITE ERROR"
            );
            assert_eq!(be32(&s.1[3..7]), 4, "INFORMATION: the failing LBA");
        }
    }

    // bad=20-29 on the CD: READ(10) of LBA 25 fails with MEDIUM ERROR, UNRECOVERED READ
    // ERROR (03/11/00), INFORMATION the first bad block asked for; LBA 10 reads.
    for (lba, ok) in [(25u8, false), (10, true)] {
        let read = [0x28, 0, 0, 0, 0, lba, 0, 0, 1, 0];
        let l = local(&dev("cd-local.img", bad), &read, 2048, None);
        let s = served(&mut c, 2, &read, 2048, &[]);
        assert_eq!(s.0, l.0, "bad=, LBA {lba}: status");
        assert_eq!(s.1, l.1, "bad=, LBA {lba}: sense");
        if ok {
            assert_eq!(s.2, l.2, "LBA {lba}: data");
            assert_eq!(
                s.2,
                bytes(&cd)[usize::from(lba) * 2048..(usize::from(lba) + 1) * 2048]
            );
        } else {
            assert_eq!((s.0, s.1[2] & 0x0f, s.1[12], s.1[13]), (2, 3, 0x11, 0));
        }
    }

    // buffer=1M: READ BUFFER CAPACITY (MMC-6 §6.24) reports a 1 MiB buffer, empty.
    let rbc = [0x5C, 0, 0, 0, 0, 0, 0, 0, 12, 0];
    let l = local(&dev("buffer-local.img", buffer), &rbc, 12, None);
    let s = served(&mut c, 3, &rbc, 12, &[]);
    assert_eq!(s, l, "READ BUFFER CAPACITY: served vs local");
    assert_eq!(be32(&s.2[4..8]), 1 << 20, "Length of the Buffer");
    assert_eq!(
        be32(&s.2[8..12]),
        1 << 20,
        "Blank Length of the Buffer: all free"
    );

    // speed=1 (BD 1x, 4.5 MB/s) with a 1 MiB buffer: 3 MiB written and SYNCHRONIZE CACHE
    // take at least the time the drive needs for them, an unthrottled BD-R much less.
    let mib = vec![0xA5u8; 1 << 20];
    let mut timed = |lun: u8| -> Duration {
        let t0 = Instant::now();
        for k in 0..3u32 {
            let l = (k * 512).to_be_bytes();
            let w = c.scsi(
                lun,
                &[0x2A, 0, l[0], l[1], l[2], l[3], 0, 0x02, 0, 0],
                0,
                &mib,
            );
            assert_eq!(w.status, 0, "WRITE(10) on LUN {lun}: {:?}", w.key());
        }
        assert_eq!(
            c.scsi(lun, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0, &[])
                .status,
            0
        );
        t0.elapsed()
    };
    let t_fast = timed(5);
    let t_slow = timed(4);
    let want = Duration::from_secs_f64(3.0 * 1048576.0 / 4_495_500.0 * 0.9);
    assert!(
        t_slow >= want,
        "speed=1: 3 MiB in {t_slow:?}, a 1x BD needs {want:?}"
    );
    assert!(
        t_slow > t_fast + Duration::from_millis(300),
        "speed=1 {t_slow:?} vs unthrottled {t_fast:?}"
    );

    assert_eq!(c.logout(), 0);
    let mut srv = srv;
    assert!(srv.stop().success(), "{}", srv.log());
}
