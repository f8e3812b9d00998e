//! The system area of a hybrid image (ECMA-119 §6.2.1 leaves blocks 0-15 to the system)
//! as xorriso (libisofs) fills it for PC-BIOS and UEFI: an MBR template (syslinux's
//! isohdpfx.bin, GRUB's boot_hybrid.img, any `-G` file) patched with the boot image's
//! address, MBR partition entries, a GUID partition table (UEFI 2.10 §5.3) with its backup
//! at the end of the image, partitions appended after the ISO 9660 image, and the
//! cylinder alignment of the image size. Partition names, types, attribute bits, gap
//! partitions and GUID derivation follow libisofs, so that `xorriso -report_system_area`
//! reads the same table.

use std::io::Read;

use super::{BuildError, CylAlign, Image, MbrKind};
use crate::tree::Kind;
use crate::wire::eltorito::Platform;
use crate::wire::parttab::{
    crc32, GptEntry, GptHeader, Guid, MbrEntry, GPT_READ_ONLY, GPT_REQUIRED,
};
use crate::SECTOR;

/// Blocks of the GPT backup area: 248 entries (62 sectors) and the header, in 2 KiB blocks.
const GPT_BACKUP_BLOCKS: u32 = 16;
/// Entries of the GPT array (sectors 2..63 of the system area).
const GPT_ENTRIES: u32 = 248;
/// A partition request that runs to the end of the ISO image.
const OPEN: u64 = 4 * 0xFFFF_FFFF;

/// A partition appended after the ISO image, placed.
#[derive(Debug, Clone)]
pub(super) struct Placed {
    pub(super) number: u8,
    pub(super) mbr_type: u8,
    pub(super) gpt_type: Option<Guid>,
    pub(super) source: std::path::PathBuf,
    /// Zero blocks before it (cylinder alignment).
    pub(super) prepad: u32,
    /// First block.
    pub(super) start: u32,
    /// Blocks (the file's, rounded up; more with `-partition_cyl_align all`).
    pub(super) blocks: u32,
    /// Bytes of the file.
    pub(super) bytes: u64,
}

/// Where the hybrid parts of the image lie (absolute 2 KiB blocks), worked out by
/// [`Image::layout_hybrid`].
#[derive(Debug, Clone, Default)]
pub(super) struct Hybrid {
    pub(super) heads: u32,
    pub(super) secs: u32,
    /// Zero blocks after the file data (cylinder alignment).
    pub(super) align: u32,
    /// Appended partitions, in partition-number order.
    pub(super) parts: Vec<Placed>,
    /// The GPT entries (sorted, with GUIDs), when a GPT is written.
    pub(super) gpt: Vec<GptEntry>,
    pub(super) disk_guid: Guid,
    /// Blocks of the whole image.
    pub(super) total: u32,
    /// libisofs' volume space size: the ISO part (with alignment) when partitions are
    /// appended, else the whole image.
    pub(super) vol_space: u32,
    /// Whether the PVD records the whole image (protective label or partition offset).
    pub(super) pvd_total: bool,
    /// Blocks of the GPT backup area at the end (0 without GPT).
    pub(super) backup: u32,
    /// EFI El Torito images that got a GPT basic-data entry (their index in the catalog).
    pub(super) basdat: Vec<usize>,
}

struct Req {
    start: u64,
    count: u64,
    kind: Guid,
    flags: u64,
    name: String,
}

fn io_err(path: &std::path::Path, e: std::io::Error) -> BuildError {
    BuildError::Source {
        path: path.display().to_string(),
        source: e,
    }
}

/// libisofs' choice of heads per cylinder for `secs` sectors per head so that 1024
/// cylinders hold `bytes`: the smallest count, made even or a multiple of 4 with the
/// sector count, at most 255.
fn heads_for(bytes: u64, secs: u64) -> Option<u32> {
    let hd = bytes / 512;
    let mut hpc = hd / secs / 1024;
    if hpc * secs * 1024 < hd {
        hpc += 1;
    }
    if secs.is_multiple_of(4) {
    } else if secs.is_multiple_of(2) {
        hpc += hpc % 2;
    } else if !hpc.is_multiple_of(4) {
        hpc += 4 - hpc % 4;
    }
    (hpc <= 255).then_some(hpc as u32)
}

impl Image {
    fn sa(&self) -> &super::SystemArea {
        &self.opts.system_area
    }

