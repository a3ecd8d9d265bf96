//! Hardening: every input and output path under bad input, bad arguments and
//! faults. Each test reproduces a way an earlier version lost, duplicated or
//! misreported data.

use std::path::Path;

use predicates::prelude::*;
use predicates::str::contains;

use crate::util::{deboil, jsonl_records};

const PAGE: &str = "A real paragraph of the article, with a full stop.\n\nAdvertisement\n\nAnother real paragraph that ends the story.\n";
const CLEAN: &str = "A real paragraph of the article, with a full stop.\n\nAnother real paragraph that ends the story.\n";

/// Every entry under `dir`, recursively, as paths relative to it, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

// JSONL records.

#[test]
fn a_lone_surrogate_escape_becomes_a_replacement_char_and_the_record_is_kept() {
    // What Python's json.dumps writes for a string holding a lone surrogate.
    let input = "{\"id\":1,\"text\":\"Fine \\ud800 text.\"}\n{\"id\":2,\"text\":\"Pair \\ud83d\\ude00 ok.\"}\n";
    let assert = deboil()
        .args(["--jsonl", "--stats"])
        .write_stdin(input)
        .assert()
        .success();
    let out = assert.get_output();
    let recs = jsonl_records(&out.stdout);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["text"], "Fine \u{fffd} text.\n");
    assert_eq!(recs[1]["text"], "Pair \u{1f600} ok.\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("-:1: escapes of lone UTF-16 surrogates, replaced with U+FFFD"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 records with lone surrogates"),
        "{stderr}"
    );
}

#[test]
fn of_two_text_fields_the_last_is_cleaned_and_written_once() {
    let input = "{\"text\":\"Old value.\",\"id\":1,\"text\":\"New value.\\nAdvertisement\"}\n";
    let assert = deboil()
        .arg("--jsonl")
        .write_stdin(input)
        .assert()
        .success();
    let out = assert.get_output();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"id\":1,\"text\":\"New value.\\n\"}\n"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("-:1: the field \"text\" appears 2 times")
    );
}

#[test]
fn blank_jsonl_lines_are_skipped_and_counted_not_errors() {
    let input = "{\"text\":\"One.\"}\n\n   \n{\"text\":\"Two.\"}\n\n";
    let assert = deboil()
        .args(["--jsonl", "--stats=-", "--stats-format", "json"])
        .write_stdin(input)
        .assert()
        .success();
    let out = assert.get_output();
    assert_eq!(jsonl_records(&out.stdout).len(), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("3 blank JSONL lines were skipped"),
        "{stderr}"
    );
    assert!(stderr.contains("\"blank_lines\":3"), "{stderr}");
    assert!(stderr.contains("\"malformed_lines\":0"), "{stderr}");
    // And scan agrees.
    let dir = tempfile::tempdir().unwrap();
    deboil()
        .args(["scan", "--jsonl", "-o"])
        .arg(dir.path().join("c.tsv"))
        .write_stdin(input)
        .assert()
        .success()
        .stderr(contains("0 malformed lines, 3 blank lines"));
}

#[test]
fn a_line_that_is_no_object_says_so() {
    deboil()
        .arg("--jsonl")
        .write_stdin("{\"text\":\"One.\"}\nhello world\n[1]\n")
        .assert()
        .code(1)
        .stderr(
            contains("-:2: not a JSON object: a record is one object per line, this line is no JSON (\"hello world\")")
                .and(contains("-:3: not a JSON object").and(contains("this line is an array")))
                .and(contains("expected ident").not()),
        );
}
