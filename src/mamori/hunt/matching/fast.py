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
from collections.abc import Iterable, Sequence
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
    """Keyword (field-less) predicates: an event matches when any of its values does.

    Every event of every kind may have to be searched (SigmaHQ's "Mimikatz Use" has keywords
    and no channel), so the work is done per *distinct* value and remembered: the values of a
    batch that were never seen are searched together (joined by NUL, which no keyword
    contains, so no match spans two values) by one automaton pass; the rest costs a set
    lookup. Keywords that are not plain substrings are run per new value, gated by a literal
    where possible.
    """

    def __init__(self, predicates: list[tuple[int, Predicate]]) -> None:
        automata: dict[bool, ahocorasick.Automaton] = {}
        self.per_value: list[tuple[int, Predicate, bool]] = []
        for pid, pred in predicates:
            test = pred.test
            if isinstance(test, StringTest) and test.op == "contains" and test.value:
                key = (test.cased, test.value)
                entry: tuple[int, bool] = (pid, False)
            elif (gate := required_literal(test)) is not None:
                key = gate
                entry = (pid, True)
                self.per_value.append((pid, pred, True))
            else:
                self.per_value.append((pid, pred, False))
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
        self._seen: set[Any] = set()
        """Values already searched (the memo, without the mostly empty results)."""
        self._hot: dict[Any, frozenset[int]] = {}
        """Searched values that satisfy some keyword, and which."""

    def _search(self, values: list[Any]) -> None:
        """Search values never seen before and remember the ones that match."""
        texts = [v if type(v) is str else _search_text(v) for v in values]
        hits: defaultdict[int, set[int]] = defaultdict(set)
        opened: defaultdict[int, set[int]] = defaultdict(set)
        for automaton, cased in ((self.folded, False), (self.cased, True)):
            if automaton is None:
                continue
            # Folding can change lengths (ß → ss): fold each value, then locate in the join.
            parts = texts if cased else [t.casefold() for t in texts]
            offsets = list(accumulate((len(t) + 1 for t in parts[:-1]), initial=0))
            for end, entries in automaton.iter("\0".join(parts)):
                position = bisect_right(offsets, end) - 1
                for pid, is_gate in entries:
                    (opened if is_gate else hits)[position].add(pid)
        for pid, pred, gated in self.per_value:
            for position in opened if gated else range(len(values)):
                if (gated and pid not in opened[position]) or pid in hits.get(position, ()):
                    continue
                if value_matches(pred.test, values[position]):
                    hits[position].add(pid)
        if len(self._seen) + len(values) > _MEMO_LIMIT:
            self._seen.clear()
            self._hot.clear()
        self._seen.update(values)
        for position, pids in hits.items():
            if pids:
                self._hot[values[position]] = frozenset(pids)

    def test_events(self, events: list[Event]) -> dict[int, int]:
        """Predicate id → bit mask of the events (rows) having a value the keyword matches."""
        rows: list[Any] = [e.fields.values() for e in events]
        values: set[Any] = set()
        try:
            values.update(*rows)
        except TypeError:  # an unhashable (list) value: find its events
            values.clear()
            for row, row_values in enumerate(rows):
                try:
                    values.update(row_values)
                except TypeError:
                    rows[row] = _keys(row_values)
                    values.update(rows[row])
        if bool in set(map(type, values)):
            # True == 1 in a set: events with booleans are compared by their values' texts.
            for row, row_values in enumerate(rows):
                if any(type(v) is bool for v in row_values):
                    rows[row] = _keys(row_values)
            values = set()
            values.update(*rows)
        values.discard(None)
        new = values.difference(self._seen)
        if new:
            self._search(list(new))
        hot = self._hot
        found = values.intersection(hot)
        masks: dict[int, int] = {}
        if found:
            for row, row_values in enumerate(rows):
                if not found.isdisjoint(row_values):
                    bit = 1 << row
                    for value in found.intersection(row_values):
                        for pid in hot[value]:
                            masks[pid] = masks.get(pid, 0) | bit
        return masks


def _search_text(value: Any) -> str:
    """The text keywords are searched in; a multi-valued field's texts are joined by NUL
    (which no keyword contains), so no match spans two of them."""
    if type(value) is tuple:
        return "\0".join(v for v in value if v is not None)
    return as_text(value)


def _keys(values: Iterable[Any]) -> list[Any]:
    """An event's values as set members that test like them (see `_hashable`)."""
    return [v if type(v) in _PLAIN_TYPES else _hashable(v) for v in values]


_PLAIN_TYPES = frozenset({str, int, float, type(None), type(MISSING)})
"""Value types a set keeps apart as the matcher must (1.0 and 1 share their text, too)."""


