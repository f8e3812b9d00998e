//! Runs every response parser of this crate, and every accessor of the views it accepts, on
//! arbitrary bytes: the body of the fuzz targets in `mmc/fuzz` and of the libFuzzer-free
//! stress test below. Panics are the only failure; results are discarded.

use super::atip::{self, AtipView};
use super::buffer_capacity::BufferCapacityView;
use super::disc_info::{raw_msf_to_lba, DiscInfoView};
use super::event_status::EventStatusView;
use super::format_capacities::FormatCapacitiesView;
use super::get_configuration::ConfigurationView;
use super::get_performance::PerformanceView;
use super::mechanism_status::MechanismStatusView;
use super::mode::{CapabilitiesPage, ErrorRecoveryPage, ModeSenseView, WriteParametersPage};
use super::read_capacity::ReadCapacityView;
use super::read_header::HeaderView;
use super::toc::{FullTocView, TocView};
use super::track_info::TrackInfoView;
use super::{inquiry, request_sense};
use crate::feature::Feature;

/// Parser families, selected by the first input byte modulo this count.
pub const FAMILIES: u8 = 15;

/// Runs parser family `family` (see [`FAMILIES`]) on `data`, exercising every accessor.
pub fn run(family: u8, data: &[u8]) {
    let d = data;
    let mut sink = 0u64;
    let mut eat = |v: u64| sink = sink.wrapping_add(v);
    match family % FAMILIES {
        0 => {
            for msf in [false, true] {
                if let Ok(v) = TocView::new_checked(d, msf) {
                    eat(u64::from(v.first()));
                    eat(u64::from(v.last()));
                    eat(v.len() as u64);
                    for t in v.tracks() {
                        eat(t.start.lba() as u64);
                        eat(u64::from(t.is_data()));
                    }
                    eat(v.leadout().map_or(0, |t| t.start.lba() as u64));
                }
            }
        }
        1 => {
            if let Ok(v) = FullTocView::new_checked(d) {
                for e in v.entries() {
                    eat(e.p_lba() as u64);
                    eat(u64::from(e.point));
                    eat(e.atime.to_lba() as u64);
                }
            }
        }
        2 => {
            if let Ok(v) = AtipView::new_checked(d) {
                let m = atip::manufacturer(v.leadin_start(), v.erasable());
                eat(m.index as u64);
                eat(m.name.len() as u64);
                eat(v.leadout_start().to_lba() as u64);
                eat(u64::from(v.sub_type()));
                eat(v.a1().map_or(0, |a| u64::from(a[0])));
                eat(u64::from(v.writing_power()));
                eat(u64::from(v.a_valid().0));
                eat(u64::from(v.unrestricted()));
            }
        }
        3 => {
            if let Ok(v) = DiscInfoView::new_checked(d) {
                eat(u64::from(v.sessions()));
                eat(u64::from(v.first_track_last_session()));
                eat(u64::from(v.last_track_last_session()));
                eat(u64::from(v.erasable()));
                eat(v.disc_status().name().len() as u64);
                eat(v.last_session_state().name().len() as u64);
                eat(raw_msf_to_lba(v.last_session_leadin_raw()) as u64);
                eat(raw_msf_to_lba(v.last_possible_leadout_raw()) as u64);
                eat(u64::from(v.bar_code()[7]));
                eat(u64::from(v.opc_tables()));
                eat(u64::from(v.disc_id()));
                eat(u64::from(v.bg_format_status()));
                eat(u64::from(v.appendable()));
            }
        }
        4 => {
            if let Ok(v) = TrackInfoView::new_checked(d) {
                eat(u64::from(v.track()));
                eat(u64::from(v.session()));
                eat(u64::from(v.track_mode()));
                eat(u64::from(v.nwa().unwrap_or(0)));
                eat(u64::from(v.free_blocks()));
                eat(u64::from(v.size()));
                eat(u64::from(v.last_recorded().unwrap_or(0)));
                eat(u64::from(v.read_compat_lba().unwrap_or(0)));
                eat(u64::from(v.blank()));
                eat(u64::from(v.packet_size()));
                eat(u64::from(v.data_mode()));
            }
        }
        5 => {
            if let Ok(v) = ConfigurationView::new_checked(d) {
                eat(u64::from(v.current_profile().code()));
                eat(u64::from(v.truncated()));
                for f in v.features() {
                    let f = Feature::decode(&f);
                    eat(f.to_string().len() as u64);
                }
            }
        }
        6 => {
            if let Ok(v) = PerformanceView::new_checked(d) {
                eat(v.performance().map(|p| u64::from(p.end_kbps)).sum());
                eat(v.write_speeds().map(|w| u64::from(w.write_kbps)).sum());
                eat(u64::from(v.write()));
                eat(u64::from(v.except()));
            }
        }
        7 => {
            if let Ok(v) = EventStatusView::new_checked(d) {
                eat(u64::from(v.supported()));
                eat(u64::from(v.media().is_some()));
            }
        }
        8 => {
            if let Ok(v) = ModeSenseView::new_checked(d) {
                eat(u64::from(v.medium_type()));
                for page in [0x01, 0x05, 0x2A] {
                    if let Some(p) = v.page(page) {
                        if let Ok(c) = CapabilitiesPage::new_checked(p) {
                            eat(c.write_speeds().map(|w| u64::from(w.kbps)).sum());
                            eat(u64::from(c.buffer_kib()));
                            eat(u64::from(c.max_write_kbps().unwrap_or(0)));
                            eat(c.write_speed_selected().map_or(0, |w| u64::from(w.1)));
                            eat(u64::from(c.copy_management_revision().unwrap_or(0)));
                            eat(u64::from(c.read_dvd_r()));
                            eat(u64::from(c.loading_mechanism()));
                        }
                        if let Ok(w) = WriteParametersPage::new_checked(p) {
                            eat(u64::from(w.packet_size()));
                            eat(u64::from(w.write_type()));
                        }
                        if let Ok(e) = ErrorRecoveryPage::new_checked(p) {
                            eat(u64::from(e.read_retries()));
                            eat(u64::from(e.flags()));
                        }
                    }
                }
            }
            if let Ok(c) = CapabilitiesPage::new_checked(d) {
                eat(c.write_speeds().count() as u64);
            }
        }
        9 => {
            if let Ok(v) = BufferCapacityView::new_checked(d) {
                eat(u64::from(v.buffer_len()));
                eat(u64::from(v.available()));
            }
            if let Ok(v) = ReadCapacityView::new_checked(d) {
                eat(v.blocks());
                eat(u64::from(v.block_len()));
            }
            for msf in [false, true] {
                if let Ok(v) = HeaderView::new_checked(d, msf) {
                    eat(u64::from(v.mode().byte()));
                    eat(v.lba() as u64);
                }
            }
        }
        10 => {
            if let Ok(v) = FormatCapacitiesView::new_checked(d) {
                eat(u64::from(v.current().0));
                eat(v.current_kind() as u64);
                eat(v.formattable().map(|c| u64::from(c.blocks)).sum());
            }
        }
        11 => {
            if let Ok(v) = MechanismStatusView::new_checked(d) {
                eat(u64::from(v.door_open()));
                eat(u64::from(v.slots()));
                eat(u64::from(v.mechanism_state()));
            }
        }
        12 => {
            if let Ok(v) = inquiry::standard(d) {
                eat(v.vendor().len() as u64);
                eat(v.product().len() as u64);
                eat(v.revision().len() as u64);
                eat(u64::from(v.device_type().code()));
                eat(u64::from(v.removable()));
            }
            for page in [
                inquiry::VPD_UNIT_SERIAL_NUMBER,
                inquiry::VPD_DEVICE_IDENTIFICATION,
            ] {
                if let Ok(p) = inquiry::vpd(d, page) {
                    eat(inquiry::unit_serial_number(&p).len() as u64);
                    eat(inquiry::device_identification(&p).len() as u64);
                }
            }
        }
        13 => {
            if let Ok(s) = request_sense::parse(d) {
                eat(u64::from(request_sense::progress(&s).unwrap_or(0)));
                eat(s.to_string().len() as u64);
            }
        }
        _ => {
            // Feature descriptors straight from bytes: code from the first two bytes.
            if d.len() >= 4 {
                let raw = super::get_configuration::RawFeature {
                    code: u16::from_be_bytes([d[0], d[1]]),
                    version: d[2] >> 2,
                    persistent: d[2] & 2 != 0,
                    current: d[2] & 1 != 0,
                    data: &d[4..],
                };
                let f = Feature::decode(&raw);
                eat(f.to_string().len() as u64);
            }
        }
    }
    std::hint::black_box(sink);
}

