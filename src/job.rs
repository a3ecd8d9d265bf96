//! A whole cleaning job, as the command line runs it: inputs found and
//! checked against the outputs ([`Job::plan`]), then cleaned on a rayon pool
//! a bounded window at a time and written in input order ([`Job::run`]),
//! with explanations, attributes and stats beside them. Front ends (the
//! binary, the Python package) hear of errors, warnings and progress through
//! [`Events`], as a searcher reports to its sink.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::Serialize;

use crate::columnar::{self, ParquetReader, RecordBatch, WetRow};
use crate::input::{Input, InputFormat, expand, file_id, stdout_file_id};
use crate::model::Favor;
use crate::output::Output;
use crate::records::{self, ParquetBatch, ParquetDone, RecordOptions, RecordResult, Rendered};
use crate::sink::{RecordFormat, Sink};
use crate::stream::{self, Chunk, WetBatch, read_chunk, read_wet};
use crate::wet::WetReader;
use crate::{ExplainFormat, ExplainWriter, Pipeline, PipelineBuilder, Stats};

/// What a job tells its front end while it runs. Messages name the input
/// (and line, record or byte offset) they are about; the front end decides
/// how to show them. Errors are things lost (exit status 1 on the command
/// line); warnings are repairs; notes are summaries.
pub trait Events: Sync {
    /// Something was not cleaned and written (an input, a record, a report).
    fn error(&self, message: String);
    /// Something was repaired or skipped on purpose.
    fn warn(&self, message: String);
    /// A summary line.
    fn note(&self, message: String);
    /// The job starts on `total_bytes` of input (0 when unknown).
    fn start(&self, _total_bytes: u64) {}
    /// `bytes` more of the input are done.
    fn advance(&self, _bytes: u64) {}
    /// The job is over.
    fn end(&self) {}
}

/// Counts the errors a job reports, passing every event on.
struct Counted<'a> {
    inner: &'a dyn Events,
    errors: AtomicU64,
}

impl Events for Counted<'_> {
    fn error(&self, message: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        self.inner.error(message);
    }
    fn warn(&self, message: String) {
        self.inner.warn(message);
    }
    fn note(&self, message: String) {
        self.inner.note(message);
    }
    fn start(&self, total_bytes: u64) {
        self.inner.start(total_bytes);
    }
    fn advance(&self, bytes: u64) {
        self.inner.advance(bytes);
    }
    fn end(&self) {
        self.inner.end();
    }
}

/// What to do with a malformed JSONL line or WET record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnError {
    /// Report it, count it, and go on.
    #[default]
    Skip,
    /// Report it and stop the job (an error).
    Fail,
}

/// The format of the stats report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatsFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object.
    Json,
}

/// Worker threads: the number asked for, or one per CPU.
pub fn thread_count(asked: Option<NonZeroUsize>) -> usize {
    asked.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n.get(),
    )
}

/// Why a JSONL line is no record.
pub enum Skip {
    /// Over the line limit; the message says so.
    TooLong(String),
    /// Not a record; the message says why.
    Malformed(String),
}

impl Skip {
    /// A line over `--max-line-bytes` of `limit`.
    pub fn too_long(limit: u64) -> Skip {
        Skip::TooLong(format!(
            "longer than --max-line-bytes ({limit} bytes); skipped"
        ))
    }
}

/// Report JSONL line `n` of `name` as skipped (an error), and stop the job
/// under [`OnError::Fail`]. Cleaning and scan both report through here; the
/// caller counts.
pub fn report_skipped(
    msg: &dyn Events,
    on_error: OnError,
    name: &str,
    n: u64,
    why: &Skip,
) -> Result<()> {
    let (m, what) = match why {
        Skip::TooLong(m) => (m, "a line too long"),
        Skip::Malformed(m) => (m, "a malformed line"),
    };
    msg.error(format!("{name}:{n}: {m}"));
    if on_error == OnError::Fail {
        bail!("{name}:{n}: stopping at {what} (--on-error fail)");
    }
    Ok(())
}

/// How the pipeline is made: the command line's rule, model and corpus
/// options, as data. Every front end builds its pipeline through
/// [`PipelineOptions::builder`].
#[derive(Clone, Debug)]
pub struct PipelineOptions {
    /// Rule tables (TOML) added to the built-in ones, or overriding their rules by id.
    pub rule_files: Vec<PathBuf>,
    /// The line model's threshold preset.
    pub favor: Favor,
    /// Passes, rule tables and rules switched off, by name.
    pub disable: Vec<String>,
    /// A counts file of `deboil scan`: lines seen in at least `min_docs`
    /// documents of a host are dropped.
    pub counts: Option<PathBuf>,
    /// Documents of one host a line must be seen in to be dropped.
    pub min_docs: u32,
}

impl Default for PipelineOptions {
    fn default() -> PipelineOptions {
        PipelineOptions {
            rule_files: Vec::new(),
            favor: Favor::Balanced,
            disable: Vec::new(),
            counts: None,
            min_docs: 5,
        }
    }
}

