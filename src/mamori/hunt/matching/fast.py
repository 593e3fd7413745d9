"""The fast local matcher: every rule over a batch of events, each distinct value tested once.

Why it is fast: events are grouped by (channel, event id) so each group only meets the rules of
its logsource; within a group every field's *distinct* values are tested once against all the
predicates on that field — literal strings through one case-folded Aho-Corasick automaton per
field, everything else (regex, globs, CIDR, numbers) individually; then each rule's condition
is combined from per-predicate bit masks (Python integers: AND/OR/NOT over thousands of events
in one operation each), skipping predicates that matched nothing. The cost grows with
distinct values × predicates per field, not events × rules.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import ahocorasick

from mamori.events import Event, channel_of, event_id_of
from mamori.hunt.matching.values import (
    MISSING,
    as_text,
    required_literal,
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


def rows_mask(rows: list[int]) -> int:
    """A bit mask with the given row numbers set."""
    if len(rows) < 64:
        mask = 0
        for row in rows:
            mask |= 1 << row
        return mask
    buffer = bytearray(rows[-1] // 8 + 1)
    for row in rows:
        buffer[row >> 3] |= 1 << (row & 7)
    return int.from_bytes(buffer, "little")


def mask_rows(mask: int) -> list[int]:
    """Row numbers of the set bits, in order."""
    rows = []
    while mask:
        low = mask & -mask
        rows.append(low.bit_length() - 1)
        mask ^= low
    return rows


_MEMO_LIMIT = 200_000


class _FieldIndex:
    """All predicates on one field of one plan, tested together per distinct value.

    Literal tests run in one Aho-Corasick pass. Globs and regexes that need a literal
    substring are *gated* by it: the automaton finds the literal and only then is the pattern
    run. Results are remembered per value, because logs repeat values across batches.
    """

    def __init__(self, predicates: list[tuple[int, Predicate]]) -> None:
        self.eq: dict[tuple[bool, str], list[int]] = defaultdict(list)
        self.ungated: list[tuple[int, Predicate]] = []
        self.gated: dict[int, Predicate] = {}
        patterns: dict[tuple[bool, str], list[tuple[int, str]]] = defaultdict(list)
        for pid, pred in predicates:
            test = pred.test
            if isinstance(test, StringTest) and test.value:
                if test.op == "eq":
                    self.eq[(test.cased, test.value)].append(pid)
                else:
                    patterns[(test.cased, test.value)].append((pid, test.op))
                continue
            gate = required_literal(test)
            if gate is None:
                self.ungated.append((pid, pred))
            else:
                self.gated[pid] = pred
                patterns[gate].append((pid, "gate"))
        automata: dict[bool, ahocorasick.Automaton] = {}
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
        self._memo: dict[Any, frozenset[int]] = {}
        self.missing_hits = self.test(MISSING)
        """Predicates that hold for an event *without* this field (null, exists: false)."""

    @staticmethod
    def _strings(text: str, automaton: Any, hits: set[int], gates: set[int]) -> None:
        last = len(text) - 1
        for end, (length, entries) in automaton.iter(text):
            start = end - length + 1
            for pid, op in entries:
                if op == "contains":
                    hits.add(pid)
                elif op == "startswith":
                    if start == 0:
                        hits.add(pid)
                elif op == "endswith":
                    if end == last:
                        hits.add(pid)
                else:
                    gates.add(pid)

    def test(self, value: Any) -> frozenset[int]:
        """Ids of this field's predicates that the value satisfies."""
        try:
            return self._memo[value]
        except KeyError:
            pass
        except TypeError:  # unhashable (never from readers, but be safe)
            return frozenset(self._test(value))
        result = frozenset(self._test(value))
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[value] = result
        return result

    def _test(self, value: Any) -> set[int]:
        hits: set[int] = set()
        gates: set[int] = set()
        if value is not MISSING and value is not None:
            for scalar in scalars(value):
                text = as_text(scalar)
                folded = text.casefold()
                if self.has_eq_folded:
                    hits.update(self.eq.get((False, folded), ()))
                if self.has_eq_cased:
                    hits.update(self.eq.get((True, text), ()))
                if self.folded_automaton is not None:
                    self._strings(folded, self.folded_automaton, hits, gates)
                if self.cased_automaton is not None:
                    self._strings(text, self.cased_automaton, hits, gates)
        for pid in gates:
            if pid not in hits and value_matches(self.gated[pid].test, value):
                hits.add(pid)
        for pid, pred in self.ungated:
            if pid not in hits and value_matches(pred.test, value):
                hits.add(pid)
        return hits


