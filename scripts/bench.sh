#!/usr/bin/env bash
# Whole-binary throughput, JSONL to JSONL, on a generated corpus (never committed).
# usage: scripts/bench.sh [MEGABYTES]   (default 200)
# Prints MB/s for deboil -j1 and -j2, a parse+rewrite floor (deboil with every
# pass disabled), ripgrep running the rule patterns with -v -f (if rg is
# installed), and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-200}
dir=bench-data
mkdir -p "$dir"
corpus="$dir/corpus-${mb}MB.jsonl"
[ -s "$corpus" ] || python3 scripts/gen_corpus.py "$corpus" "$mb"
cargo build --release --locked -q
bin=target/release/deboil
size=$(stat -c %s "$corpus")
all_passes=rules,ui-run,caption-tag,headline-list,repeat,classifier
run() { # name, command...
  local name=$1; shift
  local t0 t1 rss
  t0=$(date +%s.%N)
  rss=$( { /usr/bin/time -f '%M' "$@" > /dev/null; } 2>&1 | tail -n 1 )
  t1=$(date +%s.%N)
  python3 -c "import sys; s=$t1-$t0; print(f'{sys.argv[1]:<34} {s:7.2f} s  {$size/1e6/s:8.1f} MB/s  peak RSS {int(sys.argv[2])/1024:7.1f} MB')" "$name" "$rss"
}
echo "corpus: $corpus ($((size / 1000000)) MB), $(nproc) CPUs"
run "deboil -j1 (jsonl -> jsonl)" $bin --jsonl -j1 "$corpus"
run "deboil -j2 (jsonl -> jsonl)" $bin --jsonl -j2 "$corpus"
run "floor: parse+rewrite -j1" $bin --jsonl -j1 --disable $all_passes "$corpus"
if command -v rg > /dev/null; then
  $bin --list-rules | awk -F'\t' '$1 !~ /^#/ && $1 != "pass" {print $6}' | sed 's/(?-u:\\b)/\\b/g' > "$dir/patterns.txt"
  run "rg -v -f rules -j1" rg -j1 -v -f "$dir/patterns.txt" "$corpus"
fi
