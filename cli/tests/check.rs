//! `discburn check` on emulated discs with injected unreadable and slow ranges: the report
//! names exactly those ranges, and the plot opens in independent readers (Python's XML
//! parser for the SVG; a stdlib-only PNG decoder in Python that checks every chunk CRC,
//! inflates and unfilters the pixels) with the failing and slow ranges marked and the rate
//! curve dropping to zero there.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // reason: test helpers may panic

mod common;

use std::path::Path;

use common::read::*;

const BAD: &[(u32, u32)] = &[(100, 109), (1000, 1001)];
const SLOW: &[(u32, u32)] = &[(300, 399), (1500, 1519)];
const OPTS: &str = "bad=100-109;1000-1001,slow=300-399:20;1500-1519:20";

fn python(script: &str, arg: &Path) -> String {
    let o = tool("python3", &["-c", script, arg.to_str().unwrap()]);
    assert!(o.status.success(), "python3: {}", text(&o));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Parses an SVG with xml.etree and prints: red rects (x), orange rects (x), the number of
/// curve points at the bottom of the plot, and the curve's highest point (smallest y).
const SVG_READER: &str = r#"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag.endswith('svg'), root.tag
ns = '{http://www.w3.org/2000/svg}'
rects = [r for r in root.iter(ns + 'rect')]
red = sorted(int(float(r.get('x'))) for r in rects if r.get('fill') == '#FF0000')
orange = sorted(int(float(r.get('x'))) for r in rects if r.get('fill') == '#FFA500')
curve = [p for p in root.iter(ns + 'polyline') if p.get('stroke') == '#0000FF']
assert len(curve) == 1, len(curve)
pts = [tuple(float(v) for v in xy.split(',')) for xy in curve[0].get('points').split()]
ys = [y for _, y in pts]
bottom = max(ys)
print(red, orange, sum(1 for y in ys if y >= bottom - 1), bottom - min(ys))
"#;

/// Decodes a PNG with the standard library only and prints the counts of pure red,
/// orange-tinted and blue pixels.
const PNG_READER: &str = r#"
import sys, zlib, struct
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'signature'
pos, idat, ihdr = 8, b'', None
while pos < len(data):
    n, = struct.unpack('>I', data[pos:pos+4]); kind = data[pos+4:pos+8]
    body = data[pos+8:pos+8+n]; crc, = struct.unpack('>I', data[pos+8+n:pos+12+n])
    assert zlib.crc32(kind + body) & 0xffffffff == crc, 'CRC of ' + kind.decode()
    if kind == b'IHDR': ihdr = struct.unpack('>IIBBBBB', body)
    if kind == b'IDAT': idat += body
    pos += 12 + n
    if kind == b'IEND': break
w, h, depth, ctype = ihdr[0], ihdr[1], ihdr[2], ihdr[3]
assert depth == 8 and ctype in (2, 6), ihdr
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat); stride = w * bpp
rows, prev, i = [], bytearray(stride), 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i+1:i+1+stride]); i += 1 + stride
    for x in range(stride):
        a = line[x-bpp] if x >= bpp else 0; b = prev[x]; c = prev[x-bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line); prev = line
red = orange = blue = 0
for line in rows:
    for x in range(0, stride, bpp):
        r, g, b = line[x], line[x+1], line[x+2]
        if (r, g, b) == (255, 0, 0): red += 1
        elif r > 240 and 200 < g < 235 and 140 < b < 200: orange += 1
        elif b > 200 and r < 60 and g < 60: blue += 1
print(w, h, red, orange, blue)
"#;

#[test]
fn check_reports_exactly_the_injected_ranges() {
    let d = make_disc(3_000_000);
    let dev = d.dev("scan.iso", OPTS);
    let svg = d.dir.path().join("scan.svg");
    let o = discburn(&[
        "check",
        "--dev",
        &dev,
        "--json",
        "-q",
        "--blocks",
        "64",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "unreadable blocks fail the check: {}",
        text(&o)
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let bad: Vec<(u32, u32)> = serde_json::from_value(j["bad_ranges"].clone()).unwrap();
    assert_eq!(bad, BAD, "{}", text(&o));
    let slow: Vec<(u32, u32)> = j["slow_ranges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["first"].as_u64().unwrap() as u32,
                r["last"].as_u64().unwrap() as u32,
            )
        })
        .collect();
    assert_eq!(slow, SLOW, "{}", text(&o));
    assert_eq!(j["area"]["blocks"].as_u64().unwrap(), u64::from(d.blocks()));
    assert!(j["seconds"].as_f64().unwrap() > 0.0);
    assert!(j["median_rate_kbs"].as_f64().unwrap() > 0.0);
    assert!(!j["samples"].as_array().unwrap().is_empty());

    // The SVG, read by Python's XML parser.
    let out = python(SVG_READER, &svg);
    let (red, rest) = out.split_once("] ").unwrap();
    let (orange, rest) = rest.split_once("] ").unwrap();
    let red: Vec<i64> = red
        .trim_start_matches('[')
        .split(", ")
        .map(|x| x.parse().unwrap())
        .collect();
    let orange: Vec<i64> = orange
        .trim_start_matches('[')
        .split(", ")
        .map(|x| x.parse().unwrap())
        .collect();
    let nums: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!(red.len(), BAD.len(), "{out}");
    assert_eq!(orange.len(), SLOW.len(), "{out}");
    // In LBA order: bad 100, slow 300, bad 1000, slow 1500.
    assert!(
        red[0] < orange[0] && orange[0] < red[1] && red[1] < orange[1],
        "{out}"
    );
    // The dip: curve points at zero rate, and a curve that rises well above them.
    assert!(nums[0] >= 1.0, "no point at the bottom: {out}");
    assert!(nums[1] > 100.0, "the curve never rises: {out}");

    // Text report.
    let o = discburn(&["check", "--dev", &dev, "-q", "--blocks", "64"]);
    let s = String::from_utf8_lossy(&o.stdout);
    for (a, b) in BAD {
        assert!(s.contains(&format!("unreadable {a}-{b}")), "{s}");
    }
    for (a, b) in SLOW {
        assert!(s.contains(&format!("slow {a}-{b}")), "{s}");
    }
}

#[test]
fn check_png_plot_is_a_valid_image_with_marks() {
    let d = make_disc(1_000_000);
    let dev = d.dev("scan.iso", "bad=100-109,slow=300-399:20");
    let png = d.dir.path().join("scan.png");
    let o = discburn(&[
        "check",
        "--dev",
        &dev,
        "-q",
        "--blocks",
        "32",
        "--plot",
        png.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = python(PNG_READER, &png);
    let v: Vec<u64> = out.split_whitespace().map(|x| x.parse().unwrap()).collect();
    assert_eq!((v[0], v[1]), (1000, 500), "{out}");
    assert!(v[2] > 100, "no red (unreadable) band: {out}");
    assert!(v[3] > 100, "no orange (slow) band: {out}");
    assert!(v[4] > 100, "no blue curve: {out}");
}

#[test]
fn check_clean_disc_and_bad_plot_name() {
    let d = make_disc(500_000);
    let dev = d.dev("clean.iso", "");
    let o = discburn(&["check", "--dev", &dev, "--json", "-q"]);
    assert!(o.status.success(), "{}", text(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["bad_blocks"], 0);
    assert_eq!(j["slow_ranges"].as_array().unwrap().len(), 0, "{j}");
    let o = discburn(&["check", "--dev", &dev, "--plot", "x.gif"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