class _KeywordIndex:
    """Keyword (field-less) predicates, searched in all of an event's text at once.

    A keyword matches when any value of the event matches it. Substring keywords are found by
    one automaton pass over the event's values joined by NUL (which no keyword contains, so no
    match spans two values); the rest are run per value, gated by a literal where possible.
    """

    def __init__(self, predicates: list[tuple[int, Predicate]]) -> None:
        automata: dict[bool, ahocorasick.Automaton] = {}
        per_value: list[tuple[int, Predicate]] = []
        for pid, pred in predicates:
            test = pred.test
            if isinstance(test, StringTest) and test.op == "contains" and test.value:
                key = (test.cased, test.value)
                entry: tuple[int, bool] = (pid, False)
            elif (gate := required_literal(test)) is not None:
                key = gate
                entry = (pid, True)
                per_value.append((pid, pred))
            else:
                per_value.append((pid, pred))
                continue
            automaton = automata.get(key[0])
            if automaton is None:
                automaton = automata[key[0]] = ahocorasick.Automaton()
            existing = automaton.get(key[1], ())
            automaton.add_word(key[1], (*existing, entry))
        for automaton in automata.values():
            automaton.make_automaton()
        self.folded = automata.get(False)
        self.cased = automata.get(True)
        self.gated = {pid for pid, pred in per_value if required_literal(pred.test) is not None}
        self.per_value = per_value

    def test_events(self, events: list[Event]) -> dict[int, int]:
        """Predicate id → bit mask of the events (rows) whose text the keyword matches.

        All events of the group go through the automaton as one string (values separated by
        NUL, events by SOH), so the per-event Python work is only joining its values.
        """
        texts = [
            "\0".join(
                [
                    v if type(v) is str else str(v) if type(v) is int else _flat_text(v)
                    for v in e.fields.values()
                    if v is not None
                ]
            )
            for e in events
        ]
        corpus = "\1".join(texts)
        starts = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
        hits: dict[int, int] = {}
        opened: dict[int, int] = {}
        for automaton, text in ((self.folded, None), (self.cased, corpus)):
            if automaton is None:
                continue
            if text is None:
                text = corpus.casefold()
                # Folding can change lengths (ß → ss): locate events in the folded text.
                if len(text) != len(corpus):
                    folded = [t.casefold() for t in texts]
                    text = "\1".join(folded)
                    offsets = list(accumulate((len(t) + 1 for t in folded[:-1]), initial=0))
                else:
                    offsets = starts
            else:
                offsets = starts
            for end, entries in automaton.iter(text):
                bit = 1 << (bisect_right(offsets, end) - 1)
                for pid, is_gate in entries:
                    target = opened if is_gate else hits
                    target[pid] = target.get(pid, 0) | bit
        for pid, pred in self.per_value:
            candidates = opened.get(pid, 0) if pid in self.gated else (1 << len(events)) - 1
            candidates &= ~hits.get(pid, 0)
            for row in mask_rows(candidates):
                fields = events[row].fields
                if any(value_matches(pred.test, v) for v in fields.values() if v is not None):
                    hits[pid] = hits.get(pid, 0) | (1 << row)
        return hits


