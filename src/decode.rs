//! Bytes to text: decompression by magic bytes, and decoding of UTF-8 and
//! UTF-16 (with a byte order mark, or recognised by its NUL bytes).
//!
//! Nothing here fails on bad input: invalid sequences become U+FFFD and the
//! [`Decoded`] result says so, so that a caller can warn and count.
//!
//! ```
//! use deboil::decode::{Encoding, decode};
//!
//! let d = decode(b"caf\xC3\xA9\n".to_vec());
//! assert_eq!((d.text.as_str(), d.encoding, d.lossy), ("café\n", Encoding::Utf8, false));
//!
//! // UTF-16LE without a byte order mark.
//! let bytes: Vec<u8> = "Hello, world\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
//! let d = decode(bytes);
//! assert_eq!((d.text.as_str(), d.encoding), ("Hello, world\n", Encoding::Utf16LeGuessed));
//! ```

use std::io::{self, BufRead, BufReader, Read};

/// The first bytes of a gzip member.
pub const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
/// The first bytes of a zstd frame.
pub const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// Wrap `rdr` in a gzip (multi-member) or zstd decoder when its first bytes
/// are that format's magic number; otherwise return it as it is.
pub fn decompress<'a, R: BufRead + Send + 'a>(
    mut rdr: R,
) -> io::Result<Box<dyn BufRead + Send + 'a>> {
    let head = rdr.fill_buf()?;
    if head.starts_with(GZIP_MAGIC) {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(rdr),
        )))
    } else if head.starts_with(ZSTD_MAGIC) {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            zstd::Decoder::with_buffer(rdr)?,
        )))
    } else {
        Ok(Box::new(rdr))
    }
}

/// `rdr.fill_buf()`, retried when a signal interrupts it.
pub fn fill_buf(rdr: &mut (impl BufRead + ?Sized)) -> io::Result<&[u8]> {
    loop {
        match rdr.fill_buf() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
            Ok(_) => break,
        }
    }
    rdr.fill_buf()
}

/// Read `rdr` to its end, or fail with [`io::ErrorKind::FileTooLarge`] once it
/// yields more than `limit` bytes (a decompression bomb stops there).
pub fn read_limited(rdr: impl Read, limit: u64, buf: &mut Vec<u8>) -> io::Result<()> {
    let start = buf.len();
    rdr.take(limit.saturating_add(1)).read_to_end(buf)?;
    if (buf.len() - start) as u64 > limit {
        buf.truncate(start);
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("more than {limit} bytes"),
        ));
    }
    Ok(())
}

/// The encoding a text was decoded from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (with or without a byte order mark, which is kept).
    Utf8,
    /// UTF-16, little endian, with its byte order mark (removed).
    Utf16Le,
    /// UTF-16, big endian, with its byte order mark (removed).
    Utf16Be,
    /// UTF-16LE without a byte order mark, recognised by NULs in odd bytes.
    Utf16LeGuessed,
    /// UTF-16BE without a byte order mark, recognised by NULs in even bytes.
    Utf16BeGuessed,
}

impl Encoding {
    /// True for the encodings recognised without a byte order mark.
    pub fn is_guessed(self) -> bool {
        matches!(self, Encoding::Utf16LeGuessed | Encoding::Utf16BeGuessed)
    }

    /// The encoding's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le | Encoding::Utf16LeGuessed => "UTF-16LE",
            Encoding::Utf16Be | Encoding::Utf16BeGuessed => "UTF-16BE",
        }
    }
}

/// A decoded text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The text, UTF-8.
    pub text: String,
    /// What it was decoded from.
    pub encoding: Encoding,
    /// True when some bytes were no valid text and became U+FFFD.
    pub lossy: bool,
}

/// Bytes examined to recognise UTF-16 without a byte order mark.
const SNIFF_BYTES: usize = 4096;

