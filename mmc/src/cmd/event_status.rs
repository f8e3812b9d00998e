//! GET EVENT STATUS NOTIFICATION (MMC-6 §6.8): event header (table 113) and the media
//! event descriptor (table 123), polled mode.

use transport::Cdb;

use super::{be, op};
use crate::error::ParseError;

/// Header length.
pub const HEADER_LEN: usize = 4;
/// Media class bit in the notification class request.
pub const CLASS_MEDIA: u8 = 1 << 4;
const DATA_LEN: usize = 0;
const CLASS: usize = 2;
const SUPPORTED: usize = 3;

/// The GET EVENT STATUS NOTIFICATION CDB (Polled=1) for the classes in `request`.
pub fn cdb(request: u8, alloc: u16) -> Cdb {
    let mut c = [0u8; 10];
    c[0] = op::GET_EVENT_STATUS_NOTIFICATION;
    c[1] = 1;
    c[4] = request;
    be::put16(&mut c, 7, alloc);
    Cdb::ten(c)
}

/// Media event code (table 124).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum MediaEvent {
    /// 0h.
    NoChange,
    /// 1h.
    EjectRequest,
    /// 2h.
    NewMedia,
    /// 3h.
    MediaRemoval,
    /// 4h.
    MediaChanged,
    /// 5h.
    BgFormatCompleted,
    /// 6h.
    BgFormatRestarted,
    /// Other.
    Unknown(u8),
}

/// A GET EVENT STATUS NOTIFICATION answer.
#[derive(Debug, Clone, Copy)]
pub struct EventStatusView<'a> {
    b: &'a [u8],
}

impl<'a> EventStatusView<'a> {
    /// Checks the 4-byte header.
    pub fn new_checked(b: &'a [u8]) -> Result<Self, ParseError> {
        ParseError::need("event status header", b, HEADER_LEN)?;
        let end = (usize::from(be::u16_at(b, DATA_LEN)) + HEADER_LEN).clamp(HEADER_LEN, b.len());
        Ok(EventStatusView { b: &b[..end] })
    }
    /// NEA: no event available.
    pub fn no_event_available(&self) -> bool {
        be::bit(self.b, CLASS, 7)
    }
    /// Notification class of the returned event (3 bits; 4 = media).
    pub fn class(&self) -> u8 {
        be::bits(self.b, CLASS, 0, 3)
    }
    /// Supported event classes bitmap.
    pub fn supported(&self) -> u8 {
        be::u8_at(self.b, SUPPORTED)
    }
    /// The media event, when the answer holds a media class descriptor.
    pub fn media(&self) -> Option<(MediaEvent, bool, bool)> {
        if self.no_event_available() || self.class() != 4 || self.b.len() < HEADER_LEN + 4 {
            return None;
        }
        let code = be::bits(self.b, 4, 0, 4);
        let ev = match code {
            0 => MediaEvent::NoChange,
            1 => MediaEvent::EjectRequest,
            2 => MediaEvent::NewMedia,
            3 => MediaEvent::MediaRemoval,
            4 => MediaEvent::MediaChanged,
            5 => MediaEvent::BgFormatCompleted,
            6 => MediaEvent::BgFormatRestarted,
            c => MediaEvent::Unknown(c),
        };
        // (event, media present, tray open)
        Some((ev, be::bit(self.b, 5, 1), be::bit(self.b, 5, 0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qemu_media_event() {
        // QEMU scsi_get_event_status_notification: header 00 04 04 10, new media, present.
        let b = [0x00, 0x04, 0x04, 0x10, 0x02, 0x02, 0x00, 0x00];
        let v = EventStatusView::new_checked(&b).unwrap();
        assert_eq!(v.supported(), 0x10);
        assert_eq!(v.media(), Some((MediaEvent::NewMedia, true, false)));
        // No class requested: 00 00 80 10.
        let v = EventStatusView::new_checked(&[0, 0, 0x80, 0x10]).unwrap();
        assert!(v.no_event_available());
        assert_eq!(v.media(), None);
        assert!(EventStatusView::new_checked(&[0, 0, 0x80]).is_err());
        assert_eq!(
            cdb(CLASS_MEDIA, 8).as_bytes(),
            &[0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8, 0]
        );
    }
}
