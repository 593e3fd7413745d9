"""AD admin accounts whose password never expires or has not changed for too long.

A leaked admin password keeps working until it is changed: an old or never-expiring one gives
an attacker months, as ASKUL's four undetected months showed.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._accounts import enabled
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account, SourceKind

ID = "AD-ADMIN-PWD"


def _problems(context: AuditContext, account: Account) -> list[Text]:
    problems = []
    if account.password_never_expires:
        problems.append(Text("パスワードが無期限です", "its password never expires"))
    age = context.days_since(account.password_last_set)
    if age is not None and age > context.thresholds.admin_password_max_age_days:
        problems.append(
            Text(
                f"パスワードが {age} 日間変更されていません",
                f"its password has not changed for {age} days",
            )
        )
    return problems


def _finding(context: AuditContext, account: Account, problems: list[Text]) -> Finding:
    return context.account_finding(
        ID,
        Severity.high,
        account,
        Text("AD 管理者アカウント {name}: {ja}。", "AD admin account {name}: {en}.").format(
            name=account.name,
            ja="、".join(p.ja for p in problems),
            en="; ".join(p.en for p in problems),
        ),
        password_never_expires=account.password_never_expires,
        password_last_set=(
            account.password_last_set.isoformat() if account.password_last_set else None
        ),
    )


def run(context: AuditContext) -> CheckResult:
    judged = [
        a
        for a in enabled(context.data.accounts)
        if a.source == SourceKind.ad
        and a.privileged
        and (a.password_never_expires is not None or a.password_last_set is not None)
    ]
    if not judged:
        return not_applicable(
            ID,
            Text(
                "AD 管理者アカウントのパスワード設定(pwdLastSet、無期限フラグ)を示す AD の"
                "エクスポートがありません。",
                "No AD export gives admin accounts' password settings (pwdLastSet, "
                "password-never-expires flag).",
            ),
        )
    findings = []
    for account in judged:
        problems = _problems(context, account)
        if problems:
            findings.append(_finding(context, account, problems))
    return result(ID, findings, len(judged))


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text(
        "AD 管理者アカウントの無期限・古いパスワード",
        "AD admin accounts with never-expiring or old passwords",
    ),
    remediation=Text(
        "管理者アカウントの「パスワードを無期限にする」を外し、長く推測困難なパスワードに"
        "変更してください。サービス用途ならグループ管理サービスアカウント(gMSA)に"
        "移行します。",
        "Clear 'password never expires' on admin accounts and set a long, unguessable new "
        "password; move service uses to group managed service accounts (gMSA).",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5"),
    why=Text(
        "漏えいした管理者パスワードは変更されるまで使え、ASKUL では 4 か月間気付かれませんでした。",
        "A leaked admin password works until it is changed; at ASKUL its use went unnoticed "
        "for four months.",
    ),
    run=run,
)
