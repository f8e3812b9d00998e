//! Burn progress: MB written of the total, speed as x and MB/s, FIFO fill (current and
//! lowest), the drive's buffer fill (READ BUFFER CAPACITY, MMC-6 §6.20) and time left.
//!
//! On a terminal (stderr) and without `--json`: an indicatif bar. Otherwise one plain line
//! per second on stderr (`written 12.3 of 45.6 MB, 4.1x 5.69 MB/s, fifo 100% (min 87%),
//! drive buffer 93%, 6 s left`), or with `--json` one JSON object per second on stderr
//! (`{"event":"progress","written_bytes":...}`) so stdout keeps the final report only.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
pub use mmc::job::Sample;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// indicatif bar on stderr.
    Bar,
    /// Plain text lines on stderr.
    Plain,
    /// JSON lines on stderr.
    Json,
    /// cdrecord's line on stdout, rewritten after a carriage return (cdrecord.c's
    /// progress: `Track 01:   12 of  300 MB written (fifo 100%) [buf  99%]  16.0x.`), for
    /// the cdrecord personality.
    Cdrecord,
    /// growisofs's line on stdout (`    1234567/4700000000 ( 0.0%) @0.0x, remaining ??:??
    /// RBU 100.0% UBU  0.0%`), for the growisofs personality.
    Growisofs,
}

impl Mode {
    /// The bar on a terminal, plain lines elsewhere, JSON lines with `--json`.
    pub fn detect(json: bool) -> Mode {
        if json {
            Mode::Json
        } else if std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Plain
        }
    }
}

/// The bar, then the line cut to the terminal's width (`wide_msg`), which carries the time
/// left itself (an `{eta}` as well showed it twice and wrapped the line). The bar's line
/// ([`Progress::bar_line`]) puts the time left before the buffers, so that what a narrow
/// terminal cuts off is the least needed.
const BAR_TEMPLATE: &str = "{bar:20} {wide_msg}";

/// The last line on a terminal: the bar's line without the bar, cut to the width.
const END_TEMPLATE: &str = "{wide_msg}";

/// The progress display.
#[derive(Debug)]
pub struct Progress {
    mode: Mode,
    bar: Option<ProgressBar>,
    start: Instant,
    last: Instant,
    one_x: f64,
    /// The drive buffer's last reported fill (the pipeline samples it now and then).
    last_buf: Option<u8>,
    /// Several drives at once: the drive a line is about (plain lines start with it, JSON
    /// lines carry it as "drive").
    label: Option<String>,
}

fn mb(b: u64) -> f64 {
    b as f64 / 1_000_000.0
}

impl Progress {
    /// A display; `one_x_kbps` is the medium's 1x in kB/s (CD 176, DVD 1385, BD 4495).
    pub fn new(mode: Mode, total: Option<u64>, one_x_kbps: u32) -> Progress {
        let bar = (mode == Mode::Bar).then(|| {
            let b = ProgressBar::new(total.unwrap_or(0));
            let style = ProgressStyle::with_template(BAR_TEMPLATE)
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            b.set_style(style);
            b.enable_steady_tick(Duration::from_millis(250));
            b
        });
        let now = Instant::now();
        Progress {
            mode,
            bar,
            start: now,
            last: now,
            one_x: f64::from(one_x_kbps.max(1)) * 1000.0,
            last_buf: None,
            label: None,
        }
    }

    /// The same display for one of several drives, its lines naming `label`.
    pub fn labelled(mut self, label: Option<String>) -> Progress {
        self.label = label;
        self
    }

    fn line(&self, s: &Sample) -> String {
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        let rate = s.written_bytes as f64 / secs;
        let mut t = match s.total_bytes {
            Some(tot) => format!("written {:.1} of {:.1} MB", mb(s.written_bytes), mb(tot)),
            None => format!("written {:.1} MB", mb(s.written_bytes)),
        };
        t += &format!(
            ", {:.1}x {:.2} MB/s, fifo {}% (lowest {}% while the input ran)",
            rate / self.one_x,
            rate / 1e6,
            s.fifo_percent,
            s.fifo_min_percent
        );
        if let Some(d) = s.drive_buffer_percent {
            t += &format!(", drive buffer {d}%");
        }
        if let (Some(tot), true) = (s.total_bytes, rate > 0.0) {
            let left = tot.saturating_sub(s.written_bytes) as f64 / rate;
            t += &format!(", {left:.0} s left");
        }
        t
    }

