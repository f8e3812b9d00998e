//! Appends a folder to a disc as a new session, the way `discburn add` does at its core:
//! msinfo, import of the previous session's tree through the drive, build, write.
//!
//! `cargo run -p discburn-mmc --example append -- DISC DIR [PROFILE]` on an emulated drive
//! (`DISC` is its image file, created blank as PROFILE, default `bd-r`, when missing).
//! Run it again with the same DISC: the new session holds the previous one's files too.

use std::io;
use std::path::Path;

use isofs::{Image, Options, RockRidge, Tree};
use mmc::drive::Drive;
use mmc::msinfo::{self, Msinfo};
use mmc::write::{self, SessionWriter, WriteOptions};
use transport::Transport;

/// `io::Write` onto a session writer.
struct ToDrive<'a, 'd, T: Transport>(&'a mut SessionWriter<'d, T>);

impl<T: Transport> io::Write for ToDrive<'_, '_, T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf).map_err(io::Error::other)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(disc), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("usage: append DISC DIR [PROFILE]");
        std::process::exit(2);
    };
    let profile = args.get(2).map_or("bd-r", String::as_str);
    let mut opts = Vec::new();
    if !Path::new(disc).exists() {
        opts.push(("profile".to_string(), profile.to_string()));
    }
    let mut drive = Drive::new(emu::open_exclusive(Path::new(disc), &opts)?);

    // Where the session goes, as the drive reports it (never computed here).
    let medium = write::check_device(&mut drive)?;
    let (mut tree, session) = match msinfo::msinfo(&mut drive)? {
        Msinfo::Blank if medium.overwritable() => (Tree::new(), Some((0, 32))),
        Msinfo::Blank => (Tree::new(), None),
        Msinfo::Appendable {
            last_session_start,
            next_writable,
        } => {
            let mut tree = Tree::new();
            isofs::merge::import(&mut tree, &mut drive, last_session_start)?;
            (tree, Some((last_session_start, next_writable)))
        }
    };
    tree.add_source("/", Path::new(dir), &Default::default())?;
    let image = Image::new(
        tree,
        Options {
            rock_ridge: Some(RockRidge::Exact),
            session,
            ..Options::default()
        },
        None,
    )?;
    let plan = write::prepare(
        &mut drive,
        Some(image.size_blocks()),
        &WriteOptions::default(),
    )?;
    println!(
        "{medium}: session {} at LBA {}, {} blocks",
        plan.session,
        plan.start,
        image.size_blocks()
    );
    let mut writer = SessionWriter::new(&mut drive, plan);
    // The image is streamed to the drive as it is built: no temporary file.
    image.write_to(&mut ToDrive(&mut writer))?;
    let report = writer.finish()?;
    match msinfo::msinfo(&mut drive)? {
        Msinfo::Appendable {
            last_session_start,
            next_writable,
        } if last_session_start == report.start => {
            println!("written; msinfo now {last_session_start},{next_writable}");
            Ok(())
        }
        other => Err(format!("msinfo after the write: {other:?}").into()),
    }
}
