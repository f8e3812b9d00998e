//! CUE files as CDRWIN wrote them and cdrdao and cdrecord (`cuefile=`) accept them: `FILE`
//! (BINARY = raw little-endian CD-DA, MOTOROLA = big-endian, WAVE), `TRACK nn AUDIO` /
//! `MODE1/2048`, `INDEX nn mm:ss:ff` (relative to the file), `PREGAP`/`POSTGAP`
//! (silence the drive-side layout adds), `ISRC`, `CATALOG`, `FLAGS` (DCP, 4CH, PRE, SCMS),
//! `TITLE`/`PERFORMER`/`SONGWRITER` for CD-TEXT (before the first `TRACK`: the disc's),
//! `REM` ignored. Times are in CD frames (75 per second; one frame = one 2352-byte
//! sector of audio or one 2048-byte data block).

use std::path::{Path, PathBuf};

use super::AudioError;

/// How the bytes of a `FILE` are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Raw CD-DA, 16-bit little-endian stereo (or raw 2048-byte blocks for data tracks).
    Binary,
    /// Raw CD-DA, big-endian (byte-swapped) samples.
    Motorola,
    /// A RIFF WAVE file of 44100 Hz 16-bit stereo PCM.
    Wave,
}

/// A `FILE` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CueFile {
    /// The path, resolved against the cue file's folder.
    pub path: PathBuf,
    /// Its layout.
    pub kind: FileKind,
}

/// The mode of a track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackMode {
    /// CD-DA, 2352-byte sectors.
    Audio,
    /// CD-ROM mode 1, 2048-byte user data.
    Mode1,
}

/// Sub-channel Q CONTROL flags of a track (`FLAGS`, cdrecord `-preemp`/`-copy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// DCP: digital copy permitted.
    pub copy: bool,
    /// PRE: pre-emphasis.
    pub preemphasis: bool,
    /// 4CH: four-channel audio.
    pub four_channel: bool,
    /// SCMS: serial copy management (the cue sheet's SCMS byte).
    pub scms: bool,
}

/// CD-TEXT strings of the disc or of one track.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    /// TITLE.
    pub title: Option<String>,
    /// PERFORMER.
    pub performer: Option<String>,
    /// SONGWRITER.
    pub songwriter: Option<String>,
}

impl Text {
    /// True when no string is set.
    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.performer.is_none() && self.songwriter.is_none()
    }
}

/// A `TRACK` and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CueTrack {
    /// Track number as written.
    pub number: u8,
    /// Mode.
    pub mode: TrackMode,
    /// Index into [`Cue::files`] of the file its data comes from.
    pub file: usize,
    /// `INDEX` numbers and their times in frames from the file's start.
    pub indexes: Vec<(u8, u32)>,
    /// `PREGAP`: frames of silence before index 1 not taken from the file.
    pub pregap: u32,
    /// `POSTGAP`: frames of silence after the track's data.
    pub postgap: u32,
    /// ISRC.
    pub isrc: Option<String>,
    /// Flags.
    pub flags: Flags,
    /// CD-TEXT.
    pub text: Text,
    /// The line of its `TRACK` command, for messages.
    pub line: usize,
}

/// A parsed cue file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cue {
    /// `CATALOG` (the disc's MCN, 13 digits).
    pub catalog: Option<String>,
    /// The disc's CD-TEXT.
    pub text: Text,
    /// Files in order of appearance.
    pub files: Vec<CueFile>,
    /// Tracks in order.
    pub tracks: Vec<CueTrack>,
}

/// An MSF time `mm:ss:ff` in frames.
pub fn parse_msf(s: &str) -> Option<u32> {
    let mut it = s.split(':');
    let m: u32 = it.next()?.trim().parse().ok()?;
    let sec: u32 = it.next()?.trim().parse().ok()?;
    let f: u32 = it.next()?.trim().parse().ok()?;
    if it.next().is_some() || sec >= 60 || f >= 75 {
        return None;
    }
    Some((m * 60 + sec) * 75 + f)
}

