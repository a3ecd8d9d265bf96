"""Line labels from gold: which lines of a page's noisy text are content.

The rule (the same for every set and converter):

* a text's tokens are the matches of ``\\w+`` in its lowercased text (the
  WCXB metric's tokens);
* the noisy page's non-blank lines are read as one token stream, so that a
  short line is judged with its neighbours: token ``j`` is *in gold* when one
  of the three token trigrams that contain it (``j-2..j``, ``j-1..j+1``,
  ``j..j+2``) is a trigram of the gold text (for a gold text of fewer than
  three tokens, when the token itself is in it);
* a line is content when at least half of its tokens are in gold; a line
  without tokens (rules, bullets alone) takes the label of the line before
  it and weight 0 in training.

A menu item ("Home") is boilerplate even when the gold text holds the word
"home", because the trigrams around it ("skip to content home meal prep")
are not in the gold; a subheading is content because the trigram that runs
from it into the paragraph after it is.

``python3 train/label.py --evalset ../shared/evalset --features DIR`` reports
the rule's error: the score, by each set's own metric, of the noisy text cut
to the lines labelled content (the labels' ceiling: a perfect line labeller
scores this), beside the noisy text as it is.
"""

import argparse
import json
import os
import re
import sys

WORD = re.compile(r"\w+")


def tokens(text):
    return WORD.findall(text.lower())


def trigrams(toks):
    return {(toks[i], toks[i + 1], toks[i + 2]) for i in range(len(toks) - 2)}


def label_lines(lines, gold):
    """Return (labels, ntokens) for the non-blank `lines` of a page: labels
    are 1 (content) or 0, ntokens the number of tokens of each line."""
    gold_toks = tokens(gold)
    per_line = [tokens(l) for l in lines]
    stream = [t for toks in per_line for t in toks]
    flags = [False] * len(stream)
    if len(gold_toks) >= 3:
        grams = trigrams(gold_toks)
        for i in range(len(stream) - 2):
            if (stream[i], stream[i + 1], stream[i + 2]) in grams:
                flags[i] = flags[i + 1] = flags[i + 2] = True
    else:
        vocab = set(gold_toks)
        flags = [t in vocab for t in stream]
    labels, at, prev = [], 0, 0
    for toks in per_line:
        n = len(toks)
        if n == 0:
            labels.append(prev)
            continue
        hit = sum(flags[at : at + n])
        at += n
        prev = 1 if hit * 2 >= n else 0
        labels.append(prev)
    return labels, [len(t) for t in per_line]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--evalset", required=True, help="the evalset folder (with score.py)")
    ap.add_argument("--features", required=True, help="folder of SET.jsonl feature dumps")
    ap.add_argument("--sets", default="zyte-dev,wcxb-dev,wcxb-dev.w3m")
    args = ap.parse_args()
    sys.path.insert(0, os.path.abspath(args.evalset))
    import evalcore

    for name in args.sets.split(","):
        docs, gold = evalcore.load_set(name, args.evalset)
        golds = {k: (v["text"] if isinstance(v, dict) else v) for k, v in gold.items()}
        oracle, noisy = {}, {}
        content_lines = all_lines = 0
        with open(os.path.join(args.features, name + ".jsonl")) as f:
            for line in f:
                rec = json.loads(line)
                labels, _ = label_lines(rec["lines"], golds[rec["id"]])
                oracle[rec["id"]] = "\n".join(l for l, y in zip(rec["lines"], labels) if y)
                noisy[rec["id"]] = "\n".join(rec["lines"])
                content_lines += sum(labels)
                all_lines += len(labels)
        ids = [d["id"] for d in docs]
        for what, preds in (("labels", oracle), ("noisy", noisy)):
            r, _ = evalcore.score(name, ids, gold, preds, n_bootstrap=0)
            print(f"{name:14s} {what:7s} {summary(r)}")
        print(f"{name:14s} content lines {content_lines} of {all_lines}")


def summary(r):
    keys = [k for k in ("precision", "recall", "f1") if k in r]
    return "  ".join(f"{k} {r[k]:.3f}" for k in keys)


if __name__ == "__main__":
    main()
