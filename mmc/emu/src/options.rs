//! `emu:PATH[,key=value...]` options: what to create, drive settings, and fault injection.

use std::path::PathBuf;

use super::error::EmuOpenError;
use super::medium::MediumKind;
use super::BLOCK;

/// Options of an `emu:` device string.
///
/// | option | meaning |
/// |---|---|
/// | `profile=KIND` | medium to create when PATH does not exist (`cd-r`, `cd-rw`, `dvd-r`, `dvd+r`, `dvd+r-dl`, `dvd+rw`, `bd-r`, `bd-re`; `cd-rom`, `dvd-rom`, `bd-rom` with `pressed=`) |
/// | `pressed=ISO` | create PATH as a pressed CD-ROM/DVD-ROM/BD-ROM holding a copy of ISO |
/// | `speed=N` | write at N x the medium's 1x rate (CD 150 KiB/s, DVD 1385 kB/s, BD 4.5 MB/s); default unthrottled; `speed=0` removes a stored speed |
/// | `buffer=SIZE` | drive buffer (`K`/`M` suffixes), default 4M |
/// | `bup=off` | buffer-underrun protection off: an underrun fails the write |
/// | `write_error=LBA` | MEDIUM ERROR, WRITE ERROR (03/0C/00) when a write reaches LBA |
/// | `not_ready=N` | the first N commands answer NOT READY, BECOMING READY (02/04/01) |
/// | `unit_attention` | UNIT ATTENTION, MEDIUM MAY HAVE CHANGED (06/28/00) after load |
/// | `power_cycle=on` | the drive was switched off and on since the last process: what a powered drive keeps (mode pages 05h and 01h, speeds, tray, lock, an announced cue sheet, a simulation; see [`crate::powered`]) returns to its power-on defaults, and the first command answers UNIT ATTENTION, POWER ON OCCURRED (06/29/01); the disc is unchanged |
/// | `fill_early=BLOCKS` | the medium holds (and reports) only BLOCKS blocks |
/// | `max_transfer=BYTES` | largest data phase per command, default 512K |
/// | `durable=on` | SYNCHRONIZE CACHE and CLOSE fdatasync the image (default: page cache only, which survives a killed process but not a power loss) |
/// | `bad=A-B;C;D-E` | READ of any block in these LBA ranges (inclusive) fails with MEDIUM ERROR, UNRECOVERED READ ERROR (03/11/00), INFORMATION = the first bad block of the request; no data is transferred |
/// | `c2=A-B;C` | marginal CD-DA sectors: READ CD of a CD-DA sector in these LBA ranges answers GOOD with every 8th byte of the 2352 (bytes 0, 8, 16, ...) XOR [`C2_XOR`] (the drive's uncorrectable bytes) and, when the C2 error field is asked for (byte 9 bits 2-1, MMC-6 §6.15), the error bit of each of those bytes set (the 294-byte field, or the 296-byte one with the block error byte, the OR of them all); other commands and other sectors are untouched |
/// | `slow=A-B:F;C-D:G` | blocks in A..=B take F times the time of a block at the drive's read speed (the delay is added to the READ; other blocks read as fast as the image file) |
/// | `garble=A-B;C` | a failing laser or medium: blocks in these LBA ranges (inclusive) that a WRITE records while the option is given are stored altered (every byte XOR [`GARBLE_XOR`], so no block equals what was sent); the WRITE completes GOOD and later READs return the altered bytes with GOOD status; other blocks are untouched |
/// | | CD-DA sectors too (2352 bytes each, in the audio companion file); session-at-once sectors are altered whenever they lie in the ranges (`garble_writes=` counts the WRITE commands of track-at-once and data writing) |
/// | `garble_writes=N` | `garble=` alters only the first N WRITE commands that touch its ranges; later ones are recorded as sent (a marginal spot that a rewrite fixes) |
/// | `sao=off` | a CD writer without session-at-once: no CD Mastering feature (002Eh) in GET CONFIGURATION, write type 2 (SAO) refused in MODE SELECT page 05h (26/00) and SEND CUE SHEET an invalid command (20/00) |
/// | `sao_appendable=off` | session-at-once on a blank CD only, as the drives of libburn's cookbook: SEND CUE SHEET on a CD that holds sessions is refused (ILLEGAL REQUEST, 26/00) |
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmuOptions {
    /// Medium to create.
    pub profile: Option<MediumKind>,
    /// ISO to press into a new read-only disc.
    pub pressed: Option<PathBuf>,
    /// Write speed in x of the medium's 1x (0: unthrottled).
    pub speed: Option<f64>,
    /// Drive buffer size in bytes.
    pub buffer: Option<u64>,
    /// Buffer-underrun protection (default on).
    pub bup: Option<bool>,
    /// Inject a write error at this LBA.
    pub write_error: Option<u32>,
    /// Answer NOT READY for this many commands.
    pub not_ready: u32,
    /// Report UNIT ATTENTION after load.
    pub unit_attention: bool,
    /// The drive was power cycled: settings back to defaults, UNIT ATTENTION 29/01.
    pub power_cycle: bool,
    /// The medium holds only this many blocks.
    pub fill_early: Option<u32>,
    /// Largest data phase in bytes.
    pub max_transfer: Option<usize>,
    /// fdatasync the image at SYNCHRONIZE CACHE and CLOSE TRACK/SESSION.
    pub durable: bool,
    /// Unreadable LBA ranges (first, last; inclusive) for `bad=`.
    pub bad: Vec<(u32, u32)>,
    /// Marginal CD-DA LBA ranges (first, last; inclusive) for `c2=`.
    pub c2: Vec<(u32, u32)>,
    /// Slow LBA ranges for `slow=`.
    pub slow: Vec<SlowRange>,
    /// LBA ranges (first, last; inclusive) recorded altered for `garble=`.
    pub garble: Vec<(u32, u32)>,
    /// `garble_writes=`: how many more WRITE commands `garble=` alters (None: all).
    pub garble_writes: Option<u32>,
    /// `sao=off`: the drive has no CD session-at-once (no feature 002Eh, no SEND CUE SHEET).
    pub no_sao: bool,
    /// `sao_appendable=off`: SEND CUE SHEET is refused on a CD that already holds sessions.
    pub no_sao_appendable: bool,
}