/// Checks an ISRC: 2 letters (country), 3 characters A-Z 0-9 (owner), 7 digits (year,
/// designation); dashes (`US-ABC-99-00001`) are removed.
pub fn parse_isrc(s: &str) -> Option<String> {
    let c: String = s
        .chars()
        .filter(|&c| c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    let b = c.as_bytes();
    let ok = b.len() == 12
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..5]
            .iter()
            .all(|x| x.is_ascii_uppercase() || x.is_ascii_digit())
        && b[5..].iter().all(u8::is_ascii_digit);
    ok.then_some(c)
}

/// Checks a media catalog number (UPC/EAN): 13 digits.
pub fn parse_mcn(s: &str) -> Option<String> {
    let s = s.trim();
    (s.len() == 13 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.to_string())
}

/// Splits a cue line into words, a double-quoted word keeping its spaces.
fn words(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut it = line.trim().chars().peekable();
    while let Some(&c) = it.peek() {
        if c.is_whitespace() {
            it.next();
            continue;
        }
        let mut w = String::new();
        if c == '"' {
            it.next();
            let mut closed = false;
            for c in it.by_ref() {
                if c == '"' {
                    closed = true;
                    break;
                }
                w.push(c);
            }
            if !closed {
                return Err("a quoted string is not closed".into());
            }
        } else {
            while let Some(&c) = it.peek() {
                if c.is_whitespace() {
                    break;
                }
                w.push(c);
                it.next();
            }
        }
        out.push(w);
    }
    Ok(out)
}

