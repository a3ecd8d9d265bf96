//! Parquet in and out, over Arrow record batches, with bounded memory.
//!
//! A Parquet input is read a batch of rows at a time
//! ([`ParquetReader`]); its text column is cleaned and replaced by
//! [`replace_text`], which keeps the column's type, and every other column
//! passes through as it is. [`ParquetSink`] writes batches, closing a row
//! group whenever the one in progress holds [`ROW_GROUP_BYTES`], so that a
//! run of any size holds at most that much of its output. Records that
//! arrive as JSON (JSONL inputs, WET records) become batches through
//! [`JsonBatches`], whose schema is given (WET: [`wet_schema`]) or inferred
//! from the first records.

use std::fs::File;
use std::io::Write;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, LargeStringArray, StringArray, StringViewArray};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

pub use arrow_array::RecordBatch;

/// Rows per batch read from a Parquet file.
pub const BATCH_ROWS: usize = 1024;
/// Bytes of encoded output a row group may hold before it is written out.
pub const ROW_GROUP_BYTES: usize = 64 << 20;

/// The rows of a Parquet file, a batch at a time.
pub struct ParquetReader {
    rows: ParquetRecordBatchReader,
    schema: SchemaRef,
}

impl ParquetReader {
    /// Open `file`, reading batches of `batch_rows` rows.
    pub fn new(
        file: File,
        batch_rows: usize,
    ) -> Result<ParquetReader, parquet::errors::ParquetError> {
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
        let schema = builder.schema().clone();
        let rows = builder.with_batch_size(batch_rows).build()?;
        Ok(ParquetReader { rows, schema })
    }

    /// The file's schema.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }
}

impl Iterator for ParquetReader {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

/// A string column of any of Arrow's three string types.
#[derive(Clone, Copy, Debug)]
pub enum Texts<'a> {
    /// `Utf8`.
    Small(&'a StringArray),
    /// `LargeUtf8`.
    Large(&'a LargeStringArray),
    /// `Utf8View`.
    View(&'a StringViewArray),
}

impl<'a> Texts<'a> {
    /// Row `i`'s string, `None` when null.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Texts::Small(a) => a.is_valid(i).then(|| a.value(i)),
            Texts::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Texts::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }

    /// Rows.
    pub fn len(&self) -> usize {
        match self {
            Texts::Small(a) => a.len(),
            Texts::Large(a) => a.len(),
            Texts::View(a) => a.len(),
        }
    }

    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The string column `name` of `batch`; an error naming the column when it
/// is missing or not a string column.
pub fn texts<'a>(batch: &'a RecordBatch, name: &str) -> Result<Texts<'a>, String> {
    let Some(col) = batch.column_by_name(name) else {
        let names: Vec<&str> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        return Err(format!("no column {name:?} (the columns are {names:?})"));
    };
    Ok(match col.data_type() {
        DataType::Utf8 => Texts::Small(col.as_string::<i32>()),
        DataType::LargeUtf8 => Texts::Large(col.as_string::<i64>()),
        DataType::Utf8View => Texts::View(col.as_string_view()),
        other => return Err(format!("column {name:?} holds {other}, not strings")),
    })
}

/// `batch` with its column `name` replaced by `values` (of the column's
/// own string type) and, if given, a string column appended.
pub fn replace_text(
    batch: &RecordBatch,
    name: &str,
    values: &[Option<&str>],
    extra: Option<(&str, &[Option<&str>])>,
) -> Result<RecordBatch, ArrowError> {
    let schema = batch.schema();
    let mut fields: Vec<Arc<Field>> = schema.fields().iter().cloned().collect();
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    let Some((k, field)) = schema.column_with_name(name) else {
        return Err(ArrowError::SchemaError(format!("no column {name:?}")));
    };
    columns[k] = string_array(field.data_type(), values.iter().copied())?;
    if let Some((extra_name, extra_values)) = extra {
        fields.push(Arc::new(Field::new(extra_name, DataType::Utf8, true)));
        columns.push(Arc::new(StringArray::from_iter(
            extra_values.iter().copied(),
        )));
    }
    RecordBatch::try_new(
        Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone())),
        columns,
    )
}