    /// Places alignment, appended partitions, padding and the GPT backup after the file
    /// data ending at block `content_end`; returns the end of the image.
    pub(super) fn layout_hybrid(&mut self, content_end: u64) -> Result<u64, BuildError> {
        let sa = self.sa().clone();
        let pad = u64::from(self.opts.pad_blocks);
        if !sa.is_set() {
            return Ok(content_end + pad);
        }
        if self.start != 0 {
            return Err(BuildError::Boot(
                "a system area, partition table or appended partition cannot be written into \
                 a session that does not start at block 0: xorriso keeps the first session's \
                 system area, which this session cannot change"
                    .into(),
            ));
        }
        let isohybrid = sa.mbr == MbrKind::Isohybrid;
        if isohybrid && self.boot_nodes.first().is_none_or(|b| b.0.is_none()) {
            return Err(BuildError::Boot(
                "-isohybrid-mbr needs a first El Torito boot image that is a file of the image \
                 (-b isolinux/isolinux.bin)"
                    .into(),
            ));
        }
        let mut parts = Vec::new();
        for a in &sa.appended {
            let md = std::fs::metadata(&a.source).map_err(|e| io_err(&a.source, e))?;
            if !md.is_file() || md.len() == 0 {
                return Err(BuildError::Source {
                    path: a.source.display().to_string(),
                    source: std::io::Error::other("an appended partition must be a non-empty file"),
                });
            }
            parts.push((a.clone(), md.len()));
        }
        parts.sort_by_key(|(a, _)| a.number);
        let have_app = !parts.is_empty();
        let app_gpt = sa.appended_as_gpt && have_app;
        // libisofs' GPT backup is needed when anything will go into a GPT.
        let basdat: Vec<usize> = if isohybrid && sa.gpt_basdat {
            self.boot_nodes
                .iter()
                .enumerate()
                .filter(|(_, (_, b))| {
                    b.platform == Platform::Efi && !(b.appended.is_some() && sa.appended_as_gpt)
                })
                .map(|(k, _)| k)
                .collect()
        } else {
            Vec::new()
        };
        let will_gpt = !basdat.is_empty() || app_gpt || sa.efi_boot_part;
        let backup = if will_gpt { GPT_BACKUP_BLOCKS } else { 0 };
        let mut heads = sa.heads_per_cyl.max(1);
        let mut secs = sa.secs_per_head.max(1);
        // Geometry and alignment (libisofs iso_align_isohybrid).
        let img_for_align = if have_app {
            content_end
        } else {
            content_end + pad + u64::from(backup)
        };
        let imgsize = img_for_align * SECTOR as u64;
        let always = sa.cyl_align;
        if !app_gpt
            && (isohybrid
                || sa.protective_msdos_label
                || matches!(always, CylAlign::On | CylAlign::All))
            && u64::from(heads * secs) * 1024 * 512 < imgsize
        {
            if let Some(h) = heads_for(imgsize, 32) {
                heads = h;
                secs = 32;
            } else {
                secs = 63;
                heads = heads_for(imgsize, 63).unwrap_or(255);
            }
        }
        let mut align = 0u64;
        let cyl = u64::from(heads * secs) * 512;
        let wants_align = always != CylAlign::Off
            && (isohybrid || matches!(always, CylAlign::On | CylAlign::All));
        if wants_align && imgsize <= cyl * 1024 {
            let padded = imgsize.div_ceil(cyl) * cyl;
            align = (padded - imgsize).div_ceil(SECTOR as u64);
        } else if wants_align {
            log::warn!(
                "the image exceeds 1024 cylinders of {heads} heads and {secs} sectors: its size \
                 is not aligned; some BIOSes are said not to boot it from MBR"
            );
        }
        let iso_end = content_end + align;
        let mut pos = iso_end;
        let cyl_blocks = if always == CylAlign::All && (heads * secs).is_multiple_of(4) {
            u64::from(heads * secs / 4)
        } else {
            0
        };
        let mut placed = Vec::new();
        for (a, bytes) in parts {
            let mut prepad = 0;
            if cyl_blocks > 0 && !pos.is_multiple_of(cyl_blocks) {
                prepad = cyl_blocks - pos % cyl_blocks;
            }
            let mut blocks = bytes.div_ceil(SECTOR as u64);
            if cyl_blocks > 0 && !blocks.is_multiple_of(cyl_blocks) {
                blocks += cyl_blocks - blocks % cyl_blocks;
            }
            let start = pos + prepad;
            pos = start + blocks;
            if pos > u64::from(u32::MAX) {
                return Err(BuildError::VolumeTooLarge(pos));
            }
            placed.push(Placed {
                number: a.number,
                mbr_type: a.mbr_type,
                gpt_type: a.gpt_type,
                source: a.source.clone(),
                prepad: prepad as u32,
                start: start as u32,
                blocks: blocks as u32,
                bytes,
            });
        }
        let end = pos + pad + u64::from(backup);
        if end > u64::from(u32::MAX) {
            return Err(BuildError::VolumeTooLarge(end));
        }
        let vol_space = if have_app { iso_end } else { end } as u32;
        self.hybrid = Some(Hybrid {
            heads,
            secs,
            align: align as u32,
            parts: placed,
            gpt: Vec::new(),
            disk_guid: Guid::default(),
            total: end as u32,
            vol_space,
            pvd_total: (sa.protective_msdos_label && !isohybrid) || sa.partition_offset > 0,
            backup,
            basdat,
        });
        Ok(end)
    }

