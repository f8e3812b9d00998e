//! The MMC-6 command set (INCITS 468): typed CDB builders and response views, `Drive`,
//! msinfo, the write path, and an emulated drive answering CDBs as a real one does.
#![forbid(unsafe_code)]
