//! msinfo: where the last session starts and where the next one may be written
//! (`mkisofs -C a,b`, `cdrecord -msinfo`), as the drive reports it (MMC-6 §4.5 CD
//! multi-session, §4.10 DVD+R sessions, §4.13 DVD-R borders, §4.17 BD-R SRM sessions).
//!
//! Per medium (DESIGN.md "msinfo"):
//! - CD-R/RW: the first number is READ TOC format 1 (first track of the last complete
//!   session), the second the NWA of READ TRACK INFORMATION for the invisible track FFh;
//!   the drive's NWA already includes the lead-out/lead-in/pregap gaps (+11400 after the
//!   first session, +6900 later). Nothing is computed here.
//! - DVD±R (DL), DVD-R/-RW sequential (multi-border), BD-R SRM: READ DISC INFORMATION gives
//!   the sessions and the last track; the first number is the start of the first track of
//!   the last complete session (READ TRACK INFORMATION walking back from the last session's
//!   first track), the second the NWA of the last track. READ TOC format 1 is not used:
//!   drives may fabricate it on non-CD media.
//! - Overwritable media (DVD+RW, DVD+RW DL, DVD-RAM, formatted DVD-RW, BD-RE, BD-R RRM) have
//!   no sessions; they are emulated as growisofs and xorriso (libisoburn) do:
//!   * LBA 16 holds a copy of the newest session's volume descriptor set whose volume space
//!     size is patched to the end of that session counted from LBA 0 (growisofs writes
//!     `session size + session start`; libisoburn does the same in its LBA 0..31 header).
//!     No ISO 9660 PVD at LBA 16 means a blank medium: [`Msinfo::Blank`].
//!   * next writable address = that volume space size rounded up to a multiple of 32 blocks
//!     (64 KiB: libisoburn's alignment; growisofs rounds to 16, and every multiple of 32 is
//!     one of 16, so both tools accept ours and we accept theirs).
//!   * last session start = the highest LBA S, a multiple of 16, below the copy's path table
//!     and root directory, whose own PVD at S+16 has the same root directory record as the
//!     copy at LBA 16 (a session's directories are written after its descriptors). growisofs
//!     starts the first session at 0 (its PVD is the copy itself), libisoburn at 32; both are
//!     found. If no such S is found within 4096 candidates, 0 is reported.
//!
//! A blank medium is [`Msinfo::Blank`], not an error; a closed one is
//! [`MsinfoError::Closed`].

use transport::Transport;

use crate::cmd::disc_info::DiscStatus;
use crate::cmd::track_info::{TrackAddress, INVISIBLE_TRACK};
use crate::drive::{Drive, BLOCK};
use crate::error::MmcError;
use crate::profile::Profile;

/// Alignment of emulated sessions on overwritable media, in blocks.
pub const OVERWRITABLE_ALIGN: u32 = 32;
/// LBA of the primary volume descriptor (ECMA-119 §6.2.1: system area is blocks 0..15).
pub const PVD_LBA: u32 = 16;
/// How many 16-block candidates the session-start search tries.
pub const SESSION_SEARCH_LIMIT: u32 = 4096;

/// What msinfo found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Msinfo {
    /// No previous session: write the first one (no `-C`/`-M`).
    Blank,
    /// A new session can be appended.
    Appendable {
        /// Start LBA of the last session (`-C` first number).
        last_session_start: u32,
        /// Next writable address (`-C` second number).
        next_writable: u32,
    },
}

impl Msinfo {
    /// The `a,b` text `cdrecord -msinfo` prints, or `None` for a blank disc.
    pub fn cdrecord_text(&self) -> Option<String> {
        match self {
            Msinfo::Blank => None,
            Msinfo::Appendable {
                last_session_start,
                next_writable,
            } => Some(format!("{last_session_start},{next_writable}")),
        }
    }
}

