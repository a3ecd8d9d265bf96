#!/usr/bin/env bash
# The corpus formats on the same real pages, in one interleaved series:
# JSONL -> JSONL (plain and gzip in), WET (.warc.wet.gz, a gzip member per
# record, as Common Crawl writes it) -> Parquet and -> JSONL, Parquet ->
# Parquet; then a streaming run of about 1 GB of WET text to Parquet, with
# its peak RSS (bounded memory).
#
# usage: scripts/bench_formats.sh [RUNS] [GB]   (defaults 5 and 1)
# The pages: the bench corpus of ../shared/bench/make_corpus.py over the dev
# sets' pages (bench-data/real/corpus.slice.jsonl, 24 MB; built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
gb=${2:-1}
dir=bench-data/formats
mkdir -p "$dir"
slice=bench-data/real/corpus.slice.jsonl
if [ ! -s "$slice" ]; then
  python3 ../shared/bench/make_corpus.py bench-data/real ../shared/evalset/zyte-dev/noisy.jsonl \
    ../shared/evalset/wcxb-dev/noisy.jsonl --target-bytes 60000000
fi
cargo build --release --locked -q
bin=target/release/deboil
all_passes=$($bin --list-rules | awk -F'\t' '$1 == "pass" {print $2}' | paste -sd, -)

# The same pages as WET (the slice's records repeated `copies` times), as
# gzip JSONL, and as Parquet (written by deboil with every pass disabled).
wet_of() { # copies, output
  python3 - "$slice" "$1" "$2" <<'EOF'
import gzip, json, sys
src, copies, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def rec(kind, n, uri, body):
    b = body.encode()
    head = (f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n"
            f"WARC-Date: 2024-02-20T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:{n:012d}>\r\n"
            f"WARC-Identified-Content-Language: eng\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(b)}\r\n\r\n").encode()
    return gzip.compress(head + b + b"\r\n\r\n", 1 if copies > 1 else 6)
docs = [json.loads(l) for l in open(src, encoding="utf-8")]
n = 0
with open(out, "wb") as f:
    f.write(rec("warcinfo", 0, "", "isPartOf: CC-MAIN-2024-10\r\n"))
    for _ in range(copies):
        for d in docs:
            n += 1
            f.write(rec("conversion", n, d.get("url") or f"https://x.example/{n}", d["text"]))
EOF
}
wet=$dir/CC-MAIN-2024-10-slice.warc.wet.gz
[ -s "$wet" ] || wet_of 1 "$wet"
[ -s "$dir/slice.jsonl.gz" ] || gzip -6 -c "$slice" > "$dir/slice.jsonl.gz"
[ -s "$dir/slice.parquet" ] || $bin --jsonl -q --disable "$all_passes" "$slice" -o "$dir/slice.parquet"

one=""
if command -v taskset > /dev/null; then one="taskset -c 0"; fi
declare -A best
time_it() { # name, command...
  local name=$1; shift
  local t0 t1 s
  t0=$(date +%s.%N)
  "$@" > /dev/null
  t1=$(date +%s.%N)
  s=$(python3 -c "print($t1 - $t0)")
  if [ -z "${best[$name]:-}" ] || python3 -c "import sys; sys.exit(0 if $s < ${best[$name]} else 1)"; then
    best[$name]=$s
  fi
}
names=("jsonl -> jsonl" "jsonl.gz -> jsonl" "wet.gz -> parquet" "wet.gz -> jsonl" "parquet -> parquet")
for ((r = 0; r < runs; r++)); do
  time_it "${names[0]}" $one $bin -j1 -q --jsonl "$slice"
  time_it "${names[1]}" $one $bin -j1 -q --jsonl "$dir/slice.jsonl.gz"
  time_it "${names[2]}" $one $bin -j1 -q "$wet" -o "$dir/out.parquet"
  time_it "${names[3]}" $one $bin -j1 -q "$wet"
  time_it "${names[4]}" $one $bin -j1 -q "$dir/slice.parquet" -o "$dir/out2.parquet"
done
base=${best["jsonl -> jsonl"]}
echo "one pinned core, -j1, best of $runs interleaved runs, $(stat -c %s "$slice") bytes of JSONL pages:"
for n in "${names[@]}"; do
  python3 -c "import sys; t=float(sys.argv[2]); print(f'  {sys.argv[1]:<20} {t:6.3f} s   {float(sys.argv[3]) / t:5.2f} of jsonl -> jsonl')" "$n" "${best[$n]}" "$base"
done

# About `gb` GB of WET text, streamed to Parquet with every CPU.
copies=$(python3 -c "import os; print(max(1, round($gb * 1e9 / os.path.getsize('$slice'))))")
big=$dir/CC-MAIN-2024-10-big.warc.wet.gz
[ -s "$big" ] || wet_of "$copies" "$big"
t0=$(date +%s.%N)
rss=$( { /usr/bin/time -f '%M' $bin -q "$big" -o "$dir/big.parquet" > /dev/null; } 2>&1 | tail -n 1 )
t1=$(date +%s.%N)
python3 -c "import sys; s=$t1-$t0; b=$copies*$(stat -c %s "$slice"); print(f'streaming: {b/1e9:.2f} GB of pages as WET ({$(stat -c %s "$big")/1e9:.2f} GB gzip) -> Parquet ({$(stat -c %s "$dir/big.parquet")/1e9:.2f} GB), {$(nproc)} CPUs: {s:.1f} s, {b/1e6/s:.0f} MB/s, peak RSS {int(sys.argv[1])/1024:.0f} MB')" "$rss"