/// The byte every byte of a garbled block is XORed with (`garble=`): nonzero, so each
/// byte of the stored block differs from the byte sent.
pub const GARBLE_XOR: u8 = 0x5A;

/// The byte a `c2=` sector's damaged bytes are XORed with.
pub const C2_XOR: u8 = 0xA5;

/// An LBA range read `factor` times slower than the drive's read speed (`slow=A-B:F`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlowRange {
    /// First block.
    pub first: u32,
    /// Last block (inclusive).
    pub last: u32,
    /// Each block takes this many block times at the drive's read speed.
    pub factor: f64,
}

/// Parses `A-B` or `A` (inclusive LBA range).
fn parse_lba_range(key: &str, v: &str, item: &str) -> Result<(u32, u32), EmuOpenError> {
    let msg = "expected LBA ranges such as 100-199;5000-5009";
    let (a, b) = match item.split_once('-') {
        Some((a, b)) => (a, b),
        None => (item, item),
    };
    let a = a.trim().parse::<u32>().map_err(|_| bad(key, v, msg))?;
    let b = b.trim().parse::<u32>().map_err(|_| bad(key, v, msg))?;
    if b < a {
        return Err(bad(key, v, "a range ends before it starts"));
    }
    Ok((a, b))
}

impl EmuOptions {
    /// The first block of `lba .. lba + blocks` that lies in a `bad=` range.
    pub fn first_bad_block(&self, lba: u32, blocks: u32) -> Option<u32> {
        let end = u64::from(lba) + u64::from(blocks); // exclusive
        self.bad
            .iter()
            .filter(|&&(a, b)| u64::from(a) < end && b >= lba)
            .map(|&(a, _)| a.max(lba))
            .min()
    }

    /// Whether block `lba` lies in a `c2=` range.
    pub fn c2_sector(&self, lba: u32) -> bool {
        self.c2.iter().any(|&(a, b)| a <= lba && lba <= b)
    }

    /// Whether any block of `lba .. lba + blocks` lies in a `garble=` range.
    pub fn garbles(&self, lba: u32, blocks: u32) -> bool {
        let end = u64::from(lba) + u64::from(blocks); // exclusive
        self.garble
            .iter()
            .any(|&(a, b)| u64::from(a) < end && b >= lba)
    }

    /// Whether a WRITE of `lba .. lba + blocks` is to be recorded altered: it touches a
    /// `garble=` range and `garble_writes=` has not run out (counting this WRITE).
    pub fn take_garbled_write(&mut self, lba: u32, blocks: u32) -> bool {
        if !self.garbles(lba, blocks) {
            return false;
        }
        match &mut self.garble_writes {
            None => true,
            Some(0) => false,
            Some(k) => {
                *k -= 1;
                true
            }
        }
    }

