//! Criterion benchmarks, reported as MB/s: segmentation, each pass alone, the
//! full pipeline, and a parallel batch, on the committed seed and rule
//! fixtures (`include_str!`); then the same on real pages (groups `real-*`):
//! the dev sets' whole-page texts, 200 pages of each of
//! `../shared/evalset/zyte-dev/noisy.jsonl` and `wcxb-dev/noisy.jsonl` (or
//! the JSONL files named by `DEBOIL_BENCH_PAGES`, colon-separated), each
//! pass alone and the passes up to each one (what each adds to the
//! pipeline). Whole-binary timings are in `scripts/bench.sh`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use deboil::{Document, PassConfig, PipelineBuilder};
use rayon::prelude::*;

const DOCS: &[&str] = &[
    include_str!("../fixtures/seeds/000_cb07e14a5c4c7b8b.txt"),
    include_str!("../fixtures/seeds/001_986ed07ce0cea2d6.txt"),
    include_str!("../fixtures/seeds/002_05bd5ced44f45a76.txt"),
    include_str!("../fixtures/rules/comment-form.txt"),
    include_str!("../fixtures/rules/photo-credits.txt"),
    include_str!("../fixtures/rules/related-headlines.txt"),
    include_str!("../fixtures/rules/share-widget-run.txt"),
    include_str!("../fixtures/rules/trending-heading.txt"),
];

fn corpus() -> String {
    DOCS.join("\n\n")
}

fn bench(c: &mut Criterion) {
    let text = corpus();
    let bytes = text.len() as u64;

    let mut g = c.benchmark_group("segmentation");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("document-parse", |b| {
        b.iter(|| Document::parse(&text).lines().len())
    });
    g.finish();

    let mut g = c.benchmark_group("pass");
    g.throughput(Throughput::Bytes(bytes));
    for pass in PassConfig::defaults() {
        let pipeline = PipelineBuilder::new()
            .passes(vec![pass.clone()])
            .build()
            .unwrap();
        g.bench_function(pass.name(), |b| b.iter(|| pipeline.clean(&text).text.len()));
    }
    g.finish();

    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Bytes(bytes));
    let pipeline = PipelineBuilder::new().build().unwrap();
    g.bench_function("default", |b| b.iter(|| pipeline.clean(&text).text.len()));
    g.finish();

    let batch: Vec<&str> = DOCS.iter().copied().cycle().take(512).collect();
    let batch_bytes: u64 = batch.iter().map(|d| d.len() as u64).sum();
    let mut g = c.benchmark_group("batch");
    g.throughput(Throughput::Bytes(batch_bytes));
    g.bench_function("sequential", |b| {
        b.iter(|| {
            batch
                .iter()
                .map(|d| pipeline.clean(d).text.len())
                .sum::<usize>()
        })
    });
    g.bench_function("parallel", |b| {
        b.iter(|| {
            batch
                .par_iter()
                .map_init(|| pipeline.clone(), |p, d| p.clean(d).text.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

/// Up to 200 pages of each JSONL file of real pages, in file order.
fn real_pages() -> Vec<String> {
    let files = std::env::var("DEBOIL_BENCH_PAGES").unwrap_or_else(|_| {
        "../shared/evalset/zyte-dev/noisy.jsonl:../shared/evalset/wcxb-dev/noisy.jsonl".into()
    });
    let mut pages = Vec::new();
    for f in files.split(':') {
        let Ok(text) = std::fs::read_to_string(f) else {
            eprintln!("real pages: {f} not found; skipped");
            continue;
        };
        for line in text.lines().take(200) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                && let Some(t) = v["text"].as_str()
            {
                pages.push(t.to_string());
            }
        }
    }
    pages
}

fn bench_real(c: &mut Criterion) {
    let pages = real_pages();
    if pages.is_empty() {
        return;
    }
    let bytes: u64 = pages.iter().map(|p| p.len() as u64).sum();
    let clean_all =
        |p: &deboil::Pipeline| pages.iter().map(|d| p.clean(d).text.len()).sum::<usize>();
    let mut g = c.benchmark_group("real-segmentation");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("document-parse", |b| {
        b.iter(|| {
            pages
                .iter()
                .map(|d| Document::parse(d).lines().len())
                .sum::<usize>()
        })
    });
    g.finish();
    let passes = PassConfig::defaults();
    let mut g = c.benchmark_group("real-pass");
    g.throughput(Throughput::Bytes(bytes));
    for pass in &passes {
        let pipeline = PipelineBuilder::new()
            .passes(vec![pass.clone()])
            .build()
            .unwrap();
        g.bench_function(pass.name(), |b| b.iter(|| clean_all(&pipeline)));
    }
    g.finish();
    let mut g = c.benchmark_group("real-up-to");
    g.throughput(Throughput::Bytes(bytes));
    for k in 1..=passes.len() {
        let pipeline = PipelineBuilder::new()
            .passes(passes[..k].to_vec())
            .build()
            .unwrap();
        g.bench_function(passes[k - 1].name(), |b| b.iter(|| clean_all(&pipeline)));
    }
    g.finish();
}

criterion_group!(benches, bench, bench_real);
criterion_main!(benches);
