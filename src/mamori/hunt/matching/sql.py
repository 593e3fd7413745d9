"""Sigma rules as SQL over a table of events, evaluated by DuckDB.

Why a second evaluator: SQL is what lets mamori hunt over stored tables (DuckDB files, Parquet,
later Spark) instead of only over a batch held in memory, and running it next to the fast
matcher on the same events is how either one's bugs get caught. The SQL is generated here from
the compiled form (`mamori.hunt.model`), never through pySigma backends or sqlglot, because
those lose exactly the details (LIKE escaping, regex flags, NULLs under NOT) that decide whether
a rule fires. Every construct must give what `values.py` says, for every input.

Table shape (one row per event; `column_name` gives the names)
---------------------------------------------------------------
- `_row` BIGINT: the event's index in the batch.
- `_channel` VARCHAR: the log the event was written to (`events.channel_of`) case-folded; ''
  when missing or not text (as the fast matcher groups events).
- `_event_id` BIGINT: `events.event_id_of` as an integer (text is parsed), NULL when it is none
  or beyond BIGINT.
- for every field `F` a predicate reads (including the other side of a `|fieldref`):
  - `t:F` VARCHAR[]: the texts (`values.as_text`) of the field's non-null scalar values: a
    scalar is a one-element list, a list keeps its order; NULL when the field is missing or null.
  - `f:F` VARCHAR[]: the same texts Unicode case-folded (Python `str.casefold`, through the UDF
    `casefold`, once at load time), for the case-insensitive tests.
  - `k:F` TINYINT: what the value is: NULL missing, 0 null, 1 empty (`""` or an empty list),
    2 anything else. Exists/null tests need this: `t:F` cannot tell `[]` from `[None]`, nor a
    missing field from a null one.
- only when a rule has keyword (field-less) predicates: `_kw_t`, `_kw_f` (all texts of all the
  event's fields) and `_kw_k` (NULL when no field has a non-null value, 1 when some value is
  empty, else 2).

`F` is the field name with every ASCII capital written `^` + its lower case and `^` doubled
(`CommandLine` → `t:^command^line`): DuckDB and Spark compare identifiers case-insensitively,
while Sigma field names are case-sensitive.

Semantics and the choices behind them
-------------------------------------
- Every predicate is wrapped in `coalesce(…, false)`, so NOT of a missing field is true, as in
  the fast matcher (SQL's three-valued NOT would drop the row).
- Multi-valued fields match when any element does (`list_bool_or(list_transform(…))`).
- Strings: `list_contains`, `starts_with`, `ends_with`, `contains` — exact byte comparisons,
  which on UTF-8 are exact code-point comparisons. Globs: `LIKE … ESCAPE '!'` with `!`, `%` and
  `_` escaped in the literal parts. All user values are bound as parameters.
- Regex (`|re`): RE2, after translating Python's parse tree of the pattern (see
  `translate_regex`): `\\d \\w \\s` become explicit classes built from Python's own tables (RE2's
  are ASCII-only), `\\Z` becomes `\\z`, a non-multiline `$` at the end of the pattern becomes
  `(?:\\n?\\z)` (Python's `$` also matches before a final newline, RE2's does not), and under
  `(?i)` the four fold classes where RE2 and Python disagree (i/I/İ/ı, ΐ/ΐ, ΰ/ΰ, ﬅ/ﬆ) are
  spelled out. What RE2 cannot do exactly — lookaround, backreferences, atomic groups,
  possessive repeats, conditionals, `\\b`/`\\B` (ASCII-only in RE2), `$` before more pattern,
  the ASCII flag, repeats over 1000 — is reported, never approximated.
- CIDR: IPv4 networks in pure SQL (strict dotted quad as Python's `ipaddress` parses it — four
  decimal octets 0–255, no leading zeros, surrounding Unicode whitespace stripped — compared as
  integers; the `inet` extension would need a download). IPv6 networks through the Python UDF
  `mamori_in_network`, which applies `values.py` itself: IPv6 parsing (zone ids, embedded IPv4,
  `::`) is too intricate to restate in SQL exactly.
- Numbers (`|lt` …): only texts fully matching `values.NUMBER_PATTERN` are cast to DOUBLE.
- Keyword (field-less) tests read `_kw_*`; a field-less `|fieldref` (never compiled) is false.

Regex residue, accepted knowingly: the `\\d \\w \\s` classes follow the Unicode version of
the running Python, but RE2's own case folding (`(?i)`) follows RE2's Unicode tables; the tests
compare both on every pair of case-related code points, so a new divergence shows up there.

Cost: DuckDB's common-subexpression optimizer is disabled on mamori's connections (its planning
time grows with the square of a query's expressions: 30 s for the 1,181 process-creation rules
in one SELECT), ORs of string tests on one field become one list-valued test, and a query holds
at most `SqlMatcher.QUERY_SIZE` rule variants. All SigmaHQ Windows rules over the 16,801 events
of the shared sample logs take about 13 s; the fast matcher is the one to use for speed.
"""

