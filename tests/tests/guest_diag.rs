//! Issue 4, "What must be shown", third bullet: in the guest, on QEMU's `scsi-cd` (an ISO
//! made by genisoimage on the host) and on tgt's DVD+R (blank, then with one closed session
//! burned by `discburn burn`), `discburn msinfo`, `toc` and `media` (`--json`) agree with
//! `wodim -msinfo`, `wodim -toc` and `xorriso -outdev DEV -toc` run in the same guest on the
//! same device; the cdrecord-named `-msinfo` and `-toc` are compared with wodim's text.
//!
//! One guest boot serves every test: scsi-cd at target 0, tgt's DVD+R at target 1. The
//! commands run on the CD, then on the blank DVD+R, then `discburn burn` writes the image
//! as one closed session, then they run on the DVD+R again.
//!
//! Where the peers legitimately differ from MMC (or from discburn) the relation is written at
//! the assertion; in short:
//! - The `-toc` `mode:` column is READ HEADER's data mode for wodim (cdrtools
//!   `read_trackinfo`) and discburn alike, -1 when the drive refuses READ HEADER (44h), as
//!   QEMU and tgt both do: every column is compared, the mode too.
//! - wodim's DVD driver (`mmc_mdvd`) prints `-msinfo` as READ TOC format 1's start and the
//!   NWA field of READ TRACK INFORMATION, without looking at the disc status or NWA_V: on
//!   tgt's blank and closed DVD+R that is `0,0`. discburn reports "blank" (no numbers) and
//!   "closed" (exit 1), as xorriso does ("is blank", "is closed"; `-as cdrecord -msinfo`
//!   refuses both).
//! - wodim's CD-ROM driver (`mmc_cd`, QEMU's scsi-cd) has no next-writable-address call:
//!   it prints "Cannot read first writable address" and exits 0; discburn's cdrecord exits
//!   1 with the same words (as cdrtools' cdrecord, whose `comerrno` exits).
//! - tgt answers READ TOC even on its blank DVD+R (track 1 at 0, lead-out at the recorded
//!   size, 0); MMC-6 gives a blank disc no TOC and discburn reports `blank`. wodim prints
//!   tgt's TOC.
//! - tgt sends READ TOC answers two bytes short (it sets the transfer length to the TOC DATA
//!   LENGTH field, which excludes the field itself): the lead-out address's low 16 bits
//!   never arrive, and with QEMU's iSCSI pass-through the guest sees them as zeros. For the
//!   229-block image (00E5h) all three tools show the lead-out at 0 and xorriso a session of
//!   0 blocks; READ CAPACITY and READ TRACK INFORMATION give 229.
//! - QEMU's scsi-cd refuses READ TRACK INFORMATION: `discburn media` lists no tracks and
//!   names the command as not supported.

#![cfg(unix)]
// reason: test code; helpers outside #[test] fns panic to fail the test
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use discburn_tests::fixture::numbers_iso;
use discburn_tests::peers::{
    parse_cdrecord_toc, parse_msinfo, parse_xorriso_toc, CdrecordToc, XorrisoToc,
};
use discburn_tests::{CmdOutput, GuestRun, TgtDisc, Vm};
use serde_json::Value;

/// Sourced by every command: `$CD` and `$DVD`, the block nodes of targets 0 and 1.
const DEVS: &str = "CD=/dev/$(ls /sys/bus/scsi/devices/*:0:0:0/block)\n\
                    DVD=/dev/$(ls /sys/bus/scsi/devices/*:0:1:0/block)\n";

/// The disc states compared: (name, shell variable of its device).
const STATES: &[(&str, &str)] = &[("cd", "CD"), ("blank", "DVD"), ("closed", "DVD")];

