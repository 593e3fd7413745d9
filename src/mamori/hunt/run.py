"""A whole hunt over files: read in micro-batches, match, collect detections and statistics.

The CLI calls this and only formats what it returns; the 24/7 service will drive `HuntEngine`
directly with live batches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mamori.events import Event, InputProblem
from mamori.hunt.engine import Detection, HuntEngine
from mamori.hunt.model import RuleSet
from mamori.readers import read_events

BATCH_SIZE = 20_000


@dataclass(slots=True)
class HuntStats:
    events: int = 0
    events_in_range: int = 0
    files: set[str] = field(default_factory=set)
    problems: list[InputProblem] = field(default_factory=list)


@dataclass(slots=True)
class HuntResult:
    detections: list[Detection]
    stats: HuntStats

    def by_level(self) -> Counter[str]:
        return Counter(d.rule.level for d in self.detections)


def hunt_files(
    paths: Iterable[str | Path],
    ruleset: RuleSet,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    on_problem: Callable[[InputProblem], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> HuntResult:
    """Run every rule of `ruleset` over the events in `paths` (files or folders)."""
    engine = HuntEngine(ruleset)
    stats = HuntStats()

    def problem(p: InputProblem) -> None:
        stats.problems.append(p)
        if on_problem:
            on_problem(p)

    detections: list[Detection] = []
    batch: list[Event] = []

    def flush() -> None:
        detections.extend(engine.process(batch))
        if on_batch:
            on_batch(len(batch))
        batch.clear()

    for event in read_events(paths, on_problem=problem):
        stats.events += 1
        stats.files.add(event.source)
        if since or until:
            ts = event.timestamp
            if ts is None or (since and ts < since) or (until and ts > until):
                continue
        stats.events_in_range += 1
        batch.append(event)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    detections.extend(engine.finish())
    detections.sort(key=sort_key)
    return HuntResult(detections, stats)


def sort_key(d: Detection) -> tuple:
    ts = d.timestamp.timestamp() if d.timestamp else float("-inf")
    return (ts, d.event.source, d.event.position, d.rule.title, d.rule.id)
