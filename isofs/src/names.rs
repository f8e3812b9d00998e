//! File identifiers: ECMA-119 §7.5 (d-characters, §7.4.1), §10.1–§10.3 (interchange levels),
//! ISO 9660:1999 §7.5 (level 4: up to 207 bytes, no version), Joliet §3 (UCS-2 big endian,
//! 64 characters, forbidden `* / : ; ? \`), and mkisofs-compatible mangling of names that
//! collide after conversion (a counter replaces the end of the base name: `001` in ISO 9660
//! names, `~N` in Joliet names).
//!
//! The relaxations mkisofs offers (`-allow-leading-dots -relaxed-filenames -no-iso-translate
//! -allow-lowercase -allow-multidot -max-iso9660-filenames`, and `-U` which takes them all)
//! follow genisoimage's name.c: they break ECMA-119 §7.5 on request, never by default. One
//! deliberate difference: a directory identifier has no extension here (ECMA-119 §7.6.3),
//! so at level 1 a directory keeps 8 characters where genisoimage makes an 8.3 name.

use std::collections::{HashMap, HashSet};

/// Rules for converting a name to an ISO 9660 identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsoNameRules {
    /// Interchange level 1..=4 (4 = ISO 9660:1999).
    pub level: u8,
    /// `-d`: do not add a trailing period to names without extension.
    pub omit_period: bool,
    /// `-N`: omit the ";1" version number.
    pub omit_version: bool,
    /// `-l`: allow 31-character names at level 1.
    pub long_names: bool,
    /// `-allow-lowercase`: keep lower case letters.
    pub allow_lowercase: bool,
    /// `-allow-multidot`: keep periods other than the last.
    pub allow_multidot: bool,
    /// `-allow-leading-dots`: a leading period stays (else it becomes `_`). As in
    /// genisoimage, a leading period that is not the extension's becomes `_` anyway unless
    /// `allow_multidot`.
    pub allow_leading_dots: bool,
    /// `-relaxed-filenames`: every 7-bit ASCII character but `/` is kept (lower case letters
    /// still become upper case unless `allow_lowercase`; periods follow the rules above).
    pub relaxed: bool,
    /// `-no-iso-translate`: `#`, `-` and `~` are kept (else `_`).
    pub no_translate: bool,
    /// `-max-iso9660-filenames`: names of up to 37 characters (ECMA-119 allows 31); the
    /// caller omits the version number, as mkisofs does, since the room is taken from it.
    pub max37: bool,
}

impl Default for IsoNameRules {
    fn default() -> Self {
        Self {
            level: 1,
            omit_period: false,
            omit_version: false,
            long_names: false,
            allow_lowercase: false,
            allow_multidot: false,
            allow_leading_dots: false,
            relaxed: false,
            no_translate: false,
            max37: false,
        }
    }
}

impl IsoNameRules {
    fn map_char(&self, c: char) -> char {
        if self.level >= 4 {
            return if c == '/' || c == '\0' { '_' } else { c };
        }
        match c {
            'A'..='Z' | '0'..='9' | '_' => c,
            'a'..='z' if self.allow_lowercase => c,
            'a'..='z' => c.to_ascii_uppercase(),
            '/' => '_',
            c if self.relaxed && c.is_ascii() => c,
            '#' | '-' | '~' if self.no_translate => c,
            _ => '_',
        }
    }

    /// A period that is not the extension separator: at position 0 it stays only with
    /// `allow_leading_dots` and `allow_multidot`, elsewhere only with `allow_multidot`
    /// (genisoimage name.c).
    fn map_dot(&self, first: bool) -> char {
        if self.allow_multidot && (!first || self.allow_leading_dots) {
            '.'
        } else {
            '_'
        }
    }

    /// Maps the characters of a base name or a directory name.
    fn map_base(&self, s: &str) -> String {
        s.chars()
            .enumerate()
            .map(|(i, c)| {
                if c == '.' {
                    self.map_dot(i == 0)
                } else {
                    self.map_char(c)
                }
            })
            .collect()
    }

    /// Maximum length of the name part (without ";1") for files and directories. A file's
    /// counts its period: ECMA-119 §7.5.1 allows 30 characters of name and extension, and
    /// genisoimage fills all 31 with the period.
    fn max_len(&self, dir: bool) -> usize {
        if self.max37 && self.level < 4 {
            return 37;
        }
        match self.level {
            1 if !self.long_names => {
                if dir {
                    8
                } else {
                    12
                }
            }
            4 => 207,
            _ => 31,
        }
    }