impl PipelineOptions {
    /// A builder with these options; the files they name are read here.
    pub fn builder(&self) -> Result<PipelineBuilder> {
        let counts = match &self.counts {
            Some(path) => Some(std::sync::Arc::new(crate::scan::read_counts(
                path,
                self.min_docs,
            )?)),
            None => None,
        };
        let tables = self
            .rule_files
            .iter()
            .map(|path| {
                let text = fs::read_to_string(path)
                    .with_context(|| format!("{}: reading rule table", path.display()))?;
                Ok((path.display().to_string(), text))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(pipeline_builder(
            &tables,
            self.favor,
            &self.disable,
            counts,
            self.min_docs,
        ))
    }
}

/// The one place the pipeline's options become a builder, from what they
/// hold once read: rule tables as (name, TOML text), the counts, the
/// preset and the names switched off. [`PipelineOptions::builder`] reads
/// its files and comes here; a front end that keeps the tables' text (the
/// Python package pickles it) comes here directly.
pub fn pipeline_builder(
    rule_tables: &[(String, String)],
    favor: Favor,
    disable: &[String],
    counts: Option<std::sync::Arc<crate::corpus::Counts>>,
    min_docs: u32,
) -> PipelineBuilder {
    let mut builder = PipelineBuilder::new();
    if let Some(counts) = counts {
        builder.corpus_counts(counts, min_docs);
    }
    for (name, text) in rule_tables {
        builder.rule_table(name, text.clone());
    }
    builder.favor(favor);
    for name in disable.iter().filter(|n| !n.is_empty()) {
        builder.disable(name.clone());
    }
    builder
}

/// A job's options: the command line's, as data, with its defaults.
#[derive(Clone, Debug)]
pub struct JobOptions {
    /// Files or directories; `-` or none is standard input.
    pub paths: Vec<PathBuf>,
    /// One output file (`-o`); standard output when neither this nor `out_dir` is set.
    pub output: Option<PathBuf>,
    /// One output per input file under this directory, mirroring the inputs.
    pub out_dir: Option<PathBuf>,
    /// Explanations to this file (`-` for standard error).
    pub explain: Option<PathBuf>,
    /// The format of the explanations.
    pub explain_format: ExplainFormat,
    /// Dolma attributes of the removed spans to this file.
    pub attributes: Option<PathBuf>,
    /// Stats to this file (`-` for standard error).
    pub stats: Option<PathBuf>,
    /// The format of the stats.
    pub stats_format: StatsFormat,
    /// Inputs without a format of their own (by name) are JSONL records.
    pub jsonl: bool,
    /// What the inputs hold.
    pub input_format: InputFormat,
    /// The output format of records; by the output's name when `None`.
    pub format: Option<RecordFormat>,
    /// The field (or column) holding the text.
    pub text_field: String,
    /// The field (or column) naming a record in explanations and attributes.
    pub id_field: String,
    /// The field (or column) holding the page URL, whose host groups corpus counts.
    pub url_field: String,
    /// A field (or column) listing the removed spans of each record.
    pub spans_field: Option<String>,
    /// Remove nothing; list what would be removed.
    pub annotate: bool,
    /// What to do with a malformed line or record.
    pub on_error: OnError,
    /// Worker threads; one per CPU when `None`.
    pub threads: Option<NonZeroUsize>,
    /// Largest plain-text document or WET record, after decompression.
    pub max_doc_bytes: u64,
    /// Longest JSONL line (one record).
    pub max_line_bytes: u64,
}

impl Default for JobOptions {
    fn default() -> JobOptions {
        JobOptions {
            paths: Vec::new(),
            output: None,
            out_dir: None,
            explain: None,
            explain_format: ExplainFormat::Tsv,
            attributes: None,
            stats: None,
            stats_format: StatsFormat::Text,
            jsonl: false,
            input_format: InputFormat::Auto,
            format: None,
            text_field: "text".to_string(),
            id_field: "id".to_string(),
            url_field: "url".to_string(),
            spans_field: None,
            annotate: false,
            on_error: OnError::Skip,
            threads: None,
            max_doc_bytes: 64 << 20,
            max_line_bytes: 64 << 20,
        }
    }
}

/// Plain-text documents in flight per worker thread (read, cleaned, or
/// cleaned and waiting for the ones before them to be written).
const DOCS_PER_THREAD: usize = 4;
/// Bytes (on disk) of the plain-text documents in flight, beyond the first.
const DOC_BYTES_IN_FLIGHT: u64 = 256 << 20;
/// `--out-dir` files of plain-text inputs synced together (see
/// [`crate::output::commit`]); each waits in its temporary file till then.
const COMMIT_FILES: usize = 64;
/// Default field listing removed spans in --annotate JSONL output.
const DEFAULT_SPANS_FIELD: &str = "deboil_spans";

/// Where a report goes.
#[derive(Debug, Clone)]
enum Dest {
    Stderr,
    File(PathBuf),
}

impl Dest {
    fn from_arg(p: PathBuf) -> Dest {
        if p.as_os_str() == "-" {
            Dest::Stderr
        } else {
            Dest::File(p)
        }
    }

    /// Standard error, or a file written atomically like every output.
    fn open(&self) -> Result<Output> {
        match self {
            Dest::Stderr => Ok(Output::stderr()),
            Dest::File(p) => Output::create(p),
        }
    }
}

/// A report output (explanations): a failed write is reported once, naming
/// the output, and ends that report only; the cleaned output goes on.
struct Side {
    out: Option<Output>,
    what: &'static str,
}

impl Side {
    fn write(&mut self, bytes: &[u8], msg: &dyn Events) {
        if bytes.is_empty() {
            return;
        }
        if let Some(o) = self.out.as_mut()
            && let Err(e) = o.write_all(bytes)
        {
            self.failed(e.into(), msg);
        }
    }

    fn failed(&mut self, e: anyhow::Error, msg: &dyn Events) {
        if let Some(o) = self.out.take() {
            msg.error(format!(
                "writing {} to {}: {e:#}; no more {} are written, the cleaned output goes on",
                self.what,
                o.name(),
                self.what
            ));
        }
    }

    fn finish(mut self, msg: &dyn Events) {
        if let Some(o) = self.out.take()
            && let Err(e) = o.finish()
        {
            msg.error(format!("writing {}: {e:#}", self.what));
        }
    }
}

/// The report outputs beside the cleaned text.
struct Sides {
    explain: Side,
    attributes: Side,
}

impl Sides {
    fn write(&mut self, r: &Rendered, msg: &dyn Events) {
        self.explain.write(&r.explain, msg);
        self.attributes.write(&r.attributes, msg);
    }
}

/// Where cleaned text goes.
#[derive(Debug)]
enum Target {
    Stdout,
    File(PathBuf),
    Dir(PathBuf),
}

/// Record mode's options beyond [`RecordOptions`].
#[derive(Debug, Clone)]
struct JsonlOpts {
    on_error: OnError,
}

/// A planned job: its inputs found, its outputs checked, its pipeline built.
pub struct Job {
    pipeline: Pipeline,
    inputs: Vec<Input>,
    /// Each input's size on disk (0 when unknown), looked up once: for the
    /// progress bar and the plain-text window.
    sizes: Vec<u64>,
    /// Path arguments that gave no input (dangling links, unreadable directories), already reported.
    inputs_unusable: u64,
    target: Target,
    explain: Option<(Dest, ExplainFormat)>,
    /// `--attributes`: Dolma attributes of the removed spans.
    attributes: Option<Dest>,

    stats: Option<(Dest, StatsFormat)>,
    /// Record mode (JSONL or WET inputs, JSONL out); `None` for plain text.
    jsonl: Option<JsonlOpts>,
    input_format: InputFormat,
    /// Record mode's output format.
    record_format: RecordFormat,
    /// What is cleaned of a record and what is made of it.
    records: RecordOptions,
    threads: usize,
    max_doc_bytes: u64,
    max_line_bytes: u64,
}

impl Job {
    /// The record output over `out`: a Parquet output of WET records only
    /// has their columns from the start.
    fn record_sink(&self, out: Output) -> Sink {
        let opts = &self.records;
        let schema = opts.wet_rows.then(|| {
            columnar::wet_schema(
                &opts.text_field,
                &opts.id_field,
                &opts.url_field,
                opts.spans_field.as_deref(),
            )
        });
        Sink::new(out, self.record_format, schema, &opts.text_field)
    }
}

impl Job {
    /// Plan a job: build the pipeline from `builder` (with what the options'
    /// reports need of it), find the inputs (unusable ones are reported
    /// through `events` and counted), and refuse, before anything is
    /// written, a job whose outputs would replace an input or collide.
    pub fn plan(
        mut builder: PipelineBuilder,
        opts: JobOptions,
        events: &dyn Events,
    ) -> Result<Job> {
        // Per-line decisions serve --explain, --attributes and the spans field only.
        builder.decisions(
            opts.explain.is_some()
                || opts.attributes.is_some()
                || opts.spans_field.is_some()
                || opts.annotate,
        );
        // Drops per kind, pass and rule serve --stats only.
        builder.drops_by_reason(opts.stats.is_some());
        let pipeline = builder.build()?;
        if let Some(od) = opts
            .out_dir
            .as_deref()
            .and_then(|d| fs::canonicalize(d).ok())
        {
            for p in &opts.paths {
                if fs::canonicalize(p).is_ok_and(|c| c == od) {
                    bail!(
                        "--out-dir {}: it is the input directory {}; its files would be replaced; nothing was written",
                        od.display(),
                        p.display()
                    );
                }
            }
        }
        let found = expand(
            &opts.paths,
            opts.out_dir.as_deref(),
            |m| events.warn(m),
            |m| events.error(m),
        );
        let inputs = found.inputs;
        let target = match (opts.output, opts.out_dir) {
            (Some(p), _) => Target::File(p),
            (None, Some(d)) => {
                if inputs.iter().any(|i| matches!(i, Input::Stdin)) {
                    bail!("--out-dir needs file or directory inputs, not standard input");
                }
                Target::Dir(d)
            }
            (None, None) => Target::Stdout,
        };
        let explain = opts.explain.map(Dest::from_arg);
        let stats = opts.stats.map(Dest::from_arg);
        let attributes = opts.attributes.map(Dest::from_arg);
        let format = opts.input_format;
        // WET and Parquet inputs are records: the job is in record mode, as
        // with --jsonl.
        let typed: Vec<bool> = inputs
            .iter()
            .map(|i| i.is_wet(format) || i.is_parquet(format))
            .collect();
        let records = opts.jsonl
            || matches!(
                format,
                InputFormat::Jsonl | InputFormat::Wet | InputFormat::Parquet
            )
            || typed.contains(&true);
        if records
            && !opts.jsonl
            && format == InputFormat::Auto
            && let Some(k) = typed.iter().position(|w| !w)
        {
            bail!(
                "{} is neither a WET nor a Parquet file (by its name), but other inputs are: give --jsonl if it holds JSONL records, or --input-format",
                inputs[k].name()
            );
        }
        let all_wet = inputs.iter().all(|i| i.is_wet(format));
        let record_format = match opts.format {
            Some(f) => f,
            None => match &target {
                Target::File(p)
                    if p.to_string_lossy()
                        .to_ascii_lowercase()
                        .ends_with(".parquet") =>
                {
                    RecordFormat::Parquet
                }
                _ => RecordFormat::Jsonl,
            },
        };
        if record_format == RecordFormat::Parquet && !records {
            bail!(
                "Parquet output holds records: the inputs must be JSONL (--jsonl), WET or Parquet, not plain text"
            );
        }
        if format == InputFormat::Text && opts.jsonl {
            bail!("--input-format text and --jsonl contradict each other");
        }
        check_outputs(
            &inputs,
            &target,
            [explain.as_ref(), stats.as_ref(), attributes.as_ref()],
            |input, rel| dir_name(input, rel, format, record_format),
        )?;
        let jsonl = records.then_some(JsonlOpts {
            on_error: opts.on_error,
        });
        let wet_rows = record_format == RecordFormat::Parquet && all_wet;
        let explain_on = explain.is_some().then_some(opts.explain_format);
        let attributes_on = attributes.is_some();
        let sizes: Vec<u64> = inputs.iter().map(|i| i.size().unwrap_or(0)).collect();
        Ok(Job {
            pipeline,
            inputs,
            sizes,
            inputs_unusable: found.failed,
            target,
            explain: explain.map(|d| (d, opts.explain_format)),
            attributes,
            stats: stats.map(|d| (d, opts.stats_format)),
            records: RecordOptions {
                spans_field: opts
                    .spans_field
                    .clone()
                    .or_else(|| opts.annotate.then(|| DEFAULT_SPANS_FIELD.to_string())),
                text_field: opts.text_field,
                id_field: opts.id_field,
                url_field: opts.url_field,
                annotate: opts.annotate,
                explain: explain_on,
                attributes: attributes_on,
                wet_rows,
            },
            jsonl,
            input_format: format,
            record_format,
            threads: thread_count(opts.threads),
            max_doc_bytes: opts.max_doc_bytes,
            max_line_bytes: opts.max_line_bytes,
        })
    }

    /// The pipeline the job cleans with.
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// The inputs, in the order they are read and written.
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    /// The inputs' total size on disk (what [`Events::start`] is given).
    pub fn total_bytes(&self) -> u64 {
        self.sizes.iter().sum()
    }

    /// Run the job. Errors returned are fatal (nothing more is written, and an
    /// unfinished output file is removed); what is lost of single inputs,
    /// records and reports goes through `events`, is counted in the report,
    /// and the job goes on.
    pub fn run(&self, events: &dyn Events) -> Result<Report> {
        let counted = Counted {
            inner: events,
            errors: AtomicU64::new(0),
        };
        let mut report = run(self, &counted)?;
        report.errors = counted.errors.load(Ordering::Relaxed);
        Ok(report)
    }
}

/// The `--out-dir` name of `input`, found at `rel` under its argument.
pub fn dir_name(input: &Input, rel: &Path, format: InputFormat, out: RecordFormat) -> PathBuf {
    out_name(rel, input.is_wet(format), input.is_parquet(format), out)
}

/// The `--out-dir` name of an input at `rel`: the same name, but for a
/// format change, where the input's format suffix gives way to the
/// output's and a compression suffix stays (`x.warc.wet.gz` -> `x.jsonl.gz`
/// or `x.parquet`, `x.parquet` -> `x.jsonl`, `x.jsonl.zst` -> `x.parquet`).
fn out_name(rel: &Path, wet: bool, parquet: bool, format: RecordFormat) -> PathBuf {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let (stem, compression) = match [".gz", ".zst"].iter().find(|c| lower.ends_with(*c)) {
        Some(c) => (&name[..name.len() - c.len()], *c),
        None => (name.as_str(), ""),
    };
    let strip = |stem: &str, suffixes: &[&str]| {
        let l = stem.to_ascii_lowercase();
        suffixes
            .iter()
            .find(|s| l.ends_with(*s))
            .map_or(stem.to_string(), |s| {
                stem[..stem.len() - s.len()].to_string()
            })
    };
    let new = match format {
        RecordFormat::Parquet if !parquet => {
            format!(
                "{}.parquet",
                strip(stem, &[".warc.wet", ".wet", ".jsonl", ".json"])
            )
        }
        RecordFormat::Jsonl if wet => {
            format!("{}.jsonl{compression}", strip(stem, &[".warc.wet", ".wet"]))
        }
        RecordFormat::Jsonl if parquet => format!("{}.jsonl", strip(&name, &[".parquet"])),
        _ => return rel.to_path_buf(),
    };
    rel.with_file_name(new)
}

/// Refuse, before anything is written, a run whose outputs would replace an
/// input (`deboil f > f`, `-o f` with `f` an input, `--out-dir` onto its
/// inputs) or where two inputs would be written to one `--out-dir` file.
fn check_outputs(
    inputs: &[Input],
    target: &Target,
    reports: [Option<&Dest>; 3],
    out_name: impl Fn(&Input, &Path) -> PathBuf,
) -> Result<()> {
    // The inputs' identities, looked up only when an output file exists
    // (most runs write to a pipe or to new files).
    let ids = std::cell::OnceCell::new();
    let ids = || {
        ids.get_or_init(|| {
            let mut ids = HashMap::new();
            for input in inputs {
                if let Input::File { path, .. } = input
                    && let Some(id) = fs::metadata(path).ok().as_ref().and_then(file_id)
                {
                    ids.entry(id).or_insert_with(|| path.clone());
                }
            }
            ids
        })
    };
    let input_of = |id: (u64, u64)| ids().get(&id);
    let is_input = |p: &std::path::Path| {
        fs::metadata(p)
            .ok()
            .as_ref()
            .and_then(file_id)
            .and_then(input_of)
    };
    match target {
        Target::Stdout => {
            if let Some(input) = stdout_file_id().and_then(input_of) {
                bail!(
                    "{}: input file is output file (standard output is redirected to it)",
                    input.display()
                );
            }
        }
        Target::File(p) => {
            if let Some(input) = is_input(p) {
                bail!(
                    "{}: the output file is the input {}; it would be replaced",
                    p.display(),
                    input.display()
                );
            }
        }
        Target::Dir(dir) => {
            let mut targets: HashMap<PathBuf, &PathBuf> = HashMap::new();
            for input in inputs {
                let Input::File { path, rel } = input else {
                    continue;
                };
                let out = dir.join(out_name(input, rel));
                if let Some(other) = targets.insert(out.clone(), path) {
                    bail!(
                        "--out-dir: {} and {} would both be written to {}; nothing was written",
                        other.display(),
                        path.display(),
                        out.display()
                    );
                }
                if let Some(input) = is_input(&out) {
                    bail!(
                        "--out-dir: {} is the input {}; it would be replaced; nothing was written",
                        out.display(),
                        input.display()
                    );
                }
            }
        }
    }
    for dest in reports.into_iter().flatten() {
        if let Dest::File(p) = dest
            && let Some(input) = is_input(p)
        {
            bail!(
                "{}: the report file is the input {}; it would be replaced",
                p.display(),
                input.display()
            );
        }
    }
    Ok(())
}

/// Counts of everything the run skipped or repaired, reported with --stats and at the end.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    #[serde(flatten)]
    /// Lines and bytes in and out, drops by kind, pass and rule.
    pub stats: Stats,
    /// Inputs read.
    pub inputs: u64,
    /// Inputs not (or not wholly) written: unreadable, too large, a failed
    /// output file, dangling links and unreadable directories.
    pub inputs_failed: u64,
    /// Plain-text inputs over --max-doc-bytes (also in `inputs_failed`).
    pub inputs_too_large: u64,
    /// JSONL lines that are no record, skipped.
    pub malformed_lines: u64,
    /// JSONL lines over --max-line-bytes, skipped.
    pub lines_too_long: u64,
    /// JSONL lines that were empty or white space: no record, skipped.
    pub blank_lines: u64,
    /// Records without a string text field, passed through.
    pub records_without_text: u64,
    /// Inputs or records with invalid UTF-8 (replaced with U+FFFD).
    pub invalid_utf8: u64,
    /// Plain-text inputs decoded as UTF-16 without a byte order mark.
    pub utf16_without_bom: u64,
    /// JSONL records with escapes of lone surrogates (replaced with U+FFFD).
    pub lone_surrogates: u64,
    /// JSONL records whose text field appeared more than once.
    pub duplicate_text_keys: u64,
    /// WET records that could not be read (bad length, corrupt gzip member,
    /// over --max-doc-bytes), skipped.
    pub wet_malformed: u64,
    /// WET records of other types than `conversion` (`warcinfo`, …), skipped.
    pub wet_other: u64,
    /// Records that did not fit the columns of a Parquet output, skipped.
    pub records_misfit: u64,
    /// Errors reported through [`Events::error`] (each something lost).
    #[serde(skip)]
    pub errors: u64,
}

/// How a summary line of the run is reported.
#[derive(Clone, Copy)]
enum Level {
    Error,
    Warn,
    Note,
}

impl Report {
    /// The end-of-run lines: one per kind of thing skipped or repaired that
    /// happened, errors for what was lost (exit status 1).
    fn summarise(&self, cfg: &Job, msg: &dyn Events) {
        let text_field = cfg.records.text_field.as_str();
        let lines: [(u64, Level, String); 11] = [
            (
                self.records_misfit,
                Level::Error,
                format!(
                    "{} records did not fit the Parquet columns of the records before them and were skipped",
                    self.records_misfit
                ),
            ),
            (
                self.wet_malformed,
                Level::Error,
                format!(
                    "{} WET records could not be read and were skipped",
                    self.wet_malformed
                ),
            ),
            (
                self.wet_other,
                Level::Note,
                format!(
                    "{} WET records of other types than conversion (warcinfo, ...) were skipped",
                    self.wet_other
                ),
            ),
            (
                self.malformed_lines,
                Level::Error,
                format!(
                    "{} malformed JSONL lines were skipped",
                    self.malformed_lines
                ),
            ),
            (
                self.lines_too_long,
                Level::Error,
                format!(
                    "{} JSONL lines longer than --max-line-bytes ({} bytes) were skipped",
                    self.lines_too_long, cfg.max_line_bytes
                ),
            ),
            (
                self.inputs_too_large,
                Level::Error,
                format!(
                    "{} inputs larger than --max-doc-bytes ({} bytes) were skipped",
                    self.inputs_too_large, cfg.max_doc_bytes
                ),
            ),
            (
                self.records_without_text,
                Level::Warn,
                format!(
                    "{} records had no string field {text_field:?} and were passed through unchanged",
                    self.records_without_text
                ),
            ),
            (
                self.invalid_utf8,
                Level::Warn,
                format!(
                    "{} inputs had invalid UTF-8, replaced with U+FFFD",
                    self.invalid_utf8
                ),
            ),
            (
                self.blank_lines,
                Level::Note,
                format!("{} blank JSONL lines were skipped", self.blank_lines),
            ),
            (
                self.lone_surrogates,
                Level::Warn,
                format!(
                    "{} records had escapes of lone surrogates, replaced with U+FFFD",
                    self.lone_surrogates
                ),
            ),
            (
                self.duplicate_text_keys,
                Level::Warn,
                format!(
                    "{} records had more than one text field; the last was cleaned, the others dropped",
                    self.duplicate_text_keys
                ),
            ),
        ];
        for (n, level, line) in lines {
            match level {
                _ if n == 0 => {}
                Level::Error => msg.error(line),
                Level::Warn => msg.warn(line),
                Level::Note => msg.note(line),
            }
        }
    }