def _hashable(value: Any) -> Any:
    """A dict key that tests like the value: lists become tuples of their elements' texts
    (nested lists stay text, as `as_text` renders them), booleans their text, so `True` and
    `1` (equal and same hash in Python) are not taken for one value."""
    if type(value) is bool:
        return as_text(value)
    return tuple(None if v is None else as_text(v) for v in value)


def _flat_text(value: Any) -> str:
    if type(value) is list or type(value) is tuple:
        return "\0".join(as_text(v) for v in value if v is not None)
    return as_text(value)


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


@dataclass(slots=True)
class _Plan:
    """The rule variants one kind of event (channel, event id) meets, built once and reused."""

    variants: list[tuple[int, Variant, tuple[int, ...]]]
    """(rule index, variant, global predicate id of each of the variant's predicates)."""
    field_names: frozenset[str]
    """Fields some predicate of these variants tests."""
    users: dict[int, list[int]]
    """Predicate id → positions of the variants that test it: only those can change."""
    always: list[int]
    """Variants that match when none of their predicates fires (e.g. `not filter`)."""
    keywords: _KeywordIndex | None
    """Keyword predicates of these variants only: other kinds' keywords would only cost."""
    field_refs: list[int]


def _selects(selector: EventSelector, event_id: Any) -> bool:
    return selector.event_ids is None or event_id in selector.event_ids


