//! The binary's side of files: a closed standard output, and the removal of
//! temporary files on signals.

use std::io::{self, Write};

use anyhow::{Context, Result};

/// True when `err` comes from a closed standard output.
pub fn is_stdout_closed(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.is::<StdoutClosed>()
            || e.downcast_ref::<io::Error>()
                .and_then(|e| e.get_ref())
                .is_some_and(|inner| inner.is::<StdoutClosed>())
    })
}

/// Start a thread that, on SIGINT, SIGTERM or SIGHUP, removes every
/// temporary output file and exits with 128 + the signal's number, as a
/// shell reports a process killed by it. (SIGKILL cannot be caught: after it,
/// temporary files named `.NAME.deboil-tmp-PID` may remain; no incomplete
/// file is ever under a final name.)
#[cfg(unix)]
pub fn remove_temps_on_signals() -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
        .context("installing signal handlers")?;
    std::thread::Builder::new()
        .name("deboil-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                // Held until exit: no new temporary file is created after this.
                let _held = deboil::output::remove_temps();
                let _ = writeln!(
                    io::stderr().lock(),
                    "deboil: interrupted by signal {sig}; temporary files removed, no output was finished after it"
                );
                std::process::exit(128 + sig);
            }
        })
        .context("starting the signal thread")?;
    Ok(())
}

#[cfg(not(unix))]
pub fn remove_temps_on_signals() -> Result<()> {
    Ok(())
}

use deboil::output::StdoutClosed;
