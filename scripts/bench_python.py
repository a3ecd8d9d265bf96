#!/usr/bin/env python3
"""The Python package against the command line on the same records, in one
interleaved series: `deboil --jsonl` on the bench slice (JSONL to JSONL),
`Cleaner.clean_batch` on its texts and `Cleaner.clean_arrow` on them as an
Arrow array, with 1 and 2 threads, best of RUNS.

usage: PYTHON scripts/bench_python.py [RUNS]   (PYTHON: one with the wheel
installed, e.g. target/python-test-venv/bin/python after scripts/test.sh)
The slice: bench-data/real/corpus.slice.jsonl (scripts/bench_formats.sh
builds it).
"""
import json
import subprocess
import sys
import time

import pyarrow as pa

import deboil

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
slice_path = "bench-data/real/corpus.slice.jsonl"
binary = "target/release/deboil"
raw = [json.loads(line)["text"] for line in open(slice_path, encoding="utf-8")]
size = sum(len(t.encode()) for t in raw)


def fresh():
    # A str caches its UTF-8 form once asked for it: new objects each run.
    return [(t + " ")[:-1] for t in raw]


def cli(threads):
    subprocess.run([binary, "--jsonl", "-q", f"-j{threads}", slice_path], check=True, stdout=subprocess.DEVNULL)


cleaners = {n: deboil.Cleaner(threads=n) for n in (1, 2)}


def batch(threads):
    cleaners[threads].clean_batch(fresh())


def arrow(threads):
    cleaners[threads].clean_arrow(pa.array(fresh()))


cases = [(f"{name} -j{n}", fn, n) for n in (1, 2) for name, fn in (("deboil --jsonl", cli), ("clean_batch", batch), ("clean_arrow", arrow))]
best = {name: float("inf") for name, _, _ in cases}
for _ in range(runs):
    for name, fn, n in cases:
        t = time.perf_counter()
        fn(n)
        best[name] = min(best[name], time.perf_counter() - t)
print(f"{len(raw)} records, {size / 1e6:.1f} MB of text, best of {runs} interleaved runs:")
for name, _, n in cases:
    base = best[f"deboil --jsonl -j{n}"]
    print(f"  {name:<22} {best[name]:6.3f} s  {size / 1e6 / best[name]:6.1f} MB/s  {base / best[name]:5.2f}x the CLI")
