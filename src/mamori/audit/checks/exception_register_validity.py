"""Exceptions that cannot stand: incomplete, expired, expiring, unused, unreadable."""

from __future__ import annotations

from datetime import timedelta

from mamori.audit.checks import Check
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.exceptions import ExceptionEntry, problems_of
from mamori.audit.findings import CheckResult, Finding, Severity, Text

ID = "EXCEPTION-REGISTER-VALIDITY"


def _finding(entry_id: str, severity: Severity, message: Text, **details: object) -> Finding:
    return Finding(
        check_id=ID,
        severity=severity,
        subject=f"exception:{entry_id}",
        subject_kind="exception",
        message=message,
        details=dict(details),
        aliases=(f"exception:{entry_id}".lower(), entry_id.lower()),
    )


def _entry_findings(entry: ExceptionEntry, context: AuditContext) -> list[Finding]:
    void, warnings = problems_of(entry, context.today, context.thresholds.exception_max_days)
    findings = []
    if void:
        findings.append(
            _finding(
                entry.id,
                Severity.high,
                Text(
                    "例外 {id}({subject})は無効です: {why}。対象の指摘は未対応に戻ります。",
                    "Exception {id} ({subject}) is void: {why}; the findings it covered "
                    "are open again.",
                ).format(id=entry.id, subject=entry.subject, why=Text.join(void)),
                problems=[p.en for p in void],
            )
        )
    for warning in warnings:
        findings.append(
            _finding(
                entry.id,
                Severity.medium,
                Text(
                    "例外 {id} の有効期間が長すぎます: {why}。",
                    "Exception {id} lasts too long: {why}.",
                ).format(id=entry.id, why=warning),
            )
        )
    soon = context.today + timedelta(days=context.thresholds.exception_expiring_days)
    if not void and entry.expires is not None and entry.expires <= soon:
        findings.append(
            _finding(
                entry.id,
                Severity.low,
                Text(
                    "例外 {id} は {date} に期限切れになります。更新か解消を決めてください。",
                    "Exception {id} expires on {date}: renew it or resolve the finding.",
                ).format(id=entry.id, date=entry.expires.isoformat()),
            )
        )
    if context.exception_usage.get(entry.id, 0) == 0:
        findings.append(
            _finding(
                entry.id,
                Severity.medium,
                Text(
                    "例外 {id}({subject} / {checks})に該当する指摘がありません。"
                    "対象が存在しないか、名前が誤っています。",
                    "Exception {id} ({subject} / {checks}) matches no finding: its subject "
                    "is gone or misspelt.",
                ).format(id=entry.id, subject=entry.subject, checks=", ".join(entry.checks)),
            )
        )
    return findings


def run(context: AuditContext) -> CheckResult:
    register = context.register
    if register.source is None:
        return not_applicable(
            ID,
            Text(
                "例外登録簿が指定されていません(--exceptions)。",
                "No exception register was given (--exceptions).",
            ),
        )
    findings: list[Finding] = []
    for position, why, raw in register.invalid:
        findings.append(
            _finding(
                str(raw.get("id") or position),
                Severity.high,
                Text(
                    "例外登録簿の {position} を読めません: {why}",
                    "Exception register entry {position} cannot be read: {why}",
                ).format(position=position, why=why),
                position=position,
            )
        )
    seen: set[str] = set()
    for entry in register.entries:
        if entry.id in seen:
            findings.append(
                _finding(
                    entry.id,
                    Severity.medium,
                    Text(
                        "例外 ID {id} が重複しています。", "Exception id {id} is used twice."
                    ).format(id=entry.id),
                )
            )
        seen.add(entry.id)
        findings.extend(_entry_findings(entry, context))
    return result(ID, findings, len(register.entries) + len(register.invalid))


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text("例外登録簿の有効性", "Exception register validity"),
    remediation=Text(
        "例外ごとに所有者・承認者・理由・代替統制・期限を記入し、期限切れや不要な例外は"
        "削除してください。例外は恒久化させないこと。",
        "Give every exception an owner, approver, reason, compensating controls and an "
        "expiry; remove expired and unused ones. Never let an exception become permanent.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5"),
    why=Text(
        "ASKUL の MFA 免除は誰も見直さないまま残っていました。",
        "ASKUL's MFA exemption stayed in place with nobody re-checking it.",
    ),
    run=run,
    after_exceptions=True,
)