    /// Count one document. The per-kind, per-pass and per-rule maps are merged
    /// only when `--stats` asks for them: merging runs on the writing thread.
    fn absorb(&mut self, stats: Stats, detailed: bool) {
        if detailed {
            self.stats += stats;
        } else {
            self.stats.documents += stats.documents;
            self.stats.lines_in += stats.lines_in;
            self.stats.lines_dropped += stats.lines_dropped;
            self.stats.bytes_in += stats.bytes_in;
            self.stats.bytes_out += stats.bytes_out;
        }
    }
}

/// Shared, read-only state of the workers.
struct Ctx<'a> {
    cfg: &'a Job,
    pool: &'a rayon::ThreadPool,
}

impl Ctx<'_> {
    fn text_doc(&self, pipeline: &Pipeline, input: &Input) -> Result<Rendered> {
        let decoded = input.read_text(self.cfg.max_doc_bytes)?;
        let text = decoded.text;
        let opts = &self.cfg.records;
        let (cleaned, explain, attributes) =
            records::render(pipeline, opts, &input.name(), &text, None);
        let out = if self.cfg.records.annotate {
            text.into_bytes()
        } else {
            cleaned.text.into_bytes()
        };
        Ok(Rendered {
            out,
            explain,
            attributes,
            wet: None,
            stats: cleaned.stats,
            invalid_utf8: decoded.lossy,
            guessed: decoded.encoding.is_guessed().then_some(decoded.encoding),
            lone_surrogates: false,
            duplicate_text_keys: 0,
        })
    }
}

