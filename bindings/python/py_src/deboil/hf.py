"""Hugging Face ``datasets``: clean a column with ``Dataset.map``.

    from deboil.hf import cleaning
    ds = ds.map(cleaning(), batched=True, num_proc=4)

The function cleans ``text_column`` in place (in parallel, the GIL
released) and adds ``deboil_lines_dropped`` and ``deboil_chars_dropped``.
It pickles (``num_proc`` ships it to the workers) and is safe after fork.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from . import Cleaner


class cleaning:
    def __init__(
        self,
        cleaner: Optional[Cleaner] = None,
        *,
        text_column: str = "text",
        url_column: Optional[str] = None,
        stats: bool = True,
    ):
        self.cleaner = cleaner if cleaner is not None else Cleaner()
        self.text_column = text_column
        self.url_column = url_column
        self.stats = stats

    def __call__(self, batch: Dict[str, List[Any]]) -> Dict[str, List[Any]]:
        texts = batch[self.text_column]
        keep = [i for i, t in enumerate(texts) if t is not None]
        urls = None
        if self.url_column:
            col = batch[self.url_column]
            urls = [col[i] for i in keep]
        outs = self.cleaner.clean_batch([texts[i] for i in keep], urls)
        cleaned: List[Any] = list(texts)
        lines: List[Any] = [None] * len(texts)
        chars: List[Any] = [None] * len(texts)
        for i, o in zip(keep, outs):
            cleaned[i] = o.text
            lines[i] = sum(c[0] for c in o.counts.values())
            chars[i] = sum(c[1] for c in o.counts.values())
        out = dict(batch)
        out[self.text_column] = cleaned
        if self.stats:
            out["deboil_lines_dropped"] = lines
            out["deboil_chars_dropped"] = chars
        return out
