"""Risky sign-ins on accounts that live on an exception.

An account excluded from MFA, or named in the exception register, is protected by less than the
rest; a leaked password or a medium/high sign-in risk on it is the moment the exception stops
being theoretical. ASKUL began with exactly that: a leaked password for an MFA-exempt account.
Failed sign-ins count too: a leaked-credential attempt shows the password is out.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._policies import (
    ENABLED,
    ENTRA,
    REPORT_ONLY,
    SIGNINS_MISSING,
    USERS_MISSING,
    Scopes,
    mfa_policies,
    register_entries,
    signin_accounts,
    signin_finding,
    signins_known,
)
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account, SignIn

ID = "SIGNIN-RISK-ON-EXCEPTION"
RISKY_LEVELS = frozenset({"medium", "high"})
LEAKED = "leakedcredentials"


def _risky(signin: SignIn) -> bool:
    return (signin.risk_level or "").lower() in RISKY_LEVELS or LEAKED in {
        e.lower() for e in signin.risk_events
    }


def _risk_known(signin: SignIn) -> bool:
    """`hidden` (no Entra ID P2 licence) and an absent level say nothing about risk."""
    return (signin.risk_level or "hidden").lower() != "hidden" or bool(signin.risk_events)


def _exceptions_of(context: AuditContext, scopes: Scopes, account: Account) -> list[str]:
    """Why the account is on an exception: MFA policies excluding it, register entries."""
    reasons = []
    if account.source == ENTRA:
        reasons += [
            f"excluded: {p.name}"
            for p in mfa_policies(context, ENABLED, REPORT_ONLY)
            if scopes.excluded_by(p, account)
        ]
    reasons += [f"register: {e.id}" for e in register_entries(context, context.aliases(account))]
    return reasons


def run(context: AuditContext) -> CheckResult:
    if not signins_known(context):
        return not_applicable(ID, SIGNINS_MISSING)
    if not context.data.accounts:
        return not_applicable(ID, USERS_MISSING)
    if not any(_risk_known(s) for s in context.data.signins):
        return not_applicable(
            ID,
            Text(
                "サインインログにリスク情報がありません(riskLevelDuringSignIn・riskEventTypes_v2。"
                "Entra ID P2 が必要です)。",
                "The sign-in logs carry no risk information (riskLevelDuringSignIn, "
                "riskEventTypes_v2; Entra ID P2 is required).",
            ),
        )
    scopes = Scopes(context)
    on_exception = {
        id(a): reasons
        for a in context.data.accounts
        if (reasons := _exceptions_of(context, scopes, a))
    }
    risky = [s for s in context.data.signins if _risky(s)]
    findings = [
        _finding(context, account, signins, on_exception[id(account)])
        for account, signins in signin_accounts(context).by_account(risky).values()
        if id(account) in on_exception
    ]
    return result(ID, findings, len(on_exception))


def _finding(
    context: AuditContext, account: Account, signins: list[SignIn], reasons: list[str]
) -> Finding:
    leaked = any(LEAKED in {e.lower() for e in s.risk_events} for s in signins)
    levels = sorted({s.risk_level.lower() for s in signins if s.risk_level})
    exposed = account.privileged and "external" in account.tags
    return signin_finding(
        context,
        ID,
        Severity.critical if exposed else Severity.high,
        account,
        signins,
        Text(
            "例外扱いのアカウント {name}({reasons})に危険なサインインが {count} 件あります"
            "(リスク: {levels}{leaked})。",
            "Account {name}, which is on an exception ({reasons}), has {count} risky sign-in(s) "
            "(risk: {levels}{leaked_en}).",
        ).format(
            name=account.name,
            reasons="; ".join(reasons),
            count=len(signins),
            levels=", ".join(levels) or "-",
            leaked="、資格情報の漏えいを検知" if leaked else "",
            leaked_en=", leaked credentials detected" if leaked else "",
        ),
        exceptions=reasons,
        leaked_credentials=leaked,
    )


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text(
        "例外扱いのアカウントでの危険なサインイン",
        "Risky sign-ins on accounts under an exception",
    ),
    remediation=Text(
        "直ちにパスワードをリセットしてセッションを失効させ、サインイン元を調査してください。"
        "例外(MFA 除外・例外登録)を取り消し、MFA を強制します。あわせて、サインインリスク"
        "中・高をブロックまたは MFA 必須とするポリシーを有効にします。",
        "Reset the password and revoke sessions now, and investigate where the sign-ins came "
        "from. Withdraw the exception (MFA exclusion, register entry) and enforce MFA. Turn on "
        "a policy that blocks or requires MFA for medium and high sign-in risk.",
    ),
    frameworks=("SCS-3:access-control", "SCS-3:logging", "CSMG-3:5", "CIS-M365:5.2.2.7"),
    why=Text(
        "ASKUL の発端は、MFA が免除されたアカウントのパスワード漏えいでした。",
        "ASKUL began with a leaked password for an MFA-exempt account.",
    ),
    run=run,
)
