"""Detections as a timeline people can read (table) and tools can load (CSV, JSON, JSONL).

Every format carries the same record, with the same key names, so a CSV opened in Excel and a
JSONL loaded into another tool say the same thing. CSV is UTF-8 with a BOM because that is what
Excel needs to show Japanese text correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import IO, Any

import orjson
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from mamori.events import channel_of, event_id_of
from mamori.hunt.engine import Detection
from mamori.timefmt import show

FIELDS = (
    "timestamp",
    "computer",
    "channel",
    "event_id",
    "record_id",
    "level",
    "rule_title",
    "rule_id",
    "tags",
    "details",
    "source_file",
)
FORMATS = ("table", "csv", "json", "jsonl")

LEVEL_STYLES = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "informational": "dim",
}


def records(detections: Iterable[Detection], tz: tzinfo) -> list[dict[str, Any]]:
    """`record` for many detections. Several rules often fire on one event, and a hunt can
    print tens of thousands of lines, so each event's time is formatted once."""
    shown: dict[datetime | None, tuple[str, str | None]] = {}
    out = []
    for detection in detections:
        moment = detection.timestamp
        times = shown.get(moment)
        if times is None:
            times = shown[moment] = (show(moment, tz), moment.isoformat() if moment else None)
        out.append(record(detection, tz, times))
    return out


def record(
    detection: Detection, tz: tzinfo, times: tuple[str, str | None] | None = None
) -> dict[str, Any]:
    """The one shape of a detection in every output format.

    `times`: the detection's time already formatted (shown, UTC ISO), see `records`.
    """
    event = detection.event
    fields = event.fields
    rule = detection.rule
    moment = detection.timestamp
    if times is None:
        times = (show(moment, tz), moment.isoformat() if moment else None)
    details = detection.details
    if tuple in set(map(type, details.values())):
        details = {k: list(v) if type(v) is tuple else v for k, v in details.items()}
    out: dict[str, Any] = {
        "timestamp": times[0],
        "timestamp_utc": times[1],
        "computer": fields.get("Computer"),
        "channel": channel_of(fields),
        "event_id": event_id_of(fields),
        "record_id": fields.get("EventRecordID", event.position),
        "level": rule.level,
        "rule_title": rule.title,
        "rule_id": rule.id,
        "tags": list(rule.tags),
        "details": details,
        "source_file": event.source,
    }
    if detection.correlation is not None:
        out["correlation"] = detection.correlation.correlation.type
        out["events"] = [
            {
                "timestamp": show(e.timestamp, tz),
                "source_file": e.source,
                "record_id": e.fields.get("EventRecordID", e.position),
                "rule_id": rule_id,
                "computer": e.fields.get("Computer"),
            }
            for e, rule_id in zip(detection.events, detection.correlation.rule_ids, strict=True)
        ]
    return out


def details_text(details: dict[str, Any]) -> str:
    return " ¦ ".join(f"{k}: {v}" for k, v in details.items())


def write_jsonl(records: Iterable[dict[str, Any]], out: IO[bytes]) -> None:
    for item in records:
        out.write(orjson.dumps(item, default=str))
        out.write(b"\n")


def write_json(records: Iterable[dict[str, Any]], out: IO[bytes]) -> None:
    out.write(orjson.dumps(list(records), default=str, option=orjson.OPT_INDENT_2))
    out.write(b"\n")


def write_csv(records: Iterable[dict[str, Any]], out: IO[bytes]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(FIELDS)
    for item in records:
        row = dict(item)
        row["tags"] = ", ".join(item["tags"])
        row["details"] = details_text(item["details"])
        writer.writerow([row[f] if row[f] is not None else "" for f in FIELDS])
    text.flush()
    text.detach()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_table(records: list[dict[str, Any]], console: Console) -> None:
    table = Table(show_lines=False, expand=True, header_style="bold", box=box.SIMPLE_HEAD)
    for name, kwargs in (
        ("timestamp", {"no_wrap": True, "min_width": 19}),
        ("computer", {"overflow": "fold", "max_width": 24}),
        ("event_id", {"justify": "right", "no_wrap": True, "min_width": 5}),
        ("level", {"no_wrap": True, "min_width": 4}),
        ("rule_title", {"overflow": "fold", "ratio": 2, "min_width": 20}),
        ("details", {"overflow": "ellipsis", "ratio": 4, "max_width": 400}),
    ):
        table.add_column(name, **kwargs)
    for item in records:
        table.add_row(
            item["timestamp"],
            str(item["computer"] or ""),
            str(item["event_id"] or ""),
            Text(item["level"], style=LEVEL_STYLES.get(item["level"], "")),
            item["rule_title"],
            _shorten(details_text(item["details"]), 300),
        )
    console.print(table)


def write(records: list[dict[str, Any]], fmt: str, out: IO[bytes]) -> None:
    """Write machine formats to a binary stream (a file or stdout's buffer)."""
    if fmt == "jsonl":
        write_jsonl(records, out)
    elif fmt == "json":
        write_json(records, out)
    elif fmt == "csv":
        write_csv(records, out)
    else:
        raise ValueError(f"unknown format {fmt!r}")
