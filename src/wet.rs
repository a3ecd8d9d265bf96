//! Common Crawl WET files: the `conversion` records of a WARC file, read one
//! at a time with bounded memory.
//!
//! A WET file (`CC-MAIN-…warc.wet.gz`) is a sequence of WARC records: a
//! `warcinfo` record, then one `conversion` record per page, whose block is
//! the page's text. Common Crawl writes each record as its own gzip member,
//! so [`WetReader`] decompresses a member at a time: a corrupt member costs
//! that record only, and every message names the member's byte offset in
//! the file, the offset a WARC index (CDX) gives. Plain and zstd files are
//! read as one stream, records delimited by their `Content-Length`, and
//! offsets count the decompressed bytes.
//!
//! Why not a WARC crate: the one well-kept crate (`warc`) reads a gzip file
//! as one stream (`MultiGzDecoder`), so a bad record stops the file and the
//! offsets of the compressed members are lost; a WET record needs six
//! header fields and a length, which this module reads in 200 lines over
//! flate2 and zstd, both already dependencies.
//!
//! ```
//! use deboil::wet::{WetItem, WetReader};
//!
//! let body = "A page's text.\n";
//! let file = format!(
//!     "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: https://example.com/a\r\n\
//!      WARC-Record-ID: <urn:uuid:1>\r\nContent-Length: {}\r\n\r\n{body}\r\n\r\n",
//!     body.len()
//! );
//! let mut reader = WetReader::new(file.as_bytes(), 1 << 20)?;
//! let Some(Ok(WetItem::Record(r))) = reader.next() else { panic!() };
//! assert_eq!((r.url.as_deref(), r.text.as_str()), (Some("https://example.com/a"), body));
//! assert!(reader.next().is_none());
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, BufRead, BufReader, Read};

use crate::decode::{GZIP_MAGIC, ZSTD_MAGIC};

/// One `conversion` record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WetRecord {
    /// Byte offset of the record in the file (of its gzip member, in a
    /// gzip file).
    pub offset: u64,
    /// `WARC-Record-ID`, as written (`<urn:uuid:…>`).
    pub id: String,
    /// `WARC-Target-URI`.
    pub url: Option<String>,
    /// `WARC-Date`.
    pub date: Option<String>,
    /// `WARC-Identified-Content-Language` (ISO 639-3 codes, comma-separated).
    pub language: Option<String>,
    /// The record's block: the page's text (invalid UTF-8 replaced by U+FFFD).
    pub text: String,
    /// The block held invalid UTF-8.
    pub invalid_utf8: bool,
}

/// What the reader found at one place in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WetItem {
    /// A `conversion` record.
    Record(WetRecord),
    /// A record of another type (`warcinfo`, `metadata`, …): skipped.
    Other {
        /// Byte offset of the record.
        offset: u64,
        /// Its `WARC-Type`.
        warc_type: String,
    },
    /// A record that could not be read: skipped, the reader goes on at the
    /// next record it can find.
    Malformed {
        /// Byte offset where the record (or its gzip member) starts.
        offset: u64,
        /// What is wrong with it.
        why: String,
    },
}

/// How the file is stored.
enum Body<'a> {
    /// A gzip member per record (or several records per member): each
    /// member is inflated on its own.
    Gzip(Members<Box<dyn BufRead + Send + 'a>>),
    /// One stream (plain or zstd) read record by record.
    Stream(Stream<'a>),
}

/// A plain or decompressed stream, with the offset of its next byte.
struct Stream<'a> {
    rdr: Box<dyn BufRead + Send + 'a>,
    at: u64,
    /// A line read while looking for a record, which starts the next one.
    ahead: Option<Vec<u8>>,
}

/// Reads the `conversion` records of a WET file; an iterator of
/// [`WetItem`]s. An I/O error ends it.
pub struct WetReader<'a> {
    body: Body<'a>,
    /// Records parsed from the current gzip member, still to yield.
    queue: std::collections::VecDeque<WetItem>,
    max_record: u64,
    done: bool,
}

