//! The dev pages, output pinned: every page of the evaluation sets in
//! `../shared/evalset` (zyte-dev, wcxb-dev and its w3m conversion: the pages
//! the real-page benchmark is built from) is cleaned with the default
//! pipeline, and a 64-bit hash of each output is compared with
//! `fixtures/corpus/SET.tsv` (`id`, hash of the cleaned text). A change made
//! for speed must leave every hash as it was; a change to cleaning shows
//! which pages it touched, and `BLESS=1 cargo test corpus` rewrites the
//! files (review the quality scores before committing them).
//!
//! Where `../shared/evalset` is missing (a checkout without the shared
//! material) the test says so and passes, unless `DEBOIL_REQUIRE_CORPUS` is
//! set.

use std::collections::BTreeMap;
use std::path::Path;

use deboil::PipelineBuilder;
use rayon::prelude::*;

use crate::util::root;

const SETS: [&str; 3] = ["zyte-dev", "wcxb-dev", "wcxb-dev.w3m"];

/// FNV-1a, 64 bits: stable across Rust versions and platforms.
fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// (id, text) of every record of a JSONL file, in order.
fn records(path: &Path) -> Vec<(String, String)> {
    let data = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    data.lines()
        .enumerate()
        .map(|(n, line)| {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), n + 1));
            let id = match &v["id"] {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let text = v["text"].as_str().unwrap_or_default().to_string();
            (id, text)
        })
        .collect()
}

#[test]
fn dev_pages_clean_to_their_pinned_hashes() {
    let evalset = root().join("../shared/evalset");
    if !evalset.is_dir() {
        assert!(
            std::env::var_os("DEBOIL_REQUIRE_CORPUS").is_none(),
            "{} is missing and DEBOIL_REQUIRE_CORPUS is set",
            evalset.display()
        );
        eprintln!("corpus: {} is missing; skipped", evalset.display());
        return;
    }
    let bless = std::env::var_os("BLESS").is_some();
    let pipeline = PipelineBuilder::new().build().unwrap();
    let mut failures = Vec::new();
    for set in SETS {
        let pages = records(&evalset.join(set).join("noisy.jsonl"));
        let got: Vec<(String, u64)> = pages
            .par_iter()
            .map(|(id, text)| (id.clone(), fnv64(pipeline.clean(text).text.as_bytes())))
            .collect();
        let pinned = root().join("fixtures/corpus").join(format!("{set}.tsv"));
        if bless {
            let mut out = String::from("id\tfnv64\n");
            for (id, h) in &got {
                out.push_str(&format!("{id}\t{h:016x}\n"));
            }
            std::fs::create_dir_all(pinned.parent().unwrap()).unwrap();
            std::fs::write(&pinned, out).unwrap();
        }
        let want: BTreeMap<String, String> = std::fs::read_to_string(&pinned)
            .unwrap_or_else(|e| panic!("{}: {e}", pinned.display()))
            .lines()
            .skip(1)
            .map(|row| {
                let (id, h) = row.split_once('\t').expect("id<TAB>hash");
                (id.to_string(), h.to_string())
            })
            .collect();
        assert_eq!(
            want.len(),
            got.len(),
            "{set}: pages and pinned hashes differ in number"
        );
        let changed: Vec<&str> = got
            .iter()
            .filter(|(id, h)| want.get(id) != Some(&format!("{h:016x}")))
            .map(|(id, _)| id.as_str())
            .collect();
        if !changed.is_empty() {
            failures.push(format!(
                "{set}: {} of {} pages clean differently: {}{}",
                changed.len(),
                got.len(),
                changed[..changed.len().min(20)].join(", "),
                if changed.len() > 20 { ", ..." } else { "" }
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
