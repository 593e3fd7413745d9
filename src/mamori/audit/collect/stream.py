"""Collections streamed to disk page by page: a month of sign-ins need not fit in memory.

Like `output.write_atomic`, a file is written under a temporary name beside its target and
renamed over it only once every page has arrived, so a failure part-way leaves no file; the
parent folder is created 0700 and the file 0600.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

import orjson


def write_json_array(path: Path, items: Iterable[Any], *, keep_empty: bool = True) -> int:
    """`items` as one JSON array, one item per line; returns how many were written.

    With `keep_empty` False no file is made for zero items (the Okta reader cannot recognise
    an empty array and would report it as an unknown file).
    """

    def fill(handle: IO[bytes]) -> int:
        count = 0
        handle.write(b"[")
        for item in items:
            handle.write(b",\n" if count else b"\n")
            handle.write(orjson.dumps(item))
            count += 1
        handle.write(b"\n]\n")
        return count

    return _atomic(path, fill, keep_empty)


def write_json_lines(path: Path, items: Iterable[Any], *, keep_empty: bool = True) -> int:
    """`items` as JSON lines; returns how many were written (no file for none unless
    `keep_empty`)."""

    def fill(handle: IO[bytes]) -> int:
        count = 0
        for item in items:
            handle.write(orjson.dumps(item) + b"\n")
            count += 1
        return count

    return _atomic(path, fill, keep_empty)


def _atomic(path: Path, fill: Callable[[IO[bytes]], int], keep_empty: bool) -> int:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed or removed
        dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
    )
    part = Path(handle.name)
    try:
        with handle:
            count = fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if count or keep_empty:
            os.replace(part, path)
        else:
            part.unlink()
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return count