fn string_array<'v>(
    ty: &DataType,
    values: impl Iterator<Item = Option<&'v str>>,
) -> Result<ArrayRef, ArrowError> {
    Ok(match ty {
        DataType::Utf8 => Arc::new(StringArray::from_iter(values)),
        DataType::LargeUtf8 => Arc::new(LargeStringArray::from_iter(values)),
        DataType::Utf8View => Arc::new(StringViewArray::from_iter(values)),
        other => {
            return Err(ArrowError::SchemaError(format!(
                "the text column holds {other}, not strings"
            )));
        }
    })
}

/// The columns of WET records written as Parquet: FineWeb's, but for the
/// two its own filters compute (`language_score`, `token_count`).
/// `language` is the WET record's `WARC-Identified-Content-Language`.
pub fn wet_schema(text: &str, id: &str, url: &str, spans: Option<&str>) -> SchemaRef {
    let mut fields = vec![
        Field::new(text, DataType::Utf8, false),
        Field::new(id, DataType::Utf8, true),
        Field::new("dump", DataType::Utf8, true),
        Field::new(url, DataType::Utf8, true),
        Field::new("date", DataType::Utf8, true),
        Field::new("file_path", DataType::Utf8, true),
        Field::new("language", DataType::Utf8, true),
    ];
    if let Some(s) = spans {
        fields.push(Field::new(s, DataType::Utf8, true));
    }
    Arc::new(Schema::new(fields))
}

/// A WET record, cleaned, as the columns of [`wet_schema`] hold it.
#[derive(Clone, Debug, Default)]
pub struct WetRow {
    /// The cleaned text.
    pub text: String,
    /// `WARC-Record-ID`.
    pub id: String,
    /// The crawl (`CC-MAIN-2024-10`), from the file's name.
    pub dump: Option<String>,
    /// `WARC-Target-URI`.
    pub url: Option<String>,
    /// `WARC-Date`.
    pub date: Option<String>,
    /// The WET file's path.
    pub file_path: String,
    /// `WARC-Identified-Content-Language`.
    pub language: Option<String>,
    /// The removed spans (JSON), when asked for.
    pub spans: Option<String>,
}

/// A batch of `rows` in `schema`, a [`wet_schema`].
pub fn wet_batch(schema: &SchemaRef, rows: &[WetRow]) -> Result<RecordBatch, ArrowError> {
    let col = |f: &dyn Fn(&WetRow) -> Option<&str>| -> ArrayRef {
        Arc::new(StringArray::from_iter(rows.iter().map(f)))
    };
    let mut columns = vec![
        col(&|r| Some(r.text.as_str())),
        col(&|r| Some(r.id.as_str())),
        col(&|r| r.dump.as_deref()),
        col(&|r| r.url.as_deref()),
        col(&|r| r.date.as_deref()),
        col(&|r| Some(r.file_path.as_str())),
        col(&|r| r.language.as_deref()),
    ];
    if schema.fields().len() > columns.len() {
        columns.push(col(&|r| r.spans.as_deref()));
    }
    RecordBatch::try_new(schema.clone(), columns)
}

/// JSON records into record batches of one schema: given, or inferred from
/// the first records seen (a field that is null in all of them is read as
/// a string; objects and arrays as JSON text).
pub struct JsonBatches {
    schema: Option<SchemaRef>,
}

/// A record that does not fit the schema.
#[derive(Debug)]
pub struct Misfit {
    /// Its index among the records given.
    pub index: usize,
    /// Why.
    pub why: String,
}

impl JsonBatches {
    /// Batches of `schema`, or of the schema of the first records.
    pub fn new(schema: Option<SchemaRef>) -> JsonBatches {
        JsonBatches { schema }
    }

