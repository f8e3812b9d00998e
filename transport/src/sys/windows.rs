//! backend: windows (to be written)
