//! Operating system backends. The only modules in the workspace that may use `unsafe`.
