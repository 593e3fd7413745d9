"""The SQL matcher against the fast matcher and against the answers values.py gives.

Every case asserts three things agree: the expected events, FastMatcher and SqlMatcher. The
traps are the ones SQL backends fall into: LIKE wildcards in literals, ASCII-only case folding
and regex classes, `$` before a final newline, NULL under NOT, CIDR without the inet extension.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Sequence
from re._casefix import _EXTRA_CASES
from typing import Any

import pyarrow as pa
import pytest

from mamori.events import Event
from mamori.hunt.matching.fast import FastMatcher
from mamori.hunt.matching.sql import (
    IPV4_PATTERN,
    PYTHON_WHITESPACE,
    SqlMatcher,
    UnsupportedSql,
    column_name,
    connect,
    like_pattern,
    translate_regex,
    variant_sql,
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
    RuleMeta,
    StringTest,
    ValueTest,
    Variant,
)

CHANNEL = "Security"
SECURITY = EventSelector(CHANNEL)


def rule(
    predicates: Sequence[Predicate],
    condition: Node | None = None,
    selector: EventSelector = SECURITY,
) -> CompiledRule:
    if condition is None:
        condition = Ref(0) if len(predicates) == 1 else And(tuple(map(Ref, range(len(predicates)))))
    meta = RuleMeta("r", "rule", "high", None, (), "test.yml")
    return CompiledRule(meta, (Variant(selector, tuple(predicates), condition),))


def events_of(*fields: dict[str, Any]) -> list[Event]:
    return [Event({"Channel": CHANNEL, **f}, "test.evtx", n) for n, f in enumerate(fields)]


@pytest.fixture(scope="module")
def con() -> Iterator[Any]:
    connection = connect()
    yield connection
    connection.close()


def run(rules: Sequence[CompiledRule], events: Sequence[Event]) -> list[tuple[int, int]]:
    """Both matchers' answer, asserted identical."""
    sql = SqlMatcher(rules)
    try:
        assert not sql.unsupported
        got = sorted(sql.match(events))
    finally:
        sql.close()
    assert got == sorted(FastMatcher(rules).match(events))
    return got


def matching(test: ValueTest, values: Sequence[Any], field: str | None = "F") -> list[int]:
    """Indexes of the values (each as field `F` of one event) the test matches."""
    events = events_of(*({} if v is _ABSENT else {"F": v} for v in values))
    return [event for _, event in run([rule([Predicate(field, test)])], events)]


_ABSENT = object()


# ---------------------------------------------------------------------------------------------
# Strings and globs
# ---------------------------------------------------------------------------------------------


def test_startswith_does_not_treat_underscore_as_wildcard() -> None:
    test = StringTest("startswith", "acme\\adm_")
    values = ["ACME\\admXx", "ACME\\adm_1", "acme\\adm_", "ACME/adm_1", "ACME\\\\adm_"]
    assert matching(test, values) == [1, 2]


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        (StringTest("eq", "100%"), [0]),
        (StringTest("contains", "0%_"), [2]),
        (StringTest("endswith", "\\"), [3]),
        (StringTest("contains", "!"), [4]),
        (StringTest("eq", ""), [5]),
        (StringTest("contains", ""), [0, 1, 2, 3, 4, 5]),
    ],
)
def test_string_ops_take_sql_specials_literally(test: StringTest, expected: list[int]) -> None:
    values = ["100%", "1000", "50%_x", "c:\\temp\\", "a!b", ""]
    assert matching(test, values) == expected


def test_case_folding_is_python_casefold() -> None:
    values = ["STRASSE", "Straße", "straße", "strase", "STRAẞE"]
    assert matching(StringTest("eq", "strasse"), values) == [0, 1, 2, 4]
    # Test values are folded by the compiler; an unfolded one never matches on either side.
    assert matching(StringTest("eq", "straße"), values) == []