/// Why msinfo has no answer.
#[derive(Debug, thiserror::Error)]
pub enum MsinfoError {
    /// The disc is finalized.
    #[error("disc is closed: no more sessions can be added")]
    Closed,
    /// The disc is open, but its last track is damaged (an earlier write stopped in it) and
    /// the drive gives it no next writable address (MMC-6 §6.27.3: Damage 1, NWA_V 0).
    #[error("the last track ({track}, from block {start}) is damaged and the drive will not continue it (an earlier write failed there): no next session address until its session is closed (`discburn add` does that and continues after it)")]
    Damaged {
        /// The damaged track.
        track: u16,
        /// Its first block.
        start: u32,
    },
    /// The medium is full.
    #[error("disc is full: next writable address {next_writable} is at or past the capacity of {capacity} blocks")]
    Full {
        /// Where the next session would start.
        next_writable: u32,
        /// Blocks on the medium.
        capacity: u32,
    },
    /// Read-only medium.
    #[error("{profile} is not a writable medium: no sessions can be added")]
    NotWritable {
        /// The medium's profile.
        profile: Profile,
    },
    /// No medium.
    #[error("no medium in the drive")]
    NoMedium,
    /// The drive's answers contradict each other.
    #[error("drive reports an appendable disc but {0}")]
    Inconsistent(String),
    /// A command failed.
    #[error(transparent)]
    Mmc(#[from] MmcError),
}

/// msinfo for the medium in `drive`, per the rules in the module documentation.
///
/// ```
/// use mmc::drive::Drive;
/// use mmc::msinfo::{msinfo, Msinfo};
///
/// let dir = tempfile::tempdir()?;
/// let opts = [("profile".to_string(), "bd-r".to_string())];
/// let mut drive = Drive::new(emu::open(&dir.path().join("demo.disc"), &opts)?);
/// // A blank disc has no previous session: mkisofs gets no -C.
/// assert_eq!(msinfo(&mut drive)?, Msinfo::Blank);
/// assert_eq!(Msinfo::Blank.cdrecord_text(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn msinfo<T: Transport>(drive: &mut Drive<T>) -> Result<Msinfo, MsinfoError> {
    let profile = match drive.current_profile() {
        Ok(p) => p,
        // Pre-MMC-2 drives lack GET CONFIGURATION: only CDs existed then.
        Err(e) if e.is_not_supported() => Profile::CdR,
        Err(e) if is_no_medium(&e) => return Err(MsinfoError::NoMedium),
        Err(e) => return Err(e.into()),
    };
    match profile {
        Profile::None => Err(MsinfoError::NoMedium),
        p if p.overwritable() => overwritable(drive),
        Profile::CdR | Profile::CdRw | Profile::DdcdR | Profile::DdcdRw => cd(drive),
        p if p.sequential() => sequential(drive),
        // Pressed discs, and a DVD+R that a drive reports as DVD-ROM once finalized (tgt
        // does): closed, as xorriso reports them ("is written , is closed").
        Profile::CdRom
        | Profile::DvdRom
        | Profile::BdRom
        | Profile::HdDvdRom
        | Profile::DdcdRom => Err(MsinfoError::Closed),
        p => Err(MsinfoError::NotWritable { profile: p }),
    }
}

fn is_no_medium(e: &MmcError) -> bool {
    e.sense().is_some_and(|s| s.asc == 0x3A)
}

fn cd<T: Transport>(drive: &mut Drive<T>) -> Result<Msinfo, MsinfoError> {
    let di = drive.disc_info()?;
    match di.view().disc_status() {
        DiscStatus::Empty => return Ok(Msinfo::Blank),
        DiscStatus::Complete => return Err(MsinfoError::Closed),
        DiscStatus::Incomplete | DiscStatus::Other => {}
    }
    let toc = drive.session_info()?;
    let first = toc.tracks.first().ok_or_else(|| {
        MsinfoError::Inconsistent("READ TOC format 1 has no track descriptor".into())
    })?;
    let start = u32::try_from(first.start.lba()).map_err(|_| {
        MsinfoError::Inconsistent(format!("last session starts at LBA {}", first.start.lba()))
    })?;
    let ti = drive.track_info(TrackAddress::Track(INVISIBLE_TRACK))?;
    let nwa = ti.view().nwa().ok_or_else(|| no_nwa(&ti.view()))?;
    Ok(Msinfo::Appendable {
        last_session_start: start,
        next_writable: nwa,
    })
}

