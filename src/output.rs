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
        let file = self.close_sink().with_context(ctx)?;
        if let Some((tmp, path)) = &self.rename {
            // Only a file that is renamed into place is synced (a FIFO or a
            // device cannot be).
            if let Some(file) = &file {
                file.sync_all().with_context(ctx)?;
            }
            fs::rename(tmp, path)
                .with_context(|| format!("{}: renaming into place", path.display()))?;
            forget_temp(tmp);
            self.rename = None;
        }
        Ok(())
    }

    /// Flush the sink and finish its compression: the file written, for an
    /// output to a file.
    fn close_sink(&mut self) -> io::Result<Option<File>> {
        let into_file = |w: BufWriter<File>| w.into_inner().map_err(|e| e.into_error());
        match self.inner.take() {
            Some(Sink::Stdout(mut w)) => w.flush().map_err(mark_closed).map(|()| None),
            Some(Sink::Stderr(mut w)) => w.flush().map(|()| None),
            Some(Sink::Plain(w)) => into_file(w).map(Some),
            Some(Sink::Gzip(w)) => w.finish().and_then(into_file).map(Some),
            Some(Sink::Zstd(w)) => w.finish().and_then(into_file).map(Some),
            None => Ok(None),
        }
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

impl Output {
    /// Flush and finish compression, but neither sync nor rename a file
    /// output: [`commit`] syncs many such files at once and then puts them
    /// in place, where one sync after another, a file at a time, would cost
    /// more than writing them. Other outputs are finished here (`None`).
    pub fn finish_later(mut self) -> Result<Option<Written>> {
        if self.rename.is_none() {
            // Written in place (a device, a FIFO, a stream): nothing to
            // sync or rename.
            return self.finish().map(|()| None);
        }
        let name = self.name();
        let file = self
            .close_sink()
            .with_context(|| format!("{name}: writing"))?;
        // An output renamed into place is a file; were it not, its
        // temporary file would go with `self`.
        Ok(file.map(|file| Written {
            file,
            rename: self.rename.take(),
            name,
        }))
    }
}

/// A file output written to its temporary name, waiting for [`commit`].
/// Dropped uncommitted, its temporary file is removed.
#[derive(Debug)]
pub struct Written {
    file: File,
    rename: Option<(PathBuf, PathBuf)>,
    name: String,
}

impl Written {
    /// The output's name in messages.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        if let Some((tmp, _)) = self.rename.take() {
            let _ = fs::remove_file(&tmp);
            forget_temp(&tmp);
        }
    }
}

/// Sync `written` and rename each into place. The files are synced from
/// several threads at once, so that the filesystem commits their syncs
/// together rather than one after another. The results are in order: a
/// file that could not be synced or renamed is not in place, and its
/// temporary file is gone.
pub fn commit(written: Vec<Written>) -> Vec<Result<()>> {
    let synced = sync_all(&written);
    written
        .into_iter()
        .zip(synced)
        .map(|(mut w, synced)| {
            let name = w.name.clone();
            synced.with_context(|| format!("{name}: writing"))?;
            let (tmp, path) = w.rename.take().expect("a written file has its names");
            let renamed = fs::rename(&tmp, &path);
            if renamed.is_err() {
                let _ = fs::remove_file(&tmp);
            }
            forget_temp(&tmp);
            renamed.with_context(|| format!("{}: renaming into place", path.display()))
        })
        .collect()
}

/// Threads that sync the files of one [`commit`].
const SYNC_THREADS: usize = 8;

fn sync_all(written: &[Written]) -> Vec<io::Result<()>> {
    if written.len() <= 1 {
        return written.iter().map(|w| w.file.sync_all()).collect();
    }
    let per = written.len().div_ceil(SYNC_THREADS);
    std::thread::scope(|s| {
        let handles: Vec<_> = written
            .chunks(per)
            .map(|chunk| {
                let h =
                    s.spawn(move || chunk.iter().map(|w| w.file.sync_all()).collect::<Vec<_>>());
                (chunk.len(), h)
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(n, h)| {
                h.join().unwrap_or_else(|_| {
                    (0..n)
                        .map(|_| Err(io::Error::other("a sync thread panicked")))
                        .collect()
                })
            })
            .collect()
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn temps_in(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("deboil-tmp"))
            .collect()
    }

    #[test]
    fn files_finished_later_are_in_place_only_once_committed() {
        let dir = tempfile::tempdir().unwrap();
        let mut written = Vec::new();
        for k in 0..20 {
            let path = dir.path().join(format!("sub/{k}.txt"));
            let mut o = Output::create(&path).unwrap();
            writeln!(o, "file {k}").unwrap();
            written.push(o.finish_later().unwrap().unwrap());
            assert!(!path.exists(), "not in place before the commit");
        }
        let gz = dir.path().join("sub/z.txt.gz");
        let mut o = Output::create(&gz).unwrap();
        o.write_all(b"compressed").unwrap();
        written.push(o.finish_later().unwrap().unwrap());
        assert_eq!(temps_in(&dir.path().join("sub")).len(), 21);
        let results = commit(written);
        assert_eq!(results.len(), 21);
        assert!(results.iter().all(|r| r.is_ok()));
        for k in 0..20 {
            let text = fs::read_to_string(dir.path().join(format!("sub/{k}.txt"))).unwrap();
            assert_eq!(text, format!("file {k}\n"));
        }
        let mut plain = String::new();
        io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(File::open(&gz).unwrap()),
            &mut plain,
        )
        .unwrap();
        assert_eq!(plain, "compressed");
        assert!(temps_in(&dir.path().join("sub")).is_empty());
    }

    /// `name` in `dir`, written and finished for a later commit.
    fn written(dir: &Path, name: &str) -> (PathBuf, Written) {
        let path = dir.join(name);
        let mut o = Output::create(&path).unwrap();
        o.write_all(b"text").unwrap();
        (path, o.finish_later().unwrap().unwrap())
    }

    #[test]
    fn a_written_file_dropped_uncommitted_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (path, w) = written(dir.path(), "a.txt");
        assert_eq!(temps_in(dir.path()).len(), 1);
        drop(w);
        assert!(temps_in(dir.path()).is_empty());
        assert!(!path.exists());
    }

    #[test]
    fn a_commit_that_cannot_rename_reports_the_file_and_removes_its_temp() {
        let dir = tempfile::tempdir().unwrap();
        let (path, w) = written(dir.path(), "b.txt");
        // A directory now stands where the file goes: the rename fails.
        fs::create_dir(&path).unwrap();
        fs::write(path.join("keep"), b"x").unwrap();
        let results = commit(vec![w]);
        let err = format!("{:#}", results[0].as_ref().unwrap_err());
        assert!(err.contains("renaming into place"), "{err}");
        assert!(temps_in(dir.path()).is_empty());
    }
}