def test_dotted_capital_i_and_greek_sigma_fold_like_python() -> None:
    dotted = "İstanbul".casefold()
    assert dotted == "i\u0307stanbul"
    assert matching(StringTest("eq", dotted), ["İstanbul", "istanbul", "ISTANBUL"]) == [0]
    assert matching(StringTest("eq", "istanbul"), ["İstanbul", "istanbul", "ISTANBUL"]) == [1, 2]
    sigma = ["ΣΑΣ", "σας", "ΣΑς", "σασ", "σα"]
    assert matching(StringTest("eq", "σασ"), sigma) == [0, 1, 2, 3]
    assert matching(StringTest("endswith", "ς"), sigma) == []


def test_japanese_text_is_compared_untouched() -> None:
    values = ["管理者", "管理者権限", "かんりしゃ", "カンリシャ"]
    assert matching(StringTest("startswith", "管理者"), values) == [0, 1]
    assert matching(StringTest("contains", "りし"), values) == [2]
    assert matching(StringTest("eq", "カンリシャ", cased=True), values) == [3]


def test_cased_strings_do_not_fold() -> None:
    values = ["Admin", "admin", "ADMIN"]
    assert matching(StringTest("eq", "Admin", cased=True), values) == [0]
    assert matching(StringTest("contains", "dmi", cased=True), values) == [0, 1]


def glob(*parts: str, cased: bool = False) -> GlobTest:
    """`*` and `?` are wildcards; everything else is literal text."""
    tokens: list[tuple[str, ...]] = []
    for part in parts:
        tokens.append({"*": ("any",), "?": ("one",)}.get(part, ("lit", part)))
    return GlobTest(tuple(tokens), cased)


def test_like_pattern_escapes_every_special() -> None:
    assert like_pattern(glob("a%b_c!d\\e*?", "*", "x", "?")) == "a!%b!_c!!d\\e*?%x_"


def test_glob_literals_keep_percent_underscore_bang_backslash() -> None:
    test = glob("c:\\w_%!\\", "*", ".exe")
    values = ["C:\\W_%!\\tool.exe", "c:\\wx%!\\tool.exe", "c:\\w_y!\\tool.exe", "c:\\w_%!\\.exe"]
    assert matching(test, values) == [0, 3]


def test_glob_literal_star_and_question_mark_are_not_wildcards() -> None:
    test = glob("a*b?", "*")
    assert matching(test, ["a*b?", "a*b?c", "axbyc", "a*bx"]) == [0, 1]


def test_glob_wildcards_span_newlines_and_count_code_points() -> None:
    test = glob("a", "?", "b", "*", "c")
    values = ["a\nb\nc", "aßbc", "a漢b-c", "aßßbc", "abc", "AXBC"]
    assert matching(test, values) == [0, 2, 5]  # folded, ß is "ss": two characters
    values = ["aßb", "axb", "AXB", "a漢b", "assb"]
    assert matching(glob("a", "?", "b", cased=True), values) == [0, 1, 3]


# ---------------------------------------------------------------------------------------------
# Multi-valued, null, exists, missing, NOT
# ---------------------------------------------------------------------------------------------


def test_multi_valued_fields_match_when_any_element_does() -> None:
    values = [["a", "evil"], ["a", "b"], ["EVIL"], [None, "evil"], [], [None]]
    assert matching(StringTest("eq", "evil"), values) == [0, 2, 3]
    assert matching(glob("e", "*"), values) == [0, 2, 3]


def test_scalars_become_text_as_values_py_says() -> None:
    values = [4624, 4624.0, "4624", 4624.5, [4624, None]]
    assert matching(StringTest("eq", "4624"), values) == [0, 1, 2, 4]


NULL_VALUES = [_ABSENT, None, "", [], [None], ["", None], "x", 0, ["x"]]


def test_null_means_missing_none_empty_string_or_empty_list() -> None:
    assert matching(NullTest(), NULL_VALUES) == [0, 1, 2, 3]


