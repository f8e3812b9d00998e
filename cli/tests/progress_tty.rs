//! The progress bar on a terminal: `discburn add` of 16 MB to an emulated 4x DVD+R under
//! util-linux `script`, whose pseudo-terminal `stty` sets to 120 columns (the size the
//! binary reads with TIOCGWINSZ, as on a real terminal). Every frame of the bar fits the
//! width (no wrapped second line, which indicatif would redraw with a cursor-up), shows the
//! time left once (no `{eta}` beside the line's own), and the FIFO's lowest fill says what
//! it counts (`lowest N% while the input ran`, not `min N%` beside a drained `fifo 0%`).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::burn::{pattern, put, text};
use common::{command, need, BIN};

/// Columns of the pseudo-terminal.
const COLUMNS: usize = 120;

/// The lines a terminal shows from `out`: split at carriage returns and line feeds, CSI
/// escape sequences (ECMA-48 §5.4: ESC `[`, parameters, one final byte 40h-7Eh) removed.
fn frames(out: &str) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut it = out.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\x1b' if it.peek() == Some(&'[') => {
                it.next();
                for f in it.by_ref() {
                    if ('\x40'..='\x7e').contains(&f) {
                        break;
                    }
                }
            }
            '\r' | '\n' => lines.push(String::new()),
            c => lines.last_mut().unwrap().push(c),
        }
    }
    lines
        .into_iter()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn the_bar_fits_120_columns_with_the_time_left_once() {
    let script = need("script", "util-linux");
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    put(&src, "big.bin", &pattern(16_000_000, 7));
    // 4x DVD (5.5 MB/s): about 3 s of writing, a frame every 250 ms.
    let dev = format!(
        "emu:{},profile=dvd+r,speed=4",
        t.path().join("d.img").display()
    );
    let sh = format!(
        "stty cols {COLUMNS} rows 40 && exec '{BIN}' add --dev '{dev}' '{}'",
        src.display()
    );
    let o = command(script)
        .args(["-qefc", &sh, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let fr = frames(&out);
    let bars: Vec<&String> = fr.iter().filter(|l| l.contains(" MB, ")).collect();
    assert!(bars.len() >= 3, "fewer than 3 frames of the bar: {fr:#?}");
    for l in &bars {
        assert!(
            l.chars().count() <= COLUMNS,
            "a frame is wider than the terminal ({} columns): {l:?}",
            l.chars().count()
        );
        assert!(l.matches("left").count() <= 1, "time left twice: {l:?}");
        assert!(!l.contains("(min "), "{l:?}");
        assert!(l.contains("while the input ran"), "{l:?}");
    }
    // a line that wrapped would be redrawn from the line above (cursor up, CSI A)
    assert!(!out.contains("\x1b[1A"), "the bar took two lines: {fr:#?}");
    // The time left, once, in every frame after the first blocks were written.
    let with_rate: Vec<&&String> = bars.iter().filter(|l| !l.starts_with("0.0/")).collect();
    assert!(!with_rate.is_empty(), "{fr:#?}");
    for l in with_rate {
        assert_eq!(l.matches(" s left").count(), 1, "{l:?}");
    }
    // The last state stays on the screen: all of it written, the summary after it.
    let last = bars.last().unwrap();
    assert!(
        last.starts_with("16.0/16.0 MB") || last.contains("16.4/16.4 MB"),
        "{last:?}"
    );
    assert!(
        fr.last()
            .unwrap()
            .starts_with("session 1 written at block 0"),
        "{fr:#?}"
    );
}