/// Run; returns the report. Errors here are fatal (exit 2); per-input errors
/// go through `msg` and the run goes on.
fn run(cfg: &Job, msg: &dyn Events) -> Result<Report> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads)
        .build()?;
    let mut explain = Side {
        out: match &cfg.explain {
            Some((dest, _)) => Some(dest.open()?),
            None => None,
        },
        what: "explanations",
    };
    if let Some((_, ExplainFormat::Tsv)) = &cfg.explain {
        let mut header = Vec::new();
        ExplainWriter::new(&mut header, ExplainFormat::Tsv).write_header()?;
        explain.write(&header, msg);
    }
    let mut sides = Sides {
        explain,
        attributes: Side {
            out: match &cfg.attributes {
                Some(dest) => Some(dest.open()?),
                None => None,
            },
            what: "attributes",
        },
    };
    let mut out = match &cfg.target {
        Target::Stdout => Some(Output::stdout()),
        Target::File(p) => Some(Output::create(p)?),
        Target::Dir(_) => None,
    };
    msg.start(cfg.sizes.iter().sum());
    let mut report = Report {
        inputs_failed: cfg.inputs_unusable,
        ..Report::default()
    };
    let ctx = Ctx { cfg, pool: &pool };
    let result = match &cfg.jsonl {
        None => {
            run_text(&ctx, msg, &mut out, &mut sides, &mut report).map(|()| out.map(|o| o.finish()))
        }
        Some(opts) => {
            let mut sink = out.map(|o| cfg.record_sink(o));
            run_jsonl(&ctx, opts, msg, &mut sink, &mut sides, &mut report)
                .map(|()| sink.map(Sink::finish))
        }
    };
    msg.end();
    // On an error, the unfinished output file is dropped: its temporary file goes.
    result?.transpose()?;
    sides.explain.finish(msg);
    sides.attributes.finish(msg);
    report.summarise(cfg, msg);
    if let Some((dest, format)) = &cfg.stats
        && let Err(e) = write_stats(dest, *format, &report)
    {
        msg.error(format!("writing stats: {e:#}"));
    }
    Ok(report)
}

