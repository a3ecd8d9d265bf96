//! Command-line arguments (clap derive). The binary's only parsing layer:
//! [`crate::run::resolve`] turns them into a `RunConfig`.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit status: 0 when every input was processed, 1 when some inputs failed (the rest
were written), 2 on a fatal or usage error. A closed pipe on standard output exits 0
silently; any other failed write is an error naming the output.

Examples:
  cat page.txt | deboil > clean.txt
  deboil --explain page.txt > clean.txt 2> why.tsv
  deboil --jsonl --text-field text -j 8 corpus.jsonl.zst -o clean.jsonl.zst";

/// Strip web boilerplate (ads, trending blocks, comment widgets, share widgets,
/// photo credits, repeated paragraphs) from plain text.
#[derive(Debug, Parser)]
#[command(name = "deboil", version, about, after_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Input files or directories; `-` or none reads standard input.
    ///
    /// Directories are walked recursively in sorted order. Files ending in .gz
    /// or .zst are decompressed. Default: standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Write cleaned output to FILE instead of standard output.
    ///
    /// A name ending in .gz or .zst is compressed. The file is written
    /// atomically (to a temporary name, then renamed). Default: standard output.
    #[arg(short = 'o', long, value_name = "FILE", conflicts_with = "out_dir")]
    pub output: Option<PathBuf>,

    /// Write one output file per input file under DIR, mirroring the input tree.
    ///
    /// Default: off (everything goes to one output).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,

    /// Explain every line's verdict (line, verdict, pass, rule, kind, text).
    ///
    /// `--explain` writes to standard error; `--explain=FILE` writes to FILE.
    /// Default: off.
    #[arg(long, value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "-")]
    pub explain: Option<PathBuf>,

    /// Write the removed spans as Dolma attributes to FILE, one line per
    /// document in output order: {"id", "attributes": {"deboil__KIND":
    /// [[start, end, score], …]}} with code-point offsets.
    ///
    /// A Dolma mixer can then remove the spans. The score is 1 for a rule's
    /// drop and the line model's probability of boilerplate for its own.
    /// Default: off.
    #[arg(long, value_name = "FILE")]
    pub attributes: Option<PathBuf>,

    /// Format of --explain output.
    ///
    /// tsv: a header and one row per non-blank line; jsonl: {"type":"drop"|"doc","data":{…}}
    /// records. Default: tsv.
    #[arg(long, value_enum, default_value_t = ExplainFormatArg::Tsv)]
    pub explain_format: ExplainFormatArg,

    /// Print counts of kept and dropped lines by kind, pass and rule.
    ///
    /// `--stats` writes to standard error; `--stats=FILE` writes to FILE. Default: off.
    #[arg(long, value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "-")]
    pub stats: Option<PathBuf>,

    /// Format of --stats output. Default: text.
    #[arg(long, value_enum, default_value_t = StatsFormatArg::Text)]
    pub stats_format: StatsFormatArg,

    /// List the passes and rules (id, kind, scope, pattern) and exit.
    #[arg(long)]
    pub list_rules: bool,

    /// Disable a pass, a rule table or a rule; repeatable or comma-separated.
    ///
    /// Names are those of --list-rules: a pass (repeat), a table (ad) or a rule
    /// id (ad.label). Default: nothing disabled.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub disable: Vec<String>,

    /// What the line model favours: balanced, precision (drop more) or
    /// recall (keep more). Default: balanced.
    #[arg(long, value_enum, default_value_t = FavorArg::Balanced)]
    pub favor: FavorArg,

    /// Add a rule table (TOML, schema in src/rules/README.md); repeatable.
    ///
    /// Rules with a built-in id override that rule's fields. Default: none.
    #[arg(long = "rules", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,

    /// Read and write JSON Lines records instead of plain text.
    ///
    /// Each input line is one JSON object; its --text-field is cleaned and every
    /// other field is passed through unchanged. Default: off (plain text).
    #[arg(long)]
    pub jsonl: bool,

    /// What the inputs hold: plain text, JSONL records, Common Crawl WET
    /// files (WARC `conversion` records) or Parquet files.
    ///
    /// auto: WET for names ending in .wet, .wet.gz or .wet.zst, Parquet for
    /// .parquet, JSONL with --jsonl, plain text otherwise. WET records are
    /// written as records {id, url, date, language, dump, file_path, text}.
    /// Default: auto.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,

    /// Output format of records (JSONL, WET or Parquet inputs).
    ///
    /// Default: parquet when the -o name ends in .parquet, jsonl otherwise.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,

    /// Field holding the text of a JSONL record. Default: text.
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub text_field: String,

    /// Field holding the id of a JSONL record (used in --explain). Default: id.
    #[arg(long, value_name = "NAME", default_value = "id")]
    pub id_field: String,

    /// Add to each JSONL record a field NAME listing the removed spans
    /// (kind, rule, byte start/end in the input text). Default: off.
    #[arg(long, value_name = "NAME")]
    pub spans_field: Option<String>,

    /// Annotate only: remove nothing (JSONL: output the original text, with
    /// --spans-field naming the spans that would be removed). Default: off.
    #[arg(long)]
    pub annotate: bool,

    /// What to do with a malformed JSONL line: report it and skip it, or stop.
    ///
    /// Either way it is reported as PATH:LINE and counted. Default: skip.
    #[arg(long, value_enum, default_value_t = OnError::Skip)]
    pub on_error: OnError,

    /// Corpus counts file (from `deboil scan`): drop lines seen in at least
    /// --min-docs documents of the same host. Default: off.
    #[arg(long, value_name = "FILE")]
    pub counts: Option<PathBuf>,

    /// With --counts: documents of one host a line must appear in to be dropped. Default: 5.
    #[arg(long, value_name = "K", default_value_t = 5)]
    pub min_docs: u32,

    /// JSONL field holding the page URL, whose host groups corpus counts. Default: url.
    #[arg(long, value_name = "NAME", default_value = "url")]
    pub url_field: String,

    /// Largest plain-text document, in bytes after decompression (suffixes K, M, G: powers of 1024).
    ///
    /// A larger file is reported as PATH and skipped (exit status 1); the
    /// others go on. Bounds the memory of a run. Default: 64M.
    #[arg(long, value_name = "BYTES", value_parser = parse_size, default_value = "64M")]
    pub max_doc_bytes: u64,

    /// Longest JSONL line (one record), in bytes (suffixes K, M, G).
    ///
    /// A longer line is reported as PATH:LINE and skipped (exit status 1);
    /// the lines after it go on. Bounds the memory of a run. Default: 64M.
    #[arg(long, value_name = "BYTES", value_parser = parse_size, default_value = "64M")]
    pub max_line_bytes: u64,

    /// Number of worker threads. Default: the number of CPUs.
    #[arg(short = 'j', long, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<NonZeroUsize>,

    /// Show a progress bar on standard error. Default: on when standard error
    /// is a terminal and the input is large.
    #[arg(long, conflicts_with = "quiet")]
    pub progress: bool,

    /// No progress bar and no warnings (errors are still reported). Default: off.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Count normalised lines per host across a corpus into a counts file.
    Scan(ScanArgs),
    /// Merge counts files (shards of one corpus) into one.
    Merge(MergeArgs),
    /// Score cleaned outputs against gold texts (the Zyte shingle metric).
    Score(ScoreArgs),
}