from __future__ import annotations

import ipaddress
import math
import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from re import _constants as sre
from re import _parser as sre_parse
from typing import Any, Literal

import duckdb
import numpy as np
import pyarrow as pa

from mamori.events import Event, channel_of, event_id_of
from mamori.hunt.matching.values import (
    MISSING,
    NUMBER_PATTERN,
    as_text,
    is_null,
    scalar_matches,
    scalars,
)
from mamori.hunt.model import (
    And,
    CidrTest,
    CompareTest,
    CompiledRule,
    Const,
    EventSelector,
    ExistsTest,
    FieldRefTest,
    GlobTest,
    Node,
    Not,
    NullTest,
    Or,
    Predicate,
    Ref,
    RegexTest,
    StringTest,
    Variant,
)

__all__ = [
    "IPV4_PATTERN",
    "PYTHON_WHITESPACE",
    "SqlMatcher",
    "UnsupportedSql",
    "build_table",
    "column_name",
    "connect",
    "like_pattern",
    "load_table",
    "translate_regex",
    "variant_sql",
]

Role = Literal["t", "f", "k"]

LIKE_ESCAPE = "!"
"""Not `\\`: Windows paths are full of backslashes, and Spark rejects `\\` before a letter."""

TABLE = "events"

PYTHON_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
"""What `str.strip()` removes (no whitespace code point lies above U+3000)."""

_INT64 = (-(2**63), 2**63 - 1)


class UnsupportedSql(ValueError):
    """A test SQL cannot evaluate exactly as `values.py` does; the message says why."""


# ---------------------------------------------------------------------------------------------
# Names and parameters
# ---------------------------------------------------------------------------------------------


def _encode(name: str) -> str:
    return "".join(
        "^^" if ch == "^" else f"^{ch.lower()}" if "A" <= ch <= "Z" else ch for ch in name
    )


def column_name(field: str | None, role: Role) -> str:
    """Column holding a field's texts (t), folded texts (f) or kind (k); None = keywords."""
    if field is None:
        return f"_kw_{role}"
    return f"{role}:{_encode(field)}"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _col(field: str | None, role: Role) -> str:
    return quote(column_name(field, role))


class _Params:
    """Collects bound values in the order their `?` placeholders are written."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return "?"


# ---------------------------------------------------------------------------------------------
# Regex: Python `re` → RE2
# ---------------------------------------------------------------------------------------------

_SPECIAL_FOLDS = ("iIİı", "\u0390\u1fd3", "\u03b0\u1fe3", "\ufb05\ufb06")
"""Case-insensitive classes where Python's `re` and RE2 disagree (measured exhaustively by the
tests): Python matches all of each group with each other, RE2 does not."""
_FOLD_GROUP = {ord(ch): group for group in _SPECIAL_FOLDS for ch in group}

_CATEGORY_PROBE = {
    sre.CATEGORY_DIGIT: (r"\d", False),
    sre.CATEGORY_NOT_DIGIT: (r"\d", True),
    sre.CATEGORY_SPACE: (r"\s", False),
    sre.CATEGORY_NOT_SPACE: (r"\s", True),
    sre.CATEGORY_WORD: (r"\w", False),
    sre.CATEGORY_NOT_WORD: (r"\w", True),
}


@cache
def _category_ranges(probe: str) -> tuple[tuple[int, int], ...]:
    """Code-point ranges Python's Unicode `\\d`/`\\s`/`\\w` match, from Python's own tables."""
    ranges: list[tuple[int, int]] = []
    for lo, hi in ((0, 0xD7FF), (0xE000, 0x10FFFF)):
        text = "".join(map(chr, range(lo, hi + 1)))
        for found in re.finditer(f"{probe}+", text):
            ranges.append((lo + found.start(), lo + found.end() - 1))
    return tuple(ranges)


def _re_char(code: int) -> str:
    ch = chr(code)
    return ch if ch.isascii() and ch.isalnum() else f"\\x{{{code:X}}}"


def _re_ranges(ranges: Iterable[tuple[int, int]]) -> str:
    return "".join(
        _re_char(lo) if lo == hi else f"{_re_char(lo)}-{_re_char(hi)}" for lo, hi in ranges
    )


@cache
def _category_body(probe: str) -> str:
    return _re_ranges(_category_ranges(probe))


def _category_class(category: Any, ignorecase: bool) -> str:
    probe, negated = _CATEGORY_PROBE[category]
    body = f"[{'^' if negated else ''}{_category_body(probe)}]"
    # Python never case-folds categories; RE2 would fold e.g. U+0345 into \w under (?i).
    return f"(?-i:{body})" if ignorecase else body


def _fold_extras(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Members of the special fold groups a case-insensitive class must add."""
    extra: list[tuple[int, int]] = []
    for group in _SPECIAL_FOLDS:
        codes = [ord(ch) for ch in group]
        if any(lo <= code <= hi for code in codes for lo, hi in ranges):
            extra.extend((code, code) for code in codes)
    return extra


