//! `discburn verify` on emulated discs made by genisoimage: a clean disc matches its image
//! and its tree; with injected unreadable blocks it names exactly the files on them (file
//! extents as isoinfo lists them); changed content, size, mode, mtime, symlink targets and
//! missing or extra files are each listed.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

mod common;

use std::os::unix::fs::PermissionsExt;

use common::read::*;

fn diffs(o: &std::process::Output) -> Vec<(String, String, String)> {
    let j: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)));
    j["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_string(),
                d["what"].as_str().unwrap().to_string(),
                d["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn clean_disc_matches_image_and_tree() {
    let d = make_disc(400_000);
    let dev = d.dev("clean.iso", "");
    let o = discburn(&["verify", "--dev", &dev, "--image", d.iso.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = discburn(&[
        "verify",
        "--dev",
        &dev,
        "--tree",
        d.tree.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(diffs(&o).is_empty());
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["compared"], 8, "5 files, 2 directories, 1 symlink: {j}");
}

#[test]
fn verify_names_the_files_on_bad_blocks() {
    let d = make_disc(600_000);
    let beta = d.file("beta.bin").blocks();
    let delta = d.file("docs/deep/delta.dat").blocks();
    // One block in beta.bin, two at the end of delta.dat.
    let bad = format!("bad={};{}-{}", beta.0 + 3, delta.1 - 1, delta.1);
    let dev = d.dev("bad.iso", &bad);
    let o = discburn(&[
        "verify",
        "--dev",
        &dev,
        "--tree",
        d.tree.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v = diffs(&o);
    let unreadable: Vec<&str> = v
        .iter()
        .filter(|x| x.0 == "unreadable")
        .map(|x| x.1.as_str())
        .collect();
    assert_eq!(unreadable, vec!["beta.bin", "docs/deep/delta.dat"], "{v:?}");
    let detail = &v
        .iter()
        .find(|x| x.1 == "docs/deep/delta.dat" && x.0 == "unreadable")
        .unwrap()
        .2;
    assert!(
        detail.contains(&format!("{}-{}", delta.1 - 1, delta.1)),
        "{detail}"
    );
    // Their content cannot match; nothing else differs.
    for x in &v {
        assert!(
            x.1 == "beta.bin" || x.1 == "docs/deep/delta.dat",
            "unexpected {x:?}"
        );
    }
    // Image mode: the unreadable blocks are listed as such.
    let o = discburn(&[
        "verify",
        "--dev",
        &dev,
        "--image",
        d.iso.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let un: Vec<(u32, u32)> = serde_json::from_value(j["unreadable"].clone()).unwrap();
    assert_eq!(un, vec![(beta.0 + 3, beta.0 + 3), (delta.1 - 1, delta.1)]);
}

#[test]
fn verify_lists_every_kind_of_difference() {
    let d = make_disc(300_000);
    let dev = d.dev("clean.iso", "");
    let t = &d.tree;
    // content (same size), size, mode, mtime, symlink target, missing, extra.
    let mut eps = std::fs::read(t.join("epsilon.bin")).unwrap();
    eps[1000] ^= 0xFF;
    std::fs::write(t.join("epsilon.bin"), &eps).unwrap();
    std::fs::write(t.join("docs/gamma.txt"), b"shorter").unwrap();
    std::fs::set_permissions(t.join("beta.bin"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let f = std::fs::File::options()
        .write(true)
        .open(t.join("alpha.bin"))
        .unwrap();
    f.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000))
        .unwrap();
    drop(f);
    std::fs::remove_file(t.join("link")).unwrap();
    std::os::unix::fs::symlink("beta.bin", t.join("link")).unwrap();
    std::fs::remove_file(t.join("docs/deep/delta.dat")).unwrap();
    std::fs::write(t.join("new.txt"), b"new").unwrap();
    let o = discburn(&[
        "verify",
        "--dev",
        &dev,
        "--tree",
        t.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v = diffs(&o);
    let has = |kind: &str, what: &str| v.iter().any(|x| x.0 == kind && x.1 == what);
    assert!(has("content", "epsilon.bin"), "{v:?}");
    assert!(!has("size", "epsilon.bin"), "{v:?}");
    assert!(has("size", "docs/gamma.txt"), "{v:?}");
    assert!(has("mode", "beta.bin"), "{v:?}");
    assert!(has("mtime", "alpha.bin"), "{v:?}");
    assert!(has("symlink", "link"), "{v:?}");
    assert!(has("only_on_disc", "docs/deep/delta.dat"), "{v:?}");
    assert!(has("only_in_tree", "new.txt"), "{v:?}");
    // Text output lists them too.
    let o = discburn(&["verify", "--dev", &dev, "--tree", t.to_str().unwrap()]);
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(
        s.contains("mode: beta.bin: disc 100644, tree 100600"),
        "{s}"
    );
}

/// A disc from our builder holding names no file system can: a directory `..` with a file
/// `secret` in it, which joined onto the tree would be the file beside the tree; and a
/// directory `sub` where the tree has a link to that same folder. Neither is read: `..` is
/// refused as `extract` refuses it, and below `sub` nothing is compared.
#[test]
fn verify_tree_refuses_the_names_extract_refuses() {
    use isofs::tree::{mode, Kind, Meta};
    let tmp = tempfile::tempdir().unwrap();
    let secret = b"outside the tree\n";
    std::fs::write(tmp.path().join("secret"), secret).unwrap();
    let tree = tmp.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::fs::write(tree.join("ok"), b"ok\n").unwrap();
    std::os::unix::fs::symlink("..", tree.join("sub")).unwrap();
    let mut t = isofs::Tree::new();
    let dm = Meta {
        mode: mode::S_IFDIR | 0o755,
        ..Meta::default()
    };
    let fm = Meta {
        mode: mode::S_IFREG | 0o644,
        ..Meta::default()
    };
    let up = t.push_child(isofs::Tree::ROOT, b"..", Kind::Dir, dm);
    let data = t.add_blob(secret.to_vec());
    t.push_child(up, b"secret", Kind::File { size: 17, data }, fm);
    let sub = t.push_child(isofs::Tree::ROOT, b"sub", Kind::Dir, dm);
    let data = t.add_blob(secret.to_vec());
    t.push_child(sub, b"secret", Kind::File { size: 17, data }, fm);
    let data = t.add_blob(b"ok\n".to_vec());
    t.push_child(isofs::Tree::ROOT, b"ok", Kind::File { size: 3, data }, fm);
    let o = isofs::Options {
        iso_level: 3,
        rock_ridge: Some(isofs::RockRidge::Exact),
        ..isofs::Options::default()
    };
    let img = tmp.path().join("names.iso");
    let f = std::fs::File::create(&img).unwrap();
    isofs::Image::new(t, o, None)
        .unwrap()
        .write_to_file(&f)
        .unwrap();
    drop(f);
    let dev = format!("emu:{}", img.display());
    // Under a memory cap and a time limit, as every hostile-disc test runs.
    let o = common::hostile::under_caps(common::read::BIN)
        .args(["verify", "--dev", &dev, "--tree"])
        .arg(&tree)
        .arg("--json")
        .output()
        .unwrap();
    common::hostile::within_caps(&o, "verify --tree");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let d = diffs(&o);
    let has = |k: &str, w: &str| d.iter().any(|(kind, what, _)| kind == k && what == w);
    assert!(has("unsafe_name", ".."), "{d:?}");
    assert!(has("type", "sub"), "{d:?}");
    assert!(has("only_on_disc", "sub/secret"), "{d:?}");
    // Nothing below ".." was looked at, and "sub/secret" was not read through the link.
    assert!(
        !d.iter().any(|(_, what, _)| what.starts_with("../")),
        "{d:?}"
    );
    assert!(
        !d.iter()
            .any(|(kind, what, _)| what == "sub/secret" && kind != "only_on_disc"),
        "{d:?}"
    );
    assert!(!has("content", "ok") && !has("size", "ok"), "{d:?}");
}
