//! Writes the seed images of the fuzz targets (`isofs::fuzz::seeds`) into a directory:
//! `cargo run --example fuzz_seeds -- DIR`.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "seeds".into()));
    std::fs::create_dir_all(&dir)?;
    for (name, bytes) in isofs::fuzz::seeds() {
        std::fs::write(dir.join(format!("{name}.iso")), &bytes)?;
        println!("{name}.iso: {} bytes", bytes.len());
    }
    Ok(())
}
