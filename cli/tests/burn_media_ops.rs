//! `discburn blank`, `format`, `close`, `eject` and `load` on the emulated drive.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::burn::*;

#[test]
fn blank_cd_rw_then_write_again() {
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=cd-rw", disc.display());
    let s = t.path().join("s");
    put(&s, "a.txt", b"a\n");
    add(&dev, &[], &[&s]);
    let o = discburn(&["blank", "--fast", "--dev", &dev]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("blank"), "{}", text(&o));
    let j = add(&dev, &[], &[&s]);
    assert_eq!(j["session"], 1, "{j}");
    assert_eq!(j["start"], 0, "{j}");
    // A BD-R cannot be blanked.
    let bd = format!("emu:{},profile=bd-r", t.path().join("bd.img").display());
    let o = discburn(&["blank", "--dev", &bd]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("cannot be blanked"), "{}", text(&o));
}

#[test]
fn format_bd_re_and_refuse_bd_r() {
    let t = tempfile::tempdir().unwrap();
    let dev = format!("emu:{},profile=bd-re", t.path().join("re.img").display());
    let o = discburn(&["format", "--dev", &dev]);
    assert!(o.status.success(), "{}", text(&o));
    let bd = format!("emu:{},profile=bd-r", t.path().join("bd.img").display());
    let o = discburn(&["format", "--dev", &bd]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("no formats"), "{}", text(&o));
}

#[test]
fn close_finalizes_an_appendable_disc() {
    for profile in ["cd-r", "dvd-r", "dvd+r", "bd-r"] {
        let t = tempfile::tempdir().unwrap();
        let disc = t.path().join("disc.img");
        let dev = format!("emu:{},profile={profile}", disc.display());
        let s = t.path().join("s");
        put(&s, "a.txt", b"a\n");
        let j = add(&dev, &[], &[&s]);
        assert_eq!(j["appendable"], true);
        let o = discburn(&["close", "--dev", &dev]);
        assert!(o.status.success(), "{profile}: {}", text(&o));
        let o = discburn(&["add", "--dev", &dev, s.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{profile}: {}", text(&o));
        assert!(text(&o).contains("closed"), "{profile}: {}", text(&o));
        // The session is still readable.
        let mut e = Expected::default();
        e.set("a.txt", b"a\n");
        check_session(&disc, &j, &e);
    }
}

#[test]
fn eject_and_load() {
    let t = tempfile::tempdir().unwrap();
    let dev = format!("emu:{},profile=dvd+r", t.path().join("d.img").display());
    let o = discburn(&["eject", "--dev", &dev]);
    assert!(o.status.success(), "{}", text(&o));
    let o = discburn(&["load", "--dev", &dev]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn format_of_a_medium_holding_sessions_needs_force() {
    // As dvd+rw-format: reformatting destroys what the disc holds, so a formatted DVD+RW or
    // BD-RE with sessions is refused (nothing sent, the image unchanged) unless --force.
    for profile in ["dvd+rw", "bd-re"] {
        let t = tempfile::tempdir().unwrap();
        let disc = t.path().join("disc.img");
        let dev = format!("emu:{},profile={profile}", disc.display());
        let s = t.path().join("s");
        put(&s, "a.txt", b"a\n");
        let j = add(&dev, &[], &[&s]);
        let before = std::fs::read(&disc).unwrap();
        let state = std::fs::read(format!("{}.state", disc.display())).ok();
        let o = discburn(&["format", "--dev", &dev]);
        assert_eq!(o.status.code(), Some(1), "{profile}: {}", text(&o));
        assert!(text(&o).contains("--force"), "{profile}: {}", text(&o));
        assert!(text(&o).contains("session"), "{profile}: {}", text(&o));
        assert!(
            std::fs::read(&disc).unwrap() == before,
            "{profile}: image changed"
        );
        assert_eq!(
            std::fs::read(format!("{}.state", disc.display())).ok(),
            state,
            "{profile}: disc state changed"
        );
        let mut e = Expected::default();
        e.set("a.txt", b"a\n");
        check_session(&disc, &j, &e);
        let o = discburn(&["format", "--force", "--dev", &dev]);
        assert!(o.status.success(), "{profile}: {}", text(&o));
        // the formatted medium is empty: the next add starts a first session with only its
        // own files (the emulated re-format, like a quick one, keeps the recorded blocks;
        // discburn format clears the descriptor area; before, msinfo still found the old
        // session and add carried a.txt forward)
        let o = discburn(&["msinfo", "--json", "--dev", &dev]);
        let m: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(m["state"], "blank", "{profile}: {m}");
        let s2 = t.path().join("s2");
        put(&s2, "b.txt", b"b\n");
        let j2 = add(&dev, &[], &[&s2]);
        assert_eq!(j2["session"], 1, "{profile}: {j2}");
        let mut e = Expected::default();
        e.set("b.txt", b"b\n");
        check_session(&disc, &j2, &e);
    }
}
