//! Minimal image maker for manual checks: `mkiso OUT SRC [rr] [joliet] [level N]`.
#![allow(clippy::unwrap_used)] // reason: a manual test tool
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut tree = isofs::Tree::new();
    tree.add_source(
        "/",
        std::path::Path::new(&args[2]),
        &isofs::ScanOptions::default(),
    )
    .unwrap();
    let mut o = isofs::Options::default();
    let mut i = 3;
    while i < args.len() {
        match args[i].as_str() {
            "rr" => o.rock_ridge = Some(isofs::RockRidge::Exact),
            "joliet" => o.joliet = true,
            "level" => {
                i += 1;
                o.iso_level = args[i].parse().unwrap();
            }
            _ => panic!("unknown {}", args[i]),
        }
        i += 1;
    }
    let img = isofs::Image::new(tree, o, None).unwrap();
    let mut f = std::io::BufWriter::new(std::fs::File::create(&args[1]).unwrap());
    img.write_to(&mut f).unwrap();
    eprintln!("{} blocks", img.size_blocks());
}
