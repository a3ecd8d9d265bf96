"""Check that the binary keeps the lines train.py's decoder keeps.

    cargo build --release --examples
    (dump the features as train.py's header says)
    python3 train/parity.py --evalset ../shared/evalset --features FEAT

Evaluates the model file's oblivious trees in numpy, decodes each page with
train.py's `decide` (the same rules as src/pass/model.rs: prose bonus,
switch cost, page fit, title, subheadings) and compares the lines kept with what
`deboil --jsonl` writes for the same pages. Exit status 1 if any page
differs: then the cross-validated scores train.py prints would not describe
the binary.
"""

import argparse
import difflib
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train as T  # noqa: E402


def read_model(path):
    trees, head = [], {}
    for line in open(path):
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "tree":
            f, t, v = line[len("tree"):].split("|")
            trees.append((np.array(f.split(), int), np.array(t.split(), np.float32),
                          np.array(v.split(), np.float32)))
        elif parts[0] != "deboil-line-model":
            head[parts[0]] = [float(x) for x in parts[1:]]
    return trees, head


def margins(trees, base, x):
    s = np.full(len(x), base, np.float32)
    for f, t, v in trees:
        index = np.zeros(len(x), int)
        for level in range(len(f)):
            index |= (x[:, f[level]] > t[level]).astype(int) << level
        s += v[index]
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--evalset", required=True)
    ap.add_argument("--features", required=True)
    ap.add_argument("--model", default="src/model/line-model.txt")
    ap.add_argument("--bin", default="target/release/deboil")
    args = ap.parse_args()
    sys.path.insert(0, os.path.abspath(args.evalset))
    pages = T.load(args)
    T.set_columns(T.feature_names(pages[0]["x"].shape[1]))
    trees, head = read_model(args.model)
    T.PROSE_BONUS[0] = head["prose-bonus"][0]
    T.PAGE_FIT[:] = head.get("page-fit", [0.0, 0.0])
    base, forced_score, switch = head["base"][0], head["forced"][0], head["decode"][0]
    differ = 0
    for name in T.SETS:
        out = subprocess.run([args.bin, "--jsonl", "-q", os.path.join(args.evalset, name, "noisy.jsonl")],
                             check=True, capture_output=True, text=True).stdout
        # Records end at "\n" only: a text may hold U+2028 and the like,
        # which str.splitlines would split at.
        binary = {r["id"]: r["text"] for r in map(json.loads, filter(None, out.split("\n")))}
        same = 0
        for p in pages:
            if p["set"] != name:
                continue
            f = T.forced(p)
            m = np.full(len(p["x"]), base + forced_score, np.float64)
            if (~f).any():
                m[~f] = margins(trees, base, p["x"][~f])
            want = [line.strip() for line in T.kept(p, m, 0.0, switch)]
            got = [line.strip() for line in binary[p["id"]].split("\n") if line.strip()]
            if want == got:
                same += 1
                continue
            differ += 1
            print(f"{name} {p['id']}:", file=sys.stderr)
            for d in list(difflib.unified_diff(want, got, "train.py", "deboil", lineterm="", n=0))[:10]:
                print("  " + d[:160], file=sys.stderr)
        print(f"{name}: {same} pages the same")
    if differ:
        print(f"{differ} pages differ", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
