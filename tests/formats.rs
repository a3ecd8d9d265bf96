//! Corpus formats end to end: Common Crawl WET files written by the test in
//! the real format (a gzip member per record, a warcinfo record first).

use std::io::Write;
use std::path::{Path, PathBuf};

use predicates::str::contains;

use crate::util::{deboil, jsonl_records};

const PAGE: &str = "A real paragraph of the article, with a full stop.\n\nAdvertisement\n\nAnother real paragraph that ends the story.\n";
const CLEAN: &str = "A real paragraph of the article, with a full stop.\n\nAnother real paragraph that ends the story.\n";

/// A WARC record as Common Crawl's WET files hold it.
pub fn wet_record(kind: &str, n: usize, uri: &str, body: &str) -> Vec<u8> {
    format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-02-2{}T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:0000000{n}>\r\nWARC-Refers-To: <urn:uuid:1000000{n}>\r\nWARC-Block-Digest: sha1:AAAA\r\nWARC-Identified-Content-Language: eng,deu\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}\r\n\r\n",
        n % 10,
        body.len()
    )
    .into_bytes()
}

pub fn gz(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// A warcinfo member, then `pages` conversion members.
pub fn wet_file(pages: &[&str]) -> Vec<u8> {
    let mut f = gz(&wet_record(
        "warcinfo",
        0,
        "",
        "isPartOf: CC-MAIN-2024-10\r\n",
    ));
    for (k, p) in pages.iter().enumerate() {
        f.extend(gz(&wet_record(
            "conversion",
            k + 1,
            &format!("https://www.example.com/{k}"),
            p,
        )));
    }
    f
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn wet_records_become_jsonl_records_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "CC-MAIN-x.warc.wet.gz",
        &wet_file(&[PAGE, "Only content here.", PAGE]),
    );
    let out = deboil()
        .arg(&f)
        .arg("-j2")
        .assert()
        .success()
        .stderr(contains("1 WET records of other types than conversion"))
        .get_output()
        .stdout
        .clone();
    let recs = jsonl_records(&out);
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[0]["id"], "<urn:uuid:00000001>");
    assert_eq!(recs[0]["url"], "https://www.example.com/0");
    assert_eq!(recs[0]["date"], "2024-02-21T10:00:00Z");
    assert_eq!(recs[0]["language"], "eng,deu");
    assert_eq!(recs[0]["text"], CLEAN);
    assert_eq!(recs[1]["text"], "Only content here.\n");
    assert_eq!(recs[2]["id"], "<urn:uuid:00000003>");
    // Field names follow --text-field and --id-field; spans are added on request.
    let out = deboil()
        .args([
            "--text-field",
            "body",
            "--id-field",
            "doc",
            "--spans-field",
            "removed",
            "-q",
        ])
        .arg(&f)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let recs = jsonl_records(&out);
    assert_eq!(recs[0]["body"], CLEAN);
    assert_eq!(recs[0]["doc"], "<urn:uuid:00000001>");
    assert_eq!(recs[0]["removed"][0]["kind"], "ad");
}

#[test]
fn plain_zstd_and_stdin_wet_read_alike() {
    let dir = tempfile::tempdir().unwrap();
    let plain: Vec<u8> = [
        wet_record("warcinfo", 0, "", "x"),
        wet_record("conversion", 1, "https://a.example/", PAGE),
    ]
    .concat();
    let z = write(
        dir.path(),
        "a.wet.zst",
        &zstd::encode_all(&plain[..], 3).unwrap(),
    );
    let p = write(dir.path(), "a.wet", &plain);
    for cmd in [deboil().arg(&z).assert(), deboil().arg(&p).assert()] {
        let recs = jsonl_records(&cmd.success().get_output().stdout);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0]["text"], CLEAN);
    }
    let out = deboil()
        .args(["--input-format", "wet"])
        .write_stdin(gz(&plain))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(jsonl_records(&out)[0]["text"], CLEAN);
}

