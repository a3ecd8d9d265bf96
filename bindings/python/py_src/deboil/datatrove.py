"""A datatrove filter that rewrites ``doc.text`` without its boilerplate,
as datatrove's C4 filter rewrites the text it keeps.

    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from deboil.datatrove import DeboilFilter

    pipeline = [JsonlReader("in/"), DeboilFilter(), JsonlWriter("out/")]

Per document it counts the removed lines and chars of each kind in the
step's stats (``removed_lines_ad``, ``removed_chars_ad``, …, and
``removed_lines``/``removed_chars`` in all), puts the removed spans in
``doc.metadata["deboil_spans"]`` (code-point offsets of the text before
cleaning), and drops a document left empty (``deboil_empty``) or one that
lost more than ``max_removed`` of its chars (``deboil_removed_too_much``).
"""

from __future__ import annotations

from typing import Optional

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from . import Cleaned, Cleaner


class DeboilFilter(BaseFilter):
    name = "🧹 deboil"

    def __init__(
        self,
        cleaner: Optional[Cleaner] = None,
        *,
        max_removed: Optional[float] = None,
        drop_empty: bool = True,
        spans_key: Optional[str] = "deboil_spans",
        batch_size: int = 64,
        exclusion_writer: Optional[DiskWriter] = None,
    ):
        """``cleaner``: a ``deboil.Cleaner`` (default: ``Cleaner()``);
        ``max_removed``: drop a document that loses more than this share of
        its chars (0 to 1; default: never); ``drop_empty``: drop a document
        with nothing left; ``spans_key``: the metadata key of the spans
        (None: not kept); ``batch_size``: documents cleaned together, in
        parallel with the GIL released."""
        super().__init__(exclusion_writer, batch_size=batch_size)
        if max_removed is not None and not 0 <= max_removed <= 1:
            raise ValueError(f"max_removed must be between 0 and 1, not {max_removed}")
        self.cleaner = cleaner if cleaner is not None else Cleaner()
        self.max_removed = max_removed
        self.drop_empty = drop_empty
        self.spans_key = spans_key

    def _apply(self, doc: Document, out: Cleaned):
        total = len(doc.text)
        removed = 0
        for kind, (lines, chars) in out.counts.items():
            key = kind.replace("-", "_")
            self.stat_update(f"removed_lines_{key}", value=lines)
            self.stat_update(f"removed_chars_{key}", value=chars)
            removed += chars
        self.stat_update("removed_lines", value=sum(c[0] for c in out.counts.values()))
        self.stat_update("removed_chars", value=removed)
        if self.spans_key:
            doc.metadata[self.spans_key] = [
                {"start": s.start, "end": s.end, "kind": s.kind, "rule": s.rule}
                for s in out.spans
            ]
        if out.repaired:
            self.stat_update("repaired_surrogates")
        doc.text = out.text
        if self.drop_empty and not out.text.strip():
            return False, "deboil_empty"
        if self.max_removed is not None and total and removed / total > self.max_removed:
            return False, "deboil_removed_too_much"
        return True

    def filter(self, doc: Document):
        url = doc.metadata.get("url") if doc.metadata else None
        return self._apply(doc, self.cleaner.clean(doc.text, url))

    def filter_batch(self, batch):
        urls = [d.metadata.get("url") if d.metadata else None for d in batch]
        outs = self.cleaner.clean_batch([d.text for d in batch], urls)
        return [self._apply(d, o) for d, o in zip(batch, outs)]
