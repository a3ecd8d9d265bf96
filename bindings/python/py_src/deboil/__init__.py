"""deboil: strip web boilerplate (ads, trending blocks, comment widgets,
menus, cookie prompts, repeated paragraphs) from plain text, keeping the
content. Every removal names its pass, rule and kind.

    >>> import deboil
    >>> cleaner = deboil.Cleaner()
    >>> out = cleaner.clean(page_text)
    >>> out.text, [(s.kind, s.rule) for s in out.spans]

See ``Cleaner`` (one text, batches, Arrow arrays), ``Counts`` (corpus
repeats), ``clean_files`` (files of any format the command line reads) and
the adapters ``deboil.datatrove``, ``deboil.hf``, ``deboil.spark``,
``deboil.ray``.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Dict, Optional, Sequence, Union

from ._deboil import Cleaned, Cleaner, Counts, DeboilError, Span, __version__
from ._deboil import _clean_files

__all__ = [
    "Cleaner",
    "Cleaned",
    "Counts",
    "DeboilError",
    "Span",
    "clean_files",
    "__version__",
]

logger = logging.getLogger("deboil")


PathLike = Union[str, "os.PathLike[str]"]


def clean_files(
    inputs: Union[PathLike, Sequence[PathLike]],
    output: Optional[PathLike] = None,
    *,
    out_dir: Optional[PathLike] = None,
    cleaner: Optional[Cleaner] = None,
    **options: Any,
) -> Dict[str, Any]:
    """Clean files as the command line does, in Rust with the GIL released.

    ``inputs``: files or directories (plain text, JSONL, WET, Parquet;
    ``.gz``/``.zst``). ``output``: one output file (JSONL, or Parquet by its
    ``.parquet`` name or ``format="parquet"``); or ``out_dir``: one output
    per input file. ``cleaner`` gives the rules, model preset and counts
    (default: a plain ``Cleaner()``). Other options are the command line's
    long options with ``_`` for ``-``: ``jsonl``, ``input_format``,
    ``format``, ``text_field``, ``id_field``, ``url_field``,
    ``spans_field``, ``annotate``, ``on_error``, ``threads``,
    ``max_doc_bytes``, ``max_line_bytes``, ``explain``, ``explain_format``,
    ``attributes``, ``stats``, ``stats_format``.

    Returns the job's report (counts of documents, lines, and of everything
    skipped or repaired) with ``"messages"``: ``(level, text)`` pairs, also
    logged to the ``deboil`` logger. A job refused or stopped raises
    ``DeboilError`` and leaves no partial output.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    paths = [os.fspath(p) for p in inputs]
    report_json, messages = _clean_files(
        paths,
        None if output is None else os.fspath(output),
        None if out_dir is None else os.fspath(out_dir),
        cleaner,
        options,
    )
    levels = {"error": logging.ERROR, "warning": logging.WARNING, "note": logging.INFO}
    for level, text in messages:
        logger.log(levels[level], "%s", text)
    report = json.loads(report_json)
    report["messages"] = [tuple(m) for m in messages]
    return report
