//! GET CONFIGURATION answers (MMC-6 §5.2 feature descriptor format, §5.3 features, §6.6.2
//! response): the profile list and the features a multi-format BD/DVD/CD writer reports,
//! with the current bit set for the medium in the tray.
//!
//! CD Mastering (002Eh, MMC-6 §5.3.21) is reported with SAO, Test Write and CD-RW (no raw
//! writing, no R-W subcodes; SEND CUE SHEET takes only a one-track data session, see the
//! module documentation of [`super`]), current on CD-R and CD-RW; a drive opened with
//! `sao=off` ([`MediaView::sao`] false) does not report it.
//!
//! Not reported: DVD-RW restricted overwrite (0026h, no DVD-RW media emulated).

use super::medium::{Family, MediumKind};

/// One feature descriptor before encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    /// Feature code.
    pub code: u16,
    /// Version (byte 2 bits 5-2).
    pub version: u8,
    /// Persistent bit.
    pub persistent: bool,
    /// Current bit.
    pub current: bool,
    /// Feature-dependent bytes after the 4-byte header (a multiple of 4).
    pub data: Vec<u8>,
}

impl Feature {
    fn new(code: u16, version: u8, persistent: bool, current: bool, data: Vec<u8>) -> Self {
        Feature {
            code,
            version,
            persistent,
            current,
            data,
        }
    }

    /// The descriptor bytes (MMC-6 §5.2.2 table 86).
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.code.to_be_bytes());
        out.push((self.version << 2) | (u8::from(self.persistent) << 1) | u8::from(self.current));
        out.push(self.data.len() as u8);
        out.extend_from_slice(&self.data);
    }
}

/// What the feature list depends on.
#[derive(Debug, Clone, Copy)]
pub struct MediaView {
    /// Medium in the tray (None: tray open).
    pub medium: Option<MediumKind>,
    /// There is readable data on it.
    pub readable: bool,
    /// Overwritable medium is formatted.
    pub formatted: bool,
    /// Last LBA of the formatted area (Random Writable feature).
    pub last_lba: u32,
    /// The drive has buffer-underrun protection (the BUF bits).
    pub bup: bool,
    /// The drive writes CD session-at-once (reports CD Mastering, 002Eh).
    pub sao: bool,
}

/// Maximum cue sheet length the CD Mastering feature announces: 1024 entries of 8 bytes,
/// room for 99 tracks with ISRCs, pre-gaps and several indexes each.
pub const MAX_CUE_SHEET_LEN: u32 = 8192;

