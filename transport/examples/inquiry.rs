//! Identifies a drive and asks whether it is ready, every command traced as `cdrecord -V`
//! shows it: INQUIRY (SPC-4 §6.6), then TEST UNIT READY (SPC-4 §6.37) with its sense
//! decoded when the unit is not ready.
//!
//! `cargo run -p discburn-transport --example inquiry -- DEV` where DEV is a `dev=` form:
//! an emulated drive (`emu:PATH,profile=cd-r` creates a blank CD-R at PATH) or a real one
//! (`/dev/sr0`, `0,0,0`).

use transport::spc::{self, InquiryData};
use transport::trace::Tracer;
use transport::{DevSpec, OpenOptions, Request, Transport};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(dev) = std::env::args().nth(1) else {
        eprintln!("usage: inquiry DEV   (e.g. emu:/tmp/demo.disc,profile=cd-r or /dev/sr0)");
        std::process::exit(2);
    };
    let inner: Box<dyn Transport + Send> = match DevSpec::parse(&dev)? {
        DevSpec::Emu { path, options } => Box::new(emu::open(&path, &options)?),
        spec => transport::open(
            &spec,
            &OpenOptions {
                read_only: true,
                ..OpenOptions::default()
            },
        )?,
    };
    let mut t = Tracer::with_sink(inner, Box::new(|line| eprintln!("{line}")));

    let bytes = spc::inquiry(&mut t, None)?;
    let data = InquiryData::new_checked(&bytes)?;
    println!(
        "{}: '{}' '{}' '{}' {}",
        t.name(),
        data.vendor(),
        data.product(),
        data.revision(),
        data.device_type()
    );

    let c = t.execute(Request::none(spc::test_unit_ready_cdb()))?;
    match c.sense() {
        None if c.is_good() => println!("ready"),
        None => println!("status {:?}", c.status),
        Some(s) => println!(
            "not ready: {} {:02X}/{:02X} {}",
            s.key.name(),
            s.asc,
            s.ascq,
            s.asc_text().unwrap_or("(unknown ASC)")
        ),
    }
    Ok(())
}
