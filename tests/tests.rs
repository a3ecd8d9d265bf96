//! Integration tests, one binary (ripgrep's layout).

// Running the `deboil` binary: inputs, outputs, formats, exit codes.
mod cli;
// Hardening: nothing lost, nothing duplicated, bounded memory, faults and signals.
mod fuzz;
mod robust;
// The dev pages: every page's output pinned by hash.
mod corpus;
// Corpus formats: WET, Parquet, Dolma attributes.
mod formats;
// Golden fixtures under fixtures/: expected text and label verdicts.
mod golden;
// Invariants on generated input: subsequence, idempotence, thread independence.
mod props;
// Helpers shared by the modules above.
mod util;
