"""FastMatcher and SqlMatcher must give the same answer for every rule on every event.

Two independent evaluators of one compiled form: when they disagree, one of them is wrong about
`values.py`. Hypothesis searches the corners (SQL wildcards in literals, Unicode folding,
multi-valued, null and missing fields, NOT), and the whole SigmaHQ Windows rule set runs over
every shared sample log.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.events import Event
from mamori.hunt.matching.fast import FastMatcher
from mamori.hunt.matching.sql import SqlMatcher, connect
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
    RuleMeta,
    StringTest,
    ValueTest,
    Variant,
)

REPO = Path(__file__).resolve().parents[2]
EVTX = REPO.parent / "shared" / "data" / "evtx"

ALPHABET = "\\_%*?.ßİıiIΣσςÄ漢 \nabAB01:!^$"
FIELDS = ["A", "a", "B"]
OPS = ["eq", "startswith", "endswith", "contains"]

texts = st.text(alphabet=ALPHABET, max_size=6)
SPECIAL_TEXTS = [
    *["10.0.0.1", " 10.1.2.3\n", "010.0.0.1", "::1", "fe80::1%x", "1e3", " 5 ", "-2.5", "0x10"],
    *["a_b", "C:\\Win_%!*?\\", "100%", "a\\b", "İstanbul", "STRASSE", "straße", "ΣΑΣ", "σας"],
    *["漢字", "", " "],
]
special_texts = st.sampled_from(SPECIAL_TEXTS)

# Random tests rarely meet random values, so each example draws a small vocabulary that both its
# events and its tests use, in variants that hit the traps (case, a final newline, affixes).
vocabulary = st.shared(
    st.lists(st.one_of(special_texts, texts.filter(bool)), min_size=1, max_size=3),
    key="vocabulary",
)
VARIATIONS = [  # Hypothesis favours early entries: the likeliest traps come first
    lambda t: t,
    lambda t: t + "\n",
    lambda t: re.sub(r"[_%!\\*?]", "x", t),  # what a SQL wildcard or escape would accept
    str.upper,
    str.swapcase,
    lambda t: "x" + t + "\n",
    lambda t: re.sub(r"[_%!\\*?]", "", t),
    str.casefold,
    lambda t: "x" + t,
    lambda t: t + "_",
    lambda t: t[1:],
]
NEWLINE, WILDCARD = VARIATIONS[1], VARIATIONS[2]
words = st.builds(
    lambda vocab, n, vary: vary(vocab[n % len(vocab)]),
    vocabulary,
    st.integers(0, 2),
    st.sampled_from(VARIATIONS),
)
strings = st.one_of(words, words, texts, special_texts)
scalars = st.one_of(
    strings,
    st.integers(-3, 300),
    st.floats(-1e4, 1e4, allow_nan=False, width=32),
    st.booleans(),  # True is "true", never 1: the fast matcher once conflated them
)
values = st.one_of(scalars, st.none(), st.lists(st.one_of(scalars, st.none()), max_size=3))


@st.composite
def events(draw: st.DrawFn, aimed: list[Predicate]) -> list[Event]:
    """Events with random fields, most of them aimed at one of the rules' predicates: that
    predicate's field gets a value made from its test, so tests meet values they nearly match."""
    out = []
    for n in range(draw(st.integers(1, 5))):
        names = draw(st.lists(st.sampled_from(FIELDS), max_size=2, unique=True))
        fields: dict[str, Any] = {name: draw(values) for name in names}
        for pred in draw(st.lists(st.sampled_from(aimed), min_size=1, max_size=3)):
            fields.update(draw(aimed_fields(pred)))
        channel = draw(st.sampled_from(["Security", "SECURITY", "System", 5, None]))
        if channel is not None:
            fields["Channel"] = channel
        event_id = draw(st.sampled_from([1, "1", " 2 ", 2, "x", None]))
        if event_id is not None:
            fields["EventID"] = event_id
        out.append(Event(fields, "diff.evtx", n))
    return out


@st.composite
def aimed_fields(draw: st.DrawFn, pred: Predicate) -> dict[str, Any]:
    name = pred.field or draw(st.sampled_from(FIELDS))
    value = draw(near_values(pred.test))
    if draw(st.integers(0, 3)) == 0:  # multi-valued (maybe nested), the near value among others
        value = [*draw(st.lists(st.one_of(scalars, st.none()), max_size=2)), value]
    fields = {name: value}
    if isinstance(pred.test, FieldRefTest) and isinstance(value, str):
        fields[pred.test.other] = draw(_varied(value))
    return fields


ADDRESSES = [
    *["010.0.0.1", "10.0.0.1", "10.01.0.1", " 10.1.2.3\n", "10.1.2.3", "10.1.2.30", "1.2.3"],
    "10.1.2.256",
    *["9.255.255.255", "0.0.0.0", "fe80::1", "FE80::1%eth0", "::1", "::ffff:10.0.0.1", "fe80::1%"],
]


def _varied(text: str, first: Any = None) -> st.SearchStrategy[str]:
    """Variations of a text, `first` (the variation that springs this test's trap) likeliest."""
    varied = st.sampled_from(VARIATIONS).map(lambda vary: vary(text))
    return varied if first is None else st.one_of(st.just(first(text)), varied)


