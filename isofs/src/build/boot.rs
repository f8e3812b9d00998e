//! El Torito in the image: the boot images found in the tree, their emulation (El Torito
//! §2.2; a hard-disk image's MBR partition type as the system type), the boot catalog
//! (§2.1-2.4) and the boot information table (mkisofs's `-boot-info-table`).

use std::io::Read;

use super::{blocks, BootImage, BootMode, BuildError, Image, MAX_KEPT_BOOT_IMAGE};
use crate::tree::{mode, Data, Kind, NodeId};
use crate::wire::eltorito::{
    encode_catalog_with_id, mbr_notes, mbr_system_type, BootEntry, Emulation,
};
use crate::{SectorSource, SECTOR};

impl Image {
    pub(super) fn prepare_boot(
        &mut self,
        mut previous: Option<&mut dyn SectorSource>,
    ) -> Result<(), BuildError> {
        let Some(b) = self.opts.boot.clone() else {
            if let Some(c) = self.opts.kept_boot_catalog {
                if c < 16 || c >= self.start {
                    return Err(BuildError::Boot(format!(
                        "the kept boot catalog at block {c} must lie in a previous session \
                         (blocks 16..{})",
                        self.start
                    )));
                }
            }
            return Ok(());
        };
        if b.images.is_empty() {
            return Err(BuildError::Boot("no boot image given".into()));
        }
        for bi in &b.images {
            if let Some(n) = bi.appended {
                let sa = &self.opts.system_area;
                if !sa.appended.iter().any(|a| a.number == n) {
                    return Err(BuildError::Boot(format!(
                        "boot image --interval:appended_partition_{n}:all:: names partition \
                         {n}, which no -append_partition gives"
                    )));
                }
                if bi.info_table || bi.grub2_boot_info || bi.mode != BootMode::NoEmulation {
                    return Err(BuildError::Boot(format!(
                        "boot image of appended partition {n}: only -no-emul-boot without \
                         -boot-info-table or --grub2-boot-info is possible for data outside \
                         the ISO 9660 tree"
                    )));
                }
                self.boot_nodes.push((None, bi.clone()));
                self.boot_media.push((Emulation::NoEmulation, 0));
                continue;
            }
            let id = self.tree.lookup_path(&bi.path).ok_or_else(|| {
                BuildError::Boot(format!("boot image {} is not in the image tree", bi.path))
            })?;
            let Kind::File { size, .. } = self.tree.node(id).kind else {
                return Err(BuildError::Boot(format!(
                    "boot image {} is not a file",
                    bi.path
                )));
            };
            if bi.info_table || bi.grub2_boot_info {
                self.copy_kept_boot_image(id, size, &bi.path, previous.as_deref_mut())?;
            }
            let media = match bi.mode {
                BootMode::NoEmulation => (Emulation::NoEmulation, 0),
                BootMode::Floppy => {
                    let e = Emulation::floppy_for_size(size).ok_or_else(|| {
                        BuildError::Boot(format!(
                            "boot image {} has not an allowable size for floppy emulation: \
                             {size} bytes; a diskette image is 1228800 (1.2 MB), 1474560 \
                             (1.44 MB) or 2949120 (2.88 MB) bytes; other images boot with \
                             no emulation (-no-emul-boot) or hard-disk emulation \
                             (-hard-disk-boot)",
                            bi.path
                        ))
                    })?;
                    (e, 0)
                }
                BootMode::HardDisk => {
                    let mbr = self.boot_mbr(id, &bi.path, previous.as_deref_mut())?;
                    let t = mbr_system_type(&mbr).map_err(|e| {
                        BuildError::Boot(format!("hard-disk boot image {}: {e}", bi.path))
                    })?;
                    // mkisofs's warnings; the image is used all the same.
                    for n in mbr_notes(&mbr, bi.bootable, size.div_ceil(512)) {
                        log::warn!("El Torito: hard-disk boot image {}: {n}", bi.path);
                    }
                    (Emulation::HardDisk, t)
                }
            };
            self.boot_nodes.push((Some(id), bi.clone()));
            self.boot_media.push(media);
        }
        let cat = if b.catalog.is_empty() {
            "boot.catalog"
        } else {
            &b.catalog
        };
        let (dir, name) = match cat.trim_start_matches('/').rfind('/') {
            Some(i) => {
                let c = cat.trim_start_matches('/');
                (c[..i].to_string(), c[i + 1..].to_string())
            }
            None => (String::new(), cat.trim_start_matches('/').to_string()),
        };
        let meta = crate::tree::Meta {
            mode: mode::S_IFREG | 0o444,
            mtime: self.date,
            atime: self.date,
            ctime: self.date,
            ..Default::default()
        };
        let d = self
            .tree
            .ensure_dir(&dir, meta)
            .map_err(|e| BuildError::Boot(format!("boot catalog path: {e}")))?;
        let data = self.tree.add_blob(Vec::new());
        let id = self.tree.put_child(
            d,
            name.as_bytes(),
            Kind::File {
                size: SECTOR as u64,
                data,
            },
            meta,
        );
        if b.hide_catalog {
            self.tree.update(id, |n| {
                n.hide_iso = true;
                n.hide_joliet = true;
            });
        }
        self.catalog_node = Some(id);
        Ok(())
    }