class _RegexTranslator:
    """Walks Python's parse tree of a pattern and writes the RE2 pattern that matches alike."""

    def sequence(self, items: Sequence[tuple[Any, Any]], flags: int, terminal: bool) -> str:
        last = len(items) - 1
        return "".join(
            self.item(op, av, flags, terminal and i == last) for i, (op, av) in enumerate(items)
        )

    def item(self, op: Any, av: Any, flags: int, terminal: bool) -> str:
        ignorecase = bool(flags & sre.SRE_FLAG_IGNORECASE)
        if op is sre.LITERAL:
            if ignorecase and av in _FOLD_GROUP:
                return f"[{_re_ranges((ord(c), ord(c)) for c in _FOLD_GROUP[av])}]"
            return _re_char(av)
        if op is sre.NOT_LITERAL:
            return self.charset([(sre.NEGATE, None), (sre.LITERAL, av)], flags)
        if op is sre.ANY:
            return "."
        if op is sre.IN:
            return self.charset(av, flags)
        if op is sre.AT:
            return self.anchor(av, flags, terminal)
        if op is sre.BRANCH:
            return "(?:" + "|".join(self.sequence(b, flags, terminal) for b in av[1]) + ")"
        if op is sre.SUBPATTERN:
            return self.group(av, flags, terminal)
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            return self.repeat(op, av, flags, terminal)
        raise UnsupportedSql(_UNSUPPORTED_OPS.get(op, f"regex construct {op} has no RE2 form"))

    def anchor(self, at: Any, flags: int, terminal: bool) -> str:
        if at is sre.AT_BEGINNING:
            return "^"
        if at is sre.AT_BEGINNING_STRING:
            return r"\A"
        if at is sre.AT_END_STRING:
            return r"\z"
        if at is sre.AT_END:
            if flags & sre.SRE_FLAG_MULTILINE:
                return "$"
            if terminal:
                return r"(?:\n?\z)"
            raise UnsupportedSql(
                "regex `$` followed by more pattern: Python's `$` also matches before a final "
                "newline, which RE2 can only express at the end of the pattern"
            )
        raise UnsupportedSql(
            "regex word boundary \\b/\\B: RE2's is ASCII-only, Python's is Unicode"
        )

    def group(self, av: Any, flags: int, terminal: bool) -> str:
        _group, add, remove, sub = av
        if (add | remove) & (sre.SRE_FLAG_ASCII | sre.SRE_FLAG_LOCALE):
            raise UnsupportedSql("regex ASCII/LOCALE flag has no RE2 form")
        inner = (flags | add) & ~remove
        on = _flag_letters(add)
        off = _flag_letters(remove)
        prefix = f"(?{on}-{off}:" if off else f"(?{on}:"
        return prefix + self.sequence(sub, inner, terminal) + ")"

    def repeat(self, op: Any, av: Any, flags: int, terminal: bool) -> str:
        low, high, sub = av
        body = self.sequence(sub, flags, terminal and high <= 1)
        if high == sre.MAXREPEAT:
            count = {0: "*", 1: "+"}.get(low, f"{{{low},}}")
        elif (low, high) == (0, 1):
            count = "?"
        else:
            count = f"{{{low},{high}}}" if low != high else f"{{{low}}}"
        return f"(?:{body}){count}" + ("?" if op is sre.MIN_REPEAT else "")

    def charset(self, items: Sequence[tuple[Any, Any]], flags: int) -> str:
        ignorecase = bool(flags & sre.SRE_FLAG_IGNORECASE)
        negated = bool(items) and items[0][0] is sre.NEGATE
        ranges: list[tuple[int, int]] = []
        categories: list[Any] = []
        for op, av in items[1:] if negated else items:
            if op is sre.LITERAL:
                ranges.append((av, av))
            elif op is sre.RANGE:
                ranges.append(av)
            elif op is sre.CATEGORY:
                categories.append(av)
            else:
                raise UnsupportedSql(f"regex class item {op} has no RE2 form")
        if ignorecase:
            ranges += _fold_extras(ranges)
        if not categories:
            return f"[{'^' if negated else ''}{_re_ranges(ranges)}]"
        if not negated:
            parts = [f"[{_re_ranges(ranges)}]"] if ranges else []
            parts += [_category_class(c, ignorecase) for c in categories]
            return "(?:" + "|".join(parts) + ")"
        return self.negated_categories(ranges, categories, ignorecase)

    def negated_categories(
        self, ranges: list[tuple[int, int]], categories: list[Any], ignorecase: bool
    ) -> str:
        """`[^…]` holding `\\d`/`\\w`/`\\s`: one RE2 class when no intersection is needed."""
        if len(categories) == 1 and not ranges:
            probe, negated = _CATEGORY_PROBE[categories[0]]
            flipped = f"[{'' if negated else '^'}{_category_body(probe)}]"
            return f"(?-i:{flipped})" if ignorecase else flipped
        if any(_CATEGORY_PROBE[c][1] for c in categories) or (ignorecase and ranges):
            raise UnsupportedSql(
                "regex negated class mixing \\D/\\W/\\S or case-insensitive letters with "
                "\\d/\\w/\\s needs a class intersection, which RE2 lacks"
            )
        merged = list(ranges)
        for category in categories:
            merged += _category_ranges(_CATEGORY_PROBE[category][0])
        body = f"[^{_re_ranges(merged)}]"
        return f"(?-i:{body})" if ignorecase else body