    /// Boot image `k`'s first block and size in bytes.
    pub(super) fn boot_extent(&self, k: usize) -> (u32, u64) {
        let Some((node, bi)) = self.boot_nodes.get(k) else {
            return (0, 0);
        };
        match node {
            Some(id) => {
                let size = match self.tree.node(*id).kind {
                    Kind::File { size, .. } => size,
                    _ => 0,
                };
                (self.data_lba[*id as usize], size)
            }
            None => self
                .hybrid
                .as_ref()
                .and_then(|h| h.parts.iter().find(|p| Some(p.number) == bi.appended))
                .map_or((0, 0), |p| (p.start, u64::from(p.blocks) * SECTOR as u64)),
        }
    }

    /// The base of the GPT GUIDs: given, made of the volume date string, or pseudo-random.
    fn guid_base(&self) -> Guid {
        let sa = self.sa();
        if let Some(g) = sa.gpt_disk_guid {
            return g;
        }
        if let (true, Some(u)) = (sa.gpt_guid_from_date, sa.volume_uuid.as_ref()) {
            let u = u.as_bytes();
            let mut g = [0u8; 16];
            if u.len() >= 16 {
                g[..9].copy_from_slice(&u[..9]);
                g[9..11].copy_from_slice(&u[14..16]);
                g[11..16].copy_from_slice(&u[9..14]);
            }
            g[7] = (g[7] & 0x0f) | 0x40;
            g[8] = (g[8] & 0x3f) | 0x80;
            return Guid(g);
        }
        // Pseudo-random, but reproducible with a fixed date (SOURCE_DATE_EPOCH).
        let seed = if self.opts.reproducible {
            self.date.secs as u64
        } else {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
                ^ u64::from(std::process::id()) << 32
        };
        let mut g = [0u8; 16];
        let mut x = seed ^ 0x9E37_79B9_7F4A_7C15;
        for b in g.chunks_mut(8) {
            // splitmix64
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            b.copy_from_slice(&z.to_le_bytes());
        }
        g[7] = (g[7] & 0x0f) | 0x40;
        g[8] = (g[8] & 0x3f) | 0x80;
        Guid(g)
    }

