//! Where a track's sectors come from: a byte range of a raw CD-DA file (little-endian, or
//! big-endian samples swapped), the PCM data of a WAVE file (44100 Hz, 16 bits, 2
//! channels: Red Book audio; read with `hound`) or of a Sun/NeXT `.au` file (the header
//! cdrecord reads: magic `.snd`, data offset, data size, encoding 3 = 16-bit linear PCM,
//! rate, channels, all big-endian 32-bit words; big-endian samples), a raw 2048-byte data
//! file, or silence.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::AudioError;

/// Bytes of one CD-DA sector: 588 stereo frames of two 16-bit samples.
pub const AUDIO_SECTOR: usize = 2352;
/// Bytes of one mode-1 data block.
pub const DATA_BLOCK: usize = 2048;

/// How a file holds its sample (or data) bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Raw bytes as the disc holds them (CD-DA little-endian, or data blocks).
    Raw,
    /// Raw CD-DA with big-endian samples: every byte pair is swapped.
    Swapped,
}

/// An opened input file: its path, where its payload starts and how long it is.
#[derive(Debug, Clone)]
pub struct Input {
    /// The file.
    pub path: PathBuf,
    /// Byte offset of the payload (a WAVE file's data chunk).
    pub offset: u64,
    /// Payload bytes.
    pub len: u64,
    /// Byte order of the samples.
    pub layout: Layout,
}

fn io<'p>(op: &'static str, path: &'p Path) -> impl FnOnce(std::io::Error) -> AudioError + 'p {
    move |source| AudioError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

impl Input {
    /// A raw file (BINARY / MOTOROLA, or a data track's image).
    pub fn raw(path: &Path, layout: Layout) -> Result<Input, AudioError> {
        let len = std::fs::metadata(path).map_err(io("stat", path))?.len();
        Ok(Input {
            path: path.to_path_buf(),
            offset: 0,
            len,
            layout,
        })
    }

    /// A WAVE file: only 44100 Hz, 16-bit, 2-channel PCM is CD-DA; anything else is
    /// refused with what it is (this tool does not resample).
    pub fn wave(path: &Path) -> Result<Input, AudioError> {
        let r = hound::WavReader::open(path).map_err(|e| AudioError::Wave {
            path: path.to_path_buf(),
            what: e.to_string(),
        })?;
        let s = r.spec();
        if s.channels != 2
            || s.sample_rate != 44_100
            || s.bits_per_sample != 16
            || s.sample_format != hound::SampleFormat::Int
        {
            return Err(AudioError::Wave {
                path: path.to_path_buf(),
                what: format!(
                    "{} Hz, {} bit{}, {} channel(s): CD audio is 44100 Hz 16-bit stereo PCM",
                    s.sample_rate,
                    s.bits_per_sample,
                    if s.sample_format == hound::SampleFormat::Float {
                        " float"
                    } else {
                        ""
                    },
                    s.channels
                ),
            });
        }
        let frames = u64::from(r.duration());
        drop(r);
        // hound reads the header; the data chunk is the file's last `frames * 4` bytes
        // of payload after it. Find it by scanning the RIFF chunks ourselves, so that a
        // chunk after "data" (LIST, id3) is not taken for samples.
        let offset = data_chunk_offset(path)?;
        Ok(Input {
            path: path.to_path_buf(),
            offset,
            len: frames * 4,
            layout: Layout::Raw,
        })
    }

    /// A Sun `.au` file: only 16-bit linear PCM (encoding 3), 44100 Hz, 2 channels is
    /// CD-DA; its samples are big-endian. A data size of FFFFFFFFh (unknown, as a writer
    /// on a pipe leaves it) means the rest of the file.
    pub fn sun_au(path: &Path) -> Result<Input, AudioError> {
        let bad = |what: String| AudioError::Wave {
            path: path.to_path_buf(),
            what,
        };
        let mut f = File::open(path).map_err(io("open", path))?;
        let mut h = [0u8; 24];
        f.read_exact(&mut h)
            .map_err(|_| bad("shorter than a Sun audio header (24 bytes)".into()))?;
        if &h[..4] != b".snd" {
            return Err(bad("not a Sun audio file (no .snd magic)".into()));
        }
        let w = |i: usize| u32::from_be_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
        let (offset, size, enc, rate, ch) = (w(4), w(8), w(12), w(16), w(20));
        let file_len = f.metadata().map_err(io("stat", path))?.len();
        if offset < 24 || u64::from(offset) > file_len {
            return Err(bad(format!("data offset {offset} outside the file")));
        }
        if enc != 3 || rate != 44_100 || ch != 2 {
            return Err(bad(format!(
                "encoding {enc}, {rate} Hz, {ch} channel(s): CD audio is 16-bit linear PCM \
                 (encoding 3), 44100 Hz, stereo"
            )));
        }
        let rest = file_len - u64::from(offset);
        let len = if size == u32::MAX {
            rest
        } else {
            u64::from(size).min(rest)
        };
        Ok(Input {
            path: path.to_path_buf(),
            offset: u64::from(offset),
            len,
            layout: Layout::Swapped,
        })
    }

    /// Whole sectors of `sector` bytes the payload fills (the last one padded).
    pub fn sectors(&self, sector: usize) -> u64 {
        self.len.div_ceil(sector as u64)
    }
}

/// True when `path` is named `*.au` (as cdrecord tells Sun audio files) and starts with
/// the `.snd` magic.
pub fn is_sun_au(path: &Path) -> bool {
    let named = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("au"));
    let mut m = [0u8; 4];
    named
        && File::open(path)
            .and_then(|mut f| f.read_exact(&mut m))
            .is_ok()
        && &m == b".snd"
}