_UNSUPPORTED_OPS = {
    sre.ASSERT: "regex lookaround is not supported by RE2",
    sre.ASSERT_NOT: "regex lookaround is not supported by RE2",
    sre.GROUPREF: "regex backreference is not supported by RE2",
    sre.GROUPREF_EXISTS: "regex conditional group is not supported by RE2",
    sre.ATOMIC_GROUP: "regex atomic group is not supported by RE2",
    sre.POSSESSIVE_REPEAT: "regex possessive repeat is not supported by RE2",
}


def _flag_letters(flags: int) -> str:
    return "".join(
        letter
        for letter, bit in (
            ("i", sre.SRE_FLAG_IGNORECASE),
            ("m", sre.SRE_FLAG_MULTILINE),
            ("s", sre.SRE_FLAG_DOTALL),
        )
        if flags & bit
    )


_PY_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}


@cache
def translate_regex(pattern: str, flags: str = "") -> str:
    """The RE2 pattern that searches like Python's `re.search(pattern, text, flags)`.

    Starts from Python's own parse tree (`re._parser`, as `re.compile` does), so what is
    translated is exactly what Python runs: escapes, verbose mode, `{,n}`, `[[`, octal and
    named characters are already resolved. Raises UnsupportedSql when RE2 cannot match alike.
    """
    py_flags = 0
    for letter in flags:
        py_flags |= _PY_FLAGS[letter]
    try:
        with warnings.catch_warnings():  # FutureWarnings about `[[` etc. are not the user's
            warnings.simplefilter("ignore")
            re.compile(pattern, py_flags)
            parsed = sre_parse.parse(pattern, py_flags)
    except (re.error, OverflowError, RecursionError) as exc:
        raise UnsupportedSql(f"regex does not compile in Python: {exc}") from None
    top = parsed.state.flags
    if top & (sre.SRE_FLAG_ASCII | sre.SRE_FLAG_LOCALE):
        raise UnsupportedSql("regex ASCII/LOCALE flag has no RE2 form")
    body = _RegexTranslator().sequence(list(parsed), top, terminal=True)
    letters = _flag_letters(top)
    return f"(?{letters}){body}" if letters else body


# ---------------------------------------------------------------------------------------------
# Predicates → SQL
# ---------------------------------------------------------------------------------------------

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_WS_CLASS = "[" + _re_ranges((ord(c), ord(c)) for c in PYTHON_WHITESPACE) + "]"
IPV4_PATTERN = f"{_WS_CLASS}*{_OCTET}\\.{_OCTET}\\.{_OCTET}\\.{_OCTET}{_WS_CLASS}*"
"""A dotted quad exactly as `ipaddress.IPv4Address(text.strip())` accepts it."""


def _any(column: str, body: Callable[[str], str]) -> str:
    """True when some element of a list column satisfies `body` (given the element's name)."""
    return f"list_bool_or(list_transform({column}, lambda x: {body('x')}))"


_STRING_FUNCTIONS = {"startswith": "starts_with", "endswith": "ends_with", "contains": "contains"}


