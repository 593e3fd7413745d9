"""Privileged roles held by external accounts: contractors, vendors, guests.

This is the ASKUL pattern itself: an outside party's account with admin rights. Admin work by
a vendor should go through accounts the company controls, granted for the job and removed
after it; without MFA such an account is one leaked password away from the whole tenant.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._accounts import enabled, role_names, sources_with
from mamori.audit.checks._common import has_mfa, signs_in_interactively
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account

ID = "EXTERNAL-PRIVILEGED"


def _mfa_state(account: Account) -> tuple[bool, Text]:
    """(can sign in without MFA, the MFA state in words)."""
    mfa = has_mfa(account)
    if mfa is None:
        return False, Text("MFA の状況は不明です", "its MFA state is unknown")
    if mfa:
        return False, Text("MFA は登録済みです", "MFA is registered")
    if signs_in_interactively(account):
        return True, Text("MFA なしでサインインできます", "it can sign in without MFA")
    return False, Text(
        "パスワードでのサインインはなく、キーのみで使われます",
        "it has no password sign-in, keys only",
    )


def _finding(context: AuditContext, account: Account) -> Finding:
    without_mfa, state = _mfa_state(account)
    return context.account_finding(
        ID,
        Severity.critical if without_mfa else Severity.high,
        account,
        Text(
            "外部アカウント {name}({source})が管理者権限({roles})を持っています。{state}。",
            "External account {name} ({source}) holds admin rights ({roles}); {state_en}.",
        ).format(
            name=account.name,
            source=account.source,
            roles=role_names(account),
            state=state.ja,
            state_en=state.en,
        ),
        roles=sorted({r.role for r in account.roles if r.privileged}),
        mfa=has_mfa(account),
    )


def run(context: AuditContext) -> CheckResult:
    role_data = sources_with(
        context.data.accounts, lambda a: a.is_admin is not None or bool(a.roles)
    )
    judged = [
        a for a in enabled(context.data.accounts) if "external" in a.tags and a.source in role_data
    ]
    if not judged:
        return not_applicable(
            ID,
            Text(
                "外部アカウントがないか、その権限を示すエクスポート(Entra のロール割り当て、"
                "AWS のポリシー、Google Workspace の isAdmin 等)がありません。",
                "There are no external accounts, or no export gives their rights (Entra role "
                "assignments, AWS policies, Google Workspace isAdmin…).",
            ),
        )
    findings = [_finding(context, a) for a in judged if a.privileged]
    return result(ID, findings, len(judged))


CHECK = Check(
    id=ID,
    severity=Severity.critical,
    title=Text("管理者権限を持つ外部アカウント", "External accounts with admin rights"),
    remediation=Text(
        "委託先・ゲストから常設の管理者権限を外し、必要な作業のときだけ期限付きで付与して"
        "ください(Entra PIM の資格のある割り当て、承認フロー)。残す場合は例外登録簿に所有者・"
        "期限・代替統制を記録し、フィッシング耐性のある MFA を必須にします。",
        "Remove standing admin rights from contractors and guests and grant them only for "
        "the job, time-limited (Entra PIM eligible assignments with approval). Any that must "
        "stay go in the exception register with an owner, an expiry and compensating "
        "controls, and require phishing-resistant MFA.",
    ),
    frameworks=("SCS-3:access-control", "SCS-4:supplier-management", "CSMG-3:5", "CSMG-3:9"),
    why=Text(
        "ASKUL の侵入口は、MFA が免除された委託先の管理者アカウントそのものでした。",
        "ASKUL's entry point was exactly this: a contractor's admin account, exempted from MFA.",
    ),
    run=run,
)