def near_values(test: ValueTest) -> st.SearchStrategy[Any]:
    """Values that match the test or only just miss it: where evaluators disagree."""
    if isinstance(test, StringTest):
        return _varied(test.value)
    if isinstance(test, GlobTest):
        fillers = [
            _varied(part[1], WILDCARD)
            if part[0] == "lit"
            else st.text(alphabet=ALPHABET, max_size=2)
            if part[0] == "any"
            else st.sampled_from(ALPHABET)
            for part in test.parts
        ]
        return st.tuples(*fillers).map("".join)
    if isinstance(test, CidrTest):
        return st.sampled_from(ADDRESSES)
    if isinstance(test, CompareTest):
        number = test.number
        near = [number, number + 1, number - 1, int(number)]
        return st.sampled_from(near).flatmap(
            lambda n: st.sampled_from([n, str(n), f" {n}\n", f"{n}x", f"{n:e}"])
        )
    if isinstance(test, RegexTest):
        return _varied(_regex_text(test.pattern), NEWLINE)
    if isinstance(test, NullTest | ExistsTest):
        return st.sampled_from(["", [], [None], [""], "x", 0])
    return st.one_of(words, scalars)


def _regex_text(pattern: str) -> str:
    """Roughly the text a generated pattern spells: flags, anchors and escapes dropped."""
    text = pattern.removeprefix("(?i)").removeprefix("(?s)").removeprefix("^")
    text = text.removesuffix("$").removesuffix("\\Z")
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def _not_fieldref(test: ValueTest) -> bool:
    return not isinstance(test, FieldRefTest)


def _folded(text: str, cased: bool) -> str:
    return text if cased else text.casefold()


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[CompiledRule], list[Event]]:
    drawn = draw(rules())
    aimed = [p for r in drawn for v in r.variants for p in v.predicates]
    return drawn, draw(events(aimed))


@st.composite
def string_tests(draw: st.DrawFn) -> StringTest:
    cased = draw(st.booleans())
    value = draw(strings)
    return StringTest(draw(st.sampled_from(OPS)), _folded(value, cased), cased)  # type: ignore[arg-type]


@st.composite
def glob_tests(draw: st.DrawFn) -> GlobTest:
    cased = draw(st.booleans())
    parts = draw(
        st.lists(
            st.one_of(strings.map(lambda t: ("lit", t)), st.just(("any",)), st.just(("one",))),
            min_size=1,
            max_size=4,
        )
    )
    return GlobTest(tuple((p[0], _folded(p[1], cased)) if len(p) > 1 else p for p in parts), cased)


REGEX_ATOMS = [
    ".",
    r"\d",
    r"\w",
    r"\s",
    r"\W",
    r"\D",
    "[a-b]",
    "[^a]",
    "[ß-ς]",
    r"[\d_]",
    "[İ]",
    r"[%\\]",
    "[A-Z]",
    r"\.",
    r"\*",
    r"\?",
    r"\\",
]
QUANTIFIERS = ["", "", "*", "+", "?", "{1,2}", "{,2}", "*?"]


def regex_patterns(depth: int = 2) -> st.SearchStrategy[str]:
    literal = st.sampled_from(ALPHABET).map(lambda c: "\\" + c if c in "\\.^$*+?{}[]|()" else c)
    atoms: list[st.SearchStrategy[str]] = [literal, st.sampled_from(REGEX_ATOMS)]
    pieces = [st.tuples(st.one_of(atoms), st.sampled_from(QUANTIFIERS)).map("".join)]
    if depth:
        # Groups are not repeated (`(a*)*` backtracks exponentially in Python's re, which
        # would make the test hang, not find a disagreement): at most optional.
        inner = regex_patterns(depth - 1)
        groups = st.one_of(inner.map(lambda r: f"({r})"), inner.map(lambda r: f"(?:{r})"))
        pieces.append(st.tuples(groups, st.sampled_from(["", "?"])).map("".join))
    piece = st.one_of(pieces)
    sequence = st.tuples(
        st.sampled_from(["", "^"]),
        st.lists(piece, min_size=1, max_size=4).map("".join),
        st.sampled_from(["", "", "$", r"\Z"]),
    ).map("".join)
    return st.lists(sequence, min_size=1, max_size=2).map("|".join)


regex_tests = st.builds(
    RegexTest,
    st.tuples(
        st.sampled_from(["", "", "(?i)", "(?s)"]),
        st.one_of(
            regex_patterns(),
            st.tuples(
                st.sampled_from(["", "^"]), words.map(re.escape), st.sampled_from(["$", "", r"\Z"])
            ).map("".join),
        ),
    ).map("".join),
    st.sampled_from(["", "", "i", "s", "m", "is", "ims"]),
)