fn write_stats(dest: &Dest, format: StatsFormat, report: &Report) -> Result<()> {
    let mut w = dest.open()?;
    let name = w.name();
    let written: io::Result<()> = (|| {
        match format {
            StatsFormat::Text => {
                report.stats.write_text(&mut w)?;
                writeln!(
                    w,
                    "inputs\t{} read, {} failed ({} too large)\nskipped\t{} malformed lines, {} lines too long, {} blank lines, {} records without text, {} unreadable WET records, {} WET records of other types\nrepaired\t{} inputs with invalid UTF-8, {} inputs in UTF-16 without a byte order mark, {} records with lone surrogates, {} records with duplicate text fields",
                    report.inputs,
                    report.inputs_failed,
                    report.inputs_too_large,
                    report.malformed_lines,
                    report.lines_too_long,
                    report.blank_lines,
                    report.records_without_text,
                    report.wet_malformed,
                    report.wet_other,
                    report.invalid_utf8,
                    report.utf16_without_bom,
                    report.lone_surrogates,
                    report.duplicate_text_keys
                )?;
            }
            StatsFormat::Json => {
                serde_json::to_writer(&mut w, report)?;
                writeln!(w)?;
            }
        }
        Ok(())
    })();
    written.with_context(|| format!("{name}: writing"))?;
    w.finish()
}

