//! Explanations: one record per line verdict, as TSV or JSON Lines.
//!
//! # Format
//!
//! ## TSV
//!
//! A header, then one row per non-blank input line, kept or dropped, columns
//! separated by one tab (shown here as spaces):
//!
//! ```text
//! doc  line  verdict  pass  rule  kind  score  text
//! page.txt  9  drop  rules  ad.story-continues  ad  0.250  Advertisement - story continues below
//! page.txt  11  keep  -  -  content  3.875  ISIS has also been locked in combat …
//! ```
//!
//! `score` is the line model's score, the log-odds that the line is content
//! (with the balanced preset's offset; before the decoder, which also lifts
//! the prose lines every pass kept, moves the page's threshold by the page
//! fit and weighs the lines around it), or `-` when the model did not run
//! (it leaves snippets alone: fewer than 8 non-blank lines or 25 words of
//! prose). A line a rule pass dropped is that rule's to decide: the trees do
//! not score it, and its score is the model's constant for such lines
//! ([`Model::forced_score`](crate::model::Model::forced_score), 0.25 with the
//! embedded model). A line the model
//! drops on its own has the rule `model.boilerplate`; one an earlier pass
//! dropped keeps that pass's rule.
//!
//! `text` is the line with tabs, carriage returns and newlines escaped as `\t`,
//! `\r` and `\n`, and backslashes as `\\`.
//!
//! ## Wire format (JSONL)
//!
//! One object per line, in the envelope `{"type": ..., "data": ...}`: a `drop`
//! record per dropped line, then one `doc` record closing each document.
//!
//! ```text
//! {"type":"drop","data":{"doc":"page.txt","line":9,"start":812,"end":849,"pass":"rules","rule":"ad.story-continues","kind":"ad","score":0.25,"text":"Advertisement - story continues below"}}
//! {"type":"doc","data":{"doc":"page.txt","lines_in":19,"lines_dropped":6,"bytes_in":5021,"bytes_out":4203,"threshold":-0.412}}
//! ```
//!
//! `threshold` is the score at which the line model's decoder starts to lean
//! to content on this page: the negative of the bias it added to every
//! score (the `--favor` preset's and the page fit's). A line scoring above it
//! is kept unless its neighbours outweigh it, and a prose line every pass
//! kept gets the prose bonus on top; `null` when the model did not decide
//! the page (a snippet).

use std::io::{self, Write};

use serde_json::json;

use crate::pipeline::Cleaned;

/// Output format of explanations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExplainFormat {
    /// Tab-separated values with a header row.
    #[default]
    Tsv,
    /// JSON Lines in the `{"type", "data"}` envelope.
    Jsonl,
}

/// Writes explanations for a sequence of documents.
#[derive(Debug)]
pub struct ExplainWriter<W> {
    wtr: W,
    format: ExplainFormat,
    header_done: bool,
}

impl<W: Write> ExplainWriter<W> {
    /// A writer of `format` into `wtr`.
    pub fn new(wtr: W, format: ExplainFormat) -> ExplainWriter<W> {
        ExplainWriter {
            wtr,
            format,
            header_done: false,
        }
    }

    /// Whether the TSV header row is still to be written (a writer whose
    /// output is appended to another's says no). Default: yes.
    pub fn header(&mut self, yes: bool) -> &mut Self {
        self.header_done = !yes;
        self
    }

    /// Write the TSV header row now (for writers whose rows come from elsewhere).
    pub fn write_header(&mut self) -> io::Result<()> {
        if self.format == ExplainFormat::Tsv && !self.header_done {
            writeln!(
                self.wtr,
                "doc\tline\tverdict\tpass\trule\tkind\tscore\ttext"
            )?;
            self.header_done = true;
        }
        Ok(())
    }

    /// Write the records of one document; `input` is the text it was cleaned from.
    pub fn write(&mut self, doc: &str, input: &str, cleaned: &Cleaned) -> io::Result<()> {
        match self.format {
            ExplainFormat::Tsv => self.write_tsv(doc, input, cleaned),
            ExplainFormat::Jsonl => self.write_jsonl(doc, input, cleaned),
        }
    }

