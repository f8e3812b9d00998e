//! A transport wrapper that logs every command at `log` debug level (what `cdrecord -V` shows).
