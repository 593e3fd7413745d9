"""Accounts that look shared: a name that names a role rather than a person, or sign-ins from
more places in one day than one person uses (the words and the limit are data in `_accounts`).

What a shared account does cannot be attributed to anyone, its password travels with staff
changes, and MFA on it is usually "exempted" for convenience. Emergency-access (break-glass)
accounts are shared by design, kept sealed, and judged by BREAKGLASS-HYGIENE instead.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._accounts import (
    describe_shared,
    enabled,
    shared_signs,
    signins_by_account,
)
from mamori.audit.context import AuditContext, break_glass_note, not_applicable, result
from mamori.audit.findings import CheckResult, Severity, Text

ID = "SHARED-ACCOUNT"


def run(context: AuditContext) -> CheckResult:
    judged = [a for a in enabled(context.data.accounts) if "break_glass" not in a.tags]
    if not judged:
        return not_applicable(
            ID,
            Text(
                "アカウントの一覧(ユーザーのエクスポート)がありません。",
                "No account list (users export) was given.",
            ),
        )
    signins = signins_by_account(context)
    findings = []
    for account in judged:
        signs = shared_signs(account, signins.get(account.key, []))
        if not signs:
            continue
        sharp = account.privileged or "external" in account.tags
        reason = describe_shared(signs)
        findings.append(
            context.account_finding(
                ID,
                Severity.high if sharp else Severity.medium,
                account,
                Text(
                    "{name}({source})は共有アカウントの疑いがあります: {ja}。",
                    "{name} ({source}) looks shared: {en}.",
                ).format(name=account.name, source=account.source, ja=reason.ja, en=reason.en),
                **signs,
            )
        )
    note = break_glass_note(
        enabled(context.data.accounts),
        Text(
            "緊急用アカウントは設計上共有されます。",
            "emergency access accounts are shared by design; BREAKGLASS-HYGIENE checks them.",
        ),
    )
    return result(ID, findings, len(judged), note)


CHECK = Check(
    id=ID,
    severity=Severity.medium,
    title=Text("共有アカウントの疑い", "Accounts that look shared"),
    remediation=Text(
        "共有アカウントは利用者ごとの個人アカウントに置き換え、操作が誰のものか分かるように"
        "してください。委託先には担当者ごとのアカウントを契約で義務付けます。どうしても"
        "必要なものは例外登録簿に所有者と期限を記録し、MFA を必須にします。",
        "Replace shared accounts with one personal account per user so every action is "
        "attributable, and oblige vendors by contract to use named accounts. Record any that "
        "must stay in the exception register with an owner and an expiry, and require MFA.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5", "CSMG-3:9"),
    why=Text(
        "共有された委託先アカウントは誰が使ったか分からず、ASKUL のような不正利用も"
        "正規の作業と区別できません。",
        "A shared vendor account cannot be attributed, so misuse like ASKUL's looks like "
        "normal work.",
    ),
    run=run,
)
