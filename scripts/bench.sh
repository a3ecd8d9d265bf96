#!/usr/bin/env bash
# Whole-binary throughput, JSONL to JSONL, on a generated corpus (never committed).
# usage: scripts/bench.sh [MEGABYTES]   (default 200)
# Prints MB/s and peak RSS for deboil -j1 and -j2 (all passes), a floor (deboil
# with every pass disabled: JSON parse, segmentation, rewrite), the rules pass
# alone on the same records, and, on the same pages as plain text, the rules
# pass alone beside ripgrep running the same rule patterns with -v -f (if rg is
# installed).
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
all_passes=$($bin --list-rules | awk -F'\t' '$1 == "pass" {print $2}' | paste -sd, -)
run() { # name, command...
  local name=$1; shift
  local t0 t1 rss
  t0=$(date +%s.%N)
  rss=$( { /usr/bin/time -f '%M' "$@" > /dev/null; } 2>&1 | tail -n 1 )
  t1=$(date +%s.%N)
  python3 -c "import sys; s=$t1-$t0; print(f'{sys.argv[1]:<36} {s:7.2f} s  {$size/1e6/s:8.1f} MB/s  peak RSS {int(sys.argv[2])/1024:7.1f} MB')" "$name" "$rss"
}
# deboil reads and writes on its main thread while -j threads clean: the
# one-core runs are pinned to one CPU (and -j2 to two) so that they get what
# they claim. ripgrep is pinned the same way.
cpus() { # count: a taskset prefix for that many CPUs, if taskset exists
  if command -v taskset > /dev/null && [ "$(nproc)" -ge "$1" ]; then echo "taskset -c $(seq -s, 0 $(($1 - 1)))"; fi
}
one=$(cpus 1)
two=$(cpus 2)
echo "corpus: $corpus ($((size / 1000000)) MB), $(nproc) CPUs; one-core runs: ${one:-not pinned}"
run "deboil -j1 (jsonl -> jsonl)" $one $bin --jsonl -j1 "$corpus"
run "deboil -j2 (jsonl -> jsonl)" $two $bin --jsonl -j2 "$corpus"
run "floor: parse+rewrite -j1" $one $bin --jsonl -j1 --disable $all_passes "$corpus"
not_rules=$(echo "$all_passes" | tr , '\n' | grep -vx rules | paste -sd, -)
# The rules pass over the same records: its own cost is this run less the floor.
run "rules pass only -j1 (jsonl -> jsonl)" $one $bin --jsonl -j1 --disable "$not_rules" "$corpus"
# The pages as plain text, for the rule-list comparison with ripgrep.
text="$dir/corpus-${mb}MB.txt"
[ -s "$text" ] || python3 -c 'import json,sys; [sys.stdout.write(json.loads(l)["text"] + "\n\n") for l in open(sys.argv[1], encoding="utf-8")]' "$corpus" > "$text"
tsize=$(stat -c %s "$text")
# One file is one document: deboil holds the whole 190 MB text and its lines
# (over the default --max-doc-bytes, so the limit is raised).
size=$tsize run "deboil rules pass only (plain text)" $one $bin -j1 --max-doc-bytes 1G --disable "$not_rules" "$text"
if command -v rg > /dev/null; then
  # The same rule patterns, verbatim, with -v: print the lines no rule matches.
  $bin --list-rules | awk -F'\t' '$1 !~ /^#/ && $1 != "pass" {print $6}' > "$dir/patterns.txt"
  size=$tsize run "rg -v -f rules -j1 (plain text)" $one rg -j1 -v -f "$dir/patterns.txt" "$text"
fi