    /// Length a file's extension takes with its period; without an extension, the period
    /// `assemble` adds (none with `-d`).
    fn ext_room(&self, e: Option<&str>) -> usize {
        e.map_or(usize::from(!self.omit_period), |e| e.len() + 1)
    }

    /// Converts `name` to an identifier (without version) for a file or a directory,
    /// before collision handling. Returns (base, extension) for files.
    fn convert(&self, name: &str, dir: bool) -> (String, Option<String>) {
        if self.level >= 4 {
            let s: String = name.chars().map(|c| self.map_char(c)).collect();
            return (truncate_bytes(&s, 207), None);
        }
        if dir {
            let s = if self.allow_leading_dots && name.starts_with('.') {
                // The leading period of a directory stays, with or without -allow-multidot.
                format!(".{}", self.map_base(&name[1..]))
            } else {
                self.map_base(name)
            };
            return (truncate_chars(&s, self.max_len(true)), None);
        }
        let (base, ext) = match name.rfind('.') {
            // ".profile": with -allow-leading-dots the period starts the extension, as in
            // genisoimage (".PRO" at level 1); else it becomes "_PROFILE".
            Some(0) if self.allow_leading_dots => ("", Some(&name[1..])),
            Some(0) | None => (name, None),
            Some(i) => (&name[..i], Some(&name[i + 1..])),
        };
        let mut b = self.map_base(base);
        if b.is_empty() && ext.is_none() {
            b.push('_');
        }
        let mut e: Option<String> = ext.map(|e| e.chars().map(|c| self.map_char(c)).collect());
        if self.level == 1 && !self.long_names && !self.max37 {
            b = truncate_chars(&b, 8);
            e = e.map(|e| truncate_chars(&e, 3));
        } else {
            let max = self.max_len(false);
            let el = self.ext_room(e.as_deref());
            if b.len() + el > max {
                let el2 = el.min(max / 2);
                if let Some(x) = e.as_mut() {
                    *x = truncate_chars(x, el2.saturating_sub(1));
                }
                let el = self.ext_room(e.as_deref());
                b = truncate_chars(&b, max - el);
            }
        }
        (b, e)
    }

    fn assemble(&self, base: &str, ext: Option<&str>, dir: bool) -> String {
        if dir || self.level >= 4 {
            let mut s = base.to_string();
            if let Some(e) = ext {
                s.push('.');
                s.push_str(e);
            }
            return s;
        }
        let mut s = base.to_string();
        match ext {
            // "trail." keeps its period even with -d, as in genisoimage.
            Some(e) => {
                s.push('.');
                s.push_str(e);
            }
            _ if !self.omit_period => s.push('.'),
            _ => {}
        }
        if !self.omit_version {
            s.push_str(";1");
        }
        s
    }
}

fn truncate_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn truncate_bytes(s: &str, n: usize) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if out.len() + c.len_utf8() > n {
            break;
        }
        out.push(c);
    }
    out
}

/// Assigns unique identifiers to the entries of one directory. `names[i]` is the original
/// name and `dirs[i]` whether it is a directory; returns the identifiers in the same order.
/// Names are taken in the given order; a later name that collides gets `001`, `002`, ...
/// replacing the end of its base name.
pub fn iso_identifiers(rules: &IsoNameRules, names: &[&str], dirs: &[bool]) -> Vec<Vec<u8>> {
    let mut used: HashSet<String> = HashSet::with_capacity(names.len());
    // The counters a collision search starts from, by converted name: the candidates of
    // one name are always the same sequence, and those before the last one taken are all
    // in `used` (it only grows), so the search resumes there (a directory of 1,000 names
    // that convert alike costs 1,000 tries, not half a million).
    let mut next: HashMap<(String, Option<String>, bool), u32> = HashMap::new();
    let mut out = Vec::with_capacity(names.len());
    for (name, &dir) in names.iter().zip(dirs) {
        let (base, ext) = rules.convert(name, dir);
        let key = |s: &str| {
            if rules.allow_lowercase || rules.level >= 4 {
                s.to_string()
            } else {
                s.to_ascii_uppercase()
            }
        };
        let mut id = rules.assemble(&base, ext.as_deref(), dir);
        if used.contains(&key(&id)) {
            let maxb = if rules.level == 1 && !rules.long_names && !rules.max37 {
                8
            } else {
                rules.max_len(dir)
                    - if dir {
                        0
                    } else {
                        rules.ext_room(ext.as_deref())
                    }
            };
            let memo = (base.clone(), ext.clone(), dir);
            let mut n = next.get(&memo).copied().unwrap_or(1);
            loop {
                // d-characters only (ECMA-119 §7.4.1): a zero-padded counter replaces the
                // end of the base name, as genisoimage does ("LONGF001.TXT").
                let suffix = format!("{n:03}");
                let keep = maxb.saturating_sub(suffix.len()).min(base.chars().count());
                let b: String = base.chars().take(keep).collect::<String>() + &suffix;
                id = rules.assemble(&b, ext.as_deref(), dir);
                if !used.contains(&key(&id)) {
                    break;
                }
                n += 1;
            }
            next.insert(memo, n + 1);
        }
        used.insert(key(&id));
        out.push(id.into_bytes());
    }
    out
}