/// `deboil scan`.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Input files or directories; `-` or none reads standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write the counts to FILE (.zst or .gz compresses it).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
    /// Read JSON Lines records. Default: off (each file is one document of
    /// host "", but WET files, by their names (.wet, .wet.gz, .wet.zst),
    /// whose records count under their target URI's host, and Parquet files
    /// (.parquet), whose rows count under their --url-field's host).
    #[arg(long)]
    pub jsonl: bool,
    /// Field holding the text of a JSONL record. Default: text.
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub text_field: String,
    /// Field holding the URL whose host groups the counts. Default: url.
    #[arg(long, value_name = "NAME", default_value = "url")]
    pub url_field: String,
    /// Number of worker threads. Default: the number of CPUs.
    #[arg(short = 'j', long, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<NonZeroUsize>,
    /// Longest JSONL line (one record), in bytes (suffixes K, M, G). Default: 64M.
    #[arg(long, value_name = "BYTES", value_parser = parse_size, default_value = "64M")]
    pub max_line_bytes: u64,
    /// Largest plain-text document, in bytes after decompression. Default: 64M.
    #[arg(long, value_name = "BYTES", value_parser = parse_size, default_value = "64M")]
    pub max_doc_bytes: u64,
    /// What to do with a malformed JSONL line. Default: skip.
    #[arg(long, value_enum, default_value_t = OnError::Skip)]
    pub on_error: OnError,
}

/// `deboil merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Counts files to merge.
    #[arg(value_name = "FILE", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Write the merged counts to FILE.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
}

/// `deboil score`.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// Gold JSONL: {"id", "text"} per line.
    #[arg(long, value_name = "FILE")]
    pub gold: PathBuf,
    /// Predicted JSONL: {"id", "text"}; a gold id missing here counts as an empty output.
    #[arg(long, value_name = "FILE")]
    pub pred: PathBuf,
    /// Write per-document scores as JSONL, worst F1 first. Default: off.
    #[arg(long, value_name = "FILE")]
    pub per_doc: Option<PathBuf>,
}

