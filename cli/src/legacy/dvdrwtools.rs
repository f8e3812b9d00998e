//! `dvd+rw-format` and `dvd+rw-mediainfo` (dvd+rw-tools) command lines.
//!
//! `dvd+rw-format [-force[=full]] [-blank[=full]] [-ssa[=default]] [-gui] DEV`: as
//! dvd+rw-format.cpp, a medium that is not blank (a formatted DVD+RW or BD-RE) is left
//! alone without `-force`, with its words (`- media is already formatted` / `- media is
//! not blank`, then the options to re-run with) and exit status 0; `-force` formats (FORMAT
//! UNIT, MMC-6 §6.5, through `cmd::format`); `-blank` blanks a DVD-RW (BLANK, §6.2:
//! minimal, `=full` the whole disc). `-ssa=` other than `default`, and `-lead-out`, are
//! refused (discburn formats with the drive's default spare area and does not relocate
//! lead-outs). The banner line Brasero's check scans is printed first on stderr.
//!
//! `dvd+rw-mediainfo DEV`: the report's lines scripts read (` Mounted Media:`, ` Disc
//! status:`, ` Number of Sessions:`, per track ` Track State:`, ` Track Start Address:`,
//! ` Next Writable Address:`, ` Free Blocks:`, ` Track Size:`, and `READ CAPACITY:`), in
//! dvd+rw-mediainfo.cpp's layout, from `cmd::media`'s report (READ DISC INFORMATION, READ
//! TRACK INFORMATION, READ CAPACITY; MMC-6 §6.22, §6.27, §6.23).

use crate::error::CliError;

const BANNER: &str = "* BD/DVD±RW/-RAM format utility by <appro@fy.chalmers.se>, version 7.1.";

/// Runs `dvd+rw-format`.
pub fn run_format(prog: &str, args: &[String]) -> Result<(), CliError> {
    eprintln!(
        "{BANNER}\n  (the dvd+rw-format command line of discburn {})",
        env!("CARGO_PKG_VERSION")
    );
    let usage = || {
        CliError::Usage(format!(
            "- usage: {prog} [-force[=full]] [-blank[=full]] [-ssa[=default]] /dev/dvd"
        ))
    };
    let (mut force, mut blank, mut dev) = (false, None, None);
    for a in args {
        match a.as_str() {
            s if s.starts_with("-f") => force = true,
            s if s.starts_with("-b") => {
                blank = Some(s.contains("=f"));
                force = true;
            }
            "-ssa" | "-ssa=default" | "-spare" | "-spare=default" => force = true,
            s if s.starts_with("-s") => {
                return Err(CliError::Failed(format!(
                    "{prog}: {s}: discburn formats with the drive's default spare area only \
                     (-ssa=default)"
                )))
            }
            s if s.starts_with("-l") => {
                return Err(CliError::Failed(format!(
                    "{prog}: {s}: lead-out relocation is not supported by discburn"
                )))
            }
            s if s.starts_with("-g") || s.starts_with("-p") => {}
            "-v" | "-version" | "--version" => return Ok(()),
            s if s.starts_with('-') => return Err(usage()),
            d => dev = Some(d.to_string()),
        }
    }
    let dev = dev.ok_or_else(usage)?;
    let (_, mut drive) = crate::cmd::burn::open_for_writing(Some(&dev), 0, force)?;
    let profile =
        mmc::write::check_device(&mut drive).map_err(|e| CliError::Failed(e.to_string()))?;
    if let Some(full) = blank {
        if !matches!(
            profile,
            mmc::profile::Profile::DvdRwSeq | mmc::profile::Profile::DvdRwRestricted
        ) {
            return Err(CliError::Failed(format!(
                ":-( -blank is for DVD-RW; the medium is a {profile}"
            )));
        }
        let kind = if full {
            mmc::cmd::blank_format::BlankType::All
        } else {
            mmc::cmd::blank_format::BlankType::Minimal
        };
        return mmc::write::blank(&mut drive, kind)
            .map_err(|e| CliError::Failed(format!(":-( BLANK: {e}")));
    }
    let needs =
        mmc::write::needs_format(&mut drive).map_err(|e| CliError::Failed(e.to_string()))?;
    if !needs && !force {
        if profile.overwritable() {
            eprintln!("- media is already formatted");
            eprintln!(
                "- you have the option to re-run {prog} with:\n  -force     to enforce new \
                 format (not recommended)\n             and wipe the data."
            );
        } else {
            eprintln!("- media is not blank");
        }
        return Ok(());
    }
    drop(drive);
    let global = crate::args::GlobalArgs::one(Some(dev), 0, false);
    eprintln!("* formatting");
    crate::cmd::format::run(&global, &crate::args::FormatArgs { force: true })
}

/// Runs `dvd+rw-mediainfo`.
pub fn run_mediainfo(prog: &str, args: &[String]) -> Result<(), CliError> {
    let Some(dev) = args.iter().find(|a| !a.starts_with('-')) else {
        return Err(CliError::Usage(format!("usage: {prog} /dev/dvd")));
    };
    let spec = crate::device::resolve(Some(dev))?;
    let mut drive = mmc::drive::Drive::new(crate::device::open(&spec, 0)?);
    if let Ok(id) = drive.identify() {
        outln!(
            "INQUIRY:                [{:<8}][{:<16}][{:<4}]",
            id.vendor,
            id.product,
            id.revision
        );
    }
    let r = crate::cmd::media::collect(&mut drive, dev)?;
    out!("{}", mediainfo_text(&r));
    Ok(())
}

/// The report in dvd+rw-mediainfo's layout.
pub fn mediainfo_text(r: &crate::cmd::media::MediaReport) -> String {
    let mut s = String::from("GET [CURRENT] CONFIGURATION:\n");
    if let Some(p) = &r.profile {
        s += &format!(" Mounted Media:         {:X}h, {}\n", p.code, p.name);
    }
    if let Some(d) = &r.disc {
        s += "READ DISC INFORMATION:\n";
        s += &format!(" Disc status:           {}\n", d.status);
        s += &format!(" Number of Sessions:    {}\n", d.sessions);
        s += &format!(" State of Last Session: {}\n", d.last_session_state);
        s += &format!(" \"Next\" Track:          {}\n", d.last_track_last_session);
        s += &format!(" Number of Tracks:      {}\n", r.tracks.len());
    }
    for t in &r.tracks {
        s += &format!("READ TRACK INFORMATION[#{}]:\n", t.number);
        let state = if t.blank {
            "blank"
        } else if t.next_writable.is_some() {
            "incomplete"
        } else {
            "complete"
        };
        s += &format!(" Track State:           {state}\n");
        s += &format!(" Track Start Address:   {}*2KB\n", t.start);
        if let Some(n) = t.next_writable {
            s += &format!(" Next Writable Address: {n}*2KB\n");
        }
        s += &format!(" Free Blocks:           {}*2KB\n", t.free_blocks);
        s += &format!(" Track Size:            {}*2KB\n", t.size);
    }
    if let Some(c) = r.capacity_blocks {
        s += &format!("READ CAPACITY:          {c}*2048={}\n", u64::from(c) * 2048);
    }
    s
}
