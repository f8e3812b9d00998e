//! `discburn verify` with neither `--image` nor `--tree`: the session is checked against
//! the MD5 checksums it records itself, as libisofs records them (libisofs
//! `doc/checksums.txt`; written by `add`, `mkisofs --md5`, xorriso `-md5 on`): every file's
//! MD5 (AAIP `isofs.cx` into the checksum array named by the root's `isofs.ca`), the
//! superblock, tree and session tags, and the session MD5 of the array's entry 0.
//!
//! The session is read once, front to back, up to its session tag: the session MD5 and the
//! tags are checked on the way and the files lying in the session are hashed from the same
//! reads; files carried forward from earlier sessions are read where they lie. An MD5 says
//! that a file differs, not where: a damaged file is named with the blocks it occupies, and
//! unreadable blocks exactly.

use std::collections::BTreeMap;

use mmc::rescue::{self, Area};

use crate::cmd::verify::{Difference, VerifyReport};
use crate::cmd::CliDrive;
use crate::error::CliError;
use isofs::checksum::{self, Hasher, Running, Tag, TagKind};

/// One file with what the check found.
struct FileCheck {
    path: String,
    extents: Vec<(u32, u32)>,
    index: Option<u32>,
    md5: Hasher,
    bad: Vec<u32>,
}

/// A piece of a file: `len` bytes from block `lba`.
struct Piece {
    file: usize,
    lba: u32,
    len: u64,
}

