//! `discburn raw`: sends one CDB exactly as given (SAM-5 §5.1 "Execute Command") and shows
//! what came back: status, decoded sense data (SPC-4 §4.5) and the data in hex, as sg_raw
//! does. No retries and no waiting: the drive's first answer is the answer.
//!
//! The data received can also be written untouched to a file (`--save FILE`) or to stdout
//! (`--bin`, the report then goes to stderr), so a test can compare it with `dd` output.
//! Exit status 0 when the drive answers GOOD, 1 otherwise.
//!
//! Like sg_raw it sends what it is given, with one exception that keeps the project's rule
//! "never send a WRITE to a device that is not a CD/DVD/BD drive": a command that can change
//! what a device stores (any data-out phase, and the writing, formatting, erasing and
//! pass-through opcodes of [`MODIFYING`]) goes only to a device whose INQUIRY says
//! peripheral device type 5; to any other device it is refused before it is sent (use
//! sg_raw for disks). There is no override. On an emulated drive (`emu:`) such a command
//! opens the disc as its one writer, so one process at a time changes it; the drive keeps
//! its state between the processes (one `raw` per CDB is one powered drive).

use std::io::{self, Read, Write};
use std::time::Duration;

use serde::Serialize;
use transport::{Cdb, Completion, DataPhase, Request, Transport};

use crate::args::{GlobalArgs, RawArgs};
use crate::device;
use crate::error::CliError;
use crate::output::{self, Report};

/// Largest data-in phase `--in` accepts (16 MiB).
pub const MAX_DATA_IN: usize = 16 * 1024 * 1024;

/// Parses CDB hex given as one or several arguments: `"28 00 00 00 00 10 00 00 02 00"`,
/// `28000000001000000200`, `28:00:...`; spaces, colons, commas and a leading `0x` per
/// argument are ignored.
pub fn parse_cdb(parts: &[String]) -> Result<Cdb, CliError> {
    let mut digits = String::new();
    for p in parts {
        for word in p.split([' ', ':', ',', '\t']) {
            let w = word
                .strip_prefix("0x")
                .or_else(|| word.strip_prefix("0X"))
                .unwrap_or(word);
            // A lone one-digit byte ("5" in "12 0 0 0 5 0") is that byte.
            if w.len() == 1 {
                digits.push('0');
            }
            digits.push_str(w);
        }
    }
    if !digits.len().is_multiple_of(2) || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(CliError::Usage(format!(
            "raw: CDB '{}' is not hex bytes (e.g. '28 00 00 00 00 10 00 00 02 00')",
            parts.join(" ")
        )));
    }
    let bytes: Vec<u8> = (0..digits.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&digits[i..i + 2], 16).ok())
        .collect();
    Cdb::new(&bytes).map_err(|e| CliError::Usage(format!("raw: {e}")))
}

/// Parses a length: decimal, or hex with `0x`.
pub fn parse_len(s: &str) -> Result<usize, String> {
    let n = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => usize::from_str_radix(h, 16),
        None => s.parse::<usize>(),
    }
    .map_err(|_| format!("'{s}' is not a byte count"))?;
    if n > MAX_DATA_IN {
        return Err(format!("{n} bytes is more than the {MAX_DATA_IN} allowed"));
    }
    Ok(n)
}

/// Parses a timeout in seconds (fractions allowed).
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(v > 0.0 && v <= 86_400.0) {
        return Err(format!("{v} s is not between 0 and 86400"));
    }
    Ok(Duration::from_secs_f64(v))
}

/// Opcodes that change what a device stores, or reach past SCSI to do so: FORMAT UNIT,
/// WRITE(6/10/12/16), WRITE AND VERIFY(10/12/16), WRITE SAME(10/16), UNMAP, SANITIZE,
/// WRITE LONG, WRITE BUFFER, COMPARE AND WRITE, ATA PASS-THROUGH(12/16) (A1h is also MMC's
/// BLANK), CLOSE TRACK/SESSION, RESERVE TRACK, SEND CUE SHEET, and the variable-length
/// CDBs (7Fh: WRITE(32) and others).
pub const MODIFYING: &[u8] = &[
    0x04, 0x0A, 0x2A, 0xAA, 0x8A, 0x2E, 0xAE, 0x8E, 0x41, 0x93, 0x42, 0x48, 0x3F, 0x3B, 0x89, 0x85,
    0xA1, 0x5B, 0x53, 0x5D, 0x7F,
];

