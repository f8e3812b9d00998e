//! `Drive<T: Transport>`: where the I/O policy of MMC-6 lives (§4.1.6 "Command execution",
//! SPC-4 §5.14 unit attention conditions): allocation-length re-asks, chunking reads and
//! writes to the transport's maximum transfer, waiting out NOT READY / BECOMING READY
//! (bounded), one retry after UNIT ATTENTION, and polling while a long write or format is in
//! progress. Commands the drive lacks become [`MmcError::NotSupported`].

use std::io;
use std::time::Duration;

use transport::{Cdb, DataPhase, Request, ScsiStatus, Sense, SenseKey, Transport};

use crate::cmd::atip::{self, AtipView, DiscManufacturer};
use crate::cmd::blank_format::{self, BlankType, FormatRequest};
use crate::cmd::buffer_capacity::{self, BufferCapacityView};
use crate::cmd::close::{self, CloseFunction};
use crate::cmd::disc_info::{self, DiscInfoView};
use crate::cmd::event_status::{self, EventStatusView, MediaEvent};
use crate::cmd::format_capacities::{self, FormatCapacitiesView};
use crate::cmd::get_configuration::{self, ConfigurationView, Rt};
use crate::cmd::get_performance::{self, Performance, PerformanceView, WriteSpeed};
use crate::cmd::inquiry;
use crate::cmd::mechanism_status::{self, MechanismStatusView};
use crate::cmd::mode::WriteParameters;
use crate::cmd::mode::{self, CapabilitiesPage, ModeSenseView, PageControl};
use crate::cmd::read_capacity::{self, ReadCapacityView};
use crate::cmd::read_header::{self, HeaderView, SectorHeader};
use crate::cmd::speed::{self, StreamingPerformance};
use crate::cmd::start_stop::{self, StartStop};
use crate::cmd::toc::{self, FullTocEntry, FullTocView, TocFormat, TocTrack, TocView};
use crate::cmd::track_info::{self, TrackAddress, TrackInfoView};
use crate::cmd::{op, read, request_sense, reserve_track, test_unit_ready, write, Msf};
use crate::error::{CommandName, MmcError, ParseError};
use crate::feature::Feature;
use crate::profile::Profile;

/// Bytes in a data block of the media this crate reads and writes.
pub const BLOCK: usize = 2048;
/// Timeout for commands that touch the medium at length (close, blank, format, sync).
pub const LONG_TIMEOUT: Duration = Duration::from_secs(3600);

/// An MMC drive reached through a transport, with the I/O policy applied to every command.
#[derive(Debug)]
pub struct Drive<T: Transport> {
    t: T,
    /// Longest total wait for a drive that answers NOT READY, BECOMING READY (04/01) or
    /// an operation in progress (04/04, 04/07, 04/08).
    pub ready_wait: Duration,
    /// Pause between polls while waiting.
    pub poll_interval: Duration,
}

/// Identity of a drive (INQUIRY standard data and the unit serial number VPD page).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Identity {
    /// Peripheral device type code (5 for CD/DVD).
    pub device_type: u8,
    /// cdrecord's device type words ("CD-ROM", "Disk").
    pub device_type_name: String,
    /// Removable medium.
    pub removable: bool,
    /// VERSION byte.
    pub version: u8,
    /// T10 vendor identification.
    pub vendor: String,
    /// Product identification.
    pub product: String,
    /// Product revision (firmware).
    pub revision: String,
    /// Unit serial number (VPD 80h), when the drive has it.
    pub serial: Option<String>,
    /// The raw standard data.
    #[serde(skip)]
    pub raw: Vec<u8>,
}

/// Page 2Ah as the drive returned it (owned); [`Capabilities::page`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    bytes: Vec<u8>,
}

impl Capabilities {
    /// The typed view of the page.
    pub fn page(&self) -> CapabilitiesPage<'_> {
        CapabilitiesPage::trusted(&self.bytes)
    }
    /// The page's bytes (page code first).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Standard disc information (owned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscInfo {
    bytes: Vec<u8>,
}

impl DiscInfo {
    /// The typed view.
    pub fn view(&self) -> DiscInfoView<'_> {
        DiscInfoView::trusted(&self.bytes)
    }
}

/// A track information block (owned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackInfo {
    bytes: Vec<u8>,
}

impl TrackInfo {
    /// The typed view.
    pub fn view(&self) -> TrackInfoView<'_> {
        TrackInfoView::trusted(&self.bytes)
    }
}

/// A formatted TOC or multi-session information (owned, addresses as LBA).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Toc {
    /// First track (format 0) / first complete session (format 1).
    pub first: u8,
    /// Last track / last complete session.
    pub last: u8,
    /// Track descriptors (lead-out AAh last in format 0).
    pub tracks: Vec<TocTrack>,
}

/// A full TOC (owned).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FullToc {
    /// First complete session.
    pub first_session: u8,
    /// Last complete session.
    pub last_session: u8,
    /// Descriptors.
    pub entries: Vec<FullTocEntry>,
}

/// ATIP (owned), with the manufacturer as cdrecord names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Atip {
    /// Indicative target writing power.
    pub writing_power: u8,
    /// Reference speed code.
    pub reference_speed: u8,
    /// Unrestricted use.
    pub unrestricted: bool,
    /// Disc type: erasable (CD-RW).
    pub erasable: bool,
    /// Disc sub-type.
    pub sub_type: u8,
    /// Disc sub-type as cdrecord names it.
    pub sub_type_name: &'static str,
    /// ATIP start time of lead-in.
    pub leadin_start: Msf,
    /// The same as LBA (negative).
    pub leadin_lba: i32,
    /// Last possible start time of lead-out.
    pub leadout_start: Msf,
    /// The same as LBA.
    pub leadout_lba: i32,
    /// Manufacturer from the lead-in start time.
    pub manufacturer: DiscManufacturer,
}

/// Speeds a drive offers for the loaded medium.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Speeds {
    /// GET PERFORMANCE type 03h write speed descriptors, when supported.
    pub write_speed_descriptors: Option<Vec<WriteSpeed>>,
    /// GET PERFORMANCE type 00h read performance, when supported.
    pub read_performance: Option<Vec<Performance>>,
    /// Page 2Ah write speed descriptors (kB/s), when the page has them.
    pub page_write_kbps: Vec<u16>,
    /// Page 2Ah maximum read speed (kB/s).
    pub page_max_read_kbps: Option<u16>,
    /// Page 2Ah maximum write speed (kB/s).
    pub page_max_write_kbps: Option<u16>,
}

