#!/usr/bin/env bash
# Whole-binary speed on real pages, in one interleaved series.
#
# usage: scripts/bench.sh [RUNS] [TARGET_BYTES]   (defaults 5 and 60000000)
#
# The corpus: ../shared/bench/make_corpus.py over the dev sets' pages
# (zyte-dev and wcxb-dev noisy.jsonl: news, forums, products, listings,
# documentation, service pages as whole-page text), repeated to about
# TARGET_BYTES with 10% of the lines of each copy perturbed
# (corpus_perturbed.jsonl), the same text for ripgrep (a page a paragraph),
# and its pages one per file (files/). Built into bench-data/real if missing.
#
# Rows: deboil --jsonl -j1 (one pinned core) and -j2 (two); the floor (every
# pass disabled: JSON parse, segmentation, rewrite); the rules pass alone;
# ripgrep 13 with the 158-rule list ../shared/bench/patterns.txt
# (`rg -i -v -f`) and with deboil's own rule patterns, on the same text;
# --out-dir over the files against `rg -j1` over them, and --out-dir with
# every pass disabled (what writing and syncing the files costs); short records
# (one to four sentences each) against their floor. Best of RUNS; then the
# ratios that the speed targets name. Needs ripgrep (apt-get install ripgrep).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
target=${2:-60000000}
dir=bench-data/real
if [ ! -s "$dir/corpus_perturbed.jsonl" ] || [ ! -d "$dir/files" ]; then
  python3 ../shared/bench/make_corpus.py "$dir" ../shared/evalset/zyte-dev/noisy.jsonl \
    ../shared/evalset/wcxb-dev/noisy.jsonl --target-bytes "$target" > /dev/null
fi
cargo build --release --locked -q
exec python3 - "$runs" "$dir" <<'EOF'
import json, os, random, shutil, subprocess, sys, time

runs, d = int(sys.argv[1]), sys.argv[2]
bin = "target/release/deboil"
jsonl = f"{d}/corpus_perturbed.jsonl"
text = f"{d}/corpus_perturbed.txt"
short = f"{d}/short.jsonl"
if not os.path.exists(text):
    with open(jsonl, encoding="utf-8") as f, open(text, "w", encoding="utf-8") as out:
        for line in f:
            out.write(json.loads(line)["text"] + "\n")
if not os.path.exists(short):
    # 200,000 records of one to four sentences (of 20 to 80 chars, cut
    # from the pages' prose), one paragraph each: documents so short that
    # what each costs beyond its bytes shows.
    import re
    rng = random.Random(7)
    sentences = []
    for l in open(text, encoding="utf-8"):
        for s in re.split(r"(?<=[.!?])\s+", l.strip()):
            if 20 <= len(s) <= 80 and s[-1] in ".!?":
                sentences.append(s)
        if len(sentences) >= 100000:
            break
    with open(short, "w", encoding="utf-8") as out:
        for i in range(200000):
            body = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 4)))
            out.write(json.dumps({"id": i, "text": body}, ensure_ascii=False) + "\n")
passes = [l.split("\t")[1] for l in subprocess.run([bin, "--list-rules"], capture_output=True, text=True, check=True).stdout.splitlines() if l.startswith("pass\t")]
own = f"{d}/own-patterns.txt"
with open(own, "w") as f:
    for l in subprocess.run([bin, "--list-rules"], capture_output=True, text=True, check=True).stdout.splitlines():
        if not l.startswith("#") and not l.startswith("pass\t"):
            f.write(l.split("\t")[5] + "\n")
one, two = ["taskset", "-c", "0"], ["taskset", "-c", "0,1"]
# --out-dir writes each run into a fresh directory, all removed after the
# series, on tmpfs (/dev/shm) where there is one: on ext4, creating
# thousands of files where as many were just deleted (the last run's output,
# or /tmp's churn) makes the inode allocator step over every recently
# deleted inode, and creating the files alone then takes seconds whatever
# writes them (`cp -r` of the files included), so a disk's rows measure its
# allocator's state. The `cp -r` row is that floor on the same filesystem.
shm = "/dev/shm"
out_root = (f"{shm}/deboil-bench-out" if os.path.isdir(shm) and os.access(shm, os.W_OK)
            else os.path.abspath(f"{d}/../out-dir-runs"))