/// `--explain-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormatArg {
    /// Tab-separated values with a header.
    Tsv,
    /// JSON Lines.
    Jsonl,
}

/// `--stats-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatsFormatArg {
    /// Human-readable lines.
    Text,
    /// One JSON object.
    Json,
}

/// `--input-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// By the file name (WET) and --jsonl.
    Auto,
    /// Plain text, a document per file.
    Text,
    /// JSON Lines, a record per line.
    Jsonl,
    /// Common Crawl WET (WARC conversion records), gzip, zstd or plain.
    Wet,
    /// Parquet: --text-field is cleaned, every other column passed through.
    Parquet,
}

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// JSON Lines (compressed by a .gz or .zst output name).
    Jsonl,
    /// Parquet (zstd), columns as the input's, or FineWeb's for WET records.
    Parquet,
}

/// `--on-error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnError {
    /// Report the line, count it, and go on.
    Skip,
    /// Report the line and stop with exit status 2.
    Fail,
}

/// `-j N`: a positive number of threads.
fn parse_threads(s: &str) -> Result<NonZeroUsize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err(
            "must be at least 1 (it is the number of worker threads; omit -j for one per CPU)"
                .into(),
        ),
        Ok(n) => Ok(NonZeroUsize::new(n).expect("not zero")),
        Err(_) => Err(format!("{s:?} is not a whole number of threads")),
    }
}

/// A byte count: digits with an optional K, M or G suffix (powers of 1024), at least 1.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c.to_ascii_uppercase()),
        _ => (t, 'B'),
    };
    let shift = match unit {
        'B' => 0,
        'K' => 10,
        'M' => 20,
        'G' => 30,
        _ => return Err(format!("{s:?}: the suffix must be K, M or G")),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a byte count (digits, then K, M or G)"))?;
    match n.checked_mul(1 << shift) {
        Some(0) => Err("must be at least 1 byte".into()),
        Some(v) => Ok(v),
        None => Err(format!("{s:?} is too large")),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn sizes_take_binary_suffixes_and_refuse_zero() {
        assert_eq!(super::parse_size("64M"), Ok(64 << 20));
        assert_eq!(super::parse_size("3k"), Ok(3 << 10));
        assert_eq!(super::parse_size("100"), Ok(100));
        assert!(super::parse_size("0").is_err());
        assert!(super::parse_size("5X").is_err());
        assert!(super::parse_size("M").is_err());
    }

    #[test]
    fn verify_app() {
        super::Args::command().debug_assert();
    }
}

/// Values of --favor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FavorArg {
    /// The trained balance (best F1).
    Balanced,
    /// Drop more boilerplate, lose some content.
    Precision,
    /// Keep more content, leave some boilerplate.
    Recall,
}

impl From<FavorArg> for deboil::model::Favor {
    fn from(f: FavorArg) -> deboil::model::Favor {
        match f {
            FavorArg::Balanced => deboil::model::Favor::Balanced,
            FavorArg::Precision => deboil::model::Favor::Precision,
            FavorArg::Recall => deboil::model::Favor::Recall,
        }
    }
}

impl From<ExplainFormatArg> for deboil::ExplainFormat {
    fn from(f: ExplainFormatArg) -> deboil::ExplainFormat {
        match f {
            ExplainFormatArg::Tsv => deboil::ExplainFormat::Tsv,
            ExplainFormatArg::Jsonl => deboil::ExplainFormat::Jsonl,
        }
    }
}

impl From<StatsFormatArg> for deboil::job::StatsFormat {
    fn from(f: StatsFormatArg) -> deboil::job::StatsFormat {
        match f {
            StatsFormatArg::Text => deboil::job::StatsFormat::Text,
            StatsFormatArg::Json => deboil::job::StatsFormat::Json,
        }
    }
}

impl From<InputFormat> for deboil::input::InputFormat {
    fn from(f: InputFormat) -> deboil::input::InputFormat {
        use deboil::input::InputFormat as F;
        match f {
            InputFormat::Auto => F::Auto,
            InputFormat::Text => F::Text,
            InputFormat::Jsonl => F::Jsonl,
            InputFormat::Wet => F::Wet,
            InputFormat::Parquet => F::Parquet,
        }
    }
}

impl From<OutputFormat> for deboil::sink::RecordFormat {
    fn from(f: OutputFormat) -> deboil::sink::RecordFormat {
        match f {
            OutputFormat::Jsonl => deboil::sink::RecordFormat::Jsonl,
            OutputFormat::Parquet => deboil::sink::RecordFormat::Parquet,
        }
    }
}

impl From<OnError> for deboil::job::OnError {
    fn from(f: OnError) -> deboil::job::OnError {
        match f {
            OnError::Skip => deboil::job::OnError::Skip,
            OnError::Fail => deboil::job::OnError::Fail,
        }
    }
}
