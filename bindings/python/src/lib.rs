//! `deboil._deboil`: the Python binding over the deboil library. Cleaning,
//! corpus counts and whole jobs run in Rust with the GIL released; the
//! Python package (`py_src/deboil`) adds the Arrow wrappers and the
//! framework adapters.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use arrow_array::builder::{
    GenericStringBuilder, StringBuilder, StringViewBuilder, UInt32Builder, UInt64Builder,
};
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi, to_ffi};
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray, make_array};
use arrow_schema::DataType;
use deboil::corpus::{self, Counts as CoreCounts};
use deboil::job::{Events, Job, JobOptions, OnError, StatsFormat};
use deboil::model::Favor;
use deboil::{Cleaned as CoreCleaned, ExplainFormat, Pipeline, PipelineBuilder};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyDict, PyList, PyString, PyTuple};
use rayon::prelude::*;

/// Cleaning allocates per document on every worker thread; mimalloc's
/// thread-local heaps keep that as fast as in the command-line tool.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

create_exception!(
    _deboil,
    DeboilError,
    PyException,
    "A deboil error: a file that cannot be read or written, a bad rule table or counts file, a job refused before it wrote anything."
);

fn error(e: anyhow::Error) -> PyErr {
    DeboilError::new_err(format!("{e:#}"))
}

/// A rayon pool of this process: rebuilt in a forked child (datasets'
/// `num_proc`, multiprocessing), whose copy of the parent's threads is gone.
struct Pool {
    threads: Option<usize>,
    pool: Mutex<Option<(u32, Arc<rayon::ThreadPool>)>>,
}

impl Pool {
    fn new(threads: Option<usize>) -> Pool {
        Pool {
            threads,
            pool: Mutex::new(None),
        }
    }

    fn get(&self) -> PyResult<Arc<rayon::ThreadPool>> {
        let pid = std::process::id();
        let mut held = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((p, pool)) = held.as_ref()
            && *p == pid
        {
            return Ok(pool.clone());
        }
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(n) = self.threads {
            b = b.num_threads(n);
        }
        let pool = Arc::new(
            b.build()
                .map_err(|e| DeboilError::new_err(format!("starting threads: {e}")))?,
        );
        *held = Some((pid, pool.clone()));
        Ok(pool)
    }
}

/// A Python string as Rust text. Lone surrogates (which `json.loads` makes
/// of `"\ud800"`) cannot be UTF-8: each becomes one U+FFFD, so code-point
/// offsets still index the Python string. The flag tells of the repair.
fn text_of(s: &Bound<'_, PyAny>) -> PyResult<(String, bool)> {
    let s = s
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("expected str, got {}", type_name(s))))?;
    if let Ok(t) = s.extract::<String>() {
        return Ok((t, false));
    }
    let units = s.call_method1("encode", ("utf-16-le", "surrogatepass"))?;
    let bytes = units.cast::<PyBytes>()?.as_bytes();
    let text = char::decode_utf16(
        bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]])),
    )
    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
    .collect();
    Ok((text, true))
}

fn type_name(o: &Bound<'_, PyAny>) -> String {
    o.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_string())
}