/// The commands run on each state (`$D` is the device), by name.
const PROBES: &[(&str, &str)] = &[
    ("msinfo", "discburn --json --dev $D msinfo"),
    ("toc", "discburn --json --dev $D toc"),
    ("media", "discburn --json --dev $D media"),
    ("cdrecord_msinfo", "cdrecord -msinfo dev=$D"),
    ("wodim_msinfo", "wodim -msinfo dev=$D"),
    ("cdrecord_toc", "cdrecord -toc dev=$D"),
    ("wodim_toc", "wodim -toc dev=$D"),
    ("xorriso_toc", "xorriso -outdev $D -toc"),
    ("xorriso_msinfo", "xorriso -as cdrecord -msinfo dev=$D"),
    // The raw answers behind the documented differences.
    (
        "raw_toc0",
        "discburn --json --dev $D raw 43000000000000001400 --in 20",
    ),
    (
        "raw_toc1",
        "discburn --json --dev $D raw 43000100000000000c00 --in 12",
    ),
    (
        "raw_track1",
        "discburn --json --dev $D raw 52010000000100002400 --in 36",
    ),
];

/// The burn between the "blank" and the "closed" probes.
const BURN: &str = ". /etc/devs; discburn --dev $DVD burn /data/img.iso";

struct Fixture {
    run: GuestRun,
    image: Vec<u8>,
    /// tgt's backing file after the run.
    backing: Vec<u8>,
    /// (state, probe) -> index into `run.outputs`.
    index: Vec<(&'static str, &'static str, usize)>,
    burn: usize,
}

/// The one guest run of this file; a failure to boot is reported by every test.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Result<Fixture, String>> = OnceLock::new();
    discburn_tests::fixture::once(&F, boot)
}

fn boot() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let iso = numbers_iso(dir.path(), "disc.iso", "GUESTDIAG").unwrap();
    let image = std::fs::read(&iso).unwrap();
    let tgt = TgtDisc::blank_dvd_plus_r().unwrap();
    let mut vm = Vm::new();
    vm.cd(0, &iso)
        .iscsi(1, tgt.url())
        .file("/etc/devs", DEVS.as_bytes())
        .file("/data/img.iso", &image);
    let mut index = Vec::new();
    let mut n = 0;
    let mut burn = 0;
    for (state, var) in STATES {
        if *state == "closed" {
            vm.command(BURN);
            burn = n;
            n += 1;
        }
        for (probe, cmd) in PROBES {
            vm.command(format!(". /etc/devs; D=${var}; {cmd}"));
            index.push((*state, *probe, n));
            n += 1;
        }
    }
    let run = vm.run().unwrap();
    eprintln!("guest run: {:.1} s", run.elapsed.as_secs_f64());
    let backing = std::fs::read(tgt.backing_file()).unwrap();
    drop(tgt);
    Fixture {
        run,
        image,
        backing,
        index,
        burn,
    }
}

fn out(state: &str, probe: &str) -> &'static CmdOutput {
    let f = fixture();
    let i = f
        .index
        .iter()
        .find(|(s, p, _)| *s == state && *p == probe)
        .map(|e| e.2)
        .unwrap();
    f.run.output(i)
}

/// The JSON document a discburn command printed (whatever its exit status).
fn json(state: &str, probe: &str) -> Value {
    let o = out(state, probe);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", o.describe()))
}

fn wodim_toc(state: &str) -> CdrecordToc {
    let o = out(state, "wodim_toc");
    o.assert_success();
    parse_cdrecord_toc(&o.stdout_str())
}

fn xorriso_toc(state: &str) -> XorrisoToc {
    let o = out(state, "xorriso_toc");
    o.assert_success();
    let x = parse_xorriso_toc(&o.stdout_str());
    assert!(x.media_current.is_some(), "{}", o.describe());
    x
}

/// Bytes of a `discburn raw --json` answer and the number the transport says arrived.
fn raw(state: &str, probe: &str) -> (Vec<u8>, u64) {
    let v = json(state, probe);
    assert_eq!(v["status"].as_str(), Some("GOOD"), "{state} {probe}: {v}");
    let hex = v["data_hex"].as_str().unwrap();
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    (bytes, v["transferred"].as_u64().unwrap())
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}

fn image_blocks() -> u64 {
    fixture().image.len() as u64 / 2048
}

