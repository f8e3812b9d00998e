//! Legacy personalities: the command-line syntax of the tools discburn replaces, chosen by
//! the name the binary is started under (a symlink or a copy named `cdrecord`, ...).
//!
//! `cdrecord` and `wodim` take cdrecord's syntax; `mkisofs` and `genisoimage` take
//! mkisofs's (`mkisofs` module), `readcd` readcd's; `xorrisofs`, and `xorriso -as
//! mkisofs`, take xorriso's mkisofs emulation (the same module: mkisofs's options and
//! xorriso's hybrid-image ones); `xorriso -as cdrecord` takes cdrecord's, and native
//! xorriso commands are refused. Each also answers to its name with a `discburn-` prefix
//! (`discburn-cdrecord`), the names the Debian package installs so that it never takes
//! the place of wodim's, genisoimage's or xorriso's programs. `growisofs` takes
//! dvd+rw-tools' growisofs syntax (`growisofs` module), `dvd+rw-format` and
//! `dvd+rw-mediainfo` theirs (`dvdrwtools`).

pub mod cdrecord;
pub mod dvdrwtools;
pub mod growisofs;
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
    /// `xorrisofs`: xorriso's mkisofs emulation.
    Xorrisofs,
    /// `xorriso`: only its `-as mkisofs` and `-as cdrecord` emulations.
    Xorriso,
    /// `growisofs` (dvd+rw-tools).
    Growisofs,
    /// `dvd+rw-format`.
    DvdRwFormat,
    /// `dvd+rw-mediainfo`.
    DvdRwMediainfo,
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
            "xorrisofs" => Personality::Xorrisofs,
            "xorriso" => Personality::Xorriso,
            "growisofs" => Personality::Growisofs,
            "dvd+rw-format" => Personality::DvdRwFormat,
            "dvd+rw-mediainfo" => Personality::DvdRwMediainfo,
            _ => Personality::Discburn,
        };
        (p, base.to_string())
    }
}

/// `xorriso -as PERSONALITY ARGS...`: the emulations discburn has.
pub fn run_xorriso(prog: &str, args: &[String]) -> Result<(), crate::error::CliError> {
    match (
        args.first().map(String::as_str),
        args.get(1).map(String::as_str),
    ) {
        (Some("-as"), Some("mkisofs" | "genisoimage" | "genisofs" | "xorrisofs")) => {
            mkisofs::run_xorrisofs(prog, &args[2..])
        }
        (Some("-as"), Some("cdrecord" | "wodim" | "cdrskin" | "xorrecord")) => {
            cdrecord::run(prog, &args[2..])
        }
        (Some("-version" | "--version"), _) => {
            println!("{}", mkisofs::xorriso_version());
            Ok(())
        }
        _ => Err(crate::error::CliError::Usage(format!(
            "{prog}: discburn takes only \"xorriso -as mkisofs ...\" and \"xorriso -as \
             cdrecord ...\" (native xorriso commands are not supported; use the discburn \
             command line for them)"
        ))),
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
        assert_eq!(
            Personality::from_argv0("/usr/bin/discburn-growisofs").0,
            Personality::Growisofs
        );
        assert_eq!(
            Personality::from_argv0("dvd+rw-mediainfo").0,
            Personality::DvdRwMediainfo
        );
    }
}