def test_exists_means_present_and_not_none() -> None:
    assert matching(ExistsTest(True), NULL_VALUES) == [2, 3, 4, 5, 6, 7, 8]
    assert matching(ExistsTest(False), NULL_VALUES) == [0, 1]


def test_not_of_a_missing_field_is_true() -> None:
    events = events_of({}, {"F": None}, {"F": "x"}, {"F": "y"}, {"F": []})
    negated = rule([Predicate("F", StringTest("eq", "x"))], Not(Ref(0)))
    assert [e for _, e in run([negated], events)] == [0, 1, 3, 4]
    double = rule([Predicate("F", StringTest("eq", "x"))], Not(Not(Ref(0))))
    assert [e for _, e in run([double], events)] == [2]


def test_conditions_combine_and_or_not_const() -> None:
    predicates = [Predicate("A", StringTest("eq", "1")), Predicate("B", StringTest("eq", "1"))]
    events = events_of({"A": "1", "B": "1"}, {"A": "1"}, {"B": "1"}, {})
    cases: list[tuple[Node, list[int]]] = [
        (And((Ref(0), Ref(1))), [0]),
        (Or((Ref(0), Ref(1))), [0, 1, 2]),
        (And((Ref(0), Not(Ref(1)))), [1]),
        (Not(Or((Ref(0), Ref(1)))), [3]),
        (Const(True), [0, 1, 2, 3]),
        (And((Const(False), Ref(0))), []),
        (And(()), [0, 1, 2, 3]),
        (Or(()), []),
    ]
    for condition, expected in cases:
        assert [e for _, e in run([rule(predicates, condition)], events)] == expected


# ---------------------------------------------------------------------------------------------
# Keywords and field references
# ---------------------------------------------------------------------------------------------


def test_keywords_search_every_field_value() -> None:
    events = events_of(
        {"A": "x", "B": ["y", "mimikatz.exe"]},
        {"A": "MIMIKATZ"},
        {"A": None},
        {"A": "", "B": "z"},
        {},
    )
    found = run([rule([Predicate(None, StringTest("contains", "mimikatz"))])], events)
    assert [e for _, e in found] == [0, 1]
    # Keyword null/exists look at the event's non-null values ("Channel" is one of them).
    null = run([rule([Predicate(None, NullTest())])], events)
    assert [e for _, e in null] == [3]
    exists = run([rule([Predicate(None, ExistsTest(True))])], events)
    assert [e for _, e in exists] == [0, 1, 2, 3, 4]


def test_keyword_can_match_channel_and_numbers() -> None:
    events = events_of({"EventID": 4624}, {"EventID": 1})
    found = run([rule([Predicate(None, StringTest("eq", "4624"))])], events)
    assert [e for _, e in found] == [0]


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ("eq", [0, 4]),
        ("startswith", [0, 1, 4]),
        ("endswith", [0, 2, 4]),
        ("contains", [0, 1, 2, 3, 4]),
    ],
)
def test_fieldref_compares_folded_texts(op: str, expected: list[int]) -> None:
    events = events_of(
        {"A": "Admin", "B": "ADMIN"},
        {"A": "admin-x", "B": "Admin"},
        {"A": "x-admin", "B": "admin"},
        {"A": "xadminx", "B": "admin"},
        {"A": ["q", "STRASSE"], "B": ["z", "straße"]},
        {"A": "admin"},
        {"A": "admin", "B": None},
        {"A": [], "B": "admin"},
    )
    found = run([rule([Predicate("A", FieldRefTest("B", op))])], events)  # type: ignore[arg-type]
    assert [e for _, e in found] == expected


# ---------------------------------------------------------------------------------------------
# Regex
# ---------------------------------------------------------------------------------------------


def test_regex_is_an_unanchored_search_with_flags() -> None:
    values = ["powershell -enc AAA", "POWERSHELL -ENC", "cmd", "a\npowershell"]
    assert matching(RegexTest(r"powershell\s+-enc"), values) == [0]
    assert matching(RegexTest(r"powershell\s+-enc", "i"), values) == [0, 1]
    assert matching(RegexTest(r"^powershell", "m"), values) == [0, 3]
    assert matching(RegexTest(r"a.powershell", "s"), values) == [3]
    assert matching(RegexTest(r"a.powershell"), values) == []


