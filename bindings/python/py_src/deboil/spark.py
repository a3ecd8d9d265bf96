"""Spark: clean a DataFrame's text column with ``mapInArrow``, and count
corpus repeats per partition, merged on the driver.

    from deboil.spark import clean_batches, corpus_counts
    counts = corpus_counts(df, "text", "url")           # a deboil.Counts
    cleaner = deboil.Cleaner(counts=counts)
    out = df.mapInArrow(clean_batches(cleaner, "text", "url"), df.schema)

The command line's JSONL mode also works as ``rdd.pipe("deboil --jsonl -q")``.
"""

from __future__ import annotations

from typing import Callable, Iterator, Optional

from . import Cleaner, Counts


def clean_batches(
    cleaner: Optional[Cleaner] = None,
    text_column: str = "text",
    url_column: Optional[str] = None,
) -> Callable[[Iterator], Iterator]:
    """A function for ``DataFrame.mapInArrow``: each batch's ``text_column``
    is cleaned (through Arrow, no Python object per row), every other
    column passed through; the schema is the input's. ``url_column`` gives
    each row's host, for a cleaner with corpus counts."""
    cleaner = cleaner if cleaner is not None else Cleaner()

    def run(batches):
        import pyarrow as pa

        for batch in batches:
            k = batch.schema.get_field_index(text_column)
            if k < 0:
                raise KeyError(f"no column {text_column!r} in {batch.schema.names}")
            urls = batch.column(url_column) if url_column else None
            cleaned = cleaner.clean_arrow(batch.column(k), urls).column(0)
            columns = list(batch.columns)
            columns[k] = cleaned.cast(batch.schema.field(k).type)
            yield pa.RecordBatch.from_arrays(columns, schema=batch.schema)

    return run


def corpus_counts(df, text_column: str = "text", url_column: Optional[str] = None) -> Counts:
    """Count, per host, the documents each normalised line occurs in: a
    ``Counts`` per partition (in parallel on the executors), merged on the
    driver. Give it to ``Cleaner(counts=...)``."""
    cols = [text_column] + ([url_column] if url_column else [])

    def count(rows):
        c = Counts(threads=1)
        texts, urls = [], []
        for r in rows:
            if r[0] is None:
                continue
            texts.append(r[0])
            urls.append(r[1] if url_column else None)
            if len(texts) >= 1024:
                c.add(texts, urls)
                texts, urls = [], []
        if texts:
            c.add(texts, urls)
        yield c.to_bytes()

    total = Counts()
    for part in df.select(*cols).rdd.mapPartitions(count).collect():
        total.merge(Counts.from_bytes(part))
    return total
