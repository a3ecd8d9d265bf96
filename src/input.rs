//! Inputs: standard input or files found under path arguments (directories
//! walked recursively, sorted, each directory once), what format each holds,
//! and reading them (transparent .gz/.zst).

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::decode::{self, Decoded};

/// What the inputs hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InputFormat {
    /// By the file name (WET, Parquet) and the job's record mode (JSONL).
    #[default]
    Auto,
    /// Plain text, a document per file.
    Text,
    /// JSON Lines, a record per line.
    Jsonl,
    /// Common Crawl WET (WARC conversion records), gzip, zstd or plain.
    Wet,
    /// Parquet: the text column is cleaned, every other column passed through.
    Parquet,
}

/// Where a document comes from.
#[derive(Clone, Debug)]
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file; `rel` is its path relative to the argument it was found under
    /// (for `--out-dir` mirroring).
    File {
        /// The path, as found.
        path: PathBuf,
        /// The path relative to the argument it was found under.
        rel: PathBuf,
    },
}

impl Input {
    /// The name used in messages and explanations.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::File { path, .. } => path.display().to_string(),
        }
    }

    /// Whether the input is read as a WET file under `format`: by its name
    /// (.wet, .wet.gz, .wet.zst) when the format is `auto`.
    pub fn is_wet(&self, format: InputFormat) -> bool {
        match (format, self) {
            (InputFormat::Wet, _) => true,
            (InputFormat::Auto, Input::File { path, .. }) => {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_ascii_lowercase())
                    .unwrap_or_default();
                [".wet", ".wet.gz", ".wet.zst"]
                    .iter()
                    .any(|e| name.ends_with(e))
            }
            _ => false,
        }
    }

    /// Whether the input is read as a Parquet file under `format`: by its
    /// name (.parquet) when the format is `auto`.
    pub fn is_parquet(&self, format: InputFormat) -> bool {
        match (format, self) {
            (InputFormat::Parquet, _) => true,
            (InputFormat::Auto, Input::File { path, .. }) => path.file_name().is_some_and(|n| {
                n.to_string_lossy()
                    .to_ascii_lowercase()
                    .ends_with(".parquet")
            }),
            _ => false,
        }
    }

    /// Open for buffered reading, without decompressing (the WET reader
    /// inflates gzip members one at a time).
    pub fn open_raw(&self) -> Result<Box<dyn BufRead + Send>> {
        let raw: Box<dyn Read + Send> = match self {
            Input::Stdin => Box::new(io::stdin()),
            Input::File { path, .. } => {
                Box::new(File::open(path).with_context(|| format!("{}: opening", path.display()))?)
            }
        };
        Ok(Box::new(BufReader::with_capacity(1 << 16, raw)))
    }

    /// Open for buffered reading, decompressing by magic bytes.
    pub fn open(&self) -> Result<Box<dyn BufRead + Send>> {
        let raw: Box<dyn Read + Send> = match self {
            Input::Stdin => Box::new(io::stdin()),
            Input::File { path, .. } => {
                Box::new(File::open(path).with_context(|| format!("{}: opening", path.display()))?)
            }
        };
        decode::decompress(BufReader::with_capacity(1 << 16, raw)).with_context(|| self.name())
    }

    /// The whole input as text (see [`decode::decode`]), at most `limit`
    /// bytes after decompression.
    pub fn read_text(&self, limit: u64) -> Result<Decoded> {
        Ok(decode::decode(self.read_all(limit)?))
    }

    /// Read the whole input, decompressed; an error past `limit` bytes.
    pub fn read_all(&self, limit: u64) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        if let Some(size) = self.size() {
            buf.reserve(size.min(limit) as usize);
        }
        match decode::read_limited(self.open()?, limit, &mut buf) {
            Ok(()) => Ok(buf),
            Err(e) if e.kind() == io::ErrorKind::FileTooLarge => Err(TooLarge {
                name: self.name(),
                limit,
            }
            .into()),
            Err(e) => Err(e).with_context(|| format!("{}: reading", self.name())),
        }
    }

    /// Size on disk, when known.
    pub fn size(&self) -> Option<u64> {
        match self {
            Input::Stdin => None,
            Input::File { path, .. } => fs::metadata(path).ok().map(|m| m.len()),
        }
    }
}

/// A plain-text input over `--max-doc-bytes`.
#[derive(Debug, thiserror::Error)]
#[error("{name}: larger than --max-doc-bytes ({limit} bytes) after decompression; skipped")]
pub struct TooLarge {
    /// The input's name.
    pub name: String,
    /// The limit, in bytes.
    pub limit: u64,
}

/// The inputs found under the path arguments.
#[derive(Debug, Default)]
pub struct Expanded {
    /// The inputs, in the order found.
    pub inputs: Vec<Input>,
    /// Entries that could not be used (unreadable directories, dangling links), reported as errors.
    pub failed: u64,
}