def _string_sql(test: StringTest, column: str, p: _Params) -> str:
    if test.op == "eq":
        return f"list_contains({column}, {p(test.value)})"
    function = _STRING_FUNCTIONS[test.op]
    return _any(column, lambda x: f"{function}({x}, {p(test.value)})")


def like_pattern(test: GlobTest) -> str:
    """The LIKE pattern (escape `!`) of a glob: literal `!`, `%`, `_` escaped, `*`→`%`, `?`→`_`."""
    special = re.compile(f"([{re.escape(LIKE_ESCAPE)}%_])")
    out = []
    for part in test.parts:
        if part[0] == "lit":
            out.append(special.sub(lambda m: LIKE_ESCAPE + m.group(1), part[1]))
        else:
            out.append("%" if part[0] == "any" else "_")
    return "".join(out)


def _cidr_sql(test: CidrTest, column: str, p: _Params) -> str:
    try:
        net = ipaddress.ip_network(test.network, strict=False)
    except ValueError:
        return "false"  # values.py: the ValueError makes every value a non-match
    if net.version == 6:
        return _any(
            column, lambda x: f"contains({x}, ':') AND mamori_in_network({x}, {p(str(net))})"
        )
    low, high = int(net.network_address), int(net.broadcast_address)

    def body(x: str) -> str:
        octets = f"list_transform(regexp_extract_all({x}, '[0-9]+'), lambda o: CAST(o AS BIGINT))"
        number = f"list_reduce({octets}, lambda a, b: a * 256 + b)"
        return (
            f"CASE WHEN regexp_full_match({x}, {p(IPV4_PATTERN)}) "
            f"THEN {number} BETWEEN {low} AND {high} ELSE false END"
        )

    return _any(column, body)


def _compare_sql(test: CompareTest, column: str, p: _Params) -> str:
    if math.isnan(test.number):
        return "false"
    op = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}[test.op]
    return _any(
        column,
        lambda x: (
            f"CASE WHEN regexp_full_match({x}, {p(NUMBER_PATTERN)}) "
            f"THEN TRY_CAST({x} AS DOUBLE) {op} {p(float(test.number))} ELSE false END"
        ),
    )


def _fieldref_sql(pred: Predicate, test: FieldRefTest) -> str:
    if pred.field is None:
        return "false"
    other = _col(test.other, "f")
    compare = {
        "eq": "x = y",
        "startswith": "starts_with(x, y)",
        "endswith": "ends_with(x, y)",
        "contains": "contains(x, y)",
    }[test.op]
    inner = f"list_bool_or(list_transform({other}, lambda y: {compare}))"
    return f"list_bool_or(list_transform({_col(pred.field, 'f')}, lambda x: {inner}))"


def _presence_sql(field: str | None, test: NullTest | ExistsTest) -> str:
    kind = _col(field, "k")
    if field is None:  # keyword search: any of the event's non-null values
        if isinstance(test, NullTest):
            return f"{kind} = 1"
        return f"{kind} IS NOT NULL" if test.exists else "false"
    if isinstance(test, NullTest):
        return f"({kind} IS NULL OR {kind} <= 1)"
    return f"{kind} >= 1" if test.exists else f"({kind} IS NULL OR {kind} = 0)"


def predicate_sql(pred: Predicate, p: _Params) -> str:
    """A boolean SQL expression that is never NULL, for one predicate."""
    test = pred.test
    if isinstance(test, NullTest | ExistsTest):
        return f"coalesce({_presence_sql(pred.field, test)}, false)"
    if isinstance(test, FieldRefTest):
        expression = _fieldref_sql(pred, test)
    elif isinstance(test, StringTest):
        expression = _string_sql(test, _col(pred.field, "t" if test.cased else "f"), p)
    elif isinstance(test, GlobTest):
        column = _col(pred.field, "t" if test.cased else "f")
        escape = f"ESCAPE '{LIKE_ESCAPE}'"
        expression = _any(column, lambda x: f"{x} LIKE {p(like_pattern(test))} {escape}")
    elif isinstance(test, RegexTest):
        pattern = translate_regex(test.pattern, test.flags)
        expression = _any(_col(pred.field, "t"), lambda x: f"regexp_matches({x}, {p(pattern)})")
    elif isinstance(test, CidrTest):
        expression = _cidr_sql(test, _col(pred.field, "t"), p)
    elif isinstance(test, CompareTest):
        expression = _compare_sql(test, _col(pred.field, "t"), p)
    else:
        raise UnsupportedSql(f"value test {type(test).__name__} has no SQL form")
    return f"coalesce({expression}, false)"


