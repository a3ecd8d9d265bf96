#!/usr/bin/env python3
"""Regenerate src/lang/stopwords.rs.

    pip install stopwordsiso==0.7.1 wordfreq==3.1.1
    python3 scripts/gen_stopwords.py

Sources:
- stopwords-iso (https://github.com/stopwords-iso, MIT; the `stopwordsiso`
  package on PyPI carries its JSON): the function words of 58 languages.
  Its lists are long (English 1,298 words, with "information" and "world"),
  and the density features want the most frequent function words only, so
- wordfreq (https://github.com/rspeer/wordfreq, Apache-2.0 code, frequency
  data CC-BY-SA 4.0) ranks each stopwords-iso list by the word's frequency,
  and the first WORDS_PER_LANG words that a deboil token can be (letters and
  digits only, at most 16 bytes: see MAX_STOPWORD_BYTES in src/lang/mod.rs)
  are kept. Only the ranking is taken from wordfreq, never a word.

A few words are added by hand where a list lacks its language's most
frequent ones (EXTRA). Four languages that wordfreq lacks (WHOLE) take their short stopwords-iso
lists whole. The first twelve languages (CURATED) keep the lists already in the file:
hand-picked subsets of the same stopwords-iso lists (two words aside), which
the classifier's thresholds were tuned on. Every other list is generated.
Languages written without spaces (Chinese, Japanese, Thai) have no list:
their tokens are runs of chars, never function words (see src/lang/mod.rs
for how they are counted); Korean is written with spaces and has one.

Each list is sorted and de-duplicated. The output is deterministic for the
pinned versions above.
"""
import json
import pathlib
import re

import regex  # wordfreq's dependency: Unicode properties

HERE = pathlib.Path(__file__).resolve().parent.parent
PATH = HERE / "src/lang/stopwords.rs"

CURATED = ("en", "de", "fr", "es", "pt", "it", "nl", "ru", "pl", "sv", "tr", "id")
# stopwords-iso code -> wordfreq code, in the order they are packaged
# (detection breaks ties by this order: earlier wins).
GENERATED = (
    ("da", "da"), ("no", "nb"), ("fi", "fi"), ("cs", "cs"), ("sk", "sk"),
    ("hu", "hu"), ("ro", "ro"), ("ca", "ca"), ("hr", "sh"), ("sl", "sl"),
    ("lt", "lt"), ("lv", "lv"), ("el", "el"), ("bg", "bg"), ("uk", "uk"),
    ("ar", "ar"), ("fa", "fa"), ("ur", "ur"), ("he", "he"), ("hi", "hi"),
    ("bn", "bn"), ("ko", "ko"), ("vi", "vi"), ("ms", "ms"), ("tl", "fil"),
)
WORDS_PER_LANG = 70
# Words that a stopwords-iso list lacks although they are its language's most
# frequent (Ukrainian's has no "і", "в", "у", "на", "не": without them a
# Ukrainian page reads as Russian). Added by hand, and said here.
EXTRA = {"uk": ("в", "і", "на", "не", "у")}
# stopwords-iso lists that wordfreq has no data for, short enough (at most
# WORDS_PER_LANG + 30 words) to be taken whole.
WHOLE = ("af", "et", "sw", "eu")
MAX_BYTES = 16
# A token as deboil's tokeniser reads one (Rust's char::is_alphanumeric is
# Alphabetic, vowel signs included, or Numeric), holding no digit.
TOKEN = regex.compile(r"[\p{Alphabetic}]+")


def iso_lists():
    import stopwordsiso

    path = pathlib.Path(stopwordsiso.__file__).parent / "stopwords-iso.json"
    return json.loads(path.read_text(encoding="utf-8"))


def usable(iso, code):
    """The words of a stopwords-iso list that deboil can read as a token."""
    return {w.lower() for w in iso[code] if TOKEN.fullmatch(w) and len(w.encode()) <= MAX_BYTES}


def generated(iso, code, wf_code):
    from wordfreq import get_frequency_dict

    freq = get_frequency_dict(wf_code)
    words = [w for w in usable(iso, code) if freq.get(w, 0) > 0]
    # Most frequent first; ties (rare) by the word, for determinism.
    words.sort(key=lambda w: (-freq[w], w))
    return sorted(words[:WORDS_PER_LANG])


def main():
    text = PATH.read_text(encoding="utf-8")
    current = dict(re.findall(r'\(\s*"(\w+)",\s*"([^"]*)",?\s*\)', text))
    iso = iso_lists()
    lists = [(c, sorted(set(current[c].split()))) for c in CURATED]
    lists += [(c, sorted(set(generated(iso, c, wf)) | set(EXTRA.get(c, ())))) for c, wf in GENERATED]
    for c in WHOLE:
        words = sorted(usable(iso, c))
        assert len(words) <= WORDS_PER_LANG + 30, c
        lists.append((c, words))
    head = text[: text.index("pub const STOPWORDS")]
    body = "".join(f'    (\n        "{c}",\n        "{" ".join(ws)}",\n    ),\n' for c, ws in lists)
    PATH.write_text(head + "pub const STOPWORDS: &[(&str, &str)] = &[\n" + body + "];\n", encoding="utf-8")
    print(f"{PATH}: {len(lists)} languages, {sum(len(w) for _, w in lists)} words")


if __name__ == "__main__":
    main()