value_tests = st.one_of(
    string_tests(),
    glob_tests(),
    regex_tests,
    regex_tests,
    st.builds(
        CidrTest,
        st.sampled_from(["10.0.0.0/8", "10.1.2.3/32", "0.0.0.0/0", "fe80::/10", "::1/128", "x"]),
    ),
    st.builds(
        CompareTest,
        st.sampled_from(["lt", "lte", "gt", "gte"]),
        st.one_of(st.sampled_from([0.0, 5.0, 1000.0, -2.5]), st.floats(-100, 400)),
    ),
    st.builds(ExistsTest, st.booleans()),
    st.just(NullTest()),
    st.builds(FieldRefTest, st.sampled_from(FIELDS), st.sampled_from(OPS)),
)

predicates = st.one_of(
    st.builds(Predicate, st.sampled_from([*FIELDS, None]), value_tests.filter(_not_fieldref)),
    # The compiler only makes field references between named fields.
    st.builds(Predicate, st.sampled_from(FIELDS), value_tests),
)


@cache  # building a recursive strategy costs more than drawing from it
def conditions(size: int) -> st.SearchStrategy[Node]:
    leaves = st.one_of(st.integers(0, size - 1).map(Ref), st.booleans().map(Const))
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3).map(lambda items: And(tuple(items))),
            st.lists(inner, max_size=4).map(lambda items: Or(tuple(items))),
            inner.map(Not),
        ),
        max_leaves=6,
    )


SELECTORS = [
    EventSelector(None),
    EventSelector("Security"),
    EventSelector("security", frozenset({1})),
    EventSelector("System", frozenset({1, 2})),
]


@st.composite
def variants(draw: st.DrawFn) -> Variant:
    preds = draw(st.lists(predicates, min_size=1, max_size=4))
    # ORs of same-field string tests are merged into one list-valued test in SQL: make them.
    if draw(st.booleans()):
        field = draw(st.sampled_from([*FIELDS, None]))
        op = draw(st.sampled_from(OPS))
        cased = draw(st.booleans())
        for value in draw(st.lists(strings, min_size=2, max_size=4)):
            preds.append(Predicate(field, StringTest(op, _folded(value, cased), cased)))  # type: ignore[arg-type]
    condition = draw(
        st.one_of(conditions(len(preds)), st.just(Or(tuple(map(Ref, range(len(preds)))))))
    )
    return Variant(draw(st.sampled_from(SELECTORS)), tuple(preds), condition)


@st.composite
def rules(draw: st.DrawFn) -> list[CompiledRule]:
    out = []
    for n in range(draw(st.integers(1, 3))):
        meta = RuleMeta(f"r{n}", "generated", "high", None, (), "gen.yml")
        out.append(CompiledRule(meta, tuple(draw(st.lists(variants(), min_size=1, max_size=2)))))
    return out


@pytest.fixture(scope="module")
def connection() -> Iterator[Any]:
    """One DuckDB connection for all examples: opening one costs more than a small example."""
    con = connect()
    yield con
    con.close()


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(case=cases())
def test_fast_and_sql_matchers_agree(
    connection: Any, case: tuple[list[CompiledRule], list[Event]]
) -> None:
    rules, events = case
    sql = SqlMatcher(rules, connection)
    got = Counter(sql.match(events))
    expected = Counter(m for m in FastMatcher(rules).match(events) if m[0] not in sql.unsupported)
    assert got == expected
    for reason in sql.unsupported.values():  # only the documented RE2 limits may skip a rule
        assert "regex" in reason, reason


# ---------------------------------------------------------------------------------------------
# The shared corpus
# ---------------------------------------------------------------------------------------------


def _labels(
    pairs: list[tuple[int, int]], rules: list[CompiledRule], events: list[Event]
) -> Counter[tuple[str, str, int]]:
    return Counter((rules[r].meta.id, events[e].source, events[e].position) for r, e in pairs)


@pytest.mark.slow
def test_whole_corpus_fast_and_sql_agree(sigma_windows: Any) -> None:
    """All SigmaHQ Windows rules over every sample EVTX: the same (rule, source, record).

    `sigma_windows` (conftest) is `load_rules` over ../shared/data/sigma/rules/windows with a
    content-keyed cache; it skips when the shared data is absent.
    """
    from mamori.readers import read_events

    if not EVTX.exists():
        pytest.skip(f"{EVTX} is not present (../shared/data is provided beside the repo)")
    rules = sigma_windows.rules
    problems: list[Any] = []
    events = list(read_events([EVTX], on_problem=problems.append))
    assert len(rules) > 2000 and len(events) > 10000

    started = time.perf_counter()
    fast = FastMatcher(rules).match(events)
    fast_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with SqlMatcher(rules) as sql:
        found = sql.match(events)
    sql_seconds = time.perf_counter() - started

    skipped = set(sql.unsupported)
    assert len(skipped) < 10, sql.unsupported
    expected = _labels([m for m in fast if m[0] not in skipped], rules, events)
    got = _labels(found, rules, events)
    assert got - expected == Counter()
    assert expected - got == Counter()
    assert sum(got.values()) > 1000
    print(
        f"\n{len(rules)} rules x {len(events)} events: {sum(got.values())} matches; "
        f"fast {fast_seconds:.1f} s, sql {sql_seconds:.1f} s; SQL skips {sql.unsupported}"
    )
