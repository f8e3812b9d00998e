//! Writes one session of N MiB to an emulated disc through raw CDBs and reports the rate:
//! a throughput probe for the emulated drive and a slow writer for crash tests.
//!
//! `cargo run --release -p discburn-emu --example emu_write -- DISC MIB [key=value ...]`
//! (e.g. `profile=bd-r` to create the disc, `speed=4` to throttle).

use std::time::Instant;

use transport::{Cdb, Request, Transport};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(mib)) = (args.next(), args.next()) else {
        eprintln!("usage: emu_write DISC MIB [key=value ...]");
        std::process::exit(2);
    };
    let mib: u64 = mib.parse()?;
    let opts: Vec<(String, String)> = args
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (a, String::new()),
        })
        .collect();
    let mut d = emu::open(path.as_ref(), &opts)?;
    let mut ti = [0u8; 48];
    let c = d.execute(Request::read(
        Cdb::ten([0x52, 1, 0, 0, 0, 0xFF, 0, 0, 48, 0]),
        &mut ti,
    ))?;
    let mut lba = if c.is_good() {
        u32::from_be_bytes([ti[12], ti[13], ti[14], ti[15]])
    } else {
        0
    };
    let chunk_blocks = (d.max_transfer() / 2048).min(0xFFFF) as u32;
    let buf = vec![0xA5u8; chunk_blocks as usize * 2048];
    let total_blocks = (mib * 1024 * 1024 / 2048) as u32;
    let t0 = Instant::now();
    let mut done = 0u32;
    while done < total_blocks {
        let n = chunk_blocks.min(total_blocks - done);
        let b = lba.to_be_bytes();
        let cdb = Cdb::ten([
            0x2A,
            0,
            b[0],
            b[1],
            b[2],
            b[3],
            0,
            (n >> 8) as u8,
            n as u8,
            0,
        ]);
        let c = d.execute(Request::write(cdb, &buf[..n as usize * 2048]))?;
        if !c.is_good() {
            return Err(format!("WRITE at {lba}: {c}").into());
        }
        lba += n;
        done += n;
        println!("WROTE {done}");
    }
    let c = d.execute(Request::none(Cdb::ten([0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0])))?;
    let secs = t0.elapsed().as_secs_f64();
    eprintln!(
        "{} MiB in {secs:.2} s: {:.1} MB/s (sync: {c})",
        mib,
        (u64::from(total_blocks) * 2048) as f64 / secs / 1e6
    );
    Ok(())
}