class _Renderer:
    """Renders a variant's condition over never-NULL predicate expressions.

    Predicates are rendered where the condition uses them, so bound parameters follow the text
    order (and a predicate the condition never reads adds none).
    """

    def __init__(self, variant: Variant, p: _Params) -> None:
        self.predicates = variant.predicates
        self.p = p

    def node(self, node: Node) -> str:
        if isinstance(node, Ref):
            return predicate_sql(self.predicates[node.index], self.p)
        if isinstance(node, Or):
            return self.alternatives(node)
        if isinstance(node, And):
            if not node.items:
                return "true"
            return "(" + " AND ".join(self.node(item) for item in node.items) + ")"
        if isinstance(node, Not):
            return f"(NOT {self.node(node.item)})"
        if isinstance(node, Const):
            return "true" if node.value else "false"
        raise UnsupportedSql(f"unknown condition node {node!r}")

    def alternatives(self, node: Or) -> str:
        """Sigma value lists are ORs of hundreds of string tests on one field (4,432 in
        "Vulnerable Driver Load"): one list-valued test per (field, op, case) says the same
        and costs DuckDB one expression to plan instead of hundreds."""
        if not node.items:
            return "false"
        groups: dict[tuple[str | None, str, bool], list[str]] = defaultdict(list)
        order: list[tuple[str | None, str, bool] | Node] = []
        for item in node.items:
            pred = self.predicates[item.index] if isinstance(item, Ref) else None
            if pred is None or not isinstance(pred.test, StringTest):
                order.append(item)
                continue
            key = (pred.field, pred.test.op, pred.test.cased)
            if key not in groups:
                order.append(key)
            groups[key].append(pred.test.value)
        parts = [
            self.merged(*entry, groups[entry]) if isinstance(entry, tuple) else self.node(entry)
            for entry in order
        ]
        return "(" + " OR ".join(parts) + ")"

    def merged(self, field: str | None, op: str, cased: bool, values: list[str]) -> str:
        """Any of several string tests of one kind on one field, as one list-valued test."""
        if len(values) == 1:
            test = StringTest(op, values[0], cased)  # type: ignore[arg-type]
            return predicate_sql(Predicate(field, test), self.p)
        column = _col(field, "t" if cased else "f")
        listed = f"{self.p(list(dict.fromkeys(values)))}::VARCHAR[]"
        if op == "eq":
            return f"coalesce(list_has_any({column}, {listed}), false)"
        function = _STRING_FUNCTIONS[op]

        def body(x: str) -> str:
            return f"list_bool_or(list_transform({listed}, lambda v: {function}({x}, v)))"

        return f"coalesce({_any(column, body)}, false)"


def selector_sql(selector: EventSelector, p: _Params) -> str:
    parts = []
    if selector.channel is not None:
        parts.append(f"_channel = {p(selector.channel.casefold())}")
    if selector.event_ids is not None:
        ids = sorted(int(i) for i in selector.event_ids)
        parts.append(f"_event_id IN ({', '.join(map(str, ids))})" if ids else "false")
    return " AND ".join(parts) if parts else "true"


def _variant_condition(variant: Variant, p: _Params) -> str:
    return _Renderer(variant, p).node(variant.condition)


def variant_sql(variant: Variant) -> tuple[str, list[Any]]:
    """A WHERE clause (with `?` parameters) selecting the events a rule variant matches.

    Written against the table shape in this module's docstring; needs the `casefold`-folded
    `f:` columns and, for IPv6 CIDR tests, the `mamori_in_network` UDF (see SqlMatcher).
    Raises UnsupportedSql when a test cannot be evaluated exactly; a translated regex can still
    be rejected by RE2 itself (e.g. a repeat over 1000), which only a database can tell.
    """
    p = _Params()
    selector = selector_sql(variant.selector, p)
    condition = _variant_condition(variant, p)
    return f"({selector}) AND {condition}", p.values


def fields_read(variant: Variant) -> tuple[set[str], bool]:
    """Field names whose columns a variant's SQL reads, and whether it reads keyword columns."""
    fields: set[str] = set()
    keywords = False
    for pred in variant.predicates:
        if pred.field is None:
            keywords = keywords or not isinstance(pred.test, FieldRefTest)
            continue
        fields.add(pred.field)
        if isinstance(pred.test, FieldRefTest):
            fields.add(pred.test.other)
    return fields, keywords


# ---------------------------------------------------------------------------------------------
# Loading events
# ---------------------------------------------------------------------------------------------


def _texts(value: Any) -> list[str] | None:
    if value is MISSING or value is None:
        return None
    if isinstance(value, str):
        return [value]
    return [as_text(v) for v in scalars(value)]