/// The byte offset of a RIFF WAVE file's "data" chunk payload.
fn data_chunk_offset(path: &Path) -> Result<u64, AudioError> {
    let bad = |what: &str| AudioError::Wave {
        path: path.to_path_buf(),
        what: what.into(),
    };
    let mut f = File::open(path).map_err(io("open", path))?;
    let mut head = [0u8; 12];
    f.read_exact(&mut head).map_err(io("read", path))?;
    if &head[..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return Err(bad("not a RIFF WAVE file"));
    }
    let mut at = 12u64;
    loop {
        let mut ch = [0u8; 8];
        f.seek(SeekFrom::Start(at)).map_err(io("seek", path))?;
        if f.read_exact(&mut ch).is_err() {
            return Err(bad("no data chunk"));
        }
        let len = u64::from(u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]));
        if &ch[..4] == b"data" {
            return Ok(at + 8);
        }
        at += 8 + len + (len & 1);
    }
}

/// What one stretch of a track is made of.
#[derive(Debug, Clone)]
pub enum Piece {
    /// Sectors of silence (zeros).
    Silence(u32),
    /// Sectors from an input, starting at byte `from` of its payload; the last sector is
    /// padded with zeros where the payload ends.
    File {
        /// Index into the plan's inputs.
        input: usize,
        /// First payload byte.
        from: u64,
        /// Sectors.
        sectors: u32,
    },
}

impl Piece {
    /// Its length in sectors.
    pub fn sectors(&self) -> u32 {
        match self {
            Piece::Silence(n) => *n,
            Piece::File { sectors, .. } => *sectors,
        }
    }
}

/// Reads pieces sector by sector into a buffer: the host side of a burn's data.
#[derive(Debug)]
pub struct Reader<'a> {
    inputs: &'a [Input],
    open: Vec<Option<File>>,
    /// Swap every byte pair of audio (cdrecord `-swab`), on top of each input's layout.
    pub swab: bool,
}

impl<'a> Reader<'a> {
    /// A reader over these inputs.
    pub fn new(inputs: &'a [Input], swab: bool) -> Reader<'a> {
        Reader {
            inputs,
            open: inputs.iter().map(|_| None).collect(),
            swab,
        }
    }

    /// Fills `out` (whole sectors of `sector` bytes) with sectors `skip ..` of `piece`.
    pub fn read(
        &mut self,
        piece: &Piece,
        skip: u32,
        sector: usize,
        out: &mut [u8],
    ) -> Result<(), AudioError> {
        out.fill(0);
        let Piece::File { input, from, .. } = piece else {
            return Ok(());
        };
        let inp = &self.inputs[*input];
        let start = from + u64::from(skip) * sector as u64;
        let avail = inp.len.saturating_sub(start).min(out.len() as u64) as usize;
        if avail > 0 {
            if self.open[*input].is_none() {
                self.open[*input] = Some(File::open(&inp.path).map_err(io("open", &inp.path))?);
            }
            if let Some(f) = self.open[*input].as_mut() {
                f.seek(SeekFrom::Start(inp.offset + start))
                    .map_err(io("seek", &inp.path))?;
                f.read_exact(&mut out[..avail])
                    .map_err(io("read", &inp.path))?;
            }
        }
        let swap = (inp.layout == Layout::Swapped) != self.swab && sector == AUDIO_SECTOR;
        if swap {
            for pair in out.chunks_exact_mut(2) {
                pair.swap(0, 1);
            }
        }
        Ok(())
    }
}
