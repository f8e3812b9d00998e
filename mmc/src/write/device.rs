//! The device and medium checks before any write: INQUIRY peripheral device type 5 (SPC-4
//! §6.6.2, table 49: MMC device), the current profile from GET CONFIGURATION (MMC-6
//! §5.3.1) or, on drives older than MMC-2, from READ DISC INFORMATION (§6.22.3.1.2).

use transport::Transport;

use super::{step, Recipe, Step, WriteError};
use crate::drive::Drive;
use crate::profile::Profile;

/// Peripheral device type of CD/DVD/BD devices (SPC-4 table 49: MMC device).
pub const PDT_MMC: u8 = 5;

/// Checks the device (type 5) and that a medium is there and writable; returns the profile.
pub fn check_device<T: Transport>(drive: &mut Drive<T>) -> Result<Profile, WriteError> {
    let id = drive.identify().map_err(step(Step::Inquiry))?;
    if id.device_type != PDT_MMC {
        return Err(WriteError::NotOptical {
            device_type: id.device_type,
            name: id.device_type_name,
        });
    }
    let profile = match drive.current_profile() {
        Ok(p) => p,
        Err(e) if e.is_not_supported() => legacy_profile(drive)?,
        Err(e) if e.sense().is_some_and(|s| s.asc == 0x3A) => return Err(WriteError::NoMedium),
        Err(e) => return Err(step(Step::CurrentProfile)(e)),
    };
    if profile == Profile::None {
        return Err(WriteError::NoMedium);
    }
    if !profile.writable() || Recipe::for_profile(profile).is_none() {
        return Err(WriteError::NotWritable { profile });
    }
    Ok(profile)
}

/// The medium in a drive without GET CONFIGURATION (older than MMC-2; every DVD and BD
/// writer has it, so such a drive writes CDs): CD-RW when READ DISC INFORMATION says the
/// disc is erasable (MMC-6 §6.22.3.1.2, byte 2 bit 4, as cdrecord reads it on such drives),
/// CD-R otherwise, also when the drive cannot say.
fn legacy_profile<T: Transport>(drive: &mut Drive<T>) -> Result<Profile, WriteError> {
    match drive.disc_info() {
        Ok(d) if d.view().erasable() => Ok(Profile::CdRw),
        Ok(_) => Ok(Profile::CdR),
        Err(e) if e.sense().is_some_and(|s| s.asc == 0x3A) => Err(WriteError::NoMedium),
        Err(e) => {
            log::warn!(
                "no GET CONFIGURATION and no disc information ({e}): taking the disc for a CD-R"
            );
            Ok(Profile::CdR)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A drive older than MMC-2: INQUIRY says type 5, GET CONFIGURATION is an invalid
    /// opcode (the fake answers ILLEGAL REQUEST 20/00 to what it does not know).
    pub(crate) fn legacy_drive(erasable: bool) -> crate::drive::Drive<crate::drive::tests::Fake> {
        let mut inquiry = vec![0u8; 36];
        inquiry[0] = PDT_MMC;
        inquiry[4] = 31;
        inquiry[8..16].copy_from_slice(b"OLD     ");
        let mut di = vec![0u8; 34];
        di[1] = 32;
        di[2] = 0x01 | if erasable { 0x10 } else { 0 }; // appendable disc, erasable bit
        di[3] = 1;
        di[4] = 1;
        di[5] = 1;
        di[6] = 1;
        crate::drive::tests::quick(
            crate::drive::tests::Fake::new()
                .answer(&[0x12], &inquiry)
                .answer(&[0x51], &di),
        )
    }

    #[test]
    fn drive_without_get_configuration_takes_cd_rw_from_the_erasable_bit() {
        assert_eq!(
            check_device(&mut legacy_drive(true)).unwrap(),
            Profile::CdRw
        );
        assert_eq!(
            check_device(&mut legacy_drive(false)).unwrap(),
            Profile::CdR
        );
        let mut d = legacy_drive(true);
        check_device(&mut d).unwrap();
        assert!(
            d.transport().log.iter().any(|c| c[0] == 0x46),
            "GET CONFIGURATION was asked first"
        );
    }
}
