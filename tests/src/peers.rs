//! Parsers for the text output of the independent peers run in the guest, so tests can
//! compare discburn's answers with theirs: `wodim -scanbus` (cdrecord's format, see
//! cdrtools `cdrecord/scsi_scan.c`) and `sg_inq` (sg3-utils, standard INQUIRY decoded);
//! `wodim -toc` and `-msinfo` (cdrecord.c `print_toc`, `print_msinfo`) and `xorriso -toc`.

/// One device line of `cdrecord -scanbus` / `wodim -scanbus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanbusLine {
    /// `b,t,l` as printed.
    pub btl: String,
    /// Vendor identification, exactly as quoted (8 characters, space padded).
    pub vendor: String,
    /// Product identification, exactly as quoted (16 characters).
    pub product: String,
    /// Product revision level, exactly as quoted (4 characters).
    pub revision: String,
    /// What follows the quoted strings, e.g. `Removable CD-ROM` or `Disk`.
    pub type_words: String,
}

/// The device lines of `-scanbus` output (`\tB,T,L\t  N) 'vendor' 'product' 'rev' words`);
/// empty slots (`N) *`) and other lines are left out.
pub fn parse_scanbus(text: &str) -> Vec<ScanbusLine> {
    let mut lines = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        let Some((btl, rest)) = t.split_once(char::is_whitespace) else {
            continue;
        };
        if btl.split(',').count() != 3 || !btl.split(',').all(|p| p.parse::<u32>().is_ok()) {
            continue;
        }
        let Some((_, after_num)) = rest.split_once(')') else {
            continue;
        };
        let mut quoted = Vec::new();
        let mut s = after_num.trim_start();
        while let Some(r) = s.strip_prefix('\'') {
            let Some(end) = r.find('\'') else {
                break;
            };
            quoted.push(r[..end].to_string());
            s = r[end + 1..].trim_start();
        }
        if let [vendor, product, revision] = quoted.as_slice() {
            lines.push(ScanbusLine {
                btl: btl.to_string(),
                vendor: vendor.clone(),
                product: product.clone(),
                revision: revision.clone(),
                type_words: s.trim_end().to_string(),
            });
        }
    }
    lines
}

/// What `sg_inq DEVICE` reports of the standard INQUIRY data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SgInq {
    /// Peripheral device type (`PDT=`).
    pub pdt: Option<u8>,
    /// Removable medium bit (`RMB=`).
    pub rmb: Option<bool>,
    /// `Vendor identification:`, trailing spaces trimmed.
    pub vendor: String,
    /// `Product identification:`, trailing spaces trimmed.
    pub product: String,
    /// `Product revision level:`, trailing spaces trimmed.
    pub revision: String,
    /// `Unit serial number:`, trimmed, when sg_inq printed it.
    pub serial: Option<String>,
}