/// Drive buffer (READ BUFFER CAPACITY, byte form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BufferCapacity {
    /// Buffer size in bytes.
    pub size: u32,
    /// Free bytes.
    pub free: u32,
}

/// The media class event (GET EVENT STATUS NOTIFICATION).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MediaStatus {
    /// Event code.
    pub event: MediaEvent,
    /// Medium present.
    pub present: bool,
    /// Tray open.
    pub tray_open: bool,
}

fn reborrow<'b>(d: &'b mut DataPhase<'_>) -> DataPhase<'b> {
    match d {
        DataPhase::None => DataPhase::None,
        DataPhase::In(b) => DataPhase::In(b),
        DataPhase::Out(b) => DataPhase::Out(b),
    }
}

fn bad(command: u8, source: ParseError) -> MmcError {
    MmcError::BadAnswer {
        command: CommandName::of(command),
        source,
    }
}

fn alloc16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

impl<T: Transport> Drive<T> {
    /// A drive over `t`, waiting at most 60 s for readiness, polling every 500 ms.
    pub fn new(t: T) -> Self {
        Drive {
            t,
            ready_wait: Duration::from_secs(60),
            poll_interval: Duration::from_millis(500),
        }
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.t
    }

    /// The transport, mutably.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.t
    }

    /// Gives the transport back.
    pub fn into_inner(self) -> T {
        self.t
    }

    /// Executes one command with the policy: one retry after UNIT ATTENTION, waiting out
    /// NOT READY in progress (bounded by `ready_wait`), ILLEGAL REQUEST 20/00 mapped to
    /// [`MmcError::NotSupported`]. Returns the number of bytes transferred.
    pub fn execute(
        &mut self,
        cdb: Cdb,
        mut data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<usize, MmcError> {
        let command = CommandName::of(cdb.opcode());
        let len = data.len();
        let mut ua_retried = false;
        let mut waited = Duration::ZERO;
        loop {
            let req = Request {
                cdb,
                data: reborrow(&mut data),
                timeout,
            };
            let c = self
                .t
                .execute(req)
                .map_err(|source| MmcError::Transport { command, source })?;
            match c.status {
                ScsiStatus::Good | ScsiStatus::ConditionMet => return Ok(c.transferred(len)),
                ScsiStatus::CheckCondition => {
                    let sense = Sense::parse(&c.sense).map_err(|_| MmcError::BadSense {
                        command,
                        len: c.sense.len(),
                    })?;
                    match (sense.key, sense.asc, sense.ascq) {
                        // SPC-4 §4.5.6: the command completed, the drive recovered an error.
                        (SenseKey::RecoveredError, _, _) if !sense.deferred => {
                            log::info!("{command}: {sense}");
                            return Ok(c.transferred(len));
                        }
                        (SenseKey::UnitAttention, _, _) if !ua_retried => {
                            log::debug!("{command}: {sense}; retrying once");
                            ua_retried = true;
                        }
                        (SenseKey::NotReady, 0x04, 0x01 | 0x04 | 0x07 | 0x08) => {
                            if waited >= self.ready_wait {
                                return Err(MmcError::NotReady {
                                    command,
                                    waited_ms: waited.as_millis() as u64,
                                    sense,
                                });
                            }
                            std::thread::sleep(self.poll_interval);
                            waited += self.poll_interval.max(Duration::from_millis(1));
                        }
                        (SenseKey::IllegalRequest, 0x20, 0x00) => {
                            return Err(MmcError::NotSupported { command })
                        }
                        _ => return Err(MmcError::Check { command, sense }),
                    }
                }
                status => return Err(MmcError::Status { command, status }),
            }
        }
    }

    /// Executes a data-in command into a fresh buffer of `len` bytes, returning the bytes
    /// transferred.
    pub fn read_data(&mut self, cdb: Cdb, len: usize) -> Result<Vec<u8>, MmcError> {
        let mut buf = vec![0u8; len];
        let n = self.execute(cdb, DataPhase::In(&mut buf), transport::DEFAULT_TIMEOUT)?;
        buf.truncate(n.min(len));
        Ok(buf)
    }

    /// Allocation-length policy: asks with `first` bytes, reads the length the header
    /// announces with `total`, and asks again with that length (at most `max`) when the
    /// first answer was cut off.
    fn read_sized(
        &mut self,
        cdb: impl Fn(usize) -> Cdb,
        first: usize,
        max: usize,
        total: impl Fn(&[u8]) -> usize,
    ) -> Result<Vec<u8>, MmcError> {
        let a = self.read_data(cdb(first), first)?;
        let want = total(&a).min(max);
        if want > a.len() && a.len() >= first {
            self.read_data(cdb(want), want)
        } else {
            Ok(a)
        }
    }

    /// TEST UNIT READY without waiting: `Ok` when ready.
    pub fn test_unit_ready(&mut self) -> Result<(), MmcError> {
        let saved = self.ready_wait;
        self.ready_wait = Duration::ZERO;
        let r = self.execute(
            test_unit_ready::cdb(),
            DataPhase::None,
            transport::DEFAULT_TIMEOUT,
        );
        self.ready_wait = saved;
        r.map(|_| ())
    }

    /// REQUEST SENSE: the drive's current sense (progress of a long operation).
    pub fn request_sense(&mut self) -> Result<Sense, MmcError> {
        let b = self.read_data(
            request_sense::cdb(false, request_sense::ALLOCATION),
            usize::from(request_sense::ALLOCATION),
        )?;
        request_sense::parse(&b).map_err(|e| bad(op::REQUEST_SENSE, e))
    }

    /// Polls TEST UNIT READY until the drive no longer reports a long operation in
    /// progress (04/04 format, 04/07 operation, 04/08 long write), for at most `limit`.
    /// Returns the last progress fraction seen (0..=65535), if any.
    pub fn wait_long_operation(&mut self, limit: Duration) -> Result<Option<u16>, MmcError> {
        let mut waited = Duration::ZERO;
        let mut progress = None;
        loop {
            let saved = self.ready_wait;
            self.ready_wait = Duration::ZERO;
            let r = self.execute(
                test_unit_ready::cdb(),
                DataPhase::None,
                transport::DEFAULT_TIMEOUT,
            );
            self.ready_wait = saved;
            match r {
                Ok(_) => return Ok(progress),
                Err(MmcError::NotReady { sense, command, .. }) => {
                    progress = request_sense::progress(&sense).or(progress);
                    if waited >= limit {
                        return Err(MmcError::NotReady {
                            command,
                            waited_ms: waited.as_millis() as u64,
                            sense,
                        });
                    }
                    std::thread::sleep(self.poll_interval);
                    waited += self.poll_interval.max(Duration::from_millis(1));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// INQUIRY standard data and, when the drive has it, the unit serial number.
    pub fn identify(&mut self) -> Result<Identity, MmcError> {
        let raw = self.read_sized(
            |n| inquiry::cdb(None, alloc16(n)),
            usize::from(inquiry::STANDARD_INQUIRY_LEN),
            255,
            |b| b.get(4).map_or(0, |&n| usize::from(n) + 5),
        )?;
        let v = inquiry::standard(&raw).map_err(|e| bad(op::INQUIRY, e))?;
        let serial = self.serial_number().ok().flatten();
        Ok(Identity {
            device_type: v.device_type().code(),
            device_type_name: v.device_type().cdrecord_name(),
            removable: v.removable(),
            version: v.version(),
            vendor: v.vendor(),
            product: v.product(),
            revision: v.revision(),
            serial,
            raw: v.as_bytes().to_vec(),
        })
    }

    /// Unit serial number (VPD 80h), `None` when the page is empty.
    pub fn serial_number(&mut self) -> Result<Option<String>, MmcError> {
        let b = self.read_data(
            inquiry::cdb(Some(inquiry::VPD_UNIT_SERIAL_NUMBER), 255),
            255,
        )?;
        let p =
            inquiry::vpd(&b, inquiry::VPD_UNIT_SERIAL_NUMBER).map_err(|e| bad(op::INQUIRY, e))?;
        let s = inquiry::unit_serial_number(&p);
        Ok((!s.is_empty()).then_some(s))
    }

    /// MODE SENSE(10) of `page` (current values): the page's bytes, page header first.
    pub fn mode_page(&mut self, page: u8) -> Result<Vec<u8>, MmcError> {
        let b = self.read_sized(
            |n| mode::sense(page, PageControl::Current, alloc16(n)),
            mode::HEADER_LEN + 2,
            0xFFFF,
            mode::announced_len,
        )?;
        let v = ModeSenseView::new_checked(&b).map_err(|e| bad(op::MODE_SENSE_10, e))?;
        v.page(page).map(<[u8]>::to_vec).ok_or_else(|| {
            bad(
                op::MODE_SENSE_10,
                ParseError::BadField {
                    what: "mode parameter list",
                    field: "PAGE CODE",
                    detail: format!("page {page:02X}h not in the answer"),
                },
            )
        })
    }

    /// MODE SELECT(10) of a parameter list (8-byte header and page).
    pub fn mode_select(&mut self, params: &[u8]) -> Result<(), MmcError> {
        self.execute(
            mode::select(alloc16(params.len())),
            DataPhase::Out(params),
            transport::DEFAULT_TIMEOUT,
        )
        .map(|_| ())
    }

    /// MM capabilities (page 2Ah).
    pub fn capabilities(&mut self) -> Result<Capabilities, MmcError> {
        let p = self.mode_page(mode::PAGE_CAPABILITIES)?;
        let v = CapabilitiesPage::new_checked(&p).map_err(|e| bad(op::MODE_SENSE_10, e))?;
        Ok(Capabilities {
            bytes: v.as_bytes().to_vec(),
        })
    }

    /// GET CONFIGURATION of all features (or current ones): the raw answer, checked.
    pub fn configuration(&mut self, rt: Rt, start: u16) -> Result<Vec<u8>, MmcError> {
        let b = self.read_sized(
            |n| get_configuration::cdb(rt, start, alloc16(n)),
            get_configuration::HEADER_LEN,
            0xFFF8,
            get_configuration::announced_len,
        )?;
        ConfigurationView::new_checked(&b).map_err(|e| bad(op::GET_CONFIGURATION, e))?;
        Ok(b)
    }

    /// The current profile (GET CONFIGURATION header).
    pub fn current_profile(&mut self) -> Result<Profile, MmcError> {
        let b = self.read_data(get_configuration::cdb(Rt::All, 0, 8), 8)?;
        let v = ConfigurationView::new_checked(&b).map_err(|e| bad(op::GET_CONFIGURATION, e))?;
        Ok(v.current_profile())
    }

    /// The profile list (feature 0000h): every profile with its current flag.
    pub fn profiles(&mut self) -> Result<Vec<crate::feature::ProfileEntry>, MmcError> {
        let b = self.configuration(Rt::One, 0)?;
        let v = ConfigurationView::new_checked(&b).map_err(|e| bad(op::GET_CONFIGURATION, e))?;
        Ok(v.features()
            .filter(|f| f.code == 0)
            .map(|f| Feature::decode(&f))
            .flat_map(|f| match f.body {
                crate::feature::FeatureBody::ProfileList { profiles } => profiles,
                _ => Vec::new(),
            })
            .collect())
    }

    /// Every feature descriptor, decoded.
    pub fn features(&mut self) -> Result<Vec<Feature>, MmcError> {
        let b = self.configuration(Rt::All, 0)?;
        let v = ConfigurationView::new_checked(&b).map_err(|e| bad(op::GET_CONFIGURATION, e))?;
        Ok(v.features().map(|f| Feature::decode(&f)).collect())
    }

    /// READ DISC INFORMATION.
    pub fn disc_info(&mut self) -> Result<DiscInfo, MmcError> {
        let b = self.read_sized(
            |n| disc_info::cdb(alloc16(n)),
            disc_info::STANDARD_LEN,
            0xFFFF,
            |b| usize::from(crate::cmd::be::u16_at(b, 0)) + 2,
        )?;
        let v = DiscInfoView::new_checked(&b).map_err(|e| bad(op::READ_DISC_INFORMATION, e))?;
        Ok(DiscInfo {
            bytes: v.as_bytes().to_vec(),
        })
    }

    /// READ TRACK INFORMATION.
    pub fn track_info(&mut self, addr: TrackAddress) -> Result<TrackInfo, MmcError> {
        let b = self.read_data(
            track_info::cdb(addr, track_info::FULL_LEN as u16),
            track_info::FULL_LEN,
        )?;
        let v = TrackInfoView::new_checked(&b).map_err(|e| bad(op::READ_TRACK_INFORMATION, e))?;
        Ok(TrackInfo {
            bytes: v.as_bytes().to_vec(),
        })
    }

    fn toc_bytes(&mut self, format: TocFormat, msf: bool, number: u8) -> Result<Vec<u8>, MmcError> {
        self.read_sized(
            |n| toc::cdb(format, msf, number, alloc16(n)),
            toc::HEADER_LEN + 8,
            0xFFFF,
            toc::announced_len,
        )
    }

    /// Formatted TOC (format 0) from track 1, in LBA form (or MSF when `msf`).
    pub fn toc(&mut self, msf: bool) -> Result<Toc, MmcError> {
        let b = self.toc_bytes(TocFormat::Formatted, msf, 0)?;
        let v = TocView::new_checked(&b, msf).map_err(|e| bad(op::READ_TOC, e))?;
        Ok(Toc {
            first: v.first(),
            last: v.last(),
            tracks: v.tracks().collect(),
        })
    }

    /// Multi-session information (format 1): the first track of the last complete session.
    pub fn session_info(&mut self) -> Result<Toc, MmcError> {
        let b = self.toc_bytes(TocFormat::SessionInfo, false, 0)?;
        let v = TocView::new_checked(&b, false).map_err(|e| bad(op::READ_TOC, e))?;
        Ok(Toc {
            first: v.first(),
            last: v.last(),
            tracks: v.tracks().collect(),
        })
    }

    /// Full TOC (format 2) from session 1.
    pub fn full_toc(&mut self) -> Result<FullToc, MmcError> {
        let b = self.toc_bytes(TocFormat::Full, true, 1)?;
        let v = FullTocView::new_checked(&b).map_err(|e| bad(op::READ_TOC, e))?;
        Ok(FullToc {
            first_session: v.first_session(),
            last_session: v.last_session(),
            entries: v.entries().collect(),
        })
    }

    /// ATIP (format 4) with the manufacturer cdrecord prints.
    pub fn atip(&mut self) -> Result<Atip, MmcError> {
        let b = self.read_sized(
            |n| toc::cdb(TocFormat::Atip, true, 0, alloc16(n)),
            28,
            0xFFFF,
            toc::announced_len,
        )?;
        let v = AtipView::new_checked(&b).map_err(|e| bad(op::READ_TOC, e))?;
        Ok(Atip {
            writing_power: v.writing_power(),
            reference_speed: v.reference_speed(),
            unrestricted: v.unrestricted(),
            erasable: v.erasable(),
            sub_type: v.sub_type(),
            sub_type_name: atip::sub_type_name(v.erasable(), v.sub_type()),
            leadin_start: v.leadin_start(),
            leadin_lba: v.leadin_start().to_lba(),
            leadout_start: v.leadout_start(),
            leadout_lba: v.leadout_start().to_lba(),
            manufacturer: atip::manufacturer(v.leadin_start(), v.erasable()),
        })
    }

    /// READ CAPACITY: (last LBA, block length).
    pub fn read_capacity(&mut self) -> Result<(u32, u32), MmcError> {
        let b = self.read_data(read_capacity::cdb(), read_capacity::LEN)?;
        let v = ReadCapacityView::new_checked(&b).map_err(|e| bad(op::READ_CAPACITY, e))?;
        Ok((v.last_lba(), v.block_len()))
    }

    /// READ HEADER (MMC-2) for logical block `lba`: the CD data mode of its sector. Drives
    /// without the command (DVD/BD drives, QEMU) answer [`MmcError::NotSupported`]; audio
    /// sectors and unrecorded blocks give [`MmcError::Check`].
    pub fn read_header(&mut self, lba: u32) -> Result<SectorHeader, MmcError> {
        let b = self.read_data(
            read_header::cdb(lba, false, read_header::LEN as u16),
            read_header::LEN,
        )?;
        let v = HeaderView::new_checked(&b, false).map_err(|e| bad(op::READ_HEADER, e))?;
        Ok(SectorHeader {
            mode: v.mode(),
            lba: v.lba(),
        })
    }

    /// READ FORMAT CAPACITIES: the raw answer, checked.
    pub fn format_capacities(&mut self) -> Result<Vec<u8>, MmcError> {
        let b = self.read_sized(
            |n| format_capacities::cdb(alloc16(n)),
            format_capacities::HEADER_LEN + format_capacities::DESCRIPTOR_LEN,
            0xFFFF,
            |b| format_capacities::HEADER_LEN + usize::from(crate::cmd::be::u8_at(b, 3)),
        )?;
        FormatCapacitiesView::new_checked(&b).map_err(|e| bad(op::READ_FORMAT_CAPACITIES, e))?;
        Ok(b)
    }

    /// GET PERFORMANCE write speed descriptors (type 03h).
    pub fn write_speeds(&mut self) -> Result<Vec<WriteSpeed>, MmcError> {
        let b = self.read_sized(
            |n| {
                let count = (n.saturating_sub(get_performance::HEADER_LEN)
                    / get_performance::DESCRIPTOR_LEN)
                    .max(1);
                get_performance::write_speeds(alloc16(count))
            },
            get_performance::alloc_for(1),
            get_performance::alloc_for(255),
            get_performance::announced_len,
        )?;
        let v = PerformanceView::new_checked(&b).map_err(|e| bad(op::GET_PERFORMANCE, e))?;
        Ok(v.write_speeds().collect())
    }

    /// GET PERFORMANCE nominal read performance (type 00h).
    pub fn read_performance(&mut self) -> Result<Vec<Performance>, MmcError> {
        let b = self.read_data(
            get_performance::performance(false, 0, 8),
            get_performance::alloc_for(8),
        )?;
        let v = PerformanceView::new_checked(&b).map_err(|e| bad(op::GET_PERFORMANCE, e))?;
        Ok(v.performance().collect())
    }

    /// Speeds from GET PERFORMANCE and page 2Ah, each part optional (drives lack either).
    pub fn speeds(&mut self) -> Result<Speeds, MmcError> {
        let write_speed_descriptors = self.write_speeds().ok();
        let read_performance = self.read_performance().ok();
        let caps = self.capabilities().ok();
        let (page_write_kbps, page_max_read_kbps, page_max_write_kbps) = match &caps {
            Some(c) => {
                let p = c.page();
                (
                    p.write_speeds().map(|w| w.kbps).collect(),
                    Some(p.max_read_kbps()),
                    p.max_write_kbps(),
                )
            }
            None => (Vec::new(), None, None),
        };
        Ok(Speeds {
            write_speed_descriptors,
            read_performance,
            page_write_kbps,
            page_max_read_kbps,
            page_max_write_kbps,
        })
    }

    /// READ BUFFER CAPACITY (byte form).
    pub fn buffer_capacity(&mut self) -> Result<BufferCapacity, MmcError> {
        let b = self.read_data(
            buffer_capacity::cdb(false, buffer_capacity::LEN as u16),
            buffer_capacity::LEN,
        )?;
        let v =
            BufferCapacityView::new_checked(&b).map_err(|e| bad(op::READ_BUFFER_CAPACITY, e))?;
        Ok(BufferCapacity {
            size: v.buffer_len(),
            free: v.available(),
        })
    }

    /// GET EVENT STATUS NOTIFICATION for the media class.
    pub fn media_event(&mut self) -> Result<Option<MediaStatus>, MmcError> {
        let b = self.read_data(event_status::cdb(event_status::CLASS_MEDIA, 8), 8)?;
        let v = EventStatusView::new_checked(&b)
            .map_err(|e| bad(op::GET_EVENT_STATUS_NOTIFICATION, e))?;
        Ok(v.media().map(|(event, present, tray_open)| MediaStatus {
            event,
            present,
            tray_open,
        }))
    }

    /// MECHANISM STATUS: (door open, fault).
    pub fn mechanism_status(&mut self) -> Result<(bool, bool), MmcError> {
        let b = self.read_data(mechanism_status::cdb(8), 8)?;
        let v = MechanismStatusView::new_checked(&b).map_err(|e| bad(op::MECHANISM_STATUS, e))?;
        Ok((v.door_open(), v.fault()))
    }

    /// START STOP UNIT.
    pub fn start_stop(&mut self, action: StartStop) -> Result<(), MmcError> {
        self.execute(
            start_stop::cdb(action, false),
            DataPhase::None,
            Duration::from_secs(120),
        )
        .map(|_| ())
    }

    /// Opens the tray.
    pub fn eject(&mut self) -> Result<(), MmcError> {
        self.start_stop(StartStop::Eject)
    }

    /// Closes the tray.
    pub fn load(&mut self) -> Result<(), MmcError> {
        self.start_stop(StartStop::Load)
    }

    /// Locks (`true`) or unlocks the tray.
    pub fn lock(&mut self, prevent: bool) -> Result<(), MmcError> {
        self.execute(
            start_stop::prevent_allow(prevent),
            DataPhase::None,
            transport::DEFAULT_TIMEOUT,
        )
        .map(|_| ())
    }

    /// Blocks per command the transport allows (at least 1, at most 65535 for READ(10)).
    pub fn max_blocks(&self) -> usize {
        (self.t.max_transfer() / BLOCK).clamp(1, 0xFFFF)
    }

    /// Reads `buf.len() / 2048` blocks at `lba`, chunked to the transport's limit.
    pub fn read_blocks(&mut self, lba: u32, buf: &mut [u8]) -> Result<(), MmcError> {
        let chunk = self.max_blocks() * BLOCK;
        let mut lba = lba;
        for part in buf.chunks_mut(chunk) {
            let blocks = part.len() / BLOCK;
            if blocks == 0 {
                break;
            }
            let want = blocks * BLOCK;
            let part = &mut part[..want];
            let n = self.execute(
                read::read10(lba, blocks as u16),
                DataPhase::In(part),
                transport::DEFAULT_TIMEOUT,
            )?;
            if n < want {
                return Err(bad(
                    op::READ_10,
                    ParseError::Short {
                        what: "READ(10) data",
                        len: n,
                        need: want,
                    },
                ));
            }
            lba = lba.wrapping_add(blocks as u32);
        }
        Ok(())
    }

    /// Writes `data` (a multiple of 2048 bytes) at `lba` with WRITE(10), chunked.
    pub fn write_blocks(&mut self, lba: u32, data: &[u8]) -> Result<(), MmcError> {
        let chunk = self.max_blocks() * BLOCK;
        let mut lba = lba;
        for part in data.chunks(chunk) {
            let blocks = part.len() / BLOCK;
            if blocks == 0 {
                break;
            }
            self.execute(
                write::write10(lba, blocks as u16),
                DataPhase::Out(&part[..blocks * BLOCK]),
                Duration::from_secs(120),
            )?;
            lba = lba.wrapping_add(blocks as u32);
        }
        Ok(())
    }

    /// SYNCHRONIZE CACHE, waiting for completion.
    pub fn synchronize_cache(&mut self) -> Result<(), MmcError> {
        self.execute(
            write::synchronize_cache(false),
            DataPhase::None,
            LONG_TIMEOUT,
        )
        .map(|_| ())
    }
}

/// The write-path commands (MMC-6 §4.3 "Recording"): thin wrappers with the policy applied.
impl<T: Transport> Drive<T> {
    /// CLOSE TRACK/SESSION with `function` for track or session `number`, waiting for
    /// completion.
    pub fn close(&mut self, function: CloseFunction, number: u16) -> Result<(), MmcError> {
        self.execute(
            close::cdb(function, number, false),
            DataPhase::None,
            LONG_TIMEOUT,
        )
        .map(|_| ())
    }

    /// RESERVE TRACK of `blocks` blocks.
    pub fn reserve_track(&mut self, blocks: u32) -> Result<(), MmcError> {
        self.execute(
            reserve_track::by_size(blocks),
            DataPhase::None,
            LONG_TIMEOUT,
        )
        .map(|_| ())
    }

    /// BLANK, waiting for completion.
    pub fn blank(&mut self, kind: BlankType) -> Result<(), MmcError> {
        self.execute(
            blank_format::blank(kind, false),
            DataPhase::None,
            LONG_TIMEOUT,
        )
        .map(|_| ())
    }

    /// FORMAT UNIT with one format descriptor; with `immed` set, poll with
    /// [`Drive::wait_long_operation`].
    pub fn format(&mut self, req: &FormatRequest) -> Result<(), MmcError> {
        let params = req.params();
        self.execute(req.cdb(), DataPhase::Out(&params), LONG_TIMEOUT)
            .map(|_| ())
    }

    /// MODE SELECT of page 05h write parameters.
    pub fn set_write_parameters(&mut self, w: &WriteParameters) -> Result<(), MmcError> {
        self.mode_select(&w.select_data())
    }

    /// SET CD SPEED (kB/s; 0xFFFF = fastest).
    pub fn set_cd_speed(&mut self, read_kbps: u16, write_kbps: u16) -> Result<(), MmcError> {
        self.execute(
            speed::set_cd_speed(read_kbps, write_kbps, false),
            DataPhase::None,
            transport::DEFAULT_TIMEOUT,
        )
        .map(|_| ())
    }

    /// SET STREAMING with one performance descriptor.
    pub fn set_streaming(&mut self, p: &StreamingPerformance) -> Result<(), MmcError> {
        let b = p.to_bytes();
        self.execute(
            speed::set_streaming(b.len() as u16),
            DataPhase::Out(&b),
            transport::DEFAULT_TIMEOUT,
        )
        .map(|_| ())
    }
}

impl<T: Transport> isofs::SectorSource for Drive<T> {
    fn read_sectors(&mut self, lba: u32, buf: &mut [u8]) -> io::Result<()> {
        if !buf.len().is_multiple_of(BLOCK) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("read of {} bytes is not a multiple of 2048", buf.len()),
            ));
        }
        self.read_blocks(lba, buf)
            .map_err(|e| io::Error::other(format!("LBA {lba}: {e}")))
    }

    fn sector_count(&mut self) -> io::Result<Option<u64>> {
        match self.read_capacity() {
            Ok((last, _)) => Ok(Some(u64::from(last) + 1)),
            Err(e) if e.is_illegal_request() => Ok(None),
            Err(e) => Err(io::Error::other(e.to_string())),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::time::Duration;
    use transport::fault::{FaultError, FaultInjector};
    use transport::{Completion, TransportError};

    /// A tiny scripted peer for policy tests where no real drive fits: answers by CDB
    /// prefix, serves READ(10)/READ CAPACITY from an in-memory image, and answers anything
    /// else ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE.
    #[derive(Debug, Default)]
    pub(crate) struct Fake {
        pub answers: Vec<(Vec<u8>, Vec<u8>)>,
        pub image: Vec<u8>,
        pub max: usize,
        pub log: Vec<Vec<u8>>,
    }

    impl Fake {
        pub fn new() -> Self {
            Fake {
                max: 65536,
                ..Default::default()
            }
        }
        pub fn answer(mut self, prefix: &[u8], data: &[u8]) -> Self {
            self.answers.push((prefix.to_vec(), data.to_vec()));
            self
        }
    }

    impl Transport for Fake {
        fn execute(&mut self, req: Request<'_>) -> Result<Completion, TransportError> {
            let cdb = req.cdb.as_bytes().to_vec();
            self.log.push(cdb.clone());
            let d = Duration::ZERO;
            let data: Vec<u8> = match cdb[0] {
                0x28 => {
                    let lba = u32::from_be_bytes([cdb[2], cdb[3], cdb[4], cdb[5]]) as usize;
                    let n = usize::from(u16::from_be_bytes([cdb[7], cdb[8]]));
                    match self.image.get(lba * BLOCK..(lba + n) * BLOCK) {
                        Some(b) => b.to_vec(),
                        None => {
                            return Ok(Completion::check_condition(
                                Sense::fixed(SenseKey::IllegalRequest, 0x21, 0),
                                d,
                            ))
                        }
                    }
                }
                0x25 if !self.image.is_empty() => {
                    let last = (self.image.len() / BLOCK - 1) as u32;
                    let mut b = last.to_be_bytes().to_vec();
                    b.extend_from_slice(&2048u32.to_be_bytes());
                    b
                }
                0x00 => Vec::new(),
                _ => match self.answers.iter().find(|(p, _)| cdb.starts_with(p)) {
                    Some((_, a)) => a.clone(),
                    None => {
                        return Ok(Completion::check_condition(
                            Sense::fixed(SenseKey::IllegalRequest, 0x20, 0),
                            d,
                        ))
                    }
                },
            };
            let mut c = Completion::good(d);
            if let DataPhase::In(buf) = req.data {
                let n = data.len().min(buf.len());
                buf[..n].copy_from_slice(&data[..n]);
                c.residual = buf.len() - n;
            }
            Ok(c)
        }
        fn max_transfer(&self) -> usize {
            self.max
        }
        fn name(&self) -> &str {
            "fake"
        }
    }

    pub(crate) fn quick<T: Transport>(t: T) -> Drive<T> {
        let mut d = Drive::new(t);
        d.poll_interval = Duration::ZERO;
        d.ready_wait = Duration::from_millis(20);
        d
    }

    fn capacity_fake() -> Fake {
        let mut f = Fake::new();
        f.image = vec![0u8; 10 * BLOCK];
        f
    }

    #[test]
    fn unit_attention_is_retried_once() {
        let t = FaultInjector::new(capacity_fake())
            .on_opcode(0x25)
            .once()
            .check_condition(SenseKey::UnitAttention, 0x28, 0x00);
        let mut d = quick(t);
        assert_eq!(d.read_capacity().unwrap(), (9, 2048));
        let t = FaultInjector::new(capacity_fake())
            .on_opcode(0x25)
            .times(2)
            .check_condition(SenseKey::UnitAttention, 0x29, 0x00);
        let mut d = quick(t);
        let e = d.read_capacity().unwrap_err();
        assert!(matches!(e, MmcError::Check { .. }), "{e}");
        assert!(
            e.to_string()
                .starts_with("READ CAPACITY (25h): UNIT ATTENTION"),
            "{e}"
        );
    }

    #[test]
    fn becoming_ready_is_waited_out_and_bounded() {
        let t = FaultInjector::new(capacity_fake())
            .on_opcode(0x25)
            .times(3)
            .check_condition(SenseKey::NotReady, 0x04, 0x01);
        let mut d = quick(t);
        assert_eq!(d.read_capacity().unwrap().0, 9);
        let t = FaultInjector::new(capacity_fake())
            .on_opcode(0x25)
            .always()
            .check_condition(SenseKey::NotReady, 0x04, 0x01);
        let mut d = quick(t);
        let e = d.read_capacity().unwrap_err();
        assert!(matches!(e, MmcError::NotReady { .. }), "{e}");
        assert!(e.to_string().contains("still not ready"), "{e}");
        // MEDIUM NOT PRESENT is not waited for.
        let t = FaultInjector::new(capacity_fake())
            .on_opcode(0x25)
            .check_condition(SenseKey::NotReady, 0x3A, 0x00);
        let mut d = quick(t);
        assert_eq!(d.read_capacity().unwrap_err().sense().unwrap().asc, 0x3A);
        assert_eq!(d.transport().inner().log.len(), 0);
    }

    #[test]
    fn recovered_error_is_success() {
        let t = FaultInjector::new(capacity_fake())
            .on_opcode(0x00)
            .check_condition(SenseKey::RecoveredError, 0x17, 0x01);
        assert!(quick(t).test_unit_ready().is_ok());
    }

    #[test]
    fn missing_command_is_not_supported() {
        let mut d = quick(Fake::new());
        let e = d.buffer_capacity().unwrap_err();
        assert!(e.is_not_supported());
        assert_eq!(
            e.to_string(),
            "READ BUFFER CAPACITY (5Ch): not supported by this drive"
        );
    }

    #[test]
    fn short_answer_names_command_and_lengths() {
        let di = [
            0u8, 32, 0x0E, 1, 1, 1, 1, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
        ];
        let t = FaultInjector::new(Fake::new().answer(&[0x51], &di))
            .on_opcode(0x51)
            .short(10);
        let mut d = quick(t);
        let e = d.disc_info().unwrap_err();
        assert_eq!(
            e.to_string(),
            "READ DISC INFORMATION (51h): disc information: short answer: 10 bytes, need at least 34"
        );
        // A transport error names the command too.
        let t = FaultInjector::new(capacity_fake())
            .on_opcode(0x25)
            .error(FaultError::Timeout);
        let e = quick(t).read_capacity().unwrap_err();
        assert!(e.to_string().starts_with("READ CAPACITY (25h): "), "{e}");
        // BUSY status.
        let t = FaultInjector::new(capacity_fake())
            .on_opcode(0x25)
            .status(ScsiStatus::Busy);
        assert_eq!(
            quick(t).read_capacity().unwrap_err().to_string(),
            "READ CAPACITY (25h): status BUSY"
        );
        // Malformed sense.
        let t = FaultInjector::new(capacity_fake())
            .on_opcode(0x25)
            .sense(vec![0x12]);
        assert!(matches!(
            quick(t).read_capacity().unwrap_err(),
            MmcError::BadSense { .. }
        ));
    }

    #[test]
    fn allocation_length_is_re_asked() {
        // 8 features of 8 bytes: the first GET CONFIGURATION (8 bytes) sees 72 announced.
        let mut cfg = vec![0u8, 0, 0, 68, 0, 0, 0, 0x09];
        for code in 1u16..=8 {
            cfg.extend_from_slice(&code.to_be_bytes());
            cfg.extend_from_slice(&[0x03, 4, 0, 0, 0, 1]);
        }
        let mut d = quick(Fake::new().answer(&[0x46], &cfg));
        let f = d.features().unwrap();
        assert_eq!(f.len(), 8);
        let log = &d.transport().log;
        assert_eq!(log.len(), 2);
        assert_eq!(u16::from_be_bytes([log[0][7], log[0][8]]), 8);
        assert_eq!(u16::from_be_bytes([log[1][7], log[1][8]]), 72);
        assert_eq!(d.current_profile().unwrap(), Profile::CdR);
    }

    #[test]
    fn reads_are_chunked_to_the_transport_limit() {
        let mut f = Fake::new();
        f.max = 2 * BLOCK;
        f.image = (0..10 * BLOCK).map(|i| (i / BLOCK) as u8).collect();
        let mut d = quick(f);
        let mut buf = vec![0u8; 5 * BLOCK];
        d.read_blocks(3, &mut buf).unwrap();
        assert_eq!(buf[0], 3);
        assert_eq!(buf[4 * BLOCK], 7);
        let lbas: Vec<(u8, u8)> = d.transport().log.iter().map(|c| (c[5], c[8])).collect();
        assert_eq!(lbas, vec![(3, 2), (5, 2), (7, 1)]);
        // SectorSource for isofs.
        let mut s = vec![0u8; BLOCK];
        isofs::SectorSource::read_sectors(&mut d, 9, &mut s).unwrap();
        assert_eq!(s[0], 9);
        assert_eq!(isofs::SectorSource::sector_count(&mut d).unwrap(), Some(10));
        assert!(isofs::SectorSource::read_sectors(&mut d, 0, &mut [0u8; 100]).is_err());
        // A short READ is an error, not silently short data.
        let t = FaultInjector::new(d.into_inner())
            .on_opcode(0x28)
            .short(100);
        let mut d = quick(t);
        let e = d.read_blocks(0, &mut buf[..BLOCK]).unwrap_err();
        assert!(e.to_string().contains("READ(10) (28h)"), "{e}");
    }

    #[test]
    fn garbage_answers_never_panic() {
        let di = [0u8; 34];
        let base = || {
            let mut f = Fake::new()
                .answer(&[0x51], &di)
                .answer(&[0x52], &[0u8; 48])
                .answer(&[0x43], &[0u8; 64])
                .answer(&[0x46], &[0u8; 64])
                .answer(&[0x5A], &[0u8; 64])
                .answer(&[0xAC], &[0u8; 64])
                .answer(&[0x5C], &[0u8; 12])
                .answer(&[0x4A], &[0u8; 8])
                .answer(&[0xBD], &[0u8; 8])
                .answer(&[0x23], &[0u8; 32])
                .answer(&[0x12], &[0u8; 96]);
            f.image = vec![0u8; 40 * BLOCK];
            f
        };
        for seed in 0..300u64 {
            let t = FaultInjector::new(base()).on_any().garbage(seed);
            let mut d = quick(t);
            let _ = d.identify();
            let _ = d.capabilities();
            let _ = d.current_profile();
            let _ = d.profiles();
            let _ = d.features();
            let _ = d
                .disc_info()
                .map(|x| (x.view().sessions(), x.view().disc_status()));
            let _ = d
                .track_info(TrackAddress::Track(0xFF))
                .map(|t| t.view().nwa());
            let _ = d.toc(false);
            let _ = d.toc(true);
            let _ = d.session_info();
            let _ = d.full_toc();
            let _ = d.atip();
            let _ = d.speeds();
            let _ = d.buffer_capacity();
            let _ = d.media_event();
            let _ = d.mechanism_status();
            let _ = d.format_capacities();
            let _ = crate::msinfo::msinfo(&mut d);
        }
    }
}

/// The policy and every report method against the emulated drive (the `emu` crate), a real
/// peer answering as MMC-6 says, with its injected conditions (not_ready, unit_attention,
/// max_transfer).
#[cfg(test)]
mod emu_tests {
    use super::*;
    use emu::EmuDrive;

    fn emu(profile: &str, extra: &[(&str, &str)]) -> (tempfile::TempDir, Drive<EmuDrive>) {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = vec![("profile".to_string(), profile.to_string())];
        opts.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let t = emu::open(&dir.path().join("disc.img"), &opts).unwrap();
        let mut d = Drive::new(t);
        d.poll_interval = Duration::ZERO;
        (dir, d)
    }

    #[test]
    fn not_ready_and_unit_attention_are_handled() {
        let (_dir, mut d) = emu("cd-r", &[("not_ready", "3")]);
        assert_eq!(d.current_profile().unwrap(), Profile::CdR);
        let (_dir, mut d) = emu("dvd+r", &[("unit_attention", "1")]);
        assert_eq!(d.current_profile().unwrap(), Profile::DvdPlusR);
        // Without waiting, NOT READY surfaces with its sense.
        let (_dir, mut d) = emu("cd-r", &[("not_ready", "2")]);
        let e = d.test_unit_ready().unwrap_err();
        assert_eq!(
            e.sense().map(|s| (s.asc, s.ascq)),
            Some((0x04, 0x01)),
            "{e}"
        );
    }

    #[test]
    fn writes_and_reads_are_chunked_to_max_transfer() {
        let (_dir, mut d) = emu("dvd+rw", &[("max_transfer", "8192")]);
        assert_eq!(d.max_blocks(), 4);
        let data: Vec<u8> = (0..10 * BLOCK)
            .map(|i| (i / BLOCK) as u8 ^ (i as u8))
            .collect();
        d.write_blocks(100, &data).unwrap();
        d.synchronize_cache().unwrap();
        let mut back = vec![0u8; 10 * BLOCK];
        d.read_blocks(100, &mut back).unwrap();
        assert!(back == data, "read back differs");
        let mut s = vec![0u8; 3 * BLOCK];
        isofs::SectorSource::read_sectors(&mut d, 101, &mut s).unwrap();
        assert_eq!(s[..], data[BLOCK..4 * BLOCK]);
    }

    #[test]
    fn every_report_on_every_medium() {
        for profile in [
            "cd-r", "cd-rw", "dvd-r", "dvd+r", "dvd+r-dl", "dvd+rw", "bd-r", "bd-re",
        ] {
            let (_dir, mut d) = emu(profile, &[]);
            let id = d.identify().unwrap();
            assert_eq!(id.device_type, 5, "{profile}");
            let p = d.current_profile().unwrap();
            assert!(p.writable(), "{profile}: {p}");
            let profiles = d.profiles().unwrap();
            assert!(
                profiles.iter().any(|e| e.current && e.profile == p),
                "{profile}: {profiles:?}"
            );
            let f = d.features().unwrap();
            assert!(
                f.iter().any(|f| f.code == 1 && f.current),
                "{profile}: core feature"
            );
            let caps = d.capabilities().unwrap();
            assert!(caps.page().buffer_kib() > 0, "{profile}");
            let di = d.disc_info().unwrap();
            assert!(di.view().sessions() >= 1, "{profile}");
            let s = d.speeds().unwrap();
            assert!(
                s.write_speed_descriptors.is_some_and(|w| !w.is_empty()),
                "{profile}"
            );
            let b = d.buffer_capacity().unwrap();
            assert!(b.size >= b.free, "{profile}");
            let _ = d.media_event().unwrap();
            let (door_open, fault) = d.mechanism_status().unwrap();
            assert!(!door_open && !fault, "{profile}");
            if p.is_cd() {
                let a = d.atip().unwrap();
                assert_eq!(a.leadin_start.m, 97, "{profile}: lead-in minute");
                assert_eq!(a.erasable, p == Profile::CdRw, "{profile}");
                if p == Profile::CdR {
                    // The emulated CD-R's lead-in 97:26:66 is CMC Magnetics in cdrecord's table.
                    assert_eq!(
                        a.manufacturer.name, "CMC Magnetics Corporation",
                        "{profile}"
                    );
                }
            }
            // Eject makes media commands NOT READY, MEDIUM NOT PRESENT; load brings it back.
            d.eject().unwrap();
            let e = d.disc_info().unwrap_err();
            assert_eq!(e.sense().map(|s| s.asc), Some(0x3A), "{profile}: {e}");
            assert!(matches!(
                crate::msinfo::msinfo(&mut d),
                Err(crate::msinfo::MsinfoError::NoMedium)
            ));
            d.load().unwrap();
            d.lock(true).unwrap();
            d.lock(false).unwrap();
            assert_eq!(d.current_profile().unwrap(), p);
        }
    }
}
