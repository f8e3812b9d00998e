//! Operating system backends. The only modules in the workspace that may use `unsafe`;
//! each `unsafe` block does one thing and carries a `// SAFETY:` comment.

#[cfg(target_os = "linux")]
#[allow(unsafe_code)] // reason: SG_IO ioctls
pub mod linux;

#[cfg(windows)]
#[allow(unsafe_code)] // reason: SPTI DeviceIoControl
pub mod windows;

#[cfg(target_os = "macos")]
#[allow(unsafe_code)] // reason: IOKit SCSITask interface
pub mod macos;

/// SPTI layouts and pure helpers of the Windows backend; compiled on every OS for tests.
#[cfg(any(test, windows))]
pub mod windows_layout;

/// IOKit SCSITask/MMC interface layouts and pure helpers of the macOS backend; compiled on
/// every OS for tests.
#[cfg(any(test, target_os = "macos"))]
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
// reason: the backend uses what its tests do not
pub mod macos_ffi;