    /// Works out the GPT entries once every address is known (libisofs' requests, sort
    /// and gap filling).
    pub(super) fn plan_gpt(&mut self) {
        let Some(h) = self.hybrid.clone() else {
            return;
        };
        let sa = self.sa().clone();
        let flags = GPT_READ_ONLY | GPT_REQUIRED;
        let p_off = u64::from(sa.partition_offset) * 4;
        let mut reqs: Vec<Req> = Vec::new();
        if sa.efi_boot_part {
            if let Some(k) = self
                .boot_nodes
                .iter()
                .position(|(n, b)| n.is_some() && b.platform == Platform::Efi)
            {
                let (lba, size) = self.boot_extent(k);
                reqs.push(Req {
                    start: u64::from(lba) * 4,
                    count: size.div_ceil(SECTOR as u64) * 4,
                    kind: Guid::EFI_SYSTEM,
                    flags,
                    name: "EFI boot partition".into(),
                });
            }
        }
        for (n, &k) in h.basdat.iter().enumerate() {
            let (lba, size) = self.boot_extent(k);
            reqs.push(Req {
                start: u64::from(lba) * 4,
                count: size / SECTOR as u64 * 4,
                kind: Guid::BASIC_DATA,
                flags,
                name: format!("ISOHybrid{}", n + 1),
            });
        }
        if !h.basdat.is_empty() {
            reqs.push(Req {
                start: p_off,
                count: OPEN,
                kind: Guid::BASIC_DATA,
                flags,
                name: "ISOHybrid".into(),
            });
        }
        if !reqs.is_empty() || (sa.appended_as_gpt && !h.parts.is_empty()) {
            for p in &h.parts {
                let (start, count) = (u64::from(p.start) * 4, u64::from(p.blocks) * 4);
                if reqs.iter().any(|r| r.start == start && r.count == count) {
                    continue;
                }
                let kind = match p.gpt_type {
                    Some(g) => g,
                    None if p.mbr_type == 0xef => Guid::EFI_SYSTEM,
                    None => Guid::BASIC_DATA,
                };
                reqs.push(Req {
                    start,
                    count,
                    kind,
                    flags: 0,
                    name: format!("Appended{}", p.number),
                });
            }
        }
        if reqs.is_empty() {
            return;
        }
        let sort = |r: &mut Vec<Req>| {
            r.sort_by(|a, b| a.start.cmp(&b.start).then(b.count.cmp(&a.count)));
        };
        sort(&mut reqs);
        let backup_end = u64::from(h.total - GPT_BACKUP_BLOCKS) * 4;
        let vol4 = u64::from(h.vol_space) * 4;
        // Gaps between the requests (and before the first, from block 16, and after the
        // last up to the backup GPT) become basic-data partitions: "ISO9660" when it is
        // exactly the ISO part after the partition offset, else "GapN".
        let mut gaps = Vec::new();
        let mut gap_no = 0;
        let mut part_end = 0u64;
        for i in 0..=reqs.len() {
            let goal = match reqs.get(i) {
                Some(r) => r.start,
                None => (u64::from(h.total) * 4).min(backup_end),
            };
            let next_end = if i == 0 {
                if goal <= 64 {
                    continue;
                }
                64
            } else {
                reqs[i - 1].start.saturating_add(reqs[i - 1].count)
            };
            part_end = part_end.max(next_end);
            if part_end < goal {
                let name = if goal == vol4 && part_end == p_off {
                    "ISO9660".to_string()
                } else {
                    format!("Gap{gap_no}")
                };
                gap_no += 1;
                gaps.push(Req {
                    start: part_end,
                    count: goal - part_end,
                    kind: Guid::BASIC_DATA,
                    flags,
                    name,
                });
            }
        }
        reqs.extend(gaps);
        sort(&mut reqs);
        let base = self.guid_base();
        let entries = reqs
            .iter()
            .take(GPT_ENTRIES as usize)
            .enumerate()
            .map(|(i, r)| {
                let mut end = r.start.saturating_add(r.count);
                if r.start == p_off && r.count == OPEN {
                    end = vol4;
                }
                end = end.min(backup_end);
                let c = (i + 1) as u32;
                let mut g = base;
                for (k, b) in c.to_le_bytes().iter().enumerate() {
                    g.0[9 + k] ^= b;
                }
                GptEntry {
                    kind: r.kind,
                    guid: g,
                    first: r.start,
                    last: end.saturating_sub(1),
                    flags: r.flags,
                    name: r.name.clone(),
                }
            })
            .collect();
        if let Some(hy) = self.hybrid.as_mut() {
            hy.gpt = entries;
            hy.disk_guid = base;
        }
    }

    fn gpt_array(&self, h: &Hybrid) -> Vec<u8> {
        let mut a = vec![0u8; GPT_ENTRIES as usize * 128];
        for (i, e) in h.gpt.iter().enumerate() {
            a[i * 128..(i + 1) * 128].copy_from_slice(&e.encode());
        }
        a
    }