    fn write_tsv(&mut self, doc: &str, input: &str, cleaned: &Cleaned) -> io::Result<()> {
        self.write_header()?;
        let doc = escape(doc);
        for d in &cleaned.decisions {
            let text = escape(&input[d.span.clone()]);
            let score = Score(d.score);
            match &d.reason {
                Some(r) => writeln!(
                    self.wtr,
                    "{doc}\t{}\tdrop\t{}\t{}\t{}\t{score}\t{text}",
                    d.line, r.pass, r.rule, r.kind
                )?,
                None => writeln!(
                    self.wtr,
                    "{doc}\t{}\tkeep\t-\t-\tcontent\t{score}\t{text}",
                    d.line
                )?,
            }
        }
        Ok(())
    }

    fn write_jsonl(&mut self, doc: &str, input: &str, cleaned: &Cleaned) -> io::Result<()> {
        for d in cleaned.dropped() {
            let Some(r) = &d.reason else { continue };
            let rec = json!({"type": "drop", "data": {
                "doc": doc, "line": d.line, "start": d.span.start, "end": d.span.end,
                "pass": r.pass, "rule": &*r.rule, "kind": r.kind,
                "score": d.score.map(|s| (f64::from(s) * 1000.0).round() / 1000.0),
                "text": &input[d.span.clone()],
            }});
            serde_json::to_writer(&mut self.wtr, &rec)?;
            self.wtr.write_all(b"\n")?;
        }
        let s = &cleaned.stats;
        let rec = json!({"type": "doc", "data": {
            "doc": doc, "lines_in": s.lines_in, "lines_dropped": s.lines_dropped,
            "bytes_in": s.bytes_in, "bytes_out": s.bytes_out,
            "threshold": cleaned.threshold.map(|t| (t * 1000.0).round() / 1000.0),
        }});
        serde_json::to_writer(&mut self.wtr, &rec)?;
        self.wtr.write_all(b"\n")
    }

    /// Flush and return the inner writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.wtr.flush()?;
        Ok(self.wtr)
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out
}

/// The line model's score as `--explain` writes it: three decimals, `-`
/// when the model did not run.
struct Score(Option<f32>);

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(s) => write!(f, "{s:.3}"),
            None => f.write_str("-"),
        }
    }
}

