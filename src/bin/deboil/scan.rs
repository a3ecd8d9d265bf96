//! `deboil scan` and `deboil merge` over the library's [`deboil::scan`].

use anyhow::Result;
use deboil::scan::{self, ScanOptions};

use crate::args::{MergeArgs, ScanArgs};
use crate::msg::Messages;

pub fn scan(args: &ScanArgs, msg: &Messages) -> Result<()> {
    let opts = ScanOptions {
        paths: args.paths.clone(),
        jsonl: args.jsonl,
        text_field: args.text_field.clone(),
        url_field: args.url_field.clone(),
        threads: args.threads,
        max_line_bytes: args.max_line_bytes,
        max_doc_bytes: args.max_doc_bytes,
        on_error: args.on_error.into(),
    };
    let (counts, _) = scan::scan(&opts, msg)?;
    scan::write_counts(&counts, &args.output)
}

pub fn merge(args: &MergeArgs) -> Result<()> {
    scan::merge(&args.inputs, &args.output)
}
