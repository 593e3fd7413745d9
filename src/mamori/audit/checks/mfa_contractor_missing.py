"""External accounts (contractors, vendors, guests) that can sign in without a second factor."""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._common import has_mfa, signs_in_interactively
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Severity, Text

ID = "MFA-CONTRACTOR-MISSING"


def run(context: AuditContext) -> CheckResult:
    candidates = [
        a
        for a in context.data.accounts
        if "external" in a.tags and a.enabled is not False and signs_in_interactively(a)
    ]
    known = [a for a in candidates if has_mfa(a) is not None]
    if not known:
        return not_applicable(
            ID,
            Text(
                "外部アカウントの MFA 登録状況を示すエクスポートがありません"
                "(Entra の userRegistrationDetails、AWS 認証情報レポート等)。",
                "No export gives the MFA state of external accounts "
                "(Entra userRegistrationDetails, AWS credential report, Okta factors, GWS users).",
            ),
        )
    findings = [
        context.account_finding(
            ID,
            Severity.critical if account.privileged else Severity.high,
            account,
            Text(
                "外部アカウント {name}({source})は MFA なしでサインインできます{admin}。",
                "External account {name} ({source}) can sign in without MFA{admin_en}.",
            ).format(
                name=account.name,
                source=account.source,
                admin="(管理者権限あり)" if account.privileged else "",
                admin_en=" and holds admin rights" if account.privileged else "",
            ),
            employee_type=account.employee_type,
            user_type=account.user_type,
        )
        for account in known
        if has_mfa(account) is False
    ]
    return result(ID, findings, len(known))


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text(
        "委託先・ゲストアカウントの MFA 未設定",
        "Contractor, vendor and guest accounts without MFA",
    ),
    remediation=Text(
        "外部アカウントに例外なく MFA(可能ならフィッシング耐性のある方式)を登録させ、"
        "条件付きアクセスで強制してください。登録できない場合はアカウントを無効化します。",
        "Make every external account register MFA (phishing-resistant where possible) and "
        "enforce it by policy, without exceptions; disable accounts that cannot comply.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5", "CSMG-3:9", "CIS-M365:5.2.2.1"),
    why=Text(
        "ASKUL の侵入口は MFA が免除された委託先の管理者アカウントでした。",
        "ASKUL was entered through a contractor's admin account exempted from MFA.",
    ),
    run=run,
)
