"""Load Sigma rule files into a `RuleSet`, with a content-keyed cache of compiled rules.

Parsing thousands of YAML rules with pySigma takes seconds; the compiled form of a file depends
only on its bytes and on this compiler's version, so it is cached under a hash of both. Every
rule that cannot be loaded or compiled becomes a `RuleProblem` with the reason: nothing is
dropped silently.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import yaml

from mamori.gc_pause import gc_paused
from mamori.hunt import model
from mamori.hunt.model import CompiledCorrelation, CompiledRule, RuleProblem, RuleSet

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

COMPILER_VERSION = "3"
"""Bump whenever the compiled form or its semantics change, so stale caches are not reused."""

RULE_SUFFIXES = (".yml", ".yaml")

FileResult = tuple[list[CompiledRule], list[CompiledCorrelation], list[RuleProblem]]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mamori" / "rules"


def list_rule_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[RuleProblem]]:
    files: list[Path] = []
    problems: list[RuleProblem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.suffix in RULE_SUFFIXES and p.is_file())
            )
        elif path.is_file():
            files.append(path)
        else:
            problems.append(RuleProblem(str(path), None, None, "no such file or directory"))
    return files, problems


def compile_text(text: str, source: str) -> FileResult:
    """Parse and compile every rule of one YAML file (which may hold several documents)."""
    # pySigma is imported only when something must be compiled: a warm cache never needs it.
    from sigma.collection import SigmaCollection
    from sigma.correlations import SigmaCorrelationRule
    from sigma.exceptions import SigmaError
    from sigma.rule import SigmaRule

    from mamori.hunt.compiler import UnsupportedConstruct, compile_correlation, compile_rule

    rules: list[CompiledRule] = []
    correlations: list[CompiledCorrelation] = []
    problems: list[RuleProblem] = []
    try:
        # libyaml's safe loader: same documents as pySigma's pure-Python safe_load, 10x faster.
        documents = list(yaml.load_all(text, Loader=SafeLoader))
        collection = SigmaCollection.from_dicts(
            documents, collect_errors=True, resolve_references=False
        )
    except yaml.YAMLError as exc:
        return rules, correlations, [RuleProblem(source, None, None, f"invalid YAML: {exc}")]
    except (SigmaError, ValueError, TypeError, KeyError, AttributeError) as exc:
        return rules, correlations, [RuleProblem(source, None, None, f"unreadable rule: {exc}")]
    for item in collection.rules:
        rule_id = str(item.id) if getattr(item, "id", None) else None
        title = getattr(item, "title", None)
        try:
            if isinstance(item, SigmaCorrelationRule):
                correlations.append(compile_correlation(item, source))
            elif isinstance(item, SigmaRule):
                rules.append(compile_rule(item, source))
            else:
                raise UnsupportedConstruct(f"{type(item).__name__} documents are not supported")
        except UnsupportedConstruct as exc:
            problems.append(RuleProblem(source, rule_id, title, str(exc)))
        except (SigmaError, ValueError, TypeError, KeyError, AttributeError) as exc:
            problems.append(RuleProblem(source, rule_id, title, f"{type(exc).__name__}: {exc}"))
    return rules, correlations, problems


class _ModelUnpickler(pickle.Unpickler):
    """Only rebuilds mamori's own rule classes: a tampered cache cannot run code."""

    _allowed_builtins = frozenset({"frozenset", "set", "tuple", "list", "dict"})

    def find_class(self, module: str, name: str) -> object:
        if module == model.__name__ and hasattr(model, name):
            return getattr(model, name)
        if module == "builtins" and name in self._allowed_builtins:
            return super().find_class(module, name)
        if module == "copyreg" and name == "_reconstructor":
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"cache entry refers to {module}.{name}")


