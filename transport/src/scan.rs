//! Bus scan: every SCSI device with its b,t,l, device nodes and INQUIRY identity.