/// Parses `sg_inq` output (sg3-utils 1.4x text format).
pub fn parse_sg_inq(text: &str) -> SgInq {
    let mut r = SgInq::default();
    for line in text.lines() {
        for word in line.split_whitespace() {
            if let Some(v) = word.strip_prefix("PDT=") {
                r.pdt = v.parse().ok();
            } else if let Some(v) = word.strip_prefix("RMB=") {
                r.rmb = v.parse::<u8>().ok().map(|b| b != 0);
            }
        }
        let l = line.trim_start();
        let field = |prefix: &str| l.strip_prefix(prefix).map(|v| v.trim().to_string());
        if let Some(v) = field("Vendor identification:") {
            r.vendor = v;
        } else if let Some(v) = field("Product identification:") {
            r.product = v;
        } else if let Some(v) = field("Product revision level:") {
            r.revision = v;
        } else if let Some(v) = field("Unit serial number:") {
            r.serial = Some(v);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captured in the guest: wodim 1.1.11 with QEMU scsi-cd, scsi-hd and tgt's LUN.
    const WODIM_SCANBUS: &str = "scsibus0:\n\
        \t0,0,0\t  0) 'QEMU    ' 'QEMU CD-ROM     ' '2.5+' Removable CD-ROM\n\
        \t0,1,0\t  1) 'QEMU    ' 'QEMU HARDDISK   ' '2.5+' Disk\n\
        \t0,2,0\t  2) 'IET     ' 'VIRTUAL-CDROM   ' '0001' Removable CD-ROM\n\
        \t0,3,0\t  3) *\n";

    #[test]
    fn scanbus_lines_are_parsed_and_empty_slots_skipped() {
        let l = parse_scanbus(WODIM_SCANBUS);
        assert_eq!(l.len(), 3);
        assert_eq!(
            l[0],
            ScanbusLine {
                btl: "0,0,0".into(),
                vendor: "QEMU    ".into(),
                product: "QEMU CD-ROM     ".into(),
                revision: "2.5+".into(),
                type_words: "Removable CD-ROM".into(),
            }
        );
        assert_eq!(l[1].type_words, "Disk");
        assert_eq!(l[2].vendor, "IET     ");
    }

    #[test]
    fn sg_inq_fields_are_parsed() {
        let text = "standard INQUIRY:\n\
            \x20 PQual=0  PDT=5  RMB=1  LU_CONG=0  hot_pluggable=0  version=0x05  [SPC-3]\n\
            \x20   length=66 (0x42)   Peripheral device type: cd/dvd\n\
            \x20Vendor identification: IET     \n\
            \x20Product identification: VIRTUAL-CDROM   \n\
            \x20Product revision level: 0001\n\
            \x20Unit serial number:                               beaf11\n";
        let r = parse_sg_inq(text);
        assert_eq!(r.pdt, Some(5));
        assert_eq!(r.rmb, Some(true));
        assert_eq!(r.vendor, "IET");
        assert_eq!(r.product, "VIRTUAL-CDROM");
        assert_eq!(r.revision, "0001");
        assert_eq!(r.serial.as_deref(), Some("beaf11"));
    }
}

// --- `cdrecord -toc`/`wodim -toc`, `cdrecord -msinfo` and `xorriso -toc` (helper "guestcmp")

/// One `track:` line of `cdrecord -toc` / `wodim -toc` (cdrecord.c `print_track`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdrecordTocTrack {
    /// Track number; `None` for the lead-out (`track:lout`).
    pub number: Option<u8>,
    /// `lba:` (2048-byte blocks).
    pub lba: i64,
    /// The 512-byte-block address in parentheses.
    pub lba_512: i64,
    /// `mm:ss:ff` as printed.
    pub msf: String,
    /// `adr:` (hex digit).
    pub adr: u8,
    /// `control:` (hex digit).
    pub control: u8,
    /// `mode:` (cdrecord: READ HEADER's data mode, -1 when unknown and for the lead-out).
    pub mode: i32,
}

/// What `cdrecord -toc` / `wodim -toc` printed: `first: F last L` and the track lines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CdrecordToc {
    /// First track number, when the `first:` line is there.
    pub first: Option<u8>,
    /// Last track number, when the `first:` line is there.
    pub last: Option<u8>,
    /// Track lines in order, the lead-out last.
    pub tracks: Vec<CdrecordTocTrack>,
}

impl CdrecordToc {
    /// The lead-out line, if printed.
    pub fn leadout(&self) -> Option<&CdrecordTocTrack> {
        self.tracks.iter().find(|t| t.number.is_none())
    }
}

