//! The ordered parallel stream: records read in batches, each batch cleaned
//! on a rayon pool while the thread that called [`ordered`] writes the batch
//! before it and reads the one after, so results come out in input order and
//! at most three batches are in memory, whatever the input's size.
//!
//! The batches are the sources' own: [`Chunk`] (JSONL lines, read by
//! [`read_chunk`]) and [`WetBatch`] (WET records, see [`crate::wet`]).

use std::io::{self, BufRead};

use rayon::prelude::*;

use crate::wet::{WetItem, WetReader};

/// JSONL lines per parallel chunk, and the byte budget of one chunk.
pub const LINE_CHUNK: usize = 1024;
const CHUNK_BYTES: usize = 4 << 20;

/// A batch of records, reused from batch to batch.
pub trait Batch: Send + Sync {
    /// No records: the input is over.
    fn is_empty(&self) -> bool;
    /// Drop the records, keeping the buffers.
    fn clear(&mut self);
}

/// How an [`ordered`] run ended.
#[derive(Debug)]
pub enum Ended<E> {
    /// Every record was read, cleaned and written.
    Done,
    /// Reading failed: every record read before the error was cleaned and
    /// written, nothing after it was read.
    ReadFailed(io::Error),
    /// Writing failed (the error `write` returned): nothing more was read
    /// or written.
    WriteFailed(E),
}

/// Read batches with `read` (which clears and fills one; an empty batch
/// ends the input), clean each with `clean` on `pool` and hand the results
/// to `write` in input order. `read` and `write` run on the calling thread
/// while the pool cleans. Both batches are cleaned at once when both are
/// read: the pool starts on the next batch while the last records of one
/// are still being cleaned, rather than waiting for them at each batch's
/// end. At most the two batches and the results of one are held.
///
/// ```
/// use deboil::stream::{Ended, Batch, ordered};
///
/// struct Nums(Vec<u32>);
/// impl Batch for Nums {
///     fn is_empty(&self) -> bool { self.0.is_empty() }
///     fn clear(&mut self) { self.0.clear() }
/// }
/// let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build()?;
/// let mut next = 0u32;
/// let mut out = Vec::new();
/// let ended = ordered(
///     &pool,
///     [Nums(Vec::new()), Nums(Vec::new())],
///     |b: &mut Nums| {
///         b.clear();
///         b.0.extend((next..100).take(7));
///         next = (next + 7).min(100);
///         Ok(())
///     },
///     |b: &Nums| b.0.iter().map(|x| x * 2).collect::<Vec<_>>(),
///     |r: Vec<u32>| -> Result<(), ()> { out.extend(r); Ok(()) },
/// );
/// assert!(matches!(ended, Ended::Done));
/// assert_eq!(out, (0..100).map(|x| x * 2).collect::<Vec<_>>());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ordered<B, R, E>(
    pool: &rayon::ThreadPool,
    batches: [B; 2],
    mut read: impl FnMut(&mut B) -> io::Result<()>,
    clean: impl Fn(&B) -> R + Sync,
    mut write: impl FnMut(R) -> Result<(), E>,
) -> Ended<E>
where
    B: Batch,
    R: Send,
{
    let clean = &clean;
    let (tx, rx) = std::sync::mpsc::channel::<(u64, B, R)>();
    let mut free: Vec<B> = batches.into();
    // Results that came back before those of an earlier batch.
    let mut early: std::collections::BTreeMap<u64, (B, R)> = Default::default();
    let (mut spawned, mut written) = (0u64, 0u64);
    let mut failed: Option<io::Error> = None;
    let mut write_failed: Option<E> = None;
    let mut over = false;
    pool.in_place_scope(|scope| {
        loop {
            // Read into every free batch, and set the pool on it; nothing
            // is read after a read error (the records before it are
            // cleaned) or a write error.
            while !over && write_failed.is_none() {
                let Some(mut batch) = free.pop() else {
                    break;
                };
                if let Err(e) = read(&mut batch) {
                    failed = Some(e);
                    over = true;
                }
                if batch.is_empty() {
                    over = true;
                    free.push(batch);
                    break;
                }
                let (tx, seq) = (tx.clone(), spawned);
                spawned += 1;
                scope.spawn(move |_| {
                    let results = clean(&batch);
                    // The receiver waits for every batch spawned.
                    let _ = tx.send((seq, batch, results));
                });
            }
            if written == spawned {
                return;
            }
            let (mut batch, results) = loop {
                if let Some(done) = early.remove(&written) {
                    break done;
                }
                let (seq, batch, results) = rx.recv().expect("every batch spawned sends");
                early.insert(seq, (batch, results));
            };
            written += 1;
            // After a write error, what is still being cleaned is let go.
            if write_failed.is_none()
                && let Err(e) = write(results)
            {
                write_failed = Some(e);
            }
            batch.clear();
            free.push(batch);
        }
    });
    match (write_failed, failed) {
        (Some(e), _) => Ended::WriteFailed(e),
        (None, Some(e)) => Ended::ReadFailed(e),
        (None, None) => Ended::Done,
    }
}