/// True when `cdb` (with a data-out phase or not) can change what the device stores.
pub fn modifies_device(cdb: &Cdb, data_out: bool) -> bool {
    data_out || MODIFYING.contains(&cdb.opcode())
}

/// Refuses a command that can change what the device stores unless the device's INQUIRY
/// says it is a CD/DVD/BD device (peripheral device type 5, qualifier 0).
pub fn check_target(t: &mut dyn Transport, cdb: &Cdb, data_out: bool) -> Result<(), CliError> {
    if !modifies_device(cdb, data_out) {
        return Ok(());
    }
    let refuse = |why: String| {
        CliError::Failed(format!(
            "raw: refusing to send {} ({:02X}h{}): {why}; raw sends commands that can change \
             what a device stores only to CD/DVD/BD drives (type 5); nothing was sent",
            mmc::cmd::opcode_name(cdb.opcode()),
            cdb.opcode(),
            if data_out { ", with data out" } else { "" },
        ))
    };
    let inq = transport::spc::inquiry(t, None).map_err(|e| {
        refuse(format!(
            "INQUIRY failed ({e}), so the device type is unknown"
        ))
    })?;
    let d = transport::spc::InquiryData::new_checked(&inq)
        .map_err(|e| refuse(format!("the INQUIRY data is malformed ({e})")))?;
    let pdt = d.device_type().code();
    if pdt != 5 || d.peripheral_qualifier() != 0 {
        return Err(refuse(format!(
            "the device is type {pdt:02X}h ({}), not a CD/DVD/BD drive",
            d.device_type().cdrecord_name()
        )));
    }
    Ok(())
}

/// Decoded sense data of [`RawReport`].
#[derive(Debug, Serialize)]
pub struct RawSense {
    /// Sense key name ("ILLEGAL REQUEST").
    pub key: String,
    /// Sense key code.
    pub key_code: u8,
    /// Additional sense code.
    pub asc: u8,
    /// Additional sense code qualifier.
    pub ascq: u8,
    /// The whole decoded line, as in `MEDIUM ERROR: WRITE ERROR (0C/00)`.
    pub text: String,
    /// INFORMATION field when valid.
    pub information: Option<u64>,
}

