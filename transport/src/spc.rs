//! SPC-4 commands every SCSI device answers: INQUIRY (§6.6) with the unit serial number
//! (§7.8.15) and device identification (§7.8.6) VPD pages, TEST UNIT READY (§6.47).
