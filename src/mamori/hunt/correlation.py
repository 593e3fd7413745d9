"""Sigma correlation rules (event_count, value_count, temporal, temporal_ordered) over matches.

The state is per correlation and per group-by key: the base-rule matches still inside the
timespan. It survives between micro-batches, so the 24/7 service feeding events as they arrive
gets the same answer as a hunt over the whole file. A correlation fires once per window: when
it fires, the events it grouped are reported together and its window starts afresh, so one
burst gives one alert, not one per event.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mamori.events import Event
from mamori.hunt.matching.values import as_text
from mamori.hunt.model import CompiledCorrelation


@dataclass(slots=True)
class _Entry:
    timestamp: datetime
    rule_id: str
    event: Event
    value: Any = None


@dataclass(slots=True)
class CorrelationMatch:
    correlation: CompiledCorrelation
    group: dict[str, Any]
    events: list[Event]
    rule_ids: list[str]
    timestamp: datetime
    """When the correlation became true (the time of its last grouped event)."""
    value: int
    """The count (events, distinct values or rules) the condition was checked against."""


@dataclass(slots=True)
class _Window:
    entries: list[_Entry] = field(default_factory=list)
    keys: list[datetime] = field(default_factory=list)


def _field_for(corr: CompiledCorrelation, name: str, rule_id: str) -> str:
    mapping = corr.aliases.get(name)
    if mapping is not None:
        return mapping.get(rule_id, name)
    return name


def _lookup(event: Event, name: str) -> Any:
    value = event.fields.get(name)
    if isinstance(value, list | tuple):
        value = tuple(as_text(v) for v in value)
    elif value is not None:
        value = as_text(value)
    return value


class CorrelationEngine:
    """Feeds base-rule matches in time order to every correlation that references the rule."""

    def __init__(self, correlations: Iterable[CompiledCorrelation]) -> None:
        self.correlations = list(correlations)
        self._by_rule: dict[str, list[int]] = {}
        for index, corr in enumerate(self.correlations):
            for rule_id in dict.fromkeys(corr.rules):
                self._by_rule.setdefault(rule_id, []).append(index)
        self._windows: list[dict[tuple, _Window]] = [{} for _ in self.correlations]

    @property
    def rule_ids(self) -> set[str]:
        return set(self._by_rule)

    @property
    def fields_needed(self) -> set[str]:
        """Every event field a correlation reads (group-by, aliases, counted field)."""
        names: set[str] = set()
        for corr in self.correlations:
            names.update(corr.group_by)
            for mapping in corr.aliases.values():
                names.update(mapping.values())
            if corr.condition is not None and corr.condition.field:
                names.add(corr.condition.field)
        return names

    def feed(self, matches: Iterable[tuple[str, Event]]) -> list[CorrelationMatch]:
        """Take (rule id, event) matches, sorted by event time, and return what fired."""
        fired: list[CorrelationMatch] = []
        for rule_id, event in matches:
            if event.timestamp is None:
                continue  # a correlation is about time; an event without one cannot join
            for index in self._by_rule.get(rule_id, ()):
                fired.extend(self._add(index, rule_id, event))
        return fired

    def flush(self) -> list[CorrelationMatch]:
        """End of input: close every open window (matters for `lt`/`lte` conditions)."""
        fired: list[CorrelationMatch] = []
        for index, corr in enumerate(self.correlations):
            if corr.type != "event_count" or not _closes_late(corr):
                continue
            for key, window in list(self._windows[index].items()):
                while window.entries:
                    result = self._close_first(index, key, window)
                    if result is not None:
                        fired.append(result)
        return fired

    # -- internals ---------------------------------------------------------------------------

    def _add(self, index: int, rule_id: str, event: Event) -> list[CorrelationMatch]:
        corr = self.correlations[index]
        key = tuple(_lookup(event, _field_for(corr, g, rule_id)) for g in corr.group_by)
        window = self._windows[index].setdefault(key, _Window())
        ts = event.timestamp
        assert ts is not None
        value = None
        if corr.type == "value_count" and corr.condition and corr.condition.field:
            value = _lookup(event, _field_for(corr, corr.condition.field, rule_id))
            if value is None:
                return []  # nothing to count
        span = timedelta(seconds=corr.timespan_seconds)
        if corr.type == "event_count" and _closes_late(corr):
            fired = []
            while window.entries and ts - window.entries[0].timestamp > span:
                closed = self._close_first(index, key, window)
                if closed is not None:
                    fired.append(closed)
            self._insert(window, _Entry(ts, rule_id, event, value))
            return fired
        self._insert(window, _Entry(ts, rule_id, event, value))
        while window.entries and ts - window.entries[0].timestamp > span:
            window.entries.pop(0)
            window.keys.pop(0)
        checked = self._check(index, key, window)
        return [checked] if checked is not None else []

    @staticmethod
    def _insert(window: _Window, entry: _Entry) -> None:
        position = bisect.bisect_right(window.keys, entry.timestamp)
        window.keys.insert(position, entry.timestamp)
        window.entries.insert(position, entry)

    def _check(self, index: int, key: tuple, window: _Window) -> CorrelationMatch | None:
        corr = self.correlations[index]
        entries = window.entries
        if corr.type == "event_count":
            measure = len(entries)
        elif corr.type == "value_count":
            measure = len({e.value for e in entries})
        else:
            present = {e.rule_id for e in entries}
            if corr.type == "temporal_ordered":
                measure = len(corr.rules) if _in_order(corr.rules, entries) else 0
            else:
                measure = sum(1 for r in dict.fromkeys(corr.rules) if r in present)
        if corr.condition is not None:
            holds = corr.condition.holds(measure)
        else:  # temporal without condition: every referenced rule must have matched
            holds = measure >= len(dict.fromkeys(corr.rules))
        if not holds:
            return None
        result = self._match(corr, key, entries, measure)
        window.entries = []
        window.keys = []
        return result

    def _close_first(self, index: int, key: tuple, window: _Window) -> CorrelationMatch | None:
        """For `lt`/`lte`: judge the window that starts at the oldest entry once it is over."""
        corr = self.correlations[index]
        span = timedelta(seconds=corr.timespan_seconds)
        start = window.entries[0].timestamp
        inside = [e for e in window.entries if e.timestamp - start <= span]
        window.entries = window.entries[len(inside) :]
        window.keys = window.keys[len(inside) :]
        assert corr.condition is not None
        if corr.condition.holds(len(inside)):
            return self._match(corr, key, inside, len(inside))
        return None

    @staticmethod
    def _match(
        corr: CompiledCorrelation, key: tuple, entries: list[_Entry], measure: int
    ) -> CorrelationMatch:
        return CorrelationMatch(
            correlation=corr,
            group=dict(zip(corr.group_by, key, strict=True)),
            events=[e.event for e in entries],
            rule_ids=[e.rule_id for e in entries],
            timestamp=entries[-1].timestamp,
            value=measure,
        )


def _closes_late(corr: CompiledCorrelation) -> bool:
    return corr.condition is not None and corr.condition.op in ("lt", "lte")


def _in_order(rules: tuple[str, ...], entries: list[_Entry]) -> bool:
    """Did the rules match one after another, in the order listed, within the window?"""
    wanted = 0
    last: datetime | None = None
    for entry in entries:
        if entry.rule_id == rules[wanted] and (last is None or entry.timestamp >= last):
            last = entry.timestamp
            wanted += 1
            if wanted == len(rules):
                return True
    return False
