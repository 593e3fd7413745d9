"""The fast local matcher: every rule over a batch of events, each distinct value tested once.

Why it is fast: events are grouped by (channel, event id) so each group only meets the rules of
its logsource; within a group every field's *distinct* values are tested once against all the
predicates on that field — literal strings through one case-folded Aho-Corasick automaton per
field, everything else (regex, globs, CIDR, numbers) individually; then each rule's condition
is combined from per-predicate boolean vectors with numpy, skipping predicates that matched
nothing. The cost grows with distinct values × predicates per field, not events × rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ahocorasick
import numpy as np

from mamori.events import Event
from mamori.hunt.matching.values import (
    MISSING,
    as_text,
    scalars,
    value_matches,
)
from mamori.hunt.model import (
    And,
    CompiledRule,
    Const,
    EventSelector,
    FieldRefTest,
    Node,
    Not,
    Or,
    Predicate,
    Ref,
    StringTest,
    Variant,
)

Bits = np.ndarray | None
"""A boolean vector over a group's events; None stands for "all false" and costs nothing."""


class _FieldIndex:
    """All predicates on one field of one plan, tested together per distinct value."""

    def __init__(self, predicates: list[tuple[int, Predicate]]) -> None:
        self.eq: dict[tuple[bool, str], list[int]] = defaultdict(list)
        self.others: list[tuple[int, Predicate]] = []
        automata: dict[bool, ahocorasick.Automaton] = {}
        patterns: dict[tuple[bool, str], list[tuple[int, str]]] = defaultdict(list)
        for pid, pred in predicates:
            test = pred.test
            if isinstance(test, StringTest) and test.value:
                if test.op == "eq":
                    self.eq[(test.cased, test.value)].append(pid)
                else:
                    patterns[(test.cased, test.value)].append((pid, test.op))
            else:
                self.others.append((pid, pred))
        for (cased, text), entries in patterns.items():
            automaton = automata.get(cased)
            if automaton is None:
                automaton = automata[cased] = ahocorasick.Automaton()
            automaton.add_word(text, (len(text), tuple(entries)))
        for automaton in automata.values():
            automaton.make_automaton()
        self.folded_automaton = automata.get(False)
        self.cased_automaton = automata.get(True)
        self.has_eq_folded = any(not cased for cased, _ in self.eq)
        self.has_eq_cased = any(cased for cased, _ in self.eq)

    def _strings(self, text: str, cased: bool, automaton: Any, hits: set[int]) -> None:
        last = len(text) - 1
        for end, (length, entries) in automaton.iter(text):
            start = end - length + 1
            for pid, op in entries:
                if (
                    op == "contains"
                    or (op == "startswith" and start == 0)
                    or (op == "endswith" and end == last)
                ):
                    hits.add(pid)

    def test(self, value: Any) -> set[int]:
        """Ids of this field's predicates that the value satisfies."""
        hits: set[int] = set()
        if value is not MISSING and value is not None:
            for scalar in scalars(value):
                text = as_text(scalar)
                folded = text.casefold()
                if self.has_eq_folded:
                    hits.update(self.eq.get((False, folded), ()))
                if self.has_eq_cased:
                    hits.update(self.eq.get((True, text), ()))
                if self.folded_automaton is not None:
                    self._strings(folded, False, self.folded_automaton, hits)
                if self.cased_automaton is not None:
                    self._strings(text, True, self.cased_automaton, hits)
        for pid, pred in self.others:
            if pid not in hits and value_matches(pred.test, value):
                hits.add(pid)
        return hits


def _fieldref_matches(test: FieldRefTest, value: Any, other: Any) -> bool:
    if value is MISSING or value is None or other is MISSING or other is None:
        return False
    for left in scalars(value):
        a = as_text(left).casefold()
        for right in scalars(other):
            b = as_text(right).casefold()
            if (
                (test.op == "eq" and a == b)
                or (test.op == "startswith" and a.startswith(b))
                or (test.op == "endswith" and a.endswith(b))
                or (test.op == "contains" and b in a)
            ):
                return True
    return False


def keyword_matches(pred: Predicate, fields: dict[str, Any]) -> bool:
    """A keyword (field-less) search matches when any of the event's values does."""
    return any(
        value_matches(pred.test, value) for value in fields.values() if value is not None
    )


@dataclass(slots=True)
class _Plan:
    """Everything needed to evaluate one set of rule variants, built once and reused."""

    variants: list[tuple[int, Variant, tuple[int, ...]]]
    """(rule index, variant, plan-wide predicate id for each of the variant's predicates)."""
    fields: dict[str, _FieldIndex]
    per_event: list[tuple[int, Predicate]] = field(default_factory=list)
    """Keyword and field-reference predicates, which need the whole event."""


def _build_plan(variants: list[tuple[int, Variant]]) -> _Plan:
    ids: dict[Predicate, int] = {}
    bound: list[tuple[int, Variant, tuple[int, ...]]] = []
    for rule_index, variant in variants:
        local = tuple(ids.setdefault(p, len(ids)) for p in variant.predicates)
        bound.append((rule_index, variant, local))
    by_field: dict[str, list[tuple[int, Predicate]]] = defaultdict(list)
    per_event: list[tuple[int, Predicate]] = []
    for pred, pid in ids.items():
        if pred.field is None or isinstance(pred.test, FieldRefTest):
            per_event.append((pid, pred))
        else:
            by_field[pred.field].append((pid, pred))
    return _Plan(bound, {f: _FieldIndex(ps) for f, ps in by_field.items()}, per_event)


