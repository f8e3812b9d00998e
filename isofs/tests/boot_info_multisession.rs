//! El Torito boot information table (mkisofs `-boot-info-table`) for a boot image kept
//! from the previous session (`Data::Old`): [`Image::new`] copies it from the previous
//! session into the new one and patches it there, and refuses with a clear error when the
//! previous session is not at hand or the image is too large to copy.

#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test code panics on failure

use isofs::build::{BootImage, BootOptions, MAX_KEPT_BOOT_IMAGE};
use isofs::tree::{mode, Data, Kind, Meta};
use isofs::{Image, Options, Tree, SECTOR};

/// Session 2 starts at this block; the previous session is blocks 0..START.
const START: u32 = 40;
/// The kept boot image's block in the previous session.
const OLD_LBA: u32 = 30;
/// Its length: a multiple of 4, not of 2048.
const LEN: usize = 5000;

fn image_bytes() -> Vec<u8> {
    (0..LEN as u32).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// The previous session: zeros but the boot image at [`OLD_LBA`], carrying a stale table.
fn previous() -> Vec<u8> {
    let mut v = vec![0u8; START as usize * SECTOR];
    let mut img = image_bytes();
    img[8..12].copy_from_slice(&16u32.to_le_bytes());
    img[12..16].copy_from_slice(&OLD_LBA.to_le_bytes());
    v[OLD_LBA as usize * SECTOR..][..LEN].copy_from_slice(&img);
    v
}

/// A tree whose only file is `boot.bin` of `size` bytes kept at [`OLD_LBA`].
fn tree(size: u64) -> Tree {
    let mut t = Tree::new();
    let meta = Meta {
        mode: mode::S_IFREG | 0o644,
        ..Meta::default()
    };
    t.put_child(
        Tree::ROOT,
        b"boot.bin",
        Kind::File {
            size,
            data: Data::Old { lba: OLD_LBA },
        },
        meta,
    );
    t
}

fn opts() -> Options {
    Options {
        session: Some((0, START)),
        boot: Some(BootOptions {
            hide_catalog: false,
            catalog: "boot.cat".into(),
            images: vec![BootImage {
                path: "boot.bin".into(),
                info_table: true,
                ..BootImage::default()
            }],
        }),
        ..Options::default()
    }
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

#[test]
fn kept_image_is_written_again_with_a_table_for_this_session() {
    let mut prev = previous();
    let img = Image::new(tree(LEN as u64), opts(), Some(&mut prev)).unwrap();
    let mut out = Vec::new();
    img.write_to(&mut out).unwrap();
    // Session-relative offsets: block b of the disc is out[(b - START) * 2048..].
    let at = |b: u32| (b - START) as usize * SECTOR;
    let br = &out[17 * SECTOR..18 * SECTOR];
    assert_eq!(&br[7..30], b"EL TORITO SPECIFICATION");
    let cat = &out[at(le32(br, 0x47))..][..SECTOR];
    let lba = le32(cat, 40);
    assert!(
        lba >= START,
        "boot image left at block {lba}, before the session"
    );
    let got = &out[at(lba)..][..LEN];
    let src = image_bytes();
    let sum = src[64..].chunks(4).fold(0u32, |s, c| {
        s.wrapping_add(u32::from_le_bytes(c.try_into().unwrap()))
    });
    assert_eq!(
        (le32(got, 8), le32(got, 12), le32(got, 16), le32(got, 20)),
        (START + 16, lba, LEN as u32, sum),
        "table: PVD, file LBA, length, checksum"
    );
    assert!(got[24..64].iter().all(|&b| b == 0));
    assert_eq!(&got[..8], &src[..8]);
    assert_eq!(&got[64..], &src[64..]);
}

#[test]
fn kept_image_without_the_previous_session_is_refused() {
    let e = Image::new(tree(LEN as u64), opts(), None).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("-boot-info-table") && text.contains("boot.bin"),
        "{text}"
    );
    assert!(text.contains("not at hand"), "{text}");
}

#[test]
fn kept_image_too_large_to_copy_is_refused() {
    let mut prev = previous();
    let size = MAX_KEPT_BOOT_IMAGE + SECTOR as u64;
    let e = Image::new(tree(size), opts(), Some(&mut prev)).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("larger than"), "{text}");
}

#[test]
fn kept_image_without_info_table_keeps_its_extent() {
    let mut prev = previous();
    let mut o = opts();
    if let Some(b) = o.boot.as_mut() {
        b.images[0].info_table = false;
    }
    let img = Image::new(tree(LEN as u64), o, Some(&mut prev)).unwrap();
    let mut out = Vec::new();
    img.write_to(&mut out).unwrap();
    let br = &out[17 * SECTOR..18 * SECTOR];
    let cat = &out[(le32(br, 0x47) - START) as usize * SECTOR..][..SECTOR];
    assert_eq!(le32(cat, 40), OLD_LBA);
}