/// Texts and optional URLs of a batch call, read with the GIL held.
fn texts_and_urls(
    texts: &Bound<'_, PyAny>,
    urls: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<(String, bool, Option<String>)>> {
    let mut out = Vec::new();
    for (k, t) in texts.try_iter()?.enumerate() {
        let t = t?;
        let (text, repaired) = text_of(&t)
            .map_err(|e| PyTypeError::new_err(format!("texts[{k}]: {}", e.value(t.py()))))?;
        out.push((text, repaired, None));
    }
    if let Some(urls) = urls {
        let mut n = 0;
        for (k, u) in urls.try_iter()?.enumerate() {
            let u = u?;
            if k < out.len() && !u.is_none() {
                out[k].2 = Some(text_of(&u)?.0);
            }
            n = k + 1;
        }
        if n != out.len() {
            return Err(PyValueError::new_err(format!(
                "urls has {n} items for {} texts",
                out.len()
            )));
        }
    }
    Ok(out)
}

/// A removed span of the input text.
#[pyclass(module = "deboil._deboil", frozen, get_all)]
#[derive(Clone)]
struct Span {
    /// Start, in code points of the input (a Python string index).
    start: usize,
    /// End (exclusive), in code points.
    end: usize,
    /// Start, in bytes of the input's UTF-8.
    byte_start: usize,
    /// End (exclusive), in bytes.
    byte_end: usize,
    /// The kind of boilerplate (`ad`, `trending`, `comment`, `low-content`, …).
    kind: String,
    /// The rule (or model) that removed it.
    rule: String,
    /// The pass that removed it.
    #[pyo3(name = "pass_")]
    pass: String,
    /// The line model's score (log-odds that the line is content), when it ran.
    score: Option<f32>,
}

#[pymethods]
impl Span {
    fn __repr__(&self) -> String {
        format!(
            "Span(start={}, end={}, kind={:?}, rule={:?})",
            self.start, self.end, self.kind, self.rule
        )
    }
}

/// One cleaned text: what is kept, what was removed and why.
#[pyclass(module = "deboil._deboil", frozen, get_all)]
struct Cleaned {
    /// The kept lines, paragraphs separated by one blank line.
    text: String,
    /// The removed lines, in text order.
    spans: Vec<Span>,
    /// Per kind: (lines, code points) removed.
    counts: BTreeMap<String, (u64, u64)>,
    /// Non-blank lines of the input.
    lines_in: u64,
    /// True when the input held lone surrogates (each made one U+FFFD).
    repaired: bool,
}

#[pymethods]
impl Cleaned {
    fn __repr__(&self) -> String {
        format!(
            "Cleaned(chars={}, spans={}, repaired={})",
            self.text.chars().count(),
            self.spans.len(),
            self.repaired
        )
    }
}

/// The parts of a cleaned text, made without the GIL.
struct Done {
    text: String,
    spans: Vec<Span>,
    lines_in: u64,
    repaired: bool,
}

impl Done {
    fn of(input: &str, cleaned: CoreCleaned, repaired: bool) -> Done {
        let (mut byte, mut chars) = (0usize, 0usize);
        let mut to_chars = |at: usize| {
            chars += input[byte..at].chars().count();
            byte = at;
            chars
        };
        let spans = cleaned
            .dropped()
            .filter_map(|d| {
                let r = d.reason.as_ref()?;
                Some(Span {
                    start: to_chars(d.span.start),
                    end: to_chars(d.span.end),
                    byte_start: d.span.start,
                    byte_end: d.span.end,
                    kind: r.kind.to_string(),
                    rule: r.rule.to_string(),
                    pass: r.pass.to_string(),
                    score: d.score,
                })
            })
            .collect();
        Done {
            text: cleaned.text,
            spans,
            lines_in: cleaned.stats.lines_in,
            repaired,
        }
    }

    fn into_py(self) -> Cleaned {
        let mut counts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for s in &self.spans {
            let c = counts.entry(s.kind.clone()).or_default();
            c.0 += 1;
            c.1 += (s.end - s.start) as u64;
        }
        Cleaned {
            text: self.text,
            spans: self.spans,
            counts,
            lines_in: self.lines_in,
            repaired: self.repaired,
        }
    }
}

fn favor_of(s: &str) -> PyResult<Favor> {
    match s {
        "balanced" => Ok(Favor::Balanced),
        "precision" => Ok(Favor::Precision),
        "recall" => Ok(Favor::Recall),
        _ => Err(PyValueError::new_err(format!(
            "favor must be 'balanced', 'precision' or 'recall', not {s:?}"
        ))),
    }
}

fn favor_name(f: Favor) -> &'static str {
    match f {
        Favor::Balanced => "balanced",
        Favor::Precision => "precision",
        Favor::Recall => "recall",
    }
}

/// Strips web boilerplate from texts. Built once (rules compiled, model
/// loaded), then used for any number of texts, from any thread; it pickles
/// (Spark and Ray ship it to workers) and is safe after fork.
#[pyclass(module = "deboil._deboil", frozen)]
struct Cleaner {
    pipeline: Pipeline,
    /// How it was made, for pickling and for `clean_files`.
    builder: PipelineBuilder,
    disable: Vec<String>,
    rule_tables: Vec<(String, String)>,
    favor: Favor,
    counts: Option<Arc<CoreCounts>>,
    min_docs: u32,
    threads: Option<usize>,
    pool: Pool,
}

