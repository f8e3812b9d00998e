//! Legacy personalities: the command-line syntax of the tools discburn replaces, chosen by
//! the name the binary is started under (a symlink or a copy named `cdrecord`, ...).
//!
//! `cdrecord` and `wodim` take cdrecord's syntax; `mkisofs` and `genisoimage` take
//! mkisofs's (`mkisofs` module), `readcd` readcd's. Each also answers to its name with a
//! `discburn-` prefix (`discburn-cdrecord`), the names the Debian package installs so that
//! it never takes the place of wodim's or genisoimage's programs.

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
        // `discburn-cdrecord` ...: the names a package installs beside the tools' own.
        let p = match base.strip_prefix("discburn-").unwrap_or(base) {
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
            Personality::from_argv0("/usr/bin/discburn-mkisofs").0,
            Personality::Mkisofs
        );
        assert_eq!(
            Personality::from_argv0("discburn-readcd").1,
            "discburn-readcd"
        );
        assert_eq!(
            Personality::from_argv0("./target/discburn").0,
            Personality::Discburn
        );
    }
}
