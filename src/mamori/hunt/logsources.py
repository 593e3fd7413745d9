"""Which events a Sigma rule's `logsource` applies to, read from `logsources.yaml`.

The mapping is data (see the comments in `logsources.yaml` for its schema, its sources and how
category and service combine); this module only loads it once, checks its shape, and answers
`variants_for(product, category, service)`: the list of event kinds (channel, event ids, field
renames) a rule runs on, or None when the logsource is not mapped, in which case
`unmapped_reason` says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any

import yaml

__all__ = [
    "LogsourceMap",
    "LogsourceMapError",
    "LogsourceVariant",
    "load_mapping",
    "parse_mapping",
    "unmapped_reason",
    "variants_for",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _empty() -> Mapping[str, Any]:
    return _EMPTY


_VARIANT_KEYS = frozenset(
    {"channel", "event_ids", "provider", "conditions", "fields", "values", "absent", "note"}
)
_PRODUCT_KEYS = frozenset({"product_only", "services", "categories", "unmapped"})


class LogsourceMapError(ValueError):
    """`logsources.yaml` does not have the expected shape."""


@dataclass(frozen=True, slots=True)
class LogsourceVariant:
    """One kind of event a logsource covers, and how Sigma's field names read on it."""

    channel: str | None
    """Exact `Channel` of the events; None = any channel (a rule naming only a product)."""
    event_ids: frozenset[int] | None = None
    """EventIDs the events must have; None = any."""
    fields: Mapping[str, str] = field(default_factory=_empty, hash=False)
    """Sigma field -> the field's name in this event; fields not listed keep their name."""
    provider: str | None = None
    """Exact Provider_Name the events must come from; None = any."""
    conditions: Mapping[str, tuple[str, ...]] = field(default_factory=_empty, hash=False)
    """Event field -> values one of which it must hold (exact text, case-insensitive)."""
    values: Mapping[str, Mapping[str, str]] = field(default_factory=_empty, hash=False)
    """Sigma field -> {Sigma value (casefolded) -> the value as this event writes it}."""
    absent: frozenset[str] = frozenset()
    """Sigma fields this event does not record: a rule testing one cannot be run faithfully."""
    note: str | None = None
    """A short caveat about this variant, for reports."""

    def event_value(self, sigma_field: str, value: str) -> str:
        """`value` as this event writes it (e.g. IntegrityLevel 'High' -> 'S-1-16-12288')."""
        return self.values.get(sigma_field, _EMPTY).get(value.casefold(), value)


@dataclass(frozen=True, slots=True)
class _Product:
    product_only: tuple[LogsourceVariant, ...] | None
    services: Mapping[str, tuple[LogsourceVariant, ...]]
    categories: Mapping[str, tuple[LogsourceVariant, ...]]
    unmapped_categories: Mapping[str, str]
    unmapped_services: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class LogsourceMap:
    """A parsed `logsources.yaml`."""

    products: Mapping[str, _Product]

    def variants_for(
        self, product: str | None, category: str | None, service: str | None
    ) -> list[LogsourceVariant] | None:
        """The event kinds a logsource covers; None when it is not mapped (never [])."""
        resolved = self._resolve(product, category, service)
        return list(resolved) if isinstance(resolved, tuple) else None

    def unmapped_reason(
        self, product: str | None, category: str | None, service: str | None
    ) -> str | None:
        """Why a logsource is not mapped, for reports; None when it is mapped."""
        resolved = self._resolve(product, category, service)
        return resolved if isinstance(resolved, str) else None

    def _resolve(
        self, product: str | None, category: str | None, service: str | None
    ) -> tuple[LogsourceVariant, ...] | str:
        """The variants, or the reason there are none."""
        product, category, service = (_key(product), _key(category), _key(service))
        described = _describe(product, category, service)
        mapping = self.products.get(product if product is not None else NO_PRODUCT)
        if product is None and mapping is None:
            return f"logsource {described} names no product (mapped products: {self._products()})"
        if mapping is None:
            return f"logsource {described}: product {product!r} is not mapped yet"
        if category is None and service is None:
            if mapping.product_only is None:
                return f"logsource {described}: a rule must name a category or service"
            return mapping.product_only
        if category is not None and category in mapping.unmapped_categories:
            return f"logsource {described}: {mapping.unmapped_categories[category]}"
        if service is not None and service in mapping.unmapped_services:
            return f"logsource {described}: {mapping.unmapped_services[service]}"
        by_category = mapping.categories.get(category) if category is not None else None
        by_service = mapping.services.get(service) if service is not None else None
        owner = product or "a logsource without product"
        if category is not None and by_category is None:
            return f"logsource {described}: {owner} category {category!r} is not mapped"
        if service is not None and by_service is None:
            return f"logsource {described}: {owner} service {service!r} is not mapped"
        if by_category is None:
            assert by_service is not None
            return by_service
        if by_service is None:
            return by_category
        # Both: the service narrows the channel, the category gives event ids and renames.
        channels = {v.channel.casefold() for v in by_service if v.channel is not None}
        both = tuple(
            v for v in by_category if v.channel is not None and v.channel.casefold() in channels
        )
        if not both:
            return (
                f"logsource {described}: category {category!r} has no event in the channels "
                f"of service {service!r}"
            )
        return both

    def _products(self) -> str:
        return ", ".join(sorted(p for p in self.products if p != NO_PRODUCT)) or "no products"


