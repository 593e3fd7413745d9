"""The action plan an IT team hands to management: what to fix, by when, decided by whom.

One row per problem, not per account: management assigns an owner and a deadline to "these 13
privileged accounts have not signed in for months", and the remedy is the same for all of them.
Rows group findings by check and severity (one check can find the same flaw critical on an
external admin and high elsewhere, and the two deserve different deadlines). The per-account
detail stays in the findings CSV.

Excepted findings follow the open ones, grouped per exception, with its owner, expiry and
approver filled in from the register: CSV has one table, so the status column tells them apart.
Owner, due date and justification of open rows are left for people to fill in; the due date is
only suggested from the severity. UTF-8 with BOM, so Excel shows Japanese text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime, timedelta, tzinfo
from typing import IO, Any

from mamori.timefmt import DEFAULT_TZ, zone

SUGGESTED_DUE_DAYS = {"critical": 7, "high": 30, "medium": 90, "low": 180}
"""Days from the audit date to the suggested deadline. Informational findings get none."""
MAX_SUBJECTS_PER_CELL = 200
"""Excel truncates a cell beyond 32,767 characters; longer lists end with a count instead."""
PLAN_ZONE = zone(DEFAULT_TZ)
"""Due dates count from the audit date where the plan's readers are (JST by default)."""

COLUMNS = {
    "ja": (
        "優先度",
        "チェック",
        "対象",
        "内容",
        "対応策",
        "担当者",
        "期限",
        "判断理由/承認",
        "状況",
        "根拠",
    ),
    "en": (
        "Priority",
        "Check",
        "Subjects",
        "Issue",
        "Remediation",
        "Owner",
        "Due",
        "Justification / approval",
        "Status",
        "Basis",
    ),
}
LABELS = {
    "ja": {
        "severity": {"critical": "緊急", "high": "高", "medium": "中", "low": "低", "info": "情報"},
        "status": {"open": "未対応", "excepted": "例外適用"},
        "count": "{title} ({n} 件)",
        "more": "…ほか {n} 件",
        "approval": "{id} (承認: {approver})",
    },
    "en": {
        "severity": {
            "critical": "Critical",
            "high": "High",
            "medium": "Medium",
            "low": "Low",
            "info": "Info",
        },
        "status": {"open": "Open", "excepted": "Excepted"},
        "count": "{title} ({n})",
        "more": "… and {n} more",
        "approval": "{id} (approved by {approver})",
    },
}


def plan_rows(
    document: dict[str, Any], lang: str, tz: tzinfo = PLAN_ZONE
) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the plan in `lang` (ja | en); due dates count from the audit date
    in `tz`. The CSV and the workbook are two renderings of these rows."""
    audit_date = datetime.fromisoformat(document["as_of"]).astimezone(tz).date()
    return list(COLUMNS[lang]), _rows(document, lang, audit_date)


def write_action_plan_csv(
    document: dict[str, Any], out: IO[bytes], lang: str, tz: tzinfo = PLAN_ZONE
) -> None:
    """The plan as CSV (UTF-8 with BOM, so Excel shows Japanese text)."""
    header, rows = plan_rows(document, lang, tz)
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    text.flush()
    text.detach()


def _rows(document: dict[str, Any], lang: str, audit_date: date) -> list[list[str]]:
    """Open groups first, then excepted ones; within each, most severe first."""
    checks = {check["id"]: check for check in document["checks"]}
    exceptions = {entry["id"]: entry for entry in document["exceptions"]}
    requirements = _requirement_titles(document, lang)
    groups = sorted(_groups(document["findings"]), key=lambda g: g[0]["status"] != "open")
    return [
        _row(group, checks[group[0]["check_id"]], exceptions, requirements, lang, audit_date)
        for group in groups
    ]


def _groups(findings: Iterable[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Findings per (status, check, severity, exception), in the document's order (most
    severe first, then by check)."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for finding in findings:
        key = (finding["status"], finding["check_id"], finding["severity"], finding["exception_id"])
        groups.setdefault(key, []).append(finding)
    return list(groups.values())


def _row(
    group: list[dict[str, Any]],
    check: dict[str, Any],
    exceptions: dict[str, dict[str, Any]],
    requirements: dict[str, str],
    lang: str,
    audit_date: date,
) -> list[str]:
    labels = LABELS[lang]
    first = group[0]
    owner, due, approval = "", _suggested_due(first["severity"], audit_date), ""
    if first["exception_id"]:  # the register already says who owns it and until when
        exception = exceptions[first["exception_id"]]
        owner = exception["owner"]
        due = exception["expires"]
        approval = labels["approval"].format(id=exception["id"], approver=exception["approver"])
    return [
        labels["severity"][first["severity"]],
        check["id"],
        _subjects([f["subject"] for f in group], lang),
        labels["count"].format(title=check["title"][lang], n=len(group)),
        check["remediation"][lang] if check["remediation"] else "",
        owner,
        due,
        approval,
        labels["status"][first["status"]],
        "\n".join(requirements[r] for r in check["frameworks"]),
    ]


def _suggested_due(severity: str, audit_date: date) -> str:
    days = SUGGESTED_DUE_DAYS.get(severity)
    return "" if days is None else (audit_date + timedelta(days=days)).isoformat()


def _subjects(subjects: list[str], lang: str) -> str:
    """One subject per line (Excel shows them stacked in the cell)."""
    shown = subjects[:MAX_SUBJECTS_PER_CELL]
    if len(subjects) > len(shown):
        shown.append(LABELS[lang]["more"].format(n=len(subjects) - len(shown)))
    return "\n".join(shown)


def _requirement_titles(document: dict[str, Any], lang: str) -> dict[str, str]:
    """Requirement id → "id title", so a manager reads 指示5 … rather than CSMG-3:5 alone."""
    return {
        requirement["id"]: f"{requirement['id']} {requirement['title'][lang]}"
        for framework in document["frameworks"]
        for requirement in framework["requirements"]
    }