def _kind(value: Any) -> int | None:
    if value is MISSING:
        return None
    if value is None:
        return 0
    return 1 if is_null(value) else 2


def _event_id(value: Any) -> int | None:
    """EventID as the fast matcher reads it, or None where BIGINT cannot hold it."""
    if isinstance(value, int):
        number = int(value)  # a bool is an int to the fast matcher too
    else:
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            return None
    return number if _INT64[0] <= number <= _INT64[1] else None


def _storable(text: str) -> str:
    """DuckDB holds UTF-8 only: a lone surrogate (broken UTF-16 in a log) becomes "?"."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _text_array(texts: list[list[str] | None]) -> pa.Array:
    kind = pa.list_(pa.string())
    try:
        return pa.array(texts, kind)
    except (UnicodeEncodeError, pa.ArrowException):
        return pa.array([None if t is None else list(map(_storable, t)) for t in texts], kind)


def _keyword_columns(events: Sequence[Event]) -> dict[str, pa.Array]:
    texts: list[list[str] | None] = []
    kinds: list[int | None] = []
    for event in events:
        present = [v for v in event.fields.values() if v is not None]
        texts.append([t for v in present for t in (_texts(v) or ())])
        kinds.append(None if not present else 1 if any(map(is_null, present)) else 2)
    return {"_kw_t": _text_array(texts), "_kw_k": pa.array(kinds, pa.int8())}


def build_table(events: Sequence[Event], fields: Iterable[str], keywords: bool) -> pa.Table:
    """The arrow table of a batch, before folding: `_row`, `_channel`, `_event_id`, `t:`/`k:`."""
    size = len(events)
    wanted = {field: n for n, field in enumerate(sorted(set(fields)))}
    texts: list[list[list[str] | None]] = [[None] * size for _ in wanted]
    kinds: list[list[int | None]] = [[None] * size for _ in wanted]
    channels: list[str] = []
    event_ids: list[int | None] = []
    for row, event in enumerate(events):
        channel = channel_of(event.fields)
        channels.append(channel.casefold() if isinstance(channel, str) else "")
        event_ids.append(_event_id(event_id_of(event.fields)))
        for name, value in event.fields.items():
            n = wanted.get(name)
            if n is not None:
                texts[n][row] = _texts(value)
                kinds[n][row] = _kind(value)
    columns: dict[str, pa.Array] = {
        "_row": pa.array(range(size), pa.int64()),
        "_channel": pa.array(map(_storable, channels), pa.string()),
        "_event_id": pa.array(event_ids, pa.int64()),
    }
    for field, n in wanted.items():
        columns[column_name(field, "t")] = _text_array(texts[n])
        columns[column_name(field, "k")] = pa.array(kinds[n], pa.int8())
    if keywords:
        columns.update(_keyword_columns(events))
    return pa.table(columns)


def _casefold_udf(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Python's `str.casefold` (DuckDB's lower() maps ß to ß and final sigma to itself)."""
    return pa.array(
        [None if t is None else t.casefold() for t in texts.to_pylist()], type=pa.string()
    )


def _in_network_udf(
    texts: pa.Array | pa.ChunkedArray, networks: pa.Array | pa.ChunkedArray
) -> pa.Array:
    """`values.py`'s CIDR test itself, for IPv6 networks."""
    return pa.array(
        [
            False if t is None or n is None else scalar_matches(CidrTest(n), t)
            for t, n in zip(texts.to_pylist(), networks.to_pylist(), strict=True)
        ],
        type=pa.bool_(),
    )


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with mamori's UDFs registered."""
    con = duckdb.connect(":memory:")
    # Its cost grows with the square of the expressions in a query: 30 s for the 1,181
    # process-creation rules in one SELECT, 0.5 s without it.
    con.execute("SET disabled_optimizers = 'common_subexpressions'")
    varchar, boolean = duckdb.sqltypes.VARCHAR, duckdb.sqltypes.BOOLEAN
    con.create_function("casefold", _casefold_udf, [varchar], varchar, type="arrow")
    con.create_function(
        "mamori_in_network", _in_network_udf, [varchar, varchar], boolean, type="arrow"
    )
    return con