class RuleCache:
    """Compiled rule files by content key, in one SQLite file per cache directory.

    One file rather than one per rule: creating SigmaHQ's ~2,400 small files cost 4 s here,
    more than compiling them. New entries are written in one transaction by `flush`. A cache
    that cannot be opened or read only costs speed; entries are unpickled by a restricted
    unpickler, so a tampered cache cannot run code.
    """

    def __init__(self, directory: Path) -> None:
        self.path = directory / "compiled-rules.sqlite"
        self._db: sqlite3.Connection | None = None
        self._broken = False
        self._pending: dict[str, bytes] = {}

    def _connection(self) -> sqlite3.Connection | None:
        if self._db is not None or self._broken:
            return self._db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            db = sqlite3.connect(self.path, timeout=30)
            db.execute(
                "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL)"
            )
            db.commit()
        except (OSError, sqlite3.Error):
            self._broken = True
            return None
        self._db = db
        return db

    def get_many(self, keys: list[str]) -> dict[str, FileResult]:
        """The cached entries among `keys`, in one query."""
        db = self._connection()
        if db is None:
            return {}
        try:
            rows = db.execute(
                "SELECT key, value FROM entries WHERE key IN (SELECT value FROM json_each(?))",
                (json.dumps(keys),),
            ).fetchall()
        except sqlite3.Error:
            return {}
        found: dict[str, FileResult] = {}
        with gc_paused():  # ~10^5 objects appear: see mamori.gc_pause
            for key, blob in rows:
                try:
                    found[key] = _ModelUnpickler(io.BytesIO(blob)).load()
                except (pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
                    continue  # compiled again, and replaced
        return found

    def put(self, key: str, value: FileResult) -> None:
        self._pending[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)

    def flush(self) -> None:
        """Write the entries `put` since the last flush, all in one transaction."""
        pending, self._pending = self._pending, {}
        db = self._connection()
        if db is None or not pending:
            return
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)", pending.items()
                )
        except sqlite3.Error:
            pass  # a read-only or busy cache only costs speed

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def load_rules(
    paths: Iterable[str | Path],
    cache_dir: Path | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> RuleSet:
    """Load, compile (or fetch from cache) and cross-link every rule under `paths`.

    The cache holds one entry per file content, fetched for the whole set in one query, so an
    unchanged rule set loads without pySigma and a changed file recompiles alone.
    """
    files, problems = list_rule_files(paths)
    cache = RuleCache(cache_dir) if cache_dir else None
    ruleset = RuleSet(problems=problems, files=len(files))
    contents: list[tuple[Path, bytes, str]] = []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            ruleset.problems.append(RuleProblem(str(path), None, None, f"cannot read: {exc}"))
            continue
        key = hashlib.sha256(COMPILER_VERSION.encode() + b"\0" + data).hexdigest()
        contents.append((path, data, key))
    cached = cache.get_many([key for _, _, key in contents]) if cache else {}
    for path, data, key in contents:
        _load_file(ruleset, cache, path, data, key, cached.get(key))
        if on_file:
            on_file(path)
    if cache:
        cache.flush()
        cache.close()
    resolve_correlations(ruleset)
    return ruleset


def _load_file(
    ruleset: RuleSet,
    cache: RuleCache | None,
    path: Path,
    data: bytes,
    key: str,
    result: FileResult | None,
) -> None:
    source = str(path)
    if result is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            ruleset.problems.append(RuleProblem(source, None, None, f"not UTF-8: {exc}"))
            return
        result = compile_text(text, source)
        if cache:
            cache.put(key, result)
    rules, correlations, file_problems = result
    if any(item.meta.source != source for item in [*rules, *correlations]) or any(
        p.source != source for p in file_problems
    ):  # the same content was cached from another path
        rules = [replace(r, meta=replace(r.meta, source=source)) for r in rules]
        correlations = [replace(c, meta=replace(c.meta, source=source)) for c in correlations]
        file_problems = [replace(p, source=source) for p in file_problems]
    ruleset.rules.extend(rules)
    ruleset.correlations.extend(correlations)
    ruleset.problems.extend(file_problems)


def resolve_correlations(ruleset: RuleSet) -> None:
    """Point correlation references (rule ids or `name:`s) at rule ids, reporting dangling ones."""
    by_ref: dict[str, str] = {}
    for item in [*ruleset.rules, *ruleset.correlations]:
        if item.meta.id:
            by_ref[item.meta.id] = item.meta.id
        if item.meta.name:
            by_ref[item.meta.name] = item.meta.id
    resolved: list[CompiledCorrelation] = []
    for corr in ruleset.correlations:
        missing = [r for r in corr.rules if r not in by_ref]
        if missing:
            ruleset.problems.append(
                RuleProblem(
                    corr.meta.source,
                    corr.meta.id,
                    corr.meta.title,
                    f"correlation refers to rules not loaded: {', '.join(missing)}",
                )
            )
            continue
        aliases = {
            alias: {by_ref.get(ref, ref): name for ref, name in mapping.items()}
            for alias, mapping in corr.aliases.items()
        }
        resolved.append(replace(corr, rules=tuple(by_ref[r] for r in corr.rules), aliases=aliases))
    ruleset.correlations = resolved
    generating = {ref for c in resolved if c.generate for ref in c.rules}
    ruleset.silent = {ref for c in resolved for ref in c.rules} - generating


def select_rules(
    ruleset: RuleSet,
    min_level: str = "informational",
    statuses: Iterable[str] | None = None,
    exclude_tags: Iterable[str] = (),
) -> RuleSet:
    """Keep the rules the user asked for; rules a kept correlation needs stay, unreported."""
    floor = model.LEVELS.index(min_level)
    wanted_status = {s.lower() for s in statuses} if statuses else None
    excluded = {t.lower() for t in exclude_tags}

    def keep(meta: model.RuleMeta) -> bool:
        if model.LEVELS.index(meta.level) < floor:
            return False
        if wanted_status is not None and (meta.status or "") not in wanted_status:
            return False
        return not any(t.lower() in excluded for t in meta.tags)

    correlations = [c for c in ruleset.correlations if keep(c.meta)]
    rules = [r for r in ruleset.rules if keep(r.meta)]
    kept_ids = {r.meta.id for r in rules}
    needed = {ref for c in correlations for ref in c.rules}
    feeders = [r for r in ruleset.rules if r.meta.id in needed and r.meta.id not in kept_ids]
    silent = ruleset.silent | {r.meta.id for r in feeders}
    return RuleSet(rules + feeders, correlations, list(ruleset.problems), ruleset.files, silent)
