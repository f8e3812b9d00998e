//! Device addressing: cdrecord's `dev=` forms (`b,t,l`, `t,l`, paths, `ATA:b,t,l`) and
//! `emu:PATH[,key=value...]` for the emulated drive.
//!
//! The forms, as cdrecord's `dev=` documents them (cdrecord(1), "dev=target"):
//! - `b,t,l`: SCSI bus, target, LUN, numbered as `scan` (and `cdrecord -scanbus`) shows them;
//!   see [`mod@crate::scan`] for how Linux host/channel/id/lun map to these numbers.
//! - `t,l`: target and LUN on bus 0.
//! - `ATA:b,t,l`: accepted for scripts written for cdrecord's ATA transport; it names the same
//!   device as `b,t,l` (modern Linux kernels put ATAPI drives behind libata's SCSI hosts).
//! - a device path: anything starting with `/`, `./` or `../` (`/dev/sr0`, `/dev/sg1`),
//!   `\\.\` (a Windows device such as `\\.\E:`), or `IOService:` (a macOS IORegistry path).
//! - `emu:PATH[,key=value...]`: the emulated drive of the `mmc` crate with its disc image
//!   file and options. PATH may not contain a comma.
//!
//! [`DevSpec::choose`] applies cdrecord's order: an explicit argument, else a default the
//! caller read (cdrecord and `discburn` read the `CDR_DEVICE` environment variable; a
//! library reads no environment).

use std::fmt;
use std::path::PathBuf;

/// The accepted `dev=` forms, in one line, for error messages.
pub const ACCEPTED_FORMS: &str = "b,t,l | t,l | ATA:b,t,l | a device path (/dev/sr0, /dev/sg1, \
                                  \\\\.\\E:, IOService:/...) | emu:PATH[,key=value...]";

/// A parsed `dev=` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevSpec {
    /// `b,t,l` (or `t,l` with bus 0, or `ATA:b,t,l`): SCSI bus, target, LUN as `scan` numbers them.
    Btl {
        /// Bus number.
        bus: u32,
        /// Target number.
        target: u32,
        /// Logical unit number.
        lun: u32,
    },
    /// A device node (`/dev/sr0`, `/dev/sg1`, `\\.\E:`, `IOService:/...`).
    Path(PathBuf),
    /// The emulated drive: disc image path and options.
    Emu {
        /// Disc image file.
        path: PathBuf,
        /// `key=value` options in the order given.
        options: Vec<(String, String)>,
    },
}

/// A `dev=` argument that is none of the accepted forms.
///
/// Its message is one line: the argument, what is wrong with it, and the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid device '{given}': {reason}; accepted forms: {ACCEPTED_FORMS}")]
pub struct AddrError {
    /// The argument as given.
    pub given: String,
    /// What is wrong with it.
    pub reason: String,
}

impl AddrError {
    fn new(given: &str, reason: impl Into<String>) -> Self {
        AddrError {
            given: given.to_string(),
            reason: reason.into(),
        }
    }
}

impl DevSpec {
    /// Parses one `dev=` argument.
    ///
    /// ```
    /// use transport::DevSpec;
    ///
    /// assert_eq!(
    ///     DevSpec::parse("1,0,0")?,
    ///     DevSpec::Btl { bus: 1, target: 0, lun: 0 }
    /// );
    /// assert_eq!(DevSpec::parse("0,0")?, DevSpec::Btl { bus: 0, target: 0, lun: 0 });
    /// let DevSpec::Emu { path, options } = DevSpec::parse("emu:/tmp/d.disc,profile=bd-r")? else {
    ///     panic!("an emulated drive");
    /// };
    /// assert_eq!(path, std::path::Path::new("/tmp/d.disc"));
    /// assert_eq!(options, [("profile".to_string(), "bd-r".to_string())]);
    /// assert!(DevSpec::parse("").is_err());
    /// # Ok::<(), transport::AddrError>(())
    /// ```
    pub fn parse(s: &str) -> Result<DevSpec, AddrError> {
        if s.is_empty() {
            return Err(AddrError::new(s, "empty device name"));
        }
        if let Some(rest) = s.strip_prefix("emu:") {
            return parse_emu(s, rest);
        }
        if let Some(rest) = strip_prefix_ignore_case(s, "ATA:") {
            return match parse_numbers(s, rest)? {
                (Some(bus), target, lun) => Ok(DevSpec::Btl { bus, target, lun }),
                (None, _, _) => Err(AddrError::new(s, "ATA: needs bus,target,lun")),
            };
        }
        if is_path(s) {
            return Ok(DevSpec::Path(PathBuf::from(s)));
        }
        if s.starts_with(|c: char| c.is_ascii_digit()) {
            let (bus, target, lun) = parse_numbers(s, s)?;
            return Ok(DevSpec::Btl {
                bus: bus.unwrap_or(0),
                target,
                lun,
            });
        }
        Err(AddrError::new(
            s,
            "not a bus,target,lun triple, a device path or emu:",
        ))
    }

