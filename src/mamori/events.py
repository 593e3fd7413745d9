"""The one event shape every reader produces and every engine consumes.

Readers turn whatever a log source wrote (EVTX, JSON lines, later syslog and cloud logs) into
`Event`s whose `fields` use the names Sigma rules use. Keeping the source file and position on
each event lets every detection point back to the exact record a person can open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SYSTEM_PREFIX = "System."
"""Where a System field goes when the event's own data uses the same name (see readers)."""


def channel_of(fields: dict[str, Any]) -> Any:
    """The log an event was written to, which is what a logsource selects on."""
    return fields.get("System.Channel", fields.get("Channel"))


def event_id_of(fields: dict[str, Any]) -> Any:
    return fields.get("System.EventID", fields.get("EventID"))


@dataclass(slots=True)
class Event:
    """One log record with its Sigma-visible fields and where it came from."""

    fields: dict[str, Any]
    source: str
    position: int
    """1-based record number within `source` (EVTX record number, or JSON line number)."""
    timestamp: datetime | None = None
    """When the event happened, always timezone-aware UTC, or None when the record has no time."""


@dataclass(frozen=True, slots=True)
class InputProblem:
    """A part of an input that could not be read; the rest of the input still is."""

    source: str
    position: str
    """Human-readable place: 'record 12', 'line 40', 'chunk 3', 'file'."""
    message: str

    def __str__(self) -> str:
        return f"{self.source} ({self.position}): {self.message}"


def parse_utc(value: Any) -> datetime | None:
    """Parse the ISO-8601 timestamps logs carry into aware UTC datetimes; None if unparseable.

    Never raises: a time whose UTC form falls outside years 1-9999
    ("9999-12-31T23:59:59-05:00") is None too, and its event is kept without a time.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    try:  # most log and API times are plain ISO-8601 that Python reads as they are (hot path)
        return _as_utc(datetime.fromisoformat(value))
    except ValueError:
        pass
    text = value.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # Python's fromisoformat accepts at most 6 fractional digits; EVTX may carry 7.
    dot = text.find(".")
    if dot != -1:
        end = dot + 1
        while end < len(text) and text[end].isdigit():
            end += 1
        if end - dot - 1 > 6:
            text = text[: dot + 7] + text[end:]
    try:
        return _as_utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def _as_utc(parsed: datetime) -> datetime | None:
    if parsed.tzinfo is UTC:
        return parsed
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return None
