"""Declared emergency-access (break-glass) accounts that could become an attacker's way in.

Break-glass accounts are the one place an exclusion from MFA is sometimes justified, which is
why they must not become a back door: held by the company (member, not contractor or guest),
cloud-only (an on-premises compromise must not reach them), enabled (usable in the emergency),
protected by a phishing-resistant method, and excluded from MFA policies only with a valid
exception register entry — the same rule as any other exclusion.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._policies import (
    ENABLED,
    REPORT_ONLY,
    Scopes,
    mfa_policies,
    register_entries,
)
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.exceptions import problems_of
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account

ID = "BREAKGLASS-HYGIENE"
EXCLUSION_CHECK = "CA-EXCLUSION-UNREGISTERED"

PROBLEMS = {
    "external": Text("委託先・ゲスト等の外部アカウント", "held by an outsider (contractor, guest)"),
    "synced": Text("オンプレミス AD から同期", "synced from on-premises AD"),
    "disabled": Text("無効化されており緊急時に使えない", "disabled, so unusable in an emergency"),
    "weak": Text(
        "フィッシング耐性のある認証方式(FIDO2 等)が未登録",
        "no phishing-resistant method (FIDO2, passkey) registered",
    ),
    "unregistered": Text(
        "MFA ポリシー {policies} からの除外が例外登録簿に有効な登録なし",
        "excluded from MFA policies {policies} without a valid exception register entry",
    ),
}
AUTH_PROBLEMS = {"weak", "unregistered"}


def run(context: AuditContext) -> CheckResult:
    declared = [a for a in context.data.accounts if "break_glass" in a.tags]
    if not declared:
        return not_applicable(ID, _why_not_applicable(context))
    scopes = Scopes(context)
    findings = [
        _finding(context, account, problems)
        for account in declared
        if (problems := _problems(context, scopes, account))
    ]
    return result(ID, findings, len(declared))


def _why_not_applicable(context: AuditContext) -> Text:
    if context.config.tagging.break_glass:
        return Text(
            "設定の tagging.break_glass に宣言された緊急用アカウントがエクスポートに見つかり"
            "ません。名前の誤りか、削除されていないか確認してください。",
            "The break-glass accounts declared in tagging.break_glass match no exported "
            "account: check for a misspelt name or a deleted account.",
        )
    return Text(
        "緊急用(break-glass)アカウントが宣言されていません。設定の tagging.break_glass で"
        "宣言することを推奨します(宣言すると、その衛生状態をこのチェックが検証します)。",
        "No break-glass (emergency access) accounts are declared. Declaring them in the "
        "configuration (tagging.break_glass) is recommended, so this check can verify them.",
    )


def _problems(context: AuditContext, scopes: Scopes, account: Account) -> dict[str, Text]:
    """Problem code → text; unknown facts (None) are not problems."""
    found: dict[str, Text] = {}
    if "external" in account.tags:
        found["external"] = PROBLEMS["external"]
    if account.synced_from_on_premises:
        found["synced"] = PROBLEMS["synced"]
    if account.enabled is False:
        found["disabled"] = PROBLEMS["disabled"]
    if account.mfa.phishing_resistant is False:
        found["weak"] = PROBLEMS["weak"]
    unregistered = _unregistered_exclusions(context, scopes, account)
    if unregistered:
        found["unregistered"] = PROBLEMS["unregistered"].format(policies=", ".join(unregistered))
    return found


def _unregistered_exclusions(context: AuditContext, scopes: Scopes, account: Account) -> list[str]:
    """Names of MFA policies that exclude the account through an entry (the account itself,
    a group, a role…) that no valid register entry for CA-EXCLUSION-UNREGISTERED names."""
    names = []
    for policy in mfa_policies(context, ENABLED, REPORT_ONLY):
        for principal in scopes.excluded_by(policy, account):
            if not any(
                not problems_of(e, context.today, context.thresholds.exception_max_days)[0]
                for e in register_entries(context, principal.aliases, EXCLUSION_CHECK)
            ):
                names.append(policy.name)
                break
    return names


def _finding(context: AuditContext, account: Account, problems: dict[str, Text]) -> Finding:
    weak = bool(AUTH_PROBLEMS & problems.keys())
    critical = "external" in problems and account.privileged and weak
    return context.account_finding(
        ID,
        Severity.critical if critical else Severity.high,
        account,
        Text(
            "緊急用アカウント {name} に問題があります: {ja}。",
            "Break-glass account {name} has problems: {en}.",
        ).format(
            name=account.name,
            ja="、".join(p.ja for p in problems.values()),
            en="; ".join(p.en for p in problems.values()),
        ),
        problems=sorted(problems),
    )


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text("緊急用(break-glass)アカウントの衛生", "Break-glass account hygiene"),
    remediation=Text(
        "緊急用アカウントは自社の管理者が保管するクラウド専用のメンバーアカウント 2 つとし、"
        "FIDO2 セキュリティキーを登録して有効なままにしてください。MFA ポリシーから除外する"
        "場合は例外登録簿に記録し、サインイン時に通知されるアラートを設定します。委託先に"
        "緊急用アカウントを渡さないこと。",
        "Keep two cloud-only member accounts for emergencies, held by your own staff, with "
        "FIDO2 keys registered, and keep them enabled. Record any exclusion from MFA policies "
        "in the exception register and alert on every sign-in. Never hand a break-glass account "
        "to a contractor.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5", "CIS-M365:1.1.1", "CIS-M365:1.1.2"),
    why=Text(
        "緊急用アカウントは MFA 除外が正当化されやすいため、委託先の経路になると ASKUL と"
        "同じ「MFA 免除の管理者アカウント」が生まれます。",
        "Break-glass accounts are where an MFA exemption is easiest to justify; held by a "
        "contractor, one becomes ASKUL's MFA-exempt admin account again.",
    ),
    run=run,
)