/// `raw` output.
#[derive(Debug, Serialize)]
pub struct RawReport {
    /// The device as named.
    pub device: String,
    /// The CDB in hex.
    pub cdb: String,
    /// The command's MMC/SPC name.
    pub command: String,
    /// "none", "in" or "out".
    pub direction: &'static str,
    /// Bytes of the data phase asked for.
    pub requested: usize,
    /// Bytes moved (requested minus residual).
    pub transferred: usize,
    /// Residual the transport reported.
    pub residual: usize,
    /// Status in words.
    pub status: String,
    /// Status byte.
    pub status_byte: u8,
    /// Decoded sense, when the device returned sense data that parses.
    pub sense: Option<RawSense>,
    /// Raw sense bytes in hex (empty when none).
    pub sense_hex: String,
    /// How long the command took, in milliseconds.
    pub duration_ms: f64,
    /// Data received, in hex (empty for no data-in phase).
    pub data_hex: String,
    /// Data received, bytes (not serialized; `data_hex` carries them).
    #[serde(skip)]
    pub data: Vec<u8>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn spaced(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Hex dump lines: offset, 16 bytes in two groups of 8, printable ASCII (hexdump -C style).
pub fn hex_dump(out: &mut dyn Write, data: &[u8]) -> io::Result<()> {
    for (i, chunk) in data.chunks(16).enumerate() {
        let mut line = format!("{:08x} ", i * 16);
        for j in 0..16 {
            if j == 8 {
                line.push(' ');
            }
            match chunk.get(j) {
                Some(b) => line.push_str(&format!(" {b:02x}")),
                None => line.push_str("   "),
            }
        }
        let ascii: String = chunk
            .iter()
            .map(|&b| {
                if (0x20..0x7F).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        writeln!(out, "{line}  |{ascii}|")?;
    }
    Ok(())
}

impl RawReport {
    /// Builds the report from a completion; `data` is the whole data-in buffer.
    pub fn new(
        device: &str,
        cdb: &Cdb,
        direction: &'static str,
        requested: usize,
        c: &Completion,
        mut data: Vec<u8>,
    ) -> Self {
        let transferred = c.transferred(requested);
        data.truncate(transferred);
        let sense = c.sense().map(|s| RawSense {
            key: s.key.name().to_string(),
            key_code: s.key.code(),
            asc: s.asc,
            ascq: s.ascq,
            text: s.to_string(),
            information: s.information,
        });
        RawReport {
            device: device.to_string(),
            cdb: hex(cdb.as_bytes()),
            command: mmc::cmd::opcode_name(cdb.opcode()).to_string(),
            direction,
            requested,
            transferred,
            residual: c.residual,
            status: c.status.to_string(),
            status_byte: c.status.to_byte(),
            sense,
            sense_hex: hex(&c.sense),
            duration_ms: c.duration.as_secs_f64() * 1000.0,
            data_hex: if direction == "in" {
                hex(&data)
            } else {
                String::new()
            },
            data,
        }
    }

    /// True when the device answered GOOD (or CONDITION MET).
    pub fn is_good(&self) -> bool {
        matches!(self.status_byte & 0xFE, 0x00 | 0x04)
    }

    /// The report without the data dump (for `--bin`, `--save` and `--hex`).
    fn write_head(&self, out: &mut dyn Write) -> io::Result<()> {
        let cdb: Vec<u8> = (0..self.cdb.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(self.cdb.get(i..i + 2)?, 16).ok())
            .collect();
        writeln!(out, "Device:      {}", self.device)?;
        writeln!(out, "CDB:         {}  ({})", spaced(&cdb), self.command)?;
        writeln!(
            out,
            "Status:      {} ({:02X}h)",
            self.status, self.status_byte
        )?;
        if let Some(s) = &self.sense {
            writeln!(out, "Sense:       {}", s.text)?;
            if let Some(i) = s.information {
                writeln!(out, "Information: {i} ({i:#x})")?;
            }
        }
        if !self.sense_hex.is_empty() {
            let b: Vec<u8> = (0..self.sense_hex.len())
                .step_by(2)
                .filter_map(|i| u8::from_str_radix(self.sense_hex.get(i..i + 2)?, 16).ok())
                .collect();
            writeln!(out, "Sense bytes: {}", spaced(&b))?;
        }
        writeln!(out, "Duration:    {:.3} ms", self.duration_ms)?;
        match self.direction {
            "in" => writeln!(
                out,
                "Data in:     {} of {} bytes received",
                self.transferred, self.requested
            )?,
            "out" => writeln!(
                out,
                "Data out:    {} of {} bytes sent",
                self.transferred, self.requested
            )?,
            _ => writeln!(out, "Data:        none")?,
        }
        Ok(())
    }
}

impl Report for RawReport {
    fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        self.write_head(out)?;
        hex_dump(out, &self.data)
    }
}

/// Runs `raw`.
pub fn run(global: &GlobalArgs, args: &RawArgs) -> Result<(), CliError> {
    let cdb = parse_cdb(&args.cdb)?;
    if args.bin && (global.json || args.hex) {
        return Err(CliError::Usage(
            "raw: --bin writes the data bytes to stdout; it cannot be combined with --json or \
             --hex"
                .into(),
        ));
    }
    let out_data = match &args.data_out {
        Some(p) if p.as_os_str() == "-" => {
            let mut v = Vec::new();
            io::stdin().read_to_end(&mut v)?;
            Some(v)
        }
        Some(p) => Some(
            std::fs::read(p)
                .map_err(|e| CliError::Failed(format!("raw: cannot read {}: {e}", p.display())))?,
        ),
        None => None,
    };
    let spec = device::resolve(global.dev.as_deref())?;
    let trace = global.verbose.saturating_sub(1);
    // An emulated disc has one writer at a time: a command that can change it takes the
    // writer's lock (a second writer is refused, as the emu: dispatch does for add/burn),
    // so its changes are recorded whole; an OS device is opened shared, as sg_raw does.
    let mut t = if modifies_device(&cdb, out_data.is_some())
        && matches!(spec, transport::DevSpec::Emu { .. })
    {
        device::open_writer(&spec, trace, false)?
    } else {
        device::open(&spec, trace)?
    };
    check_target(&mut *t, &cdb, out_data.is_some())?;
    let report = execute(
        &mut *t,
        &spec.to_string(),
        cdb,
        args.data_in,
        out_data,
        args.timeout,
    )?;
    emit(&report, global.json, args)?;
    if report.is_good() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "raw: {} ({:02X}h): {}{}",
            report.command,
            cdb.opcode(),
            report.status,
            report
                .sense
                .as_ref()
                .map(|s| format!(": {}", s.text))
                .unwrap_or_default()
        )))
    }
}