impl Batch for Chunk {
    fn is_empty(&self) -> bool {
        Chunk::is_empty(self)
    }

    fn clear(&mut self) {
        Chunk::clear(self)
    }
}

/// A batch of WET records (see [`crate::wet`]), in file order.
#[derive(Default)]
pub struct WetBatch {
    /// What the reader found, records and skipped ones alike.
    pub items: Vec<WetItem>,
}

impl Batch for WetBatch {
    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn clear(&mut self) {
        self.items.clear()
    }
}

/// WET records per batch, and the text bytes that end a batch early.
const WET_BATCH: usize = 256;
const WET_BATCH_BYTES: usize = 8 << 20;

/// Fill `batch` (cleared first) with the next records of `rdr`.
pub fn read_wet(rdr: &mut WetReader<'_>, batch: &mut WetBatch) -> io::Result<()> {
    batch.clear();
    let mut bytes = 0;
    while batch.items.len() < WET_BATCH && bytes < WET_BATCH_BYTES {
        match rdr.next() {
            None => break,
            Some(item) => {
                let item = item?;
                if let WetItem::Record(r) = &item {
                    bytes += r.text.len();
                }
                batch.items.push(item);
            }
        }
    }
    Ok(())
}

/// A chunk of JSONL lines in one buffer, reused from chunk to chunk.
pub struct Chunk {
    buf: Vec<u8>,
    /// (1-based line number, byte range in `buf` without the terminator;
    /// `None` for a line longer than `max_line`, which is not kept).
    lines: Vec<(u64, Option<std::ops::Range<usize>>)>,
    max_line: usize,
}

impl Chunk {
    /// An empty chunk whose lines are at most `max_line` bytes (terminator excluded).
    pub fn new(max_line: u64) -> Chunk {
        Chunk {
            buf: Vec::new(),
            lines: Vec::new(),
            max_line: usize::try_from(max_line).unwrap_or(usize::MAX),
        }
    }

    /// No lines: the input is over.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Drop the lines, keeping the buffers.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.lines.clear();
    }

    /// The lines: (1-based number, bytes, or `None` when the line was longer
    /// than the limit and skipped).
    pub fn lines(&self) -> impl IndexedParallelIterator<Item = (u64, Option<&[u8]>)> + '_ {
        self.lines
            .par_iter()
            .map(|(n, r)| (*n, r.clone().map(|r| &self.buf[r])))
    }

    /// The line numbers, in order.
    pub fn numbers(&self) -> impl Iterator<Item = u64> + '_ {
        self.lines.iter().map(|(n, _)| *n)
    }

    /// Record the line `start..end` of `buf` (its `\n` excluded), without
    /// trailing `\r`s.
    fn push_line(&mut self, start: usize, mut end: usize, next_line: &mut u64) {
        while end > start && self.buf[end - 1] == b'\r' {
            end -= 1;
        }
        *next_line += 1;
        let range = (end - start <= self.max_line).then_some(start..end);
        self.lines.push((*next_line, range));
    }

    fn is_full(&self, line_start: usize) -> bool {
        self.lines.len() >= LINE_CHUNK || line_start >= CHUNK_BYTES
    }

    /// Bytes read, terminators included.
    pub fn bytes_read(&self) -> u64 {
        self.buf.len() as u64
    }
}

