"""Successful password-only sign-ins by privileged or external accounts.

Configuration says what *should* happen; the sign-in log says what did. At ASKUL password-only
sign-ins by an exempted account went on for four months without anyone looking. Interactive
sign-ins only: a non-interactive token refresh is logged as single-factor even when the session
began with MFA, and counting those would bury the real ones.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._policies import (
    SIGNINS_MISSING,
    USERS_MISSING,
    signin_accounts,
    signin_finding,
    signins_known,
)
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account, SignIn

ID = "SIGNIN-SINGLEFACTOR-SUCCESS"


def run(context: AuditContext) -> CheckResult:
    if not signins_known(context):
        return not_applicable(ID, SIGNINS_MISSING)
    if not context.data.accounts:
        return not_applicable(ID, USERS_MISSING)
    single = [
        s
        for s in context.data.signins
        if s.success and s.single_factor and s.interactive is not False
    ]
    findings = [
        _finding(context, account, signins)
        for account, signins in signin_accounts(context).by_account(single).values()
        if _watched(account)
    ]
    return result(ID, findings, sum(1 for a in context.data.accounts if _watched(a)))


def _watched(account: Account) -> bool:
    return account.privileged or "external" in account.tags


def _finding(context: AuditContext, account: Account, signins: list[SignIn]) -> Finding:
    external = "external" in account.tags
    if account.privileged and external:
        who = Text("外部の管理者アカウント", "External admin account")
    elif account.privileged:
        who = Text("管理者アカウント", "Privileged account")
    else:
        who = Text("外部アカウント", "External account")
    return signin_finding(
        context,
        ID,
        Severity.critical if account.privileged and external else Severity.high,
        account,
        signins,
        Text(
            "{who} {name} がパスワードのみ(単一要素)で {count} 回サインインに成功しています"
            "({first} 〜 {last})。",
            "{who_en} {name} signed in with a password only {count} time(s) ({first} to {last}).",
        ).format(
            who=who.ja,
            who_en=who.en,
            name=account.name,
            count=len(signins),
            first=signins[0].time.isoformat(),
            last=signins[-1].time.isoformat(),
        ),
    )


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text(
        "管理者・外部アカウントのパスワードのみのサインイン成功",
        "Successful single-factor sign-ins by privileged or external accounts",
    ),
    remediation=Text(
        "該当サインインの送信元 IP・端末が本人のものか委託先に確認し、心当たりがなければ"
        "パスワードをリセットしてセッションを無効化してください。そのうえで、このアカウントに"
        "MFA を強制するポリシーを適用し、単一要素のサインインを検知するアラートを設定します。",
        "Confirm with the account holder (or the contractor) that the source IPs and devices "
        "were theirs; if not, reset the password and revoke sessions. Then bring the account "
        "under an enforced MFA policy and alert on single-factor sign-ins.",
    ),
    frameworks=("SCS-3:access-control", "SCS-3:logging", "CSMG-3:5", "CSMG-3:9"),
    why=Text(
        "ASKUL ではパスワードだけのサインインが 4 か月間気づかれませんでした。",
        "At ASKUL password-only sign-ins went unnoticed for four months.",
    ),
    run=run,
)
