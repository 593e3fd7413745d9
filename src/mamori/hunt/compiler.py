"""Lower pySigma's parsed rules into mamori's compiled form (`mamori.hunt.model`).

pySigma owns the Sigma grammar: YAML shape, modifiers (contains, base64offset, windash…),
condition expressions with `1 of`/`all of`. This module only translates its result, so a
construct pySigma understands is either translated exactly or reported with a reason — never
approximated silently.
"""

from __future__ import annotations

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionItem,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.correlations import SigmaCorrelationRule
from sigma.modifiers import SigmaWideModifier, modifier_mapping
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
    SigmaRegularExpressionFlag,
    SigmaString,
    SigmaTimestampPart,
    SpecialChars,
)

from mamori.hunt import logsources
from mamori.hunt.model import (
    LEVELS,
    And,
    CidrTest,
    CompareTest,
    CompiledCorrelation,
    CompiledRule,
    Const,
    CorrelationCondition,
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

# Sigma's specification names UTF-16LE `utf16le`; pySigma 1.x only knows it as `wide`.
modifier_mapping.setdefault("utf16le", SigmaWideModifier)


class UnsupportedConstruct(Exception):
    """A rule uses something mamori cannot evaluate exactly; the message says what."""


_REGEX_FLAGS = {
    SigmaRegularExpressionFlag.IGNORECASE: "i",
    SigmaRegularExpressionFlag.MULTILINE: "m",
    SigmaRegularExpressionFlag.DOTALL: "s",
}


def fold(text: str) -> str:
    """Sigma matches case-insensitively by default; Unicode case folding, not ASCII lowering."""
    return text.casefold()


def rule_meta(rule: SigmaRule | SigmaCorrelationRule, source: str) -> RuleMeta:
    level = rule.level.name.lower() if rule.level else "medium"
    if level not in LEVELS:
        level = "medium"
    return RuleMeta(
        id=str(rule.id) if rule.id else "",
        title=rule.title or "",
        level=level,  # type: ignore[arg-type]
        status=rule.status.name.lower() if rule.status else None,
        tags=tuple(f"{t.namespace}.{t.name}" for t in (rule.tags or ())),
        source=source,
        name=rule.name,
        description=(rule.description or "").strip(),
        author=rule.author or "",
        references=tuple(rule.references or ()),
        falsepositives=tuple(str(f) for f in (rule.falsepositives or ())),
        fields=tuple(rule.fields or ()),
    )


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


def string_test(value: SigmaString, cased: bool) -> ValueTest:
    """Turn a Sigma string (literal text and wildcards) into the cheapest exact test."""
    parts: list[str | SpecialChars] = []
    for part in value.s:
        # `expand` placeholders with no value configured match anything, as pySigma's
        # `wildcard_placeholders` transformation does; the rule still runs, more broadly.
        item = SpecialChars.WILDCARD_MULTI if isinstance(part, Placeholder) else part
        if isinstance(item, str) and parts and isinstance(parts[-1], str):
            parts[-1] += item
        elif item is SpecialChars.WILDCARD_MULTI and parts and parts[-1] is item:
            continue
        else:
            parts.append(item)

    def norm(text: str) -> str:
        return text if cased else fold(text)

    lead = bool(parts) and parts[0] is SpecialChars.WILDCARD_MULTI
    trail = len(parts) > 1 and parts[-1] is SpecialChars.WILDCARD_MULTI
    core = parts[int(lead) : len(parts) - int(trail)]
    if not core:
        return StringTest("eq", "", cased) if not parts else GlobTest((("any",),), cased)
    if len(core) == 1 and isinstance(core[0], str):
        op = {
            (False, False): "eq",
            (True, False): "endswith",
            (False, True): "startswith",
            (True, True): "contains",
        }[(lead, trail)]
        return StringTest(op, norm(core[0]), cased)  # type: ignore[arg-type]
    glob: list[tuple[str, ...]] = []
    for part in parts:
        if isinstance(part, str):
            glob.append(("lit", norm(part)))
        elif part is SpecialChars.WILDCARD_MULTI:
            glob.append(("any",))
        else:
            glob.append(("one",))
    return GlobTest(tuple(glob), cased)


def value_test(value: object) -> ValueTest | list[ValueTest]:
    """One pySigma value → one test (or several OR-ed, for expansions like windash)."""
    if isinstance(value, SigmaExpansion):
        tests: list[ValueTest] = []
        for item in value.values:
            sub = value_test(item)
            tests.extend(sub if isinstance(sub, list) else [sub])
        return tests
    if isinstance(value, SigmaCasedString):
        return string_test(value, cased=True)
    if isinstance(value, SigmaString):
        return string_test(value, cased=False)
    if isinstance(value, SigmaRegularExpression):
        regex = value.regexp
        pattern = regex.original if getattr(regex, "original", None) else str(regex)
        flags = "".join(sorted(_REGEX_FLAGS[f] for f in value.flags))
        return RegexTest(pattern, flags)
    if isinstance(value, SigmaCIDRExpression):
        return CidrTest(str(value.network))
    if isinstance(value, SigmaCompareExpression):
        op = value.op.name.lower()
        return CompareTest(op, float(value.number.number))  # type: ignore[arg-type]
    if isinstance(value, SigmaTimestampPart):
        raise UnsupportedConstruct(
            f"timestamp-part modifier ({value.timestamp_part.name.lower()}) is not supported"
        )
    if isinstance(value, SigmaNumber):
        return StringTest("eq", str(value.number))
    if isinstance(value, SigmaBool):
        return StringTest("eq", "true" if value.boolean else "false")
    if isinstance(value, SigmaNull):
        return NullTest()
    if isinstance(value, SigmaExists):
        return ExistsTest(bool(value.exists))
    if isinstance(value, SigmaFieldReference):
        op = {
            (False, False): "eq",
            (True, False): "startswith",
            (False, True): "endswith",
            (True, True): "contains",
        }[(value.starts_with, value.ends_with)]
        return FieldRefTest(value.field, op)  # type: ignore[arg-type]
    raise UnsupportedConstruct(f"value type {type(value).__name__} is not supported")


# ---------------------------------------------------------------------------------------------
# Conditions
# ---------------------------------------------------------------------------------------------


def as_keyword(value: object) -> object:
    """Keywords search the whole event text, so a plain keyword matches as a substring."""
    if isinstance(value, SigmaExpansion):
        return SigmaExpansion([as_keyword(v) for v in value.values])
    if isinstance(value, SigmaString):
        parts = list(value.s)
        if not parts or parts[0] is not SpecialChars.WILDCARD_MULTI:
            parts.insert(0, SpecialChars.WILDCARD_MULTI)
        if parts[-1] is not SpecialChars.WILDCARD_MULTI:
            parts.append(SpecialChars.WILDCARD_MULTI)
        wrapped = type(value)("")
        wrapped.s = tuple(parts)
        return wrapped
    return value


class _ConditionBuilder:
    """Builds a Node tree and its rule-local, de-duplicated predicate list."""

    def __init__(self) -> None:
        self.predicates: list[Predicate] = []
        self._index: dict[Predicate, int] = {}

    def ref(self, predicate: Predicate) -> Ref:
        index = self._index.get(predicate)
        if index is None:
            index = self._index[predicate] = len(self.predicates)
            self.predicates.append(predicate)
        return Ref(index)

    def leaf(self, field: str | None, value: object) -> Node:
        tests = value_test(value)
        if isinstance(tests, list):
            refs = tuple(self.ref(Predicate(field, t)) for t in tests)
            return refs[0] if len(refs) == 1 else Or(refs)
        return self.ref(Predicate(field, tests))

    def build(self, item: ConditionItem) -> Node:
        if isinstance(item, ConditionAND):
            return simplify(And(tuple(self.build(a) for a in item.args)))
        if isinstance(item, ConditionOR):
            return simplify(Or(tuple(self.build(a) for a in item.args)))
        if isinstance(item, ConditionNOT):
            return Not(self.build(item.args[0]))
        if isinstance(item, ConditionFieldEqualsValueExpression):
            return self.leaf(item.field, item.value)
        if isinstance(item, ConditionValueExpression):
            return self.leaf(None, as_keyword(item.value))
        raise UnsupportedConstruct(f"condition element {type(item).__name__} is not supported")


def simplify(node: Node) -> Node:
    """Flatten nested AND/OR of the same kind; keeps trees shallow for every evaluator."""
    if isinstance(node, And | Or):
        kind = type(node)
        items: list[Node] = []
        for item in node.items:
            if isinstance(item, kind):
                items.extend(item.items)
            else:
                items.append(item)
        if len(items) == 1:
            return items[0]
        if not items:
            return Const(isinstance(node, And))
        return kind(tuple(items))
    return node


def bind_variant(
    predicates: tuple[Predicate, ...], condition: Node, variant: logsources.LogsourceVariant
) -> Variant | None:
    """Bind a rule to one event kind: rename fields, translate values, add required values.

    Returns None when the rule tests a field this event kind never records (e.g.
    `OriginalFileName` on Security 4688): evaluating it there would turn `not` filters into
    false positives, so that variant is skipped, as pySigma's Windows pipelines do.
    """
    if any(p.field in variant.absent for p in predicates):
        return None
    renames = dict(variant.fields)
    bound = []
    for p in predicates:
        test = p.test
        if isinstance(test, FieldRefTest) and test.other in renames:
            test = FieldRefTest(renames[test.other], test.op)
        if isinstance(test, StringTest) and test.op == "eq" and p.field in variant.values:
            translated = {fold(k): v for k, v in variant.values[p.field].items()}
            if test.value in translated:
                test = StringTest("eq", fold(translated[test.value]))
        field = renames.get(p.field, p.field) if p.field is not None else None
        bound.append(Predicate(field, test))
    required: list[Node] = []
    if variant.provider:
        required.append(Ref(len(bound)))
        bound.append(Predicate("Provider_Name", StringTest("eq", fold(variant.provider))))
    for name, allowed in variant.conditions.items():
        options = []
        for value in allowed:
            options.append(Ref(len(bound)))
            bound.append(Predicate(name, StringTest("eq", fold(value))))
        required.append(simplify(Or(tuple(options))))
    if required:
        condition = simplify(And((condition, *required)))
    return Variant(EventSelector(variant.channel, variant.event_ids), tuple(bound), condition)


def compile_rule(rule: SigmaRule, source: str) -> CompiledRule:
    """Compile one detection rule; raises UnsupportedConstruct with the reason."""
    if rule.errors:
        raise UnsupportedConstruct("; ".join(str(e) for e in rule.errors))
    meta = rule_meta(rule, source)
    builder = _ConditionBuilder()
    conditions = [builder.build(c.parse()) for c in rule.detection.parsed_condition]
    condition = conditions[0] if len(conditions) == 1 else simplify(Or(tuple(conditions)))
    ls = rule.logsource
    variants = logsources.variants_for(ls.product, ls.category, ls.service)
    if variants is None:
        reason = logsources.unmapped_reason(ls.product, ls.category, ls.service)
        raise UnsupportedConstruct(reason)
    predicates = tuple(builder.predicates)
    bound = tuple(b for v in variants if (b := bind_variant(predicates, condition, v)) is not None)
    if not bound:
        raise UnsupportedConstruct("the rule tests fields that no event of its logsource records")
    return CompiledRule(meta, bound)


def compile_correlation(rule: SigmaCorrelationRule, source: str) -> CompiledCorrelation:
    meta = rule_meta(rule, source)
    ctype = rule.type.name.lower()
    if ctype not in ("event_count", "value_count", "temporal", "temporal_ordered"):
        raise UnsupportedConstruct(f"correlation type {ctype} is not supported")
    condition = None
    if rule.condition is not None and hasattr(rule.condition, "op"):
        fieldref = rule.condition.fieldref
        if isinstance(fieldref, list):
            if len(fieldref) != 1:
                raise UnsupportedConstruct("value_count over several fields is not supported")
            fieldref = fieldref[0]
        condition = CorrelationCondition(
            rule.condition.op.name.lower(),  # type: ignore[arg-type]
            int(rule.condition.count),
            fieldref,
        )
    elif rule.condition is not None:
        raise UnsupportedConstruct("extended correlation conditions are not supported")
    if ctype == "value_count" and (condition is None or not condition.field):
        raise UnsupportedConstruct("value_count correlation needs `condition.field`")
    aliases = {
        alias.alias: {ref.reference: name for ref, name in alias.mapping.items()}
        for alias in rule.aliases.aliases.values()
    }
    return CompiledCorrelation(
        meta=meta,
        type=ctype,  # type: ignore[arg-type]
        rules=tuple(r.reference for r in (rule.rules or ())),
        group_by=tuple(rule.group_by or ()),
        timespan_seconds=int(rule.timespan.seconds),
        condition=condition,
        aliases=aliases,
        generate=bool(rule.generate),
    )
