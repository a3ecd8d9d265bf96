//! Diagnostics: the job's events as `deboil:` lines on stderr, and its
//! progress bar.

use std::io::{self, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use deboil::job::Events;

/// Inputs smaller than this get no progress bar unless asked for.
const PROGRESS_MIN_BYTES: u64 = 64 << 20;

/// Diagnostics on stderr with the `deboil:` prefix; remembers whether any error was reported.
#[derive(Debug, Default)]
pub struct Messages {
    errored: AtomicBool,
    quiet: AtomicBool,
    /// `--progress`: a bar whatever the size or the terminal.
    progress: AtomicBool,
    bar: OnceLock<indicatif::ProgressBar>,
}

impl Messages {
    pub fn set_quiet(&self, yes: bool) {
        self.quiet.store(yes, Ordering::Relaxed);
    }

    pub fn set_progress(&self, yes: bool) {
        self.progress.store(yes, Ordering::Relaxed);
    }

    pub fn errored(&self) -> bool {
        self.errored.load(Ordering::Relaxed)
    }

    fn line(&self, m: &str) {
        let print = || {
            let _ = writeln!(io::stderr().lock(), "deboil: {m}");
        };
        match self.bar.get() {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }
}

impl Events for Messages {
    /// Report an error and remember it (exit status 1).
    fn error(&self, m: String) {
        self.errored.store(true, Ordering::Relaxed);
        self.line(&m);
    }

    /// Report a warning, unless --quiet.
    fn warn(&self, m: String) {
        if !self.quiet.load(Ordering::Relaxed) {
            self.line(&format!("warning: {m}"));
        }
    }

    /// Report a summary line, unless --quiet.
    fn note(&self, m: String) {
        if !self.quiet.load(Ordering::Relaxed) {
            self.line(&m);
        }
    }

    /// A progress bar with `--progress`, or when stderr is a terminal and
    /// the input is large (never with --quiet).
    fn start(&self, total: u64) {
        use std::io::IsTerminal;
        let quiet = self.quiet.load(Ordering::Relaxed);
        let show = self.progress.load(Ordering::Relaxed)
            || (!quiet && io::stderr().is_terminal() && total > PROGRESS_MIN_BYTES);
        if !show {
            return;
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let _ = self.bar.set(bar);
    }

    fn advance(&self, bytes: u64) {
        if let Some(bar) = self.bar.get() {
            bar.inc(bytes);
        }
    }

    fn end(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}