    /// The schema, once known.
    pub fn schema(&self) -> Option<&SchemaRef> {
        self.schema.as_ref()
    }

    /// One batch of `records` (JSON objects, one per slice); those that do
    /// not fit the schema are left out and listed.
    pub fn batch(&mut self, records: &[&[u8]]) -> Result<(RecordBatch, Vec<Misfit>), ArrowError> {
        let schema = match &self.schema {
            Some(s) => s.clone(),
            None => {
                let values = records
                    .iter()
                    .filter_map(|r| serde_json::from_slice::<serde_json::Value>(r).ok())
                    .map(Ok::<_, ArrowError>);
                let inferred = arrow_json::reader::infer_json_schema_from_iterator(values)?;
                let fields: Vec<Field> = inferred
                    .fields()
                    .iter()
                    .map(|f| match f.data_type() {
                        DataType::Null => Field::new(f.name(), DataType::Utf8, true),
                        _ => f.as_ref().clone().with_nullable(true),
                    })
                    .collect();
                let s = Arc::new(Schema::new(fields));
                self.schema = Some(s.clone());
                s
            }
        };
        let decode = |rs: &[&[u8]]| -> Result<RecordBatch, ArrowError> {
            let mut d = arrow_json::ReaderBuilder::new(schema.clone())
                .with_batch_size(rs.len().max(1))
                .with_coerce_primitive(true)
                .build_decoder()?;
            for r in rs {
                d.decode(r)?;
                d.decode(b"\n")?;
            }
            Ok(d.flush()?
                .unwrap_or_else(|| RecordBatch::new_empty(schema.clone())))
        };
        match decode(records) {
            Ok(b) => Ok((b, Vec::new())),
            Err(_) => {
                // Find the records that do not fit, one by one.
                let mut good = Vec::with_capacity(records.len());
                let mut misfits = Vec::new();
                for (index, r) in records.iter().enumerate() {
                    match decode(std::slice::from_ref(r)) {
                        Ok(_) => good.push(*r),
                        Err(e) => misfits.push(Misfit {
                            index,
                            why: e.to_string(),
                        }),
                    }
                }
                Ok((decode(&good)?, misfits))
            }
        }
    }
}

/// Writes record batches of one schema to a Parquet file (zstd), a row
/// group at most [`ROW_GROUP_BYTES`] at a time.
pub struct ParquetSink<W: Write + Send> {
    out: Option<W>,
    /// The text column: no dictionary (its values are unique) and no
    /// statistics (no reader prunes on them).
    text: Option<String>,
    writer: Option<(ArrowWriter<W>, SchemaRef)>,
}

impl<W: Write + Send> ParquetSink<W> {
    /// A sink writing to `out`; the schema is the first batch's. `text`
    /// names the column of long, unique strings, which is written without
    /// dictionary or statistics.
    pub fn new(out: W, text: Option<&str>) -> ParquetSink<W> {
        ParquetSink {
            out: Some(out),
            text: text.map(str::to_string),
            writer: None,
        }
    }

