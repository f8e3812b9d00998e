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
/// left itself (an `{eta}` as well showed it twice and wrapped the line).
const BAR_TEMPLATE: &str = "{bar:30} {wide_msg}";

/// The progress display.
#[derive(Debug)]
pub struct Progress {
    mode: Mode,
    bar: Option<ProgressBar>,
    start: Instant,
    last: Instant,
    one_x: f64,
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
        }
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

    /// Shows a sample (rate-limited to once a second outside the bar).
    pub fn update(&mut self, s: &Sample) {
        match self.mode {
            Mode::Bar => {
                if let Some(b) = &self.bar {
                    if let Some(t) = s.total_bytes {
                        b.set_length(t);
                    }
                    b.set_position(s.written_bytes);
                    b.set_message(self.line(s));
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
                eprintln!("{v}");
            }
            _ => eprintln!("{}", self.line(s)),
        }
    }

    /// Ends the display with a last line.
    pub fn finish(&mut self, s: &Sample) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
        self.print(s);
    }
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
}
