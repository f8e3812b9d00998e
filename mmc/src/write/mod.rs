//! The write path: one session (one data track) per call, per profile, following MMC-6
//! §4.2 (CD-R/RW track-at-once), §4.3.5 (DVD-R incremental), §4.3.6 (DVD+R, DVD+R DL
//! sessions), §4.5.3.5 (BD-R SRM), §4.3.7 / §4.5.4 (DVD+RW, BD-RE: overwritable) and the
//! command recipes of libburn's doc/cookbook.txt that real drives accept.
//!
//! Per medium, [`prepare`] and [`SessionWriter`] send:
//! - CD-R/RW: MODE SELECT page 05h (TAO, multi-session 11b with `multi` else 00b, track
//!   mode 4, data block type 8 = mode 1, BUFE on, Test Write for `dummy`), SET CD SPEED,
//!   WRITE(10) at the NWA of the invisible track (FFh), SYNCHRONIZE CACHE (which ends a TAO
//!   track on real drives: no CLOSE TRACK, some drives reject it), CLOSE SESSION (010b).
//! - DVD-R/-RW sequential: page 05h (incremental, link size 16, track mode 5, BUFE, Test
//!   Write for `dummy`), SET STREAMING, RESERVE TRACK when the size is known, WRITE(10) at
//!   the NWA, SYNCHRONIZE CACHE, CLOSE TRACK (001b), CLOSE SESSION (010b: the multi-session
//!   field of page 05h decides whether the disc stays appendable).
//! - DVD+R / DVD+R DL: no page 05h; SET STREAMING, RESERVE TRACK, WRITE(10),
//!   SYNCHRONIZE CACHE, CLOSE TRACK, then CLOSE SESSION (010b, appendable) or finalize
//!   (101b for DVD+R, 110b for DVD+R DL).
//! - BD-R SRM: as DVD+R; finalize is 110b.
//! - DVD+RW, BD-RE (and other overwritable media): FORMAT UNIT when unformatted (DVD+RW
//!   type 26h, BD-RE type 00h with the drive's default spare area), SET STREAMING, WRITE(10)
//!   anywhere, SYNCHRONIZE CACHE. Sessions are emulated as described in
//!   [`crate::msinfo`]: a new session starts at the next writable address msinfo reports
//!   (the end of the previous session rounded up to 32 blocks); after it is written and the
//!   cache synchronized, its volume descriptor set (LBA start+16 up to and including the
//!   terminator) is copied to LBA 16 with the primary descriptor's volume space size set to
//!   `start + size`, then the cache is synchronized again. That copy is the commit: an
//!   interrupted session leaves the previous one in force. [`SessionWriter::finish_uncommitted`]
//!   hands the commit to the caller so it happens only after the session has been read back
//!   and verified: a session that fails verification is never made current. The first session of `add` starts
//!   at LBA 32 (libisoburn's layout, which keeps every session's own descriptors intact); an
//!   image burnt with `burn` that was not made for a later start goes to LBA 0 (growisofs -Z).
//!
//! Safety checks before the first write: the device is a CD/DVD/BD device (INQUIRY
//! peripheral device type 5), the current medium is writable and not closed, a test write
//! is refused on media that cannot simulate (only CD-R/RW and DVD-R/-RW can), and a session
//! of known size must fit in the free space. CD session-at-once (`-sao`) is refused when the
//! drive's CD Mastering feature (002Eh, MMC-6 §5.3.21) does not offer it for the medium (or
//! the drive refuses write type 2 in page 05h, or SEND CUE SHEET as unknown), and while an
//! interrupted write's session is open; a cue sheet the drive refuses (some drives take SAO
//! on a blank CD only: libburn's doc/cookbook.txt, SAO CD Cookbook) is reported before
//! anything is written.

mod commit;
mod device;
mod error;
mod media;
mod plan;
mod recover;
mod sao;
mod session;
mod state;

pub use commit::*;
pub use device::*;
pub use error::*;
pub use media::*;
pub use plan::*;
pub use recover::*;
use sao::check_sao_offered;
pub use session::*;
pub use state::*;
