"""Read Windows events exported as JSON: JSON lines, evtx_dump output, or a JSON array.

Responders rarely get the original `.evtx`: they get what a collector exported. Three layouts
are common and all are read here, streaming where the layout allows:

* JSON lines (evtx_dump `-o jsonl`, Velociraptor, SIEM exports): one object per line.
* Pretty-printed objects back to back (evtx_dump `-o json`, each after a `Record N` line),
  a single pretty object, or a pretty array. Split at the closing brace that sits at the
  opening brace's indentation, so a GB-sized export is never held in memory at once.
* An array written on one line, read whole.

Each object may be evtx_dump's `{"Event": {...}}`, Velociraptor's `{"System": ..., "EventData":
...}`, or already flat (`{"EventID": 4688, ...}`, kept as it is). A broken line or object is
reported and skipped; reading goes on with the next one.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Literal

import orjson

from mamori.events import Event, InputProblem, parse_utc
from mamori.readers.winevent import to_event

Layout = Literal["lines", "documents", "array"]

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_LINE_SUFFIXES = frozenset({".jsonl", ".ndjson"})
_FLAT_TIME_KEYS = ("TimeCreated", "SystemTime", "@timestamp", "timestamp", "Timestamp")
_ARRAY_PUNCTUATION = frozenset({b"[", b"]", b",", b"],"})


def event_from_object(obj: dict[str, Any], source: str, position: int) -> Event:
    """An `Event` from one JSON object in any of the three shapes we accept."""
    inner = obj.get("Event")
    if type(inner) is dict:
        return to_event(inner, source, position)
    if type(obj.get("System")) is dict:
        return to_event(obj, source, position)
    timestamp = None
    for key in _FLAT_TIME_KEYS:
        value = obj.get(key)
        if value is not None:
            timestamp = parse_utc(value)
            if timestamp is not None:
                break
    return Event(obj, source, position, timestamp)


def json_layout(head: bytes, suffix: str = "") -> Layout | None:
    """Which JSON layout a file's first bytes show, or None if it does not look like JSON.

    A `.jsonl`/`.ndjson` file whose first line is damaged is still read as lines, so its
    good lines are not lost with the bad one.
    """
    after_record = False
    for line in _utf8(head).splitlines():
        text = line.strip()
        if not text:
            continue
        if text.startswith(b"Record ") and not after_record:
            after_record = True  # evtx_dump; its `-o xml` output is not ours to read
            continue
        if text in (b"{", b"[") or (after_record and text.startswith(b"{")):
            return "documents"
        if text.startswith(b"{") and not after_record:
            return "lines"
        if text.startswith(b"[") and not after_record:
            return "array"
        break
    return "lines" if suffix.lower() in _LINE_SUFFIXES else None


def _utf8(data: bytes) -> bytes:
    """UTF-8 without BOM; Windows PowerShell 5 writes JSON as UTF-16 with a BOM by default."""
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM) :]
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace").encode()
    return data


def _open(path: Path) -> BinaryIO:
    """The file as a UTF-8 byte stream: streamed when it already is UTF-8, converted if not."""
    handle = path.open("rb")
    head = handle.read(3)
    if head.startswith(_UTF16_BOMS):
        data = _utf8(head + handle.read())
        handle.close()
        return io.BytesIO(data)
    handle.seek(len(_UTF8_BOM) if head == _UTF8_BOM else 0)
    return handle


def _event(
    obj: Any, source: str, place: str, number: int, on_problem: Callable[[InputProblem], None]
) -> Event | None:
    """The event of one decoded JSON value, or None after reporting why there is none."""
    if type(obj) is not dict:
        on_problem(InputProblem(source, f"{place} {number}", "not a JSON object"))
        return None
    try:
        return event_from_object(obj, source, number)
    except Exception as exc:  # an object the flattening cannot use; go on
        on_problem(InputProblem(source, f"{place} {number}", f"unusable event: {exc}"))
        return None


def _decode(
    data: bytes, source: str, number: int, on_problem: Callable[[InputProblem], None]
) -> Event | None:
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        on_problem(InputProblem(source, f"line {number}", f"invalid JSON: {exc}"))
        return None
    return _event(obj, source, "line", number, on_problem)


def parse_lines(
    lines: Iterable[bytes | str],
    source: str,
    on_problem: Callable[[InputProblem], None],
) -> Iterator[Event]:
    """Events of JSON lines; each object line gives one event positioned at its line number."""
    loads = orjson.loads
    for number, line in enumerate(lines, 1):
        try:
            obj = loads(line)
        except orjson.JSONDecodeError as exc:
            if line.strip():
                on_problem(InputProblem(source, f"line {number}", f"invalid JSON: {exc}"))
            continue
        event = _event(obj, source, "line", number, on_problem)
        if event is not None:
            yield event


def parse_documents(
    lines: Iterable[bytes], source: str, on_problem: Callable[[InputProblem], None]
) -> Iterator[Event]:
    """Events of pretty-printed objects (back to back, after `Record N` lines, or in an array).

    Each event is positioned at the line where its object opens.
    """
    buffer: list[bytes] = []
    closing = b"}"
    indent = start = 0
    in_junk = False
    event: Event | None
    for number, line in enumerate(lines, 1):
        if buffer:
            if line.startswith(closing):
                buffer.append(b"}")
                event = _decode(b"".join(buffer), source, start, on_problem)
                buffer = []
                if event is not None:
                    yield event
                continue
            reopened = line.strip() == b"{" and line.index(b"{") == indent
            if not (reopened or line.startswith(b"Record ")):
                buffer.append(line)
                continue
            # The next object starts before this one closed: it was cut short.
            on_problem(InputProblem(source, f"line {start}", "JSON object cut short"))
            buffer = []
        text = line.strip()
        if not text or text in _ARRAY_PUNCTUATION or text.startswith(b"Record "):
            in_junk = False
            continue
        if text == b"{":
            indent = line.index(b"{")
            closing = line[:indent] + b"}"
            buffer = [b"{"]
            start = number
            in_junk = False
        elif text.startswith(b"{") and b"}" in text:
            # One object per line inside an array: `{...},` or `{...}]`.
            event = _decode(text[: text.rindex(b"}") + 1], source, number, on_problem)
            in_junk = False
            if event is not None:
                yield event
        elif not in_junk:
            # Report a run of unexpected lines once, not line by line.
            on_problem(InputProblem(source, f"line {number}", "unexpected text between objects"))
            in_junk = True
    if buffer:
        on_problem(
            InputProblem(source, f"line {start}", "JSON object not closed before end of file")
        )


def parse_array(
    data: bytes, source: str, on_problem: Callable[[InputProblem], None]
) -> Iterator[Event]:
    """Events of a JSON array read whole; each is positioned at its 1-based index."""
    try:
        items = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        on_problem(InputProblem(source, "file", f"invalid JSON: {exc}"))
        return
    if type(items) is dict:
        items = [items]
    elif type(items) is not list:
        on_problem(InputProblem(source, "file", "JSON is neither an object nor an array"))
        return
    for index, obj in enumerate(items, 1):
        event = _event(obj, source, "item", index, on_problem)
        if event is not None:
            yield event


def read_json(
    path: str | os.PathLike[str],
    on_problem: Callable[[InputProblem], None],
    layout: Layout = "lines",
) -> Iterator[Event]:
    """Events of one JSON export laid out as `json_layout` found."""
    path = Path(path)
    source = str(path)
    with _open(path) as handle:
        if layout == "lines":
            yield from parse_lines(handle, source, on_problem)
        elif layout == "documents":
            yield from parse_documents(handle, source, on_problem)
        else:
            yield from parse_array(handle.read(), source, on_problem)
