//! Outputs: standard output, or a file written atomically (to a temporary
//! name beside it, renamed into place when complete and synced), gzip or
//! zstd compressed by its name. A file output dropped unfinished removes its
//! temporary file; [`remove_temps`] removes those of every output in flight
//! (on a signal).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};

/// The marker inside the error of a write to standard output that found the
/// pipe closed (`deboil page.txt | head`): the one broken pipe that ends a run
/// quietly, with status 0.
#[derive(Debug)]
pub struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output closed")
    }
}

impl std::error::Error for StdoutClosed {}

fn mark_closed(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        io::Error::new(io::ErrorKind::BrokenPipe, StdoutClosed)
    } else {
        e
    }
}

/// Temporary files not yet renamed into place, removed by [`remove_temps`]
/// (the binary calls it on SIGINT, SIGTERM and SIGHUP).
static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn temps() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    TEMPS.lock().unwrap_or_else(|e| e.into_inner())
}

fn forget_temp(tmp: &Path) {
    let mut t = temps();
    if let Some(i) = t.iter().position(|p| p == tmp) {
        t.swap_remove(i);
    }
}

/// Remove every temporary file of the outputs in flight; the returned guard
/// keeps new ones from being created while it is held (until the process
/// exits, on a signal).
pub fn remove_temps() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    let t = temps();
    for p in t.iter() {
        let _ = fs::remove_file(p);
    }
    t
}

/// An output sink: stdout or an atomically written, optionally compressed
/// file. A file output that is dropped before [`Output::finish`] (an error,
/// a full disk) removes its temporary file.
pub struct Output {
    inner: Option<Sink>,
    /// (temporary path, final path) for file outputs written atomically.
    rename: Option<(PathBuf, PathBuf)>,
    /// The output's name in messages.
    name: String,
}

enum Sink {
    // Not locked for the run: an output is Send (a Parquet writer needs it);
    // the buffer takes the lock once per 64 KiB.
    Stdout(BufWriter<io::Stdout>),
    Stderr(BufWriter<io::Stderr>),
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Zstd(zstd::Encoder<'static, BufWriter<File>>),
}

impl Output {
    /// Standard output, block-buffered.
    pub fn stdout() -> Output {
        Output {
            inner: Some(Sink::Stdout(BufWriter::with_capacity(
                1 << 16,
                io::stdout(),
            ))),
            rename: None,
            name: "<stdout>".into(),
        }
    }

    /// Standard error, buffered (for reports).
    pub fn stderr() -> Output {
        Output {
            inner: Some(Sink::Stderr(BufWriter::new(io::stderr()))),
            rename: None,
            name: "<stderr>".into(),
        }
    }

    /// A file written to a temporary name beside it and renamed on [`Output::finish`];
    /// compressed when the name ends in .gz or .zst.
    pub fn create(path: &Path) -> Result<Output> {
        if path.is_dir() {
            anyhow::bail!("{}: is a directory", path.display());
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent)
                .with_context(|| format!("{}: creating directory", parent.display()))?;
        }
        let (file, rename) = match fs::metadata(path) {
            // /dev/null, a FIFO, a terminal: written in place, since renaming
            // a file over them would replace the device with a file.
            Ok(m) if !m.is_file() => {
                let file = fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .with_context(|| format!("{}: opening", path.display()))?;
                (file, None)
            }
            _ => {
                // A link to a file: the file it points to is replaced, not the link.
                let path = match fs::symlink_metadata(path) {
                    Ok(m) if m.file_type().is_symlink() => {
                        fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
                    }
                    _ => path.to_path_buf(),
                };
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let tmp = path.with_file_name(format!(".{name}.deboil-tmp-{}", std::process::id()));
                // Registered before it exists, under the lock the signal thread takes.
                let mut t = temps();
                let file =
                    File::create(&tmp).with_context(|| format!("{}: creating", tmp.display()))?;
                t.push(tmp.clone());
                (file, Some((tmp, path)))
            }
        };
        let mut out = Output {
            inner: None,
            rename,
            name: path.display().to_string(),
        };
        let buf = BufWriter::with_capacity(1 << 16, file);
        out.inner = Some(match path.extension().and_then(|e| e.to_str()) {
            Some("gz") => Sink::Gzip(flate2::write::GzEncoder::new(
                buf,
                flate2::Compression::default(),
            )),
            Some("zst") => {
                Sink::Zstd(zstd::Encoder::new(buf, 3).with_context(|| path.display().to_string())?)
            }
            _ => Sink::Plain(buf),
        });
        Ok(out)
    }

    /// The name of the output in messages: its path, `<stdout>` or `<stderr>`.
    pub fn name(&self) -> String {
        self.name.clone()
    }

    /// Flush, finish compression and move the file into place.
    pub fn finish(mut self) -> Result<()> {
        let name = self.name();
        let ctx = || format!("{name}: writing");
        // Only a file that is renamed into place is synced (a FIFO or a
        // device cannot be).
        let sync = self.rename.is_some();
        match self.inner.take() {
            Some(Sink::Stdout(mut w)) => w.flush().map_err(mark_closed).with_context(ctx)?,
            Some(Sink::Stderr(mut w)) => w.flush().with_context(ctx)?,
            Some(Sink::Plain(w)) => finish_file(w, sync).with_context(ctx)?,
            Some(Sink::Gzip(w)) => {
                finish_file(w.finish().with_context(ctx)?, sync).with_context(ctx)?
            }
            Some(Sink::Zstd(w)) => {
                finish_file(w.finish().with_context(ctx)?, sync).with_context(ctx)?
            }
            None => {}
        }
        if let Some((tmp, path)) = &self.rename {
            fs::rename(tmp, path)
                .with_context(|| format!("{}: renaming into place", path.display()))?;
            forget_temp(tmp);
            self.rename = None;
        }
        Ok(())
    }

    fn sink(&mut self) -> &mut dyn Write {
        match self.inner.as_mut() {
            Some(Sink::Stdout(w)) => w,
            Some(Sink::Stderr(w)) => w,
            Some(Sink::Plain(w)) => w,
            Some(Sink::Gzip(w)) => w,
            Some(Sink::Zstd(w)) => w,
            None => unreachable!("an output is written only before it is finished"),
        }
    }

    /// Write through the sink; a broken pipe on stdout is marked [`StdoutClosed`].
    fn with_sink<T>(&mut self, f: impl FnOnce(&mut dyn Write) -> io::Result<T>) -> io::Result<T> {
        let stdout = matches!(self.inner, Some(Sink::Stdout(_)));
        f(self.sink()).map_err(|e| if stdout { mark_closed(e) } else { e })
    }
}

impl Drop for Output {
    /// An unfinished file output: its temporary file is removed.
    fn drop(&mut self) {
        if let Some((tmp, _)) = self.rename.take() {
            drop(self.inner.take());
            let _ = fs::remove_file(&tmp);
            forget_temp(&tmp);
        }
    }
}

fn finish_file(w: BufWriter<File>, sync: bool) -> io::Result<()> {
    let file = w.into_inner().map_err(|e| e.into_error())?;
    if sync {
        file.sync_all()?;
    }
    Ok(())
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.with_sink(|w| w.write(buf))
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.with_sink(|w| w.write_all(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.with_sink(|w| w.flush())
    }
}