/// Joliet name limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JolietRules {
    /// Maximum UCS-2 code units (64, or 103 with `-joliet-long`).
    pub max_units: usize,
    /// Omit ";1" on files.
    pub omit_version: bool,
    /// Characters outside the Basic Multilingual Plane as UTF-16 surrogate pairs (two code
    /// units, xorrisofs `-joliet-utf16`); without it they become '_', as in the UCS-2 that
    /// Joliet specifies and xorriso and genisoimage write by default.
    pub utf16: bool,
}

fn joliet_units(name: &str, rules: &JolietRules, max: usize) -> Vec<u16> {
    let mut out: Vec<u16> = Vec::with_capacity(name.len());
    for c in name.chars() {
        let c = match c {
            '*' | '/' | ':' | ';' | '?' | '\\' => '_',
            c if (c as u32) < 0x20 => '_',
            c if !rules.utf16 && (c as u32) > 0xFFFF => '_',
            c => c,
        };
        let mut buf = [0u16; 2];
        let enc = c.encode_utf16(&mut buf);
        if out.len() + enc.len() > max {
            break;
        }
        out.extend_from_slice(enc);
    }
    out
}

/// Assigns unique Joliet identifiers (UCS-2 big-endian bytes) to one directory's entries.
/// Truncation never splits a surrogate pair; collisions get `~N` before the extension.
pub fn joliet_identifiers(rules: &JolietRules, names: &[&str], dirs: &[bool]) -> Vec<Vec<u8>> {
    let mut used: HashSet<Vec<u16>> = HashSet::with_capacity(names.len());
    let mut next: HashMap<(Vec<u16>, Vec<u16>), u32> = HashMap::new();
    let mut out = Vec::with_capacity(names.len());
    for (name, &dir) in names.iter().zip(dirs) {
        let mut u = joliet_units(name, rules, rules.max_units);
        if used.contains(&u) {
            let (base, ext) = match name.rfind('.') {
                Some(i) if i > 0 && !dir => (&name[..i], &name[i..]),
                _ => (&name[..], ""),
            };
            let ext_u = joliet_units(ext, rules, rules.max_units / 2);
            // Resumes where the last search for names of the same candidates stopped (see
            // iso_identifiers): those depend on the base's first units and the extension.
            let memo = (joliet_units(base, rules, rules.max_units), ext_u.clone());
            let mut n = next.get(&memo).copied().unwrap_or(1);
            loop {
                let suffix: Vec<u16> = format!("~{n}").encode_utf16().collect();
                let room = rules.max_units.saturating_sub(ext_u.len() + suffix.len());
                let mut b = joliet_units(base, rules, room);
                b.extend_from_slice(&suffix);
                b.extend_from_slice(&ext_u);
                if !used.contains(&b) {
                    u = b;
                    break;
                }
                n += 1;
            }
            next.insert(memo, n + 1);
        }
        used.insert(u.clone());
        let mut bytes = Vec::with_capacity(u.len() * 2 + 4);
        for x in &u {
            bytes.extend_from_slice(&x.to_be_bytes());
        }
        if !dir && !rules.omit_version {
            bytes.extend_from_slice(&[0, b';', 0, b'1']);
        }
        out.push(bytes);
    }
    out
}