    /// Write `batch` (of the first batch's schema).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), parquet::errors::ParquetError> {
        if self.writer.is_none() {
            let mut props = WriterProperties::builder()
                .set_compression(Compression::ZSTD(ZstdLevel::default()));
            if let Some(t) = &self.text {
                let path = ColumnPath::from(t.as_str());
                props = props
                    .set_column_dictionary_enabled(path.clone(), false)
                    .set_column_statistics_enabled(path, EnabledStatistics::None);
            }
            let props = props.build();
            let out = self
                .out
                .take()
                .expect("a sink without a writer holds its output");
            let schema = batch.schema();
            self.writer = Some((
                ArrowWriter::try_new(out, schema.clone(), Some(props))?,
                schema,
            ));
        }
        let (w, schema) = self.writer.as_mut().expect("set above");
        if **schema != *batch.schema() {
            return Err(parquet::errors::ParquetError::General(format!(
                "the records' columns changed: {:?} after {:?}; a Parquet file has one schema",
                field_names(&batch.schema()),
                field_names(schema)
            )));
        }
        w.write(batch)?;
        if w.in_progress_size() >= ROW_GROUP_BYTES {
            w.flush()?;
        }
        Ok(())
    }

    /// Finish the file (with an empty one of `schema` if nothing was
    /// written) and return the output.
    pub fn finish(mut self, schema: SchemaRef) -> Result<W, parquet::errors::ParquetError> {
        if self.writer.is_none() {
            self.write(&RecordBatch::new_empty(schema))?;
        }
        let (w, _) = self.writer.take().expect("set above");
        w.into_inner()
    }
}

fn field_names(s: &Schema) -> Vec<&str> {
    s.fields().iter().map(|f| f.name().as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Int64Array;

    fn batch() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("text", DataType::LargeUtf8, true),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![1, 2, 3])),
                Arc::new(LargeStringArray::from(vec![Some("a"), None, Some("c")])),
            ],
        )
        .unwrap()
    }

    #[test]
    fn replacing_the_text_keeps_its_type_and_the_other_columns() {
        let b = batch();
        let t = texts(&b, "text").unwrap();
        assert_eq!((t.get(0), t.get(1), t.len()), (Some("a"), None, 3));
        let out = replace_text(
            &b,
            "text",
            &[Some("A"), None, Some("C")],
            Some(("spans", &[None, None, Some("[]")])),
        )
        .unwrap();
        assert_eq!(out.schema().field(1).data_type(), &DataType::LargeUtf8);
        assert_eq!(out.column(0), b.column(0));
        assert_eq!(texts(&out, "text").unwrap().get(2), Some("C"));
        assert_eq!(texts(&out, "spans").unwrap().get(2), Some("[]"));
        assert!(texts(&b, "id").unwrap_err().contains("not strings"));
        assert!(
            texts(&b, "body")
                .unwrap_err()
                .contains("no column \"body\"")
        );
    }

    #[test]
    fn parquet_round_trip_in_row_groups() {
        let mut sink = ParquetSink::new(Vec::new(), Some("text"));
        for _ in 0..3 {
            sink.write(&batch()).unwrap();
        }
        let bytes = sink.finish(batch().schema()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.parquet");
        std::fs::write(&p, bytes).unwrap();
        let rows: Vec<RecordBatch> = ParquetReader::new(File::open(&p).unwrap(), 2)
            .unwrap()
            .map(|b| b.unwrap())
            .collect();
        assert_eq!(rows.iter().map(|b| b.num_rows()).sum::<usize>(), 9);
        assert_eq!(rows[0].schema(), batch().schema());
    }

    #[test]
    fn json_records_fit_an_inferred_schema_or_are_listed() {
        let mut j = JsonBatches::new(None);
        let recs: [&[u8]; 3] = [
            br#"{"id": 1, "text": "a", "x": null}"#,
            br#"{"id": 2, "text": "b", "x": "s"}"#,
            br#"{"id": 3, "text": "c"}"#,
        ];
        let (b, misfits) = j.batch(&recs).unwrap();
        assert!(misfits.is_empty());
        assert_eq!(b.num_rows(), 3);
        assert_eq!(
            j.schema()
                .unwrap()
                .field_with_name("x")
                .unwrap()
                .data_type(),
            &DataType::Utf8
        );
        let later: [&[u8]; 2] = [
            br#"{"id": "not a number", "text": "d"}"#,
            br#"{"id": 5, "text": "e"}"#,
        ];
        let (b, misfits) = j.batch(&later).unwrap();
        assert_eq!(b.num_rows(), 1);
        assert_eq!(misfits.len(), 1);
        assert_eq!(misfits[0].index, 0);
    }
}
