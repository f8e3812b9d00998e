//! Kill -9 in the middle of a long, throttled write: the disc opens again, its first
//! session is intact and readable by xorriso, and the interrupted track shows as an
//! incomplete track that can be written on and closed.
//!
//! The writer is this test binary itself, re-run with `EMU_KILL_CHILD=<disc>` so that it
//! runs only [`child_writer`]: a separate process that can be killed for real.
#![allow(clippy::unwrap_used)] // reason: test helpers, a failure is a test failure

mod emu_util;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use emu_util::*;

const CHILD_ENV: &str = "EMU_KILL_CHILD";

/// The child: writes 3000 blocks at the NWA at 2x CD with a 64 KiB buffer (about 10 s),
/// announcing each chunk on stdout.
#[test]
#[ignore = "the child process of kill_9_mid_write, which runs it with --ignored"]
fn child_writer() {
    let disc = std::env::var(CHILD_ENV).expect("run by kill_9_mid_write with EMU_KILL_CHILD set");
    let mut d = reopen(Path::new(&disc), &[("speed", "2"), ("buffer", "64K")]);
    let nwa = be32(&track_info(&mut d, 0xFF), 12);
    let chunk = vec![0xC3u8; 16 * 2048];
    let mut out = std::io::stdout();
    for i in 0..(3000 / 16) {
        write10(&mut d, nwa + i * 16, &chunk);
        writeln!(out, "WROTE {}", (i + 1) * 16).unwrap();
        out.flush().unwrap();
    }
    writeln!(out, "DONE").unwrap();
}

#[test]
fn kill_9_mid_write() {
    let (tmp, disc, mut d) = drive("cd-r", &[]);
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("t1")).unwrap();
    std::fs::write(dir.join("t1/first.txt"), "first session\n").unwrap();
    let s1 = dir.join("s1.iso");
    let o = tool(
        "genisoimage",
        &[
            "-quiet",
            "-R",
            "-o",
            s1.to_str().unwrap(),
            dir.join("t1").to_str().unwrap(),
        ],
        "genisoimage",
    );
    assert!(o.status.success());
    let img = std::fs::read(&s1).unwrap();
    let blocks1 = (img.len() / 2048) as u32;
    // session 1, closed appendable (page 05h multi-session 11b)
    let mut list = vec![0u8; 8];
    let mut page = vec![0u8; 0x34];
    page[..5].copy_from_slice(&[0x05, 0x32, 0x41, 0xC4, 0x08]);
    list.extend_from_slice(&page);
    good(&data_out(
        &mut d,
        &[0x55, 0x10, 0, 0, 0, 0, 0, 0x00, 0x3C, 0],
        &list,
    ));
    write10(&mut d, 0, &img);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    good(&none(&mut d, &[0x5B, 0, 0x02, 0, 0, 0, 0, 0, 0, 0]));
    let nwa2 = be32(&track_info(&mut d, 0xFF), 12);
    assert_eq!(nwa2, blocks1.max(300) + 2 + 11_400);
    drop(d);

    // the child writes session 2 slowly; kill -9 after about 2.5 s
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "child_writer",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &disc)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = loop {
        let l = lines.next().expect("child ended before writing").unwrap();
        if l.starts_with("WROTE") {
            break l;
        }
    };
    assert!(first.starts_with("WROTE"));
    std::thread::sleep(Duration::from_millis(2500));
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let mut last = 0u32;
    for l in lines.map_while(Result::ok) {
        assert_ne!(l, "DONE", "the child finished before it was killed");
        if let Some(n) = l.strip_prefix("WROTE ") {
            last = n.parse().unwrap();
        }
    }

    // the disc opens again with no options
    let mut d = reopen(&disc, &[]);
    // session 1 is complete and where it was
    let (c, toc) = data_in(
        &mut d,
        &[0x43, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x0C, 0x00],
        12,
    );
    good(&c);
    assert_eq!(&toc[2..4], &[1, 1]);
    assert_eq!(be32(&toc, 8), 0);
    // and reads back byte for byte
    for (i, blk) in img.chunks(2048).enumerate() {
        let b = (i as u32).to_be_bytes();
        let (c, v) = data_in(&mut d, &[0x28, 0, b[0], b[1], b[2], b[3], 0, 0, 1, 0], 2048);
        good(&c);
        assert_eq!(v, blk, "block {i} of session 1 changed");
    }
    // the interrupted track: incomplete session, track 2 open with an NWA inside what the
    // child had written
    let di = {
        let (c, v) = data_in(&mut d, &[0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0], 34);
        good(&c);
        v
    };
    assert_eq!(
        di[2] & 0x0F,
        0x05,
        "appendable disc, incomplete last session"
    );
    let t = track_info(&mut d, 0xFF);
    assert_eq!(t[2], 2);
    assert_eq!(be32(&t, 8), nwa2);
    let nwa = be32(&t, 12);
    assert!(nwa > nwa2, "no progress was saved during the write");
    assert!(
        nwa <= nwa2 + last.max(16) + 64,
        "NWA {nwa} beyond what was written"
    );
    // the host can finish the track and close the session
    write10(&mut d, nwa, &vec![0u8; 16 * 2048]);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    good(&none(&mut d, &[0x5B, 0, 0x02, 0, 0, 0, 0, 0, 0, 0]));
    drop(d);
    // xorriso still reads session 1 from the image file
    let out = dir.join("x");
    let o = tool(
        "xorriso",
        &[
            "-osirrox",
            "on",
            "-load",
            "sbsector",
            "0",
            "-indev",
            disc.to_str().unwrap(),
            "-extract",
            "/",
            out.to_str().unwrap(),
        ],
        "xorriso",
    );
    assert!(
        o.status.success(),
        "xorriso: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("first.txt")).unwrap(),
        "first session\n"
    );
}

/// A drive whose process ends without recording the track it wrote (dropped without its
/// `Drop`, as a killed process leaves it, within the one-second save interval): the next
/// process finds the track's length in the image, since the image is written before the
/// state (MMC-6 §6.27.3: the incomplete track keeps a valid NWA after the last block
/// written), and continues there; a drive closed normally records it on drop.
#[test]
fn unrecorded_writes_are_recovered_from_the_image() {
    let (_tmp, disc, mut d) = drive("dvd+r", &[]);
    write10(&mut d, 0, &vec![0x11u8; 48 * 2048]);
    write10(&mut d, 48, &vec![0x22u8; 16 * 2048]);
    std::mem::forget(d); // no Drop: the state still says 0 blocks

    let state = std::fs::read_to_string(emu::state_path(&disc)).unwrap();
    assert!(state.contains("\"length\": 0"), "{state}");
    let mut d = reopen(&disc, &[]);
    let t = track_info(&mut d, 0xFF);
    assert_eq!(t[2], 1, "still track 1");
    assert_eq!(be32(&t, 12), 64, "NWA after the 64 blocks in the image");
    write10(&mut d, 64, &vec![0x33u8; 16 * 2048]);
    drop(d); // a normal end records the 80 blocks
    let state = std::fs::read_to_string(emu::state_path(&disc)).unwrap();
    assert!(state.contains("\"length\": 80"), "{state}");
    let mut d = reopen(&disc, &[]);
    assert_eq!(be32(&track_info(&mut d, 0xFF), 12), 80);
    good(&none(&mut d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    good(&none(&mut d, &[0x5B, 0, 0x02, 0, 0, 0, 0, 0, 0, 0]));
    let (c, v) = data_in(&mut d, &[0x28, 0, 0, 0, 0, 70, 0, 0, 1, 0], 2048);
    good(&c);
    assert!(v.iter().all(|&b| b == 0x33));
}