    /// A boot image that gets a boot information table but keeps its extent in the
    /// previous session (unchanged, or only in the previous session's tree) would go on
    /// naming the previous session's PVD and its old block: this reads it from `previous`
    /// into memory, so it is written afresh in this session and patched there, as mkisofs
    /// writes a patched image anew (it rewrites the image in place, so the next session
    /// finds a changed file). Images of other kinds are left as they are.
    pub(super) fn copy_kept_boot_image<'p>(
        &mut self,
        id: NodeId,
        size: u64,
        path: &str,
        previous: Option<&mut (dyn SectorSource + 'p)>,
    ) -> Result<(), BuildError> {
        let Kind::File {
            data: Data::Old { lba },
            ..
        } = self.tree.node(id).kind
        else {
            return Ok(());
        };
        if size > MAX_KEPT_BOOT_IMAGE {
            return Err(BuildError::Boot(format!(
                "-boot-info-table: boot image {path} ({size} bytes) is kept from the previous \
                 session and would have to be copied into this one to be patched, but it is \
                 larger than {MAX_KEPT_BOOT_IMAGE} bytes; add the image file to this session \
                 (or leave out -boot-info-table)"
            )));
        }
        let prev = previous.ok_or_else(|| {
            BuildError::Boot(format!(
                "-boot-info-table: boot image {path} is kept from the previous session, which \
                 is not at hand to copy it into this session for patching; add the image file \
                 to this session (or leave out -boot-info-table)"
            ))
        })?;
        let mut v = vec![0u8; (blocks(size) as usize) * SECTOR];
        for (k, chunk) in v.chunks_mut(32 * SECTOR).enumerate() {
            let at = lba + (k * 32) as u32;
            prev.read_sectors(at, chunk)
                .map_err(|e| BuildError::Previous { lba: at, source: e })?;
        }
        v.truncate(size as usize);
        log::info!(
            "El Torito: boot image {path} is kept from the previous session (block {lba}); \
             written again in this session for its boot information table"
        );
        let data = self.tree.add_blob(v);
        self.tree.set_data(id, data);
        Ok(())
    }

    /// The first 512 bytes (the master boot record) of a hard-disk boot image; fewer if
    /// the image is shorter. An image kept from the previous session is read there.
    pub(super) fn boot_mbr<'p>(
        &self,
        id: NodeId,
        path: &str,
        previous: Option<&mut (dyn SectorSource + 'p)>,
    ) -> Result<Vec<u8>, BuildError> {
        const MBR: usize = 512;
        let Kind::File { data, .. } = &self.tree.node(id).kind else {
            return Ok(Vec::new());
        };
        match data {
            Data::Blob(b) => Ok(self.tree.blob(*b).iter().take(MBR).copied().collect()),
            Data::Path(p) => {
                let src = self.tree.source_path(*p);
                let mut v = Vec::with_capacity(MBR);
                std::fs::File::open(&src)
                    .and_then(|f| f.take(MBR as u64).read_to_end(&mut v))
                    .map_err(|e| BuildError::Source {
                        path: src.display().to_string(),
                        source: e,
                    })?;
                Ok(v)
            }
            Data::Old { lba } => {
                let prev = previous.ok_or_else(|| {
                    BuildError::Boot(format!(
                        "hard-disk boot image {path} is in the previous session, which is \
                         not at hand to read its partition table"
                    ))
                })?;
                let mut block = vec![0u8; SECTOR];
                prev.read_sectors(*lba, &mut block)
                    .map_err(|e| BuildError::Previous {
                        lba: *lba,
                        source: e,
                    })?;
                block.truncate(MBR);
                Ok(block)
            }
        }
    }

    /// The catalog block the boot record points at: this session's own catalog, else the
    /// previous session's one kept ([`super::Options::kept_boot_catalog`]).
    pub(super) fn boot_record(&self) -> Option<u32> {
        if self.opts.boot.is_some() {
            self.catalog_lba
        } else {
            self.opts.kept_boot_catalog
        }
    }

    pub(super) fn catalog(&self) -> Vec<u8> {
        let entries: Vec<BootEntry> = self
            .boot_nodes
            .iter()
            .zip(&self.boot_media)
            .enumerate()
            .map(|(k, ((_, bi), &(emulation, system_type)))| {
                let (lba, size) = self.boot_extent(k);
                // mkisofs: whole 2048-byte blocks of the image, 4 virtual sectors each;
                // an emulated diskette or disk loads its boot sector only.
                let whole = (blocks(size) * 4).min(0xFFFF) as u16;
                let sector_count = match emulation {
                    Emulation::NoEmulation => bi.load_size.unwrap_or(whole),
                    _ => 1,
                };
                BootEntry {
                    platform: bi.platform,
                    bootable: bi.bootable,
                    emulation,
                    load_segment: bi.load_segment,
                    system_type,
                    sector_count,
                    lba,
                }
            })
            .collect();
        // mkisofs puts the publisher in the validation entry's ID field.
        encode_catalog_with_id(&entries, self.opts.ids.publisher.as_bytes())
    }

    /// The boot image options of file `id` when it is patched (boot information table,
    /// GRUB 2 boot info).
    pub(super) fn boot_patch(&self, id: NodeId) -> Option<&BootImage> {
        self.boot_nodes
            .iter()
            .find(|(n, b)| *n == Some(id) && (b.info_table || b.grub2_boot_info))
            .map(|(_, b)| b)
    }
}