shutil.rmtree(out_root, ignore_errors=True)
os.mkdir(out_root)
floor = ["--disable", ",".join(passes)]
rules_only = ["--disable", ",".join(p for p in passes if p != "rules")]
rows = [
    ("deboil -j1", one + [bin, "-j1", "-q", "--jsonl", jsonl]),
    ("deboil -j2", two + [bin, "-j2", "-q", "--jsonl", jsonl]),
    ("floor -j1", one + [bin, "-j1", "-q", "--jsonl", jsonl] + floor),
    ("rules pass alone -j1", one + [bin, "-j1", "-q", "--jsonl", jsonl] + rules_only),
    ("rg, 158 rules", one + ["rg", "-j1", "-i", "-v", "-f", "../shared/bench/patterns.txt", text]),
    ("rg, deboil's own patterns", one + ["rg", "-j1", "-v", "-f", own, text]),
    ("deboil --out-dir -j1", one + [bin, "-j1", "-q", f"{d}/files", "--out-dir"]),
    ("--out-dir floor -j1", one + [bin, "-j1", "-q", f"{d}/files", "--out-dir"]),
    ("cp -r of the files", one + ["cp", "-r", f"{d}/files"]),
    ("rg -j1 over the files", one + ["rg", "-j1", "-i", "-v", "-f", "../shared/bench/patterns.txt", f"{d}/files"]),
    ("short records -j1", one + [bin, "-j1", "-q", "--jsonl", short]),
    ("short records floor -j1", one + [bin, "-j1", "-q", "--jsonl", short] + floor),
]
rows = [(n, c + [f"{out_root}/{{run}}-{k}"] + (floor if n.startswith("--out-dir floor") else []))
        if "--out-dir" in c or n.startswith("cp -r") else (n, c) for k, (n, c) in enumerate(rows)]
best = {name: float("inf") for name, _ in rows}
for run in range(runs):
    for name, cmd in rows:
        cmd = [a.replace("{run}", str(run)) for a in cmd]
        t = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL)
        t = time.perf_counter() - t
        if r.returncode not in (0, 1) or (r.returncode == 1 and not name.startswith("rg")):
            sys.exit(f"{name}: exit status {r.returncode}")
        best[name] = min(best[name], t)
shutil.rmtree(out_root, ignore_errors=True)
mb = os.path.getsize(jsonl) / 1e6
nfiles = len(os.listdir(f"{d}/files"))
print(f"{mb:.1f} MB of JSONL pages ({os.path.getsize(text) / 1e6:.1f} MB as text, {nfiles} files); best of {runs} interleaved runs, one pinned core but -j2; --out-dir and cp -r into {out_root}:")
for name, _ in rows:
    print(f"  {name:<28} {best[name]:7.3f} s")
b = best
ndocs = sum(1 for _ in open(short))
print("ratios (target):")
print(f"  deboil -j1 speed / rg with the 158 rules  {b['rg, 158 rules'] / b['deboil -j1']:5.2f}  (at least 1)")
print(f"  deboil -j1 time / floor time              {b['deboil -j1'] / b['floor -j1']:5.2f}  (at most 2.5)")
print(f"  -j2 speed-up over -j1                     {b['deboil -j1'] / b['deboil -j2']:5.2f}  (at least 1.7)")
print(f"  --out-dir speed / rg -j1 over the files   {b['rg -j1 over the files'] / b['deboil --out-dir -j1']:5.2f}  (at least 0.5)")
print(f"  --out-dir floor speed / rg -j1            {b['rg -j1 over the files'] / b['--out-dir floor -j1']:5.2f}  (writing and syncing the files, no pass)")
print(f"  short records, per document beyond floor  {(b['short records -j1'] - b['short records floor -j1']) / ndocs * 1e6:5.2f} us  (at most 1)")
EOF