    /// The line beside the bar: `16.4/16.4 MB, 54 s left, 2.0x 2.81 MB/s, fifo 45% (lowest
    /// 100% while the input ran), drive 99%` (94 columns; the bar takes 21 more).
    fn bar_line(&self, s: &Sample) -> String {
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        let rate = s.written_bytes as f64 / secs;
        let mut t = match s.total_bytes {
            Some(tot) => format!("{:.1}/{:.1} MB", mb(s.written_bytes), mb(tot)),
            None => format!("{:.1} MB", mb(s.written_bytes)),
        };
        if let (Some(tot), true) = (s.total_bytes, rate > 0.0) {
            let left = tot.saturating_sub(s.written_bytes) as f64 / rate;
            t += &format!(", {left:.0} s left");
        }
        t += &format!(
            ", {:.1}x {:.2} MB/s, fifo {}% (lowest {}% while the input ran)",
            rate / self.one_x,
            rate / 1e6,
            s.fifo_percent,
            s.fifo_min_percent
        );
        if let Some(d) = s.drive_buffer_percent {
            t += &format!(", drive {d}%");
        }
        t
    }

    /// Shows a sample (rate-limited to once a second outside the bar).
    pub fn update(&mut self, s: &Sample) {
        let s = &self.with_last_buf(s);
        match self.mode {
            Mode::Bar => {
                if let Some(b) = &self.bar {
                    if let Some(t) = s.total_bytes {
                        b.set_length(t);
                    }
                    b.set_position(s.written_bytes);
                    b.set_message(self.bar_line(s));
                }
            }
            Mode::Cdrecord | Mode::Growisofs => {
                if self.last.elapsed() >= Duration::from_millis(250) {
                    self.last = Instant::now();
                    self.print(s);
                }
            }
            Mode::Plain | Mode::Json => {
                if self.last.elapsed() >= Duration::from_secs(1) {
                    self.last = Instant::now();
                    self.print(s);
                }
            }
        }
    }

    fn print(&self, s: &Sample) {
        match self.mode {
            Mode::Json => {
                let secs = self.start.elapsed().as_secs_f64().max(1e-3);
                let v = serde_json::json!({
                    "event": "progress",
                    "written_bytes": s.written_bytes,
                    "total_bytes": s.total_bytes,
                    "mb_per_s": s.written_bytes as f64 / secs / 1e6,
                    "x": s.written_bytes as f64 / secs / self.one_x,
                    "fifo_percent": s.fifo_percent,
                    "fifo_min_percent": s.fifo_min_percent,
                    "drive_buffer_percent": s.drive_buffer_percent,
                });
                let mut v = v;
                if let (Some(l), Some(o)) = (&self.label, v.as_object_mut()) {
                    o.insert("drive".into(), serde_json::Value::String(l.clone()));
                }
                eprintln!("{v}");
            }
            Mode::Cdrecord => {
                use std::io::Write;
                let mut out = std::io::stdout();
                let _ = write!(out, "\r{}", cdrecord_line(s, self.x(s)));
                let _ = out.flush();
            }
            Mode::Growisofs => {
                use std::io::Write;
                let secs = self.start.elapsed().as_secs_f64();
                let _ = writeln!(std::io::stdout(), "{}", growisofs_line(s, self.x(s), secs));
            }
            _ => match &self.label {
                Some(l) => eprintln!("{l}: {}", self.line(s)),
                None => eprintln!("{}", self.line(s)),
            },
        }
    }

    /// `s` with the drive buffer's last known fill where this sample has none.
    fn with_last_buf(&mut self, s: &Sample) -> Sample {
        if s.drive_buffer_percent.is_some() {
            self.last_buf = s.drive_buffer_percent;
        }
        Sample {
            drive_buffer_percent: s.drive_buffer_percent.or(self.last_buf),
            ..*s
        }
    }

    /// The average speed so far in multiples of the medium's 1x.
    fn x(&self, s: &Sample) -> f64 {
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        s.written_bytes as f64 / secs / self.one_x
    }

    /// Ends the display with a last line.
    pub fn finish(&mut self, s: &Sample) {
        let s = &self.with_last_buf(s);
        if let Some(b) = self.bar.take() {
            // The last state stays on the terminal, cut to its width like the bar's line.
            if let Ok(style) = ProgressStyle::with_template(END_TEMPLATE) {
                b.set_style(style);
            }
            b.finish_with_message(self.bar_line(s));
            // indicatif leaves the cursor after the padded line: what follows starts below.
            eprintln!();
            return;
        }
        self.print(s);
        if self.mode == Mode::Cdrecord {
            use std::io::Write;
            let _ = writeln!(std::io::stdout());
        }
    }
}