def test_regex_dollar_matches_before_a_final_newline_like_python() -> None:
    values = ["evil.exe", "evil.exe\n", "evil.exe\n\n", "evil.exe\nx"]
    assert matching(RegexTest(r"\.exe$"), values) == [0, 1]
    assert matching(RegexTest(r"\.exe\Z"), values) == [0]
    assert matching(RegexTest(r"\.exe$", "m"), values) == [0, 1, 2, 3]
    assert matching(RegexTest(r"(^[a-z]{4}$)|(^x$)"), ["abcd", "abcd\n", "x\n", "abcde"]) == [
        0,
        1,
        2,
    ]


def test_regex_classes_are_unicode_like_python() -> None:
    values = ["٣", "3", "漢", "_", "\u3000", "\x0b", "a b", "ß"]
    assert matching(RegexTest(r"^\d$"), values) == [0, 1]
    assert matching(RegexTest(r"^\w$"), values) == [0, 1, 2, 3, 7]
    assert matching(RegexTest(r"\s"), values) == [4, 5, 6]
    assert matching(RegexTest(r"^[\w\s]+$"), values) == [0, 1, 2, 3, 4, 5, 6, 7]
    assert matching(RegexTest(r"^[^\d\s]$"), values) == [2, 3, 7]
    assert matching(RegexTest(r"^\W$"), values) == [4, 5]


def test_regex_ignorecase_folds_turkish_i_like_python() -> None:
    values = ["I", "i", "İ", "ı", "\u212a", "\u017f", "SS", "ẞ"]  # Kelvin sign, long s
    assert matching(RegexTest("^i$", "i"), values) == [0, 1, 2, 3]
    assert matching(RegexTest("^[^i]$", "i"), values) == [4, 5, 7]
    assert matching(RegexTest("^[h-j]$", "i"), values) == [0, 1, 2, 3]
    assert matching(RegexTest("^k$", "i"), values) == [4]
    assert matching(RegexTest("^s$", "i"), values) == [5]
    assert matching(RegexTest("^ß$", "i"), values) == [7]
    assert matching(RegexTest("(?i:^İ$)|^SS$"), values) == [0, 1, 2, 3, 6]


def test_regex_python_only_syntax_is_translated() -> None:
    values = ["a", "aaa", "{,2}", "[[x", "é", "tab\there", "a b"]
    assert matching(RegexTest("^a{,2}$"), values) == [0]
    assert matching(RegexTest("[[]"), values) == [3]
    assert matching(RegexTest(r"\u00e9|\N{LATIN SMALL LETTER E WITH ACUTE}"), values) == [4]
    assert matching(RegexTest(r"\011|\x09"), values) == [5]
    assert matching(RegexTest(r"(?x) a \  b  # comment"), values) == [6]
    assert matching(RegexTest(r"(?P<x>a)(?#note)a"), values) == [1]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"a(?=b)", "lookaround"),
        (r"(?<!x)a", "lookaround"),
        (r"(a)\1", "backreference"),
        (r"(?P<n>a)(?P=n)", "backreference"),
        (r"(?>a+)b", "atomic"),
        (r"a++", "possessive"),
        (r"(a)?(?(1)b|c)", "conditional"),
        (r"\bword\b", "word boundary"),
        (r"a$b", "followed by more"),
        (r"(?a)\w", "ASCII"),
        (r"a{1001}", "RE2 rejects"),
        (r"[^\Wx]", "intersection"),
    ],
)
def test_regex_re2_cannot_match_alike_is_reported_and_skipped(pattern: str, reason: str) -> None:
    rules = [
        rule([Predicate("F", RegexTest(pattern))]),
        rule([Predicate("F", StringTest("eq", "ab"))]),
    ]
    events = events_of({"F": "ab"}, {"F": "aab"})
    sql = SqlMatcher(rules)
    try:
        assert list(sql.unsupported) == [0]
        assert reason in sql.unsupported[0]
        assert sorted(sql.match(events)) == [(1, 0)]
    finally:
        sql.close()