#[test]
fn bad_wet_records_are_reported_with_file_and_offset_and_the_rest_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let good = wet_file(&[PAGE]);
    let bad_length =
        gz(
            &String::from_utf8(wet_record("conversion", 7, "https://b.example/", PAGE))
                .unwrap()
                .replace(
                    &format!("Content-Length: {}", PAGE.len()),
                    "Content-Length: 20",
                )
                .into_bytes(),
        );
    let after = gz(&wet_record(
        "conversion",
        8,
        "https://c.example/",
        "Only content here.",
    ));
    let cut = gz(&wet_record("conversion", 9, "https://d.example/", PAGE));
    let mut bytes = [good.clone(), bad_length.clone(), after].concat();
    bytes.extend_from_slice(&cut[..cut.len() - 10]);
    let f = write(dir.path(), "bad.warc.wet.gz", &bytes);
    let name = f.display().to_string();
    let out = deboil()
        .arg(&f)
        .arg("--stats")
        .assert()
        .code(1)
        .stderr(contains(format!(
            "{name}: byte {}: Content-Length 20",
            good.len()
        )))
        .stderr(contains(format!(
            "{name}: byte {}: gzip member cut short",
            good.len()
                + bad_length.len()
                + gz(&wet_record(
                    "conversion",
                    8,
                    "https://c.example/",
                    "Only content here."
                ))
                .len()
        )))
        .stderr(contains("2 WET records could not be read and were skipped"))
        .get_output()
        .stdout
        .clone();
    let recs = jsonl_records(&out);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1]["text"], "Only content here.\n");
    // --on-error fail stops at the first bad record.
    deboil()
        .args(["--on-error", "fail"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(contains("stopping at a malformed WET record"));
}

#[test]
fn wet_and_plain_inputs_are_not_mixed_by_accident() {
    let dir = tempfile::tempdir().unwrap();
    let w = write(dir.path(), "a.wet.gz", &wet_file(&[PAGE]));
    let t = write(dir.path(), "b.txt", PAGE.as_bytes());
    deboil()
        .arg(&w)
        .arg(&t)
        .assert()
        .code(2)
        .stderr(contains("b.txt is neither a WET nor a Parquet file"));
}

/// Code-point range `start..end` of `text`.
fn by_chars(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

/// The text of an attribute span `[start, end, score]` of `text`.
fn span_text(text: &str, span: &serde_json::Value) -> String {
    by_chars(
        text,
        span[0].as_u64().unwrap() as usize,
        span[1].as_u64().unwrap() as usize,
    )
}

#[test]
fn dolma_attributes_name_the_removed_spans_in_code_points() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(
        crate::util::root().join("fixtures/seeds/001_986ed07ce0cea2d6.txt"),
    )
    .unwrap();
    let accented = format!("Ünïcödé → {PAGE}");
    // An article whose last lines the line model drops (low content).
    let mut article = String::from("Bus network to grow by three routes\n\n");
    for p in [
        "The city council voted on Tuesday to expand the bus network, adding three new routes that will connect the northern suburbs with the central station by next spring.",
        "Officials said the plan would cost about twelve million dollars over five years, most of it covered by a regional transport grant approved last autumn.",
        "Residents who spoke at the meeting were mostly in favour, although several asked why the routes would not run later in the evening on weekdays.",
        "The mayor said a review of evening service would follow once the first year of ridership figures is in, and promised a public consultation.",
    ] {
        article.push_str(p);
        article.push_str("\n\n");
    }
    article.push_str("Weather in the city today\nSunny, 21 degrees\nMarkets\nDow 34,500 +0.4%\nNasdaq 13,900 -0.2%\n");
    let docs = [
        accented.as_str(),
        seed.as_str(),
        "Only content here.",
        article.as_str(),
    ];
    let mut input = String::new();
    for (k, t) in docs.iter().enumerate() {
        input.push_str(&format!(
            "{}\n",
            serde_json::json!({"id": format!("d{k}"), "text": t})
        ));
    }
    input.push_str("{\"id\": \"no-text\"}\n");
    let attrs = dir.path().join("attributes.jsonl");
    let out = deboil()
        .args(["--jsonl", "--spans-field", "spans", "--attributes"])
        .arg(&attrs)
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let recs = jsonl_records(&out);
    let lines = jsonl_records(&std::fs::read(&attrs).unwrap());
    assert_eq!(lines.len(), recs.len(), "one attributes line per record");
    assert_eq!(
        lines[4],
        serde_json::json!({"id": "no-text", "attributes": {}})
    );
    let mut model_scores = 0;
    for (k, text) in docs.iter().enumerate() {
        assert_eq!(lines[k]["id"], format!("d{k}"));
        // Every span of the spans field, in bytes, is an attribute span in code points.
        let mut from_attrs: Vec<(String, String, f64)> = Vec::new();
        for (kind, spans) in lines[k]["attributes"].as_object().unwrap() {
            for s in spans.as_array().unwrap() {
                let (a, b, score) = (
                    s[0].as_u64().unwrap(),
                    s[1].as_u64().unwrap(),
                    s[2].as_f64().unwrap(),
                );
                assert!((0.0..=1.0).contains(&score));
                if score < 1.0 {
                    model_scores += 1;
                }
                from_attrs.push((kind.clone(), by_chars(text, a as usize, b as usize), score));
            }
        }
        let mut from_spans: Vec<(String, String)> = recs[k]["spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let (a, b) = (
                    s["start"].as_u64().unwrap() as usize,
                    s["end"].as_u64().unwrap() as usize,
                );
                (
                    format!("deboil__{}", s["kind"].as_str().unwrap().replace('-', "_")),
                    text[a..b].to_string(),
                )
            })
            .collect();
        let mut got: Vec<(String, String)> =
            from_attrs.into_iter().map(|(k, t, _)| (k, t)).collect();
        got.sort();
        from_spans.sort();
        assert_eq!(got, from_spans, "document {k}");
    }
    assert!(lines[0]["attributes"]["deboil__ad"].is_array());
    assert!(model_scores > 0, "the article has lines the model dropped");
    assert!(
        lines[3]["attributes"]["deboil__low_content"][0][2]
            .as_f64()
            .unwrap()
            > 0.9
    );
}

