"""Turn the files and folders a responder points at into one stream of `Event`s.

Collected evidence arrives as a mix of `.evtx` files and JSON exports, often misnamed, damaged
or incomplete. Files are told apart by their content, not their name, and anything unreadable
is reported through `on_problem` while everything readable is still read: a hunt over a
thousand logs must not stop at the first bad one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from mamori.events import Event, InputProblem
from mamori.readers.evtx import EVTX_MAGIC, read_evtx
from mamori.readers.jsonl import json_layout, read_json

__all__ = ["list_input_files", "read_events"]

INPUT_SUFFIXES = frozenset({".evtx", ".json", ".jsonl", ".ndjson"})
"""Files picked from folders; a file named explicitly is read whatever its name."""

_SNIFF_BYTES = 65536

PathArg = str | os.PathLike[str]


def _as_list(paths: Iterable[PathArg] | PathArg) -> list[PathArg]:
    """Accept one path too: iterating a lone string would read each character as a path."""
    if isinstance(paths, str | os.PathLike):
        return [paths]
    return list(paths)


def _folder_files(folder: Path) -> list[Path]:
    found = [
        Path(root, name)
        for root, _dirs, names in os.walk(folder)
        for name in names
        if os.path.splitext(name)[1].lower() in INPUT_SUFFIXES
    ]
    found.sort()
    return found


def _expand(paths: Iterable[PathArg] | PathArg) -> Iterator[tuple[Path, str | None]]:
    """Each input file once, in a stable order, with why it cannot be read (None if it can)."""
    seen: set[str] = set()
    for given in _as_list(paths):
        path = Path(given)
        try:
            if path.is_dir():
                files = _folder_files(path)
            elif path.exists():
                files = [path]
            else:
                yield path, "no such file or folder"
                continue
        except OSError as exc:
            yield path, f"cannot access: {exc.strerror or exc}"
            continue
        for file in files:
            key = os.path.abspath(file)
            if key not in seen:
                seen.add(key)
                yield file, None


def list_input_files(paths: Iterable[PathArg] | PathArg) -> list[Path]:
    """The files `read_events` will open, e.g. to size a progress bar."""
    return [path for path, problem in _expand(paths) if problem is None]


def _read_file(path: Path, on_problem: Callable[[InputProblem], None]) -> Iterator[Event]:
    source = str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(len(EVTX_MAGIC))
            if head != EVTX_MAGIC:
                head += handle.read(_SNIFF_BYTES)
    except OSError as exc:
        on_problem(InputProblem(source, "file", f"cannot open: {exc.strerror or exc}"))
        return
    if head.startswith(EVTX_MAGIC):
        yield from read_evtx(path, on_problem)
        return
    if not head.strip():
        on_problem(InputProblem(source, "file", "empty file"))
        return
    layout = json_layout(head, path.suffix)
    if layout is None:
        on_problem(InputProblem(source, "file", "not an EVTX or JSON file"))
        return
    yield from read_json(path, on_problem, layout)


def read_events(
    paths: Iterable[PathArg] | PathArg, on_problem: Callable[[InputProblem], None]
) -> Iterator[Event]:
    """Every event of every input file, file by file; never raises for bad input."""
    for path, problem in _expand(paths):
        if problem is not None:
            on_problem(InputProblem(str(path), "file", problem))
            continue
        try:
            yield from _read_file(path, on_problem)
        except OSError as exc:  # e.g. the disk or share went away mid-file
            on_problem(InputProblem(str(path), "file", f"read failed: {exc}"))