fn sequential<T: Transport>(drive: &mut Drive<T>) -> Result<Msinfo, MsinfoError> {
    let di = drive.disc_info()?;
    let v = di.view();
    match v.disc_status() {
        DiscStatus::Empty => return Ok(Msinfo::Blank),
        DiscStatus::Complete => return Err(MsinfoError::Closed),
        DiscStatus::Incomplete | DiscStatus::Other => {}
    }
    let last_track = u32::from(v.last_track_last_session());
    let first_in_last = u32::from(v.first_track_last_session());
    let ti = drive.track_info(TrackAddress::Track(last_track))?;
    let nwa = ti.view().nwa().ok_or_else(|| no_nwa(&ti.view()))?;
    // The last complete session ends with the track before the last session's first track.
    if first_in_last <= u32::from(v.first_track()) {
        // No complete session before the open one: nothing to continue from.
        return Ok(Msinfo::Blank);
    }
    let mut track = first_in_last - 1;
    let last_info = drive.track_info(TrackAddress::Track(track))?;
    let session = last_info.view().session();
    let mut start = last_info.view().start();
    while track > u32::from(v.first_track()) {
        let prev = drive.track_info(TrackAddress::Track(track - 1))?;
        if prev.view().session() != session {
            break;
        }
        start = prev.view().start();
        track -= 1;
    }
    Ok(Msinfo::Appendable {
        last_session_start: start,
        next_writable: nwa,
    })
}

/// Why an open disc's last track has no next writable address: it is damaged (an earlier
/// write stopped in it), else the drive says nothing more can be written.
fn no_nwa(last: &crate::cmd::track_info::TrackInfoView<'_>) -> MsinfoError {
    if last.damage() {
        MsinfoError::Damaged {
            track: last.track(),
            start: last.start(),
        }
    } else {
        MsinfoError::Closed
    }
}

/// Reads a volume descriptor at `lba`: `Some(bytes)` when it is an ISO 9660 PVD.
fn read_pvd<T: Transport>(drive: &mut Drive<T>, lba: u32) -> Result<Option<Vec<u8>>, MmcError> {
    let mut b = vec![0u8; BLOCK];
    match drive.read_blocks(lba, &mut b) {
        Ok(()) => {}
        // An unrecorded block of a blank medium.
        Err(e)
            if e.sense().is_some_and(|s| {
                matches!(
                    s.key,
                    transport::SenseKey::BlankCheck
                        | transport::SenseKey::MediumError
                        | transport::SenseKey::IllegalRequest
                )
            }) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(e),
    }
    Ok((b[0] == 1 && &b[1..6] == b"CD001").then_some(b))
}

/// The root directory record of a primary volume descriptor (ECMA-119 §8.4.18, 34 bytes
/// at 156), the extent it names and the L path table's location (§8.4.14); `None` if `b`
/// is no primary volume descriptor.
fn pvd_root_and_path_table(b: &[u8]) -> Option<(&[u8], u32, u32)> {
    let vd = isofs::wire::vd::VolumeDescriptor::new_checked(b).ok()?;
    let root = vd.root_record();
    let extent = isofs::wire::get_u32_both(root.get(2..10)?);
    Some((root, extent, vd.path_table_l()))
}

