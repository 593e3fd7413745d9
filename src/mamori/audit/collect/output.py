"""What every collector reports and how it writes a whole file: atomically, owner-only.

A file is written to a temporary name beside its target and renamed over it once complete, so
an interrupted run never leaves half an export for the audit to trust. New folders are 0700 and
files 0600: they hold every account of the organisation.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import orjson


class CollectError(Exception):
    """Nothing could be collected (credentials refused, no such tenant or profile, no network).

    Its text is shown to the user as is, so it never carries a secret.
    """


@dataclass(slots=True)
class Collected:
    """What one collector run produced."""

    written: list[Path] = field(default_factory=list)
    """Files written, in the order they were collected."""
    problems: list[str] = field(default_factory=list)
    """Collections skipped or incomplete, each with the reason (a missing permission…)."""


def json_bytes(value: Any) -> bytes:
    """Indented UTF-8 JSON; dates as `isoformat()` writes them, as the AWS CLI v2 does."""
    return orjson.dumps(
        value,
        default=_iso,
        option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE | orjson.OPT_PASSTHROUGH_DATETIME,
    )


def _iso(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def write_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to `path` whole or not at all; returns `path`."""
    write_filled(path, lambda handle: handle.write(data), keep_empty=True)
    return path


def write_filled(path: Path, fill: Callable[[IO[bytes]], int], *, keep_empty: bool) -> int:
    """Let `fill` write a temporary file beside `path`, then rename it over `path`: whole or
    not at all. `fill` returns how many items it wrote; with none and not `keep_empty`, no
    file is made. Returns that count."""
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