/// Decode `bytes`: UTF-16 when they start with a UTF-16 byte order mark, or
/// when, without one, NUL bytes fill one byte of most two-byte units and
/// almost none of the other (text in Latin scripts saved as "Unicode"); else
/// UTF-8. Invalid sequences become U+FFFD.
pub fn decode(bytes: Vec<u8>) -> Decoded {
    let encoding = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Encoding::Utf16Le,
        Some([0xFE, 0xFF]) => Encoding::Utf16Be,
        _ => sniff_utf16(&bytes).unwrap_or(Encoding::Utf8),
    };
    let unit: fn([u8; 2]) -> u16 = match encoding {
        Encoding::Utf8 => {
            return match String::from_utf8(bytes) {
                Ok(text) => Decoded {
                    text,
                    encoding,
                    lossy: false,
                },
                Err(e) => Decoded {
                    text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                    encoding,
                    lossy: true,
                },
            };
        }
        Encoding::Utf16Le | Encoding::Utf16LeGuessed => u16::from_le_bytes,
        Encoding::Utf16Be | Encoding::Utf16BeGuessed => u16::from_be_bytes,
    };
    let body = if encoding.is_guessed() {
        &bytes[..]
    } else {
        &bytes[2..]
    };
    let pairs = body.chunks_exact(2);
    // A last byte that is half a code unit.
    let mut lossy = !pairs.remainder().is_empty();
    let half = lossy.then_some(char::REPLACEMENT_CHARACTER);
    let units = pairs.map(|p| unit([p[0], p[1]]));
    let text: String = char::decode_utf16(units)
        .map(|c| {
            c.unwrap_or_else(|_| {
                lossy = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .chain(half)
        .collect();
    Decoded {
        text,
        encoding,
        lossy,
    }
}

/// UTF-16 without a byte order mark: in the first [`SNIFF_BYTES`], at least
/// 8 units, NULs in at least 3 of 10 units' high byte and in at most 1 of 50
/// units' low byte. UTF-8 text holds no NULs, so it is never taken for UTF-16.
fn sniff_utf16(bytes: &[u8]) -> Option<Encoding> {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let units = head.len() / 2;
    if units < 8 {
        return None;
    }
    let (mut even, mut odd) = (0, 0);
    for p in head.chunks_exact(2) {
        even += usize::from(p[0] == 0);
        odd += usize::from(p[1] == 0);
    }
    let looks = |high: usize, low: usize| high * 10 >= units * 3 && low * 50 <= units;
    if looks(odd, even) {
        Some(Encoding::Utf16LeGuessed)
    } else if looks(even, odd) {
        Some(Encoding::Utf16BeGuessed)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, le: bool) -> Vec<u8> {
        s.encode_utf16()
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect()
    }

    #[test]
    fn utf16_without_a_byte_order_mark_is_recognised_in_both_orders() {
        let s = "Ein Absatz über Käse.\nZweite Zeile.\n";
        let le = decode(utf16(s, true));
        assert_eq!(
            (le.text.as_str(), le.encoding, le.lossy),
            (s, Encoding::Utf16LeGuessed, false)
        );
        let be = decode(utf16(s, false));
        assert_eq!(
            (be.text.as_str(), be.encoding, be.lossy),
            (s, Encoding::Utf16BeGuessed, false)
        );
    }

    #[test]
    fn byte_order_marks_are_removed_and_a_half_unit_is_lossy() {
        let mut b = vec![0xFF, 0xFE];
        b.extend(utf16("ab", true));
        b.push(b'c');
        let d = decode(b);
        assert_eq!(
            (d.text.as_str(), d.encoding, d.lossy),
            ("ab\u{FFFD}", Encoding::Utf16Le, true)
        );
    }

    #[test]
    fn text_with_a_few_nuls_or_short_text_stays_utf8() {
        let d = decode(b"plain text with one \0 byte in it, and more words after".to_vec());
        assert_eq!(d.encoding, Encoding::Utf8);
        assert!(!d.lossy);
        assert_eq!(decode(b"a\0b\0".to_vec()).encoding, Encoding::Utf8);
        let d = decode(b"bad \xFF byte".to_vec());
        assert_eq!((d.text.as_str(), d.lossy), ("bad \u{FFFD} byte", true));
    }

    #[test]
    fn chinese_utf16_is_not_guessed_but_does_not_panic() {
        // CJK code units have no NUL byte: without a mark it reads as UTF-8 (lossy).
        let d = decode(utf16("中文文本，没有字节顺序标记。", true));
        assert_eq!(d.encoding, Encoding::Utf8);
    }

    #[test]
    fn read_limited_stops_after_the_limit() {
        let mut buf = Vec::new();
        read_limited(&b"0123456789"[..], 10, &mut buf).unwrap();
        assert_eq!(buf.len(), 10);
        let mut buf = Vec::new();
        let e = read_limited(&b"0123456789"[..], 9, &mut buf).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert!(buf.is_empty());
    }
}
