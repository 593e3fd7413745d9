"""Privileged accounts (admins, root) that can sign in without a second factor."""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._common import has_mfa, signs_in_interactively
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Severity, Text

ID = "MFA-PRIV-MISSING"


def run(context: AuditContext) -> CheckResult:
    candidates = [
        a
        for a in context.data.accounts
        if a.privileged and a.enabled is not False and signs_in_interactively(a)
    ]
    known = [a for a in candidates if has_mfa(a) is not None]
    if not known:
        return not_applicable(
            ID,
            Text(
                "管理者アカウントの MFA 登録状況を示すエクスポートがありません。",
                "No export gives the MFA state of privileged accounts.",
            ),
        )
    findings = [
        context.account_finding(
            ID,
            Severity.critical,
            account,
            Text(
                "管理者アカウント {name}({source}、{roles})は MFA なしでサインインできます。",
                "Privileged account {name} ({source}, {roles}) can sign in without MFA.",
            ).format(
                name=account.name,
                source=account.source,
                roles=", ".join(sorted({r.role for r in account.roles if r.privileged})) or "admin",
            ),
        )
        for account in known
        if has_mfa(account) is False
    ]
    return result(ID, findings, len(known))


CHECK = Check(
    id=ID,
    severity=Severity.critical,
    title=Text("管理者アカウントの MFA 未設定", "Privileged accounts without MFA"),
    remediation=Text(
        "すべての管理者・root アカウントにフィッシング耐性のある MFA を登録し、"
        "ポリシーで強制してください。",
        "Register phishing-resistant MFA on every admin and root account and enforce it.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5", "CIS-M365:5.2.2.1", "CIS-AWS:1.5"),
    why=Text(
        "ASKUL で使われたのは管理者権限を持つアカウントでした。",
        "The account used at ASKUL held admin rights.",
    ),
    run=run,
)