/// Decodes a Joliet identifier (UCS-2/UTF-16 big endian), dropping a ";N" version. Dots
/// are kept: '.' is an ordinary character of Joliet names (only `* / : ; ? \` and
/// controls are excluded), writers add no separator to a name without one (genisoimage
/// and xorriso record `a.` and `b..` as they are), and bsdtar and xorriso read them so.
pub fn decode_joliet(id: &[u8]) -> String {
    // One allocation per name: names are decoded for every entry of a walk.
    let units = id.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
    let mut s = if units.clone().all(|u| u < 0x80) {
        // ASCII (most names): the low bytes are the UTF-8.
        let b: Vec<u8> = units.map(|u| u as u8).collect();
        String::from_utf8(b).unwrap_or_default()
    } else {
        let mut s = String::with_capacity(id.len() + id.len() / 2);
        s.extend(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
        s
    };
    let keep = strip_file_version(&s).len();
    s.truncate(keep);
    s
}

/// Removes SEPARATOR 2 and the version number (";N", ECMA-119 §7.5.1) of a file
/// identifier, nothing else.
pub fn strip_file_version(s: &str) -> &str {
    match s.rfind(';') {
        Some(i) if s[i + 1..].bytes().all(|b| b.is_ascii_digit()) => &s[..i],
        _ => s,
    }
}

/// The name of an ISO 9660 file identifier (ECMA-119 §7.5.1: name, SEPARATOR 1 '.',
/// extension, SEPARATOR 2 ';', version): the version goes, and so does SEPARATOR 1 when the
/// extension is empty ("README." is README). A trailing dot is SEPARATOR 1 only when it is
/// the identifier's one dot and follows a name: `...`, `b..` (relaxed names, which d-characters
/// do not allow) keep their dots.
pub fn strip_version(s: &str) -> &str {
    let s = strip_file_version(s);
    match s.strip_suffix('.') {
        Some(base) if !base.is_empty() && !base.contains('.') => base,
        _ => s,
    }
}

/// A shell-style pattern (`*`, `?`, `[...]`) as mkisofs `-m`/`-x`/`-hide` use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob(pub String);

impl Glob {
    /// Whether `s` matches the whole pattern.
    pub fn matches(&self, s: &str) -> bool {
        glob_match(self.0.as_bytes(), s.as_bytes())
    }
}

fn glob_match(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0usize, 0usize);
    let (mut star_p, mut star_s) = (usize::MAX, 0usize);
    while si < s.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    star_p = pi;
                    star_s = si;
                    pi += 1;
                    continue;
                }
                b'?' => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                b'[' => {
                    if let Some((ok, next)) = class(&p[pi..], s[si]) {
                        if ok {
                            pi += next;
                            si += 1;
                            continue;
                        }
                    } else if s[si] == b'[' {
                        pi += 1;
                        si += 1;
                        continue;
                    }
                }
                c if c == s[si] => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                _ => {}
            }
        }
        if star_p != usize::MAX {
            pi = star_p + 1;
            star_s += 1;
            si = star_s;
            continue;
        }
        return false;
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// Matches a `[...]` class at the start of `p`; returns (matched, pattern bytes used).
fn class(p: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut i = 1;
    let neg = matches!(p.get(1), Some(b'!') | Some(b'^'));
    if neg {
        i += 1;
    }
    let mut ok = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == b']' && !first {
            return Some((ok != neg, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
            if p[i] <= c && c <= p[i + 2] {
                ok = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                ok = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory of names that all convert alike: each takes the next free counter, a
    /// name already taken by a real file is skipped, and the search resumes (the result is
    /// that of trying 1, 2, 3... for each name).
    #[test]
    fn many_collisions_take_the_next_free_counter() {
        let r = IsoNameRules::default();
        let mut names: Vec<String> = (0..1200).map(|i| format!("file-{i:04}.txt")).collect();
        names.insert(3, "file_002.txt".into());
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let ids = iso_identifiers(&r, &refs, &vec![false; refs.len()]);
        let s: Vec<String> = ids
            .iter()
            .map(|i| String::from_utf8(i.clone()).unwrap())
            .collect();
        assert_eq!(
            &s[..6],
            [
                "FILE_000.TXT;1",
                "FILE_001.TXT;1",
                "FILE_002.TXT;1",
                "FILE_003.TXT;1",
                "FILE_004.TXT;1",
                "FILE_005.TXT;1"
            ]
        );
        // The inserted "file_002.txt" converts alike too: it takes 003, the next one 004.
        assert_eq!(s[999], "FILE_999.TXT;1");
        assert_eq!(s[1000], "FILE1000.TXT;1");
        let uniq: HashSet<&String> = s.iter().collect();
        assert_eq!(uniq.len(), s.len());
        let j = JolietRules {
            max_units: 64,
            omit_version: false,
            utf16: false,
        };
        let long: Vec<String> = (0..300)
            .map(|i| format!("{}{i:03}.c", "x".repeat(70)))
            .collect();
        let refs: Vec<&str> = long.iter().map(String::as_str).collect();
        let ids = joliet_identifiers(&j, &refs, &vec![false; refs.len()]);
        let uniq: HashSet<&Vec<u8>> = ids.iter().collect();
        assert_eq!(uniq.len(), ids.len());
        let last = decode_joliet(&ids[299]);
        assert!(last.ends_with("~299.c"), "{last}");
    }

    #[test]
    fn level1_mangling_and_collisions() {
        let r = IsoNameRules::default();
        let ids = iso_identifiers(
            &r,
            &[
                "readme",
                "longfilename.text",
                "longfilenameX.txt",
                "a.b.c",
                "dir",
            ],
            &[false, false, false, false, true],
        );
        let s: Vec<String> = ids
            .into_iter()
            .map(|v| String::from_utf8(v).unwrap())
            .collect();
        assert_eq!(
            s,
            [
                "README.;1",
                "LONGFILE.TEX;1",
                "LONGFILE.TXT;1",
                "A_B.C;1",
                "DIR"
            ]
        );
        let ids = iso_identifiers(&r, &["abcdefghij.txt", "abcdefghik.txt"], &[false, false]);
        assert_eq!(ids[0], b"ABCDEFGH.TXT;1");
        assert_eq!(ids[1], b"ABCDE001.TXT;1");
        let r = IsoNameRules {
            omit_period: true,
            omit_version: true,
            ..r
        };
        assert_eq!(iso_identifiers(&r, &["readme"], &[false])[0], b"README");
    }

    fn ids(r: &IsoNameRules, names: &[&str], dirs: &[bool]) -> Vec<String> {
        iso_identifiers(r, names, dirs)
            .into_iter()
            .map(|v| String::from_utf8(v).unwrap())
            .collect()
    }

    /// Expected names are what genisoimage 1.1.11 writes for the same options.
    #[test]
    fn relaxations_as_genisoimage() {
        let base = IsoNameRules::default();
        let files = [
            ".bashrc",
            ".foo.txt",
            "x#y-z~w.txt",
            "we!rd$&.t+t",
            "Mixed Case.TXT",
        ];
        let no = [false; 5];
        assert_eq!(
            ids(&base, &files, &no),
            [
                "_BASHRC.;1",
                "_FOO.TXT;1",
                "X_Y_Z_W.TXT;1",
                "WE_RD__.T_T;1",
                "MIXED_CA.TXT;1"
            ]
        );
        let r = IsoNameRules {
            allow_leading_dots: true,
            ..base
        };
        assert_eq!(ids(&r, &files[..2], &no[..2]), [".BAS;1", "_FOO.TXT;1"]);
        assert_eq!(ids(&r, &[".config"], &[true]), [".CONFIG"]);
        let r = IsoNameRules {
            allow_multidot: true,
            ..base
        };
        // A leading period is no multidot period.
        assert_eq!(ids(&r, &files[..2], &no[..2]), ["_BASHRC.;1", "_FOO.TXT;1"]);
        let r = IsoNameRules {
            no_translate: true,
            ..base
        };
        assert_eq!(ids(&r, &files[2..3], &no[..1]), ["X#Y-Z~W.TXT;1"]);
        let r = IsoNameRules {
            relaxed: true,
            ..base
        };
        assert_eq!(
            ids(&r, &files[2..], &no[..3]),
            ["X#Y-Z~W.TXT;1", "WE!RD$&.T+T;1", "MIXED CA.TXT;1"]
        );
        let r = IsoNameRules {
            max37: true,
            omit_version: true,
            ..base
        };
        assert_eq!(
            ids(&r, &["longfilename-number-one-and-more.text"], &[false]),
            ["LONGFILENAME_NUMBER_ONE_AND_MORE.TEXT"]
        );
        // -l and levels 2, 3: 31 characters with the period (30 of name and extension).
        let long = [
            "abcdefghijklmnopqrstuvwxyz0123456789",
            "longfilename-number-one-and-more.text",
        ];
        let l = IsoNameRules {
            long_names: true,
            ..base
        };
        assert_eq!(
            ids(&l, &long, &[false, false]),
            [
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123.;1",
                "LONGFILENAME_NUMBER_ONE_AN.TEXT;1"
            ]
        );
        let l = IsoNameRules {
            omit_period: true,
            level: 3,
            ..base
        };
        assert_eq!(
            ids(&l, &long, &[false, false]),
            [
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234;1",
                "LONGFILENAME_NUMBER_ONE_AN.TEXT;1"
            ]
        );
        // -U: -l -d -N -allow-leading-dots -relaxed-filenames -allow-lowercase
        // -allow-multidot.
        let u = IsoNameRules {
            long_names: true,
            omit_period: true,
            omit_version: true,
            allow_leading_dots: true,
            relaxed: true,
            allow_lowercase: true,
            allow_multidot: true,
            ..base
        };
        assert_eq!(
            ids(
                &u,
                &[
                    ".bashrc",
                    ".foo.txt",
                    "a.tar.gz",
                    "readme",
                    "trail.",
                    "dir.with.dots"
                ],
                &[false, false, false, false, false, true]
            ),
            [
                ".bashrc",
                ".foo.txt",
                "a.tar.gz",
                "readme",
                "trail.",
                "dir.with.dots"
            ]
        );
    }

    #[test]
    fn joliet_names() {
        let r = JolietRules {
            max_units: 64,
            omit_version: false,
            utf16: true,
        };
        let ids = joliet_identifiers(&r, &["a:b", "😀x"], &[false, true]);
        assert_eq!(ids[0], [0, b'a', 0, b'_', 0, b'b', 0, b';', 0, b'1']);
        assert_eq!(ids[1], [0xD8, 0x3D, 0xDE, 0x00, 0, b'x']);
        // UCS-2: one '_' for the character outside the BMP (xorriso without -joliet-utf16).
        let ucs2 = JolietRules { utf16: false, ..r };
        let ids = joliet_identifiers(&ucs2, &["😀x"], &[true]);
        assert_eq!(ids[0], [0, b'_', 0, b'x']);
        // 63 units then an astral char that would need 2 units: truncated before it.
        let name = "a".repeat(63) + "😀";
        let ids = joliet_identifiers(&r, &[&name], &[true]);
        assert_eq!(ids[0].len(), 126);
        assert_eq!(decode_joliet(&[0, b'a', 0, b';', 0, b'1']), "a");
    }

    #[test]
    fn only_real_separators_are_removed() {
        let j = |s: &str| {
            let b: Vec<u8> = s.encode_utf16().flat_map(u16::to_be_bytes).collect();
            decode_joliet(&b)
        };
        // Joliet: a trailing dot is part of the name (genisoimage -J writes these so).
        for n in ["...", "a.", "b..", "c", "d.e"] {
            assert_eq!(j(n), n);
            assert_eq!(j(&format!("{n};1")), n);
        }
        // ISO 9660 (ECMA-119 §7.5.1): SEPARATOR 1 before an empty extension goes.
        assert_eq!(strip_version("README.;1"), "README");
        assert_eq!(strip_version("README."), "README");
        assert_eq!(strip_version("A.TXT;1"), "A.TXT");
        assert_eq!(strip_version("A.TXT"), "A.TXT");
        // Dots that cannot be that separator stay.
        assert_eq!(strip_version("...;1"), "...");
        assert_eq!(strip_version("B..;1"), "B..");
        assert_eq!(strip_version(".;1"), ".");
        assert_eq!(strip_file_version("A;B"), "A;B");
    }

    #[test]
    fn globs() {
        assert!(Glob("*.o".into()).matches("x.o"));
        assert!(!Glob("*.o".into()).matches("x.oo"));
        assert!(Glob("a?c".into()).matches("abc"));
        assert!(Glob("[a-c]x".into()).matches("bx"));
        assert!(!Glob("[!a-c]x".into()).matches("bx"));
        assert!(Glob("*".into()).matches(""));
    }
}