    /// The device to use: `explicit` if given, else `default` (cdrecord's `$CDR_DEVICE`)
    /// if given and not empty, else `None` (the caller then looks for the only drive
    /// present).
    pub fn choose(
        explicit: Option<&str>,
        default: Option<&str>,
    ) -> Result<Option<DevSpec>, AddrError> {
        match (explicit, default) {
            (Some(s), _) => DevSpec::parse(s).map(Some),
            (None, Some(e)) if !e.is_empty() => DevSpec::parse(e).map(Some),
            _ => Ok(None),
        }
    }

    /// True for the emulated drive.
    pub fn is_emu(&self) -> bool {
        matches!(self, DevSpec::Emu { .. })
    }
}

impl fmt::Display for DevSpec {
    /// The `dev=` form that parses back to the same value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DevSpec::Btl { bus, target, lun } => write!(f, "{bus},{target},{lun}"),
            DevSpec::Path(p) => write!(f, "{}", p.display()),
            DevSpec::Emu { path, options } => {
                write!(f, "emu:{}", path.display())?;
                for (k, v) in options {
                    write!(f, ",{k}={v}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::str::FromStr for DevSpec {
    type Err = AddrError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DevSpec::parse(s)
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn is_path(s: &str) -> bool {
    let os = if cfg!(windows) {
        PathStyle::Windows
    } else if cfg!(target_os = "macos") {
        PathStyle::MacOs
    } else {
        PathStyle::Unix
    };
    is_path_for(s, os)
}

/// Which operating system's device names count as paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PathStyle {
    Unix,
    Windows,
    MacOs,
}

/// Device names each backend opens: absolute and relative paths everywhere; on Windows also
/// drive letters (`E:`, `E:\`), `CdRomN`, `PhysicalDriveN` and `\\?\` names (what
/// `SptiDevice::open` takes); on macOS BSD names (`disk2`) and cdrecord's
/// `IODVDServices/N`-style names (what `IoKitDevice::open` takes).
fn is_path_for(s: &str, os: PathStyle) -> bool {
    if s.starts_with('/')
        || s.starts_with("./")
        || s.starts_with("../")
        || s.starts_with(r"\\.\")
        || s.starts_with("IOService:")
    {
        return true;
    }
    let numbered = |prefix: &str| {
        s.len() > prefix.len()
            && s[..prefix.len()].eq_ignore_ascii_case(prefix)
            && s.as_bytes()[prefix.len()..].iter().all(u8::is_ascii_digit)
    };
    match os {
        PathStyle::Unix => false,
        PathStyle::Windows => {
            let b = s.as_bytes();
            let letter = b.first().is_some_and(u8::is_ascii_alphabetic)
                && b.get(1) == Some(&b':')
                && (b.len() == 2 || (b.len() == 3 && b[2] == b'\\'));
            letter || s.starts_with(r"\\?\") || numbered("CdRom") || numbered("PhysicalDrive")
        }
        PathStyle::MacOs => {
            numbered("disk")
                || ["IODVDServices", "IOCompactDiscServices", "IOBDServices"]
                    .iter()
                    .any(|p| {
                        s == *p
                            || s.strip_prefix(p).is_some_and(|r| {
                                r.strip_prefix('/').is_some_and(|n| {
                                    !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit())
                                })
                            })
                    })
        }
    }
}

/// Parses `b,t,l` or `t,l`; returns (bus if given, target, lun).
fn parse_numbers(given: &str, s: &str) -> Result<(Option<u32>, u32, u32), AddrError> {
    let parts: Vec<&str> = s.split(',').collect();
    let nums = parts
        .iter()
        .map(|p| {
            let p = p.trim();
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(AddrError::new(
                    given,
                    format!("'{p}' is not a decimal number"),
                ));
            }
            p.parse::<u32>()
                .map_err(|_| AddrError::new(given, format!("'{p}' is out of range")))
        })
        .collect::<Result<Vec<u32>, AddrError>>()?;
    match nums.as_slice() {
        [b, t, l] => Ok((Some(*b), *t, *l)),
        [t, l] => Ok((None, *t, *l)),
        _ => Err(AddrError::new(
            given,
            format!(
                "expected 2 or 3 comma-separated numbers, found {}",
                nums.len()
            ),
        )),
    }
}

fn parse_emu(given: &str, rest: &str) -> Result<DevSpec, AddrError> {
    let mut it = rest.split(',');
    let path = it.next().unwrap_or_default();
    if path.is_empty() {
        return Err(AddrError::new(given, "emu: needs an image path"));
    }
    let mut options = Vec::new();
    for opt in it {
        match opt.split_once('=') {
            Some((k, v)) if !k.is_empty() => options.push((k.to_string(), v.to_string())),
            _ => {
                return Err(AddrError::new(
                    given,
                    format!("emu: option '{opt}' is not key=value"),
                ))
            }
        }
    }
    Ok(DevSpec::Emu {
        path: PathBuf::from(path),
        options,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn os_specific_device_names() {
        use super::{is_path_for, PathStyle::*};
        for w in [
            "E:",
            "e:\\",
            "CdRom0",
            "cdrom12",
            "PhysicalDrive1",
            r"\\?\scsi#cdrom",
            r"\\.\E:",
        ] {
            assert!(is_path_for(w, Windows), "{w} on Windows");
        }
        for w in ["E", "E:x", "CdRom", "CdRomX", "disk2"] {
            assert!(!is_path_for(w, Windows), "{w} is no Windows device name");
        }
        for m in [
            "disk2",
            "disk10",
            "IODVDServices",
            "IODVDServices/1",
            "IOBDServices/0",
            "/dev/rdisk2",
        ] {
            assert!(is_path_for(m, MacOs), "{m} on macOS");
        }
        for m in [
            "disk",
            "diskx",
            "IODVDServices/",
            "IODVDServices/a",
            "E:",
            "CdRom0",
        ] {
            assert!(!is_path_for(m, MacOs), "{m} is no macOS device name");
        }
        for u in ["E:", "CdRom0", "disk2", "sr0", "IODVDServices/1"] {
            assert!(!is_path_for(u, Unix), "{u} is no Linux device path");
        }
        assert!(is_path_for("/dev/sr0", Unix) && is_path_for("./x", Unix));
    }

    use super::*;

    fn btl(bus: u32, target: u32, lun: u32) -> DevSpec {
        DevSpec::Btl { bus, target, lun }
    }

    #[test]
    fn bus_target_lun() {
        assert_eq!(DevSpec::parse("0,0,0").unwrap(), btl(0, 0, 0));
        assert_eq!(DevSpec::parse("1,2,3").unwrap(), btl(1, 2, 3));
        assert_eq!(DevSpec::parse("12,15,7").unwrap(), btl(12, 15, 7));
    }

    #[test]
    fn target_lun_is_bus_zero() {
        assert_eq!(DevSpec::parse("4,0").unwrap(), btl(0, 4, 0));
    }

    #[test]
    fn ata_prefix_is_same_as_btl() {
        assert_eq!(DevSpec::parse("ATA:1,0,0").unwrap(), btl(1, 0, 0));
        assert_eq!(DevSpec::parse("ata:0,1,0").unwrap(), btl(0, 1, 0));
    }

    #[test]
    fn device_paths() {
        for p in [
            "/dev/sr0",
            "/dev/sg1",
            "./disc",
            "../x/sr0",
            r"\\.\E:",
            "IOService:/a/b",
        ] {
            assert_eq!(
                DevSpec::parse(p).unwrap(),
                DevSpec::Path(PathBuf::from(p)),
                "{p}"
            );
        }
    }

    #[test]
    fn emu_forms() {
        assert_eq!(
            DevSpec::parse("emu:/tmp/a.disc").unwrap(),
            DevSpec::Emu {
                path: "/tmp/a.disc".into(),
                options: vec![]
            }
        );
        assert_eq!(
            DevSpec::parse("emu:d.disc,profile=cdr,size=650M").unwrap(),
            DevSpec::Emu {
                path: "d.disc".into(),
                options: vec![
                    ("profile".into(), "cdr".into()),
                    ("size".into(), "650M".into())
                ]
            }
        );
        assert!(DevSpec::parse("emu:x").unwrap().is_emu());
    }

    #[test]
    fn display_round_trips() {
        for s in ["1,2,3", "/dev/sr0", "emu:a.disc,k=v"] {
            assert_eq!(DevSpec::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(DevSpec::parse("2,0").unwrap().to_string(), "0,2,0");
    }

    #[test]
    fn malformed_forms_give_one_line_listing_accepted_forms() {
        let bad = [
            "",
            "0",
            "0,0,0,0",
            "0,,0",
            "a,b,c",
            "0,x,0",
            "-1,0,0",
            "0,0,99999999999",
            "1,2,",
            "sr0",
            "dev/sr0",
            "ATA:",
            "ATA:0,0",
            "ATA:/dev/sr0",
            "emu:",
            "emu:,a=b",
            "emu:x,novalue",
            "emu:x,=v",
            "USB:1,2,3",
        ];
        for s in bad {
            let e = DevSpec::parse(s).expect_err(s);
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "{s}: {msg}");
            assert!(msg.contains(ACCEPTED_FORMS), "{s}: {msg}");
            assert!(msg.contains(&format!("'{s}'")), "{s}: {msg}");
        }
    }

    #[test]
    fn env_default() {
        assert_eq!(DevSpec::choose(None, None).unwrap(), None);
        assert_eq!(DevSpec::choose(None, Some("")).unwrap(), None);
        assert_eq!(
            DevSpec::choose(None, Some("0,1,0")).unwrap(),
            Some(btl(0, 1, 0))
        );
        assert_eq!(
            DevSpec::choose(Some("/dev/sr1"), Some("0,1,0")).unwrap(),
            Some(DevSpec::Path("/dev/sr1".into()))
        );
        assert!(DevSpec::choose(None, Some("bogus")).is_err());
    }
}
