//! One module per subcommand; each turns parsed arguments into library calls and an
//! [`crate::output`] report.

pub mod inquiry;
pub mod raw;
pub mod scan;