impl Cue {
    /// Reads and parses the cue file at `path` (file names relative to its folder).
    pub fn read(path: &Path) -> Result<Cue, AudioError> {
        let text = std::fs::read(path).map_err(|source| AudioError::Io {
            op: "read",
            path: path.to_path_buf(),
            source,
        })?;
        // cue files are often Latin-1: keep every byte as a character
        let text: String = match String::from_utf8(text) {
            Ok(s) => s,
            Err(e) => e.into_bytes().iter().map(|&b| char::from(b)).collect(),
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        Cue::parse(&text, dir).map_err(|(line, what)| AudioError::Cue {
            path: path.to_path_buf(),
            line,
            what,
        })
    }

    /// Parses cue text; file names are resolved against `dir`. Errors carry the line.
    pub fn parse(text: &str, dir: &Path) -> Result<Cue, (usize, String)> {
        let mut cue = Cue::default();
        for (n, raw) in text.lines().enumerate() {
            let line = n + 1;
            let err = |what: String| (line, what);
            let w = words(raw.trim_start_matches('\u{feff}')).map_err(err)?;
            let Some(cmd) = w.first() else { continue };
            let arg = |i: usize| -> Result<&str, (usize, String)> {
                w.get(i)
                    .map(String::as_str)
                    .ok_or_else(|| (line, format!("{cmd} needs more arguments")))
            };
            match cmd.to_ascii_uppercase().as_str() {
                "REM" => {}
                "CATALOG" => {
                    let v = arg(1)?;
                    cue.catalog = Some(parse_mcn(v).ok_or_else(|| {
                        err(format!("CATALOG {v}: a catalog number is 13 digits"))
                    })?);
                }
                "CDTEXTFILE" => {
                    return Err(err(
                        "CDTEXTFILE is not supported: give TITLE and PERFORMER in the cue file"
                            .into(),
                    ))
                }
                "FILE" => {
                    let name = arg(1)?;
                    let kind = match arg(2)?.to_ascii_uppercase().as_str() {
                        "BINARY" => FileKind::Binary,
                        "MOTOROLA" => FileKind::Motorola,
                        "WAVE" => FileKind::Wave,
                        k => {
                            return Err(err(format!(
                                "FILE type {k} is not supported (BINARY, MOTOROLA and WAVE are)"
                            )))
                        }
                    };
                    let p = Path::new(name);
                    let path = if p.is_absolute() {
                        p.to_path_buf()
                    } else {
                        dir.join(p)
                    };
                    cue.files.push(CueFile { path, kind });
                }
                "TRACK" => {
                    if cue.files.is_empty() {
                        return Err(err("TRACK before any FILE".into()));
                    }
                    let num: u8 = arg(1)?
                        .parse()
                        .ok()
                        .filter(|n| (1..=99).contains(n))
                        .ok_or_else(|| err(format!("track number {}: 1 to 99", w[1])))?;
                    let mode = match arg(2)?.to_ascii_uppercase().as_str() {
                        "AUDIO" => TrackMode::Audio,
                        "MODE1/2048" => TrackMode::Mode1,
                        m => {
                            return Err(err(format!(
                                "track mode {m} is not supported (AUDIO and MODE1/2048 are)"
                            )))
                        }
                    };
                    if let Some(p) = cue.tracks.last() {
                        if num != p.number + 1 {
                            return Err(err(format!(
                                "track {num} follows track {}: numbers go up by one",
                                p.number
                            )));
                        }
                    }
                    cue.tracks.push(CueTrack {
                        number: num,
                        mode,
                        file: cue.files.len() - 1,
                        indexes: Vec::new(),
                        pregap: 0,
                        postgap: 0,
                        isrc: None,
                        flags: Flags::default(),
                        text: Text::default(),
                        line,
                    });
                }
                "INDEX" => {
                    let nfiles = cue.files.len();
                    let t = cue
                        .tracks
                        .last_mut()
                        .ok_or_else(|| err("INDEX before TRACK".into()))?;
                    if t.file + 1 != nfiles && t.indexes.is_empty() {
                        // a FILE between TRACK and its first INDEX: the track's data is there
                        t.file = nfiles - 1;
                    }
                    let i: u8 = arg(1)?
                        .parse()
                        .ok()
                        .filter(|&i| i <= 99)
                        .ok_or_else(|| err(format!("index number {}: 0 to 99", w[1])))?;
                    let at = parse_msf(arg(2)?).ok_or_else(|| {
                        err(format!(
                            "INDEX time {}: mm:ss:ff with ss < 60, ff < 75",
                            w[2]
                        ))
                    })?;
                    let want = match t.indexes.last() {
                        None => {
                            if i > 1 {
                                return Err(err(format!(
                                    "track {} begins with index {i}: 0 or 1",
                                    t.number
                                )));
                            }
                            i
                        }
                        Some(&(p, _)) => p + 1,
                    };
                    if i != want {
                        return Err(err(format!("index {i} where index {want} is due")));
                    }
                    if let Some(&(_, pt)) = t.indexes.last() {
                        if at <= pt {
                            return Err(err(format!(
                                "index {i} does not come after index {}",
                                i - 1
                            )));
                        }
                    }
                    t.indexes.push((i, at));
                }
                "PREGAP" | "POSTGAP" => {
                    let t = cue
                        .tracks
                        .last_mut()
                        .ok_or_else(|| err(format!("{cmd} before TRACK")))?;
                    let v =
                        parse_msf(arg(1)?).ok_or_else(|| err(format!("{cmd} time {}", w[1])))?;
                    if cmd.eq_ignore_ascii_case("PREGAP") {
                        if !t.indexes.is_empty() {
                            return Err(err("PREGAP comes before the track's INDEX lines".into()));
                        }
                        t.pregap = v;
                    } else {
                        t.postgap = v;
                    }
                }
                "ISRC" => {
                    let t = cue
                        .tracks
                        .last_mut()
                        .ok_or_else(|| err("ISRC before TRACK".into()))?;
                    let v = arg(1)?;
                    t.isrc = Some(parse_isrc(v).ok_or_else(|| {
                        err(format!(
                            "ISRC {v}: 2 letters, 3 letters or digits, 7 digits"
                        ))
                    })?);
                }
                "FLAGS" => {
                    let t = cue
                        .tracks
                        .last_mut()
                        .ok_or_else(|| err("FLAGS before TRACK".into()))?;
                    for f in &w[1..] {
                        match f.to_ascii_uppercase().as_str() {
                            "DCP" => t.flags.copy = true,
                            "PRE" => t.flags.preemphasis = true,
                            "4CH" => t.flags.four_channel = true,
                            "SCMS" => t.flags.scms = true,
                            x => {
                                return Err(err(format!(
                                    "FLAGS {x}: DCP, PRE, 4CH and SCMS are known"
                                )))
                            }
                        }
                    }
                }
                "TITLE" | "PERFORMER" | "SONGWRITER" => {
                    let v = arg(1)?.to_string();
                    let text = match cue.tracks.last_mut() {
                        Some(t) => &mut t.text,
                        None => &mut cue.text,
                    };
                    match cmd.to_ascii_uppercase().as_str() {
                        "TITLE" => text.title = Some(v),
                        "PERFORMER" => text.performer = Some(v),
                        _ => text.songwriter = Some(v),
                    }
                }
                c => return Err(err(format!("unknown cue command {c}"))),
            }
        }
        if cue.tracks.is_empty() {
            return Err((text.lines().count(), "the cue file has no TRACK".into()));
        }
        for t in &cue.tracks {
            if !t.indexes.iter().any(|&(i, _)| i == 1) {
                return Err((t.line, format!("track {} has no INDEX 01", t.number)));
            }
        }
        Ok(cue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdrwin_sheet() {
        let text = "REM GENRE Rock\nCATALOG 0600000123456\nPERFORMER \"The Band\"\nTITLE \"An Album\"\n\
FILE \"a b.wav\" WAVE\n  TRACK 01 AUDIO\n    TITLE \"One\"\n    ISRC US-DBR-26-00001\n    INDEX 01 00:00:00\n\
  TRACK 02 AUDIO\n    FLAGS DCP PRE\n    INDEX 00 00:10:00\n    INDEX 01 00:12:00\n    INDEX 02 00:14:00\n\
FILE \"c.bin\" BINARY\n  TRACK 03 AUDIO\n    PREGAP 00:02:00\n    INDEX 01 00:00:00\n    POSTGAP 00:01:00\n";
        let c = Cue::parse(text, Path::new("/d")).unwrap();
        assert_eq!(c.catalog.as_deref(), Some("0600000123456"));
        assert_eq!(c.text.title.as_deref(), Some("An Album"));
        assert_eq!(c.files[0].path, Path::new("/d/a b.wav"));
        assert_eq!(c.files[1].kind, FileKind::Binary);
        assert_eq!(c.tracks[0].isrc.as_deref(), Some("USDBR2600001"));
        assert_eq!(c.tracks[1].indexes, vec![(0, 750), (1, 900), (2, 1050)]);
        assert!(c.tracks[1].flags.copy && c.tracks[1].flags.preemphasis);
        assert_eq!(
            (c.tracks[2].file, c.tracks[2].pregap, c.tracks[2].postgap),
            (1, 150, 75)
        );
    }

    #[test]
    fn faults_name_the_line() {
        let bad = |t: &str, line: usize, want: &str| {
            let (l, e) = Cue::parse(t, Path::new(".")).unwrap_err();
            assert_eq!(l, line, "{e}");
            assert!(e.contains(want), "{e}");
        };
        bad(
            "FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 01 00:61:00\n",
            3,
            "ss < 60",
        );
        bad("FILE a.mp3 MP3\n", 1, "MP3 is not supported");
        bad("TRACK 01 AUDIO\n", 1, "before any FILE");
        bad(
            "FILE a BINARY\nTRACK 01 AUDIO\nINDEX 01 0:0:0\nTRACK 03 AUDIO\n",
            4,
            "up by one",
        );
        bad(
            "FILE a BINARY\nTRACK 01 AUDIO\nINDEX 00 0:0:0\n",
            2,
            "no INDEX 01",
        );
        bad("FILE a BINARY\nTRACK 01 AUDIO\nISRC XX\n", 3, "ISRC XX");
        bad("FILE a BINARY\nTRACK 01 MODE2/2352\n", 2, "MODE2/2352");
        bad("CATALOG 12\n", 1, "13 digits");
    }
}
