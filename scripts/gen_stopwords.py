#!/usr/bin/env python3
"""Regenerate src/lang/stopwords.rs from the lists below (sorted, de-duplicated)."""
import pathlib, re
HERE = pathlib.Path(__file__).resolve().parent.parent
# The lists live in the generated file itself; this script normalises them in place.
path = HERE / "src/lang/stopwords.rs"
text = path.read_text(encoding="utf-8")
def norm(m):
    words = " ".join(sorted(set(m.group(2).split())))
    return f'    ("{m.group(1)}", "{words}"),'
path.write_text(re.sub(r'    \("(\w+)", "([^"]*)"\),', norm, text), encoding="utf-8")