    /// Alters `data`, whole blocks to be recorded from `lba`, as `garble=` says: every byte
    /// of each block in a garbled range is XORed with [`GARBLE_XOR`]; other blocks are left
    /// as they are. A trailing partial block is left alone. Returns the blocks altered.
    pub fn garble_blocks(&self, lba: u32, data: &mut [u8]) -> u32 {
        self.garble_sectors(lba, data, BLOCK)
    }

    /// [`Self::garble_blocks`] for sectors of `size` bytes (2352 for CD-DA).
    pub fn garble_sectors(&self, lba: u32, data: &mut [u8], size: usize) -> u32 {
        let mut altered = 0;
        for (i, block) in data.chunks_exact_mut(size.max(1)).enumerate() {
            let at = u64::from(lba) + i as u64;
            if self
                .garble
                .iter()
                .any(|&(a, b)| u64::from(a) <= at && at <= u64::from(b))
            {
                block.iter_mut().for_each(|x| *x ^= GARBLE_XOR);
                altered += 1;
            }
        }
        altered
    }

    /// Extra block times for reading `lba .. lba + blocks`: the sum of the slow factors
    /// of its blocks in `slow=` ranges (0 when none is slow).
    pub fn slow_block_times(&self, lba: u32, blocks: u32) -> f64 {
        let end = u64::from(lba) + u64::from(blocks);
        self.slow
            .iter()
            .map(|r| {
                let lo = u64::from(r.first.max(lba));
                let hi = (u64::from(r.last) + 1).min(end);
                if hi > lo {
                    (hi - lo) as f64 * r.factor
                } else {
                    0.0
                }
            })
            .sum()
    }
}

fn bad(key: &str, value: &str, reason: &str) -> EmuOpenError {
    EmuOpenError::BadOption {
        key: key.into(),
        value: value.into(),
        reason: reason.into(),
    }
}

/// Parses a byte size with an optional `K`, `M` or `G` suffix (binary units).
fn parse_size(key: &str, v: &str) -> Result<u64, EmuOpenError> {
    let t = v.trim();
    let (num, mul) = match t.char_indices().last() {
        Some((i, c)) if c.eq_ignore_ascii_case(&'k') => (&t[..i], 1024u64),
        Some((i, c)) if c.eq_ignore_ascii_case(&'m') => (&t[..i], 1024 * 1024),
        Some((i, c)) if c.eq_ignore_ascii_case(&'g') => (&t[..i], 1024 * 1024 * 1024),
        _ => (t, 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mul))
        .ok_or_else(|| bad(key, v, "expected a size such as 2048, 256K or 4M"))
}

/// Parses `on`/`off` (also 1/0, yes/no, true/false; empty is on).
fn parse_on_off(key: &str, v: &str) -> Result<bool, EmuOpenError> {
    match v.to_ascii_lowercase().as_str() {
        "on" | "1" | "yes" | "true" | "" => Ok(true),
        "off" | "0" | "no" | "false" => Ok(false),
        _ => Err(bad(key, v, "expected on or off")),
    }
}

fn parse_u32(key: &str, v: &str) -> Result<u32, EmuOpenError> {
    v.trim()
        .parse::<u32>()
        .map_err(|_| bad(key, v, "expected a block number"))
}