impl Cleaner {
    #[allow(clippy::too_many_arguments)]
    fn make(
        disable: Vec<String>,
        rule_tables: Vec<(String, String)>,
        favor: Favor,
        counts: Option<Arc<CoreCounts>>,
        min_docs: u32,
        threads: Option<usize>,
    ) -> PyResult<Cleaner> {
        if threads == Some(0) {
            return Err(PyValueError::new_err("threads must be at least 1"));
        }
        let builder =
            deboil::job::pipeline_builder(&rule_tables, favor, &disable, counts.clone(), min_docs);
        let mut with_decisions = builder.clone();
        with_decisions.decisions(true);
        let pipeline = with_decisions
            .build()
            .map_err(|e| DeboilError::new_err(e.to_string()))?;
        Ok(Cleaner {
            pipeline,
            builder,
            disable,
            rule_tables,
            favor,
            counts,
            min_docs,
            threads,
            pool: Pool::new(threads),
        })
    }
}

#[pymethods]
impl Cleaner {
    /// Cleaner(*, disable=(), rules=(), favor="balanced", counts=None, min_docs=5, threads=None)
    ///
    /// disable: pass, rule table or rule names (as `deboil --list-rules`);
    /// rules: paths of rule tables (TOML); favor: "balanced", "precision"
    /// (drop more) or "recall" (keep more); counts: a `Counts` or the path
    /// of a counts file, whose lines seen in at least `min_docs` documents
    /// of a host are dropped; threads: for the batch calls (default: one
    /// per CPU).
    #[new]
    #[pyo3(signature = (*, disable = Vec::new(), rules = Vec::new(), favor = "balanced", counts = None, min_docs = 5, threads = None))]
    fn new(
        disable: Vec<String>,
        rules: Vec<std::path::PathBuf>,
        favor: &str,
        counts: Option<&Bound<'_, PyAny>>,
        min_docs: u32,
        threads: Option<usize>,
    ) -> PyResult<Cleaner> {
        let favor = favor_of(favor)?;
        let mut tables = Vec::new();
        for p in rules {
            let text = std::fs::read_to_string(&p).map_err(|e| {
                DeboilError::new_err(format!("{}: reading rule table: {e}", p.display()))
            })?;
            tables.push((p.display().to_string(), text));
        }
        let counts = match counts {
            None => None,
            Some(c) if c.is_none() => None,
            Some(c) => Some(match c.cast::<Counts>() {
                Ok(c) => Arc::new(
                    c.get()
                        .inner
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .clone(),
                ),
                Err(_) => {
                    let path: std::path::PathBuf = c.extract().map_err(|_| {
                        PyTypeError::new_err("counts must be a deboil.Counts or a path")
                    })?;
                    Arc::new(deboil::scan::read_counts(&path, min_docs).map_err(error)?)
                }
            }),
        };
        Cleaner::make(disable, tables, favor, counts, min_docs, threads)
    }

    /// Clean one text; `url` gives the host for corpus counts.
    #[pyo3(signature = (text, url = None))]
    fn clean(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        url: Option<&str>,
    ) -> PyResult<Cleaned> {
        let (text, repaired) = text_of(text)?;
        let host = url.map(corpus::host_of);
        let done = py.detach(|| {
            let cleaned = self.pipeline.clean_from(&text, host.as_deref());
            Done::of(&text, cleaned, repaired)
        });
        Ok(done.into_py())
    }