/// Clean plain-text inputs: a window of at most [`DOCS_PER_THREAD`] per
/// thread (and [`DOC_BYTES_IN_FLIGHT`]) is read and cleaned in parallel, and
/// each is written, in input order, as soon as those before it are, so
/// memory stays bounded whatever the number of files.
fn run_text(
    ctx: &Ctx<'_>,
    msg: &dyn Events,
    out: &mut Option<Output>,
    sides: &mut Sides,
    report: &mut Report,
) -> Result<()> {
    let cfg = ctx.cfg;
    let inputs = &cfg.inputs;
    let window = cfg.threads * DOCS_PER_THREAD;
    // One pipeline (with its scratch state) per worker thread.
    let pipelines: Vec<Mutex<Option<Pipeline>>> =
        (0..cfg.threads).map(|_| Mutex::new(None)).collect();
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Result<Rendered>)>();
    let mut done: BTreeMap<usize, Result<Rendered>> = BTreeMap::new();
    let (mut spawned, mut written) = (0, 0);
    let mut bytes_in_flight = 0u64;
    let sizes = &cfg.sizes;
    let budget = |i: usize| sizes[i].min(cfg.max_doc_bytes);
    // `--out-dir` files written and waiting to be synced and renamed.
    let mut pending = Vec::new();
    ctx.pool.in_place_scope(|scope| -> Result<()> {
        while written < inputs.len() {
            while spawned < inputs.len()
                && spawned - written < window
                && (spawned == written || bytes_in_flight + budget(spawned) <= DOC_BYTES_IN_FLIGHT)
            {
                bytes_in_flight += budget(spawned);
                let (tx, input, pipelines) = (tx.clone(), &inputs[spawned], &pipelines);
                let i = spawned;
                scope.spawn(move |_| {
                    let slot = rayon::current_thread_index().unwrap_or(0) % pipelines.len();
                    let mut p = pipelines[slot].lock().unwrap_or_else(|e| e.into_inner());
                    let p = p.get_or_insert_with(|| cfg.pipeline.clone());
                    // The receiver outlives every worker.
                    let _ = tx.send((i, ctx.text_doc(p, input)));
                });
                spawned += 1;
            }
            let res = match done.remove(&written) {
                Some(r) => r,
                None => loop {
                    let (i, r) = rx.recv().expect("a worker sends every result");
                    if i == written {
                        break r;
                    }
                    done.insert(i, r);
                },
            };
            bytes_in_flight -= budget(written);
            write_text_doc(
                ctx,
                msg,
                &inputs[written],
                res,
                out,
                &mut pending,
                sides,
                report,
            )?;
            if pending.len() >= COMMIT_FILES {
                commit_files(&mut pending, msg, report);
            }
            msg.advance(sizes[written]);
            written += 1;
        }
        commit_files(&mut pending, msg, report);
        Ok(())
    })
}

/// Sync the `--out-dir` files written so far and put them in place; a
/// file that fails fails its input.
fn commit_files(pending: &mut Vec<crate::output::Written>, msg: &dyn Events, report: &mut Report) {
    for r in crate::output::commit(std::mem::take(pending)) {
        if let Err(e) = r {
            report.inputs_failed += 1;
            msg.error(format!("{e:#}"));
        }
    }
}

/// Write one plain-text document's result, counting and reporting what was
/// skipped or repaired. Errors of the one output (`-o`, stdout) are fatal;
/// those of an `--out-dir` file fail that input only.
#[allow(clippy::too_many_arguments)]
fn write_text_doc(
    ctx: &Ctx<'_>,
    msg: &dyn Events,
    input: &Input,
    res: Result<Rendered>,
    out: &mut Option<Output>,
    pending: &mut Vec<crate::output::Written>,
    sides: &mut Sides,
    report: &mut Report,
) -> Result<()> {
    let cfg = ctx.cfg;
    report.inputs += 1;
    let r = match res {
        Ok(r) => r,
        Err(e) => {
            report.inputs_failed += 1;
            if e.is::<crate::input::TooLarge>() {
                report.inputs_too_large += 1;
            }
            msg.error(format!("{e:#}"));
            return Ok(());
        }
    };
    if r.invalid_utf8 {
        report.invalid_utf8 += 1;
        msg.warn(format!(
            "{}: invalid UTF-8, replaced with U+FFFD",
            input.name()
        ));
    }
    if let Some(enc) = r.guessed {
        report.utf16_without_bom += 1;
        msg.warn(format!(
            "{}: no byte order mark, but the bytes look like {}: decoded as {}",
            input.name(),
            enc.name(),
            enc.name()
        ));
    }
    match (out.as_mut(), &cfg.target, input) {
        (Some(o), _, _) => o
            .write_all(&r.out)
            .with_context(|| format!("{}: writing", o.name()))?,
        (None, Target::Dir(dir), Input::File { rel, .. }) => {
            let path = dir.join(rel);
            let written = Output::create(&path).and_then(|mut o| {
                o.write_all(&r.out)
                    .with_context(|| format!("{}: writing", path.display()))?;
                o.finish_later()
            });
            match written {
                Ok(w) => pending.extend(w),
                Err(e) => {
                    report.inputs_failed += 1;
                    msg.error(format!("{e:#}"));
                }
            }
        }
        _ => {}
    }
    sides.write(&r, msg);
    report.absorb(r.stats, cfg.stats.is_some());
    Ok(())
}

