//! The emulated drive's `garble=` fault (a failing laser or medium, MMC-6 §6.44 WRITE(10)
//! answered GOOD while the blocks recorded differ from those sent): what a READ(10)
//! (MMC-6 §6.15) returns afterwards, block by block.

mod emu_util;

use emu_util::*;

/// `blocks` blocks whose every byte names its block (`lba` low byte plus the offset), so a
/// block read back at the wrong place or altered is told apart.
fn pattern(lba: u32, blocks: u32) -> Vec<u8> {
    (0..blocks as usize * 2048)
        .map(|i| (lba as usize + i / 2048).wrapping_mul(31).wrapping_add(i) as u8)
        .collect()
}

/// READ(10) of `blocks` blocks at `lba`; asserts GOOD.
fn read10(d: &mut impl transport::Transport, lba: u32, blocks: u16) -> Vec<u8> {
    let b = lba.to_be_bytes();
    let n = blocks.to_be_bytes();
    let cdb = [0x28, 0, b[0], b[1], b[2], b[3], 0, n[0], n[1], 0];
    let (c, v) = data_in(d, &cdb, usize::from(blocks) * 2048);
    good(&c);
    assert_eq!(v.len(), usize::from(blocks) * 2048);
    v
}

/// SYNCHRONIZE CACHE (MMC-6 §6.41), which saves the disc state before the drive is dropped.
fn sync(d: &mut impl transport::Transport) {
    good(&none(d, &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
}

fn block(v: &[u8], i: u32) -> &[u8] {
    &v[i as usize * 2048..(i as usize + 1) * 2048]
}

#[test]
fn garbled_blocks_read_back_different_neighbours_exact() {
    let (_t, path, mut d) = drive("bd-r", &[("garble", "20-21;40")]);
    let sent = pattern(0, 32);
    // WRITE(10) completes GOOD for every chunk, garbled blocks included
    write10(&mut d, 0, &sent);
    let back = read10(&mut d, 0, 32);
    for i in 0..32 {
        if i == 20 || i == 21 {
            let (s, r) = (block(&sent, i), block(&back, i));
            assert_ne!(s, r, "block {i} is in garble=20-21 but read back as sent");
            assert!(
                s.iter().zip(r).all(|(a, b)| a != b),
                "every byte of garbled block {i} differs"
            );
        } else {
            assert_eq!(
                block(&sent, i),
                block(&back, i),
                "block {i} is outside garble="
            );
        }
    }
    // the altered bytes are what the disc holds: the image file and a drive opened
    // without the option return them too
    let image = std::fs::read(&path).unwrap();
    assert_eq!(&image[..32 * 2048], &back[..]);
    sync(&mut d);
    drop(d);
    let mut d = reopen(&path, &[]);
    assert_eq!(read10(&mut d, 0, 32), back);
    // without garble= the blocks of the old range are recorded as sent
    let more = pattern(32, 16);
    write10(&mut d, 32, &more);
    assert_eq!(read10(&mut d, 32, 16), more);
}

#[test]
fn garble_applies_only_to_writes_while_given() {
    // blocks written before are untouched by the option; a range later on is altered
    let (_t, path, mut d) = drive("bd-r", &[]);
    let first = pattern(0, 32);
    write10(&mut d, 0, &first);
    sync(&mut d);
    drop(d);
    let mut d = reopen(&path, &[("garble", "20-21;40")]);
    assert_eq!(read10(&mut d, 0, 32), first);
    let second = pattern(32, 16);
    write10(&mut d, 32, &second);
    let back = read10(&mut d, 32, 16);
    for i in 0..16 {
        if i + 32 == 40 {
            assert_ne!(block(&second, i), block(&back, i), "block 40 is garbled");
        } else {
            assert_eq!(
                block(&second, i),
                block(&back, i),
                "block {} is not",
                i + 32
            );
        }
    }
}

#[test]
fn garble_on_overwritable_medium() {
    // DVD+RW: random writes anywhere; rewriting a garbled block without the option heals it
    let (_t, path, mut d) = drive("dvd+rw", &[("garble", "100-101")]);
    let sent = pattern(96, 8);
    write10(&mut d, 96, &sent);
    let back = read10(&mut d, 96, 8);
    for i in 0..8 {
        let lba = 96 + i;
        if (100..=101).contains(&lba) {
            assert_ne!(block(&sent, i), block(&back, i), "block {lba} is garbled");
        } else {
            assert_eq!(block(&sent, i), block(&back, i), "block {lba} is not");
        }
    }
    sync(&mut d);
    drop(d);
    let mut d = reopen(&path, &[]);
    write10(&mut d, 96, &sent);
    assert_eq!(read10(&mut d, 96, 8), sent);
}
