//! Criterion benchmarks, reported as MB/s: segmentation, each pass alone, the
//! full pipeline, and a parallel batch. Inputs are the committed seed and rule
//! fixtures (`include_str!`); whole-binary timings on a large generated corpus
//! are in `scripts/bench.sh`.

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

criterion_group!(benches, bench);
criterion_main!(benches);
