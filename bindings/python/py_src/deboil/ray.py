"""Ray Data: clean a column with ``map_batches``.

    from deboil.ray import Clean
    ds = ds.map_batches(Clean, fn_constructor_kwargs={"text_column": "text"},
                        batch_format="pyarrow", concurrency=2)

Each actor builds one ``Cleaner``; batches are cleaned through Arrow.
"""

from __future__ import annotations

from typing import Optional

from . import Cleaner


class Clean:
    def __init__(self, text_column: str = "text", cleaner: Optional[Cleaner] = None, **cleaner_options):
        self.cleaner = cleaner if cleaner is not None else Cleaner(**cleaner_options)
        self.text_column = text_column

    def __call__(self, batch):
        import pyarrow as pa

        if not isinstance(batch, (pa.Table, pa.RecordBatch)):
            # pandas or numpy batches: the column's strings, cleaned.
            texts = list(batch[self.text_column])
            out = self.cleaner.clean_batch(texts)
            batch[self.text_column] = [o.text for o in out]
            return batch
        k = batch.schema.get_field_index(self.text_column)
        cleaned = self.cleaner.clean_arrow(batch.column(k))
        column = cleaned.column(0) if isinstance(cleaned, pa.Table) else cleaned.column(0)
        return batch.set_column(k, self.text_column, column)
