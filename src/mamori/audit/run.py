"""A whole audit: read exports, tag and link accounts, run every check, apply exceptions.

The CLI calls `run_audit` and only formats what it returns; the 24/7 service will call it on a
schedule. A check that fails with an exception is reported as an `error` result with the reason
— one broken check never hides the others' findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mamori.audit.checks import Check, all_checks
from mamori.audit.config import AuditConfig
from mamori.audit.context import AuditContext
from mamori.audit.exceptions import Register, problems_of
from mamori.audit.findings import CheckResult, Finding, FindingStatus, Outcome, Text
from mamori.audit.linking import link_people
from mamori.audit.model import IdentityData
from mamori.audit.scorecards import scorecard
from mamori.audit.sources import read_identity
from mamori.audit.sources.mapped_csv import Mapping
from mamori.audit.tagging import tag_accounts
from mamori.audit.vendors import VendorRegistry
from mamori.events import InputProblem
from mamori.gc_pause import gc_paused


@dataclass(slots=True)
class AuditReport:
    as_of: datetime
    data: IdentityData
    results: list[CheckResult]
    checks: dict[str, Check]
    problems: list[InputProblem] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    """The register as judged: each entry with its expiry, problems and findings covered."""
    vendor_scorecards: list[dict[str, Any]] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    def open_findings(self, min_rank: int = 0) -> list[Finding]:
        return [
            f
            for f in self.findings
            if f.status is FindingStatus.open and f.severity.rank >= min_rank
        ]


def run_checks(context: AuditContext, checks: Iterable[Check] | None = None) -> list[CheckResult]:
    """Every check over prepared data; exceptions applied before the late checks run."""
    chosen = list(all_checks() if checks is None else checks)
    results = [_run_one(check, context) for check in chosen if not check.after_exceptions]
    apply_exceptions(results, context)
    results += [_run_one(check, context) for check in chosen if check.after_exceptions]
    order = {check.id: n for n, check in enumerate(chosen)}
    return sorted(results, key=lambda r: order[r.check_id])


def _run_one(check: Check, context: AuditContext) -> CheckResult:
    try:
        outcome = check.run(context)
    except Exception as exc:  # a bug in one check must not hide the others
        return CheckResult(
            check.id,
            Outcome.error,
            reason=Text(
                f"チェックの実行中にエラーが発生しました: {type(exc).__name__}: {exc}",
                f"the check failed: {type(exc).__name__}: {exc}",
            ),
        )
    for finding in outcome.findings:
        finding.severity = finding.severity or check.severity
    return outcome


def apply_exceptions(results: list[CheckResult], context: AuditContext) -> None:
    """Mark findings covered by a *valid* register entry as excepted and count each entry's use."""
    usage = {entry.id: 0 for entry in context.register.entries}
    valid = [
        entry
        for entry in context.register.entries
        if not problems_of(entry, context.today, context.thresholds.exception_max_days)[0]
    ]
    for outcome in results:
        for finding in outcome.findings:
            for entry in context.register.entries:
                if entry.covers(finding.check_id, list(finding.aliases)):
                    usage[entry.id] += 1
                    if entry in valid and finding.status is FindingStatus.open:
                        finding.status = FindingStatus.excepted
                        finding.exception_id = entry.id
    context.exception_usage = usage


def register_summary(context: AuditContext) -> list[dict[str, Any]]:
    """Every register entry as the report shows it (the expiry calendar, who owns what)."""
    summary: list[dict[str, Any]] = []
    for entry in context.register.entries:
        void, warnings = problems_of(entry, context.today, context.thresholds.exception_max_days)
        summary.append(
            {
                "id": entry.id,
                "subject": entry.subject,
                "checks": entry.checks,
                "owner": entry.owner,
                "approver": entry.approver,
                "expires": entry.expires.isoformat() if entry.expires else None,
                "valid": not void,
                "problems": _texts(void + warnings),
                "findings_covered": context.exception_usage.get(entry.id, 0),
            }
        )
    for position, why, raw in context.register.invalid:
        summary.append(
            {
                "id": str(raw.get("id") or position),
                "subject": raw.get("subject"),
                "checks": [],
                "owner": raw.get("owner"),
                "approver": raw.get("approver"),
                "expires": None,
                "valid": False,
                "problems": {"ja": [f"{position}: {why}"], "en": [f"{position}: {why}"]},
                "findings_covered": 0,
            }
        )
    return summary


def _texts(texts: list[Text]) -> dict[str, list[str]]:
    return {"ja": [t.ja for t in texts], "en": [t.en for t in texts]}


def prepare(
    data: IdentityData, config: AuditConfig, vendor_accounts: dict[str, list[str]]
) -> IdentityData:
    """Tag accounts and link them into people (in place)."""
    tag_accounts(data.accounts, config.tagging, vendor_accounts)
    data.people = link_people(data.accounts, config.person_links)
    return data


def run_audit(
    paths: Iterable[str | Path],
    *,
    config: AuditConfig | None = None,
    register: Register | None = None,
    vendors: VendorRegistry | None = None,
    as_of: datetime | None = None,
    source: str | None = None,
    mappings: Sequence[Mapping] = (),
    on_problem: Callable[[InputProblem], None] | None = None,
) -> AuditReport:
    config = config or AuditConfig()
    problems: list[InputProblem] = []

    def problem(item: InputProblem) -> None:
        problems.append(item)
        if on_problem:
            on_problem(item)

    with gc_paused():  # every account and finding lives to the end: see mamori.gc_pause
        report = _audit(paths, config, register, vendors, as_of, source, mappings, problem)
    report.problems = problems
    return report


def _audit(
    paths: Iterable[str | Path],
    config: AuditConfig,
    register: Register | None,
    vendors: VendorRegistry | None,
    as_of: datetime | None,
    source: str | None,
    mappings: Sequence[Mapping],
    problem: Callable[[InputProblem], None],
) -> AuditReport:
    data = read_identity(paths, problem, source, mappings)
    vendors = vendors or VendorRegistry()
    vendor_accounts = vendors.account_patterns()
    prepare(data, config, vendor_accounts)
    context = AuditContext(
        data=data,
        config=config,
        as_of=as_of or datetime.now(UTC),
        register=register or Register(),
        vendors=vendors,
    )
    results = run_checks(context)
    findings = [f for r in results for f in r.findings]
    return AuditReport(
        as_of=context.as_of,
        data=data,
        results=results,
        checks={check.id: check for check in all_checks()},
        exceptions=register_summary(context),
        vendor_scorecards=scorecard(context, findings),
    )
