"""What a check sees: the identity data, settings, the audit's date, and helpers that keep
every check's findings shaped alike."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any, TypeVar

from mamori.audit.config import AuditConfig, Thresholds
from mamori.audit.exceptions import Register
from mamori.audit.findings import CheckResult, Finding, Outcome, Severity, Text
from mamori.audit.model import AccessPolicy, Account, Group, IdentityData
from mamori.audit.tagging import names_of
from mamori.audit.vendors import VendorRegistry

T = TypeVar("T")


@dataclass
class AuditContext:
    data: IdentityData
    config: AuditConfig = field(default_factory=AuditConfig)
    as_of: datetime = field(default_factory=lambda: datetime.now(UTC))
    """The audit's 'now': `--as-of` makes an audit reproducible."""
    register: Register = field(default_factory=Register)
    vendors: VendorRegistry = field(default_factory=VendorRegistry)
    exception_usage: dict[str, int] = field(default_factory=dict)
    _aliases: dict[int, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _shared: dict[str, Any] = field(default_factory=dict, repr=False)
    """Exception id → findings it excepted; filled before `after_exceptions` checks run."""

    @property
    def today(self) -> date:
        return self.as_of.date()

    @property
    def thresholds(self) -> Thresholds:
        return self.config.thresholds

    def days_since(self, moment: datetime | None) -> int | None:
        if moment is None:
            return None
        return (self.as_of - moment).days

    @cached_property
    def accounts_by_source(self) -> dict[str, list[Account]]:
        grouped: dict[str, list[Account]] = defaultdict(list)
        for account in self.data.accounts:
            grouped[account.source].append(account)
        return grouped

    @cached_property
    def account_by_id(self) -> dict[tuple[str, str], Account]:
        return {(a.source, a.id.lower()): a for a in self.data.accounts}

    @cached_property
    def group_by_id(self) -> dict[tuple[str, str], Group]:
        return {(g.source, g.id.lower()): g for g in self.data.groups}

    def aliases(self, account: Account) -> tuple[str, ...]:
        """`names_of(account)`, computed once per account: findings carry it for the
        exception register, and an account may have many findings."""
        found = self._aliases.get(id(account))
        if found is None:
            found = self._aliases[id(account)] = tuple(names_of(account))
        return found

    def shared(self, key: str, build: Callable[[], T]) -> T:
        """An index several checks need (e.g. sign-ins by account), built once per audit."""
        if key not in self._shared:
            self._shared[key] = build()
        return self._shared[key]

    def policies(self, source: str) -> list[AccessPolicy]:
        return [p for p in self.data.policies if p.source == source]

    def group_member_ids(
        self, source: str, group_id: str, _seen: set[str] | None = None
    ) -> set[str]:
        """Member ids of a group, nested groups expanded (cycles tolerated)."""
        seen = _seen if _seen is not None else set()
        group = self.group_by_id.get((source, group_id.lower()))
        if group is None or group_id.lower() in seen:
            return set()
        seen.add(group_id.lower())
        members: set[str] = set()
        for member in group.members:
            if (source, member.lower()) in self.group_by_id:
                members |= self.group_member_ids(source, member, seen)
            else:
                members.add(member.lower())
        return members

    def account_finding(
        self,
        check_id: str,
        severity: Severity,
        account: Account,
        message: Text,
        **details: Any,
    ) -> Finding:
        return Finding(
            check_id=check_id,
            severity=severity,
            subject=account.key,
            subject_kind="account",
            message=message,
            evidence=list(account.evidence),
            person=account.person,
            tags=tuple(sorted(account.tags)),
            details={"account": account.name, "source": account.source, **details},
            aliases=self.aliases(account),
        )

    def policy_finding(
        self, check_id: str, severity: Severity, policy: AccessPolicy, message: Text, **details: Any
    ) -> Finding:
        return Finding(
            check_id=check_id,
            severity=severity,
            subject=f"{policy.source}:policy:{policy.id}",
            subject_kind="policy",
            message=message,
            evidence=list(policy.evidence),
            details={"policy": policy.name, "source": policy.source, **details},
            aliases=(
                f"{policy.source}:policy:{policy.id}".lower(),
                policy.id.lower(),
                policy.name.lower(),
            ),
        )


def result(
    check_id: str, findings: list[Finding], examined: int, note: Text | None = None
) -> CheckResult:
    """pass when nothing was found among the examined subjects, fail otherwise. `note` says
    what the check left out on purpose, so no exclusion goes unexplained in the report."""
    return CheckResult(
        check_id,
        Outcome.failed if findings else Outcome.passed,
        findings,
        reason=note,
        examined=examined,
    )


def break_glass_note(accounts: list[Account], why: Text) -> Text | None:
    """The declared break-glass accounts a check skipped, and why (None if none)."""
    names = ", ".join(sorted(a.key for a in accounts if "break_glass" in a.tags))
    if not names:
        return None
    return Text(
        "緊急用(break-glass)アカウント {names} は対象外です: {why}",
        "Break-glass accounts {names} are left out: {why}",
    ).format(names=names, why=why)


def not_applicable(check_id: str, reason: Text) -> CheckResult:
    return CheckResult(check_id, Outcome.not_applicable, reason=reason)
