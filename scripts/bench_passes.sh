#!/usr/bin/env bash
# Where the time goes: the passes switched on one at a time, in pipeline
# order (the floor, then the floor and the first pass, ...), deboil --jsonl
# -j1 on one pinned core over the bench slice of real pages, best of RUNS in
# one interleaved series; each row's cost is what its pass adds.
#
# usage: scripts/bench_passes.sh [RUNS]   (default 5)
# The slice: bench-data/real/corpus_perturbed.slice.jsonl (built if missing
# by ../shared/bench/make_corpus.py over the dev sets' pages).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
slice=bench-data/real/corpus_perturbed.slice.jsonl
if [ ! -s "$slice" ]; then
  python3 ../shared/bench/make_corpus.py bench-data/real ../shared/evalset/zyte-dev/noisy.jsonl \
    ../shared/evalset/wcxb-dev/noisy.jsonl --target-bytes 60000000 > /dev/null
fi
cargo build --release --locked -q
exec python3 - "$runs" "$slice" <<'EOF'
import subprocess, sys, time

runs, slice_path = int(sys.argv[1]), sys.argv[2]
bin = "target/release/deboil"
passes = [l.split("\t")[1] for l in subprocess.run([bin, "--list-rules"], capture_output=True, text=True, check=True).stdout.splitlines() if l.startswith("pass\t")]
steps = [("floor", passes)] + [(p, passes[k + 1:]) for k, p in enumerate(passes)]
best = [float("inf")] * len(steps)
for _ in range(runs):
    for k, (_, off) in enumerate(steps):
        cmd = ["taskset", "-c", "0", bin, "-j1", "-q", "--jsonl", slice_path]
        if off:
            cmd += ["--disable", ",".join(off)]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        best[k] = min(best[k], time.perf_counter() - t)
total = best[-1]
print(f"deboil --jsonl -j1, one pinned core, best of {runs}; all passes {total:.3f} s:")
for k, (name, _) in enumerate(steps):
    cost = best[k] - (best[k - 1] if k else 0)
    print(f"  {name:<16} {cost:7.3f} s  {100 * cost / total:5.1f}%")
EOF