    /// Clean many texts in parallel, the GIL released; the results in order.
    #[pyo3(signature = (texts, urls = None))]
    fn clean_batch(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        urls: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Cleaned>> {
        let items = texts_and_urls(texts, urls)?;
        let pool = self.pool.get()?;
        let done: Vec<Done> = py.detach(|| {
            pool.install(|| {
                items
                    .par_iter()
                    .map_init(
                        || self.pipeline.clone(),
                        |p, (text, repaired, url)| {
                            let host = url.as_deref().map(corpus::host_of);
                            Done::of(text, p.clean_from(text, host.as_deref()), *repaired)
                        },
                    )
                    .collect()
            })
        });
        Ok(done.into_iter().map(Done::into_py).collect())
    }

    /// Clean a pyarrow string array (`string`, `large_string` or
    /// `string_view`; nulls stay null) through the Arrow C data interface,
    /// without a Python object per row, the GIL released.
    ///
    /// Returns a `pyarrow.RecordBatch` of `text` (the cleaned texts, in the
    /// input's type), `lines_dropped`, `chars_dropped` and `spans` (JSON:
    /// kind, rule and byte offsets of each removed line); for a
    /// `ChunkedArray`, a `pyarrow.Table` of such batches.
    #[pyo3(signature = (array, urls = None))]
    fn clean_arrow<'py>(
        &self,
        py: Python<'py>,
        array: &Bound<'py, PyAny>,
        urls: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let pa = py.import("pyarrow")?;
        if !array.hasattr("__arrow_c_array__")? && array.hasattr("chunks")? {
            if urls.is_some() {
                return Err(PyTypeError::new_err(
                    "urls go with an Arrow array, not a chunked array: clean its chunks one by one",
                ));
            }
            let batches = array
                .getattr("chunks")?
                .try_iter()?
                .map(|c| self.clean_arrow(py, &c?, None))
                .collect::<PyResult<Vec<_>>>()?;
            if batches.is_empty() {
                let empty =
                    pa.call_method1("array", (PyList::empty(py), array.getattr("type")?))?;
                let schema = self.clean_arrow(py, &empty, None)?.getattr("schema")?;
                return pa
                    .getattr("Table")?
                    .call_method1("from_batches", (PyList::empty(py), schema));
            }
            return pa
                .getattr("Table")?
                .call_method1("from_batches", (batches,));
        }
        let input = import_array(array)?;
        let urls = urls
            .filter(|u| !u.is_none())
            .map(import_array)
            .transpose()?;
        let pool = self.pool.get()?;
        let batch =
            py.detach(|| pool.install(|| clean_array(&self.pipeline, &input, urls.as_ref())))?;
        let capsules = ArrowCapsules {
            pair: export_batch(py, batch)?.unbind(),
        };
        pa.call_method1("record_batch", (capsules,))
    }

    /// The passes, in order.
    fn pass_names(&self) -> Vec<&'static str> {
        self.pipeline.pass_names()
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let module = py.import("deboil._deboil")?;
        let make = module.getattr("_cleaner_from_state")?;
        let counts = match &self.counts {
            Some(c) => {
                let mut b = Vec::new();
                c.write(&mut b).map_err(|e| error(e.into()))?;
                Some(PyBytes::new(py, &b))
            }
            None => None,
        };
        let args = (
            self.disable.clone(),
            self.rule_tables.clone(),
            favor_name(self.favor),
            counts,
            self.min_docs,
            self.threads,
        );
        PyTuple::new(py, [make.into_any(), args.into_pyobject(py)?.into_any()])
    }

    fn __repr__(&self) -> String {
        format!(
            "Cleaner(favor={:?}, disable={:?}, rules={}, counts={}, min_docs={})",
            favor_name(self.favor),
            self.disable,
            self.rule_tables.len(),
            self.counts.is_some(),
            self.min_docs
        )
    }
}

/// Unpickle a `Cleaner`.
#[pyfunction]
fn _cleaner_from_state(
    disable: Vec<String>,
    rule_tables: Vec<(String, String)>,
    favor: &str,
    counts: Option<Vec<u8>>,
    min_docs: u32,
    threads: Option<usize>,
) -> PyResult<Cleaner> {
    let counts = match counts {
        Some(b) => Some(Arc::new(
            CoreCounts::read_min(&b[..], min_docs)
                .map_err(|e| DeboilError::new_err(e.to_string()))?,
        )),
        None => None,
    };
    Cleaner::make(
        disable,
        rule_tables,
        favor_of(favor)?,
        counts,
        min_docs,
        threads,
    )
}

