//! Diagnostics: messages on stderr, the reports of skipped lines, and the
//! thread count, shared by cleaning runs and `deboil scan`.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, bail};

use crate::args::OnError;

/// Worker threads for `-j`: the number asked for, or one per CPU.
pub fn thread_count(asked: Option<std::num::NonZeroUsize>) -> usize {
    asked.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n.get(),
    )
}

/// Diagnostics on stderr with the `deboil:` prefix; remembers whether any error was reported.
#[derive(Debug, Default)]
pub struct Messages {
    errored: AtomicBool,
    quiet: AtomicBool,
}

impl Messages {
    pub fn set_quiet(&self, yes: bool) {
        self.quiet.store(yes, Ordering::Relaxed);
    }

    /// Report an error and remember it (exit status 1).
    pub fn error(&self, m: impl std::fmt::Display) {
        self.errored.store(true, Ordering::Relaxed);
        let _ = writeln!(io::stderr().lock(), "deboil: {m}");
    }

    /// Report a warning, unless --quiet.
    pub fn warn(&self, m: impl std::fmt::Display) {
        if !self.quiet.load(Ordering::Relaxed) {
            let _ = writeln!(io::stderr().lock(), "deboil: warning: {m}");
        }
    }

    /// Report a summary line, unless --quiet.
    pub fn note(&self, m: impl std::fmt::Display) {
        if !self.quiet.load(Ordering::Relaxed) {
            let _ = writeln!(io::stderr().lock(), "deboil: {m}");
        }
    }

    pub fn errored(&self) -> bool {
        self.errored.load(Ordering::Relaxed)
    }
}

/// Why a JSONL line is no record.
pub enum Skip {
    TooLong(String),
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

/// Report JSONL line `n` of `name` as skipped (an error, exit status 1), and
/// stop the run (exit status 2) under `--on-error fail`. Cleaning and scan
/// both report through here; the caller counts.
pub fn report_skipped(
    msg: &Messages,
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