def _key(value: str | None) -> str | None:
    if value is None:
        return None
    text = str(value).strip().casefold()
    return text or None


def _describe(product: str | None, category: str | None, service: str | None) -> str:
    named = (("product", product), ("category", category), ("service", service))
    return "{" + ", ".join(f"{k}: {v}" for k, v in named if v) + "}"


# ---------------------------------------------------------------------------------------------
# Loading and shape checks
# ---------------------------------------------------------------------------------------------


def _fail(where: str, problem: str) -> LogsourceMapError:
    return LogsourceMapError(f"logsources.yaml: {where}: {problem}")


def _mapping(value: Any, where: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise _fail(where, f"expected a mapping, got {type(value).__name__}")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"expected a non-empty string, got {value!r}")
    return value


def _lower_key(key: Any, where: str) -> str:
    text = _text(key, where)
    if text != text.strip().casefold():
        raise _fail(where, f"key {key!r} must be lower-case without surrounding spaces")
    return text


def _text_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(where, "expected a non-empty list of strings")
    return tuple(_text(item, f"{where}[{n}]") for n, item in enumerate(value))


def _variant(raw: Any, where: str) -> LogsourceVariant:
    data = _mapping(raw, where)
    unknown = set(data) - _VARIANT_KEYS
    if unknown:
        raise _fail(where, f"unknown key(s) {sorted(map(str, unknown))}")
    channel = _text(data["channel"], f"{where}.channel") if "channel" in data else None

    event_ids: frozenset[int] | None = None
    if "event_ids" in data:
        ids = data["event_ids"]
        if not isinstance(ids, list) or not ids or not all(type(i) is int and i >= 0 for i in ids):
            raise _fail(f"{where}.event_ids", f"expected a non-empty list of integers, got {ids!r}")
        event_ids = frozenset(ids)

    provider = _text(data["provider"], f"{where}.provider") if "provider" in data else None

    renames = {
        _text(k, f"{where}.fields"): _text(v, f"{where}.fields.{k}")
        for k, v in _mapping(data.get("fields", {}), f"{where}.fields").items()
    }
    conditions = {
        _text(k, f"{where}.conditions"): _text_list(v, f"{where}.conditions.{k}")
        for k, v in _mapping(data.get("conditions", {}), f"{where}.conditions").items()
    }
    values: dict[str, Mapping[str, str]] = {}
    for sigma_field, table in _mapping(data.get("values", {}), f"{where}.values").items():
        name = _text(sigma_field, f"{where}.values")
        at = f"{where}.values.{name}"
        values[name] = MappingProxyType(
            {_text(k, at).casefold(): _text(v, f"{at}.{k}") for k, v in _mapping(table, at).items()}
        )
    absent = frozenset(_text_list(data["absent"], f"{where}.absent")) if "absent" in data else None
    note = _text(data["note"], f"{where}.note") if "note" in data else None

    if channel is None and (event_ids is not None or provider is not None or conditions):
        raise _fail(where, "a variant that narrows the events must name its channel")
    for sigma_field in (*values, *(absent or ())):
        if sigma_field in renames.values() and sigma_field not in renames:
            raise _fail(where, f"{sigma_field!r} is both a rename target and a Sigma field")
    return LogsourceVariant(
        channel=channel,
        event_ids=event_ids,
        fields=MappingProxyType(renames),
        provider=provider,
        conditions=MappingProxyType(conditions),
        values=MappingProxyType(values),
        absent=absent or frozenset(),
        note=note,
    )


