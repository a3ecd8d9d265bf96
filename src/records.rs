//! Cleaning one record of each format: a JSONL line (rewritten in place,
//! every other field kept), a WET item (a record in FineWeb's fields, as
//! JSON or as [`WetRow`] columns) and a Parquet batch (its text column
//! replaced), each with what the run reports of it: explanations, Dolma
//! attributes, counts and repairs. The sources, the sinks and the ordered
//! engine ([`crate::stream`]) carry them.

use rayon::prelude::*;

use crate::columnar::{self, RecordBatch, WetRow};
use crate::decode::Encoding;
use crate::jsonl::{self, Record};
use crate::wet::WetItem;
use crate::{Cleaned, ExplainFormat, ExplainWriter, Pipeline, Stats};

/// What is cleaned of a record, and what is made of it.
#[derive(Clone, Debug)]
pub struct RecordOptions {
    /// Field (column) of the text.
    pub text_field: String,
    /// Field naming a record in explanations and attributes.
    pub id_field: String,
    /// Field of the URL, whose host groups corpus counts.
    pub url_field: String,
    /// Field to add the removed spans to, if any.
    pub spans_field: Option<String>,
    /// Remove nothing: the text is written as it was.
    pub annotate: bool,
    /// Explanations, in this format.
    pub explain: Option<ExplainFormat>,
    /// Dolma attributes.
    pub attributes: bool,
    /// WET records become [`WetRow`]s (for a Parquet output), not JSON.
    pub wet_rows: bool,
}

impl Default for RecordOptions {
    fn default() -> Self {
        RecordOptions {
            text_field: "text".into(),
            id_field: "id".into(),
            url_field: "url".into(),
            spans_field: None,
            annotate: false,
            explain: None,
            attributes: false,
            wet_rows: false,
        }
    }
}

/// A cleaned record, rendered by a worker for the sinks.
pub struct Rendered {
    /// The record as written (JSON and its line end; the text, for a plain
    /// text document), empty when `wet` holds it.
    pub out: Vec<u8>,
    /// Explanation rows.
    pub explain: Vec<u8>,
    /// The Dolma attributes line.
    pub attributes: Vec<u8>,
    /// A WET record for a Parquet output, as its columns (`out` is empty).
    pub wet: Option<Box<WetRow>>,
    /// Counts of the document.
    pub stats: Stats,
    /// The text held invalid UTF-8, now U+FFFD.
    pub invalid_utf8: bool,
    /// Plain text: the encoding, when it was recognised without a byte order mark.
    pub guessed: Option<Encoding>,
    /// JSONL: the record held escapes of lone surrogates, now U+FFFD.
    pub lone_surrogates: bool,
    /// JSONL: copies of the text field before its last one (not written).
    pub duplicate_text_keys: usize,
}

/// Clean `text` (named `name`, of `host`) with `pipeline`: the result, its
/// explanation rows and its attributes line, as `opts` asks.
pub fn render(
    pipeline: &Pipeline,
    opts: &RecordOptions,
    name: &str,
    text: &str,
    host: Option<&str>,
) -> (Cleaned, Vec<u8>, Vec<u8>) {
    let cleaned = pipeline.clean_from(text, host);
    let mut explain = Vec::new();
    if let Some(format) = &opts.explain {
        let mut w = ExplainWriter::new(&mut explain, *format);
        w.header(false);
        // Writing into a Vec cannot fail.
        let _ = w.write(name, text, &cleaned);
    }
    let mut attributes = Vec::new();
    if opts.attributes {
        crate::explain::write_dolma_attributes(&mut attributes, name, text, &cleaned);
    }
    (cleaned, explain, attributes)
}

/// What became of one record.
pub enum RecordResult {
    /// Cleaned.
    Done(Rendered),
    /// A record without text, passed through (with its empty attributes
    /// line under --attributes, so that the lines match the records).
    NoText(Vec<u8>, Vec<u8>),
    /// An empty or white-space line: no record, skipped and counted.
    Blank,
    /// A line over --max-line-bytes: not read into memory, skipped.
    TooLong,
    /// Not a JSON object, or not JSON: why.
    Malformed(String),
    /// A WET record of another type than `conversion`: skipped and counted.
    WetOther,
    /// A WET record that could not be read, at this byte offset.
    WetMalformed(String),
}

