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

/// xorriso's `-find / -type f -exec report_lba` for the session at `start`: path ->
/// (first block, blocks) of each extent.
fn xorriso_lbas(disc: &Path, start: u32) -> std::collections::BTreeMap<String, Vec<(u32, u32)>> {
    let o = tool(
        "xorriso",
        &[
            "-abort_on",
            "FAILURE",
            "-load",
            "sbsector",
            &start.to_string(),
            "-indev",
            disc.to_str().unwrap(),
            "-find",
            "/",
            "-type",
            "f",
            "-exec",
            "report_lba",
            "--",
        ],
    );
    assert!(o.status.success(), "xorriso: {}", text(&o));
    let mut out = std::collections::BTreeMap::<String, Vec<(u32, u32)>>::new();
    for l in String::from_utf8_lossy(&o.stdout).lines() {
        let Some(rest) = l.strip_prefix("File data lba:") else {
            continue;
        };
        let f: Vec<&str> = rest.splitn(5, ',').map(str::trim).collect();
        let path = f[4].trim_matches('\'').to_string();
        out.entry(path)
            .or_default()
            .push((f[1].parse().unwrap(), f[2].parse().unwrap()));
    }
    out
}

/// `check --files` on a BD-R with three `add` sessions (a file carried through all three,
/// one replaced in the second, one added in the second, a directory removed in the
/// third): the file extents xorriso reports (`-exec report_lba`) are damaged with `bad=`
/// and `slow=`, and `check --files` names exactly the files lying there, with the
/// sessions whose trees hold them; an unreadable volume descriptor of session 2 leaves
/// its tree unread (a warning) and its blocks listed as in no file.
#[test]
fn check_files_names_the_files_on_bad_and_slow_blocks() {
    use common::burn::{add, pattern, put};
    let t = tempfile::tempdir().unwrap();
    let disc = t.path().join("disc.img");
    let dev = format!("emu:{},profile=bd-r", disc.display());
    let (s1, s2, s3) = (
        t.path().join("s1"),
        t.path().join("s2"),
        t.path().join("s3"),
    );
    put(&s1, "keep.bin", &pattern(400_000, 1));
    put(&s1, "old.bin", &pattern(100_000, 2));
    put(&s1, "d/small.txt", b"small\n");
    put(&s2, "old.bin", &pattern(120_000, 3));
    put(&s2, "new.bin", &pattern(300_000, 4));
    put(&s3, "last.bin", &pattern(50_000, 5));
    let starts: Vec<u32> = [
        add(&dev, &[], &[&s1]),
        add(&dev, &[], &[&s2]),
        add(&dev, &["/d"], &[&s3]),
    ]
    .iter()
    .map(|j| j["start"].as_u64().unwrap() as u32)
    .collect();
    let l1 = xorriso_lbas(&disc, starts[0]);
    let l3 = xorriso_lbas(&disc, starts[2]);
    let keep = l3["/keep.bin"][0];
    assert_eq!(l1["/keep.bin"][0], keep, "keep.bin is carried forward");
    let old1 = l1["/old.bin"][0];
    let new = l3["/new.bin"][0];
    assert!(keep.1 > 40 && new.1 > 40 && old1.1 > 10);
    let bad_keep = (keep.0 + 10, keep.0 + 12);
    let bad_old1 = (old1.0 + 3, old1.0 + 3);
    let pvd2 = starts[1] + 16;
    let slow_new = (new.0 + 20, new.0 + 35);
    let opts = format!(
        "emu:{},bad={}-{};{};{},slow={}-{}:100",
        disc.display(),
        bad_keep.0,
        bad_keep.1,
        bad_old1.0,
        pvd2,
        slow_new.0,
        slow_new.1
    );
    let o = discburn(&[
        "check", "--files", "--json", "-q", "--blocks", "64", "--dev", &opts,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &j["files"];
    let named: Vec<(String, Vec<u64>, serde_json::Value, serde_json::Value)> = f["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let s = x["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap());
            (
                x["path"].as_str().unwrap().to_string(),
                s.collect(),
                x["unreadable"].clone(),
                x["slow"].clone(),
            )
        })
        .collect();
    let r = |a: u32, b: u32| serde_json::json!([[a, b]]);
    let none = serde_json::json!([]);
    assert_eq!(
        named,
        [
            (
                "/keep.bin".to_string(),
                vec![1, 3],
                r(bad_keep.0, bad_keep.1),
                none.clone()
            ),
            (
                "/new.bin".to_string(),
                vec![3],
                none.clone(),
                r(slow_new.0, slow_new.1)
            ),
            (
                "/old.bin".to_string(),
                vec![1],
                r(bad_old1.0, bad_old1.1),
                none.clone()
            ),
        ],
        "{}",
        text(&o)
    );
    assert_eq!(f["unreadable_elsewhere"], r(pvd2, pvd2), "{}", text(&o));
    let problems = f["problems"].as_array().unwrap();
    assert!(
        problems.len() == 1 && problems[0].as_str().unwrap().starts_with("session 2 "),
        "{}",
        text(&o)
    );
    // The text report names them too.
    let o = discburn(&["check", "--files", "-q", "--blocks", "64", "--dev", &opts]);
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(
        s.contains(&format!(
            "/keep.bin (sessions 1, 3; blocks {}-{}): unreadable {}-{}",
            keep.0,
            keep.0 + keep.1 - 1,
            bad_keep.0,
            bad_keep.1
        )),
        "{s}"
    );
    assert!(s.contains("/new.bin (session 3; blocks"), "{s}");
    // On the undamaged disc: none.
    let o = discburn(&[
        "check",
        "--files",
        "-q",
        "--dev",
        &format!("emu:{}", disc.display()),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("files on unreadable or slow blocks: none"),
        "{}",
        text(&o)
    );
}
