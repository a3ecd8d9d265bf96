//! Corpus-level line counts (`deboil scan`, `deboil merge`): per host, the
//! number of documents each normalised line occurs in, over every input
//! format, for the corpus repeat pass.

use std::collections::HashSet;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::columnar::{self, ParquetReader};
use crate::corpus::{Counts, document_keys, host_of};
use crate::input::{Input, InputFormat, expand};
use crate::job::{Events, OnError, Skip, report_skipped, thread_count};
use crate::jsonl::{self, Record};
use crate::output::Output;
use crate::stream::{Chunk, WetBatch, read_chunk, read_wet};
use crate::wet::{WetItem, WetReader};

/// What a scan reads and how.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Files or directories; `-` or none is standard input.
    pub paths: Vec<PathBuf>,
    /// Inputs without a format of their own (by name) are JSONL records;
    /// otherwise each is one document of host "".
    pub jsonl: bool,
    /// The field (or column) holding the text.
    pub text_field: String,
    /// The field (or column) holding the page URL, whose host groups corpus counts.
    pub url_field: String,
    /// Worker threads; one per CPU when `None`.
    pub threads: Option<NonZeroUsize>,
    /// Longest JSONL line (one record).
    pub max_line_bytes: u64,
    /// Largest plain-text document or WET record, after decompression.
    pub max_doc_bytes: u64,
    /// What to do with a malformed line or record.
    pub on_error: OnError,
}

impl Default for ScanOptions {
    fn default() -> ScanOptions {
        ScanOptions {
            paths: Vec::new(),
            jsonl: false,
            text_field: "text".to_string(),
            url_field: "url".to_string(),
            threads: None,
            max_line_bytes: 64 << 20,
            max_doc_bytes: 64 << 20,
            on_error: OnError::Skip,
        }
    }
}

/// What a scan counted and skipped.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanReport {
    /// Documents counted.
    pub documents: u64,
    /// Malformed JSONL lines and unreadable WET records.
    pub malformed: u64,
    /// JSONL lines over the line limit, skipped.
    pub lines_too_long: u64,
    /// Blank JSONL lines, skipped.
    pub blank_lines: u64,
    /// Records without a string text field, passed through.
    pub records_without_text: u64,
}

/// Keys of one JSONL record, or why it was skipped.
enum Scanned {
    Doc(String, HashSet<u64>),
    NoText,
    Blank,
    TooLong,
    Malformed(String),
}

fn scan_line(args: &ScanOptions, n: u64, line: &[u8]) -> Scanned {
    let Some(line) = jsonl::prepare(n, line) else {
        return Scanned::Blank;
    };
    let rec = match Record::parse(&line.text, &args.text_field) {
        Ok(r) => r,
        Err(e) => return Scanned::Malformed(jsonl::describe(&e)),
    };
    let Some(text) = rec.text() else {
        return Scanned::NoText;
    };
    let host = rec
        .get_str(&args.url_field)
        .map(|u| host_of(&u))
        .unwrap_or_default();
    Scanned::Doc(host, document_keys(text))
}

