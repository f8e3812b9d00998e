//! Lists every session of a whole-disc image and the files of each, as the reader sees them
//! (Rock Ridge names, else Joliet, else ISO 9660): the image file an emulated drive keeps
//! (block N at byte N x 2048, e.g. what `cargo run -p discburn-mmc --example append` or
//! `discburn add --dev emu:DISC` wrote), a plain ISO, or a block device.
//!
//! `cargo run -p discburn-isofs --example sessions -- DISC`

use std::path::Path;

use isofs::{FileSource, Volume};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(disc) = std::env::args().nth(1) else {
        eprintln!("usage: sessions DISC");
        std::process::exit(2);
    };
    let mut src = FileSource::open(Path::new(&disc))?;
    let found = isofs::sessions(&mut src)?;
    for (n, s) in found.iter().enumerate() {
        let mut vol = Volume::open(&mut src, s.start, None)?;
        println!(
            "session {} at LBA {} ({:?}, volume ends at {}, {:?} names)",
            n + 1,
            s.start,
            s.volume_id,
            s.space_size,
            vol.namespace()
        );
        let root = vol.root().clone();
        // walk bounds the depth and detects directory loops of a hostile image.
        vol.walk(&root, &mut |path, e| {
            if e.is_dir {
                println!("  /{path}/");
            } else {
                println!("  /{path} ({} bytes)", e.size);
            }
            Ok(())
        })?;
    }
    Ok(())
}