/// Import an object with `__arrow_c_array__` (a pyarrow Array, and others).
fn import_array(obj: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    if !obj.hasattr("__arrow_c_array__")? {
        return Err(PyTypeError::new_err(format!(
            "expected an Arrow array (with __arrow_c_array__), got {}",
            type_name(obj)
        )));
    }
    let pair = obj.call_method0("__arrow_c_array__")?;
    let (schema, array): (Bound<'_, PyCapsule>, Bound<'_, PyCapsule>) = pair.extract()?;
    let schema_ptr = capsule_pointer(&schema, c"arrow_schema")? as *const FFI_ArrowSchema;
    let array_ptr = capsule_pointer(&array, c"arrow_array")? as *mut FFI_ArrowArray;
    // SAFETY: the capsules hold an ArrowSchema and an ArrowArray of the C data
    // interface, by their names; the array is moved out (its producer's copy
    // marked released), the schema only borrowed.
    let data = unsafe {
        let array = FFI_ArrowArray::from_raw(array_ptr);
        from_ffi(array, &*schema_ptr)
    }
    .map_err(|e| PyValueError::new_err(format!("importing the Arrow array: {e}")))?;
    Ok(make_array(data))
}

fn capsule_pointer(
    c: &Bound<'_, PyCapsule>,
    name: &std::ffi::CStr,
) -> PyResult<*mut std::ffi::c_void> {
    match c.name()? {
        Some(n) if unsafe { n.as_cstr() } == name => {}
        _ => {
            return Err(PyValueError::new_err(format!(
                "expected a capsule named {name:?}"
            )));
        }
    }
    Ok(c.pointer_checked(Some(name))?.as_ptr())
}

/// The strings of an Arrow array of any of the three string types.
fn strings(input: &ArrayRef) -> PyResult<Vec<Option<&str>>> {
    Ok(match input.data_type() {
        DataType::Utf8 => {
            let a = input.as_any().downcast_ref::<arrow_array::StringArray>();
            a.map(|a| a.iter().collect()).unwrap_or_default()
        }
        DataType::LargeUtf8 => {
            let a = input
                .as_any()
                .downcast_ref::<arrow_array::LargeStringArray>();
            a.map(|a| a.iter().collect()).unwrap_or_default()
        }
        DataType::Utf8View => {
            let a = input
                .as_any()
                .downcast_ref::<arrow_array::StringViewArray>();
            a.map(|a| a.iter().collect()).unwrap_or_default()
        }
        t => {
            return Err(PyTypeError::new_err(format!(
                "expected an Arrow array of strings (string, large_string or string_view), got {t}"
            )));
        }
    })
}

