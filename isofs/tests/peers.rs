//! Images we build, read back by independent readers (xorriso, isoinfo -R/-J, bsdtar, 7z)
//! and by our own reader, compared with the source tree made by the committed fixture
//! script.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code panics on failure

mod common;

use std::process::Command;

use common::*;
use isofs::{Namespace, Options, RockRidge};

fn rr_joliet() -> Options {
    Options {
        iso_level: 3,
        rock_ridge: Some(RockRidge::Exact),
        joliet: true,
        ..Options::default()
    }
}

#[test]
fn fixture_image_read_by_every_peer() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    make_fixture(&src);
    let img = tmp.path().join("o.iso");
    build(&src, rr_joliet(), &img);
    let want = snapshot_dir(&src);

    // Our own reader, Rock Ridge namespace: everything.
    let ours = snapshot_ours(&img, 0, None);
    compare("isofs reader (RR)", &want, &ours, FULL);

    // xorriso extraction: names, content, modes, times, links, devices, hard links.
    let x = extract_xorriso(&img, &tmp.path().join("x"));
    compare(
        "xorriso",
        &want,
        &x,
        Caps {
            dir_mtime: false,
            ..FULL
        },
    );

    // bsdtar extraction.
    let b = extract_bsdtar(&img, &tmp.path().join("b"));
    compare(
        "bsdtar",
        &want,
        &b,
        Caps {
            dir_mtime: false,
            ..FULL
        },
    );

    // 7z reads the Joliet tree: names up to 64 UTF-16 units, contents, mtimes.
    let z = extract_7z(&img, &tmp.path().join("z"));
    compare(
        "7z",
        &want,
        &z,
        Caps {
            perm: false,
            dir_mtime: false,
            symlinks: false,
            special: false,
            hardlinks: false,
            max_name: 64,
            ..FULL
        },
    );

    // isoinfo -R -l: names, kinds, permissions, sizes, link targets.
    let l = isoinfo_list(&img, "-R");
    let mut errs = Vec::new();
    for (p, w) in &want {
        // Below a relocated directory isoinfo shows the entries under rr_moved/.
        let relocated = || {
            let comps: Vec<&str> = p.split('/').collect();
            (1..comps.len()).find_map(|i| l.get(&format!("rr_moved/{}", comps[i..].join("/"))))
        };
        match l.get(p).or_else(relocated) {
            None => errs.push(format!("{p}: missing")),
            Some((k, perm, size, target)) => {
                if *k != w.kind
                    || *perm != (w.perm & 0o777)
                    || (w.kind == '-' && *size != w.size)
                    || *target != w.target
                {
                    errs.push(format!("{p}: {:?} vs {:?}", (k, perm, size, target), w));
                }
            }
        }
    }
    // isoinfo does not follow RRIP relocation (CL/RE): it shows rr_moved as it is.
    assert!(
        l.keys()
            .all(|k| want.contains_key(k) || k == "rr_moved" || k.starts_with("rr_moved/")),
        "isoinfo -R extra names: {:?}",
        l.keys()
            .filter(|k| !want.contains_key(*k))
            .collect::<Vec<_>>()
    );
    assert!(errs.is_empty(), "isoinfo -R:\n{}", errs.join("\n"));

    // isoinfo -R -x: contents of every regular file.
    for (p, w) in want.iter().filter(|(_, w)| w.kind == '-') {
        let ip = if l.contains_key(p.as_str()) {
            p.clone()
        } else {
            let comps: Vec<&str> = p.split('/').collect();
            (1..comps.len())
                .map(|i| format!("rr_moved/{}", comps[i..].join("/")))
                .find(|q| l.contains_key(q))
                .unwrap_or_else(|| p.clone())
        };
        let out = Command::new("isoinfo")
            .args(["-R", "-i"])
            .arg(&img)
            .arg("-x")
            .arg(format!("/{ip}"))
            .output()
            .unwrap();
        assert_eq!(fnv(&out.stdout), w.hash, "isoinfo -R -x /{p}");
    }

    // isoinfo -J -l: Joliet names (truncated at 64 units) and sizes.
    // isoinfo prints Joliet names in a single-byte charset (no UTF-8): check the ASCII
    // names exactly and the number of entries overall.
    let j: std::collections::BTreeMap<String, _> = isoinfo_list(&img, "-J")
        .into_iter()
        .map(|(k, v)| (k.replace(";1", ""), v))
        .collect();
    assert_eq!(j.len(), want.len(), "isoinfo -J entry count");
    for (p, w) in want
        .iter()
        .filter(|(p, _)| p.is_ascii() && p.split('/').all(|c| c.len() <= 64))
    {
        let got = j.get(p).unwrap_or_else(|| {
            panic!(
                "isoinfo -J: {p} missing; have {:?}",
                j.keys().collect::<Vec<_>>()
            )
        });
        if w.kind == '-' {
            assert_eq!(got.2, w.size, "isoinfo -J size of {p}");
        }
    }

    // Our reader on the Joliet tree agrees with 7z.
    let oj = snapshot_ours(&img, 0, Some(Namespace::Joliet));
    compare(
        "isofs reader (Joliet)",
        &z,
        &oj,
        Caps {
            perm: false,
            mtime: false,
            dir_mtime: false,
            symlinks: false,
            special: false,
            hardlinks: false,
            max_name: 64,
            content: true,
        },
    );
}
