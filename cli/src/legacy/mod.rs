//! Legacy personalities: the command-line syntax of the tools discburn replaces, chosen by
//! the name the binary is started under (a symlink or a copy named `cdrecord`, ...).
//!
//! `cdrecord` and `wodim` take cdrecord's syntax; `mkisofs` and `genisoimage` take
//! mkisofs's (`mkisofs` module).

pub mod cdrecord;
pub mod mkisofs;
pub mod readcd;

/// A personality of the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Personality {
    /// The `discburn` command line.
    Discburn,
    /// `cdrecord` / `wodim`.
    Cdrecord,
    /// `mkisofs` / `genisoimage`.
    Mkisofs,
    /// `readcd` (cdrtools).
    Readcd,
}

impl Personality {
    /// The personality for the program name `argv0` (its file name, `.exe` removed).
    pub fn from_argv0(argv0: &str) -> (Personality, String) {
        let base = argv0.rsplit(['/', '\\']).next().unwrap_or(argv0);
        let base = base.strip_suffix(".exe").unwrap_or(base);
        let p = match base {
            "cdrecord" | "wodim" => Personality::Cdrecord,
            "mkisofs" | "genisoimage" => Personality::Mkisofs,
            "readcd" => Personality::Readcd,
            _ => Personality::Discburn,
        };
        (p, base.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            Personality::from_argv0("/usr/bin/cdrecord").0,
            Personality::Cdrecord
        );
        assert_eq!(Personality::from_argv0("wodim").1, "wodim");
        assert_eq!(
            Personality::from_argv0(r"C:\x\wodim.exe").0,
            Personality::Cdrecord
        );
        assert_eq!(
            Personality::from_argv0("genisoimage").0,
            Personality::Mkisofs
        );
        assert_eq!(
            Personality::from_argv0("./target/discburn").0,
            Personality::Discburn
        );
    }
}