/// Clean every string of `input`, each under the host of its URL in
/// `urls` (for corpus counts); see `Cleaner.clean_arrow`.
fn clean_array(
    pipeline: &Pipeline,
    input: &ArrayRef,
    urls: Option<&ArrayRef>,
) -> PyResult<RecordBatch> {
    let texts = strings(input)?;
    let hosts: Vec<Option<String>> = match urls {
        Some(u) => {
            let u = strings(u)?;
            if u.len() != texts.len() {
                return Err(PyValueError::new_err(format!(
                    "urls has {} items for {} texts",
                    u.len(),
                    texts.len()
                )));
            }
            u.into_iter().map(|u| u.map(corpus::host_of)).collect()
        }
        None => vec![None; texts.len()],
    };
    let done: Vec<Option<(CoreCleaned, String)>> = texts
        .par_iter()
        .zip(&hosts)
        .map_init(
            || pipeline.clone(),
            |p, (t, host)| {
                t.map(|t| {
                    let c = p.clean_from(t, host.as_deref());
                    let spans = deboil::records::spans_json(&c);
                    (c, spans)
                })
            },
        )
        .collect();
    let n = done.len();
    let mut lines = UInt32Builder::with_capacity(n);
    let mut chars = UInt64Builder::with_capacity(n);
    let mut spans = StringBuilder::new();
    for (d, t) in done.iter().zip(&texts) {
        match (d, t) {
            (Some((c, s)), Some(t)) => {
                lines.append_value(c.dropped().count() as u32);
                let dropped: usize = c.dropped().map(|d| t[d.span.clone()].chars().count()).sum();
                chars.append_value(dropped as u64);
                spans.append_value(s);
            }
            _ => {
                lines.append_null();
                chars.append_null();
                spans.append_null();
            }
        }
    }
    let cleaned = done
        .iter()
        .map(|d| d.as_ref().map(|(c, _)| c.text.as_str()));
    let text: ArrayRef = match input.data_type() {
        DataType::LargeUtf8 => {
            let mut b = GenericStringBuilder::<i64>::new();
            cleaned.for_each(|t| b.append_option(t));
            Arc::new(b.finish())
        }
        DataType::Utf8View => {
            let mut b = StringViewBuilder::new();
            cleaned.for_each(|t| b.append_option(t));
            Arc::new(b.finish())
        }
        _ => {
            let mut b = StringBuilder::new();
            cleaned.for_each(|t| b.append_option(t));
            Arc::new(b.finish())
        }
    };
    // Every column nullable, whatever this batch holds: the batches of a
    // chunked array share one schema.
    RecordBatch::try_from_iter_with_nullable([
        ("text", text, true),
        ("lines_dropped", Arc::new(lines.finish()) as ArrayRef, true),
        ("chars_dropped", Arc::new(chars.finish()) as ArrayRef, true),
        ("spans", Arc::new(spans.finish()) as ArrayRef, true),
    ])
    .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Capsules of the Arrow C data interface, for `pyarrow.record_batch`.
#[pyclass(module = "deboil._deboil", frozen)]
struct ArrowCapsules {
    pair: Py<PyTuple>,
}

#[pymethods]
impl ArrowCapsules {
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_array__(
        &self,
        py: Python<'_>,
        requested_schema: Option<Bound<'_, PyAny>>,
    ) -> Py<PyTuple> {
        let _ = requested_schema;
        self.pair.clone_ref(py)
    }
}

/// A record batch as `(schema, array)` capsules of a struct array.
fn export_batch(py: Python<'_>, batch: RecordBatch) -> PyResult<Bound<'_, PyTuple>> {
    let data = StructArray::from(batch).into_data();
    let (array, schema) =
        to_ffi(&data).map_err(|e| PyValueError::new_err(format!("exporting to Arrow: {e}")))?;
    let schema = PyCapsule::new_with_value(py, schema, c"arrow_schema")?;
    let array = PyCapsule::new_with_value(py, array, c"arrow_array")?;
    PyTuple::new(py, [schema, array])
}

/// Per host, the number of documents each normalised line occurs in: the
/// corpus counts of `deboil scan`, built from Python texts.
#[pyclass(module = "deboil._deboil", frozen)]
struct Counts {
    inner: Mutex<CoreCounts>,
    pool: Pool,
}

#[pymethods]
impl Counts {
    #[new]
    #[pyo3(signature = (*, threads = None))]
    fn new(threads: Option<usize>) -> Counts {
        Counts {
            inner: Mutex::new(CoreCounts::default()),
            pool: Pool::new(threads),
        }
    }

    /// Count the lines of `texts` (in parallel, the GIL released), each
    /// under the host of its URL in `urls` (host "" without one).
    #[pyo3(signature = (texts, urls = None))]
    fn add(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        urls: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let items = texts_and_urls(texts, urls)?;
        let pool = self.pool.get()?;
        py.detach(|| {
            let keys: Vec<(String, std::collections::HashSet<u64>)> = pool.install(|| {
                items
                    .par_iter()
                    .map(|(t, _, u)| {
                        (
                            u.as_deref().map(corpus::host_of).unwrap_or_default(),
                            corpus::document_keys(t),
                        )
                    })
                    .collect()
            });
            let mut c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            for (host, k) in &keys {
                c.add_keys(host, k);
            }
        });
        Ok(())
    }

    /// Add another `Counts` (a shard of the same corpus) into this one.
    fn merge(&self, other: &Counts) {
        let o = other
            .inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .merge(o);
    }

    /// The counts in the file format of `deboil scan`.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let mut b = Vec::new();
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .write(&mut b)
            .map_err(|e| error(e.into()))?;
        Ok(PyBytes::new(py, &b))
    }

    /// Counts from `to_bytes` (or a counts file's bytes).
    #[staticmethod]
    #[pyo3(signature = (data, min_docs = 0))]
    fn from_bytes(data: &[u8], min_docs: u32) -> PyResult<Counts> {
        Ok(Counts {
            inner: Mutex::new(
                CoreCounts::read_min(data, min_docs)
                    .map_err(|e| DeboilError::new_err(e.to_string()))?,
            ),
            pool: Pool::new(None),
        })
    }

    /// Write a counts file (atomically; .zst or .gz compressed by its name).
    fn save(&self, path: std::path::PathBuf) -> PyResult<()> {
        let c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        deboil::scan::write_counts(&c, &path).map_err(error)
    }

    /// Read a counts file (of `deboil scan`, `deboil merge` or `save`).
    #[staticmethod]
    #[pyo3(signature = (path, min_docs = 0))]
    fn load(path: std::path::PathBuf, min_docs: u32) -> PyResult<Counts> {
        Ok(Counts {
            inner: Mutex::new(deboil::scan::read_counts(&path, min_docs).map_err(error)?),
            pool: Pool::new(None),
        })
    }

    fn __len__(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let make = py
            .import("deboil._deboil")?
            .getattr("Counts")?
            .getattr("from_bytes")?;
        let args = PyTuple::new(py, [self.to_bytes(py)?])?;
        PyTuple::new(py, [make.into_any(), args.into_any()])
    }
}

/// Messages of a job, kept for Python.
#[derive(Default)]
struct Collected {
    messages: Mutex<Vec<(&'static str, String)>>,
}

impl Events for Collected {
    fn error(&self, m: String) {
        self.messages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(("error", m));
    }
    fn warn(&self, m: String) {
        self.messages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(("warning", m));
    }
    fn note(&self, m: String) {
        self.messages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(("note", m));
    }
}

/// Remove `key` from `options`; its value unless it is None.
fn take<'py>(options: &Bound<'py, PyDict>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    let v = options.get_item(key)?;
    if v.is_some() {
        options.del_item(key)?;
    }
    Ok(v.filter(|v| !v.is_none()))
}

/// A string option naming one of `choices`: the value it names.
fn pick<T: Copy>(
    options: &Bound<'_, PyDict>,
    key: &str,
    choices: &[(&str, T)],
) -> PyResult<Option<T>> {
    let Some(v) = take(options, key)? else {
        return Ok(None);
    };
    let name: String = v
        .extract()
        .map_err(|_| PyTypeError::new_err(format!("{key}: expected str, got {}", type_name(&v))))?;
    match choices.iter().find(|(n, _)| *n == name) {
        Some((_, t)) => Ok(Some(*t)),
        None => Err(PyValueError::new_err(format!(
            "{key} must be one of {:?}, not {name:?}",
            choices.iter().map(|(n, _)| *n).collect::<Vec<_>>()
        ))),
    }
}

/// An option's value as `T`; a type error names the option.
macro_rules! opt {
    ($options:expr, $key:literal, $t:ty) => {
        match take($options, $key)? {
            Some(v) => Some(v.extract::<$t>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "{}: expected {}, got {}",
                    $key,
                    stringify!($t),
                    type_name(&v)
                ))
            })?),
            None => None,
        }
    };
}