/// Sends `cdb` with a data-in phase of `data_in` bytes, or the data-out bytes, or neither.
pub fn execute(
    t: &mut dyn Transport,
    device: &str,
    cdb: Cdb,
    data_in: Option<usize>,
    data_out: Option<Vec<u8>>,
    timeout: Option<Duration>,
) -> Result<RawReport, CliError> {
    let timeout = timeout.unwrap_or(transport::DEFAULT_TIMEOUT);
    let report = match (data_in, data_out) {
        (Some(_), Some(_)) => {
            return Err(CliError::Usage(
                "raw: give --in LEN or --out FILE, not both".into(),
            ))
        }
        (Some(n), None) => {
            let mut buf = vec![0u8; n];
            let c = t.execute(Request {
                cdb,
                data: DataPhase::In(&mut buf),
                timeout,
            })?;
            RawReport::new(device, &cdb, "in", n, &c, buf)
        }
        (None, Some(v)) => {
            let c = t.execute(Request {
                cdb,
                data: DataPhase::Out(&v),
                timeout,
            })?;
            RawReport::new(device, &cdb, "out", v.len(), &c, Vec::new())
        }
        (None, None) => {
            let c = t.execute(Request {
                cdb,
                data: DataPhase::None,
                timeout,
            })?;
            RawReport::new(device, &cdb, "none", 0, &c, Vec::new())
        }
    };
    Ok(report)
}

