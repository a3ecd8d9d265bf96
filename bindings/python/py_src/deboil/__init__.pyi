import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

__version__: str

PathLike = Union[str, os.PathLike[str]]

class DeboilError(Exception): ...

class Span:
    """A removed line: offsets in code points (``start``, ``end``) and
    bytes of UTF-8 (``byte_start``, ``byte_end``), why it went."""

    start: int
    end: int
    byte_start: int
    byte_end: int
    kind: str
    rule: str
    pass_: str
    score: Optional[float]

class Cleaned:
    """A cleaned text and what was removed from it."""

    text: str
    spans: List[Span]
    counts: Dict[str, Tuple[int, int]]
    lines_in: int
    repaired: bool

class Counts:
    """Per host, the number of documents each normalised line occurs in."""

    def __init__(self, *, threads: Optional[int] = None) -> None: ...
    def add(
        self, texts: Iterable[str], urls: Optional[Iterable[Optional[str]]] = None
    ) -> None: ...
    def merge(self, other: Counts) -> None: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes, min_docs: int = 0) -> Counts: ...
    def save(self, path: PathLike) -> None: ...
    @staticmethod
    def load(path: PathLike, min_docs: int = 0) -> Counts: ...
    def __len__(self) -> int: ...

class Cleaner:
    """Strips web boilerplate; built once, used for any number of texts."""

    def __init__(
        self,
        *,
        disable: Sequence[str] = ...,
        rules: Sequence[PathLike] = ...,
        favor: str = "balanced",
        counts: Union[Counts, PathLike, None] = None,
        min_docs: int = 5,
        threads: Optional[int] = None,
    ) -> None: ...
    def clean(self, text: str, url: Optional[str] = None) -> Cleaned: ...
    def clean_batch(
        self, texts: Iterable[str], urls: Optional[Iterable[Optional[str]]] = None
    ) -> List[Cleaned]: ...
    def clean_arrow(self, array: Any, urls: Any = None) -> Any: ...
    def pass_names(self) -> List[str]: ...

def clean_files(
    inputs: Union[PathLike, Sequence[PathLike]],
    output: Optional[PathLike] = None,
    *,
    out_dir: Optional[PathLike] = None,
    cleaner: Optional[Cleaner] = None,
    **options: Any,
) -> Dict[str, Any]: ...