/// Append to `out` the Dolma attributes line of document `id`: `{"id": …,
/// "attributes": {"deboil__KIND": [[start, end, score], …], …}}`, one span
/// per dropped line (terminator excluded) under its kind (`-` written `_`),
/// offsets in code points of `text` as Dolma counts them. The score is 1
/// for a rule pass's drop and, for the line model's (kind `low-content`),
/// its probability that the line is boilerplate.
///
/// ```
/// use deboil::PipelineBuilder;
///
/// let mut b = PipelineBuilder::new();
/// b.decisions(true);
/// let page = "Ça commence ici, un vrai paragraphe.\n\nAdvertisement\n";
/// let cleaned = b.build()?.clean(page);
/// let mut line = Vec::new();
/// deboil::explain::write_dolma_attributes(&mut line, "doc-1", page, &cleaned);
/// let v: serde_json::Value = serde_json::from_slice(&line)?;
/// assert_eq!(v["attributes"]["deboil__ad"], serde_json::json!([[38, 51, 1.0]]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_dolma_attributes(out: &mut Vec<u8>, id: &str, text: &str, cleaned: &Cleaned) {
    let mut by_kind: Vec<(String, Vec<serde_json::Value>)> = Vec::new();
    // Spans come in text order: code points are counted once, onwards.
    let (mut byte, mut chars) = (0usize, 0usize);
    let mut to_chars = |at: usize| {
        chars += text[byte..at].chars().count();
        byte = at;
        chars
    };
    for d in cleaned.dropped() {
        let Some(r) = &d.reason else { continue };
        let start = to_chars(d.span.start);
        let end = to_chars(d.span.end);
        // A low-content drop is the line model's (or, where the model did
        // not run, the classifier's) verdict on the page's regions; the
        // others are a rule pass's, whatever score `--explain` shows them.
        let score = match (r.kind, d.score) {
            (crate::Kind::LowContent, Some(s)) => 1.0 / (1.0 + f64::from(s).exp()),
            _ => 1.0,
        };
        let score = (score * 1e4).round() / 1e4;
        let name = format!("deboil__{}", r.kind.to_string().replace('-', "_"));
        let span = json!([start, end, score]);
        match by_kind.iter_mut().find(|(k, _)| *k == name) {
            Some((_, spans)) => spans.push(span),
            None => by_kind.push((name, vec![span])),
        }
    }
    let attributes: serde_json::Map<String, serde_json::Value> = by_kind
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::Array(v)))
        .collect();
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &json!({"id": id, "attributes": attributes}));
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PipelineBuilder;

    #[test]
    fn tsv_has_a_row_per_non_blank_line() {
        let input = "Body\ttext.\n\nAdvertisement\n";
        let cleaned = PipelineBuilder::new().build().unwrap().clean(input);
        let mut w = ExplainWriter::new(Vec::new(), ExplainFormat::Tsv);
        w.write("d", input, &cleaned).unwrap();
        let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows.len(), 3);
        let cols = |k: usize| -> Vec<&str> { rows[k].split('\t').collect() };
        let (keep, drop) = (cols(1), cols(2));
        assert_eq!(keep[..6], ["d", "1", "keep", "-", "-", "content"]);
        assert_eq!(keep[7], "Body\\ttext.");
        assert_eq!(drop[..6], ["d", "3", "drop", "rules", "ad.label", "ad"]);
        assert_eq!(drop[7], "Advertisement");
        // A snippet: the model does not score it.
        assert_eq!((keep[6], drop[6]), ("-", "-"));
    }

    #[test]
    fn tsv_has_the_model_score_of_every_line_of_a_page() {
        let input = include_str!("../fixtures/pages/whole-page-news.txt");
        let cleaned = PipelineBuilder::new().build().unwrap().clean(input);
        let mut w = ExplainWriter::new(Vec::new(), ExplainFormat::Tsv);
        w.write("d", input, &cleaned).unwrap();
        let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let rows: Vec<&str> = out.lines().skip(1).collect();
        assert!(rows.len() > 20);
        let mut by_rules = 0;
        let forced = format!("{:.3}", crate::model::embedded().forced_score());
        for row in rows {
            let cols: Vec<&str> = row.split('\t').collect();
            let score = cols[6];
            assert!(
                score.parse::<f32>().is_ok() && score.split('.').nth(1).unwrap().len() == 3,
                "{row}"
            );
            // A line a rule pass dropped is its rule's: the trees do not
            // score it, and it shows the model's constant.
            if cols[3] == "rules" {
                by_rules += 1;
                assert_eq!(score, forced, "{row}");
            }
        }
        assert!(by_rules > 0);
    }

    #[test]
    fn jsonl_has_drop_and_doc_records() {
        let input = "Body.\n\nAdvertisement\n";
        let cleaned = PipelineBuilder::new().build().unwrap().clean(input);
        let mut w = ExplainWriter::new(Vec::new(), ExplainFormat::Jsonl);
        w.write("d", input, &cleaned).unwrap();
        let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let recs: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0]["type"], "drop");
        assert_eq!(recs[0]["data"]["kind"], "ad");
        assert_eq!(recs[0]["data"]["start"], 7);
        assert_eq!(recs[1]["type"], "doc");
        assert_eq!(recs[1]["data"]["lines_dropped"], 1);
        // A snippet: the model did not decide it.
        assert!(recs[1]["data"]["threshold"].is_null());
    }

    /// The `doc` record's threshold for `input` cleaned with `favor`.
    fn threshold(input: &str, favor: crate::model::Favor) -> f64 {
        let cleaned = PipelineBuilder::new()
            .favor(favor)
            .build()
            .unwrap()
            .clean(input);
        let mut w = ExplainWriter::new(Vec::new(), ExplainFormat::Jsonl);
        w.write("d", input, &cleaned).unwrap();
        let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let doc: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
        assert_eq!(doc["type"], "doc");
        doc["data"]["threshold"].as_f64().unwrap()
    }

    #[test]
    fn the_doc_record_has_the_page_threshold_the_favor_preset_moves() {
        use crate::model::Favor;
        // The page fit sets a page's threshold; the presets move it by their
        // bias, one either way with the embedded model.
        let input = include_str!("../fixtures/pages/whole-page-news.txt");
        let balanced = threshold(input, Favor::Balanced);
        assert!(balanced.abs() <= 1.0 + 1e-9, "{balanced}");
        let model = crate::model::embedded();
        for favor in [Favor::Precision, Favor::Recall] {
            let moved = balanced + model.bias(Favor::Balanced) - model.bias(favor);
            assert!((threshold(input, favor) - moved).abs() < 2e-3, "{favor:?}");
        }
        assert!(threshold(input, Favor::Precision) > balanced);
        assert!(threshold(input, Favor::Recall) < balanced);
    }
}
