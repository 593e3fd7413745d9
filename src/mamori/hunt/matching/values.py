"""How one event value is tested, shared by every Python evaluator.

The fast matcher and the reference evaluator must agree with each other and with the SQL
backends, so the meaning of "a value matches a test" lives here once: values become text the way
the SQL tables store them, case-insensitive tests compare Unicode case-folded text, wildcards
span any characters including newlines.
"""

from __future__ import annotations

import ipaddress
import re
import warnings
from functools import lru_cache
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from mamori.hunt.model import (
    CidrTest,
    CompareTest,
    ExistsTest,
    GlobTest,
    NullTest,
    RegexTest,
    StringTest,
    ValueTest,
)


class _Missing:
    """Marks a field the event does not have (unlike a field whose value is null)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def as_text(value: Any) -> str:
    """The text form of a scalar value, as the SQL tables store it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def scalars(value: Any) -> tuple[Any, ...]:
    """A multi-valued field matches when any of its values does."""
    if isinstance(value, list | tuple):
        return tuple(v for v in value if v is not None)
    return (value,)


def is_null(value: Any) -> bool:
    return value is MISSING or value is None or value == "" or value == () or value == []


@lru_cache(maxsize=4096)
def glob_regex(test: GlobTest) -> re.Pattern[str]:
    pieces = []
    for part in test.parts:
        if part[0] == "lit":
            pieces.append(re.escape(part[1]))
        elif part[0] == "any":
            pieces.append(".*")
        else:
            pieces.append(".")
    return re.compile("".join(pieces), re.DOTALL)


_RE_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}


@lru_cache(maxsize=4096)
def compiled_regex(test: RegexTest) -> re.Pattern[str]:
    flags = 0
    for flag in test.flags:
        flags |= _RE_FLAGS[flag]
    with warnings.catch_warnings():
        # Rules from others may hold `[[` ("possible nested set"): valid, and no user's concern.
        warnings.simplefilter("ignore", FutureWarning)
        return re.compile(test.pattern, flags)


@lru_cache(maxsize=1024)
def network(test: CidrTest) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(test.network, strict=False)


NUMBER_PATTERN = r"[ \t\r\n]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\r\n]*"
"""Decimal numbers only: the SQL backends apply the same pattern before casting."""
_NUMBER = re.compile(NUMBER_PATTERN)


def as_number(text: str) -> float | None:
    if _NUMBER.fullmatch(text) is None:
        return None
    return float(text)


def string_matches(test: StringTest, text: str) -> bool:
    subject = text if test.cased else text.casefold()
    match test.op:
        case "eq":
            return subject == test.value
        case "startswith":
            return subject.startswith(test.value)
        case "endswith":
            return subject.endswith(test.value)
        case _:
            return test.value in subject


def scalar_matches(test: ValueTest, value: Any) -> bool:
    """Does one non-null scalar value satisfy a value test (not Null/Exists/FieldRef)?"""
    text = as_text(value)
    if isinstance(test, StringTest):
        return string_matches(test, text)
    if isinstance(test, GlobTest):
        return glob_regex(test).fullmatch(text if test.cased else text.casefold()) is not None
    if isinstance(test, RegexTest):
        return compiled_regex(test).search(text) is not None
    if isinstance(test, CidrTest):
        try:
            return ipaddress.ip_address(text.strip()) in network(test)
        except ValueError:
            return False
    if isinstance(test, CompareTest):
        number = as_number(text)
        if number is None:
            return False
        match test.op:
            case "lt":
                return number < test.number
            case "lte":
                return number <= test.number
            case "gt":
                return number > test.number
            case _:
                return number >= test.number
    raise TypeError(f"not a scalar test: {test!r}")


def value_matches(test: ValueTest, value: Any) -> bool:
    """Does a field value (possibly MISSING, null or multi-valued) satisfy a value test?"""
    if isinstance(test, NullTest):
        return is_null(value)
    if isinstance(test, ExistsTest):
        return (value is not MISSING and value is not None) == test.exists
    if value is MISSING or value is None:
        return False
    return any(scalar_matches(test, v) for v in scalars(value))


def required_literal(test: ValueTest) -> tuple[bool, str] | None:
    """A substring every value matching `test` must contain, as (cased, text), if one exists.

    Lets the fast matcher run an expensive pattern only on values that contain it. For a
    case-insensitive pattern the literal is case-folded and looked for in the folded value.
    """
    if isinstance(test, GlobTest):
        literals = [part[1] for part in test.parts if part[0] == "lit"]
        longest = max(literals, key=len, default="")
        return (test.cased, longest) if longest else None
    if isinstance(test, RegexTest):
        found = _regex_literal(test.pattern, "i" in test.flags)
        if found is None:
            return None
        literal, ignorecase = found
        if ignorecase:
            # Python's IGNORECASE and casefold() agree on ASCII except for `i`, which also
            # matches the dotless `ı` that casefold() leaves alone: gate on a piece without it.
            if not literal.isascii():
                return None
            longest = max(re.split("[iI]", literal), key=len)
            return (False, longest.casefold()) if longest else None
        return (True, literal)
    return None


def _regex_literal(pattern: str, ignorecase: bool) -> tuple[str, bool] | None:
    """The longest run of plain characters the regex must match in sequence, if any, and
    whether it matches case-insensitively (flags given or written inline as `(?i)`)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            parsed = sre_parse.parse(pattern, re.IGNORECASE if ignorecase else 0)
    except (re.error, OverflowError, RecursionError):
        return None
    ignorecase = bool(parsed.state.flags & re.IGNORECASE)
    best, run = "", []
    for op, arg in parsed:
        if op is sre_constants.LITERAL:
            run.append(chr(arg))
            continue
        if len(run) > len(best):
            best = "".join(run)
        run = []
    if len(run) > len(best):
        best = "".join(run)
    return (best, ignorecase) if best else None