#[test]
fn dolma_attributes_of_wet_records_use_their_record_ids() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "a.warc.wet.gz", &wet_file(&[PAGE, PAGE]));
    let attrs = dir.path().join("attrs.jsonl.gz");
    deboil()
        .arg(&f)
        .arg("--attributes")
        .arg(&attrs)
        .arg("-q")
        .assert()
        .success();
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&attrs).unwrap()),
        &mut text,
    )
    .unwrap();
    let lines = jsonl_records(text.as_bytes());
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["id"], "<urn:uuid:00000002>");
    let ad = &lines[1]["attributes"]["deboil__ad"][0];
    assert_eq!(span_text(PAGE, ad), "Advertisement");
}

mod parquet_files {
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use deboil::columnar::{ParquetReader, ParquetSink};

    use super::*;

    /// FineWeb's columns, with a null text and nulls elsewhere.
    fn fineweb_batch(rows: usize) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("text", DataType::Utf8, true),
            Field::new("id", DataType::Utf8, true),
            Field::new("dump", DataType::Utf8, true),
            Field::new("url", DataType::Utf8, true),
            Field::new("date", DataType::Utf8, true),
            Field::new("file_path", DataType::Utf8, true),
            Field::new("language", DataType::Utf8, true),
            Field::new("language_score", DataType::Float64, true),
            Field::new("token_count", DataType::Int64, true),
        ]));
        let text: Vec<Option<&str>> = (0..rows)
            .map(|i| match i % 4 {
                0 => Some(PAGE),
                1 => None,
                2 => Some("Only content here."),
                _ => Some("Ünïcödé text, kept as it is.\n\nAdvertisement\n"),
            })
            .collect();
        let s = |f: &dyn Fn(usize) -> Option<String>| -> ArrayRef {
            Arc::new(StringArray::from_iter((0..rows).map(f)))
        };
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(text)),
                s(&|i| Some(format!("<urn:uuid:{i}>"))),
                s(&|_| Some("CC-MAIN-2024-10".into())),
                s(&|i| Some(format!("https://example.com/{i}"))),
                s(&|i| (i % 3 != 0).then(|| "2024-02-20T10:00:00Z".into())),
                s(&|_| Some("s3://commoncrawl/x.warc.gz".into())),
                s(&|_| Some("en".into())),
                Arc::new(Float64Array::from_iter(
                    (0..rows).map(|i| (i % 5 != 0).then_some(0.9)),
                )),
                Arc::new(Int64Array::from_iter(
                    (0..rows).map(|i| Some(i as i64 * 10)),
                )),
            ],
        )
        .unwrap()
    }

    fn write_parquet(path: &Path, batches: &[RecordBatch]) {
        let mut sink = ParquetSink::new(std::fs::File::create(path).unwrap(), None);
        for b in batches {
            sink.write(b).unwrap();
        }
        sink.finish(batches[0].schema()).unwrap();
    }

    fn read_parquet(path: &Path) -> Vec<RecordBatch> {
        ParquetReader::new(std::fs::File::open(path).unwrap(), 1000)
            .unwrap()
            .map(|b| b.unwrap())
            .collect()
    }

    /// One batch of all rows, column by column (strings and numbers).
    fn concat(batches: &[RecordBatch]) -> RecordBatch {
        let schema = batches[0].schema();
        let cols = (0..schema.fields().len())
            .map(|c| -> ArrayRef {
                match schema.field(c).data_type() {
                    DataType::Utf8 => {
                        Arc::new(StringArray::from_iter(batches.iter().flat_map(|b| {
                            b.column(c)
                                .as_string::<i32>()
                                .iter()
                                .map(|v| v.map(str::to_string))
                        })))
                    }
                    DataType::Float64 => Arc::new(Float64Array::from_iter(
                        batches
                            .iter()
                            .flat_map(|b| b.column(c).as_primitive::<Float64Type>().iter()),
                    )),
                    DataType::Int64 => Arc::new(Int64Array::from_iter(
                        batches
                            .iter()
                            .flat_map(|b| b.column(c).as_primitive::<Int64Type>().iter()),
                    )),
                    t => panic!("{t}"),
                }
            })
            .collect();
        RecordBatch::try_new(schema, cols).unwrap()
    }

    #[test]
    fn parquet_round_trip_cleans_the_text_and_passes_every_other_column_through() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.parquet");
        // Several batches of rows, so that batches and row groups are crossed.
        let batches: Vec<RecordBatch> = (0..3).map(|_| fineweb_batch(1500)).collect();
        write_parquet(&input, &batches);
        let output = dir.path().join("out.parquet");
        let stats = dir.path().join("stats.json");
        deboil()
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .arg("-j2")
            .arg("--stats-format=json")
            .arg(format!("--stats={}", stats.display()))
            .assert()
            .success()
            .stderr(contains("1125 records had no string field \"text\""));
        let got = concat(&read_parquet(&output));
        let want = concat(&batches);
        assert_eq!(got.schema(), want.schema());
        assert_eq!(got.num_rows(), 4500);
        for c in 1..want.num_columns() {
            assert_eq!(
                got.column(c),
                want.column(c),
                "column {}",
                want.schema().field(c).name()
            );
        }
        let text = got.column(0).as_string::<i32>();
        for i in 0..got.num_rows() {
            let want = match i % 4 {
                0 => Some(CLEAN),
                1 => None,
                2 => Some("Only content here.\n"),
                _ => Some("Ünïcödé text, kept as it is.\n"),
            };
            assert_eq!(text.is_valid(i).then(|| text.value(i)), want, "row {i}");
        }
        let stats: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&stats).unwrap()).unwrap();
        assert_eq!(stats["documents"], 3375);
        assert_eq!(stats["records_without_text"], 1125);
    }

    #[test]
    fn wet_to_parquet_to_jsonl_and_back() {
        let dir = tempfile::tempdir().unwrap();
        let wet = write(
            dir.path(),
            "CC-MAIN-2024-10-x.warc.wet.gz",
            &wet_file(&[PAGE, "Only content here."]),
        );
        let pq = dir.path().join("clean.parquet");
        deboil()
            .arg(&wet)
            .arg("-o")
            .arg(&pq)
            .arg("-q")
            .assert()
            .success();
        let b = concat(&read_parquet(&pq));
        let names: Vec<&str> = b
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(
            names,
            ["text", "id", "dump", "url", "date", "file_path", "language"]
        );
        assert_eq!(b.num_rows(), 2);
        let col = |n: &str| {
            b.column_by_name(n)
                .unwrap()
                .as_string::<i32>()
                .value(0)
                .to_string()
        };
        assert_eq!(col("text"), CLEAN);
        assert_eq!(col("dump"), "CC-MAIN-2024-10");
        assert_eq!(col("url"), "https://www.example.com/0");
        assert_eq!(col("file_path"), wet.display().to_string());
        // Parquet to JSONL: the same records as WET to JSONL.
        let from_parquet = deboil()
            .arg(&pq)
            .args(["--format", "jsonl"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let from_wet = deboil()
            .arg(&wet)
            .arg("-q")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        assert_eq!(jsonl_records(&from_parquet), jsonl_records(&from_wet));
        // JSONL to Parquet again: the same columns and rows.
        let jl = write(dir.path(), "records.jsonl", &from_wet);
        let pq2 = dir.path().join("again.parquet");
        deboil()
            .arg("--jsonl")
            .arg(&jl)
            .arg("-o")
            .arg(&pq2)
            .assert()
            .success();
        let b2 = concat(&read_parquet(&pq2));
        assert_eq!(b2.num_rows(), 2);
        for n in ["text", "id", "dump", "url", "date", "file_path", "language"] {
            assert_eq!(
                b2.column_by_name(n).unwrap().as_string::<i32>(),
                b.column_by_name(n).unwrap().as_string::<i32>(),
                "{n}"
            );
        }
    }

    #[test]
    fn a_jsonl_record_that_does_not_fit_the_parquet_columns_is_reported_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let jl = write(
            dir.path(),
            "r.jsonl",
            format!(
                "{}\n{}\n{}\n",
                serde_json::json!({"id": 1, "text": PAGE}),
                serde_json::json!({"id": 2, "text": "Only content here."}),
                serde_json::json!({"id": 3, "text": "Another one."})
            )
            .as_bytes(),
        );
        // The first chunk sets the columns: a later chunk's record with an
        // object for an integer column does not fit.
        let mut big = std::fs::read(&jl).unwrap();
        for k in 0..1100 {
            big.extend(
                format!(
                    "{}\n",
                    serde_json::json!({"id": 10 + k, "text": "Kept text."})
                )
                .into_bytes(),
            );
        }
        big.extend(
            format!(
                "{}\n",
                serde_json::json!({"id": {"nested": true}, "text": "Misfit."})
            )
            .into_bytes(),
        );
        let jl = write(dir.path(), "big.jsonl", &big);
        let pq = dir.path().join("o.parquet");
        deboil()
            .arg("--jsonl")
            .arg(&jl)
            .arg("-o")
            .arg(&pq)
            .assert()
            .code(1)
            .stderr(contains(format!(
                "{}:1104: the record does not fit the Parquet columns",
                jl.display()
            )))
            .stderr(contains("1 records did not fit the Parquet columns"));
        assert_eq!(concat(&read_parquet(&pq)).num_rows(), 1103);
    }

    #[test]
    fn parquet_rows_get_attributes_explanations_and_spans_by_their_ids() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.parquet");
        write_parquet(&input, &[fineweb_batch(4)]);
        let (out, attrs, why) = (
            dir.path().join("o.parquet"),
            dir.path().join("a.jsonl"),
            dir.path().join("why.tsv"),
        );
        deboil()
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .args(["--spans-field", "spans", "--attributes"])
            .arg(&attrs)
            .arg(format!("--explain={}", why.display()))
            .assert()
            .success();
        let lines = jsonl_records(&std::fs::read(&attrs).unwrap());
        assert_eq!(lines.len(), 4, "one line per row, the null text's included");
        assert_eq!(
            lines[1],
            serde_json::json!({"id": "<urn:uuid:1>", "attributes": {}})
        );
        assert_eq!(lines[0]["id"], "<urn:uuid:0>");
        let ad = &lines[0]["attributes"]["deboil__ad"][0];
        assert_eq!(span_text(PAGE, ad), "Advertisement");
        let why = std::fs::read_to_string(&why).unwrap();
        assert!(
            why.lines()
                .any(|l| l.starts_with("<urn:uuid:3>\t") && l.contains("ad.label")),
            "{why}"
        );
        let b = concat(&read_parquet(&out));
        let spans = b.column_by_name("spans").unwrap().as_string::<i32>();
        assert!(spans.value(0).contains("\"kind\":\"ad\""));
        assert!(spans.is_null(1));
    }

    /// Events collected in memory, as a front end other than the binary would.
    #[derive(Default)]
    struct Collect {
        errors: std::sync::Mutex<Vec<String>>,
        notes: std::sync::Mutex<Vec<String>>,
        progress: std::sync::atomic::AtomicU64,
    }

    impl deboil::job::Events for Collect {
        fn error(&self, m: String) {
            self.errors.lock().unwrap().push(m);
        }
        fn warn(&self, m: String) {
            self.notes.lock().unwrap().push(m);
        }
        fn note(&self, m: String) {
            self.notes.lock().unwrap().push(m);
        }
        fn advance(&self, bytes: u64) {
            self.progress
                .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
        }
    }

    #[test]
    fn the_library_runs_a_wet_to_parquet_job_and_tells_what_it_skipped() {
        use deboil::job::{Job, JobOptions, PipelineOptions};
        let dir = tempfile::tempdir().unwrap();
        let good = wet_file(&[PAGE, "Only content here."]);
        let cut = gz(&wet_record("conversion", 9, "https://d.example/", PAGE));
        let mut bytes = good.clone();
        bytes.extend_from_slice(&cut[..cut.len() - 10]);
        let f = write(dir.path(), "CC-MAIN-2024-10-x.warc.wet.gz", &bytes);
        let out = dir.path().join("clean.parquet");
        let events = Collect::default();
        let opts = JobOptions {
            paths: vec![f.clone()],
            output: Some(out.clone()),
            threads: std::num::NonZeroUsize::new(2),
            ..JobOptions::default()
        };
        let job = Job::plan(PipelineOptions::default().builder().unwrap(), opts, &events).unwrap();
        assert_eq!(job.inputs().len(), 1);
        let report = job.run(&events).unwrap();
        assert_eq!(report.inputs, 1);
        assert_eq!(report.wet_other, 1);
        assert_eq!(report.wet_malformed, 1);
        assert_eq!(report.errors, 2, "{:?}", events.errors.lock().unwrap());
        assert_eq!(report.stats.documents, 2);
        let errors = events.errors.lock().unwrap().clone();
        assert!(
            errors[0].starts_with(&format!("{}: byte {}: ", f.display(), good.len())),
            "{errors:?}"
        );
        assert!(
            errors[1].contains("1 WET records could not be read"),
            "{errors:?}"
        );
        assert!(events.progress.load(std::sync::atomic::Ordering::Relaxed) > 0);
        let rows = concat(&read_parquet(&out));
        assert_eq!(rows.num_rows(), 2);
        let text = rows.column_by_name("text").unwrap().as_string::<i32>();
        assert_eq!(text.value(0), CLEAN);
        assert_eq!(text.value(1), "Only content here.\n");
        let dump = rows.column_by_name("dump").unwrap().as_string::<i32>();
        assert_eq!(dump.value(0), "CC-MAIN-2024-10");
    }

    #[test]
    fn parquet_needs_records_and_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let t = write(dir.path(), "a.txt", PAGE.as_bytes());
        deboil()
            .arg(&t)
            .arg("-o")
            .arg(dir.path().join("o.parquet"))
            .assert()
            .code(2)
            .stderr(contains("Parquet output holds records"));
        deboil()
            .args(["--input-format", "parquet"])
            .write_stdin("x")
            .assert()
            .code(1)
            .stderr(contains("Parquet cannot be read from standard input"));
        let input = dir.path().join("in.parquet");
        write_parquet(&input, &[fineweb_batch(3)]);
        deboil()
            .arg(&input)
            .args(["--text-field", "body"])
            .assert()
            .code(1)
            .stderr(contains("no column \"body\""));
        deboil()
            .arg(&input)
            .args(["--text-field", "token_count"])
            .assert()
            .code(1)
            .stderr(contains("not strings"));
    }
}