fn emit(report: &RawReport, json: bool, args: &RawArgs) -> Result<(), CliError> {
    if let Some(p) = &args.save {
        std::fs::write(p, &report.data)
            .map_err(|e| CliError::Failed(format!("raw: cannot write {}: {e}", p.display())))?;
    }
    if json {
        return output::emit(report, true);
    }
    if args.bin {
        let mut err = io::stderr().lock();
        report.write_head(&mut err)?;
        let mut out = io::stdout().lock();
        out.write_all(&report.data)?;
        out.flush()?;
        return Ok(());
    }
    let mut out = io::stdout().lock();
    if args.hex {
        writeln!(out, "{}", report.data_hex)?;
    } else if args.save.is_some() {
        report.write_head(&mut out)?;
    } else {
        report.write_text(&mut out)?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    /// Standard INQUIRY data of QEMU's scsi-hd (a disk, type 00h).
    const DISK_INQUIRY: [u8; 36] = [
        0x00, 0x00, 0x05, 0x12, 0x1F, 0x00, 0x00, 0x12, b'Q', b'E', b'M', b'U', b' ', b' ', b' ',
        b' ', b'Q', b'E', b'M', b'U', b' ', b'H', b'A', b'R', b'D', b'D', b'I', b'S', b'K', b' ',
        b' ', b' ', b'2', b'.', b'5', b'+',
    ];

    #[test]
    fn writing_commands_go_only_to_optical_drives() {
        let dir = tempfile::tempdir().unwrap();
        let spec = transport::DevSpec::parse(&format!(
            "emu:{},profile=dvd+rw",
            dir.path().join("d.img").display()
        ))
        .unwrap();
        let write10 = parse_cdb(&s(&["2a 00 00 00 00 00 00 00 01 00"])).unwrap();
        let read10 = parse_cdb(&s(&["28 00 00 00 00 00 00 00 01 00"])).unwrap();
        let format = parse_cdb(&s(&["04 11 00 00 00 00"])).unwrap();
        let tur = parse_cdb(&s(&["00 00 00 00 00 00"])).unwrap();
        // The emulated drive is type 5: everything goes.
        let mut t =
            crate::device::open_transport(&spec, &transport::OpenOptions::default()).unwrap();
        check_target(&mut *t, &write10, true).unwrap();
        check_target(&mut *t, &format, false).unwrap();
        // The same drive answering INQUIRY as a disk: reads go, writes do not, and nothing
        // but INQUIRY reaches it.
        let t = crate::device::open_transport(&spec, &transport::OpenOptions::default()).unwrap();
        let mut disk = transport::fault::FaultInjector::new(t)
            .on_opcode(0x12)
            .always()
            .replace_data(DISK_INQUIRY.to_vec());
        check_target(&mut disk, &read10, false).unwrap();
        check_target(&mut disk, &tur, false).unwrap();
        for (cdb, out) in [(&write10, true), (&format, false), (&tur, true)] {
            let e = check_target(&mut disk, cdb, out).unwrap_err().to_string();
            assert!(e.contains("type 00h"), "{e}");
            assert!(e.contains("nothing was sent"), "{e}");
        }
        assert!(modifies_device(
            &parse_cdb(&s(&["a1 00 00 00 00 00 00 00 00 00 00 00"])).unwrap(),
            false
        ));
    }

    #[test]
    fn cdb_forms() {
        let want = [0x28, 0, 0, 0, 0, 0x10, 0, 0, 2, 0];
        for form in [
            s(&["28 00 00 00 00 10 00 00 02 00"]),
            s(&["28000000001000000200"]),
            s(&["28", "00", "00", "00", "00", "10", "00", "00", "02", "00"]),
            s(&["28:00:00:00:00:10:00:00:02:00"]),
            s(&["0x28", "0", "0", "0", "0", "0x10", "0", "0", "2", "0"]),
        ] {
            assert_eq!(parse_cdb(&form).unwrap().as_bytes(), &want, "{form:?}");
        }
        assert!(parse_cdb(&s(&["28 00 0"])).is_err());
        assert!(parse_cdb(&s(&["2800zz"])).is_err());
        // 7 bytes is no CDB length
        let e = parse_cdb(&s(&["00 00 00 00 00 00 00"])).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn lengths_and_timeouts() {
        assert_eq!(parse_len("4096"), Ok(4096));
        assert_eq!(parse_len("0x800"), Ok(2048));
        assert!(parse_len("-1").is_err());
        assert!(parse_len("99999999999").is_err());
        assert_eq!(parse_timeout("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("x").is_err());
    }

    #[test]
    fn dump_layout() {
        let mut out = Vec::new();
        hex_dump(&mut out, b"\x01CD001\x01\x00LINUX   abc").unwrap();
        let t = String::from_utf8(out).unwrap();
        assert_eq!(
            t,
            "00000000  01 43 44 30 30 31 01 00  4c 49 4e 55 58 20 20 20  |.CD001..LINUX   |\n\
             00000010  61 62 63                                          |abc|\n"
        );
    }

    #[test]
    fn check_condition_report() {
        let c = Completion::check_condition(
            transport::Sense::fixed(transport::SenseKey::IllegalRequest, 0x20, 0x00),
            Duration::from_millis(2),
        );
        let cdb = Cdb::new(&[0xFF, 0, 0, 0, 0, 0]).unwrap();
        let r = RawReport::new("emu:x", &cdb, "none", 0, &c, Vec::new());
        assert!(!r.is_good());
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["status"], "CHECK CONDITION");
        assert_eq!(v["status_byte"], 2);
        assert_eq!(v["sense"]["key_code"], 5);
        assert_eq!(v["sense"]["asc"], 0x20);
        assert_eq!(v["cdb"], "ff0000000000");
        let mut out = Vec::new();
        r.write_text(&mut out).unwrap();
        let t = String::from_utf8(out).unwrap();
        assert!(t.contains("Status:      CHECK CONDITION (02h)"), "{t}");
        assert!(
            t.contains("Sense:       ILLEGAL REQUEST: INVALID COMMAND OPERATION CODE (20/00)"),
            "{t}"
        );
    }
}