def test_translate_regex_raises_for_python_errors() -> None:
    with pytest.raises(UnsupportedSql, match="does not compile in Python"):
        translate_regex("a(")


def test_whitespace_constant_is_pythons() -> None:
    expected = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
    assert expected == PYTHON_WHITESPACE


CATEGORY_PATTERNS = [r"\d", r"\w", r"\s", r"\D", r"\W", r"\S", r"[\w\s]", r"[^\d\s]"]


@pytest.mark.slow
def test_regex_categories_match_python_on_every_code_point(con: Any) -> None:
    """RE2's \\d \\w \\s are ASCII-only; the translation must be Python's, char for char."""
    codes = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    text = "".join(map(chr, codes))
    con.register("chars", pa.table({"code": codes, "ch": list(text)}))
    try:
        for flags in ("", "i"):
            patterns = [translate_regex(p, flags) for p in CATEGORY_PATTERNS]
            tests = ", ".join(f"regexp_full_match(ch, ?) AS c{n}" for n in range(len(patterns)))
            got = con.execute(f"SELECT {tests} FROM chars", patterns).fetchnumpy()
            for n, pattern in enumerate(CATEGORY_PATTERNS):
                compiled = re.compile(pattern, re.I if flags else 0)
                expected = [codes[m.start()] for m in compiled.finditer(text)]
                found = [codes[i] for i in got[f"c{n}"].nonzero()[0]]
                assert found == expected, (pattern, flags)
    finally:
        con.unregister("chars")


def _related_pairs() -> list[tuple[str, str]]:
    """Pairs of characters that some case mapping (or Python's extra fold cases) relates."""
    groups: dict[str, set[str]] = {}
    for code in range(0x30000):
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        related = {ch} | {m for f in (str.lower, str.upper, str.casefold) if len(m := f(ch)) == 1}
        for other in related:
            groups.setdefault(other, set()).update(related)
    for key, extras in _EXTRA_CASES.items():
        for extra in extras:
            groups.setdefault(chr(key), set()).add(chr(extra))
            groups.setdefault(chr(extra), set()).add(chr(key))
    return sorted({(a, b) for g in groups.values() for a in g for b in g if a != b})


def test_regex_ignorecase_matches_python_on_every_related_pair(con: Any) -> None:
    pairs = _related_pairs()
    rows = [
        (translate_regex(form.format(re.escape(a)), "i"), b, form, a)
        for a, b in pairs
        for form in ("{0}", "[{0}]", "[^{0}]", "[{0}-{0}]")
    ]
    table = pa.table({"p": [r[0] for r in rows], "s": [r[1] for r in rows]})
    con.register("pairs", table)
    try:
        got = [g for (g,) in con.execute("SELECT regexp_full_match(s, p) FROM pairs").fetchall()]
    finally:
        con.unregister("pairs")
    wrong = [
        (form, a, b)
        for (_, b, form, a), result in zip(rows, got, strict=True)
        if result != (re.fullmatch(form.format(re.escape(a)), b, re.I) is not None)
    ]
    assert wrong == []


# ---------------------------------------------------------------------------------------------
# CIDR and numbers
# ---------------------------------------------------------------------------------------------

ADDRESSES = [
    "10.1.2.3",
    " 10.1.2.3\u3000\n",
    "010.1.2.3",
    "10.1.2.256",
    "10.1.2",
    "10.1.2.3.4",
    "１０.1.2.3",
    "10.1.2.3/32",
    "::ffff:10.1.2.3",
    "10.0.0.0",
    "10.255.255.255",
    "11.0.0.0",
    "9.255.255.255",
    "0.0.0.0",
    "255.255.255.255",
    "fe80::1%eth0",
    "FE80::1",
    "fe80::",
    "::1",
    "fe80::1%",
    "1::2::3",
    "",
    167772161,
    ["x", "10.0.0.1"],
]