/// Seed answers for each family (literal answers of QEMU, tgt and MMC-6 examples), used
/// by the stress test and committed as the fuzz corpus.
pub fn seeds() -> Vec<(u8, Vec<u8>)> {
    let mut v: Vec<(u8, Vec<u8>)> = Vec::new();
    v.push((
        0,
        vec![
            0, 0x12, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0, 0, 0x16, 0xAA, 0, 0, 0, 3, 0xE8,
        ],
    ));
    v.push((0, vec![0, 0x0A, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0]));
    v.push((
        1,
        vec![
            0, 0x2E, 1, 1, 1, 0x14, 0, 0xA0, 0, 0, 0, 0, 1, 0, 0, 1, 0x14, 0, 0xA1, 0, 0, 0, 0, 1,
            0, 0, 1, 0x14, 0, 0xA2, 0, 0, 0, 0, 0, 0x0F, 0x19, 1, 0x14, 0, 1, 0, 0, 0, 0, 0, 2, 0,
        ],
    ));
    let mut atip = vec![0u8; 28];
    atip[1] = 0x1A;
    atip[4..16].copy_from_slice(&[0x45, 0, 0x90, 0, 97, 15, 17, 0, 79, 59, 70, 0]);
    v.push((2, atip));
    let mut di = vec![0u8; 34];
    di[1] = 32;
    di[2..8].copy_from_slice(&[0x0E, 1, 1, 1, 1, 0x20]);
    v.push((3, di));
    let mut ti = vec![0u8; 40];
    ti[1] = 38;
    ti[2..8].copy_from_slice(&[1, 1, 0, 7, 0x41, 1]);
    ti[16..20].copy_from_slice(&[0, 0x23, 5, 0x40]);
    v.push((4, ti));
    v.push((5, super::get_configuration_seed()));
    let mut perf = vec![0u8; 24];
    perf[3] = 20;
    perf[12..16].copy_from_slice(&0x15A4u32.to_be_bytes());
    v.push((6, perf));
    v.push((7, vec![0, 4, 4, 0x10, 2, 2, 0, 0]));
    let mut ms = vec![
        0u8, 70, 0, 0, 0, 0, 0, 0, 0x2A, 0x3E, 0x3F, 0x37, 0xF3, 0xF3, 0x29, 0x23,
    ];
    ms.resize(72, 0);
    ms[38..40].copy_from_slice(&[0, 5]);
    v.push((8, ms));
    v.push((9, vec![0, 0x0A, 0, 0, 0, 0x80, 0, 0, 0, 0x40, 0, 0]));
    v.push((
        10,
        vec![
            0, 0, 0, 16, 0, 0x23, 5, 0x40, 1, 0, 8, 0, 0, 0x23, 5, 0x40, 0x98, 0, 0, 0,
        ],
    ));
    v.push((11, vec![0, 0, 0, 0, 0, 1, 0, 0]));
    let mut inq = vec![5u8, 0x80, 5, 0x12, 31, 0, 0, 0x10];
    inq.extend_from_slice(b"QEMU    QEMU CD-ROM     2.5+");
    v.push((12, inq));
    v.push((
        13,
        transport::Sense::fixed(transport::SenseKey::NotReady, 4, 4),
    ));
    v.push((
        14,
        vec![0, 0x21, 0x04, 0x08, 0x40, 0x01, 0x01, 0x01, 0x07, 0, 0, 0],
    ));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// The number of inputs the stress test runs (`MMC_STRESS_INPUTS` overrides; the fuzz
    /// report ran it with 1,000,000 in release mode).
    fn inputs() -> u64 {
        std::env::var("MMC_STRESS_INPUTS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(20_000)
    }

    /// libFuzzer-free stress: half pseudo-random inputs, half mutated seeds, every family.
    #[test]
    fn stress_every_parser() {
        let seeds = seeds();
        let mut r = XorShift(0x9E37_79B9_7F4A_7C15);
        let n = inputs();
        let mut buf = Vec::with_capacity(512);
        for i in 0..n {
            buf.clear();
            let family;
            if i % 2 == 0 {
                family = (r.next() % u64::from(FAMILIES)) as u8;
                let len = (r.next() % 300) as usize;
                buf.extend((0..len).map(|_| r.next() as u8));
            } else {
                let (f, s) = &seeds[(r.next() as usize) % seeds.len()];
                family = *f;
                buf.extend_from_slice(s);
                for _ in 0..(1 + r.next() % 8) {
                    match r.next() % 4 {
                        0 if !buf.is_empty() => {
                            let at = (r.next() as usize) % buf.len();
                            buf[at] = r.next() as u8;
                        }
                        1 if !buf.is_empty() => {
                            let at = (r.next() as usize) % buf.len();
                            buf.truncate(at);
                        }
                        2 => buf.push(r.next() as u8),
                        _ if buf.len() > 3 => {
                            let at = (r.next() as usize) % 4;
                            buf[at] = [0, 0xFF, 0x7F, 1][(r.next() % 4) as usize];
                        }
                        _ => {}
                    }
                }
            }
            run(family, &buf);
        }
    }

    #[test]
    fn seeds_cover_every_family() {
        let s = seeds();
        for f in 0..FAMILIES {
            assert!(s.iter().any(|(g, _)| *g == f), "family {f} has no seed");
        }
    }
}

#[cfg(test)]
mod seed_files {
    /// Writes the seeds as fuzz corpus files when `MMC_WRITE_SEEDS` names the corpus
    /// directory (`mmc/fuzz/corpus/seeds`): `parsers/<family>-<n>` (family byte first) and
    /// `features/<n>`. Without the variable it checks the committed files still match.
    #[test]
    fn fuzz_seed_files() {
        let Ok(dir) = std::env::var("MMC_WRITE_SEEDS") else {
            let dir =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/seeds/parsers");
            let n = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
            assert_eq!(
                n,
                super::seeds().len(),
                "seed files in {} are stale",
                dir.display()
            );
            return;
        };
        let dir = std::path::Path::new(&dir);
        std::fs::create_dir_all(dir.join("parsers")).unwrap();
        std::fs::create_dir_all(dir.join("features")).unwrap();
        for (i, (family, bytes)) in super::seeds().into_iter().enumerate() {
            let mut b = vec![family];
            b.extend_from_slice(&bytes);
            std::fs::write(dir.join(format!("parsers/{family:02}-{i:02}")), b).unwrap();
            if family == 5 || family == 14 {
                std::fs::write(dir.join(format!("features/{i:02}")), &bytes).unwrap();
            }
        }
    }
}
