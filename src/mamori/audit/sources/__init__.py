"""Identity exports → `IdentityData`: each file recognised by its content, read by its source.

A source module (entra, okta, aws, gws, ad) exposes:

- `SOURCE`: its `SourceKind` value;
- `sniff(records) -> str | None`: the export kind this file is (e.g. "users",
  "registration", "policies", "role_assignments", "signins"), or None if not this source's;
- `build(exports, on_problem) -> IdentityData`: the accounts, groups, policies and sign-ins of
  all of that source's files together (users joined with their MFA registration, roles…), and
  `coverage.kinds[SOURCE]` naming the kinds it received.

Files are recognised by content because exports arrive renamed ("users (1).json"); `--source`
overrides the guess for files that are ambiguous.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from mamori.audit.model import IdentityData
from mamori.audit.sources import ad, aws, entra, gws, mapped_csv, okta
from mamori.audit.sources.files import Problem, Records, parse_file
from mamori.audit.sources.mapped_csv import Mapping
from mamori.events import InputProblem

SOURCES: tuple[ModuleType, ...] = (entra, okta, aws, gws, ad)
"""In sniffing order: the first source that claims a file reads it."""

EXPORT_SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv", ".txt")


@dataclass(slots=True)
class Export:
    """One recognised export file."""

    source: str
    kind: str
    records: Records


def list_export_files(paths: Iterable[str | Path], on_problem: Problem) -> list[Path]:
    """Files given, and export-looking files under folders given (recursive, sorted)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in EXPORT_SUFFIXES
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            on_problem(InputProblem(str(path), "file", "no such file or directory"))
    return files


def recognise(records: Records, source: str | None = None) -> tuple[str, str] | None:
    """(source, kind) of an export, trying only `source` when given."""
    for module in SOURCES:
        if source is not None and source != module.SOURCE:
            continue
        kind = module.sniff(records)
        if kind is not None:
            return module.SOURCE, kind
    return None


def read_identity(
    paths: Iterable[str | Path],
    on_problem: Problem,
    source: str | None = None,
    mappings: Sequence[Mapping] = (),
) -> IdentityData:
    """Read every export under `paths` into one `IdentityData` (not yet linked or tagged).

    `mappings`: column mappings for CSVs of other systems (`mapped_csv`), tried on files no
    built-in source recognises."""
    by_source: dict[str, list[Export]] = defaultdict(list)
    mapped: dict[int, list[Records]] = defaultdict(list)
    for path in list_export_files(paths, on_problem):
        records = parse_file(path, on_problem)
        if records is None:
            continue
        found = recognise(records, source)
        claimed = next((n for n, m in enumerate(mappings) if m.claims(records)), None)
        if found is None and claimed is not None:
            mapped[claimed].append(records)
            continue
        if found is None:
            hint = f" as {source}" if source else ""
            on_problem(
                InputProblem(
                    str(path),
                    "file",
                    f"not recognised{hint} as an identity export (see docs/audit.md for the "
                    "shapes mamori reads; --source forces one)",
                )
            )
            continue
        by_source[found[0]].append(Export(found[0], found[1], records))
    data = IdentityData()
    for module in SOURCES:
        exports = by_source.get(module.SOURCE)
        if exports:
            data.extend(module.build(exports, on_problem))
    for number, files in mapped.items():
        data.extend(mapped_csv.build(mappings[number], files, on_problem))
    return data
