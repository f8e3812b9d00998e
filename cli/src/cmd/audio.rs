//! Audio CDs from the command line, through `mmc::audio`: session-at-once with the cue
//! sheet of MMC-6 §6.33 and CD-TEXT in the lead-in (MMC-6 Annex J), or track-at-once
//! (§4.2.3.4). Used by `discburn burn --cue FILE` / `burn --audio FILE...` and by the
//! cdrecord personality's audio tracks. Also the two files cdrecord reads besides the
//! audio: the `.inf` files cdda2wav/icedax write next to each track (`-useinfo`; keys as
//! cdda2wav writes them: `ISRC=`, `MCN=`, `Tracktitle=`, `Pre-emphasis=`, `Copy_permitted=`,
//! `Endianess=`, `Index=` ...), and binary CD-TEXT files (`textfile=`: READ TOC format 5's
//! 4-byte header, then 18-byte packs with their CRCs, as `cdrecord -vv -toc` saves them).

use std::path::{Path, PathBuf};
use std::time::Instant;

use mmc::audio::{self, cdtext, AudioBurnOptions, AudioError, AudioEvent, Plan, TrackMode};

use crate::error::CliError;

/// An audio burn to do.
#[derive(Debug, Clone)]
pub struct AudioJob {
    /// Device string.
    pub dev: Option<String>,
    /// Trace level.
    pub trace: u8,
    /// Write even while mounted.
    pub force: bool,
    /// Eject afterwards.
    pub eject: bool,
    /// How to burn.
    pub opts: AudioBurnOptions,
    /// No progress lines.
    pub quiet: bool,
    /// Read the tracks back and compare them with what was sent (not after a test write).
    pub verify: bool,
}

/// One track as written.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrackLine {
    /// Track number.
    pub number: u8,
    /// "audio" or "data".
    pub kind: &'static str,
    /// First sector of its pre-gap (index 0), or `start` without one.
    pub first: i64,
    /// Index 1.
    pub start: i64,
    /// First sector past it.
    pub end: i64,
    /// Sub-channel Q CONTROL nibble.
    pub control: u8,
    /// ISRC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isrc: Option<String>,
    /// CD-TEXT title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// What an audio burn did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AudioSummary {
    /// Device.
    pub device: String,
    /// Session-at-once (else track-at-once).
    pub sao: bool,
    /// Test write.
    pub dummy: bool,
    /// Left appendable.
    pub appendable: bool,
    /// The tracks.
    pub tracks: Vec<TrackLine>,
    /// Lead-out (SAO) or the end of the last track.
    pub leadout: i64,
    /// The MCN written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mcn: Option<String>,
    /// CD-TEXT packs written into the lead-in.
    pub cdtext_packs: usize,
    /// Seconds writing.
    pub seconds: f64,
    /// The read-back comparison (READ CD / READ(10) against what was sent), when done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<mmc::audio::verify::AudioVerify>,
}

/// True when `path` starts with a RIFF WAVE header.
pub fn is_wave(path: &Path) -> bool {
    let mut head = [0u8; 12];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && &head[..4] == b"RIFF"
        && &head[8..12] == b"WAVE"
}

/// The message for a failed audio burn: the library's words, then either that nothing
/// was written (every check precedes the first WRITE) or the disc state the drive reports.
fn failure(drive: &mut crate::cmd::CliDrive, e: &AudioError) -> String {
    match e {
        AudioError::Drive { .. } | AudioError::Io { .. } => {
            format!("{e}; disc state now: {}", mmc::write::disc_state(drive))
        }
        AudioError::Write(w) => crate::job::refusal_message(drive, w),
        _ => format!("{e}; nothing was written"),
    }
}