/// Run a job of the command line over files (the library's stream: plain
/// text, JSONL, WET and Parquet in; text, JSONL and Parquet out), the GIL
/// released. Returns `(report JSON, messages)`; `deboil.clean_files` wraps it.
#[pyfunction]
#[pyo3(signature = (inputs, output, out_dir, cleaner, options))]
fn _clean_files(
    py: Python<'_>,
    inputs: Vec<std::path::PathBuf>,
    output: Option<std::path::PathBuf>,
    out_dir: Option<std::path::PathBuf>,
    cleaner: Option<&Cleaner>,
    options: &Bound<'_, PyDict>,
) -> PyResult<(String, Vec<(&'static str, String)>)> {
    if output.is_none() && out_dir.is_none() {
        return Err(PyValueError::new_err(
            "give output (one file) or out_dir (one file per input)",
        ));
    }
    if inputs.is_empty() {
        return Err(PyValueError::new_err("no inputs"));
    }
    let options = options.copy()?;
    let mut o = JobOptions {
        paths: inputs,
        output,
        out_dir,
        ..JobOptions::default()
    };
    o.jsonl = opt!(&options, "jsonl", bool).unwrap_or(false);
    o.annotate = opt!(&options, "annotate", bool).unwrap_or(false);
    if let Some(v) = opt!(&options, "text_field", String) {
        o.text_field = v;
    }
    if let Some(v) = opt!(&options, "id_field", String) {
        o.id_field = v;
    }
    if let Some(v) = opt!(&options, "url_field", String) {
        o.url_field = v;
    }
    o.spans_field = opt!(&options, "spans_field", String);
    o.explain = opt!(&options, "explain", std::path::PathBuf);
    o.attributes = opt!(&options, "attributes", std::path::PathBuf);
    o.stats = opt!(&options, "stats", std::path::PathBuf);
    if let Some(v) = opt!(&options, "max_doc_bytes", u64) {
        o.max_doc_bytes = v;
    }
    if let Some(v) = opt!(&options, "max_line_bytes", u64) {
        o.max_line_bytes = v;
    }
    if let Some(n) = opt!(&options, "threads", usize) {
        o.threads = Some(
            std::num::NonZeroUsize::new(n)
                .ok_or_else(|| PyValueError::new_err("threads must be at least 1"))?,
        );
    }
    use deboil::input::InputFormat as F;
    use deboil::sink::RecordFormat as R;
    let formats = [
        ("auto", F::Auto),
        ("text", F::Text),
        ("jsonl", F::Jsonl),
        ("wet", F::Wet),
        ("parquet", F::Parquet),
    ];
    o.input_format = pick(&options, "input_format", &formats)?.unwrap_or(o.input_format);
    o.format = pick(
        &options,
        "format",
        &[("jsonl", R::Jsonl), ("parquet", R::Parquet)],
    )?;
    o.on_error = pick(
        &options,
        "on_error",
        &[("skip", OnError::Skip), ("fail", OnError::Fail)],
    )?
    .unwrap_or(o.on_error);
    o.explain_format = pick(
        &options,
        "explain_format",
        &[("tsv", ExplainFormat::Tsv), ("jsonl", ExplainFormat::Jsonl)],
    )?
    .unwrap_or(o.explain_format);
    o.stats_format = pick(
        &options,
        "stats_format",
        &[("text", StatsFormat::Text), ("json", StatsFormat::Json)],
    )?
    .unwrap_or(o.stats_format);
    if let Some((k, _)) = options.iter().next() {
        return Err(PyTypeError::new_err(format!(
            "clean_files got an unknown option {k}"
        )));
    }
    let builder = match cleaner {
        Some(c) => c.builder.clone(),
        None => PipelineBuilder::new(),
    };
    let events = Collected::default();
    let result = py.detach(|| -> anyhow::Result<String> {
        let job = Job::plan(builder, o, &events)?;
        let report = job.run(&events)?;
        let mut v = serde_json::to_value(&report)?;
        v["errors"] = report.errors.into();
        Ok(v.to_string())
    });
    let messages = events
        .messages
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    match result {
        Ok(report) => Ok((report, messages)),
        Err(e) => {
            let detail: Vec<String> = messages.iter().map(|(l, m)| format!("{l}: {m}")).collect();
            let mut text = format!("{e:#}");
            if !detail.is_empty() {
                text.push_str(&format!(" (before it: {})", detail.join("; ")));
            }
            Err(DeboilError::new_err(text))
        }
    }
}

#[pymodule]
fn _deboil(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Cleaner>()?;
    m.add_class::<Cleaned>()?;
    m.add_class::<Span>()?;
    m.add_class::<Counts>()?;
    m.add_class::<ArrowCapsules>()?;
    m.add_function(wrap_pyfunction!(_cleaner_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(_clean_files, m)?)?;
    m.add("DeboilError", m.py().get_type::<DeboilError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
