//! Where cleaned records go, in order: JSONL bytes, or a Parquet file built
//! from them (from WET rows, or from the cleaned Arrow batches of a Parquet
//! input).

use std::io::Write;

use crate::columnar::{JsonBatches, ParquetSink, RecordBatch, WetRow};
use anyhow::{Context, Result};

use crate::output::Output;

/// The output format of records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordFormat {
    /// JSON Lines.
    Jsonl,
    /// Parquet.
    Parquet,
}

/// A record output.
pub enum Sink {
    /// JSON Lines, written as they come.
    Jsonl(Box<Output>),
    /// Parquet, a batch of records at a time.
    Parquet {
        /// The writer.
        out: Box<ParquetSink<Output>>,
        /// JSON records into columns.
        json: JsonBatches,
        /// The output's name in messages.
        name: String,
        /// The schema written when no record came (a WET run's, or a
        /// lone text column).
        empty: arrow_schema::SchemaRef,
    },
}

impl Sink {
    /// A sink of `format` over `out`; `schema`, when known, is the records'
    /// (WET records), otherwise the first records' is inferred.
    pub fn new(
        out: Output,
        format: RecordFormat,
        schema: Option<arrow_schema::SchemaRef>,
        text_field: &str,
    ) -> Sink {
        match format {
            RecordFormat::Jsonl => Sink::Jsonl(Box::new(out)),
            RecordFormat::Parquet => Sink::Parquet {
                name: out.name(),
                out: Box::new(ParquetSink::new(out, Some(text_field))),
                empty: schema.clone().unwrap_or_else(|| {
                    std::sync::Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
                        text_field,
                        arrow_schema::DataType::Utf8,
                        true,
                    )]))
                }),
                json: JsonBatches::new(schema),
            },
        }
    }

    /// Write records, each one JSON object and its line end, in order; a
    /// record that does not fit a Parquet output's columns is handed to
    /// `misfit` (its place in `records`, why) and left out.
    pub fn records(
        &mut self,
        records: &[Vec<u8>],
        mut misfit: impl FnMut(usize, String),
    ) -> Result<()> {
        match self {
            Sink::Jsonl(o) => {
                for r in records {
                    o.write_all(r)
                        .with_context(|| format!("{}: writing", o.name()))?;
                }
                Ok(())
            }
            Sink::Parquet {
                out, json, name, ..
            } => {
                if records.is_empty() {
                    return Ok(());
                }
                let slices: Vec<&[u8]> = records.iter().map(|r| r.as_slice()).collect();
                let (batch, misfits) = json
                    .batch(&slices)
                    .with_context(|| format!("{name}: building Parquet columns"))?;
                for m in misfits {
                    misfit(m.index, m.why);
                }
                out.write(&batch)
                    .with_context(|| format!("{name}: writing"))
            }
        }
    }

    /// Write WET records as the columns of the output's schema (set from
    /// the start: see [`crate::columnar::wet_schema`]).
    pub fn wet_rows(&mut self, rows: &[WetRow]) -> Result<()> {
        match self {
            _ if rows.is_empty() => Ok(()),
            Sink::Jsonl(_) => unreachable!("WET rows are made for a Parquet output only"),
            Sink::Parquet {
                out, json, name, ..
            } => {
                let schema = json
                    .schema()
                    .expect("a WET run's schema is set from the start");
                let batch = crate::columnar::wet_batch(schema, rows)
                    .with_context(|| format!("{name}: building Parquet columns"))?;
                out.write(&batch)
                    .with_context(|| format!("{name}: writing"))
            }
        }
    }

    /// Write a batch of cleaned rows (a Parquet input's).
    pub fn batch(&mut self, batch: &RecordBatch) -> Result<()> {
        match self {
            Sink::Jsonl(o) => {
                let name = o.name();
                let mut w = arrow_json::LineDelimitedWriter::new(&mut **o);
                w.write(batch)
                    .and_then(|()| w.finish())
                    .with_context(|| format!("{name}: writing"))
            }
            Sink::Parquet { out, name, .. } => {
                out.write(batch).with_context(|| format!("{name}: writing"))
            }
        }
    }

    /// Finish the output and move it into place.
    pub fn finish(self) -> Result<()> {
        match self {
            Sink::Jsonl(o) => (*o).finish(),
            Sink::Parquet {
                out,
                json,
                name,
                empty,
            } => {
                let schema = json.schema().cloned().unwrap_or(empty);
                out.finish(schema)
                    .with_context(|| format!("{name}: writing"))?
                    .finish()
            }
        }
    }
}
