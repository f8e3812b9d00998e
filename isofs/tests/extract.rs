//! Extraction never writes outside the target folder: a crafted image with a symbolic link
//! and a directory of the same Rock Ridge name, a link pointing outside, and a target folder
//! that already holds a symbolic link to elsewhere.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code panics on failure

use std::fs;

use isofs::tree::{mode, Kind, Meta};
use isofs::{FileSource, Image, Options, RockRidge, Tree, Volume};

#[test]
fn extraction_stays_inside_the_target() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    fs::create_dir_all(&outside).unwrap();
    let mut t = Tree::new();
    let dm = Meta {
        mode: mode::S_IFDIR | 0o755,
        ..Meta::default()
    };
    let fm = Meta {
        mode: mode::S_IFREG | 0o644,
        ..Meta::default()
    };
    let lm = Meta {
        mode: mode::S_IFLNK | 0o777,
        ..Meta::default()
    };
    // "evil" twice: a link to the outside folder and a directory with a file in it.
    let target = t.intern(outside.to_string_lossy().as_bytes());
    t.push_child(Tree::ROOT, b"evil", Kind::Symlink(target), lm);
    let d = t.push_child(Tree::ROOT, b"evil", Kind::Dir, dm);
    let data = t.add_blob(b"pwned\n".to_vec());
    t.push_child(d, b"payload", Kind::File { size: 6, data }, fm);
    // "pre" exists in the target as a link to the outside folder.
    let p = t.push_child(Tree::ROOT, b"pre", Kind::Dir, dm);
    let data = t.add_blob(b"pwned\n".to_vec());
    t.push_child(p, b"payload", Kind::File { size: 6, data }, fm);
    let o = Options {
        iso_level: 3,
        rock_ridge: Some(RockRidge::Exact),
        pad_blocks: 0,
        ..Options::default()
    };
    let img = Image::new(t, o, None).unwrap();
    let path = tmp.path().join("evil.iso");
    let f = fs::File::create(&path).unwrap();
    img.write_to_file(&f).unwrap();
    drop(f);
    let dest = tmp.path().join("dest");
    fs::create_dir_all(&dest).unwrap();
    std::os::unix::fs::symlink(&outside, dest.join("pre")).unwrap();
    let mut vol = Volume::open(FileSource::open(&path).unwrap(), 0, None).unwrap();
    let root = vol.root().clone();
    let r = isofs::extract(&mut vol, &root, &dest, &Default::default()).unwrap();
    // The directory "evil" comes first and is extracted (with its file, inside the
    // target); the link of the same name is then refused, and so is "pre" (a link in the
    // target is never followed).
    let refused: Vec<&str> = r.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(refused, ["evil", "pre"], "{:?}", r.problems);
    assert_eq!((r.files, r.dirs, r.symlinks), (1, 1, 0), "{r:?}");
    assert_eq!(fs::read(dest.join("evil/payload")).unwrap(), b"pwned\n");
    assert_eq!(
        fs::read_dir(&outside).unwrap().count(),
        0,
        "something was written outside"
    );
}
