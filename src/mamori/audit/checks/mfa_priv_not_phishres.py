"""Privileged accounts whose registered second factors can all be phished."""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._common import signs_in_interactively
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Severity, Text

ID = "MFA-PRIV-NOT-PHISHRES"


def run(context: AuditContext) -> CheckResult:
    candidates = [
        a
        for a in context.data.accounts
        if a.privileged and a.enabled is not False and signs_in_interactively(a)
    ]
    known = [a for a in candidates if a.mfa.phishing_resistant is not None]
    if not known:
        return not_applicable(
            ID,
            Text(
                "管理者アカウントの登録済み認証方式を示すエクスポートがありません"
                "(Entra の userRegistrationDetails の methodsRegistered 等)。",
                "No export lists the registered authentication methods of privileged accounts "
                "(Entra userRegistrationDetails methodsRegistered, Okta factors, …).",
            ),
        )
    findings = [
        context.account_finding(
            ID,
            Severity.high,
            account,
            Text(
                "管理者アカウント {name}({source})にフィッシング耐性のある認証方式がありません"
                "(登録済み: {methods})。",
                "Privileged account {name} ({source}) has no phishing-resistant method "
                "registered (registered: {methods}).",
            ).format(
                name=account.name,
                source=account.source,
                methods=", ".join(account.mfa.methods) or "-",
            ),
            methods=list(account.mfa.methods),
        )
        for account in known
        if account.mfa.phishing_resistant is False
    ]
    return result(ID, findings, len(known))


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text(
        "管理者アカウントにフィッシング耐性のある MFA がない",
        "Privileged accounts without phishing-resistant MFA",
    ),
    remediation=Text(
        "管理者には FIDO2 セキュリティキー・パスキー・Windows Hello for Business のいずれかを"
        "登録させ、条件付きアクセスの認証強度「フィッシングに強い MFA」を管理者ロールに"
        "適用してください。SMS・音声・プッシュ通知だけの管理者を残さないこと。",
        "Have every administrator register a FIDO2 key, passkey or Windows Hello for Business, "
        "and require the 'Phishing-resistant MFA' authentication strength for admin roles in "
        "Conditional Access. Leave no admin with only SMS, voice or push approval.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5", "CIS-M365:5.2.2.5"),
    why=Text(
        "漏えいしたパスワードに SMS やプッシュ承認を組み合わせる攻撃は中継・疲労攻撃で突破され"
        "ます。ASKUL のように管理者権限が奪われると被害は全社に及びます。",
        "A leaked password plus SMS or push approval is defeated by relay and fatigue attacks; "
        "once an admin account falls, as at ASKUL, the whole company is exposed.",
    ),
    run=run,
)