def _python_cidr(network: str) -> list[int]:
    net = ipaddress.ip_network(network, strict=False)
    found = []
    for n, value in enumerate(ADDRESSES):
        for item in value if isinstance(value, list) else [value]:
            try:
                if ipaddress.ip_address(str(item).strip()) in net:
                    found.append(n)
                    break
            except ValueError:
                continue
    return found


@pytest.mark.parametrize(
    "network", ["10.0.0.0/8", "10.1.2.3/32", "0.0.0.0/0", "fe80::/10", "::1/128", "::/0"]
)
def test_cidr_parses_addresses_as_python_does(network: str) -> None:
    expected = _python_cidr(network)
    assert expected  # the table holds members of every network
    assert matching(CidrTest(network), ADDRESSES) == expected


def test_cidr_ipv4_is_pure_sql_and_strict(con: Any) -> None:
    texts = ["1.2.3.4", "01.2.3.4", "1.2.3.4 ", "\u20281.2.3.4", "1.2.3", "256.1.1.1", "1.2.3.٤"]
    got = [
        con.execute("SELECT regexp_full_match(?, ?)", [t, IPV4_PATTERN]).fetchone()[0]
        for t in texts
    ]
    assert got == [True, False, True, True, False, False, False]


def test_invalid_network_matches_nothing() -> None:
    assert matching(CidrTest("not a network"), ["10.0.0.1", "x"]) == []


def test_compare_only_counts_decimal_numbers() -> None:
    values = ["6", " 6 ", "\t6\n", "6abc", "0x10", "1e400", "-inf", "nan", "١٢", 10, 5.5, True]
    values += ["+7", "7.", ".7e1", "5", "5.0", ["1", "9"], "", "1_000"]
    assert matching(CompareTest("gt", 5), values) == [0, 1, 2, 5, 9, 10, 12, 13, 14, 17]
    assert matching(CompareTest("lte", 5), values) == [15, 16, 17]


# ---------------------------------------------------------------------------------------------
# Selectors, naming, parameters
# ---------------------------------------------------------------------------------------------


def test_selectors_fold_channel_and_parse_event_ids() -> None:
    test = Predicate("F", StringTest("eq", "x"))
    events = [
        Event(fields, "s", n)
        for n, fields in enumerate(
            [
                {"Channel": "Security", "EventID": 4688, "F": "x"},
                {"Channel": "SECURITY", "EventID": "4688", "F": "x"},
                {"Channel": "Security", "EventID": "abc", "F": "x"},
                {"Channel": "System", "EventID": 4688, "F": "x"},
                {"EventID": 4688, "F": "x"},
                {"Channel": 5, "EventID": 4688.0, "F": "x"},
            ]
        )
    ]
    rules = [
        rule([test], selector=EventSelector("security", frozenset({4688}))),
        rule([test], selector=EventSelector(None)),
        rule([test], selector=EventSelector("System")),
        rule([test], selector=EventSelector(CHANNEL, frozenset())),
    ]
    assert run(rules, events) == [
        (0, 0),
        (0, 1),
        (1, 0),
        (1, 1),
        (1, 2),
        (1, 3),
        (1, 4),
        (1, 5),
        (2, 3),
    ]


def test_field_names_are_case_sensitive_and_quoted() -> None:
    names = ["Image", "image", "IMAGE", 'we"ird', "^x", "^X", "a b.c"]
    assert len({column_name(n, "t").lower() for n in names}) == len(names)
    rules = [rule([Predicate(n, StringTest("eq", str(i)))]) for i, n in enumerate(names)]
    events = events_of({n: str(i) for i, n in enumerate(names)}, {n: "x" for n in names})
    assert run(rules, events) == [(i, 0) for i in range(len(names))]