/// Burns `plan` (checked by the library before any WRITE) and reports where the tracks
/// went.
pub fn burn(job: &AudioJob, plan: &mut Plan) -> Result<AudioSummary, CliError> {
    let (spec, mut drive) =
        super::burn::open_for_writing(job.dev.as_deref(), job.trace, job.force)?;
    let t0 = Instant::now();
    let quiet = job.quiet;
    let mut shown = 0u64;
    let mut show = |e: AudioEvent| {
        if quiet {
            return;
        }
        match e {
            AudioEvent::LeadIn { blocks } => {
                eprintln!("discburn: writing CD-TEXT into the lead-in ({blocks} blocks)")
            }
            AudioEvent::Track { number, sectors } => eprintln!(
                "discburn: track {number:02}: {sectors} sectors ({})",
                super::msf_text(i64::from(sectors) - 150)
            ),
            AudioEvent::Written { done, total } if total > 0 => {
                let pct = done * 100 / total;
                if pct >= shown + 10 || done == total {
                    shown = pct;
                    eprintln!("discburn: {pct}% ({done} of {total} sectors)");
                }
            }
            AudioEvent::Closing => eprintln!("discburn: fixating"),
            AudioEvent::Written { .. } => {}
        }
    };
    let r = audio::burn(&mut drive, plan, &job.opts, &mut show)
        .map_err(|e| CliError::Failed(failure(&mut drive, &e)))?;
    let seconds = t0.elapsed().as_secs_f64();
    let verified = if job.verify && !job.opts.dummy {
        let v = audio::verify::verify(&mut drive, plan, &r.tracks, job.opts.swab, &mut |n| {
            if !quiet {
                eprintln!("discburn: verifying track {n:02}")
            }
        })
        .map_err(|e| CliError::Failed(format!("verify: {e}")))?;
        if !v.ok() {
            let bad: Vec<String> = v
                .tracks
                .iter()
                .filter(|t| t.differing + t.unreadable > 0)
                .map(|t| {
                    format!(
                        "track {:02}: {} of {} sectors differ, {} unreadable, the first at LBA {}",
                        t.number,
                        t.differing,
                        t.sectors,
                        t.unreadable,
                        t.first_bad.unwrap_or(0)
                    )
                })
                .collect();
            return Err(CliError::Failed(format!(
                "verify: the disc does not hold what was sent: {}",
                bad.join("; ")
            )));
        }
        Some(v)
    } else {
        None
    };
    if job.eject {
        drive
            .eject()
            .map_err(|e| CliError::Failed(format!("eject: {e}")))?;
    }
    let tracks = r
        .tracks
        .iter()
        .zip(&plan.tracks)
        .map(|(p, t)| TrackLine {
            number: p.number,
            kind: match t.mode {
                TrackMode::Audio => "audio",
                TrackMode::Mode1 => "data",
            },
            first: p.first,
            start: p.start,
            end: p.end,
            control: t.control(),
            isrc: t.isrc.clone(),
            title: t.text.title.clone(),
        })
        .collect();
    Ok(AudioSummary {
        device: spec.to_string(),
        sao: r.sao,
        dummy: job.opts.dummy,
        appendable: job.opts.multi,
        tracks,
        leadout: r.leadout,
        mcn: plan.mcn.clone(),
        cdtext_packs: r.cdtext_packs,
        seconds,
        verified,
    })
}

/// Prints an audio burn's summary (text or JSON) on stdout.
pub fn print_summary(s: &AudioSummary, json: bool) -> Result<(), CliError> {
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(s).map_err(|e| CliError::Failed(e.to_string()))?
        );
        return Ok(());
    }
    for t in &s.tracks {
        outln!(
            "Track {:02}: {:<5} {:>7} .. {:>7} ({} - {}){}{}{}",
            t.number,
            t.kind,
            t.start,
            t.end,
            super::msf_text(t.start),
            super::msf_text(t.end),
            if t.first < t.start {
                format!(" pre-gap {}", t.start - t.first)
            } else {
                String::new()
            },
            t.isrc
                .as_ref()
                .map(|i| format!(" ISRC {i}"))
                .unwrap_or_default(),
            t.title
                .as_ref()
                .map(|i| format!(" \"{i}\""))
                .unwrap_or_default(),
        );
    }
    outln!(
        "{}{} track(s) written {} in {:.1} s; lead-out at {}{}{}; disc {}",
        if s.dummy { "test write: " } else { "" },
        s.tracks.len(),
        if s.sao {
            "session-at-once"
        } else {
            "track-at-once"
        },
        s.seconds,
        s.leadout,
        s.mcn
            .as_ref()
            .map(|m| format!("; MCN {m}"))
            .unwrap_or_default(),
        if s.cdtext_packs > 0 {
            format!("; CD-TEXT {} packs", s.cdtext_packs)
        } else {
            String::new()
        },
        if s.dummy {
            "unchanged (test write)"
        } else if s.appendable {
            "appendable"
        } else {
            "closed"
        }
    );
    if let Some(v) = &s.verified {
        let n: u64 = v.tracks.iter().map(|t| u64::from(t.sectors)).sum();
        outln!(
            "verified: {n} sectors of {} track(s) read back equal to what was sent",
            v.tracks.len()
        );
    }
    Ok(())
}

/// What a cdda2wav/icedax `.inf` file says about its track.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Inf {
    /// `MCN=`.
    pub mcn: Option<String>,
    /// `ISRC=`.
    pub isrc: Option<String>,
    /// `Albumtitle=`.
    pub album_title: Option<String>,
    /// `Albumperformer=`.
    pub album_performer: Option<String>,
    /// `Albumsongwriter=`.
    pub album_songwriter: Option<String>,
    /// `Tracktitle=`.
    pub title: Option<String>,
    /// `Performer=`.
    pub performer: Option<String>,
    /// `Songwriter=`.
    pub songwriter: Option<String>,
    /// `Pre-emphasis=` yes/no.
    pub preemphasis: Option<bool>,
    /// `Copy_permitted=`: yes (copy), no, once (SCMS): (copy, scms).
    pub copy: Option<(bool, bool)>,
    /// `Channels=` 4.
    pub four_channel: bool,
    /// `Endianess=`: true for big.
    pub big_endian: Option<bool>,
    /// `Index=`: index 1, 2 ... in sectors from the track's start.
    pub indexes: Vec<u32>,
    /// `Index0=`: where the next track's pre-gap starts in this track (-1: none).
    pub index0: Option<i64>,
}