impl<'a> WetReader<'a> {
    /// A reader over `rdr` (gzip, zstd or plain, found by the first bytes);
    /// a record whose block is over `max_record` bytes is skipped as
    /// [`WetItem::Malformed`] without being held in memory.
    pub fn new(mut rdr: impl BufRead + Send + 'a, max_record: u64) -> io::Result<WetReader<'a>> {
        let head = rdr.fill_buf()?;
        let body = if head.starts_with(GZIP_MAGIC) {
            Body::Gzip(Members {
                c: Counted {
                    rdr: Box::new(rdr),
                    at: 0,
                },
                z: flate2::Decompress::new(false),
                buf: Vec::new(),
            })
        } else if head.starts_with(ZSTD_MAGIC) {
            let z = zstd::Decoder::with_buffer(rdr)?;
            Body::Stream(Stream {
                rdr: Box::new(BufReader::with_capacity(1 << 16, z)),
                at: 0,
                ahead: None,
            })
        } else {
            Body::Stream(Stream {
                rdr: Box::new(rdr),
                at: 0,
                ahead: None,
            })
        };
        Ok(WetReader {
            body,
            queue: Default::default(),
            max_record,
            done: false,
        })
    }
}

impl WetReader<'_> {
    /// Bytes read from the file so far (decompressed bytes, in a zstd file).
    pub fn offset(&self) -> u64 {
        match &self.body {
            Body::Gzip(m) => m.c.at,
            Body::Stream(s) => s.at,
        }
    }
}

impl Iterator for WetReader<'_> {
    type Item = io::Result<WetItem>;

    fn next(&mut self) -> Option<io::Result<WetItem>> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(Ok(item));
            }
            if self.done {
                return None;
            }
            let step = match &mut self.body {
                Body::Gzip(m) => next_member(m, self.max_record, &mut self.queue),
                Body::Stream(s) => next_in_stream(s, self.max_record, &mut self.queue),
            };
            match step {
                Ok(true) => {}
                Ok(false) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// A reader that counts the bytes consumed from it.
struct Counted<R> {
    rdr: R,
    at: u64,
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.rdr.read(buf)?;
        self.at += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.rdr.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.at += n as u64;
        self.rdr.consume(n);
    }
}

/// The gzip members of a file, inflated one at a time by one raw inflater
/// and into one buffer, both reused from member to member (a decoder and a
/// buffer made per member cost more than the inflating of a typical
/// record). The member's header and trailer are read here; the trailer's
/// CRC-32 and length are checked.
struct Members<R> {
    c: Counted<R>,
    z: flate2::Decompress,
    /// Initialised once and grown as members need: inflating into a
    /// vector's spare capacity would zero it on every call.
    buf: Vec<u8>,
}

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

/// Read a gzip member's header (RFC 1952), leaving `c` at its deflate data.
fn gzip_header(c: &mut impl BufRead) -> io::Result<()> {
    let mut head = [0u8; 10];
    c.read_exact(&mut head)?;
    if head[..2] != GZIP_MAGIC[..2] || head[2] != 8 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a gzip member (bad magic bytes or method)",
        ));
    }
    let flags = head[3];
    if flags & FEXTRA != 0 {
        let mut len = [0u8; 2];
        c.read_exact(&mut len)?;
        io::copy(
            &mut c.by_ref().take(u64::from(u16::from_le_bytes(len))),
            &mut io::sink(),
        )?;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let mut field = Vec::new();
            c.read_until(0, &mut field)?;
            if field.last() != Some(&0) {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }
    if flags & FHCRC != 0 {
        c.read_exact(&mut [0u8; 2])?;
    }
    Ok(())
}