impl EmuOptions {
    /// Parses `key=value` pairs as `transport::DevSpec::Emu` carries them.
    pub fn parse(options: &[(String, String)]) -> Result<Self, EmuOpenError> {
        let mut o = EmuOptions::default();
        for (k, v) in options {
            match k.as_str() {
                "profile" => {
                    o.profile = Some(
                        MediumKind::from_option(v)
                            .ok_or_else(|| bad(k, v, "unknown medium; use cd-r, cd-rw, dvd-r, dvd+r, dvd+r-dl, dvd+rw, bd-r, bd-re, cd-rom, dvd-rom, bd-rom"))?,
                    )
                }
                "pressed" => o.pressed = Some(PathBuf::from(v)),
                "speed" => {
                    let s: f64 = v.trim().trim_end_matches(['x', 'X']).parse().map_err(|_| bad(k, v, "expected a speed in x, e.g. 8"))?;
                    if !(s >= 0.0 && s.is_finite()) {
                        return Err(bad(k, v, "speed must be 0 (unthrottled) or positive"));
                    }
                    o.speed = Some(s);
                }
                "buffer" => {
                    let b = parse_size(k, v)?;
                    if b < 2048 {
                        return Err(bad(k, v, "the buffer must hold at least one block"));
                    }
                    o.buffer = Some(b);
                }
                "bup" => {
                    o.bup = Some(match v.to_ascii_lowercase().as_str() {
                        "on" | "1" | "yes" | "true" | "" => true,
                        "off" | "0" | "no" | "false" => false,
                        _ => return Err(bad(k, v, "expected on or off")),
                    })
                }
                "write_error" => o.write_error = Some(parse_u32(k, v)?),
                "not_ready" => o.not_ready = parse_u32(k, v)?,
                "power_cycle" => o.power_cycle = parse_on_off(k, v)?,
                "unit_attention" => {
                    o.unit_attention = !matches!(v.to_ascii_lowercase().as_str(), "off" | "0" | "no" | "false")
                }
                "durable" => {
                    o.durable = match v.to_ascii_lowercase().as_str() {
                        "on" | "1" | "yes" | "true" | "" => true,
                        "off" | "0" | "no" | "false" => false,
                        _ => return Err(bad(k, v, "expected on or off")),
                    }
                }
                "fill_early" => o.fill_early = Some(parse_u32(k, v)?),
                "sao" => o.no_sao = !parse_on_off(k, v)?,
                "sao_appendable" => o.no_sao_appendable = !parse_on_off(k, v)?,
                "bad" => {
                    for item in v.split(';').filter(|i| !i.trim().is_empty()) {
                        o.bad.push(parse_lba_range(k, v, item)?);
                    }
                }
                "c2" => {
                    for item in v.split(';').filter(|i| !i.trim().is_empty()) {
                        o.c2.push(parse_lba_range(k, v, item)?);
                    }
                }
                "garble_writes" => o.garble_writes = Some(parse_u32(k, v)?),
                "garble" => {
                    for item in v.split(';').filter(|i| !i.trim().is_empty()) {
                        o.garble.push(parse_lba_range(k, v, item)?);
                    }
                }
                "slow" => {
                    for item in v.split(';').filter(|i| !i.trim().is_empty()) {
                        let (range, f) = item
                            .split_once(':')
                            .ok_or_else(|| bad(k, v, "expected A-B:FACTOR, e.g. 2000-2999:8"))?;
                        let (first, last) = parse_lba_range(k, v, range)?;
                        let factor: f64 = f
                            .trim()
                            .trim_end_matches(['x', 'X'])
                            .parse()
                            .map_err(|_| bad(k, v, "expected a factor such as 8"))?;
                        if !(factor.is_finite() && factor >= 1.0) {
                            return Err(bad(k, v, "the slow factor must be at least 1"));
                        }
                        o.slow.push(SlowRange { first, last, factor });
                    }
                }
                "max_transfer" => {
                    let m = parse_size(k, v)?;
                    if m < 2048 {
                        return Err(bad(k, v, "must be at least 2048"));
                    }
                    o.max_transfer = Some(usize::try_from(m).map_err(|_| bad(k, v, "too large"))?);
                }
                _ => {
                    return Err(bad(k, v, "unknown option; known: profile, pressed, speed, buffer, bup, write_error, not_ready, unit_attention, power_cycle, fill_early, max_transfer, durable, bad, c2, slow, garble, garble_writes, sao, sao_appendable"))
                }
            }
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(s: &[(&str, &str)]) -> Vec<(String, String)> {
        s.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn parses_all() {
        let o = EmuOptions::parse(&kv(&[
            ("profile", "bd-r"),
            ("speed", "8"),
            ("buffer", "256K"),
            ("bup", "off"),
            ("write_error", "1000"),
            ("not_ready", "3"),
            ("unit_attention", ""),
            ("fill_early", "5000"),
        ]))
        .unwrap();
        assert_eq!(o.profile, Some(MediumKind::BdR));
        assert_eq!(o.speed, Some(8.0));
        assert_eq!(o.buffer, Some(262_144));
        assert_eq!(o.bup, Some(false));
        assert_eq!(o.write_error, Some(1000));
        assert_eq!(o.not_ready, 3);
        assert!(o.unit_attention);
        assert_eq!(o.fill_early, Some(5000));
    }

    #[test]
    fn read_faults() {
        let o = EmuOptions::parse(&kv(&[
            ("bad", "100-199;5000-5009"),
            ("bad", "7"),
            ("slow", "2000-2999:8;40-41:2x"),
        ]))
        .unwrap();
        assert_eq!(o.bad, vec![(100, 199), (5000, 5009), (7, 7)]);
        let c = EmuOptions::parse(&kv(&[("c2", "10-12;40")])).unwrap();
        assert_eq!(c.c2, vec![(10, 12), (40, 40)]);
        assert!(c.c2_sector(12) && c.c2_sector(40) && !c.c2_sector(13));
        assert!(EmuOptions::parse(&kv(&[("c2", "9-3")])).is_err());
        assert_eq!(o.first_bad_block(0, 100), Some(7));
        assert_eq!(o.first_bad_block(8, 92), None);
        assert_eq!(o.first_bad_block(150, 10), Some(150));
        assert_eq!(o.first_bad_block(190, 4000), Some(190));
        assert_eq!(o.first_bad_block(200, 4800), None);
        assert_eq!(o.first_bad_block(200, 4801), Some(5000));
        assert_eq!(o.slow_block_times(1990, 20), 80.0);
        assert_eq!(o.slow_block_times(0, 40), 0.0);
        assert_eq!(o.slow_block_times(41, 1), 2.0);
        assert!(EmuOptions::parse(&kv(&[("bad", "9-3")])).is_err());
        assert!(EmuOptions::parse(&kv(&[("slow", "1-2")])).is_err());
        assert!(EmuOptions::parse(&kv(&[("slow", "1-2:0.5")])).is_err());
    }

    #[test]
    fn garble_ranges() {
        let o =
            EmuOptions::parse(&kv(&[("garble", "100-199;7"), ("garble", "5000-5009")])).unwrap();
        assert_eq!(o.garble, vec![(100, 199), (7, 7), (5000, 5009)]);
        assert!(o.bad.is_empty());
        assert!(o.garbles(0, 8));
        assert!(!o.garbles(8, 92));
        assert!(o.garbles(199, 1));
        assert!(!o.garbles(200, 4800));
        assert!(o.garbles(200, 4801));
        // malformed ranges are refused as for bad=
        for v in ["9-3", "x", "1-", "-4", "1-2:3"] {
            let e = EmuOptions::parse(&kv(&[("garble", v)])).unwrap_err();
            assert!(
                matches!(&e, EmuOpenError::BadOption { key, .. } if key == "garble"),
                "garble={v}: {e}"
            );
        }
        assert!(EmuOptions::parse(&kv(&[("bad", "9-3")])).is_err());
    }

    #[test]
    fn garble_writes_counts_down() {
        let mut o = EmuOptions::parse(&kv(&[("garble", "16-20"), ("garble_writes", "2")])).unwrap();
        assert!(
            !o.take_garbled_write(21, 4),
            "outside the range: not counted"
        );
        assert!(o.take_garbled_write(16, 3));
        assert!(o.take_garbled_write(18, 1));
        assert!(
            !o.take_garbled_write(16, 3),
            "the third WRITE is recorded as sent"
        );
        let mut all = EmuOptions::parse(&kv(&[("garble", "16")])).unwrap();
        assert!((0..10).all(|_| all.take_garbled_write(16, 1)));
        assert!(EmuOptions::parse(&kv(&[("garble_writes", "x")])).is_err());
    }

    #[test]
    fn garble_alters_only_blocks_in_range() {
        let o = EmuOptions::parse(&kv(&[("garble", "11-12")])).unwrap();
        let sent: Vec<u8> = (0..4 * BLOCK).map(|i| (i % 251) as u8).collect();
        let mut data = sent.clone();
        assert_eq!(o.garble_blocks(10, &mut data), 2);
        assert_eq!(data[..BLOCK], sent[..BLOCK]);
        assert_eq!(data[3 * BLOCK..], sent[3 * BLOCK..]);
        for i in BLOCK..3 * BLOCK {
            assert_eq!(data[i], sent[i] ^ GARBLE_XOR);
            assert_ne!(data[i], sent[i]);
        }
        assert_eq!(o.garble_blocks(13, &mut data), 0);
        assert_eq!(EmuOptions::default().garble_blocks(11, &mut data), 0);
    }

    #[test]
    fn sao_options() {
        let o = EmuOptions::parse(&kv(&[("sao", "off")])).unwrap();
        assert!(o.no_sao && !o.no_sao_appendable);
        let o = EmuOptions::parse(&kv(&[("sao_appendable", "off"), ("sao", "on")])).unwrap();
        assert!(!o.no_sao && o.no_sao_appendable);
        let o = EmuOptions::parse(&kv(&[])).unwrap();
        assert!(!o.no_sao && !o.no_sao_appendable);
        assert!(EmuOptions::parse(&kv(&[("sao", "maybe")])).is_err());
    }

    #[test]
    fn rejects_unknown() {
        assert!(EmuOptions::parse(&kv(&[("colour", "red")])).is_err());
        assert!(EmuOptions::parse(&kv(&[("profile", "floppy")])).is_err());
        assert!(EmuOptions::parse(&kv(&[("speed", "-1")])).is_err());
    }
}