/// discburn's TOC (non-blank) against `wodim -toc`: same first/last, and every track and
/// the lead-out at the same LBA (and 512-byte address, MSF, ADR, CONTROL, mode); the mode is
/// -1 for both (READ HEADER refused, see the module comment).
fn assert_toc_matches_wodim(state: &str) -> Value {
    let toc = json(state, "toc");
    out(state, "toc").assert_success();
    assert_eq!(toc["blank"], false, "{toc}");
    let w = wodim_toc(state);
    let ctx = format!("{state}: discburn {toc}\nwodim {w:#?}");
    assert_eq!(w.first.map(u64::from), toc["first_track"].as_u64(), "{ctx}");
    assert_eq!(w.last.map(u64::from), toc["last_track"].as_u64(), "{ctx}");
    let tracks = toc["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), w.tracks.len(), "{ctx}");
    for (d, w) in tracks.iter().zip(&w.tracks) {
        let number = if d["leadout"] == true {
            None
        } else {
            Some(d["number"].as_u64().unwrap() as u8)
        };
        assert_eq!(w.number, number, "{ctx}");
        assert_eq!(Some(w.lba), d["lba"].as_i64(), "{ctx}");
        assert_eq!(w.lba_512, w.lba * 4, "{ctx}");
        assert_eq!(Some(w.msf.as_str()), d["msf"].as_str(), "{ctx}");
        assert_eq!(Some(u64::from(w.adr)), d["adr"].as_u64(), "{ctx}");
        assert_eq!(Some(u64::from(w.control)), d["control"].as_u64(), "{ctx}");
        assert_eq!(w.mode, -1, "READ HEADER is refused by QEMU and tgt: {ctx}");
        assert_eq!(Some(i64::from(w.mode)), d["mode"].as_i64(), "{ctx}");
    }
    toc
}

/// The lead-out LBA of a discburn TOC.
fn leadout(toc: &Value) -> i64 {
    toc["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["leadout"] == true)
        .and_then(|t| t["lba"].as_i64())
        .unwrap_or_else(|| panic!("no lead-out in {toc}"))
}

/// discburn's TOC against xorriso's session table: one session, at the last session start,
/// as long as from there to the lead-out.
fn assert_toc_matches_xorriso(state: &str, toc: &Value) {
    let x = xorriso_toc(state);
    let ctx = format!("{state}: discburn {toc}\nxorriso {x:#?}");
    assert_eq!(
        x.sessions.len() as u64,
        toc["last_session"].as_u64().unwrap(),
        "{ctx}"
    );
    let s = &x.sessions[0];
    assert_eq!(
        Some(s.start as i64),
        toc["last_session_start"].as_i64(),
        "{ctx}"
    );
    assert_eq!(s.size as i64, leadout(toc) - s.start as i64, "{ctx}");
    assert_eq!(s.volume_id, "GUESTDIAG", "{ctx}");
}

/// discburn's media report against xorriso's media lines.
fn assert_media_matches_xorriso(state: &str) -> Value {
    let m = json(state, "media");
    out(state, "media").assert_success();
    let x = xorriso_toc(state);
    let ctx = format!("{state}: discburn {m:#}\nxorriso {x:#?}");
    // libburn names profiles as MMC-6 does.
    assert_eq!(
        x.media_current.as_deref(),
        m["profile"]["name"].as_str(),
        "{ctx}"
    );
    let status = m["disc"]["status"].as_str().unwrap();
    let want = match status {
        "empty" => "is blank",
        "complete" => "is written , is closed",
        "incomplete/appendable" => "is written , is appendable",
        other => panic!("unexpected disc status {other}: {ctx}"),
    };
    assert_eq!(x.media_status.as_deref(), Some(want), "{ctx}");
    // Readable blocks: READ CAPACITY (discburn does not ask it of a blank disc).
    assert_eq!(
        x.readable,
        Some(m["capacity_blocks"].as_u64().unwrap_or(0)),
        "{ctx}"
    );
    // Writable blocks: free blocks (the blank track's FREE BLOCKS, 0 when closed).
    assert_eq!(x.writable, m["free_blocks"].as_u64(), "{ctx}");
    assert_eq!(
        x.summary_sessions.map(u64::from),
        m["disc"]["complete_sessions"].as_u64(),
        "{ctx}"
    );
    m
}

// ---------------------------------------------------------------------------------------
// QEMU scsi-cd: a pressed CD-ROM holding the genisoimage image.

#[test]
fn scsi_cd_toc_agrees_with_wodim_and_xorriso() {
    let toc = assert_toc_matches_wodim("cd");
    assert_eq!(leadout(&toc), image_blocks() as i64, "{toc}");
    assert_eq!(toc["last_session_start"], 0, "{toc}");
    assert_eq!(toc["first_session"], 1);
    assert_toc_matches_xorriso("cd", &toc);
}

#[test]
fn scsi_cd_media_agrees_with_xorriso() {
    let m = assert_media_matches_xorriso("cd");
    assert_eq!(m["profile"]["name"], "CD-ROM", "{m}");
    assert_eq!(m["capacity_blocks"], image_blocks(), "{m}");
    assert_eq!(m["state"], "closed", "{m}");
    assert_eq!(m["free_blocks"], 0, "{m}");
    let x = xorriso_toc("cd");
    assert_eq!(x.overall, Some(image_blocks()), "{x:?}");
    assert_eq!(x.summary_data_blocks, Some(image_blocks()), "{x:?}");
    // QEMU refuses READ TRACK INFORMATION: no track list, the command named.
    assert_eq!(m["tracks"], serde_json::json!([]), "{m}");
    let u = m["unavailable"].as_array().unwrap();
    assert!(
        u.iter().any(|u| u["item"] == "track 1"
            && u["command"] == "READ TRACK INFORMATION (52h)"
            && u["not_supported"] == true),
        "{m}"
    );
}

#[test]
fn scsi_cd_msinfo_agrees_with_wodim_and_xorriso() {
    // A pressed disc: no session can be added. discburn says closed (exit 1), xorriso
    // refuses -msinfo, wodim cannot read the next writable address.
    let o = out("cd", "msinfo");
    assert_eq!(o.status, 1, "{}", o.describe());
    let m = json("cd", "msinfo");
    assert_eq!(m["state"], "closed", "{m}");
    assert!(m["text"].is_null(), "{m}");
    let w = out("cd", "wodim_msinfo");
    assert!(w.stdout.is_empty(), "{}", w.describe());
    assert!(
        w.stderr_str()
            .contains("Cannot read first writable address"),
        "{}",
        w.describe()
    );
    let x = out("cd", "xorriso_msinfo");
    assert_ne!(x.status, 0, "{}", x.describe());
    assert!(x.stdout.is_empty(), "{}", x.describe());
    assert!(
        x.stderr_str().contains("not appendable"),
        "{}",
        x.describe()
    );
}

// ---------------------------------------------------------------------------------------
// tgt's blank DVD+R.

#[test]
fn blank_dvd_plus_r_toc_agrees_with_wodim_and_xorriso() {
    let toc = json("blank", "toc");
    out("blank", "toc").assert_success();
    assert_eq!(toc["blank"], true, "{toc}");
    assert_eq!(toc["tracks"], serde_json::json!([]), "{toc}");
    // xorriso: blank, no session in its TOC.
    let x = xorriso_toc("blank");
    assert_eq!(x.media_status.as_deref(), Some("is blank"), "{x:?}");
    assert!(x.sessions.is_empty(), "{x:?}");
    assert_eq!(x.summary_sessions, Some(0), "{x:?}");
    // wodim prints what tgt answers to READ TOC on a blank disc (MMC-6 has no TOC there):
    // track 1 at 0 and the lead-out at the recorded size, 0. Those are the raw bytes.
    let w = wodim_toc("blank");
    let (t0, _) = raw("blank", "raw_toc0");
    assert_eq!((w.first, w.last), (Some(t0[2]), Some(t0[3])), "{w:?}");
    assert_eq!(w.tracks[0].lba, i64::from(be32(&t0, 8)), "{w:?}");
    assert_eq!(w.leadout().unwrap().lba, 0, "{w:?}");
    // discburn's cdrecord personality refuses a blank disc's TOC instead.
    let c = out("blank", "cdrecord_toc");
    assert_eq!(c.status, 1, "{}", c.describe());
    assert!(c.stdout.is_empty(), "{}", c.describe());
    assert!(c.stderr_str().contains("blank"), "{}", c.describe());
}

#[test]
fn blank_dvd_plus_r_media_agrees_with_xorriso() {
    let m = assert_media_matches_xorriso("blank");
    assert_eq!(m["profile"]["code"], 0x1B, "{m}");
    assert_eq!(m["disc"]["status"], "empty", "{m}");
    assert_eq!(m["state"], "blank", "{m}");
    assert_eq!(m["next_writable"], 0, "{m}");
    // One blank track spanning the disc: its size is xorriso's overall count, its free
    // blocks xorriso's writable count.
    let x = xorriso_toc("blank");
    let t = &m["tracks"][0];
    assert_eq!(m["tracks"].as_array().unwrap().len(), 1, "{m}");
    assert_eq!(t["blank"], true, "{m}");
    assert_eq!(t["start"], 0, "{m}");
    assert_eq!(t["next_writable"], 0, "{m}");
    assert_eq!(x.overall, t["size"].as_u64(), "{m} {x:?}");
    assert_eq!(x.writable, t["free_blocks"].as_u64(), "{m} {x:?}");
    assert_eq!(m["free_bytes"], t["free_blocks"].as_u64().unwrap() * 2048);
}

#[test]
fn blank_dvd_plus_r_msinfo_agrees_with_wodim_and_xorriso() {
    // discburn: blank, no numbers, exit 0 (write the first session without -C/-M).
    let o = out("blank", "msinfo");
    o.assert_success();
    let m = json("blank", "msinfo");
    assert_eq!(m["state"], "blank", "{m}");
    assert!(m["last_session_start"].is_null() && m["next_writable"].is_null());
    // xorriso agrees there is nothing to continue from.
    let x = out("blank", "xorriso_msinfo");
    assert_ne!(x.status, 0, "{}", x.describe());
    assert!(x.stdout.is_empty(), "{}", x.describe());
    // wodim's DVD driver prints READ TOC format 1's start (tgt answers one even when
    // blank) and the track's NWA field: 0,0. The same two numbers in the raw answers
    // and in discburn's track report.
    let w = out("blank", "wodim_msinfo");
    w.assert_success();
    let (a, b) = parse_msinfo(&w.stdout_str()).unwrap_or_else(|| panic!("{}", w.describe()));
    let (t1, _) = raw("blank", "raw_toc1");
    assert_eq!(a, i64::from(be32(&t1, 8)), "READ TOC format 1 start");
    let media = json("blank", "media");
    assert_eq!(
        Some(b),
        media["tracks"][0]["next_writable"].as_i64(),
        "{media}"
    );
    assert_eq!((a, b), (0, 0));
}

// ---------------------------------------------------------------------------------------
// tgt's DVD+R after `discburn burn` (one session, closed: tgt then reports a DVD-ROM).

#[test]
fn burn_wrote_the_image_as_one_closed_session() {
    let f = fixture();
    let b = f.run.output(f.burn);
    b.assert_success();
    assert!(
        f.backing == f.image,
        "tgt's backing file ({} bytes) differs from the image ({} bytes)",
        f.backing.len(),
        f.image.len()
    );
}

#[test]
fn closed_dvd_toc_agrees_with_wodim_and_xorriso() {
    let toc = assert_toc_matches_wodim("closed");
    assert_eq!(toc["last_session_start"], 0, "{toc}");
    assert_eq!(toc["tracks"][0]["session"], 1, "{toc}");
    assert_toc_matches_xorriso("closed", &toc);
    // The lead-out: tgt sends its READ TOC answer two bytes short (module comment). The
    // bytes that did arrive hold the high half of the recorded size; the low half is lost,
    // and every reader shows what the guest got.
    let (t0, transferred) = raw("closed", "raw_toc0");
    let blocks = image_blocks() as u32;
    assert_eq!(u16::from_be_bytes([t0[0], t0[1]]), 18, "TOC DATA LENGTH");
    // No residual comes through QEMU's iSCSI pass-through: 20 bytes, the last two zero.
    assert_eq!((transferred, &t0[18..20]), (20, &[0u8, 0][..]), "{t0:02x?}");
    assert_eq!(
        be32(&t0, 16) >> 16,
        blocks >> 16,
        "lead-out high half (transferred {transferred})"
    );
    assert_eq!(leadout(&toc), i64::from(be32(&t0, 16)), "{toc}");
    // READ CAPACITY and READ TRACK INFORMATION hold the real size.
    let m = json("closed", "media");
    assert_eq!(m["capacity_blocks"], blocks, "{m}");
    assert_eq!(m["tracks"][0]["size"], blocks, "{m}");
}

#[test]
fn closed_dvd_media_agrees_with_xorriso() {
    let m = assert_media_matches_xorriso("closed");
    assert_eq!(m["profile"]["name"], "DVD-ROM", "{m}");
    assert_eq!(m["state"], "closed", "{m}");
    assert_eq!(m["free_blocks"], 0, "{m}");
    let t = &m["tracks"][0];
    assert_eq!(m["tracks"].as_array().unwrap().len(), 1, "{m}");
    assert_eq!(
        (t["start"].as_u64(), t["session"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(t["size"], image_blocks(), "{m}");
    assert_eq!(t["last_recorded"], image_blocks() - 1, "{m}");
    assert!(t["next_writable"].is_null(), "{m}");
    let x = xorriso_toc("closed");
    assert_eq!(x.overall, Some(image_blocks()), "{x:?}");
}

#[test]
fn closed_dvd_msinfo_agrees_with_wodim_and_xorriso() {
    let o = out("closed", "msinfo");
    assert_eq!(o.status, 1, "{}", o.describe());
    let m = json("closed", "msinfo");
    assert_eq!(m["state"], "closed", "{m}");
    let x = out("closed", "xorriso_msinfo");
    assert_ne!(x.status, 0, "{}", x.describe());
    assert!(
        x.stderr_str().contains("not appendable"),
        "{}",
        x.describe()
    );
    // wodim: READ TOC format 1's start (= discburn's last session start) and the NWA
    // field of READ TRACK INFORMATION, printed although NWA_V is clear (discburn: none).
    let w = out("closed", "wodim_msinfo");
    w.assert_success();
    let (a, b) = parse_msinfo(&w.stdout_str()).unwrap_or_else(|| panic!("{}", w.describe()));
    let toc = json("closed", "toc");
    assert_eq!(Some(a), toc["last_session_start"].as_i64(), "{toc}");
    let (ti, _) = raw("closed", "raw_track1");
    assert_eq!(ti[7] & 0x01, 0, "NWA_V");
    assert_eq!(b, i64::from(be32(&ti, 12)), "NWA field");
    let media = json("closed", "media");
    assert!(media["tracks"][0]["next_writable"].is_null(), "{media}");
}

// ---------------------------------------------------------------------------------------
// The cdrecord-named personality against wodim, text for text.

#[test]
fn cdrecord_named_msinfo_matches_wodim_where_wodim_reads_the_disc() {
    // QEMU's CD-ROM: nothing on stdout from either (byte for byte), the same words on
    // stderr; wodim exits 0 there, discburn 1 (module comment).
    let (c, w) = (out("cd", "cdrecord_msinfo"), out("cd", "wodim_msinfo"));
    assert_eq!(c.stdout, w.stdout, "{}\n{}", c.describe(), w.describe());
    assert_eq!(c.status, 1, "{}", c.describe());
    for o in [c, w] {
        assert!(
            o.stderr_str()
                .contains("Cannot read first writable address"),
            "{}",
            o.describe()
        );
    }
    // tgt's blank and closed DVD+R: wodim prints 0,0 (module comment); discburn prints
    // no numbers and says why, exactly as `discburn msinfo` decides.
    for state in ["blank", "closed"] {
        let c = out(state, "cdrecord_msinfo");
        assert_eq!(c.status, 1, "{}", c.describe());
        assert!(c.stdout.is_empty(), "{}", c.describe());
        let why = if state == "blank" {
            "Cannot read session offset: blank disc"
        } else {
            "Cannot read first writable address: disc is closed"
        };
        assert!(c.stderr_str().contains(why), "{}", c.describe());
        assert_eq!(out(state, "wodim_msinfo").stdout, b"0,0\n");
    }
}

#[test]
fn cdrecord_named_toc_matches_wodim() {
    for state in ["cd", "closed"] {
        let c = out(state, "cdrecord_toc");
        c.assert_success();
        let ours = parse_cdrecord_toc(&c.stdout_str());
        let theirs = wodim_toc(state);
        assert!(!ours.tracks.is_empty(), "{}", c.describe());
        // Every column, the mode too: READ HEADER is refused by QEMU and tgt, -1 for both.
        assert!(
            theirs.tracks.iter().all(|t| t.mode == -1),
            "{state}: {theirs:#?}"
        );
        assert_eq!(ours, theirs, "{state}:\n{}", c.describe());
    }
}