#[test]
fn wet_records_count_corpus_repeats_under_their_target_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let footer = "Subscribe to the Riverside Gazette for 99 cents";
    let mut f = gz(&wet_record("warcinfo", 0, "", "x"));
    let pages = [
        (
            "https://www.gazette.example/1",
            "First story, with its own words.",
        ),
        ("https://gazette.example/2", "Second story, other words."),
        ("https://gazette.example/3", "Third story here."),
        ("https://other.example/1", "A story on another site."),
    ];
    for (k, (url, body)) in pages.iter().enumerate() {
        f.extend(gz(&wet_record(
            "conversion",
            k + 1,
            url,
            &format!("{body}\n\n{footer}\n"),
        )));
    }
    let wet = write(dir.path(), "c.warc.wet.gz", &f);
    let counts = dir.path().join("c.counts");
    deboil()
        .args(["scan", "-o"])
        .arg(&counts)
        .arg(&wet)
        .assert()
        .success()
        .stderr(contains("scanned 4 documents"));
    let out = deboil()
        .args(["--min-docs", "3", "-q", "--counts"])
        .arg(&counts)
        .arg(&wet)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let recs = jsonl_records(&out);
    assert_eq!(recs[0]["text"], "First story, with its own words.\n");
    assert_eq!(recs[2]["text"], "Third story here.\n");
    // Seen once on other.example: kept there.
    assert_eq!(
        recs[3]["text"],
        format!("A story on another site.\n\n{footer}\n")
    );
}