/// Inflate one member into `m.buf` (at most `limit` bytes kept; the rest is
/// inflated and thrown away); the number of bytes it held, which is over
/// `limit` when it was too large (and then not kept whole).
fn inflate_member<R: BufRead>(m: &mut Members<R>, limit: u64) -> io::Result<u64> {
    gzip_header(&mut m.c)?;
    m.z.reset(false);
    if m.buf.len() > 1 << 22 {
        // A huge member does not keep its room for the rest of the file.
        m.buf = Vec::new();
    }
    if m.buf.is_empty() {
        // Room for a typical record at once.
        m.buf.resize(1 << 18, 0);
    }
    let mut crc = crc32fast::Hasher::new();
    let (mut pos, mut total) = (0usize, 0u64);
    loop {
        if pos == m.buf.len() {
            if total + (pos as u64) <= limit {
                let grown = m.buf.len() * 2;
                m.buf.resize(grown, 0);
            } else {
                // Too large: inflated on into the same room, kept nowhere.
                total += pos as u64;
                pos = 0;
            }
        }
        let input = m.c.fill_buf()?;
        if input.is_empty() {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let (in0, out0) = (m.z.total_in(), m.z.total_out());
        let status =
            m.z.decompress(input, &mut m.buf[pos..], flate2::FlushDecompress::None)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let read = (m.z.total_in() - in0) as usize;
        let wrote = (m.z.total_out() - out0) as usize;
        m.c.consume(read);
        crc.update(&m.buf[pos..pos + wrote]);
        pos += wrote;
        match status {
            flate2::Status::StreamEnd => break,
            _ if read == 0 && wrote == 0 && pos < m.buf.len() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the deflate stream makes no progress",
                ));
            }
            _ => {}
        }
    }
    total += pos as u64;
    let mut trailer = [0u8; 8];
    m.c.read_exact(&mut trailer)?;
    let (want_crc, want_len) = (
        u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]),
        u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]),
    );
    if crc.finalize() != want_crc || total as u32 != want_len {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "its CRC-32 or length does not match its trailer",
        ));
    }
    // Under the limit nothing was thrown away: `total` bytes are at the
    // buffer's start.
    Ok(total)
}

/// Inflate the next gzip member and queue its records; `false` at the end
/// of the file.
fn next_member<R: BufRead>(
    m: &mut Members<R>,
    max_record: u64,
    queue: &mut std::collections::VecDeque<WetItem>,
) -> io::Result<bool> {
    if m.c.fill_buf()?.is_empty() {
        return Ok(false);
    }
    let offset = m.c.at;
    // A member is one record's headers and block: the limit leaves room
    // for the headers.
    let limit = max_record.saturating_add(64 << 10);
    match inflate_member(m, limit) {
        Ok(n) if n > limit => {
            queue.push_back(WetItem::Malformed {
                offset,
                why: format!("record larger than the limit ({max_record} bytes); skipped"),
            });
        }
        Ok(n) => {
            let mut s = Stream {
                rdr: Box::new(&m.buf[..n as usize]),
                at: 0,
                ahead: None,
            };
            let first = queue.len();
            while next_in_stream(&mut s, max_record, queue)? {}
            // Every record of the member is named by the member's offset.
            for item in queue.iter_mut().skip(first) {
                match item {
                    WetItem::Record(r) => r.offset = offset,
                    WetItem::Other { offset: o, .. } | WetItem::Malformed { offset: o, .. } => {
                        *o = offset
                    }
                }
            }
        }
        Err(e) => return bad_member(&mut m.c, offset, e, queue),
    }
    Ok(true)
}

/// A member that did not inflate: reported, then the reader looks for the
/// next member's magic bytes after its start.
fn bad_member<R: BufRead>(
    c: &mut Counted<R>,
    offset: u64,
    e: io::Error,
    queue: &mut std::collections::VecDeque<WetItem>,
) -> io::Result<bool> {
    let truncated = e.kind() == io::ErrorKind::UnexpectedEof;
    queue.push_back(WetItem::Malformed {
        offset,
        why: if truncated {
            "gzip member cut short (the file ends inside it); skipped".to_string()
        } else {
            format!("gzip member does not inflate ({e}); skipped, reading on at the next member")
        },
    });
    if truncated {
        // Nothing is left to read.
        loop {
            let n = c.fill_buf()?.len();
            if n == 0 {
                return Ok(false);
            }
            c.consume(n);
        }
    }
    // Look for the next member: `1f 8b 08` past where this one failed (at
    // least a byte past its start, so that a member that fails without
    // reading a byte cannot be found again). A magic split between two
    // buffers is not seen: the member it starts is skipped with this one.
    if c.at == offset {
        c.consume(1);
    }
    loop {
        let avail = c.fill_buf()?;
        if avail.is_empty() {
            return Ok(false);
        }
        if let Some(p) = memchr::memmem::find(avail, &[0x1f, 0x8b, 0x08]) {
            c.consume(p);
            return Ok(true);
        }
        let n = avail.len();
        c.consume(n);
    }
}