def _hashable(value: Any) -> Any:
    """A set member that tests like the value: lists become tuples of their elements' texts
    (nested lists stay text, as `as_text` renders them); booleans and anything else their
    text, so `True` and `1` (equal and same hash in Python) are not taken for one value."""
    kind = type(value)
    if kind is list or kind is tuple:
        return tuple(None if v is None else as_text(v) for v in value)
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
        self._field_predicates = dict(by_field)
        self._fields: dict[str, _FieldIndex] = {}
        self._absent: dict[str, frozenset[int]] = {}
        """Built when a field is first met: most rule sets name far more fields than one
        collection of logs has, and building an index costs more than using it."""
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
            field_names=frozenset(p.field for p in predicates if p.field in self._field_predicates),
            users=users,
            always=always,
            keywords=index,
            field_refs=[pid for pid in users if pid in self._field_refs],
        )

    def match(self, events: Sequence[Event]) -> list[tuple[int, int]]:
        """All (rule index, event index) pairs where the rule matches, in no particular order."""
        groups: dict[tuple[Any, Any], list[int]] = defaultdict(list)
        for index, event in enumerate(events):
            kind = (channel_of(event.fields), event_id_of(event.fields))
            try:
                groups[kind].append(index)
            except TypeError:  # an unhashable channel or id: group by what it means instead
                groups[_group_key(kind)].append(index)
        matches: list[tuple[int, int]] = []
        for kind, members in groups.items():
            plan = self._plan_for(*_group_key(kind))
            if plan is not None:
                matches.extend(self._match_group(plan, [events[i] for i in members], members))
        return matches

    def _absent_hits(self, name: str) -> frozenset[int]:
        """Predicates on `name` that hold for an event without it (null, exists: false)."""
        hits = self._absent.get(name)
        if hits is None:
            hits = self._absent[name] = frozenset(
                pid
                for pid, pred in self._field_predicates[name]
                if value_matches(pred.test, MISSING)
            )
        return hits

    def _match_group(
        self, plan: _Plan, events: list[Event], positions: list[int]
    ) -> list[tuple[int, int]]:
        rows = [event.fields for event in events]
        everything = (1 << len(rows)) - 1
        bits: dict[int, int] = {}
        present = plan.field_names.intersection(set().union(*rows))
        for name in plan.field_names - present:
            for pid in self._absent_hits(name):
                bits[pid] = everything
        for name in present:
            index = self._fields.get(name)
            if index is None:
                index = self._fields[name] = _FieldIndex(self._field_predicates[name])
            for pid, mask in _column_hits(index, [f.get(name, MISSING) for f in rows]):
                bits[pid] = bits.get(pid, 0) | mask
        if plan.keywords is not None:
            for pid, mask in plan.keywords.test_events(events).items():
                bits[pid] = bits.get(pid, 0) | mask
        for pid in plan.field_refs:
            pred = self._field_refs[pid]
            test = pred.test
            assert isinstance(test, FieldRefTest)
            for row, fields in enumerate(rows):
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


def _group_key(kind: tuple[Any, Any]) -> tuple[str, int | None]:
    """(case-folded channel, numeric event id): what selects the rules for a kind of event."""
    channel, event_id = kind
    return (channel.casefold() if isinstance(channel, str) else "", _event_id(event_id))


def _column_hits(index: _FieldIndex, column: list[Any]) -> list[tuple[int, int]]:
    """(predicate id, mask of the rows it holds for) for one field's values over a group.

    Each distinct value is tested once (remembered across batches); only values that satisfy
    something are located in the column.
    """
    try:
        distinct = set(column)
        plain = _PLAIN_TYPES.issuperset(map(type, distinct))
    except TypeError:  # a list value
        plain = False
    if not plain:
        # A set takes True for 1 and cannot hold lists: key such values by what they test as.
        column = [v if type(v) in _PLAIN_TYPES else _hashable(v) for v in column]
        distinct = set(column)
    test = index.test
    hot = {}
    for value in distinct:
        hits = test(value)
        if hits:
            hot[value] = hits
    if not hot:
        return []
    if len(distinct) == 1:
        (hits,) = hot.values()
        everything = (1 << len(column)) - 1
        return [(pid, everything) for pid in hits]
    located: defaultdict[Any, list[int]] = defaultdict(list)
    for row, value in enumerate(column):
        if value in hot:
            located[value].append(row)
    out = []
    for value, rows in located.items():
        mask = rows_mask(rows)
        out.extend((pid, mask) for pid in hot[value])
    return out


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