fn ranges_text(r: &[(u32, u32)]) -> String {
    r.iter()
        .map(|&(a, b)| {
            if a == b {
                format!("{a}")
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn extent_text(e: &[(u32, u32)]) -> String {
    let r: Vec<(u32, u32)> = e
        .iter()
        .filter(|x| x.1 > 0)
        .map(|&(l, n)| (l, l + n.div_ceil(2048) - 1))
        .collect();
    ranges_text(&r)
}

/// Checks the session `area` against its recorded checksums.
pub fn verify_recorded(
    drive: &mut CliDrive,
    device: String,
    area: Area,
) -> Result<VerifyReport, CliError> {
    let at = area.start;
    let fail = |e: &dyn std::fmt::Display| CliError::Failed(format!("session at LBA {at}: {e}"));
    let mut files: Vec<FileCheck> = Vec::new();
    let (ca, warnings) = {
        let mut vol = isofs::read::Volume::open(&mut *drive, at, None).map_err(|e| fail(&e))?;
        crate::cmd::ls::print_warnings(&format!("session at LBA {at}"), &vol.info().warnings);
        let root = vol.root().clone();
        vol.walk(&root, &mut |p, e| {
            if !e.is_dir && e.symlink.is_none() && e.mode.is_none_or(|m| m & 0o170000 == 0o100000) {
                files.push(FileCheck {
                    path: p.to_string(),
                    extents: e.extents.clone(),
                    index: e.md5_index,
                    md5: Hasher::default(),
                    bad: Vec::new(),
                });
            }
            Ok(())
        })
        .map_err(|e| fail(&e))?;
        (root.checksum_array.clone(), vol.info().warnings.clone())
    };
    let Some(ca) = ca else {
        return Err(CliError::Failed(format!(
            "the session at LBA {at} records no MD5 checksums (no isofs.ca on its root: \
             written with --no-md5, or by a program that does not record them, like mkisofs \
             or xorriso without -md5 on); give --image FILE or --tree DIR to compare"
        )));
    };
    let mut diffs: Vec<Difference> = Vec::new();
    let mut diff = |what: String, kind: &'static str, detail: String| {
        diffs.push(Difference { what, kind, detail })
    };
    let array = match checksum::read_array(&mut *drive, &ca) {
        Ok(a) => Some(a),
        Err(e) => {
            diff(format!("LBA {}", ca.end), "checksum_array", e.to_string());
            None
        }
    };
    // The pass: from the session start to its tag (after the array), within the session.
    let tag_at = ca
        .end
        .saturating_add(checksum::array_blocks(ca.count.saturating_sub(2) as usize));
    let pass_end = tag_at.saturating_add(1).min(area.end()).max(at);
    let mut pieces: Vec<Piece> = Vec::new();
    let mut outside: Vec<usize> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let inside = f
            .extents
            .iter()
            .all(|&(l, n)| n == 0 || (l >= at && l + n.div_ceil(2048) <= pass_end));
        if !inside {
            outside.push(i);
            continue;
        }
        for &(l, n) in &f.extents {
            if n > 0 {
                pieces.push(Piece {
                    file: i,
                    lba: l,
                    len: u64::from(n),
                });
            }
        }
    }
    pieces.sort_by_key(|p| p.lba);
    let mut run = Running::default();
    let mut tags: BTreeMap<u32, (TagKind, bool)> = BTreeMap::new();
    let mut session_md5: Option<[u8; 16]> = None;
    let mut bad_all: Vec<u32> = Vec::new();
    let mut next_piece = 0usize;
    let mut active: Vec<(usize, u64)> = Vec::new();
    let zero = [0u8; 2048];
    rescue::read_with_holes(drive, at, pass_end - at, None, &mut |lba, data| {
        let n = data.map_or(1, |d| d.len() / 2048) as u32;
        for k in 0..n {
            let b = lba + k;
            let blk: &[u8] = match data {
                Some(d) => &d[k as usize * 2048..(k as usize + 1) * 2048],
                None => &zero,
            };
            if data.is_none() {
                bad_all.push(b);
            }
            if b == ca.end {
                session_md5 = Some(run.digest());
            }
            if blk.starts_with(b"libisofs_") {
                if let Some(t) = Tag::decode(blk) {
                    if t.pos == b && t.range_start == at && t.range_size == b - at {
                        tags.insert(b, (t.kind, t.md5 == run.digest()));
                    }
                }
            }
            run.update(blk);
            while next_piece < pieces.len() && pieces[next_piece].lba <= b {
                active.push((next_piece, pieces[next_piece].len));
                next_piece += 1;
            }
            active.retain_mut(|(p, left)| {
                let f = &mut files[pieces[*p].file];
                let take = (*left).min(2048);
                f.md5.update(&blk[..take as usize]);
                if data.is_none() {
                    f.bad.push(b);
                }
                *left -= take;
                *left > 0
            });
        }
        Ok(())
    })
    .map_err(|e| fail(&e))?;
    // Files carried forward from earlier sessions: read where they lie.
    for &i in &outside {
        let extents = files[i].extents.clone();
        for (l, n) in extents {
            let mut left = u64::from(n);
            let f = &mut files[i];
            rescue::read_with_holes(drive, l, n.div_ceil(2048), None, &mut |b, d| {
                let data: &[u8] = match d {
                    Some(d) => d,
                    None => {
                        f.bad.push(b);
                        &zero
                    }
                };
                let take = (data.len() as u64).min(left) as usize;
                f.md5.update(&data[..take]);
                left -= take as u64;
                Ok(())
            })
            .map_err(|e| fail(&e))?;
        }
    }
    // The tags and the session MD5.
    let mut seen = [false; 3];
    for (&pos, &(kind, ok)) in &tags {
        let k = match kind {
            TagKind::Superblock => 0,
            TagKind::Tree => 1,
            TagKind::Session => 2,
            TagKind::Relocated => continue,
        };
        seen[k] = true;
        if !ok {
            diff(
                format!("LBA {at}-{}", pos - 1),
                "tag",
                format!(
                    "the {} tag at block {pos}: the blocks it covers differ from its MD5",
                    ["superblock", "tree", "session"][k]
                ),
            );
        }
    }
    for (k, s) in seen.iter().enumerate() {
        if !s {
            diff(
                format!("session at LBA {at}"),
                "tag",
                format!(
                    "no valid {} tag found{}",
                    ["superblock", "tree", "session"][k],
                    if k == 2 {
                        format!(" at block {tag_at}")
                    } else {
                        String::new()
                    }
                ),
            );
        }
    }
    if let (Some(a), Some(m)) = (&array, session_md5) {
        if a[0] != m {
            diff(
                format!("LBA {at}-{}", ca.end.saturating_sub(1)),
                "content",
                "the session's MD5 in the checksum array does not match the blocks read".into(),
            );
        }
    }
    let mut without = 0usize;
    let mut checked = 0u64;
    for f in files {
        let size: u64 = f.extents.iter().map(|e| u64::from(e.1)).sum();
        let got = f.md5.finish();
        if !f.bad.is_empty() {
            diff(
                f.path.clone(),
                "unreadable",
                format!(
                    "lies on unreadable blocks {}",
                    ranges_text(&rescue::scan::ranges(&f.bad))
                ),
            );
        }
        let Some(i) = f.index else {
            if size > 0 {
                without += 1;
            }
            continue;
        };
        let Some(want) = array
            .as_ref()
            .and_then(|a| (i >= 1 && (i as usize) + 1 < a.len()).then(|| a[i as usize]))
        else {
            if array.is_some() {
                diff(
                    f.path.clone(),
                    "checksum_array",
                    format!("isofs.cx {i} is outside the checksum array"),
                );
            }
            continue;
        };
        checked += 1;
        if want != got {
            diff(
                f.path.clone(),
                "content",
                format!(
                    "MD5 recorded {}, read {}; the file occupies blocks {}",
                    checksum::hex(&want),
                    checksum::hex(&got),
                    extent_text(&f.extents)
                ),
            );
        }
    }
    let mut warnings = warnings;
    if without > 0 {
        let w = format!("{without} files have no recorded MD5 and were not checked");
        eprintln!("discburn: verify: {w}");
        warnings.push(w);
    }
    bad_all.sort_unstable();
    let unreadable = rescue::scan::ranges(&bad_all);
    for (a, b) in &unreadable {
        diffs.push(Difference {
            what: format!("LBA {a}-{b}"),
            kind: "unreadable",
            detail: format!("{} blocks could not be read", b - a + 1),
        });
    }
    diffs.sort_by(|a, b| (a.what.as_str(), a.kind).cmp(&(b.what.as_str(), b.kind)));
    Ok(VerifyReport {
        device,
        area,
        against: "the MD5 checksums the session records".into(),
        compared: checked,
        unreadable,
        differences: diffs,
        warnings,
    })
}
