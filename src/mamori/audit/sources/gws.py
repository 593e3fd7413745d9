"""Placeholder while the gws reader is written (replaced in the same change)."""

from __future__ import annotations

from typing import Any

from mamori.audit.model import IdentityData

SOURCE = "gws"


def sniff(records: Any) -> str | None:
    return None


def build(exports: list[Any], on_problem: Any) -> IdentityData:
    return IdentityData()
