//! Write the line model's features of every record of a JSONL file, for
//! `train/train.py`: one JSON object a record, `{"id", "lines", "x"}`, with
//! the non-blank lines' texts and their features row by row (flat), each
//! the `f32` the binary computes (written in the fewest digits that give it
//! back), so that `train/parity.py` scores the lines as the binary does.
//!
//! ```text
//! cargo run --release --example dump_features -- IN.jsonl > OUT.jsonl
//! cargo run --release --example dump_features -- --names > train/feature-names.txt
//! ```

use std::io::{BufRead, BufWriter, Write};

use deboil::model::features::{self, Features, N_FEATURES};
use deboil::{Document, Marks, PassConfig, PipelineBuilder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: dump_features IN.jsonl | --names")?;
    if path == "--names" {
        println!("{}", features::names().join("\n"));
        return Ok(());
    }
    let passes: Vec<PassConfig> = PassConfig::defaults()
        .into_iter()
        .filter(|p| !matches!(p, PassConfig::Model { .. }))
        .collect();
    let pipeline = PipelineBuilder::new().passes(passes).build()?;
    let input = std::io::BufReader::new(std::fs::File::open(&path)?);
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut f = Features::default();
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        let rec: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| format!("{path}:{}: {e}", n + 1))?;
        let text = rec["text"].as_str().unwrap_or("");
        let doc = Document::parse(text);
        let mut marks = Marks::new(doc.lines().len());
        pipeline.mark(&doc, &mut marks);
        features::compute(&doc, &marks, &mut f);
        let lines: Vec<&str> = f.lines.iter().map(|&i| doc.line_text(i)).collect();
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({"id": rec["id"], "lines": lines, "x": f.values, "width": N_FEATURES}),
        )?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