/// Parses `-toc` output; other lines (the INQUIRY block wodim prints first) are skipped.
pub fn parse_cdrecord_toc(text: &str) -> CdrecordToc {
    let mut toc = CdrecordToc::default();
    for line in text.lines() {
        let l = line.trim();
        if let Some(rest) = l.strip_prefix("first:") {
            let mut w = rest.split_whitespace();
            toc.first = w.next().and_then(|v| v.parse().ok());
            if w.next() == Some("last") {
                toc.last = w.next().and_then(|v| v.parse().ok());
            }
            continue;
        }
        let Some(rest) = l.strip_prefix("track:") else {
            continue;
        };
        let (number, rest) = match rest.strip_prefix("lout") {
            Some(r) => (None, r),
            None => {
                let rest = rest.trim_start();
                let Some((n, r)) = rest.split_once(char::is_whitespace) else {
                    continue;
                };
                let Ok(n) = n.parse::<u8>() else {
                    continue;
                };
                (Some(n), r)
            }
        };
        // lba: N (N512) mm:ss:ff adr: A control: C mode: M
        let words: Vec<&str> = rest
            .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
            .filter(|w| !w.is_empty())
            .collect();
        let after = |key: &str| {
            words
                .iter()
                .position(|w| *w == key)
                .and_then(|i| words.get(i + 1).copied())
        };
        let (Some(lba), Some(lba_512), Some(msf)) = (
            after("lba:").and_then(|v| v.parse().ok()),
            words.get(2).and_then(|v| v.parse().ok()),
            words.get(3),
        ) else {
            continue;
        };
        let hex = |k: &str| after(k).and_then(|v| u8::from_str_radix(v, 16).ok());
        let (Some(adr), Some(control), Some(mode)) = (
            hex("adr:"),
            hex("control:"),
            after("mode:").and_then(|v| v.parse().ok()),
        ) else {
            continue;
        };
        toc.tracks.push(CdrecordTocTrack {
            number,
            lba,
            lba_512,
            msf: (*msf).to_string(),
            adr,
            control,
            mode,
        });
    }
    toc
}

/// The `a,b` line of `cdrecord -msinfo` (last session start, next writable address).
pub fn parse_msinfo(text: &str) -> Option<(i64, i64)> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let (a, b) = line.split_once(',')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// One `ISO session  :` line of `xorriso -toc` (`Idx , sbsector , Size , Volume Id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XorrisoSession {
    /// Session index (1-based).
    pub index: u32,
    /// Start block (`sbsector`).
    pub start: u64,
    /// Size in blocks (printed with an `s` suffix).
    pub size: u64,
    /// Volume id (trimmed).
    pub volume_id: String,
}

/// What `xorriso -outdev DEV -toc` / `-indev DEV -toc` printed on stdout.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XorrisoToc {
    /// `Media current:` (libburn's profile name, e.g. `DVD+R`).
    pub media_current: Option<String>,
    /// `Media status :` (e.g. `is blank`, `is written , is closed`).
    pub media_status: Option<String>,
    /// `Media blocks :` readable count.
    pub readable: Option<u64>,
    /// `Media blocks :` writable count.
    pub writable: Option<u64>,
    /// `Media blocks :` overall count.
    pub overall: Option<u64>,
    /// `ISO session` lines (also `Other session` lines, with an empty volume id).
    pub sessions: Vec<XorrisoSession>,
    /// `Media summary:` session count.
    pub summary_sessions: Option<u32>,
    /// `Media summary:` data blocks.
    pub summary_data_blocks: Option<u64>,
}