/// Clean JSONL line `n` of `name`.
pub fn jsonl_record(
    p: &Pipeline,
    opts: &RecordOptions,
    name: &str,
    n: u64,
    line: &[u8],
) -> RecordResult {
    let Some(jsonl::Line {
        text: line,
        invalid_utf8,
        lone_surrogates,
    }) = jsonl::prepare(n, line)
    else {
        return RecordResult::Blank;
    };
    let rec = match Record::parse(&line, &opts.text_field) {
        Ok(r) => r,
        Err(e) => return RecordResult::Malformed(jsonl::describe(&e)),
    };
    let Some(text) = rec.text() else {
        let mut attributes = Vec::new();
        if opts.attributes {
            let id = rec
                .id(&opts.id_field)
                .unwrap_or_else(|| format!("{name}:{n}"));
            crate::explain::write_dolma_attributes(&mut attributes, &id, "", &Cleaned::default());
        }
        let mut raw = line.into_owned().into_bytes();
        raw.push(b'\n');
        return RecordResult::NoText(raw, attributes);
    };
    // The id names records in explanations only; the host matters only to
    // corpus counts: neither is parsed when unused.
    let id = if opts.explain.is_some() || opts.attributes {
        rec.id(&opts.id_field)
            .unwrap_or_else(|| format!("{name}:{n}"))
    } else {
        String::new()
    };
    let host = p
        .uses_hosts()
        .then(|| {
            rec.get_str(&opts.url_field)
                .map(|u| crate::corpus::host_of(&u))
        })
        .flatten();
    let (cleaned, explain, attributes) = render(p, opts, &id, text, host.as_deref());
    let spans = opts
        .spans_field
        .as_deref()
        .map(|field| (field, spans_json(&cleaned)));
    // The record as read, plus room for what cleaning may add (an escaped
    // terminator on the last line, the record's newline) and the spans field.
    let extra = spans.as_ref().map_or(0, |(f, s)| f.len() + s.len() + 8);
    let mut out = Vec::with_capacity(line.len() + 8 + extra);
    let new_text = if opts.annotate {
        text.as_ref()
    } else {
        cleaned.text.as_str()
    };
    rec.write_with(
        &mut out,
        new_text,
        spans.as_ref().map(|(f, s)| (*f, s.as_str())),
    );
    RecordResult::Done(Rendered {
        out,
        explain,
        attributes,
        wet: None,
        stats: cleaned.stats,
        invalid_utf8,
        guessed: None,
        lone_surrogates,
        duplicate_text_keys: rec.duplicate_text_keys(),
    })
}

/// The Common Crawl crawl (`CC-MAIN-2024-10`) a WET file's name holds.
pub fn dump_of(name: &str) -> Option<&str> {
    let at = name.find("CC-MAIN-")?;
    let d = &name[at..];
    let b = d.as_bytes();
    // CC-MAIN-YYYY-WW
    (b.len() >= 15
        && b[8..12].iter().all(u8::is_ascii_digit)
        && b[12] == b'-'
        && b[13..15].iter().all(u8::is_ascii_digit))
    .then(|| &d[..15])
}

/// Clean one item of a WET file: a `conversion` record becomes a record
/// {text, id, dump, url, date, file_path, language}, FineWeb's columns
/// (the text, id and url under their --text-field, --id-field and
/// --url-field names; the dump from the file's name).
pub fn wet_record(
    p: &Pipeline,
    opts: &RecordOptions,
    name: &str,
    item: &WetItem,
) -> (u64, RecordResult) {
    let r = match item {
        WetItem::Record(r) => r,
        WetItem::Other { offset, .. } => return (*offset, RecordResult::WetOther),
        WetItem::Malformed { offset, why } => {
            return (*offset, RecordResult::WetMalformed(why.clone()));
        }
    };
    let id = if r.id.is_empty() {
        format!("{name}@{}", r.offset)
    } else {
        r.id.clone()
    };
    let host = p
        .uses_hosts()
        .then(|| r.url.as_deref().map(crate::corpus::host_of))
        .flatten();
    let (mut cleaned, explain, attributes) = render(p, opts, &id, &r.text, host.as_deref());
    let spans = opts.spans_field.as_ref().map(|_| spans_json(&cleaned));
    let mut wet = None;
    let mut out = Vec::new();
    if opts.wet_rows {
        // A Parquet output's columns are built from the fields directly.
        wet = Some(Box::new(WetRow {
            text: if opts.annotate {
                r.text.clone()
            } else {
                std::mem::take(&mut cleaned.text)
            },
            id,
            dump: dump_of(name).map(str::to_string),
            url: r.url.clone(),
            date: r.date.clone(),
            file_path: name.to_string(),
            language: r.language.clone(),
            spans,
        }));
    } else {
        let new_text = if opts.annotate {
            r.text.as_str()
        } else {
            cleaned.text.as_str()
        };
        // Written field by field, in FineWeb's order.
        let json = |v: &str| serde_json::to_string(v).unwrap_or_default();
        let opt = |v: Option<&str>| v.map_or("null".to_string(), json);
        let mut s = format!(
            "{{{}:{},{}:{},\"dump\":{},{}:{},\"date\":{},\"file_path\":{},\"language\":{}",
            json(&opts.text_field),
            json(new_text),
            json(&opts.id_field),
            json(&id),
            opt(dump_of(name)),
            json(&opts.url_field),
            opt(r.url.as_deref()),
            opt(r.date.as_deref()),
            json(name),
            opt(r.language.as_deref()),
        );
        if let (Some(field), Some(spans)) = (&opts.spans_field, &spans) {
            s.push_str(&format!(",{}:{spans}", json(field)));
        }
        s.push_str("}\n");
        out = s.into_bytes();
    }
    (
        r.offset,
        RecordResult::Done(Rendered {
            out,
            explain,
            attributes,
            wet,
            stats: cleaned.stats,
            invalid_utf8: r.invalid_utf8,
            guessed: None,
            lone_surrogates: false,
            duplicate_text_keys: 0,
        }),
    )
}

