//! The `deboil` binary: argument parsing, wiring and exit codes. No text processing here.

mod args;
mod io;
mod msg;
mod run;
mod scan;
mod score;

use std::process::ExitCode;

use clap::Parser;
use deboil::job::Events;

/// Cleaning allocates per document (segmentation, marks, output) on every
/// worker thread; mimalloc's thread-local heaps make that about 25% faster end
/// to end than the system allocator (scripts/bench.sh). It is built without
/// transparent huge pages (`no_thp`): with them, each fresh 2 MiB of its heap
/// was cleared at first touch, which doubled peak RSS and, on virtual
/// machines, at times added a tenth of a second of kernel time per 100 MB.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = args::Args::parse();
    let msg = msg::Messages::default();
    match io::remove_temps_on_signals().and_then(|()| try_main(args, &msg)) {
        Ok(()) if msg.errored() => ExitCode::from(1),
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe on stdout (`deboil page.txt | head`) is not an error;
        // any other failed write is.
        Err(err) if io::is_stdout_closed(&err) => ExitCode::SUCCESS,
        Err(err) => {
            msg.error(format!("{err:#}"));
            ExitCode::from(2)
        }
    }
}

fn try_main(args: args::Args, msg: &msg::Messages) -> anyhow::Result<()> {
    match &args.command {
        Some(args::Command::Score(s)) => return score::run(s),
        Some(args::Command::Scan(s)) => return scan::scan(s, msg),
        Some(args::Command::Merge(m)) => return scan::merge(m),
        None => {}
    }
    let list = args.list_rules;
    let job = run::resolve(args, msg)?;
    if list {
        return list_rules(job.pipeline());
    }
    job.run(msg)?;
    Ok(())
}

fn list_rules(pipeline: &deboil::Pipeline) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = deboil::output::Output::stdout();
    writeln!(out, "# passes, in order")?;
    for name in pipeline.pass_names() {
        writeln!(out, "pass\t{name}")?;
    }
    writeln!(out, "# rules: id, kind, scope, max_chars, extend, pattern")?;
    for r in pipeline.rules().rules() {
        let max = r.max_chars.map_or("-".to_string(), |m| m.to_string());
        writeln!(
            out,
            "{}\t{}\t{:?}\t{}\t{:?}\t{}",
            r.id, r.kind, r.scope, max, r.extend, r.pattern
        )?;
    }
    out.finish()
}
