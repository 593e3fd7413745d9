"""mamori's compiled form of a Sigma rule: what every evaluator (fast matcher, SQL) works from.

pySigma parses the YAML and applies the value modifiers; the compiler then lowers the result into
this small, typed, picklable form. Its classes are plain (not frozen) dataclasses with value
hashing because the frozen kind takes twice as long to unpickle from the rule cache; nothing
mutates them after compilation. Keeping one compiled form is what lets the fast matcher and
the SQL backends be tested against each other: they cannot disagree about what a rule *says*,
only about how they evaluate it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# ---------------------------------------------------------------------------------------------
# Value tests. Each is frozen and hashable so identical tests are shared across thousands of
# rules and evaluated once per distinct field value.
# ---------------------------------------------------------------------------------------------

StringOp = Literal["eq", "startswith", "endswith", "contains"]


@dataclass(slots=True, unsafe_hash=True)
class StringTest:
    """A literal string compared whole, as prefix, suffix or substring.

    Case-insensitive tests hold the value already Unicode case-folded, so evaluators fold only
    the event side.
    """

    op: StringOp
    value: str
    cased: bool = False


@dataclass(slots=True, unsafe_hash=True)
class GlobTest:
    """A Sigma wildcard pattern with `*`/`?` inside it (not only at its ends).

    `parts` alternates literal text and wildcard tokens: ("lit", text) | ("any",) | ("one",).
    """

    parts: tuple[tuple[str, ...], ...]
    cased: bool = False


@dataclass(slots=True, unsafe_hash=True)
class RegexTest:
    """Sigma `|re`: searched (unanchored), with the rule's `i`, `m`, `s` flags."""

    pattern: str
    flags: str = ""


@dataclass(slots=True, unsafe_hash=True)
class CidrTest:
    network: str


@dataclass(slots=True, unsafe_hash=True)
class CompareTest:
    op: Literal["lt", "lte", "gt", "gte"]
    number: float


@dataclass(slots=True, unsafe_hash=True)
class ExistsTest:
    exists: bool


@dataclass(slots=True, unsafe_hash=True)
class NullTest:
    """Sigma `null`: the field is missing, null or empty."""


@dataclass(slots=True, unsafe_hash=True)
class FieldRefTest:
    """Sigma `|fieldref`: this field's value equals (or starts/ends with) another field's."""

    other: str
    op: StringOp = "eq"


ValueTest = (
    StringTest
    | GlobTest
    | RegexTest
    | CidrTest
    | CompareTest
    | ExistsTest
    | NullTest
    | FieldRefTest
)


@dataclass(slots=True, unsafe_hash=True)
class Predicate:
    """One test of one field; `field=None` is a keyword search over every field's value."""

    field: str | None
    test: ValueTest


# ---------------------------------------------------------------------------------------------
# Boolean structure
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, unsafe_hash=True)
class Ref:
    """Leaf of a condition: the rule-local index of a predicate."""

    index: int


@dataclass(slots=True, unsafe_hash=True)
class And:
    items: tuple[Node, ...]


@dataclass(slots=True, unsafe_hash=True)
class Or:
    items: tuple[Node, ...]


@dataclass(slots=True, unsafe_hash=True)
class Not:
    item: Node


@dataclass(slots=True, unsafe_hash=True)
class Const:
    value: bool


Node = Ref | And | Or | Not | Const


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, unsafe_hash=True)
class EventSelector:
    """Which events a logsource covers: a channel and optionally some event ids.

    `channel=None` selects every event (a rule whose logsource names only a product).
    """

    channel: str | None
    event_ids: frozenset[int] | None = None


@dataclass(slots=True, unsafe_hash=True)
class Variant:
    """A rule bound to one concrete event kind, with its field names already renamed.

    `process_creation` becomes one variant for Sysmon event 1 and one for Security 4688 (whose
    fields have other names); evaluators treat each variant as a plain filter.
    """

    selector: EventSelector
    predicates: tuple[Predicate, ...]
    condition: Node


Level = Literal["informational", "low", "medium", "high", "critical"]
LEVELS: tuple[Level, ...] = ("informational", "low", "medium", "high", "critical")


@dataclass(slots=True, unsafe_hash=True)
class RuleMeta:
    """What a person needs to read a detection: the rule's identity and context."""

    id: str
    title: str
    level: Level
    status: str | None
    tags: tuple[str, ...]
    source: str
    """File the rule came from."""
    name: str | None = None
    """The rule's `name:` (what correlation rules refer to), if it has one."""
    description: str = ""
    author: str = ""
    references: tuple[str, ...] = ()
    falsepositives: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    """The rule's `fields:` list: the fields worth showing for a match."""


@dataclass(slots=True, unsafe_hash=True)
class CompiledRule:
    meta: RuleMeta
    variants: tuple[Variant, ...]


CorrelationType = Literal["event_count", "value_count", "temporal", "temporal_ordered"]


@dataclass(slots=True, unsafe_hash=True)
class CorrelationCondition:
    op: Literal["lt", "lte", "gt", "gte", "eq", "neq"]
    count: int
    field: str | None = None
    """For value_count: the field whose distinct values are counted."""

    def holds(self, value: int) -> bool:
        match self.op:
            case "lt":
                return value < self.count
            case "lte":
                return value <= self.count
            case "gt":
                return value > self.count
            case "gte":
                return value >= self.count
            case "eq":
                return value == self.count
            case _:
                return value != self.count


@dataclass(slots=True, unsafe_hash=True)
class CompiledCorrelation:
    meta: RuleMeta
    type: CorrelationType
    rules: tuple[str, ...]
    """Ids of the referenced (base or correlation) rules, in the order the rule lists them."""
    group_by: tuple[str, ...]
    timespan_seconds: int
    condition: CorrelationCondition | None
    aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    """alias -> {rule id -> field name in that rule's events}."""
    generate: bool = False
    """Whether the referenced rules' own matches are reported too."""


@dataclass(slots=True, unsafe_hash=True)
class RuleProblem:
    """A rule that cannot be loaded, converted or run, and why. Never dropped silently."""

    source: str
    rule_id: str | None
    title: str | None
    reason: str

    def __str__(self) -> str:
        who = self.title or self.rule_id or "?"
        return f"{self.source}: {who}: {self.reason}"


@dataclass(slots=True)
class RuleSet:
    rules: list[CompiledRule] = field(default_factory=list)
    correlations: list[CompiledCorrelation] = field(default_factory=list)
    problems: list[RuleProblem] = field(default_factory=list)
    files: int = 0
    silent: set[str] = field(default_factory=set)
    """Ids of rules evaluated only to feed correlations: their own matches are not reported."""


def _reduce_by_fields(self: object) -> tuple:
    """Pickle by constructor arguments: 10x faster to load than dataclasses' default state."""
    return (type(self), tuple(getattr(self, name) for name in self.__slots__))  # type: ignore[attr-defined]


for _cls in (
    StringTest,
    GlobTest,
    RegexTest,
    CidrTest,
    CompareTest,
    ExistsTest,
    NullTest,
    FieldRefTest,
    Predicate,
    Ref,
    And,
    Or,
    Not,
    Const,
    EventSelector,
    Variant,
    RuleMeta,
    CompiledRule,
    CorrelationCondition,
    CompiledCorrelation,
    RuleProblem,
):
    _cls.__reduce__ = _reduce_by_fields  # type: ignore[method-assign]
