"""Sign-in history too short, too old or missing to investigate an intrusion.

ASKUL could not fully scope its breach because the logs of the months the intruder spent inside
were gone. Entra keeps sign-in logs 30 days (7 without a premium licence) and Okta's System Log
90 days unless they are streamed elsewhere; an intrusion found after that window cannot be
reconstructed. The supplied export shows how far back the kept history reaches, and whether it
is current.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from mamori.audit.checks import Check
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text

ID = "LOG-COVERAGE"
FRESH_DAYS = 2
"""An export whose newest sign-in is older than this was not taken from a live log."""


def _window(context: AuditContext, source: str) -> tuple[datetime, datetime] | None:
    """(earliest, latest) sign-in: as the reader recorded it, else from the sign-ins."""
    window = context.data.coverage.signin_window.get(source)
    if window is not None:
        return window
    times = [s.time for s in context.data.signins if s.source == source]
    return (min(times), max(times)) if times else None


def _log_sources(context: AuditContext) -> set[str]:
    coverage = context.data.coverage
    return (
        {s.source for s in context.data.signins}
        | set(coverage.signin_window)
        | {source for source in coverage.sources() if coverage.has(source, "signins")}
    )


def run(context: AuditContext) -> CheckResult:
    logged = _log_sources(context)
    unlogged = set(context.accounts_by_source) - logged
    if not logged and not unlogged:
        return not_applicable(
            ID,
            Text(
                "アカウントのエクスポートもサインインログもありません。",
                "Neither account exports nor sign-in logs were supplied.",
            ),
        )
    findings = [f for source in sorted(logged) if (f := _log_finding(context, source))]
    findings += [_unlogged_finding(source) for source in sorted(unlogged)]
    return result(ID, findings, len(logged | unlogged))


def _log_finding(context: AuditContext, source: str) -> Finding | None:
    required = context.thresholds.signin_log_required_days
    window = _window(context, source)
    if window is None:
        return _source_finding(
            source,
            Severity.medium,
            Text(
                "{source} のサインインログのエクスポートに記録が 1 件もありません。",
                "The {source} sign-in log export holds no sign-ins.",
            ).format(source=source),
        )
    earliest, latest = window
    span = (latest - earliest).days
    short = span < required
    stale = latest < context.as_of - timedelta(days=FRESH_DAYS)
    if not (short or stale):
        return None
    problems = []
    if short:
        problems.append(
            Text(
                "記録期間が {span} 日分しかありません(必要: {required} 日)",
                "it covers only {span} days (required: {required})",
            ).format(span=span, required=required)
        )
    if stale:
        problems.append(
            Text(
                "最新の記録が {latest} で、エクスポートが最新ではありません",
                "its newest entry is from {latest}, so the export is not current",
            ).format(latest=latest.isoformat())
        )
    return _source_finding(
        source,
        Severity.medium if short else Severity.low,
        Text("{source} のサインインログ: {ja}。", "{source} sign-in log: {en}.").format(
            source=source,
            ja="、".join(p.ja for p in problems),
            en="; ".join(p.en for p in problems),
        ),
        earliest=earliest.isoformat(),
        latest=latest.isoformat(),
        span_days=span,
        required_days=required,
    )


def _unlogged_finding(source: str) -> Finding:
    return _source_finding(
        source,
        Severity.low,
        Text(
            "{source} のアカウントはありますがサインインログが提供されていないため、"
            "ログの保存期間を確認できません。",
            "{source} accounts were supplied but no sign-in log, so log retention cannot be "
            "verified.",
        ).format(source=source),
    )


def _source_finding(source: str, severity: Severity, message: Text, **details: object) -> Finding:
    subject = f"{source}:signin-log"
    return Finding(
        check_id=ID,
        severity=severity,
        subject=subject,
        subject_kind="source",
        message=message,
        details={"source": source, **details},
        aliases=(subject,),
    )


CHECK = Check(
    id=ID,
    severity=Severity.medium,
    title=Text("サインインログの保存期間と鮮度", "Sign-in log retention and freshness"),
    remediation=Text(
        "サインインログを既定の保存期間(Entra は 30 日、Okta は 90 日)より長く残すため、"
        "Log Analytics・ストレージアカウント・SIEM 等へ継続的に転送し、少なくとも 180 日"
        "(できれば 1 年)保存してください。監査には最新のログを出力して渡します。",
        "Stream sign-in logs beyond the built-in retention (Entra 30 days, Okta 90) to Log "
        "Analytics, a storage account or a SIEM, and keep at least 180 days (a year if you "
        "can). Give the audit a current export.",
    ),
    frameworks=("SCS-3:logging", "CSMG-3:5"),
    why=Text(
        "ASKUL はログが残っておらず、侵入の範囲を特定しきれませんでした。",
        "ASKUL could not fully scope the intrusion because the logs were gone.",
    ),
    run=run,
)
