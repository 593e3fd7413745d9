"""A whole hunt over files: read in micro-batches, match, collect detections and statistics.

The CLI calls this and only formats what it returns; the 24/7 service will drive `HuntEngine`
directly with live batches. Large inputs are split by file across worker processes (one per
core): reading EVTX and matching are CPU-bound Python, so threads would not help. Workers
return only what the output needs — detections with a slim copy of their event, and the
correlation input — and correlations run once, over the merged input, in time order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mamori.events import Event, InputProblem
from mamori.hunt.engine import Detection, HuntEngine
from mamori.hunt.model import RuleSet
from mamori.readers import list_input_files, read_events

BATCH_SIZE = 20_000
PARALLEL_MIN_BYTES = 4 << 20
"""Below this much input a worker pool costs more than it saves."""
CHUNKS_PER_WORKER = 4
"""Files are handed to workers in about this many chunks each, so cores finish together
while each chunk still fills whole batches."""

_OUTPUT_FIELDS = ("Computer", "Channel", "System.Channel", "EventID", "System.EventID")
_OUTPUT_FIELDS += ("EventRecordID",)


@dataclass(slots=True)
class HuntStats:
    events: int = 0
    events_in_range: int = 0
    problems: list[InputProblem] = field(default_factory=list)


@dataclass(slots=True)
class HuntResult:
    detections: list[Detection]
    stats: HuntStats
    skipped_rules: dict[str, str] = field(default_factory=dict)
    """Rule id → why the chosen evaluator could not run it (DuckDB: e.g. a regex RE2 lacks)."""


@dataclass(slots=True)
class _Window:
    since: datetime | None
    until: datetime | None

    def admits(self, event: Event) -> bool:
        if self.since is None and self.until is None:
            return True
        ts = event.timestamp
        if ts is None:
            return False
        return not ((self.since and ts < self.since) or (self.until and ts > self.until))


def _problem_sink(
    stats: HuntStats, on_problem: Callable[[InputProblem], None] | None
) -> Callable[[InputProblem], None]:
    def sink(problem: InputProblem) -> None:
        stats.problems.append(problem)
        if on_problem:
            on_problem(problem)

    return sink


def _run(
    engine: HuntEngine,
    paths: Iterable[str | Path],
    window: _Window,
    stats: HuntStats,
    batch_size: int,
    on_problem: Callable[[InputProblem], None] | None,
    on_batch: Callable[[int], None] | None,
) -> list[Detection]:
    detections: list[Detection] = []
    batch: list[Event] = []
    problem = _problem_sink(stats, on_problem)

    def flush() -> None:
        detections.extend(engine.process(batch))
        if on_batch:
            on_batch(len(batch))
        batch.clear()

    for event in read_events(paths, on_problem=problem):
        stats.events += 1
        if not window.admits(event):
            continue
        stats.events_in_range += 1
        batch.append(event)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return detections


# -- worker side ------------------------------------------------------------------------------

_worker_engine: HuntEngine | None = None
"""Set in the parent before the pool forks, so workers share the compiled rules for free."""


def _slim(event: Event, keep: Iterable[str]) -> Event:
    fields = event.fields
    return Event(
        {name: fields[name] for name in keep if name in fields},
        event.source,
        event.position,
        event.timestamp,
    )


_Found = tuple[int, Event, dict]
"""A worker's detection: rule index, slim event, details (the parent has the rule itself)."""


def _hunt_chunk(
    args: tuple[list[str], _Window, int],
) -> tuple[list[_Found], list[tuple[str, Event]], HuntStats]:
    files, window, batch_size = args
    engine = _worker_engine
    assert engine is not None, "worker started without a rule set"
    stats = HuntStats()
    index = {id(rule.meta): n for n, rule in enumerate(engine.ruleset.rules)}
    found = [
        (index[id(d.rule)], _slim(d.event, _OUTPUT_FIELDS), d.details)
        for d in _run(engine, files, window, stats, batch_size, None, None)
    ]
    needed = (*_OUTPUT_FIELDS, *engine.correlations.fields_needed)
    pending = [(rule_id, _slim(event, needed)) for rule_id, event in engine.take_pending()]
    return found, pending, stats


def _chunks(files: list[Path], workers: int) -> list[list[str]]:
    """Files split, in input order, into chunks of similar total size."""
    sizes = {path: _size(path) for path in files}
    target = max(1, sum(sizes.values()) // (workers * CHUNKS_PER_WORKER))
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for path in files:
        current.append(str(path))
        size += sizes[path]
        if size >= target:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# -- entry point ------------------------------------------------------------------------------


def hunt_files(
    paths: Iterable[str | Path],
    ruleset: RuleSet,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    on_problem: Callable[[InputProblem], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
    matcher: str = "fast",
) -> HuntResult:
    """Run every rule of `ruleset` over the events in `paths` (files or folders)."""
    global _worker_engine
    paths = list(paths)
    window = _Window(since, until)
    engine = HuntEngine(ruleset, matcher=matcher)
    stats = HuntStats()
    workers = default_workers() if workers is None else max(1, workers)
    files = list_input_files(paths)
    parallel = (
        workers > 1
        and matcher == "fast"  # a DuckDB connection must not cross a fork
        and len(files) > 1
        and "fork" in multiprocessing.get_all_start_methods()
        and sum(_size(p) for p in files) >= PARALLEL_MIN_BYTES
    )
    if not parallel:
        detections = _run(engine, paths, window, stats, batch_size, on_problem, on_batch)
    else:
        # Paths that are not files (missing, unreadable) are reported by the reader here.
        problem_sink = _problem_sink(stats, on_problem)
        for _ in read_events([p for p in paths if not Path(p).exists()], problem_sink):
            pass
        detections = []
        _worker_engine = engine
        try:
            context = multiprocessing.get_context("fork")
            with context.Pool(workers) as pool:
                jobs = [(chunk, window, batch_size) for chunk in _chunks(files, workers)]
                rules = ruleset.rules
                for found, pending, part in pool.imap_unordered(_hunt_chunk, jobs):
                    detections.extend(
                        Detection(rules[n].meta, event, event.timestamp, details)
                        for n, event, details in found
                    )
                    engine.add_pending(pending)
                    stats.events += part.events
                    stats.events_in_range += part.events_in_range
                    for problem in part.problems:
                        problem_sink(problem)
                    if on_batch:
                        on_batch(part.events)
        finally:
            _worker_engine = None
    detections.extend(engine.finish())
    detections.sort(key=sort_key)
    return HuntResult(detections, stats, engine.unsupported)


def sort_key(d: Detection) -> tuple:
    ts = d.timestamp.timestamp() if d.timestamp else float("-inf")
    return (ts, d.event.source, d.event.position, d.rule.title, d.rule.id)
