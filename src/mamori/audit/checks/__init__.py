"""The audit checks, one module per check.

A check module defines `CHECK = Check(...)`: its id (also the module name, upper-cased with
dashes), severity, title and remediation in Japanese and English, the framework requirements it
maps to, and `run(context) -> CheckResult`. Adding a check is adding a file here; the engine
finds it by listing this package.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from mamori.audit.findings import CheckResult, Severity, Text

if TYPE_CHECKING:
    from mamori.audit.context import AuditContext


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    severity: Severity
    title: Text
    remediation: Text
    run: Callable[[AuditContext], CheckResult]
    frameworks: tuple[str, ...] = ()
    """Requirement ids of frameworks.yaml this check provides evidence for."""
    why: Text | None = None
    """What the check prevents, in the ASKUL story's terms."""
    after_exceptions: bool = False
    """Runs once the exception register was applied to the other checks' findings (the
    register's own check needs to know which entries matched nothing)."""


def module_id(module_name: str) -> str:
    return module_name.upper().replace("_", "-")


@cache
def all_checks() -> tuple[Check, ...]:
    """Every check of this package, in id order; a module whose CHECK.id does not match its
    file name is a programming error caught here (and by the tests)."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):  # shared helpers, not checks
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        check = getattr(module, "CHECK", None)
        if not isinstance(check, Check):
            raise TypeError(f"{module.__name__} defines no CHECK")
        if check.id != module_id(info.name):
            raise ValueError(f"{module.__name__}: CHECK.id {check.id!r} must match the file name")
        found.append(check)
    return tuple(sorted(found, key=lambda c: c.id))