def _variants(raw: Any, where: str) -> tuple[LogsourceVariant, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(where, "expected a non-empty list of variants")
    return tuple(_variant(item, f"{where}[{n}]") for n, item in enumerate(raw))


def _named_variants(raw: Any, where: str) -> Mapping[str, tuple[LogsourceVariant, ...]]:
    return MappingProxyType(
        {
            _lower_key(name, where): _variants(variants, f"{where}.{name}")
            for name, variants in _mapping(raw, where).items()
        }
    )


def _reasons(raw: Any, where: str) -> Mapping[str, str]:
    return MappingProxyType(
        {
            _lower_key(name, where): " ".join(_text(reason, f"{where}.{name}").split())
            for name, reason in _mapping(raw if raw is not None else {}, where).items()
        }
    )


def _product(raw: Any, where: str) -> _Product:
    data = _mapping(raw, where)
    unknown = set(data) - _PRODUCT_KEYS
    if unknown:
        raise _fail(where, f"unknown key(s) {sorted(map(str, unknown))}")
    unmapped = _mapping(data.get("unmapped") or {}, f"{where}.unmapped")
    if set(unmapped) - {"categories", "services"}:
        raise _fail(f"{where}.unmapped", "only 'categories' and 'services' may be listed")
    product = _Product(
        product_only=(
            _variants(data["product_only"], f"{where}.product_only")
            if "product_only" in data
            else None
        ),
        services=_named_variants(data.get("services", {}), f"{where}.services"),
        categories=_named_variants(data.get("categories", {}), f"{where}.categories"),
        unmapped_categories=_reasons(unmapped.get("categories"), f"{where}.unmapped.categories"),
        unmapped_services=_reasons(unmapped.get("services"), f"{where}.unmapped.services"),
    )
    for kind, mapped, unmapped_names in (
        ("category", product.categories, product.unmapped_categories),
        ("service", product.services, product.unmapped_services),
    ):
        both = sorted(set(mapped) & set(unmapped_names))
        if both:
            raise _fail(where, f"{kind} {both} is both mapped and unmapped")
    return product


NO_PRODUCT = "no_product"
"""Top-level key for logsources that name no product (SigmaHQ's `category: antivirus`)."""


def parse_mapping(document: Any) -> LogsourceMap:
    """Check a loaded `logsources.yaml` document and build the lookup from it."""
    data = _mapping(document, "top level")
    return LogsourceMap(
        MappingProxyType(
            {_lower_key(name, "top level"): _product(raw, name) for name, raw in data.items()}
        )
    )


@cache
def load_mapping() -> LogsourceMap:
    """The mapping shipped with mamori (`mamori/hunt/logsources.yaml`), loaded once."""
    text = (files("mamori.hunt") / "logsources.yaml").read_text(encoding="utf-8")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LogsourceMapError(f"logsources.yaml is not valid YAML: {exc}") from exc
    return parse_mapping(document)


def variants_for(
    product: str | None, category: str | None, service: str | None
) -> list[LogsourceVariant] | None:
    """The event kinds a Sigma logsource covers; None when it is not mapped (never [])."""
    return load_mapping().variants_for(product, category, service)


def unmapped_reason(product: str | None, category: str | None, service: str | None) -> str | None:
    """Why a Sigma logsource is not mapped (for the rule's report); None when it is mapped."""
    return load_mapping().unmapped_reason(product, category, service)
