//! backend: linux (to be written)
