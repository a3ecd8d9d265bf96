//! Arguments into the library's job: [`resolve`] is the one place they
//! become [`PipelineOptions`] and [`JobOptions`].

use anyhow::Result;
use deboil::job::{Job, JobOptions, PipelineOptions};

use crate::args::Args;
use crate::msg::Messages;

/// Plan the job the arguments ask for.
pub fn resolve(args: Args, msg: &Messages) -> Result<Job> {
    msg.set_quiet(args.quiet);
    msg.set_progress(args.progress);
    let pipeline = PipelineOptions {
        rule_files: args.rule_files,
        favor: args.favor.into(),
        disable: args.disable,
        counts: args.counts,
        min_docs: args.min_docs,
    };
    let opts = JobOptions {
        paths: args.paths,
        output: args.output,
        out_dir: args.out_dir,
        explain: args.explain,
        explain_format: args.explain_format.into(),
        attributes: args.attributes,
        stats: args.stats,
        stats_format: args.stats_format.into(),
        jsonl: args.jsonl,
        input_format: args.input_format.into(),
        format: args.format.map(Into::into),
        text_field: args.text_field,
        id_field: args.id_field,
        url_field: args.url_field,
        spans_field: args.spans_field,
        annotate: args.annotate,
        on_error: args.on_error.into(),
        threads: args.threads,
        max_doc_bytes: args.max_doc_bytes,
        max_line_bytes: args.max_line_bytes,
    };
    Job::plan(pipeline.builder()?, opts, msg)
}