/// cdrecord's progress line (cdrecord.c: `Track %02d: %4lld of %4lld MB written (fifo
/// %3d%%) [buf %3d%%] %5.1fx.`, MB of 2^20 bytes; without a known size `Track 01: %4lld
/// MB written ...`). The `[buf ...]` part is left out when the drive does not report its
/// buffer, as the fifo part is in some cdrecord versions (K3b's expression takes both as
/// optional).
pub fn cdrecord_line(s: &Sample, x: f64) -> String {
    let mib = |b: u64| b >> 20;
    let mut t = match s.total_bytes {
        Some(tot) => format!(
            "Track 01: {:4} of {:4} MB written",
            mib(s.written_bytes),
            mib(tot)
        ),
        None => format!("Track 01: {:4} MB written", mib(s.written_bytes)),
    };
    t += &format!(" (fifo {:3}%)", s.fifo_percent);
    if let Some(b) = s.drive_buffer_percent {
        t += &format!(" [buf {b:3}%]");
    }
    t += &format!(" {x:5.1}x.");
    t
}

/// growisofs's progress line (growisofs.c: `%11lld/%lld (%4.1f%%) @%.1fx, remaining
/// %d:%02d RBU %5.1f%% UBU %5.1f%%`; `??:??` until the time left is known). RBU is the
/// FIFO's fill, UBU the drive's buffer (left out when the drive does not report it).
pub fn growisofs_line(s: &Sample, x: f64, secs: f64) -> String {
    let total = s.total_bytes.unwrap_or(s.written_bytes).max(1);
    let pct = s.written_bytes as f64 * 100.0 / total as f64;
    let left = if s.written_bytes > 0 && secs > 0.5 {
        let rate = s.written_bytes as f64 / secs;
        let l = (total.saturating_sub(s.written_bytes) as f64 / rate).round() as u64;
        format!("{}:{:02}", l / 60, l % 60)
    } else {
        "??:??".to_string()
    };
    let mut t = format!(
        "{:11}/{} ({:4.1}%) @{:.1}x, remaining {left} RBU {:5.1}%",
        s.written_bytes,
        s.total_bytes.unwrap_or(s.written_bytes),
        pct,
        x,
        f64::from(s.fifo_percent)
    );
    if let Some(b) = s.drive_buffer_percent {
        t += &format!(" UBU {:5.1}%", f64::from(b));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_is_shown_once_and_the_line_fits_the_width() {
        assert!(!BAR_TEMPLATE.contains("eta") && BAR_TEMPLATE.contains("{wide_msg}"));
        let p = Progress::new(Mode::Plain, Some(100_000_000), 4495);
        std::thread::sleep(Duration::from_millis(20));
        let l = p.line(&Sample {
            written_bytes: 10_000_000,
            total_bytes: Some(100_000_000),
            fifo_percent: 90,
            fifo_min_percent: 80,
            drive_buffer_percent: Some(50),
        });
        assert_eq!(l.matches("left").count(), 1, "{l}");
        assert!(
            l.contains("fifo 90% (lowest 80% while the input ran)"),
            "{l}"
        );
    }

    /// Beside a 20-column bar the line fits 120 columns with everything in it, the time
    /// left comes before the buffers (a narrower terminal cuts those first) and once.
    #[test]
    fn the_bar_line_puts_the_time_left_first_and_fits_beside_the_bar() {
        assert!(BAR_TEMPLATE.starts_with("{bar:20} "));
        let p = Progress::new(Mode::Plain, Some(16_400_000), 1385);
        std::thread::sleep(Duration::from_millis(20));
        let l = p.bar_line(&Sample {
            written_bytes: 1_000_000,
            total_bytes: Some(16_400_000),
            fifo_percent: 45,
            fifo_min_percent: 100,
            drive_buffer_percent: Some(99),
        });
        assert_eq!(l.matches("left").count(), 1, "{l}");
        assert!(l.find(" s left") < l.find("fifo"), "{l}");
        assert!(
            l.ends_with(", fifo 45% (lowest 100% while the input ran), drive 99%"),
            "{l}"
        );
        assert!(21 + l.chars().count() <= 120, "{} columns: {l}", l.len());
    }
}