/// Read the next record of a stream into `queue`; `false` at its end.
fn next_in_stream(
    s: &mut Stream<'_>,
    max_record: u64,
    queue: &mut std::collections::VecDeque<WetItem>,
) -> io::Result<bool> {
    // Find the version line, skipping blank lines between records.
    let mut line = s.ahead.take().unwrap_or_default();
    let mut offset = s.at - line.len() as u64;
    loop {
        if line.is_empty() {
            offset = s.at;
            if read_line(s, &mut line, 1 << 16)? == 0 {
                return Ok(false);
            }
        }
        if trim_eol(&line).is_empty() {
            line.clear();
            continue;
        }
        break;
    }
    if !line.starts_with(b"WARC/") {
        let why = format!(
            "expected a WARC record (\"WARC/1.0\"), found {:?}; skipped to the next record",
            String::from_utf8_lossy(&trim_eol(&line)[..trim_eol(&line).len().min(40)])
        );
        queue.push_back(WetItem::Malformed { offset, why });
        return resync(s);
    }
    // Headers, up to the blank line.
    let mut warc_type = None;
    let mut id = None;
    let mut url = None;
    let mut date = None;
    let mut language = None;
    let mut length = None;
    loop {
        line.clear();
        if read_line(s, &mut line, 1 << 16)? == 0 {
            queue.push_back(WetItem::Malformed {
                offset,
                why: "the file ends inside the record's headers; skipped".into(),
            });
            return Ok(false);
        }
        let l = trim_eol(&line);
        if l.is_empty() {
            break;
        }
        if l.starts_with(b"WARC/") {
            queue.push_back(WetItem::Malformed {
                offset,
                why: "headers without the blank line that ends them; skipped".into(),
            });
            s.ahead = Some(std::mem::take(&mut line));
            return Ok(true);
        }
        let Some(colon) = memchr::memchr(b':', l) else {
            continue;
        };
        let value = String::from_utf8_lossy(&l[colon + 1..]).trim().to_string();
        let name = &l[..colon];
        if name.eq_ignore_ascii_case(b"WARC-Type") {
            warc_type = Some(value);
        } else if name.eq_ignore_ascii_case(b"WARC-Record-ID") {
            id = Some(value);
        } else if name.eq_ignore_ascii_case(b"WARC-Target-URI") {
            url = Some(value);
        } else if name.eq_ignore_ascii_case(b"WARC-Date") {
            date = Some(value);
        } else if name.eq_ignore_ascii_case(b"WARC-Identified-Content-Language") {
            language = Some(value);
        } else if name.eq_ignore_ascii_case(b"Content-Length") {
            length = Some(value);
        }
    }
    let Some(length) = length.as_deref().and_then(|v| v.parse::<u64>().ok()) else {
        let why = match length {
            None => "no Content-Length header; skipped to the next record".to_string(),
            Some(v) => {
                format!("Content-Length {v:?} is not a byte count; skipped to the next record")
            }
        };
        queue.push_back(WetItem::Malformed { offset, why });
        return resync(s);
    };
    let warc_type = warc_type.unwrap_or_default();
    let keep = warc_type == "conversion" && length <= max_record;
    let mut block = Vec::new();
    let got = if keep {
        block.reserve(length as usize);
        (&mut s.rdr).take(length).read_to_end(&mut block)? as u64
    } else {
        io::copy(&mut (&mut s.rdr).take(length), &mut io::sink())?
    };
    s.at += got;
    if got < length {
        queue.push_back(WetItem::Malformed {
            offset,
            why: format!("Content-Length {length}, but the record ends after {got} bytes; skipped"),
        });
        return Ok(false);
    }
    // The block is followed by two line ends (the end of the file may come
    // first): anything else means the length was wrong.
    let sep_at = s.at;
    let mut ends = 0;
    while ends < 2 {
        line.clear();
        if read_line(s, &mut line, 1 << 16)? == 0 || !trim_eol(&line).is_empty() {
            break;
        }
        ends += 1;
    }
    if ends < 2 && !line.is_empty() {
        queue.push_back(WetItem::Malformed {
            offset,
            why: format!(
                "Content-Length {length} does not end the record (it is followed by data, not a blank line, at byte {sep_at}); skipped to the next record"
            ),
        });
        if line.starts_with(b"WARC/") {
            s.ahead = Some(line);
            return Ok(true);
        }
        return resync(s);
    }
    if warc_type != "conversion" {
        queue.push_back(WetItem::Other { offset, warc_type });
    } else if !keep {
        queue.push_back(WetItem::Malformed {
            offset,
            why: format!("record larger than the limit ({max_record} bytes); skipped"),
        });
    } else {
        let (text, invalid_utf8) = match String::from_utf8(block) {
            Ok(t) => (t, false),
            Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
        };
        queue.push_back(WetItem::Record(WetRecord {
            offset,
            id: id.unwrap_or_default(),
            url,
            date,
            language,
            text,
            invalid_utf8,
        }));
    }
    Ok(true)
}

