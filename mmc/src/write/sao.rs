//! Whether the drive offers CD session-at-once for this session: the CD Mastering feature
//! (002Eh, MMC-6 §5.3.21) and its fields, as cdrecord and libburn read them.

use transport::Transport;

use super::{WriteError, MIN_CD_TRACK};
use crate::cmd::cue_sheet;
use crate::drive::Drive;
use crate::profile::Profile;

/// Refuses CD session-at-once on a drive whose CD Mastering feature (002Eh, MMC-6
/// §5.3.21) says it cannot write this session that way, as cdrecord ("Drive does not
/// support SAO recording") and libburn (no SAO block types) refuse it. A drive without
/// GET CONFIGURATION (older than MMC-2) is let through: its capabilities page 2Ah has
/// write bits per medium (CD-R, CD-RW, Test Write) but none per write type, so there the
/// drive answers for itself when page 05h asks for write type 2 (see [`prepare`]).
pub(crate) fn check_sao_offered<T: Transport>(
    drive: &mut Drive<T>,
    profile: Profile,
    dummy: bool,
) -> Result<(), WriteError> {
    let features = match drive.features() {
        Ok(f) => f,
        Err(e) if e.is_not_supported() => {
            log::info!("no GET CONFIGURATION: the drive answers for session-at-once itself");
            return Ok(());
        }
        Err(e) => {
            log::warn!("reading the drive's features ({e}): trying session-at-once anyway");
            return Ok(());
        }
    };
    let cue_len = cue_sheet::data_track(1, 0, MIN_CD_TRACK).len();
    match sao_refusal(&features, profile, dummy, cue_len) {
        Some(reason) => Err(WriteError::SaoUnsupported { reason }),
        None => Ok(()),
    }
}

/// Why the features a drive reports rule out writing a one-track data session
/// session-at-once (a cue sheet of `cue_len` bytes) on the current `profile`: `None`
/// when the CD Mastering feature (002Eh) offers it. Its fields (MMC-6 §5.3.21): SAO, Raw,
/// Raw MS, Test Write, CD-RW (SAO and raw on CD-RW media), Maximum Cue Sheet Length.
fn sao_refusal(
    features: &[crate::feature::Feature],
    profile: Profile,
    dummy: bool,
    cue_len: usize,
) -> Option<String> {
    use crate::feature::FeatureBody;
    let no = |why: String| Some(format!("the drive does not offer session-at-once ({why})"));
    let Some(f) = features.iter().find(|f| f.code == 0x002E) else {
        return no("no CD Mastering feature 002Eh with SAO".into());
    };
    let FeatureBody::CdMastering {
        sao,
        raw,
        test_write,
        cd_rw,
        max_cue_len,
        ..
    } = f.body
    else {
        log::warn!("the CD Mastering feature 002Eh has no fields: trying session-at-once");
        return None;
    };
    if !sao {
        return no(format!(
            "its CD Mastering feature 002Eh has no SAO bit{}",
            if raw {
                ", only raw writing, which discburn does not do"
            } else {
                ""
            }
        ));
    }
    if !f.current {
        return no(format!(
            "on this {profile}: its CD Mastering feature 002Eh is not current for the medium"
        ));
    }
    if profile == Profile::CdRw && !cd_rw {
        return no("on CD-RW: its CD Mastering feature 002Eh has no CD-RW bit".into());
    }
    if dummy && !test_write {
        return Some(
            "the drive cannot simulate session-at-once (-dummy): its CD Mastering feature \
             002Eh has no Test Write bit"
                .into(),
        );
    }
    // 0: the drive does not say.
    let m = max_cue_len as usize;
    if m != 0 && m < cue_len {
        return no(format!(
            "its CD Mastering feature 002Eh takes cue sheets of at most {m} bytes, this \
             session's has {cue_len}"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::device::tests::legacy_drive;

    fn cd_mastering(current: bool, bits: u8, max_cue: u32) -> crate::feature::Feature {
        let mut d = vec![bits];
        d.extend_from_slice(&max_cue.to_be_bytes()[1..]);
        let mut desc = vec![0x00, 0x2E, u8::from(current), d.len() as u8];
        desc.extend_from_slice(&d);
        let raw = crate::cmd::get_configuration::RawFeature {
            code: 0x002E,
            version: 0,
            persistent: false,
            current,
            data: &desc[4..],
        };
        crate::feature::Feature::decode(&raw)
    }

    #[test]
    fn sao_refusal_reads_the_cd_mastering_feature() {
        // BUF, SAO, Test Write, CD-RW; 32-byte cue sheets (MMC-6 §5.3.21 byte 4, bytes 5-7)
        let ok = cd_mastering(true, 0x40 | 0x20 | 0x04 | 0x02, 32);
        for p in [Profile::CdR, Profile::CdRw] {
            assert_eq!(sao_refusal(std::slice::from_ref(&ok), p, true, 32), None);
        }
        let r = sao_refusal(&[], Profile::CdR, false, 32).unwrap();
        assert_eq!(
            r,
            "the drive does not offer session-at-once (no CD Mastering feature 002Eh with SAO)"
        );
        // Raw only (Raw, Raw MS), no SAO
        let r = sao_refusal(&[cd_mastering(true, 0x18, 0)], Profile::CdR, false, 32).unwrap();
        assert!(r.contains("no SAO bit, only raw writing"), "{r}");
        let r = sao_refusal(&[cd_mastering(false, 0x26, 32)], Profile::CdR, false, 32).unwrap();
        assert!(r.contains("not current"), "{r}");
        let r = sao_refusal(&[cd_mastering(true, 0x24, 32)], Profile::CdRw, false, 32).unwrap();
        assert!(r.contains("no CD-RW bit"), "{r}");
        assert_eq!(
            sao_refusal(&[cd_mastering(true, 0x24, 32)], Profile::CdR, false, 32),
            None
        );
        let r = sao_refusal(&[cd_mastering(true, 0x22, 32)], Profile::CdR, true, 32).unwrap();
        assert!(
            r.contains("cannot simulate") && r.contains("Test Write"),
            "{r}"
        );
        let r = sao_refusal(&[cd_mastering(true, 0x26, 16)], Profile::CdR, false, 32).unwrap();
        assert!(r.contains("at most 16 bytes"), "{r}");
        // 0: the drive names no limit
        assert_eq!(
            sao_refusal(&[cd_mastering(true, 0x26, 0)], Profile::CdR, false, 32),
            None
        );
    }

    #[test]
    fn legacy_drive_is_let_through_for_sao() {
        // no GET CONFIGURATION: page 2Ah has no bit per write type; the drive answers itself
        let mut d = legacy_drive(false);
        check_sao_offered(&mut d, Profile::CdR, false).unwrap();
    }
}