/// Parses `xorriso -toc` output (xorriso 1.5 layout).
pub fn parse_xorriso_toc(text: &str) -> XorrisoToc {
    let mut r = XorrisoToc::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "Media current" => r.media_current = Some(value.to_string()),
            "Media status" => r.media_status = Some(value.to_string()),
            "Media blocks" => {
                for part in value.split(',') {
                    let mut w = part.split_whitespace();
                    let (Some(n), Some(what)) = (w.next(), w.next()) else {
                        continue;
                    };
                    let n = n.parse().ok();
                    match what {
                        "readable" => r.readable = n,
                        "writable" => r.writable = n,
                        "overall" => r.overall = n,
                        _ => {}
                    }
                }
            }
            "ISO session" | "Other session" => {
                let f: Vec<&str> = value.splitn(4, ',').map(str::trim).collect();
                if let (Some(i), Some(s), Some(z)) = (
                    f.first().and_then(|v| v.parse().ok()),
                    f.get(1).and_then(|v| v.parse().ok()),
                    f.get(2)
                        .and_then(|v| v.strip_suffix('s'))
                        .and_then(|v| v.trim().parse().ok()),
                ) {
                    r.sessions.push(XorrisoSession {
                        index: i,
                        start: s,
                        size: z,
                        volume_id: f.get(3).map(|v| v.to_string()).unwrap_or_default(),
                    });
                }
            }
            "Media summary" => {
                for part in value.split(',') {
                    let w: Vec<&str> = part.split_whitespace().collect();
                    match w.as_slice() {
                        [n, "session" | "sessions"] => r.summary_sessions = n.parse().ok(),
                        [n, "data", "blocks"] => r.summary_data_blocks = n.parse().ok(),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    r
}

#[cfg(test)]
mod diag_parser_tests {
    use super::*;

    /// Captured in the guest: wodim 1.1.11 `-toc` on QEMU's scsi-cd (INQUIRY block cut).
    const WODIM_TOC: &str = "Device seems to be: Generic mmc2 DVD-ROM.\n\
        Supported modes: \n\
        first: 1 last 1\n\
        track:   1 lba:         0 (        0) 00:02:00 adr: 1 control: 4 mode: -1\n\
        track:lout lba:       229 (      916) 00:05:04 adr: 1 control: 6 mode: -1\n";

    /// Captured in the guest: xorriso 1.5.4 `-outdev /dev/sr0 -toc` on QEMU's scsi-cd and
    /// on tgt's blank DVD+R.
    const XORRISO_CD: &str = "Drive current: -outdev '/dev/sr0'\n\
        Media current: CD-ROM\n\
        Media status : is written , is closed\n\
        Media blocks : 229 readable , 0 writable , 229 overall\n\
        TOC layout   : Idx ,  sbsector ,       Size , Volume Id\n\
        ISO session  :   1 ,         0 ,       229s , GUESTDIAG\n\
        Media summary: 1 session, 229 data blocks,  458k data,     0 free\n";
    const XORRISO_BLANK: &str = "Media current: DVD+R\n\
        Media product: //0 , (not found in manufacturer list)\n\
        Media status : is blank\n\
        Media blocks : 0 readable , 2295104 writable , 2295104 overall\n\
        Media summary: 0 sessions, 0 data blocks, 0 data, 4483m free\n";

    #[test]
    fn cdrecord_toc_lines_are_parsed() {
        let t = parse_cdrecord_toc(WODIM_TOC);
        assert_eq!((t.first, t.last), (Some(1), Some(1)));
        assert_eq!(t.tracks.len(), 2);
        assert_eq!(
            t.tracks[0],
            CdrecordTocTrack {
                number: Some(1),
                lba: 0,
                lba_512: 0,
                msf: "00:02:00".into(),
                adr: 1,
                control: 4,
                mode: -1,
            }
        );
        let l = t.leadout().unwrap();
        assert_eq!((l.lba, l.lba_512, l.control), (229, 916, 6));
        assert_eq!(l.msf, "00:05:04");
    }

    #[test]
    fn msinfo_line_is_parsed() {
        assert_eq!(parse_msinfo("0,0\n"), Some((0, 0)));
        assert_eq!(parse_msinfo("12345,23745\n"), Some((12345, 23745)));
        assert_eq!(parse_msinfo(""), None);
        assert_eq!(parse_msinfo("garbage\n"), None);
    }

    #[test]
    fn xorriso_toc_is_parsed() {
        let x = parse_xorriso_toc(XORRISO_CD);
        assert_eq!(x.media_current.as_deref(), Some("CD-ROM"));
        assert_eq!(x.media_status.as_deref(), Some("is written , is closed"));
        assert_eq!(
            (x.readable, x.writable, x.overall),
            (Some(229), Some(0), Some(229))
        );
        assert_eq!(
            x.sessions,
            vec![XorrisoSession {
                index: 1,
                start: 0,
                size: 229,
                volume_id: "GUESTDIAG".into()
            }]
        );
        assert_eq!(
            (x.summary_sessions, x.summary_data_blocks),
            (Some(1), Some(229))
        );
        let b = parse_xorriso_toc(XORRISO_BLANK);
        assert_eq!(b.media_status.as_deref(), Some("is blank"));
        assert_eq!((b.readable, b.writable), (Some(0), Some(2295104)));
        assert!(b.sessions.is_empty());
        assert_eq!(
            (b.summary_sessions, b.summary_data_blocks),
            (Some(0), Some(0))
        );
    }
}