/// Read up to a chunk's worth of lines into `chunk` (cleared first; its
/// buffers are reused), numbering them from `next_line` on (1-based). Bytes
/// are copied a reader buffer at a time, never past the chunk's last line.
/// A line longer than the chunk's limit is not kept: once past the limit,
/// the rest of it is read and thrown away, and it is listed as skipped.
///
/// On a read error, `chunk` holds the whole lines read before it (the
/// caller cleans them, then reports the error); a line the error cut short
/// is not one of them.
pub fn read_chunk(rdr: &mut dyn BufRead, next_line: &mut u64, chunk: &mut Chunk) -> io::Result<()> {
    chunk.clear();
    let mut line_start = 0;
    loop {
        let avail = crate::decode::fill_buf(rdr)?;
        if avail.is_empty() {
            if line_start < chunk.buf.len() {
                chunk.push_line(line_start, chunk.buf.len(), next_line);
            }
            return Ok(());
        }
        // Take the block, or up to the newline that fills the chunk: the rest
        // stays in the reader for the next chunk.
        let base = chunk.buf.len();
        chunk.buf.extend_from_slice(avail);
        // No newline lies between `line_start` and `at`.
        let mut at = base;
        while let Some(nl) = memchr::memchr(b'\n', &chunk.buf[at..]) {
            chunk.push_line(line_start, at + nl, next_line);
            line_start = at + nl + 1;
            at = line_start;
            if chunk.is_full(line_start) {
                chunk.buf.truncate(line_start);
                rdr.consume(line_start - base);
                return Ok(());
            }
        }
        rdr.consume(chunk.buf.len() - base);
        if chunk.buf.len() - line_start > chunk.max_line {
            // Too long: the rest of the line is skipped without being kept.
            chunk.buf.truncate(line_start);
            skip_line(rdr)?;
            *next_line += 1;
            chunk.lines.push((*next_line, None));
            if chunk.is_full(line_start) {
                return Ok(());
            }
        }
    }
}

