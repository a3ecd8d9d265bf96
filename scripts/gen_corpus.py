#!/usr/bin/env python3
"""Generate a JSONL benchmark corpus of whole-page-like text from the committed fixtures.

usage: gen_corpus.py OUT.jsonl MEGABYTES

Each record is {"id", "url", "text"}: a fixture article wrapped in a generated
menu, teaser list and footer, so that every pass has work to do. Deterministic.
"""
import json, pathlib, random, sys

root = pathlib.Path(__file__).resolve().parent.parent
docs = [p.read_text(encoding="utf-8") for p in sorted(root.glob("fixtures/**/*.txt"))
        if not p.name.endswith(".expected.txt") and p.stat().st_size > 200]
menu = ["Home", "News", "World", "Politics", "Business", "Tech", "Science", "Health", "Sports", "Opinion"]
footer = ["Privacy Policy", "Terms of Use", "© 2024 Example Media. All rights reserved.", "Contact Us"]
rng = random.Random(42)
out, target, n = open(sys.argv[1], "w", encoding="utf-8"), int(float(sys.argv[2]) * 1e6), 0
written = 0
while written < target:
    body = rng.choice(docs)
    teasers = [f"Story {rng.randrange(10**6)} about the {rng.choice(menu).lower()} desk" for _ in range(6)]
    text = "\n".join(rng.sample(menu, 7)) + "\n\n" + body + "\n\nRelated Articles\n\n" + "\n\n".join(teasers) + "\n\n" + "\n".join(footer)
    line = json.dumps({"id": f"doc-{n}", "url": f"https://site{n % 50}.example/a/{n}", "text": text}, ensure_ascii=False)
    out.write(line + "\n")
    written += len(line) + 1
    n += 1