    fn gpt_header(&self, h: &Hybrid, backup: bool, array: &[u8]) -> [u8; 512] {
        let back_lba = u64::from(h.total) * 4 - 1;
        let first = 2 + u64::from(GPT_ENTRIES / 4);
        let hdr = GptHeader {
            my_lba: if backup { back_lba } else { 1 },
            alternate_lba: if backup { 1 } else { back_lba },
            first_usable: first,
            last_usable: back_lba - u64::from(GPT_ENTRIES / 4) - 1,
            disk_guid: h.disk_guid,
            entries_lba: if backup {
                back_lba - u64::from(GPT_ENTRIES / 4)
            } else {
                2
            },
            entries: GPT_ENTRIES,
            entries_crc: crc32(array),
        };
        hdr.encode()
    }

    /// The backup GPT area (the last 16 blocks of the image), when one is reserved.
    pub(super) fn gpt_backup(&self) -> Option<Vec<u8>> {
        let h = self.hybrid.as_ref()?;
        if h.backup == 0 {
            return None;
        }
        let mut b = vec![0u8; h.backup as usize * SECTOR];
        if h.gpt.is_empty() {
            return Some(b);
        }
        let array = self.gpt_array(h);
        let n = b.len();
        b[n - 512..].copy_from_slice(&self.gpt_header(h, true, &array));
        let at = n - 512 - array.len();
        b[at..n - 512].copy_from_slice(&array);
        Some(b)
    }

    /// The MBR id at byte 440: the CRC-32 of the `--modification-date` string, else of
    /// the volume date's seconds (as libisofs derives it), else of the clock.
    fn mbr_id(&self) -> u32 {
        if let Some(u) = &self.sa().volume_uuid {
            return crc32(u.as_bytes());
        }
        if self.opts.reproducible || self.opts.date.is_some() {
            return crc32(&self.date.secs.to_le_bytes());
        }
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        (t.as_secs() as u32) ^ (t.subsec_micros().wrapping_mul(2000))
    }

