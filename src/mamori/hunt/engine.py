"""The hunt engine as a library: rules in, events in micro-batches, detections out.

`mamori hunt` drives it over files; the 24/7 service will drive it over live events. Both call
`process(batch)` repeatedly and `finish()` once, so a rule gives the same answer either way:
base rules are stateless per event, correlation state is kept between batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mamori.events import Event
from mamori.hunt.correlation import CorrelationEngine, CorrelationMatch
from mamori.hunt.matching.fast import FastMatcher
from mamori.hunt.model import CompiledRule, RuleMeta, RuleSet

if TYPE_CHECKING:
    from mamori.hunt.matching.sql import SqlMatcher

_KEY_FIELDS = (
    "User",
    "SubjectUserName",
    "TargetUserName",
    "TargetDomainName",
    "IpAddress",
    "WorkstationName",
    "LogonType",
    "Image",
    "CommandLine",
    "ParentImage",
    "NewProcessName",
    "ParentProcessName",
    "ServiceName",
    "ImagePath",
    "TargetObject",
    "TargetFilename",
    "DestinationIp",
    "DestinationPort",
    "QueryName",
    "ScriptBlockText",
)
_DETAIL_LIMIT = 500
_NAMED_EVENTS = 20
_NOT_DETAILS = frozenset(
    {"Channel", "Computer", "EventID", "EventRecordID", "Keywords", "Level", "Opcode", "Task"}
    | {"Provider_Guid", "Provider_Name", "TimeCreated", "Version"}
)
"""System fields: shown in their own columns or only select the event kind, so not details."""


@dataclass(slots=True)
class Detection:
    """One rule firing: a base rule on one event, or a correlation on the events it grouped."""

    rule: RuleMeta
    event: Event
    """The matched event; for a correlation, the last event it grouped."""
    timestamp: datetime | None
    details: dict[str, Any]
    events: list[Event] = field(default_factory=list)
    """For correlations: every event grouped, in time order."""
    correlation: CorrelationMatch | None = None


def _referenced_fields(rule: CompiledRule) -> list[str]:
    names: dict[str, None] = {}
    for variant in rule.variants:
        for predicate in variant.predicates:
            if predicate.field:
                names[predicate.field] = None
    return list(names)


def detail_names(preferred: Iterable[str]) -> tuple[str, ...]:
    """The fields a person needs to judge a match: the rule's own fields first, then key ones."""
    names = dict.fromkeys((*preferred, *_KEY_FIELDS))
    return tuple(name for name in names if name not in _NOT_DETAILS)


def event_details(event: Event, names: Iterable[str]) -> dict[str, Any]:
    """The event's values of `names` (see `detail_names`), long texts shortened."""
    details: dict[str, Any] = {}
    get = event.fields.get
    for name in names:
        value = get(name)
        if value is None or value == "":
            continue
        if type(value) is str and len(value) > _DETAIL_LIMIT:
            value = value[:_DETAIL_LIMIT] + "…"
        details[name] = value
    return details


_EPOCH = datetime.min.replace(tzinfo=UTC)


def _time_key(event: Event) -> tuple[datetime, str, int]:
    return (event.timestamp or _EPOCH, event.source, event.position)


class HuntEngine:
    """Evaluate a rule set over events arriving in batches."""

    def __init__(
        self, ruleset: RuleSet, *, time_ordered: bool = False, matcher: str = "fast"
    ) -> None:
        """`time_ordered`: batches arrive in time order (a live stream), so correlations can
        fire as they go; otherwise (files in any order) their input is sorted at `finish()`.
        `matcher`: "fast" (the local matcher) or "duckdb" (the same rules as SQL); rules the
        SQL cannot run exactly are listed in `unsupported` and skipped there."""
        self.ruleset = ruleset
        self.time_ordered = time_ordered
        self._pending: list[tuple[str, Event]] = []
        self.matcher: FastMatcher | SqlMatcher
        self.unsupported: dict[str, str] = {}
        if matcher == "duckdb":
            # Imported here: DuckDB, pyarrow and numpy take longer to import than a hunt of
            # a small folder takes with the fast matcher.
            from mamori.hunt.matching.sql import SqlMatcher

            self.matcher = SqlMatcher(ruleset.rules)
            self.unsupported = {
                ruleset.rules[i].meta.id: reason for i, reason in self.matcher.unsupported.items()
            }
        elif matcher == "fast":
            self.matcher = FastMatcher(ruleset.rules)
        else:
            raise ValueError(f"unknown matcher {matcher!r} (fast or duckdb)")
        self.correlations = CorrelationEngine(ruleset.correlations)
        feeding = self.correlations.rule_ids
        self._feeds = [r.meta.id in feeding for r in ruleset.rules]
        self._reported = [r.meta.id not in ruleset.silent for r in ruleset.rules]
        self._detail_fields = [
            detail_names((*r.meta.fields, *_referenced_fields(r))) for r in ruleset.rules
        ]

    def process(self, batch: Sequence[Event]) -> list[Detection]:
        """Evaluate one batch. Correlation input is taken in time order within the batch."""
        detections: list[Detection] = []
        feed: list[tuple[str, Event]] = []
        for rule_index, event_index in self.matcher.match(batch):
            event = batch[event_index]
            rule = self.ruleset.rules[rule_index]
            if self._reported[rule_index]:
                details = event_details(event, self._detail_fields[rule_index])
                detections.append(Detection(rule.meta, event, event.timestamp, details))
            if self._feeds[rule_index]:
                feed.append((rule.meta.id, event))
        if not self.time_ordered:
            self._pending.extend(feed)
        elif feed:
            feed.sort(key=lambda item: _time_key(item[1]))
            detections.extend(self._correlated(self.correlations.feed(feed)))
        return detections

    def take_pending(self) -> list[tuple[str, Event]]:
        """Hand over correlation input held back for ordering (to merge parallel workers)."""
        pending, self._pending = self._pending, []
        return pending

    def add_pending(self, pending: Iterable[tuple[str, Event]]) -> None:
        self._pending.extend(pending)

    def finish(self) -> list[Detection]:
        """End of input: run correlations held back for ordering, close open windows."""
        pending, self._pending = self._pending, []
        pending.sort(key=lambda item: _time_key(item[1]))
        fired = self.correlations.feed(pending) + self.correlations.flush()
        return self._correlated(fired)

    def _correlated(self, matches: list[CorrelationMatch]) -> list[Detection]:
        out = []
        for match in matches:
            last = match.events[-1]
            details: dict[str, Any] = {"count": match.value, **match.group}
            details["events"] = len(match.events)
            # Name the grouped events so a CSV or table row says which records to open.
            named = [
                f"{Path(e.source).name}#{e.fields.get('EventRecordID', e.position)}"
                for e in match.events[:_NAMED_EVENTS]
            ]
            if len(match.events) > _NAMED_EVENTS:
                named.append(f"… +{len(match.events) - _NAMED_EVENTS}")
            details["records"] = ", ".join(named)
            out.append(
                Detection(
                    match.correlation.meta,
                    last,
                    match.timestamp,
                    details,
                    events=list(match.events),
                    correlation=match,
                )
            )
        return out