fn inf_value(v: &str) -> Option<String> {
    let v = v.trim();
    let v = v
        .strip_prefix('\'')
        .and_then(|x| x.strip_suffix('\''))
        .unwrap_or(v);
    (!v.is_empty()).then(|| v.to_string())
}

/// Parses a `.inf` file's text; an error names the line and what is wrong with it.
pub fn parse_inf(text: &str) -> Result<Inf, (usize, String)> {
    let mut inf = Inf::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err((n + 1, format!("no KEY= in {line:?}")));
        };
        let v = inf_value(value);
        let yes_no = |v: &Option<String>| -> Result<Option<bool>, (usize, String)> {
            match v
                .as_deref()
                .map(|s| s.split_whitespace().next().unwrap_or(""))
            {
                None => Ok(None),
                Some("yes") => Ok(Some(true)),
                Some("no") => Ok(Some(false)),
                Some(o) => Err((n + 1, format!("{key}= {o:?}: expected yes or no"))),
            }
        };
        match key.trim() {
            "MCN" => {
                inf.mcn = match &v {
                    None => None,
                    Some(s) => Some(
                        mmc::audio::cue::parse_mcn(s)
                            .ok_or((n + 1, format!("MCN= {s:?} is not 13 digits")))?,
                    ),
                }
            }
            "ISRC" => {
                inf.isrc = match &v {
                    None => None,
                    Some(s) => Some(mmc::audio::cue::parse_isrc(s).ok_or((
                        n + 1,
                        format!("ISRC= {s:?} is not CCOOOYYSSSSS (2 letters, 3 letters or digits, 7 digits)"),
                    ))?),
                }
            }
            "Albumtitle" => inf.album_title = v,
            "Albumperformer" => inf.album_performer = v,
            "Albumsongwriter" => inf.album_songwriter = v,
            "Tracktitle" => inf.title = v,
            "Performer" => inf.performer = v,
            "Songwriter" => inf.songwriter = v,
            "Pre-emphasis" => inf.preemphasis = yes_no(&v)?,
            "Copy_permitted" => {
                inf.copy = match v.as_deref().map(|s| s.split_whitespace().next().unwrap_or(""))
                {
                    None => None,
                    Some("yes") => Some((true, false)),
                    Some("no") => Some((false, false)),
                    Some("once") => Some((false, true)),
                    Some(o) => {
                        return Err((
                            n + 1,
                            format!("Copy_permitted= {o:?}: expected yes, no or once"),
                        ))
                    }
                }
            }
            "Channels" => match v.as_deref() {
                None | Some("2") => {}
                Some("4") => inf.four_channel = true,
                Some(o) => {
                    return Err((n + 1, format!("Channels= {o}: CD audio has 2 (or 4) channels")))
                }
            },
            "Endianess" | "Endianness" => {
                inf.big_endian = match v.as_deref() {
                    None => None,
                    Some("little") => Some(false),
                    Some("big") => Some(true),
                    Some(o) => {
                        return Err((n + 1, format!("{key}= {o:?}: expected little or big")))
                    }
                }
            }
            "Index" => {
                let mut list = Vec::new();
                for w in v.as_deref().unwrap_or("").split_whitespace() {
                    let i: i64 = w
                        .parse()
                        .map_err(|_| (n + 1, format!("Index= {w:?} is not a number")))?;
                    if i >= 0 {
                        list.push(u32::try_from(i).unwrap_or(u32::MAX));
                    }
                }
                inf.indexes = list;
            }
            "Index0" => {
                inf.index0 = match v.as_deref() {
                    None => None,
                    Some(s) => Some(
                        s.parse()
                            .map_err(|_| (n + 1, format!("Index0= {s:?} is not a number")))?,
                    ),
                }
            }
            // Informational keys cdda2wav writes; the track's length comes from its file.
            _ => {}
        }
    }
    Ok(inf)
}

/// The `.inf` file of a track file: its name with the extension replaced by `.inf`.
pub fn inf_path(track: &Path) -> PathBuf {
    track.with_extension("inf")
}