fn run_jsonl(
    ctx: &Ctx<'_>,
    opts: &JsonlOpts,
    msg: &dyn Events,
    out: &mut Option<Sink>,
    sides: &mut Sides,
    report: &mut Report,
) -> Result<()> {
    let cfg = ctx.cfg;
    for input in &cfg.inputs {
        report.inputs += 1;
        let name = input.name();
        let opened = if input.is_wet(cfg.input_format) || input.is_parquet(cfg.input_format) {
            input.open_raw()
        } else {
            input.open()
        };
        let rdr = match opened {
            Ok(r) => r,
            Err(e) => {
                report.inputs_failed += 1;
                msg.error(format!("{e:#}"));
                continue;
            }
        };
        let mut dir_out = match (&cfg.target, input) {
            (Target::Dir(dir), Input::File { rel, .. }) => {
                match Output::create(&dir.join(dir_name(
                    input,
                    rel,
                    cfg.input_format,
                    cfg.record_format,
                ))) {
                    Ok(o) => Some(cfg.record_sink(o)),
                    Err(e) => {
                        report.inputs_failed += 1;
                        msg.error(format!("{e:#}"));
                        continue;
                    }
                }
            }
            _ => None,
        };
        let mut line_no = 0;
        let sink: &mut Sink = match (dir_out.as_mut(), out.as_mut()) {
            (Some(o), _) | (None, Some(o)) => o,
            (None, None) => unreachable!("an output exists for every target"),
        };
        let ended = if input.is_parquet(cfg.input_format) {
            match parquet_input(ctx, msg, input, sink, sides, report) {
                Ok(ended) => ended,
                Err(e) => {
                    report.inputs_failed += 1;
                    msg.error(format!("{e:#}"));
                    continue;
                }
            }
        } else if input.is_wet(cfg.input_format) {
            let mut wet = match WetReader::new(rdr, cfg.max_doc_bytes) {
                Ok(w) => w,
                Err(e) => {
                    report.inputs_failed += 1;
                    msg.error(format!("{name}: reading: {e}"));
                    continue;
                }
            };
            let (mut last_offset, mut last_read) = (0, 0);
            let ended = stream::ordered(
                ctx.pool,
                [WetBatch::default(), WetBatch::default()],
                |batch| {
                    let read = read_wet(&mut wet, batch);
                    msg.advance(wet.offset() - last_read);
                    last_read = wet.offset();
                    read
                },
                |batch| {
                    let results: Vec<_> = batch
                        .items
                        .par_iter()
                        .map_init(
                            || cfg.pipeline.clone(),
                            |p, item| records::wet_record(p, &cfg.records, &name, item),
                        )
                        .collect();
                    results
                },
                |done| {
                    last_offset = done.last().map_or(last_offset, |(o, _)| *o);
                    write_results(ctx, opts, msg, &name, done, sink, sides, report, true)
                },
            );
            line_no = last_offset;
            ended
        } else {
            let mut rdr = rdr;
            stream::ordered(
                ctx.pool,
                [
                    Chunk::new(cfg.max_line_bytes),
                    Chunk::new(cfg.max_line_bytes),
                ],
                |chunk| read_chunk(&mut rdr, &mut line_no, chunk),
                |chunk| {
                    let results: Vec<_> = chunk
                        .lines()
                        .map_init(
                            || cfg.pipeline.clone(),
                            |p, (n, line)| match line {
                                Some(line) => {
                                    (n, records::jsonl_record(p, &cfg.records, &name, n, line))
                                }
                                None => (n, RecordResult::TooLong),
                            },
                        )
                        .collect();
                    msg.advance(chunk.bytes_read());
                    results
                },
                |done| write_results(ctx, opts, msg, &name, done, sink, sides, report, false),
            )
        };
        // A read error ends the input: the whole lines read before it were
        // still cleaned and written; the error is reported.
        let failed = match ended {
            stream::Ended::Done => None,
            stream::Ended::ReadFailed(e) => Some(format!(
                "{name}: reading: {e} (after {} {line_no}: the records before were cleaned and written, the rest of the input was not read)",
                if input.is_wet(cfg.input_format) {
                    "the record at byte"
                } else {
                    "line"
                }
            )),
            stream::Ended::WriteFailed(e) => return Err(e),
        };
        if let Some(m) = failed {
            report.inputs_failed += 1;
            msg.error(m);
            // An incomplete --out-dir file is not put in place: dropped, its
            // temporary file is removed.
            drop(dir_out);
        } else if let Some(o) = dir_out
            && let Err(e) = o.finish()
        {
            report.inputs_failed += 1;
            msg.error(format!("{e:#}"));
        }
    }
    Ok(())
}