/// Expand the path arguments into inputs: `-` is stdin, directories are walked
/// recursively in sorted order, following symbolic links. A directory reached
/// a second time (a link loop, or two links to one directory) is skipped with
/// a warning, so that no file is read twice; so is `skip`, the output
/// directory, when it lies inside an input directory. Unreadable directories
/// and dangling links are reported through `error` and counted.
pub fn expand(
    paths: &[PathBuf],
    skip: Option<&Path>,
    mut warn: impl FnMut(String),
    mut error: impl FnMut(String),
) -> Expanded {
    let mut found = Expanded::default();
    if paths.is_empty() {
        found.inputs.push(Input::Stdin);
        return found;
    }
    let mut walk = Walk {
        seen: HashSet::new(),
        stack: Vec::new(),
        skip: skip.and_then(|s| fs::canonicalize(s).ok()),
        found: &mut found,
        warn: &mut warn,
        error: &mut error,
    };
    for p in paths {
        if p.as_os_str() == "-" {
            walk.found.inputs.push(Input::Stdin);
        } else if p.is_dir() {
            walk.dir(p, p);
        } else {
            let rel = p
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_else(|| p.clone());
            walk.found.inputs.push(Input::File {
                path: p.clone(),
                rel,
            });
        }
    }
    found
}

struct Walk<'a, W, E> {
    /// Canonical paths of the directories walked so far.
    seen: HashSet<PathBuf>,
    /// Canonical paths of the directories being walked, outermost first.
    stack: Vec<PathBuf>,
    skip: Option<PathBuf>,
    found: &'a mut Expanded,
    warn: &'a mut W,
    error: &'a mut E,
}

impl<W: FnMut(String), E: FnMut(String)> Walk<'_, W, E> {
    fn dir(&mut self, root: &Path, dir: &Path) {
        let canon = match fs::canonicalize(dir) {
            Ok(c) => c,
            Err(err) => {
                self.failed(format!("{}: {err}", dir.display()));
                return;
            }
        };
        if self.skip.as_ref() == Some(&canon) {
            (self.warn)(format!(
                "{}: skipped: it is the output directory",
                dir.display()
            ));
            return;
        }
        if self.stack.iter().any(|up| up.starts_with(&canon)) {
            (self.warn)(format!(
                "{}: skipped: a link loop (it leads back to {}, which holds it)",
                dir.display(),
                canon.display()
            ));
            return;
        }
        if !self.seen.insert(canon.clone()) {
            (self.warn)(format!(
                "{}: skipped: the directory {} was walked already (through another link or argument)",
                dir.display(),
                canon.display()
            ));
            return;
        }
        self.stack.push(canon);
        self.entries(root, dir);
        self.stack.pop();
    }

    fn entries(&mut self, root: &Path, dir: &Path) {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(err) => {
                self.failed(format!("{}: {err}", dir.display()));
                return;
            }
        };
        let mut paths = Vec::new();
        for e in entries {
            match e {
                Ok(e) => paths.push(e.path()),
                Err(err) => self.failed(format!("{}: {err}", dir.display())),
            }
        }
        paths.sort();
        for path in paths {
            // `metadata` follows links; `symlink_metadata` tells a dangling one.
            match fs::metadata(&path) {
                Ok(m) if m.is_dir() => self.dir(root, &path),
                Ok(m) if m.is_file() => {
                    let rel = path
                        .strip_prefix(root)
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|_| path.clone());
                    self.found.inputs.push(Input::File { path, rel });
                }
                Ok(_) => (self.warn)(format!(
                    "{}: skipped: not a regular file or directory",
                    path.display()
                )),
                Err(err) if fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink()) => {
                    self.failed(format!("{}: dangling symbolic link: {err}", path.display()))
                }
                Err(err) => self.failed(format!("{}: {err}", path.display())),
            }
        }
    }

    fn failed(&mut self, m: String) {
        self.found.failed += 1;
        (self.error)(m);
    }
}

/// Identity of a file (device and inode), to tell when an output is an input.
#[cfg(unix)]
pub fn file_id(meta: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
pub fn file_id(_meta: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// The identity of standard output when it is a regular file (`deboil f > g`).
#[cfg(unix)]
pub fn stdout_file_id() -> Option<(u64, u64)> {
    use std::os::fd::AsFd;
    let fd = io::stdout().as_fd().try_clone_to_owned().ok()?;
    let meta = File::from(fd).metadata().ok()?;
    meta.is_file().then(|| file_id(&meta)).flatten()
}

#[cfg(not(unix))]
pub fn stdout_file_id() -> Option<(u64, u64)> {
    None
}