/// `[{"kind":…,"rule":…,"start":…,"end":…}, …]` for the dropped lines (byte offsets in the text).
pub fn spans_json(cleaned: &Cleaned) -> String {
    let mut s = String::from("[");
    for (k, d) in cleaned.dropped().enumerate() {
        let Some(r) = &d.reason else { continue };
        if k > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"kind\":\"{}\",\"rule\":{},\"start\":{},\"end\":{}}}",
            r.kind,
            serde_json::Value::from(&*r.rule),
            d.span.start,
            d.span.end
        ));
    }
    s.push(']');
    s
}

/// A batch of a Parquet input's rows.
#[derive(Default)]
pub struct ParquetBatch {
    /// The rows; `None` at the end of the input.
    pub batch: Option<RecordBatch>,
    /// The 0-based number of the batch's first row in the file.
    pub first_row: u64,
}

impl crate::stream::Batch for ParquetBatch {
    fn is_empty(&self) -> bool {
        self.batch.is_none()
    }

    fn clear(&mut self) {
        self.batch = None;
    }
}

/// A cleaned batch of a Parquet input: its rows with the text replaced,
/// and each row's reports (a null text's: an empty attributes line only).
pub struct ParquetDone {
    /// The rows, the text replaced.
    pub batch: RecordBatch,
    /// Each row's reports.
    pub rows: Vec<Rendered>,
    /// Rows whose text was null.
    pub no_text: u64,
}

/// Clean the rows of a Parquet input's batch on the current rayon pool
/// (each thread with its own clone of `pipeline`).
pub fn parquet_rows(
    pipeline: &Pipeline,
    opts: &RecordOptions,
    name: &str,
    b: &ParquetBatch,
) -> Result<ParquetDone, String> {
    let batch = b.batch.as_ref().expect("an empty batch is never cleaned");
    let texts = columnar::texts(batch, &opts.text_field).map_err(|e| format!("{name}: {e}"))?;
    // The id names a row in explanations and attributes; a row without one
    // (or an id column that is not of strings) is named by its row number.
    let ids = columnar::texts(batch, &opts.id_field).ok();
    let urls = columnar::texts(batch, &opts.url_field).ok();
    let rows: Vec<(Option<String>, Option<String>, Rendered)> = (0..batch.num_rows())
        .into_par_iter()
        .map_init(
            || pipeline.clone(),
            |p, i| {
                let id = || {
                    ids.and_then(|c| c.get(i))
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("{name}:{}", b.first_row + i as u64 + 1))
                };
                let mut r = Rendered {
                    out: Vec::new(),
                    explain: Vec::new(),
                    attributes: Vec::new(),
                    wet: None,
                    stats: Stats::default(),
                    invalid_utf8: false,
                    guessed: None,
                    lone_surrogates: false,
                    duplicate_text_keys: 0,
                };
                let Some(text) = texts.get(i) else {
                    if opts.attributes {
                        crate::explain::write_dolma_attributes(
                            &mut r.attributes,
                            &id(),
                            "",
                            &Cleaned::default(),
                        );
                    }
                    return (None, None, r);
                };
                let id = if opts.explain.is_some() || opts.attributes {
                    id()
                } else {
                    String::new()
                };
                let host = p
                    .uses_hosts()
                    .then(|| urls.and_then(|c| c.get(i)).map(crate::corpus::host_of))
                    .flatten();
                let (cleaned, explain, attributes) = render(p, opts, &id, text, host.as_deref());
                let spans = opts.spans_field.as_ref().map(|_| spans_json(&cleaned));
                r.explain = explain;
                r.attributes = attributes;
                r.stats = cleaned.stats;
                let new = if opts.annotate {
                    text.to_string()
                } else {
                    cleaned.text
                };
                (Some(new), spans, r)
            },
        )
        .collect();
    let values: Vec<Option<&str>> = rows.iter().map(|(t, _, _)| t.as_deref()).collect();
    let spans: Option<Vec<Option<&str>>> = opts
        .spans_field
        .as_ref()
        .map(|_| rows.iter().map(|(_, s, _)| s.as_deref()).collect());
    let out = columnar::replace_text(
        batch,
        &opts.text_field,
        &values,
        opts.spans_field.as_deref().zip(spans.as_deref()),
    )
    .map_err(|e| format!("{name}: rebuilding the columns: {e}"))?;
    let no_text = values.iter().filter(|v| v.is_none()).count() as u64;
    Ok(ParquetDone {
        batch: out,
        rows: rows.into_iter().map(|(_, _, r)| r).collect(),
        no_text,
    })
}
