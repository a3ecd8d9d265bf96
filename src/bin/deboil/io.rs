//! Reading and writing files: transparent .gz/.zst, atomic output files.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// Where a document comes from.
#[derive(Clone, Debug)]
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file; `rel` is its path relative to the argument it was found under
    /// (for `--out-dir` mirroring).
    File { path: PathBuf, rel: PathBuf },
}

impl Input {
    /// The name used in messages and explanations.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::File { path, .. } => path.display().to_string(),
        }
    }

    /// Open for buffered reading, decompressing by magic bytes.
    pub fn open(&self) -> Result<Box<dyn BufRead + Send>> {
        let raw: Box<dyn Read + Send> = match self {
            Input::Stdin => Box::new(io::stdin()),
            Input::File { path, .. } => {
                Box::new(File::open(path).with_context(|| format!("{}: opening", path.display()))?)
            }
        };
        decompress(BufReader::with_capacity(1 << 16, raw)).with_context(|| self.name())
    }

    /// The whole input as text: UTF-8, or UTF-16 when it starts with a
    /// UTF-16 byte order mark (Windows "Unicode" text, copy-paste saves),
    /// decoded to UTF-8 without the mark. Bytes that are no valid text are
    /// replaced with U+FFFD; the flag says whether any were.
    pub fn read_text(&self) -> Result<(String, bool)> {
        Ok(decode_text(self.read_all()?))
    }

    /// Read the whole input, decompressed.
    pub fn read_all(&self) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        if let Input::File { path, .. } = self
            && let Ok(meta) = fs::metadata(path)
        {
            buf.reserve(meta.len() as usize);
        }
        self.open()?
            .read_to_end(&mut buf)
            .with_context(|| format!("{}: reading", self.name()))?;
        Ok(buf)
    }

    /// Size on disk, when known.
    pub fn size(&self) -> Option<u64> {
        match self {
            Input::Stdin => None,
            Input::File { path, .. } => fs::metadata(path).ok().map(|m| m.len()),
        }
    }
}

fn decompress(mut rdr: BufReader<Box<dyn Read + Send>>) -> io::Result<Box<dyn BufRead + Send>> {
    let head = rdr.fill_buf()?;
    if head.starts_with(GZIP_MAGIC) {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(rdr),
        )))
    } else if head.starts_with(ZSTD_MAGIC) {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            zstd::Decoder::with_buffer(rdr)?,
        )))
    } else {
        Ok(Box::new(rdr))
    }
}

/// Expand the path arguments into inputs: `-` is stdin, directories are walked
/// recursively in sorted order. Unreadable directories are reported through `warn`.
pub fn expand(paths: &[PathBuf], mut warn: impl FnMut(String)) -> Vec<Input> {
    if paths.is_empty() {
        return vec![Input::Stdin];
    }
    let mut inputs = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if p.is_dir() {
            walk(p, p, &mut inputs, &mut warn);
        } else {
            let rel = p
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_else(|| p.clone());
            inputs.push(Input::File {
                path: p.clone(),
                rel,
            });
        }
    }
    inputs
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<Input>, warn: &mut impl FnMut(String)) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(err) => {
            warn(format!("{}: {err}", dir.display()));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(root, &path, out, warn);
        } else if path.is_file() {
            let rel = path
                .strip_prefix(root)
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| path.clone());
            out.push(Input::File { path, rel });
        }
    }
}

/// An output sink: stdout or an atomically written, optionally compressed file.
pub struct Output {
    inner: Sink,
    /// (temporary path, final path) for file outputs.
    rename: Option<(PathBuf, PathBuf)>,
}

enum Sink {
    Stdout(BufWriter<io::StdoutLock<'static>>),
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Zstd(zstd::Encoder<'static, BufWriter<File>>),
}

impl Output {
    /// Standard output, block-buffered.
    pub fn stdout() -> Output {
        Output {
            inner: Sink::Stdout(BufWriter::with_capacity(1 << 16, io::stdout().lock())),
            rename: None,
        }
    }

    /// A file written to a temporary name beside it and renamed on [`Output::finish`];
    /// compressed when the name ends in .gz or .zst.
    pub fn create(path: &Path) -> Result<Output> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent)
                .with_context(|| format!("{}: creating directory", parent.display()))?;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.deboil-tmp-{}", std::process::id()));
        let file = File::create(&tmp).with_context(|| format!("{}: creating", tmp.display()))?;
        let buf = BufWriter::with_capacity(1 << 16, file);
        let inner = match path.extension().and_then(|e| e.to_str()) {
            Some("gz") => Sink::Gzip(flate2::write::GzEncoder::new(
                buf,
                flate2::Compression::default(),
            )),
            Some("zst") => {
                Sink::Zstd(zstd::Encoder::new(buf, 3).with_context(|| path.display().to_string())?)
            }
            _ => Sink::Plain(buf),
        };
        Ok(Output {
            inner,
            rename: Some((tmp, path.to_path_buf())),
        })
    }

    /// Flush, finish compression and move the file into place.
    pub fn finish(self) -> Result<()> {
        let name = self
            .rename
            .as_ref()
            .map(|(_, p)| p.display().to_string())
            .unwrap_or_else(|| "<stdout>".into());
        let ctx = || format!("{name}: writing");
        match self.inner {
            Sink::Stdout(mut w) => w.flush().with_context(ctx)?,
            Sink::Plain(w) => finish_file(w).with_context(ctx)?,
            Sink::Gzip(w) => finish_file(w.finish().with_context(ctx)?).with_context(ctx)?,
            Sink::Zstd(w) => finish_file(w.finish().with_context(ctx)?).with_context(ctx)?,
        }
        if let Some((tmp, path)) = self.rename {
            fs::rename(&tmp, &path)
                .with_context(|| format!("{}: renaming into place", path.display()))?;
        }
        Ok(())
    }

    /// Remove a file output's temporary file (after an error).
    pub fn abandon(self) {
        if let Some((tmp, _)) = self.rename {
            drop(self.inner);
            let _ = fs::remove_file(tmp);
        }
    }
}

fn finish_file(w: BufWriter<File>) -> io::Result<()> {
    let file = w.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            Sink::Stdout(w) => w.write(buf),
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
            Sink::Zstd(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.inner {
            Sink::Stdout(w) => w.write_all(buf),
            Sink::Plain(w) => w.write_all(buf),
            Sink::Gzip(w) => w.write_all(buf),
            Sink::Zstd(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Sink::Stdout(w) => w.flush(),
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
            Sink::Zstd(w) => w.flush(),
        }
    }
}

/// See [`Input::read_text`].
pub fn decode_text(bytes: Vec<u8>) -> (String, bool) {
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(u16::from_le_bytes as fn([u8; 2]) -> u16),
        Some([0xFE, 0xFF]) => Some(u16::from_be_bytes as fn([u8; 2]) -> u16),
        _ => None,
    };
    if let Some(unit) = utf16 {
        let pairs = bytes[2..].chunks_exact(2);
        // A last byte that is half a code unit.
        let mut lossy = !pairs.remainder().is_empty();
        let half = lossy.then_some(char::REPLACEMENT_CHARACTER);
        let units = pairs.map(|p| unit([p[0], p[1]]));
        let text: String = char::decode_utf16(units)
            .map(|c| {
                c.unwrap_or_else(|_| {
                    lossy = true;
                    char::REPLACEMENT_CHARACTER
                })
            })
            .chain(half)
            .collect();
        return (text, lossy);
    }
    match String::from_utf8(bytes) {
        Ok(s) => (s, false),
        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
    }
}
