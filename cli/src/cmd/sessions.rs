//! `discburn sessions [IMAGE]`: the sessions of an image file (or of the disc in `--dev`),
//! from the drive's TOC, or for an image file from the volume descriptors
//! (`isofs::read::sessions`): number, start block,
//! volume space size, volume identifier, creation date. `--json`:
//! `{"source": "...", "sessions": [{"number", "start", "space_size", "volume_id", "created"}]}`.

use crate::args::{GlobalArgs, SessionsArgs};
use crate::cmd::ls::open_source;
use crate::error::CliError;

/// Runs `discburn sessions`.
pub fn run(global: &GlobalArgs, a: &SessionsArgs) -> Result<(), CliError> {
    let (mut src, name) = open_source(global, a.image.as_deref())?;
    let list = src.sessions(&name)?;
    if global.json {
        let s: Vec<_> = list
            .iter()
            .enumerate()
            .map(|(i, s)| {
                serde_json::json!({
                    "number": i + 1, "start": s.start, "space_size": s.space_size,
                    "volume_id": s.volume_id, "created": s.created.map(|t| t.secs),
                })
            })
            .collect();
        outln!("{}", serde_json::json!({"source": name, "sessions": s}));
        return Ok(());
    }
    outln!("{:>3} {:>10} {:>10}  volume", "#", "start", "space");
    for (i, s) in list.iter().enumerate() {
        outln!(
            "{:>3} {:>10} {:>10}  {}",
            i + 1,
            s.start,
            s.space_size,
            crate::output::escape_name(&s.volume_id)
        );
    }
    Ok(())
}
