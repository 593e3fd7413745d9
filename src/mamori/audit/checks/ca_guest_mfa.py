"""Guests and external users that no enabled MFA policy reaches.

Two questions. For the tenant: does an enabled MFA policy cover every guest and external user
type (All users, GuestsOrExternalUsers, or all six guest types) without excluding any? If not,
the next contractor invited as a B2B guest or reaching in as a service provider arrives without
MFA. For each external account present today (guests, contractors, vendor accounts): does any
enabled MFA policy apply to it? A contractor on an ordinary member account is not a "guest" to
Conditional Access, so only user, group or role assignments reach it.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._policies import (
    ENABLED,
    GUEST_TYPES,
    POLICIES_MISSING,
    Scopes,
    covers_all_guests,
    mfa_policies,
    policies_known,
)
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text

ID = "CA-GUEST-MFA"
SUBJECT = "entra:tenant:guests"


def run(context: AuditContext) -> CheckResult:
    if not policies_known(context):
        return not_applicable(ID, POLICIES_MISSING)
    enforced = mfa_policies(context, ENABLED)
    scopes = Scopes(context)
    findings: list[Finding] = []
    if not any(covers_all_guests(p) for p in enforced):
        findings.append(_tenant_finding())
    external = [a for a in scopes.accounts if "external" in a.tags and a.enabled is not False]
    for account in external:
        if not any(scopes.applies(p, account) for p in enforced):
            findings.append(
                context.account_finding(
                    ID,
                    Severity.critical if account.privileged else Severity.high,
                    account,
                    Text(
                        "外部アカウント {name} には有効な MFA ポリシーが一つも"
                        "適用されません{note}。",
                        "No enabled MFA policy applies to external account {name}{note_en}.",
                    ).format(
                        name=account.name,
                        note="(管理者権限あり)" if account.privileged else "",
                        note_en=" (it holds admin rights)" if account.privileged else "",
                    ),
                    user_type=account.user_type,
                    employee_type=account.employee_type,
                )
            )
    return result(ID, findings, 1 + len(external))


def _tenant_finding() -> Finding:
    return Finding(
        check_id=ID,
        severity=Severity.high,
        subject=SUBJECT,
        subject_kind="source",
        message=Text(
            "ゲスト・外部ユーザーの全種別({types})を除外なしで対象にする有効な MFA ポリシーが"
            "ありません。",
            "No enabled MFA policy covers every guest and external user type ({types}) "
            "without exclusions.",
        ).format(types=", ".join(GUEST_TYPES)),
        details={"guest_types": list(GUEST_TYPES)},
        aliases=(SUBJECT,),
    )


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text(
        "ゲスト・外部ユーザーに MFA が強制されていない",
        "Guests and external users not under an MFA policy",
    ),
    remediation=Text(
        "条件付きアクセスで「ゲストまたは外部ユーザー」のすべての種別を対象に MFA を要求する"
        "ポリシーを「オン」にしてください。メンバーアカウントの委託先は専用グループに入れ、"
        "そのグループを MFA ポリシーの対象に含めます。",
        "Turn on a Conditional Access policy requiring MFA for all 'Guest or external user' "
        "types. Put contractors who hold member accounts in a dedicated group and include that "
        "group in an MFA policy.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5", "CSMG-3:9", "CIS-M365:5.2.2.2"),
    why=Text(
        "委託先は B2B ゲストやサービスプロバイダーとして入ってきます。ASKUL の侵入口も"
        "委託先のアカウントでした。",
        "Contractors come in as B2B guests or service providers; ASKUL was entered through a "
        "contractor's account.",
    ),
    run=run,
)
