//! Filling a buffer from a byte stream: the loop `std::io::Read::read` leaves to its caller
//! (a read may return fewer bytes than asked, or fail with `Interrupted`; `Ok(0)` is the end
//! of the stream). Shared by the crates above this one that read image files and sockets:
//! the emulated drive's image file, the iSCSI PDU reader, `discburn verify`'s image.

use std::io::{self, Read};

/// Reads into `buf` until it is full or the stream ends, retrying reads interrupted by a
/// signal; returns how many bytes were read (fewer than `buf.len()` only at the end of the
/// stream).
///
/// ```
/// let mut src: &[u8] = b"abc";
/// let mut buf = [9u8; 5];
/// assert_eq!(transport::io::read_full(&mut src, &mut buf).unwrap(), 3);
/// assert_eq!(&buf[..3], b"abc");
/// ```
pub fn read_full<R: Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Fills `buf` from `r`; what lies beyond the end of the stream reads as zeros (a sparse or
/// short image file holds unwritten blocks that way).
///
/// ```
/// let mut src: &[u8] = b"ab";
/// let mut buf = [9u8; 4];
/// transport::io::read_zero_filled(&mut src, &mut buf).unwrap();
/// assert_eq!(buf, *b"ab\0\0");
/// ```
pub fn read_zero_filled<R: Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> io::Result<()> {
    let got = read_full(r, buf)?;
    buf[got..].fill(0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one byte a call and fails with `Interrupted` every other call.
    struct Trickle<'a> {
        data: &'a [u8],
        interrupt: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            let n = self.data.len().min(buf.len()).min(1);
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn short_and_interrupted_reads_fill_the_buffer() {
        let mut r = Trickle {
            data: b"hello",
            interrupt: false,
        };
        let mut buf = [7u8; 8];
        assert_eq!(read_full(&mut r, &mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], b"hello");
        let mut r = Trickle {
            data: b"hi",
            interrupt: false,
        };
        read_zero_filled(&mut r, &mut buf).unwrap();
        assert_eq!(buf, *b"hi\0\0\0\0\0\0");
    }

    #[test]
    fn other_errors_are_returned() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("gone"))
            }
        }
        let mut buf = [0u8; 4];
        assert_eq!(
            read_full(&mut Broken, &mut buf).unwrap_err().to_string(),
            "gone"
        );
    }
}