    /// The 16 blocks of the system area.
    pub(super) fn system_area(&self) -> Result<Vec<u8>, BuildError> {
        if let Some(k) = &self.kept_system_area {
            return Ok(k.clone());
        }
        let mut buf = vec![0u8; 16 * SECTOR];
        let sa = self.sa();
        if let Some(t) = &sa.template {
            let n = t.len().min(buf.len());
            buf[..n].copy_from_slice(&t[..n]);
        }
        let Some(h) = self.hybrid.as_ref() else {
            return Ok(buf);
        };
        let (heads, secs) = (h.heads, h.secs);
        let total4 = u64::from(h.total) * 4;
        let gpt = !h.gpt.is_empty();
        let isohybrid = sa.mbr == MbrKind::Isohybrid;
        let app_gpt = sa.appended_as_gpt && !h.parts.is_empty();
        let sat = |x: u64| x.min(u64::from(u32::MAX)) as u32;
        let mut risk_of_ee = false;
        // The EFI boot partition asks for a protective entry (libisofs' partprepend).
        let mbr_req = sa.efi_boot_part && gpt;
        if mbr_req {
            MbrEntry {
                status: 0,
                kind: 0xee,
                start: 1,
                count: sat(total4 - 1),
            }
            .write(&mut buf, 1, heads, secs);
            risk_of_ee = true;
        }
        if gpt {
            let array = self.gpt_array(h);
            let hdr = self.gpt_header(h, false, &array);
            buf[512..1024].copy_from_slice(&hdr);
            buf[1024..1024 + array.len()].copy_from_slice(&array);
        }
        let mut part_type = 0u8;
        let vol4 = u64::from(h.vol_space) * 4;
        if sa.protective_msdos_label {
            if !mbr_req {
                let (t, blocks4) = if gpt {
                    (0xee, total4)
                } else {
                    (sa.iso_mbr_part_type.unwrap_or(0xcd), vol4)
                };
                part_type = t;
                buf[446..510].fill(0);
                MbrEntry {
                    status: if t != 0xee && t != 0xef { 0x80 } else { 0 },
                    kind: t,
                    start: 1,
                    count: sat(blocks4 - 1),
                }
                .write(&mut buf, 1, heads, secs);
                // grub-mkisofs writes the start as C/H/S 0/0/2 whatever the geometry.
                buf[447..450].copy_from_slice(&[0, 2, 0]);
                risk_of_ee = true;
            }
        } else if isohybrid {
            part_type = if !h.basdat.is_empty() {
                0x00
            } else {
                sa.iso_mbr_part_type.unwrap_or(0x17)
            };
            let mut blocks4 = vol4;
            let protective = app_gpt;
            if protective {
                part_type = 0xee;
                risk_of_ee = true;
                blocks4 = total4;
            } else {
                // A cylinder of an odd sector count (255 heads × 63 sectors) does not end
                // on a 2 KiB block: the image is padded past it, and the partition, as
                // libisofs' isohybrid MBR has it, covers whole cylinders only.
                let cyl = u64::from(heads * secs);
                if h.align > 0 && !cyl.is_multiple_of(4) && blocks4 >= cyl {
                    blocks4 = blocks4 / cyl * cyl;
                }
            }
            let (lba, _) = self.boot_extent(0);
            buf[432..440].copy_from_slice(&(u64::from(lba) * 4).to_le_bytes());
            buf[440..444].copy_from_slice(&self.mbr_id().to_le_bytes());
            buf[444..446].fill(0);
            buf[446..510].fill(0);
            let start = u64::from(protective);
            let e = &mut buf[446..462];
            e[0] = if protective { 0 } else { 0x80 };
            e[1..4].copy_from_slice(&chs_isolinux(start, heads, secs));
            e[4] = part_type;
            e[5..8].copy_from_slice(&chs_isolinux(blocks4.saturating_sub(1), heads, secs));
            e[8..12].copy_from_slice(&(start as u32).to_le_bytes());
            e[12..16].copy_from_slice(&sat(blocks4 - start).to_le_bytes());
            // EFI images marked for the GPT are announced as EFh partitions, too.
            for (slot, &k) in (2..=4).zip(h.basdat.iter()) {
                if self.boot_nodes.get(k).is_some_and(|b| b.0.is_none()) {
                    continue;
                }
                let (lba, size) = self.boot_extent(k);
                let at = 446 + 16 * (slot - 1);
                let e = &mut buf[at..at + 16];
                e[1..4].copy_from_slice(&[0xfe, 0xff, 0xff]);
                e[4] = 0xef;
                e[5..8].copy_from_slice(&[0xfe, 0xff, 0xff]);
                e[8..12].copy_from_slice(&(lba.saturating_mul(4)).to_le_bytes());
                e[12..16].copy_from_slice(&sat(size.div_ceil(512)).to_le_bytes());
            }
            buf[510] = 0x55;
            buf[511] = 0xAA;
        } else if (sa.partition_offset > 0 || !h.parts.is_empty()) && !mbr_req {
            part_type = sa.iso_mbr_part_type.unwrap_or(0xcd);
            buf[446..510].fill(0);
            MbrEntry {
                status: 0,
                kind: part_type,
                start: 1,
                count: sat(vol4 - 1),
            }
            .write(&mut buf, 1, heads, secs);
            buf[447..450].copy_from_slice(&[0, 2, 0]);
            risk_of_ee = true;
            if app_gpt {
                part_type = 0xee;
                MbrEntry {
                    status: 0,
                    kind: 0xee,
                    start: 1,
                    count: sat(total4 - 1),
                }
                .write(&mut buf, 1, heads, secs);
            } else if sa.partition_offset == 0 {
                part_type = sa.iso_mbr_part_type.unwrap_or(0x83);
                MbrEntry {
                    status: 0,
                    kind: part_type,
                    start: 0,
                    count: sat(vol4),
                }
                .write(&mut buf, 1, heads, secs);
            }
        }
        if sa.partition_offset > 0 && !mbr_req {
            // The first partition starts at the partition offset (or is the protective
            // entry of a GPT, which then stands alone).
            let protective = part_type == 0xee && gpt;
            let blocks4 = if protective { total4 } else { vol4 };
            let start = if protective {
                1
            } else {
                u64::from(sa.partition_offset) * 4
            };
            if buf[446] != 0 && buf[446] != 0x80 {
                buf[446] = 0;
            }
            let c0 = if protective {
                [0, 2, 0]
            } else {
                crate::wire::parttab::chs(start, heads, secs)
            };
            buf[447..450].copy_from_slice(&c0);
            buf[451..454].copy_from_slice(&crate::wire::parttab::chs(
                blocks4.saturating_sub(1),
                heads,
                secs,
            ));
            buf[454..458].copy_from_slice(&(start as u32).to_le_bytes());
            buf[458..462].copy_from_slice(&sat(blocks4 - start).to_le_bytes());
            if protective {
                buf[462..510].fill(0);
            }
        }
        if !sa.appended_as_gpt {
            for p in &h.parts {
                MbrEntry {
                    status: 0,
                    kind: p.mbr_type,
                    start: p.start.saturating_mul(4),
                    count: p.blocks.saturating_mul(4),
                }
                .write(&mut buf, usize::from(p.number), heads, secs);
            }
        }
        if sa.mbr == MbrKind::Grub2 {
            let (lba, _) = self.boot_extent(0);
            if self.boot_nodes.first().is_none_or(|b| b.0.is_none()) {
                return Err(BuildError::Boot(
                    "--grub2-mbr needs a first El Torito boot image that is a file of the image"
                        .into(),
                ));
            }
            buf[432..440].copy_from_slice(&(u64::from(lba) * 4 + 4).to_le_bytes());
        }
        // No EEh entry without a GPT behind it.
        if (isohybrid || sa.protective_msdos_label || risk_of_ee)
            && !gpt
            && sa.iso_mbr_part_type != Some(0xee)
        {
            for i in 0..4 {
                if buf[446 + 16 * i + 4] == 0xee {
                    log::warn!("prevented partition type EEh in an MBR without GPT");
                    buf[446 + 16 * i + 4] = sa.iso_mbr_part_type.unwrap_or(0xcd);
                }
            }
        }
        if isohybrid
            || sa.protective_msdos_label
            || sa.mbr == MbrKind::Grub2
            || sa.mbr_force_bootable
        {
            let slot = |i: usize| 446 + 16 * i;
            let unused = |b: &[u8], i: usize| b[slot(i)..slot(i) + 16].iter().all(|&x| x == 0);
            if !(0..4).any(|i| buf[slot(i)] & 0x80 != 0) {
                if let Some(i) = (0..4).find(|&i| {
                    !unused(&buf, i) && buf[slot(i) + 4] != 0xee && buf[slot(i) + 4] != 0xef
                }) {
                    buf[slot(i)] |= 0x80;
                } else if sa.mbr_force_bootable {
                    if let Some(i) = (0..4).find(|&i| unused(&buf, i)) {
                        buf[slot(i)..slot(i) + 16]
                            .copy_from_slice(&[0x80, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
                    } else {
                        let i = (0..4).find(|&i| buf[slot(i) + 4] != 0xef).unwrap_or(3);
                        buf[slot(i)] |= 0x80;
                    }
                    buf[510] = 0x55;
                    buf[511] = 0xAA;
                }
            }
        }
        Ok(buf)
    }

    /// Writes the appended partitions (with their alignment zeros) to `w`.
    pub(super) fn write_appended<W: std::io::Write + ?Sized>(
        &self,
        w: &mut W,
    ) -> Result<(), BuildError> {
        let Some(h) = &self.hybrid else {
            return Ok(());
        };
        let zeros = vec![0u8; SECTOR];
        for p in &h.parts {
            for _ in 0..p.prepad {
                w.write_all(&zeros).map_err(BuildError::Write)?;
            }
            let f = std::fs::File::open(&p.source).map_err(|e| io_err(&p.source, e))?;
            let mut r = f.take(p.bytes);
            let got = std::io::copy(&mut r, w).map_err(|e| io_err(&p.source, e))?;
            if got != p.bytes {
                return Err(io_err(
                    &p.source,
                    std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "file shrank while the image was written",
                    ),
                ));
            }
            let rest = u64::from(p.blocks) * SECTOR as u64 - got;
            std::io::copy(&mut std::io::repeat(0).take(rest), w).map_err(BuildError::Write)?;
        }
        Ok(())
    }
}

/// syslinux's CHS of isohybrid partition 1: beyond 1024 cylinders 1023/`heads`/`secs`
/// (the head field is the count, not the last head, as isohybrid and libisofs write it).
fn chs_isolinux(lba: u64, heads: u32, secs: u32) -> [u8; 3] {
    let (h, s) = (u64::from(heads.max(1)), u64::from(secs.max(1)));
    let mut sec = lba % s + 1;
    let t = lba / s;
    let mut head = t % h;
    let mut cyl = t / h;
    if cyl >= 1024 {
        cyl = 1023;
        head = h;
        sec = s;
    }
    [
        head as u8,
        (sec as u8 & 0x3f) | ((cyl >> 2) as u8 & 0xc0),
        cyl as u8,
    ]
}