def test_variant_sql_binds_values_as_parameters() -> None:
    value = "o'brien\\'; drop table events; --"
    variant = rule([Predicate("F", StringTest("eq", value))]).variants[0]
    where, params = variant_sql(variant)
    assert value not in where
    assert value in params
    assert where.count("?") == len(params)
    assert matching(StringTest("eq", value), [value, "o'brien"]) == [0]


def test_rules_with_several_variants_report_each_match_like_the_fast_matcher() -> None:
    predicate = (Predicate("F", StringTest("eq", "x")),)
    variants = (
        Variant(EventSelector(CHANNEL), predicate, Ref(0)),
        Variant(EventSelector(None), predicate, Ref(0)),
    )
    both = CompiledRule(RuleMeta("r", "t", "high", None, (), "s"), variants)
    assert run([both], events_of({"F": "x"})) == [(0, 0), (0, 0)]


def test_empty_batch_and_no_rules() -> None:
    assert run([], events_of({"F": "x"})) == []
    assert run([rule([Predicate("F", StringTest("eq", "x"))])], []) == []


# ---------------------------------------------------------------------------------------------
# Merged value lists
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["eq", "startswith", "endswith", "contains"])
@pytest.mark.parametrize("cased", [False, True])
def test_or_of_string_values_is_merged_without_changing_answers(op: str, cased: bool) -> None:
    """SQL folds `F|op: [v1, v2, …]` into one list-valued test: same answers, incl. NOT."""
    words = ["a_b", "100%", "Straße".casefold(), "", "漢"]
    predicates = [Predicate("F", StringTest(op, w, cased)) for w in words]  # type: ignore[arg-type]
    predicates.append(Predicate("G", StringTest("eq", "x")))
    values = ["a_b", "axb", "100%", "1000", "STRASSE", "x漢x", "", ["q", "a_b"], None, _ABSENT]
    events = events_of(*({} if v is _ABSENT else {"F": v, "G": "x"} for v in values))
    anyof = Or(tuple(Ref(i) for i in range(len(words))))
    for condition in (anyof, Not(anyof), Or((Ref(len(words)), anyof)), And((anyof, Ref(5)))):
        run([rule(predicates, condition)], events)


# ---------------------------------------------------------------------------------------------
# FastMatcher bugs the differential tests found (values.py is the reference), now fixed: the
# SQL side gives values.py's answer and the fast matcher must give the same.
# ---------------------------------------------------------------------------------------------


def _fast_and_sql(test: ValueTest, values: Sequence[Any]) -> tuple[Any, list[int]]:
    events = [Event({"F": v}, "s", n) for n, v in enumerate(values)]
    rules = [rule([Predicate("F", test)], selector=EventSelector(None))]
    sql = SqlMatcher(rules)
    try:
        from_sql = [e for _, e in sorted(sql.match(events))]
    finally:
        sql.close()
    return sorted(e for _, e in FastMatcher(rules).match(events)), from_sql


def test_fast_matcher_tells_true_from_one() -> None:
    fast, sql = _fast_and_sql(StringTest("eq", "1"), [True, 1])
    assert sql == [1]  # as_text(True) is "true"
    assert fast == sql


def test_fast_matcher_survives_nested_lists() -> None:
    fast, sql = _fast_and_sql(StringTest("contains", "a"), [[["a"]], "a"])
    assert sql == [0, 1]  # as_text(["a"]) is "['a']"
    assert fast == sql


def test_fast_matcher_survives_an_infinite_event_id() -> None:
    events = [Event({"EventID": float("inf"), "F": "1"}, "s", 0)]
    rules = [rule([Predicate("F", StringTest("eq", "1"))], selector=EventSelector(None))]
    sql = SqlMatcher(rules)
    try:
        assert sql.match(events) == [(0, 0)]
    finally:
        sql.close()
    assert FastMatcher(rules).match(events) == [(0, 0)]
