//! `deboil score`: read gold and predicted JSONL, print the summary row.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use deboil::score::{DocScore, Summary};

use crate::args::ScoreArgs;

/// Read `{"id", "text"}` lines into (order of ids, id -> text).
fn read(path: &Path) -> Result<(Vec<String>, HashMap<String, String>)> {
    let file = std::fs::File::open(path).with_context(|| format!("{}: opening", path.display()))?;
    let (mut ids, mut texts) = (Vec::new(), HashMap::new());
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}: reading", path.display(), n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: bad JSON", path.display(), n + 1))?;
        let id = match &v["id"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => bail!("{}:{}: no \"id\" field", path.display(), n + 1),
            other => other.to_string(),
        };
        let text = v["text"].as_str().unwrap_or("").to_string();
        if texts.insert(id.clone(), text).is_none() {
            ids.push(id);
        }
    }
    Ok((ids, texts))
}

pub fn run(args: &ScoreArgs) -> Result<()> {
    let (ids, gold) = read(&args.gold)?;
    let (_, pred) = read(&args.pred)?;
    let missing = ids.iter().filter(|id| !pred.contains_key(*id)).count();
    let scores: Vec<DocScore> = ids
        .iter()
        .map(|id| DocScore::new(&gold[id], pred.get(id).map_or("", String::as_str)))
        .collect();
    let s = Summary::of(&scores);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "docs {}  P {:.3}  R {:.3}  F1 {:.3}  empty {}  missing {}",
        s.docs, s.precision, s.recall, s.f1, s.empty, missing
    )?;
    if let Some(path) = &args.per_doc {
        let mut rows: Vec<(f64, &String, &DocScore)> = ids
            .iter()
            .zip(&scores)
            .map(|(id, d)| {
                let (p, r) = (d.precision().unwrap_or(0.0), d.recall().unwrap_or(0.0));
                (
                    if p + r > 0.0 {
                        2.0 * p * r / (p + r)
                    } else {
                        0.0
                    },
                    id,
                    d,
                )
            })
            .collect();
        rows.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("{}: creating", path.display()))?,
        );
        for (f1, id, d) in rows {
            let rec = serde_json::json!({"id": id, "f1": f1, "precision": d.precision(), "recall": d.recall(),
                "tp": d.tp, "fp": d.fp, "fn": d.fn_});
            serde_json::to_writer(&mut w, &rec)?;
            writeln!(w)?;
        }
        w.flush()?;
    }
    Ok(())
}