/// Read through the next `\n` (or the end), keeping nothing.
fn skip_line(rdr: &mut dyn BufRead) -> io::Result<()> {
    loop {
        let avail = crate::decode::fill_buf(rdr)?;
        if avail.is_empty() {
            return Ok(());
        }
        if let Some(nl) = memchr::memchr(b'\n', avail) {
            rdr.consume(nl + 1);
            return Ok(());
        }
        let n = avail.len();
        rdr.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch of numbers, for the stream's tests.
    struct Nums(Vec<u32>);

    /// The pool the stream's tests clean on.
    fn two_threads() -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
    }

    impl Batch for Nums {
        fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
        fn clear(&mut self) {
            self.0.clear()
        }
    }

    #[test]
    fn the_next_batch_is_cleaned_while_one_is_still_being_cleaned() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let pool = two_threads();
        // Even batches are slow: the odd one after each finishes first, while
        // the slow one is still being cleaned; the results still come out in
        // order.
        let (running, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let mut n = 0;
        let mut out = Vec::new();
        let ended = ordered(
            &pool,
            [Nums(Vec::new()), Nums(Vec::new())],
            |b: &mut Nums| {
                b.clear();
                if n < 6 {
                    b.0.push(n);
                    n += 1;
                }
                Ok(())
            },
            |b: &Nums| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                if b.0[0].is_multiple_of(2) {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                running.fetch_sub(1, Ordering::SeqCst);
                b.0.clone()
            },
            |r: Vec<u32>| -> Result<(), ()> {
                out.extend(r);
                Ok(())
            },
        );
        assert!(matches!(ended, Ended::Done));
        assert_eq!(out, (0..6).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 2, "two batches at once");
    }

    #[test]
    fn ordered_writes_in_order_and_stops_at_a_write_error() {
        let pool = two_threads();
        for (fail_read, fail_write) in [(None, None), (Some(5), None), (None, Some(3))] {
            let mut reads = 0;
            let mut out = Vec::new();
            let ended = ordered(
                &pool,
                [Nums(Vec::new()), Nums(Vec::new())],
                |b: &mut Nums| {
                    b.clear();
                    reads += 1;
                    if reads <= 10 {
                        b.0.extend((reads - 1) * 10..reads * 10);
                    }
                    if Some(reads) == fail_read {
                        b.0.truncate(4);
                        return Err(io::Error::other("boom"));
                    }
                    Ok(())
                },
                |b: &Nums| b.0.clone(),
                |r: Vec<u32>| {
                    if Some(out.len() / 10 + 1) == fail_write.map(|w: u32| w as usize) {
                        return Err(out.len());
                    }
                    out.extend(r);
                    Ok(())
                },
            );
            match (fail_read, fail_write) {
                (None, None) => {
                    assert!(matches!(ended, Ended::Done));
                    assert_eq!(out, (0..100).collect::<Vec<_>>());
                }
                (Some(r), None) => {
                    assert!(matches!(ended, Ended::ReadFailed(_)));
                    // The batches before the failed read, and the four records read before the error.
                    let want: Vec<u32> = (0..(r - 1) * 10)
                        .chain((r - 1) * 10..(r - 1) * 10 + 4)
                        .collect();
                    assert_eq!(out, want);
                }
                (_, Some(w)) => {
                    assert!(matches!(ended, Ended::WriteFailed(n) if n == (w as usize - 1) * 10));
                    assert_eq!(out.len(), (w as usize - 1) * 10);
                    assert!(
                        reads <= w + 2,
                        "reading stopped soon after the write failed: {reads}"
                    );
                }
            }
        }
    }

    /// Every line of `input`, read in chunks through a reader buffer of `cap` bytes.
    fn read_all_chunks(input: &[u8], cap: usize) -> (Vec<(u64, Vec<u8>)>, usize) {
        let (lines, chunks) = read_limited_chunks(input, cap, u64::MAX);
        let lines = lines.into_iter().map(|(n, l)| (n, l.unwrap())).collect();
        (lines, chunks)
    }

    /// Numbered lines; `None` for one skipped as too long.
    type Lines = Vec<(u64, Option<Vec<u8>>)>;

    fn read_limited_chunks(input: &[u8], cap: usize, max_line: u64) -> (Lines, usize) {
        let mut rdr = io::BufReader::with_capacity(cap, input);
        let (mut line_no, mut chunk, mut lines, mut chunks) =
            (0, Chunk::new(max_line), Vec::new(), 0);
        loop {
            read_chunk(&mut rdr, &mut line_no, &mut chunk).unwrap();
            if chunk.is_empty() {
                return (lines, chunks);
            }
            assert!(chunk.lines.len() <= LINE_CHUNK);
            chunks += 1;
            let got: Vec<(u64, Option<&[u8]>)> = chunk.lines().collect();
            lines.extend(got.into_iter().map(|(n, l)| (n, l.map(<[u8]>::to_vec))));
        }
    }

    #[test]
    fn chunks_hold_every_line_without_terminators_whatever_the_reader_buffer() {
        let input = b"{\"a\":1}\r\n\n{\"b\":2}\r\r\nlast without newline";
        let want: Vec<(u64, Vec<u8>)> = [
            &b"{\"a\":1}"[..],
            b"",
            b"{\"b\":2}",
            b"last without newline",
        ]
        .iter()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.to_vec()))
        .collect();
        for cap in [1, 2, 3, 7, 64, 1 << 16] {
            assert_eq!(read_all_chunks(input, cap).0, want, "buffer of {cap} bytes");
        }
    }

    #[test]
    fn a_chunk_ends_at_a_line_after_its_line_budget() {
        let input: Vec<u8> = (0..LINE_CHUNK * 2 + 5)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        for cap in [5, 1 << 16] {
            let (lines, chunks) = read_all_chunks(&input, cap);
            assert_eq!(chunks, 3);
            assert_eq!(lines.len(), LINE_CHUNK * 2 + 5);
            assert!(
                lines
                    .iter()
                    .enumerate()
                    .all(|(i, (n, l))| *n == i as u64 + 1 && *l == format!("line {i}").into_bytes())
            );
        }
    }

    #[test]
    fn a_line_over_the_limit_is_listed_as_skipped_and_the_next_lines_are_kept() {
        let long = "x".repeat(100);
        let input = format!("short\n{long}\nafter\n{long}");
        for cap in [1, 7, 64, 1 << 16] {
            let (lines, _) = read_limited_chunks(input.as_bytes(), cap, 10);
            assert_eq!(
                lines,
                vec![
                    (1, Some(b"short".to_vec())),
                    (2, None),
                    (3, Some(b"after".to_vec())),
                    (4, None)
                ],
                "buffer of {cap} bytes"
            );
        }
    }
}
