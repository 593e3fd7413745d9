"""Collections streamed to disk page by page: a month of sign-ins need not fit in memory.

Through `output.write_filled`, a file is written under a temporary name beside its target and
renamed over it only once every page has arrived, so a failure part-way leaves no file; the
parent folder is created 0700 and the file 0600.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import orjson

from mamori.audit.collect.output import write_filled


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

    return write_filled(path, fill, keep_empty=keep_empty)


def write_json_lines(path: Path, items: Iterable[Any], *, keep_empty: bool = True) -> int:
    """`items` as JSON lines; returns how many were written (no file for none unless
    `keep_empty`)."""

    def fill(handle: IO[bytes]) -> int:
        count = 0
        for item in items:
            handle.write(orjson.dumps(item) + b"\n")
            count += 1
        return count

    return write_filled(path, fill, keep_empty=keep_empty)