def load_table(con: duckdb.DuckDBPyConnection, table: pa.Table, name: str = TABLE) -> None:
    """Create the events table from `build_table`'s output, adding the folded `f:` columns."""
    select = []
    for column in table.column_names:
        select.append(quote(column))
        if column.startswith("t:") or column == "_kw_t":
            folded = "_kw_f" if column == "_kw_t" else "f:" + column[2:]
            select.append(
                f"list_transform({quote(column)}, lambda s: casefold(s)) AS {quote(folded)}"
            )
    # Only quoted identifiers are formatted in; no value is.
    sql = f"CREATE OR REPLACE TABLE {quote(name)} AS SELECT {', '.join(select)} FROM _mamori_batch"  # noqa: S608
    con.register("_mamori_batch", table)
    try:
        con.execute(sql)
    finally:
        con.unregister("_mamori_batch")


# ---------------------------------------------------------------------------------------------
# The matcher
# ---------------------------------------------------------------------------------------------


def _referenced(node: Node) -> set[int]:
    """Predicates a condition reads (the SQL renders no others)."""
    if isinstance(node, Ref):
        return {node.index}
    if isinstance(node, And | Or):
        return set().union(*map(_referenced, node.items))
    if isinstance(node, Not):
        return _referenced(node.item)
    return set()


class SqlMatcher:
    """Evaluates compiled rules over batches of events in DuckDB; answers like FastMatcher.

    Rules using a test SQL cannot evaluate exactly are listed in `unsupported` (rule index →
    reason) and skipped here; the fast matcher still runs them.
    """

    QUERY_SIZE = 200
    """Rule variants per query: DuckDB's planning time grows faster than the query's size."""

    def __init__(
        self,
        rules: Sequence[CompiledRule],
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        """`connection` (from `connect()`) is borrowed, not closed; by default one is opened."""
        self.rules = list(rules)
        self.unsupported: dict[int, str] = {}
        self._owned = connection is None
        self._con = connect() if connection is None else connection
        self._fields: set[str] = set()
        self._keywords = False
        self._re2_ok: set[str] = set()
        groups: dict[EventSelector, list[tuple[int, Variant]]] = defaultdict(list)
        for index, rule in enumerate(self.rules):
            reason = self._check(rule)
            if reason is not None:
                self.unsupported[index] = reason
                continue
            for variant in rule.variants:
                groups[variant.selector].append((index, variant))
                fields, keywords = fields_read(variant)
                self._fields |= fields
                self._keywords |= keywords
        self._queries = [
            self._group_query(selector, members[start : start + self.QUERY_SIZE])
            for selector, members in groups.items()
            for start in range(0, len(members), self.QUERY_SIZE)
        ]

    def _check(self, rule: CompiledRule) -> str | None:
        """Why SQL cannot run this rule exactly, or None."""
        try:
            for variant in rule.variants:
                variant_sql(variant)
                for index in _referenced(variant.condition):
                    test = variant.predicates[index].test
                    if isinstance(test, RegexTest):
                        self._check_re2(translate_regex(test.pattern, test.flags))
        except UnsupportedSql as exc:
            return str(exc)
        return None

    def _check_re2(self, pattern: str) -> None:
        if pattern in self._re2_ok:
            return
        try:
            self._con.execute("SELECT regexp_matches('', ?)", [pattern]).fetchall()
        except duckdb.Error as exc:
            raise UnsupportedSql(f"RE2 rejects the regex: {exc}") from None
        self._re2_ok.add(pattern)

    @staticmethod
    def _group_query(
        selector: EventSelector, members: list[tuple[int, Variant]]
    ) -> tuple[str, list[Any], list[int]]:
        """One query per selector: one boolean column per variant, over the selected rows."""
        p = _Params()
        columns = [
            f"{_variant_condition(variant, p)} AS c{n}" for n, (_, variant) in enumerate(members)
        ]
        where = selector_sql(selector, p)
        sql = f"SELECT _row, {', '.join(columns)} FROM {TABLE} WHERE {where}"  # noqa: S608
        return sql, p.values, [index for index, _ in members]

    def match(self, events: Sequence[Event]) -> list[tuple[int, int]]:
        """All (rule index, event index) pairs where the rule matches, in no particular order."""
        if not events or not self._queries:
            return []
        load_table(self._con, build_table(events, self._fields, self._keywords))
        matches: list[tuple[int, int]] = []
        try:
            for sql, params, rule_indexes in self._queries:
                result = self._con.execute(sql, params).fetchnumpy()
                rows = np.asarray(result["_row"])
                if not len(rows):
                    continue
                for n, rule_index in enumerate(rule_indexes):
                    hits = rows[np.asarray(result[f"c{n}"], dtype=bool)]
                    matches.extend((rule_index, int(row)) for row in hits)
        finally:
            self._con.execute(f"DROP TABLE IF EXISTS {TABLE}")
        return matches

    def close(self) -> None:
        if self._owned:
            self._con.close()

    def __enter__(self) -> SqlMatcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