def _event_id(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # not a number, or inf
        return None


class FastMatcher:
    """Evaluates compiled rules over batches of events.

    Predicates are indexed once per field across *all* rules, so a value seen in several kinds
    of event (a command line in Sysmon 1 and in Security 4688) is tested once per process,
    and a plan per kind of event only says which rules to combine.
    """

    def __init__(self, rules: Sequence[CompiledRule]) -> None:
        self.rules = list(rules)
        ids: dict[Predicate, int] = {}
        self._variants: list[tuple[int, Variant, tuple[int, ...]]] = []
        for rule_index, rule in enumerate(self.rules):
            for variant in rule.variants:
                local = tuple(ids.setdefault(p, len(ids)) for p in variant.predicates)
                self._variants.append((rule_index, variant, local))
        self._predicates = list(ids)
        by_field: dict[str, list[tuple[int, Predicate]]] = defaultdict(list)
        self._field_refs: dict[int, Predicate] = {}
        for pred, pid in ids.items():
            if isinstance(pred.test, FieldRefTest):
                self._field_refs[pid] = pred
            elif pred.field is not None:
                by_field[pred.field].append((pid, pred))
        self._fields = {name: _FieldIndex(preds) for name, preds in by_field.items()}
        self._keyword_indexes: dict[frozenset[int], _KeywordIndex] = {}
        self._by_channel: dict[str | None, list[int]] = defaultdict(list)
        for n, (_, variant, _) in enumerate(self._variants):
            channel = variant.selector.channel
            self._by_channel[channel.casefold() if channel is not None else None].append(n)
        self._plans_by_group: dict[tuple[str, int | None], _Plan | None] = {}
        self._plans_by_variants: dict[tuple[int, ...], _Plan] = {}

    def _plan_for(self, channel: str, event_id: int | None) -> _Plan | None:
        key = (channel, event_id)
        if key in self._plans_by_group:
            return self._plans_by_group[key]
        candidates = sorted(self._by_channel.get(channel, []) + self._by_channel.get(None, []))
        chosen = tuple(n for n in candidates if _selects(self._variants[n][1].selector, event_id))
        plan = None
        if chosen:
            plan = self._plans_by_variants.get(chosen)
            if plan is None:
                plan = self._plans_by_variants[chosen] = self._build_plan(chosen)
        self._plans_by_group[key] = plan
        return plan

    def _build_plan(self, chosen: tuple[int, ...]) -> _Plan:
        variants = [self._variants[n] for n in chosen]
        users: dict[int, list[int]] = {}
        always: list[int] = []
        for position, (_, variant, local) in enumerate(variants):
            if _evaluate(variant.condition, local, {}, 1):
                always.append(position)
            for pid in set(local):
                users.setdefault(pid, []).append(position)
        predicates = [self._predicates[pid] for pid in users]
        keywords = frozenset(pid for pid in users if self._predicates[pid].field is None)
        index = None
        if keywords:
            index = self._keyword_indexes.get(keywords)
            if index is None:
                index = _KeywordIndex([(pid, self._predicates[pid]) for pid in sorted(keywords)])
                self._keyword_indexes[keywords] = index
        return _Plan(
            variants=variants,
            field_names=frozenset(p.field for p in predicates if p.field in self._fields),
            users=users,
            always=always,
            keywords=index,
            field_refs=[pid for pid in users if pid in self._field_refs],
        )

    def match(self, events: Sequence[Event]) -> list[tuple[int, int]]:
        """All (rule index, event index) pairs where the rule matches, in no particular order."""
        groups: dict[tuple[str, int | None], list[int]] = defaultdict(list)
        for index, event in enumerate(events):
            fields = event.fields
            channel = channel_of(fields)
            key = (
                channel.casefold() if isinstance(channel, str) else "",
                _event_id(event_id_of(fields)),
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
        bits: dict[int, int] = {}
        everything = (1 << len(events)) - 1
        names = plan.field_names
        distinct: dict[str, defaultdict[Any, list[int]]] = {n: defaultdict(list) for n in names}
        for row, event in enumerate(events):
            fields = event.fields
            for name in names & fields.keys():
                value = fields[name]
                kind = type(value)
                if kind is list or kind is bool:
                    value = _hashable(value)
                distinct[name][value].append(row)
        for name, values in distinct.items():
            index = self._fields[name]
            present = 0
            for value, rows in values.items():
                hits = index.test(value)
                mask = rows_mask(rows) if hits or index.missing_hits else 0
                present |= mask
                for pid in hits:
                    bits[pid] = bits.get(pid, 0) | mask
            if index.missing_hits:
                # Events without the field: only null / not-exists style tests can hold there.
                absent = everything ^ present
                if absent:
                    for pid in index.missing_hits:
                        bits[pid] = bits.get(pid, 0) | absent
        if plan.keywords is not None:
            for pid, mask in plan.keywords.test_events(events).items():
                bits[pid] = bits.get(pid, 0) | mask
        for pid in plan.field_refs:
            pred = self._field_refs[pid]
            test = pred.test
            assert isinstance(test, FieldRefTest)
            for row, event in enumerate(events):
                fields = event.fields
                if _fieldref_matches(
                    test, fields.get(pred.field, MISSING), fields.get(test.other, MISSING)
                ):
                    bits[pid] = bits.get(pid, 0) | (1 << row)

        matches: list[tuple[int, int]] = []
        candidates = set(plan.always)
        users = plan.users
        for pid in bits:
            candidates.update(users.get(pid, ()))
        variants = plan.variants
        for position in candidates:
            rule_index, variant, local = variants[position]
            result = _evaluate(variant.condition, local, bits, everything)
            if result:
                matches.extend((rule_index, positions[row]) for row in mask_rows(result))
        return matches


def _evaluate(node: Node, local: tuple[int, ...], bits: dict[int, int], everything: int) -> int:
    """Combine predicate masks along a condition; 0 means no event matches."""
    if isinstance(node, Ref):
        return bits.get(local[node.index], 0)
    if isinstance(node, And):
        # Cheap pass first: an AND with a child that matched nothing matches nothing.
        for item in node.items:
            if isinstance(item, Ref) and local[item.index] not in bits:
                return 0
        result = everything
        for item in node.items:
            result &= _evaluate(item, local, bits, everything)
            if not result:
                return 0
        return result
    if isinstance(node, Or):
        acc = 0
        for item in node.items:
            acc |= _evaluate(item, local, bits, everything)
        return acc
    if isinstance(node, Not):
        return everything ^ _evaluate(node.item, local, bits, everything)
    if isinstance(node, Const):
        return everything if node.value else 0
    raise TypeError(f"unknown condition node {node!r}")