/// Count the lines of every input under `args`; what cannot be read is
/// reported through `msg` and counted, and the scan goes on (but for
/// [`OnError::Fail`]).
pub fn scan(args: &ScanOptions, msg: &dyn Events) -> Result<(Counts, ScanReport)> {
    let threads = thread_count(args.threads);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let inputs = expand(&args.paths, None, |m| msg.warn(m), |m| msg.error(m)).inputs;
    let mut counts = Counts::default();
    let (mut docs, mut malformed, mut no_text, mut blank, mut too_long) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    // WET files (by name) hold records of any host: each record's host is
    // its target URI's.
    let (wet, inputs): (Vec<Input>, Vec<Input>) = inputs
        .into_iter()
        .partition(|i| i.is_wet(InputFormat::Auto));
    for input in &wet {
        let name = input.name();
        let mut reader = match input
            .open_raw()
            .and_then(|r| Ok(WetReader::new(r, args.max_doc_bytes)?))
        {
            Ok(r) => r,
            Err(e) => {
                msg.error(format!("{name}: {e:#}"));
                continue;
            }
        };
        let mut batch = WetBatch::default();
        loop {
            read_wet(&mut reader, &mut batch).with_context(|| format!("{name}: reading"))?;
            if batch.items.is_empty() {
                break;
            }
            let scanned: Vec<Option<(String, HashSet<u64>)>> = pool.install(|| {
                batch
                    .items
                    .par_iter()
                    .map(|item| match item {
                        WetItem::Record(r) => Some((
                            r.url.as_deref().map(host_of).unwrap_or_default(),
                            document_keys(&r.text),
                        )),
                        _ => None,
                    })
                    .collect()
            });
            for (item, s) in batch.items.iter().zip(scanned) {
                match (item, s) {
                    (_, Some((host, keys))) => {
                        counts.add_keys(&host, &keys);
                        docs += 1;
                    }
                    (WetItem::Malformed { offset, why }, _) => {
                        malformed += 1;
                        msg.error(format!("{name}: byte {offset}: {why}"));
                    }
                    _ => {}
                }
            }
        }
    }
    // Parquet files (by name): the text and url columns of each row.
    let (parquet, inputs): (Vec<Input>, Vec<Input>) = inputs
        .into_iter()
        .partition(|i| i.is_parquet(InputFormat::Auto));
    for input in &parquet {
        let name = input.name();
        let Input::File { path, .. } = input else {
            continue;
        };
        let reader = std::fs::File::open(path)
            .map_err(anyhow::Error::from)
            .and_then(|f| Ok(ParquetReader::new(f, columnar::BATCH_ROWS)?));
        let reader = match reader {
            Ok(r) => r,
            Err(e) => {
                msg.error(format!("{name}: {e:#}"));
                continue;
            }
        };
        for batch in reader {
            let batch = batch.with_context(|| format!("{name}: reading Parquet"))?;
            let texts = columnar::texts(&batch, &args.text_field)
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            let urls = columnar::texts(&batch, &args.url_field).ok();
            let scanned: Vec<Option<(String, HashSet<u64>)>> = pool.install(|| {
                (0..batch.num_rows())
                    .into_par_iter()
                    .map(|i| {
                        let text = texts.get(i)?;
                        let host = urls.and_then(|u| u.get(i)).map(host_of).unwrap_or_default();
                        Some((host, document_keys(text)))
                    })
                    .collect()
            });
            for s in scanned {
                match s {
                    Some((host, keys)) => {
                        counts.add_keys(&host, &keys);
                        docs += 1;
                    }
                    None => no_text += 1,
                }
            }
        }
    }
    if !args.jsonl {
        for chunk in inputs.chunks(256) {
            let keys: Vec<Result<HashSet<u64>>> = pool.install(|| {
                chunk
                    .par_iter()
                    .map(|i| Ok(document_keys(&i.read_text(args.max_doc_bytes)?.text)))
                    .collect()
            });
            for (input, k) in chunk.iter().zip(keys) {
                match k {
                    Ok(k) => {
                        counts.add_keys("", &k);
                        docs += 1;
                    }
                    Err(e) => msg.error(format!("{}: {e:#}", input.name())),
                }
            }
        }
    } else {
        for input in &inputs {
            let name = input.name();
            let mut rdr = match input.open() {
                Ok(r) => r,
                Err(e) => {
                    msg.error(format!("{e:#}"));
                    continue;
                }
            };
            let mut line_no = 0;
            let mut chunk = Chunk::new(args.max_line_bytes);
            loop {
                read_chunk(&mut rdr, &mut line_no, &mut chunk)
                    .with_context(|| format!("{name}: reading"))?;
                if chunk.is_empty() {
                    break;
                }
                let scanned: Vec<Scanned> = pool.install(|| {
                    chunk
                        .lines()
                        .map(|(n, l)| match l {
                            Some(l) => scan_line(args, n, l),
                            None => Scanned::TooLong,
                        })
                        .collect()
                });
                for (n, s) in chunk.numbers().zip(scanned) {
                    match s {
                        Scanned::Doc(host, keys) => {
                            counts.add_keys(&host, &keys);
                            docs += 1;
                        }
                        Scanned::NoText => no_text += 1,
                        Scanned::Blank => blank += 1,
                        Scanned::TooLong => {
                            too_long += 1;
                            let why = Skip::too_long(args.max_line_bytes);
                            report_skipped(msg, args.on_error, &name, n, &why)?;
                        }
                        Scanned::Malformed(m) => {
                            malformed += 1;
                            report_skipped(msg, args.on_error, &name, n, &Skip::Malformed(m))?;
                        }
                    }
                }
            }
        }
    }
    let report = ScanReport {
        documents: docs,
        malformed,
        lines_too_long: too_long,
        blank_lines: blank,
        records_without_text: no_text,
    };
    msg.note(format!(
        "scanned {docs} documents: {} (host, line) entries; {malformed} malformed lines or WET records, {too_long} lines too long, {blank} blank lines and {no_text} records without text skipped",
        counts.len()
    ));
    Ok((counts, report))
}

/// Write `counts` to `path` (atomically; `.zst`/`.gz` compressed).
pub fn write_counts(counts: &Counts, path: &Path) -> Result<()> {
    let mut out = Output::create(path)?;
    counts
        .write(&mut out)
        .with_context(|| format!("{}: writing", path.display()))?;
    out.finish()
}

/// Read a counts file (decompressed by its magic bytes), keeping entries of at
/// least `min_docs` documents.
pub fn read_counts(path: &Path, min_docs: u32) -> Result<Counts> {
    let input = Input::File {
        path: path.to_path_buf(),
        rel: path.to_path_buf(),
    };
    Counts::read_min(input.open()?, min_docs)
        .with_context(|| format!("{}: reading counts", path.display()))
}

/// Add up counts files (shards of one corpus) into `output`.
pub fn merge(inputs: &[PathBuf], output: &Path) -> Result<()> {
    let mut total = Counts::default();
    for path in inputs {
        total.merge(read_counts(path, 0)?);
    }
    write_counts(&total, output)
}
