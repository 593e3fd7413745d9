"""Hypothesis: modifiers, wildcards and escapes mean the same to the fast matcher and the oracle.

Patterns and values are drawn from an alphabet full of the characters that break matchers:
wildcards, escapes, SQL LIKE metacharacters, characters whose case folding changes length.
"""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sigma.collection import SigmaCollection

from mamori.hunt.matching.fast import FastMatcher
from mamori.hunt.matching.reference import reference_match

from helpers import event, ruleset

ALPHABET = "aAbBkK\\*?_%.ßSsſİiıΣσς漢K \n-/"
texts = st.text(alphabet=ALPHABET, max_size=8)
MODIFIERS = [
    "",
    "|contains",
    "|startswith",
    "|endswith",
    "|cased",
    "|contains|cased",
    "|re",
    "|re|i",
]


def sigma_escape(text: str) -> str:
    """The Sigma string that means exactly `text`, no wildcards."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def rule_text(field_spec: str, value: object) -> str:
    return yaml.safe_dump(
        {
            "title": "property",
            "id": "00000000-0000-4000-8000-00000000beef",
            "status": "test",
            "level": "low",
            "logsource": {"product": "windows", "category": "process_creation"},
            "detection": {"sel": {field_spec: value}, "condition": "sel"},
        },
        allow_unicode=True,
    )


def agree(text: str, fields: dict) -> bool:
    rs = ruleset(text)
    fast = bool(FastMatcher(rs.rules).match([event(**fields)]))
    oracle = reference_match(SigmaCollection.from_yaml(text).rules[0], event(**fields).fields)
    assert fast == oracle, (text, fields, fast, oracle)
    return fast


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pattern=texts, value=texts, modifier=st.sampled_from(MODIFIERS))
def test_fast_matcher_agrees_with_oracle(pattern: str, value: str, modifier: str) -> None:
    if modifier.startswith("|re"):
        pattern = "".join(c for c in pattern if c not in "\\*?.()[]{}+^$|")
    agree(rule_text(f"CommandLine{modifier}", pattern), {"CommandLine": value})


@settings(max_examples=200, deadline=None)
@given(literal=texts, other=texts)
def test_escaped_literal_matches_only_itself(literal: str, other: str) -> None:
    text = rule_text("CommandLine|cased", sigma_escape(literal))
    assert agree(text, {"CommandLine": literal})
    assert agree(text, {"CommandLine": other}) == (other == literal)


@settings(max_examples=200, deadline=None)
@given(prefix=texts, middle=texts, suffix=texts)
def test_wildcards_span_anything(prefix: str, middle: str, suffix: str) -> None:
    pattern = sigma_escape(prefix) + "*" + sigma_escape(suffix)
    text = rule_text("CommandLine|cased", pattern)
    assert agree(text, {"CommandLine": prefix + middle + suffix})


@settings(max_examples=200, deadline=None)
@given(value=texts)
def test_case_insensitive_means_case_folding(value: str) -> None:
    text = rule_text("CommandLine", sigma_escape(value.upper()))
    assert agree(text, {"CommandLine": value}) == (value.upper().casefold() == value.casefold())