fn overwritable<T: Transport>(drive: &mut Drive<T>) -> Result<Msinfo, MsinfoError> {
    let Some(copy) = read_pvd(drive, PVD_LBA)? else {
        return Ok(Msinfo::Blank);
    };
    let (Some(vss), Some((root, root_extent, path_table))) = (
        isofs::wire::vd::space_size_of(&copy),
        pvd_root_and_path_table(&copy),
    ) else {
        return Err(MsinfoError::Inconsistent(format!(
            "block {PVD_LBA} is no primary volume descriptor"
        )));
    };
    let next = vss
        .checked_add(OVERWRITABLE_ALIGN - 1)
        .map(|v| v / OVERWRITABLE_ALIGN * OVERWRITABLE_ALIGN)
        .ok_or_else(|| MsinfoError::Inconsistent(format!("volume space size {vss} overflows")))?;
    if let Ok((last, _)) = drive.read_capacity() {
        let capacity = last.saturating_add(1);
        if next >= capacity {
            return Err(MsinfoError::Full {
                next_writable: next,
                capacity,
            });
        }
    }
    let upper = root_extent.min(path_table).saturating_sub(PVD_LBA + 1);
    let mut s = upper / 16 * 16;
    let mut tries = 0;
    let start = loop {
        if s == 0 || tries >= SESSION_SEARCH_LIMIT {
            break 0;
        }
        if let Some(p) = read_pvd(drive, s + PVD_LBA)? {
            if pvd_root_and_path_table(&p).is_some_and(|(r, _, _)| r == root) {
                break s;
            }
        }
        s -= 16;
        tries += 1;
    };
    Ok(Msinfo::Appendable {
        last_session_start: start,
        next_writable: next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drive::tests::{quick, Fake};
    use std::path::Path;
    use std::process::Command;

    fn vss(img: &[u8]) -> u32 {
        isofs::wire::vd::space_size_of(&img[16 * BLOCK..17 * BLOCK]).unwrap()
    }

    /// GET CONFIGURATION header with current profile `p` (no descriptors).
    fn config(p: u16) -> Vec<u8> {
        let [hi, lo] = p.to_be_bytes();
        vec![0, 0, 0, 4, 0, 0, hi, lo]
    }

    fn disc_info(status: u8, sessions: u8, first_in_last: u8, last_in_last: u8) -> Vec<u8> {
        let mut b = vec![0u8; 34];
        b[1] = 32;
        b[2] = status;
        b[3] = 1;
        b[4] = sessions;
        b[5] = first_in_last;
        b[6] = last_in_last;
        b
    }

    fn track_info(track: u8, session: u8, start: u32, nwa: Option<u32>) -> Vec<u8> {
        let mut b = vec![0u8; 36];
        b[1] = 34;
        b[2] = track;
        b[3] = session;
        b[5] = 0x04;
        b[6] = if nwa.is_some() { 0x41 } else { 0x01 };
        b[7] = u8::from(nwa.is_some());
        b[8..12].copy_from_slice(&start.to_be_bytes());
        b[12..16].copy_from_slice(&nwa.unwrap_or(0).to_be_bytes());
        b
    }

    fn run(tool: &str, args: &[&str], dir: &Path) -> String {
        let out = Command::new(tool)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap_or_else(|e| {
                panic!("{tool} is needed for this test (apt-get install {tool}): {e}")
            });
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    fn overwritable_fake(image: Vec<u8>) -> Fake {
        let mut f = Fake::new().answer(&[0x46], &config(0x1A));
        f.image = image;
        f
    }

    #[test]
    fn cd_second_session_uses_toc_and_invisible_track() {
        // CD-R with one closed session of 10000 blocks: TOC format 1 says track 1 at 0,
        // the invisible track 2 has NWA 10000 + 11400.
        let f = Fake::new()
            .answer(&[0x46], &config(0x09))
            .answer(&[0x51], &disc_info(0x0D, 2, 2, 2))
            .answer(&[0x43, 0, 1], &[0, 0x0A, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0])
            .answer(
                &[0x52, 1, 0, 0, 0, 0xFF],
                &track_info(2, 2, 21400, Some(21400)),
            );
        let mut d = quick(f);
        let m = msinfo(&mut d).unwrap();
        assert_eq!(
            m,
            Msinfo::Appendable {
                last_session_start: 0,
                next_writable: 21400
            }
        );
        assert_eq!(m.cdrecord_text().unwrap(), "0,21400");
        let ops: Vec<u8> = d.transport().log.iter().map(|c| c[0]).collect();
        assert_eq!(ops, vec![0x46, 0x51, 0x43, 0x52]);
    }

    #[test]
    fn blank_and_closed_discs() {
        let f = Fake::new()
            .answer(&[0x46], &config(0x09))
            .answer(&[0x51], &disc_info(0x00, 1, 1, 1));
        assert_eq!(msinfo(&mut quick(f)).unwrap(), Msinfo::Blank);
        assert_eq!(Msinfo::Blank.cdrecord_text(), None);
        let f = Fake::new()
            .answer(&[0x46], &config(0x1B))
            .answer(&[0x51], &disc_info(0x0E, 1, 1, 1));
        let e = msinfo(&mut quick(f)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "disc is closed: no more sessions can be added"
        );
        let f = Fake::new().answer(&[0x46], &config(0x10));
        assert!(matches!(
            msinfo(&mut quick(f)).unwrap_err(),
            MsinfoError::Closed
        ));
        let f = Fake::new().answer(&[0x46], &config(0x0099));
        assert!(matches!(
            msinfo(&mut quick(f)).unwrap_err(),
            MsinfoError::NotWritable { .. }
        ));
        let f = Fake::new().answer(&[0x46], &config(0x00));
        assert!(matches!(
            msinfo(&mut quick(f)).unwrap_err(),
            MsinfoError::NoMedium
        ));
    }

    #[test]
    fn dvd_plus_r_two_sessions_walks_tracks_not_toc() {
        // DVD+R: session 1 = track 1 at 0; session 2 = tracks 2 and 3 at 10240, 12288;
        // session 3 open with empty track 4 (NWA 20480). Expect 10240,20480.
        let f = Fake::new()
            .answer(&[0x46], &config(0x1B))
            .answer(&[0x51], &disc_info(0x01, 3, 4, 4))
            .answer(
                &[0x52, 1, 0, 0, 0, 4],
                &track_info(4, 3, 20480, Some(20480)),
            )
            .answer(&[0x52, 1, 0, 0, 0, 3], &track_info(3, 2, 12288, None))
            .answer(&[0x52, 1, 0, 0, 0, 2], &track_info(2, 2, 10240, None))
            .answer(&[0x52, 1, 0, 0, 0, 1], &track_info(1, 1, 0, None));
        let mut d = quick(f);
        assert_eq!(
            msinfo(&mut d).unwrap(),
            Msinfo::Appendable {
                last_session_start: 10240,
                next_writable: 20480
            }
        );
        assert!(
            !d.transport().log.iter().any(|c| c[0] == 0x43),
            "READ TOC must not be used"
        );
    }

    #[test]
    fn overwritable_blank_is_blank() {
        let mut d = quick(overwritable_fake(vec![0u8; 64 * BLOCK]));
        assert_eq!(msinfo(&mut d).unwrap(), Msinfo::Blank);
    }

    #[test]
    fn overwritable_written_by_xorriso() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir(p.join("a")).unwrap();
        std::fs::create_dir(p.join("b")).unwrap();
        std::fs::write(p.join("a/one"), b"one").unwrap();
        std::fs::write(p.join("b/two"), vec![7u8; 300_000]).unwrap();
        run(
            "xorriso",
            &["-dev", "stdio:disc.img", "-add", "a", "--", "-commit"],
            p,
        );
        run(
            "xorriso",
            &["-dev", "stdio:disc.img", "-add", "b", "--", "-commit"],
            p,
        );
        let toc = run("xorriso", &["-indev", "stdio:disc.img", "-toc"], p);
        // "ISO session  :   2 ,        64 ,       172s , ISOIMAGE" and "Media nwa    : 256s"
        let last_start: u32 = toc
            .lines()
            .rfind(|l| l.starts_with("ISO session"))
            .and_then(|l| l.split(',').nth(1))
            .map(|s| s.trim().parse().unwrap())
            .expect("xorriso -toc lists sessions");
        let nwa: u32 = toc
            .lines()
            .find(|l| l.starts_with("Media nwa"))
            .and_then(|l| l.split(':').nth(1))
            .map(|s| s.trim().trim_end_matches('s').parse().unwrap())
            .expect("xorriso -toc prints the nwa");
        let mut image = std::fs::read(p.join("disc.img")).unwrap();
        image.resize(image.len() + 64 * BLOCK, 0);
        let mut d = quick(overwritable_fake(image));
        assert_eq!(
            msinfo(&mut d).unwrap(),
            Msinfo::Appendable {
                last_session_start: last_start,
                next_writable: nwa
            }
        );
    }

    #[test]
    fn overwritable_written_growisofs_style_with_genisoimage() {
        // growisofs -Z: session 1 at LBA 0; growisofs -M: mkisofs -C 16,N with N = VSS
        // rounded to 16, the session written at N, its descriptors copied to LBA 16 with
        // the volume space size set to N + session size.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir(p.join("a")).unwrap();
        std::fs::create_dir(p.join("b")).unwrap();
        std::fs::write(p.join("a/one"), b"one").unwrap();
        std::fs::write(p.join("b/two"), vec![7u8; 300_000]).unwrap();
        run("genisoimage", &["-quiet", "-R", "-o", "s1.iso", "a"], p);
        let mut disc = std::fs::read(p.join("s1.iso")).unwrap();
        let vss1 = vss(&disc);
        let n = vss1.div_ceil(16) * 16;
        let c = format!("16,{n}");
        run(
            "genisoimage",
            &[
                "-quiet", "-R", "-C", &c, "-M", "s1.iso", "-o", "s2.iso", "b",
            ],
            p,
        );
        let s2 = std::fs::read(p.join("s2.iso")).unwrap();
        let size2 = vss(&s2);
        disc.resize(n as usize * BLOCK, 0);
        disc.extend_from_slice(&s2);
        // Copy the descriptor set (up to the terminator) to LBA 16, patching the size.
        let mut lba = 16;
        loop {
            let src = (n as usize + lba) * BLOCK;
            let mut vd = s2[lba * BLOCK..(lba + 1) * BLOCK].to_vec();
            if vd[0] == 1 || vd[0] == 2 {
                let total = n + size2;
                isofs::wire::vd::set_space_size(&mut vd, total);
            }
            disc[lba * BLOCK..(lba + 1) * BLOCK].copy_from_slice(&vd);
            assert_eq!(&disc[src + 1..src + 6], b"CD001");
            if vd[0] == 255 {
                break;
            }
            lba += 1;
        }
        disc.resize(disc.len() + 64 * BLOCK, 0);
        let mut d = quick(overwritable_fake(disc));
        let next = (n + size2).div_ceil(OVERWRITABLE_ALIGN) * OVERWRITABLE_ALIGN;
        assert_eq!(
            msinfo(&mut d).unwrap(),
            Msinfo::Appendable {
                last_session_start: n,
                next_writable: next
            }
        );
    }

    #[test]
    fn overwritable_full_disc() {
        let mut image = vec![0u8; 40 * BLOCK];
        image[16 * BLOCK] = 1;
        image[16 * BLOCK + 1..16 * BLOCK + 6].copy_from_slice(b"CD001");
        image[16 * BLOCK + 80..16 * BLOCK + 84].copy_from_slice(&39u32.to_le_bytes());
        let e = msinfo(&mut quick(overwritable_fake(image))).unwrap_err();
        assert!(
            matches!(
                e,
                MsinfoError::Full {
                    next_writable: 64,
                    capacity: 40
                }
            ),
            "{e}"
        );
    }
}

/// msinfo, TOC and disc information on the emulated drive (the `emu` crate), every writable
/// profile: blank, one, two and five sessions made with genisoimage `-C a,b -M disc`
/// from the numbers msinfo gave, then closed.
#[cfg(test)]
mod emu_tests {
    use super::*;
    use crate::cmd::close::CloseFunction;
    use crate::cmd::disc_info::SessionState;
    use crate::cmd::mode::WriteParameters;
    use emu::EmuDrive;
    use std::path::Path;
    use std::process::Command;

    fn open(path: &Path, profile: &str) -> Drive<EmuDrive> {
        let opts = vec![("profile".to_string(), profile.to_string())];
        let mut d = Drive::new(emu::open(path, &opts).unwrap());
        d.poll_interval = std::time::Duration::ZERO;
        d
    }

    fn vss(img: &[u8]) -> u32 {
        isofs::wire::vd::space_size_of(&img[16 * BLOCK..17 * BLOCK]).unwrap()
    }

    /// Builds session `k` with genisoimage (first: plain; later: `-C a,b -M disc`), padded
    /// to a multiple of 32 blocks. Returns the image.
    fn session_image(dir: &Path, disc: &Path, k: usize, c: Option<(u32, u32)>) -> Vec<u8> {
        let tree = dir.join(format!("t{k}"));
        std::fs::create_dir_all(&tree).unwrap();
        std::fs::write(tree.join(format!("f{k}.txt")), format!("session {k}\n")).unwrap();
        let out = dir.join(format!("s{k}.iso"));
        let mut cmd = Command::new("genisoimage");
        cmd.args(["-quiet", "-R", "-V", &format!("S{k}"), "-o"])
            .arg(&out);
        let cs;
        if let Some((a, b)) = c {
            cs = format!("{a},{b}");
            cmd.args(["-C", &cs, "-M"]).arg(disc);
        }
        cmd.arg(&tree);
        let o = cmd
            .output()
            .expect("genisoimage is needed (apt-get install genisoimage)");
        assert!(
            o.status.success(),
            "genisoimage: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let mut img = std::fs::read(&out).unwrap();
        let blocks = img.len().div_ceil(BLOCK).div_ceil(32) * 32;
        img.resize(blocks * BLOCK, 0);
        img
    }

    fn page05(profile: &str, last: bool) -> Option<WriteParameters> {
        match profile {
            "cd-r" | "cd-rw" => Some(WriteParameters::cd_tao_data(!last, false)),
            "dvd-r" => Some(WriteParameters::dvd_incremental(!last, false)),
            _ => None,
        }
    }

    /// Writes one session on a sequential medium at the invisible track's NWA; `last`
    /// closes the disc. Returns (start, blocks).
    fn write_sequential(
        d: &mut Drive<EmuDrive>,
        profile: &str,
        img: &[u8],
        last: bool,
    ) -> (u32, u32) {
        if let Some(w) = page05(profile, last) {
            d.set_write_parameters(&w).unwrap();
        }
        let di = d.disc_info().unwrap();
        let track = di.view().last_track_last_session();
        let nwa = d
            .track_info(TrackAddress::Track(INVISIBLE_TRACK))
            .unwrap()
            .view()
            .nwa()
            .unwrap();
        d.write_blocks(nwa, img).unwrap();
        d.synchronize_cache().unwrap();
        d.close(CloseFunction::Track, track).unwrap();
        let f = match (profile, last) {
            ("dvd+r" | "dvd+r-dl" | "bd-r", true) => CloseFunction::FinalizeDvdPlusRDl,
            _ => CloseFunction::Session,
        };
        d.close(f, 0).unwrap();
        (nwa, (img.len() / BLOCK) as u32)
    }

    /// The model's gap and blocking for `profile` (MMC-6 §4.2.3 on CD: lead-out + lead-in +
    /// pregap = 11400 after the first session, 6900 later; run-out 2 blocks after a TAO
    /// track; the emulated DVD-R border zones 16384/3072, DVD+R 4096, BD-R none).
    fn expected_next(profile: &str, start: u32, blocks: u32, closed: usize) -> u32 {
        let (runout, gap, blocking) = match profile {
            "cd-r" | "cd-rw" => (2, if closed <= 1 { 11_400 } else { 6_900 }, 1),
            "dvd-r" => (0, if closed <= 1 { 16_384 } else { 3_072 }, 16),
            "dvd+r" | "dvd+r-dl" => (0, 4_096, 16),
            _ => (0, 0, 32),
        };
        (start + blocks.max(if runout > 0 { 300 } else { 0 }) + runout + gap).div_ceil(blocking)
            * blocking
    }

    fn sequential_profile(profile: &str) {
        let dir = tempfile::tempdir().unwrap();
        let disc = dir.path().join("disc.img");
        let mut d = open(&disc, profile);
        assert_eq!(msinfo(&mut d).unwrap(), Msinfo::Blank, "{profile} blank");
        let di = d.disc_info().unwrap();
        assert_eq!(di.view().disc_status(), DiscStatus::Empty);
        let mut starts = Vec::new();
        let mut c = None;
        let mut first_blocks = 0;
        for k in 1..=5 {
            let img = session_image(dir.path(), &disc, k, c);
            let (start, blocks) = write_sequential(&mut d, profile, &img, false);
            starts.push(start);
            let next = expected_next(profile, start, blocks, k);
            let m = msinfo(&mut d).unwrap();
            assert_eq!(
                m,
                Msinfo::Appendable {
                    last_session_start: start,
                    next_writable: next
                },
                "{profile}: after session {k}"
            );
            if k == 2 && profile.starts_with("cd") {
                // "the second CD session at the end of the first plus 11400": the first
                // track (at least 300 blocks) and its 2 run-out blocks, then the gap.
                assert_eq!(start, starts[0] + first_blocks.max(300) + 2 + 11_400);
            }
            if k == 1 {
                first_blocks = blocks;
            }
            let v = d.disc_info().unwrap();
            let v = v.view();
            assert_eq!(v.disc_status(), DiscStatus::Incomplete, "{profile} {k}");
            assert_eq!(v.last_session_state(), SessionState::Empty, "{profile} {k}");
            assert_eq!(
                usize::from(v.sessions()),
                k + 1,
                "{profile}: sessions after {k}"
            );
            if let Msinfo::Appendable {
                last_session_start,
                next_writable,
            } = m
            {
                c = Some((last_session_start, next_writable));
            }
        }
        // The TOC lists a track at every session start (CD; DVD/BD drives fabricate one).
        let toc = d.toc(false).unwrap();
        let tracks: Vec<i32> = toc
            .tracks
            .iter()
            .filter(|t| !t.is_leadout())
            .map(|t| t.start.lba())
            .collect();
        let want: Vec<i32> = starts.iter().map(|&s| s as i32).collect();
        assert_eq!(tracks, want, "{profile} TOC");
        if profile.starts_with("cd") {
            let si = d.session_info().unwrap();
            assert_eq!((si.first, si.last), (1, 5));
            assert_eq!(si.tracks[0].start.lba(), starts[4] as i32);
        }
        // Close the disc with a sixth session.
        let img = session_image(dir.path(), &disc, 6, c);
        write_sequential(&mut d, profile, &img, true);
        let e = msinfo(&mut d).unwrap_err();
        assert!(matches!(e, MsinfoError::Closed), "{profile}: {e}");
        assert_eq!(
            e.to_string(),
            "disc is closed: no more sessions can be added"
        );
        // The disc image holds the last session for an independent reader.
        let o = Command::new("isoinfo")
            .args(["-d", "-i"])
            .arg(&disc)
            .args(["-T", &starts[4].to_string()])
            .output()
            .expect("isoinfo is needed (apt-get install genisoimage)");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Volume id: S5"),
            "{profile}: isoinfo"
        );
    }

    #[test]
    fn cd_r_sessions() {
        sequential_profile("cd-r");
    }

    #[test]
    fn cd_rw_sessions() {
        sequential_profile("cd-rw");
    }

    #[test]
    fn dvd_r_sessions() {
        sequential_profile("dvd-r");
    }

    #[test]
    fn dvd_plus_r_sessions() {
        sequential_profile("dvd+r");
    }

    #[test]
    fn dvd_plus_r_dl_sessions() {
        sequential_profile("dvd+r-dl");
    }

    #[test]
    fn bd_r_sessions() {
        sequential_profile("bd-r");
    }

    /// Overwritable media: sessions at msinfo's NWA, descriptors copied to LBA 16 with the
    /// volume space size set to the session's end (growisofs' convention).
    fn overwritable_profile(profile: &str) {
        let dir = tempfile::tempdir().unwrap();
        let disc = dir.path().join("disc.img");
        let mut d = open(&disc, profile);
        assert_eq!(msinfo(&mut d).unwrap(), Msinfo::Blank, "{profile} blank");
        format_if_needed(&mut d);
        assert_eq!(
            msinfo(&mut d).unwrap(),
            Msinfo::Blank,
            "{profile} formatted"
        );
        let mut c = None;
        for k in 1..=5 {
            let img = session_image(dir.path(), &disc, k, c);
            let start = c.map_or(0, |(_, b)| b);
            d.write_blocks(start, &img).unwrap();
            let size = vss(&img);
            // Copy the descriptor set to LBA 16 with the absolute end as volume space size.
            let mut lba = 16;
            loop {
                let mut vd = img[lba * BLOCK..(lba + 1) * BLOCK].to_vec();
                if vd[0] == 1 || vd[0] == 2 {
                    let total = start + size;
                    vd[80..84].copy_from_slice(&total.to_le_bytes());
                    vd[84..88].copy_from_slice(&total.to_be_bytes());
                }
                d.write_blocks(lba as u32, &vd).unwrap();
                if vd[0] == 255 {
                    break;
                }
                lba += 1;
            }
            d.synchronize_cache().unwrap();
            let m = msinfo(&mut d).unwrap();
            let next = (start + size).div_ceil(OVERWRITABLE_ALIGN) * OVERWRITABLE_ALIGN;
            assert_eq!(
                m,
                Msinfo::Appendable {
                    last_session_start: start,
                    next_writable: next
                },
                "{profile}: after session {k}"
            );
            c = Some((start, next));
        }
        // xorriso reads the merged tree of the last session at LBA 16's copy.
        let o = Command::new("xorriso")
            .args(["-indev"])
            .arg(&disc)
            .args(["-find", "/", "-name", "f*.txt"])
            .output()
            .expect("xorriso is needed (apt-get install xorriso)");
        let out = String::from_utf8_lossy(&o.stdout);
        for k in 1..=5 {
            assert!(
                out.contains(&format!("/f{k}.txt")),
                "{profile}: xorriso sees {out}"
            );
        }
    }

    /// Formats an unformatted medium with the first formattable capacity READ FORMAT
    /// CAPACITIES offers (dvd+rw-format and xorriso do the same).
    fn format_if_needed(d: &mut Drive<EmuDrive>) {
        use crate::cmd::blank_format::FormatRequest;
        use crate::cmd::format_capacities::{CurrentKind, FormatCapacitiesView};
        let b = d.format_capacities().unwrap();
        let v = FormatCapacitiesView::new_checked(&b).unwrap();
        if v.current_kind() != CurrentKind::Unformatted {
            return;
        }
        let cap = v.formattable().next().expect("a formattable capacity");
        let req = FormatRequest {
            blocks: cap.blocks,
            format_type: cap.format_type,
            subtype: 0,
            type_dependent: cap.param,
            immed: false,
        };
        d.format(&req).unwrap();
    }

    #[test]
    fn dvd_plus_rw_sessions() {
        overwritable_profile("dvd+rw");
    }

    #[test]
    fn bd_re_sessions() {
        overwritable_profile("bd-re");
    }
}
