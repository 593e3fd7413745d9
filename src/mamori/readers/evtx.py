"""Read Windows `.evtx` files with pyevtx-rs, keeping every readable record of a damaged file.

Logs collected after an incident are often damaged: copied while in use, cut short, or with a
chunk overwritten. The parser runs with `skip_errors=True` so one bad chunk costs only that
chunk, and each skip it warns about becomes an `InputProblem` naming the record or chunk.
A file cut inside a chunk is reported by comparing its size with the chunk layout, because
the parser drops such a partial chunk silently.
"""

from __future__ import annotations

import inspect
import os
import re
import warnings
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
from evtx import PyEvtxParser

from mamori.events import Event, InputProblem
from mamori.readers.winevent import to_event

EVTX_MAGIC = b"ElfFile\x00"
ANSI_CODEC = "windows-31j"
"""CP932 under its WHATWG label (pyevtx-rs rejects "cp932"): ANSI strings from Japanese Windows."""

_HEADER_SIZE = 4096
_CHUNK_SIZE = 65536
_BATCH = 512
"""Records fetched per warnings-capture window: capturing per record would cost ~10% speed."""

_WARNING_PLACE = re.compile(r"record IDs (\d+)\.\.(\d+)|record number (\d+)|chunk number (\d+)")


def _parser_options() -> dict[str, Any]:
    """Use skip_errors and the CP932 codec only where this pyevtx-rs build accepts them."""
    try:
        accepted = inspect.signature(PyEvtxParser).parameters
    except (TypeError, ValueError):
        return {}
    options: dict[str, Any] = {}
    if "skip_errors" in accepted:
        options["skip_errors"] = True
    if "ansi_codec" in accepted:
        options["ansi_codec"] = ANSI_CODEC
    return options


_OPTIONS = _parser_options()


def _place(message: str) -> str:
    """Where a pyevtx-rs warning says the damage is, e.g. 'records 126..222' or 'chunk 2'."""
    found = _WARNING_PLACE.search(message)
    if found is None:
        return "file"
    first, last, record, chunk = found.groups()
    if first is not None:
        return f"records {first}..{last}"
    if record is not None:
        return f"record {record}"
    return f"chunk {chunk}"


def _truncation(path: Path) -> InputProblem | None:
    """A problem if the file stops inside a chunk or before the chunks its header lists."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            header = os.read(descriptor, 48)
            size = os.fstat(descriptor).st_size
        finally:
            os.close(descriptor)
    except OSError:
        return None
    if size < _HEADER_SIZE or len(header) < 44:
        return InputProblem(str(path), "file", f"truncated: {size} bytes, no full EVTX header")
    whole, partial = divmod(size - _HEADER_SIZE, _CHUNK_SIZE)
    if partial:
        return InputProblem(
            str(path),
            f"chunk {whole}",
            f"file ends {partial} bytes into chunk {whole} (truncated copy?); "
            "the records of that chunk are lost",
        )
    listed = int.from_bytes(header[42:44], "little")
    if whole < listed:
        return InputProblem(
            str(path),
            f"chunk {whole}",
            f"header lists {listed} chunks but the file holds {whole} (truncated copy?)",
        )
    return None


def _fetch(records: Iterator[dict[str, Any]]) -> tuple[list[Any], list[Any], Exception | None]:
    """Next batch of raw records, the warnings raised while parsing them, and a fatal error."""
    batch: list[Any] = []
    error: Exception | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            batch.extend(islice(records, _BATCH))
        except Exception as exc:  # the parser gave up; keep what it produced
            error = exc
    return batch, caught, error


def read_evtx(
    path: str | os.PathLike[str], on_problem: Callable[[InputProblem], None]
) -> Iterator[Event]:
    """Events of one EVTX file; damage becomes `InputProblem`s, never an exception."""
    path = Path(path)
    source = str(path)
    try:
        records = PyEvtxParser(source, **_OPTIONS).records_json()
    except Exception as exc:
        on_problem(InputProblem(source, "file", f"cannot open as EVTX: {exc}"))
        return
    loads = orjson.loads
    sequence = position = 0
    while True:
        batch, caught, error = _fetch(records)
        for warning in caught:
            text = str(warning.message).removeprefix("Skipping EVTX data: ")
            on_problem(InputProblem(source, _place(text), f"skipped unreadable data: {text}"))
        for record in batch:
            sequence += 1
            position = record.get("event_record_id") or sequence
            try:
                document = loads(record["data"])
                event = to_event(document.get("Event", document), source, position)
            except Exception as exc:  # a record the flattening cannot use; go on
                on_problem(InputProblem(source, f"record {position}", f"unreadable record: {exc}"))
                continue
            yield event
        if error is not None:
            place = f"after record {position}" if sequence else "file"
            on_problem(InputProblem(source, place, f"reading stopped: {error}"))
            break
        if len(batch) < _BATCH:
            break
    truncated = _truncation(path)
    if truncated is not None:
        on_problem(truncated)
