//! The properties the fuzz targets check, one function per target. The
//! targets (`fuzz_targets/`, nightly, cargo-fuzz) and the stable test
//! `tests/fuzz.rs` (which replays `fuzz/seeds/` and `fuzz/regressions/`)
//! share them: every input that once failed stays a test in `cargo test`.

#![allow(dead_code)]

use std::borrow::Cow;
use std::io::Read;
use std::sync::OnceLock;

use deboil::decode::{self, Encoding};
use deboil::jsonl::{self, Record};
use deboil::{Document, Pipeline, PipelineBuilder};
use serde_json::Value;

/// The JSONL record parser and rewriter agree with serde_json: a line that
/// serde_json reads as an object is a record; its text is serde_json's (the
/// last of repeated keys); written back with a new text, serde_json reads
/// the same object with only the text changed.
pub fn jsonl(data: &[u8]) {
    let line = String::from_utf8_lossy(data);
    let line = match jsonl::repair_lone_surrogates(&line) {
        Some(fixed) => Cow::Owned(fixed),
        None => line,
    };
    let value = serde_json::from_str::<Value>(&line).ok();
    let rec = match Record::parse(&line, "text") {
        Ok(rec) => rec,
        Err(e) => {
            assert!(
                !matches!(value, Some(Value::Object(_))),
                "serde_json reads an object that Record refuses: {e}"
            );
            return;
        }
    };
    let Some(Value::Object(obj)) = value else {
        return;
    };
    let text = rec.text().map(|t| t.as_ref());
    match obj.get("text") {
        Some(Value::String(s)) => assert_eq!(text, Some(s.as_str())),
        _ => assert_eq!(text, None),
    }
    let new = "new \"text\"\n\u{1}\u{2028}é";
    let mut out = Vec::new();
    rec.write_with(&mut out, new, Some(("spans", "[]")));
    assert_eq!(out.last(), Some(&b'\n'));
    let written: Value = serde_json::from_slice(&out).expect("a written record is JSON");
    let mut want = obj.clone();
    if text.is_some() {
        want.insert("text".into(), Value::String(new.into()));
    }
    want.insert("spans".into(), Value::Array(Vec::new()));
    assert_eq!(written, Value::Object(want));
}

/// Segmentation covers the text: lines in order, separated by exactly one
/// terminator of the text's kind, blank lines in no block, blocks maximal
/// runs of non-blank lines.
pub fn segment(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let doc = Document::parse(&text);
    let lines = doc.lines();
    let mut pos = 0;
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line.span.start, pos, "line {i} starts where the last ended");
        assert!(line.span.end <= text.len());
        let next = lines.get(i + 1).map_or(text.len(), |l| l.span.start);
        let term = &text[line.span.end..next];
        let last = i + 1 == lines.len();
        let allowed: &[&str] = match doc.eol() {
            "\r" => &["\r", ""],
            _ if last => &["\n", "\r\n", "\r", ""],
            _ => &["\n", "\r\n"],
        };
        assert!(
            allowed.contains(&term),
            "terminator {term:?} after line {i}"
        );
        assert!(
            !term.is_empty() || i + 1 == lines.len(),
            "only the last line lacks a terminator"
        );
        let blank = deboil::text::trim(&text[line.span.clone()]).is_empty();
        assert_eq!(line.is_blank(), blank, "line {i}");
        pos = next;
    }
    assert_eq!(pos, text.len());
    let mut covered = 0;
    for (b, block) in doc.blocks().iter().enumerate() {
        assert!(!block.lines.is_empty());
        assert!(block.lines.start >= covered);
        for l in block.lines.clone() {
            assert_eq!(lines[l].block, b);
        }
        // Maximal: the lines around it are blank or absent.
        if block.lines.start > 0 {
            assert!(lines[block.lines.start - 1].is_blank());
        }
        if let Some(after) = lines.get(block.lines.end) {
            assert!(after.is_blank());
        }
        covered = block.lines.end;
    }
}

/// Decoding never fails; valid UTF-8 that is not taken for UTF-16 comes back
/// unchanged, and a text without U+FFFD was decoded without loss.
pub fn decode(data: &[u8]) {
    let d = decode::decode(data.to_vec());
    if d.encoding == Encoding::Utf8 {
        assert_eq!(d.lossy, std::str::from_utf8(data).is_err());
        if !d.lossy {
            assert_eq!(d.text.as_bytes(), data);
        }
    }
    if !d.text.contains('\u{FFFD}') {
        assert!(!d.lossy);
    }
}

/// Decompression of any bytes ends, in data or an error, within the limit.
pub fn decompress(data: &[u8]) {
    const LIMIT: u64 = 1 << 20;
    let Ok(mut rdr) = decode::decompress(data) else {
        return;
    };
    let mut buf = Vec::new();
    match decode::read_limited(&mut rdr, LIMIT, &mut buf) {
        Ok(()) => assert!(buf.len() as u64 <= LIMIT),
        Err(_) => assert!(buf.len() as u64 <= LIMIT + (1 << 16)),
    }
    // Plain bytes pass through unchanged.
    if !data.starts_with(&[0x1f, 0x8b]) && !data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let mut all = Vec::new();
        decode::decompress(data)
            .unwrap()
            .read_to_end(&mut all)
            .unwrap();
        assert_eq!(all, data);
    }
}

fn pipeline(model: bool) -> &'static Pipeline {
    static WITH: OnceLock<Pipeline> = OnceLock::new();
    static WITHOUT: OnceLock<Pipeline> = OnceLock::new();
    let (cell, disabled): (_, &[&str]) = if model {
        (&WITH, &[])
    } else {
        (&WITHOUT, &["model"])
    };
    cell.get_or_init(|| {
        let mut b = PipelineBuilder::new();
        for d in disabled {
            b.disable(*d);
        }
        b.build().expect("the built-in rules build")
    })
}

/// Asserts that the non-blank lines of `out` are lines of `input`, in order.
fn assert_subsequence(input: &str, out: &str, what: &str) {
    let doc = Document::parse(input);
    let mut lines = doc.lines().iter().map(|l| &input[l.span.clone()]);
    let kept = Document::parse(out);
    for l in kept.lines().iter().filter(|l| !l.is_blank()) {
        let line = &out[l.span.clone()];
        assert!(
            lines.any(|i| i == line),
            "{what}: output line {line:?} is not an input line after the last one kept"
        );
    }
}

/// The whole pipeline: it never panics, its non-blank output lines are
/// input lines in input order, and cleaning its output again only removes
/// lines; without the line model, cleaning its output changes nothing.
pub fn pipeline_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let cleaned = pipeline(true).clean(&text);
    assert_subsequence(&text, &cleaned.text, "clean");
    let again = pipeline(true).clean(&cleaned.text);
    assert_subsequence(&cleaned.text, &again.text, "second clean");
    let rules = pipeline(false).clean(&text);
    assert_subsequence(&text, &rules.text, "clean without the model");
    let again = pipeline(false).clean(&rules.text);
    assert_eq!(
        again.text, rules.text,
        "cleaning without the model is idempotent"
    );
}