/// Write one chunk's results in order, counting and reporting what was skipped.
#[allow(clippy::too_many_arguments)]
fn write_results(
    ctx: &Ctx<'_>,
    opts: &JsonlOpts,
    msg: &dyn Events,
    name: &str,
    results: Vec<(u64, RecordResult)>,
    sink: &mut Sink,
    sides: &mut Sides,
    report: &mut Report,
    wet: bool,
) -> Result<()> {
    // Records are handed to the sink together (a Parquet output makes its
    // columns of them), and before any skipped line is reported, so that
    // what precedes a stop (--on-error fail) is written.
    let mut records: Vec<Vec<u8>> = Vec::new();
    let mut numbers: Vec<u64> = Vec::new();
    let mut rows: Vec<WetRow> = Vec::new();
    let mut flush = |records: &mut Vec<Vec<u8>>,
                     numbers: &mut Vec<u64>,
                     rows: &mut Vec<WetRow>,
                     report: &mut Report|
     -> Result<()> {
        let mut misfits = Vec::new();
        sink.records(records, |k, why| misfits.push((numbers[k], why)))?;
        sink.wet_rows(rows)?;
        rows.clear();
        records.clear();
        numbers.clear();
        for (n, why) in misfits {
            report.records_misfit += 1;
            let what = if wet {
                format!("{name}: byte {n}")
            } else {
                format!("{name}:{n}")
            };
            msg.error(format!(
                "{what}: the record does not fit the Parquet columns of the records before it ({why}); skipped"
            ));
            if opts.on_error == OnError::Fail {
                bail!(
                    "{what}: stopping at a record that does not fit the Parquet columns (--on-error fail)"
                );
            }
        }
        Ok(())
    };
    for (n, res) in results {
        match res {
            RecordResult::Done(r) => {
                if r.invalid_utf8 {
                    report.invalid_utf8 += 1;
                    msg.warn(format!("{name}:{n}: invalid UTF-8, replaced with U+FFFD"));
                }
                if r.lone_surrogates {
                    report.lone_surrogates += 1;
                    msg.warn(format!(
                        "{name}:{n}: escapes of lone UTF-16 surrogates, replaced with U+FFFD"
                    ));
                }
                if r.duplicate_text_keys > 0 {
                    report.duplicate_text_keys += 1;
                    msg.warn(format!(
                        "{name}:{n}: the field {:?} appears {} times: the last value was cleaned, the others dropped",
                        ctx.cfg.records.text_field,
                        r.duplicate_text_keys + 1
                    ));
                }
                sides.write(&r, msg);
                report.absorb(r.stats, ctx.cfg.stats.is_some());
                match r.wet {
                    Some(row) => rows.push(*row),
                    None => {
                        records.push(r.out);
                        numbers.push(n);
                    }
                }
            }
            RecordResult::NoText(raw, attributes) => {
                sides.attributes.write(&attributes, msg);
                report.records_without_text += 1;
                records.push(raw);
                numbers.push(n);
            }
            RecordResult::Blank => report.blank_lines += 1,
            RecordResult::TooLong => {
                flush(&mut records, &mut numbers, &mut rows, report)?;
                report.lines_too_long += 1;
                report_skipped(
                    msg,
                    opts.on_error,
                    name,
                    n,
                    &Skip::too_long(ctx.cfg.max_line_bytes),
                )?;
            }
            RecordResult::Malformed(m) => {
                flush(&mut records, &mut numbers, &mut rows, report)?;
                report.malformed_lines += 1;
                report_skipped(msg, opts.on_error, name, n, &Skip::Malformed(m))?;
            }
            RecordResult::WetOther => report.wet_other += 1,
            RecordResult::WetMalformed(m) => {
                flush(&mut records, &mut numbers, &mut rows, report)?;
                report.wet_malformed += 1;
                msg.error(format!("{name}: byte {n}: {m}"));
                if opts.on_error == OnError::Fail {
                    bail!("{name}: byte {n}: stopping at a malformed WET record (--on-error fail)");
                }
            }
        }
    }
    flush(&mut records, &mut numbers, &mut rows, report)
}

/// Clean a Parquet input into `sink`: its `--text-field` column is cleaned,
/// every other column passes through as it is.
#[allow(clippy::too_many_arguments)]
fn parquet_input(
    ctx: &Ctx<'_>,
    msg: &dyn Events,
    input: &Input,
    sink: &mut Sink,
    sides: &mut Sides,
    report: &mut Report,
) -> Result<stream::Ended<anyhow::Error>> {
    let name = input.name();
    let Input::File { path, .. } = input else {
        bail!(
            "-: Parquet cannot be read from standard input (a Parquet file's index is at its end): give the file's path"
        );
    };
    let file = fs::File::open(path).with_context(|| format!("{name}: opening"))?;
    let mut reader = ParquetReader::new(file, columnar::BATCH_ROWS)
        .with_context(|| format!("{name}: reading Parquet"))?;
    // The text column exists and holds strings, or nothing is read.
    columnar::texts(
        &RecordBatch::new_empty(reader.schema().clone()),
        &ctx.cfg.records.text_field,
    )
    .map_err(|e| anyhow::anyhow!("{name}: {e} (--text-field names the column to clean)"))?;
    let mut row = 0u64;
    let ended = stream::ordered(
        ctx.pool,
        [ParquetBatch::default(), ParquetBatch::default()],
        |b| {
            b.batch = None;
            b.first_row = row;
            if let Some(batch) = reader.next().transpose().map_err(io::Error::other)? {
                row += batch.num_rows() as u64;
                b.batch = Some(batch);
            }
            Ok(())
        },
        |b| {
            records::parquet_rows(&ctx.cfg.pipeline, &ctx.cfg.records, &name, b)
                .map_err(anyhow::Error::msg)
        },
        |done: Result<ParquetDone>| -> Result<()> {
            let done = done?;
            sink.batch(&done.batch)?;
            report.records_without_text += done.no_text;
            for r in done.rows {
                sides.write(&r, msg);
                report.absorb(r.stats, ctx.cfg.stats.is_some());
            }
            Ok(())
        },
    );
    msg.advance(input.size().unwrap_or(0));
    Ok(ended)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_dir_names_follow_the_output_format() {
        let name = |rel: &str, wet, parquet, f| out_name(Path::new(rel), wet, parquet, f);
        use RecordFormat::{Jsonl, Parquet};
        assert_eq!(
            name("a/CC-MAIN-x.warc.wet.gz", true, false, Jsonl),
            Path::new("a/CC-MAIN-x.jsonl.gz")
        );
        assert_eq!(
            name("a/CC-MAIN-x.warc.wet.gz", true, false, Parquet),
            Path::new("a/CC-MAIN-x.parquet")
        );
        assert_eq!(
            name("b.WET.zst", true, false, Jsonl),
            Path::new("b.jsonl.zst")
        );
        assert_eq!(name("s.parquet", false, true, Jsonl), Path::new("s.jsonl"));
        assert_eq!(
            name("s.parquet", false, true, Parquet),
            Path::new("s.parquet")
        );
        assert_eq!(
            name("d/r.jsonl.zst", false, false, Parquet),
            Path::new("d/r.parquet")
        );
        assert_eq!(
            name("d/r.jsonl.zst", false, false, Jsonl),
            Path::new("d/r.jsonl.zst")
        );
        assert_eq!(name("page.txt", false, false, Jsonl), Path::new("page.txt"));
    }
}
