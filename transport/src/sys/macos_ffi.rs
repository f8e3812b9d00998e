//! IOKit SCSITaskLib.h / IOCFPlugIn.h interface layouts for the macOS backend (being written).