/// Skip lines up to the next that starts a record (kept for the next call).
fn resync(s: &mut Stream<'_>) -> io::Result<bool> {
    let mut line = Vec::new();
    loop {
        line.clear();
        if read_line(s, &mut line, 1 << 16)? == 0 {
            return Ok(false);
        }
        if line.starts_with(b"WARC/1.") {
            s.ahead = Some(line);
            return Ok(true);
        }
    }
}

/// Read a line (through `\n`) into `line`, at most `max` bytes of it kept
/// (the rest is read and dropped); the bytes read, 0 at the end.
fn read_line(s: &mut Stream<'_>, line: &mut Vec<u8>, max: usize) -> io::Result<usize> {
    let mut total = 0;
    loop {
        let avail = crate::decode::fill_buf(&mut s.rdr)?;
        if avail.is_empty() {
            break;
        }
        let (n, end) = match memchr::memchr(b'\n', avail) {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        let room = max.saturating_sub(line.len()).min(n);
        line.extend_from_slice(&avail[..room]);
        s.rdr.consume(n);
        total += n;
        if end {
            break;
        }
    }
    s.at += total as u64;
    Ok(total)
}

fn trim_eol(l: &[u8]) -> &[u8] {
    let mut end = l.len();
    while end > 0 && matches!(l[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &l[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn record(kind: &str, uri: &str, body: &str) -> Vec<u8> {
        format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-02-20T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:{uri}>\r\nWARC-Identified-Content-Language: eng\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}\r\n\r\n",
            body.len()
        )
        .into_bytes()
    }

    fn gz(b: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    fn read(bytes: Vec<u8>) -> Vec<WetItem> {
        WetReader::new(io::Cursor::new(bytes), 1 << 20)
            .unwrap()
            .map(|i| i.unwrap())
            .collect()
    }

    fn texts(items: &[WetItem]) -> Vec<&str> {
        items
            .iter()
            .filter_map(|i| match i {
                WetItem::Record(r) => Some(r.text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn gzip_members_give_their_records_and_offsets() {
        let members = [
            gz(&record("warcinfo", "", "software: x\r\n")),
            gz(&record(
                "conversion",
                "https://a.example/1",
                "First page.\nLine two.",
            )),
            gz(&record(
                "conversion",
                "https://b.example/2",
                "Zweite Seite.",
            )),
        ];
        let offsets: Vec<u64> = members
            .iter()
            .scan(0u64, |at, m| {
                let o = *at;
                *at += m.len() as u64;
                Some(o)
            })
            .collect();
        let items = read(members.concat());
        assert_eq!(texts(&items), ["First page.\nLine two.", "Zweite Seite."]);
        assert!(
            matches!(&items[0], WetItem::Other { offset: 0, warc_type } if warc_type == "warcinfo")
        );
        let WetItem::Record(r) = &items[2] else {
            panic!()
        };
        assert_eq!(r.offset, offsets[2]);
        assert_eq!(r.url.as_deref(), Some("https://b.example/2"));
        assert_eq!(r.id, "<urn:uuid:https://b.example/2>");
        assert_eq!(r.date.as_deref(), Some("2024-02-20T10:00:00Z"));
        assert_eq!(r.language.as_deref(), Some("eng"));
    }

    /// A gzip member with every optional header field (FEXTRA, FNAME,
    /// FCOMMENT, FHCRC), as other writers than Common Crawl's may make.
    fn gz_with_fields(b: &[u8]) -> Vec<u8> {
        let plain = gz(b);
        let mut out = vec![
            0x1f,
            0x8b,
            8,
            FEXTRA | FNAME | FCOMMENT | FHCRC,
            0,
            0,
            0,
            0,
            0,
            255,
        ];
        out.extend_from_slice(&[3, 0, b'a', b'b', b'c']);
        out.extend_from_slice(b"name.warc\0a comment\0");
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&plain[10..]);
        out
    }

    #[test]
    fn gzip_headers_with_optional_fields_and_bad_checksums() {
        let a = record("conversion", "https://a.example/", "First page text.");
        let b = record("conversion", "https://b.example/", "Second page text.");
        let items = read([gz_with_fields(&a), gz(&b)].concat());
        assert_eq!(texts(&items), ["First page text.", "Second page text."]);
        // A flipped CRC-32, then a wrong length: each costs its record only.
        let mut bad_crc = gz(&a);
        let n = bad_crc.len();
        bad_crc[n - 8] ^= 1;
        let mut bad_len = gz(&a);
        bad_len[n - 1] ^= 1;
        for bad in [bad_crc, bad_len] {
            let items = read([bad.clone(), gz(&b)].concat());
            assert!(
                matches!(&items[0], WetItem::Malformed { offset: 0, why } if why.contains("CRC-32 or length")),
                "{items:?}"
            );
            assert_eq!(texts(&items), ["Second page text."]);
        }
    }

    #[test]
    fn a_truncated_member_is_reported_at_its_offset() {
        let first = gz(&record("conversion", "u1", "Kept."));
        let second = gz(&record(
            "conversion",
            "u2",
            "Cut short by the end of the file.",
        ));
        let mut bytes = first.clone();
        bytes.extend_from_slice(&second[..second.len() / 2]);
        let items = read(bytes);
        assert_eq!(texts(&items), ["Kept."]);
        assert!(
            matches!(&items[1], WetItem::Malformed { offset, why } if *offset == first.len() as u64 && why.contains("cut short")),
            "{items:?}"
        );
    }

    #[test]
    fn a_corrupt_member_costs_its_record_only() {
        let a = gz(&record("conversion", "u1", "One."));
        let mut b = gz(&record("conversion", "u2", "Two."));
        let c = gz(&record("conversion", "u3", "Three."));
        // Damage the deflate data of the middle member.
        for x in &mut b[12..20] {
            *x ^= 0xff;
        }
        let items = read([a.clone(), b, c].concat());
        assert_eq!(texts(&items), ["One.", "Three."]);
        assert_eq!(
            items
                .iter()
                .filter(
                    |i| matches!(i, WetItem::Malformed { offset, .. } if *offset == a.len() as u64)
                )
                .count(),
            1,
            "{items:?}"
        );
    }

    #[test]
    fn a_bad_length_is_reported_and_the_next_record_read() {
        for bytes in [
            // Plain: the second record claims 3 bytes too many.
            [
                record("conversion", "u1", "One."),
                String::from_utf8(record("conversion", "u2", "Two."))
                    .unwrap()
                    .replace("Content-Length: 4", "Content-Length: 7")
                    .into_bytes(),
                record("conversion", "u3", "Three."),
            ]
            .concat(),
            // One gzip member per record, the second's length too short.
            [
                gz(&record("conversion", "u1", "One.")),
                gz(&String::from_utf8(record("conversion", "u2", "Two."))
                    .unwrap()
                    .replace("Content-Length: 4", "Content-Length: 2")
                    .into_bytes()),
                gz(&record("conversion", "u3", "Three.")),
            ]
            .concat(),
        ] {
            let items = read(bytes);
            assert_eq!(texts(&items), ["One.", "Three."], "{items:?}");
            assert_eq!(
                items
                    .iter()
                    .filter(|i| matches!(i, WetItem::Malformed { why, .. } if why.contains("Content-Length")))
                    .count(),
                1,
                "{items:?}"
            );
        }
    }

    #[test]
    fn plain_and_zstd_streams_read_alike() {
        let plain = [
            record("warcinfo", "", "x"),
            record("conversion", "u1", "One.\n\nTwo paragraphs."),
            record("metadata", "u1", "y"),
            record("conversion", "u2", "Ünïcode."),
        ]
        .concat();
        let z = zstd::encode_all(&plain[..], 3).unwrap();
        for bytes in [plain.clone(), z] {
            let items = read(bytes);
            assert_eq!(texts(&items), ["One.\n\nTwo paragraphs.", "Ünïcode."]);
            assert_eq!(items.len(), 4);
        }
        // Offsets in a plain file point at the record's "WARC/1.0".
        let items = read(plain.clone());
        for i in &items {
            let o = match i {
                WetItem::Record(r) => r.offset,
                WetItem::Other { offset, .. } => *offset,
                WetItem::Malformed { .. } => panic!(),
            };
            assert!(plain[o as usize..].starts_with(b"WARC/1.0\r\n"));
        }
    }

    #[test]
    fn a_record_over_the_limit_is_skipped_without_being_kept() {
        let big = "x".repeat(5000);
        for bytes in [
            [
                record("conversion", "u1", &big),
                record("conversion", "u2", "Small."),
            ]
            .concat(),
            [
                gz(&record("conversion", "u1", &big)),
                gz(&record("conversion", "u2", "Small.")),
            ]
            .concat(),
        ] {
            let items: Vec<_> = WetReader::new(io::Cursor::new(bytes), 1000)
                .unwrap()
                .map(|i| i.unwrap())
                .collect();
            assert_eq!(texts(&items), ["Small."]);
            assert!(
                matches!(&items[0], WetItem::Malformed { offset: 0, why } if why.contains("limit"))
            );
        }
    }

    #[test]
    fn garbage_between_records_is_reported_once() {
        let bytes = [
            record("conversion", "u1", "One."),
            b"not a record\r\nnor this\r\n".to_vec(),
            record("conversion", "u2", "Two."),
        ]
        .concat();
        let items = read(bytes);
        assert_eq!(texts(&items), ["One.", "Two."]);
        assert_eq!(items.len(), 3);
    }

    #[test]
    fn invalid_utf8_is_replaced_and_flagged() {
        let mut r = record("conversion", "u1", "ab");
        let at = r.windows(2).position(|w| w == b"ab").unwrap();
        r[at] = 0xff;
        let items = read(r);
        let WetItem::Record(rec) = &items[0] else {
            panic!()
        };
        assert!(rec.invalid_utf8);
        assert_eq!(rec.text, "\u{fffd}b");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        #[test]
        fn any_bytes_read_to_an_end_without_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600), gzip_head: bool) {
            let mut b = bytes;
            if gzip_head {
                b.splice(0..0, [0x1f, 0x8b, 0x08]);
            }
            let n = b.len() as u64;
            for item in WetReader::new(io::Cursor::new(b), 1 << 20).unwrap() {
                let Ok(item) = item else { break };
                let o = match item {
                    WetItem::Record(r) => r.offset,
                    WetItem::Other { offset, .. } | WetItem::Malformed { offset, .. } => offset,
                };
                proptest::prop_assert!(o <= n);
            }
        }

        #[test]
        fn damage_costs_only_the_records_it_touches(
            bodies in proptest::collection::vec("[a-zA-Z .\n]{0,80}", 1..6),
            gzip: bool,
            at in 0.0f64..1.0,
            cut: bool,
            flip in 1u8..=255,
        ) {
            let records: Vec<Vec<u8>> = bodies
                .iter()
                .enumerate()
                .map(|(k, b)| {
                    let r = record("conversion", &format!("u{k}"), b);
                    if gzip { gz(&r) } else { r }
                })
                .collect();
            let file = records.concat();
            let pos = ((file.len() as f64) * at) as usize;
            let mut damaged = file.clone();
            if cut {
                damaged.truncate(pos);
            } else if pos < damaged.len() {
                damaged[pos] ^= flip;
            }
            let items: Vec<WetItem> = WetReader::new(io::Cursor::new(damaged), 1 << 20)
                .unwrap()
                .map_while(Result::ok)
                .collect();
            // Every record that ends before the damage comes out whole, in order.
            let mut end = 0;
            let intact = records
                .iter()
                .take_while(|r| {
                    end += r.len();
                    end <= pos
                })
                .count();
            let got = texts(&items);
            proptest::prop_assert!(got.len() >= intact, "{} of {} intact records", got.len(), intact);
            for (g, b) in got.iter().zip(&bodies).take(intact) {
                proptest::prop_assert_eq!(*g, b.as_str());
            }
        }
    }
}
