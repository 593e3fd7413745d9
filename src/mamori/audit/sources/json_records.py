"""Typed reading of API records (Okta, Google Workspace): values checked as they are read.

Both sources return JSON objects whose fields may be missing, null or of an unexpected type;
every value that cannot be used is reported with the file and position, and the rest of the
record is still read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mamori.audit.model import Evidence
from mamori.audit.sources.files import Problem, Records
from mamori.events import InputProblem, parse_utc

SNIFF_ROWS = 5
"""Records looked at to recognise a file: enough to pass a stray first line."""


def first_kind(records: Records, kind_of: Callable[[dict[str, Any]], str | None]) -> str | None:
    """The export kind `kind_of` sees in the first records of a JSON file (not a Graph page,
    which names itself in @odata.context)."""
    if records.format not in ("json", "jsonl") or records.context is not None:
        return None
    for _, record in records.rows[:SNIFF_ROWS]:
        kind = kind_of(record)
        if kind is not None:
            return kind
    return None


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass(slots=True)
class Where:
    """One record and the place it was read: what problems and evidence both name."""

    file: str
    position: str
    record: dict[str, Any]

    def evidence(self) -> Evidence:
        return Evidence(self.file, self.position, self.record)

    def inner(self, key: str, index: int, record: dict[str, Any]) -> Where:
        return Where(self.file, f"{self.position} {key}[{index}]", record)


@dataclass(slots=True)
class Reader:
    """Reads typed values out of records, reporting every value it cannot use."""

    on_problem: Problem

    def problem(self, where: Where, message: str) -> None:
        self.on_problem(InputProblem(where.file, where.position, message))

    def text(self, where: Where, record: Any, key: str, label: str | None = None) -> str | None:
        """A non-empty string, or None; a value of another type is reported."""
        value = record.get(key) if isinstance(record, dict) else None
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value
        self.problem(where, f"{label or key} is {type(value).__name__}, not text; ignored")
        return None

    def flag(self, where: Where, record: Any, key: str) -> bool | None:
        value = record.get(key) if isinstance(record, dict) else None
        if value is None or isinstance(value, bool):
            return value
        self.problem(where, f"{key} is {value!r}, not true/false; ignored")
        return None

    def time(self, where: Where, record: Any, key: str) -> datetime | None:
        """An aware UTC time; missing or null is None, anything unparseable is reported."""
        value = record.get(key) if isinstance(record, dict) else None
        if value is None:
            return None
        parsed = parse_utc(value) if isinstance(value, str) else None
        if parsed is None:
            self.problem(where, f"{key} {value!r} is not an ISO-8601 time; ignored")
        return parsed

    def strings(self, where: Where, value: Any, label: str) -> tuple[str, ...]:
        """A list of strings (ids); other items are reported and skipped."""
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(where, f"{label} is {type(value).__name__}, not a list; ignored")
            return ()
        good = tuple(item for item in value if isinstance(item, str) and item)
        if len(good) != len(value):
            self.problem(where, f"{label} has {len(value) - len(good)} entries that are not ids")
        return good
