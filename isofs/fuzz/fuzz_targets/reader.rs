//! Fuzz target: the image reader (volume descriptors, directories, SUSP/RRIP with CE,
//! Joliet, multi-extent, boot catalog, session probe) on arbitrary image bytes.
#![no_main]

use std::io::Write;

use isofs::{Namespace, Volume};
use libfuzzer_sys::fuzz_target;

/// A writer that stops after 1 MiB (an image may claim many large extents).
struct Capped(usize);

impl Write for Capped {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len();
        if self.0 > 1 << 20 {
            return Err(std::io::Error::other("cap"));
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let img = data.to_vec();
    let _ = isofs::sessions(&mut img.clone());
    for ns in [None, Some(Namespace::Joliet), Some(Namespace::Iso9660), Some(Namespace::Iso1999)] {
        let Ok(mut vol) = Volume::open(img.clone(), 0, ns) else { continue };
        let _ = vol.boot_entries();
        let root = vol.root().clone();
        let mut files = Vec::new();
        let _ = vol.walk(&root, &mut |_, e| {
            if !e.is_dir && files.len() < 64 {
                files.push(e.clone());
            }
            Ok(())
        });
        for f in files {
            let _ = vol.read_file(&f, &mut Capped(0));
        }
        let _ = vol.lookup("a/b/c");
        let _ = vol.session_end();
    }
});