def _selects(selector: EventSelector, channel: str, event_id: Any) -> bool:
    if selector.channel is not None and selector.channel.casefold() != channel:
        return False
    return selector.event_ids is None or event_id in selector.event_ids


def _event_id(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class FastMatcher:
    """Evaluates compiled rules over batches of events; holds no per-batch state."""

    def __init__(self, rules: Sequence[CompiledRule]) -> None:
        self.rules = list(rules)
        self._variants = [(i, v) for i, r in enumerate(self.rules) for v in r.variants]
        self._plans_by_group: dict[tuple[str, int | None], _Plan | None] = {}
        self._plans_by_variants: dict[tuple[int, ...], _Plan] = {}

    def _plan_for(self, channel: str, event_id: int | None) -> _Plan | None:
        key = (channel, event_id)
        if key in self._plans_by_group:
            return self._plans_by_group[key]
        chosen = [
            n for n, (_, v) in enumerate(self._variants) if _selects(v.selector, channel, event_id)
        ]
        plan = None
        if chosen:
            signature = tuple(chosen)
            plan = self._plans_by_variants.get(signature)
            if plan is None:
                plan = _build_plan([self._variants[n] for n in chosen])
                self._plans_by_variants[signature] = plan
        self._plans_by_group[key] = plan
        return plan

    def match(self, events: Sequence[Event]) -> list[tuple[int, int]]:
        """All (rule index, event index) pairs where the rule matches, in no particular order."""
        groups: dict[tuple[str, int | None], list[int]] = defaultdict(list)
        for index, event in enumerate(events):
            fields = event.fields
            channel = fields.get("Channel")
            key = (
                channel.casefold() if isinstance(channel, str) else "",
                _event_id(fields.get("EventID")),
            )
            groups[key].append(index)
        matches: list[tuple[int, int]] = []
        for (channel, event_id), members in groups.items():
            plan = self._plan_for(channel, event_id)
            if plan is not None:
                matches.extend(self._match_group(plan, [events[i] for i in members], members))
        return matches

    def _match_group(
        self, plan: _Plan, events: list[Event], positions: list[int]
    ) -> list[tuple[int, int]]:
        size = len(events)
        bits: dict[int, np.ndarray] = {}

        def mark(pid: int, rows: list[int]) -> None:
            vector = bits.get(pid)
            if vector is None:
                vector = bits[pid] = np.zeros(size, dtype=bool)
            vector[rows] = True

        for name, index in plan.fields.items():
            distinct: dict[Any, list[int]] = defaultdict(list)
            for row, event in enumerate(events):
                value = event.fields.get(name, MISSING)
                if isinstance(value, list):
                    value = tuple(value)
                distinct[value].append(row)
            for value, rows in distinct.items():
                for pid in index.test(value):
                    mark(pid, rows)
        for pid, pred in plan.per_event:
            test = pred.test
            for row, event in enumerate(events):
                fields = event.fields
                if isinstance(test, FieldRefTest):
                    hit = _fieldref_matches(
                        test, fields.get(pred.field, MISSING), fields.get(test.other, MISSING)
                    )
                else:
                    hit = keyword_matches(pred, fields)
                if hit:
                    mark(pid, [row])

        matches: list[tuple[int, int]] = []
        all_true = np.ones(size, dtype=bool)
        for rule_index, variant, local in plan.variants:
            result = _evaluate(variant.condition, local, bits, all_true)
            if result is None:
                continue
            for row in np.flatnonzero(result):
                matches.append((rule_index, positions[row]))
        return matches


def _evaluate(
    node: Node, local: tuple[int, ...], bits: dict[int, np.ndarray], all_true: np.ndarray
) -> Bits:
    """Combine predicate vectors along a condition; None means no event matches."""
    if isinstance(node, Ref):
        return bits.get(local[node.index])
    if isinstance(node, And):
        result: np.ndarray | None = all_true
        # Cheap pass first: an AND with a child that matched nothing matches nothing.
        for item in node.items:
            if isinstance(item, Ref) and local[item.index] not in bits:
                return None
        for item in node.items:
            value = _evaluate(item, local, bits, all_true)
            if value is None:
                return None
            result = value if result is all_true else result & value
            if not result.any():
                return None
        return result
    if isinstance(node, Or):
        acc: np.ndarray | None = None
        for item in node.items:
            value = _evaluate(item, local, bits, all_true)
            if value is not None:
                acc = value if acc is None else acc | value
        return acc
    if isinstance(node, Not):
        value = _evaluate(node.item, local, bits, all_true)
        if value is None:
            return all_true
        inverted = ~value
        return inverted if inverted.any() else None
    if isinstance(node, Const):
        return all_true if node.value else None
    raise TypeError(f"unknown condition node {node!r}")
