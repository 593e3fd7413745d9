"""The audit as one JSON document: what `--format json` writes and `audit diff` compares.

Every other format (CSV, console, later OCSF and HTML) is rendered from this document, so they
cannot disagree. Keys are stable; new keys may be added, existing ones keep their meaning.
"""

from __future__ import annotations

from collections import Counter
from typing import IO, Any

import orjson

from mamori.audit.findings import Finding, FindingStatus, Outcome, Severity, Text
from mamori.audit.frameworks import framework_view
from mamori.audit.run import AuditReport

FORMAT_VERSION = 1


def _text(text: Text | None) -> dict[str, str] | None:
    return None if text is None else {"ja": text.ja, "en": text.en}


def finding_record(finding: Finding) -> dict[str, Any]:
    return {
        "key": finding.key,
        "check_id": finding.check_id,
        "severity": finding.severity.value,
        "status": finding.status.value,
        "subject": finding.subject,
        "subject_kind": finding.subject_kind,
        "person": finding.person,
        "tags": list(finding.tags),
        "message": _text(finding.message),
        "exception_id": finding.exception_id,
        "details": finding.details,
        "evidence": [{"file": e.file, "position": e.position} for e in finding.evidence],
    }


def evidence_key(file: str, position: str) -> str:
    """How a finding's evidence reference names its record in the document's `records`."""
    return f"{file}#{position}"


def _records(findings: list[Finding]) -> dict[str, Any]:
    """Each record any finding cites, once: an account with five findings cites the same
    records five times, and repeating them made a 100,000-account report 600 MB."""
    records: dict[str, Any] = {}
    for finding in findings:
        for item in finding.evidence:
            records.setdefault(evidence_key(item.file, item.position), item.record)
    return records


def build_document(report: AuditReport) -> dict[str, Any]:
    findings = sorted(report.findings, key=lambda f: (-f.severity.rank, f.check_id, f.subject))
    open_by_severity = Counter(f.severity.value for f in findings if f.status is FindingStatus.open)
    outcomes = Counter(r.outcome.value for r in report.results)
    accounts_per_source = Counter(a.source for a in report.data.accounts)
    checks = _checks(report)
    return {
        "mamori_audit": FORMAT_VERSION,
        "as_of": report.as_of.isoformat(),
        "sources": {
            source: {
                "kinds": sorted(report.data.coverage.kinds.get(source, ())),
                "accounts": accounts_per_source.get(source, 0),
            }
            for source in sorted(set(report.data.coverage.kinds) | set(accounts_per_source))
        },
        "summary": {
            "accounts": len(report.data.accounts),
            "people": len(report.data.people),
            "external_accounts": sum("external" in a.tags for a in report.data.accounts),
            "privileged_accounts": sum(a.privileged for a in report.data.accounts),
            "checks": {o.value: outcomes.get(o.value, 0) for o in Outcome},
            "open_findings": {s.value: open_by_severity.get(s.value, 0) for s in Severity},
            "excepted_findings": sum(f.status is FindingStatus.excepted for f in findings),
            "input_problems": len(report.problems),
        },
        "checks": checks,
        "frameworks": framework_view(checks),
        "findings": [finding_record(f) for f in findings],
        "records": _records(findings),
        "vendors": report.vendor_scorecards,
        "exceptions": report.exceptions,
        "problems": [
            {"file": p.source, "position": p.position, "message": p.message}
            for p in report.problems
        ],
    }


def _checks(report: AuditReport) -> list[dict[str, Any]]:
    return [
        {
            "id": r.check_id,
            "title": _text(report.checks[r.check_id].title),
            "severity": report.checks[r.check_id].severity.value,
            "outcome": r.outcome.value,
            "reason": _text(r.reason),
            "examined": r.examined,
            "findings": len(r.findings),
            "open_findings": sum(f.status is FindingStatus.open for f in r.findings),
            "frameworks": list(report.checks[r.check_id].frameworks),
            "remediation": _text(report.checks[r.check_id].remediation),
        }
        for r in report.results
    ]


def write_json(document: dict[str, Any], out: IO[bytes]) -> None:
    out.write(orjson.dumps(document, default=str, option=orjson.OPT_INDENT_2))
    out.write(b"\n")