/// Every feature descriptor, ascending by code.
pub fn features(v: &MediaView) -> Vec<Feature> {
    let m = v.medium;
    let fam = m.map(|k| k.family());
    let is = |k: &[MediumKind]| m.is_some_and(|x| k.contains(&x));
    let buf = u8::from(v.bup);
    let mut f = Vec::new();

    // 0000h Profile List (§5.3.1): every profile, CurrentP on the medium in the tray.
    let mut pl = Vec::new();
    for k in MediumKind::ALL {
        pl.extend_from_slice(&k.profile().to_be_bytes());
        pl.push(u8::from(m == Some(k)));
        pl.push(0);
    }
    f.push(Feature::new(0x0000, 0, true, true, pl));
    // 0001h Core (§5.3.2): physical interface 00000001h (SCSI family), DBE.
    f.push(Feature::new(
        0x0001,
        2,
        true,
        true,
        vec![0, 0, 0, 1, 0x01, 0, 0, 0],
    ));
    // 0002h Morphing (§5.3.3): polling only.
    f.push(Feature::new(0x0002, 1, true, true, vec![0, 0, 0, 0]));
    // 0003h Removable Medium (§5.3.4): tray loader (001b), Load, Eject, Lock.
    f.push(Feature::new(
        0x0003,
        2,
        true,
        true,
        vec![0x20 | 0x10 | 0x08 | 0x01, 0, 0, 0],
    ));
    // 0010h Random Readable (§5.3.5): 2048-byte blocks, blocking per family, PP.
    let blocking = fam.map(|x| x.blocking()).unwrap_or(1) as u16;
    let mut rr = vec![0, 0, 0x08, 0x00];
    rr.extend_from_slice(&blocking.to_be_bytes());
    rr.extend_from_slice(&[0x01, 0]);
    f.push(Feature::new(0x0010, 0, false, v.readable, rr));
    // 001Dh Multi-Read (§5.3.6).
    f.push(Feature::new(
        0x001D,
        0,
        false,
        fam == Some(Family::Cd),
        vec![],
    ));
    // 001Eh CD Read (§5.3.7): C2 Flags (READ CD returns C2 error pointers), CD-Text
    // (READ TOC format 5).
    f.push(Feature::new(
        0x001E,
        2,
        false,
        fam == Some(Family::Cd),
        vec![0x02 | 0x01, 0, 0, 0],
    ));
    // 001Fh DVD Read (§5.3.8): MULTI110, Dual-R.
    f.push(Feature::new(
        0x001F,
        1,
        false,
        fam == Some(Family::Dvd),
        vec![0x01, 0, 0x01, 0],
    ));
    // 0020h Random Writable (§5.3.9): BD-RE when formatted.
    let mut rw = v.last_lba.to_be_bytes().to_vec();
    rw.extend_from_slice(&[0, 0, 0x08, 0, 0, 32, 0x01, 0]);
    f.push(Feature::new(
        0x0020,
        0,
        false,
        is(&[MediumKind::BdRe]) && v.formatted,
        rw,
    ));
    // 0021h Incremental Streaming Writable (§5.3.10): data block types 8 and 10, BUF,
    // one link size (CD 7, DVD 16).
    let link = if fam == Some(Family::Cd) { 7 } else { 16 };
    f.push(Feature::new(
        0x0021,
        1,
        false,
        is(&[MediumKind::CdR, MediumKind::CdRw, MediumKind::DvdR]),
        vec![0x05, 0x00, buf, 0x01, link, 0, 0, 0],
    ));
    // 0023h Formattable (§5.3.11).
    f.push(Feature::new(
        0x0023,
        0,
        false,
        is(&[MediumKind::DvdPlusRw, MediumKind::BdRe]),
        vec![0, 0, 0, 0, 0, 0, 0, 0],
    ));
    // 002Ah DVD+RW (§5.3.17): Write.
    f.push(Feature::new(
        0x002A,
        1,
        false,
        is(&[MediumKind::DvdPlusRw]),
        vec![0x01, 0, 0, 0],
    ));
    // 002Bh DVD+R (§5.3.18): Write.
    f.push(Feature::new(
        0x002B,
        0,
        false,
        is(&[MediumKind::DvdPlusR, MediumKind::DvdPlusRDl]),
        vec![0x01, 0, 0, 0],
    ));
    // 002Dh CD Track at Once (§5.3.20): BUF, Test Write, CD-RW; data types 0 (raw
    // CD-DA), 8 and 10.
    f.push(Feature::new(
        0x002D,
        2,
        false,
        is(&[MediumKind::CdR, MediumKind::CdRw]),
        vec![(buf << 6) | 0x04 | 0x02, 0, 0x05, 0x01],
    ));
    // 002Eh CD Mastering (§5.3.21): BUF, SAO, Test Write, CD-RW, R-W (the lead-in's
    // CD-TEXT sub-channel from the host; no Raw MS, no Raw);
    // maximum cue sheet length in bytes 1-3. Absent on a drive without SAO (`sao=off`).
    if v.sao {
        let mut cm = vec![(buf << 6) | 0x20 | 0x04 | 0x02 | 0x01];
        cm.extend_from_slice(&MAX_CUE_SHEET_LEN.to_be_bytes()[1..]);
        f.push(Feature::new(
            0x002E,
            0,
            false,
            is(&[MediumKind::CdR, MediumKind::CdRw]),
            cm,
        ));
    }
    // 002Fh DVD-R/-RW Write (§5.3.22): BUF, Test Write.
    f.push(Feature::new(
        0x002F,
        1,
        false,
        is(&[MediumKind::DvdR]),
        vec![(buf << 6) | 0x04, 0, 0, 0],
    ));
    // 003Bh DVD+R Dual Layer (§5.3.27): Write.
    f.push(Feature::new(
        0x003B,
        0,
        false,
        is(&[MediumKind::DvdPlusRDl]),
        vec![0x01, 0, 0, 0],
    ));
    // 0040h BD Read (§5.3.28): class 0 BD-RE versions 1-3, BD-R 1-2, BD-ROM 1.
    let mut bdr = vec![0u8; 28];
    bdr[4..6].copy_from_slice(&0x000Eu16.to_be_bytes());
    bdr[12..14].copy_from_slice(&0x0006u16.to_be_bytes());
    bdr[20..22].copy_from_slice(&0x0002u16.to_be_bytes());
    f.push(Feature::new(0x0040, 1, false, fam == Some(Family::Bd), bdr));
    // 0041h BD Write (§5.3.29): class 0 BD-RE versions 1-3, BD-R 1-2.
    let mut bdw = vec![0u8; 20];
    bdw[4..6].copy_from_slice(&0x000Eu16.to_be_bytes());
    bdw[12..14].copy_from_slice(&0x0006u16.to_be_bytes());
    f.push(Feature::new(
        0x0041,
        1,
        false,
        is(&[MediumKind::BdR, MediumKind::BdRe]),
        bdw,
    ));
    // 0100h Power Management (§5.3.32).
    f.push(Feature::new(0x0100, 0, true, true, vec![]));
    // 0107h Real Time Streaming (§5.3.37): RBCB, SCS, MP2A, WSPD, SW.
    f.push(Feature::new(
        0x0107,
        4,
        false,
        m.is_some(),
        vec![0x1F, 0, 0, 0],
    ));
    f
}

/// The GET CONFIGURATION response for RT and starting feature number (MMC-6 §6.6.2).
pub fn get_configuration(v: &MediaView, rt: u8, start: u16) -> Vec<u8> {
    let current_profile = v.medium.map(|k| k.profile()).unwrap_or(0);
    let mut out = vec![0u8; 8];
    out[6..8].copy_from_slice(&current_profile.to_be_bytes());
    for f in features(v) {
        let take = match rt {
            0 => f.code >= start,
            1 => f.code >= start && f.current,
            _ => f.code == start,
        };
        if take {
            f.encode(&mut out);
        }
    }
    let len = (out.len() - 4) as u32;
    out[0..4].copy_from_slice(&len.to_be_bytes());
    out
}
