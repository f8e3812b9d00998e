//! backend: macos (to be written)