/// Reads and parses the `.inf` file of `track`.
pub fn read_inf(track: &Path) -> Result<Inf, CliError> {
    let p = inf_path(track);
    let text = std::fs::read_to_string(&p).map_err(|e| {
        CliError::Failed(format!(
            "-useinfo: cannot read {} for {}: {e}",
            p.display(),
            track.display()
        ))
    })?;
    parse_inf(&text).map_err(|(l, w)| CliError::Failed(format!("{}:{l}: {w}", p.display())))
}

/// Reads a binary CD-TEXT file (`textfile=`): 18-byte packs, optionally after READ TOC
/// format 5's 4-byte header (data length, two reserved bytes); every pack's CRC must be
/// right.
pub fn read_textfile(path: &Path) -> Result<Vec<u8>, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::Failed(format!("textfile={}: {e}", path.display())))?;
    let bad = |what: String| CliError::Failed(format!("textfile={}: {what}", path.display()));
    let packs = if bytes.len() % cdtext::PACK == 4 {
        let len = usize::from(u16::from_be_bytes([bytes[0], bytes[1]]));
        if len + 2 != bytes.len() {
            return Err(bad(format!(
                "its header gives {len} bytes of data, the file has {} after the length",
                bytes.len() - 2
            )));
        }
        &bytes[4..]
    } else if bytes.len() % cdtext::PACK == 0 {
        &bytes[..]
    } else {
        return Err(bad(format!(
            "{} bytes is not a 4-byte header and 18-byte CD-TEXT packs",
            bytes.len()
        )));
    };
    if packs.is_empty() {
        return Err(bad("no CD-TEXT packs".into()));
    }
    if let Some(i) = packs.chunks(cdtext::PACK).position(|p| !cdtext::crc_ok(p)) {
        return Err(bad(format!("pack {i} has a bad CRC")));
    }
    Ok(packs.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inf_as_cdda2wav_writes_it() {
        let text = "#created by cdda2wav 3.02 12/07/26 10:00:00\n#\nCDINDEX_DISCID=\t'abc'\nCDDB_DISCID=\t0x1a02ab03\nMCN=\t\t0600000123456\nISRC=\t\tUS-DBR-26-00001\n#\nAlbumperformer=\t'The Testers'\nPerformer=\t'Ann'\nAlbumtitle=\t'Test Album'\nTracktitle=\t'First Song'\nTracknumber=\t1\nTrackstart=\t0\n# track length in sectors (1/75 seconds each), rest samples\nTracklength=\t451, 0\nPre-emphasis=\tyes\nChannels=\t2\nCopy_permitted=\tonce (copyright protected)\nEndianess=\tbig\n# index list\nIndex=\t\t0 225\nIndex0=\t\t-1\n";
        let i = parse_inf(text).unwrap();
        assert_eq!(i.mcn.as_deref(), Some("0600000123456"));
        assert_eq!(i.isrc.as_deref(), Some("USDBR2600001"));
        assert_eq!(i.album_title.as_deref(), Some("Test Album"));
        assert_eq!(i.title.as_deref(), Some("First Song"));
        assert_eq!(i.performer.as_deref(), Some("Ann"));
        assert_eq!(i.preemphasis, Some(true));
        assert_eq!(i.copy, Some((false, true)));
        assert_eq!(i.big_endian, Some(true));
        assert_eq!(i.indexes, vec![0, 225]);
        assert_eq!(i.index0, Some(-1));
        let e = parse_inf("ISRC= nonsense\n").unwrap_err();
        assert_eq!(e.0, 1);
        assert!(parse_inf("Pre-emphasis= maybe\n").is_err());
        // empty values are absent, as cdda2wav writes them for a CD without MCN
        assert_eq!(parse_inf("MCN=\nISRC=\t\n").unwrap(), Inf::default());
    }

    #[test]
    fn textfile_with_and_without_header() {
        let packs = cdtext::packs(
            1,
            1,
            &[cdtext::Strings {
                kind: 0x80,
                texts: vec![Some("Album"), Some("Song")],
            }],
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let bare = dir.path().join("bare.dat");
        std::fs::write(&bare, &packs).unwrap();
        assert_eq!(read_textfile(&bare).unwrap(), packs);
        let mut h = ((packs.len() + 2) as u16).to_be_bytes().to_vec();
        h.extend_from_slice(&[0, 0]);
        h.extend_from_slice(&packs);
        let with = dir.path().join("cdtext.dat");
        std::fs::write(&with, &h).unwrap();
        assert_eq!(read_textfile(&with).unwrap(), packs);
        let mut broken = packs.clone();
        broken[20] ^= 1;
        std::fs::write(&bare, &broken).unwrap();
        let e = read_textfile(&bare).unwrap_err().to_string();
        assert!(e.contains("pack 1 has a bad CRC"), "{e}");
        std::fs::write(&bare, [0u8; 7]).unwrap();
        assert!(read_textfile(&bare).is_err());
    }
}
