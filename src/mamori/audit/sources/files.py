"""Reading export files: JSON in the shapes APIs return, JSON lines, CSV in any encoding.

Identity exports reach an auditor in many hands: Graph pages saved one per file or several in
one array, PowerShell CSVs in CP932 from Japanese Windows or UTF-16 from `Export-Csv`, AWS
credential reports with a BOM. Everything here returns records with their position, reports
what it could not read with the file and position, and never raises for bad input.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from mamori.events import InputProblem

Problem = Callable[[InputProblem], None]

MAX_FILE_BYTES = 2 << 30
"""Refuse files above 2 GiB rather than exhaust memory: exports are far smaller."""


@dataclass(slots=True)
class Records:
    """The records of one export file, each with the place it came from."""

    path: Path
    format: str
    """json | jsonl | csv"""
    rows: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(position, record); positions read 'value[3]', 'page 2 value[0]', 'line 7', 'row 4'."""
    encoding: str | None = None
    """For CSV: the encoding detected (utf-8, utf-8-sig, utf-16, cp932)."""
    header: list[str] = field(default_factory=list)
    """For CSV: the column names as written."""
    context: str | None = None
    """Graph's @odata.context of the first page, which names the collection."""


def read_bytes(path: Path, on_problem: Problem) -> bytes | None:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            on_problem(InputProblem(str(path), "file", f"too large ({size} bytes)"))
            return None
        return path.read_bytes()
    except OSError as exc:
        on_problem(InputProblem(str(path), "file", f"cannot read: {exc.strerror or exc}"))
        return None


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: BOMs first, then UTF-8, then CP932 (Japanese Windows).

    CP932 is tried only when the bytes are not valid UTF-8, which a CP932 file with Japanese
    text practically never is; plain ASCII reads as UTF-8 either way.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), "utf-8 (with undecodable bytes replaced)"


def _page_rows(page: Any, prefix: str) -> list[tuple[str, dict[str, Any]]] | None:
    """Records of one API page: Graph `{"value": [...]}`, a bare array of objects, or an
    array of such arrays (Okta pages saved one after another)."""
    if isinstance(page, dict) and isinstance(page.get("value"), list):
        items = page["value"]
    elif isinstance(page, list):
        if page and all(isinstance(item, list) for item in page):
            return [
                row
                for number, inner in enumerate(page, start=1)
                for row in _page_rows(inner, f"{prefix}page {number} ") or []
            ]
        items = page
    else:
        return None
    return [(f"{prefix}value[{i}]", item) for i, item in enumerate(items) if isinstance(item, dict)]


def parse_json(path: Path, data: bytes, on_problem: Problem) -> Records | None:
    """A JSON document (one page, an array of pages, an array of records) or JSON lines."""
    try:
        # Most exports are plain UTF-8: orjson reads the bytes without decoding them first.
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        document = _NOT_PLAIN
    if document is not _NOT_PLAIN:
        return _json_document(Records(path, "json", encoding="utf-8"), document, on_problem)
    text, encoding = decode_text(data)
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if "\n" not in text.strip():
            on_problem(InputProblem(str(path), _json_position(text, exc), f"invalid JSON: {exc}"))
            return None
        return _parse_json_lines(path, text, encoding, on_problem)
    return _json_document(Records(path, "json", encoding=encoding), document, on_problem)


_NOT_PLAIN = object()


def _json_document(records: Records, document: Any, on_problem: Problem) -> Records | None:
    path = records.path
    if isinstance(document, dict) and isinstance(document.get("@odata.context"), str):
        records.context = document["@odata.context"]
    if (
        isinstance(document, list)
        and document
        and all(isinstance(p, dict) and isinstance(p.get("value"), list) for p in document)
    ):
        for number, page in enumerate(document, start=1):
            if records.context is None and isinstance(page.get("@odata.context"), str):
                records.context = page["@odata.context"]
            records.rows.extend(_page_rows(page, f"page {number} ") or [])
        return records
    rows = _page_rows(document, "")
    if rows is None:
        if isinstance(document, dict):
            records.rows.append(("document", document))
            return records
        on_problem(InputProblem(str(path), "file", "JSON is neither an object nor an array"))
        return None
    records.rows = rows
    return records


def _json_position(text: str, exc: orjson.JSONDecodeError) -> str:
    position = getattr(exc, "pos", None)
    if position is None:
        return "file"
    line = text.count("\n", 0, position) + 1
    return f"line {line}"


def _parse_json_lines(path: Path, text: str, encoding: str, on_problem: Problem) -> Records:
    records = Records(path, "jsonl", encoding=encoding)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            on_problem(InputProblem(str(path), f"line {number}", f"invalid JSON: {exc}"))
            continue
        page = _page_rows(item, f"line {number} ")
        if page is not None and isinstance(item, dict):
            if records.context is None and isinstance(item.get("@odata.context"), str):
                records.context = item["@odata.context"]
            records.rows.extend(page)
        elif isinstance(item, dict):
            records.rows.append((f"line {number}", item))
        else:
            on_problem(InputProblem(str(path), f"line {number}", "not a JSON object"))
    return records


def parse_csv(path: Path, data: bytes, on_problem: Problem) -> Records | None:
    """A CSV with a header row; rows shorter or longer than the header are reported."""
    text, encoding = decode_text(data)
    lines = text.splitlines()
    # PowerShell's Export-Csv (Windows PowerShell 5) writes a "#TYPE ..." line first.
    skip = 1 if lines and lines[0].startswith("#TYPE") else 0
    body = "\n".join(lines[skip:])
    reader = csv.reader(io.StringIO(body), delimiter=_delimiter(lines[skip] if lines else ""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        on_problem(InputProblem(str(path), "file", "empty CSV (no header row)"))
        return None
    header = [name.strip() for name in header]
    records = Records(path, "csv", encoding=encoding, header=header)
    row_number = 1 + skip
    try:
        for row in reader:
            row_number += 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                on_problem(
                    InputProblem(
                        str(path),
                        f"row {row_number}",
                        f"{len(row)} columns where the header has {len(header)}; row skipped",
                    )
                )
                continue
            records.rows.append((f"row {row_number}", dict(zip(header, row, strict=True))))
    except csv.Error as exc:
        on_problem(InputProblem(str(path), f"row {row_number}", f"unreadable CSV: {exc}"))
    return records


def _delimiter(header: str) -> str:
    """`,` unless the header is clearly split by `;` or a tab: Export-Csv -Delimiter ';' and
    Excel in locales with a decimal comma write `;`, Log Analytics exports may use tabs."""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def parse_file(path: Path, on_problem: Problem) -> Records | None:
    """JSON, JSON lines or CSV, decided by content (the extension is only a hint)."""
    data = read_bytes(path, on_problem)
    if data is None:
        return None
    head = data[:4096]
    if not head.strip():
        on_problem(InputProblem(str(path), "file", "empty file"))
        return None
    text_head, _ = decode_text(head)
    first = text_head.lstrip("\ufeff \t\r\n")[:1]
    if first in ("{", "["):
        return parse_json(path, data, on_problem)
    return parse_csv(path, data, on_problem)
