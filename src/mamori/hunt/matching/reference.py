"""A plain, slow evaluation of a Sigma rule straight from pySigma's objects.

It shares nothing with the compiler or the fast matcher except the meaning of a value test
(`values.py`), so when the three agree the compilation is right too. Tests use it as the oracle;
it is not meant for production use.
"""

from __future__ import annotations

import re
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionItem,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.rule import SigmaRule
from sigma.types import (
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaString,
    SpecialChars,
)

from mamori.events import channel_of, event_id_of
from mamori.hunt import logsources
from mamori.hunt.matching.values import (
    MISSING,
    as_text,
    is_null,
    scalars,
    value_matches,
)
from mamori.hunt.model import CidrTest, CompareTest, RegexTest


def _string_regex(value: SigmaString, cased: bool) -> re.Pattern[str]:
    pieces = []
    for part in value.s:
        if isinstance(part, str):
            pieces.append(re.escape(part if cased else part.casefold()))
        elif part is SpecialChars.WILDCARD_SINGLE:
            pieces.append(".")
        else:  # WILDCARD_MULTI or a placeholder with no value: anything
            assert part is SpecialChars.WILDCARD_MULTI or isinstance(part, Placeholder)
            pieces.append(".*")
    return re.compile("".join(pieces), re.DOTALL)


def _scalar_text_matches(
    value: SigmaString, cased: bool, event_value: Any, anywhere: bool = False
) -> bool:
    if event_value is MISSING or event_value is None:
        return False
    pattern = _string_regex(value, cased)
    match = pattern.search if anywhere else pattern.fullmatch
    for scalar in scalars(event_value):
        text = as_text(scalar)
        if match(text if cased else text.casefold()):
            return True
    return False


def _keyword(value: Any, fields: dict[str, Any]) -> bool:
    """Keywords search every value of the event, as substrings."""
    for event_value in fields.values():
        if isinstance(value, SigmaExpansion):
            if any(_keyword(v, {"_": event_value}) for v in value.values):
                return True
        elif isinstance(value, SigmaString):
            cased = isinstance(value, SigmaCasedString)
            if _scalar_text_matches(value, cased, event_value, anywhere=True):
                return True
        elif event_value is not None and _value(value, "_", {"_": event_value}):
            return True
    return False


def _value(value: Any, field: str | None, fields: dict[str, Any]) -> bool:
    if field is None:
        return _keyword(value, fields)
    event_value = fields.get(field, MISSING)
    if isinstance(value, SigmaExpansion):
        return any(_value(v, field, fields) for v in value.values)
    if isinstance(value, SigmaCasedString):
        return _scalar_text_matches(value, True, event_value)
    if isinstance(value, SigmaString):
        return _scalar_text_matches(value, False, event_value)
    if isinstance(value, SigmaNumber) and not isinstance(value, SigmaCompareExpression):
        return _scalar_text_matches(SigmaString(str(value.number)), False, event_value)
    if isinstance(value, SigmaBool):
        return _scalar_text_matches(SigmaString(str(value.boolean).lower()), False, event_value)
    if isinstance(value, SigmaNull):
        return is_null(event_value)
    if isinstance(value, SigmaExists):
        return (event_value is not MISSING and event_value is not None) == bool(value.exists)
    if isinstance(value, SigmaRegularExpression):
        regex = value.regexp
        pattern = regex.original if getattr(regex, "original", None) else str(regex)
        flags = "".join(sorted(f.name[0].lower() for f in value.flags))
        flags = flags.replace("d", "s")  # DOTALL is Sigma's `s`
        return value_matches(RegexTest(pattern, flags), event_value)
    if isinstance(value, SigmaCIDRExpression):
        return value_matches(CidrTest(str(value.network)), event_value)
    if isinstance(value, SigmaCompareExpression):
        test = CompareTest(value.op.name.lower(), float(value.number.number))  # type: ignore[arg-type]
        return value_matches(test, event_value)
    if isinstance(value, SigmaFieldReference):
        other = fields.get(value.field, MISSING)
        if other is MISSING or other is None or event_value is MISSING or event_value is None:
            return False
        lead = ".*" if value.ends_with else ""
        trail = ".*" if value.starts_with else ""
        for right in scalars(other):
            pattern = re.compile(lead + re.escape(as_text(right).casefold()) + trail, re.DOTALL)
            if any(pattern.fullmatch(as_text(v).casefold()) for v in scalars(event_value)):
                return True
        return False
    raise TypeError(f"reference evaluator does not know {type(value).__name__}")


def _condition(item: ConditionItem, fields: dict[str, Any]) -> bool:
    if isinstance(item, ConditionAND):
        return all(_condition(a, fields) for a in item.args)
    if isinstance(item, ConditionOR):
        return any(_condition(a, fields) for a in item.args)
    if isinstance(item, ConditionNOT):
        return not _condition(item.args[0], fields)
    if isinstance(item, ConditionFieldEqualsValueExpression):
        return _value(item.value, item.field, fields)
    if isinstance(item, ConditionValueExpression):
        return _value(item.value, None, fields)
    raise TypeError(f"reference evaluator does not know {type(item).__name__}")


def reference_match(rule: SigmaRule, fields: dict[str, Any]) -> bool:
    """Does the rule match an event with these (Sigma-named, Windows) fields?"""
    ls = rule.logsource
    variants = logsources.variants_for(ls.product, ls.category, ls.service) or []
    channel = str(channel_of(fields) or "").casefold()
    try:
        event_id = int(event_id_of(fields))
    except (TypeError, ValueError):
        event_id = None
    used = _fields_used(rule)
    for variant in variants:
        if variant.channel is not None and variant.channel.casefold() != channel:
            continue
        if variant.event_ids is not None and event_id not in variant.event_ids:
            continue
        if used & variant.absent:
            continue
        if variant.provider and str(fields.get("Provider_Name", "")).casefold() != (
            variant.provider.casefold()
        ):
            continue
        if any(
            as_text(fields.get(name, "")).casefold() not in {v.casefold() for v in allowed}
            for name, allowed in variant.conditions.items()
        ):
            continue
        # Present the event under Sigma's names and values, read from where this kind keeps them.
        view = dict(fields)
        for sigma_name, event_name in variant.fields.items():
            view.pop(sigma_name, None)
            if event_name in fields:
                view[sigma_name] = fields[event_name]
        for sigma_name, table in variant.values.items():
            current = view.get(sigma_name)
            if current is not None:
                back = {v.casefold(): k for k, v in table.items()}
                view[sigma_name] = back.get(as_text(current).casefold(), current)
        if any(_condition(c, view) for c in _conditions(rule)):
            return True
    return False


_parsed: dict[int, tuple[SigmaRule, list[ConditionItem]]] = {}


def _conditions(rule: SigmaRule) -> list[ConditionItem]:
    """Parsed conditions of a rule, parsed once (pySigma's parser is slow)."""
    entry = _parsed.get(id(rule))
    if entry is None or entry[0] is not rule:
        entry = _parsed[id(rule)] = (rule, [c.parse() for c in rule.detection.parsed_condition])
    return entry[1]


def _fields_used(rule: SigmaRule) -> set[str]:
    used: set[str] = set()

    def walk(item: ConditionItem) -> None:
        if isinstance(item, ConditionFieldEqualsValueExpression):
            used.add(item.field)
        for arg in getattr(item, "args", ()) or ():
            if isinstance(arg, ConditionItem):
                walk(arg)

    for condition in _conditions(rule):
        walk(condition)
    return used
