//! The generated manual pages and completion scripts, checked with the real readers:
//! `man -l` (man-db with groff) renders every page `discburn man --dir` writes, and a real
//! `bash` with the script of `discburn completions bash` completes `discburn a<TAB>`.
#![cfg(unix)] // reason: man-db, groff and bash are the readers
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::read::discburn;

fn tool(name: &str, package: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "{name} is missing: install the Debian package {package}"
    );
    Command::new(name)
}

fn ok(o: &Output, what: &str) -> String {
    assert!(
        o.status.success(),
        "{what}: status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Renders `page` with man-db (groff underneath), warnings on: the text and stderr.
fn man_l(page: &Path) -> (String, String) {
    let o = tool("man", "man-db (and groff-base)")
        .args(["--warnings=w", "-l"])
        .arg(page)
        .env("MANWIDTH", "100")
        .env_remove("MAN_KEEP_FORMATTING")
        .env_remove("MANPAGER")
        .env("PAGER", "cat")
        .output()
        .expect("run man");
    let text = ok(&o, &format!("man -l {}", page.display()));
    (text, String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn man_renders_every_generated_page() {
    let dir = tempfile::tempdir().unwrap();
    let listed = ok(
        &discburn(&["man", "--dir", dir.path().to_str().unwrap()]),
        "discburn man --dir",
    );
    let mut pages: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    assert_eq!(listed.lines().count(), pages.len(), "{listed}");
    // One page for discburn, one per visible subcommand, one per personality.
    let help = ok(&discburn(&["--help"]), "discburn --help");
    let subcommands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .collect();
    assert!(subcommands.contains(&"add"), "{help}");
    for sub in &subcommands {
        assert!(
            dir.path().join(format!("discburn-{sub}.1")).is_file(),
            "no page for discburn {sub}"
        );
    }
    for p in [
        "discburn",
        "discburn-cdrecord",
        "discburn-mkisofs",
        "discburn-readcd",
        "discburn-xorrisofs",
    ] {
        assert!(dir.path().join(format!("{p}.1")).is_file(), "no page {p}.1");
    }
    for page in &pages {
        let stem = page.file_stem().unwrap().to_str().unwrap();
        let (text, warnings) = man_l(page);
        assert!(
            warnings.trim().is_empty(),
            "{stem}: groff warnings:\n{warnings}"
        );
        let first = text.lines().next().unwrap_or("");
        assert!(
            first.starts_with(&format!("{}(1)", stem.to_ascii_uppercase())),
            "{stem}: header {first:?}"
        );
        for section in ["NAME", "SYNOPSIS", "OPTIONS"] {
            assert!(
                text.lines().any(|l| l == section),
                "{stem}: no {section}:\n{text}"
            );
        }
    }
    let (add, _) = man_l(&dir.path().join("discburn-add.1"));
    assert!(add.contains("--remove"), "{add}");
    assert!(add.contains("--no-verify"), "{add}");
    // The personalities' pages show their options as their users write them.
    let (cdrecord, _) = man_l(&dir.path().join("discburn-cdrecord.1"));
    assert!(cdrecord.contains("-msinfo"), "{cdrecord}");
    assert!(!cdrecord.contains("--msinfo"), "{cdrecord}");
    assert!(cdrecord.contains("-dev=<DEVICE>"), "{cdrecord}");
    let (mkisofs, _) = man_l(&dir.path().join("discburn-mkisofs.1"));
    assert!(mkisofs.contains("-graft-points"), "{mkisofs}");
    assert!(mkisofs.contains("genisoimage"), "{mkisofs}");
}

/// Completes the words `line` (the last one being completed) in a real bash that sourced
/// `script`: what COMPREPLY holds, one a line, sorted.
fn complete(script: &Path, prog: &str, line: &[&str]) -> Vec<String> {
    let words: Vec<String> = line.iter().map(|w| format!("'{w}'")).collect();
    let snippet = format!(
        r#"source '{script}' || exit 3
spec=$(complete -p {prog}) || exit 4
fn=${{spec#*-F }}; fn=${{fn%% *}}
COMP_WORDS=({words}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"; COMP_POINT=${{#COMP_LINE}}
"$fn" {prog} "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script = script.display(),
        words = words.join(" "),
    );
    let o = tool("bash", "bash")
        .args(["--norc", "--noprofile", "-c", &snippet])
        .output()
        .expect("run bash");
    let out = ok(&o, &format!("bash completion of {line:?}"));
    let mut v: Vec<String> = out
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    v.sort();
    v
}

#[test]
fn bash_completes_subcommands_and_options() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("discburn.bash");
    let text = ok(&discburn(&["completions", "bash"]), "completions bash");
    std::fs::write(&script, &text).unwrap();
    // `discburn a<TAB>`: the subcommands starting with a (add, atip); `ad<TAB>` is add.
    assert_eq!(
        complete(&script, "discburn", &["discburn", "a"]),
        ["add", "atip"]
    );
    assert_eq!(complete(&script, "discburn", &["discburn", "ad"]), ["add"]);
    assert_eq!(
        complete(&script, "discburn", &["discburn", "add", "--no-v"]),
        ["--no-verify"]
    );
    assert_eq!(
        complete(&script, "discburn", &["discburn", "completions", "f"]),
        ["fish"]
    );
    // A personality's script, for its own name.
    let script = dir.path().join("cdrecord.bash");
    let text = ok(
        &discburn(&["completions", "bash", "--for", "discburn-cdrecord"]),
        "completions bash --for discburn-cdrecord",
    );
    std::fs::write(&script, &text).unwrap();
    assert_eq!(
        complete(
            &script,
            "discburn-cdrecord",
            &["discburn-cdrecord", "--msi"]
        ),
        ["--msinfo"]
    );
    // Other shells get a script too; an unknown name is a usage error.
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let s = ok(&discburn(&["completions", shell]), shell);
        assert!(s.contains("discburn"), "{shell}: {s}");
    }
    let o = discburn(&["completions", "bash", "--for", "growisofs"]);
    assert_eq!(o.status.code(), Some(2));
}
