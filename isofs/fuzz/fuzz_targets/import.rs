//! Fuzz target: the previous-session importer (`-M`) and a layout of the imported tree, as
//! a new session on top of arbitrary image bytes.
#![no_main]

use isofs::{merge, Image, Options, RockRidge, Tree};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let img = data.to_vec();
    let mut tree = Tree::new();
    if merge::import(&mut tree, img.clone(), 0).is_err() {
        return;
    }
    tree.remove_path("a");
    let next = (img.len() / 2048) as u32;
    let opts = Options {
        iso_level: 3,
        rock_ridge: Some(RockRidge::Exact),
        joliet: true,
        session: Some((0, next)),
        pad_blocks: 0,
        ..Options::default()
    };
    if let Ok(image) = Image::new(tree, opts, None) {
        let _ = image.size_blocks();
        let _ = image.write_to(&mut std::io::sink());
    }
});