#[test]
fn out_dir_names_the_outputs_by_their_format() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(inputs.join("sub")).unwrap();
    write(&inputs, "a.warc.wet.gz", &wet_file(&[PAGE]));
    write(
        &inputs.join("sub"),
        "b.wet.gz",
        &wet_file(&["Only content here."]),
    );
    let out = dir.path().join("out");
    deboil()
        .arg(&inputs)
        .arg("--out-dir")
        .arg(&out)
        .arg("-q")
        .assert()
        .success();
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(out.join("a.jsonl.gz")).unwrap()),
        &mut text,
    )
    .unwrap();
    assert_eq!(jsonl_records(text.as_bytes())[0]["text"], CLEAN);
    assert!(out.join("sub/b.jsonl.gz").is_file());
    let pq = dir.path().join("pq");
    deboil()
        .arg(&inputs)
        .arg("--out-dir")
        .arg(&pq)
        .args(["--format", "parquet", "-q"])
        .assert()
        .success();
    assert!(pq.join("a.parquet").is_file() && pq.join("sub/b.parquet").is_file());
    // And back: Parquet inputs to JSONL files.
    let back = dir.path().join("back");
    deboil()
        .arg(&pq)
        .arg("--out-dir")
        .arg(&back)
        .arg("-q")
        .assert()
        .success();
    let recs = jsonl_records(&std::fs::read(back.join("a.jsonl")).unwrap());
    assert_eq!(recs[0]["text"], CLEAN);
}
